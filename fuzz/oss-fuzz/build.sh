#!/bin/bash -eu
# SPDX-License-Identifier: MIT
#
# Builds pvhdev's fuzz harnesses the way OSS-Fuzz and ClusterFuzzLite do
# (their build.sh convention): the compiler and flags come from $CC and
# $CFLAGS (sanitizers and coverage included), the engine from
# $LIB_FUZZING_ENGINE (libFuzzer's -fsanitize=fuzzer, or AFL++'s driver),
# and everything lands in $OUT:
#   fuzz_ops, fuzz_dump, fuzz_platform, fuzz_scenario, fuzz_dispatch
#                             the harnesses
#   NAME_seed_corpus.zip      its seeds (fuzz/seeds.txt)
#   NAME.dict, NAME.options   its dictionary, libFuzzer options
#   pvhdev-data/              what the harnesses read at run time: fuzz_ops'
#                             machines, fuzz_platform's schema
# $WORK (scratch) holds the CMake build.  By hand, on this machine:
#   CC=clang CFLAGS="-O1 -g -fsanitize=address,undefined -fsanitize=fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out WORK=/tmp/work \
#   bash fuzz/oss-fuzz/build.sh
# The harnesses link libpci and libxml2 dynamically: the runner needs them
# installed (fuzz/oss-fuzz/Dockerfile's packages).  docs/fuzzing.md.
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${WORK:-/tmp}/pvhdev-oss-fuzz
data=$OUT/pvhdev-data
cd "$top"

# Run-time data, laid out as in the tree: the manifest names its dumps
# relative to itself.  Links (the corpus shares two dumps with
# data/machines) are copied as files.
rm -rf "$data"
mkdir -p "$data/fuzz" "$data/tests/data/corpus" "$data/data"
cp fuzz/machines.txt "$data/fuzz/"
cp -L tests/data/corpus/*.lspci "$data/tests/data/corpus/"
cp -r data/schema "$data/data/"

cmake -S "$top" -B "$work" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DPVHDEV_FUZZ=ON -DPVHDEV_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
	-DPVHDEV_FUZZ_MACHINES="$data/fuzz/machines.txt" -DPVHDEV_FUZZ_DATADIR="$data/data" \
	-DPVHDEV_TESTS=OFF -DPVHDEV_BENCH=OFF -DPVHDEV_MAN=OFF >/dev/null
cmake --build "$work" -j"$(nproc)" --target fuzz_ops fuzz_dump fuzz_platform fuzz_scenario \
	fuzz_dispatch

while read -r name dirs; do
	case $name in '#'* | '') continue ;; esac
	cp "$work/fuzz_$name" "$OUT/"
	rm -f "$OUT/fuzz_${name}_seed_corpus.zip"
	for d in $dirs; do
		[ -d "$d" ] || continue
		# -j: flat names (libFuzzer wants a flat corpus); -q: quiet
		find "$d" -maxdepth 1 -type f ! -name '*.md' -print0 |
			xargs -0 -r zip -q -j "$OUT/fuzz_${name}_seed_corpus.zip"
	done
	{
		echo "[libfuzzer]"
		case $name in
		ops) echo "max_len = 2048" ;; dispatch) echo "max_len = 1024" ;;
		*) echo "max_len = 16384" ;;
		esac
		if [ -f "fuzz/dicts/$name.dict" ]; then
			cp "fuzz/dicts/$name.dict" "$OUT/fuzz_$name.dict"
			echo "dict = fuzz_$name.dict"
		fi
	} >"$OUT/fuzz_$name.options"
done <fuzz/seeds.txt
