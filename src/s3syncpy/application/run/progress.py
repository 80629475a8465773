"""Progress of a run as it happens: bytes and objects counted into the stats, and told to the library's callback.

`sync(config, progress=function)` calls `function(Progress(...))` for every completed step:
* bytes, once the target has them: a PutObject or UploadPart that S3 acknowledged, a chunk written to a local
  file, or the range a server-side copy request covered; a part sent again after a failure is counted again, as
  the summary line's transferred bytes are;
* objects, when one is transferred (the step's `object_completed`).
A dry run completes each object it would transfer with its listed size, as its summary line counts it.

The function runs on the event loop, in the middle of the transfer: it must return quickly (hand slow work to
a thread or a queue). If it raises, the error is logged once and the function is not called again in that run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from s3syncpy.application.ports.storage import ByteCounter
from s3syncpy.domain.stats import SyncStats

logger = logging.getLogger("s3syncpy.sync")


@dataclass(frozen=True, slots=True)
class Progress:
    """One completed step of a run.

    Attributes:
        key: the relative key the step belongs to.
        bytes: the bytes this step completed (0 when it only completes the object).
        object_completed: the step completes the object: it is transferred.
        transferred_bytes: the run's transferred bytes after this step (the summary line's count).
        transferred_objects: the run's transferred objects after this step.
    """

    key: str
    bytes: int
    object_completed: bool
    transferred_bytes: int
    transferred_objects: int


ProgressFunction = Callable[[Progress], None]


class ProgressCounter:
    """Counts a run's completed bytes and objects into its stats, and tells the progress function (if any).

    The one place the transferred counters grow, so the summary line, a live display and the callback agree.
    """

    def __init__(self, stats: SyncStats, function: ProgressFunction | None = None) -> None:
        """Args:
            stats: the run's live counters.
            function: the library caller's progress function; None counts only.
        """
        self._stats = stats
        self._function = function

    def byte_counter(self, key: str) -> ByteCounter:
        """The counter of one object's completed bytes (a write request's `on_bytes`)."""
        stats = self._stats
        if self._function is None:
            def count(n: int) -> None:
                stats.transferred_bytes += n

            return count

        def count_and_tell(n: int) -> None:
            stats.transferred_bytes += n
            self._tell(key, n, object_completed=False)

        return count_and_tell

    def object_done(self, key: str, size: int = 0) -> None:
        """One object transferred.

        Args:
            key: its relative key.
            size: bytes counted with the completion itself (a dry run's listed size; 0 when the bytes were
                counted as they were written).
        """
        self._stats.transferred_bytes += size
        self._stats.transferred_objects += 1
        if self._function is not None:
            self._tell(key, size, object_completed=True)

    def _tell(self, key: str, n: int, *, object_completed: bool) -> None:
        function = self._function
        if function is None:
            return
        stats = self._stats
        try:
            function(Progress(key, n, object_completed, stats.transferred_bytes, stats.transferred_objects))
        except Exception as exc:  # noqa: BLE001 - user code must not break the transfer it watches
            self._function = None
            logger.warning(
                "the progress callback failed; it is not called again in this run.",
                extra={"fields": {"key": key, "error": f"{type(exc).__name__}: {exc}"}},
            )
