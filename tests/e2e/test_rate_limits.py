"""--rate-limit-objects and --rate-limit-bandwidth against an unlimited baseline of the same run, end to end.

The limits start with a full second of tokens, so N objects at R/s take at least (N - R) / R seconds more than
free, and B bytes at R bytes/s at least (B - R) / R seconds.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from tests.support.e2e import RunS3Sync, bucket_objects, write_tree

MiB = 1024 * 1024


def _timed(run_s3sync: RunS3Sync, *args: str) -> tuple[float, Any]:
    started = time.monotonic()
    result = run_s3sync(*args)
    return time.monotonic() - started, result


def test_objects_per_second_against_the_unlimited_baseline(tmp_path: Path, bucket: str, s3_admin: Any,
                                                           run_s3sync: RunS3Sync) -> None:
    files = {f"obj{i:03}": b"x" * 100 for i in range(60)}
    write_tree(tmp_path / "src", files)

    # The best of two unlimited runs: the first pays one-time costs (the bucket's first writes, caches).
    baseline = min(_timed(run_s3sync, str(tmp_path / "src"), f"s3://{bucket}/{name}/")[0] for name in ("f1", "f2"))
    limited, result = _timed(run_s3sync, "--rate-limit-objects", "10", str(tmp_path / "src"), f"s3://{bucket}/slow/")

    print(f"60 objects: unlimited {baseline:.2f} s, --rate-limit-objects 10: {limited:.2f} s")
    # 60 puts and one target listing page at 10/s, the first 10 free: at least 5.1 s of waiting.
    assert limited >= 5.0
    assert limited - baseline >= 4.0
    assert limited < 30
    assert result.count("transferred") == 60
    assert len(bucket_objects(s3_admin, bucket, "slow/")) == 60


def test_bandwidth_against_the_unlimited_baseline(tmp_path: Path, bucket: str, s3_admin: Any,
                                                  run_s3sync: RunS3Sync) -> None:
    files = {f"big{i}": os.urandom(MiB) for i in range(5)}
    write_tree(tmp_path / "src", files)

    # The best of two unlimited runs: the first pays one-time costs (the bucket's first writes, caches).
    baseline = min(_timed(run_s3sync, str(tmp_path / "src"), f"s3://{bucket}/{name}/")[0] for name in ("f1", "f2"))
    limited, result = _timed(run_s3sync, "--rate-limit-bandwidth", "1MiB", str(tmp_path / "src"),
                             f"s3://{bucket}/slow/")
    downloaded, _ = _timed(run_s3sync, "--rate-limit-bandwidth", "1MiB", f"s3://{bucket}/slow/",
                           str(tmp_path / "back"))

    print(f"5 MiB: unlimited {baseline:.2f} s, --rate-limit-bandwidth 1MiB upload {limited:.2f} s, "
          f"download {downloaded:.2f} s")
    # 5 MiB read at 1 MiB/s, the first MiB free: at least 4 s.
    assert limited >= 3.9 and downloaded >= 3.9
    assert limited - baseline >= 3.0
    assert limited < 30
    assert result.count("transferred") == 5
    assert {f"slow/{k}": v for k, v in files.items()} == bucket_objects(s3_admin, bucket, "slow/")
    assert {k: (tmp_path / "back" / k).read_bytes() for k in files} == files


def test_report_listing_pages_take_object_tokens(bucket: str, target_bucket: str, s3_admin: Any,
                                                 run_s3sync: RunS3Sync) -> None:
    # Report mode writes nothing: its listing's pages are all that --rate-limit-objects paces (a HEAD takes no
    # token). One object a page (--max-keys 1): 40 pages at 10/s, the first 10 free, is at least 3 s of waiting.
    for i in range(40):
        for name in (bucket, target_bucket):
            s3_admin.put_object(Bucket=name, Key=f"obj{i:03}", Body=b"x")
    source, target = f"s3://{bucket}/", f"s3://{target_bucket}/"

    report = ("--report-sync-status", "--json-tracing", "--max-keys", "1")

    baseline, _ = _timed(run_s3sync, *report, source, target)
    limited, result = _timed(run_s3sync, *report, "--rate-limit-objects", "10", source, target)

    print(f"report of 40 one-key pages: unlimited {baseline:.2f} s, --rate-limit-objects 10: {limited:.2f} s")
    assert limited >= 2.9
    assert limited - baseline >= 2.0
    assert limited < 30
    summary = json.loads(result.stdout.splitlines()[-1])["fields"]
    assert (summary["name"], summary["number_of_objects"], summary["etag_matches"]) == ("REPORT_SUMMARY", 40, 40)


def test_version_listing_pages_take_object_tokens(source_bucket: str, versioned_target: str, s3_admin: Any,
                                                  run_s3sync: RunS3Sync) -> None:
    # A re-run with every version copied already writes nothing: it lists the source's versions (one key a page
    # with --max-keys 1) and each key's target versions (one page each), 60 pages at 10/s, the first 10 free: at
    # least 5 s of waiting.
    for i in range(30):
        s3_admin.put_object(Bucket=source_bucket, Key=f"obj{i:03}", Body=b"x")
    source, target = f"s3://{source_bucket}/", f"s3://{versioned_target}/"
    first = run_s3sync("--enable-versioning", source, target)
    assert first.count("transferred") == 30

    baseline, _ = _timed(run_s3sync, "--enable-versioning", "--max-keys", "1", source, target)
    limited, result = _timed(run_s3sync, "--enable-versioning", "--max-keys", "1", "--rate-limit-objects", "10",
                             source, target)

    print(f"versioned re-run of 30 keys: unlimited {baseline:.2f} s, --rate-limit-objects 10: {limited:.2f} s")
    assert limited >= 4.9
    assert limited - baseline >= 3.5
    assert limited < 30
    assert result.count("transferred") == 0
