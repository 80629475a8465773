"""The header, request, rate-limit and content-filter options: conversion and the reference's conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from s3syncpy.cli.parsing import build_config
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.etag import GiB, MiB
from s3syncpy.domain.model import SystemMetadata

LOCAL = "/data/in"
S3 = "s3://bucket/prefix/"
S3_2 = "s3://other/prefix/"


def _config(source: str, target: str, **values: Any) -> Any:
    return build_config({"source": source, "target": target, **values})


def test_header_options_land_in_the_config() -> None:
    config = _config(LOCAL, S3, cache_control="no-cache", content_disposition="inline", content_encoding="gzip",
                     content_language="ja", content_type="text/x", expires="2023-02-19T12:00:00Z",
                     website_redirect="/r", metadata="a=1,b=2", put_last_modified_metadata=True,
                     storage_class="STANDARD_IA")
    headers = config.headers
    assert headers.system == SystemMetadata(
        content_type="text/x", content_encoding="gzip", content_disposition="inline", content_language="ja",
        cache_control="no-cache", expires="Sun, 19 Feb 2023 12:00:00 GMT", website_redirect_location="/r",
    )
    assert headers.metadata == {"a": "1", "b": "2"}
    assert headers.put_last_modified_metadata and headers.storage_class == "STANDARD_IA"
    assert config.object_settings.headers == headers


def test_request_and_rate_options_land_in_the_config() -> None:
    config = _config(S3, S3_2, acl="private", source_request_payer=True, target_request_payer=True,
                     source_accelerate=True, target_accelerate=True, disable_payload_signing=True,
                     rate_limit_objects=10, rate_limit_bandwidth="1MiB", ignore_glacier_warnings=True)
    requests = config.requests
    assert (requests.acl, requests.source_request_payer, requests.target_request_payer) == ("private", True, True)
    assert requests.source_accelerate and requests.target_accelerate and requests.disable_payload_signing
    assert config.rate_limits.objects_per_sec == 10
    assert config.rate_limits.bandwidth_bytes_per_sec == MiB
    assert config.ignore_glacier_warnings


def test_content_filters_compile() -> None:
    config = _config(S3, LOCAL, filter_include_content_type_regex="^text/", filter_exclude_tag_regex="a=b")
    filters = config.content_filters
    assert filters.include_content_type_regex is not None
    assert filters.include_content_type_regex.search("text/plain")
    assert filters.exclude_tag_regex is not None and filters.needs_tags and filters.active


# (id, source, target, values, message)
CONFLICTS = [
    ("storage class to local", S3, LOCAL, {"storage_class": "STANDARD"},
     "with --storage-class, target storage must be s3://"),
    ("bad storage class", LOCAL, S3, {"storage_class": "STANDARD2"}, "invalid storage class"),
    ("acl to local", S3, LOCAL, {"acl": "private"}, "with --acl, target storage must be s3://"),
    ("bad acl", LOCAL, S3, {"acl": "everyone"}, "invalid acl value"),
    ("cache-control to local", S3, LOCAL, {"cache_control": "x"}, "with metadata related option"),
    ("content-type to local", S3, LOCAL, {"content_type": "x"}, "with metadata related option"),
    ("expires to local", S3, LOCAL, {"expires": "2023-02-19T12:00:00Z"}, "with metadata related option"),
    ("website-redirect to local", S3, LOCAL, {"website_redirect": "/x"}, "with metadata related option"),
    ("metadata to local", S3, LOCAL, {"metadata": "a=b"}, "with metadata related option"),
    ("last-modified to local", S3, LOCAL, {"put_last_modified_metadata": True}, "with metadata related option"),
    ("bad expires", LOCAL, S3, {"expires": "2023-02-30T00:00:00Z"}, "--expires"),
    ("bad metadata", LOCAL, S3, {"metadata": "a=b,"}, "invalid metadata"),
    ("no-sync-system from local", LOCAL, S3, {"no_sync_system_metadata": True},
     "with --no-sync-system-metadata, source storage must be s3://"),
    ("no-sync-system to local", S3, LOCAL, {"no_sync_system_metadata": True},
     "with --no-sync-system-metadata, target storage must be s3://"),
    ("no-sync-user from local", LOCAL, S3, {"no_sync_user_defined_metadata": True},
     "with --no-sync-user-defined-metadata, source storage must be s3://"),
    ("no-sync-user to local", S3, LOCAL, {"no_sync_user_defined_metadata": True},
     "with --no-sync-user-defined-metadata, target storage must be s3://"),
    ("payload signing to local", S3, LOCAL, {"disable_payload_signing": True},
     "with --disable-payload-signing, target storage must be s3://"),
    ("source accelerate from local", LOCAL, S3, {"source_accelerate": True},
     "with --source-accelerate, source storage must be s3://"),
    ("target accelerate to local", S3, LOCAL, {"target_accelerate": True},
     "with --target-accelerate, target storage must be s3://"),
    ("source payer from local", LOCAL, S3, {"source_request_payer": True},
     "with --source-request-payer, source storage must be s3://"),
    ("target payer to local", S3, LOCAL, {"target_request_payer": True},
     "with --target-request-payer, target storage must be s3://"),
    ("include metadata from local", LOCAL, S3, {"filter_include_metadata_regex": "a"},
     "with --filter-include-metadata-regex, source storage must be s3://"),
    ("exclude metadata from local", LOCAL, S3, {"filter_exclude_metadata_regex": "a"},
     "with --filter-exclude-metadata-regex, source storage must be s3://"),
    ("include tag from local", LOCAL, S3, {"filter_include_tag_regex": "a"},
     "with --filter-include-tag-regex, source storage must be s3://"),
    ("exclude tag from local", LOCAL, S3, {"filter_exclude_tag_regex": "a"},
     "with --filter-exclude-tag-regex, source storage must be s3://"),
    ("bad content-type regex", LOCAL, S3, {"filter_include_content_type_regex": "("},
     "--filter-include-content-type-regex"),
    ("objects below 10", LOCAL, S3, {"rate_limit_objects": 9}, "--rate-limit-objects must be at least 10"),
    ("bandwidth below 1MiB", LOCAL, S3, {"rate_limit_bandwidth": "1048575"}, "greater than or equal to 1MiB"),
    ("bandwidth above 100GiB", LOCAL, S3, {"rate_limit_bandwidth": f"{100 * GiB + 1}"},
     "smaller than or equal to 100GiB"),
    ("bandwidth not a size", LOCAL, S3, {"rate_limit_bandwidth": "fast"}, "--rate-limit-bandwidth"),
]


@pytest.mark.parametrize(("source", "target", "values", "message"), [c[1:] for c in CONFLICTS],
                         ids=[c[0] for c in CONFLICTS])
def test_conflicts_are_config_errors(source: str, target: str, values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        _config(source, target, **values)


# Each option is accepted in the directions the reference allows.
ALLOWED = [
    ("content-type filter from local", LOCAL, S3, {"filter_include_content_type_regex": "text"}),
    ("content-type filter to local", S3, LOCAL, {"filter_exclude_content_type_regex": "text"}),
    ("metadata filter to local", S3, LOCAL, {"filter_include_metadata_regex": "a"}),
    ("headers from local", LOCAL, S3, {"cache_control": "x", "metadata": "a=b", "put_last_modified_metadata": True}),
    ("no-sync between buckets", S3, S3_2, {"no_sync_system_metadata": True, "no_sync_user_defined_metadata": True}),
    ("payer and accelerate on the S3 side", S3, LOCAL, {"source_request_payer": True, "source_accelerate": True}),
    ("glacier warnings to local", S3, LOCAL, {"ignore_glacier_warnings": True}),
    ("limits at their bounds", LOCAL, S3, {"rate_limit_objects": 10, "rate_limit_bandwidth": "100GiB"}),
]


@pytest.mark.parametrize(("source", "target", "values"), [c[1:] for c in ALLOWED], ids=[c[0] for c in ALLOWED])
def test_allowed_directions(source: str, target: str, values: dict[str, Any]) -> None:
    _config(source, target, **values)
