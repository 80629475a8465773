"""ObjectSyncer: what a worker does with one listed object (reference §1.5), wrapped in the force retry of §7.2.

Per object: [local target: directory-marker and traversal checks] -> layer B update check -> GET the source ->
put to the target -> verify -> count. "Skip" is a return value; errors are classified in one place.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from s3syncpy.application import source_layout
from s3syncpy.application.config import SyncConfig
from s3syncpy.application.content import EmptyContent
from s3syncpy.application.integrity import DownloadVerifier, verify_upload
from s3syncpy.application.ports.clock import Clock
from s3syncpy.application.ports.storage import ObjectContent, ObjectStorage, PutRequest
from s3syncpy.application.run_context import RunContext, log_enabled, logger
from s3syncpy.application.source_layout import LayoutError
from s3syncpy.application.update_check import UpdateChecker
from s3syncpy.domain.errors import (
    AccessDeniedError,
    DirectoryTraversalError,
    InvalidObjectStateError,
    ObjectNotFoundError,
    PreconditionFailedError,
    StorageError,
    TransientStorageError,
)
from s3syncpy.domain.keys import is_traversal_key
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo
from s3syncpy.domain.tagging import encode_tagging
from s3syncpy.domain.timeparse import format_rfc3339_millis


class _PutFailed(Exception):
    """Marks an error raised by the target write, which the reference counts as one extra warning."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class ObjectSyncer:
    """Synchronises single objects from source to target; one instance is shared by all workers."""

    def __init__(
        self,
        config: SyncConfig,
        source: ObjectStorage,
        target: ObjectStorage,
        checker: UpdateChecker,
        run: RunContext,
        clock: Clock,
    ) -> None:
        self._config = config
        self._source = source
        self._target = target
        self._checker = checker
        self._run = run
        self._clock = clock
        self._stats = run.stats
        self._local_target = target.is_local
        self._transfer = config.transfer

    async def sync(self, obj: ObjectInfo) -> None:
        """Sync one object with force retry; records skips, warnings and errors in the run context."""
        retry = self._config.force_retry
        attempt = 0
        while True:
            try:
                await self._sync_once(obj)
                return
            except _PutFailed as failed:
                self._run.warn("failed to put object.", key=obj.key, error=str(failed.cause))
                if not self._handle(failed.cause, obj, attempt, retry.force_retry_count):
                    return
            except StorageError as exc:
                if not self._handle(exc, obj, attempt, retry.force_retry_count):
                    return
            except DirectoryTraversalError as exc:
                self._skip_with_warning(str(exc), obj)
                return
            except LayoutError as exc:
                # The reference's sanity checks of --auto-chunksize: an error of the object, not retried.
                self._run.error(str(exc), key=obj.key)
                return
            if self._run.stopping:
                return
            attempt += 1
            await self._clock.sleep(retry.force_retry_interval_milliseconds / 1000)

    def _handle(self, exc: Exception, obj: ObjectInfo, attempt: int, max_retries: int) -> bool:
        """Classify a failed attempt (reference §7.2). Returns True to retry."""
        if self._run.stopping:
            return False
        if isinstance(exc, TransientStorageError):
            if attempt >= max_retries:
                self._run.error("force retry count exceeded.", key=obj.key, error=str(exc))
                return False
            self._run.warn("force retryable error has occurred.", key=obj.key, error=str(exc))
            return True
        if isinstance(exc, ObjectNotFoundError):
            self._skip_with_warning("object not found. skipping.", obj)
        elif isinstance(exc, AccessDeniedError):
            self._skip_with_warning("access denied. skipping.", obj)
        elif isinstance(exc, PreconditionFailedError):
            self._skip_with_warning(
                "precondition(if-match/if-none-match/copy-source-if-match) failed. skipping.", obj
            )
        elif isinstance(exc, InvalidObjectStateError):
            self._skip_with_warning("Glacier InvalidObjectState. Skipping.", obj)
        else:
            self._run.error("non force retryable error has occurred.", key=obj.key, error=str(exc))
        return False

    def _skip_with_warning(self, message: str, obj: ObjectInfo) -> None:
        """A skip that --warn-as-error turns into an error."""
        if self._config.warn_as_error:
            self._run.error(message, key=obj.key)
        else:
            self._run.warn(message, key=obj.key)

    async def _sync_once(self, obj: ObjectInfo) -> None:
        if self._local_target:
            if obj.is_directory_marker and obj.size != 0:
                # The reference logs this without raising the warning flag (behaviour §1.5 a).
                self._stats.skipped += 1
                logger.warning("incompatible object for local storage. skipping.", extra={"fields": {"key": obj.key}})
                return
            if is_traversal_key(obj.key):
                raise DirectoryTraversalError(f"directory traversal key detected. key={obj.key}")
        if not await self._checker.needs_transfer(obj):
            self._stats.skipped += 1
            return
        if self._config.dry_run:
            self._dry_run_complete(obj)
            return
        await self._transfer_object(obj)

    def _dry_run_complete(self, obj: ObjectInfo) -> None:
        self._stats.transferred_bytes += obj.size
        self._stats.transferred_objects += 1
        logger.info("[dry-run] sync completed.", extra={"fields": self._completion_fields(obj)})

    async def _transfer_object(self, obj: ObjectInfo) -> None:
        if self._local_target and obj.is_directory_marker:
            await self._put(obj, EmptyContent(obj), PutRequest(size=0))
            self._stats.transferred_objects += 1
            return
        config = self._config
        first_range = await source_layout.first_range(config, self._source, obj)
        async with await self._source.open_content(obj, first_range=first_range) as content:
            details = content.details
            if self._source.is_local and details.info.size != obj.size:
                # The file changed size since it was listed: send what it holds now (the reference re-stats it
                # too). The listed size would upload a truncated copy that the mtime check never corrects.
                obj = dataclasses.replace(obj, size=details.info.size, mtime_ns=details.info.mtime_ns, e_tag=None)
            source_layout.check_content_range(details, first_range, obj.key)
            algorithm, final_checksum = await self._final_checksum(obj, content, first_range is not None)
            parts = await source_layout.source_parts(
                config, self._source, obj, details, first_range, final_checksum
            )
            if self._local_target:
                part_sizes = source_layout.download_parts(config, obj, first_range)
            else:
                part_sizes = source_layout.upload_parts(config, self._source, obj, parts)
            request = PutRequest(
                size=obj.size,
                part_sizes=part_sizes,
                content_md5=not config.verification.disable_content_md5_header,
                on_bytes=self._count_bytes,
            )
            if self._local_target:
                request.mtime_ns = obj.mtime_ns
                verifier = DownloadVerifier(
                    config,
                    obj,
                    details,
                    self._run,
                    source_parts=parts,
                    source_checksum=final_checksum,
                    checksum_algorithm=algorithm,
                )
                request.validate = verifier.validate
            else:
                request.metadata = details.metadata
                request.user_metadata = dict(details.user_metadata)
                if details.tag_count > 0:
                    tags = await self._source.get_object_tagging(obj.key, version_id=obj.version_id)
                    request.tagging = encode_tagging(tags) if tags else None
            result = await self._put(obj, content, request)
        if not result.committed:
            return
        if not self._local_target:
            verify_upload(
                config,
                self._source.is_local,
                obj,
                details,
                result,
                part_sizes,
                self._run,
                source_checksum=final_checksum,
                parts_known=parts is not None,
            )
        self._stats.transferred_objects += 1
        if log_enabled(logging.INFO):
            logger.info("sync completed.", extra={"fields": self._completion_fields(obj)})

    async def _final_checksum(
        self, obj: ObjectInfo, content: ObjectContent, ranged: bool
    ) -> tuple[ChecksumAlgorithm | None, str | None]:
        """The S3 source's whole-object additional checksum, read with checksum mode (reference §2.4-2.5).

        Only with --enable-additional-checksum. Uploads use --additional-checksum-algorithm; downloads the
        algorithm the source object has. A ranged GET carries no whole-object value, so the source is HEADed.
        """
        verification = self._config.verification
        if self._source.is_local or not verification.enable_additional_checksum:
            return None, None
        if not self._local_target and verification.additional_checksum_algorithm is None:
            # Nothing to read: the upload side then reports the missing source value (reference §2.4).
            return None, None
        details: ObjectDetails | None = content.details
        if ranged:
            try:
                details = await self._source.head_object(obj.key, version_id=obj.version_id)
            except StorageError as exc:
                self._run.warn("head_object() failed while fetching the final checksum.", key=obj.key,
                               error=str(exc))
                return None, None
        if details is None:
            return None, None
        algorithm = verification.additional_checksum_algorithm
        if self._local_target:
            algorithm = _source_algorithm(obj, details)
        return algorithm, details.checksum(algorithm)

    async def _put(self, obj: ObjectInfo, content: Any, request: PutRequest) -> Any:
        try:
            return await self._target.put_object(obj.key, content, request)
        except (StorageError, OSError) as exc:
            cause = exc if isinstance(exc, StorageError) else StorageError(str(exc), operation="put", key=obj.key)
            raise _PutFailed(cause) from exc

    def _count_bytes(self, n: int) -> None:
        self._stats.transferred_bytes += n

    def _completion_fields(self, obj: ObjectInfo) -> dict[str, Any]:
        if self._local_target:
            return {"key": obj.key, "real_path": self._target.describe(obj.key), "size": obj.size}
        return {
            "key": obj.key,
            "source_version_id": obj.version_id or "",
            "source_last_modified": format_rfc3339_millis(obj.mtime_ns),
            "target_key": self._target.describe(obj.key),
            "size": obj.size,
        }


def _source_algorithm(obj: ObjectInfo, details: ObjectDetails) -> ChecksumAlgorithm | None:
    """The algorithm of the source's checksum: as listed, else the one the GET / HEAD returned."""
    names = [obj.checksum_algorithm] if obj.checksum_algorithm else list(details.checksums)
    for name in names:
        try:
            return ChecksumAlgorithm.parse(name)
        except ValueError:
            continue
    return None
