"""Writing to an S3 target: the request carries the source's metadata and tags; the result is verified after."""

from __future__ import annotations

from s3syncpy.application.ports.callbacks import EventType, UploadMetadata
from s3syncpy.application.ports.storage import ObjectContent, PutRequest, PutResult, WriteReporter
from s3syncpy.application.ports.write_requests import ObjectAttributes
from s3syncpy.application.run.preprocess import PreprocessError, apply_upload_metadata, upload_metadata_of
from s3syncpy.application.transfer import source_layout
from s3syncpy.application.transfer.integrity import verify_upload
from s3syncpy.application.transfer.resumable import with_resume
from s3syncpy.application.transfer.source_layout import SourceLayout
from s3syncpy.application.transfer.strategies.base import (
    LogFields,
    PutFailedError,
    TransferStrategy,
    refreshed,
)
from s3syncpy.application.transfer.tagging_policy import copies_source_tags, tagging_to_write
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.tagging import encode_tagging
from s3syncpy.domain.timeparse import format_rfc3339_millis
from s3syncpy.domain.write_headers import target_metadata


class ToS3Target(TransferStrategy):
    """The S3-target half shared by uploads from files and stream copies."""

    async def _request(self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout) -> PutRequest:
        part_sizes = source_layout.upload_parts(self._settings, self._source, obj, layout.parts)
        tagging = await self._tagging(obj, details, known_tags=layout.source_tags)
        attributes = self._attributes(obj, details, tagging)
        return PutRequest(
            size=obj.size,
            part_sizes=part_sizes,
            metadata=attributes.metadata,
            user_metadata=dict(attributes.user_metadata),
            tagging=attributes.tagging,
            storage_class=attributes.storage_class,
            content_md5=not self._settings.verification.disable_content_md5_header,
            on_bytes=self._run.progress.byte_counter(obj.key),
            on_write=self._write_reporter(obj.key) if self._run.events.enabled else None,
        )

    async def _tagging(
        self, obj: ObjectInfo, details: ObjectDetails, known_tags: dict[str, str] | None = None
    ) -> str | None:
        """The tags the written object carries (see application/transfer/tagging_policy.py); `known_tags` are the source's
        tags when the tag filters already fetched them (they are not fetched again)."""
        if known_tags is not None and copies_source_tags(self._settings.tagging):
            return encode_tagging(known_tags) if known_tags else None
        return await tagging_to_write(self._settings.tagging, self._source, obj, details)

    def _attributes(self, obj: ObjectInfo, details: ObjectDetails, tagging: str | None) -> ObjectAttributes:
        """What the written object carries: the source's system and user metadata changed by the header options
        in the reference's order (domain/write_headers.py), its storage class unless --storage-class, and
        `tagging`.

        The one place where options that change the target's metadata apply, for puts and server-side copies
        alike (a server-side copy replaces the source's metadata only when `_replaces_metadata`).
        """
        written = target_metadata(
            details.metadata,
            details.user_metadata,
            obj.mtime_ns,
            self._settings.headers,
            source_storage_class=details.info.storage_class,
            # --enable-versioning: the origin keys of the source version, added last (none without a version id).
            origin_version_id=details.info.version_id if self._settings.origin_metadata else None,
        )
        return ObjectAttributes(metadata=written.system, user_metadata=written.user, tagging=tagging,
                                storage_class=written.storage_class)

    @property
    def _replaces_metadata(self) -> bool:
        """`_attributes` differ from the source's own metadata: a header or metadata option is given, or
        --enable-versioning adds the origin keys."""
        return self._settings.headers.any_given or self._settings.origin_metadata

    def _write_reporter(self, key: str) -> WriteReporter:
        """SYNC_WRITE after each PutObject / UploadPart, as the reference's upload manager sends it."""
        emit = self._run.events.emit

        def report(byte_written: int, part_number: int | None, upload_id: str | None) -> None:
            emit(EventType.SYNC_WRITE, key=key, byte_written=byte_written, part_number=part_number,
                 upload_id=upload_id)

        return report

    async def _put(self, obj: ObjectInfo, content: ObjectContent, request: PutRequest) -> PutResult:
        """The user's preprocess callback, then the write: the reference calls it just before the first write
        request. A cancelled write commits nothing."""
        if self._run.preprocessor is None:
            return await super()._put(obj, content, request)
        upload = await self._preprocessed(obj, content.details, upload_metadata_of(request))
        if upload is None:
            return PutResult(committed=False)
        return await super()._put(obj, content, apply_upload_metadata(request, upload))

    async def _preprocessed(
        self, obj: ObjectInfo, details: ObjectDetails, upload: UploadMetadata
    ) -> UploadMetadata | None:
        """The metadata the preprocess callback wants written, or None when it cancelled the write (counted as
        skipped, with a SYNC_CANCEL event).

        Raises:
            PutFailedError: the callback failed: the reference fails the put (a warning, then an error).
        """
        assert self._run.preprocessor is not None
        try:
            edited = await self._run.preprocessor.edit(self._target.describe(obj.key), details, upload)
        except PreprocessError as exc:
            raise PutFailedError(StorageError(str(exc), operation="put", key=obj.key)) from exc
        if edited is None:
            self._stats.skipped += 1
            self._run.events.emit(
                EventType.SYNC_CANCEL,
                key=obj.key,
                source_version_id=obj.version_id,
                source_last_modified=format_rfc3339_millis(obj.mtime_ns),
                source_size=obj.size,
                source_etag=obj.e_tag,
                message="Object upload cancelled by user defined preprocess callback",
            )
        return edited

    def _verify(
        self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout, request: PutRequest, result: PutResult
    ) -> None:
        self._verify_written(obj, details, layout, request.part_sizes, result)

    def _verify_written(
        self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout, part_sizes: list[int], result: PutResult
    ) -> None:
        """Compare what the target reports with the source (`part_sizes`: the layout written, [] for one part)."""
        verify_upload(
            self._settings,
            self._source.features.has_etags,
            obj,
            details,
            result,
            part_sizes,
            self._run,
            source_checksum=layout.checksum,
            parts_known=layout.parts is not None,
        )

    def completion_fields(self, obj: ObjectInfo) -> LogFields:
        return {
            "key": obj.key,
            "source_version_id": obj.version_id or "",
            "source_last_modified": format_rfc3339_millis(obj.mtime_ns),
            "target_key": self._target.describe(obj.key),
            "size": obj.size,
        }


class UploadFromFiles(ToS3Target):
    """Local files to S3: the file is sent as it is when opened; ETag and checksum come from the bytes sent."""

    def _as_opened(self, obj: ObjectInfo, details: ObjectDetails) -> ObjectInfo:
        # The file changed size since it was listed: send what it holds now (the reference re-stats it too). The
        # listed size would upload a truncated copy that the mtime check never corrects.
        return refreshed(obj, details)

    async def _request(self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout) -> PutRequest:
        request = await super()._request(obj, details, layout)
        return with_resume(request, self._settings.resume, self._source.describe(obj.key), details)
