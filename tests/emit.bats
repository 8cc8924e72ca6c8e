load helpers
bats_require_minimum_version 1.5.0

# lactor.emit (SPEC section 5, Output): one line on stdout per value.

@test "a string is written as it is, one line" {
	run -0 --separate-stderr lactor -e 'lactor.emit("hello world") lactor.emit("") lactor.emit("a\tb")'
	assert_output "$(printf 'hello world\n\na\tb')"
	assert_equal "$stderr" ""
}

@test "a number is written as tostring shows it" {
	run -0 lactor -e 'lactor.emit(42) lactor.emit(-7) lactor.emit(1.5) lactor.emit(2.0) lactor.emit(1e100) lactor.emit(2^63) lactor.emit(math.mininteger)'
	assert_output "$(printf '42\n-7\n1.5\n2.0\n1e+100\n9.2233720368548e+18\n-9223372036854775808')"
}

@test "a table is written as compact JSON, as lua-cjson writes it" {
	run -0 lactor -e 'lactor.emit({1, 2, 3})
lactor.emit({k = "v"})
lactor.emit({list = {true, false}, n = 1.5, path = "a/b"})' 
	assert_line -n 0 '[1,2,3]'
	assert_line -n 1 '{"k":"v"}'
	# key order is lua-cjson's (the table's), so compare the parts
	assert_regex "${lines[2]}" '^\{.*\}$'
	[[ ${lines[2]} == *'"list":[true,false]'* ]]
	[[ ${lines[2]} == *'"n":1.5'* ]]
	[[ ${lines[2]} == *'"path":"a\/b"'* ]]
	assert_equal "${#lines[@]}" 3
}

@test "booleans, nil, lactor.null and an empty table are JSON" {
	run -0 lactor -e 'lactor.emit(true) lactor.emit(false) lactor.emit(nil) lactor.emit() lactor.emit(lactor.null) lactor.emit({}) lactor.emit({a = lactor.null})'
	assert_output "$(printf 'true\nfalse\nnull\nnull\nnull\n{}\n{"a":null}')"
}

@test "strings inside tables are escaped, bare strings are not" {
	run -0 lactor -e 'lactor.emit({"line\nbreak", "quote\""}) lactor.emit("quote\" as is")'
	assert_output "$(printf '%s\n' '["line\nbreak","quote\""]' 'quote" as is')"
}

@test "what JSON cannot hold raises at the caller" {
	run -1 --separate-stderr lactor -e 'print(pcall(lactor.emit, {f = print}))
print(pcall(lactor.emit, {[1] = 1, [100] = 2}))
lactor.emit(print)'
	assert_output "$(printf 'false\tCannot serialise function: type not supported\nfalse\tCannot serialise table: excessively sparse array')"
	assert_equal "${stderr_lines[0]}" "lactor: (command line):3: Cannot serialise function: type not supported"
}

@test "a ref, a proxy and lactor.EOF raise instead of being written as what they are not" {
	run -0 --separate-stderr lactor -e 'local r = lactor.start(print)
print(pcall(lactor.emit, r))
print(pcall(lactor.emit, r:proxy()))
print(pcall(lactor.emit, lactor.EOF))'
	assert_output "$(printf "false\tbad argument #1 to 'emit' (lactor.Ref cannot be written as JSON)
false\tbad argument #1 to 'emit' (lactor.Proxy cannot be written as JSON)
false\tbad argument #1 to 'emit' (lactor.EOF cannot be written as JSON)")"
	assert_equal "$stderr" ""
}

@test "a ref inside a table is named in emit's error, the same every run" {
	# cjson met the ref's class's functions or its core's cycle first, by
	# the order of a table walk, and blamed either.
	local i
	for i in 1 2 3 4 5 6; do
		run -0 --separate-stderr lactor -e 'local r = lactor.start(print)
print(pcall(lactor.emit, {actor = r, n = 1, list = {1, 2}}))'
		assert_output "$(printf "false\tbad argument #1 to 'emit' (lactor.Ref inside a table cannot be written as JSON)")"
	done
}

@test "a script's cjson settings apply to emit" {
	run -0 lactor -e 'lactor.emit({1 / 3}) require("cjson").encode_number_precision(3) lactor.emit({1 / 3})'
	assert_output "$(printf '[0.33333333333333]\n[0.333]')"
}

@test "emit and print share stdout and keep their order, also through a pipe" {
	run -0 bash -c '"$LACTOR" -e "print(1) lactor.emit(2) io.write(3, \"\\n\") lactor.emit({4})" | cat'
	assert_output "$(printf '1\n2\n3\n[4]')"
}

@test "a JSON pipeline: decode with -j, change, emit" {
	run -0 bash -c 'printf "%s\n" "{\"n\":1}" "{\"n\":2}" | "$LACTOR" -j -e "lactor.input(function(self, m) lactor.emit({n = m.n * 10}) end)"'
	assert_output "$(printf '{"n":10}\n{"n":20}')"
}
