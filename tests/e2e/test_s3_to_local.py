"""S3 -> local, end to end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from s3syncpy.adapters.local.temp_files import TEMP_PREFIX
from tests.support.e2e import RunS3Sync, put_objects, read_tree
from tests.support.fault_proxy import Fault, FaultProxy

MiB = 1024 * 1024

CASE1 = {
    "data1": b"data1-content",
    "dir1/data1": b"dir1-data1",
    "dir2/data2": b"dir2-data2",
    "dir21/data1": b"dir21-data1",
    "dir5/data3": b"dir5-data3",
}


def test_download_writes_every_object_verified_and_sets_mtime(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    objects = CASE1 | {"日本語/ファイル.txt": b"unicode", "a+b/c d.txt": b"plus", "empty.dat": b""}
    put_objects(s3_admin, bucket, objects)

    result = run_s3sync(f"s3://{bucket}/", str(tmp_path / "out"))

    assert read_tree(tmp_path / "out") == objects
    assert result.count("transferred") == len(objects)
    assert result.count("etag_verified") == len(objects)
    head = s3_admin.head_object(Bucket=bucket, Key="dir1/data1")
    assert int((tmp_path / "out" / "dir1" / "data1").stat().st_mtime) == int(head["LastModified"].timestamp())
    assert not [p for p in (tmp_path / "out").rglob(TEMP_PREFIX + "*")]


def test_second_run_skips_everything(tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, CASE1)
    run_s3sync(f"s3://{bucket}/", str(tmp_path))

    again = run_s3sync(f"s3://{bucket}/", str(tmp_path))

    assert again.count("transferred") == 0
    assert again.count("skipped") == 5


def test_source_prefix_is_stripped_textually(tmp_path: Path, bucket: str, s3_admin: Any,
                                             run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, CASE1)

    run_s3sync(f"s3://{bucket}/dir2", str(tmp_path))

    assert read_tree(tmp_path) == {"data2": b"dir2-data2", "1/data1": b"dir21-data1"}


def test_multipart_object_at_threshold_downloads_and_verifies(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    data = os.urandom(5 * MiB + 3)
    upload = s3_admin.create_multipart_upload(Bucket=bucket, Key="big.bin")
    parts = []
    for number, offset in enumerate(range(0, len(data), 5 * MiB), start=1):
        part = s3_admin.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], PartNumber=number,
                                    Body=data[offset:offset + 5 * MiB])
        parts.append({"ETag": part["ETag"], "PartNumber": number})
    s3_admin.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"],
                                       MultipartUpload={"Parts": parts})

    result = run_s3sync("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB",
                        f"s3://{bucket}/", str(tmp_path))

    assert (tmp_path / "big.bin").read_bytes() == data
    assert result.count("etag_verified") == 1


def test_etag_mismatch_warns_exits_3_and_keeps_the_existing_file(
    tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any, run_s3sync: RunS3Sync
) -> None:
    # Uploaded in 5 MiB parts (not the configured 8 MiB layout), then damaged on the way: verified against its
    # real parts, the file is corrupt and must never replace the existing one.
    data = os.urandom(10 * MiB)
    upload = s3_admin.create_multipart_upload(Bucket=bucket, Key="big.bin")
    parts = []
    for number, offset in enumerate(range(0, len(data), 5 * MiB), start=1):
        part = s3_admin.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], PartNumber=number,
                                    Body=data[offset:offset + 5 * MiB])
        parts.append({"ETag": part["ETag"], "PartNumber": number})
    s3_admin.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"],
                                       MultipartUpload={"Parts": parts})
    (tmp_path / "big.bin").write_bytes(b"previous content")
    os.utime(tmp_path / "big.bin", (0, 0))

    with FaultProxy(s3_endpoint.endpoint_url) as proxy:
        proxy.add_rule(lambda request: request.method == "GET" and request.key == "big.bin", Fault.CORRUPT_BODY,
                       times=None)
        result = run_s3sync("--source-endpoint-url", proxy.url, f"s3://{bucket}/", str(tmp_path), expect=3)

    assert proxy.stats.faulted >= 1
    assert result.count("warning") == 1
    assert "e_tag mismatch" in result.stdout
    assert (tmp_path / "big.bin").read_bytes() == b"previous content"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]

    # Undamaged, the same object verifies against its own parts and replaces the file.
    clean = run_s3sync(f"s3://{bucket}/", str(tmp_path))
    assert (clean.count("etag_verified"), clean.count("warning")) == (1, 0)
    assert (tmp_path / "big.bin").read_bytes() == data


def test_directory_traversal_keys_are_skipped_with_a_warning(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    # SeaweedFS refuses "." and ".." segments itself; "..." and ".. " are refused by the same guard.
    put_objects(s3_admin, bucket, {"ok.txt": b"ok", "a/.../escape.txt": b"evil", "a/.. /escape.txt": b"evil"})

    result = run_s3sync(f"s3://{bucket}/", str(tmp_path / "out"), expect=3)

    assert read_tree(tmp_path / "out") == {"ok.txt": b"ok"}
    assert result.count("warning") == 2
    assert not (tmp_path / "escape.txt").exists()


def test_directory_marker_creates_a_directory(tmp_path: Path, bucket: str, s3_admin: Any,
                                              run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"emptydir/": b"", "file": b"x"})

    result = run_s3sync(f"s3://{bucket}/", str(tmp_path))

    assert (tmp_path / "emptydir").is_dir()
    assert result.count("transferred") == 2
