"""Which S3 storages are taken to list in key order (UTF-8 binary): AWS S3, unless told otherwise."""

from __future__ import annotations

import pytest

from s3syncpy.adapters.s3 import S3StorageOptions, open_s3_storage
from s3syncpy.application.config import ClientSettings
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
