"""A versioned sync (--enable-versioning) through a proxy faulting more than 10% of the requests, and runs that
fail half-way or are interrupted by Ctrl-C and are re-run: the target ends with the source's version history, in
order, nothing duplicated.

The CI variant is small (VERSIONED_KEYS keys of 3 versions each); S3SYNCPY_FAULT_VERSIONED_KEYS raises it for a
measured run. Figures are printed (-s) and appended to $S3SYNCPY_FAULT_FIGURES when set.
"""

from __future__ import annotations

import json
import os
import signal
import time
from typing import Any

import pytest

from tests.e2e.test_versioning import history
from tests.support.fault_proxy import Fault, FaultProxy, ProxiedRequest
from tests.support.fault_runs import FAST_RETRY_ARGS, S3SyncRunner, log_lines
from tests.support.seaweed import S3Endpoint

pytestmark = pytest.mark.slow

VERSIONED_KEYS = int(os.environ.get("S3SYNCPY_FAULT_VERSIONED_KEYS", "40"))
VERSIONS = 3
FAULT_RATE = 0.15
RECOVERY_WARNINGS = {"force retryable error has occurred.", "failed to put object."}


def _protected(request: ProxiedRequest) -> bool:
    # A failed listing or versioning check ends the run by contract: faulted, never more often in a row than
    # the SDK retries.
    return request.operation in {"ListObjectVersions", "GetBucketVersioning"}


def _fill(s3_admin: Any, bucket: str) -> None:
    for n in range(VERSIONED_KEYS):
        key = f"k/{n:04d}"
        for version in range(VERSIONS):
            s3_admin.put_object(Bucket=bucket, Key=key, Body=f"{key} v{version} ".encode() * (n % 7 + 1))
        if n % 5 == 0:
            s3_admin.delete_object(Bucket=bucket, Key=key)


def test_versioned_sync_through_faults(s3_endpoint: S3Endpoint, s3_admin: Any, source_bucket: str,
                                       versioned_target: str) -> None:
    _fill(s3_admin, source_bucket)
    runner = S3SyncRunner(s3_endpoint)
    with FaultProxy(s3_endpoint.endpoint_url, rate=FAULT_RATE, seed=44, protect=_protected,
                    max_consecutive=2) as proxy:
        # Three 500s in a row on one PutObject exhaust --aws-max-attempts 3: one version needs a force retry.
        proxy.add_rule(lambda r: r.operation == "PutObject" and r.key.endswith("k/0003"), Fault.INTERNAL_ERROR,
                       times=3)
        result = runner.run(*FAST_RETRY_ARGS, "--enable-versioning", f"s3://{source_bucket}/",
                            f"s3://{versioned_target}/", source_url=proxy.url, target_url=proxy.url, expect=None)

    messages = [line.split(" WARN ", 1)[1] for line in log_lines(result, "WARN")]
    assert [m for m in messages if not any(m.startswith(ok) for ok in RECOVERY_WARNINGS)] == []
    assert log_lines(result, "ERROR") == [], result.stdout[-2000:]
    assert proxy.stats.fault_ratio >= 0.10, proxy.stats.describe()
    source = history(s3_admin, source_bucket)
    target = history(s3_admin, versioned_target)
    assert target == source  # _fill writes no intermediate delete markers
    assert result.count("transferred") == VERSIONED_KEYS * VERSIONS
    assert result.count("deleted") == len(range(0, VERSIONED_KEYS, 5))

    again = runner.run("--enable-versioning", f"s3://{source_bucket}/", f"s3://{versioned_target}/",
                       source_url=s3_endpoint.endpoint_url, target_url=s3_endpoint.endpoint_url)
    assert (again.count("transferred"), again.count("deleted")) == (0, 0)
    assert history(s3_admin, versioned_target) == target

    stats = proxy.stats
    figures = {
        "direction": "s3->s3 --enable-versioning",
        "keys": VERSIONED_KEYS,
        "versions": VERSIONED_KEYS * VERSIONS,
        "requests": stats.requests,
        "faults_injected": stats.faulted,
        "fault_ratio": round(stats.fault_ratio, 4),
        "faults_by_kind": {fault.value: count for fault, count in stats.faults.items()},
        "force_retries": sum(m.startswith("force retryable error has occurred.") for m in messages),
        "warnings": len(messages),
        "target_versions": len(target),
        "duplicates": len(target) - len(set(target)),
    }
    print(f"\nfault figures: {json.dumps(figures, sort_keys=True)}")
    path = os.environ.get("S3SYNCPY_FAULT_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(figures, sort_keys=True) + "\n")


def test_a_run_failing_half_way_is_completed_by_a_rerun(s3_endpoint: S3Endpoint, s3_admin: Any,
                                                        source_bucket: str, versioned_target: str) -> None:
    _fill(s3_admin, source_bucket)
    runner = S3SyncRunner(s3_endpoint)
    with FaultProxy(s3_endpoint.endpoint_url, rate=0.0) as proxy:
        # A non-retryable error on the first PutObject of two keys: the run ends with errors (exit 1), and the
        # later versions of those keys are not copied out of order.
        proxy.add_rule(lambda r: r.operation == "PutObject" and r.key.endswith(("k/0001", "k/0007")),
                       Fault.BAD_REQUEST, times=2)
        failed = runner.run("--enable-versioning", f"s3://{source_bucket}/", f"s3://{versioned_target}/",
                            source_url=s3_endpoint.endpoint_url, target_url=proxy.url, expect=1)
    assert failed.count("error") >= 1
    half = history(s3_admin, versioned_target)
    assert half != history(s3_admin, source_bucket)

    runner.run("--enable-versioning", f"s3://{source_bucket}/", f"s3://{versioned_target}/",
               source_url=s3_endpoint.endpoint_url, target_url=s3_endpoint.endpoint_url)

    assert history(s3_admin, versioned_target) == history(s3_admin, source_bucket)


def _target_versions(s3_admin: Any, bucket: str) -> int:
    page = s3_admin.list_object_versions(Bucket=bucket)
    return len(page.get("Versions", []))


def test_a_run_interrupted_by_ctrl_c_is_completed_by_a_rerun(s3_endpoint: S3Endpoint, s3_admin: Any,
                                                             source_bucket: str, versioned_target: str) -> None:
    _fill(s3_admin, source_bucket)
    runner = S3SyncRunner(s3_endpoint)
    # Slow writes, so that the signal lands with part of the history copied and some copies in flight.
    with FaultProxy(s3_endpoint.endpoint_url, latency=lambda r: 0.1 if r.operation == "PutObject" else 0.0) as proxy:
        process = runner.start("--worker-size", "4", "--enable-versioning", f"s3://{source_bucket}/",
                               f"s3://{versioned_target}/", source_url=s3_endpoint.endpoint_url,
                               target_url=proxy.url)
        deadline = time.monotonic() + 60
        while _target_versions(s3_admin, versioned_target) < 10:
            assert time.monotonic() < deadline, "the run never copied 10 versions"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    assert process.returncode == 130
    assert 0 < _target_versions(s3_admin, versioned_target) < VERSIONED_KEYS * VERSIONS

    runner.run("--enable-versioning", f"s3://{source_bucket}/", f"s3://{versioned_target}/",
               source_url=s3_endpoint.endpoint_url, target_url=s3_endpoint.endpoint_url)

    assert history(s3_admin, versioned_target) == history(s3_admin, source_bucket)
