"""Layer A of the update check (`TargetModifiedFilter`): a source listing entry against the target's listing.

It costs no request per object: the target is listed once, and each source entry is compared with what that
listing reported for the same key.
"""

from __future__ import annotations

from typing import NamedTuple

from s3syncpy.domain.decisions.mode import UpdateMode, UpdateRule
from s3syncpy.domain.etag import normalize_etag
from s3syncpy.domain.model import ObjectInfo


class TargetEntry(NamedTuple):
    """What the target listing map keeps per key (a tuple: millions of them may be held)."""

    size: int
    mtime_secs: int
    e_tag: str | None

    @classmethod
    def of(cls, obj: ObjectInfo) -> TargetEntry:
        """The entry for one listed target object."""
        return cls(obj.size, obj.mtime_secs, obj.e_tag)


def listing_says_modified(source: ObjectInfo, target: TargetEntry | None, mode: UpdateMode) -> bool:
    """Layer A (`TargetModifiedFilter`): should the source object go on to the transfer stage?

    Truth table ("True" = keep / transfer; MTIME* = MTIME, MTIME_AND_ETAG, MTIME_AND_CHECKSUM):

        rule                    target entry                              result
        any                     absent                                    True
        MTIME*                  target.mtime_secs <  source.mtime_secs    True   (whole seconds, strictly newer)
        MTIME*                  target.mtime_secs >= source.mtime_secs    False  (equal seconds skip)
        SIZE                    sizes differ                              True
        SIZE                    sizes equal                               False  (mtimes ignored)
        ETAG (no auto-chunk)    either ETag missing                       True
        ETAG (no auto-chunk)    normalised ETags differ                   True
        ETAG (no auto-chunk)    normalised ETags equal                    False
        ETAG + auto-chunksize   present                                   True   (layer B compares)
        CHECKSUM                present                                   True   (layer B compares)

    With --remove-modified-filter layer A does not exist: the answer is always True.

    Args:
        source: the source listing entry (for ETAG with a local source, `e_tag` holds the computed ETag).
        target: the target map entry for the same key, or None when the key is not on the target.
        mode: the run's update mode.

    Returns:
        True when the object is (possibly) modified and must go on; False to skip it.
    """
    if target is None or not mode.lists_target:
        return True
    if mode.rule is UpdateRule.SIZE:
        return source.size != target.size
    if mode.compares_listed_etags:
        source_etag, target_etag = normalize_etag(source.e_tag), normalize_etag(target.e_tag)
        return source_etag is None or target_etag is None or source_etag != target_etag
    if mode.rule in (UpdateRule.ETAG, UpdateRule.CHECKSUM):
        return True
    return target.mtime_secs < source.mtime_secs
