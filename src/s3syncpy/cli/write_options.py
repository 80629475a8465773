"""From parsed command-line values to the header, request, rate-limit and content-filter settings.

Part of `parsing.build_config`, kept apart so each group of options converts in one place. Every bad value raises
ConfigError through the `parse` function the caller passes (the one `error:` line, exit 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from s3syncpy.application.settings.request_settings import RateLimitSettings, S3RequestSettings
from s3syncpy.domain.content_filters import ContentFilterSettings
from s3syncpy.domain.model import SystemMetadata
from s3syncpy.domain.sizes import parse_human_bytes
from s3syncpy.domain.write_headers import (
    HeaderOptions,
    parse_canned_acl,
    parse_expires,
    parse_metadata,
    parse_storage_class,
)

if TYPE_CHECKING:
    # Only the pattern type is named here: `regex` costs start-up time and is imported where patterns are compiled.
    import regex

T = TypeVar("T")
Parse = Callable[[str, str, Callable[[str], T]], T]


def _given(v: Mapping[str, Any], name: str, parse: Parse[T], convert: Callable[[str], T]) -> T | None:
    text = v[name]
    if text is None:
        return None
    return parse(text, "--" + name.replace("_", "-"), convert)


def header_options(v: Mapping[str, Any], parse: Parse[Any]) -> HeaderOptions:
    """--cache-control ... --website-redirect, --metadata, the no-sync flags, --put-last-modified-metadata and
    --storage-class."""
    return HeaderOptions(
        system=SystemMetadata(
            content_type=v["content_type"],
            content_encoding=v["content_encoding"],
            content_disposition=v["content_disposition"],
            content_language=v["content_language"],
            cache_control=v["cache_control"],
            expires=_given(v, "expires", parse, parse_expires),
            website_redirect_location=v["website_redirect"],
        ),
        metadata=_given(v, "metadata", parse, parse_metadata),
        no_sync_system_metadata=v["no_sync_system_metadata"],
        no_sync_user_defined_metadata=v["no_sync_user_defined_metadata"],
        put_last_modified_metadata=v["put_last_modified_metadata"],
        storage_class=_given(v, "storage_class", parse, parse_storage_class),
    )


def request_settings(v: Mapping[str, Any], parse: Parse[Any]) -> S3RequestSettings:
    """--acl, the request-payer and accelerate flags of both sides, --disable-payload-signing."""
    return S3RequestSettings(
        acl=_given(v, "acl", parse, parse_canned_acl),
        source_request_payer=v["source_request_payer"],
        target_request_payer=v["target_request_payer"],
        source_accelerate=v["source_accelerate"],
        target_accelerate=v["target_accelerate"],
        disable_payload_signing=v["disable_payload_signing"],
    )


def rate_limit_settings(v: Mapping[str, Any], parse: Parse[Any]) -> RateLimitSettings:
    """--rate-limit-objects and --rate-limit-bandwidth (ranges are checked with the other rules)."""
    bandwidth = v["rate_limit_bandwidth"]
    return RateLimitSettings(
        objects_per_sec=v["rate_limit_objects"],
        bandwidth_bytes_per_sec=(
            bandwidth if isinstance(bandwidth, int) or bandwidth is None
            else parse(bandwidth, "--rate-limit-bandwidth", parse_human_bytes)
        ),
    )


def content_filter_settings(
    v: Mapping[str, Any], parse: Parse[Any], compile_regex: Callable[[str], regex.Pattern[str]]
) -> ContentFilterSettings:
    """Filter steps 9-14: the Content-Type, metadata and tag regexes."""
    names = (
        "filter_include_content_type_regex",
        "filter_exclude_content_type_regex",
        "filter_include_metadata_regex",
        "filter_exclude_metadata_regex",
        "filter_include_tag_regex",
        "filter_exclude_tag_regex",
    )
    patterns = {name.removeprefix("filter_"): _given(v, name, parse, compile_regex) for name in names}
    return ContentFilterSettings(**patterns)
