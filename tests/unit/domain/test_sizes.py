"""Byte sizes as byte-unit 5 parses them for the reference (KB=1000, KiB=1024, final "b" = bits)."""

from __future__ import annotations

import pytest

from s3syncpy.domain.sizes import parse_human_bytes

KiB, MiB, GiB, TiB = 1024, 1024**2, 1024**3, 1024**4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("0", 0, id="zero"),
        pytest.param("5242880", 5 * MiB, id="plain-bytes"),
        pytest.param("1B", 1, id="B"),
        pytest.param("1KB", 1000, id="KB"),
        pytest.param("1KiB", KiB, id="KiB"),
        pytest.param("8MB", 8_000_000, id="MB"),
        pytest.param("8MiB", 8 * MiB, id="MiB"),
        pytest.param("5GB", 5_000_000_000, id="GB"),
        pytest.param("5GiB", 5 * GiB, id="GiB"),
        pytest.param("1TB", 10**12, id="TB"),
        pytest.param("1TiB", TiB, id="TiB"),
        pytest.param("1K", 1000, id="bare-prefix"),
        pytest.param("1Ki", KiB, id="bare-binary-prefix"),
        pytest.param("1kB", 1000, id="prefix-case-insensitive"),
        pytest.param("1kiB", KiB, id="i-case-insensitive"),
        pytest.param("8 MiB", 8 * MiB, id="space-before-unit"),
        pytest.param("  8MiB  ", 8 * MiB, id="surrounding-whitespace"),
        pytest.param("1.5MiB", 3 * MiB // 2, id="decimal"),
        pytest.param("1.5 GB", 1_500_000_000, id="decimal-with-space"),
        pytest.param("1.0001KiB", 1025, id="fraction-rounds-up"),
        pytest.param("0.5B", 1, id="half-byte-rounds-up"),
        pytest.param("1b", 1, id="one-bit-rounds-up"),
        pytest.param("9b", 2, id="bits"),
        pytest.param("1Kb", 125, id="kilobit"),
        pytest.param("1Kbit", 125, id="kilobit-long"),
        pytest.param("1kib", 128, id="lowercase-b-is-kibibit"),
        pytest.param("1KiBits", 128, id="kibibits"),
        pytest.param("8mib", MiB, id="8-mebibits"),
        pytest.param("15EiB", 15 * 2**60, id="largest-exbibytes"),
        pytest.param("18446744073709551615", 2**64 - 1, id="u64-max"),
    ],
)
def test_valid_sizes(text: str, expected: int) -> None:
    assert parse_human_bytes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("abc", id="no-number"),
        pytest.param("524287a", id="unknown-unit"),
        pytest.param("5Zib", id="zebi-unsupported"),
        pytest.param("-1", id="negative"),
        pytest.param("+1", id="plus-sign"),
        pytest.param(".5MiB", id="no-integer-part"),
        pytest.param("5.", id="dot-without-fraction"),
        pytest.param("5.MiB", id="dot-before-unit"),
        pytest.param("1e3", id="exponent"),
        pytest.param("5 M iB", id="space-inside-unit"),
        pytest.param("5MiBs", id="trailing-garbage"),
        pytest.param("5Bi", id="B-then-i"),
        pytest.param("5\tMiB", id="tab-separator"),
        pytest.param("\uff11\uff12", id="fullwidth-digits"),
        pytest.param("1." + "0" * 28 + "1", id="too-many-fraction-digits"),
        pytest.param("16EiB", id="over-u64"),
        pytest.param("18446744073709551616", id="u64-max-plus-1"),
    ],
)
def test_invalid_sizes_raise_one_line_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="invalid size") as info:
        parse_human_bytes(text)
    assert "\n" not in str(info.value)
