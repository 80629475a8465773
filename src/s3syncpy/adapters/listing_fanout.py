"""Parallel listing: a tree of prefixes (S3) or directories (local) listed level by level, several at a time.

Public API:
    Level(objects, children)                 what listing one node at one level found
    ListNode = Callable[[node, one_level], AsyncIterator[Level]]
    fan_out(root, list_node, *, parallel, max_depth) -> AsyncIterator[ObjectInfo]

The reference lists sub-prefixes (S3, ListObjectsV2 with delimiter "/") and sub-directories (local, one level of
the walk) concurrently down to --max-parallel-listing-max-depth, bounded by --max-parallel-listings: the root
(depth 0) and every node above the maximum depth are listed one level only, each child becoming a task of its
own; a node at the maximum depth is listed whole, by one task. The union is the same set of objects as one
serial listing; only the order differs (the port's contract allows any order).

Why one producer task and a queue: the consumer (the sync pipeline) may stop early or fail; a generator that
owns the TaskGroup and yields from inside it cannot cancel the listings cleanly, a separate task can. A later key
range bound (start/end key) fits in `list_node`: a child prefix whose range lies outside the bound is not
returned as a child, so whole subtrees are never listed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from s3syncpy.domain.model import ObjectInfo

N = TypeVar("N")
# Batches of objects waiting for the consumer: enough to keep 16 listings busy, bounded to bound memory.
_QUEUE_BATCHES = 64


@dataclass(slots=True)
class Level(Generic[N]):
    """One page (or batch) of a node's listing: objects found, and child nodes to list next."""

    objects: list[ObjectInfo] = field(default_factory=list)
    children: list[N] = field(default_factory=list)


ListNode = Callable[[N, bool], AsyncIterator[Level[N]]]


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


_DONE = object()


def _first_error(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


async def fan_out(
    root: N, list_node: ListNode[N], *, parallel: int, max_depth: int
) -> AsyncIterator[ObjectInfo]:
    """Every object of the tree under `root`, listed with up to `parallel` nodes in flight.

    Args:
        root: the node to start from (depth 0).
        list_node: lists one node: with `one_level` True its direct objects and child nodes, else its whole
            subtree as objects (no children).
        parallel: the most nodes listed at once (>= 1).
        max_depth: nodes above this depth are listed one level at a time (>= 1).

    Raises:
        Whatever `list_node` raised first (the other listings are cancelled).
    """
    queue: asyncio.Queue[list[ObjectInfo] | _Failed | object] = asyncio.Queue(maxsize=_QUEUE_BATCHES)
    slots = asyncio.Semaphore(parallel)

    async def visit(group: asyncio.TaskGroup, node: N, depth: int) -> None:
        async with slots:
            async for level in list_node(node, depth < max_depth):
                if level.objects:
                    await queue.put(level.objects)
                for child in level.children:
                    group.create_task(visit(group, child, depth + 1))

    async def produce() -> None:
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(visit(group, root, 0))
        except Exception as exc:  # noqa: BLE001  (any listing failure, whatever its type, goes to the consumer)
            await queue.put(_Failed(_first_error(exc)))
            return
        await queue.put(_DONE)

    producer = asyncio.create_task(produce())
    try:
        while (item := await queue.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            assert isinstance(item, list)
            for obj in item:
                yield obj
    finally:
        producer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await producer
