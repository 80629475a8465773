"""Listing filters (reference §4.1 steps 1-6): order, size and mtime bounds, unanchored regexes with lookaround."""

from __future__ import annotations

import pytest
import regex

from s3syncpy.domain.filters import (
    FILTER_ORDER,
    FilterSettings,
    build_filter_chain,
    exclude_regex,
    first_rejecting_filter,
    include_regex,
    larger_size,
    mtime_after,
    mtime_before,
    smaller_size,
)
from s3syncpy.domain.model import ObjectInfo


def obj(key: str = "dir/file.dat", size: int = 10, mtime_ns: int = 0) -> ObjectInfo:
    return ObjectInfo(key=key, size=size, mtime_ns=mtime_ns)


def test_filter_order_is_the_reference_order() -> None:
    assert FILTER_ORDER == (
        "filter-mtime-before",
        "filter-mtime-after",
        "filter-smaller-size",
        "filter-larger-size",
        "filter-include-regex",
        "filter-exclude-regex",
    )


@pytest.mark.parametrize(
    ("size", "limit", "smaller_keeps", "larger_keeps"),
    [
        pytest.param(99, 100, True, False, id="below-limit"),
        pytest.param(100, 100, False, True, id="at-limit"),
        pytest.param(101, 100, False, True, id="above-limit"),
        pytest.param(0, 1, True, False, id="empty-object"),
    ],
)
def test_size_filters(size: int, limit: int, smaller_keeps: bool, larger_keeps: bool) -> None:
    assert smaller_size(limit)(obj(size=size)) is smaller_keeps
    assert larger_size(limit)(obj(size=size)) is larger_keeps


# 1_000_999_999 ns is 1000 ms: sub-millisecond digits never count.
@pytest.mark.parametrize(
    ("mtime_ns", "limit_ms", "before_keeps", "after_keeps"),
    [
        pytest.param(999_999_999, 1000, True, False, id="one-ms-earlier"),
        pytest.param(1_000_000_000, 1000, False, True, id="same-ms"),
        pytest.param(1_000_999_999, 1000, False, True, id="same-ms-sub-ms-later"),
        pytest.param(1_001_000_000, 1000, False, True, id="one-ms-later"),
    ],
)
def test_mtime_filters_compare_milliseconds(
    mtime_ns: int, limit_ms: int, before_keeps: bool, after_keeps: bool
) -> None:
    assert mtime_before(limit_ms)(obj(mtime_ns=mtime_ns)) is before_keeps
    assert mtime_after(limit_ms)(obj(mtime_ns=mtime_ns)) is after_keeps


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        pytest.param("file", "dir/file.dat", True, id="unanchored-substring"),
        pytest.param("^file", "dir/file.dat", False, id="anchor-is-honoured"),
        pytest.param(r"\.dat$", "dir/file.dat", True, id="suffix"),
        pytest.param(r"^(?!.*\.tmp$).*", "a/b.dat", True, id="negative-lookahead-keeps"),
        pytest.param(r"^(?!.*\.tmp$).*", "a/b.tmp", False, id="negative-lookahead-rejects"),
        pytest.param(r"(?<=dir/)file", "dir/file.dat", True, id="lookbehind-matches"),
        pytest.param(r"(?<=xyz/)file", "dir/file.dat", False, id="lookbehind-misses"),
    ],
)
def test_regex_filters(pattern: str, key: str, matches: bool) -> None:
    compiled = regex.compile(pattern)
    assert include_regex(compiled)(obj(key=key)) is matches
    assert exclude_regex(compiled)(obj(key=key)) is not matches


def test_chain_contains_only_enabled_filters_in_order() -> None:
    settings = FilterSettings(
        exclude_regex=regex.compile("x"),
        smaller_size=100,
        mtime_before_ms=5,
    )
    names = [name for name, _ in build_filter_chain(settings)]
    assert names == ["filter-mtime-before", "filter-smaller-size", "filter-exclude-regex"]
    assert build_filter_chain(FilterSettings()) == []


@pytest.mark.parametrize(
    ("candidate", "rejected_by"),
    [
        pytest.param(obj(key="keep.dat", size=10, mtime_ns=1_000_000), None, id="kept"),
        pytest.param(
            obj(key="keep.dat", size=10, mtime_ns=9_000_000_000), "filter-mtime-before", id="too-new"
        ),
        pytest.param(
            obj(key="keep.dat", size=500, mtime_ns=1_000_000), "filter-smaller-size", id="too-large"
        ),
        pytest.param(obj(key="skip.tmp", size=10, mtime_ns=1_000_000), "filter-exclude-regex", id="excluded"),
        pytest.param(
            obj(key="skip.tmp", size=500, mtime_ns=1_000_000), "filter-smaller-size", id="first-wins"
        ),
    ],
)
def test_first_rejecting_filter(candidate: ObjectInfo, rejected_by: str | None) -> None:
    chain = build_filter_chain(
        FilterSettings(mtime_before_ms=5_000, smaller_size=100, exclude_regex=regex.compile(r"\.tmp$"))
    )
    assert first_rejecting_filter(chain, candidate) == rejected_by
