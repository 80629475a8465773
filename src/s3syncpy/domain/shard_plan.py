"""Cutting a key space into shards of about equal object count, from one streaming listing in O(shards) memory.

The sampler keeps every k-th key it is shown and doubles k whenever it holds more than 2 x 32 keys per shard,
so a listing of any length leaves between 32 and 64 evenly spaced keys per shard; the cut points are taken evenly
from those, which puts each cut within 1/32 of a shard of its ideal place. Keys may arrive in any order (a local walk is not sorted): the samples are sorted at the end,
and an unordered stream's every-k-th keys are as good a sample of its quantiles as an ordered one's.

The first range is open at its start and the last at its end, so the ranges partition the whole key space:
keys that appear between planning and syncing still belong to exactly one shard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

from s3syncpy.domain.key_range import KeyRange

# Samples held per shard, at least (twice as many at most): the planner's resolution.
SAMPLES_PER_SHARD = 32


class BoundarySampler:
    """Evenly spaced keys of a stream of unknown length, at most 2 x SAMPLES_PER_SHARD per shard held at once."""

    def __init__(self, shards: int) -> None:
        if shards < 1:
            raise ValueError("shards must be at least 1")
        self._shards = shards
        self._capacity = 2 * SAMPLES_PER_SHARD * shards
        self._stride = 1
        self._seen = 0
        self._kept: list[str] = []

    @property
    def seen(self) -> int:
        """How many keys were shown."""
        return self._seen

    @property
    def held(self) -> int:
        """How many keys are held now (O(shards), whatever the listing's length)."""
        return len(self._kept)

    def add(self, key: str) -> None:
        """Show the sampler the next listed key."""
        if self._seen % self._stride == 0:
            self._kept.append(key)
            if len(self._kept) > self._capacity:
                # Keep the keys at multiples of the doubled stride: still every k-th key of the stream.
                del self._kept[1::2]
                self._stride *= 2
        self._seen += 1

    def ranges(self) -> list[KeyRange]:
        """The shard ranges the samples suggest (fewer than `shards` when there are fewer distinct keys)."""
        return ranges_from_samples(sorted(set(self._kept)), self._shards)


def ranges_from_samples(samples: Sequence[str], shards: int) -> list[KeyRange]:
    """Cut at `shards - 1` of the sorted, distinct `samples`, evenly spaced among them.

    Args:
        samples: sorted distinct keys (or prefixes) spread over the key space.
        shards: the wanted number of ranges.

    Returns:
        Contiguous ranges covering every key, the first open at its start and the last at its end.
    """
    cuts: list[str] = []
    for index in range(1, shards):
        position = index * len(samples) // shards
        if position == 0 or position >= len(samples):
            continue
        cut = samples[position]
        if not cuts or cut > cuts[-1]:
            cuts.append(cut)
    return ranges_from_cuts(cuts)


def ranges_from_cuts(cuts: Sequence[str]) -> list[KeyRange]:
    """The ranges between strictly increasing cut keys: [-, c1), [c1, c2), ..., [cn, -)."""
    bounds: list[str | None] = [None, *cuts, None]
    return [KeyRange(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def plan_shards(keys: Iterable[str], shards: int) -> list[KeyRange]:
    """Ranges of about equal key count for `keys` (one pass, O(shards) memory)."""
    sampler = BoundarySampler(shards)
    for key in keys:
        sampler.add(key)
    return sampler.ranges()


def is_partition(ranges: Sequence[KeyRange]) -> bool:
    """Whether `ranges`, in order, cover the whole key space with no gap and no overlap."""
    if not ranges or ranges[0].start is not None or ranges[-1].end is not None:
        return False
    return all(left.end is not None and left.end == right.start for left, right in pairwise(ranges))
