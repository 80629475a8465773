"""The preconditions of each write (--if-match, --if-none-match, --copy-source-if-match), per object.

Reference behaviour: the If-Match ETag is the target's as the HEAD of the update check saw it when one was done,
else as the target listing reported it; an object the target does not have gets no If-Match (it is new).
If-None-Match is always "*". The copy-source ETag is the source's as listed. Deletes carry If-Match with the
listed target ETag.
"""

from __future__ import annotations

from s3syncpy.application.ports.write_requests import NO_CONDITIONS, WriteConditions
from s3syncpy.application.settings.write_settings import ConditionalWrites
from s3syncpy.application.transfer.listed_entries import ListedEntries
from s3syncpy.domain.decisions.listing import TargetEntry
from s3syncpy.domain.model import ObjectDetails, ObjectInfo


class ConditionalWritePolicy:
    """Builds the WriteConditions of one run's writes and deletes."""

    def __init__(self, settings: ConditionalWrites, target_map: ListedEntries | None) -> None:
        """Args:
            settings: the conditional-write options.
            target_map: the target listing (its ETags), when the target was listed.
        """
        self._settings = settings
        self._target_map = target_map

    def for_write(self, obj: ObjectInfo, target: ObjectDetails | None, *, headed: bool) -> WriteConditions:
        """The conditions of writing `obj` to the target.

        Args:
            obj: the listed source object.
            target: what the update check's HEAD of the target found (None: absent, or no HEAD was done).
            headed: the target was HEADed for this object (its answer then wins over the listing).
        """
        settings = self._settings
        if not (settings.if_match or settings.if_none_match or settings.copy_source_if_match):
            return NO_CONDITIONS
        if_match = None
        if settings.if_match:
            if headed:
                if_match = target.info.e_tag if target is not None else None
            else:
                if_match = self.listed_etag(obj.key)
        return WriteConditions(
            if_match=if_match,
            if_none_match=settings.if_none_match,
            copy_source_if_match=obj.e_tag if settings.copy_source_if_match else None,
        )

    def for_delete(self, key: str) -> str | None:
        """The If-Match ETag of deleting a target-only key (None without --if-match)."""
        return self.listed_etag(key) if self._settings.if_match else None

    def listed_etag(self, key: str) -> str | None:
        """The target listing's ETag of `key`, if the target was listed and has it."""
        if self._target_map is None:
            return None
        found = self._target_map.get(key)
        return TargetEntry(*found).e_tag if found is not None else None
