"""ObjectContent fakes: bytes in memory, optionally failing or stalling, for feeding put_object in tests."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

from s3syncpy import _speedups
from s3syncpy.application.ports.storage import ObjectContent, RangeDigests
from s3syncpy.domain.errors import TransientStorageError
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo

CHUNK_SIZE = 64 * 1024


class BytesContent(ObjectContent):
    """Readable bytes held in memory.

    Attributes:
        details: what the content reports (key "", the data's size, mtime 0 unless given).
        closed: True once aclose ran.
        reads: (offset, length) of every read_range / stream call, in call order.
    """

    def __init__(self, data: bytes, details: ObjectDetails | None = None, chunk_size: int = CHUNK_SIZE) -> None:
        """Args:
            data: the bytes.
            details: what to report as details; default ObjectDetails(ObjectInfo("", len(data), 0)).
            chunk_size: the size of the chunks stream() yields.
        """
        self.data = data
        self.details = details or ObjectDetails(info=ObjectInfo(key="", size=len(data), mtime_ns=0))
        self.closed = False
        self.reads: list[tuple[int, int]] = []
        self._chunk_size = chunk_size

    async def read_range(self, offset: int, length: int) -> bytes:
        """Exactly data[offset:offset+length]; raises TransientStorageError when the data is shorter."""
        self.reads.append((offset, length))
        await self._before_read(offset, length)
        chunk = self.data[offset:offset + length]
        if len(chunk) != length:
            raise TransientStorageError(f"short read at {offset}: {len(chunk)} of {length}", operation="read")
        return chunk

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        """data[offset:offset+length] in chunk_size pieces; TransientStorageError when the data is shorter."""
        self.reads.append((offset, length))
        end = offset + length
        while offset < end:
            size = min(self._chunk_size, end - offset)
            await self._before_read(offset, size)
            chunk = self.data[offset:offset + size]
            if not chunk:
                raise TransientStorageError(f"stream ended at {offset}, {end} expected", operation="read")
            yield chunk
            offset += len(chunk)

    async def _before_read(self, offset: int, length: int) -> None:
        """Hook for subclasses (failure injection, stalls)."""
        await asyncio.sleep(0)

    async def aclose(self) -> None:
        self.closed = True


class FailingContent(BytesContent):
    """Bytes that fail once a read touches `fail_at` or beyond (a connection reset mid-transfer)."""

    def __init__(self, data: bytes, fail_at: int, error: BaseException | None = None, **kwargs: object) -> None:
        """Args:
            data: the bytes served before the failure.
            fail_at: the first offset whose read fails.
            error: what to raise (default TransientStorageError).
        """
        super().__init__(data, **kwargs)  # type: ignore[arg-type]
        self._fail_at = fail_at
        self._error = error

    async def _before_read(self, offset: int, length: int) -> None:
        await asyncio.sleep(0)
        if offset + length > self._fail_at:
            raise self._error or TransientStorageError("connection reset by peer (injected)", operation="read")


class StallingContent(BytesContent):
    """Bytes whose reads past `stall_at` block until `release` is set (to cancel a put mid-way)."""

    def __init__(self, data: bytes, stall_at: int, **kwargs: object) -> None:
        """Args:
            data: the bytes.
            stall_at: reads touching this offset or beyond wait for `release`.
        """
        super().__init__(data, **kwargs)  # type: ignore[arg-type]
        self._stall_at = stall_at
        self.stalled = asyncio.Event()
        self.release = asyncio.Event()

    async def _before_read(self, offset: int, length: int) -> None:
        await asyncio.sleep(0)
        if offset + length > self._stall_at:
            self.stalled.set()
            await self.release.wait()


class RereadableContent(BytesContent):
    """Bytes that, like a local file, can be hashed in one pass and read again (ObjectContent.digest_range).

    Attributes:
        replacement: when set, the bytes every read returns once digest_range has run (a file rewritten between
            the hash pass and the send).
        digested: (offset, length) of every digest_range call.
    """

    def __init__(self, data: bytes, replacement: bytes | None = None, **kwargs: object) -> None:
        super().__init__(data, **kwargs)  # type: ignore[arg-type]
        self.replacement = replacement
        self.digested: list[tuple[int, int]] = []

    async def digest_range(
        self, offset: int, length: int, algorithm: ChecksumAlgorithm | None, *, sha256: bool = False
    ) -> RangeDigests | None:
        self.digested.append((offset, length))
        piece = self.data[offset : offset + length]
        if len(piece) != length:
            raise TransientStorageError(f"short digest at {offset}", operation="read")
        result = _speedups.hash_buffer_parts(piece, [length], algorithm.value if algorithm else None)
        if self.replacement is not None:
            self.data = self.replacement
        return RangeDigests(
            md5=result.part_md5s[0],
            checksum=result.part_checksums[0] if result.part_checksums else None,
            sha256=hashlib.sha256(piece).digest() if sha256 else None,
        )
