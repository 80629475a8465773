"""Access point and Multi-Region Access Point ARNs: parsed as bucket locations, sent where botocore's endpoint
rules send them, and signed for the right service and region (no server: requests are captured before sending)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiobotocore.session import get_session  # type: ignore[import-untyped]

from s3syncpy.adapters.s3.datapath import BotocoreDataPath
from s3syncpy.adapters.s3.lean import LEAN, open_datapath
from s3syncpy.adapters.s3.lean.datapath import LeanDataPath
from s3syncpy.adapters.s3.lean.endpoint import ClientCredentials, resolve_bucket_endpoint
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.paths import S3Location, parse_location

AP = "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap"
MRAP = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap"


@pytest.mark.parametrize(("text", "bucket", "prefix"), [
    (f"s3://{AP}", AP, ""),
    (f"s3://{AP}/", AP, ""),
    (f"s3://{AP}/dir/sub%20x/", AP, "dir/sub x/"),
    (f"s3://{MRAP}/data/", MRAP, "data/"),
])
def test_arns_parse_as_bucket_locations(text: str, bucket: str, prefix: str) -> None:
    assert parse_location(text) == S3Location(bucket, prefix)


@pytest.fixture
async def client() -> AsyncIterator[Any]:
    session = get_session()
    async with session.create_client(
        "s3", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
    ) as opened:
        yield opened


async def test_an_access_point_is_served_by_the_lean_path_with_its_region(client: Any) -> None:
    endpoint = await resolve_bucket_endpoint(client, AP)

    assert endpoint is not None
    assert endpoint.base_url == "https://my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com"
    assert (endpoint.host, endpoint.base_path) == ("my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com", "")
    assert (endpoint.region, endpoint.signing_name) == ("us-west-2", "s3")


class _Captured(Exception):
    pass


class _CapturingTransport:
    """Stands in for LeanTransport: signs the request as it would be sent, records it, sends nothing."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    async def send(self, operation: str, method: str, url: str, prepare: Any, body: bytes | None = None) -> Any:
        self.sent.append((method, url, await prepare()))
        raise _Captured

    async def fetch(self, operation: str, method: str, url: str, prepare: Any) -> bytes:
        return await self.send(operation, method, url, prepare)  # type: ignore[no-any-return]


async def test_lean_requests_to_an_access_point_are_signed_for_s3_in_its_region(client: Any) -> None:
    endpoint = await resolve_bucket_endpoint(client, AP)
    assert endpoint is not None
    transport = _CapturingTransport()
    location = S3Location(AP, "dir/")
    path = LeanDataPath(location, endpoint=endpoint, credentials=ClientCredentials(client),
                        transport=transport,  # type: ignore[arg-type]
                        service_model=client.meta.service_model, fallback=BotocoreDataPath(client, location))

    with pytest.raises(_Captured):
        await path.put_object("a b.txt", b"hello", {})
    with pytest.raises(_Captured):
        await path.list_page(None, 1000)

    (put_method, put_url, put_headers), (_, list_url, list_headers) = transport.sent
    assert put_method == "PUT"
    assert put_url == "https://my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/dir/a%20b.txt"
    assert list_url.startswith("https://my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com?")
    for headers in (put_headers, list_headers):
        assert "/us-west-2/s3/aws4_request" in headers["authorization"]
        assert headers["host"] == "my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com"


async def test_a_multi_region_access_point_goes_through_botocore_with_sigv4a(client: Any) -> None:
    assert await resolve_bucket_endpoint(client, MRAP) is None
    async with open_datapath(client, S3Location(MRAP, ""), ClientSettings(), max_connections=2, kind=LEAN) as path:
        assert isinstance(path, BotocoreDataPath)

    captured: list[Any] = []

    def capture(request: Any, **_: Any) -> None:
        captured.append(request)
        raise _Captured

    client.meta.events.register("before-send.s3.ListObjectsV2", capture)
    with pytest.raises(_Captured):
        await client.list_objects_v2(Bucket=MRAP, Prefix="data/")

    request = captured[0]
    assert request.url.startswith("https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/")
    assert request.headers["Authorization"].startswith(b"AWS4-ECDSA-P256-SHA256")
    assert request.headers["X-Amz-Region-Set"] == b"*"
