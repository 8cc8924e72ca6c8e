# Shared setup for every suite: `load helpers` at the top of a .bats file.

bats_require_minimum_version 1.5.0

bats_load_library bats-support
bats_load_library bats-assert

REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
: "${LACTOR:=$REPO/src/lactor}"
export LACTOR

# Run the binary under test; `run lactor ...` captures its output.
lactor() { "$LACTOR" "$@"; }

# script NAME <<'LUA' ... LUA: write a script into the test's scratch dir and
# print its path.
script() {
	local path="$BATS_TEST_TMPDIR/$1"
	cat >"$path"
	printf '%s\n' "$path"
}

# watchdog PID [SECONDS]: kills PID if it still runs after SECONDS (20), so
# that a hang fails its test instead of stalling the suite.  Signal tests
# cannot use `timeout` for this: it passes a signal it gets on twice (to
# the child and to its process group), and a second SIGTERM before the
# first is served ends lactor at once, without on_stop.
watchdog() {
	( sleep "${2:-20}"; kill -KILL "$1" ) >/dev/null 2>&1 3>&- &
}
