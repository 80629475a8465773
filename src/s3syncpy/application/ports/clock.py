"""The Clock port: time as the application sees it (monotonic for durations, sleeping for retry pauses)."""

from __future__ import annotations

import abc


class Clock(abc.ABC):
    """A source of monotonic time and a way to wait."""

    @abc.abstractmethod
    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; only differences are meaningful."""

    @abc.abstractmethod
    async def sleep(self, seconds: float) -> None:
        """Wait (cancellable)."""
