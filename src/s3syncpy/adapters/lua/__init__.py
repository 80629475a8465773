"""Lua callback scripts (lupa, Lua 5.4): a sandbox per mode, memory and time limits, one VM per script."""

from s3syncpy.adapters.lua.callbacks import LuaCallbacks, load_lua_callbacks

__all__ = ["LuaCallbacks", "load_lua_callbacks"]
