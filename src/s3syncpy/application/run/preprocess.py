"""The preprocess callback: the user's last word on one write to an S3 target, just before its first request.

The reference calls it inside its upload manager, so only for S3 targets and never in dry-run (a dry run writes
nothing). The callback sees the full target key, the source object as its GET/HEAD described it, and the
metadata the upload would carry; it returns whether to write at all and the metadata to write with. Each field
is replaced by what it returns: a missing (nil/None) field clears that attribute. ACL, storage class and
request payer must be values S3 knows, Expires an RFC 3339 time, and every value that becomes a header must be
a string an HTTP header can carry (no CR, LF or other control character; metadata names are header tokens);
anything else fails the object, as the reference's SDK fails the request it cannot build.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from s3syncpy.application.ports.callbacks import SourceField, SyncCallbacks, UploadMetadata
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.application.ports.write_requests import ObjectAttributes
from s3syncpy.domain.http_fields import control_character_in, is_token
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, SystemMetadata
from s3syncpy.domain.timeparse import format_rfc3339_millis, parse_rfc3339_to_ms

# S3's enumerations, as the reference's SDK parses them.
CANNED_ACLS = frozenset({
    "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read",
    "bucket-owner-full-control",
})
STORAGE_CLASSES = frozenset({
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
    "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS",
})
REQUEST_PAYERS = frozenset({"requester"})
# UploadMetadata's fields that hold one string each (metadata is the mapping of user metadata).
_STRING_FIELDS = tuple(f.name for f in dataclasses.fields(UploadMetadata) if f.name != "metadata")
# The user metadata header prefix: a metadata name must make a valid header name with it.
_USER_METADATA_PREFIX = "x-amz-meta-"

_CHECKSUM_FIELDS = {
    ChecksumAlgorithm.CRC32: "checksum_crc32",
    ChecksumAlgorithm.CRC32C: "checksum_crc32_c",
    ChecksumAlgorithm.CRC64NVME: "checksum_crc64_nvme",
    ChecksumAlgorithm.SHA1: "checksum_sha1",
    ChecksumAlgorithm.SHA256: "checksum_sha256",
}


class PreprocessError(Exception):
    """The preprocess callback failed or returned something invalid (the object then fails, exit 1)."""


class Preprocessor:
    """Runs the user's preprocess callback for writes to an S3 target."""

    def __init__(self, callbacks: SyncCallbacks) -> None:
        self._callbacks = callbacks

    async def edit(self, full_key: str, details: ObjectDetails, upload: UploadMetadata) -> UploadMetadata | None:
        """The callback's metadata for one write (validated), or None when it cancelled the write.

        Args:
            full_key: the target key with the target prefix.
            details: the source object as its GET (or HEAD) described it.
            upload: what the write would carry (upload_metadata_of a PutRequest; apply_upload_metadata maps the
                result back).

        Raises:
            PreprocessError: the callback raised, or returned an invalid value.
        """
        try:
            proceed, edited = await self._callbacks.preprocess(full_key, source_fields(details), upload)
        except Exception as exc:
            raise PreprocessError(f"preprocess callback error: {exc}") from exc
        if not proceed:
            return None
        if not isinstance(edited, UploadMetadata):
            raise PreprocessError("preprocess callback error: the metadata returned is not an UploadMetadata")
        validate_upload_metadata(edited)
        return edited


def preprocessor_for(callbacks: SyncCallbacks | None) -> Preprocessor | None:
    """The run's preprocessor: None when the callbacks have no preprocess callback."""
    return Preprocessor(callbacks) if callbacks is not None and callbacks.has_preprocess else None


def source_fields(details: ObjectDetails) -> dict[str, SourceField]:
    """The source object as the reference's preprocess callback receives it (absent values are None).

    The response may be the first ranged chunk of the object, so content_length and content_range describe
    that chunk, as in the reference.
    """
    info, meta = details.info, details.metadata
    fields: dict[str, SourceField] = {
        "key": info.key,
        "cache_control": meta.cache_control,
        "content_disposition": meta.content_disposition,
        "content_encoding": meta.content_encoding,
        "content_language": meta.content_language,
        "content_length": _chunk_length(details),
        "content_range": details.content_range,
        "content_type": meta.content_type,
        "e_tag": info.e_tag,
        "expires_string": _rfc3339_from_http_date(meta.expires),
        "last_modified": format_rfc3339_millis(info.mtime_ns),
        "metadata": dict(details.user_metadata),
        "checksum_type": details.checksum_type.value if details.checksum_type is not None else None,
        "parts_count": details.parts_count,
        "server_side_encryption": details.encryption.algorithm,
        "ssekms_key_id": details.encryption.kms_key_id,
        "sse_customer_algorithm": details.encryption.customer_algorithm,
        "storage_class": info.storage_class,
        "tag_count": details.tag_count or None,
        "version_id": info.version_id,
        "website_redirect_location": meta.website_redirect_location,
    }
    for algorithm, name in _CHECKSUM_FIELDS.items():
        fields[name] = details.checksums.get(algorithm.value)
    return fields


def upload_metadata_of(request: PutRequest) -> UploadMetadata:
    """What the request would write, as the callback's upload_metadata."""
    return upload_metadata_of_attributes(ObjectAttributes(
        request.metadata, request.user_metadata, request.tagging,
        acl=request.acl, storage_class=request.storage_class, request_payer=request.request_payer,
    ))


def upload_metadata_of_attributes(request: ObjectAttributes) -> UploadMetadata:
    """What a write of these attributes (a put's, or a server-side copy's) would carry, as upload_metadata."""
    meta = request.metadata
    return UploadMetadata(
        acl=request.acl,
        cache_control=meta.cache_control,
        content_disposition=meta.content_disposition,
        content_encoding=meta.content_encoding,
        content_language=meta.content_language,
        content_type=meta.content_type,
        expires_string=_rfc3339_from_http_date(meta.expires),
        metadata=dict(request.user_metadata),
        request_payer=request.request_payer,
        storage_class=request.storage_class,
        website_redirect_location=meta.website_redirect_location,
        tagging=request.tagging,
    )


def apply_upload_metadata(request: PutRequest, upload: UploadMetadata) -> PutRequest:
    """`request` carrying `upload`'s attributes (None clears one).

    Raises:
        PreprocessError: an Expires that is not RFC 3339.
    """
    attributes = attributes_of(upload)
    return dataclasses.replace(
        request,
        metadata=attributes.metadata,
        user_metadata=dict(attributes.user_metadata),
        tagging=attributes.tagging,
        acl=attributes.acl,
        storage_class=attributes.storage_class,
        request_payer=attributes.request_payer,
    )


def attributes_of(upload: UploadMetadata) -> ObjectAttributes:
    """The attributes a write carries after the callback returned `upload` (None clears one).

    Raises:
        PreprocessError: an Expires that is not RFC 3339.
    """
    metadata = SystemMetadata(
        content_type=upload.content_type,
        content_encoding=upload.content_encoding,
        content_disposition=upload.content_disposition,
        content_language=upload.content_language,
        cache_control=upload.cache_control,
        expires=_http_date_from_rfc3339(upload.expires_string),
        website_redirect_location=upload.website_redirect_location,
    )
    return ObjectAttributes(
        metadata=metadata,
        user_metadata=dict(upload.metadata) if upload.metadata is not None else {},
        tagging=upload.tagging,
        acl=upload.acl,
        storage_class=upload.storage_class,
        request_payer=upload.request_payer,
    )


def validate_upload_metadata(upload: UploadMetadata) -> None:
    """Check what the callback returned: strings that headers can carry, and the values S3 enumerates as the
    reference's SDK parses them.

    Raises:
        PreprocessError: a value that is not a string (metadata: not a mapping of strings), a control character
            in a header value, a metadata name that is not a header token, an unknown ACL, storage class or
            request payer, or an Expires that is not RFC 3339.
    """
    for name in _STRING_FIELDS:
        _check_header_value(name, getattr(upload, name))
    _check_user_metadata(upload.metadata)
    _check_choice("acl", upload.acl, CANNED_ACLS)
    _check_choice("storage_class", upload.storage_class, STORAGE_CLASSES)
    _check_choice("request_payer", upload.request_payer, REQUEST_PAYERS)
    _http_date_from_rfc3339(upload.expires_string)


def _check_header_value(name: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise PreprocessError(f"preprocess callback error: invalid {name}: not a string but {type(value).__name__}")
    # Why here: the HTTP client would refuse the request with a ValueError deep in the data path, which the run
    # cannot tell from a bug; at this boundary it fails the one object like any other invalid value.
    bad = control_character_in(value)
    if bad is not None:
        raise PreprocessError(
            f"preprocess callback error: invalid {name}: control character {bad} is not allowed in a header value"
        )


def _check_user_metadata(metadata: object) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, Mapping):
        raise PreprocessError(
            f"preprocess callback error: invalid metadata: not a mapping but {type(metadata).__name__}"
        )
    for name, value in metadata.items():
        if not isinstance(name, str):
            raise PreprocessError(
                f"preprocess callback error: invalid metadata name {name!r}: not a string but {type(name).__name__}"
            )
        if not is_token(_USER_METADATA_PREFIX + name):
            raise PreprocessError(f"preprocess callback error: invalid metadata name {name!r}: not a header token")
        _check_header_value(f"metadata {name!r}", value)


def _check_choice(name: str, value: str | None, allowed: frozenset[str]) -> None:
    if value is not None and value not in allowed:
        raise PreprocessError(f"preprocess callback error: invalid {name} '{value}'")


def _chunk_length(details: ObjectDetails) -> int:
    content_range = details.content_range
    if content_range:
        first, _, last = content_range.removeprefix("bytes ").partition("/")[0].partition("-")
        if first.isdigit() and last.isdigit():
            return int(last) - int(first) + 1
    return details.info.size


def _rfc3339_from_http_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    millis = int(parsed.astimezone(UTC).timestamp() * 1000)
    return format_rfc3339_millis(millis * 1_000_000)


def _http_date_from_rfc3339(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        millis = parse_rfc3339_to_ms(value)
    except ValueError as exc:
        raise PreprocessError(f"preprocess callback error: invalid expires_string '{value}': {exc}") from exc
    return format_datetime(datetime.fromtimestamp(millis / 1000, UTC), usegmt=True)
