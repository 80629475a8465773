"""The callbacks port: user code the pipeline consults (filter), informs (events) and lets edit uploads (preprocess).

Contract (the Lua adapter and the library's Python callbacks implement the same one):
* `filter(obj)` runs in the listing stage for every source object that passed the built-in filters; False skips
  the object (counted as skipped). An exception is fatal for the run (exit 1).
* `on_event(event)` receives every pipeline event in the order the pipeline emits it; calls are serialised by
  the caller of the port. An exception is logged as a warning by the adapter and never changes the run.
* `preprocess(source, upload)` runs once per object written to an S3 target (not in dry-run), before the first
  write request; it returns (proceed, the upload metadata to use). An exception fails that object (exit 1).
* The `has_*` flags say which of the three are present, so the pipeline does no work for absent ones.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

# The value types a preprocess callback sees in the source object's description (HeadObject fields).
SourceField = str | int | bool | dict[str, str] | None


class EventType(enum.IntFlag):
    """Event bit flags, numbered as the reference numbers them (scripts compare these integers)."""

    UNDEFINED = 0
    PIPELINE_START = 1 << 1
    PIPELINE_END = 1 << 2
    SYNC_START = 1 << 3
    SYNC_COMPLETE = 1 << 4
    SYNC_DELETE = 1 << 5
    SYNC_ETAG_VERIFIED = 1 << 6
    SYNC_CHECKSUM_VERIFIED = 1 << 7
    SYNC_ETAG_MISMATCH = 1 << 8
    SYNC_CHECKSUM_MISMATCH = 1 << 9
    SYNC_WARNING = 1 << 10
    PIPELINE_ERROR = 1 << 11
    SYNC_CANCEL = 1 << 12
    SYNC_WRITE = 1 << 13
    SYNC_FILTERED = 1 << 14
    STATS_REPORT = 1 << 15


@dataclass(frozen=True, slots=True)
class SyncEvent:
    """One event; fields an event does not have are None (a delete marker has no ETag, for instance)."""

    event_type: EventType
    dry_run: bool = False
    key: str | None = None
    source_version_id: str | None = None
    target_version_id: str | None = None
    source_last_modified: str | None = None
    target_last_modified: str | None = None
    source_size: int | None = None
    target_size: int | None = None
    checksum_algorithm: str | None = None
    source_checksum: str | None = None
    target_checksum: str | None = None
    source_etag: str | None = None
    target_etag: str | None = None
    source_content_type: str | None = None
    source_user_defined_metadata: str | None = None
    source_tagging: str | None = None
    byte_written: int | None = None
    upload_id: str | None = None
    part_number: int | None = None
    message: str | None = None
    # STATS_REPORT only: stats_transferred_byte, stats_transferred_object_per_sec, ... (the reference's names).
    stats: Mapping[str, int | float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FilterObject:
    """What the filter callback sees of one source object.

    Attributes:
        key: the relative key.
        last_modified: RFC 3339 UTC text.
        e_tag: the listed ETag with its quotes, or None (a local file outside --check-etag, a delete marker).
        size: the size in bytes (an addition to the reference's fields; None for a delete marker).
    """

    key: str
    last_modified: str
    version_id: str | None = None
    e_tag: str | None = None
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    is_latest: bool = True
    is_delete_marker: bool = False
    size: int | None = None


@dataclass(frozen=True, slots=True)
class UploadMetadata:
    """The headers one upload will carry; a preprocess callback may replace any of them (None clears it)."""

    acl: str | None = None
    cache_control: str | None = None
    content_disposition: str | None = None
    content_encoding: str | None = None
    content_language: str | None = None
    content_type: str | None = None
    expires_string: str | None = None
    metadata: Mapping[str, str] | None = None
    request_payer: str | None = None
    storage_class: str | None = None
    website_redirect_location: str | None = None
    tagging: str | None = None


class SyncCallbacks:
    """No-op defaults; implementations override what they provide and set the matching `has_*` flag."""

    has_filter: bool = False
    has_event: bool = False
    has_preprocess: bool = False

    async def filter(self, obj: FilterObject) -> bool:
        """True keeps the object, False skips it."""
        return True

    async def on_event(self, event: SyncEvent) -> None:
        """Receive one event."""
        return

    async def preprocess(
        self, key: str, source: Mapping[str, SourceField], upload: UploadMetadata
    ) -> tuple[bool, UploadMetadata]:
        """Decide whether to write the object at the full target `key`, and with which metadata."""
        return True, upload

    async def aclose(self) -> None:
        """Release what the callbacks hold (Lua states)."""
        return
