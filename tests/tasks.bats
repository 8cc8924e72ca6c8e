load helpers

# SPEC section 6 without preemption: tasks, the run queue, sleep, timers and
# the clock.
#
# Every script is written to t.lua in the test's scratch directory and run
# from there, so error positions read `t.lua:N:`. Scripts that print several
# values start with a one-line `show` helper (values joined by one space), so
# line 1 is taken and the script's own code starts on line 2.
#
# Tests about lactor ending run it under `timeout`, so a process that never
# ends fails the test (status 124) instead of hanging the suite.

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# --- lactor.spawn -----------------------------------------------------------

@test "lactor.spawn returns a future of the task's return values" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.spawn(function(a, b) return a + b, "sum" end, 2, 3)
print(tostring(f):match("^Future%(") ~= nil)
show(f:get())
print(select("#", lactor.spawn(function() end):get()))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
true
5 sum
0
OUT
}

@test "lactor.spawn passes its extra arguments to the task, nils included" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.spawn(function(...) return select("#", ...), ... end, "x", nil, nil)
show(f:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "3 x nil nil"
}

@test "lactor.spawn and lactor.after pass thousands of arguments" {
	script t.lua <<'LUA'
local t = {}
for i = 1, 5000 do t[i] = i end
local function count(...) return select("#", ...), select(5000, ...) end
print(lactor.spawn(count, table.unpack(t)):get())
lactor.after(0, function(...) print("after", count(...)) end, table.unpack(t))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf '5000\t5000\nafter\t5000\t5000')"
}

@test "a spawned task starts only once the spawner waits or yields" {
	script t.lua <<'LUA'
lactor.spawn(function() print("task runs") end)
print("main after spawn")
lactor.yield()
print("main after yield")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
main after spawn
task runs
main after yield
OUT
}

@test "an error in a task fails its future with the error and leaves the exit status at 0" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.spawn(function() error("boom") end)
local ok, e = pcall(f.get, f)
show(ok, e)
print(tostring(f))
print("main done")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false t.lua:2: boom
Future(failed: t.lua:2: boom)
main done
OUT
}

@test "a task raising a table fails its future with that very table" {
	script t.lua <<'LUA'
local err = { code = 7 }
local f = lactor.spawn(function() error(err) end)
local ok, e = pcall(f.get, f)
print(ok)
print(e == err)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
true
OUT
}

@test "a failed task whose future nobody read is reported on stderr and the exit status stays 0" {
	script t.lua <<'LUA'
lactor.spawn(function() error("boom") end)
lactor.sleep(0.01)
print("main done")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "main done"
	assert_equal "${stderr_lines[0]}" "lactor: task failed: t.lua:1: boom"
	assert_regex "$stderr" $'\nstack traceback:\n'
}

@test "a failed task whose only get timed out before it failed is still reported" {
	script t.lua <<'LUA'
local t = lactor.spawn(function() lactor.sleep(0.05); error("boom") end)
print(pcall(t.get, t, 0.01))
LUA
	run --separate-stderr timeout 10 "$LACTOR" t.lua
	assert_success
	assert_output "$(printf 'false\tTimeout: timed out after 0.01 s')"
	assert_equal "${stderr_lines[0]}" "lactor: task failed: t.lua:1: boom"
}

@test "a failed task's traceback ends at the task's function, without lactor's frames" {
	script t.lua >/dev/null <<'LUA'
lactor.spawn(function()
  error("boom")
end)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" "lactor: task failed: t.lua:2: boom
stack traceback:
	[C]: in function 'error'
	t.lua:2: in function <t.lua:1>"
}

@test "a failed task whose future nobody read is reported only when lactor exits" {
	# stdout and stderr merged: the report comes after everything the main
	# chunk printed after the task had already failed.
	script t.lua <<'LUA'
lactor.spawn(function() error("boom") end)
lactor.sleep(0.01)
print("task has failed by now")
lactor.sleep(0.01)
print("main done")
LUA
	run lactor t.lua
	assert_success
	assert_line --index 0 "task has failed by now"
	assert_line --index 1 "main done"
	assert_line --index 2 "lactor: task failed: t.lua:1: boom"
}

@test "failed tasks whose errors were read are not kept; those nobody read are all reported" {
	script t.lua <<'LUA'
local function round(unread)
  for i = 1, 20000 do
    local f = lactor.spawn(function() error("read " .. i, 0) end)
    pcall(f.get, f)
    if i % 5000 == 0 then lactor.spawn(function() error(unread .. " " .. i, 0) end) end
  end
  lactor.sleep(0)
  collectgarbage(); collectgarbage()
  return collectgarbage("count")
end
round("first")
local after_second = round("second")
print(round("third") - after_second < 100)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output "true"
	assert_equal "$(grep '^lactor: task failed' <<<"$stderr")" "$(for r in first second third; do
		for i in 5000 10000 15000 20000; do echo "lactor: task failed: $r $i"; done; done)"
}

@test "a failed task observed through on_done is not reported at exit" {
	script t.lua <<'LUA'
local f = lactor.spawn(function() error("boom") end)
f:on_done(function(g) print("on_done saw " .. tostring(g)) end)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "on_done saw Future(failed: t.lua:1: boom)"
}

@test "a failed task observed through a derived future is not reported at exit" {
	script t.lua <<'LUA'
local f = lactor.spawn(function() error("boom") end)
local _ = f:map(function(x) return x end)
lactor.sleep(0.01)
print("main done")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "main done"
}

# --- the run queue ------------------------------------------------------------

@test "tasks spawned in turn run in that order" {
	script t.lua <<'LUA'
for i = 1, 3 do
  lactor.spawn(function() print("task " .. i) end)
end
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
task 1
task 2
task 3
OUT
}

@test "two tasks that each yield in a loop alternate" {
	script t.lua <<'LUA'
local function worker(name)
  for i = 1, 3 do
    print(name .. i)
    lactor.yield()
  end
end
local a = lactor.spawn(worker, "a")
local b = lactor.spawn(worker, "b")
a:get()
b:get()
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
a1
b1
a2
b2
a3
b3
OUT
}

@test "lactor.yield lets every other runnable coroutine run first" {
	script t.lua <<'LUA'
lactor.spawn(function() print("task 1") end)
lactor.spawn(function() print("task 2") end)
print("main yields")
lactor.yield()
print("main resumes")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
main yields
task 1
task 2
main resumes
OUT
}

# --- sleep --------------------------------------------------------------------

@test "tasks sleeping 0.03, 0.01 and 0.02 seconds wake shortest first" {
	script t.lua <<'LUA'
for _, s in ipairs({ 0.03, 0.01, 0.02 }) do
  lactor.spawn(function()
    lactor.sleep(s)
    print(s)
  end)
end
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
0.01
0.02
0.03
OUT
}

@test "lactor.sleep in the main chunk lets tasks and timers run meanwhile" {
	# The sleep ends well after the timer: a sleep and a timer that fall
	# due in the same loop turn (the loop held up for 20 ms, as valgrind
	# and a loaded host can) act sleep first (DECISIONS.md).
	script t.lua <<'LUA'
lactor.spawn(function() print("task runs") end)
lactor.after(0.01, function() print("timer fires") end)
lactor.sleep(0.2)
print("main wakes")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
task runs
timer fires
main wakes
OUT
}

# --- timers -------------------------------------------------------------------

@test "lactor.after calls its function with the extra arguments once the delay has passed" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
lactor.after(0.01, function(...) show("fired", select("#", ...), ...) end, "x", nil, 3)
print("scheduled")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
scheduled
fired 3 x nil 3
OUT
}

@test "tostring of a timer shows its interval" {
	script t.lua <<'LUA'
local a = lactor.after(0.5, function() end)
local e = lactor.every(0.25, function() end)
print(tostring(a))
print(tostring(e))
a:cancel()
e:cancel()
LUA
	run --separate-stderr timeout 10 "$LACTOR" t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
Timer(0.5)
Timer(0.25)
OUT
}

@test "tostring of a timer shows its time as tostring shows a number, every digit" {
	run timeout 10 "$LACTOR" -e '
local a, b = lactor.after(123456789, print), lactor.after(1/3, print)
print(tostring(a), tostring(b))
a:cancel() b:cancel()'
	assert_success
	assert_output "$(printf 'Timer(123456789)\tTimer(0.33333333333333)')"
}

@test "lactor.every timers the loop cannot keep up with neither pile up nor starve the rest" {
	# 5000 timers every millisecond are more than the loop keeps up with:
	# each may have one callback queued, never more (they once queued
	# millions of tasks and gigabytes), and the sleeping main chunk still
	# gets its turn (timers due all the time once kept the run queue from
	# running at all).
	script t.lua <<'LUA'
local ts, n = {}, 0
for i = 1, 5000 do ts[i] = lactor.every(0.001, function() n = n + 1 end) end
lactor.sleep(0.05)
local queued = lactor.stats().tasks
for _, t in ipairs(ts) do t:cancel() end
print(queued <= 5000, n > 0)
LUA
	run -0 --separate-stderr timeout -s KILL 60 "$LACTOR" t.lua
	assert_output "$(printf 'true\ttrue')"
}

@test "lactor.every passes its arguments each time and stops once cancelled" {
	script t.lua <<'LUA'
local n = 0
local t
t = lactor.every(0.01, function(tag)
  n = n + 1
  print(tag .. " " .. n)
  if n == 3 then
    t:cancel()
    print("cancelled")
  elseif n > 3 then
    print("still firing after cancel")
    lactor.exit(3)
  end
end, "tick")
LUA
	run --separate-stderr timeout 10 "$LACTOR" t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
tick 1
tick 2
tick 3
cancelled
OUT
}

@test "a timer cancelled before it fires never runs and does not keep lactor alive" {
	script t.lua <<'LUA'
local a = lactor.after(0.01, function() print("after fired") end)
local e = lactor.every(0.01, function() print("every fired") end)
local long = lactor.after(30, function() print("long fired") end)
a:cancel()
e:cancel()
long:cancel()
lactor.sleep(0.03)
print("main done")
LUA
	run --separate-stderr timeout 10 "$LACTOR" t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "main done"
}

@test "cancel keeps a callback that has fired but not started from running, and says so" {
	script t.lua >/dev/null <<'LUA'
local t = lactor.after(0, function() print("after ran") end)
local e = lactor.every(0.001, function() print("every ran") end)
local t0 = lactor.now()
while lactor.now() - t0 < 0.01 do end                  -- both are due
while lactor.stats().tasks < 2 do lactor.yield() end   -- and their calls queued
print(t:cancel(), e:cancel())
print(t:cancel(), e:cancel())
lactor.sleep(0.02)
local late = lactor.after(0, function() print("late ran") end)
lactor.sleep(0.02)
print(late:cancel())
LUA
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr timeout 10 "$LACTOR" --slice 0 t.lua
	assert_output "$(printf 'true\ttrue\nfalse\tfalse\nlate ran\nfalse')"
	assert_equal "$stderr" ""
}

@test "a timer callback runs in its own task, so it can sleep while others run" {
	script t.lua <<'LUA'
lactor.after(0.01, function()
  print("slow timer starts")
  lactor.sleep(0.03)
  print("slow timer ends")
end)
lactor.after(0.02, function() print("fast timer") end)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
slow timer starts
fast timer
slow timer ends
OUT
}

@test "an error in a timer callback is reported, the run goes on, and the exit status is 1" {
	script t.lua <<'LUA'
lactor.after(0.01, function() error("boom") end)
lactor.after(0.03, function() print("later timer runs") end)
print("main done")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output - <<'OUT'
main done
later timer runs
OUT
	assert_equal "${stderr_lines[0]}" "lactor: timer callback failed: t.lua:1: boom"
	assert_regex "$stderr" $'\nstack traceback:\n'
	# Reported once, as a timer failure, not again as an unobserved task.
	refute_regex "$stderr" 'task failed'
}

@test "lactor stays alive while a timer is pending" {
	script t.lua <<'LUA'
lactor.after(0.03, function() print("timer fired") end)
print("main done")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
main done
timer fired
OUT
}

@test "lactor exits once no timer is pending any more" {
	script t.lua <<'LUA'
local n = 0
local t
t = lactor.every(0.01, function()
  n = n + 1
  if n == 2 then t:cancel() end
end)
lactor.after(0.02, function() print("last timer") end)
print("main done")
LUA
	run --separate-stderr timeout 10 "$LACTOR" t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
main done
last timer
OUT
}

# --- the clock ----------------------------------------------------------------

@test "lactor.now is a monotonic clock in seconds that advances across a sleep" {
	script t.lua <<'LUA'
local t0 = lactor.now()
print(math.type(t0))
local prev, monotonic = t0, true
for _ = 1, 100 do
  lactor.yield()
  local t = lactor.now()
  if t < prev then monotonic = false end
  prev = t
end
print(monotonic)
local before = lactor.now()
lactor.sleep(0.02)
local after = lactor.now()
print(after > before)
print(after - before > 0.01)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
float
true
true
true
OUT
}

@test "timers run on lactor.now's clock" {
	script t.lua <<'LUA'
local start = lactor.now()
lactor.after(0.02, function()
  print(lactor.now() - start > 0.01)
end)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "true"
}

@test "a script cannot resume or close a coroutine lactor runs" {
	script t.lua >/dev/null <<'LUA'
local co
local f = lactor.spawn(function() co = coroutine.running() lactor.sleep(0.01) return "done" end)
lactor.yield()
print(pcall(coroutine.resume, co))
print(pcall(coroutine.close, co))
print(f:get())
local gen = coroutine.wrap(function() coroutine.yield(1) end)
local own = coroutine.create(function() return "own" end)
print(gen(), coroutine.resume(own))
LUA
	run lactor t.lua
	assert_success
	assert_output "$(printf '%s\n' \
		"false	bad argument #1 to 'resume' (a coroutine lactor runs)" \
		"false	bad argument #1 to 'close' (a coroutine lactor runs)" \
		"done" \
		"1	true	own")"
}

@test "timers, timeouts and sleep refuse NaN instead of never firing" {
	run lactor -e 'local nan = 0/0
print(pcall(function() lactor.after(nan, print) end))
print(pcall(function() lactor.every(nan, print) end))
print(pcall(function() lactor.future():get(nan) end))
print(pcall(function() lactor.sleep(nan) end))'
	assert_success
	assert_output "$(printf '%s\n' \
		"false	(command line):2: bad argument #1 to 'after' (number is NaN)" \
		"false	(command line):3: bad argument #1 to 'every' (number is NaN)" \
		"false	(command line):4: bad argument #1 to 'get' (number is NaN)" \
		"false	(command line):5: bad argument #1 to 'sleep' (number is NaN)")"
}

@test "a bad argument to a lactor function called through pcall names it lactor.NAME" {
	# Called without a name, it is looked up in package.loaded: always as
	# lactor's, never as the internal lactor.core's.  (Runs differ in the
	# order a table walk takes, hence several.)
	local i
	for i in 1 2 3 4 5 6 7 8; do
		run lactor -e 'for _, f in ipairs({ "sleep", "after", "every", "exit" }) do
  print(select(2, pcall(lactor[f], "x")))
end'
		assert_success
		assert_output "$(printf '%s\n' \
			"bad argument #1 to 'lactor.sleep' (number expected, got string)" \
			"bad argument #1 to 'lactor.after' (number expected, got string)" \
			"bad argument #1 to 'lactor.every' (number expected, got string)" \
			"bad argument #1 to 'lactor.exit' (number expected, got string)")"
	done
}

@test "a misuse in a handler's tail call never names lactor's own file and line" {
	# `return lactor.join(5)` leaves no frame of the handler's: the frame
	# below is lactor's worker, and the error has no position, as one
	# raised in a C function's frame.  Called as usual, the line is the
	# script's.
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("A")
function A:on_receive(m)
  if m == "tail" then return lactor.join(5) end
  lactor.spawn(5)
end
local a = A:start()
print(select(2, pcall(function() return a:ask("tail"):get() end)))
print(select(2, pcall(function() return a:ask("call"):get() end)))
print(select(2, pcall(function()
  return lactor.start(function(self, m)
    if m == 0 then return lactor.get_all({ self.ref:ask(1) }) end
  end):ask(0):get()
end)))
LUA
	run --separate-stderr timeout 10 "$LACTOR" t.lua
	assert_success
	assert_output - <<'OUT'
bad argument #1 to 'join' (a future expected, got number)
t.lua:4: bad argument #1 to 'spawn' (function expected, got number)
deadlock: an actor cannot wait for the reply to its own ask
OUT
}

@test "finalizers that lua_close runs at exit may still call lactor" {
	# They run after the loop has ended: what they spawn, start or queue
	# never runs, and must not touch memory lua_close frees (make check).
	local s
	s=$(script gc.lua <<'LUA'
local r = lactor.start(function(self, m) print("got", m) end)
local waiting = lactor.future()
lactor.spawn(function() print("waiter got", waiting:get()) end)
setmetatable({}, { __gc = function()
  print("tell", pcall(r.tell, r, "late"))
  local f = lactor.future()
  f:on_done(function() print("never") end)
  print("set", pcall(f.set, f, 1))
  print("spawn", pcall(lactor.spawn, function() print("never") end))
  print("after", pcall(lactor.after, 0, function() print("never") end))
  print("start", pcall(lactor.start, print))
  print("ask", pcall(function() return r:ask(1, 0.5) end))
end })
r:tell("hi")
waiting:set("early")
LUA
)
	run lactor "$s"
	assert_success
	assert_output --regexp "^got	hi
waiter got	early
tell	false	ActorDead: Actor \($URN\) is dead
set	true
spawn	true	Future\(pending\)
after	true	Timer\(0\)
start	true	ActorRef\(Actor, $URN\)
ask	true	Future\(failed: ActorDead: Actor \($URN\) is dead\)\$"
}
