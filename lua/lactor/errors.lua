-- Error objects for the conditions scripts are expected to catch
-- (Timeout, ActorDead), and how any error value is shown in a report.

local Error = {}
Error.__index = Error
Error.__tostring = function(e) return e.kind .. ": " .. tostring(e.message) end

local M = { Timeout = "Timeout", ActorDead = "ActorDead" }

function M.new(kind, message)
  return setmetatable({ kind = kind, message = message }, Error)
end

-- lactor.is_error(e [, kind]): an error object, of that kind if given.
function M.is_error(e, kind)
  if type(e) ~= "table" or type(rawget(e, "kind")) ~= "string"
      or rawget(e, "message") == nil then
    return false
  end
  return kind == nil or e.kind == kind
end

-- Whether tracebacks keep lactor's own frames: with -d, for whoever
-- debugs lactor itself.
local whole = require("lactor.core").debug()

local raw_error, getinfo = error, debug.getinfo
local EMBED_SOURCE <const> = "@lua/lactor/"   -- src/embed.h's prefix

-- error() for lactor's own files, whose misuse errors name a caller's
-- line (level 2 or more; levels 1 and 0 are error()'s).  A script's
-- handler that ends in a tail call (`return lactor.join(x)`) leaves no
-- frame of its own: the frame below, which error() would name, is then
-- lactor's worker, and its file and line would point at lactor, not at
-- the script.  Such a position is left out, as for an error raised in a
-- C function's frame.
function M.error(msg, level)
  level = level or 1
  if level > 1 and not whole then
    local info = getinfo(level + 1, "S")    -- seen from here, one deeper
    if info and info.source:sub(1, #EMBED_SOURCE) == EMBED_SOURCE then
      raw_error(msg, 0)
    end
  end
  raw_error(msg, level > 0 and level + 1 or level)
end
local error = M.error

-- Raises "bad argument #argn to 'fname' (number expected, got T)", or
-- "(number is NaN)", for timeout t (neither nil nor a number that is not
-- NaN), at the caller of fname, which calls this only once t is bad:
-- ask checks inline, as every ask would pay for the call.
function M.bad_timeout(t, argn, fname)
  error("bad argument #" .. argn .. " to '" .. fname .. "' (" .. (type(t) == "number"
    and "number is NaN" or "number expected, got " .. type(t)) .. ")", 3)
end

-- tostring(v), or nil when its __tostring raises or gives no string:
-- reports and logs must not raise themselves.
local function safe_tostring(v)
  local ok, s = pcall(tostring, v)
  if ok and type(s) == "string" then return s end
  return nil
end

-- tostring(v), or as if it had no __tostring ("table: 0x...").
function M.show(v)
  return safe_tostring(v) or type(v) .. ": " .. string.format("%p", v)
end

-- An error value as lua.c shows it: strings and numbers as they are,
-- anything with a working __tostring through it, the rest by type.
function M.text(e)
  local t = type(e)
  if t == "string" or t == "number" then return tostring(e) end
  local mt = getmetatable(e)
  if mt and mt.__tostring then
    local s = safe_tostring(e)
    if s then return s end
  end
  return "(error object is a " .. t .. " value)"
end

-- Frames of the runtime: in one of lactor's Lua files (their chunk names
-- are "@lua/lactor/x.lua", src/embed.h), and C functions.
local function lactor_frame(line) return line:find("^\tlua/lactor/") end
local function c_frame(line) return line:find("^\t%[C%]: ") end

-- The last line of `lines` (a traceback's) to keep: the frames of
-- lactor's files at its bottom (and the C functions among them: xpcall)
-- called the script's handler, task or callback: their paths and local
-- names are lactor's, of no use to the script's author, as lua.c's
-- tracebacks end where the script's main chunk was called ("[C]: in ?",
-- which stays).  All of them when no frame of the script's own would be
-- left: the fault is then lactor's.
local function bottom(lines)
  local n, cut = #lines, false
  while n > 1 and (lactor_frame(lines[n]) or c_frame(lines[n])) do
    cut = cut or lactor_frame(lines[n])
    n = n - 1
  end
  if not cut then return #lines end
  for i = 2, n do
    if not c_frame(lines[i]) then return n end
  end
  return #lines
end

-- The first line of lines[2..n] to keep after the one top() puts first,
-- or 2: a function of lactor's that the script called raised (a bad
-- argument, at the script's line), and its frames at the top, with the C
-- functions above them ('error'), stand as one line, as a C function's
-- would: "[C]: in function 'lactor.input'".  Only when the script's own
-- frame comes right below them.
local function top(lines, n)
  local i = 2
  while i <= n and c_frame(lines[i]) do i = i + 1 end
  local j = i
  while j <= n and lactor_frame(lines[j]) do j = j + 1 end
  if j == i or j > n or c_frame(lines[j]) then return 2, nil end
  local what = lines[j - 1]:match(": in (.*)$")
  if what == nil or what:find("^function <") then what = "?" end
  -- The script called lactor.X, which Lua may name after the module
  -- that defines it (package.loaded["lactor.input"].input).
  what = what:gsub("^function 'lactor%.[%w_]+%.([%w_]+)'$", "function 'lactor.%1'")
  return j, "\t[C]: in " .. what
end

-- The traceback `tb` without lactor's frames at its bottom (bottom()),
-- and with those of a lactor function that raised at its top as one
-- (top()).  Whole with -d.
function M.trim(tb)
  if whole then return tb end
  local lines = {}
  for line in tb:gmatch("[^\n]+") do lines[#lines + 1] = line end
  local n = bottom(lines)
  local first, called = top(lines, n)
  local out = { lines[1] }
  if called then out[2] = called end
  for i = first, n do out[#out + 1] = lines[i] end
  return table.concat(out, "\n")
end

-- xpcall message handler that keeps the traceback of the last error for
-- the report, since a handler can return only one value.
local traceback, trim = debug.traceback, M.trim
function M.handler(e)
  M.last_traceback = trim(traceback(nil, 2))
  return e
end

-- The traceback the handler kept for the error just caught, once: Lua
-- calls no handler for a memory error, and a traceback left from an
-- earlier error must not be reported with that one.
function M.take_traceback()
  local tb = M.last_traceback or "stack traceback:\n\t(not available)"
  M.last_traceback = nil
  return tb
end

return M
