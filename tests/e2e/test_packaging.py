"""Packaging keeps building: sdist -> wheel (compiled speedups required) -> a fresh venv -> `s3sync --version`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], check=False, capture_output=True, text=True, env=env, timeout=900
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_the_sdist_builds_a_wheel_that_installs_and_runs_with_compiled_speedups(tmp_path: Path) -> None:
    if not any(shutil.which(cc) for cc in ("cc", "gcc", "clang")):
        pytest.skip("no C compiler here: the compiled speedups cannot be built")
    dist, wheels = tmp_path / "dist", tmp_path / "wheels"
    _run(sys.executable, "-m", "build", "--sdist", "--outdir", dist, ROOT)
    (sdist,) = dist.glob("s3syncpy-*.tar.gz")
    # A wheel without its compiled speedups would be silently slow: the wheel builds require them.
    env = {k: v for k, v in os.environ.items() if k != "S3SYNCPY_NO_EXTENSIONS"} | {"S3SYNCPY_REQUIRE_EXTENSIONS": "1"}
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, sdist, env=env)
    (wheel,) = wheels.glob("s3syncpy-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    bindir = tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    _run(python, "-m", "pip", "install", "--quiet", wheel)

    version = _run(bindir / "s3sync", "--version")
    implementation = _run(python, "-c", "import s3syncpy._speedups as s; print(s.IMPLEMENTATION)")

    assert version.strip().startswith("s3sync") and "0." in version
    assert implementation.strip() == "compiled"
