"""The lean data path's HTTP layer: one aiohttp session per endpoint, botocore's standard-mode retries, S3 errors.

Public API:
    TransportSettings.from_client_settings(settings, *, max_connections, verify) -> TransportSettings
    LeanTransport(settings)            async context; send(operation, method, url, prepare, body) -> response
    parse_error(status, body, headers) -> dict      botocore's error dictionary of an S3 error response
    RegionRedirectError                the bucket lives in another region (the caller falls back to botocore)

Behaviour kept equal to the botocore client (client.py) for the same ClientSettings:
* attempts: --aws-max-attempts in total; retried are 5xx (500/502/503/504), 429, throttling codes (SlowDown, ...),
  RequestTimeout, connection errors and timeouts; the pause is rand(0,1) x min(initial x 2^(n-1), 20 s) with
  --initial-backoff-milliseconds; a retry quota (500 tokens, 5 per retry, 10 after a timeout, refunded on success)
  stops retry storms against a server that is down, as in botocore's standard mode;
* --connect-timeout-milliseconds / --read-timeout-milliseconds are the sockets' timeouts, and
  --operation-attempt-timeout-milliseconds bounds each attempt up to the response headers;
* proxies come from HTTP_PROXY / HTTPS_PROXY / NO_PROXY, read as aiohttp's trust_env reads them but once per
  host; TLS is verified like botocore's (AWS_CA_BUNDLE / ca_bundle through the client's `verify`);
* redirects are never followed (S3 answers a wrong region with 301/307/400 and x-amz-bucket-region).

When the attempts are used up, an HTTP error is raised as botocore's ClientError with botocore's error dictionary
and a network error as the aiohttp / timeout exception itself, so errors.py maps both exactly as for the botocore
client. Error bodies are read (bounded) and released; a successful response is returned open.
"""

from __future__ import annotations

import asyncio
import http
import random
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self
from xml.etree import ElementTree

import aiohttp
import botocore.exceptions  # type: ignore[import-untyped]
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from s3syncpy.adapters.s3.client import DEFAULT_CONNECT_TIMEOUT_MILLISECONDS, MAX_BACKOFF_SECONDS
from s3syncpy.adapters.s3.datapath import RequestBody, StreamedBody
from s3syncpy.application.settings.sections import ClientSettings

MILLIS_PER_SECOND = 1000.0
# aiobotocore's keep-alive for idle pooled connections.
KEEPALIVE_SECONDS = 12.0
# An S3 error document is a few hundred bytes; more than this is not an error document.
MAX_ERROR_BODY = 64 * 1024
# Bodies above this are sent in pieces of this size (aiohttp's limit for one bytes payload).
LARGE_BODY = 1024 * 1024

_TRANSIENT_STATUS = frozenset({500, 502, 503, 504, 429})
_TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"})
_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
_REDIRECT_CODES = frozenset({"PermanentRedirect", "TemporaryRedirect", "AuthorizationHeaderMalformed"})
_NETWORK_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, TimeoutError, ConnectionError)

# botocore standard mode's retry quota.
_QUOTA_CAPACITY = 500
_RETRY_COST = 5
_TIMEOUT_RETRY_COST = 10
_NO_RETRY_INCREMENT = 1

Prepare = Callable[[], Awaitable[dict[str, str]]]


class RegionRedirectError(Exception):
    """The bucket is served from another region than the one signed for (botocore's client follows it)."""


@dataclass(frozen=True, slots=True)
class TransportSettings:
    """The HTTP behaviour of one endpoint (see the module docstring)."""

    max_connections: int
    max_attempts: int = 10
    initial_backoff: float = 0.1
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT_MILLISECONDS / MILLIS_PER_SECOND
    read_timeout: float | None = None
    attempt_timeout: float | None = None
    verify: bool | str = True

    @classmethod
    def from_client_settings(
        cls, settings: ClientSettings, *, max_connections: int, verify: bool | str = True
    ) -> TransportSettings:
        """The transport settings of an endpoint's ClientSettings.

        Args:
            settings: the endpoint's client settings.
            max_connections: the connection pool size.
            verify: TLS verification: True, False, or a CA bundle path (the botocore client's setting).

        Returns:
            The settings.
        """

        def seconds(millis: int | None) -> float | None:
            return None if millis is None else millis / MILLIS_PER_SECOND

        connect = settings.connect_timeout_milliseconds
        return cls(
            max_connections=max_connections,
            max_attempts=max(1, settings.aws_max_attempts),
            initial_backoff=settings.initial_backoff_milliseconds / MILLIS_PER_SECOND,
            connect_timeout=seconds(DEFAULT_CONNECT_TIMEOUT_MILLISECONDS if connect is None else connect),
            read_timeout=seconds(settings.read_timeout_milliseconds),
            attempt_timeout=seconds(settings.operation_attempt_timeout_milliseconds),
            verify=verify,
        )


def parse_error(status: int, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    """botocore's error dictionary for an S3 error response (what ClientError.response holds).

    Args:
        status: the HTTP status.
        body: the (possibly empty) response body.
        headers: the response headers.

    Returns:
        {"Error": {"Code", "Message", ...}, "ResponseMetadata": {...}}; without an XML body the code is the
        status number and the message its reason phrase, as botocore reports them.
    """
    error: dict[str, str] = {}
    if body:
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            root = None
        if root is not None:
            node = root if root.tag.endswith("Error") else root.find(".//Error")
            for child in node if node is not None else ():
                if len(child) == 0:
                    error[child.tag.rpartition("}")[2]] = child.text or ""
    if not error.get("Code"):
        error["Code"] = str(status)
        try:
            error["Message"] = http.HTTPStatus(status).phrase
        except ValueError:
            error["Message"] = ""
    metadata: dict[str, Any] = {"HTTPStatusCode": status, "HTTPHeaders": dict(headers)}
    request_id = headers.get("x-amz-request-id")
    if request_id:
        metadata["RequestId"] = request_id
    host_id = headers.get("x-amz-id-2")
    if host_id:
        metadata["HostId"] = host_id
    return {"Error": error, "ResponseMetadata": metadata}


def _is_redirect(status: int, code: str, headers: Mapping[str, str]) -> bool:
    if status in (301, 302, 307, 308):
        return True
    return code in _REDIRECT_CODES or (status == 400 and "x-amz-bucket-region" in headers)


class _RetryQuota:
    def __init__(self) -> None:
        self.available = _QUOTA_CAPACITY

    def acquire(self, cost: int) -> bool:
        if cost > self.available:
            return False
        self.available -= cost
        return True

    def release(self, amount: int) -> None:
        self.available = min(_QUOTA_CAPACITY, self.available + amount)


class LeanTransport:
    """Sends signed requests with retries over one pooled aiohttp session (an async context)."""

    def __init__(self, settings: TransportSettings, *, tls: bool = True) -> None:
        """Create the transport; the session opens in __aenter__ (it must bind the running loop).

        Args:
            settings: timeouts, retries, pool size and TLS verification.
            tls: whether the endpoint uses https. Without it no CA bundle is loaded (~0.1 s of CPU); an https
                proxy on the way is still verified with aiohttp's default context.
        """
        self._settings = settings
        self._tls = tls
        self._session: aiohttp.ClientSession | None = None
        self._quota = _RetryQuota()
        self._random = random.random
        self._proxies: dict[
            tuple[str, str | None, int | None], tuple[URL | None, aiohttp.BasicAuth | None]
        ] = {}

    async def __aenter__(self) -> Self:
        settings = self._settings
        ssl_setting: ssl.SSLContext | bool = settings.verify is not False
        if self._tls and settings.verify is not False:
            # Loading a CA bundle is blocking file I/O: off the loop.
            ssl_setting = await asyncio.to_thread(_verifying_context, settings.verify)
        connector = aiohttp.TCPConnector(
            limit=settings.max_connections, keepalive_timeout=KEEPALIVE_SECONDS, ssl=ssl_setting
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=settings.connect_timeout, sock_read=settings.read_timeout
            ),
            # botocore sends no Content-Type it was not given, and S3 bodies are never content-decoded.
            skip_auto_headers=("Content-Type",),
            auto_decompress=False,
            # trust_env would read ~/.netrc and the proxy variables in two thread hops per request: the proxy is
            # resolved once per host instead (_proxy_for), and S3 needs no cookies.
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def send(
        self,
        operation: str,
        method: str,
        url: str,
        prepare: Prepare,
        body: RequestBody | None = None,
    ) -> aiohttp.ClientResponse:
        """Send one request until it succeeds or the attempts run out; the response is returned unread.

        Args:
            operation: the S3 operation name, for errors.
            method: the HTTP method.
            url: the full URL, already percent-encoded (it is sent as it is, and signed as it is).
            prepare: returns the signed headers of one attempt (called again for each retry: fresh x-amz-date).
            body: the request body (a StreamedBody is read from its source again for each attempt).

        Returns:
            A response with status < 300 whose body is still to be read; the caller releases it.

        Raises:
            botocore.exceptions.ClientError: S3 answered with an error.
            RegionRedirectError: S3 says the bucket lives in another region.
            aiohttp.ClientError, TimeoutError, ConnectionError: the network failed on the last attempt.
        """
        session = self._session
        if session is None:
            raise RuntimeError("the lean transport is not open")
        settings = self._settings
        target = URL(url, encoded=True)
        proxy, proxy_auth = self._proxies.get(
            (target.scheme, target.host, target.port)
        ) or await self._proxy_for(target)
        attempt = 0
        retry_cost = 0
        while True:
            attempt += 1
            headers = await prepare()
            data: Any = body
            if isinstance(body, StreamedBody):
                # Read from the source again for every attempt, a piece at a time (never held whole).
                headers["content-length"] = str(body.size)
                data = body.pieces()
            elif body is not None and len(body) > LARGE_BODY:
                # In pieces, each awaiting the socket's drain: one write of a whole part would copy it all into
                # the transport's buffer (aiohttp warns about that). The length stays known: no chunked encoding.
                headers["content-length"] = str(len(body))
                data = _pieces(body)
            request = session.request(
                method,
                target,
                headers=headers,
                data=data,
                allow_redirects=False,
                proxy=proxy,
                proxy_auth=proxy_auth,
            )
            try:
                if settings.attempt_timeout is None:
                    response = await request
                else:
                    async with asyncio.timeout(settings.attempt_timeout):
                        response = await request
            except _NETWORK_ERRORS as exc:
                retry_cost = self._retry_cost(
                    attempt, _TIMEOUT_RETRY_COST if _is_timeout(exc) else _RETRY_COST
                )
                if not retry_cost:
                    raise
                await self._pause(attempt)
                continue
            status = response.status
            if status < 300:
                self._quota.release(retry_cost or _NO_RETRY_INCREMENT)
                return response
            try:
                data = await response.content.read(MAX_ERROR_BODY)
            except _NETWORK_ERRORS:
                data = b""
            finally:
                response.release()
            error = parse_error(status, data, response.headers)
            code = error["Error"]["Code"]
            if _is_redirect(status, code, response.headers):
                raise RegionRedirectError(f"{operation}: {code} (HTTP {status})")
            if status in _TRANSIENT_STATUS or code in _TRANSIENT_CODES or code in _THROTTLING_CODES:
                retry_cost = self._retry_cost(attempt, _RETRY_COST)
                if retry_cost:
                    await self._pause(attempt)
                    continue
            raise botocore.exceptions.ClientError(error, operation)

    async def _proxy_for(self, url: URL) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The proxy of HTTP_PROXY / HTTPS_PROXY / NO_PROXY (and ~/.netrc credentials) for url's origin, cached."""
        origin = (url.scheme, url.host, url.port)
        cached = self._proxies.get(origin)
        if cached is None:
            try:
                cached = await asyncio.to_thread(get_env_proxy_for_url, url)
            except LookupError:
                cached = (None, None)
            self._proxies[origin] = cached
        return cached

    async def fetch(self, operation: str, method: str, url: str, prepare: Prepare) -> bytes:
        """`send` a request without a body and read its whole (small) response body, e.g. a listing page.

        A body cut short (a reset or a truncated response after the status line) is retried like a failed request,
        as botocore retries a response it could not read: one such break must not end a run whose listing the
        SDK would have completed.

        Raises:
            as `send`; aiohttp.ClientError, TimeoutError, ConnectionError: the body broke off on the last attempt.
        """
        attempt = 0
        while True:
            attempt += 1
            response = await self.send(operation, method, url, prepare)
            try:
                return await response.read()
            except _NETWORK_ERRORS as exc:
                retry_cost = self._retry_cost(attempt, _TIMEOUT_RETRY_COST if _is_timeout(exc) else _RETRY_COST)
                if not retry_cost:
                    raise
            finally:
                response.release()
            await self._pause(attempt)

    def _retry_cost(self, attempt: int, cost: int) -> int:
        """The quota spent on another attempt, or 0 when no attempt is left or the quota is empty."""
        if attempt >= self._settings.max_attempts or not self._quota.acquire(cost):
            return 0
        return cost

    async def _pause(self, attempt: int) -> None:
        ceiling = min(self._settings.initial_backoff * (2 ** (attempt - 1)), MAX_BACKOFF_SECONDS)
        await asyncio.sleep(self._random() * ceiling)


async def _pieces(body: bytes | bytearray) -> AsyncIterator[memoryview]:
    view = memoryview(body)
    for start in range(0, len(view), LARGE_BODY):
        yield view[start : start + LARGE_BODY]


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError)


def _verifying_context(verify: bool | str) -> ssl.SSLContext:
    """A TLS context that verifies servers as botocore does (its CA bundle, or the given one)."""
    from botocore.httpsession import create_urllib3_context, get_cert_path  # type: ignore[import-untyped]

    context: ssl.SSLContext = create_urllib3_context()
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    ca_certs = get_cert_path(verify)
    if ca_certs:
        context.load_verify_locations(ca_certs)
    return context
