"""The version-selection rules of --enable-versioning and --point-in-time (domain/versions)."""

from __future__ import annotations

import pytest

from s3syncpy.domain.model import NANOS_PER_SECOND, ObjectInfo
from s3syncpy.domain.versions import (
    ORIGIN_LAST_MODIFIED_KEY,
    ORIGIN_VERSION_ID_KEY,
    ObjectVersion,
    TargetVersion,
    in_history_order,
    plan_versioned_key,
    version_at,
    versions_to_copy,
    with_origin_metadata,
)

S = NANOS_PER_SECOND


def v(version_id: str, second: int, *, latest: bool = False, marker: bool = False) -> ObjectVersion:
    info = ObjectInfo(key="k", size=0 if marker else 1, mtime_ns=second * S, version_id=version_id)
    return ObjectVersion(info=info, is_latest=latest, delete_marker=marker)


def ids(entries: list[ObjectVersion]) -> list[str | None]:
    return [entry.version_id for entry in entries]


# Entries in listing order: S3 lists a key's versions newest first.
@pytest.mark.parametrize(("listed", "expected"), [
    pytest.param([v("c", 3, latest=True), v("b", 2), v("a", 1)], ["a", "b", "c"], id="newest-first-reversed"),
    pytest.param([v("b", 2), v("c", 3, latest=True), v("a", 1)], ["a", "b", "c"], id="any-order-sorted"),
    pytest.param([v("c", 5, latest=True), v("b", 5), v("a", 5)], ["a", "b", "c"], id="same-second-listing-order"),
    pytest.param([v("z", 1, latest=True), v("y", 9)], ["y", "z"], id="latest-forced-last"),
])
def test_history_order(listed: list[ObjectVersion], expected: list[str]) -> None:
    assert ids(in_history_order(listed)) == expected


@pytest.mark.parametrize(("listed", "expected"), [
    pytest.param([v("b", 2, latest=True), v("a", 1)], ["a", "b"], id="versions-only"),
    pytest.param([v("m", 3, latest=True, marker=True), v("a", 1)], ["a", "m"], id="latest-marker-kept"),
    pytest.param([v("b", 3, latest=True), v("m", 2, marker=True), v("a", 1)], ["a", "b"],
                 id="intermediate-marker-dropped"),
    pytest.param([v("m", 1, latest=True, marker=True)], ["m"], id="only-a-marker"),
])
def test_versions_to_copy(listed: list[ObjectVersion], expected: list[str]) -> None:
    assert ids(versions_to_copy(listed)) == expected


T = 10


@pytest.mark.parametrize(("listed", "expected"), [
    pytest.param([v("b", 12, latest=True), v("a", 5)], "a", id="newest-before-t"),
    pytest.param([v("b", T, latest=True), v("a", 5)], "b", id="boundary-equal-to-t-included"),
    pytest.param([v("b", T + 1, latest=True), v("a", T)], "a", id="one-second-after-t-excluded"),
    pytest.param([v("a", 11, latest=True)], None, id="created-after-t"),
    pytest.param([v("m", 8, marker=True), v("a", 5)], None, id="deleted-at-t"),
    pytest.param([v("b", 9, latest=True), v("m", 8, marker=True), v("a", 5)], "b", id="recreated-before-t"),
    pytest.param([v("m", 12, latest=True, marker=True), v("a", 5)], "a", id="deleted-after-t"),
    pytest.param([], None, id="nothing"),
])
def test_version_at(listed: list[ObjectVersion], expected: str | None) -> None:
    found = version_at(listed, T * S)
    assert (found.version_id if found else None) == expected


def tv(origin: str | None, latest: bool = False) -> TargetVersion:
    return TargetVersion(is_latest=latest, origin_version_id=origin)


@pytest.mark.parametrize(("source", "target", "copies", "synced", "delete"), [
    pytest.param([v("b", 2, latest=True), v("a", 1)], [], ["a", "b"], [], False, id="new-key-all-copied"),
    pytest.param([v("b", 2, latest=True), v("a", 1)], [tv("a", latest=True)], ["b"], ["a"], False,
                 id="only-missing-copied"),
    pytest.param([v("b", 2, latest=True), v("a", 1)], [tv("b", latest=True), tv("a")], [], ["a", "b"], False,
                 id="rerun-copies-nothing"),
    pytest.param([v("b", 2, latest=True), v("a", 1)], [tv(None, latest=True)], ["a", "b"], [], False,
                 id="foreign-target-versions-ignored"),
    pytest.param([v("m", 2, latest=True, marker=True), v("a", 1)], [], ["a"], [], True,
                 id="marker-replayed-after-copies"),
    pytest.param([v("m", 2, latest=True, marker=True), v("a", 1)], [tv("a", latest=True)], [], ["a"], True,
                 id="marker-replayed-target-still-current"),
    pytest.param([v("m", 2, latest=True, marker=True), v("a", 1)], [tv("a")], [], ["a"], False,
                 id="marker-not-replayed-target-already-deleted"),
    pytest.param([v("m", 2, latest=True, marker=True)], [], [], [], False, id="marker-only-nothing-there"),
])
def test_plan_versioned_key(source: list[ObjectVersion], target: list[TargetVersion], copies: list[str],
                            synced: list[str], delete: bool) -> None:
    plan = plan_versioned_key(source, target)
    assert (ids(plan.copies), ids(plan.already_synced), plan.replay_delete) == (copies, synced, delete)


def test_origin_metadata_is_added_last_and_only_for_versions() -> None:
    versioned = ObjectInfo(key="k", size=1, mtime_ns=1_752_647_879 * S + 123_000_000, version_id="v1")
    metadata = with_origin_metadata({"owner": "me", ORIGIN_VERSION_ID_KEY: "old"}, versioned)
    assert metadata == {
        "owner": "me",
        ORIGIN_VERSION_ID_KEY: "v1",
        ORIGIN_LAST_MODIFIED_KEY: "2025-07-16T06:37:59+00:00",
    }
    plain = ObjectInfo(key="k", size=1, mtime_ns=0)
    assert with_origin_metadata({"a": "b"}, plain) == {"a": "b"}
