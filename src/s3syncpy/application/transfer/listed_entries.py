"""What the per-object steps read of the target listing: the listed (size, mtime, ETag) of one key.

In key-map mode that is the map of the whole target listing. In sorted-merge mode no such map exists: the
producer hands each matched entry to the object's worker through `InFlightEntries`, which holds the entries of
the objects between the listing and the end of their sync only (at most the queue size plus the worker count).
"""

from __future__ import annotations

from typing import Protocol

ListedEntry = tuple[int, int, str | None]


class ListedEntries(Protocol):
    """The target listing's entry of a key, when the target was listed and has it."""

    def get(self, key: str) -> ListedEntry | None:
        """The listed (size, mtime in seconds, ETag) of `key`, or None."""
        ...


class InFlightEntries:
    """The listed target entries of the objects being synced now (sorted-merge mode)."""

    def __init__(self) -> None:
        self._entries: dict[str, ListedEntry] = {}

    def get(self, key: str) -> ListedEntry | None:
        """The listed entry of `key`, while its object is being synced."""
        return self._entries.get(key)

    def hold(self, key: str, entry: ListedEntry) -> None:
        """Keep `entry` until the object of `key` is synced (`release`)."""
        self._entries[key] = entry

    def release(self, key: str) -> None:
        """The object of `key` is done: forget its entry."""
        self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)
