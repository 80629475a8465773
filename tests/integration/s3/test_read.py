"""HeadObject, GetObject (full, ranged, streamed) and GetObjectTagging through S3ObjectStorage."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest

from s3syncpy.adapters.s3 import S3ObjectStorage
from s3syncpy.domain.errors import ObjectNotFoundError, PreconditionFailedError, TransientStorageError
from s3syncpy.domain.model import ObjectInfo
from tests.integration.s3.conftest import OpenStorage

DATA = bytes(range(256)) * 40  # 10,240 bytes


def _info(key: str, size: int = len(DATA)) -> ObjectInfo:
    return ObjectInfo(key=key, size=size, mtime_ns=0)


async def test_head_reports_metadata_tags_and_size(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str
) -> None:
    s3_admin.put_object(
        Bucket=bucket,
        Key="doc.txt",
        Body=DATA,
        ContentType="text/plain",
        CacheControl="max-age=60",
        ContentDisposition="inline",
        ContentLanguage="en",
        Metadata={"Origin": "test", "n": "1"},
        Tagging="a=1&b=2",
    )

    details = await storage.head_object("doc.txt")

    assert details is not None
    assert details.info.key == "doc.txt"
    assert details.info.size == len(DATA)
    assert details.info.e_tag == f'"{hashlib.md5(DATA).hexdigest()}"'
    assert details.info.mtime_ns > 0
    assert details.metadata.content_type == "text/plain"
    assert details.metadata.cache_control == "max-age=60"
    assert details.metadata.content_disposition == "inline"
    assert details.metadata.content_language == "en"
    assert details.user_metadata == {"origin": "test", "n": "1"}
    assert details.tag_count == 2
    assert details.encryption.allows_md5_etag


async def test_head_of_a_missing_object_is_none(storage: S3ObjectStorage) -> None:
    assert await storage.head_object("nope") is None


async def test_head_under_a_prefix_joins_textually(
    open_storage: OpenStorage, s3_admin: Any, bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="pre-x", Body=b"1")
    async with open_storage("pre-") as storage:
        details = await storage.head_object("x")
        assert storage.describe("x") == "pre-x"
    assert details is not None and details.info.size == 1


async def test_full_get_serves_reads_from_the_open_body(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str
) -> None:
    s3_admin.put_object(
        Bucket=bucket, Key="obj", Body=DATA, Metadata={"k": "v"}, ContentType="application/x-a"
    )

    async with await storage.open_content(_info("obj")) as content:
        assert content.details.info.size == len(DATA)
        assert content.details.user_metadata == {"k": "v"}
        assert content.details.metadata.content_type == "application/x-a"
        assert content.details.content_range is None
        assert await content.read_range(0, 100) == DATA[:100]
        assert await content.read_range(100, len(DATA) - 100) == DATA[100:]
        # The body is consumed now: further reads are ranged GETs.
        assert await content.read_range(5, 10) == DATA[5:15]


async def test_first_range_then_ranged_gets(storage: S3ObjectStorage, s3_admin: Any, bucket: str) -> None:
    s3_admin.put_object(Bucket=bucket, Key="obj", Body=DATA)

    async with await storage.open_content(_info("obj"), first_range=(0, 4096)) as content:
        assert content.details.info.size == len(DATA)
        assert content.details.content_range == f"bytes 0-4095/{len(DATA)}"
        assert await content.read_range(0, 4096) == DATA[:4096]
        assert await content.read_range(4096, len(DATA) - 4096) == DATA[4096:]


async def test_out_of_order_reads_use_ranged_gets(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="obj", Body=DATA)

    async with await storage.open_content(_info("obj")) as content:
        assert await content.read_range(9000, 1000) == DATA[9000:10000]
        assert await content.read_range(0, 10) == DATA[:10]
        assert await content.read_range(10, 0) == b""


async def test_stream_from_the_body_and_from_a_range(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)  # more than one stream chunk
    s3_admin.put_object(Bucket=bucket, Key="big", Body=data)

    async with await storage.open_content(_info("big", len(data))) as content:
        streamed = b"".join([chunk async for chunk in content.stream(0, len(data))])
        assert streamed == data
        ranged = b"".join([chunk async for chunk in content.stream(1000, 2_000_000)])
        assert ranged == data[1000:2_001_000]


async def test_empty_object(storage: S3ObjectStorage, s3_admin: Any, bucket: str) -> None:
    s3_admin.put_object(Bucket=bucket, Key="empty", Body=b"")

    async with await storage.open_content(_info("empty", 0), first_range=(0, 0)) as content:
        assert content.details.info.size == 0
        assert await content.read_range(0, 0) == b""


async def test_short_body_is_a_transient_error(storage: S3ObjectStorage, s3_admin: Any, bucket: str) -> None:
    s3_admin.put_object(Bucket=bucket, Key="short", Body=b"abc")

    async with await storage.open_content(_info("short", 3)) as content:
        with pytest.raises(TransientStorageError, match="returned 3 of 10 bytes"):
            await content.read_range(0, 10)


async def test_open_missing_object_raises_not_found(storage: S3ObjectStorage) -> None:
    with pytest.raises(ObjectNotFoundError) as raised:
        await storage.open_content(_info("missing"))
    assert raised.value.key == "missing"
    assert raised.value.operation == "GetObject"


async def test_object_replaced_between_ranged_reads_fails_as_precondition(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="obj", Body=DATA)

    async with await storage.open_content(_info("obj"), first_range=(0, 100)) as content:
        s3_admin.put_object(Bucket=bucket, Key="obj", Body=DATA[::-1])
        with pytest.raises(PreconditionFailedError):
            await content.read_range(100, 100)


async def test_get_object_tagging(storage: S3ObjectStorage, s3_admin: Any, bucket: str) -> None:
    s3_admin.put_object(Bucket=bucket, Key="t", Body=b"1", Tagging="k1=v1&k%202=v%202")
    s3_admin.put_object(Bucket=bucket, Key="u", Body=b"1")

    assert await storage.get_object_tagging("t") == {"k1": "v1", "k 2": "v 2"}
    assert await storage.get_object_tagging("u") == {}
    with pytest.raises(ObjectNotFoundError):
        await storage.get_object_tagging("missing")
