#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) and runs each
# from its seeds for a bounded number of executions with a fixed seed,
# about a minute each on a 2-core machine: the same inputs on every run,
# so a CI result repeats.  A crash or invariant violation fails the run;
# the input is kept under build-fuzz/crashes/ to be turned into a
# regression input (docs/fuzzing.md).
#   scripts/fuzz-ci.sh [SCALE]   executions x SCALE (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1}
dir=build-fuzz
CC=clang cmake -S . -B "$dir" -DPVHDEV_FUZZ=ON -DPVHDEV_SANITIZE=ON -DPVHDEV_WERROR=ON \
	-DPVHDEV_TESTS=OFF -DPVHDEV_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz_ops fuzz_dump fuzz_platform fuzz_scenario \
	fuzz_dispatch >/dev/null
mkdir -p "$dir/crashes"

seeds() { # HARNESS -> its seed directories (fuzz/seeds.txt, as ctest has them)
	awk -v h="$1" '$1 == h { $1 = ""; print }' fuzz/seeds.txt
}

fail=0
for h in ops dump platform scenario dispatch; do
	work="$dir/corpus-$h"
	mkdir -p "$work"
	dirs=()
	for d in $(seeds "$h"); do [ -d "$d" ] && dirs+=("$d"); done
	case $h in
	ops) runs=4000 len=2048 ;; dump) runs=15000 len=16384 ;;
	platform) runs=20000 len=16384 ;; scenario) runs=200000 len=16384 ;;
	dispatch) runs=6000 len=1024 ;;
	esac
	runs=$((runs * scale))
	if "$dir/fuzz_$h" -seed=1 -runs="$runs" -max_len="$len" -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/$h-" "$work" "${dirs[@]}" >"$dir/fuzz-$h.log" 2>&1; then
		echo "fuzz_$h: $(grep -E 'stat::number_of_executed_units' "$dir/fuzz-$h.log" |
			awk '{print $2}') executions, no finding" >&2
	else
		echo "fuzz_$h: FINDING, see $dir/fuzz-$h.log and $dir/crashes/" >&2
		grep -E "violated|differ|ERROR" "$dir/fuzz-$h.log" | head -5 >&2
		fail=1
	fi
done
exit $fail
