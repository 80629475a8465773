"""Report mode's rules (--report-sync-status): how one object's copy is judged, and the records that say so.

Nothing is transferred in report mode. Per object the reference logs INFO records whose fields are the report:

    name                   type        status                          when
    SYNC_STATUS            EXISTENCE   NOT_FOUND                       the target has no such object (or, on a
                                                                       local target, the key climbs out of it)
    SYNC_STATUS            ETAG        MATCHES / MISMATCH / UNKNOWN    ETag comparison (the default)
    SYNC_STATUS            CHECKSUM    MATCHES / MISMATCH / UNKNOWN    --check-additional-checksum ALG
    METADATA_SYNC_STATUS   METADATA    MATCHES / MISMATCH              --report-metadata-sync-status, one record
                                                                       per system header and one for user metadata
    TAGGING_SYNC_STATUS    TAGGING     MATCHES / MISMATCH              --report-tagging-sync-status

and one REPORT_SUMMARY record with the counters at the end. A directory marker ("x/") reported against a local
target has no bytes to compare: it is NOT_FOUND when the directory is missing and writes no record otherwise. Any NOT_FOUND, MISMATCH or UNKNOWN makes the run exit
3. UNKNOWN means the comparison could not be made (an ETag of an SSE-KMS object, a checksum absent on a side).

Field names and their order are the reference's, so `jq` pipelines written for it keep working. One deliberate
difference (README, Differences 6): in the S3-to-S3 CHECKSUM MATCHES record the reference puts the source version id in
`source_size`; here `source_size` is always the size.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields

from s3syncpy.domain.decisions.head import HeadDecision, HeadReason
from s3syncpy.domain.etag import normalize_etag
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo
from s3syncpy.domain.tagging import format_metadata, format_tags
from s3syncpy.domain.timeparse import format_rfc3339_micros_z, format_rfc3339_millis

SYNC_STATUS_RECORD = "SYNC_STATUS"
METADATA_SYNC_STATUS_RECORD = "METADATA_SYNC_STATUS"
TAGGING_SYNC_STATUS_RECORD = "TAGGING_SYNC_STATUS"
REPORT_SUMMARY_RECORD = "REPORT_SUMMARY"

# User metadata s3sync itself writes; it differs from the source by design, so the comparison ignores it.
ORIGIN_METADATA_KEYS: frozenset[str] = frozenset({"s3sync_origin_version_id", "s3sync_origin_last_modified"})

FieldValue = str | int
Fields = dict[str, FieldValue]


class SyncStatus(enum.StrEnum):
    """One comparison's outcome, as the record's `status` field says it."""

    MATCHES = "MATCHES"
    MISMATCH = "MISMATCH"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN = "UNKNOWN"


class ReportType(enum.StrEnum):
    """What a record compares (its `type` field)."""

    EXISTENCE = "EXISTENCE"
    ETAG = "ETAG"
    CHECKSUM = "CHECKSUM"
    METADATA = "METADATA"
    TAGGING = "TAGGING"


class ContentComparison(enum.Enum):
    """Which comparison of the bytes a report run makes, from the update-check options given.

    The reference forces --check-etag in report mode unless --check-additional-checksum is given, then picks its
    diff detector in its usual order: --check-size first (a size check writes no record at all), then ETag (also
    for --check-mtime-and-etag and --check-mtime-and-additional-checksum), then the checksum.
    """

    NONE = "none"
    ETAG = "etag"
    CHECKSUM = "checksum"

    @classmethod
    def for_options(cls, *, check_size: bool, check_additional_checksum: ChecksumAlgorithm | None) -> ContentComparison:
        """The comparison of a report run with these update-check options."""
        if check_size:
            return cls.NONE
        if check_additional_checksum is not None:
            return cls.CHECKSUM
        return cls.ETAG


@dataclass(slots=True)
class ReportSummary:
    """The REPORT_SUMMARY counters (field order is the record's)."""

    number_of_objects: int = 0
    etag_matches: int = 0
    checksum_matches: int = 0
    metadata_matches: int = 0
    tagging_matches: int = 0
    not_found: int = 0
    etag_mismatch: int = 0
    checksum_mismatch: int = 0
    metadata_mismatch: int = 0
    tagging_mismatch: int = 0
    etag_unknown: int = 0
    checksum_unknown: int = 0

    def count(self, kind: ReportType, status: SyncStatus) -> None:
        """Count one record's outcome (EXISTENCE counts only NOT_FOUND; there is no metadata/tagging UNKNOWN)."""
        if status is SyncStatus.NOT_FOUND:
            self.not_found += 1
            return
        suffix = {SyncStatus.MATCHES: "matches", SyncStatus.MISMATCH: "mismatch", SyncStatus.UNKNOWN: "unknown"}
        name = f"{kind.value.lower()}_{suffix[status]}"
        setattr(self, name, getattr(self, name) + 1)

    def absorb(self, other: ReportSummary) -> None:
        """Add another part's counters (a shard of a sharded report run)."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def has_differences(self) -> bool:
        """Something is missing, differs or could not be compared: the run exits 3."""
        return (
            self.not_found
            + self.etag_mismatch
            + self.checksum_mismatch
            + self.metadata_mismatch
            + self.tagging_mismatch
            + self.etag_unknown
            + self.checksum_unknown
        ) > 0

    def record_fields(self) -> Fields:
        """The REPORT_SUMMARY record's fields."""
        values: Fields = {"name": REPORT_SUMMARY_RECORD}
        values.update({f.name: getattr(self, f.name) for f in fields(self)})
        return values


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """One report record: its fields in the reference's order, and the message the reference gives it (often none).

    Attributes:
        kind: what it compares.
        status: the outcome.
        fields: the record's fields, starting with `name`, `type`.
        message: the log message ("" for none).
    """

    kind: ReportType
    status: SyncStatus
    fields: Fields
    message: str = ""


# How a layer-B decision of the update check reads in a report. Reasons not listed cannot come from the ETag or
# checksum detectors.
_STATUS_BY_REASON: dict[HeadReason, SyncStatus] = {
    HeadReason.ETAGS_SAME: SyncStatus.MATCHES,
    HeadReason.ETAGS_DIFFER: SyncStatus.MISMATCH,
    # Equal ETags over different sizes are not the same object (README, Differences 6; the reference panics).
    HeadReason.ETAGS_SAME_SIZES_DIFFER: SyncStatus.MISMATCH,
    HeadReason.ETAG_MISSING: SyncStatus.UNKNOWN,
    HeadReason.TARGET_SSE_UNSUPPORTED: SyncStatus.UNKNOWN,
    HeadReason.SOURCE_SSE_UNSUPPORTED: SyncStatus.UNKNOWN,
    HeadReason.CHECKSUMS_SAME: SyncStatus.MATCHES,
    # The reference reports equal checksums as MATCHES and warns about the sizes separately.
    HeadReason.CHECKSUMS_SAME_SIZES_DIFFER: SyncStatus.MATCHES,
    HeadReason.CHECKSUMS_DIFFER: SyncStatus.MISMATCH,
    HeadReason.CHECKSUM_MISSING: SyncStatus.UNKNOWN,
    HeadReason.TARGET_CHECKSUM_MISSING: SyncStatus.UNKNOWN,
    HeadReason.SOURCE_CHECKSUM_MISSING: SyncStatus.UNKNOWN,
}

_SSE_UNKNOWN = "Unknown. Only ServerSideEncryption::Aes256 is supported."
_UNKNOWN_MESSAGES: dict[HeadReason, str] = {
    HeadReason.ETAG_MISSING: "Unknown. ETag is missing on one side.",
    HeadReason.SOURCE_SSE_UNSUPPORTED: _SSE_UNKNOWN,
    HeadReason.CHECKSUM_MISSING: "Unknown. Checksum not found.",
    HeadReason.TARGET_CHECKSUM_MISSING: "Unknown. Target checksum not found.",
    HeadReason.SOURCE_CHECKSUM_MISSING: "Unknown. Source checksum not found.",
}


def status_of(decision: HeadDecision) -> SyncStatus:
    """The report status of an ETag or checksum decision of the update check.

    Raises:
        ValueError: the decision comes from another detector (size, mtime), which reports nothing.
    """
    try:
        return _STATUS_BY_REASON[decision.reason]
    except KeyError:
        raise ValueError(f"no report status for {decision.reason.name}") from None


def _unknown_message(reason: HeadReason, *, both_s3: bool) -> str:
    if reason is HeadReason.TARGET_SSE_UNSUPPORTED:
        # S3 to S3, the reference repeats its filter message in the record; from a local source it says "Unknown".
        return reason.value if both_s3 else _SSE_UNKNOWN
    return _UNKNOWN_MESSAGES.get(reason, "")


def existence_record(source: ObjectInfo) -> ReportRecord:
    """The NOT_FOUND record of a source object without a copy on the target.

    The source ETag keeps its quotes here and the time is printed as the SDK prints a timestamp, as the reference
    does in this one record.
    """
    return ReportRecord(
        ReportType.EXISTENCE,
        SyncStatus.NOT_FOUND,
        {
            "name": SYNC_STATUS_RECORD,
            "type": ReportType.EXISTENCE.value,
            "status": SyncStatus.NOT_FOUND.value,
            "key": source.key,
            "source_version_id": source.version_id or "",
            "source_e_tag": source.e_tag or "",
            "source_last_modified": format_rfc3339_micros_z(source.mtime_ns),
            "source_size": source.size,
        },
    )


def etag_record(
    source: ObjectInfo, target: ObjectDetails, decision: HeadDecision, *, both_s3: bool
) -> ReportRecord:
    """The ETAG record of one object present on both sides.

    Args:
        source: the source object, its `e_tag` computed when the source is a local file.
        target: the target's HEAD (its `info.e_tag` computed for a local file).
        decision: the update check's ETag decision for the pair.
        both_s3: source and target are both S3 (one UNKNOWN message differs then).
    """
    status = status_of(decision)
    message = _unknown_message(decision.reason, both_s3=both_s3) if status is SyncStatus.UNKNOWN else ""
    return ReportRecord(
        ReportType.ETAG,
        status,
        {
            "name": SYNC_STATUS_RECORD,
            "type": ReportType.ETAG.value,
            "status": status.value,
            "key": source.key,
            "source_version_id": source.version_id or "",
            "target_version_id": target.info.version_id or "",
            "source_e_tag": normalize_etag(source.e_tag) or "",
            "target_e_tag": normalize_etag(target.info.e_tag) or "",
            **_times_and_sizes(source, target),
        },
        message,
    )


def checksum_record(
    source: ObjectInfo,
    target: ObjectDetails,
    decision: HeadDecision,
    algorithm: ChecksumAlgorithm,
    source_checksum: str | None,
    target_checksum: str | None,
) -> ReportRecord:
    """The CHECKSUM record of one object present on both sides (a local side's value computed over the file)."""
    status = status_of(decision)
    message = _unknown_message(decision.reason, both_s3=True) if status is SyncStatus.UNKNOWN else ""
    return ReportRecord(
        ReportType.CHECKSUM,
        status,
        {
            "name": SYNC_STATUS_RECORD,
            "type": ReportType.CHECKSUM.value,
            "status": status.value,
            "key": source.key,
            "checksum_algorithm": algorithm.value,
            "source_checksum": source_checksum or "",
            "target_checksum": target_checksum or "",
            "source_version_id": source.version_id or "",
            "target_version_id": target.info.version_id or "",
            **_times_and_sizes(source, target),
        },
        message,
    )


def _times_and_sizes(source: ObjectInfo, target: ObjectDetails) -> Fields:
    return {
        "source_last_modified": format_rfc3339_millis(source.mtime_ns),
        "target_last_modified": format_rfc3339_millis(target.info.mtime_ns),
        "source_size": source.size,
        "target_size": target.info.size,
    }


# (metadata_name, field suffix, how to read the value) in the reference's order.
_SYSTEM_HEADERS: tuple[tuple[str, str, str], ...] = (
    ("Content-Disposition", "content_disposition", "content_disposition"),
    ("Content-Encoding", "content_encoding", "content_encoding"),
    ("Content-Language", "content_language", "content_language"),
    ("Content-Type", "content_type", "content_type"),
    ("Cache-Control", "cache_control", "cache_control"),
    ("Expires", "expires", "expires"),
    ("x-amz-website-redirect-location", "website_redirect", "website_redirect_location"),
)
USER_METADATA_NAME = "x-amz-meta-"


def _user_metadata(details: ObjectDetails) -> dict[str, str]:
    return {k: v for k, v in details.user_metadata.items() if k not in ORIGIN_METADATA_KEYS}


def metadata_records(source: ObjectDetails, target: ObjectDetails) -> tuple[list[ReportRecord], SyncStatus]:
    """The METADATA records of one object: one per system header, then one for the user metadata.

    User metadata is compared without the keys s3sync writes itself (s3sync_origin_version_id,
    s3sync_origin_last_modified). An absent header equals an absent header only.

    Returns:
        The records, and the object's overall status (MISMATCH when any record mismatches).
    """
    records: list[ReportRecord] = []
    comparisons: list[tuple[str, str, str | None, str | None, bool]] = []
    for name, suffix, attribute in _SYSTEM_HEADERS:
        left, right = getattr(source.metadata, attribute), getattr(target.metadata, attribute)
        comparisons.append((name, suffix, left, right, left == right))
    source_user, target_user = _user_metadata(source), _user_metadata(target)
    comparisons.append(
        (USER_METADATA_NAME, "metadata", format_metadata(source_user), format_metadata(target_user),
         source_user == target_user)
    )
    for name, suffix, left, right, same in comparisons:
        status = SyncStatus.MATCHES if same else SyncStatus.MISMATCH
        records.append(
            ReportRecord(
                ReportType.METADATA,
                status,
                {
                    "name": METADATA_SYNC_STATUS_RECORD,
                    "type": ReportType.METADATA.value,
                    "metadata_name": name,
                    "status": status.value,
                    "key": source.info.key,
                    "source_version_id": source.info.version_id or "",
                    "target_version_id": target.info.version_id or "",
                    f"source_{suffix}": left or "",
                    f"target_{suffix}": right or "",
                },
            )
        )
    overall = SyncStatus.MISMATCH if any(r.status is SyncStatus.MISMATCH for r in records) else SyncStatus.MATCHES
    return records, overall


def tagging_record(
    key: str, source_version_id: str | None, source_tags: Mapping[str, str], target_tags: Mapping[str, str]
) -> ReportRecord:
    """The TAGGING record: the tag sets compared as the tag filters serialise them (sorted, URL-encoded).

    The reference never fills `target_version_id` here; it stays "".
    """
    source_text, target_text = format_tags(source_tags), format_tags(target_tags)
    status = SyncStatus.MATCHES if source_text == target_text else SyncStatus.MISMATCH
    return ReportRecord(
        ReportType.TAGGING,
        status,
        {
            "name": TAGGING_SYNC_STATUS_RECORD,
            "type": ReportType.TAGGING.value,
            "status": status.value,
            "key": key,
            "source_version_id": source_version_id or "",
            "target_version_id": "",
            "source_tagging": source_text,
            "target_tagging": target_text,
        },
    )
