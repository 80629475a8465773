"""Sharded syncs on a Dask LocalCluster of worker processes (--dask-scheduler), against the real server.

A sharded run must leave exactly what one unsharded run leaves, with the same counters, in every direction;
--delete across shards deletes exactly the target-only keys; a worker killed mid-run costs nothing but time.
S3SYNC_TEST_SHARD_OBJECTS sets the size of the large tree (default 10,000 objects).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import Result, RunS3Sync, read_tree, s3sync_command, write_tree
from tests.support.seaweed import S3Endpoint

distributed = pytest.importorskip("distributed")

OBJECTS = int(os.environ.get("S3SYNC_TEST_SHARD_OBJECTS", "10000"))
BIG_SIZE = 9 * 1024 * 1024  # above the default 8 MiB threshold: multipart
SHARDS = "4"
COUNTERS = ("transferred", "etag_verified", "checksum_verified", "deleted", "skipped", "error", "warning")


def _cluster(s3_endpoint: S3Endpoint) -> Any:
    # Workers get their credentials from their own environment: the task payloads carry none.
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        env={
            "AWS_ACCESS_KEY_ID": s3_endpoint.access_key,
            "AWS_SECRET_ACCESS_KEY": s3_endpoint.secret_key,
            "AWS_REGION": s3_endpoint.region,
        },
    )


@pytest.fixture(scope="module")
def scheduler(s3_endpoint: S3Endpoint) -> Iterator[str]:
    with _cluster(s3_endpoint) as cluster:
        yield cluster.scheduler_address


def _mixed_tree(root: Path, count: int, seed: int) -> dict[str, bytes]:
    rng = random.Random(seed)
    files = {f"d{index % 50:02d}/f{index:05d}.bin": rng.randbytes(rng.randint(0, 2048)) for index in range(count)}
    # Keys whose order differs between a directory walk and S3 (`-` sorts before `/`), and non-ASCII ones.
    files.update({"a-b": b"dash", "a/b": b"slash", "é/ü-1.txt": b"accent", "日本/語.txt": b"cjk"})
    files.update({f"big/big-{index}.bin": rng.randbytes(BIG_SIZE) for index in range(2)})
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


def test_sharded_runs_leave_what_unsharded_runs_leave_in_every_direction(
    run_s3sync: RunS3Sync, scheduler: str, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    files = _mixed_tree(source, OBJECTS, seed=7)
    sharded = ("--dask-scheduler", scheduler, "--dask-shards", SHARDS)

    whole = run_s3sync(f"{source}/", f"s3://{bucket}/whole/")
    split = run_s3sync(*sharded, f"{source}/", f"s3://{bucket}/split/")
    assert _counters(split) == _counters(whole)
    assert split.count("transferred") == len(files)
    assert _listing(s3_admin, bucket, "split/") == _listing(s3_admin, bucket, "whole/")

    whole = run_s3sync(f"s3://{bucket}/whole/", f"{tmp_path}/whole-down/")
    split = run_s3sync(*sharded, f"s3://{bucket}/whole/", f"{tmp_path}/split-down/")
    assert _counters(split) == _counters(whole)
    assert read_tree(tmp_path / "split-down") == read_tree(tmp_path / "whole-down") == files

    whole = run_s3sync(f"s3://{bucket}/whole/", f"s3://{bucket}/copy-whole/")
    split = run_s3sync(*sharded, f"s3://{bucket}/whole/", f"s3://{bucket}/copy-split/")
    assert _counters(split) == _counters(whole)
    assert _listing(s3_admin, bucket, "copy-split/") == _listing(s3_admin, bucket, "whole/")

    # A second sharded run finds everything in place.
    again = run_s3sync(*sharded, f"{source}/", f"s3://{bucket}/split/")
    assert again.count("transferred") == 0 and again.returncode == 0


def test_delete_across_shards_removes_exactly_the_target_only_keys(
    run_s3sync: RunS3Sync, scheduler: str, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    files = _mixed_tree(source, 400, seed=8)
    run_s3sync(f"{source}/", f"s3://{bucket}/t/")
    # Target-only keys spread over the key space: before, between and after the source's keys.
    extras = ["!first", "a-a", "d07/f00000.bin-old", "d49/zz", "é/extra", "~last"]
    for key in extras:
        s3_admin.put_object(Bucket=bucket, Key=f"t/{key}", Body=b"extra")

    result = run_s3sync("--dask-scheduler", scheduler, "--dask-shards", "6", "--delete", f"{source}/", f"s3://{bucket}/t/")

    assert result.count("deleted") == len(extras)
    assert result.count("transferred") == 0
    assert set(_listing(s3_admin, bucket, "t/")) == set(files)


def test_a_worker_killed_mid_run_loses_nothing(
    run_s3sync: RunS3Sync, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    files = _mixed_tree(source, 3000, seed=9)
    with _cluster(s3_endpoint) as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        command = [
            *s3sync_command(),
            "--dask-scheduler", cluster.scheduler_address, "--dask-shards", "8",
            "--target-endpoint-url", s3_endpoint.endpoint_url, "--target-force-path-style",
            f"{source}/", f"s3://{bucket}/k/",
        ]
        environment = dict(os.environ)
        environment.update(
            AWS_ACCESS_KEY_ID=s3_endpoint.access_key,
            AWS_SECRET_ACCESS_KEY=s3_endpoint.secret_key,
            AWS_REGION=s3_endpoint.region,
        )
        process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while s3_admin.list_objects_v2(Bucket=bucket, Prefix="k/", MaxKeys=500).get("KeyCount", 0) < 300:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before the worker could be killed"
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=300)

    assert process.returncode == 0, stdout + stderr
    assert _listing(s3_admin, bucket, "k/").keys() == files.keys()
    check = run_s3sync("--check-etag", f"{source}/", f"s3://{bucket}/k/")
    assert check.count("transferred") == 0


def test_explicit_access_keys_are_refused_before_any_shard_runs(tmp_path: Path) -> None:
    """The workers would silently use their own credentials instead: one line, exit 2, nothing contacted."""
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
    result = subprocess.run(
        [*s3sync_command(), "--dask-scheduler", "tcp://127.0.0.1:1", "--target-access-key", "AKIDEXAMPLE",
         "--target-secret-access-key", secret, str(tmp_path), "s3://bucket/"],
        capture_output=True, text=True, timeout=60, check=False,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: --target-access-key/--target-secret-access-key/--target-session-token "
                                    "cannot be combined with --dask-scheduler: task payloads carry no credentials, "
                                    "each worker uses its own (its AWS_* environment")
    assert result.stderr.count("\n") == 1
    assert secret not in result.stderr
