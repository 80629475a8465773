"""The integrity options: parsing into SyncConfig, the reference's conflicts (exit 2), help groups, redaction."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.cli.main import run
from s3syncpy.cli.options import OPTION_SPECS
from s3syncpy.cli.parsing import build_config, build_ui_settings
from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.etag import MiB
from s3syncpy.domain.model import ChecksumAlgorithm

KEY_RAW = bytes(range(32))
KEY = base64.b64encode(KEY_RAW).decode()
KEY_MD5 = base64.b64encode(hashlib.md5(KEY_RAW).digest()).decode()
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()
LOCAL, S3, S3B = "/data/in", "s3://bucket/prefix/", "s3://other/"


def build(source: str = LOCAL, target: str = S3, **values: Any) -> SyncConfig:
    return build_config({"source": source, "target": target, **values})


def test_options_land_in_the_config() -> None:
    config = build(
        S3, S3B,
        additional_checksum_algorithm="CRC32C", full_object_checksum=True, enable_additional_checksum=True,
        disable_additional_checksum_verify=True, check_mtime_and_additional_checksum="SHA256",
        auto_chunksize=True, sse="aws:kms", sse_kms_key_id="arn:key",
    )
    v = config.verification
    assert v.additional_checksum_algorithm is ChecksumAlgorithm.CRC32C
    assert v.full_object_checksum and v.uses_full_object_checksum
    assert v.enable_additional_checksum and v.disable_additional_checksum_verify
    assert config.update_check.check_mtime_and_additional_checksum is ChecksumAlgorithm.SHA256
    assert config.update_check.checksum_algorithm is ChecksumAlgorithm.SHA256
    assert config.transfer.auto_chunksize
    assert config.transfer.multipart_threshold == 8 * MiB  # the default still applies
    assert config.encryption.sse == "aws:kms" and config.encryption.sse_kms_key_id == "arn:key"
    assert config.source_checksum_mode and config.target_checksum_mode


def test_crc64nvme_forces_full_object() -> None:
    config = build(additional_checksum_algorithm="CRC64NVME")
    assert not config.verification.full_object_checksum
    assert config.verification.uses_full_object_checksum


def test_sse_c_keys_are_validated_and_md5_filled_in() -> None:
    config = build(S3, S3B, source_sse_c="AES256", source_sse_c_key=KEY,
                   target_sse_c="AES256", target_sse_c_key=OTHER_KEY, target_sse_c_key_md5=None)
    assert config.encryption.source_sse_c == CustomerKey(key=KEY, key_md5=KEY_MD5)
    assert config.encryption.target_sse_c is not None and config.encryption.target_sse_c.key_md5
    assert config.encryption.sse_c_used
    assert KEY not in repr(config)


def test_sse_c_key_with_matching_md5_is_accepted() -> None:
    config = build(S3, S3B, source_sse_c="AES256", source_sse_c_key=KEY, source_sse_c_key_md5=KEY_MD5)
    assert config.encryption.source_sse_c is not None


def test_check_etag_with_auto_chunksize_accepts_a_local_source() -> None:
    assert build(check_etag=True, auto_chunksize=True).transfer.auto_chunksize
    assert build(check_mtime_and_etag=True, auto_chunksize=True).transfer.auto_chunksize


CONFLICTS = [
    pytest.param({"additional_checksum_algorithm": "MD5"}, LOCAL, S3, "--additional-checksum-algorithm",
                 id="unknown-algorithm"),
    pytest.param({"check_additional_checksum": "sha256"}, LOCAL, S3, "--check-additional-checksum",
                 id="algorithm-is-case-sensitive"),
    pytest.param({"additional_checksum_algorithm": "SHA1", "full_object_checksum": True}, LOCAL, S3,
                 "Only CRC32/CRC32C/CRC64NVME supports full object checksum", id="full-object-sha1"),
    pytest.param({"additional_checksum_algorithm": "SHA256", "full_object_checksum": True}, LOCAL, S3,
                 "Only CRC32/CRC32C/CRC64NVME", id="full-object-sha256"),
    pytest.param({"full_object_checksum": True}, S3, LOCAL, "with --full-object-checksum, target storage",
                 id="full-object-local-target"),
    pytest.param({"disable_additional_checksum_verify": True}, LOCAL, S3,
                 "--disable-additional-checksum-verify requires --additional-checksum-algorithm",
                 id="disable-verify-without-algorithm"),
    pytest.param({"additional_checksum_algorithm": "CRC32"}, S3, LOCAL,
                 "with --additional-checksum-algorithm, target storage must be s3://", id="algorithm-local-target"),
    pytest.param({"enable_additional_checksum": True}, LOCAL, S3,
                 "with --enable-additional-checksum, source storage must be s3://", id="enable-local-source"),
    pytest.param({"auto_chunksize": True}, LOCAL, S3, "with --auto-chunksize, source storage must be s3://",
                 id="auto-chunksize-local-source"),
    pytest.param({"auto_chunksize": True, "multipart_threshold": "8MiB"}, S3, S3B,
                 "--auto-chunksize cannot be used with --multipart-threshold", id="auto-chunksize-threshold"),
    pytest.param({"auto_chunksize": True, "multipart_chunksize": "16MiB"}, S3, S3B,
                 "--auto-chunksize cannot be used with --multipart-chunksize", id="auto-chunksize-chunksize"),
    pytest.param({"check_etag": True, "check_mtime_and_etag": True}, LOCAL, S3,
                 "--check-etag cannot be used with --check-mtime-and-etag", id="etag-and-mtime-etag"),
    pytest.param({"check_additional_checksum": "SHA1", "check_mtime_and_additional_checksum": "SHA1"}, LOCAL, S3,
                 "cannot be used with", id="two-checksum-checks"),
    pytest.param({"check_size": True, "check_additional_checksum": "SHA1"}, LOCAL, S3, "--check-size",
                 id="size-and-checksum"),
    pytest.param({"check_mtime_and_etag": True, "remove_modified_filter": True}, LOCAL, S3,
                 "--remove-modified-filter", id="mtime-etag-remove-filter"),
    pytest.param({"check_mtime_and_additional_checksum": "CRC32", "remove_modified_filter": True}, LOCAL, S3,
                 "--remove-modified-filter", id="mtime-checksum-remove-filter"),
    pytest.param({"check_etag": True, "remove_modified_filter": True}, LOCAL, S3,
                 "--head-each-target is required for --check-etag", id="etag-remove-filter"),
    pytest.param({"sse": "aws:kms", "check_etag": True}, LOCAL, S3,
                 "--check-etag is not supported with --sse aws:kms | aws:kms:dsse", id="etag-kms"),
    pytest.param({"sse": "aws:kms:dsse", "check_mtime_and_etag": True}, LOCAL, S3,
                 "--check-mtime-and-etag is not supported with --sse", id="mtime-etag-dsse"),
    pytest.param({"check_etag": True, "source_sse_c": "AES256", "source_sse_c_key": KEY}, S3, S3B,
                 "--check-etag cannot be used with --source-sse-c-key", id="etag-source-sse-c"),
    pytest.param({"check_mtime_and_etag": True, "target_sse_c": "AES256", "target_sse_c_key": KEY}, S3, S3B,
                 "--check-mtime-and-etag cannot be used with --target-sse-c-key", id="mtime-etag-target-sse-c"),
    pytest.param({"sse": "aws:kms-x"}, LOCAL, S3, "--sse", id="bad-sse"),
    pytest.param({"sse": "AES256"}, S3, LOCAL, "with --sse/--sse-kms-key-id, target storage must be s3://",
                 id="sse-local-target"),
    pytest.param({"sse_kms_key_id": "k"}, LOCAL, S3, "--sse-kms-key-id must be used with --sse aws:kms",
                 id="kms-key-without-kms"),
    pytest.param({"sse": "AES256", "sse_kms_key_id": "k"}, LOCAL, S3, "--sse-kms-key-id must be used with",
                 id="kms-key-with-aes256"),
    pytest.param({"source_sse_c": "AES256", "source_sse_c_key": KEY}, LOCAL, S3,
                 "with --source-sse-c/--target-sse-c, remote storage must be s3://", id="sse-c-local-source"),
    pytest.param({"target_sse_c": "AES256", "target_sse_c_key": KEY}, S3, LOCAL, "remote storage must be s3://",
                 id="sse-c-local-target"),
    pytest.param({"target_sse_c": "AES256", "target_sse_c_key": KEY, "sse": "AES256"}, S3, S3B,
                 "--target-sse-c cannot be used with --sse", id="sse-c-and-sse"),
    pytest.param({"source_sse_c": "AES128", "source_sse_c_key": KEY}, S3, S3B, "--source-sse-c",
                 id="sse-c-algorithm"),
    pytest.param({"source_sse_c": "AES256"}, S3, S3B, "--source-sse-c requires --source-sse-c-key",
                 id="sse-c-without-key"),
    pytest.param({"target_sse_c_key": KEY}, S3, S3B, "--target-sse-c-key requires --target-sse-c",
                 id="sse-c-key-without-algorithm"),
    pytest.param({"source_sse_c": "AES256", "source_sse_c_key": "not base64!"}, S3, S3B,
                 "--source-sse-c-key must be a base64-encoded 256-bit key", id="sse-c-key-not-base64"),
    pytest.param({"source_sse_c": "AES256", "source_sse_c_key": base64.b64encode(b"short").decode()}, S3, S3B,
                 "256-bit", id="sse-c-key-too-short"),
    pytest.param({"target_sse_c": "AES256", "target_sse_c_key": KEY, "target_sse_c_key_md5": "AAAA"}, S3, S3B,
                 "--target-sse-c-key-md5 is not the base64-encoded MD5 digest", id="sse-c-md5-mismatch"),
]


@pytest.mark.parametrize(("values", "source", "target", "message"), CONFLICTS)
def test_conflicts_are_config_errors(values: dict[str, Any], source: str, target: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build(source, target, **values)
    assert message in str(caught.value)
    assert KEY not in str(caught.value)


async def _must_not_run(*_args: object) -> None:
    raise AssertionError("the sync must not start after a bad argument")


@pytest.mark.parametrize(
    ("arguments", "mentioned"),
    [
        pytest.param(["--additional-checksum-algorithm", "SHA1", "--full-object-checksum"], "Only CRC32",
                     id="full-object-sha1"),
        pytest.param(["--auto-chunksize", "--multipart-threshold", "8MiB"], "--auto-chunksize", id="auto-threshold"),
        pytest.param(["--sse-kms-key-id", "k"], "--sse-kms-key-id", id="kms-key-alone"),
        pytest.param(["--disable-additional-checksum-verify"], "--disable-additional-checksum-verify",
                     id="disable-verify-alone"),
    ],
)
def test_cli_conflicts_exit_2_with_one_error_line(
    arguments: list[str], mentioned: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([str(tmp_path), S3, *arguments], execute=_must_not_run) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and mentioned in err[0]


def test_sse_c_key_never_appears_in_the_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run([str(tmp_path), S3, "--source-sse-c", "AES256", "--source-sse-c-key", KEY], execute=_must_not_run)
    assert code == 2
    captured = capsys.readouterr()
    assert KEY not in captured.err and KEY not in captured.out


def test_sse_c_keys_are_redacted_secrets() -> None:
    ui = build_ui_settings({"source_sse_c_key": KEY, "source_sse_c_key_md5": KEY_MD5, "target_sse_c_key": OTHER_KEY})
    assert {KEY, KEY_MD5, OTHER_KEY} <= set(ui.secrets)


def test_help_groups_follow_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    headings = [line[:-1] for line in out.splitlines() if line and not line.startswith(" ") and line.endswith(":")]
    order = ["Update Checking", "Verification", "Multipart Settings", "Encryption"]
    positions = [headings.index(name) for name in order]
    assert positions == sorted(positions)
    for option in ("--check-mtime-and-etag", "--check-additional-checksum <CHECK_ADDITIONAL_CHECKSUM>",
                   "--full-object-checksum", "--auto-chunksize", "--sse <SSE>", "--target-sse-c-key-md5"):
        assert option in out
    assert "[default: 8MiB]" in out


def test_every_integrity_option_is_in_its_group() -> None:
    groups = {spec.long: spec.group for spec in OPTION_SPECS}
    assert groups["--check-mtime-and-additional-checksum"] == "Update Checking"
    assert groups["--additional-checksum-algorithm"] == "Verification"
    assert groups["--disable-additional-checksum-verify"] == "Verification"
    assert groups["--auto-chunksize"] == "Multipart Settings"
    assert {groups[f"--{side}-sse-c{suffix}"] for side in ("source", "target") for suffix in ("", "-key", "-key-md5")} \
        == {"Encryption"}
