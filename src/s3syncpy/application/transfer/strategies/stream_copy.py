"""S3 to S3 by streaming: the source's bytes pass through us into the target's PutObject / multipart upload.

The target is written in the source's layout (application/transfer/source_layout.py) so that both ETags are equal. A
"-N" ETag whose N equals the configured part count is taken to be in the configured layout without asking the
source; when the copy's ETag then differs, the source's real parts are learned and, if they are not the parts
written, the object is copied once more in them. Only a copy that differs in its real layout counts a mismatch.
"""

from __future__ import annotations

from s3syncpy.application.ports.storage import ObjectContent, ObjectStorage, PutRequest, PutResult
from s3syncpy.application.ports.write_requests import NO_CONDITIONS, WriteConditions
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import ObjectSettings
from s3syncpy.application.transfer.source_layout import SourceLayout, learn_parts
from s3syncpy.application.transfer.strategies.base import FromS3Source
from s3syncpy.application.transfer.strategies.to_s3 import ToS3Target
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.plan import Skip
from s3syncpy.domain.verification import Verification, verify_etag


class _AssumedLayoutFailed(Exception):
    """The copy, written in the configured layout the source's ETag seemed to state, does not verify."""

    def __init__(
        self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout, request: PutRequest, result: PutResult
    ) -> None:
        super().__init__(obj.key)
        self.obj = obj
        self.details = details
        self.layout = layout
        self.request = request
        self.result = result


class StreamCopy(ToS3Target, FromS3Source):
    """Reads the source's layout and stored checksum (FromS3Source), writes and verifies like an upload."""

    def __init__(self, settings: ObjectSettings, source: ObjectStorage, target: ObjectStorage, run: RunContext) -> None:
        super().__init__(settings, source, target, run)
        # Parts learned after a first copy, for the second one; one strategy serves every worker, hence the key.
        self._known_parts: dict[tuple[str, str | None], list[int]] = {}

    async def transfer(
        self, obj: ObjectInfo, conditions: WriteConditions = NO_CONDITIONS
    ) -> ObjectInfo | Skip | None:
        """Copy one object (see TransferStrategy.transfer), once more in the source's real parts when the
        configured layout turned out not to be the source's."""
        try:
            return await super().transfer(obj, conditions)
        except _AssumedLayoutFailed as failed:
            real = await learn_parts(
                self._source, failed.obj, failed.obj.e_tag, max_parts=self._settings.transfer.max_keys
            )
            if real is None or real == failed.request.part_sizes:
                # The real layout is the one written: the difference is real, and counted as such.
                super()._verify(failed.obj, failed.details, failed.layout, failed.request, failed.result)
                return failed.obj
            return await self._transfer_in(obj, conditions, real)

    async def _transfer_in(
        self, obj: ObjectInfo, conditions: WriteConditions, parts: list[int]
    ) -> ObjectInfo | Skip | None:
        self._known_parts[(obj.key, obj.version_id)] = parts
        try:
            return await super().transfer(obj, conditions)
        finally:
            self._known_parts.pop((obj.key, obj.version_id), None)

    async def _read_layout(
        self, obj: ObjectInfo, content: ObjectContent, first_range: tuple[int, int] | None
    ) -> SourceLayout:
        layout = await super()._read_layout(obj, content, first_range)
        known = self._known_parts.get((obj.key, obj.version_id))
        if known is not None and layout.parts is None:
            return SourceLayout(layout.first_range, known, layout.checksum, layout.algorithm, layout.source_tags)
        return layout

    def _verify(
        self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout, request: PutRequest, result: PutResult
    ) -> None:
        if self._layout_was_assumed(obj, details, layout, request, result):
            raise _AssumedLayoutFailed(obj, details, layout, request, result)
        super()._verify(obj, details, layout, request, result)

    def _layout_was_assumed(
        self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout, request: PutRequest, result: PutResult
    ) -> bool:
        """The copy was cut in the configured layout without knowing the source's, and its ETag differs."""
        settings = self._settings
        if settings.transfer.auto_chunksize or layout.parts is not None or not request.part_sizes:
            return False
        if not etag_math.is_multipart_etag(obj.e_tag) or not self._source.features.supports_parts:
            return False
        # A second write under a precondition (--if-none-match, --if-match) would fail on the first one's object.
        if request.conditions != NO_CONDITIONS:
            return False
        outcome = verify_etag(
            obj.e_tag,
            result.e_tag,
            source_encryption=details.encryption,
            target_encryption=settings.encryption.target_encryption,
            sse_c_used=settings.encryption.sse_c_used,
            disable_multipart_verify=settings.verification.disable_multipart_verify,
        )
        return outcome is Verification.MISMATCH
