"""S3 to S3 by server-side copy (--server-side-copy): the target storage copies the object; no body reaches us.

Per object (reference: with --server-side-copy, HeadObject replaces GetObject):

    HEAD the source                      metadata, tag count, encryption, checksum (with checksum mode)
    the layout                           --auto-chunksize: the source's own parts (one HEAD per part) or one
                                         CopyObject for a single-part source; else the source's layout where its
                                         ETag says it differs from the configured threshold and chunk size (one
                                         CopyObject for a plain ETag, the learned parts), else the configured one
    the pin                              every copy request carries x-amz-copy-source-if-match (the ETag the HEAD
                                         saw, or the listed one under --copy-source-if-match)
    one CopyObject                       MetadataDirective / TaggingDirective COPY, unless an option replaces the
                                         metadata or the tags (--tagging, --disable-tagging): then REPLACE with the
                                         values written
    or a multipart copy                  CreateMultipartUpload with the metadata and tags (GetObjectTagging when
                                         the source has tags), UploadPartCopy per range, Complete; aborted on failure
    verify                               the target's ETag and checksum against the source's, as an S3-to-S3 upload
                                         (no Content-MD5 is sent: the bytes never pass through us)

The pin (a deliberate difference: the reference sends the header only under --copy-source-if-match): the parts of
a multipart copy are separate reads of the source, so a source overwritten between two of them would give a
target that mixes both versions and that the next run skips as up to date. Pinned, the part that reads the new
version fails with 412 and the upload is aborted: a precondition warning, nothing written, and the next run copies
the new version. A single CopyObject is pinned too, so that what is written is what the HEAD described (the layout,
the metadata and tags written, the checksum verified).
"""

from __future__ import annotations

import dataclasses

from s3syncpy.application.ports.storage import PutResult
from s3syncpy.application.ports.write_requests import NO_CONDITIONS, CopyRequest, Directive, WriteConditions
from s3syncpy.application.run.preprocess import attributes_of, upload_metadata_of_attributes
from s3syncpy.application.transfer.source_layout import LayoutError, SourceLayout, learn_parts
from s3syncpy.application.transfer.strategies.base import PutFailedError
from s3syncpy.application.transfer.strategies.to_s3 import ToS3Target
from s3syncpy.application.transfer.tagging_policy import copies_source_tags
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.errors import ObjectNotFoundError, StorageError
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.plan import Skip, upload_layout


class ServerSideCopy(ToS3Target):
    """Copies inside S3 (see the module docstring); chosen when both storages support server-side copy."""

    async def transfer(
        self, obj: ObjectInfo, conditions: WriteConditions = NO_CONDITIONS
    ) -> ObjectInfo | Skip | None:
        """HEAD the source, apply filter steps 9-14 to it, copy it inside S3, verify the target's ETag and checksum.

        Raises:
            PutFailedError: the copy failed (PreconditionFailedError inside for a failed --if-none-match or
                --copy-source-if-match).
            StorageError: the source HEAD failed (ObjectNotFoundError when the object is gone).
            LayoutError: under --auto-chunksize, the source's part layout contradicts its ETag.
        """
        details = await self._head_source(obj)
        obj = _as_headed(obj, details)
        checked = await self.source_filter.check(obj, details)
        if checked.skip is not None:
            return checked.skip
        parts, parts_known = await self._copy_layout(obj)
        request = await self._copy_request(obj, details, parts, _pinned(conditions, obj), checked.tags)
        if self._run.preprocessor is not None:
            upload = await self._preprocessed(obj, details, upload_metadata_of_attributes(request.attributes))
            if upload is None:
                return None
            # What the callback returns is written as such: S3 must not copy the source's own values instead.
            request = dataclasses.replace(
                request,
                attributes=attributes_of(upload),
                metadata_directive=Directive.REPLACE,
                tagging_directive=Directive.REPLACE,
            )
        result = await self._copy(obj, request)
        checksum = None
        if self._settings.verification.enable_additional_checksum:
            checksum = details.checksum(self._settings.verification.additional_checksum_algorithm)
        layout = SourceLayout(None, parts if parts_known else None, checksum)
        self._verify_written(obj, details, layout, parts, result)
        return obj

    async def rehearse(self, obj: ObjectInfo) -> ObjectInfo | Skip:
        """A dry run HEADs the source, as the reference does, applies filter steps 9-14 to it, and copies nothing.

        Raises:
            StorageError: the HEAD failed (ObjectNotFoundError when the object is gone).
        """
        details = await self._head_source(obj)
        obj = _as_headed(obj, details)
        checked = await self.source_filter.check(obj, details)
        return obj if checked.skip is None else checked.skip

    async def _head_source(self, obj: ObjectInfo) -> ObjectDetails:
        details = await self._source.head_object(obj.key, version_id=obj.version_id)
        if details is None:
            raise ObjectNotFoundError(f"no such key {obj.key!r}", operation="HeadObject", key=obj.key)
        return details

    async def _copy_layout(self, obj: ObjectInfo) -> tuple[list[int], bool]:
        """(part sizes, taken from the source) of the copy: [] for one CopyObject."""
        transfer = self._settings.transfer
        if transfer.auto_chunksize:
            if not etag_math.is_multipart_etag(obj.e_tag):
                return [], True
            parts = await self._source.get_object_parts(obj.key, version_id=obj.version_id)
            if not parts:
                raise LayoutError(
                    f"object parts are empty although the ETag is multipart. key={obj.key}, e_tag={obj.e_tag}"
                )
            return parts, True
        # Without --auto-chunksize the copy still takes the source's layout where the ETag tells it differs from
        # the configured one, so the target's ETag equals the source's: one CopyObject for a plain ETag (S3 copies
        # up to 5 GiB in one request), the learned parts for a "-N" ETag the configured layout does not explain.
        if obj.e_tag is not None and not etag_math.is_multipart_etag(obj.e_tag):
            if obj.size <= etag_math.MAXIMUM_PART_SIZE:
                return [], True
        elif etag_math.stated_layout(
            obj.e_tag, obj.size, transfer.multipart_threshold, transfer.multipart_chunksize
        ) is None:
            learned = await learn_parts(self._source, obj, obj.e_tag, max_parts=transfer.max_keys)
            if learned is not None:
                return learned, True
        return upload_layout(obj.size, transfer.multipart_threshold, transfer.multipart_chunksize).part_sizes, False

    async def _copy_request(
        self,
        obj: ObjectInfo,
        details: ObjectDetails,
        parts: list[int],
        conditions: WriteConditions,
        known_tags: dict[str, str] | None = None,
    ) -> CopyRequest:
        tagging_settings = self._settings.tagging
        single = not parts
        # One CopyObject can let S3 copy the source's own tags and metadata; a multipart copy must name them, and
        # so must a copy a preprocess callback sees (it is shown, and may change, the values written).
        named = not single or self._run.preprocessor is not None
        copy_tags = not named and copies_source_tags(tagging_settings)
        copy_metadata = not named and not self._replaces_metadata
        tagging = None if copy_tags else await self._tagging(obj, details, known_tags)
        return CopyRequest(
            size=obj.size,
            part_sizes=parts,
            attributes=self._attributes(obj, details, tagging),
            metadata_directive=Directive.COPY if copy_metadata else Directive.REPLACE,
            tagging_directive=Directive.COPY if copy_tags else Directive.REPLACE,
            conditions=conditions,
            on_bytes=self._run.progress.byte_counter(obj.key),
        )

    async def _copy(self, obj: ObjectInfo, request: CopyRequest) -> PutResult:
        await self._run.limits.object()
        try:
            return await self._target.copy_object(obj.key, self._source.copy_source(obj), request)
        except StorageError as exc:
            raise PutFailedError(exc) from exc


def _pinned(conditions: WriteConditions, headed: ObjectInfo) -> WriteConditions:
    """The conditions with the copy pinned to the HEADed source (see the module docstring).

    --copy-source-if-match keeps its own pin, the listed ETag, as in the reference: a source changed between the
    listing and the HEAD then fails as well.
    """
    if conditions.copy_source_if_match is not None or headed.e_tag is None:
        return conditions
    return dataclasses.replace(conditions, copy_source_if_match=headed.e_tag)


def _as_headed(obj: ObjectInfo, details: ObjectDetails) -> ObjectInfo:
    """The object as its HEAD describes it: what S3 will copy (it may have changed since it was listed)."""
    head = details.info
    if head.size == obj.size and (head.e_tag is None or head.e_tag == obj.e_tag):
        return obj
    return dataclasses.replace(obj, size=head.size, mtime_ns=head.mtime_ns, e_tag=head.e_tag or obj.e_tag)
