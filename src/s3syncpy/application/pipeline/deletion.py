"""--delete: remove target objects the source does not have (the reference's --delete, README, Differences 2).

Candidates are the target keys absent from the source map, which was taken from the raw source listing, so
filtered source objects protect their copies; for a local target it holds the keys the written files are listed
under (`/a` as `a`), so both sides are compared in the same form. Of the filters only --filter-exclude-regex protects target-only
keys, and --delete-excluded lifts that protection. --max-delete N deletes at most N objects; when more were due,
deletion stops with a warning (exit 3). The candidates come from the two key maps, or, when the listings were
compared by sorted merge (application/pipeline/target_merge.py), from the keys the merge found target-only. When the source listing skipped entries it could not read (unreadable
files or directories), nothing is deleted in that run: the copies of those entries would look target-only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from s3syncpy._speedups import KeyMap
from s3syncpy.application.ports.callbacks import EventType
from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.run.run_context import RunContext, logger
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.domain.errors import (
    DirectoryTraversalError,
    PreconditionFailedError,
    StorageError,
    UnsupportedLocalNameError,
)
from s3syncpy.domain.paths import S3Location

if TYPE_CHECKING:
    # Only the pattern type is named here: `regex` costs start-up time and is imported where patterns are compiled.
    import regex

MAX_DELETE_REACHED = "--max_delete has been reached. delete operation has been cancelled."
SOURCE_LISTING_INCOMPLETE = (
    "--delete skipped: the source listing skipped entries it could not read, so nothing is deleted in this run."
)


def _no_condition(key: str) -> str | None:
    return None


def warn_about_target_prefix(config: SyncConfig, run: RunContext) -> None:
    """Warn when --delete works under an S3 target prefix that does not end in "/".

    Prefixes are joined textually, so `s3://b/backup` lists `backup2/...` too, and those keys, absent from the
    source, would be deleted.
    """
    target = config.target_location
    if isinstance(target, S3Location) and target.prefix and not target.prefix.endswith("/"):
        run.warn(
            f"the target prefix {target} has no trailing '/': --delete also applies to keys that only start with "
            f"it (e.g. {target}2/...)."
        )


def deletion_allowed(run: RunContext) -> bool:
    """False, with a warning, when the source listing skipped entries: their target copies must not be deleted."""
    if run.report.source_listing_incomplete:
        run.warn(SOURCE_LISTING_INCOMPLETE)
        return False
    return True


def delete_protection(config: SyncConfig) -> regex.Pattern[str] | None:
    """The --filter-exclude-regex that protects target-only keys, unless --delete-excluded lifts it."""
    exclude = config.filters.exclude_regex
    return None if config.deletion.delete_excluded else exclude


def target_only_keys(config: SyncConfig, target_map: KeyMap, source_map: KeyMap) -> list[str]:
    """The delete candidates of the key-map mode: target keys absent from the source map and not protected.

    Args:
        config: the run's settings (the exclude regex, --delete-excluded).
        target_map / source_map: the two listings, both holding their keys.
    """
    protect = delete_protection(config)
    return [key for key in target_map.missing_from(source_map) if protect is None or protect.search(key) is None]


async def delete_target_only(
    config: SyncConfig,
    target: ObjectStorage,
    candidates: list[str],
    run: RunContext,
    *,
    if_match: Callable[[str], str | None] = _no_condition,
) -> None:
    """Delete the target-only keys, at most --max-delete of them.

    Args:
        config: the run's settings (deletion options, dry-run, worker size).
        target: where to delete.
        candidates: the target-only keys no filter protects, in target listing order.
        run: counters, warnings, errors and the stop signal.
        if_match: the If-Match ETag of deleting a key (--if-match: its listed ETag; else None).
    """
    max_delete = config.deletion.max_delete
    if max_delete is not None and len(candidates) > max_delete:
        candidates = candidates[:max_delete]
        limited = True
    else:
        limited = False
    queue: asyncio.Queue[str] = asyncio.Queue()
    for key in candidates:
        queue.put_nowait(key)
    workers = min(config.transfer.worker_size, max(len(candidates), 1))
    async with asyncio.TaskGroup() as group:
        for _ in range(workers):
            group.create_task(_delete_worker(config, target, queue, run, if_match))
    if limited and not run.stopping:
        run.warn(MAX_DELETE_REACHED)


async def _delete_worker(
    config: SyncConfig,
    target: ObjectStorage,
    queue: asyncio.Queue[str],
    run: RunContext,
    if_match: Callable[[str], str | None],
) -> None:
    info = logger.isEnabledFor(logging.INFO)
    while not queue.empty() and not run.stopping:
        key = queue.get_nowait()
        if config.dry_run:
            run.stats.deleted += 1
            run.events.emit(EventType.SYNC_DELETE, key=key)
            if info:
                logger.info("[dry-run] delete completed.", extra={"fields": {"key": key}})
            continue
        try:
            await run.limits.object()
            await target.delete_object(key, if_match=if_match(key))
        except (DirectoryTraversalError, UnsupportedLocalNameError) as exc:
            # A local target's file reached through a symlink out of its tree, or the file this run wrote for a
            # case twin of the key on a case-insensitive disk: not ours to delete.
            run.warn(f"not deleted: {exc}.", key=key)
            continue
        except PreconditionFailedError:
            run.skip_warning("delete precondition failed. skipping.", key=key)
            continue
        except StorageError as exc:
            run.error("failed to delete object.", key=key, error=str(exc))
            return
        run.stats.deleted += 1
        run.events.emit(EventType.SYNC_DELETE, key=key)
        if info:
            logger.info("delete completed.", extra={"fields": {"key": key, "target_key": target.describe(key)}})
