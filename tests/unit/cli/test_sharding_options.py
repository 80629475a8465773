"""The sharding options (additions): each bad value or combination is one `error:` line and exit 2."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.cli.main import run
from s3syncpy.domain.key_range import KeyRange

S3 = "s3://bucket/prefix/"
SCHEDULER = ("--dask-scheduler", "tcp://127.0.0.1:1")
LOCAL = ("--dask-shards", "2")  # without a scheduler: local worker processes
SSE_C_KEY = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="  # base64 of 32 bytes
SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN0123"


@pytest.mark.parametrize(
    ("arguments", "mentioned"),
    [
        (["--key-range-start", "b", "--key-range-end", "a"], "does not sort before"),
        (["--key-range-start", "a", "--key-range-end", "a"], "does not sort before"),
        (["--key-range-end", ""], "--key-range-end must not be empty"),
        ([*SCHEDULER, "--dask-shards", "0"], "--dask-shards"),
        ([*SCHEDULER, "--key-range-start", "a"], "cannot be combined with --dask-scheduler"),
        ([*SCHEDULER, "--delete", "--max-delete", "5"], "--max-delete cannot be combined"),
        ([*SCHEDULER, "--target-sse-c", "AES256", "--target-sse-c-key", SSE_C_KEY], "cannot be combined"),
        (["--dask-shards", "0"], "--dask-shards"),
        ([*LOCAL, "--key-range-start", "a"], "cannot be combined with --dask-shards"),
        ([*LOCAL, "--delete", "--max-delete", "5"], "--max-delete cannot be combined with --dask-shards"),
        ([*LOCAL, "--target-sse-c", "AES256", "--target-sse-c-key", SSE_C_KEY],
         "--source-sse-c-key/--target-sse-c-key cannot be combined with --dask-shards"),
    ],
    ids=["reversed", "empty", "empty-end", "zero-shards", "range", "max-delete", "sse-c", "local-zero-shards",
         "local-range", "local-max-delete", "local-sse-c"],
)
def test_bad_sharding_options_exit_2(
    arguments: list[str], mentioned: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([str(tmp_path), S3, *arguments], execute=_must_not_run) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert mentioned in lines[0]


def test_the_key_range_reaches_the_config(tmp_path: Path) -> None:
    seen: list[SyncConfig] = []

    async def execute(config: SyncConfig, *_args: object) -> None:
        seen.append(config)

    run([str(tmp_path), S3, "--key-range-start", "d01/", "--key-range-end", "d05/"], execute=execute)
    assert seen[0].key_range == KeyRange("d01/", "d05/")
    run([str(tmp_path), S3], execute=execute)
    assert seen[1].key_range is None


@pytest.mark.parametrize(
    ("arguments", "side"),
    [
        (["--source-access-key", "AKIDEXAMPLE", "--source-secret-access-key", SECRET], "source"),
        (["--target-access-key", "AKIDEXAMPLE", "--target-secret-access-key", SECRET], "target"),
        (["--target-access-key", "AKIDEXAMPLE", "--target-secret-access-key", SECRET,
          "--target-session-token", TOKEN], "target"),
    ],
    ids=["source-keys", "target-keys", "target-keys-and-token"],
)
def test_explicit_credentials_are_refused_with_a_scheduler(
    arguments: list[str], side: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Task payloads carry no credentials: keys given here would be silently replaced by each worker's own."""
    assert run([S3, "s3://other/", *SCHEDULER, *arguments], execute=_must_not_run) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        (f"error: --{side}-access-key/--{side}-secret-access-key/--{side}-session-token cannot be combined with "
        "--dask-scheduler: task payloads carry no credentials, each worker uses its own (its AWS_* environment, "
        f"its AWS config and credentials files, its instance role); --{side}-profile names a profile of the "
        "workers' files")
    ]


def test_a_profile_still_travels_to_the_workers(capsys: pytest.CaptureFixture[str]) -> None:
    """--source-profile / --target-profile name a profile the workers resolve in their own files: accepted."""
    seen: list[SyncConfig] = []

    async def execute(config: SyncConfig, *_args: object) -> None:
        seen.append(config)

    assert run([S3, "s3://other/", *SCHEDULER, "--source-profile", "a", "--target-profile", "b"],
               execute=execute) == 0
    assert (seen[0].source_client.profile, seen[0].target_client.profile) == ("a", "b")


async def _must_not_run(*_args: object) -> SyncReport:
    raise AssertionError("the sync must not start")


def test_shards_without_a_scheduler_keep_the_explicit_credentials(tmp_path: Path) -> None:
    """Local worker processes get the command line's keys: they stay on this machine."""
    seen: list[SyncConfig] = []

    async def execute(config: SyncConfig, *_args: object) -> None:
        seen.append(config)

    assert run([str(tmp_path), S3, *LOCAL, "--target-access-key", "AKIDEXAMPLE", "--target-secret-access-key",
                SECRET], execute=execute) == 0
    assert (seen[0].target_client.access_key, seen[0].target_client.secret_access_key) == ("AKIDEXAMPLE", SECRET)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("arguments", "drawn"), [([], True), (list(LOCAL), False), (list(SCHEDULER), False)],
                         ids=["one-run", "local-shards", "dask"])
def test_a_sharded_run_draws_no_live_progress_line(
    arguments: list[str], drawn: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its counters arrive with the shards' reports at the end: a live line would only show zeros."""
    terminal = _Tty()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr("s3syncpy.cli.progress.REFRESH_SECONDS", 0.02)

    async def execute(*_args: object) -> None:
        await asyncio.sleep(0.3)  # several refreshes of the progress line

    assert run([str(tmp_path), S3, *arguments], execute=execute) == 0
    assert ("0 obj" in terminal.getvalue()) is drawn
