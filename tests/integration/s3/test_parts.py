"""Multipart layouts as S3 describes them: HEAD partNumber=k, get_object_parts, get_object_part_attributes (§2.2)."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import pytest

from s3syncpy.adapters.s3 import S3ObjectStorage, S3StorageOptions
from s3syncpy.adapters.s3.details import object_parts
from s3syncpy.application.ports.storage import ObjectPart, PutRequest
from s3syncpy.domain.errors import ObjectNotFoundError
from s3syncpy.domain.etag import MiB
from s3syncpy.domain.model import ChecksumAlgorithm
from tests.fakes.content import BytesContent
from tests.integration.s3.conftest import OpenStorage

PART = 5 * MiB
LAYOUT = [PART, 1]


@pytest.fixture(scope="module")
def data() -> bytes:
    return os.urandom(PART + 1)


@pytest.fixture
async def sha256_storage(open_storage: OpenStorage) -> Any:
    options = S3StorageOptions(checksum_algorithm=ChecksumAlgorithm.SHA256, checksum_mode=True)
    async with open_storage(options=options) as opened:
        yield opened


async def test_supports_parts(storage: S3ObjectStorage) -> None:
    assert storage.features.supports_parts


async def test_part_head_describes_one_part(storage: S3ObjectStorage, data: bytes) -> None:
    await storage.put_object("m", BytesContent(data), PutRequest(size=len(data), part_sizes=LAYOUT))

    first = await storage.head_object("m", part_number=1)
    second = await storage.head_object("m", part_number=2)
    whole = await storage.head_object("m")

    assert first is not None and second is not None and whole is not None
    assert (first.info.size, first.parts_count) == (PART, 2)
    assert (second.info.size, second.parts_count) == (1, 2)
    assert first.content_range == f"bytes 0-{PART - 1}/{PART + 1}"
    assert whole.info.size == PART + 1
    assert whole.parts_count is None


async def test_part_head_of_a_missing_object_is_none(storage: S3ObjectStorage) -> None:
    assert await storage.head_object("absent", part_number=1) is None


async def test_get_object_parts_heads_every_part(storage: S3ObjectStorage, data: bytes) -> None:
    await storage.put_object("m", BytesContent(data), PutRequest(size=len(data), part_sizes=LAYOUT))
    await storage.put_object("s", BytesContent(data[:100]), PutRequest(size=100))

    assert await storage.get_object_parts("m") == LAYOUT
    assert await storage.get_object_parts("s") == []
    with pytest.raises(ObjectNotFoundError):
        await storage.get_object_parts("absent")


async def test_one_part_multipart_upload_has_a_part_list(storage: S3ObjectStorage, data: bytes) -> None:
    body = data[:PART]
    await storage.put_object("one", BytesContent(body), PutRequest(size=len(body), part_sizes=[PART]))

    assert await storage.get_object_parts("one") == [PART]


@pytest.mark.parametrize("max_parts", [1, 1000])
async def test_part_attributes_list_sizes_in_pages(
    sha256_storage: S3ObjectStorage, data: bytes, max_parts: int
) -> None:
    await sha256_storage.put_object("m", BytesContent(data), PutRequest(size=len(data), part_sizes=LAYOUT))

    parts = await sha256_storage.get_object_part_attributes("m", max_parts=max_parts)

    assert [part.size for part in parts] == LAYOUT
    # AWS lists each part's checksum; SeaweedFS lists sizes only. Whatever is listed must be the part's value.
    pieces = [data[:PART], data[PART:]]
    for part, piece in zip(parts, pieces, strict=True):
        assert part.checksum in (None, base64.b64encode(hashlib.sha256(piece).digest()).decode())


async def test_part_attributes_of_a_single_put_are_empty(sha256_storage: S3ObjectStorage) -> None:
    await sha256_storage.put_object("s", BytesContent(b"small"), PutRequest(size=5))

    assert await sha256_storage.get_object_part_attributes("s") == []


async def test_part_attributes_of_a_missing_object(storage: S3ObjectStorage) -> None:
    with pytest.raises(ObjectNotFoundError):
        await storage.get_object_part_attributes("absent")


def test_object_parts_reads_sizes_and_checksums_in_part_order() -> None:
    response = {
        "ObjectParts": {
            "Parts": [
                {"PartNumber": 2, "Size": 1, "ChecksumCRC32C": "bbbb"},
                {"PartNumber": 1, "Size": PART, "ChecksumCRC32C": "aaaa"},
            ]
        }
    }

    assert object_parts(response) == [ObjectPart(PART, "aaaa"), ObjectPart(1, "bbbb")]
    assert object_parts({}) == []
    assert object_parts({"ObjectParts": {"TotalPartsCount": 0}}) == []
