"""Human-readable numbers in the formats of Rust's indicatif (HumanBytes, HumanCount, HumanDuration),
because the summary line must read exactly as the reference's."""

from __future__ import annotations

_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def human_bytes(n: int) -> str:
    """`0 B`, `1023 B`, `1.00 KiB`, `30.00 MiB`: binary units, two decimals above bytes."""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    unit = 0
    while value >= 1024 and unit < len(_BINARY_UNITS) - 1:
        value /= 1024
        unit += 1
    return f"{value:.2f} {_BINARY_UNITS[unit]}"


def human_count(n: int) -> str:
    """Thousands separated by commas: `4,297`."""
    return f"{n:,}"


_DURATION_UNITS = (
    ("year", 365 * 24 * 3600),
    ("week", 7 * 24 * 3600),
    ("day", 24 * 3600),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)


def human_duration(seconds: float) -> str:
    """indicatif's HumanDuration: the largest fitting unit, rounded; `1 second`, `23 seconds`, `6 minutes`.

    indicatif rounds to the nearest unit once the value reaches 1.5 of the next smaller unit boundary; it
    prints `0 seconds` under half a second.
    """
    secs = max(seconds, 0.0)
    for index, (name, size) in enumerate(_DURATION_UNITS):
        # indicatif switches to a larger unit once the duration is at least 1.5 units of it (except seconds).
        if name != "second" and secs < size * 1.5:
            continue
        count = int(round(secs / size)) if index < len(_DURATION_UNITS) - 1 else int(secs + 0.5)
        return f"{count} {name}" if count == 1 else f"{count} {name}s"
    return "0 seconds"
