"""RFC 3339 timestamps: parsing the --filter-mtime-* / --point-in-time values and formatting log timestamps.

The reference parses these options with chrono's `DateTime<Utc>::from_str`, a relaxed RFC 3339 reader. Accepted here,
as there:

* `YYYY-MM-DD`, then `T`, `t` or one space, then `hh:mm:ss` with an optional fraction (`.` and 1+ digits; digits
  past nanoseconds are ignored);
* then an offset: `Z`/`z`, `UTC` (any case), or a sign (`+`, `-`, or U+2212) with `hh:mm`, `hhmm` or `hh mm`;
* spaces around the separators, and month/day/hour/minute/second written with one digit (`2023-2-9T1:2:3Z`);
* second 60 (a leap second) counts as the first instant of the next minute, as chrono's timestamps do.

Not accepted (chrono accepts them, nobody types them): years outside 0000-9999 with an explicit sign.
Log and report timestamps use chrono's `to_rfc3339()` of a millisecond-truncated value: `+00:00` as the offset and
a `.mmm` fraction only when the milliseconds are not zero (`2025-06-14T03:52:21.843+00:00`, `2025-06-14T03:52:21+00:00`).
"""

from __future__ import annotations

import re

from s3syncpy.domain.time_units import NANOS_PER_MILLI

_MILLIS_PER_SECOND = 1000
_SECONDS_PER_DAY = 86_400

_RFC3339_RE = re.compile(
    r"""
    \s*(?P<year>[0-9]{4})\s*-\s*(?P<month>[0-9]{1,2})\s*-\s*(?P<day>[0-9]{1,2})
    [Tt ]
    \s*(?P<hour>[0-9]{1,2})\s*:\s*(?P<minute>[0-9]{1,2})\s*:\s*(?P<second>[0-9]{1,2})
    (?:\.(?P<fraction>[0-9]+))?
    \s*(?:
        (?P<zulu>[Zz]|[Uu][Tt][Cc])
      | (?P<sign>[-+\u2212])(?P<off_hour>[0-9]{2})(?::|\s*)(?P<off_minute>[0-9]{2})
    )\s*
    """,
    re.VERBOSE | re.ASCII,
)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (works for year 0, unlike `datetime`)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """The (year, month, day) of a day count since 1970-01-01 (inverse of _days_from_civil)."""
    days += 719_468
    era = days // 146_097
    day_of_era = days - era * 146_097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + (3 if shifted_month < 10 else -9)
    year = year_of_era + era * 400 + (month <= 2)
    return year, month, day


def parse_rfc3339_to_ms(text: str) -> int:
    """Parse an RFC 3339 date-time into epoch milliseconds (UTC).

    Args:
        text: e.g. "2023-02-19T12:00:00Z", "2023-02-19T21:00:00.5+09:00".

    Returns:
        Milliseconds since 1970-01-01T00:00:00Z; sub-millisecond digits are truncated.

    Raises:
        ValueError: the text is not a valid date-time with an offset (one line naming the value).
    """
    match = _RFC3339_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid RFC3339 datetime '{text}' (expected e.g. 2023-02-19T12:00:00Z)")
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        raise ValueError(f"invalid RFC3339 datetime '{text}': no such date")
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError(f"invalid RFC3339 datetime '{text}': time out of range")
    offset_secs = 0
    if match["sign"] is not None:
        off_hour, off_minute = int(match["off_hour"]), int(match["off_minute"])
        if off_hour > 23 or off_minute > 59:
            raise ValueError(f"invalid RFC3339 datetime '{text}': offset out of range")
        offset_secs = (off_hour * 3600 + off_minute * 60) * (1 if match["sign"] == "+" else -1)
    millis = int((match["fraction"] or "0")[:3].ljust(3, "0"))
    epoch_secs = (
        _days_from_civil(year, month, day) * _SECONDS_PER_DAY
        + hour * 3600
        + minute * 60
        + second
        - offset_secs
    )
    return epoch_secs * _MILLIS_PER_SECOND + millis


def format_rfc3339_millis(ns: int) -> str:
    """Format an epoch-nanosecond time as the reference logs it (chrono `to_rfc3339` of a millisecond value).

    Args:
        ns: nanoseconds since the epoch (truncated to milliseconds first, like `DateTime::from_millis`).

    Returns:
        e.g. "2025-06-14T03:52:21.843+00:00", or "2025-06-14T03:52:21+00:00" when the milliseconds are zero.
    """
    millis_total = ns // NANOS_PER_MILLI
    secs_total, millis = divmod(millis_total, _MILLIS_PER_SECOND)
    days, secs_of_day = divmod(secs_total, _SECONDS_PER_DAY)
    year, month, day = _civil_from_days(days)
    hour, rest = divmod(secs_of_day, 3600)
    minute, second = divmod(rest, 60)
    fraction = f".{millis:03d}" if millis else ""
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}+00:00"


def format_rfc3339_micros_z(ns: int) -> str:
    """Format an epoch-nanosecond time as the AWS SDK's DateTime prints itself (its Display).

    The reference logs a listed object's LastModified this way in the report's NOT_FOUND record: microseconds
    with the trailing zeros dropped (no fraction at all when they are zero) and a `Z`.

    Args:
        ns: nanoseconds since the epoch (truncated to microseconds).

    Returns:
        e.g. "2025-06-14T03:52:21Z", "2025-06-14T03:52:21.5Z", "2025-06-14T03:52:21.843123Z".
    """
    micros_total = ns // 1000
    secs_total, micros = divmod(micros_total, 1_000_000)
    days, secs_of_day = divmod(secs_total, _SECONDS_PER_DAY)
    year, month, day = _civil_from_days(days)
    hour, rest = divmod(secs_of_day, 3600)
    minute, second = divmod(rest, 60)
    fraction = f".{micros:06d}".rstrip("0") if micros else ""
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}Z"
