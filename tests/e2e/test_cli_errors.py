"""Bad arguments: exit 2 with exactly one `error:` line and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.e2e import RunS3Sync


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--filter-smaller-size", "10XB"], id="bad-size-suffix"),
        pytest.param(["--filter-mtime-before", "yesterday"], id="bad-date"),
        pytest.param(["--filter-include-regex", "(unclosed"], id="bad-regex"),
        pytest.param(["--multipart-chunksize", "1MiB"], id="chunksize-below-5MiB"),
        pytest.param(["--worker-size", "0"], id="zero-workers"),
        pytest.param(["--max-keys", "0"], id="zero-max-keys"),
        pytest.param(["--delete-excluded"], id="delete-excluded-without-delete"),
        pytest.param(["--no-such-option"], id="unknown-option"),
        pytest.param(["--target-endpoint-url", "not a url"], id="endpoint-not-a-url"),
        pytest.param(["--target-endpoint-url", "ftp://127.0.0.1:1"], id="endpoint-ftp"),
        pytest.param(["--source-endpoint-url", "ftp://127.0.0.1:1"], id="source-endpoint-ftp"),
    ],
)
def test_bad_option_values(args: list[str], tmp_path: Path, run_s3sync: RunS3Sync) -> None:
    result = run_s3sync(*args, str(tmp_path), "s3://bucket/prefix", expect=2)

    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout


def test_both_paths_local(tmp_path: Path, run_s3sync: RunS3Sync) -> None:
    result = run_s3sync(str(tmp_path), str(tmp_path / "other"), expect=2)

    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_source(tmp_path: Path, run_s3sync: RunS3Sync) -> None:
    result = run_s3sync(str(tmp_path / "does-not-exist"), "s3://bucket/", expect=2)

    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_arguments(run_s3sync: RunS3Sync) -> None:
    result = run_s3sync(expect=2)

    assert result.stderr.startswith("error: ")


def test_version_and_help(run_s3sync: RunS3Sync) -> None:
    version = run_s3sync("--version")
    assert version.stdout.startswith("s3sync")
    helptext = run_s3sync("--help").stdout
    for heading in ("General:", "AWS Configuration:", "Filtering:", "Update Checking:", "Performance:"):
        assert heading in helptext
