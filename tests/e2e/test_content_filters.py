"""Filter steps 9-14, --ignore-glacier-warnings and the key that names the prefix, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, bucket_objects, put_objects, read_tree, write_tree
from tests.support.fault_proxy import Fault, FaultProxy, ProxiedRequest
from tests.support.seaweed import S3Endpoint

FILES = {"a.txt": b"text", "b.png": b"png", "c.html": b"<p>", "noext": b"bin"}


def test_upload_filters_on_the_guessed_content_type(tmp_path: Path, bucket: str, s3_admin: Any,
                                                    run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, FILES)

    result = run_s3sync("--filter-include-content-type-regex", "^text/", str(tmp_path), f"s3://{bucket}/")

    assert set(bucket_objects(s3_admin, bucket)) == {"a.txt", "c.html"}
    assert (result.count("transferred"), result.count("skipped"), result.count("warning")) == (2, 2, 0)


def test_without_a_guessed_type_include_skips_everything(tmp_path: Path, bucket: str, s3_admin: Any,
                                                         run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path, FILES)

    result = run_s3sync("--no-guess-mime-type", "--filter-include-content-type-regex", ".", str(tmp_path),
                        f"s3://{bucket}/")

    assert bucket_objects(s3_admin, bucket) == {}
    assert result.count("skipped") == 4


def _seed(s3_admin: Any, bucket: str) -> None:
    s3_admin.put_object(Bucket=bucket, Key="img", Body=b"1", ContentType="image/png", Metadata={"team": "a"},
                        Tagging="stage=first_stage&test=x")
    s3_admin.put_object(Bucket=bucket, Key="doc", Body=b"2", ContentType="text/plain", Metadata={"team": "b c"},
                        Tagging="stage=first_stage&test=true")
    s3_admin.put_object(Bucket=bucket, Key="bare", Body=b"3")


# (id, options, keys downloaded)
DOWNLOADS = [
    ("exclude content type", ("--filter-exclude-content-type-regex", "^image/"), {"doc", "bare"}),
    ("include metadata", ("--filter-include-metadata-regex", "^team=b%20c$"), {"doc"}),
    ("exclude metadata keeps objects without metadata", ("--filter-exclude-metadata-regex", "team=a"),
     {"doc", "bare"}),
    ("include tag with lookaround", ("--filter-include-tag-regex", "^(?!.*&test=true).*stage=first"), {"img"}),
    ("exclude tag keeps untagged objects", ("--filter-exclude-tag-regex", "test=true"), {"img", "bare"}),
]


@pytest.mark.parametrize(("options", "kept"), [c[1:] for c in DOWNLOADS], ids=[c[0] for c in DOWNLOADS])
def test_download_filters(options: tuple[str, ...], kept: set[str], tmp_path: Path, bucket: str, s3_admin: Any,
                          run_s3sync: RunS3Sync) -> None:
    _seed(s3_admin, bucket)

    result = run_s3sync(*options, f"s3://{bucket}/", str(tmp_path))

    assert set(read_tree(tmp_path)) == kept
    assert result.count("transferred") == len(kept) and result.count("skipped") == 3 - len(kept)


def test_copy_filters_on_tags_and_asks_for_tags_only_of_tagged_objects(
    bucket: str, target_bucket: str, s3_admin: Any, s3_endpoint: S3Endpoint, run_s3sync: RunS3Sync
) -> None:
    _seed(s3_admin, bucket)
    seen: list[ProxiedRequest] = []
    proxy = FaultProxy(s3_endpoint.endpoint_url)
    proxy.add_rule(lambda request: seen.append(request) is not None, Fault.BAD_REQUEST, times=None)

    with proxy:
        result = run_s3sync("--filter-include-tag-regex", "test=true", "--source-endpoint-url", proxy.url,
                            f"s3://{bucket}/", f"s3://{target_bucket}/")

    assert set(bucket_objects(s3_admin, target_bucket)) == {"doc"}
    tags = s3_admin.get_object_tagging(Bucket=target_bucket, Key="doc")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("stage", "first_stage"), ("test", "true")]
    assert sorted(r.key for r in seen if r.operation == "GetObjectTagging") == ["doc", "img"]
    assert result.count("skipped") == 2


def test_dry_run_filters_with_a_head(tmp_path: Path, bucket: str, s3_admin: Any, run_s3sync: RunS3Sync) -> None:
    _seed(s3_admin, bucket)

    result = run_s3sync("--dry-run", "--filter-include-content-type-regex", "^image/", f"s3://{bucket}/",
                        str(tmp_path))

    assert read_tree(tmp_path) == {}
    assert (result.count("transferred"), result.count("skipped")) == (1, 2)


def test_metadata_filter_from_a_local_source_is_exit_2(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    result = run_s3sync("--filter-include-tag-regex", "a", str(tmp_path), f"s3://{bucket}/", expect=2)

    assert result.stderr.strip().splitlines() == ["error: with --filter-include-tag-regex, source storage must be s3://"]


def test_prefix_equal_to_a_key_is_skipped_and_counted(tmp_path: Path, bucket: str, s3_admin: Any,
                                                      run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"dir1/data1": b"d", "dir1/data1x": b"x"})

    result = run_s3sync(f"s3://{bucket}/dir1/data1", str(tmp_path))

    assert read_tree(tmp_path) == {"x": b"x"}
    assert (result.count("transferred"), result.count("skipped")) == (1, 1)


def test_directory_marker_equal_to_the_prefix_is_skipped(tmp_path: Path, bucket: str, s3_admin: Any,
                                                         run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"dir1/": b"", "dir1/a": b"a"})

    result = run_s3sync(f"s3://{bucket}/dir1/", str(tmp_path))

    assert read_tree(tmp_path) == {"a": b"a"}
    assert (result.count("transferred"), result.count("skipped")) == (1, 1)


@pytest.mark.parametrize(("ignore", "code", "warnings"), [(False, 3, 1), (True, 0, 0)], ids=["warns", "ignores"])
def test_glacier_invalid_object_state(ignore: bool, code: int, warnings: int, tmp_path: Path, bucket: str,
                                      s3_admin: Any, s3_endpoint: S3Endpoint, run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"cold": b"archived", "warm": b"here"})
    proxy = FaultProxy(s3_endpoint.endpoint_url)
    proxy.add_rule(lambda r: r.operation == "GetObject" and r.key == "cold", Fault.INVALID_OBJECT_STATE, times=None)

    with proxy:
        result = run_s3sync(*(("--ignore-glacier-warnings",) if ignore else ()), "--source-endpoint-url", proxy.url,
                            f"s3://{bucket}/", str(tmp_path), expect=code)

    assert read_tree(tmp_path) == {"warm": b"here"}
    assert result.count("warning") == warnings and result.count("error") == 0
    assert ("Glacier InvalidObjectState. Skipping." in result.stdout) is not ignore
