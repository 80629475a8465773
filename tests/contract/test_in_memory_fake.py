"""The test hooks of InMemoryObjectStorage (seed, fail_on, calls) that pipeline tests rely on."""

from __future__ import annotations

import pytest

from s3syncpy.application.ports.storage import ListingOptions, PutRequest
from s3syncpy.domain.errors import AccessDeniedError, DirectoryTraversalError, TransientStorageError
from s3syncpy.domain.model import NANOS_PER_SECOND, ObjectInfo
from tests.fakes.clock import FakeClock
from tests.fakes.content import BytesContent
from tests.fakes.storage import InMemoryObjectStorage

MiB = 1024 * 1024


async def test_seeded_objects_are_listed_with_s3_etags() -> None:
    storage = InMemoryObjectStorage()
    storage.seed("single", b"hello", mtime_ns=5 * NANOS_PER_SECOND)
    storage.seed("multi", b"a" * (6 * MiB), part_sizes=[5 * MiB, MiB])

    listed = {info.key: info async for info in storage.list_objects(ListingOptions())}

    assert listed["single"] == ObjectInfo("single", 5, 5 * NANOS_PER_SECOND, '"5d41402abc4b2a76b9719d911017c592"')
    assert listed["multi"].e_tag is not None and listed["multi"].e_tag.endswith('-2"')
    assert storage.calls == [("list", "")]


async def test_fail_on_raises_the_given_error_the_given_number_of_times() -> None:
    storage = InMemoryObjectStorage()
    storage.seed("k", b"v")
    storage.fail_on("open", "k", TransientStorageError("reset"), times=2)
    storage.fail_on("head", "*", AccessDeniedError("no"))
    info = ObjectInfo("k", 1, 0)

    for _ in range(2):
        with pytest.raises(TransientStorageError):
            await storage.open_content(info)
    async with await storage.open_content(info) as content:
        assert await content.read_range(0, 1) == b"v"
    with pytest.raises(AccessDeniedError):
        await storage.head_object("other")
    assert await storage.head_object("other") is None


async def test_s3_mode_truncates_mtime_to_seconds_and_local_mode_keeps_the_requested_one() -> None:
    clock = iter([7 * NANOS_PER_SECOND + 123, 9 * NANOS_PER_SECOND + 456])
    s3_like = InMemoryObjectStorage(clock=lambda: next(clock))
    local_like = InMemoryObjectStorage(is_local=True)

    for storage in (s3_like, local_like):
        async with BytesContent(b"x") as content:
            await storage.put_object("k", content, PutRequest(size=1, mtime_ns=42))

    assert s3_like.objects["k"].mtime_ns == 7 * NANOS_PER_SECOND
    assert local_like.objects["k"].mtime_ns == 42
    with pytest.raises(DirectoryTraversalError):
        await local_like.head_object("../k")


async def test_fake_clock_advances_on_sleep_without_waiting() -> None:
    clock = FakeClock(start=10.0)

    await clock.sleep(2.5)
    clock.advance(0.5)

    assert clock.monotonic() == 13.0
    assert clock.sleeps == [2.5]
