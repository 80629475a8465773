"""Integrity on the in-memory fake: additional checksums, verification counters, --auto-chunksize, SSE rules.

Layouts are tiny (threshold 8 bytes, chunk 4) so every multipart case stays a few bytes; objects under 5 MiB are
never read in ranges, as in the reference.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import EncryptionSettings, ForceRetry, Transfer, Verification
from s3syncpy.domain import checksums
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.model import ChecksumAlgorithm as Alg
from s3syncpy.domain.paths import LocalLocation, S3Location
from s3syncpy.domain.verification import (
    CHECKSUM_MISMATCH_DOWNLOAD,
    CHECKSUM_SOURCE_MISSING,
    ETAG_MISMATCH_HELP_UPLOAD,
)
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE, OBJECT_STORE
from tests.fakes.storage import InMemoryObjectStorage

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND
SMALL = Transfer(multipart_threshold=8, multipart_chunksize=4)
LOCAL, S3 = LocalLocation("/data"), S3Location("bucket", "")

SINGLE = b"seven!!"  # 7 bytes: below the threshold
AT_THRESHOLD = b"eight..."  # 8 bytes: multipart, 2 parts
OVER = b"nine-----"  # 9 bytes: 3 parts
FILES = {"single": SINGLE, "at": AT_THRESHOLD, "over": OVER, "empty": b""}


def cfg(source: object = LOCAL, target: object = S3, **changes: object) -> SyncConfig:
    base = SyncConfig(source=source, target=target, transfer=SMALL,  # type: ignore[arg-type]
                      force_retry=ForceRetry(force_retry_count=1, force_retry_interval_milliseconds=1))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def verification(**fields: object) -> Verification:
    return Verification(**fields)  # type: ignore[arg-type]


async def sync(config: SyncConfig, source: InMemoryObjectStorage, target: InMemoryObjectStorage) -> SyncReport:
    return await run_sync(config, source, target, FakeClock(0.0), asyncio.Event())


def local(files: dict[str, bytes], mtime_ns: int = T0) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=FILE_TREE)
    for key, data in files.items():
        storage.seed(key, data, mtime_ns=mtime_ns)
    return storage


def warnings_text(report: SyncReport) -> str:
    return "\n".join(report.warnings)


# ---------------------------------------------------------------- local -> S3 uploads


@pytest.mark.parametrize(
    ("algorithm", "full_object"),
    # SHA has no full-object form (a config error), CRC64NVME no composite one.
    [(a, False) for a in Alg] + [(Alg.CRC32, True), (Alg.CRC32C, True)],
    ids=lambda v: v.value if isinstance(v, Alg) else ("full-object" if v else "default"),
)
async def test_upload_verifies_etag_and_checksum_of_every_layout(algorithm: Alg, full_object: bool) -> None:
    target = InMemoryObjectStorage(checksum_algorithm=algorithm, full_object_checksum=full_object)
    config = cfg(verification=verification(additional_checksum_algorithm=algorithm, full_object_checksum=full_object))

    report = await sync(config, local(FILES), target)

    assert report.stats.transferred_objects == 4
    assert report.stats.etag_verified == 4
    assert report.stats.checksum_verified == 4
    assert report.exit_code is ExitCode.SUCCESS
    over = target.objects["over"].checksum
    assert over is not None
    assert ("-" in over) is not checksums.uses_full_object(algorithm, full_object)
    assert target.objects["at"].e_tag.endswith('-2"')


async def test_disable_additional_checksum_verify_uploads_without_counting() -> None:
    target = InMemoryObjectStorage(checksum_algorithm=Alg.CRC32)
    config = cfg(verification=verification(additional_checksum_algorithm=Alg.CRC32,
                                            disable_additional_checksum_verify=True))

    report = await sync(config, local(FILES), target)

    assert report.stats.checksum_verified == 0 and report.stats.etag_verified == 4
    assert target.objects["over"].checksum is not None


@pytest.mark.parametrize("sse", ["aws:kms", "aws:kms:dsse"])
async def test_kms_target_makes_etag_unknown_but_checksums_still_verify(sse: str) -> None:
    target = InMemoryObjectStorage(checksum_algorithm=Alg.SHA256)
    config = cfg(verification=verification(additional_checksum_algorithm=Alg.SHA256),
                 encryption=EncryptionSettings(sse=sse))

    report = await sync(config, local(FILES), target)

    assert report.stats.etag_verified == 0
    assert report.stats.checksum_verified == 4
    assert report.stats.warnings == 0


# ---------------------------------------------------------------- S3 -> S3 copies


def s3_source(algorithm: Alg | None = None, **objects: tuple[bytes, list[int]]) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(checksum_algorithm=algorithm)
    for key, (data, parts) in objects.items():
        storage.seed(key, data, mtime_ns=T0, part_sizes=parts)
    return storage


async def test_s3_to_s3_rechunked_source_is_copied_in_its_own_parts() -> None:
    # Uploaded with 3-byte parts, where the configured 4-byte chunks would cut the same count: the copy is written
    # in the source's parts, so ETag and composite checksum both equal the source's.
    source = s3_source(Alg.SHA256, obj=(OVER, [3, 3, 3]))
    target = InMemoryObjectStorage(checksum_algorithm=Alg.SHA256)
    config = cfg(S3, S3, verification=verification(additional_checksum_algorithm=Alg.SHA256,
                                                   enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert report.stats.transferred_objects == 1
    assert report.stats.warnings == 0
    assert (report.stats.etag_verified, report.stats.checksum_verified) == (1, 1)
    assert target.objects["obj"].part_sizes == [3, 3, 3]
    assert target.objects["obj"].e_tag == source.objects["obj"].e_tag


@pytest.mark.parametrize(
    ("data", "parts"),
    [
        pytest.param(OVER, [3, 3, 3], id="same-count-as-configured"),
        pytest.param(b"x" * 13, [5, 5, 3], id="other-count"),
        pytest.param(OVER, [9], id="one-part-multipart"),
        pytest.param(OVER, [], id="single-put-over-threshold"),
    ],
)
async def test_s3_to_s3_copy_takes_the_source_layout_without_checksum_mode(data: bytes, parts: list[int]) -> None:
    source = s3_source(None, obj=(data, parts))
    target = InMemoryObjectStorage()

    report = await sync(cfg(S3, S3), source, target)

    assert report.stats.warnings == 0 and report.stats.etag_verified == 1
    assert target.objects["obj"].part_sizes == parts
    assert target.objects["obj"].e_tag == source.objects["obj"].e_tag
    assert target.data("obj") == data


async def test_s3_to_s3_source_that_cannot_tell_its_parts_warns_with_help() -> None:
    # Without part listings the configured layout is all there is: the mismatch is reported with its likely cause.
    source = InMemoryObjectStorage(features=dataclasses.replace(OBJECT_STORE, supports_parts=False))
    source.seed("obj", b"y" * 13, mtime_ns=T0, part_sizes=[5, 5, 3])
    target = InMemoryObjectStorage()

    report = await sync(cfg(S3, S3), source, target)

    assert report.stats.warnings == 1
    assert ETAG_MISMATCH_HELP_UPLOAD in warnings_text(report)


async def test_s3_to_s3_auto_chunksize_reproduces_the_source_parts() -> None:
    source = s3_source(Alg.SHA256, obj=(OVER, [3, 3, 3]), one=(SINGLE, [7]), plain=(SINGLE, []))
    target = InMemoryObjectStorage(checksum_algorithm=Alg.SHA256)
    config = cfg(S3, S3, transfer=dataclasses.replace(SMALL, auto_chunksize=True),
                 verification=verification(additional_checksum_algorithm=Alg.SHA256, enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert report.stats.warnings == 0
    assert report.stats.etag_verified == 3 and report.stats.checksum_verified == 3
    assert target.objects["obj"].part_sizes == [3, 3, 3]
    assert target.objects["one"].e_tag.endswith('-1"')  # a one-part multipart source stays "-1"
    assert target.objects["plain"].part_sizes == []  # a single-part source is one PutObject
    assert target.objects["obj"].e_tag == source.objects["obj"].e_tag


async def test_s3_to_s3_disable_multipart_verify_silences_rechunking() -> None:
    # A source that cannot tell its parts is re-cut in the configured layout: both values differ, and the option
    # makes that unknown instead of a mismatch.
    source = InMemoryObjectStorage(checksum_algorithm=Alg.SHA256,
                                   features=dataclasses.replace(OBJECT_STORE, supports_parts=False))
    source.seed("obj", OVER, mtime_ns=T0, part_sizes=[3, 3, 3])
    target = InMemoryObjectStorage(checksum_algorithm=Alg.SHA256)
    config = cfg(S3, S3, verification=verification(additional_checksum_algorithm=Alg.SHA256,
                                                   enable_additional_checksum=True, disable_multipart_verify=True))

    report = await sync(config, source, target)

    assert report.stats.warnings == 0
    assert report.stats.etag_verified == 0 and report.stats.checksum_verified == 0


async def test_s3_to_s3_source_without_checksum_warns_and_skips_verification() -> None:
    source = s3_source(None, obj=(SINGLE, []))
    target = InMemoryObjectStorage(checksum_algorithm=Alg.CRC32C)
    config = cfg(S3, S3, verification=verification(additional_checksum_algorithm=Alg.CRC32C,
                                                   enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert report.stats.transferred_objects == 1
    assert report.stats.warnings == 1 and CHECKSUM_SOURCE_MISSING in warnings_text(report)
    assert report.stats.checksum_verified == 0 and report.stats.etag_verified == 1


async def test_s3_to_s3_without_checksum_mode_does_not_compare_checksums() -> None:
    source = s3_source(Alg.CRC32C, obj=(SINGLE, []))
    target = InMemoryObjectStorage(checksum_algorithm=Alg.CRC32C)
    config = cfg(S3, S3, verification=verification(additional_checksum_algorithm=Alg.CRC32C))

    report = await sync(config, source, target)

    assert report.stats.checksum_verified == 0 and report.stats.warnings == 0


async def test_auto_chunksize_multipart_etag_without_parts_is_a_hard_error() -> None:
    source = InMemoryObjectStorage()
    source.seed("obj", OVER, mtime_ns=T0, e_tag='"0123456789abcdef0123456789abcdef-3"')
    target = InMemoryObjectStorage()
    config = cfg(S3, S3, transfer=dataclasses.replace(SMALL, auto_chunksize=True))

    report = await sync(config, source, target)

    assert report.stats.errors == 1
    assert report.exit_code is ExitCode.ERROR
    assert "obj" not in target.objects


# ---------------------------------------------------------------- S3 -> local downloads


@pytest.mark.parametrize(
    ("algorithm", "data", "parts"),
    [
        pytest.param(Alg.SHA256, OVER, [3, 3, 3], id="sha256-composite-other-chunks"),
        pytest.param(Alg.CRC32C, OVER, [4, 4, 1], id="crc32c-composite"),
        pytest.param(Alg.SHA1, SINGLE, [], id="sha1-single"),
        pytest.param(Alg.CRC32, b"", [], id="crc32-empty"),
        pytest.param(Alg.SHA256, AT_THRESHOLD, [8], id="sha256-one-part-multipart"),
        pytest.param(Alg.CRC64NVME, OVER, [4, 4, 1], id="crc64nvme-full-object-config-chunks"),
    ],
)
async def test_download_verifies_checksum_and_etag(algorithm: Alg, data: bytes, parts: list[int]) -> None:
    source = s3_source(algorithm, obj=(data, parts))
    target = InMemoryObjectStorage(features=FILE_TREE)
    config = cfg(S3, LOCAL, verification=verification(enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert target.data("obj") == data
    assert report.stats.checksum_verified == 1
    assert report.stats.etag_verified == 1
    assert report.stats.warnings == 0


async def test_download_full_object_checksum_and_rechunked_etag_both_verify() -> None:
    # A full-object value lists no parts; the "-3" ETag looks like the configured layout but is not: the real parts
    # are learned before the file is refused, and it verifies.
    source = s3_source(Alg.CRC64NVME, obj=(OVER, [3, 3, 3]))
    target = InMemoryObjectStorage(features=FILE_TREE)
    target.seed("obj", b"old", mtime_ns=0)
    config = cfg(S3, LOCAL, verification=verification(enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert (report.stats.checksum_verified, report.stats.etag_verified) == (1, 1)
    assert report.stats.warnings == 0
    assert target.data("obj") == OVER


@pytest.mark.parametrize(
    ("data", "parts"),
    [
        pytest.param(OVER, [3, 3, 3], id="same-count-as-configured"),
        pytest.param(b"z" * 13, [5, 5, 3], id="other-count"),
        pytest.param(b"z" * 13, [6, 2, 5], id="uneven"),
        pytest.param(OVER, [9], id="one-part-multipart"),
        pytest.param(OVER, [], id="single-put-over-threshold"),
        pytest.param(AT_THRESHOLD, [], id="single-put-at-threshold"),
    ],
)
async def test_download_verifies_against_the_source_layout(data: bytes, parts: list[int]) -> None:
    source = s3_source(None, obj=(data, parts))
    target = InMemoryObjectStorage(features=FILE_TREE)

    report = await sync(cfg(S3, LOCAL), source, target)

    assert report.stats.warnings == 0 and report.stats.etag_verified == 1
    assert target.data("obj") == data


async def test_download_learns_parts_only_when_the_configured_layout_cannot_explain_the_etag() -> None:
    source = s3_source(None, ours=(OVER, [4, 4, 1]), plain=(OVER, []), other=(b"q" * 13, [5, 5, 3]))
    target = InMemoryObjectStorage(features=FILE_TREE)

    report = await sync(cfg(S3, LOCAL), source, target)

    assert report.stats.etag_verified == 3
    asked = {key for operation, key in source.calls if operation in {"parts", "attributes"}}
    assert asked == {"other"}


async def test_download_that_fails_against_its_real_layout_is_refused() -> None:
    # The stored ETag is of other bytes (a corrupted object): learning the real parts cannot make it verify.
    source = InMemoryObjectStorage()
    source.seed("obj", b"w" * 13, mtime_ns=T0, part_sizes=[5, 5, 3],
                e_tag='"0123456789abcdef0123456789abcdef-3"')
    target = InMemoryObjectStorage(features=FILE_TREE)
    target.seed("obj", b"previous", mtime_ns=0)

    report = await sync(cfg(S3, LOCAL), source, target)

    assert report.stats.warnings == 1 and "e_tag mismatch" in warnings_text(report)
    assert report.stats.etag_verified == 0
    assert target.data("obj") == b"previous"
    assert report.exit_code is ExitCode.WARNING


async def test_download_with_auto_chunksize_verifies_against_source_parts() -> None:
    source = s3_source(Alg.CRC64NVME, obj=(OVER, [3, 3, 3]))
    target = InMemoryObjectStorage(features=FILE_TREE)
    config = cfg(S3, LOCAL, transfer=dataclasses.replace(SMALL, auto_chunksize=True),
                 verification=verification(enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert report.stats.warnings == 0
    assert report.stats.etag_verified == 1 and report.stats.checksum_verified == 1
    assert target.data("obj") == OVER


async def test_corrupted_checksum_is_a_mismatch_and_keeps_the_local_file() -> None:
    source = InMemoryObjectStorage(checksum_algorithm=Alg.SHA256)
    source.seed("obj", SINGLE, mtime_ns=T0, checksum=checksums.encode(checksums.digest(Alg.SHA256, b"other")))
    target = InMemoryObjectStorage(features=FILE_TREE)
    target.seed("obj", b"previous", mtime_ns=0)
    config = cfg(S3, LOCAL, verification=verification(enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert report.stats.warnings == 1
    assert CHECKSUM_MISMATCH_DOWNLOAD in warnings_text(report)
    assert report.stats.etag_verified == 1 and report.stats.checksum_verified == 0
    assert target.data("obj") == b"previous"
    assert report.exit_code is ExitCode.WARNING


async def test_download_without_enable_additional_checksum_ignores_checksums() -> None:
    source = InMemoryObjectStorage(checksum_algorithm=Alg.SHA256)
    source.seed("obj", SINGLE, mtime_ns=T0, checksum="bogus")
    target = InMemoryObjectStorage(features=FILE_TREE)

    report = await sync(cfg(S3, LOCAL), source, target)

    assert report.stats.checksum_verified == 0 and report.stats.warnings == 0
    assert target.data("obj") == SINGLE


# ---------------------------------------------------------------- --auto-chunksize with ranged first GETs

MiB = 1024 * 1024
BIG = bytes(range(256)) * (24 * 1024) + b"tail"  # 6 MiB + 4 bytes: read in ranges
BIG_PARTS = [5 * MiB, len(BIG) - 5 * MiB]
AUTO_5MIB = Transfer(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, auto_chunksize=True)


class _WrongParts(InMemoryObjectStorage):
    """An S3 side whose part listing disagrees with its partNumber=1 HEAD (a broken server)."""

    async def get_object_parts(self, key: str, *, version_id: str | None = None) -> list[int]:
        return [MiB * 6, 4]


async def test_auto_chunksize_ranged_copy_uses_part_one_and_reproduces_the_parts() -> None:
    source = s3_source(Alg.CRC32, obj=(BIG, BIG_PARTS))
    target = InMemoryObjectStorage(checksum_algorithm=Alg.CRC32)
    config = cfg(S3, S3, transfer=AUTO_5MIB,
                 verification=verification(additional_checksum_algorithm=Alg.CRC32, enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert report.stats.warnings == 0 and report.stats.errors == 0
    assert report.stats.etag_verified == 1 and report.stats.checksum_verified == 1
    assert target.objects["obj"].part_sizes == BIG_PARTS
    assert target.objects["obj"].e_tag == source.objects["obj"].e_tag


async def test_auto_chunksize_first_part_size_mismatch_is_a_hard_error() -> None:
    source = _WrongParts()
    source.seed("obj", BIG, mtime_ns=T0, part_sizes=BIG_PARTS)
    target = InMemoryObjectStorage()
    config = cfg(S3, S3, transfer=AUTO_5MIB)

    report = await sync(config, source, target)

    assert report.stats.errors == 1 and report.exit_code is ExitCode.ERROR
    assert "object parts size does not match content length" in report.errors[0]
    assert "obj" not in target.objects


async def test_auto_chunksize_download_of_ranged_object_verifies() -> None:
    source = s3_source(Alg.SHA256, obj=(BIG, BIG_PARTS))
    target = InMemoryObjectStorage(features=FILE_TREE)
    config = cfg(S3, LOCAL, transfer=AUTO_5MIB,
                 verification=verification(enable_additional_checksum=True))

    report = await sync(config, source, target)

    assert target.data("obj") == BIG
    assert report.stats.etag_verified == 1 and report.stats.checksum_verified == 1
    assert report.stats.warnings == 0
