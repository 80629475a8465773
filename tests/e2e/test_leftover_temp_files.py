"""What a killed download leaves behind is recognisably s3sync's own: never uploaded, and cleared later.

SIGKILL gives no chance to remove the temp file of a download in progress. Before the fix it was a `.tmpXXXXXXXX`
file like any other: syncing the folder back to S3 uploaded it as an object, and nothing ever removed it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import bucket_objects, put_objects
from tests.support.fault_runs import S3SyncRunner
from tests.support.seaweed import S3Endpoint

MiB = 1024 * 1024
TEMP_NAME = re.compile(r"\.s3sync-tmp-[0-9a-f]{16}")
HOUR = 3600


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


def _extra_files(folder: Path, known: set[str]) -> list[Path]:
    return [path for path in folder.iterdir() if path.name not in known]


def _kill_while_writing(process: subprocess.Popen[str], folder: Path, known: set[str]) -> None:
    """SIGKILL the run once a file other than `known` has bytes in `folder` (the download's temp file)."""
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the download ended before it could be killed:\n{out}\n{err}")
        try:
            if any(path.stat().st_size > 0 for path in _extra_files(folder, known)):
                break
        except OSError:
            pass  # the folder is not there yet, or a file was renamed between the listing and the stat
        if time.monotonic() > deadline:
            process.kill()
            process.communicate()
            raise AssertionError("no temp file appeared")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


def test_a_killed_download_leaves_a_temp_file_that_is_never_uploaded_and_is_later_removed(
    tmp_path: Path, bucket: str, target_bucket: str, s3_admin: Any, runner: S3SyncRunner
) -> None:
    endpoint = runner.endpoint.endpoint_url
    put_objects(s3_admin, bucket, {"small.txt": b"small"})
    folder = tmp_path / "download"
    runner.run(f"s3://{bucket}/", str(folder), source_url=endpoint)
    s3_admin.put_object(Bucket=bucket, Key="big.bin", Body=os.urandom(6 * MiB))

    # 6 MiB at 1 MiB/s: the big object's temp file lives for about five seconds.
    process = runner.start("--rate-limit-bandwidth", "1MiB", f"s3://{bucket}/", str(folder), source_url=endpoint)
    _kill_while_writing(process, folder, {"small.txt", "big.bin"})

    leftovers = _extra_files(folder, {"small.txt"})
    assert len(leftovers) == 1, leftovers
    leftover = leftovers[0]
    assert TEMP_NAME.fullmatch(leftover.name), leftover.name

    # The folder synced back: the temp file is neither uploaded nor counted (nor skipped, nor warned about).
    back = runner.run(str(folder), f"s3://{target_bucket}/", target_url=endpoint)
    assert set(bucket_objects(s3_admin, target_bucket)) == {"small.txt"}
    assert (back.count("transferred"), back.count("skipped"), back.count("warning")) == (1, 0, 0)

    # A later download into the folder: a temp file as young as this one may belong to another run still
    # writing, so it is kept ...
    runner.run(f"s3://{bucket}/", str(folder), source_url=endpoint)
    assert leftover.exists()
    assert (folder / "big.bin").stat().st_size == 6 * MiB

    # ... and once it is over an hour old, the next run that writes into its folder removes it.
    old = time.time() - 2 * HOUR
    os.utime(leftover, (old, old))
    lookalike = folder / ".s3sync-tmp-notes.txt"  # not a name s3sync gives: a user's file
    lookalike.write_bytes(b"mine")
    os.utime(lookalike, (old, old))
    put_objects(s3_admin, bucket, {"new.txt": b"new"})
    later = runner.run(f"s3://{bucket}/", str(folder), source_url=endpoint)
    assert later.count("transferred") == 1
    assert not leftover.exists()
    assert lookalike.read_bytes() == b"mine"
    assert sorted(path.name for path in folder.iterdir()) == [".s3sync-tmp-notes.txt", "big.bin", "new.txt",
                                                                "small.txt"]
