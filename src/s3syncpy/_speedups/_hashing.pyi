"""Type stub of the compiled hashing module (the twin of `_pure`)."""

from collections.abc import Sequence

from s3syncpy._speedups._types import HashResult, RangeDigest

def openssl_linked() -> bool: ...
def multi_buffer_md5() -> bool: ...
def hash_file_parts(
    path: str,
    part_sizes: Sequence[int],
    algorithm: str | None = None,
    full_object: bool = False,
    want_md5: bool = True,
) -> HashResult: ...
def hash_buffer_parts(
    buffer: bytes | bytearray | memoryview,
    part_sizes: Sequence[int],
    algorithm: str | None = None,
    full_object: bool = False,
    want_md5: bool = True,
) -> HashResult: ...
def hash_fd_range(
    fd: int,
    offset: int,
    length: int,
    algorithm: str | None = None,
    want_md5: bool = True,
    want_sha256: bool = False,
) -> RangeDigest: ...
