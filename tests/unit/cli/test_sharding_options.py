"""The sharding options (additions): each bad value or combination is one `error:` line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3syncpy.application.config import SyncConfig
from s3syncpy.application.report import SyncReport
from s3syncpy.cli.main import run
from s3syncpy.domain.key_range import KeyRange

S3 = "s3://bucket/prefix/"
SCHEDULER = ("--dask-scheduler", "tcp://127.0.0.1:1")
SSE_C_KEY = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="  # base64 of 32 bytes


@pytest.mark.parametrize(
    ("arguments", "mentioned"),
    [
        (["--key-range-start", "b", "--key-range-end", "a"], "does not sort before"),
        (["--key-range-start", "a", "--key-range-end", "a"], "does not sort before"),
        (["--key-range-end", ""], "--key-range-end must not be empty"),
        (["--dask-shards", "4"], "--dask-shards requires --dask-scheduler"),
        ([*SCHEDULER, "--dask-shards", "0"], "--dask-shards"),
        ([*SCHEDULER, "--key-range-start", "a"], "cannot be combined with --dask-scheduler"),
        ([*SCHEDULER, "--delete", "--max-delete", "5"], "--max-delete cannot be combined"),
        ([*SCHEDULER, "--target-sse-c", "AES256", "--target-sse-c-key", SSE_C_KEY], "cannot be combined"),
    ],
    ids=["reversed", "empty", "empty-end", "shards-alone", "zero-shards", "range", "max-delete", "sse-c"],
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


async def _must_not_run(*_args: object) -> SyncReport:
    raise AssertionError("the sync must not start")
