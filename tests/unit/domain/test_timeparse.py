"""RFC 3339 parsing (chrono's relaxed reader, as the reference uses it) and the reference's log timestamp format."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3syncpy.domain.timeparse import format_rfc3339_micros_z, format_rfc3339_millis, parse_rfc3339_to_ms

FEB19_NOON_MS = 1_676_808_000_000  # 2023-02-19T12:00:00Z


@pytest.mark.parametrize(
    ("text", "expected_ms"),
    [
        pytest.param("1970-01-01T00:00:00Z", 0, id="epoch"),
        pytest.param("2023-02-19T12:00:00Z", FEB19_NOON_MS, id="readme-example"),
        pytest.param("2023-02-19T21:00:00+09:00", FEB19_NOON_MS, id="positive-offset"),
        pytest.param("2023-02-19T07:00:00-05:00", FEB19_NOON_MS, id="negative-offset"),
        pytest.param("2023-02-19T07:00:00\u221205:00", FEB19_NOON_MS, id="unicode-minus"),
        pytest.param("2023-02-19T21:00:00+0900", FEB19_NOON_MS, id="offset-without-colon"),
        pytest.param("2023-02-19T12:00:00+00:00", FEB19_NOON_MS, id="zero-offset"),
        pytest.param("2023-02-19t12:00:00z", FEB19_NOON_MS, id="lowercase-t-z"),
        pytest.param("2023-02-19 12:00:00Z", FEB19_NOON_MS, id="space-separator"),
        pytest.param("2023-02-19T12:00:00UTC", FEB19_NOON_MS, id="utc-name"),
        pytest.param("2023-02-19T12:00:00 Z", FEB19_NOON_MS, id="space-before-offset"),
        pytest.param("2023-2-19T12:0:0Z", FEB19_NOON_MS, id="unpadded-fields"),
        pytest.param("2023-02-19T12:00:00.5Z", FEB19_NOON_MS + 500, id="fraction-1-digit"),
        pytest.param("2023-02-19T12:00:00.123Z", FEB19_NOON_MS + 123, id="fraction-ms"),
        pytest.param("2023-02-19T12:00:00.123999999999Z", FEB19_NOON_MS + 123, id="fraction-truncated"),
        pytest.param("2024-02-29T00:00:00Z", 1_709_164_800_000, id="leap-day"),
        pytest.param("1969-12-31T23:59:59.999Z", -1, id="before-epoch"),
        pytest.param("2016-12-31T23:59:60Z", 1_483_228_800_000, id="leap-second-is-next-minute"),
    ],
)
def test_parse_valid(text: str, expected_ms: int) -> None:
    assert parse_rfc3339_to_ms(text) == expected_ms


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("yesterday", id="words"),
        pytest.param("2023-02-19", id="date-only"),
        pytest.param("2023-02-19T12:00:00", id="no-offset"),
        pytest.param("2023-02-19T12:00Z", id="no-seconds"),
        pytest.param("2023-02-19T12:00:00.Z", id="dot-without-digits"),
        pytest.param("2023-02-29T00:00:00Z", id="not-a-leap-year"),
        pytest.param("2023-13-01T00:00:00Z", id="month-13"),
        pytest.param("2023-00-01T00:00:00Z", id="month-0"),
        pytest.param("2023-04-31T00:00:00Z", id="april-31"),
        pytest.param("2023-02-19T24:00:00Z", id="hour-24"),
        pytest.param("2023-02-19T12:60:00Z", id="minute-60"),
        pytest.param("2023-02-19T12:00:61Z", id="second-61"),
        pytest.param("2023-02-19T12:00:00+24:00", id="offset-24h"),
        pytest.param("2023-02-19T12:00:00+09", id="offset-without-minutes"),
        pytest.param("2023-02-19T12:00:00Zjunk", id="trailing-junk"),
        pytest.param("2023-02-19X12:00:00Z", id="bad-separator"),
    ],
)
def test_parse_invalid_raises_one_line_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="invalid RFC3339 datetime") as info:
        parse_rfc3339_to_ms(text)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("ns", "expected"),
    [
        pytest.param(0, "1970-01-01T00:00:00+00:00", id="epoch-no-fraction"),
        pytest.param(1_749_873_141_843_000_000, "2025-06-14T03:52:21.843+00:00", id="reference-example"),
        pytest.param(1_749_873_141_843_999_999, "2025-06-14T03:52:21.843+00:00", id="sub-ms-truncated"),
        pytest.param(1_749_873_141_000_000_000, "2025-06-14T03:52:21+00:00", id="whole-second-no-fraction"),
        pytest.param(1_749_873_141_007_000_000, "2025-06-14T03:52:21.007+00:00", id="ms-zero-padded"),
        pytest.param(-1, "1969-12-31T23:59:59.999+00:00", id="before-epoch"),
    ],
)
def test_format_rfc3339_millis(ns: int, expected: str) -> None:
    assert format_rfc3339_millis(ns) == expected


_MS = st.integers(min_value=-62_135_596_800_000, max_value=253_402_300_799_999)  # years 0001..9999


@given(_MS)
def test_format_agrees_with_datetime_and_round_trips(ms: int) -> None:
    text = format_rfc3339_millis(ms * 1_000_000)
    when = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(milliseconds=ms)
    assert text[:19] == when.replace(tzinfo=None).isoformat(timespec="seconds")
    assert parse_rfc3339_to_ms(text) == ms


@pytest.mark.parametrize(
    ("ns", "expected"),
    [
        (1_750_000_000_000_000_000, "2025-06-15T15:06:40Z"),
        (1_750_000_000_500_000_000, "2025-06-15T15:06:40.5Z"),
        (1_750_000_000_843_123_999, "2025-06-15T15:06:40.843123Z"),
        (1_750_000_000_000_000_999, "2025-06-15T15:06:40Z"),
        (0, "1970-01-01T00:00:00Z"),
    ],
    ids=["whole-second", "trailing-zeros-dropped", "microseconds", "nanoseconds-truncated", "epoch"],
)
def test_format_rfc3339_micros_z(ns: int, expected: str) -> None:
    assert format_rfc3339_micros_z(ns) == expected
