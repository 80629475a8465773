"""Hostile command lines: whatever the values, `s3sync` accepts them or exits 2 with one `error:` line.

Every option that takes a value (sizes, dates, regexes, URLs, paths, checksum names, SSE keys, numbers), the two
positional arguments and the S3SYNC_* environment variables get hypothesis-generated values; the run goes through
the CLI's in-process entry `run(argv, execute=fake)`, so nothing is synced. An exception escaping the sync itself is
a bug: exit 101, one line, a hint (DECISIONS.md #5).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.cli.main import run
from s3syncpy.cli.options import OPTION_SPECS, OptionSpec

KEY = base64.b64encode(b"k" * 32).decode()
KEY_MD5 = base64.b64encode(hashlib.md5(b"k" * 32).digest()).decode()
HINT = "(this is a bug; rerun with -vv for the traceback)"

# Options that only make sense next to others: given with them, a value reaches its own validation.
COMPANIONS: dict[str, tuple[str, ...]] = {
    "--source-sse-c-key": ("--source-sse-c", "AES256"),
    "--source-sse-c-key-md5": ("--source-sse-c", "AES256", "--source-sse-c-key", KEY),
    "--target-sse-c-key": ("--target-sse-c", "AES256"),
    "--target-sse-c-key-md5": ("--target-sse-c", "AES256", "--target-sse-c-key", KEY),
    "--source-sse-c": ("--source-sse-c-key", KEY),
    "--target-sse-c": ("--target-sse-c-key", KEY),
    "--sse-kms-key-id": ("--sse", "aws:kms"),
    "--max-delete": ("--delete",),
}

# Values that reach deep into each parser, mixed with arbitrary text.
INTERESTING = [
    "",
    " ",
    "-",
    "--",
    "0",
    "-1",
    "1",
    "10",
    "32767",
    "32768",
    "99999999999999999999999",
    "1e3",
    "0x10",
    "NaN",
    "5MiB",
    "8MiB",
    "5GiB",
    "6GiB",
    "1KB",
    "1.5MiB",
    "-5MiB",
    "MiB",
    "5 MiB",
    "5mib",
    "5XB",
    "18446744073709551616",
    "2023-02-19T12:00:00Z",
    "2023-02-30T00:00:00Z",
    "2023-02-19T12:00:00+09:00",
    "2023-02-19",
    "9999-12-31T23:59:59Z",
    "yesterday",
    "(",
    "[a-",
    ".*",
    "(?P<x>a)",
    "\\",
    "(?<=a+)b",
    "a{99999999999}",
    "(?i)",
    "\\p{L}",
    "x" * 300,
    "CRC32",
    "CRC32C",
    "CRC64NVME",
    "SHA1",
    "SHA256",
    "crc32",
    "MD5",
    "AES256",
    "aws:kms",
    "aws:kms:dsse",
    "s3://",
    "s3://b",
    "s3://b/p",
    "s3://b//",
    "s3://b/%zz",
    "s3://arn:aws:s3::1:accesspoint/x",
    "http://",
    "http://127.0.0.1:9",
    "https://[::1",
    "ftp://x",
    "://",
    "/nonexistent/file",
    ".",
    "~",
    "é",
    "\u202e",
    KEY,
    KEY_MD5,
    base64.b64encode(b"short").decode(),
    "not base64!",
    "\t\n",
]

ARGV_TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=60)
VALUES = st.one_of(st.sampled_from(INTERESTING), ARGV_TEXT)

VALUE_OPTIONS: list[OptionSpec] = [spec for spec in OPTION_SPECS if spec.kind == "value"]
FLAG_OPTIONS: list[OptionSpec] = [spec for spec in OPTION_SPECS if spec.kind == "flag"]

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def _accept(config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
    """The sync stand-in: nothing to do, exit 0."""


@pytest.fixture(scope="module")
def source_dir() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="hostile-src-") as path:
        yield path


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(argv: list[str], execute: object = _accept) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(argv, execute=execute)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def _assert_accepted_or_usage_error(argv: list[str], code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err, (argv, err)
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        assert out == ""
    else:
        assert "error:" not in err, (argv, err)


@pytest.mark.parametrize("spec", VALUE_OPTIONS, ids=[spec.long for spec in VALUE_OPTIONS])
@SETTINGS
@given(
    value=VALUES, layout=st.sampled_from(["local-to-s3", "s3-to-local", "s3-to-s3"]), companions=st.booleans()
)
def test_any_option_value_is_accepted_or_one_error_line(
    spec: OptionSpec, value: str, layout: str, companions: bool, source_dir: str
) -> None:
    source = source_dir if layout == "local-to-s3" else "s3://source-bucket/prefix/"
    target = os.path.join(source_dir, "out") if layout == "s3-to-local" else "s3://target-bucket/prefix/"
    extra = list(COMPANIONS.get(spec.long, ())) if companions else []
    argv = [source, target, *extra, spec.long, value]
    code, out, err = _run(argv)
    _assert_accepted_or_usage_error(argv, code, out, err)


@SETTINGS
@given(source=ARGV_TEXT, target=ARGV_TEXT, s3_source=st.booleans(), s3_target=st.booleans())
@example(source="s3://b/..", target="../../etc", s3_source=False, s3_target=False)
@example(source="", target="", s3_source=False, s3_target=False)
def test_any_source_and_target_are_accepted_or_one_error_line(
    source: str, target: str, s3_source: bool, s3_target: bool
) -> None:
    argv = [f"s3://{source}" if s3_source else source, f"s3://{target}" if s3_target else target]
    code, out, err = _run(argv)
    _assert_accepted_or_usage_error(argv, code, out, err)


@pytest.mark.parametrize(
    "spec", [*FLAG_OPTIONS, *VALUE_OPTIONS], ids=[spec.long for spec in [*FLAG_OPTIONS, *VALUE_OPTIONS]]
)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
def test_any_environment_value_is_accepted_or_one_error_line(
    spec: OptionSpec, value: str, source_dir: str
) -> None:
    argv = [source_dir, "s3://bucket/prefix/"]
    with _environment({spec.envvar: value}):
        code, out, err = _run(argv)
    _assert_accepted_or_usage_error([f"{spec.envvar}={value!r}", *argv], code, out, err)


@SETTINGS
@given(
    error=st.sampled_from(
        [
            RuntimeError,
            KeyError,
            ValueError,
            TypeError,
            AssertionError,
            ZeroDivisionError,
            OSError,
            AttributeError,
            IndexError,
            RecursionError,
            NotImplementedError,
        ]
    ),
    message=st.text(max_size=80),
)
def test_an_unexpected_exception_exits_101_with_one_line_and_a_hint(
    error: type[Exception], message: str, source_dir: str
) -> None:
    async def raising(config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
        raise error(message)

    code, out, err = _run([source_dir, "s3://bucket/prefix/"], execute=raising)
    assert code == 101
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: internal error: {error.__name__}")
    assert lines[0].endswith(HINT)
    assert "Traceback" not in out + err


def test_an_exception_group_from_the_pipeline_is_an_internal_error_too(source_dir: str) -> None:
    async def raising(config: SyncConfig, cancel: asyncio.Event, report: SyncReport) -> None:
        raise ExceptionGroup("workers", [RuntimeError("one"), KeyError("two")])

    code, _, err = _run([source_dir, "s3://bucket/prefix/"], execute=raising)
    assert code == 101
    assert err.count("\n") == 1 and err.endswith(f"{HINT}\n")
