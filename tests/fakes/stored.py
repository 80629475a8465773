"""The objects the in-memory fake storage holds, and the S3 digest rules it applies to them (reference §2.3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from s3syncpy import _speedups
from s3syncpy.application.ports.storage import DigestSource, FileDigests
from s3syncpy.domain import checksums
from s3syncpy.domain.model import ChecksumAlgorithm, ChecksumType, SystemMetadata


@dataclass(slots=True)
class StoredObject:
    """One object as the fake holds it."""

    data: bytes
    mtime_ns: int
    e_tag: str
    metadata: SystemMetadata = field(default_factory=SystemMetadata)
    user_metadata: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    checksum: str | None = None
    part_sizes: list[int] = field(default_factory=list)
    checksum_algorithm: ChecksumAlgorithm | None = None
    full_object: bool = False

    @property
    def checksum_type(self) -> ChecksumType | None:
        """FULL_OBJECT or COMPOSITE for a multipart object with a checksum (as S3 reports it), else None."""
        if self.checksum is None or not self.part_sizes:
            return None
        return ChecksumType.FULL_OBJECT if self.full_object else ChecksumType.COMPOSITE

    def part_checksums(self) -> list[str]:
        """The base64 checksum of each part (empty without an algorithm or for a single-part object)."""
        if self.checksum_algorithm is None or not self.part_sizes:
            return []
        raws = _speedups.hash_buffer_parts(self.data, self.part_sizes, self.checksum_algorithm.value).part_checksums
        return [checksums.encode(raw) for raw in raws]


def digests_of(data: bytes, part_sizes: Sequence[int], algorithm: ChecksumAlgorithm | None,
             full_object: bool) -> FileDigests:
    sizes = list(part_sizes) or [0]
    if sum(sizes) != len(data):
        raise ValueError(f"part sizes add up to {sum(sizes)} bytes but the data has {len(data)}")
    name = algorithm.value if algorithm else None
    crc_full = full_object and algorithm in checksums.CRC_ALGORITHMS
    result = _speedups.hash_buffer_parts(data, sizes, name, crc_full)
    return FileDigests(list(result.part_md5s), list(result.part_checksums), result.full_checksum,
                       result.total_size)


class BufferDigests(DigestSource):
    """A DigestSource over bytes held in memory (the fake's "temp file")."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def digests(
        self, part_sizes: Sequence[int], algorithm: ChecksumAlgorithm | None = None, full_object: bool = False
    ) -> FileDigests:
        return digests_of(self._data, part_sizes, algorithm, full_object)


def checksum_of(data: bytes, part_sizes: Sequence[int], algorithm: ChecksumAlgorithm, full_object: bool) -> str:
    """The additional checksum S3 reports (reference §2.3) for `data` written with `part_sizes`.

    Args:
        data: the object's bytes.
        part_sizes: the multipart layout, [] for a single PutObject.
        algorithm: the checksum algorithm.
        full_object: the FULL_OBJECT checksum type (ignored by SHA algorithms, forced by CRC64NVME).

    Returns:
        base64 of the digest (single PutObject or full-object multipart), or the composite "...-N".
    """
    multipart = bool(part_sizes)
    full = checksums.uses_full_object(algorithm, full_object)
    result = _speedups.hash_buffer_parts(data, list(part_sizes) or [len(data)], algorithm.value, full and multipart)
    return checksums.checksum_value(algorithm, result.part_checksums, result.full_checksum, multipart=multipart,
                                    full_object=full)
