"""aiobotocore client lifetime: one client per endpoint per run, configured from ClientSettings.

Public API:
    build_session(settings) -> AioSession
    build_client_config(settings, *, max_pool_connections, accelerate=False, payload_signing=True) -> AioConfig
    open_s3_client(settings, *, max_pool_connections, ...) -> AsyncContextManager[client]
    InitialBackoff(initial_seconds)      the reference's backoff: rand(0,1) x min(initial x 2^(n-1), 20 s)
    install_retry_policy(client, settings), install_stall_guard(client, settings)

Credentials, in the reference's order: explicit keys (+ session token); else the named profile, read from
--aws-config-file / --aws-shared-credentials-file when given; else botocore's default chain (environment, shared
files, SSO, container and instance metadata).

Reliability settings (the reference's SDK retry settings), all from ClientSettings, which the lean data path reads too:
* retries: botocore's standard mode with --aws-max-attempts total attempts; its backoff is replaced by one whose
  base is --initial-backoff-milliseconds (botocore's own is 50 ms, or 1 s for throttling, and not settable);
* --connect-timeout-milliseconds (default 3100 ms, the AWS SDKs' default; botocore's would be 60 s) and
  --read-timeout-milliseconds (no default: a socket read may wait forever, as in the reference);
* --operation-attempt-timeout-milliseconds bounds each HTTP attempt up to the response headers; an attempt that
  overruns fails as a read timeout, which the standard mode retries. (--operation-timeout-milliseconds, the whole
  call with its retries, is applied by the storage's ErrorMapper.)
* stalled-stream protection: every GetObject body is wrapped in a StallGuardedBody (stall.py);
* proxies: HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment, credentials in the proxy URL included
  (botocore reads them; aiohttp sends the URL's user:password as Proxy-Authorization).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

import botocore.exceptions  # type: ignore[import-untyped]
from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
from aiobotocore.httpsession import AIOHTTPSession  # type: ignore[import-untyped]
from aiobotocore.retries.standard import (  # type: ignore[import-untyped]
    AioRetryHandler,
    AioRetryPolicy,
    AioStandardRetryConditions,
)
from aiobotocore.session import AioSession  # type: ignore[import-untyped]
from botocore.retries import quota  # type: ignore[import-untyped]
from botocore.retries.standard import (  # type: ignore[import-untyped]
    ExponentialBackoff,
    RetryEventAdapter,
    RetryQuotaChecker,
    ThrottlingErrorDetector,
)

from s3syncpy.adapters.s3.model_cache import create_caching_loader
from s3syncpy.adapters.s3.stall import StallGuardedBody, grace_seconds
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.errors import ConfigError, StorageError

MILLIS_PER_SECOND = 1000.0
# The AWS SDKs' connect timeout, which the reference documents as its default (botocore's is 60 s).
DEFAULT_CONNECT_TIMEOUT_MILLISECONDS = 3100
# The AWS SDKs' cap on one backoff pause.
MAX_BACKOFF_SECONDS = 20.0


@cache
def shared_data_loader() -> Any:
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
    session.register_component("data_loader", shared_data_loader())
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
    connect_ms = settings.connect_timeout_milliseconds
    if connect_ms is None:
        connect_ms = DEFAULT_CONNECT_TIMEOUT_MILLISECONDS
    options["connect_timeout"] = connect_ms / MILLIS_PER_SECOND
    # botocore's default read timeout is 60 s; the reference has none unless asked for. None disables it.
    read_ms = settings.read_timeout_milliseconds
    options["read_timeout"] = None if read_ms is None else read_ms / MILLIS_PER_SECOND
    attempt_ms = settings.operation_attempt_timeout_milliseconds
    if attempt_ms is not None:
        options["http_session_cls"] = _attempt_limited_session(attempt_ms / MILLIS_PER_SECOND)
    return AioConfig(**options)


class InitialBackoff(ExponentialBackoff):  # type: ignore[misc]
    """The reference's SDK backoff: rand(0, 1) x min(initial x 2^(attempt-1), 20 s), for every retryable error.

    botocore's standard mode fixes the base at 50 ms (1 s for throttling); --initial-backoff-milliseconds sets it.
    """

    def __init__(self, initial_seconds: float, rng: Any = random.random) -> None:
        super().__init__(max_backoff=MAX_BACKOFF_SECONDS, random=rng)
        self._initial = initial_seconds

    def delay_amount(self, context: Any) -> float:
        """The pause before the next attempt (context.attempt_number is 1 for the first attempt)."""
        exponent = max(context.attempt_number - 1, 0)
        return float(self._random() * min(self._initial * (2**exponent), self._max_backoff))


def install_retry_policy(client: Any, settings: ClientSettings) -> None:
    """Replace the client's standard-mode retry handler by one with the configured initial backoff.

    Everything else is botocore's standard mode: --aws-max-attempts total attempts, the same retryable errors
    (throttling, 5xx, connection and timeout errors), the same retry quota.

    Args:
        client: an aiobotocore client created with retries mode "standard".
        settings: the endpoint's client settings.
    """
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()
    unique_id = f"retry-config-{service}"
    adapter = RetryEventAdapter()
    throttling = ThrottlingErrorDetector(adapter)
    retry_quota = RetryQuotaChecker(quota.RetryQuota(), throttling)
    handler = AioRetryHandler(
        retry_policy=AioRetryPolicy(
            retry_checker=AioStandardRetryConditions(max_attempts=settings.aws_max_attempts),
            retry_backoff=InitialBackoff(settings.initial_backoff_milliseconds / MILLIS_PER_SECOND),
        ),
        retry_event_adapter=adapter,
        retry_quota=retry_quota,
        service_name=service,
    )
    events.unregister(f"needs-retry.{service}", unique_id=unique_id)
    events.register(f"after-call.{service}", retry_quota.release_retry_quota)
    events.register(f"needs-retry.{service}", handler.needs_retry, unique_id=unique_id)


def install_stall_guard(client: Any, settings: ClientSettings) -> None:
    """Wrap every GetObject body of the client in a StallGuardedBody (nothing when protection is disabled).

    Args:
        client: an aiobotocore S3 client.
        settings: the endpoint's client settings (stalled_stream_grace_milliseconds).
    """
    grace = grace_seconds(settings)
    if grace is None:
        return

    def guard(parsed: Any = None, **_: Any) -> None:
        # after-call hands over the parsed response the caller receives: swapping the body here covers every
        # GetObject of the client, whoever reads it.
        if isinstance(parsed, dict) and parsed.get("Body") is not None:
            parsed["Body"] = StallGuardedBody(parsed["Body"], grace)

    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"after-call.{service}.GetObject", guard, unique_id="s3syncpy-stall-guard")


@cache
def _attempt_limited_session(attempt_seconds: float) -> type[AIOHTTPSession]:
    """An aiobotocore HTTP session class whose every request attempt must get its response within the limit."""

    class AttemptLimitedSession(AIOHTTPSession):  # type: ignore[misc]
        async def send(self, request: Any) -> Any:
            deadline = asyncio.timeout(attempt_seconds)
            try:
                async with deadline:
                    return await super().send(request)
            except TimeoutError as exc:
                if not deadline.expired():
                    raise
                # A ReadTimeoutError is what botocore's standard mode retries as a transient failure.
                raise botocore.exceptions.ReadTimeoutError(endpoint_url=request.url, error=exc) from exc

    AttemptLimitedSession.__name__ = f"AttemptLimitedSession{int(attempt_seconds * MILLIS_PER_SECOND)}ms"
    return AttemptLimitedSession


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
        install_retry_policy(client, settings)
        install_stall_guard(client, settings)
        yield client
    finally:
        await creator.__aexit__(None, None, None)
