"""The sync phase of --enable-versioning and --point-in-time: the source read through its version listing.

    source ListObjectVersions, one list per key -> filters per entry -> a bounded queue -> N workers, one key each

* --enable-versioning: the target's versions of the key are listed and HEADed (one HEAD per target version) for
  their `s3sync_origin_version_id`; the source versions not copied yet are copied oldest first through the run's
  transfer strategy (each copy carries the origin metadata); the source's latest delete marker is replayed as a
  DeleteObject (domain/versions.plan_versioned_key). A re-run, or a run after an interrupted one, copies only
  what is missing. One exception keeps the target's current version the source's: an older version copied late
  (filtered out by an earlier run) is followed by the source's current version once more, since S3 cannot slot
  a version in below the key's newer ones. A run that stops (an error, Ctrl-C) starts no further version but
  lets a single-request copy or delete already under way finish: abandoned, it would still land on the target
  after the run, unseen by the re-run's look at the key.
* --point-in-time: the version current at T (domain/versions.version_at) is synced like a listed object, GET by
  its version id; keys deleted at T or created later are left alone.

Both need versioning Enabled: on both buckets for --enable-versioning, on the source for --point-in-time
(checked before anything is listed; otherwise the run ends with an error, exit 1).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from s3syncpy.application.pipeline.key_ranges import RunKeyRange
from s3syncpy.application.pipeline.phases import complete_despite_cancellation
from s3syncpy.application.pipeline.worker_pool import run_worker_pool
from s3syncpy.application.ports.callbacks import EventType
from s3syncpy.application.ports.storage import ListingOptions, ObjectStorage
from s3syncpy.application.run.run_context import RunContext, logger
from s3syncpy.application.run.user_filter import UserFilter
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.transfer.object_syncer import ObjectSyncer
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.plan import TRANSFER, PlanRules, plan_after_listing, plan_filters
from s3syncpy.domain.time_units import NANOS_PER_MILLI
from s3syncpy.domain.versions import (
    ORIGIN_VERSION_ID_KEY,
    ObjectVersion,
    TargetVersion,
    plan_versioned_key,
    version_at,
)

ALREADY_SYNCED = "Object filtered. This version already synced."
VERSIONING_REQUIRED = "Versioning must be enabled on both buckets."
SOURCE_VERSIONING_REQUIRED = "Versioning must be enabled on the source bucket for --point-in-time."


@dataclass(frozen=True, slots=True)
class _KeyEntries:
    """One key's source entries as listed (newest first), and those the run's filters kept."""

    listed: list[ObjectVersion]
    kept: list[ObjectVersion]


async def versioning_prerequisites_met(config: SyncConfig, source: ObjectStorage, target: ObjectStorage,
                                       run: RunContext) -> bool:
    """Check the versioning status the mode needs; record the error and return False when it is missing.

    Raises:
        StorageError: the status could not be read (the caller records it as the run's error).
    """
    if config.versioning.enable_versioning:
        if not (source.features.supports_versioning and target.features.supports_versioning):
            run.error(VERSIONING_REQUIRED, count_object=False)
            return False
        if not (await source.versioning_enabled() and await target.versioning_enabled()):
            run.error(VERSIONING_REQUIRED, count_object=False)
            return False
        return True
    if not (source.features.supports_versioning and await source.versioning_enabled()):
        run.error(SOURCE_VERSIONING_REQUIRED, count_object=False)
        return False
    return True


class VersionedPhase:
    """Lists the source's versions and hands each key to a worker (see the module docstring)."""

    def __init__(
        self,
        config: SyncConfig,
        source: ObjectStorage,
        target: ObjectStorage,
        syncer: ObjectSyncer,
        rules: PlanRules,
        user_filter: UserFilter | None,
        run: RunContext,
    ) -> None:
        self._config = config
        self._source = source
        self._target = target
        self._syncer = syncer
        self._rules = rules
        self._user_filter = user_filter
        self._run = run
        # Both listings, the source's and each key's on the target, take a --rate-limit-objects token per page.
        self._options = ListingOptions(max_keys=config.transfer.max_keys, before_page=run.limits.before_page)
        # A shard of a distributed run (--key-range-start/-end) keeps only its keys; version listings cannot be
        # narrowed by the server, so the cut is made here.
        self._shard = (
            RunKeyRange.between(config.key_range, source.features, target.features)
            if config.key_range is not None
            else None
        )
        moment = config.versioning.point_in_time_ms
        self._moment_ns = None if moment is None else moment * NANOS_PER_MILLI

    async def run(self) -> None:
        """Run the phase to its end (a failing listing ends the worker pool, and so the phase)."""
        transfer = self._config.transfer
        await run_worker_pool(
            self._listed_keys(),
            self._work,
            workers=transfer.worker_size,
            queue_size=transfer.object_listing_queue_size,
        )

    async def _listed_keys(self) -> AsyncGenerator[_KeyEntries, None]:
        async for entries in self._source.list_object_versions(self._options):
            if self._shard is not None and not self._shard.keeps_source(entries[0].key):
                continue
            kept = [entry for entry in entries if await self._passes_filters(entry)]
            if kept:
                yield _KeyEntries(listed=entries, kept=kept)

    async def _passes_filters(self, entry: ObjectVersion) -> bool:
        skip = plan_filters(entry.info, self._rules)
        if skip is None and self._user_filter is not None:
            skip = await self._user_filter.plan(entry.info)
        if skip is None:
            return True
        self._syncer.record_skip(entry.info, skip)
        return False

    async def _work(self, entries: _KeyEntries) -> None:
        if self._run.stopping:
            return
        if self._moment_ns is not None:
            await self._sync_point_in_time(entries.kept, self._moment_ns)
        else:
            await self._sync_versions(entries)

    async def _sync_point_in_time(self, entries: list[ObjectVersion], moment_ns: int) -> None:
        current = version_at(entries, moment_ns)
        if current is None:
            return
        obj = current.info
        await self._syncer.sync(obj, plan_after_listing(obj, self._rules))

    async def _sync_versions(self, entries: _KeyEntries) -> None:
        first = entries.kept[0]
        key = first.key
        target_versions = await self._syncer.retried(first.info, lambda: self._target_versions(key))
        if target_versions is None:
            return
        # The whole listed history decides what the source's current entry is, the kept entries what is copied.
        plan = plan_versioned_key(entries.listed, target_versions, entries.kept)
        for synced in plan.already_synced:
            self._run.stats.skipped += 1
            self._run.events.emit(EventType.SYNC_FILTERED, key=key, message=ALREADY_SYNCED,
                                  source_version_id=synced.version_id)
        for version in plan.copies:
            # A version that could not be copied ends the key's replay: a later version copied before it would
            # put the target's history out of order (a re-run copies the rest, in order).
            if self._run.stopping or not await self._copy(version):
                return
        if plan.rewrite_current is not None and not self._run.stopping:
            await self._copy(plan.rewrite_current)
        if plan.replay_delete and not self._run.stopping:
            await self._syncer.retried(entries.listed[0].info,
                                       lambda: complete_despite_cancellation(self._replay_delete(key)))

    async def _copy(self, version: ObjectVersion) -> bool:
        """Copy one version; one copied in a single request is finished even when the run stops meanwhile.

        A stop (an error elsewhere, Ctrl-C) cancels the phase. A PutObject or CopyObject cancelled after it left
        still lands on the target, later, unseen by the re-run's look at the key: the version would be copied
        twice. A multipart copy is aborted on cancellation and never lands, so it is not waited for.
        """
        copy = self._syncer.sync(version.info, TRANSFER)
        if etag_math.is_multipart(version.info.size, self._config.transfer.multipart_threshold):
            return await copy
        return await complete_despite_cancellation(copy)

    async def _target_versions(self, key: str) -> list[TargetVersion]:
        """The target's versions of `key` with their origin ids: one listing, one HEAD per version."""
        versions: list[ObjectVersion] = []
        async for found in self._target.list_object_versions(self._options, key=key):
            versions.extend(entry for entry in found if not entry.delete_marker)
        heads = await asyncio.gather(
            *(self._target.head_object(key, version_id=entry.version_id) for entry in versions)
        )
        return [
            TargetVersion(
                is_latest=entry.is_latest,
                origin_version_id=None if head is None else head.user_metadata.get(ORIGIN_VERSION_ID_KEY),
            )
            for entry, head in zip(versions, heads, strict=True)
        ]

    async def _replay_delete(self, key: str) -> None:
        if not self._config.dry_run:
            await self._target.delete_object(key)
        self._run.stats.deleted += 1
        self._run.events.emit(EventType.SYNC_DELETE, key=key)
        if logger.isEnabledFor(logging.INFO):
            done = "[dry-run] delete completed." if self._config.dry_run else "delete completed."
            logger.info(done, extra={"fields": {"key": key, "target_key": self._target.describe(key)}})
