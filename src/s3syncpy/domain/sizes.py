"""Byte sizes written the way the reference accepts them (`--filter-larger-size 1.5MiB`, `--multipart-chunksize 8MiB`).

The reference parses these with the Rust crate byte-unit 5 (`Byte::from_str`, i.e. case-sensitive about the final
"B"). Scripts written for it must give the same number of bytes here, so this module follows that grammar exactly:

    size   = number [" "*] [unit]
    number = digit+ ["." digit+]                          (ASCII digits only; no sign, no exponent)
    unit   = "B"                                          bytes
           | prefix                                       e.g. "K" = KB, "Ki" = KiB (a bare prefix means bytes)
           | prefix ["i"|"I"] ("B" | "b" | "bit" | "bits")

* The prefix letter is case-insensitive: K M G T P E (powers of 1000), followed by "i" for powers of 1024.
* The final letter is case-SENSITIVE, as in byte-unit: "B" means bytes, "b" means bits. So "8MiB" is 8 MiB but
  "8mib" is 8 mebibits (1 MiB), and "1Kb" is 125 bytes. "bit"/"bits" (any case) are bits as well.
* A fractional result is rounded up to a whole byte ("1.0001KiB" = 1025 bytes, "1b" = 1 byte).
* The value must fit in an unsigned 64-bit integer, as in the reference.
* ZB/YB are not accepted (byte-unit without its u128 feature, as the reference builds it).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_MAX_U64 = 2**64 - 1

# rust_decimal keeps at most 28 fractional digits; byte-unit reports longer numbers as "number too long".
_MAX_FRACTION_DIGITS = 28

_SIZE_RE = re.compile(r"(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]+))?(?P<sep> *)(?P<unit>.*)", re.ASCII | re.DOTALL)

_PREFIX_POWER = {"K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}

_SUFFIX_HINT = "expected a number of bytes with an optional suffix such as KB, KiB, MB, MiB, GB, GiB, TB, TiB"


def _unit_multiplier(unit: str) -> Fraction | None:
    """Bytes per unit for a byte-unit unit string, or None when the crate would reject it."""
    if unit == "":
        return Fraction(1)
    head, rest = unit[0], unit[1:]
    if head in "Bb":
        if rest == "":
            return Fraction(1) if head == "B" else Fraction(1, 8)
        return Fraction(1, 8) if rest.lower() in ("it", "its") else None
    power = _PREFIX_POWER.get(head.upper())
    if power is None:
        return None
    base = 1000
    if rest[:1] in ("i", "I"):
        base = 1024
        rest = rest[1:]
    multiplier = Fraction(base**power)
    if rest == "":
        return multiplier
    letter, tail = rest[0], rest[1:]
    if letter not in "Bb":
        return None
    if tail == "":
        return multiplier if letter == "B" else multiplier / 8
    return multiplier / 8 if tail.lower() in ("it", "its") else None


def parse_human_bytes(text: str) -> int:
    """Parse a byte size such as "8MiB", "1.5 GB", "5242880" into a number of bytes.

    Args:
        text: the value as typed by the user (surrounding whitespace is ignored).

    Returns:
        The size in bytes, rounded up to a whole byte.

    Raises:
        ValueError: the text is not a size byte-unit accepts, or it exceeds 2**64 - 1 bytes. The message is one
            line naming the offending value.
    """
    stripped = text.strip()
    match = _SIZE_RE.fullmatch(stripped)
    if match is None:
        raise ValueError(f"invalid size '{text}': {_SUFFIX_HINT}")
    frac = match.group("frac") or ""
    if len(frac) > _MAX_FRACTION_DIGITS:
        raise ValueError(f"invalid size '{text}': too many digits after the decimal point")
    multiplier = _unit_multiplier(match.group("unit"))
    if multiplier is None:
        raise ValueError(f"invalid size '{text}': unknown unit '{match.group('unit')}' ({_SUFFIX_HINT})")
    number = Fraction(int(match.group("int") + frac), 10 ** len(frac))
    size = math.ceil(number * multiplier)
    if size > _MAX_U64:
        raise ValueError(f"invalid size '{text}': larger than {_MAX_U64} bytes")
    return size
