"""The library API exported by the package root."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

import s3syncpy
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.bootstrap import sync, sync_blocking


def test_exports_are_the_one_entry_point_and_its_types() -> None:
    assert s3syncpy.SyncConfig is SyncConfig
    assert s3syncpy.SyncReport is SyncReport
    assert s3syncpy.sync is sync
    assert s3syncpy.sync_blocking is sync_blocking
    assert set(s3syncpy.__all__) >= {"SyncConfig", "SyncReport", "sync", "sync_blocking", "SyncCallbacks",
                                     "__version__"}


def test_version_is_the_installed_distribution() -> None:
    assert s3syncpy.__version__ == importlib.metadata.version("s3syncpy")


def test_every_export_is_listed_and_resolves() -> None:
    for name in s3syncpy.__all__:
        assert getattr(s3syncpy, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = s3syncpy.no_such_name  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_vendor_library() -> None:
    code = "import sys, s3syncpy; print(','.join(m for m in ('botocore', 'aiohttp', 'click') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == ""


def test_the_command_line_entry_point_loads_no_optional_library() -> None:
    # `regex` (about 12 ms) and tqdm are start-up time every run pays; only a regex filter or a progress bar needs them.
    code = "import sys, s3syncpy.cli.main; print(','.join(m for m in ('regex', 'tqdm', 'lupa') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == ""


def test_the_composition_root_loads_lua_only_for_a_script() -> None:
    # The console script's fast exit keeps the ordinary exit (which flushes Lua's C stdio) whenever lupa is loaded,
    # so a run without a Lua script must not load it.
    code = "import sys, s3syncpy.bootstrap; print('lupa' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


def _stub_names() -> set[str]:
    """The names the package root's stub (`__init__.pyi`, what type checkers read) imports and declares."""
    import ast
    from pathlib import Path

    stub = Path(s3syncpy.__file__).with_suffix(".pyi")
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    names = {alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
             for alias in node.names}
    names |= {node.target.id for node in tree.body if isinstance(node, ast.AnnAssign)
              and isinstance(node.target, ast.Name)}
    stub_all = next(node for node in tree.body if isinstance(node, ast.Assign)
                    and ast.unparse(node.targets[0]) == "__all__")
    assert set(ast.literal_eval(stub_all.value)) == set(s3syncpy.__all__)
    return names


def test_type_checkers_see_every_export() -> None:
    exported = set(s3syncpy.__all__)
    assert _stub_names() == exported
    assert set(s3syncpy._EXPORTS) == exported - {"__version__"}


def test_each_export_is_the_object_its_module_defines() -> None:
    import importlib

    for name, module in s3syncpy._EXPORTS.items():
        assert getattr(s3syncpy, name) is getattr(importlib.import_module(module), name), name


def test_every_section_of_a_config_is_exported() -> None:
    import dataclasses
    import typing

    hints = typing.get_type_hints(SyncConfig)
    for config_field in dataclasses.fields(SyncConfig):
        for part in typing.get_args(hints[config_field.name]) or (hints[config_field.name],):
            if dataclasses.is_dataclass(part):
                assert getattr(s3syncpy, part.__name__) is part, part.__name__


def test_importing_the_package_loads_none_of_its_modules() -> None:
    code = "import sys, s3syncpy; print(','.join(sorted(m for m in sys.modules if m.startswith('s3syncpy.'))))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == ""


def test_an_invalid_location_is_a_config_error() -> None:
    assert issubclass(s3syncpy.InvalidLocationError, s3syncpy.ConfigError)
    assert issubclass(s3syncpy.InvalidLocationError, ValueError)
    with pytest.raises(s3syncpy.ConfigError):
        s3syncpy.parse_location("s3://")
