"""The lean data path against SeaweedFS (which checks SigV4): every operation, parity with botocore, errors."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
from collections.abc import AsyncIterator
from typing import Any

import botocore.exceptions
import pytest

from s3syncpy.adapters.s3.client import open_s3_client
from s3syncpy.adapters.s3.datapath import BotocoreDataPath, S3DataPath
from s3syncpy.adapters.s3.lean import DATAPATH_ENV, LeanDataPath, open_datapath
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.errors import ObjectNotFoundError, StorageError
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import S3Location
from tests.fakes.content import BytesContent
from tests.integration.s3.conftest import OpenStorage

# Keys that need percent-encoding in the path and URL-decoding in listings.
KEYS = [
    "plain.txt",
    "dir/space name.bin",
    "dir/plus+sign&amp",
    "\u20ac/\u00e9t\u00e9 (1).txt",
    "pct%41.bin",
    "t~ilde",
]
PART = 5 * 1024 * 1024  # S3's minimum part size


@dataclasses.dataclass
class Paths:
    lean: LeanDataPath
    botocore: BotocoreDataPath
    client: Any


@pytest.fixture
async def paths(bucket: str, client_settings: ClientSettings) -> AsyncIterator[Paths]:
    """The lean and the botocore data path on the prefix "pre/" of a fresh bucket, sharing one client."""
    location = S3Location(bucket, "pre/")
    async with (
        open_s3_client(client_settings, max_pool_connections=8) as client,
        open_datapath(client, location, client_settings, max_connections=8, kind="lean") as lean,
    ):
        assert isinstance(lean, LeanDataPath)
        yield Paths(lean, BotocoreDataPath(client, location), client)


def _md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()


async def _read_all(path: S3DataPath, key: str, **params: Any) -> tuple[Any, bytes]:
    response = await path.get_object(
        key, version_id=None, byte_range=params.pop("byte_range", None), params=params
    )
    try:
        return response.details, await response.body.read()
    finally:
        await response.body.aclose()


async def test_storage_uses_the_lean_path_unless_told_otherwise(
    open_storage: OpenStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_storage() as storage:
        assert isinstance(storage._datapath, LeanDataPath)
    monkeypatch.setenv(DATAPATH_ENV, "botocore")
    async with open_storage() as storage:
        assert type(storage._datapath) is BotocoreDataPath


async def test_put_sends_every_header_botocore_would(paths: Paths, s3_admin: Any, bucket: str) -> None:
    body = b"lean body"
    params = {
        "ContentMD5": _md5(body),
        "ContentType": "text/x-lean",
        "CacheControl": "max-age=60",
        "ContentDisposition": "attachment",
        "ContentLanguage": "fr",
        "Expires": "Wed, 21 Oct 2037 07:28:00 GMT",
        "Metadata": {"origin": "lean", "Mixed-Case": "v"},
        "Tagging": "a=1&b=two",
        "ChecksumAlgorithm": "CRC32",  # no value: computed from the body, as botocore computes it
    }
    written = await paths.lean.put_object("plain.txt", body, params)
    head = s3_admin.head_object(Bucket=bucket, Key="pre/plain.txt", ChecksumMode="ENABLED")
    assert written.e_tag == head["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    assert head["ContentType"] == "text/x-lean"
    assert head["CacheControl"] == "max-age=60"
    assert head["ContentDisposition"] == "attachment"
    assert head["ContentLanguage"] == "fr"
    assert head["ExpiresString"] == "Wed, 21 Oct 2037 07:28:00 GMT"
    assert head["Metadata"] == {"origin": "lean", "mixed-case": "v"}
    assert s3_admin.get_object_tagging(Bucket=bucket, Key="pre/plain.txt")["TagSet"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "two"},
    ]
    assert head["ChecksumCRC32"] == written.checksums["CRC32"]


async def test_wrong_content_md5_is_rejected_by_the_server(paths: Paths) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        await paths.lean.put_object("bad", b"data", {"ContentMD5": _md5(b"other")})
    assert raised.value.response["Error"]["Code"] == "BadDigest"


async def test_listing_and_reads_equal_botocore(paths: Paths) -> None:
    for index, key in enumerate(KEYS):
        await paths.lean.put_object(
            key, f"body {index}".encode() * (index + 1), {"ChecksumAlgorithm": "SHA256"}
        )
    lean_pages, botocore_pages = [], []
    for path, pages in ((paths.lean, lean_pages), (paths.botocore, botocore_pages)):
        token = None
        while True:
            page = await path.list_page(token, 2)  # several pages: continuation tokens round-trip
            pages.append(page.objects)
            token = page.next_token
            if token is None:
                break
    assert lean_pages == botocore_pages
    assert sorted(info.key for page in lean_pages for info in page) == sorted(KEYS)

    for key in KEYS:
        for params in ({}, {"ChecksumMode": "ENABLED"}, {"byte_range": (2, 3)}):
            lean = await _read_all(paths.lean, key, **params)
            expected = await _read_all(paths.botocore, key, **params)
            assert lean == expected


async def test_multipart_parts_and_empty_objects(paths: Paths, s3_admin: Any, bucket: str) -> None:
    data = os.urandom(PART + 1234)
    upload = s3_admin.create_multipart_upload(Bucket=bucket, Key="pre/big")["UploadId"]
    first = await paths.lean.upload_part("big", upload, 1, data[:PART], {"ContentMD5": _md5(data[:PART])})
    second = await paths.lean.upload_part("big", upload, 2, data[PART:], {"ChecksumAlgorithm": "CRC32C"})
    parts = s3_admin.list_parts(Bucket=bucket, Key="pre/big", UploadId=upload)["Parts"]
    assert [p["ETag"] for p in parts] == [first.e_tag, second.e_tag]
    s3_admin.complete_multipart_upload(
        Bucket=bucket,
        Key="pre/big",
        UploadId=upload,
        MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": first.e_tag}, {"PartNumber": 2, "ETag": second.e_tag}]
        },
    )
    details, body = await _read_all(paths.lean, "big")
    assert body == data
    assert details.info.size == len(data)

    await paths.lean.put_object("empty", b"", {"ContentMD5": _md5(b"")})
    details, body = await _read_all(paths.lean, "empty")
    assert (body, details.info.size) == (b"", 0)


async def test_sse_c_round_trip(paths: Paths, s3_admin: Any, bucket: str) -> None:
    key = os.urandom(32)
    sse = {
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKey": base64.b64encode(key).decode(),
        "SSECustomerKeyMD5": _md5(key),
    }
    await paths.lean.put_object("secret", b"classified", {**sse, "ContentMD5": _md5(b"classified")})
    details, body = await _read_all(paths.lean, "secret", **sse)
    assert body == b"classified"
    assert details.encryption.customer_algorithm == "AES256"
    with pytest.raises(botocore.exceptions.ClientError):
        s3_admin.get_object(Bucket=bucket, Key="pre/secret")


async def test_unsigned_payload_is_accepted(
    bucket: str, client_settings: ClientSettings, s3_admin: Any
) -> None:
    location = S3Location(bucket, "")
    async with (
        open_s3_client(client_settings, max_pool_connections=2) as client,
        open_datapath(client, location, client_settings, max_connections=2, payload_signing=False) as lean,
    ):
        await lean.put_object("u", b"unsigned", {"ContentMD5": _md5(b"unsigned")})
    assert s3_admin.get_object(Bucket=bucket, Key="u")["Body"].read() == b"unsigned"


async def test_wrong_secret_fails_the_signature_check(
    open_storage: OpenStorage, client_settings: ClientSettings
) -> None:
    wrong = dataclasses.replace(client_settings, secret_access_key="not-the-secret-0123456789")
    async with open_storage(settings=wrong) as storage:
        assert isinstance(storage._datapath, LeanDataPath)
        with pytest.raises(StorageError) as raised:
            await storage.put_object("k", BytesContent(b"x"), PutRequest(size=1))
    cause = raised.value.__cause__
    assert isinstance(cause, botocore.exceptions.ClientError)
    assert cause.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert "not-the-secret" not in str(raised.value)


async def test_missing_key_maps_to_not_found(open_storage: OpenStorage) -> None:
    async with open_storage() as storage:
        with pytest.raises(ObjectNotFoundError) as raised:
            await storage.open_content(ObjectInfo(key="nope", size=1, mtime_ns=0))
    assert raised.value.__cause__.response["Error"]["Code"] == "NoSuchKey"  # type: ignore[union-attr]


async def test_unknown_parameter_is_rejected_before_sending(paths: Paths) -> None:
    with pytest.raises(botocore.exceptions.ParamValidationError):
        await paths.lean.put_object("k", b"x", {"NotAParameter": "1"})
