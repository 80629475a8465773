"""The composition root: builds the adapters for one run and hands them to the sync service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from s3syncpy.adapters.clock import SystemClock
from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.s3 import open_s3_storage
from s3syncpy.application.config import ClientSettings, SyncConfig
from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.report import SyncReport
from s3syncpy.application.run_context import record_warning
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
            _open_storage(config.source, config.source_client, config, part_slots, report)
        )
        target = await stack.enter_async_context(
            _open_storage(config.target, config.target_client, config, part_slots, report)
        )
        await run_sync(config, source, target, SystemClock(), cancel, report)


@contextlib.asynccontextmanager
async def _open_storage(
    location: StorageLocation,
    settings: ClientSettings,
    config: SyncConfig,
    part_slots: asyncio.Semaphore,
    report: SyncReport,
) -> AsyncIterator[ObjectStorage]:
    if isinstance(location, LocalLocation):
        def on_warning(message: str) -> None:
            record_warning(report, message, error_instead=config.warn_as_error)

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
    ) as storage:
        yield storage
