"""A tiny HTTP forward proxy (absolute-form requests and CONNECT tunnels) with Basic proxy authentication.

Public API:
    ForwardProxy(username=None, password=None)   .start() / .stop() / `with ForwardProxy(...) as proxy:`
        .url                        http://127.0.0.1:PORT
        .url_with_credentials(user, password)   the URL with percent-encoded credentials, as HTTP_PROXY takes it
        .requests                   (method, target) of every request it served
        .rejected                   how many requests it refused with 407
        .authorizations             the decoded "user:password" pairs clients sent

It serves the tests that HTTP_PROXY / HTTPS_PROXY / NO_PROXY are honoured: a client that bypasses it leaves
`requests` empty, and one with wrong credentials gets 407 Proxy Authentication Required.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from typing import Self
from urllib.parse import quote, urlsplit

_STOP_TIMEOUT_SECONDS = 10.0
_PIECE = 256 * 1024


class ForwardProxy:
    """An HTTP/1.1 forward proxy on a loopback port, served from a background thread."""

    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        self._credentials = None if username is None else f"{username}:{password or ''}"
        self.requests: list[tuple[str, str]] = []
        self.authorizations: list[str] = []
        self.rejected = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_with_credentials(self, username: str, password: str) -> str:
        return f"http://{quote(username, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}"

    def start(self) -> ForwardProxy:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._server = loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=serve, name="forward-proxy", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(_STOP_TIMEOUT_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_STOP_TIMEOUT_SECONDS)
        self._loop = self._thread = None

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=_STOP_TIMEOUT_SECONDS)
        await self._server.wait_closed()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _authorized(self, headers: dict[str, str]) -> bool:
        value = headers.get("proxy-authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "basic":
            with contextlib.suppress(ValueError):
                self.authorizations.append(base64.b64decode(token).decode())
        if self._credentials is None:
            return True
        return (
            bool(self.authorizations)
            and self.authorizations[-1] == self._credentials
            and scheme.lower() == "basic"
        )

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        upstream: dict[tuple[str, int], tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                authorized = self._authorized(headers)
                if authorized and headers.get("expect", "").lower() == "100-continue":
                    # The client sends the body only after an interim 100; a proxy may answer it itself.
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    await writer.drain()
                if not authorized and headers.get("expect", "").lower() == "100-continue":
                    # The body never comes: refuse and close.
                    writer.write(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
                    )
                    await writer.drain()
                    self.rejected += 1
                    return
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                if not authorized:
                    self.rejected += 1
                    writer.write(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                    )
                    await writer.drain()
                    continue
                self.requests.append((method, target))
                if method == "CONNECT":
                    await self._tunnel(target, reader, writer)
                    return
                await self._forward(method, target, version, lines[1:], body, writer, upstream)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()
            for _, up_writer in upstream.values():
                up_writer.close()

    async def _forward(
        self,
        method: str,
        target: str,
        version: str,
        header_lines: list[str],
        body: bytes,
        writer: asyncio.StreamWriter,
        upstream: dict[tuple[str, int], tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    ) -> None:
        parts = urlsplit(target)
        address = (parts.hostname or "", parts.port or 80)
        if address not in upstream:
            upstream[address] = await asyncio.open_connection(*address)
        up_reader, up_writer = upstream[address]
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = [line for line in header_lines if line and not line.lower().startswith("proxy-")]
        up_writer.write(f"{method} {path} {version}\r\n".encode("latin-1"))
        up_writer.write(("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body)
        await up_writer.drain()
        while True:
            response_head = await up_reader.readuntil(b"\r\n\r\n")
            status = int(response_head.split(b" ", 2)[1])
            if not 100 <= status < 200:
                break
        writer.write(response_head)
        response_headers = {
            line.split(b":", 1)[0].strip().lower(): line.split(b":", 1)[1].strip()
            for line in response_head.split(b"\r\n")[1:]
            if b":" in line
        }
        if method != "HEAD" and b"chunked" in response_headers.get(b"transfer-encoding", b"").lower():
            await _relay_chunked(up_reader, writer)
            return
        remaining = (
            0 if method == "HEAD" or status in (204, 304) else int(response_headers.get(b"content-length", 0))
        )
        while remaining > 0:
            piece = await up_reader.read(min(remaining, _PIECE))
            if not piece:
                raise ConnectionError("upstream closed mid-body")
            writer.write(piece)
            remaining -= len(piece)
            await writer.drain()
        await writer.drain()

    async def _tunnel(self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, _, port = target.rpartition(":")
        up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
        writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        await writer.drain()

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while piece := await source.read(_PIECE):
                    sink.write(piece)
                    await sink.drain()
            sink.close()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            up_writer.close()


async def _relay_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy a chunked body as it is, up to and including its terminating chunk and trailers."""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        writer.write(size_line)
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (trailer := await reader.readuntil(b"\r\n")) != b"\r\n":
                writer.write(trailer)
            writer.write(b"\r\n")
            await writer.drain()
            return
        writer.write(await reader.readexactly(size + 2))
        await writer.drain()
