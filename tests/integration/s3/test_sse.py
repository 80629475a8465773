"""Server-side encryption: --sse on writes, SSE-C keys on every request of their side, keys never shown."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from typing import Any

import botocore.exceptions
import pytest

from s3syncpy.adapters.s3 import S3StorageOptions
from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.errors import AccessDeniedError, ConfigError, StorageError
from s3syncpy.domain.etag import MiB
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectInfo
from s3syncpy.domain.paths import S3Location
from tests.fakes.content import BytesContent
from tests.integration.s3.conftest import OpenStorage

PART = 5 * MiB
LAYOUT = [PART, 1]


def new_key(with_md5: bool = True) -> CustomerKey:
    raw = os.urandom(32)
    md5 = base64.b64encode(hashlib.md5(raw).digest()).decode() if with_md5 else None
    return CustomerKey(key=base64.b64encode(raw).decode(), key_md5=md5)


def secrets_of(*keys: CustomerKey) -> list[str]:
    return [value for key in keys for value in (key.key, key.md5())]


def assert_hidden(error: BaseException, keys: list[str]) -> None:
    texts = [str(error), repr(error), str(error.__cause__), repr(error.__cause__)]
    for text in texts:
        for secret in keys:
            assert secret not in text


@pytest.fixture(scope="module")
def data() -> bytes:
    return os.urandom(PART + 1)


@pytest.mark.parametrize("layout", [[], LAYOUT], ids=["single", "multipart"])
async def test_sse_c_round_trip_with_checksum_and_parts(
    open_storage: OpenStorage, data: bytes, layout: list[int]
) -> None:
    key = new_key(with_md5=False)  # the MD5 is computed when not given
    options = S3StorageOptions(sse_c=key, checksum_algorithm=ChecksumAlgorithm.CRC32C, checksum_mode=True)

    async with open_storage(options=options) as storage:
        result = await storage.put_object("enc", BytesContent(data), PutRequest(size=len(data), part_sizes=layout))
        details = await storage.head_object("enc")
        parts = await storage.get_object_parts("enc")
        attributes = await storage.get_object_part_attributes("enc")
        info = ObjectInfo("enc", len(data), 0)
        # A first ranged GET, then a second ranged GET for the rest: both need the key.
        async with await storage.open_content(info, first_range=(0, PART)) as content:
            got = await content.read_range(0, PART) + await content.read_range(PART, 1)

    assert got == data
    assert result.checksum == result.sent_checksum
    assert details is not None
    assert details.encryption.customer_algorithm == "AES256"
    assert not details.encryption.allows_md5_etag
    assert details.checksums == {"CRC32C": result.checksum}
    assert parts == layout
    assert [part.size for part in attributes] == layout


async def test_wrong_or_missing_sse_c_key_is_refused_without_showing_keys(
    open_storage: OpenStorage, data: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    right, wrong = new_key(), new_key()
    body = data[:100]
    info = ObjectInfo("enc", len(body), 0)
    caplog.set_level(logging.DEBUG)
    async with open_storage(options=S3StorageOptions(sse_c=right)) as storage:
        await storage.put_object("enc", BytesContent(body), PutRequest(size=len(body)))

    async with open_storage(options=S3StorageOptions(sse_c=wrong)) as storage:
        with pytest.raises(AccessDeniedError) as head_error:
            await storage.head_object("enc")
        with pytest.raises(StorageError) as get_error:
            await storage.open_content(info)
        with pytest.raises(StorageError) as parts_error:
            await storage.get_object_parts("enc")
    async with open_storage() as storage:
        with pytest.raises(StorageError) as keyless_error:
            await storage.open_content(info)

    keys = secrets_of(right, wrong)
    for error in (head_error.value, get_error.value, parts_error.value, keyless_error.value):
        assert_hidden(error, keys)
    for record in caplog.records:
        if record.name.startswith("s3syncpy"):
            for secret in keys:
                assert secret not in record.getMessage()


async def test_s3_to_s3_copy_between_sse_c_keys(open_storage: OpenStorage, data: bytes) -> None:
    source_key, target_key = new_key(), new_key()
    info = ObjectInfo("k", len(data), 0)
    async with open_storage("src/", options=S3StorageOptions(sse_c=source_key)) as source:
        await source.put_object("k", BytesContent(data), PutRequest(size=len(data)))
        async with open_storage("dst/", options=S3StorageOptions(sse_c=target_key)) as target:
            async with await source.open_content(info, first_range=(0, PART)) as content:
                await target.put_object("k", content, PutRequest(size=len(data), part_sizes=LAYOUT))
            async with await target.open_content(info) as copied:
                assert await copied.read_range(0, len(data)) == data
    async with open_storage("dst/", options=S3StorageOptions(sse_c=source_key)) as wrong:
        with pytest.raises(AccessDeniedError):
            await wrong.head_object("k")


@pytest.mark.parametrize("layout", [[], LAYOUT], ids=["single", "multipart"])
async def test_sse_s3_is_requested_and_reported(
    open_storage: OpenStorage, s3_admin: Any, bucket: str, data: bytes, layout: list[int]
) -> None:
    async with open_storage(options=S3StorageOptions(sse="AES256")) as storage:
        await storage.put_object("aes", BytesContent(data), PutRequest(size=len(data), part_sizes=layout))
        details = await storage.head_object("aes")

    assert details is not None
    assert details.encryption.algorithm == "AES256"
    assert details.encryption.allows_md5_etag
    assert s3_admin.head_object(Bucket=bucket, Key="aes")["ServerSideEncryption"] == "AES256"


def test_error_mapper_redacts_sse_c_keys_from_vendor_messages() -> None:
    key = new_key(with_md5=False)
    options = S3StorageOptions(sse_c=key)
    mapper = ErrorMapper(S3Location("bucket", ""), options.secrets)
    echoed = f"key {key.key} md5 {key.md5()} rejected"
    vendor = botocore.exceptions.ClientError(
        {"Error": {"Code": "InvalidArgument", "Message": echoed}, "ResponseMetadata": {"HTTPStatusCode": 400}},
        "GetObject",
    )

    with pytest.raises(StorageError) as raised, mapper("GetObject", "k"):
        raise vendor

    assert "InvalidArgument" in str(raised.value)
    assert key.key not in str(raised.value)
    assert key.md5() not in str(raised.value)


def test_options_never_show_the_key() -> None:
    key = new_key()
    text = repr(S3StorageOptions(sse_c=key, sse_kms_key_id="kms-id"))
    assert key.key not in text and key.md5() not in text


def test_sse_c_md5_is_computed_from_the_decoded_key() -> None:
    raw = os.urandom(32)
    key = CustomerKey(key=base64.b64encode(raw).decode())
    assert key.md5() == base64.b64encode(hashlib.md5(raw).digest()).decode()
    assert S3StorageOptions(sse_c=key).read_params()["SSECustomerKeyMD5"] == key.md5()


def test_sse_c_goes_on_every_request_that_touches_object_data() -> None:
    key = new_key()
    options = S3StorageOptions(sse_c=key)
    for params in (options.write_params(), options.part_params(), options.complete_params(),
                   options.read_params(), options.attributes_params()):
        assert params["SSECustomerKey"] == key.key
        assert params["SSECustomerAlgorithm"] == "AES256"
    assert "SSECustomerKey" not in options.plain_params()


def test_an_sse_c_key_that_is_not_base64_is_a_config_error() -> None:
    key = CustomerKey(key="not base64 secret!")
    with pytest.raises(ConfigError) as raised:
        S3StorageOptions(sse_c=key).read_params()
    assert key.key not in str(raised.value)
    assert S3StorageOptions(sse_c=key).secrets == (key.key,)
