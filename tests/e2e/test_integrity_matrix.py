"""The integrity matrix end to end: each direction x algorithm x {single, at threshold, threshold+1, empty} x
{configured chunks, --auto-chunksize}, against the test server.

One chain per algorithm keeps the matrix compact: upload (local -> S3), download (S3 -> local) and copy
(S3 -> S3), each with the configured 5 MiB layout and again with --auto-chunksize, and every run must verify every
object's ETag and additional checksum without a warning.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _empty_bucket
from tests.support.e2e import Result, RunS3Sync, bucket_objects, read_tree, write_tree

MiB = 1024 * 1024
FIVE = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB")
FILES = {
    "single.bin": os.urandom(1000),
    "dir/at-threshold.bin": os.urandom(5 * MiB),
    "dir/over-threshold.bin": os.urandom(5 * MiB + 1),
    "empty.bin": b"",
}
N = len(FILES)


@pytest.fixture
def second_bucket(s3_admin: Any) -> Iterator[str]:
    name = f"s3syncpy-m-{uuid.uuid4().hex[:18]}"
    s3_admin.create_bucket(Bucket=name)
    yield name
    _empty_bucket(s3_admin, name)
    s3_admin.delete_bucket(Bucket=name)


def assert_all_verified(result: Result, *, checksums: bool = True) -> None:
    assert result.count("transferred") == N, result.stdout
    assert result.count("etag_verified") == N, result.stdout
    assert result.count("checksum_verified") == (N if checksums else 0), result.stdout
    assert result.count("warning") == 0 and result.count("error") == 0, result.stdout


ALGORITHMS = [
    pytest.param(("SHA1",), id="SHA1"),
    pytest.param(("SHA256",), id="SHA256"),
    pytest.param(("CRC32",), id="CRC32"),
    pytest.param(("CRC32C",), id="CRC32C"),
    pytest.param(("CRC64NVME",), id="CRC64NVME"),
    pytest.param(("CRC32", "--full-object-checksum"), id="CRC32-full-object"),
    pytest.param(("CRC32C", "--full-object-checksum"), id="CRC32C-full-object"),
]


@pytest.mark.slow  # about 20 s per algorithm: deselect with -m "not slow" while iterating
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_direction_verifies_etag_and_checksum(
    algorithm: tuple[str, ...], tmp_path: Path, bucket: str, second_bucket: str, s3_admin: Any,
    run_s3sync: RunS3Sync,
) -> None:
    name, *flags = algorithm
    upload_options = ("--additional-checksum-algorithm", name, *flags)
    write_tree(tmp_path / "src", FILES)

    # local -> S3 with 5 MiB parts: "at threshold" is a one-part multipart upload ("-1").
    result = run_s3sync(*FIVE, *upload_options, str(tmp_path / "src"), f"s3://{bucket}/")
    assert_all_verified(result)
    assert bucket_objects(s3_admin, bucket) == FILES
    head = s3_admin.head_object(Bucket=bucket, Key="dir/at-threshold.bin", ChecksumMode="ENABLED")
    assert head["ETag"].endswith('-1"')
    value = head[f"Checksum{name}"]
    full_object = name == "CRC64NVME" or "--full-object-checksum" in flags
    assert value.endswith("-1") is not full_object

    # An unchanged tree compared with --check-etag --auto-chunksize (the target's parts): nothing to do.
    again = run_s3sync("--check-etag", "--auto-chunksize", str(tmp_path / "src"), f"s3://{bucket}/")
    assert again.count("transferred") == 0 and again.count("skipped") == N and again.count("warning") == 0

    # S3 -> local, configured layout and auto-chunksize.
    down = run_s3sync(*FIVE, "--enable-additional-checksum", f"s3://{bucket}/", str(tmp_path / "down"))
    assert_all_verified(down)
    assert read_tree(tmp_path / "down") == FILES
    down_auto = run_s3sync("--auto-chunksize", "--enable-additional-checksum", f"s3://{bucket}/",
                           str(tmp_path / "down-auto"))
    assert_all_verified(down_auto)
    assert read_tree(tmp_path / "down-auto") == FILES

    # S3 -> S3, configured layout (the same chunks, so everything verifies) and auto-chunksize.
    copy = run_s3sync(*FIVE, *upload_options, "--enable-additional-checksum", f"s3://{bucket}/",
                      f"s3://{second_bucket}/five/")
    assert_all_verified(copy)
    copy_auto = run_s3sync("--auto-chunksize", *upload_options, "--enable-additional-checksum",
                           f"s3://{bucket}/", f"s3://{second_bucket}/auto/")
    assert_all_verified(copy_auto)
    copied = bucket_objects(s3_admin, second_bucket)
    assert copied == {f"{p}/{k}": v for p in ("five", "auto") for k, v in FILES.items()}
    for prefix in ("five", "auto"):
        copied_head = s3_admin.head_object(Bucket=second_bucket, Key=f"{prefix}/dir/over-threshold.bin",
                                           ChecksumMode="ENABLED")
        source_head = s3_admin.head_object(Bucket=bucket, Key="dir/over-threshold.bin", ChecksumMode="ENABLED")
        assert copied_head["ETag"] == source_head["ETag"]


def _multipart_upload(client: Any, bucket: str, key: str, data: bytes, part_size: int,
                      algorithm: str | None = None) -> None:
    extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
    upload = client.create_multipart_upload(Bucket=bucket, Key=key, **extra)
    parts = []
    for number, offset in enumerate(range(0, len(data), part_size), start=1):
        part = client.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number,
                                  Body=data[offset:offset + part_size], **extra)
        entry = {"ETag": part["ETag"], "PartNumber": number}
        if algorithm:
            entry[f"Checksum{algorithm}"] = part[f"Checksum{algorithm}"]
        parts.append(entry)
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                                     MultipartUpload={"Parts": parts})


def test_s3_to_s3_copies_in_the_source_parts_with_or_without_auto_chunksize(
    bucket: str, second_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    # Uploaded with 5 MiB parts: copied in those parts even without --auto-chunksize (the configured 8 MiB layout
    # cannot have made its ETag), so ETag and composite checksum both verify; the reference re-cuts it and warns.
    data = os.urandom(11 * MiB)
    _multipart_upload(s3_admin, bucket, "big.bin", data, 5 * MiB, "SHA256")
    options = ("--additional-checksum-algorithm", "SHA256", "--enable-additional-checksum")

    own_layout = run_s3sync(*options, f"s3://{bucket}/", f"s3://{second_bucket}/plain/")

    assert own_layout.count("warning") == 0
    assert own_layout.count("etag_verified") == 1 and own_layout.count("checksum_verified") == 1
    target = s3_admin.head_object(Bucket=second_bucket, Key="plain/big.bin")
    assert target["ETag"] == s3_admin.head_object(Bucket=bucket, Key="big.bin")["ETag"]

    auto = run_s3sync("--auto-chunksize", *options, f"s3://{bucket}/", f"s3://{second_bucket}/auto/")

    assert auto.count("etag_verified") == 1 and auto.count("checksum_verified") == 1
    target = s3_admin.head_object(Bucket=second_bucket, Key="auto/big.bin")
    assert target["ETag"] == s3_admin.head_object(Bucket=bucket, Key="big.bin")["ETag"]

    quiet = run_s3sync("--disable-multipart-verify", *options, f"s3://{bucket}/", f"s3://{second_bucket}/quiet/")
    assert quiet.count("warning") == 0 and quiet.count("etag_verified") == 0


def test_download_of_rechunked_object_verifies_with_its_parts(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    # A composite checksum brings the source's parts (GetObjectAttributes): both checks pass without auto-chunksize.
    data = os.urandom(11 * MiB)
    _multipart_upload(s3_admin, bucket, "composite.bin", data, 5 * MiB, "SHA256")

    result = run_s3sync("--enable-additional-checksum", f"s3://{bucket}/", str(tmp_path))

    assert result.count("etag_verified") == 1 and result.count("checksum_verified") == 1
    assert result.count("warning") == 0
    assert (tmp_path / "composite.bin").read_bytes() == data
