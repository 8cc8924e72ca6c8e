#!/bin/sh
# Six Savina benchmarks on lactor and on a hand-rolled Lua coroutine
# scheduler (savina/baseline.lua), interleaved, medians of RUNS runs; then
# ask round trips (in the same rounds), bytes per idle actor, start-up time
# and the cost of preemption.  Prints figures only.
set -e
: "${LACTOR:=src/lactor}" "${RUNS:=5}"
dir=tests/bench/savina
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "Savina, messages/s (actors/s for forkjoin), median of $RUNS interleaved runs:"
for i in $(seq "$RUNS"); do
	for b in "pingpong 400000" "counting 5000000" "threadring 1000000" \
	         "chameneos 1000000" "forkjoin 400000" "big 20000"; do
		set -- $b
		echo "lactor $1 $("$LACTOR" $dir/driver.lua lactor "$1" "$2")" >>"$out"
		echo "lua $1 $(lua5.4 $dir/driver.lua lua "$1" "$2")" >>"$out"
	done
	# In the same rounds as PingPong, which it is compared with.
	echo "ask $("$LACTOR" $dir/ask.lua 200000)" >>"$out"
done
lua5.4 $dir/median.lua <"$out"
echo

echo "Bytes per idle actor (100,000 started, peak RSS delta / N):"
echo "  lactor:           $("$LACTOR" $dir/idle.lua lactor 100000)"
echo "  bare coroutine:   $(lua5.4 $dir/idle.lua lua 100000)"
echo

echo "Start-up, ms per run (median of 5 x 100 runs):"
startup() {
	for i in 1 2 3 4 5; do
		s=$(date +%s%N)
		for j in $(seq 100); do "$@" -e '' ; done
		e=$(date +%s%N)
		echo $(( (e - s) / 100000 ))
	done | sort -n | sed -n 3p
}
l=$(startup "$LACTOR"); b=$(startup lua5.4)
echo "  lactor -e '': $(echo "$l" | awk '{printf "%.2f", $1/1000}')   lua5.4 -e '': $(echo "$b" | awk '{printf "%.2f", $1/1000}')   ratio $(echo "$l $b" | awk '{printf "%.2f", $1/$2}')"
echo

echo "Preemption cost: 2e8 additions in an actor, CPU seconds, $RUNS pairs:"
# The host's speed drifts over seconds, by more than the cost measured
# here: each pair runs its two back to back (which goes first alternates),
# and the overhead is the median of the pairs' ratios.
for i in $(seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then
		s=$("$LACTOR" $dir/spin.lua); o=$("$LACTOR" --slice 0 $dir/spin.lua)
	else
		o=$("$LACTOR" --slice 0 $dir/spin.lua); s=$("$LACTOR" $dir/spin.lua)
	fi
	echo "$s $o"
done | lua5.4 -e '
local s, o, r = {}, {}, {}
for l in io.lines() do
  local a, b = l:match("(%S+) (%S+)")
  a, b = tonumber(a), tonumber(b)
  s[#s + 1], o[#o + 1], r[#r + 1] = a, b, a / b
end
local function med(t) table.sort(t) local n = #t return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2 end
local function spread(t) return string.format("%.3f-%.3f", t[1], t[#t]) end
local ms, mo, mr = med(s), med(o), med(r)
print(string.format("  --slice 10: %.3f s (%s)   --slice 0: %.3f s (%s)", ms, spread(s), mo, spread(o)))
print(string.format("  overhead %.1f%% (median of the pairs\x27 ratios; they range %.1f%% to %.1f%%)",
  (mr - 1) * 100, (r[1] - 1) * 100, (r[#r] - 1) * 100))'
