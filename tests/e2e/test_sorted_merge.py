"""The sorted merge against the test server, through the library: the server is vouched for
(`ClientSettings.key_ordered_listing`), since a custom endpoint is not taken to list in key order by default."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from pathlib import Path
from typing import Any

import pytest

import s3syncpy
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ClientSettings, Deletion, ListingParallelism
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.support.e2e import bucket_objects, write_tree

HOUR_AGO = 3600


def _client(s3_endpoint: Any, *, ordered: bool | None = True) -> ClientSettings:
    return ClientSettings(endpoint_url=s3_endpoint.endpoint_url, force_path_style=True,
                          access_key=s3_endpoint.access_key, secret_access_key=s3_endpoint.secret_key,
                          region=s3_endpoint.region, key_ordered_listing=ordered)


def _files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _age(root: Path) -> None:
    """Files an hour old, so objects written now are newer than them."""
    for path in root.rglob("*"):
        if path.is_file():
            stamp = path.stat().st_mtime - HOUR_AGO
            os.utime(path, (stamp, stamp))


def _run(config: SyncConfig, caplog: pytest.LogCaptureFixture) -> s3syncpy.SyncReport:
    with caplog.at_level(logging.INFO, logger="s3syncpy"):
        return asyncio.run(s3syncpy.sync(config))


# The same order in S3's byte order and in the server's directory-tree order (no name sorts between `d1` and
# `d1/`), so the server's listing can be merged.
FILES = {"d1/f1": b"one", "d1/f2": b"two", "d2/f": b"three", "top": b"four"}


def test_local_to_s3_by_sorted_merge_with_delete(tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    # Target-only keys outside emptied directories: the server keeps an emptied directory as a "d/" object.
    for key, body in {"d1/f1": b"one", "d1/old": b"x", "gone": b"y", "zz": b"z"}.items():
        s3_admin.put_object(Bucket=bucket, Key=f"data/{key}", Body=body)
    config = SyncConfig(source=LocalLocation(str(tmp_path)), target=S3Location(bucket, "data/"),
                        target_client=_client(s3_endpoint), deletion=Deletion(delete=True))

    report = _run(config, caplog)

    assert report.exit_code is s3syncpy.ExitCode.SUCCESS, report.errors
    assert bucket_objects(s3_admin, bucket) == {f"data/{key}": body for key, body in FILES.items()}
    assert (report.stats.transferred_objects, report.stats.skipped, report.stats.deleted) == (3, 1, 3)
    assert any("comparing the listings by sorted merge." in r.getMessage() for r in caplog.records)

    again = _run(config, caplog)

    assert (again.stats.transferred_objects, again.stats.skipped, again.stats.deleted) == (0, 4, 0)


def test_s3_to_local_by_sorted_merge_with_delete(tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    for key, body in FILES.items():
        s3_admin.put_object(Bucket=bucket, Key=f"data/{key}", Body=body)
    write_tree(tmp_path, {"d1/f1": b"one", "d1/stale": b"s", "d0/x": b"x"})
    _age(tmp_path)
    config = SyncConfig(source=S3Location(bucket, "data/"), target=LocalLocation(str(tmp_path)),
                        source_client=_client(s3_endpoint), deletion=Deletion(delete=True))

    report = _run(config, caplog)

    assert report.exit_code is s3syncpy.ExitCode.SUCCESS, report.errors
    assert _files(tmp_path) == FILES
    assert (report.stats.transferred_objects, report.stats.deleted) == (4, 2)  # d1/f1 is older here: replaced
    assert any("comparing the listings by sorted merge." in r.getMessage() for r in caplog.records)


def test_a_server_listing_in_tree_order_ends_the_merge_with_an_error_and_deletes_nothing(
    tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any, caplog: pytest.LogCaptureFixture
) -> None:
    write_tree(tmp_path, {"a/x": b"1", "b": b"2"})
    for key in ("a-b", "a/x", "c"):
        s3_admin.put_object(Bucket=bucket, Key=f"data/{key}", Body=b"old")
    config = SyncConfig(source=LocalLocation(str(tmp_path)), target=S3Location(bucket, "data/"),
                        target_client=_client(s3_endpoint), deletion=Deletion(delete=True),
                        listing=ListingParallelism(max_parallel_listings=1))

    report = _run(config, caplog)

    assert report.exit_code is s3syncpy.ExitCode.ERROR
    assert any("the target listing cannot be used: it is not in key order ('a-b' after 'a/x')" in e
               for e in report.errors)
    assert {"data/a-b", "data/c"} <= set(bucket_objects(s3_admin, bucket))

    by_default = _run(dataclasses.replace(config, target_client=_client(s3_endpoint, ordered=None)), caplog)

    assert by_default.exit_code is s3syncpy.ExitCode.SUCCESS, by_default.errors
    assert set(bucket_objects(s3_admin, bucket)) == {"data/a/x", "data/b"}
    assert any("comparing the listings by key map." in r.getMessage() for r in caplog.records)
