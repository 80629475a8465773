"""hash_fd_range: both twins against plain hashlib/awscrt over the same slice, and against each other.

The reference hashes the slice with one call per digest, so it shares no block loop with the code under test.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from awscrt import checksums  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.speedups.conftest import compiled_skip_reason, load_twin

MiB = 1 << 20
ALGORITHMS = [None, "SHA1", "SHA256", "CRC32", "CRC32C", "CRC64NVME"]
CRCS = {"CRC32": (checksums.crc32, 4), "CRC32C": (checksums.crc32c, 4), "CRC64NVME": (checksums.crc64nvme, 8)}


def reference(
    data: bytes, algorithm: str | None, want_md5: bool, want_sha256: bool
) -> tuple[bytes | None, bytes | None, bytes | None]:
    md5 = hashlib.md5(data).digest() if want_md5 else None
    checksum = None
    if algorithm in CRCS:
        function, width = CRCS[algorithm]
        checksum = function(data).to_bytes(width, "big")
    elif algorithm is not None:
        checksum = hashlib.new(algorithm.lower(), data).digest()
    sha256 = hashlib.sha256(data).digest() if want_sha256 else None
    return md5, checksum, sha256


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[Any]:
    """A function writing bytes to a fresh file and returning an open read descriptor."""
    descriptors: list[int] = []

    def open_with(data: bytes) -> int:
        path = tmp_path / f"data{len(descriptors)}.bin"
        path.write_bytes(data)
        descriptors.append(os.open(path, os.O_RDONLY))
        return descriptors[-1]

    yield open_with
    for fd in descriptors:
        os.close(fd)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=4000),
    cut=st.tuples(st.integers(0, 4000), st.integers(0, 4000)),
    algorithm=st.sampled_from(ALGORITHMS),
    want_md5=st.booleans(),
    want_sha256=st.booleans(),
)
def test_matches_reference(
    twin: Any, opened: Any, data: bytes, cut: tuple[int, int], algorithm: str | None, want_md5: bool,
    want_sha256: bool,
) -> None:
    offset = min(cut[0], len(data))
    length = min(cut[1], len(data) - offset)
    fd = opened(data)
    result = twin.hashing.hash_fd_range(fd, offset, length, algorithm, want_md5, want_sha256)
    assert tuple(result) == reference(data[offset : offset + length], algorithm, want_md5, want_sha256)
    assert os.lseek(fd, 0, os.SEEK_CUR) == 0  # positional: the descriptor's position never moves


@pytest.mark.parametrize("algorithm", [None, "SHA256", "CRC32C", "CRC64NVME"], ids=str)
def test_twins_agree_on_multi_block_ranges(opened: Any, algorithm: str | None) -> None:
    reason = compiled_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    data = os.urandom(5 * MiB + 17)
    fd = opened(data)
    pure, compiled = load_twin("pure").hashing, load_twin("compiled").hashing
    for offset, length in [(0, len(data)), (3, 4 * MiB + 1), (MiB - 1, MiB + 2), (len(data), 0)]:
        expected = reference(data[offset : offset + length], algorithm, True, True)
        assert tuple(compiled.hash_fd_range(fd, offset, length, algorithm, True, True)) == expected
        assert tuple(pure.hash_fd_range(fd, offset, length, algorithm, True, True)) == expected


def test_a_range_past_the_end_is_refused(twin: Any, opened: Any) -> None:
    fd = opened(b"0123456789")
    with pytest.raises(ValueError, match="ended 3 bytes early"):
        twin.hashing.hash_fd_range(fd, 5, 8)


@pytest.mark.parametrize(("offset", "length"), [(-1, 1), (0, -1)])
def test_negative_offsets_and_lengths_are_refused(twin: Any, opened: Any, offset: int, length: int) -> None:
    fd = opened(b"abc")
    with pytest.raises(ValueError, match="must not be negative"):
        twin.hashing.hash_fd_range(fd, offset, length)


def test_unknown_algorithm_is_refused(twin: Any, opened: Any) -> None:
    fd = opened(b"abc")
    with pytest.raises(ValueError, match="unknown checksum algorithm"):
        twin.hashing.hash_fd_range(fd, 0, 3, "MD4")


def test_a_read_error_is_an_os_error(twin: Any, tmp_path: Path) -> None:
    fd = os.open(tmp_path, os.O_RDONLY)  # reading a directory fails with EISDIR
    try:
        with pytest.raises(OSError):
            twin.hashing.hash_fd_range(fd, 0, 3)
    finally:
        os.close(fd)
