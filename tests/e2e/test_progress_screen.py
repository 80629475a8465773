"""The progress line as a person sees it: a real upload to the test server on a pseudo-terminal of 80 and 200
columns, its screen rendered by a terminal emulator (pyte) after every redraw."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import SUMMARY_PATTERN, s3sync_command
from tests.support.terminal import TerminalRun, run_on_terminal

pytestmark = pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")

MIB = 1024 * 1024
LIMIT = 6 * MIB  # --rate-limit-bandwidth: 24 MiB then take about three seconds, so the line is redrawn
_BYTES = re.compile(r"^(\d+(?:\.\d+)?) (B|KiB|MiB|GiB)")
_RATE = re.compile(r"(\d+(?:\.\d+)?) (B|KiB|MiB|GiB)/s")
_UNITS = {"B": 1, "KiB": 1024, "MiB": MIB, "GiB": 1024 * MIB}


def _source(tmp_path: Path) -> Path:
    """Four 6 MiB files (multipart uploads of 5 MiB parts) and one name the listing must skip with a warning."""
    source = tmp_path / "source"
    source.mkdir()
    for index in range(4):
        (source / f"file{index}.bin").write_bytes(os.urandom(6 * MIB))
    # A name that is not UTF-8 cannot become an S3 key: the listing skips it and counts a warning.
    with open(os.path.join(os.fsencode(source), b"bad-\xff-name.txt"), "wb") as bad:
        bad.write(b"x")
    return source


def _upload_on_terminal(s3_endpoint: Any, bucket: str, source: Path, columns: int) -> TerminalRun:
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    env.update(
        AWS_ACCESS_KEY_ID=s3_endpoint.access_key,
        AWS_SECRET_ACCESS_KEY=s3_endpoint.secret_key,
        AWS_REGION=s3_endpoint.region,
        TERM="xterm",
    )
    argv = [
        *s3sync_command(), "--target-endpoint-url", s3_endpoint.endpoint_url, "--target-force-path-style",
        "--rate-limit-bandwidth", f"{LIMIT // MIB}MiB", "--multipart-threshold", "5MiB",
        "--multipart-chunksize", "5MiB", f"{source}/", f"s3://{bucket}/progress/",
    ]
    return run_on_terminal(argv, env, columns=columns)


def _progress_rows(run: TerminalRun, marker: str) -> list[tuple[float, str]]:
    """The rows with `marker` drawn before the summary line (which starts after the last line break before its
    "duration")."""
    duration = run.output.rfind(b"duration ")
    summary_start = max(run.output.rfind(b"\r", 0, duration), run.output.rfind(b"\n", 0, duration))
    rows = run.rows_containing(marker, before=summary_start if duration >= 0 else None)
    assert rows, f"no progress line was drawn:\n{run.raw}"
    return rows


def _shown_bytes(row: str) -> int:
    match = _BYTES.match(row)
    assert match is not None, row
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def _summary_on_screen(run: TerminalRun) -> bool:
    # The summary line is longer than 80 columns: read it from what was written, not from the wrapped rows.
    return any(SUMMARY_PATTERN.search(line.strip()) for line in run.raw.replace("\r", "\n").splitlines())


def test_the_line_fits_80_columns_and_keeps_errors_and_warnings(
    s3_endpoint: Any, target_bucket: str, tmp_path: Path
) -> None:
    run = _upload_on_terminal(s3_endpoint, target_bucket, _source(tmp_path), columns=80)

    rows = _progress_rows(run, "warn")
    assert run.returncode == 3, run.raw  # the skipped name is a warning
    for _, row in rows:
        assert len(row) < 80, row  # never cut at the edge ("... etag verif")
        assert "err 0" in row, row
    assert any("warn 1" in row for _, row in rows), rows
    assert not any(row.endswith("etag verif") for frame in run.frames for row in frame.rows)
    # The listing was complete before the first redraw: done/total, a percentage and an ETA.
    assert any(re.search(r"/24\.00 MiB \d+% ", row) and "ETA" in row for _, row in rows), rows
    assert any(re.search(r"\b\d/4 obj", row) for _, row in rows), rows
    assert _summary_on_screen(run), run.raw


def test_the_line_fits_200_columns_with_the_counts_in_words(
    s3_endpoint: Any, target_bucket: str, tmp_path: Path
) -> None:
    run = _upload_on_terminal(s3_endpoint, target_bucket, _source(tmp_path), columns=200)

    rows = _progress_rows(run, "warning")
    for _, row in rows:
        assert len(row) < 200, row
        assert "error 0" in row, row
        assert "etag verified" in row, row
    assert any("warning 1" in row for _, row in rows), rows
    assert any("of 24.00 MiB" in row and "ETA" in row for _, row in rows), rows
    assert _summary_on_screen(run), run.raw


def test_bytes_are_counted_when_the_server_acknowledged_them(
    s3_endpoint: Any, target_bucket: str, tmp_path: Path
) -> None:
    # Wide enough for every form of the line, and for the summary line not to wrap.
    run = _upload_on_terminal(s3_endpoint, target_bucket, _source(tmp_path), columns=250)

    rows = _progress_rows(run, " obj")
    for at, row in rows:
        # No more than the bandwidth limit allows since the process started, plus the limiter's first second.
        assert _shown_bytes(row) <= LIMIT * (at + 1), (at, row)
        rate = _RATE.search(row)
        assert rate is not None, row
        assert float(rate.group(1)) * _UNITS[rate.group(2)] <= 2 * LIMIT, (at, row)
