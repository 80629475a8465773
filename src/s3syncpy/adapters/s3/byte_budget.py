"""ByteBudget: bounds the bytes of request bodies held in memory at once, whatever the size of each.

Public API:
    ByteBudget(limit)      acquire(size) -> reserved bytes (await), release(reserved)

Why bytes and not a count: the part semaphore bounds how many parts are in flight, but a held part costs its
size, and a part's size is not always the configured chunk (with --auto-chunksize an S3 source's parts, or a
single-part source, can be up to 5 GiB). Reservations are granted in arrival order; one larger than the whole
budget waits until nothing else is held and then runs alone, so memory stays within max(limit, that body).
"""

from __future__ import annotations

import asyncio
from collections import deque


class ByteBudget:
    """A first-come first-served budget of held bytes (see the module docstring)."""

    def __init__(self, limit: int) -> None:
        """Args:
        limit: the bytes that may be held at once (at least 1).
        """
        self._limit = max(1, limit)
        self._used = 0
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def limit(self) -> int:
        """The bytes that may be held at once."""
        return self._limit

    async def acquire(self, size: int) -> int:
        """Wait until `size` bytes (at most the whole budget) can be held, and reserve them.

        Returns:
            The bytes reserved: pass them to release() once the body is no longer held.
        """
        want = min(max(0, size), self._limit)
        if not self._waiters and self._used + want <= self._limit:
            self._used += want
            return want
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (want, future)
        self._waiters.append(entry)
        try:
            await future
        except BaseException:
            if future.done() and not future.cancelled():
                self.release(want)  # granted, then cancelled before the caller could use it
            else:
                try:
                    self._waiters.remove(entry)
                except ValueError:
                    pass
                self._wake()
            raise
        return want

    def release(self, reserved: int) -> None:
        """Give back bytes an acquire() reserved, and let the next waiters in."""
        self._used -= reserved
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            want, future = self._waiters[0]
            if future.done():
                self._waiters.popleft()
                continue
            if self._used + want > self._limit:
                return
            self._waiters.popleft()
            self._used += want
            future.set_result(None)
