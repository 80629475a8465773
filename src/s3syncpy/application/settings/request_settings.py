"""Per-side S3 request options (ACL, request payer, accelerate, payload signing), rate limits, and the reference's
rules for which sides they, the header options and the content filters need.

Public API:
    S3RequestSettings, RateLimitSettings (frozen), validate_request_options(...)

A local side has no headers, ACLs, storage classes or request payers, so each of these options requires the side
it applies to to be S3 (exit 2 otherwise, with the reference's message).
"""

from __future__ import annotations

from dataclasses import dataclass

from s3syncpy.domain.content_filters import ContentFilterSettings
from s3syncpy.domain.direction import Direction
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.etag import GiB, MiB
from s3syncpy.domain.model import SystemMetadata
from s3syncpy.domain.write_headers import HeaderOptions

# --rate-limit-objects accepts at least 10 objects per second (the reference refills a tenth every 100 ms).
MIN_RATE_LIMIT_OBJECTS = 10
# --rate-limit-bandwidth accepts 1 MiB/s to 100 GiB/s.
MIN_RATE_LIMIT_BANDWIDTH = MiB
MAX_RATE_LIMIT_BANDWIDTH = 100 * GiB


@dataclass(frozen=True, slots=True)
class S3RequestSettings:
    """Per-side S3 request options.

    Attributes:
        acl: --acl, a canned ACL for written objects.
        source_request_payer / target_request_payer: send x-amz-request-payer: requester on that side.
        source_accelerate / target_accelerate: use that bucket's Transfer Acceleration endpoint.
        disable_payload_signing: uploads are signed with UNSIGNED-PAYLOAD instead of the body's SHA-256.
    """

    acl: str | None = None
    source_request_payer: bool = False
    target_request_payer: bool = False
    source_accelerate: bool = False
    target_accelerate: bool = False
    disable_payload_signing: bool = False


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    """--rate-limit-objects (objects per second) and --rate-limit-bandwidth (bytes per second); None: no limit."""

    objects_per_sec: int | None = None
    bandwidth_bytes_per_sec: int | None = None


def validate_request_options(
    direction: Direction,
    headers: HeaderOptions,
    requests: S3RequestSettings,
    rate_limits: RateLimitSettings,
    content_filters: ContentFilterSettings,
) -> None:
    """The reference's rules for the header, request, rate-limit and content-filter options.

    Raises:
        ConfigError: an option names a side that is local, or a rate limit is out of range.
    """
    local_source, local_target = direction.from_local, direction.to_local
    if local_target:
        if headers.storage_class is not None:
            raise ConfigError("with --storage-class, target storage must be s3://")
        if requests.acl is not None:
            raise ConfigError("with --acl, target storage must be s3://")
        if headers.system != SystemMetadata() or headers.metadata is not None or headers.put_last_modified_metadata:
            raise ConfigError("with metadata related option, target storage must be s3://")
        if requests.disable_payload_signing:
            raise ConfigError("with --disable-payload-signing, target storage must be s3://")
    for option, given in (
        ("--no-sync-system-metadata", headers.no_sync_system_metadata),
        ("--no-sync-user-defined-metadata", headers.no_sync_user_defined_metadata),
    ):
        if given and local_source:
            raise ConfigError(f"with {option}, source storage must be s3://")
        if given and local_target:
            raise ConfigError(f"with {option}, target storage must be s3://")
    for option, given, local in (
        ("--source-accelerate", requests.source_accelerate, local_source),
        ("--target-accelerate", requests.target_accelerate, local_target),
        ("--source-request-payer", requests.source_request_payer, local_source),
        ("--target-request-payer", requests.target_request_payer, local_target),
    ):
        if given and local:
            side = "source" if option.startswith("--source") else "target"
            raise ConfigError(f"with {option}, {side} storage must be s3://")
    if local_source:
        for option, pattern in content_filters.source_s3_only():
            if pattern is not None:
                raise ConfigError(f"with {option}, source storage must be s3://")
    objects = rate_limits.objects_per_sec
    if objects is not None and objects < MIN_RATE_LIMIT_OBJECTS:
        raise ConfigError(f"--rate-limit-objects must be at least {MIN_RATE_LIMIT_OBJECTS}")
    bandwidth = rate_limits.bandwidth_bytes_per_sec
    if bandwidth is not None:
        if bandwidth < MIN_RATE_LIMIT_BANDWIDTH:
            raise ConfigError("invalid value for '--rate-limit-bandwidth': must be greater than or equal to 1MiB")
        if bandwidth > MAX_RATE_LIMIT_BANDWIDTH:
            raise ConfigError("invalid value for '--rate-limit-bandwidth': must be smaller than or equal to 100GiB")
