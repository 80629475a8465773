"""The update-check modes of reference §3.3 end to end: which objects a second run skips or transfers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, bucket_objects, put_objects, read_tree, write_tree

MiB = 1024 * 1024
FIVE = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB")
FILES = {"a.txt": b"alpha", "b.txt": b"bravo", "big.bin": os.urandom(5 * MiB + 10)}


def _touch(path: Path, seconds_later: int) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + seconds_later))


def _rewrite(path: Path, data: bytes, seconds_later: int) -> None:
    # Same size, other bytes: only a content comparison can tell.
    path.write_bytes(data)
    _touch(path, seconds_later)


@pytest.mark.parametrize("algorithm", ["SHA256", "CRC32C", "CRC64NVME"])
def test_check_additional_checksum_local_to_s3(
    algorithm: str, tmp_path: Path, bucket: str, run_s3sync: RunS3Sync, s3_admin: Any
) -> None:
    write_tree(tmp_path, FILES)
    options = (*FIVE, "--additional-checksum-algorithm", algorithm)
    run_s3sync(*options, str(tmp_path), f"s3://{bucket}/")

    unchanged = run_s3sync(*options, "--check-additional-checksum", algorithm, str(tmp_path), f"s3://{bucket}/")
    assert unchanged.count("transferred") == 0 and unchanged.count("skipped") == 3
    assert unchanged.count("warning") == 0

    # Modified content transfers even with an older mtime: the checksum decides, not the time.
    _rewrite(tmp_path / "a.txt", b"ALPHA", -3600)
    big = bytearray(FILES["big.bin"])
    big[-1] ^= 0xFF
    _rewrite(tmp_path / "big.bin", bytes(big), -3600)
    changed = run_s3sync(*options, "--check-additional-checksum", algorithm, str(tmp_path), f"s3://{bucket}/")
    assert changed.count("transferred") == 2 and changed.count("skipped") == 1
    assert bucket_objects(s3_admin, bucket)["a.txt"] == b"ALPHA"


def test_check_additional_checksum_without_target_checksum_warns_and_skips(
    tmp_path: Path, bucket: str, run_s3sync: RunS3Sync, s3_admin: Any
) -> None:
    put_objects(s3_admin, bucket, {"a.txt": b"old", "b.txt": b"bravo"})
    write_tree(tmp_path, {"a.txt": b"new", "b.txt": b"bravo"})

    result = run_s3sync("--check-additional-checksum", "SHA256", str(tmp_path), f"s3://{bucket}/", expect=3)

    assert result.count("transferred") == 0
    assert result.count("warning") == 2 and result.count("skipped") == 2
    assert "checksum not found" in result.stdout.lower()
    assert bucket_objects(s3_admin, bucket)["a.txt"] == b"old"


def test_check_additional_checksum_s3_to_s3_and_s3_to_local(
    tmp_path: Path, bucket: str, run_s3sync: RunS3Sync, s3_admin: Any
) -> None:
    write_tree(tmp_path / "src", FILES)
    options = (*FIVE, "--additional-checksum-algorithm", "SHA256")
    run_s3sync(*options, str(tmp_path / "src"), f"s3://{bucket}/one/")
    run_s3sync(*options, str(tmp_path / "src"), f"s3://{bucket}/two/")
    run_s3sync(*FIVE, f"s3://{bucket}/one/", str(tmp_path / "down"))

    s3_to_s3 = run_s3sync(*options, "--check-additional-checksum", "SHA256", f"s3://{bucket}/one/",
                          f"s3://{bucket}/two/")
    assert s3_to_s3.count("transferred") == 0 and s3_to_s3.count("skipped") == 3
    assert s3_to_s3.count("warning") == 0

    _rewrite(tmp_path / "down" / "b.txt", b"BRAVO", 3600)
    s3_to_local = run_s3sync(*FIVE, "--check-additional-checksum", "SHA256", f"s3://{bucket}/one/",
                             str(tmp_path / "down"))
    assert s3_to_local.count("transferred") == 1 and s3_to_local.count("skipped") == 2
    assert read_tree(tmp_path / "down") == FILES


@pytest.mark.parametrize(
    "check",
    [
        pytest.param(("--check-mtime-and-etag",), id="mtime-and-etag"),
        pytest.param(("--check-mtime-and-additional-checksum", "CRC32"), id="mtime-and-checksum"),
    ],
)
def test_mtime_and_checks_need_newer_and_different(
    check: tuple[str, ...], tmp_path: Path, bucket: str, run_s3sync: RunS3Sync
) -> None:
    write_tree(tmp_path, FILES)
    options = (*FIVE, "--additional-checksum-algorithm", "CRC32")
    run_s3sync(*options, str(tmp_path), f"s3://{bucket}/")

    # Touched only: newer, but the same content.
    _touch(tmp_path / "a.txt", 3600)
    touched = run_s3sync(*options, *check, str(tmp_path), f"s3://{bucket}/")
    assert touched.count("transferred") == 0 and touched.count("skipped") == 3

    # Newer and modified: transferred. Modified but older: skipped by the mtime layer.
    _rewrite(tmp_path / "a.txt", b"ALPHA", 7200)
    _rewrite(tmp_path / "b.txt", b"BRAVO", -7200)
    modified = run_s3sync(*options, *check, str(tmp_path), f"s3://{bucket}/")
    assert modified.count("transferred") == 1 and modified.count("skipped") == 2


def test_check_etag_auto_chunksize_s3_to_local(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", FILES)
    run_s3sync(*FIVE, str(tmp_path / "src"), f"s3://{bucket}/")
    run_s3sync(*FIVE, f"s3://{bucket}/", str(tmp_path / "down"))

    # The default 8 MiB layout cannot have made big.bin's "-2" ETag: it is hashed in its learned parts and is
    # equal, as with --auto-chunksize (one HEAD per part).
    plain = run_s3sync("--check-etag", "--dry-run", f"s3://{bucket}/", str(tmp_path / "down"))
    assert plain.count("transferred") == 0
    auto = run_s3sync("--check-etag", "--auto-chunksize", f"s3://{bucket}/", str(tmp_path / "down"))
    assert auto.count("transferred") == 0 and auto.count("skipped") == 3 and auto.count("warning") == 0

    _rewrite(tmp_path / "down" / "b.txt", b"BRAVO", 0)
    changed = run_s3sync("--check-etag", "--auto-chunksize", f"s3://{bucket}/", str(tmp_path / "down"))
    assert changed.count("transferred") == 1
    assert read_tree(tmp_path / "down") == FILES
