"""The ETag and additional checksum of a local file, computed the way the reference does (its local ETag math and its additional-checksum rules).

A local file has no stored ETag or checksum: to compare it with an S3 object, it is hashed either with the S3
object's own part sizes (--auto-chunksize, composite checksums) or with the configured threshold and chunk size.
A file that no longer matches the layout (it changed since it was listed) gets the value "UNKNOWN", which never
equals a real value: the comparison then says "different" and the object is transferred.
"""

from __future__ import annotations

from collections.abc import Sequence

from s3syncpy.application.ports.storage import FileDigests, ObjectStorage
from s3syncpy.domain import checksums
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.model import ChecksumAlgorithm

UNKNOWN = checksums.UNKNOWN


async def _digests(
    storage: ObjectStorage,
    key: str,
    part_sizes: Sequence[int],
    algorithm: ChecksumAlgorithm | None = None,
    full_object: bool = False,
) -> FileDigests | None:
    try:
        return await storage.compute_digests(key, part_sizes, algorithm, full_object)
    except ValueError:
        # The file's size no longer matches the layout (reference: early EOF or size mismatch -> UNKNOWN).
        return None


async def local_etag(
    storage: ObjectStorage,
    key: str,
    size: int,
    threshold: int,
    chunksize: int,
    part_sizes: Sequence[int] | None = None,
) -> str:
    """The quoted ETag of a local file, or UNKNOWN.

    Args:
        storage: the local storage holding the file.
        key: its key.
        size: its size (listed or stat'ed).
        threshold / chunksize: the configured layout, used when `part_sizes` is empty or None.
        part_sizes: the S3 side's part sizes (--auto-chunksize): the result is then always "-N", even for N = 1.

    Returns:
        '"<md5>"', '"<md5>-N"' or UNKNOWN.
    """
    if part_sizes:
        digests = await _digests(storage, key, part_sizes)
        return UNKNOWN if digests is None else etag_math.multipart_etag(digests.part_md5s)
    layout = etag_math.part_sizes(size, threshold, chunksize)
    digests = await _digests(storage, key, layout or [size])
    if digests is None:
        return UNKNOWN
    return etag_math.etag_from_part_digests(digests.part_md5s, multipart=bool(layout))


async def local_etag_in_layout(storage: ObjectStorage, key: str, part_sizes: Sequence[int], multipart: bool) -> str:
    """The quoted ETag of a local file cut into `part_sizes` (one part and `multipart` False: its plain MD5), or
    UNKNOWN when the file no longer has that size."""
    digests = await _digests(storage, key, part_sizes)
    if digests is None:
        return UNKNOWN
    return etag_math.etag_from_part_digests(digests.part_md5s, multipart=multipart)


async def local_checksum(
    storage: ObjectStorage,
    key: str,
    size: int,
    algorithm: ChecksumAlgorithm,
    *,
    threshold: int,
    chunksize: int,
    full_object: bool,
    part_sizes: Sequence[int] | None = None,
) -> str:
    """The additional checksum of a local file in S3 format, or UNKNOWN.

    With `part_sizes` (the S3 object's parts from GetObjectAttributes) the value is the composite "-N" over those
    parts. Without, the configured rule applies: a file smaller than the threshold gets a plain value, a larger one
    is cut into chunk-sized parts and gets a composite or full-object value (`full_object`, ignored by SHA).

    Args:
        storage: the local storage holding the file.
        key: its key.
        size: its size.
        algorithm: the checksum algorithm.
        threshold / chunksize: the configured layout.
        full_object: whether the S3 side's value is full-object (no "-").
        part_sizes: the S3 side's part sizes, or None.

    Returns:
        The value as S3 would report it, or UNKNOWN.
    """
    if part_sizes:
        layout = list(part_sizes)
        multipart = True
    else:
        layout = etag_math.part_sizes(size, threshold, chunksize) or [size]
        multipart = etag_math.is_multipart(size, threshold)
    return await checksum_of_layout(storage, key, algorithm, layout, multipart=multipart, full_object=full_object)


async def checksum_of_layout(
    storage: ObjectStorage,
    key: str,
    algorithm: ChecksumAlgorithm,
    layout: Sequence[int],
    *,
    multipart: bool,
    full_object: bool,
) -> str:
    """The S3-format checksum of a local file hashed with exactly `layout`, or UNKNOWN.

    Args:
        storage: the local storage holding the file.
        key: its key.
        algorithm: the checksum algorithm.
        layout: the part sizes ([size] for one part).
        multipart: whether the value takes the multipart form.
        full_object: the full-object flag (see checksums.uses_full_object).

    Returns:
        The value, or UNKNOWN when the file does not match the layout.
    """
    full = multipart and checksums.uses_full_object(algorithm, full_object)
    digests = await _digests(storage, key, layout, algorithm, full)
    if digests is None:
        return UNKNOWN
    return checksums.checksum_value(
        algorithm, digests.part_checksums, digests.full_checksum, multipart=multipart, full_object=full_object
    )
