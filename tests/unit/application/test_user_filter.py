"""A user-defined filter (the callbacks port) between the built-in filters and the target listing check: through
the sync and report mode, and on its own (application/run/user_filter.py)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
import regex

from s3syncpy.application.pipeline.report_service import run_report
from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.callbacks import FilterObject, SyncCallbacks
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.run.user_filter import UserFilter, filter_object, user_filter_of
from s3syncpy.application.settings.config import ReportSettings, SyncConfig
from s3syncpy.domain.errors import UserCallbackError
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.filters import FilterSettings
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectInfo
from s3syncpy.domain.paths import LocalLocation, S3Location
from s3syncpy.domain.plan import Skip, SkipReason
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

FILES = {"keep.txt": b"one", "drop.bin": b"two", "x.tmp": b"three"}


class Recording(SyncCallbacks):
    has_filter = True

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[FilterObject] = []
        self._fail = fail

    async def filter(self, obj: FilterObject) -> bool:
        self.seen.append(obj)
        if self._fail:
            raise RuntimeError("boom")
        return not obj.key.endswith(".bin")


def _config() -> SyncConfig:
    base = SyncConfig(source=LocalLocation("/src"), target=S3Location("bucket", ""))
    return dataclasses.replace(base, filters=FilterSettings(exclude_regex=regex.compile(r"\.tmp$")))


def _source() -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=FILE_TREE)
    for key, data in FILES.items():
        storage.seed(key, data)
    return storage


async def test_the_user_filter_sees_only_what_the_built_in_filters_kept_and_its_false_skips() -> None:
    callbacks = Recording()
    target = InMemoryObjectStorage()

    report = await run_sync(_config(), _source(), target, FakeClock(0.0), asyncio.Event(), callbacks=callbacks)

    assert sorted(o.key for o in callbacks.seen) == ["drop.bin", "keep.txt"]
    assert all(o.size is not None and o.last_modified for o in callbacks.seen)
    assert set(target.objects) == {"keep.txt"}
    assert report.stats.skipped == 2 and report.exit_code is ExitCode.SUCCESS


async def test_a_failing_user_filter_ends_the_run_with_an_error() -> None:
    target = InMemoryObjectStorage()

    report = await run_sync(_config(), _source(), target, FakeClock(0.0), asyncio.Event(), callbacks=Recording(True))

    assert report.exit_code is ExitCode.ERROR
    assert any("User defined filter error: boom" in line for line in report.errors)
    assert target.objects == {}


async def test_without_a_filter_the_callbacks_are_not_consulted() -> None:
    callbacks = Recording()
    callbacks.has_filter = False

    await run_sync(_config(), _source(), InMemoryObjectStorage(), FakeClock(0.0), asyncio.Event(), callbacks=callbacks)

    assert callbacks.seen == []


async def test_report_mode_asks_the_same_filter_counts_what_it_drops_and_fails_the_same_way() -> None:
    config = dataclasses.replace(_config(), report=ReportSettings(sync_status=True))
    source = _source()
    target = InMemoryObjectStorage()
    target.seed("keep.txt", b"one")
    callbacks = Recording()

    kept = await run_report(config, source, target, FakeClock(0.0), asyncio.Event(),
                            run=RunContext(SyncReport(), warn_as_error=True), callbacks=callbacks)
    failed = await run_report(config, source, target, FakeClock(0.0), asyncio.Event(),
                              run=RunContext(SyncReport(), warn_as_error=True), callbacks=Recording(True))

    assert sorted(o.key for o in callbacks.seen) == ["drop.bin", "keep.txt"]
    assert kept.stats.skipped == 2 and kept.sync_status is not None
    assert kept.sync_status.number_of_objects == 1
    assert failed.exit_code is ExitCode.ERROR
    assert failed.errors == ["User defined filter error: boom"]


# The filter on its own.

T0_NS = 1_700_000_000_123_456_789


async def test_the_filter_keeps_drops_and_fails_as_the_reference_does() -> None:
    user_filter = UserFilter(Recording())
    kept = ObjectInfo(key="keep.txt", size=3, mtime_ns=T0_NS)
    dropped = ObjectInfo(key="drop.bin", size=3, mtime_ns=T0_NS)

    assert await user_filter.plan(kept) is None
    assert await user_filter.plan(dropped) == Skip(SkipReason.USER_FILTERED)
    with pytest.raises(UserCallbackError, match=r"^User defined filter error: boom$"):
        await UserFilter(Recording(fail=True)).plan(kept)


def test_there_is_a_filter_only_when_the_callbacks_have_one() -> None:
    without = Recording()
    without.has_filter = False

    assert user_filter_of(None) is None
    assert user_filter_of(SyncCallbacks()) is None
    assert user_filter_of(without) is None
    assert isinstance(user_filter_of(Recording()), UserFilter)


def test_what_the_filter_sees_of_an_object() -> None:
    obj = ObjectInfo(key="a/b", size=7, mtime_ns=T0_NS, e_tag='"e"', checksum_algorithm=ChecksumAlgorithm.CRC32,
                     version_id="v1")

    assert filter_object(obj) == FilterObject(
        key="a/b", last_modified="2023-11-14T22:13:20.123+00:00", version_id="v1", e_tag='"e"',
        checksum_algorithm="CRC32", size=7,
    )
