"""--resume for uploads: a killed or interrupted multipart upload is continued by the next run.

The first run goes through a proxy that holds every part after the first KEPT_PARTS (the bandwidth of a link that
breaks half-way, made deterministic), and is killed (SIGKILL) or interrupted (SIGINT) once those parts are on the
server. The rerun goes through a recording proxy, so the bytes it sends are measured. Sizes: a 48 MiB file in
5 MiB parts (the issue's 200 MiB would take far longer on this machine and show nothing more).
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

import s3syncpy
from tests.support.e2e import Result
from tests.support.fault_proxy import FaultProxy, ProxiedRequest
from tests.support.fault_runs import FAST_RETRY_ARGS, MIB, S3SyncRunner, open_uploads
from tests.support.seaweed import S3Endpoint

SIZE = 48 * MIB
PART = 5 * MIB
KEPT_PARTS = 5
ARGS = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB", "--force-retry-count", "0")
KEY = "big.bin"


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


@pytest.fixture
def state_env(tmp_path: Path) -> dict[str, str]:
    return {"S3SYNCPY_STATE_DIR": str(tmp_path / "state")}


def _hold_late_parts(request: ProxiedRequest) -> float:
    if request.operation != "UploadPart":
        return 0.0
    return 120.0 if int(request.query["partNumber"][0]) > KEPT_PARTS else 0.0


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the first run never got its first parts onto the server")
        time.sleep(0.1)


def _parts_on_server(s3_admin: Any, bucket: str) -> int:
    uploads = open_uploads(s3_admin, bucket)
    if len(uploads) != 1:
        return 0
    listed = s3_admin.list_parts(Bucket=bucket, Key=KEY, UploadId=uploads[0]["UploadId"])
    return len(listed.get("Parts", []))


def _start_interrupted_upload(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, source: Path, env: dict[str, str],
    sig: signal.Signals = signal.SIGKILL,
) -> Result:
    """Run `s3sync --resume` until KEPT_PARTS parts are on the server, then send `sig`."""
    with FaultProxy(s3_endpoint.endpoint_url, latency=_hold_late_parts) as proxy:
        process = runner.start(*ARGS, "--resume", f"{source}/", f"s3://{bucket}/", target_url=proxy.url, env=env)
        try:
            _wait_for(lambda: _parts_on_server(s3_admin, bucket) >= KEPT_PARTS)
            process.send_signal(sig)
            stdout, stderr = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return Result(process.returncode, stdout, stderr)


def _rerun(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, bucket: str, source: Path, env: dict[str, str], *extra: str
) -> tuple[Result, int]:
    """A rerun through a recording proxy: its result and the UploadPart body bytes it sent."""
    with FaultProxy(s3_endpoint.endpoint_url) as proxy:
        result = runner.run(*ARGS, "-v", *extra, f"{source}/", f"s3://{bucket}/", target_url=proxy.url, env=env)
        sent = proxy.stats.request_bytes_by_operation["UploadPart"]
    return result, sent


def _assert_landed(result: Result, s3_admin: Any, bucket: str, data: bytes, state: Path) -> None:
    assert result.count("transferred") == 1
    assert result.count("warning") == 0, result.stdout  # the ETag verified against the local file
    assert "e_tag_mismatch" not in result.stdout.lower()
    assert s3_admin.get_object(Bucket=bucket, Key=KEY)["Body"].read() == data
    assert open_uploads(s3_admin, bucket) == []
    assert [p for p in state.glob("*.json")] == []  # the journal entry went with the completed upload


def test_killed_upload_resumes_sending_only_the_missing_parts(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path,
    state_env: dict[str, str],
) -> None:
    data = os.urandom(SIZE)
    source = tmp_path / "src"
    source.mkdir()
    (source / KEY).write_bytes(data)

    killed = _start_interrupted_upload(runner, s3_endpoint, s3_admin, bucket, source, state_env)
    assert killed.returncode == -signal.SIGKILL
    assert len(open_uploads(s3_admin, bucket)) == 1

    result, sent = _rerun(runner, s3_endpoint, bucket, source, state_env, "--resume")
    remaining = SIZE - KEPT_PARTS * PART
    assert sent <= remaining + PART, f"the rerun sent {sent} bytes; {remaining} were missing"
    assert sent >= remaining
    assert "resuming a multipart upload." in result.stdout
    _assert_landed(result, s3_admin, bucket, data, tmp_path / "state")


def test_source_changed_since_the_kill_aborts_the_old_upload_and_starts_over(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path,
    state_env: dict[str, str],
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / KEY).write_bytes(os.urandom(SIZE))
    _start_interrupted_upload(runner, s3_endpoint, s3_admin, bucket, source, state_env)
    (old,) = open_uploads(s3_admin, bucket)

    changed = os.urandom(SIZE)
    (source / KEY).write_bytes(changed)
    os.utime(source / KEY, (time.time() + 5, time.time() + 5))
    result, sent = _rerun(runner, s3_endpoint, bucket, source, state_env, "--resume")
    assert "restarting a multipart upload: the source changed since it was started." in result.stdout
    assert sent == SIZE
    _assert_landed(result, s3_admin, bucket, changed, tmp_path / "state")
    assert old["UploadId"] not in {u["UploadId"] for u in open_uploads(s3_admin, bucket)}


def test_a_part_on_the_server_that_differs_from_the_file_is_sent_again(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path,
    state_env: dict[str, str],
) -> None:
    data = os.urandom(SIZE)
    source = tmp_path / "src"
    source.mkdir()
    (source / KEY).write_bytes(data)
    _start_interrupted_upload(runner, s3_endpoint, s3_admin, bucket, source, state_env)
    (upload,) = open_uploads(s3_admin, bucket)
    # Part 2 replaced on the server by bytes of the same size that are not the file's (damage the first run
    # could not see: the server holds what it was sent).
    replaced = s3_admin.upload_part(
        Bucket=bucket, Key=KEY, UploadId=upload["UploadId"], PartNumber=2, Body=os.urandom(PART)
    )["ETag"]

    def part_2_replaced() -> bool:
        listed = s3_admin.list_parts(Bucket=bucket, Key=KEY, UploadId=upload["UploadId"]).get("Parts", [])
        return replaced in [p["ETag"] for p in listed if p["PartNumber"] == 2]

    # The server lists the replacement before the rerun looks (SeaweedFS lists the old part 2 as well).
    _wait_for(part_2_replaced)

    result, sent = _rerun(runner, s3_endpoint, bucket, source, state_env, "--resume")
    assert "a part on the server differs from the local file; sending it again." in result.stdout
    remaining = SIZE - (KEPT_PARTS - 1) * PART
    assert remaining <= sent <= remaining + PART
    _assert_landed(result, s3_admin, bucket, data, tmp_path / "state")


def test_upload_older_than_max_resume_age_is_aborted_not_continued(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path,
    state_env: dict[str, str],
) -> None:
    data = os.urandom(SIZE)
    source = tmp_path / "src"
    source.mkdir()
    (source / KEY).write_bytes(data)
    _start_interrupted_upload(runner, s3_endpoint, s3_admin, bucket, source, state_env)
    time.sleep(1.1)

    result, sent = _rerun(runner, s3_endpoint, bucket, source, state_env, "--resume", "--max-resume-age", "1s")
    assert "aborted an open multipart upload older than --max-resume-age." in result.stdout
    assert sent == SIZE
    _assert_landed(result, s3_admin, bucket, data, tmp_path / "state")


def test_ctrl_c_with_resume_leaves_the_upload_open_and_a_rerun_completes_it(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path,
    state_env: dict[str, str],
) -> None:
    data = os.urandom(SIZE)
    source = tmp_path / "src"
    source.mkdir()
    (source / KEY).write_bytes(data)

    interrupted = _start_interrupted_upload(
        runner, s3_endpoint, s3_admin, bucket, source, state_env, sig=signal.SIGINT
    )
    assert interrupted.returncode == 130, interrupted.stdout + interrupted.stderr
    assert "multipart upload left open for --resume" in interrupted.stdout + interrupted.stderr
    assert len(open_uploads(s3_admin, bucket)) == 1

    result, sent = _rerun(runner, s3_endpoint, bucket, source, state_env, "--resume")
    assert sent <= SIZE - KEPT_PARTS * PART + PART
    _assert_landed(result, s3_admin, bucket, data, tmp_path / "state")


def test_without_resume_ctrl_c_still_aborts_and_nothing_is_journaled(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path,
    state_env: dict[str, str],
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / KEY).write_bytes(os.urandom(SIZE))
    with FaultProxy(s3_endpoint.endpoint_url, latency=_hold_late_parts) as proxy:
        process = runner.start(*ARGS, f"{source}/", f"s3://{bucket}/", target_url=proxy.url, env=state_env)
        _wait_for(lambda: _parts_on_server(s3_admin, bucket) >= KEPT_PARTS)
        process.send_signal(signal.SIGINT)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 130
    assert "left open" not in stdout + stderr
    assert open_uploads(s3_admin, bucket) == []
    assert not (tmp_path / "state").exists()


def test_faults_on_a_resumed_upload_lose_nothing(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path,
    state_env: dict[str, str],
) -> None:
    data = os.urandom(SIZE)
    source = tmp_path / "src"
    source.mkdir()
    (source / KEY).write_bytes(data)
    _start_interrupted_upload(runner, s3_endpoint, s3_admin, bucket, source, state_env)

    with FaultProxy(s3_endpoint.endpoint_url, rate=0.3, seed=23) as proxy:
        result = runner.run(
            *FAST_RETRY_ARGS, "-v", "--resume", f"{source}/", f"s3://{bucket}/", target_url=proxy.url,
            env=state_env, expect=None,
        )
        faulted = proxy.stats.faulted
    assert faulted > 0
    assert result.returncode in (0, 3), result.stdout + result.stderr
    assert "resuming a multipart upload." in result.stdout
    assert s3_admin.get_object(Bucket=bucket, Key=KEY)["Body"].read() == data
    assert open_uploads(s3_admin, bucket) == []


def test_library_resume_counts_kept_parts_as_done_in_progress(
    runner: S3SyncRunner, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path,
    state_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = os.urandom(SIZE)
    source = tmp_path / "src"
    source.mkdir()
    (source / KEY).write_bytes(data)
    _start_interrupted_upload(runner, s3_endpoint, s3_admin, bucket, source, state_env)
    for name, value in runner.environment(None).items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    config = s3syncpy.SyncConfig(
        source=f"{source}/",
        target=f"s3://{bucket}/",
        target_client=s3syncpy.ClientSettings(endpoint_url=s3_endpoint.endpoint_url, force_path_style=True),
        transfer=s3syncpy.Transfer(multipart_threshold=PART, multipart_chunksize=PART),
        resume=s3syncpy.ResumeSettings(resume=True, state_dir=state_env["S3SYNCPY_STATE_DIR"]),
    )
    steps: list[s3syncpy.Progress] = []

    report = s3syncpy.sync_blocking(config, progress=steps.append)

    assert report.exit_code is s3syncpy.ExitCode.SUCCESS
    parts = [step.bytes for step in steps if not step.object_completed]
    # The kept parts come first, as one step each, before any part is sent.
    assert parts[:KEPT_PARTS] == [PART] * KEPT_PARTS
    assert sum(parts) == SIZE == report.stats.transferred_bytes
    assert s3_admin.get_object(Bucket=bucket, Key=KEY)["Body"].read() == data
    assert open_uploads(s3_admin, bucket) == []
