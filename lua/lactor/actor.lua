-- Actors: classes, refs, mailboxes and the life of an actor.
--
-- Each actor has a private state table (its "core", below `c`), held in
-- its ref's array slot CORE (an integer key: the fastest lookup there is):
--   inst      the instance (self in handlers)      ref       its ref
--   mb        mailbox, made with room for one message: pairs of slots
--             mb[i] = message, mb[i+1] = reply future, false (tell) or STOP,
--             or CALL: a proxy call, msg = {fn, future or false, ...}
--   head, tail  next slot to read, next slot to write
--   busy      queued to run, or running: it has a worker or waits for one;
--             nil once dead, so that a tell checks dead only when not busy
--   fresh     on_start has yet to run
--   dead      unregistered, ended
--   base      messages taken before the last reset of head and tail
--   stopping  a stop is queued
--   stops     the future of ref:stop(), or a list when there are more
--   reply     the future of the ask being handled, or false
--   seq       start order (among tasks too: lactor.dump)
-- Slots and fields written on every message hold false rather than nil
-- when empty: a write to a nil slot takes the VM's slow path.
-- Messages sent and handled are derived from the mailbox positions, not
-- counted per message: see pushed() and processed().
--
-- An idle actor has no coroutine.  When it gets something to do, it is
-- queued (core.queue) and the loop lends it a worker, a coroutine from a
-- pool that serves actors one after the other (work(), below).

local core = require("lactor.core")
local errors = require("lactor.errors")
local task = require("lactor.task")

local queue, next_actor, kill = core.queue, core.next_actor, core.kill
local future, ask_future, reply = core.future, core.ask_future, core.reply
local report, fail, uuid, procs = core.report, core.fail, core.uuid, core.procs
local handler, errtext, new_error = errors.handler, errors.text, errors.new
local xpcall, setmetatable, tostring, type = xpcall, setmetatable, tostring, type
local ipairs = ipairs

local M = {}

local CORE <const> = 1
-- Message kinds besides a future (ask) and false (tell).  Small integers,
-- not tables: the worker compares every ask's kind with both, and an
-- integer constant compares inline (EQI), a table through luaV_equalobj.
local STOP <const> = 1
local CALL <const> = 2

local stats = { started = 0, crashed = 0 }
-- What dead actors were sent and handled; live ones count their own.
local sent_to_dead, handled_by_dead, dead_letters = 0, 0, 0

local live = {}      -- core → true, for every actor not dead
M.live = live        -- read only, for the registry
local nlive = 0
local debug_on = core.debug()

local function describe(c)
  return c.cls.name .. " (" .. c.ref.urn .. ")"
end
M.describe = describe

local function log(what, c, detail)
  if debug_on then
    report("debug: " .. what .. " " .. describe(c) .. (detail and ": " .. detail or ""))
  end
end
M.log = log

local function dead_error(c)
  return new_error(errors.ActorDead, describe(c) .. " is dead")
end
M.dead_error = dead_error

-- {==================================================================
-- Classes
-- ===================================================================

local Base = {}        -- what every actor class has
local parents = setmetatable({}, { __mode = "k" })

local ClassMeta = { __tostring = function(cls) return "Class(" .. cls.name .. ")" end }

-- lactor.class(name [, parent])
function M.class(name, parent)
  if type(name) ~= "string" then
    error("bad argument #1 to 'class' (string expected, got " .. type(name) .. ")", 2)
  end
  if parent ~= nil and parents[parent] == nil then
    error("bad argument #2 to 'class' (a class expected)", 2)
  end
  local cls = setmetatable({ name = name }, {
    __index = parent or Base, __tostring = ClassMeta.__tostring,
  })
  cls.__index = cls
  parents[cls] = parent or false
  return cls
end

function M.parent(cls) return parents[cls] end

-- }==================================================================

-- {==================================================================
-- The mailbox
-- ===================================================================

-- Queues a message, and the actor if it had nothing to do.
local function push(c, msg, kind)
  local mb, t = c.mb, c.tail
  mb[t], mb[t + 1] = msg, kind
  c.tail = t + 2
  if not c.busy then
    c.busy = true
    queue(c)
  end
end

-- Empties the mailbox of a dead actor: asks fail, tells are dead letters.
local function drain(c)
  local mb, h, t = c.mb, c.head, c.tail
  c.head, c.tail = 1, 1
  while h < t do
    local msg, kind = mb[h], mb[h + 1]
    mb[h], mb[h + 1] = nil, nil
    if kind == CALL then kind = msg[2] end   -- its future, or false
    if kind == false then
      dead_letters = dead_letters + 1
      if debug_on then log("dead letter for", c, tostring(msg)) end
    elseif kind ~= STOP then
      reply(kind, false, new_error(errors.ActorDead, "stopped before handling the message"))
    end
    h = h + 2
  end
end

-- }==================================================================

-- {==================================================================
-- The life of an actor
-- ===================================================================

-- Messages an actor has finished handling: those taken from the mailbox,
-- less the one it is inside of (or the STOP that ended it) while it runs.
-- (A queued actor has taken none since its mailbox was last reset.)
local function processed(c)
  local taken = (c.head - 1) // 2
  if c.busy and taken > 0 then taken = taken - 1 end
  return c.base + taken
end
M.processed = processed

-- Messages sent to an actor: all it ever had queued, but its stop.
local function pushed(c)
  return c.base + (c.tail - 1) // 2 - (c.stopping and 1 or 0)
end

local function die(c)
  c.dead = true
  if live[c] then
    sent_to_dead = sent_to_dead + pushed(c)
    handled_by_dead = handled_by_dead + processed(c)
    live[c] = nil
    nlive = nlive - 1
  end
  c.busy = nil
  if M.on_death then M.on_death(c) end
end

-- Runs a lifecycle callback; an error in it is reported, not raised.
local function callback(c, name, ...)
  local fn = c.inst[name]
  if fn == nil then return end
  local ok, err = xpcall(fn, handler, c.inst, ...)
  if not ok then
    report("actor " .. describe(c) .. " " .. name .. " failed: "
      .. errtext(err) .. "\n" .. errors.last_traceback)
    fail()
  end
end

local function resolve_stops(c)
  local stops = c.stops
  c.stops = nil
  if type(stops) == "table" then
    for i = 1, #stops do reply(stops[i], true, true) end
  elseif stops then
    reply(stops, true, true)
  end
end

local function crash(c, err, traceback)
  die(c)
  stats.crashed = stats.crashed + 1
  report("actor " .. describe(c) .. " crashed: " .. errtext(err) .. "\n" .. traceback)
  log("crashed", c, errtext(err))
  fail()
  callback(c, "on_failure", err, traceback)
  drain(c)
  resolve_stops(c)
end

local function stopped(c)
  die(c)
  callback(c, "on_stop")
  drain(c)
  if debug_on then log("stopped", c) end
  resolve_stops(c)
end

local function unexpected(inst, msg)
  report(describe(inst.ref[CORE]) .. " got an unexpected message: " .. tostring(msg))
end

-- The body of a worker, lent by the loop to actor `c` (see loop.h): runs
-- on_start if it has not run, handles the messages queued, and goes on to
-- the next actor while one is queued right behind; then waits in the pool
-- to be lent again.  Everything runs inside one xpcall until an error, so
-- neither a message nor an actor costs a protected call of its own; an
-- error ends the actor being served, or fails the ask being answered.
local function work(worker, first)
  local current, starting = first, false  -- for the error handling below
  local function serve(c)
    while true do
      current = c
      if c.dead then goto next end    -- killed while queued
      do
        local inst = c.inst
        if c.fresh then
          c.fresh = false
          local on_start = inst.on_start
          if on_start then
            starting = true
            on_start(inst)
            starting = false
          end
        end
        -- Only this loop moves head (a death empties the mailbox, but
        -- never while the actor is inside this loop and alive).
        local h, mb = c.head, c.mb
        while h < c.tail do
          local k = h + 1
          local msg, kind = mb[h], mb[k]
          mb[h], mb[k] = false, false   -- not nil: see the top
          h = k + 1
          c.head = h
          local receive = inst.on_receive or unexpected
          if not kind then              -- a tell
            receive(inst, msg)
          elseif kind == STOP then
            stopped(c)
            goto next
          elseif kind == CALL then  -- proxy.lua: fn(inst, msg) instead of on_receive
            local f = msg[2]
            if f then
              c.reply = f
              reply(f, true, msg[1](inst, msg))
              c.reply = false
            else
              msg[1](inst, msg)     -- a field write: an error crashes, as a tell's
            end
          else
            c.reply = kind
            reply(kind, true, receive(inst, msg))
            c.reply = false
          end
        end
        c.base = c.base + (h - 1) // 2  -- the mailbox is empty: reset it
        c.head, c.tail = 1, 1
        c.busy = false
      end
      ::next::
      c = next_actor(worker)          -- may wait in the pool
      if not c then return end
    end
  end
  while true do
    local ok, err = xpcall(serve, handler, current)
    if ok then return end
    local c = current
    local f = c.reply
    if starting or not f then
      starting = false
      crash(c, err, errors.last_traceback)
    else
      c.reply = false
      reply(f, false, err, errors.last_traceback)
    end
  end
end
M.work = work

-- The coroutine of the worker each running actor has: {[c] = co}.  An
-- actor does not keep it, which would cost two writes per turn it runs.
local function workers()
  local map = {}
  for _, p in ipairs(procs()) do
    if p.kind == "actor" and p.owner then map[p.owner] = p.co end
  end
  return map
end
M.workers = workers

-- Ends an actor at once, wherever it is (lactor.exit, a signal), and its
-- worker `co` if it has one: its on_stop runs in a task.
local function kill_actor(c, co)
  die(c)
  if co then kill(co) end
  if c.reply then
    reply(c.reply, false, new_error(errors.ActorDead, "stopped before handling the message"))
    c.reply = false
  end
  drain(c)
  task.spawn(function()
    callback(c, "on_stop")
    log("stopped", c)
    resolve_stops(c)
  end)
end

-- Live actors, oldest first.
local function live_in_order()
  local list = {}
  for c in pairs(live) do list[#list + 1] = c end
  table.sort(list, function(a, b) return a.seq < b.seq end)
  return list
end
M.live_in_order = live_in_order

function M.kill_all()
  local list, co = live_in_order(), workers()
  for i = #list, 1, -1 do kill_actor(list[i], co[list[i]]) end
end

-- At the end of the run every live actor is idle and can get no more
-- messages: stop them, newest first.  True if there were any.
function M.stop_idle()
  local list = live_in_order()
  for i = #list, 1, -1 do list[i].ref:stop() end
  return #list > 0
end

function M.count() return nlive end

function M.stats()
  local sent, handled = sent_to_dead, handled_by_dead
  for c in pairs(live) do
    sent = sent + pushed(c)
    handled = handled + processed(c)
  end
  return stats.started, stats.crashed, sent, handled, dead_letters
end

-- }==================================================================

-- {==================================================================
-- Refs
-- ===================================================================

local Ref = {}
Ref.__index = Ref
Ref.__name = "lactor.Ref"

function Ref.__tostring(ref)
  return "ActorRef(" .. ref.class.name .. ", " .. ref.urn .. ")"
end

function Ref:tell(msg)
  local c = self[CORE]
  if not c.busy then                 -- idle, or dead (busy is nil then)
    if c.dead then error(dead_error(c), 2) end
    c.busy = true
    queue(c)
  end
  local mb, t = c.mb, c.tail
  mb[t], mb[t + 1] = msg, false
  c.tail = t + 2
end

-- push(c, msg, f), inlined; an idle actor is queued by ask_future itself,
-- which saves a call into C per ask.
function Ref:ask(msg, timeout)
  local c = self[CORE]
  local f
  if c.busy then
    f = ask_future(c, timeout)
  else                               -- idle, or dead (busy is nil then)
    if c.dead then
      f = ask_future(c, timeout)
      reply(f, false, dead_error(c))
      return f
    end
    f = ask_future(c, timeout, true)  -- raises before it queues c
    c.busy = true
  end
  local mb, t = c.mb, c.tail
  mb[t], mb[t + 1] = msg, f
  c.tail = t + 2
  return f
end

-- A proxy call, field read or field write (proxy.lua), queued in order
-- with tells and asks; `msg` is {fn, future or false, ...}.
function M.call(c, msg)
  push(c, msg, CALL)
end

-- A poison pill: queued after the messages already there.
function Ref:stop()
  local c = self[CORE]
  local f = future()
  if c.dead then
    f:set(false)
    return f
  end
  local stops = c.stops
  if stops == nil then c.stops = f          -- the usual case: one stop
  elseif type(stops) == "table" then stops[#stops + 1] = f
  else c.stops = { stops, f } end
  if not c.stopping then
    c.stopping = true
    push(c, nil, STOP)
  end
  return f
end

function Ref:is_alive()
  return not self[CORE].dead
end

function M.core(ref) return ref[CORE] end
M.Ref = Ref

-- }==================================================================

-- {==================================================================
-- Starting
-- ===================================================================

-- Makes the core and ref of an actor of class `cls` whose instance is
-- `inst`: a table with (at least) the keys ref and urn, so that it is
-- sized once, not grown key by key.  Not registered yet.
local function new_actor(cls, inst)
  -- Likewise every field the core will ever have is named here.
  local c = { inst = inst, cls = cls, ref = nil, mb = { false, false },
              head = 1, tail = 1, base = 0, busy = true, fresh = true,
              seq = 0, dead = false, stopping = false, stops = nil,
              reply = false }
  local urn = uuid()
  local ref = setmetatable({ c, urn = urn, class = cls }, Ref)
  inst.ref, inst.urn = ref, urn
  setmetatable(inst, cls)
  c.ref = ref
  return c, ref
end

-- The actor exists: it is live, and queued to run on_start (or just to
-- start, which keeps actors in start order in the run queue).
local function register(c)
  live[c] = true
  nlive = nlive + 1
  stats.started = stats.started + 1
  c.seq = queue(c)
  if debug_on then log("started", c) end
end

-- cls:start(...): init runs here, in the caller; an error in it leaves no
-- actor behind.
function Base.start(cls, ...)
  if parents[cls] == nil then
    error("bad argument #1 to 'start' (a class expected; use Class:start())", 2)
  end
  local inst = { ref = false, urn = false }
  local c, ref = new_actor(cls, inst)
  if inst.init then inst:init(...) end
  register(c)
  return ref
end

-- self:stop() inside a handler: the same poison pill as ref:stop().
function Base:stop()
  return self.ref:stop()
end

-- lactor.start(fn): an anonymous actor whose on_receive is fn(self, msg).
-- All of them are of one class, Actor, whose instances carry their own
-- on_receive: starting one makes no class.
local Anonymous = M.class("Actor")

function M.start(fn)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'start' (function expected, got " .. type(fn) .. ")", 2)
  end
  local c, ref = new_actor(Anonymous, { ref = false, urn = false, on_receive = fn })
  register(c)
  return ref
end

-- }==================================================================

return M
