"""Writing to an S3 target: the request carries the source's metadata and tags; the result is verified after."""

from __future__ import annotations

from s3syncpy.application import source_layout
from s3syncpy.application.integrity import verify_upload
from s3syncpy.application.ports.storage import PutRequest, PutResult
from s3syncpy.application.ports.write_requests import ObjectAttributes
from s3syncpy.application.source_layout import SourceLayout
from s3syncpy.application.strategies.base import LogFields, TransferStrategy, refreshed
from s3syncpy.application.tagging_policy import tagging_to_write
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.timeparse import format_rfc3339_millis
from s3syncpy.domain.versions import with_origin_metadata


class ToS3Target(TransferStrategy):
    """The S3-target half shared by uploads from files and stream copies."""

    async def _request(self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout) -> PutRequest:
        part_sizes = source_layout.upload_parts(self._settings, self._source, obj, layout.parts)
        attributes = self._attributes(details, await self._tagging(obj, details))
        return PutRequest(
            size=obj.size,
            part_sizes=part_sizes,
            metadata=attributes.metadata,
            user_metadata=dict(attributes.user_metadata),
            tagging=attributes.tagging,
            content_md5=not self._settings.verification.disable_content_md5_header,
            on_bytes=self._count_bytes,
        )

    async def _tagging(self, obj: ObjectInfo, details: ObjectDetails) -> str | None:
        """The tags the written object carries (see application/tagging_policy.py)."""
        return await tagging_to_write(self._settings.tagging, self._source, obj, details)

    def _attributes(self, details: ObjectDetails, tagging: str | None) -> ObjectAttributes:
        """What the written object carries: the source's system and user metadata, and `tagging`.

        The one place where options that change the target's metadata apply, for puts and server-side copies
        alike (a server-side copy replaces the source's metadata only when `_replaces_metadata`).
        """
        user_metadata = dict(details.user_metadata)
        if self._settings.origin_metadata:
            # Applied last, after every other metadata option, from the source response (its VersionId and
            # LastModified), as the reference does.
            user_metadata = with_origin_metadata(user_metadata, details.info)
        return ObjectAttributes(metadata=details.metadata, user_metadata=user_metadata, tagging=tagging)

    @property
    def _replaces_metadata(self) -> bool:
        """`_attributes` differ from the source's own metadata (--enable-versioning adds the origin keys)."""
        return self._settings.origin_metadata

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
