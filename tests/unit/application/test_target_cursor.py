"""TargetCursor: the target listing read in step with the source keys, target-only keys set aside."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import regex

from s3syncpy._speedups import KeyMap
from s3syncpy.application.pipeline.key_ranges import RunKeyRange
from s3syncpy.application.pipeline.target_merge import DeleteCandidates, IrregularKeys, TargetCursor
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.model import ObjectInfo


async def _listing(keys: list[str]) -> AsyncIterator[ObjectInfo]:
    for size, key in enumerate(keys):
        yield ObjectInfo(key=key, size=size, mtime_ns=0, e_tag=f'"{size:032x}"')


def _candidates(limit: int | None = None, protect: str | None = None) -> DeleteCandidates:
    return DeleteCandidates(KeyMap(store_keys=True), limit=limit, protect=regex.compile(protect) if protect else None)


async def test_each_source_key_gets_its_entry_and_passed_keys_become_candidates() -> None:
    candidates = _candidates()
    cursor = TargetCursor(_listing(["a", "a-b", "a/x", "b", "é"]), None, candidates)

    assert await cursor.entry_for("a") == (0, 0, f'"{0:032x}"')
    assert await cursor.entry_for("a/x") == (2, 0, f'"{2:032x}"')
    assert await cursor.entry_for("c") is None
    await cursor.finish()

    assert list(candidates.found.keys()) == ["a-b", "b", "é"]


async def test_candidates_stop_at_the_limit_and_skip_protected_keys() -> None:
    candidates = _candidates(limit=2, protect="^b")
    cursor = TargetCursor(_listing(["a", "b1", "b2", "c", "d", "e"]), None, candidates)

    await cursor.finish()

    assert list(candidates.found.keys()) == ["a", "c"]


async def test_target_keys_of_another_shard_are_neither_entries_nor_candidates() -> None:
    candidates = _candidates()
    shard = RunKeyRange(KeyRange("b", "d"), normalise_source=False)
    cursor = TargetCursor(_listing(["a", "b", "c", "d"]), shard, candidates)

    assert await cursor.entry_for("c") is not None
    await cursor.finish()

    assert list(candidates.found.keys()) == ["b"]


@pytest.mark.parametrize(
    ("target", "source", "message"),
    [
        (["a", "a"], ["b"], "the target listing cannot be used: duplicate key in listing"),
        (["a/x", "a-b"], ["b"], "the target listing cannot be used: it is not in key order ('a-b' after 'a/x')"),
        ([], ["b", "a"], "the source listing cannot be used: it is not in key order ('a' after 'b')"),
        ([], ["b", "b"], "the source listing cannot be used: duplicate key in listing"),
    ],
)
async def test_a_listing_out_of_order_is_a_storage_error(target: list[str], source: list[str], message: str) -> None:
    cursor = TargetCursor(_listing(target), None, None)

    with pytest.raises(StorageError, match=regex.escape(message)):
        for key in source:
            await cursor.entry_for(key)


def test_irregular_keys_are_kept_aside_once_under_their_file_name() -> None:
    irregular = IrregularKeys()

    assert [irregular.take(key) for key in ["a/b", "a//b", "/a/b", "d/"]] == [False, True, True, False]
    assert list(irregular.files.keys()) == ["a/b"]
