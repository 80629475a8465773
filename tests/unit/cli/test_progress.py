"""The progress line: when it is drawn, its text, and its moving-average rates."""

from __future__ import annotations

import asyncio
import io

import pytest

from s3syncpy.cli import progress as progress_module
from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.progress import (
    ProgressDisplay,
    RateAverager,
    progress_enabled,
    progress_text,
    terminal_columns,
)
from s3syncpy.domain.stats import SyncStats
from s3syncpy.domain.transfer_totals import TransferTotals


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("tty", "show_no_progress", "json_tracing", "level", "expected"),
    [
        (True, False, False, LogLevel.WARN, True),
        (True, False, False, LogLevel.OFF, True),
        (False, False, False, LogLevel.WARN, False),
        (True, True, False, LogLevel.WARN, False),
        (True, False, True, LogLevel.WARN, False),
        (True, False, False, LogLevel.INFO, False),
    ],
    ids=["tty", "tty-quiet", "not-tty", "show-no-progress", "json", "info-logs"],
)
def test_progress_enabled(
    tty: bool, show_no_progress: bool, json_tracing: bool, level: LogLevel, expected: bool
) -> None:
    stream = Tty() if tty else io.StringIO()
    assert (
        progress_enabled(
            stream=stream, show_no_progress=show_no_progress, json_tracing=json_tracing, log_level=level
        )
        is expected
    )


def test_progress_text_matches_the_reference() -> None:
    stats = SyncStats(transferred_bytes=31457280, transferred_objects=1, etag_verified=1, checksum_verified=1)
    assert progress_text(stats, 23561011, 4297) == (
        "30.00 MiB | 22.47 MiB/sec,  transferred   1 objects | 4,297 objects/sec,  "
        "etag verified 1 objects,  checksum verified 1 objects,  deleted 0 objects,  skipped 0 objects,  "
        "error 0 objects, warning 0 objects"
    )


def test_rate_averager_averages_the_last_ten_samples() -> None:
    averager = RateAverager()
    assert averager.sample(100, 1, 1.0) == (100, 1)
    assert averager.sample(400, 3, 1.0) == (200, 1)  # (100 + 300) / 2, (1 + 2) / 2
    for second in range(3, 13):
        rates = averager.sample(400 + (second - 2) * 1000, 3 + (second - 2) * 10, 1.0)
    assert rates == (1000, 10)  # the first two samples have left the window
    assert averager.sample(11_400, 103, 2.0) == (950, 9)  # nothing new over 2 s: a 0 sample


async def test_display_redraws_from_live_stats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "REFRESH_SECONDS", 0.01)
    stats = SyncStats()
    stream = Tty()
    display = ProgressDisplay(lambda: stats, stream, columns=lambda: 300)
    stats.transferred_objects = 7
    task = asyncio.create_task(display.run())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    display.close()
    assert "transferred   7 objects" in stream.getvalue()


def test_progress_text_does_not_pad_human_values() -> None:
    # indicatif's HumanBytes/HumanCount ignore the reference's "{:>3}"; only the plain count is padded.
    assert progress_text(SyncStats(), 0, 0).startswith(
        "0 B | 0 B/sec,  transferred   0 objects | 0 objects/sec,  "
    )


def test_each_redraw_fits_the_width_of_that_moment_and_shows_the_totals() -> None:
    stats = SyncStats(transferred_bytes=1024 * 1024, transferred_objects=1, warnings=2)
    totals = TransferTotals(objects=4, bytes=4 * 1024 * 1024, listing_complete=True)
    widths = iter([300, 60])
    stream = Tty()
    display = ProgressDisplay(lambda: stats, stream, get_totals=lambda: totals, columns=lambda: next(widths))

    display.refresh(1.0)
    wide = stream.getvalue().split("\r")[-1]
    display.refresh(1.0)
    narrow = stream.getvalue().split("\r")[-1]
    display.close()

    assert wide.startswith("1.00 MiB of 4.00 MiB (25%) | 1.00 MiB/sec, ETA 3s,  transferred   1 of 4 objects")
    assert wide.rstrip().endswith("error 0 objects, warning 2 objects")
    assert len(narrow.rstrip()) < 60
    assert narrow.rstrip().endswith("err 0 warn 2")


def test_the_width_of_a_stream_without_a_terminal_is_the_fallback() -> None:
    assert terminal_columns(io.StringIO()) == progress_module.FALLBACK_COLUMNS
