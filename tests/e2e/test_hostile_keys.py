"""Hostile keys through the real server, in every direction (reference §11.1).

SeaweedFS stores these keys as given: control characters, percent signs, unicode in NFC and NFD (two different
keys), long keys, spaces and shell metacharacters, names made of dots that are not traversal (`..jpg`, `dots...`),
and a directory marker next to a key under it. (It refuses `.`/`..` segments and rewrites backslashes and `a` next
to `a/b`; those cases run on the in-memory fake in tests/integration/local/test_hostile_local.py.)

Each key must arrive byte-identical under the same name, and nothing may be written outside the target directory.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from s3syncpy.adapters.local.temp_files import TEMP_PREFIX
from tests.support.e2e import RunS3Sync, bucket_objects, put_objects, read_tree, write_tree

HOSTILE = {
    "ctl\x01char": b"1",
    "tab\tkey": b"2",
    "new\nline": b"3",
    "carriage\rreturn": b"4",
    "del\x7fchar": b"5",
    "100%": b"6",
    "%2e%2e/not-decoded": b"7",
    "%41%42": b"8",
    unicodedata.normalize("NFC", "caf\u00e9"): b"nfc",
    unicodedata.normalize("NFD", "caf\u00e9"): b"nfd",
    "rtl\u202eevil.txt": b"9",
    "emoji\U0001f600": b"10",
    " leading space": b"11",
    "trailing space ": b"12",
    "q?x=1#frag": b"13",
    "shell;$(rm -rf)|&*<>'\"`": b"14",
    "..jpg": b"15",
    "jpg.": b"16",
    "dots...": b"17",
    "deep/" + "/".join(c * 250 for c in "wxyz"): b"long",
}


def _jail(tmp_path: Path) -> tuple[Path, Path]:
    jail = tmp_path / "jail"
    target = jail / "target"
    jail.mkdir()
    return jail, target


def _assert_inside(jail: Path, target: Path) -> None:
    for parent, _, names in os.walk(jail):
        for name in names:
            path = Path(parent, name)
            assert target in path.parents, f"written outside the target: {path}"
    assert list(target.rglob(TEMP_PREFIX + "*")) == []


def test_hostile_keys_download_byte_identical_and_inside(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    objects = {**HOSTILE, "marker/": b"", "marker/inside": b"in"}
    put_objects(s3_admin, bucket, objects)
    jail, target = _jail(tmp_path)

    result = run_s3sync(f"s3://{bucket}/", f"{target}/")

    _assert_inside(jail, target)
    assert read_tree(target) == {key: data for key, data in objects.items() if not key.endswith("/")}
    assert result.count("transferred") == len(objects)
    assert result.count("warning") == 0


def test_hostile_names_upload_and_round_trip(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_tree(source, HOSTILE)

    run_s3sync(f"{source}/", f"s3://{bucket}/up/")
    assert bucket_objects(s3_admin, bucket, "up/") == {f"up/{key}": data for key, data in HOSTILE.items()}

    run_s3sync(f"s3://{bucket}/up/", f"s3://{bucket}/copy/")
    jail, target = _jail(tmp_path)
    run_s3sync(f"s3://{bucket}/copy/", f"{target}/")
    _assert_inside(jail, target)
    assert read_tree(target) == HOSTILE

    again = run_s3sync(f"{source}/", f"s3://{bucket}/up/")
    assert again.count("transferred") == 0  # the names compare equal: nothing is sent twice


@pytest.mark.parametrize("key", ["/etc/passwd", "//double/leading"], ids=["absolute", "double-slash"])
def test_absolute_looking_keys_land_under_the_target(
    key: str, run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    put_objects(s3_admin, bucket, {key: b"inside"})
    stored = list(bucket_objects(s3_admin, bucket))
    jail, target = _jail(tmp_path)

    run_s3sync(f"s3://{bucket}/", f"{target}/")

    _assert_inside(jail, target)
    assert list(read_tree(target).values()) == [b"inside"]
    assert list(read_tree(target)) == [stored[0].lstrip("/")]
