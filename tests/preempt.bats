# Preemption (SPEC section 6): a proc that runs longer than --slice without
# waiting is suspended and goes to the back of the run queue.

load helpers

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "a spinning actor does not stop a timer or another actor" {
	script t.lua >/dev/null <<'LUA'
local spinner = lactor.start(function() while true do end end)
spinner:tell("spin")
local ticks = 0
local timer = lactor.every(0.005, function() ticks = ticks + 1 end)
local echo = lactor.start(function(self, m) return m * 2 end)
for i = 1, 3 do print(echo:ask(i):get()) end
lactor.sleep(0.05)
print("timer ticked", ticks > 0)
lactor.exit(0)
LUA
	run timeout 20 "$LACTOR" t.lua
	assert_success
	assert_output "$(printf '2\n4\n6\ntimer ticked\ttrue')"
}

@test "a spinning task is preempted too" {
	run timeout 20 "$LACTOR" -e '
lactor.spawn(function() while true do end end)
lactor.sleep(0.02)
print("main ran again")
lactor.exit(3)'
	assert_equal "$status" 3
	assert_output "main ran again"
}

@test "with --slice 0 a spinning actor keeps the loop" {
	# The timer cannot fire while the spinner runs; the spinner stops by
	# itself after a while and only then does the main chunk go on.
	run timeout 20 "$LACTOR" --slice 0 -e '
local order = {}
lactor.start(function() local t = os.clock() while os.clock() - t < 0.1 do end order[#order+1] = "spinner" end):tell(1)
lactor.sleep(0.001)
order[#order+1] = "main"
print(table.concat(order, " "))'
	assert_success
	assert_output "spinner main"
}

@test "with --slice 0 an actor that keeps telling itself still lets timers and actors run" {
	# Each message is a handler of its own: between two of them the loop
	# gets its turn, as Erlang schedules between two receives.
	run timeout 20 "$LACTOR" --slice 0 -e '
local stop, n = false, 0
local echo = lactor.start(function(self, msg) return msg end)
lactor.start(function(self, msg)
  n = n + 1
  if not stop then self.ref:tell(msg) end
end):tell("again")
lactor.after(0.05, function() print("the timer fired", n > 100) end)
print("answered:", echo:ask("ping"):get())
lactor.sleep(0.1)
stop = true'
	assert_success
	assert_output "answered:	ping
the timer fired	true"
}

@test "an actor the hook cannot preempt still gives timers a turn in a long mailbox" {
	# Its handler is a script's own coroutine, which is never preempted,
	# so only the worker's own check between messages lets the loop run
	# the timer before the 300,000 messages are through.  They are told
	# from inside string.gsub, where the main chunk cannot yield, so that
	# all of them wait from the start.
	script t.lua >/dev/null <<'LUA'
local step = coroutine.wrap(function()
  while true do
    local x = 0
    for i = 1, 100 do x = x + i end
    coroutine.yield()
  end
end)
local a = lactor.start(step)
string.gsub(string.rep("x", 300000), "x", function() a:tell(1) end)
lactor.after(0, function()
  print("timer ran with messages waiting:", lactor.ps()[1].mailbox > 0)
end)
LUA
	run timeout 60 "$LACTOR" t.lua
	assert_success
	assert_output "$(printf 'timer ran with messages waiting:\ttrue')"
}

@test "with --slice 0 an actor that keeps telling itself and failing asks still lets timers run" {
	# Each failed ask starts the worker's loop again (an error ends the
	# protected call it runs in): that must not keep it from ever looking
	# for the loop's turn, nor from compacting its mailbox.
	script t.lua >/dev/null <<'LUA'
local a = lactor.start(function(self, n)
  if n == "bad" then error("bad request") end
  self.ref:tell(n + 1)
  if n % 50 == 0 then self.ref:ask("bad") end
end)
a:tell(1)
lactor.sleep(0.001)
print("slept, mailbox under 1 MB:", collectgarbage("count") < 1024)
lactor.exit(0)
LUA
	run timeout 20 "$LACTOR" --slice 0 t.lua
	assert_success
	assert_output "$(printf 'slept, mailbox under 1 MB:\ttrue')"
}

@test "with a very long slice an actor the hook cannot preempt still lets timers run" {
	# The worker's own check is the only thing that makes such an actor
	# yield; with --slice 100000 it must not wait for twice the slice.
	script t.lua >/dev/null <<'LUA'
local step = coroutine.wrap(function(self, n)
  while true do self.ref:tell(n + 1); self, n = coroutine.yield() end
end)
lactor.start(step):tell(1)
lactor.sleep(0.05)
print("woke")
lactor.exit(0)
LUA
	run timeout 20 "$LACTOR" --slice 100000 t.lua
	assert_success
	assert_output "woke"
}

# Starts the command in the background (stdout to out, stderr to err) and
# returns once it made the file $READY; its pid is in $pid.
start_until_ready() {
	export READY="$BATS_TEST_TMPDIR/ready"
	"$@" >out 2>err &
	pid=$!
	watchdog "$pid"
	wait_for "$READY" || fail "lactor never got ready"
}

# Waits for $pid to end; its exit status is in $status.
reap() {
	status=0
	wait "$pid" || status=$?
}

# An actor that says it is ready (the file $READY) and then spins for ever;
# its on_stop prints "on_stop ran".
spinner_script() {
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("Spinner")
function A:on_stop() print("on_stop ran") end
function A:on_receive()
  io.open(os.getenv("READY"), "w"):close()
  while true do end
end
A:start():tell("go")
LUA
}

# keeper_script <<'LUA' ... LUA: writes t.lua, which starts with Keeper, an
# idle actor whose on_stop prints "Keeper on_stop ran": the sign that a
# graceful stop ran the live actors' on_stop.
keeper_script() {
	{
		printf '%s\n' 'local Keeper = lactor.class("Keeper")' \
			'function Keeper:on_stop() print("Keeper on_stop ran") end' 'Keeper:start()'
		cat
	} | script t.lua >/dev/null
}

@test "a spinning script still stops on SIGTERM with on_stop run" {
	spinner_script
	start_until_ready env --default-signal=TERM "$LACTOR" t.lua
	kill -TERM "$pid"
	reap
	assert_equal "$status" 143
	assert_equal "$(cat out)" "on_stop ran"
}

@test "a main chunk that asks in a loop still stops on SIGTERM with on_stop run, with or without a slice" {
	# It waits for each reply by running the echo actor's turn itself
	# (loop.c, lx_loop_run_ahead): the signal must stop that too.
	keeper_script <<'LUA'
local echo = lactor.start(function(self, m) return m end)
io.open(os.getenv("READY"), "w"):close()
local n = 0
while true do n = n + echo:ask(1):get() end
LUA
	local slice
	for slice in 10 0; do
		rm -f "$BATS_TEST_TMPDIR/ready"
		start_until_ready env --default-signal=TERM "$LACTOR" --slice "$slice" t.lua
		kill -TERM "$pid"
		reap
		assert_equal "$status" 143
		assert_equal "$(cat out)" "Keeper on_stop ran"
	done
}

@test "a spinning table.sort comparator is not broken" {
	script t.lua >/dev/null <<'LUA'
local sorter = lactor.start(function(self, t)
  table.sort(t, function(a, b)
    local x = 0
    for i = 1, 2e5 do x = x + i end
    return a < b
  end)
  return table.concat(t, ",")
end)
print(sorter:ask({5, 3, 9, 1, 7, 2, 8}):get())
LUA
	run timeout 60 "$LACTOR" --slice 1 t.lua
	assert_success
	assert_output "1,2,3,5,7,8,9"
}

@test "a script's own coroutine.wrap generator never sees a spurious yield" {
	script t.lua >/dev/null <<'LUA'
local gen = coroutine.wrap(function()
  for i = 1, 3 do
    local x = 0
    for j = 1, 2e7 do x = x + j end
    coroutine.yield(i)
  end
  return "done"
end)
local a = lactor.start(function() return gen(), gen(), gen(), gen() end)
print(a:ask("go"):get())
LUA
	run timeout 60 "$LACTOR" --slice 1 t.lua
	assert_success
	assert_output "$(printf '1\t2\t3\tdone')"
}

@test "a hook the script set with debug.sethook survives preemption" {
	script t.lua >/dev/null <<'LUA'
local lines = 0
local function count() lines = lines + 1 end
debug.sethook(count, "l")
local x = 0
for i = 1, 3e6 do x = x + i end      -- preempted many times under --slice 1
local f, mask = debug.gethook()
print(f == count, mask)
local before = lines
x = x + 1
x = x + 1
print(lines - before >= 2)
debug.sethook()
LUA
	run timeout 60 "$LACTOR" --slice 1 t.lua
	assert_success
	assert_output "$(printf 'true\tl\ntrue')"
}

@test "--slice takes milliseconds and rejects anything else" {
	run -0 "$LACTOR" --slice 2.5 -e 'print("ok")'
	assert_output "ok"
	run --separate-stderr "$LACTOR" --slice abc -e 'print("ok")'
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "lactor: '--slice' needs a number of milliseconds, not 'abc'"
	for bad in nan inf -1; do
		run --separate-stderr "$LACTOR" --slice "$bad" -e 'print("ok")'
		assert_equal "$status" 2
		assert_equal "${stderr_lines[0]}" "lactor: '--slice' needs a number of milliseconds, not '$bad'"
	done
}

@test "a slice under a millisecond is taken as one: its ticks do not take all the time" {
	run timeout 10 "$LACTOR" --slice 0.01 -e 'for i = 1, 1e6 do end print("done")'
	assert_success
	assert_output "done"
}

@test "preemption never cuts lactor's own bookkeeping in half" {
	# The sender is preempted many times inside its loop of tells while the
	# counter drains its mailbox; not one message may be lost or mangled.
	run timeout 60 "$LACTOR" --slice 0.2 -e '
local n = 0
local counter = lactor.start(function(self, k) n = n + k end)
for i = 1, 2e6 do counter:tell(1) end
counter:stop():get()
print(n, lactor.stats().handled)'
	assert_success
	assert_output "$(printf '2000000\t2000000')"
}

@test "a spinning loop that spends its time in lactor's own code is preempted on its way back" {
	# Such a loop is nearly always inside lactor's Lua code when a slice
	# expires; the hook, which never yields there, must catch it when it
	# returns to the loop.
	run timeout 20 "$LACTOR" -e '
for i = 1, 300 do lactor.start(function() end) end
lactor.spawn(function()
  while true do lactor.registry.all() end
end)
lactor.sleep(0.05)
print("main ran again", #lactor.registry.all())
lactor.exit(3)'
	assert_equal "$status" 3
	assert_output "$(printf 'main ran again\t300')"
}

@test "preemption and SIGTERM work even when started with those signals blocked" {
	# A blocked signal mask is inherited across exec; lactor must unblock
	# what it relies on, or a runaway loop could never be stopped.
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("Spinner")
function A:on_stop() print("on_stop ran") end
function A:on_receive() while true do end end
A:start():tell("go")
lactor.sleep(0.02)
print("preempted")
io.open(os.getenv("READY"), "w"):close()
LUA
	start_until_ready perl -MPOSIX -e '
		sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGALRM, SIGTERM));
		exec @ARGV or die' "$LACTOR" t.lua
	kill -TERM "$pid"
	reap
	assert_equal "$status" 143
	assert_equal "$(cat out)" "$(printf 'preempted\non_stop ran')"
}

@test "SIGTERM stops a spinning script even with --slice 0" {
	spinner_script
	start_until_ready "$LACTOR" --slice 0 t.lua
	kill -TERM "$pid"
	reap
	assert_equal "$status" 143
	assert_equal "$(cat out)" "on_stop ran"
}

@test "a deep recursion under a short slice still finishes" {
	# Arming the hook walks the whole call chain: armed at every tick, a
	# deep stack and a 1 ms slice left no time for anything else (a hang).
	run -0 timeout -s KILL 120 "$LACTOR" --slice 1 -e '
local function r(n)
  if n == 0 then local x = 0 for i = 1, 3e7 do x = x + i end return x end
  return (r(n - 1))
end
lactor.spawn(function() print(r(250000)) end)'
	assert_output "450000015000000"
}

@test "SIGTERM stops a script spinning where it cannot yield, with on_stop run" {
	# The spinner sits inside a sort comparator, where it cannot yield: the
	# signal raises "interrupted!" there, so that the graceful stop begins.
	keeper_script <<'LUA'
local A = lactor.class("Stuck")
function A:on_receive()
  table.sort({3, 2, 1}, function(a, b)
    io.open(os.getenv("READY"), "w"):close()  -- in here, or the signal
    while true do end                         -- could come before it
  end)
end
A:start():tell("go")
LUA
	start_until_ready "$LACTOR" t.lua
	kill -TERM "$pid"
	reap
	assert_equal "$status" 143
	assert_equal "$(cat out)" "Keeper on_stop ran"
	[[ $(head -1 err) == "lactor: actor Stuck (urn:uuid:"*") crashed: interrupted!" ]] ||
		fail "unexpected stderr: $(head -1 err)"
}

@test "SIGTERM stops every proc that cannot yield, not just the one it lands in" {
	# Before, the runner went on to the next spinner after "interrupted!",
	# and the loop never got the turn that begins the graceful stop.
	keeper_script <<'LUA'
local Stuck = lactor.class("Stuck")
function Stuck:on_failure(err) print("Stuck on_failure: " .. err) end
function Stuck:on_receive()
  table.sort({3, 2, 1}, function(a, b)
    io.open(os.getenv("READY"), "w"):close()  -- in here, or the signal
    while true do end                         -- could come before it
  end)
end
Stuck:start():tell("go")
for _ = 1, 2 do
  lactor.spawn(function() table.sort({3, 2, 1}, function(a, b) while true do end end) end)
end
LUA
	start_until_ready "$LACTOR" t.lua
	kill -TERM "$pid"
	reap
	assert_equal "$status" 143
	assert_equal "$(cat out)" "Stuck on_failure: interrupted!
Keeper on_stop ran"
}

@test "SIGTERM stops a script that catches interrupted! and spins on" {
	keeper_script <<'LUA'
io.open(os.getenv("READY"), "w"):close()
while true do pcall(table.sort, {3, 2, 1}, function(a, b) while true do end end) end
LUA
	start_until_ready "$LACTOR" t.lua
	kill -TERM "$pid"
	reap
	assert_equal "$status" 143
	assert_equal "$(cat out)" "Keeper on_stop ran"
	assert_equal "$(cat err)" ""
}

# An actor stuck where it cannot yield (in a sort comparator), beside the
# Keeper: its handler holds a to-be-closed guard whose __close runs the
# Lua statements $1, and its on_failure prints the error.  Ends with
# SIGTERM; $status is lactor's exit status.
stuck_with_guard() {
	keeper_script <<LUA
local Stuck = lactor.class("Stuck")
function Stuck:on_failure(err) print("Stuck on_failure: " .. err) end
function Stuck:on_receive()
  local guard <close> = setmetatable({}, { __close = function()
    $1
  end })
  table.sort({3, 2, 1}, function(a, b)
    io.open(os.getenv("READY"), "w"):close()  -- in here, or the signal
    while true do end                         -- could come before it
  end)
end
Stuck:start():tell("go")
LUA
	start_until_ready "$LACTOR" t.lua
	kill -TERM "$pid"
	reap
}

@test "interrupted! lets the code that catches it clean up: its __close runs, then on_failure" {
	stuck_with_guard "print(\"Stuck's __close ran\")"
	assert_equal "$status" 143
	assert_equal "$(cat out)" "Stuck's __close ran
Stuck on_failure: interrupted!
Keeper on_stop ran"
}

@test "interrupted! lets the code that catches it clean up however long its C calls take" {
	# The __close sleeps through several slices in one C call: the ticks
	# meanwhile must not cut its grace short, which made it yield at its
	# next line, where the graceful stop then ended it.
	stuck_with_guard "os.execute(\"sleep 0.1\") print(\"Stuck's __close ran\")"
	assert_equal "$status" 143
	assert_equal "$(cat out)" "Stuck's __close ran
Stuck on_failure: interrupted!
Keeper on_stop ran"
}

@test "interrupted! leaves room for a clean-up of a few thousand instructions" {
	stuck_with_guard 'local lines = {}
    for i = 1, 300 do lines[#lines + 1] = string.format("line %d", i) end
    print("Stuck'"'"'s __close flushed " .. #lines .. " lines")'
	assert_equal "$status" 143
	assert_equal "$(cat out)" "Stuck's __close flushed 300 lines
Stuck on_failure: interrupted!
Keeper on_stop ran"
}

@test "interrupted! lets the code that catches it clean up: its message handler runs" {
	keeper_script <<'LUA'
xpcall(function()
  table.sort({3, 2, 1}, function(a, b)
    io.open(os.getenv("READY"), "w"):close()  -- in here, or the signal
    while true do end                         -- could come before it
  end)
end, function(e) print("the message handler got: " .. e) return e end)
LUA
	start_until_ready "$LACTOR" t.lua
	kill -TERM "$pid"
	reap
	assert_equal "$status" 143
	assert_equal "$(cat out)" "the message handler got: interrupted!
Keeper on_stop ran"
}

@test "a signal that comes between two resumes still stops the next proc, which cannot yield" {
	# A finalizer on the main thread, which runs between resumes (making
	# new workers allocates there), sends the signal: no proc runs then for
	# the hook to be armed on.
	run timeout 20 "$LACTOR" -e '
local pid = io.open("/proc/self/stat"):read("n")
local K = lactor.class("K")
function K:on_stop() print("K on_stop ran") end
K:start()
local sent = false
local function bait()
  setmetatable({}, { __gc = function()
    local _, main = coroutine.running()
    if sent or not main then return end
    sent = true
    os.execute("kill -TERM " .. pid)
  end })
end
while not sent do
  for _ = 1, 50 do bait() end
  lactor.start(function()
    if sent then table.sort({3, 2, 1}, function() while true do end end) end
    lactor.sleep(1)   -- keeps its worker: the next actor needs a new one
  end):tell(1)
  lactor.sleep(0)
end'
	assert_equal "$status" 143
	assert_output "K on_stop ran"
}

@test "SIGTERM lets an on_stop that is already running finish" {
	keeper_script <<'LUA'
local Slow = lactor.class("Slow")
function Slow:on_stop()
  print("Slow on_stop begins")
  io.open(os.getenv("READY"), "w"):close()
  lactor.sleep(0.3)
  print("Slow on_stop ends")
end
Slow:start():stop()
lactor.sleep(10)
LUA
	start_until_ready "$LACTOR" t.lua
	kill -TERM "$pid"
	reap
	assert_equal "$status" 143
	assert_equal "$(cat out)" "Slow on_stop begins
Keeper on_stop ran
Slow on_stop ends"
}

@test "a second SIGINT ends lactor at once when the first cannot be served" {
	# The spinner sits inside C code that runs no Lua (a pattern match that
	# backtracks for ever), where no hook can stop it, so the graceful stop
	# cannot begin; a second Ctrl-C must still end the process.
	script t.lua >/dev/null <<'LUA'
local A = lactor.class("Stuck")
function A:on_receive()
  io.open(os.getenv("READY"), "w"):close()
  string.find(string.rep("a", 40), string.rep("a?", 40) .. string.rep("a", 40))
end
A:start():tell("go")
LUA
	start_until_ready "$LACTOR" t.lua
	kill -INT "$pid"
	sleep 0.5                            # apart: not an echo (lactor(1))
	kill -INT "$pid"
	reap
	assert_equal "$status" 130
}

@test "a signal that timeout(1) sends twice is one graceful stop" {
	# timeout sends its signal to lactor and then to lactor's process
	# group: the second, coming right after the first, is not the user's
	# second signal that ends lactor at once.  The two kills here stand for
	# timeout's, once lactor is ready (it may start slowly, under valgrind);
	# Slow's on_stop keeps the graceful stop going while the second lands.
	keeper_script <<'LUA'
local Slow = lactor.class("Slow")
function Slow:on_stop()
  local t = os.clock()
  while os.clock() - t < 0.5 do end
  print("Slow on_stop ran")
end
Slow:start()
local S = lactor.class("Spinner")
function S:on_receive()
  io.open(os.getenv("READY"), "w"):close()
  while true do end
end
function S:on_stop() print("Spinner on_stop ran") end
S:start():tell(1)
LUA
	local sig
	for sig in TERM INT; do
		rm -f "$BATS_TEST_TMPDIR/ready"
		start_until_ready "$LACTOR" t.lua
		kill -"$sig" "$pid"
		sleep 0.1
		kill -"$sig" "$pid" 2>/dev/null || true
		reap
		assert_equal "$status" "$(kill -l "$sig" | awk '{ print 128 + $1 }')"
		assert_equal "$(sort out)" "Keeper on_stop ran
Slow on_stop ran
Spinner on_stop ran"
	done
}
