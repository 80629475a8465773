"""The progress line fitted to the terminal: the reference's text where it fits, shorter forms where it does not,
the error and warning counts in every form, and done/total, percent and ETA once the listing is complete."""

from __future__ import annotations

import pytest

from s3syncpy.cli.progress_line import (
    Redraw,
    eta_text,
    fitted_line,
    percent_done,
    progress_text,
    seconds_left,
)
from s3syncpy.domain.stats import SyncStats
from s3syncpy.domain.transfer_totals import TransferTotals

MIB = 1024 * 1024

# A busy run: large numbers make every form as wide as it gets.
BUSY = SyncStats(transferred_bytes=1_234 * MIB, transferred_objects=123_456, etag_verified=123_000,
                 checksum_verified=99_999, deleted=12_345, skipped=1_234_567, errors=3, warnings=42)
TOTALS = TransferTotals(objects=200_000, bytes=2_468 * MIB, listing_complete=True)
LISTING = TransferTotals(objects=150_000, bytes=2_000 * MIB, listing_complete=False)


def test_a_wide_terminal_gets_the_reference_line() -> None:
    progress = Redraw(BUSY, 20 * MIB, 2_000)

    assert fitted_line(progress, 400) == progress_text(BUSY, 20 * MIB, 2_000)


@pytest.mark.parametrize("width", [250, 200, 160, 132, 120, 100, 80, 60, 50, 40, 30])
@pytest.mark.parametrize("totals", [None, LISTING, TOTALS], ids=["no-totals", "listing", "complete"])
def test_every_width_gets_a_line_that_fits_and_keeps_errors_and_warnings(
    width: int, totals: TransferTotals | None
) -> None:
    line = fitted_line(Redraw(BUSY, 20 * MIB, 2_000, totals), width)

    assert len(line) < width, line
    assert ("err 3 warn 42" in line) or ("error 3" in line and "warning 42" in line), line


# A run of moderate size: its line at the common widths.
STEADY = SyncStats(transferred_bytes=1_234 * MIB, transferred_objects=1_234, etag_verified=1_200, skipped=17,
                   warnings=2)
STEADY_TOTALS = TransferTotals(objects=2_000, bytes=2_468 * MIB, listing_complete=True)


@pytest.mark.parametrize(
    ("stats", "totals", "width", "expected"),
    [
        pytest.param(
            STEADY, STEADY_TOTALS, 200,
            "1.21 GiB of 2.41 GiB (50%) | 20.00 MiB/sec, ETA 1m02s | 1,234 of 2,000 objects | 20 objects/sec | "
            "etag verified 1200 | checksum verified 0 | deleted 0 | skipped 17 | error 0 | warning 2",
            id="200-columns",
        ),
        pytest.param(
            STEADY, STEADY_TOTALS, 120,
            "1.21 GiB/2.41 GiB 50% 20.00 MiB/s ETA 1m02s | 1,234/2,000 obj 20/s | etag 1200 chk 0 | "
            "del 0 skip 17 | err 0 warn 2",
            id="120-columns",
        ),
        pytest.param(STEADY, STEADY_TOTALS, 80, "1.21 GiB/2.41 GiB 50% 20.00 MiB/s ETA 1m02s | 1,234/2,000 obj | err 0 warn 2",
                     id="80-columns"),
        pytest.param(BUSY, TOTALS, 80, "50% ETA 1m02s | 123,456/200,000 obj | err 3 warn 42", id="80-columns-busy"),
        pytest.param(BUSY, TOTALS, 20, "err 3 warn 42", id="20-columns"),
    ],
)
def test_the_forms_with_totals(stats: SyncStats, totals: TransferTotals, width: int, expected: str) -> None:
    assert fitted_line(Redraw(stats, 20 * MIB, 20, totals), width) == expected


def test_an_idle_80_column_line_keeps_every_count() -> None:
    line = fitted_line(Redraw(SyncStats(transferred_bytes=5 * MIB, transferred_objects=2), MIB, 1), 80)

    assert line == "5.00 MiB 1.00 MiB/s | 2 obj 1/s | etag 0 chk 0 | del 0 skip 0 | err 0 warn 0"


def test_totals_are_shown_only_once_the_listing_is_complete() -> None:
    listing = fitted_line(Redraw(BUSY, 20 * MIB, 2_000, LISTING), 80)
    complete = fitted_line(Redraw(BUSY, 20 * MIB, 2_000, TOTALS), 80)

    assert "ETA" not in listing and "%" not in listing
    assert "ETA" in complete and "50%" in complete


def test_the_reference_form_with_totals() -> None:
    stats = SyncStats(transferred_bytes=30 * MIB, transferred_objects=1)
    totals = TransferTotals(objects=4, bytes=120 * MIB, listing_complete=True)

    assert fitted_line(Redraw(stats, 10 * MIB, 1, totals), 300) == (
        "30.00 MiB of 120.00 MiB (25%) | 10.00 MiB/sec, ETA 9s,  transferred   1 of 4 objects | 1 objects/sec,  "
        "etag verified 0 objects,  checksum verified 0 objects,  deleted 0 objects,  skipped 0 objects,  "
        "error 0 objects, warning 0 objects"
    )


@pytest.mark.parametrize(
    ("done_bytes", "done_objects", "totals", "expected"),
    [
        pytest.param(50, 1, TransferTotals(objects=4, bytes=200), 25, id="by-bytes"),
        pytest.param(0, 3, TransferTotals(objects=4, bytes=0), 75, id="empty-objects-by-count"),
        pytest.param(300, 4, TransferTotals(objects=4, bytes=200), 100, id="grown-files-capped"),
        pytest.param(0, 0, TransferTotals(), 100, id="nothing-to-do"),
    ],
)
def test_percent_done(done_bytes: int, done_objects: int, totals: TransferTotals, expected: int) -> None:
    stats = SyncStats(transferred_bytes=done_bytes, transferred_objects=done_objects)
    assert percent_done(stats, totals) == expected


def test_seconds_left_needs_a_rate() -> None:
    totals = TransferTotals(objects=2, bytes=100 * MIB, listing_complete=True)
    stats = SyncStats(transferred_bytes=40 * MIB)

    assert seconds_left(Redraw(stats, 20 * MIB, 0, totals), totals) == 3.0
    assert seconds_left(Redraw(stats, 0, 0, totals), totals) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (0.0, "0s"), (41.6, "42s"), (185, "3m05s"), (7_620, "2h07m"), (100 * 3_600, "100h00m")],
)
def test_eta_text(seconds: float | None, text: str) -> None:
    assert eta_text(seconds) == text
