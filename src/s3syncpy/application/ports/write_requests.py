"""What a conditional write or a server-side copy asks of a storage (part of the ObjectStorage port).

WriteConditions go on PutRequest and CopyRequest; ObjectAttributes are what a written object carries; CopySource
names the object a server-side copy reads (ObjectStorage.copy_source), CopyRequest how it is written
(ObjectStorage.copy_object). See application/ports/storage.py for the contract.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.model import SystemMetadata


@dataclass(frozen=True, slots=True)
class WriteConditions:
    """The preconditions of one write (--if-match, --if-none-match, --copy-source-if-match).

    Attributes:
        if_match: send If-Match with this target ETag (PutObject, CompleteMultipartUpload, DeleteObject; never on
            CopyObject, as in the reference).
        if_none_match: send If-None-Match: * (PutObject, CopyObject, CompleteMultipartUpload).
        copy_source_if_match: send x-amz-copy-source-if-match with this source ETag (CopyObject, UploadPartCopy).
    """

    if_match: str | None = None
    if_none_match: bool = False
    copy_source_if_match: str | None = None


NO_CONDITIONS = WriteConditions()


@dataclass(frozen=True, slots=True)
class ObjectAttributes:
    """What a written object carries besides its bytes: system metadata, user metadata and tags.

    Attributes:
        metadata: the HTTP system metadata (Content-Type, Cache-Control, ...).
        user_metadata: user-defined metadata (keys without the x-amz-meta- prefix).
        tagging: the x-amz-tagging value (`k=v&k2=v2`, URL-encoded), or None for no tags.
        acl / storage_class / request_payer: set per object by a preprocess callback (None: the storage's
            options decide).
    """

    metadata: SystemMetadata = field(default_factory=SystemMetadata)
    user_metadata: Mapping[str, str] = field(default_factory=dict)
    tagging: str | None = None
    acl: str | None = None
    storage_class: str | None = None
    request_payer: str | None = None


class Directive(enum.Enum):
    """Where a server-side copy takes an attribute from (S3's MetadataDirective / TaggingDirective)."""

    COPY = "COPY"  # the storage copies the source object's own value
    REPLACE = "REPLACE"  # the request's value (ObjectAttributes) replaces it


@dataclass(frozen=True, slots=True)
class CopySource:
    """The object a server-side copy reads, as its storage names it (ObjectStorage.copy_source).

    Attributes:
        bucket: the source bucket.
        key: the full key in that bucket (the source prefix included).
        version_id: the version to copy, or None for the current one.
        customer_key: the source's SSE-C key, sent as the copy-source SSE-C headers.
    """

    bucket: str
    key: str
    version_id: str | None = None
    customer_key: CustomerKey | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class CopyRequest:
    """What a server-side copy writes and how.

    Attributes:
        size: the source object's size.
        part_sizes: [] for one CopyObject, else the UploadPartCopy ranges' sizes in order.
        attributes: what the target carries. A multipart copy always writes these; a single CopyObject writes
            them only where its directive is REPLACE.
        metadata_directive / tagging_directive: COPY lets a single CopyObject keep the source's own metadata /
            tags (no GetObjectTagging needed); REPLACE writes `attributes`.
        conditions: the preconditions (If-None-Match, x-amz-copy-source-if-match, If-Match on the complete).
        on_bytes: called with the bytes each copy request covered, for progress and statistics.
    """

    size: int
    part_sizes: list[int] = field(default_factory=list)
    attributes: ObjectAttributes = field(default_factory=ObjectAttributes)
    metadata_directive: Directive = Directive.COPY
    tagging_directive: Directive = Directive.COPY
    conditions: WriteConditions = NO_CONDITIONS
    on_bytes: Callable[[int], None] | None = None
