"""SyncConfig.from_args: the command's parsing as a library call, with the command's one-line messages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import s3syncpy
from s3syncpy.cli.main import parse_command_line
from s3syncpy.domain.paths import LocalLocation, S3Location


@pytest.fixture(autouse=True)
def _no_s3sync_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in [name for name in os.environ if name.startswith("S3SYNC_")]:
        monkeypatch.delenv(name)


def test_the_config_is_the_one_the_command_would_run(tmp_path: Path) -> None:
    arguments = ["--delete", "--worker-size", "4", "--check-size", "--target-endpoint-url", "http://127.0.0.1:9",
                 "--target-profile", "backup", "--filter-larger-size", "1KiB", str(tmp_path), "s3://bucket/p/"]

    config = s3syncpy.SyncConfig.from_args(arguments)
    parsed = parse_command_line(arguments, {})

    assert not isinstance(parsed, int)
    assert config == parsed[0]
    assert config.deletion.delete and config.transfer.worker_size == 4 and config.update_check.check_size
    assert config.target_client.endpoint_url == "http://127.0.0.1:9"
    assert config.target_client.profile == "backup"
    assert config.filters.larger_size == 1024
    assert config.source == LocalLocation(str(tmp_path))
    assert config.target == S3Location("bucket", "p/")


def test_environment_variables_count_as_they_do_for_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S3SYNC_WORKER_SIZE", "3")
    monkeypatch.setenv("S3SYNC_TARGET", "s3://from-env/x/")

    config = s3syncpy.SyncConfig.from_args([str(tmp_path)])

    assert config.transfer.worker_size == 3
    assert config.target == S3Location("from-env", "x/")


def test_a_single_file_source_is_resolved_as_the_command_resolves_it(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_bytes(b"1")

    config = s3syncpy.SyncConfig.from_args([str(tmp_path / "one.txt"), "s3://bucket/"])

    assert config.source == LocalLocation(str(tmp_path), single_file="one.txt")


def test_output_options_are_accepted_and_change_nothing(tmp_path: Path) -> None:
    plain = s3syncpy.SyncConfig.from_args([str(tmp_path), "s3://bucket/"])
    noisy = s3syncpy.SyncConfig.from_args(["-vv", "--json-tracing", "--show-no-progress", str(tmp_path), "s3://bucket/"])

    assert plain == noisy


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["--worker-size", "many", "{tmp}", "s3://b/"], id="not-a-number"),
        pytest.param(["--no-such-option", "{tmp}", "s3://b/"], id="unknown-option"),
        pytest.param(["{tmp}"], id="missing-target"),
        pytest.param(["{tmp}", "{tmp}"], id="both-local"),
        pytest.param(["{tmp}/missing", "s3://b/"], id="missing-source"),
        pytest.param(["--delete-excluded", "{tmp}", "s3://b/"], id="rule-between-options"),
        pytest.param(["--target-endpoint-url", "not a url", "{tmp}", "s3://b/"], id="bad-endpoint"),
        pytest.param(["--dask-shards", "4", "--max-delete", "3", "--delete", "{tmp}", "s3://b/"],
                     id="local-shards-with-max-delete"),
        pytest.param(["--target-sse-c", "AES256", "--target-sse-c-key", "c2VjcmV0LXZhbHVl", "{tmp}", "s3://b/"],
                     id="secret-in-message"),
    ],
)
def test_an_invalid_argument_is_a_config_error_with_the_commands_line(
    arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    assert parse_command_line(arguments, {}) == 2
    printed = capsys.readouterr().err.removesuffix("\n")

    with pytest.raises(s3syncpy.ConfigError) as caught:
        s3syncpy.SyncConfig.from_args(arguments)

    assert f"error: {caught.value}" == printed
    assert "\n" not in str(caught.value)
    assert "c2VjcmV0LXZhbHVl" not in str(caught.value)


@pytest.mark.parametrize("flag", ["--help", "-h", "--version", "-V"])
def test_actions_that_print_are_refused_without_printing(flag: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(s3syncpy.ConfigError, match="describes no sync"):
        s3syncpy.SyncConfig.from_args([flag, str(tmp_path), "s3://b/"])

    assert capsys.readouterr() == ("", "")


def test_a_value_that_looks_like_an_action_is_a_value(tmp_path: Path) -> None:
    config = s3syncpy.SyncConfig.from_args(["--filter-include-regex", "--help", str(tmp_path), "s3://b/"])

    assert config.filters.include_regex is not None and config.filters.include_regex.pattern == "--help"


def test_from_args_returns_a_plain_config_that_replace_keeps(tmp_path: Path) -> None:
    config = s3syncpy.SyncConfig.from_args([str(tmp_path), "s3://b/"])

    assert dataclasses.replace(config, dry_run=True).dry_run
