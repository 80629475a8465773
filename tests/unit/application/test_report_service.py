"""run_report on the fakes: what is counted, what a directory tree cannot hold, failures, and that nothing is written."""

from __future__ import annotations

import asyncio
import logging

import pytest

from s3syncpy.application.pipeline.report_service import run_report
from s3syncpy.application.run.report import SyncReport, merge_reports
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import ReportSettings, SyncConfig
from s3syncpy.application.settings.sections import ForceRetry
from s3syncpy.domain.errors import TransientStorageError
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.paths import LocalLocation, S3Location
from s3syncpy.domain.sync_report import ReportSummary
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

REPORT = ReportSettings(sync_status=True)


async def _report(config: SyncConfig, source: InMemoryObjectStorage, target: InMemoryObjectStorage) -> SyncReport:
    run = RunContext(SyncReport(), warn_as_error=True)
    return await run_report(config, source, target, FakeClock(), asyncio.Event(), run=run)


def _records(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [r.fields for r in caplog.records if r.name == "s3syncpy.report"]  # type: ignore[attr-defined]


async def test_a_directory_tree_target_reports_traversal_keys_missing_and_skips_markers_with_bytes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = InMemoryObjectStorage()
    source.seed("../escape", b"x")
    source.seed("dir/", b"bytes in a marker")
    source.seed("same", b"1")
    target = InMemoryObjectStorage(features=FILE_TREE)
    target.seed("same", b"1")
    config = SyncConfig(source=S3Location("b", ""), target=LocalLocation("/dst"), report=REPORT)

    with caplog.at_level(logging.INFO, logger="s3syncpy"):
        report = await _report(config, source, target)

    by_key = {r.get("key"): r for r in _records(caplog)}
    assert (by_key["../escape"]["type"], by_key["../escape"]["status"]) == ("EXISTENCE", "NOT_FOUND")
    assert by_key["same"]["status"] == "MATCHES"
    assert "dir/" not in by_key
    assert any(r.levelname == "WARNING" and "incompatible object" in r.getMessage() for r in caplog.records)
    assert report.sync_status is not None and report.sync_status.number_of_objects == 2
    # A warning even though report mode treats warnings as errors: the reference exempts this one.
    assert report.warnings == ["object references a current/parent directory. key=../escape"]
    assert report.exit_code is ExitCode.WARNING
    assert all(operation not in ("put", "delete") for operation, _ in target.calls)


@pytest.mark.parametrize(
    ("failures", "expected", "records"),
    [(1, ExitCode.WARNING, ["SYNC_STATUS"]), (3, ExitCode.ERROR, [])],
    ids=["retried-then-reported", "retries-exhausted"],
)
async def test_a_transient_head_failure_is_force_retried(caplog: pytest.LogCaptureFixture, failures: int,
                                                         expected: ExitCode, records: list[str]) -> None:
    source = InMemoryObjectStorage()
    source.seed("k", b"1")
    target = InMemoryObjectStorage()
    target.seed("k", b"1")
    target.fail_on("head", "k", TransientStorageError("connection reset", operation="HeadObject", key="k"), failures)
    config = SyncConfig(source=S3Location("a", ""), target=S3Location("b", ""), report=REPORT,
                        force_retry=ForceRetry(force_retry_count=2, force_retry_interval_milliseconds=10))

    with caplog.at_level(logging.INFO, logger="s3syncpy"):
        report = await _report(config, source, target)

    assert report.exit_code is expected
    assert [r.get("name") for r in _records(caplog)] == records
    assert report.stats.warnings == min(failures, 2)  # each retry is a warning, as in the reference


async def test_the_counters_land_in_the_report(caplog: pytest.LogCaptureFixture) -> None:
    source = InMemoryObjectStorage()
    for key in ("a", "b", "c"):
        source.seed(key, key.encode())
    target = InMemoryObjectStorage()
    target.seed("a", b"a")
    target.seed("b", b"different")
    config = SyncConfig(source=S3Location("a", ""), target=S3Location("b", ""), report=REPORT)

    with caplog.at_level(logging.INFO, logger="s3syncpy"):
        report = await _report(config, source, target)

    assert report.sync_status == ReportSummary(number_of_objects=3, etag_matches=1, etag_mismatch=1, not_found=1)
    assert sorted(str(r["status"]) for r in _records(caplog)) == ["MATCHES", "MISMATCH", "NOT_FOUND"]
    assert report.exit_code is ExitCode.WARNING
    assert report.stats.warnings == 0  # differences set the flag through the counters, not as warnings


def test_shard_summaries_add_up() -> None:
    first = SyncReport(sync_status=ReportSummary(number_of_objects=2, etag_matches=2))
    second = SyncReport(sync_status=ReportSummary(number_of_objects=3, etag_matches=1, not_found=2))

    merged = merge_reports([first, second, SyncReport()], elapsed_secs=1.0)

    assert merged.sync_status == ReportSummary(number_of_objects=5, etag_matches=3, not_found=2)
    assert merged.has_warning
