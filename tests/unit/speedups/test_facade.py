"""The facade picks the compiled twin when it was built, and the pure one when told to."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

import s3syncpy._speedups as speedups
from s3syncpy._speedups import _pure, _pure_keymap

PROBE = "import s3syncpy._speedups as s; print(s.IMPLEMENTATION, s.KeyMap.__module__, s.hash_file_parts.__module__)"


def _probe(**environment: str) -> list[str]:
    env = {**os.environ, **environment}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.skipif(speedups.extensions_disabled(), reason="S3SYNCPY_NO_EXTENSIONS=1 selects the pure twin")
def test_compiled_twin_is_loaded_when_built() -> None:
    for name in ("_hashing", "_keymap"):
        spec = importlib.util.find_spec(f"s3syncpy._speedups.{name}")
        assert spec is not None and spec.origin is not None, (
            f"s3syncpy._speedups.{name} is not built: run `pip install -e .` (a compiler and OpenSSL headers "
            "are expected on this machine), or set S3SYNCPY_NO_EXTENSIONS=1 to test the pure twin alone"
        )
        assert not spec.origin.endswith(".py")
    assert speedups.IMPLEMENTATION == "compiled"
    assert speedups.hash_file_parts.__module__ == "s3syncpy._speedups._hashing"
    assert speedups.KeyMap.__module__ == "s3syncpy._speedups._keymap"
    from s3syncpy._speedups import _hashing

    if os.path.exists("/usr/include/openssl/evp.h"):
        assert _hashing.openssl_linked(), "OpenSSL headers are installed but the build did not use them"
    with open("/proc/cpuinfo") as cpuinfo:
        has_avx2 = " avx2" in cpuinfo.read()
    assert _hashing.multi_buffer_md5() == has_avx2


def test_environment_variable_forces_the_pure_twin() -> None:
    assert _probe(S3SYNCPY_NO_EXTENSIONS="1") == [
        "pure",
        "s3syncpy._speedups._pure_keymap",
        "s3syncpy._speedups._pure",
    ]


def test_pure_selection_in_process_matches_the_flag() -> None:
    if speedups.extensions_disabled():
        assert speedups.IMPLEMENTATION == "pure"
        assert speedups.hash_buffer_parts is _pure.hash_buffer_parts
        assert speedups.KeyMap is _pure_keymap.KeyMap
    else:
        assert speedups.IMPLEMENTATION in {"compiled", "pure"}
        assert _probe(S3SYNCPY_NO_EXTENSIONS="0")[0] == speedups.IMPLEMENTATION
