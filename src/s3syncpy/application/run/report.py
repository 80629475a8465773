"""SyncReport: what a run returns to its caller (the CLI maps it to an exit code)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from s3syncpy.domain.exit_codes import ExitCode, exit_code_for
from s3syncpy.domain.stats import SyncStats
from s3syncpy.domain.sync_report import ReportSummary
from s3syncpy.domain.transfer_totals import TransferTotals


@dataclass(slots=True)
class SyncReport:
    """The outcome of one run.

    Attributes:
        stats: the counters (live while the run goes on).
        errors: one message per error that stopped the run.
        warnings: one message per warning (the count is also stats.warnings).
        cancelled: the run was interrupted (Ctrl-C / SIGTERM / library cancel).
        elapsed_secs: wall time, set when the run ends.
        dry_run: whether nothing was written.
        source_listing_incomplete: the source listing skipped entries it could not read, so --delete did not run.
        sync_status: report mode's counters (the REPORT_SUMMARY record); None outside report mode.
        totals: what the run has to transfer, as far as the source listing told (live, for progress displays;
            only filled by runs over the latest objects, not by versioned runs or report mode).
    """

    stats: SyncStats = field(default_factory=SyncStats)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False
    elapsed_secs: float = 0.0
    dry_run: bool = False
    source_listing_incomplete: bool = False
    sync_status: ReportSummary | None = None
    totals: TransferTotals = field(default_factory=TransferTotals)

    @property
    def has_error(self) -> bool:
        return bool(self.errors)

    @property
    def has_warning(self) -> bool:
        differences = self.sync_status is not None and self.sync_status.has_differences
        return bool(self.warnings) or self.stats.warnings > 0 or differences

    def absorb(self, other: SyncReport) -> None:
        """Add the outcome of `other` (a shard of this run): counters summed, errors and warnings appended.

        The exit code then follows the usual rules over the whole: an error anywhere is exit 1, a warning exit 3,
        a cancelled shard marks the run cancelled. Elapsed time and dry-run stay this report's.
        """
        for name in _COUNTERS:
            setattr(self.stats, name, getattr(self.stats, name) + getattr(other.stats, name))
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)
        self.cancelled = self.cancelled or other.cancelled
        self.source_listing_incomplete = self.source_listing_incomplete or other.source_listing_incomplete
        self.totals.absorb(other.totals)
        if other.sync_status is not None:
            if self.sync_status is None:
                self.sync_status = ReportSummary()
            self.sync_status.absorb(other.sync_status)

    @property
    def exit_code(self) -> ExitCode:
        """0 / 1 / 3 / 130 as the reference and README, Differences 4 define."""
        return exit_code_for(has_error=self.has_error, has_warning=self.has_warning, cancelled=self.cancelled)


def merge_reports(reports: Iterable[SyncReport], *, elapsed_secs: float) -> SyncReport:
    """One report for the shards of a sharded run.

    Args:
        reports: the shards' reports.
        elapsed_secs: the wall time of the whole run (the shards overlap, so their times are not summed).
    """
    merged = SyncReport(elapsed_secs=elapsed_secs)
    for report in reports:
        merged.absorb(report)
        merged.dry_run = merged.dry_run or report.dry_run
    return merged


_COUNTERS = tuple(item.name for item in fields(SyncStats))
