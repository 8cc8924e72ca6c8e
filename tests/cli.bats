load helpers
bats_require_minimum_version 1.5.0

# The command line (SPEC section 1). The input options' behaviour lives in
# input.bats and the REPL in repl.bats; here only their usage errors.

USAGE="usage: lactor [options] [script [args...]]"
TRY_HELP="try 'lactor --help' for more information"
VERSION_RE='^lactor 0\.1\.0 \(Lua 5\.4\.[0-9]+\)$'

setup() {
	# The environment of whoever runs the suite must not leak into it.
	unset LUA_INIT LUA_INIT_5_4
}

teardown() {
	# A background lactor left behind by a failed signal test.
	if [[ -n ${BG_PID-} ]]; then
		kill -KILL "$BG_PID" 2>/dev/null || true
	fi
}

# assert_usage_error FIRST_LINE: after `run --separate-stderr`, the run was a
# usage error: exit 2, nothing on stdout, FIRST_LINE then the usage hint.
assert_usage_error() {
	assert_equal "$status" 2
	assert_output ""
	assert_equal "${stderr_lines[0]}" "$1"
	assert_equal "${stderr_lines[1]}" "$USAGE"
	assert_equal "${stderr_lines[2]}" "$TRY_HELP"
	assert_equal "${#stderr_lines[@]}" 3
}

# A module `greet` in the scratch dir, found through LUA_PATH.
make_greet_module() {
	script greet.lua >/dev/null <<'LUA'
print("loading greet")
return { hello = function() return "hello from greet" end }
LUA
	export LUA_PATH="$BATS_TEST_TMPDIR/?.lua"
}

# start_background ARGS...: run lactor in the background, as a terminal user
# would (SIGINT not ignored), stdout/stderr in $BATS_TEST_TMPDIR/out and /err.
start_background() {
	env --default-signal=INT "$LACTOR" "$@" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG_PID=$!
}

# wait_for_file FILE: until FILE is non-empty; fails if the background
# lactor died first or nothing came for a long while.
wait_for_file() {
	local i
	for ((i = 0; i < 600; i++)); do
		[[ -s $1 ]] && return 0
		kill -0 "$BG_PID" 2>/dev/null || {
			echo "lactor exited before $1 was written" >&2
			return 1
		}
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# wait_background: the background lactor's exit status in $BG_STATUS. A
# lactor still running after a long while is killed and the test fails, so a
# lost signal cannot hang the suite.
wait_background() {
	local i
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$BG_PID" 2>/dev/null; then
		kill -KILL "$BG_PID"
		wait "$BG_PID" || true
		BG_PID=
		fail "lactor was still running long after the signal"
	fi
	BG_STATUS=0
	wait "$BG_PID" || BG_STATUS=$?
	BG_PID=
}

# A script for the signal tests: one live actor whose on_stop prints, a timer
# that keeps the loop busy, a readiness file (arg[1]) written from inside the
# running loop, and a watchdog so a lost signal fails instead of hanging.
make_signal_script() {
	script sig.lua <<'LUA'
local Worker = lactor.class("Worker")
function Worker:on_stop() print("Worker on_stop ran") end
Worker:start()
lactor.every(0.05, function() end)
lactor.after(60, function() lactor.exit(99) end)
lactor.after(0, function()
	local f = assert(io.open(arg[1], "w"))
	f:write("ready\n")
	f:close()
end)
LUA
}

# --- -e, -l, order -----------------------------------------------------------

@test "-e runs a chunk and exits 0 with nothing on stderr" {
	run -0 --separate-stderr lactor -e 'print("hello")'
	assert_output "hello"
	assert_equal "$stderr" ""
}

@test "several -e chunks run in command-line order in one state" {
	run -0 lactor -e 'x = 1' -e 'x = x * 10' -e 'print("x is", x)' -e 'print("last")'
	assert_output "$(printf 'x is\t10\nlast')"
}

@test "-e chunks run before the script" {
	local s
	s=$(script main.lua <<'LUA'
print("script sees", x + 1)
LUA
)
	run -0 lactor -e 'x = 41' -e 'print("e ran")' "$s"
	assert_output "$(printf 'e ran\nscript sees\t42')"
}

@test "-e without a script does not read stdin" {
	run -0 lactor -e 'print("from -e")' <<<'print("from stdin")'
	assert_output "from -e"
}

@test "-l mod requires a module from LUA_PATH into the global of that name" {
	make_greet_module
	run -0 lactor -l greet -e 'print(greet.hello())'
	assert_output "$(printf 'loading greet\nhello from greet')"
}

@test "-l g=mod requires the module into the global g only" {
	make_greet_module
	run -0 lactor -l g=greet -e 'print(g.hello(), greet)'
	assert_output "$(printf 'loading greet\nhello from greet\tnil')"
}

@test "-l and -e run interleaved in command-line order" {
	make_greet_module
	run -0 lactor -e 'print("first")' -l greet -e 'print("last", greet.hello())'
	assert_output "$(printf 'first\nloading greet\nlast\thello from greet')"
}

@test "-e and -l accept their argument attached as lua does" {
	make_greet_module
	run -0 lactor -lgreet '-eprint(greet.hello())'
	assert_output "$(printf 'loading greet\nhello from greet')"
}

@test "-l with a module that does not exist is an error with exit status 1" {
	run -1 --separate-stderr lactor -l no_such_module_here -e 'print("not reached")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: module 'no_such_module_here' not found:"
}

# --- version and help ---------------------------------------------------------

@test "--version prints the version on stdout and exits 0" {
	run -0 --separate-stderr lactor --version
	assert_output --regexp "$VERSION_RE"
	assert_equal "$stderr" ""
}

@test "-v alone prints the version and exits 0 without reading stdin" {
	run -0 --separate-stderr lactor -v <<<'print("stdin ran")'
	assert_output --regexp "$VERSION_RE"
	assert_equal "$stderr" ""
}

@test "-v with a script prints the version and then runs the script" {
	local s
	s=$(script hi.lua <<'LUA'
print("script ran", ...)
LUA
)
	run -0 lactor -v "$s" a
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" "$VERSION_RE"
	assert_equal "${lines[1]}" "$(printf 'script ran\ta')"
}

@test "-v with -e prints the version and then runs the chunk" {
	run -0 lactor -v -e 'print("chunk ran")'
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" "$VERSION_RE"
	assert_equal "${lines[1]}" "chunk ran"
}

@test "-h prints usage on stdout starting with the usage line and exits 0" {
	run -0 --separate-stderr lactor -h
	assert_equal "${lines[0]}" "$USAGE"
	assert_equal "$stderr" ""
}

@test "--help prints usage on stdout starting with the usage line and exits 0" {
	run -0 --separate-stderr lactor --help
	assert_equal "${lines[0]}" "$USAGE"
	assert_equal "$stderr" ""
}

@test "--help lists every option" {
	run -0 lactor --help
	local opt
	for opt in -e -l -i -v -E -W -t --to -j --json -0 --null --raw --input \
		--slice -d --debug -h --help --version; do
		[[ $output =~ (^|[[:space:],])$opt([[:space:],=]|$) ]] ||
			fail "--help does not mention $opt"
	done
}

# --- environment: LUA_INIT, LUA_PATH, -E --------------------------------------

@test "LUA_INIT runs before -e chunks" {
	LUA_INIT='print("init ran"); from_init = 7' run -0 lactor -e 'print("main", from_init)'
	assert_output "$(printf 'init ran\nmain\t7')"
}

@test "LUA_INIT runs before the script" {
	local s
	s=$(script main.lua <<'LUA'
print("script", from_init)
LUA
)
	LUA_INIT='from_init = "yes"' run -0 lactor "$s"
	assert_output "$(printf 'script\tyes')"
}

@test "LUA_INIT_5_4 is used instead of LUA_INIT when both are set" {
	LUA_INIT='print("plain init")' LUA_INIT_5_4='print("5.4 init")' \
		run -0 lactor -e 'print("main")'
	assert_output "$(printf '5.4 init\nmain')"
}

@test "LUA_INIT of the form @file runs that file" {
	local init
	init=$(script init.lua <<'LUA'
print("init file ran")
LUA
)
	LUA_INIT="@$init" run -0 lactor -e 'print("main")'
	assert_output "$(printf 'init file ran\nmain')"
}

@test "LUA_INIT_5_4 of the form @file runs that file" {
	local init
	init=$(script init.lua <<'LUA'
print("init file ran")
LUA
)
	LUA_INIT_5_4="@$init" run -0 lactor -e 'print("main")'
	assert_output "$(printf 'init file ran\nmain')"
}

@test "an error in LUA_INIT is reported and exits 1" {
	LUA_INIT='error("init failed")' run -1 --separate-stderr lactor -e 'print("not reached")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: LUA_INIT:1: init failed"
}

@test "a LUA_INIT=@file that cannot be read is an error in LUA_INIT: exit 1, as lua does" {
	cd "$BATS_TEST_TMPDIR"
	LUA_INIT=@missing.lua run -1 --separate-stderr lactor -e 'print("not reached")'
	assert_output ""
	assert_equal "$stderr" "lactor: cannot open missing.lua: No such file or directory"
}

@test "-E ignores LUA_INIT and LUA_INIT_5_4" {
	LUA_INIT='print("plain init")' run -0 lactor -E -e 'print("main")'
	assert_output "main"
	LUA_INIT_5_4='print("5.4 init")' run -0 lactor -E -e 'print("main")'
	assert_output "main"
}

@test "LUA_PATH and LUA_CPATH set package.path and package.cpath" {
	LUA_PATH='/nowhere/?.lua' LUA_CPATH='/nowhere/?.so' \
		run -0 lactor -e 'print(package.path) print(package.cpath)'
	assert_output "$(printf '/nowhere/?.lua\n/nowhere/?.so')"
}

@test "-E ignores LUA_PATH" {
	make_greet_module
	run -0 lactor -e 'print((pcall(require, "greet")))'
	assert_output "$(printf 'loading greet\ntrue')"
	run -0 lactor -E -e 'print((pcall(require, "greet")))'
	assert_output "false"
}

# --- warnings -----------------------------------------------------------------

@test "-W turns warnings on: warn prints 'Lua warning: ' on stderr" {
	run -0 --separate-stderr lactor -W -e 'warn("x") warn("a", "b") print("done")'
	assert_output "done"
	assert_equal "${stderr_lines[0]}" "Lua warning: x"
	assert_equal "${stderr_lines[1]}" "Lua warning: ab"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "-W turns warnings on for a script" {
	local s
	s=$(script warn.lua <<'LUA'
warn("from script")
LUA
)
	run -0 --separate-stderr lactor -W "$s"
	assert_output ""
	assert_equal "$stderr" "Lua warning: from script"
}

@test "without -W warnings are off" {
	run -0 --separate-stderr lactor -e 'warn("x") print("done")'
	assert_output "done"
	assert_equal "$stderr" ""
}

@test "warn('@on') and warn('@off') switch warnings as in lua; a piece of a message is no control" {
	run -0 --separate-stderr lactor -e '
warn("@on") warn("x") warn("@off") warn("hidden") warn("@on")
warn("@", "off") warn("@other") warn("y")'
	assert_output ""
	assert_equal "$stderr" "$(printf 'Lua warning: x\nLua warning: @off\nLua warning: y')"
}

# --- scripts, arguments, stdin ------------------------------------------------

@test "script arguments fill arg with arg[0] the script and options at negative indices" {
	# under make valgrind, arg[-n] holds the real binary and the wrapper's --slice
	[[ $LACTOR != */lactor-valgrind ]] || skip "arg[-n] holds the valgrind wrapper's options"
	local s
	s=$(script args.lua <<'LUA'
for i = -4, #arg do print(i, arg[i]) end
LUA
)
	run -0 lactor -e 'x = 1' "$s" p q
	assert_output "$(printf '%s\t%s\n' -4 nil -3 "$LACTOR" -2 -e -1 'x = 1' 0 "$s" 1 p 2 q)"
}

@test "script arguments are the main chunk's ..." {
	local s
	s=$(script dots.lua <<'LUA'
print(select("#", ...), ...)
LUA
)
	run -0 lactor "$s" p "two words" ""
	assert_output "$(printf '3\tp\ttwo words\t')"
}

@test "a script gets thousands of arguments, from a file or from stdin" {
	local s
	s=$(script count.lua <<'LUA'
print(select("#", ...), select(5000, ...), #arg)
LUA
)
	run -0 lactor "$s" $(seq 5000)
	assert_output "$(printf '5000\t5000\t5000')"
	run -0 lactor - $(seq 5000) <"$s"
	assert_output "$(printf '5000\t5000\t5000')"
}

@test "a script without arguments gets an empty ..." {
	local s
	s=$(script dots.lua <<'LUA'
print(select("#", ...), #arg)
LUA
)
	run -0 lactor "$s"
	assert_output "$(printf '0\t0')"
}

@test "arguments after the script that look like options go to the script" {
	local s
	s=$(script opts.lua <<'LUA'
print(...)
LUA
)
	run -0 --separate-stderr lactor "$s" -e 'print("not run")' --version -x
	assert_output "$(printf -- '-e\tprint("not run")\t--version\t-x')"
	assert_equal "$stderr" ""
}

@test "-- ends the options so the next argument is the script even if it starts with -" {
	script -dash.lua >/dev/null <<'LUA'
print("dash script", arg[0], ...)
LUA
	cd "$BATS_TEST_TMPDIR"
	run -0 lactor -- -dash.lua -v
	assert_output "$(printf 'dash script\t-dash.lua\t-v')"
}

@test "-- with nothing after it runs stdin as the script" {
	run -0 lactor -- <<<'print("stdin ran")'
	assert_output "stdin ran"
}

@test "- runs stdin as the script with the following arguments" {
	run -0 lactor - a -b <<<'print(arg[0], arg[1], arg[2], ...)'
	assert_output "$(printf -- '-\ta\t-b\ta\t-b')"
}

@test "with no script and no -e, stdin that is not a terminal runs as the script" {
	run -0 lactor <<<'print("stdin ran", select("#", ...))'
	assert_output "$(printf 'stdin ran\t0')"
}

@test "options without a script still run stdin that is not a terminal" {
	run -0 --separate-stderr lactor -W <<<'warn("w") print("stdin ran")'
	assert_output "stdin ran"
	assert_equal "$stderr" "Lua warning: w"
}

@test "an error in a script read from stdin is reported as stdin" {
	run -1 --separate-stderr lactor <<<'error("boom")'
	assert_equal "${stderr_lines[0]}" "lactor: stdin:1: boom"
}

@test "a #! first line is skipped and line numbers are kept" {
	local s
	s=$(script shebang.lua <<'LUA'
#!/usr/bin/env lactor
print("shebang script ran")
error("boom")
LUA
)
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor shebang.lua
	assert_output "shebang script ran"
	assert_equal "${stderr_lines[0]}" "lactor: shebang.lua:3: boom"
}

@test "an executable #!/usr/bin/env lactor script runs directly" {
	local s
	s=$(script hello <<'LUA'
#!/usr/bin/env lactor
print("direct", ...)
LUA
)
	chmod +x "$s"
	mkdir "$BATS_TEST_TMPDIR/bin"
	ln -s "$LACTOR" "$BATS_TEST_TMPDIR/bin/lactor"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" run -0 "$s" x y
	assert_output "$(printf 'direct\tx\ty')"
}

# --- lactor's other options ---------------------------------------------------

@test "--slice and -d are accepted before a chunk" {
	run -0 lactor --slice 5 -e 'print("slice ok")'
	assert_output "slice ok"
	run -0 lactor --slice 0 -e 'print("slice off ok")'
	assert_output "slice off ok"
	run -0 lactor -d -e 'print("debug ok")'
	assert_output "debug ok"
	run -0 lactor --debug -e 'print("debug ok")'
	assert_output "debug ok"
}

@test "an input option with -e instead of a script is not a usage error" {
	run -0 lactor --raw -e 'print("raw ok")' </dev/null
	assert_output "raw ok"
}

# --- usage errors (exit 2) ----------------------------------------------------

@test "an unknown short option is a usage error" {
	run --separate-stderr lactor -x <<<'print("stdin ran")'
	assert_usage_error "lactor: unrecognized option '-x'"
}

@test "an unknown long option is a usage error" {
	run --separate-stderr lactor --frobnicate -e 'print("ran")'
	assert_usage_error "lactor: unrecognized option '--frobnicate'"
}

@test "-e without its argument is a usage error" {
	run --separate-stderr lactor -e
	assert_usage_error "lactor: '-e' needs an argument"
}

@test "-l without its argument is a usage error" {
	run --separate-stderr lactor -l
	assert_usage_error "lactor: '-l' needs an argument"
}

@test "--slice without its argument is a usage error" {
	run --separate-stderr lactor --slice
	assert_usage_error "lactor: '--slice' needs an argument"
}

@test "the argument of --input, -t and --slice is never taken for -e or -l, whatever it starts with" {
	cd "$BATS_TEST_TMPDIR"
	printf 'rec\n' >./-lx
	printf 'print("module x loaded")\n' >x.lua
	run -0 --separate-stderr lactor --input -lx -e 'lactor.input(function(self, m) print("got", m) end)'
	assert_output "got	rec"
	printf 'rec\n' >./-l
	run -0 --separate-stderr lactor -e 'print(1)' --input -l
	assert_output "1"
	run -1 --separate-stderr lactor --to '-eprint("injected")' -e 'lactor.start(function() end)' </dev/null
	assert_output ""
	assert_equal "$stderr" "lactor: -t -eprint(\"injected\"): no actor is registered as '-eprint(\"injected\")'"
}

@test "--input without its argument is a usage error" {
	run --separate-stderr lactor --input
	assert_usage_error "lactor: '--input' needs an argument"
}

@test "-t without its argument is a usage error" {
	run --separate-stderr lactor -t
	assert_usage_error "lactor: '-t' needs an argument"
}

@test "a script that does not exist is a usage error" {
	cd "$BATS_TEST_TMPDIR"
	run -2 --separate-stderr lactor nofile.lua a b
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: cannot open nofile.lua: No such file or directory"
}

@test "a directory given as the script is a usage error" {
	cd "$BATS_TEST_TMPDIR"
	mkdir adir
	run -2 --separate-stderr lactor adir
	assert_output ""
	[[ ${stderr_lines[0]} == "lactor: cannot "*adir* ]] ||
		fail "unexpected first stderr line: ${stderr_lines[0]}"
}

@test "-t without a script or -e is a usage error" {
	run -2 --separate-stderr lactor -t Sink <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '-t' needs a script or -e"
}

@test "an input option with the script on stdin ('-') and no --input is a usage error" {
	run -2 --separate-stderr lactor -t sink - <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '-t' and '-' would both read stdin: give the records with --input FILE"
	assert_equal "${stderr_lines[1]}" "usage: lactor [options] [script [args...]]"
	run -2 --separate-stderr lactor -j - <<<'print("stdin ran")'
	assert_equal "${stderr_lines[0]}" "lactor: '-j' and '-' would both read stdin: give the records with --input FILE"
	printf '["from file"]\n' >"$BATS_TEST_TMPDIR/records"
	run -0 --separate-stderr lactor -j --input "$BATS_TEST_TMPDIR/records" -t sink - \
		<<<'lactor.register("sink", lactor.start(function(self, m) print(m[1]) end))'
	assert_output "from file"
	assert_equal "$stderr" ""
}

@test "--to without a script or -e is a usage error" {
	run -2 --separate-stderr lactor --to Sink <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '--to' needs a script or -e"
}

@test "-j without a script or -e is a usage error" {
	run -2 --separate-stderr lactor -j <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '-j' needs a script or -e"
}

@test "--json without a script or -e is a usage error" {
	run -2 --separate-stderr lactor --json <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '--json' needs a script or -e"
}

@test "-0 without a script or -e is a usage error" {
	run -2 --separate-stderr lactor -0 <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '-0' needs a script or -e"
}

@test "--null without a script or -e is a usage error" {
	run -2 --separate-stderr lactor --null <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '--null' needs a script or -e"
}

@test "--raw without a script or -e is a usage error" {
	run -2 --separate-stderr lactor --raw <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '--raw' needs a script or -e"
}

@test "--input without a script or -e is a usage error" {
	printf 'record\n' >"$BATS_TEST_TMPDIR/records.txt"
	run -2 --separate-stderr lactor --input "$BATS_TEST_TMPDIR/records.txt" <<<'print("stdin ran")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: '--input' needs a script or -e"
}

# --- errors in the main chunk (exit 1) ----------------------------------------

@test "a runtime error in the script exits 1 with the message and a traceback" {
	script boom.lua >/dev/null <<'LUA'
print("before")
local x = 1
error("boom")
LUA
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor boom.lua
	assert_output "before"
	assert_equal "${stderr_lines[0]}" "lactor: boom.lua:3: boom"
	assert_equal "${stderr_lines[1]}" "stack traceback:"
}

@test "a lactor function written in Lua that raises stands in the traceback as one line, as a C function" {
	run -1 --separate-stderr lactor -e 'lactor.input(5)'
	assert_equal "$stderr" "lactor: (command line):1: bad argument #1 to 'input' (actor ref, name or function expected, got number)
stack traceback:
	[C]: in function 'lactor.input'
	(command line):1: in main chunk
	[C]: in ?"
	run -1 --separate-stderr lactor -e 'lactor.start(function(self, m) lactor.supervise(m) end):tell(5)'
	assert_regex "${stderr_lines[0]}" "^lactor: actor Actor \(urn:uuid:[-0-9a-f]+\) crashed: \(command line\):1: bad argument #1 to 'supervise' \(table expected, got number\)\$"
	assert_equal "${stderr_lines[1]}" "stack traceback:"
	assert_equal "${stderr_lines[2]}" "	[C]: in function 'lactor.supervise'"
	assert_equal "${stderr_lines[3]}" "	(command line):1: in local 'on_receive'"
	assert_equal "${#stderr_lines[@]}" 4
	run -1 --separate-stderr lactor -d -e 'lactor.input(5)'
	assert_regex "$stderr" $'\n\tlua/lactor/input\\.lua:[0-9]+: in '
}

@test "a runtime error in an -e chunk exits 1 naming the command line" {
	run -1 --separate-stderr lactor -e 'error("boom")' -e 'print("not reached")'
	assert_output ""
	assert_equal "${stderr_lines[0]}" "lactor: (command line):1: boom"
	assert_equal "${stderr_lines[1]}" "stack traceback:"
}

@test "an uncaught error object in the main chunk is printed through __tostring" {
	run -1 --separate-stderr lactor -e \
		'error(setmetatable({}, { __tostring = function() return "custom failure" end }))'
	assert_equal "${stderr_lines[0]}" "lactor: custom failure"
}

@test "an error in the main chunk closes its to-be-closed variables before the report, as lua does" {
	local t
	t=$(script t.lua <<'LUA'
local function res(name)
  return setmetatable({}, { __close = function(_, err) print("closed " .. name, err) end })
end
local a <close> = res("a")
do local b <close> = res("b") end
local f = lactor.future()
f:set_exception("failed future")
f:get()
LUA
	)
	run -1 lactor "$t"
	assert_equal "${lines[0]}" $'closed b\tnil'
	assert_equal "${lines[1]}" $'closed a\tfailed future'
	assert_equal "${lines[2]}" "lactor: failed future"
	# An error in a __close replaces the error, as in a pcall.
	run -1 --separate-stderr lactor -e 'local x <close> = setmetatable({}, {
		__close = function() error("in close", 0) end }) error("unwind")'
	assert_equal "${stderr_lines[0]}" "lactor: in close"
}

@test "a syntax error exits 1 with one line and runs nothing" {
	script bad.lua >/dev/null <<'LUA'
print("not reached")
x = = 1
LUA
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor bad.lua
	assert_output ""
	assert_equal "$stderr" "lactor: bad.lua:2: unexpected symbol near '='"
}

@test "-e chunks run before the script is loaded, as with lua" {
	script bad.lua >/dev/null <<'LUA'
x = = 1
LUA
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor -e 'print("first")' bad.lua
	assert_output "first"
	assert_equal "$stderr" "lactor: bad.lua:1: unexpected symbol near '='"
}

@test "-e chunks run before a script that cannot be read, which exits 2" {
	cd "$BATS_TEST_TMPDIR"
	run -2 --separate-stderr lactor -e 'print("first")' nofile.lua
	assert_output "first"
	assert_equal "$stderr" "lactor: cannot open nofile.lua: No such file or directory"
}

@test "an -e chunk with a syntax error runs after the ones before it" {
	run -1 --separate-stderr lactor -e 'print("first")' -e 'x x' -e 'print("not reached")'
	assert_output "first"
	assert_equal "$stderr" "lactor: (command line):1: syntax error near 'x'"
}

@test "a script that does not load stops the actors -e started" {
	script bad.lua >/dev/null <<'LUA'
x = = 1
LUA
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor -e '
local Keeper = lactor.class("Keeper")
function Keeper:on_stop() print("Keeper on_stop ran") end
Keeper:start()' bad.lua
	assert_output "Keeper on_stop ran"
	assert_equal "$stderr" "lactor: bad.lua:1: unexpected symbol near '='"
}

@test "an error in the main chunk still stops live actors and runs their on_stop" {
	script boom.lua >/dev/null <<'LUA'
local Keeper = lactor.class("Keeper")
function Keeper:on_stop() print("Keeper on_stop ran") end
Keeper:start()
error("boom")
LUA
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor boom.lua
	assert_output "Keeper on_stop ran"
	assert_equal "${stderr_lines[0]}" "lactor: boom.lua:4: boom"
}

@test "an actor crash that nothing handles makes the exit status 1" {
	script crash.lua >/dev/null <<'LUA'
local Counter = lactor.class("Counter")
function Counter:on_receive(msg) error("boom") end
Counter:start():tell("go")
print("main done")
LUA
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor crash.lua
	assert_output "main done"
	assert_regex "${stderr_lines[0]}" \
		'^lactor: actor Counter \(urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\) crashed: crash\.lua:2: boom$'
}

@test "a timer callback that raises is reported, the run goes on, and the exit status is 1" {
	script timer.lua >/dev/null <<'LUA'
lactor.after(0, function() error("tick failed") end)
lactor.after(0.01, function() print("still running") end)
LUA
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor timer.lua
	assert_output "still running"
	assert_equal "${stderr_lines[0]}" "lactor: timer callback failed: timer.lua:1: tick failed"
}

# --- lactor.exit --------------------------------------------------------------

@test "lactor.exit(n) exits n after flushing output and running live actors' on_stop" {
	local s
	s=$(script exit.lua <<'LUA'
local Keeper = lactor.class("Keeper")
function Keeper:on_stop() print("Keeper on_stop ran") end
Keeper:start()
print("before exit")
lactor.exit(3)
print("after exit")
LUA
)
	run -3 --separate-stderr lactor "$s"
	assert_output "$(printf 'before exit\nKeeper on_stop ran')"
	assert_equal "$stderr" ""
}

@test "lactor.exit starts an actor that had not started yet before its on_stop runs" {
	script exit.lua >/dev/null <<'LUA'
local Logger = lactor.class("Logger")
function Logger:on_start() self.out = { "opened" } end
function Logger:on_stop() print(self.out[1], "closed") end
local Broken = lactor.class("Broken")
function Broken:on_start() error("cannot start", 0) end
function Broken:on_stop() print("Broken on_stop must not run") end
Logger:start()
Broken:start()
lactor.exit(4)
LUA
	cd "$BATS_TEST_TMPDIR"
	run -4 --separate-stderr lactor exit.lua
	assert_output "opened	closed"
	assert_regex "${stderr_lines[0]}" '^lactor: actor Broken \(urn:uuid:[-0-9a-f]+\) on_start failed: cannot start$'
}

@test "lactor.exit does not return even inside pcall" {
	run -6 lactor -e 'print("before"); print(pcall(lactor.exit, 6)); print("after")'
	assert_output "before"
}

@test "lactor.exit with no argument, true or false exits 0, 0 or 1" {
	run -0 lactor -e 'lactor.exit() print("after")'
	assert_output ""
	run -0 lactor -e 'lactor.exit(true) print("after")'
	assert_output ""
	run -1 --separate-stderr lactor -e 'lactor.exit(false) print("after")'
	assert_output ""
	assert_equal "$stderr" ""
}

@test "lactor.exit called inside an actor exits with that status and stops the others" {
	local s
	s=$(script exit.lua <<'LUA'
local Bystander = lactor.class("Bystander")
function Bystander:on_stop() print("Bystander on_stop ran") end
Bystander:start()
local quitter = lactor.start(function(self, msg)
	print("exiting with", msg)
	lactor.exit(msg)
	print("not reached")
end)
quitter:tell(5)
LUA
)
	run -5 lactor "$s"
	assert_output "$(printf 'exiting with\t5\nBystander on_stop ran')"
}

@test "os.exit(n, true) in an actor, a timer or the main chunk runs the finalizers and exits n, as lua does" {
	# It closes the state under the coroutine being resumed: the
	# preemption timer, ticking fast here, must not reach the freed proc
	# (make check).
	script osexit.lua >/dev/null <<'LUA'
Kept = setmetatable({}, { __gc = function() print("finalized") end })
local where = ...
if where == "actor" then
  lactor.start(function(self, n) os.exit(n, true) end):tell(5)
elseif where == "timer" then
  lactor.after(0, function() os.exit(4, true) end)
else
  os.exit(3, true)
end
print("not reached")
LUA
	cd "$BATS_TEST_TMPDIR"
	run -5 --separate-stderr lactor --slice 0.1 osexit.lua actor
	assert_output "$(printf 'not reached\nfinalized')"
	assert_equal "$stderr" ""
	run -4 --separate-stderr lactor --slice 0.1 osexit.lua timer
	assert_output "$(printf 'not reached\nfinalized')"
	run -3 --separate-stderr lactor --slice 0.1 osexit.lua main
	assert_output "finalized"
	run -0 lactor -e 'os.exit(true, true)'
	run -1 --separate-stderr lactor -e 'os.exit("x", true)'
	assert_equal "${stderr_lines[0]}" "lactor: (command line):1: bad argument #1 to 'exit' (number expected, got string)"
}

# --- signals ------------------------------------------------------------------

@test "SIGINT stops every live actor, runs on_stop and exits 130" {
	local s ready="$BATS_TEST_TMPDIR/ready"
	s=$(make_signal_script)
	start_background "$s" "$ready"
	wait_for_file "$ready"
	kill -INT "$BG_PID"
	wait_background
	assert_equal "$BG_STATUS" 130
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "Worker on_stop ran"
}

@test "SIGTERM stops every live actor, runs on_stop and exits 143" {
	local s ready="$BATS_TEST_TMPDIR/ready"
	s=$(make_signal_script)
	start_background "$s" "$ready"
	wait_for_file "$ready"
	kill -TERM "$BG_PID"
	wait_background
	assert_equal "$BG_STATUS" 143
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "Worker on_stop ran"
}

# --- closed stdout ------------------------------------------------------------

@test "writing to a closed stdout pipe ends lactor quietly" {
	run -0 bash -c '"$LACTOR" -e "for i = 1, 1e6 do print(i) end" 2>"$1" | head -1' _ \
		"$BATS_TEST_TMPDIR/err"
	assert_output "1"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
}

@test "a script printing forever ends when its stdout pipe closes" {
	# timeout only guards the suite against a hang; 124 means lactor never ended.
	run -0 bash -c 'timeout 60 "$LACTOR" -e "while true do print(\"y\") end" 2>"$1" | head -1
		echo "${PIPESTATUS[0]}"' _ "$BATS_TEST_TMPDIR/err"
	assert_equal "${lines[0]}" "y"
	[[ ${lines[1]} != 124 ]] || fail "lactor kept running after stdout closed"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
}

# --- how the process ends -----------------------------------------------------

@test "at the natural end idle actors are stopped in reverse start order" {
	local s
	s=$(script end.lua <<'LUA'
for _, name in ipairs({ "A", "B", "C" }) do
	local cls = lactor.class(name)
	function cls:on_stop() print(name .. " on_stop ran") end
	cls:start()
end
print("main done")
LUA
)
	run -0 --separate-stderr lactor "$s"
	assert_output "$(printf 'main done\nC on_stop ran\nB on_stop ran\nA on_stop ran')"
	assert_equal "$stderr" ""
}

@test "messages told at the end of the main chunk are handled before the actors stop" {
	local s
	s=$(script end.lua <<'LUA'
local Echo = lactor.class("Echo")
function Echo:on_receive(msg) print("got", msg) end
function Echo:on_stop() print("Echo on_stop ran") end
local e = Echo:start()
e:tell(1)
e:tell(2)
LUA
)
	run -0 lactor "$s"
	assert_output "$(printf 'got\t1\ngot\t2\nEcho on_stop ran')"
}

@test "a pending timer keeps lactor running until it fires" {
	run -0 lactor -e 'lactor.after(0.01, function() print("late") end) print("main done")'
	assert_output "$(printf 'main done\nlate')"
}

@test "waiting on a future a timer will resolve is not a deadlock" {
	local s
	s=$(script wait.lua <<'LUA'
local f = lactor.future()
lactor.after(0.01, function() f:set("resolved by timer") end)
print(f:get())
LUA
)
	run -0 --separate-stderr lactor "$s"
	assert_output "resolved by timer"
	assert_equal "$stderr" ""
}

@test "a main chunk waiting on a future nothing can resolve is a deadlock: exit 1" {
	run -1 --separate-stderr lactor -e 'print("before") lactor.future():get() print("after")'
	assert_output "before"
	assert_equal "${stderr_lines[0]}" \
		"lactor: deadlock: 1 coroutine(s) waiting on futures that can never resolve"
	assert_equal "${stderr_lines[1]}" "main chunk waiting:"
}

@test "a deadlock counts every waiting coroutine" {
	local s
	s=$(script dead.lua <<'LUA'
lactor.spawn(function() lactor.future():get() end)
lactor.future():get()
LUA
)
	run -1 --separate-stderr lactor "$s"
	assert_output ""
	assert_equal "${stderr_lines[0]}" \
		"lactor: deadlock: 2 coroutine(s) waiting on futures that can never resolve"
}

@test "a deadlock report shows where each coroutine waits, down to its own code" {
	script dead.lua >/dev/null <<'LUA'
local never = lactor.future()
local Waiter = lactor.class("Waiter")
function Waiter:on_receive() never:get() end
local w = Waiter:start()
print(w.urn)
w:tell("go")
lactor.spawn(function() never:get() end)
never:get()
LUA
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr lactor dead.lua
	assert_equal "$stderr" "lactor: deadlock: 3 coroutine(s) waiting on futures that can never resolve
main chunk waiting:
stack traceback:
	[C]: in method 'get'
	dead.lua:8: in main chunk
	[C]: in ?
task waiting:
stack traceback:
	[C]: in method 'get'
	dead.lua:7: in function <dead.lua:7>
actor Waiter ($output) waiting:
stack traceback:
	[C]: in method 'get'
	dead.lua:3: in local 'on_receive'"
}

@test "an actor waiting inside a handler on a future nothing can resolve is a deadlock" {
	local s
	s=$(script dead.lua <<'LUA'
local Waiter = lactor.class("Waiter")
function Waiter:on_receive() lactor.future():get() end
Waiter:start():tell("go")
LUA
)
	run -1 --separate-stderr lactor "$s"
	assert_equal "${stderr_lines[0]}" \
		"lactor: deadlock: 1 coroutine(s) waiting on futures that can never resolve"
	assert_regex "${stderr_lines[1]}" '^actor Waiter \(urn:uuid:[0-9a-f-]{36}\) waiting:$'
}

@test "running out of memory inside libev (a million timers) ends with a report and exit 1, no abort" {
	[[ $LACTOR != */.check/lactor && $LACTOR != */lactor-valgrind ]] || skip "an instrumented lactor cannot run under ulimit -v"
	local s
	s=$(script t.lua <<'LUA'
local keep = {}
print(pcall(function() for i = 1, 1e8 do keep[i] = lactor.after(100, function() end) end end))
lactor.exit(0)
LUA
)
	# libev's heap of timers doubles, and libev aborts when that fails;
	# or else a Lua allocation fails first, which pcall catches.
	run --separate-stderr bash -c 'ulimit -v 300000 && exec "$LACTOR" "$1"' _ "$s"
	if ((status == 0)); then
		assert_output "$(printf 'false\tnot enough memory')"
	else
		assert_equal "$status" 1
		assert_equal "$stderr" "lactor: not enough memory"
	fi
}

@test "running out of memory where the loop itself allocates ends with a report and exit 1, no abort" {
	# ulimit -v leaves ASan and valgrind no room to start.
	[[ $LACTOR != */.check/lactor && $LACTOR != */lactor-valgrind ]] || skip "an instrumented lactor cannot run under ulimit -v"
	local s
	s=$(script t.lua <<'LUA'
local gate = lactor.future()
local a = lactor.start(function(self, m) end)
local big = string.rep("x", 1 << 16)
print(pcall(function() for i = 1, 1e9 do a:tell(big .. i) end end))
local Blocked = lactor.class("Blocked")
function Blocked:on_receive(m) gate:get() end
print(pcall(function() for i = 1, 1e9 do Blocked:start():tell(i) end end))
LUA
)
	# With --slice 0 the main chunk fills memory before any actor runs;
	# then every Blocked actor keeps its worker, and the loop needs a new
	# one for the next: a coroutine it makes outside any protected call.
	# Which allocation fails first varies from run to run: that one, whose
	# report is the panic's one line, or one inside a handler (a crash),
	# after which the actors left waiting are a deadlock.  Either way
	# lactor reports it and exits 1; it never aborts.
	run -1 --separate-stderr bash -c 'ulimit -v 300000 && exec "$LACTOR" --slice 0 "$1"' _ "$s"
	assert_output "$(printf 'false\tnot enough memory\nfalse\tnot enough memory')"
	if [[ $stderr != "lactor: not enough memory" ]]; then
		assert_regex "${stderr_lines[0]}" '^lactor: actor [A-Za-z]+ \(urn:uuid:[-0-9a-f]+\) crashed: not enough memory$'
		assert_regex "$stderr" $'\nlactor: deadlock: [0-9]+ coroutine\\(s\\) waiting on futures that can never resolve\n'
	fi
	refute_regex "$stderr" 'PANIC'
}

@test "a script that removes or replaces standard globals does not break lactor's own files" {
	# Most of them load on first use, after the script has run a while:
	# they see the globals as they were before any script ran.
	run -0 --separate-stderr timeout 10 "$LACTOR" -e '
local print = print
require, debug, io, xpcall = nil, nil, nil, nil
tostring = function() return "mine" end
local a = lactor.start(function(self, m) return m + 1 end)
print(a:ask(1):get())
print(#lactor.ps() > 0)
lactor.emit({ok = true})
local f = lactor.future()
local ok, e = pcall(f.get, f, 0)
print(e.message)'
	assert_output "$(printf '2\ntrue\n{"ok":true}\ntimed out after 0 s')"
	assert_equal "$stderr" ""
}
