"""`s3sync --version` prints the reference's one line; with -v it also says how this installation runs."""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from s3syncpy import _speedups
from s3syncpy.cli.main import run

SRC = Path(__file__).resolve().parents[3] / "src"


def _version_lines(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert run(arguments) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out.splitlines()


@pytest.mark.parametrize("arguments", [["--version"], ["-V"], ["--filter-include-regex", "-v", "--version"]])
def test_plain_version_is_one_line(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    (line,) = _version_lines(arguments, capsys)
    assert re.fullmatch(r"s3sync \S+", line)


@pytest.mark.parametrize("arguments", [["--version", "-v"], ["-v", "--version"], ["-vv", "-V"]])
def test_verbose_version_says_whether_speedups_and_openssl_are_in_use(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _version_lines(arguments, capsys)

    assert re.fullmatch(r"s3sync \S+", lines[0])
    compiled = _speedups.IMPLEMENTATION == "compiled"
    assert lines[1].startswith("compiled speedups: in use" if compiled else "compiled speedups: not in use (")
    on_openssl = _speedups.hashing_on_openssl()
    assert lines[2].startswith(
        "OpenSSL libcrypto for hashing: in use" if on_openssl else "OpenSSL libcrypto for hashing: not in use"
    )
    assert lines[3] == f"TLS: {ssl.OPENSSL_VERSION}"
    assert lines[4].startswith("Python: ")
    assert len(lines) == 5


def test_verbose_version_without_the_compiled_speedups() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("S3SYNC_")}
    env |= {"PYTHONPATH": str(SRC), "S3SYNCPY_NO_EXTENSIONS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "s3syncpy", "--version", "-v"],
        check=False, capture_output=True, text=True, env=env, timeout=60,
    )

    assert done.returncode == 0 and done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[1] == (
        "compiled speedups: not in use (S3SYNCPY_NO_EXTENSIONS is set; the pure-Python implementation runs)"
    )
    assert lines[2] == "OpenSSL libcrypto for hashing: not in use (hashing uses hashlib)"


def test_the_compiled_build_here_reports_openssl() -> None:
    # This checkout's build links libcrypto where its headers exist (tests/unit/speedups checks the build itself).
    if _speedups.IMPLEMENTATION != "compiled":
        pytest.skip("the compiled speedups are not built here")
    from s3syncpy._speedups import _hashing

    assert _speedups.hashing_on_openssl() is bool(_hashing.openssl_linked())
