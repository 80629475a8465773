"""The Lua side of a callback VM: the script's environment per sandbox mode, and the guarded entry points.

The chunk below runs once in a fresh lupa runtime, before the user's script, with the full standard library
still at hand. It captures what it needs in local variables (upvalues no script can reach without the debug
library), builds the environment the script will run in, and returns the functions Python calls.

Safe mode gives the script a table of its own, holding only the pure parts of Lua: the base functions without
load/loadfile/dofile/require/collectgarbage's tuning options, string (without dump, which only serves loading
binary chunks), table, math, utf8 and coroutine. The real globals (with debug, package, io, os and lupa's
`python` bridge) stay out of reach: nothing the script can name leads to them. --allow-lua-os-library adds os
and io, as the reference does; --allow-lua-unsafe-vm runs the script in the real globals, lupa's bridge removed.

The time limit is an instruction-count hook set from here (every 1,000 VM instructions, as the reference's),
which raises once the deadline of the current invocation has passed. It stays raised: every later hook raises
again, and in safe mode the protected calls (pcall, xpcall, coroutine.resume/close) re-raise it when they return,
so a script cannot catch its way past the limit. Lua runs two kinds of code with hooks off: finalizers (so a
sandboxed script cannot set a __gc metamethod) and a message handler reached by the hook's own error (so
xpcall's handler is skipped once the time is up). A script stuck inside one C function is the VM's
watchdog's case (vm.py).
"""

from __future__ import annotations

SANDBOX_SETUP = r"""
local mode, clock, timeout, timeout_message = ...
local load, error, type, next, rawget, tostring, setmetatable = load, error, type, next, rawget, tostring, setmetatable
local raw_pcall, raw_xpcall, raw_collectgarbage = pcall, xpcall, collectgarbage
local pack, unpack = table.pack, table.unpack
local co_create, co_resume, co_close = coroutine.create, coroutine.resume, coroutine.close
local sethook = debug.sethook

local deadline, timed_out = nil, false

local function hook()
  if deadline ~= nil and (timed_out or clock() > deadline) then
    timed_out = true
    error(timeout_message, 0)
  end
end

local function recheck(...)
  if timed_out then error(timeout_message, 0) end
  return ...
end

-- A hook set from Lua belongs to one thread: each coroutine gets its own, or its code would run unbounded.
local function hooked_create(f)
  local thread = co_create(f)
  if timeout > 0 then sethook(thread, hook, "", 1000) end
  return thread
end

local function hooked_wrap(f)
  local thread = hooked_create(f)
  return function(...)
    local results = pack(co_resume(thread, ...))
    if timed_out then error(timeout_message, 0) end
    if not results[1] then error(results[2], 0) end
    return unpack(results, 2, results.n)
  end
end

local function copy(library)
  local c = {}
  for k, v in next, library do c[k] = v end
  return c
end

-- What the memory limit cannot see is the collector's own tuning: a script that stops it would hold all its
-- garbage; only the harmless options remain.
local allowed_gc = { collect = true, count = true, step = true, isrunning = true }
local function limited_collectgarbage(option, ...)
  if option == nil then option = "collect" end
  if type(option) == "string" and allowed_gc[option] then return raw_collectgarbage(option, ...) end
  error("collectgarbage('" .. tostring(option) .. "') is not allowed in safe mode", 2)
end

local env
if mode == "unsafe" then
  env = _G
  _G.python = nil
  package.loaded.python = nil
  coroutine.create = hooked_create
  coroutine.wrap = hooked_wrap
else
  env = {
    assert = assert, error = error, getmetatable = getmetatable, ipairs = ipairs, next = next, pairs = pairs,
    print = print, rawequal = rawequal, rawget = rawget, rawlen = rawlen, rawset = rawset, select = select,
    tonumber = tonumber, tostring = tostring, type = type, warn = warn,
    _VERSION = _VERSION,
    collectgarbage = limited_collectgarbage,
    pcall = function(...) return recheck(raw_pcall(...)) end,
    -- An error raised by the hook reaches the message handler while hooks are off: the handler is skipped
    -- once the time is up.
    xpcall = function(f, handler, ...)
      local function guarded_handler(...)
        if timed_out then return timeout_message end
        return handler(...)
      end
      return recheck(raw_xpcall(f, guarded_handler, ...))
    end,
    -- Lua runs finalizers with hooks off, so a __gc metamethod would escape the time limit.
    setmetatable = function(t, mt)
      if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
        error("__gc metamethods are not allowed in the Lua sandbox", 2)
      end
      return setmetatable(t, mt)
    end,
  }
  -- Strings index the real string table through their shared metatable, so dump is removed from it.
  string.dump = nil
  env.string = string
  env.table = copy(table)
  env.math = copy(math)
  env.utf8 = copy(utf8)
  local co = copy(coroutine)
  co.create = hooked_create
  co.wrap = hooked_wrap
  co.resume = function(...) return recheck(co_resume(...)) end
  co.close = function(...) return recheck(co_close(...)) end
  env.coroutine = co
  if mode == "os" then
    env.os = copy(os)
    env.io = copy(io)
  end
  env._G = env
end

if timeout > 0 then sethook(hook, "", 1000) end

local function guarded(f, ...)
  if timeout > 0 then
    deadline = clock() + timeout
    timed_out = false
  end
  return pack(f(...))
end

local function truthy(v) return v ~= nil and v ~= false end

-- A copy made with raw access only, so no metamethod of the script's runs while Python reads the result.
local function plain(value, depth)
  local kind = type(value)
  if kind == "string" or kind == "number" or kind == "boolean" then return value end
  if kind ~= "table" or depth <= 0 then return nil end
  local c = {}
  for k, v in next, value do
    if type(k) == "string" then c[k] = plain(v, depth - 1) end
  end
  return c
end

local function entry(name)
  local f = rawget(env, name)
  if type(f) ~= "function" then error("the Lua script has no global function '" .. name .. "'", 0) end
  return f
end

local api = {}

function api.load(source, chunkname)
  local chunk, message = load(source, chunkname, mode == "unsafe" and "bt" or "t", env)
  if chunk == nil then error(message, 0) end
  guarded(chunk)
end

function api.filter(object)
  return truthy(guarded(entry("filter"), object)[1])
end

function api.on_event(event)
  guarded(entry("on_event"), event)
end

function api.preprocess(object, metadata)
  local results = guarded(entry("preprocess_callback"), object, metadata)
  if results.n < 2 or type(results[2]) ~= "table" then
    error("preprocess_callback must return two values: a boolean and the upload metadata table", 0)
  end
  return truthy(results[1]), plain(results[2], 2)
end

return api
"""
