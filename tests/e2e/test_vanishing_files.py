"""An object that vanishes between the listing and its read: a warning (exit 3), an error under --warn-as-error.

The library's filter callback runs after the listing and before the read, so it removes the object at exactly that
moment; the run goes through the real local and S3 adapters against the test server.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

import s3syncpy
from s3syncpy.application.ports.callbacks import FilterObject, SyncCallbacks
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.exit_codes import ExitCode
from tests.support.e2e import bucket_objects, put_objects, write_tree


class RemovesOnSight(SyncCallbacks):
    """A filter that keeps every object but removes `victim` from the source first."""

    has_filter = True

    def __init__(self, victim: str, remove: Any) -> None:
        self._victim = victim
        self._remove = remove

    async def filter(self, obj: FilterObject) -> bool:
        if obj.key == self._victim:
            self._remove()
        return True


def _client(s3_endpoint: Any) -> ClientSettings:
    return ClientSettings(access_key=s3_endpoint.access_key, secret_access_key=s3_endpoint.secret_key,
                          region=s3_endpoint.region, endpoint_url=s3_endpoint.endpoint_url, force_path_style=True)


@pytest.mark.parametrize(("warn_as_error", "expected"), [(False, ExitCode.WARNING), (True, ExitCode.ERROR)],
                         ids=["warning", "warn-as-error"])
async def test_a_local_file_removed_before_its_upload(tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any,
                                                      warn_as_error: bool, expected: ExitCode) -> None:
    write_tree(tmp_path, {"gone.txt": b"soon gone", "kept.txt": b"kept"})
    config = SyncConfig(source=s3syncpy.parse_location(str(tmp_path)),
                        target=s3syncpy.parse_location(f"s3://{bucket}/"), target_client=_client(s3_endpoint),
                        warn_as_error=warn_as_error)
    config = dataclasses.replace(config, transfer=dataclasses.replace(config.transfer, worker_size=1))

    report = await s3syncpy.sync(config, callbacks=RemovesOnSight("gone.txt", lambda: os.remove(tmp_path / "gone.txt")))

    assert report.exit_code is expected
    messages = report.errors if warn_as_error else report.warnings
    assert messages == ["object not found. skipping. key=gone.txt"]
    assert "gone.txt" not in bucket_objects(s3_admin, bucket)
    if not warn_as_error:
        assert bucket_objects(s3_admin, bucket) == {"kept.txt": b"kept"}
        assert report.stats.warnings == 1


@pytest.mark.parametrize(("warn_as_error", "expected"), [(False, ExitCode.WARNING), (True, ExitCode.ERROR)],
                         ids=["warning", "warn-as-error"])
async def test_an_s3_object_deleted_before_its_download(tmp_path: Path, bucket: str, s3_admin: Any,
                                                        s3_endpoint: Any, warn_as_error: bool,
                                                        expected: ExitCode) -> None:
    put_objects(s3_admin, bucket, {"gone": b"soon gone", "kept": b"kept"})
    config = SyncConfig(source=s3syncpy.parse_location(f"s3://{bucket}/"),
                        target=s3syncpy.parse_location(str(tmp_path / "dst")), source_client=_client(s3_endpoint),
                        warn_as_error=warn_as_error)

    report = await s3syncpy.sync(
        config, callbacks=RemovesOnSight("gone", lambda: s3_admin.delete_object(Bucket=bucket, Key="gone")))

    assert report.exit_code is expected
    assert (report.errors if warn_as_error else report.warnings) == ["object not found. skipping. key=gone"]
    assert not (tmp_path / "dst" / "gone").exists()


async def test_a_local_file_removed_before_its_etag_is_computed(tmp_path: Path, bucket: str, s3_admin: Any,
                                                                s3_endpoint: Any) -> None:
    """With an ETag check done per object (HEAD of the target), the file is hashed before any read: same outcome."""
    write_tree(tmp_path, {"gone.txt": b"new bytes"})
    put_objects(s3_admin, bucket, {"gone.txt": b"old bytes"})
    config = SyncConfig(source=s3syncpy.parse_location(str(tmp_path)),
                        target=s3syncpy.parse_location(f"s3://{bucket}/"), target_client=_client(s3_endpoint))
    config = dataclasses.replace(config, update_check=dataclasses.replace(
        config.update_check, check_etag=True, remove_modified_filter=True, head_each_target=True))

    report = await s3syncpy.sync(config, callbacks=RemovesOnSight("gone.txt", lambda: os.remove(tmp_path / "gone.txt")))

    assert report.exit_code is ExitCode.WARNING
    assert report.warnings == ["object not found. skipping. key=gone.txt"]
    assert bucket_objects(s3_admin, bucket) == {"gone.txt": b"old bytes"}
