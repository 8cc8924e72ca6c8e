-- Looking inside (SPEC section 8): lactor.ps() and lactor.dump(), which
-- SIGUSR1 also runs (the loop's "dump" hook).  lactor.stats() is in
-- init.lua.

local actor = require("lactor.actor")
local core = require("lactor.core")

local procs, proc_state, report = core.procs, core.state, core.report
local describe, processed = actor.describe, actor.processed
local INST, REF = actor.INST, actor.REF
local BUSY, FRESH, STOPPING, SEQ = actor.BUSY, actor.FRESH, actor.STOPPING, actor.SEQ
local traceback, running = debug.traceback, coroutine.running
local trim = require("lactor.errors").trim
local heading = require("lactor.task").heading
local format, rep, concat = string.format, string.rep, table.concat

local M = {}

-- What an actor is doing: "stopping" (a stop is queued), "waiting" (in a
-- handler, on a future or in lactor.sleep), "idle" (nothing to do) or
-- "running" (running now, or runnable: it has a message or on_start to
-- run, or was preempted).
local function actor_state(c, co)
  if c[STOPPING] then return "stopping" end
  if not c[BUSY] then return "idle" end
  local s = co and proc_state(co)
  if s == "waiting" or s == "sleeping" then return "waiting" end
  return "running"
end

-- Messages queued, not counting the one being handled nor the stop.
local function queued(c)
  local n = actor.waiting(c)
  if c[STOPPING] then n = n - 1 end
  return n > 0 and n or 0
end

-- {==================================================================
-- lactor.ps()
-- ===================================================================

local COLUMNS = { "urn", "class", "name", "state", "mailbox", "processed" }
local NUMERIC = 5      -- this column and the ones after it are numbers

-- The rows as a table for a terminal: a header, one line per actor,
-- numbers right-aligned, no name shown as "-".
local function render(rows)
  local width, cells = {}, {}
  for j, col in ipairs(COLUMNS) do width[j] = #col end
  for i, row in ipairs(rows) do
    cells[i] = {}
    for j, col in ipairs(COLUMNS) do
      local v = row[col]
      v = v == nil and "-" or tostring(v)
      cells[i][j] = v
      if #v > width[j] then width[j] = #v end
    end
  end
  local lines = {}
  local function line(vals)
    local out = {}
    for j, v in ipairs(vals) do
      local pad = rep(" ", width[j] - #v)
      out[j] = j >= NUMERIC and pad .. v or v .. pad
    end
    lines[#lines + 1] = concat(out, "  ")
  end
  local head = {}
  for j, col in ipairs(COLUMNS) do head[j] = col:upper() end
  line(head)
  for i = 1, #cells do line(cells[i]) end
  return concat(lines, "\n")
end

local Rows = { __name = "lactor.ps", __tostring = render }

-- lactor.ps() → one row per live actor, in start order.
function M.ps()
  local list, rows, co = actor.live_in_order(), {}, actor.workers()
  for i = 1, #list do
    local c = list[i]
    local ref = c[REF]
    rows[i] = {
      urn = ref.urn, class = ref.class.name, name = rawget(ref, "name"),
      state = actor_state(c, co[c]), mailbox = queued(c),
      processed = processed(c),
    }
  end
  return setmetatable(rows, Rows)
end

-- }==================================================================

-- {==================================================================
-- lactor.dump() and SIGUSR1
-- ===================================================================

-- The traceback of coroutine `co`, down to the script's own code; for
-- `me`, the one running dump(), from where it called dump(), whose own
-- frame is level 2 (1 is traceback_of's).  That frame is dropped, not
-- skipped, so that a "(...tail calls...)" under it stays: a dump() that
-- was tail-called ("return lactor.dump()", as the REPL runs a line that
-- is a call) left no frame of its caller, and that line stands for it.
local function traceback_of(co, me)
  if co ~= me then return trim(traceback(co)) end
  local tb = traceback(co, nil, 2)
  return trim((tb:gsub("^(stack traceback:)\n[^\n]*", "%1", 1)))
end

-- "waiting" or "running" for the main chunk, REPL lines and tasks.
local function task_state(co)
  local s = proc_state(co)
  if s == "waiting" or s == "sleeping" then return "waiting" end
  return "running"
end

-- What stands for the traceback of an actor that has no coroutine: it
-- has one only while it is inside a handler (or about to start).
local function idle_traceback(c)
  local where = c[FRESH] and "(not started yet)"
    or c[BUSY] and "(queued, with messages to handle)"
    or "(idle: no message to handle)"
  return "stack traceback:\n\t" .. where
end

-- lactor.dump(): every live actor's and unfinished task's traceback on
-- stderr, oldest first, each headed by what it is: `main chunk waiting:`,
-- `REPL line running:`, `task running:`, `actor Counter (urn:uuid:...) idle:`.
function M.dump()
  local me, co = running(), actor.workers()
  local actors, list = actor.live_in_order(), {}
  for _, p in ipairs(procs()) do     -- the main chunk and tasks
    if p.kind ~= "actor" then list[#list + 1] = p end
  end
  for _, c in ipairs(actors) do list[#list + 1] = c end
  -- Procs and actors are numbered from one sequence: creation order.
  -- (An actor's core is its ref, where a script may have set `serial`.)
  local function order(x) return x[SEQ] or x.serial end
  table.sort(list, function(a, b) return order(a) < order(b) end)
  local ntasks = 0
  local out = {}
  for i = 1, #list do
    local p = list[i]
    local head, tb
    if p[INST] then                    -- an actor's core
      head = "actor " .. describe(p) .. " " .. actor_state(p, co[p])
      tb = co[p] and traceback_of(co[p], me) or idle_traceback(p)
    else
      if p.kind == "task" then ntasks = ntasks + 1 end
      head = heading[p.kind] .. " " .. task_state(p.co)
      tb = traceback_of(p.co, me)
      if tb == "stack traceback:" then tb = tb .. "\n\t(not started yet)" end
    end
    out[#out + 1] = head .. ":\n" .. tb .. "\n"
  end
  local nactors = #actors
  report(format("dump: %d actor(s), %d task(s)", nactors, ntasks))
  io.stderr:write(concat(out))
  io.stderr:flush()
end

-- }==================================================================

return M
