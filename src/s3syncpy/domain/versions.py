"""Which versions of one key a versioned run writes: pure rules over the versions a listing reported.

`--enable-versioning` copies every version of a key oldest first, with the key's latest delete marker replayed as a
delete, and skips intermediate delete markers (the reference's "Except intermediate delete markers").
`--point-in-time T` writes, per key, the version that was current at T: the newest entry with LastModified <= T,
and nothing when that entry is a delete marker or the key did not exist yet.

A version already copied is recognised by the user metadata the copy carries: `s3sync_origin_version_id` (the
source version id) and `s3sync_origin_last_modified` (the source LastModified in RFC 3339, whole seconds,
"+00:00"), written on every copied version. Buckets synced by the reference carry the same keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from s3syncpy.domain.model import NANOS_PER_SECOND, ObjectInfo
from s3syncpy.domain.timeparse import format_rfc3339_millis

ORIGIN_VERSION_ID_KEY = "s3sync_origin_version_id"
ORIGIN_LAST_MODIFIED_KEY = "s3sync_origin_last_modified"


@dataclass(frozen=True, slots=True)
class ObjectVersion:
    """One entry of a version listing: a version (with its bytes) or a delete marker.

    Attributes:
        info: key, size, LastModified, ETag and `version_id` of the entry (a delete marker has size 0).
        is_latest: S3's IsLatest: the entry is the key's current state.
        delete_marker: the entry is a delete marker.
    """

    info: ObjectInfo
    is_latest: bool = False
    delete_marker: bool = False

    @property
    def key(self) -> str:
        """The key, relative to the listed prefix."""
        return self.info.key

    @property
    def version_id(self) -> str | None:
        """The version id (None on storages without versions)."""
        return self.info.version_id


def in_history_order(entries: Iterable[ObjectVersion]) -> list[ObjectVersion]:
    """The entries of one key oldest first: ascending LastModified, the IsLatest entry forced last.

    `entries` come in listing order, which S3 gives newest first within a key. Why it matters: versions written
    within one second share a LastModified at some servers' precision (whole seconds); among equal times the one
    listed later is the older. The IsLatest entry is forced last so that the copy made last is the target's
    current version.
    """
    ordered = sorted(
        enumerate(entries), key=lambda item: (item[1].is_latest, item[1].info.mtime_ns, -item[0])
    )
    return [entry for _, entry in ordered]


def versions_to_copy(entries: Iterable[ObjectVersion]) -> list[ObjectVersion]:
    """The history `--enable-versioning` replays: every version oldest first, and a delete marker only if latest."""
    return [entry for entry in in_history_order(entries) if entry.is_latest or not entry.delete_marker]


def version_at(entries: Iterable[ObjectVersion], moment_ns: int) -> ObjectVersion | None:
    """The version current at `moment_ns` (`--point-in-time`), or None when the key did not exist then.

    Entries after the moment are ignored; of the rest the newest decides: a version is the answer, a delete marker
    means the key was deleted at that time. An entry whose LastModified equals the moment counts as existing then.
    """
    current: ObjectVersion | None = None
    for entry in in_history_order(entries):
        if entry.info.mtime_ns > moment_ns:
            continue
        current = None if entry.delete_marker else entry
    return current


@dataclass(frozen=True, slots=True)
class TargetVersion:
    """One version found on the target under the same key.

    Attributes:
        is_latest: S3's IsLatest for it.
        origin_version_id: its `s3sync_origin_version_id` metadata (None for versions written by other tools).
    """

    is_latest: bool
    origin_version_id: str | None


@dataclass(frozen=True, slots=True)
class VersionedKeyPlan:
    """What a versioned run does with one key.

    Attributes:
        copies: the source versions to copy, oldest first.
        already_synced: source versions the target already holds a copy of (skipped).
        replay_delete: delete the target key at the end (the source's latest entry is a delete marker).
    """

    copies: list[ObjectVersion] = field(default_factory=list)
    already_synced: list[ObjectVersion] = field(default_factory=list)
    replay_delete: bool = False


def plan_versioned_key(source: Sequence[ObjectVersion], target: Sequence[TargetVersion]) -> VersionedKeyPlan:
    """Compare one key's source history with the copies on the target.

    Truth table, per source entry (in `versions_to_copy` order):

        a version whose id some target version carries as origin     already synced (skip)
        a version not yet copied                                      copy
        the latest delete marker, with something copied now           delete the target key after the copies
        the latest delete marker, target's latest already deleted     nothing (no target version is latest, or none
                                                                      exists)
        the latest delete marker, the target key still current        delete the target key

    Args:
        source: the key's source entries (any order; delete markers included).
        target: the key's versions on the target (delete markers excluded).

    Returns:
        The plan.
    """
    synced = {version.origin_version_id for version in target if version.origin_version_id is not None}
    copies: list[ObjectVersion] = []
    skipped: list[ObjectVersion] = []
    deleted_latest = False
    for entry in versions_to_copy(source):
        if entry.delete_marker:
            deleted_latest = True
        elif entry.version_id in synced:
            skipped.append(entry)
        else:
            copies.append(entry)
    target_current = any(version.is_latest for version in target)
    replay = deleted_latest and (bool(copies) or target_current)
    return VersionedKeyPlan(copies=copies, already_synced=skipped, replay_delete=replay)


def origin_last_modified(mtime_ns: int) -> str:
    """The `s3sync_origin_last_modified` value: RFC 3339 at whole seconds with a "+00:00" offset."""
    return format_rfc3339_millis(mtime_ns // NANOS_PER_SECOND * NANOS_PER_SECOND)


def with_origin_metadata(user_metadata: Mapping[str, str], source: ObjectInfo) -> dict[str, str]:
    """`user_metadata` plus the two origin keys of `source` (applied last, after every other metadata option).

    A source without a version id (an unversioned object) gets nothing added, as in the reference.
    """
    metadata = dict(user_metadata)
    if source.version_id is None:
        return metadata
    metadata[ORIGIN_VERSION_ID_KEY] = source.version_id
    metadata[ORIGIN_LAST_MODIFIED_KEY] = origin_last_modified(source.mtime_ns)
    return metadata
