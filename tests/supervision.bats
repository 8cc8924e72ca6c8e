load helpers

# SPEC §10, supervision: ref:monitor(), lactor.link and on_link_exit,
# lactor.supervise with its three strategies, intensity and names.

bats_require_minimum_version 1.5.0

# Scripts run from the scratch dir, so error positions read `t.lua:N:`.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# A prelude for the supervisor scripts: Worker prints its starts and
# stops and crashes on "crash"; starts(n) waits until n workers have
# started in all (so a script can wait for a restart without sleeping).
prelude() {
	cat <<'LUA'
local Worker = lactor.class("Worker")
local nstarts, waiting = 0, {}
function Worker:init(id) self.id = id end
function Worker:on_start()
  print("start " .. self.id)
  nstarts = nstarts + 1
  if waiting[nstarts] then waiting[nstarts]:set() end
end
function Worker:on_stop() print("stop " .. self.id) end
function Worker:on_receive(m)
  if m == "crash" then error("crash of " .. self.id) end
  return self.id
end
local function starts(n)
  if nstarts >= n then return end
  waiting[n] = lactor.future()
  waiting[n]:get()
end
local function crash(name)                    -- and wait until it has ended
  local ref = lactor.whereis(name)
  local m = ref:monitor()
  ref:tell("crash")
  return m:get()
end
LUA
}

# sup_script <<'LUA' ... LUA: t.lua, the prelude followed by the script.
sup_script() {
	{ prelude; cat; } >"$BATS_TEST_TMPDIR/t.lua"
}

# The reports on stderr (their first lines: no tracebacks), urns as URN.
report_lines() {
	printf '%s\n' "${stderr_lines[@]}" | grep '^lactor: ' | sed -E "s/$URN/URN/"
}

# {==================================================================
# Monitors
# ===================================================================

@test "ref:monitor() resolves to \"normal\" when the actor stops" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function() end)
local m = r:monitor()
print(m:is_ready())
r:stop()
print(m:get())
print(tostring(m))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "false
normal
Future(ok: normal)"
	assert_equal "$stderr" ""
}

@test "ref:monitor() resolves to the very error on_failure got when the actor crashes" {
	script t.lua >/dev/null <<'LUA'
local E = setmetatable({}, { __tostring = function() return "E1" end })
local got
local C = lactor.class("C")
function C:on_receive(m) error(m == "table" and E or "boom") end
function C:on_failure(err) got = err end
local a, b = C:start(), C:start()
local ma, mb, mb2 = a:monitor(), b:monitor(), b:monitor()
a:tell("table")
print(rawequal(ma:get(), E), rawequal(got, E))
b:tell("string")
print(mb:get())
print(mb2:get(), rawequal(mb2:get(), got))
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "true	true
t.lua:4: boom
t.lua:4: boom	true"
	assert_equal "$(report_lines)" "lactor: actor C (URN) crashed: E1
lactor: actor C (URN) crashed: t.lua:4: boom"
}

@test "ref:monitor() on an actor that has ended resolves at once with the reason it ended with" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_receive(m) error("boom") end
local a, b = C:start(), C:start()
a:stop():get()
b:tell("x")
print(pcall(function() return b:ask("y"):get() end))  -- fails once b has ended
local ma, mb = a:monitor(), b:monitor()
print(ma:is_ready(), ma:get())
print(mb:is_ready(), mb:get())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "false	ActorDead: stopped before handling the message
true	normal
true	t.lua:2: boom"
}

@test "ref:monitor() needs a ref" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function() end)
print(pcall(function() local m = r.monitor() end))
print(pcall(function() local m = r.monitor({}) end))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "false	t.lua:2: bad argument #1 to 'monitor' (an actor ref expected, got nil)
false	t.lua:3: bad argument #1 to 'monitor' (an actor ref expected, got table)"
}

# }==================================================================

# {==================================================================
# Links
# ===================================================================

@test "a crash stops the linked actor with the same reason: its on_stop runs, its monitor gets the error" {
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("A")
function A:on_receive(m) error("boom") end
local B = lactor.class("B")
function B:on_receive(m) print("B got " .. m) end
function B:on_stop() print("B on_stop") end
function B:on_failure() print("B on_failure must not run") end
local a, b = A:start(), B:start()
lactor.link(a, b)
local mb = b:monitor()
a:tell("x")
b:tell("queued before the stop")
print("b ended:", mb:get())
print(b:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "B got queued before the stop
B on_stop
b ended:	t.lua:2: boom
false"
	assert_equal "$(report_lines)" "lactor: actor A (URN) crashed: t.lua:2: boom"
}

@test "the stop goes on through links: a chain of three ends with the first one's error" {
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("A")
function A:on_receive(m) error("boom") end
local a, b, c = A:start(), lactor.start(function() end), lactor.start(function() end)
lactor.link(a, b)
lactor.link(b, c)
local mc = c:monitor()
a:tell("x")
print(mc:get())
print(a:is_alive(), b:is_alive(), c:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "t.lua:2: boom
false	false	false"
}

@test "on_link_exit(ref, reason) runs in the surviving actor instead, which lives on; exit status 0" {
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("A")
function A:on_receive(m) error("boom") end
local B = lactor.class("B")
function B:on_receive(m) print("B got " .. m) return m end
function B:on_link_exit(ref, reason)
  print("on_link_exit", self.ref == b_ref, ref == a_ref, reason, ref:is_alive())
end
a_ref, b_ref = A:start(), B:start()
lactor.link(b_ref, a_ref)
b_ref:tell("first")
a_ref:tell("x")
a_ref:monitor():get()
print(b_ref:ask("still here"):get(), b_ref:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "B got first
on_link_exit	true	true	t.lua:2: boom	false
B got still here
still here	true"
	assert_equal "$(report_lines)" "lactor: actor A (URN) crashed: t.lua:2: boom"
}

@test "an error in on_link_exit crashes that actor, as a tell's would" {
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("A")
function A:on_receive(m) error("boom") end
local B = lactor.class("B")
function B:on_link_exit(ref, reason) error("no thanks") end
local a, b = A:start(), B:start()
lactor.link(a, b)
local mb = b:monitor()
a:tell("x")
print(mb:get())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "t.lua:4: no thanks"
	assert_equal "$(report_lines)" "lactor: actor A (URN) crashed: t.lua:2: boom
lactor: actor B (URN) crashed: t.lua:4: no thanks"
}

@test "a normal stop does not go through a link" {
	script t.lua >/dev/null <<'LUA'
local B = lactor.class("B")
function B:on_link_exit() print("on_link_exit must not run") end
function B:on_receive(m) return "pong" end
local pong = function() return "pong" end
local a, b, c = lactor.start(function() end), B:start(), lactor.start(pong)
lactor.link(a, b)
lactor.link(a, c)
print(a:stop():get())
print(b:ask("ping"):get(), c:ask("ping"):get(), b:is_alive(), c:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "true
pong	pong	true	true"
}

@test "lactor.link raises for a non-ref, the same actor twice, and a dead actor" {
	script t.lua >/dev/null <<'LUA'
local a, b = lactor.start(function() end), lactor.start(function() end)
print(pcall(function() lactor.link(a, "b") end))
print(pcall(function() lactor.link(nil, b) end))
print(pcall(function() lactor.link(a, a) end))
b:stop():get()
local ok, e = pcall(function() lactor.link(a, b) end)
print(ok, lactor.is_error(e, lactor.ActorDead), tostring(e) == "ActorDead: Actor (" .. b.urn .. ") is dead")
local c = lactor.start(function() end)
lactor.link(a, c)
lactor.link(c, a)
print("linking twice is fine")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "false	t.lua:2: bad argument #2 to 'link' (an actor ref expected, got string)
false	t.lua:3: bad argument #1 to 'link' (an actor ref expected, got nil)
false	t.lua:4: bad argument #2 to 'link' (an actor cannot be linked to itself)
false	true	true
linking twice is fine"
}

# }==================================================================

# {==================================================================
# Supervisors
# ===================================================================

@test "supervise starts the children in order, registers their names and returns the supervisor's ref" {
	sup_script <<'LUA'
local sup = lactor.supervise{ strategy = "one_for_one", intensity = 3, period = 5,
  children = { { class = Worker, args = { "a" }, name = "w1" },
               { class = Worker, args = { "b" } },
               { class = Worker, args = { "c" }, name = "w3" } } }
print(tostring(sup):match("^ActorRef%(Supervisor, urn:uuid:") ~= nil, sup:is_alive())
print(lactor.whereis("w1"):ask("id?"):get(), lactor.whereis("w3"):ask("id?"):get())
print(#lactor.registry.by_class(Worker))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "true	true
start a
start b
start c
a	c
3
stop c
stop b
stop a"
	assert_equal "$stderr" ""
}

@test "one_for_one restarts only the crashed child, under its name; the crash does not make the exit status 1" {
	sup_script <<'LUA'
lactor.supervise{ strategy = "one_for_one", children = {
  { class = Worker, args = { "a" }, name = "w1" },
  { class = Worker, args = { "b" }, name = "w2" },
  { class = Worker, args = { "c" }, name = "w3" } } }
starts(3)
local old = lactor.whereis("w2")
print("ended:", crash("w2"))
starts(4)
local new = lactor.whereis("w2")
print(new ~= old, new:is_alive(), new.name, new:ask("id?"):get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start a
start b
start c
ended:	t.lua:11: crash of b
start b
true	true	w2	b
stop b
stop c
stop a"
	assert_equal "$(report_lines)" "lactor: actor Worker (URN) crashed: t.lua:11: crash of b"
}

@test "one_for_all stops the other children newest first and starts them all again in order" {
	sup_script <<'LUA'
lactor.supervise{ strategy = "one_for_all", children = {
  { class = Worker, args = { "a" }, name = "w1" },
  { class = Worker, args = { "b" }, name = "w2" },
  { class = Worker, args = { "c" }, name = "w3" } } }
starts(3)
local old = { lactor.whereis("w1"), lactor.whereis("w2"), lactor.whereis("w3") }
crash("w2")
starts(6)
print("restarted")
for i = 1, 3 do
  local new = lactor.whereis("w" .. i)
  print(i, new ~= old[i], old[i]:is_alive(), new:is_alive())
end
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start a
start b
start c
stop c
stop a
start a
start b
start c
restarted
1	true	false	true
2	true	false	true
3	true	false	true
stop c
stop b
stop a"
}

@test "one_for_all: children that crash together are started again once, as one restart" {
	script t.lua >/dev/null <<'LUA'
local Flaky = lactor.class("Flaky")
local started = {}
function Flaky:init(id) self.id = id end
function Flaky:on_start()
  print("start " .. self.id)
  if not started[self.id] then
    started[self.id] = true
    error("first start of " .. self.id)
  end
end
function Flaky:on_stop() print("stop " .. self.id) end
local sup = lactor.supervise{ strategy = "one_for_all", intensity = 1, children = {
  { class = Flaky, args = { "a" } }, { class = Flaky, args = { "b" } } } }
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start a
start b
start a
start b
stop b
stop a"
	assert_equal "$(report_lines)" "lactor: actor Flaky (URN) crashed: t.lua:8: first start of a
lactor: actor Flaky (URN) crashed: t.lua:8: first start of b"
}

@test "rest_for_one stops the children started after the crashed one and starts it and them again" {
	sup_script <<'LUA'
lactor.supervise{ strategy = "rest_for_one", children = {
  { class = Worker, args = { "a" }, name = "w1" },
  { class = Worker, args = { "b" }, name = "w2" },
  { class = Worker, args = { "c" }, name = "w3" },
  { class = Worker, args = { "d" }, name = "w4" } } }
starts(4)
local w1 = lactor.whereis("w1")
crash("w2")
starts(7)
print("restarted", lactor.whereis("w1") == w1)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start a
start b
start c
start d
stop d
stop c
start b
start c
start d
restarted	true
stop d
stop c
stop b
stop a"
}

@test "more than intensity restarts within period: the children stop, the supervisor crashes, exit status 1" {
	sup_script <<'LUA'
local sup = lactor.supervise{ strategy = "one_for_one", intensity = 2, period = 60,
  children = { { class = Worker, args = { "a" }, name = "w1" },
               { class = Worker, args = { "b" }, name = "w2" } } }
local m = sup:monitor()
starts(2)
crash("w2"); starts(3)
crash("w2"); starts(4)
crash("w2")
print("supervisor ended:", m:get())
print(sup:is_alive(), lactor.whereis("w1"), lactor.whereis("w2"), #lactor.registry.all())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "start a
start b
start b
start b
stop a
supervisor ended:	more than 2 restarts in 60 seconds
false	nil	nil	0"
	assert_equal "$(report_lines)" "lactor: actor Worker (URN) crashed: t.lua:11: crash of b
lactor: actor Worker (URN) crashed: t.lua:11: crash of b
lactor: actor Worker (URN) crashed: t.lua:11: crash of b
lactor: actor Supervisor (URN) crashed: more than 2 restarts in 60 seconds"
}

@test "intensity 0 never restarts: the first crash ends the supervisor" {
	sup_script <<'LUA'
local sup = lactor.supervise{ intensity = 0, period = 1,
  children = { { class = Worker, args = { "a" }, name = "w1" } } }
starts(1)
crash("w1")
print(sup:monitor():get())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "start a
more than 0 restarts in 1 second"
}

@test "stopping the supervisor stops its children newest first; they end with reason \"shutdown\"" {
	sup_script <<'LUA'
local sup = lactor.supervise{ children = {
  { class = Worker, args = { "a" }, name = "w1" },
  { class = Worker, args = { "b" }, name = "w2" },
  { class = Worker, args = { "c" }, name = "w3" } } }
starts(3)
crash("w1")                           -- a restarted: now the newest
starts(4)
local m = lactor.whereis("w2"):monitor()
print("stop:", sup:stop():get())
print("w2 ended:", m:get())
print(#lactor.registry.all(), lactor.whereis("w1"))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start a
start b
start c
start a
stop a
stop c
stop b
stop:	true
w2 ended:	shutdown
0	nil"
}

@test "a child that stops normally is not restarted" {
	sup_script <<'LUA'
local sup = lactor.supervise{ strategy = "one_for_all", children = {
  { class = Worker, args = { "a" }, name = "w1" },
  { class = Worker, args = { "b" }, name = "w2" } } }
starts(2)
lactor.whereis("w1"):stop():get()
crash("w2")
starts(3)
print(lactor.whereis("w1"), lactor.whereis("w2"):is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start a
start b
stop a
start b
nil	true
stop b"
}

@test "an error whose value is \"normal\" is a crash all the same: restarted, through links, exit status 0" {
	sup_script <<'LUA'
local Quitter = lactor.class("Quitter")
function Quitter:on_start() print("start quitter") end
function Quitter:on_receive(m) error("normal", 0) end
local sup = lactor.supervise{ children = { { class = Quitter, name = "q" } } }
local q = lactor.whereis("q")
local m = q:monitor()
q:tell("go")
print("reason", m:get())
local Watcher = lactor.class("Watcher")
function Watcher:on_link_exit(ref, reason) print("link exit", reason) end
local w = Watcher:start()
local other = lactor.start(function() error("shutdown", 0) end)
lactor.link(w, other)
other:tell("go")
lactor.sleep(0.01)
print("crashed", lactor.stats().crashed, "alive", lactor.whereis("q"):is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start quitter
reason	normal
start quitter
link exit	shutdown
crashed	2	alive	true"
	run report_lines
	assert_output "lactor: actor Quitter (URN) crashed: normal
lactor: actor Actor (URN) crashed: shutdown"
}

@test "a child linked to its own supervisor is restarted: the link does not stop the supervisor" {
	sup_script <<'LUA'
local Linked = lactor.class("Linked")
function Linked:init(id) self.id = id end
function Linked:on_start()
  print("start " .. self.id)
  lactor.link(self.ref, lactor.whereis("sup"))
end
function Linked:on_receive(m) error("crash") end
local sup = lactor.supervise{ name = "sup", children = { { class = Linked, args = { "x" }, name = "l" } } }
lactor.sleep(0.01)
local l = lactor.whereis("l")
local m = l:monitor()
l:tell("crash")
m:get()
lactor.sleep(0.01)
print(sup:is_alive(), lactor.whereis("l") ~= l, lactor.whereis("l"):is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start x
start x
true	true	true"
}

@test "a supervisor is started by lactor.supervise only: its class's start raises at the caller" {
	sup_script <<'LUA'
local sup = lactor.supervise{ children = { { class = Worker, args = { "a" } } } }
print(pcall(function() local ref = sup.class:start() return ref end))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "false	t.lua:26: bad argument #1 to 'start' (a supervisor is started by lactor.supervise)
start a
stop a"
}

@test "a child whose init fails on restart counts as crashing again, until the supervisor gives up" {
	script t.lua >/dev/null <<'LUA'
local n = 0
local Flaky = lactor.class("Flaky")
function Flaky:init()
  n = n + 1
  if n > 1 then error("init " .. n) end
end
function Flaky:on_receive() error("crash") end
local sup = lactor.supervise{ intensity = 2, children = { { class = Flaky, name = "f" } } }
local m = sup:monitor()
lactor.whereis("f"):tell("x")
print(m:get())
print(n)
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "more than 2 restarts in 5 seconds
3"
	assert_equal "$(report_lines)" "lactor: actor Flaky (URN) crashed: t.lua:7: crash
lactor: actor Supervisor (URN) could not restart child 1 (Flaky): t.lua:5: init 2
lactor: actor Supervisor (URN) could not restart child 1 (Flaky): t.lua:5: init 3
lactor: actor Supervisor (URN) crashed: more than 2 restarts in 5 seconds"
}

@test "an error in a child's init is raised by supervise, and what it started stops" {
	sup_script <<'LUA'
local Bad = lactor.class("Bad")
function Bad:init() error("no start") end
print(pcall(lactor.supervise, { children = {
  { class = Worker, args = { "a" }, name = "w1" },
  { class = Bad } } }))
lactor.yield()
lactor.registry.stop_all():get()
print(#lactor.registry.all(), lactor.whereis("w1"))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "false	t.lua:26: no start
start a
stop a
0	nil"
}

@test "when supervise fails, the names it took are free at once, for the same spec to try again" {
	sup_script <<'LUA'
local fail = true
local Flaky = lactor.class("Flaky")
function Flaky:init() if fail then error("not yet", 0) end end
local spec = { name = "sup", children = {
  { class = Worker, args = { "a" }, name = "w1" },
  { class = Flaky, name = "w2" } } }
print(pcall(lactor.supervise, spec))
print(lactor.whereis("sup"), lactor.whereis("w1"))
fail = false
local sup = lactor.supervise(spec)
print(lactor.whereis("sup") == sup, lactor.whereis("w1") ~= nil, lactor.whereis("w2") ~= nil)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "${lines[0]}" "false	not yet"
	assert_equal "${lines[1]}" "nil	nil"
	assert_equal "${lines[2]}" "true	true	true"
}

@test "the supervisor's own name, and a child name that is already taken, are checked at once" {
	script t.lua >/dev/null <<'LUA'
local W = lactor.class("W")
local sup = lactor.supervise{ name = "sup", children = { { class = W, name = "w" } } }
print(lactor.whereis("sup") == sup, sup.name)
print(pcall(function() lactor.supervise{ children = { { class = W, name = "w" } } } end))
print(#lactor.registry.all())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_line --index 0 "true	sup"
	assert_regex "${lines[1]}" "^false	t.lua:4: bad argument #1 to 'supervise' \(children\[1\]\.name: 'w' is already taken by ActorRef\(W, $URN\)\)\$"
	assert_line --index 2 "2"
}

@test "lactor.supervise raises a bad argument error for a bad spec" {
	script t.lua >/dev/null <<'LUA'
local W = lactor.class("W")
local function try(spec) print(select(2, pcall(function() lactor.supervise(spec) end))) end
try(nil)
print(select(2, pcall(function() lactor.supervise() end)))
try({ strategy = "one_for_some", children = {} })
try({ intensity = -1, children = {} })
try({ intensity = 1.5, children = {} })
try({ period = 0, children = {} })
try({ period = "5", children = {} })
try({})
try({ children = { W } })
try({ children = { { args = {} } } })
try({ children = { { class = W, args = 1 } } })
try({ children = { { class = W, args = { n = "2" } } } })
try({ children = { { class = W, name = 7 } } })
try({ children = { { class = W, name = "x" }, { class = W, name = "x" } } })
try({ children = { { class = W, nmae = "x" } } })
try({ stratgy = "one_for_all", children = {} })
try({ children = { { class = W, args = { n = 1e8 } } } })
try(lactor.start(function() end):proxy())
local S = lactor.supervise({ children = {} })
try({ children = { { class = W, name = "w1" }, { class = S.class } } })
print(#lactor.registry.all(), lactor.whereis("w1"))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "t.lua:2: bad argument #1 to 'supervise' (table expected, got nil)
t.lua:4: bad argument #1 to 'supervise' (table expected, got no value)
t.lua:2: bad argument #1 to 'supervise' (strategy: \"one_for_one\", \"one_for_all\" or \"rest_for_one\" expected, got \"one_for_some\")
t.lua:2: bad argument #1 to 'supervise' (intensity: a non-negative integer expected, got -1)
t.lua:2: bad argument #1 to 'supervise' (intensity: a non-negative integer expected, got 1.5)
t.lua:2: bad argument #1 to 'supervise' (period: a positive number of seconds expected, got 0)
t.lua:2: bad argument #1 to 'supervise' (period: a positive number of seconds expected, got \"5\")
t.lua:2: bad argument #1 to 'supervise' (children: table expected, got nil)
t.lua:2: bad argument #1 to 'supervise' (children[1]: a table {class = C, args = {...}, name = ...} expected, got a class)
t.lua:2: bad argument #1 to 'supervise' (children[1].class: a class expected, got nil)
t.lua:2: bad argument #1 to 'supervise' (children[1].args: table expected, got number)
t.lua:2: bad argument #1 to 'supervise' (children[1].args.n: a non-negative integer expected, got \"2\")
t.lua:2: bad argument #1 to 'supervise' (children[1].name: string expected, got number)
t.lua:2: bad argument #1 to 'supervise' (children[2].name: 'x' is used twice)
t.lua:2: bad argument #1 to 'supervise' (children[1]: unknown field 'nmae')
t.lua:2: bad argument #1 to 'supervise' (unknown field 'stratgy')
t.lua:2: bad argument #1 to 'supervise' (children[1].args.n: 100000000 arguments are too many)
t.lua:2: bad argument #1 to 'supervise' (table expected, got lactor.Proxy)
t.lua:2: bad argument #1 to 'supervise' (children[2].class: a supervisor is started by lactor.supervise, not as a child)
$(printf '2\tnil')"
}

@test "a crash in a supervised child that is linked reaches the supervisor of the linked actor" {
	sup_script <<'LUA'
local Boom = lactor.class("Boom")
function Boom:on_receive() error("boom") end
lactor.supervise{ children = { { class = Worker, args = { "a" }, name = "w1" } } }
starts(1)
local w1, boom = lactor.whereis("w1"), Boom:start()
lactor.link(boom, w1)
local m = w1:monitor()
boom:tell("x")
print("w1 ended:", m:get())
starts(2)
print(lactor.whereis("w1") ~= w1)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "start a
stop a
w1 ended:	t.lua:26: boom
start a
true
stop a"
}

@test "lactor.exit ends supervised children without restarting them; monitors see \"shutdown\"" {
	sup_script <<'LUA'
local sup = lactor.supervise{ children = { { class = Worker, args = { "a" }, name = "w1" } } }
starts(1)
lactor.whereis("w1"):monitor():on_done(function(f) print("w1 ended:", f:get()) end)
lactor.exit(4)
LUA
	run --separate-stderr lactor t.lua
	assert_failure 4
	assert_output "start a
stop a
w1 ended:	shutdown"
	assert_equal "$stderr" ""
}

# }==================================================================
