-- Input and output of records: lactor.input, lactor.emit, lactor.null,
-- lactor.EOF.  src/input.c reads, frames and paces; this file checks the
-- arguments, finds the target, and does what happens at the end.

local core = require("lactor.core")
local actor = require("lactor.actor")
local errors = require("lactor.errors")
local error = errors.error   -- a position never names lactor's own line
local cjson = require("cjson")

local report = core.report
local describe = actor.describe
local REF, DEAD, STOPPING = actor.REF, actor.DEAD, actor.STOPPING
local type, tostring, getmetatable, pairs = type, tostring, getmetatable, pairs
local rawget = rawget

local M = {}

-- JSON null, at any depth of a decoded record; lua-cjson's own null, so
-- cjson.encode writes it back as null.
M.null = cjson.null

-- The message on_eof = "message" sends after the last record.
M.EOF = setmetatable({}, {
  __name = "lactor.EOF",
  __tostring = function() return "lactor.EOF" end,
  __newindex = function() error("lactor.EOF cannot be changed", 2) end,
  __metatable = false,
})

-- Input records are strict JSON (no NaN, Infinity or hex numbers), in an
-- instance of lua-cjson of their own: a script's cjson settings are its
-- business.
local decoder = cjson.new()
decoder.decode_invalid_numbers(false)
local decode = decoder.decode

local formats = { lines = true, json = true, null = true, raw = true }
local eofs = { stop = true, message = true, none = true }
local known = { format = true, on_eof = true, max_record = true }

local attached = false
local over        -- a future: set when the attached input has ended
local on_eof = "stop"

-- A batch of records is in c's mailbox (input.c put it there).
local delivered = actor.wake

-- A rejected record's report waits until the target has handled every
-- message queued before it, the records read before it among them (see
-- src/input.c).  behind(c, true) marks what is queued now; behind(c)
-- looks again.
local mark = 0
local function behind(c, start)
  if c[DEAD] then return false end
  if start then mark = actor.pushed(c) end
  return actor.processed(c) < mark
end

local function plural(n)
  return n == 1 and "1 record" or n .. " records"
end

-- The input is over: "eof" after the last record, "gone" when the
-- target died first, with the records read and not delivered.
local function ended(c, why, left, name)
  over:set(why)
  if why == "eof" then
    if c[DEAD] then return end
    if on_eof == "stop" then
      c[REF]:stop()
    elseif on_eof == "message" then
      c[REF]:tell(M.EOF)
    end
  else
    report(name .. ": reading stopped: " .. describe(c)
      .. (c[STOPPING] and " stopped, " or " crashed, ")
      .. plural(left) .. " not delivered")
  end
end

local function bad(n, msg)
  error("bad argument #" .. n .. " to 'input' (" .. msg .. ")", 3)
end

-- The ref that target names: a ref, a registered name, or a function
-- that becomes an actor of its own.  The caller checked its type.
local function resolve(target)
  local t = type(target)
  if t == "string" then
    local ref = require("lactor").whereis(target)
    if ref == nil then
      error("no actor is registered as '" .. target .. "'", 3)
    end
    return ref
  elseif t == "function" then
    return actor.start(target)
  end
  return target
end

-- lactor.input(target [, opts]) → the target's ref
function M.input(target, opts)
  if attached then error("input is already attached", 2) end
  local tt = type(target)
  if tt ~= "string" and tt ~= "function" and getmetatable(target) ~= actor.Ref then
    bad(1, "actor ref, name or function expected, got " .. tt)
  end
  local format, taken = core.input_defaults()
  if taken then error(taken .. ": give the records with --input FILE", 2) end
  local max, eof = 16 * 1024 * 1024, "stop"
  if opts ~= nil then
    if type(opts) ~= "table" then bad(2, "table expected, got " .. type(opts)) end
    for k in pairs(opts) do
      if not known[k] then bad(2, "unknown option '" .. tostring(k) .. "'") end
    end
    if opts.format ~= nil then
      format = opts.format
      if not formats[format] then bad(2, "invalid format '" .. tostring(format) .. "'") end
    end
    if opts.on_eof ~= nil then
      eof = opts.on_eof
      if not eofs[eof] then bad(2, "invalid on_eof '" .. tostring(eof) .. "'") end
    end
    if opts.max_record ~= nil then
      max = math.tointeger(opts.max_record)   -- 2^20 is a float, and fine
      if max == nil or max < 1 then
        bad(2, "max_record must be a positive integer")
      end
    end
  end
  local ref = resolve(target)
  local c = actor.core(ref)
  if c[DEAD] then error(actor.dead_error(c), 2) end
  attached, on_eof, over = true, eof, core.future()
  core.input_attach(c, format, max, delivered, ended, behind,
    format == "json" and decode or nil, actor.HEAD, actor.TAIL, DEAD, STOPPING)
  return ref
end

-- -t NAME: after the script, the input goes to the actor registered as
-- NAME.  A mistake ends the run, as an error in the script would.
function M.to(name)
  local msg
  if attached then
    msg = "-t " .. name .. ": input is already attached"
  elseif require("lactor").whereis(name) == nil then
    msg = "-t " .. name .. ": no actor is registered as '" .. name .. "'"
  else
    M.input(name)
    return
  end
  report(msg)
  core.exit(1)
end

-- A future set when the attached input ends, or nil when none is
-- attached: the end of the REPL's piped input waits for it.
function M.ending()
  return over
end

-- Stops reading at once: lactor.exit, SIGINT and SIGTERM.
function M.shutdown()
  core.input_close()
end

local encode = cjson.encode
local stdout = io.stdout
local pcall, next = pcall, next

-- lactor's own tables that JSON would show as something they are not:
-- a ref's fields are its actor's internals, a proxy's reads send
-- messages, and lactor.EOF has none.  Their name, or nil.
local function opaque(v)
  if v == M.EOF then return "lactor.EOF" end
  local mt = getmetatable(v)
  local name = type(mt) == "table" and rawget(mt, "__name")
  if name == "lactor.Ref" or name == "lactor.Proxy" then return name end
  return nil
end

-- The name of the first of those inside table v, or nil: why cjson could
-- not encode v, where it blamed something else (a ref's core holds its
-- class's functions, and itself: "Cannot serialise function" or
-- "excessive nesting", whichever it met first).  Keys and values, raw.
local function opaque_inside(v, seen)
  seen[v] = true
  for k, x in next, v do
    for _, w in next, { k, x } do
      if type(w) == "table" and not seen[w] then
        local name = opaque(w) or opaque_inside(w, seen)
        if name then return name end
      end
    end
  end
  return nil
end

-- lactor.emit(v): one line on stdout; a string or number as it is,
-- anything else as compact JSON.  What JSON cannot hold raises at the
-- caller.
function M.emit(v)
  local t = type(v)
  if t == "number" then
    v = tostring(v)
  elseif t ~= "string" then
    local name = t == "table" and opaque(v)
    if name then
      error("bad argument #1 to 'emit' (" .. name .. " cannot be written as JSON)", 2)
    end
    local ok, s = pcall(encode, v)
    if not ok then
      name = t == "table" and opaque_inside(v, {})
      if name then
        error("bad argument #1 to 'emit' (" .. name .. " inside a table cannot be written as JSON)", 2)
      end
      error(s, 2)
    end
    v = s
  end
  stdout:write(v, "\n")
end

return M
