"""Build the optional compiled speedups; all other metadata lives in pyproject.toml.

Environment:
    S3SYNCPY_NO_EXTENSIONS=1       build nothing (the pure-Python twins are used).
    S3SYNCPY_REQUIRE_EXTENSIONS=1  a failed extension build fails the install (wheel builds).
    S3SYNCPY_NO_OPENSSL=1          build without OpenSSL's libcrypto (wheel builds: the compiled MD5 is our own,
                                   SHA then runs on hashlib; no libcrypto is bundled into a wheel, none is needed
                                   at run time, and delocate/auditwheel have nothing to graft).

Without either, an extension that fails to build (no compiler, no Cython and no generated C) prints a clear
message and the install goes on with the pure-Python implementation. On Windows nothing is built (with a
printed notice): _hashing reads files with POSIX pread and uses GCC/Clang target attributes, which MSVC has no
equivalent for, and the runtime facade uses the two modules only as a pair, so the pure twins serve there. Each extension is first built against
OpenSSL's libcrypto (MD5/SHA on EVP with the GIL released); if its headers or library are missing, it is
rebuilt without, and then feeds hashlib from its worker threads.
"""

from __future__ import annotations

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SPEEDUPS = "src/s3syncpy/_speedups"
OPENSSL_MACRO = ("S3SYNCPY_HAVE_OPENSSL", "1")
# Module -> the files it includes (package data, so that an sdist can rebuild it).
EXTENSIONS = {
    "_hashing": ["_digest.h", "_md5mb.h", "_hashing_workers.pxi", "_hashing_range.pxi"],
    "_keymap": ["_sha1.h", "_keymap_etag.pxi"],
}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _say(message: str) -> None:
    sys.stderr.write(f"\n*** s3syncpy: {message}\n\n")


def _extensions() -> list[Extension]:
    if _flag("S3SYNCPY_NO_EXTENSIONS"):
        return []
    if sys.platform == "win32":
        reason = "the compiled speedups need POSIX pread and a GCC/Clang compiler, which Windows builds lack"
        if _flag("S3SYNCPY_REQUIRE_EXTENSIONS"):
            raise RuntimeError(f"S3SYNCPY_REQUIRE_EXTENSIONS=1 cannot be met on Windows: {reason}")
        _say(f"not building the compiled speedups on Windows ({reason}); the pure-Python implementation is used.")
        return []
    with_openssl = not _flag("S3SYNCPY_NO_OPENSSL")
    return [
        Extension(
            f"s3syncpy._speedups.{name}",
            [f"{SPEEDUPS}/{name}.pyx"],
            include_dirs=[SPEEDUPS],
            depends=[f"{SPEEDUPS}/{header}" for header in headers],
            define_macros=[OPENSSL_MACRO] if with_openssl else [],
            libraries=["crypto"] if with_openssl else [],
            # No debug information in what we ship: the _hashing module is 2.2 MB with it, 0.3 MB without.
            extra_compile_args=["-g0"],
        )
        for name, headers in EXTENSIONS.items()
    ]


class OptionalBuildExt(build_ext):
    """build_ext that treats the extensions as optional unless S3SYNCPY_REQUIRE_EXTENSIONS=1."""

    def build_extensions(self) -> None:
        # Sequential on purpose: failed extensions are dropped from the list afterwards so that the
        # in-place copy (editable installs) and get_outputs() do not look for files that were never built.
        self.check_extensions_list(self.extensions)
        failed = [ext for ext in list(self.extensions) if not self._build_optional(ext)]
        for ext in failed:
            self.extensions.remove(ext)

    def _build_optional(self, ext: Extension) -> bool:
        try:
            self.build_extension(ext)
            return True
        except Exception as first:  # noqa: BLE001 - any compiler/Cython failure means "fall back"
            if OPENSSL_MACRO in ext.define_macros:
                _say(f"building {ext.name} against OpenSSL failed ({first}); retrying without OpenSSL")
                ext.define_macros = [macro for macro in ext.define_macros if macro != OPENSSL_MACRO]
                ext.libraries = [lib for lib in ext.libraries if lib != "crypto"]
                try:
                    self.build_extension(ext)
                    return True
                except Exception as second:  # noqa: BLE001
                    return self._give_up(ext, second)
            return self._give_up(ext, first)

    def _give_up(self, ext: Extension, exc: BaseException) -> bool:
        if _flag("S3SYNCPY_REQUIRE_EXTENSIONS"):
            raise RuntimeError(
                f"S3SYNCPY_REQUIRE_EXTENSIONS=1 but building {ext.name} failed: {exc}"
            ) from exc
        _say(
            f"WARNING: building the compiled speedup {ext.name} failed ({exc}).\n"
            "s3syncpy will use its pure-Python implementation (correct, but slower hashing and listing maps)."
        )
        return False


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
