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

echo "Preemption cost: 2e8 additions in an actor, CPU seconds, median of $RUNS:"
for i in $(seq "$RUNS"); do
	echo "slice $("$LACTOR" $dir/spin.lua)"
	echo "off $("$LACTOR" --slice 0 $dir/spin.lua)"
done | lua5.4 -e '
local r = {slice = {}, off = {}}
for l in io.lines() do local k, v = l:match("(%S+) (%S+)") table.insert(r[k], tonumber(v)) end
local function med(t) table.sort(t) return t[(#t+1)//2] end
local s, o = med(r.slice), med(r.off)
print(string.format("  --slice 10: %.3f s   --slice 0: %.3f s   overhead %.1f%%", s, o, (s / o - 1) * 100))'
