"""The test hooks of InMemoryObjectStorage (seed, fail_on, calls) and its S3 emulation that pipeline tests use."""

from __future__ import annotations

import base64
import hashlib

import pytest
from awscrt import checksums as crt  # type: ignore[import-untyped]

from s3syncpy.application.ports.storage import ListingOptions, ObjectPart, PutRequest
from s3syncpy.domain.errors import (
    AccessDeniedError,
    DirectoryTraversalError,
    StorageError,
    TransientStorageError,
)
from s3syncpy.domain.model import NANOS_PER_SECOND, ChecksumAlgorithm, ObjectInfo
from tests.fakes.clock import FakeClock
from tests.fakes.content import BytesContent
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

MiB = 1024 * 1024


async def test_seeded_objects_are_listed_with_s3_etags() -> None:
    storage = InMemoryObjectStorage()
    storage.seed("single", b"hello", mtime_ns=5 * NANOS_PER_SECOND)
    storage.seed("multi", b"a" * (6 * MiB), part_sizes=[5 * MiB, MiB])

    listed = {info.key: info async for info in storage.list_objects(ListingOptions())}

    assert listed["single"] == ObjectInfo("single", 5, 5 * NANOS_PER_SECOND, '"5d41402abc4b2a76b9719d911017c592"')
    assert listed["multi"].e_tag is not None and listed["multi"].e_tag.endswith('-2"')
    assert storage.calls == [("list", "")]


async def test_fail_on_raises_the_given_error_the_given_number_of_times() -> None:
    storage = InMemoryObjectStorage()
    storage.seed("k", b"v")
    storage.fail_on("open", "k", TransientStorageError("reset"), times=2)
    storage.fail_on("head", "*", AccessDeniedError("no"))
    info = ObjectInfo("k", 1, 0)

    for _ in range(2):
        with pytest.raises(TransientStorageError):
            await storage.open_content(info)
    async with await storage.open_content(info) as content:
        assert await content.read_range(0, 1) == b"v"
    with pytest.raises(AccessDeniedError):
        await storage.head_object("other")
    assert await storage.head_object("other") is None


async def test_s3_mode_truncates_mtime_to_seconds_and_local_mode_keeps_the_requested_one() -> None:
    clock = iter([7 * NANOS_PER_SECOND + 123, 9 * NANOS_PER_SECOND + 456])
    s3_like = InMemoryObjectStorage(clock=lambda: next(clock))
    local_like = InMemoryObjectStorage(features=FILE_TREE)

    for storage in (s3_like, local_like):
        async with BytesContent(b"x") as content:
            await storage.put_object("k", content, PutRequest(size=1, mtime_ns=42))

    assert s3_like.objects["k"].mtime_ns == 7 * NANOS_PER_SECOND
    assert local_like.objects["k"].mtime_ns == 42
    with pytest.raises(DirectoryTraversalError):
        await local_like.head_object("../k")


async def test_fake_clock_advances_on_sleep_without_waiting() -> None:
    clock = FakeClock(start=10.0)

    await clock.sleep(2.5)
    clock.advance(0.5)

    assert clock.monotonic() == 13.0
    assert clock.sleeps == [2.5]


# ---- the S3 integrity surface the fake emulates (parts, checksums, checksum mode) ----------------------------

def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


CRC32C_ABC = _b64(int(crt.crc32c(b"abc")).to_bytes(4, "big"))  # "Nks/tw==", big-endian like S3


async def test_part_heads_and_attributes_carry_composite_part_checksums() -> None:
    storage = InMemoryObjectStorage(checksum_algorithm=ChecksumAlgorithm.SHA256)
    data = bytes(range(256)) * 10
    layout = [1000, 1560]
    storage.seed("m", data, part_sizes=layout)
    part_sums = [_b64(hashlib.sha256(data[:1000]).digest()), _b64(hashlib.sha256(data[1000:]).digest())]

    second = await storage.head_object("m", part_number=2)
    attributes = await storage.get_object_part_attributes("m")

    assert second is not None
    assert (second.info.size, second.parts_count, second.checksum_type) == (1560, 2, "COMPOSITE")
    assert second.checksums == {"SHA256": part_sums[1]}
    assert second.content_range == "bytes 1000-2559/2560"
    assert attributes == [ObjectPart(1000, part_sums[0]), ObjectPart(1560, part_sums[1])]
    assert await storage.get_object_parts("m") == layout


async def test_full_object_checksums_have_no_part_attributes_and_no_part_checksums() -> None:
    storage = InMemoryObjectStorage(checksum_algorithm=ChecksumAlgorithm.CRC64NVME)
    storage.seed("m", b"x" * 3000, part_sizes=[1000, 2000])

    head = await storage.head_object("m")
    first = await storage.head_object("m", part_number=1)

    assert head is not None and head.checksum_type == "FULL_OBJECT"
    assert first is not None and first.checksums == {}
    assert await storage.get_object_part_attributes("m") == []
    with pytest.raises(StorageError, match="InvalidPartNumber"):
        await storage.head_object("m", part_number=3)


async def test_checksum_mode_off_hides_checksums_and_seed_can_override_them() -> None:
    hidden = InMemoryObjectStorage(checksum_algorithm=ChecksumAlgorithm.CRC32, checksum_mode=False)
    hidden.seed("a", b"abc")
    shown = InMemoryObjectStorage()
    shown.seed("plain", b"abc")
    shown.seed("crc", b"abc", checksum_algorithm=ChecksumAlgorithm.CRC32C)
    shown.seed("corrupt", b"abc", checksum_algorithm=ChecksumAlgorithm.CRC32C, checksum="AAAAAA==")

    a = await hidden.head_object("a")
    plain, crc, corrupt = [await shown.head_object(key) for key in ("plain", "crc", "corrupt")]
    listed = {info.key: info async for info in shown.list_objects(ListingOptions())}

    assert a is not None and a.checksums == {}
    assert plain is not None and plain.checksums == {}
    assert crc is not None and crc.checksums == {"CRC32C": CRC32C_ABC}
    assert corrupt is not None and corrupt.checksums == {"CRC32C": "AAAAAA=="}
    assert listed["crc"].checksum_algorithm == "CRC32C" and listed["plain"].checksum_algorithm is None


async def test_put_reports_the_sent_checksum_and_local_mode_hashes_its_bytes() -> None:
    s3_like = InMemoryObjectStorage(checksum_algorithm=ChecksumAlgorithm.CRC32C)
    local = InMemoryObjectStorage(features=FILE_TREE)
    async with BytesContent(b"abc") as content:
        result = await s3_like.put_object("k", content, PutRequest(size=3))
    local.seed("f", b"abc")

    digests = await local.compute_digests("f", [3], ChecksumAlgorithm.CRC32C)

    assert result.checksum == result.sent_checksum == CRC32C_ABC
    assert await s3_like.compute_digests("k", [3]) is None
    assert digests is not None and _b64(digests.part_checksums[0]) == CRC32C_ABC
