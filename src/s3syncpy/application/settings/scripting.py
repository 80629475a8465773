"""LuaSettings: which Lua scripts a run loads as its callbacks, in which sandbox mode, under which limits."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from s3syncpy.domain.errors import ConfigError

# The reference's defaults: 64 MiB per Lua VM, and 10 s per callback invocation.
DEFAULT_LUA_VM_MEMORY_LIMIT = 64 * 1024 * 1024
DEFAULT_LUA_CALLBACK_TIMEOUT_MILLISECONDS = 10_000


class LuaMode(enum.Enum):
    """How much of Lua a script may use.

    SAFE: the pure libraries only (base functions without load/dofile/loadfile/require, string without dump,
    table, math, utf8, coroutine). OS_LIBRARY: SAFE plus os and io (--allow-lua-os-library). UNSAFE: every
    standard library, C modules included (--allow-lua-unsafe-vm).
    """

    SAFE = "safe"
    OS_LIBRARY = "os"
    UNSAFE = "unsafe"


class ScriptKind(enum.Enum):
    """The three callbacks a script can provide, named by the option that loads it and its entry point."""

    FILTER = ("--filter-callback-lua-script", "filter")
    EVENT = ("--event-callback-lua-script", "on_event")
    PREPROCESS = ("--preprocess-callback-lua-script", "preprocess_callback")

    @property
    def option(self) -> str:
        """The command-line option that names the script."""
        return self.value[0]

    @property
    def entry_point(self) -> str:
        """The global function the script must define."""
        return self.value[1]


@dataclass(frozen=True, slots=True)
class LuaSettings:
    """The Lua callback scripts of one run.

    Attributes:
        filter_script / event_script / preprocess_script: paths of the scripts (None: that callback is absent).
        allow_os_library: --allow-lua-os-library.
        allow_unsafe_vm: --allow-lua-unsafe-vm (conflicts with allow_os_library, as in the reference).
        memory_limit: bytes each Lua VM may allocate; 0 means no limit.
        callback_timeout_milliseconds: how long one callback invocation may run; 0 means no limit.
    """

    filter_script: str | None = None
    event_script: str | None = None
    preprocess_script: str | None = None
    allow_os_library: bool = False
    allow_unsafe_vm: bool = False
    memory_limit: int = DEFAULT_LUA_VM_MEMORY_LIMIT
    callback_timeout_milliseconds: int = DEFAULT_LUA_CALLBACK_TIMEOUT_MILLISECONDS

    @property
    def mode(self) -> LuaMode:
        """The sandbox mode the allow-flags select."""
        if self.allow_unsafe_vm:
            return LuaMode.UNSAFE
        if self.allow_os_library:
            return LuaMode.OS_LIBRARY
        return LuaMode.SAFE

    @property
    def scripts(self) -> dict[ScriptKind, str]:
        """The scripts given, by kind."""
        given = {
            ScriptKind.FILTER: self.filter_script,
            ScriptKind.EVENT: self.event_script,
            ScriptKind.PREPROCESS: self.preprocess_script,
        }
        return {kind: path for kind, path in given.items() if path is not None}

    def validate(self) -> None:
        """Check the option rules.

        Raises:
            ConfigError: both allow-flags, or a negative limit.
        """
        if self.allow_os_library and self.allow_unsafe_vm:
            raise ConfigError("--allow-lua-os-library cannot be used with --allow-lua-unsafe-vm")
        if self.memory_limit < 0:
            raise ConfigError("--lua-vm-memory-limit must not be negative")
        if self.callback_timeout_milliseconds < 0:
            raise ConfigError("--lua-callback-timeout-milliseconds must not be negative")
