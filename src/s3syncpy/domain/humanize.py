"""Human-readable numbers in the formats of Rust's indicatif 0.18 (HumanBytes, HumanCount, HumanDuration),
because the summary line must read exactly as the reference's.

Note that indicatif writes these through their own format strings, so a width such as `{:>3}` around them in the
reference's summary line pads nothing; only plain integers are padded there.
"""

from __future__ import annotations

import math

_BINARY_PREFIXES = ("Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi")

from s3syncpy.domain.time_units import NANOS_PER_SECOND


def human_bytes(n: int) -> str:
    """indicatif's HumanBytes: `0 B`, `1023 B`, `1.00 KiB`, `30.00 MiB` (binary units, two decimals above bytes).

    Args:
        n: a byte count (u64 in the reference).

    Returns:
        The formatted size.
    """
    # unit_prefix's NumberPrefix::binary: divide the f64 value by 1024 while it is at least 1024.
    value = float(n)
    if value < 1024.0:
        return f"{n} B"
    prefix = 0
    while value >= 1024.0 and prefix < len(_BINARY_PREFIXES):
        value /= 1024.0
        prefix += 1
    return f"{value:.2f} {_BINARY_PREFIXES[prefix - 1]}B"


def human_count(n: int) -> str:
    """indicatif's HumanCount: thousands separated by commas (`4,297`).

    Args:
        n: a count (u64 in the reference).

    Returns:
        The formatted count.
    """
    return f"{n:,}"


_SECOND = NANOS_PER_SECOND
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY
_YEAR = 365 * _DAY

_DURATION_UNITS = (
    (_YEAR, "year"),
    (_WEEK, "week"),
    (_DAY, "day"),
    (_HOUR, "hour"),
    (_MINUTE, "minute"),
    (_SECOND, "second"),
)


def human_duration_ns(nanos: int) -> str:
    """indicatif's HumanDuration of a duration in nanoseconds (`0 seconds`, `1 second`, `89 seconds`, `2 minutes`).

    indicatif picks the largest unit U (with next smaller unit u) such that d + u/2 >= 1.5 U, so it switches from
    "2 units" to the smaller unit at 1.5 U - u/2; seconds are the fallback. The count is d / U rounded half away
    from zero, and at least 2 for every unit but seconds ("1 minute" is never shown; "89 seconds" is).

    Args:
        nanos: the duration (negative values count as 0).

    Returns:
        The formatted duration.
    """
    nanos = max(nanos, 0)
    index = len(_DURATION_UNITS) - 1
    for i in range(len(_DURATION_UNITS) - 1):
        unit = _DURATION_UNITS[i][0]
        next_unit = _DURATION_UNITS[i + 1][0]
        # Duration arithmetic is integral in nanoseconds, as in Rust (`next / 2`, `cur + cur / 2`).
        if nanos + next_unit // 2 >= unit + unit // 2:
            index = i
            break
    unit, name = _DURATION_UNITS[index]
    # Duration::div_duration_f64 divides the two durations as f64 seconds (secs + subsec_nanos / 1e9), and
    # f64::round rounds half away from zero (Python's round() would round half to even).
    secs, subsec = divmod(nanos, NANOS_PER_SECOND)
    ratio = (secs + subsec / 1e9) / (unit // NANOS_PER_SECOND)
    whole = math.floor(ratio)
    count = whole + (1 if ratio - whole >= 0.5 else 0)
    if index < len(_DURATION_UNITS) - 1:
        count = max(count, 2)
    return f"{count} {name}" if count == 1 else f"{count} {name}s"


def human_duration(seconds: float) -> str:
    """indicatif's HumanDuration of a duration in seconds (see `human_duration_ns`).

    Args:
        seconds: the duration, e.g. from `time.monotonic()` differences.

    Returns:
        The formatted duration.
    """
    return human_duration_ns(round(seconds * NANOS_PER_SECOND))
