"""Reading a local file as an ObjectContent: positional reads on one open descriptor, and Content-Type guessing.

Reads are positional (adapters.local.positional_io: os.pread, or a locked seek and read where the platform has
no pread) so concurrent part reads share one descriptor. Small reads run inline (a page-cache copy of a few
hundred KiB costs less than a thread hop); larger ones run in a worker thread so the event loop keeps serving
other transfers.

A file that changes while it is read (it grows, or is rewritten in place) would be stored truncated or as a mix of
old and new bytes, and the next run would skip it: the object's LastModified is later than the file's mtime. So
every read is followed by an fstat compared with the one taken at open (size and mtime in nanoseconds), and a
difference is a TransientStorageError: the force retry opens and sends the file afresh, a bounded number of
times, and a file that keeps changing ends as an error. An upload fails on the read after the change, before its
last byte is sent (a multipart upload is aborted, never completed). A change after the last read but before the
upload is committed is seen when the content is closed: the error then makes the retry send it again. Left open:
a change within one tick of the file system's clock that keeps the size (mtime cannot show it).
"""

from __future__ import annotations

import asyncio
import functools
import mimetypes
import os
from collections.abc import AsyncIterator

from s3syncpy import _speedups
from s3syncpy.adapters.local import positional_io
from s3syncpy.application.ports.storage import ObjectContent, RangeDigests
from s3syncpy.domain.errors import StorageError, TransientStorageError
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails

DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Below this a pread is cheaper than handing it to a thread (~30-50 µs per hop on this class of machine).
INLINE_READ_LIMIT = 256 * 1024
STREAM_CHUNK_SIZE = 1024 * 1024

# mimetypes reports compressed files as (None, encoding); mime_guess, which the reference uses, names them by
# their last extension alone.
_ENCODING_TYPES = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
    "br": "application/x-brotli",
}


def guess_content_type(key: str) -> str:
    """The Content-Type of a file from the extension of its key, like the reference's mime_guess.

    Args:
        key: the object key (only the last extension counts).

    Returns:
        The MIME type, or application/octet-stream when the extension is unknown or missing.
    """
    name = key.rsplit("/", 1)[-1]
    return _content_type_of_extension(os.path.splitext(name)[1].lower())


# WHY cached: every uploaded file asks, mimetypes' lookup is comparatively slow, and a tree has few extensions.
@functools.lru_cache(maxsize=1024)
def _content_type_of_extension(ext: str) -> str:
    if not ext:
        return DEFAULT_CONTENT_TYPE
    mime, encoding = mimetypes.guess_type("f" + ext, strict=False)
    if mime is None and encoding is not None:
        mime = _ENCODING_TYPES.get(encoding)
    return mime or DEFAULT_CONTENT_TYPE


class LocalContent(ObjectContent):
    """An open local file. Reads return exactly the bytes asked for or raise TransientStorageError."""

    def __init__(self, fd: int, path: str, details: ObjectDetails, io_limit: asyncio.Semaphore) -> None:
        """Wrap an open descriptor (the content owns it and closes it in aclose).

        Args:
            fd: a descriptor opened for reading.
            path: the file's path, for messages.
            details: what open_content reports about the file: its size and mtime are the fstat taken at open,
                which every read is checked against.
            io_limit: bounds the reads running in threads at once.
        """
        self.details = details
        self._fd = fd
        self._path = path
        self._io_limit = io_limit
        self._opened = (details.info.size, details.info.mtime_ns)
        self._read_any = False
        self._failed = False

    def _check_unchanged(self) -> None:
        """Raise when the file is no longer as it was when opened (see the module docstring)."""
        st = os.fstat(self._fd)
        now = (st.st_size, st.st_mtime_ns)
        if now != self._opened:
            self._failed = True
            raise TransientStorageError(
                f"{self._path} changed while it was read (size {self._opened[0]} -> {now[0]} bytes, "
                f"mtime {self._opened[1]} -> {now[1]} ns)",
                operation="read", key=self.details.info.key,
            )

    def _pread_exact(self, offset: int, length: int) -> bytes:
        self._read_any = True
        try:
            data = positional_io.pread(self._fd, length, offset)
            if len(data) == length:
                self._check_unchanged()
        except OSError as exc:
            self._failed = True
            raise StorageError(
                f"read failed for {self._path}: {exc.strerror or exc}", operation="read",
                key=self.details.info.key,
            ) from exc
        if len(data) != length:
            # The file shrank after it was listed: a retry lists and reads it afresh.
            self._failed = True
            raise TransientStorageError(
                f"{self._path} ended after {offset + len(data)} bytes, {offset + length} expected",
                operation="read", key=self.details.info.key,
            )
        return data

    async def read_range(self, offset: int, length: int) -> bytes:
        """Read exactly `length` bytes at `offset`.

        Raises:
            TransientStorageError: the file ends before offset + length, or it changed since it was opened.
            StorageError: the read itself failed.
        """
        if length <= INLINE_READ_LIMIT:
            return self._pread_exact(offset, length)
        async with self._io_limit:
            return await asyncio.to_thread(self._pread_exact, offset, length)

    def _hash_range(
        self, offset: int, length: int, algorithm: ChecksumAlgorithm | None, sha256: bool
    ) -> RangeDigests:
        name = algorithm.value if algorithm is not None else None
        self._read_any = True
        try:
            found = _speedups.hash_fd_range(self._fd, offset, length, name, True, sha256)
            self._check_unchanged()
        except OSError as exc:
            self._failed = True
            raise StorageError(
                f"read failed for {self._path}: {exc.strerror or exc}", operation="read",
                key=self.details.info.key,
            ) from exc
        except ValueError as exc:
            # The file shrank after it was opened: a retry lists and reads it afresh.
            self._failed = True
            raise TransientStorageError(
                f"{self._path}: {exc}", operation="read", key=self.details.info.key
            ) from exc
        assert found.md5 is not None
        return RangeDigests(found.md5, found.checksum, found.sha256)

    async def digest_range(
        self, offset: int, length: int, algorithm: ChecksumAlgorithm | None, *, sha256: bool = False
    ) -> RangeDigests | None:
        """Hash [offset, offset+length) in one pass over the file, in a worker thread; nothing is kept.

        None where the platform has no positional reads (the seek-and-read fallback of positional_io would race
        with the concurrent reads of other parts): the caller then reads and holds the range.

        Raises:
            TransientStorageError: the file ends before offset + length, or it changed since it was opened.
            StorageError: the read failed.
        """
        if not hasattr(os, "pread"):
            return None
        async with self._io_limit:
            return await asyncio.to_thread(self._hash_range, offset, length, algorithm, sha256)

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        """Yield [offset, offset+length) in chunks of at most 1 MiB.

        Raises:
            TransientStorageError: the file ends early, or it changed since it was opened.
        """
        end = offset + length
        position = offset
        while position < end:
            size = min(STREAM_CHUNK_SIZE, end - position)
            yield await self.read_range(position, size)
            position += size

    async def aclose(self) -> None:
        """Close the descriptor (idempotent).

        Raises:
            TransientStorageError: bytes were read, every read succeeded, and the file changed since it was
                opened (after the last read): what was sent no longer matches the file, and may already be
                committed under a LastModified that makes it look up to date. The descriptor is closed first.
        """
        fd = self._fd
        if fd < 0:
            return
        try:
            if self._read_any and not self._failed:
                self._check_unchanged()
        finally:
            self._fd = -1
            os.close(fd)
