"""ETag math for single-part and multipart uploads (the reference's local ETag math), and the S3 part-size rules.

A file of size n is uploaded multipart when threshold <= n (size equal to the threshold IS multipart).
Single-part ETag: '"' + hex(md5(data)) + '"'. Multipart ETag: '"' + hex(md5(md5(p1)||...||md5(pN))) + '-N"'.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from s3syncpy.domain.errors import ConfigError

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

# S3 rule: every part but the last must be at least 5 MiB; a single PUT or part may be at most 5 GiB.
MINIMUM_PART_SIZE = 5 * MiB
MAXIMUM_PART_SIZE = 5 * GiB
# S3 rule: a multipart upload has at most 10,000 parts.
MAXIMUM_PARTS = 10_000

DEFAULT_THRESHOLD = 8 * MiB
DEFAULT_CHUNKSIZE = 8 * MiB

EMPTY_MD5_HEX = "d41d8cd98f00b204e9800998ecf8427e"


def validate_part_size(option: str, value: int) -> None:
    """Check a --multipart-threshold / --multipart-chunksize value (5 MiB..5 GiB inclusive).

    Raises:
        ConfigError: the value is out of range.
    """
    if not MINIMUM_PART_SIZE <= value <= MAXIMUM_PART_SIZE:
        raise ConfigError(f"{option} must be between 5MiB and 5GiB (got {value} bytes)")


def is_multipart(size: int, threshold: int) -> bool:
    """Whether a file of `size` bytes is uploaded multipart (threshold <= size)."""
    return threshold <= size


def part_sizes(size: int, threshold: int, chunksize: int) -> list[int]:
    """The part layout of an upload: [] for single-part, else chunk-sized parts with the remainder last.

    Args:
        size: the object size.
        threshold: the multipart threshold.
        chunksize: the part size.

    Returns:
        The list of part sizes (empty for a single-part upload). When `chunksize` would need more than 10,000
        parts, the smallest part size that fits is used instead (`fitting_chunksize`), so uploads, computed ETags
        and download checks agree on the layout of very large files.
    """
    if not is_multipart(size, threshold):
        return []
    chunksize = fitting_chunksize(size, chunksize)
    full, rest = divmod(size, chunksize)
    sizes = [chunksize] * full
    if rest:
        sizes.append(rest)
    return sizes


def fitting_chunksize(size: int, chunksize: int) -> int:
    """`chunksize`, or the smallest part size that cuts `size` bytes into at most 10,000 parts (S3's limit)."""
    if -(-size // chunksize) <= MAXIMUM_PARTS:
        return chunksize
    return -(-size // MAXIMUM_PARTS)


def parts_count(size: int, threshold: int, chunksize: int) -> int:
    """0 for a single-part upload, else the number of parts `part_sizes` cuts."""
    if not is_multipart(size, threshold):
        return 0
    return -(-size // fitting_chunksize(size, chunksize))


def normalize_etag(e_tag: str | None) -> str | None:
    """Strip every '"' (S3 lists ETags with quotes); None stays None."""
    return None if e_tag is None else e_tag.replace('"', "")


def is_multipart_etag(e_tag: str | None) -> bool:
    """An ETag is multipart when it carries a "-N" suffix."""
    return e_tag is not None and "-" in e_tag


def multipart_etag_parts(e_tag: str | None) -> int | None:
    """The N of a "...-N" ETag, or None for a single-part / unparsable ETag."""
    norm = normalize_etag(e_tag)
    if norm is None or "-" not in norm:
        return None
    tail = norm.rsplit("-", 1)[1]
    return int(tail) if tail.isdigit() else None


def stated_layout(e_tag: str | None, size: int, threshold: int, chunksize: int) -> tuple[list[int], bool] | None:
    """The part layout an object's ETag implies without asking the server, or None when it must be learned.

    An object written by another tool may be cut in parts of any size, so the configured layout is only assumed
    when it explains the ETag's part count:

        plain ETag (no "-N")                            ([size], False): the MD5 of the whole object, whatever
                                                        its size
        "-N" and N == the configured layout's parts     (configured parts, True): probably ours; a mismatch
                                                        still has to be checked against the real parts
        "-N" otherwise, or an unparsable suffix         None: learn the real parts from the server

    Args:
        e_tag: the object's ETag (quoted or not).
        size: the object's size.
        threshold: the configured multipart threshold.
        chunksize: the configured part size.

    Returns:
        (part sizes, multipart), or None.
    """
    if e_tag is None:
        return None
    if not is_multipart_etag(e_tag):
        return [size], False
    count = multipart_etag_parts(e_tag)
    configured = part_sizes(size, threshold, chunksize)
    if count is None or count != len(configured):
        return None
    return configured, True


def explains_etag(parts: Sequence[int], e_tag: str | None, size: int) -> bool:
    """Whether a learned part list can be the layout of an object with this multipart ETag and size."""
    count = multipart_etag_parts(e_tag)
    return count is not None and count == len(parts) and sum(parts) == size


def single_etag(md5_digest: bytes) -> str:
    """The quoted ETag of a single-part object from its raw MD5 digest."""
    return f'"{md5_digest.hex()}"'


def multipart_etag(part_md5_digests: Sequence[bytes]) -> str:
    """The quoted multipart ETag from the raw MD5 digests of the parts, in part order."""
    combined = hashlib.md5(b"".join(part_md5_digests), usedforsecurity=False).hexdigest()
    return f'"{combined}-{len(part_md5_digests)}"'


def etag_from_part_digests(part_md5_digests: Sequence[bytes], multipart: bool) -> str:
    """The ETag for an object whose parts had these MD5 digests.

    Args:
        part_md5_digests: one raw digest per part (exactly one for a single-part object).
        multipart: whether the object was uploaded multipart (a 1-part multipart upload gives "-1").

    Returns:
        The quoted ETag.
    """
    if multipart:
        return multipart_etag(part_md5_digests)
    if len(part_md5_digests) != 1:
        raise ValueError("a single-part ETag needs exactly one digest")
    return single_etag(part_md5_digests[0])
