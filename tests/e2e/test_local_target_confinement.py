"""Downloads never write outside the target directory, even through a symlinked directory inside it.

`--delete` already refuses to remove a file reached through a symlinked directory that leads outside the target;
writes follow the same rule: the object is skipped with a warning (exit 3) and nothing is created outside. Before
the fix `linked/x` was written into the directory the link points to, and the run exited 0.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, put_objects, read_tree

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="directory symlinks need privileges on Windows")

WARNING = "reached through a symlinked directory outside the target directory"


def test_a_download_through_a_symlinked_directory_leading_outside_is_refused(
    tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = tmp_path / "target"
    (target / "real").mkdir(parents=True)
    os.symlink(outside, target / "linked")
    # A link that stays inside the target is an ordinary directory of it.
    os.symlink(target / "real", target / "alias")
    put_objects(s3_admin, bucket, {
        "linked/x": b"must not leave the target",
        "linked/deeper/y": b"nor this",
        "linked/marker/": b"",
        "alias/z": b"inside",
        "plain/w": b"plain",
    })

    result = run_s3sync(f"s3://{bucket}/", str(target), expect=3)

    assert list(outside.iterdir()) == []
    assert read_tree(target / "real") == {"z": b"inside"}
    assert (target / "plain" / "w").read_bytes() == b"plain"
    assert result.count("warning") == 3, result.stdout
    assert result.count("transferred") == 2
    assert result.count("error") == 0
    assert result.stdout.count(WARNING) == 3, result.stdout
