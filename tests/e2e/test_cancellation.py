"""SIGINT / SIGTERM sent to a running `s3sync`, and an error in one worker (DECISIONS.md #4, reference §7.3).

A signal stops the run: in-flight multipart uploads are aborted, partial downloads removed, the summary printed,
exit 130. Running the same command again finishes the job without transferring again what was completed. An
error in one worker cancels the other workers at once, even those waiting on a stalled server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from s3syncpy.adapters.local.temp_files import TEMP_PREFIX
from tests.support.e2e import SUMMARY_PATTERN, Result, bucket_objects, read_tree, write_tree
from tests.support.fault_proxy import Fault, FaultProxy, ProxiedRequest
from tests.support.fault_runs import BIG_SIZE, S3SyncRunner, open_uploads, temp_files
from tests.support.seaweed import S3Endpoint

ARGS = ("--worker-size", "8", "--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB")
SIGNAL_DEADLINE = 30.0  # seconds the run may take to wind down after the signal
STREAMED_SIZE = 3 * 1024 * 1024  # below the threshold: downloaded as one stream, written as it arrives


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


def _files() -> dict[str, bytes]:
    files = {f"small/{i:02d}.txt": os.urandom(2000) for i in range(30)}
    files.update({f"big/{i}.bin": os.urandom(BIG_SIZE) for i in range(3)})
    files["stream/one.bin"] = os.urandom(STREAMED_SIZE)
    return files


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the run never reached the state the test interrupts")
        time.sleep(0.05)


def _some_temp_file_has_bytes(target: Path) -> bool:
    for path in temp_files(target):
        try:
            if path.stat().st_size > 0:
                return True
        except FileNotFoundError:
            continue  # renamed into place (or removed) between the listing and the stat
    return False


def _finished_files(target: Path) -> int:
    """Files renamed into place so far (temp files excluded)."""
    return sum(1 for path in target.rglob("*") if path.is_file() and not path.name.startswith(TEMP_PREFIX))


def _interrupt(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[Result, float]:
    started = time.monotonic()
    process.send_signal(sig)
    try:
        stdout, stderr = process.communicate(timeout=SIGNAL_DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"s3sync did not stop within {SIGNAL_DEADLINE} s of {sig.name}") from None
    return Result(process.returncode, stdout, stderr), time.monotonic() - started


def _assert_interrupted(result: Result) -> None:
    assert result.returncode == 130, result.stdout + result.stderr
    assert any(SUMMARY_PATTERN.search(line) for line in result.stdout.splitlines()), result.stdout
    assert result.count("error") == 0
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_signal_during_upload_aborts_multipart_and_resumes(
    sig: signal.Signals,
    runner: S3SyncRunner,
    s3_endpoint: S3Endpoint,
    s3_admin: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    files = _files()
    source = tmp_path / "src"
    write_tree(source, files)

    def slow_parts(request: ProxiedRequest) -> float:
        return 60.0 if request.operation == "UploadPart" else 0.0

    with FaultProxy(s3_endpoint.endpoint_url, latency=slow_parts) as proxy:
        process = runner.start(*ARGS, f"{source}/", f"s3://{bucket}/", target_url=proxy.url)
        _wait_for(
            lambda: (
                len(open_uploads(s3_admin, bucket)) > 0
                and proxy.stats.requests_by_operation["UploadPart"] > 0
            )
        )
        result, took = _interrupt(process, sig)
    _assert_interrupted(result)
    assert took < SIGNAL_DEADLINE
    assert open_uploads(s3_admin, bucket) == []
    stored = bucket_objects(s3_admin, bucket)
    assert all(files[key] == data for key, data in stored.items()), "an object was half-written"
    assert len(stored) < len(files)

    again = runner.run(*ARGS, f"{source}/", f"s3://{bucket}/", target_url=s3_endpoint.endpoint_url)
    # A PutObject the proxy had already forwarded may still land after the snapshot above, so the rerun may
    # find more done than `stored`; what it must never do is send again an object that was complete.
    assert again.count("skipped") >= len(stored)
    assert again.count("transferred") + again.count("skipped") == len(files)
    assert bucket_objects(s3_admin, bucket) == files


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_signal_during_download_removes_partial_files_and_resumes(
    sig: signal.Signals, runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    files = _files()
    source = tmp_path / "src"
    write_tree(source, files)
    runner.run(*ARGS, f"{source}/", f"s3://{bucket}/", target_url=s3_endpoint.endpoint_url)
    target = tmp_path / "dst"

    with FaultProxy(s3_endpoint.endpoint_url, stall_seconds=120.0) as proxy:
        # Big objects and the streamed one deliver half their bytes, then nothing: their downloads are in flight.
        proxy.add_rule(
            lambda r: r.operation == "GetObject" and not r.key.startswith("small/"), Fault.STALL, times=None
        )
        process = runner.start(*ARGS, f"s3://{bucket}/", f"{target}/", source_url=proxy.url)
        # The streamed object is written as it arrives: wait until its temp file holds bytes.
        _wait_for(lambda: _some_temp_file_has_bytes(target) and _finished_files(target) >= 30)
        result, took = _interrupt(process, sig)
    _assert_interrupted(result)
    assert took < SIGNAL_DEADLINE
    assert temp_files(target) == []
    present = read_tree(target)
    assert all(files[key] == data for key, data in present.items()), "a file was half-written"
    assert "stream/one.bin" not in present

    again = runner.run(*ARGS, f"s3://{bucket}/", f"{target}/", source_url=s3_endpoint.endpoint_url)
    assert again.count("transferred") == len(files) - len(present)
    assert read_tree(target) == files


def test_an_error_in_one_worker_stops_the_others_promptly(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    files = {f"slow/{i}.bin": os.urandom(100_000) for i in range(6)}
    files["zz-bad.txt"] = b"refused"
    source = tmp_path / "src"
    write_tree(source, files)
    runner.run(*ARGS, f"{source}/", f"s3://{bucket}/", target_url=s3_endpoint.endpoint_url)
    target = tmp_path / "dst"

    def bad_answers_late(request: ProxiedRequest) -> float:
        # By the time the refusal arrives, the other downloads are stuck mid-body.
        return 3.0 if request.key == "zz-bad.txt" else 0.0

    with FaultProxy(s3_endpoint.endpoint_url, stall_seconds=120.0, latency=bad_answers_late) as proxy:
        proxy.add_rule(
            lambda r: r.operation == "GetObject" and r.key.startswith("slow/"), Fault.STALL, times=None
        )
        proxy.add_rule(lambda r: r.key == "zz-bad.txt", Fault.BAD_REQUEST, times=None)
        started = time.monotonic()
        # No stalled-stream protection: only the cancellation can free the stuck workers.
        result = runner.run(
            *ARGS,
            "--disable-stalled-stream-protection",
            f"s3://{bucket}/",
            f"{target}/",
            source_url=proxy.url,
            expect=1,
            timeout=100,
        )
        took = time.monotonic() - started
        stalled = proxy.stats.faults[Fault.STALL]
    assert took < 60.0, "the stalled workers were not cancelled"
    assert stalled == 6
    assert proxy.stats.faults[Fault.BAD_REQUEST] >= 1
    assert "non force retryable error has occurred." in result.stdout
    assert result.count("error") == 1
    assert temp_files(target) == []


def test_a_second_signal_still_aborts_the_open_uploads_before_exiting(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_tree(source, _files())
    refused: set[str] = set()

    def first_abort_of_each_upload(request: ProxiedRequest) -> bool:
        # Refused once (503, retried by the client), so the aborts are still under way when the second signal
        # comes: an exit at that moment would leave every upload open.
        if request.operation != "AbortMultipartUpload":
            return False
        upload_id = request.query.get("uploadId", [""])[0]
        if upload_id in refused:
            return False
        refused.add(upload_id)
        return True

    def latency(request: ProxiedRequest) -> float:
        return {"UploadPart": 60.0, "AbortMultipartUpload": 1.5}.get(request.operation, 0.0)

    with FaultProxy(s3_endpoint.endpoint_url, latency=latency) as proxy:
        proxy.add_rule(first_abort_of_each_upload, Fault.SLOW_DOWN, times=None)
        process = runner.start(*ARGS, f"{source}/", f"s3://{bucket}/", target_url=proxy.url)
        _wait_for(
            lambda: (
                len(open_uploads(s3_admin, bucket)) > 0
                and proxy.stats.requests_by_operation["UploadPart"] > 0
            )
        )
        process.send_signal(signal.SIGINT)
        _wait_for(lambda: proxy.stats.requests_by_operation["AbortMultipartUpload"] > 0)
        result, took = _interrupt(process, signal.SIGINT)

    assert result.returncode == 130, result.stdout + result.stderr
    assert took < SIGNAL_DEADLINE
    assert open_uploads(s3_admin, bucket) == []
    assert "interrupted again; aborting open uploads and removing temp files before exiting" in result.stderr
    assert "Traceback" not in result.stderr
