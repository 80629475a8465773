"""Value objects shared by every layer: objects as listed, objects as inspected, and storage locations.

Keys are always relative to the source prefix or directory (the reference strips the prefix textually), so a
key means the same thing on both sides of a sync.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from s3syncpy.domain.time_units import NANOS_PER_SECOND

__all__ = ["NANOS_PER_SECOND"]


class ChecksumAlgorithm(enum.StrEnum):
    """The additional checksum algorithms S3 accepts (anything else is rejected at parse time).

    A StrEnum: a member equals its S3 name, so it can key the dict of checksums an S3 response carries.
    """

    SHA1 = "SHA1"
    SHA256 = "SHA256"
    CRC32 = "CRC32"
    CRC32C = "CRC32C"
    CRC64NVME = "CRC64NVME"

    @classmethod
    def parse(cls, text: str) -> ChecksumAlgorithm:
        """Parse a user-supplied algorithm name (case-sensitive like the reference).

        Raises:
            ValueError: the name is not one of the five algorithms.
        """
        try:
            return cls(text)
        except ValueError:
            valid = ", ".join(a.value for a in cls)
            raise ValueError(f"invalid checksum algorithm '{text}' (valid: {valid})") from None

    @classmethod
    def reported(cls, text: str | None) -> ChecksumAlgorithm | None:
        """The algorithm a server reports (a listing's ChecksumAlgorithm), or None for none or an unknown name."""
        if text is None:
            return None
        try:
            return cls(text)
        except ValueError:
            return None


class ChecksumType(enum.StrEnum):
    """How a multipart object's additional checksum is built (S3's ChecksumType)."""

    COMPOSITE = "COMPOSITE"  # a checksum of the part checksums, shown with a "-N" suffix
    FULL_OBJECT = "FULL_OBJECT"  # the CRC of the whole object

    @classmethod
    def reported(cls, text: str | None) -> ChecksumType | None:
        """The type a server reports, or None for none or an unknown name."""
        if text is None:
            return None
        try:
            return cls(text)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One object as a listing reports it (S3 ListObjectsV2 entry or a local file's stat).

    Attributes:
        key: key relative to the source prefix / directory, "/"-separated.
        size: content length in bytes.
        mtime_ns: last-modified time in nanoseconds since the epoch (S3 gives whole seconds).
        e_tag: the ETag with its quotes as listed, or None (a local file outside --check-etag mode).
        checksum_algorithm: the additional checksum algorithm the listing announces, if any.
        version_id: the version id for version listings, else None.
        storage_class: the S3 storage class, if listed.
    """

    key: str
    size: int
    mtime_ns: int
    e_tag: str | None = None
    checksum_algorithm: ChecksumAlgorithm | None = None
    version_id: str | None = None
    storage_class: str | None = None

    @property
    def mtime_secs(self) -> int:
        """Last-modified time truncated to whole seconds (the unit of every update check)."""
        return self.mtime_ns // NANOS_PER_SECOND

    @property
    def is_directory_marker(self) -> bool:
        """True for keys ending in "/" (directory placeholders)."""
        return self.key.endswith("/")


@dataclass(frozen=True, slots=True)
class SystemMetadata:
    """The HTTP system metadata S3 keeps per object (all optional)."""

    content_type: str | None = None
    content_encoding: str | None = None
    content_disposition: str | None = None
    content_language: str | None = None
    cache_control: str | None = None
    expires: str | None = None
    website_redirect_location: str | None = None


@dataclass(frozen=True, slots=True)
class Encryption:
    """Server-side encryption as reported for an object.

    Attributes:
        algorithm: "AES256", "aws:kms", "aws:kms:dsse" or None.
        kms_key_id: the KMS key id, if any.
        customer_algorithm: "AES256" when SSE-C protects the object.
    """

    algorithm: str | None = None
    kms_key_id: str | None = None
    customer_algorithm: str | None = None

    @property
    def allows_md5_etag(self) -> bool:
        """ETags are MD5 digests only for plain and SSE-S3 objects (not KMS, DSSE or SSE-C)."""
        return self.customer_algorithm is None and self.algorithm in (None, "AES256")


@dataclass(frozen=True, slots=True)
class ObjectDetails:
    """Everything a HEAD (or the headers of a GET) tells about one object.

    Attributes:
        info: the listing-level facts (key, size, mtime, ETag, version).
        metadata: system metadata.
        user_metadata: user-defined metadata, keys lower-case without the x-amz-meta- prefix.
        checksums: additional checksum values by algorithm name (present with checksum mode only).
        checksum_type: "COMPOSITE" or "FULL_OBJECT" when S3 reports it.
        parts_count: x-amz-mp-parts-count, when a partNumber HEAD/GET reported it.
        tag_count: x-amz-tagging-count (0 when absent).
        encryption: server-side encryption of the object.
        content_range: the Content-Range of a ranged GET, e.g. "bytes 0-99/1000".
    """

    info: ObjectInfo
    metadata: SystemMetadata = field(default_factory=SystemMetadata)
    user_metadata: dict[str, str] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    checksum_type: ChecksumType | None = None
    parts_count: int | None = None
    tag_count: int = 0
    encryption: Encryption = field(default_factory=Encryption)
    content_range: str | None = None

    def checksum(self, algorithm: ChecksumAlgorithm | None) -> str | None:
        """The value of one additional checksum, or None when absent or no algorithm was asked."""
        if algorithm is None:
            return None
        return self.checksums.get(algorithm.value)
