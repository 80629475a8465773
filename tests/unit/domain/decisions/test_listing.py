"""Layer A of the update check: one row per truth-table row of domain/decisions/listing.py."""

from __future__ import annotations

import pytest

from s3syncpy.domain.decisions.listing import TargetEntry, listing_says_modified
from s3syncpy.domain.decisions.mode import UpdateMode, UpdateRule
from s3syncpy.domain.model import ObjectInfo
from tests.unit.domain.decisions.values import (
    CHECKSUM,
    E1,
    E2,
    ETAG,
    MT_CHECKSUM,
    MT_ETAG,
    MTIME,
    SEC,
    SIZE,
    entry,
    src,
)

# ---------------------------------------------------------------- layer A


@pytest.mark.parametrize(
    ("rule", "source", "target", "modified"),
    [
        pytest.param(MTIME, src(), None, True, id="mtime-target-absent"),
        pytest.param(MTIME, src(secs=101), entry(secs=100), True, id="mtime-source-newer"),
        pytest.param(MTIME, src(secs=100), entry(secs=100), False, id="mtime-equal-seconds"),
        pytest.param(MTIME, src(secs=100.999), entry(secs=100), False, id="mtime-sub-second-newer-ignored"),
        pytest.param(MTIME, src(secs=99), entry(secs=100), False, id="mtime-source-older"),
        pytest.param(MTIME, src(size=1, secs=100), entry(size=2, secs=100), False, id="mtime-ignores-size"),
        pytest.param(SIZE, src(), None, True, id="size-target-absent"),
        pytest.param(SIZE, src(size=10), entry(size=11), True, id="size-differs"),
        pytest.param(
            SIZE, src(size=10, secs=200), entry(size=10, secs=100), False, id="size-equal-newer-ignored"
        ),
        pytest.param(ETAG, src(), None, True, id="etag-target-absent"),
        pytest.param(ETAG, src(e_tag=E1), entry(e_tag=E2), True, id="etag-differs"),
        pytest.param(ETAG, src(e_tag=E1, secs=200), entry(e_tag=E1), False, id="etag-equal-newer-ignored"),
        pytest.param(ETAG, src(e_tag=E1), entry(e_tag=E1.strip('"')), False, id="etag-quotes-ignored"),
        pytest.param(ETAG, src(e_tag=None), entry(e_tag=E1), True, id="etag-source-missing"),
        pytest.param(ETAG, src(e_tag=E1), entry(e_tag=None), True, id="etag-target-missing"),
        pytest.param(ETAG, src(e_tag=None), entry(e_tag=None), True, id="etag-both-missing"),
    ],
)
def test_listing_says_modified(
    rule: UpdateRule, source: ObjectInfo, target: TargetEntry | None, modified: bool
) -> None:
    assert listing_says_modified(source, target, UpdateMode(rule)) is modified


@pytest.mark.parametrize("rule", [MTIME, SIZE, ETAG])
def test_listing_filter_absent_with_remove_modified_filter(rule: UpdateRule) -> None:
    mode = UpdateMode(rule, remove_modified_filter=True)
    assert not mode.lists_target
    assert listing_says_modified(src(secs=1), entry(secs=100), mode) is True


def test_target_entry_of_listed_object() -> None:
    listed = ObjectInfo(key="k", size=5, mtime_ns=7 * SEC + 999, e_tag=E2)
    assert TargetEntry.of(listed) == TargetEntry(5, 7, E2)




@pytest.mark.parametrize(
    ("mode", "source", "target", "modified"),
    [
        pytest.param(UpdateMode(MT_ETAG), src(secs=101, e_tag=E1), entry(secs=100, e_tag=E1), True,
                     id="mtime-and-etag-newer-goes-on-even-with-equal-etags"),
        pytest.param(UpdateMode(MT_ETAG), src(secs=100, e_tag=E1), entry(secs=100, e_tag=E2), False,
                     id="mtime-and-etag-not-newer-skips-even-with-different-etags"),
        pytest.param(UpdateMode(MT_CHECKSUM), src(secs=101), entry(secs=100), True, id="mtime-and-checksum-newer"),
        pytest.param(UpdateMode(MT_CHECKSUM), src(secs=100), entry(secs=100), False, id="mtime-and-checksum-same"),
        pytest.param(UpdateMode(CHECKSUM), src(secs=1), entry(secs=100), True, id="checksum-always-goes-on"),
        pytest.param(UpdateMode(ETAG, auto_chunksize=True), src(e_tag=E1), entry(e_tag=E1), True,
                     id="etag-auto-chunksize-goes-on"),
        pytest.param(UpdateMode(ETAG), src(e_tag=E1), entry(e_tag=E1), False, id="etag-listing-compares"),
    ],
)
def test_listing_layer_of_new_rules(mode: UpdateMode, source: ObjectInfo, target: TargetEntry,
                                    modified: bool) -> None:
    assert listing_says_modified(source, target, mode) is modified
