"""The direction of a run: which of the reference's per-direction rules apply (chosen once, from the locations).

The reference words several rules by direction (a local target is always stat'ed, a local side's ETag is
computed, messages name the source or the target); the composition root picks the direction once and the rest
of the run reads it instead of asking which kind of storage it holds.
"""

from __future__ import annotations

import enum

from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.paths import LocalLocation, StorageLocation


class Direction(enum.Enum):
    """Local directory to bucket, bucket to local directory, or bucket to bucket."""

    LOCAL_TO_S3 = "local-to-s3"
    S3_TO_LOCAL = "s3-to-local"
    S3_TO_S3 = "s3-to-s3"

    @classmethod
    def between(cls, source: StorageLocation, target: StorageLocation) -> Direction:
        """The direction from `source` to `target`.

        Raises:
            ConfigError: both are local paths (at least one side must be S3).
        """
        source_local = isinstance(source, LocalLocation)
        target_local = isinstance(target, LocalLocation)
        if source_local and target_local:
            raise ConfigError("either SOURCE or TARGET must be s3://<BUCKET_NAME>[/prefix]; both are local paths")
        if source_local:
            return cls.LOCAL_TO_S3
        return cls.S3_TO_LOCAL if target_local else cls.S3_TO_S3

    @property
    def from_local(self) -> bool:
        """The source is a local directory (or file)."""
        return self is Direction.LOCAL_TO_S3

    @property
    def to_local(self) -> bool:
        """The target is a local directory."""
        return self is Direction.S3_TO_LOCAL
