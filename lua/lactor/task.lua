-- Tasks: coroutines that are not actors.  lactor.spawn, on_done
-- callbacks and timer callbacks all run in tasks.

local core = require("lactor.core")
local errors = require("lactor.errors")
local error = errors.error   -- a position never names lactor's own line

local spawn, future, reply, observed = core.spawn, core.future, core.reply, core.observed
local report, fail = core.report, core.fail
local handler, errtext = errors.handler, errors.text
local xpcall = xpcall

local M = {}

-- How reports name a proc that is not an actor, by its kind (core.procs,
-- the deadlock report): "main chunk waiting:", "task running:".
M.heading = { main = "main chunk", task = "task", line = "REPL line" }

-- Failed tasks whose futures nobody had read when they failed, so that
-- an error nobody ever read is reported at exit.  Those read since are
-- dropped each time the list has doubled: a long run whose tasks fail,
-- and whose failures are read, must not keep them all.
local PRUNE_FIRST <const> = 64
local failed, prune_at = {}, PRUNE_FIRST

local function keep_failed(f)
  local n = #failed + 1
  failed[n] = f
  if n < prune_at then return end
  local kept = 0
  for i = 1, n do
    local g = failed[i]
    failed[i] = nil
    if not observed(g) then
      kept = kept + 1
      failed[kept] = g
    end
  end
  prune_at = math.max(PRUNE_FIRST, 2 * kept)
end

-- Resolves f with what xpcall(fn, errors.handler, ...) returned; false
-- when that was an error.
local function resolve(f, ok, ...)
  if ok then
    reply(f, true, ...)
    return true
  end
  reply(f, false, (...), errors.take_traceback())
  return false
end

local function body(f, fn, ...)
  if not resolve(f, xpcall(fn, handler, ...)) then keep_failed(f) end
end

-- lactor.spawn(fn, ...) → Future of fn's results.
function M.spawn(fn, ...)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'spawn' (function expected, got "
      .. (fn == nil and "no value" or type(fn)) .. ")", 2)
  end
  local f = future()
  spawn("task", nil, body, f, fn, ...)
  return f
end

-- An on_done callback: fn(f) in a task of its own.
function M.spawn_callback(fn, f)
  local g = future()
  spawn("task", nil, body, g, fn, f)
end

local function timer_body(t)
  t.queued = nil
  if t.cancelled then return end      -- after it was queued (timer.c)
  local ok, err = xpcall(t[1], handler, table.unpack(t, 2, t.n + 1))
  if not ok then
    report("timer callback failed: " .. errtext(err) .. "\n" .. errors.take_traceback())
    fail()
  end
end

-- A timer fired: its callback runs in a task; an error is reported and
-- makes the exit status 1.  A tick of lactor.every whose last callback
-- has not even started is skipped (as Go's Ticker drops ticks): timers
-- the loop cannot keep up with would otherwise queue tasks without end.
function M.timer_fired(timer, t)
  if t.queued then return end
  t.queued = true
  spawn("task", nil, timer_body, t)
end

function M.report_unobserved()
  for i = 1, #failed do
    local f = failed[i]
    if not observed(f) then
      local _, err, tb = f:_error()
      report("task failed: " .. errtext(err) .. "\n" .. tostring(tb))
    end
  end
  failed, prune_at = {}, PRUNE_FIRST
end

M.resolve = resolve
return M
