"""A local file that changes while `s3sync` uploads it is sent again, never stored truncated or mixed.

A bandwidth limit makes the upload last seconds; the test changes the file once the run has opened it (seen in
/proc) or once the server holds the first part of its multipart upload, so the change falls between two reads of
the same upload. Before the fix the object kept the bytes read before the change (truncated, or old and new parts
mixed), the run exited 0, and the next run skipped the file: S3's LastModified is later than the file's mtime.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import Result, bucket_objects
from tests.support.fault_runs import S3SyncRunner, open_uploads
from tests.support.seaweed import S3Endpoint

MiB = 1024 * 1024
RUN_DEADLINE = 120.0
CHANGED = "changed while it was read"


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"s3sync ended before the test could change the file:\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            process.communicate()
            raise AssertionError("the run never reached the state the test changes the file in")
        time.sleep(0.02)


def _holds_open(pid: int, path: Path) -> Callable[[], bool]:
    """Whether process `pid` has `path` open (Linux: its /proc fd links)."""
    target = str(path.resolve())

    def check() -> bool:
        fd_dir = f"/proc/{pid}/fd"
        try:
            names = os.listdir(fd_dir)
        except OSError:
            return False
        for name in names:
            try:
                if os.readlink(os.path.join(fd_dir, name)) == target:
                    return True
            except OSError:
                continue
        return False

    return check


def _has_uploaded_a_part(s3_admin: Any, bucket: str) -> Callable[[], bool]:
    def check() -> bool:
        for upload in open_uploads(s3_admin, bucket):
            parts = s3_admin.list_parts(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
            if parts.get("Parts"):
                return True
        return False

    return check


def _finish(process: subprocess.Popen[str]) -> Result:
    try:
        stdout, stderr = process.communicate(timeout=RUN_DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"s3sync did not finish within {RUN_DEADLINE} s") from None
    return Result(process.returncode, stdout, stderr)


def _append(path: Path) -> bytes:
    with path.open("ab") as appended:
        appended.write(b"appended while uploading\n")
    return path.read_bytes()


def _rewrite_in_place(path: Path) -> bytes:
    """Overwrite the whole file in place, keeping its size (the part already sent changes too)."""
    size = path.stat().st_size
    with path.open("r+b") as rewrite:
        rewrite.write(os.urandom(size))
    return path.read_bytes()


CASES = [
    # One PutObject, streamed at 1 MiB/s: the file grows after it was opened, before its last piece is read.
    pytest.param(3 * MiB, "open", _append, ("--rate-limit-bandwidth", "1MiB"), id="single-put-grows"),
    # Three 5 MiB parts one at a time: the file grows once part 1 is on the server.
    pytest.param(15 * MiB, "part", _append, ("--rate-limit-bandwidth", "3MiB"), id="multipart-grows"),
    # The same, rewritten in place with the same size. Without Content-MD5 each part is read whole at one
    # instant (a held body), so the rewrite falls between the reads of part 1 and part 2.
    pytest.param(15 * MiB, "part", _rewrite_in_place, ("--rate-limit-bandwidth", "3MiB", "--disable-content-md5-header"),
                 id="multipart-rewritten-in-place"),
]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches the run's open files in /proc")
@pytest.mark.parametrize(("size", "when", "change", "extra"), CASES)
def test_a_file_changed_during_its_upload_is_sent_again_whole(
    tmp_path: Path, bucket: str, s3_admin: Any, runner: S3SyncRunner, size: int, when: str,
    change: Callable[[Path], bytes], extra: tuple[str, ...],
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    path = source / "live.bin"
    path.write_bytes(os.urandom(size))
    # An mtime in the past, so a change made now moves it whatever the file system's timestamp grain.
    os.utime(path, (time.time() - 60, time.time() - 60))
    args = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB", "--max-parallel-uploads", "1",
            "--force-retry-interval-milliseconds", "50", *extra, str(source), f"s3://{bucket}/")

    process = runner.start(*args, target_url=runner.endpoint.endpoint_url)
    ready = _holds_open(process.pid, path) if when == "open" else _has_uploaded_a_part(s3_admin, bucket)
    _wait_for(ready, process)
    final = change(path)
    result = _finish(process)

    assert bucket_objects(s3_admin, bucket) == {"live.bin": final}, result.stdout[-3000:]
    # The retry is a warning: the run says the file changed and that it was sent again.
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-2000:]
    assert CHANGED in result.stdout
    assert result.count("transferred") == 1
    assert result.count("error") == 0
    assert open_uploads(s3_admin, bucket) == []

    rerun = runner.run(*args, target_url=runner.endpoint.endpoint_url)
    assert rerun.count("transferred") == 0
