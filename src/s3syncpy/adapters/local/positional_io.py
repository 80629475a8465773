"""Positional reads and writes on a file descriptor, on every platform the local adapter runs on.

os.pread / os.pwrite transfer bytes at an offset without moving the descriptor's file position, so the parts of
one file can be read or written concurrently on a single descriptor. Python on Windows has neither, so there the
same calls fall back to os.lseek + os.read / os.write under a lock per descriptor: a seek and the transfer that
follows must not interleave with another thread's seek on the same descriptor, or a part would land at (or be
read from) the other part's offset. Concurrent parts of one file are then serialised, which costs little next to
the network transfer that feeds them. The fallback is chosen at each call (not at import), so tests can remove
os.pread / os.pwrite and exercise it on any system.

Both functions finish the job, where a single system call may not: `pread` returns fewer than `n` bytes only at
the end of the file, and `pwrite` writes all of `data`. One read or write moves at most about 2 GiB (Linux caps a
call at 0x7ffff000 bytes, Windows at INT_MAX), while an S3 part may be up to 5 GiB.

Every positional transfer of the local adapter goes through this module, so nothing else relies on, or moves,
a descriptor's position.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

__all__ = ["pread", "pwrite"]

# Descriptors are process-wide numbers, so their locks are too. An entry outlives its descriptor on purpose: a
# number reused by a later file simply gets the same lock, and the table stays as small as the set of numbers
# the process ever had open at once.
_seek_locks: dict[int, threading.Lock] = {}
_seek_locks_guard = threading.Lock()


def _seek_lock(fd: int) -> threading.Lock:
    lock = _seek_locks.get(fd)
    if lock is None:
        with _seek_locks_guard:
            lock = _seek_locks.setdefault(fd, threading.Lock())
    return lock


def _seek_read(fd: int, n: int, offset: int) -> bytes:
    with _seek_lock(fd):
        os.lseek(fd, offset, os.SEEK_SET)
        return os.read(fd, n)


def _seek_write(fd: int, data: bytes | memoryview, offset: int) -> int:
    with _seek_lock(fd):
        os.lseek(fd, offset, os.SEEK_SET)
        return os.write(fd, data)


def _reader() -> Callable[[int, int, int], bytes]:
    native: Callable[[int, int, int], bytes] | None = getattr(os, "pread", None)
    return native if native is not None else _seek_read


def _writer() -> Callable[[int, bytes | memoryview, int], int]:
    native: Callable[[int, bytes | memoryview, int], int] | None = getattr(os, "pwrite", None)
    return native if native is not None else _seek_write


def pread(fd: int, n: int, offset: int) -> bytes:
    """Read `n` bytes at `offset` without depending on the descriptor's position.

    Args:
        fd: a descriptor open for reading (in binary mode on Windows).
        n: the bytes wanted.
        offset: where to start, from the beginning of the file.

    Returns:
        `n` bytes, or fewer only when the file ends first (b"" at or past the end).

    Raises:
        OSError: the read failed.
    """
    read_at = _reader()
    data = read_at(fd, n, offset)
    if len(data) == n or not data:
        return data  # the usual case: one call did it all
    chunks = [data]
    done = len(data)
    while done < n:
        more = read_at(fd, n - done, offset + done)
        if not more:
            break
        chunks.append(more)
        done += len(more)
    return b"".join(chunks)


def pwrite(fd: int, data: bytes | memoryview, offset: int) -> None:
    """Write all of `data` at `offset` without depending on the descriptor's position.

    Args:
        fd: a descriptor open for writing (in binary mode on Windows).
        data: the bytes to write.
        offset: where they go, from the beginning of the file (a file is extended as needed).

    Raises:
        OSError: the write failed (disk full, I/O error), or the system accepted no bytes at all.
    """
    write_at = _writer()
    written = write_at(fd, data, offset)
    if written == len(data):
        return  # the usual case: one call did it all
    view = memoryview(data)[written:]
    while view:
        offset += written
        written = write_at(fd, view, offset)
        if written <= 0:
            # A regular file never does this; refusing here beats spinning forever on a broken device.
            raise OSError(f"write of {len(view)} bytes at offset {offset} made no progress")
        view = view[written:]
