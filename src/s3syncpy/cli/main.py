"""`s3sync` entry point: parse, set up logging, run the sync with signal handling, report, exit.

Exit codes (the reference's exit codes, README, Differences 4-5): 0 success, 1 error, 2 invalid arguments (one `error: ...`
line on stderr and nothing else), 3 warnings, 130 interrupted (Ctrl-C / SIGTERM), 101 an unexpected exception
(a bug). This is the only module that calls sys.exit.

The final summary line: the reference draws it with indicatif, which renders on stderr and only when stderr is
a terminal, then writes a bare newline to stdout. We deliberately print the summary line itself to stdout
(stderr with --tracing-stderr) whether or not it is a terminal, so scripts and tests can read it. As in the
reference it is not printed with --show-no-progress or --json-tracing.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TextIO

import click

import s3syncpy
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.tracing import REPORT_LOGGER_NAME
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sharded_run import DEFAULT_SHARDS
from s3syncpy.cli.arguments import config_from_context, one_line
from s3syncpy.cli.command import build_command
from s3syncpy.cli.completion import answer_completion, completion_request
from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.logging_setup import LOGGER_NAME, SecretRedactor, configure_logging
from s3syncpy.cli.parsing import UiSettings, build_ui_settings
from s3syncpy.cli.progress import ProgressDisplay, progress_enabled
from s3syncpy.cli.worker_processes import WorkerLogging
from s3syncpy.domain.errors import ConfigError, S3SyncError
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.stats import summary_line, transfer_rates

Execute = Callable[[SyncConfig, asyncio.Event, SyncReport], Awaitable[None]]

_logger = logging.getLogger(f"{LOGGER_NAME}.cli")
_report_logger = logging.getLogger(REPORT_LOGGER_NAME)


def main() -> None:
    """Console-script entry point: run with sys.argv and exit with the run's exit code."""
    exit_process(run())


def exit_process(code: int) -> None:
    """End the process with `code`, skipping the interpreter's teardown when nothing is left to finish.

    Why: tearing down the loaded modules (botocore's S3 model among them) and collecting every object took about
    0.15 s after the last request, a fifth of an empty sync's wall time. Everything a run writes is closed when
    run() returns; the exit handlers still run and the standard streams are flushed. The ordinary exit is kept
    when a non-daemon thread is still alive (the interpreter would wait for it) or when lupa is loaded, which
    only a run with a Lua script does (Lua's io library writes through C stdio buffers, which only the ordinary
    exit flushes).
    """
    _flush_stdout()  # before either exit: a reader that is gone (`| head`) must not make it complain
    others_alive = any(
        thread is not threading.main_thread() and not thread.daemon and thread.is_alive()
        for thread in threading.enumerate()
    )
    if others_alive or "lupa" in sys.modules:
        sys.exit(code)
    atexit._run_exitfuncs()
    _flush_stdout()  # what the exit handlers printed
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def run(
    argv: Sequence[str] | None = None,
    *,
    execute: Execute | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run `s3sync` with the given arguments and return the process exit code (never raises).

    Args:
        argv: the arguments without the program name (default: sys.argv[1:]).
        execute: the sync runner (default: s3syncpy.bootstrap.sync); tests inject their own.
        environ: the environment whose AWS secrets are redacted from logs (default: os.environ). Option values
            from S3SYNC_* variables are read by click from os.environ.

    Returns:
        0, 1, 2, 3, 101 or 130.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        parsed = parse_command_line(arguments, os.environ if environ is None else environ)
    except KeyboardInterrupt:
        return ExitCode.CANCELLED
    if isinstance(parsed, int):
        return parsed
    config, ui = parsed
    log_stream = sys.stderr if ui.tracing_stderr else sys.stdout
    restore_logging = configure_logging(
        ui.log_level,
        stream=log_stream,
        json_format=ui.json_tracing,
        color=not ui.disable_color and not ui.json_tracing and _isatty(log_stream),
        secrets=ui.secrets,
        aws_sdk_tracing=ui.aws_sdk_tracing,
        span_events=ui.span_events_tracing,
    )
    try:
        return _run_sync(config, ui, execute, log_stream)
    finally:
        restore_logging()


def parse_command_line(
    arguments: Sequence[str], environ: Mapping[str, str]
) -> tuple[SyncConfig, UiSettings] | int:
    """Parse and validate the command line; report a bad argument as one `error:` line on stderr.

    Args:
        arguments: the arguments without the program name.
        environ: the environment whose AWS secrets are redacted from error messages.

    Returns:
        The config and the display settings, or an exit code when nothing is to be run (0 after --help or
        --version, 2 after an invalid argument).
    """
    command = build_command(_version)
    instruction = completion_request(environ)
    if instruction is not None:
        # A completion script called us for candidates: answer, run nothing.
        return answer_completion(command, instruction)
    try:
        ctx = command.make_context("s3sync", list(arguments))
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        _print_error(exc.format_message())
        return ExitCode.INVALID_ARGUMENTS
    ui = build_ui_settings(dict(ctx.params), environ)
    try:
        config = config_from_context(ctx, ui)
    except ConfigError as exc:
        _print_error(SecretRedactor(ui.secrets).redact(str(exc)))
        return ExitCode.INVALID_ARGUMENTS
    return config, ui


def _run_sync(config: SyncConfig, ui: UiSettings, execute: Execute | None, out: TextIO) -> int:
    redactor = SecretRedactor(ui.secrets)
    report = SyncReport(dry_run=config.dry_run)
    started = time.monotonic()
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(_run_async(config, ui, report, execute or _default_execute(ui)))
    except KeyboardInterrupt:
        # Only reachable where asyncio cannot install signal handlers: the run stopped, count it as cancelled.
        report.cancelled = True
    except ConfigError as exc:
        # Settings only checkable while building the run (e.g. a credentials profile) are usage errors.
        _print_error(redactor.redact(str(exc)))
        return ExitCode.INVALID_ARGUMENTS
    except S3SyncError as exc:
        _print_error(redactor.redact(str(exc)))
        return ExitCode.ERROR
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug must still exit cleanly with 101
        if ui.log_level >= LogLevel.DEBUG:
            sys.stderr.write(redactor.redact(traceback.format_exc()))
        message = redactor.redact(f"{type(exc).__name__}: {exc}")
        _print_error(f"internal error: {message} (this is a bug; rerun with -vv for the traceback)")
        return ExitCode.INTERNAL_ERROR
    if report.elapsed_secs <= 0:
        report.elapsed_secs = time.monotonic() - started
    _report_outcome(report, ui, out)
    return int(report.exit_code)


async def _run_async(config: SyncConfig, ui: UiSettings, report: SyncReport, execute: Execute) -> None:
    cancel = asyncio.Event()
    remove_handlers = _install_signal_handlers(asyncio.get_running_loop(), cancel)
    progress: ProgressDisplay | None = None
    progress_task: asyncio.Task[None] | None = None
    # A sharded run's counters arrive only with the shards' reports, at the end: a live line would show zeros.
    sharded = ui.dask_scheduler is not None or ui.dask_shards is not None
    if progress_enabled(
        stream=sys.stderr,
        show_no_progress=ui.show_no_progress or sharded,
        json_tracing=ui.json_tracing,
        log_level=ui.log_level,
    ):
        progress = ProgressDisplay(lambda: report.stats, sys.stderr, get_totals=lambda: report.totals)
        progress_task = asyncio.create_task(progress.run())
    try:
        await execute(config, cancel, report)
    finally:
        if progress_task is not None:
            progress_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await progress_task
        if progress is not None:
            progress.close()
        remove_handlers()
    if cancel.is_set():
        report.cancelled = True


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when it is installed (not on Windows), else None: asyncio's default loop.

    WHY: per small object most of our CPU is event-loop and transport work; uvloop's C loop and transports cut
    it by ~10-25% on 10 KiB objects. It stays optional because it has no Windows build.
    """
    try:
        import uvloop  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def _install_signal_handlers(loop: asyncio.AbstractEventLoop, cancel: asyncio.Event) -> Callable[[], None]:
    """SIGINT/SIGTERM set the cancel event (a graceful stop); a third signal exits at once with 130.

    The second one only says what the run is still doing: the stop is already under way, and what remains of it
    is the cleanup (aborting open multipart uploads, removing temp files). Exiting then would leave uploads open,
    which keep costing storage until a lifecycle rule removes them, so only a third signal skips it.
    """
    received = 0

    def on_signal() -> None:
        nonlocal received
        received += 1
        if received == 1:
            # The run logs the reference's "ctrl-c received, shutting down." when it sees the event.
            cancel.set()
            return
        if received == 2:
            _write_line(
                sys.stderr,
                "error: interrupted again; aborting open uploads and removing temp files before exiting "
                "(interrupt once more to exit at once, without cleanup)",
            )
            return
        _write_line(sys.stderr, "error: interrupted a third time; exiting without cleanup")
        os._exit(ExitCode.CANCELLED)

    signals = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGBREAK"):  # Windows: Ctrl-Break, and closing the console window
        signals.append(signal.SIGBREAK)
    installed: list[signal.Signals] = []
    previous: dict[signal.Signals, object] = {}
    for sig in signals:
        try:
            loop.add_signal_handler(sig, on_signal)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            # Windows' ProactorEventLoop has no add_signal_handler (NotImplementedError), or this is not the main
            # thread: fall back to a plain handler. It runs between bytecodes of the main thread and hands over
            # thread-safely; the loop wakes for it (asyncio points signal.set_wakeup_fd at its self-pipe).
            with contextlib.suppress(ValueError, OSError):
                previous[sig] = signal.signal(sig, lambda _s, _f: loop.call_soon_threadsafe(on_signal))

    def remove() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler)  # type: ignore[arg-type]

    return remove


def _report_outcome(report: SyncReport, ui: UiSettings, out: TextIO) -> None:
    """The `sync summary` INFO record, the summary line, and the failure notice (the reference's summary line and its exit codes).

    Report mode has neither the record nor the line: its REPORT_SUMMARY record takes their place.
    """
    stats, elapsed = report.stats, report.elapsed_secs
    if ui.report_mode:
        if not report.has_error and report.sync_status is not None:
            _report_logger.info("", extra={"fields": report.sync_status.record_fields()})
        _report_failure(report, elapsed)
        return
    byte_rate, object_rate = transfer_rates(stats, elapsed, report.dry_run)
    _logger.info(
        "sync summary",
        extra={
            "fields": {
                "transferred_byte": stats.transferred_bytes,
                "transferred_byte_per_sec": byte_rate,
                "transferred_object": stats.transferred_objects,
                "transferred_object_per_sec": object_rate,
                "etag_verified": stats.etag_verified,
                "checksum_verified": stats.checksum_verified,
                "deleted": stats.deleted,
                "skipped": stats.skipped,
                "error": stats.errors,
                "warning": stats.warnings,
                "duration_sec": round(elapsed, 6),
            }
        },
    )
    if not ui.show_no_progress and not ui.json_tracing:
        _write_line(out, summary_line(stats, elapsed, report.dry_run))
    _report_failure(report, elapsed)


def _report_failure(report: SyncReport, elapsed: float) -> None:
    if report.has_error:
        _logger.error("s3sync failed.", extra={"fields": {"duration_sec": round(elapsed, 6)}})
        # The reference's main returns Err, which Rust prints this way on stderr.
        _write_line(sys.stderr, "Error: s3sync failed.")


def _default_execute(ui: UiSettings) -> Execute:
    if ui.dask_scheduler is not None:
        return _distributed_execute(ui.dask_scheduler, ui.dask_shards or DEFAULT_SHARDS)
    if ui.dask_shards is not None:
        return _local_shards_execute(ui, ui.dask_shards)
    # Imported here so parsing, --help and the unit tests never load the adapters (botocore imports slowly).
    from s3syncpy.bootstrap import sync

    async def execute(config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
        await sync(config, cancel=cancel, report=report)

    return execute


def _distributed_execute(address: str, shards: int) -> Execute:
    """Run the sync as shards on the Dask scheduler at `address` (--dask-scheduler)."""
    from s3syncpy.distributed import sync_on_scheduler

    async def execute(config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
        report.absorb(await sync_on_scheduler(config, address, shards=shards, cancel=cancel))

    return execute


def _local_shards_execute(ui: UiSettings, shards: int) -> Execute:
    """Run the sync as shards on as many local worker processes (--dask-shards without --dask-scheduler)."""
    from s3syncpy.local_shards import WorkerOptions, sync

    log_stream = sys.stderr if ui.tracing_stderr else sys.stdout
    color = not ui.disable_color and not ui.json_tracing and _isatty(log_stream)
    options = WorkerOptions(setup=WorkerLogging.of(ui, color=color), loop_factory=_loop_factory())

    async def execute(config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
        report.absorb(await sync(config, shards=shards, cancel=cancel, options=options))

    return execute


def _version() -> str:
    return str(s3syncpy.__version__)


def _print_error(message: str) -> None:
    """Exactly one line on stderr: `error: <message>`."""
    _write_line(sys.stderr, f"error: {one_line(message)}")


def _write_line(stream: TextIO, line: str) -> None:
    with contextlib.suppress(BrokenPipeError):
        stream.write(line + "\n")
        stream.flush()


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def _flush_stdout() -> None:
    """Flush stdout now; if the reader is gone (`| head`), point it at /dev/null so exit does not complain."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
