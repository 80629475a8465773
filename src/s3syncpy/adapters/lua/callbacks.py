"""LuaCallbacks: the callbacks port served by Lua scripts, one sandboxed VM per script.

Each script is loaded and its main chunk run once, when the run is built (a failure is a usage error, exit 2,
as the reference's "Failed to load and compile Lua script callback: ..."). Values cross into Lua as fresh
tables of strings, numbers and booleans (absent fields are nil); nothing of Python's is handed over.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from s3syncpy.application.ports.callbacks import (
    FilterObject,
    SourceField,
    SyncCallbacks,
    SyncEvent,
    UploadMetadata,
)
from s3syncpy.application.settings.scripting import LuaSettings, ScriptKind
from s3syncpy.domain.errors import ConfigError

if TYPE_CHECKING:
    from s3syncpy.adapters.lua.vm import LuaVM

LOAD_ERROR_PREFIX = "Failed to load and compile Lua script callback: "


class LuaCallbacks(SyncCallbacks):
    """Filter, event and preprocess callbacks from Lua scripts; errors surface as LuaCallbackError."""

    def __init__(self, vms: Mapping[ScriptKind, LuaVM]) -> None:
        self._vms = dict(vms)
        self.has_filter = ScriptKind.FILTER in vms
        self.has_event = ScriptKind.EVENT in vms
        self.has_preprocess = ScriptKind.PREPROCESS in vms

    async def filter(self, obj: FilterObject) -> bool:
        """The script's `filter(source_object)`, with Lua truthiness."""
        vm = self._vms[ScriptKind.FILTER]
        fields = _present({name: getattr(obj, name) for name in FilterObject.__slots__})
        return bool(await vm.run(lambda: vm.api.filter(vm.runtime.table_from(fields))))

    async def on_event(self, event: SyncEvent) -> None:
        """The script's `on_event(event_data)`; the STATS_REPORT counters are top-level fields, as in the
        reference."""
        vm = self._vms[ScriptKind.EVENT]
        fields = _event_fields(event)
        await vm.run(lambda: vm.api.on_event(vm.runtime.table_from(fields)))

    async def preprocess(
        self, key: str, source: Mapping[str, SourceField], upload: UploadMetadata
    ) -> tuple[bool, UploadMetadata]:
        """The script's `preprocess_callback(source_object, upload_metadata)` -> (proceed, metadata table)."""
        vm = self._vms[ScriptKind.PREPROCESS]
        source_fields = _present({**source, "key": key})
        upload_fields = _present(asdict(upload))

        def call() -> tuple[bool, UploadMetadata]:
            runtime = vm.runtime
            proceed, returned = vm.api.preprocess(
                runtime.table_from(_nested_tables(runtime, source_fields)),
                runtime.table_from(_nested_tables(runtime, upload_fields)),
            )
            return bool(proceed), upload_metadata_from_lua(dict(returned.items()))

        return await vm.run(call)

    async def aclose(self) -> None:
        """Stop the VMs' threads."""
        for vm in self._vms.values():
            vm.close()


def load_lua_callbacks(settings: LuaSettings) -> LuaCallbacks | None:
    """Load the scripts `settings` names, each into its own VM.

    Returns:
        The callbacks, or None when no script is given.

    Raises:
        ConfigError: a script is missing or unreadable, fails to compile, raises while its main chunk runs, or
            exceeds a limit while loading.
    """
    scripts = settings.scripts
    if not scripts:
        return None
    vms: dict[ScriptKind, LuaVM] = {}
    try:
        for kind, path in scripts.items():
            vms[kind] = _load(kind, path, settings)
    except ConfigError:
        for vm in vms.values():
            vm.close()
        raise
    return LuaCallbacks(vms)


def _load(kind: ScriptKind, path: str, settings: LuaSettings) -> LuaVM:
    # Imported once a script is given, so only runs that use Lua load lupa: the console script's fast exit
    # (cli/main.exit_process) keeps the ordinary exit exactly when lupa is loaded.
    from s3syncpy.adapters.lua.vm import LuaCallbackError, LuaVM

    if not os.path.isfile(path):
        raise ConfigError(f"invalid value '{path}' for '{kind.option}': no such file")
    try:
        with open(path, "rb") as script:
            source = script.read()
    except OSError as exc:
        raise ConfigError(f"invalid value '{path}' for '{kind.option}': {exc.strerror or exc}") from exc
    vm: LuaVM | None = None
    try:
        vm = LuaVM(
            kind.option,
            settings.mode,
            memory_limit=settings.memory_limit,
            timeout_milliseconds=settings.callback_timeout_milliseconds,
        )
        vm.load(source, "@" + path)
    except LuaCallbackError as exc:
        if vm is not None:
            vm.close()
        raise ConfigError(f"{LOAD_ERROR_PREFIX}{exc}") from exc
    return vm


def upload_metadata_from_lua(fields: Mapping[Any, Any]) -> UploadMetadata:
    """The metadata table a preprocess script returned, as UploadMetadata: a missing (nil) field is None.

    Raises:
        ValueError: a field holds something other than a string (numbers are taken as Lua turns them into
            strings), or metadata is not a table of strings.
    """
    values: dict[str, Any] = {}
    for name in UploadMetadata.__dataclass_fields__:
        value = fields.get(name)
        if name == "metadata":
            values[name] = None if value is None else _string_map(value)
        else:
            values[name] = None if value is None else _string(name, value)
    return UploadMetadata(**values)


def _string(name: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"upload_metadata.{name} must be a string, not {_lua_type(value)}")


def _string_map(value: object) -> dict[str, str]:
    items = getattr(value, "items", None)
    if items is None:
        raise ValueError(f"upload_metadata.metadata must be a table, not {_lua_type(value)}")
    return {str(k): _string(f"metadata.{k}", v) for k, v in items()}


def _lua_type(value: object) -> str:
    return "a boolean" if isinstance(value, bool) else "a table" if hasattr(value, "items") else type(value).__name__


def _present(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _nested_tables(runtime: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Dict values (metadata) become Lua tables of their own; table_from would leave them Python objects."""
    return {
        name: runtime.table_from(dict(value)) if isinstance(value, Mapping) else value
        for name, value in fields.items()
    }


def _event_fields(event: SyncEvent) -> dict[str, Any]:
    fields = _present({name: getattr(event, name) for name in SyncEvent.__dataclass_fields__ if name != "stats"})
    fields["event_type"] = int(event.event_type)
    fields.update(event.stats)
    return fields
