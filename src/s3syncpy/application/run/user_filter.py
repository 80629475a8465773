"""The user-defined filter: the callbacks port's `filter`, asked once per listed object that passed the
built-in filters and before the update check, in every listing stage (the sync's, the version listing's,
report mode's).

The reference runs it as its own stage of the filter chain: False drops the object (counted as skipped, by the
stage that asked), an exception ends the run with "User defined filter error: ..." (exit 1).
"""

from __future__ import annotations

from s3syncpy.application.ports.callbacks import FilterObject, SyncCallbacks
from s3syncpy.domain.errors import UserCallbackError
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.plan import Skip, SkipReason
from s3syncpy.domain.timeparse import format_rfc3339_millis

USER_FILTER_FAILED = "User defined filter error"


class UserFilter:
    """The run's user-defined filter (build it with `user_filter_of`)."""

    def __init__(self, callbacks: SyncCallbacks) -> None:
        self._callbacks = callbacks

    async def plan(self, obj: ObjectInfo) -> Skip | None:
        """Skip(USER_FILTERED) when the callback drops the object, None when it keeps it.

        Raises:
            UserCallbackError: the callback failed (the run then ends with an error).
        """
        try:
            keep = await self._callbacks.filter(filter_object(obj))
        except Exception as exc:
            raise UserCallbackError(f"{USER_FILTER_FAILED}: {exc}") from exc
        return None if keep else Skip(SkipReason.USER_FILTERED)


def user_filter_of(callbacks: SyncCallbacks | None) -> UserFilter | None:
    """The user-defined filter of `callbacks`; None when there is none (the listing then asks nothing)."""
    return UserFilter(callbacks) if callbacks is not None and callbacks.has_filter else None


def filter_object(obj: ObjectInfo) -> FilterObject:
    """What a user-defined filter sees of one listed object."""
    return FilterObject(
        key=obj.key,
        last_modified=format_rfc3339_millis(obj.mtime_ns),
        version_id=obj.version_id,
        e_tag=obj.e_tag,
        checksum_algorithm=obj.checksum_algorithm,
        size=obj.size,
    )
