"""Filter steps 9-14 in the pipeline: after the source's GET (HEAD in dry-run), counted as skipped, and a tag
request only when a tag step is on and the object has tags."""

from __future__ import annotations

import asyncio
import dataclasses

import regex

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.callbacks import EventType, SyncCallbacks, SyncEvent
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.domain.content_filters import ContentFilterSettings
from s3syncpy.domain.model import SystemMetadata
from s3syncpy.domain.paths import S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.storage import InMemoryObjectStorage


def _source() -> InMemoryObjectStorage:
    source = InMemoryObjectStorage(name="mem://src/")
    source.seed("text", b"t", metadata=SystemMetadata(content_type="text/plain"), user_metadata={"team": "a"},
                tags={"stage": "first"})
    source.seed("image", b"i", metadata=SystemMetadata(content_type="image/png"), user_metadata={"team": "b"})
    source.seed("bare", b"b")
    return source


async def _sync(filters: ContentFilterSettings, source: InMemoryObjectStorage, target: InMemoryObjectStorage,
                *, dry_run: bool = False, callbacks: SyncCallbacks | None = None) -> SyncReport:
    config = SyncConfig(source=S3Location("src", ""), target=S3Location("dst", ""))
    config = dataclasses.replace(config, content_filters=filters, dry_run=dry_run)
    return await run_sync(config, source, target, FakeClock(0.0), asyncio.Event(), callbacks=callbacks)


async def test_include_content_type_keeps_matches_and_counts_the_rest_as_skipped() -> None:
    source, target = _source(), InMemoryObjectStorage()

    report = await _sync(ContentFilterSettings(include_content_type_regex=regex.compile("^text/")), source, target)

    assert set(target.objects) == {"text"}
    assert report.stats.skipped == 2 and report.stats.transferred_objects == 1
    assert report.stats.warnings == 0


async def test_metadata_steps_read_the_get_and_cost_no_extra_request() -> None:
    source, target = _source(), InMemoryObjectStorage()

    report = await _sync(ContentFilterSettings(exclude_metadata_regex=regex.compile("team=b")), source, target)

    assert set(target.objects) == {"text", "bare"}
    assert report.stats.skipped == 1
    assert [op for op, _ in source.calls if op in ("head", "tagging")] == ["tagging"]  # text's tags, for the copy


async def test_tag_steps_fetch_tags_only_for_objects_that_have_them_and_only_once() -> None:
    source, target = _source(), InMemoryObjectStorage()

    report = await _sync(ContentFilterSettings(include_tag_regex=regex.compile("stage=first")), source, target)

    assert set(target.objects) == {"text"}
    assert target.objects["text"].tags == {"stage": "first"}
    assert report.stats.skipped == 2
    assert [call for call in source.calls if call[0] == "tagging"] == [("tagging", "text")]


async def test_no_step_no_tag_request_for_untagged_objects() -> None:
    source, target = _source(), InMemoryObjectStorage()

    await _sync(ContentFilterSettings(), source, target)

    assert [call for call in source.calls if call[0] in ("tagging", "head")] == [("tagging", "text")]


async def test_dry_run_heads_the_source_and_filters_without_writing() -> None:
    source, target = _source(), InMemoryObjectStorage()

    report = await _sync(ContentFilterSettings(include_content_type_regex=regex.compile("^image/")), source, target,
                         dry_run=True)

    assert target.objects == {}
    assert report.stats.transferred_objects == 1 and report.stats.skipped == 2
    assert not any(op == "open" for op, _ in source.calls)
    assert sorted(key for op, key in source.calls if op == "head") == ["bare", "image", "text"]


async def test_filtered_event_names_the_option() -> None:
    source, target = _source(), InMemoryObjectStorage()
    events: list[SyncEvent] = []

    class Recorder(SyncCallbacks):
        has_event = True

        async def on_event(self, event: SyncEvent) -> None:
            if event.event_type is EventType.SYNC_FILTERED:
                events.append(event)

    await _sync(ContentFilterSettings(exclude_content_type_regex=regex.compile("png")), source, target,
                callbacks=Recorder())
    await _sync(ContentFilterSettings(include_metadata_regex=regex.compile("team=a")), _source(),
                InMemoryObjectStorage(), callbacks=Recorder())
    await _sync(ContentFilterSettings(include_tag_regex=regex.compile("stage=second")), _source(),
                InMemoryObjectStorage(), callbacks=Recorder())

    seen = {(e.key, e.message, e.source_content_type, e.source_user_defined_metadata, e.source_tagging)
            for e in events}
    assert seen == {
        ("image", "Filtered by --filter-exclude-content-type-regex", "image/png", None, None),
        ("image", "Filtered by --filter-include-metadata-regex", None, "team=b", None),
        ("bare", "Filtered by --filter-include-metadata-regex", None, None, None),
        ("text", "Filtered by --filter-include-tag-regex", None, None, "stage=first"),
        ("image", "Filtered by --filter-include-tag-regex", None, None, None),
        ("bare", "Filtered by --filter-include-tag-regex", None, None, None),
    }


async def test_server_side_copy_filters_its_head_and_heads_once_also_in_dry_run() -> None:
    for dry_run in (False, True):
        source, target = _source(), InMemoryObjectStorage(name="mem://dst/")
        target.link_copy_source(source)
        config = SyncConfig(source=S3Location("src", ""), target=S3Location("dst", ""))
        config = dataclasses.replace(config, server_side_copy=True, dry_run=dry_run, content_filters=ContentFilterSettings(
            include_content_type_regex=regex.compile("^text/")))

        report = await run_sync(config, source, target, FakeClock(0.0), asyncio.Event())

        assert set(target.objects) == (set() if dry_run else {"text"})
        assert report.stats.skipped == 2 and report.stats.transferred_objects == 1
        assert sorted(key for op, key in source.calls if op == "head") == ["bare", "image", "text"]
