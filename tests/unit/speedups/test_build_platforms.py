"""setup.py: which extensions a build attempts, per platform and environment (setup() itself is captured)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import Any

import pytest
import setuptools  # type: ignore[import-untyped]

SETUP_PY = Path(__file__).resolve().parents[3] / "setup.py"


def _run_setup(monkeypatch: pytest.MonkeyPatch, platform: str, **environment: str) -> list[str]:
    captured: dict[str, Any] = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kwargs: captured.update(kwargs))
    monkeypatch.setattr(sys, "platform", platform)
    for name in ("S3SYNCPY_NO_EXTENSIONS", "S3SYNCPY_REQUIRE_EXTENSIONS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    runpy.run_path(str(SETUP_PY))
    return [extension.name for extension in captured["ext_modules"]]


def test_linux_builds_both_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_setup(monkeypatch, "linux") == ["s3syncpy._speedups._hashing", "s3syncpy._speedups._keymap"]


def test_windows_skips_the_extensions_with_a_notice(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run_setup(monkeypatch, "win32") == []
    assert "not building the compiled speedups on Windows" in capsys.readouterr().err


def test_windows_cannot_meet_require_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeError, match="cannot be met on Windows"):
        _run_setup(monkeypatch, "win32", S3SYNCPY_REQUIRE_EXTENSIONS="1")


def test_no_extensions_builds_nothing_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run_setup(monkeypatch, "win32", S3SYNCPY_NO_EXTENSIONS="1") == []
    assert capsys.readouterr().err == ""
