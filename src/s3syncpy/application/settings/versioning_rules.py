"""The option rules of versioning, point-in-time, parallel listing and Express One Zone (as the reference refuses them).

Called by SyncConfig.validate; each broken rule is one ConfigError line (exit 2), worded like the other
conflicts of the command line.
"""

from __future__ import annotations

import time

from s3syncpy.application.settings.sections import Deletion, ListingParallelism, UpdateCheck, Versioning
from s3syncpy.application.settings.write_settings import ConditionalWrites, TaggingSettings
from s3syncpy.domain.direction import Direction
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.express_one_zone import is_express_one_zone
from s3syncpy.domain.paths import StorageLocation
from s3syncpy.domain.time_units import NANOS_PER_MILLI


def _conflicts(option: str, others: list[tuple[str, bool]]) -> None:
    for other, given in others:
        if given:
            raise ConfigError(f"{option} cannot be used with {other}")


def validate_versioning(
    versioning: Versioning,
    *,
    update_check: UpdateCheck,
    conditions: ConditionalWrites,
    deletion: Deletion,
    tagging: TaggingSettings,
    direction: Direction,
    source: StorageLocation,
    target: StorageLocation,
) -> None:
    """--enable-versioning is S3 to S3 only; --point-in-time needs an S3 source and a time not in the future.

    The sections of the config it reads are named one by one, so these rules depend on the sections and not on
    the SyncConfig that calls them.

    Raises:
        ConfigError: a conflict or a missing requirement.
    """
    uc = update_check
    checks = [
        ("--check-size", uc.check_size),
        ("--check-etag", uc.check_etag),
        ("--check-mtime-and-etag", uc.check_mtime_and_etag),
        ("--check-additional-checksum", uc.check_additional_checksum is not None),
        ("--check-mtime-and-additional-checksum", uc.check_mtime_and_additional_checksum is not None),
    ]
    conditional = [
        ("--if-match", conditions.if_match),
        ("--if-none-match", conditions.if_none_match),
    ]
    if versioning.enable_versioning:
        if direction.from_local or direction.to_local:
            raise ConfigError("with --enable-versioning, source and target storage must be s3://")
        _conflicts("--enable-versioning", [
            ("--point-in-time", versioning.point_in_time_ms is not None),
            ("--delete", deletion.delete),
            # Named before the two update-check flags it turns on, so the message names the option given.
            ("--sync-latest-tagging", tagging.sync_latest_tagging),
            *conditional,
            ("--copy-source-if-match", conditions.copy_source_if_match),
            ("--head-each-target", uc.head_each_target),
            ("--remove-modified-filter", uc.remove_modified_filter),
            *checks,
        ])
        if is_express_one_zone(source) or is_express_one_zone(target):
            raise ConfigError("--enable-versioning cannot be used with Express One Zone storage class")
    if versioning.point_in_time_ms is not None:
        if direction.from_local:
            raise ConfigError("with --point-in-time, source storage must be s3://")
        _conflicts("--point-in-time", [
            ("--delete", deletion.delete),
            *conditional,
            ("--head-each-target", uc.head_each_target),
            # The checksum check still works at a point in time (the target is HEADed and compared).
            *(check for check in checks if check[0] != "--check-additional-checksum"),
        ])
        if is_express_one_zone(source):
            raise ConfigError("--point-in-time cannot be used with Express One Zone storage class")
        if versioning.point_in_time_ms * NANOS_PER_MILLI > time.time_ns():
            raise ConfigError("--point-in-time value is later than current time")
    if uc.check_etag and (is_express_one_zone(source) or is_express_one_zone(target)):
        raise ConfigError("--check-etag cannot be used with Express One Zone storage class")


def validate_listing(listing: ListingParallelism) -> None:
    """Both parallel-listing numbers are at least 1.

    Raises:
        ConfigError: a number below 1.
    """
    if listing.max_parallel_listings < 1:
        raise ConfigError("--max-parallel-listings must be at least 1")
    if listing.max_parallel_listing_max_depth < 1:
        raise ConfigError("--max-parallel-listing-max-depth must be at least 1")
