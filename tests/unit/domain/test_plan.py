"""The per-object plan: one row of the truth table per case, and S3's part and size limits (sizes, not files)."""

from __future__ import annotations

import pytest
import regex

from s3syncpy.domain import etag
from s3syncpy.domain.decisions.listing import TargetEntry
from s3syncpy.domain.decisions.mode import UpdateMode, UpdateRule
from s3syncpy.domain.etag import GiB, MiB
from s3syncpy.domain.filters import FilterSettings, build_filter_chain
from s3syncpy.domain.model import NANOS_PER_SECOND, ObjectInfo
from s3syncpy.domain.plan import (
    MAXIMUM_OBJECT_SIZE,
    NEEDS_HEAD,
    TRANSFER,
    TRANSFER_DIRECTORY,
    ObjectPlan,
    ObjectTooLargeError,
    PlanRules,
    Skip,
    SkipReason,
    plan_after_head,
    plan_filters,
    plan_object,
    upload_layout,
)


def obj(key: str = "a.txt", size: int = 10, secs: int = 100) -> ObjectInfo:
    return ObjectInfo(key=key, size=size, mtime_ns=secs * NANOS_PER_SECOND)


def rules(*, exclude: str | None = None, head: bool = False, tree: bool = False) -> PlanRules:
    settings = FilterSettings(exclude_regex=regex.compile(exclude) if exclude else None)
    return PlanRules(
        filters=build_filter_chain(settings), mode=UpdateMode(UpdateRule.MTIME), head_required=head,
        target_stores_directories=tree,
    )


OLDER = TargetEntry(10, 50, None)
NEWER = TargetEntry(10, 200, None)


@pytest.mark.parametrize(
    ("source", "entry", "plan_rules", "listed", "expected"),
    [
        pytest.param(obj(""), None, rules(), True, Skip(SkipReason.NAMES_THE_PREFIX), id="key-names-the-prefix"),
        pytest.param(obj("x.tmp"), None, rules(exclude=r"\.tmp$"), True,
                     Skip(SkipReason.FILTERED, "filter-exclude-regex"), id="built-in-filter"),
        pytest.param(obj(), NEWER, rules(), True, Skip(SkipReason.UP_TO_DATE), id="listing-up-to-date"),
        pytest.param(obj(), NEWER, rules(), False, TRANSFER, id="target-not-listed"),
        pytest.param(obj(), OLDER, rules(), True, TRANSFER, id="listing-older"),
        pytest.param(obj("d/", size=3), None, rules(tree=True), True, Skip(SkipReason.INCOMPATIBLE_MARKER),
                     id="marker-with-bytes-on-tree"),
        pytest.param(obj("d/", size=3), None, rules(), True, TRANSFER, id="marker-with-bytes-on-bucket"),
        pytest.param(obj("../evil"), None, rules(tree=True), True, Skip(SkipReason.TRAVERSAL_KEY),
                     id="traversal-on-tree"),
        pytest.param(obj("d/", size=0), None, rules(tree=True), True, TRANSFER_DIRECTORY, id="marker-on-tree"),
        pytest.param(obj("d/", size=0), None, rules(tree=True, head=True), True, NEEDS_HEAD,
                     id="head-before-marker"),
        pytest.param(obj(), OLDER, rules(head=True), True, NEEDS_HEAD, id="layer-b-runs"),
    ],
)
def test_plan_object(
    source: ObjectInfo, entry: TargetEntry | None, plan_rules: PlanRules, listed: bool, expected: ObjectPlan
) -> None:
    assert plan_object(source, entry, plan_rules, listed_target=listed) == expected


def test_filters_come_before_the_listing_and_a_kept_object_has_no_filter_plan() -> None:
    assert plan_filters(obj("x.tmp"), rules(exclude="tmp")) == Skip(SkipReason.FILTERED, "filter-exclude-regex")
    assert plan_filters(obj("x.txt"), rules(exclude="tmp")) is None


def test_after_head_a_marker_on_a_tree_is_a_directory() -> None:
    assert plan_after_head(obj("d/", size=0), rules(tree=True)) == TRANSFER_DIRECTORY
    assert plan_after_head(obj("d/", size=0), rules()) == TRANSFER


def test_plans_are_frozen_values() -> None:
    with pytest.raises(AttributeError):
        TRANSFER.directory = True  # type: ignore[misc]


@pytest.mark.parametrize(
    ("size", "parts"),
    [
        pytest.param(8 * MiB - 1, 0, id="below-threshold-single-put"),
        pytest.param(8 * MiB, 1, id="threshold-is-multipart"),
        pytest.param(10_000 * 8 * MiB, 10_000, id="exactly-10000-parts"),
    ],
)
def test_upload_layout_within_the_limits_keeps_the_configured_chunksize(size: int, parts: int) -> None:
    layout = upload_layout(size, 8 * MiB, 8 * MiB)
    assert len(layout.part_sizes) == parts and layout.chunksize == 8 * MiB and not layout.raised
    assert sum(layout.part_sizes) == (size if parts else 0)


@pytest.mark.parametrize(
    "size", [10_000 * 8 * MiB + 1, 100 * GiB, 1024 * GiB, MAXIMUM_OBJECT_SIZE], ids=["one-byte-over", "100GiB",
                                                                                    "1TiB", "5TiB"]
)
def test_a_file_that_needs_more_than_10000_parts_gets_the_smallest_chunksize_that_fits(size: int) -> None:
    layout = upload_layout(size, 8 * MiB, 8 * MiB)
    assert layout.raised
    assert len(layout.part_sizes) <= etag.MAXIMUM_PARTS
    assert sum(layout.part_sizes) == size
    assert max(layout.part_sizes) == layout.chunksize <= etag.MAXIMUM_PART_SIZE
    # The smallest: one byte less per part would not fit.
    assert -(-size // (layout.chunksize - 1)) > etag.MAXIMUM_PARTS


def test_computed_etags_use_the_same_raised_layout_as_the_upload() -> None:
    size = 100 * GiB
    assert etag.part_sizes(size, 8 * MiB, 8 * MiB) == upload_layout(size, 8 * MiB, 8 * MiB).part_sizes
    assert etag.parts_count(size, 8 * MiB, 8 * MiB) == len(upload_layout(size, 8 * MiB, 8 * MiB).part_sizes)


def test_an_object_over_5_tib_is_refused_before_any_byte() -> None:
    with pytest.raises(ObjectTooLargeError, match="5 TiB"):
        upload_layout(MAXIMUM_OBJECT_SIZE + 1, 8 * MiB, 8 * MiB)
