"""aiobotocore client lifetime: one client per endpoint per run, configured from ClientSettings.

Public API:
    build_session(settings) -> AioSession
    build_client_config(settings, *, max_pool_connections, accelerate=False, payload_signing=True) -> AioConfig
    open_s3_client(settings, *, max_pool_connections, ...) -> AsyncContextManager[client]

Credentials, in the reference's order: explicit keys (+ session token); else the named profile, read from
--aws-config-file / --aws-shared-credentials-file when given; else botocore's default chain (environment, shared
files, SSO, container and instance metadata).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

import botocore.exceptions  # type: ignore[import-untyped]
from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
from aiobotocore.session import AioSession  # type: ignore[import-untyped]

from s3syncpy.adapters.s3.model_cache import create_caching_loader
from s3syncpy.application.config import ClientSettings
from s3syncpy.domain.errors import ConfigError, StorageError

MILLIS_PER_SECOND = 1000.0


@cache
def _shared_data_loader() -> Any:
    """botocore's loader of the (read-only) service models, shared by every session of the process.

    Why: each new session otherwise parses the S3 model and endpoint rules again, ~0.4 s of CPU per client; the
    parsed files are also cached across runs (model_cache.py).
    """
    return create_caching_loader()


def build_session(settings: ClientSettings) -> AioSession:
    """An AioSession reading the configured profile and files (no I/O happens yet).

    Args:
        settings: the endpoint's client settings.

    Returns:
        The session to create the client from.
    """
    session = AioSession(profile=settings.profile if settings.access_key is None else None)
    session.register_component("data_loader", _shared_data_loader())
    if settings.aws_config_file is not None:
        session.set_config_variable("config_file", settings.aws_config_file)
    if settings.aws_shared_credentials_file is not None:
        session.set_config_variable("credentials_file", settings.aws_shared_credentials_file)
    return session


def build_client_config(
    settings: ClientSettings,
    *,
    max_pool_connections: int,
    accelerate: bool = False,
    payload_signing: bool = True,
) -> AioConfig:
    """The client configuration: addressing style, retries, timeouts, connection pool, checksum policy.

    Args:
        settings: the endpoint's client settings.
        max_pool_connections: connections kept per endpoint (worker_size + max_parallel_uploads covers every
            request that can be in flight at once).
        accelerate: use the S3 Transfer Acceleration endpoint.
        payload_signing: False sends UNSIGNED-PAYLOAD (--disable-payload-signing).

    Returns:
        An AioConfig for `create_client`.
    """
    s3: dict[str, Any] = {}
    if not payload_signing:
        # Explicit False also skips the SHA-256 of the body over plain HTTP; True is left implicit so botocore
        # keeps its own rule (sign over HTTP; over HTTPS skip when Content-MD5 already protects the body).
        s3["payload_signing_enabled"] = False
    if settings.force_path_style:
        s3["addressing_style"] = "path"
    if accelerate:
        s3["use_accelerate_endpoint"] = True
    options: dict[str, Any] = {
        "s3": s3,
        "retries": {"mode": "standard", "total_max_attempts": settings.aws_max_attempts},
        "max_pool_connections": max_pool_connections,
        # The reference computes checksums only when an operation requires one (or an algorithm is asked for):
        # botocore's default would CRC32 every PutObject body and verify every GET body, costing CPU per request.
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }
    if settings.connect_timeout_milliseconds is not None:
        options["connect_timeout"] = settings.connect_timeout_milliseconds / MILLIS_PER_SECOND
    if settings.read_timeout_milliseconds is not None:
        options["read_timeout"] = settings.read_timeout_milliseconds / MILLIS_PER_SECOND
    return AioConfig(**options)


@asynccontextmanager
async def open_s3_client(
    settings: ClientSettings,
    *,
    max_pool_connections: int,
    accelerate: bool = False,
    payload_signing: bool = True,
) -> AsyncIterator[Any]:
    """Create the aiobotocore S3 client for one endpoint and close it (and its connections) on exit.

    Args:
        settings: the endpoint's client settings.
        max_pool_connections: see build_client_config.
        accelerate: see build_client_config.
        payload_signing: see build_client_config.

    Yields:
        The aiobotocore S3 client.

    Raises:
        ConfigError: the profile does not exist or an AWS config file cannot be parsed.
        StorageError: the client could not be created for another reason.
    """
    session = build_session(settings)
    config = build_client_config(
        settings,
        max_pool_connections=max_pool_connections,
        accelerate=accelerate,
        payload_signing=payload_signing,
    )
    try:
        creator = session.create_client(
            "s3",
            region_name=settings.region,
            endpoint_url=settings.endpoint_url,
            aws_access_key_id=settings.access_key,
            aws_secret_access_key=settings.secret_access_key if settings.access_key is not None else None,
            aws_session_token=settings.session_token if settings.access_key is not None else None,
            config=config,
        )
        client = await creator.__aenter__()
    except (botocore.exceptions.ProfileNotFound, botocore.exceptions.ConfigParseError) as exc:
        raise ConfigError(str(exc)) from exc
    except (botocore.exceptions.BotoCoreError, ValueError) as exc:
        # ValueError: botocore rejects a malformed endpoint URL this way.
        raise StorageError(f"cannot create the S3 client: {type(exc).__name__}: {exc}") from exc
    try:
        yield client
    finally:
        await creator.__aexit__(None, None, None)
