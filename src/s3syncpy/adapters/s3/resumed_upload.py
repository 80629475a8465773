"""Continuing a multipart upload an earlier run left open (--resume).

Public API:
    KeptPart                          a part already on the server that matches the local range
    ResumePoint                       the upload to continue and its kept parts (by part index)
    UploadResumer(client, location, errors, options, journal, abort, now=time.time)
        .resume_point(key, content, request) -> ResumePoint | None
        .started(key, upload_id, request) / .finished(key, upload_id) / keeps_open(exc)

Before a resumable upload creates a new multipart upload, the key's open uploads are listed
(ListMultipartUploads). The one the journal names is continued only when it is s3sync's own for this very source:
same path, size, mtime, part layout and request options, and younger than --max-resume-age. Its parts are listed
(ListParts), and a part is kept only when its size is the layout's and its ETag is the MD5 of that range of the
local file as it is now (the range is hashed again: the journal alone proves nothing about the bytes), with the
additional checksum compared too when one is sent. Every other part is uploaded again. A journaled upload that
does not qualify is aborted (restarted), and one the server no longer has is forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from s3syncpy.adapters.s3 import checksums
from s3syncpy.adapters.s3.checksums import PartDigest, digest_part
from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.adapters.s3.options import S3StorageOptions
from s3syncpy.adapters.s3.upload_journal import JournalEntry, UploadJournal
from s3syncpy.application.ports.storage import ObjectContent, PutRequest
from s3syncpy.domain.errors import TransientStorageError
from s3syncpy.domain.model import ChecksumAlgorithm
from s3syncpy.domain.paths import S3Location

_log = logging.getLogger(__name__)
_PAGE = 1000


@dataclass(frozen=True, slots=True)
class KeptPart:
    """A part on the server whose bytes equal the local range: not sent again."""

    size: int
    digest: PartDigest
    e_tag: str


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """The upload to continue and the parts it keeps, by part index (from 0)."""

    upload_id: str
    kept: dict[int, KeptPart]


def keeps_open(exc: BaseException) -> bool:
    """Whether a resumable upload that failed with `exc` is left open for the next run: an interruption
    (cancellation, Ctrl-C) or a transient failure (a lost network). Any other failure aborts it, as today."""
    return isinstance(exc, (asyncio.CancelledError, TransientStorageError))


class UploadResumer:
    """Finds, checks, records and forgets the resumable uploads of one S3 storage (see the module docstring)."""

    def __init__(
        self,
        client: Any,
        location: S3Location,
        errors: ErrorMapper,
        options: S3StorageOptions,
        journal: UploadJournal,
        abort: Callable[[str, str], Awaitable[None]],
        now: Callable[[], float] = time.time,
    ) -> None:
        """Args (beyond the storage's own parts):
            journal: where uploads are recorded when they start.
            abort: aborts the upload (key, upload id) of this storage, never raising (multipart.abort_upload).
            now: the wall clock (seconds since the epoch), for --max-resume-age.
        """
        self._abort_upload = abort
        self._client = client
        self._location = location
        self._errors = errors
        self._options = options
        self._journal = journal
        self._now = now

    def _fingerprint(self) -> str:
        """The options that shape the parts: an upload started with others cannot take our parts."""
        o = self._options
        algorithm = o.checksum_algorithm.value if o.checksum_algorithm is not None else ""
        return f"{algorithm}|{o.full_object}|{o.sse or ''}|{o.sse_kms_key_id or ''}|{o.sse_c is not None}"

    def started(self, key: str, upload_id: str, request: PutRequest) -> bool:
        """Journal a new upload before its first part is sent (a SIGKILL after this point is resumable).

        Returns:
            Whether it was journaled. A journal that cannot be written is a warning: the upload goes on, not
            resumable (aborted on failure as without --resume, since no later run would find it).
        """
        source = request.resume
        if source is None:
            return False
        entry = JournalEntry(
            bucket=self._location.bucket,
            key=self._location.full_key(key),
            upload_id=upload_id,
            source=source.source,
            size=request.size,
            mtime_ns=source.mtime_ns,
            part_sizes=list(request.part_sizes),
            fingerprint=self._fingerprint(),
            started=self._now(),
        )
        try:
            self._journal.record(entry)
        except OSError as exc:
            _log.warning("cannot write the resume journal; this upload will not be resumable.",
                         extra={"fields": {"key": key, "error": str(exc)}})
            return False
        return True

    def finished(self, key: str, upload_id: str) -> None:
        """The upload was completed or aborted: its journal entry goes."""
        self._journal.forget(self._location.bucket, self._location.full_key(key), upload_id)

    def left_open(self, key: str, upload_id: str, exc: BaseException) -> None:
        """Say that an interrupted upload stays open for the next run with --resume."""
        _log.warning("multipart upload left open for --resume; run again with --resume to continue it.",
                     extra={"fields": {"key": key, "upload_id": upload_id, "reason": type(exc).__name__}})

    async def resume_point(self, key: str, content: ObjectContent, request: PutRequest) -> ResumePoint | None:
        """The journaled upload of `key` to continue, with the parts that still match; None to start anew.

        Raises:
            StorageError: listing the uploads or the parts failed.
        """
        source = request.resume
        full_key = self._location.full_key(key)
        entry = self._journal.read(self._location.bucket, full_key)
        if source is None or entry is None:
            return None
        initiated = await self._open_upload(key, entry.upload_id)
        if initiated is None:
            # Completed, aborted or expired since: nothing to continue, and nothing to abort.
            self._journal.forget(self._location.bucket, full_key, entry.upload_id)
            return None
        age = self._now() - min(initiated, entry.started)
        if age > source.max_age_seconds:
            await self._abort(key, entry.upload_id, "aborted an open multipart upload older than --max-resume-age.")
            return None
        if not self._same_source(entry, request):
            await self._abort(key, entry.upload_id,
                              "restarting a multipart upload: the source changed since it was started.")
            return None
        kept = await self._kept_parts(key, entry.upload_id, content, request)
        _log.info("resuming a multipart upload.", extra={"fields": {
            "key": key, "upload_id": entry.upload_id, "parts_kept": len(kept),
            "parts_total": len(request.part_sizes), "bytes_kept": sum(part.size for part in kept.values()),
        }})
        return ResumePoint(entry.upload_id, kept)

    def _same_source(self, entry: JournalEntry, request: PutRequest) -> bool:
        source = request.resume
        assert source is not None
        return (
            entry.source == source.source
            and entry.size == request.size
            and entry.mtime_ns == source.mtime_ns
            and entry.part_sizes == list(request.part_sizes)
            and entry.fingerprint == self._fingerprint()
        )

    async def _open_upload(self, key: str, upload_id: str) -> float | None:
        """When the key's open upload `upload_id` was initiated (seconds since the epoch), None if not open."""
        full_key = self._location.full_key(key)
        params: dict[str, Any] = {"Bucket": self._location.bucket, "Prefix": full_key, **self._options.plain_params()}
        while True:
            async with self._errors.request("ListMultipartUploads", key):
                page = await self._client.list_multipart_uploads(**params)
            for upload in page.get("Uploads", ()):
                if upload.get("Key") == full_key and upload.get("UploadId") == upload_id:
                    initiated = upload.get("Initiated")
                    return initiated.timestamp() if isinstance(initiated, datetime) else self._now()
            if not page.get("IsTruncated"):
                return None
            key_marker, id_marker = page.get("NextKeyMarker"), page.get("NextUploadIdMarker")
            if not key_marker or (key_marker, id_marker) == (params.get("KeyMarker"), params.get("UploadIdMarker")):
                return None
            params["KeyMarker"] = key_marker
            if id_marker:
                params["UploadIdMarker"] = id_marker

    async def _listed_parts(self, key: str, upload_id: str) -> dict[int, list[dict[str, Any]]]:
        """The upload's parts by part number (ListParts, paged). A number can come more than once: some servers
        (SeaweedFS) list every upload of a part number that was sent again, not only the last."""
        params: dict[str, Any] = {
            "Bucket": self._location.bucket, "Key": self._location.full_key(key), "UploadId": upload_id,
            "MaxParts": _PAGE, **self._options.attributes_params(),
        }
        parts: dict[int, list[dict[str, Any]]] = {}
        while True:
            async with self._errors.request("ListParts", key):
                page = await self._client.list_parts(**params)
            for part in page.get("Parts", ()):
                parts.setdefault(int(part["PartNumber"]), []).append(part)
            marker = page.get("NextPartNumberMarker")
            if not page.get("IsTruncated") or marker is None or marker == params.get("PartNumberMarker"):
                return parts
            params["PartNumberMarker"] = marker

    async def _kept_parts(
        self, key: str, upload_id: str, content: ObjectContent, request: PutRequest
    ) -> dict[int, KeptPart]:
        listed = await self._listed_parts(key, upload_id)
        algorithm = self._options.checksum_algorithm
        kept: dict[int, KeptPart] = {}
        offset = 0
        for index, size in enumerate(request.part_sizes):
            entries = listed.get(index + 1, [])
            if entries and all(int(part.get("Size", -1)) == size and part.get("ETag") for part in entries):
                digest = await _digest_range(content, offset, size, algorithm)
                # Every listed upload of the number must hold these bytes: which one a server would assemble
                # is not ours to guess.
                if all(_holds(part, digest, algorithm) for part in entries):
                    kept[index] = KeptPart(size, digest, str(entries[0]["ETag"]))
                else:
                    _log.info("a part on the server differs from the local file; sending it again.",
                              extra={"fields": {"key": key, "part_number": index + 1}})
            offset += size
        return kept

    async def _abort(self, key: str, upload_id: str, message: str) -> None:
        """Abort a journaled upload that is not to be continued, and forget it."""
        _log.info(message, extra={"fields": {"key": key, "upload_id": upload_id}})
        await self._abort_upload(key, upload_id)
        self.finished(key, upload_id)


def _holds(part: dict[str, Any], digest: PartDigest, algorithm: ChecksumAlgorithm | None) -> bool:
    """Whether a listed part's ETag (and additional checksum, when one is sent) is that of the local range."""
    if str(part["ETag"]).strip('"').lower() != digest.md5.hex():
        return False
    if algorithm is not None and digest.checksum is not None:
        return bool(part.get(checksums.checksum_param(algorithm)) == checksums.encode(digest.checksum))
    return True


async def _digest_range(
    content: ObjectContent, offset: int, size: int, algorithm: ChecksumAlgorithm | None
) -> PartDigest:
    """The digests of one local range: hashed in place where the source allows it, else read and hashed."""
    digests = await content.digest_range(offset, size, algorithm)
    if digests is not None:
        return PartDigest(md5=digests.md5, checksum=digests.checksum)
    return await digest_part(await content.read_range(offset, size), algorithm)

