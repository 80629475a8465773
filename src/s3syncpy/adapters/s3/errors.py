"""The one place vendor errors (botocore, aiohttp, socket, timeouts) become domain StorageErrors.

    botocore ClientError NoSuchKey / NoSuchVersion / HEAD 404    -> ObjectNotFoundError
    botocore ClientError AccessDenied / HEAD 403                 -> AccessDeniedError
    botocore ClientError PreconditionFailed / 412                -> PreconditionFailedError
    botocore ClientError InvalidObjectState                      -> InvalidObjectStateError
    connection, timeout and truncated-body errors                -> TransientStorageError
    botocore ClientError 5xx / SlowDown / RequestTimeout         -> TransientStorageError (after the SDK retries)
    anything else from the vendor libraries (and unparseable bodies) -> StorageError

Only the error code `AccessDenied` counts as access denied (as in the reference): SignatureDoesNotMatch and
InvalidAccessKeyId are configuration problems that must fail the run, not skip one object. NoSuchBucket is a
plain StorageError for the same reason. Messages name the operation and the s3:// URL, never credentials: every
known secret is redacted from the vendor's text.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager

import aiohttp
import botocore.exceptions  # type: ignore[import-untyped]
import botocore.parsers  # type: ignore[import-untyped]

from s3syncpy.adapters.s3.spans import operation_span
from s3syncpy.domain.errors import (
    AccessDeniedError,
    InvalidObjectStateError,
    ObjectNotFoundError,
    PreconditionFailedError,
    StorageError,
    TransientStorageError,
)
from s3syncpy.domain.paths import S3Location

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NotFound", "404"})
# HEAD responses have no body, so botocore can only report the status code as the error code.
_ACCESS_DENIED_CODES = frozenset({"AccessDenied", "403"})
_PRECONDITION_CODES = frozenset({"PreconditionFailed", "412"})
# Server-side trouble that outlived the SDK's retries: worth a force retry after a pause (a deliberate difference:
# the reference counts these service errors as fatal, which turns a short SlowDown burst into a failed run).
_TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_TRANSIENT_CODES = frozenset(
    {"SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "InternalError"}
)

# Network-level failures a later attempt may overcome (the reference's force-retryable kinds).
_TRANSIENT_VENDOR_ERRORS: tuple[type[BaseException], ...] = (
    botocore.exceptions.HTTPClientError,  # ReadTimeoutError, ConnectionClosedError, ResponseStreamingError
    botocore.exceptions.ConnectionError,  # EndpointConnectionError, ConnectTimeoutError
    botocore.exceptions.IncompleteReadError,
    botocore.exceptions.ChecksumError,  # a body corrupted in transit
    aiohttp.ClientError,
    asyncio.TimeoutError,
    ConnectionError,  # the builtin: resets and broken pipes from the socket layer
)

REDACTED = "<redacted>"


def _redact(text: str, secrets: Sequence[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def translate_error(
    exc: BaseException,
    operation: str,
    where: str,
    *,
    key: str | None = None,
    secrets: Sequence[str | None] = (),
) -> StorageError:
    """The domain error for one vendor exception.

    Args:
        exc: the exception raised by botocore, aiohttp or the socket layer.
        operation: the S3 API call ("PutObject", ...).
        where: the s3:// URL concerned, for the message.
        key: the key concerned (relative to the storage root), if any.
        secrets: strings that must never appear in the message (secret key, session token, SSE-C key).

    Returns:
        A StorageError subclass instance; the caller raises it `from exc`.
    """
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        detail = _redact(f"{code}: {error.get('Message', '')}".rstrip(": "), secrets)
        message = f"{operation} {where} failed: {detail} (HTTP {status})"
        cls: type[StorageError] = StorageError
        if code in _NOT_FOUND_CODES:
            cls = ObjectNotFoundError
        elif code in _ACCESS_DENIED_CODES:
            cls = AccessDeniedError
        elif code in _PRECONDITION_CODES or status == 412:
            cls = PreconditionFailedError
        elif code == "InvalidObjectState":
            cls = InvalidObjectStateError
        elif code in _TRANSIENT_CODES or status in _TRANSIENT_STATUSES:
            cls = TransientStorageError
        return cls(message, operation=operation, key=key)
    detail = _redact(f"{type(exc).__name__}: {exc}".rstrip(": "), secrets)
    message = f"{operation} {where} failed: {detail}"
    if isinstance(exc, _TRANSIENT_VENDOR_ERRORS):
        return TransientStorageError(message, operation=operation, key=key)
    return StorageError(message, operation=operation, key=key)


@contextmanager
def map_botocore_errors(
    operation: str, where: str, *, key: str | None = None, secrets: Sequence[str | None] = ()
) -> Iterator[None]:
    """Translate vendor exceptions raised inside the block (see the module table).

    Domain errors, cancellation and programming errors (TypeError, ValueError, ...) pass through unchanged.

    Args:
        operation: the S3 API call, for the message and StorageError.operation.
        where: the s3:// URL concerned.
        key: the relative key, for StorageError.key.
        secrets: strings to redact from messages.

    Raises:
        StorageError: a subclass chosen by the module table, chained `from` the vendor exception.
    """
    try:
        yield
    except StorageError:
        raise
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
        # A response body botocore cannot parse (e.g. a listing page that is not XML); not a BotoCoreError.
        botocore.parsers.ResponseParserError,
        *_TRANSIENT_VENDOR_ERRORS,
    ) as exc:
        raise translate_error(exc, operation, where, key=key, secrets=secrets) from exc


class ErrorMapper:
    """map_botocore_errors bound to one storage's location and secrets: `with errors("GetObject", key): ...`."""

    def __init__(
        self,
        location: S3Location,
        secrets: Sequence[str | None] = (),
        *,
        operation_timeout: float | None = None,
    ) -> None:
        self._location = location
        self._secrets = tuple(s for s in secrets if s)
        self._timeout = operation_timeout

    def where(self, key: str | None) -> str:
        """The s3:// URL of a relative key (the bucket and prefix when key is None)."""
        if key is None:
            return f"s3://{self._location.bucket}/{self._location.prefix}"
        return f"s3://{self._location.bucket}/{self._location.full_key(key)}"

    def __call__(self, operation: str, key: str | None = None) -> AbstractContextManager[None]:
        """A context translating vendor errors of `operation` on `key` (see map_botocore_errors)."""
        return map_botocore_errors(operation, self.where(key), key=key, secrets=self._secrets)

    @asynccontextmanager
    async def request(self, operation: str, key: str | None = None) -> AsyncIterator[None]:
        """Like calling the mapper, plus the operation timeout (--operation-timeout-milliseconds) if one is set.

        Raises:
            TransientStorageError: the operation did not finish in time.
        """
        with self(operation, key), operation_span(operation, self.where, key):
            async with asyncio.timeout(self._timeout):
                yield
