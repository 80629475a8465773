"""Additional checksums on the S3 wire: what we compute and send, and keeping botocore from recomputing them.

Public API:
    PartDigest(md5, checksum)                               raw digests of one PutObject / UploadPart body
    digest_part(data, algorithm) -> PartDigest              one pass over the bytes, off the loop when large
    checksum_param(algorithm) -> str                        "ChecksumCRC32", ... (botocore parameter / field)
    encode(raw) -> str                                      base64, the form of every x-amz-checksum-* value
    full_object_checksum(algorithm, parts) -> bytes         the whole-object CRC from per-part CRCs and sizes
    sent_checksum(algorithm, digests, sizes, full_object, multipart) -> str   S3's format over what we sent
                                                            (the formatting rules are domain.checksums')
    skip_response_checksum_validation(client)               botocore leaves GET bodies to us

Every PutObject and UploadPart carries ChecksumAlgorithm and the value we computed over the exact bytes of that
request, so S3 rejects a body corrupted on the way (BadDigest). Because the value is already present, botocore
does not compute one of its own (it skips when any x-amz-checksum-* header is set), and the lean data path can map
the parameter to its header without knowing anything about checksums.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from awscrt import checksums as crt  # type: ignore[import-untyped]

from s3syncpy import _speedups
from s3syncpy.domain import checksums as rules
from s3syncpy.domain.model import ChecksumAlgorithm

encode = rules.encode

# Below this size a thread hop costs more than hashing inline; above it, hashing would stall the event loop
# (MD5 runs at ~0.7 GB/s; the hashing core releases the GIL).
INLINE_HASH_LIMIT = 256 * 1024

_CRC_COMBINE = {
    ChecksumAlgorithm.CRC32: crt.combine_crc32,
    ChecksumAlgorithm.CRC32C: crt.combine_crc32c,
    ChecksumAlgorithm.CRC64NVME: crt.combine_crc64nvme,
}
_SKIP_VALIDATION_ID = "s3syncpy-skip-response-checksum-validation"


@dataclass(frozen=True, slots=True)
class PartDigest:
    """Raw digests of one request body.

    Attributes:
        md5: the 16-byte MD5 (Content-MD5 and the ETag).
        checksum: the raw additional checksum (big-endian CRC or SHA digest), None without an algorithm.
    """

    md5: bytes
    checksum: bytes | None = None


def _digest(data: bytes | bytearray, algorithm: ChecksumAlgorithm | None) -> PartDigest:
    if algorithm is None:
        return PartDigest(hashlib.md5(data, usedforsecurity=False).digest())
    result = _speedups.hash_buffer_parts(data, [len(data)], algorithm.value)
    return PartDigest(result.part_md5s[0], result.part_checksums[0])


async def digest_part(data: bytes | bytearray, algorithm: ChecksumAlgorithm | None) -> PartDigest:
    """MD5 and the additional checksum of `data`, in one pass, in a worker thread when the buffer is large.

    Args:
        data: the exact bytes of one PutObject or UploadPart.
        algorithm: the additional checksum to compute, or None for MD5 only.

    Returns:
        The raw digests.
    """
    if len(data) < INLINE_HASH_LIMIT:
        return _digest(data, algorithm)
    return await asyncio.to_thread(_digest, data, algorithm)


def checksum_param(algorithm: ChecksumAlgorithm) -> str:
    """The botocore parameter (and response field) carrying this algorithm's value: "ChecksumCRC32", ..."""
    return f"Checksum{algorithm.value}"


def full_object_checksum(algorithm: ChecksumAlgorithm, parts: Sequence[tuple[bytes, int]]) -> bytes:
    """The CRC of the whole object from each part's raw CRC and size, without reading the bytes again.

    Args:
        algorithm: CRC32, CRC32C or CRC64NVME.
        parts: (raw big-endian part CRC, part size) in part order.

    Returns:
        The raw big-endian CRC of the concatenated parts (what S3 reports for a FULL_OBJECT checksum).

    Raises:
        ValueError: the algorithm is not a CRC (SHA digests cannot be combined).
    """
    combine = _CRC_COMBINE.get(algorithm)
    if combine is None:
        raise ValueError(f"{algorithm.value} has no full-object form; only CRC algorithms do")
    width = 8 if algorithm is ChecksumAlgorithm.CRC64NVME else 4
    crc = 0
    for raw, size in parts:
        crc = combine(crc, int.from_bytes(raw, "big"), size)
    return int(crc).to_bytes(width, "big")


def sent_checksum(
    algorithm: ChecksumAlgorithm,
    part_checksums: Sequence[bytes],
    part_sizes: Sequence[int],
    *,
    full_object: bool,
    multipart: bool,
) -> str:
    """The additional checksum of the bytes we sent, formatted as S3 reports it for the object.

    Args:
        algorithm: the algorithm.
        part_checksums: the raw checksum of each request body, in part order (one for a PutObject).
        part_sizes: the size of each body, in the same order.
        full_object: the multipart upload used the FULL_OBJECT checksum type.
        multipart: the object was written by a multipart upload (even of one part).

    Returns:
        base64 of the digest (single PutObject, or full-object), or base64(ALG(concat part digests)) + "-N".
    """
    full = None
    if multipart and rules.uses_full_object(algorithm, full_object):
        full = full_object_checksum(algorithm, list(zip(part_checksums, part_sizes, strict=True)))
    return rules.checksum_value(algorithm, part_checksums, full, multipart=multipart, full_object=full_object)


def _drop_response_validation(params: dict[str, Any], **_: Any) -> None:
    checksum_context = params.get("context", {}).get("checksum")
    if checksum_context:
        checksum_context.pop("response_algorithms", None)


def skip_response_checksum_validation(client: Any) -> None:
    """Stop botocore from validating GetObject bodies against x-amz-checksum-* when ChecksumMode is sent.

    Why: we ask for checksums to compare them ourselves (per object, against the source); botocore would hash
    every GET body a second time and fail ranged or partial reads on its own terms. Registering is idempotent.

    Args:
        client: an aiobotocore S3 client.
    """
    client.meta.events.register(
        "before-call.s3.GetObject", _drop_response_validation, unique_id=_SKIP_VALIDATION_ID
    )
