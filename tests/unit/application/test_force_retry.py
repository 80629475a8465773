"""Force retry (reference §7.2) and the stop signal, table-tested on the in-memory fakes.

Per object: up to --force-retry-count extra attempts, --force-retry-interval-milliseconds apart; each force retry
is a warning; not found / access denied / precondition / InvalidObjectState are skips with a warning (errors with
--warn-as-error); anything else, or running out of attempts, is an error that stops the run.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ForceRetry, Transfer
from s3syncpy.domain.errors import (
    AccessDeniedError,
    InvalidObjectStateError,
    ObjectNotFoundError,
    PreconditionFailedError,
    StorageError,
    TransientStorageError,
)
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND
FILES = {"a": b"alpha", "b": b"bravo", "c": b"charlie"}


def _config(count: int = 3, interval_ms: int = 250, **changes: object) -> SyncConfig:
    base = SyncConfig(
        source=LocalLocation("/src"),
        target=S3Location("bucket", ""),
        force_retry=ForceRetry(force_retry_count=count, force_retry_interval_milliseconds=interval_ms),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _source(files: dict[str, bytes] = FILES) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=FILE_TREE)
    for key, data in files.items():
        storage.seed(key, data, mtime_ns=T0)
    return storage


async def _sync(
    config: SyncConfig,
    source: InMemoryObjectStorage,
    target: InMemoryObjectStorage,
    clock: FakeClock | None = None,
) -> SyncReport:
    return await run_sync(config, source, target, clock or FakeClock(0.0), asyncio.Event())


@pytest.mark.parametrize(
    ("failures", "count", "warnings", "exit_code", "attempts"),
    [
        pytest.param(1, 3, 1, ExitCode.WARNING, 2, id="one-retry-recovers"),
        pytest.param(3, 3, 3, ExitCode.WARNING, 4, id="last-retry-recovers"),
        pytest.param(4, 3, 3, ExitCode.ERROR, 4, id="retries-run-out"),
        pytest.param(1, 0, 0, ExitCode.ERROR, 1, id="count-zero-never-retries"),
    ],
)
async def test_transient_source_errors(
    failures: int, count: int, warnings: int, exit_code: ExitCode, attempts: int
) -> None:
    source, target, clock = _source(), InMemoryObjectStorage(), FakeClock(0.0)
    source.fail_on("open", "b", TransientStorageError("connection reset"), times=failures)

    report = await _sync(_config(count=count), source, target, clock)

    assert report.stats.warnings == warnings
    assert report.exit_code is exit_code
    assert source.calls.count(("open", "b")) == attempts
    assert clock.sleeps.count(0.25) == attempts - 1  # the interval, between attempts only
    if exit_code is ExitCode.ERROR:
        assert report.errors == ["force retry count exceeded. key=b"]
        assert "b" not in target.objects
    else:
        assert target.data("b") == b"bravo"


async def test_a_failed_write_also_counts_the_put_warning() -> None:
    source, target = _source(), InMemoryObjectStorage()
    target.fail_on("put", "b", TransientStorageError("503 SlowDown"), times=1)

    report = await _sync(_config(), source, target)

    assert report.warnings == ["failed to put object. key=b", "force retryable error has occurred. key=b"]
    assert report.exit_code is ExitCode.WARNING
    assert target.data("b") == b"bravo"


SKIPS = [
    (ObjectNotFoundError("gone"), "object not found. skipping."),
    (AccessDeniedError("denied"), "access denied. skipping."),
    (
        PreconditionFailedError("412"),
        "precondition(if-match/if-none-match/copy-source-if-match) failed. skipping.",
    ),
    (InvalidObjectStateError("archived"), "Glacier InvalidObjectState. Skipping."),
]


@pytest.mark.parametrize(("error", "message"), SKIPS, ids=[type(e).__name__ for e, _ in SKIPS])
@pytest.mark.parametrize("warn_as_error", [False, True], ids=["warning", "warn-as-error"])
async def test_skips_are_warnings_or_errors_and_never_retried(
    error: Exception, message: str, warn_as_error: bool
) -> None:
    source, target = _source(), InMemoryObjectStorage()
    source.fail_on("open", "b", error, times=5)

    report = await _sync(_config(warn_as_error=warn_as_error), source, target)

    assert source.calls.count(("open", "b")) == 1
    assert "b" not in target.objects
    if warn_as_error:
        assert report.errors == [f"{message} key=b"]
        assert report.exit_code is ExitCode.ERROR
    else:
        assert report.warnings == [f"{message} key=b"]
        assert report.exit_code is ExitCode.WARNING
        assert {"a", "c"} <= set(target.objects)


async def test_other_errors_stop_the_run_without_retry() -> None:
    source, target = _source(), InMemoryObjectStorage()
    source.fail_on("open", "b", StorageError("InvalidArgument"), times=5)

    report = await _sync(_config(), source, target)

    assert source.calls.count(("open", "b")) == 1
    assert report.errors == ["non force retryable error has occurred. key=b"]
    assert report.exit_code is ExitCode.ERROR


class _Hanging(InMemoryObjectStorage):
    """A source whose reads of some keys never finish (a stalled server); records cancellations."""

    def __init__(self, hanging: set[str]) -> None:
        super().__init__(features=FILE_TREE)
        self.hanging = hanging
        self.cancelled: list[str] = []
        self.started = asyncio.Event()

    async def open_content(self, info, *, first_range=None):  # type: ignore[no-untyped-def, override]
        if info.key in self.hanging:
            self.started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled.append(info.key)
                raise
        return await super().open_content(info, first_range=first_range)


async def test_an_error_in_one_worker_cancels_the_hanging_others_at_once() -> None:
    files = {f"hang{i}": b"h" for i in range(5)} | {"zz-bad": b"x"}
    source = _Hanging({k for k in files if k.startswith("hang")})
    for key, data in files.items():
        source.seed(key, data, mtime_ns=T0)
    source.fail_on("open", "zz-bad", StorageError("InvalidArgument"))

    report = await asyncio.wait_for(
        _sync(_config(transfer=Transfer(worker_size=8)), source, InMemoryObjectStorage()), timeout=5
    )

    assert report.exit_code is ExitCode.ERROR
    assert sorted(source.cancelled) == sorted(k for k in files if k.startswith("hang"))


async def test_a_cancel_during_the_retry_pause_ends_the_object_without_an_error() -> None:
    source, target = _source({"only": b"1"}), InMemoryObjectStorage()
    source.fail_on("open", "only", TransientStorageError("reset"), times=10)
    cancel = asyncio.Event()

    class _CancellingClock(FakeClock):
        async def sleep(self, seconds: float) -> None:
            cancel.set()
            await super().sleep(seconds)
            await asyncio.sleep(0.01)

    report = await run_sync(_config(count=5), source, target, _CancellingClock(0.0), cancel)

    assert report.cancelled
    assert report.errors == []
    assert report.exit_code is ExitCode.CANCELLED
    assert source.calls.count(("open", "only")) == 1
