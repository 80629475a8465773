"""build_config / resolve_source / build_ui_settings: options land in the right SyncConfig fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.options import default_values
from s3syncpy.cli.parsing import build_config, build_ui_settings, effective_log_level, resolve_source
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.etag import MiB
from s3syncpy.domain.paths import LocalLocation, S3Location


def _values(**overrides: Any) -> dict[str, Any]:
    return {"source": "/data/in", "target": "s3://bucket/prefix/", **overrides}


def test_defaults_match_the_reference() -> None:
    config = build_config(_values())
    assert config.source == LocalLocation(path="/data/in")
    assert config.target == S3Location(bucket="bucket", prefix="prefix/")
    assert config.transfer.worker_size == 16
    assert config.transfer.max_parallel_uploads == 16
    assert config.transfer.max_keys == 1000
    assert config.transfer.object_listing_queue_size == 200_000
    assert config.transfer.multipart_threshold == 8 * MiB
    assert config.transfer.multipart_chunksize == 8 * MiB
    assert config.source_client == ClientSettings()
    assert config.target_client == ClientSettings()
    assert config.deletion.delete is False and config.deletion.max_delete is None
    assert config.dry_run is False


def test_default_values_cover_every_parameter() -> None:
    values = default_values()
    assert values["worker_size"] == 16
    # None: not given (the --auto-chunksize conflicts need to know); build_config applies 8MiB.
    assert values["multipart_threshold"] is None and values["multipart_chunksize"] is None
    assert values["source"] is None and values["delete"] is False and values["verbose"] == 0


def test_client_options_map_to_each_side() -> None:
    config = build_config(
        _values(
            source="s3://src-bucket/a",
            target="s3://dst-bucket/b",
            source_profile="sp",
            source_access_key="SAK",
            source_secret_access_key="source-secret",
            source_session_token="source-token",
            source_region="eu-west-1",
            source_endpoint_url="http://127.0.0.1:9000",
            source_force_path_style=True,
            target_profile="tp",
            target_access_key="TAK",
            target_secret_access_key="target-secret",
            target_session_token="target-token",
            target_region="ap-northeast-1",
            target_endpoint_url="http://127.0.0.1:9001",
            aws_config_file="/cfg",
            aws_shared_credentials_file="/creds",
            aws_max_attempts=4,
            initial_backoff_milliseconds=250,
            connect_timeout_milliseconds=1000,
            read_timeout_milliseconds=2000,
            operation_timeout_milliseconds=3000,
            operation_attempt_timeout_milliseconds=4000,
        )
    )
    shared: dict[str, Any] = {
        "aws_config_file": "/cfg",
        "aws_shared_credentials_file": "/creds",
        "aws_max_attempts": 4,
        "initial_backoff_milliseconds": 250,
        "connect_timeout_milliseconds": 1000,
        "read_timeout_milliseconds": 2000,
        "operation_timeout_milliseconds": 3000,
        "operation_attempt_timeout_milliseconds": 4000,
    }
    assert config.source_client == ClientSettings(
        profile="sp",
        access_key="SAK",
        secret_access_key="source-secret",
        session_token="source-token",
        region="eu-west-1",
        endpoint_url="http://127.0.0.1:9000",
        force_path_style=True,
        **shared,
    )
    assert config.target_client == ClientSettings(
        profile="tp",
        access_key="TAK",
        secret_access_key="target-secret",
        session_token="target-token",
        region="ap-northeast-1",
        endpoint_url="http://127.0.0.1:9001",
        force_path_style=False,
        **shared,
    )


def test_filters_are_parsed() -> None:
    config = build_config(
        _values(
            filter_mtime_before="2023-02-19T12:00:00Z",
            filter_mtime_after="2023-02-19T21:00:00.5+09:00",
            filter_smaller_size="1.5KiB",
            filter_larger_size="10KB",
            filter_include_regex=r"\.(jpg|png)$",
            filter_exclude_regex=r"^(?!keep/)tmp",
        )
    )
    filters = config.filters
    assert filters.mtime_before_ms == 1_676_808_000_000
    assert filters.mtime_after_ms == 1_676_808_000_500
    assert filters.smaller_size == 1536
    assert filters.larger_size == 10_000
    assert filters.include_regex is not None and filters.include_regex.search("a/b.png")
    assert filters.exclude_regex is not None and filters.exclude_regex.search("tmp1")
    assert not filters.exclude_regex.search("keep/tmp1")


def test_switches_map_to_their_fields() -> None:
    config = build_config(
        _values(
            remove_modified_filter=True,
            check_etag=True,
            head_each_target=True,
            disable_multipart_verify=True,
            disable_etag_verify=True,
            disable_content_md5_header=True,
            worker_size=4,
            max_parallel_uploads=2,
            object_listing_queue_size=10,
            max_keys=500,
            multipart_threshold="5MiB",
            multipart_chunksize="16MB",
            delete=True,
            max_delete=5,
            delete_excluded=True,
            dry_run=True,
            warn_as_error=True,
            ignore_symlinks=True,
            no_guess_mime_type=True,
        )
    )
    assert (config.update_check.remove_modified_filter, config.update_check.check_etag) == (True, True)
    assert config.update_check.head_each_target and not config.update_check.check_size
    assert config.verification.disable_multipart_verify
    assert config.verification.disable_etag_verify
    assert config.verification.disable_content_md5_header
    assert config.transfer.worker_size == 4 and config.transfer.max_parallel_uploads == 2
    assert config.transfer.object_listing_queue_size == 10 and config.transfer.max_keys == 500
    assert config.transfer.multipart_threshold == 5 * MiB
    assert config.transfer.multipart_chunksize == 16_000_000
    assert (config.deletion.delete, config.deletion.max_delete, config.deletion.delete_excluded) == (
        True,
        5,
        True,
    )
    assert config.dry_run and config.warn_as_error and config.ignore_symlinks and config.no_guess_mime_type


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"filter_smaller_size": "1XB"}, "invalid value for '--filter-smaller-size'"),
        ({"filter_mtime_after": "2023-02-19"}, "invalid value for '--filter-mtime-after'"),
        ({"filter_include_regex": "(?<"}, "invalid value for '--filter-include-regex'"),
        ({"multipart_threshold": "1MiB"}, "--multipart-threshold must be between 5MiB and 5GiB"),
        ({"target": "/tmp/out"}, "both are local paths"),
        ({"source": ""}, "invalid value '' for SOURCE"),
        ({"source": None}, "missing argument SOURCE"),
    ],
    ids=["size", "date", "regex", "threshold", "both-local", "empty-source", "no-source"],
)
def test_bad_values_raise_config_error(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_config(_values(**overrides))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_library_callers_may_pass_sizes_in_bytes() -> None:
    assert build_config(_values(multipart_chunksize=6 * MiB)).transfer.multipart_chunksize == 6 * MiB


def test_resolve_source_keeps_a_directory(tmp_path: Path) -> None:
    config = build_config(_values(source=str(tmp_path)))
    assert resolve_source(config).source == LocalLocation(path=str(tmp_path))


def test_resolve_source_turns_a_file_into_a_single_file_source(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hello")
    config = build_config(_values(source=str(tmp_path / "README.md")))
    assert resolve_source(config).source == LocalLocation(path=str(tmp_path), single_file="README.md")


def test_resolve_source_relative_file_gets_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("x")
    resolved = resolve_source(build_config(_values(source="a.txt")))
    assert resolved.source == LocalLocation(path=".", single_file="a.txt")


def test_resolve_source_rejects_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_source(build_config(_values(source=str(tmp_path / "nope"))))


def test_single_file_source_cannot_be_used_with_delete(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match="--delete requires SOURCE to be a directory"):
        resolve_source(build_config(_values(source=str(tmp_path / "f"), delete=True)))


def test_s3_source_is_not_resolved() -> None:
    config = build_config(_values(source="s3://b/p", target="/nonexistent/target"))
    assert resolve_source(config) is config


@pytest.mark.parametrize(
    ("verbose", "quiet", "dry_run", "expected"),
    [
        (0, 0, False, LogLevel.WARN),
        (1, 0, False, LogLevel.INFO),
        (2, 0, False, LogLevel.DEBUG),
        (3, 0, False, LogLevel.TRACE),
        (9, 0, False, LogLevel.TRACE),
        (0, 1, False, LogLevel.ERROR),
        (0, 2, False, LogLevel.OFF),
        (0, 5, False, LogLevel.OFF),
        (1, 1, False, LogLevel.WARN),
        (0, 0, True, LogLevel.INFO),
        (0, 2, True, LogLevel.INFO),
        (2, 0, True, LogLevel.DEBUG),
    ],
    ids=[
        "default",
        "v",
        "vv",
        "vvv",
        "many-v",
        "q",
        "qq",
        "many-q",
        "v-q",
        "dry-run",
        "dry-run-qq",
        "dry-run-vv",
    ],
)
def test_effective_log_level(verbose: int, quiet: int, dry_run: bool, expected: LogLevel) -> None:
    assert effective_log_level(verbose, quiet, dry_run) == expected


def test_ui_settings_collect_secrets() -> None:
    ui = build_ui_settings(
        _values(
            source_secret_access_key="s-secret",
            target_session_token="t-token",
            json_tracing=True,
            tracing_stderr=True,
            disable_color_tracing=True,
            show_no_progress=True,
            verbose=1,
        ),
        environ={"AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "", "HOME": "/root"},
    )
    assert ui.secrets == ("s-secret", "t-token", "env-secret")
    assert ui.json_tracing and ui.tracing_stderr and ui.disable_color and ui.show_no_progress
    assert ui.log_level == LogLevel.INFO
