"""What `s3sync --version` prints: the reference's one line, and with -v how this installation runs.

The details tell a user (and a bug report) whether the compiled speedups were built for this installation and
whether their hashing runs on OpenSSL's libcrypto: a wheel without them is correct but hashes and maps listings
several times slower.
"""

from __future__ import annotations


def version_text(version: str, verbosity: int) -> str:
    """The text of `s3sync --version`, without a trailing newline.

    Args:
        version: the installed distribution's version.
        verbosity: how many -v were given with --version; 0 prints the reference's single line.

    Returns:
        "s3sync <version>", followed with -v by one line each for the speedups, their OpenSSL use, TLS and Python.
    """
    first = f"s3sync {version}"
    if verbosity < 1:
        return first
    # Imported only here: loading the compiled modules and ssl is start-up time no other run should pay.
    import platform
    import ssl

    from s3syncpy import _speedups

    if _speedups.IMPLEMENTATION == "compiled":
        speedups = "in use"
    elif _speedups.extensions_disabled():
        speedups = "not in use (S3SYNCPY_NO_EXTENSIONS is set; the pure-Python implementation runs)"
    else:
        speedups = "not in use (not built for this installation; the pure-Python implementation runs)"
    if _speedups.hashing_on_openssl():
        hashing = "in use (MD5 and SHA of the compiled hashing)"
    elif _speedups.IMPLEMENTATION == "compiled":
        hashing = "not in use (the compiled hashing was built without it and uses hashlib)"
    else:
        hashing = "not in use (hashing uses hashlib)"
    return "\n".join(
        (
            first,
            f"compiled speedups: {speedups}",
            f"OpenSSL libcrypto for hashing: {hashing}",
            f"TLS: {ssl.OPENSSL_VERSION}",
            f"Python: {platform.python_implementation()} {platform.python_version()}",
        )
    )
