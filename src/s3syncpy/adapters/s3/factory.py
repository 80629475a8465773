"""The composition entry point of the S3 adapter: an S3ObjectStorage with its client, as one async context.

Public API:
    open_s3_storage(location, settings, *, worker_size, max_parallel_uploads, part_semaphore=None,
                    options=None, held_bytes=None) -> AsyncContextManager[S3ObjectStorage]

The per-object requests go through the lean data path (adapters/s3/lean) unless S3SYNCPY_DATAPATH=botocore, or
the bucket needs what only botocore does (Multi-Region Access Points, S3 Express); control-plane calls always use
the client.

Usage (the composition root; share one semaphore so source and target draw on one --max-parallel-uploads budget):

    parts = asyncio.Semaphore(config.transfer.max_parallel_uploads)
    async with open_s3_storage(location, config.source_client, worker_size=16, max_parallel_uploads=16,
                               part_semaphore=parts) as storage:
        ...
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from s3syncpy.adapters.s3.byte_budget import ByteBudget
from s3syncpy.adapters.s3.client import MILLIS_PER_SECOND, open_s3_client
from s3syncpy.adapters.s3.key_order import client_lists_in_key_order
from s3syncpy.adapters.s3.lean import open_datapath
from s3syncpy.adapters.s3.options import S3StorageOptions
from s3syncpy.adapters.s3.stall import grace_seconds
from s3syncpy.adapters.s3.storage import S3ObjectStorage
from s3syncpy.adapters.s3.upload_journal import UploadJournal
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.paths import S3Location


@asynccontextmanager
async def open_s3_storage(
    location: S3Location,
    settings: ClientSettings,
    *,
    worker_size: int = 16,
    max_parallel_uploads: int = 16,
    part_semaphore: asyncio.Semaphore | None = None,
    options: S3StorageOptions | None = None,
    held_bytes: int | None = None,
    upload_journal: UploadJournal | None = None,
) -> AsyncIterator[S3ObjectStorage]:
    """Create the endpoint's client (one per run) and the storage on `location`; close the client on exit.

    Args:
        location: the bucket and prefix.
        settings: credentials, region, endpoint, retries and timeouts of this endpoint.
        worker_size: concurrent objects (--worker-size); sizes the connection pool.
        max_parallel_uploads: concurrent parts (--max-parallel-uploads); sizes the pool and, without
            `part_semaphore`, a semaphore of this many permits.
        part_semaphore: the semaphore bounding multipart parts, shared with the other storage of the run.
        options: encryption, checksum, storage-class and request-payer settings of this side.
        held_bytes: the bytes of request bodies this storage may hold in memory at once (bodies that cannot
            be streamed from their source: parts of an S3 source); default 16 x 8 MiB.
        upload_journal: --resume: journal resumable multipart uploads there (S3ObjectStorage).

    Yields:
        The storage. It is usable only inside the context.

    Raises:
        ConfigError: the profile does not exist or an AWS config file cannot be parsed.
        StorageError: the client could not be created.
    """
    options = options or S3StorageOptions()
    timeout_ms = settings.operation_timeout_milliseconds
    connections = worker_size + max_parallel_uploads
    async with (
        open_s3_client(
            settings,
            max_pool_connections=connections,
            accelerate=options.accelerate,
            payload_signing=options.payload_signing,
        ) as client,
        open_datapath(
            client,
            location,
            settings,
            max_connections=connections,
            payload_signing=options.payload_signing,
            stall_grace=grace_seconds(settings),
        ) as datapath,
    ):
        if options.key_ordered_listing is None:
            # From the endpoint botocore resolved (an option, AWS_ENDPOINT_URL*, a profile): AWS S3 documents
            # UTF-8 binary order, another server may list in tree order.
            options = dataclasses.replace(
                options, key_ordered_listing=client_lists_in_key_order(client, settings.key_ordered_listing)
            )
        yield S3ObjectStorage(
            client,
            location,
            part_semaphore=part_semaphore or asyncio.Semaphore(max_parallel_uploads),
            options=options,
            secrets=(settings.secret_access_key, settings.session_token),
            operation_timeout=None if timeout_ms is None else timeout_ms / MILLIS_PER_SECOND,
            datapath=datapath,
            held_bytes=ByteBudget(held_bytes) if held_bytes is not None else None,
            upload_journal=upload_journal,
        )
