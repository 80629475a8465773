"""Sharded runs on local worker processes (`--dask-shards N` without --dask-scheduler), against the real server.

Needs no Dask. A sharded run must leave exactly what one run leaves, with the same counters and exit code, in
every direction; --delete across shards deletes exactly the target-only keys; Ctrl-C stops every worker and
exits 130; what cannot be sharded is refused before anything runs.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import SUMMARY_PATTERN, Result, RunS3Sync, put_objects, read_tree, write_tree
from tests.support.fault_runs import S3SyncRunner, log_lines, open_uploads
from tests.support.seaweed import S3Endpoint

SHARDS = ("--dask-shards", "2")
# One multipart object among the small ones: 6 MiB at a 5 MiB threshold.
MULTIPART = ("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB")
COUNTERS = ("transferred", "etag_verified", "checksum_verified", "deleted", "skipped", "error", "warning")


def _tree(root: Path, seed: int) -> dict[str, bytes]:
    rng = random.Random(seed)
    files = {f"d{index % 5}/f{index:02d}.bin": rng.randbytes(rng.randint(0, 4096)) for index in range(30)}
    # Keys whose order differs between a directory walk and S3 (`-` sorts before `/`), and non-ASCII ones.
    files.update({"a-b": b"dash", "a/b": b"slash", "é/ü-1.txt": b"accent", "日本/語.txt": b"cjk"})
    files["big/multipart.bin"] = rng.randbytes(6 * 1024 * 1024)
    write_tree(root, files)
    return files


def _listing(client: Any, bucket: str, prefix: str) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            found[entry["Key"][len(prefix):]] = (entry["Size"], entry["ETag"])
    return found


def _counters(result: Result) -> dict[str, int]:
    return {name: result.count(name) for name in COUNTERS}


def _worker_pids(result: Result) -> set[str]:
    """The processes that logged `shard started.` (-v shows it)."""
    return {match.group(1) for match in re.finditer(r"shard started\..*\bpid=(\d+)", result.stdout)}


def test_local_shards_leave_what_one_run_leaves_in_every_direction(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    files = _tree(source, seed=21)

    whole = run_s3sync(*MULTIPART, f"{source}/", f"s3://{bucket}/whole/")
    split = run_s3sync("-v", *SHARDS, *MULTIPART, f"{source}/", f"s3://{bucket}/split/")
    assert _counters(split) == _counters(whole)
    assert split.count("transferred") == len(files)
    assert _listing(s3_admin, bucket, "split/") == _listing(s3_admin, bucket, "whole/")
    # Two processes ran a shard each: the command's own and one worker.
    assert len(_worker_pids(split)) == 2, split.stdout
    assert len([line for line in split.stdout.splitlines() if SUMMARY_PATTERN.search(line)]) == 1

    whole = run_s3sync(*MULTIPART, f"s3://{bucket}/whole/", f"{tmp_path}/whole-down/")
    split = run_s3sync(*SHARDS, *MULTIPART, f"s3://{bucket}/whole/", f"{tmp_path}/split-down/")
    assert _counters(split) == _counters(whole)
    assert read_tree(tmp_path / "split-down") == read_tree(tmp_path / "whole-down") == files

    whole = run_s3sync(*MULTIPART, f"s3://{bucket}/whole/", f"s3://{bucket}/copy-whole/")
    split = run_s3sync(*SHARDS, *MULTIPART, f"s3://{bucket}/whole/", f"s3://{bucket}/copy-split/")
    assert _counters(split) == _counters(whole)
    assert _listing(s3_admin, bucket, "copy-split/") == _listing(s3_admin, bucket, "copy-whole/")

    # A second sharded run finds everything in place, with the same counters as a second single run.
    again_whole = run_s3sync(*MULTIPART, f"{source}/", f"s3://{bucket}/whole/")
    again_split = run_s3sync(*SHARDS, *MULTIPART, f"{source}/", f"s3://{bucket}/split/")
    assert _counters(again_split) == _counters(again_whole)
    assert again_split.count("transferred") == 0


def test_delete_across_local_shards_removes_exactly_the_target_only_keys(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    files = _tree(source, seed=22)
    run_s3sync(*MULTIPART, f"{source}/", f"s3://{bucket}/t/")
    # Target-only keys spread over the key space: before, between and after the source's keys.
    extras = ["!first", "a-a", "d2/f00.bin-old", "d4/zz", "é/extra", "~last"]
    for key in extras:
        s3_admin.put_object(Bucket=bucket, Key=f"t/{key}", Body=b"extra")

    result = run_s3sync("--dask-shards", "3", "--delete", *MULTIPART, f"{source}/", f"s3://{bucket}/t/")

    assert result.count("deleted") == len(extras)
    assert result.count("transferred") == 0
    assert set(_listing(s3_admin, bucket, "t/")) == set(files)


def test_warnings_in_shards_give_the_single_runs_counters_and_exit_code_3(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    # Keys a local target refuses (a traversal guard), one early and one late in the key space.
    objects = {f"m{index:02d}.txt": b"ok" for index in range(20)}
    objects.update({"a/.../escape.txt": b"evil", "zz/.. /escape.txt": b"evil"})
    put_objects(s3_admin, bucket, objects)

    whole = run_s3sync(f"s3://{bucket}/", str(tmp_path / "whole"), expect=3)
    split = run_s3sync(*SHARDS, f"s3://{bucket}/", str(tmp_path / "split"), expect=3)

    assert _counters(split) == _counters(whole)
    assert split.count("warning") == 2
    assert read_tree(tmp_path / "split") == read_tree(tmp_path / "whole")
    # The workers log their warnings as the single run does.
    assert len(log_lines(split, "WARN")) == len(log_lines(whole, "WARN")) >= 2


def test_explicit_credentials_reach_the_local_workers(
    run_s3sync: RunS3Sync, s3_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    """Unlike remote Dask workers, local processes get the command line's keys (they stay on this machine)."""
    write_tree(tmp_path / "source", {f"k{index}": b"x" for index in range(10)})
    wrong = {"AWS_ACCESS_KEY_ID": "AKIDWRONG", "AWS_SECRET_ACCESS_KEY": "wrong-secret"}

    result = run_s3sync(*SHARDS, "--target-access-key", s3_endpoint.access_key,
                        "--target-secret-access-key", s3_endpoint.secret_key,
                        f"{tmp_path / 'source'}/", f"s3://{bucket}/", env=wrong)

    assert result.count("transferred") == 10
    assert s3_endpoint.secret_key not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("arguments", "mentioned"),
    [
        (["--delete", "--max-delete", "5"], "--max-delete cannot be combined with --dask-shards"),
        (["--key-range-start", "m"], "cannot be combined with --dask-shards"),
    ],
    ids=["max-delete", "key-range"],
)
def test_what_cannot_be_sharded_is_refused_with_exit_2(
    arguments: list[str], mentioned: str, run_s3sync: RunS3Sync, bucket: str, tmp_path: Path
) -> None:
    write_tree(tmp_path / "source", {"one": b"1"})

    result = run_s3sync(*SHARDS, *arguments, f"{tmp_path / 'source'}/", f"s3://{bucket}/", expect=2)

    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert mentioned in result.stderr


def _descendants(pid: int) -> set[int]:
    """The processes below `pid` (Linux /proc)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = {int(child) for child in (task / "children").read_text().split()}
            except OSError:
                continue
            pending.extend(children - found)
            found |= children
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_ctrl_c_stops_every_worker_and_exits_130(
    s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    write_tree(tmp_path / "source", {f"f{index:03d}": b"x" * 100 for index in range(100)})
    runner = S3SyncRunner(s3_endpoint)
    # Slow enough to be interrupted half-way: 50 objects per shard at 10 objects/s each.
    command = runner.command((*SHARDS, "--rate-limit-objects", "10", f"{tmp_path / 'source'}/", f"s3://{bucket}/"),
                             None, s3_endpoint.endpoint_url)
    process = subprocess.Popen(command, env=runner.environment(None), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while s3_admin.list_objects_v2(Bucket=bucket, MaxKeys=100).get("KeyCount", 0) < 6:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no object arrived"
            time.sleep(0.05)
        # The command runs one shard itself and the other in a worker (beside multiprocessing's resource
        # tracker, which leaves only once the command has gone).
        descendants = _descendants(process.pid)
        workers = {pid for pid in descendants if "spawn_main" in _command_line(pid)}
        assert workers, "no worker process"
        # A terminal's Ctrl-C reaches the whole foreground process group.
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()

    assert process.returncode == 130, stdout + stderr
    assert len([line for line in stdout.splitlines() if SUMMARY_PATTERN.search(line)]) == 1, stdout
    assert "Traceback" not in stderr, stderr
    assert s3_admin.list_objects_v2(Bucket=bucket, MaxKeys=1000).get("KeyCount", 0) < 100
    # The command waited for its workers; its helper follows it within moments.
    assert not [pid for pid in workers if _alive(pid)]
    deadline = time.monotonic() + 10
    while [pid for pid in descendants if _alive(pid)]:
        assert time.monotonic() < deadline, [_command_line(pid) for pid in descendants if _alive(pid)]
        time.sleep(0.05)
    assert open_uploads(s3_admin, bucket) == []
