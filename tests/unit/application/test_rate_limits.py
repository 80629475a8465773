"""Rate limits in the pipeline, on virtual time: object tokens per write, delete and listing page; bandwidth tokens
per byte read from the source."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.run.rate_limits import RateLimits
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.request_settings import RateLimitSettings
from s3syncpy.application.settings.sections import Deletion
from s3syncpy.application.transfer.latest_tagging import LatestTagging
from s3syncpy.domain.etag import MiB
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.content import BytesContent
from tests.fakes.storage import InMemoryObjectStorage


async def _run(settings: RateLimitSettings, source: InMemoryObjectStorage, target: InMemoryObjectStorage,
               **changes: object) -> FakeClock:
    clock = FakeClock(0.0)
    config = SyncConfig(source=S3Location("src", ""), target=S3Location("dst", ""))
    config = dataclasses.replace(config, rate_limits=settings, **changes)  # type: ignore[arg-type]
    await run_sync(config, source, target, clock, asyncio.Event())
    return clock


async def test_objects_per_second() -> None:
    source, target = InMemoryObjectStorage(), InMemoryObjectStorage()
    for i in range(40):
        source.seed(f"k{i:02}", b"x")

    clock = await _run(RateLimitSettings(objects_per_sec=10), source, target)

    assert len(target.objects) == 40
    # 40 puts at 10/s, the first second free (listing pages of the fakes take no token): 3 s of waiting.
    assert sum(clock.sleeps) == pytest.approx(3.0)


async def test_deletes_take_object_tokens_too() -> None:
    source, target = InMemoryObjectStorage(), InMemoryObjectStorage()
    for i in range(30):
        target.seed(f"gone{i:02}", b"x")

    clock = await _run(RateLimitSettings(objects_per_sec=10), source, target, deletion=Deletion(delete=True))

    assert target.objects == {}
    assert sum(clock.sleeps) == pytest.approx(2.0)


async def test_bandwidth_counts_bytes_read_from_the_source() -> None:
    source, target = InMemoryObjectStorage(), InMemoryObjectStorage()
    for i in range(4):
        source.seed(f"k{i}", b"x" * MiB)

    clock = await _run(RateLimitSettings(bandwidth_bytes_per_sec=MiB), source, target)

    assert all(len(target.data(f"k{i}")) == MiB for i in range(4))
    assert sum(clock.sleeps) == pytest.approx(3.0)


async def test_unlimited_never_waits() -> None:
    source, target = InMemoryObjectStorage(), InMemoryObjectStorage()
    for i in range(100):
        source.seed(f"k{i:03}", b"x" * 1000)

    clock = await _run(RateLimitSettings(), source, target)

    assert clock.sleeps == []


async def test_listing_pages_take_a_token_each() -> None:
    limits = RateLimits(RateLimitSettings(objects_per_sec=10), clock := FakeClock(0.0))
    assert limits.before_page is not None
    for _ in range(15):
        await limits.before_page()
    # Ten pages are free, then one page per tenth of a second.
    assert clock.sleeps == pytest.approx([0.1] * 5)
    assert RateLimits().before_page is None


async def test_throttled_stream_waits_per_chunk() -> None:
    clock = FakeClock(0.0)
    limits = RateLimits(RateLimitSettings(bandwidth_bytes_per_sec=MiB), clock)
    content = limits.throttled(BytesContent(b"y" * (3 * MiB)))

    received = b"".join([chunk async for chunk in content.stream(0, 3 * MiB)])

    assert len(received) == 3 * MiB
    assert sum(clock.sleeps) == pytest.approx(2.0)


def test_limits_need_a_clock() -> None:
    with pytest.raises(ValueError):
        RateLimits(RateLimitSettings(objects_per_sec=10))


async def test_tag_writes_of_sync_latest_tagging_take_object_tokens() -> None:
    source, target = InMemoryObjectStorage(), InMemoryObjectStorage()
    for i in range(15):
        source.seed(f"k{i:02}", b"x", tags={"v": "new"})
        target.seed(f"k{i:02}", b"x", tags={"v": "old"})
    clock = FakeClock(0.0)
    tagging = LatestTagging(source, target, dry_run=False,
                            limits=RateLimits(RateLimitSettings(objects_per_sec=10), clock))

    for i in range(15):
        assert await tagging.update(_info(f"k{i:02}"))

    assert all(target.objects[f"k{i:02}"].tags == {"v": "new"} for i in range(15))
    assert clock.sleeps == pytest.approx([0.1] * 5)


def _info(key: str) -> ObjectInfo:
    return ObjectInfo(key=key, size=1, mtime_ns=0)
