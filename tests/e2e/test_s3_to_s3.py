"""S3 -> S3, end to end (both sides on the test server)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, bucket_objects, put_objects

MiB = 1024 * 1024


@pytest.fixture
def target_bucket(s3_admin: Any) -> Any:
    import uuid

    from tests.conftest import _empty_bucket

    name = f"s3syncpy-t-{uuid.uuid4().hex[:18]}"
    s3_admin.create_bucket(Bucket=name)
    yield name
    _empty_bucket(s3_admin, name)
    s3_admin.delete_bucket(Bucket=name)


def test_copy_keeps_content_metadata_and_tags(bucket: str, target_bucket: str, s3_admin: Any,
                                              run_s3sync: RunS3Sync) -> None:
    s3_admin.put_object(Bucket=bucket, Key="a/b.txt", Body=b"hello", ContentType="text/x-custom",
                        CacheControl="max-age=60", Metadata={"owner": "me"}, Tagging="stage=first&x=a%20b")
    put_objects(s3_admin, bucket, {"c+d/日本.txt": b"unicode", "zero": b""})

    result = run_s3sync(f"s3://{bucket}/", f"s3://{target_bucket}/copy/")

    assert bucket_objects(s3_admin, target_bucket) == {
        "copy/a/b.txt": b"hello", "copy/c+d/日本.txt": b"unicode", "copy/zero": b""
    }
    head = s3_admin.head_object(Bucket=target_bucket, Key="copy/a/b.txt")
    assert head["ContentType"] == "text/x-custom"
    assert head["CacheControl"] == "max-age=60"
    assert head["Metadata"] == {"owner": "me"}
    tags = s3_admin.get_object_tagging(Bucket=target_bucket, Key="copy/a/b.txt")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("stage", "first"), ("x", "a b")]
    assert result.count("etag_verified") == 3


def test_rerun_copies_nothing(bucket: str, target_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"a": b"1", "b/c": b"2"})
    run_s3sync(f"s3://{bucket}/", f"s3://{target_bucket}/")

    again = run_s3sync(f"s3://{bucket}/", f"s3://{target_bucket}/")

    assert again.count("transferred") == 0
    assert again.count("skipped") == 2


def test_multipart_copy_of_other_parts_with_the_configured_count_is_copied_in_its_own_parts(bucket: str, target_bucket: str, s3_admin: Any,
                                                    run_s3sync: RunS3Sync) -> None:
    data = os.urandom(10 * MiB)
    upload = s3_admin.create_multipart_upload(Bucket=bucket, Key="big")
    parts = []
    for number, offset in enumerate(range(0, len(data), 5 * MiB), start=1):
        part = s3_admin.upload_part(Bucket=bucket, Key="big", UploadId=upload["UploadId"], PartNumber=number,
                                    Body=data[offset:offset + 5 * MiB])
        parts.append({"ETag": part["ETag"], "PartNumber": number})
    s3_admin.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload["UploadId"],
                                       MultipartUpload={"Parts": parts})

    # Two 5 MiB parts: as many as the configured 8 MiB layout cuts, so it is copied in that layout first; its ETag
    # then differs, the real parts are learned and the object is copied once more in them (the reference warns).
    result = run_s3sync(f"s3://{bucket}/", f"s3://{target_bucket}/")

    assert bucket_objects(s3_admin, target_bucket) == {"big": data}
    assert (result.count("warning"), result.count("etag_verified")) == (0, 1)
    assert s3_admin.head_object(Bucket=target_bucket, Key="big")["ETag"] == s3_admin.head_object(
        Bucket=bucket, Key="big")["ETag"]

    quiet = run_s3sync("--disable-multipart-verify", "--remove-modified-filter",
                       f"s3://{bucket}/", f"s3://{target_bucket}/")
    assert quiet.count("warning") == 0
