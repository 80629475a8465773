"""No secret reaches the output: every direction at -vvv, in the compact and the JSON format, and when runs fail.

Secrets: the secret access key (given as an option and through AWS_SECRET_ACCESS_KEY), a session token, and the
SSE-C keys of both sides. The runs really log (sync completed lines, request errors): the test checks that too, so
it cannot pass by printing nothing.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import Result, RunS3Sync, write_tree
from tests.support.seaweed import S3Endpoint

MIB = 1024 * 1024
SOURCE_SSE_C_KEY = base64.b64encode(b"source-customer-key-32-bytes-ok!").decode()
TARGET_SSE_C_KEY = base64.b64encode(b"target-customer-key-32-bytes-ok!").decode()
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue0123456789abcdef"
WRONG_SECRET = "wrong-secret-key-that-must-never-be-printed-0123"
FORMATS = {"compact": ("-vvv",), "json": ("-vvv", "--json-tracing"), "stderr": ("-vvv", "--tracing-stderr")}
FILES = {"a.txt": b"alpha", "dir/b.txt": b"bravo", "big.bin": os.urandom(6 * MIB)}
MULTIPART = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB")


def _secrets(endpoint: S3Endpoint) -> list[str]:
    return [endpoint.secret_key, SOURCE_SSE_C_KEY, TARGET_SSE_C_KEY, SESSION_TOKEN, WRONG_SECRET]


def _assert_no_secret(result: Result, endpoint: S3Endpoint) -> None:
    output = result.stdout + result.stderr
    for secret in _secrets(endpoint):
        assert secret not in output, f"a secret leaked ({secret[:4]}...)"


def _assert_really_logged(result: Result, json_format: bool) -> None:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) >= 3
    if json_format:
        records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        assert records, result.stdout
        assert all("fields" in record for record in records)


def _credentials(endpoint: S3Endpoint, side: str, secret: str | None = None) -> tuple[str, ...]:
    return (
        f"--{side}-access-key",
        endpoint.access_key,
        f"--{side}-secret-access-key",
        secret or endpoint.secret_key,
    )


def _sse_c(side: str) -> tuple[str, ...]:
    key = SOURCE_SSE_C_KEY if side == "source" else TARGET_SSE_C_KEY
    return (f"--{side}-sse-c", "AES256", f"--{side}-sse-c-key", key)


@pytest.fixture
def seeded(run_s3sync: RunS3Sync, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path) -> str:
    """The bucket with FILES under src/, encrypted with the source SSE-C key."""
    source = tmp_path / "seed"
    write_tree(source, FILES)
    run_s3sync(
        *MULTIPART,
        *_credentials(s3_endpoint, "target"),
        "--target-sse-c",
        "AES256",
        "--target-sse-c-key",
        SOURCE_SSE_C_KEY,
        f"{source}/",
        f"s3://{bucket}/src/",
    )
    return bucket


@pytest.mark.parametrize("fmt", list(FORMATS), ids=list(FORMATS))
def test_local_to_s3(
    fmt: str, run_s3sync: RunS3Sync, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_tree(source, FILES)
    result = run_s3sync(
        *FORMATS[fmt],
        *MULTIPART,
        *_credentials(s3_endpoint, "target"),
        *_sse_c("target"),
        f"{source}/",
        f"s3://{bucket}/up/",
    )
    assert "sync completed." in result.stdout + result.stderr
    _assert_really_logged(result, fmt == "json")
    _assert_no_secret(result, s3_endpoint)


@pytest.mark.parametrize("fmt", list(FORMATS), ids=list(FORMATS))
def test_s3_to_local(
    fmt: str, run_s3sync: RunS3Sync, s3_endpoint: S3Endpoint, seeded: str, tmp_path: Path
) -> None:
    result = run_s3sync(
        *FORMATS[fmt],
        *MULTIPART,
        *_credentials(s3_endpoint, "source"),
        *_sse_c("source"),
        f"s3://{seeded}/src/",
        f"{tmp_path / 'down'}/",
    )
    assert "sync completed." in result.stdout + result.stderr
    _assert_really_logged(result, fmt == "json")
    _assert_no_secret(result, s3_endpoint)


@pytest.mark.parametrize("fmt", list(FORMATS), ids=list(FORMATS))
def test_s3_to_s3(fmt: str, run_s3sync: RunS3Sync, s3_endpoint: S3Endpoint, seeded: str) -> None:
    result = run_s3sync(
        *FORMATS[fmt],
        *MULTIPART,
        *_credentials(s3_endpoint, "source"),
        *_credentials(s3_endpoint, "target"),
        *_sse_c("source"),
        *_sse_c("target"),
        f"s3://{seeded}/src/",
        f"s3://{seeded}/copy/",
    )
    assert "sync completed." in result.stdout + result.stderr
    _assert_really_logged(result, fmt == "json")
    _assert_no_secret(result, s3_endpoint)


@pytest.mark.parametrize("fmt", list(FORMATS), ids=list(FORMATS))
@pytest.mark.parametrize("failure", ["wrong-secret", "session-token", "wrong-sse-c-key", "no-such-bucket"])
def test_failing_runs_print_no_secret(
    fmt: str, failure: str, run_s3sync: RunS3Sync, s3_endpoint: S3Endpoint, seeded: str, tmp_path: Path
) -> None:
    source_args: tuple[str, ...] = (*_credentials(s3_endpoint, "source"), *_sse_c("source"))
    bucket = seeded
    env: dict[str, str] = {}
    if failure == "wrong-secret":
        source_args = (*_credentials(s3_endpoint, "source", WRONG_SECRET), *_sse_c("source"))
        env["AWS_SECRET_ACCESS_KEY"] = WRONG_SECRET
    elif failure == "session-token":
        source_args = (*source_args, "--source-session-token", SESSION_TOKEN)
    elif failure == "wrong-sse-c-key":
        source_args = (
            *_credentials(s3_endpoint, "source"),
            "--source-sse-c",
            "AES256",
            "--source-sse-c-key",
            TARGET_SSE_C_KEY,
        )
    else:
        bucket = f"{seeded}-missing"
    result = run_s3sync(
        *FORMATS[fmt],
        *MULTIPART,
        *source_args,
        "--force-retry-count",
        "0",
        f"s3://{bucket}/src/",
        f"{tmp_path / 'down'}/",
        expect=None,
        env=env,
    )
    _assert_really_logged(result, fmt == "json")
    _assert_no_secret(result, s3_endpoint)
    if failure != "session-token":
        # (A server may accept or refuse a session token next to static keys; either way it stays hidden.)
        assert result.returncode in (1, 3)


def test_internal_details_do_not_leak_through_the_environment(
    run_s3sync: RunS3Sync, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    """Credentials from the environment only (no option): redacted as well."""
    source = tmp_path / "src"
    write_tree(source, {"a.txt": b"a"})
    env: dict[str, Any] = {"AWS_SESSION_TOKEN": SESSION_TOKEN}
    result = run_s3sync("-vvv", f"{source}/", f"s3://{bucket}/", env=env, expect=None)
    _assert_no_secret(result, s3_endpoint)
