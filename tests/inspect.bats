load helpers

# SPEC §8, looking inside: lactor.ps(), lactor.stats(), lactor.dump() and
# SIGUSR1, and the -d lifecycle log.

bats_require_minimum_version 1.5.0

# Scripts run from the scratch dir, so error positions read `t.lua:N:`.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# A dump with only what does not depend on lactor's own code: the lines
# that head each coroutine, and the frames in t.lua, without function
# names ("\tt.lua:12").
dump_outline() {
	sed -n -e '/^lactor: dump:/p' -e '/^\(main chunk\|task\|actor\) .*:$/p' \
		-e 's/^\t\(t\.lua:[0-9]*\):.*/\t\1/p' \
		-e '/^\t(\(not started yet\|idle: no message to handle\))$/p' "$@"
}

@test "lactor.ps has one row per live actor, in start order, with its state, mailbox and processed count" {
	script t.lua >/dev/null <<'LUA'
local gate = lactor.future()
local Echo = lactor.class("Echo")
function Echo:on_receive(m) return m end
local Gated = lactor.class("Gated")
function Gated:on_receive(m) if m == "wait" then gate:get() end end
local Sleeper = lactor.class("Sleeper")
function Sleeper:on_receive(s) lactor.sleep(s) end
local Looker = lactor.class("Looker")
function Looker:on_receive()
  for _, row in ipairs(lactor.ps()) do
    if row.urn == self.urn then return row.state end
  end
end

local idle = Echo:start()
idle:ask(1):get(); idle:ask(2):get()
lactor.register("echo", idle)
local waiting = Gated:start()
waiting:tell("wait"); waiting:tell("x"); waiting:tell("y")
local sleeping = Sleeper:start()
sleeping:tell(0.01)
local stopping = Gated:start()
stopping:tell("wait"); stopping:tell("z"); stopping:stop()
lactor.yield()
local fresh = Echo:start()
fresh:tell("not handled yet")
local refs = { idle, waiting, sleeping, stopping, fresh }

local rows = lactor.ps()
print(#rows)
for i, row in ipairs(rows) do
  print(row.urn == refs[i].urn, row.class, row.name, row.state, row.mailbox, row.processed)
end
print(Looker:start():ask("where am I"):get())
gate:set()
lactor.sleep(0.02)
for _, row in ipairs(lactor.ps()) do
  print(row.class, row.state, row.mailbox, row.processed)
end
LUA
	run lactor t.lua
	assert_success
	assert_output "5
$(printf 'true\tEcho\techo\tidle\t0\t2')
$(printf 'true\tGated\tnil\twaiting\t2\t0')
$(printf 'true\tSleeper\tnil\twaiting\t0\t0')
$(printf 'true\tGated\tnil\tstopping\t1\t0')
$(printf 'true\tEcho\tnil\trunning\t1\t0')
running
$(printf 'Echo\tidle\t0\t2')
$(printf 'Gated\tidle\t0\t3')
$(printf 'Sleeper\tidle\t0\t1')
$(printf 'Echo\tidle\t0\t1')
$(printf 'Looker\tidle\t0\t1')"
}

@test "tostring of lactor.ps() is a table with a header line" {
	script t.lua >/dev/null <<'LUA'
print(tostring(lactor.ps()))
local Counter = lactor.class("Counter")
function Counter:on_receive() end
local c = Counter:start()
c:ask("x"):get()
lactor.register("w", c)
local a = lactor.start(function() end)
lactor.yield()
print(c.urn)
print(a.urn)
print(tostring(lactor.ps()))
LUA
	run lactor t.lua
	assert_success
	c=${lines[1]}
	a=${lines[2]}
	assert_regex "$c" "$URN_RE"
	row='%-45s  %-7s  %-4s  %-5s  %7s  %9s'
	assert_output "URN  CLASS  NAME  STATE  MAILBOX  PROCESSED
$c
$a
$(printf "$row\n" URN CLASS NAME STATE MAILBOX PROCESSED "$c" Counter w idle 0 1 "$a" Actor - idle 0 0)"
}

@test "lactor.stats counts actors, messages, dead letters, tasks, timers and memory" {
	script t.lua >/dev/null <<'LUA'
local function show(s)
  print(s.alive, s.started, s.crashed, s.sent, s.handled, s.dead_letters, s.tasks, s.timers)
end
show(lactor.stats())
local Echo = lactor.class("Echo")
function Echo:on_receive(m) return m end
local Boom = lactor.class("Boom")
local crashed = lactor.future()
function Boom:on_receive() error("boom", 0) end
function Boom:on_failure() crashed:set() end
local e = Echo:start()
e:tell(1)
e:ask(2):get()
local b = Boom:start()
b:tell("crash"); b:tell("lost"); b:tell("lost too")
crashed:get()
local timer = lactor.after(60, print)
local task = lactor.spawn(lactor.sleep, 0.01)
show(lactor.stats())
timer:cancel()
task:get()
e:stop():get()
show(lactor.stats())
local m = lactor.stats().memory
print(math.type(m), m > 0)
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "$(printf '0\t0\t0\t0\t0\t0\t0\t0
1\t2\t1\t5\t2\t2\t1\t1
0\t2\t1\t5\t2\t2\t0\t0
integer\ttrue')"
}

@test "lactor.stats works inside a finalizer, where collectgarbage cannot count, and memory grows with what is held" {
	run -0 --separate-stderr lactor -e '
setmetatable({}, { __gc = function()
  local ok, s = pcall(lactor.stats)
  print(ok, math.type(s.memory), s.memory > 0)
end })
collectgarbage()
local before = lactor.stats().memory
local held = {}
for i = 1, 1000 do held[i] = { i } end
print(lactor.stats().memory - before >= 1000 * 56)'
	assert_output "$(printf 'true\tinteger\ttrue\ntrue')"
	assert_equal "$stderr" ""
}

@test "processed counts every message handled while a busy actor gives the loop its turns" {
	# The actor keeps telling itself, so its worker gives the loop a turn
	# between two of its messages, where ps() and a kill look at it: it is
	# inside no message then, and none may go uncounted.
	script t.lua >/dev/null <<'LUA'
local Loop = lactor.class("Loop")
local handled = 0
function Loop:on_receive(m)
  handled = handled + 1
  if handled < 3000 then self.ref:tell(m) end
  self.ref:tell(m)
end
function Loop:on_stop()
  local s = lactor.stats()
  print("after the kill, sent = handled + dead letters:", s.sent == s.handled + s.dead_letters,
    "handled counted:", s.handled == handled)
end
Loop:start():tell(1)
local off = 0
for i = 1, 30 do
  lactor.sleep(0.001)
  if lactor.ps()[1].processed ~= handled then off = off + 1 end
end
print("looks where processed was off:", off)
lactor.exit(0)
LUA
	run -0 lactor --slice 0 t.lua
	assert_output "$(printf 'looks where processed was off:\t0
after the kill, sent = handled + dead letters:\ttrue\thandled counted:\ttrue')"
}

@test "lactor.dump writes every coroutine's traceback to stderr, headed by what it is" {
	script t.lua >/dev/null <<'LUA'
local gate = lactor.future()
local Gated = lactor.class("Gated")
function Gated:on_receive(m)
  gate:get()
end
local Echo = lactor.class("Echo")
function Echo:on_receive(m) return m end
local g, e = Gated:start(), Echo:start()
print(g.urn)
print(e.urn)
g:tell("wait")
e:ask(1):get()
lactor.spawn(function()
  lactor.sleep(0.01)
end)
lactor.yield()
local fresh = Echo:start()
print(fresh.urn)
lactor.dump()
gate:set()
LUA
	run --separate-stderr lactor t.lua
	assert_success
	g=${lines[0]}
	e=${lines[1]}
	f=${lines[2]}
	run dump_outline <<<"$stderr"
	assert_output "lactor: dump: 3 actor(s), 1 task(s)
main chunk running:
	t.lua:19
actor Gated ($g) waiting:
	t.lua:4
actor Echo ($e) idle:
	(idle: no message to handle)
task waiting:
	t.lua:14
actor Echo ($f) running:
	(not started yet)"
	run grep -c '^stack traceback:$' <<<"$stderr"
	assert_output 5
}

@test "lactor.dump shows each traceback down to the script's own code, not lactor's" {
	script t.lua >/dev/null <<'LUA'
local gate = lactor.future()
local Gated = lactor.class("Gated")
function Gated:on_receive(m) gate:get() end
local g = Gated:start()
g:tell("go")
lactor.spawn(function() gate:get() end)
lactor.sleep(0.01)
lactor.dump()
gate:set()
LUA
	run --separate-stderr lactor t.lua
	assert_success
	refute_regex "$stderr" "lua/lactor/"
	run grep -A3 -E '^(actor Gated|task)' <<<"$stderr"
	assert_output --regexp "^actor Gated \(urn:uuid:[-0-9a-f]+\) waiting:
stack traceback:
	\[C\]: in method 'get'
	t\.lua:3: in local 'on_receive'
task waiting:
stack traceback:
	\[C\]: in method 'get'
	t\.lua:6: in function <t\.lua:6>\$"
}

@test "lactor.dump tail-called by a handler shows that the caller's frame went with the tail call" {
	script t.lua >/dev/null <<'LUA'
local a = lactor.start(function(self, m) return lactor.dump() end)
a:ask("go"):get()
LUA
	run --separate-stderr lactor t.lua
	assert_success
	run grep -A2 '^actor Actor' <<<"$stderr"
	assert_line --index 1 "stack traceback:"
	assert_line --index 2 $'\t(...tail calls...)'
	refute_regex "$stderr" "lua/lactor/"
}

@test "lactor.dump called in a handler shows that actor from where it called" {
	script t.lua >/dev/null <<'LUA'
local Dumper = lactor.class("Dumper")
function Dumper:on_receive(m)
  lactor.dump()
end
Dumper:start():ask("go"):get()
LUA
	run --separate-stderr lactor t.lua
	assert_success
	run grep -A2 '^actor Dumper' <<<"$stderr"
	assert_line --index 1 "stack traceback:"
	assert_line --index 2 --regexp $'^\tt\\.lua:3: in '
}

@test "SIGUSR1 makes a running lactor dump every coroutine's traceback and carry on" {
	script t.lua >/dev/null <<'LUA'
local ready, go = ...
local Sleeper = lactor.class("Sleeper")
function Sleeper:on_receive(s)
  lactor.sleep(s)
end
local s = Sleeper:start()
print(s.urn)
s:tell(60)
lactor.yield()
io.open(ready, "w"):close()
lactor.every(0.2, function() if io.open(go) then print("carried on") lactor.exit(0) end end)
lactor.future():get()
LUA
	"$LACTOR" t.lua ready go >out 2>err &
	pid=$!
	wait_for ready || fail "lactor never got ready"
	kill -USR1 "$pid"
	for _ in $(seq 500); do grep -q '^lactor: dump:' err && break; sleep 0.01; done
	touch go
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	urn=$(head -1 out)
	assert_regex "$urn" "$URN_RE"
	assert_equal "$(cat out)" "$urn
carried on"
	run dump_outline err
	assert_output "lactor: dump: 1 actor(s), 0 task(s)
main chunk waiting:
	t.lua:12
actor Sleeper ($urn) waiting:
	t.lua:4"
}

@test "with -d actors' lifecycle events are logged to stderr, one line each" {
	script t.lua >/dev/null <<'LUA'
local C = lactor.class("C")
function C:on_receive(m) if m == "crash" then error("boom", 0) end end
local a, b = C:start(), C:start()
print(a.urn)
print(b.urn)
a:stop():get()
b:tell("crash")
b:tell("late")
LUA
	run --separate-stderr lactor -d t.lua
	assert_failure 1
	a=${lines[0]}
	b=${lines[1]}
	run grep '^lactor:' <<<"$stderr"
	assert_output "lactor: debug: started C ($a)
lactor: debug: started C ($b)
lactor: debug: stopped C ($a)
lactor: actor C ($b) crashed: boom
lactor: debug: crashed C ($b): boom
lactor: debug: dead letter for C ($b): late"
}

@test "with -d a dead letter whose __tostring raises is logged as a plain table" {
	script t.lua >/dev/null <<'LUA'
local a = lactor.class("A"):start()
local bad = setmetatable({}, { __tostring = function() error("no text", 0) end })
a:stop()
a:tell(bad)
local f = a:ask(2)
print(pcall(f.get, f))
LUA
	run --separate-stderr lactor -d t.lua
	assert_success
	assert_output "false	ActorDead: stopped before handling the message"
	run grep -c '^lactor: debug: dead letter for A (.*): table: 0x' <<<"$stderr"
	assert_output 1
	run grep -c 'crashed' <<<"$stderr"
	assert_output 0
}

@test "without -d nothing is logged" {
	run --separate-stderr lactor -e 'local r = lactor.start(function() end); r:tell(1); r:stop():get(); lactor.register("w", lactor.start(function() end))'
	assert_success
	assert_equal "$stderr" ""
}
