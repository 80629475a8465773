"""Writing to an S3 target: the request carries the source's metadata and tags; the result is verified after."""

from __future__ import annotations

from s3syncpy.application import source_layout
from s3syncpy.application.integrity import verify_upload
from s3syncpy.application.ports.storage import PutRequest, PutResult
from s3syncpy.application.source_layout import SourceLayout
from s3syncpy.application.strategies.base import LogFields, TransferStrategy, refreshed
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.tagging import encode_tagging
from s3syncpy.domain.timeparse import format_rfc3339_millis
from s3syncpy.domain.write_headers import target_metadata


class ToS3Target(TransferStrategy):
    """The S3-target half shared by uploads from files and stream copies."""

    async def _request(self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout) -> PutRequest:
        part_sizes = source_layout.upload_parts(self._settings, self._source, obj, layout.parts)
        tagging = None
        tags = layout.source_tags
        if tags is None and details.tag_count > 0:
            tags = await self._source.get_object_tagging(obj.key, version_id=obj.version_id)
        if tags:
            tagging = encode_tagging(tags)
        written = target_metadata(
            details.metadata,
            details.user_metadata,
            obj.mtime_ns,
            self._settings.headers,
            source_storage_class=details.info.storage_class,
        )
        return PutRequest(
            size=obj.size,
            part_sizes=part_sizes,
            metadata=written.system,
            user_metadata=written.user,
            tagging=tagging,
            storage_class=written.storage_class,
            content_md5=not self._settings.verification.disable_content_md5_header,
            on_bytes=self._count_bytes,
        )

    def _verify(
        self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout, request: PutRequest, result: PutResult
    ) -> None:
        verify_upload(
            self._settings,
            self._source.features.has_etags,
            obj,
            details,
            result,
            request.part_sizes,
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
