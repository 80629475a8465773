"""Option rules of --enable-versioning, --point-in-time, parallel listing and Express One Zone."""

from __future__ import annotations

from typing import Any

import pytest

from s3syncpy.application.settings.derived_settings import effective_config, listing_parallelism
from s3syncpy.cli.parsing import build_config
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.model import ChecksumAlgorithm

S3S3 = {"source": "s3://src/", "target": "s3://dst/"}
PIT = "2020-01-01T00:00:00Z"


@pytest.mark.parametrize(("values", "message"), [
    ({"enable_versioning": True, "source": "/tmp"}, "with --enable-versioning, source and target storage must be s3://"),
    ({"enable_versioning": True, "target": "/tmp"}, "with --enable-versioning, source and target storage must be s3://"),
    ({"enable_versioning": True, "delete": True}, "--enable-versioning cannot be used with --delete"),
    ({"enable_versioning": True, "head_each_target": True}, "--enable-versioning cannot be used with --head-each-target"),
    ({"enable_versioning": True, "remove_modified_filter": True},
     "--enable-versioning cannot be used with --remove-modified-filter"),
    ({"enable_versioning": True, "check_etag": True}, "--enable-versioning cannot be used with --check-etag"),
    ({"enable_versioning": True, "check_additional_checksum": "SHA256"},
     "--enable-versioning cannot be used with --check-additional-checksum"),
    ({"enable_versioning": True, "point_in_time": PIT}, "--enable-versioning cannot be used with --point-in-time"),
    ({"enable_versioning": True, "target": "s3://b--usw2-az1--x-s3/"},
     "--enable-versioning cannot be used with Express One Zone storage class"),
    ({"enable_versioning": True, "sync_latest_tagging": True},
     "--enable-versioning cannot be used with --sync-latest-tagging"),
    ({"enable_versioning": True, "if_match": True}, "--enable-versioning cannot be used with --if-match"),
    ({"enable_versioning": True, "if_none_match": True}, "--enable-versioning cannot be used with --if-none-match"),
    ({"enable_versioning": True, "server_side_copy": True, "copy_source_if_match": True},
     "--enable-versioning cannot be used with --copy-source-if-match"),
    ({"point_in_time": PIT, "if_match": True}, "--point-in-time cannot be used with --if-match"),
    ({"point_in_time": PIT, "if_none_match": True}, "--point-in-time cannot be used with --if-none-match"),
    ({"point_in_time": PIT, "source": "/tmp"}, "with --point-in-time, source storage must be s3://"),
    ({"point_in_time": PIT, "delete": True}, "--point-in-time cannot be used with --delete"),
    ({"point_in_time": PIT, "head_each_target": True}, "--point-in-time cannot be used with --head-each-target"),
    ({"point_in_time": PIT, "check_size": True}, "--point-in-time cannot be used with --check-size"),
    ({"point_in_time": PIT, "check_mtime_and_etag": True}, "--point-in-time cannot be used with --check-mtime-and-etag"),
    ({"point_in_time": PIT, "source": "s3://b--usw2-az1--x-s3/"},
     "--point-in-time cannot be used with Express One Zone storage class"),
    ({"point_in_time": "2999-01-01T00:00:00Z"}, "--point-in-time value is later than current time"),
    ({"point_in_time": "yesterday"}, "invalid value for '--point-in-time'"),
    ({"max_parallel_listings": 0}, "--max-parallel-listings must be at least 1"),
    ({"max_parallel_listing_max_depth": 0}, "--max-parallel-listing-max-depth must be at least 1"),
    ({"check_etag": True, "source": "s3://b--usw2-az1--x-s3/"},
     "--check-etag cannot be used with Express One Zone storage class"),
])
def test_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        build_config({**S3S3, **values})
    assert str(raised.value).startswith(message)


def test_point_in_time_allows_the_checksum_check_and_forces_remove_modified_filter() -> None:
    config = effective_config(build_config({**S3S3, "point_in_time": PIT, "check_additional_checksum": "SHA256"}))
    assert config.versioning.point_in_time_ms == 1_577_836_800_000
    assert config.update_check.remove_modified_filter


def test_express_one_zone_target_defaults() -> None:
    config = effective_config(build_config({"source": "/tmp", "target": "s3://b--usw2-az1--x-s3/p/"}))
    v = config.verification
    assert (v.additional_checksum_algorithm, v.disable_content_md5_header, v.disable_etag_verify) == (
        ChecksumAlgorithm.CRC64NVME, True, True)


def test_express_one_zone_source_reads_checksums_unless_disabled() -> None:
    values = {"source": "s3://b--usw2-az1--x-s3/", "target": "/tmp/x"}
    assert effective_config(build_config(values)).verification.enable_additional_checksum
    disabled = effective_config(build_config({**values, "disable_express_one_zone_additional_checksum": True}))
    assert not disabled.verification.enable_additional_checksum
    assert disabled.verification.disable_etag_verify


def test_express_one_zone_keeps_an_explicit_algorithm_and_plain_buckets_are_untouched() -> None:
    explicit = build_config({"source": "/tmp", "target": "s3://b--x-s3/", "additional_checksum_algorithm": "SHA1"})
    assert effective_config(explicit).verification.additional_checksum_algorithm is ChecksumAlgorithm.SHA1
    plain = build_config({"source": "/tmp", "target": "s3://bucket-x-s3/"})
    assert effective_config(plain) == plain


def test_defaults() -> None:
    config = build_config(S3S3)
    assert (config.listing.max_parallel_listings, config.listing.max_parallel_listing_max_depth) == (16, 2)
    assert not config.listing.allow_parallel_listings_in_express_one_zone
    assert not config.versioning.lists_versions


@pytest.mark.parametrize(("values", "expected"), [
    pytest.param({}, (16, 2), id="defaults"),
    pytest.param({"max_parallel_listings": 4, "max_parallel_listing_max_depth": 3}, (4, 3), id="given"),
    pytest.param({"max_parallel_listings": 1}, (1, 0), id="one-is-serial"),
    pytest.param({"source": "s3://b--use1-az4--x-s3/"}, (1, 0), id="express-source-serial"),
    pytest.param({"target": "s3://b--use1-az4--x-s3/"}, (1, 0), id="express-target-serial"),
    pytest.param({"target": "s3://b--use1-az4--x-s3/", "allow_parallel_listings_in_express_one_zone": True},
                 (16, 2), id="express-allowed"),
])
def test_listing_parallelism(values: dict[str, Any], expected: tuple[int, int]) -> None:
    assert listing_parallelism(build_config({**S3S3, **values})) == expected
