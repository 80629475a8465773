"""Bodies streamed from a re-readable source (a local file): hashed in one pass, sent from a second read.

The digests in the headers come from the first read, so S3 must reject a body whose bytes changed in between;
without anything S3 checks (no Content-MD5, checksum or signed payload) the body is held, as before.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.s3 import S3ObjectStorage, S3StorageOptions
from s3syncpy.adapters.s3.byte_budget import ByteBudget
from s3syncpy.adapters.s3.datapath import STREAM_PIECE_SIZE
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.etag import MiB, multipart_etag
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectInfo
from s3syncpy.domain.paths import LocalLocation
from tests.fakes.content import BytesContent, RereadableContent
from tests.integration.s3.conftest import OpenStorage

PART = 5 * MiB
LAYOUT = [PART, PART, 3 * MiB + 5]


@pytest.fixture(scope="module")
def data() -> bytes:
    return os.urandom(sum(LAYOUT))


def _etag(data: bytes) -> str:
    digests, offset = [], 0
    for size in LAYOUT:
        digests.append(hashlib.md5(data[offset : offset + size]).digest())
        offset += size
    return multipart_etag(digests)


@pytest.mark.parametrize("algorithm", [None, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.SHA256], ids=str)
async def test_a_local_file_is_uploaded_in_streamed_parts(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, tmp_path: Path, data: bytes,
    algorithm: ChecksumAlgorithm | None,
) -> None:
    (tmp_path / "big.bin").write_bytes(data)
    local = LocalObjectStorage(LocalLocation(str(tmp_path)))
    info = ObjectInfo(key="big.bin", size=len(data), mtime_ns=0)
    async with (
        open_storage(part_semaphore=asyncio.Semaphore(3), options=S3StorageOptions(checksum_algorithm=algorithm))
        as storage,
        await local.open_content(info) as content,
    ):
        result = await storage.put_object("big", content, PutRequest(size=len(data), part_sizes=LAYOUT))
    assert result.e_tag == _etag(data)
    assert s3_admin.get_object(Bucket=bucket, Key="big")["Body"].read() == data
    if algorithm is ChecksumAlgorithm.CRC32C:
        assert result.sent_checksum == result.checksum
        assert result.sent_checksum is not None


async def test_a_streamed_part_is_read_in_pieces_never_whole(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, data: bytes
) -> None:
    content = RereadableContent(data)
    async with open_storage(part_semaphore=asyncio.Semaphore(2)) as storage:
        await storage.put_object("pieces", content, PutRequest(size=len(data), part_sizes=LAYOUT))
    assert sorted(content.digested) == [(0, PART), (PART, PART), (2 * PART, LAYOUT[2])]
    assert content.reads and max(length for _, length in content.reads) <= STREAM_PIECE_SIZE
    assert s3_admin.get_object(Bucket=bucket, Key="pieces")["Body"].read() == data


async def test_a_single_put_of_a_large_file_is_streamed_too(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, data: bytes
) -> None:
    body = data[: 3 * MiB]
    content = RereadableContent(body)
    async with open_storage() as storage:
        result = await storage.put_object("single", content, PutRequest(size=len(body)))
    assert content.digested == [(0, len(body))]
    assert result.part_md5s == [hashlib.md5(body).digest()]
    assert s3_admin.get_object(Bucket=bucket, Key="single")["Body"].read() == body


@pytest.mark.parametrize(
    ("content_md5", "options"),
    [
        (True, S3StorageOptions()),
        (False, S3StorageOptions(checksum_algorithm=ChecksumAlgorithm.CRC32)),
    ],
    ids=["content-md5", "checksum"],
)
async def test_bytes_changed_between_hash_and_send_are_rejected(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, data: bytes, content_md5: bool,
    options: S3StorageOptions,
) -> None:
    changed = bytes(b ^ 0xFF for b in data[:MiB]) + data[MiB:]
    request = PutRequest(size=len(data), part_sizes=LAYOUT, content_md5=content_md5)
    async with open_storage(part_semaphore=asyncio.Semaphore(1), options=options) as storage:
        with pytest.raises(StorageError):
            await storage.put_object("changed", RereadableContent(data, replacement=changed), request)
    assert "Contents" not in s3_admin.list_objects_v2(Bucket=bucket)
    assert not s3_admin.list_multipart_uploads(Bucket=bucket).get("Uploads")


@pytest.mark.parametrize("payload_signing", [True, False], ids=["signed-payload", "unsigned"])
async def test_a_body_without_content_md5_or_checksum_is_held_and_sent_as_read(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, data: bytes, payload_signing: bool
) -> None:
    content = RereadableContent(data)
    request = PutRequest(size=len(data), part_sizes=LAYOUT, content_md5=False)
    async with open_storage(options=S3StorageOptions(payload_signing=payload_signing)) as storage:
        result = await storage.put_object("held", content, request)
    assert content.digested == []
    assert sorted(content.reads) == [(0, PART), (PART, PART), (2 * PART, LAYOUT[2])]
    assert result.e_tag == _etag(data)
    assert s3_admin.get_object(Bucket=bucket, Key="held")["Body"].read() == data


class _PeakBudget(ByteBudget):
    """A budget that records the most bytes reserved at once."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.held = self.peak = 0

    async def acquire(self, size: int) -> int:
        reserved = await super().acquire(size)
        self.held += reserved
        self.peak = max(self.peak, self.held)
        return reserved

    def release(self, reserved: int) -> None:
        self.held -= reserved
        super().release(reserved)


async def test_held_parts_stay_within_the_byte_budget_whatever_the_part_count(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, data: bytes
) -> None:
    budget = _PeakBudget(PART)
    async with open_storage(part_semaphore=asyncio.Semaphore(3)) as opened:
        # A held-only source (no digest_range): every part is read whole, so each reserves its size first.
        storage = S3ObjectStorage(
            opened._client, opened.location, part_semaphore=asyncio.Semaphore(3), datapath=opened._datapath,
            held_bytes=budget,
        )
        result = await storage.put_object("budget", BytesContent(data), PutRequest(size=len(data), part_sizes=LAYOUT))
    assert budget.peak == PART  # one 5 MiB part at a time, although three permits were free
    assert budget.held == 0
    assert result.e_tag == _etag(data)
    assert s3_admin.get_object(Bucket=bucket, Key="budget")["Body"].read() == data
