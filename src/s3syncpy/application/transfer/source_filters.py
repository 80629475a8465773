"""Filter steps 9-14 on the source object's own values, after its first GET (or its HEAD in dry-run).

Steps 9-12 read the Content-Type and user metadata the response already carries; steps 13-14 need the tags, which
cost one GetObjectTagging, fetched only when a tag step is on and the object has tags (x-amz-tagging-count > 0).
The tags fetched here are handed on, so writing them to the target does not fetch them again.
"""

from __future__ import annotations

from dataclasses import dataclass

from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.domain.content_filters import (
    CONTENT_TYPE_STEPS,
    ContentFilterSettings,
    rejecting_header_step,
    rejecting_tag_step,
)
from s3syncpy.domain.errors import ObjectNotFoundError
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.plan import Skip, SkipReason
from s3syncpy.domain.tagging import format_metadata, format_tags


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """The outcome of steps 9-14 for one object.

    Attributes:
        skip: the Skip when a step drops the object, else None.
        tags: the source's tags when they were fetched for a tag step ({} for an object without tags), else None.
    """

    skip: Skip | None = None
    tags: dict[str, str] | None = None


PASSED = SourceCheck()


class SourceContentFilter:
    """Steps 9-14 of one run (every method is a no-op when no step is on)."""

    def __init__(self, settings: ContentFilterSettings, source: ObjectStorage) -> None:
        self._settings = settings
        self._source = source

    @property
    def active(self) -> bool:
        """Some step is on."""
        return self._settings.active

    async def check(self, obj: ObjectInfo, details: ObjectDetails) -> SourceCheck:
        """Apply the steps to the source's response.

        Raises:
            StorageError: GetObjectTagging failed.
        """
        settings = self._settings
        if not settings.active:
            return PASSED
        content_type, metadata = details.metadata.content_type, details.user_metadata
        rejected = rejecting_header_step(settings, content_type, metadata)
        if rejected is not None:
            if rejected in CONTENT_TYPE_STEPS:
                fields = (("source_content_type", content_type),)
            else:
                fields = (("source_user_defined_metadata", format_metadata(metadata) if metadata else None),)
            return SourceCheck(Skip(SkipReason.CONTENT_FILTERED, rejected, fields))
        if not settings.needs_tags:
            return PASSED
        tags = None
        if details.tag_count > 0:
            tags = await self._source.get_object_tagging(obj.key, version_id=obj.version_id)
        rejected = rejecting_tag_step(settings, tags)
        if rejected is not None:
            fields = (("source_tagging", format_tags(tags) if tags is not None else None),)
            return SourceCheck(Skip(SkipReason.CONTENT_FILTERED, rejected, fields))
        return SourceCheck(tags=tags if tags is not None else {})

    async def check_without_body(self, obj: ObjectInfo) -> Skip | None:
        """Dry-run: the steps on a HEAD of the source instead of a GET.

        Raises:
            ObjectNotFoundError: the source object is gone.
            StorageError: the HEAD or GetObjectTagging failed.
        """
        if not self._settings.active:
            return None
        details = await self._source.head_object(obj.key, version_id=obj.version_id)
        if details is None:
            raise ObjectNotFoundError(f"the source object {obj.key} does not exist", operation="HeadObject",
                                      key=obj.key)
        return (await self.check(obj, details)).skip
