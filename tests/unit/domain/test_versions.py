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
    pytest.param([v("c", 5, latest=True), v("b", 5), v("a", 5)], ["a", "b", "c"], id="same-second-listing-order"),
    pytest.param([v("c", 7, latest=True), v("m", 5, marker=True), v("a", 5)], ["a", "m", "c"],
                 id="same-second-marker-after-version"),
    pytest.param([v("c", 7, latest=True), v("a", 5), v("m", 5, marker=True)], ["m", "a", "c"],
                 id="same-second-version-after-marker"),
    pytest.param([v("b", 1, latest=True), v("a", 2)], ["a", "b"], id="listing-order-over-timestamps"),
    pytest.param([v("b", 1), v("a", 2)], ["a", "b"], id="listing-order-over-timestamps-no-latest"),
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
    pytest.param([v("c", 12, latest=True), v("m", 5, marker=True), v("a", 5)], None,
                 id="deleted-in-the-second-it-was-written"),
    pytest.param([v("c", 12, latest=True), v("a", 5), v("m", 5, marker=True)], "a",
                 id="written-in-the-second-it-was-deleted"),
    pytest.param([v("c", 12, latest=True), v("b", 5), v("m", 5, marker=True), v("a", 5)], "b",
                 id="recreated-in-the-second-it-was-deleted"),
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
    assert plan.rewrite_current is None


C, B, A = v("c", 3, latest=True), v("b", 2), v("a", 1)
MARKER = v("m", 4, latest=True, marker=True)


@pytest.mark.parametrize(("source", "selected", "target", "copies", "rewrite", "synced", "delete"), [
    pytest.param([C, B, A], None, [tv("c", latest=True), tv("b")], ["a"], "c", ["b"], False,
                 id="older-copied-late-current-rewritten"),
    pytest.param([C, B, A], [A], [tv("c", latest=True)], ["a"], "c", [], False,
                 id="current-filtered-out-still-rewritten-after-a-copy"),
    pytest.param([C, B, A], None, [tv("c", latest=True), tv("b"), tv("a")], [], None, ["a", "b", "c"], False,
                 id="current-already-current-nothing"),
    pytest.param([C, B, A], None, [tv("c"), tv("b"), tv("a", latest=True)], [], "c", ["a", "b"], False,
                 id="stale-target-current-repaired"),
    pytest.param([C, B, A], [B, A], [tv("c"), tv("b"), tv("a", latest=True)], [], None, ["a", "b"], False,
                 id="stale-target-current-left-when-current-filtered-out"),
    pytest.param([C, B, A], None, [tv("c"), tv(None, latest=True)], ["a", "b"], "c", [], False,
                 id="foreign-target-current-rewritten-after-copies"),
    pytest.param([C], None, [tv("c"), tv(None, latest=True)], [], None, ["c"], False,
                 id="foreign-target-current-alone-left"),
    pytest.param([C, B, A], None, [tv("c")], ["a", "b"], "c", [], False, id="target-deleted-copies-then-rewrite"),
    pytest.param([C], None, [tv("c")], [], None, ["c"], False, id="target-deleted-by-hand-not-restored"),
    pytest.param([MARKER, B, A], [B, A], [tv("b")], ["a"], None, ["b"], True,
                 id="current-marker-filtered-out-replayed-again-after-a-copy"),
    pytest.param([MARKER, B, A], [B, A], [tv("b", latest=True)], ["a"], None, ["b"], False,
                 id="current-marker-filtered-out-never-replayed-stays-out"),
    pytest.param([MARKER, B, A], [B, A], [], ["a", "b"], None, [], False,
                 id="current-marker-filtered-out-empty-target-stays-out"),
    pytest.param([C, B, A], [B, A], [], ["a", "b"], None, [], False,
                 id="current-version-filtered-out-never-copied-stays-out"),
    pytest.param([MARKER, B, A], [B, A], [tv("b", latest=True), tv("a")], [], None, ["a", "b"], False,
                 id="current-marker-filtered-out-nothing-copied-left"),
])
def test_the_targets_current_stays_the_sources(
    source: list[ObjectVersion], selected: list[ObjectVersion] | None, target: list[TargetVersion],
    copies: list[str], rewrite: str | None, synced: list[str], delete: bool,
) -> None:
    plan = plan_versioned_key(source, target, selected)
    found = plan.rewrite_current.version_id if plan.rewrite_current else None
    assert (ids(plan.copies), found, ids(plan.already_synced), plan.replay_delete) == (copies, rewrite, synced, delete)


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
