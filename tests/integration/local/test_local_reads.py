"""LocalObjectStorage reads: head_object, open_content, Content-Type guessing (reference §4.1, §11.3)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from s3syncpy.adapters.local.content import guess_content_type
from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.domain import checksums
from s3syncpy.domain.errors import ObjectNotFoundError, TransientStorageError
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectInfo
from s3syncpy.domain.paths import LocalLocation

MiB = 1024 * 1024


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("index.html", "text/html"),
        ("dir/notes.TXT", "text/plain"),
        ("data.json", "application/json"),
        ("image.png", "image/png"),
        ("archive.gz", "application/gzip"),
        ("archive.tar.gz", "application/gzip"),
        ("no-extension", "application/octet-stream"),
        ("weird.zzzunknown", "application/octet-stream"),
        (".hidden", "application/octet-stream"),
    ],
)
def test_content_type_guess_uses_the_last_extension(key: str, expected: str) -> None:
    assert guess_content_type(key) == expected


async def test_open_content_reports_details_and_guessed_content_type(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_bytes(b"<p>hi</p>")
    os.utime(tmp_path / "page.html", ns=(1_650_000_000_500_000_000, 1_650_000_000_500_000_000))
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    async with await storage.open_content(ObjectInfo("page.html", 9, 0)) as content:
        assert content.details.info.size == 9
        assert content.details.info.mtime_ns == 1_650_000_000_500_000_000
        assert content.details.metadata.content_type == "text/html"
        assert await content.read_range(3, 2) == b"hi"


async def test_no_guess_mime_type_gives_no_content_type(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_bytes(b"x")
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)), guess_mime_type=False)

    async with await storage.open_content(ObjectInfo("page.html", 1, 0)) as content:
        assert content.details.metadata.content_type is None
    head = await storage.head_object("page.html")
    assert head is not None and head.metadata.content_type is None


async def test_large_reads_and_streams_return_exact_bytes(tmp_path: Path) -> None:
    data = os.urandom(3 * MiB + 3)
    (tmp_path / "big").write_bytes(data)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    async with await storage.open_content(ObjectInfo("big", len(data), 0)) as content:
        assert await content.read_range(MiB - 1, 2 * MiB) == data[MiB - 1: 3 * MiB - 1]
        chunks = [chunk async for chunk in content.stream(1, len(data) - 1)]
    assert b"".join(chunks) == data[1:]
    assert max(len(chunk) for chunk in chunks) <= MiB


async def test_a_file_that_shrank_after_listing_is_a_transient_error(tmp_path: Path) -> None:
    path = tmp_path / "shrinking"
    path.write_bytes(b"0123456789" * 1000)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))
    listed = [info async for info in storage.list_objects(ListingOptions())]

    async with await storage.open_content(listed[0]) as content:
        os.truncate(path, 5000)
        # Even the bytes still there are refused: the file is no longer the one opened.
        with pytest.raises(TransientStorageError, match="changed while it was read"):
            await content.read_range(0, 5000)
        with pytest.raises(TransientStorageError):
            await content.read_range(4000, 2000)
        with pytest.raises(TransientStorageError):
            _ = [chunk async for chunk in content.stream(0, 10_000)]
        with pytest.raises(TransientStorageError):
            await content.digest_range(4000, 2000, None)


@pytest.mark.parametrize("algorithm", [None, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.SHA256], ids=str)
async def test_digest_range_hashes_a_range_of_the_open_file(tmp_path: Path, algorithm: ChecksumAlgorithm | None) -> None:
    data = os.urandom(3 * MiB + 3)
    (tmp_path / "big").write_bytes(data)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))
    piece = data[MiB - 1 : 3 * MiB]

    async with await storage.open_content(ObjectInfo("big", len(data), 0)) as content:
        found = await content.digest_range(MiB - 1, len(piece), algorithm, sha256=True)

    assert found is not None
    assert found.md5 == hashlib.md5(piece).digest()
    assert found.sha256 == hashlib.sha256(piece).digest()
    assert found.checksum == (checksums.digest(algorithm, piece) if algorithm is not None else None)


async def test_open_content_of_a_directory_or_missing_file_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    with pytest.raises(ObjectNotFoundError):
        await storage.open_content(ObjectInfo("dir", 0, 0))
    with pytest.raises(ObjectNotFoundError):
        await storage.open_content(ObjectInfo("gone", 0, 0))


async def test_head_object_reports_size_mtime_and_treats_directories_as_absent(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "f").write_bytes(b"12345")
    os.utime(tmp_path / "f", ns=(1_000_000_000_000_000_001, 1_000_000_000_000_000_001))
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    head = await storage.head_object("f")
    assert head is not None
    assert (head.info.key, head.info.size, head.info.mtime_ns) == ("f", 5, 1_000_000_000_000_000_001)
    assert await storage.head_object("d") is None
    assert await storage.head_object("f/") is None
    assert await storage.head_object("f/under") is None
    assert await storage.get_object_tagging("f") == {}


def _bump_mtime(path: Path) -> None:
    """Give `path` an mtime one second later, so a change is seen whatever the file system's timestamp grain."""
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


async def test_a_file_that_grew_after_it_was_opened_is_a_transient_error(tmp_path: Path) -> None:
    """The bytes asked for are all there, but the file is no longer the one opened: sending them would store a
    truncated copy that the next run takes as up to date."""
    path = tmp_path / "growing"
    path.write_bytes(b"a" * 10_000)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    async with await storage.open_content(ObjectInfo("growing", 10_000, 0)) as content:
        with path.open("ab") as appended:
            appended.write(b"b" * 500)
        _bump_mtime(path)
        with pytest.raises(TransientStorageError, match="changed while it was read"):
            await content.read_range(0, 10_000)
        with pytest.raises(TransientStorageError, match="changed while it was read"):
            await content.read_range(0, 2_000)
        with pytest.raises(TransientStorageError, match="changed while it was read"):
            _ = [chunk async for chunk in content.stream(0, 10_000)]
        with pytest.raises(TransientStorageError, match="changed while it was read"):
            await content.digest_range(0, 10_000, None)


async def test_a_file_rewritten_in_place_with_the_same_size_is_a_transient_error(tmp_path: Path) -> None:
    path = tmp_path / "rewritten"
    data = os.urandom(3 * MiB)
    path.write_bytes(data)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    async with await storage.open_content(ObjectInfo("rewritten", len(data), 0)) as content:
        assert await content.read_range(0, MiB) == data[:MiB]
        with path.open("r+b") as rewrite:
            rewrite.seek(2 * MiB)
            rewrite.write(os.urandom(MiB))
        _bump_mtime(path)
        with pytest.raises(TransientStorageError, match="changed while it was read"):
            await content.read_range(2 * MiB, MiB)  # a large read: in a worker thread
        with pytest.raises(TransientStorageError, match="changed while it was read"):
            await content.digest_range(0, len(data), ChecksumAlgorithm.CRC32C, sha256=True)


async def test_a_change_after_the_last_read_fails_the_close(tmp_path: Path) -> None:
    """Bytes sent before the change are consistent, but once the file changed, a copy committed meanwhile would
    look up to date: the close reports it, so the object is sent again."""
    path = tmp_path / "late"
    path.write_bytes(b"x" * 100)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    content = await storage.open_content(ObjectInfo("late", 100, 0))
    assert await content.read_range(0, 100) == b"x" * 100
    with path.open("ab") as appended:
        appended.write(b"y")
    _bump_mtime(path)
    with pytest.raises(TransientStorageError, match="changed while it was read"):
        await content.aclose()
    await content.aclose()  # closed once: a second close is a no-op


async def test_an_unchanged_or_unread_file_closes_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "calm"
    path.write_bytes(b"z" * 100)
    storage = LocalObjectStorage(LocalLocation(str(tmp_path)))

    async with await storage.open_content(ObjectInfo("calm", 100, 0)) as content:
        assert await content.read_range(0, 100) == b"z" * 100
        assert [chunk async for chunk in content.stream(0, 100)] == [b"z" * 100]
    # Opened but never read (a filter or the preprocess callback dropped it): nothing was sent, nothing to report.
    async with await storage.open_content(ObjectInfo("calm", 100, 0)) as content:
        with path.open("ab") as appended:
            appended.write(b"more")
        _bump_mtime(path)
