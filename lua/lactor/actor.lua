-- Actors: classes, refs, mailboxes and the life of an actor.
--
-- Each actor's state is kept in its ref (its "core", below `c`): the
-- public fields urn and class are in its hash part, and its array part
-- holds the private state, the integer keys below, followed by the
-- mailbox.  Integer keys cost no hashing, and one table per actor rather
-- than a ref and a core saves an allocation per actor and a read per
-- message, which matters when there are many actors (Fork-Join) or
-- messages (see DECISIONS.md).
--   c[INST]      the instance (self in handlers)
--   c[REF]       the ref: c itself, for the files that read c[REF] where
--                they mean the public handle
--   c[HEAD], c[TAIL]  next mailbox slot to read, next slot to write
--   c[BUSY]      queued to run, or running: it has a worker or waits for
--                one (true; 0 while its worker gives the loop a turn
--                between two messages); nil once dead, so that a tell
--                checks DEAD only when not busy
--   c[FRESH]     on_start has yet to run
--   c[DEAD]      unregistered, ended
--   c[BASE]      messages taken before the last reset of HEAD and TAIL,
--                less two for each marked entry taken since (see below)
--   c[STOPPING]  a stop is queued
--   c[STOPS]     the future of the first ref:stop(), or false (the others
--                wait in more_stops)
--   c[REPLY]     the future of the ask being handled, or false
--   c[SEQ]       start order (among tasks too: lactor.dump)
--   c[SLOT]      its index in `live` (below), 0 once dead
--   c[EXIT]      how it ended, once it has (see exited()); nil before
--   c[FIRST]...  the mailbox, made with room for a tell and a stop.  A
--                tell takes one slot, its message; a proxy call two: CALL
--                and msg = {fn, future or false, ...}; an ask or a stop
--                three: MARK, the message, and its kind: a reply future
--                (ask) or STOP.  Tells are most messages, and one slot
--                each halves what the mailbox writes and reads (Counting
--                ran a fifth faster); a proxy call carries its future in
--                msg, and two slots keep a mailbox of them as small as it
--                was.  A MARK or CALL is left where it was once its entry
--                is taken: a constant keeps nothing alive, and only the
--                slots from HEAD on are read.
-- Mailbox slots and fields written on every message hold false rather
-- than nil when empty: a write to a nil slot takes the VM's slow path.
-- Messages sent and handled are derived from the mailbox positions, not
-- counted per message: see pushed() and processed().
--
-- An idle actor has no coroutine.  When it gets something to do, it is
-- queued (core.queue) and the loop lends it a worker, a coroutine from a
-- pool that serves actors one after the other (work(), below).

local core = require("lactor.core")
local errors = require("lactor.errors")
local error = errors.error   -- a position never names lactor's own line
local task = require("lactor.task")

local queue, next_actor, kill = core.queue, core.next_actor, core.kill
local turn_due, yield = core.turn_due, core.yield
local ask_future, end_future, reply = core.ask_future, core.end_future, core.reply
local report, fail, uuid, procs = core.report, core.fail, core.uuid, core.procs
local finishing = core.finishing
local handler, errtext, new_error = errors.handler, errors.text, errors.new
local show, take_traceback = errors.show, errors.take_traceback
local bad_timeout = errors.bad_timeout
local xpcall, setmetatable, tostring, type = xpcall, setmetatable, tostring, type
local rawget = rawget
local ipairs = ipairs

local M = {}

-- One per line: in `local A <const>, B <const> = 1, 2` only the last
-- becomes a compile-time constant (lparser.c, localstat); the others are
-- read from an upvalue, an extra instruction on every c[HEAD] and c[TAIL].
local INST <const> = 1
local REF <const> = 2
local HEAD <const> = 3
local TAIL <const> = 4
local BUSY <const> = 5
local FRESH <const> = 6
local DEAD <const> = 7
local BASE <const> = 8
local STOPPING <const> = 9
local STOPS <const> = 10
local REPLY <const> = 11
local SEQ <const> = 12
local SLOT <const> = 13
local EXIT <const> = 14
local FIRST <const> = 15
-- For the other files that read cores (not on any hot path).
M.INST, M.REF, M.HEAD, M.TAIL, M.BUSY, M.FRESH = INST, REF, HEAD, TAIL, BUSY, FRESH
M.DEAD, M.STOPPING, M.SEQ, M.EXIT = DEAD, STOPPING, SEQ, EXIT
-- The first slot of an ask or a stop, and of a proxy call.  Functions,
-- which no script can get hold of: comparing a message with them never
-- calls an __eq metamethod, which Lua tries only between two tables or
-- two userdata.
local function MARK() end
local function CALL() end
-- The kind of a stop, beside a future (ask).  A small integer, not a
-- table: the worker compares every ask's kind with it, and an integer
-- constant compares inline (EQI), a table through luaV_equalobj.
local STOP <const> = 1

local stats = { started = 0, crashed = 0 }
-- What dead actors were sent and handled; live ones count their own.
local sent_to_dead, handled_by_dead, dead_letters = 0, 0, 0

-- Every actor not dead, in no order: live[c[SLOT]] == c.  An array, not a
-- set, because a short-lived actor then costs no hashing (Fork-Join).
local live = {}
M.live = live        -- read only, for the registry
local nlive = 0
local debug_on = core.debug()

local function describe(c)
  return c[REF].class.name .. " (" .. c[REF].urn .. ")"
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

-- Queues the actor if it had nothing to do: it has now.
local function wake(c)
  if not c[BUSY] then
    c[BUSY] = true
    queue(c)
  end
end
M.wake = wake        -- for input.lua, which fills mailboxes itself

-- The mailbox entry at h: its message; its kind: false for a tell, the
-- reply future of an ask, STOP, or the future of a proxy call (false if
-- it has none); and where the next entry begins.  For the walks below; the
-- worker, which takes one entry per message, decodes them inline (work()).
local function entry(c, h)
  local msg = c[h]
  if msg == MARK then return c[h + 1], c[h + 2], h + 3 end
  if msg == CALL then
    msg = c[h + 1]
    return msg, msg[2], h + 2
  end
  return msg, false, h + 1
end

-- Empties the mailbox of a dead actor: asks fail, tells are dead letters.
local function drain(c)
  local h, t = c[HEAD], c[TAIL]
  c[HEAD], c[TAIL] = FIRST, FIRST
  while h < t do
    local msg, kind, next_h = entry(c, h)
    for i = h, next_h - 1 do c[i] = false end
    h = next_h
    if kind == false then
      dead_letters = dead_letters + 1
      if debug_on then log("dead letter for", c, show(msg)) end
    elseif kind ~= STOP then
      reply(kind, false, new_error(errors.ActorDead, "stopped before handling the message"))
    end
  end
end

-- }==================================================================

-- {==================================================================
-- The life of an actor
-- ===================================================================

-- Messages taken from the mailbox.  BASE takes off the slots beyond the
-- first of each marked entry taken (work(), below): the slots taken, less
-- that, are the messages.
local function taken(c)
  return c[BASE] + c[HEAD] - FIRST
end

-- Is the actor inside a message (or the STOP that ends it)?  It has taken
-- one since its mailbox was last reset, and its worker is not between two
-- (BUSY 0).  A queued actor has taken none.
local function inside(c)
  return c[BUSY] == true and c[HEAD] > FIRST
end

-- Messages an actor has finished handling: those taken from the mailbox,
-- less the one it is inside of.
local function processed(c)
  local n = taken(c)
  if inside(c) then n = n - 1 end
  return n
end
M.processed = processed

-- Messages waiting, the stop among them.  The marked entries are counted
-- here rather than kept count of as they come and go, which would cost
-- every ask and stop: only a death, lactor.stats and lactor.ps ask.
local function waiting(c)
  local n, h, t = 0, c[HEAD], c[TAIL]
  while h < t do
    local _, _, next_h = entry(c, h)
    h, n = next_h, n + 1
  end
  return n
end
M.waiting = waiting

-- Messages sent to an actor: all it ever had queued, but its stop.
local function pushed(c)
  return taken(c) + waiting(c) - (c[STOPPING] and 1 or 0)
end
M.pushed = pushed

-- Hooks set by files loaded on demand: registry.lua's on_death(c) frees
-- a dead actor's name, supervision.lua's on_exit(c, reason, crashed) is
-- below.
-- Upvalues rather than fields of M, which every actor that ends would
-- look up and, most often, miss (the VM's slow path).
local on_death, on_exit = false, false
function M.set_on_death(fn) on_death = fn end
function M.set_on_exit(fn) on_exit = fn end

local function die(c)
  c[DEAD] = true
  local slot = c[SLOT]
  if slot > 0 then
    -- pushed(c) and processed(c), sharing taken(c) and inside(c), inlined,
    -- and counting what waits only when something does: a short-lived
    -- actor (Fork-Join) dies with an empty mailbox.
    local h = c[HEAD]
    local n = c[BASE] + h - FIRST     -- taken(c)
    handled_by_dead = handled_by_dead + n
      - ((c[BUSY] == true and h > FIRST) and 1 or 0)
    if h < c[TAIL] then n = n + waiting(c) end
    sent_to_dead = sent_to_dead + n - (c[STOPPING] and 1 or 0)
    local last = live[nlive]          -- the last one takes its slot
    live[slot], last[SLOT] = last, slot
    live[nlive] = nil
    nlive = nlive - 1
    c[SLOT] = 0
  end
  c[BUSY] = nil
  if on_death then on_death(c) end
end

-- inst[name](inst, ...) if there is one (false is none: see Anonymous
-- below).  Looked up inside the xpcall: a script's __index may raise.
-- Called as a method by its name, and not in a tail call, so that a
-- traceback says "in method 'on_stop'", as in a handler, not "in function
-- <t.lua:5>" followed by "(...tail calls...)".
local function call_named(inst, name, ...)
  if not inst[name] then return end
  if name == "on_stop" then inst:on_stop()
  elseif name == "on_failure" then inst:on_failure(...)
  else inst:on_start() end
end

-- Runs the on_stop or on_failure of an actor that has died (or the
-- on_start of one a shutdown ends before it started); an error in it is
-- reported, not raised, and the result is false.  Meanwhile a shutdown
-- (SIGTERM) lets it finish: the actor is live no more, so the shutdown
-- would not run the callback again.
local function callback(c, name, ...)
  finishing(true)
  local ok, err = xpcall(call_named, handler, c[INST], name, ...)
  finishing(false)
  if not ok then
    report("actor " .. describe(c) .. " " .. name .. " failed: "
      .. errtext(err) .. "\n" .. take_traceback())
    fail()
  end
  return ok
end

-- The futures of stops after the first, {[c] = {f, ...}}: an actor stopped
-- twice is rare, and keeping them out of c spares every other one a test
-- of type (Fork-Join).  Counted, so that the others look nothing up.
local more_stops, nmore_stops = {}, 0

-- Resolves the futures of the ref:stop() calls made to c to `result`:
-- true once its on_stop has run, false if it never started.
local function resolve_stops(c, result)
  local f = c[STOPS]
  if not f then return end
  c[STOPS] = false
  reply(f, true, result)
  local more = nmore_stops > 0 and more_stops[c]
  if more then
    more_stops[c], nmore_stops = nil, nmore_stops - 1
    for i = 1, #more do reply(more[i], true, result) end
  end
end

-- How an actor ended, kept in c[EXIT] for ref:monitor(): "normal" (a
-- stop), the crash error, or "shutdown" (kill_actor); NIL_REASON stands
-- for a nil error, so that nil still means "not ended".
local NIL_REASON = setmetatable({}, { __name = "lactor.NIL_REASON" })
M.NIL_REASON = NIL_REASON
function M.set_exit(c, reason)
  if reason == nil then reason = NIL_REASON end
  c[EXIT] = reason
end

-- The end of an actor, once its on_stop or on_failure has run.  When
-- supervision.lua is loaded it sets on_exit(c, reason, crashed), which
-- for a crash returns true when a supervisor or a link takes the crash:
-- that then does not make the exit status 1 (SPEC section 1).  `crashed`
-- is told, not read off the reason: error("normal") is a crash too.
local function exited(c, reason, crashed)
  M.set_exit(c, reason)
  return on_exit ~= false and on_exit(c, reason, crashed)
end

local function crash(c, err, traceback)
  die(c)
  stats.crashed = stats.crashed + 1
  report("actor " .. describe(c) .. " crashed: " .. errtext(err) .. "\n" .. traceback)
  log("crashed", c, errtext(err))
  callback(c, "on_failure", err, traceback)
  drain(c)
  resolve_stops(c, true)
  if not exited(c, err, true) then fail() end
end

-- Called with the STOP just taken.  The checks before callback() and
-- drain() save a short-lived actor two calls (Fork-Join).
local function stopped(c)
  die(c)
  if c[INST].on_stop then callback(c, "on_stop") end
  if c[HEAD] < c[TAIL] then drain(c) end
  if debug_on then log("stopped", c) end
  resolve_stops(c, true)
  c[EXIT] = "normal"                  -- exited(c, "normal"), inlined
  if on_exit then on_exit(c, "normal", false) end
end

-- A mailbox is reset when it runs dry, but one that never does (an
-- actor that keeps telling itself, an input that keeps it fed) would
-- grow without end, taken slots and all.  Once the slots taken (from
-- FIRST to h) are at least as many as those waiting, the waiting ones
-- move down to FIRST: each slot moves at most as often as one is taken,
-- and the mailbox holds at most twice the slots waiting.  (Compacting
-- only at four times as many saved Counting 4.5% of its instructions, but
-- let a backlog's mailbox grow to five times what waits: a proxy's writes
-- then moved the heap by up to 512 KB from round to round, where
-- proxy.bats allows 600 and this moves it by at most about 200.)
-- Returns the new head and when to look again: once as many more slots
-- are taken as wait now.  Not sooner: a backlog that drains with nothing
-- more coming in then moves nothing before it runs dry and is reset
-- (looking every few thousand slots instead moved one slot per message
-- of Counting: 6% of its instructions).
--
-- An actor that gets here takes many messages in a row, and is told as
-- often: tell becomes a field of its ref, which `ref:tell(msg)` then finds
-- at once rather than through the metatable's __index (a miss, then a
-- second lookup: 7% of Counting's instructions).  Every ref having it
-- from the start cost Fork-Join 4% in wall time: four nodes in the
-- core's hash part rather than two.
local COMPACT <const> = 64            -- slots taken before the first look
local LOOK <const> = 4096             -- slots taken between two turn checks
local function compact(c, h)
  if rawget(c, "tell") == nil then c.tell = c.tell end  -- Ref.tell
  local t = c[TAIL]
  local n = t - h                     -- slots waiting
  if n > h - FIRST then return h, h + n end
  table.move(c, h, t - 1, FIRST)
  for i = h, t - 1 do c[i] = false end
  c[BASE] = c[BASE] + h - FIRST
  c[HEAD], c[TAIL] = FIRST, FIRST + n
  return FIRST, FIRST + COMPACT + n
end

local function unexpected(inst, msg)
  report(describe(inst.ref) .. " got an unexpected message: " .. show(msg))
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
      if c[DEAD] then goto next end    -- killed while queued
      do
        local inst = c[INST]
        if c[FRESH] then
          c[FRESH] = false
          local on_start = inst.on_start
          if on_start then
            starting = true
            on_start(inst)
            starting = false
          end
        end
        -- Only this loop moves head (a death empties the mailbox, but
        -- never while the actor is inside this loop and alive).
        local h = c[HEAD]
        -- When to think of compact(), or of the loop's turn: after a few
        -- messages, or at once for an actor this worker comes back to
        -- after an error answering an ask or a call (xpcall below starts
        -- serve() again), which has taken some already: failures fewer
        -- than COMPACT slots apart would otherwise never let it look.
        local due = h > FIRST and h or h + COMPACT
        local look = due
        while h < c[TAIL] do
          if h >= look then
            if h >= due then h, due = compact(c, h) end
            -- A mailbox that never runs dry (an actor that keeps telling
            -- itself) would keep this loop from ending, and with --slice
            -- 0 starve every timer and actor.  Between two messages is a
            -- fair place to give the loop its turn, every LOOK slots
            -- at most: not only where compact() looks, once per backlog.
            if turn_due() then
              c[BUSY] = 0               -- in no message meanwhile: inside()
              yield()
              c[BUSY] = true
            end
            look = h + LOOK
            if due < look then look = due end
          end
          local msg = c[h]
          -- Named as the hook, which tracebacks then name it by.
          local on_receive = inst.on_receive or unexpected
          if msg ~= MARK and msg ~= CALL then  -- a tell
            c[h] = false                -- not nil: see the top
            h = h + 1
            c[HEAD] = h
            on_receive(inst, msg)
          elseif msg == CALL then       -- proxy.lua: fn(inst, msg), not on_receive
            msg = c[h + 1]
            c[h + 1] = false            -- CALL may stay: see the top
            h = h + 2
            c[HEAD] = h
            c[BASE] = c[BASE] - 1       -- two slots, one message
            local f = msg[2]
            if f then
              c[REPLY] = f
              reply(f, true, msg[1](inst, msg))
              c[REPLY] = false
            else
              msg[1](inst, msg)         -- a field write: an error crashes, as a tell's
            end
          else
            local kind
            msg, kind = c[h + 1], c[h + 2]
            c[h + 1], c[h + 2] = false, false  -- MARK may stay: see the top
            h = h + 3
            c[HEAD] = h
            c[BASE] = c[BASE] - 2       -- three slots, one message
            if kind == STOP then
              stopped(c)
              goto next
            else
              c[REPLY] = kind
              reply(kind, true, on_receive(inst, msg))
              c[REPLY] = false
            end
          end
        end
        c[BASE] = c[BASE] + h - FIRST   -- the mailbox is empty: reset it
        c[HEAD], c[TAIL] = FIRST, FIRST
        c[BUSY] = false
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
    local f = c[REPLY]
    if starting or not f then
      starting = false
      crash(c, err, take_traceback())
    else
      c[REPLY] = false
      reply(f, false, err, take_traceback())
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
  if c[REPLY] then
    reply(c[REPLY], false, new_error(errors.ActorDead, "stopped before handling the message"))
    c[REPLY] = false
  end
  drain(c)
  task.spawn(function()
    -- One that had not started yet starts first, as it would before a
    -- stop: an on_stop may close what its on_start opened.
    local started = true
    if c[FRESH] then
      c[FRESH] = false
      started = callback(c, "on_start")
    end
    if started then callback(c, "on_stop") end
    log("stopped", c)
    resolve_stops(c, true)
    exited(c, "shutdown", false)
  end)
end

-- Live actors, oldest first.
local function live_in_order()
  local list = {}
  table.move(live, 1, nlive, 1, list)
  table.sort(list, function(a, b) return a[SEQ] < b[SEQ] end)
  return list
end
M.live_in_order = live_in_order

function M.kill_all()
  local list, co = live_in_order(), workers()
  for i = #list, 1, -1 do kill_actor(list[i], co[list[i]]) end
end

-- At the end of the run every live actor is idle and can get no more
-- messages: stop them newest first, each once the one before has ended
-- (as registry.stop_all does), so that an on_stop can still talk to the
-- actors started before its own.  The loop calls this each time nothing
-- is left to run; it stops the next actor and says true, or says false
-- when none is left.  The order is taken once, and again if on_stops
-- started new actors, which are the newest then.
local ending, ending_n, ending_started = {}, 0, -1

function M.stop_idle()
  if ending_started ~= stats.started then
    ending = live_in_order()
    ending_n, ending_started = #ending, stats.started
  end
  while ending_n > 0 do
    local c = ending[ending_n]
    ending[ending_n], ending_n = nil, ending_n - 1
    if not c[DEAD] then
      c[REF]:stop()
      return true
    end
  end
  return false
end

function M.count() return nlive end

function M.stats()
  local sent, handled = sent_to_dead, handled_by_dead
  for i = 1, nlive do
    local c = live[i]
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

-- Raises "bad argument #argn to 'fname' (an actor ref expected, got
-- ...)" at the caller of fname unless v is a ref; returns v, which is
-- also its core.  A ref method called on anything else is most often the
-- slip `ref.tell(msg)` for `ref:tell(msg)`: since a ref is its own core
-- (see the top), a message table taken for one would be queued and
-- written into.  c[REF] == c holds for refs only.  The hot methods test
-- that inline first and call this only to raise.  tell tests only when
-- its msg is nil or false, as in that slip, and when it would queue an
-- idle actor, before it writes anything into a table taken for one (a
-- test on every tell costs Counting 3-5%, one per wake-up PingPong 3%).
-- ask tests self for nil too (`ref.ask()`); it and tell leave a number or
-- a boolean taken for self to Lua's own error, which is raised before
-- anything is queued: type() would cost every ask 4%.
local function check_ref(v, argn, fname)
  if type(v) ~= "table" or rawget(v, REF) ~= v then  -- raw: proxies have __index
    error("bad argument #" .. argn .. " to '" .. fname
      .. "' (an actor ref expected, got " .. type(v) .. ")", 3)
  end
  return v
end
M.check_ref = check_ref

-- A tell: its message in one slot, inlined; a call per tell costs
-- PingPong and Counting a few percent.
function Ref:tell(msg)               -- self is the core too: see the top
  if not msg then check_ref(self, 1, "tell") end
  if not self[BUSY] then              -- idle, or dead (busy is nil then)
    if self[REF] ~= self then check_ref(self, 1, "tell") end
    if self[DEAD] then error(dead_error(self), 2) end
    self[BUSY] = true
    queue(self)
  end
  local t = self[TAIL]
  self[t] = msg
  self[TAIL] = t + 1
end

-- An entry of MARK, msg and the reply future; an idle actor is queued by
-- ask_future itself, which saves a call into C per ask.
function Ref:ask(msg, timeout)
  if self == nil or self[REF] ~= self then check_ref(self, 1, "ask") end
  -- Checked here, not in core.ask_future, which would name itself.
  if timeout ~= nil and not (type(timeout) == "number" and timeout == timeout) then
    bad_timeout(timeout, 2, "ask")
  end
  local f
  if self[BUSY] then
    f = ask_future(self, timeout)
  else                               -- idle, or dead (busy is nil then)
    if self[DEAD] then
      f = ask_future(self, timeout)
      reply(f, false, dead_error(self))
      return f
    end
    f = ask_future(self, timeout, true)  -- raises before it queues self
    self[BUSY] = true
  end
  local t = self[TAIL]
  self[t], self[t + 1], self[t + 2] = MARK, msg, f
  self[TAIL] = t + 3
  return f
end

-- A proxy call, field read or field write (proxy.lua), queued in order
-- with tells and asks; `msg` is {fn, future or false, ...}.
function M.call(c, msg)
  local t = c[TAIL]
  c[t], c[t + 1] = CALL, msg
  c[TAIL] = t + 2
  wake(c)
end

-- A poison pill: queued after the messages already there, as an entry of
-- MARK, nil and STOP.
local function stop(c)
  local f = end_future(c)
  if c[DEAD] then
    f:set(false)
    return f
  end
  if not c[STOPS] then c[STOPS] = f   -- the usual case: one stop
  else
    local more = more_stops[c]
    if more then more[#more + 1] = f
    else more_stops[c], nmore_stops = { f }, nmore_stops + 1 end
  end
  if not c[STOPPING] then
    c[STOPPING] = true
    local t = c[TAIL]
    c[t], c[t + 1], c[t + 2] = MARK, nil, STOP
    c[TAIL] = t + 3
    if not c[BUSY] then
      c[BUSY] = true
      queue(c)
    end
  end
  return f
end

function Ref:stop()
  if type(self) ~= "table" or self[REF] ~= self then check_ref(self, 1, "stop") end
  return stop(self)
end

function Ref:is_alive()
  check_ref(self, 1, "is_alive")
  return not self[DEAD]
end

function M.core(ref) return ref end
M.Ref = Ref

-- }==================================================================

-- {==================================================================
-- Starting
-- ===================================================================

-- Makes the ref (and core) of an actor of class `cls` whose instance is
-- `inst`: a table with (at least) the keys ref and urn, so that it is
-- sized once, not grown key by key.  Not registered yet.
local function new_actor(cls, inst)
  local urn = uuid()
  local c = setmetatable({ inst, false, FIRST, FIRST, true, true, false, 0, false,
                           false, false, 0, 0, nil,
                           false, false, false, false,  -- mailbox: a tell, a stop
                           urn = urn, class = cls }, Ref)
  c[REF] = c
  inst.ref, inst.urn = c, urn
  setmetatable(inst, cls)
  return c
end

-- The actor exists: it is live, and queued to run on_start (or just to
-- start, which keeps actors in start order in the run queue).  Inlined
-- in lactor.start, which has no init to run in between: a short-lived
-- actor (Fork-Join) feels every call.
local function register(c)
  nlive = nlive + 1
  live[nlive], c[SLOT] = c, nlive
  stats.started = stats.started + 1
  c[SEQ] = queue(c)
  if debug_on then log("started", c) end
end

-- An actor whose init raised never existed: what init did to it is
-- undone.  A name it registered is free again, messages told to it are
-- dead letters (asks fail), its stop futures resolve to false, as a stop
-- of a dead actor does, and its monitors and links see it end with the
-- error, as Erlang's see a process whose init failed.  A to-be-closed
-- guard {c, done} rather than a pcall, so that the error goes on with its
-- traceback intact.
local InitGuard = {
  __close = function(guard, err)
    local c = guard[1]
    if guard[2] then return end      -- init returned
    die(c)                           -- never live: only marks it dead
    drain(c)
    resolve_stops(c, false)
    exited(c, err, true)             -- the caller gets the error itself
  end,
}

-- cls:start(...): init runs here, in the caller (and an error it raises
-- at level 3 names the caller's line); an error in it leaves no actor
-- behind.
function Base.start(cls, ...)
  if parents[cls] == nil then
    error("bad argument #1 to 'start' (a class expected; use Class:start())", 2)
  end
  local inst = { ref = false, urn = false }
  local c = new_actor(cls, inst)
  if inst.init then
    local guard <close> = setmetatable({ c, false }, InitGuard)
    inst:init(...)
    guard[2] = true
  end
  register(c)
  return c
end

-- self:stop() inside a handler: the same poison pill as ref:stop().  The
-- slips `self.stop()` and `Class.stop(t)` are named at the caller's line.
function Base:stop()
  local c = self ~= nil and self.ref
  if not c then
    error("bad argument #1 to 'stop' (an actor instance expected, got "
      .. type(self) .. ")", 2)
  end
  return stop(c)
end

-- lactor.start(fn): an anonymous actor whose on_receive is fn(self, msg).
-- All of them are of one class, Actor, whose instances carry their own
-- on_receive: starting one makes no class.
local Anonymous = M.class("Actor")

-- What every one of them looks up, found one level down its chain of
-- __index tables rather than two (Base) or three (a miss): a short-lived
-- actor (Fork-Join) looks up all three.
Anonymous.on_start, Anonymous.on_stop, Anonymous.stop = false, false, Base.stop

function M.start(fn)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'start' (function expected, got " .. type(fn) .. ")", 2)
  end
  local c = new_actor(Anonymous, { ref = false, urn = false, on_receive = fn })
  nlive = nlive + 1                   -- register(c)
  live[nlive], c[SLOT] = c, nlive
  stats.started = stats.started + 1
  c[SEQ] = queue(c)
  if debug_on then log("started", c) end
  return c
end

-- }==================================================================

return M
