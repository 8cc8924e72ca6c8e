-- Future combinators, as in Pykka: map, filter, reduce (methods), and
-- lactor.join, lactor.get_all.  Each callback runs once, in a task, and
-- a derived future fails with the very same error value as its source.

local core = require("lactor.core")
local errors = require("lactor.errors")
local error = errors.error   -- a position never names lactor's own line
local task = require("lactor.task")

local future, reply, now, derive_from = core.future, core.reply, core.now, core.derive
local handler, resolve = errors.handler, task.resolve
local xpcall, select, type, getmetatable = xpcall, select, type, getmetatable

local Future = core.Future
local M = {}

local function is_future(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__index == Future
end

-- Raises a bad argument error at the caller of `fname` unless v is a
-- future; `where` says which element of a list it is.
local function check_future(v, argn, fname, where)
  if not is_future(v) then
    error("bad argument #" .. argn .. " to '" .. fname .. "' (a future expected"
      .. (where or "") .. ", got " .. type(v) .. ")", 3)
  end
end

-- The checks of the methods below, which lactor.Future's own methods
-- (written in C) make with luaL_checkudata and luaL_checktype.
local function check_method(self, fn, name)
  if not is_future(self) then
    error("bad argument #1 to '" .. name .. "' (lactor.Future expected, got "
      .. type(self) .. ")", 3)
  end
  if type(fn) ~= "function" then
    error("bad argument #1 to '" .. name .. "' (function expected, got "
      .. (fn == nil and "no value" or type(fn)) .. ")", 3)
  end
end

-- A future resolved with fn(values of src...), once src is resolved.
-- (derive_from: an actor waiting for it waits for src, whose owner the
-- self-ask check must see.)
local function derive(src, fn)
  local g = future()
  derive_from(g, src)
  src:on_done(function(f)
    local failed, err, tb = f:_error()
    if failed then return reply(g, false, err, tb) end
    resolve(g, xpcall(fn, handler, f:get()))
  end)
  return g
end

local function sequence(what, t)
  if type(t) ~= "table" then
    error(what .. ": the future's value is a " .. type(t) .. ", not a table", 0)
  end
  return t
end

function Future:map(fn)
  check_method(self, fn, "map")
  return derive(self, fn)
end

function Future:filter(fn)
  check_method(self, fn, "filter")
  return derive(self, function(t)
    sequence("filter", t)
    local out = {}
    for i = 1, #t do
      if fn(t[i]) then out[#out + 1] = t[i] end
    end
    return out
  end)
end

function Future:reduce(fn, ...)
  check_method(self, fn, "reduce")
  local has_init, init = select("#", ...) > 0, ...
  return derive(self, function(t)
    sequence("reduce", t)
    local acc, first = init, 1
    if not has_init then
      if #t == 0 then
        error("reduce: empty sequence and no initial value", 0)
      end
      acc, first = t[1], 2
    end
    for i = first, #t do acc = fn(acc, t[i]) end
    return acc
  end)
end

-- lactor.join(f1, f2, ...) → Future of {first value of each}; fails as
-- soon as one of them fails.
function M.join(...)
  local n, g, left, values = select("#", ...), future(), select("#", ...), {}
  for i = 1, n do check_future((select(i, ...)), i, "join") end
  if n == 0 then
    g:set(values)
    return g
  end
  derive_from(g, ...)
  for i = 1, n do
    local fi = select(i, ...)
    fi:on_done(function(f)
      if g:is_ready() then return end
      local failed, err, tb = f:_error()
      if failed then return reply(g, false, err, tb) end
      values[i] = (f:get())
      left = left - 1
      if left == 0 then g:set(values) end
    end)
  end
  return g
end

-- lactor.get_all(futures [, timeout]) → {first value of each}; the timeout
-- bounds the whole wait.
function M.get_all(futures, timeout)
  if type(futures) ~= "table" then
    error("bad argument #1 to 'get_all' (table expected, got "
      .. (futures == nil and "no value" or type(futures)) .. ")", 2)
  end
  for i = 1, #futures do check_future(futures[i], 1, "get_all", " at index " .. i) end
  if timeout ~= nil and not (type(timeout) == "number" and timeout == timeout) then
    errors.bad_timeout(timeout, 2, "get_all")
  end
  local deadline = timeout and now() + timeout
  local values = {}
  for i = 1, #futures do
    local f = futures[i]
    local left = deadline and deadline - now()
    -- Called by pcall, get raises a misuse (a wait where nothing can
    -- yield, a self-ask) without a position: get_all's caller's is added.
    local ok, v = pcall(f.get, f, left and (left > 0 and left or 0))
    if not ok then
      -- Settled: f failed, perhaps with a Timeout of its own (an ask's),
      -- which goes on unchanged.  Still pending: this wait timed out, or
      -- could not wait.
      if f:is_ready() then error(v, 0) end
      if deadline and errors.is_error(v, errors.Timeout) then
        error(errors.new(errors.Timeout,
          ("timed out after %.14g s"):format(timeout > 0 and timeout or 0)), 2)
      end
      error(v, 2)
    end
    values[i] = v
  end
  return values
end

return M
