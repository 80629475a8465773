"""S3 to local files: the bytes land in a temp file that is verified before it replaces the existing file."""

from __future__ import annotations

import functools

from s3syncpy.application.ports.storage import ObjectStorage, PutRequest
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import ObjectSettings
from s3syncpy.application.transfer import source_layout
from s3syncpy.application.transfer.integrity import DownloadVerifier
from s3syncpy.application.transfer.resumable import with_resume
from s3syncpy.application.transfer.source_layout import SourceLayout
from s3syncpy.application.transfer.strategies.base import FromS3Source, LogFields
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo


class DownloadToFiles(FromS3Source):
    """The read layout is the first range, then configured chunks; the file gets the source's mtime."""

    def __init__(self, settings: ObjectSettings, source: ObjectStorage, target: ObjectStorage, run: RunContext) -> None:
        # A download is verified before it replaces the existing file: a target that would commit the bytes before
        # running the check could not keep that promise.
        if not target.features.validates_before_commit:
            raise ValueError("downloads need a target storage that validates a write before committing it")
        super().__init__(settings, source, target, run)

    # A download verifies against whatever algorithm the source object carries, learnt from the HEAD.
    _reads_checksum_without_algorithm = True

    def _checksum_algorithm(self, obj: ObjectInfo, details: ObjectDetails) -> ChecksumAlgorithm | None:
        return _source_algorithm(obj, details)

    async def _request(self, obj: ObjectInfo, details: ObjectDetails, layout: SourceLayout) -> PutRequest:
        verifier = DownloadVerifier(
            self._settings,
            obj,
            details,
            self._run,
            source_parts=layout.parts,
            source_checksum=layout.checksum,
            checksum_algorithm=layout.algorithm,
            learn_parts=functools.partial(
                source_layout.learn_parts, self._source, obj, obj.e_tag or details.info.e_tag,
                max_parts=self._settings.transfer.max_keys,
            ),
        )
        request = PutRequest(
            size=obj.size,
            part_sizes=source_layout.download_parts(self._settings, obj, layout.first_range),
            content_md5=not self._settings.verification.disable_content_md5_header,
            on_bytes=self._run.progress.byte_counter(obj.key),
            # The file keeps the object's LastModified where the target can set it (it always can: a directory).
            mtime_ns=obj.mtime_ns if self._target.features.sets_mtime else None,
            validate=verifier.validate,
        )
        return with_resume(request, self._settings.resume, self._source.describe(obj.key), details)

    def completion_fields(self, obj: ObjectInfo) -> LogFields:
        return {"key": obj.key, "real_path": self._target.describe(obj.key), "size": obj.size}


def _source_algorithm(obj: ObjectInfo, details: ObjectDetails) -> ChecksumAlgorithm | None:
    """The algorithm of the source's checksum: as listed, else the one the GET / HEAD returned."""
    if obj.checksum_algorithm is not None:
        return obj.checksum_algorithm
    for name in details.checksums:
        algorithm = ChecksumAlgorithm.reported(name)
        if algorithm is not None:
            return algorithm
    return None
