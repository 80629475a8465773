"""The settings of the options that shape writes to an S3 target: server-side copy, tags, conditional writes.

Fields of SyncConfig and ObjectSettings (application/settings/config.py); `validate_s3_write_options` holds their rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from s3syncpy.domain.direction import Direction
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.tagging import parse_tagging


@dataclass(frozen=True, slots=True)
class TaggingSettings:
    """Which tags written objects get (reference: the tagging options).

    Attributes:
        tagging: --tagging: this `k=v&k2=v2` string (URL-encoded, validated) instead of the source's tags.
        disable_tagging: --disable-tagging: written objects get no tags.
        sync_latest_tagging: --sync-latest-tagging: an object found up to date still gets the source's tags when
            the target's differ (implies --remove-modified-filter and --head-each-target).
    """

    tagging: str | None = None
    disable_tagging: bool = False
    sync_latest_tagging: bool = False


@dataclass(frozen=True, slots=True)
class ConditionalWrites:
    """The optimistic locks of the reference's conditional-write options.

    Attributes:
        if_match: --if-match: puts, completes and deletes carry If-Match with the target's known ETag.
        if_none_match: --if-none-match: puts, copies and completes carry If-None-Match: *.
        copy_source_if_match: --copy-source-if-match: server-side copies carry x-amz-copy-source-if-match with the
            source's listed ETag.
    """

    if_match: bool = False
    if_none_match: bool = False
    copy_source_if_match: bool = False


def validate_s3_write_options(
    direction: Direction,
    server_side_copy: bool,
    tagging: TaggingSettings,
    conditions: ConditionalWrites,
    *,
    remove_modified_filter: bool,
    head_each_target: bool,
) -> None:
    """The rules of --server-side-copy, the tagging options and the conditional writes.

    Args:
        direction: the run's direction.
        server_side_copy / tagging / conditions: the options.
        remove_modified_filter / head_each_target: the update-check flags --if-match depends on.

    Raises:
        ConfigError: a conflict or a missing requirement, with a one-line message.
    """
    both_s3 = not (direction.from_local or direction.to_local)
    if server_side_copy and not both_s3:
        raise ConfigError("with --server-side-copy, source and target storage must be s3://")
    if tagging.tagging is not None:
        try:
            parse_tagging(tagging.tagging)  # library callers give the string directly
        except ValueError as exc:
            raise ConfigError(f"invalid value for '--tagging': {exc}") from None
        if tagging.disable_tagging:
            raise ConfigError("--tagging cannot be used with --disable-tagging")
        if direction.to_local:
            raise ConfigError("with --tagging, target storage must be s3://")
    if tagging.disable_tagging and direction.to_local:
        raise ConfigError("with --disable-tagging, target storage must be s3://")
    if tagging.sync_latest_tagging and not both_s3:
        raise ConfigError("with --sync-latest-tagging, source and target storage must be s3://")
    if conditions.if_match:
        if conditions.if_none_match:
            raise ConfigError("--if-match cannot be used with --if-none-match")
        if direction.to_local:
            raise ConfigError("with --if-match, target storage must be s3://")
        if remove_modified_filter and not head_each_target:
            # The ETag to match comes from the target listing or a HEAD of the target: one of them must run.
            raise ConfigError("--if-match with --remove-modified-filter requires --head-each-target")
    if conditions.if_none_match and direction.to_local:
        raise ConfigError("with --if-none-match, target storage must be s3://")
    if conditions.copy_source_if_match and not server_side_copy:
        raise ConfigError("--copy-source-if-match requires --server-side-copy")
