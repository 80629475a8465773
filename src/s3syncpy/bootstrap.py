"""The composition root: builds the adapters for one run, picks its transfer strategy, runs the sync service.

`sync` is the library's one entry point (the `s3sync` command calls it too)::

    import asyncio, s3syncpy
    config = s3syncpy.SyncConfig(source="/data", target="s3://bucket/data/")
    report = asyncio.run(s3syncpy.sync(config))
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Literal

from s3syncpy.adapters.clock import SystemClock
from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.lua import load_lua_callbacks
from s3syncpy.adapters.s3 import S3StorageOptions, open_s3_storage
from s3syncpy.adapters.s3.upload_journal import UploadJournal, default_state_dir
from s3syncpy.application.pipeline.report_service import run_report
from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.callbacks import SyncCallbacks
from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.run.events import EventBus
from s3syncpy.application.run.function_callbacks import ChosenCallbacks
from s3syncpy.application.run.preprocess import preprocessor_for
from s3syncpy.application.run.progress import ProgressFunction
from s3syncpy.application.run.rate_limits import RateLimits
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.derived_settings import effective_config
from s3syncpy.application.transfer.strategies import choose_strategy
from s3syncpy.domain.local_names import LocalNamePolicy, parse_path_policy, policy_for_platform
from s3syncpy.domain.paths import LocalLocation

# Names the file-name rules of local disks (windows, macos or posix) instead of the platform's: so Linux can apply
# Windows' or macOS's, and a case-sensitive APFS volume or NTFS folder can be synced as one.
PATH_POLICY_VARIABLE = "S3SYNCPY_PATH_POLICY"


async def sync(
    config: SyncConfig,
    *,
    callbacks: SyncCallbacks | None = None,
    cancel: asyncio.Event | None = None,
    report: SyncReport | None = None,
    progress: ProgressFunction | None = None,
) -> SyncReport:
    """Run one sync as `config` says.

    Args:
        config: the settings (a SyncConfig is valid by construction).
        callbacks: user code the run consults and informs (filter, events, preprocess): a SyncCallbacks, e.g.
            FunctionCallbacks(filter=..., on_event=..., preprocess=...) of plain or async functions; None for
            none. Where the config also names a Lua script for the same callback, the Python one is used.
        cancel: set it to stop the run early (the report is then marked cancelled, exit code 130).
        report: a report to fill while the run goes on (its stats are live, for progress displays).
        progress: called with a Progress for each completed step: bytes once the target has them, and each
            transferred object (see s3syncpy.application.run.progress); a quick plain function, run on the loop.

    Returns:
        The report: counters, warnings, errors, whether it was cancelled; `exit_code` maps it as the CLI does.

    Raises:
        ConfigError: the config breaks one of the reference's option rules, or a Lua script cannot be loaded
            (nothing was started).
    """
    config.validate()
    config = effective_config(config)
    path_policy = local_path_policy(os.environ)
    # The reference loads its Lua scripts while building the config: a failure is a usage error (exit 2).
    scripted = load_lua_callbacks(config.lua)
    try:
        return await _sync(config, _chosen(callbacks, scripted), cancel, report, progress, path_policy)
    finally:
        if scripted is not None:
            await scripted.aclose()


def local_path_policy(environment: Mapping[str, str]) -> LocalNamePolicy:
    """The file-name rules of local disks for this run: S3SYNCPY_PATH_POLICY when set, else the platform's.

    Raises:
        ConfigError: S3SYNCPY_PATH_POLICY names no policy.
    """
    value = environment.get(PATH_POLICY_VARIABLE, "")
    if value.strip():
        return parse_path_policy(value)
    return policy_for_platform(os.name, sys.platform)


def _chosen(callbacks: SyncCallbacks | None, scripted: SyncCallbacks | None) -> SyncCallbacks | None:
    """The library's Python callbacks replace the Lua scripts' one by one (the reference's user-defined ones
    replace its Lua ones the same way)."""
    if scripted is None or callbacks is None:
        return callbacks or scripted
    return ChosenCallbacks(callbacks, scripted)


async def _sync(
    config: SyncConfig,
    callbacks: SyncCallbacks | None,
    cancel: asyncio.Event | None,
    report: SyncReport | None,
    progress: ProgressFunction | None,
    path_policy: LocalNamePolicy,
) -> SyncReport:
    report = report if report is not None else SyncReport()
    report_mode = config.report.sync_status
    clock = SystemClock()
    run = RunContext(
        report,
        # Report mode treats warnings as errors, as the reference forces it to.
        warn_as_error=config.warn_as_error or report_mode,
        events=EventBus(callbacks, dry_run=config.dry_run or report_mode),
        preprocessor=preprocessor_for(callbacks),
        limits=RateLimits(config.rate_limits, clock),
        progress=progress,
    )
    # One semaphore bounds multipart parts across source, target and all objects, as the reference does.
    part_slots = asyncio.Semaphore(config.transfer.max_parallel_uploads)
    async with contextlib.AsyncExitStack() as stack:
        source = await stack.enter_async_context(open_storage(config, "source", part_slots, run, path_policy))
        target = await stack.enter_async_context(open_storage(config, "target", part_slots, run, path_policy))
        if report_mode:
            # Report mode is its own service: it compares and never writes.
            await run_report(
                config, source, target, clock, cancel if cancel is not None else asyncio.Event(),
                run=run, callbacks=callbacks,
            )
            return report
        await run_sync(
            config,
            source,
            target,
            clock,
            cancel if cancel is not None else asyncio.Event(),
            run=run,
            strategy=choose_strategy(
                config.direction, config.server_side_copy, source.features, target.features
            ),
            callbacks=callbacks,
        )
    return report


def sync_blocking(
    config: SyncConfig,
    *,
    callbacks: SyncCallbacks | None = None,
    cancel: asyncio.Event | None = None,
    progress: ProgressFunction | None = None,
) -> SyncReport:
    """`sync` for code without an event loop: runs it with asyncio.run and returns the report."""
    return asyncio.run(sync(config, callbacks=callbacks, cancel=cancel, progress=progress))


Side = Literal["source", "target"]


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
    requests = config.requests
    if side == "source":
        return S3StorageOptions(
            checksum_mode=config.source_checksum_mode,
            sse_c=encryption.source_sse_c,
            request_payer=requests.source_request_payer,
            accelerate=requests.source_accelerate,
        )
    verification = config.verification
    return S3StorageOptions(
        acl=requests.acl,
        request_payer=requests.target_request_payer,
        accelerate=requests.target_accelerate,
        payload_signing=not requests.disable_payload_signing,
        checksum_algorithm=verification.additional_checksum_algorithm,
        full_object_checksum=verification.uses_full_object_checksum,
        checksum_mode=config.target_checksum_mode,
        sse=encryption.sse,
        sse_kms_key_id=encryption.sse_kms_key_id,
        sse_c=encryption.target_sse_c,
    )


@contextlib.asynccontextmanager
async def open_storage(
    config: SyncConfig,
    side: Side,
    part_slots: asyncio.Semaphore,
    run: RunContext,
    path_policy: LocalNamePolicy | None = None,
) -> AsyncIterator[ObjectStorage]:
    """The storage playing `side` in a run of `config` (closed when the context ends).

    Args:
        config: the validated run settings.
        side: "source" or "target".
        part_slots: the semaphore bounding multipart parts in flight across both storages.
        run: receives the warnings of a local listing (an unreadable entry).
        path_policy: the file-name rules of a local location's disk (None: the platform's).
    """
    location = config.source_location if side == "source" else config.target_location
    settings = config.source_client if side == "source" else config.target_client
    if isinstance(location, LocalLocation):
        def on_warning(message: str) -> None:
            run.listing_skip(message, source=side == "source")

        yield LocalObjectStorage(
            location,
            ignore_symlinks=config.ignore_symlinks,
            guess_mime_type=not config.no_guess_mime_type,
            max_parallel_parts=config.transfer.max_parallel_uploads,
            # Listing warnings (an unreadable entry) are among those --warn-as-error converts.
            on_warning=on_warning,
            path_policy=path_policy,
        )
        return
    async with open_s3_storage(
        location,
        settings,
        worker_size=config.transfer.worker_size,
        max_parallel_uploads=config.transfer.max_parallel_uploads,
        part_semaphore=part_slots,
        options=storage_options_for(config, side),
        # Parts that must be held (an S3 source's) are bounded by bytes too: the reference's parallel x chunk.
        held_bytes=config.transfer.max_parallel_uploads * config.transfer.multipart_chunksize,
        upload_journal=_upload_journal(config) if side == "target" else None,
    ) as storage:
        yield storage


def _upload_journal(config: SyncConfig) -> UploadJournal | None:
    """--resume: the journal of the run's multipart uploads (the state folder given, else the per-user one)."""
    resume = config.resume
    if not resume.resume:
        return None
    return UploadJournal(Path(resume.state_dir) if resume.state_dir else default_state_dir())
