"""--server-side-copy end to end on the test server, through a recording proxy that counts the body bytes.

The proxy proves the point of the option: the objects are copied inside S3 (CopyObject, UploadPartCopy) and no
object body passes through s3sync (no GetObject, PutObject or UploadPart; the bytes that cross the proxy are the
XML of the control calls only).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import _empty_bucket
from tests.support.e2e import bucket_objects, put_objects
from tests.support.fault_proxy import FaultProxy
from tests.support.fault_runs import S3SyncRunner, log_lines
from tests.support.seaweed import S3Endpoint

MiB = 1024 * 1024
# Keys whose x-amz-copy-source must be percent-encoded: unicode, "+", spaces and "%".
ODD_KEYS = {"uni/日本語 ファイル.txt": b"unicode", "plus+sign/a+b": b"plus", "sp ace/x y": b"space",
            "pct/100%25/50%": b"percent"}
BODY_OPERATIONS = ("GetObject", "PutObject", "UploadPart")


@pytest.fixture
def target_bucket(s3_admin: Any) -> Iterator[str]:
    name = f"s3syncpy-ssc-{uuid.uuid4().hex[:16]}"
    s3_admin.create_bucket(Bucket=name)
    yield name
    _empty_bucket(s3_admin, name)
    s3_admin.delete_bucket(Bucket=name)


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


def _multipart(client: Any, bucket: str, key: str, data: bytes, part: int, **extra: Any) -> None:
    upload = client.create_multipart_upload(Bucket=bucket, Key=key, **extra)
    parts = []
    for number, offset in enumerate(range(0, len(data), part), start=1):
        sent = client.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number,
                                  Body=data[offset:offset + part])
        parts.append({"ETag": sent["ETag"], "PartNumber": number})
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                                     MultipartUpload={"Parts": parts})


def _tags(client: Any, bucket: str, key: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in client.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


def _body_bytes(proxy: FaultProxy) -> int:
    stats = proxy.stats
    return sum(stats.request_bytes_by_operation.values()) + sum(stats.response_bytes_by_operation.values())


def test_server_side_copy_moves_no_body(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    big = os.urandom(13 * MiB)
    s3_admin.put_object(Bucket=bucket, Key="meta/doc.txt", Body=b"hello", ContentType="text/x-custom",
                        CacheControl="max-age=60", Metadata={"owner": "me"}, Tagging="stage=first&x=a%20b")
    put_objects(s3_admin, bucket, {**ODD_KEYS, "zero": b""})
    # Uploaded in 8 MiB parts, the layout the copy uses by default, so its ETag can verify.
    _multipart(s3_admin, bucket, "big/one", big, 8 * MiB, ContentType="application/x-big", Tagging="size=big")

    with FaultProxy(s3_endpoint.endpoint_url) as proxy:
        result = runner.run("--server-side-copy", f"s3://{bucket}/", f"s3://{target_bucket}/copy/",
                            source_url=proxy.url, target_url=proxy.url)

    expected = {"meta/doc.txt": b"hello", **ODD_KEYS, "zero": b"", "big/one": big}
    assert bucket_objects(s3_admin, target_bucket) == {f"copy/{k}": v for k, v in expected.items()}
    head = s3_admin.head_object(Bucket=target_bucket, Key="copy/meta/doc.txt")
    assert (head["ContentType"], head["CacheControl"], head["Metadata"]) == ("text/x-custom", "max-age=60",
                                                                             {"owner": "me"})
    assert _tags(s3_admin, target_bucket, "copy/meta/doc.txt") == {"stage": "first", "x": "a b"}
    # 13 MiB is above the 8 MiB threshold: a multipart copy, which names the metadata and tags itself.
    big_head = s3_admin.head_object(Bucket=target_bucket, Key="copy/big/one")
    assert big_head["ContentType"] == "application/x-big"
    assert _tags(s3_admin, target_bucket, "copy/big/one") == {"size": "big"}
    operations = proxy.stats.requests_by_operation
    assert operations["CopyObject"] == len(expected) - 1
    assert operations["UploadPartCopy"] == 2 and operations["CompleteMultipartUpload"] == 1
    assert all(operations[name] == 0 for name in BODY_OPERATIONS), operations
    assert _body_bytes(proxy) < 64 * 1024, proxy.stats
    assert result.count("transferred") == len(expected)
    assert result.count("warning") == 0 and result.count("error") == 0
    assert result.summary["bytes"] == "13.00 MiB"
    # The single-part copies verify; SeaweedFS gives multipart copies ETags of its own, so "big" does not.
    assert result.count("etag_verified") >= len(expected) - 1

    again = runner.run("--server-side-copy", f"s3://{bucket}/", f"s3://{target_bucket}/copy/",
                       source_url=s3_endpoint.endpoint_url, target_url=s3_endpoint.endpoint_url)
    assert again.count("transferred") == 0 and again.count("skipped") == len(expected)


def test_auto_chunksize_copies_the_source_parts(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    data = os.urandom(12 * MiB)
    _multipart(s3_admin, bucket, "parts", data, 5 * MiB)

    with FaultProxy(s3_endpoint.endpoint_url) as proxy:
        runner.run("--server-side-copy", "--auto-chunksize", "--disable-multipart-verify",
                   f"s3://{bucket}/", f"s3://{target_bucket}/", source_url=proxy.url, target_url=proxy.url)

    assert bucket_objects(s3_admin, target_bucket) == {"parts": data}
    assert proxy.stats.requests_by_operation["UploadPartCopy"] == 3
    sizes = [s3_admin.head_object(Bucket=target_bucket, Key="parts", PartNumber=n)["ContentLength"]
             for n in (1, 2, 3)]
    assert sizes == [5 * MiB, 5 * MiB, 2 * MiB]


def test_dry_run_copies_nothing(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"a": b"1", "b/c": b"22"})

    with FaultProxy(s3_endpoint.endpoint_url) as proxy:
        result = runner.run("--server-side-copy", "--dry-run", f"s3://{bucket}/", f"s3://{target_bucket}/",
                            source_url=proxy.url, target_url=proxy.url)

    assert bucket_objects(s3_admin, target_bucket) == {}
    writes = {"CopyObject", "UploadPartCopy", "CreateMultipartUpload", "PutObject", "PutObjectTagging"}
    assert not writes & {op for op, n in proxy.stats.requests_by_operation.items() if n}
    assert proxy.stats.requests_by_operation["HeadObject"] == 2  # the source objects, as the reference does
    assert result.count("transferred") == 2
    assert "[dry-run] sync completed." in result.stdout


SOURCE_SSE_C_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
TARGET_SSE_C_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="


def _copy_sse_c(runner: S3SyncRunner, url: str, s3_admin: Any, bucket: str, target_bucket: str,
                objects: dict[str, bytes]) -> None:
    for key, data in objects.items():
        s3_admin.put_object(Bucket=bucket, Key=key, Body=data, SSECustomerAlgorithm="AES256",
                            SSECustomerKey=_raw(SOURCE_SSE_C_KEY))

    result = runner.run(
        "--server-side-copy", "--source-sse-c", "AES256", "--source-sse-c-key", SOURCE_SSE_C_KEY,
        "--target-sse-c", "AES256", "--target-sse-c-key", TARGET_SSE_C_KEY,
        f"s3://{bucket}/", f"s3://{target_bucket}/", source_url=url, target_url=url,
    )

    assert result.count("transferred") == len(objects) and result.count("error") == 0
    for key, data in objects.items():
        got = s3_admin.get_object(Bucket=target_bucket, Key=key, SSECustomerAlgorithm="AES256",
                                  SSECustomerKey=_raw(TARGET_SSE_C_KEY))["Body"].read()
        assert got == data
    assert SOURCE_SSE_C_KEY not in result.stdout + result.stderr


def test_server_side_copy_of_an_sse_c_object(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    _copy_sse_c(runner, s3_endpoint.endpoint_url, s3_admin, bucket, target_bucket, {"small": b"secret"})


@pytest.mark.aws_fidelity
def test_multipart_server_side_copy_of_an_sse_c_object(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    # SeaweedFS answers UploadPartCopy with copy-source SSE-C headers 501 NotImplemented.
    _copy_sse_c(runner, s3_endpoint.endpoint_url, s3_admin, bucket, target_bucket, {"big": os.urandom(9 * MiB)})


def _raw(key: str) -> bytes:
    import base64

    return base64.b64decode(key)


def test_server_side_copy_with_tagging_options(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="small", Body=b"s", Tagging="from=source")
    s3_admin.put_object(Bucket=bucket, Key="big", Body=os.urandom(9 * MiB), Tagging="from=source")
    url = s3_endpoint.endpoint_url

    runner.run("--server-side-copy", "--tagging", "set=by%20option&n=1", f"s3://{bucket}/",
               f"s3://{target_bucket}/tagged/", source_url=url, target_url=url, expect=None)
    runner.run("--server-side-copy", "--disable-tagging", f"s3://{bucket}/", f"s3://{target_bucket}/bare/",
               source_url=url, target_url=url, expect=None)

    for key in ("small", "big"):
        assert _tags(s3_admin, target_bucket, f"tagged/{key}") == {"set": "by option", "n": "1"}
        assert _tags(s3_admin, target_bucket, f"bare/{key}") == {}


def test_if_none_match_skips_existing_objects_with_two_warnings_each(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    put_objects(s3_admin, target_bucket, {"a": b"old-a", "b": b"old-b"})
    put_objects(s3_admin, bucket, {"a": b"new-a", "b": b"new-b", "c": b"new-c"})
    url = s3_endpoint.endpoint_url

    result = runner.run("--server-side-copy", "--if-none-match", "--remove-modified-filter", f"s3://{bucket}/",
                        f"s3://{target_bucket}/", source_url=url, target_url=url, expect=3)

    assert bucket_objects(s3_admin, target_bucket) == {"a": b"old-a", "b": b"old-b", "c": b"new-c"}
    assert result.count("warning") == 4
    assert result.count("transferred") == 1
    precondition = [line for line in log_lines(result, "WARN") if "precondition" in line]
    assert len(precondition) == 2


def test_server_side_copy_verifies_the_additional_checksum(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="a", Body=b"checked bytes", ChecksumAlgorithm="SHA256")
    url = s3_endpoint.endpoint_url

    result = runner.run("--server-side-copy", "--additional-checksum-algorithm", "SHA256",
                        "--enable-additional-checksum", f"s3://{bucket}/", f"s3://{target_bucket}/",
                        source_url=url, target_url=url)

    head = s3_admin.head_object(Bucket=target_bucket, Key="a", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == s3_admin.head_object(Bucket=bucket, Key="a",
                                                          ChecksumMode="ENABLED")["ChecksumSHA256"]
    assert result.count("checksum_verified") == 1 and result.count("etag_verified") == 1


@pytest.mark.parametrize("algorithm", ["SHA256", "CRC64NVME"])
def test_multipart_server_side_copy_with_an_additional_checksum(
    algorithm: str, runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    data = os.urandom(10 * MiB)
    _multipart(s3_admin, bucket, "big", data, 8 * MiB)
    url = s3_endpoint.endpoint_url

    result = runner.run("--server-side-copy", "--additional-checksum-algorithm", algorithm, f"s3://{bucket}/",
                        f"s3://{target_bucket}/", source_url=url, target_url=url)

    assert bucket_objects(s3_admin, target_bucket) == {"big": data}
    head = s3_admin.head_object(Bucket=target_bucket, Key="big", ChecksumMode="ENABLED")
    assert head.get(f"Checksum{algorithm}")
    assert result.count("error") == 0 and result.count("etag_verified") == 1
