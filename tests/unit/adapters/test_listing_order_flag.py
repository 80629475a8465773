"""Which S3 storages are taken to list in key order (UTF-8 binary): AWS S3, unless told otherwise, decided from
the endpoint the client resolved (an option, AWS_ENDPOINT_URL*, a profile), not from the option alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3syncpy.adapters.s3 import S3StorageOptions, open_s3_storage
from s3syncpy.adapters.s3.key_order import endpoint_lists_in_key_order, partition_dns_suffixes
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.paths import S3Location

_KEYS = {"access_key": "AKIDEXAMPLE", "secret_access_key": "secret", "region": "us-east-1"}


@pytest.mark.parametrize(
    ("bucket", "settings", "options", "ordered"),
    [
        pytest.param("bucket", ClientSettings(**_KEYS), None, True, id="aws"),
        pytest.param("bucket--use1-az4--x-s3", ClientSettings(**_KEYS), None, False, id="directory-bucket"),
        pytest.param("bucket", ClientSettings(endpoint_url="http://127.0.0.1:9", **_KEYS), None, False,
                     id="custom-endpoint"),
        pytest.param("bucket", ClientSettings(endpoint_url="http://127.0.0.1:9", key_ordered_listing=True, **_KEYS),
                     None, True, id="custom-endpoint-vouched-for"),
        pytest.param("bucket", ClientSettings(key_ordered_listing=False, **_KEYS), None, False, id="aws-told-not"),
        pytest.param("bucket", ClientSettings(endpoint_url="http://127.0.0.1:9", **_KEYS),
                     S3StorageOptions(key_ordered_listing=True), True, id="options-win"),
    ],
)
async def test_the_listing_order_flag(
    bucket: str, settings: ClientSettings, options: S3StorageOptions | None, ordered: bool
) -> None:
    async with open_s3_storage(S3Location(bucket, ""), settings, options=options) as storage:
        assert storage.features.lists_in_key_order is ordered


@pytest.mark.parametrize(
    ("environment", "profile_lines", "ordered"),
    [
        pytest.param({"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, None, False, id="aws-endpoint-url"),
        pytest.param({"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"}, None, False, id="aws-endpoint-url-s3"),
        pytest.param({}, ["endpoint_url = http://127.0.0.1:9"], False, id="profile-endpoint-url"),
        pytest.param({}, ["services = local", "[services local]", "s3 =", "  endpoint_url = http://127.0.0.1:9"],
                     False, id="profile-services-section"),
        pytest.param({"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
                     None, True, id="configured-endpoints-ignored"),
        pytest.param({"AWS_ENDPOINT_URL_S3": "https://s3.eu-west-1.amazonaws.com"}, None, True,
                     id="configured-aws-endpoint"),
    ],
)
async def test_the_listing_order_follows_the_endpoint_the_client_resolved(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, environment: dict[str, str], profile_lines: list[str] | None,
    ordered: bool,
) -> None:
    # No --endpoint-url: the endpoint comes from the environment or the profile, and botocore uses it.
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = ClientSettings(**_KEYS)
    if profile_lines is not None:
        config = tmp_path / "config"
        # The profile's own keys: explicit keys would make the client skip the profile.
        config.write_text("\n".join(["[profile p]", "aws_access_key_id = AKIDEXAMPLE",
                                     "aws_secret_access_key = secret", *profile_lines]) + "\n")
        settings = ClientSettings(profile="p", aws_config_file=str(config), region="us-east-1")
    async with open_s3_storage(S3Location("bucket", ""), settings) as storage:
        assert storage.features.lists_in_key_order is ordered


@pytest.mark.parametrize(
    ("endpoint_url", "ordered"),
    [
        pytest.param("https://s3.amazonaws.com", True, id="aws-global"),
        pytest.param("https://s3.eu-west-1.amazonaws.com", True, id="aws-regional"),
        pytest.param("https://s3.dualstack.us-east-1.amazonaws.com", True, id="aws-dualstack"),
        pytest.param("https://bucket.vpce-1a2b.s3.us-east-1.vpce.amazonaws.com", True, id="aws-vpc-endpoint"),
        pytest.param("https://s3.cn-north-1.amazonaws.com.cn", True, id="aws-china"),
        pytest.param("https://S3.US-WEST-2.AMAZONAWS.COM.", True, id="aws-upper-case-fqdn"),
        pytest.param("http://127.0.0.1:8333", False, id="loopback"),
        pytest.param("http://localhost:9000", False, id="localhost"),
        pytest.param("https://s3.localhost.localstack.cloud:4566", False, id="localstack"),
        pytest.param("https://storage.googleapis.com", False, id="another-vendor"),
        pytest.param("https://amazonaws.com.evil.example", False, id="lookalike"),
        pytest.param("https://fakeamazonaws.com", False, id="suffix-without-dot"),
        pytest.param(None, False, id="unknown"),
        pytest.param("not a url", False, id="unparseable"),
    ],
)
def test_only_an_aws_s3_host_is_taken_to_list_in_key_order(endpoint_url: str | None, ordered: bool) -> None:
    assert endpoint_lists_in_key_order(endpoint_url, partition_dns_suffixes()) is ordered


def test_the_partition_suffixes_come_from_botocore() -> None:
    suffixes = partition_dns_suffixes()
    assert {"amazonaws.com", "amazonaws.com.cn"} <= suffixes
