"""Express One Zone rules end to end, against a bucket whose name ends in `--x-s3` on the test server.

The test server has no directory buckets: a bucket of that name is an ordinary bucket there, and botocore's S3
Express session auth (CreateSession) is turned off (AWS_S3_DISABLE_EXPRESS_SESSION_AUTH), so requests are plainly
SigV4-signed. What this covers is our side of the rules, decided by the name: the CRC64NVME checksum by default
and its verification, no ETag verification, and --disable-express-one-zone-additional-checksum. Not covered here:
the real service's session auth, its rejection of Content-MD5, and its listing of in-progress uploads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.config
import botocore.session
import pytest

from tests.conftest import _empty_bucket
from tests.support.e2e import RunS3Sync, read_tree, write_tree
from tests.support.seaweed import S3Endpoint

NO_SESSION_AUTH = {"AWS_S3_DISABLE_EXPRESS_SESSION_AUTH": "true"}


@pytest.fixture
def express_admin(s3_endpoint: S3Endpoint) -> Iterator[Any]:
    config = botocore.config.Config(
        s3={"addressing_style": "path", "disable_s3_express_session_auth": True},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    client = botocore.session.Session().create_client(
        "s3", region_name=s3_endpoint.region, endpoint_url=s3_endpoint.endpoint_url,
        aws_access_key_id=s3_endpoint.access_key, aws_secret_access_key=s3_endpoint.secret_key, config=config,
    )
    yield client
    client.close()


@pytest.fixture
def directory_bucket(express_admin: Any) -> Iterator[str]:
    name = f"s3syncpy-{uuid.uuid4().hex[:12]}--use1-az4--x-s3"
    try:
        express_admin.create_bucket(Bucket=name)
    except Exception as exc:  # noqa: BLE001  (the server may refuse the name: nothing to test then)
        pytest.skip(f"the test server does not accept the bucket name {name}: {exc}")
    yield name
    _empty_bucket(express_admin, name)
    express_admin.delete_bucket(Bucket=name)


FILES = {"a.txt": b"hello", "dir/b.bin": b"\x00" * 1000, "empty": b""}


def test_upload_gets_crc64nvme_and_no_etag_verification(tmp_path: Path, directory_bucket: str, express_admin: Any,
                                                        run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", FILES)

    result = run_s3sync(str(tmp_path / "src"), f"s3://{directory_bucket}/", env=NO_SESSION_AUTH)

    assert result.count("transferred") == 3
    assert result.count("etag_verified") == 0
    assert result.count("checksum_verified") == 3
    head = express_admin.head_object(Bucket=directory_bucket, Key="a.txt", ChecksumMode="ENABLED")
    assert head.get("ChecksumCRC64NVME")

    back = tmp_path / "back"
    download = run_s3sync(f"s3://{directory_bucket}/", str(back), env=NO_SESSION_AUTH)
    assert read_tree(back) == FILES
    assert download.count("etag_verified") == 0
    assert download.count("checksum_verified") == 3


def test_the_default_checksum_can_be_disabled(tmp_path: Path, directory_bucket: str, express_admin: Any,
                                              run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", FILES)

    result = run_s3sync("--disable-express-one-zone-additional-checksum", str(tmp_path / "src"),
                        f"s3://{directory_bucket}/", env=NO_SESSION_AUTH)

    assert result.count("transferred") == 3
    assert (result.count("etag_verified"), result.count("checksum_verified")) == (0, 0)
    head = express_admin.head_object(Bucket=directory_bucket, Key="a.txt", ChecksumMode="ENABLED")
    assert not head.get("ChecksumCRC64NVME")


def test_versioning_is_refused_for_a_directory_bucket(directory_bucket: str, run_s3sync: RunS3Sync) -> None:
    result = run_s3sync("--enable-versioning", "s3://plain/", f"s3://{directory_bucket}/", expect=2)
    assert "error: --enable-versioning cannot be used with Express One Zone storage class" in result.stderr
