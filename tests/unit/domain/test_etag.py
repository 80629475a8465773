"""ETag math and part layout (reference §2.1): size == threshold is multipart."""

from __future__ import annotations

import hashlib

import pytest

from s3syncpy.domain import etag
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.etag import (
    DEFAULT_CHUNKSIZE,
    DEFAULT_THRESHOLD,
    EMPTY_MD5_HEX,
    GiB,
    MiB,
    etag_from_part_digests,
    is_multipart,
    is_multipart_etag,
    multipart_etag_parts,
    normalize_etag,
    part_sizes,
    parts_count,
    single_etag,
    validate_part_size,
)


def local_etag(data: bytes, threshold: int, chunksize: int) -> str:
    """The ETag of `data` uploaded with this layout, built from the domain's part layout and ETag functions."""
    sizes = part_sizes(len(data), threshold, chunksize)
    if not sizes:
        return etag_from_part_digests([hashlib.md5(data).digest()], multipart=False)
    digests, offset = [], 0
    for size in sizes:
        digests.append(hashlib.md5(data[offset : offset + size]).digest())
        offset += size
    return etag_from_part_digests(digests, multipart=True)


def test_empty_md5_constant_is_the_md5_of_nothing() -> None:
    assert EMPTY_MD5_HEX == "d41d8cd98f00b204e9800998ecf8427e"


# Expected values for zero-filled data were computed outside Python with `head -c N /dev/zero | md5sum` and, for the
# multipart ones, `md5sum` over the concatenated raw part digests (`xxd -r -p`).
@pytest.mark.parametrize(
    ("size", "threshold", "chunksize", "expected"),
    [
        pytest.param(
            0, DEFAULT_THRESHOLD, DEFAULT_CHUNKSIZE, '"d41d8cd98f00b204e9800998ecf8427e"', id="empty"
        ),
        pytest.param(
            8 * MiB - 1, 8 * MiB, 8 * MiB, '"637b10ce48f79f1c0cf13efa84ee1247"', id="threshold-minus-1-single"
        ),
        pytest.param(
            8 * MiB, 8 * MiB, 8 * MiB, '"9ed977000dc166f25a9b9ef26fb3c3fc-1"', id="equal-threshold-one-part"
        ),
        pytest.param(
            8 * MiB + 1,
            8 * MiB,
            8 * MiB,
            '"a5eb57d36bf73a683183c5a0fb4a37ab-2"',
            id="threshold-plus-1-two-parts",
        ),
        pytest.param(
            8 * MiB, 7 * MiB, 9 * MiB, '"9ed977000dc166f25a9b9ef26fb3c3fc-1"', id="chunk-larger-than-file"
        ),
    ],
)
def test_etag_of_zero_filled_file(size: int, threshold: int, chunksize: int, expected: str) -> None:
    assert local_etag(bytes(size), threshold, chunksize) == expected


def test_single_etag_of_known_input() -> None:
    assert single_etag(hashlib.md5(b"abc").digest()) == '"900150983cd24fb0d6963f7d28e17f72"'


@pytest.mark.parametrize(
    ("size", "expected_suffix"),
    [
        pytest.param(7, None, id="below-threshold"),
        pytest.param(8, "-2", id="equal-threshold"),
        pytest.param(9, "-3", id="above-threshold"),
        pytest.param(12, "-3", id="exact-multiple"),
    ],
)
def test_multipart_etag_is_md5_of_part_digests(size: int, expected_suffix: str | None) -> None:
    data = bytes(range(size))
    etag = local_etag(data, threshold=8, chunksize=4)
    if expected_suffix is None:
        assert etag == f'"{hashlib.md5(data).hexdigest()}"'
    else:
        parts = [data[i : i + 4] for i in range(0, size, 4)]
        combined = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
        assert etag == f'"{combined}{expected_suffix}"'


def test_single_part_etag_needs_exactly_one_digest() -> None:
    with pytest.raises(ValueError, match="exactly one digest"):
        etag_from_part_digests([b"\0" * 16, b"\0" * 16], multipart=False)


@pytest.mark.parametrize(
    ("size", "threshold", "chunksize", "sizes"),
    [
        pytest.param(0, 8 * MiB, 8 * MiB, [], id="empty"),
        pytest.param(8 * MiB - 1, 8 * MiB, 8 * MiB, [], id="below-threshold"),
        pytest.param(8 * MiB, 8 * MiB, 8 * MiB, [8 * MiB], id="equal-threshold"),
        pytest.param(8 * MiB + 1, 8 * MiB, 8 * MiB, [8 * MiB, 1], id="remainder-last"),
        pytest.param(8 * MiB, 7 * MiB, 9 * MiB, [8 * MiB], id="chunk-larger-than-file"),
        pytest.param(30 * MiB, 8 * MiB, 8 * MiB, [8 * MiB, 8 * MiB, 8 * MiB, 6 * MiB], id="30MiB"),
        pytest.param(20 * MiB, 5 * MiB, 5 * MiB, [5 * MiB] * 4, id="exact-multiple"),
    ],
)
def test_part_sizes_and_count(size: int, threshold: int, chunksize: int, sizes: list[int]) -> None:
    assert part_sizes(size, threshold, chunksize) == sizes
    assert parts_count(size, threshold, chunksize) == len(sizes)
    assert is_multipart(size, threshold) == bool(sizes)
    assert sum(sizes) in (0, size)


@pytest.mark.parametrize(
    ("etag", "normalized", "multipart", "parts"),
    [
        pytest.param(None, None, False, None, id="none"),
        pytest.param('"abc"', "abc", False, None, id="quoted-single"),
        pytest.param("abc", "abc", False, None, id="bare-single"),
        pytest.param('"abc-2"', "abc-2", True, 2, id="quoted-multipart"),
        pytest.param("abc-300", "abc-300", True, 300, id="bare-multipart"),
        pytest.param('"abc-x"', "abc-x", True, None, id="dash-without-number"),
    ],
)
def test_normalize_and_multipart_detection(
    etag: str | None, normalized: str | None, multipart: bool, parts: int | None
) -> None:
    assert normalize_etag(etag) == normalized
    assert is_multipart_etag(etag) is multipart
    assert multipart_etag_parts(etag) == parts


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        pytest.param(5 * MiB - 1, False, id="below-5MiB"),
        pytest.param(5 * MiB, True, id="5MiB"),
        pytest.param(5 * GiB, True, id="5GiB"),
        pytest.param(5 * GiB + 1, False, id="above-5GiB"),
    ],
)
def test_validate_part_size(value: int, ok: bool) -> None:
    if ok:
        validate_part_size("--multipart-chunksize", value)
    else:
        with pytest.raises(ConfigError, match="--multipart-chunksize must be between 5MiB and 5GiB"):
            validate_part_size("--multipart-chunksize", value)


# ---- the layout an ETag states (objects other tools wrote) ------------------------------------------------------

_HEX = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("e_tag", "size", "expected"),
    [
        pytest.param(f'"{_HEX}"', 20 * MiB, ([20 * MiB], False), id="plain-etag-over-threshold-is-one-md5"),
        pytest.param(f'"{_HEX}"', 8 * MiB, ([8 * MiB], False), id="plain-etag-at-threshold"),
        pytest.param(_HEX, 3, ([3], False), id="plain-unquoted-small"),
        pytest.param(f'"{_HEX}-3"', 20 * MiB, ([8 * MiB, 8 * MiB, 4 * MiB], True), id="same-count-assumed-ours"),
        pytest.param(f'"{_HEX}-4"', 20 * MiB, None, id="other-count-learned"),
        pytest.param(f'"{_HEX}-1"', 3 * MiB, None, id="one-part-below-threshold-learned"),
        pytest.param(f'"{_HEX}-x"', 20 * MiB, None, id="unparsable-suffix-learned"),
        pytest.param(None, 20 * MiB, None, id="no-etag"),
    ],
)
def test_stated_layout(e_tag: str | None, size: int, expected: tuple[list[int], bool] | None) -> None:
    assert etag.stated_layout(e_tag, size, 8 * MiB, 8 * MiB) == expected


@pytest.mark.parametrize(
    ("parts", "e_tag", "size", "expected"),
    [
        pytest.param([5, 5, 3], f"{_HEX}-3", 13, True, id="count-and-sum"),
        pytest.param([5, 5], f"{_HEX}-3", 10, False, id="wrong-count"),
        pytest.param([5, 5, 2], f"{_HEX}-3", 13, False, id="wrong-sum"),
        pytest.param([0], f"{_HEX}-1", 0, True, id="empty-one-part"),
        pytest.param([], f"{_HEX}", 0, False, id="plain-etag"),
    ],
)
def test_explains_etag(parts: list[int], e_tag: str, size: int, expected: bool) -> None:
    assert etag.explains_etag(parts, e_tag, size) is expected
