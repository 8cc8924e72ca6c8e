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

-- An error value as lua.c shows it: strings and numbers as they are,
-- anything with __tostring through it, the rest by type.
function M.text(e)
  local t = type(e)
  if t == "string" or t == "number" then return tostring(e) end
  local mt = getmetatable(e)
  if mt and mt.__tostring then return tostring(e) end
  return "(error object is a " .. t .. " value)"
end

-- xpcall message handler that keeps the traceback of the last error for
-- the report, since a handler can return only one value.
local traceback = debug.traceback
function M.handler(e)
  M.last_traceback = traceback(nil, 2)
  return e
end

return M
