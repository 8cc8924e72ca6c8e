load helpers

# SPEC §2: classes, lifecycle hooks, crash semantics, the poison pill and
# one-message-at-a-time scheduling. Proxies, the registry and supervision
# have their own files.

bats_require_minimum_version 1.5.0

# Scripts run from the scratch dir, so error positions read `t.lua:N:`.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "lactor is a global and also what require returns" {
	run lactor -e 'print(type(lactor), require("lactor") == lactor)'
	assert_success
	assert_output "$(printf 'table\ttrue')"
}

@test "lactor.class returns a class table whose name field is the name" {
	script t.lua >/dev/null <<'LUA'
local Counter = lactor.class("Counter")
print(type(Counter))
print(Counter.name)
LUA
	run lactor t.lua
	assert_success
	assert_output "table
Counter"
}

@test "a subclass inherits its parent's methods and hooks and can override them" {
	script t.lua >/dev/null <<'LUA'
local Base = lactor.class("Base")
function Base:init(x) self.x = x end
function Base:on_start() print("on_start of " .. self.ref.class.name) end
function Base:greet() return "base greet" end
function Base:who() return "base" end
function Base:on_receive(msg)
  return self:greet() .. " / " .. self:who() .. " / " .. self.x .. " / " .. msg
end

local Child = lactor.class("Child", Base)
function Child:who() return "child" end

print(Child.name)
local c = Child:start("cx")
print(c.class == Child)
print(c:ask("m1"):get())
local b = Base:start("bx")
print(b:ask("m2"):get())
LUA
	run lactor t.lua
	assert_success
	assert_output "Child
true
on_start of Child
base greet / child / cx / m1
on_start of Base
base greet / base / bx / m2"
}

@test "start calls init synchronously in the caller with the start arguments" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
local main_co = coroutine.running()
function C:init(a, b)
  print("init", a, b, coroutine.running() == main_co)
  self.sum = a + b
end
function C:on_receive() return self.sum end
local r = C:start(2, 3)
print("start returned")
print(r:ask("sum?"):get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'init\t2\t3\ttrue\nstart returned\n5')"
}

@test "init gets every start argument, nils among and after them included" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:init(...) print(select("#", ...), ...) end
C:start()
C:start(nil)
C:start(nil, 2, nil)
C:start(false, "x")
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '0\n1\tnil\n3\tnil\t2\tnil\n2\tfalse\tx')"
}

@test "an error init raises at level 3 names the line that called start" {
	script t.lua >/dev/null <<'LUA'
local D = lactor.class("D")
function D:init(n) if type(n) ~= "number" then error("n must be a number", 3) end end
print(pcall(function()
  D:start("y")
end))
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'false\tt.lua:4: n must be a number')"
}

@test "self.ref and self.urn are already set when init runs" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
local seen
function C:init()
  seen = self
  print(self.ref ~= nil, type(self.urn))
end
local r = C:start()
print(rawequal(seen.ref, r), seen.urn == r.urn)
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'true\tstring\ntrue\ttrue')"
}

@test "an error in init propagates to the caller of start and no actor exists" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:init() error("bad init") end
function C:on_start() print("on_start must not run") end
function C:on_stop() print("on_stop must not run") end
local ok, err = pcall(C.start, C)
print(ok)
print(err)
print(lactor.stats().alive)
LUA
	run lactor t.lua
	assert_success
	assert_output "false
t.lua:2: bad init
0"
}

@test "what a failing init did to its actor is undone: its name, its messages, its stops" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_receive(msg) print("must not be handled: " .. msg) end
function C:init()
  lactor.register("c", self.ref)
  self.ref:tell("told in init")
  local asked, stopped = self.ref:ask("asked in init"), self.ref:stop()
  lactor.spawn(function()
    print("ask:", pcall(asked.get, asked))
    print("stop:", stopped:get())
  end)
  error("bad init", 0)
end
print(pcall(C.start, C))
print("whereis:", lactor.whereis("c"))
print("dead letters:", lactor.stats().dead_letters)
print("name free:", lactor.register("c", lactor.start(function() end)) ~= nil)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf '%s\n' "false	bad init" "whereis:	nil" "dead letters:	1" "name free:	true" \
		"ask:	false	ActorDead: stopped before handling the message" "stop:	false")"
}

@test "a monitor taken on an actor whose init then fails sees it end with the init error" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:init()
  lactor.register("c", self.ref)
  lactor.sleep(0.05)                 -- meanwhile a task finds it by name
  error("bad init", 0)
end
lactor.spawn(function()
  local watched = lactor.whereis("c"):monitor()
  print("monitor:", watched:get(5))
end)
print(pcall(C.start, C))
LUA
	run --separate-stderr timeout 20 "$LACTOR" t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "false	bad init
monitor:	bad init"
}

@test "an uncaught error in init ends the main chunk with exit status 1" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:init() error("bad init") end
C:start()
print("not reached")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:2: bad init"
}

@test "on_start runs inside the actor before the first message" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
local main_co = coroutine.running()
local start_co
function C:on_start()
  start_co = coroutine.running()
  print("on_start", start_co ~= main_co)
end
function C:on_receive(m)
  print("got", m, coroutine.running() == start_co)
end
local r = C:start()
r:tell("a")
r:tell("b")
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'on_start\ttrue\ngot\ta\ttrue\ngot\tb\ttrue')"
}

@test "on_receive gets each message as the very value sent" {
	script t.lua >/dev/null <<'LUA'
local t = {}
local fn = function() end
local r = lactor.start(function(self, m) return m end)
print(rawequal(r:ask(t):get(), t))
print(rawequal(r:ask(fn):get(), fn))
print(r:ask(false):get())
print(r:ask(42):get())
print(r:ask("s"):get())
print(type(r:ask(nil):get()))
LUA
	run lactor t.lua
	assert_success
	assert_output "true
true
false
42
s
nil"
}

@test "on_stop runs inside the actor when it stops normally" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
local main_co = coroutine.running()
function C:on_receive(m) print("got", m) end
function C:on_stop() print("on_stop", coroutine.running() ~= main_co) end
function C:on_failure() print("on_failure must not run") end
local r = C:start()
r:tell("a")
print("stopped:", r:stop():get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'got\ta\non_stop\ttrue\nstopped:\ttrue')"
}

@test "live actors are stopped at the natural end and their on_stop runs" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_stop() print("on_stop") end
C:start()
print("main done")
LUA
	run lactor t.lua
	assert_success
	assert_output "main done
on_stop"
}

@test "at the natural end actors stop newest first, each after the one before, so an on_stop can ask an older actor" {
	script t.lua >/dev/null <<'LUA'
local Store = lactor.class("Store")
function Store:on_receive(m) return "saved " .. m end
function Store:on_stop() print("Store on_stop") end
local Client = lactor.class("Client")
function Client:init(name, store) self.name, self.store = name, store end
function Client:on_stop()
  print(self.name .. " on_stop", self.store:ask(self.name):get())
  if self.name == "second" then
    Client:start("late", self.store)   -- the newest now: stopped next
  end
end
local store = Store:start()
Client:start("first", store)
Client:start("second", store)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf '%s\n' \
		"second on_stop	saved second" \
		"late on_stop	saved late" \
		"first on_stop	saved first" \
		"Store on_stop")"
}

@test "an error handling a tell crashes the actor: reported, on_failure without on_stop, exit status 1" {
	script t.lua >/dev/null <<'LUA'
local Boom = lactor.class("Boom")
function Boom:on_receive(m) error("boom") end
function Boom:on_failure(err, tb)
  print("on_failure", err, type(tb), #tb > 0, self.ref:is_alive())
end
function Boom:on_stop() print("on_stop must not run") end
local r = Boom:start()
print(r.urn)
r:tell("x")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
$(printf 'on_failure\tt.lua:2: boom\tstring\ttrue\tfalse')"
	assert_equal "${stderr_lines[0]}" "lactor: actor Boom ($urn) crashed: t.lua:2: boom"
}

@test "on_failure gets the error value itself when the error is not a string" {
	script t.lua >/dev/null <<'LUA'
local E = setmetatable({}, { __tostring = function() return "E7" end })
local C = lactor.class("C")
function C:on_receive(m) error(E) end
function C:on_failure(err, tb) print(rawequal(err, E), type(tb)) end
local r = C:start()
print(r.urn)
r:tell("x")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
$(printf 'true\tstring')"
	assert_equal "${stderr_lines[0]}" "lactor: actor C ($urn) crashed: E7"
}

@test "a crash's traceback ends at the handler: lactor's own frames below it are left out" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
local function check(m) error("bad " .. m) end
function C:on_receive(m) check(m) end
function C:on_failure(err, tb) io.stderr:write(tb, "\n") end
local r = C:start()
print(r.urn)
r:tell("x")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	local tb=$'stack traceback:\n\t[C]: in function \'error\'\n\tt.lua:2: in upvalue \'check\'\n\tt.lua:3: in local \'on_receive\''
	assert_equal "$stderr" "lactor: actor C ($urn) crashed: t.lua:2: bad x
$tb
$tb"
}

@test "with -d a crash's traceback keeps lactor's own frames, for debugging lactor" {
	run -1 --separate-stderr lactor -d -e 'lactor.start(function(self, m) error("boom") end):tell(1)'
	assert_regex "$stderr" $'\n\t\(command line\):1: in local \'on_receive\'\n\tlua/lactor/actor\.lua:[0-9]+: in '
}

@test "an error value whose __tostring raises still crashes the actor cleanly: queued asks fail" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
local bad = setmetatable({}, { __tostring = function() error("no text") end })
function C:on_receive(m) if m == "boom" then error(bad) end end
function C:on_failure(err) print("on_failure", rawequal(err, bad)) end
local r = C:start()
print(r.urn)
r:tell("boom")
local f = r:ask("queued")
local ok, e = pcall(f.get, f)
print(ok, tostring(e))
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_output "$urn
on_failure	true
false	ActorDead: stopped before handling the message"
	assert_equal "${stderr_lines[0]}" "lactor: actor C ($urn) crashed: (error object is a table value)"
}

@test "other actors keep running after one crashes" {
	script t.lua >/dev/null <<'LUA'
local crashed = lactor.future()
local Boom = lactor.class("Boom")
function Boom:on_receive(m) error("boom") end
function Boom:on_failure() crashed:set() end
local other = lactor.start(function(self, m) return "pong " .. m end)
local r = Boom:start()
print(r.urn)
r:tell("x")
crashed:get()
print(other:ask("ping"):get())
print(other:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
pong ping
true"
	assert_equal "${stderr_lines[0]}" "lactor: actor Boom ($urn) crashed: t.lua:3: boom"
}

@test "a crash fails every queued ask with ActorDead and never handles them" {
	script t.lua >/dev/null <<'LUA'
local Boom = lactor.class("Boom")
function Boom:on_receive(m)
  if m == "crash" then error("boom") end
  print("handled", m)
  return m
end
local r = Boom:start()
print(r.urn)
r:tell("crash")
local f1 = r:ask("a")
local f2 = r:ask("b")
for _, f in ipairs({ f1, f2 }) do
  local ok, e = pcall(f.get, f)
  print(ok, lactor.is_error(e, lactor.ActorDead), e.kind, e.message)
  print(tostring(e))
end
print(r:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_equal "${stderr_lines[0]}" "lactor: actor Boom ($urn) crashed: t.lua:3: boom"
	assert_output "$(printf '%s\n%s\n%s\n%s\n%s\n%s' "$urn" \
		"false	true	ActorDead	stopped before handling the message" \
		"ActorDead: stopped before handling the message" \
		"false	true	ActorDead	stopped before handling the message" \
		"ActorDead: stopped before handling the message" \
		"false")"
}

@test "a crash drops queued tells and counts them as dead letters" {
	script t.lua >/dev/null <<'LUA'
local crashed = lactor.future()
local Boom = lactor.class("Boom")
function Boom:on_receive(m)
  if m == "crash" then error("boom") end
  print("handled", m)
end
function Boom:on_failure() crashed:set() end
local before = lactor.stats().dead_letters
local r = Boom:start()
print(r.urn)
r:tell("crash")
r:tell("c")
r:tell("d")
crashed:get()
print(before, lactor.stats().dead_letters)
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
$(printf '0\t2')"
	assert_equal "${stderr_lines[0]}" "lactor: actor Boom ($urn) crashed: t.lua:4: boom"
}

@test "telling a crashed actor raises ActorDead" {
	script t.lua >/dev/null <<'LUA'
local crashed = lactor.future()
local Boom = lactor.class("Boom")
function Boom:on_receive(m) error("boom") end
function Boom:on_failure() crashed:set() end
local r = Boom:start()
print(r.urn)
r:tell("crash")
crashed:get()
local ok, e = pcall(r.tell, r, "late")
print(ok, lactor.is_error(e, lactor.ActorDead))
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
$(printf 'false\ttrue')"
	assert_equal "${stderr_lines[0]}" "lactor: actor Boom ($urn) crashed: t.lua:3: boom"
}

@test "an error answering an ask fails its future and the actor carries on" {
	script t.lua >/dev/null <<'LUA'
local E = { code = 7 }
local C = lactor.class("C")
function C:on_receive(m)
  if m == "bad" then error("bad ask") end
  if m == "table" then error(E) end
  return "ok " .. m
end
function C:on_failure() print("on_failure must not run") end
local r = C:start()
local ok, e = pcall(function() return r:ask("bad"):get() end)
print(ok, e)
ok, e = pcall(function() return r:ask("table"):get() end)
print(ok, rawequal(e, E))
print(r:is_alive())
print(r:ask("good"):get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'false\tt.lua:4: bad ask\nfalse\ttrue\ntrue\nok good')"
}

@test "an error in on_start crashes the actor and on_failure is called" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Starter")
function C:on_start() error("start failed") end
function C:on_receive(m) print("handled", m) end
function C:on_failure(err, tb) print("on_failure", err, type(tb), self.ref:is_alive()) end
function C:on_stop() print("on_stop must not run") end
local r = C:start()
print(r.urn)
local f = r:ask("x")
local ok, e = pcall(f.get, f)
print(ok, lactor.is_error(e, lactor.ActorDead), e.message)
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
$(printf 'on_failure\tt.lua:2: start failed\tstring\tfalse')
$(printf 'false\ttrue\tstopped before handling the message')"
	assert_equal "${stderr_lines[0]}" "lactor: actor Starter ($urn) crashed: t.lua:2: start failed"
}

@test "an error in on_stop is reported and the actor still ends" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Stopper")
function C:on_receive(m) return m end
function C:on_stop() error("stop failed") end
local r = C:start()
print(r.urn)
print(r:stop():get())
print(r:is_alive())
print(r:stop():get())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
true
false
false"
	assert_equal "${stderr_lines[0]}" "lactor: actor Stopper ($urn) on_stop failed: t.lua:3: stop failed"
}

@test "an error in on_failure is reported and the actor still ends" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Boom")
function C:on_receive(m) error("boom") end
function C:on_failure() error("failure failed") end
local r = C:start()
print(r.urn)
r:tell("x")
local f = r:ask("y")
print(pcall(f.get, f) == false, r:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
$(printf 'true\tfalse')"
	assert_equal "${stderr_lines[0]}" "lactor: actor Boom ($urn) crashed: t.lua:2: boom"
	local want="lactor: actor Boom ($urn) on_failure failed: t.lua:3: failure failed"
	[[ $'\n'"$stderr"$'\n' == *$'\n'"$want"$'\n'* ]] ||
		fail "no line '$want' in stderr: $stderr"
}

@test "a failed on_stop or on_failure is traced by its name, as a handler is" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_stop() error("stop failed") end
function C:on_failure() error("failure failed") end
function C:on_receive() error("boom") end
C:start():stop()
local S = lactor.class("S")
function S:on_start() error("start failed") end
S:start()
local D = lactor.class("D")
D.on_failure, D.on_receive = C.on_failure, C.on_receive
D:start():tell(1)
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	local tb=$'stack traceback:\n\t[C]: in function \'error\''
	[[ $stderr == *"on_stop failed: t.lua:2: stop failed"$'\n'"$tb"$'\n\tt.lua:2: in method \'on_stop\''* ]] ||
		fail "on_stop: $stderr"
	[[ $stderr == *"crashed: t.lua:7: start failed"$'\n'"$tb"$'\n\tt.lua:7: in local \'on_start\''* ]] ||
		fail "on_start: $stderr"
	[[ $stderr == *"on_failure failed: t.lua:3: failure failed"$'\n'"$tb"$'\n\tt.lua:3: in method \'on_failure\''* ]] ||
		fail "on_failure: $stderr"
	[[ $stderr != *"tail calls"* ]] || fail "a tail call: $stderr"
}

@test "an instance whose own __index raises: the lookup of on_failure fails as on_failure would" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Odd")
function C:init()
  setmetatable(self, { __index = function(_, k) error("no field " .. k, 0) end })
end
local r = C:start()
print(r.urn)
local m = r:monitor()
print(pcall(m.get, m))
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_equal "${lines[1]}" "$(printf 'true\tno field on_start')"
	assert_equal "${stderr_lines[0]}" "lactor: actor Odd ($urn) crashed: no field on_start"
	local want="lactor: actor Odd ($urn) on_failure failed: no field on_failure"
	[[ $'\n'"$stderr"$'\n' == *$'\n'"$want"$'\n'* ]] ||
		fail "no line '$want' in stderr: $stderr"
}

@test "an actor without on_receive warns about an unexpected message and an ask resolves to nothing" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Quiet")
local r = C:start()
print(r.urn)
r:tell("hi")
print(select("#", r:ask("there"):get()))
print(r:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
0
true"
	assert_equal "${stderr_lines[0]}" "lactor: Quiet ($urn) got an unexpected message: hi"
	assert_equal "${stderr_lines[1]}" "lactor: Quiet ($urn) got an unexpected message: there"
}

@test "self:stop() in a handler lets every message queued before it run first, even ones the handler sent itself" {
	script t.lua >/dev/null <<'LUA'
local stopped = lactor.future()
local C = lactor.class("C")
function C:on_receive(m)
  print("handle", m, self.ref:is_alive())
  if m == "a" then
    self.ref:tell("from self")
    self:stop()
    print("stop queued", self.ref:is_alive())
  end
end
function C:on_stop()
  print("on_stop", self.ref:is_alive())
  stopped:set()
end
local r = C:start()
r:tell("a")
r:tell("b")
stopped:get()
print("main", r:is_alive())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"handle	a	true" \
		"stop queued	true" \
		"handle	b	true" \
		"handle	from self	true" \
		"on_stop	false" \
		"main	false")"
}

@test "an actor handles its messages one at a time in the order received" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function(self, m)
  print("begin", m)
  lactor.yield()
  print("end", m)
end)
for i = 1, 4 do r:tell(i) end
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'begin\t%d\nend\t%d\n' 1 1 2 2 3 3 4 4)"
}

@test "an actor whose mailbox never runs dry keeps its memory and its counts (it tells itself)" {
	# Its mailbox is never empty, so never reset: taken slots must still
	# be given back, and sent and handled still counted exactly.
	script t.lua >/dev/null <<'LUA'
local N = 300000
local kb = {}
local A = lactor.class("A")
function A:on_receive(n)
  if n == "extra" then return end
  if n % 100000 == 0 then
    collectgarbage()
    kb[#kb + 1] = collectgarbage("count")
  end
  if n < N then
    self.ref:tell(n + 1)
    if n % 3 == 0 then self.ref:tell("extra") end
  end
end
function A:on_stop()
  print("growth under 64 KB", kb[3] - kb[1] < 64)
  local s = lactor.stats()
  print(s.sent, s.handled)
end
local a = A:start()
a:tell(1)
LUA
	run lactor t.lua
	assert_success
	assert_output "growth under 64 KB	true
399999	399999"
}

@test "a handler that sleeps lets other actors run but its own next message waits" {
	script t.lua >/dev/null <<'LUA'
local slow = lactor.start(function(self, m)
  print("slow begins", m)
  lactor.sleep(0.1)
  print("slow ends", m)
end)
local fast = lactor.start(function(self, m) print("fast", m) end)
slow:tell(1)
slow:tell(2)
fast:tell("x")
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"slow begins	1" \
		"fast	x" \
		"slow ends	1" \
		"slow begins	2" \
		"slow ends	2")"
}

@test "a handler waiting on a future lets other actors run but its own next message waits" {
	script t.lua >/dev/null <<'LUA'
local gate = lactor.future()
local slow = lactor.start(function(self, m)
  print("slow begins", m)
  if m == 1 then gate:get() end
  print("slow ends", m)
end)
local fast = lactor.start(function(self, m)
  print("fast", m)
  if m == "open" then gate:set() end
end)
slow:tell(1)
slow:tell(2)
fast:tell("x")
fast:tell("open")
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"slow begins	1" \
		"fast	x" \
		"fast	open" \
		"slow ends	1" \
		"slow begins	2" \
		"slow ends	2")"
}

@test "an anonymous actor may give itself an on_stop; on_start and on_stop set to false are none" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function(self, m)
  self.on_stop = function() print("bye", m) end
  self:stop()
end)
r:tell(7)
local C = lactor.class("C")
C.on_start, C.on_stop = false, false
function C:on_receive(m) print("got", m) end
local c = C:start()
c:tell(1)
print(c:stop():get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'bye\t7\ngot\t1\ntrue')"
}

@test "lactor.start(fn) starts an anonymous actor of class Actor whose handler is fn(self, msg)" {
	script t.lua >/dev/null <<'LUA'
local r
r = lactor.start(function(self, msg) return msg * 2, rawequal(self.ref, r) end)
print(r:ask(21):get())
print(r.class.name)
print(tostring(r):match("^ActorRef%(Actor, urn:uuid:") ~= nil)
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '42\ttrue\nActor\ntrue')"
}

@test "lactor.start(fn) works in a one-liner" {
	run lactor -e 'lactor.start(function(self, m) print("got " .. m) end):tell("hi")'
	assert_success
	assert_output "got hi"
}
