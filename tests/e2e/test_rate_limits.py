"""--rate-limit-objects and --rate-limit-bandwidth against an unlimited baseline of the same run, end to end.

The limits start with a full second of tokens, so N objects at R/s take at least (N - R) / R seconds more than
free, and B bytes at R bytes/s at least (B - R) / R seconds.
"""

from __future__ import annotations

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
