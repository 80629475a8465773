"""UpdateChecker: the two layers of the incremental check (the reference's update check) wired to the storages.

Layer A runs in the listing stage against the target key map; layer B runs in the workers with a HEAD of the
target (a stat for local targets). The rules themselves are pure functions in domain/decisions/; this module
fetches what they compare: the S3 side's ETag / checksum / part layout, and a local side's values computed over
the file (application/transfer/local_values.py).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.run.run_context import RunContext, logger
from s3syncpy.application.settings.config import ObjectSettings
from s3syncpy.application.transfer.listed_entries import ListedEntries
from s3syncpy.application.transfer.local_values import local_checksum, local_etag, local_etag_in_layout
from s3syncpy.application.transfer.source_layout import learn_parts
from s3syncpy.domain import checksums
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.decisions.head import (
    HeadDecision,
    HeadDetector,
    HeadReason,
    head_check_required,
    head_detector,
    head_says_modified,
    needs_source_encryption,
)
from s3syncpy.domain.decisions.listing import TargetEntry
from s3syncpy.domain.decisions.mode import UpdateMode
from s3syncpy.domain.direction import Direction
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo


@dataclass(frozen=True, slots=True)
class HeadCheck:
    """The answer of layer B for one object.

    Attributes:
        transfer: the object must be transferred.
        reason: why, in the reference's words.
        target: what the target's HEAD (or a local stat) found; None when absent or not HEADed.
        headed: the target was HEADed (else `target` says nothing).
    """

    transfer: bool
    reason: str
    target: ObjectDetails | None
    headed: bool = True


@dataclass(frozen=True, slots=True)
class HeadComparison:
    """What layer B found for one object, and what it compared (report mode shows all of it).

    Attributes:
        source: the source object; its `e_tag` computed over the file when the source is local (ETag detector).
        target: the target's HEAD (a local file's stat, its `info.e_tag` computed for the ETag detector); None when
            the target has no such object.
        decision: the detector's decision (TARGET_MISSING when the target is absent).
        source_checksum / target_checksum: the checksum detector's two values (a local side's computed).
    """

    source: ObjectInfo
    target: ObjectDetails | None
    decision: HeadDecision
    source_checksum: str | None = None
    target_checksum: str | None = None


class UpdateChecker:
    """Answers "must this object be transferred?" for one run."""

    def __init__(
        self,
        config: ObjectSettings,
        direction: Direction,
        source: ObjectStorage,
        target: ObjectStorage,
        target_map: ListedEntries | None,
        run: RunContext,
    ) -> None:
        uc = config.update_check
        self._mode = UpdateMode.from_options(
            check_size=uc.check_size,
            check_etag=uc.check_etag,
            remove_modified_filter=uc.remove_modified_filter,
            head_each_target=uc.head_each_target,
            direction=direction,
            check_mtime_and_etag=uc.check_mtime_and_etag,
            check_checksum=uc.check_additional_checksum is not None,
            check_mtime_and_checksum=uc.check_mtime_and_additional_checksum is not None,
            auto_chunksize=config.transfer.auto_chunksize,
        )
        self._config = config
        self._algorithm = uc.checksum_algorithm
        self._source = source
        self._target = target
        self._target_map = target_map
        self._run = run
        self._head_required = head_check_required(self._mode)
        self._detector = head_detector(self._mode)

    @property
    def mode(self) -> UpdateMode:
        """The run's update mode."""
        return self._mode

    @property
    def head_required(self) -> bool:
        """Layer B runs in this mode (a HEAD of the target, or a stat of a local file, per object)."""
        return self._head_required

    async def needs_transfer(self, obj: ObjectInfo) -> HeadCheck:
        """Layer B (when this run has it): HEAD the target and ask the diff detector.

        Returns:
            Transfer or not, the reason in the reference's words (for the log and the SYNC_FILTERED event), and
            what the HEAD found.
        """
        if not self._head_required:
            return HeadCheck(True, "", None, headed=False)
        details = await self._target.head_object(obj.key)
        if details is not None and obj.is_directory_marker and self._target.features.stores_directories and (
            self._detector in (
            HeadDetector.ETAG,
            HeadDetector.CHECKSUM,
        )):
            # The directory exists and a directory has no bytes to hash: nothing to update.
            return HeadCheck(False, "Object filtered. The directory exists.", details)
        comparison = await self._compare_details(obj, details)
        decision = comparison.decision
        source_checksum, target_checksum = comparison.source_checksum, comparison.target_checksum
        if decision.warning:
            self._run.warn(decision.reason.value, key=obj.key, **self._checksum_fields(source_checksum, target_checksum))
        elif logger.isEnabledFor(logging.DEBUG):
            fields = {"key": obj.key, "transfer": decision.transfer}
            logger.debug(decision.reason.value, extra={"fields": fields | self._checksum_fields(
                source_checksum, target_checksum)})
        return HeadCheck(decision.transfer, decision.reason.value, comparison.target)

    async def compare(self, obj: ObjectInfo) -> HeadComparison:
        """HEAD the target and compare it with the source as this run's detector does, without logging or counting.

        Raises:
            StorageError: a HEAD (other than a missing object) or a local read failed.
        """
        return await self._compare_details(obj, await self._target.head_object(obj.key))

    async def _compare_details(self, obj: ObjectInfo, details: ObjectDetails | None) -> HeadComparison:
        """Fetch what the detector compares (a local side's ETag or checksum, the source's SSE) and decide."""
        source_checksum: str | None = None
        target_checksum: str | None = None
        source_encryption = None
        if details is not None:
            if self._detector is HeadDetector.ETAG:
                obj, details = await self._with_local_etags(obj, details)
            elif self._detector is HeadDetector.ALWAYS_DIFFERENT and self._target.features.computes_digests:
                relaid = await self._in_source_layout(obj, details)
                if relaid is not None:
                    return relaid
            elif self._detector is HeadDetector.CHECKSUM and self._algorithm is not None:
                source_checksum, target_checksum = await self._checksums(obj, details, self._algorithm)
            if needs_source_encryption(obj, details, self._mode):
                source_details = await self._source.head_object(obj.key, version_id=obj.version_id)
                source_encryption = source_details.encryption if source_details is not None else None
        decision = head_says_modified(
            obj,
            details,
            self._mode,
            source_encryption=source_encryption,
            source_checksum=source_checksum,
            target_checksum=target_checksum,
        )
        return HeadComparison(obj, details, decision, source_checksum, target_checksum)

    async def _in_source_layout(self, obj: ObjectInfo, details: ObjectDetails) -> HeadComparison | None:
        """--check-etag into a local directory: the listing hashed each file in the configured layout and found it
        different; an S3 object another tool laid out is compared once more in its own layout, and skipped when it
        is the same there (None: the listing's answer stands)."""
        if not self._source.features.has_etags or obj.e_tag is None:
            return None
        _, relaid = await self._with_local_etags(obj, details)
        same = etag_math.normalize_etag(relaid.info.e_tag) == etag_math.normalize_etag(obj.e_tag)
        if not same or relaid.info.size != obj.size:
            return None
        return HeadComparison(obj, relaid, HeadDecision(False, HeadReason.ETAGS_SAME))

    def _checksum_fields(self, source_checksum: str | None, target_checksum: str | None) -> dict[str, str]:
        if self._detector is not HeadDetector.CHECKSUM or self._algorithm is None:
            return {}
        return {
            "checksum_algorithm": self._algorithm.value,
            "source_checksum": source_checksum or "",
            "target_checksum": target_checksum or "",
        }

    # ---- the ETag detector's local side -------------------------------------------------------------------

    async def _with_local_etags(self, obj: ObjectInfo, details: ObjectDetails) -> tuple[ObjectInfo, ObjectDetails]:
        """Put the computed ETag of a side without stored ETags (a local file) where the detector reads it."""
        # The side that computes its digests (a local file) is hashed the way the other side's ETag was made.
        if self._source.features.computes_digests and (obj.e_tag is None or self._mode.auto_chunksize):
            parts = await self._s3_parts_for_etag(self._target, obj.key, None, details.info.e_tag)
            value = await self._local_etag(self._source, obj.key, obj.size, parts)
            obj = dataclasses.replace(obj, e_tag=value)
        elif self._target.features.computes_digests:
            listed = self._with_listed_etag(details)
            own = await self._source_layout(obj)
            if own is not None:
                # The source's own layout, not the configured one the listing hashed with: an object another tool
                # wrote is compared in its parts (or as one MD5), so a file downloaded from it is not sent again.
                value = await local_etag_in_layout(self._target, obj.key, own[0], own[1])
                details = dataclasses.replace(details, info=dataclasses.replace(details.info, e_tag=value))
                return obj, details
            if listed.info.e_tag is not None and not self._mode.auto_chunksize:
                return await self._against_real_parts(obj, listed)
            parts = await self._s3_parts_for_etag(self._source, obj.key, obj.version_id, obj.e_tag)
            value = await self._local_etag(self._target, obj.key, details.info.size, parts)
            details = dataclasses.replace(details, info=dataclasses.replace(details.info, e_tag=value))
        return obj, details

    async def _source_layout(self, obj: ObjectInfo) -> tuple[list[int], bool] | None:
        """(part sizes, multipart) of an S3 source whose ETag the configured layout cannot have made, else None.

        A plain ETag at or over the multipart threshold is one MD5; a "-N" ETag whose N the configured layout does
        not cut has its parts learned (only those objects cost requests). Under --auto-chunksize the parts are
        fetched the reference's way instead.
        """
        if self._mode.auto_chunksize or obj.e_tag is None:
            return None
        transfer = self._config.transfer
        stated = etag_math.stated_layout(obj.e_tag, obj.size, transfer.multipart_threshold,
                                         transfer.multipart_chunksize)
        if stated is not None:
            _, multipart = stated
            configured_multipart = etag_math.is_multipart(obj.size, transfer.multipart_threshold)
            return stated if not multipart and configured_multipart else None
        learned = await learn_parts(self._source, obj, obj.e_tag, max_parts=transfer.max_keys)
        return (learned, True) if learned is not None else None

    async def _against_real_parts(self, obj: ObjectInfo, listed: ObjectDetails) -> tuple[ObjectInfo, ObjectDetails]:
        """The listed local ETag (configured layout), or, when it differs from a "-N" source ETag that the
        configured layout seemed to explain, the file hashed in the source's real parts."""
        local = etag_math.normalize_etag(listed.info.e_tag)
        if local == etag_math.normalize_etag(obj.e_tag) or not etag_math.is_multipart_etag(obj.e_tag):
            return obj, listed
        real = await learn_parts(self._source, obj, obj.e_tag, max_parts=self._config.transfer.max_keys)
        if real is None:
            return obj, listed
        value = await local_etag_in_layout(self._target, obj.key, real, True)
        return obj, dataclasses.replace(listed, info=dataclasses.replace(listed.info, e_tag=value))

    async def _s3_parts_for_etag(
        self, storage: ObjectStorage, key: str, version_id: str | None, e_tag: str | None
    ) -> list[int]:
        """The S3 side's part sizes under --auto-chunksize (one HEAD per part), else none.

        A single-part ETag means no parts (HeadObject partNumber=1 would report no parts count), so those objects
        cost no extra request.
        """
        if not self._mode.auto_chunksize or not etag_math.is_multipart_etag(e_tag):
            return []
        return await storage.get_object_parts(key, version_id=version_id)

    async def _local_etag(self, storage: ObjectStorage, key: str, size: int, parts: list[int]) -> str:
        transfer = self._config.transfer
        return await local_etag(
            storage, key, size, transfer.multipart_threshold, transfer.multipart_chunksize, part_sizes=parts
        )

    def _with_listed_etag(self, details: ObjectDetails) -> ObjectDetails:
        """A local stat has no ETag; the target listing computed one in --check-etag mode."""
        if self._target_map is None or details.info.e_tag is not None:
            return details
        found = self._target_map.get(details.info.key)
        listed = TargetEntry(*found) if found is not None else None
        if listed is None or listed.e_tag is None:
            return details
        return dataclasses.replace(details, info=dataclasses.replace(details.info, e_tag=listed.e_tag))

    # ---- the checksum detector ----------------------------------------------------------------------------

    async def _checksums(
        self, obj: ObjectInfo, details: ObjectDetails, algorithm: ChecksumAlgorithm
    ) -> tuple[str | None, str | None]:
        """Both sides' values (the checksum detector's); None for an S3 side without one. A side that stores no
        checksums (a local file) is hashed the way the other side's value was made."""
        if not self._source.features.stores_checksums:
            stored_target = details.checksum(algorithm)
            if stored_target is None:
                return None, None
            computed_source = await self._local_checksum(
                self._source, self._target, obj.key, None, obj.size, stored_target, algorithm
            )
            return computed_source, stored_target
        source_details = await self._source.head_object(obj.key, version_id=obj.version_id)
        stored_source = source_details.checksum(algorithm) if source_details is not None else None
        if self._target.features.stores_checksums:
            return stored_source, details.checksum(algorithm)
        if stored_source is None:
            return None, None
        computed_target = await self._local_checksum(
            self._target, self._source, obj.key, obj.version_id, details.info.size, stored_source, algorithm
        )
        return stored_source, computed_target

    async def _local_checksum(
        self,
        local: ObjectStorage,
        s3: ObjectStorage,
        key: str,
        version_id: str | None,
        size: int,
        s3_value: str,
        algorithm: ChecksumAlgorithm,
    ) -> str:
        """Hash the local file the way the S3 side's value was made: its parts if composite, else the config."""
        full_object = checksums.is_full_object_checksum(s3_value)
        parts: list[int] = []
        if not full_object:
            attributes = await s3.get_object_part_attributes(
                key, version_id=version_id, max_parts=self._config.transfer.max_keys
            )
            parts = [part.size for part in attributes]
        transfer = self._config.transfer
        return await local_checksum(
            local,
            key,
            size,
            algorithm,
            threshold=transfer.multipart_threshold,
            chunksize=transfer.multipart_chunksize,
            full_object=full_object,
            part_sizes=parts,
        )
