"""Events reach the user's event callback in order, with the reference's counters in STATS_REPORT."""

from __future__ import annotations

import asyncio
import dataclasses

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.callbacks import EventType, SyncCallbacks, SyncEvent
from s3syncpy.application.run.events import EventBus
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import Deletion
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND


class Recorder(SyncCallbacks):
    has_event = True

    def __init__(self, fail_on: EventType | None = None) -> None:
        self.events: list[SyncEvent] = []
        self._fail_on = fail_on
        self._busy = False

    async def on_event(self, event: SyncEvent) -> None:
        assert not self._busy, "calls overlapped"
        self._busy = True
        await asyncio.sleep(0)  # a slow callback: others must wait, not overlap
        self._busy = False
        self.events.append(event)
        if event.event_type is self._fail_on:
            raise RuntimeError("callback bug")

    def types(self) -> list[EventType]:
        return [e.event_type for e in self.events]


def _config(**changes: object) -> SyncConfig:
    base = SyncConfig(source=LocalLocation("/src"), target=S3Location("bucket", ""))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _source() -> InMemoryObjectStorage:
    source = InMemoryObjectStorage(features=FILE_TREE)
    source.seed("new", b"fresh", mtime_ns=T0 + 10 * SECOND)
    source.seed("same", b"kept", mtime_ns=T0)
    return source


def _target() -> InMemoryObjectStorage:
    target = InMemoryObjectStorage()
    target.seed("same", b"kept", mtime_ns=T0 + 5 * SECOND)
    target.seed("stale", b"gone", mtime_ns=T0)
    return target


async def test_events_come_in_order_with_their_fields_and_a_stats_report_last() -> None:
    recorder = Recorder()
    cfg = _config(deletion=Deletion(delete=True))

    report = await run_sync(cfg, _source(), _target(), FakeClock(0.0), asyncio.Event(), callbacks=recorder)

    types = recorder.types()
    assert report.exit_code is ExitCode.SUCCESS
    assert types[0] is EventType.PIPELINE_START
    assert types[-2:] == [EventType.PIPELINE_END, EventType.STATS_REPORT]
    by_key = {(e.event_type, e.key) for e in recorder.events}
    assert {(EventType.SYNC_START, "new"), (EventType.SYNC_COMPLETE, "new"), (EventType.SYNC_ETAG_VERIFIED, "new"),
            (EventType.SYNC_FILTERED, "same"), (EventType.SYNC_DELETE, "stale")} <= by_key
    assert types.index(EventType.SYNC_START) < types.index(EventType.SYNC_COMPLETE) < types.index(
        EventType.SYNC_DELETE)
    complete = next(e for e in recorder.events if e.event_type is EventType.SYNC_COMPLETE)
    assert complete.source_size == 5 and complete.source_last_modified and not complete.dry_run
    stats = recorder.events[-1].stats
    assert stats["stats_transferred_object"] == 1 and stats["stats_transferred_byte"] == 5
    assert stats["stats_etag_verified"] == 1 and stats["stats_deleted"] == 1 and stats["stats_skipped"] == 1
    assert stats["stats_transferred_byte_per_sec"] == 5  # a run of a second or less reports its totals


async def test_a_failing_event_callback_changes_nothing() -> None:
    recorder = Recorder(fail_on=EventType.SYNC_START)
    target = _target()

    report = await run_sync(_config(), _source(), target, FakeClock(0.0), asyncio.Event(), callbacks=recorder)

    assert report.exit_code is ExitCode.SUCCESS and report.stats.warnings == 0
    assert target.data("new") == b"fresh"
    assert recorder.types()[-1] is EventType.STATS_REPORT


async def test_dry_run_events_say_so_and_report_no_rates() -> None:
    recorder = Recorder()

    await run_sync(_config(dry_run=True), _source(), _target(), FakeClock(0.0), asyncio.Event(), callbacks=recorder)

    assert all(e.dry_run for e in recorder.events)
    assert recorder.events[-1].stats["stats_transferred_byte_per_sec"] == 0


async def test_without_an_event_handler_nothing_is_queued() -> None:
    bus = EventBus(SyncCallbacks())
    bus.emit(EventType.PIPELINE_START)
    bus.start()
    await bus.finish(1.0)
    assert not bus.enabled
