#!/usr/bin/env bash
# The whole test suite: checks that PCI header facts stay in src/pci
# (scripts/check-pci-facts.sh), installs what is missing, compiles the build
# matrix (scripts/build-matrix.sh: gcc and clang optimised builds, the
# core with hypervisor flags), then builds and runs every test three
# times: plain, under ASan+UBSan, and under valgrind, and checks each
# build's libpvhdev.so against the ABI baseline (scripts/abi.sh); then
# runs each libFuzzer harness for about a minute (scripts/fuzz-ci.sh).
# Warnings are errors in every build (-DPVHDEV_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-pci-facts.sh
bash scripts/deps.sh
jobs=$(nproc)

run() { # NAME CMAKE-ARGS...
	local dir=build-test-$1
	shift
	echo "== $dir" >&2
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPVHDEV_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	# The whole log stays in the build tree; what failed is printed.
	if ! ctest --test-dir "$dir" -j"$jobs" --output-on-failure --timeout 600 \
		>"$dir/ctest.log" 2>&1; then
		grep -E "\*\*\*|Failed|FAILED|ERROR" "$dir/ctest.log" | head -n 60 >&2
		echo "$dir: tests failed (full log: $dir/ctest.log)" >&2
		return 1
	fi
	grep -E "tests passed" "$dir/ctest.log" >&2
	bash scripts/abi.sh check "$dir"
}

echo "== build matrix" >&2
bash scripts/build-matrix.sh >&2
run plain
run asan -DPVHDEV_SANITIZE=ON -DPVHDEV_BENCH=OFF
run valgrind -DPVHDEV_BENCH=OFF \
	"-DPVHDEV_TEST_LAUNCHER=valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible"
bash scripts/fuzz-ci.sh "${PVHDEV_FUZZ_SCALE:-1}"
echo "all test runs passed" >&2
