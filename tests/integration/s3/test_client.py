"""Client configuration from ClientSettings, and the three ways to get credentials, against the test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3syncpy.adapters.s3 import S3ObjectStorage
from s3syncpy.adapters.s3.client import build_client_config
from s3syncpy.application.ports.storage import ListingOptions, PutRequest
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.errors import StorageError
from tests.fakes.content import BytesContent
from tests.integration.s3.conftest import OpenStorage
from tests.support.seaweed import S3Endpoint


def test_client_config_from_settings() -> None:
    settings = ClientSettings(
        force_path_style=True,
        aws_max_attempts=4,
        connect_timeout_milliseconds=1500,
        read_timeout_milliseconds=250,
    )

    config = build_client_config(settings, max_pool_connections=48)

    assert config.s3 == {"addressing_style": "path"}
    assert config.retries == {"mode": "standard", "total_max_attempts": 4}
    assert config.max_pool_connections == 48
    assert (config.connect_timeout, config.read_timeout) == (1.5, 0.25)
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"


def test_client_config_options() -> None:
    config = build_client_config(
        ClientSettings(), max_pool_connections=2, accelerate=True, payload_signing=False
    )
    assert config.s3 == {"use_accelerate_endpoint": True, "payload_signing_enabled": False}


async def _round_trip(storage: S3ObjectStorage) -> list[str]:
    await storage.put_object("k", BytesContent(b"v"), PutRequest(size=1))
    return [info.key async for info in storage.list_objects(ListingOptions())]


async def test_profile_from_given_files(
    open_storage: OpenStorage, s3_endpoint: S3Endpoint, tmp_path: Path
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[sync]\naws_access_key_id = {s3_endpoint.access_key}\naws_secret_access_key = {s3_endpoint.secret_key}\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[profile sync]\nregion = {s3_endpoint.region}\n")
    settings = ClientSettings(
        profile="sync",
        aws_config_file=str(config),
        aws_shared_credentials_file=str(credentials),
        endpoint_url=s3_endpoint.endpoint_url,
        force_path_style=True,
    )

    async with open_storage(settings=settings) as storage:
        assert await _round_trip(storage) == ["k"]


async def test_default_chain_reads_the_environment(
    open_storage: OpenStorage, s3_endpoint: S3Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_endpoint.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_endpoint.secret_key)
    monkeypatch.setenv("AWS_REGION", s3_endpoint.region)
    settings = ClientSettings(endpoint_url=s3_endpoint.endpoint_url, force_path_style=True)

    async with open_storage(settings=settings) as storage:
        assert await _round_trip(storage) == ["k"]


async def test_no_credentials_anywhere_is_a_storage_error(
    open_storage: OpenStorage, s3_endpoint: S3Endpoint
) -> None:
    settings = ClientSettings(
        endpoint_url=s3_endpoint.endpoint_url, region="us-east-1", force_path_style=True
    )

    async with open_storage(settings=settings) as storage:
        with pytest.raises(StorageError, match="NoCredentialsError"):
            await storage.head_object("k")


async def test_storage_class_is_sent(open_storage: OpenStorage) -> None:
    async with open_storage() as storage:
        await storage.put_object("cold", BytesContent(b"v"), PutRequest(size=1, storage_class="STANDARD_IA"))
        details = await storage.head_object("cold")
        listed = [info async for info in storage.list_objects(ListingOptions())]
    assert details is not None and details.info.storage_class == "STANDARD_IA"
    assert listed[0].storage_class == "STANDARD_IA"
