"""The S3 adapter as a contract-suite harness: a fresh SeaweedFS bucket, keys under the prefix "contract/"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from s3syncpy.adapters.s3.factory import open_s3_storage
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.paths import S3Location
from tests.contract.conftest import Harness
from tests.support.seaweed import S3Endpoint

PREFIX = "contract/"


@asynccontextmanager
async def open_s3_harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """The S3 storage on the `bucket` fixture; leftovers are the bucket's unfinished multipart uploads."""
    endpoint: S3Endpoint = request.getfixturevalue("s3_endpoint")
    s3_admin: Any = request.getfixturevalue("s3_admin")
    bucket: str = request.getfixturevalue("bucket")
    settings = ClientSettings(
        access_key=endpoint.access_key,
        secret_access_key=endpoint.secret_key,
        region=endpoint.region,
        endpoint_url=endpoint.endpoint_url,
        force_path_style=True,
        aws_max_attempts=2,
    )

    def leftovers() -> list[str]:
        uploads = s3_admin.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return sorted(upload["Key"] for upload in uploads)

    async with open_s3_storage(S3Location(bucket, PREFIX), settings, worker_size=4, max_parallel_uploads=4) as storage:
        yield Harness(storage, leftovers, "s3")
