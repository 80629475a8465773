"""run_worker_pool: one feed, N workers, a bounded queue, one TaskGroup (on plain values, no storage)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from s3syncpy.application.pipeline.worker_pool import run_worker_pool


async def _items(values: list[int | None], closed: list[str] | None = None) -> AsyncGenerator[int | None, None]:
    try:
        for value in values:
            await asyncio.sleep(0)
            yield value
    finally:
        if closed is not None:
            closed.append("closed")


async def test_every_item_is_worked_on_once_and_never_more_than_workers_at_a_time() -> None:
    done: list[int | None] = []
    busy = peak = 0

    async def work(item: int | None) -> None:
        nonlocal busy, peak
        busy += 1
        peak = max(peak, busy)
        await asyncio.sleep(0.001)
        busy -= 1
        done.append(item)

    await run_worker_pool(_items(list(range(40))), work, workers=3, queue_size=2)

    assert sorted(done) == list(range(40))  # type: ignore[type-var]
    assert peak == 3


async def test_none_is_an_item_like_any_other() -> None:
    done: list[int | None] = []

    async def work(item: int | None) -> None:
        done.append(item)

    await run_worker_pool(_items([None, 1, None]), work, workers=2, queue_size=1)

    assert done.count(None) == 2 and done.count(1) == 1


async def test_the_feed_runs_no_further_ahead_than_the_busy_workers_and_the_queue() -> None:
    produced = 0
    release = asyncio.Event()

    async def feed() -> AsyncGenerator[int, None]:
        nonlocal produced
        for value in range(100):
            produced += 1
            yield value

    async def work(item: int) -> None:
        await release.wait()

    pool = asyncio.create_task(run_worker_pool(feed(), work, workers=2, queue_size=3))
    for _ in range(20):
        await asyncio.sleep(0)

    # Two items with the workers, three queued, and the next one waiting for room.
    assert produced == 2 + 3 + 1
    release.set()
    await pool
    assert produced == 100


async def test_what_the_feed_does_after_its_last_item_happens_before_the_workers_are_told_the_end() -> None:
    # The sorted merge drains the target listing there while workers still hold objects: the workers must not
    # wait for the pool's end first.
    listing_complete = asyncio.Event()

    async def feed() -> AsyncGenerator[int, None]:
        for value in range(4):
            yield value
        listing_complete.set()

    async def work(item: int) -> None:
        await listing_complete.wait()

    await asyncio.wait_for(run_worker_pool(feed(), work, workers=4, queue_size=1), timeout=5)


async def test_a_failing_worker_cancels_the_others_and_closes_the_feed() -> None:
    closed: list[str] = []
    cancelled: list[int | None] = []

    async def work(item: int | None) -> None:
        if item == 3:
            raise RuntimeError("worker bug")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(item)
            raise

    with pytest.raises(ExceptionGroup) as caught:
        await asyncio.wait_for(
            run_worker_pool(_items(list(range(100)), closed), work, workers=4, queue_size=2), timeout=5
        )

    assert [str(exc) for exc in caught.value.exceptions] == ["worker bug"]
    assert sorted(cancelled) == [0, 1, 2]  # type: ignore[type-var]
    assert closed == ["closed"]


async def test_a_failing_feed_cancels_the_workers() -> None:
    cancelled: list[int] = []

    async def feed() -> AsyncGenerator[int, None]:
        yield 1
        yield 2
        raise OSError("listing failed")

    async def work(item: int) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(item)
            raise

    with pytest.raises(ExceptionGroup) as caught:
        await asyncio.wait_for(run_worker_pool(feed(), work, workers=2, queue_size=1), timeout=5)

    assert [type(exc) for exc in caught.value.exceptions] == [OSError]
    assert sorted(cancelled) == [1, 2]


async def test_cancelling_the_pool_closes_the_feed() -> None:
    closed: list[str] = []
    started = asyncio.Event()

    async def work(item: int | None) -> None:
        started.set()
        await asyncio.Event().wait()

    pool = asyncio.create_task(run_worker_pool(_items(list(range(100)), closed), work, workers=2, queue_size=1))
    await started.wait()
    for _ in range(5):
        await asyncio.sleep(0)
    pool.cancel()

    with pytest.raises(asyncio.CancelledError):
        await pool
    assert closed == ["closed"]
