#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# A multi-core AFL++ campaign on one harness (docs/fuzzing.md): builds the
# harness with afl-clang-fast (ASan and UBSan, persistent mode through
# AFL++'s libFuzzer driver) in build-afl/, then runs one main instance and
# JOBS-1 secondaries syncing through build-afl/out-HARNESS, each for the
# given time, from the harness's seeds (fuzz/seeds.txt) and dictionary.
# Prints, when they stop: executions, paths, edges covered (of the map),
# and the findings, whose inputs stay under build-afl/out-HARNESS/*/crashes.
#   bash scripts/fuzz-afl.sh [HARNESS] [MINUTES] [JOBS]
#   (defaults: ops, 10, nproc)
# Exit status: 0 no finding, 1 findings, 2 bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."
harness=${1:-ops}
minutes=${2:-10}
jobs=${3:-$(nproc)}
dir=build-afl
out=$dir/out-$harness
grep -q "^$harness " fuzz/seeds.txt || { echo "fuzz-afl: no harness '$harness'" >&2; exit 2; }
[[ $minutes =~ ^[0-9]+$ && $jobs =~ ^[1-9][0-9]*$ ]] ||
	{ echo "usage: bash scripts/fuzz-afl.sh [HARNESS] [MINUTES] [JOBS]" >&2; exit 2; }
bash scripts/deps.sh afl++

echo "fuzz-afl: building fuzz_$harness with afl-clang-fast" >&2
CC=afl-clang-fast AFL_QUIET=1 cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DPVHDEV_FUZZ=ON -DPVHDEV_SANITIZE=ON -DPVHDEV_TESTS=OFF -DPVHDEV_BENCH=OFF \
	-DPVHDEV_MAN=OFF >/dev/null
AFL_QUIET=1 cmake --build "$dir" -j"$jobs" --target "fuzz_$harness" >/dev/null

# One flat input directory (AFL++ takes one), inputs under 1 MiB.
in=$dir/in-$harness
rm -rf "$in" "$out"
mkdir -p "$in"
for d in $(awk -v h="$harness" '$1 == h { $1 = ""; print }' fuzz/seeds.txt); do
	[ -d "$d" ] && find "$d" -maxdepth 1 -type f -size -1024k ! -name '*.md' \
		-exec cp -t "$in" {} +
done
dict=()
[ -f "fuzz/dicts/$harness.dict" ] && dict=(-x "fuzz/dicts/$harness.dict")

# What this sandbox cannot change (core_pattern, CPU governor) is not a
# reason to stop; ASan needs no memory limit.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_NO_AFFINITY=1 AFL_QUIET=1
run() { # ROLE NAME
	afl-fuzz "$1" "$2" -i "$in" -o "$out" -m none -V $((minutes * 60)) "${dict[@]}" \
		-- "$dir/fuzz_$harness" >"$out-$2.log" 2>&1
}
echo "fuzz-afl: $jobs instance(s) for $minutes minute(s) on fuzz_$harness" >&2
mkdir -p "$out"
pids=()
run -M main &
pids+=($!)
for i in $(seq 2 "$jobs"); do
	run -S "s$i" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done

stat() { awk -F' *: *' -v k="$2" '$1 == k { print $2 }' "$out/$1/fuzzer_stats"; }
execs=0 crashes=0
for f in "$out"/*/fuzzer_stats; do
	i=$(basename "$(dirname "$f")")
	execs=$((execs + $(stat "$i" execs_done)))
	crashes=$((crashes + $(stat "$i" saved_crashes)))
done
echo "fuzz-afl: fuzz_$harness, $jobs instance(s), $minutes min: $execs executions" \
	"($((execs / (minutes * 60 > 0 ? minutes * 60 : 1))) per second)," \
	"$(stat main corpus_count) paths, edges $(stat main edges_found) of" \
	"$(stat main total_edges) ($(stat main bitmap_cvg)), $crashes finding(s)"
[ "$crashes" = 0 ] || { ls "$out"/*/crashes/id* >&2; exit 1; }
