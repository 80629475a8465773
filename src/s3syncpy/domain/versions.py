"""Which versions of one key a versioned run writes: pure rules over the versions a listing reported.

`--enable-versioning` copies every version of a key oldest first, with the key's latest delete marker replayed as a
delete, and skips intermediate delete markers (the reference's "Except intermediate delete markers"); the
target's current version stays the source's current one even when an older version is copied late.
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
    """The entries of one key oldest first: the listing order (newest first) reversed, nothing re-sorted.

    Why not sort by LastModified: entries written within one second share it at some servers' precision (whole
    seconds), and a version and the delete marker that removed it can share it at any precision. Only the
    listing says which came later: S3 lists a key's versions and delete markers in one sequence, newest first.
    """
    ordered = list(entries)
    ordered.reverse()
    return ordered


def versions_to_copy(entries: Iterable[ObjectVersion]) -> list[ObjectVersion]:
    """The history `--enable-versioning` replays: every version oldest first, and a delete marker only if latest.

    `entries` come in listing order (newest first).
    """
    return [entry for entry in in_history_order(entries) if entry.is_latest or not entry.delete_marker]


def version_at(entries: Iterable[ObjectVersion], moment_ns: int) -> ObjectVersion | None:
    """The version current at `moment_ns` (`--point-in-time`), or None when the key did not exist then.

    `entries` come in listing order (newest first). Entries after the moment are ignored; of the rest the newest
    decides: a version is the answer, a delete marker means the key was deleted at that time. An entry whose
    LastModified equals the moment counts as existing then.
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
    """What a versioned run does with one key, in this order: copies, then the rewrite or the delete.

    Attributes:
        copies: the source versions to copy, oldest first.
        already_synced: source versions the target already holds a copy of (skipped).
        rewrite_current: the source's current version, copied again after `copies` because the target already
            holds it but would otherwise be left with an older version as its current one.
        replay_delete: delete the target key at the end (the source's latest entry is a delete marker).
    """

    copies: list[ObjectVersion] = field(default_factory=list)
    already_synced: list[ObjectVersion] = field(default_factory=list)
    rewrite_current: ObjectVersion | None = None
    replay_delete: bool = False


def plan_versioned_key(
    history: Sequence[ObjectVersion],
    target: Sequence[TargetVersion],
    selected: Sequence[ObjectVersion] | None = None,
) -> VersionedKeyPlan:
    """Compare one key's source history with the copies on the target.

    The invariant: the target's current state is the source's current one (its latest version, or deleted)
    after a run that copies the source's current entry or finds it already copied. S3 cannot insert a version
    below the ones a key has, so an older version copied late (filtered out by an earlier run) would become the
    target's current version; the source's current version is then written once more, after it (or the delete
    replayed again). A current entry this run's filters leave out, and the target never got, stays out.

    Truth table, per selected source entry (in `versions_to_copy` order):

        a version whose id some target version carries as origin     already synced (skip)
        a version not yet copied                                      copy
        the latest delete marker, with something copied now           delete the target key after the copies
        the latest delete marker, target's latest already deleted     nothing (no target version is latest, or none
                                                                      exists)
        the latest delete marker, the target key still current        delete the target key

    and for the source's current entry (the newest of `history`, selected or not):

        a version already synced, something copied now                rewrite it after the copies
        a version already synced and selected, the target's current   rewrite it (repairs a target an older run
          a copy of another source version                            left with an older version current)
        a delete marker not selected, something copied now, the       delete the target key after the copies
          target key already deleted

    Args:
        history: every entry of the key on the source in listing order (newest first; delete markers included).
        target: the key's versions on the target (delete markers excluded).
        selected: the entries the run's filters kept (default: all of `history`).

    Returns:
        The plan.
    """
    chosen = history if selected is None else selected
    synced = {version.origin_version_id for version in target if version.origin_version_id is not None}
    copies: list[ObjectVersion] = []
    skipped: list[ObjectVersion] = []
    for entry in versions_to_copy(chosen):
        if entry.delete_marker:
            continue
        if entry.version_id in synced:
            skipped.append(entry)
        else:
            copies.append(entry)
    current = history[0] if history else None
    target_latest = next((version for version in target if version.is_latest), None)
    rewrite: ObjectVersion | None = None
    replay = False
    if current is not None and current.delete_marker:
        if current in chosen:
            replay = bool(copies) or target_latest is not None
        else:
            replay = bool(copies) and bool(target) and target_latest is None
    elif current is not None and current.version_id in synced:
        source_ids = {entry.version_id for entry in history if not entry.delete_marker}
        stale = (
            target_latest is not None
            and target_latest.origin_version_id != current.version_id
            and target_latest.origin_version_id in source_ids
        )
        if copies or (stale and current in chosen):
            rewrite = current
            skipped = [entry for entry in skipped if entry.version_id != current.version_id]
    return VersionedKeyPlan(copies=copies, already_synced=skipped, rewrite_current=rewrite, replay_delete=replay)


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
