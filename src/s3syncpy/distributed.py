"""A sync cut into key-range shards that run as tasks on Dask distributed (an addition to s3sync).

Needs the optional extra `s3syncpy[dask]`. The model is Hadoop DistCp: copying as a map-only job on an engine the
user already runs (LocalCluster, Kubernetes, HPC, SSH), no scheduler of our own:

1. the source is listed once, here, and cut into ranges of about equal object count (shard_plan; memory O(shards));
2. each range becomes one task, an ordinary `s3syncpy.sync` limited to that range on both sides (deletes too);
3. the shards' reports are merged: counters summed, errors and warnings kept, exit code by the usual rules.

A sync is incremental, so a task is idempotent: when a worker dies, Dask reruns its shard elsewhere and the rerun
transfers what the lost one had not finished. Task payloads carry no credentials: workers use their own chain
(environment, profile, instance role). SSE-C keys would have to travel with the task, so they are refused here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from s3syncpy.application.pipeline.key_ranges import RunKeyRange
from s3syncpy.application.ports.callbacks import SyncCallbacks
from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.application.run.events import EventBus
from s3syncpy.application.run.report import SyncReport, merge_reports
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sharded_run import DEFAULT_SHARDS, check_shardable, shard_config
from s3syncpy.bootstrap import open_storage
from s3syncpy.bootstrap import sync as sync_one
from s3syncpy.domain.errors import ConfigError, S3SyncError
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.shard_plan import BoundarySampler

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["DEFAULT_SHARDS", "describe_range", "plan_ranges", "run_shard", "sync", "sync_on_scheduler"]

_CONNECT_TIMEOUT_SECS = 10


async def sync(
    config: SyncConfig, client: Client, *, shards: int = DEFAULT_SHARDS, cancel: asyncio.Event | None = None
) -> SyncReport:
    """Run `config` as `shards` key-range tasks on the Dask cluster of `client` and merge their reports.

    Args:
        config: the settings of the whole sync (validated here).
        client: a dask.distributed Client, synchronous or asynchronous.
        shards: how many ranges to cut the source into (fewer when it has fewer distinct keys).
        cancel: set it to stop early: pending and running shards are cancelled, the report is marked cancelled.

    Returns:
        The merged report; its exit_code maps it as the CLI does.

    Raises:
        ConfigError: the config cannot be sharded (see `check_shardable`), or shards < 1.
    """
    config.validate()
    check_shardable(config, shards)
    started = time.monotonic()
    ranges = await plan_ranges(config, shards)
    payloads = [shard_config(config, key_range) for key_range in ranges]
    futures: list[Future[SyncReport]] = client.map(run_shard, payloads, pure=False)
    try:
        reports, cancelled = await _collect(client, futures, cancel)
    finally:
        # Nothing of a finished or abandoned run may keep running on the cluster.
        await _maybe_await(client.cancel(futures))
    merged = merge_reports(reports, elapsed_secs=time.monotonic() - started)
    merged.cancelled = merged.cancelled or cancelled
    return merged


async def plan_ranges(config: SyncConfig, shards: int) -> list[KeyRange]:
    """Cut the source's keys, in the form the run compares them, into `shards` ranges of about equal count.

    One streaming listing of the source; memory O(shards) whatever its size.
    """
    sampler = BoundarySampler(shards)
    run = RunContext(SyncReport(), warn_as_error=False, events=EventBus(SyncCallbacks(), dry_run=True))
    part_slots = asyncio.Semaphore(1)
    async with contextlib.AsyncExitStack() as stack:
        source = await stack.enter_async_context(open_storage(config, "source", part_slots, run))
        target = await stack.enter_async_context(open_storage(config, "target", part_slots, run))
        compared = RunKeyRange.between(KeyRange(), source.features, target.features)
        async for obj in source.list_objects(ListingOptions(max_keys=config.transfer.max_keys)):
            sampler.add(compared.source_key(obj.key))
    return sampler.ranges()


async def sync_on_scheduler(
    config: SyncConfig, address: str, *, shards: int = DEFAULT_SHARDS, cancel: asyncio.Event | None = None
) -> SyncReport:
    """`sync` on a cluster named by its scheduler's address (the command line's --dask-scheduler).

    Raises:
        ConfigError: Dask distributed is not installed.
        S3SyncError: the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise ConfigError("--dask-scheduler needs Dask distributed: pip install 's3syncpy[dask]'") from exc
    try:
        client = await Client(address, asynchronous=True, timeout=_CONNECT_TIMEOUT_SECS)
    except OSError as exc:
        raise S3SyncError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    async with client:
        return await sync(config, client, shards=shards, cancel=cancel)


def run_shard(config: SyncConfig) -> SyncReport:
    """The task one worker runs: an ordinary sync of one range (its failure to start is an error report)."""
    try:
        return asyncio.run(sync_one(config))
    except S3SyncError as exc:
        return SyncReport(errors=[f"shard {describe_range(config.key_range)}: {exc}"], dry_run=config.dry_run)


def describe_range(key_range: KeyRange | None) -> str:
    """A shard's range in words, for messages (`from 'a' to the last key`)."""
    if key_range is None:
        return "of all keys"
    start = repr(key_range.start) if key_range.start is not None else "the first key"
    end = repr(key_range.end) if key_range.end is not None else "the last key"
    return f"from {start} to {end}"


async def _collect(
    client: Client, futures: Sequence[Future[SyncReport]], cancel: asyncio.Event | None
) -> tuple[list[SyncReport], bool]:
    """The shards' reports in range order (a shard Dask could not finish becomes an error report)."""
    waiting = asyncio.ensure_future(_wait_all(client, futures))
    stopper = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
    try:
        await asyncio.wait({waiting} | ({stopper} if stopper else set()), return_when=asyncio.FIRST_COMPLETED)
    finally:
        if stopper is not None:
            stopper.cancel()
    cancelled = not waiting.done()
    if cancelled:
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
    # After a cancel, only the shards that finished have a report to give.
    kept = [future for future in futures if not cancelled or future.status == "finished"]
    return [await _report_of(future) for future in kept], cancelled


async def _wait_all(client: Client, futures: Sequence[Future[SyncReport]]) -> None:
    from distributed import wait

    if client.asynchronous:
        await wait(list(futures))
    else:
        await asyncio.to_thread(wait, list(futures))


async def _report_of(future: Future[SyncReport]) -> SyncReport:
    if future.status == "finished":
        result: SyncReport = await _maybe_await(future.result())
        return result
    # Lost more often than the cluster allows (a worker killed again and again), or failed outright.
    error = await _maybe_await(future.exception()) if future.status == "error" else future.status
    return SyncReport(errors=[f"a shard did not complete on the Dask cluster: {error}"])


async def _maybe_await(value: Any) -> Any:
    """Values of an asynchronous Client's methods are awaitables; a synchronous one's are the results."""
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value
    return value
