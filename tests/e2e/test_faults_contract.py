"""Retries, timeouts and stalled-stream protection, one scripted fault at a time: exact counters and exit codes.

Reference §7.1-7.2 and §7.5: the SDK retries (--aws-max-attempts) absorb a fault silently; a fault that outlives
them is force-retried, which is a warning even when it then succeeds (exit 3); a write that failed also counts
"failed to put object."; exhausted force retries are an error (exit 1) and leave nothing half-written.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import bucket_objects, read_tree, write_tree
from tests.support.fault_proxy import Fault, FaultProxy, ProxiedRequest
from tests.support.fault_runs import (
    BIG_SIZE,
    FAST_RETRY_ARGS,
    S3SyncRunner,
    log_lines,
    open_uploads,
    temp_files,
)
from tests.support.seaweed import S3Endpoint

FILES = {"a.txt": b"alpha", "b.txt": b"bravo" * 100, "c/d.txt": b"delta", "c/e.txt": b"echo"}
OLD = 946684800  # 2000-01-01: local files older than anything in the bucket


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


@pytest.fixture
def proxy(s3_endpoint: S3Endpoint) -> Any:
    with FaultProxy(s3_endpoint.endpoint_url, seed=0) as started:
        yield started


def _is(operation: str, key: str) -> Any:
    return lambda request: request.operation == operation and request.key.endswith(key)


def _messages(result: Any, level: str) -> list[str]:
    return [line.split(f" {level} ", 1)[1].split(" key=")[0] for line in log_lines(result, level)]


def _upload_source(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    write_tree(source, FILES)
    return source


def test_sdk_retries_absorb_a_fault_without_a_warning(
    runner: S3SyncRunner, proxy: FaultProxy, bucket: str, s3_admin: Any, tmp_path: Path
) -> None:
    proxy.add_rule(_is("PutObject", "b.txt"), Fault.INTERNAL_ERROR, times=2)
    result = runner.run(
        *FAST_RETRY_ARGS, f"{_upload_source(tmp_path)}/", f"s3://{bucket}/", target_url=proxy.url
    )
    assert result.count("warning") == 0
    assert result.count("transferred") == len(FILES)
    assert proxy.stats.faults[Fault.INTERNAL_ERROR] == 2
    assert bucket_objects(s3_admin, bucket) == FILES


def test_aws_max_attempts_bounds_the_sdk_attempts(
    runner: S3SyncRunner, proxy: FaultProxy, bucket: str, tmp_path: Path
) -> None:
    proxy.add_rule(_is("PutObject", "b.txt"), Fault.SLOW_DOWN, times=None)
    result = runner.run(
        *FAST_RETRY_ARGS,
        "--aws-max-attempts",
        "2",
        "--force-retry-count",
        "0",
        f"{_upload_source(tmp_path)}/",
        f"s3://{bucket}/",
        target_url=proxy.url,
        expect=1,
    )
    # Every PutObject of b.txt is faulted, so the faults count its attempts: the others' PUTs are not counted on,
    # since the run stops at that error and may cancel a file it has not sent yet.
    assert proxy.stats.faults_by_operation["PutObject"] == 2
    assert "force retry count exceeded." in _messages(result, "ERROR")


def test_recovered_force_retry_is_a_warning_and_exits_3(
    runner: S3SyncRunner, proxy: FaultProxy, bucket: str, s3_admin: Any, tmp_path: Path
) -> None:
    # Three 503s exhaust --aws-max-attempts 3; the force retry's fresh attempt gets through.
    proxy.add_rule(_is("PutObject", "b.txt"), Fault.SLOW_DOWN, times=3)
    result = runner.run(
        *FAST_RETRY_ARGS, f"{_upload_source(tmp_path)}/", f"s3://{bucket}/", target_url=proxy.url, expect=3
    )
    assert _messages(result, "WARN") == ["failed to put object.", "force retryable error has occurred."]
    assert (result.count("warning"), result.count("error"), result.count("transferred")) == (2, 0, len(FILES))
    assert bucket_objects(s3_admin, bucket) == FILES


def test_force_retry_count_zero_turns_the_first_exhaustion_into_an_error(
    runner: S3SyncRunner, proxy: FaultProxy, bucket: str, tmp_path: Path
) -> None:
    # (Resets are partly retried inside aiohttp on a reused connection, so the count of SDK attempts they take is
    # not fixed: reset every attempt.)
    proxy.add_rule(_is("PutObject", "b.txt"), Fault.RESET_BEFORE_RESPONSE, times=None)
    result = runner.run(
        *FAST_RETRY_ARGS,
        "--force-retry-count",
        "0",
        f"{_upload_source(tmp_path)}/",
        f"s3://{bucket}/",
        target_url=proxy.url,
        expect=1,
    )
    assert "force retry count exceeded." in _messages(result, "ERROR")
    assert "Error: s3sync failed." in result.stderr


def test_exhausted_download_leaves_the_old_file_and_no_temp_file(
    runner: S3SyncRunner, proxy: FaultProxy, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    big = os.urandom(BIG_SIZE)
    source = tmp_path / "src"
    write_tree(source, {**FILES, "big.bin": big})
    runner.run(*FAST_RETRY_ARGS, f"{source}/", f"s3://{bucket}/", target_url=s3_endpoint.endpoint_url)
    target = tmp_path / "dst"
    write_tree(target, {"big.bin": b"the old version"})
    os.utime(target / "big.bin", (OLD, OLD))
    # Every GET of big.bin dies mid-body: the SDK cannot retry a body, force retries run out.
    proxy.add_rule(_is("GetObject", "big.bin"), Fault.RESET_MID_DOWNLOAD, times=None)
    result = runner.run(
        *FAST_RETRY_ARGS,
        "--force-retry-count",
        "2",
        f"s3://{bucket}/",
        f"{target}/",
        source_url=proxy.url,
        expect=1,
    )
    assert "force retry count exceeded." in _messages(result, "ERROR")
    assert _messages(result, "WARN").count("force retryable error has occurred.") == 2
    assert (target / "big.bin").read_bytes() == b"the old version"
    assert temp_files(target) == []
    for key, data in read_tree(target).items():
        assert data == FILES.get(key, b"the old version"), f"{key} is half-written"


def test_exhausted_multipart_upload_is_aborted_and_absent(
    runner: S3SyncRunner, proxy: FaultProxy, bucket: str, s3_admin: Any, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_tree(source, {"big.bin": os.urandom(BIG_SIZE)})
    proxy.add_rule(_is("UploadPart", "big.bin"), Fault.INTERNAL_ERROR, times=None)
    result = runner.run(
        *FAST_RETRY_ARGS,
        "--force-retry-count",
        "1",
        f"{source}/",
        f"s3://{bucket}/",
        target_url=proxy.url,
        expect=1,
    )
    assert "force retry count exceeded." in _messages(result, "ERROR")
    assert proxy.stats.requests_by_operation["CreateMultipartUpload"] == 2
    assert proxy.stats.requests_by_operation["AbortMultipartUpload"] == 2
    assert open_uploads(s3_admin, bucket) == []
    assert bucket_objects(s3_admin, bucket) == {}


def test_attempt_timeout_retries_a_slow_attempt(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, s3_admin: Any, tmp_path: Path
) -> None:
    slow: list[ProxiedRequest] = []

    def latency(request: ProxiedRequest) -> float:
        if request.operation == "PutObject" and request.key.endswith("b.txt") and not slow:
            slow.append(request)
            return 30.0
        return 0.0

    with FaultProxy(s3_endpoint.endpoint_url, latency=latency) as proxy:
        started = time.monotonic()
        result = runner.run(
            *FAST_RETRY_ARGS,
            "--operation-attempt-timeout-milliseconds",
            "800",
            f"{_upload_source(tmp_path)}/",
            f"s3://{bucket}/",
            target_url=proxy.url,
        )
        elapsed = time.monotonic() - started
    assert elapsed < 30.0
    assert result.count("warning") == 0
    assert bucket_objects(s3_admin, bucket) == FILES


def test_operation_timeout_bounds_the_call_with_its_retries(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    def latency(request: ProxiedRequest) -> float:
        return 30.0 if request.operation == "PutObject" and request.key.endswith("b.txt") else 0.0

    with FaultProxy(s3_endpoint.endpoint_url, latency=latency) as proxy:
        started = time.monotonic()
        result = runner.run(
            *FAST_RETRY_ARGS,
            "--operation-timeout-milliseconds",
            "700",
            "--force-retry-count",
            "1",
            f"{_upload_source(tmp_path)}/",
            f"s3://{bucket}/",
            target_url=proxy.url,
            expect=1,
        )
        elapsed = time.monotonic() - started
    assert elapsed < 30.0
    assert "force retry count exceeded." in _messages(result, "ERROR")


def _download_with_stall(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path, stall: float, *extra: str
) -> tuple[Any, float, Path]:
    source = _upload_source(tmp_path)
    runner.run(*FAST_RETRY_ARGS, f"{source}/", f"s3://{bucket}/", target_url=s3_endpoint.endpoint_url)
    target = tmp_path / "dst"
    with FaultProxy(s3_endpoint.endpoint_url, stall_seconds=stall) as proxy:
        proxy.add_rule(_is("GetObject", "b.txt"), Fault.STALL, times=1)
        started = time.monotonic()
        result = runner.run(
            *FAST_RETRY_ARGS, *extra, f"s3://{bucket}/", f"{target}/", source_url=proxy.url, expect=3
        )
        elapsed = time.monotonic() - started
    assert read_tree(target) == FILES
    assert temp_files(target) == []
    return result, elapsed, target


def test_stalled_download_is_aborted_after_the_grace_period(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    # A stall far longer than the grace period, so a loaded machine cannot blur the difference.
    result, elapsed, _ = _download_with_stall(runner, s3_endpoint, bucket, tmp_path, 30.0)
    assert 5.0 <= elapsed < 30.0, (elapsed, result.stdout)
    assert "stalled stream" in result.stdout
    assert _messages(result, "WARN") == ["failed to put object.", "force retryable error has occurred."]


def test_disabled_stall_protection_waits_for_the_connection(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    result, elapsed, _ = _download_with_stall(
        runner, s3_endpoint, bucket, tmp_path, 7.0, "--disable-stalled-stream-protection"
    )
    assert elapsed >= 7.0
    assert "stalled stream" not in result.stdout


def test_read_timeout_cuts_a_stall_short(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    result, elapsed, _ = _download_with_stall(
        runner, s3_endpoint, bucket, tmp_path, 30.0, "--read-timeout-milliseconds", "500"
    )
    assert elapsed < 20.0, elapsed
    assert "stalled stream" not in result.stdout
    assert "imeout" in result.stdout
