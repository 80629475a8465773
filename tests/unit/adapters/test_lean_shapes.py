"""Parameters -> headers and response headers -> outputs, against botocore's own serializer and model."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import botocore.exceptions
import botocore.serialize
import botocore.session
import pytest

from s3syncpy.adapters.s3.lean.shapes import RequestShape, ResponseShape, parse_http_date


@pytest.fixture(scope="module")
def s3_model() -> botocore.model.ServiceModel:
    return botocore.session.get_session().get_service_model("s3")


def _botocore_headers(
    model: botocore.model.ServiceModel, operation: str, params: dict[str, object]
) -> dict[str, str]:
    """The headers botocore's rest-xml serializer produces (lowercased), without the positional members."""
    serializer = botocore.serialize.create_serializer("rest-xml", include_validation=False)
    request = serializer.serialize_to_request(params, model.operation_model(operation))
    return {name.lower(): value for name, value in request["headers"].items()}


PUT_PARAMS = {
    "Bucket": "b",
    "Key": "k",
    "ContentMD5": "1B2M2Y8AsgTpgAmY7PhCfg==",
    "ContentType": "text/plain",
    "CacheControl": "max-age=60",
    "Expires": "Wed, 21 Oct 2026 07:28:00 GMT",
    "Metadata": {"Owner": "me", "x": "1"},
    "Tagging": "a=b&c=d",
    "StorageClass": "STANDARD_IA",
    "ChecksumAlgorithm": "CRC32",
    "ChecksumCRC32": "AAAAAA==",
    "BucketKeyEnabled": True,
    "ObjectLockRetainUntilDate": datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    "SSECustomerAlgorithm": "AES256",
    "SSECustomerKey": "a2V5",
    "SSECustomerKeyMD5": "bWQ1",
}


def test_put_headers_equal_botocore(s3_model: botocore.model.ServiceModel) -> None:
    positional = {"Bucket", "Key"}
    headers, query = RequestShape.of(s3_model.operation_model("PutObject")).serialize(
        {k: v for k, v in PUT_PARAMS.items() if k not in positional}
    )
    assert query == []
    assert headers == _botocore_headers(s3_model, "PutObject", PUT_PARAMS)


def test_get_query_and_headers(s3_model: botocore.model.ServiceModel) -> None:
    shape = RequestShape.of(s3_model.operation_model("GetObject"))
    headers, query = shape.serialize(
        {
            "VersionId": "v1",
            "PartNumber": 3,
            "Range": "bytes=0-9",
            "IfMatch": '"e"',
            "ChecksumMode": "ENABLED",
        }
    )
    assert headers == {"range": "bytes=0-9", "if-match": '"e"', "x-amz-checksum-mode": "ENABLED"}
    assert sorted(query) == [("partNumber", "3"), ("versionId", "v1")]


def test_upload_part_query(s3_model: botocore.model.ServiceModel) -> None:
    headers, query = RequestShape.of(s3_model.operation_model("UploadPart")).serialize(
        {"UploadId": "u-1", "PartNumber": 7, "ContentMD5": "x"}
    )
    assert headers == {"content-md5": "x"}
    assert sorted(query) == [("partNumber", "7"), ("uploadId", "u-1")]


def test_sse_c_key_without_md5_is_encoded_as_botocore_does(s3_model: botocore.model.ServiceModel) -> None:
    raw = b"0123456789abcdef0123456789abcdef"
    headers, _ = RequestShape.of(s3_model.operation_model("GetObject")).serialize(
        {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": raw}
    )
    assert headers["x-amz-server-side-encryption-customer-key"] == base64.b64encode(raw).decode()
    assert (
        headers["x-amz-server-side-encryption-customer-key-md5"]
        == base64.b64encode(hashlib.md5(raw).digest()).decode()
    )


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"NoSuchParameter": 1}, id="unknown"),
        pytest.param({"Bucket": "b"}, id="positional"),
        pytest.param({"Metadata": {"name": "caf\u00e9"}}, id="non-ascii-metadata"),
    ],
)
def test_rejected_parameters(s3_model: botocore.model.ServiceModel, params: dict[str, object]) -> None:
    with pytest.raises(botocore.exceptions.ParamValidationError):
        RequestShape.of(s3_model.operation_model("PutObject")).serialize(params)


def test_get_response_headers(s3_model: botocore.model.ServiceModel) -> None:
    raw = [
        (b"Content-Length", b"100"),
        (b"Content-Range", b"bytes 0-99/1000"),
        (b"ETag", b'"abc"'),
        (b"Last-Modified", b"Wed, 25 Nov 2026 18:58:40 GMT"),
        (b"Expires", b"not a date"),
        (b"x-amz-meta-Owner", b"me"),
        (b"x-amz-checksum-crc32", b"AAAAAA=="),
        (b"x-amz-mp-parts-count", b"3"),
        (b"x-amz-tagging-count", b"2"),
        (b"x-amz-server-side-encryption-bucket-key-enabled", b"true"),
        (b"x-amz-request-id", b"ignored"),
    ]
    output = ResponseShape.of(s3_model.operation_model("GetObject")).parse(raw)
    assert output == {
        "ContentLength": 100,
        "ContentRange": "bytes 0-99/1000",
        "ETag": '"abc"',
        "LastModified": datetime(2026, 11, 25, 18, 58, 40, tzinfo=UTC),
        "ExpiresString": "not a date",
        "Metadata": {"owner": "me"},
        "ChecksumCRC32": "AAAAAA==",
        "PartsCount": 3,
        "TagCount": 2,
        "BucketKeyEnabled": True,
    }


def test_put_response_headers(s3_model: botocore.model.ServiceModel) -> None:
    raw = [(b"ETag", b'"e"'), (b"x-amz-version-id", b"v9"), (b"x-amz-checksum-sha256", b"c2hh")]
    output = ResponseShape.of(s3_model.operation_model("PutObject")).parse(raw)
    assert output == {"ETag": '"e"', "VersionId": "v9", "ChecksumSHA256": "c2hh"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 25 Nov 2026 18:58:40 GMT", datetime(2026, 11, 25, 18, 58, 40, tzinfo=UTC)),
        ("2026-11-25T18:58:40Z", datetime(2026, 11, 25, 18, 58, 40, tzinfo=UTC)),
        ("garbage", None),
    ],
)
def test_parse_http_date(text: str, expected: datetime | None) -> None:
    assert parse_http_date(text) == expected
