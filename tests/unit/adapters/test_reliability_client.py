"""Retry backoff, timeouts and stalled-stream protection of the S3 client (adapters/s3/client.py, stall.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from s3syncpy.adapters.s3.client import (
    DEFAULT_CONNECT_TIMEOUT_MILLISECONDS,
    MAX_BACKOFF_SECONDS,
    InitialBackoff,
    build_client_config,
    open_s3_client,
)
from s3syncpy.adapters.s3.errors import translate_error
from s3syncpy.adapters.s3.stall import (
    StalledStreamError,
    StallGuardedBody,
    grace_seconds,
    read_with_stall_guard,
)
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.errors import TransientStorageError


class _Body:
    """A body that yields its pieces, sleeping `pauses[i]` seconds before piece i."""

    def __init__(self, pieces: list[bytes], pauses: list[float]) -> None:
        self.pieces = list(pieces)
        self.pauses = list(pauses)
        self.closed = False
        self.sizes: list[int | None] = []

    async def read(self, amt: int | None = None) -> bytes:
        self.sizes.append(amt)
        if self.pauses:
            await asyncio.sleep(self.pauses.pop(0))
        return self.pieces.pop(0) if self.pieces else b""

    async def aclose(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("attempt", "initial", "expected"),
    [
        pytest.param(1, 0.1, 0.1, id="first-retry-waits-up-to-initial"),
        pytest.param(2, 0.1, 0.2, id="doubles"),
        pytest.param(4, 0.1, 0.8, id="doubles-again"),
        pytest.param(20, 0.1, MAX_BACKOFF_SECONDS, id="capped-at-20s"),
        pytest.param(3, 0.0, 0.0, id="zero-initial-means-no-pause"),
    ],
)
def test_backoff_is_jittered_exponential_from_the_initial_value(
    attempt: int, initial: float, expected: float
) -> None:
    context = SimpleNamespace(attempt_number=attempt)
    assert InitialBackoff(initial, rng=lambda: 1.0).delay_amount(context) == pytest.approx(expected)
    assert InitialBackoff(initial, rng=lambda: 0.0).delay_amount(context) == 0.0


def test_client_config_carries_attempts_and_timeouts() -> None:
    settings = ClientSettings(
        aws_max_attempts=4, connect_timeout_milliseconds=1500, read_timeout_milliseconds=2500
    )
    config = build_client_config(settings, max_pool_connections=8)
    assert config.retries == {"mode": "standard", "total_max_attempts": 4}
    assert config.connect_timeout == 1.5
    assert config.read_timeout == 2.5


def test_connect_timeout_defaults_to_the_sdk_value_and_read_timeout_to_none() -> None:
    config = build_client_config(ClientSettings(), max_pool_connections=8)
    assert config.connect_timeout == DEFAULT_CONNECT_TIMEOUT_MILLISECONDS / 1000
    assert config.read_timeout is None


def test_attempt_timeout_selects_a_bounded_http_session() -> None:
    plain = build_client_config(ClientSettings(), max_pool_connections=8)
    bounded = build_client_config(
        ClientSettings(operation_attempt_timeout_milliseconds=700), max_pool_connections=8
    )
    assert bounded.http_session_cls is not plain.http_session_cls
    assert issubclass(bounded.http_session_cls, plain.http_session_cls)


async def test_client_gets_the_configured_retry_handler_and_stall_guard() -> None:
    settings = ClientSettings(
        access_key="a",
        secret_access_key="b",
        region="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_max_attempts=2,
        initial_backoff_milliseconds=250,
    )
    async with open_s3_client(settings, max_pool_connections=2) as client:
        # botocore has no public way to read registered handlers; the emitter's trie is the one place to look.
        handlers = list(client.meta.events._emitter._handlers.prefix_search("needs-retry.s3"))
        policies = [getattr(getattr(h, "__self__", None), "_retry_policy", None) for h in handlers]
        backoffs = [p._retry_backoff for p in policies if p is not None]
        assert backoffs and all(isinstance(b, InitialBackoff) for b in backoffs)
        assert {b._initial for b in backoffs} == {0.25}
        guards = client.meta.events._emitter._handlers.prefix_search("after-call.s3.GetObject")
        assert any(getattr(g, "__name__", "") == "guard" for g in guards)


def test_grace_comes_from_the_settings() -> None:
    assert grace_seconds(ClientSettings()) == 5.0
    assert grace_seconds(ClientSettings(stalled_stream_grace_milliseconds=250)) == 0.25
    assert grace_seconds(ClientSettings(stalled_stream_grace_milliseconds=None)) is None


async def test_a_body_that_keeps_delivering_is_never_aborted() -> None:
    # Each piece takes 60% of the grace period: slow, but never silent for the whole period.
    body = _Body([b"a", b"b", b"c"], [0.06, 0.06, 0.06])
    assert await read_with_stall_guard(body, None, 0.1) == b"abc"


async def test_a_silent_body_is_aborted_after_the_grace_period() -> None:
    body = _Body([b"a", b"b"], [0.0, 5.0])
    guarded = StallGuardedBody(body, 0.05)
    assert await guarded.read(10) == b"a"
    with pytest.raises(StalledStreamError, match="stalled stream"):
        await guarded.read(10)
    await guarded.aclose()
    assert body.closed


async def test_reading_everything_goes_piece_by_piece() -> None:
    body = _Body([b"xy", b"z"], [])
    assert await read_with_stall_guard(body, None, 1.0) == b"xyz"
    assert body.sizes[0] is not None  # never one unbounded read(None)
    assert body.sizes[-1] is not None  # the final empty read lets the body check its Content-Length


async def test_disabled_protection_is_a_plain_read() -> None:
    body = _Body([b"all"], [])
    assert await read_with_stall_guard(body, None, None) == b"all"
    assert body.sizes == [None]


async def test_the_bodys_own_timeout_is_not_reported_as_a_stall() -> None:
    class _TimingOut(_Body):
        async def read(self, amt: int | None = None) -> bytes:
            raise TimeoutError("socket read timeout")

    with pytest.raises(TimeoutError) as caught:
        await read_with_stall_guard(_TimingOut([], []), 10, 5.0)
    assert not isinstance(caught.value, StalledStreamError)


def test_a_stall_is_a_force_retryable_error() -> None:
    error = translate_error(StalledStreamError("stalled stream"), "GetObject", "s3://b/k", key="k")
    assert isinstance(error, TransientStorageError)
