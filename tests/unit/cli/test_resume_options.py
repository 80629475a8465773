"""--resume and --max-resume-age (additions): parsed into SyncConfig.resume, S3SYNC_* variables included; bad
values are one `error:` line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.resume_settings import DEFAULT_MAX_RESUME_AGE_SECONDS, ResumeSettings
from s3syncpy.cli.main import run
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.time_units import parse_duration_seconds

S3 = "s3://bucket/prefix/"


def test_resume_is_off_by_default(tmp_path: Path) -> None:
    assert SyncConfig.from_args([str(tmp_path), S3]).resume == ResumeSettings()
    assert ResumeSettings().max_resume_age_seconds == DEFAULT_MAX_RESUME_AGE_SECONDS == 7 * 86400


def test_options_and_environment_set_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = SyncConfig.from_args(["--resume", "--max-resume-age", "12h", str(tmp_path), S3])
    assert given.resume == ResumeSettings(resume=True, max_resume_age_seconds=12 * 3600)
    assert given.object_settings.resume == given.resume
    monkeypatch.setenv("S3SYNC_RESUME", "true")
    monkeypatch.setenv("S3SYNC_MAX_RESUME_AGE", "90m")
    assert SyncConfig.from_args([str(tmp_path), S3]).resume == ResumeSettings(True, 90 * 60)


@pytest.mark.parametrize(
    ("text", "seconds"), [("7d", 604800), ("12h", 43200), ("90m", 5400), ("30s", 30), ("3600", 3600), ("0", 0)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "d", "-1d", "1.5h", "7w", "seven"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration_seconds(text)


@pytest.mark.parametrize(
    ("arguments", "mentioned"),
    [
        (["--max-resume-age", "7w"], "--max-resume-age"),
        (["--resume", S3, "s3://other/"], "--resume requires a local SOURCE or TARGET"),
    ],
    ids=["bad-age", "s3-to-s3"],
)
def test_bad_resume_options_exit_2(
    arguments: list[str], mentioned: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = arguments if len(arguments) > 2 else [str(tmp_path), S3, *arguments]
    assert run(args, execute=_must_not_run) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and mentioned in lines[0]


def test_library_config_refuses_a_negative_age(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--max-resume-age"):
        SyncConfig(source=str(tmp_path), target=S3, resume=ResumeSettings(max_resume_age_seconds=-1)).validate()


async def _must_not_run(config: SyncConfig, cancel: object, report: SyncReport) -> None:
    raise AssertionError("the run must not start")
