"""What the lean data path takes from the botocore client: the bucket's URL, signing scope, credentials and TLS.

Public API:
    BucketEndpoint(base_url, base_path, host, region, signing_name, https)
    resolve_bucket_endpoint(client, bucket) -> BucketEndpoint | None
    ClientCredentials(client).get() -> credentials with access_key / secret_key / token
    client_verify(client) -> bool | str

The client stays the single source of truth, so the lean path can never disagree with the control-plane calls:
botocore's endpoint rules decide path-style or virtual-hosted addressing, accelerate, dual-stack, FIPS and the
signing region; botocore's credential chain (keys, profile, SSO, container/instance metadata, with refresh) signs.
These are aiobotocore internals (`_resolve_endpoint_ruleset`, the request signer's credentials, the endpoint's
verify setting), read once at start-up; any surprise returns None or the safe default, and the storage keeps the
botocore data path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.exceptions  # type: ignore[import-untyped]

_log = logging.getLogger(__name__)
# Signature schemes the lean signer implements: SigV4 with the signing name and region from the endpoint rules.
_SIGV4_AUTH_TYPES = frozenset({"v4", "s3v4"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class BucketEndpoint:
    """Where one bucket's object requests go and how they are signed.

    Attributes:
        base_url: the bucket's URL without a trailing slash ("http://127.0.0.1:8333/bkt" path-style,
            "https://bkt.s3.eu-west-1.amazonaws.com" virtual-hosted); an object is base_url + "/" + encoded key.
        base_path: the path part of base_url ("/bkt" or "").
        host: the Host header value (no default port).
        region: the signing region.
        signing_name: the signing service name ("s3").
        https: whether the endpoint uses TLS.
    """

    base_url: str
    base_path: str
    host: str
    region: str
    signing_name: str
    https: bool


async def resolve_bucket_endpoint(client: Any, bucket: str) -> BucketEndpoint | None:
    """The endpoint of `bucket` as the client's endpoint rules resolve it, or None when the lean path cannot serve it.

    An access point ARN (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME`) resolves to its access point host and is
    signed for service "s3" in the ARN's region, as botocore signs it. None for Multi-Region Access Points (signed
    with SigV4A, region set "*": botocore signs those through awscrt), Outposts, S3 Express buckets (session
    auth) and any scheme other than plain SigV4.

    Args:
        client: an open aiobotocore S3 client.
        bucket: the bucket name.

    Returns:
        The endpoint, or None.
    """
    try:
        operation = client.meta.service_model.operation_model("ListObjectsV2")
        context: dict[str, Any] = {
            "client_region": client.meta.region_name,
            "client_config": client.meta.config,
            "has_streaming_input": False,
            "auth_type": operation.resolved_auth_type,
        }
        url, headers, _ = await client._resolve_endpoint_ruleset(operation, {"Bucket": bucket}, context)
    except (AttributeError, TypeError, KeyError, botocore.exceptions.BotoCoreError) as exc:
        _log.debug("lean data path unavailable (endpoint resolution: %s)", type(exc).__name__)
        return None
    signing = context.get("signing") or {}
    if headers or context.get("auth_type") not in _SIGV4_AUTH_TYPES or not signing.get("region"):
        return None
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or parts.query or not parts.hostname:
        return None
    host = parts.netloc.rpartition("@")[2].lower()
    if parts.port == _DEFAULT_PORTS[parts.scheme]:
        host = host.rpartition(":")[0]
    base_url = url.rstrip("/")
    return BucketEndpoint(
        base_url=base_url,
        base_path=urlsplit(base_url).path,
        host=host,
        region=signing["region"],
        signing_name=signing.get("signing_name", "s3"),
        https=parts.scheme == "https",
    )


class ClientCredentials:
    """The client's credentials, frozen per request (a refreshable provider refreshes itself when near expiry)."""

    def __init__(self, client: Any) -> None:
        """Take the credentials the client's request signer uses."""
        signer = getattr(client, "_request_signer", None)
        self._credentials = getattr(signer, "_credentials", None)

    @property
    def available(self) -> bool:
        """Whether the client found credentials at all."""
        return self._credentials is not None

    async def get(self) -> Any:
        """The current access key, secret key and token (a botocore ReadOnlyCredentials).

        Raises:
            botocore.exceptions.NoCredentialsError: the client has no credentials (as botocore raises it).
        """
        if self._credentials is None:
            raise botocore.exceptions.NoCredentialsError()
        return await self._credentials.get_frozen_credentials()


def client_verify(client: Any) -> bool | str:
    """The client's TLS verification: True, False (--no-verify-ssl) or a CA bundle path (AWS_CA_BUNDLE)."""
    session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    verify = getattr(session, "_verify", True)
    return verify if isinstance(verify, (bool, str)) else True
