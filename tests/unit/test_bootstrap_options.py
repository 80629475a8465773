"""storage_options_for: which S3 request options each side of a run gets (bootstrap wiring)."""

from __future__ import annotations

import base64
import hashlib

from s3syncpy.adapters.s3 import S3StorageOptions
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import EncryptionSettings, UpdateCheck, Verification
from s3syncpy.bootstrap import storage_options_for
from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.model import ChecksumAlgorithm
from s3syncpy.domain.paths import S3Location

RAW_A, RAW_B = b"a" * 32, b"b" * 32


def _key(raw: bytes) -> CustomerKey:
    return CustomerKey(key=base64.b64encode(raw).decode(), key_md5=base64.b64encode(hashlib.md5(raw).digest()).decode())


def _config(**changes: object) -> SyncConfig:
    return SyncConfig(source=S3Location("src", ""), target=S3Location("dst", ""), **changes)  # type: ignore[arg-type]


def test_defaults_send_nothing_extra() -> None:
    config = _config()
    assert storage_options_for(config, "source") == S3StorageOptions()
    assert storage_options_for(config, "target") == S3StorageOptions()


def test_source_gets_its_key_and_checksum_mode_only() -> None:
    config = _config(
        verification=Verification(additional_checksum_algorithm=ChecksumAlgorithm.CRC32,
                                  enable_additional_checksum=True),
        encryption=EncryptionSettings(sse="AES256", source_sse_c=_key(RAW_A), target_sse_c=_key(RAW_B)),
    )

    source = storage_options_for(config, "source")

    assert source.checksum_mode
    assert source.checksum_algorithm is None and source.sse is None
    assert source.sse_c == CustomerKey(key=_key(RAW_A).key, key_md5=_key(RAW_A).key_md5, algorithm="AES256")


def test_target_gets_checksum_encryption_and_its_key() -> None:
    config = _config(
        verification=Verification(additional_checksum_algorithm=ChecksumAlgorithm.CRC32C, full_object_checksum=True),
        update_check=UpdateCheck(check_additional_checksum=ChecksumAlgorithm.CRC32C),
        encryption=EncryptionSettings(sse="aws:kms", sse_kms_key_id="kms-key", target_sse_c=_key(RAW_B)),
    )

    target = storage_options_for(config, "target")

    assert target.checksum_algorithm is ChecksumAlgorithm.CRC32C
    assert target.full_object and target.checksum_type == "FULL_OBJECT"
    assert target.checksum_mode
    assert (target.sse, target.sse_kms_key_id) == ("aws:kms", "kms-key")
    assert target.sse_c is not None and target.sse_c.key == _key(RAW_B).key


def test_crc64nvme_target_is_always_full_object() -> None:
    config = _config(verification=Verification(additional_checksum_algorithm=ChecksumAlgorithm.CRC64NVME))
    assert storage_options_for(config, "target").checksum_type == "FULL_OBJECT"
