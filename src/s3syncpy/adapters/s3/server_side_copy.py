"""Server-side copy: S3 copies the object itself (CopyObject, or UploadPartCopy ranges); no body passes through us.

Public API:
    copy_source_param(source) -> dict              botocore's CopySource for a CopySource (bucket, key, version)
    copy_source_sse_c_params(source) -> dict       the copy-source SSE-C headers of an SSE-C source
    ServerSideCopier(client, location, errors, options, semaphore).copy(key, source, request) -> PutResult

A request without parts is one CopyObject: its MetadataDirective / TaggingDirective are the request's (COPY keeps
the source's own values; REPLACE writes the request's attributes). A request with parts is CreateMultipartUpload
with the request's attributes, one UploadPartCopy per part range (concurrent, bounded by the run's part semaphore),
then CompleteMultipartUpload; any failure or cancellation aborts the upload.

Keys go to botocore as a dict, which percent-encodes bucket and key as S3 expects in x-amz-copy-source (UTF-8,
then every byte outside A-Z a-z 0-9 - . _ ~ / as %XX, so "+", " " and "%" survive) and appends ?versionId=.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from s3syncpy.adapters.s3 import checksums
from s3syncpy.adapters.s3.conditions import (
    copy_condition_params,
    part_copy_condition_params,
    write_condition_params,
)
from s3syncpy.adapters.s3.details import checksums_from, system_metadata_params
from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.adapters.s3.multipart import abort_upload, first_error
from s3syncpy.adapters.s3.options import S3StorageOptions
from s3syncpy.application.ports.storage import PutResult
from s3syncpy.application.ports.write_requests import CopyRequest, CopySource, Directive, ObjectAttributes
from s3syncpy.domain.paths import S3Location


def copy_source_param(source: CopySource) -> dict[str, str]:
    """botocore's CopySource parameter (encoded by botocore into x-amz-copy-source)."""
    param = {"Bucket": source.bucket, "Key": source.key}
    if source.version_id is not None:
        param["VersionId"] = source.version_id
    return param


def copy_source_sse_c_params(source: CopySource) -> dict[str, str]:
    """The x-amz-copy-source-server-side-encryption-customer-* parameters of an SSE-C source (else none)."""
    key = source.customer_key
    if key is None:
        return {}
    return {
        "CopySourceSSECustomerAlgorithm": key.algorithm,
        "CopySourceSSECustomerKey": key.key,
        "CopySourceSSECustomerKeyMD5": key.md5(),
    }


def attribute_params(attributes: ObjectAttributes) -> dict[str, Any]:
    """System metadata, user metadata, tags and storage class as write parameters."""
    params = system_metadata_params(attributes.metadata)
    if attributes.user_metadata:
        params["Metadata"] = dict(attributes.user_metadata)
    if attributes.tagging:
        params["Tagging"] = attributes.tagging
    for name, value in (("ACL", attributes.acl), ("StorageClass", attributes.storage_class),
                        ("RequestPayer", attributes.request_payer)):
        if value is not None:
            params[name] = value
    return params


class ServerSideCopier:
    """The copy calls of one target storage (see the module docstring)."""

    def __init__(
        self,
        client: Any,
        location: S3Location,
        errors: ErrorMapper,
        options: S3StorageOptions,
        semaphore: asyncio.Semaphore,
    ) -> None:
        self._client = client
        self._location = location
        self._errors = errors
        self._options = options
        self._semaphore = semaphore

    async def copy(self, key: str, source: CopySource, request: CopyRequest) -> PutResult:
        """Copy `source` to `key` (one CopyObject, or a multipart copy when `request.part_sizes` is set).

        Raises:
            StorageError: a request failed (a multipart copy was aborted).
            ValueError: the part sizes do not add up to request.size.
        """
        if request.part_sizes:
            return await self._multipart(key, source, request)
        return await self._single(key, source, request)

    async def _result(self, key: str, e_tag: str | None, found: dict[str, str]) -> PutResult:
        if e_tag is not None and not e_tag.startswith('"'):
            # The port's ETags keep their quotes, as every other response gives them; some servers (SeaweedFS)
            # answer CopyObject without.
            e_tag = f'"{e_tag}"'
        algorithm = self._options.checksum_algorithm
        if algorithm is None:
            return PutResult(e_tag=e_tag)
        checksum = found.get(algorithm.value)
        if checksum is None:
            # AWS returns the new object's checksum in the copy result; some servers (SeaweedFS) store it but
            # leave it out, so it is read back with checksum mode for the verification.
            checksum = await self._stored_checksum(key)
        return PutResult(e_tag=e_tag, checksum=checksum)

    async def _stored_checksum(self, key: str) -> str | None:
        algorithm = self._options.checksum_algorithm
        assert algorithm is not None
        params = {**self._options.read_params(), "ChecksumMode": "ENABLED"}
        async with self._errors.request("HeadObject", key):
            response = await self._client.head_object(
                Bucket=self._location.bucket, Key=self._location.full_key(key), **params
            )
        return checksums_from(response).get(algorithm.value)

    async def _single(self, key: str, source: CopySource, request: CopyRequest) -> PutResult:
        params: dict[str, Any] = {
            **self._options.write_params(),
            "CopySource": copy_source_param(source),
            **copy_source_sse_c_params(source),
            **copy_condition_params(request.conditions),
        }
        attributes = request.attributes
        if attributes.storage_class is not None:
            # Not covered by the directives: without it the copy would get the bucket's default class.
            params["StorageClass"] = attributes.storage_class
        if request.metadata_directive is Directive.REPLACE:
            params["MetadataDirective"] = "REPLACE"
            params.update(system_metadata_params(attributes.metadata))
            if attributes.user_metadata:
                params["Metadata"] = dict(attributes.user_metadata)
        if request.tagging_directive is Directive.REPLACE:
            # REPLACE without a Tagging value leaves the copy without tags (--disable-tagging).
            params["TaggingDirective"] = "REPLACE"
            if attributes.tagging:
                params["Tagging"] = attributes.tagging
        async with self._errors.request("CopyObject", key):
            response = await self._client.copy_object(
                Bucket=self._location.bucket, Key=self._location.full_key(key), **params
            )
        if request.on_bytes is not None:
            request.on_bytes(request.size)
        result = response.get("CopyObjectResult") or {}
        return await self._result(key, result.get("ETag"), checksums_from(result))

    async def _multipart(self, key: str, source: CopySource, request: CopyRequest) -> PutResult:
        sizes = request.part_sizes
        if sum(sizes) != request.size:
            raise ValueError(f"part sizes add up to {sum(sizes)}, not to the object size {request.size}")
        full_key = self._location.full_key(key)
        create_params = {
            **self._options.write_params(),
            **self._options.create_params(),
            **attribute_params(request.attributes),
        }
        async with self._errors.request("CreateMultipartUpload", key):
            created = await self._client.create_multipart_upload(
                Bucket=self._location.bucket, Key=full_key, **create_params
            )
        upload_id: str = created["UploadId"]
        try:
            parts = await self._copy_parts(key, upload_id, source, request)
            completed = await self._complete(key, upload_id, parts, request)
        except BaseException:
            await abort_upload(self._client, self._location, self._errors, self._options, key, upload_id)
            raise
        return await self._result(key, completed.get("ETag"), checksums_from(completed))

    async def _copy_parts(
        self, key: str, upload_id: str, source: CopySource, request: CopyRequest
    ) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = [{} for _ in request.part_sizes]
        offset = 0
        try:
            async with asyncio.TaskGroup() as group:
                for index, size in enumerate(request.part_sizes):
                    group.create_task(self._copy_part(key, upload_id, source, request, index, offset, size, results))
                    offset += size
        except BaseExceptionGroup as failed:
            raise first_error(failed)
        return results

    async def _copy_part(
        self,
        key: str,
        upload_id: str,
        source: CopySource,
        request: CopyRequest,
        index: int,
        offset: int,
        size: int,
        results: list[dict[str, Any]],
    ) -> None:
        params = {
            **self._options.complete_params(),  # the target's SSE-C key and request payer, repeated on every part
            "CopySource": copy_source_param(source),
            "CopySourceRange": f"bytes={offset}-{offset + size - 1}",
            **copy_source_sse_c_params(source),
            **part_copy_condition_params(request.conditions),
        }
        async with self._semaphore, self._errors.request("UploadPartCopy", key):
            response = await self._client.upload_part_copy(
                Bucket=self._location.bucket,
                Key=self._location.full_key(key),
                UploadId=upload_id,
                PartNumber=index + 1,
                **params,
            )
        if request.on_bytes is not None:
            request.on_bytes(size)
        part = response.get("CopyPartResult") or {}
        entry: dict[str, Any] = {"PartNumber": index + 1, "ETag": part.get("ETag")}
        algorithm = self._options.checksum_algorithm
        if algorithm is not None:
            value = checksums_from(part).get(algorithm.value)
            if value is not None:
                entry[checksums.checksum_param(algorithm)] = value
        results[index] = entry

    async def _complete(
        self, key: str, upload_id: str, parts: Sequence[dict[str, Any]], request: CopyRequest
    ) -> dict[str, Any]:
        params = {**self._options.complete_params(), **write_condition_params(request.conditions)}
        async with self._errors.request("CompleteMultipartUpload", key):
            response: dict[str, Any] = await self._client.complete_multipart_upload(
                Bucket=self._location.bucket,
                Key=self._location.full_key(key),
                UploadId=upload_id,
                MultipartUpload={"Parts": list(parts)},
                **params,
            )
        return response
