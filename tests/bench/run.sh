#!/bin/sh
# make bench: runs every tests/bench/*.bench.sh in turn.  Benchmarks print
# figures; they never pass or fail on timing.
set -e
cd "$(dirname "$0")/../.."
: "${LACTOR:=$PWD/src/lactor}"
export LACTOR
for b in tests/bench/*.bench.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	sh "$b"
done
