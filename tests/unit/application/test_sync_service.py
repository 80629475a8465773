"""The sync pipeline on in-memory storages: counters, update checks, deletes, verification, errors."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable

import pytest
import regex

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import Deletion, ForceRetry, Transfer, UpdateCheck
from s3syncpy.domain.errors import AccessDeniedError, ObjectNotFoundError, StorageError, TransientStorageError
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.filters import FilterSettings
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND

FILES = {"data1": b"one", "dir1/data1": b"two", "dir2/data2": b"three"}


def config(**changes: object) -> SyncConfig:
    base = SyncConfig(source=LocalLocation("/src"), target=S3Location("bucket", ""),
                      force_retry=ForceRetry(force_retry_count=2, force_retry_interval_milliseconds=10))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def local_source(files: dict[str, bytes], mtime_ns: int = T0) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=FILE_TREE)
    for key, data in files.items():
        storage.seed(key, data, mtime_ns=mtime_ns)
    return storage


async def sync(cfg: SyncConfig, source: InMemoryObjectStorage, target: InMemoryObjectStorage) -> SyncReport:
    return await run_sync(cfg, source, target, FakeClock(0.0), asyncio.Event())


async def test_first_run_transfers_and_verifies_everything() -> None:
    source, target = local_source(FILES), InMemoryObjectStorage()

    report = await sync(config(), source, target)

    assert {k: target.data(k) for k in FILES} == FILES
    assert report.stats.transferred_objects == 3
    assert report.stats.etag_verified == 3
    assert report.stats.transferred_bytes == sum(map(len, FILES.values()))
    assert report.exit_code is ExitCode.SUCCESS


@pytest.mark.parametrize(
    ("source_mtime", "expected_transfers"),
    [
        pytest.param(T0 - 5 * SECOND, 0, id="source-older-skips"),
        pytest.param(T0 + SECOND // 2, 0, id="same-second-skips"),
        pytest.param(T0 + SECOND, 3, id="next-second-transfers"),
    ],
)
async def test_mtime_rule_in_whole_seconds(source_mtime: int, expected_transfers: int) -> None:
    target = InMemoryObjectStorage(clock=lambda: T0)
    for key, data in FILES.items():
        target.seed(key, data, mtime_ns=T0)

    report = await sync(config(), local_source(FILES, source_mtime), target)

    assert report.stats.transferred_objects == expected_transfers
    assert report.stats.skipped == 3 - expected_transfers


async def test_check_size_ignores_mtime() -> None:
    target = InMemoryObjectStorage()
    for key, data in FILES.items():
        target.seed(key, data, mtime_ns=T0 - 100 * SECOND)
    source = local_source(FILES | {"data1": b"longer"}, T0)

    report = await sync(config(update_check=UpdateCheck(check_size=True)), source, target)

    assert report.stats.transferred_objects == 1
    assert target.data("data1") == b"longer"


async def test_filters_skip_before_any_request() -> None:
    source, target = local_source(FILES), InMemoryObjectStorage()
    filters = FilterSettings(include_regex=regex.compile(r"^dir"), exclude_regex=regex.compile(r"(?<=dir2/)data"))

    report = await sync(config(filters=filters), source, target)

    assert sorted(target.objects) == ["dir1/data1"]
    assert report.stats.skipped == 2
    assert [c for c in source.calls if c[0] == "open"] == [("open", "dir1/data1")]


async def test_delete_removes_only_unprotected_target_only_keys() -> None:
    target = InMemoryObjectStorage()
    for key in ("old1", "logs/old.log", "data1"):
        target.seed(key, b"x", mtime_ns=T0 + 100 * SECOND)
    cfg = config(deletion=Deletion(delete=True), filters=FilterSettings(exclude_regex=regex.compile(r"\.log$")))

    report = await sync(cfg, local_source(FILES), target)

    assert sorted(target.objects) == ["data1", "dir1/data1", "dir2/data2", "logs/old.log"]
    assert report.stats.deleted == 1


@pytest.mark.parametrize(
    ("max_delete", "deleted", "exit_code"),
    [
        pytest.param(3, 3, ExitCode.SUCCESS, id="exactly-n-due"),
        pytest.param(2, 2, ExitCode.WARNING, id="more-due-stops-at-n"),
    ],
)
async def test_max_delete_deletes_at_most_n(max_delete: int, deleted: int, exit_code: ExitCode) -> None:
    target = InMemoryObjectStorage()
    for key in ("x1", "x2", "x3"):
        target.seed(key, b"x", mtime_ns=T0)

    report = await sync(config(deletion=Deletion(delete=True, max_delete=max_delete)), local_source({}), target)

    assert report.stats.deleted == deleted
    assert len(target.objects) == 3 - deleted
    assert report.exit_code is exit_code


async def test_no_delete_after_a_failed_sync_phase() -> None:
    source = local_source(FILES)
    source.fail_on("open", "data1", StorageError("boom"))
    target = InMemoryObjectStorage()
    target.seed("stale", b"x", mtime_ns=T0)

    report = await sync(config(deletion=Deletion(delete=True)), source, target)

    assert "stale" in target.objects
    assert report.exit_code is ExitCode.ERROR


async def test_dry_run_writes_and_deletes_nothing() -> None:
    target = InMemoryObjectStorage()
    target.seed("stale", b"x", mtime_ns=T0)

    report = await sync(config(dry_run=True, deletion=Deletion(delete=True)), local_source(FILES), target)

    assert list(target.objects) == ["stale"]
    assert report.stats.transferred_objects == 3
    assert report.stats.deleted == 1


async def test_transient_errors_are_force_retried_with_a_warning_each() -> None:
    source = local_source(FILES)
    source.fail_on("open", "data1", TransientStorageError("reset"), times=2)
    target = InMemoryObjectStorage()

    report = await sync(config(), source, target)

    assert target.data("data1") == b"one"
    assert report.stats.warnings == 2
    assert report.exit_code is ExitCode.WARNING


async def test_exhausted_force_retries_are_an_error() -> None:
    source = local_source(FILES)
    source.fail_on("open", "data1", TransientStorageError("reset"), times=10)

    report = await sync(config(), source, InMemoryObjectStorage())

    assert report.exit_code is ExitCode.ERROR
    assert any("force retry count exceeded" in e for e in report.errors)


@pytest.mark.parametrize(
    ("error", "warn_as_error", "exit_code"),
    [
        pytest.param(ObjectNotFoundError("gone"), False, ExitCode.WARNING, id="not-found-warns"),
        pytest.param(AccessDeniedError("no"), False, ExitCode.WARNING, id="access-denied-warns"),
        pytest.param(ObjectNotFoundError("gone"), True, ExitCode.ERROR, id="warn-as-error"),
        pytest.param(StorageError("bad"), False, ExitCode.ERROR, id="other-errors-stop"),
    ],
)
async def test_error_classification(error: Exception, warn_as_error: bool, exit_code: ExitCode) -> None:
    source = local_source(FILES)
    source.fail_on("open", "dir1/data1", error)

    report = await sync(config(warn_as_error=warn_as_error), source, InMemoryObjectStorage())

    assert report.exit_code is exit_code


async def test_download_with_mismatching_etag_keeps_the_existing_file() -> None:
    source = InMemoryObjectStorage()
    source.seed("f", b"new content", mtime_ns=T0 + 10 * SECOND, e_tag='"0123456789abcdef0123456789abcdef"')
    target = InMemoryObjectStorage(features=FILE_TREE)
    target.seed("f", b"old", mtime_ns=T0)
    cfg = config(source=S3Location("bucket", ""), target=LocalLocation("/dst"))

    report = await sync(cfg, source, target)

    assert target.data("f") == b"old"
    assert report.stats.warnings == 1
    assert report.stats.transferred_objects == 0
    assert report.exit_code is ExitCode.WARNING


async def test_cancel_stops_the_run_and_marks_it_cancelled() -> None:
    source, target = local_source({f"k{i}": b"x" for i in range(50)}), InMemoryObjectStorage()
    cancel = asyncio.Event()
    cancel.set()

    report = await run_sync(config(), source, target, FakeClock(0.0), cancel)

    assert report.cancelled
    assert report.exit_code is ExitCode.CANCELLED


async def test_many_objects_with_few_workers_and_a_small_queue() -> None:
    files = {f"d{i % 7}/k{i}": bytes([i % 256]) * (i % 13) for i in range(300)}
    cfg = config(transfer=Transfer(worker_size=3, object_listing_queue_size=2))
    target = InMemoryObjectStorage()

    report = await sync(cfg, local_source(files), target)

    assert {k: target.data(k) for k in files} == files
    assert report.stats.transferred_objects == 300


async def test_delete_to_a_local_target_compares_the_keys_the_files_are_listed_under() -> None:
    # "/a" (a source prefix without "/") and "x//b" are written as the files "a" and "x/b", and listed so.
    source = InMemoryObjectStorage()
    for key in ("/a", "x//b", "x/b", "dir/"):
        source.seed(key, b"", mtime_ns=T0)
    target = InMemoryObjectStorage(features=FILE_TREE)
    for key in ("a", "x/b", "stale"):
        target.seed(key, b"", mtime_ns=T0 + 100 * SECOND)
    cfg = config(source=S3Location("bucket", "data"), target=LocalLocation("/dst"), deletion=Deletion(delete=True))

    report = await sync(cfg, source, target)

    assert [c for c in target.calls if c[0] == "delete"] == [("delete", "stale")]
    assert report.stats.deleted == 1
    assert report.exit_code is ExitCode.SUCCESS


class _ListsTwice(InMemoryObjectStorage):
    """A listing that returns its first key a second time (a broken server or a continuation fault)."""

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        listed = [info async for info in super().list_objects(options)]
        for info in [*listed, listed[0]]:
            yield info


@pytest.mark.parametrize("side", ["source", "target"])
async def test_a_key_listed_twice_is_a_listing_error_and_nothing_is_deleted(side: str) -> None:
    source = _ListsTwice(features=FILE_TREE) if side == "source" else InMemoryObjectStorage(features=FILE_TREE)
    for key, data in FILES.items():
        source.seed(key, data, mtime_ns=T0)
    target = _ListsTwice() if side == "target" else InMemoryObjectStorage()
    target.seed("stale", b"x", mtime_ns=T0)

    report = await sync(config(deletion=Deletion(delete=True)), source, target)

    assert "stale" in target.objects
    assert report.exit_code is ExitCode.ERROR
    # A key map sees the duplicate itself; the sorted merge sees the key come back out of order.
    assert any(
        f"the {side} listing cannot be used: duplicate key in listing" in e
        or f"the {side} listing cannot be used: it is not in key order ('data1' after 'dir2/data2')" in e
        for e in report.errors
    )


class _SkipsAnEntry(InMemoryObjectStorage):
    """A local listing that met an entry it could not read: it reports it the way the local adapter does."""

    def __init__(self, on_skip: Callable[[str], None]) -> None:
        super().__init__(features=FILE_TREE)
        self.on_skip = on_skip

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        async for info in super().list_objects(options):
            yield info
        self.on_skip("failed to list local files. path: /src/closed, error: Permission denied")


async def test_a_source_listing_that_skipped_entries_deletes_nothing() -> None:
    report = SyncReport()
    run = RunContext(report)
    source = _SkipsAnEntry(lambda message: run.listing_skip(message, source=True))
    for key, data in FILES.items():
        source.seed(key, data, mtime_ns=T0)
    target = InMemoryObjectStorage()
    target.seed("closed/inside.txt", b"x", mtime_ns=T0)

    await run_sync(config(deletion=Deletion(delete=True)), source, target, FakeClock(0.0), asyncio.Event(), run=run)

    assert "closed/inside.txt" in target.objects
    assert report.stats.transferred_objects == 3
    assert report.stats.deleted == 0
    assert report.exit_code is ExitCode.WARNING
    assert any(w.startswith("--delete skipped:") for w in report.warnings), report.warnings


async def test_a_target_listing_that_skipped_entries_still_deletes() -> None:
    # Target entries it could not list are simply not deletion candidates.
    report = SyncReport()
    run = RunContext(report)
    target = _SkipsAnEntry(lambda message: run.listing_skip(message, source=False))
    target.seed("stale", b"x", mtime_ns=T0)
    cfg = config(source=S3Location("bucket", ""), target=LocalLocation("/dst"), deletion=Deletion(delete=True))

    await run_sync(cfg, InMemoryObjectStorage(), target, FakeClock(0.0), asyncio.Event(), run=run)

    assert "stale" not in target.objects
    assert report.stats.deleted == 1


@pytest.mark.parametrize(
    ("prefix", "delete", "warned"),
    [
        pytest.param("backup", True, True, id="no-slash-with-delete"),
        pytest.param("backup/", True, False, id="slash"),
        pytest.param("", True, False, id="whole-bucket"),
        pytest.param("backup", False, False, id="no-delete"),
    ],
)
async def test_a_target_prefix_without_a_trailing_slash_is_warned_about_with_delete(
    prefix: str, delete: bool, warned: bool
) -> None:
    target = InMemoryObjectStorage()
    target.seed("2/other", b"x", mtime_ns=T0)  # what s3://bucket/backup also covers: backup2/other

    report = await sync(config(target=S3Location("bucket", prefix), deletion=Deletion(delete=delete)),
                        local_source(FILES), target)

    warnings = [w for w in report.warnings if "has no trailing '/'" in w]
    assert len(warnings) == (1 if warned else 0)
    if warned:
        assert warnings[0] == (
            "the target prefix s3://bucket/backup has no trailing '/': --delete also applies to keys that only "
            "start with it (e.g. s3://bucket/backup2/...)."
        )
