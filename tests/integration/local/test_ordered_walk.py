"""LocalObjectStorage lists in S3 byte order when asked (`ListingOptions.key_order`), serially and in parallel."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.domain.key_range import KeyRange
from tests.integration.local.test_local_listing import make_tree, storage_for
from tests.integration.local.test_parallel_listing import _files

# "-" sorts before "/", "0" after it; "é" and "😀" are past ASCII (UTF-8 byte order equals code point order).
_name = st.sampled_from(["a", "a-b", "a0", "b", "é", "😀", "-"])
_paths = st.lists(st.lists(_name, min_size=1, max_size=4).map("/".join), min_size=0, max_size=30, unique=True)


async def _keys(root: Path, options: ListingOptions) -> list[str]:
    storage, warnings = storage_for(root, walk_batch_size=2)
    keys = [info.key async for info in storage.list_objects(options)]
    assert warnings == []
    return keys


@settings(max_examples=40, deadline=None)
@given(paths=_paths, parallel=st.integers(1, 6), depth=st.integers(1, 4))
def test_an_ordered_walk_yields_every_file_in_s3_byte_order(paths: list[str], parallel: int, depth: int) -> None:
    files = _files(paths)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_tree(root, files)
        options = ListingOptions(parallel_listings=parallel, parallel_depth=depth, key_order=True)
        keys = asyncio.run(_keys(root, options))
    assert keys == sorted(files, key=lambda key: key.encode("utf-8"))


def test_a_file_named_like_a_directory_with_a_dash_comes_before_the_directory(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/x": b"1", "a-b": b"2", "a0": b"3", "a.txt": b"4"})

    keys = asyncio.run(_keys(tmp_path, ListingOptions(key_order=True)))

    assert keys == ["a-b", "a.txt", "a/x", "a0"]


def test_an_ordered_walk_keeps_to_its_key_range(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/x": b"1", "a-b": b"2", "b/c": b"3", "c": b"4"})
    options = ListingOptions(key_order=True, key_range=KeyRange("a/", "b/c"), parallel_listings=4, parallel_depth=2)

    keys = asyncio.run(_keys(tmp_path, options))

    assert keys == ["a/x"]
