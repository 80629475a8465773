"""The command's side of a run on local worker processes (`--dask-shards N` without --dask-scheduler).

Each worker is a fresh interpreter: it logs nothing until told how. WorkerLogging carries the command's logging
settings there, so a worker's warnings, errors and -v records look exactly like the command's own and go to
the same stream (the workers inherit its stdout and stderr). The summary line stays the command's: it prints it
once, from the merged report.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.logging_setup import configure_logging
from s3syncpy.cli.parsing import UiSettings


@dataclass(frozen=True, slots=True)
class WorkerLogging:
    """The command's logging, installed in a worker process when called (picklable: it travels there).

    Attributes:
        level, json_format, color, secrets, aws_sdk_tracing, span_events: as configure_logging takes them.
        to_stderr: --tracing-stderr (the worker's stderr, else its stdout; both are the command's).
    """

    level: LogLevel
    json_format: bool
    color: bool
    secrets: tuple[str, ...]
    aws_sdk_tracing: bool
    span_events: bool
    to_stderr: bool

    @classmethod
    def of(cls, ui: UiSettings, *, color: bool) -> WorkerLogging:
        """The logging the command set up from `ui` (`color` as the command decided it for its stream)."""
        return cls(
            level=ui.log_level,
            json_format=ui.json_tracing,
            color=color,
            secrets=ui.secrets,
            aws_sdk_tracing=ui.aws_sdk_tracing,
            span_events=ui.span_events_tracing,
            to_stderr=ui.tracing_stderr,
        )

    def __call__(self) -> None:
        """Install the logging (once, at the start of the worker; the process's end removes it)."""
        configure_logging(
            self.level,
            stream=sys.stderr if self.to_stderr else sys.stdout,
            json_format=self.json_format,
            color=self.color,
            secrets=self.secrets,
            aws_sdk_tracing=self.aws_sdk_tracing,
            span_events=self.span_events,
        )
