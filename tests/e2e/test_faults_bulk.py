"""1,000 objects synced in each direction (and by server-side copy) through a proxy that faults more than 10% of the requests.

Each run must end with every object present and byte-identical, no multipart upload left open, no temp file left
behind, no error, and counters that add up: every warning is a recovered force retry (with the extra "failed to
put object." warning the reference also counts for a failed write), at least one force retry happens, so the exit
code is 3 (reference §7.2: a run that recovered through force retries still exits 3).

The measured figures are printed (run with -s to see them) and appended to $S3SYNCPY_FAULT_FIGURES when set (not S3SYNC_*: the test environment strips those).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import Result, bucket_objects, read_tree
from tests.support.fault_proxy import Fault, FaultProxy, ProxiedRequest
from tests.support.fault_runs import (
    FAST_RETRY_ARGS,
    S3SyncRunner,
    log_lines,
    make_mixed_tree,
    open_uploads,
    temp_files,
)
from tests.support.seaweed import S3Endpoint

pytestmark = pytest.mark.slow

SMALL, BIG = 990, 10
FAULT_RATE = 0.15
READ_TIMEOUT_MS = 2000
RECOVERY_WARNINGS = {"force retryable error has occurred.", "failed to put object."}


def _listing_or_abort(request: ProxiedRequest) -> bool:
    # A failed listing ends the run by contract, and an abort that never lands leaves an upload open: both are
    # faulted, but never more often in a row than the SDK retries, so the outcome does not depend on luck.
    return request.operation in {"ListObjectsV2", "AbortMultipartUpload"}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("fault-source")
    return root, make_mixed_tree(root, small=SMALL, big=BIG, seed=1234)


@pytest.fixture
def runner(s3_endpoint: S3Endpoint) -> S3SyncRunner:
    return S3SyncRunner(s3_endpoint)


def _proxy(endpoint: S3Endpoint, seed: int) -> FaultProxy:
    return FaultProxy(
        endpoint.endpoint_url,
        rate=FAULT_RATE,
        seed=seed,
        stall_seconds=3 * READ_TIMEOUT_MS / 1000,
        protect=_listing_or_abort,
        max_consecutive=2,
    )


def _check_counters(result: Result, expected_objects: int) -> dict[str, int]:
    warnings = log_lines(result, "WARN")
    messages = [line.split(" WARN ", 1)[1] for line in warnings]
    unexpected = [m for m in messages if not any(m.startswith(ok) for ok in RECOVERY_WARNINGS)]
    assert not unexpected, unexpected[:5]
    force_retries = sum(m.startswith("force retryable error has occurred.") for m in messages)
    assert force_retries >= 1, "the scripted fault guarantees at least one force retry"
    assert log_lines(result, "ERROR") == []
    assert result.count("error") == 0
    assert result.count("warning") == len(warnings)
    assert result.count("transferred") == expected_objects
    assert result.count("etag_verified") == expected_objects
    assert result.returncode == 3
    return {"force_retries": force_retries, "warnings": len(warnings)}


def _record(direction: str, proxy: FaultProxy, counters: dict[str, int], verified: int, lost: int) -> None:
    stats = proxy.stats
    figures: dict[str, Any] = {
        "direction": direction,
        "requests": stats.requests,
        "faults_injected": stats.faulted,
        "fault_ratio": round(stats.fault_ratio, 4),
        "faults_by_kind": {fault.value: count for fault, count in stats.faults.items()},
        "objects_verified": verified,
        "objects_lost": lost,
        **counters,
    }
    print(f"\nfault figures: {json.dumps(figures, sort_keys=True)}")
    path = os.environ.get("S3SYNCPY_FAULT_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(figures, sort_keys=True) + "\n")


def _first(operation: str, key_part: str) -> Any:
    return lambda request: request.operation == operation and key_part in request.key


def test_local_to_s3_through_faults(
    runner: S3SyncRunner,
    s3_endpoint: S3Endpoint,
    s3_admin: Any,
    bucket: str,
    tree: tuple[Path, dict[str, bytes]],
) -> None:
    root, files = tree
    with _proxy(s3_endpoint, seed=11) as proxy:
        # Three 500s in a row on one PutObject exhaust --aws-max-attempts 3: one object needs a force retry.
        proxy.add_rule(_first("PutObject", "small-0007"), Fault.INTERNAL_ERROR, times=3)
        result = runner.run(
            *FAST_RETRY_ARGS,
            "--read-timeout-milliseconds",
            str(READ_TIMEOUT_MS),
            f"{root}/",
            f"s3://{bucket}/up/",
            target_url=proxy.url,
            expect=None,
        )
    counters = _check_counters(result, len(files))
    assert proxy.stats.fault_ratio >= 0.10, proxy.stats.describe()
    assert (
        proxy.stats.faults_by_operation["UploadPart"] > 0
        or proxy.stats.faults_by_operation["CreateMultipartUpload"] > 0
    ), "multipart requests were faulted too"
    stored = bucket_objects(s3_admin, bucket, "up/")
    expected = {f"up/{key}": data for key, data in files.items()}
    lost = [key for key in expected if stored.get(key) != expected[key]]
    assert lost == []
    assert set(stored) == set(expected)
    assert open_uploads(s3_admin, bucket) == []
    _record("local->s3", proxy, counters, verified=len(expected) - len(lost), lost=len(lost))


def test_s3_to_local_through_faults(
    runner: S3SyncRunner,
    s3_endpoint: S3Endpoint,
    bucket: str,
    tree: tuple[Path, dict[str, bytes]],
    tmp_path: Path,
) -> None:
    root, files = tree
    runner.run(*FAST_RETRY_ARGS, f"{root}/", f"s3://{bucket}/down/", target_url=s3_endpoint.endpoint_url)
    target = tmp_path / "download"
    with _proxy(s3_endpoint, seed=22) as proxy:
        proxy.add_rule(_first("GetObject", "small-0011"), Fault.RESET_MID_DOWNLOAD, times=1)
        result = runner.run(
            *FAST_RETRY_ARGS,
            "--read-timeout-milliseconds",
            str(READ_TIMEOUT_MS),
            f"s3://{bucket}/down/",
            f"{target}/",
            source_url=proxy.url,
            expect=None,
        )
    counters = _check_counters(result, len(files))
    assert proxy.stats.fault_ratio >= 0.10, proxy.stats.describe()
    for body_fault in (Fault.RESET_MID_DOWNLOAD, Fault.TRUNCATED_BODY, Fault.STALL):
        assert proxy.stats.faults[body_fault] > 0, proxy.stats.describe()
    downloaded = read_tree(target)
    lost = [key for key in files if downloaded.get(key) != files[key]]
    assert lost == []
    assert set(downloaded) == set(files)
    assert temp_files(target) == []
    _record("s3->local", proxy, counters, verified=len(files) - len(lost), lost=len(lost))


def test_s3_to_s3_through_faults(
    runner: S3SyncRunner,
    s3_endpoint: S3Endpoint,
    s3_admin: Any,
    bucket: str,
    tree: tuple[Path, dict[str, bytes]],
) -> None:
    root, files = tree
    runner.run(*FAST_RETRY_ARGS, f"{root}/", f"s3://{bucket}/from/", target_url=s3_endpoint.endpoint_url)
    with _proxy(s3_endpoint, seed=33) as proxy:
        # Part 1 of one object reset three times in a row: its multipart upload is aborted and redone.
        proxy.add_rule(
            lambda r: (
                r.operation == "UploadPart" and "big-03" in r.key and r.query.get("partNumber") == ["1"]
            ),
            Fault.RESET_MID_UPLOAD,
            times=3,
        )
        result = runner.run(
            *FAST_RETRY_ARGS,
            "--read-timeout-milliseconds",
            str(READ_TIMEOUT_MS),
            f"s3://{bucket}/from/",
            f"s3://{bucket}/to/",
            source_url=proxy.url,
            target_url=proxy.url,
            expect=None,
        )
    counters = _check_counters(result, len(files))
    assert proxy.stats.fault_ratio >= 0.10, proxy.stats.describe()
    stored = bucket_objects(s3_admin, bucket, "to/")
    expected = {f"to/{key}": data for key, data in files.items()}
    lost = [key for key in expected if stored.get(key) != expected[key]]
    assert lost == []
    assert set(stored) == set(expected)
    assert open_uploads(s3_admin, bucket) == []
    _record("s3->s3", proxy, counters, verified=len(expected) - len(lost), lost=len(lost))


def test_server_side_copy_through_faults(
    runner: S3SyncRunner,
    s3_endpoint: S3Endpoint,
    s3_admin: Any,
    bucket: str,
    tree: tuple[Path, dict[str, bytes]],
) -> None:
    root, files = tree
    runner.run(*FAST_RETRY_ARGS, f"{root}/", f"s3://{bucket}/ssc-from/", target_url=s3_endpoint.endpoint_url)
    with _proxy(s3_endpoint, seed=44) as proxy:
        # Three 500s in a row on one CopyObject exhaust --aws-max-attempts 3: one object needs a force retry; part 1
        # of one multipart copy reset three times: its upload is aborted and the copy redone.
        proxy.add_rule(_first("CopyObject", "small-0007"), Fault.INTERNAL_ERROR, times=3)
        proxy.add_rule(
            lambda r: (
                r.operation == "UploadPartCopy" and "big-03" in r.key and r.query.get("partNumber") == ["1"]
            ),
            Fault.RESET_BEFORE_RESPONSE,
            times=3,
        )
        result = runner.run(
            *FAST_RETRY_ARGS,
            "--server-side-copy",
            f"s3://{bucket}/ssc-from/",
            f"s3://{bucket}/ssc-to/",
            source_url=proxy.url,
            target_url=proxy.url,
            expect=None,
        )
    counters = _check_counters(result, len(files))
    assert proxy.stats.fault_ratio >= 0.10, proxy.stats.describe()
    operations = proxy.stats.requests_by_operation
    assert operations["GetObject"] == operations["PutObject"] == operations["UploadPart"] == 0, operations
    assert proxy.stats.faults_by_operation["UploadPartCopy"] > 0, proxy.stats.describe()
    stored = bucket_objects(s3_admin, bucket, "ssc-to/")
    expected = {f"ssc-to/{key}": data for key, data in files.items()}
    lost = [key for key in expected if stored.get(key) != expected[key]]
    assert lost == []
    assert set(stored) == set(expected)
    assert open_uploads(s3_admin, bucket) == []
    _record("s3->s3 server-side copy", proxy, counters, verified=len(expected) - len(lost), lost=len(lost))
