"""The S3 data path: the requests that run once per object, part or listing page, behind one small seam.

Public API:
    ResponseBody           protocol of an open GET body (aiobotocore's StreamingBody satisfies it)
    StreamedBody(read_range, offset, size, sha256)   a request body read from its source while it is sent
    RequestBody            bytes | StreamedBody
    GetResponse(details, body), WriteResponse(e_tag, checksums, version_id),
    ListPage(objects, next_token, truncated)
    S3DataPath             the seam (abc): list_page, get_object, put_object, upload_part, signs_payload
    BotocoreDataPath       the implementation on the aiobotocore client

Why a seam: botocore's generic request machinery costs ~1.2 ms CPU per PutObject and ~55 us per listed key
(bench/bench_listing.py measures it), about 4x what signed requests on aiohttp and a dedicated listing parser need.
Everything else (credentials, retries configuration, HEAD, tagging, multipart control calls) stays on botocore;
a lean implementation of this class can replace BotocoreDataPath without touching the storage.

Contract: keys are relative to the bound location; parameters are botocore-style names (the lean path maps them
to headers); vendor exceptions propagate unmapped, the storage maps them with map_botocore_errors.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from s3syncpy.adapters.s3.details import CHECKSUM_FIELDS, details_from_response, info_from_listing
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.paths import S3Location


class ResponseBody(Protocol):
    """An open response body."""

    async def read(self, amt: int | None = None) -> bytes:
        """Up to `amt` bytes (all remaining bytes when None); b"" at the end."""

    async def aclose(self) -> None:
        """Release the connection."""


# A streamed body goes out in pieces of this size: small enough that a piece costs an inline positional read,
# large enough that the per-piece overhead vanishes next to the bytes.
STREAM_PIECE_SIZE = 256 * 1024


class StreamedBody:
    """A request body that is not held: its bytes are read from the source while it is sent.

    Each attempt of the request (a retry included) iterates `pieces()` afresh, reading the range again; each
    piece is a new bytes object, so nothing the HTTP layer still references is ever overwritten. The digests
    in the request's headers (Content-MD5, checksum, `sha256` for a signed payload) were computed over the same
    range just before (ObjectContent.digest_range); S3 rejects a body that no longer matches them.
    """

    __slots__ = ("_offset", "_read", "sha256", "size")

    def __init__(
        self,
        read_range: Callable[[int, int], Awaitable[bytes | bytearray]],
        offset: int,
        size: int,
        sha256: bytes | None,
    ) -> None:
        """Args:
            read_range: reads exactly (offset, length) of the source (ObjectContent.read_range).
            offset: where the body starts in the source.
            size: its length.
            sha256: the raw SHA-256 of the range, when computed (the payload hash of a signed request).
        """
        self._read = read_range
        self._offset = offset
        self.size = size
        self.sha256 = sha256

    async def pieces(self) -> AsyncIterator[bytes | bytearray]:
        """The body in pieces of at most STREAM_PIECE_SIZE bytes, read from the source now."""
        position, end = self._offset, self._offset + self.size
        while position < end:
            length = min(STREAM_PIECE_SIZE, end - position)
            yield await self._read(position, length)
            position += length

    async def read_all(self) -> bytes | bytearray:
        """The whole body in memory (for paths that need it whole: the botocore data path)."""
        return await self._read(self._offset, self.size) if self.size else b""


RequestBody = bytes | bytearray | StreamedBody


async def held(body: RequestBody) -> bytes | bytearray:
    """The body as bytes (a streamed body is read whole)."""
    return await body.read_all() if isinstance(body, StreamedBody) else body


@dataclass(slots=True)
class GetResponse:
    """A GetObject whose headers are parsed and whose body is still open (the receiver closes it)."""

    details: ObjectDetails
    body: ResponseBody
    length: int


@dataclass(frozen=True, slots=True)
class WriteResponse:
    """What PutObject / UploadPart / CompleteMultipartUpload reported."""

    e_tag: str | None
    checksums: dict[str, str] = field(default_factory=dict)
    version_id: str | None = None


@dataclass(frozen=True, slots=True)
class ListPage:
    """One listing page: objects with relative keys (a key equal to the prefix has the empty relative key).

    `truncated` is the page's IsTruncated, kept apart from `next_token` so the pager can tell the last page from
    a truncated page that came without a token (a server fault it must not take for the end of the listing).
    """

    objects: list[ObjectInfo]
    next_token: str | None
    truncated: bool = False
    # CommonPrefixes of a delimited listing, as full prefixes (the bucket's keys, not relative ones).
    prefixes: list[str] = field(default_factory=list)


def write_response(response: Mapping[str, Any]) -> WriteResponse:
    """A WriteResponse from a botocore write output."""
    checksums = {name: response[f] for f, name in CHECKSUM_FIELDS.items() if response.get(f)}
    return WriteResponse(
        e_tag=response.get("ETag"), checksums=checksums, version_id=response.get("VersionId")
    )


def range_header(offset: int, length: int) -> str:
    """The HTTP Range for [offset, offset + length) (length >= 1)."""
    return f"bytes={offset}-{offset + length - 1}"


class S3DataPath(abc.ABC):
    """The per-object requests of one bucket prefix (see the module docstring)."""

    def __init__(self, location: S3Location) -> None:
        self.location = location

    @abc.abstractmethod
    async def list_page(
        self,
        continuation_token: str | None,
        max_keys: int,
        start_after: str | None = None,
        *,
        prefix: str | None = None,
        delimiter: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> ListPage:
        """One ListObjectsV2 page under `prefix` (a full prefix; default: the location's), with `delimiter`
        (then the page's CommonPrefixes are in `prefixes`); `start_after` is a relative key (first page);
        `params`: request parameters such as RequestPayer."""

    @abc.abstractmethod
    async def get_object(
        self,
        key: str,
        *,
        version_id: str | None,
        byte_range: tuple[int, int] | None,
        params: Mapping[str, Any],
    ) -> GetResponse:
        """Start a GET (`byte_range` = (offset, length), length >= 1); the caller must close the body."""

    @abc.abstractmethod
    async def put_object(self, key: str, body: RequestBody, params: Mapping[str, Any]) -> WriteResponse:
        """One PutObject of `body` with the given parameters (ContentMD5, Metadata, ...)."""

    @abc.abstractmethod
    async def upload_part(
        self, key: str, upload_id: str, part_number: int, body: RequestBody, params: Mapping[str, Any]
    ) -> WriteResponse:
        """One UploadPart."""

    def signs_payload(self, protected: bool) -> bool:
        """Whether a write's body SHA-256 goes into its signature (StreamedBody.sha256 must then be set).

        Args:
            protected: the request carries Content-MD5 or an x-amz-checksum-* value.

        The default (botocore's path) hashes held bodies itself: False.
        """
        return False


class BotocoreDataPath(S3DataPath):
    """The data path on the aiobotocore client."""

    def __init__(self, client: Any, location: S3Location) -> None:
        super().__init__(location)
        self._client = client

    async def list_page(
        self,
        continuation_token: str | None,
        max_keys: int,
        start_after: str | None = None,
        *,
        prefix: str | None = None,
        delimiter: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> ListPage:
        location = self.location
        kwargs: dict[str, Any] = {
            "Bucket": location.bucket,
            "Prefix": location.prefix if prefix is None else prefix,
            "MaxKeys": max_keys,
            **(params or {}),
        }
        if delimiter is not None:
            kwargs["Delimiter"] = delimiter
        if continuation_token is not None:
            kwargs["ContinuationToken"] = continuation_token
        elif start_after is not None:
            kwargs["StartAfter"] = location.full_key(start_after)
        response = await self._client.list_objects_v2(**kwargs)
        objects = []
        for entry in response.get("Contents", ()):
            objects.append(info_from_listing(location.relative_key(entry["Key"]), entry))
        truncated = bool(response.get("IsTruncated"))
        token = response.get("NextContinuationToken") if truncated else None
        prefixes = [entry["Prefix"] for entry in response.get("CommonPrefixes", ()) if entry.get("Prefix")]
        return ListPage(objects=objects, next_token=token or None, truncated=truncated, prefixes=prefixes)

    async def get_object(
        self,
        key: str,
        *,
        version_id: str | None,
        byte_range: tuple[int, int] | None,
        params: Mapping[str, Any],
    ) -> GetResponse:
        kwargs: dict[str, Any] = {
            "Bucket": self.location.bucket,
            "Key": self.location.full_key(key),
            **params,
        }
        if version_id is not None:
            kwargs["VersionId"] = version_id
        if byte_range is not None:
            kwargs["Range"] = range_header(*byte_range)
        response = await self._client.get_object(**kwargs)
        body = response["Body"]
        try:
            details = details_from_response(key, response)
            return GetResponse(details=details, body=body, length=int(response.get("ContentLength", 0)))
        except BaseException:
            await body.aclose()
            raise

    async def put_object(self, key: str, body: RequestBody, params: Mapping[str, Any]) -> WriteResponse:
        response = await self._client.put_object(
            Bucket=self.location.bucket, Key=self.location.full_key(key), Body=await held(body), **params
        )
        return write_response(response)

    async def upload_part(
        self, key: str, upload_id: str, part_number: int, body: RequestBody, params: Mapping[str, Any]
    ) -> WriteResponse:
        response = await self._client.upload_part(
            Bucket=self.location.bucket,
            Key=self.location.full_key(key),
            UploadId=upload_id,
            PartNumber=part_number,
            Body=await held(body),
            **params,
        )
        return write_response(response)
