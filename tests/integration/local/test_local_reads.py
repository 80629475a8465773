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
        assert await content.read_range(0, 5000) == (b"0123456789" * 500)
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
