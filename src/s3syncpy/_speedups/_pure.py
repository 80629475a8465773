"""Pure-Python twin of the compiled hashing module: the same functions, signatures, results and errors.

It reads sequentially into one reusable buffer and feeds hashlib (OpenSSL) and awscrt's CRC functions, which
release the GIL on large inputs, so a caller running it in a worker thread does not stall the event loop.
The compiled module adds parallel hashing of parts and avoids per-block Python overhead.
"""

from __future__ import annotations

import hashlib
import mmap
import os
from collections.abc import Callable, Sequence

from awscrt import checksums  # type: ignore[import-untyped]

from s3syncpy._speedups._types import (
    CRC_ALGORITHMS,
    DIGEST_SIZES,
    HashResult,
    RangeDigest,
    check_algorithm,
    check_part_sizes,
    check_range,
    size_mismatch,
)

__all__ = ["HashResult", "RangeDigest", "hash_buffer_parts", "hash_fd_range", "hash_file_parts"]

# Large enough that per-call overhead vanishes, small enough to stay in the L2 cache between MD5 and CRC.
_BLOCK = 1 << 20

_CRC_FUNCTIONS: dict[str, Callable[[bytes | memoryview, int], int]] = {
    "CRC32": checksums.crc32,
    "CRC32C": checksums.crc32c,
    "CRC64NVME": checksums.crc64nvme,
}
_CRC_COMBINE: dict[str, Callable[[int, int, int], int]] = {
    "CRC32": checksums.combine_crc32,
    "CRC32C": checksums.combine_crc32c,
    "CRC64NVME": checksums.combine_crc64nvme,
}


def _read_buffer(size: int) -> memoryview:
    """A writable buffer for readinto, page-aligned when large.

    Why: the kernel copies page-cache data about 3x slower into a destination that is not 64-byte aligned
    (bytearray storage starts 16 bytes into its block); an anonymous mapping is page-aligned. Small buffers
    stay bytearrays, where a mapping's system calls would cost more than the copy.
    """
    if size >= 1 << 16:
        return memoryview(mmap.mmap(-1, size))
    return memoryview(bytearray(max(1, size)))


class _PartHasher:
    """Accumulates the digests of consecutive parts fed block by block."""

    def __init__(self, algorithm: str | None, full_object: bool, want_md5: bool) -> None:
        self._algorithm = algorithm
        self._full_object = full_object and algorithm in CRC_ALGORITHMS
        self._want_md5 = want_md5
        self._crc = _CRC_FUNCTIONS.get(algorithm or "")
        self.part_md5s: list[bytes] = []
        self.part_checksums: list[bytes] = []
        self._full_crc = 0
        self._md5: hashlib._Hash | None = None
        self._digest: hashlib._Hash | None = None
        self._part_crc = 0

    def start_part(self) -> None:
        """Reset the per-part state."""
        if self._want_md5:
            self._md5 = hashlib.md5(usedforsecurity=False)
        if self._algorithm is not None and self._crc is None:
            self._digest = hashlib.new(self._algorithm.lower())
        self._part_crc = 0

    def update(self, block: memoryview) -> None:
        """Feed the next bytes of the current part."""
        if self._md5 is not None:
            self._md5.update(block)
        if self._digest is not None:
            self._digest.update(block)
        elif self._crc is not None:
            self._part_crc = self._crc(block, self._part_crc)

    def end_part(self, size: int) -> None:
        """Finish the current part of `size` bytes."""
        if self._md5 is not None:
            self.part_md5s.append(self._md5.digest())
        if self._digest is not None:
            self.part_checksums.append(self._digest.digest())
        elif self._crc is not None:
            assert self._algorithm is not None
            width = DIGEST_SIZES[self._algorithm]
            self.part_checksums.append(self._part_crc.to_bytes(width, "big"))
            if self._full_object:
                # Combining the part CRCs equals one CRC over the whole stream, without a second pass.
                self._full_crc = _CRC_COMBINE[self._algorithm](self._full_crc, self._part_crc, size)

    def result(self, total_size: int) -> HashResult:
        """The collected digests."""
        full = None
        if self._full_object:
            assert self._algorithm is not None
            full = self._full_crc.to_bytes(DIGEST_SIZES[self._algorithm], "big")
        return HashResult(self.part_md5s, self.part_checksums, full, total_size)


def hash_file_parts(
    path: str,
    part_sizes: Sequence[int],
    algorithm: str | None = None,
    full_object: bool = False,
    want_md5: bool = True,
) -> HashResult:
    """Hash a file cut into parts: per-part MD5, per-part checksum and optionally the full-object CRC.

    Args:
        path: the file to read.
        part_sizes: byte count of each part; they must add up to the file size ([size] for one part).
        algorithm: None, "SHA1", "SHA256", "CRC32", "CRC32C" or "CRC64NVME".
        full_object: also return the CRC of the whole file (CRC algorithms only).
        want_md5: compute the per-part MD5s (for ETags).

    Returns:
        The digests.

    Raises:
        ValueError: bad part sizes or algorithm, or the file size differs from the sum of the parts
            (also when the file shrinks while being read).
        OSError: the file cannot be opened or read.
    """
    sizes = check_part_sizes(part_sizes)
    check_algorithm(algorithm, full_object)
    total = sum(sizes)
    hasher = _PartHasher(algorithm, full_object, want_md5)
    with open(path, "rb", buffering=0) as stream:
        actual = os.fstat(stream.fileno()).st_size
        if actual != total:
            raise size_mismatch(actual, total)
        view = _read_buffer(min(_BLOCK, max(sizes)))
        for size in sizes:
            hasher.start_part()
            remaining = size
            while remaining:
                got = stream.readinto(view[: min(remaining, len(view))])
                if not got:
                    raise ValueError(f"file ended {remaining} bytes early (changed while being read?)")
                hasher.update(view[:got])
                remaining -= got
            hasher.end_part(size)
    return hasher.result(total)


def hash_buffer_parts(
    buffer: bytes | bytearray | memoryview,
    part_sizes: Sequence[int],
    algorithm: str | None = None,
    full_object: bool = False,
    want_md5: bool = True,
) -> HashResult:
    """Hash an in-memory buffer cut into parts; same contract as `hash_file_parts`.

    Args:
        buffer: the bytes (any C-contiguous buffer; read as bytes).
        part_sizes: byte count of each part; they must add up to the buffer length.
        algorithm: None, "SHA1", "SHA256", "CRC32", "CRC32C" or "CRC64NVME".
        full_object: also return the CRC of the whole buffer (CRC algorithms only).
        want_md5: compute the per-part MD5s.

    Returns:
        The digests.

    Raises:
        ValueError: bad part sizes or algorithm, or the buffer length differs from the sum of the parts.
    """
    sizes = check_part_sizes(part_sizes)
    check_algorithm(algorithm, full_object)
    view = memoryview(buffer).cast("B")
    total = sum(sizes)
    if view.nbytes != total:
        raise size_mismatch(view.nbytes, total)
    hasher = _PartHasher(algorithm, full_object, want_md5)
    offset = 0
    for size in sizes:
        hasher.start_part()
        for start in range(offset, offset + size, _BLOCK):
            hasher.update(view[start : min(start + _BLOCK, offset + size)])
        hasher.end_part(size)
        offset += size
    return hasher.result(total)


def _pread_into(fd: int, buffer: memoryview, offset: int) -> int:
    """Fill `buffer` from `offset`; fewer bytes only at the end of the file."""
    done = 0
    while done < len(buffer):
        if hasattr(os, "preadv"):
            got = os.preadv(fd, [buffer[done:]], offset + done)
        else:
            chunk = os.pread(fd, len(buffer) - done, offset + done)
            got = len(chunk)
            buffer[done : done + got] = chunk
        if not got:
            break
        done += got
    return done


def hash_fd_range(
    fd: int,
    offset: int,
    length: int,
    algorithm: str | None = None,
    want_md5: bool = True,
    want_sha256: bool = False,
) -> RangeDigest:
    """Hash `length` bytes of an open file at `offset` in one read pass, without moving its position.

    The range is read block by block into one reusable buffer, so memory does not grow with the range; the
    caller then sends the range by reading it again (a part streamed to S3 is never held whole).

    Args:
        fd: a descriptor open for reading (POSIX: positional reads).
        offset: where the range starts.
        length: its size in bytes.
        algorithm: None, "SHA1", "SHA256", "CRC32", "CRC32C" or "CRC64NVME".
        want_md5: compute the MD5 (Content-MD5, ETag).
        want_sha256: compute the SHA-256 as well (the signed payload hash).

    Returns:
        The digests (sha256 equals checksum when algorithm is "SHA256").

    Raises:
        ValueError: bad offset, length or algorithm, or the file ends before offset + length.
        OSError: the read failed.
    """
    check_range(offset, length)
    check_algorithm(algorithm, False)
    md5 = hashlib.md5(usedforsecurity=False) if want_md5 else None
    digest = hashlib.new(algorithm.lower()) if algorithm in ("SHA1", "SHA256") else None
    payload = hashlib.sha256() if want_sha256 and algorithm != "SHA256" else None
    crc_function = _CRC_FUNCTIONS.get(algorithm or "")
    crc = 0
    view = _read_buffer(min(_BLOCK, max(length, 1)))
    position, remaining = offset, length
    while remaining:
        block = view[: min(remaining, len(view))]
        got = _pread_into(fd, block, position)
        if got < len(block):
            raise ValueError(f"file ended {remaining - got} bytes early (changed while being read?)")
        for hasher in (md5, digest, payload):
            if hasher is not None:
                hasher.update(block)
        if crc_function is not None:
            crc = crc_function(block, crc)
        position += got
        remaining -= got
    checksum = digest.digest() if digest is not None else None
    if crc_function is not None:
        assert algorithm is not None
        checksum = crc.to_bytes(DIGEST_SIZES[algorithm], "big")
    sha256 = checksum if want_sha256 and algorithm == "SHA256" else (payload.digest() if payload else None)
    return RangeDigest(md5.digest() if md5 is not None else None, checksum, sha256)
