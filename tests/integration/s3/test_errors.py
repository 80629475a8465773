"""Vendor errors become domain errors at the adapter boundary, chained `from` the cause, without secrets."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import botocore.exceptions
import pytest

from s3syncpy.adapters.s3 import open_s3_storage
from s3syncpy.application.ports.storage import ListingOptions, PutRequest
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.errors import (
    AccessDeniedError,
    ConfigError,
    ObjectNotFoundError,
    StorageError,
    TransientStorageError,
)
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import S3Location
from tests.fakes.content import BytesContent
from tests.integration.s3.conftest import OpenStorage


def _info(key: str, size: int = 1) -> ObjectInfo:
    return ObjectInfo(key=key, size=size, mtime_ns=0)


async def test_missing_object_is_not_found_with_operation_and_key(open_storage: OpenStorage) -> None:
    async with open_storage("p/") as storage:
        with pytest.raises(ObjectNotFoundError) as raised:
            await storage.open_content(_info("missing"))
    error = raised.value
    assert (error.operation, error.key) == ("GetObject", "missing")
    assert "p/missing" in str(error)
    assert isinstance(error.__cause__, botocore.exceptions.ClientError)


async def test_delete_is_idempotent(open_storage: OpenStorage, s3_admin: Any, bucket: str) -> None:
    s3_admin.put_object(Bucket=bucket, Key="gone", Body=b"1")
    async with open_storage() as storage:
        await storage.delete_object("gone")
        await storage.delete_object("gone")
        await storage.delete_object("never-existed")
    assert s3_admin.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


async def test_missing_bucket_is_a_plain_storage_error(client_settings: ClientSettings) -> None:
    async with open_s3_storage(S3Location("no-such-bucket-s3syncpy", ""), client_settings) as storage:
        with pytest.raises(StorageError) as raised:
            _ = [info async for info in storage.list_objects(ListingOptions())]
    assert type(raised.value) is StorageError
    assert "NoSuchBucket" in str(raised.value)


async def test_bucket_policy_denial_is_access_denied(
    open_storage: OpenStorage, s3_admin: Any, bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="private/x", Body=b"1")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/private/*"],
            }
        ],
    }
    s3_admin.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    async with open_storage() as storage:
        with pytest.raises(AccessDeniedError) as raised:
            await storage.open_content(_info("private/x"))
    assert raised.value.operation == "GetObject"


@pytest.mark.parametrize("operation", ["list", "head", "get", "put"])
async def test_wrong_secret_key_fails_without_leaking_it(
    open_storage: OpenStorage, client_settings: ClientSettings, s3_admin: Any, bucket: str, operation: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="obj", Body=b"1")
    wrong_secret = "wrong-secret-that-must-not-leak-1234"
    settings = dataclasses.replace(client_settings, secret_access_key=wrong_secret, aws_max_attempts=1)

    async with open_storage(settings=settings) as storage:
        with pytest.raises(StorageError) as raised:
            if operation == "list":
                _ = [info async for info in storage.list_objects(ListingOptions())]
            elif operation == "head":
                await storage.head_object("obj")
            elif operation == "get":
                await storage.open_content(_info("obj"))
            else:
                await storage.put_object("new", BytesContent(b"x"), PutRequest(size=1))

    error = raised.value
    # A signature failure is not a per-object skip: only HEAD (no body, just 403) cannot tell it apart.
    assert isinstance(error, AccessDeniedError) == (operation == "head")
    assert not isinstance(error, TransientStorageError)
    for text in (str(error), repr(error), str(error.__cause__), repr(error.__cause__)):
        assert wrong_secret not in text
        assert client_settings.secret_access_key not in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings_for(port: int, **changes: Any) -> ClientSettings:
    return ClientSettings(
        access_key="ak",
        secret_access_key="sk-not-to-be-shown",
        region="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        force_path_style=True,
        aws_max_attempts=1,
        **changes,
    )


async def test_connection_refused_is_transient() -> None:
    async with open_s3_storage(S3Location("b", ""), _settings_for(_free_port())) as storage:
        with pytest.raises(TransientStorageError) as raised:
            await storage.head_object("k")
    assert raised.value.operation == "HeadObject"
    assert "sk-not-to-be-shown" not in str(raised.value)


async def _serve(handler: Any) -> AsyncIterator[int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts requests and never answers."""
    writers: list[asyncio.StreamWriter] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await reader.read(65536)

    async for port in _serve(handler):
        yield port
        for writer in writers:
            writer.close()


@pytest.fixture
async def truncating_server() -> AsyncIterator[int]:
    """An HTTP server whose every response promises 1000 bytes and sends 10."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: "abc"\r\n'
            b"Last-Modified: Wed, 01 Jan 2025 00:00:00 GMT\r\nContent-Type: text/plain\r\n\r\n0123456789"
        )
        await writer.drain()
        writer.close()

    async for port in _serve(handler):
        yield port


async def test_read_timeout_is_transient(silent_server: int) -> None:
    settings = _settings_for(silent_server, read_timeout_milliseconds=300)
    async with open_s3_storage(S3Location("b", ""), settings) as storage:
        with pytest.raises(TransientStorageError):
            await storage.head_object("k")


async def test_operation_timeout_is_transient(silent_server: int) -> None:
    settings = _settings_for(silent_server, operation_timeout_milliseconds=300)
    async with open_s3_storage(S3Location("b", ""), settings) as storage:
        with pytest.raises(TransientStorageError) as raised:
            await storage.head_object("k")
    assert isinstance(raised.value.__cause__, TimeoutError)


async def test_truncated_body_is_transient(truncating_server: int) -> None:
    async with open_s3_storage(S3Location("b", ""), _settings_for(truncating_server)) as storage:
        content = await storage.open_content(_info("k", 1000))
        async with content:
            assert content.details.info.size == 1000
            with pytest.raises(TransientStorageError) as raised:
                await content.read_range(0, 1000)
    assert raised.value.operation == "GetObject"


async def test_unknown_profile_is_a_config_error(tmp_path: Any) -> None:
    config = tmp_path / "config"
    config.write_text("[profile other]\nregion = us-east-1\n")
    settings = ClientSettings(
        profile="absent", aws_config_file=str(config), endpoint_url="http://127.0.0.1:1"
    )
    with pytest.raises(ConfigError, match="absent"):
        async with open_s3_storage(S3Location("b", ""), settings):
            pass
