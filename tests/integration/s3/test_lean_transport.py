"""The lean transport's retries, errors and redirects, against a scripted HTTP server on 127.0.0.1.

SeaweedFS cannot be told to answer 503 or to redirect, so a tiny aiohttp server plays S3's error responses.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import botocore.exceptions
import pytest
from aiohttp import web

from s3syncpy.adapters.s3.datapath import GetResponse, ListPage, S3DataPath, WriteResponse
from s3syncpy.adapters.s3.errors import translate_error
from s3syncpy.adapters.s3.lean.datapath import LeanDataPath
from s3syncpy.adapters.s3.lean.endpoint import BucketEndpoint
from s3syncpy.adapters.s3.lean.transport import LeanTransport, RegionRedirectError, TransportSettings
from s3syncpy.domain.errors import AccessDeniedError, ObjectNotFoundError, TransientStorageError
from s3syncpy.domain.paths import S3Location

Reply = Callable[[int], web.StreamResponse]


def _xml_error(status: int, code: str, headers: dict[str, str] | None = None) -> web.Response:
    body = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{code} said the server</Message></Error>"
    return web.Response(status=status, body=body.encode(), headers=headers, content_type="application/xml")


@dataclass
class ScriptedServer:
    """Answers attempt n with replies[n] (the last reply repeats); records every request."""

    url: str
    replies: list[Reply] = field(default_factory=list)
    seen: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    scripted = ScriptedServer(url="")

    async def handle(request: web.Request) -> web.StreamResponse:
        scripted.seen.append(dict(request.headers))
        await request.read()
        attempt = len(scripted.seen) - 1
        reply = scripted.replies[min(attempt, len(scripted.replies) - 1)]
        response = reply(attempt)
        if asyncio.iscoroutine(response):
            response = await response
        return response

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    scripted.url = f"http://127.0.0.1:{port}"
    try:
        yield scripted
    finally:
        await runner.cleanup()


def _settings(**overrides: Any) -> TransportSettings:
    values: dict[str, Any] = {"max_connections": 4, "max_attempts": 3, "initial_backoff": 0.001}
    values.update(overrides)
    return TransportSettings(**values)


async def _send(
    server: ScriptedServer, settings: TransportSettings, prepared: list[int] | None = None
) -> int:
    async def prepare() -> dict[str, str]:
        if prepared is not None:
            prepared.append(1)
        return {"x-attempt": str(len(prepared or []))}

    async with LeanTransport(settings, tls=False) as transport:
        response = await transport.send("PutObject", "PUT", server.url + "/bkt/key", prepare, b"payload")
        status = response.status
        await response.read()
        response.release()
        return status


async def test_503_is_retried_until_success(server: ScriptedServer) -> None:
    server.replies = [
        lambda _: _xml_error(503, "SlowDown"),
        lambda _: web.Response(status=503),
        lambda _: web.Response(),
    ]
    prepared: list[int] = []
    assert await _send(server, _settings(), prepared) == 200
    assert len(server.seen) == 3
    # Each attempt is prepared (signed) anew.
    assert [h["x-attempt"] for h in server.seen] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        pytest.param(lambda _: _xml_error(500, "InternalError"), "InternalError", id="500"),
        pytest.param(lambda _: web.Response(status=502), "502", id="502-without-body"),
        pytest.param(lambda _: _xml_error(429, "TooManyRequests"), "TooManyRequests", id="429"),
        pytest.param(lambda _: _xml_error(400, "RequestTimeout"), "RequestTimeout", id="request-timeout"),
    ],
)
async def test_attempts_run_out(server: ScriptedServer, reply: Reply, code: str) -> None:
    server.replies = [reply]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        await _send(server, _settings(max_attempts=3))
    assert raised.value.response["Error"]["Code"] == code
    assert len(server.seen) == 3


@pytest.mark.parametrize(
    ("status", "code", "domain_error"),
    [
        pytest.param(404, "NoSuchKey", ObjectNotFoundError, id="not-found"),
        pytest.param(403, "AccessDenied", AccessDeniedError, id="access-denied"),
    ],
)
async def test_client_errors_are_not_retried_and_map_like_botocore(
    server: ScriptedServer, status: int, code: str, domain_error: type[Exception]
) -> None:
    server.replies = [lambda _: _xml_error(status, code, {"x-amz-request-id": "REQ1"})]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        await _send(server, _settings())
    assert len(server.seen) == 1
    response = raised.value.response
    assert response["Error"] == {"Code": code, "Message": f"{code} said the server"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["ResponseMetadata"]["RequestId"] == "REQ1"
    mapped = translate_error(raised.value, "GetObject", "s3://bkt/key", key="key")
    assert type(mapped) is domain_error


async def test_redirect_is_reported_not_followed(server: ScriptedServer) -> None:
    server.replies = [lambda _: _xml_error(301, "PermanentRedirect", {"x-amz-bucket-region": "eu-west-3"})]
    with pytest.raises(RegionRedirectError):
        await _send(server, _settings())
    assert len(server.seen) == 1


async def test_slow_attempt_times_out_and_is_retried(server: ScriptedServer) -> None:
    async def slow(_: int) -> web.Response:
        await asyncio.sleep(2)
        return web.Response()

    server.replies = [slow, lambda _: web.Response()]  # type: ignore[list-item]
    assert await _send(server, _settings(attempt_timeout=0.2)) == 200
    assert len(server.seen) == 2


async def test_refused_connection_is_retried_then_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    prepared: list[int] = []
    closed = ScriptedServer(url=f"http://127.0.0.1:{port}")
    with pytest.raises(aiohttp.ClientConnectionError) as raised:
        await _send(closed, _settings(max_attempts=2), prepared)
    assert len(prepared) == 2
    assert type(translate_error(raised.value, "PutObject", "s3://bkt/key")) is TransientStorageError


class RecordingFallback(S3DataPath):
    """A stand-in for the botocore data path that records which calls reached it."""

    def __init__(self, location: S3Location) -> None:
        super().__init__(location)
        self.calls: list[str] = []

    async def list_page(
        self,
        continuation_token: str | None,
        max_keys: int,
        start_after: str | None = None,
        *,
        prefix: str | None = None,
        delimiter: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> ListPage:
        self.calls.append("list_page")
        return ListPage(objects=[], next_token=None)

    async def get_object(self, key: str, **_: Any) -> GetResponse:
        raise NotImplementedError

    async def put_object(self, key: str, body: bytes, params: Any) -> WriteResponse:
        self.calls.append(f"put_object {key}")
        return WriteResponse(e_tag='"fallback"')

    async def upload_part(self, *_: Any) -> WriteResponse:
        raise NotImplementedError


class _Credentials:
    async def get(self) -> Any:
        from s3syncpy.adapters.s3.lean.signing import FrozenCredentials

        return FrozenCredentials("AKID", "secret")


async def test_region_redirect_hands_over_to_botocore(server: ScriptedServer) -> None:
    import botocore.session

    server.replies = [
        lambda _: _xml_error(400, "AuthorizationHeaderMalformed", {"x-amz-bucket-region": "eu-west-3"})
    ]
    location = S3Location("bkt", "p/")
    fallback = RecordingFallback(location)
    endpoint = BucketEndpoint(
        base_url=server.url + "/bkt",
        base_path="/bkt",
        host=server.url[7:],
        region="us-east-1",
        signing_name="s3",
        https=False,
    )
    async with LeanTransport(_settings(), tls=False) as transport:
        lean = LeanDataPath(
            location,
            endpoint=endpoint,
            credentials=_Credentials(),  # type: ignore[arg-type]
            transport=transport,
            service_model=botocore.session.get_session().get_service_model("s3"),
            fallback=fallback,
        )
        assert (await lean.put_object("a", b"1", {})).e_tag == '"fallback"'
        assert (await lean.list_page(None, 10)).objects == []
    # One lean attempt; after it, every call goes to the fallback without trying the lean path again.
    assert len(server.seen) == 1
    assert fallback.calls == ["put_object a", "list_page"]
    assert server.seen[0]["Host"] == server.url[7:]
    assert server.seen[0]["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKID/")


async def test_a_response_body_that_breaks_off_is_fetched_again() -> None:
    """A listing page cut short after its status line is requested again, as botocore would (fetch)."""
    bodies = [b"<partial", b"<ListBucketResult/>"]
    requests: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await reader.readuntil(b"\r\n\r\n"))
        body = bodies[min(len(requests) - 1, len(bodies) - 1)]
        declared = len(bodies[-1]) + 10 if len(requests) == 1 else len(body)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % declared + body)
        await writer.drain()
        writer.close()  # the first answer ends before its declared length

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]

    async def prepare() -> dict[str, str]:
        return {}

    try:
        async with LeanTransport(_settings(), tls=False) as transport:
            data = await transport.fetch("ListObjectsV2", "GET", f"http://127.0.0.1:{port}/bkt?list-type=2", prepare)
    finally:
        listener.close()
        await listener.wait_closed()
    assert data == b"<ListBucketResult/>"
    assert len(requests) == 2


async def test_a_body_that_always_breaks_off_fails_after_the_attempts() -> None:
    attempts: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        attempts.append(1)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<cut")
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]

    async def prepare() -> dict[str, str]:
        return {}

    try:
        async with LeanTransport(_settings(max_attempts=3), tls=False) as transport:
            with pytest.raises(aiohttp.ClientError):
                await transport.fetch("ListObjectsV2", "GET", f"http://127.0.0.1:{port}/bkt", prepare)
    finally:
        listener.close()
        await listener.wait_closed()
    assert len(attempts) == 3
