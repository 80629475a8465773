"""--enable-versioning and --point-in-time end to end, on versioned buckets of the test server."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, read_tree

MiB = 1024 * 1024


def history(s3_admin: Any, bucket: str) -> list[tuple[str, str, bytes | None]]:
    """Every key's versions oldest first as (key, "v" or "dm", content), the bytes read by version id."""
    # S3 lists a key's versions newest first: among equal LastModified seconds the later-listed is older.
    entries: list[tuple[str, bool, datetime, int, str, bool]] = []
    for page in s3_admin.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for v in page.get("Versions", []):
            entries.append((v["Key"], v["IsLatest"], v["LastModified"], -len(entries), v["VersionId"], False))
        for m in page.get("DeleteMarkers", []):
            entries.append((m["Key"], m["IsLatest"], m["LastModified"], -len(entries), m["VersionId"], True))
    entries.sort()
    out: list[tuple[str, str, bytes | None]] = []
    for key, _, _, _, version_id, marker in entries:
        if marker:
            out.append((key, "dm", None))
        else:
            body = s3_admin.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"].read()
            out.append((key, "v", body))
    return out


def origin_ids(s3_admin: Any, bucket: str, key: str) -> list[str]:
    ids = []
    for page in s3_admin.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        for v in page.get("Versions", []):
            head = s3_admin.head_object(Bucket=bucket, Key=key, VersionId=v["VersionId"])
            ids.append(head["Metadata"].get("s3sync_origin_version_id"))
    return ids


def test_every_version_is_copied_oldest_first_and_a_rerun_copies_nothing(
    source_bucket: str, versioned_target: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    for body in (b"one", b"two", b"three"):
        s3_admin.put_object(Bucket=source_bucket, Key="a", Body=body)
    s3_admin.put_object(Bucket=source_bucket, Key="gone", Body=b"x")
    s3_admin.delete_object(Bucket=source_bucket, Key="gone")
    s3_admin.put_object(Bucket=source_bucket, Key="mid", Body=b"m1")
    s3_admin.delete_object(Bucket=source_bucket, Key="mid")  # an intermediate delete marker: not replayed
    s3_admin.put_object(Bucket=source_bucket, Key="mid", Body=b"m2")

    first = run_s3sync("--enable-versioning", f"s3://{source_bucket}/", f"s3://{versioned_target}/")

    assert first.count("transferred") == 6
    assert first.count("deleted") == 1
    assert history(s3_admin, versioned_target) == [
        ("a", "v", b"one"), ("a", "v", b"two"), ("a", "v", b"three"),
        ("gone", "v", b"x"), ("gone", "dm", None),
        ("mid", "v", b"m1"), ("mid", "v", b"m2"),
    ]
    source_ids = [v["VersionId"] for v in s3_admin.list_object_versions(Bucket=source_bucket, Prefix="a")["Versions"]]
    assert sorted(origin_ids(s3_admin, versioned_target, "a")) == sorted(source_ids)
    head = s3_admin.head_object(Bucket=versioned_target, Key="a")
    assert head["Metadata"]["s3sync_origin_last_modified"].endswith("+00:00")

    s3_admin.put_object(Bucket=source_bucket, Key="a", Body=b"four")
    again = run_s3sync("--enable-versioning", f"s3://{source_bucket}/", f"s3://{versioned_target}/")

    assert again.count("transferred") == 1
    assert again.count("deleted") == 0
    assert [entry for entry in history(s3_admin, versioned_target) if entry[0] == "a"] == [
        ("a", "v", b"one"), ("a", "v", b"two"), ("a", "v", b"three"), ("a", "v", b"four"),
    ]


def test_multipart_versions_are_copied(source_bucket: str, versioned_target: str, s3_admin: Any,
                                       run_s3sync: RunS3Sync) -> None:
    big = bytes(range(256)) * (6 * MiB // 256)
    upload = s3_admin.create_multipart_upload(Bucket=source_bucket, Key="big")
    parts = []
    for number, offset in enumerate(range(0, len(big), 5 * MiB), start=1):
        part = s3_admin.upload_part(Bucket=source_bucket, Key="big", UploadId=upload["UploadId"],
                                    PartNumber=number, Body=big[offset:offset + 5 * MiB])
        parts.append({"ETag": part["ETag"], "PartNumber": number})
    s3_admin.complete_multipart_upload(Bucket=source_bucket, Key="big", UploadId=upload["UploadId"],
                                       MultipartUpload={"Parts": parts})
    s3_admin.put_object(Bucket=source_bucket, Key="big", Body=b"small now")

    result = run_s3sync("--enable-versioning", "--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB",
                        f"s3://{source_bucket}/", f"s3://{versioned_target}/")

    assert result.count("etag_verified") == 2

    assert history(s3_admin, versioned_target) == [("big", "v", big), ("big", "v", b"small now")]


def test_versioning_must_be_enabled_on_both_buckets(source_bucket: str, plain_target: str,
                                                    run_s3sync: RunS3Sync) -> None:
    result = run_s3sync("--enable-versioning", f"s3://{source_bucket}/", f"s3://{plain_target}/", expect=1)
    assert "Versioning must be enabled on both buckets." in result.stdout + result.stderr


@pytest.mark.parametrize("extra", [["--delete"], ["--check-size"], ["--head-each-target"],
                                   ["--remove-modified-filter"], ["--point-in-time", "2020-01-01T00:00:00Z"]])
def test_versioning_conflicts_exit_2(extra: list[str], run_s3sync: RunS3Sync) -> None:
    result = run_s3sync("--enable-versioning", *extra, "s3://a/", "s3://b/", expect=2)
    assert result.stderr.count("error:") == 1


def test_versioning_needs_two_buckets(tmp_path: Path, run_s3sync: RunS3Sync) -> None:
    result = run_s3sync("--enable-versioning", str(tmp_path), "s3://b/", expect=2)
    assert "--enable-versioning" in result.stderr


def _rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _after_a_second_boundary() -> float:
    """Wait until the next whole second plus a margin (LastModified has one-second precision)."""
    time.sleep(1.2 - (time.time() % 1.0))
    return time.time()


def test_point_in_time_restores_the_state_at_t(source_bucket: str, versioned_target: str, s3_admin: Any,
                                               tmp_path: Path, run_s3sync: RunS3Sync) -> None:
    s3_admin.put_object(Bucket=source_bucket, Key="kept", Body=b"old")
    s3_admin.put_object(Bucket=source_bucket, Key="deleted-later", Body=b"was here")
    s3_admin.put_object(Bucket=source_bucket, Key="deleted-before", Body=b"x")
    s3_admin.delete_object(Bucket=source_bucket, Key="deleted-before")
    _after_a_second_boundary()
    moment = _rfc3339(time.time())
    _after_a_second_boundary()
    s3_admin.put_object(Bucket=source_bucket, Key="kept", Body=b"new")
    s3_admin.delete_object(Bucket=source_bucket, Key="deleted-later")
    s3_admin.put_object(Bucket=source_bucket, Key="born-later", Body=b"y")

    run_s3sync("--point-in-time", moment, f"s3://{source_bucket}/", f"s3://{versioned_target}/")
    local = tmp_path / "snapshot"
    run_s3sync("--point-in-time", moment, f"s3://{source_bucket}/", str(local))

    current = {k: s3_admin.get_object(Bucket=versioned_target, Key=k)["Body"].read()
               for k in ("kept", "deleted-later")}
    assert current == {"kept": b"old", "deleted-later": b"was here"}
    listed = s3_admin.list_objects_v2(Bucket=versioned_target).get("Contents", [])
    assert sorted(entry["Key"] for entry in listed) == ["deleted-later", "kept"]
    assert read_tree(local) == {"kept": b"old", "deleted-later": b"was here"}


def test_point_in_time_in_the_future_exits_2(run_s3sync: RunS3Sync, tmp_path: Path) -> None:
    result = run_s3sync("--point-in-time", "2999-01-01T00:00:00Z", "s3://a/", str(tmp_path), expect=2)
    assert "error: --point-in-time value is later than current time" in result.stderr


def test_point_in_time_needs_a_versioned_source(plain_target: str, tmp_path: Path,
                                                run_s3sync: RunS3Sync) -> None:
    result = run_s3sync("--point-in-time", "2020-01-01T00:00:00Z", f"s3://{plain_target}/", str(tmp_path),
                        expect=1)
    assert "Versioning must be enabled on the source bucket" in result.stdout + result.stderr


def test_dry_run_counts_versions_and_writes_nothing(source_bucket: str, versioned_target: str, s3_admin: Any,
                                                    run_s3sync: RunS3Sync) -> None:
    for body in (b"1", b"2"):
        s3_admin.put_object(Bucket=source_bucket, Key="a", Body=body)
    s3_admin.put_object(Bucket=source_bucket, Key="gone", Body=b"x")
    s3_admin.delete_object(Bucket=source_bucket, Key="gone")

    result = run_s3sync("--dry-run", "--enable-versioning", f"s3://{source_bucket}/", f"s3://{versioned_target}/")

    assert (result.count("transferred"), result.count("deleted")) == (3, 1)
    assert "[dry-run] delete completed." in result.stdout
    assert history(s3_admin, versioned_target) == []


def test_filters_apply_to_each_version(source_bucket: str, versioned_target: str, s3_admin: Any,
                                       run_s3sync: RunS3Sync) -> None:
    s3_admin.put_object(Bucket=source_bucket, Key="keep/a", Body=b"small")
    s3_admin.put_object(Bucket=source_bucket, Key="keep/a", Body=b"much larger body")
    s3_admin.put_object(Bucket=source_bucket, Key="skip/b", Body=b"x")

    result = run_s3sync("--enable-versioning", "--filter-include-regex", "^keep/", "--filter-larger-size", "6",
                        f"s3://{source_bucket}/", f"s3://{versioned_target}/")

    assert (result.count("transferred"), result.count("skipped")) == (1, 2)
    assert history(s3_admin, versioned_target) == [("keep/a", "v", b"much larger body")]


def test_point_in_time_rerun_with_checksum_check_skips(source_bucket: str, versioned_target: str, s3_admin: Any,
                                                       run_s3sync: RunS3Sync) -> None:
    s3_admin.put_object(Bucket=source_bucket, Key="a", Body=b"at t", ChecksumAlgorithm="SHA256")
    _after_a_second_boundary()
    moment = _rfc3339(time.time())
    args = ("--point-in-time", moment, "--check-additional-checksum", "SHA256", "--additional-checksum-algorithm",
            "SHA256", f"s3://{source_bucket}/", f"s3://{versioned_target}/")

    first = run_s3sync(*args)
    again = run_s3sync(*args)

    assert first.count("transferred") == 1
    assert (again.count("transferred"), again.count("skipped")) == (0, 1)


def test_an_object_named_like_the_prefix_is_skipped(source_bucket: str, versioned_target: str, s3_admin: Any,
                                                     run_s3sync: RunS3Sync) -> None:
    s3_admin.put_object(Bucket=source_bucket, Key="dir/", Body=b"")
    s3_admin.put_object(Bucket=source_bucket, Key="dir/a", Body=b"a")

    result = run_s3sync("--enable-versioning", f"s3://{source_bucket}/dir/", f"s3://{versioned_target}/")

    assert (result.count("transferred"), result.count("skipped")) == (1, 1)
    assert history(s3_admin, versioned_target) == [("a", "v", b"a")]


def _within_one_second(s3_admin: Any, bucket: str, key: str, writes: list[bytes | None]) -> None:
    """Put each body (None: delete the key) in one second of LastModified (the server keeps whole seconds).

    The writes start just after a second boundary and take milliseconds; the listing confirms the one second
    (or the writes are tried again, in a later second), so the entries cannot be told apart by their times.
    """
    for _ in range(3):
        _after_a_second_boundary()
        for body in writes:
            if body is None:
                s3_admin.delete_object(Bucket=bucket, Key=key)
            else:
                s3_admin.put_object(Bucket=bucket, Key=key, Body=body)
        listed = s3_admin.list_object_versions(Bucket=bucket, Prefix=key)
        times = sorted((entry["LastModified"] for entry in (*listed.get("Versions", []),
                                                            *listed.get("DeleteMarkers", []))), reverse=True)
        if len({moment.replace(microsecond=0) for moment in times[:len(writes)]}) == 1:
            return
    pytest.skip("the server did not put the writes into one LastModified second")


def test_point_in_time_does_not_restore_a_version_deleted_in_the_same_second(
    source_bucket: str, versioned_target: str, s3_admin: Any, tmp_path: Path, run_s3sync: RunS3Sync
) -> None:
    # A version and the delete marker that removed it, within one second; a later write (after T) makes the
    # marker an intermediate one, so IsLatest cannot order the two: only the listing order can.
    _within_one_second(s3_admin, source_bucket, "deleted", [b"v1", None])
    _after_a_second_boundary()
    moment = _rfc3339(time.time())
    _after_a_second_boundary()
    s3_admin.put_object(Bucket=source_bucket, Key="deleted", Body=b"v2 after t")

    run_s3sync("--point-in-time", moment, f"s3://{source_bucket}/", f"s3://{versioned_target}/")
    local = tmp_path / "snapshot"
    run_s3sync("--point-in-time", moment, f"s3://{source_bucket}/", str(local))

    assert s3_admin.list_objects_v2(Bucket=versioned_target).get("Contents", []) == []
    assert read_tree(local) == {}


def test_point_in_time_restores_a_version_written_after_a_delete_in_the_same_second(
    source_bucket: str, tmp_path: Path, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    # The other order in one second: deleted, then written again; that version is the one current at T.
    _within_one_second(s3_admin, source_bucket, "k", [b"old", None, b"at t"])
    _after_a_second_boundary()
    moment = _rfc3339(time.time())
    _after_a_second_boundary()
    s3_admin.put_object(Bucket=source_bucket, Key="k", Body=b"after t")

    local = tmp_path / "snapshot"
    run_s3sync("--point-in-time", moment, f"s3://{source_bucket}/", str(local))

    assert read_tree(local) == {"k": b"at t"}


def _current(s3_admin: Any, bucket: str, key: str) -> tuple[bytes, str | None]:
    response = s3_admin.get_object(Bucket=bucket, Key=key)
    return response["Body"].read(), response["Metadata"].get("s3sync_origin_version_id")


def test_an_older_version_copied_on_a_rerun_does_not_become_the_targets_current(
    source_bucket: str, versioned_target: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    s3_admin.put_object(Bucket=source_bucket, Key="k", Body=b"the first version, larger than the filter")
    latest = s3_admin.put_object(Bucket=source_bucket, Key="k", Body=b"small")["VersionId"]
    source_and_target = (f"s3://{source_bucket}/", f"s3://{versioned_target}/")

    first = run_s3sync("--enable-versioning", "--filter-smaller-size", "10", *source_and_target)
    assert (first.count("transferred"), first.count("skipped")) == (1, 1)
    assert _current(s3_admin, versioned_target, "k") == (b"small", latest)

    # The older version now passes the filters: it is copied, and the source's current one is written after it.
    second = run_s3sync("--enable-versioning", *source_and_target)
    assert _current(s3_admin, versioned_target, "k") == (b"small", latest)
    assert second.count("transferred") == 2

    # Only the older version passes: it is on the target already; nothing is written.
    third = run_s3sync("--enable-versioning", "--filter-larger-size", "10", *source_and_target)
    fourth = run_s3sync("--enable-versioning", *source_and_target)
    assert (third.count("transferred"), fourth.count("transferred")) == (0, 0)
    assert _current(s3_admin, versioned_target, "k") == (b"small", latest)


def test_an_older_version_copied_while_the_current_one_is_filtered_out_does_not_become_current(
    source_bucket: str, versioned_target: str, s3_admin: Any, run_s3sync: RunS3Sync
) -> None:
    s3_admin.put_object(Bucket=source_bucket, Key="k", Body=b"the first version, larger than the filter")
    latest = s3_admin.put_object(Bucket=source_bucket, Key="k", Body=b"small")["VersionId"]
    source_and_target = (f"s3://{source_bucket}/", f"s3://{versioned_target}/")

    run_s3sync("--enable-versioning", "--filter-smaller-size", "10", *source_and_target)
    # The run selects only the older version, which the target lacks; the current one is already there.
    second = run_s3sync("--enable-versioning", "--filter-larger-size", "10", *source_and_target)

    assert _current(s3_admin, versioned_target, "k") == (b"small", latest)
    assert second.count("transferred") == 2
    assert run_s3sync("--enable-versioning", *source_and_target).count("transferred") == 0
