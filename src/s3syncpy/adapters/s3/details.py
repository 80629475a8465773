"""Conversions from botocore response dictionaries to domain values (ObjectInfo, ObjectDetails).

Public API:
    datetime_to_ns(value) -> int
    info_from_listing(key, entry) -> ObjectInfo          one ListObjectsV2 "Contents" entry
    details_from_response(key, response, *, part=False) -> ObjectDetails   HeadObject / GetObject output
    total_size(response) -> int                           object size, also for ranged GETs
    checksums_from(mapping) -> dict[str, str]             the Checksum* fields present, by algorithm name
    object_parts(response) -> list[ObjectPart]            the Parts of a GetObjectAttributes ObjectParts page
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from s3syncpy.application.ports.storage import ObjectPart
from s3syncpy.domain.model import (
    NANOS_PER_SECOND,
    ChecksumAlgorithm,
    ChecksumType,
    Encryption,
    ObjectDetails,
    ObjectInfo,
    SystemMetadata,
)
from s3syncpy.domain.time_units import NANOS_PER_MICRO

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECONDS_PER_DAY = 86_400

# botocore output field -> the algorithm name ObjectDetails.checksums is keyed by.
CHECKSUM_FIELDS: dict[str, str] = {
    "ChecksumCRC32": "CRC32",
    "ChecksumCRC32C": "CRC32C",
    "ChecksumCRC64NVME": "CRC64NVME",
    "ChecksumSHA1": "SHA1",
    "ChecksumSHA256": "SHA256",
}


def checksums_from(mapping: Mapping[str, Any]) -> dict[str, str]:
    """The additional checksum values present in a botocore output (or part entry), keyed by algorithm name."""
    return {name: mapping[field] for field, name in CHECKSUM_FIELDS.items() if mapping.get(field)}


def object_parts(response: Mapping[str, Any]) -> list[ObjectPart]:
    """The parts listed by one GetObjectAttributes(ObjectParts) response, in part-number order.

    Args:
        response: the botocore output; "ObjectParts" is absent for objects without a part list.

    Returns:
        One ObjectPart per listed part (size, and its checksum when the object has one).
    """
    listed = (response.get("ObjectParts") or {}).get("Parts") or ()
    parts = sorted(listed, key=lambda entry: int(entry.get("PartNumber", 0)))
    return [
        ObjectPart(size=int(entry.get("Size", 0)), checksum=next(iter(checksums_from(entry).values()), None))
        for entry in parts
    ]


def datetime_to_ns(value: datetime) -> int:
    """Nanoseconds since the epoch, in integer arithmetic (a float would round away the sub-second part)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    seconds = delta.days * _SECONDS_PER_DAY + delta.seconds
    return seconds * NANOS_PER_SECOND + delta.microseconds * NANOS_PER_MICRO


def info_from_listing(key: str, entry: Mapping[str, Any]) -> ObjectInfo:
    """An ObjectInfo from one ListObjectsV2 "Contents" entry.

    Args:
        key: the key relative to the storage root.
        entry: the botocore entry (Key, Size, LastModified, ETag, ChecksumAlgorithm, StorageClass).

    Returns:
        The listed object.
    """
    algorithms = entry.get("ChecksumAlgorithm")
    return ObjectInfo(
        key=key,
        size=entry["Size"],
        mtime_ns=datetime_to_ns(entry["LastModified"]),
        e_tag=entry.get("ETag"),
        checksum_algorithm=ChecksumAlgorithm.reported(algorithms[0]) if algorithms else None,
        storage_class=entry.get("StorageClass"),
    )


def total_size(response: Mapping[str, Any]) -> int:
    """The object's size: the total of Content-Range ("bytes 0-99/1000") for a ranged GET, else ContentLength."""
    content_range = response.get("ContentRange")
    if content_range:
        total = str(content_range).rpartition("/")[2]
        if total.isdigit():
            return int(total)
    return int(response.get("ContentLength", 0))


def _expires(response: Mapping[str, Any]) -> str | None:
    # botocore keeps the raw header in ExpiresString; Expires is a parsed datetime (absent when unparsable).
    raw = response.get("ExpiresString")
    if raw:
        return str(raw)
    parsed = response.get("Expires")
    if isinstance(parsed, datetime):
        return format_datetime(parsed.astimezone(UTC), usegmt=True)
    return None


def details_from_response(key: str, response: Mapping[str, Any], *, part: bool = False) -> ObjectDetails:
    """ObjectDetails from a HeadObject or GetObject output.

    Args:
        key: the key relative to the storage root.
        response: the botocore output dictionary.
        part: the request named a PartNumber: `info.size` is then that part's Content-Length.

    Returns:
        The details; without `part`, `info.size` is the whole object's size even for a ranged GET.
    """
    checksums = checksums_from(response)
    last_modified = response.get("LastModified")
    parts_count = response.get("PartsCount")
    info = ObjectInfo(
        key=key,
        size=int(response.get("ContentLength", 0)) if part else total_size(response),
        mtime_ns=datetime_to_ns(last_modified) if isinstance(last_modified, datetime) else 0,
        e_tag=response.get("ETag"),
        checksum_algorithm=ChecksumAlgorithm.reported(next(iter(checksums), None)),
        version_id=response.get("VersionId"),
        storage_class=response.get("StorageClass"),
    )
    metadata = SystemMetadata(
        content_type=response.get("ContentType"),
        content_encoding=response.get("ContentEncoding"),
        content_disposition=response.get("ContentDisposition"),
        content_language=response.get("ContentLanguage"),
        cache_control=response.get("CacheControl"),
        expires=_expires(response),
        website_redirect_location=response.get("WebsiteRedirectLocation"),
    )
    encryption = Encryption(
        algorithm=response.get("ServerSideEncryption"),
        kms_key_id=response.get("SSEKMSKeyId"),
        customer_algorithm=response.get("SSECustomerAlgorithm"),
    )
    return ObjectDetails(
        info=info,
        metadata=metadata,
        user_metadata={k.lower(): v for k, v in response.get("Metadata", {}).items()},
        checksums=checksums,
        checksum_type=ChecksumType.reported(response.get("ChecksumType")),
        parts_count=int(parts_count) if parts_count else None,
        tag_count=int(response.get("TagCount") or 0),
        encryption=encryption,
        content_range=response.get("ContentRange"),
    )


def system_metadata_params(metadata: SystemMetadata) -> dict[str, Any]:
    """PutObject / CreateMultipartUpload parameters for the system metadata that is set."""
    pairs = (
        ("ContentType", metadata.content_type),
        ("ContentEncoding", metadata.content_encoding),
        ("ContentDisposition", metadata.content_disposition),
        ("ContentLanguage", metadata.content_language),
        ("CacheControl", metadata.cache_control),
        ("Expires", metadata.expires),
        ("WebsiteRedirectLocation", metadata.website_redirect_location),
    )
    return {name: value for name, value in pairs if value is not None}
