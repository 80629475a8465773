"""main.run: the run around the sync (summary line, exit codes, errors, signals), with a fake `execute`."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.cli.main import run
from s3syncpy.domain.errors import ConfigError, StorageError
from s3syncpy.domain.stats import SyncStats, summary_line

Execute = Callable[[SyncConfig, asyncio.Event, SyncReport], Awaitable[None]]

SUMMARY = (
    "30.00 MiB | 15.00 MiB/sec,  transferred   1 objects | 0 objects/sec,  "
    "etag verified 1 objects,  checksum verified 0 objects,  deleted 0 objects,  skipped 0 objects,  "
    "error 0 objects, warning 0 objects,  "
    "duration 2 seconds"
)


def _fake(
    *, warnings: int = 0, errors: list[str] | None = None, elapsed: float = 2.0, log: str | None = None
) -> tuple[Execute, list[SyncConfig]]:
    seen: list[SyncConfig] = []

    async def execute(config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
        seen.append(config)
        report.stats.transferred_bytes = 31457280
        report.stats.transferred_objects = 1
        report.stats.etag_verified = 1
        report.stats.warnings = warnings
        report.errors.extend(errors or [])
        report.elapsed_secs = elapsed
        if log is not None:
            logging.getLogger("s3syncpy.pipeline").warning(log, extra={"fields": {"key": log}})

    return execute, seen


def _args(tmp_path: Path, *extra: str) -> list[str]:
    return [str(tmp_path), "s3://bucket/prefix/", *extra]


def test_success_prints_the_summary_line_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    execute, seen = _fake()
    assert run(_args(tmp_path), execute=execute) == 0
    captured = capsys.readouterr()
    assert captured.out == SUMMARY + "\n"
    assert captured.err == ""
    assert seen[0].transfer.worker_size == 16


def test_summary_line_is_the_domain_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, _ = _fake()
    run(_args(tmp_path), execute=execute)
    stats = SyncStats(transferred_bytes=31457280, transferred_objects=1, etag_verified=1)
    assert capsys.readouterr().out.rstrip("\n") == summary_line(stats, 2.0, False)


def test_tracing_stderr_moves_logs_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, _ = _fake(log="careful")
    assert run(_args(tmp_path, "--tracing-stderr"), execute=execute) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0].endswith(' WARN careful key="careful"')
    assert lines[1] == SUMMARY


def test_logs_go_to_stdout_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, _ = _fake(log="careful")
    run(_args(tmp_path), execute=execute)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(' WARN careful key="careful"') and lines[1] == SUMMARY


@pytest.mark.parametrize("flag", ["--show-no-progress", "--json-tracing"])
def test_no_summary_line(flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, _ = _fake()
    assert run(_args(tmp_path, flag), execute=execute) == 0
    assert capsys.readouterr().out == ""


def test_verbose_logs_the_sync_summary_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, _ = _fake()
    run(_args(tmp_path, "-v", "--json-tracing"), execute=execute)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    summary = next(r for r in records if r["fields"]["message"] == "sync summary")
    assert summary["level"] == "INFO"
    assert summary["fields"]["transferred_byte"] == 31457280
    assert summary["fields"]["transferred_byte_per_sec"] == 15728640
    assert summary["fields"]["etag_verified"] == 1 and summary["fields"]["duration_sec"] == 2.0


def test_dry_run_summary_has_zero_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, seen = _fake()
    run(_args(tmp_path, "--dry-run"), execute=execute)
    assert seen[0].dry_run is True
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.startswith("30.00 MiB | 0 B/sec,  transferred   1 objects | 0 objects/sec,")


def test_warning_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, _ = _fake(warnings=1)
    assert run(_args(tmp_path), execute=execute) == 3
    assert "warning 1 objects" in capsys.readouterr().out


def test_error_exits_1_with_the_reference_notice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, _ = _fake(errors=["listing failed"])
    assert run(_args(tmp_path), execute=execute) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines()[-1] == "Error: s3sync failed."
    assert " ERROR s3sync failed. duration_sec=2.0" in captured.out


def test_config_error_during_the_run_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async def execute(_config: SyncConfig, _cancel: asyncio.Event, _report: SyncReport) -> None:
        raise ConfigError("the profile 'nope' does not exist")

    assert run(_args(tmp_path), execute=execute) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: the profile 'nope' does not exist\n" and captured.out == ""


def test_storage_error_escaping_the_run_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async def execute(_config: SyncConfig, _cancel: asyncio.Event, _report: SyncReport) -> None:
        raise StorageError("could not reach the endpoint")

    assert run(_args(tmp_path), execute=execute) == 1
    assert capsys.readouterr().err == "error: could not reach the endpoint\n"


async def _crash(_config: SyncConfig, _cancel: asyncio.Event, _report: SyncReport) -> None:
    raise KeyError("secret-value-123 missing\nsecond line")


def test_internal_error_is_one_line_and_exit_101(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(_args(tmp_path, "--target-secret-access-key", "secret-value-123"), execute=_crash)
    assert code == 101
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: internal error: KeyError: '*** missing\\nsecond line' "
        "(this is a bug; rerun with -vv for the traceback)\n"
    )


def test_internal_error_with_vv_prints_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(_args(tmp_path, "-vv", "--target-secret-access-key", "secret-value-123"), execute=_crash)
    assert code == 101
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "secret-value-123" not in err
    assert err.splitlines()[-1].startswith("error: internal error: KeyError:")


def test_secrets_never_reach_the_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    execute, _ = _fake(log="oops AKIA-secret-0123456789")
    run(_args(tmp_path, "--source-secret-access-key", "AKIA-secret-0123456789"), execute=execute)
    out = capsys.readouterr().out
    assert "AKIA-secret-0123456789" not in out
    assert 'WARN oops *** key="oops ***"' in out


def test_a_file_source_runs_as_a_single_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("x")
    execute, seen = _fake()
    assert run([str(tmp_path / "README.md"), "s3://bucket/", "--show-no-progress"], execute=execute) == 0
    assert seen[0].source.single_file == "README.md"  # type: ignore[union-attr]


def test_sigint_sets_the_cancel_event_and_exits_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def execute(_config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.wait_for(cancel.wait(), timeout=10)
        report.stats.skipped = 2

    assert run(_args(tmp_path, "-q"), execute=execute) == 130
    assert "skipped 2 objects" in capsys.readouterr().out


def test_sigterm_also_cancels(tmp_path: Path) -> None:
    async def execute(_config: SyncConfig, cancel: asyncio.Event, _report: SyncReport) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(cancel.wait(), timeout=10)

    assert run(_args(tmp_path, "--show-no-progress", "-q"), execute=execute) == 130


def test_signal_handlers_are_removed_after_the_run(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGINT)
    execute, _ = _fake()
    run(_args(tmp_path, "--show-no-progress"), execute=execute)
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_without_loop_signal_handlers_plain_handlers_cancel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sig: signal.Signals
) -> None:
    # As on Windows, whose ProactorEventLoop raises NotImplementedError here: main falls back to signal.signal.
    def unsupported(*_args: object) -> None:
        raise NotImplementedError

    # Windows has no uvloop either: asyncio's own loop, whose handler registration is made to fail.
    monkeypatch.setattr("s3syncpy.cli.main._loop_factory", lambda: None)
    monkeypatch.setattr(asyncio.SelectorEventLoop, "add_signal_handler", unsupported)
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    seen: list[object] = []

    async def execute(_config: SyncConfig, cancel: asyncio.Event, _report: SyncReport) -> None:
        seen.append(signal.getsignal(sig))
        os.kill(os.getpid(), sig)
        await asyncio.wait_for(cancel.wait(), timeout=10)

    assert run(_args(tmp_path, "--show-no-progress", "-q"), execute=execute) == 130
    # The fallback's own handler was in place (the loop's would be asyncio's _sighandler_noop).
    assert "_install_signal_handlers" in getattr(seen[0], "__qualname__", "")
    assert {s: signal.getsignal(s) for s in before} == before


def test_elapsed_is_measured_when_execute_leaves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    execute, _ = _fake(elapsed=0.0)
    run(_args(tmp_path), execute=execute)
    assert capsys.readouterr().out.rstrip().endswith("duration 0 seconds")


@pytest.mark.parametrize(("signals", "exits"), [(2, []), (3, [130])], ids=["second-waits", "third-exits"])
def test_a_second_signal_lets_the_cleanup_finish_and_a_third_exits_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], signals: int,
    exits: list[int]
) -> None:
    exited: list[int] = []
    monkeypatch.setattr(os, "_exit", exited.append)
    cleaned: list[bool] = []

    async def execute(_config: SyncConfig, cancel: asyncio.Event, _report: SyncReport) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.wait_for(cancel.wait(), timeout=10)
        for _ in range(signals - 1):  # the user keeps pressing Ctrl-C while uploads are being aborted
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.sleep(0.05)
        cleaned.append(True)

    assert run(_args(tmp_path, "--show-no-progress", "-q"), execute=execute) == 130
    assert cleaned == [True]
    assert exited == exits
    err = capsys.readouterr().err
    assert "error: interrupted again; aborting open uploads and removing temp files before exiting" in err


def test_report_mode_logs_the_summary_instead_of_the_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    from s3syncpy.domain.sync_report import ReportSummary

    async def execute(config: Any, cancel: Any, report: Any) -> None:
        report.sync_status = ReportSummary(number_of_objects=1, not_found=1)

    code = run(["--report-sync-status", "--show-no-progress", "s3://a/", "s3://b/"], execute=execute, environ={})
    failing = run(["--report-sync-status", "s3://a/", "s3://b/"], execute=_failing_report, environ={})

    out = capsys.readouterr().out.splitlines()
    assert code == 3
    assert failing == 1
    summaries = [line for line in out if "REPORT_SUMMARY" in line]
    assert len(summaries) == 1
    assert summaries[0].endswith(' INFO name="REPORT_SUMMARY" number_of_objects=1 etag_matches=0 checksum_matches=0 '
                                 "metadata_matches=0 tagging_matches=0 not_found=1 etag_mismatch=0 "
                                 "checksum_mismatch=0 metadata_mismatch=0 tagging_mismatch=0 etag_unknown=0 "
                                 "checksum_unknown=0")
    assert not [line for line in out if "sync summary" in line or "transferred" in line]


async def _failing_report(config: Any, cancel: Any, report: Any) -> None:
    from s3syncpy.domain.sync_report import ReportSummary

    report.sync_status = ReportSummary(number_of_objects=1)
    report.errors.append("head_object() failed.")
