"""Time units as integer nanoseconds: the one place the conversion factors are written."""

from __future__ import annotations

NANOS_PER_MICRO = 1_000
NANOS_PER_MILLI = 1_000_000
NANOS_PER_SECOND = 1_000_000_000

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration_seconds(text: str) -> int:
    """Whole seconds of a duration written `<n>` (seconds) or `<n>s|m|h|d` (`7d`, `12h`, `90m`, `3600`).

    Raises:
        ValueError: not a non-negative whole number with one of those units.
    """
    value = text.strip().lower()
    factor = 1
    if value and value[-1] in _DURATION_UNITS:
        factor = _DURATION_UNITS[value[-1]]
        value = value[:-1]
    if not value.isdigit():
        raise ValueError(f"invalid duration '{text}': a whole number with s, m, h or d (e.g. 7d)")
    return int(value) * factor
