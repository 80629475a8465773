"""KeyMap (reference §12): both twins behave exactly like a dict model, and stay compact."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HEX = "0123456789abcdef"

hex32 = st.text(HEX, min_size=32, max_size=32)
part_suffix = st.one_of(
    st.integers(1, 99_999).map(lambda n: f"-{n}"),
    st.sampled_from(["-0", "-01", "-65535", "-65536", "-", "-1a", "-123456"]),
)
# Mostly the packed forms S3 lists, plus near misses and arbitrary text that must round-trip verbatim.
e_tags = st.one_of(
    st.none(),
    hex32.map(lambda h: f'"{h}"'),
    st.tuples(hex32, part_suffix).map(lambda t: f'"{t[0]}{t[1]}"'),
    st.tuples(hex32, st.one_of(st.just(""), part_suffix)).map(lambda t: t[0] + t[1]),
    hex32.map(lambda h: f'"{h.upper()}"'),
    hex32.map(lambda h: f'"{h}'),
    hex32.map(lambda h: f'{h[:31]}"'),
    st.text(max_size=40),
)
keys = st.one_of(
    st.sampled_from(["a", "b", "dir/x", "dir/y", "é", "\udc80raw", "", " "]),
    st.text(max_size=20),
    st.text(alphabet="ab/", min_size=100, max_size=300),
)
entries = st.tuples(
    keys,
    st.integers(0, 2**63 - 1),
    st.integers(-(2**63), 2**63 - 1),
    e_tags,
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), entries),
        st.tuples(st.just("get"), keys),
        st.tuples(st.just("contains"), keys),
    ),
    max_size=60,
)


def apply(keymap: Any, model: dict[str, tuple[int, int, str | None]], ops: list[tuple[str, Any]]) -> None:
    for op, arg in ops:
        if op == "add":
            key, size, mtime, e_tag = arg
            if key in model:
                with pytest.raises(ValueError, match="duplicate"):
                    keymap.add(key, size, mtime, e_tag)
            else:
                keymap.add(key, size, mtime, e_tag)
                model[key] = (size, mtime, e_tag)
        elif op == "get":
            assert keymap.get(arg) == model.get(arg)
        else:
            assert (arg in keymap) == (arg in model)
    assert len(keymap) == len(model)
    for key, value in model.items():
        assert keymap.get(key) == value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations, store_keys=st.booleans())
def test_behaves_like_a_dict(twin: Any, ops: list[tuple[str, Any]], store_keys: bool) -> None:
    keymap = twin.KeyMap(store_keys)
    model: dict[str, tuple[int, int, str | None]] = {}
    apply(keymap, model, ops)
    if store_keys:
        assert list(keymap.keys()) == list(model)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mine=operations, theirs=operations, other_stores_keys=st.booleans())
def test_missing_from_is_the_ordered_difference(
    twin: Any, mine: list[tuple[str, Any]], theirs: list[tuple[str, Any]], other_stores_keys: bool
) -> None:
    keymap, other = twin.KeyMap(True), twin.KeyMap(other_stores_keys)
    model: dict[str, tuple[int, int, str | None]] = {}
    other_model: dict[str, tuple[int, int, str | None]] = {}
    apply(keymap, model, mine)
    apply(other, other_model, theirs)
    assert keymap.missing_from(other) == [key for key in model if key not in other_model]
    assert keymap.missing_from(keymap) == []


@pytest.mark.parametrize("store_keys", [False, True], ids=["digests", "keys"])
def test_growth_across_chunks_and_index_resizes(twin: Any, store_keys: bool) -> None:
    count = 40_000  # > 2 record chunks of 16,384 and several index doublings
    keymap = twin.KeyMap(store_keys)
    for number in range(count):
        e_tag = f'"{number:032x}-{number % 7 + 1}"' if number % 3 else f'"{number:032x}"'
        keymap.add(f"dir{number % 100}/file{number}.dat", number, 1_700_000_000 + number, e_tag)
    assert len(keymap) == count
    for number in range(0, count, 997):
        suffix = f"-{number % 7 + 1}" if number % 3 else ""
        assert keymap.get(f"dir{number % 100}/file{number}.dat") == (
            number,
            1_700_000_000 + number,
            f'"{number:032x}{suffix}"',
        )
    assert "dir0/file1.dat" not in keymap
    if store_keys:
        assert len(list(keymap.keys())) == count


def test_keys_iterator_snapshots_the_length(twin: Any) -> None:
    keymap = twin.KeyMap(True)
    keymap.add("a", 1, 1, None)
    iterator = keymap.keys()
    keymap.add("b", 1, 1, None)
    assert list(iterator) == ["a"]


def test_key_names_need_store_keys(twin: Any) -> None:
    keymap = twin.KeyMap(False)
    keymap.add("a", 1, 1, None)
    assert keymap.store_keys is False
    with pytest.raises(ValueError, match="store_keys"):
        keymap.keys()
    with pytest.raises(ValueError, match="store_keys"):
        keymap.missing_from(twin.KeyMap(True))


@pytest.mark.parametrize(
    ("size", "mtime"),
    [(-1, 0), (2**63, 0), (0, 2**63), (0, -(2**63) - 1)],
    ids=["negative-size", "huge-size", "huge-mtime", "tiny-mtime"],
)
def test_out_of_range_values_raise_value_error(twin: Any, size: int, mtime: int) -> None:
    keymap = twin.KeyMap(False)
    with pytest.raises(ValueError, match="out of range"):
        keymap.add("k", size, mtime, None)
    assert len(keymap) == 0


@pytest.mark.parametrize(
    "arguments",
    [(b"k", 1, 1, None), ("k", 1.0, 1, None), ("k", 1, "1", None), ("k", 1, 1, b'"etag"')],
    ids=["bytes-key", "float-size", "str-mtime", "bytes-etag"],
)
def test_wrong_types_raise_type_error(twin: Any, arguments: tuple[Any, ...]) -> None:
    keymap = twin.KeyMap(True)
    with pytest.raises(TypeError):
        keymap.add(*arguments)
    assert len(keymap) == 0
    with pytest.raises(TypeError):
        keymap.get(b"k")
    assert b"k" not in keymap


def test_missing_from_rejects_other_types(twin: Any) -> None:
    with pytest.raises(TypeError):
        twin.KeyMap(True).missing_from({"a": 1})


@pytest.mark.parametrize("store_keys", [False, True], ids=["digests", "keys"])
def test_entries_are_compact(twin: Any, store_keys: bool) -> None:
    # Reference §12: ~100 bytes per entry without names, ~250 with. The packed layout needs 56/64-byte records
    # plus a 4-byte index slot at <= 2/3 load (and the names themselves, ~28 bytes here, arena slack included).
    # 3 x 16,384 entries fill whole record chunks, so chunk granularity does not blur the figure.
    keymap = twin.KeyMap(store_keys)
    count = 3 * 16_384
    for number in range(count):
        keymap.add(
            f"dir{number % 1000}/sub{number % 97}/file{number:06d}.dat", number, number, f'"{number:032x}"'
        )
    per_entry = sys.getsizeof(keymap) / count
    assert per_entry < (120 if store_keys else 80)
