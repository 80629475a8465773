"""HTTP_PROXY / HTTPS_PROXY / NO_PROXY are honoured, with credentials in the proxy URL (reference §7.1).

The endpoint is plain HTTP on loopback, so the client talks to the proxy in absolute form (HTTPS would tunnel with
CONNECT through the same proxy). Both request paths go through it: botocore (HEAD, multipart control calls) and
the lean data path (GET, PUT, UploadPart, listing).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, bucket_objects, read_tree, write_tree
from tests.support.forward_proxy import ForwardProxy

USER, PASSWORD = "proxy-user", "p@ss:w/rd%"  # characters that must be percent-encoded in the URL
FILES = {"a.txt": b"alpha", "dir/b.txt": b"bravo", "big.bin": os.urandom(6 * 1024 * 1024)}
MULTIPART = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB")


@pytest.fixture
def proxy() -> Any:
    with ForwardProxy(USER, PASSWORD) as started:
        yield started


def _operations(proxy: ForwardProxy) -> set[str]:
    return {method for method, _ in proxy.requests}


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy"])
def test_uploads_and_downloads_go_through_the_authenticated_proxy(
    variable: str, run_s3sync: RunS3Sync, proxy: ForwardProxy, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_tree(source, FILES)
    env = {variable: proxy.url_with_credentials(USER, PASSWORD)}

    run_s3sync(*MULTIPART, f"{source}/", f"s3://{bucket}/", env=env)
    run_s3sync(*MULTIPART, f"s3://{bucket}/", f"{tmp_path / 'down'}/", env=env)

    assert bucket_objects(s3_admin, bucket) == FILES
    assert read_tree(tmp_path / "down") == FILES
    assert proxy.rejected == 0
    assert set(proxy.authorizations) == {f"{USER}:{PASSWORD}"}
    assert {"GET", "PUT", "POST"} <= _operations(proxy)
    assert all(target.startswith("http://127.0.0.1:") for _, target in proxy.requests)


def test_no_proxy_bypasses_the_proxy(
    run_s3sync: RunS3Sync, proxy: ForwardProxy, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_tree(source, FILES)
    env = {"HTTP_PROXY": proxy.url_with_credentials(USER, PASSWORD), "NO_PROXY": "127.0.0.1,localhost"}

    run_s3sync(*MULTIPART, f"{source}/", f"s3://{bucket}/", env=env)

    assert bucket_objects(s3_admin, bucket) == FILES
    assert proxy.requests == [] and proxy.rejected == 0


def test_wrong_proxy_credentials_fail_the_run_without_printing_them(
    run_s3sync: RunS3Sync, proxy: ForwardProxy, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_tree(source, {"a.txt": b"alpha"})
    wrong = "not-the-password-4711"
    env = {"HTTP_PROXY": proxy.url_with_credentials(USER, wrong)}

    result = run_s3sync("-vv", "--force-retry-count", "0", f"{source}/", f"s3://{bucket}/", env=env, expect=1)

    assert proxy.rejected >= 1 and proxy.requests == []
    assert bucket_objects(s3_admin, bucket) == {}
    assert wrong not in result.stdout + result.stderr


def test_https_proxy_is_not_used_for_an_http_endpoint(
    run_s3sync: RunS3Sync, proxy: ForwardProxy, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_tree(source, {"a.txt": b"alpha"})

    run_s3sync(
        f"{source}/", f"s3://{bucket}/", env={"HTTPS_PROXY": proxy.url_with_credentials(USER, PASSWORD)}
    )

    assert bucket_objects(s3_admin, bucket) == {"a.txt": b"alpha"}
    assert proxy.requests == []
