"""Logging for the CLI: the reference's tracing output (compact or JSON) on top of stdlib logging.

The application logs through the logger "s3syncpy" and its children, with structured fields passed as
`extra={"fields": {...}}`. The CLI installs one handler on "s3syncpy" that renders a record like Rust's
tracing-subscriber does, so the reference's documented pipelines (`| jq`, grep on `sync completed.`) keep
working:

    compact: 2025-07-11T00:48:43.946319Z  INFO sync completed. key="30Mib.dat" size=31457280
    JSON:    {"timestamp":"2025-07-11T00:48:43.946319Z","level":"INFO",
              "fields":{"message":"sync completed.","key":"30Mib.dat","size":31457280}}   (one line)

A filter on that handler redacts secret values (secret access keys, session tokens) from every record, in case
something (an SDK error message, a repr) echoes them.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from s3syncpy.application.run.tracing import SPAN_LOGGER_NAME
from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.sdk_tracing import REDACTED, SDK_LOGGER_NAMES, SecretHeaderRedactor

LOGGER_NAME = "s3syncpy"
TRACE = 5  # below DEBUG, like tracing's TRACE level (-vvv)

_PYTHON_LEVELS: dict[LogLevel, int] = {
    LogLevel.OFF: logging.CRITICAL + 10,
    LogLevel.ERROR: logging.ERROR,
    LogLevel.WARN: logging.WARNING,
    LogLevel.INFO: logging.INFO,
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.TRACE: TRACE,
}

# tracing's level colours (its ANSI compact format); only the level is coloured.
_COLOURS = {
    "TRACE": "\x1b[35m",
    "DEBUG": "\x1b[34m",
    "INFO": "\x1b[32m",
    "WARN": "\x1b[33m",
    "ERROR": "\x1b[31m",
}
_RESET = "\x1b[0m"


# Shorter values would also match ordinary words and make every log line unreadable; real AWS secrets are 40+.
MIN_SECRET_LENGTH = 4


def python_level(level: LogLevel) -> int:
    """The stdlib logging level for a CLI verbosity (OFF is above CRITICAL, so nothing passes)."""
    return _PYTHON_LEVELS[level]


def level_name(levelno: int) -> str:
    """tracing's name for a stdlib level: TRACE, DEBUG, INFO, WARN or ERROR (CRITICAL counts as ERROR)."""
    if levelno >= logging.ERROR:
        return "ERROR"
    if levelno >= logging.WARNING:
        return "WARN"
    if levelno >= logging.INFO:
        return "INFO"
    if levelno >= logging.DEBUG:
        return "DEBUG"
    return "TRACE"


def format_timestamp(created: float) -> str:
    """UTC with microseconds and a Z, as tracing-subscriber prints it: `2025-07-11T00:48:43.946319Z`."""
    return datetime.fromtimestamp(created, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _debug_str(text: str) -> str:
    """Rust's Debug rendering of a string: double quotes, with quotes, backslashes and controls escaped."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_field_value(value: object) -> str:
    """A field as tracing's compact format shows it: strings quoted, numbers and booleans bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "None"
    return _debug_str(value if isinstance(value, str) else str(value))


def _fields(record: logging.LogRecord) -> Mapping[str, Any]:
    fields = getattr(record, "fields", None)
    return fields if isinstance(fields, Mapping) else {}


class CompactFormatter(logging.Formatter):
    """`<timestamp> <LEVEL> [<target>:] <message> key=value ...`, the level right-aligned in five columns.

    A record without a message (the report's records) shows its fields right after the level, as tracing does.
    """

    def __init__(self, *, color: bool = False, show_target: bool = False) -> None:
        super().__init__()
        self._color = color
        self._show_target = show_target

    def format(self, record: logging.LogRecord) -> str:
        level = f"{level_name(record.levelno):>5}"
        if self._color:
            level = f"{_COLOURS[level.strip()]}{level}{_RESET}"
        parts = [format_timestamp(record.created), level]
        if self._show_target:
            parts.append(f"{record.name}:")
        message = record.getMessage()
        if message:
            parts.append(message)
        parts.extend(f"{key}={format_field_value(value)}" for key, value in _fields(record).items())
        line = " ".join(parts)
        exc_text = _exception_text(self, record)
        return f"{line}\n{exc_text}" if exc_text else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: {"timestamp", "level", "fields": {"message", ...fields}[, "target"]}.

    "message" is left out of a record without one (the report's records), as tracing does.
    """

    def __init__(self, *, show_target: bool = False) -> None:
        super().__init__()
        self._show_target = show_target

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        fields: dict[str, Any] = {"message": message} if message else {}
        fields.update(_fields(record))
        exc_text = _exception_text(self, record)
        if exc_text:
            fields["exception"] = exc_text
        payload: dict[str, Any] = {
            "timestamp": format_timestamp(record.created),
            "level": level_name(record.levelno),
            "fields": fields,
        }
        if self._show_target:
            payload["target"] = record.name
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    text = record.exc_text or ""
    if record.stack_info:
        text = (
            f"{text}\n{formatter.formatStack(record.stack_info)}"
            if text
            else formatter.formatStack(record.stack_info)
        )
    return text


class SecretRedactor(logging.Filter):
    """Replaces every known secret value in a record (message, fields, exception text) with `***`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        unique = {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH}
        self._secrets = sorted(unique, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with every secret replaced by `***`."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def _redact_value(self, value: object) -> object:
        if isinstance(value, bool | int | float) or value is None:
            return value
        text = value if isinstance(value, str) else str(value)
        redacted = self.redact(text)
        return value if redacted == text and not isinstance(value, str) else redacted

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        if not self._secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            record.fields = {key: self._redact_value(value) for key, value in fields.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class _TracingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Stays silent once the reader is gone (`s3sync ... | head`), as the reference does."""

    def handleError(self, record: logging.LogRecord) -> None:
        if isinstance(sys.exc_info()[1], BrokenPipeError):
            return
        super().handleError(record)


def configure_logging(
    level: LogLevel,
    *,
    stream: TextIO,
    json_format: bool = False,
    color: bool = False,
    secrets: Iterable[str] = (),
    aws_sdk_tracing: bool = False,
    span_events: bool = False,
) -> Callable[[], None]:
    """Install the tracing-style handler on the "s3syncpy" logger (and on the SDK's loggers with --aws-sdk-tracing).

    Args:
        level: the CLI verbosity.
        stream: where log lines go (stdout, or stderr with --tracing-stderr).
        json_format: one JSON object per line instead of the compact format.
        color: colour the level with ANSI codes (the caller decides: a TTY and no --disable-color-tracing).
        secrets: values to redact from every record.
        aws_sdk_tracing: also write botocore's and aiobotocore's records at this level, secrets redacted; every
            record then names its logger (the reference shows tracing targets in this mode).
        span_events: write the span events of S3 requests ("new", "close"; DEBUG records).

    Returns:
        A function that removes the handlers and restores the loggers' previous settings.
    """
    logging.addLevelName(TRACE, "TRACE")
    formatter: logging.Formatter = (
        JsonFormatter(show_target=aws_sdk_tracing)
        if json_format
        else CompactFormatter(color=color and not json_format, show_target=aws_sdk_tracing)
    )
    redactor = SecretRedactor(secrets)
    handler = _TracingHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(redactor)
    restores = [_attach(logging.getLogger(LOGGER_NAME), handler, python_level(level))]
    # Span events are off unless asked for: the adapters then skip them at the cost of one level check.
    restores.append(_set_level(logging.getLogger(SPAN_LOGGER_NAME), python_level(level if span_events else
                                                                                       LogLevel.OFF)))
    if aws_sdk_tracing:
        sdk_handler = _TracingHandler(stream)
        sdk_handler.setFormatter(formatter)
        sdk_handler.addFilter(SecretHeaderRedactor())
        sdk_handler.addFilter(redactor)
        restores.extend(
            _attach(logging.getLogger(name), sdk_handler, python_level(level)) for name in SDK_LOGGER_NAMES
        )

    def restore() -> None:
        for undo in reversed(restores):
            undo()

    return restore


def _attach(logger: logging.Logger, handler: logging.Handler, level: int) -> Callable[[], None]:
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(level)
    # The CLI owns the output format; records must not also reach a root handler someone else configured.
    logger.propagate = False

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate

    return restore


def _set_level(logger: logging.Logger, level: int) -> Callable[[], None]:
    previous = logger.level
    logger.setLevel(level)
    return lambda: logger.setLevel(previous)
