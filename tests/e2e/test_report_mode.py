"""Report mode (--report-sync-status and its metadata / tagging companions), end to end on the test server.

Buckets are arranged with matching, mismatching, missing and checksum-less objects; the records are asserted
field by field in both the compact and the --json-tracing shapes, with the exit code (3 when anything differs).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, put_objects, read_tree, write_tree

_JSON_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
_SUMMARY_KEYS = [
    "name", "number_of_objects", "etag_matches", "checksum_matches", "metadata_matches", "tagging_matches",
    "not_found", "etag_mismatch", "checksum_mismatch", "metadata_mismatch", "tagging_mismatch", "etag_unknown",
    "checksum_unknown",
]


def _json_records(stdout: str) -> list[dict[str, Any]]:
    """The INFO records; every stdout line is one JSON record in report mode (no summary line, no progress)."""
    records = [json.loads(line) for line in stdout.splitlines()]
    for record in records:
        assert list(record) == ["timestamp", "level", "fields"], record
        assert _JSON_TIMESTAMP.match(record["timestamp"]), record
        assert record["level"] in ("INFO", "WARN"), record
    return [record for record in records if record["level"] == "INFO"]


def _status_by_key(records: list[dict[str, Any]], name: str = "SYNC_STATUS") -> dict[str, dict[str, Any]]:
    return {r["fields"]["key"]: r["fields"] for r in records if r["fields"].get("name") == name}


def _summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    summaries = [r["fields"] for r in records if r["fields"].get("name") == "REPORT_SUMMARY"]
    assert len(summaries) == 1
    assert list(summaries[0]) == _SUMMARY_KEYS
    assert records[-1]["fields"] is summaries[0]  # the summary comes last
    return summaries[0]


def _counts(**nonzero: int) -> dict[str, Any]:
    counts: dict[str, Any] = {key: 0 for key in _SUMMARY_KEYS}
    counts["name"] = "REPORT_SUMMARY"
    counts.update(nonzero)
    return counts


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def _chrono_time(head: dict[str, Any]) -> str:
    """chrono's to_rfc3339 of an S3 LastModified (whole seconds)."""
    return head["LastModified"].strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _sdk_time(head: dict[str, Any]) -> str:
    """The SDK DateTime's own rendering of an S3 LastModified (whole seconds)."""
    return head["LastModified"].strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_time(path: Path) -> str:
    stat = path.stat()
    millis = stat.st_mtime_ns // 1_000_000
    seconds, fraction = divmod(millis, 1000)
    import datetime

    text = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{fraction:03d}+00:00" if fraction else f"{text}+00:00"


def test_etag_report_between_buckets_in_json(bucket: str, target_bucket: str, s3_admin: Any,
                                              run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"same": b"same", "differs": b"source", "missing": b"gone"})
    put_objects(s3_admin, target_bucket, {"same": b"same", "differs": b"target", "target-only": b"x"})

    result = run_s3sync("--json-tracing", "--report-sync-status", f"s3://{bucket}/", f"s3://{target_bucket}/",
                        expect=3)

    records = _json_records(result.stdout)
    by_key = _status_by_key(records)
    assert sorted(by_key) == ["differs", "missing", "same"]
    source_head = s3_admin.head_object(Bucket=bucket, Key="missing")
    assert list(by_key["missing"].items()) == [
        ("name", "SYNC_STATUS"), ("type", "EXISTENCE"), ("status", "NOT_FOUND"), ("key", "missing"),
        ("source_version_id", ""), ("source_e_tag", f'"{_md5(b"gone")}"'),
        ("source_last_modified", _sdk_time(source_head)), ("source_size", 4),
    ]
    for key, status, source_data, target_data in (("same", "MATCHES", b"same", b"same"),
                                                   ("differs", "MISMATCH", b"source", b"target")):
        s_head = s3_admin.head_object(Bucket=bucket, Key=key)
        t_head = s3_admin.head_object(Bucket=target_bucket, Key=key)
        assert list(by_key[key].items()) == [
            ("name", "SYNC_STATUS"), ("type", "ETAG"), ("status", status), ("key", key),
            ("source_version_id", ""), ("target_version_id", ""),
            ("source_e_tag", _md5(source_data)), ("target_e_tag", _md5(target_data)),
            ("source_last_modified", _chrono_time(s_head)), ("target_last_modified", _chrono_time(t_head)),
            ("source_size", len(source_data)), ("target_size", len(target_data)),
        ]
    assert _summary(records) == _counts(number_of_objects=3, etag_matches=1, not_found=1, etag_mismatch=1)
    assert result.stderr == ""
    # Nothing was written.
    assert s3_admin.get_object(Bucket=target_bucket, Key="differs")["Body"].read() == b"target"
    assert "Contents" not in s3_admin.list_objects_v2(Bucket=target_bucket, Prefix="missing")


def test_everything_in_sync_exits_0_in_text_shape(bucket: str, target_bucket: str, s3_admin: Any,
                                                  run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"a": b"alpha", "dir/b": b"beta"})
    put_objects(s3_admin, target_bucket, {"a": b"alpha", "dir/b": b"beta"})

    result = run_s3sync("--report-sync-status", f"s3://{bucket}/", f"s3://{target_bucket}/", expect=0)

    lines = result.stdout.splitlines()
    assert len(lines) == 3  # two records and the summary; no summary line, no "sync summary"
    head = s3_admin.head_object(Bucket=bucket, Key="a")
    t_head = s3_admin.head_object(Bucket=target_bucket, Key="a")
    record_a = next(line for line in lines if 'key="a"' in line)
    timestamp, rest = record_a.split(" ", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", timestamp)
    assert rest == (
        f' INFO name="SYNC_STATUS" type="ETAG" status="MATCHES" key="a" source_version_id="" '
        f'target_version_id="" source_e_tag="{_md5(b"alpha")}" target_e_tag="{_md5(b"alpha")}" '
        f'source_last_modified="{_chrono_time(head)}" target_last_modified="{_chrono_time(t_head)}" '
        f"source_size=5 target_size=5"
    )
    assert lines[-1].split(" ", 1)[1] == (
        ' INFO name="REPORT_SUMMARY" number_of_objects=2 etag_matches=2 checksum_matches=0 metadata_matches=0 '
        "tagging_matches=0 not_found=0 etag_mismatch=0 checksum_mismatch=0 metadata_mismatch=0 "
        "tagging_mismatch=0 etag_unknown=0 checksum_unknown=0"
    )
    assert "sync summary" not in result.stdout and "transferred" not in result.stdout


def test_checksum_report_from_local_files(tmp_path: Path, bucket: str, s3_admin: Any,
                                          run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"same": b"same bytes", "differs": b"new bytes", "bare": b"no checksum",
                                  "missing": b"never uploaded"})
    s3_admin.put_object(Bucket=bucket, Key="same", Body=b"same bytes", ChecksumAlgorithm="CRC32")
    s3_admin.put_object(Bucket=bucket, Key="differs", Body=b"old bytes", ChecksumAlgorithm="CRC32")
    s3_admin.put_object(Bucket=bucket, Key="bare", Body=b"no checksum")

    result = run_s3sync("--json-tracing", "--report-sync-status", "--check-additional-checksum", "CRC32",
                        str(tmp_path / "src"), f"s3://{bucket}/", expect=3)

    records = _json_records(result.stdout)
    by_key = _status_by_key(records)
    warnings = [json.loads(line)["fields"] for line in result.stdout.splitlines() if '"level":"WARN"' in line]
    assert warnings == [{"message": "object filtered. Target checksum not found.", "key": "bare"}]
    head = s3_admin.head_object(Bucket=bucket, Key="same")
    assert list(by_key["same"].items()) == [
        ("name", "SYNC_STATUS"), ("type", "CHECKSUM"), ("status", "MATCHES"), ("key", "same"),
        ("checksum_algorithm", "CRC32"), ("source_checksum", _crc32(b"same bytes")),
        ("target_checksum", _crc32(b"same bytes")), ("source_version_id", ""), ("target_version_id", ""),
        ("source_last_modified", _local_time(tmp_path / "src" / "same")),
        ("target_last_modified", _chrono_time(head)), ("source_size", 10), ("target_size", 10),
    ]
    assert by_key["differs"]["status"] == "MISMATCH"
    assert (by_key["differs"]["source_checksum"], by_key["differs"]["target_checksum"]) == (
        _crc32(b"new bytes"), _crc32(b"old bytes"))
    # A target without a stored checksum cannot be compared: UNKNOWN, with the reference's message and a warning.
    bare = next(r for r in records if r["fields"].get("key") == "bare" and r["fields"].get("name") == "SYNC_STATUS")
    assert bare["fields"]["message"] == "Unknown. Target checksum not found."
    assert next(iter(bare["fields"])) == "message"
    assert (bare["fields"]["status"], bare["fields"]["source_checksum"], bare["fields"]["target_checksum"]) == (
        "UNKNOWN", "", "")
    missing = by_key["missing"]
    assert (missing["type"], missing["status"], missing["source_e_tag"], missing["source_size"]) == (
        "EXISTENCE", "NOT_FOUND", "", 14)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z", missing["source_last_modified"])
    assert _summary(records) == _counts(number_of_objects=4, checksum_matches=1, not_found=1,
                                        checksum_mismatch=1, checksum_unknown=1)


def test_checksum_match_between_buckets_carries_the_size(bucket: str, target_bucket: str, s3_admin: Any,
                                                         run_s3sync: RunS3Sync) -> None:
    """DECISIONS.md #6: the reference puts the source version id into source_size here; we put the size."""
    for name in (bucket, target_bucket):
        s3_admin.put_object(Bucket=name, Key="k", Body=b"twelve bytes", ChecksumAlgorithm="CRC32")

    result = run_s3sync("--json-tracing", "--report-sync-status", "--check-additional-checksum", "CRC32",
                        f"s3://{bucket}/", f"s3://{target_bucket}/", expect=0)

    record = _status_by_key(_json_records(result.stdout))["k"]
    assert (record["type"], record["status"], record["source_size"], record["target_size"]) == (
        "CHECKSUM", "MATCHES", 12, 12)


def test_etag_report_to_a_local_directory(tmp_path: Path, bucket: str, s3_admin: Any,
                                          run_s3sync: RunS3Sync) -> None:
    big = os.urandom(9 * 1024 * 1024)  # multipart on both sides with the default 8 MiB threshold
    put_objects(s3_admin, bucket, {"small": b"small", "edited": b"original"})
    run_s3sync(f"s3://{bucket}/", str(tmp_path / "dst"))
    (tmp_path / "dst" / "edited").write_bytes(b"edited!!")
    write_tree(tmp_path / "big-src", {"big": big})
    run_s3sync(str(tmp_path / "big-src"), f"s3://{bucket}/")
    (tmp_path / "dst" / "big").write_bytes(big)

    result = run_s3sync("--json-tracing", "--report-sync-status", f"s3://{bucket}/", str(tmp_path / "dst"),
                        expect=3)

    by_key = _status_by_key(_json_records(result.stdout))
    assert {key: fields["status"] for key, fields in by_key.items()} == {
        "small": "MATCHES", "edited": "MISMATCH", "big": "MATCHES"}
    assert by_key["big"]["source_e_tag"] == by_key["big"]["target_e_tag"]
    assert by_key["big"]["source_e_tag"].endswith("-2")
    assert by_key["edited"]["target_e_tag"] == _md5(b"edited!!")
    assert by_key["edited"]["target_last_modified"] == _local_time(tmp_path / "dst" / "edited")
    assert read_tree(tmp_path / "dst")["edited"] == b"edited!!"  # report mode never writes


def test_metadata_and_tagging_reports(bucket: str, target_bucket: str, s3_admin: Any,
                                      run_s3sync: RunS3Sync) -> None:
    s3_admin.put_object(Bucket=bucket, Key="k", Body=b"x", ContentType="text/plain", CacheControl="max-age=1",
                        Metadata={"owner": "me", "s3sync_origin_version_id": "v1"}, Tagging="a=1&b=two%20words")
    s3_admin.put_object(Bucket=target_bucket, Key="k", Body=b"x", ContentType="text/html", CacheControl="max-age=1",
                        Metadata={"owner": "me"}, Tagging="a=1")
    s3_admin.put_object(Bucket=bucket, Key="twin", Body=b"y", Metadata={"m": "1"}, Tagging="t=1")
    s3_admin.put_object(Bucket=target_bucket, Key="twin", Body=b"y", Metadata={"m": "1"}, Tagging="t=1")
    s3_admin.put_object(Bucket=bucket, Key="lonely", Body=b"z")

    result = run_s3sync("--json-tracing", "--report-sync-status", "--report-metadata-sync-status",
                        "--report-tagging-sync-status", f"s3://{bucket}/", f"s3://{target_bucket}/", expect=3)

    records = _json_records(result.stdout)
    metadata = [r["fields"] for r in records if r["fields"]["name"] == "METADATA_SYNC_STATUS"]
    k_items = [f for f in metadata if f["key"] == "k"]
    assert [f["metadata_name"] for f in k_items] == [
        "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Type", "Cache-Control", "Expires",
        "x-amz-website-redirect-location", "x-amz-meta-"]
    content_type = k_items[3]
    assert list(content_type.items()) == [
        ("name", "METADATA_SYNC_STATUS"), ("type", "METADATA"), ("metadata_name", "Content-Type"),
        ("status", "MISMATCH"), ("key", "k"), ("source_version_id", ""), ("target_version_id", ""),
        ("source_content_type", "text/plain"), ("target_content_type", "text/html"),
    ]
    assert (k_items[4]["status"], k_items[4]["source_cache_control"]) == ("MATCHES", "max-age=1")
    # The s3sync_origin_* keys are left out of the comparison.
    assert (k_items[7]["status"], k_items[7]["source_metadata"], k_items[7]["target_metadata"]) == (
        "MATCHES", "owner=me", "owner=me")
    assert all(f["status"] == "MATCHES" for f in metadata if f["key"] == "twin")
    assert not [f for f in metadata if f["key"] == "lonely"]  # a missing target is only NOT_FOUND
    tagging = _status_by_key(records, "TAGGING_SYNC_STATUS")
    assert list(tagging["k"].items()) == [
        ("name", "TAGGING_SYNC_STATUS"), ("type", "TAGGING"), ("status", "MISMATCH"), ("key", "k"),
        ("source_version_id", ""), ("target_version_id", ""), ("source_tagging", "a=1&b=two%20words"),
        ("target_tagging", "a=1"),
    ]
    assert tagging["twin"]["status"] == "MATCHES"
    assert _summary(records) == _counts(number_of_objects=3, etag_matches=2, not_found=1, metadata_matches=1,
                                        metadata_mismatch=1, tagging_matches=1, tagging_mismatch=1)


def test_only_tags_differ_exits_3(bucket: str, target_bucket: str, s3_admin: Any, run_s3sync: RunS3Sync) -> None:
    s3_admin.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    s3_admin.put_object(Bucket=target_bucket, Key="k", Body=b"x")

    plain = run_s3sync("--report-sync-status", f"s3://{bucket}/", f"s3://{target_bucket}/", expect=0)
    tagged = run_s3sync("--report-sync-status", "--report-tagging-sync-status", f"s3://{bucket}/",
                        f"s3://{target_bucket}/", expect=3)

    assert "TAGGING_SYNC_STATUS" not in plain.stdout
    assert 'name="TAGGING_SYNC_STATUS" type="TAGGING" status="MISMATCH" key="k"' in tagged.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dry-run"], "error: --report-sync-status cannot be used with --dry-run"),
        (["--delete"], "error: --report-sync-status cannot be used with --delete"),
        (["--head-each-target"], "error: --report-sync-status cannot be used with --head-each-target"),
    ],
)
def test_conflicting_options_exit_2(extra: list[str], message: str, bucket: str, target_bucket: str,
                                    run_s3sync: RunS3Sync) -> None:
    result = run_s3sync("--report-sync-status", *extra, f"s3://{bucket}/", f"s3://{target_bucket}/", expect=2)

    assert result.stderr.splitlines() == [message]
    assert result.stdout == ""


def test_metadata_report_needs_both_sides_s3(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    tmp_path.joinpath("f").write_bytes(b"1")

    local_source = run_s3sync("--report-sync-status", "--report-metadata-sync-status", str(tmp_path),
                              f"s3://{bucket}/", expect=2)
    local_target = run_s3sync("--report-sync-status", "--report-tagging-sync-status", f"s3://{bucket}/",
                              str(tmp_path), expect=2)
    without_report = run_s3sync("--report-tagging-sync-status", f"s3://{bucket}/", f"s3://{bucket}/x/", expect=2)

    assert local_source.stderr == "error: with --report-metadata-sync-status, source storage must be s3://\n"
    assert local_target.stderr == "error: with --report-tagging-sync-status, target storage must be s3://\n"
    assert without_report.stderr == "error: --report-tagging-sync-status requires --report-sync-status\n"


def test_auto_chunksize_compares_with_the_source_part_sizes(tmp_path: Path, bucket: str,
                                                            run_s3sync: RunS3Sync) -> None:
    data = os.urandom(12 * 1024 * 1024)
    write_tree(tmp_path / "src", {"big": data})
    run_s3sync("--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB", str(tmp_path / "src"),
               f"s3://{bucket}/")
    write_tree(tmp_path / "dst", {"big": data})

    default = run_s3sync("--json-tracing", "--report-sync-status", f"s3://{bucket}/", str(tmp_path / "dst"),
                         expect=0)
    precise = run_s3sync("--json-tracing", "--report-sync-status", "--auto-chunksize", f"s3://{bucket}/",
                         str(tmp_path / "dst"), expect=0)

    # The default 8 MiB layout cannot have made a "-3" ETag of 12 MiB: the file is hashed in the source's learned
    # parts, as --auto-chunksize hashes it (the reference reports a mismatch without the option).
    for result in (default, precise):
        record = _status_by_key(_json_records(result.stdout))["big"]
        assert (record["status"], record["source_e_tag"].endswith("-3")) == ("MATCHES", True)


async def test_the_library_returns_the_counters(bucket: str, target_bucket: str, s3_admin: Any,
                                                s3_endpoint: Any) -> None:
    import s3syncpy
    from s3syncpy.application.settings.sections import ClientSettings

    put_objects(s3_admin, bucket, {"a": b"1", "b": b"2"})
    put_objects(s3_admin, target_bucket, {"a": b"1"})
    client = ClientSettings(access_key=s3_endpoint.access_key, secret_access_key=s3_endpoint.secret_key,
                            region=s3_endpoint.region, endpoint_url=s3_endpoint.endpoint_url, force_path_style=True)
    config = s3syncpy.SyncConfig(source=s3syncpy.parse_location(f"s3://{bucket}/"),
                                 target=s3syncpy.parse_location(f"s3://{target_bucket}/"), source_client=client,
                                 target_client=client, report=s3syncpy.ReportSettings(sync_status=True))

    report = await s3syncpy.sync(config)

    assert report.sync_status == s3syncpy.ReportSummary(number_of_objects=2, etag_matches=1, not_found=1)
    assert report.exit_code is s3syncpy.ExitCode.WARNING
    assert "Contents" not in s3_admin.list_objects_v2(Bucket=target_bucket, Prefix="b")


def test_directory_markers_on_a_local_target_need_only_the_directory(tmp_path: Path, bucket: str, s3_admin: Any,
                                                                     run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"dir/": b"", "dir/a": b"1", "empty/": b""})
    run_s3sync(f"s3://{bucket}/", str(tmp_path / "dst"))
    (tmp_path / "dst" / "empty").rmdir()

    result = run_s3sync("--json-tracing", "--report-sync-status", f"s3://{bucket}/", str(tmp_path / "dst"), expect=3)

    records = _json_records(result.stdout)
    by_key = _status_by_key(records)
    assert sorted(by_key) == ["dir/a", "empty/"]
    assert (by_key["empty/"]["type"], by_key["empty/"]["status"]) == ("EXISTENCE", "NOT_FOUND")
    assert _summary(records) == _counts(number_of_objects=3, etag_matches=1, not_found=1)
