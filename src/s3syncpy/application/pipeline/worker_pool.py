"""One producer and N workers over a bounded queue: the shape of every per-object phase (the sync's, the
versioned sync's, report mode's), as the reference's listing stage feeds its --worker-size syncers through one
channel.

The producer walks `feed` (the phase's listing, filtered and planned) and queues what it yields; `workers`
tasks each take one item at a time until the end. The queue holds at most `queue_size` items
(--object-listing-queue-size), so a fast listing never runs further ahead of the workers than that.
Everything runs under one TaskGroup: a failing listing or worker cancels the others, and cancelling the phase
(the run stopping) cancels them all. What `feed` does after its last item (marking the listing complete,
draining a merge) happens before the workers are told the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Literal, TypeVar

_T = TypeVar("_T")


class _End(enum.Enum):
    """The queue's end-of-work sentinel, of its own type: an item may be anything, None included."""

    END = enum.auto()


async def run_worker_pool(
    feed: AsyncGenerator[_T, None],
    work: Callable[[_T], Awaitable[None]],
    *,
    workers: int,
    queue_size: int,
) -> None:
    """Run `work` on every item of `feed`, `workers` items at a time, until `feed` ends and all are done.

    Args:
        feed: the items; closed when the pool stops early (a failure, a cancellation).
        work: one item's work; a worker takes the next item when it returns.
        workers: how many items are worked on at once (at least 1).
        queue_size: how many items may wait between `feed` and the workers (at least 1).

    Raises:
        ExceptionGroup: what `feed` or `work` raised (the TaskGroup's group of the failures).
    """
    queue: asyncio.Queue[_T | Literal[_End.END]] = asyncio.Queue(maxsize=queue_size)

    async def produce() -> None:
        async with contextlib.aclosing(feed):
            async for item in feed:
                await queue.put(item)
        for _ in range(workers):
            await queue.put(_End.END)

    async def consume() -> None:
        while True:
            item = await queue.get()
            if item is _End.END:
                return
            await work(item)

    async with asyncio.TaskGroup() as group:
        group.create_task(produce())
        for _ in range(workers):
            group.create_task(consume())
