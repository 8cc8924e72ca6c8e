-- The REPL's Lua half (src/repl.c owns the terminal): compiling lines,
-- running each in a coroutine of its own, the pretty printer, Tab completion
-- and the end of a session.
--
-- A line is tried as `return <line>` first, then as a statement; a chunk
-- that ends too early (its syntax error is at <eof>) waits for the next
-- line, as in lua.c.  The chunk runs in a proc of the loop, so f:get()
-- waits while the actors run, and results and errors are printed from
-- it.  Its kind is "line", not "task": to the user a line is the REPL's
-- main chunk, which lactor.stats().tasks does not count, nor lactor.dump
-- show as a task.

local core = require("lactor.core")
local errors = require("lactor.errors")

local spawn = core.spawn
local errtext = errors.text
local traceback = debug.traceback
local getmetatable, rawget, rawlen, next, type, tostring, select, pcall,
  xpcall, load = debug.getmetatable, rawget, rawlen, next, type, tostring,
  select, pcall, xpcall, load
local concat, sort, rep, format = table.concat, table.sort, string.rep,
  string.format
local stdout, stderr = io.stdout, io.stderr

local globals = _G        -- what the lines see as their globals (_ENV is
                          -- lactor's own copy of them: runtime.c)

local M = {}

-- The error a Ctrl-C raises in a spinning line (repl.c's hook).
local INTERRUPTED = setmetatable({}, {
  __name = "lactor.interrupted",
  __tostring = function() return "interrupted!" end,
})

local c                   -- repl.c's functions: done()
local pending             -- an unfinished chunk, or nil

-- {==================================================================
-- The pretty printer
-- ===================================================================

local MAXDEPTH = 4        -- deeper tables show as {...}
local MAXITEMS = 100      -- entries shown per table
local WIDTH = 78          -- a table that fits on one line is shown on one

local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[w] = true
end

local function is_name(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
    and not KEYWORDS[k]
end

local function quote(s)
  return (format("%q", s):gsub("\\\n", "\\n"))
end

local RANK = { number = 1, string = 2 }

-- Keys in a stable order: numbers, then strings, then the rest by name.
local function before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    local ra, rb = RANK[ta] or 3, RANK[tb] or 3
    if ra ~= rb then return ra < rb end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return mt ~= nil and rawget(mt, "__tostring") ~= nil
end

-- A sequence of rows like lactor.ps()'s.
local function is_rows(t)
  local n = rawlen(t)
  if n == 0 then return false end
  for i = 1, n do
    local r = rawget(t, i)
    if type(r) ~= "table" or type(rawget(r, "urn")) ~= "string"
        or rawget(r, "class") == nil or rawget(r, "state") == nil then
      return false
    end
  end
  return next(t, n) == nil
end

-- lactor.ps()'s own renderer: its rows' __tostring.
local function ps_render()
  local inspect = package.loaded["lactor.inspect"]
  local mt = inspect and getmetatable(inspect.ps())
  return mt and rawget(mt, "__tostring")
end

local show

local function show_table(t, depth, path, indent)
  if path[t] then return "<cycle>" end
  if depth >= MAXDEPTH then return next(t) == nil and "{}" or "{...}" end
  path[t] = true
  local items, n = {}, 0
  local seq = 0
  while rawget(t, seq + 1) ~= nil do seq = seq + 1 end
  local keys = {}
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= seq) then
      keys[#keys + 1] = k
    end
  end
  sort(keys, before)
  local total = seq + #keys
  for i = 1, seq do
    if n == MAXITEMS then break end
    n = n + 1
    items[n] = show(rawget(t, i), depth + 1, path, indent + 2)
  end
  for i = 1, #keys do
    if n == MAXITEMS then break end
    local k = keys[i]
    local name = is_name(k) and k or "[" .. show(k, depth + 1, path, indent + 2) .. "]"
    n = n + 1
    items[n] = name .. " = " .. show(rawget(t, k), depth + 1, path, indent + 2)
  end
  if total > n then items[n + 1] = "... (" .. (total - n) .. " more)" end
  path[t] = nil
  if #items == 0 then return "{}" end
  local line = "{ " .. concat(items, ", ") .. " }"
  if indent + #line <= WIDTH and not line:find("\n", 1, true) then
    return line
  end
  local pad = rep(" ", indent + 2)
  return "{\n" .. pad .. concat(items, ",\n" .. pad) .. "\n"
    .. rep(" ", indent) .. "}"
end

-- v as text: nested tables with sorted keys, cycles marked, deep tables
-- cut; anything with a __tostring (refs, futures, errors, classes)
-- through it.
function show(v, depth, path, indent)
  local t = type(v)
  if t == "string" then return quote(v) end
  if t ~= "table" or has_tostring(v) then return tostring(v) end
  return show_table(v, depth, path, indent)
end

-- A result at the prompt: strings as they are, as lua prints them; rows
-- of lactor.ps() as an aligned table.
local function pretty(v)
  if type(v) == "string" then return v end
  if type(v) == "table" and not has_tostring(v) and is_rows(v) then
    local render = ps_render()
    if render then return render(v) end
  end
  return show(v, 0, {}, 0)
end
M.pretty = pretty

-- }==================================================================

-- {==================================================================
-- Running a line
-- ===================================================================

local function write_error(msg)
  stdout:flush()
  stderr:write(msg, "\n")
  stderr:flush()
end

-- The last match of `pattern` in the traceback `tb`: where it ends, or 0.
local function last_line(tb, pattern)
  local cut, pos = 0, 1
  while true do
    local s, e = tb:find(pattern, pos)
    if not s then return cut end
    cut, pos = e, e + 1
  end
end

-- The error of a line with its traceback, down to the line's chunk: the
-- frames below it are the REPL's.  A line that is a call runs as
-- "return f()", a tail call that leaves no chunk frame: the traceback
-- then ends at the "(...tail calls...)" that stands for it.  A string,
-- as lua.c's message handler makes it: the line's __close methods get
-- it as the error.
local function handler(e)
  if e == INTERRUPTED then return e end
  local tb = traceback(nil, 2)
  local cut = last_line(tb, "\n[^\n]*in main chunk")
  if cut == 0 then cut = last_line(tb, "\n[^\n]*%(%.%.%.tail calls%.%.%.%)") end
  if cut > 0 then tb = tb:sub(1, cut) end
  return errtext(e) .. "\n" .. errors.trim(tb)
end

local function report(failure)
  write_error(failure == INTERRUPTED and "interrupted!" or failure)
end

local function results(ok, ...)
  if not ok then return report((...)) end
  local n = select("#", ...)
  if n == 0 then return end
  local out = {}
  for i = 1, n do out[i] = pretty((select(i, ...))) end
  stdout:write(concat(out, "\t"), "\n")
  stdout:flush()
end

-- The body of a line's proc.  Everything the user's code may do,
-- printing its results included, runs under a pcall: done() must run.
local function body(fn)
  local ok, err = pcall(results, xpcall(fn, handler))
  if not ok then
    pcall(write_error, err == INTERRUPTED and "interrupted!" or errtext(err))
  end
  c.done()
end

local function incomplete(msg)
  return msg ~= nil and msg:sub(-5) == "<eof>"
end

-- feed(line) → the prompt for the next line ("> " or ">> "), or the
-- coroutine that runs the chunk, which calls c.done().
function M.feed(line)
  -- "= expr" prints expr, as in lua (lua.c's pushline)
  if not pending and line:sub(1, 1) == "=" then line = "return " .. line:sub(2) end
  local src = pending and pending .. "\n" .. line or line
  local fn = load("return " .. src, "=stdin", "t")
  if not fn then
    local err
    fn, err = load(src, "=stdin", "t")
    if not fn then
      if incomplete(err) then          -- the statement's error, as lua.c
        pending = src
        return ">> "
      end
      pending = nil
      write_error(err)
      return "> "
    end
  end
  pending = nil
  if not src:find("%S") then return "> " end
  return spawn("line", nil, body, fn)
end

-- Ctrl-C at the prompt.
function M.reset()
  pending = nil
end

-- The end of the input: an unfinished chunk is an error.
function M.eof()
  if pending then
    local _, err = load(pending, "=stdin", "t")
    pending = nil
    if err then write_error(err) end
  end
end

-- How long the actors have to stop after Ctrl-D, in seconds: Erlang's
-- default shutdown time for a worker.  One still inside a handler then
-- (spinning, say) would otherwise keep the user waiting for ever.
local STOP_GRACE <const> = 5

-- Then every actor stops, each after the messages queued for it, newest
-- first (lactor.registry.stop_all, whose stops leave no task of lactor's
-- waiting), and lactor exits 0.  After Ctrl-D at a terminal
-- (`interactive`), actors that have not stopped within STOP_GRACE
-- seconds are ended where they are, as lactor.exit ends them (their
-- on_stop runs unless it is what keeps them).  Piped input is a
-- script's: its end waits for the actors as the end of a script does,
-- and first for the end of an attached input (--input FILE), which keeps
-- a script's run going too.
function M.finish(interactive)
  local function stop_all()
    local registry = require("lactor.registry").registry
    registry.stop_all():on_done(function()   -- in a task: exit needs a proc
      -- A deadlock, lactor.exit or a signal ends the run its own way.
      if not core.shutting_down() then core.exit(0) end
    end)
  end
  local input = package.loaded["lactor.input"]
  local reading = not interactive and input and input.ending()
  if reading then
    reading:on_done(stop_all)
    return
  end
  stop_all()
  if interactive then
    core.after(STOP_GRACE, function()
      core.report(format("actors still busy %d s after Ctrl-D: ending them", STOP_GRACE))
      core.exit(0)
    end)
  end
end

function M.start(funcs)
  c = funcs
  -- Completion reads tables with next and rawget: load the names of the
  -- lactor module that load on first use (init.lua), through its __pairs.
  for _ in pairs(package.loaded.lactor) do end
  return INTERRUPTED
end

-- }==================================================================

-- {==================================================================
-- Tab completion
-- ===================================================================

-- v[k], looking only at tables: the value and the __index tables of its
-- metatables, never calling a function (a proxy's __index sends a
-- message).
local function lookup(v, k)
  for _ = 1, 16 do
    if type(v) == "table" then
      local x = rawget(v, k)
      if x ~= nil then return x end
    end
    local mt = getmetatable(v)
    local index = mt and rawget(mt, "__index")
    if type(index) ~= "table" then return nil end
    v = index
  end
end

-- The names reachable from v the same way (only functions after ':').
local function names(v, methods, out)
  for _ = 1, 16 do
    if type(v) == "table" then
      for k, x in next, v do
        if is_name(k) and (not methods or type(x) == "function") then
          out[k] = true
        end
      end
    end
    local mt = getmetatable(v)
    local index = mt and rawget(mt, "__index")
    if type(index) ~= "table" then return end
    v = index
  end
end

-- complete("lactor.sp") → {"lactor.spawn"}: the globals (and keywords)
-- that start with text, or the fields of the value a dotted prefix
-- names, after '.' (all) or ':' (functions).
function M.complete(text)
  local head, sep, word = text:match("^(.-)([.:]?)([%w_]*)$")
  if head == nil then return {} end
  local found = {}
  if sep == "" then
    if head ~= "" then return {} end
    names(globals, false, found)
    for k in next, KEYWORDS do found[k] = true end
  else
    local v = globals
    for part, dot in (head .. "."):gmatch("([^.:]*)([.:])") do
      if dot == ":" or not is_name(part) then return {} end
      v = lookup(v, part)
      if v == nil then return {} end
    end
    names(v, sep == ":", found)
  end
  local out = {}
  -- Metamethods (__index, __tostring) only for a word that asks for them.
  local meta = word:sub(1, 2) == "__"
  for k in next, found do
    if k:sub(1, #word) == word and (meta or k:sub(1, 2) ~= "__") then
      out[#out + 1] = head .. sep .. k
    end
  end
  sort(out)
  return out
end

-- }==================================================================

return M
