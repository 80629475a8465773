"""The report options: their fields, the reference's conflicts and requirements, and what they change in the UI."""

from __future__ import annotations

from typing import Any

import pytest

from s3syncpy.application.settings.config import ReportSettings
from s3syncpy.cli.log_level import LogLevel
from s3syncpy.cli.parsing import build_config, build_ui_settings
from s3syncpy.domain.errors import ConfigError

S3_TO_S3 = {"source": "s3://a/", "target": "s3://b/"}


def _values(**overrides: Any) -> dict[str, Any]:
    return {**S3_TO_S3, **overrides}


def test_the_three_options_map_to_report_settings() -> None:
    config = build_config(_values(report_sync_status=True, report_metadata_sync_status=True,
                                  report_tagging_sync_status=True))

    assert config.report == ReportSettings(sync_status=True, metadata=True, tagging=True)
    assert build_config(_values()).report == ReportSettings()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"dry_run": True}, "--report-sync-status cannot be used with --dry-run"),
        ({"delete": True}, "--report-sync-status cannot be used with --delete"),
        ({"head_each_target": True}, "--report-sync-status cannot be used with --head-each-target"),
        ({"enable_versioning": True}, "--report-sync-status cannot be used with --enable-versioning"),
    ],
    ids=["dry-run", "delete", "head-each-target", "enable-versioning"],
)
def test_conflicts(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}$"):
        build_config(_values(report_sync_status=True, **overrides))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"report_metadata_sync_status": True}, "--report-metadata-sync-status requires --report-sync-status"),
        ({"report_tagging_sync_status": True}, "--report-tagging-sync-status requires --report-sync-status"),
        ({"report_sync_status": True, "report_metadata_sync_status": True, "source": "/tmp"},
         "with --report-metadata-sync-status, source storage must be s3://"),
        ({"report_sync_status": True, "report_tagging_sync_status": True, "target": "/tmp"},
         "with --report-tagging-sync-status, target storage must be s3://"),
    ],
    ids=["metadata-alone", "tagging-alone", "metadata-local-source", "tagging-local-target"],
)
def test_requirements(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}$"):
        build_config(_values(**overrides))


def test_report_mode_with_local_sides_and_check_options_is_valid() -> None:
    build_config({"source": "/tmp", "target": "s3://b/", "report_sync_status": True,
                  "check_additional_checksum": "CRC32"})
    build_config({"source": "s3://a/", "target": "/tmp", "report_sync_status": True, "auto_chunksize": True})


@pytest.mark.parametrize("quiet", [0, 1, 2])
def test_report_mode_shows_at_least_info(quiet: int) -> None:
    ui = build_ui_settings(_values(report_sync_status=True, quiet=quiet))

    assert ui.log_level is LogLevel.INFO
    assert ui.report_mode


def test_tracing_switches_reach_the_ui_settings() -> None:
    ui = build_ui_settings(_values(aws_sdk_tracing=True, span_events_tracing=True))

    assert (ui.aws_sdk_tracing, ui.span_events_tracing, ui.report_mode) == (True, True, False)
