"""A fault-injecting HTTP/1.1 reverse proxy for the tests, put between `s3sync` and the SeaweedFS fixture.

Public API:
    Fault                    the kinds of fault it injects
    ProxiedRequest           what a rule or a latency function sees of one request (method, path, query, key, ...)
    FaultProxy(upstream_url, *, rate=0.0, faults=ALL_FAULTS, seed=None, stall_seconds=5.0, protect=None,
               max_consecutive=None, latency=None)
        .start() / .stop() / `with FaultProxy(...) as proxy:`   runs on 127.0.0.1 in a thread of its own
        .url                                                    the endpoint URL to give s3sync
        .add_rule(match, fault, times=1)                        scripted faults, checked before the random ones
        .stats                                                  requests seen, faults injected by kind / operation,
                                                                body bytes each way per operation

Per request, with probability `rate` (and always when a scripted rule matches), one fault applicable to the request
is injected:

    reset-before-response   the request is read, never forwarded, and the connection is reset (RST)
    reset-mid-upload        half the request body is read, then the connection is reset (requests with a body)
    slowdown-503            503 SlowDown, not forwarded
    internal-error-500      500 InternalError, not forwarded
    reset-mid-download      forwarded; the headers and half the body are sent, then a reset (GET with a body)
    truncated-body          forwarded; the full Content-Length is announced, half the body sent, then a clean close
    stall                   forwarded; the headers and half the body are sent, then nothing for `stall_seconds`
    bad-request-400         400 InvalidArgument, not forwarded (scripted rules only: a non-retryable error)
    invalid-object-state-403  403 InvalidObjectState, not forwarded (scripted only: an archived object's GET)
    corrupt-body            forwarded; the whole body is sent with its first byte flipped (scripted only: bytes
                            damaged on the way, which only the client's own verification can catch)

Faults that need a response body (the last three) are decided when the request arrives; if the upstream response
turns out to have no body to cut (an error, an empty object), it is passed through and not counted. Faults that
reach the server (the last three) are only chosen for GET, which is idempotent, so the proxy never makes the server
do something twice that the client cannot repeat.

`latency(request)` delays the proxy's handling of a request (faulted or not) by that many seconds.

`protect` and `max_consecutive` bound the random faults on chosen requests: a protected request (same method and
target) is never faulted more than `max_consecutive` times in a row. The tests use it for requests whose failure
ends the run by contract (a listing), so that a 1,000-object run is not flaky by bad luck.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

_HEAD_LIMIT = 64 * 1024
_LISTEN_BACKLOG = 512
_PIECE = 256 * 1024
_STOP_TIMEOUT_SECONDS = 10.0


class Fault(enum.Enum):
    """One kind of injected fault (see the module docstring)."""

    RESET_BEFORE_RESPONSE = "reset-before-response"
    RESET_MID_UPLOAD = "reset-mid-upload"
    SLOW_DOWN = "slowdown-503"
    INTERNAL_ERROR = "internal-error-500"
    RESET_MID_DOWNLOAD = "reset-mid-download"
    TRUNCATED_BODY = "truncated-body"
    STALL = "stall"
    BAD_REQUEST = "bad-request-400"
    INVALID_OBJECT_STATE = "invalid-object-state-403"
    CORRUPT_BODY = "corrupt-body"


# What random injection chooses from; the non-retryable errors are for scripted rules only.
ALL_FAULTS: tuple[Fault, ...] = tuple(
    fault for fault in Fault if fault not in (Fault.BAD_REQUEST, Fault.INVALID_OBJECT_STATE, Fault.CORRUPT_BODY)
)
_BODY_FAULTS = frozenset({Fault.RESET_MID_DOWNLOAD, Fault.TRUNCATED_BODY, Fault.STALL})
_ERROR_RESPONSES = {
    Fault.SLOW_DOWN: (503, "Slow Down", "SlowDown", "Please reduce your request rate."),
    Fault.INTERNAL_ERROR: (
        500,
        "Internal Server Error",
        "InternalError",
        "We encountered an internal error.",
    ),
    Fault.BAD_REQUEST: (400, "Bad Request", "InvalidArgument", "Injected by the fault proxy."),
    # What S3 answers a GET of a GLACIER / DEEP_ARCHIVE object that is not restored (SeaweedFS serves them).
    Fault.INVALID_OBJECT_STATE: (
        403,
        "Forbidden",
        "InvalidObjectState",
        "The operation is not valid for the object's storage class",
    ),
}


@dataclass
class ProxiedRequest:
    """One request as the proxy read it (path-style addressing: /bucket/key?query)."""

    method: str
    target: str
    headers: dict[str, str]
    body_length: int

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    @property
    def bucket(self) -> str:
        return unquote(self.path.lstrip("/").split("/", 1)[0])

    @property
    def key(self) -> str:
        parts = self.path.lstrip("/").split("/", 1)
        return unquote(parts[1]) if len(parts) == 2 else ""

    @property
    def operation(self) -> str:
        """The S3 API call, guessed from method, path and query (enough for the tests' rules)."""
        query, method = self.query, self.method
        if not self.key:
            if method == "GET" and "list-type" in query:
                return "ListObjectsV2"
            if method == "GET" and "uploads" in query:
                return "ListMultipartUploads"
            return f"{method}Bucket"
        if method == "GET":
            return "GetObjectTagging" if "tagging" in query else "GetObject"
        if method == "HEAD":
            return "HeadObject"
        if method == "PUT":
            if "partNumber" in query and "uploadId" in query:
                return "UploadPartCopy" if "x-amz-copy-source" in self.headers else "UploadPart"
            if "tagging" in query:
                return "PutObjectTagging"
            return "CopyObject" if "x-amz-copy-source" in self.headers else "PutObject"
        if method == "POST":
            if "uploads" in query:
                return "CreateMultipartUpload"
            if "uploadId" in query:
                return "CompleteMultipartUpload"
        if method == "DELETE":
            return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
        return method


Matcher = Callable[[ProxiedRequest], bool]


@dataclass
class _Rule:
    match: Matcher
    fault: Fault
    remaining: int | None


@dataclass
class ProxyStats:
    """What the proxy saw and did (read it after the client finished)."""

    requests: int = 0
    faults: Counter[Fault] = field(default_factory=Counter)
    faults_by_operation: Counter[str] = field(default_factory=Counter)
    requests_by_operation: Counter[str] = field(default_factory=Counter)
    # Body bytes that passed through, per operation: sent by the client, and returned by the server.
    request_bytes_by_operation: Counter[str] = field(default_factory=Counter)
    response_bytes_by_operation: Counter[str] = field(default_factory=Counter)

    @property
    def faulted(self) -> int:
        return sum(self.faults.values())

    @property
    def fault_ratio(self) -> float:
        return self.faulted / self.requests if self.requests else 0.0

    def describe(self) -> str:
        kinds = ", ".join(f"{fault.value}={count}" for fault, count in sorted(self.faults.items(), key=str))
        return f"{self.requests} requests, {self.faulted} faulted ({self.fault_ratio:.1%}): {kinds}"


class _Head:
    """A parsed request or response head."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        lines = raw.decode("latin-1").split("\r\n")
        self.start_line = lines[0]
        self.headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    @property
    def chunked(self) -> bool:
        return "chunked" in self.headers.get("transfer-encoding", "").lower()

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("content-length")
        return int(value) if value is not None else None


async def _read_head(reader: asyncio.StreamReader) -> _Head | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError as exc:
        raise ConnectionError("head too large") from exc
    return _Head(raw)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    """The raw bytes of a chunked body, terminating chunk and trailers included (forwarded verbatim)."""
    raw = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        raw += size_line
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while True:
                trailer = await reader.readuntil(b"\r\n")
                raw += trailer
                if trailer == b"\r\n":
                    return bytes(raw)
        raw += await reader.readexactly(size + 2)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0) rather than a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _flush(writer: asyncio.StreamWriter) -> None:
    """Wait until the transport handed every byte to the kernel, and a little more for it to leave."""
    await writer.drain()
    while writer.transport.get_write_buffer_size() > 0:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.02)


class _Upstream:
    """The upstream connection of one client connection, opened on first use and reused while it stays clean."""

    def __init__(self, address: tuple[str, int]) -> None:
        self._address = address
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(*self._address, limit=_HEAD_LIMIT)
        return self._streams

    def close(self) -> None:
        streams, self._streams = self._streams, None
        if streams is not None:
            streams[1].close()


class FaultProxy:
    """The proxy (see the module docstring). Thread-safe to start, stop and read stats from the test thread."""

    def __init__(
        self,
        upstream_url: str,
        *,
        rate: float = 0.0,
        faults: Iterable[Fault] = ALL_FAULTS,
        seed: int | None = None,
        stall_seconds: float = 5.0,
        protect: Matcher | None = None,
        max_consecutive: int | None = None,
        latency: Callable[[ProxiedRequest], float] | None = None,
    ) -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"upstream must be http://host:port, not {upstream_url!r}")
        self._upstream = (parts.hostname, parts.port)
        self.rate = rate
        self.faults = tuple(faults)
        self.stall_seconds = stall_seconds
        self._random = random.Random(seed)
        self._protect = protect
        self._max_consecutive = max_consecutive
        self._latency = latency
        self._rules: list[_Rule] = []
        self._consecutive: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self.stats = ProxyStats()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        """The endpoint URL clients use."""
        return f"http://127.0.0.1:{self.port}"

    def add_rule(self, match: Matcher, fault: Fault, times: int | None = 1) -> None:
        """Inject `fault` into the next `times` requests that `match` accepts (None: every one)."""
        with self._lock:
            self._rules.append(_Rule(match, fault, times))

    def clear_rules(self) -> None:
        with self._lock:
            self._rules.clear()

    def reset_stats(self) -> None:
        with self._lock:
            self.stats = ProxyStats()

    # -- lifetime -------------------------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Listen on a free loopback port, serving from a background thread."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(
                        self._accept, "127.0.0.1", 0, backlog=_LISTEN_BACKLOG, limit=_HEAD_LIMIT
                    )
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=serve, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close the listener and every connection, and end the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        future.result(_STOP_TIMEOUT_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_STOP_TIMEOUT_SECONDS)
        self._loop = self._thread = None

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=_STOP_TIMEOUT_SECONDS)
        if self._server is not None:
            await self._server.wait_closed()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- decisions ------------------------------------------------------------------------------------------------

    def _applicable(self, request: ProxiedRequest) -> list[Fault]:
        allowed = []
        for fault in self.faults:
            if fault in _BODY_FAULTS and request.method != "GET":
                continue
            if fault is Fault.RESET_MID_UPLOAD and request.body_length < 2:
                continue
            allowed.append(fault)
        return allowed

    def _decide(self, request: ProxiedRequest) -> Fault | None:
        with self._lock:
            self.stats.requests += 1
            self.stats.requests_by_operation[request.operation] += 1
            for rule in self._rules:
                if (rule.remaining is None or rule.remaining > 0) and rule.match(request):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule.fault
            signature = (request.method, request.target)
            protected = (
                self._protect is not None and self._max_consecutive is not None and self._protect(request)
            )
            if protected and self._consecutive[signature] >= (self._max_consecutive or 0):
                del self._consecutive[signature]
                return None
            if self.rate <= 0 or self._random.random() >= self.rate:
                self._consecutive.pop(signature, None)
                return None
            choices = self._applicable(request)
            if not choices:
                return None
            if protected:
                self._consecutive[signature] += 1
            return self._random.choice(choices)

    def _count_bytes(self, request: ProxiedRequest, *, requested: int = 0, returned: int = 0) -> None:
        with self._lock:
            self.stats.request_bytes_by_operation[request.operation] += requested
            self.stats.response_bytes_by_operation[request.operation] += returned

    def _count(self, fault: Fault, request: ProxiedRequest) -> None:
        with self._lock:
            self.stats.faults[fault] += 1
            self.stats.faults_by_operation[request.operation] += 1

    # -- connections ----------------------------------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self._writers.add(writer)
        upstream = _Upstream(self._upstream)
        try:
            while await self._exchange(reader, writer, upstream):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.transport.abort()
            upstream.close()

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: _Upstream
    ) -> bool:
        """Serve one request; returns whether the client connection may carry another one."""
        head = await _read_head(reader)
        if head is None:
            return False
        method, target, _ = head.start_line.split(" ", 2)
        length = head.content_length or 0
        request = ProxiedRequest(method, target, head.headers, length)
        fault = self._decide(request)
        if head.headers.get("expect", "").lower() == "100-continue":
            # aiohttp sends the body only after an interim 100; the proxy answers it itself.
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        if self._latency is not None:
            delay = self._latency(request)
            if delay > 0:
                await asyncio.sleep(delay)
        if fault is Fault.RESET_MID_UPLOAD:
            await reader.readexactly(length // 2)
            self._count(fault, request)
            _reset(writer)
            return False
        body = await _read_chunked(reader) if head.chunked else await reader.readexactly(length)
        self._count_bytes(request, requested=len(body))
        if fault is Fault.RESET_BEFORE_RESPONSE:
            self._count(fault, request)
            _reset(writer)
            return False
        if fault in _ERROR_RESPONSES:
            self._count(fault, request)
            writer.write(_error_response(fault, method == "HEAD"))
            await writer.drain()
            return True
        up_reader, up_writer = await upstream.open()
        up_writer.write(head.raw + body)
        await up_writer.drain()
        response_head = await self._read_response_head(up_reader)
        status = int(response_head.start_line.split(" ", 2)[1])
        length = response_head.content_length
        keep_client = "close" not in response_head.headers.get("connection", "").lower()
        if method == "HEAD" or status in (204, 304) or response_head.chunked or length is None:
            # Nothing to cut: pass the response through whole.
            rest = await self._read_rest(up_reader, response_head, method, upstream)
            self._count_bytes(request, returned=len(rest))
            writer.write(response_head.raw + rest)
            await writer.drain()
            return keep_client
        cut = length // 2 if fault in _BODY_FAULTS and 200 <= status < 300 and length >= 2 else None
        corrupt = fault is Fault.CORRUPT_BODY and 200 <= status < 300 and length >= 1
        if corrupt:
            assert fault is not None
            self._count(fault, request)
        # Streamed, so a large body reaches the client at the pace the server sends it.
        writer.write(response_head.raw)
        sent = 0
        while sent < (length if cut is None else cut):
            piece = await up_reader.read(min(_PIECE, (length if cut is None else cut) - sent))
            if not piece:
                raise ConnectionError("upstream closed the connection mid-body")
            if corrupt and sent == 0:
                piece = bytes([piece[0] ^ 0xFF]) + piece[1:]
            writer.write(piece)
            sent += len(piece)
            self._count_bytes(request, returned=len(piece))
            await writer.drain()
        if not keep_client:
            upstream.close()
        if cut is None:
            return keep_client
        assert fault is not None
        # The rest of the body stays unread upstream: that connection cannot carry another request.
        upstream.close()
        self._count(fault, request)
        await _flush(writer)
        if fault is Fault.STALL:
            await asyncio.sleep(self.stall_seconds)
        if fault is Fault.TRUNCATED_BODY:
            writer.close()
        else:
            _reset(writer)
        return False

    async def _read_response_head(self, reader: asyncio.StreamReader) -> _Head:
        """The upstream's final response head (interim 1xx responses skipped)."""
        while True:
            head = await _read_head(reader)
            if head is None:
                raise ConnectionError("upstream closed the connection")
            status = int(head.start_line.split(" ", 2)[1])
            if not 100 <= status < 200:
                return head

    async def _read_rest(
        self, reader: asyncio.StreamReader, head: _Head, method: str, upstream: _Upstream
    ) -> bytes:
        """A response body that is passed through whole (none, chunked, or delimited by the connection's end)."""
        status = int(head.start_line.split(" ", 2)[1])
        upstream_reusable = "close" not in head.headers.get("connection", "").lower()
        if method == "HEAD" or status in (204, 304):
            data = b""
        elif head.chunked:
            data = await _read_chunked(reader)
        elif head.content_length is not None:
            data = await reader.readexactly(head.content_length)
        else:
            data = await reader.read()
            upstream_reusable = False
        if not upstream_reusable:
            upstream.close()
        return data


def _error_response(fault: Fault, head_only: bool) -> bytes:
    status, reason, code, message = _ERROR_RESPONSES[fault]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>"
    ).encode()
    headers = [
        f"HTTP/1.1 {status} {reason}",
        "Content-Type: application/xml",
        f"Content-Length: {0 if head_only else len(body)}",
        "x-amz-request-id: fault-proxy",
        "Connection: keep-alive",
    ]
    raw = ("\r\n".join(headers) + "\r\n\r\n").encode()
    return raw if head_only else raw + body
