"""SystemClock: the real clock behind the Clock port."""

from __future__ import annotations

import asyncio
import time

from s3syncpy.application.ports.clock import Clock


class SystemClock(Clock):
    """time.monotonic and asyncio.sleep."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
