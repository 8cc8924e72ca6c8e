-- The registry and names (SPEC section 7): lactor.registry.all, by_class,
-- by_urn, broadcast, stop_all; lactor.register, unregister, whereis.
--
-- Every live actor is in the registry from start until it dies (actor.lua
-- keeps that set); this file adds the names.  A name belongs to one live
-- actor, and an actor has at most one name, kept in its ref as ref.name
-- (a raw field: refs index Ref for everything else).  A name is freed
-- when its actor dies.

local core = require("lactor.core")
local actor = require("lactor.actor")
local errors = require("lactor.errors")
local error = errors.error   -- a position never names lactor's own line

local live, live_in_order, parent = actor.live, actor.live_in_order, actor.parent
local REF, DEAD = actor.REF, actor.DEAD
local Ref, log = actor.Ref, actor.log
local future = core.future
local rawget, rawset, type, tostring, getmetatable = rawget, rawset, type,
  tostring, getmetatable

local registry = {}                  -- lactor.registry
local M = { registry = registry }

local names = {}                     -- name → ref

-- {==================================================================
-- Lookups
-- ===================================================================

-- A predicate on actor cores for a class (subclasses too) or a class
-- name (exactly that class); raises for anything else.
local function matcher(what, fname, argn)
  if type(what) == "string" then
    return function(c) return c[REF].class.name == what end
  end
  if type(what) ~= "table" or parent(what) == nil then
    error("bad argument #" .. argn .. " to '" .. fname
      .. "' (a class or a class name expected, got " .. type(what) .. ")", 3)
  end
  return function(c)
    local cls = c[REF].class
    while cls do
      if cls == what then return true end
      cls = parent(cls)
    end
    return false
  end
end

-- Refs of the live actors that `keep` accepts, in start order.
local function select_refs(keep)
  local list, out = live_in_order(), {}
  for i = 1, #list do
    local c = list[i]
    if keep == nil or keep(c) then out[#out + 1] = c[REF] end
  end
  return out
end

-- registry.all() → a fresh list of refs, in start order.
function registry.all()
  return select_refs(nil)
end

-- registry.by_class(cls_or_name) → refs, in start order.
function registry.by_class(what)
  return select_refs(matcher(what, "by_class", 1))
end

-- registry.by_urn(urn) → the ref, or nil.
function registry.by_urn(urn)
  for _, c in ipairs(live) do
    if c[REF].urn == urn then return c[REF] end
  end
  return nil
end

-- registry.broadcast(msg [, cls_or_name]): tells every actor (of that
-- class) msg, in start order.
function registry.broadcast(msg, what)
  local refs = select_refs(what ~= nil and matcher(what, "broadcast", 2) or nil)
  for i = 1, #refs do refs[i]:tell(msg) end
end

-- registry.stop_all() → Future of the list of the stop results, newest
-- actor first.  Each actor is stopped once the one started after it has
-- finished its on_stop, so the on_stops run in reverse start order, as at
-- the end of a run.  The stops follow one another by on_done callbacks,
-- not in a task that waits: an actor that never gets to its stop is then
-- a deadlock that names no coroutine of lactor's own (the REPL's end of
-- a session stops the actors with this).
function registry.stop_all()
  local refs = select_refs(nil)
  local all, results, i = future(), {}, #refs + 1
  local function stop_next()
    i = i - 1
    if i == 0 then return all:set(results) end
    refs[i]:stop():on_done(function(f)
      results[#results + 1] = f:get()
      stop_next()
    end)
  end
  stop_next()
  return all
end

-- }==================================================================

-- {==================================================================
-- Names
-- ===================================================================

local function check_name(name, fname)
  if type(name) ~= "string" then
    error("bad argument #1 to '" .. fname .. "' (string expected, got "
      .. type(name) .. ")", 3)
  end
end

-- lactor.register(name, ref) → ref; raises if the name is taken or the
-- actor already has a name, ActorDead if it is dead.
function M.register(name, ref)
  check_name(name, "register")
  if getmetatable(ref) ~= Ref then
    error("bad argument #2 to 'register' (an actor ref expected, got "
      .. type(ref) .. ")", 2)
  end
  local c = actor.core(ref)
  if c[DEAD] then error(actor.dead_error(c), 2) end
  local holder = names[name]
  if holder then
    error("name '" .. name .. "' is already taken by " .. tostring(holder), 2)
  end
  local had = rawget(ref, "name")
  if had then
    error(tostring(ref) .. " is already registered as '" .. had .. "'", 2)
  end
  names[name] = ref
  rawset(ref, "name", name)
  log("registered", c, name)
  return ref
end

-- lactor.unregister(name) → true if the name was taken.  The actor lives
-- on, and stays in registry.all().
function M.unregister(name)
  check_name(name, "unregister")
  local ref = names[name]
  if ref == nil then return false end
  names[name] = nil
  rawset(ref, "name", nil)
  log("unregistered", actor.core(ref), name)
  return true
end

-- lactor.whereis(name) → the ref registered as name, or nil.
function M.whereis(name)
  check_name(name, "whereis")
  return names[name]
end

-- A dead actor's name is free again.
actor.set_on_death(function(c)
  local ref = c[REF]
  local name = rawget(ref, "name")
  if name then
    names[name] = nil
    rawset(ref, "name", nil)
  end
end)

-- }==================================================================

return M
