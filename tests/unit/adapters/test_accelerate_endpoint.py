"""--source-accelerate / --target-accelerate: both data paths address the bucket's Transfer Acceleration endpoint
(virtual-hosted), resolved without a request."""

from __future__ import annotations

from s3syncpy.adapters.s3.client import open_s3_client
from s3syncpy.adapters.s3.lean.endpoint import resolve_bucket_endpoint
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.bootstrap import storage_options_for
from s3syncpy.cli.parsing import build_config

SETTINGS = ClientSettings(access_key="AKIDEXAMPLE", secret_access_key="secret", region="ap-northeast-1")


async def _endpoint(accelerate: bool) -> tuple[str, str]:
    async with open_s3_client(SETTINGS, max_pool_connections=1, accelerate=accelerate) as client:
        endpoint = await resolve_bucket_endpoint(client, "my-bucket")
        assert endpoint is not None
        return endpoint.host, endpoint.region


async def test_accelerate_uses_the_virtual_hosted_accelerate_endpoint() -> None:
    assert await _endpoint(accelerate=True) == ("my-bucket.s3-accelerate.amazonaws.com", "ap-northeast-1")


async def test_without_accelerate_the_regional_endpoint() -> None:
    assert await _endpoint(accelerate=False) == ("my-bucket.s3.ap-northeast-1.amazonaws.com", "ap-northeast-1")


def test_each_side_gets_its_own_request_options() -> None:
    config = build_config({"source": "s3://a/", "target": "s3://b/", "source_accelerate": True,
                           "target_request_payer": True, "acl": "private", "disable_payload_signing": True})
    source, target = storage_options_for(config, "source"), storage_options_for(config, "target")
    assert (source.accelerate, source.request_payer, source.acl, source.payload_signing) == (True, False, None, True)
    assert (target.accelerate, target.request_payer, target.acl, target.payload_signing) == (False, True, "private",
                                                                                            False)
    assert target.write_params()["ACL"] == "private" and target.write_params()["RequestPayer"] == "requester"
