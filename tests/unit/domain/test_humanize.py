"""indicatif's HumanBytes / HumanCount / HumanDuration, row by row (values from indicatif's own documentation and
tests of format.rs)."""

from __future__ import annotations

import pytest

from s3syncpy.domain.humanize import human_bytes, human_count, human_duration, human_duration_ns

MS = 1_000_000
SECOND = 1000 * MS
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
YEAR = 365 * DAY


@pytest.mark.parametrize(
    ("n", "text"),
    [
        pytest.param(0, "0 B", id="zero"),
        pytest.param(15, "15 B", id="15"),
        pytest.param(1023, "1023 B", id="below-KiB"),
        pytest.param(1024, "1.00 KiB", id="KiB"),
        pytest.param(1_500, "1.46 KiB", id="1500"),
        pytest.param(1_500_000, "1.43 MiB", id="1.5M"),
        pytest.param(1_500_000_000, "1.40 GiB", id="1.5G"),
        pytest.param(1_500_000_000_000, "1.36 TiB", id="1.5T"),
        pytest.param(1_500_000_000_000_000, "1.33 PiB", id="1.5P"),
        pytest.param(30 * 1024 * 1024, "30.00 MiB", id="30MiB"),
        pytest.param(1_024_000_000, "976.56 MiB", id="half-even-tie"),
        pytest.param(2**64 - 1, "16.00 EiB", id="u64-max"),
    ],
)
def test_human_bytes(n: int, text: str) -> None:
    assert human_bytes(n) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [
        pytest.param(0, "0", id="zero"),
        pytest.param(42, "42", id="small"),
        pytest.param(4297, "4,297", id="thousands"),
        pytest.param(7654, "7,654", id="7654"),
        pytest.param(12345, "12,345", id="12345"),
        pytest.param(1_234_567_890, "1,234,567,890", id="billions"),
    ],
)
def test_human_count(n: int, text: str) -> None:
    assert human_count(n) == text


@pytest.mark.parametrize(
    ("nanos", "text"),
    [
        pytest.param(0, "0 seconds", id="zero"),
        pytest.param(1 * MS, "0 seconds", id="1ms"),
        pytest.param(499 * MS, "0 seconds", id="499ms"),
        pytest.param(500 * MS, "1 second", id="500ms-rounds-half-up"),
        pytest.param(999 * MS, "1 second", id="999ms"),
        pytest.param(1499 * MS, "1 second", id="1499ms"),
        pytest.param(1500 * MS, "2 seconds", id="1500ms"),
        pytest.param(1999 * MS, "2 seconds", id="1999ms"),
        pytest.param(SECOND, "1 second", id="one-second"),
        pytest.param(MINUTE, "60 seconds", id="one-minute"),
        pytest.param(HOUR, "60 minutes", id="one-hour"),
        pytest.param(DAY, "24 hours", id="one-day"),
        pytest.param(WEEK, "7 days", id="one-week"),
        pytest.param(YEAR, "52 weeks", id="one-year"),
        pytest.param(MINUTE + MINUTE // 2 - SECOND // 2 - MS, "89 seconds", id="just-below-minute-switch"),
        pytest.param(HOUR + HOUR // 2 - MINUTE // 2 - MS, "89 minutes", id="just-below-hour-switch"),
        pytest.param(DAY + DAY // 2 - HOUR // 2 - MS, "35 hours", id="just-below-day-switch"),
        pytest.param(WEEK + WEEK // 2 - DAY // 2 - MS, "10 days", id="just-below-week-switch"),
        pytest.param(YEAR + YEAR // 2 - WEEK // 2 - MS, "78 weeks", id="just-below-year-switch"),
        pytest.param(MINUTE + MINUTE // 2 - SECOND // 2, "2 minutes", id="minute-switch"),
        pytest.param(HOUR + HOUR // 2 - MINUTE // 2, "2 hours", id="hour-switch"),
        pytest.param(YEAR + YEAR // 2 - WEEK // 2, "2 years", id="year-switch"),
        pytest.param(2 * SECOND + SECOND // 2 - MS, "2 seconds", id="below-2.5s"),
        pytest.param(2 * SECOND + SECOND // 2, "3 seconds", id="2.5s"),
        pytest.param(2 * MINUTE + MINUTE // 2 - MS, "2 minutes", id="below-2.5min"),
        pytest.param(2 * MINUTE + MINUTE // 2, "3 minutes", id="2.5min"),
        pytest.param(3 * DAY, "3 days", id="3-days"),
        pytest.param(-5 * SECOND, "0 seconds", id="negative-clamped"),
    ],
)
def test_human_duration_ns(nanos: int, text: str) -> None:
    assert human_duration_ns(nanos) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(1.335, "1 second", id="readme-30MiB"),
        pytest.param(23.2715, "23 seconds", id="readme-100k-objects"),
        pytest.param(589.95, "10 minutes", id="readme-96GiB"),
        pytest.param(0.2, "0 seconds", id="fast"),
    ],
)
def test_human_duration_seconds(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text
