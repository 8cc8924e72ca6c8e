load helpers

# SPEC §3, proxies: ref:proxy(), method calls, field reads and writes in
# order with other messages, lactor.traversable, unknown names, stop, dead
# actors, and a proxy an actor keeps to itself. Pykka's proxy tests are the
# list of behaviours checked here.

bats_require_minimum_version 1.5.0

# Scripts run from the scratch dir, so error positions read `t.lua:N:`.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "tostring of a proxy names the class and urn, and each actor has one proxy" {
	script t.lua >/dev/null <<'LUA'
local Counter = lactor.class("Counter")
local r, other = Counter:start(), Counter:start()
print(r.urn)
local p = r:proxy()
print(tostring(p))
print(p == r:proxy(), rawequal(p, r:proxy()), p == other:proxy(), p ~= other:proxy())
LUA
	run lactor t.lua
	assert_success
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
ActorProxy(Counter, $urn)
$(printf 'true\ttrue\tfalse\ttrue')"
}

@test "a method call returns a Future of all the method's return values" {
	script t.lua >/dev/null <<'LUA'
local Calc = lactor.class("Calc")
function Calc:divmod(a, b) return a // b, a % b end
function Calc:nothing() end
function Calc:trailing() return 1, nil end
local p = Calc:start():proxy()
local f = p:divmod(17, 5)
print(f:is_ready())
print(f:get())
print(f)
print(select("#", p:nothing():get()), select("#", p:trailing():get()))
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'false\n3\t2\nFuture(ok: 3, 2)\n0\t2')"
}

@test "a method call keeps its exact argument count, trailing nils included" {
	script t.lua >/dev/null <<'LUA'
local Echo = lactor.class("Echo")
function Echo:count(...) return select("#", ...), ... end
local p = Echo:start():proxy()
print(p:count():get())
print(p:count(nil):get())
print(p:count(1, nil, nil):get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '0\n1\tnil\n3\t1\tnil\tnil')"
}

@test "method calls run inside the actor, in order with tells and asks" {
	script t.lua >/dev/null <<'LUA'
local Log = lactor.class("Log")
function Log:init() self.seen = {} end
function Log:on_receive(m) self.seen[#self.seen + 1] = m; return #self.seen end
function Log:add(m)
  self.seen[#self.seen + 1] = m
  return coroutine.running() == self.co, #self.seen
end
function Log:on_start() self.co = coroutine.running() end
function Log:all() return table.concat(self.seen, " ") end
local r = Log:start()
local p = r:proxy()
r:tell("tell1")
local call = p:add("call1")
local ask = r:ask("ask1")
r:tell("tell2")
p:add("call2")
print(p:all():get())
print(call:get())
print(ask:get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'tell1 call1 ask1 tell2 call2\ntrue\t2\n3')"
}

@test "a field read returns a Future of the value, read in order with other messages" {
	script t.lua >/dev/null <<'LUA'
local Counter = lactor.class("Counter")
Counter.step = 10                      -- a non-function value on the class
function Counter:init() self.n = 0 end
function Counter:on_receive(m) self.n = self.n + m end
local r = Counter:start()
local p = r:proxy()
r:tell(5)
local before = p.n
r:tell(7)
local after = p.n
print(before, after)
print(before:get(), after:get(), p.step:get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'Future(pending)\tFuture(pending)\n5\t12\t10')"
}

@test "a field write is queued in order, returns at once, and creates the field" {
	script t.lua >/dev/null <<'LUA'
local Box = lactor.class("Box")
function Box:init() self.v = "old" end
function Box:on_receive(m) return m .. " sees " .. tostring(self.v) .. " " .. tostring(self.extra) end
local r = Box:start()
local p = r:proxy()
local first = r:ask("first")
p.v = "new"
print(select("#", (function() p.extra = 1 end)()))
local second = r:ask("second")
print(first:get())
print(second:get())
print(p.v:get(), p.extra:get())
LUA
	run lactor t.lua
	assert_success
	assert_output "0
first sees old nil
second sees new 1
$(printf 'new\t1')"
}

@test "a name written through a proxy is known only while its write is queued" {
	script t.lua >/dev/null <<'LUA'
local Box = lactor.class("Box")
function Box:drop(k) self[k] = nil end
local r = Box:start()
local p = r:proxy()
p.gone = 1                    -- queued: p.gone is a field already
print(p.gone:get())
p:drop("gone"):get()          -- the write ran, and the actor deleted it
print(pcall(function() return p.gone end))
-- writes of ever new names hold no memory once they have run: over three
-- more rounds of 20,000 the heap moves by less than 600 KB (the mailbox
-- and tables keep some room: about 300 KB up or down from round to round),
-- where keeping the names grew it by 1.1 MB a round.  A wait every 1,000
-- writes bounds the backlog, whose array a mailbox keeps: under valgrind
-- on a busy machine, a round preempted early left a larger one.
local function round(from)
  for i = from, from + 19999 do
    p["k" .. i] = i; p:drop("k" .. i)
    if i % 1000 == 0 then p:drop("k0"):get() end
  end
  p:drop("k0"):get()
  collectgarbage(); collectgarbage()
  return collectgarbage("count")
end
round(1)
local after_second = round(20001)
round(40001); round(60001)
print(round(80001) - after_second < 600)
LUA
	run lactor t.lua
	assert_success
	assert_line --index 0 "1"
	[[ ${lines[1]} == "false	t.lua:8: ActorProxy(Box, urn:uuid:"*") has no attribute 'gone'" ]] ||
		fail "unexpected: ${lines[1]}"
	assert_line --index 2 "true"
}

@test "a queued write decides what an existing name is: a field becomes a method, a method a field" {
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("A")
function A:init() self.x = 1 end
function A:add(k) return k + 1 end
local p = A:start():proxy()
p.x = function(self, k) return "x" .. k end   -- queued: x is a method now
print(p:x(2):get())
p.add = 5                                      -- queued: add is a field now
local add = p.add
print(getmetatable(add).__name, add:get())
p.engine = lactor.traversable({ rpm = 0 })      -- queued: a nested proxy
p.engine.rpm = 900
print(p.engine.rpm:get())
LUA
	run -0 --separate-stderr lactor t.lua
	assert_output "$(printf 'x2\nlactor.Future\t5\n900')"
	assert_equal "$stderr" ""
}

@test "a method added to the instance at run time is reachable" {
	script t.lua >/dev/null <<'LUA'
local Grower = lactor.class("Grower")
function Grower:grow()
  function self:late(x) return "late " .. x end
end
local p = Grower:start():proxy()
print(pcall(function() return p.late end))
p:grow():get()
print(p:late(1):get())
p.later = function(self, x) return "later " .. x end
print(p:later(2):get())
LUA
	run lactor t.lua
	assert_success
	urn=$(sed -n 's/.*ActorProxy(Grower, \(urn:[^)]*\)).*/\1/p' <<<"${lines[0]}")
	assert_regex "$urn" "$URN_RE"
	assert_output "$(printf 'false\tt.lua:6: ActorProxy(Grower, %s) has no attribute '"'late'"'' "$urn")
late 1
later 2"
}

@test "an unknown name raises at once in the caller, for reads, calls and writes of _names" {
	script t.lua >/dev/null <<'LUA'
local Counter = lactor.class("Counter")
function Counter:init() self.n, self._secret = 0, 1 end
function Counter:_private() end
local r = Counter:start()
print(r.urn)
local p = r:proxy()
print(select(2, pcall(function() return p.nope end)))
print(select(2, pcall(function() p:nope(1) end)))
print(select(2, pcall(function() return p._secret end)))
print(select(2, pcall(function() p:_private() end)))
print(select(2, pcall(function() p._secret = 2 end)))
print(select(2, pcall(function() return p[1] end)))
print(p.n:get())
LUA
	run lactor t.lua
	assert_success
	urn=${lines[0]}
	assert_output "$urn
t.lua:7: ActorProxy(Counter, $urn) has no attribute 'nope'
t.lua:8: ActorProxy(Counter, $urn) has no attribute 'nope'
t.lua:9: ActorProxy(Counter, $urn) has no attribute '_secret'
t.lua:10: ActorProxy(Counter, $urn) has no attribute '_private'
t.lua:11: ActorProxy(Counter, $urn) has no attribute '_secret'
t.lua:12: ActorProxy(Counter, $urn) has no attribute '1'
0"
}

@test "an unknown name is a plain string error that stops the main chunk at its line" {
	script t.lua >/dev/null <<'LUA'
local Counter = lactor.class("Counter")
local r = Counter:start()
print(r.urn)
local x = r:proxy().missing
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:4: ActorProxy(Counter, $urn) has no attribute 'missing'"
}

@test "calling a proxy method with a dot instead of a colon raises" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:add(k) return k end
local p = C:start():proxy()
local ok, err = pcall(function() local f = p.add(5); return f end)
print(err)
LUA
	run lactor t.lua
	assert_success
	assert_output "t.lua:4: bad self for proxy method 'add' (call it as proxy:add(...))"
}

@test "a traversable field gives a nested proxy at any depth, whose methods get that table as self" {
	script t.lua >/dev/null <<'LUA'
local Car = lactor.class("Car")
function Car:init()
  self.engine = lactor.traversable({ rpm = 0 })
  function self.engine:rev(k) self.rpm = self.rpm + k; return self.rpm end
  self.engine.pump = lactor.traversable({ litres = 3 })
  function self.engine.pump:fill(n) self.litres = self.litres + n; return self end
  self.trunk = { bags = 2 }            -- not marked: a plain field
end
local r = Car:start()
print(r.urn)
local p = r:proxy()
print(tostring(p.engine), tostring(p.engine.pump))
print(p.engine == r:proxy().engine, p.engine ~= p.engine.pump)
print(p.engine:rev(1000):get(), p.engine.rpm:get())
local inst = p.engine.pump:fill(2):get()
print(inst.litres, p.engine.pump.litres:get())
p.engine.pump.litres = 10
print(p.engine.pump.litres:get())
print(tostring(p.trunk), p.trunk:get().bags)
print(select(2, pcall(function() return p.engine.valves end)))
print(lactor.traversable(inst) == inst)
print(select(2, pcall(lactor.traversable, 5)))
LUA
	run lactor t.lua
	assert_success
	urn=${lines[0]}
	assert_output "$urn
$(printf 'ActorProxy(Car, %s).engine\tActorProxy(Car, %s).engine.pump' "$urn" "$urn")
$(printf 'true\ttrue')
$(printf '1000\t1000')
$(printf '5\t5')
10
$(printf 'Future(pending)\t2')
t.lua:20: ActorProxy(Car, $urn).engine has no attribute 'valves'
true
bad argument #1 to 'traversable' (table expected, got number)"
}

@test "an error in a proxy call fails its future and the actor carries on" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:boom() error("no luck") end
function C:fine() return "fine" end
local r = C:start()
local p = r:proxy()
print(pcall(function() return p:boom():get() end))
print(p:fine():get(), r:is_alive())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'false\tt.lua:2: no luck\nfine\ttrue')"
}

@test "an error while a field write runs crashes the actor, as a tell's would" {
	script t.lua >/dev/null <<'LUA'
local Frozen = lactor.class("Frozen")
function Frozen:init() self.v = 1 end
local r = Frozen:start()
Frozen.__newindex = function() error("frozen", 0) end   -- after start sets self.ref
print(r.urn)
local p = r:proxy()
p.w = 2
r:stop():get()
print(r:is_alive())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_output "$urn
false"
	assert_equal "${stderr_lines[0]}" "lactor: actor Frozen ($urn) crashed: frozen"
}

@test "proxy:stop() is ref:stop(): it resolves to true after on_stop, then to false" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:stop() return "the class's own stop is not called" end
function C:on_stop() print("on_stop") end
function C:work() return "worked" end
local r = C:start()
local p = r:proxy()
local w = p:work()
local s = p:stop()
print(s:is_ready(), r:is_alive())
print(s:get(), w:get(), r:is_alive())
print(p:stop():get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'false\ttrue\non_stop\ntrue\tworked\tfalse\nfalse')"
}

@test "a dead actor's proxy fails its futures with ActorDead and ref:proxy() raises" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:init() self.n = 1 end
function C:get_n() return self.n end
local r = C:start()
print(r.urn)
local p = r:proxy()
local stopped = r:stop()
local queued = p:get_n()             -- behind the stop
stopped:get()
local late = p:get_n()
print(pcall(queued.get, queued))
print(pcall(late.get, late))
local f = p.n
print(f, lactor.is_error(select(2, pcall(f.get, f)), lactor.ActorDead))
local ok, e = pcall(function() p.n = 2 end)
print(ok, e.kind)
ok, e = pcall(r.proxy, r)
print(ok, tostring(e))
LUA
	run lactor t.lua
	assert_success
	urn=${lines[0]}
	assert_output "$urn
$(printf 'false\tActorDead: stopped before handling the message')
$(printf 'false\tActorDead: C (%s) is dead' "$urn")
$(printf 'Future(failed: ActorDead: C (%s) is dead)\ttrue' "$urn")
$(printf 'false\tActorDead')
$(printf 'false\tActorDead: C (%s) is dead' "$urn")"
}

@test "an actor's proxy to itself queues calls and waiting on them raises instead of hanging" {
	script t.lua >/dev/null <<'LUA'
local Self = lactor.class("Self")
function Self:on_start() self.me = self.ref:proxy() end
function Self:later() print("later ran") return "later" end
function Self:go()
  local f = self.me:later()
  print("go queued later", f:is_ready())
  local ok, err = pcall(f.get, f)
  print(ok, err)
  return f
end
local r = Self:start()
local f = r:proxy():go():get()
print(f:get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'go queued later\tfalse\nfalse\tdeadlock: an actor cannot wait for the reply to its own ask\nlater ran\nlater')"
}

@test "proxy calls, reads and writes are counted as sent and handled messages" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:init() self.n = 0 end
function C:bump() self.n = self.n + 1 end
local p = C:start():proxy()
p:bump()
p.n = 5
print(p.n:get())
local s = lactor.stats()
print(s.sent, s.handled)
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '5\n3\t3')"
}

@test "with -d a field write dropped by a crash is logged as a dead letter" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_receive() error("boom", 0) end
local r = C:start()
print(r.urn)
r:tell("crash")
r:proxy().x = 5
LUA
	run --separate-stderr lactor -d t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_equal "${stderr_lines[0]}" "lactor: debug: started C ($urn)"
	assert_equal "${stderr_lines[1]}" "lactor: actor C ($urn) crashed: boom"
	assert_line --index 0 "$urn"
	run grep -c '^lactor: debug: dead letter for C (urn:uuid:[^)]*): proxy.x = 5$' <<<"$stderr"
	assert_output 1
}
