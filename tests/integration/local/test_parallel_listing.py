"""LocalObjectStorage's parallel listing (sub-directories walked concurrently) lists what the serial walk lists."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.domain.key_range import KeyRange
from tests.integration.local.test_local_listing import list_all, make_tree, storage_for

_name = st.sampled_from(["a", "b", "c", "d1", "é"])
_paths = st.lists(st.lists(_name, min_size=1, max_size=5).map("/".join), min_size=0, max_size=30, unique=True)


def _files(paths: list[str]) -> dict[str, bytes]:
    """Paths as files; a path that is a directory of another one is dropped (a file cannot hold files)."""
    chosen: dict[str, bytes] = {}
    for path in sorted(paths, key=len, reverse=True):
        if any(other.startswith(path + "/") for other in chosen):
            continue
        if any(path.startswith(other + "/") for other in chosen):
            continue
        chosen[path] = path.encode()
    return chosen


@settings(max_examples=40, deadline=None)
@given(paths=_paths, parallel=st.integers(2, 6), depth=st.integers(1, 4))
def test_parallel_walk_equals_the_serial_walk(paths: list[str], parallel: int, depth: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_tree(root, _files(paths))
        storage, warnings = storage_for(root, walk_batch_size=2)
        serial = asyncio.run(list_all(storage))
        fanned = asyncio.run(list_all(storage, ListingOptions(parallel_listings=parallel, parallel_depth=depth)))
    assert fanned == serial
    assert warnings == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_parallel_walk_still_detects_symlink_loops(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/b/c/file": b"x", "top": b"y"})
    os.symlink(tmp_path / "a", tmp_path / "a" / "b" / "c" / "loop")
    storage, warnings = storage_for(tmp_path)

    listed = asyncio.run(list_all(storage, ListingOptions(parallel_listings=4, parallel_depth=2)))

    assert sorted(listed) == ["a/b/c/file", "top"]
    assert len(warnings) == 1 and "symlink loop detected" in warnings[0]


def test_parallel_walk_computes_etags_in_check_etag_mode(tmp_path: Path) -> None:
    make_tree(tmp_path, {"x/y/z": b"abc", "w": b""})
    storage, _ = storage_for(tmp_path)
    options = ListingOptions(etag_threshold=8 * 1024 * 1024, etag_chunksize=8 * 1024 * 1024,
                             parallel_listings=4, parallel_depth=1)

    listed = asyncio.run(list_all(storage, options))

    assert listed["x/y/z"].e_tag == '"900150983cd24fb0d6963f7d28e17f72"'
    assert listed["w"].e_tag == '"d41d8cd98f00b204e9800998ecf8427e"'


@settings(max_examples=25, deadline=None)
@given(paths=_paths, start=st.sampled_from([None, "b", "c/d1"]), end=st.sampled_from([None, "c", "é"]))
def test_parallel_walk_with_a_key_range_keeps_every_key_inside(paths: list[str], start: str | None,
                                                               end: str | None) -> None:
    if start is not None and end is not None and start >= end:
        return
    key_range = KeyRange(start, end)
    files = _files(paths)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_tree(root, files)
        storage, _ = storage_for(root)
        options = ListingOptions(parallel_listings=3, parallel_depth=2, key_range=key_range)
        fanned = asyncio.run(list_all(storage, options))
    assert sorted(k for k in fanned if key_range.contains(k)) == sorted(k for k in files if key_range.contains(k))
