"""The shape every transfer strategy shares: open the source, read what its first response tells, write, check.

A strategy is chosen once per run (the direction does not change per object); `ObjectSyncer` keeps the flow
around it (plan, update check, force retry, counting).
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping

from s3syncpy.application.ports.storage import ObjectContent, ObjectStorage, PutRequest, PutResult
from s3syncpy.application.ports.write_requests import NO_CONDITIONS, WriteConditions
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import ObjectSettings
from s3syncpy.application.transfer import source_layout
from s3syncpy.application.transfer.source_filters import SourceContentFilter
from s3syncpy.application.transfer.source_layout import SourceLayout
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo
from s3syncpy.domain.plan import Skip

LogFields = Mapping[str, str | int]


class PutFailedError(Exception):
    """An error raised by the target write, which the reference counts as one extra warning."""

    def __init__(self, cause: StorageError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class TransferStrategy(abc.ABC):
    """Transfers single objects in one direction; one instance serves every worker of the run."""

    def __init__(
        self, settings: ObjectSettings, source: ObjectStorage, target: ObjectStorage, run: RunContext
    ) -> None:
        self._settings = settings
        self._source = source
        self._target = target
        self._run = run
        self._stats = run.stats
        self.source_filter = SourceContentFilter(settings.content_filters, source)

    async def transfer(
        self, obj: ObjectInfo, conditions: WriteConditions = NO_CONDITIONS
    ) -> ObjectInfo | Skip | None:
        """Copy one object from source to target.

        Args:
            obj: the listed source object.
            conditions: the preconditions of the write (--if-match, --if-none-match, --copy-source-if-match).

        Returns:
            The object as transferred (a file that changed size since it was listed is sent as it is now); a Skip
            when filter steps 9-14 drop it on what the source's first response tells; or None when the target
            refused the bytes (a download whose verification failed: the existing file is kept and a warning was
            counted).

        Raises:
            PutFailedError: the target write failed.
            StorageError: reading the source failed.
            LayoutError: the source's part layout contradicts itself.
        """
        first_range = await source_layout.first_range(self._settings, self._source, obj)
        async with await self._source.open_content(obj, first_range=first_range) as opened:
            content = self._run.limits.throttled(opened)
            obj = self._as_opened(obj, content.details)
            source_layout.check_content_range(content.details, first_range, obj.key)
            checked = await self.source_filter.check(obj, content.details)
            if checked.skip is not None:
                return checked.skip
            layout = await self._read_layout(obj, content, first_range)
            if checked.tags is not None:
                layout = dataclasses.replace(layout, source_tags=checked.tags)
            request = dataclasses.replace(await self._request(obj, content.details, layout), conditions=conditions)
            result = await self._put(obj, content, request)
        if not result.committed:
            return None
        self._verify(obj, content.details, layout, request, result)
        return obj

    async def rehearse(self, obj: ObjectInfo) -> ObjectInfo | Skip:
        """What a dry run does instead of `transfer`: nothing is read or written, except the HEAD of the source
        that filter steps 9-14 need when one is on.

        Returns:
            The object as it would be transferred, or the Skip of a filter step.
        """
        skip = await self.source_filter.check_without_body(obj)
        return obj if skip is None else skip

    def _as_opened(self, obj: ObjectInfo, details: ObjectDetails) -> ObjectInfo:
        """The object as the opened content describes it (by default: as listed)."""
        return obj

    async def _read_layout(
        self, obj: ObjectInfo, content: ObjectContent, first_range: tuple[int, int] | None
    ) -> SourceLayout:
        """What the transfer needs to know about the source beyond its first response (by default nothing)."""
        return SourceLayout(first_range)

    @abc.abstractmethod
    async def _request(self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout) -> PutRequest:
        """The write request, built once."""

    def _verify(
        self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout, request: PutRequest, result: PutResult
    ) -> None:
        """Check what the target reports after a committed write (by default nothing)."""
        return

    @abc.abstractmethod
    def completion_fields(self, obj: ObjectInfo) -> LogFields:
        """The fields of the "sync completed." record."""

    async def _put(self, obj: ObjectInfo, content: ObjectContent, request: PutRequest) -> PutResult:
        await self._run.limits.object()
        try:
            return await self._target.put_object(obj.key, content, request)
        except StorageError as exc:
            raise PutFailedError(exc) from exc
        except OSError as exc:
            raise PutFailedError(StorageError(str(exc), operation="put", key=obj.key)) from exc


class FromS3Source(TransferStrategy):
    """Strategies whose source is an S3 bucket: its checksum and part layout are read after the first GET."""

    def _checksum_algorithm(self, obj: ObjectInfo, details: ObjectDetails) -> ChecksumAlgorithm | None:
        """The algorithm whose stored value the source is verified against (None: no checksum is read)."""
        return self._settings.verification.additional_checksum_algorithm

    async def _read_layout(
        self, obj: ObjectInfo, content: ObjectContent, first_range: tuple[int, int] | None
    ) -> SourceLayout:
        algorithm, checksum = await self._final_checksum(obj, content, first_range is not None)
        parts = await source_layout.source_parts(
            self._settings, self._source, obj, content.details, first_range, checksum
        )
        return SourceLayout(first_range, parts, checksum, algorithm)

    async def _final_checksum(
        self, obj: ObjectInfo, content: ObjectContent, ranged: bool
    ) -> tuple[ChecksumAlgorithm | None, str | None]:
        """The source's whole-object additional checksum, read with checksum mode.

        Only with --enable-additional-checksum. A ranged GET carries no whole-object value, so the source is
        HEADed (a failure there is a warning, and the object goes on unverified).
        """
        if not self._settings.verification.enable_additional_checksum:
            return None, None
        algorithm = self._checksum_algorithm(obj, content.details)
        if algorithm is None and not self._reads_checksum_without_algorithm:
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
        algorithm = self._checksum_algorithm(obj, details)
        return algorithm, details.checksum(algorithm)

    # Whether the checksum is worth a HEAD before the algorithm is known (a download learns it from the HEAD).
    _reads_checksum_without_algorithm = False


def refreshed(obj: ObjectInfo, details: ObjectDetails) -> ObjectInfo:
    """`obj` with the size and mtime the opened content reports (its listed ETag no longer applies)."""
    if details.info.size == obj.size:
        return obj
    return dataclasses.replace(obj, size=details.info.size, mtime_ns=details.info.mtime_ns, e_tag=None)
