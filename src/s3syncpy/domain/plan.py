"""What to do with one listed object, decided before any request: skip it, HEAD the target first, or transfer it.

The decision is pure and taken once per object from what is already known (the listing entry, the target map's
entry, the run's rules), so the I/O code only executes it. The order of the checks is the reference's: the
built-in filters, then the target listing (layer A of the update check), then the objects a directory tree
cannot hold, then "HEAD the target" when layer B of the update check runs in this mode.

The part layout of an upload is planned here too, with S3's limits: at most 10,000 parts, each at most 5 GiB, an
object at most 5 TiB. A file that would need more than 10,000 parts at the configured chunk size gets the
smallest chunk size that fits (reported in the plan, so the caller can say so); one too large for S3 at all is
refused before a byte is sent.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.decisions.listing import TargetEntry, listing_says_modified
from s3syncpy.domain.decisions.mode import UpdateMode
from s3syncpy.domain.filters import FilterStep, first_rejecting_filter
from s3syncpy.domain.keys import is_traversal_key
from s3syncpy.domain.model import ObjectInfo

# S3 rule: an object is at most 5 TiB.
MAXIMUM_OBJECT_SIZE = 5 * 1024 * etag_math.GiB


class SkipReason(enum.Enum):
    """Why an object is not transferred; the value is what the log says."""

    NAMES_THE_PREFIX = "the key equals the prefix itself."
    FILTERED = "object filtered."
    USER_FILTERED = "Object filtered by user defined filter"
    UP_TO_DATE = "object filtered. the target listing shows an up-to-date copy."
    # A directory tree holds a "x/" marker as a directory, which cannot keep bytes (the reference logs it
    # without raising the warning flag).
    INCOMPATIBLE_MARKER = "incompatible object for local storage. skipping."
    TRAVERSAL_KEY = "directory traversal key detected."
    # Filter steps 9-14 (Content-Type, metadata, tags), decided on the source's own response.
    CONTENT_FILTERED = "Filtered by"


@dataclass(frozen=True, slots=True)
class Skip:
    """Do nothing with the object.

    Attributes:
        reason: why.
        filter_name: the built-in filter that rejected it (FILTERED, CONTENT_FILTERED: its option).
        event_fields: what the SYNC_FILTERED event reports of the value that decided (CONTENT_FILTERED: the
            source's Content-Type, serialised metadata or tags), as (field name, value) pairs.
    """

    reason: SkipReason
    filter_name: str = ""
    event_fields: tuple[tuple[str, str | None], ...] = ()

    @property
    def message(self) -> str:
        """What the SYNC_FILTERED event says ("Filtered by --filter-include-tag-regex", ...)."""
        if self.reason is SkipReason.CONTENT_FILTERED:
            return f"{self.reason.value} {self.filter_name}"
        return str(self.reason.value)


@dataclass(frozen=True, slots=True)
class NeedsHead:
    """Layer B of the update check decides: HEAD the target (stat a local file), then transfer or skip."""


@dataclass(frozen=True, slots=True)
class Transfer:
    """Transfer the object.

    Attributes:
        directory: the object is a directory marker written to a directory tree: create the directory, read nothing.
    """

    directory: bool = False


ObjectPlan = Skip | NeedsHead | Transfer

NEEDS_HEAD = NeedsHead()
TRANSFER = Transfer()
TRANSFER_DIRECTORY = Transfer(directory=True)


@dataclass(frozen=True, slots=True)
class PlanRules:
    """The rules of one run that the plan applies.

    Attributes:
        filters: the built-in filter chain (empty when no filter option is given).
        mode: the update mode (layer A reads it).
        head_required: layer B runs in this mode.
        target_stores_directories: the target maps keys onto a directory tree.
    """

    filters: Sequence[FilterStep]
    mode: UpdateMode
    head_required: bool
    target_stores_directories: bool


def plan_object(obj: ObjectInfo, target: TargetEntry | None, rules: PlanRules, *, listed_target: bool) -> ObjectPlan:
    """Decide what to do with one listed source object.

    Truth table (first matching row):

        key empty (it names the prefix)                                   Skip(NAMES_THE_PREFIX)
        a built-in filter rejects it                                      Skip(FILTERED, filter name)
        the target was listed and layer A finds an up-to-date copy        Skip(UP_TO_DATE)
        target is a directory tree, key "x/" with bytes                   Skip(INCOMPATIBLE_MARKER)
        target is a directory tree, key climbs out of it ("..")           Skip(TRAVERSAL_KEY)   (a warning)
        layer B runs in this mode                                         NeedsHead
        target is a directory tree, key "x/"                              Transfer(directory)
        otherwise                                                         Transfer

    Args:
        obj: the source listing entry.
        target: the target map's entry for the same key (None when absent).
        rules: the run's rules.
        listed_target: the target was listed into a map (layer A has something to compare with).

    Returns:
        The plan.
    """
    return plan_filters(obj, rules) or plan_after_filters(obj, target, rules, listed_target=listed_target)


def plan_filters(obj: ObjectInfo, rules: PlanRules) -> Skip | None:
    """The first two rows of `plan_object`: the key itself and the built-in filters (None: the object passes).

    A user-defined filter runs between these rows and the rest (`plan_after_filters`), as in the reference.
    """
    if not obj.key:
        return Skip(SkipReason.NAMES_THE_PREFIX)
    if rules.filters:
        rejected_by = first_rejecting_filter(rules.filters, obj)
        if rejected_by is not None:
            return Skip(SkipReason.FILTERED, rejected_by)
    return None


def plan_after_filters(
    obj: ObjectInfo, target: TargetEntry | None, rules: PlanRules, *, listed_target: bool
) -> ObjectPlan:
    """The rows of `plan_object` after the filters: the target listing, then `plan_after_listing`."""
    if listed_target and not listing_says_modified(obj, target, rules.mode):
        return Skip(SkipReason.UP_TO_DATE)
    return plan_after_listing(obj, rules)


def plan_after_listing(obj: ObjectInfo, rules: PlanRules) -> ObjectPlan:
    """The rows of `plan_object` after the listing checks (a retried object starts here)."""
    if rules.target_stores_directories:
        if obj.is_directory_marker and obj.size != 0:
            return Skip(SkipReason.INCOMPATIBLE_MARKER)
        if is_traversal_key(obj.key):
            return Skip(SkipReason.TRAVERSAL_KEY)
    if rules.head_required:
        return NEEDS_HEAD
    return plan_after_head(obj, rules)


def plan_after_head(obj: ObjectInfo, rules: PlanRules) -> Transfer:
    """The transfer an object gets once every check said "transfer"."""
    if rules.target_stores_directories and obj.is_directory_marker:
        return TRANSFER_DIRECTORY
    return TRANSFER


class ObjectTooLargeError(ValueError):
    """The object cannot be stored in S3 at all (over 5 TiB)."""


@dataclass(frozen=True, slots=True)
class PartLayout:
    """How an upload is cut.

    Attributes:
        part_sizes: [] for one PutObject, else the size of every part in order.
        chunksize: the part size used (the configured one, or the raised one).
        raised: the configured chunk size would have needed more than 10,000 parts and was raised.
    """

    part_sizes: list[int]
    chunksize: int
    raised: bool = False


def upload_layout(size: int, threshold: int, chunksize: int) -> PartLayout:
    """The part layout of an upload of `size` bytes, within S3's limits.

    Args:
        size: the object size.
        threshold: the multipart threshold (size >= threshold is multipart).
        chunksize: the configured part size.

    Returns:
        The layout; `raised` when the chunk size had to grow to stay within 10,000 parts (the smallest size that
        fits, so the ETag stays reproducible from the size alone).

    Raises:
        ObjectTooLargeError: the object exceeds S3's 5 TiB maximum.
    """
    if size > MAXIMUM_OBJECT_SIZE:
        raise ObjectTooLargeError(
            f"the object is {size} bytes, more than S3's maximum object size of 5 TiB"
        )
    if not etag_math.is_multipart(size, threshold):
        return PartLayout([], chunksize)
    fitting = etag_math.fitting_chunksize(size, chunksize)
    return PartLayout(etag_math.part_sizes(size, threshold, chunksize), fitting, raised=fitting != chunksize)
