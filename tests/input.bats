load helpers
bats_require_minimum_version 1.5.0

# Messages from stdin (SPEC sections 1 and 5): lactor.input, its formats and
# options, the input options of the command line, pacing, and bad input.
# lactor.emit has its own file, emit.bats.

setup() {
	unset LUA_INIT LUA_INIT_5_4
	SHOW_LIB="show = dofile('$REPO/tests/fixtures/show.lua')"
}

teardown() {
	if [[ -n ${HOLD_PID-} ]]; then kill "$HOLD_PID" 2>/dev/null || true; fi
	if [[ -n ${TMUX_SOCK-} ]]; then tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true; fi
}

# feed DATA ARGS...: printf '%b' DATA | lactor ARGS...
feed() {
	printf '%b' "$1" | "$LACTOR" "${@:2}"
}

# A target that prints each record with %q, so that every byte shows.
SHOW='lactor.input(function(self, m) print(string.format("%q", m)) end)'

# A target that prints each decoded JSON value (tests/fixtures/show.lua).
SHOW_JSON='lactor.input(function(self, m) print(show(m)) end)'

# A class whose on_stop says so, started as `target`.
TARGET='local T = lactor.class("T")
function T:on_receive(m) print("got " .. tostring(m)) end
function T:on_stop() print("stopped") end
target = T:start()'

# hold_fifo NAME: a fifo in the scratch dir, held open for writing by a
# background process, so that lactor's stdin is a pipe that stays open and
# silent.  Its path is in $FIFO.
hold_fifo() {
	FIFO="$BATS_TEST_TMPDIR/$1"
	mkfifo "$FIFO"
	sleep 60 >"$FIFO" &
	HOLD_PID=$!
}

# --- lines ---------------------------------------------------------------------

@test "each line is one record, without its newline" {
	run -0 --separate-stderr feed 'one\ntwo words\nthree\n' -e "$SHOW"
	assert_output "$(printf '"one"\n"two words"\n"three"')"
	assert_equal "$stderr" ""
}

@test "a last line without a newline is still a record" {
	run -0 feed 'one\nlast' -e "$SHOW"
	assert_output "$(printf '"one"\n"last"')"
}

@test "a final newline starts no empty record, but an empty line is the record \"\"" {
	run -0 feed '\na\n\n\nb\n' -e "$SHOW"
	assert_output "$(printf '""\n"a"\n""\n""\n"b"')"
}

@test "\\r\\n line endings lose the \\r, a \\r elsewhere stays, even at the very end" {
	run -0 feed 'dos\r\nmid\rdle\r\n\r\nlast\r' -e "$SHOW"
	assert_output - <<'OUT'
"dos"
"mid\13dle"
""
"last\13"
OUT
}

@test "NUL bytes inside a line are part of the record" {
	run -0 feed 'a\0b\n\0\n' -e "$SHOW"
	assert_output - <<'OUT'
"a\0b"
"\0"
OUT
}

@test "invalid UTF-8 is passed through as bytes" {
	printf 'ok\n\xff\xfe bad \xc3\n' >"$BATS_TEST_TMPDIR/in"
	"$LACTOR" -e 'lactor.input(function(self, m) io.write(m, "|", #m, "\n") end)' \
		<"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	printf 'ok|2\n\xff\xfe bad \xc3|8\n' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/want"
}

@test "an empty input delivers nothing and still stops the target" {
	run -0 lactor -e "$TARGET" -e 'lactor.input(target)' </dev/null
	assert_output "stopped"
}

@test "a closed stdin reads as an empty one" {
	# (bash -c: a `run ... <&-` would close the stdin of bats' capture, not
	# just lactor's)
	run -0 --separate-stderr bash -c '"$LACTOR" -e "$1" -e "lactor.input(target)" <&-' _ "$TARGET"
	assert_output "stopped"
	assert_equal "$stderr" ""
}

@test "a long input arrives whole and in order" {
	seq 1 200000 >"$BATS_TEST_TMPDIR/in"
	run -0 lactor -e 'local n, sum, ordered = 0, 0, true
local A = lactor.class("A")
function A:on_receive(m)
  n = n + 1
  if tonumber(m) ~= n then ordered = false end
  sum = sum + tonumber(m)
end
function A:on_stop() print(n, sum, ordered) end
lactor.input(A:start())' <"$BATS_TEST_TMPDIR/in"
	assert_output "$(printf '200000\t20000100000\ttrue')"
}

@test "each record is one tell, counted in lactor.stats().sent" {
	run -0 feed 'a\nb\nc\n' -e 'local A = lactor.class("A")
function A:on_receive() end
function A:on_stop() print(lactor.stats().sent) end
lactor.input(A:start())'
	assert_output "3"
}

# --- json ----------------------------------------------------------------------

@test "json: each line is decoded into a Lua value" {
	run -0 --separate-stderr feed '{"a":1,"b":[true,false]}\n"text"\n2.5\n[]\n{"nested":{"k":"v"}}\n[1,"two",[3]]\n' \
		-e "$SHOW_LIB" -e "$SHOW_JSON" --json
	assert_output "$(printf '%s\n' '{a: 1.0, b: [true, false]}' '"text"' '2.5' '[]' \
		'{nested: {k: "v"}}' '[1.0, "two", [3.0]]')"
	assert_equal "$stderr" ""
}

@test "json: null is lactor.null, at the top and at any depth" {
	run -0 feed 'null\n{"a":null,"b":[1,null]}\n' -j -e "$SHOW_LIB" -e 'lactor.input(function(self, m)
  if m == lactor.null then print("top null") else print(show(m), m.a == lactor.null, m.b[2] == lactor.null) end
end)'
	assert_output "$(printf 'top null\n{a: null, b: [1.0, null]}\ttrue\ttrue')"
}

@test "json: lactor.null is lua-cjson's null" {
	run -0 lactor -e 'print(lactor.null == require("cjson").null)'
	assert_output "true"
}

@test "json: blank lines are skipped but still counted as lines" {
	run -1 --separate-stderr feed '1\n\n   \n\t\r\n2\nbad\n' -j -e "$SHOW_LIB" -e "$SHOW_JSON"
	assert_output "$(printf '1.0\n2.0')"
	assert_equal "$stderr" "lactor: <stdin>:6: invalid JSON: Expected value but found invalid token at character 1"
}

@test "json: \\r\\n endings and a last line without a newline are decoded" {
	run -0 feed '"a"\r\n"b"' --json -e "$SHOW_LIB" -e "$SHOW_JSON"
	assert_output "$(printf '"a"\n"b"')"
}

@test "json: an invalid line is reported, skipped, and every other record delivered, exit 1" {
	run -1 --separate-stderr feed '1\n{"a":\n2\n[1 2]\n3\n' -j -e "$SHOW_LIB" -e "$SHOW_JSON"
	assert_output "$(printf '1.0\n2.0\n3.0')"
	assert_equal "${stderr_lines[0]}" "lactor: <stdin>:2: invalid JSON: Expected value but found T_END at character 6"
	assert_equal "${stderr_lines[1]}" "lactor: <stdin>:4: invalid JSON: Expected comma or array end but found T_NUMBER at character 4"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "json: input is strict JSON, NaN and Infinity are invalid" {
	run -1 --separate-stderr feed 'NaN\n-Infinity\n0x10\n7\n' -j -e "$SHOW_LIB" -e "$SHOW_JSON"
	assert_output "7.0"
	assert_equal "${stderr_lines[0]}" "lactor: <stdin>:1: invalid JSON: Expected value but found invalid token at character 1"
	assert_equal "${#stderr_lines[@]}" 3
}

@test "json: a line with a NUL byte is invalid, not cut short at the NUL" {
	run -1 --separate-stderr feed '[1]\0[9]\n[2]\n' -j -e "$SHOW_LIB" -e "$SHOW_JSON"
	assert_output "[2.0]"
	assert_equal "$stderr" "lactor: <stdin>:1: invalid JSON: NUL byte at character 4"
}

@test "json: a script's own cjson settings do not change how input is decoded" {
	run -1 --separate-stderr feed 'NaN\n' -j -e 'require("cjson").decode_invalid_numbers(true)' -e "$SHOW"
	assert_output ""
	assert_equal "$stderr" "lactor: <stdin>:1: invalid JSON: Expected value but found invalid token at character 1"
}

@test "json: invalid UTF-8 inside a JSON string is passed through as bytes" {
	printf '"\xff\xfe"\n' >"$BATS_TEST_TMPDIR/in"
	run -0 lactor -j -e 'lactor.input(function(self, m) print(m:byte(1, -1)) end)' <"$BATS_TEST_TMPDIR/in"
	assert_output "$(printf '255\t254')"
}

# --- null and raw --------------------------------------------------------------

@test "null: records are separated by NUL bytes; newlines and \\r are kept" {
	run -0 feed 'a\0two\nlines\0\0c\r\0' -0 -e "$SHOW"
	assert_output - <<'OUT'
"a"
"two\
lines"
""
"c\13"
OUT
}

@test "null: a last record without a NUL is still a record" {
	run -0 feed 'a\0b' --null -e "$SHOW"
	assert_output "$(printf '"a"\n"b"')"
}

@test "null: find -print0 style input" {
	mkdir -p "$BATS_TEST_TMPDIR/d"
	touch "$BATS_TEST_TMPDIR/d/one" "$BATS_TEST_TMPDIR/d/two words"
	cd "$BATS_TEST_TMPDIR/d"
	run -0 bash -c 'find . -type f -print0 | sort -z | "$LACTOR" -0 -e "lactor.input(function(self, m) print(\"[\" .. m .. \"]\") end)"'
	assert_output "$(printf '[./one]\n[./two words]')"
}

@test "raw: chunks as read, their bytes together are the input" {
	head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	"$LACTOR" --raw -e 'lactor.input(function(self, m) io.write(m) end)' \
		<"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "raw: max_record bounds the size of a chunk, and nothing is rejected" {
	head -c 10000 /dev/zero >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr lactor -e 'local n, total, biggest = 0, 0, 0
local A = lactor.class("A")
function A:on_receive(m) n = n + 1; total = total + #m; biggest = math.max(biggest, #m) end
function A:on_stop() print(n, total, biggest) end
lactor.input(A:start(), {format = "raw", max_record = 1000})' <"$BATS_TEST_TMPDIR/in"
	assert_output "$(printf '10\t10000\t1000')"
	assert_equal "$stderr" ""
}

# --- formats from options and from the command line -----------------------------

@test "-j, --json, -0, --null and --raw set the default format" {
	local opt
	for opt in -j --json; do
		run -0 feed '[1]\n' "$opt" -e 'lactor.input(function(self, m) print(type(m)) end)'
		assert_output "table"
	done
	for opt in -0 --null; do
		run -0 feed 'a\nb\0c' "$opt" -e "$SHOW"
		assert_output - <<'OUT'
"a\
b"
"c"
OUT
	done
	run -0 feed 'a\nb\n' --raw -e "$SHOW"
	assert_output '"a\
b\
"'
}

@test "the last of -j, -0 and --raw wins" {
	run -0 feed 'a\0b' -j -0 -e "$SHOW"
	assert_output "$(printf '"a"\n"b"')"
}

@test "opts.format overrides the command line" {
	run -0 feed '[1]\n' -j -e 'lactor.input(function(self, m) print(type(m), m) end, {format = "lines"})'
	assert_output "$(printf 'string\t[1]')"
}

@test "with the script on stdin, lactor.input on stdin raises, and --input FILE is the way" {
	run -1 --separate-stderr lactor <<<'lactor.input(function(self, m) print(m) end)'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: stdin:1: stdin is read as the script: give the records with --input FILE"
	run -0 --separate-stderr lactor - <<<'print(pcall(lactor.input, print))'
	assert_output "$(printf 'false\tstdin is read as the script: give the records with --input FILE')"
	printf 'from file\n' >"$BATS_TEST_TMPDIR/records"
	run -0 --separate-stderr lactor --input "$BATS_TEST_TMPDIR/records" - <<<'lactor.input(function(self, m) print(m) end)'
	assert_output "from file"
	assert_equal "$stderr" ""
}

@test "--input FILE reads the records from FILE, not stdin" {
	printf 'from\nfile\n' >"$BATS_TEST_TMPDIR/records.txt"
	run -0 feed 'from stdin\n' --input "$BATS_TEST_TMPDIR/records.txt" -e "$SHOW"
	assert_output "$(printf '"from"\n"file"')"
}

@test "--input with -j names the file in reports" {
	printf '1\noops\n' >"$BATS_TEST_TMPDIR/events.json"
	run -1 --separate-stderr lactor -j --input "$BATS_TEST_TMPDIR/events.json" -e "$SHOW_LIB" -e "$SHOW_JSON"
	assert_output "1.0"
	assert_equal "$stderr" "lactor: $BATS_TEST_TMPDIR/events.json:2: invalid JSON: Expected value but found invalid token at character 1"
}

@test "--input with a file that cannot be opened is exit 2, before anything runs" {
	run -2 --separate-stderr lactor --input "$BATS_TEST_TMPDIR/nothere" -e 'print("ran")'
	assert_output ""
	assert_equal "$stderr" "lactor: cannot open $BATS_TEST_TMPDIR/nothere: No such file or directory"
	run -2 --separate-stderr lactor --input "$BATS_TEST_TMPDIR" -e 'print("ran")'
	assert_equal "$stderr" "lactor: cannot open $BATS_TEST_TMPDIR: Is a directory"
}

@test "--input FIFO waits for its writer in the loop: one SIGTERM ends the wait, a script error comes first" {
	# A blocking open() would wait for the writer before anything ran,
	# restarted by lactor's handler after the first signal.
	local fifo="$BATS_TEST_TMPDIR/fifo" out="$BATS_TEST_TMPDIR/out" status
	mkfifo "$fifo"
	"$LACTOR" --input "$fifo" -e "$TARGET" -e 'lactor.input(target)' \
		-e "io.open('$BATS_TEST_TMPDIR/ready', 'w'):close()" >"$out" 2>&1 3>&- &
	local pid=$!
	watchdog "$pid"
	wait_for "$BATS_TEST_TMPDIR/ready"
	kill -TERM "$pid"
	wait "$pid" && status=0 || status=$?
	assert_equal "$status" 143
	assert_equal "$(cat "$out")" "stopped"
	run -2 --separate-stderr timeout -k 5 20 "$LACTOR" --input "$fifo" "$BATS_TEST_TMPDIR/nothere.lua"
	assert_equal "$stderr" "lactor: cannot open $BATS_TEST_TMPDIR/nothere.lua: No such file or directory"
	{ sleep 0.2; printf 'late\nwriter\n' >"$fifo"; } &
	run -0 timeout -k 5 20 "$LACTOR" --input "$fifo" -e "$TARGET" -e 'lactor.input(target)'
	assert_output "$(printf 'got late\ngot writer\nstopped')"
}

# --- targets -----------------------------------------------------------------

@test "the target can be a ref, and lactor.input returns it" {
	run -0 feed 'x\n' -e "$TARGET" -e 'print(lactor.input(target) == target)'
	assert_output "$(printf 'true\ngot x\nstopped')"
}

@test "the target can be a registered name" {
	run -0 feed 'x\ny\n' -e "$TARGET" -e 'lactor.register("sink", target)
print(lactor.input("sink") == target)'
	assert_output "$(printf 'true\ngot x\ngot y\nstopped')"
}

@test "the target can be a function, started as an actor of class Actor" {
	run -0 feed 'x\n' -e 'local ref = lactor.input(function(self, m) print(self.ref.class.name, m) end)
print(tostring(ref):match("^ActorRef%(Actor, "))'
	assert_output "$(printf 'ActorRef(Actor, \nActor\tx')"
}

@test "records are delivered while the main chunk still runs and waits" {
	run -0 feed 'a\nb\n' -e 'local got = {}
lactor.input(function(self, m) got[#got + 1] = m end, {on_eof = "none"})
lactor.sleep(0.05)
print(table.concat(got, " "))'
	assert_output "a b"
}

# --- -t / --to -----------------------------------------------------------------

@test "-t NAME delivers the input to the actor registered as NAME after the script" {
	local s
	s=$(script route.lua <<'LUA'
local Router = lactor.class("Router")
function Router:on_receive(m) print(m.kind, m.n) end
function Router:on_stop() print("router stopped") end
lactor.register("router", Router:start())
print("script done")
LUA
)
	run -0 --separate-stderr feed '{"kind":"a","n":1}\n{"kind":"b","n":2}\n' -j -t router "$s"
	assert_output "$(printf 'script done\na\t1.0\nb\t2.0\nrouter stopped')"
	assert_equal "$stderr" ""
}

@test "--to NAME works with -e and lines" {
	run -0 feed 'x\n' --to sink -e "$TARGET" -e 'lactor.register("sink", target)'
	assert_output "$(printf 'got x\nstopped')"
}

@test "-t NAME with no actor of that name is an error, exit 1" {
	run -1 --separate-stderr feed 'x\n' -t nobody -e "$TARGET"
	assert_output "stopped"
	assert_equal "$stderr" "lactor: -t nobody: no actor is registered as 'nobody'"
}

@test "-t NAME when the script attached the input itself is an error, exit 1" {
	run -1 --separate-stderr feed 'x\n' -t sink -e "$TARGET" -e 'lactor.register("sink", target)
lactor.input(target)'
	assert_equal "${stderr_lines[0]}" "lactor: -t sink: input is already attached"
	assert_equal "${#stderr_lines[@]}" 1
}

# --- on_eof ------------------------------------------------------------------

@test "on_eof stop (the default) stops the target after the last record" {
	# A pending timer holds off the natural end: only on_eof can stop it.
	run -0 feed 'a\nb\n' -e "$TARGET" -e 'local t = lactor.after(30, function() print("not stopped") lactor.exit(1) end)
function target.class:on_stop() print("stopped", target:is_alive()) t:cancel() end
lactor.input(target)'
	assert_output "$(printf 'got a\ngot b\nstopped\tfalse')"
}

@test "on_eof message sends lactor.EOF after the last record and leaves the target running" {
	run -0 feed 'a\nb\n' -e "$TARGET" -e 'function target.class:on_receive(m)
  print("got " .. tostring(m))
  if m == lactor.EOF then lactor.after(0.1, function() print("alive", target:is_alive()) end) end
end
lactor.input(target, {on_eof = "message"})'
	assert_output "$(printf 'got a\ngot b\ngot lactor.EOF\nalive\ttrue\nstopped')"
}

@test "lactor.EOF is one unique value that cannot be changed" {
	run -1 --separate-stderr lactor -e 'print(tostring(lactor.EOF), lactor.EOF == lactor.EOF, getmetatable(lactor.EOF))
lactor.EOF.x = 1'
	assert_output "$(printf 'lactor.EOF\ttrue\tfalse')"
	assert_equal "${stderr_lines[0]}" "lactor: (command line):2: lactor.EOF cannot be changed"
}

@test "on_eof message lets the main chunk wait for the end of a long input" {
	seq 1 5000 >"$BATS_TEST_TMPDIR/in"
	run -0 lactor -e 'local n, done = 0, lactor.future()
lactor.input(function(self, m)
  if m == lactor.EOF then done:set(n) else n = n + 1 end
end, {on_eof = "message"})
print(done:get())' <"$BATS_TEST_TMPDIR/in"
	assert_output "5000"
}

@test "on_eof none leaves the target alone until the natural end" {
	run -0 feed 'a\n' -e "$TARGET" -e 'function target.class:on_receive(m)
  print("got " .. m)
  lactor.after(0.5, function() print("alive", target:is_alive()) end)
end
lactor.input(target, {on_eof = "none"})'
	assert_output "$(printf 'got a\nalive\ttrue\nstopped')"
}

# --- max_record ----------------------------------------------------------------

@test "max_record: a record of exactly max_record bytes is accepted, one byte more is rejected" {
	run -1 --separate-stderr feed 'abcd\nabcde\nabc\nabcd\r\nabcde\r\n' \
		-e 'lactor.input(function(self, m) print(string.format("%q", m)) end, {max_record = 4})'
	assert_output "$(printf '"abcd"\n"abc"\n"abcd"')"
	assert_equal "${stderr_lines[0]}" "lactor: <stdin>:2: record longer than 4 bytes"
	assert_equal "${stderr_lines[1]}" "lactor: <stdin>:5: record longer than 4 bytes"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "max_record: an over-long record that spans many reads is skipped, the next one kept" {
	{
		echo first
		head -c 300000 /dev/zero | tr '\0' x
		echo
		echo after
		head -c 100000 /dev/zero | tr '\0' y
		echo
		head -c 200001 /dev/zero | tr '\0' z
	} >"$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr lactor -e 'lactor.input(function(self, m) print(#m, m:sub(1, 5)) end, {max_record = 200000})' <"$BATS_TEST_TMPDIR/in"
	assert_output "$(printf '5\tfirst\n5\tafter\n100000\tyyyyy')"
	assert_equal "${stderr_lines[0]}" "lactor: <stdin>:2: record longer than 200000 bytes"
	assert_equal "${stderr_lines[1]}" "lactor: <stdin>:5: record longer than 200000 bytes"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "max_record defaults to 16 MiB" {
	{
		head -c 16777216 /dev/zero | tr '\0' a
		echo
		head -c 16777217 /dev/zero | tr '\0' b
		echo
		echo end
	} >"$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr lactor -e 'lactor.input(function(self, m) print(#m) end)' <"$BATS_TEST_TMPDIR/in"
	assert_output "$(printf '16777216\n3')"
	assert_equal "$stderr" "lactor: <stdin>:2: record longer than 16777216 bytes"
}

@test "max_record in json and null formats, with record numbers" {
	run -1 --separate-stderr feed '[1]\n[1,2,3]\n"ok"\n' -j -e 'lactor.input(function(self, m) print(type(m)) end, {max_record = 5})'
	assert_output "$(printf 'table\nstring')"
	assert_equal "$stderr" "lactor: <stdin>:2: record longer than 5 bytes"
	run -1 --separate-stderr feed 'ab\0abc\0a' -0 -e 'lactor.input(function(self, m) print(m) end, {max_record = 2})'
	assert_output "$(printf 'ab\na')"
	assert_equal "$stderr" "lactor: <stdin>:2: record longer than 2 bytes"
}

@test "rejected records are counted in lactor.stats().rejected" {
	run -1 --separate-stderr feed '1\nx\n2\ny\n' -j -e 'local A = lactor.class("A")
function A:on_receive() end
function A:on_stop() local s = lactor.stats(); print(s.sent, s.rejected) end
lactor.input(A:start())'
	assert_output "$(printf '2\t2')"
	assert_equal "${#stderr_lines[@]}" 2
}

# --- where a rejection is reported ---------------------------------------------

@test "a rejected record is reported between the output of the records before and after it" {
	run -1 feed '1\nnot json\n2\n[1 2]\n3\n' -j -e 'lactor.input(function(self, m) print(math.tointeger(m)) end)'
	assert_output "$(printf '%s\n' 1 \
		"lactor: <stdin>:2: invalid JSON: Expected value but found invalid token at character 1" 2 \
		"lactor: <stdin>:4: invalid JSON: Expected comma or array end but found T_NUMBER at character 4" 3)"
	run -1 feed 'ab\nabcde\ncd\n' -e 'lactor.input(function(self, m) print(m) end, {max_record = 4})'
	assert_output "$(printf '%s\n' ab "lactor: <stdin>:2: record longer than 4 bytes" cd)"
}

@test "a rejection waits for a slow target to handle the records before it, and the rest wait for it" {
	run -1 feed '1\n2\n3\nbad\n4\n' -j -e 'lactor.input(function(self, m)
  lactor.sleep(0.02)
  print(math.tointeger(m))
end)'
	assert_output "$(printf '%s\n' 1 2 3 \
		"lactor: <stdin>:4: invalid JSON: Expected value but found invalid token at character 1" 4)"
}

@test "a rejection far into a long input comes after the output of every record before it" {
	{ seq 1 2500; echo bad; seq 2501 5000; } >"$BATS_TEST_TMPDIR/in"
	run -1 lactor -j -e 'lactor.input(function(self, m) print(math.tointeger(m)) end)' <"$BATS_TEST_TMPDIR/in"
	assert_equal "${#lines[@]}" 5001
	assert_equal "${lines[2499]}" 2500
	assert_equal "${lines[2500]}" "lactor: <stdin>:2501: invalid JSON: Expected value but found invalid token at character 1"
	assert_equal "${lines[2501]}" 2501
	assert_equal "${lines[5000]}" 5000
}

@test "a rejection waiting for its report is still reported when the run ends first" {
	run -0 feed '1\nbad\n2\n' -j -e 'lactor.input(function(self, m)
  print(math.tointeger(m))
  lactor.exit(0)
end)'
	assert_output "$(printf '%s\n' 1 "lactor: <stdin>:2: invalid JSON: Expected value but found invalid token at character 1")"
	run -1 feed '1\nbad\n2\n' -j -e 'lactor.input(function(self, m) print(math.tointeger(m)); error("boom", 0) end)'
	assert_line --index 0 1
	assert_line --index 1 --regexp '^lactor: actor Actor \(urn:uuid:[0-9a-f-]+\) crashed: boom$'
	assert_equal "${lines[-2]}" "lactor: <stdin>:2: invalid JSON: Expected value but found invalid token at character 1"
	[[ ${lines[-1]} =~ ^lactor:\ \<stdin\>:\ reading\ stopped:\ Actor\ \(urn:uuid:[0-9a-f-]+\)\ crashed,\ 1\ record\ not\ delivered$ ]]
}

# --- the target dies -----------------------------------------------------------

@test "a target that crashes mid-stream: reading stops and the records not delivered are reported" {
	seq 1 3000 >"$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr lactor --input "$BATS_TEST_TMPDIR/in" -e 'local C = lactor.class("Crasher")
function C:on_receive(m) if m == "10" then error("bad record " .. m, 0) end end
lactor.input(C:start())
lactor.after(0.2, function() print("sent", lactor.stats().sent, "dead letters", lactor.stats().dead_letters) end)'
	assert_output "$(printf 'sent\t1024\tdead letters\t1014')"
	assert_regex "${stderr_lines[0]}" "^lactor: actor Crasher \($URN\) crashed: bad record 10$"
	assert_regex "$stderr" "lactor: $BATS_TEST_TMPDIR/in: reading stopped: Crasher \($URN\) crashed, 1976 records not delivered"
}

@test "a target stopped mid-stream: reading stops, the rest is reported, exit 0" {
	seq 1 3000 >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr lactor -e 'local n = 0
local S = lactor.class("Stopper")
function S:on_receive(m) n = n + 1; if n == 5 then self:stop() end end
function S:on_stop() print("handled", n) end
lactor.input(S:start())' <"$BATS_TEST_TMPDIR/in"
	assert_output "handled	1024"
	assert_regex "$stderr" "^lactor: <stdin>: reading stopped: Stopper \($URN\) stopped, 1976 records not delivered$"
}

@test "a target that dies after the whole input was delivered is not reported" {
	run -0 --separate-stderr feed 'a\nb\n' -e 'lactor.input(function(self, m) print(m) if m == "b" then self:stop() end end)'
	assert_output "$(printf 'a\nb')"
	assert_equal "$stderr" ""
}

@test "a target that dies while the writer still holds the pipe open, with nothing more to send, is not reported" {
	local s
	s=$(script stop_at_b.lua <<'LUA'
lactor.input(function(self, m) print(m) if m == "b" then self:stop() end end)
LUA
)
	slow_writer() { { printf 'a\nb\n'; sleep 0.5; } | "$LACTOR" "$1"; }
	run -0 --separate-stderr slow_writer "$s"
	assert_output "$(printf 'a\nb')"
	assert_equal "$stderr" ""
}

@test "an endless input through a target that stops itself after N records ends cleanly" {
	run -0 --separate-stderr bash -c 'yes | "$LACTOR" -e "local n = 0
local Take = lactor.class(\"Take\")
function Take:on_receive(m) n = n + 1; if n == 1000 then self:stop() end end
function Take:on_stop() print(\"took\", n) end
lactor.input(Take:start())"'
	assert_output "took	1024"
	assert_regex "$stderr" "^lactor: <stdin>: reading stopped: Take \($URN\) stopped, [0-9]+ records not delivered$"
}

@test "an endless input through a function target that stops after N records ends cleanly" {
	run -0 --separate-stderr bash -c 'yes line | "$LACTOR" -e "local n = 0
lactor.input(function(self, m) n = n + 1; if n == 3 then print(n, m); lactor.exit(0) end end)"'
	assert_output "3	line"
	assert_equal "$stderr" ""
}

# --- misuse ------------------------------------------------------------------

@test "a second lactor.input raises at its caller" {
	run -1 --separate-stderr feed 'x\n' -e 'lactor.input(function() end)
local ok, err = pcall(lactor.input, function() end)
print(err)
lactor.input(print)'
	assert_output "input is already attached"
	assert_equal "${stderr_lines[0]}" "lactor: (command line):4: input is already attached"
}

@test "lactor.input raises after the input has ended too" {
	run -0 lactor -e 'local done = lactor.future()
lactor.input(function(self, m) if m == lactor.EOF then done:set() end end, {on_eof = "message"})
done:get()
print(pcall(lactor.input, function() end))' </dev/null
	assert_output "$(printf 'false\tinput is already attached')"
}

@test "bad arguments to lactor.input raise at the caller" {
	run -0 lactor -e 'local function try(...) print(select(2, pcall(lactor.input, ...))) end
try(42)
try()
try("nobody")
try(function() end, "json")
try(function() end, {fromat = "json"})
try(function() end, {format = "xml"})
try(function() end, {on_eof = "later"})
try(function() end, {max_record = 0})
try(function() end, {max_record = 1.5})
local dead = lactor.start(function() end)
dead:stop():get()
print(tostring(select(2, pcall(lactor.input, dead))):match("^ActorDead: Actor %(urn:uuid:"))
print((pcall(lactor.input, function() end, {max_record = 2^10})))' </dev/null
	assert_output "$(cat <<'OUT'
bad argument #1 to 'input' (actor ref, name or function expected, got number)
bad argument #1 to 'input' (actor ref, name or function expected, got nil)
no actor is registered as 'nobody'
bad argument #2 to 'input' (table expected, got string)
bad argument #2 to 'input' (unknown option 'fromat')
bad argument #2 to 'input' (invalid format 'xml')
bad argument #2 to 'input' (invalid on_eof 'later')
bad argument #2 to 'input' (max_record must be a positive integer)
bad argument #2 to 'input' (max_record must be a positive integer)
ActorDead: Actor (urn:uuid:
true
OUT
)"
}

@test "a bad argument reports the caller's line" {
	run -1 --separate-stderr lactor -e 'local x = 1
lactor.input(function() end, {format = "xml"})' </dev/null
	assert_equal "${stderr_lines[0]}" "lactor: (command line):2: bad argument #2 to 'input' (invalid format 'xml')"
}

# --- pacing ------------------------------------------------------------------

@test "the mailbox never holds more than 1024 records: reading waits for the target" {
	# Reading fills the mailbox up to 1024 messages waiting, which a handler
	# sees as 1023 behind itself; preempted before it looks, it could see
	# the input fill in behind it, 1024: --slice 0 keeps the count exact.
	seq 1 20000 >"$BATS_TEST_TMPDIR/in"
	run -0 lactor --slice 0 -e 'local actor = require("lactor.actor")
local core, waiting = actor.core, actor.waiting
local most, n = 0, 0
local Slow = lactor.class("Slow")
function Slow:on_receive(m)
  n = n + 1
  most = math.max(most, waiting(core(self.ref)))
  if n % 1000 == 0 then lactor.sleep(0.001) end
end
function Slow:on_stop() print(n, "most queued behind the one handled:", most) end
lactor.input(Slow:start())' <"$BATS_TEST_TMPDIR/in"
	assert_output "$(printf '20000\tmost queued behind the one handled:\t1023')"
}

@test "memory stays flat through an actor that is never quite done: its mailbox is given back" {
	# Reading refills the mailbox before it runs dry, so it is never reset.
	seq 1 200000 >"$BATS_TEST_TMPDIR/in"
	run -0 lactor -e 'local n, kb = 0, {}
lactor.input(function(self, m)
  n = n + 1
  if n % 1000 == 0 then lactor.sleep(0) end
  if n % 50000 == 0 then collectgarbage() kb[#kb + 1] = collectgarbage("count") end
  if n == 200000 then print("growth under 256 KB", kb[4] - kb[1] < 256) end
end)' <"$BATS_TEST_TMPDIR/in"
	assert_output "growth under 256 KB	true"
}

@test "a paused input keeps the run going until the target has taken every record" {
	seq 1 3000 >"$BATS_TEST_TMPDIR/in"
	run -0 lactor -e "$TARGET" -e 'local n = 0
function target.class:on_receive(m) n = n + 1 end
function target.class:on_stop() print("handled", n) end
lactor.input(target)' <"$BATS_TEST_TMPDIR/in"
	assert_output "handled	3000"
}

@test "a target stuck on a future while the input is paused is a deadlock, not a hang" {
	seq 1 3000 >"$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr timeout 10 "$LACTOR" -e 'local Stuck = lactor.class("Stuck")
function Stuck:on_receive(m) if m == "2" then lactor.future():get() end end
lactor.input(Stuck:start())' <"$BATS_TEST_TMPDIR/in"
	assert_equal "${stderr_lines[0]}" "lactor: deadlock: 1 coroutine(s) waiting on futures that can never resolve"
	assert_regex "${stderr_lines[1]}" "^actor Stuck \($URN\) waiting:$"
}

# --- reading never blocks the loop -----------------------------------------------

@test "a pipe that stays open and silent does not stop timers and actors" {
	hold_fifo silent
	run -0 --separate-stderr timeout 10 "$LACTOR" -e 'local n = 0
lactor.input(function(self, m) print("got", m) end)
local echo = lactor.start(function(self, m) return m end)
lactor.every(0.01, function()
  n = n + 1
  local k = n      -- a slow run (valgrind) starts the next tick while this one waits
  print("tick", k, echo:ask(k):get())
  if k == 3 then lactor.exit(0) end
end)' <"$FIFO"
	assert_output "$(printf 'tick\t1\t1\ntick\t2\t2\ntick\t3\t3')"
	assert_equal "$stderr" ""
}

@test "records written later to a pipe arrive, and its end ends the input" {
	run -0 timeout 10 "$LACTOR" -e "$TARGET" -e 'lactor.input(target)' < <(sleep 0.1; echo late; sleep 0.1; echo later)
	assert_output "$(printf 'got late\ngot later\nstopped')"
}

@test "with -i, stdin is the REPL's: lactor.input on it raises, and --input FILE is the way" {
	local VERSION
	VERSION=$("$LACTOR" --version)
	run -0 --separate-stderr feed 'print("line ran")\n' -i \
		-e 'print(pcall(function() lactor.input(function() end) end))'
	assert_output "$VERSION
false	(command line):1: stdin is read by the REPL: give the records with --input FILE
line ran"
	printf 'a\nb\n' >"$BATS_TEST_TMPDIR/records"
	run -0 --separate-stderr feed 'print("line ran")\n' -i --input "$BATS_TEST_TMPDIR/records" \
		-e 'lactor.input(function(self, m) print("got", m) end)'
	assert_output "$VERSION
got	a
got	b
line ran"
}

@test "lactor.exit ends the run while input is attached" {
	hold_fifo exit
	run -3 timeout 10 "$LACTOR" -e 'lactor.input(function() end)
lactor.after(0.02, function() print("exiting") lactor.exit(3) end)' <"$FIFO"
	assert_output "exiting"
}

@test "SIGTERM ends the run while input is attached, on_stop runs" {
	hold_fifo term
	READY="$BATS_TEST_TMPDIR/ready" "$LACTOR" -e "$TARGET" -e 'lactor.input(target)
lactor.after(0, function() io.open(os.getenv("READY"), "w"):close() end)' \
		<"$FIFO" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$! st=0
	wait_for "$BATS_TEST_TMPDIR/ready" || fail "lactor never got ready"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	assert_equal "$st" 143
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "stopped"
}

@test "stdin's file flags are given back: a shell reading it afterwards is not broken" {
	hold_fifo shared
	# The shell and lactor share one open file description of the fifo; the
	# second line is written once lactor has exited.
	run -0 timeout 10 bash -c '
		{ "$LACTOR" -e "lactor.input(function(self, m) print(\"lactor got \" .. m); lactor.exit(0) end)"
		  touch "$2"
		  read -r line && echo "shell read $line"
		} <"$1" &
		exec 3>"$1"
		echo first >&3
		while [ ! -e "$2" ]; do sleep 0.02; done
		echo second >&3
		wait' _ "$FIFO" "$BATS_TEST_TMPDIR/exited"
	assert_output "$(printf 'lactor got first\nshell read second')"
}

@test "a terminal on stdin works: lines as typed, Ctrl-D ends the input" {
	local s i screen
	s=$(script typed.lua <<'LUA'
lactor.input(function(self, m) print("got <" .. m .. ">") end)
LUA
)
	cat >"$BATS_TEST_TMPDIR/run.sh" <<SH
"$LACTOR" "$s"; echo "exit \$?"; read -r x; echo "shell read \$x"; sleep 30
SH
	TMUX_SOCK="$BATS_TEST_TMPDIR/tmux.sock"
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 80 -y 20 "bash $BATS_TEST_TMPDIR/run.sh"
	# wait_screen TEXT: until the pane shows TEXT.
	wait_screen() {
		for ((i = 0; i < 200; i++)); do
			screen=$(tmux -S "$TMUX_SOCK" capture-pane -p)
			[[ $screen == *"$1"* ]] && return 0
			sleep 0.05
		done
		fail "the terminal never showed '$1': $screen"
	}
	sleep 0.2
	tmux -S "$TMUX_SOCK" send-keys 'hello there' Enter
	wait_screen "got <hello there>"
	tmux -S "$TMUX_SOCK" send-keys C-d
	wait_screen "exit 0"
	tmux -S "$TMUX_SOCK" send-keys 'after' Enter
	wait_screen "shell read after"
	assert_equal "$(grep -v '^$' <<<"$screen")" "$(printf 'hello there\ngot <hello there>\nexit 0\nafter\nshell read after')"
}

# A Lua chunk that defines nonblocking(fd): whether fd's open file
# description is O_NONBLOCK (from /proc/self/fdinfo).
nonblocking_lua='local function nonblocking(fd)
  local f = assert(io.open("/proc/self/fdinfo/" .. fd))
  local flags = tonumber(f:read("a"):match("flags:%s+(%d+)"), 8)
  f:close()
  return flags & 0x800 ~= 0 and "nonblocking" or "blocking"
end'

@test "stdin is as blocking as it came after lactor was killed by SIGPIPE reading it" {
	# "later" is written once lactor is dead, for cat, the next reader.
	run -0 timeout 20 bash -c '(echo first; while [ ! -e "$1" ]; do sleep 0.02; done; echo later) | {
		"$LACTOR" -e "lactor.input(function(self, m) while true do print(m) end end)" | head -n 1
		touch "$1"
		cat
	}' _ "$BATS_TEST_TMPDIR/dead"
	assert_output "$(printf 'first\nlater')"
}

@test "a terminal on stdin stays blocking, and so do stdout and stderr on it" {
	local s i screen
	s=$(script flags.lua <<LUA
$nonblocking_lua
lactor.input(function(self, m)
  print("fds " .. nonblocking(0) .. " " .. nonblocking(1) .. " " .. nonblocking(2))
end)
LUA
)
	TMUX_SOCK="$BATS_TEST_TMPDIR/tmux.sock"
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 80 -y 20 "\"$LACTOR\" \"$s\"; sleep 30"
	sleep 0.2
	tmux -S "$TMUX_SOCK" send-keys 'go' Enter
	for ((i = 0; i < 200; i++)); do
		screen=$(tmux -S "$TMUX_SOCK" capture-pane -p)
		[[ $screen == *"fds "*" "*" "* ]] && break
		sleep 0.05
	done
	assert_equal "$(grep '^fds' <<<"$screen")" "fds blocking blocking blocking"
}

@test "a terminal that stops reading for a while loses none of the output of a script reading it" {
	local s i screen pid
	s=$(script slow.lua <<LUA
lactor.input(function(self, m)
  while not io.open("$BATS_TEST_TMPDIR/print") do lactor.sleep(0.01) end
  for i = 1, 5000 do print(string.rep("x", 50) .. " " .. i) end
  print("END")
end, { on_eof = "none" })
LUA
)
	TMUX_SOCK="$BATS_TEST_TMPDIR/tmux.sock"
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 80 -y 20 "\"$LACTOR\" \"$s\"; sleep 30"
	pid=$(tmux -S "$TMUX_SOCK" display-message -p '#{pid}')
	sleep 0.2
	tmux -S "$TMUX_SOCK" send-keys 'go' Enter
	# The terminal (the tmux server) stops reading while the script prints
	# far more than the terminal's buffer holds.
	kill -STOP "$pid"
	touch "$BATS_TEST_TMPDIR/print"
	sleep 0.5
	kill -CONT "$pid"
	for ((i = 0; i < 200; i++)); do
		screen=$(tmux -S "$TMUX_SOCK" capture-pane -p)
		[[ $screen == *END* ]] && break
		sleep 0.05
	done
	assert_equal "$(grep -v '^$' <<<"$screen" | tail -n 2)" "$(printf 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 5000\nEND')"
}

# --- the README's pipelines ----------------------------------------------------

# readme_pipeline NAME: the README's pipeline NAME, run as the README shows
# it (its Lua in NAME.lua, its shell line with `lactor` on PATH); its stdout
# must be the README's text block.
readme_pipeline() {
	local dir="$BATS_TEST_TMPDIR"
	awk -v name="$1" -v dir="$dir" '
		$0 == "<!-- pipeline: " name " -->" { want = 1; next }
		want == 1 && /^```lua$/ { want = 2; next }
		want == 2 && /^```$/ { want = 3; next }
		want == 2 { print > (dir "/" name ".lua"); next }
		want == 3 && /^```sh$/ { want = 4; next }
		want == 4 && /^```$/ { want = 5; next }
		want == 4 { print > (dir "/" name ".sh"); next }
		want == 5 && /^```text$/ { want = 6; next }
		want == 6 && /^```$/ { exit }
		want == 6 { print > (dir "/" name ".out") }
	' "$REPO/README.md"
	[[ -s $dir/$1.lua && -s $dir/$1.sh && -s $dir/$1.out ]] || fail "README has no pipeline '$1'"
	mkdir -p "$dir/bin"
	printf '#!/bin/sh\nexec "$LACTOR" "$@"\n' >"$dir/bin/lactor"
	chmod +x "$dir/bin/lactor"
	cd "$dir"
	run --separate-stderr env PATH="$dir/bin:$PATH" bash "$1.sh"
	assert_equal "$status" 0
	assert_output "$(cat "$1.out")"
	assert_equal "$stderr" ""
}

@test "the README's pipelines are all run here" {
	run sed -n 's/^<!-- pipeline: \(.*\) -->$/\1/p' "$REPO/README.md"
	assert_output "$(printf 'levels\nroute\nsum')"
}

@test "the README's levels pipeline prints what the README shows" {
	readme_pipeline levels
}

@test "the README's route pipeline (--json -t router, emit) prints what the README shows" {
	readme_pipeline route
}

@test "the README's sum pipeline (on_eof message) prints what the README shows" {
	readme_pipeline sum
}

@test "lua/examples/stats.lua counts a log's lines per level and prints the totals at its end" {
	run -0 --separate-stderr feed 'INFO up\nWARN disk 91%%\nINFO ping\nERROR disk full\nplain\n' \
		"$REPO/lua/examples/stats.lua"
	assert_output "total 5 lines: ERROR 1, INFO 2, OTHER 1, WARN 1"
	assert_equal "$stderr" ""
}

@test "lua/examples/stats.lua prints a summary every interval while the log is still growing" {
	local fifo="$BATS_TEST_TMPDIR/log" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	"$LACTOR" "$REPO/lua/examples/stats.lua" 0.05 <"$fifo" >"$out" 2>&1 3>&- &
	local pid=$!
	watchdog "$pid"
	exec 7>"$fifo"   # held open: the log goes on
	printf 'INFO a\nINFO b\n' >&7
	local i
	for i in $(seq 200); do grep -q '^2 lines: INFO 2 (' "$out" && break; sleep 0.05; done
	printf 'ERROR c\n' >&7
	exec 7>&-
	wait "$pid"
	run grep -c '^2 lines: INFO 2 (' "$out"
	refute_output 0
	run tail -n 1 "$out"
	assert_output "total 3 lines: ERROR 1, INFO 2"
}

@test "make demo's pipeline (lua/examples/demo.lua) counts words through actors" {
	run -0 --separate-stderr feed 'The cat sat on the mat.\nThe dog sat too.\nThe end\n' "$REPO/lua/examples/demo.lua"
	assert_output - <<'OUT'
the    4
sat    2
cat    1
dog    1
end    1
[["the",4],["sat",2],["cat",1],["dog",1],["end",1]]
OUT
	assert_equal "$stderr" ""
}
