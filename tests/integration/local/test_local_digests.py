"""Digests of local files under a given layout: compute_digests (update checks) and temp-file validation."""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path

import pytest
from awscrt import checksums as crt  # type: ignore[import-untyped]

from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.application.ports.storage import DigestSource, FileDigests, PutRequest
from s3syncpy.domain.errors import DirectoryTraversalError, ObjectNotFoundError
from s3syncpy.domain.model import ChecksumAlgorithm
from s3syncpy.domain.paths import LocalLocation
from tests.fakes.content import BytesContent

LAYOUT = [4096, 4096, 17]
DATA = os.urandom(sum(LAYOUT))


def pieces(data: bytes, sizes: list[int]) -> list[bytes]:
    out, offset = [], 0
    for size in sizes:
        out.append(data[offset:offset + size])
        offset += size
    return out


def raw(algorithm: ChecksumAlgorithm, data: bytes) -> bytes:
    if algorithm is ChecksumAlgorithm.SHA1:
        return hashlib.sha1(data).digest()
    if algorithm is ChecksumAlgorithm.SHA256:
        return hashlib.sha256(data).digest()
    if algorithm is ChecksumAlgorithm.CRC32:
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm is ChecksumAlgorithm.CRC32C:
        return int(crt.crc32c(data)).to_bytes(4, "big")
    return int(crt.crc64nvme(data)).to_bytes(8, "big")


@pytest.fixture
def storage(tmp_path: Path) -> LocalObjectStorage:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "file.bin").write_bytes(DATA)
    (tmp_path / "empty").write_bytes(b"")
    return LocalObjectStorage(LocalLocation(str(tmp_path)))


@pytest.mark.parametrize("algorithm", list(ChecksumAlgorithm), ids=lambda a: a.value)
async def test_compute_digests_per_part(storage: LocalObjectStorage, algorithm: ChecksumAlgorithm) -> None:
    full = algorithm not in (ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256)

    digests = await storage.compute_digests("dir/file.bin", LAYOUT, algorithm, full_object=True)

    assert digests is not None
    assert digests.part_md5s == [hashlib.md5(p).digest() for p in pieces(DATA, LAYOUT)]
    assert digests.part_checksums == [raw(algorithm, p) for p in pieces(DATA, LAYOUT)]
    # SHA algorithms have no full-object form: the flag is ignored rather than an error.
    assert digests.full_checksum == (raw(algorithm, DATA) if full else None)
    assert digests.total_size == len(DATA)


async def test_compute_digests_md5_only_and_empty_file(storage: LocalObjectStorage) -> None:
    whole = await storage.compute_digests("dir/file.bin", [len(DATA)])
    empty = await storage.compute_digests("empty", [0], ChecksumAlgorithm.CRC32C)

    assert whole == FileDigests([hashlib.md5(DATA).digest()], [], None, len(DATA))
    assert empty is not None and empty.part_checksums == [b"\0\0\0\0"]


async def test_compute_digests_refuses_a_layout_of_another_size(storage: LocalObjectStorage) -> None:
    with pytest.raises(ValueError, match="part sizes"):
        await storage.compute_digests("dir/file.bin", [len(DATA) + 1])


async def test_compute_digests_of_missing_or_unsafe_keys(storage: LocalObjectStorage) -> None:
    with pytest.raises(ObjectNotFoundError):
        await storage.compute_digests("dir/absent", [1])
    with pytest.raises(DirectoryTraversalError):
        await storage.compute_digests("../outside", [1])


async def test_part_number_is_ignored_by_head(storage: LocalObjectStorage) -> None:
    details = await storage.head_object("dir/file.bin", part_number=2)
    assert details is not None and details.info.size == len(DATA) and details.parts_count is None
    assert not storage.features.supports_parts
    assert await storage.get_object_parts("dir/file.bin") == []


async def test_validation_sees_checksums_of_the_temp_file(storage: LocalObjectStorage, tmp_path: Path) -> None:
    seen: list[FileDigests] = []

    async def validate(source: DigestSource) -> bool:
        seen.append(await source.digests(LAYOUT, ChecksumAlgorithm.CRC64NVME, full_object=True))
        seen.append(await source.digests(LAYOUT, ChecksumAlgorithm.SHA256))
        return True

    async with BytesContent(DATA) as content:
        await storage.put_object("new.bin", content, PutRequest(size=len(DATA), part_sizes=LAYOUT,
                                                               validate=validate))

    crc, sha = seen
    assert crc.full_checksum == raw(ChecksumAlgorithm.CRC64NVME, DATA)
    assert crc.part_checksums == [raw(ChecksumAlgorithm.CRC64NVME, p) for p in pieces(DATA, LAYOUT)]
    assert sha.part_checksums == [raw(ChecksumAlgorithm.SHA256, p) for p in pieces(DATA, LAYOUT)]
    assert sha.full_checksum is None
    assert (tmp_path / "new.bin").read_bytes() == DATA


@pytest.mark.parametrize("chunk_size", [len(DATA), 4096], ids=["one-chunk", "chunks"])
async def test_validation_of_a_single_stream_hashes_the_written_bytes(
    storage: LocalObjectStorage, tmp_path: Path, chunk_size: int
) -> None:
    # One chunk is hashed from memory, several from the temp file: both must give the digests of the bytes.
    seen: list[FileDigests] = []

    async def validate(source: DigestSource) -> bool:
        seen.append(await source.digests(LAYOUT, ChecksumAlgorithm.CRC32, full_object=True))
        seen.append(await source.digests([len(DATA)]))
        return True

    async with BytesContent(DATA, chunk_size=chunk_size) as content:
        await storage.put_object("single.bin", content, PutRequest(size=len(DATA), validate=validate))

    crc, md5 = seen
    assert crc.part_md5s == [hashlib.md5(p).digest() for p in pieces(DATA, LAYOUT)]
    assert crc.part_checksums == [raw(ChecksumAlgorithm.CRC32, p) for p in pieces(DATA, LAYOUT)]
    assert crc.full_checksum == raw(ChecksumAlgorithm.CRC32, DATA)
    assert md5.part_md5s == [hashlib.md5(DATA).digest()] and md5.total_size == len(DATA)
    assert (tmp_path / "single.bin").read_bytes() == DATA
