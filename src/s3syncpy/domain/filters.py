"""The listing-stage filters (the reference's filter order), one pure predicate each, applied in FILTER_ORDER.

Each predicate answers "keep?" for one listed object. Regexes use the `regex` module (lookaround works) and
search unanchored in the relative key, like fancy_regex's is_match. mtime filters compare at millisecond
precision: keep iff mtime < before, keep iff mtime >= after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only the pattern type is named here; the CLI compiles patterns (and imports `regex` only when it does).
    import regex

from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.time_units import NANOS_PER_MILLI


@dataclass(frozen=True, slots=True)
class FilterSettings:
    """Listing-stage filter options; None means the filter is off.

    Attributes:
        mtime_before_ms / mtime_after_ms: epoch milliseconds.
        smaller_size / larger_size: bytes.
        include_regex / exclude_regex: compiled `regex` patterns.
    """

    mtime_before_ms: int | None = None
    mtime_after_ms: int | None = None
    smaller_size: int | None = None
    larger_size: int | None = None
    include_regex: regex.Pattern[str] | None = None
    exclude_regex: regex.Pattern[str] | None = None


Predicate = Callable[[ObjectInfo], bool]


def _mtime_ms(obj: ObjectInfo) -> int:
    return obj.mtime_ns // NANOS_PER_MILLI


def mtime_before(limit_ms: int) -> Predicate:
    """Keep objects modified strictly before the limit."""
    return lambda obj: _mtime_ms(obj) < limit_ms


def mtime_after(limit_ms: int) -> Predicate:
    """Keep objects modified at or after the limit."""
    return lambda obj: _mtime_ms(obj) >= limit_ms


def smaller_size(limit: int) -> Predicate:
    """Keep objects strictly smaller than the limit."""
    return lambda obj: obj.size < limit


def larger_size(limit: int) -> Predicate:
    """Keep objects at least as large as the limit."""
    return lambda obj: obj.size >= limit


def include_regex(pattern: regex.Pattern[str]) -> Predicate:
    """Keep keys the pattern finds a match in."""
    return lambda obj: pattern.search(obj.key) is not None


def exclude_regex(pattern: regex.Pattern[str]) -> Predicate:
    """Drop keys the pattern finds a match in."""
    return lambda obj: pattern.search(obj.key) is None


# The reference's order for steps 1-6 (README "Filtering order"); later steps run elsewhere. Each row: the
# filter's name (its option without dashes), the FilterSettings field that enables it, the predicate factory.
_STEPS: tuple[tuple[str, str, Callable[[Any], Predicate]], ...] = (
    ("filter-mtime-before", "mtime_before_ms", mtime_before),
    ("filter-mtime-after", "mtime_after_ms", mtime_after),
    ("filter-smaller-size", "smaller_size", smaller_size),
    ("filter-larger-size", "larger_size", larger_size),
    ("filter-include-regex", "include_regex", include_regex),
    ("filter-exclude-regex", "exclude_regex", exclude_regex),
)
FILTER_ORDER: tuple[str, ...] = tuple(name for name, _, _ in _STEPS)

FilterStep = tuple[str, Predicate]


def build_filter_chain(settings: FilterSettings) -> list[FilterStep]:
    """The enabled filters, named, in FILTER_ORDER.

    Args:
        settings: the filter options.

    Returns:
        (name, predicate) pairs; an object is kept only if every predicate keeps it.
    """
    chain: list[FilterStep] = []
    for name, field_name, factory in _STEPS:
        value = getattr(settings, field_name)
        if value is not None:
            chain.append((name, factory(value)))
    return chain


def first_rejecting_filter(chain: Sequence[FilterStep], obj: ObjectInfo) -> str | None:
    """The name of the first filter that drops `obj`, or None when every filter keeps it."""
    for name, keep in chain:
        if not keep(obj):
            return name
    return None
