"""Atomic file writes for LocalObjectStorage.put_object (the reference's temp-file downloads, README, Differences 3).

Bytes go to a hidden temp file (`.s3sync-tmp-` and 16 hex digits, see temp_files.py) in the destination's
directory, so the final os.replace is a same-filesystem rename: readers see the old file or the complete new one,
and the bytes are fsynced before it so a crash cannot leave a short file under the final name. The temp file is
removed on every path that does not end in the rename (validation refused, error, cancellation); only a killed
process leaves it, and the walk never lists it.

Writes of more than a few hundred KiB run in worker threads. A cancelled put cannot stop such a thread, so the
descriptor is closed only once no thread uses it any more: closing it earlier would let a late pwrite land in
whatever file reuses the descriptor number.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Container, Sequence

from s3syncpy.adapters.local import positional_io
from s3syncpy.adapters.local.content import INLINE_READ_LIMIT
from s3syncpy.adapters.local.temp_files import create_temp_file
from s3syncpy.application.ports.storage import ByteCounter, ObjectContent
from s3syncpy.domain.errors import TransientStorageError


def default_file_mode() -> int:
    """0o666 minus the process umask: the mode a plainly created file gets (mkstemp alone gives 0o600).

    The umask is read from /proc on Linux because os.umask() can only be read by setting it, which would race
    with other threads creating files. Elsewhere (macOS, Windows: no /proc) the common 0o644 is used; on Windows
    only the write bit means anything, and it is kept.
    """
    if not sys.platform.startswith("linux"):
        return 0o644
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644


class TempFile:
    """An open temp file beside `final_path`, written at offsets, then committed or discarded."""

    def __init__(self, final_path: str, file_mode: int, path: str | None = None) -> None:
        """Create the parent directories and the temp file (blocking, but only a few syscalls).

        Args:
            final_path: where the file will live once committed.
            file_mode: permission bits of the committed file.
            path: --resume: open this temp file (a temp name beside final_path), keeping its bytes; None: a new
                temp file with a random name.

        Raises:
            OSError: the directories or the temp file cannot be created.
        """
        parent = os.path.dirname(final_path) or os.curdir
        # Hot path (one call per downloaded file): one stat when the folder exists, where makedirs(exist_ok)
        # costs a stat, a failing mkdir, an exception and another stat.
        if not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
        self.final_path = final_path
        if path is None:
            self._fd, self.path = create_temp_file(parent)
        else:
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
            self._fd, self.path = os.open(path, flags, 0o600), path
        self._lock = threading.Lock()
        self._active = 0
        self._closed = False
        self._removed = False
        try:
            if hasattr(os, "fchmod"):  # absent on Windows, where the bits would mean little anyway
                os.fchmod(self._fd, file_mode)
        except BaseException:
            self.discard()
            raise

    def _pwrite_in_thread(self, data: bytes, offset: int) -> None:
        self._in_thread(positional_io.pwrite, data, offset)

    def _in_thread(self, call: Callable[..., object], *args: object) -> None:
        """Run call(fd, *args) in a worker thread, keeping the descriptor open until it returns."""
        with self._lock:
            if self._closed:
                return  # the put was abandoned; the descriptor number may already belong to another file
            self._active += 1
        try:
            call(self._fd, *args)
        finally:
            with self._lock:
                self._active -= 1
                if self._closed and self._active == 0:
                    os.close(self._fd)

    async def write_at(self, data: bytes, offset: int, io_limit: asyncio.Semaphore) -> None:
        """Write all of `data` at `offset` (inline when small, else in a thread bounded by `io_limit`).

        Raises:
            OSError: the write failed (disk full, I/O error).
        """
        if len(data) <= INLINE_READ_LIMIT:
            positional_io.pwrite(self._fd, data, offset)
            return
        async with io_limit:
            await asyncio.to_thread(self._pwrite_in_thread, data, offset)

    async def flush_to_disk(self, io_limit: asyncio.Semaphore) -> None:
        """fsync the written bytes, in a thread bounded by `io_limit`; call it once every write has returned.

        WHY: file systems may commit the rename before the data (ext4, XFS and btrfs with delayed allocation), so
        after a crash the final name could hold an empty or partial file although the run reported it written.

        Raises:
            OSError: the bytes could not be written out (an I/O error, a full disk on some file systems).
        """
        async with io_limit:
            await asyncio.to_thread(self._in_thread, os.fsync)

    def close(self) -> None:
        """Close the descriptor now, or as soon as the last writing thread is done (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._active == 0:
                os.close(self._fd)

    def commit(self, mtime_ns: int | None) -> None:
        """Give the file its mtime and rename it into place.

        The mtime is set before the rename so the file never appears with the wrong time.

        Raises:
            TransientStorageError: the temp file is gone: another run's sweep of stale temp files can take it in
                the moment it carries the object's old mtime (temp_files.py); downloading again is the remedy.
            OSError: the rename failed (the destination is a directory, permissions, ...).
        """
        self.close()
        try:
            if mtime_ns is not None:
                os.utime(self.path, ns=(mtime_ns, mtime_ns))
            os.replace(self.path, self.final_path)
        except FileNotFoundError as exc:
            if os.path.lexists(self.path):
                raise
            raise TransientStorageError(
                f"{self.path} was removed before it was renamed into place", operation="rename"
            ) from exc
        self._removed = True

    def discard(self) -> None:
        """Close and delete the temp file; never raises (it runs on error paths)."""
        self.close()
        if not self._removed:
            self._removed = True
            with contextlib.suppress(OSError):
                os.unlink(self.path)


async def write_stream(
    temp: TempFile, content: ObjectContent, size: int, io_limit: asyncio.Semaphore, on_bytes: ByteCounter | None
) -> bytes | None:
    """Copy content.stream(0, size) into the temp file.

    Args:
        temp: the destination temp file.
        content: the source.
        size: the bytes expected.
        io_limit: bounds writer threads.
        on_bytes: receives each chunk's length, if given.

    Returns:
        The whole content when it came as one bytes chunk of at most INLINE_READ_LIMIT bytes, else None. WHY:
        validation can then hash it from memory instead of reopening and re-reading the temp file (the common
        case of a small download).

    Raises:
        TransientStorageError: the source delivered more or fewer than `size` bytes.
    """
    only = await _copy_range(temp, content, 0, size, io_limit, on_bytes)
    return only if size <= INLINE_READ_LIMIT else None


async def _copy_range(
    temp: TempFile,
    content: ObjectContent,
    offset: int,
    size: int,
    io_limit: asyncio.Semaphore,
    on_bytes: ByteCounter | None,
) -> bytes | None:
    """Write content.stream(offset, size) at `offset` chunk by chunk; the only chunk when it came as one bytes.

    Raises:
        TransientStorageError: the source delivered more or fewer than `size` bytes.
    """
    position, end = offset, offset + size
    only: bytes | None = None
    chunks = content.stream(offset, size)
    try:
        async for chunk in chunks:
            if position + len(chunk) > end:
                raise TransientStorageError(f"source sent more than {size} bytes at {offset}", operation="read")
            await temp.write_at(chunk, position, io_limit)
            only = chunk if position == offset and type(chunk) is bytes else None
            position += len(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
    finally:
        # Close an abandoned generator now, so the source releases its body / descriptor deterministically.
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
    if position != end:
        raise TransientStorageError(f"source sent {position - offset} of {size} bytes at {offset}", operation="read")
    return only


async def write_parts(
    temp: TempFile,
    content: ObjectContent,
    part_sizes: Sequence[int],
    max_parallel_parts: int,
    io_limit: asyncio.Semaphore,
    on_bytes: ByteCounter | None,
    *,
    skip: Container[int] = (),
    on_part: Callable[[int], Awaitable[None]] | None = None,
) -> None:
    """Stream parts with content.stream, at most `max_parallel_parts` at once, each written at its offset.

    Memory does not depend on the part size: a worker holds one chunk of its part at a time (the source's
    stream chunk, at most 1 MiB), and the temp file is verified afterwards by reading it back.

    Args:
        temp: the destination temp file.
        content: the source.
        part_sizes: the layout; parts are written at their cumulative offsets.
        max_parallel_parts: how many parts are in flight at once.
        io_limit: bounds writer threads.
        on_bytes: receives each part's length once written, if given.
        skip: indexes of parts already in the file (--resume): not fetched.
        on_part: awaited with each part's index once it is written (--resume journals it).

    Raises:
        TransientStorageError: a part came back with the wrong length.
        StorageError: reading a part failed (the first failure; the other workers are cancelled).
    """
    offsets: list[tuple[int, int, int]] = []
    position = 0
    for index, size in enumerate(part_sizes):
        if index not in skip:
            offsets.append((index, position, size))
        position += size
    pending = iter(offsets)

    async def worker() -> None:
        for index, offset, size in pending:
            # Streamed to its offset as it arrives: a part is never held whole, whatever the chunk size.
            await _copy_range(temp, content, offset, size, io_limit, None)
            if on_part is not None:
                await on_part(index)
            if on_bytes is not None:
                on_bytes(size)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(max_parallel_parts, len(offsets))):
                group.create_task(worker())
    except BaseExceptionGroup as failures:
        # One failure cancels the other workers; callers expect the StorageError itself, not a group.
        raise _first_leaf(failures) from None


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
