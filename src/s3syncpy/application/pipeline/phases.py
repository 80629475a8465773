"""Running one phase of a run (a listing, the per-object work, the deletions) under the run's stop signal.

Shared by the sync pipeline and report mode: a phase is cancelled as soon as the run must stop (an error, Ctrl-C),
and a phase that fails records its error in the run context instead of escaping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

from s3syncpy.application.ports.callbacks import EventType
from s3syncpy.application.ports.clock import Clock
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.domain.errors import StorageError, UserCallbackError

_T = TypeVar("_T")


@contextlib.asynccontextmanager
async def pipeline_lifecycle(run: RunContext, cancel: asyncio.Event, clock: Clock) -> AsyncIterator[None]:
    """The frame of one run: PIPELINE_START first; a cancel request stops the run (Ctrl-C); at the end the
    elapsed time is set, PIPELINE_ERROR sent if an error was recorded, and the event bus finished (PIPELINE_END,
    STATS_REPORT)."""
    report = run.report
    started = clock.monotonic()
    watcher = asyncio.create_task(_watch_cancel(cancel, run))
    run.events.start()
    run.events.emit(EventType.PIPELINE_START)
    try:
        yield
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        report.elapsed_secs = clock.monotonic() - started
        if report.errors:
            run.events.emit(EventType.PIPELINE_ERROR, message=report.errors[0])
        await run.events.finish(report.elapsed_secs)


async def _watch_cancel(cancel: asyncio.Event, run: RunContext) -> None:
    await cancel.wait()
    run.cancel()


async def run_until_stopped(run: RunContext, phase: Callable[[], Coroutine[Any, Any, None]]) -> bool:
    """Run a phase, cancelling it as soon as the run's stop event is set. Returns True if it completed."""
    if run.stopping:
        return False
    task = asyncio.create_task(phase())
    stopper = asyncio.create_task(run.stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not task.done():
            task.cancel()
            # Wait for the phase to unwind (adapters abort uploads and remove temp files on cancellation).
            await asyncio.wait({task})
    if task.cancelled():
        return False
    exc = task.exception()
    if exc is not None:
        record_phase_failure(exc, run)
        return False
    return not run.stopping


def record_phase_failure(exc: BaseException, run: RunContext) -> None:
    """Record a phase's failure as the run's error (a StorageError or a user callback's); re-raise anything else,
    which is a bug."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            record_phase_failure(inner, run)
        return
    if isinstance(exc, StorageError):
        run.error(f"{exc}", count_object=False, operation=exc.operation)
        return
    if isinstance(exc, UserCallbackError):
        run.error(str(exc), count_object=False)
        return
    raise exc


async def complete_despite_cancellation(work: Coroutine[Any, Any, _T]) -> _T:
    """Run `work` to its end even if the caller is cancelled meanwhile (the phase stopping); the cancellation is
    passed on once `work` has finished.

    WHY: a write request that has left cannot be called back. Abandoned, it still commits on the server, after
    the run has ended (SeaweedFS commits a PutObject whose client went away up to seconds later), and so after a
    re-run may have looked for it: a versioned re-run then writes that version a second time. The reference
    likewise lets the write in flight finish and only then honours its cancellation token.
    """
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        while not task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({task})
        if not task.cancelled():
            task.exception()  # retrieved: the work's own error is not the reason this call ends
        raise
