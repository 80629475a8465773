"""The text of the live progress line, fitted to the terminal's width.

The reference's line (its summary line without the duration) is some 215 characters: a terminal narrower than
that cut it at the edge, which hid the error and warning counts first. So the line comes in forms from the
reference's down to a few words, and the widest that fits is drawn; every form keeps the error and warning
counts. Once the source listing is complete, each form also shows done/total, a percentage and the time left,
as rclone's `-P` and the AWS CLI's transfer lines do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from s3syncpy.domain.humanize import human_bytes, human_count
from s3syncpy.domain.stats import SyncStats
from s3syncpy.domain.transfer_totals import TransferTotals


@dataclass(frozen=True, slots=True)
class Redraw:
    """What one redraw shows: the counters, the averaged rates, and the totals (None while still listing)."""

    stats: SyncStats
    bytes_per_sec: int
    objects_per_sec: int
    totals: TransferTotals | None = None

    @property
    def known_totals(self) -> TransferTotals | None:
        """The totals once the listing is complete; None before."""
        return self.totals if self.totals is not None and self.totals.listing_complete else None


def progress_text(stats: SyncStats, bytes_per_sec: int, objects_per_sec: int) -> str:
    """The reference's progress line (the summary line without the duration).

    Args:
        stats: the live counters.
        bytes_per_sec: the averaged byte rate.
        objects_per_sec: the averaged object rate.

    Returns:
        The text of the line.
    """
    return _reference_form(Redraw(stats, bytes_per_sec, objects_per_sec))


def fitted_line(progress: Redraw, width: int) -> str:
    """The widest form of the line shorter than `width` (the last column stays free: a line that fills it
    would wrap on terminals that wrap at once).

    Args:
        progress: what to show.
        width: the terminal's columns.

    Returns:
        The text; the shortest form (the error and warning counts) when nothing else fits.
    """
    for form in _FORMS:
        text = form(progress)
        if len(text) < width:
            return text
    return _FORMS[-1](progress)


def percent_done(stats: SyncStats, totals: TransferTotals) -> int:
    """How much of the run's transfer is done, 0-100: by bytes, or by objects when there are no bytes."""
    if totals.bytes > 0:
        done, total = stats.transferred_bytes, totals.bytes
    else:
        done, total = stats.transferred_objects, totals.objects
    if total <= 0:
        return 100
    # A file that grew since it was listed may send more than its listed size: never more than 100%.
    return min(100, done * 100 // total)


def seconds_left(progress: Redraw, totals: TransferTotals) -> float | None:
    """The estimated time left at the current averaged rate; None when nothing moves."""
    stats = progress.stats
    if totals.bytes > 0:
        left, rate = totals.bytes - stats.transferred_bytes, progress.bytes_per_sec
    else:
        left, rate = totals.objects - stats.transferred_objects, progress.objects_per_sec
    if left <= 0:
        return 0.0
    return left / rate if rate > 0 else None


def eta_text(seconds: float | None) -> str:
    """`42s`, `3m05s`, `2h07m`; `-` when unknown."""
    if seconds is None:
        return "-"
    whole = int(seconds + 0.5)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _reference_form(p: Redraw) -> str:
    stats = p.stats
    totals = p.known_totals
    done = human_bytes(stats.transferred_bytes)
    rate = f"{human_bytes(p.bytes_per_sec)}/sec"
    objects = f"{stats.transferred_objects:>3}"
    if totals is not None:
        done += f" of {human_bytes(totals.bytes)} ({percent_done(stats, totals)}%)"
        rate += f", ETA {eta_text(seconds_left(p, totals))}"
        objects += f" of {totals.objects}"
    return (
        # As in summary_line: indicatif's HumanBytes/HumanCount ignore "{:>3}"; only the count is padded.
        f"{done} | {rate},  "
        f"transferred {objects} objects | {human_count(p.objects_per_sec)} objects/sec,  "
        f"etag verified {stats.etag_verified} objects,  "
        f"checksum verified {stats.checksum_verified} objects,  "
        f"deleted {stats.deleted} objects,  skipped {stats.skipped} objects,  "
        f"error {stats.errors} objects, warning {stats.warnings} objects"
    )


def _words_form(p: Redraw) -> str:
    stats = p.stats
    return (
        f"{_amount(p, words=True)} | {human_bytes(p.bytes_per_sec)}/sec{_eta(p, ', ')} | "
        f"{_objects(p, ' of ')} objects | {human_count(p.objects_per_sec)} objects/sec | "
        f"etag verified {stats.etag_verified} | checksum verified {stats.checksum_verified} | "
        f"deleted {stats.deleted} | skipped {stats.skipped} | error {stats.errors} | warning {stats.warnings}"
    )


def _short_form(p: Redraw) -> str:
    stats = p.stats
    return (
        f"{_amount(p, words=False)} {human_bytes(p.bytes_per_sec)}/s{_eta(p, ' ')} | {_objects(p, '/')} obj "
        f"{human_count(p.objects_per_sec)}/s | etag {stats.etag_verified} chk {stats.checksum_verified} | "
        f"del {stats.deleted} skip {stats.skipped} | {_problems(stats)}"
    )


def _narrow_form(p: Redraw) -> str:
    stats = p.stats
    return (
        f"{_amount(p, words=False)} {human_bytes(p.bytes_per_sec)}/s{_eta(p, ' ')} | {_objects(p, '/')} obj | "
        f"del {stats.deleted} skip {stats.skipped} | {_problems(stats)}"
    )


def _narrower_form(p: Redraw) -> str:
    rate = f"{human_bytes(p.bytes_per_sec)}/s{_eta(p, ' ')}"
    return f"{_amount(p, words=False)} {rate} | {_objects(p, '/')} obj | {_problems(p.stats)}"


def _tiny_form(p: Redraw) -> str:
    totals = p.known_totals
    done = f"{percent_done(p.stats, totals)}%{_eta(p, ' ')} | " if totals is not None else ""
    return f"{done}{_objects(p, '/')} obj | {_problems(p.stats)}"


def _problems_form(p: Redraw) -> str:
    return _problems(p.stats)


def _amount(p: Redraw, *, words: bool) -> str:
    """`1.17 GiB`; with the totals `1.17 GiB of 2.00 GiB (58%)`, or `1.17 GiB/2.00 GiB 58%` without words."""
    done = human_bytes(p.stats.transferred_bytes)
    totals = p.known_totals
    if totals is None:
        return done
    total, percent = human_bytes(totals.bytes), percent_done(p.stats, totals)
    return f"{done} of {total} ({percent}%)" if words else f"{done}/{total} {percent}%"


def _eta(p: Redraw, separator: str) -> str:
    totals = p.known_totals
    return f"{separator}ETA {eta_text(seconds_left(p, totals))}" if totals is not None else ""


def _objects(p: Redraw, of: str) -> str:
    totals = p.known_totals
    done = human_count(p.stats.transferred_objects)
    return f"{done}{of}{human_count(totals.objects)}" if totals is not None else done


def _problems(stats: SyncStats) -> str:
    return f"err {stats.errors} warn {stats.warnings}"


# Widest first; each keeps the error and warning counts.
_FORMS: tuple[Callable[[Redraw], str], ...] = (
    _reference_form,
    _words_form,
    _short_form,
    _narrow_form,
    _narrower_form,
    _tiny_form,
    _problems_form,
)
