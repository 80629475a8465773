"""Header, metadata, storage-class, ACL and request options, end to end: what the target object carries."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, bucket_objects, write_tree
from tests.support.fault_proxy import FaultProxy, ProxiedRequest
from tests.support.seaweed import S3Endpoint

MiB = 1024 * 1024
MULTIPART = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB")
HEADERS = (
    "--cache-control", "max-age=3600",
    "--content-disposition", "attachment; filename=x.bin",
    "--content-encoding", "identity",
    "--content-language", "ja-JP",
    "--content-type", "application/x-test",
    "--expires", "2030-01-02T03:04:05Z",
    "--website-redirect", "/elsewhere.html",
)


def _files() -> dict[str, bytes]:
    return {"small.txt": b"small body", "large.bin": os.urandom(6 * MiB)}


def _put_source(s3_admin: Any, bucket: str, body: bytes, **fields: Any) -> None:
    """PutObject, or for a body of 5 MiB and more a multipart upload in 5 MiB parts (the layout MULTIPART uses, so
    the copy's ETag verifies)."""
    if len(body) < 5 * MiB:
        s3_admin.put_object(Bucket=bucket, Key="obj", Body=body, **fields)
        return
    upload = s3_admin.create_multipart_upload(Bucket=bucket, Key="obj", **fields)["UploadId"]
    parts = []
    for number, offset in enumerate(range(0, len(body), 5 * MiB), start=1):
        part = s3_admin.upload_part(Bucket=bucket, Key="obj", UploadId=upload, PartNumber=number,
                                    Body=body[offset:offset + 5 * MiB])
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    s3_admin.complete_multipart_upload(Bucket=bucket, Key="obj", UploadId=upload, MultipartUpload={"Parts": parts})


def _assert_given_headers(head: dict[str, Any]) -> None:
    assert head["CacheControl"] == "max-age=3600"
    assert head["ContentDisposition"] == "attachment; filename=x.bin"
    assert head["ContentEncoding"] == "identity"
    assert head["ContentLanguage"] == "ja-JP"
    assert head["ContentType"] == "application/x-test"
    assert head["ExpiresString"] == "Wed, 02 Jan 2030 03:04:05 GMT"
    # SeaweedFS does not keep x-amz-website-redirect-location: the wire test below checks it is sent.


def test_upload_sets_every_header_metadata_and_storage_class_single_and_multipart(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    files = _files()
    write_tree(tmp_path, files)
    mtime = 1_700_000_123
    for name in files:
        os.utime(tmp_path / name, (mtime, mtime))

    result = run_s3sync(*HEADERS, *MULTIPART, "--metadata", "team=blue,tier=1", "--put-last-modified-metadata",
                        "--storage-class", "STANDARD_IA", "--acl", "private", str(tmp_path), f"s3://{bucket}/")

    assert bucket_objects(s3_admin, bucket) == files
    for key in files:
        head = s3_admin.head_object(Bucket=bucket, Key=key)
        _assert_given_headers(head)
        assert head["Metadata"] == {"team": "blue", "tier": "1",
                                    "s3sync_origin_last_modified": "2023-11-14T22:15:23+00:00"}
        assert head["StorageClass"] == "STANDARD_IA"
    assert result.count("transferred") == 2 and result.count("etag_verified") == 2
    assert result.count("warning") == 0


@pytest.mark.parametrize("multipart", [False, True], ids=["single-part", "multipart"])
def test_copy_keeps_source_metadata_and_storage_class_by_default(
    multipart: bool, bucket: str, target_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    body = os.urandom(6 * MiB) if multipart else b"copy me"
    _put_source(s3_admin, bucket, body, ContentType="text/x-src", CacheControl="no-cache", ContentLanguage="fr",
                Metadata={"owner": "me"}, StorageClass="STANDARD_IA")

    result = run_s3sync(*MULTIPART, f"s3://{bucket}/", f"s3://{target_bucket}/")

    head = s3_admin.head_object(Bucket=target_bucket, Key="obj")
    assert (head["ContentType"], head["CacheControl"], head["ContentLanguage"]) == ("text/x-src", "no-cache", "fr")
    assert head["Metadata"] == {"owner": "me"}
    assert head["StorageClass"] == "STANDARD_IA"
    assert bucket_objects(s3_admin, target_bucket) == {"obj": body}
    assert result.count("transferred") == 1 and result.count("etag_verified") == 1


@pytest.mark.parametrize("multipart", [False, True], ids=["single-part", "multipart"])
def test_copy_applies_clear_then_replace_then_add(
    multipart: bool, bucket: str, target_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    body = os.urandom(6 * MiB) if multipart else b"copy me"
    _put_source(s3_admin, bucket, body, ContentType="text/x-src", CacheControl="no-cache",
                ContentDisposition="inline", Metadata={"owner": "me", "old": "1"})

    run_s3sync(*MULTIPART, "--no-sync-system-metadata", "--no-sync-user-defined-metadata", "--content-type",
               "image/png", "--metadata", "new=2", "--put-last-modified-metadata", "--storage-class",
               "REDUCED_REDUNDANCY", f"s3://{bucket}/", f"s3://{target_bucket}/")

    head = s3_admin.head_object(Bucket=target_bucket, Key="obj")
    assert head["ContentType"] == "image/png"
    assert "CacheControl" not in head and "ContentDisposition" not in head
    source_modified = s3_admin.head_object(Bucket=bucket, Key="obj")["LastModified"]
    assert head["Metadata"] == {
        "new": "2", "s3sync_origin_last_modified": source_modified.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    }
    assert head["StorageClass"] == "REDUCED_REDUNDANCY"
    assert bucket_objects(s3_admin, target_bucket) == {"obj": body}


def test_no_sync_user_metadata_alone_keeps_system_headers(
    bucket: str, target_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="obj", Body=b"x", ContentType="text/x-src", Metadata={"owner": "me"})

    run_s3sync("--no-sync-user-defined-metadata", f"s3://{bucket}/", f"s3://{target_bucket}/")

    head = s3_admin.head_object(Bucket=target_bucket, Key="obj")
    assert head["ContentType"] == "text/x-src" and head.get("Metadata", {}) == {}


@pytest.mark.parametrize("datapath", ["lean", "botocore"])
def test_source_request_payer_on_every_source_request(
    datapath: str, tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: S3Endpoint, run_s3sync: RunS3Sync
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="a", Body=b"alpha", Metadata={"k": "v"})
    seen: list[ProxiedRequest] = []

    with _recording_proxy(s3_endpoint, seen) as proxy:
        result = run_s3sync("--source-request-payer", "--source-endpoint-url", proxy.url, f"s3://{bucket}/",
                            str(tmp_path), env={"S3SYNCPY_DATAPATH": datapath})

    assert (tmp_path / "a").read_bytes() == b"alpha"
    assert result.count("transferred") == 1
    assert {r.operation for r in seen} >= {"ListObjectsV2", "GetObject"}
    assert [r.operation for r in seen if r.headers.get("x-amz-request-payer") != "requester"] == []


def test_header_option_to_a_local_target_is_exit_2(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    result = run_s3sync("--cache-control", "x", f"s3://{bucket}/", str(tmp_path), expect=2)

    assert result.stderr.strip().splitlines() == ["error: with metadata related option, target storage must be s3://"]


def _recording_proxy(s3_endpoint: S3Endpoint, seen: list[ProxiedRequest]) -> FaultProxy:
    proxy = FaultProxy(s3_endpoint.endpoint_url)

    def record(request: ProxiedRequest) -> bool:
        seen.append(request)
        return False

    proxy.add_rule(record, next(iter(proxy.faults)), times=None)
    return proxy


@pytest.mark.parametrize("datapath", ["lean", "botocore"])
def test_payload_signing_request_payer_and_acl_reach_the_wire(
    datapath: str, tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: S3Endpoint, run_s3sync: RunS3Sync
) -> None:
    files = _files()
    write_tree(tmp_path, files)
    seen: list[ProxiedRequest] = []

    with _recording_proxy(s3_endpoint, seen) as proxy:
        run_s3sync(*MULTIPART, "--disable-payload-signing", "--target-request-payer", "--acl", "private",
               "--website-redirect", "/elsewhere.html",
                   "--target-endpoint-url", proxy.url, str(tmp_path), f"s3://{bucket}/",
                   env={"S3SYNCPY_DATAPATH": datapath})

    assert bucket_objects(s3_admin, bucket) == files
    writes = [r for r in seen if r.operation in ("PutObject", "UploadPart")]
    assert {r.operation for r in writes} == {"PutObject", "UploadPart"}
    assert all(r.headers.get("x-amz-content-sha256") == "UNSIGNED-PAYLOAD" for r in writes)
    assert [r.operation for r in seen if r.headers.get("x-amz-request-payer") != "requester"] == []
    created = [r for r in seen if r.operation in ("PutObject", "CreateMultipartUpload")]
    assert len(created) == 2 and all(r.headers.get("x-amz-acl") == "private" for r in created)
    assert all(r.headers.get("x-amz-website-redirect-location") == "/elsewhere.html" for r in created)


def test_signed_payload_by_default(tmp_path: Path, bucket: str, s3_endpoint: S3Endpoint,
                                   run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, {"a": b"signed"})
    seen: list[ProxiedRequest] = []

    with _recording_proxy(s3_endpoint, seen) as proxy:
        run_s3sync("--target-endpoint-url", proxy.url, str(tmp_path), f"s3://{bucket}/")

    puts = [r for r in seen if r.operation == "PutObject"]
    assert len(puts) == 1 and puts[0].headers.get("x-amz-content-sha256") not in (None, "UNSIGNED-PAYLOAD")
    assert all("x-amz-request-payer" not in r.headers for r in seen)


@pytest.mark.parametrize("multipart", [False, True], ids=["single-part", "multipart"])
def test_server_side_copy_replaces_metadata_when_an_option_is_given(
    multipart: bool, bucket: str, target_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    body = os.urandom(6 * MiB) if multipart else b"copy me"
    _put_source(s3_admin, bucket, body, ContentType="text/x-src", CacheControl="no-cache", Metadata={"old": "1"})

    result = run_s3sync(*MULTIPART, "--server-side-copy", "--no-sync-system-metadata", "--content-language", "de",
                        "--metadata", "new=2", "--storage-class", "STANDARD_IA", f"s3://{bucket}/",
                        f"s3://{target_bucket}/")

    head = s3_admin.head_object(Bucket=target_bucket, Key="obj")
    assert head["ContentLanguage"] == "de" and "CacheControl" not in head
    assert head["Metadata"] == {"new": "2"}
    assert head["StorageClass"] == "STANDARD_IA"
    assert bucket_objects(s3_admin, target_bucket) == {"obj": body}
    assert result.count("transferred") == 1


@pytest.mark.parametrize("multipart", [False, True], ids=["single-part", "multipart"])
def test_server_side_copy_keeps_the_source_storage_class(
    multipart: bool, bucket: str, target_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    body = os.urandom(6 * MiB) if multipart else b"copy me"
    _put_source(s3_admin, bucket, body, Metadata={"owner": "me"}, StorageClass="STANDARD_IA")

    run_s3sync(*MULTIPART, "--server-side-copy", f"s3://{bucket}/", f"s3://{target_bucket}/")

    head = s3_admin.head_object(Bucket=target_bucket, Key="obj")
    assert head["StorageClass"] == "STANDARD_IA" and head["Metadata"] == {"owner": "me"}


@pytest.mark.parametrize("server_side_copy", [False, True], ids=["stream-copy", "server-side-copy"])
def test_copy_sends_both_sides_request_options(
    server_side_copy: bool, bucket: str, target_bucket: str, s3_admin: Any, s3_endpoint: S3Endpoint,
    run_s3sync: RunS3Sync
) -> None:
    small, large = b"small", os.urandom(6 * MiB)
    s3_admin.put_object(Bucket=bucket, Key="small", Body=small)
    s3_admin.put_object(Bucket=bucket, Key="large", Body=large)
    seen: list[ProxiedRequest] = []

    with _recording_proxy(s3_endpoint, seen) as proxy:
        run_s3sync(*MULTIPART, *(("--server-side-copy",) if server_side_copy else ()), "--source-request-payer",
                   "--target-request-payer", "--acl", "public-read", "--disable-payload-signing",
                   "--source-endpoint-url", proxy.url, "--target-endpoint-url", proxy.url, "--disable-multipart-verify",
                   f"s3://{bucket}/", f"s3://{target_bucket}/")

    assert bucket_objects(s3_admin, target_bucket) == {"small": small, "large": large}
    assert [r.operation for r in seen if r.headers.get("x-amz-request-payer") != "requester"] == []
    created = [r for r in seen if r.bucket == target_bucket
               and r.operation in ("PutObject", "CopyObject", "CreateMultipartUpload")]
    assert len(created) == 2 and all(r.headers.get("x-amz-acl") == "public-read" for r in created)
    bodies = [r for r in seen if r.operation in ("PutObject", "UploadPart")]
    assert all(r.headers.get("x-amz-content-sha256") == "UNSIGNED-PAYLOAD" for r in bodies)
    assert bool(bodies) is not server_side_copy
