"""Every bad argument prints exactly one `error: ...` line on stderr and exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from s3syncpy.cli.main import run

SRC = Path(__file__).resolve().parents[3] / "src"


def _cases(tmp: str) -> list[tuple[list[str], str]]:
    s3 = "s3://bucket/prefix/"
    return [
        ([tmp, s3, "--filter-smaller-size", "10XB"], "--filter-smaller-size"),
        ([tmp, s3, "--filter-larger-size", "-1"], "--filter-larger-size"),
        ([tmp, s3, "--filter-mtime-before", "2023-02-30T00:00:00Z"], "--filter-mtime-before"),
        ([tmp, s3, "--filter-mtime-after", "yesterday"], "--filter-mtime-after"),
        ([tmp, s3, "--filter-include-regex", "("], "--filter-include-regex"),
        ([tmp, s3, "--filter-exclude-regex", "[a-"], "--filter-exclude-regex"),
        ([tmp, tmp], "both are local paths"),
        ([os.path.join(tmp, "missing"), s3], "does not exist"),
        ([tmp, s3, "--worker-size", "0"], "--worker-size"),
        ([tmp, s3, "--worker-size", "many"], "--worker-size"),
        ([tmp, s3, "--max-keys", "0"], "--max-keys"),
        ([tmp, s3, "--max-keys", "32768"], "--max-keys"),
        ([tmp, s3, "--multipart-threshold", "4MiB"], "--multipart-threshold"),
        ([tmp, s3, "--multipart-chunksize", "6GiB"], "--multipart-chunksize"),
        ([tmp, s3, "--multipart-chunksize", "8 parsecs"], "--multipart-chunksize"),
        ([tmp, s3, "--delete-excluded"], "--delete-excluded requires --delete"),
        ([tmp, s3, "--max-delete", "3"], "--max-delete requires --delete"),
        ([tmp, s3, "--check-size", "--check-etag"], "--check-size"),
        ([tmp, s3, "--aws-max-attempts", "0"], "--aws-max-attempts"),
        ([tmp, s3, "--read-timeout-milliseconds", "-5"], "--read-timeout-milliseconds"),
        (["s3://", s3], "bucket"),
        ([tmp, s3, "--no-such-option"], "--no-such-option"),
        ([tmp], "TARGET"),
        ([], "SOURCE"),
        ([tmp, s3, "extra"], "extra"),
    ]


CASE_IDS = [
    "size-suffix",
    "negative-size",
    "no-such-date",
    "bad-date",
    "bad-include-regex",
    "bad-exclude-regex",
    "both-local",
    "missing-source",
    "worker-size-0",
    "worker-size-text",
    "max-keys-0",
    "max-keys-too-big",
    "threshold-below-5MiB",
    "chunksize-above-5GiB",
    "chunksize-unit",
    "delete-excluded-alone",
    "max-delete-alone",
    "check-size-and-etag",
    "max-attempts-0",
    "negative-timeout",
    "no-bucket",
    "unknown-option",
    "missing-target",
    "no-arguments",
    "extra-argument",
]


@pytest.mark.parametrize("index", range(len(CASE_IDS)), ids=CASE_IDS)
def test_bad_argument_is_one_error_line_and_exit_2(
    index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments, mentioned = _cases(str(tmp_path))[index]
    assert run(arguments, execute=_must_not_run) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert mentioned in lines[0]
    assert captured.err.endswith("\n")


async def _must_not_run(*_args: object) -> None:
    raise AssertionError("the sync must not start after a bad argument")


def test_case_ids_match_cases(tmp_path: Path) -> None:
    assert len(_cases(str(tmp_path))) == len(CASE_IDS)


def _python_m(*arguments: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("S3SYNC_", "AWS_"))}
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run(
        [sys.executable, "-m", "s3syncpy", *arguments],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(
    "arguments",
    [
        ["--filter-include-regex", "(", ".", "s3://bucket"],
        ["--multipart-threshold", "1MiB", ".", "s3://bucket"],
        ["/definitely/not/here", "s3://bucket"],
    ],
    ids=["regex", "threshold", "missing-source"],
)
def test_process_exit_code_2_without_traceback(arguments: list[str]) -> None:
    result = _python_m(*arguments)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_process_help_and_version_exit_0() -> None:
    help_result = _python_m("--help")
    assert help_result.returncode == 0
    assert "Dangerous:" in help_result.stdout and help_result.stderr == ""
    version_result = _python_m("-V")
    assert version_result.returncode == 0
    assert version_result.stdout.startswith("s3sync ")
