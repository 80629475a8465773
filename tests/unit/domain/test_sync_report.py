"""Report mode's pure rules: statuses per update-check reason, counters, the records' fields and order."""

from __future__ import annotations

import pytest

from s3syncpy.domain.decisions.head import HeadDecision, HeadReason
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo, SystemMetadata
from s3syncpy.domain.sync_report import (
    ContentComparison,
    ReportSummary,
    ReportType,
    SyncStatus,
    checksum_record,
    etag_record,
    existence_record,
    metadata_records,
    status_of,
    tagging_record,
)

SEC = 1_000_000_000
SOURCE = ObjectInfo(key="dir/k", size=10, mtime_ns=1_750_000_000 * SEC + 843_000_000, e_tag='"aa"', version_id="v1")
TARGET = ObjectDetails(info=ObjectInfo(key="dir/k", size=11, mtime_ns=1_750_000_100 * SEC, e_tag='"bb"'))


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (HeadReason.ETAGS_SAME, SyncStatus.MATCHES),
        (HeadReason.ETAGS_DIFFER, SyncStatus.MISMATCH),
        (HeadReason.ETAGS_SAME_SIZES_DIFFER, SyncStatus.MISMATCH),
        (HeadReason.ETAG_MISSING, SyncStatus.UNKNOWN),
        (HeadReason.TARGET_SSE_UNSUPPORTED, SyncStatus.UNKNOWN),
        (HeadReason.SOURCE_SSE_UNSUPPORTED, SyncStatus.UNKNOWN),
        (HeadReason.CHECKSUMS_SAME, SyncStatus.MATCHES),
        (HeadReason.CHECKSUMS_SAME_SIZES_DIFFER, SyncStatus.MATCHES),
        (HeadReason.CHECKSUMS_DIFFER, SyncStatus.MISMATCH),
        (HeadReason.CHECKSUM_MISSING, SyncStatus.UNKNOWN),
        (HeadReason.TARGET_CHECKSUM_MISSING, SyncStatus.UNKNOWN),
        (HeadReason.SOURCE_CHECKSUM_MISSING, SyncStatus.UNKNOWN),
    ],
    ids=lambda value: value.name,
)
def test_status_of_each_detector_reason(reason: HeadReason, status: SyncStatus) -> None:
    assert status_of(HeadDecision(False, reason)) is status


@pytest.mark.parametrize("reason", [HeadReason.SOURCE_NEWER, HeadReason.SIZES_SAME, HeadReason.TARGET_MISSING])
def test_other_detectors_report_nothing(reason: HeadReason) -> None:
    with pytest.raises(ValueError, match=reason.name):
        status_of(HeadDecision(True, reason))


@pytest.mark.parametrize(
    ("check_size", "algorithm", "expected"),
    [
        (False, None, ContentComparison.ETAG),
        (False, ChecksumAlgorithm.CRC32, ContentComparison.CHECKSUM),
        (True, None, ContentComparison.NONE),
    ],
    ids=["default-etag", "checksum", "size-writes-no-record"],
)
def test_content_comparison_follows_the_check_options(check_size: bool, algorithm: ChecksumAlgorithm | None,
                                                       expected: ContentComparison) -> None:
    assert ContentComparison.for_options(check_size=check_size, check_additional_checksum=algorithm) is expected


def test_summary_counts_and_differences() -> None:
    summary = ReportSummary(number_of_objects=3)
    summary.count(ReportType.ETAG, SyncStatus.MATCHES)
    summary.count(ReportType.CHECKSUM, SyncStatus.UNKNOWN)
    summary.count(ReportType.EXISTENCE, SyncStatus.NOT_FOUND)
    summary.count(ReportType.TAGGING, SyncStatus.MISMATCH)

    assert summary.record_fields() == {
        "name": "REPORT_SUMMARY", "number_of_objects": 3, "etag_matches": 1, "checksum_matches": 0,
        "metadata_matches": 0, "tagging_matches": 0, "not_found": 1, "etag_mismatch": 0, "checksum_mismatch": 0,
        "metadata_mismatch": 0, "tagging_mismatch": 1, "etag_unknown": 0, "checksum_unknown": 1,
    }
    assert summary.has_differences
    assert not ReportSummary(number_of_objects=5, etag_matches=4, metadata_matches=5).has_differences


def test_existence_record_keeps_quotes_and_prints_the_sdk_time() -> None:
    record = existence_record(SOURCE)

    assert (record.kind, record.status, record.message) == (ReportType.EXISTENCE, SyncStatus.NOT_FOUND, "")
    assert list(record.fields.items()) == [
        ("name", "SYNC_STATUS"), ("type", "EXISTENCE"), ("status", "NOT_FOUND"), ("key", "dir/k"),
        ("source_version_id", "v1"), ("source_e_tag", '"aa"'), ("source_last_modified", "2025-06-15T15:06:40.843Z"),
        ("source_size", 10),
    ]


def test_etag_record_fields_in_order() -> None:
    record = etag_record(SOURCE, TARGET, HeadDecision(True, HeadReason.ETAGS_DIFFER), both_s3=True)

    assert list(record.fields.items()) == [
        ("name", "SYNC_STATUS"), ("type", "ETAG"), ("status", "MISMATCH"), ("key", "dir/k"),
        ("source_version_id", "v1"), ("target_version_id", ""), ("source_e_tag", "aa"), ("target_e_tag", "bb"),
        ("source_last_modified", "2025-06-15T15:06:40.843+00:00"),
        ("target_last_modified", "2025-06-15T15:08:20+00:00"), ("source_size", 10), ("target_size", 11),
    ]
    assert record.message == ""


@pytest.mark.parametrize(
    ("reason", "both_s3", "message"),
    [
        (HeadReason.TARGET_SSE_UNSUPPORTED, True, "Object filtered. Only ServerSideEncryption::Aes256 is supported."),
        (HeadReason.TARGET_SSE_UNSUPPORTED, False, "Unknown. Only ServerSideEncryption::Aes256 is supported."),
        (HeadReason.SOURCE_SSE_UNSUPPORTED, True, "Unknown. Only ServerSideEncryption::Aes256 is supported."),
    ],
)
def test_etag_unknown_messages(reason: HeadReason, both_s3: bool, message: str) -> None:
    record = etag_record(SOURCE, TARGET, HeadDecision(False, reason, warning=True), both_s3=both_s3)

    assert (record.status, record.message) == (SyncStatus.UNKNOWN, message)


def test_checksum_record_carries_the_source_size() -> None:
    record = checksum_record(SOURCE, TARGET, HeadDecision(False, HeadReason.CHECKSUMS_SAME), ChecksumAlgorithm.CRC32,
                             "AAAAAA==", "AAAAAA==")

    assert list(record.fields)[:7] == ["name", "type", "status", "key", "checksum_algorithm", "source_checksum",
                                       "target_checksum"]
    assert (record.fields["status"], record.fields["source_size"]) == ("MATCHES", 10)  # DECISIONS.md #6


def test_checksum_missing_is_unknown_with_empty_values() -> None:
    record = checksum_record(SOURCE, TARGET, HeadDecision(False, HeadReason.SOURCE_CHECKSUM_MISSING, warning=True),
                             ChecksumAlgorithm.SHA256, None, "x")

    assert (record.status, record.message) == (SyncStatus.UNKNOWN, "Unknown. Source checksum not found.")
    assert (record.fields["source_checksum"], record.fields["target_checksum"]) == ("", "x")


def _details(metadata: SystemMetadata, user: dict[str, str]) -> ObjectDetails:
    return ObjectDetails(info=ObjectInfo(key="k", size=1, mtime_ns=0), metadata=metadata, user_metadata=user)


def test_metadata_records_ignore_s3sync_origin_keys_and_compare_absent_headers() -> None:
    source = _details(SystemMetadata(content_type="text/plain", expires="Thu, 01 Jan 2099 00:00:00 GMT"),
                      {"b": "2 3", "a": "1", "s3sync_origin_last_modified": "x"})
    target = _details(SystemMetadata(content_type="text/plain"), {"a": "1", "b": "2 3", "s3sync_origin_version_id": "y"})

    records, overall = metadata_records(source, target)

    assert [(r.fields["metadata_name"], r.status.value) for r in records] == [
        ("Content-Disposition", "MATCHES"), ("Content-Encoding", "MATCHES"), ("Content-Language", "MATCHES"),
        ("Content-Type", "MATCHES"), ("Cache-Control", "MATCHES"), ("Expires", "MISMATCH"),
        ("x-amz-website-redirect-location", "MATCHES"), ("x-amz-meta-", "MATCHES"),
    ]
    assert overall is SyncStatus.MISMATCH
    assert list(records[6].fields)[-2:] == ["source_website_redirect", "target_website_redirect"]
    assert (records[7].fields["source_metadata"], records[7].fields["target_metadata"]) == ("a=1,b=2%203", "a=1,b=2%203")
    assert (records[5].fields["source_expires"], records[5].fields["target_expires"]) == (
        "Thu, 01 Jan 2099 00:00:00 GMT", "")


def test_tagging_record_compares_sorted_encoded_tags() -> None:
    same = tagging_record("k", None, {"b": "x y", "a": "1"}, {"a": "1", "b": "x y"})
    differ = tagging_record("k", "v9", {"a": "1"}, {})

    assert (same.status, same.fields["source_tagging"]) == (SyncStatus.MATCHES, "a=1&b=x%20y")
    assert list(differ.fields.items()) == [
        ("name", "TAGGING_SYNC_STATUS"), ("type", "TAGGING"), ("status", "MISMATCH"), ("key", "k"),
        ("source_version_id", "v9"), ("target_version_id", ""), ("source_tagging", "a=1"), ("target_tagging", ""),
    ]

