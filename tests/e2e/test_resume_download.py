"""--resume for downloads: a killed multipart download keeps its temp file and journal; the next run asks only for
the missing ranges and verifies the whole file before the rename.

The first run goes through a proxy that holds every ranged GET past the first KEPT_PARTS parts, and is SIGKILLed
once the journal records those parts. A 48 MiB object in 5 MiB parts (smaller than the issue's 200 MiB: the
same behaviour, in seconds).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from s3syncpy.adapters.local.resumable_download import resumable_temp_path
from tests.support.e2e import Result
from tests.support.fault_proxy import FaultProxy, ProxiedRequest
from tests.support.fault_runs import FAST_RETRY_ARGS, MIB, S3SyncRunner, temp_files
from tests.support.seaweed import S3Endpoint

SIZE = 48 * MIB
PART = 5 * MIB
KEPT_PARTS = 5
ARGS = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB", "--force-retry-count", "0")
KEY = "big.bin"


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


def _range_start(request: ProxiedRequest) -> int | None:
    value = request.headers.get("range")
    if request.operation != "GetObject" or not value:
        return None
    return int(value.split("=", 1)[1].split("-", 1)[0])


def _hold_late_ranges(request: ProxiedRequest) -> float:
    start = _range_start(request)
    return 120.0 if start is not None and start >= KEPT_PARTS * PART else 0.0


def _journal(target: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(Path(resumable_temp_path(str(target / KEY)) + ".resume").read_text())
    except (OSError, ValueError):
        return None
    return data


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the first run never journaled its first parts")
        time.sleep(0.1)


def _killed_download(runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, target: Path) -> None:
    with FaultProxy(s3_endpoint.endpoint_url, latency=_hold_late_ranges) as proxy:
        process = runner.start(*ARGS, "--resume", f"s3://{bucket}/", f"{target}/", source_url=proxy.url)
        try:
            _wait_for(lambda: len((_journal(target) or {}).get("done", [])) >= KEPT_PARTS)
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert not (target / KEY).exists()
    assert len(temp_files(target)) == 2  # the temp file and its journal


def _rerun(runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, target: Path) -> tuple[Result, list[int], int]:
    """A rerun with --resume through a recording proxy: its result, the range starts it asked for, and the
    GetObject body bytes it received."""
    starts: list[int] = []

    def record(request: ProxiedRequest) -> float:
        start = _range_start(request)
        if start is not None:
            starts.append(start)
        return 0.0

    with FaultProxy(s3_endpoint.endpoint_url, latency=record) as proxy:
        result = runner.run(*ARGS, "-v", "--resume", f"s3://{bucket}/", f"{target}/", source_url=proxy.url,
                            expect=None)
        received = proxy.stats.response_bytes_by_operation["GetObject"]
    return result, sorted(starts), received


def test_killed_download_resumes_with_only_the_missing_ranges(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    data = os.urandom(SIZE)
    s3_admin.put_object(Bucket=bucket, Key=KEY, Body=data)
    target = tmp_path / "dst"
    _killed_download(runner, s3_endpoint, bucket, target)
    # Older than the hour after which a run sweeps temp files: kept all the same, its journal is recent.
    temp = resumable_temp_path(str(target / KEY))
    os.utime(temp, (time.time() - 7200, time.time() - 7200))

    result, starts, received = _rerun(runner, s3_endpoint, bucket, target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "resuming a download." in result.stdout
    # The first GET (range 0) opens the object; after it only the parts the journal did not record.
    done = {index * PART for index in range(KEPT_PARTS)}
    assert [start for start in starts if start != 0] == [start for start in range(0, SIZE, PART) if start not in done]
    assert received <= SIZE - KEPT_PARTS * PART + PART
    assert result.count("warning") == 0
    assert (target / KEY).read_bytes() == data
    assert temp_files(target) == []


def test_object_changed_since_the_kill_starts_the_download_over(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    s3_admin.put_object(Bucket=bucket, Key=KEY, Body=os.urandom(SIZE))
    target = tmp_path / "dst"
    _killed_download(runner, s3_endpoint, bucket, target)
    changed = os.urandom(SIZE)
    s3_admin.put_object(Bucket=bucket, Key=KEY, Body=changed)

    result, starts, _ = _rerun(runner, s3_endpoint, bucket, target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "restarting a download: the object changed since it was started." in result.stdout
    assert starts == list(range(0, SIZE, PART))
    assert (target / KEY).read_bytes() == changed
    assert temp_files(target) == []


def test_kept_bytes_damaged_on_disk_are_caught_before_the_rename(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    data = os.urandom(SIZE)
    s3_admin.put_object(Bucket=bucket, Key=KEY, Body=data)
    target = tmp_path / "dst"
    _killed_download(runner, s3_endpoint, bucket, target)
    temp = resumable_temp_path(str(target / KEY))
    with open(temp, "r+b") as file:
        file.seek(PART + 10)
        byte = file.read(1)
        file.seek(PART + 10)
        file.write(bytes([byte[0] ^ 0xFF]))

    refused, _, _ = _rerun(runner, s3_endpoint, bucket, target)
    assert refused.returncode == 3, refused.stdout + refused.stderr  # the verification's warning
    assert not (target / KEY).exists()
    assert temp_files(target) == []  # refused: nothing is kept to be resumed from

    again, _, _ = _rerun(runner, s3_endpoint, bucket, target)
    assert again.returncode == 0
    assert (target / KEY).read_bytes() == data


def test_faults_on_a_resumed_download_lose_nothing(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    data = os.urandom(SIZE)
    s3_admin.put_object(Bucket=bucket, Key=KEY, Body=data)
    target = tmp_path / "dst"
    _killed_download(runner, s3_endpoint, bucket, target)

    with FaultProxy(s3_endpoint.endpoint_url, rate=0.3, seed=29) as proxy:
        result = runner.run(*FAST_RETRY_ARGS, "-v", "--resume", f"s3://{bucket}/", f"{target}/",
                            source_url=proxy.url, expect=None)
        faulted = proxy.stats.faulted
    assert faulted > 0
    assert result.returncode in (0, 3), result.stdout + result.stderr
    assert "resuming a download." in result.stdout
    assert (target / KEY).read_bytes() == data
    assert temp_files(target) == []


def test_ctrl_c_with_resume_keeps_the_partial_download_and_a_rerun_completes_it(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    data = os.urandom(SIZE)
    s3_admin.put_object(Bucket=bucket, Key=KEY, Body=data)
    target = tmp_path / "dst"
    with FaultProxy(s3_endpoint.endpoint_url, latency=_hold_late_ranges) as proxy:
        process = runner.start(*ARGS, "--resume", f"s3://{bucket}/", f"{target}/", source_url=proxy.url)
        try:
            _wait_for(lambda: len((_journal(target) or {}).get("done", [])) >= KEPT_PARTS)
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 130, stdout + stderr
    assert "download kept for --resume" in stdout + stderr
    assert len(temp_files(target)) == 2 and not (target / KEY).exists()

    result, _, received = _rerun(runner, s3_endpoint, bucket, target)
    assert result.returncode == 0
    assert received <= SIZE - KEPT_PARTS * PART + PART
    assert (target / KEY).read_bytes() == data
    assert temp_files(target) == []
