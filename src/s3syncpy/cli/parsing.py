"""From parsed command-line values to a validated SyncConfig and the CLI's own display settings.

`build_config` is pure (no file-system access) so library callers and tests can use it with plain dicts;
`resolve_source` is the one step that looks at the disk (a local SOURCE must exist; a file becomes a
single-file source). Every bad value raises ConfigError with a one-line message, which main.py prints as
`error: <message>`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from s3syncpy.application.settings.config import ReportSettings, SyncConfig
from s3syncpy.application.settings.resume_settings import ResumeSettings
from s3syncpy.application.settings.scripting import DEFAULT_LUA_VM_MEMORY_LIMIT, LuaSettings
from s3syncpy.application.settings.sections import (
    DEFAULT_STALLED_STREAM_GRACE_MILLISECONDS,
    ClientSettings,
    Deletion,
    EncryptionSettings,
    ForceRetry,
    ListingParallelism,
    Transfer,
    UpdateCheck,
    Verification,
    Versioning,
)
from s3syncpy.application.settings.write_settings import ConditionalWrites, TaggingSettings
from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.options import default_values
from s3syncpy.cli.write_options import (
    content_filter_settings,
    header_options,
    rate_limit_settings,
    request_settings,
)
from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.etag import DEFAULT_CHUNKSIZE, DEFAULT_THRESHOLD
from s3syncpy.domain.filters import FilterSettings
from s3syncpy.domain.key_range import key_range_from_options
from s3syncpy.domain.model import ChecksumAlgorithm
from s3syncpy.domain.paths import InvalidLocationError, LocalLocation, StorageLocation, parse_location
from s3syncpy.domain.sizes import parse_human_bytes
from s3syncpy.domain.tagging import validated_tagging
from s3syncpy.domain.time_units import parse_duration_seconds
from s3syncpy.domain.timeparse import parse_rfc3339_to_ms

if TYPE_CHECKING:
    import regex

T = TypeVar("T")

# Variables botocore reads by itself; their values are secrets too and must never reach a log line.
AWS_SECRET_ENV_VARS: tuple[str, ...] = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


@dataclass(frozen=True, slots=True)
class UiSettings:
    """How the CLI talks to the user (not part of the sync itself).

    Attributes:
        log_level: the effective verbosity (default WARN; --dry-run forces at least INFO).
        json_tracing: one JSON object per log line, and no summary line.
        tracing_stderr: logs (and the summary line) go to stderr instead of stdout.
        disable_color: no ANSI colours even on a terminal.
        show_no_progress: neither the progress line nor the summary line.
        secrets: values that must be redacted from every log line and error message.
        report_mode: --report-sync-status: the report's records replace the summary line and "sync summary".
        aws_sdk_tracing: botocore's and aiobotocore's own log records join ours (redacted like them).
        span_events_tracing: records also mark where each object's work starts and ends.
        dask_scheduler: where to run the sync as shards (--dask-scheduler); None runs it in this process.
        dask_shards: how many shards (--dask-shards); None when not given. Without dask_scheduler it asks for
            a run on that many local worker processes.
    """

    log_level: LogLevel = LogLevel.WARN
    json_tracing: bool = False
    tracing_stderr: bool = False
    disable_color: bool = False
    show_no_progress: bool = False
    secrets: tuple[str, ...] = ()
    report_mode: bool = False
    aws_sdk_tracing: bool = False
    span_events_tracing: bool = False
    dask_scheduler: str | None = None
    dask_shards: int | None = None


def effective_log_level(verbose: int, quiet: int, dry_run: bool) -> LogLevel:
    """WARN, raised by each -v and lowered by each -q (clamped to OFF..TRACE); dry-run shows at least INFO.

    Args:
        verbose: how many times -v was given.
        quiet: how many times -q was given.
        dry_run: --dry-run, whose `[dry-run] ...` lines are INFO records the user must see.

    Returns:
        The log level.
    """
    level = LogLevel(min(max(LogLevel.WARN + verbose - quiet, LogLevel.OFF), LogLevel.TRACE))
    if dry_run and level < LogLevel.INFO:
        level = LogLevel.INFO
    return level


def build_ui_settings(values: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> UiSettings:
    """The display settings from parsed values.

    Args:
        values: click's parameter values (missing keys take their defaults).
        environ: the environment whose AWS secret variables are also redacted (None: none).

    Returns:
        The UiSettings.
    """
    merged = {**default_values(), **values}
    candidates = [
        merged["source_secret_access_key"],
        merged["source_session_token"],
        merged["target_secret_access_key"],
        merged["target_session_token"],
        merged["source_sse_c_key"],
        merged["source_sse_c_key_md5"],
        merged["target_sse_c_key"],
        merged["target_sse_c_key_md5"],
    ]
    if environ is not None:
        candidates.extend(environ.get(name) for name in AWS_SECRET_ENV_VARS)
    secrets = tuple(dict.fromkeys(value for value in candidates if value))
    return UiSettings(
        # Report mode logs its records at INFO, so it shows at least INFO as dry-run does.
        log_level=effective_log_level(
            merged["verbose"], merged["quiet"], merged["dry_run"] or merged["report_sync_status"]
        ),
        json_tracing=merged["json_tracing"],
        tracing_stderr=merged["tracing_stderr"],
        disable_color=merged["disable_color_tracing"],
        show_no_progress=merged["show_no_progress"],
        secrets=secrets,
        report_mode=merged["report_sync_status"],
        aws_sdk_tracing=merged["aws_sdk_tracing"],
        span_events_tracing=merged["span_events_tracing"],
        dask_scheduler=merged["dask_scheduler"],
        dask_shards=merged["dask_shards"],
    )


def build_config(values: Mapping[str, Any]) -> SyncConfig:
    """Build and validate the SyncConfig from parsed command-line values, without touching the disk.

    Args:
        values: click's parameter values keyed by parameter name (`worker_size`, `source`, ...). Missing keys
            take the option defaults; sizes, dates and regexes are the strings the user typed.

    Returns:
        The validated config (a local SOURCE is not checked yet: see resolve_source).

    Raises:
        ConfigError: a bad value or a forbidden option combination.
    """
    v = {**default_values(), **values}
    if v["auto_chunksize"]:
        # Only values the user gave conflict (the reference's clap `conflicts_with`), not the defaults.
        for option in ("multipart_threshold", "multipart_chunksize"):
            if v[option] is not None:
                raise ConfigError(f"--auto-chunksize cannot be used with --{option.replace('_', '-')}")
    config = SyncConfig(
        source=_location("SOURCE", v["source"]),
        target=_location("TARGET", v["target"]),
        source_client=_client(v, "source"),
        target_client=_client(v, "target"),
        filters=FilterSettings(
            mtime_before_ms=_optional(v["filter_mtime_before"], "--filter-mtime-before", parse_rfc3339_to_ms),
            mtime_after_ms=_optional(v["filter_mtime_after"], "--filter-mtime-after", parse_rfc3339_to_ms),
            smaller_size=_optional(v["filter_smaller_size"], "--filter-smaller-size", parse_human_bytes),
            larger_size=_optional(v["filter_larger_size"], "--filter-larger-size", parse_human_bytes),
            include_regex=_optional(v["filter_include_regex"], "--filter-include-regex", _compile_regex),
            exclude_regex=_optional(v["filter_exclude_regex"], "--filter-exclude-regex", _compile_regex),
        ),
        update_check=UpdateCheck(
            check_size=v["check_size"],
            check_etag=v["check_etag"],
            remove_modified_filter=v["remove_modified_filter"],
            head_each_target=v["head_each_target"],
            check_mtime_and_etag=v["check_mtime_and_etag"],
            check_additional_checksum=_algorithm(v["check_additional_checksum"], "--check-additional-checksum"),
            check_mtime_and_additional_checksum=_algorithm(
                v["check_mtime_and_additional_checksum"], "--check-mtime-and-additional-checksum"
            ),
        ),
        verification=Verification(
            disable_etag_verify=v["disable_etag_verify"],
            disable_multipart_verify=v["disable_multipart_verify"],
            disable_content_md5_header=v["disable_content_md5_header"],
            additional_checksum_algorithm=_algorithm(
                v["additional_checksum_algorithm"], "--additional-checksum-algorithm"
            ),
            full_object_checksum=v["full_object_checksum"],
            enable_additional_checksum=v["enable_additional_checksum"],
            disable_additional_checksum_verify=v["disable_additional_checksum_verify"],
            disable_express_one_zone_additional_checksum=v["disable_express_one_zone_additional_checksum"],
        ),
        transfer=Transfer(
            worker_size=v["worker_size"],
            max_parallel_uploads=v["max_parallel_uploads"],
            max_keys=v["max_keys"],
            multipart_threshold=_size(v["multipart_threshold"], "--multipart-threshold", DEFAULT_THRESHOLD),
            multipart_chunksize=_size(v["multipart_chunksize"], "--multipart-chunksize", DEFAULT_CHUNKSIZE),
            object_listing_queue_size=v["object_listing_queue_size"],
            auto_chunksize=v["auto_chunksize"],
        ),
        encryption=EncryptionSettings(
            sse=v["sse"],
            sse_kms_key_id=v["sse_kms_key_id"],
            source_sse_c=_customer_key(v, "source"),
            target_sse_c=_customer_key(v, "target"),
        ),
        versioning=Versioning(
            enable_versioning=v["enable_versioning"],
            point_in_time_ms=_optional(v["point_in_time"], "--point-in-time", parse_rfc3339_to_ms),
        ),
        listing=ListingParallelism(
            max_parallel_listings=v["max_parallel_listings"],
            max_parallel_listing_max_depth=v["max_parallel_listing_max_depth"],
            allow_parallel_listings_in_express_one_zone=v["allow_parallel_listings_in_express_one_zone"],
        ),
        deletion=Deletion(
            delete=v["delete"], max_delete=v["max_delete"], delete_excluded=v["delete_excluded"]
        ),
        force_retry=ForceRetry(
            force_retry_count=v["force_retry_count"],
            force_retry_interval_milliseconds=v["force_retry_interval_milliseconds"],
        ),
        report=ReportSettings(
            sync_status=v["report_sync_status"],
            metadata=v["report_metadata_sync_status"],
            tagging=v["report_tagging_sync_status"],
        ),
        dry_run=v["dry_run"],
        warn_as_error=v["warn_as_error"],
        ignore_symlinks=v["ignore_symlinks"],
        no_guess_mime_type=v["no_guess_mime_type"],
        lua=_lua_settings(v),
        key_range=key_range_from_options(v["key_range_start"], v["key_range_end"]),
        headers=header_options(v, _parse),
        requests=request_settings(v, _parse),
        rate_limits=rate_limit_settings(v, _parse),
        content_filters=content_filter_settings(v, _parse, _compile_regex),
        ignore_glacier_warnings=v["ignore_glacier_warnings"],
        server_side_copy=v["server_side_copy"],
        tagging=TaggingSettings(
            tagging=_optional(v["tagging"], "--tagging", validated_tagging),
            disable_tagging=v["disable_tagging"],
            sync_latest_tagging=v["sync_latest_tagging"],
        ),
        conditions=ConditionalWrites(
            if_match=v["if_match"],
            if_none_match=v["if_none_match"],
            copy_source_if_match=v["copy_source_if_match"],
        ),
        resume=ResumeSettings(
            resume=v["resume"],
            max_resume_age_seconds=_parse(v["max_resume_age"], "--max-resume-age", parse_duration_seconds),
        ),
    )
    config.validate()
    return config


def resolve_source(config: SyncConfig) -> SyncConfig:
    """Check a local SOURCE on disk: it must exist, and a file becomes a single-file source of its directory.

    Args:
        config: a config from build_config.

    Returns:
        The config, with `source` replaced by LocalLocation(parent, single_file=name) for a file, re-validated
        (the --delete rule depends on it).

    Raises:
        ConfigError: the local SOURCE does not exist, or the resolved config breaks a rule.
    """
    source = config.source_location
    if not isinstance(source, LocalLocation) or source.single_file is not None:
        return config
    if os.path.isdir(source.path):
        return config
    if not os.path.exists(source.path):
        raise ConfigError(f"SOURCE '{source.path}' does not exist")
    parent, name = os.path.split(source.path)
    resolved = replace(config, source=LocalLocation(path=parent or os.curdir, single_file=name))
    resolved.validate()
    return resolved


def _location(argument: str, text: str | None) -> StorageLocation:
    if text is None:
        raise ConfigError(f"missing argument {argument}")
    try:
        return parse_location(text)
    except InvalidLocationError as exc:
        raise ConfigError(f"invalid value '{text}' for {argument}: {exc}") from exc


def _client(v: Mapping[str, Any], side: str) -> ClientSettings:
    """One side's client settings; the AWS files, retry and timeout options apply to both sides."""
    return ClientSettings(
        profile=v[f"{side}_profile"],
        access_key=v[f"{side}_access_key"],
        secret_access_key=v[f"{side}_secret_access_key"],
        session_token=v[f"{side}_session_token"],
        region=v[f"{side}_region"],
        endpoint_url=v[f"{side}_endpoint_url"],
        force_path_style=v[f"{side}_force_path_style"],
        aws_config_file=v["aws_config_file"],
        aws_shared_credentials_file=v["aws_shared_credentials_file"],
        aws_max_attempts=v["aws_max_attempts"],
        initial_backoff_milliseconds=v["initial_backoff_milliseconds"],
        connect_timeout_milliseconds=v["connect_timeout_milliseconds"],
        read_timeout_milliseconds=v["read_timeout_milliseconds"],
        operation_timeout_milliseconds=v["operation_timeout_milliseconds"],
        operation_attempt_timeout_milliseconds=v["operation_attempt_timeout_milliseconds"],
        stalled_stream_grace_milliseconds=(
            None if v["disable_stalled_stream_protection"] else DEFAULT_STALLED_STREAM_GRACE_MILLISECONDS
        ),
    )


def _lua_settings(v: Mapping[str, Any]) -> LuaSettings:
    """The Lua callback options (the scripts themselves are loaded when the run is built)."""
    return LuaSettings(
        filter_script=v["filter_callback_lua_script"],
        event_script=v["event_callback_lua_script"],
        preprocess_script=v["preprocess_callback_lua_script"],
        allow_os_library=v["allow_lua_os_library"],
        allow_unsafe_vm=v["allow_lua_unsafe_vm"],
        memory_limit=_size(v["lua_vm_memory_limit"], "--lua-vm-memory-limit", DEFAULT_LUA_VM_MEMORY_LIMIT),
        callback_timeout_milliseconds=v["lua_callback_timeout_milliseconds"],
    )


def _compile_regex(pattern: str) -> regex.Pattern[str]:
    import regex  # imported only when a regex filter is given: most runs have none, and it costs start-up time

    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"invalid regular expression '{pattern}': {exc}") from exc


def _optional(text: str | None, option: str, parse: Callable[[str], T]) -> T | None:
    return None if text is None else _parse(text, option, parse)


def _size(text: str | int | None, option: str, default: int) -> int:
    # Library callers may pass a number of bytes directly; the CLI passes what the user typed (None: not given).
    if text is None:
        return default
    return text if isinstance(text, int) else _parse(text, option, parse_human_bytes)


def _algorithm(text: str | ChecksumAlgorithm | None, option: str) -> ChecksumAlgorithm | None:
    if text is None or isinstance(text, ChecksumAlgorithm):
        return text
    return _parse(text, option, ChecksumAlgorithm.parse)


def _customer_key(v: Mapping[str, Any], side: str) -> CustomerKey | None:
    """--{side}-sse-c, --{side}-sse-c-key and --{side}-sse-c-key-md5 as one validated key (or None)."""
    algorithm, key, key_md5 = v[f"{side}_sse_c"], v[f"{side}_sse_c_key"], v[f"{side}_sse_c_key_md5"]
    if algorithm is None and key is None and key_md5 is None:
        return None
    if algorithm is None:
        raise ConfigError(f"--{side}-sse-c-key requires --{side}-sse-c")
    if key is None:
        raise ConfigError(f"--{side}-sse-c requires --{side}-sse-c-key")
    return CustomerKey(key=key, key_md5=key_md5, algorithm=algorithm).checked(side)


def _parse(text: str, option: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(text)
    except ValueError as exc:
        raise ConfigError(f"invalid value for '{option}': {exc}") from exc
