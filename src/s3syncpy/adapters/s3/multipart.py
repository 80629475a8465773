"""Multipart upload: CreateMultipartUpload, concurrent UploadPart, CompleteMultipartUpload, abort on any failure.

Public API:
    part_md5(data) -> bytes                            raw MD5, off the event loop for large buffers
    content_md5_header(digest) -> str                  base64 Content-MD5 value
    MultipartUploader(client, datapath, errors, options, semaphore, budget).upload(key, content, request, params)
    abort_upload(client, location, errors, options, key, upload_id)   AbortMultipartUpload, shielded
    first_error(group) -> BaseException                the error a failed TaskGroup of parts reports

With an additional checksum algorithm, CreateMultipartUpload names it and its type (COMPOSITE, or FULL_OBJECT for
--full-object-checksum and CRC64NVME), every UploadPart carries the value we computed over that part's bytes, and
CompleteMultipartUpload lists each part's value (plus, for FULL_OBJECT, the whole-object CRC combined from the
parts and the object size), so S3 checks every part and the assembled object against what we read.

Parts run concurrently, bounded by one semaphore shared by every object (and by source and target: the
reference's --max-parallel-uploads budget). A part holds a permit while it reads its bytes and uploads them. A
part of a local file is streamed (part_body.py: hashed in one read, sent in small pieces of a second read), so
memory does not grow with the chunk size; a part of an S3 source is held, so memory stays near chunksize x
permits there (and within the ByteBudget's bytes whatever the part sizes). Any failure or cancellation aborts the upload, so no incomplete upload is
left to be billed.

With --resume (a request carrying `resume`, and a storage given an UploadResumer) the one exception: an
interrupted or transiently failed upload stays open, journaled, and the next attempt continues it with the parts
that still match the file (resumed_upload.py); completed or aborted, it leaves the journal.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from s3syncpy.adapters.s3 import checksums
from s3syncpy.adapters.s3.byte_budget import ByteBudget
from s3syncpy.adapters.s3.checksums import PartDigest, digest_part
from s3syncpy.adapters.s3.conditions import write_condition_params
from s3syncpy.adapters.s3.datapath import S3DataPath, WriteResponse
from s3syncpy.adapters.s3.details import checksums_from
from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.adapters.s3.options import S3StorageOptions
from s3syncpy.adapters.s3.part_body import prepare_body
from s3syncpy.adapters.s3.resumed_upload import KeptPart, UploadResumer, keeps_open
from s3syncpy.application.ports.storage import ObjectContent, PutRequest, PutResult
from s3syncpy.application.ports.write_requests import WriteConditions
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.paths import S3Location

_log = logging.getLogger(__name__)


async def part_md5(data: bytes) -> bytes:
    """The raw MD5 digest of `data`, computed in a worker thread when the buffer is large."""
    return (await digest_part(data, None)).md5


def content_md5_header(digest: bytes) -> str:
    """The Content-MD5 header value: base64 of the raw digest."""
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class _SentPart:
    """One uploaded part: what we computed over its bytes and what S3 answered."""

    size: int
    digest: PartDigest
    response: WriteResponse


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to report from a failed TaskGroup: the first that is not a cancellation."""
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            leaves.append(exc)

    walk(group)
    for exc in leaves:
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return leaves[0] if leaves else group


class MultipartUploader:
    """Uploads one object in parts (see the module docstring)."""

    def __init__(
        self,
        client: Any,
        datapath: S3DataPath,
        errors: ErrorMapper,
        options: S3StorageOptions,
        semaphore: asyncio.Semaphore,
        budget: ByteBudget,
        resumer: UploadResumer | None = None,
    ) -> None:
        self._resumer = resumer
        self._client = client
        self._budget = budget
        self._datapath = datapath
        self._errors = errors
        self._options = options
        self._semaphore = semaphore

    async def upload(
        self, key: str, content: ObjectContent, request: PutRequest, params: Mapping[str, Any]
    ) -> PutResult:
        """Upload `request.size` bytes of `content` in `request.part_sizes` parts.

        Args:
            key: the relative key to write.
            content: the source bytes (each part is read with read_range).
            request: the layout, Content-MD5 switch and progress callback.
            params: CreateMultipartUpload parameters (metadata, tagging, encryption, storage class, checksum).

        Returns:
            The target ETag, the raw MD5 of each part, S3's additional checksum and ours over the sent bytes.

        Raises:
            StorageError: any step failed (the upload was aborted).
            ValueError: the part sizes do not add up to request.size.
        """
        sizes = request.part_sizes
        if sum(sizes) != request.size:
            raise ValueError(f"part sizes add up to {sum(sizes)}, not to the object size {request.size}")
        resumer = self._resumer if request.resume is not None else None
        point = await resumer.resume_point(key, content, request) if resumer is not None else None
        if point is None:
            upload_id = await self._create(key, params)
            if resumer is not None and not resumer.started(key, upload_id, request):
                resumer = None  # not journaled: no later run would find it, so it is never left open
        else:
            upload_id = point.upload_id
        try:
            parts = await self._upload_parts(key, upload_id, content, request, point.kept if point else {})
            completed = await self._complete(key, upload_id, parts, request.conditions)
        except BaseException as exc:
            if resumer is not None and keeps_open(exc):
                resumer.left_open(key, upload_id, exc)
                raise
            await self._abort(key, upload_id)
            if resumer is not None:
                resumer.finished(key, upload_id)
            raise
        if resumer is not None:
            resumer.finished(key, upload_id)
        algorithm = self._options.checksum_algorithm
        checksum = sent = None
        if algorithm is not None:
            checksum = completed.checksums.get(algorithm.value)
            sent = self._object_checksum(parts)
        return PutResult(
            e_tag=completed.e_tag,
            part_md5s=[part.digest.md5 for part in parts],
            checksum=checksum,
            sent_checksum=sent,
        )

    async def _create(self, key: str, params: Mapping[str, Any]) -> str:
        """CreateMultipartUpload; the new upload's id."""
        location = self._datapath.location
        create_params = {**params, **self._options.create_params()}
        async with self._errors.request("CreateMultipartUpload", key):
            created = await self._client.create_multipart_upload(
                Bucket=location.bucket, Key=location.full_key(key), **create_params
            )
        upload_id: str = created["UploadId"]
        return upload_id

    def _object_checksum(self, parts: Sequence[_SentPart]) -> str | None:
        """The object's additional checksum over the bytes we sent, in S3's format."""
        algorithm = self._options.checksum_algorithm
        raws = [part.digest.checksum for part in parts]
        if algorithm is None or any(raw is None for raw in raws):
            return None
        return checksums.sent_checksum(
            algorithm,
            [raw for raw in raws if raw is not None],
            [part.size for part in parts],
            full_object=self._options.full_object,
            multipart=True,
        )

    async def _upload_parts(
        self, key: str, upload_id: str, content: ObjectContent, request: PutRequest, kept: Mapping[int, KeptPart]
    ) -> list[_SentPart]:
        results: list[_SentPart | None] = [None] * len(request.part_sizes)
        for index, part in kept.items():
            results[index] = _SentPart(part.size, part.digest, WriteResponse(e_tag=part.e_tag))
            # A resumed part counts as done, as a progress display would have counted it in the first run.
            if request.on_bytes is not None:
                request.on_bytes(part.size)
        offset = 0
        try:
            async with asyncio.TaskGroup() as group:
                for index, size in enumerate(request.part_sizes):
                    if index in kept:
                        offset += size
                        continue
                    group.create_task(
                        self._upload_part(key, upload_id, content, request, index, offset, size, results)
                    )
                    offset += size
        except BaseExceptionGroup as failed:
            # Re-raise the part's own error (keeping its `from` chain) rather than the group.
            raise first_error(failed)
        return [r for r in results if r is not None]

    async def _upload_part(
        self,
        key: str,
        upload_id: str,
        content: ObjectContent,
        request: PutRequest,
        index: int,
        offset: int,
        size: int,
        results: list[_SentPart | None],
    ) -> None:
        algorithm = self._options.checksum_algorithm
        async with self._semaphore:
            body, digest, reserved = await prepare_body(
                content, offset, size, algorithm, content_md5=request.content_md5, datapath=self._datapath,
                budget=self._budget,
            )
            try:
                params = self._options.part_params()
                if request.content_md5:
                    params["ContentMD5"] = content_md5_header(digest.md5)
                if algorithm is not None and digest.checksum is not None:
                    params[checksums.checksum_param(algorithm)] = checksums.encode(digest.checksum)
                async with self._errors.request("UploadPart", key):
                    response = await self._datapath.upload_part(key, upload_id, index + 1, body, params)
            finally:
                del body  # the held bytes go before their reservation does
                self._budget.release(reserved)
        results[index] = _SentPart(size=size, digest=digest, response=response)
        # Counted once S3 has acknowledged the part, so a progress display never runs ahead of the target.
        if request.on_bytes is not None:
            request.on_bytes(size)
        if request.on_write is not None:
            request.on_write(size, index + 1, upload_id)

    def _listed_part(self, number: int, part: _SentPart) -> dict[str, Any]:
        entry: dict[str, Any] = {"PartNumber": number, "ETag": part.response.e_tag}
        algorithm = self._options.checksum_algorithm
        if algorithm is not None and part.digest.checksum is not None:
            # Our value, which S3 accepted for this part; S3 checks the list against what it stored.
            entry[checksums.checksum_param(algorithm)] = checksums.encode(part.digest.checksum)
        return entry

    async def _complete(
        self, key: str, upload_id: str, parts: Sequence[_SentPart], conditions: WriteConditions
    ) -> WriteResponse:
        # If-Match / If-None-Match go on the complete: S3 checks them when the object would be replaced.
        params = {**self._options.complete_params(), **write_condition_params(conditions)}
        algorithm = self._options.checksum_algorithm
        if algorithm is not None and self._options.full_object:
            whole = self._object_checksum(parts)
            if whole is not None:
                # S3 verifies the assembled object against this full-object CRC and size before committing it.
                params[checksums.checksum_param(algorithm)] = whole
                params["ChecksumType"] = "FULL_OBJECT"
                params["MpuObjectSize"] = sum(part.size for part in parts)
        listed = [self._listed_part(number, part) for number, part in enumerate(parts, start=1)]
        location = self._datapath.location
        async with self._errors.request("CompleteMultipartUpload", key):
            response = await self._client.complete_multipart_upload(
                Bucket=location.bucket,
                Key=location.full_key(key),
                UploadId=upload_id,
                MultipartUpload={"Parts": listed},
                **params,
            )
        return WriteResponse(
            e_tag=response.get("ETag"), checksums=checksums_from(response), version_id=response.get("VersionId")
        )

    async def _abort(self, key: str, upload_id: str) -> None:
        await abort_upload(self._client, self._datapath.location, self._errors, self._options, key, upload_id)


async def abort_upload(
    client: Any, location: S3Location, errors: ErrorMapper, options: S3StorageOptions, key: str, upload_id: str
) -> None:
    """Abort a multipart upload; shielded so a second cancellation cannot leave it open, and never masking the
    cause (a failed abort is logged)."""

    async def abort() -> None:
        async with errors.request("AbortMultipartUpload", key):
            await client.abort_multipart_upload(
                Bucket=location.bucket,
                Key=location.full_key(key),
                UploadId=upload_id,
                **options.plain_params(),
            )

    try:
        await asyncio.shield(abort())
    except StorageError as exc:
        _log.warning("could not abort the multipart upload of %s: %s", errors.where(key), exc)
