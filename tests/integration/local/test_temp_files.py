"""s3sync's own temp files on a real directory: their name, the walk that never lists them, and the sweep of
stale ones a killed run left (adapters/local/temp_files.py)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.local.temp_files import (
    JOURNAL_KEPT_SECONDS,
    JOURNAL_SUFFIX,
    STALE_AFTER_SECONDS,
    TEMP_PREFIX,
    is_temp_name,
)
from s3syncpy.application.ports.storage import DigestSource, ListingOptions, PutRequest
from s3syncpy.domain.errors import TransientStorageError
from s3syncpy.domain.paths import LocalLocation
from tests.fakes.content import BytesContent, StallingContent

MiB = 1024 * 1024
LEFTOVER = TEMP_PREFIX + "0123456789abcdef"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (LEFTOVER, True),
        (TEMP_PREFIX + "fedcba9876543210", True),
        (TEMP_PREFIX + "0123456789ABCDEF", False),  # s3sync writes lowercase hex only
        (TEMP_PREFIX + "0123456789abcde", False),
        (TEMP_PREFIX + "0123456789abcdef0", False),
        (TEMP_PREFIX + "notes.txt", False),
        (".tmp0123456789ab", False),  # what mkstemp names: a user's hidden file may look like that
        ("0123456789abcdef", False),
    ],
)
def test_temp_names_are_recognised_exactly(name: str, expected: bool) -> None:
    assert is_temp_name(name) is expected


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


async def _keys(storage: LocalObjectStorage, parallel: bool) -> list[str]:
    return sorted([info.key async for info in storage.list_objects(ListingOptions(parallel_listings=4 if parallel else 1, parallel_depth=2 if parallel else 0))])


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
async def test_a_put_in_progress_writes_a_temp_file_the_listing_never_reports(tmp_path: Path, parallel: bool) -> None:
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))
    data = os.urandom(2 * MiB)
    content = StallingContent(data, stall_at=MiB, chunk_size=256 * 1024)
    task = asyncio.create_task(storage.put_object("big.bin", content, PutRequest(size=len(data))))
    await asyncio.wait_for(content.stalled.wait(), 10)

    names = os.listdir(tmp_path)
    assert len(names) == 1 and is_temp_name(names[0]), names
    # Another storage on the same folder (another run) does not list it either: the name alone tells.
    assert await _keys(LocalObjectStorage(LocalLocation(str(tmp_path))), parallel) == []

    content.release.set()
    assert (await task).committed
    assert os.listdir(tmp_path) == ["big.bin"]


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
async def test_the_walk_skips_leftover_temp_files_but_lists_lookalikes(tmp_path: Path, parallel: bool) -> None:
    (tmp_path / "d").mkdir()
    for name in (LEFTOVER, f"d/{LEFTOVER}", f"{TEMP_PREFIX}notes.txt", ".tmp0123456789ab", "plain"):
        (tmp_path / name).write_bytes(b"x")
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    assert await _keys(storage, parallel) == [f"{TEMP_PREFIX}notes.txt", ".tmp0123456789ab", "plain"]


async def test_a_put_removes_stale_temp_files_from_the_folder_it_writes_and_nothing_else(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    stale = tmp_path / "a" / LEFTOVER
    young = tmp_path / "a" / (TEMP_PREFIX + "1111111111111111")  # perhaps another run, still writing
    lookalike = tmp_path / "a" / (TEMP_PREFIX + "notes.txt")
    elsewhere = tmp_path / "b" / LEFTOVER
    for path in (stale, young, lookalike, elsewhere):
        path.write_bytes(b"left")
    for path in (stale, lookalike, elsewhere):
        _age(path, STALE_AFTER_SECONDS + 60)
    _age(young, STALE_AFTER_SECONDS - 60)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    async with BytesContent(b"new") as content:
        assert (await storage.put_object("a/x", content, PutRequest(size=3))).committed

    assert sorted(os.listdir(tmp_path / "a")) == sorted([young.name, lookalike.name, "x"])
    assert elsewhere.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
async def test_the_sweep_removes_no_symlink_and_nothing_it_points_to(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.write_bytes(b"keep")
    _age(kept, 2 * STALE_AFTER_SECONDS)
    target = tmp_path / "target"
    target.mkdir()
    link = target / LEFTOVER
    link.symlink_to(kept)
    os.utime(link, (0, 0), follow_symlinks=False)
    storage = LocalObjectStorage(LocalLocation(str(target)))

    async with BytesContent(b"new") as content:
        await storage.put_object("x", content, PutRequest(size=3))

    assert link.is_symlink() and kept.read_bytes() == b"keep"


async def test_a_temp_file_removed_before_its_rename_is_a_transient_error(tmp_path: Path) -> None:
    """Another run's sweep can take a temp file in the moment it carries the object's old mtime: the writer then
    retries (downloads again) instead of failing the object for good."""
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    async def swept_before_the_rename(_: DigestSource) -> bool:
        for name in os.listdir(tmp_path):
            if is_temp_name(name):
                os.unlink(tmp_path / name)
        return True

    with pytest.raises(TransientStorageError, match="removed before it was renamed"):
        async with BytesContent(b"payload") as content:
            await storage.put_object(
                "f", content, PutRequest(size=7, mtime_ns=1_000_000_000, validate=swept_before_the_rename)
            )
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
async def test_the_walk_never_lists_resume_journals(tmp_path: Path, parallel: bool) -> None:
    for name in (LEFTOVER, LEFTOVER + JOURNAL_SUFFIX, f"{TEMP_PREFIX}notes.txt{JOURNAL_SUFFIX}", "plain.resume"):
        (tmp_path / name).write_bytes(b"x")
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    assert await _keys(storage, parallel) == [f"{TEMP_PREFIX}notes.txt{JOURNAL_SUFFIX}", "plain.resume"]


async def test_the_sweep_keeps_a_journaled_temp_file_and_removes_orphaned_or_old_journals(tmp_path: Path) -> None:
    kept = tmp_path / LEFTOVER  # a kept download: old bytes, a journal written recently
    kept_journal = tmp_path / (LEFTOVER + JOURNAL_SUFFIX)
    old = tmp_path / (TEMP_PREFIX + "2222222222222222")  # journal older than the longest resume age
    old_journal = tmp_path / (old.name + JOURNAL_SUFFIX)
    orphan_journal = tmp_path / (TEMP_PREFIX + "3333333333333333" + JOURNAL_SUFFIX)  # its temp file is gone
    for path in (kept, kept_journal, old, old_journal, orphan_journal):
        path.write_bytes(b"left")
    _age(kept, STALE_AFTER_SECONDS + 60)
    _age(old, JOURNAL_KEPT_SECONDS + 60)
    _age(old_journal, JOURNAL_KEPT_SECONDS + 60)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    async with BytesContent(b"new") as content:
        assert (await storage.put_object("x", content, PutRequest(size=3))).committed

    assert sorted(os.listdir(tmp_path)) == sorted([kept.name, kept_journal.name, "x"])
