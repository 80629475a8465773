"""The server-side copy requests: x-amz-copy-source encoding, directives, SSE-C copy-source headers, conditions,
the multipart copy's ranges and its abort (a recording client, no network)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote

import botocore.awsrequest
import botocore.config
import botocore.session
import pytest

from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.adapters.s3.options import S3StorageOptions
from s3syncpy.adapters.s3.server_side_copy import ServerSideCopier, copy_source_param
from s3syncpy.application.ports.write_requests import (
    CopyRequest,
    CopySource,
    Directive,
    ObjectAttributes,
    WriteConditions,
)
from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.model import SystemMetadata
from s3syncpy.domain.paths import S3Location

MiB = 1024 * 1024
KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


@pytest.mark.parametrize(
    ("key", "version_id", "header"),
    [
        pytest.param("plain/key.txt", None, "src/plain/key.txt", id="plain"),
        pytest.param("a+b c%d", None, "src/a%2Bb%20c%25d", id="plus-space-percent"),
        pytest.param("日本/データ.txt", None, "src/%E6%97%A5%E6%9C%AC/%E3%83%87%E3%83%BC%E3%82%BF.txt",
                     id="unicode"),
        pytest.param("a b", "3HL4kqtJlcpXro.DTDmJ_rmSpXd3dIbrHY", "src/a%20b?versionId=3HL4kqtJlcpXro.DTDmJ_rmSpXd3dIbrHY",
                     id="version"),
    ],
)
def test_copy_source_header_is_percent_encoded(key: str, version_id: str | None, header: str) -> None:
    sent: dict[str, str] = {}

    def capture(request: Any, **_: Any) -> botocore.awsrequest.AWSResponse:
        sent.update(request.headers)
        body = b"<CopyObjectResult><ETag>&quot;e&quot;</ETag></CopyObjectResult>"
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, _Raw(body))

    client = botocore.session.Session().create_client(
        "s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:1", aws_access_key_id="a",
        aws_secret_access_key="b", config=botocore.config.Config(s3={"addressing_style": "path"}),
    )
    client.meta.events.register("before-send.s3.CopyObject", capture)
    client.copy_object(Bucket="dst", Key="t", CopySource=copy_source_param(CopySource("src", key, version_id)))

    value = sent["x-amz-copy-source"]
    value = value.decode() if isinstance(value, bytes) else value
    assert value == header
    path, _, query = value.partition("?versionId=")
    assert unquote(path) == f"src/{key}"
    assert unquote(query) == (version_id or "")


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


class RecordingClient:
    """Records each call's parameters; fails the calls named in `fail`."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._fail = fail or set()

    def __getattr__(self, name: str) -> Any:
        async def call(**kwargs: Any) -> dict[str, Any]:
            self.calls.append((name, kwargs))
            if name in self._fail:
                raise StorageError(f"{name} failed", operation=name)
            if name == "create_multipart_upload":
                return {"UploadId": "u1"}
            if name == "upload_part_copy":
                return {"CopyPartResult": {"ETag": f'"p{kwargs["PartNumber"]}"'}}
            if name == "copy_object":
                return {"CopyObjectResult": {"ETag": '"whole"'}}
            return {"ETag": '"done-2"'}

        return call

    def named(self, name: str) -> list[dict[str, Any]]:
        return [kwargs for called, kwargs in self.calls if called == name]


def copier(client: RecordingClient, options: S3StorageOptions | None = None) -> ServerSideCopier:
    location = S3Location("dst", "to/")
    return ServerSideCopier(client, location, ErrorMapper(location), options or S3StorageOptions(),
                            asyncio.Semaphore(4))


SOURCE = CopySource("src", "from/k", None, customer_key=CustomerKey(key=KEY))
ATTRIBUTES = ObjectAttributes(SystemMetadata(content_type="text/x"), {"o": "me"}, "a=1")


async def test_single_copy_with_copy_directives_names_no_attributes() -> None:
    client = RecordingClient()
    counted: list[int] = []
    result = await copier(client).copy("k", SOURCE, CopyRequest(size=5, attributes=ATTRIBUTES, on_bytes=counted.append))

    (params,) = client.named("copy_object")
    assert params["Key"] == "to/k" and params["CopySource"] == {"Bucket": "src", "Key": "from/k"}
    assert "MetadataDirective" not in params and "TaggingDirective" not in params
    assert "ContentType" not in params and "Tagging" not in params
    assert params["CopySourceSSECustomerAlgorithm"] == "AES256"
    assert params["CopySourceSSECustomerKey"] == KEY
    assert "ContentMD5" not in params
    assert result.e_tag == '"whole"' and counted == [5]


async def test_single_copy_replace_and_conditions() -> None:
    client = RecordingClient()
    request = CopyRequest(
        size=5, attributes=ATTRIBUTES, metadata_directive=Directive.REPLACE, tagging_directive=Directive.REPLACE,
        conditions=WriteConditions(if_match='"t"', if_none_match=True, copy_source_if_match='"s"'),
    )
    await copier(client).copy("k", SOURCE, request)

    (params,) = client.named("copy_object")
    assert params["MetadataDirective"] == "REPLACE" and params["ContentType"] == "text/x"
    assert params["Metadata"] == {"o": "me"}
    assert params["TaggingDirective"] == "REPLACE" and params["Tagging"] == "a=1"
    assert params["IfNoneMatch"] == "*" and params["CopySourceIfMatch"] == '"s"'
    assert "IfMatch" not in params  # the reference sends no If-Match on CopyObject


async def test_multipart_copy_ranges_attributes_and_conditions() -> None:
    client = RecordingClient()
    request = CopyRequest(
        size=13 * MiB, part_sizes=[5 * MiB, 5 * MiB, 3 * MiB], attributes=ATTRIBUTES,
        conditions=WriteConditions(if_match='"t"', copy_source_if_match='"s"'),
    )
    result = await copier(client, S3StorageOptions(sse_c=CustomerKey(key=KEY))).copy("k", SOURCE, request)

    (create,) = client.named("create_multipart_upload")
    assert create["ContentType"] == "text/x" and create["Tagging"] == "a=1" and create["Metadata"] == {"o": "me"}
    parts = sorted(client.named("upload_part_copy"), key=lambda p: p["PartNumber"])
    assert [p["CopySourceRange"] for p in parts] == [
        f"bytes=0-{5 * MiB - 1}", f"bytes={5 * MiB}-{10 * MiB - 1}", f"bytes={10 * MiB}-{13 * MiB - 1}"
    ]
    assert all(p["CopySourceIfMatch"] == '"s"' and p["SSECustomerKey"] == KEY for p in parts)
    assert all(p["CopySourceSSECustomerKey"] == KEY for p in parts)
    (complete,) = client.named("complete_multipart_upload")
    assert complete["IfMatch"] == '"t"'
    assert [p["ETag"] for p in complete["MultipartUpload"]["Parts"]] == ['"p1"', '"p2"', '"p3"']
    assert result.e_tag == '"done-2"'


@pytest.mark.parametrize("failing", ["upload_part_copy", "complete_multipart_upload"])
async def test_a_failed_multipart_copy_is_aborted(failing: str) -> None:
    client = RecordingClient(fail={failing})
    request = CopyRequest(size=10 * MiB, part_sizes=[5 * MiB, 5 * MiB])

    with pytest.raises(StorageError):
        await copier(client).copy("k", SOURCE, request)

    assert client.named("abort_multipart_upload") == [{"Bucket": "dst", "Key": "to/k", "UploadId": "u1"}]
