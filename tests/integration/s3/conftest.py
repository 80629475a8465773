"""Fixtures for the S3 adapter tests: client settings for the test server and a storage on a fresh bucket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest

from s3syncpy.adapters.s3 import S3ObjectStorage, S3StorageOptions, open_s3_storage
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.paths import S3Location
from tests.support.seaweed import S3Endpoint

OpenStorage = Callable[..., AbstractAsyncContextManager[S3ObjectStorage]]


@pytest.fixture
def client_settings(s3_endpoint: S3Endpoint) -> ClientSettings:
    """Explicit credentials for the test server, path-style, few retries (failures surface fast)."""
    return ClientSettings(
        access_key=s3_endpoint.access_key,
        secret_access_key=s3_endpoint.secret_key,
        region=s3_endpoint.region,
        endpoint_url=s3_endpoint.endpoint_url,
        force_path_style=True,
        aws_max_attempts=2,
    )


@pytest.fixture
def open_storage(bucket: str, client_settings: ClientSettings) -> OpenStorage:
    """open(prefix="", settings=None, options=None, **factory_kwargs): an S3ObjectStorage on the test bucket."""

    def open_(
        prefix: str = "",
        settings: ClientSettings | None = None,
        options: S3StorageOptions | None = None,
        **kwargs: object,
    ) -> AbstractAsyncContextManager[S3ObjectStorage]:
        return open_s3_storage(
            S3Location(bucket, prefix),
            settings or client_settings,
            options=options,
            **kwargs,  # type: ignore[arg-type]
        )

    return open_


@pytest.fixture
async def storage(open_storage: OpenStorage) -> AsyncIterator[S3ObjectStorage]:
    """The adapter on the root of a fresh bucket."""
    async with open_storage(part_semaphore=asyncio.Semaphore(4)) as opened:
        yield opened
