"""ForceRetrier on its own: which failures are tried again, how often, how far apart, and what is recorded.

The per-object flows built on it (the syncer, the versioned sync, report mode) are tested through their services in
test_force_retry.py, test_versioned_sync.py and test_report_service.py.
"""

from __future__ import annotations

import asyncio

import pytest

from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.sections import ForceRetry
from s3syncpy.application.transfer.force_retry import ForceRetrier, RetryGivenUp
from s3syncpy.domain.errors import ObjectNotFoundError, StorageError, TransientStorageError
from tests.fakes.clock import FakeClock


class _Flaky:
    """Work that fails with `error` the first `failures` times, then returns "done"."""

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.calls = 0
        self._failures = failures
        self._error = error or TransientStorageError("connection reset")

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self._failures:
            raise self._error
        return "done"


def _retrier(count: int = 3, interval_ms: int = 250) -> tuple[ForceRetrier, RunContext, FakeClock]:
    run, clock = RunContext(SyncReport()), FakeClock(0.0)
    settings = ForceRetry(force_retry_count=count, force_retry_interval_milliseconds=interval_ms)
    return ForceRetrier(settings, run, clock), run, clock


@pytest.mark.parametrize(
    ("failures", "count", "warnings", "attempts"),
    [
        pytest.param(0, 3, 0, 1, id="no-failure"),
        pytest.param(1, 3, 1, 2, id="one-retry-recovers"),
        pytest.param(3, 3, 3, 4, id="last-retry-recovers"),
    ],
)
async def test_transient_failures_are_warnings_and_tried_again_an_interval_apart(
    failures: int, count: int, warnings: int, attempts: int
) -> None:
    retrier, run, clock = _retrier(count=count)
    work = _Flaky(failures)

    assert await retrier.call("k", work) == "done"

    assert work.calls == attempts
    assert run.report.warnings == ["force retryable error has occurred. key=k"] * warnings
    assert run.report.errors == []
    assert clock.sleeps == [0.25] * (attempts - 1)


@pytest.mark.parametrize(("count", "attempts"), [(3, 4), (0, 1)], ids=["retries-run-out", "count-zero"])
async def test_running_out_of_attempts_is_the_objects_error(count: int, attempts: int) -> None:
    retrier, run, clock = _retrier(count=count)
    work = _Flaky(10)

    with pytest.raises(RetryGivenUp) as given_up:
        await retrier.call("k", work)

    assert work.calls == attempts
    assert isinstance(given_up.value.cause, TransientStorageError)
    assert run.report.errors == ["force retry count exceeded. key=k"]
    assert run.stats.errors == 1 and run.stopping
    assert run.stats.warnings == count
    assert len(clock.sleeps) == attempts - 1  # no pause after the last attempt


@pytest.mark.parametrize(
    "error", [ObjectNotFoundError("gone"), StorageError("InvalidArgument"), ValueError("a bug")],
    ids=["not-found", "other-storage-error", "not-a-storage-error"],
)
async def test_other_failures_pass_through_unchanged_on_their_first_occurrence(error: Exception) -> None:
    retrier, run, clock = _retrier()
    work = _Flaky(10, error)

    with pytest.raises(type(error)) as raised:
        await retrier.call("k", work)

    assert raised.value is error
    assert work.calls == 1
    assert (run.report.warnings, run.report.errors, clock.sleeps) == ([], [], [])


async def test_a_stopping_run_tries_nothing_again_and_records_nothing() -> None:
    retrier, run, clock = _retrier()
    run.cancel()
    work = _Flaky(10)

    with pytest.raises(RetryGivenUp):
        await retrier.call("k", work)

    assert work.calls == 1
    assert (run.report.warnings, run.report.errors, clock.sleeps) == ([], [], [])


async def test_a_run_stopped_during_the_pause_gives_up_at_the_next_failure_without_an_error() -> None:
    run = RunContext(SyncReport())

    class _CtrlCDuringThePause(FakeClock):
        async def sleep(self, seconds: float) -> None:
            run.cancel()
            await super().sleep(seconds)

    retrier = ForceRetrier(ForceRetry(force_retry_count=5), run, _CtrlCDuringThePause(0.0))
    work = _Flaky(10)

    with pytest.raises(RetryGivenUp):
        await asyncio.wait_for(retrier.call("k", work), timeout=5)

    assert work.calls == 2
    assert run.report.warnings == ["force retryable error has occurred. key=k"]  # the first failure's retry
    assert run.report.errors == []
