-- Looking inside (SPEC section 8): lactor.ps() and lactor.dump(), which
-- SIGUSR1 also runs (the loop's "dump" hook).  lactor.stats() is in
-- init.lua.

local actor = require("lactor.actor")
local core = require("lactor.core")

local procs, proc_state, report = core.procs, core.state, core.report
local describe, processed = actor.describe, actor.processed
local traceback, running = debug.traceback, coroutine.running
local format, rep, concat = string.format, string.rep, table.concat

local M = {}

-- What an actor is doing: "stopping" (a stop is queued), "waiting" (in a
-- handler, on a future or in lactor.sleep), "idle" (nothing to do) or
-- "running" (running now, or runnable: it has a message or on_start to
-- run, or was preempted).
local function actor_state(c)
  if c.stopping then return "stopping" end
  local s = proc_state(c.co)
  if s == "waiting" or s == "sleeping" then return "waiting" end
  if s == "idle" then return "idle" end
  return "running"
end

-- Messages queued, not counting the one being handled nor the stop.
local function queued(c)
  local n = (c.tail - c.head) // 2
  if c.stopping then n = n - 1 end
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
  local list, rows = actor.live_in_order(), {}
  for i = 1, #list do
    local c = list[i]
    rows[i] = {
      urn = c.ref.urn, class = c.cls.name, name = rawget(c.ref, "name"),
      state = actor_state(c), mailbox = queued(c), processed = processed(c),
    }
  end
  return setmetatable(rows, Rows)
end

-- }==================================================================

-- {==================================================================
-- lactor.dump() and SIGUSR1
-- ===================================================================

-- "waiting" or "running" for the main chunk and tasks.
local function task_state(co)
  local s = proc_state(co)
  if s == "waiting" or s == "sleeping" then return "waiting" end
  return "running"
end

-- lactor.dump(): every unfinished proc's traceback on stderr, oldest
-- first, each headed by what it is: `main chunk waiting:`, `task
-- running:`, `actor Counter (urn:uuid:...) idle:`.
function M.dump()
  local list, me = procs(), running()
  local nactors, ntasks = 0, 0
  local out = {}
  for i = 1, #list do
    local p = list[i]
    local head
    if p.kind == "actor" then
      nactors = nactors + 1
      head = "actor " .. describe(p.owner) .. " " .. actor_state(p.owner)
    else
      if p.kind == "task" then ntasks = ntasks + 1 end
      head = (p.kind == "main" and "main chunk" or "task") .. " "
        .. task_state(p.co)
    end
    -- The caller of dump() shows from where it called.
    local tb = traceback(p.co, nil, p.co == me and 2 or 0)
    if tb == "stack traceback:" then tb = tb .. "\n\t(not started yet)" end
    out[#out + 1] = head .. ":\n" .. tb .. "\n"
  end
  report(format("dump: %d actor(s), %d task(s)", nactors, ntasks))
  io.stderr:write(concat(out))
  io.stderr:flush()
end

-- }==================================================================

return M
