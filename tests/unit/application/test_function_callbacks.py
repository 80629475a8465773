"""Python callables as callbacks (sync or async), the preprocess callback on writes to S3, and the choice between
Python callbacks and Lua scripts."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping

import pytest

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.callbacks import (
    EventType,
    FilterObject,
    SourceField,
    SyncCallbacks,
    SyncEvent,
    UploadMetadata,
)
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.application.run.function_callbacks import ChosenCallbacks, FunctionCallbacks
from s3syncpy.application.run.preprocess import apply_upload_metadata, upload_metadata_of
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.model import SystemMetadata
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

FILES = {"a.txt": b"one", "b.bin": b"two", "skip.txt": b"three"}


def _config(**changes: object) -> SyncConfig:
    return dataclasses.replace(
        SyncConfig(source=LocalLocation("/src"), target=S3Location("bucket", "pre/")), **changes
    )


def _source() -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=FILE_TREE)
    for key, data in FILES.items():
        storage.seed(key, data)
    return storage


async def _run(callbacks: SyncCallbacks, target: InMemoryObjectStorage | None = None, **config: object):  # type: ignore[no-untyped-def]
    target = target if target is not None else InMemoryObjectStorage(name="pre/")
    report = await run_sync(_config(**config), _source(), target, FakeClock(0.0), asyncio.Event(), callbacks=callbacks)
    return report, target


def _preprocess_keeping_txt(key: str, source: Mapping[str, SourceField], upload: UploadMetadata
                            ) -> tuple[bool, UploadMetadata]:
    if key.endswith("skip.txt"):
        return False, upload
    return True, dataclasses.replace(upload, metadata={"seen-key": key}, content_type="text/x-edited",
                                     tagging="t=1")


async def _async_preprocess(key: str, source: Mapping[str, SourceField], upload: UploadMetadata
                            ) -> tuple[bool, UploadMetadata]:
    await asyncio.sleep(0)
    return _preprocess_keeping_txt(key, source, upload)


@pytest.mark.parametrize("preprocess", [_preprocess_keeping_txt, _async_preprocess], ids=["sync", "async"])
async def test_preprocess_edits_and_cancels_writes_to_s3(preprocess) -> None:  # type: ignore[no-untyped-def]
    events: list[SyncEvent] = []
    callbacks = FunctionCallbacks(preprocess=preprocess, on_event=events.append)

    report, target = await _run(callbacks)

    assert set(target.objects) == {"a.txt", "b.bin"}
    stored = target.objects["a.txt"]
    assert stored.user_metadata == {"seen-key": "pre/a.txt"}  # the full target key
    assert stored.metadata.content_type == "text/x-edited"
    assert stored.tags == {"t": "1"}
    cancelled = [e for e in events if e.event_type is EventType.SYNC_CANCEL]
    assert [e.key for e in cancelled] == ["skip.txt"]
    assert report.stats.skipped == 1 and report.stats.transferred_objects == 2
    assert report.exit_code is ExitCode.SUCCESS


async def test_preprocess_never_runs_in_dry_run() -> None:
    def fail(*_: object) -> tuple[bool, UploadMetadata]:
        raise AssertionError("called")

    report, _ = await _run(FunctionCallbacks(preprocess=fail), dry_run=True)

    assert report.exit_code is ExitCode.SUCCESS and report.stats.transferred_objects == 3


async def test_a_failing_preprocess_fails_the_object_with_a_warning_and_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fail(*_: object) -> tuple[bool, UploadMetadata]:
        raise ValueError("no")

    report, target = await _run(FunctionCallbacks(preprocess=fail))

    assert report.exit_code is ExitCode.ERROR
    assert any(line.startswith("failed to put object.") for line in report.warnings)
    assert any("preprocess callback error: no" in str(getattr(r, "fields", "")) for r in caplog.records)
    assert target.objects == {}


async def test_sync_and_async_filters_and_a_failing_event_callback() -> None:
    seen: list[FilterObject] = []

    async def keep_txt(obj: FilterObject) -> bool:
        seen.append(obj)
        return obj.key.endswith(".txt")

    def explode(event: SyncEvent) -> None:
        raise RuntimeError("ignored")

    report, target = await _run(FunctionCallbacks(filter=keep_txt, on_event=explode))
    assert set(target.objects) == {"a.txt", "skip.txt"}
    assert report.exit_code is ExitCode.SUCCESS and report.stats.warnings == 0

    report, target = await _run(FunctionCallbacks(filter=lambda obj: obj.size == 3))
    assert set(target.objects) == {"a.txt", "b.bin"}


async def test_a_failing_filter_fails_the_run() -> None:
    def fail(obj: FilterObject) -> bool:
        raise KeyError("x")

    report, target = await _run(FunctionCallbacks(filter=fail))

    assert report.exit_code is ExitCode.ERROR and target.objects == {}


async def test_a_preprocess_returning_something_else_fails_the_object() -> None:
    report, _ = await _run(FunctionCallbacks(preprocess=lambda *a: True))  # type: ignore[arg-type]

    assert report.exit_code is ExitCode.ERROR


async def test_python_callbacks_replace_scripted_ones_one_by_one() -> None:
    class Scripted(SyncCallbacks):
        has_filter = True
        has_event = True

        async def filter(self, obj: FilterObject) -> bool:
            return False

        async def on_event(self, event: SyncEvent) -> None:
            self.got = event

    scripted = Scripted()
    chosen = ChosenCallbacks(FunctionCallbacks(filter=lambda obj: True), scripted)

    assert chosen.has_filter and chosen.has_event and not chosen.has_preprocess
    assert await chosen.filter(FilterObject(key="k", last_modified="t")) is True
    await chosen.on_event(SyncEvent(EventType.PIPELINE_START))
    assert scripted.got.event_type is EventType.PIPELINE_START


def test_upload_metadata_round_trip_and_nil_clears() -> None:
    request = PutRequest(
        size=1,
        metadata=SystemMetadata(content_type="a/b", cache_control="no-cache", expires="Wed, 21 Oct 2015 07:28:00 GMT"),
        user_metadata={"k": "v"},
        tagging="x=y",
    )
    upload = upload_metadata_of(request)
    assert upload.expires_string == "2015-10-21T07:28:00+00:00"
    assert apply_upload_metadata(request, upload) == request

    cleared = apply_upload_metadata(request, UploadMetadata())
    assert cleared.metadata == SystemMetadata() and cleared.user_metadata == {} and cleared.tagging is None

    changed = apply_upload_metadata(request, dataclasses.replace(upload, acl="bucket-owner-full-control",
                                                                 storage_class="STANDARD_IA",
                                                                 request_payer="requester"))
    assert (changed.acl, changed.storage_class, changed.request_payer) == (
        "bucket-owner-full-control", "STANDARD_IA", "requester")
