"""The library's progress callback: bytes as the target takes them, objects as they complete, the same totals as
the summary line."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.run.progress import Progress, ProgressCounter
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ForceRetry, Transfer
from s3syncpy.domain.paths import LocalLocation, S3Location
from s3syncpy.domain.stats import SyncStats
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

MIB = 1024 * 1024
FILES = {"a.txt": b"one", "dir/b.bin": b"x" * (12 * MIB), "dir/c.txt": b"three"}


def _config(**changes: object) -> SyncConfig:
    base = SyncConfig(
        source=LocalLocation("/src"),
        target=S3Location("bucket", ""),
        transfer=Transfer(multipart_threshold=8 * MIB, multipart_chunksize=5 * MIB),
        force_retry=ForceRetry(force_retry_count=1, force_retry_interval_milliseconds=1),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _source() -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=FILE_TREE)
    for key, data in FILES.items():
        storage.seed(key, data, mtime_ns=1_700_000_000 * 10**9)
    return storage


async def _sync_with(config: SyncConfig, progress: object) -> tuple[SyncReport, InMemoryObjectStorage]:
    report = SyncReport()
    run = RunContext(report, progress=progress)  # type: ignore[arg-type]
    target = InMemoryObjectStorage()
    await run_sync(config, _source(), target, FakeClock(0.0), asyncio.Event(), run=run)
    return report, target


async def test_steps_report_each_part_and_each_object_with_running_totals() -> None:
    steps: list[Progress] = []

    report, _ = await _sync_with(_config(), steps.append)

    completed = [step for step in steps if step.object_completed]
    assert sorted(step.key for step in completed) == sorted(FILES)
    big = [step.bytes for step in steps if step.key == "dir/b.bin" and not step.object_completed]
    assert big == [5 * MIB, 5 * MIB, 2 * MIB]  # one step per part of the multipart layout
    assert sum(step.bytes for step in steps) == sum(map(len, FILES.values()))
    # The totals grow step by step and end where the summary line's counters end.
    assert [step.transferred_objects for step in completed] == [1, 2, 3]
    byte_totals = [step.transferred_bytes for step in steps]
    assert byte_totals == sorted(byte_totals)
    assert (steps[-1].transferred_bytes, steps[-1].transferred_objects) == (
        report.stats.transferred_bytes, report.stats.transferred_objects
    )
    for step in steps:
        if not step.object_completed:
            assert step.bytes > 0


async def test_an_object_completes_after_its_bytes() -> None:
    steps: list[Progress] = []

    await _sync_with(_config(), steps.append)

    for key in FILES:
        own = [step for step in steps if step.key == key]
        assert own[-1].object_completed and not any(step.object_completed for step in own[:-1])


async def test_a_dry_run_completes_each_object_with_its_listed_size() -> None:
    steps: list[Progress] = []

    report, target = await _sync_with(_config(dry_run=True), steps.append)

    assert target.objects == {}
    assert all(step.object_completed for step in steps)
    assert {step.key: step.bytes for step in steps} == {key: len(data) for key, data in FILES.items()}
    assert steps[-1].transferred_bytes == report.stats.transferred_bytes


async def test_a_failing_progress_function_is_logged_once_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[Progress] = []

    def broken(step: Progress) -> None:
        calls.append(step)
        raise RuntimeError("display gone")

    with caplog.at_level(logging.WARNING, logger="s3syncpy.sync"):
        report, target = await _sync_with(_config(), broken)

    assert len(calls) == 1
    assert {key: target.data(key) for key in FILES} == FILES
    assert report.stats.transferred_objects == 3 and report.stats.errors == 0
    messages = [r.getMessage() for r in caplog.records if "progress callback" in r.getMessage()]
    assert messages == ["the progress callback failed; it is not called again in this run."]


def test_the_counter_without_a_function_only_counts() -> None:
    stats = SyncStats()
    counter = ProgressCounter(stats)

    counter.byte_counter("k")(10)
    counter.object_done("k")
    counter.object_done("d", size=7)

    assert (stats.transferred_bytes, stats.transferred_objects) == (17, 2)
