"""RunContext: the state one run shares between its stages: counters, warnings, errors and the stop signal.

Warnings and errors are recorded here and logged once, with structured fields; stages never print.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from s3syncpy.application.ports.callbacks import EventType
from s3syncpy.application.run.events import EventBus
from s3syncpy.application.run.preprocess import Preprocessor
from s3syncpy.application.run.progress import ProgressCounter, ProgressFunction
from s3syncpy.application.run.rate_limits import RateLimits
from s3syncpy.application.run.report import SyncReport

logger = logging.getLogger("s3syncpy.sync")

# Keep memory bounded on runs with millions of warnings: the count is exact, the messages are a sample.
MAX_KEPT_MESSAGES = 1000


class RunContext:
    """Counters and the shared stop signal of one run.

    Attributes:
        report: the report being filled (its stats are live).
        stop: set when the run must end early (an error, or a user cancellation).
        limits: --rate-limit-objects / --rate-limit-bandwidth, shared by every stage.
        progress: counts transferred bytes and objects and tells the library's progress function.
    """

    def __init__(
        self,
        report: SyncReport,
        *,
        warn_as_error: bool = False,
        events: EventBus | None = None,
        preprocessor: Preprocessor | None = None,
        limits: RateLimits | None = None,
        progress: ProgressFunction | None = None,
    ) -> None:
        """Args:
            report: the report to fill.
            warn_as_error: --warn-as-error: the warnings the reference converts (`skip_warning`) become errors.
            events: where the pipeline's events go (the user's event callback); none by default.
            preprocessor: the user's preprocess callback for writes to S3 targets; none by default.
            limits: the run's rate limits (none by default).
            progress: the library caller's progress function (none by default).
        """
        self.report = report
        self.stats = report.stats
        self.stop = asyncio.Event()
        self.events = events if events is not None else EventBus()
        self.preprocessor = preprocessor
        self.limits = limits if limits is not None else RateLimits()
        self.progress = ProgressCounter(report.stats, progress)
        self._warn_as_error = warn_as_error

    @property
    def stopping(self) -> bool:
        """The run must end early (an error was recorded, or the user cancelled)."""
        return self.stop.is_set()

    def warn(self, message: str, **fields: Any) -> None:
        """Record a warning that --warn-as-error leaves alone (force retries, --max-delete reached, ...), with a
        SYNC_WARNING event."""
        record_warning(self.report, message, **fields)
        key = fields.get("key")
        self.events.emit(EventType.SYNC_WARNING, key=key if isinstance(key, str) else None, message=message)

    def count_warning(self, message: str, **fields: Any) -> None:
        """Record a warning whose own event the caller sends (an ETag or checksum mismatch)."""
        record_warning(self.report, message, **fields)

    def skip_warning(self, message: str, **fields: Any) -> None:
        """Record one of the warnings --warn-as-error turns into an error: a listing warning, not found, access
        denied, a failed precondition, InvalidObjectState, a directory-traversal key."""
        if self._warn_as_error:
            self.error(message, **fields)
        else:
            self.warn(message, **fields)

    def error(self, message: str, *, count_object: bool = True, **fields: Any) -> None:
        """Record an error and stop the run (exit 1).

        Args:
            message: the log message.
            count_object: count it in the summary's "error N objects" (not for a failed listing, which is no
                object's error, as in the reference).
            fields: structured log fields.
        """
        if count_object:
            self.stats.errors += 1
        if len(self.report.errors) < MAX_KEPT_MESSAGES:
            self.report.errors.append(_with_key(message, fields))
        logger.error(message, extra={"fields": fields})
        self.stop.set()

    def listing_skip(self, message: str, *, source: bool) -> None:
        """Record an entry a listing had to skip (unreadable file or directory, symlink loop, non-UTF-8 name).

        A warning --warn-as-error converts; on the source side it also marks the source listing incomplete,
        which stops --delete for the run: the skipped entry's copies on the target would look target-only.
        """
        if source:
            self.report.source_listing_incomplete = True
        self.skip_warning(message)

    def cancel(self) -> None:
        """The user asked to stop (Ctrl-C): stop taking work; not an error."""
        if not self.report.cancelled:
            self.report.cancelled = True
            logger.warning("ctrl-c received, shutting down.", extra={"fields": {}})
        self.stop.set()


def record_warning(report: SyncReport, message: str, **fields: Any) -> None:
    """Count and log a warning (the warning flag: exit 3 unless an error occurs)."""
    report.stats.warnings += 1
    if len(report.warnings) < MAX_KEPT_MESSAGES:
        report.warnings.append(_with_key(message, fields))
    logger.warning(message, extra={"fields": fields})


def _with_key(message: str, fields: dict[str, Any]) -> str:
    key = fields.get("key")
    return f"{message} key={key}" if key is not None else message


def log_enabled(level: int) -> bool:
    """Cheap guard for per-object log records (most runs log at WARN)."""
    return logger.isEnabledFor(level)
