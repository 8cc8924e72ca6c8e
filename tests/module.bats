load helpers

# The lactor module as a table: every public name is there, though the
# files behind some of them load only on first use (init.lua, issue 6).

bats_require_minimum_version 1.5.0

NAMES="ActorDead EOF Timeout after class dump emit every exit future get_all input is_error join link now null ps register registry sleep spawn start stats supervise traversable unregister whereis yield"

@test "pairs(lactor) lists every public name in a script that used none of them" {
	run --separate-stderr lactor -e '
local t = {}
for k, v in pairs(lactor) do t[#t + 1] = k .. (v == nil and "=nil" or "") end
table.sort(t)
print(table.concat(t, " "))'
	assert_success
	assert_output "$NAMES"
	assert_equal "$stderr" ""
}

@test "require 'lactor' is the global lactor, and its names are the same values each time" {
	run --separate-stderr lactor -e '
local m = require("lactor")
print(m == lactor, m.whereis == lactor.whereis, m.registry == lactor.registry,
  lactor.null == require("cjson").null, lactor.nosuchname)'
	assert_success
	assert_output "true	true	true	true	nil"
}

@test "a name the script assigns before first use keeps the script's value" {
	run --separate-stderr lactor -e '
lactor.ps = "mine"
lactor.whereis = nil
local r = lactor.start(function() end)
lactor.register("a", r)
print(lactor.ps, lactor.whereis, lactor.unregister("a"))
local n = 0
for k in pairs(lactor) do if k == "whereis" then n = n + 1 end end
print(n)'
	assert_success
	assert_output "mine	nil	true
0"
}

@test "ref:proxy and future:map work as the first use of their files" {
	run --separate-stderr lactor -e '
local C = lactor.class("C")
function C:double(x) return 2 * x end
local p = C:start():proxy()
print(p:double(4):map(function(v) return v + 1 end):get())
print(lactor.future():filter(function() end) ~= nil)'
	assert_success
	assert_output "9
true"
}
