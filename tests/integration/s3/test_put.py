"""PutObject and multipart uploads through S3ObjectStorage.put_object."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import os
import zlib
from collections.abc import Mapping
from typing import Any

import pytest

from s3syncpy.adapters.s3 import S3ObjectStorage, S3StorageOptions
from s3syncpy.adapters.s3.datapath import BotocoreDataPath, WriteResponse
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.errors import StorageError, TransientStorageError
from s3syncpy.domain.etag import MiB, multipart_etag, single_etag
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectInfo, SystemMetadata
from s3syncpy.domain.paths import S3Location
from tests.fakes.content import BytesContent, FailingContent, StallingContent
from tests.integration.s3.conftest import OpenStorage

PART = 5 * MiB
MULTIPART_DATA_SIZE = 2 * PART + 3


@pytest.fixture(scope="module")
def multipart_data() -> bytes:
    return os.urandom(MULTIPART_DATA_SIZE)


def _open_uploads(s3_admin: Any, bucket: str) -> list[Any]:
    return list(s3_admin.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


class RecordingDataPath(BotocoreDataPath):
    """The botocore data path, recording PutObject / UploadPart parameters and optionally corrupting Content-MD5."""

    def __init__(self, client: Any, location: S3Location, corrupt_md5: bool = False) -> None:
        super().__init__(client, location)
        self.sent: list[dict[str, Any]] = []
        self.part_numbers: list[int] = []  # parts run concurrently: record which part each request was
        self._corrupt = corrupt_md5

    def _record(self, params: Mapping[str, Any], part_number: int = 0) -> dict[str, Any]:
        params = dict(params)
        if self._corrupt and "ContentMD5" in params:
            params["ContentMD5"] = base64.b64encode(hashlib.md5(b"other bytes").digest()).decode()
        self.sent.append(params)
        self.part_numbers.append(part_number)
        return params

    async def put_object(self, key: str, body: bytes, params: Mapping[str, Any]) -> WriteResponse:
        return await super().put_object(key, body, self._record(params))

    async def upload_part(
        self, key: str, upload_id: str, part_number: int, body: bytes, params: Mapping[str, Any]
    ) -> WriteResponse:
        return await super().upload_part(key, upload_id, part_number, body, self._record(params, part_number))


def _recording_storage(
    storage: S3ObjectStorage, corrupt_md5: bool = False
) -> tuple[S3ObjectStorage, RecordingDataPath]:
    client = storage._client  # the test reuses the fixture's open client
    datapath = RecordingDataPath(client, storage.location, corrupt_md5)
    return S3ObjectStorage(
        client, storage.location, part_semaphore=asyncio.Semaphore(2), datapath=datapath
    ), datapath


async def test_single_put_with_metadata_and_tagging(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str
) -> None:
    data = b"hello, s3sync"
    counted: list[int] = []
    request = PutRequest(
        size=len(data),
        metadata=SystemMetadata(
            content_type="text/x-test",
            cache_control="no-cache",
            content_disposition="attachment",
            content_encoding="identity",
            content_language="de",
            expires="Thu, 01 Jan 2037 00:00:00 GMT",
        ),
        user_metadata={"origin": "unit", "s3sync_origin_last_modified": "2024-01-01T00:00:00Z"},
        tagging="env=test&team=s3",
        on_bytes=counted.append,
    )

    result = await storage.put_object("dir/file.txt", BytesContent(data), request)

    digest = hashlib.md5(data).digest()
    assert result.e_tag == single_etag(digest)
    assert result.part_md5s == [digest]
    assert result.committed
    assert sum(counted) == len(data)
    head = s3_admin.head_object(Bucket=bucket, Key="dir/file.txt")
    assert head["ContentType"] == "text/x-test"
    assert head["CacheControl"] == "no-cache"
    assert head["ContentDisposition"] == "attachment"
    assert head["ContentLanguage"] == "de"
    assert head["ExpiresString"] == "Thu, 01 Jan 2037 00:00:00 GMT"
    assert head["Metadata"] == {"origin": "unit", "s3sync_origin_last_modified": "2024-01-01T00:00:00Z"}
    tags = s3_admin.get_object_tagging(Bucket=bucket, Key="dir/file.txt")["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"env": "test", "team": "s3"}
    assert s3_admin.get_object(Bucket=bucket, Key="dir/file.txt")["Body"].read() == data


async def test_put_joins_the_prefix_textually(open_storage: OpenStorage, s3_admin: Any, bucket: str) -> None:
    async with open_storage("prefix") as storage:
        await storage.put_object("foo", BytesContent(b"1"), PutRequest(size=1))
    assert s3_admin.get_object(Bucket=bucket, Key="prefixfoo")["Body"].read() == b"1"


async def test_empty_object_put(storage: S3ObjectStorage, s3_admin: Any, bucket: str) -> None:
    result = await storage.put_object("empty", BytesContent(b""), PutRequest(size=0))
    assert result.e_tag == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert s3_admin.head_object(Bucket=bucket, Key="empty")["ContentLength"] == 0


async def test_content_md5_is_sent_once_computed(storage: S3ObjectStorage) -> None:
    recording, datapath = _recording_storage(storage)
    data = b"x" * 1000

    await recording.put_object("a", BytesContent(data), PutRequest(size=len(data)))
    await recording.put_object("b", BytesContent(data), PutRequest(size=len(data), content_md5=False))

    assert datapath.sent[0]["ContentMD5"] == base64.b64encode(hashlib.md5(data).digest()).decode()
    assert "ContentMD5" not in datapath.sent[1]


async def test_server_rejects_a_wrong_content_md5(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str
) -> None:
    recording, _ = _recording_storage(storage, corrupt_md5=True)

    with pytest.raises(StorageError) as raised:
        await recording.put_object("bad", BytesContent(b"payload"), PutRequest(size=7))

    assert "BadDigest" in str(raised.value) or "InvalidDigest" in str(raised.value)
    assert "bad" not in {o["Key"] for o in s3_admin.list_objects_v2(Bucket=bucket).get("Contents", [])}


async def test_multipart_put_etag_matches_part_md5s(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str, multipart_data: bytes
) -> None:
    recording, datapath = _recording_storage(storage)
    sizes = [PART, PART, 3]
    counted: list[int] = []
    request = PutRequest(
        size=len(multipart_data),
        part_sizes=sizes,
        metadata=SystemMetadata(content_type="application/x-big"),
        user_metadata={"k": "v"},
        tagging="a=b",
        on_bytes=counted.append,
    )

    result = await recording.put_object("big", BytesContent(multipart_data), request)

    offsets = [0, PART, 2 * PART, len(multipart_data)]
    expected_md5s = [hashlib.md5(multipart_data[a:b]).digest() for a, b in itertools.pairwise(offsets)]
    assert result.part_md5s == expected_md5s
    assert result.e_tag == multipart_etag(expected_md5s)
    assert result.e_tag is not None and result.e_tag.endswith('-3"')
    assert sum(counted) == len(multipart_data)
    sent_md5s = {
        number: p["ContentMD5"] for number, p in zip(datapath.part_numbers, datapath.sent, strict=True)
    }
    assert sent_md5s == {n: base64.b64encode(d).decode() for n, d in enumerate(expected_md5s, start=1)}
    head = s3_admin.head_object(Bucket=bucket, Key="big")
    assert head["ETag"] == result.e_tag
    assert head["ContentType"] == "application/x-big"
    assert head["Metadata"] == {"k": "v"}
    assert s3_admin.get_object(Bucket=bucket, Key="big")["Body"].read() == multipart_data
    assert _open_uploads(s3_admin, bucket) == []


async def test_s3_to_s3_multipart_copy_with_first_range(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str, multipart_data: bytes
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="src", Body=multipart_data)
    info = ObjectInfo(key="src", size=len(multipart_data), mtime_ns=0)

    async with await storage.open_content(info, first_range=(0, PART)) as content:
        result = await storage.put_object(
            "dst", content, PutRequest(size=len(multipart_data), part_sizes=[PART, PART + 3])
        )

    assert result.e_tag == multipart_etag(
        [hashlib.md5(multipart_data[:PART]).digest(), hashlib.md5(multipart_data[PART:]).digest()]
    )
    assert s3_admin.get_object(Bucket=bucket, Key="dst")["Body"].read() == multipart_data


async def test_part_sizes_must_add_up(storage: S3ObjectStorage) -> None:
    with pytest.raises(ValueError, match="part sizes"):
        await storage.put_object("x", BytesContent(b"abc"), PutRequest(size=3, part_sizes=[PART]))


async def test_failed_part_aborts_the_upload(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str, multipart_data: bytes
) -> None:
    content = FailingContent(multipart_data, fail_at=PART + 1)
    request = PutRequest(size=len(multipart_data), part_sizes=[PART, PART, 3])

    with pytest.raises(TransientStorageError, match="injected"):
        await storage.put_object("broken", content, request)

    assert _open_uploads(s3_admin, bucket) == []
    assert s3_admin.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


async def test_cancelled_upload_is_aborted(
    storage: S3ObjectStorage, s3_admin: Any, bucket: str, multipart_data: bytes
) -> None:
    content = StallingContent(multipart_data, stall_at=PART + 1)
    request = PutRequest(size=len(multipart_data), part_sizes=[PART, PART, 3])
    task = asyncio.create_task(storage.put_object("cancelled", content, request))
    await asyncio.wait_for(content.stalled.wait(), timeout=30)
    assert len(_open_uploads(s3_admin, bucket)) == 1

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert _open_uploads(s3_admin, bucket) == []


async def test_one_permit_is_enough(open_storage: OpenStorage, multipart_data: bytes) -> None:
    async with open_storage(part_semaphore=asyncio.Semaphore(1), max_parallel_uploads=1) as storage:
        result = await storage.put_object(
            "serial",
            BytesContent(multipart_data),
            PutRequest(size=len(multipart_data), part_sizes=[PART, PART + 3]),
        )
    assert result.e_tag is not None and result.e_tag.endswith('-2"')


def _crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


async def test_additional_checksum_single_put(open_storage: OpenStorage, s3_admin: Any, bucket: str) -> None:
    data = b"checksummed"
    async with open_storage(options=S3StorageOptions(checksum_algorithm=ChecksumAlgorithm.CRC32)) as storage:
        result = await storage.put_object("c", BytesContent(data), PutRequest(size=len(data)))
    assert result.checksum == _crc32_b64(data)
    head = s3_admin.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == _crc32_b64(data)


async def test_additional_checksum_multipart_composite_and_full_object(
    open_storage: OpenStorage, multipart_data: bytes
) -> None:
    request = PutRequest(size=len(multipart_data), part_sizes=[PART, PART + 3])
    composite = S3StorageOptions(checksum_algorithm=ChecksumAlgorithm.CRC32)
    full = S3StorageOptions(checksum_algorithm=ChecksumAlgorithm.CRC32, full_object_checksum=True)

    async with open_storage(options=composite) as storage:
        composite_result = await storage.put_object("comp", BytesContent(multipart_data), request)
    async with open_storage(options=full) as storage:
        full_result = await storage.put_object("full", BytesContent(multipart_data), request)

    # A composite checksum is the algorithm applied to the concatenated raw part checksums, with "-N".
    part_crcs = b"".join(
        zlib.crc32(p).to_bytes(4, "big") for p in (multipart_data[:PART], multipart_data[PART:])
    )
    assert composite_result.checksum == f"{_crc32_b64(part_crcs)}-2"
    assert full_result.checksum == _crc32_b64(multipart_data)


async def test_sse_c_round_trip(open_storage: OpenStorage) -> None:
    key = os.urandom(32)
    sse_c = CustomerKey(
        key=base64.b64encode(key).decode(), key_md5=base64.b64encode(hashlib.md5(key).digest()).decode()
    )
    data = b"secret payload"
    async with open_storage(options=S3StorageOptions(sse_c=sse_c)) as storage:
        await storage.put_object("enc", BytesContent(data), PutRequest(size=len(data)))
        details = await storage.head_object("enc")
        async with await storage.open_content(ObjectInfo("enc", len(data), 0)) as content:
            assert await content.read_range(0, len(data)) == data
    assert details is not None
    assert details.encryption.customer_algorithm == "AES256"
    assert not details.encryption.allows_md5_etag
    async with open_storage() as plain:
        with pytest.raises(StorageError):
            await plain.open_content(ObjectInfo("enc", len(data), 0))


async def test_bytes_are_counted_only_once_s3_acknowledged_them(
    storage: S3ObjectStorage, multipart_data: bytes
) -> None:
    # A rejected PutObject / UploadPart (here: a wrong Content-MD5) counts nothing: the progress display and the
    # summary's transferred bytes follow what the target holds, not what was read from the source.
    recording, _ = _recording_storage(storage, corrupt_md5=True)
    counted: list[int] = []

    with pytest.raises(StorageError):
        await recording.put_object("bad", BytesContent(b"payload"), PutRequest(size=7, on_bytes=counted.append))
    with pytest.raises(StorageError):
        await recording.put_object(
            "bad-big", BytesContent(multipart_data),
            PutRequest(size=len(multipart_data), part_sizes=[PART, PART, 3], on_bytes=counted.append),
        )

    assert counted == []
