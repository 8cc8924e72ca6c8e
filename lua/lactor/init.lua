-- The lactor module: the public API, assembled from lactor.core (C) and
-- the Lua files beside this one.  Also the hooks through which the C loop
-- asks the Lua side to report, spawn and stop things.

local core = require("lactor.core")
local errors = require("lactor.errors")
local task = require("lactor.task")
local actor = require("lactor.actor")
local input = require("lactor.input")
local proxy = require("lactor.proxy")
local registry = require("lactor.registry")
local inspect = require("lactor.inspect")
require("lactor.combinators")

local report, fail = core.report, core.fail
local errtext, new_error = errors.text, errors.new

local lactor = {
  Timeout = errors.Timeout,
  ActorDead = errors.ActorDead,
  is_error = errors.is_error,

  future = core.future,
  spawn = task.spawn,
  sleep = core.sleep,
  yield = core.yield,
  now = core.now,
  after = core.after,
  every = core.every,
  exit = core.exit,

  class = actor.class,
  start = actor.start,

  input = input.input,
  emit = input.emit,
  null = input.null,
  EOF = input.EOF,

  traversable = proxy.traversable,
  registry = registry.registry,
  register = registry.register,
  unregister = registry.unregister,
  whereis = registry.whereis,
  ps = inspect.ps,
  dump = inspect.dump,
}

for k, v in pairs(require("lactor.combinators").functions) do lactor[k] = v end

-- lactor.stats() → a fresh table of counters.
function lactor.stats()
  local started, crashed, sent, handled, dead_letters = actor.stats()
  local timers, tasks = core.counts()
  return {
    alive = actor.count(), started = started, crashed = crashed,
    sent = sent, handled = handled, dead_letters = dead_letters,
    rejected = core.input_rejected(),
    tasks = tasks, timers = timers,
    memory = math.floor(collectgarbage("count") * 1024),
  }
end

core.set_hooks({
  error = new_error,
  spawn_callback = task.spawn_callback,
  timer_fired = task.timer_fired,

  -- The main chunk (or a fault in lactor's wrappers) raised.
  proc_failed = function(err, traceback)
    report(errtext(err) .. "\n" .. traceback)
  end,

  report_waiting = function(kind, owner, traceback)
    local what = kind == 0 and "main chunk" or kind == 1 and "task"
      or "actor " .. actor.describe(owner)
    io.stderr:write(what, " waiting:\n", traceback, "\n")
  end,

  shutdown = function()
    input.shutdown()
    core.cancel_timers()
    actor.kill_all()
  end,

  stop_idle = actor.stop_idle,
  worker = actor.work,              -- the body of the coroutines actors run on
  dump = inspect.dump,              -- SIGUSR1
  at_exit = task.report_unobserved,
})

return lactor
