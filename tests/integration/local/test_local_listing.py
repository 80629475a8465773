"""LocalObjectStorage.list_objects on real directory trees (reference §11.3, §3.1, §2.1)."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from s3syncpy.adapters.local.hashing import hash_entries
from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.local.walk import FileEntry
from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import LocalLocation
from tests.support.unprivileged import run_unprivileged

MiB = 1024 * 1024
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks, permissions and FIFOs")


def make_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


async def list_all(storage: LocalObjectStorage, options: ListingOptions | None = None) -> dict[str, ObjectInfo]:
    found: dict[str, ObjectInfo] = {}
    async for info in storage.list_objects(options or ListingOptions()):
        assert info.key not in found, f"{info.key} listed twice"
        found[info.key] = info
    return found


def storage_for(root: Path, **kwargs: object) -> tuple[LocalObjectStorage, list[str]]:
    warnings: list[str] = []
    storage = LocalObjectStorage(LocalLocation(str(root)), on_warning=warnings.append, **kwargs)  # type: ignore[arg-type]
    return storage, warnings


async def test_lists_regular_files_with_relative_slash_keys_size_and_mtime(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.txt": b"1", "d/b.bin": b"22", "d/e/f/c": b"333"})
    (tmp_path / "empty-dir").mkdir()
    os.utime(tmp_path / "d/b.bin", ns=(1_600_000_000_123_456_789, 1_600_000_000_123_456_789))
    storage, warnings = storage_for(tmp_path)

    listed = await list_all(storage)

    assert sorted(listed) == ["a.txt", "d/b.bin", "d/e/f/c"]
    assert listed["d/e/f/c"].size == 3
    assert listed["d/b.bin"].mtime_ns == 1_600_000_000_123_456_789
    assert listed["a.txt"].e_tag is None
    assert warnings == []


async def test_missing_root_lists_nothing(tmp_path: Path) -> None:
    storage, warnings = storage_for(tmp_path / "not-there")
    assert await list_all(storage) == {}
    assert warnings == []


async def test_many_files_are_listed_once_across_batches(tmp_path: Path) -> None:
    files = {f"dir{n % 7}/sub{n % 3}/file{n}.txt": b"x" for n in range(1200)}
    make_tree(tmp_path, files)
    storage, warnings = storage_for(tmp_path, walk_batch_size=97)

    listed = await list_all(storage)

    assert sorted(listed) == sorted(files)
    assert warnings == []


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to count descriptors")
async def test_abandoning_a_listing_releases_the_directory_handles(tmp_path: Path) -> None:
    make_tree(tmp_path, {f"d{n}/e{n}/f{m}": b"" for n in range(20) for m in range(20)})
    storage, _ = storage_for(tmp_path, walk_batch_size=10)
    before = _open_fds()
    listing = storage.list_objects(ListingOptions())

    first = [await anext(listing) for _ in range(15)]
    assert _open_fds() > before  # the walk holds directory handles mid-way
    await listing.aclose()  # type: ignore[attr-defined]

    # The batch walked ahead in a worker thread may finish after aclose; it closes its handles then.
    for _ in range(100):
        if _open_fds() == before:
            break
        await asyncio.sleep(0.02)
    assert _open_fds() == before
    assert len({info.key for info in first}) == 15


@posix_only
async def test_symlinks_are_followed_by_default(tmp_path: Path) -> None:
    make_tree(tmp_path, {"real/f.txt": b"data", "other.txt": b"o"})
    (tmp_path / "linkdir").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "linkfile.txt").symlink_to(tmp_path / "real" / "f.txt")
    storage, warnings = storage_for(tmp_path)

    listed = await list_all(storage)

    assert sorted(listed) == ["linkdir/f.txt", "linkfile.txt", "other.txt", "real/f.txt"]
    assert listed["linkfile.txt"].size == 4
    assert warnings == []


@posix_only
async def test_ignore_symlinks_skips_every_symlink_entry(tmp_path: Path) -> None:
    make_tree(tmp_path, {"real/f.txt": b"data"})
    (tmp_path / "linkdir").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "linkfile.txt").symlink_to(tmp_path / "real" / "f.txt")
    storage, warnings = storage_for(tmp_path, ignore_symlinks=True)

    assert sorted(await list_all(storage)) == ["real/f.txt"]
    assert warnings == []


@posix_only
async def test_broken_symlink_is_skipped_silently(tmp_path: Path) -> None:
    make_tree(tmp_path, {"ok.txt": b"ok"})
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    storage, warnings = storage_for(tmp_path)

    assert sorted(await list_all(storage)) == ["ok.txt"]
    assert warnings == []


@posix_only
async def test_symlink_loop_terminates_with_a_warning(tmp_path: Path) -> None:
    make_tree(tmp_path, {"top.txt": b"t", "sub/inner.txt": b"i"})
    (tmp_path / "sub" / "back-to-root").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "sub" / "self").symlink_to(tmp_path / "sub" / "self")
    storage, warnings = storage_for(tmp_path)

    listed = await asyncio.wait_for(list_all(storage), 20)

    assert sorted(listed) == ["sub/inner.txt", "top.txt"]
    assert len(warnings) == 2
    assert any(w.startswith("failed to list local files.") and "back-to-root" in w for w in warnings)
    assert any(w.startswith("failed to access file.") and "self" in w for w in warnings)


@posix_only
async def test_special_files_are_not_objects(tmp_path: Path) -> None:
    make_tree(tmp_path, {"file": b"f"})
    os.mkfifo(tmp_path / "fifo")
    storage, warnings = storage_for(tmp_path)

    assert sorted(await list_all(storage)) == ["file"]
    assert warnings == []


def _list_as_unprivileged(root: str) -> dict[str, object]:
    """List `root` in a child process that cannot read what root could."""

    def body() -> dict[str, object]:
        warnings: list[str] = []
        storage = LocalObjectStorage(LocalLocation(root), on_warning=warnings.append)

        async def run() -> list[str]:
            return sorted([info.key async for info in storage.list_objects(ListingOptions())])

        return {"keys": asyncio.run(run()), "warnings": warnings}

    return run_unprivileged(body)


@posix_only
def test_unreadable_file_and_directory_give_warnings_and_are_skipped() -> None:
    # Not tmp_path: pytest's base temp is private to the user, and the listing runs as another one.
    root = tempfile.mkdtemp(prefix="s3syncpy-perm-")
    try:
        os.chmod(root, 0o755)
        make_tree(Path(root), {"ok.txt": b"ok", "secret.txt": b"s", "closed/inside.txt": b"i"})
        for parent, dirs, files in os.walk(root):
            for name in dirs:
                os.chmod(os.path.join(parent, name), 0o755)
            for name in files:
                os.chmod(os.path.join(parent, name), 0o644)
        os.chmod(os.path.join(root, "secret.txt"), 0o000)
        os.chmod(os.path.join(root, "closed"), 0o000)

        result = _list_as_unprivileged(root)
    finally:
        os.chmod(os.path.join(root, "closed"), 0o755)
        shutil.rmtree(root)

    assert result["keys"] == ["ok.txt"]
    warnings = result["warnings"]
    assert isinstance(warnings, list) and len(warnings) == 2
    assert any(w.startswith("failed to access file.") and "secret.txt" in w for w in warnings)
    assert any(w.startswith("failed to list local files.") and "closed" in w for w in warnings)


async def test_single_file_location_lists_only_that_file_by_its_bare_name(tmp_path: Path) -> None:
    make_tree(tmp_path, {"dir/README.md": b"# hi", "dir/other.txt": b"no"})
    as_name = LocalObjectStorage(LocalLocation(str(tmp_path / "dir"), single_file="README.md"))
    as_path = LocalObjectStorage(LocalLocation(str(tmp_path / "dir" / "README.md"), single_file="README.md"))

    for storage in (as_name, as_path):
        listed = await list_all(storage)
        assert list(listed) == ["README.md"]
        assert listed["README.md"].size == 4
        assert storage.describe("README.md") == str(tmp_path / "dir" / "README.md")


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()


async def test_check_etag_mode_computes_single_and_multipart_etags(tmp_path: Path) -> None:
    below = os.urandom(5 * MiB - 1)
    at_threshold = os.urandom(6 * MiB)
    above = os.urandom(13 * MiB + 17)
    make_tree(tmp_path, {"empty": b"", "small": b"hello", "below": below, "at": at_threshold, "above": above})
    storage, warnings = storage_for(tmp_path)

    listed = await list_all(storage, ListingOptions(etag_threshold=6 * MiB, etag_chunksize=5 * MiB))

    def multi(*parts: bytes) -> str:
        return f'"{hashlib.md5(b"".join(_md5(p) for p in parts)).hexdigest()}-{len(parts)}"'

    assert listed["empty"].e_tag == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert listed["small"].e_tag == '"5d41402abc4b2a76b9719d911017c592"'
    assert listed["below"].e_tag == f'"{hashlib.md5(below).hexdigest()}"'
    # size == threshold is multipart (reference §2.1)
    assert listed["at"].e_tag == multi(at_threshold[: 5 * MiB], at_threshold[5 * MiB:])
    assert listed["above"].e_tag == multi(above[: 5 * MiB], above[5 * MiB: 10 * MiB], above[10 * MiB:])
    assert listed["above"].size == len(above)
    assert warnings == []


async def test_check_etag_mode_with_one_chunk_gives_a_dash_one_etag(tmp_path: Path) -> None:
    data = os.urandom(8 * MiB)
    make_tree(tmp_path, {"eight": data})
    storage, _ = storage_for(tmp_path)

    listed = await list_all(storage, ListingOptions(etag_threshold=8 * MiB, etag_chunksize=8 * MiB))

    assert listed["eight"].e_tag == f'"{hashlib.md5(_md5(data)).hexdigest()}-1"'


@posix_only
async def test_check_etag_mode_skips_unhashable_entries_without_crashing(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a": b"a"})
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    storage, warnings = storage_for(tmp_path)

    listed = await list_all(storage, ListingOptions(etag_threshold=5 * MiB, etag_chunksize=5 * MiB))

    assert list(listed) == ["a"]
    assert warnings == []


async def test_names_that_are_not_utf8_are_skipped_with_a_warning(tmp_path: Path) -> None:
    # An S3 key must be UTF-8: a file named with raw Latin-1 bytes cannot be uploaded under its own name.
    (tmp_path / "fine.txt").write_bytes(b"ok")
    raw_name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    descriptor = os.open(raw_name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(descriptor, b"latin-1 name")
    os.close(descriptor)
    warnings: list[str] = []
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)), on_warning=warnings.append)

    keys = [obj.key async for obj in storage.list_objects(ListingOptions())]

    assert keys == ["fine.txt"]
    assert len(warnings) == 1
    assert "not valid UTF-8" in warnings[0]


async def test_check_etag_mode_lists_a_file_that_changed_size_with_an_unknown_etag(tmp_path: Path) -> None:
    # Dropping it from the listing would make --delete remove its copy on the target.
    make_tree(tmp_path, {"grows.log": b"0123456789"})
    path = tmp_path / "grows.log"
    entry = FileEntry("grows.log", str(path), 4, 7)  # the size the walk saw before the file grew
    warnings: list[str] = []

    listed = await hash_entries([entry], 5 * MiB, 5 * MiB, asyncio.Semaphore(1), warnings.append)

    assert listed == [ObjectInfo(key="grows.log", size=4, mtime_ns=7, e_tag=None)]
    assert warnings == []


async def test_a_directory_that_fails_while_being_read_is_a_listing_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An I/O error in the middle of a directory (a failing disk, a dropped network mount) leaves the listing
    # incomplete: it must end the run as an error, not as an internal crash, and never look complete.
    make_tree(tmp_path, {"bad/a": b"a", "bad/b": b"b", "good/c": b"c"})
    real_scandir = os.scandir
    broken = str(tmp_path / "bad")

    class Failing:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __iter__(self) -> Failing:
            return self

        def __next__(self) -> os.DirEntry[str]:
            raise OSError(errno.EIO, "Input/output error")

        def close(self) -> None:
            self.inner.close()

    def scandir(path: str) -> Any:
        iterator = real_scandir(path)
        return Failing(iterator) if path == broken else iterator

    monkeypatch.setattr(os, "scandir", scandir)
    storage, warnings = storage_for(tmp_path)

    with pytest.raises(StorageError, match=r"^failed to list local files\. path: .*bad, error: Input/output error$"):
        await list_all(storage)
    assert warnings == []
