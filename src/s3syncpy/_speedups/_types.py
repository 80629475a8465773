"""Types and argument checks shared by both twins, so they cannot drift apart.

Both the compiled module and `_pure` return the same `HashResult` class and reject bad arguments through the
same helpers, with the same messages.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import NamedTuple

# Name -> raw digest width in bytes. CRC values are serialised big-endian at their natural width (the reference's additional-checksum rules).
DIGEST_SIZES: dict[str, int] = {"SHA1": 20, "SHA256": 32, "CRC32": 4, "CRC32C": 4, "CRC64NVME": 8}
CRC_ALGORITHMS = frozenset({"CRC32", "CRC32C", "CRC64NVME"})

# Bounds of the packed KeyMap fields (signed 64-bit), enforced by both twins so they reject the same input.
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


class HashResult(NamedTuple):
    """Digests of a byte stream cut into parts.

    Attributes:
        part_md5s: raw 16-byte MD5 of each part, in order (empty when MD5 was not requested).
        part_checksums: raw additional-checksum value of each part (empty without an algorithm); CRCs are
            big-endian (4 bytes for CRC32/CRC32C, 8 for CRC64NVME).
        full_checksum: the raw CRC of the whole stream when a CRC algorithm and full_object were requested,
            else None.
        total_size: bytes hashed (the sum of the part sizes).
    """

    part_md5s: list[bytes]
    part_checksums: list[bytes]
    full_checksum: bytes | None
    total_size: int


class RangeDigest(NamedTuple):
    """Digests of one byte range of a file, taken in a single read (a part streamed to S3 afterwards).

    Attributes:
        md5: the raw 16-byte MD5 (None when not requested).
        checksum: the raw additional checksum of the range (None without an algorithm); CRCs big-endian.
        sha256: the raw SHA-256 of the range when requested (the signed payload hash of a SigV4 request).
    """

    md5: bytes | None
    checksum: bytes | None
    sha256: bytes | None


def check_range(offset: int, length: int) -> None:
    """Reject a negative offset or length.

    Raises:
        ValueError: either is negative.
        TypeError: either is not an integer.
    """
    if operator.index(offset) < 0 or operator.index(length) < 0:
        raise ValueError("offset and length must not be negative")


def check_algorithm(algorithm: str | None, full_object: bool) -> None:
    """Reject an unknown algorithm, or a full-object request for a non-CRC algorithm.

    Args:
        algorithm: None or one of SHA1, SHA256, CRC32, CRC32C, CRC64NVME.
        full_object: whether a full-object checksum is wanted.

    Raises:
        ValueError: unknown algorithm, or full_object with SHA1/SHA256 (S3 has no full-object SHA).
    """
    if algorithm is None:
        return
    if algorithm not in DIGEST_SIZES:
        raise ValueError(f"unknown checksum algorithm {algorithm!r}")
    if full_object and algorithm not in CRC_ALGORITHMS:
        raise ValueError(f"{algorithm} has no full-object form; only CRC algorithms do")


def check_part_sizes(part_sizes: Sequence[int]) -> list[int]:
    """Validate a part layout and return it as a list.

    Args:
        part_sizes: byte count of each part, in order; [size] for a single part ([0] for empty input).

    Returns:
        The sizes as a list of ints.

    Raises:
        ValueError: the list is empty or a size is negative.
        TypeError: a size is not an integer.
    """
    sizes = [operator.index(size) for size in part_sizes]
    if not sizes:
        raise ValueError("part_sizes must name at least one part ([size] for a single part)")
    if any(size < 0 for size in sizes):
        raise ValueError("part sizes must not be negative")
    return sizes


def size_mismatch(actual: int, expected: int) -> ValueError:
    """The error raised when the input's size differs from the sum of the part sizes."""
    return ValueError(f"part sizes add up to {expected} bytes but the input has {actual}")


def check_entry(size: int, mtime_secs: int) -> None:
    """Reject KeyMap values that do not fit the packed 64-bit fields.

    Raises:
        ValueError: size is negative or either value is outside the signed 64-bit range.
    """
    if not 0 <= size <= INT64_MAX:
        raise ValueError(f"size out of range: {size}")
    if not INT64_MIN <= mtime_secs <= INT64_MAX:
        raise ValueError(f"mtime out of range: {mtime_secs}")
