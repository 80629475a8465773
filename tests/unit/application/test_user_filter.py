"""A user-defined filter (the callbacks port) between the built-in filters and the target listing check."""

from __future__ import annotations

import asyncio
import dataclasses

import regex

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.callbacks import FilterObject, SyncCallbacks
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.filters import FilterSettings
from s3syncpy.domain.paths import LocalLocation, S3Location
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
