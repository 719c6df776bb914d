#!/usr/bin/env bash
# Runs every benchmark and prints each figure beside its target.
# Instruction counts come from callgrind, so they repeat exactly on any
# machine with the same compiler; nanoseconds are the median of 7 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DPVHDEV_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
b=build-bench/bench_dispatch
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Instructions inside pvhdev_cfg_read / pvhdev_cfg_write per call.
ir() { # FN ARGS...
	local fn=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
		--toggle-collect="$fn" "$b" "$@" >/dev/null 2>&1
	local total
	total=$(awk '/^summary:/ { print $2 }' "$out/cg")
	echo $(( total / ${@: -1} ))
}

n=100000
echo "dispatcher, random mix (50% 4-byte, 30% 2-byte, 20% 1-byte, 0x00-0x7f)"
echo "target: <= 55 instructions per read and per write (reference: 228 / 206)"
for h in 1 16 64; do
	r=$(ir pvhdev_cfg_read count "$h" read "$n")
	w=$(ir pvhdev_cfg_write count "$h" write "$n")
	echo "  handlers=$h  instructions/read=$r  instructions/write=$w"
done
echo "one register read, 16 handlers (flat in the offset: first, middle, last)"
for o in "0x04 2" "0x30 4" "0x72 2"; do
	set -- $o
	echo "  offset=$1 size=$2  instructions/read=$(ir pvhdev_cfg_read offset 16 "$1" "$2" "$n")"
done
echo "time per access (median of 7 runs of 2,000,000; reference: 16-18 ns)"
for h in 1 16 64; do
	echo "  $($b time "$h")"
done
