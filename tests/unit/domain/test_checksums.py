"""Additional checksum values (reference §2.3): plain, composite "-N", full-object, and the layout rules."""

from __future__ import annotations

import base64
import hashlib
import zlib

import pytest

from s3syncpy.domain import checksums
from s3syncpy.domain.model import ChecksumAlgorithm as Alg

SHA1, SHA256, CRC32, CRC32C, CRC64 = Alg.SHA1, Alg.SHA256, Alg.CRC32, Alg.CRC32C, Alg.CRC64NVME


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    ("algorithm", "data", "expected"),
    [
        pytest.param(CRC32C, b"", "AAAAAA==", id="crc32c-empty"),
        pytest.param(CRC32, b"", "AAAAAA==", id="crc32-empty"),
        pytest.param(CRC64, b"", "AAAAAAAAAAA=", id="crc64nvme-empty"),
        pytest.param(CRC32, b"hello", b64(zlib.crc32(b"hello").to_bytes(4, "big")), id="crc32-is-zlib-big-endian"),
        # Check values of the standard catalogue for "123456789".
        pytest.param(CRC32C, b"123456789", b64(0xE3069283.to_bytes(4, "big")), id="crc32c-check-value"),
        pytest.param(CRC64, b"123456789", b64(0xAE8B14860A799888.to_bytes(8, "big")), id="crc64nvme-check-value"),
        pytest.param(SHA1, b"abc", b64(hashlib.sha1(b"abc").digest()), id="sha1"),
        pytest.param(SHA256, b"", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", id="sha256-empty"),
    ],
)
def test_single_part_value_is_base64_of_the_raw_digest(algorithm: Alg, data: bytes, expected: str) -> None:
    assert checksums.encode(checksums.digest(algorithm, data)) == expected


@pytest.mark.parametrize("algorithm", list(Alg), ids=lambda a: a.value)
def test_composite_is_digest_of_concatenated_part_digests_with_count(algorithm: Alg) -> None:
    parts = [b"a" * 10, b"b" * 7, b"c"]
    digests = [checksums.digest(algorithm, p) for p in parts]
    expected = checksums.encode(checksums.digest(algorithm, b"".join(digests))) + "-3"
    assert checksums.composite_checksum(algorithm, digests) == expected


def test_composite_of_one_part_keeps_the_minus_one_suffix() -> None:
    digest = checksums.digest(SHA256, b"x" * 100)
    value = checksums.composite_checksum(SHA256, [digest])
    assert value.endswith("-1")
    assert value != checksums.encode(digest) + "-1"  # the digest of the digest, not the digest itself


def test_composite_needs_a_part() -> None:
    with pytest.raises(ValueError):
        checksums.composite_checksum(CRC32, [])


@pytest.mark.parametrize(
    ("algorithm", "flag", "expected"),
    [
        pytest.param(SHA1, True, False, id="sha1-ignores-flag"),
        pytest.param(SHA256, True, False, id="sha256-ignores-flag"),
        pytest.param(CRC32, False, False, id="crc32-composite-by-default"),
        pytest.param(CRC32, True, True, id="crc32-full-with-flag"),
        pytest.param(CRC32C, True, True, id="crc32c-full-with-flag"),
        pytest.param(CRC64, False, True, id="crc64nvme-always-full"),
    ],
)
def test_uses_full_object(algorithm: Alg, flag: bool, expected: bool) -> None:
    assert checksums.uses_full_object(algorithm, flag) is expected


DATA = bytes(range(256)) * 40
PARTS = [4096, 4096, len(DATA) - 8192]


def _part_digests(algorithm: Alg) -> list[bytes]:
    out, offset = [], 0
    for size in PARTS:
        out.append(checksums.digest(algorithm, DATA[offset:offset + size]))
        offset += size
    return out


@pytest.mark.parametrize(
    ("algorithm", "multipart", "full_object", "expected_kind"),
    [
        pytest.param(SHA256, False, False, "single", id="single-sha256"),
        pytest.param(CRC32, False, True, "single", id="single-crc32-flag-irrelevant"),
        pytest.param(SHA256, True, True, "composite", id="multipart-sha256-flag-ignored"),
        pytest.param(CRC32C, True, False, "composite", id="multipart-crc32c-composite"),
        pytest.param(CRC32C, True, True, "full", id="multipart-crc32c-full"),
        pytest.param(CRC64, True, False, "full", id="multipart-crc64nvme-always-full"),
    ],
)
def test_checksum_value_truth_table(algorithm: Alg, multipart: bool, full_object: bool, expected_kind: str) -> None:
    full = checksums.digest(algorithm, DATA) if algorithm in checksums.CRC_ALGORITHMS else None
    parts = _part_digests(algorithm) if multipart else [checksums.digest(algorithm, DATA)]
    value = checksums.checksum_value(algorithm, parts, full, multipart=multipart, full_object=full_object)
    if expected_kind == "single":
        assert value == checksums.encode(checksums.digest(algorithm, DATA))
    elif expected_kind == "full":
        assert value == checksums.encode(checksums.digest(algorithm, DATA))
        assert "-" not in value
    else:
        assert value == checksums.composite_checksum(algorithm, parts)
        assert value.endswith("-3")


def test_checksum_value_rejects_inconsistent_inputs() -> None:
    with pytest.raises(ValueError):
        checksums.checksum_value(SHA1, [b"a", b"b"], None, multipart=False, full_object=False)
    with pytest.raises(ValueError):
        checksums.checksum_value(CRC64, [b"a", b"b"], None, multipart=True, full_object=True)


@pytest.mark.parametrize(
    ("part_sizes", "threshold", "expected"),
    [
        pytest.param([10, 5], 100, True, id="two-parts"),
        pytest.param([100], 100, True, id="one-part-at-threshold"),
        pytest.param([101], 100, True, id="one-part-over-threshold"),
        pytest.param([99], 100, False, id="one-part-under-threshold"),
        pytest.param([0], 1, False, id="empty-file"),
        pytest.param([], 1, False, id="no-parts"),
    ],
)
def test_is_multipart_layout(part_sizes: list[int], threshold: int, expected: bool) -> None:
    assert checksums.is_multipart_layout(part_sizes, threshold) is expected


@pytest.mark.parametrize(
    ("value", "full", "composite"),
    [
        pytest.param("AAAAAA==", True, False, id="plain"),
        pytest.param("YE4jTLSB/cA=", True, False, id="full-object"),
        pytest.param("zWifJvli3SaQ9LZtHxzpOjkUE9x4ovgJZ+34As/NMwc=-2", False, True, id="composite"),
        pytest.param(None, False, False, id="missing"),
    ],
)
def test_full_object_means_no_dash(value: str | None, full: bool, composite: bool) -> None:
    assert checksums.is_full_object_checksum(value) is full
    assert checksums.is_composite_checksum(value) is composite


@pytest.mark.parametrize(
    ("source", "parts", "size", "expected"),
    [
        pytest.param("AAAAAA==", [100], 100, 101, id="no-dash-never-multipart"),
        pytest.param("YE4jTLSB/cA=", [60, 40], 100, 101, id="full-object-with-parts"),
        pytest.param("abc=-1", [100], 100, 100, id="one-part-multipart"),
        pytest.param("abc=-2", [60, 40], 100, 8, id="config-threshold"),
    ],
)
def test_verification_threshold(source: str, parts: list[int], size: int, expected: int) -> None:
    assert checksums.verification_threshold(source, parts, size, 8) == expected
