"""SSE-C round trips (ETag "unknown", checksums still verified, keys never logged) and mismatching downloads."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from s3syncpy.adapters.local.temp_files import TEMP_PREFIX
from tests.support.e2e import RunS3Sync, read_tree, write_tree

MiB = 1024 * 1024
FIVE = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB")
FILES = {"small.txt": b"small", "big.bin": os.urandom(5 * MiB + 7), "empty": b""}

KEY_RAW = os.urandom(32)
KEY = base64.b64encode(KEY_RAW).decode()
KEY_MD5 = base64.b64encode(hashlib.md5(KEY_RAW).digest()).decode()
OTHER_KEY = base64.b64encode(os.urandom(32)).decode()


def _sse_c(side: str, key: str) -> tuple[str, ...]:
    return (f"--{side}-sse-c", "AES256", f"--{side}-sse-c-key", key)


def test_sse_c_round_trip_verifies_checksums_only(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    write_tree(tmp_path / "src", FILES)

    up = run_s3sync("-vv", *FIVE, "--additional-checksum-algorithm", "SHA256", *_sse_c("target", KEY),
                    "--target-sse-c-key-md5", KEY_MD5, str(tmp_path / "src"), f"s3://{bucket}/enc/")
    assert up.count("transferred") == 3
    assert up.count("etag_verified") == 0  # SSE-C ETags are not MD5 digests: "unknown", no warning
    assert up.count("checksum_verified") == 3
    assert up.count("warning") == 0
    head = s3_admin.head_object(Bucket=bucket, Key="enc/small.txt", SSECustomerAlgorithm="AES256",
                                SSECustomerKey=KEY_RAW)
    assert head["SSECustomerAlgorithm"] == "AES256"

    down = run_s3sync("-vv", *FIVE, "--enable-additional-checksum", *_sse_c("source", KEY),
                      f"s3://{bucket}/enc/", str(tmp_path / "down"))
    assert read_tree(tmp_path / "down") == FILES
    assert down.count("etag_verified") == 0 and down.count("checksum_verified") == 3
    assert down.count("warning") == 0

    # Re-encrypted with another key on the way (source key for reading, target key for writing).
    copy = run_s3sync("-vv", *FIVE, "--additional-checksum-algorithm", "SHA256", "--enable-additional-checksum",
                      *_sse_c("source", KEY), *_sse_c("target", OTHER_KEY), f"s3://{bucket}/enc/",
                      f"s3://{bucket}/copy/")
    assert copy.count("transferred") == 3 and copy.count("checksum_verified") == 3
    assert copy.count("etag_verified") == 0 and copy.count("warning") == 0
    run_s3sync(*_sse_c("source", OTHER_KEY), f"s3://{bucket}/copy/", str(tmp_path / "back"))
    assert read_tree(tmp_path / "back") == FILES

    for result in (up, down, copy):
        for secret in (KEY, KEY_MD5, OTHER_KEY):
            assert secret not in result.stdout and secret not in result.stderr


def test_sse_c_key_validation_exits_2(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    result = run_s3sync(*_sse_c("target", KEY), "--target-sse-c-key-md5", "AAAAAAAAAAAAAAAAAAAAAA==",
                        str(tmp_path), f"s3://{bucket}/", expect=2)
    assert result.stderr.startswith("error: ") and KEY not in result.stderr


def test_full_object_checksum_and_the_etag_of_other_parts_both_verify(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    # Uploaded with 5 MiB parts and CRC64NVME (full-object): the checksum lists no parts, and the "-3" ETag is not
    # the configured 8 MiB layout's, so its parts are learned: both verify and the file replaces the older one.
    write_tree(tmp_path / "src", {"big.bin": os.urandom(11 * MiB)})
    run_s3sync(*FIVE, "--additional-checksum-algorithm", "CRC64NVME", str(tmp_path / "src"), f"s3://{bucket}/")
    (tmp_path / "down").mkdir()
    (tmp_path / "down" / "big.bin").write_bytes(b"previous")
    os.utime(tmp_path / "down" / "big.bin", (0, 0))

    result = run_s3sync("--enable-additional-checksum", f"s3://{bucket}/", str(tmp_path / "down"))

    assert result.count("checksum_verified") == 1 and result.count("etag_verified") == 1
    assert result.count("warning") == 0
    assert (tmp_path / "down" / "big.bin").read_bytes() == read_tree(tmp_path / "src")["big.bin"]
    assert not [p for p in (tmp_path / "down").iterdir() if p.name.startswith(TEMP_PREFIX)]

    os.utime(tmp_path / "down" / "big.bin", (0, 0))
    fixed = run_s3sync("--auto-chunksize", "--enable-additional-checksum", f"s3://{bucket}/",
                       str(tmp_path / "down"))
    assert fixed.count("etag_verified") == 1 and fixed.count("checksum_verified") == 1
    assert (tmp_path / "down" / "big.bin").read_bytes() == read_tree(tmp_path / "src")["big.bin"]
