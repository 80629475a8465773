"""Hot paths with a compiled implementation and a pure-Python twin of the same shape.

The compiled modules (`_hashing`, `_keymap`, built by setup.py with Cython) are used when they import; the
pure twins (`_pure`, `_pure_keymap`) otherwise, or always when S3SYNCPY_NO_EXTENSIONS=1. Only this module
imports either; callers use:

    hash_file_parts(path, part_sizes, algorithm=None, full_object=False, want_md5=True) -> HashResult
    hash_buffer_parts(buffer, part_sizes, algorithm=None, full_object=False, want_md5=True) -> HashResult
    hash_fd_range(fd, offset, length, algorithm=None, want_md5=True, want_sha256=False) -> RangeDigest
    KeyMap(store_keys)      the compact listing map (the reference's listing map)
    IMPLEMENTATION          "compiled" or "pure"
    hashing_on_openssl()    whether the compiled hashing runs MD5/SHA on OpenSSL's libcrypto
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from s3syncpy._speedups._types import HashResult, RangeDigest

__all__ = [
    "IMPLEMENTATION",
    "HashResult",
    "KeyMap",
    "RangeDigest",
    "extensions_disabled",
    "hash_buffer_parts",
    "hash_fd_range",
    "hash_file_parts",
    "hashing_on_openssl",
]


def extensions_disabled() -> bool:
    """Whether S3SYNCPY_NO_EXTENSIONS asks for the pure-Python twins."""
    return os.environ.get("S3SYNCPY_NO_EXTENSIONS", "").strip().lower() in {"1", "true", "yes", "on"}


IMPLEMENTATION: Literal["compiled", "pure"]

if TYPE_CHECKING:
    # Both twins share these signatures (the .pyi stubs of the compiled modules say so too).
    from s3syncpy._speedups._pure import hash_buffer_parts, hash_fd_range, hash_file_parts
    from s3syncpy._speedups._pure_keymap import KeyMap
else:
    IMPLEMENTATION = "pure"
    if not extensions_disabled():
        try:
            from s3syncpy._speedups._hashing import hash_buffer_parts, hash_fd_range, hash_file_parts
            from s3syncpy._speedups._keymap import KeyMap
        except ImportError:
            pass
        else:
            IMPLEMENTATION = "compiled"
    if IMPLEMENTATION == "pure":
        from s3syncpy._speedups._pure import hash_buffer_parts, hash_fd_range, hash_file_parts
        from s3syncpy._speedups._pure_keymap import KeyMap


def hashing_on_openssl() -> bool:
    """Whether MD5 and SHA run on OpenSSL's libcrypto inside the compiled hashing (False for the pure twin, and
    for a compiled module built without OpenSSL, which feeds hashlib from its worker threads instead)."""
    if IMPLEMENTATION != "compiled":
        return False
    from s3syncpy._speedups import _hashing

    return bool(_hashing.openssl_linked())
