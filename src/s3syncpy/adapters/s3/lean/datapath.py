"""LeanDataPath: the per-object S3 requests as SigV4-signed aiohttp requests, without botocore's machinery.

Public API:
    LeanDataPath(location, *, endpoint, credentials, transport, service_model, fallback, payload_signing=True,
                 stall_grace=None)
    LeanBody(response)       an open GET body (read(amt) / aclose())

Same contract as BotocoreDataPath (datapath.py): botocore-style parameters in, the same dataclasses out, vendor
errors unmapped (botocore ClientError for S3 errors, aiohttp / timeout errors for the network). Parameters become
headers through the service model (shapes.py); responses are read back the same way, so details_from_response
sees the dictionary botocore would have produced.

Botocore's request rules kept here:
* payload signing: over HTTP the body's SHA-256 is signed; over HTTPS a body protected by Content-MD5 or an
  x-amz-checksum-* header goes as UNSIGNED-PAYLOAD; payload_signing=False (--disable-payload-signing) sends
  UNSIGNED-PAYLOAD always (S3SigV4Auth._should_sha256_sign_payload);
* ChecksumAlgorithm without a checksum value: the checksum of the body is computed and sent in its header
  (request_checksum_calculation "when_required" still honours an explicit algorithm);
* a bucket in another region (redirect) hands this and every later request to `fallback` (the botocore data
  path), whose client follows S3's region redirects.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
from awscrt import checksums as crt  # type: ignore[import-untyped]

from s3syncpy.adapters.s3.datapath import (
    GetResponse,
    ListPage,
    RequestBody,
    ResponseBody,
    S3DataPath,
    StreamedBody,
    WriteResponse,
    held,
    range_header,
    write_response,
)
from s3syncpy.adapters.s3.details import details_from_response
from s3syncpy.adapters.s3.lean.endpoint import BucketEndpoint, ClientCredentials
from s3syncpy.adapters.s3.lean.listing import parse_list_page
from s3syncpy.adapters.s3.lean.shapes import RequestShape, ResponseShape
from s3syncpy.adapters.s3.lean.signing import EMPTY_SHA256, UNSIGNED_PAYLOAD, SigV4Signer
from s3syncpy.adapters.s3.lean.transport import LeanTransport, RegionRedirectError
from s3syncpy.adapters.s3.stall import StallGuardedBody
from s3syncpy.domain.paths import S3Location

_T = TypeVar("_T")
_Data = bytes | bytearray  # a request body held in memory
# Below this size hashing inline is cheaper than a thread hop; above it, it would stall the event loop.
_INLINE_HASH_LIMIT = 256 * 1024
_CHECKSUM_HEADER_PREFIX = "x-amz-checksum-"


def _crc(function: Callable[[_Data], int], width: int) -> Callable[[_Data], bytes]:
    return lambda data: function(data).to_bytes(width, "big")


# The additional checksums botocore can compute for a request, as raw big-endian digests.
_CHECKSUMS: dict[str, Callable[[_Data], bytes]] = {
    "CRC32": _crc(crt.crc32, 4),
    "CRC32C": _crc(crt.crc32c, 4),
    "CRC64NVME": _crc(crt.crc64nvme, 8),
    "SHA1": lambda data: hashlib.sha1(data, usedforsecurity=False).digest(),
    "SHA256": lambda data: hashlib.sha256(data).digest(),
}


async def _off_loop_if_large(data: _Data, function: Callable[[_Data], _T]) -> _T:
    if len(data) < _INLINE_HASH_LIMIT:
        return function(data)
    return await asyncio.to_thread(function, data)


def _sha256_hex(data: _Data) -> str:
    return hashlib.sha256(data).hexdigest()


class LeanBody:
    """An open GET response body: reads come from aiohttp's stream; aclose() frees or drops the connection."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def read(self, amt: int | None = None) -> bytes:
        """Up to `amt` bytes (all remaining bytes when None); b"" at the end.

        Raises:
            aiohttp.ClientPayloadError: the body ended before its Content-Length.
        """
        return await self._response.content.read(-1 if amt is None else amt)

    async def aclose(self) -> None:
        """Return the connection to the pool when the body was read to its end, else close it."""
        response = self._response
        if response.content.is_eof():
            response.release()
        else:
            response.close()


class LeanDataPath(S3DataPath):
    """The data path of one bucket prefix on signed aiohttp requests (see the module docstring)."""

    def __init__(
        self,
        location: S3Location,
        *,
        endpoint: BucketEndpoint,
        credentials: ClientCredentials,
        transport: LeanTransport,
        service_model: Any,
        fallback: S3DataPath,
        payload_signing: bool = True,
        stall_grace: float | None = None,
    ) -> None:
        """Bind the path to a bucket prefix.

        Args:
            location: the bucket and prefix.
            endpoint: the bucket's URL and signing scope (endpoint.resolve_bucket_endpoint).
            credentials: the client's credentials.
            transport: the open HTTP transport (owned by the caller).
            service_model: botocore's S3 ServiceModel (client.meta.service_model).
            fallback: the botocore data path, used after a region redirect.
            payload_signing: False sends UNSIGNED-PAYLOAD on every request (--disable-payload-signing).
            stall_grace: seconds a GET body may deliver nothing before it is aborted (None: no guard).
        """
        super().__init__(location)
        self._endpoint = endpoint
        self._credentials = credentials
        self._transport = transport
        self._fallback = fallback
        self._redirected = False
        self._payload_signing = payload_signing
        self._stall_grace = stall_grace
        self._signer = SigV4Signer(endpoint.region, endpoint.signing_name)
        self._list_in = RequestShape.of(service_model.operation_model("ListObjectsV2"))
        self._get_in = RequestShape.of(service_model.operation_model("GetObject"))
        self._get_out = ResponseShape.of(service_model.operation_model("GetObject"))
        self._put_in = RequestShape.of(service_model.operation_model("PutObject"))
        self._put_out = ResponseShape.of(service_model.operation_model("PutObject"))
        self._part_in = RequestShape.of(service_model.operation_model("UploadPart"))
        self._part_out = ResponseShape.of(service_model.operation_model("UploadPart"))

    async def _or_fallback(
        self, lean: Callable[[], Awaitable[_T]], botocore: Callable[[], Awaitable[_T]]
    ) -> _T:
        if not self._redirected:
            try:
                return await lean()
            except RegionRedirectError:
                # The bucket lives elsewhere: botocore's client discovers the region and caches it for us.
                self._redirected = True
        return await botocore()

    def _key_path(self, key: str) -> str:
        return "/" + quote(self.location.full_key(key), safe="/~")

    def signs_payload(self, protected: bool) -> bool:
        """Whether the body's SHA-256 is signed: payload signing on, unless TLS and a checksum protect it."""
        return self._payload_signing and not (self._endpoint.https and protected)

    async def _payload_hash(self, headers: Mapping[str, str], body: RequestBody | None) -> str:
        if not self._payload_signing:
            return UNSIGNED_PAYLOAD
        if not (body.size if isinstance(body, StreamedBody) else body):
            return EMPTY_SHA256
        protected = "content-md5" in headers or any(n.startswith(_CHECKSUM_HEADER_PREFIX) for n in headers)
        if not self.signs_payload(protected):
            return UNSIGNED_PAYLOAD  # TLS plus a checksum protects the body (botocore's rule)
        if isinstance(body, StreamedBody) and body.sha256 is not None:
            return body.sha256.hex()  # hashed with the other digests, in the same read of the range
        assert body is not None
        return await _off_loop_if_large(await held(body), _sha256_hex)

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: RequestBody | None = None,
    ) -> aiohttp.ClientResponse:
        url, prepare = await self._signed(method, path, query, headers, body)
        return await self._transport.send(operation, method, url, prepare, body)

    async def _fetch(
        self, operation: str, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str]
    ) -> bytes:
        """A bodiless request whose small response body is read whole, retried when the body breaks off."""
        url, prepare = await self._signed(method, path, query, headers, None)
        return await self._transport.fetch(operation, method, url, prepare)

    async def _signed(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: RequestBody | None,
    ) -> tuple[str, Callable[[], Awaitable[dict[str, str]]]]:
        """The request's URL and the function that signs one attempt of it (a fresh x-amz-date each time)."""
        endpoint = self._endpoint
        canonical_query = "&".join(
            f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}" for name, value in sorted(query)
        )
        url = endpoint.base_url + path + ("?" + canonical_query if canonical_query else "")
        signed_path = endpoint.base_path + path or "/"
        payload_hash = await self._payload_hash(headers, body)
        headers["host"] = endpoint.host

        async def prepare() -> dict[str, str]:
            signed = dict(headers)
            credentials = await self._credentials.get()
            self._signer.sign(method, signed_path, canonical_query, signed, payload_hash, credentials)
            return signed

        return url, prepare

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
        return await self._or_fallback(
            lambda: self._list_page(continuation_token, max_keys, start_after, prefix, delimiter, params or {}),
            lambda: self._fallback.list_page(
                continuation_token, max_keys, start_after, prefix=prefix, delimiter=delimiter, params=params
            ),
        )

    async def _list_page(
        self,
        continuation_token: str | None,
        max_keys: int,
        start_after: str | None,
        prefix: str | None,
        delimiter: str | None,
        params: Mapping[str, Any],
    ) -> ListPage:
        query = [
            ("list-type", "2"),
            ("prefix", self.location.prefix if prefix is None else prefix),
            ("max-keys", str(max_keys)),
            ("encoding-type", "url"),  # as botocore asks, so any key survives XML
        ]
        if delimiter is not None:
            query.append(("delimiter", delimiter))
        if continuation_token is not None:
            query.append(("continuation-token", continuation_token))
        elif start_after is not None:
            query.append(("start-after", self.location.full_key(start_after)))
        headers, _ = self._list_in.serialize(params)  # header parameters only (x-amz-request-payer)
        data = await self._fetch("ListObjectsV2", "GET", "", query, headers)
        return parse_list_page(data, self.location)

    async def get_object(
        self,
        key: str,
        *,
        version_id: str | None,
        byte_range: tuple[int, int] | None,
        params: Mapping[str, Any],
    ) -> GetResponse:
        return await self._or_fallback(
            lambda: self._get_object(key, version_id, byte_range, params),
            lambda: self._fallback.get_object(
                key, version_id=version_id, byte_range=byte_range, params=params
            ),
        )

    async def _get_object(
        self,
        key: str,
        version_id: str | None,
        byte_range: tuple[int, int] | None,
        params: Mapping[str, Any],
    ) -> GetResponse:
        request = dict(params)
        if version_id is not None:
            request["VersionId"] = version_id
        if byte_range is not None:
            request["Range"] = range_header(*byte_range)
        headers, query = self._get_in.serialize(request)
        response = await self._send("GetObject", "GET", self._key_path(key), query, headers)
        try:
            output = self._get_out.parse(response.raw_headers)
            details = details_from_response(key, output)
            body: ResponseBody = LeanBody(response)
            if self._stall_grace is not None:
                body = StallGuardedBody(body, self._stall_grace)
            return GetResponse(details=details, body=body, length=int(output.get("ContentLength", 0)))
        except BaseException:
            response.close()
            raise

    async def put_object(self, key: str, body: RequestBody, params: Mapping[str, Any]) -> WriteResponse:
        return await self._or_fallback(
            lambda: self._write("PutObject", key, body, params, self._put_in, self._put_out),
            lambda: self._fallback.put_object(key, body, params),
        )

    async def upload_part(
        self, key: str, upload_id: str, part_number: int, body: RequestBody, params: Mapping[str, Any]
    ) -> WriteResponse:
        request = {**params, "UploadId": upload_id, "PartNumber": part_number}
        return await self._or_fallback(
            lambda: self._write("UploadPart", key, body, request, self._part_in, self._part_out),
            lambda: self._fallback.upload_part(key, upload_id, part_number, body, params),
        )

    async def _write(
        self,
        operation: str,
        key: str,
        body: RequestBody,
        params: Mapping[str, Any],
        shape_in: RequestShape,
        shape_out: ResponseShape,
    ) -> WriteResponse:
        headers, query = shape_in.serialize(params)
        algorithm = params.get("ChecksumAlgorithm")
        if algorithm and not any(n.startswith(_CHECKSUM_HEADER_PREFIX) for n in headers):
            compute = _CHECKSUMS.get(str(algorithm).upper())
            if compute is not None:
                body = await held(body)  # a checksum nobody computed yet: over the bytes this request sends
                digest = await _off_loop_if_large(body, compute)
                headers[_CHECKSUM_HEADER_PREFIX + str(algorithm).lower()] = base64.b64encode(digest).decode()
        response = await self._send(operation, "PUT", self._key_path(key), query, headers, body)
        try:
            await response.read()  # an empty body; reading it lets the connection go back to the pool
        finally:
            response.release()
        return write_response(shape_out.parse(response.raw_headers))
