"""EventBus: the pipeline's events, delivered to the user's event callback in the order they were emitted.

Stages emit from many tasks; one consumer task calls the callback, so calls never overlap (a Lua state is not
thread-safe, and a Python callback need not be re-entrant) and come in emission order. Emitting never waits: the
queue is unbounded, so a slow callback cannot stall a transfer. A callback that raises is logged as a warning and
changes nothing else, as the reference does for its event callback.

The bus also keeps the counters the reference's event manager keeps (bytes from SYNC_COMPLETE sizes, verified and
mismatched objects), which its STATS_REPORT event carries after PIPELINE_END.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from s3syncpy.application.ports.callbacks import EventType, SyncCallbacks, SyncEvent

logger = logging.getLogger("s3syncpy.sync")

_COUNTED = {
    EventType.SYNC_ETAG_VERIFIED: "stats_etag_verified",
    EventType.SYNC_ETAG_MISMATCH: "stats_etag_mismatch",
    EventType.SYNC_CHECKSUM_VERIFIED: "stats_checksum_verified",
    EventType.SYNC_CHECKSUM_MISMATCH: "stats_checksum_mismatch",
    EventType.SYNC_DELETE: "stats_deleted",
    EventType.SYNC_FILTERED: "stats_skipped",
    EventType.SYNC_CANCEL: "stats_skipped",
    EventType.SYNC_WARNING: "stats_warning",
    EventType.PIPELINE_ERROR: "stats_error",
}


class EventBus:
    """Serialises events to one callback; a no-op when the callbacks have no event handler."""

    def __init__(self, callbacks: SyncCallbacks | None = None, *, dry_run: bool = False) -> None:
        self._callbacks = callbacks
        self.enabled = callbacks is not None and callbacks.has_event
        self._dry_run = dry_run
        self._queue: asyncio.Queue[SyncEvent | None] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._counters: dict[str, int] = dict.fromkeys(
            ("stats_transferred_byte", "stats_transferred_object", *_COUNTED.values()), 0
        )

    def emit(self, event_type: EventType, **fields: Any) -> None:
        """Queue one event (fields are SyncEvent's; absent ones stay None)."""
        if not self.enabled:
            return
        self._count(event_type, fields)
        self._queue.put_nowait(SyncEvent(event_type, dry_run=self._dry_run, **fields))

    def start(self) -> None:
        """Start delivering (call from the running event loop)."""
        if self.enabled and self._consumer is None:
            self._consumer = asyncio.get_running_loop().create_task(self._deliver())

    async def finish(self, duration_secs: float) -> None:
        """Emit PIPELINE_END and STATS_REPORT, deliver everything queued, and stop the consumer."""
        if not self.enabled:
            return
        self.emit(EventType.PIPELINE_END)
        self._queue.put_nowait(
            SyncEvent(EventType.STATS_REPORT, dry_run=self._dry_run, stats=self._stats_report(duration_secs))
        )
        self._queue.put_nowait(None)
        if self._consumer is not None:
            # Delivery finishes even when the run was cancelled: the user's script sees PIPELINE_END.
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._consumer)

    def _count(self, event_type: EventType, fields: dict[str, Any]) -> None:
        if event_type is EventType.SYNC_COMPLETE:
            self._counters["stats_transferred_object"] += 1
            self._counters["stats_transferred_byte"] += int(fields.get("source_size") or 0)
        name = _COUNTED.get(event_type)
        if name is not None:
            self._counters[name] += 1

    def _stats_report(self, duration_secs: float) -> dict[str, int | float]:
        counters = self._counters
        report: dict[str, int | float] = dict(counters)
        if self._dry_run:
            byte_rate, object_rate = 0.0, 0.0
        elif duration_secs <= 1.0:
            # As the reference: a run of a second or less reports the totals as its rates.
            byte_rate = float(counters["stats_transferred_byte"])
            object_rate = float(counters["stats_transferred_object"])
        else:
            byte_rate = counters["stats_transferred_byte"] / duration_secs
            object_rate = counters["stats_transferred_object"] / duration_secs
        report["stats_transferred_byte_per_sec"] = byte_rate
        report["stats_transferred_object_per_sec"] = object_rate
        report["stats_duration_sec"] = duration_secs
        return report

    async def _deliver(self) -> None:
        assert self._callbacks is not None
        while (event := await self._queue.get()) is not None:
            try:
                await self._callbacks.on_event(event)
            except Exception as exc:  # noqa: BLE001 - whatever it raises, the event callback never changes the run
                logger.warning("event callback failed.", extra={"fields": {"error": str(exc)}})
