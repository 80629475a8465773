"""--tagging, --disable-tagging and --sync-latest-tagging end to end, single-part and multipart, each direction."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _empty_bucket
from tests.support.e2e import RunS3Sync, bucket_objects, write_tree

MiB = 1024 * 1024


@pytest.fixture
def other_bucket(s3_admin: Any) -> Iterator[str]:
    name = f"s3syncpy-tag-{uuid.uuid4().hex[:16]}"
    s3_admin.create_bucket(Bucket=name)
    yield name
    _empty_bucket(s3_admin, name)
    s3_admin.delete_bucket(Bucket=name)


def _tags(client: Any, bucket: str, key: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in client.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


def test_upload_with_tagging(run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, tmp_path: Path) -> None:
    write_tree(tmp_path, {"small": b"s", "big": os.urandom(9 * MiB)})

    run_s3sync("--tagging", "team=data%20eng&tier=1", f"{tmp_path}/", f"s3://{bucket}/")

    for key in ("small", "big"):
        assert _tags(s3_admin, bucket, key) == {"team": "data eng", "tier": "1"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param((), {"from": "source", "n": "a+b"}, id="source-tags-copied"),
        pytest.param(("--disable-tagging",), {}, id="disable-tagging"),
        pytest.param(("--tagging", "set=here"), {"set": "here"}, id="tagging-replaces"),
    ],
)
def test_stream_copy_tags(
    options: tuple[str, ...], expected: dict[str, str], run_s3sync: RunS3Sync, s3_admin: Any, bucket: str,
    other_bucket: str,
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="small", Body=b"s", Tagging="from=source&n=a%2Bb")
    s3_admin.put_object(Bucket=bucket, Key="big", Body=os.urandom(9 * MiB), Tagging="from=source&n=a%2Bb")

    run_s3sync(*options, f"s3://{bucket}/", f"s3://{other_bucket}/", expect=None)

    for key in ("small", "big"):
        assert _tags(s3_admin, other_bucket, key) == expected


def test_sync_latest_tagging_updates_tags_of_up_to_date_objects(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, other_bucket: str
) -> None:
    for key in ("changed", "cleared", "same"):
        s3_admin.put_object(Bucket=bucket, Key=key, Body=key.encode(), Tagging="v=1")
    run_s3sync(f"s3://{bucket}/", f"s3://{other_bucket}/")
    s3_admin.put_object_tagging(Bucket=bucket, Key="changed", Tagging={"TagSet": [{"Key": "v", "Value": "2"}]})
    s3_admin.delete_object_tagging(Bucket=bucket, Key="cleared")
    before = {k: s3_admin.head_object(Bucket=other_bucket, Key=k)["ETag"] for k in ("changed", "cleared", "same")}

    dry = run_s3sync("--sync-latest-tagging", "--dry-run", f"s3://{bucket}/", f"s3://{other_bucket}/")
    assert dry.count("transferred") == 2
    assert dry.stdout.count("[dry-run] sync(tagging only) completed.") == 2
    assert _tags(s3_admin, other_bucket, "changed") == {"v": "1"}

    result = run_s3sync("--sync-latest-tagging", f"s3://{bucket}/", f"s3://{other_bucket}/")

    assert _tags(s3_admin, other_bucket, "changed") == {"v": "2"}
    assert _tags(s3_admin, other_bucket, "cleared") == {}
    assert _tags(s3_admin, other_bucket, "same") == {"v": "1"}
    assert result.count("transferred") == 2 and result.count("skipped") == 1
    # Only the tags were written: the objects themselves are the ones copied before.
    assert {k: s3_admin.head_object(Bucket=other_bucket, Key=k)["ETag"] for k in before} == before
    assert bucket_objects(s3_admin, other_bucket) == {"changed": b"changed", "cleared": b"cleared", "same": b"same"}
