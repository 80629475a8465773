"""The tracing-style log formats, levels and secret redaction."""

from __future__ import annotations

import io
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.logging_setup import (
    TRACE,
    CompactFormatter,
    JsonFormatter,
    SecretRedactor,
    configure_logging,
    format_field_value,
    level_name,
    python_level,
)

CREATED = datetime(2025, 7, 11, 0, 48, 43, 946319, tzinfo=UTC).timestamp()
STAMP = "2025-07-11T00:48:43.946319Z"


def _record(
    msg: str,
    level: int = logging.INFO,
    fields: dict[str, Any] | None = None,
    args: Any = None,
    exc_info: Any = None,
) -> logging.LogRecord:
    record = logging.LogRecord("s3syncpy.pipeline", level, __file__, 1, msg, args, exc_info)
    record.created = CREATED
    if fields is not None:
        record.fields = fields
    return record


def test_compact_format_is_exact() -> None:
    record = _record("sync completed.", fields={"key": "30Mib.dat", "size": 31457280})
    assert CompactFormatter().format(record) == f'{STAMP}  INFO sync completed. key="30Mib.dat" size=31457280'


@pytest.mark.parametrize(
    ("level", "rendered"),
    [
        (logging.ERROR, "ERROR"),
        (logging.CRITICAL, "ERROR"),
        (logging.WARNING, " WARN"),
        (logging.INFO, " INFO"),
        (logging.DEBUG, "DEBUG"),
        (TRACE, "TRACE"),
    ],
    ids=["error", "critical", "warn", "info", "debug", "trace"],
)
def test_compact_level_is_right_aligned(level: int, rendered: str) -> None:
    assert CompactFormatter().format(_record("m", level)) == f"{STAMP} {rendered} m"


def test_compact_color_wraps_only_the_level() -> None:
    line = CompactFormatter(color=True).format(_record("m", logging.WARNING, {"k": 1}))
    assert line == f"{STAMP} \x1b[33m WARN\x1b[0m m k=1"


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("plain", '"plain"'),
        ('quo"te\\back', '"quo\\"te\\\\back"'),
        ("line\nbreak\ttab", '"line\\nbreak\\ttab"'),
        ("\x01", '"\\u{1}"'),
        ("日本語", '"日本語"'),
        (42, "42"),
        (1.5, "1.5"),
        (True, "true"),
        (False, "false"),
        (None, "None"),
    ],
    ids=["str", "escapes", "controls", "unicode-control", "unicode", "int", "float", "true", "false", "none"],
)
def test_field_values_render_like_rust(value: object, rendered: str) -> None:
    assert format_field_value(value) == rendered


def test_message_args_are_interpolated() -> None:
    assert (
        CompactFormatter().format(_record("deleted %d of %s", args=(3, "x")))
        == f"{STAMP}  INFO deleted 3 of x"
    )


def test_json_format_is_exact() -> None:
    record = _record("sync completed.", fields={"key": "30Mib.dat", "size": 31457280, "ok": True})
    line = JsonFormatter().format(record)
    assert line == (
        '{"timestamp":"2025-07-11T00:48:43.946319Z","level":"INFO",'
        '"fields":{"message":"sync completed.","key":"30Mib.dat","size":31457280,"ok":true}}'
    )


@pytest.mark.parametrize("level", [logging.WARNING, TRACE], ids=["warn", "trace"])
def test_json_level_names(level: int) -> None:
    assert json.loads(JsonFormatter().format(_record("m", level)))["level"] == level_name(level)
    assert level_name(logging.WARNING) == "WARN" and level_name(TRACE) == "TRACE"


def test_exceptions_are_appended() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    compact = CompactFormatter().format(_record("failed", logging.ERROR, exc_info=exc_info))
    assert compact.startswith(f"{STAMP} ERROR failed\nTraceback")
    assert compact.endswith("ValueError: boom")
    payload = json.loads(JsonFormatter().format(_record("failed", logging.ERROR, exc_info=exc_info)))
    assert payload["fields"]["exception"].endswith("ValueError: boom")


def test_redactor_replaces_secrets_everywhere() -> None:
    redactor = SecretRedactor(["SECRETKEY123", "tok", "TOKEN-ABC"])
    try:
        raise RuntimeError("signature for SECRETKEY123 failed")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = _record(
        "using %s and TOKEN-ABC",
        fields={"key": "x/SECRETKEY123", "n": 5, "obj": ["TOKEN-ABC"]},
        args=("SECRETKEY123",),
        exc_info=exc_info,
    )
    assert redactor.filter(record) is True
    line = CompactFormatter().format(record)
    assert "SECRETKEY123" not in line and "TOKEN-ABC" not in line
    assert line.startswith(f'{STAMP}  INFO using *** and *** key="x/***" n=5 obj="[\'***\']"\nTraceback')
    assert line.endswith("RuntimeError: signature for *** failed")


def test_redactor_ignores_too_short_values() -> None:
    # A 3-character "secret" would also match ordinary words.
    assert SecretRedactor(["tok"]).redact("token") == "token"


def test_redactor_prefers_the_longest_secret() -> None:
    assert SecretRedactor(["abcd", "abcdefgh"]).redact("xabcdefghx") == "x***x"


def _configured(level: LogLevel, **kwargs: Any) -> tuple[io.StringIO, Any]:
    stream = io.StringIO()
    restore = configure_logging(level, stream=stream, **kwargs)
    return stream, restore


def test_configure_logging_filters_by_level_and_restores() -> None:
    logger = logging.getLogger("s3syncpy.some.module")
    stream, restore = _configured(LogLevel.INFO)
    try:
        logger.debug("hidden")
        logger.info("shown", extra={"fields": {"n": 1}})
    finally:
        restore()
    logger.warning("after restore")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].endswith(" INFO shown n=1")


@pytest.mark.parametrize(
    ("level", "emitted"),
    [
        (LogLevel.OFF, []),
        (LogLevel.ERROR, ["ERROR"]),
        (LogLevel.WARN, ["ERROR", "WARN"]),
        (LogLevel.TRACE, ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"]),
    ],
    ids=["off", "error", "warn", "trace"],
)
def test_levels(level: LogLevel, emitted: list[str]) -> None:
    logger = logging.getLogger("s3syncpy")
    stream, restore = _configured(level)
    try:
        for levelno in (logging.ERROR, logging.WARNING, logging.INFO, logging.DEBUG, TRACE):
            logger.log(levelno, "m")
    finally:
        restore()
    assert [line.split()[1] for line in stream.getvalue().splitlines()] == emitted
    assert python_level(LogLevel.TRACE) == TRACE


def test_configure_logging_json_and_secrets() -> None:
    stream, restore = _configured(LogLevel.WARN, json_format=True, secrets=["wJalrXUtnFEMI/K7MDENG"])
    try:
        logging.getLogger("s3syncpy.adapters").warning(
            "bad key wJalrXUtnFEMI/K7MDENG", extra={"fields": {"k": "wJalrXUtnFEMI/K7MDENG"}}
        )
    finally:
        restore()
    payload = json.loads(stream.getvalue())
    assert payload["level"] == "WARN"
    assert payload["fields"] == {"message": "bad key ***", "k": "***"}


def test_broken_pipe_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    class Closed(io.StringIO):
        def write(self, _text: str) -> int:
            raise BrokenPipeError

    restore = configure_logging(LogLevel.WARN, stream=Closed())
    try:
        logging.getLogger("s3syncpy").warning("nobody listens")
    finally:
        restore()
    assert capsys.readouterr().err == ""


def test_a_record_without_message_shows_its_fields_after_the_level() -> None:
    record = _record("", fields={"name": "REPORT_SUMMARY", "not_found": 0})

    assert CompactFormatter().format(record) == f'{STAMP}  INFO name="REPORT_SUMMARY" not_found=0'
    assert json.loads(JsonFormatter().format(record)) == {
        "timestamp": STAMP, "level": "INFO", "fields": {"name": "REPORT_SUMMARY", "not_found": 0}}


def test_the_logger_is_shown_as_the_target_when_asked() -> None:
    record = _record("sync completed.", fields={"key": "a"})

    assert CompactFormatter(show_target=True).format(record) == (
        f'{STAMP}  INFO s3syncpy.pipeline: sync completed. key="a"')
    assert list(json.loads(JsonFormatter(show_target=True).format(record))) == [
        "timestamp", "level", "fields", "target"]
    assert json.loads(JsonFormatter(show_target=True).format(record))["target"] == "s3syncpy.pipeline"


def test_sdk_records_reach_the_stream_only_with_aws_sdk_tracing() -> None:
    outputs = {}
    handlers_before = list(logging.getLogger("botocore").handlers)
    for enabled in (False, True):
        stream = io.StringIO()
        restore = configure_logging(LogLevel.DEBUG, stream=stream, aws_sdk_tracing=enabled, secrets=["s3cr3t-value"])
        try:
            logging.getLogger("botocore.endpoint").debug("headers %s", {"X-Amz-Security-Token": "tok-123456"})
            logging.getLogger("botocore.auth").debug("key s3cr3t-value")
        finally:
            restore()
        outputs[enabled] = stream.getvalue()

    assert outputs[False] == ""
    assert "botocore.endpoint: headers {'X-Amz-Security-Token': '***'}" in outputs[True]
    assert "botocore.auth: key ***" in outputs[True]
    assert "tok-123456" not in outputs[True]
    assert logging.getLogger("botocore").handlers == handlers_before  # restored


def test_span_records_pass_only_with_span_events() -> None:
    for enabled in (False, True):
        restore = configure_logging(LogLevel.DEBUG, stream=io.StringIO(), span_events=enabled)
        try:
            assert logging.getLogger("s3syncpy.span").isEnabledFor(logging.DEBUG) is enabled
        finally:
            restore()
