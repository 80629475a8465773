"""ListObjectsV2 through S3ObjectStorage.list_objects: textual prefix stripping, paging, listed fields."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest

from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.domain.model import NANOS_PER_SECOND
from tests.integration.s3.conftest import OpenStorage


async def _keys(open_storage: OpenStorage, prefix: str, max_keys: int = 1000) -> dict[str, Any]:
    async with open_storage(prefix) as storage:
        return {info.key: info async for info in storage.list_objects(ListingOptions(max_keys=max_keys))}


async def test_prefix_is_stripped_textually_without_an_implicit_slash(
    open_storage: OpenStorage, s3_admin: Any, bucket: str
) -> None:
    for key in ("dir2/data2", "dir21/data1", "dir1/data1", "dir2"):
        s3_admin.put_object(Bucket=bucket, Key=key, Body=b"x")

    listed = await _keys(open_storage, "dir2")

    # "dir2" itself equals the prefix: its relative key is empty and it is not listed.
    assert sorted(listed) == ["/data2", "1/data1"]


async def test_directory_marker_equal_to_prefix_is_skipped(
    open_storage: OpenStorage, s3_admin: Any, bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="dir1/", Body=b"")
    s3_admin.put_object(Bucket=bucket, Key="dir1/sub/", Body=b"")
    s3_admin.put_object(Bucket=bucket, Key="dir1/a", Body=b"abc")

    listed = await _keys(open_storage, "dir1/")

    assert sorted(listed) == ["a", "sub/"]
    assert listed["sub/"].is_directory_marker


async def test_listed_fields(open_storage: OpenStorage, s3_admin: Any, bucket: str) -> None:
    before = time.time_ns()
    s3_admin.put_object(Bucket=bucket, Key="p/file.txt", Body=b"hello world")

    info = (await _keys(open_storage, "p/"))["file.txt"]

    assert info.size == 11
    assert info.e_tag == f'"{hashlib.md5(b"hello world").hexdigest()}"'
    # S3 reports LastModified in whole seconds (or milliseconds); allow for that truncation and clock skew.
    assert before - 2 * NANOS_PER_SECOND <= info.mtime_ns <= time.time_ns() + 2 * NANOS_PER_SECOND
    assert info.version_id is None


async def test_pages_are_followed(open_storage: OpenStorage, s3_admin: Any, bucket: str) -> None:
    expected = [f"k{i:02d}" for i in range(7)]
    for key in expected:
        s3_admin.put_object(Bucket=bucket, Key=key, Body=key.encode())

    listed = await _keys(open_storage, "", max_keys=2)

    assert sorted(listed) == expected
    assert {k: v.size for k, v in listed.items()} == {k: 3 for k in expected}


async def test_empty_bucket_lists_nothing(open_storage: OpenStorage) -> None:
    assert await _keys(open_storage, "") == {}


@pytest.mark.aws_fidelity  # SeaweedFS omits ChecksumAlgorithm from listings
async def test_listing_announces_the_checksum_algorithm(
    open_storage: OpenStorage, s3_admin: Any, bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="c", Body=b"data", ChecksumAlgorithm="CRC32C")
    s3_admin.put_object(Bucket=bucket, Key="plain", Body=b"data")

    listed = await _keys(open_storage, "")

    assert listed["c"].checksum_algorithm == "CRC32C"
    assert listed["plain"].checksum_algorithm is None


async def test_before_page_runs_once_per_page_and_the_prefix_key_is_optional(
    open_storage: OpenStorage, s3_admin: Any, bucket: str
) -> None:
    for key in ("p", "pa", "pb", "pc", "pd"):
        s3_admin.put_object(Bucket=bucket, Key=key, Body=b"x")
    pages = 0

    async def before_page() -> None:
        nonlocal pages
        pages += 1

    async with open_storage("p") as storage:
        default = [info.key async for info in storage.list_objects(ListingOptions(max_keys=2))]
        with_prefix = [info.key async for info in storage.list_objects(
            ListingOptions(max_keys=2, before_page=before_page, include_prefix_key=True))]

    assert sorted(default) == ["a", "b", "c", "d"]
    # "p" names the prefix: yielded with the empty key only when asked (the source listing counts it as skipped).
    assert sorted(with_prefix) == ["", "a", "b", "c", "d"]
    assert pages == 3
