"""local -> S3, end to end: the installed command against the test server."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from tests.support.e2e import RunS3Sync, bucket_objects, write_tree

MiB = 1024 * 1024

CASE1 = {
    "data1": b"data1-content",
    "dir1/data1": b"dir1-data1",
    "dir2/data2": b"dir2-data2",
    "dir21/data1": b"dir21-data1",
    "dir5/data3": b"dir5-data3",
}
UNICODE_NAMES = {
    "日本語/ファイル.txt": b"unicode",
    "a+b/c+d.txt": b"plus",
    "space dir/file name.txt": b"space",
    "empty.dat": b"",
}


def test_nested_tree_uploads_every_file_and_verifies_etags(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    write_tree(tmp_path, CASE1 | UNICODE_NAMES)

    result = run_s3sync(str(tmp_path), f"s3://{bucket}/")

    assert bucket_objects(s3_admin, bucket) == CASE1 | UNICODE_NAMES
    assert result.count("transferred") == 9
    assert result.count("etag_verified") == 9
    assert result.count("warning") == 0


def test_prefix_is_joined_without_an_implicit_slash(tmp_path: Path, bucket: str, s3_admin: Any,
                                                     run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, {"foo": b"x"})

    run_s3sync(str(tmp_path), f"s3://{bucket}/prefix")

    assert set(bucket_objects(s3_admin, bucket)) == {"prefixfoo"}


def test_single_file_source_uploads_under_its_bare_name(tmp_path: Path, bucket: str, s3_admin: Any,
                                                        run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, {"dir/README.md": b"readme"})

    run_s3sync(str(tmp_path / "dir" / "README.md"), f"s3://{bucket}/docs/")

    assert bucket_objects(s3_admin, bucket) == {"docs/README.md": b"readme"}


def test_multipart_boundaries_give_reference_etags(tmp_path: Path, bucket: str, s3_admin: Any,
                                                   run_s3sync: RunS3Sync) -> None:
    threshold = 5 * MiB
    files = {
        "below": os.urandom(threshold - 1),
        "equal": os.urandom(threshold),
        "above": os.urandom(threshold + 1),
    }
    write_tree(tmp_path, files)

    result = run_s3sync(
        "--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB", str(tmp_path), f"s3://{bucket}/"
    )

    etags = {key: s3_admin.head_object(Bucket=bucket, Key=key)["ETag"].strip('"') for key in files}
    assert etags["below"] == hashlib.md5(files["below"]).hexdigest()
    assert etags["equal"].endswith("-1")
    assert etags["above"].endswith("-2")
    assert result.count("etag_verified") == 3
    assert bucket_objects(s3_admin, bucket) == files


def test_second_run_transfers_nothing_and_a_touched_file_is_sent_again(
    tmp_path: Path, bucket: str, run_s3sync: RunS3Sync
) -> None:
    write_tree(tmp_path, CASE1)
    run_s3sync(str(tmp_path), f"s3://{bucket}/")

    again = run_s3sync(str(tmp_path), f"s3://{bucket}/")
    assert again.count("transferred") == 0
    assert again.count("skipped") == 5

    future = time.time() + 10
    os.utime(tmp_path / "dir1" / "data1", (future, future))
    touched = run_s3sync(str(tmp_path), f"s3://{bucket}/")
    assert touched.count("transferred") == 1
    assert touched.count("skipped") == 4


def test_check_size_transfers_only_files_whose_size_changed(tmp_path: Path, bucket: str,
                                                             run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, CASE1)
    run_s3sync(str(tmp_path), f"s3://{bucket}/")
    (tmp_path / "data1").write_bytes(b"a different size")
    future = time.time() + 10
    os.utime(tmp_path / "dir1" / "data1", (future, future))

    result = run_s3sync("--check-size", str(tmp_path), f"s3://{bucket}/")

    assert result.count("transferred") == 1


def test_check_etag_transfers_only_changed_content(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, CASE1)
    run_s3sync(str(tmp_path), f"s3://{bucket}/")
    (tmp_path / "dir2" / "data2").write_bytes(b"dir2-DATA2")  # same size, other bytes
    future = time.time() + 10
    os.utime(tmp_path / "dir1" / "data1", (future, future))  # newer, same bytes

    result = run_s3sync("--check-etag", str(tmp_path), f"s3://{bucket}/")

    assert result.count("transferred") == 1
    assert result.count("skipped") == 4


def test_dry_run_writes_nothing_but_counts(tmp_path: Path, bucket: str, s3_admin: Any,
                                           run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, CASE1)

    result = run_s3sync("--dry-run", str(tmp_path), f"s3://{bucket}/")

    assert bucket_objects(s3_admin, bucket) == {}
    assert result.count("transferred") == 5
    assert "[dry-run] sync completed." in result.stdout


def test_filters_select_objects(tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, CASE1 | {"big.bin": b"x" * 2000})

    result = run_s3sync(
        "--filter-include-regex", r"^dir\d/",
        "--filter-exclude-regex", r"(?<=dir5/)data3",
        "--filter-smaller-size", "1KiB",
        str(tmp_path), f"s3://{bucket}/",
    )

    assert set(bucket_objects(s3_admin, bucket)) == {"dir1/data1", "dir2/data2"}
    assert result.count("skipped") == 4
