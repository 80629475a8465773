"""run_sync: the pipeline of one run (the reference's pipeline of stages).

1. The target is listed first, into a compact key map (when an update check or --delete needs it) - unless both
   listings come in key order: then the target listing is read in step with the source listing, a sorted merge
   whose memory does not grow with the bucket (application/pipeline/target_merge.py).
2. The source is streamed: listing -> [source key map, with --delete; or the merge's target cursor] -> filters
   1-6 -> update check layer A -> a bounded queue -> N workers (ObjectSyncer).
3. Only when the sync phase ended without error or cancellation, and the source listing skipped nothing: --delete
   removes target-only keys.
Every stage runs under one TaskGroup; setting the run's stop event (an error, or Ctrl-C) cancels the phase, which
aborts in-flight multipart uploads and removes temp files in the adapters.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncGenerator

from s3syncpy._speedups import KeyMap
from s3syncpy.application.pipeline.deletion import (
    delete_protection,
    delete_target_only,
    deletion_allowed,
    target_only_keys,
    warn_about_target_prefix,
)
from s3syncpy.application.pipeline.key_ranges import RunKeyRange
from s3syncpy.application.pipeline.phases import pipeline_lifecycle
from s3syncpy.application.pipeline.phases import run_until_stopped as _until_stopped
from s3syncpy.application.pipeline.target_merge import (
    DeleteCandidates,
    IrregularKeys,
    TargetCursor,
    comparison_mode,
    log_comparison_mode,
)
from s3syncpy.application.pipeline.versioned_sync import VersionedPhase, versioning_prerequisites_met
from s3syncpy.application.pipeline.worker_pool import run_worker_pool
from s3syncpy.application.ports.callbacks import SyncCallbacks
from s3syncpy.application.ports.clock import Clock
from s3syncpy.application.ports.storage import ListingOptions, ObjectStorage
from s3syncpy.application.run.events import EventBus
from s3syncpy.application.run.preprocess import preprocessor_for
from s3syncpy.application.run.rate_limits import RateLimits
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.run_context import RunContext, logger
from s3syncpy.application.run.user_filter import UserFilter, user_filter_of
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.derived_settings import listing_parallelism
from s3syncpy.application.transfer.latest_tagging import LatestTagging
from s3syncpy.application.transfer.listed_entries import InFlightEntries, ListedEntries, ListedEntry
from s3syncpy.application.transfer.object_syncer import ObjectSyncer, Outcome
from s3syncpy.application.transfer.strategies import StrategyFactory, choose_strategy
from s3syncpy.application.transfer.update_check import UpdateChecker
from s3syncpy.application.transfer.write_conditions import ConditionalWritePolicy
from s3syncpy.domain.decisions.listing import TargetEntry
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.filters import build_filter_chain
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.keys import local_listing_key
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.plan import (
    ObjectPlan,
    PlanRules,
    Skip,
    plan_after_filters,
    plan_filters,
    plan_object,
)
from s3syncpy.domain.transfer_totals import TransferTotals

_Work = tuple[ObjectInfo, ObjectPlan]


async def run_sync(
    config: SyncConfig,
    source: ObjectStorage,
    target: ObjectStorage,
    clock: Clock,
    cancel: asyncio.Event,
    report: SyncReport | None = None,
    *,
    run: RunContext | None = None,
    strategy: StrategyFactory | None = None,
    callbacks: SyncCallbacks | None = None,
) -> SyncReport:
    """Synchronise `source` into `target` as `config` says.

    Args:
        config: validated settings.
        source / target: the two storages (their lifetime is the caller's).
        clock: time source for durations and retry pauses.
        cancel: set it to stop the run (Ctrl-C); the report is then marked cancelled.
        report: a report to fill (its stats are live, for progress displays); a new one when None.
        run: the run context, when the caller created it first (the composition root hands it to adapters that
            report warnings); it carries the event bus of `callbacks`.
        strategy: how objects travel (default: the strategy of the config's direction).
        callbacks: user code; its filter runs after the built-in filters (an error in it ends the run); its event
            handler receives every event in order (without `run`; with `run`, the run's bus delivers them).

    Returns:
        The report: counters, warnings, errors, cancelled flag, elapsed time.
    """
    callbacks = callbacks or SyncCallbacks()
    if run is None:
        run = RunContext(
            report if report is not None else SyncReport(),
            warn_as_error=config.warn_as_error,
            events=EventBus(callbacks, dry_run=config.dry_run),
            preprocessor=preprocessor_for(callbacks),
            limits=RateLimits(config.rate_limits, clock),
        )
    report = run.report
    report.dry_run = config.dry_run
    factory = strategy or choose_strategy(
        config.direction, config.server_side_copy, source.features, target.features
    )
    async with pipeline_lifecycle(run, cancel, clock):
        await _run_phases(config, source, target, factory, callbacks, clock, run)
    return report


async def _run_phases(
    config: SyncConfig,
    source: ObjectStorage,
    target: ObjectStorage,
    strategy: StrategyFactory,
    callbacks: SyncCallbacks,
    clock: Clock,
    run: RunContext,
) -> None:
    if config.versioning.lists_versions:
        await _run_versioned(config, source, target, strategy, callbacks, clock, run)
        return
    delete = config.deletion.delete
    uc = config.update_check
    if delete:
        warn_about_target_prefix(config, run)
    shard = (
        RunKeyRange.between(config.key_range, source.features, target.features)
        if config.key_range is not None
        else None
    )
    lists_target = delete or not uc.remove_modified_filter
    if lists_target:
        mode = comparison_mode(source.features, target.features)
        log_comparison_mode(mode)
        if mode.sorted_merge:
            await _run_merged(config, source, target, strategy, callbacks, clock, run, shard,
                              normalised_source=mode.normalised_source)
            return
    target_map: KeyMap | None = None
    if lists_target:
        target_map = KeyMap(store_keys=delete)
        options = _listing_options(config, target, run, shard.target_listing_hint if shard is not None else None)
        ok = await _until_stopped(run, lambda: _fill_map(target, options, target_map, shard))
        if not ok:
            return
    source_map = _SourceKeys(target.features.stores_directories) if delete else None
    syncer, rules, checker = _object_syncer(config, source, target, strategy, target_map, clock, run)
    listed_target = target_map if target_map is not None and checker.mode.lists_target else None
    lookup = _MapLookup(listed_target, source_map)
    source_options = _source_listing_options(config, source, run, shard)
    if not await _until_stopped(
        run, lambda: _sync_phase(config, source, source_options, syncer, rules, callbacks, lookup, shard, run)
    ):
        return
    if delete and target_map is not None and source_map is not None and deletion_allowed(run):
        candidates = target_only_keys(config, target_map, source_map.keys)
        if_match = ConditionalWritePolicy(config.conditions, target_map).for_delete
        await _until_stopped(
            run, lambda: delete_target_only(config, target, candidates, run, if_match=if_match)
        )


async def _run_merged(
    config: SyncConfig,
    source: ObjectStorage,
    target: ObjectStorage,
    strategy: StrategyFactory,
    callbacks: SyncCallbacks,
    clock: Clock,
    run: RunContext,
    shard: RunKeyRange | None,
    *,
    normalised_source: bool,
) -> None:
    """The sync and --delete phases with the target read by sorted merge, in step with the source listing.

    `normalised_source`: the source's keys name files of a local target (irregular ones are kept aside).
    """
    delete = config.deletion.delete
    max_delete = config.deletion.max_delete
    irregular = IrregularKeys() if normalised_source else None
    candidates = (
        DeleteCandidates(
            KeyMap(store_keys=True),
            limit=max_delete + 1 if max_delete is not None and irregular is None else None,
            protect=delete_protection(config),
        )
        if delete
        else None
    )
    in_flight = InFlightEntries()
    syncer, rules, checker = _object_syncer(config, source, target, strategy, in_flight, clock, run)
    target_options = dataclasses.replace(
        _listing_options(config, target, run, shard.target_listing_hint if shard is not None else None),
        key_order=True,
    )
    source_options = dataclasses.replace(_source_listing_options(config, source, run, shard), key_order=True)

    async def sync_phase() -> None:
        cursor = TargetCursor(target.list_objects(target_options), shard, candidates)
        lookup = _MergeLookup(cursor, in_flight, irregular, listed_target=checker.mode.lists_target, drain=delete)
        try:
            await _sync_phase(config, source, source_options, syncer, rules, callbacks, lookup, shard, run)
        finally:
            await cursor.close()

    if not await _until_stopped(run, sync_phase):
        return
    if candidates is not None and deletion_allowed(run):
        keys = list(candidates.found.keys())
        if irregular is not None:
            keys = [key for key in keys if key not in irregular.files]
        if_match = ConditionalWritePolicy(config.conditions, candidates.found).for_delete
        await _until_stopped(run, lambda: delete_target_only(config, target, keys, run, if_match=if_match))


class _MapLookup:
    """Key-map mode: each source object's entry from the target map; the source keys kept for --delete."""

    def __init__(self, target_map: KeyMap | None, source_map: _SourceKeys | None) -> None:
        self.listed_target = target_map is not None
        self._target_map = target_map
        self._source_map = source_map

    async def entry_for(self, obj: ObjectInfo) -> TargetEntry | None:
        if self._source_map is not None and obj.key:
            # Taken before filtering, so filtered source objects still protect their target copies.
            self._source_map.add(obj)
        found = self._target_map.get(obj.key) if self._target_map is not None else None
        return TargetEntry(*found) if found is not None else None

    def release(self, key: str) -> None:
        """Nothing to forget: the map lives for the run."""

    async def finish(self) -> None:
        """Nothing left: the target was listed before the source."""


class _MergeLookup:
    """Sorted-merge mode: each source object's entry from the target cursor, held while the object is synced.

    Every listed source key moves the cursor, before any filter, so filtered source objects still protect their
    target copies, as in key-map mode.
    """

    def __init__(
        self,
        cursor: TargetCursor,
        in_flight: InFlightEntries,
        irregular: IrregularKeys | None,
        *,
        listed_target: bool,
        drain: bool,
    ) -> None:
        self.listed_target = listed_target
        self._cursor = cursor
        self._irregular = irregular
        self._in_flight = in_flight
        self._drain = drain

    async def entry_for(self, obj: ObjectInfo) -> TargetEntry | None:
        if not obj.key:
            return None  # the object named like the prefix: the target listing never has it
        if self._irregular is not None and self._irregular.take(obj.key):
            return None  # its raw key is never listed by the local target (see application/pipeline/target_merge.py)
        found: ListedEntry | None = await self._cursor.entry_for(obj.key)
        if found is None:
            return None
        self._in_flight.hold(obj.key, found)
        return TargetEntry(*found) if self.listed_target else None

    def release(self, key: str) -> None:
        self._in_flight.release(key)

    async def finish(self) -> None:
        """The source listing ended: with --delete, the rest of the target listing is target-only."""
        if self._drain:
            await self._cursor.finish()


_Lookup = _MapLookup | _MergeLookup


def _object_syncer(
    config: SyncConfig,
    source: ObjectStorage,
    target: ObjectStorage,
    strategy: StrategyFactory,
    target_map: ListedEntries | None,
    clock: Clock,
    run: RunContext,
) -> tuple[ObjectSyncer, PlanRules, UpdateChecker]:
    """The per-object machinery of a sync phase: the update checker, the plan's rules and the syncer."""
    settings = config.object_settings
    checker = UpdateChecker(settings, config.direction, source, target, target_map, run)
    rules = PlanRules(
        filters=build_filter_chain(config.filters),
        mode=checker.mode,
        head_required=checker.head_required,
        target_stores_directories=target.features.stores_directories,
    )
    conditions = ConditionalWritePolicy(config.conditions, target_map)
    syncer = ObjectSyncer(
        strategy=strategy(settings, source, target, run),
        target=target,
        checker=checker,
        rules=rules,
        force_retry=config.force_retry,
        dry_run=config.dry_run,
        run=run,
        clock=clock,
        ignore_glacier_warnings=config.ignore_glacier_warnings,
        conditions=conditions,
        latest_tagging=(
            LatestTagging(source, target, dry_run=config.dry_run, limits=run.limits)
            if config.tagging.sync_latest_tagging
            else None
        ),
    )
    return syncer, rules, checker


async def _run_versioned(
    config: SyncConfig,
    source: ObjectStorage,
    target: ObjectStorage,
    strategy: StrategyFactory,
    callbacks: SyncCallbacks,
    clock: Clock,
    run: RunContext,
) -> None:
    """--enable-versioning / --point-in-time: no target listing, the source read through its versions."""
    ready: list[bool] = []

    async def check() -> None:
        ready.append(await versioning_prerequisites_met(config, source, target, run))

    if not await _until_stopped(run, check) or not ready[0]:
        return
    syncer, rules, _ = _object_syncer(config, source, target, strategy, None, clock, run)
    phase = VersionedPhase(config, source, target, syncer, rules, user_filter_of(callbacks), run)
    await _until_stopped(run, phase.run)


def _listing_options(
    config: SyncConfig, storage: ObjectStorage, run: RunContext, key_range: KeyRange | None
) -> ListingOptions:
    """Storages without stored ETags (local files) compute them while listing in --check-etag mode.

    Not with --auto-chunksize: the comparison then happens per object with the S3 side's part sizes.
    `key_range` lets the storage narrow its listing to the run's shard.
    """
    transfer = config.transfer
    uc = config.update_check
    parallel, depth = listing_parallelism(config)
    hashes = not storage.features.has_etags and uc.check_etag and not transfer.auto_chunksize
    hashes = hashes and not uc.remove_modified_filter
    return ListingOptions(
        etag_threshold=transfer.multipart_threshold if hashes else None,
        etag_chunksize=transfer.multipart_chunksize if hashes else None,
        max_keys=transfer.max_keys,
        parallel_listings=parallel,
        parallel_depth=depth,
        key_range=key_range,
        before_page=run.limits.before_page,
    )


def _source_listing_options(
    config: SyncConfig, source: ObjectStorage, run: RunContext, shard: RunKeyRange | None
) -> ListingOptions:
    """The source listing also yields a key equal to the prefix (empty key): the reference counts it as skipped."""
    options = _listing_options(config, source, run, shard.source_listing_hint if shard is not None else None)
    return dataclasses.replace(options, include_prefix_key=True)


class _SourceKeys:
    """The source keys --delete keeps, in the form the target lists them under.

    A local target lists the file a key was written to, which collapses empty segments (`/a` -> `a`); an S3
    target lists keys as they are. Two source keys may then name one file (`a//b`, `a/b`): kept once.
    """

    def __init__(self, target_stores_directories: bool) -> None:
        self.keys = KeyMap(store_keys=True)
        self._local = target_stores_directories

    def add(self, obj: ObjectInfo) -> None:
        if not self._local:
            _add_listed(self.keys, obj, obj.key, "source")
            return
        key = local_listing_key(obj.key)
        if key not in self.keys:
            _add_listed(self.keys, obj, key, "source")


def _add_listed(key_map: KeyMap, obj: ObjectInfo, key: str, side: str) -> None:
    """Add one listed object; a key listed twice (a server fault) is a listing error, not a crash."""
    try:
        key_map.add(key, obj.size, obj.mtime_secs, obj.e_tag)
    except ValueError as exc:
        raise StorageError(f"the {side} listing cannot be used: {exc}", operation="list", key=obj.key) from exc


async def _fill_map(
    storage: ObjectStorage, options: ListingOptions, key_map: KeyMap, shard: RunKeyRange | None
) -> None:
    async for obj in storage.list_objects(options):
        if shard is None or shard.keeps_target(obj.key):
            _add_listed(key_map, obj, obj.key, "target")
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("target listing finished.", extra={"fields": {"objects": len(key_map)}})


async def _sync_phase(
    config: SyncConfig,
    source: ObjectStorage,
    listing: ListingOptions,
    syncer: ObjectSyncer,
    rules: PlanRules,
    callbacks: SyncCallbacks,
    lookup: _Lookup,
    shard: RunKeyRange | None,
    run: RunContext,
) -> None:
    totals = run.report.totals
    planned = _planned(listing, source, syncer, rules, user_filter_of(callbacks), lookup, shard, totals)

    async def work(item: _Work) -> None:
        obj, plan = item
        try:
            outcome = await syncer.carry_out(obj, plan)
        finally:
            lookup.release(obj.key)
        if outcome is not Outcome.TRANSFERRED:
            totals.withdraw(obj.size, count_object=outcome is not Outcome.NO_CONTENT)

    transfer = config.transfer
    await run_worker_pool(
        planned, work, workers=transfer.worker_size, queue_size=transfer.object_listing_queue_size
    )


async def _planned(
    listing: ListingOptions,
    source: ObjectStorage,
    syncer: ObjectSyncer,
    rules: PlanRules,
    user_filter: UserFilter | None,
    lookup: _Lookup,
    shard: RunKeyRange | None,
    totals: TransferTotals,
) -> AsyncGenerator[_Work, None]:
    """The listed source objects with their plans; skips are recorded here and never reach a worker."""
    listed_target = lookup.listed_target
    async for obj in source.list_objects(listing):
        if shard is not None and not shard.keeps_source(obj.key):
            # Another shard's object: not listed by this run at all (neither synced, nor skipped, nor kept).
            continue
        entry = await lookup.entry_for(obj)
        plan: ObjectPlan | None
        if user_filter is None:
            plan = plan_object(obj, entry, rules, listed_target=listed_target)
        else:
            plan = plan_filters(obj, rules) or await user_filter.plan(obj)
            if plan is None:
                plan = plan_after_filters(obj, entry, rules, listed_target=listed_target)
        if isinstance(plan, Skip):
            lookup.release(obj.key)
            syncer.record_skip(obj, plan)
            continue
        totals.add(obj.size)
        yield obj, plan
    # Reached only when the listing completed: a failing or cancelled listing ends the whole worker pool.
    totals.listing_complete = True
    await lookup.finish()
