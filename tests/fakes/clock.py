"""FakeClock: virtual time for retry and timing tests (sleeps return at once and advance the clock)."""

from __future__ import annotations

import asyncio

from s3syncpy.application.ports.clock import Clock


class FakeClock(Clock):
    """A Clock whose time moves only when something sleeps or the test calls `advance`.

    Attributes:
        now: the current monotonic reading in seconds.
        sleeps: every duration passed to sleep(), in call order.
    """

    def __init__(self, start: float = 1000.0) -> None:
        """Args:
            start: the initial monotonic reading.
        """
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """The virtual time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward without sleeping."""
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """Record the pause, advance the time, and yield once to the loop (so cancellation still works)."""
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)
