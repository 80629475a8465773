"""S3ObjectStorage's parallel listing (sub-prefixes by delimiter "/") and its version listing, on the test server."""

from __future__ import annotations

from typing import Any

import pytest

from s3syncpy.adapters.s3 import S3StorageOptions
from s3syncpy.adapters.s3.lean import BOTOCORE, DATAPATH_ENV, LEAN
from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.domain.key_range import KeyRange
from tests.integration.s3.conftest import OpenStorage

KEYS = [
    "top", "a/1", "a/2", "a/b/1", "a/b/c/1", "a/b/c/d/e/1", "b/", "b/x", "dir2/data2", "dir21/data1",
    "c+d/日本/1", "c d/%20/x", "z/" + "y/" * 6 + "deep",
]


@pytest.fixture(params=[LEAN, BOTOCORE])
def datapath(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(DATAPATH_ENV, request.param)
    return str(request.param)


@pytest.mark.parametrize("prefix", ["", "a/", "dir2", "z/y/"])
@pytest.mark.parametrize(("parallel", "depth"), [(16, 2), (2, 1), (3, 5)])
async def test_parallel_listing_equals_the_serial_one(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, datapath: str, prefix: str, parallel: int, depth: int
) -> None:
    for key in KEYS:
        s3_admin.put_object(Bucket=bucket, Key=key, Body=key.encode())
    async with open_storage(prefix) as storage:
        serial = {info.key: info async for info in storage.list_objects(ListingOptions(max_keys=2))}
        options = ListingOptions(max_keys=2, parallel_listings=parallel, parallel_depth=depth)
        fanned = [info async for info in storage.list_objects(options)]

    assert len(fanned) == len(serial)
    assert {info.key: info for info in fanned} == serial
    assert serial  # every prefix above holds objects


ORDERED_KEYS = [*KEYS, "a-b", "a-b/1", "a0", "a", "é/1", "😀", "a/b-c", "a/b0"]


async def test_a_custom_endpoint_is_not_taken_to_list_in_key_order(open_storage: OpenStorage, s3_admin: Any,
                                                                    bucket: str, datapath: str) -> None:
    """The test server lists in directory-tree order (`a/1` before `a-b`), so a custom endpoint claims no order:
    a key range is then cut by the caller from the whole listing, and the listings are compared by key map."""
    for key in ORDERED_KEYS:
        s3_admin.put_object(Bucket=bucket, Key=key, Body=b"x")
    key_range = KeyRange(None, "a-c")
    async with open_storage() as storage:
        listed = [info.key async for info in storage.list_objects(ListingOptions(max_keys=2, key_range=key_range))]
        assert not storage.features.lists_in_key_order

    assert sorted(key for key in listed if key_range.contains(key)) == ["a", "a-b", "a-b/1"]


async def test_versions_are_listed_per_key(open_storage: OpenStorage, s3_admin: Any, bucket: str) -> None:
    s3_admin.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key, bodies in (("k", [b"1", b"2", b"3"]), ("k2", [b"x"]), ("l", [b"y"])):
        for body in bodies:
            s3_admin.put_object(Bucket=bucket, Key=key, Body=body)
    s3_admin.delete_object(Bucket=bucket, Key="l")

    async with open_storage() as storage:
        assert await storage.versioning_enabled()
        groups = [entries async for entries in storage.list_object_versions(ListingOptions(max_keys=2))]
        only_k = [entries async for entries in storage.list_object_versions(ListingOptions(), key="k")]

    by_key = {entries[0].key: entries for entries in groups}
    assert sorted(by_key) == ["k", "k2", "l"]
    assert all(len({e.key for e in entries}) == 1 for entries in groups)
    assert len(by_key["k"]) == 3 and sum(e.is_latest for e in by_key["k"]) == 1
    assert [(e.delete_marker, e.is_latest) for e in sorted(by_key["l"], key=lambda e: e.delete_marker)] == [
        (False, False), (True, True)]
    assert len(only_k) == 1 and {e.key for e in only_k[0]} == {"k"} and len(only_k[0]) == 3


async def test_an_unversioned_bucket_says_so(open_storage: OpenStorage) -> None:
    async with open_storage() as storage:
        assert not await storage.versioning_enabled()


@pytest.mark.parametrize(("start", "end"), [("a/b", "c"), (None, "a/2"), ("dir", None), ("z/", "z/y/y/")])
async def test_a_key_range_prunes_prefixes_but_keeps_every_key_inside(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, start: str | None, end: str | None
) -> None:
    for key in KEYS:
        s3_admin.put_object(Bucket=bucket, Key=key, Body=b"")
    key_range = KeyRange(start, end)
    async with open_storage() as storage:
        options = ListingOptions(max_keys=2, parallel_listings=4, parallel_depth=2, key_range=key_range)
        fanned = [info.key async for info in storage.list_objects(options)]

    assert sorted(key for key in fanned if key_range.contains(key)) == sorted(k for k in KEYS if key_range.contains(k))
    assert len(fanned) == len(set(fanned))


# The MD5 of empty content: the ETag of a folder object a user put ("real/" below), unlike an emptied folder's "".
_EMPTY_MD5_ETAG = '"d41d8cd98f00b204e9800998ecf8427e"'


@pytest.mark.parametrize("prefix", ["", "gone/", "deep/", "deep/a/b/", "real/"])
@pytest.mark.parametrize(("parallel", "depth"), [(16, 2), (2, 1), (3, 5)])
@pytest.mark.parametrize("include_prefix_key", [False, True], ids=["target", "source"])
async def test_an_emptied_folder_is_not_listed_as_an_object(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, datapath: str, prefix: str, parallel: int, depth: int,
    include_prefix_key: bool,
) -> None:
    """SeaweedFS keeps a folder whose last object was deleted: a delimiter listing returns it as a common prefix,
    and the delimiter listing of that prefix returns the prefix itself as a key with the empty ETag. A serial
    listing never shows it; the parallel one must not either, while a folder object a user put stays listed."""
    for key in ("keep", "gone/x", "deep/a/b/x", "deep/a/other", "real/", "real/y"):
        s3_admin.put_object(Bucket=bucket, Key=key, Body=b"" if key.endswith("/") else key.encode())
    for key in ("gone/x", "deep/a/b/x"):
        s3_admin.delete_object(Bucket=bucket, Key=key)
    async with open_storage(prefix) as storage:
        serial = {info.key: info async for info in storage.list_objects(
            ListingOptions(max_keys=2, include_prefix_key=include_prefix_key))}
        options = ListingOptions(max_keys=2, parallel_listings=parallel, parallel_depth=depth,
                                 include_prefix_key=include_prefix_key)
        fanned = [info async for info in storage.list_objects(options)]

    assert {info.key: info for info in fanned} == serial
    assert len(fanned) == len(serial)
    assert all(info.e_tag != '""' for info in fanned)
    if prefix == "":
        assert sorted(serial) == ["deep/a/other", "keep", "real/", "real/y"]
        assert serial["real/"].e_tag == _EMPTY_MD5_ETAG
    if prefix == "real/":
        assert sorted(serial) == (["", "y"] if include_prefix_key else ["y"])


async def test_an_emptied_folder_is_not_listed_in_key_order_either(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, datapath: str
) -> None:
    """The ordered fan-out (the sorted merge of --delete) lists the same prefixes: the same rule applies."""
    for key in ("a", "gone/x", "gone2/", "z"):
        s3_admin.put_object(Bucket=bucket, Key=key, Body=b"")
    s3_admin.delete_object(Bucket=bucket, Key="gone/x")
    async with open_storage(options=S3StorageOptions(key_ordered_listing=True)) as storage:
        options = ListingOptions(max_keys=2, parallel_listings=4, parallel_depth=2, key_order=True)
        fanned = [info.key async for info in storage.list_objects(options)]

    assert fanned == ["a", "gone2/", "z"]
