load helpers

# SPEC §7, the registry and names: all, by_class, by_urn, broadcast,
# stop_all, register, unregister, whereis, ref.name, names freed at death.

bats_require_minimum_version 1.5.0

# Scripts run from the scratch dir, so error positions read `t.lua:N:`.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# A prelude for the scripts below: three classes and a way to print refs.
prelude() {
	cat <<'LUA'
local label_of = {}                   -- ref → label, set by init
local Animal = lactor.class("Animal")
function Animal:init(label) self.label = label; label_of[self.ref] = label end
function Animal:on_receive(m) print(self.label .. " got " .. tostring(m)) end
function Animal:on_stop() print("on_stop " .. self.label) end
local Dog = lactor.class("Dog", Animal)
local Puppy = lactor.class("Puppy", Dog)
local function labels(refs)
  local out = {}
  for i, r in ipairs(refs) do out[i] = label_of[r] end
  return "[" .. table.concat(out, " ") .. "]"
end
LUA
}

@test "registry.all lists the live actors in start order, as a fresh list" {
	{ prelude; cat <<'LUA'; } >t.lua
local a, d, p = Animal:start("a"), Dog:start("d"), Puppy:start("p")
local all = lactor.registry.all()
print(labels(all))
all[1] = nil
print(labels(lactor.registry.all()), lactor.registry.all() ~= lactor.registry.all())
local s = d:stop()
print(labels(lactor.registry.all()), d:is_alive())
s:get()
print(labels(lactor.registry.all()))
LUA
	run lactor t.lua
	assert_success
	assert_output "[a d p]
$(printf '[a d p]\ttrue')
$(printf '[a d p]\ttrue')
on_stop d
[a p]
on_stop p
on_stop a"
}

@test "registry.by_class takes a class with its subclasses, or an exact class name" {
	{ prelude; cat <<'LUA'; } >t.lua
local Cat = lactor.class("Cat")
Animal:start("a"); Dog:start("d"); Cat:start(); Puppy:start("p"); Dog:start("d2")
print(labels(lactor.registry.by_class(Animal)))
print(labels(lactor.registry.by_class(Dog)))
print(labels(lactor.registry.by_class(Puppy)))
print(labels(lactor.registry.by_class("Dog")))
print(labels(lactor.registry.by_class("Animal")))
print(#lactor.registry.by_class("Nobody"), #lactor.registry.by_class(Cat))
print(select(2, pcall(function() lactor.registry.by_class(42) end)))
print(select(2, pcall(function() lactor.registry.by_class({}) end)))
lactor.exit(0)
LUA
	run lactor t.lua
	assert_success
	assert_output "[a d p d2]
[d p d2]
[p]
[d d2]
[a]
$(printf '0\t1')
t.lua:21: bad argument #1 to 'by_class' (a class or a class name expected, got number)
t.lua:22: bad argument #1 to 'by_class' (a class or a class name expected, got table)
on_stop d2
on_stop p
on_stop d
on_stop a"
}

@test "registry.by_urn finds a live actor's ref, and nil once it is dead" {
	{ prelude; cat <<'LUA'; } >t.lua
local a, d = Animal:start("a"), Dog:start("d")
print(lactor.registry.by_urn(d.urn) == d, lactor.registry.by_urn(a.urn) == a)
print(lactor.registry.by_urn("urn:uuid:00000000-0000-4000-8000-000000000000"))
d:stop():get()
print(lactor.registry.by_urn(d.urn))
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'true\ttrue')
nil
on_stop d
nil
on_stop a"
}

@test "registry.broadcast tells every actor, or a class with its subclasses, or one class by name" {
	{ prelude; cat <<'LUA'; } >t.lua
function Animal:on_receive(m) self.got = (self.got and self.got .. ", " or "") .. m end
function Animal:on_stop() print(self.label .. ": " .. tostring(self.got)) end
Animal:start("a"); Dog:start("d"); Puppy:start("p")
print(select("#", lactor.registry.broadcast("everyone")))
lactor.registry.broadcast("dogs", Dog)
lactor.registry.broadcast("exactly Dog", "Dog")
lactor.registry.broadcast("nobody", "Fish")
print(select(2, pcall(function() lactor.registry.broadcast("x", 7) end)))
LUA
	run lactor t.lua
	assert_success
	assert_output "0
t.lua:20: bad argument #2 to 'broadcast' (a class or a class name expected, got number)
p: everyone, dogs
d: everyone, dogs, exactly Dog
a: everyone"
}

@test "registry.broadcast reaches the actors in start order" {
	{ prelude; cat <<'LUA'; } >t.lua
local order = {}
function Animal:on_receive(m) order[#order + 1] = self.label end
Dog:start("d"); Animal:start("a"); Puppy:start("p")
lactor.registry.broadcast("hi")
lactor.yield()
print(table.concat(order, " "))
lactor.exit(0)
LUA
	run lactor t.lua
	assert_success
	assert_output "d a p
on_stop p
on_stop a
on_stop d"
}

@test "registry.stop_all stops in reverse start order, each on_stop in turn, and gives the results" {
	{ prelude; cat <<'LUA'; } >t.lua
local Slow = lactor.class("Slow", Animal)
function Slow:on_stop() lactor.sleep(0.02); print("on_stop " .. self.label .. " (slow)") end
local a, s, d = Animal:start("a"), Slow:start("s"), Dog:start("d")
d:tell("queued before the stop")
local f = lactor.registry.stop_all()
print(f)
local results = f:get()
print(#results, results[1], results[2], results[3])
print(#lactor.registry.all(), a:is_alive(), s:is_alive(), d:is_alive())
print(#lactor.registry.stop_all():get())
LUA
	run lactor t.lua
	assert_success
	assert_output "Future(pending)
d got queued before the stop
on_stop d
on_stop s (slow)
on_stop a
$(printf '3\ttrue\ttrue\ttrue')
$(printf '0\tfalse\tfalse\tfalse')
0"
}

@test "register names an actor: whereis finds it and ref.name holds the name" {
	{ prelude; cat <<'LUA'; } >t.lua
local a = Animal:start("a")
print(a.name, lactor.whereis("worker"))
print(lactor.register("worker", a) == a)
print(a.name, lactor.whereis("worker") == a)
lactor.whereis("worker"):tell("hello")
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'nil\tnil\ntrue\nworker\ttrue')
a got hello
on_stop a"
}

@test "a taken name raises at the caller, and so does naming an actor twice" {
	{ prelude; cat <<'LUA'; } >t.lua
local a, d = Animal:start("a"), Dog:start("d")
print(a.urn)
lactor.register("w", a)
print(select(2, pcall(function() lactor.register("w", d) end)))
print(select(2, pcall(function() lactor.register("other", a) end)))
print(select(2, pcall(function() lactor.register("w", a) end)))
print(lactor.whereis("w") == a, a.name, d.name, lactor.whereis("other"))
print(select(2, pcall(function() lactor.register(1, a) end)))
print(select(2, pcall(function() lactor.register("x", "a") end)))
print(select(2, pcall(function() lactor.whereis() end)))
lactor.register("w")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	urn=${lines[0]}
	assert_output "$urn
t.lua:16: name 'w' is already taken by ActorRef(Animal, $urn)
t.lua:17: ActorRef(Animal, $urn) is already registered as 'w'
t.lua:18: name 'w' is already taken by ActorRef(Animal, $urn)
$(printf 'true\tw\tnil\tnil')
t.lua:20: bad argument #1 to 'register' (string expected, got number)
t.lua:21: bad argument #2 to 'register' (an actor ref expected, got string)
t.lua:22: bad argument #1 to 'whereis' (string expected, got nil)
on_stop d
on_stop a"
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:23: bad argument #2 to 'register' (an actor ref expected, got nil)"
}

@test "registering a dead actor raises ActorDead" {
	{ prelude; cat <<'LUA'; } >t.lua
local a = Animal:start("a")
a:stop():get()
local ok, e = pcall(lactor.register, "w", a)
print(ok, tostring(e) == "ActorDead: Animal (" .. a.urn .. ") is dead", lactor.whereis("w"))
LUA
	run lactor t.lua
	assert_success
	assert_output "on_stop a
$(printf 'false\ttrue\tnil')"
}

@test "unregister frees the name only: the actor lives on and stays in the registry" {
	{ prelude; cat <<'LUA'; } >t.lua
local a, d = Animal:start("a"), Dog:start("d")
lactor.register("w", a)
print(lactor.unregister("w"), lactor.unregister("w"), lactor.unregister("never"))
print(a.name, lactor.whereis("w"), a:is_alive(), labels(lactor.registry.all()))
lactor.register("w", d)
lactor.register("a-again", a)
print(lactor.whereis("w") == d, a.name)
a:tell("still here")
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf 'true\tfalse\tfalse')
$(printf 'nil\tnil\ttrue\t[a d]')
$(printf 'true\ta-again')
a got still here
on_stop d
on_stop a"
}

@test "a name is freed when its actor stops or crashes, and can be taken again" {
	{ prelude; cat <<'LUA'; } >t.lua
local Boom = lactor.class("Boom")
function Boom:on_receive() error("boom", 0) end
local failed = lactor.future()
function Boom:on_failure() failed:set() end
local a, b = Animal:start("a"), Boom:start()
lactor.register("first", a)
lactor.register("second", b)
a:stop():get()
print(lactor.whereis("first"), a.name)
b:tell("crash")
failed:get()
print(lactor.whereis("second"), b.name)
local c = Animal:start("c")
print(lactor.register("first", c) == c, lactor.register("second", Dog:start("d")).name)
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "on_stop a
$(printf 'nil\tnil')
$(printf 'nil\tnil')
$(printf 'true\tsecond')
on_stop d
on_stop c"
	assert_regex "${stderr_lines[0]}" '^lactor: actor Boom \(urn:uuid:[0-9a-f-]{36}\) crashed: boom$'
}

@test "with -d registering and unregistering a name are logged" {
	script t.lua >/dev/null <<'LUA'
local r = lactor.start(function() end)
print(r.urn)
lactor.register("w", r)
lactor.unregister("w")
LUA
	run --separate-stderr lactor -d t.lua
	assert_success
	urn=${lines[0]}
	assert_equal "${stderr_lines[0]}" "lactor: debug: started Actor ($urn)"
	assert_equal "${stderr_lines[1]}" "lactor: debug: registered Actor ($urn): w"
	assert_equal "${stderr_lines[2]}" "lactor: debug: unregistered Actor ($urn): w"
	assert_equal "${stderr_lines[3]}" "lactor: debug: stopped Actor ($urn)"
	assert_equal "${#stderr_lines[@]}" 4
}
