"""The local adapter's Windows fallbacks, run for real on this system by taking the POSIX-only pieces away.

Windows' Python has no os.pread / os.pwrite, its DirEntry.stat() reports st_dev = st_ino = 0, paths there read
"C:x" and "\\x" segments as drives, and it has no /proc. Each test removes or fakes the one POSIX ability and checks
the code path that Windows would take, on real files.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from s3syncpy.adapters.local import atomic, paths, positional_io
from s3syncpy.adapters.local.paths import LocalRoot, windows_rooted_segment
from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.local.walk import DirectoryWalker
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.domain.errors import DirectoryTraversalError
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import LocalLocation
from tests.fakes.content import BytesContent

KiB = 1024
MiB = 1024 * KiB
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="fakes a Windows ability away from POSIX")


@pytest.fixture
def seeks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Remove os.pread / os.pwrite (as on Windows) and record every seek the fallback makes."""
    monkeypatch.delattr(os, "pread", raising=False)
    monkeypatch.delattr(os, "pwrite", raising=False)
    offsets: list[int] = []
    real_lseek = os.lseek

    def lseek(fd: int, offset: int, how: int) -> int:
        offsets.append(offset)
        return real_lseek(fd, offset, how)

    monkeypatch.setattr(os, "lseek", lseek)
    return offsets


def _open(path: Path, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_BINARY", 0))


def test_fallback_round_trip_with_concurrent_parts_on_one_descriptor(tmp_path: Path, seeks: list[int]) -> None:
    data = os.urandom(64 * 37 * KiB + 11)
    parts = [(offset, data[offset:offset + 37 * KiB]) for offset in range(0, len(data), 37 * KiB)]
    path = tmp_path / "f.bin"
    fd = _open(path, os.O_RDWR | os.O_CREAT)
    try:
        _run_threads([functools.partial(positional_io.pwrite, fd, p, o) for o, p in reversed(parts)])
        read: dict[int, bytes] = {}

        def read_part(offset: int, size: int) -> None:
            read[offset] = positional_io.pread(fd, size, offset)

        _run_threads([functools.partial(read_part, o, len(p)) for o, p in parts])
    finally:
        os.close(fd)
    assert path.read_bytes() == data
    assert b"".join(read[offset] for offset, _ in parts) == data
    assert sorted(seeks) == sorted([offset for offset, _ in parts] * 2)  # every transfer went through a seek


def _run_threads(jobs: list[Callable[[], object]]) -> None:
    start = threading.Barrier(len(jobs))
    failures: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        start.wait()  # all at once, so the seeks really contend
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def test_fallback_pread_stops_at_the_end_of_the_file(tmp_path: Path, seeks: list[int]) -> None:
    path = tmp_path / "short"
    path.write_bytes(b"0123456789")
    fd = _open(path, os.O_RDONLY)
    try:
        assert positional_io.pread(fd, 4, 8) == b"89"
        assert positional_io.pread(fd, 4, 10) == b""
        assert positional_io.pread(fd, 3, 2) == b"234"
    finally:
        os.close(fd)


def test_short_native_transfers_are_completed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One system call moves at most ~2 GiB; a trickling pread/pwrite stands in for that cap.
    real_pread, real_pwrite = os.pread, os.pwrite
    monkeypatch.setattr(os, "pread", lambda fd, n, offset: real_pread(fd, min(n, 1000), offset))
    monkeypatch.setattr(os, "pwrite", lambda fd, data, offset: real_pwrite(fd, memoryview(data)[:777], offset))
    data = os.urandom(10_000)
    fd = _open(tmp_path / "t", os.O_RDWR | os.O_CREAT)
    try:
        positional_io.pwrite(fd, data, 5)
        assert positional_io.pread(fd, 10_000, 5) == data
        assert positional_io.pread(fd, 20_000, 0) == b"\0" * 5 + data
    finally:
        os.close(fd)


def test_a_write_that_makes_no_progress_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_pwrite = os.pwrite
    calls = iter([3])
    monkeypatch.setattr(os, "pwrite", lambda fd, data, offset: real_pwrite(fd, data[: next(calls, 0)], offset))
    fd = _open(tmp_path / "t", os.O_RDWR | os.O_CREAT)
    try:
        with pytest.raises(OSError, match="made no progress"):
            positional_io.pwrite(fd, b"abcdef", 0)
    finally:
        os.close(fd)


async def test_storage_round_trip_without_pread_and_pwrite(tmp_path: Path, seeks: list[int]) -> None:
    # Parts above INLINE_READ_LIMIT go to worker threads, so several write and read the same descriptors at once.
    part = 300 * KiB
    data = os.urandom(7 * part + 123)
    layout = [part] * 7 + [123]
    source = LocalObjectStorage(LocalLocation(str(tmp_path / "src")), max_parallel_parts=8)
    middle = LocalObjectStorage(LocalLocation(str(tmp_path / "mid")), max_parallel_parts=8)
    async with BytesContent(data) as content:
        assert (await source.put_object("d/blob", content, PutRequest(size=len(data), part_sizes=layout))).committed
    assert (tmp_path / "src" / "d" / "blob").read_bytes() == data

    async with await source.open_content(ObjectInfo("d/blob", len(data), 0)) as content:
        offsets = [sum(layout[:i]) for i in range(len(layout))]
        pieces = await asyncio.gather(*(content.read_range(o, s) for o, s in zip(offsets, layout, strict=True)))
        assert b"".join(pieces) == data
        # local -> local: the target's parts are fetched from the source's fallback reads, concurrently
        request = PutRequest(size=len(data), part_sizes=layout)
        assert (await middle.put_object("copy", content, request)).committed
    assert (tmp_path / "mid" / "copy").read_bytes() == data
    assert len(seeks) >= 3 * len(layout)


@posix_only
def test_directories_without_inode_numbers_are_walked_and_loops_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a/b/c/deep.txt", "a/b/mid.txt", "x/y.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    os.symlink(tmp_path / "a", tmp_path / "a" / "b" / "back")  # a loop: a/b/back -> a
    real_scandir = os.scandir

    class ZeroIdEntries:
        """os.scandir as on Windows: each entry's stat() has st_dev = st_ino = 0."""

        def __init__(self, path: str) -> None:
            self._it = real_scandir(path)

        def __iter__(self) -> Iterator[object]:
            for entry in self._it:
                yield types.SimpleNamespace(
                    name=entry.name, path=entry.path, is_symlink=entry.is_symlink, stat=_zero_ids(entry.stat)
                )

        def close(self) -> None:
            self._it.close()

    monkeypatch.setattr(os, "scandir", ZeroIdEntries)
    walker = DirectoryWalker(str(tmp_path))
    files, warnings = walker.next_batch()
    walker.close()

    assert sorted(entry.key for entry in files) == ["a/b/c/deep.txt", "a/b/mid.txt", "x/y.txt"]
    loop = tmp_path / "a" / "b" / "back"
    assert warnings == [f"failed to list local files. path: {loop}, error: symlink loop detected"]


def _zero_ids(stat: Callable[[], os.stat_result]) -> Callable[[], types.SimpleNamespace]:
    def zeroed() -> types.SimpleNamespace:
        st = stat()
        return types.SimpleNamespace(
            st_mode=st.st_mode, st_size=st.st_size, st_mtime_ns=st.st_mtime_ns, st_dev=0, st_ino=0
        )

    return zeroed


@pytest.mark.parametrize(
    ("key", "rooted"),
    [
        pytest.param("a/b.txt", False, id="plain"),
        pytest.param("a/C:x", True, id="drive-relative"),
        pytest.param("c:", True, id="bare-drive"),
        pytest.param("a/\\x", True, id="drive-rooted"),
        pytest.param("\\\\server\\share/x", True, id="unc"),
        pytest.param("ab:c", False, id="not-a-drive"),
        pytest.param("a\\b/c", False, id="inner-backslash"),
    ],
)
def test_windows_rooted_segments(key: str, rooted: bool) -> None:
    assert windows_rooted_segment(key.lstrip("/").split("/")) is rooted


def test_windows_paths_refuse_a_key_that_would_leave_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    root = LocalRoot("target")
    monkeypatch.setattr(paths, "_WINDOWS_PATHS", True)
    with pytest.raises(DirectoryTraversalError):
        root.path_of("a/C:evil")
    assert root.path_of("a/b") == os.path.join("target", "a", "b")


def test_without_proc_the_file_mode_is_0o644(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    assert atomic.default_file_mode() == 0o644
