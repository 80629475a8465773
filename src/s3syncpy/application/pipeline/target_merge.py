"""The sorted merge of the source and target listings (an addition to s3sync: memory that does not grow with
the bucket).

The reference holds the whole target listing in a map (about 100 MB per million keys, more with --delete) and
looks each source object up in it. When both listings come in S3 byte order (UTF-8 binary, which is Python's
str order), one pass over both gives the same answers: the target cursor moves forward to each source key;
the target keys it passes are target-only (--delete candidates), the key it stops on is the source object's
target entry. Memory is then independent of the key count, except for the --delete candidates: they may only be
deleted after the sync phase ends cleanly, so they are kept to the end, in a compact map of the candidates only
(at most --max-delete + 1 of them, and none that --filter-exclude-regex protects).

The key map stays where order cannot be had: version listings (--enable-versioning, --point-in-time, which never
list the target) and a storage whose listing has no order (an Express One Zone directory bucket, an S3-compatible
server that lists in tree order).

An S3 source synced to a local target: the local side lists files under normalised keys (`/a` as `a`), and raw
S3 keys in normalised form are not in order (`a-` < `a//b` < `a/a`, yet `a/b` > `a/a`). The merge still holds,
because the key map does not normalise either where it matters: a *regular* source key (one that is its own
normalised form) is in order among the regular keys and meets its file in the merge; an *irregular* one (`/a`,
`a//b`) is looked up in the key map under its raw key, which a local listing never yields, so it has no target
entry in either mode. Only --delete normalises it (its file `a/b` is protected): the merge keeps the normalised
irregular keys aside, and the candidates they name are dropped at the end. The candidates are then not capped
at --max-delete + 1 (a later irregular key may still protect one of them). Two source keys naming one file
(`/a` and `a`) overwrite each other in either mode, in no fixed order; the merge may meet the file the first one
already wrote and skip the second when it matches (the counters may then differ, the files and deletes do not).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from s3syncpy._speedups import KeyMap
from s3syncpy.application.pipeline.key_ranges import RunKeyRange
from s3syncpy.application.ports.storage import StorageFeatures
from s3syncpy.application.run.run_context import logger
from s3syncpy.application.transfer.listed_entries import ListedEntry
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.keys import local_listing_key
from s3syncpy.domain.model import ObjectInfo

if TYPE_CHECKING:
    # Only the pattern type is named here: `regex` costs start-up time and is imported where patterns are compiled.
    import regex


@dataclass(frozen=True, slots=True)
class ComparisonMode:
    """How the run compares the listings.

    Attributes:
        sorted_merge: True for the streaming sorted merge, False for the key map of the target.
        reason: why (shown at -v).
        normalised_source: source keys are compared in their local-file form (an S3 source, a local target).
    """

    sorted_merge: bool
    reason: str
    normalised_source: bool = False


def comparison_mode(source: StorageFeatures, target: StorageFeatures) -> ComparisonMode:
    """The sorted merge when both sides list in key order and compare keys as listed; else the key map."""
    if not source.lists_in_key_order:
        return ComparisonMode(False, "the source listing has no key order")
    if not target.lists_in_key_order:
        return ComparisonMode(False, "the target listing has no key order")
    normalised = target.stores_directories and not source.stores_directories
    return ComparisonMode(True, "both listings are in key order", normalised_source=normalised)


def log_comparison_mode(mode: ComparisonMode) -> None:
    """One INFO line (-v) naming the mode that runs."""
    if logger.isEnabledFor(logging.INFO):
        name = "sorted merge" if mode.sorted_merge else "key map"
        logger.info(f"comparing the listings by {name}.", extra={"fields": {"reason": mode.reason}})


@dataclass(slots=True)
class DeleteCandidates:
    """Target-only keys the --delete phase may remove, found during the merge and kept to its end.

    Attributes:
        found: the candidates (with their listed ETags, for --if-match), in target listing order.
        limit: the most worth keeping (--max-delete + 1: one more tells that the limit was reached).
        protect: --filter-exclude-regex unless --delete-excluded: matching keys are never candidates.
    """

    found: KeyMap
    limit: int | None
    protect: regex.Pattern[str] | None

    def add(self, obj: ObjectInfo) -> None:
        if self.protect is not None and self.protect.search(obj.key) is not None:
            return
        if self.limit is not None and len(self.found) >= self.limit:
            return
        self.found.add(obj.key, obj.size, obj.mtime_secs, obj.e_tag)


class IrregularKeys:
    """The files named by irregular source keys (`/a`, `a//b`: not their own normalised form), which --delete
    protects; at most one entry per such key."""

    def __init__(self) -> None:
        self.files = KeyMap(store_keys=True)

    def take(self, key: str) -> bool:
        """Whether `key` is irregular (then its file is kept aside): such a key has no target entry."""
        file_key = local_listing_key(key)
        if file_key == key:
            return False
        if file_key not in self.files:
            self.files.add(file_key, 0, 0, None)
        return True


class TargetCursor:
    """The target listing, read forward in step with the source keys (both in key order)."""

    def __init__(
        self, listing: AsyncIterator[ObjectInfo], shard: RunKeyRange | None, candidates: DeleteCandidates | None
    ) -> None:
        """Args:
            listing: the target's key-ordered listing.
            shard: the run's key range (target keys outside it are another shard's).
            candidates: where target-only keys go (--delete), None to drop them.
        """
        self._listing = listing
        self._shard = shard
        self._candidates = candidates
        self._head: ObjectInfo | None = None
        self._ended = False
        self._last_target: str | None = None
        self._last_source: str | None = None

    async def entry_for(self, key: str) -> ListedEntry | None:
        """The target entry of the source key `key` (None: the target does not have it).

        Raises:
            StorageError: a listing is not in key order (or lists a key twice), or the target listing failed.
        """
        if self._last_source is not None and key <= self._last_source:
            raise _out_of_order("source", key, self._last_source)
        self._last_source = key
        while (head := await self._peek()) is not None and head.key < key:
            self._pass(head)
        if head is None or head.key != key:
            return None
        self._head = None
        return head.size, head.mtime_secs, head.e_tag

    async def finish(self) -> None:
        """The source listing ended: every target key left is target-only."""
        while (head := await self._peek()) is not None:
            self._pass(head)

    async def close(self) -> None:
        """Stop the target listing (its requests and threads)."""
        aclose = getattr(self._listing, "aclose", None)
        if aclose is not None:
            await aclose()

    def _pass(self, obj: ObjectInfo) -> None:
        self._head = None
        if self._candidates is not None:
            self._candidates.add(obj)

    async def _peek(self) -> ObjectInfo | None:
        while self._head is None and not self._ended:
            obj = await anext(self._listing, None)
            if obj is None:
                self._ended = True
                break
            if self._shard is not None and not self._shard.keeps_target(obj.key):
                continue
            if self._last_target is not None and obj.key <= self._last_target:
                raise _out_of_order("target", obj.key, self._last_target)
            self._last_target = obj.key
            self._head = obj
        return self._head


def _out_of_order(side: str, key: str, previous: str) -> StorageError:
    """A listing the merge cannot follow: a key listed twice (as in key-map mode), or keys out of order."""
    if key == previous:
        return StorageError(f"the {side} listing cannot be used: duplicate key in listing", operation="list", key=key)
    return StorageError(
        f"the {side} listing cannot be used: it is not in key order ({key!r} after {previous!r})",
        operation="list",
        key=key,
    )
