"""TokenBucket: a full second of tokens at the start, continuous refill, debt paid back in order."""

from __future__ import annotations

import pytest

from s3syncpy.domain.token_bucket import TokenBucket

# (id, rate, takes as (time, count), expected waits)
CASES = [
    ("a full second is free", 10, [(0.0, 1)] * 10, [0.0] * 10),
    ("the eleventh waits a tenth", 10, [(0.0, 1)] * 11, [0.0] * 10 + [0.1]),
    ("debts queue in order", 10, [(0.0, 10), (0.0, 1), (0.0, 1)], [0.0, 0.1, 0.2]),
    ("refill over time", 10, [(0.0, 10), (0.5, 5), (0.5, 1)], [0.0, 0.0, 0.1]),
    ("never more than a second banked", 10, [(0.0, 10), (100.0, 10), (100.0, 10)], [0.0, 0.0, 1.0]),
    ("a take larger than the bucket", 1024, [(0.0, 4096)], [3.0]),
    ("bytes at 1 MiB/s", 1 << 20, [(0.0, 1 << 20), (0.0, 8 << 20)], [0.0, 8.0]),
    ("time going backwards changes nothing", 10, [(5.0, 10), (4.0, 1)], [0.0, 0.1]),
]


@pytest.mark.parametrize(("rate", "takes", "waits"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_waits(rate: int, takes: list[tuple[float, int]], waits: list[float]) -> None:
    bucket = TokenBucket.full(rate, 0.0)
    assert [round(bucket.take(now, count), 9) for now, count in takes] == waits


def test_long_run_rate_is_the_limit() -> None:
    bucket, now = TokenBucket.full(50, 0.0), 0.0
    for _ in range(1000):
        now += bucket.take(now, 1)
    # 1000 objects at 50/s after a first free second: 19 seconds.
    assert now == pytest.approx(19.0)


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        TokenBucket.full(0, 0.0)
