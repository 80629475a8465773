"""ObjectSyncer: what a worker does with one listed object, wrapped in the reference's per-object force retry
(application/transfer/force_retry.py).

Per object: the plan (computed in the listing stage) -> [HEAD the target: layer B of the update check; with
--sync-latest-tagging an up-to-date object may still get the source's tags] -> the write's preconditions -> the
run's transfer strategy (read, write, verify; in a dry run only what the strategy reads first) -> count. "Skip" is a plan value; errors are classified in one place.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from s3syncpy.application.ports.callbacks import EventType
from s3syncpy.application.ports.clock import Clock
from s3syncpy.application.ports.storage import ObjectStorage, PutRequest
from s3syncpy.application.run.run_context import RunContext, log_enabled, logger
from s3syncpy.application.settings.sections import ForceRetry
from s3syncpy.application.settings.write_settings import ConditionalWrites
from s3syncpy.application.transfer.content import EmptyContent
from s3syncpy.application.transfer.force_retry import ForceRetrier, RetryGivenUp
from s3syncpy.application.transfer.latest_tagging import LatestTagging
from s3syncpy.application.transfer.source_layout import LayoutError
from s3syncpy.application.transfer.strategies.base import PutFailedError, TransferStrategy
from s3syncpy.application.transfer.update_check import HeadCheck, UpdateChecker
from s3syncpy.application.transfer.write_conditions import ConditionalWritePolicy
from s3syncpy.domain.errors import (
    AccessDeniedError,
    DirectoryTraversalError,
    InvalidObjectStateError,
    ObjectNotFoundError,
    PreconditionFailedError,
    StorageError,
    UnsupportedLocalNameError,
)
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.plan import (
    NeedsHead,
    ObjectPlan,
    ObjectTooLargeError,
    PlanRules,
    Skip,
    SkipReason,
    plan_after_head,
)
from s3syncpy.domain.timeparse import format_rfc3339_millis

_T = TypeVar("_T")

# The flow of an object whose plan needed no HEAD of the target.
NOT_HEADED = HeadCheck(True, "", None, headed=False)


class Outcome(enum.Enum):
    """How one object's work ended, as far as the totals of what is left to transfer care."""

    TRANSFERRED = "transferred"  # written (or, in a dry run, would be): its bytes counted as they were sent
    # Counted as a transferred object without its content: a tags-only update, a directory created.
    NO_CONTENT = "no content"
    # Skipped once a worker looked at it (HEAD, a filter reading it), or the target refused the bytes.
    NOT_TRANSFERRED = "not transferred"
    FAILED = "failed"  # an error or warning ended it


class ObjectSyncer:
    """Synchronises single objects from source to target; one instance is shared by all workers."""

    def __init__(
        self,
        *,
        strategy: TransferStrategy,
        target: ObjectStorage,
        checker: UpdateChecker,
        rules: PlanRules,
        force_retry: ForceRetry,
        dry_run: bool,
        run: RunContext,
        clock: Clock,
        ignore_glacier_warnings: bool = False,
        conditions: ConditionalWritePolicy | None = None,
        latest_tagging: LatestTagging | None = None,
    ) -> None:
        """Args (beyond the parts of the flow they name):
            conditions: builds each write's preconditions (the conditional-write options); None: none.
            latest_tagging: --sync-latest-tagging, for objects the update check finds up to date; None: off.
            ignore_glacier_warnings: an InvalidObjectState GET is skipped silently.
        """
        self._conditions = conditions or ConditionalWritePolicy(ConditionalWrites(), None)
        self._latest_tagging = latest_tagging
        self._strategy = strategy
        self._target = target
        self._checker = checker
        self._rules = rules
        self._retrier = ForceRetrier(force_retry, run, clock)
        self._dry_run = dry_run
        self._run = run
        self._stats = run.stats
        self._ignore_glacier_warnings = ignore_glacier_warnings

    def _emit(self, event_type: EventType, obj: ObjectInfo, **fields: Any) -> None:
        """Emit an event carrying the source's fields, built only when an event callback listens.

        Why: the fields (an RFC 3339 time each) cost more than the rest of a skip, and every object emits two.
        """
        events = self._run.events
        if events.enabled:
            events.emit(event_type, key=obj.key, **_source_fields(obj), **fields)

    def record_skip(self, obj: ObjectInfo, skip: Skip) -> None:
        """Count a skipped object (a directory-traversal key is a warning instead, as in the reference)."""
        reason = skip.reason
        if reason is SkipReason.TRAVERSAL_KEY:
            self._run.skip_warning(f"{reason.value} key={obj.key}", key=obj.key)
            return
        self._stats.skipped += 1
        self._emit(EventType.SYNC_FILTERED, obj, message=skip.message, **dict(skip.event_fields))
        if reason is SkipReason.INCOMPATIBLE_MARKER:
            # The reference logs this without raising the warning flag.
            logger.warning(reason.value, extra={"fields": {"key": obj.key}})
        elif reason is not SkipReason.NAMES_THE_PREFIX and log_enabled(logging.DEBUG):
            logger.debug("object filtered.", extra={"fields": {"key": obj.key, "filter": skip.filter_name or
                                                               "update-check"}})

    async def sync(self, obj: ObjectInfo, plan: ObjectPlan) -> bool:
        """Carry out a plan with force retry; records skips, warnings and errors in the run context.

        Returns:
            True when the plan was carried out (a skip plan included), False when the object failed or was
            skipped after an error (a versioned run then stops replaying that key's history).
        """
        return await self.carry_out(obj, plan) is not Outcome.FAILED

    async def carry_out(self, obj: ObjectInfo, plan: ObjectPlan) -> Outcome:
        """`sync`, telling how the object's work ended."""
        if isinstance(plan, Skip):
            self.record_skip(obj, plan)
            return Outcome.NOT_TRANSFERRED
        try:
            outcome = await self.retried(obj, lambda: self._attempt(obj, plan))
        except (DirectoryTraversalError, UnsupportedLocalNameError) as exc:
            # A key the local target cannot hold (outside it, or a name its disk refuses): skipped, a warning.
            self._run.skip_warning(str(exc), key=obj.key)
            return Outcome.FAILED
        except (LayoutError, ObjectTooLargeError) as exc:
            # The sanity checks of --auto-chunksize and S3's size limit: an error of the object, not retried.
            self._run.error(str(exc), key=obj.key)
            return Outcome.FAILED
        return Outcome.FAILED if outcome is None else outcome

    async def retried(self, obj: ObjectInfo, work: Callable[[], Awaitable[_T]]) -> _T | None:
        """`work` for `obj` under the run's force retry; a failure is classified and recorded as the object's.

        Returns:
            What `work` returned; None when it failed (the warning or error is counted).
        """
        try:
            return await self._retrier.call(obj.key, work)
        except RetryGivenUp:
            return None  # the force retry recorded what there was to record
        except StorageError as exc:
            self._record_failure(exc, obj)
            return None

    def _record_failure(self, exc: StorageError, obj: ObjectInfo) -> None:
        """Record a failure of work on `obj` that is not retried, as the reference classifies it: a skip with
        a warning (not found, access denied, a failed precondition, InvalidObjectState) or an error; nothing
        once the run is stopping."""
        if self._run.stopping:
            return
        if isinstance(exc, ObjectNotFoundError):
            self._run.skip_warning("object not found. skipping.", key=obj.key)
        elif isinstance(exc, AccessDeniedError):
            self._run.skip_warning("access denied. skipping.", key=obj.key)
        elif isinstance(exc, PreconditionFailedError):
            self._run.skip_warning(
                "precondition(if-match/if-none-match/copy-source-if-match) failed. skipping.", key=obj.key
            )
        elif isinstance(exc, InvalidObjectStateError):
            if self._ignore_glacier_warnings:
                # --ignore-glacier-warnings: skipped silently (no warning, no count), as the reference does.
                logger.debug("Ignoring Glacier InvalidObjectState. Skipping.", extra={"fields": {"key": obj.key}})
            else:
                self._run.skip_warning("Glacier InvalidObjectState. Skipping.", key=obj.key)
        else:
            self._run.error("non force retryable error has occurred.", key=obj.key, error=str(exc))

    async def _attempt(self, obj: ObjectInfo, plan: ObjectPlan) -> Outcome:
        """One attempt of the flow; a failed write counts the reference's extra warning, then fails as its
        cause."""
        try:
            return await self._sync_once(obj, plan)
        except PutFailedError as failed:
            self._run.warn("failed to put object.", key=obj.key, error=str(failed.cause))
            raise failed.cause from None

    async def _sync_once(self, obj: ObjectInfo, plan: ObjectPlan) -> Outcome:
        head = NOT_HEADED
        if isinstance(plan, NeedsHead):
            head = await self._checker.needs_transfer(obj)
            if not head.transfer:
                if self._latest_tagging is not None and await self._latest_tagging.update(obj):
                    # The reference counts a tags-only update as a transferred object.
                    self._run.progress.object_done(obj.key)
                    self._emit(EventType.SYNC_COMPLETE, obj)
                    return Outcome.NO_CONTENT
                self._stats.skipped += 1
                self._emit(EventType.SYNC_FILTERED, obj, message=head.reason)
                return Outcome.NOT_TRANSFERRED
            plan = plan_after_head(obj, self._rules)
        assert not isinstance(plan, (Skip, NeedsHead))
        # Before the source is read (and in a dry run too): a key the target cannot hold is a warning, not a GET.
        await self._target.reserve_key(obj.key)
        if self._dry_run:
            rehearsed = await self._strategy.rehearse(obj)
            if isinstance(rehearsed, Skip):
                # Filter steps 9-14 still apply: they read a HEAD of the source instead of its GET.
                self.record_skip(obj, rehearsed)
                return Outcome.NOT_TRANSFERRED
            obj = rehearsed
            self._run.progress.object_done(obj.key, size=obj.size)
            self._emit(EventType.SYNC_COMPLETE, obj)
            logger.info("[dry-run] sync completed.", extra={"fields": self._strategy.completion_fields(obj)})
            return Outcome.TRANSFERRED
        self._emit(EventType.SYNC_START, obj)
        if plan.directory:
            # A directory marker on a directory tree: create the directory; nothing to read from the source.
            await self._put_directory(obj)
            self._run.progress.object_done(obj.key)
            self._emit(EventType.SYNC_COMPLETE, obj)
            return Outcome.NO_CONTENT
        conditions = self._conditions.for_write(obj, head.target, headed=head.headed)
        transferred = await self._strategy.transfer(obj, conditions)
        if transferred is None:
            return Outcome.NOT_TRANSFERRED  # the target refused the bytes; a warning was counted
        if isinstance(transferred, Skip):
            self.record_skip(obj, transferred)
            return Outcome.NOT_TRANSFERRED
        self._run.progress.object_done(transferred.key)
        self._emit(EventType.SYNC_COMPLETE, transferred)
        if log_enabled(logging.INFO):
            logger.info("sync completed.", extra={"fields": self._strategy.completion_fields(transferred)})
        return Outcome.TRANSFERRED

    async def _put_directory(self, obj: ObjectInfo) -> None:
        await self._run.limits.object()
        try:
            await self._target.put_object(obj.key, EmptyContent(obj), PutRequest(size=0))
        except (StorageError, OSError) as exc:
            cause = exc if isinstance(exc, StorageError) else StorageError(str(exc), operation="put", key=obj.key)
            raise PutFailedError(cause) from exc


def _source_fields(obj: ObjectInfo) -> dict[str, str | int | None]:
    """The source side's event fields (the reference's names)."""
    return {
        "source_version_id": obj.version_id,
        "source_last_modified": format_rfc3339_millis(obj.mtime_ns),
        "source_size": obj.size,
        "source_etag": obj.e_tag,
    }
