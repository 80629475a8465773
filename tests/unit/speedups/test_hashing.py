"""hash_file_parts / hash_buffer_parts: both twins against a plain hashlib/awscrt reference.

The reference below hashes each part with one call and the full-object CRC with one call over the whole
input, so it shares no chunking, threading, segmenting or CRC-combine logic with the code under test.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from awscrt import checksums  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MiB = 1 << 20
ALGORITHMS = [None, "SHA1", "SHA256", "CRC32", "CRC32C", "CRC64NVME"]
CRCS: dict[str, tuple[Callable[..., int], int]] = {
    "CRC32": (checksums.crc32, 4),
    "CRC32C": (checksums.crc32c, 4),
    "CRC64NVME": (checksums.crc64nvme, 8),
}


def reference(
    data: bytes, sizes: list[int], algorithm: str | None, full_object: bool, want_md5: bool
) -> tuple[list[bytes], list[bytes], bytes | None, int]:
    parts, offset = [], 0
    for size in sizes:
        parts.append(data[offset : offset + size])
        offset += size
    md5s = [hashlib.md5(part).digest() for part in parts] if want_md5 else []
    if algorithm is None:
        return md5s, [], None, len(data)
    if algorithm in CRCS:
        function, width = CRCS[algorithm]
        part_checksums = [function(part).to_bytes(width, "big") for part in parts]
        full = function(data).to_bytes(width, "big") if full_object else None
        return md5s, part_checksums, full, len(data)
    return md5s, [hashlib.new(algorithm.lower(), part).digest() for part in parts], None, len(data)


@st.composite
def layouts(draw: st.DrawFn, max_size: int = 3000) -> tuple[bytes, list[int]]:
    """Random data and a random cut of it into parts, 0-byte and 1-byte parts included."""
    data = draw(st.binary(max_size=max_size))
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=8)))
    edges = [0, *cuts, len(data)]
    sizes = [end - start for start, end in pairwise(edges)]
    return data, sizes


algorithm_choices = st.sampled_from(ALGORITHMS).flatmap(
    lambda algorithm: st.tuples(
        st.just(algorithm), st.booleans() if algorithm in CRCS else st.just(False), st.booleans()
    )
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts(), choice=algorithm_choices)
def test_buffer_matches_reference(
    twin: Any, layout: tuple[bytes, list[int]], choice: tuple[Any, ...]
) -> None:
    data, sizes = layout
    algorithm, full_object, want_md5 = choice
    expected = reference(data, sizes, algorithm, full_object, want_md5)
    for buffer in (data, bytearray(data), memoryview(data)):
        result = twin.hashing.hash_buffer_parts(buffer, sizes, algorithm, full_object, want_md5)
        assert tuple(result) == expected


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts(), choice=algorithm_choices)
def test_file_matches_reference(
    twin: Any,
    tmp_path_factory: pytest.TempPathFactory,
    layout: tuple[bytes, list[int]],
    choice: tuple[Any, ...],
) -> None:
    data, sizes = layout
    algorithm, full_object, want_md5 = choice
    path = tmp_path_factory.mktemp("hash") / "data.bin"
    path.write_bytes(data)
    result = twin.hashing.hash_file_parts(str(path), sizes, algorithm, full_object, want_md5)
    assert tuple(result) == reference(data, sizes, algorithm, full_object, want_md5)
    assert result.total_size == len(data)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    """13 MiB + 3 bytes: many 1 MiB blocks, CRC segments of 8 MiB, lanes and worker threads all engage."""
    data = os.urandom(13 * MiB + 3)
    path = tmp_path_factory.mktemp("big") / "big.bin"
    path.write_bytes(data)
    return data, path


def _uneven(n: int) -> list[int]:
    """30 parts of seeded random sizes (zero and sub-block ones included), the remainder last."""
    sizes = [
        random.Random(seed).choice([0, 1, 63, 64, 65, 4096, 128 * 1024 + 1, MiB - 64, MiB + 1])
        for seed in range(30)
    ]
    return [*sizes, n - sum(sizes)]


BIG_LAYOUTS = {
    "single": lambda n: [n],
    "5MiB-parts": lambda n: [5 * MiB, 5 * MiB, n - 10 * MiB],
    "odd-parts": lambda n: [5 * MiB + 1, 0, 1, 7 * MiB - 1, n - 12 * MiB - 1],
    "tiny-edges": lambda n: [0, 1, 1, n - 3, 1, 0],
    "many-small": lambda n: [MiB // 2 + 7] * 20 + [n - 20 * (MiB // 2 + 7)],
    "uneven": _uneven,
}


@pytest.mark.parametrize("layout", list(BIG_LAYOUTS), ids=list(BIG_LAYOUTS))
# SHA1 and CRC32 share their code paths with SHA256 and CRC32C; the small-input properties cover them.
@pytest.mark.parametrize("algorithm", [None, "SHA256", "CRC32C", "CRC64NVME"], ids=str)
@pytest.mark.parametrize("want_md5", [True, False], ids=["md5", "no-md5"])
def test_large_inputs_match_reference(
    twin: Any, big: tuple[bytes, Path], layout: str, algorithm: str | None, want_md5: bool
) -> None:
    data, path = big
    sizes = BIG_LAYOUTS[layout](len(data))
    full_object = algorithm in CRCS
    expected = reference(data, sizes, algorithm, full_object, want_md5)
    assert tuple(twin.hashing.hash_file_parts(str(path), sizes, algorithm, full_object, want_md5)) == expected
    assert tuple(twin.hashing.hash_buffer_parts(data, sizes, algorithm, full_object, want_md5)) == expected


@pytest.mark.parametrize(
    ("algorithm", "check_value"),
    [("CRC32", 0xCBF43926), ("CRC32C", 0xE3069283), ("CRC64NVME", 0xAE8B14860A799888)],
)
def test_crc_check_values_are_big_endian(twin: Any, algorithm: str, check_value: int) -> None:
    # The published check values of each CRC over b"123456789", independent of awscrt.
    result = twin.hashing.hash_buffer_parts(b"123456789", [4, 5], algorithm, True, False)
    width = CRCS[algorithm][1]
    assert result.full_checksum == check_value.to_bytes(width, "big")
    assert result.part_md5s == []


def test_empty_input_is_one_empty_part(twin: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    result = twin.hashing.hash_file_parts(str(path), [0], "CRC32C", True)
    assert result.part_md5s == [bytes.fromhex("d41d8cd98f00b204e9800998ecf8427e")]
    # Reference §2.3: CRC32C of empty input is "AAAAAA==", i.e. four zero bytes.
    assert result.part_checksums == [bytes(4)]
    assert result.full_checksum == bytes(4)
    assert result.total_size == 0


def test_full_checksum_is_none_unless_requested(twin: Any) -> None:
    result = twin.hashing.hash_buffer_parts(b"abc", [3], "CRC64NVME", False)
    assert result.full_checksum is None
    assert len(result.part_checksums) == 1


@pytest.mark.parametrize(
    ("sizes", "kwargs", "error"),
    [
        ([4], {}, ValueError),
        ([6], {}, ValueError),
        ([], {}, ValueError),
        ([6, -1], {}, ValueError),
        ([5], {"algorithm": "MD5"}, ValueError),
        ([5], {"algorithm": "crc32"}, ValueError),
        ([5], {"algorithm": "SHA256", "full_object": True}, ValueError),
        ([2.5, 2.5], {}, TypeError),
    ],
    ids=["short", "long", "no-parts", "negative", "unknown-alg", "lowercase-alg", "full-sha", "float-size"],
)
def test_bad_arguments_raise(
    twin: Any, tmp_path: Path, sizes: list[Any], kwargs: dict[str, Any], error: type
) -> None:
    path = tmp_path / "five"
    path.write_bytes(b"12345")
    with pytest.raises(error):
        twin.hashing.hash_file_parts(str(path), sizes, **kwargs)
    with pytest.raises(error):
        twin.hashing.hash_buffer_parts(b"12345", sizes, **kwargs)


def test_missing_file_and_directory_raise_oserror(twin: Any, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        twin.hashing.hash_file_parts(str(tmp_path / "absent"), [0])
    with pytest.raises(IsADirectoryError):
        twin.hashing.hash_file_parts(str(tmp_path), [0])


def test_nothing_requested_still_checks_sizes(twin: Any) -> None:
    result = twin.hashing.hash_buffer_parts(b"xyz", [1, 2], None, False, False)
    assert tuple(result) == ([], [], None, 3)
    with pytest.raises(ValueError):
        twin.hashing.hash_buffer_parts(b"xyz", [1, 1], None, False, False)


def test_result_type_is_shared(twin: Any) -> None:
    from s3syncpy._speedups import HashResult

    result = twin.hashing.hash_buffer_parts(b"", [0])
    assert type(result) is HashResult
    assert result._fields == ("part_md5s", "part_checksums", "full_checksum", "total_size")


SHORT_READ_FILE = Path("/sys/devices/system/cpu/online")


@pytest.mark.skipif(
    not SHORT_READ_FILE.exists() or SHORT_READ_FILE.stat().st_size <= len(SHORT_READ_FILE.read_bytes()),
    reason="needs a sysfs file whose stat size exceeds its content",
)
def test_file_ending_before_its_stat_size_raises(twin: Any) -> None:
    # sysfs reports 4096 bytes but yields a few: the same early EOF as a file truncated while being read.
    size = SHORT_READ_FILE.stat().st_size
    with pytest.raises(ValueError, match="early"):
        twin.hashing.hash_file_parts(str(SHORT_READ_FILE), [size])
