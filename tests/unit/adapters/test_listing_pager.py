"""S3ObjectStorage.list_objects over crafted pages: a listing that cannot continue is an error, never an end."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import botocore.parsers  # type: ignore[import-untyped]
import pytest

from s3syncpy.adapters.s3.datapath import BotocoreDataPath, GetResponse, ListPage, S3DataPath, WriteResponse
from s3syncpy.adapters.s3.errors import map_botocore_errors
from s3syncpy.adapters.s3.storage import S3ObjectStorage
from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import S3Location

LOCATION = S3Location("bkt", "data/")


def _info(key: str) -> ObjectInfo:
    return ObjectInfo(key=key, size=1, mtime_ns=0, e_tag='"0cc175b9c0f1b6a831c399e269772661"')


def _client() -> Any:
    """A stand-in for the aiobotocore client: the storage only registers its event hooks on it here."""
    return SimpleNamespace(meta=SimpleNamespace(events=SimpleNamespace(register=lambda *_, **__: None)))


class _Pages(S3DataPath):
    """Serves the given pages in order and records the continuation tokens it was asked for."""

    def __init__(self, pages: list[ListPage]) -> None:
        super().__init__(LOCATION)
        self.pages = list(pages)
        self.tokens: list[str | None] = []
        self.start_afters: list[str | None] = []

    async def list_page(
        self,
        continuation_token: str | None,
        max_keys: int,
        start_after: str | None = None,
        *,
        prefix: str | None = None,
        delimiter: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> ListPage:
        self.tokens.append(continuation_token)
        self.start_afters.append(start_after)
        return self.pages.pop(0)

    async def get_object(
        self, key: str, *, version_id: str | None, byte_range: tuple[int, int] | None, params: Mapping[str, Any]
    ) -> GetResponse:
        raise NotImplementedError

    async def put_object(self, key: str, body: bytes, params: Mapping[str, Any]) -> WriteResponse:
        raise NotImplementedError

    async def upload_part(
        self, key: str, upload_id: str, part_number: int, body: bytes, params: Mapping[str, Any]
    ) -> WriteResponse:
        raise NotImplementedError


async def _list(pages: list[ListPage]) -> tuple[list[str], _Pages]:
    datapath = _Pages(pages)
    storage = S3ObjectStorage(_client(), LOCATION, part_semaphore=asyncio.Semaphore(1), datapath=datapath)
    keys = [info.key async for info in storage.list_objects(ListingOptions())]
    return keys, datapath


async def test_pages_are_followed_to_the_untruncated_last_one() -> None:
    keys, datapath = await _list([
        ListPage([_info("a")], next_token="t1", truncated=True),
        ListPage([_info("b")], next_token=None, truncated=False),
    ])
    assert keys == ["a", "b"]
    assert datapath.tokens == [None, "t1"]


async def test_a_truncated_page_without_a_continuation_token_is_an_error() -> None:
    with pytest.raises(StorageError, match="truncated but has no continuation token") as info:
        await _list([
            ListPage([_info("a")], next_token="t1", truncated=True),
            ListPage([_info("b")], next_token=None, truncated=True),
        ])
    assert info.value.operation == "ListObjectsV2"
    assert "s3://bkt/data/" in str(info.value)


async def test_a_repeated_continuation_token_is_an_error_not_an_endless_listing() -> None:
    with pytest.raises(StorageError, match="repeated its continuation token"):
        await _list([
            ListPage([_info("a")], next_token="t1", truncated=True),
            ListPage([_info("b")], next_token="t1", truncated=True),
        ])


class _Client:
    def __init__(self, response: dict[str, Any]) -> None:
        self.response = response

    async def list_objects_v2(self, **kwargs: Any) -> dict[str, Any]:
        return self.response


@pytest.mark.parametrize(("truncated", "expected"), [(True, True), (False, False)])
async def test_botocore_path_reports_truncation_even_without_a_token(truncated: bool, expected: bool) -> None:
    modified = datetime(2026, 1, 1, tzinfo=UTC)
    contents = [{"Key": "data/a", "Size": 1, "ETag": '"x"', "LastModified": modified}]
    datapath = BotocoreDataPath(_Client({"IsTruncated": truncated, "Contents": contents}), LOCATION)
    page = await datapath.list_page(None, 1000)
    assert page.truncated is expected
    assert page.next_token is None


def test_a_body_botocore_cannot_parse_becomes_a_storage_error() -> None:
    expected = r"^ListObjectsV2 s3://bkt/data/ failed: ResponseParserError"
    with pytest.raises(StorageError, match=expected), map_botocore_errors("ListObjectsV2", "s3://bkt/data/"):
        raise botocore.parsers.ResponseParserError("Unable to parse response, invalid XML received")


async def test_a_key_range_starts_near_its_first_key_and_stops_at_its_end() -> None:
    datapath = _Pages(
        [
            ListPage(objects=[_info("b"), _info("c")], next_token="t1", truncated=True),
            ListPage(objects=[_info("d"), _info("e")], next_token="t2", truncated=True),
            ListPage(objects=[_info("f")], next_token=None),
        ]
    )
    storage = S3ObjectStorage(_client(), LOCATION, part_semaphore=asyncio.Semaphore(1), datapath=datapath)

    keys = [info.key async for info in storage.list_objects(ListingOptions(key_range=KeyRange("b", "e")))]

    assert keys == ["b", "c", "d"]
    # StartAfter goes with the first request only (a continuation token carries the position afterwards), and
    # the page after the range's end is never requested.
    assert datapath.start_afters == [KeyRange("b", "e").listing_start_after(), None]
    assert datapath.tokens == [None, "t1"]


async def test_a_directory_bucket_is_listed_whole_for_a_key_range() -> None:
    datapath = _Pages([ListPage(objects=[_info("z"), _info("a")], next_token=None)])
    location = S3Location("bkt--use1-az4--x-s3", "")
    storage = S3ObjectStorage(_client(), location, part_semaphore=asyncio.Semaphore(1), datapath=datapath)

    keys = [info.key async for info in storage.list_objects(ListingOptions(key_range=KeyRange("b", "e")))]

    # Its keys come in no particular order: neither StartAfter nor an early stop would be sound.
    assert keys == ["z", "a"]
    assert datapath.start_afters == [None]


async def test_a_key_range_listing_out_of_byte_order_is_an_error_not_an_early_end() -> None:
    # A server taken to list in byte order that lists in directory-tree order instead (`a/1` before `a-b`): the
    # first key is past the range's end, but `a-b`, in the range, comes after it.
    datapath = _Pages([ListPage(objects=[_info("a/1"), _info("a-b")], next_token="t1", truncated=True),
                       ListPage(objects=[_info("a-c")], next_token=None)])
    storage = S3ObjectStorage(_client(), LOCATION, part_semaphore=asyncio.Semaphore(1), datapath=datapath)

    with pytest.raises(StorageError, match="not listed in UTF-8 byte order"):
        _ = [info.key async for info in storage.list_objects(ListingOptions(key_range=KeyRange(None, "a-c")))]


async def test_a_key_range_listing_ends_after_the_page_seen_in_order_past_its_end() -> None:
    datapath = _Pages([ListPage(objects=[_info("b"), _info("e"), _info("f")], next_token="t1", truncated=True),
                       ListPage(objects=[_info("g")], next_token=None)])
    storage = S3ObjectStorage(_client(), LOCATION, part_semaphore=asyncio.Semaphore(1), datapath=datapath)

    keys = [info.key async for info in storage.list_objects(ListingOptions(key_range=KeyRange("b", "e")))]

    assert keys == ["b"]
    assert datapath.tokens == [None]  # the rest of the page was checked, no further page requested
