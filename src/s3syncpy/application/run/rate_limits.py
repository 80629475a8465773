"""RateLimits: the run's --rate-limit-objects and --rate-limit-bandwidth, shared by every worker and both storages.

Where tokens are taken (as in the reference):
* objects: one per object write (PutObject, a multipart upload, a local file), per delete, and per S3 listing
  page (`ListingOptions.before_page`);
* bandwidth: one per byte read from the source (`throttled` wraps the source content).
Both wait on the Clock port, so tests run them on virtual time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from s3syncpy.application.ports.clock import Clock
from s3syncpy.application.ports.storage import Bytes, ObjectContent, RangeDigests
from s3syncpy.application.settings.request_settings import RateLimitSettings
from s3syncpy.domain.model import ChecksumAlgorithm
from s3syncpy.domain.token_bucket import TokenBucket


class RateLimiter:
    """One token bucket on a clock."""

    def __init__(self, rate: int, clock: Clock) -> None:
        self._clock = clock
        self._bucket = TokenBucket.full(rate, clock.monotonic())

    async def acquire(self, count: int = 1) -> None:
        """Take `count` tokens, waiting while the bucket is in debt."""
        # No await between reading the clock and taking: takers are ordered by when they asked.
        wait = self._bucket.take(self._clock.monotonic(), count)
        if wait > 0:
            await self._clock.sleep(wait)


class RateLimits:
    """The two limits of a run; without settings nothing ever waits."""

    def __init__(self, settings: RateLimitSettings | None = None, clock: Clock | None = None) -> None:
        settings = settings or RateLimitSettings()
        objects, bandwidth = settings.objects_per_sec, settings.bandwidth_bytes_per_sec
        if (objects is not None or bandwidth is not None) and clock is None:
            raise ValueError("rate limits need a clock")
        self._objects = RateLimiter(objects, clock) if objects is not None and clock is not None else None
        self._bandwidth = RateLimiter(bandwidth, clock) if bandwidth is not None and clock is not None else None

    async def object(self) -> None:
        """Take one object token (a write, a delete, a listing page)."""
        if self._objects is not None:
            await self._objects.acquire()

    @property
    def before_page(self) -> Callable[[], Awaitable[None]] | None:
        """What a listing awaits before each page request (None: no object limit)."""
        return self.object if self._objects is not None else None

    def throttled(self, content: ObjectContent) -> ObjectContent:
        """`content` whose reads take one bandwidth token per byte (itself when there is no bandwidth limit)."""
        if self._bandwidth is None:
            return content
        return ThrottledContent(content, self._bandwidth)


class ThrottledContent(ObjectContent):
    """Source content read at no more than the bandwidth limit."""

    def __init__(self, inner: ObjectContent, limiter: RateLimiter) -> None:
        self._inner = inner
        self._limiter = limiter
        self.details = inner.details

    async def read_range(self, offset: int, length: int) -> Bytes:
        await self._limiter.acquire(length)
        return await self._inner.read_range(offset, length)

    async def digest_range(
        self, offset: int, length: int, algorithm: ChecksumAlgorithm | None, *, sha256: bool = False
    ) -> RangeDigests | None:
        # The hashing pass of a streamed part takes no token: the bytes are counted when they are sent, so a
        # limited upload still streams its parts instead of holding them.
        return await self._inner.digest_range(offset, length, algorithm, sha256=sha256)

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        async for chunk in self._inner.stream(offset, length):
            await self._limiter.acquire(len(chunk))
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()
