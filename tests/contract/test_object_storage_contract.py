"""The ObjectStorage contract (application/ports/storage.py), checked on every implementation.

Runs on the in-memory fake (S3-like and local-like), LocalObjectStorage over a temp directory, and the S3 adapter
against the SeaweedFS fixture. A behaviour difference the port allows (local storages do not list directories or
report ETags outside --check-etag; `validate` is for local targets) is asserted per kind, never skipped silently.
"""

from __future__ import annotations

import asyncio
import hashlib
import random

import pytest

from s3syncpy.application.ports.storage import DigestSource, ListingOptions, ObjectStorage, PutRequest
from s3syncpy.domain import etag
from s3syncpy.domain.errors import ObjectNotFoundError, StorageError
from s3syncpy.domain.model import ObjectInfo
from tests.contract.conftest import Harness
from tests.fakes.content import BytesContent, FailingContent, StallingContent

MiB = 1024 * 1024
# Parts of a real multipart layout: S3 refuses parts under 5 MiB except the last.
MULTIPART_SIZES = [5 * MiB, 5 * MiB, 123_457]


def payload(size: int, seed: int = 0) -> bytes:
    """Deterministic, non-repeating bytes (a repeated pattern would hide offset mistakes)."""
    return random.Random(seed).randbytes(size)


async def listing(storage: ObjectStorage, options: ListingOptions | None = None) -> dict[str, ObjectInfo]:
    return {info.key: info async for info in storage.list_objects(options or ListingOptions())}


async def put(storage: ObjectStorage, key: str, data: bytes, part_sizes: list[int] | None = None,
              **kwargs: object) -> None:
    request = PutRequest(size=len(data), part_sizes=list(part_sizes or []), **kwargs)  # type: ignore[arg-type]
    async with BytesContent(data) as content:
        result = await storage.put_object(key, content, request)
    assert result.committed


async def read_back(storage: ObjectStorage, info: ObjectInfo) -> bytes:
    async with await storage.open_content(info) as content:
        chunks = [chunk async for chunk in content.stream(0, info.size)]
    return b"".join(chunks)


def expected_etag(data: bytes, part_sizes: list[int]) -> str:
    if not part_sizes:
        return etag.single_etag(hashlib.md5(data).digest())
    digests, offset = [], 0
    for size in part_sizes:
        digests.append(hashlib.md5(data[offset:offset + size]).digest())
        offset += size
    return etag.multipart_etag(digests)


ROUND_TRIPS = [
    pytest.param(0, [], id="empty"),
    pytest.param(10_000, [], id="small"),
    pytest.param(sum(MULTIPART_SIZES), MULTIPART_SIZES, id="multipart"),
]


@pytest.mark.parametrize(("size", "part_sizes"), ROUND_TRIPS)
async def test_put_then_list_head_and_read_round_trip(harness: Harness, size: int, part_sizes: list[int]) -> None:
    storage = harness.storage
    data = payload(size)
    counted: list[int] = []

    await put(storage, "dir/object.bin", data, part_sizes, on_bytes=counted.append)

    assert sum(counted) == size
    listed = await listing(storage)
    assert list(listed) == ["dir/object.bin"]
    info = listed["dir/object.bin"]
    assert info.size == size
    head = await storage.head_object("dir/object.bin")
    assert head is not None
    assert head.info.size == size
    if not storage.features.has_etags:
        assert info.e_tag is None
    else:
        assert info.e_tag == head.info.e_tag == expected_etag(data, part_sizes)
    assert await read_back(storage, info) == data
    assert harness.leftovers() == []


async def test_read_range_returns_exact_slices(harness: Harness) -> None:
    data = payload(300_000, seed=1)
    await put(harness.storage, "ranged", data)
    info = (await listing(harness.storage))["ranged"]

    async with await harness.storage.open_content(info) as content:
        assert content.details.info.size == len(data)
        assert await content.read_range(0, 10) == data[:10]
        assert await content.read_range(299_990, 10) == data[-10:]
        assert await content.read_range(1000, 280_000) == data[1000:281_000]
        assert b"".join([c async for c in content.stream(5, 200_000)]) == data[5:200_005]


async def test_local_listing_computes_etags_in_check_etag_mode(harness: Harness) -> None:
    data = payload(11 * MiB, seed=2)
    await put(harness.storage, "big", data, [6 * MiB, 5 * MiB] if harness.storage.features.has_etags else None)
    await put(harness.storage, "small", b"x" * 100)

    listed = await listing(harness.storage, ListingOptions(etag_threshold=8 * MiB, etag_chunksize=5 * MiB))

    assert listed["small"].e_tag == expected_etag(b"x" * 100, [])
    if not harness.storage.features.has_etags:
        assert listed["big"].e_tag == expected_etag(data, [5 * MiB, 5 * MiB, 1 * MiB])
    else:
        # S3 reports the ETag of how the object was uploaded, whatever the listing options say.
        assert listed["big"].e_tag == expected_etag(data, [6 * MiB, 5 * MiB])


KEYS = [
    "plain.txt",
    "nested/deeper/still/leaf.dat",
    "with space/and more spaces.txt",
    "plus+sign/a+b.txt",
    "ünïcödé/日本語ファイル.txt",
    "emoji-\U0001f600.bin",
    "percent%20literal&amp=1.txt",
]


async def test_keys_with_unicode_plus_spaces_and_nesting_round_trip(harness: Harness) -> None:
    for number, key in enumerate(KEYS):
        await put(harness.storage, key, payload(100 + number, seed=number))

    listed = await listing(harness.storage)

    assert sorted(listed) == sorted(KEYS)
    for number, key in enumerate(KEYS):
        assert listed[key].size == 100 + number
        assert await read_back(harness.storage, listed[key]) == payload(100 + number, seed=number)
        head = await harness.storage.head_object(key)
        assert head is not None and head.info.key == key


async def test_overwrite_is_atomic_readers_see_old_until_the_new_one_is_complete(harness: Harness) -> None:
    storage = harness.storage
    old = payload(50_000, seed=3)
    new = payload(70_000, seed=4)
    await put(storage, "obj", old)
    content = StallingContent(new, stall_at=40_000, chunk_size=16_384)

    writer = asyncio.create_task(storage.put_object("obj", content, PutRequest(size=len(new))))
    await asyncio.wait_for(content.stalled.wait(), 10)

    head = await storage.head_object("obj")
    assert head is not None and head.info.size == len(old)
    listed = await listing(storage)
    assert list(listed) == ["obj"]
    assert await read_back(storage, listed["obj"]) == old

    content.release.set()
    assert (await asyncio.wait_for(writer, 30)).committed
    listed = await listing(storage)
    assert listed["obj"].size == len(new)
    assert await read_back(storage, listed["obj"]) == new
    assert harness.leftovers() == []


async def test_validate_sees_the_written_bytes_and_refusal_keeps_the_old_object(harness: Harness) -> None:
    storage = harness.storage
    if not storage.features.validates_before_commit:
        pytest.skip("PutRequest.validate is honoured only by storages that validate before commit")
    old, new = payload(1000, seed=5), payload(12 * MiB, seed=6)
    await put(storage, "v", old)
    seen: list[list[bytes]] = []

    async def refuse(source: DigestSource) -> bool:
        digests = await source.digests([6 * MiB, 6 * MiB])
        seen.append(digests.part_md5s)
        return False

    async with BytesContent(new) as content:
        result = await storage.put_object("v", content, PutRequest(size=len(new), validate=refuse))

    assert not result.committed
    assert seen == [[hashlib.md5(new[:6 * MiB]).digest(), hashlib.md5(new[6 * MiB:]).digest()]]
    listed = await listing(storage)
    assert listed["v"].size == len(old)
    assert await read_back(storage, listed["v"]) == old
    assert harness.leftovers() == []


async def test_validate_accepting_commits_and_rejects_bad_part_sizes(harness: Harness) -> None:
    storage = harness.storage
    if not storage.features.validates_before_commit:
        pytest.skip("PutRequest.validate is honoured only by storages that validate before commit")
    data = payload(2000, seed=7)
    errors: list[Exception] = []

    async def accept(source: DigestSource) -> bool:
        try:
            await source.digests([1000])
        except ValueError as exc:
            errors.append(exc)
        whole = await source.digests([2000])
        return whole.part_md5s == [hashlib.md5(data).digest()] and whole.total_size == 2000

    await put(storage, "ok", data, validate=accept)

    assert len(errors) == 1
    assert await read_back(storage, (await listing(storage))["ok"]) == data


@pytest.mark.parametrize("multipart", [False, True], ids=["stream", "parts"])
async def test_failing_source_leaves_nothing_behind(harness: Harness, multipart: bool) -> None:
    storage = harness.storage
    data = payload(sum(MULTIPART_SIZES), seed=8)
    part_sizes = MULTIPART_SIZES if multipart else []
    await put(storage, "keep", b"survivor")

    async with FailingContent(data, fail_at=6 * MiB, chunk_size=MiB) as content:
        with pytest.raises(StorageError):
            await storage.put_object("new/obj", content, PutRequest(size=len(data), part_sizes=part_sizes))
    async with FailingContent(data, fail_at=6 * MiB, chunk_size=MiB) as content:
        with pytest.raises(StorageError):
            await storage.put_object("keep", content, PutRequest(size=len(data), part_sizes=part_sizes))

    assert await storage.head_object("new/obj") is None
    listed = await listing(storage)
    assert list(listed) == ["keep"]
    assert await read_back(storage, listed["keep"]) == b"survivor"
    assert harness.leftovers() == []


async def test_short_source_is_an_error_not_a_truncated_object(harness: Harness) -> None:
    async with BytesContent(b"only ten b") as content:
        with pytest.raises(StorageError):
            await harness.storage.put_object("short", content, PutRequest(size=20))
    assert await harness.storage.head_object("short") is None
    assert harness.leftovers() == []


async def test_delete_removes_and_deleting_a_missing_object_is_fine(harness: Harness) -> None:
    await put(harness.storage, "a/b", b"1")
    await put(harness.storage, "a/c", b"2")

    await harness.storage.delete_object("a/b")
    await harness.storage.delete_object("a/b")
    await harness.storage.delete_object("never/existed")

    assert list(await listing(harness.storage)) == ["a/c"]


async def test_missing_objects_head_none_and_open_raises_not_found(harness: Harness) -> None:
    assert await harness.storage.head_object("missing") is None
    assert await harness.storage.head_object("missing/deeper") is None
    with pytest.raises(ObjectNotFoundError):
        await harness.storage.open_content(ObjectInfo(key="missing", size=1, mtime_ns=0))


async def test_directory_markers(harness: Harness) -> None:
    storage = harness.storage
    await put(storage, "folder/", b"")

    listed = await listing(storage)
    head = await storage.head_object("folder/")

    assert head is not None and head.info.size == 0
    if storage.features.stores_directories:
        assert listed == {}
    else:
        assert list(listed) == ["folder/"]
        assert listed["folder/"].size == 0


async def test_empty_storage_lists_nothing(harness: Harness) -> None:
    assert await listing(harness.storage) == {}


def test_describe_names_the_key(harness: Harness) -> None:
    assert "some/key.txt" in harness.storage.describe("some/key.txt").replace("\\", "/")
