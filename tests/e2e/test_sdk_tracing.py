"""--aws-sdk-tracing and --span-events-tracing through the installed `s3sync`: the SDK's records join ours, and no
secret ever reaches the output (secret keys, session tokens, SSE-C keys and their MD5s)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, s3sync_command, write_tree
from tests.support.sts_stand_in import FAKE_CREDENTIALS, StsStandIn

KEY_RAW = os.urandom(32)
KEY = base64.b64encode(KEY_RAW).decode()
KEY_MD5 = base64.b64encode(hashlib.md5(KEY_RAW).digest()).decode()
# Every request through botocore, so the SDK logs all of them (the lean data path does not log through botocore).
BOTOCORE = {"S3SYNCPY_DATAPATH": "botocore"}


def test_sdk_records_appear_with_their_logger_and_ssec_keys_redacted(tmp_path: Path, bucket: str, s3_endpoint: Any,
                                                                     run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"encrypted", "b/c.txt": b"also"})

    upload = run_s3sync("-vv", "--aws-sdk-tracing", "--target-sse-c", "AES256", "--target-sse-c-key", KEY,
                        str(tmp_path / "src"), f"s3://{bucket}/", env=BOTOCORE)
    download = run_s3sync("-vv", "--aws-sdk-tracing", "--source-sse-c", "AES256", "--source-sse-c-key", KEY,
                          f"s3://{bucket}/", str(tmp_path / "back"), env=BOTOCORE)

    for result in (upload, download):
        output = result.stdout + result.stderr
        assert " DEBUG botocore.endpoint: Making request for OperationModel" in output
        assert " DEBUG s3syncpy." in output  # our own records name their logger too in this mode
        assert "x-amz-server-side-encryption-customer-key" in output.lower()  # the headers were logged ...
        for secret in (KEY, KEY_MD5, s3_endpoint.secret_key):
            assert secret not in output  # ... but never their values
    assert "x-amz-server-side-encryption-customer-key': b'***'" in upload.stdout


def test_a_session_token_from_a_profile_file_is_redacted(tmp_path: Path, bucket: str, s3_endpoint: Any) -> None:
    """A token the CLI never saw (it comes from the credentials file) is caught by its header name."""
    token = "FwoGZXIvYXdzEJr-session-token-from-the-profile-0123456789"
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\n"
        f"aws_access_key_id = {s3_endpoint.access_key}\n"
        f"aws_secret_access_key = {s3_endpoint.secret_key}\n"
        f"aws_session_token = {token}\n"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(AWS_SHARED_CREDENTIALS_FILE=str(credentials), AWS_CONFIG_FILE=str(tmp_path / "none"),
                       AWS_REGION=s3_endpoint.region, **BOTOCORE)

    # The test server refuses a token it did not issue (exit 1); the requests were logged all the same.
    result = subprocess.run(
        [*s3sync_command(), "-vv", "--aws-sdk-tracing", "--source-endpoint-url", s3_endpoint.endpoint_url,
         "--source-force-path-style", f"s3://{bucket}/", str(tmp_path / "dst")],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )

    output = result.stdout + result.stderr
    assert "'X-Amz-Security-Token': b'***'" in output
    assert token not in output
    assert s3_endpoint.secret_key not in output


def test_json_sdk_records_carry_a_target_and_cover_every_request(tmp_path: Path, bucket: str,
                                                                    run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a": b"1"})

    # No S3SYNCPY_DATAPATH: with the SDK's DEBUG records wanted, the data path goes through botocore by itself.
    result = run_s3sync("-vv", "--json-tracing", "--aws-sdk-tracing", str(tmp_path / "src"), f"s3://{bucket}/")

    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(list(record) == ["timestamp", "level", "fields", "target"] for record in records)
    targets = {record["target"] for record in records}
    assert any(target.startswith("botocore.") for target in targets)
    assert "s3syncpy.sync" in targets
    messages = [str(record["fields"].get("message", "")) for record in records]
    assert any("Making request for OperationModel(name=PutObject)" in message for message in messages)


def test_without_the_option_no_sdk_record_appears(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a": b"1"})

    result = run_s3sync("-vvv", str(tmp_path / "src"), f"s3://{bucket}/", env=BOTOCORE)

    assert "botocore" not in result.stdout
    assert " DEBUG " in result.stdout  # -vvv did show our own debug records


def test_span_events_mark_each_request(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a": b"1"})
    run_s3sync(str(tmp_path / "src"), f"s3://{bucket}/")

    with_spans = run_s3sync("-vv", "--span-events-tracing", "--remove-modified-filter", "--head-each-target", str(tmp_path / "src"),
                            f"s3://{bucket}/")
    without = run_s3sync("-vv", "--remove-modified-filter", "--head-each-target", str(tmp_path / "src"), f"s3://{bucket}/")

    new = [line for line in with_spans.stdout.splitlines() if ' DEBUG new span="invoke"' in line]
    close = [line for line in with_spans.stdout.splitlines() if ' DEBUG close span="invoke"' in line]
    assert any(f'rpc.method="HeadObject" object="s3://{bucket}/a"' in line for line in new)
    assert len(new) == len(close) >= 1  # the HEAD of the target (no listing with --remove-modified-filter)
    assert all('time.busy="' in line for line in close)
    assert 'span="invoke"' not in without.stdout


def _assume_role_config(tmp_path: Path, s3_endpoint: Any, sts_url: str | None) -> Path:
    """A config file whose profile `assumer` assumes a role with the static keys of `base`; STS at sts_url when
    given (else the environment must point the SDK at the stand-in)."""
    services = "services = stand-in\n" if sts_url else ""
    stand_in = f"[services stand-in]\nsts =\n  endpoint_url = {sts_url}\n" if sts_url else ""
    config = tmp_path / "config"
    config.write_text(
        "[profile assumer]\n"
        "role_arn = arn:aws:iam::123456789012:role/s3sync-test\n"
        "role_session_name = s3sync\n"
        "source_profile = base\n"
        f"region = {s3_endpoint.region}\n"
        f"{services}"
        "[profile base]\n"
        f"aws_access_key_id = {s3_endpoint.access_key}\n"
        f"aws_secret_access_key = {s3_endpoint.secret_key}\n"
        f"{services}"
        f"{stand_in}"
    )
    return config


@pytest.mark.parametrize("sts_from", ["environment", "services-section"])
def test_temporary_credentials_of_an_assumed_role_are_redacted(sts_from: str, tmp_path: Path, bucket: str,
                                                               s3_endpoint: Any) -> None:
    """STS's XML answer to AssumeRole is logged by the SDK with the temporary secret key and session token in it."""
    with StsStandIn() as sts:
        config = _assume_role_config(tmp_path, s3_endpoint, None if sts_from == "environment" else sts.url)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        environment.update(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
                           AWS_REGION=s3_endpoint.region, **BOTOCORE)
        if sts_from == "environment":
            environment["AWS_ENDPOINT_URL_STS"] = sts.url

        # The test server does not know the stand-in's keys, so the S3 requests are refused (exit 1); the role was
        # assumed and its answer logged all the same.
        result = subprocess.run(
            [*s3sync_command(), "-vv", "--aws-sdk-tracing", "--source-profile", "assumer", "--source-endpoint-url",
             s3_endpoint.endpoint_url, "--source-force-path-style", "--force-retry-count", "0",
             f"s3://{bucket}/", str(tmp_path / "dst")],
            capture_output=True, text=True, env=environment, timeout=120, check=False,
        )
        actions = sts.actions

    output = result.stdout + result.stderr
    assert "AssumeRole" in actions, output
    assert "<SecretAccessKey>***</SecretAccessKey>" in output  # the body was traced, its secrets redacted
    assert "<SessionToken>***</SessionToken>" in output
    assert FAKE_CREDENTIALS["AccessKeyId"] in output  # not a secret: it stays, to tell identities apart
    assert "'X-Amz-Security-Token': b'***'" in output  # the S3 requests carried the temporary token
    for secret in (FAKE_CREDENTIALS["SecretAccessKey"], FAKE_CREDENTIALS["SessionToken"], s3_endpoint.secret_key):
        assert secret not in output
    assert result.returncode in (0, 1), output
