"""Key ranges and the shard planner: plain values, generated key sets (unicode, `/` against `-`, empty ranges)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.key_range import KeyRange, key_range_from_options
from s3syncpy.domain.shard_plan import (
    SAMPLES_PER_SHARD,
    BoundarySampler,
    is_partition,
    plan_shards,
    ranges_from_cuts,
)

# Keys as S3 allows them: any Unicode scalar value but surrogates; short alphabets make collisions and shared
# prefixes likely, which is where ordering mistakes show.
_KEY_CHARS = st.sampled_from(["a", "b", "-", "/", ".", "é", "日", "\U0001f600", "\x00", "\uffff", "0"])
_KEYS = st.text(_KEY_CHARS, min_size=1, max_size=6)
_ANY_KEYS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8)


def _utf8_order(key: str) -> bytes:
    return key.encode("utf-8")


def test_half_open() -> None:
    key_range = KeyRange("b", "d")
    assert [key for key in ["a", "b", "bz", "c", "d", "da"] if key_range.contains(key)] == ["b", "bz", "c"]
    assert key_range.is_past("d") and not key_range.is_past("cz")


def test_open_bounds() -> None:
    assert KeyRange().is_unbounded and KeyRange().contains("")
    assert KeyRange(None, "b").contains("a") and not KeyRange(None, "b").contains("b")
    assert KeyRange("b", None).contains("zzz") and not KeyRange("b", None).is_past("zzz")


def test_dash_sorts_before_slash() -> None:
    # "-" is 0x2D and "/" 0x2F: `a-b` lies between `a` and `a/b`, so a directory walk order is not S3's.
    key_range = KeyRange("a-", "a/")
    assert key_range.contains("a-b")
    assert not key_range.contains("a/b")


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("b", "a", "does not sort before"), ("a", "a", "does not sort before")],
)
def test_empty_range_is_refused(start: str, end: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        KeyRange(start, end)


def test_options() -> None:
    assert key_range_from_options(None, None) is None
    assert key_range_from_options("a", None) == KeyRange("a", None)
    with pytest.raises(ConfigError, match="--key-range-end must not be empty"):
        key_range_from_options("a", "")


@given(_ANY_KEYS, _ANY_KEYS)
def test_str_order_is_utf8_byte_order(left: str, right: str) -> None:
    assert (left < right) == (_utf8_order(left) < _utf8_order(right))


@given(start=_KEYS, end=_KEYS, prefix=st.text(_KEY_CHARS, max_size=4), suffixes=st.lists(_KEYS, max_size=20))
def test_a_pruned_prefix_holds_no_key_of_the_range(start: str, end: str, prefix: str, suffixes: list[str]) -> None:
    if start >= end:
        return
    key_range = KeyRange(start, end)
    if not key_range.may_hold_prefix(prefix):
        assert not any(key_range.contains(prefix + suffix) for suffix in ["", *suffixes])


@given(start=_ANY_KEYS, keys=st.lists(_ANY_KEYS, max_size=30))
def test_start_after_never_skips_a_key_of_the_range(start: str, keys: list[str]) -> None:
    key_range = KeyRange(start, None)
    start_after = key_range.listing_start_after()
    for key in keys:
        if key_range.contains(key):
            # StartAfter is exclusive: ListObjectsV2 returns the keys that sort after it.
            assert start_after is None or _utf8_order(key) > _utf8_order(start_after)


def test_start_after_is_close_to_the_start() -> None:
    after = KeyRange("b").listing_start_after()
    assert after is not None and "a" < after < "b" and not after.startswith("b")
    assert KeyRange("a\x00").listing_start_after() == "a"
    assert KeyRange("\x00").listing_start_after() is None
    # The code point below U+E000 is a surrogate, which no key can hold.
    after = KeyRange("\ue000").listing_start_after()
    assert after is not None and after.startswith("\ud7ff")


@settings(max_examples=200)
@given(keys=st.lists(_KEYS, max_size=300), shards=st.integers(1, 12), ordered=st.booleans())
def test_plan_partitions_every_key_set(keys: list[str], shards: int, ordered: bool) -> None:
    listed = sorted(keys) if ordered else keys
    ranges = plan_shards(listed, shards)
    assert is_partition(ranges)
    assert 1 <= len(ranges) <= shards
    for key in keys:
        assert sum(key_range.contains(key) for key_range in ranges) == 1


def test_plan_balances_an_ordered_listing() -> None:
    keys = [f"{index:06d}" for index in range(100_000)]
    ranges = plan_shards(keys, 8)
    counts = [sum(1 for key in keys if key_range.contains(key)) for key_range in ranges]
    assert len(counts) == 8
    assert max(counts) - min(counts) <= len(keys) // 8 // 8


def test_plan_of_few_keys_has_fewer_ranges() -> None:
    assert plan_shards([], 4) == [KeyRange()]
    ranges = plan_shards(["a", "b"], 4)
    assert is_partition(ranges) and len(ranges) <= 2


def test_sampler_memory_is_bounded_by_the_shard_count() -> None:
    sampler = BoundarySampler(4)
    for index in range(200_000):
        sampler.add(f"{index:08d}")
        assert sampler.held <= 2 * SAMPLES_PER_SHARD * 4
    assert sampler.seen == 200_000


def test_is_partition() -> None:
    assert is_partition(ranges_from_cuts(["m"]))
    assert not is_partition([KeyRange(None, "m"), KeyRange("n", None)])
    assert not is_partition([KeyRange("a", None)])
    assert not is_partition([])
