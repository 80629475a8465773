"""--if-match, --if-none-match and --copy-source-if-match end to end: the headers sent, and the 412 paths.

A concurrent writer is simulated at the exact moment it matters: the proxy's request hook changes the object on the
server (directly, not through the proxy) just before it forwards the conditional request, so the precondition that
s3sync computed from its listing or HEAD no longer holds. Each failed precondition skips the object with the
reference's two warnings (one for the failed put, one for the skip), overwrites nothing, and the run exits 3.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _empty_bucket
from tests.support.e2e import bucket_objects, put_objects, write_tree
from tests.support.fault_proxy import FaultProxy, ProxiedRequest
from tests.support.fault_runs import S3SyncRunner, log_lines, open_uploads
from tests.support.seaweed import S3Endpoint

MiB = 1024 * 1024
PRECONDITION = "precondition(if-match/if-none-match/copy-source-if-match) failed. skipping."


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


@pytest.fixture
def other_bucket(s3_admin: Any) -> Iterator[str]:
    name = f"s3syncpy-cw-{uuid.uuid4().hex[:16]}"
    s3_admin.create_bucket(Bucket=name)
    yield name
    _empty_bucket(s3_admin, name)
    s3_admin.delete_bucket(Bucket=name)


class ConcurrentWriter:
    """The proxy hook: records the requests and, once, runs `change` when a request matches."""

    def __init__(self) -> None:
        self.seen: list[ProxiedRequest] = []
        self._pending: list[tuple[Callable[[ProxiedRequest], bool], Callable[[], None]]] = []

    def when(self, match: Callable[[ProxiedRequest], bool], change: Callable[[], None]) -> None:
        self._pending.append((match, change))

    def __call__(self, request: ProxiedRequest) -> float:
        self.seen.append(request)
        for entry in list(self._pending):
            match, change = entry
            if match(request):
                self._pending.remove(entry)
                change()
        return 0.0

    def headers_of(self, operation: str, key: str) -> list[dict[str, str]]:
        return [r.headers for r in self.seen if r.operation == operation and r.key.endswith(key)]


def _on(operation: str, key: str) -> Callable[[ProxiedRequest], bool]:
    return lambda request: request.operation == operation and request.key.endswith(key)


def _newer_tree(root: Path, files: dict[str, bytes]) -> None:
    write_tree(root, files)
    future = 4_000_000_000
    for name in files:
        os.utime(root / name, (future, future))


def _precondition_warnings(result: Any) -> int:
    return sum(PRECONDITION in line for line in log_lines(result, "WARN"))


def test_if_match_sends_the_listed_etag_and_skips_an_object_changed_meanwhile(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    put_objects(s3_admin, bucket, {"a": b"old-a", "b": b"old-b"})
    listed_b = s3_admin.head_object(Bucket=bucket, Key="b")["ETag"]
    big = os.urandom(9 * MiB)
    put_objects(s3_admin, bucket, {"big": b"old-big"})
    _newer_tree(tmp_path, {"a": b"new-a", "b": b"new-b", "big": big, "fresh": b"new"})
    writer = ConcurrentWriter()
    writer.when(_on("PutObject", "a"), lambda: s3_admin.put_object(Bucket=bucket, Key="a", Body=b"theirs"))
    writer.when(_on("CreateMultipartUpload", "big"),
                lambda: s3_admin.put_object(Bucket=bucket, Key="big", Body=b"theirs-big"))

    with FaultProxy(s3_endpoint.endpoint_url, latency=writer) as proxy:
        result = runner.run("--if-match", f"{tmp_path}/", f"s3://{bucket}/", target_url=proxy.url, expect=3)

    assert bucket_objects(s3_admin, bucket) == {"a": b"theirs", "b": b"new-b", "big": b"theirs-big",
                                                "fresh": b"new"}
    (b_headers,) = writer.headers_of("PutObject", "b")
    assert b_headers["if-match"] == listed_b
    assert "if-match" not in writer.headers_of("PutObject", "fresh")[0]  # a new object has nothing to match
    (complete,) = writer.headers_of("CompleteMultipartUpload", "big")
    assert "if-match" in complete
    assert open_uploads(s3_admin, bucket) == []  # the failed multipart upload was aborted
    assert _precondition_warnings(result) == 2
    assert result.count("warning") == 4
    assert result.count("transferred") == 2


def test_if_match_with_head_each_target_uses_the_head(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    put_objects(s3_admin, bucket, {"a": b"old-a"})
    _newer_tree(tmp_path, {"a": b"new-a"})
    writer = ConcurrentWriter()

    with FaultProxy(s3_endpoint.endpoint_url, latency=writer) as proxy:
        runner.run("--if-match", "--head-each-target", "--remove-modified-filter", f"{tmp_path}/",
                   f"s3://{bucket}/", target_url=proxy.url)

    assert bucket_objects(s3_admin, bucket) == {"a": b"new-a"}
    assert writer.headers_of("HeadObject", "a")
    assert writer.headers_of("PutObject", "a")[0]["if-match"].strip('"')


def test_if_match_delete_of_an_object_changed_meanwhile_is_one_warning(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    put_objects(s3_admin, bucket, {"keep": b"k", "gone": b"g", "changed": b"c"})
    write_tree(tmp_path, {"keep": b"k"})
    writer = ConcurrentWriter()
    writer.when(_on("DeleteObject", "changed"),
                lambda: s3_admin.put_object(Bucket=bucket, Key="changed", Body=b"theirs"))

    with FaultProxy(s3_endpoint.endpoint_url, latency=writer) as proxy:
        result = runner.run("--if-match", "--delete", f"{tmp_path}/", f"s3://{bucket}/", target_url=proxy.url,
                            expect=3)

    assert bucket_objects(s3_admin, bucket) == {"keep": b"k", "changed": b"theirs"}
    assert result.count("deleted") == 1
    assert result.count("warning") == 1
    assert writer.headers_of("DeleteObject", "gone")[0]["if-match"]


def test_if_none_match_upload_keeps_existing_objects(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    put_objects(s3_admin, bucket, {"a": b"old"})
    _newer_tree(tmp_path, {"a": b"new", "b": b"new-b"})
    writer = ConcurrentWriter()

    with FaultProxy(s3_endpoint.endpoint_url, latency=writer) as proxy:
        result = runner.run("--if-none-match", f"{tmp_path}/", f"s3://{bucket}/", target_url=proxy.url, expect=3)

    assert bucket_objects(s3_admin, bucket) == {"a": b"old", "b": b"new-b"}
    assert writer.headers_of("PutObject", "b")[0]["if-none-match"] == "*"
    assert result.count("warning") == 2 and _precondition_warnings(result) == 1


def test_warn_as_error_makes_a_failed_precondition_an_error(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    put_objects(s3_admin, bucket, {"a": b"old"})
    _newer_tree(tmp_path, {"a": b"new"})

    runner.run("--if-none-match", "--warn-as-error", f"{tmp_path}/", f"s3://{bucket}/",
               target_url=s3_endpoint.endpoint_url, expect=1)

    assert bucket_objects(s3_admin, bucket) == {"a": b"old"}


def test_copy_source_if_match_skips_a_source_changed_after_listing(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, other_bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"a": b"listed-a", "b": b"listed-b"})
    # In the default 8 MiB parts, so that it is copied by parts (a plain-ETag object is one CopyObject).
    _put_in_parts(s3_admin, bucket, "big", os.urandom(9 * MiB), 8 * MiB)
    listed_b = s3_admin.head_object(Bucket=bucket, Key="b")["ETag"]
    writer = ConcurrentWriter()
    writer.when(_on("CopyObject", "a"), lambda: s3_admin.put_object(Bucket=bucket, Key="a", Body=b"changed"))
    writer.when(_on("CreateMultipartUpload", "big"),
                lambda: s3_admin.put_object(Bucket=bucket, Key="big", Body=b"changed-big"))

    with FaultProxy(s3_endpoint.endpoint_url, latency=writer) as proxy:
        result = runner.run("--server-side-copy", "--copy-source-if-match", f"s3://{bucket}/",
                            f"s3://{other_bucket}/", source_url=proxy.url, target_url=proxy.url, expect=3)

    assert bucket_objects(s3_admin, other_bucket) == {"b": b"listed-b"}
    assert writer.headers_of("CopyObject", "b")[0]["x-amz-copy-source-if-match"] == listed_b
    assert all("x-amz-copy-source-if-match" in h for h in writer.headers_of("UploadPartCopy", "big"))
    assert open_uploads(s3_admin, other_bucket) == []
    assert _precondition_warnings(result) == 2 and result.count("warning") == 4


def _put_in_parts(client: Any, bucket: str, key: str, data: bytes, part: int) -> None:
    upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    for number, offset in enumerate(range(0, len(data), part), start=1):
        sent = client.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number,
                                  Body=data[offset:offset + part])
        parts.append({"ETag": sent["ETag"], "PartNumber": number})
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts})


def _on_part(key: str, number: int) -> Callable[[ProxiedRequest], bool]:
    return lambda request: (request.operation == "UploadPartCopy" and request.key.endswith(key)
                            and request.query.get("partNumber") == [str(number)])


def test_multipart_server_side_copy_pins_its_source_between_parts(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, other_bucket: str
) -> None:
    # Without any conditional option, a multipart copy must copy one version of its source: each UploadPartCopy
    # carries the ETag the source HEAD saw, so a source overwritten between two parts fails the copy (aborted,
    # warning) instead of leaving a target that mixes both versions, which the next run would skip as up to date.
    old, new = os.urandom(12 * MiB), os.urandom(12 * MiB)
    # Both versions in the 5 MiB parts the copy uses, so that the copy of either verifies.
    _put_in_parts(s3_admin, bucket, "big", old, 5 * MiB)
    headed = s3_admin.head_object(Bucket=bucket, Key="big")["ETag"]
    writer = ConcurrentWriter()
    writer.when(_on_part("big", 2), lambda: _put_in_parts(s3_admin, bucket, "big", new, 5 * MiB))
    # One part at a time, so part 1 is copied (from the old version) before part 2 is sent.
    args = ("--server-side-copy", "--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB",
            "--max-parallel-uploads", "1")

    with FaultProxy(s3_endpoint.endpoint_url, latency=writer) as proxy:
        result = runner.run(*args, f"s3://{bucket}/", f"s3://{other_bucket}/", source_url=proxy.url,
                            target_url=proxy.url, expect=None)

    copied = bucket_objects(s3_admin, other_bucket)
    assert {None: "absent", old: "old", new: "new"}.get(copied.get("big"), "a mix") != "a mix"
    parts = writer.headers_of("UploadPartCopy", "big")
    assert len(parts) >= 2 and all(h.get("x-amz-copy-source-if-match") == headed for h in parts), parts
    assert copied == {}  # SeaweedFS honours the header: part 2 fails, the upload is aborted
    assert open_uploads(s3_admin, other_bucket) == []
    assert result.returncode == 3 and _precondition_warnings(result) == 1, result.stdout[-3000:]

    again = runner.run(*args, f"s3://{bucket}/", f"s3://{other_bucket}/", source_url=s3_endpoint.endpoint_url,
                       target_url=s3_endpoint.endpoint_url, expect=None)
    assert bucket_objects(s3_admin, other_bucket) == {"big": new}
    assert again.count("transferred") == 1 and again.returncode == 0, again.stdout[-3000:]


def test_single_server_side_copy_pins_the_headed_source(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, other_bucket: str
) -> None:
    # One CopyObject is atomic, but what the HEAD saw decides the copy (its size the layout, its metadata and
    # checksum what is written and verified), so it carries the same pin: an object overwritten after the HEAD
    # is skipped with a warning and copied by the next run.
    put_objects(s3_admin, bucket, {"a": b"headed", "b": b"steady"})
    headed = s3_admin.head_object(Bucket=bucket, Key="a")["ETag"]
    writer = ConcurrentWriter()
    writer.when(_on("CopyObject", "a"), lambda: s3_admin.put_object(Bucket=bucket, Key="a", Body=b"overwritten"))

    with FaultProxy(s3_endpoint.endpoint_url, latency=writer) as proxy:
        result = runner.run("--server-side-copy", f"s3://{bucket}/", f"s3://{other_bucket}/",
                            source_url=proxy.url, target_url=proxy.url, expect=3)

    assert writer.headers_of("CopyObject", "a")[0]["x-amz-copy-source-if-match"] == headed
    assert bucket_objects(s3_admin, other_bucket) == {"b": b"steady"}
    assert _precondition_warnings(result) == 1

    runner.run("--server-side-copy", f"s3://{bucket}/", f"s3://{other_bucket}/",
               source_url=s3_endpoint.endpoint_url, target_url=s3_endpoint.endpoint_url)
    assert bucket_objects(s3_admin, other_bucket) == {"a": b"overwritten", "b": b"steady"}
