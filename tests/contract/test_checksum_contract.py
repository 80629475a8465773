"""Additional checksums on write: the in-memory fake must report what a real S3 server reports (reference §2.3).

The fake stands in for S3 targets in pipeline tests, so its checksum math is checked against SeaweedFS and
against values computed here independently (hashlib, zlib, awscrt).
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from awscrt import checksums  # type: ignore[import-untyped]

from s3syncpy.application.ports.storage import ObjectStorage, PutRequest
from s3syncpy.domain.model import ChecksumAlgorithm
from tests.contract.test_object_storage_contract import payload
from tests.fakes.content import BytesContent
from tests.fakes.storage import InMemoryObjectStorage

MiB = 1024 * 1024
PARTS = [5 * MiB, 5 * MiB, 1000]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _raw(algorithm: ChecksumAlgorithm, data: bytes) -> bytes:
    if algorithm is ChecksumAlgorithm.SHA256:
        return hashlib.sha256(data).digest()
    if algorithm is ChecksumAlgorithm.SHA1:
        return hashlib.sha1(data).digest()
    if algorithm is ChecksumAlgorithm.CRC32:
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm is ChecksumAlgorithm.CRC32C:
        return int(checksums.crc32c(data)).to_bytes(4, "big")
    return int(checksums.crc64nvme(data)).to_bytes(8, "big")


def expected_checksum(algorithm: ChecksumAlgorithm, data: bytes, parts: list[int], full_object: bool) -> str:
    if not parts or full_object:
        return _b64(_raw(algorithm, data))
    digests, offset = [], 0
    for size in parts:
        digests.append(_raw(algorithm, data[offset:offset + size]))
        offset += size
    return f"{_b64(_raw(algorithm, b''.join(digests)))}-{len(parts)}"


CASES = [
    pytest.param(ChecksumAlgorithm.SHA256, False, [], id="sha256-single"),
    pytest.param(ChecksumAlgorithm.SHA256, False, PARTS, id="sha256-composite"),
    pytest.param(ChecksumAlgorithm.CRC32C, False, PARTS, id="crc32c-composite"),
    pytest.param(ChecksumAlgorithm.CRC32, True, PARTS, id="crc32-full-object"),
    pytest.param(ChecksumAlgorithm.CRC64NVME, True, PARTS, id="crc64nvme"),
]


@asynccontextmanager
async def _storage(kind: str, request: pytest.FixtureRequest, algorithm: ChecksumAlgorithm,
                   full_object: bool) -> AsyncIterator[ObjectStorage]:
    if kind == "memory":
        yield InMemoryObjectStorage(checksum_algorithm=algorithm, full_object_checksum=full_object)
        return
    from s3syncpy.adapters.s3.factory import open_s3_storage
    from s3syncpy.adapters.s3.options import S3StorageOptions
    from s3syncpy.application.settings.sections import ClientSettings
    from s3syncpy.domain.paths import S3Location

    endpoint: Any = request.getfixturevalue("s3_endpoint")
    bucket: str = request.getfixturevalue("bucket")
    settings = ClientSettings(access_key=endpoint.access_key, secret_access_key=endpoint.secret_key,
                              region=endpoint.region, endpoint_url=endpoint.endpoint_url, force_path_style=True)
    options = S3StorageOptions(checksum_algorithm=algorithm, full_object_checksum=full_object, checksum_mode=True)
    async with open_s3_storage(S3Location(bucket, ""), settings, options=options) as storage:
        yield storage


@pytest.mark.parametrize("kind", ["memory", "s3"])
@pytest.mark.parametrize(("algorithm", "full_object", "parts"), CASES)
async def test_put_reports_the_additional_checksum_s3_computes(
    request: pytest.FixtureRequest, kind: str, algorithm: ChecksumAlgorithm, full_object: bool, parts: list[int]
) -> None:
    data = payload(sum(PARTS), seed=11)
    expected = expected_checksum(algorithm, data, parts, full_object)

    async with _storage(kind, request, algorithm, full_object) as storage:
        async with BytesContent(data) as content:
            result = await storage.put_object("c", content, PutRequest(size=len(data), part_sizes=list(parts)))
        head = await storage.head_object("c")

    assert result.checksum == expected
    assert result.sent_checksum == expected
    assert head is not None
    assert head.checksums.get(algorithm.value) == expected
    full = full_object or algorithm is ChecksumAlgorithm.CRC64NVME
    assert head.checksum_type == (None if not parts else "FULL_OBJECT" if full else "COMPOSITE")
