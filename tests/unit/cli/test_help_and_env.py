"""--help, --version and environment variables of the `s3sync` command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from s3syncpy.cli.main import parse_command_line, run
from s3syncpy.cli.options import GROUPS, OPTION_SPECS, env_var_for


def test_help_lists_every_group_in_order_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    positions = [out.index(f"\n{group}:\n") for group in GROUPS]
    assert positions == sorted(positions)
    assert out.startswith("Usage: s3sync [OPTIONS] SOURCE TARGET")


def test_short_help_is_the_same_as_long_help(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--help"])
    long_help = capsys.readouterr().out
    assert run(["-h"]) == 0
    assert capsys.readouterr().out == long_help


def test_help_shows_env_names_defaults_and_value_names(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--help"])
    out = capsys.readouterr().out
    for spec in OPTION_SPECS:
        assert f"[env: {spec.envvar}=]" in out, spec.long
    assert "[env: S3SYNC_SOURCE=]" in out and "[env: S3SYNC_TARGET=]" in out
    assert "--worker-size <WORKER_SIZE>" in out
    # The two tags may be wrapped onto separate lines, but never split inside.
    assert re.search(r"\[env: S3SYNC_WORKER_SIZE=\]\s+\[default: 16\]", out)
    assert re.search(r"\[env: S3SYNC_MULTIPART_CHUNKSIZE=\]\s+\[default: 8MiB\]", out)
    assert "[default: 200000]" in out
    assert "--aws-max-attempts <max_attempts>" in out
    assert "-v, --verbose..." in out


def test_help_never_shows_an_env_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("S3SYNC_SOURCE_SECRET_ACCESS_KEY", "do-not-print-me")
    run(["--help"])
    assert "do-not-print-me" not in capsys.readouterr().out


def test_options_sit_in_the_reference_groups(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--help"])
    out = capsys.readouterr().out

    def section(name: str) -> str:
        start = out.index(f"\n{name}:\n")
        end = out.find("\n\n", start + 1)
        return out[start : end if end != -1 else len(out)]

    assert "--head-each-target" in section("Advanced")
    assert "--max-keys" in section("Advanced")
    assert "--disable-content-md5-header" in section("Advanced")
    assert "--disable-etag-verify" in section("Verification")
    assert "--delete " in section("Dangerous")
    assert "--json-tracing" in section("Tracing/Logging")
    assert "--tracing-stderr" in section("Tracing/Logging")
    assert "--connect-timeout-milliseconds" in section("Timeout Options")
    for option in ("--report-sync-status", "--report-metadata-sync-status", "--report-tagging-sync-status"):
        assert option in section("Reporting")
    assert "--aws-sdk-tracing" in section("Tracing/Logging")
    assert "--span-events-tracing" in section("Tracing/Logging")
    assert "--auto-complete-shell <SHELL>" in section("Advanced")


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([flag]) == 0
    captured = capsys.readouterr()
    assert re.fullmatch(r"s3sync \S+\n", captured.out)
    assert captured.err == ""


def test_env_var_names() -> None:
    assert env_var_for("--worker-size") == "S3SYNC_WORKER_SIZE"
    assert env_var_for("source") == "S3SYNC_SOURCE"
    assert {spec.envvar for spec in OPTION_SPECS} >= {
        "S3SYNC_DELETE",
        "S3SYNC_DRY_RUN",
        "S3SYNC_AWS_MAX_ATTEMPTS",
    }


def _parse(arguments: list[str]) -> object:
    return parse_command_line(arguments, {})


def test_prefixed_env_vars_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("S3SYNC_WORKER_SIZE", "7")
    monkeypatch.setenv("S3SYNC_DELETE", "true")
    monkeypatch.setenv("S3SYNC_SOURCE", str(tmp_path))
    monkeypatch.setenv("S3SYNC_TARGET", "s3://bucket/prefix/")
    monkeypatch.setenv("S3SYNC_FILTER_LARGER_SIZE", "1KiB")
    parsed = _parse([])
    assert isinstance(parsed, tuple)
    config, _ui = parsed
    assert config.transfer.worker_size == 7
    assert config.deletion.delete is True
    assert config.filters.larger_size == 1024
    assert str(config.target) == "s3://bucket/prefix/"


def test_command_line_wins_over_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("S3SYNC_WORKER_SIZE", "7")
    parsed = _parse(["--worker-size", "3", str(tmp_path), "s3://bucket"])
    assert isinstance(parsed, tuple)
    assert parsed[0].transfer.worker_size == 3


def test_bare_env_names_are_not_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The reference reads these; an unrelated DELETE=1 in a shell must not enable deletion (DECISIONS.md #1).
    for name, value in {
        "WORKER_SIZE": "7",
        "DELETE": "true",
        "DRY_RUN": "true",
        "SOURCE": "s3://x",
        "TARGET": "s3://y",
        "MAX_KEYS": "5",
        "AWS_MAX_ATTEMPTS": "3",
    }.items():
        monkeypatch.setenv(name, value)
    parsed = _parse([str(tmp_path), "s3://bucket"])
    assert isinstance(parsed, tuple)
    config, _ui = parsed
    assert config.transfer.worker_size == 16
    assert config.deletion.delete is False
    assert config.dry_run is False
    assert config.transfer.max_keys == 1000
    assert config.source_client.aws_max_attempts == 10


def test_bare_source_env_does_not_fill_a_missing_argument(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE", "/tmp")
    monkeypatch.setenv("TARGET", "s3://bucket")
    assert run([]) == 2
    assert capsys.readouterr().err == "error: Missing argument 'SOURCE'.\n"
