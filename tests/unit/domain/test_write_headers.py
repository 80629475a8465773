"""target_metadata: the header options applied to the source's metadata in the reference's order."""

from __future__ import annotations

import pytest

from s3syncpy.domain.model import SystemMetadata
from s3syncpy.domain.write_headers import (
    HeaderOptions,
    origin_last_modified,
    parse_canned_acl,
    parse_expires,
    parse_metadata,
    parse_storage_class,
    target_metadata,
)

SOURCE_SYSTEM = SystemMetadata(content_type="text/plain", cache_control="max-age=1", expires="Sun, 19 Feb 2023 12:00:00 GMT")
SOURCE_USER = {"a": "1", "b": "2"}
MTIME_NS = 1_752_647_879_987_654_321  # 2025-07-16T06:37:59.987...Z
STAMP = "2025-07-16T06:37:59+00:00"

# (id, options, origin version id, expected system, expected user)
ORDER_CASES = [
    ("nothing given: the source's metadata", HeaderOptions(), None, SOURCE_SYSTEM, SOURCE_USER),
    ("no-sync-system clears every system header", HeaderOptions(no_sync_system_metadata=True), None,
     SystemMetadata(), SOURCE_USER),
    ("no-sync-user clears user metadata", HeaderOptions(no_sync_user_defined_metadata=True), None,
     SOURCE_SYSTEM, {}),
    ("--metadata replaces, never merges", HeaderOptions(metadata={"c": "3"}), None, SOURCE_SYSTEM, {"c": "3"}),
    ("clear then --metadata: the given metadata", HeaderOptions(no_sync_user_defined_metadata=True,
                                                                 metadata={"c": "3"}), None,
     SOURCE_SYSTEM, {"c": "3"}),
    ("last-modified is added to the source's", HeaderOptions(put_last_modified_metadata=True), None,
     SOURCE_SYSTEM, {**SOURCE_USER, "s3sync_origin_last_modified": STAMP}),
    ("last-modified is added after --metadata", HeaderOptions(metadata={"c": "3"}, put_last_modified_metadata=True),
     None, SOURCE_SYSTEM, {"c": "3", "s3sync_origin_last_modified": STAMP}),
    ("last-modified survives the user clear", HeaderOptions(no_sync_user_defined_metadata=True,
                                                            put_last_modified_metadata=True), None,
     SOURCE_SYSTEM, {"s3sync_origin_last_modified": STAMP}),
    ("versioning adds both keys last", HeaderOptions(metadata={"c": "3"}), "v1", SOURCE_SYSTEM,
     {"c": "3", "s3sync_origin_version_id": "v1", "s3sync_origin_last_modified": STAMP}),
    ("--metadata cannot overwrite the versioning keys", HeaderOptions(metadata={"s3sync_origin_version_id": "x"}),
     "v1", SOURCE_SYSTEM, {"s3sync_origin_version_id": "v1", "s3sync_origin_last_modified": STAMP}),
    ("a given header replaces the source's", HeaderOptions(system=SystemMetadata(content_type="image/png")), None,
     SystemMetadata(content_type="image/png", cache_control="max-age=1", expires=SOURCE_SYSTEM.expires),
     SOURCE_USER),
    ("a given header is set after the system clear",
     HeaderOptions(no_sync_system_metadata=True, system=SystemMetadata(website_redirect_location="/x")), None,
     SystemMetadata(website_redirect_location="/x"), SOURCE_USER),
]


@pytest.mark.parametrize(("options", "version", "system", "user"), [c[1:] for c in ORDER_CASES],
                         ids=[c[0] for c in ORDER_CASES])
def test_application_order(options: HeaderOptions, version: str | None, system: SystemMetadata,
                           user: dict[str, str]) -> None:
    written = target_metadata(SOURCE_SYSTEM, SOURCE_USER, MTIME_NS, options, origin_version_id=version)
    assert written.system == system
    assert written.user == user


def test_storage_class_is_the_sources_unless_given() -> None:
    assert target_metadata(SOURCE_SYSTEM, {}, 0, HeaderOptions(), source_storage_class="GLACIER").storage_class == (
        "GLACIER"
    )
    given = HeaderOptions(storage_class="STANDARD_IA")
    assert target_metadata(SOURCE_SYSTEM, {}, 0, given, source_storage_class="GLACIER").storage_class == "STANDARD_IA"
    assert target_metadata(SOURCE_SYSTEM, {}, 0, HeaderOptions()).storage_class is None


def test_the_source_mapping_is_never_changed() -> None:
    source = dict(SOURCE_USER)
    target_metadata(SOURCE_SYSTEM, source, MTIME_NS, HeaderOptions(put_last_modified_metadata=True))
    assert source == SOURCE_USER


@pytest.mark.parametrize(("text", "parsed"), [
    ("key=value", {"key": "value"}),
    ("key=Va-lu_e.1", {"key": "Va-lu_e.1"}),
    ("key1=", {"key1": ""}),
    ("key1=value1,key2=value2,key3=value3", {"key1": "value1", "key2": "value2", "key3": "value3"}),
])
def test_metadata_parses(text: str, parsed: dict[str, str]) -> None:
    assert parse_metadata(text) == parsed


@pytest.mark.parametrize("text", ["key", "key=Va-lu_e.%1", "key,key2=value2", "key=value,key2",
                                  "key=value,key1=value,", "key=value,key1=value=3,", "key#1=value", "key1=value^", ""])
def test_metadata_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="invalid metadata"):
        parse_metadata(text)


def test_value_parsers() -> None:
    assert parse_expires("2023-02-19T12:00:00Z") == "Sun, 19 Feb 2023 12:00:00 GMT"
    assert parse_expires("2023-02-19T21:00:00+09:00") == "Sun, 19 Feb 2023 12:00:00 GMT"
    with pytest.raises(ValueError):
        parse_expires("tomorrow")
    assert parse_storage_class("GLACIER_IR") == "GLACIER_IR"
    with pytest.raises(ValueError, match="invalid storage class"):
        parse_storage_class("STANDARD2")
    assert parse_canned_acl("bucket-owner-full-control") == "bucket-owner-full-control"
    with pytest.raises(ValueError, match="invalid acl value"):
        parse_canned_acl("public")


def test_origin_last_modified_has_whole_seconds_and_an_offset() -> None:
    assert origin_last_modified(MTIME_NS) == STAMP
    assert origin_last_modified(0) == "1970-01-01T00:00:00+00:00"
