"""The update-check modes of reference §3.3 on the in-memory fake: checksum, mtime-and-*, ETag with auto-chunksize."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ForceRetry, Transfer, UpdateCheck, Verification
from s3syncpy.domain import etag
from s3syncpy.domain.decisions.head import HeadReason
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.model import ChecksumAlgorithm as Alg
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND
SMALL = Transfer(multipart_threshold=8, multipart_chunksize=4)
LOCAL, S3 = LocalLocation("/data"), S3Location("bucket", "")
FILES = {"single": b"seven!!", "at": b"eight...", "over": b"nine-----", "empty": b""}


def cfg(source: object, target: object, update: UpdateCheck, *, auto: bool = False,
        algorithm: Alg | None = None) -> SyncConfig:
    return SyncConfig(
        source=source, target=target,  # type: ignore[arg-type]
        transfer=dataclasses.replace(SMALL, auto_chunksize=auto),
        update_check=update,
        verification=Verification(additional_checksum_algorithm=algorithm),
        force_retry=ForceRetry(force_retry_count=1, force_retry_interval_milliseconds=1),
    )


async def sync(config: SyncConfig, source: InMemoryObjectStorage, target: InMemoryObjectStorage) -> SyncReport:
    return await run_sync(config, source, target, FakeClock(0.0), asyncio.Event())


def local(files: dict[str, bytes], mtime_ns: int = T0) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=FILE_TREE)
    for key, data in files.items():
        storage.seed(key, data, mtime_ns=mtime_ns)
    return storage


def s3(files: dict[str, bytes], algorithm: Alg | None = None, parts: list[int] | None = None,
       mtime_ns: int = T0, full_object: bool = False) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(checksum_algorithm=algorithm, full_object_checksum=full_object,
                                    clock=lambda: T0)
    for key, data in files.items():
        # The given layout where it fits the data, else the one s3sync itself would have used.
        layout = parts if parts is not None and sum(parts) == len(data) else etag.part_sizes(len(data), 8, 4)
        storage.seed(key, data, mtime_ns=mtime_ns, part_sizes=layout)
    return storage


CHECK_SHA256 = UpdateCheck(check_additional_checksum=Alg.SHA256)


# ---------------------------------------------------------------- --check-additional-checksum


async def test_checksum_check_missing_target_checksum_warns_and_skips_every_object() -> None:
    report = await sync(cfg(LOCAL, S3, CHECK_SHA256), local(FILES), s3(FILES))

    assert report.stats.transferred_objects == 0
    assert report.stats.skipped == 4
    assert report.stats.warnings == 4
    assert HeadReason.TARGET_CHECKSUM_MISSING.value in report.warnings[0]
    assert report.exit_code is ExitCode.WARNING


@pytest.mark.parametrize(
    ("algorithm", "parts", "full_object"),
    [
        pytest.param(Alg.SHA256, [4, 4, 1], False, id="sha256-config-layout"),
        pytest.param(Alg.SHA256, [3, 3, 3], False, id="sha256-other-layout-via-attributes"),
        pytest.param(Alg.CRC32C, [5, 4], False, id="crc32c-composite-other-layout"),
        pytest.param(Alg.CRC32, [4, 4, 1], True, id="crc32-full-object"),
        pytest.param(Alg.CRC64NVME, [4, 4, 1], True, id="crc64nvme"),
    ],
)
async def test_checksum_check_equal_values_skip(algorithm: Alg, parts: list[int], full_object: bool) -> None:
    files = {"over": b"nine-----", "single": b"seven!!", "empty": b""}
    target = s3(files, algorithm, parts, full_object=full_object)

    report = await sync(cfg(LOCAL, S3, UpdateCheck(check_additional_checksum=algorithm)), local(files), target)

    assert report.stats.skipped == 3
    assert report.stats.transferred_objects == 0
    assert report.stats.warnings == 0


async def test_checksum_check_transfers_only_changed_content_whatever_the_mtime() -> None:
    target = s3(FILES, Alg.SHA256, [4, 4, 1], mtime_ns=T0 + 100 * SECOND)
    changed = FILES | {"over": b"NINE-----"}

    report = await sync(cfg(LOCAL, S3, CHECK_SHA256, algorithm=Alg.SHA256), local(changed), target)

    assert report.stats.transferred_objects == 1
    assert target.data("over") == b"NINE-----"
    assert report.stats.checksum_verified == 1


async def test_checksum_check_s3_to_s3_source_without_checksum_warns_and_skips() -> None:
    source, target = s3(FILES), s3(FILES, Alg.SHA256)

    report = await sync(cfg(S3, S3, CHECK_SHA256), source, target)

    assert report.stats.transferred_objects == 0 and report.stats.warnings == 4
    assert HeadReason.CHECKSUM_MISSING.value in report.warnings[0]


async def test_checksum_check_s3_to_s3_compares_stored_values() -> None:
    source = s3(FILES | {"over": b"NINE-----"}, Alg.SHA256, [4, 4, 1])
    target = s3(FILES, Alg.SHA256, [4, 4, 1])

    report = await sync(cfg(S3, S3, CHECK_SHA256), source, target)

    assert report.stats.transferred_objects == 1 and report.stats.skipped == 3


@pytest.mark.parametrize(
    ("algorithm", "parts"),
    [
        pytest.param(Alg.SHA256, [3, 3, 3], id="sha256-composite"),
        pytest.param(Alg.CRC64NVME, [4, 4, 1], id="crc64nvme-full-object"),
    ],
)
async def test_checksum_check_s3_to_local(algorithm: Alg, parts: list[int]) -> None:
    source = s3(FILES | {"over": b"NINE-----"}, algorithm, parts)
    target = local(FILES, mtime_ns=T0 + 100 * SECOND)

    config = dataclasses.replace(cfg(S3, LOCAL, UpdateCheck(check_additional_checksum=algorithm)),
                                 verification=Verification(enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert report.stats.transferred_objects == 1
    assert report.stats.skipped == 3
    assert target.data("over") == b"NINE-----"
    # The composite value brought the source's parts, so the download's ETag verifies too.
    assert report.stats.etag_verified == 1 and report.stats.checksum_verified == 1


async def test_checksum_check_s3_to_local_missing_source_checksum_warns() -> None:
    report = await sync(cfg(S3, LOCAL, CHECK_SHA256), s3(FILES), local(FILES))

    assert report.stats.warnings == 4 and report.stats.transferred_objects == 0
    assert HeadReason.SOURCE_CHECKSUM_MISSING.value in report.warnings[0]


async def test_checksum_check_still_uploads_missing_objects() -> None:
    target = s3({}, Alg.SHA256)

    report = await sync(cfg(LOCAL, S3, CHECK_SHA256, algorithm=Alg.SHA256), local(FILES), target)

    assert report.stats.transferred_objects == 4 and report.stats.warnings == 0


# ---------------------------------------------------------------- AND semantics of --check-mtime-and-*


@pytest.mark.parametrize(
    ("update", "algorithm"),
    [
        pytest.param(UpdateCheck(check_mtime_and_etag=True), None, id="mtime-and-etag"),
        pytest.param(UpdateCheck(check_mtime_and_additional_checksum=Alg.CRC32C), Alg.CRC32C,
                     id="mtime-and-checksum"),
    ],
)
@pytest.mark.parametrize(
    ("source_mtime", "content", "transferred"),
    [
        pytest.param(T0 + 10 * SECOND, b"nine-----", 0, id="touched-only-skips"),
        pytest.param(T0 + 10 * SECOND, b"NINE-----", 1, id="newer-and-modified-transfers"),
        pytest.param(T0, b"NINE-----", 0, id="modified-but-not-newer-skips"),
    ],
)
async def test_mtime_and_rules_are_and_rules(
    update: UpdateCheck, algorithm: Alg | None, source_mtime: int, content: bytes, transferred: int
) -> None:
    files = {"over": b"nine-----"}
    target = s3(files, algorithm, [4, 4, 1])
    source = local({"over": content}, mtime_ns=source_mtime)

    report = await sync(cfg(LOCAL, S3, update, algorithm=algorithm), source, target)

    assert report.stats.transferred_objects == transferred
    assert report.stats.skipped == 1 - transferred
    assert report.stats.warnings == 0


# ---------------------------------------------------------------- --check-etag with --auto-chunksize


@pytest.mark.parametrize(
    ("auto", "transferred"),
    [
        pytest.param(True, 0, id="auto-chunksize-uses-the-target-parts"),
        pytest.param(False, 1, id="config-layout-differs"),
    ],
)
async def test_check_etag_local_source_against_other_chunking(auto: bool, transferred: int) -> None:
    files = {"over": b"nine-----"}
    target = s3(files, parts=[3, 3, 3])

    report = await sync(cfg(LOCAL, S3, UpdateCheck(check_etag=True), auto=auto), local(files), target)

    assert report.stats.transferred_objects == transferred


async def test_check_etag_auto_chunksize_s3_to_local_uses_source_parts() -> None:
    files = {"over": b"nine-----", "single": b"seven!!"}
    source = s3(files, parts=[3, 3, 3])
    target = local(files)

    report = await sync(cfg(S3, LOCAL, UpdateCheck(check_etag=True), auto=True), source, target)

    assert report.stats.transferred_objects == 0 and report.stats.skipped == 2


async def test_check_etag_auto_chunksize_detects_modified_local_target() -> None:
    source = s3({"over": b"nine-----"}, parts=[3, 3, 3])
    target = local({"over": b"NINE-----"})

    report = await sync(cfg(S3, LOCAL, UpdateCheck(check_etag=True), auto=True), source, target)

    assert report.stats.transferred_objects == 1 and target.data("over") == b"nine-----"


@pytest.mark.parametrize(
    "update",
    [
        pytest.param(UpdateCheck(check_additional_checksum=Alg.SHA256), id="checksum"),
        pytest.param(UpdateCheck(check_etag=True, head_each_target=True), id="etag"),
    ],
)
async def test_existing_directory_marker_on_a_local_target_is_up_to_date(update: UpdateCheck) -> None:
    source = s3({"dir/": b""}, Alg.SHA256)
    target = InMemoryObjectStorage(features=FILE_TREE)
    target.directories.add("dir/")

    report = await sync(cfg(S3, LOCAL, update), source, target)

    assert report.stats.transferred_objects == 0 and report.stats.skipped == 1 and report.stats.warnings == 0
