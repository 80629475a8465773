"""The composition root: builds the adapters for one run and hands them to the sync service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Literal

from s3syncpy.adapters.clock import SystemClock
from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.s3 import S3StorageOptions, SseCustomerKey, open_s3_storage
from s3syncpy.application.config import ClientSettings, CustomerKey, SyncConfig
from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.report import SyncReport
from s3syncpy.application.run_context import record_listing_skip
from s3syncpy.application.sync_service import run_sync
from s3syncpy.domain.paths import LocalLocation, StorageLocation


async def execute(config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
    """Run one sync as `config` says, filling `report` (its stats are live during the run).

    Args:
        config: validated settings.
        cancel: set it to stop the run (Ctrl-C).
        report: the report to fill.
    """
    # One semaphore bounds multipart parts across source, target and all objects (reference §1.2).
    part_slots = asyncio.Semaphore(config.transfer.max_parallel_uploads)
    async with contextlib.AsyncExitStack() as stack:
        source = await stack.enter_async_context(
            _open_storage(config.source, config.source_client, config, part_slots, report, "source")
        )
        target = await stack.enter_async_context(
            _open_storage(config.target, config.target_client, config, part_slots, report, "target")
        )
        await run_sync(config, source, target, SystemClock(), cancel, report)


Side = Literal["source", "target"]


def _customer_key(key: CustomerKey | None) -> SseCustomerKey | None:
    if key is None:
        return None
    return SseCustomerKey(algorithm=key.algorithm, key=key.key, key_md5=key.key_md5)


def storage_options_for(config: SyncConfig, side: Side) -> S3StorageOptions:
    """The request options of the S3 storage playing `side` in this run.

    The source is only read: it gets its SSE-C key (every GET / HEAD / GetObjectAttributes) and checksum mode
    (--enable-additional-checksum or a checksum update check). The target is written: it also gets the
    additional checksum algorithm and type, --sse / --sse-kms-key-id and its SSE-C key, and checksum mode when a
    checksum update check HEADs it.

    Args:
        config: the validated run settings.
        side: "source" or "target".

    Returns:
        The options for open_s3_storage.
    """
    encryption = config.encryption
    if side == "source":
        return S3StorageOptions(
            checksum_mode=config.source_checksum_mode,
            sse_c=_customer_key(encryption.source_sse_c),
        )
    verification = config.verification
    return S3StorageOptions(
        checksum_algorithm=verification.additional_checksum_algorithm,
        full_object_checksum=verification.uses_full_object_checksum,
        checksum_mode=config.target_checksum_mode,
        sse=encryption.sse,
        sse_kms_key_id=encryption.sse_kms_key_id,
        sse_c=_customer_key(encryption.target_sse_c),
    )


@contextlib.asynccontextmanager
async def _open_storage(
    location: StorageLocation,
    settings: ClientSettings,
    config: SyncConfig,
    part_slots: asyncio.Semaphore,
    report: SyncReport,
    side: Side,
) -> AsyncIterator[ObjectStorage]:
    if isinstance(location, LocalLocation):
        def on_warning(message: str) -> None:
            record_listing_skip(report, message, source=side == "source", error_instead=config.warn_as_error)

        yield LocalObjectStorage(
            location,
            ignore_symlinks=config.ignore_symlinks,
            guess_mime_type=not config.no_guess_mime_type,
            max_parallel_parts=config.transfer.max_parallel_uploads,
            on_warning=on_warning,
        )
        return
    async with open_s3_storage(
        location,
        settings,
        worker_size=config.transfer.worker_size,
        max_parallel_uploads=config.transfer.max_parallel_uploads,
        part_semaphore=part_slots,
        options=storage_options_for(config, side),
    ) as storage:
        yield storage
