"""The Lua scripting options: defaults, units, environment variables, the allow-flags conflict."""

from __future__ import annotations

from typing import Any

import pytest

from s3syncpy.application.settings.scripting import LuaMode, LuaSettings, ScriptKind
from s3syncpy.cli.main import parse_command_line
from s3syncpy.cli.parsing import build_config
from s3syncpy.domain.errors import ConfigError

MiB = 1024 * 1024


def _values(**overrides: Any) -> dict[str, Any]:
    return {"source": "/data/in", "target": "s3://bucket/prefix/", **overrides}


def test_defaults_are_the_reference_ones() -> None:
    lua = build_config(_values()).lua
    assert lua == LuaSettings()
    assert (lua.memory_limit, lua.callback_timeout_milliseconds, lua.mode) == (64 * MiB, 10_000, LuaMode.SAFE)
    assert lua.scripts == {}


@pytest.mark.parametrize(("text", "size"), [("0", 0), ("1KiB", 1024), ("2MB", 2_000_000), ("1GiB", 1024 * MiB)])
def test_memory_limit_takes_byte_units(text: str, size: int) -> None:
    assert build_config(_values(lua_vm_memory_limit=text)).lua.memory_limit == size


def test_scripts_and_flags_land_in_the_settings() -> None:
    lua = build_config(_values(filter_callback_lua_script="f.lua", event_callback_lua_script="e.lua",
                               preprocess_callback_lua_script="p.lua", allow_lua_os_library=True,
                               lua_callback_timeout_milliseconds=0)).lua
    assert lua.scripts == {ScriptKind.FILTER: "f.lua", ScriptKind.EVENT: "e.lua", ScriptKind.PREPROCESS: "p.lua"}
    assert lua.mode is LuaMode.OS_LIBRARY and lua.callback_timeout_milliseconds == 0
    assert build_config(_values(allow_lua_unsafe_vm=True)).lua.mode is LuaMode.UNSAFE


def test_the_allow_flags_conflict() -> None:
    with pytest.raises(ConfigError, match="--allow-lua-os-library cannot be used with --allow-lua-unsafe-vm"):
        build_config(_values(allow_lua_os_library=True, allow_lua_unsafe_vm=True))


def test_a_bad_memory_limit_names_the_option() -> None:
    with pytest.raises(ConfigError, match="--lua-vm-memory-limit"):
        build_config(_values(lua_vm_memory_limit="64 potatoes"))


def test_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("S3SYNC_FILTER_CALLBACK_LUA_SCRIPT", "from-env.lua")
    monkeypatch.setenv("S3SYNC_LUA_VM_MEMORY_LIMIT", "8MiB")
    monkeypatch.setenv("S3SYNC_LUA_CALLBACK_TIMEOUT_MILLISECONDS", "250")
    monkeypatch.setenv("S3SYNC_ALLOW_LUA_UNSAFE_VM", "true")
    parsed = parse_command_line([str(tmp_path), "s3://bucket/"], {})
    assert not isinstance(parsed, int)
    lua = parsed[0].lua
    assert (lua.filter_script, lua.memory_limit, lua.callback_timeout_milliseconds, lua.mode) == (
        "from-env.lua", 8 * MiB, 250, LuaMode.UNSAFE)


def test_negative_timeout_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    assert parse_command_line(["--lua-callback-timeout-milliseconds", "-1", str(tmp_path), "s3://b/"], {}) == 2
    assert capsys.readouterr().err.startswith("error: ")
