"""The live progress line on stderr, redrawn about once a second from the run's counters (the reference's summary line).

It is drawn only on a terminal, without --show-no-progress, without JSON logs, and when the log level is at
most WARN (info lines would tear it apart). Rates are a moving average of the last ten one-second samples, as
the reference's indicator computes them. Its text, fitted to the terminal's width on every redraw (a resized
window included), comes from cli/progress_line.py.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.progress_line import Redraw, fitted_line, progress_text
from s3syncpy.domain.stats import SyncStats
from s3syncpy.domain.transfer_totals import TransferTotals

REFRESH_SECONDS = 1.0
AVERAGE_SAMPLES = 10
# The width assumed when the stream is no terminal that can tell its own (the common terminal default).
FALLBACK_COLUMNS = 80

__all__ = ["ProgressDisplay", "RateAverager", "progress_enabled", "progress_text", "terminal_columns"]


def progress_enabled(
    *, stream: TextIO, show_no_progress: bool, json_tracing: bool, log_level: LogLevel
) -> bool:
    """Whether to draw the progress line at all.

    Args:
        stream: the stream it would be drawn on (stderr).
        show_no_progress: --show-no-progress.
        json_tracing: --json-tracing.
        log_level: the effective verbosity.

    Returns:
        True on a terminal with default-or-quieter logs in the compact format.
    """
    if show_no_progress or json_tracing or log_level > LogLevel.WARN:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def terminal_columns(stream: TextIO) -> int:
    """The width of the terminal `stream` is drawn on, read again at every call (the window may be resized)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or FALLBACK_COLUMNS
    except (AttributeError, OSError, ValueError):
        return FALLBACK_COLUMNS


class RateAverager:
    """Per-second rates of two growing totals, averaged over the last AVERAGE_SAMPLES samples."""

    def __init__(self, samples: int = AVERAGE_SAMPLES) -> None:
        self._bytes: deque[float] = deque(maxlen=samples)
        self._objects: deque[float] = deque(maxlen=samples)
        self._last: tuple[int, int] = (0, 0)

    def sample(self, total_bytes: int, total_objects: int, elapsed: float) -> tuple[int, int]:
        """Record the totals seen `elapsed` seconds after the previous sample.

        Args:
            total_bytes: bytes transferred so far.
            total_objects: objects transferred so far.
            elapsed: seconds since the previous sample (> 0).

        Returns:
            The averaged (bytes/sec, objects/sec).
        """
        seconds = max(elapsed, 1e-6)
        last_bytes, last_objects = self._last
        self._bytes.append((total_bytes - last_bytes) / seconds)
        self._objects.append((total_objects - last_objects) / seconds)
        self._last = (total_bytes, total_objects)
        return int(sum(self._bytes) / len(self._bytes)), int(sum(self._objects) / len(self._objects))


class ProgressDisplay:
    """A one-line tqdm display fed from a stats getter; `run()` redraws it until cancelled."""

    def __init__(
        self,
        get_stats: Callable[[], SyncStats],
        stream: TextIO,
        get_totals: Callable[[], TransferTotals] | None = None,
        columns: Callable[[], int] | None = None,
    ) -> None:
        """Open the display.

        Args:
            get_stats: returns the live counters (read on every redraw).
            stream: where to draw (stderr).
            get_totals: returns what the run has to transfer (read on every redraw); none: no totals shown.
            columns: returns the width to fit (default: the terminal's width of `stream`).
        """
        self._get_stats = get_stats
        self._get_totals = get_totals
        self._columns = columns if columns is not None else (lambda: terminal_columns(stream))
        self._averager = RateAverager()
        # Imported here, when a display is opened: a run without progress (not a terminal, --show-no-progress)
        # never pays for tqdm, which also loads importlib.metadata.
        from tqdm import tqdm  # type: ignore[import-untyped]  # tqdm ships no type hints

        # bar_format "{desc}": we render (and fit) the whole line ourselves, tqdm only handles the in-place
        # redraw.
        self._bar = tqdm(
            file=stream,
            bar_format="{desc}",
            leave=False,
            dynamic_ncols=True,
            mininterval=0,
            miniters=0,
            delay=0,
        )

    def refresh(self, elapsed: float) -> None:
        """Take a sample and redraw the line."""
        stats = self._get_stats()
        bytes_rate, object_rate = self._averager.sample(
            stats.transferred_bytes, stats.transferred_objects, elapsed
        )
        totals = self._get_totals() if self._get_totals is not None else None
        line = fitted_line(Redraw(stats, bytes_rate, object_rate, totals), self._columns())
        self._bar.set_description_str(line, refresh=True)

    async def run(self) -> None:
        """Redraw about once a second until the task is cancelled."""
        last = time.monotonic()
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            now = time.monotonic()
            self.refresh(now - last)
            last = now

    def close(self) -> None:
        """Erase the line (the summary line is printed separately)."""
        self._bar.close()
