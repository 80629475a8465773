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
from s3syncpy.application.ports.storage import Bytes, ObjectContent
from s3syncpy.domain.errors import TransientStorageError

# Every body read asks for at most this much. Why so small: aiohttp lets a connection buffer twice what one
# read asks for (a read of n raises its high-water mark to 2n, and read() without n lifts it), so the size of
# a read, not of the part, sets how much each open GET holds in memory.
STREAM_CHUNK_SIZE = 256 * 1024
_GET = "GetObject"


async def _read_into(body: ResponseBody, length: int) -> tuple[bytearray, int]:
    """Read up to `length` bytes into one buffer allocated once (no list of chunks joined at the end).

    Returns:
        The buffer and how many bytes arrived (fewer than `length` when the body ended early).
    """
    buffer = bytearray(length)
    view = memoryview(buffer)
    filled = 0
    with view:
        while filled < length:
            chunk = await body.read(min(length - filled, STREAM_CHUNK_SIZE))
            if not chunk:
                break
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
    return buffer, filled


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

    async def read_range(self, offset: int, length: int) -> Bytes:
        """Read exactly `length` bytes at `offset`.

        Raises:
            TransientStorageError: fewer bytes arrived (connection reset, truncated body).
            StorageError: the ranged GET failed (PreconditionFailedError when the object changed meanwhile).
        """
        if length <= 0:
            return b""
        body = self._claim_body(offset, length)
        if body is not None:
            filled = 0
            try:
                with self._errors(_GET, self._key):
                    data, filled = await _read_into(body, length)
            finally:
                await self._release_body(filled, complete=filled == length)
        else:
            async with self._errors.request(_GET, self._key):
                response = await self._datapath.get_object(
                    self._key, version_id=self._version_id, byte_range=(offset, length), params=self._params
                )
            with self._errors(_GET, self._key):
                try:
                    data, filled = await _read_into(response.body, length)
                finally:
                    await response.body.aclose()
        if filled != length:
            raise self._short(offset, length, filled)
        # A bytearray filled in place: the part is held once, never copied into a second buffer.
        return data

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        """Yield [offset, offset + length) in chunks of at most STREAM_CHUNK_SIZE (256 KiB).

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
