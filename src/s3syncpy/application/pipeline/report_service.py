"""run_report: report mode (--report-sync-status), which compares every source object with its copy and transfers
nothing.

The pipeline is the sync's without the target listing and without writes: the source listing -> the built-in
filters -> the user-defined filter -> a bounded queue -> N workers. Per object a worker HEADs the target (a stat
for a local file) and compares as the reference's report does (domain/sync_report.py has the rules and the
records), with the update check's ETag or checksum detector; with --report-metadata-sync-status or
--report-tagging-sync-status it also HEADs the source and compares metadata and tags. Each finding is one INFO
record on the "s3syncpy.report" logger; the counters land in `SyncReport.sync_status`, which the CLI logs as the
REPORT_SUMMARY record once the run ended without error (as the reference's CLI does; a sharded run's counters are
added up first).

As in the reference, report mode treats warnings as errors (a source object that vanished before its HEAD, an
unreadable local file end the run with exit 1), except that a directory-traversal key on a local target is only
reported NOT_FOUND.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncGenerator

from s3syncpy.application.pipeline.key_ranges import RunKeyRange
from s3syncpy.application.pipeline.phases import pipeline_lifecycle, run_until_stopped
from s3syncpy.application.pipeline.worker_pool import run_worker_pool
from s3syncpy.application.ports.callbacks import SyncCallbacks
from s3syncpy.application.ports.clock import Clock
from s3syncpy.application.ports.storage import ListingOptions, ObjectStorage, StorageFeatures
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.run_context import RunContext, logger
from s3syncpy.application.run.tracing import REPORT_LOGGER_NAME
from s3syncpy.application.run.user_filter import UserFilter, user_filter_of
from s3syncpy.application.settings.config import ObjectSettings, ReportSettings, SyncConfig
from s3syncpy.application.settings.sections import UpdateCheck
from s3syncpy.application.transfer.force_retry import ForceRetrier, RetryGivenUp
from s3syncpy.application.transfer.update_check import HeadComparison, UpdateChecker
from s3syncpy.domain.errors import (
    ObjectNotFoundError,
    StorageError,
    UnsupportedLocalNameError,
)
from s3syncpy.domain.filters import build_filter_chain
from s3syncpy.domain.keys import is_traversal_key
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.plan import PlanRules, SkipReason, plan_filters
from s3syncpy.domain.sync_report import (
    ContentComparison,
    ReportRecord,
    ReportSummary,
    ReportType,
    checksum_record,
    etag_record,
    existence_record,
    metadata_records,
    tagging_record,
)

report_logger = logging.getLogger(REPORT_LOGGER_NAME)



def report_object_settings(config: SyncConfig) -> ObjectSettings:
    """The per-object settings of a report run: the reference forces --head-each-target and
    --remove-modified-filter, and --check-etag unless --check-additional-checksum is given."""
    uc = config.update_check
    comparison = ContentComparison.for_options(
        check_size=uc.check_size, check_additional_checksum=uc.check_additional_checksum
    )
    forced = UpdateCheck(
        check_size=comparison is ContentComparison.NONE,
        check_etag=comparison is ContentComparison.ETAG,
        check_additional_checksum=uc.check_additional_checksum if comparison is ContentComparison.CHECKSUM else None,
        remove_modified_filter=True,
        head_each_target=True,
    )
    return dataclasses.replace(config.object_settings, update_check=forced)


async def run_report(
    config: SyncConfig,
    source: ObjectStorage,
    target: ObjectStorage,
    clock: Clock,
    cancel: asyncio.Event,
    *,
    run: RunContext,
    callbacks: SyncCallbacks | None = None,
) -> SyncReport:
    """Report how far `target` is in sync with `source`, as `config` says, without writing anything.

    Args:
        config: validated settings with `report.sync_status` set.
        source / target: the two storages (their lifetime is the caller's).
        clock: time source for the duration.
        cancel: set it to stop the run (Ctrl-C); the report is then marked cancelled.
        run: the run context (its warn-as-error must be on, as report mode forces it).
        callbacks: user code; its filter runs after the built-in filters.

    Returns:
        The report; `sync_status` holds the counters, `exit_code` is 3 when anything is missing, differs or could
        not be compared.
    """
    report = run.report
    summary = report.sync_status = ReportSummary()
    reporter = _ObjectReporter(config, source, target, run, summary, clock)
    async with pipeline_lifecycle(run, cancel, clock):
        await run_until_stopped(run, lambda: _report_phase(config, source, reporter, callbacks, run))
    return report


async def _report_phase(
    config: SyncConfig,
    source: ObjectStorage,
    reporter: _ObjectReporter,
    callbacks: SyncCallbacks | None,
    run: RunContext,
) -> None:
    listed = _listed(config, source, reporter.target_features, reporter.rules, user_filter_of(callbacks), run)
    transfer = config.transfer
    await run_worker_pool(
        listed, reporter.report, workers=transfer.worker_size, queue_size=transfer.object_listing_queue_size
    )


async def _listed(
    config: SyncConfig,
    source: ObjectStorage,
    target_features: StorageFeatures,
    rules: PlanRules,
    user_filter: UserFilter | None,
    run: RunContext,
) -> AsyncGenerator[ObjectInfo, None]:
    """The source objects to report on: the run's shard, past the built-in and the user-defined filters."""
    shard = (
        RunKeyRange.between(config.key_range, source.features, target_features)
        if config.key_range is not None
        else None
    )
    # Report mode writes nothing, but its listing's pages still take --rate-limit-objects tokens, as every S3
    # listing's do.
    options = ListingOptions(
        max_keys=config.transfer.max_keys,
        key_range=shard.source_listing_hint if shard is not None else None,
        before_page=run.limits.before_page,
    )
    async for obj in source.list_objects(options):
        if shard is not None and not shard.keeps_source(obj.key):
            continue
        if plan_filters(obj, rules) is not None:
            run.stats.skipped += 1
            continue
        if user_filter is not None and await user_filter.plan(obj) is not None:
            run.stats.skipped += 1
            continue
        yield obj


class _ObjectReporter:
    """Compares one object at a time and logs and counts what it finds; shared by all workers."""

    def __init__(
        self,
        config: SyncConfig,
        source: ObjectStorage,
        target: ObjectStorage,
        run: RunContext,
        summary: ReportSummary,
        clock: Clock,
    ) -> None:
        settings = report_object_settings(config)
        # A report's requests only read: retrying one repeats nothing visible.
        self._retrier = ForceRetrier(config.force_retry, run, clock)
        uc = settings.update_check
        self._comparison = ContentComparison.for_options(
            check_size=uc.check_size, check_additional_checksum=uc.check_additional_checksum
        )
        self._algorithm = uc.check_additional_checksum
        self._checker = UpdateChecker(settings, config.direction, source, target, None, run)
        self.rules = PlanRules(
            filters=build_filter_chain(config.filters),
            mode=self._checker.mode,
            head_required=True,
            target_stores_directories=target.features.stores_directories,
        )
        self._options: ReportSettings = config.report
        self._both_s3 = not config.direction.from_local and not config.direction.to_local
        self._source = source
        self._target = target
        self.target_features = target.features
        self._run = run
        self._summary = summary

    async def report(self, obj: ObjectInfo) -> None:
        """Report one listed, filtered object; failures are recorded in the run context (the run then stops)."""
        if self._run.stopping:
            return
        try:
            await self._report(obj)
        except UnsupportedLocalNameError as exc:
            # A key the local target's disk cannot hold is never there: reported missing with the reason, as a
            # traversal key is, instead of ending the report.
            self._run.warn(str(exc), key=obj.key)
            self._log(existence_record(obj))
        except RetryGivenUp:
            pass  # the force retry recorded the error (nothing, when the run is stopping)
        except StorageError as exc:
            self._run.error("head_object() failed.", key=obj.key, error=str(exc))

    async def _report(self, obj: ObjectInfo) -> None:
        directory_tree = self._target.features.stores_directories
        if directory_tree and obj.is_directory_marker and obj.size != 0:
            # A directory cannot hold bytes: the reference skips such a key before counting it, with a warning
            # record that does not raise the warning flag.
            self._run.stats.skipped += 1
            logger.warning(SkipReason.INCOMPATIBLE_MARKER.value, extra={"fields": {"key": obj.key}})
            return
        self._summary.number_of_objects += 1
        if directory_tree and is_traversal_key(obj.key):
            self._run.warn("object references a current/parent directory.", key=obj.key)
            self._log(existence_record(obj))
            return
        if directory_tree and obj.is_directory_marker:
            # An empty marker is a directory here: it is in sync when the directory exists (no bytes to compare).
            if await self._retrier.call(obj.key, lambda: self._target.head_object(obj.key)) is None:
                self._log(existence_record(obj))
            return
        comparison = await self._retrier.call(obj.key, lambda: self._checker.compare(obj))
        if comparison.target is None:
            self._log(existence_record(obj))
        else:
            self._report_content(comparison, comparison.target)
        if self._options.metadata or self._options.tagging:
            await self._report_attributes(obj, comparison.target)

    def _report_content(self, comparison: HeadComparison, target: ObjectDetails) -> None:
        decision = comparison.decision
        if self._comparison is ContentComparison.NONE:
            return
        if decision.warning:
            # An UNKNOWN (SSE-KMS ETag, a missing checksum) or equal values over different sizes: a warning too.
            self._run.warn(decision.reason.value, key=comparison.source.key)
        if self._comparison is ContentComparison.CHECKSUM and self._algorithm is not None:
            record = checksum_record(
                comparison.source, target, decision, self._algorithm,
                comparison.source_checksum, comparison.target_checksum,
            )
        else:
            record = etag_record(comparison.source, target, decision, both_s3=self._both_s3)
        self._log(record)

    async def _report_attributes(self, obj: ObjectInfo, target: ObjectDetails | None) -> None:
        """Metadata and tags; a target that does not exist was reported NOT_FOUND already and is skipped here."""
        source = await self._retrier.call(
            obj.key, lambda: self._source.head_object(obj.key, version_id=obj.version_id)
        )
        if source is None:
            # Listed but gone: one of the warnings report mode turns into errors.
            self._run.skip_warning("object not found. skipping.", key=obj.key)
            return
        if target is None:
            return
        if self._options.metadata:
            records, overall = metadata_records(source, target)
            for record in records:
                report_logger.info(record.message, extra={"fields": record.fields})
            self._summary.count(ReportType.METADATA, overall)
        if self._options.tagging:
            source_tags = await self._retrier.call(
                obj.key, lambda: self._source.get_object_tagging(obj.key, version_id=obj.version_id)
            ) if source.tag_count > 0 else {}
            try:
                target_tags = await self._retrier.call(
                    obj.key, lambda: self._target.get_object_tagging(obj.key)
                )
            except ObjectNotFoundError:
                return
            self._log(tagging_record(obj.key, obj.version_id, source_tags, target_tags))

    def _log(self, record: ReportRecord) -> None:
        self._summary.count(record.kind, record.status)
        report_logger.info(record.message, extra={"fields": record.fields})
