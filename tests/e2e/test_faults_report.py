"""Report mode through a proxy that faults more than 10% of the requests: the report is still exact.

500 local files against their uploaded copies, 5 of them edited and 5 deleted from the bucket afterwards; the HEADs
of the report (one per object, through botocore) are faulted with resets, 5xx, throttling and stalls. The summary
must count every object exactly once with the true outcome; every warning is a recovered force retry; no error.
The measured figures are printed (run with -s) and appended to $S3SYNCPY_FAULT_FIGURES when set.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.fault_runs import FAST_RETRY_ARGS, S3SyncRunner, make_mixed_tree
from tests.support.seaweed import S3Endpoint

pytestmark = pytest.mark.slow

SMALL, BIG = 490, 10
EDITED, DELETED = 5, 5
FAULT_RATE = 0.15
READ_TIMEOUT_MS = 2000


def test_report_through_faults_is_exact(tmp_path: Path, s3_endpoint: S3Endpoint, s3_admin: Any, bucket: str) -> None:
    runner = S3SyncRunner(s3_endpoint)
    files = make_mixed_tree(tmp_path, small=SMALL, big=BIG, seed=99)
    runner.run(*FAST_RETRY_ARGS, f"{tmp_path}/", f"s3://{bucket}/r/", target_url=s3_endpoint.endpoint_url)
    keys = sorted(files)
    for key in keys[:EDITED]:
        tmp_path.joinpath(*key.split("/")).write_bytes(b"edited after the upload")
    for key in keys[-DELETED:]:
        s3_admin.delete_object(Bucket=bucket, Key=f"r/{key}")

    with FaultProxy(s3_endpoint.endpoint_url, rate=FAULT_RATE, seed=7, stall_seconds=3 * READ_TIMEOUT_MS / 1000,
                    max_consecutive=2) as proxy:
        # Three 500s in a row on one HEAD exhaust --aws-max-attempts 3: that object needs a force retry.
        proxy.add_rule(lambda r: r.operation == "HeadObject" and keys[100] in r.key, Fault.INTERNAL_ERROR, times=3)
        result = runner.run(*FAST_RETRY_ARGS, "--read-timeout-milliseconds", str(READ_TIMEOUT_MS), "--json-tracing",
                            "--report-sync-status", f"{tmp_path}/", f"s3://{bucket}/r/",
                            target_url=proxy.url, expect=None)

    records = [json.loads(line) for line in result.stdout.splitlines()]
    summary = [r["fields"] for r in records if r["fields"].get("name") == "REPORT_SUMMARY"]
    statuses = [r["fields"] for r in records if r["fields"].get("name") == "SYNC_STATUS"]
    warnings = [r["fields"]["message"] for r in records if r["level"] == "WARN"]
    errors = [r for r in records if r["level"] == "ERROR"]
    assert errors == []
    assert result.returncode == 3
    assert summary == [{
        "name": "REPORT_SUMMARY", "number_of_objects": SMALL + BIG, "etag_matches": SMALL + BIG - EDITED - DELETED,
        "checksum_matches": 0, "metadata_matches": 0, "tagging_matches": 0, "not_found": DELETED,
        "etag_mismatch": EDITED, "checksum_mismatch": 0, "metadata_mismatch": 0, "tagging_mismatch": 0,
        "etag_unknown": 0, "checksum_unknown": 0,
    }]
    assert sorted(s["key"] for s in statuses) == keys  # one record per object, none twice
    assert warnings and set(warnings) == {"force retryable error has occurred."}
    assert proxy.stats.fault_ratio >= 0.10, proxy.stats.describe()
    figures = {
        "direction": "report local->s3",
        "requests": proxy.stats.requests,
        "faults_injected": proxy.stats.faulted,
        "fault_ratio": round(proxy.stats.fault_ratio, 4),
        "faults_by_kind": {fault.value: count for fault, count in proxy.stats.faults.items()},
        "objects_reported": len(statuses),
        "force_retries": len(warnings),
    }
    print(f"\nfault figures: {json.dumps(figures, sort_keys=True)}")
    path = os.environ.get("S3SYNCPY_FAULT_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(figures, sort_keys=True) + "\n")
