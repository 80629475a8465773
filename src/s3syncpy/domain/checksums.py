"""Additional checksums (SHA1, SHA256, CRC32, CRC32C, CRC64NVME) as S3 reports them (the reference's additional-checksum rules).

Value formats (base64 of raw bytes; CRCs are big-endian at their natural width):

* single part:          base64(ALG(data))                                  no suffix
* composite multipart:  base64(ALG(raw digest of part 1 || ... || part N)) + "-N"   (N counts 1 too)
* full-object multipart: base64(CRC over the whole stream)                  no suffix (CRC algorithms only)

CRC64NVME is always full-object; SHA1/SHA256 never are (they ignore the full-object flag). Because a value is
"full object" exactly when it has no "-", a single-part checksum counts as full-object (`is_full_object_checksum`).

Layout rule for a local file hashed with given part sizes (`is_multipart_layout`): multipart iff there is more
than one part, or one part at least as large as the threshold. A file that does not match its part sizes (it
ended early or is longer) has the checksum `UNKNOWN`, which never equals a real value.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence

from awscrt import checksums as crt  # type: ignore[import-untyped]

from s3syncpy.domain.model import ChecksumAlgorithm

UNKNOWN = "UNKNOWN"

CRC_ALGORITHMS = frozenset({ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME})

_CRC: dict[ChecksumAlgorithm, tuple[Callable[[bytes, int], int], int]] = {
    ChecksumAlgorithm.CRC32: (crt.crc32, 4),
    ChecksumAlgorithm.CRC32C: (crt.crc32c, 4),
    ChecksumAlgorithm.CRC64NVME: (crt.crc64nvme, 8),
}


def digest(algorithm: ChecksumAlgorithm, data: bytes) -> bytes:
    """The raw checksum of `data` (CRC values big-endian at 4 or 8 bytes).

    Args:
        algorithm: one of the five algorithms.
        data: the bytes (small: this runs on the caller's thread).

    Returns:
        The raw digest bytes.
    """
    if algorithm is ChecksumAlgorithm.SHA1:
        return hashlib.sha1(data, usedforsecurity=False).digest()
    if algorithm is ChecksumAlgorithm.SHA256:
        return hashlib.sha256(data).digest()
    function, width = _CRC[algorithm]
    return int(function(data, 0)).to_bytes(width, "big")


def encode(raw: bytes) -> str:
    """Standard base64 of a raw digest, as S3 headers carry it."""
    return base64.b64encode(raw).decode("ascii")


def uses_full_object(algorithm: ChecksumAlgorithm, full_object: bool) -> bool:
    """Whether multipart values of `algorithm` are full-object: CRC64NVME always, CRC32/CRC32C with the flag.

    Args:
        algorithm: the checksum algorithm.
        full_object: --full-object-checksum (or, for verification, "the source value has no '-'").

    Returns:
        True when the whole stream is hashed without a "-N" suffix.
    """
    if algorithm is ChecksumAlgorithm.CRC64NVME:
        return True
    return full_object and algorithm in CRC_ALGORITHMS


def composite_checksum(algorithm: ChecksumAlgorithm, part_digests: Sequence[bytes]) -> str:
    """base64(ALG(concatenated raw part digests)) + "-N".

    Args:
        algorithm: the checksum algorithm.
        part_digests: the raw digest of every part, in part order (at least one).

    Returns:
        The composite value, e.g. "zWifJvli3SaQ9LZtHxzpOjkUE9x4ovgJZ+34As/NMwc=-2".
    """
    if not part_digests:
        raise ValueError("a composite checksum needs at least one part")
    return f"{encode(digest(algorithm, b''.join(part_digests)))}-{len(part_digests)}"


def checksum_value(
    algorithm: ChecksumAlgorithm,
    part_checksums: Sequence[bytes],
    full_checksum: bytes | None,
    *,
    multipart: bool,
    full_object: bool,
) -> str:
    """The S3-format value from the raw digests of the parts (and of the whole stream).

    Truth table:

        multipart  uses_full_object(algorithm, full_object)  value
        no         any                                       base64(part 1 digest)       (one part)
        yes        yes                                       base64(full-stream CRC)
        yes        no                                        composite "...-N"

    Args:
        algorithm: the checksum algorithm.
        part_checksums: raw digest of every part (exactly one when not multipart).
        full_checksum: the raw CRC of the whole stream (needed for full-object multipart values).
        multipart: whether the layout is multipart (see `is_multipart_layout`).
        full_object: the full-object flag (ignored by SHA, forced by CRC64NVME).

    Returns:
        The value as S3 would report it.

    Raises:
        ValueError: a single-part value without exactly one part digest, or a full-object value without the
            whole-stream CRC.
    """
    if not multipart:
        if len(part_checksums) != 1:
            raise ValueError("a single-part checksum needs exactly one part digest")
        return encode(part_checksums[0])
    if uses_full_object(algorithm, full_object):
        if full_checksum is None:
            raise ValueError("a full-object checksum needs the CRC of the whole stream")
        return encode(full_checksum)
    return composite_checksum(algorithm, part_checksums)


def is_multipart_layout(part_sizes: Sequence[int], threshold: int) -> bool:
    """The local-computation rule: multipart iff parts > 1, or one part with threshold <= its size.

    Args:
        part_sizes: the layout the file is hashed with.
        threshold: the multipart threshold in force for this comparison.

    Returns:
        True when the computed value gets the multipart form ("-N" or full-object).
    """
    return len(part_sizes) > 1 or (len(part_sizes) == 1 and threshold <= part_sizes[0])


def is_full_object_checksum(value: str | None) -> bool:
    """A value without "-" is full-object (so single-part values count as full-object, as in the reference)."""
    return value is not None and "-" not in value


def is_composite_checksum(value: str | None) -> bool:
    """A value with a "-N" suffix is a composite multipart checksum."""
    return value is not None and "-" in value


def verification_threshold(source_checksum: str, part_sizes: Sequence[int], size: int, threshold: int) -> int:
    """The threshold a download's checksum check hashes with (the reference's download-side verification).

    Truth table (first matching row):

        source value has no "-"        size + 1    (never multipart: plain or full-object, one digest)
        first part == whole size       size        (a one-part multipart upload: "-1")
        otherwise                      threshold   (the configured --multipart-threshold)

    Args:
        source_checksum: the source object's value.
        part_sizes: the layout used ([size] when the parts are unknown).
        size: the object size.
        threshold: the configured multipart threshold.

    Returns:
        The threshold to pass to `is_multipart_layout`.
    """
    if "-" not in source_checksum:
        return size + 1
    if part_sizes and part_sizes[0] == size:
        return size
    return threshold
