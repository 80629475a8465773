"""--delete, --delete-excluded and --max-delete, end to end."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, bucket_objects, put_objects, read_tree, write_tree

SOURCE = {"keep1": b"1", "dir/keep2": b"2"}
EXTRA = {"extra1": b"x", "dir/extra2": b"y", "logs/extra3.log": b"z"}


def test_delete_removes_target_only_objects(tmp_path: Path, bucket: str, s3_admin: Any,
                                            run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, SOURCE)
    put_objects(s3_admin, bucket, EXTRA)

    result = run_s3sync("--delete", str(tmp_path), f"s3://{bucket}/")

    assert bucket_objects(s3_admin, bucket) == SOURCE
    assert result.count("deleted") == 3


def test_exclude_regex_protects_target_only_objects_unless_delete_excluded(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    write_tree(tmp_path, SOURCE)
    put_objects(s3_admin, bucket, EXTRA)

    protected = run_s3sync("--delete", "--filter-exclude-regex", r"\.log$", str(tmp_path), f"s3://{bucket}/")
    assert set(bucket_objects(s3_admin, bucket)) == set(SOURCE) | {"logs/extra3.log"}
    assert protected.count("deleted") == 2

    excluded = run_s3sync("--delete", "--delete-excluded", "--filter-exclude-regex", r"\.log$",
                          str(tmp_path), f"s3://{bucket}/")
    assert set(bucket_objects(s3_admin, bucket)) == set(SOURCE)
    assert excluded.count("deleted") == 1


def test_filtered_source_objects_protect_their_target_copies(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    write_tree(tmp_path, SOURCE)
    run_s3sync(str(tmp_path), f"s3://{bucket}/")

    result = run_s3sync("--delete", "--filter-include-regex", "^dir/", str(tmp_path), f"s3://{bucket}/")

    assert set(bucket_objects(s3_admin, bucket)) == set(SOURCE)
    assert result.count("deleted") == 0


def test_max_delete_deletes_at_most_n_then_warns(tmp_path: Path, bucket: str, s3_admin: Any,
                                                  run_s3sync: RunS3Sync) -> None:
    # Two of the extra objects are alone in a folder, so the first run (2 deletes of 3, in any order) always
    # empties one: SeaweedFS keeps that folder, and the second run's parallel listing must not take it for one
    # more object to delete.
    extra = {"dir/extra2": b"y", "logs/extra3.log": b"z", "tmp/extra4": b"w"}
    write_tree(tmp_path, SOURCE)
    put_objects(s3_admin, bucket, extra)

    limited = run_s3sync("--delete", "--max-delete", "2", str(tmp_path), f"s3://{bucket}/", expect=3)
    assert limited.count("deleted") == 2
    assert len(bucket_objects(s3_admin, bucket)) == len(SOURCE) + 1
    assert "--max_delete has been reached" in limited.stdout

    exact = run_s3sync("--delete", "--max-delete", "1", str(tmp_path), f"s3://{bucket}/")
    assert exact.count("deleted") == 1
    assert bucket_objects(s3_admin, bucket) == SOURCE


def test_dry_run_delete_counts_but_keeps(tmp_path: Path, bucket: str, s3_admin: Any,
                                         run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, SOURCE)
    put_objects(s3_admin, bucket, EXTRA)

    result = run_s3sync("--dry-run", "--delete", str(tmp_path), f"s3://{bucket}/")

    assert set(bucket_objects(s3_admin, bucket)) == set(EXTRA)
    assert result.count("deleted") == 3


def test_delete_on_a_local_target_removes_files_only(tmp_path: Path, bucket: str, s3_admin: Any,
                                                      run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, SOURCE)
    write_tree(tmp_path / "out", {"stale.txt": b"old", "sub/stale2": b"old"})

    result = run_s3sync("--delete", f"s3://{bucket}/", str(tmp_path / "out"))

    assert read_tree(tmp_path / "out") == SOURCE
    assert (tmp_path / "out" / "sub").is_dir()
    assert result.count("deleted") == 2


def test_delete_on_a_local_target_keeps_files_of_keys_that_are_not_their_paths(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    # The prefix "data" has no trailing "/": the keys come relative as "/keep1", "/dir/keep2".
    put_objects(s3_admin, bucket, {f"data/{key}": data for key, data in SOURCE.items()})
    out = tmp_path / "out"

    first = run_s3sync("--delete", f"s3://{bucket}/data", str(out))
    second = run_s3sync("--delete", f"s3://{bucket}/data", str(out))

    assert read_tree(out) == SOURCE
    assert first.count("deleted") == 0
    assert second.count("deleted") == 0
    # The second run finds every file under its listed key: nothing is downloaded again.
    assert second.count("transferred") == 0


def test_a_source_entry_that_could_not_be_listed_stops_the_deletion(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    write_tree(tmp_path, SOURCE)
    # A name that is not UTF-8 cannot be listed as a key: the listing skips it, with a warning.
    descriptor = os.open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), os.O_WRONLY | os.O_CREAT, 0o644)
    os.close(descriptor)
    put_objects(s3_admin, bucket, EXTRA)

    result = run_s3sync("--delete", str(tmp_path), f"s3://{bucket}/", expect=3)

    assert set(bucket_objects(s3_admin, bucket)) == set(SOURCE) | set(EXTRA)
    assert result.count("deleted") == 0
    assert "--delete skipped: the source listing skipped entries it could not read" in result.stdout


def test_a_target_prefix_without_a_slash_is_warned_about(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    write_tree(tmp_path, SOURCE)

    result = run_s3sync("--delete", str(tmp_path), f"s3://{bucket}/backup", expect=3)

    assert f"the target prefix s3://{bucket}/backup has no trailing '/'" in result.stdout
    assert set(bucket_objects(s3_admin, bucket)) == {f"backup{key}" for key in SOURCE}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_delete_on_a_local_target_leaves_files_behind_a_symlink_out_of_the_target(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    put_objects(s3_admin, bucket, SOURCE)
    write_tree(tmp_path / "outside", {"victim.txt": b"not ours"})
    write_tree(tmp_path / "out", {"stale.txt": b"old"})
    (tmp_path / "out" / "elsewhere").symlink_to(tmp_path / "outside", target_is_directory=True)

    result = run_s3sync("--delete", f"s3://{bucket}/", str(tmp_path / "out"), expect=3)

    assert (tmp_path / "outside" / "victim.txt").read_bytes() == b"not ours"
    assert not (tmp_path / "out" / "stale.txt").exists()
    assert result.count("deleted") == 1
    assert "symlinked directory outside the target directory" in result.stdout
