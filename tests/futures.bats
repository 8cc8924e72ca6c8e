load helpers

# SPEC section 4: futures, their combinators, and error objects.
#
# Every script is written to t.lua in the test's scratch directory and run
# from there, so error positions read `t.lua:N:`. Scripts that print several
# values start with a one-line `show` helper (values joined by one space), so
# line 1 is taken and the script's own code starts on line 2.

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# --- making, setting, reading ------------------------------------------------

@test "lactor.future makes a pending future that is not ready" {
	script t.lua <<'LUA'
local f = lactor.future()
print(f:is_ready())
print(tostring(f))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
Future(pending)
OUT
}

@test "get returns no values when the future was set with none" {
	script t.lua <<'LUA'
local f = lactor.future()
f:set()
print(select("#", f:get()))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "0"
}

@test "get returns a single nil when the future was set with nil" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
f:set(nil)
show(select("#", f:get()), f:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "1 nil"
}

@test "get returns every value the future was set with, nils included" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
f:set(1, nil, "three", false, nil)
show(select("#", f:get()))
show(f:get())
local many = lactor.future()
many:set(table.unpack({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }))
show(many:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
5
1 nil three false nil
1 2 3 4 5 6 7 8 9 10 11 12
OUT
}

@test "the value can be read any number of times" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
f:set("v", 2)
for _ = 1, 3 do show(f:get()) end
local g = lactor.future()
local err = {}
g:set_exception(err)
for _ = 1, 3 do
  local ok, e = pcall(g.get, g)
  show(ok, e == err)
end
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
v 2
v 2
v 2
false true
false true
false true
OUT
}

# --- errors through get ------------------------------------------------------

@test "get re-raises a string error with its original file:line: prefix" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local function boom() error("boom") end
local f = lactor.future()
local _, err = pcall(boom)
f:set_exception(err)
local ok, e = pcall(f.get, f)
show(ok, e, e == err)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "false t.lua:2: boom true"
}

@test "an uncaught re-raised error is reported with the position where it was first raised" {
	script t.lua <<'LUA'
local function boom() error("boom") end
local f = lactor.future()
f:set_exception(select(2, pcall(boom)))
print("before get")
f:get()
print("not reached")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output "before get"
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:1: boom"
}

@test "get re-raises a table error value as the very same table" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
local err = { code = 42 }
f:set_exception(err)
local ok, e = pcall(f.get, f)
show(ok, e == err, e.code)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "false true 42"
}

# --- waiting ----------------------------------------------------------------

@test "the main chunk waiting in get lets a task run until it sets the future" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
lactor.spawn(function()
  lactor.sleep(0.02)
  print("task sets")
  f:set("done", 2)
end)
print("main waits")
show("main got", f:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
main waits
task sets
main got done 2
OUT
}

@test "every coroutine waiting on the same future wakes with its value" {
	script t.lua <<'LUA'
local f = lactor.future()
local a = lactor.spawn(function() return "a got " .. f:get() end)
local b = lactor.spawn(function() return "b got " .. f:get() end)
lactor.sleep(0.01)
print(f:is_ready())
f:set("x")
print(a:get())
print(b:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
a got x
b got x
OUT
}

@test "coroutines waiting on the same future wake in the order they began to wait" {
	run lactor -e '
local f = lactor.future()
for i = 1, 4 do lactor.spawn(function() f:get() print("task", i) end) end
local A = lactor.class("Waiter")
function A:on_receive(i) f:get() print("actor", i) end
for i = 1, 3 do A:start():tell(i) end
lactor.sleep(0.01)
f:set()'
	assert_success
	assert_output - <<'OUT'
task	1
task	2
task	3
task	4
actor	1
actor	2
actor	3
OUT
}

@test "get with a timeout raises a Timeout error object when nothing sets the future" {
	script t.lua <<'LUA'
local f = lactor.future()
local ok, e = pcall(f.get, f, 0.02)
print(ok)
print(lactor.is_error(e, lactor.Timeout))
print(e.kind)
print(e.message)
print(tostring(e))
print(f:is_ready())
f:set("set later")
print(f:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
true
Timeout
timed out after 0.02 s
Timeout: timed out after 0.02 s
false
set later
OUT
}

@test "a Timeout names its time with every digit, and a negative one as 0, in get and get_all alike" {
	run timeout 10 "$LACTOR" -e '
local f = lactor.future()
print(select(2, pcall(f.get, f, 1/3)))
print(select(2, pcall(f.get, f, -1)))
print(select(2, pcall(lactor.get_all, {f}, -1)))'
	assert_success
	assert_output - <<'OUT'
Timeout: timed out after 0.33333333333333 s
Timeout: timed out after 0 s
Timeout: timed out after 0 s
OUT
}

@test "get(math.huge) and ask(msg, math.huge) wait without a deadline: nothing to wait for is a deadlock" {
	run timeout 10 "$LACTOR" -e 'lactor.future():get(math.huge)'
	assert_failure 1
	assert_line --index 0 "lactor: deadlock: 1 coroutine(s) waiting on futures that can never resolve"
	run timeout 10 "$LACTOR" -e '
local a = lactor.start(function() lactor.future():get() end)
a:ask(1, math.huge):get()'
	assert_failure 1
	assert_line --index 0 "lactor: deadlock: 2 coroutine(s) waiting on futures that can never resolve"
	run timeout 10 "$LACTOR" -e '
local f = lactor.future()
lactor.after(0.01, function() f:set("set") end)
print(f:get(math.huge))'
	assert_success
	assert_output "set"
}

@test "get with a timeout returns the values when the future is set in time" {
	script t.lua <<'LUA'
local f = lactor.future()
lactor.spawn(function() lactor.sleep(0.01); f:set("in time") end)
print(f:get(2))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "in time"
}

@test "a timeout wins over a value set after its deadline while others kept the loop busy" {
	# The spinners hold the loop past the deadlines, then yield for a
	# while: the loop's next turn finds the timeouts due and must let them
	# act before the runner goes on to the spinners, whose value or answer
	# would come too late.  Timed by lactor.now and yields, not by the
	# slice, so that valgrind's late timer signals cannot change it.
	script t.lua >/dev/null <<'LUA'
local function spin()
  local t = lactor.now()
  while lactor.now() - t < 0.05 do end
  for _ = 1, 1000 do lactor.yield() end
end
local f = lactor.future()
lactor.spawn(function() spin(); f:set("late") end)
print(pcall(f.get, f, 0.01))
local slow = lactor.start(function(self, m) spin(); return "late " .. m end)
print(pcall(function() return slow:ask("reply", 0.01):get() end))
LUA
	run --separate-stderr lactor --slice 0 t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf 'false\tTimeout: timed out after 0.01 s\nfalse\tTimeout: timed out after 0.01 s')"
}

@test "an uncaught Timeout in the main chunk is printed through its __tostring" {
	script t.lua <<'LUA'
local f = lactor.future()
f:get(0.01)
print("not reached")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: Timeout: timed out after 0.01 s"
}

@test "get(0) on a pending future raises Timeout without letting other coroutines run" {
	script t.lua <<'LUA'
local f = lactor.future()
lactor.spawn(function()
  lactor.yield()
  print("task sets")
  f:set("late")
end)
local _, e = pcall(f.get, f, 0)
print(tostring(e))
print(f:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
Timeout: timed out after 0 s
task sets
late
OUT
}

@test "get(0) on a resolved future returns its values at once" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
f:set("ready", nil)
show(f:get(0))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "ready nil"
}

@test "get inside a table.sort comparator raises a clear error instead of waiting" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
local ok, e = pcall(table.sort, { 3, 1, 2 }, function(a, b)
  f:get()
  return a < b
end)
show(ok, type(e))
print(e)
f:set("still usable")
print(f:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false string
t.lua:4: cannot wait for a future here: the coroutine cannot yield
still usable
OUT
}

@test "a coroutine the script created cannot wait, and the error says so rather than that it cannot yield" {
	script t.lua <<'LUA'
local f = lactor.future()
lactor.after(0.01, function() f:set("late") end)
local gen = coroutine.wrap(function()
  print(coroutine.isyieldable())
  return f:get()
end)
print(pcall(gen))
print(pcall(coroutine.wrap(function() lactor.sleep(0.01) end)))
print(pcall(coroutine.wrap(function() lactor.yield() end)))
print(f:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_output - <<'OUT'
true
false	t.lua:5: cannot wait for a future here: a coroutine the script created cannot wait
false	t.lua:8: cannot sleep here: a coroutine the script created cannot wait
false	t.lua:9: cannot yield here: a coroutine the script created cannot wait
late
OUT
}

# A coroutine that waits for a reply runs the actors queued ahead of it
# itself, rather than through a yield (loop.c, lx_loop_run_ahead): what
# runs, and in which order, must be just what a yield would give.

@test "the asker goes on only after every actor queued before the reply has had its turn" {
	script t.lua <<'LUA'
local log = {}
local b = lactor.start(function(self, m) log[#log + 1] = "b:" .. m end)
local c = lactor.start(function(self, m) log[#log + 1] = "c:" .. m end)
local a = lactor.start(function(self, m)
  log[#log + 1] = "a:" .. m
  b:tell(m)                         -- queued before the reply
  lactor.spawn(function() log[#log + 1] = "task:" .. m end)
  return m
end)
c:tell(0)                           -- queued before the ask
local f = a:ask(1)
local t = lactor.spawn(function() log[#log + 1] = "spawned" end)
local v = f:get()                   -- (not in log[#log + 1] = ...: #log
log[#log + 1] = "got " .. v         -- would be taken before get runs)
v = a:ask(2):get()
log[#log + 1] = "got " .. v
t:get()
print(table.concat(log, " "))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "c:0 a:1 spawned b:1 task:1 got 1 a:2 b:2 task:2 got 2"
}

@test "a loop of asks leaves the timers their turns, with or without a slice" {
	# Each loop ends only once the timer has fired five times meanwhile:
	# if the asks starved the timer, timeout would end lactor (status 124).
	script t.lua <<'LUA'
local echo = lactor.start(function(self, m) return m end)
local last = lactor.start(function(self, m) return m * 10 end)
local mid = lactor.start(function(self, m) return last:ask(m + 1):get() + 1 end)
local ticks = 0
local timer = lactor.every(0.001, function() ticks = ticks + 1 end)
local n = 0
while ticks < 5 do n = n + echo:ask(1):get() end
print("echo", n > 0)
ticks, n = 0, 0
while ticks < 5 do n = n + mid:ask(1):get() end
timer:cancel()
print("chain", n % 21, n > 0)
LUA
	run --separate-stderr timeout 20 "$LACTOR" t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "echo	true
chain	0	true"
	run --separate-stderr timeout 20 "$LACTOR" --slice 0 t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "echo	true
chain	0	true"
}

@test "a get deep inside pcalls leaves the next calls as much C stack as a yield would" {
	# A yield gives back the C levels under get (lua_resume counts them
	# afresh); waiting without one must not keep them counted.
	script t.lua <<'LUA'
local echo = lactor.start(function(self, m) return m end)
local function nest(n, f)
  if n == 0 then return f() end
  local ok, v = pcall(nest, n - 1, f)
  if not ok then error(v, 0) end
  return v
end
print(pcall(nest, 100, function()
  echo:ask(1):get()
  return nest(120, function() return "deep ok" end)
end))
LUA
	run --separate-stderr lactor --slice 0 t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "true	deep ok"
}

@test "lactor.exit in the handler answering the main chunk's ask ends lactor with on_stop run" {
	script t.lua <<'LUA'
local Keeper = lactor.class("Keeper")
function Keeper:on_stop() print("Keeper on_stop ran") end
Keeper:start()
local a = lactor.start(function(self, m) print("exiting"); lactor.exit(3) end)
print(a:ask(1):get())
print("not reached")
LUA
	run --separate-stderr lactor t.lua
	assert_equal "$status" 3
	assert_equal "$stderr" ""
	assert_output "exiting
Keeper on_stop ran"
}

@test "lactor.exit in an actor that runs after the reply but before the asker ends lactor" {
	script t.lua <<'LUA'
local b = lactor.start(function(self, m) print("b exits"); lactor.exit(4) end)
local a = lactor.start(function(self, m) b:tell(m); return "reply" end)
print(a:ask(1):get())
print("not reached")
LUA
	run --separate-stderr lactor t.lua
	assert_equal "$status" 4
	assert_equal "$stderr" ""
	assert_output "b exits"
}

# --- set_exception, second resolution, is_ready -----------------------------

@test "set_exception keeps a traceback aside and get raises only the error value" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
f:set_exception("boom", "stack traceback:\n\tsomewhere:1: in here")
show(f:is_ready(), pcall(f.get, f))
print(tostring(f))
local g = lactor.future()
g:set_exception(42)
show(pcall(g.get, g))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
true false boom
Future(failed: boom)
false 42
OUT
}

@test "a second set or set_exception raises 'future is already resolved' at the caller's line" {
	script t.lua <<'LUA'
local f = lactor.future()
f:set(1)
local ok, e = pcall(function() f:set(2) end)
print(tostring(ok) .. " " .. type(e))
print(e)
ok, e = pcall(function() f:set_exception("x") end)
print(e)
print(f:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false string
t.lua:3: future is already resolved
t.lua:6: future is already resolved
1
OUT
}

@test "set or set_exception after set_exception raises 'future is already resolved'" {
	script t.lua <<'LUA'
local f = lactor.future()
f:set_exception("first")
local _, e = pcall(function() f:set("second") end)
print(e)
_, e = pcall(function() f:set_exception("again") end)
print(e)
print(select(2, pcall(f.get, f)))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
t.lua:3: future is already resolved
t.lua:5: future is already resolved
first
OUT
}

@test "an uncaught second set stops the main chunk with the caller's position" {
	script t.lua <<'LUA'
local f = lactor.future()
f:set(1)
f:set(2)
print("not reached")
LUA
	run --separate-stderr lactor t.lua
	assert_failure 1
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:3: future is already resolved"
}

@test "is_ready turns true once a future is set or fails" {
	script t.lua <<'LUA'
local f, g = lactor.future(), lactor.future()
print(f:is_ready())
f:set()
print(f:is_ready())
print(g:is_ready())
g:set_exception("x")
print(g:is_ready())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
true
false
true
OUT
}

# --- on_done ----------------------------------------------------------------

@test "on_done calls the callback with the future, in its own task, after the future is set" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
f:on_done(function(g) show("done", g == f, g:get()) end)
print("before set")
f:set(42)
print("after set")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
before set
after set
done true 42
OUT
}

@test "on_done on an already resolved future runs the callback on a later turn" {
	script t.lua <<'LUA'
local f = lactor.future()
f:set("x")
f:on_done(function(g) print("callback got " .. g:get()) end)
print("registered")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
registered
callback got x
OUT
}

@test "an on_done callback that sleeps does not hold up the main chunk" {
	script t.lua <<'LUA'
local f = lactor.future()
f:on_done(function()
  print("callback starts")
  lactor.sleep(0.02)
  print("callback ends")
end)
f:set(1)
lactor.yield()
print("main goes on")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
callback starts
main goes on
callback ends
OUT
}

@test "on_done is called for a failed future too" {
	script t.lua <<'LUA'
local f = lactor.future()
local err = {}
f:on_done(function(g)
  local ok, e = pcall(g.get, g)
  print("failed " .. tostring(not ok and e == err))
end)
f:set_exception(err)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output "failed true"
}

# --- map, filter, reduce ------------------------------------------------------

@test "map gives a future of the callback's result and runs the callback once" {
	script t.lua <<'LUA'
local f = lactor.future()
local calls = 0
local m = f:map(function(x) calls = calls + 1; return x * 2 end)
lactor.spawn(function() lactor.sleep(0.01); f:set(21) end)
print(m:get())
print(m:get())
print(m:get())
print(calls)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
42
42
42
1
OUT
}

@test "map fails with the error its callback raises" {
	script t.lua <<'LUA'
local f = lactor.future()
local m = f:map(function(x)
  error("bad " .. x)
end)
f:set(1)
print(select(2, pcall(m.get, m)))
local err = {}
local n = f:map(function() error(err) end)
print(select(2, pcall(n.get, n)) == err)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
t.lua:3: bad 1
true
OUT
}

@test "map, filter and reduce fail with the very same error value as their source" {
	script t.lua <<'LUA'
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end print(table.concat(t, " ")) end
local f = lactor.future()
local err = { "the error" }
local called = false
local function cb() called = true; return true end
local derived = { f:map(cb), f:filter(cb), f:reduce(cb), f:reduce(cb, 0), f:map(cb):map(cb) }
f:set_exception(err)
for _, d in ipairs(derived) do
  local ok, e = pcall(d.get, d)
  show(ok, e == err)
end
print(called)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false true
false true
false true
false true
false true
false
OUT
}

@test "filter keeps the elements the callback accepts, calling it once per element" {
	script t.lua <<'LUA'
local f = lactor.future()
local calls = 0
local evens = f:filter(function(x) calls = calls + 1; return x % 2 == 0 end)
f:set({ 1, 2, 3, 4, 5, 6 })
print(table.concat(evens:get(), ","))
print(table.concat(evens:get(), ","))
print(#evens:get())
print(calls)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
2,4,6
2,4,6
3
6
OUT
}

@test "filter of a value that is not a table fails" {
	script t.lua <<'LUA'
local f = lactor.future()
local called = false
local d = f:filter(function() called = true; return true end)
f:set(42)
local ok = pcall(d.get, d)
print(ok)
print(called)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
false
OUT
}

@test "reduce folds the sequence from the left, with and without init, calling back once per step" {
	script t.lua <<'LUA'
local f = lactor.future()
local calls = 0
local function cat(acc, x) calls = calls + 1; return acc .. x end
local plain = f:reduce(cat)
local seeded = f:reduce(cat, ">")
f:set({ "a", "b", "c" })
print(plain:get())
print(plain:get())
print(seeded:get())
print(seeded:get())
print(calls)
local sum = lactor.future()
sum:set({ 1, 2, 3, 4 })
print(sum:reduce(function(a, b) return a + b end):get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
abc
abc
>abc
>abc
5
10
OUT
}

@test "reduce of an empty sequence fails without init and gives init with one" {
	script t.lua <<'LUA'
local f = lactor.future()
local function add(a, b) return a + b end
local bare = f:reduce(add)
local seeded = f:reduce(add, 0)
f:set({})
print((pcall(bare.get, bare)))
print(seeded:get())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
0
OUT
}

@test "reduce of a value that is not a table fails" {
	script t.lua <<'LUA'
local f = lactor.future()
local called = false
local d = f:reduce(function(a) called = true; return a end, 0)
f:set("not a table")
print((pcall(d.get, d)))
print(called)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
false
OUT
}

# --- join and get_all ---------------------------------------------------------

@test "lactor.join gives a future of the first value of each future, in argument order" {
	script t.lua <<'LUA'
local a, b, c = lactor.future(), lactor.future(), lactor.future()
local j = lactor.join(a, b, c)
lactor.spawn(function()
  c:set("c", "extra")
  lactor.sleep(0.01)
  a:set("a")
  lactor.sleep(0.01)
  b:set("b", 2)
end)
local t = j:get()
print(#t)
print(table.concat(t, ","))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
3
a,b,c
OUT
}

@test "lactor.join fails as soon as one future fails, without waiting for the others" {
	script t.lua <<'LUA'
local never, failing = lactor.future(), lactor.future()
local err = { "boom" }
local j = lactor.join(never, failing)
lactor.spawn(function() lactor.sleep(0.01); failing:set_exception(err) end)
local ok, e = pcall(j.get, j)
print(ok)
print(e == err)
print(never:is_ready())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
true
false
OUT
}

@test "lactor.get_all returns the first value of each future in list order" {
	script t.lua <<'LUA'
local a, b = lactor.future(), lactor.future()
lactor.spawn(function() lactor.sleep(0.01); b:set("b", "x"); lactor.sleep(0.01); a:set("a") end)
local t = lactor.get_all({ a, b })
print(#t .. " " .. table.concat(t, ","))
t = lactor.get_all({ b, a }, 2)
print(#t .. " " .. table.concat(t, ","))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
2 a,b
2 b,a
OUT
}

@test "lactor.get_all's timeout bounds the whole wait, not each future" {
	# Each future comes 0.04 s after the previous one: a per-future timeout
	# of 0.05 s would never expire, a whole-wait one expires at the second.
	script t.lua <<'LUA'
local fs = { lactor.future(), lactor.future(), lactor.future(), lactor.future() }
lactor.spawn(function()
  for i, f in ipairs(fs) do
    lactor.sleep(0.04)
    f:set(i)
  end
end)
local ok, e = pcall(lactor.get_all, fs, 0.05)
print(ok)
print(lactor.is_error(e, lactor.Timeout))
print(fs[4]:is_ready())
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
true
false
OUT
}

@test "lactor.get_all passes on a future's own Timeout rather than its own" {
	script t.lua <<'LUA'
local Slow = lactor.class("Slow")
function Slow:on_receive(m) lactor.sleep(0.2) return m end
local asked = Slow:start():ask("x", 0.01)   -- the ask's deadline comes first
local ok, e = pcall(lactor.get_all, { asked }, 5)
print(ok, tostring(e))
print(e == select(2, pcall(asked.get, asked)))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false	Timeout: timed out after 0.01 s
true
OUT
}

@test "join and get_all name a bad argument at the caller" {
	script t.lua <<'LUA'
local f = lactor.future()
print(pcall(lactor.join, f, 2))
print(pcall(lactor.get_all))
print(pcall(lactor.get_all, { f, "x" }))
print(pcall(lactor.get_all, { f }, "soon"))
print(pcall(lactor.get_all, { f }, 0 / 0))
lactor.join(1)
LUA
	run -1 --separate-stderr lactor t.lua
	assert_output - <<'OUT'
false	bad argument #2 to 'join' (a future expected, got number)
false	bad argument #1 to 'get_all' (table expected, got no value)
false	bad argument #1 to 'get_all' (a future expected at index 2, got string)
false	bad argument #2 to 'get_all' (number expected, got string)
false	bad argument #2 to 'get_all' (number is NaN)
OUT
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:7: bad argument #1 to 'join' (a future expected, got number)"
}

@test "get_all where nothing can yield, or on a self-ask, raises at the caller's line" {
	script t.lua <<'LUA'
local f = lactor.future()
print(pcall(table.sort, { 1, 2 }, function(a, b) lactor.get_all({ f }); return a < b end))
print(pcall(table.sort, { 1, 2 }, function(a, b) lactor.get_all({ f }, 1); return a < b end))
local A = lactor.class("A")
function A:on_receive(m)
  if m == "go" then local t = lactor.get_all({ self.ref:ask("inner") }); return t end
  return "inner"
end
print(pcall(function() return A:start():ask("go"):get() end))
LUA
	run -0 lactor t.lua
	assert_output - <<'OUT'
false	t.lua:2: cannot wait for a future here: the coroutine cannot yield
false	t.lua:3: cannot wait for a future here: the coroutine cannot yield
false	t.lua:6: deadlock: an actor cannot wait for the reply to its own ask
OUT
}

@test "map, filter and reduce name a bad self or callback at the caller" {
	script t.lua <<'LUA'
local f = lactor.future()
print(pcall(f.map, nil, print))
print(pcall(f.filter, 5, print))
print(pcall(f.reduce, f))
print(pcall(function() local g = f:filter("x"); return g end))
f:map({})
LUA
	run -1 --separate-stderr lactor t.lua
	assert_output - <<'OUT'
false	bad argument #1 to 'map' (lactor.Future expected, got nil)
false	bad argument #1 to 'filter' (lactor.Future expected, got number)
false	bad argument #1 to 'reduce' (function expected, got no value)
false	t.lua:5: bad argument #1 to 'filter' (function expected, got string)
OUT
	assert_equal "${stderr_lines[0]}" "lactor: t.lua:6: bad argument #1 to 'map' (function expected, got table)"
}

@test "a future set to another future is not flattened" {
	script t.lua <<'LUA'
local inner, outer = lactor.future(), lactor.future()
outer:set(inner)
local v = outer:get()
print(v == inner)
print(inner:is_ready())
print(tostring(outer))
print(outer:map(function(x) return x end):get() == inner)
print(lactor.spawn(function() return inner end):get() == inner)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
true
false
Future(ok: Future(pending))
true
true
OUT
}

# --- tostring -----------------------------------------------------------------

@test "tostring of a future shows pending and its values once set" {
	script t.lua <<'LUA'
local f = lactor.future()
print(tostring(f))
f = lactor.future(); f:set(42); print(tostring(f))
f = lactor.future(); f:set(); print(tostring(f))
f = lactor.future(); f:set(1, 2); print(tostring(f))
f = lactor.future(); f:set(nil); print(tostring(f))
f = lactor.future(); f:set("hi"); print(tostring(f))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
Future(pending)
Future(ok: 42)
Future(ok)
Future(ok: 1, 2)
Future(ok: nil)
Future(ok: hi)
OUT
}

@test "tostring of a failed future shows the error, through __tostring when it has one" {
	script t.lua <<'LUA'
local function boom() error("boom") end
local f = lactor.future()
f:set_exception(select(2, pcall(boom)))
print(tostring(f))
local g = lactor.future()
g:set_exception(setmetatable({}, { __tostring = function() return "custom error" end }))
print(tostring(g))
local h = lactor.future()
local _, timeout = pcall(h.get, h, 0)
h:set_exception(timeout)
print(tostring(h))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
Future(failed: t.lua:1: boom)
Future(failed: custom error)
Future(failed: Timeout: timed out after 0 s)
OUT
}

@test "tostring of a future that holds itself shows Future(...) inside, not a stack overflow" {
	script t.lua <<'LUA'
local f = lactor.future(); f:set(f); print(tostring(f))
local g, h = lactor.future(), lactor.future()
g:set(1, h); h:set_exception(g)
print(tostring(g)); print(tostring(h))
-- a __tostring that raises leaves the future printable again
local k = lactor.future()
k:set(setmetatable({}, { __tostring = function() error("no", 0) end }))
print(pcall(tostring, k))
print(pcall(tostring, k))
-- as deep a chain of futures as before the check came in
local deep = lactor.future(); deep:set(1)
for _ = 1, 150 do local g = lactor.future(); g:set(deep); deep = g end
print(#tostring(deep))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
Future(ok: Future(...))
Future(ok: 1, Future(failed: Future(...)))
Future(failed: Future(ok: 1, Future(...)))
false	no
false	no
1813
OUT
}

# --- error objects ------------------------------------------------------------

@test "lactor.Timeout and lactor.ActorDead hold the kind names" {
	script t.lua <<'LUA'
print(lactor.Timeout)
print(lactor.ActorDead)
print(lactor.Timeout == "Timeout")
print(lactor.ActorDead == "ActorDead")
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
Timeout
ActorDead
true
true
OUT
}

@test "lactor.is_error tests a value, with and without a kind" {
	script t.lua <<'LUA'
local f = lactor.future()
local _, timeout = pcall(f.get, f, 0)
print(lactor.is_error(timeout))
print(lactor.is_error(timeout, lactor.Timeout))
print(lactor.is_error(timeout, lactor.ActorDead))
print(lactor.is_error("Timeout"))
print(lactor.is_error("Timeout", lactor.Timeout))
print(lactor.is_error(nil))
print(lactor.is_error({}))
print(lactor.is_error(42, lactor.Timeout))
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
true
true
false
false
false
false
false
false
OUT
}

@test "an ActorDead error object has its kind, message and tostring" {
	script t.lua <<'LUA'
local ref = lactor.start(function() end)
ref:stop():get()
local ok, e = pcall(function() ref:tell("hi") end)
print(ok)
print(lactor.is_error(e))
print(lactor.is_error(e, lactor.ActorDead))
print(lactor.is_error(e, lactor.Timeout))
print(e.kind)
print(e.message == "Actor (" .. ref.urn .. ") is dead")
print(tostring(e) == "ActorDead: " .. e.message)
LUA
	run --separate-stderr lactor t.lua
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'OUT'
false
true
true
false
ActorDead
true
true
OUT
}
