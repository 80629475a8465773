"""Parallel listing: a tree of prefixes (S3) or directories (local) listed level by level, several at a time.

Public API:
    Level(objects, children)                 what listing one node at one level found
    ListNode = Callable[[node, one_level], AsyncIterator[Level]]
    fan_out(root, list_node, *, parallel, max_depth) -> AsyncIterator[ObjectInfo]
    ordered_fan_out(root, list_node, child_key, *, parallel, max_depth) -> AsyncIterator[ObjectInfo]

The reference lists sub-prefixes (S3, ListObjectsV2 with delimiter "/") and sub-directories (local, one level of
the walk) concurrently down to --max-parallel-listing-max-depth, bounded by --max-parallel-listings: the root
(depth 0) and every node above the maximum depth are listed one level only, each child becoming a task of its
own; a node at the maximum depth is listed whole, by one task. The union is the same set of objects as one
serial listing; only the order differs (the port's contract allows any order).

Why one producer task and a queue: the consumer (the sync pipeline) may stop early or fail; a generator that
owns the TaskGroup and yields from inside it cannot cancel the listings cleanly, a separate task can. A later key
range bound (start/end key) fits in `list_node`: a child prefix whose range lies outside the bound is not
returned as a child, so whole subtrees are never listed.

`ordered_fan_out` yields the same objects in key order (the sorted merge of --delete and the update check needs
both listings in order): a node's direct objects and its children's subtrees are yielded in key order, while the
next subtrees (up to the parallel bound) are already being listed, each into a small queue of its own. Memory is
bounded by the window (parallel x a few pages), not by the number of keys.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from s3syncpy.domain.model import ObjectInfo

N = TypeVar("N")
# Batches of objects waiting for the consumer: enough to keep 16 listings busy, bounded to bound memory.
_QUEUE_BATCHES = 64
# Pages one subtree listing of the ordered fan-out may list ahead of the consumer.
_AHEAD_BATCHES = 4


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
) -> AsyncGenerator[ObjectInfo, None]:
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


async def _close(pages: AsyncIterator[Level[N]]) -> None:
    """Close a node's listing now if it is a generator (a listing stopped early holds requests or threads)."""
    aclose = getattr(pages, "aclose", None)
    if aclose is not None:
        await aclose()


@dataclass(frozen=True, slots=True)
class _Subtree(Generic[N]):
    """A node at the maximum depth: listed whole, by a task of its own."""

    node: N


class _Ahead:
    """One subtree listed ahead of the consumer into a bounded queue of pages."""

    def __init__(self, pages: AsyncIterator[Level[N]]) -> None:
        self._queue: asyncio.Queue[list[ObjectInfo] | _Failed | object] = asyncio.Queue(maxsize=_AHEAD_BATCHES)
        self._task = asyncio.create_task(self._run(pages))

    async def _run(self, pages: AsyncIterator[Level[N]]) -> None:
        try:
            async for level in pages:
                if level.objects:
                    await self._queue.put(level.objects)
        except Exception as exc:  # noqa: BLE001  (any listing failure, whatever its type, goes to the consumer)
            await self._queue.put(_Failed(exc))
            return
        finally:
            # Cancelled while waiting on the queue, the listing is suspended between pages: close it now (its
            # walker threads, its open directories), not whenever it is collected.
            await _close(pages)
        await self._queue.put(_DONE)

    async def next_batch(self) -> list[ObjectInfo] | None:
        """The next page of the subtree, None at its end.

        Raises:
            Whatever the subtree's listing raised.
        """
        item = await self._queue.get()
        if item is _DONE:
            return None
        if isinstance(item, _Failed):
            raise item.error
        assert isinstance(item, list)
        return item

    async def cancel(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def _segments(
    node: N, depth: int, list_node: ListNode[N], child_key: Callable[[N], str], max_depth: int
) -> AsyncGenerator[list[ObjectInfo] | _Subtree[N], None]:
    """The tree under `node` (listed one level) as runs of objects and whole subtrees, in key order.

    A one-level page holds its objects and its children each in key order, and every entry of a page sorts
    before the next page's (ListObjectsV2 with a delimiter, and a sorted directory read). A child's subtree holds
    exactly the keys starting with its prefix, so it goes between the objects that sort before the prefix and
    the rest.
    """
    pages = list_node(node, True)
    try:
        async for level in pages:
            objects = level.objects
            done = 0
            for child in level.children:
                prefix = child_key(child)
                upto = done
                while upto < len(objects) and objects[upto].key < prefix:
                    upto += 1
                if upto > done:
                    yield objects[done:upto]
                    done = upto
                if depth + 1 < max_depth:
                    async with contextlib.aclosing(
                        _segments(child, depth + 1, list_node, child_key, max_depth)
                    ) as below:
                        async for segment in below:
                            yield segment
                else:
                    yield _Subtree(child)
            if done < len(objects):
                yield objects[done:]
    finally:
        await _close(pages)


async def ordered_fan_out(
    root: N, list_node: ListNode[N], child_key: Callable[[N], str], *, parallel: int, max_depth: int
) -> AsyncGenerator[ObjectInfo, None]:
    """Every object of the tree under `root`, in key order, with up to `parallel` listings in flight.

    Args:
        root: the node to start from (depth 0).
        list_node: as for `fan_out`; one-level pages must be in key order (see `_segments`).
        child_key: the key prefix of a child node, in the form of the listed objects' keys.
        parallel: the most listings at once (>= 2: one walks the levels above the maximum depth, in order, the
            others list the next subtrees ahead).
        max_depth: nodes above this depth are listed one level at a time (>= 1).

    Raises:
        Whatever a listing raised (the listings ahead are cancelled).
    """
    segments = _segments(root, 0, list_node, child_key, max_depth)
    window: deque[list[ObjectInfo] | _Ahead] = deque()
    ahead_limit = max(parallel - 1, 1)
    running = 0  # subtree listings in flight: those in the window and the one being yielded
    exhausted = False

    async def top_up() -> None:
        nonlocal exhausted, running
        while not exhausted and running < ahead_limit and len(window) < 2 * parallel:
            segment = await anext(segments, None)
            if segment is None:
                exhausted = True
            elif isinstance(segment, _Subtree):
                window.append(_Ahead(list_node(segment.node, False)))
                running += 1
            else:
                window.append(segment)

    current: _Ahead | None = None
    try:
        while True:
            await top_up()
            if not window:
                return
            head = window.popleft()
            if isinstance(head, list):
                for obj in head:
                    yield obj
                continue
            current = head
            while (batch := await head.next_batch()) is not None:
                for obj in batch:
                    yield obj
                await top_up()
            current = None
            running -= 1
    finally:
        if current is not None:
            await current.cancel()
        for item in window:
            if isinstance(item, _Ahead):
                await item.cancel()
        await segments.aclose()
