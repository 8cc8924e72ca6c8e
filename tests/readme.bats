# The README's tour: every example runs and prints exactly what the README
# says it prints.

load helpers

# readme_example NAME: writes the example's Lua to $BATS_TEST_TMPDIR/NAME.lua
# and its documented stdout to $BATS_TEST_TMPDIR/NAME.out.
readme_example() {
	awk -v name="$1" -v dir="$BATS_TEST_TMPDIR" '
		$0 == "<!-- example: " name " -->" { want = 1; next }
		want == 1 && /^```lua$/ { want = 2; next }
		want == 2 && /^```$/ { want = 3; next }
		want == 2 { print > (dir "/" name ".lua"); next }
		want == 3 && /^```text$/ { want = 4; next }
		want == 4 && /^```$/ { exit }
		want == 4 { print > (dir "/" name ".out") }
	' "$REPO/README.md"
	[ -s "$BATS_TEST_TMPDIR/$1.lua" ] || fail "README has no example '$1'"
}

# run_example NAME: runs the example saved as tour.lua, as the README says.
run_example() {
	readme_example "$1"
	cd "$BATS_TEST_TMPDIR"
	cp "$1.lua" tour.lua
	run --separate-stderr lactor tour.lua
	assert_output "$(cat "$1.out")"
}

@test "every README example is covered by this file" {
	local names
	names=$(sed -n 's/^<!-- example: \(.*\) -->$/\1/p' "$REPO/README.md" | sort | tr '\n' ' ')
	assert_equal "$names" "counter crash futures preemption proxies registry supervision tasks timers "
}

@test "the counter example prints what the README shows" {
	run_example counter
	assert_equal "$status" 0
}

@test "the futures example prints what the README shows" {
	run_example futures
	assert_equal "$status" 0
}

@test "the tasks example prints what the README shows" {
	run_example tasks
	assert_equal "$status" 0
}

@test "the timers example prints what the README shows" {
	run_example timers
	assert_equal "$status" 0
}

@test "the proxies example prints what the README shows" {
	run_example proxies
	assert_equal "$status" 0
}

@test "the registry example prints what the README shows" {
	run_example registry
	assert_equal "$status" 0
}

@test "the supervision example prints what the README shows and exits 0" {
	run_example supervision
	assert_equal "$status" 0
}

@test "the preemption example prints what the README shows" {
	run_example preemption
	assert_equal "$status" 0
}

@test "the crash example prints what the README shows and exits 1" {
	run_example crash
	assert_equal "$status" 1
	assert_regex "${stderr_lines[0]}" '^lactor: actor Worker \(urn:uuid:[0-9a-f-]{36}\) crashed: bad message$'
}
