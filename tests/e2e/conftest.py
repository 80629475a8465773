"""Fixtures for end-to-end tests: the installed `s3sync` command run as a subprocess against the test server."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import _empty_bucket
from tests.support.e2e import Result, RunS3Sync, s3sync_command


@pytest.fixture
def run_s3sync(s3_endpoint: Any) -> RunS3Sync:
    """Run `s3sync ARGS...`; S3 sides get the test endpoint, credentials come from the environment."""

    def run(*args: str, expect: int | None = 0, env: dict[str, str] | None = None, timeout: float = 300) -> Result:
        # By convention every test passes SOURCE and TARGET last.
        extra: list[str] = []
        if len(args) >= 2 and args[-2].startswith("s3://"):
            extra += ["--source-endpoint-url", s3_endpoint.endpoint_url, "--source-force-path-style"]
        if args and args[-1].startswith("s3://"):
            extra += ["--target-endpoint-url", s3_endpoint.endpoint_url, "--target-force-path-style"]
        environment = dict(os.environ)
        environment.update(
            AWS_ACCESS_KEY_ID=s3_endpoint.access_key,
            AWS_SECRET_ACCESS_KEY=s3_endpoint.secret_key,
            AWS_REGION=s3_endpoint.region,
        )
        environment.update(env or {})
        completed = subprocess.run(
            [*s3sync_command(), *extra, *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout,
            check=False,
        )
        result = Result(completed.returncode, completed.stdout, completed.stderr)
        if expect is not None and result.returncode != expect:
            raise AssertionError(
                f"s3sync {' '.join(args)} exited {result.returncode}, expected {expect}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    return run


def _versioned_bucket(s3_admin: Any, enabled: bool = True) -> Iterator[str]:
    """A new bucket (versioning Enabled unless `enabled` is False), removed with every version after the test."""
    name = f"s3syncpy-v-{uuid.uuid4().hex[:18]}"
    s3_admin.create_bucket(Bucket=name)
    if enabled:
        s3_admin.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    _empty_bucket(s3_admin, name)
    s3_admin.delete_bucket(Bucket=name)


@pytest.fixture
def source_bucket(s3_admin: Any) -> Iterator[str]:
    yield from _versioned_bucket(s3_admin)


@pytest.fixture
def versioned_target(s3_admin: Any) -> Iterator[str]:
    yield from _versioned_bucket(s3_admin)


@pytest.fixture
def plain_target(s3_admin: Any) -> Iterator[str]:
    yield from _versioned_bucket(s3_admin, enabled=False)


@pytest.fixture
def target_bucket(s3_admin: Any) -> Iterator[str]:
    """A second new empty bucket (S3 -> S3 tests), removed with everything in it after the test."""
    yield from _versioned_bucket(s3_admin, enabled=False)
