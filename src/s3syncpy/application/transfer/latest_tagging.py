"""--sync-latest-tagging: an object the update check found up to date still gets the source's current tags.

Reference behaviour: GetObjectTagging on both sides; when the tag sets differ, PutObjectTagging with the source's
tags (DeleteObjectTagging when the source has none), counted as a transferred object. Equal tag sets change
nothing and the object is skipped. A dry run compares but writes nothing ("[dry-run] sync(tagging only)
completed.").
"""

from __future__ import annotations

import logging

from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.run.rate_limits import RateLimits
from s3syncpy.application.run.run_context import log_enabled, logger
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.tagging import encode_tagging


class LatestTagging:
    """Brings the target's tags up to the source's for objects that are otherwise up to date."""

    def __init__(
        self, source: ObjectStorage, target: ObjectStorage, *, dry_run: bool, limits: RateLimits | None = None
    ) -> None:
        """Args:
            limits: the run's rate limits; a tag write takes an object token, as in the reference.
        """
        self._source = source
        self._target = target
        self._dry_run = dry_run
        self._limits = limits or RateLimits()

    async def update(self, obj: ObjectInfo) -> bool:
        """Compare both sides' tags and write the source's when they differ.

        Returns:
            True when the target's tags were (or, in a dry run, would be) replaced.

        Raises:
            StorageError: a tagging request failed (ObjectNotFoundError / AccessDeniedError are skips).
        """
        source_tags = await self._source.get_object_tagging(obj.key, version_id=obj.version_id)
        target_tags = await self._target.get_object_tagging(obj.key)
        if source_tags == target_tags:
            return False
        fields = {"key": obj.key, "target_key": self._target.describe(obj.key)}
        if self._dry_run:
            logger.info("[dry-run] sync(tagging only) completed.", extra={"fields": fields})
            return True
        await self._limits.object()
        if source_tags:
            await self._target.put_object_tagging(obj.key, encode_tagging(source_tags))
        else:
            await self._target.delete_object_tagging(obj.key)
        if log_enabled(logging.INFO):
            logger.info("sync(tagging only) completed.", extra={"fields": fields})
        return True
