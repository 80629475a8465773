"""Sync statistics (the reference's SyncStatistics counters) and the final summary line.

The counters are plain integers mutated from one event loop; the progress display reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from s3syncpy.domain.humanize import human_bytes, human_count, human_duration


@dataclass(slots=True)
class SyncStats:
    """Counters of one run. Field names follow the reference's summary line."""

    transferred_bytes: int = 0
    transferred_objects: int = 0
    etag_verified: int = 0
    checksum_verified: int = 0
    deleted: int = 0
    skipped: int = 0
    errors: int = 0
    warnings: int = 0


def transfer_rates(stats: SyncStats, elapsed_secs: float, dry_run: bool) -> tuple[int, int]:
    """(bytes per second, objects per second) of a finished run, as the reference computes them.

    Rates are totals / elapsed; under one second the totals themselves are the rates; dry-run shows 0 rates.
    """
    if dry_run:
        return 0, 0
    if elapsed_secs < 1.0:
        return stats.transferred_bytes, stats.transferred_objects
    return int(stats.transferred_bytes / elapsed_secs), int(stats.transferred_objects / elapsed_secs)


def summary_line(stats: SyncStats, elapsed_secs: float, dry_run: bool) -> str:
    """The final line, formatted exactly as the reference prints it (the reference's summary line).

    Args:
        stats: the run's counters.
        elapsed_secs: wall time of the run.
        dry_run: whether the run was a simulation.

    Returns:
        The line without a trailing newline.
    """
    byte_rate, object_rate = transfer_rates(stats, elapsed_secs, dry_run)
    return (
        # The reference formats this with "{:>3}" everywhere, but indicatif's HumanBytes/HumanCount ignore the
        # width: only the plain object count is padded ("transferred   1 objects | 0 objects/sec").
        f"{human_bytes(stats.transferred_bytes)} | {human_bytes(byte_rate)}/sec,  "
        f"transferred {stats.transferred_objects:>3} objects | {human_count(object_rate)} objects/sec,  "
        f"etag verified {stats.etag_verified} objects,  checksum verified {stats.checksum_verified} objects,  "
        f"deleted {stats.deleted} objects,  skipped {stats.skipped} objects,  "
        f"error {stats.errors} objects, warning {stats.warnings} objects,  "
        f"duration {human_duration(elapsed_secs)}"
    )
