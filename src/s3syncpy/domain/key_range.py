"""Key ranges: one run limited to the relative keys in a half-open range [start, end) (an addition to s3sync).

A set of ranges that partitions the key space splits one sync into shards that can run anywhere, each an ordinary
run: their union does exactly what one unsharded run does, --delete included, because each shard lists and
compares both sides within the same range.

Order is S3's: ListObjectsV2 returns keys in UTF-8 binary order. UTF-8 preserves code point order, so Python's
comparison of `str` values is that order (keys are valid Unicode; names that are not UTF-8 never become keys).
"""

from __future__ import annotations

from dataclasses import dataclass

from s3syncpy.domain.errors import ConfigError

# The highest code point: its UTF-8 form (F4 8F BF BF) sorts after every other character's.
_LAST_CHARACTER = "\U0010ffff"
_SURROGATES = range(0xD800, 0xE000)


@dataclass(frozen=True, slots=True)
class KeyRange:
    """The relative keys `start <= key < end`; a missing bound is open.

    Attributes:
        start: the first key of the range (inclusive); None from the first key.
        end: the first key after the range (exclusive); None to the last key.
    """

    start: str | None = None
    end: str | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ConfigError(
                f"the key range is empty: its start ({self.start!r}) does not sort before its end ({self.end!r})"
            )

    @property
    def is_unbounded(self) -> bool:
        """True when the range holds every key (no sharding)."""
        return self.start is None and self.end is None

    def contains(self, key: str) -> bool:
        """Whether `key` lies in the range."""
        return (self.start is None or key >= self.start) and (self.end is None or key < self.end)

    def is_past(self, key: str) -> bool:
        """Whether `key` and every key after it in listing order lie beyond the range's end."""
        return self.end is not None and key >= self.end

    def may_hold_prefix(self, prefix: str) -> bool:
        """Whether some key that starts with `prefix` lies in the range (a directory worth walking).

        Every key under `prefix` sorts at or after `prefix` itself, so none is in range when `prefix >= end`;
        all of them sort before `start` when `prefix < start` and `start` does not itself extend `prefix`.
        """
        if self.end is not None and prefix >= self.end:
            return False
        return not (self.start is not None and prefix < self.start and not self.start.startswith(prefix))

    def listing_start_after(self) -> str | None:
        """A key just before `start`, for ListObjectsV2's exclusive StartAfter (None: list from the beginning).

        The exact predecessor of a string does not exist (it would end in infinitely many last characters), so
        this returns the start with its last character lowered by one and followed by a few of the highest code
        point: only keys of that odd shape can fall between it and `start`, and `contains` drops them.
        """
        if not self.start:
            return None
        head, last = self.start[:-1], ord(self.start[-1])
        if last == 0:
            return head or None
        lower = last - 1
        if lower in _SURROGATES:
            lower = _SURROGATES.start - 1
        return head + chr(lower) + _LAST_CHARACTER * 4


def key_range_from_options(start: str | None, end: str | None) -> KeyRange | None:
    """The range of --key-range-start / --key-range-end, or None when neither is given (no limit).

    Raises:
        ConfigError: an empty bound, or a start that does not sort before the end.
    """
    if start is None and end is None:
        return None
    for name, value in (("--key-range-start", start), ("--key-range-end", end)):
        if value == "":
            raise ConfigError(f"{name} must not be empty.")
    return KeyRange(start, end)
