"""The Lua sandbox: every escape attempt fails in safe mode; the allow-flags open what the reference opens.

Each attempt is a script's main chunk; in safe mode it must either fail to run or prove it reached nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lupa import lua54

from s3syncpy.adapters.lua.vm import LuaCallbackError, LuaVM
from s3syncpy.application.settings.scripting import LuaMode

MiB = 1024 * 1024


@pytest.fixture
def vms() -> Iterator[list[LuaVM]]:
    created: list[LuaVM] = []
    yield created
    for vm in created:
        vm.close()


def _vm(vms: list[LuaVM], mode: LuaMode = LuaMode.SAFE, *, memory: int = 64 * MiB, timeout: int = 2000) -> LuaVM:
    vm = LuaVM("test", mode, memory_limit=memory, timeout_milliseconds=timeout)
    vms.append(vm)
    return vm


def _run(vm: LuaVM, source: str) -> None:
    vm.load(source.encode(), "=test")


# Scripts that must raise in safe mode: they name something the sandbox does not have.
FAILING_IN_SAFE_MODE = {
    "os library": "os.execute('true')",
    "os via _G": "_G.os.exit(1)",
    "io library": "io.open('/etc/passwd')",
    "io write": "io.write('x')",
    "require": "require('os')",
    "load text chunk": "load('return 1')()",
    "loadstring": "loadstring('return 1')()",
    "loadfile": "loadfile('/etc/passwd')",
    "dofile": "dofile('/etc/passwd')",
    "debug library": "debug.getregistry()",
    "debug sethook removal": "debug.sethook()",
    "package.loadlib": "package.loadlib('libc.so.6', 'system')",
    "package.loaded.python": "return package.loaded.python.eval('1')",
    "python bridge": "python.eval('__import__(\"os\")')",
    "python builtins": "python.builtins.open('/etc/passwd')",
    "python via _G": "_G.python.eval('1')",
    "python as_attrgetter": "python.as_attrgetter(1)",
    "python none": "return python.none.__class__",
    "string.dump": "string.dump(function() end)",
    "string.dump via metatable": "('').dump(print)",
    "string metatable __index table lookup": "getmetatable('').__index.load('return 1')",
    "string metatable to os": "getmetatable('').__index.os.exit()",
    "__gc finalizer": "setmetatable({}, {__gc = function() end})",
    "__gc on the string metatable's metatable": "setmetatable(getmetatable(''), {__gc = print})",
    "collectgarbage stop": "collectgarbage('stop')",
    "collectgarbage generational": "collectgarbage('generational')",
    "collectgarbage setpause": "collectgarbage('setpause', 1000)",
    "coroutine running main thread to debug": "local t = coroutine.running() debug.getinfo(t)",
    "getfenv (5.1)": "getfenv(1)",
    "setfenv (5.1)": "setfenv(1, {})",
    "module (5.1)": "module('x')",
    "_ENV escape to real globals": "local g = getmetatable(_ENV) return g.__index.os",
    "binary chunk through the loader": "return load(string.dump(print))",
    "utf8 to os": "utf8.os.exit()",
    "table library os": "table.os.exit()",
    "math library os": "math.os.exit()",
}


@pytest.mark.parametrize("source", FAILING_IN_SAFE_MODE.values(), ids=FAILING_IN_SAFE_MODE.keys())
def test_escape_attempt_fails_in_safe_mode(vms: list[LuaVM], source: str) -> None:
    with pytest.raises(LuaCallbackError):
        _run(_vm(vms), source)


# Scripts that run in safe mode but must observe that nothing dangerous is reachable.
ASSERTING_IN_SAFE_MODE = {
    "no dangerous globals": (
        "for _, name in ipairs({'os', 'io', 'require', 'load', 'loadfile', 'dofile', 'debug', 'package', "
        "'python', 'loadstring', 'module', 'getfenv', 'setfenv', 'newproxy', 'jit', 'ffi'}) do "
        "assert(_G[name] == nil, name) end"
    ),
    "_G is the sandbox": "assert(_G == _ENV) assert(_G._G == _G)",
    "every reachable table is free of bridges": (
        "local seen = {} "
        "local function walk(t) if seen[t] then return end seen[t] = true "
        "  for k, v in pairs(t) do "
        "    assert(k ~= 'python' and k ~= 'os' and k ~= 'io' and k ~= 'debug' and k ~= 'dump', tostring(k)) "
        "    assert(type(v) ~= 'userdata', 'userdata at ' .. tostring(k)) "
        "    if type(v) == 'table' then walk(v) end end "
        "  local mt = getmetatable(t) if type(mt) == 'table' then walk(mt) end end "
        "walk(_G) walk(getmetatable(''))"
    ),
    "string metatable rewrite stays in the script": (
        "local mt = getmetatable('') mt.__index = function(s, k) return os end assert(('x').upper == nil)"
    ),
    "rawget finds nothing hidden": "assert(rawget(_G, 'python') == nil and rawget(_G, 'debug') == nil)",
    "pairs over _G lists only the safe names": (
        "local allowed = {assert=1, error=1, getmetatable=1, ipairs=1, next=1, pairs=1, print=1, rawequal=1, "
        "rawget=1, rawlen=1, rawset=1, select=1, setmetatable=1, tonumber=1, tostring=1, type=1, warn=1, "
        "_VERSION=1, collectgarbage=1, pcall=1, xpcall=1, string=1, table=1, math=1, utf8=1, coroutine=1, _G=1} "
        "for k in pairs(_G) do assert(allowed[k], k) end"
    ),
    "coroutines see the same sandbox": (
        "local co = coroutine.create(function() return os, io, debug, python end) "
        "local ok, a, b, c, d = coroutine.resume(co) assert(ok and a == nil and b == nil and c == nil and d == nil)"
    ),
    "error objects carry no Python": (
        "local ok, err = pcall(error, setmetatable({}, {__tostring = function() return 'x' end})) "
        "assert(not ok and type(err) == 'table')"
    ),
    "collectgarbage count and collect still work": "collectgarbage() assert(collectgarbage('count') > 0)",
    "the chunk cannot be dumped and reloaded": "assert(string.dump == nil and load == nil)",
    "_VERSION is Lua 5.4": "assert(_VERSION == 'Lua 5.4')",
    "pcall and xpcall still catch ordinary errors": (
        "assert(not pcall(error, 'x')) "
        "local ok, m = xpcall(error, function(e) return 'handled ' .. e end, 'y') assert(m == 'handled y')"
    ),
}


@pytest.mark.parametrize("source", ASSERTING_IN_SAFE_MODE.values(), ids=ASSERTING_IN_SAFE_MODE.keys())
def test_safe_mode_reaches_nothing(vms: list[LuaVM], source: str) -> None:
    _run(_vm(vms), source)


def test_a_python_object_that_leaked_would_expose_no_attribute(vms: list[LuaVM]) -> None:
    # Defence in depth: no Python object is ever handed to a script, but one that were could not be explored.
    vm = _vm(vms)
    probe = (
        "local o = ... local got, why = pcall(function() return o.__class__ end) "
        "local set = pcall(function() o.x = 1 end) return got, tostring(why), set"
    )
    got, why, set_ok = vm.run_blocking(lambda: vm.runtime.execute(probe, object()))
    assert got is False and set_ok is False and "not allowed" in why


def test_os_library_mode_adds_os_and_io_only(vms: list[LuaVM]) -> None:
    vm = _vm(vms, LuaMode.OS_LIBRARY)
    _run(vm, "assert(os.time() > 0) assert(type(os.date('%Y')) == 'string') assert(io.write ~= nil)")
    for source in ("require('x')", "load('return 1')", "debug.getregistry()", "python.eval('1')",
                   "package.loadlib('x', 'y')"):
        with pytest.raises(LuaCallbackError):
            _run(vm, source)


def test_unsafe_mode_has_the_full_library_but_no_python_bridge(vms: list[LuaVM]) -> None:
    vm = _vm(vms, LuaMode.UNSAFE)
    _run(vm, "assert(debug.getinfo ~= nil and package.loaded ~= nil and load('return 1')() == 1)")
    _run(vm, "assert(type(require) == 'function' and string.dump ~= nil)")
    _run(vm, "assert(python == nil and package.loaded.python == nil)")


def test_safe_mode_refuses_a_precompiled_script(vms: list[LuaVM]) -> None:
    bytecode = lua54.LuaRuntime(encoding=None).eval("string.dump(function() return 1 end)")
    with pytest.raises(LuaCallbackError, match="binary chunk"):
        _vm(vms).load(bytecode, "=compiled")


# Scripts that try to outrun the time limit; each must be stopped by it, not hang.
RUNAWAY = {
    "busy loop": "while true do end",
    "pcall swallowing the timeout": "while true do pcall(function() while true do end end) end",
    "xpcall swallowing the timeout": "while true do xpcall(function() while true do end end, print) end",
    "coroutine.resume swallowing it": (
        "while true do coroutine.resume(coroutine.create(function() while true do end end)) end"
    ),
    "coroutine.wrap": "coroutine.wrap(function() while true do end end)()",
    "coroutine in a coroutine": (
        "coroutine.wrap(function() coroutine.wrap(function() while true do end end)() end)()"
    ),
    "yielding forever": (
        "local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end"
    ),
    "recursion through metamethods": (
        "local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}) while true do pcall(function() "
        "return t[1] end) end"
    ),
    "string.gsub callback": "string.gsub(string.rep('a', 100), 'a', function() while true do end end)",
    "table.sort comparator": "table.sort({3, 2, 1}, function(a, b) while true do end end)",
    "error handler loop": "xpcall(error, function() while true do end end)",
    "message handler after the timeout": (
        "xpcall(function() while true do end end, function() while true do end end)"
    ),
    "to-be-closed variable": (
        "local x <close> = setmetatable({}, {__close = function() while true do end end}) while true do end"
    ),
    "coroutine.close swallowing it": (
        "while true do local co = coroutine.create(function() while true do end end) coroutine.resume(co) "
        "coroutine.close(co) end"
    ),
}


@pytest.mark.parametrize("source", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_time_limit_stops_runaway_scripts(vms: list[LuaVM], source: str) -> None:
    vm = _vm(vms, timeout=200)
    with pytest.raises(LuaCallbackError, match="timed out after 200ms"):
        _run(vm, source)
    _run(vm, "x = 1")  # the VM serves the next call


def test_a_finalizer_cannot_be_set_in_safe_mode(vms: list[LuaVM]) -> None:
    # Finalizers run with hooks off: one could loop forever out of the time limit's reach.
    vm = _vm(vms, timeout=200)
    with pytest.raises(LuaCallbackError, match="__gc"):
        _run(vm, "setmetatable({}, {__gc = function() while true do end end}) collectgarbage()")
    _run(vm, "local t = setmetatable({}, {__index = function() return 1 end}) assert(t.x == 1)")


def test_a_script_stuck_inside_a_c_function_is_abandoned_not_waited_for(vms: list[LuaVM]) -> None:
    # Lua pattern matching backtracks inside one C call, where no instruction hook runs.
    vm = _vm(vms, timeout=100)
    with pytest.raises(LuaCallbackError, match="timed out"):
        _run(vm, "string.find(string.rep('a', 5000), string.rep('.-', 12) .. 'b')")
    with pytest.raises(LuaCallbackError, match="still running"):
        _run(vm, "x = 1")


RUNAWAY_MEMORY = {
    "growing table": "local t = {} for i = 1, 1e9 do t[i] = i end",
    "huge string.rep": "local s = string.rep('x', 1e9)",
    "doubling strings": "local s = 'x' while true do s = s .. s end",
    "caught memory errors keep failing": (
        "while true do pcall(function() local t = {} for i = 1, 1e9 do t[i] = {} end end) end"
    ),
    "table.concat": "local t = {} for i = 1, 1e6 do t[i] = string.rep('y', 100) end table.concat(t)",
    "deep recursion": "local function f(n) return 1 + f(n + 1) end f(1)",
    "nested pcall recursion": "local function f() pcall(f) pcall(f) end f()",
    "string.format padding": "local s = '' while true do s = s .. string.format('%99d', 1) end",
}


@pytest.mark.parametrize("source", RUNAWAY_MEMORY.values(), ids=RUNAWAY_MEMORY.keys())
def test_memory_limit_stops_runaway_allocation(vms: list[LuaVM], source: str) -> None:
    vm = _vm(vms, memory=8 * MiB, timeout=3000)
    with pytest.raises(LuaCallbackError, match="memory limit exceeded|timed out|stack overflow"):
        _run(vm, source)


def test_a_tiny_memory_limit_fails_while_loading(vms: list[LuaVM]) -> None:
    with pytest.raises(LuaCallbackError, match="memory"):
        _vm(vms, memory=1024).load(b"function filter(o) return true end", "=small")


def test_no_limits_when_both_are_zero(vms: list[LuaVM]) -> None:
    vm = _vm(vms, memory=0, timeout=0)
    _run(vm, "local t = {} for i = 1, 2e6 do t[i] = i end")
