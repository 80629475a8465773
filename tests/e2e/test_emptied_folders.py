"""A folder emptied by a delete, end to end: parallel listings (the default) count what serial ones count.

SeaweedFS keeps a folder whose last object was deleted; listed by delimiter (as the parallel listing lists
sub-prefixes) it shows up as a key equal to the folder's prefix with the empty ETag. It is not an object: it must
not be copied, downloaded as a folder, deleted or counted. Every test runs with the default parallel listing and
with a serial one, and expects the same exact counters from both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import Result, RunS3Sync, bucket_objects, put_objects, read_tree, write_tree

SOURCE = {"keep1": b"1", "dir/keep2": b"2"}
LISTINGS = pytest.mark.parametrize("listing", [(), ("--max-parallel-listings", "1")], ids=["parallel", "serial"])


def _empty_a_folder(s3_admin: Any, bucket: str, folder: str) -> None:
    """Put the only object of `folder`, then delete it as any other client would (plain DeleteObject)."""
    s3_admin.put_object(Bucket=bucket, Key=f"{folder}/x", Body=b"x")
    s3_admin.delete_object(Bucket=bucket, Key=f"{folder}/x")


def _counters(result: Result) -> dict[str, int]:
    names = ("transferred", "deleted", "skipped", "error", "warning")
    return {name: result.count(name) for name in names}


def _no_warning(result: Result) -> None:
    assert _counters(result)["warning"] == 0
    assert "WARN" not in result.stdout + result.stderr


@LISTINGS
def test_local_to_s3_with_delete_does_not_count_an_emptied_target_folder(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync, listing: tuple[str, ...]
) -> None:
    write_tree(tmp_path, SOURCE)
    put_objects(s3_admin, bucket, {"extra1": b"x"})
    _empty_a_folder(s3_admin, bucket, "gone")

    first = run_s3sync(*listing, "--delete", str(tmp_path), f"s3://{bucket}/")
    second = run_s3sync(*listing, "--delete", str(tmp_path), f"s3://{bucket}/")

    assert _counters(first) == {"transferred": 2, "deleted": 1, "skipped": 0, "error": 0, "warning": 0}
    assert _counters(second) == {"transferred": 0, "deleted": 0, "skipped": 2, "error": 0, "warning": 0}
    _no_warning(first)
    assert bucket_objects(s3_admin, bucket) == SOURCE


@LISTINGS
def test_s3_to_local_with_delete_creates_no_folder_for_an_emptied_source_folder(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync, listing: tuple[str, ...]
) -> None:
    put_objects(s3_admin, bucket, SOURCE)
    _empty_a_folder(s3_admin, bucket, "gone")
    out = tmp_path / "out"
    write_tree(out, {"stale.txt": b"old"})

    first = run_s3sync(*listing, "--delete", f"s3://{bucket}/", str(out))
    second = run_s3sync(*listing, "--delete", f"s3://{bucket}/", str(out))

    assert _counters(first) == {"transferred": 2, "deleted": 1, "skipped": 0, "error": 0, "warning": 0}
    assert _counters(second) == {"transferred": 0, "deleted": 0, "skipped": 2, "error": 0, "warning": 0}
    _no_warning(first)
    assert read_tree(out) == SOURCE
    assert not (out / "gone").exists()


@LISTINGS
def test_s3_to_s3_with_delete_copies_no_phantom_and_keeps_a_real_folder_object(
    bucket: str, target_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync, listing: tuple[str, ...]
) -> None:
    # "real/" is a folder object a user put: its ETag is the MD5 of empty content, and it is copied as before.
    put_objects(s3_admin, bucket, {**SOURCE, "real/": b""})
    _empty_a_folder(s3_admin, bucket, "gone")
    put_objects(s3_admin, target_bucket, {"extra1": b"x"})
    _empty_a_folder(s3_admin, target_bucket, "tgone")

    first = run_s3sync(*listing, "--delete", f"s3://{bucket}/", f"s3://{target_bucket}/")
    second = run_s3sync(*listing, "--delete", f"s3://{bucket}/", f"s3://{target_bucket}/")

    assert _counters(first) == {"transferred": 3, "deleted": 1, "skipped": 0, "error": 0, "warning": 0}
    assert _counters(second) == {"transferred": 0, "deleted": 0, "skipped": 3, "error": 0, "warning": 0}
    _no_warning(first)
    assert bucket_objects(s3_admin, target_bucket) == {**SOURCE, "real/": b""}
    assert s3_admin.head_object(Bucket=target_bucket, Key="real/")["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
