"""LocalObjectStorage writes and deletes on a real directory (reference §11.1, §11.2)."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from pathlib import Path

import pytest

from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.local.temp_files import TEMP_PREFIX
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.domain.errors import DirectoryTraversalError, StorageError
from s3syncpy.domain.paths import LocalLocation
from tests.fakes.content import BytesContent, StallingContent

MiB = 1024 * 1024


def all_files(root: Path) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(parent, name), root) for parent, _d, files in os.walk(root) for name in files
    )


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return tmp_path / "target"


@pytest.fixture
def storage(target: Path) -> LocalObjectStorage:
    return LocalObjectStorage(LocalLocation(str(target)))


async def put(storage: LocalObjectStorage, key: str, data: bytes, **kwargs: object) -> None:
    async with BytesContent(data) as content:
        result = await storage.put_object(key, content, PutRequest(size=len(data), **kwargs))  # type: ignore[arg-type]
    assert result.committed


async def test_put_creates_the_target_directory_and_parents_on_demand(storage: LocalObjectStorage,
                                                                     target: Path) -> None:
    await put(storage, "a/b/c.txt", b"abc")

    assert (target / "a" / "b" / "c.txt").read_bytes() == b"abc"
    assert all_files(target) == ["a/b/c.txt"]


async def test_put_sets_the_requested_mtime_with_nanoseconds(storage: LocalObjectStorage, target: Path) -> None:
    await put(storage, "t.bin", b"x", mtime_ns=1_700_000_000_000_000_000)
    await put(storage, "u.bin", b"y", mtime_ns=1_700_000_001_250_000_000)

    assert os.stat(target / "t.bin").st_mtime_ns == 1_700_000_000_000_000_000
    assert os.stat(target / "u.bin").st_mtime_ns == 1_700_000_001_250_000_000


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
async def test_written_files_get_the_umask_mode_not_the_temp_file_mode(storage: LocalObjectStorage,
                                                                     target: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)

    await put(storage, "mode.txt", b"m")

    # mkstemp alone would leave 0o600
    assert stat.S_IMODE(os.stat(target / "mode.txt").st_mode) == 0o666 & ~umask


async def test_multipart_put_writes_parts_at_their_offsets(storage: LocalObjectStorage, target: Path) -> None:
    data = os.urandom(3 * MiB + 5)
    counted: list[int] = []
    async with BytesContent(data) as content:
        await storage.put_object(
            "p", content, PutRequest(size=len(data), part_sizes=[MiB, MiB, MiB, 5], on_bytes=counted.append)
        )

    assert (target / "p").read_bytes() == data
    assert sorted(counted) == [5, MiB, MiB, MiB]


async def test_part_sizes_that_do_not_add_up_are_refused(storage: LocalObjectStorage, target: Path) -> None:
    async with BytesContent(b"12345") as content:
        with pytest.raises(StorageError):
            await storage.put_object("bad", content, PutRequest(size=5, part_sizes=[2, 2]))
    assert not target.exists() or all_files(target) == []


@pytest.mark.parametrize("key", ["../escape", "a/../../escape", "./x", ".", "a/..", "sub/.. /x", "..\\x"])
async def test_traversal_keys_are_rejected_and_nothing_is_written(tmp_path: Path, storage: LocalObjectStorage,
                                                                key: str) -> None:
    before = all_files(tmp_path)

    with pytest.raises(DirectoryTraversalError):
        await put(storage, key, b"evil")
    with pytest.raises(DirectoryTraversalError):
        await storage.head_object(key)
    with pytest.raises(DirectoryTraversalError):
        await storage.delete_object(key)

    assert all_files(tmp_path) == before


async def test_dotted_names_and_absolute_looking_keys_stay_inside(storage: LocalObjectStorage, target: Path) -> None:
    await put(storage, "..jpg", b"1")
    await put(storage, "jpg.", b"2")
    await put(storage, "/etc/passwd", b"3")

    assert (target / "..jpg").read_bytes() == b"1"
    assert (target / "etc" / "passwd").read_bytes() == b"3"
    assert all_files(target) == ["..jpg", "etc/passwd", "jpg."]


async def test_directory_marker_creates_the_directory_only(storage: LocalObjectStorage, target: Path) -> None:
    await put(storage, "empty/dir/", b"")

    assert (target / "empty" / "dir").is_dir()
    assert all_files(target) == []
    head = await storage.head_object("empty/dir/")
    assert head is not None and head.info.size == 0
    assert await storage.head_object("empty/dir") is None  # a directory is not an object


async def test_directory_marker_with_content_is_refused(storage: LocalObjectStorage, target: Path) -> None:
    with pytest.raises(StorageError):
        await put(storage, "dir/", b"not empty")
    assert not (target / "dir").exists()


async def test_key_under_an_existing_file_is_a_storage_error(storage: LocalObjectStorage, target: Path) -> None:
    await put(storage, "a", b"file")

    with pytest.raises(StorageError) as caught:
        await put(storage, "a/b", b"child")

    assert caught.value.key == "a/b"
    assert (target / "a").read_bytes() == b"file"
    assert all_files(target) == ["a"]


async def test_key_naming_an_existing_directory_is_a_storage_error_and_leaves_no_temp(
    storage: LocalObjectStorage, target: Path
) -> None:
    await put(storage, "d/inner", b"inner")

    with pytest.raises(StorageError):
        await put(storage, "d", b"would replace a directory")

    assert all_files(target) == ["d/inner"]


@pytest.mark.parametrize("part_sizes", [[], [MiB, MiB, 100]], ids=["stream", "parts"])
async def test_cancelling_a_put_mid_way_removes_the_temp_file(storage: LocalObjectStorage, target: Path,
                                                              part_sizes: list[int]) -> None:
    await put(storage, "keep.bin", b"previous")
    data = os.urandom(2 * MiB + 100)
    content = StallingContent(data, stall_at=MiB + 10, chunk_size=256 * 1024)
    task = asyncio.create_task(
        storage.put_object("keep.bin", content, PutRequest(size=len(data), part_sizes=part_sizes))
    )
    await asyncio.wait_for(content.stalled.wait(), 10)
    assert any(name.startswith(TEMP_PREFIX) for name in os.listdir(target))

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert all_files(target) == ["keep.bin"]
    assert (target / "keep.bin").read_bytes() == b"previous"


async def test_validation_error_removes_the_temp_file(storage: LocalObjectStorage, target: Path) -> None:
    async def broken(source: object) -> bool:
        raise RuntimeError("validator bug")

    with pytest.raises(RuntimeError):
        await put(storage, "v.txt", b"data", validate=broken)

    assert all_files(target) == []


async def test_delete_removes_files_but_never_directories(storage: LocalObjectStorage, target: Path) -> None:
    await put(storage, "dir/file", b"f")
    await put(storage, "other", b"o")

    await storage.delete_object("dir/file")
    await storage.delete_object("dir")
    await storage.delete_object("dir/")
    await storage.delete_object("missing/deeper")
    await storage.delete_object("other/under-a-file")

    assert (target / "dir").is_dir()
    assert all_files(target) == ["other"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
async def test_delete_of_a_symlinked_file_removes_the_link_not_the_target(tmp_path: Path,
                                                                         storage: LocalObjectStorage,
                                                                         target: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep me")
    target.mkdir()
    (target / "link").symlink_to(outside)

    await storage.delete_object("link")

    assert not (target / "link").exists()
    assert outside.read_bytes() == b"keep me"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="names descriptors through /proc/self/fd")
@pytest.mark.parametrize(
    ("size", "part_sizes"),
    [pytest.param(10, [], id="one-stream"), pytest.param(3 * MiB, [MiB, MiB, MiB], id="parts")],
)
async def test_the_written_bytes_reach_the_disk_before_the_rename(
    storage: LocalObjectStorage, target: Path, monkeypatch: pytest.MonkeyPatch, size: int, part_sizes: list[int]
) -> None:
    # Without the fsync, a crash soon after the rename can leave an empty or partial file under the final name.
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(source: str, destination: str) -> None:
        events.append(("replace", os.path.realpath(source)))
        real_replace(source, destination)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)

    await put(storage, "f.bin", os.urandom(size), part_sizes=part_sizes)

    assert [kind for kind, _ in events] == ["fsync", "replace"]
    assert events[0][1] == events[1][1]  # the temp file itself was synced
    assert (target / "f.bin").stat().st_size == size


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
async def test_delete_never_reaches_through_a_symlinked_directory_out_of_the_target(
    tmp_path: Path, storage: LocalObjectStorage, target: Path
) -> None:
    # The listing follows the link, so `elsewhere/victim` looks like a target file; deleting it would remove a
    # file that is not under the target directory at all.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_bytes(b"keep me")
    target.mkdir()
    (target / "inside").mkdir()
    (target / "inside" / "mine").write_bytes(b"x")
    (target / "elsewhere").symlink_to(outside, target_is_directory=True)
    (target / "alias").symlink_to(target / "inside", target_is_directory=True)

    with pytest.raises(DirectoryTraversalError, match="symlinked directory outside the target"):
        await storage.delete_object("elsewhere/victim")
    await storage.delete_object("alias/mine")  # a link that stays inside the tree is fine

    assert (outside / "victim").read_bytes() == b"keep me"
    assert not (target / "inside" / "mine").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
async def test_put_never_writes_through_a_symlinked_directory_out_of_the_target(
    tmp_path: Path, storage: LocalObjectStorage, target: Path
) -> None:
    """The rule of deletes applies to writes: files, deeper files and directory markers alike."""
    outside = tmp_path / "outside"
    outside.mkdir()
    target.mkdir()
    (target / "inside").mkdir()
    (target / "elsewhere").symlink_to(outside, target_is_directory=True)
    (target / "alias").symlink_to(target / "inside", target_is_directory=True)

    for key in ("elsewhere/x", "elsewhere/deeper/y", "elsewhere/marker/", "elsewhere/"):
        with pytest.raises(DirectoryTraversalError, match="symlinked directory outside the target"):
            async with BytesContent(b"" if key.endswith("/") else b"data") as content:
                await storage.put_object(key, content, PutRequest(size=0 if key.endswith("/") else 4))
    await put(storage, "alias/z", b"inside")  # a link that stays inside the tree is fine

    assert list(outside.iterdir()) == []
    assert (target / "inside" / "z").read_bytes() == b"inside"


class SwapsDirectoryForLink(BytesContent):
    """Bytes whose first read moves the directory being written outside the target and leaves a link to it."""

    def __init__(self, data: bytes, directory: Path, outside: Path) -> None:
        super().__init__(data)
        self._directory = directory
        self._outside = outside
        self._swapped = False

    async def _before_read(self, offset: int, length: int) -> None:
        if not self._swapped:
            self._swapped = True
            self._directory.rename(self._outside)
            self._directory.symlink_to(self._outside, target_is_directory=True)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
async def test_a_directory_swapped_for_an_outside_link_during_a_put_is_caught_before_the_rename(
    tmp_path: Path, storage: LocalObjectStorage, target: Path
) -> None:
    (target / "a").mkdir(parents=True)
    outside = tmp_path / "moved-out"

    with pytest.raises(DirectoryTraversalError, match="symlinked directory outside the target"):
        async with SwapsDirectoryForLink(b"payload", target / "a", outside) as content:
            await storage.put_object("a/f", content, PutRequest(size=7))

    assert list(outside.iterdir()) == []  # neither the file nor its temp file
