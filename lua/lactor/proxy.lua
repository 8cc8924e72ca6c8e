-- Proxies (SPEC section 3): ref:proxy(), and lactor.traversable.
--
-- A proxy turns method calls, field reads and field writes into messages
-- in the actor's mailbox, so they are ordered with tells and asks and run
-- inside the actor, one at a time.  Each is a CALL message (actor.lua):
-- msg = {fn, future or false, state, name, ...}, and the actor runs
-- fn(instance, msg) in place of on_receive.
--
-- Whether a name is a method or a field is decided at once, in the caller,
-- from the instance as it is now (one Lua state: the caller can look): a
-- function reachable from the instance or its class is a method; any other
-- value, or a name assigned through the proxy, is a field.  So a method
-- added at run time is reachable, and a bad name raises where it is used.
--
-- A proxy's state (below `st`): c (the actor's core), path (field names
-- from the instance to the table it stands for; empty for the root),
-- label (its tostring), methods and children (callers and nested proxies,
-- made once per name), assigned (names written through it whose write is
-- still queued: the function or traversable table written, or true, so
-- that such a name is already what the write makes it) and queued (how
-- many writes of each such name are).  Proxies are made once per actor
-- and path, so == between them is identity; __eq says the same for any
-- that are not.

local actor = require("lactor.actor")
local errors = require("lactor.errors")
local error = errors.error   -- a position never names lactor's own line
local core = require("lactor.core")

local ask_future, reply = core.ask_future, core.reply
local call, dead_error, Ref = actor.call, actor.dead_error, actor.Ref
local INST, REF, DEAD = actor.INST, actor.REF, actor.DEAD
local setmetatable, type, select, tostring = setmetatable, type, select, tostring
local byte, unpack = string.byte, table.unpack

local M = {}

local marked = setmetatable({}, { __mode = "k" })   -- traversable tables
local state = setmetatable({}, { __mode = "k" })    -- proxy → its state
local roots = setmetatable({}, { __mode = "k" })    -- actor core → root proxy

local UNDERSCORE = byte("_")

-- lactor.traversable(t): marks t and returns it.
function M.traversable(t)
  if type(t) ~= "table" then
    error("bad argument #1 to 'traversable' (table expected, got "
      .. type(t) .. ")", 2)
  end
  marked[t] = true
  return t
end

-- The table a proxy stands for, walked from `inst` along its path; nil
-- if the path no longer leads to a table.
local function target(inst, path)
  local t = inst
  for i = 1, #path do
    t = t[path[i]]
    if type(t) ~= "table" then return nil end
  end
  return t
end

-- Raises the unknown-name error; `level` as error's (3: the caller of
-- the metamethod that called this; 0: no position).
local function no_attribute(st, name, level)
  error(st.label .. " has no attribute '" .. tostring(name) .. "'", level)
end

-- {==================================================================
-- Inside the actor: what a CALL message runs
-- ===================================================================

local function run_call(inst, msg)
  local st, name = msg[3], msg[4]
  local t = target(inst, st.path)
  local fn = t and t[name]
  if type(fn) ~= "function" then
    error(st.label .. " has no method '" .. name .. "'", 0)
  end
  return fn(t, unpack(msg, 6, 5 + msg[5]))
end

local function run_get(inst, msg)
  local st, name = msg[3], msg[4]
  local t = target(inst, st.path)
  if t == nil then no_attribute(st, name, 0) end
  return t[name]
end

-- A write through the proxy has run: its name counts as assigned no more,
-- unless another write of it is still queued.
local function written(st, name)
  local n = st.queued[name] - 1
  if n > 0 then
    st.queued[name] = n
  else
    st.queued[name], st.assigned[name] = nil, nil
  end
end

local function run_set(inst, msg)
  local st, name = msg[3], msg[4]
  written(st, name)
  local t = target(inst, st.path)
  if t == nil then no_attribute(st, name, 0) end
  t[name] = msg[5]
end

-- A field write has no future: if its actor dies first it is a dead
-- letter, and the -d log shows it through this.
local Write = {
  __tostring = function(msg)
    local st = msg[3]
    local path = #st.path > 0 and table.concat(st.path, ".") .. "." or ""
    return "proxy." .. path .. msg[4] .. " = " .. tostring(msg[5])
  end,
}

-- }==================================================================

-- {==================================================================
-- In the caller
-- ===================================================================

-- Queues msg (whose slot 2 is a new future) unless the actor is dead, in
-- which case the future fails with ActorDead.  The future's owner is the
-- actor, so that the actor waiting on it through its own proxy is the
-- self-ask error, not a hang.
local function send(c, msg)
  local f = ask_future(c)
  msg[2] = f
  if c[DEAD] then
    reply(f, false, dead_error(c))
  else
    call(c, msg)
  end
  return f
end

-- proxy.name for a method: the function that proxy:name(...) calls.
local function method(st, name)
  return function(self, ...)
    if state[self] ~= st then
      error("bad self for proxy method '" .. name .. "' (call it as proxy:"
        .. name .. "(...))", 2)
    end
    return send(st.c, { run_call, false, st, name, select("#", ...), ... })
  end
end

local Proxy = { __name = "lactor.Proxy" }

local function new(c, path, label)
  local p = setmetatable({}, Proxy)
  state[p] = { c = c, path = path, label = label, methods = {}, children = {},
               assigned = {}, queued = {} }
  return p
end

-- The nested proxy for the traversable table in field `name`.
local function child(st, name)
  local p = st.children[name]
  if p == nil then
    local path = { unpack(st.path) }
    path[#path + 1] = name
    p = new(st.c, path, st.label .. "." .. name)
    st.children[name] = p
  end
  return p
end

-- proxy:stop() on a root proxy: ref:stop(), even though the instance has
-- a stop method of its own (Base.stop).
local function stop(self)
  local st = state[self]
  if st == nil or #st.path > 0 then
    error("bad self for proxy method 'stop' (call it as proxy:stop())", 2)
  end
  return st.c[REF]:stop()
end

function Proxy.__index(p, name)
  local st = state[p]
  if type(name) ~= "string" or byte(name) == UNDERSCORE then
    no_attribute(st, name, 3)
  end
  if name == "stop" and #st.path == 0 then return stop end
  local v = st.assigned[name]   -- a write still queued decides
  if v == nil then
    local t = target(st.c[INST], st.path)
    if t ~= nil then v = t[name] end
  end
  if type(v) == "function" then
    local m = st.methods[name]
    if m == nil then
      m = method(st, name)
      st.methods[name] = m
    end
    return m
  end
  if v == nil then no_attribute(st, name, 3) end
  if marked[v] then return child(st, name) end
  return send(st.c, { run_get, false, st, name })
end

function Proxy.__newindex(p, name, value)
  local st = state[p]
  if type(name) ~= "string" or byte(name) == UNDERSCORE then
    no_attribute(st, name, 3)
  end
  local c = st.c
  if c[DEAD] then error(dead_error(c), 2) end
  st.assigned[name] = (type(value) == "function" or marked[value]) and value or true
  st.queued[name] = (st.queued[name] or 0) + 1
  call(c, setmetatable({ run_set, false, st, name, value }, Write))
end

function Proxy.__tostring(p)
  return state[p].label
end

function Proxy.__eq(a, b)
  local sa, sb = state[a], state[b]
  return sa ~= nil and sb ~= nil and sa.c == sb.c and sa.label == sb.label
end

-- ref:proxy(): the actor's proxy; ActorDead if it is dead.
function Ref:proxy()
  local c = actor.check_ref(self, 1, "proxy")
  if c[DEAD] then error(dead_error(c), 2) end
  local p = roots[c]
  if p == nil then
    p = new(c, {}, "ActorProxy(" .. c[REF].class.name .. ", " .. self.urn .. ")")
    roots[c] = p
  end
  return p
end

-- }==================================================================

return M
