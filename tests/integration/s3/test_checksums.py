"""Additional checksums on uploads: every PutObject / UploadPart carries our value, S3 checks it (reference §2.3-2.4).

The expected values are computed here independently of the adapter (hashlib, zlib, awscrt), and compared with
what the adapter sent, what it computed over the sent bytes (`sent_checksum`) and what SeaweedFS stored.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import zlib
from collections.abc import Mapping
from typing import Any

import pytest
from awscrt import checksums as crt  # type: ignore[import-untyped]

from s3syncpy.adapters.s3 import S3ObjectStorage, S3StorageOptions
from s3syncpy.adapters.s3.checksums import full_object_checksum
from s3syncpy.adapters.s3.datapath import BotocoreDataPath, WriteResponse
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.etag import MiB
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectInfo
from s3syncpy.domain.paths import S3Location
from tests.fakes.content import BytesContent
from tests.integration.s3.conftest import OpenStorage

PART = 5 * MiB
LAYOUT = [PART, 1]
SINGLE_SIZE = 1000


@pytest.fixture(scope="module")
def data() -> bytes:
    return os.urandom(PART + 1)


def raw_digest(algorithm: ChecksumAlgorithm, data: bytes) -> bytes:
    """The raw digest, computed without the adapter's code (CRCs big-endian)."""
    if algorithm is ChecksumAlgorithm.SHA1:
        return hashlib.sha1(data).digest()
    if algorithm is ChecksumAlgorithm.SHA256:
        return hashlib.sha256(data).digest()
    if algorithm is ChecksumAlgorithm.CRC32:
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm is ChecksumAlgorithm.CRC32C:
        return int(crt.crc32c(data)).to_bytes(4, "big")
    return int(crt.crc64nvme(data)).to_bytes(8, "big")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def split(data: bytes, sizes: list[int]) -> list[bytes]:
    pieces, offset = [], 0
    for size in sizes:
        pieces.append(data[offset:offset + size])
        offset += size
    return pieces


def expected_object_checksum(algorithm: ChecksumAlgorithm, data: bytes, sizes: list[int], full: bool) -> str:
    if not sizes or full:
        return b64(raw_digest(algorithm, data))
    joined = b"".join(raw_digest(algorithm, piece) for piece in split(data, sizes))
    return f"{b64(raw_digest(algorithm, joined))}-{len(sizes)}"


class RecordingDataPath(BotocoreDataPath):
    """Records the parameters of every PutObject / UploadPart; optionally replaces checksum values (a corrupt
    value must be rejected by the server: the test-only seam for BadDigest)."""

    def __init__(self, client: Any, location: S3Location, corrupt_checksum: bool = False) -> None:
        super().__init__(client, location)
        self.sent: dict[int, dict[str, Any]] = {}
        self._corrupt = corrupt_checksum

    def _record(self, params: Mapping[str, Any], number: int) -> dict[str, Any]:
        params = dict(params)
        if self._corrupt:
            algorithm = ChecksumAlgorithm(params["ChecksumAlgorithm"])
            params[f"Checksum{algorithm.value}"] = b64(raw_digest(algorithm, b"other bytes"))
        self.sent[number] = params
        return params

    async def put_object(self, key: str, body: bytes, params: Mapping[str, Any]) -> WriteResponse:
        return await super().put_object(key, body, self._record(params, 0))

    async def upload_part(
        self, key: str, upload_id: str, part_number: int, body: bytes, params: Mapping[str, Any]
    ) -> WriteResponse:
        return await super().upload_part(key, upload_id, part_number, body, self._record(params, part_number))


def recording(
    storage: S3ObjectStorage, options: S3StorageOptions, corrupt: bool = False
) -> tuple[S3ObjectStorage, RecordingDataPath]:
    client = storage._client  # the fixture's open client, shared
    datapath = RecordingDataPath(client, storage.location, corrupt)
    return (
        S3ObjectStorage(client, storage.location, part_semaphore=asyncio.Semaphore(2), options=options,
                        datapath=datapath),
        datapath,
    )


ALGORITHMS = list(ChecksumAlgorithm)


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: a.value)
async def test_single_put_carries_our_checksum(
    storage: S3ObjectStorage, data: bytes, algorithm: ChecksumAlgorithm
) -> None:
    body = data[:SINGLE_SIZE]
    options = S3StorageOptions(checksum_algorithm=algorithm, checksum_mode=True)
    writer, datapath = recording(storage, options)

    result = await writer.put_object("single", BytesContent(body), PutRequest(size=len(body)))
    head = await writer.head_object("single")

    expected = b64(raw_digest(algorithm, body))
    assert datapath.sent[0]["ChecksumAlgorithm"] == algorithm.value
    assert datapath.sent[0][f"Checksum{algorithm.value}"] == expected
    assert result.sent_checksum == expected
    assert result.checksum == expected
    assert head is not None and head.checksums == {algorithm.value: expected}


MULTIPART_CASES = [
    pytest.param(ChecksumAlgorithm.SHA1, False, id="SHA1-composite"),
    pytest.param(ChecksumAlgorithm.SHA256, False, id="SHA256-composite"),
    pytest.param(ChecksumAlgorithm.CRC32, False, id="CRC32-composite"),
    pytest.param(ChecksumAlgorithm.CRC32C, False, id="CRC32C-composite"),
    pytest.param(ChecksumAlgorithm.CRC32, True, id="CRC32-full-object"),
    pytest.param(ChecksumAlgorithm.CRC32C, True, id="CRC32C-full-object"),
    pytest.param(ChecksumAlgorithm.CRC64NVME, False, id="CRC64NVME-always-full-object"),
]


@pytest.mark.parametrize(("algorithm", "full_flag"), MULTIPART_CASES)
async def test_multipart_put_carries_every_part_checksum(
    storage: S3ObjectStorage, data: bytes, algorithm: ChecksumAlgorithm, full_flag: bool
) -> None:
    options = S3StorageOptions(checksum_algorithm=algorithm, full_object_checksum=full_flag, checksum_mode=True)
    writer, datapath = recording(storage, options)
    full = full_flag or algorithm is ChecksumAlgorithm.CRC64NVME

    result = await writer.put_object("multi", BytesContent(data), PutRequest(size=len(data), part_sizes=LAYOUT))
    head = await writer.head_object("multi")

    expected = expected_object_checksum(algorithm, data, LAYOUT, full)
    for number, piece in enumerate(split(data, LAYOUT), start=1):
        assert datapath.sent[number]["ChecksumAlgorithm"] == algorithm.value
        assert datapath.sent[number][f"Checksum{algorithm.value}"] == b64(raw_digest(algorithm, piece))
    assert result.sent_checksum == expected
    assert result.checksum == expected
    assert head is not None
    assert head.checksums == {algorithm.value: expected}
    assert head.checksum_type == ("FULL_OBJECT" if full else "COMPOSITE")


@pytest.mark.parametrize(
    ("algorithm", "layout"),
    [
        pytest.param(ChecksumAlgorithm.CRC32C, [], id="single-CRC32C"),
        pytest.param(ChecksumAlgorithm.SHA256, LAYOUT, id="multipart-SHA256"),
        pytest.param(ChecksumAlgorithm.CRC64NVME, LAYOUT, id="multipart-CRC64NVME"),
    ],
)
async def test_server_rejects_a_wrong_checksum(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str, data: bytes, algorithm: ChecksumAlgorithm,
    layout: list[int],
) -> None:
    writer, _ = recording(storage, S3StorageOptions(checksum_algorithm=algorithm), corrupt=True)

    with pytest.raises(StorageError) as raised:
        await writer.put_object("corrupt", BytesContent(data), PutRequest(size=len(data), part_sizes=layout))

    assert "BadDigest" in str(raised.value) or "InvalidDigest" in str(raised.value)
    assert s3_admin.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert s3_admin.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


async def test_without_an_algorithm_no_checksum_is_sent(storage: S3ObjectStorage, data: bytes) -> None:
    writer, datapath = recording(storage, S3StorageOptions())

    result = await writer.put_object("plain", BytesContent(data), PutRequest(size=len(data), part_sizes=LAYOUT))

    assert result.checksum is None and result.sent_checksum is None
    for params in datapath.sent.values():
        assert not any(name.startswith("Checksum") for name in params)


async def test_checksum_mode_reports_checksums_on_head_and_get(open_storage: OpenStorage, data: bytes) -> None:
    body = data[:SINGLE_SIZE]
    expected = b64(raw_digest(ChecksumAlgorithm.SHA256, body))
    writer_options = S3StorageOptions(checksum_algorithm=ChecksumAlgorithm.SHA256)
    async with open_storage(options=writer_options) as writer:
        await writer.put_object("c", BytesContent(body), PutRequest(size=len(body)))

    async with open_storage(options=S3StorageOptions(checksum_mode=True)) as reader:
        head = await reader.head_object("c")
        async with await reader.open_content(ObjectInfo("c", len(body), 0)) as content:
            got = await content.read_range(0, len(body))
            details = content.details

    assert got == body
    assert head is not None and head.checksums == {"SHA256": expected}
    assert details.checksums == {"SHA256": expected}


async def test_botocore_does_not_validate_get_bodies_itself(open_storage: OpenStorage, data: bytes) -> None:
    body = data[:SINGLE_SIZE]
    async with open_storage(options=S3StorageOptions(checksum_algorithm=ChecksumAlgorithm.CRC32)) as writer:
        await writer.put_object("c", BytesContent(body), PutRequest(size=len(body)))
    planned: list[object] = []

    def observe(context: dict[str, Any], **_: Any) -> None:
        # What botocore's response handler will validate against: nothing, once our hook has run.
        planned.append(context.get("checksum", {}).get("response_algorithms"))

    async with open_storage() as opened:
        client = opened._client
        # The botocore data path explicitly: the property under test is how the storage configures the client.
        reader = S3ObjectStorage(client, opened.location, part_semaphore=asyncio.Semaphore(1),
                                 options=S3StorageOptions(checksum_mode=True),
                                 datapath=BotocoreDataPath(client, opened.location))
        client.meta.events.register("after-call.s3.GetObject", observe)
        async with await reader.open_content(ObjectInfo("c", len(body), 0)) as content:
            assert await content.read_range(0, len(body)) == body
            assert content.details.checksums == {"CRC32": b64(raw_digest(ChecksumAlgorithm.CRC32, body))}

    # We verify checksums ourselves, per object; botocore would hash every body a second time.
    assert planned == [None]


@pytest.mark.parametrize("algorithm", [ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C,
                                       ChecksumAlgorithm.CRC64NVME], ids=lambda a: a.value)
def test_full_object_checksum_combines_part_crcs(algorithm: ChecksumAlgorithm) -> None:
    data = os.urandom(3000)
    sizes = [0, 1000, 1, 1999]
    parts = [(raw_digest(algorithm, piece), len(piece)) for piece in split(data, sizes)]

    assert full_object_checksum(algorithm, parts) == raw_digest(algorithm, data)


def test_sha_has_no_full_object_form() -> None:
    with pytest.raises(ValueError, match="full-object"):
        full_object_checksum(ChecksumAlgorithm.SHA256, [(b"x" * 32, 1)])
