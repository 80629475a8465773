"""--server-side-copy on in-memory storages: the strategy choice, layouts, directives, tags, conditions, 412s."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.write_requests import Directive
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ForceRetry, Transfer, UpdateCheck
from s3syncpy.application.settings.write_settings import ConditionalWrites, TaggingSettings
from s3syncpy.application.transfer.strategies import STRATEGY_BY_DIRECTION, choose_strategy
from s3syncpy.application.transfer.strategies.server_side_copy import ServerSideCopy
from s3syncpy.domain.direction import Direction
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.model import SystemMetadata
from s3syncpy.domain.paths import S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE, OBJECT_STORE
from tests.fakes.storage import InMemoryObjectStorage

MiB = 1024 * 1024
SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND


def config(**changes: object) -> SyncConfig:
    base = SyncConfig(
        source=S3Location("src", ""),
        target=S3Location("dst", ""),
        server_side_copy=True,
        force_retry=ForceRetry(force_retry_count=1, force_retry_interval_milliseconds=1),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def pair() -> tuple[InMemoryObjectStorage, InMemoryObjectStorage]:
    source = InMemoryObjectStorage(name="mem://src/", clock=lambda: T0)
    target = InMemoryObjectStorage(name="mem://dst/", clock=lambda: T0 + SECOND)
    target.link_copy_source(source)
    return source, target


async def sync(cfg: SyncConfig, source: InMemoryObjectStorage, target: InMemoryObjectStorage) -> SyncReport:
    return await run_sync(cfg, source, target, FakeClock(0.0), asyncio.Event())


@pytest.mark.parametrize(
    ("asked", "source", "target", "expected"),
    [
        pytest.param(True, OBJECT_STORE, OBJECT_STORE, ServerSideCopy, id="asked-and-both-can"),
        pytest.param(False, OBJECT_STORE, OBJECT_STORE, STRATEGY_BY_DIRECTION[Direction.S3_TO_S3], id="not-asked"),
        pytest.param(True, OBJECT_STORE, FILE_TREE, STRATEGY_BY_DIRECTION[Direction.S3_TO_S3], id="target-cannot"),
        pytest.param(True, FILE_TREE, OBJECT_STORE, STRATEGY_BY_DIRECTION[Direction.S3_TO_S3], id="source-cannot"),
    ],
)
def test_strategy_is_chosen_by_capability(asked: bool, source: object, target: object, expected: object) -> None:
    chosen = choose_strategy(Direction.S3_TO_S3, asked, source, target)  # type: ignore[arg-type]
    assert chosen is expected


async def test_copies_without_reading_any_body() -> None:
    source, target = pair()
    source.seed("a", b"hello", metadata=SystemMetadata(content_type="text/x"), user_metadata={"o": "me"},
                tags={"stage": "first"})
    source.seed("dir/b", b"x" * 100)

    report = await sync(config(), source, target)

    assert target.data("a") == b"hello" and target.data("dir/b") == b"x" * 100
    assert target.objects["a"].metadata.content_type == "text/x"
    assert target.objects["a"].user_metadata == {"o": "me"}
    assert target.objects["a"].tags == {"stage": "first"}
    assert not [call for call in source.calls if call[0] == "open"]
    assert [call[0] for call in source.calls if call[0] != "list"] == ["head", "head"]
    assert sorted(key for op, key in target.calls if op == "copy") == ["a", "dir/b"]
    assert report.stats.transferred_objects == 2
    assert report.stats.transferred_bytes == 105
    assert report.stats.etag_verified == 2
    assert report.exit_code is ExitCode.SUCCESS


class _Recorder(InMemoryObjectStorage):
    """A target that keeps the copy requests it received."""

    requests: list[object]

    async def copy_object(self, key, source, request):  # type: ignore[no-untyped-def]
        self.requests.append(request)
        return await super().copy_object(key, source, request)


def recording_pair() -> tuple[InMemoryObjectStorage, _Recorder]:
    source = InMemoryObjectStorage(name="mem://src/")
    target = _Recorder(name="mem://dst/")
    target.requests = []
    target.link_copy_source(source)
    return source, target


@pytest.mark.parametrize(
    ("tagging", "size", "metadata_directive", "tagging_directive", "tags_fetched", "expected_tags"),
    [
        pytest.param(TaggingSettings(), 10, Directive.COPY, Directive.COPY, False, {"k": "v"}, id="single-copies"),
        pytest.param(TaggingSettings(tagging="a=1"), 10, Directive.COPY, Directive.REPLACE, False, {"a": "1"},
                     id="single-tagging-replaces"),
        pytest.param(TaggingSettings(disable_tagging=True), 10, Directive.COPY, Directive.REPLACE, False, {},
                     id="single-disable-tagging-replaces-with-none"),
        pytest.param(TaggingSettings(), 9 * MiB, Directive.REPLACE, Directive.REPLACE, True, {"k": "v"},
                     id="multipart-names-source-tags"),
        pytest.param(TaggingSettings(disable_tagging=True), 9 * MiB, Directive.REPLACE, Directive.REPLACE, False, {},
                     id="multipart-disable-tagging"),
    ],
)
async def test_directives_and_tags(
    tagging: TaggingSettings,
    size: int,
    metadata_directive: Directive,
    tagging_directive: Directive,
    tags_fetched: bool,
    expected_tags: dict[str, str],
) -> None:
    source, target = recording_pair()
    # Multipart sizes are seeded in the configured layout: a multipart source is copied in parts.
    parts = [8 * MiB, size - 8 * MiB] if size >= 8 * MiB else []
    source.seed("obj", b"z" * size, tags={"k": "v"}, metadata=SystemMetadata(cache_control="no-cache"),
                part_sizes=parts)

    await sync(config(tagging=tagging), source, target)

    (request,) = target.requests
    assert request.metadata_directive is metadata_directive  # type: ignore[attr-defined]
    assert request.tagging_directive is tagging_directive  # type: ignore[attr-defined]
    assert (("tagging", "obj") in source.calls) is tags_fetched
    assert target.objects["obj"].tags == expected_tags
    assert target.objects["obj"].metadata.cache_control == "no-cache"


@pytest.mark.parametrize(
    ("transfer", "seeded_parts", "expected_parts"),
    [
        pytest.param(Transfer(), [8 * MiB, 2 * MiB], [8 * MiB, 2 * MiB], id="configured-layout"),
        # A plain ETag is one PutObject whatever its size: one CopyObject keeps it (S3 copies up to 5 GiB so).
        pytest.param(Transfer(), [], [], id="single-part-source-one-copy"),
        pytest.param(Transfer(auto_chunksize=True), [5 * MiB, 5 * MiB], [5 * MiB, 5 * MiB], id="auto-source-parts"),
        pytest.param(Transfer(auto_chunksize=True), [], [], id="auto-single-part-source-one-copy"),
    ],
)
async def test_part_layout(transfer: Transfer, seeded_parts: list[int], expected_parts: list[int]) -> None:
    source, target = recording_pair()
    source.seed("big", b"q" * (10 * MiB), part_sizes=seeded_parts)

    report = await sync(config(transfer=transfer), source, target)

    (request,) = target.requests
    assert request.part_sizes == expected_parts  # type: ignore[attr-defined]
    assert target.data("big") == b"q" * (10 * MiB)
    assert report.stats.errors == 0


async def test_parts_of_another_writer_are_learned_and_reproduced() -> None:
    # 12 MiB in three parts, where the configured 8 MiB layout cuts two: the copy takes the source's parts.
    source, target = recording_pair()
    data = b"r" * (12 * MiB)
    source.seed("big", data, part_sizes=[5 * MiB, 5 * MiB, 2 * MiB])

    report = await sync(config(), source, target)

    (request,) = target.requests
    assert request.part_sizes == [5 * MiB, 5 * MiB, 2 * MiB]  # type: ignore[attr-defined]
    assert target.objects["big"].e_tag == source.objects["big"].e_tag
    assert report.stats.etag_verified == 1 and report.stats.warnings == 0


async def test_if_none_match_on_an_existing_object_is_two_warnings_and_nothing_overwritten() -> None:
    source, target = pair()
    source.seed("a", b"new", mtime_ns=T0 + 10 * SECOND)
    target.seed("a", b"old", mtime_ns=T0)

    report = await sync(config(conditions=ConditionalWrites(if_none_match=True)), source, target)

    assert target.data("a") == b"old"
    assert report.stats.warnings == 2
    assert report.stats.transferred_objects == 0
    assert report.exit_code is ExitCode.WARNING


async def test_copy_source_if_match_fails_when_the_source_changed_after_listing() -> None:
    source, target = pair()
    source.seed("a", b"listed")

    cfg = config(conditions=ConditionalWrites(copy_source_if_match=True))
    # The object changes between the listing and the copy: the copy must not take the new bytes.
    original_head = source.head_object

    async def head_then_change(key: str, **kwargs: object):  # type: ignore[no-untyped-def]
        details = await original_head(key, **kwargs)  # type: ignore[arg-type]
        source.seed("a", b"changed!")
        return details

    source.head_object = head_then_change  # type: ignore[method-assign]
    report = await sync(cfg, source, target)

    assert "a" not in target.objects
    assert report.stats.warnings == 2
    assert report.exit_code is ExitCode.WARNING


@pytest.mark.parametrize("size", [pytest.param(6, id="single-copy"), pytest.param(9 * MiB, id="multipart-copy")])
async def test_every_copy_is_pinned_to_the_headed_source_without_an_option(size: int) -> None:
    source, target = pair()
    source.seed("a", b"h" * size)
    original_head = source.head_object

    async def head_then_change(key: str, **kwargs: object):  # type: ignore[no-untyped-def]
        details = await original_head(key, **kwargs)  # type: ignore[arg-type]
        source.seed("a", b"c" * size)
        return details

    source.head_object = head_then_change  # type: ignore[method-assign]
    report = await sync(config(), source, target)

    assert "a" not in target.objects
    assert report.stats.warnings == 2
    assert report.exit_code is ExitCode.WARNING


async def test_warn_as_error_turns_a_failed_precondition_into_an_error() -> None:
    source, target = pair()
    source.seed("a", b"new", mtime_ns=T0 + 10 * SECOND)
    target.seed("a", b"old", mtime_ns=T0)

    report = await sync(config(conditions=ConditionalWrites(if_none_match=True), warn_as_error=True), source, target)

    assert report.exit_code is ExitCode.ERROR
    assert target.data("a") == b"old"


async def test_if_match_uses_the_listed_target_etag() -> None:
    source, target = pair()
    source.seed("a", b"new", mtime_ns=T0 + 10 * SECOND)
    target.seed("a", b"old", mtime_ns=T0)

    report = await sync(config(conditions=ConditionalWrites(if_match=True)), source, target)

    # CopyObject carries no If-Match (reference), so the copy replaces the listed object.
    assert target.data("a") == b"new"
    assert report.exit_code is ExitCode.SUCCESS


async def test_sync_latest_tagging_updates_only_the_tags() -> None:
    source, target = pair()
    source.seed("same", b"1", mtime_ns=T0, tags={"k": "new"})
    source.seed("untagged", b"2", mtime_ns=T0)
    source.seed("equal", b"3", mtime_ns=T0, tags={"k": "v"})
    target.seed("same", b"1", mtime_ns=T0 + SECOND, tags={"k": "old"})
    target.seed("untagged", b"2", mtime_ns=T0 + SECOND, tags={"gone": "x"})
    target.seed("equal", b"3", mtime_ns=T0 + SECOND, tags={"k": "v"})

    report = await sync(config(server_side_copy=False, tagging=TaggingSettings(sync_latest_tagging=True)),
                        source, target)

    assert target.objects["same"].tags == {"k": "new"}
    assert target.objects["untagged"].tags == {}
    assert ("delete-tagging", "untagged") in target.calls
    assert not [call for call in target.calls if call[0] in ("put", "copy")]
    assert report.stats.transferred_objects == 2
    assert report.stats.skipped == 1


def test_sync_latest_tagging_implies_head_each_target_and_no_target_listing() -> None:
    cfg = config(tagging=TaggingSettings(sync_latest_tagging=True), update_check=UpdateCheck())
    assert cfg.update_check.remove_modified_filter
    assert cfg.update_check.head_each_target


async def test_an_object_that_changed_after_listing_is_copied_as_its_head_describes_it() -> None:
    source, target = recording_pair()
    source.seed("grew", b"tiny")
    original_head = source.head_object

    async def grow_then_head(key: str, **kwargs: object):  # type: ignore[no-untyped-def]
        source.seed("grew", b"g" * (9 * MiB), part_sizes=[8 * MiB, MiB])
        return await original_head(key, **kwargs)  # type: ignore[arg-type]

    source.head_object = grow_then_head  # type: ignore[method-assign]
    report = await sync(config(), source, target)

    (request,) = target.requests
    assert request.size == 9 * MiB and request.part_sizes == [8 * MiB, MiB]  # type: ignore[attr-defined]
    assert target.data("grew") == b"g" * (9 * MiB)
    assert report.stats.transferred_bytes == 9 * MiB
    assert report.stats.etag_verified == 1


async def test_dry_run_heads_the_source_and_copies_nothing() -> None:
    source, target = pair()
    source.seed("a", b"12345")

    report = await sync(config(dry_run=True), source, target)

    assert [op for op, _ in source.calls] == ["list", "head"]
    assert target.objects == {} and not [op for op, _ in target.calls if op == "copy"]
    assert report.stats.transferred_objects == 1 and report.stats.transferred_bytes == 5
