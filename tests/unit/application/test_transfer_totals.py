"""What the run has to transfer (SyncReport.totals): counted by the listing stage, withdrawn when a worker finds an
object needs no bytes sent; final once the source listing is complete."""

from __future__ import annotations

import asyncio
import dataclasses

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import UpdateCheck
from s3syncpy.domain.paths import LocalLocation, S3Location
from s3syncpy.domain.transfer_totals import TransferTotals
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND
FILES = {"data1": b"one", "dir1/data1": b"two", "dir2/data2": b"three"}


def config(**changes: object) -> SyncConfig:
    base = SyncConfig(source=LocalLocation("/src"), target=S3Location("bucket", ""))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def local_source(files: dict[str, bytes], mtime_ns: int) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=FILE_TREE)
    for key, data in files.items():
        storage.seed(key, data, mtime_ns=mtime_ns)
    return storage


def _target_with(files: dict[str, bytes], mtime_ns: int) -> InMemoryObjectStorage:
    target = InMemoryObjectStorage(clock=lambda: T0)
    for key, data in files.items():
        target.seed(key, data, mtime_ns=mtime_ns)
    return target


async def _sync(cfg: SyncConfig, source: InMemoryObjectStorage, target: InMemoryObjectStorage) -> SyncReport:
    return await run_sync(cfg, source, target, FakeClock(0.0), asyncio.Event())


async def test_a_first_run_has_every_listed_object_to_transfer() -> None:
    report = await _sync(config(), local_source(FILES, T0), InMemoryObjectStorage())

    assert report.totals == TransferTotals(objects=3, bytes=sum(map(len, FILES.values())), listing_complete=True)
    assert report.totals.bytes == report.stats.transferred_bytes


async def test_objects_the_listing_finds_up_to_date_are_never_counted() -> None:
    target = _target_with(FILES, T0)

    report = await _sync(config(), local_source(FILES, T0 - 5 * SECOND), target)

    assert report.stats.skipped == 3
    assert report.totals == TransferTotals(objects=0, bytes=0, listing_complete=True)


async def test_objects_a_head_finds_up_to_date_are_withdrawn() -> None:
    # --head-each-target: the listing stage queues every object; the worker's HEAD then skips the unchanged ones.
    changed = FILES | {"data1": b"changed!"}
    target = _target_with(FILES, T0)
    cfg = config(update_check=UpdateCheck(check_size=True, head_each_target=True))

    report = await _sync(cfg, local_source(changed, T0), target)

    assert report.stats.transferred_objects == 1
    assert report.stats.skipped == 2
    assert report.totals == TransferTotals(objects=1, bytes=len(b"changed!"), listing_complete=True)


def test_withdrawing_a_tags_only_update_keeps_its_object() -> None:
    totals = TransferTotals()
    totals.add(10)
    totals.add(5)

    totals.withdraw(10, count_object=False)
    totals.withdraw(5)

    assert (totals.objects, totals.bytes) == (1, 0)
