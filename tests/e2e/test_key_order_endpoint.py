"""Key order is decided from the endpoint the client actually uses, also when no --*-endpoint-url option names it.

SeaweedFS lists in directory-tree order (`a/1` before `a-b`, although `-` sorts before `/`). Reached through
AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3, or a profile's endpoint_url) it must be treated as the custom endpoint it
is: a key-range listing that stopped at the first key past the range's end would never see `a-b`, and --delete
would remove the target's `a-b` although the source has it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import bucket_objects, put_objects
from tests.support.fault_runs import S3SyncRunner
from tests.support.seaweed import S3Endpoint

SOURCE = {"copy/a-b": b"in range", "copy/a/1": b"past the end", "copy/a-a": b"also in range"}


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


def _endpoint_env(variable: str, s3_endpoint: S3Endpoint, tmp_path: Path) -> dict[str, str]:
    if variable == "profile":
        config = tmp_path / "aws-config"
        config.write_text(f"[profile seaweed]\nendpoint_url = {s3_endpoint.endpoint_url}\n")
        return {"AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "seaweed"}
    return {variable: s3_endpoint.endpoint_url}


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "profile"])
@pytest.mark.parametrize("listing", ["serial", "parallel"])
def test_key_range_delete_keeps_target_keys_the_source_has_behind_a_configured_endpoint(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, target_bucket: str,
    tmp_path: Path, variable: str, listing: str,
) -> None:
    put_objects(s3_admin, bucket, SOURCE)
    # The target holds a key the source has and one it lacks, and no `a/` folder: listed in tree order, the
    # source's `a/1` comes first and is past the range's end, the target's keys are all in it.
    put_objects(s3_admin, target_bucket, {"copy/a-b": b"in range", "copy/a-0": b"target only"})
    parallel = ("--max-parallel-listings", "1") if listing == "serial" else ()

    result = runner.run(*parallel, "--source-force-path-style", "--target-force-path-style",
                        "--key-range-end", "a-c", "--delete", f"s3://{bucket}/copy/",
                        f"s3://{target_bucket}/copy/", env=_endpoint_env(variable, s3_endpoint, tmp_path))

    assert bucket_objects(s3_admin, target_bucket) == {"copy/a-b": b"in range", "copy/a-a": b"also in range"}
    assert result.count("deleted") == 1 and result.count("transferred") == 1
