-- The lactor module: the public API, assembled from lactor.core (C) and
-- the Lua files beside this one.  Also the hooks through which the C loop
-- asks the Lua side to report, spawn and stop things.
--
-- Most scripts use a few names, so the files behind the rest (actor,
-- input, proxy, registry, inspect, combinators, supervision) load on
-- first use: loading every file at start was half of lactor's start-up
-- time (issue 6).  No actor can exist before actor.lua is loaded, which
-- the hooks below rely on.  A lazy name is absent from the table until
-- then; __index loads its file and puts in every name that file owns,
-- and __pairs loads them all, so pairs(lactor) lists every name.
-- Methods those files add to refs and futures are stubs until then
-- (below).

local core = require("lactor.core")
local errors = require("lactor.errors")
local error = errors.error   -- a position never names lactor's own line
local task = require("lactor.task")

local require, next, rawget, rawset = require, next, rawget, rawset
local report, fail = core.report, core.fail
local errtext, new_error = errors.text, errors.new

local lactor = {
  Timeout = errors.Timeout,
  ActorDead = errors.ActorDead,
  is_error = errors.is_error,

  -- core.api's, not core's own: see push_api in lib_lactor.c.
  future = core.api.future,
  spawn = task.spawn,
  sleep = core.api.sleep,
  yield = core.api.yield,
  now = core.api.now,
  after = core.api.after,
  every = core.api.every,
  exit = core.api.exit,
}

-- Lazy names → the file that owns each (a field of that module's table),
-- until the file is loaded or the name is assigned.
local lazy = {
  class = "lactor.actor", start = "lactor.actor",
  input = "lactor.input", emit = "lactor.input", null = "lactor.input",
  EOF = "lactor.input",
  traversable = "lactor.proxy",
  registry = "lactor.registry", register = "lactor.registry",
  unregister = "lactor.registry", whereis = "lactor.registry",
  ps = "lactor.inspect", dump = "lactor.inspect",
  join = "lactor.combinators", get_all = "lactor.combinators",
  link = "lactor.supervision", supervise = "lactor.supervision",
}

local function load_module(module)
  local m = require(module)
  for k, owner in next, lazy do
    if owner == module then
      lazy[k] = nil
      rawset(lactor, k, m[k])
    end
  end
  return m
end

setmetatable(lactor, {
  __index = function(t, k)
    local module = lazy[k]
    if module == nil then return nil end
    load_module(module)
    return rawget(t, k)
  end,
  -- A lazy name is absent, so writing it comes here: the script's value
  -- wins, now and after the file loads.
  __newindex = function(t, k, v)
    lazy[k] = nil
    rawset(t, k, v)
  end,
  __pairs = function(t)
    local _, module = next(lazy)
    while module do
      load_module(module)
      _, module = next(lazy)
    end
    return next, t, nil
  end,
})

-- actor.lua once loaded (by the first lactor.class or lactor.start, or by
-- a file that needs it), else nil.
local loaded = package.loaded
local function actors() return loaded["lactor.actor"] end

-- ref:proxy() and future:map/filter/reduce: the first call loads the
-- file, which replaces the stub, and goes on to the real method.
local Future = core.Future
for _, name in next, { "map", "filter", "reduce" } do
  Future[name] = function(...)
    load_module("lactor.combinators")
    return Future[name](...)
  end
end

-- lactor.stats() → a fresh table of counters.
function lactor.stats()
  local actor = actors()
  local started, crashed, sent, handled, dead_letters = 0, 0, 0, 0, 0
  if actor then started, crashed, sent, handled, dead_letters = actor.stats() end
  local timers, tasks, memory = core.counts()
  return {
    alive = actor and actor.count() or 0, started = started, crashed = crashed,
    sent = sent, handled = handled, dead_letters = dead_letters,
    rejected = core.input_rejected(),
    tasks = tasks, timers = timers,
    memory = memory,
  }
end

-- The loop alone resumes the coroutines it runs (the main chunk, tasks,
-- actors' workers): a script that got one from coroutine.running() and
-- resumed or closed it would tear it from under the loop.
do
  local resume, close, state = coroutine.resume, coroutine.close, core.state
  local function check(co, name)
    if type(co) == "thread" and state(co) then
      error("bad argument #1 to '" .. name .. "' (a coroutine lactor runs)", 3)
    end
  end
  function coroutine.resume(co, ...)
    check(co, "resume")
    return resume(co, ...)
  end
  function coroutine.close(co)
    check(co, "close")
    return close(co)
  end
end

local hooks = {
  error = new_error,
  spawn_callback = task.spawn_callback,
  timer_fired = task.timer_fired,

  -- The main chunk (or a fault in lactor's wrappers) raised.
  proc_failed = function(err, traceback)
    report(errtext(err) .. "\n" .. errors.trim(traceback))
  end,

  report_waiting = function(kind, owner, traceback)
    local what = task.heading[kind] or "actor " .. actors().describe(owner)
    io.stderr:write(what, " waiting:\n", errors.trim(traceback), "\n")
  end,

  shutdown = function()
    core.input_close()              -- input.lua's shutdown, loaded or not
    core.cancel_timers()
    local actor = actors()
    if actor then actor.kill_all() end
  end,

  stop_idle = function()
    local actor = actors()
    return actor ~= nil and actor.stop_idle()
  end,
  dump = function() load_module("lactor.inspect").dump() end,   -- SIGUSR1
  at_exit = task.report_unobserved,
  -- worker: actor.work, the body of the coroutines actors run on, set
  -- when actor.lua loads (below).
}
core.set_hooks(hooks)

-- Whoever loads actor.lua first (lactor.class, lactor.start, a lazy file
-- that needs it, a script's require), it comes with its worker hook and
-- the ref:proxy() and ref:monitor() stubs.
do
  local load_actor = package.preload["lactor.actor"]
  package.preload["lactor.actor"] = function(...)
    local actor = load_actor(...)
    hooks.worker = actor.work
    local Ref = actor.Ref
    function Ref.proxy(self)
      load_module("lactor.proxy")
      return Ref.proxy(self)
    end
    function Ref.monitor(self)
      if getmetatable(self) ~= Ref then   -- raised here, at the caller
        error("bad argument #1 to 'monitor' (an actor ref expected, got "
          .. type(self) .. ")", 2)
      end
      load_module("lactor.supervision")
      return Ref.monitor(self)
    end
    return actor
  end
end

return lactor
