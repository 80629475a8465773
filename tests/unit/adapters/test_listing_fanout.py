"""The parallel listing fan-out gives the same objects as a serial listing, with at most N listings at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s3syncpy.adapters.listing_fanout import Level, fan_out, ordered_fan_out
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.model import ObjectInfo

_segment = st.text(alphabet="ab/", min_size=1, max_size=3)
_keys = st.lists(st.lists(_segment, min_size=1, max_size=4).map("".join), max_size=40, unique=True)


class DelimitedKeys:
    """ListObjectsV2 semantics over a key set: with delimiter "/", keys past the next "/" roll up into
    CommonPrefixes; pages of `page` entries. Records how many listings run at once."""

    def __init__(self, keys: list[str], page: int = 3) -> None:
        self.keys = sorted(keys)
        self.page = page
        self.running = 0
        self.most_running = 0

    async def list_prefix(self, prefix: str, one_level: bool) -> AsyncIterator[Level[str]]:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            objects: list[ObjectInfo] = []
            prefixes: list[str] = []
            for key in self.keys:
                if not key.startswith(prefix):
                    continue
                rest = key[len(prefix):]
                if one_level and "/" in rest:
                    common = prefix + rest[: rest.index("/") + 1]
                    if common not in prefixes:
                        prefixes.append(common)
                else:
                    objects.append(ObjectInfo(key=key, size=0, mtime_ns=0))
            for start in range(0, max(len(objects), len(prefixes), 1), self.page):
                await asyncio.sleep(0)
                yield Level(objects[start:start + self.page], prefixes[start:start + self.page])
        finally:
            self.running -= 1


async def _collect(source: DelimitedKeys, root: str, parallel: int, depth: int) -> list[str]:
    return [obj.key async for obj in fan_out(root, source.list_prefix, parallel=parallel, max_depth=depth)]


@settings(max_examples=200, deadline=None)
@given(keys=_keys, parallel=st.integers(1, 5), depth=st.integers(1, 4), root=st.sampled_from(["", "a", "a/"]))
def test_same_objects_as_a_serial_listing(keys: list[str], parallel: int, depth: int, root: str) -> None:
    source = DelimitedKeys(keys)
    listed = asyncio.run(_collect(source, root, parallel, depth))
    serial = [key for key in sorted(keys) if key.startswith(root)]
    assert sorted(listed) == serial  # every object once, none twice
    assert source.most_running <= parallel


def test_a_failing_listing_ends_the_fan_out_with_its_error() -> None:
    async def failing(prefix: str, one_level: bool) -> AsyncIterator[Level[str]]:
        if prefix == "b/":
            raise StorageError("ListObjectsV2 failed", operation="ListObjectsV2")
        yield Level([ObjectInfo(key=prefix + "x", size=0, mtime_ns=0)], ["a/", "b/"] if prefix == "" else [])

    async def run() -> list[str]:
        return [obj.key async for obj in fan_out("", failing, parallel=4, max_depth=2)]

    with pytest.raises(StorageError, match="ListObjectsV2 failed"):
        asyncio.run(run())


def test_a_consumer_that_stops_early_cancels_the_listings() -> None:
    cancelled = asyncio.Event()

    async def endless(prefix: str, one_level: bool) -> AsyncIterator[Level[str]]:
        try:
            n = 0
            while True:
                n += 1
                yield Level([ObjectInfo(key=f"{prefix}{n}", size=0, mtime_ns=0)])
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def run() -> None:
        listing = fan_out("", endless, parallel=2, max_depth=1)
        async for _ in listing:
            break
        await listing.aclose()
        await asyncio.wait_for(cancelled.wait(), 5)

    asyncio.run(run())


class OrderedDelimitedKeys(DelimitedKeys):
    """ListObjectsV2 pages as S3 cuts them: objects and CommonPrefixes in one key order, `page` entries a page.
    Records how many page requests are in flight at once (a listing paused between pages sends none)."""

    async def list_prefix(self, prefix: str, one_level: bool) -> AsyncIterator[Level[str]]:
        entries: list[tuple[str, bool]] = []  # (key or common prefix, is a prefix)
        for key in self.keys:
            if not key.startswith(prefix):
                continue
            rest = key[len(prefix):]
            if one_level and "/" in rest:
                common = prefix + rest[: rest.index("/") + 1]
                if not entries or entries[-1] != (common, True):
                    entries.append((common, True))
            else:
                entries.append((key, False))
        for start in range(0, max(len(entries), 1), self.page):
            self.running += 1
            self.most_running = max(self.most_running, self.running)
            try:
                await asyncio.sleep(0)
            finally:
                self.running -= 1
            page = entries[start:start + self.page]
            yield Level([ObjectInfo(key=k, size=0, mtime_ns=0) for k, is_prefix in page if not is_prefix],
                        [k for k, is_prefix in page if is_prefix])


_ordered_keys = st.lists(
    st.lists(st.text(alphabet="a-/0é😀", min_size=1, max_size=3), min_size=1, max_size=4).map("".join),
    max_size=40,
    unique=True,
)


@settings(max_examples=300, deadline=None)
@given(keys=_ordered_keys, parallel=st.integers(2, 5), depth=st.integers(1, 4), page=st.integers(1, 4),
       root=st.sampled_from(["", "a", "a/"]))
def test_the_ordered_fan_out_yields_a_serial_listing_in_key_order(
    keys: list[str], parallel: int, depth: int, page: int, root: str
) -> None:
    source = OrderedDelimitedKeys(keys, page=page)

    async def collect() -> list[str]:
        listing = ordered_fan_out(root, source.list_prefix, lambda prefix: prefix, parallel=parallel, max_depth=depth)
        return [obj.key async for obj in listing]

    listed = asyncio.run(collect())

    assert listed == sorted(key for key in keys if key.startswith(root))
    assert source.most_running <= parallel


def test_the_ordered_fan_out_ends_with_the_first_error_and_cancels_the_listings_ahead() -> None:
    started: list[str] = []

    async def failing(prefix: str, one_level: bool) -> AsyncIterator[Level[str]]:
        started.append(prefix)
        if prefix == "b/":
            raise StorageError("ListObjectsV2 failed", operation="ListObjectsV2")
        if prefix == "":
            yield Level([ObjectInfo(key="0", size=0, mtime_ns=0)], ["a/", "b/", "c/"])
            return
        await asyncio.sleep(0)
        yield Level([ObjectInfo(key=prefix + "x", size=0, mtime_ns=0)])

    async def run() -> list[str]:
        listed: list[str] = []
        with pytest.raises(StorageError, match="ListObjectsV2 failed"):
            async for obj in ordered_fan_out("", failing, lambda p: p, parallel=4, max_depth=1):
                listed.append(obj.key)
        return listed

    assert asyncio.run(run()) == ["0", "a/x"]


def test_a_consumer_that_stops_the_ordered_fan_out_early_cancels_the_listings_ahead() -> None:
    cancelled: list[str] = []

    async def tree(prefix: str, one_level: bool) -> AsyncIterator[Level[str]]:
        if one_level:
            yield Level([], ["a/", "b/", "c/"])
            return
        try:
            n = 0
            while True:
                n += 1
                yield Level([ObjectInfo(key=f"{prefix}{n:09d}", size=0, mtime_ns=0)])
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            cancelled.append(prefix)
            raise

    async def run() -> None:
        listing = ordered_fan_out("", tree, lambda p: p, parallel=4, max_depth=1)
        async for _ in listing:
            break
        await listing.aclose()

    asyncio.run(run())

    assert sorted(cancelled) == ["a/", "b/", "c/"]
