"""A token bucket: the arithmetic of --rate-limit-objects and --rate-limit-bandwidth, on times the caller gives.

The bucket holds up to one second's worth of tokens and starts full (the reference's limiter: initial = max =
rate); it refills continuously at `rate` per second (the reference adds a tenth every 100 ms, which averages the
same). Taking never blocks here: it may leave the bucket in debt, and answers how long the taker must wait for the
debt to be paid back. Because every taker adds to the same debt, concurrent takers queue behind each other in the
order they asked, and the long-run rate never exceeds `rate`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    """One bucket's state (mutable; one per limit per run).

    Attributes:
        rate: tokens added per second (> 0); also the capacity.
        tokens: tokens available now (negative: owed).
        updated: the time `tokens` was last brought up to date (seconds, any monotonic origin).
    """

    rate: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: float, now: float) -> TokenBucket:
        """A bucket holding a full second of tokens at time `now`.

        Raises:
            ValueError: the rate is not positive.
        """
        if rate <= 0:
            raise ValueError("a rate limit must be positive")
        return cls(rate=rate, tokens=rate, updated=now)

    def take(self, now: float, count: float) -> float:
        """Take `count` tokens at time `now`.

        Returns:
            The seconds to wait before going on (0.0 when the tokens were there).
        """
        if now > self.updated:
            self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        self.tokens -= count
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate
