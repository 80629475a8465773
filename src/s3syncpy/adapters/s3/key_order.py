"""Whether an S3 endpoint lists keys in UTF-8 binary order, decided from the endpoint the client really uses.

Public API:
    partition_dns_suffixes() -> frozenset[str]            AWS's DNS suffixes, from botocore's partition data
    endpoint_lists_in_key_order(endpoint_url, suffixes) -> bool
    client_lists_in_key_order(client, vouched) -> bool

AWS S3 documents ListObjectsV2 in UTF-8 binary order; the sorted merge and the key-range listing that starts
and stops rely on it. S3-compatible servers need not keep it (SeaweedFS lists in directory-tree order, `a/1`
before `a-b`), so only an AWS host is taken to. The endpoint is the one botocore resolved for the client: it may
come from --*-endpoint-url, but also from AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or a profile's endpoint_url (or
its services section), and botocore writes whichever won into `client.meta.endpoint_url`. Deciding from the
option alone took every one of the others for AWS.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from s3syncpy.adapters.s3.client import shared_data_loader

# Used when botocore's partition data cannot be read: the commercial and China partitions.
_FALLBACK_SUFFIXES = frozenset({"amazonaws.com", "amazonaws.com.cn", "api.aws"})


@cache
def partition_dns_suffixes() -> frozenset[str]:
    """The DNS suffixes (plain and dual-stack) of every AWS partition botocore knows, e.g. "amazonaws.com"."""
    try:
        partitions = shared_data_loader().load_data("partitions")["partitions"]
        suffixes = {
            partition["outputs"][name]
            for partition in partitions
            for name in ("dnsSuffix", "dualStackDnsSuffix")
            if partition.get("outputs", {}).get(name)
        }
    except (KeyError, TypeError, OSError, ValueError):
        return _FALLBACK_SUFFIXES
    return frozenset(suffixes) or _FALLBACK_SUFFIXES


def endpoint_lists_in_key_order(endpoint_url: str | None, suffixes: Iterable[str]) -> bool:
    """Whether the endpoint at `endpoint_url` is AWS S3 (a host under one of AWS's DNS suffixes).

    Args:
        endpoint_url: the endpoint the client sends requests to (None or unparseable: unknown, so False).
        suffixes: AWS's DNS suffixes (partition_dns_suffixes()).
    """
    if not endpoint_url:
        return False
    try:
        host = urlsplit(endpoint_url).hostname
    except ValueError:
        return False
    if not host:
        return False
    host = host.rstrip(".").lower()
    return any(host.endswith("." + suffix) for suffix in suffixes)


def client_lists_in_key_order(client: Any, vouched: bool | None) -> bool:
    """Whether the listings of `client`'s endpoint are in key order.

    Args:
        client: an open aiobotocore S3 client.
        vouched: the caller's own word (ClientSettings.key_ordered_listing); None decides by the endpoint.
    """
    if vouched is not None:
        return vouched
    meta = getattr(client, "meta", None)
    return endpoint_lists_in_key_order(getattr(meta, "endpoint_url", None), partition_dns_suffixes())
