"""Stalled-stream protection for S3 response bodies (the AWS SDKs' feature, which botocore lacks).

Public API:
    StalledStreamError                       raised when a body delivers no byte within the grace period
    read_with_stall_guard(body, amt, grace)  one body read, aborted when no byte arrives for `grace` seconds
    StallGuardedBody(body, grace)            a body whose read() goes through read_with_stall_guard
    grace_seconds(settings)                  the grace period of a ClientSettings (None: protection disabled)

A server (or a middlebox) that sends the headers and part of a body and then goes quiet would otherwise hold a
worker forever when no read timeout is set. What counts is progress, not the duration of a read: a slow body that
keeps delivering bytes is never aborted. `body.read(n)` returns as soon as any byte is buffered (aiohttp's
StreamReader and aiobotocore's StreamingBody both do), so a read with a size is bounded by the grace period as a
whole; a read of everything (`amt=None`) is split into pieces, each bounded on its own.

StalledStreamError subclasses TimeoutError, so the S3 error mapping (errors.py) classifies it as transient and the
object is force-retried. Usage, wherever a GET body is read:

    data = await read_with_stall_guard(body, 1024 * 1024, grace_seconds(settings))

or wrap the body once (the botocore client does this for every GetObject, see client.py):

    body = StallGuardedBody(body, grace_seconds(settings))
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, Self

from s3syncpy.application.settings.sections import ClientSettings

MILLIS_PER_SECOND = 1000.0
# Piece size for reads of a whole body: large enough that the loop costs nothing next to the network.
WHOLE_BODY_PIECE = 1024 * 1024


class StalledStreamError(TimeoutError):
    """A response body delivered no byte within the stalled-stream grace period."""


class _Readable(Protocol):
    async def read(self, amt: int | None = None) -> bytes: ...


def grace_seconds(settings: ClientSettings) -> float | None:
    """The stalled-stream grace period of one endpoint, in seconds.

    Args:
        settings: the endpoint's client settings.

    Returns:
        Seconds without a byte after which a body read is aborted, or None when protection is disabled.
    """
    millis = settings.stalled_stream_grace_milliseconds
    return None if millis is None else millis / MILLIS_PER_SECOND


async def _bounded_read(body: _Readable, amt: int | None, grace: float) -> bytes:
    deadline = asyncio.timeout(grace)
    try:
        async with deadline:
            return await body.read(amt)
    except TimeoutError as exc:
        if not deadline.expired():
            raise  # the body's own read timeout (--read-timeout-milliseconds), reported as such
        raise StalledStreamError(f"stalled stream: no data received for {grace:g} seconds") from exc


async def read_with_stall_guard(body: _Readable, amt: int | None, grace: float | None) -> bytes:
    """Read from a response body like `body.read(amt)`, aborting when no byte arrives for `grace` seconds.

    Args:
        body: an open response body (aiobotocore StreamingBody, aiohttp StreamReader, or anything with
            `async read(amt)` that returns what is buffered, up to `amt` bytes).
        amt: the most bytes to return; None reads to the end of the body.
        grace: the grace period in seconds; None disables the protection (a plain read).

    Returns:
        The bytes read; b"" at the end of the body.

    Raises:
        StalledStreamError: no byte arrived within `grace` seconds (the body is then unusable: close it).
        Whatever `body.read` raises.
    """
    if grace is None:
        return await body.read(amt)
    if amt is not None:
        return await _bounded_read(body, amt, grace)
    pieces: list[bytes] = []
    while piece := await _bounded_read(body, WHOLE_BODY_PIECE, grace):
        pieces.append(piece)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


class StallGuardedBody:
    """A response body whose `read` is guarded (see read_with_stall_guard); everything else is delegated."""

    def __init__(self, body: Any, grace: float) -> None:
        """Wrap `body`.

        Args:
            body: the response body (it stays owned by this wrapper: close the wrapper).
            grace: the grace period in seconds.
        """
        self._body = body
        self._grace = grace

    @property
    def wrapped(self) -> Any:
        """The original body."""
        return self._body

    async def read(self, amt: int | None = None) -> bytes:
        """Up to `amt` bytes (all remaining bytes when None); b"" at the end.

        Raises:
            StalledStreamError: no byte arrived within the grace period.
        """
        return await read_with_stall_guard(self._body, amt, self._grace)

    async def iter_chunks(self, chunk_size: int = 1024) -> Any:
        """Yield chunks of at most `chunk_size` bytes until the end of the body."""
        while chunk := await self.read(chunk_size):
            yield chunk

    async def aclose(self) -> None:
        """Release the connection."""
        await self._body.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._body, name)
