#!/bin/sh
# Input (SPEC 5): 1,000,000 short JSON lines delivered as messages to an
# actor that counts them, beside a plain lua5.4 loop doing the same work,
# interleaved, medians of RUNS runs; then peak RSS for 10,000,000 lines
# against 1,000,000 through an actor that sleeps every 1,000 records.
# Prints figures only; the data is generated in a temporary directory.
set -e
: "${LACTOR:=src/lactor}" "${RUNS:=11}" "${MEM_RUNS:=3}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

lua5.4 -e '
local t = {}
for i = 1, 1000000 do
  t[#t + 1] = string.format("{\"id\":%d,\"user\":\"u%d\",\"ok\":%s,\"score\":%.2f}",
    i, i % 977, i % 3 == 0 and "true" or "false", i % 1000 / 7)
  if #t == 10000 then io.write(table.concat(t, "\n"), "\n"); t = {} end
end' >"$tmp/events.json"

# The count is a local of the chunk, as in the lua5.4 loop.
cat >"$tmp/count.lua" <<'LUA'
local n = 0
local Counter = lactor.class("Counter")
function Counter:on_receive(msg) n = n + 1 end
function Counter:on_stop() print(n) end
lactor.input(Counter:start())
LUA

cat >"$tmp/slow.lua" <<'LUA'
local n = 0
lactor.input(function(self, msg)
  n = n + 1
  if n % 1000 == 0 then lactor.sleep(0.001) end
end)
LUA

LUA_LINES='local n = 0 for l in io.lines() do n = n + 1 end print(n)'
LUA_JSON='local cjson = require "cjson" local n = 0
for l in io.lines() do local v = cjson.decode(l) n = n + 1 end print(n)'

# run NAME CMD...: one timed run on events.json, appended to results as
# "NAME wall-seconds cpu-seconds" (bash's time, to the millisecond); the
# count printed must be right.
run() {
	name=$1
	shift
	bash -c 'TIMEFORMAT="%3R %3U %3S"
		{ time "$@" <"$0/events.json" >"$0/out"; } 2>"$0/time"' "$tmp" "$@"
	if [ "$(cat "$tmp/out")" != 1000000 ]; then
		echo "$name counted $(cat "$tmp/out"), not 1000000" >&2
		exit 1
	fi
	awk -v n="$name" '{ printf "%s %s %.3f\n", n, $1, $2 + $3 }' "$tmp/time" >>"$tmp/results"
}

echo "1,000,000 JSON lines (52 MB) as messages to a counting actor,"
echo "seconds, median of $RUNS interleaved runs (spread min-max):"
for i in $(seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then
		run lactor-lines "$LACTOR" "$tmp/count.lua"
		run lua-lines lua5.4 -e "$LUA_LINES"
		run lactor-json "$LACTOR" -j "$tmp/count.lua"
		run lua-json lua5.4 -e "$LUA_JSON"
	else
		run lua-lines lua5.4 -e "$LUA_LINES"
		run lactor-lines "$LACTOR" "$tmp/count.lua"
		run lua-json lua5.4 -e "$LUA_JSON"
		run lactor-json "$LACTOR" -j "$tmp/count.lua"
	fi
done
lua5.4 -e '
local wall, cpu = {}, {}
for l in io.lines() do
  local n, w, c = l:match("(%S+) (%S+) (%S+)")
  wall[n] = wall[n] or {}; cpu[n] = cpu[n] or {}
  table.insert(wall[n], tonumber(w)); table.insert(cpu[n], tonumber(c))
end
local function med(t) table.sort(t) return t[(#t + 1) // 2], t[1], t[#t] end
for _, f in ipairs({"lines", "json"}) do
  local lw, lw0, lw1 = med(wall["lactor-" .. f])
  local bw, bw0, bw1 = med(wall["lua-" .. f])
  local lc, lc0, lc1 = med(cpu["lactor-" .. f])
  local bc, bc0, bc1 = med(cpu["lua-" .. f])
  print(string.format("  %-5s wall: lactor %.3f (%.3f-%.3f)  lua5.4 %.3f (%.3f-%.3f)  ratio %.2f (target <= 1.10)",
    f, lw, lw0, lw1, bw, bw0, bw1, lw / bw))
  print(string.format("  %-5s cpu:  lactor %.3f (%.3f-%.3f)  lua5.4 %.3f (%.3f-%.3f)  ratio %.2f",
    f, lc, lc0, lc1, bc, bc0, bc1, lc / bc))
end' <"$tmp/results"
echo

# peak N: peak RSS in KiB of N lines through slow.lua.
peak() {
	yes '{"id":12345,"user":"u12345","ok":true,"score":1.5}' | head -n "$1" |
		/usr/bin/time -f '%M' -o "$tmp/rss" "$LACTOR" "$tmp/slow.lua"
	cat "$tmp/rss"
}

echo "Peak RSS through an actor that sleeps 1 ms every 1,000 records,"
echo "KiB, median of $MEM_RUNS runs:"
: >"$tmp/mem"
for i in $(seq "$MEM_RUNS"); do
	echo "small $(peak 1000000)" >>"$tmp/mem"
	echo "big $(peak 10000000)" >>"$tmp/mem"
done
lua5.4 -e '
local r = {small = {}, big = {}}
for l in io.lines() do local k, v = l:match("(%S+) (%S+)") table.insert(r[k], tonumber(v)) end
local function med(t) table.sort(t) return t[(#t + 1) // 2], t[1], t[#t] end
local s, s0, s1 = med(r.small)
local b, b0, b1 = med(r.big)
print(string.format("  1,000,000 lines: %d (%d-%d)  10,000,000 lines: %d (%d-%d)  ratio %.2f (target <= 1.10)",
  s, s0, s1, b, b0, b1, b / s))' <"$tmp/mem"
