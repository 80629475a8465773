"""S3ObjectContent: the bytes of one S3 object, read from the GET that open_content started.

Public API:
    S3ObjectContent(datapath, errors, first, first_offset, *, version_id, read_params)

The first GET (whole object, or the first part's range) stays open. Reads that continue it exactly (the offset is
where the open body stands and the range ends within it) are served from it, so a single PutObject or the first
part of a multipart copy costs one request. Every other read is a new ranged GET, pinned to the first response's
ETag with If-Match so an object replaced in between cannot mix two versions (it fails as a precondition instead).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from s3syncpy.adapters.s3.datapath import GetResponse, ResponseBody, S3DataPath
from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.application.ports.storage import ObjectContent
from s3syncpy.domain.errors import TransientStorageError

STREAM_CHUNK_SIZE = 1024 * 1024
_GET = "GetObject"


async def _read_exactly(body: ResponseBody, length: int, *, to_end: bool) -> bytes:
    if to_end:
        # One read of the whole remainder: aiobotocore also checks it against Content-Length.
        data = await body.read()
    else:
        chunks: list[bytes] = []
        remaining = length
        while remaining > 0:
            chunk = await body.read(remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return data


class S3ObjectContent(ObjectContent):
    """Readable bytes of one S3 object (see the module docstring); close it with `async with` or aclose()."""

    def __init__(
        self,
        datapath: S3DataPath,
        errors: ErrorMapper,
        first: GetResponse,
        first_offset: int,
        *,
        version_id: str | None,
        read_params: Mapping[str, Any],
    ) -> None:
        self.details = first.details
        self._datapath = datapath
        self._errors = errors
        self._key = first.details.info.key
        self._version_id = version_id
        # Continuation reads need the SSE-C key and the payer flag, not the checksums (details come from `first`).
        self._params = {name: value for name, value in read_params.items() if name != "ChecksumMode"}
        if first.details.info.e_tag:
            self._params["IfMatch"] = first.details.info.e_tag
        self._body: ResponseBody | None = first.body
        self._position = first_offset
        self._end = first_offset + first.length
        self._busy = False

    def _claim_body(self, offset: int, length: int) -> ResponseBody | None:
        """The open body, reserved for this read, when it continues exactly at `offset` and holds `length`."""
        body = self._body
        if body is None or self._busy or offset != self._position or offset + length > self._end:
            return None
        self._busy = True
        return body

    async def _release_body(self, consumed: int, complete: bool) -> None:
        """Return the body after a read; drop it when the read failed (its position is then unknown) or at the end."""
        self._busy = False
        self._position += consumed
        if not complete or self._position >= self._end:
            await self.aclose()

    def _short(self, offset: int, length: int, got: int) -> TransientStorageError:
        where = self._errors.where(self._key)
        return TransientStorageError(
            f"{_GET} {where} returned {got} of {length} bytes at offset {offset}",
            operation=_GET,
            key=self._key,
        )

    async def read_range(self, offset: int, length: int) -> bytes:
        """Read exactly `length` bytes at `offset`.

        Raises:
            TransientStorageError: fewer bytes arrived (connection reset, truncated body).
            StorageError: the ranged GET failed (PreconditionFailedError when the object changed meanwhile).
        """
        if length <= 0:
            return b""
        body = self._claim_body(offset, length)
        if body is not None:
            data = b""
            try:
                with self._errors(_GET, self._key):
                    data = await _read_exactly(body, length, to_end=offset + length == self._end)
            finally:
                await self._release_body(len(data), complete=len(data) == length)
        else:
            async with self._errors.request(_GET, self._key):
                response = await self._datapath.get_object(
                    self._key, version_id=self._version_id, byte_range=(offset, length), params=self._params
                )
            with self._errors(_GET, self._key):
                try:
                    data = await _read_exactly(response.body, length, to_end=True)
                finally:
                    await response.body.aclose()
        if len(data) != length:
            raise self._short(offset, length, len(data))
        return data

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        """Yield [offset, offset + length) in chunks of at most 1 MiB.

        Raises:
            TransientStorageError: the body ended early.
        """
        if length <= 0:
            return
        body = self._claim_body(offset, length)
        if body is not None:
            consumed = 0
            try:
                async for chunk in self._chunks(body, offset, length):
                    consumed += len(chunk)
                    yield chunk
            finally:
                await self._release_body(consumed, complete=consumed == length)
            return
        async with self._errors.request(_GET, self._key):
            response = await self._datapath.get_object(
                self._key, version_id=self._version_id, byte_range=(offset, length), params=self._params
            )
        try:
            async for chunk in self._chunks(response.body, offset, length):
                yield chunk
        finally:
            await response.body.aclose()

    async def _chunks(self, body: ResponseBody, offset: int, length: int) -> AsyncIterator[bytes]:
        remaining = length
        while remaining > 0:
            with self._errors(_GET, self._key):
                chunk = await body.read(min(remaining, STREAM_CHUNK_SIZE))
            if not chunk:
                raise self._short(offset, length, length - remaining)
            remaining -= len(chunk)
            yield chunk

    async def aclose(self) -> None:
        """Release the first GET's body if it is still open (unread bytes are dropped with the connection)."""
        body, self._body = self._body, None
        if body is not None:
            await body.aclose()
