# Shared setup for every suite: `load helpers` at the top of a .bats file.

bats_require_minimum_version 1.5.0

bats_load_library bats-support
bats_load_library bats-assert

REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
: "${LACTOR:=$REPO/src/lactor}"
export LACTOR

# An actor's urn (a version 4 UUID), as a regex: URN inside a line,
# URN_RE for a whole value.
URN='urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
URN_RE="^$URN\$"

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
# that a hang fails its test instead of stalling the suite.  For the signal
# tests, which start lactor in the background to signal it themselves.
watchdog() {
	( sleep "${2:-20}"; kill -KILL "$1" ) >/dev/null 2>&1 3>&- &
}

# wait_for FILE: waits up to 10 s for FILE, which a script creates to say
# it is ready; fails if it never comes.
wait_for() {
	local i
	for i in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done
	return 1
}
