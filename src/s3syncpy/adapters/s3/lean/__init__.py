"""The lean S3 data path: signed aiohttp requests and a fast listing parser behind the S3DataPath seam.

Public API:
    DATAPATH_ENV = "S3SYNCPY_DATAPATH"      "lean" (default) or "botocore" (the generic path, for comparison)
    open_datapath(client, location, settings, *, max_connections, payload_signing, stall_grace)
        -> AsyncContextManager[S3DataPath]   the lean path when it can serve the bucket, else BotocoreDataPath
    LeanDataPath, LeanTransport, TransportSettings, SigV4Signer, RequestShape, ResponseShape, parse_list_page

Modules: signing (SigV4), shapes (parameters <-> headers from botocore's model), listing (ListObjectsV2 XML),
transport (aiohttp session, retries, S3 errors), endpoint (what is taken from the botocore client), datapath.
Measured reasons are in bench/ (bench_listing.py, bench_sync.py) and in each module's docstring.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from s3syncpy.adapters.s3.datapath import BotocoreDataPath, S3DataPath
from s3syncpy.adapters.s3.lean.datapath import LeanBody, LeanDataPath
from s3syncpy.adapters.s3.lean.endpoint import ClientCredentials, client_verify, resolve_bucket_endpoint
from s3syncpy.adapters.s3.lean.listing import parse_list_page
from s3syncpy.adapters.s3.lean.shapes import RequestShape, ResponseShape
from s3syncpy.adapters.s3.lean.signing import SigV4Signer
from s3syncpy.adapters.s3.lean.transport import LeanTransport, TransportSettings
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.paths import S3Location

DATAPATH_ENV = "S3SYNCPY_DATAPATH"
LEAN = "lean"
BOTOCORE = "botocore"

__all__ = [
    "BOTOCORE",
    "DATAPATH_ENV",
    "LEAN",
    "LeanBody",
    "LeanDataPath",
    "LeanTransport",
    "RequestShape",
    "ResponseShape",
    "SigV4Signer",
    "TransportSettings",
    "open_datapath",
    "parse_list_page",
]


def selected_datapath() -> str:
    """The data path S3SYNCPY_DATAPATH asks for ("lean" unless it says "botocore").

    Also "botocore" while botocore's DEBUG records are wanted (`--aws-sdk-tracing -vv`): the lean path does not go
    through botocore, and the point of that tracing is to see every request the SDK makes.
    """
    if logging.getLogger("botocore").isEnabledFor(logging.DEBUG):
        return BOTOCORE
    return BOTOCORE if os.environ.get(DATAPATH_ENV, "").strip().lower() == BOTOCORE else LEAN


@asynccontextmanager
async def open_datapath(
    client: Any,
    location: S3Location,
    settings: ClientSettings,
    *,
    max_connections: int,
    payload_signing: bool = True,
    stall_grace: float | None = None,
    kind: str | None = None,
) -> AsyncIterator[S3DataPath]:
    """The data path of one storage, with its HTTP session open for the duration of the context.

    Args:
        client: the storage's open aiobotocore client (control plane, credentials, endpoint rules).
        location: the bucket and prefix.
        settings: the endpoint's client settings (retries, timeouts).
        max_connections: the connection pool size (as the client's max_pool_connections).
        payload_signing: False sends UNSIGNED-PAYLOAD (--disable-payload-signing).
        stall_grace: stalled-stream grace period of GET bodies in seconds (None: off).
        kind: "lean" or "botocore"; default: S3SYNCPY_DATAPATH, else "lean".

    Yields:
        The lean data path, or BotocoreDataPath when asked for or when the lean one cannot serve the bucket
        (Multi-Region Access Points, S3 Express, no credentials, non-SigV4 signing).
    """
    botocore_path = BotocoreDataPath(client, location)
    credentials = ClientCredentials(client)
    endpoint = None
    if (kind or selected_datapath()) == LEAN and credentials.available:
        endpoint = await resolve_bucket_endpoint(client, location.bucket)
    if endpoint is None:
        yield botocore_path
        return
    transport_settings = TransportSettings.from_client_settings(
        settings, max_connections=max_connections, verify=client_verify(client) if endpoint.https else True
    )
    async with LeanTransport(transport_settings, tls=endpoint.https) as transport:
        yield LeanDataPath(
            location,
            endpoint=endpoint,
            credentials=credentials,
            transport=transport,
            service_model=client.meta.service_model,
            fallback=botocore_path,
            payload_signing=payload_signing,
            stall_grace=stall_grace,
        )
