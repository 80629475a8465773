"""UpdateChecker: the two layers of the incremental check (reference §3) wired to the storages.

Layer A runs in the listing stage against the target key map; layer B runs in the workers with a HEAD of the
target (a stat for local targets). The rules themselves are pure functions in domain/decisions.py.
"""

from __future__ import annotations

import dataclasses
import logging

from s3syncpy._speedups import KeyMap
from s3syncpy.application.config import SyncConfig
from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.run_context import RunContext, logger
from s3syncpy.domain.decisions import (
    TargetEntry,
    UpdateMode,
    head_check_required,
    head_says_modified,
    listing_says_modified,
    needs_source_encryption,
)
from s3syncpy.domain.model import ObjectDetails, ObjectInfo


class UpdateChecker:
    """Answers "must this object be transferred?" for one run."""

    def __init__(
        self,
        config: SyncConfig,
        source: ObjectStorage,
        target: ObjectStorage,
        target_map: KeyMap | None,
        run: RunContext,
    ) -> None:
        uc = config.update_check
        self._mode = UpdateMode.from_options(
            check_size=uc.check_size,
            check_etag=uc.check_etag,
            remove_modified_filter=uc.remove_modified_filter,
            head_each_target=uc.head_each_target,
            source_is_local=source.is_local,
            target_is_local=target.is_local,
        )
        self._source = source
        self._target = target
        self._target_map = target_map
        self._run = run
        self._head_required = head_check_required(self._mode)

    def listing_says_modified(self, obj: ObjectInfo) -> bool:
        """Layer A: False when the target listing shows an up-to-date copy."""
        if self._target_map is None or not self._mode.lists_target:
            return True
        found = self._target_map.get(obj.key)
        entry = TargetEntry(*found) if found is not None else None
        return listing_says_modified(obj, entry, self._mode)

    async def needs_transfer(self, obj: ObjectInfo) -> bool:
        """Layer B (when this run has it): HEAD the target and ask the diff detector."""
        if not self._head_required:
            return True
        details = await self._target.head_object(obj.key)
        if details is not None and self._target.is_local and details.info.e_tag is None:
            details = self._with_listed_etag(details)
        source_encryption = None
        if needs_source_encryption(obj, details, self._mode):
            source_details = await self._source.head_object(obj.key, version_id=obj.version_id)
            source_encryption = source_details.encryption if source_details is not None else None
        decision = head_says_modified(obj, details, self._mode, source_encryption=source_encryption)
        if decision.warning:
            self._run.warn(decision.reason.value, key=obj.key)
        elif not decision.transfer and logger.isEnabledFor(logging.DEBUG):
            logger.debug(decision.reason.value, extra={"fields": {"key": obj.key}})
        return decision.transfer

    def _with_listed_etag(self, details: ObjectDetails) -> ObjectDetails:
        """A local stat has no ETag; the target listing computed one in --check-etag mode."""
        if self._target_map is None:
            return details
        found = self._target_map.get(details.info.key)
        if found is None or found[2] is None:
            return details
        return dataclasses.replace(details, info=dataclasses.replace(details.info, e_tag=found[2]))
