"""A sync cut into key-range shards that run in local worker processes (an addition to s3sync).

`s3sync --dask-shards N` without --dask-scheduler. One run's event loop saturates one core (per small object most
of the CPU is Python); processes are how Python uses more. Needs nothing beyond the default install:

1. the source is listed once, here, and cut into N ranges of about equal object count (as the Dask runner does);
2. each range runs in its own process, the first in this one and the others in spawned worker processes: an
   ordinary `s3syncpy.sync` limited to that range on both sides (deletes too), so ranges that partition the key
   space do together exactly what one run does;
3. the reports are merged: counters summed, errors and warnings kept, exit code by the usual rules.

Spawned, not forked: a fresh interpreter inherits no event loop, open sockets or threads of this one, and
behaves the same on every platform. Unlike Dask task payloads, a shard's config keeps the command line's access
keys: it goes through a pipe to a child process on this machine, which holds nothing the command does not.

Stopping: a terminal's Ctrl-C reaches every process of the group, but only this one decides: its shard
stops on `cancel` (set by the command's Ctrl-C handling) and passes it on to the others. The workers
start with SIGINT and SIGTERM blocked (inherited from the spawning thread), ignore SIGINT, and stop their
shard when this process sets the shared stop event, when they get a SIGTERM, or when this process vanishes. Each shard then stops as one run does (open multipart uploads aborted,
temp files removed) and still sends its report. A worker that dies without a report is an error of its shard;
the sync is incremental, so running the command again finishes the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from multiprocessing.synchronize import Event as ProcessEvent

from s3syncpy.application.run.report import SyncReport, merge_reports
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sharded_run import ShardRunner, check_shardable, shard_config
from s3syncpy.bootstrap import sync as sync_one
from s3syncpy.distributed import describe_range, plan_ranges
from s3syncpy.domain.errors import S3SyncError

LoopFactory = Callable[[], asyncio.AbstractEventLoop]

_logger = logging.getLogger("s3syncpy.local_shards")
# How often a worker looks at the stop event and at its parent (seconds): the delay of a stop.
_WATCH_INTERVAL_SECS = 0.1
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How each worker process sets itself up before its shard runs.

    Attributes:
        setup: called first in the worker (e.g. the command's logging); must be picklable (a module-level
            function or an instance of a module-level class): it travels to the spawned process.
        loop_factory: the event loop the shard runs on (None: asyncio's default); picklable likewise.
    """

    setup: Callable[[], object] | None = None
    loop_factory: LoopFactory | None = None


@dataclass(frozen=True, slots=True)
class _Worker:
    process: SpawnProcess
    reports: Connection
    config: SyncConfig


async def sync(
    config: SyncConfig,
    *,
    shards: int,
    cancel: asyncio.Event | None = None,
    options: WorkerOptions | None = None,
) -> SyncReport:
    """Run `config` as `shards` key-range shards, in this process and `shards` - 1 worker processes; merge them.

    This process runs the first shard itself: it has paid its start-up already, while each worker pays a
    fresh interpreter's (a quarter to half a second of CPU), and its event loop would otherwise only wait.

    Args:
        config: the settings of the whole sync (validated here).
        shards: how many ranges, one process each (fewer when the source has fewer distinct keys).
        cancel: set it to stop early: every shard stops as one run stops; the report is marked cancelled.
        options: how the workers set themselves up (logging, event loop).

    Returns:
        The merged report; its exit_code maps it as the CLI does.

    Raises:
        ConfigError: the config cannot be sharded (see `check_shardable`), or shards < 1.
    """
    config.validate()
    check_shardable(config, shards, ShardRunner.LOCAL)
    started = time.monotonic()
    ranges = await plan_ranges(config, shards)
    payloads = [shard_config(config, key_range, ShardRunner.LOCAL) for key_range in ranges]
    cancel = cancel if cancel is not None else asyncio.Event()
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    workers = _start_workers(context, stop, payloads[1:], options or WorkerOptions())
    forwarder = asyncio.ensure_future(_forward(cancel, stop))
    try:
        reports = await asyncio.gather(_run_here(payloads[0], cancel), _collect(workers))
    finally:
        forwarder.cancel()
        # Whatever ended the wait, no worker may go on unsupervised.
        stop.set()
    merged = merge_reports([reports[0], *reports[1]], elapsed_secs=time.monotonic() - started)
    merged.cancelled = merged.cancelled or cancel.is_set()
    return merged


async def _forward(cancel: asyncio.Event, stop: ProcessEvent) -> None:
    """This run's cancel, passed on to the workers."""
    await cancel.wait()
    stop.set()


async def _run_here(config: SyncConfig, cancel: asyncio.Event) -> SyncReport:
    _log_start(config)
    try:
        return await sync_one(config, cancel=cancel)
    except S3SyncError as exc:
        return _shard_error(config, str(exc))


def _start_workers(
    context: SpawnContext, stop: ProcessEvent, payloads: Sequence[SyncConfig], options: WorkerOptions
) -> list[_Worker]:
    workers: list[_Worker] = []
    with _stop_signals_blocked():
        for index, payload in enumerate(payloads, start=1):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=run_worker,
                args=(payload, sender, stop, os.getpid(), options),
                name=f"s3sync-shard-{index}",
            )
            process.start()
            # Only the child may hold the sending end: its exit must read as end-of-file here.
            sender.close()
            workers.append(_Worker(process, receiver, payload))
    return workers


@contextlib.contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """Block SIGINT/SIGTERM in this thread while the workers start, so they start with both blocked.

    Why: a spawned interpreter takes a while to import before it can decide what a signal means; a Ctrl-C in
    that window would kill it with a traceback. A signal that arrives here meanwhile is delivered on unblocking.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


async def _collect(workers: Sequence[_Worker]) -> list[SyncReport]:
    """The workers' reports in range order (each worker sends one, also after a stop)."""
    if not workers:
        return []
    loop = asyncio.get_running_loop()
    # One reader per worker: a report larger than a pipe's buffer blocks its worker until it is read.
    readers = ThreadPoolExecutor(max_workers=len(workers), thread_name_prefix="s3sync-shard-report")
    try:
        return list(await asyncio.gather(*(loop.run_in_executor(readers, _receive, worker) for worker in workers)))
    finally:
        readers.shutdown(wait=False)


def _receive(worker: _Worker) -> SyncReport:
    """One worker's report, read in a thread (a worker that died without one gives an error report)."""
    try:
        report: SyncReport = worker.reports.recv()
    except (EOFError, OSError):
        worker.process.join()
        return _shard_error(
            worker.config, f"its worker process ended without a report (exit code {worker.process.exitcode})"
        )
    finally:
        worker.reports.close()
    worker.process.join()
    return report


def run_worker(
    config: SyncConfig, reports: Connection, stop: ProcessEvent, parent_pid: int, options: WorkerOptions
) -> None:
    """The body of one worker process: run the shard, send its report (public: the spawned process imports it)."""
    # The group's Ctrl-C is the parent's to handle; it stops this shard through `stop`.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    if options.setup is not None:
        options.setup()
    try:
        with asyncio.Runner(loop_factory=options.loop_factory) as runner:
            report = runner.run(_run_shard(config, stop, parent_pid))
    except Exception as exc:  # noqa: BLE001 - a bug in one shard must still reach the parent as a report
        report = _shard_error(config, f"internal error: {type(exc).__name__}: {exc} (this is a bug)")
    with contextlib.suppress(OSError):  # the parent is gone: nobody is left to read it
        reports.send(report)
    reports.close()


async def _run_shard(config: SyncConfig, stop: ProcessEvent, parent_pid: int) -> SyncReport:
    cancel = asyncio.Event()
    loop = asyncio.get_running_loop()
    if hasattr(signal, "SIGTERM"):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGTERM, cancel.set)
    watcher = asyncio.create_task(_watch(stop, parent_pid, cancel))
    try:
        return await _run_here(config, cancel)
    finally:
        watcher.cancel()


async def _watch(stop: ProcessEvent, parent_pid: int, cancel: asyncio.Event) -> None:
    """Set `cancel` once the parent sets `stop`, or once the parent is gone (this process was re-parented)."""
    while not stop.is_set() and os.getppid() == parent_pid:
        await asyncio.sleep(_WATCH_INTERVAL_SECS)
    cancel.set()


def _shard_error(config: SyncConfig, message: str) -> SyncReport:
    """The report of a shard that could not run (an error: exit code 1)."""
    return SyncReport(errors=[f"shard {describe_range(config.key_range)}: {message}"], dry_run=config.dry_run)


def _log_start(config: SyncConfig) -> None:
    _logger.info("shard started.", extra={"fields": {
        "pid": os.getpid(),
        "key_range_start": config.key_range.start if config.key_range else None,
        "key_range_end": config.key_range.end if config.key_range else None,
    }})
