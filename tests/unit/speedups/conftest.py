"""Fixtures that run each speedups test on both twins.

`twin` is parametrized over "pure" and "compiled". The compiled case is skipped with a reason when
S3SYNCPY_NO_EXTENSIONS=1 (the suite then checks the pure twin alone) or when the extensions were not built;
test_facade.py makes sure the second case cannot hide a build that should have happened.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from s3syncpy._speedups import extensions_disabled


@dataclass(frozen=True)
class Twin:
    """One implementation of the speedups API."""

    name: str
    hashing: ModuleType
    keymap: ModuleType

    @property
    def KeyMap(self) -> Any:
        return self.keymap.KeyMap


def load_twin(name: str) -> Twin:
    """Import one twin directly (only tests and the facade do this)."""
    if name == "pure":
        return Twin(
            name,
            importlib.import_module("s3syncpy._speedups._pure"),
            importlib.import_module("s3syncpy._speedups._pure_keymap"),
        )
    return Twin(
        name,
        importlib.import_module("s3syncpy._speedups._hashing"),
        importlib.import_module("s3syncpy._speedups._keymap"),
    )


def compiled_skip_reason() -> str | None:
    """Why the compiled twin cannot be tested here, or None when it can."""
    if extensions_disabled():
        return "S3SYNCPY_NO_EXTENSIONS=1: only the pure twin is under test"
    try:
        load_twin("compiled")
    except ImportError as exc:
        return f"compiled speedups not built ({exc}); test_facade.py reports this as a failure"
    return None


@pytest.fixture(params=["pure", "compiled"])
def twin(request: pytest.FixtureRequest) -> Twin:
    """Each implementation in turn; compiled skips with a reason when unavailable or disabled."""
    if request.param == "compiled":
        reason = compiled_skip_reason()
        if reason is not None:
            pytest.skip(reason)
    return load_twin(request.param)
