"""The reference's force retry: a piece of one object's work tried again after a transient failure.

On top of the SDK's own retries (which a reset connection or a truncated body can outlast), the reference
repeats the whole piece of work up to --force-retry-count more times, --force-retry-interval-milliseconds
apart. Each retry is a warning ("force retryable error has occurred."); running out is the object's error
("force retry count exceeded."), which stops the run. Only a TransientStorageError is tried again: any other
failure passes through on its first occurrence, for the caller to classify in its own words (a skip, an
error). A run that is stopping (an error elsewhere, Ctrl-C) tries nothing again and records nothing more.

Shared by the per-object syncer (each attempt reads, writes and verifies the object), the versioned sync (a
key's target versions, a replayed delete) and report mode (each HEAD, comparison and tag read).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from s3syncpy.application.ports.clock import Clock
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.sections import ForceRetry
from s3syncpy.domain.errors import TransientStorageError

_T = TypeVar("_T")

RETRYING = "force retryable error has occurred."
EXHAUSTED = "force retry count exceeded."


class RetryGivenUp(Exception):
    """A transient failure that is not tried again: the attempts ran out (the object's error is recorded) or
    the run is stopping (nothing is recorded). The caller ends the object's work; it has nothing to count."""

    def __init__(self, cause: TransientStorageError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class ForceRetrier:
    """Runs pieces of object work under the force retry of one run; shared by every worker."""

    def __init__(self, settings: ForceRetry, run: RunContext, clock: Clock) -> None:
        self._count = settings.force_retry_count
        self._interval_secs = settings.force_retry_interval_milliseconds / 1000
        self._run = run
        self._clock = clock

    async def call(self, key: str, work: Callable[[], Awaitable[_T]]) -> _T:
        """`work()`'s result, tried again after each transient failure while attempts are left.

        Args:
            key: the object the work is for (the warnings and the error name it).
            work: one attempt; called again for each retry, so it must start the work afresh.

        Raises:
            RetryGivenUp: a transient failure was not tried again (see the class).
            Exception: any other failure of `work`, unchanged, on its first occurrence.
        """
        attempt = 0
        while True:
            try:
                return await work()
            except TransientStorageError as exc:
                if self._run.stopping:
                    raise RetryGivenUp(exc) from exc
                if attempt >= self._count:
                    self._run.error(EXHAUSTED, key=key, error=str(exc))
                    raise RetryGivenUp(exc) from exc
                self._run.warn(RETRYING, key=key, error=str(exc))
            attempt += 1
            await self._clock.sleep(self._interval_secs)
