-- Supervision (SPEC section 10), as Erlang has it: ref:monitor(),
-- lactor.link(a, b) and lactor.supervise{...}.
--
-- Everything hangs on one hook, on_exit(c, reason, crashed)
-- (actor.set_on_exit), which actor.lua calls once per actor end, after
-- its on_stop or on_failure: reason is "normal" (a stop), the crash error
-- (crashed: an error is a crash whatever its value, "normal" too), or
-- "shutdown" (lactor.exit or a signal ended it).  actor.lua keeps every
-- reason in the core (c[EXIT]); the hook here may rewrite it (an actor a
-- link stopped ends with the link's reason, as a crash), and then
--   * resolves the actor's monitors with the reason;
--   * drops its links; on a crash, each linked actor still open gets
--     on_link_exit(ref, reason) as a message if it defines it, or else is
--     stopped (a poison pill) and ends with that same reason, as a crash,
--     which goes on through its own links and to its own supervisor;
--   * on a crash, tells its supervisor, which restarts per strategy.
-- For a crash it returns whether one of those takes it (a supervisor, an
-- on_link_exit, directly or through links): a crash nobody takes makes
-- the exit status 1 (SPEC section 1), one that is taken does not.
--
-- Links, monitors and supervisors live in weak tables keyed by actor
-- cores; only the exit reason is in the core.  A core is "open" while it is
-- alive and has no stop queued: only then can a message still reach it.

local actor = require("lactor.actor")
local core = require("lactor.core")
local errors = require("lactor.errors")
local error = errors.error   -- a position never names lactor's own line
local registry = require("lactor.registry")

local Ref, call, core_of, describe = actor.Ref, actor.call, actor.core, actor.describe
local NIL_REASON, set_exit = actor.NIL_REASON, actor.set_exit
local future, reply, report, now = core.future, core.reply, core.report, core.now
local register, unregister, whereis = registry.register, registry.unregister,
  registry.whereis
local errtext, handler = errors.text, errors.handler
local getmetatable, setmetatable, type, tostring, pcall, xpcall =
  getmetatable, setmetatable, type, tostring, pcall, xpcall
local pairs, select = pairs, select
local unpack, sort, format, tointeger = table.unpack, table.sort, string.format,
  math.tointeger

local M = {}

-- The fields of an actor's core read here (its layout is actor.lua's).
local DEAD, STOPPING, EXIT = actor.DEAD, actor.STOPPING, actor.EXIT
local INST, REF = actor.INST, actor.REF

local NORMAL <const> = "normal"
local SHUTDOWN <const> = "shutdown"

local function weak() return setmetatable({}, { __mode = "k" }) end
local monitors = weak()     -- core → list of futures
local links = weak()        -- core → list of linked cores
local stop_reason = weak()  -- core → {reason, crashed}: what stopped it
                            --   (a link: a crash; a supervisor: "shutdown")
local ended_by_crash = weak() -- core → true once it has ended by a crash
local parent_of = weak()    -- core → the core of its supervisor

-- c[EXIT] holds NIL_REASON for a nil reason (error() raises nil).
local function decode(r)
  if r == NIL_REASON then return nil end
  return r
end

local function open(c)
  return not c[DEAD] and not c[STOPPING]
end

local check_ref = actor.check_ref     -- returns the ref's core

-- {==================================================================
-- Monitors
-- ===================================================================

-- ref:monitor() → Future of the exit reason.  On an actor that has ended
-- it is resolved at once with the reason it ended with.
function Ref.monitor(self)
  local c = check_ref(self, 1, "monitor")
  local f = core.end_future(c)
  local r = c[EXIT]
  if r ~= nil then
    reply(f, true, decode(r))
    return f
  end
  local list = monitors[c]
  if list then list[#list + 1] = f else monitors[c] = { f } end
  return f
end

-- }==================================================================

-- {==================================================================
-- Links
-- ===================================================================

local function add_link(a, b)
  local list = links[a]
  if list == nil then
    links[a] = { b }
    return
  end
  for i = 1, #list do
    if list[i] == b then return end
  end
  list[#list + 1] = b
end

local function drop_link(a, b)
  local list = links[a]
  if list == nil then return end
  for i = 1, #list do
    if list[i] == b then
      table.remove(list, i)
      break
    end
  end
  if #list == 0 then links[a] = nil end
end

-- lactor.link(a, b): links two live actors, both ways; again is a no-op.
function M.link(a, b)
  local ca, cb = check_ref(a, 1, "link"), check_ref(b, 2, "link")
  if ca == cb then
    error("bad argument #2 to 'link' (an actor cannot be linked to itself)", 2)
  end
  if ca[DEAD] then error(actor.dead_error(ca), 2) end
  if cb[DEAD] then error(actor.dead_error(cb), 2) end
  add_link(ca, cb)
  add_link(cb, ca)
end

-- What a linked actor runs, in order with its messages: an error in
-- on_link_exit crashes it, as one in on_receive for a tell does.
local function link_exit(inst, msg)
  local fn = inst.on_link_exit
  if fn then fn(inst, msg[3], msg[4]) end
end

-- Whether a crash of `c` reaches a live supervisor of c or, through its
-- links, an on_link_exit, or an actor whose own end (stopped with the
-- same reason) reaches one.
local function taken(c, seen)
  seen[c] = true
  local sup = parent_of[c]
  if sup and open(sup) then return true end
  local list = links[c]
  if list then
    for i = 1, #list do
      local p = list[i]
      if not seen[p] and open(p)
          and (p[INST].on_link_exit ~= nil or taken(p, seen)) then
        return true
      end
    end
  end
  return false
end

-- }==================================================================

-- {==================================================================
-- The hook
-- ===================================================================

local child_exit        -- below: what the supervisor runs

local function exit(c, reason, crashed)
  local list = monitors[c]
  if list then
    monitors[c] = nil
    for i = 1, #list do reply(list[i], true, reason) end
  end
  local handled = crashed and taken(c, {})
  local sup = parent_of[c]
  list = links[c]
  if list then
    links[c] = nil
    for i = 1, #list do
      local p = list[i]
      drop_link(p, c)
      -- A supervisor linked to its own child hears of the crash as its
      -- supervisor (below), and restarts it: the link does not stop it,
      -- as an Erlang supervisor traps its children's exits.
      if crashed and open(p) and p ~= sup then
        if p[INST].on_link_exit ~= nil then
          call(p, { link_exit, false, c[REF], reason })
        else
          stop_reason[p] = { reason, true }
          p[REF]:stop()
        end
      end
    end
  end
  if sup and crashed and open(sup) then
    call(sup, { child_exit, false, c[REF], reason })
  end
  return handled
end

actor.set_on_exit(function(c, reason, crashed)
  if reason == NORMAL and not crashed then
    local r = stop_reason[c]
    if r then reason, crashed = r[1], r[2] end
  end
  stop_reason[c] = nil
  set_exit(c, reason)
  if crashed then ended_by_crash[c] = true end
  -- actor.lua calls this outside any protected call: a fault here must
  -- not escape into the worker.
  local ok, handled = xpcall(exit, handler, c, reason, crashed)
  if not ok then
    report("supervision of " .. describe(c) .. " failed: " .. errtext(handled)
      .. "\n" .. errors.take_traceback())
    core.fail()
    return false
  end
  return handled
end)

-- }==================================================================

-- {==================================================================
-- Supervisors
-- ===================================================================

-- A supervisor is an actor of class Supervisor.  Its instance keeps
-- (names start with _, which proxies refuse):
--   _strategy, _intensity, _period   from the spec
--   _specs     {class =, args =, n =, name =} per child, in order
--   _kids      per child: its ref (alive, or ended since), WANT (to be
--              started again), or false (never restarted: ended or stopped)
--   _born      per child: when its current ref started (a counter), so
--              that children stop newest first
--   _restarts  times of the restarts within the last period
local Supervisor = actor.class("Supervisor")

local WANT = setmetatable({}, { __name = "lactor.WANT" })
local STRATEGIES = { one_for_one = true, one_for_all = true, rest_for_one = true }
local born_count = 0

-- What check_spec returns: only lactor.supervise starts a supervisor.
local Checked = {}

function Supervisor:init(cfg)
  if getmetatable(cfg) ~= Checked then
    error("bad argument #1 to 'start' (a supervisor is started by lactor.supervise)", 3)
  end
  self._strategy, self._intensity, self._period = cfg.strategy, cfg.intensity, cfg.period
  self._specs, self._kids, self._born, self._restarts = cfg.children, {}, {}, {}
end

-- Starts child i: raises if its init does or its name is taken.
local function start_child(sup, i)
  local spec = sup._specs[i]
  local name = spec.name
  if name then
    local holder = whereis(name)
    if holder then
      error("name '" .. name .. "' is already taken by " .. tostring(holder), 0)
    end
  end
  local ref = spec.class:start(unpack(spec.args, 1, spec.n))
  local c = core_of(ref)
  parent_of[c] = core_of(sup.ref)
  sup._kids[i] = ref
  born_count = born_count + 1
  sup._born[i] = born_count
  if name then
    local ok, err = pcall(register, name, ref)
    if not ok then
      sup._kids[i] = false
      stop_reason[c] = { SHUTDOWN }
      ref:stop()
      error(err, 0)
    end
  end
  return ref
end

-- Whether a child whose ref is `ref` is to start again when its
-- siblings do: yes if it waits to (WANT), runs, or crashed (its own
-- notice then finds it replaced, so that one crash restarts them all
-- once); no if it stopped.
local function restartable(ref)
  if ref == WANT or ref:is_alive() then return true end
  local c = core_of(ref)
  if c[EXIT] == nil then return not c[STOPPING] end  -- ending: in on_failure
  return ended_by_crash[c] == true
end

-- Stops the children from index `first` on but `except` that are alive,
-- newest first, each once the one started after it has finished its
-- on_stop; they end with reason "shutdown".  Returns the indices of
-- those and of the children waiting to be started again (WANT) or that
-- crashed, which are all left as WANT.
local function stop_kids(sup, first, except)
  local kids, born, list = sup._kids, sup._born, {}
  for i = first, #sup._specs do
    local ref = kids[i]
    if i ~= except and ref and restartable(ref) then list[#list + 1] = i end
  end
  local order = { unpack(list) }
  sort(order, function(a, b) return born[a] > born[b] end)
  for k = 1, #order do
    local i = order[k]
    local ref = kids[i]
    kids[i] = WANT
    if ref ~= WANT and ref:is_alive() then
      stop_reason[core_of(ref)] = { SHUTDOWN }
      ref:stop():get()
    end
  end
  return list
end

-- Starts child i again, and per strategy stops and starts the others.
-- Returns the index of a child that could not start, and its error.
local function restart(sup, i)
  local again
  if sup._strategy == "one_for_one" then
    again = { i }
  else
    again = stop_kids(sup, sup._strategy == "one_for_all" and 1 or i + 1, i)
    again[#again + 1] = i
    sort(again)
  end
  for k = 1, #again do sup._kids[again[k]] = WANT end
  for k = 1, #again do
    local j = again[k]
    local ok, err = pcall(start_child, sup, j)
    if not ok then
      report("actor " .. describe(core_of(sup.ref)) .. " could not restart child "
        .. j .. " (" .. sup._specs[j].class.name .. "): " .. errtext(err))
      return j, err
    end
  end
  return nil
end

local function plural(n, word)
  return n .. " " .. word .. (n == 1 and "" or "s")
end

-- A restart now: false, or true if it is one too many for the intensity.
local function too_many(sup)
  local t, kept, period = now(), {}, sup._period
  local restarts = sup._restarts
  for k = 1, #restarts do
    if t - restarts[k] < period then kept[#kept + 1] = restarts[k] end
  end
  sup._restarts = kept
  if #kept >= sup._intensity then return true end
  kept[#kept + 1] = t
  return false
end

-- Stops every child, newest first; none is started again.
local function stop_all_kids(sup)
  stop_kids(sup, 1, nil)
  local kids = sup._kids
  for i = 1, #sup._specs do kids[i] = false end
end

-- The intensity is exceeded: every child stops, then the supervisor
-- crashes.
local function give_up(sup)
  stop_all_kids(sup)
  local period = sup._period
  period = tointeger(period) or format("%g", period)
  error("more than " .. plural(sup._intensity, "restart") .. " in "
    .. plural(period, "second"), 0)
end

-- A child crashed (msg = {child_exit, false, ref, reason}): unless it is
-- no longer that child's current ref (stopped or replaced meanwhile), it
-- and per strategy its siblings start again; a child that could not start
-- counts as crashing again.
function child_exit(sup, msg)
  local ref, kids = msg[3], sup._kids
  local i
  for j = 1, #sup._specs do
    if kids[j] == ref then i = j break end
  end
  if i == nil then return end
  kids[i] = WANT
  while i do
    if too_many(sup) then give_up(sup) end
    i = restart(sup, i)
  end
end

-- Stopped or crashed: the children go first, newest first.
Supervisor.on_stop = stop_all_kids
Supervisor.on_failure = stop_all_kids

-- The spec of lactor.supervise, checked and copied; raises at the caller
-- of supervise.
local TOP_FIELDS = { strategy = true, intensity = true, period = true,
                     children = true, name = true }
local CHILD_FIELDS = { class = true, args = true, name = true }

-- A bad spec: check_spec raises a Bad, which supervise turns into the
-- "bad argument" error at its caller.
local Bad = {}
local function bad(what)
  error(setmetatable({ what }, Bad))
end

local function describe_value(v)
  if type(v) == "string" then return '"' .. v .. '"' end
  if type(v) == "number" then return tostring(v) end
  return type(v)
end

local function check_fields(t, allowed, where)
  for k in pairs(t) do
    if not allowed[k] then
      bad(where .. "unknown field '" .. tostring(k) .. "'")
    end
  end
end

local function check_name(name, where, seen)
  if name == nil then return end
  if type(name) ~= "string" then
    bad(where .. "name: string expected, got " .. type(name))
  end
  if seen[name] then bad(where .. "name: '" .. name .. "' is used twice") end
  seen[name] = true
  local holder = whereis(name)
  if holder then
    bad(where .. "name: '" .. name .. "' is already taken by " .. tostring(holder))
  end
end

-- {args[1], ..., args[n]}: raises for more values than a Lua stack holds.
local function pack_args(args, n)
  return { unpack(args, 1, n) }
end

-- Is cls Supervisor, or a class made from it?
local function supervisor_class(cls)
  while cls do
    if cls == Supervisor then return true end
    cls = actor.parent(cls)
  end
  return false
end

local function check_spec(n, spec)
  if type(spec) ~= "table" then
    bad("table expected, got " .. (n == 0 and "no value" or type(spec)))
  end
  local mt = getmetatable(spec)
  if type(mt) == "table" and rawget(mt, "__name") == "lactor.Proxy" then
    bad("table expected, got lactor.Proxy")   -- whose fields are futures
  end
  check_fields(spec, TOP_FIELDS, "")
  local strategy = spec.strategy
  if strategy == nil then strategy = "one_for_one" end
  if not STRATEGIES[strategy] then
    bad('strategy: "one_for_one", "one_for_all" or "rest_for_one" expected, got '
      .. describe_value(strategy))
  end
  local intensity = spec.intensity
  if intensity == nil then intensity = 3 end
  intensity = type(intensity) == "number" and tointeger(intensity)
  if not intensity or intensity < 0 then
    bad("intensity: a non-negative integer expected, got " .. describe_value(spec.intensity))
  end
  local period = spec.period
  if period == nil then period = 5 end
  if type(period) ~= "number" or not (period > 0) then
    bad("period: a positive number of seconds expected, got " .. describe_value(spec.period))
  end
  local children = spec.children
  if type(children) ~= "table" then
    bad("children: table expected, got " .. type(children))
  end
  local names, list = {}, {}
  check_name(spec.name, "", names)
  local n = #children
  for k in pairs(children) do
    if math.type(k) ~= "integer" or k < 1 or k > n then
      bad("children: a sequence expected, got the key " .. describe_value(k))
    end
  end
  for i = 1, n do
    local child, where = children[i], "children[" .. i .. "]"
    if actor.parent(child) ~= nil then
      bad(where .. ": a table {class = C, args = {...}, name = ...} expected, got a class")
    end
    if type(child) ~= "table" then bad(where .. ": table expected, got " .. type(child)) end
    check_fields(child, CHILD_FIELDS, where .. ": ")
    if actor.parent(child.class) == nil then
      bad(where .. ".class: a class expected, got " .. type(child.class))
    end
    if supervisor_class(child.class) then
      bad(where .. ".class: a supervisor is started by lactor.supervise, not as a child")
    end
    local args = child.args
    if args == nil then args = {} end
    if type(args) ~= "table" then
      bad(where .. ".args: table expected, got " .. type(args))
    end
    local nargs = args.n
    if nargs == nil then nargs = #args end
    nargs = type(nargs) == "number" and tointeger(nargs)
    if not nargs or nargs < 0 then
      bad(where .. ".args.n: a non-negative integer expected, got " .. describe_value(args.n))
    end
    check_name(child.name, where .. ".", names)
    -- A copy of the list: a restart gets the values supervise got.
    local copied, copy = pcall(pack_args, args, nargs)
    if not copied then
      bad(where .. ".args.n: " .. nargs .. " arguments are too many")
    end
    list[i] = { class = child.class, args = copy, n = nargs, name = child.name }
  end
  return setmetatable({ strategy = strategy, intensity = intensity, period = period,
                         children = list, name = spec.name }, Checked)
end

-- Frees the names of a supervisor whose start failed, and of the
-- children it had started, at once: their stops are only queued, and the
-- same spec tried again must find the names free.
local function free_names(sup)
  for _, ref in pairs(sup._kids) do
    local name = ref and rawget(ref, "name")
    if name then unregister(name) end
  end
  local name = rawget(sup.ref, "name")
  if name then unregister(name) end
end

-- lactor.supervise(spec) → the supervisor's ref, its children started
-- in order.  An error in a child's init stops the supervisor and the
-- children already started, frees their names, and is raised again here.
function M.supervise(...)
  local spec = ...
  local ok, cfg = pcall(check_spec, select("#", ...), spec)
  if not ok then
    if getmetatable(cfg) == Bad then
      error("bad argument #1 to 'supervise' (" .. cfg[1] .. ")", 2)
    end
    error(cfg, 0)
  end
  local ref = Supervisor:start(cfg)
  if cfg.name then register(cfg.name, ref) end
  local sup = core_of(ref)[INST]
  for i = 1, #cfg.children do
    local ok, err = pcall(start_child, sup, i)
    if not ok then
      free_names(sup)
      ref:stop()
      error(err, 0)
    end
  end
  return ref
end

-- }==================================================================

return M
