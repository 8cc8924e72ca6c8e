load helpers

# SPEC §3, refs: tell, ask, stop, is_alive, urn, class, name, tostring,
# identity, and the self-ask guard. Proxies have their own file.

bats_require_minimum_version 1.5.0

# Scripts run from the scratch dir, so error positions read `t.lua:N:`.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "tell queues the message and returns nothing" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function(self, m) print("got", m) end)
print("tell returned", select("#", r:tell("hello")))
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'tell returned\t0\ngot\thello')"
}

@test "tell to a dead actor raises an ActorDead error" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Counter")
function C:on_receive(m) print("must not be handled", m) end
local r = C:start()
print(r.urn)
r:stop():get()
local ok, e = pcall(r.tell, r, "x")
print(ok, lactor.is_error(e, lactor.ActorDead), e.kind)
print(tostring(e))
LUA
	run lactor t.lua
	assert_success
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
$(printf 'false\ttrue\tActorDead')
ActorDead: Counter ($urn) is dead"
}

@test "ask returns a pending Future of all of on_receive's return values" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function(self, m)
  if m == "none" then return end
  if m == "trailing nil" then return 1, nil end
  return m, m * 2, nil, "x"
end)
local f = r:ask(3)
print(f:is_ready())
print(select("#", f:get()), f:get())
print(f:is_ready())
print(select("#", r:ask("none"):get()))
print(select("#", r:ask("trailing nil"):get()))
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'false\n4\t3\t6\tnil\tx\ntrue\n0\n2')"
}

@test "ask to a dead actor returns a Future that fails with ActorDead" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Counter")
function C:on_receive(m) print("must not be handled", m) end
local r = C:start()
print(r.urn)
r:stop():get()
local f = r:ask("x")
local ok, e = pcall(f.get, f)
print(ok, lactor.is_error(e, lactor.ActorDead))
print(tostring(e))
LUA
	run lactor t.lua
	assert_success
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
$(printf 'false\ttrue')
ActorDead: Counter ($urn) is dead"
}

@test "a bad ask timeout is reported at the caller's line" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function() end)
print(pcall(r.ask, r, 1, 0/0))
print(pcall(r.ask, r, 1, false))
r:ask(1, "soon")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "$(printf "false\tbad argument #2 to 'ask' (number is NaN)\nfalse\tbad argument #2 to 'ask' (number expected, got boolean)")"
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:4: bad argument #2 to 'ask' (number expected, got string)"
}

@test "ask with a timeout fails with Timeout and the message is still handled later" {
	script t.lua >/dev/null <<'LUA'
local gate = lactor.future()
local r = lactor.start(function(self, m)
  if m == "slow" then
    gate:get()
    print("slow handled")
    return "late reply"
  end
  return "reply to " .. m
end)
local f = r:ask("slow", 0.05)
local ok, e = pcall(f.get, f)
print(ok, lactor.is_error(e, lactor.Timeout), tostring(e))
gate:set()
print(r:ask("next"):get())
ok, e = pcall(f.get, f)
print(ok, lactor.is_error(e, lactor.Timeout))
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"false	true	Timeout: timed out after 0.05 s" \
		"slow handled" \
		"reply to next" \
		"false	true")"
}

@test "ask with a negative timeout times out at once, as with 0" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function(self, m) lactor.sleep(0.02) return m end)
for _, t in ipairs({ -1, 0 }) do
  local ok, e = pcall(function() return r:ask("x", t):get() end)
  print(ok, tostring(e))
end
LUA
	run -0 lactor t.lua
	assert_output "$(printf '%s\n' \
		"false	Timeout: timed out after 0 s" \
		"false	Timeout: timed out after 0 s")"
}

@test "stop queues a poison pill and its Future resolves to true after on_stop" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_receive(m) print("handle", m) end
function C:on_stop() print("on_stop") end
local r = C:start()
r:tell(1)
r:tell(2)
local f = r:stop()
print("stop queued", r:is_alive(), f:is_ready())
print("stop result", f:get())
print("alive", r:is_alive())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"stop queued	true	false" \
		"handle	1" \
		"handle	2" \
		"on_stop" \
		"stop result	true" \
		"alive	false")"
}

@test "stop on an already dead actor resolves to false" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_stop() print("on_stop") end
local r = C:start()
print(r:stop():get())
print(r:stop():get())
LUA
	run lactor t.lua
	assert_success
	assert_output "on_stop
true
false"
}

@test "several stops queued on a live actor all resolve to true and on_stop runs once" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_receive(m) print("handle", m) end
function C:on_stop() print("on_stop") end
local r = C:start()
r:tell("a")
local f1 = r:stop()
local f2 = r:stop()
print(f1:get(), f2:get())
print(r:stop():get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'handle\ta\non_stop\ntrue\ttrue\nfalse')"
}

@test "stops queued twice and three times on two actors at once all resolve" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:init(name) self.name = name end
function C:on_stop() print("on_stop", self.name) end
local a, b = C:start("a"), C:start("b")
local fa = { a:stop(), a:stop() }
local fb = { b:stop(), b:stop(), b:stop() }
print(fb[3]:get(), fb[1]:get(), fb[2]:get())
print(fa[2]:get(), fa[1]:get())
print(a:stop():get(), b:stop():get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'on_stop\ta\non_stop\tb\ntrue\ttrue\ttrue\ntrue\ttrue\nfalse\tfalse')"
}

@test "an error in on_stop still resolves the stop Future to true" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Stopper")
function C:on_stop() error("stop failed") end
local r = C:start()
print(r.urn)
print(r:stop():get())
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
true"
	assert_equal "${stderr_lines[0]}" "lactor: actor Stopper ($urn) on_stop failed: t.lua:2: stop failed"
}

@test "is_alive is true from start until the stop is reached" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
local r
function C:on_receive(m) print("in handler", r:is_alive()) end
function C:on_stop() print("in on_stop", r:is_alive()) end
r = C:start()
print("after start", r:is_alive())
r:tell("x")
local f = r:stop()
print("stop queued", r:is_alive())
f:get()
print("after stop", r:is_alive())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"after start	true" \
		"stop queued	true" \
		"in handler	true" \
		"in on_stop	false" \
		"after stop	false")"
}

@test "every urn is urn:uuid: and a version 4 UUID in lowercase hex, and no two are alike" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
for _ = 1, 20 do print(C:start().urn) end
print(lactor.start(function() end).urn)
LUA
	run lactor t.lua
	assert_success
	assert_equal "${#lines[@]}" 21
	for l in "${lines[@]}"; do
		assert_regex "$l" "$URN_RE"
	done
	first_run=("${lines[@]}")
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 21
	# A second process must not repeat the first one's urns (a seeded RNG).
	run lactor t.lua
	assert_success
	assert_equal "$(printf '%s\n' "${first_run[@]}" "${lines[@]}" | sort -u | wc -l)" 42
}

@test "self.urn inside the actor is the ref's urn" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_receive() return self.urn end
local r = C:start()
local u = r:ask("urn?"):get()
print(type(u), u == r.urn)
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'string\ttrue')"
}

@test "ref.class is the class table and ref.name is nil when the actor is not registered" {
	script t.lua >/dev/null <<'LUA'
local Base = lactor.class("Base")
local Child = lactor.class("Child", Base)
local r = Child:start()
print(rawequal(r.class, Child), r.class.name)
print(r.name)
print(lactor.start(function() end).class.name == "Actor")
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'true\tChild\nnil\ntrue')"
}

@test "tostring of a ref shows its class name and urn" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Counter")
local r = C:start()
print(r.urn)
print(tostring(r))
LUA
	run lactor t.lua
	assert_success
	urn=${lines[0]}
	assert_regex "$urn" "$URN_RE"
	assert_output "$urn
ActorRef(Counter, $urn)"
}

@test "there is one ref object per actor, so == and rawequal hold" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
local inits
function C:init() inits = self.ref end
function C:on_receive(m)
  if m == "ref" then return self.ref end
  return self.ref == m, rawequal(self.ref, m)
end
local r = C:start()
local s = C:start()
print(rawequal(inits, s))
print(r:ask(r):get())
print(rawequal(r:ask("ref"):get(), r))
print(r == s, r:ask(s):get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'true\ntrue\ttrue\ntrue\nfalse\tfalse\tfalse')"
}

@test "a handler waiting on its own ask raises an error instead of hanging" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("Selfish")
function C:on_receive(m)
  if m == "go" then
    local ok, err = pcall(function() return self.ref:ask("inner"):get() end)
    print(ok, err)
    return "carried on"
  end
  self.got = (self.got and self.got .. " " or "") .. m
  return self.got
end
local r = C:start()
print(r:ask("go"):get())
print(r:ask("after"):get())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"false	t.lua:4: deadlock: an actor cannot wait for the reply to its own ask" \
		"carried on" \
		"inner after")"
}

@test "a handler waiting on its own ask through map, filter, reduce or join raises too, at once" {
	script t.lua >/dev/null <<'LUA'
lactor.after(5, function() end)  -- the end-of-run deadlock check would wait for it
local other = lactor.start(function(self, m) return m end)
local C = lactor.class("Selfish")
function C:on_receive(m)
  if m ~= "go" then return { m } end
  local own = self.ref:ask("inner")
  local function try(f)
    local ok, err = pcall(function() return f:get() end)
    print(ok, err)
  end
  try(own:map(function(t) return t end))
  try(own:filter(function() return true end):map(print))
  try(own:reduce(function(a, b) return a .. b end, ""))
  try(lactor.join(other:ask("fine"), own))
  try(lactor.join(other:ask("fine")):map(function(t) return t[1] end))
end
C:start():ask("go"):get()
lactor.exit(0)
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"false	t.lua:8: deadlock: an actor cannot wait for the reply to its own ask" \
		"false	t.lua:8: deadlock: an actor cannot wait for the reply to its own ask" \
		"false	t.lua:8: deadlock: an actor cannot wait for the reply to its own ask" \
		"false	t.lua:8: deadlock: an actor cannot wait for the reply to its own ask" \
		"true	fine")"
}

@test "a handler waiting for its own stop or its own monitor raises at once instead of hanging" {
	script t.lua >/dev/null <<'LUA'
lactor.after(5, function() end)  -- the end-of-run deadlock check would wait for it
local C = lactor.class("Stopper")
function C:on_receive(m)
  print(pcall(function() local r = self:stop():get() return r end))
  print(pcall(function() local r = self.ref:monitor():get() return r end))
  print(pcall(function() local r = self:stop():map(tostring):get() return r end))
end
function C:on_stop() print("on_stop") end
local c = C:start()
local m = c:monitor()
c:tell("go")
print(m:get(), c:stop():get())
lactor.exit(0)
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"false	t.lua:4: deadlock: an actor cannot wait for its own end" \
		"false	t.lua:5: deadlock: an actor cannot wait for its own end" \
		"false	t.lua:6: deadlock: an actor cannot wait for its own end" \
		"on_stop" \
		"normal	false")"
}

@test "an ask made in one handler can be waited on in a later one, after the actors changed coroutines" {
	script t.lua >/dev/null <<'LUA'
local gate = lactor.future()
local B = lactor.class("Slow")
function B:on_receive(m)
  if m == "hold" then gate:get() return end
  lactor.sleep(0.01)
  return m * 2
end
local b = B:start()
local a = lactor.start(function(self, m)
  if m == "ask" then self.f = b:ask(21) return end
  return self.f:get()
end)
b:tell("hold")
a:tell("ask")
lactor.yield()
gate:set()
print(a:ask("get"):get())
local c = lactor.start(function(self, m) return m end)
for i = 1, 3 do print(c:ask(i):get(), a:ask("get"):get()) end
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '42\n1\t42\n2\t42\n3\t42')"
}

@test "ref.tell(msg) for ref:tell(msg) is a bad argument at the caller, and the actor is unharmed" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function(self, m) print("got", m) end)
print(pcall(r.tell, { cmd = "go" }))
print(pcall(r.ask, { 10, 20, 30, 40, true }))
print(pcall(r.stop, "x"))
print(pcall(r.is_alive, {}))
print(pcall(r.proxy, {}))
print(pcall(r.tell, 42))
r:ask("after"):get()
r.tell({ 1, 2, 3, 4, 5 })
LUA
	run -1 --separate-stderr lactor t.lua
	assert_output "$(printf '%s\n' \
		"false	bad argument #1 to 'tell' (an actor ref expected, got table)" \
		"false	bad argument #1 to 'ask' (an actor ref expected, got table)" \
		"false	bad argument #1 to 'stop' (an actor ref expected, got string)" \
		"false	bad argument #1 to 'is_alive' (an actor ref expected, got table)" \
		"false	bad argument #1 to 'proxy' (an actor ref expected, got table)" \
		"false	bad argument #1 to 'tell' (an actor ref expected, got number)" \
		"got	after")"
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:9: bad argument #1 to 'tell' (an actor ref expected, got table)"
}

@test "ref.ask(), ref.stop(x) and ref.tell(t, msg) slips are bad arguments at the caller's line" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function(self, m) return m end)
print(pcall(r.ask))
print(pcall(r.stop))
print(pcall(r.stop, 7))
local t = {}
print(pcall(r.tell, t, "hi"))
print(next(t))
print(r:ask("still here"):get())
r.ask()
LUA
	run -1 --separate-stderr lactor t.lua
	assert_output "$(printf '%s\n' \
		"false	bad argument #1 to 'ask' (an actor ref expected, got nil)" \
		"false	bad argument #1 to 'stop' (an actor ref expected, got nil)" \
		"false	bad argument #1 to 'stop' (an actor ref expected, got number)" \
		"false	bad argument #1 to 'tell' (an actor ref expected, got table)" \
		"nil" \
		"still here")"
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:9: bad argument #1 to 'ask' (an actor ref expected, got nil)"
}

@test "self.stop() and Class.stop(t) for self:stop() are bad arguments at the caller's line" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
print(pcall(C.stop, {}))
local r = lactor.start(function(self, m)
  if m == "slip" then self.stop() end
  return m
end)
print(r:ask("fine"):get())
print(pcall(function() return r:ask("slip"):get() end))
print(r:is_alive())
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"false	bad argument #1 to 'stop' (an actor instance expected, got table)" \
		"fine" \
		"false	t.lua:4: bad argument #1 to 'stop' (an actor instance expected, got nil)" \
		"true")"
}

@test "a ref's own string fields do not disturb lactor.dump or its order" {
	script t.lua >/dev/null <<'LUA'
local a = lactor.start(function() end)
local b = lactor.start(function() end)
b.serial, a.serial = "b-01", "a-02"
print(a.urn)
print(b.urn)
print(pcall(lactor.dump))
LUA
	run -0 --separate-stderr lactor t.lua
	assert_line -n 2 "true"
	local heads=()
	for l in "${stderr_lines[@]}"; do
		[[ $l == actor* || $l == main* ]] && heads+=("$l")
	done
	assert_equal "${heads[0]}" "main chunk running:"
	assert_equal "${heads[1]}" "actor Actor (${lines[0]}) running:"
	assert_equal "${heads[2]}" "actor Actor (${lines[1]}) running:"
}
