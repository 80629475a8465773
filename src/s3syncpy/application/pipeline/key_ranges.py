"""The run's key range on both sides of a sync (an addition to s3sync: one shard of a distributed sync).

Both listings are cut to the same range *in the form the run compares keys*, so a key and its copy always fall
in the same shard and --delete in one shard never sees the copy of a source object listed by another. That form
is the raw key, except for a local target: its files are listed under their normalised keys (`/a` is written to
`a`), so an S3 source's keys are normalised before they are placed in a range. The S3 listing cannot start near
a normalised range (raw and normalised orders differ), so that source is listed whole and cut here.
"""

from __future__ import annotations

from dataclasses import dataclass

from s3syncpy.application.ports.storage import StorageFeatures
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.keys import local_listing_key


@dataclass(frozen=True, slots=True)
class RunKeyRange:
    """Which listed keys of each side belong to the run.

    Attributes:
        key_range: the range of compared keys.
        normalise_source: source keys are compared in their local-file form (an S3 source, a local target).
    """

    key_range: KeyRange
    normalise_source: bool

    @classmethod
    def between(cls, key_range: KeyRange, source: StorageFeatures, target: StorageFeatures) -> RunKeyRange:
        """The range of a run from `source` to `target` (their capability flags say which keys are files)."""
        return cls(key_range, normalise_source=target.stores_directories and not source.stores_directories)

    @property
    def source_listing_hint(self) -> KeyRange | None:
        """The range the source storage may narrow its listing to (None: it must list everything)."""
        return None if self.normalise_source else self.key_range

    @property
    def target_listing_hint(self) -> KeyRange:
        """The range the target storage may narrow its listing to (its keys are compared as listed)."""
        return self.key_range

    def source_key(self, key: str) -> str:
        """The form in which the source object `key` is compared with the target (and placed in a range)."""
        return local_listing_key(key) if self.normalise_source else key

    def keeps_source(self, key: str) -> bool:
        """Whether the source object `key` belongs to the run."""
        return self.key_range.contains(self.source_key(key))

    def keeps_target(self, key: str) -> bool:
        """Whether the target object `key` belongs to the run."""
        return self.key_range.contains(key)
