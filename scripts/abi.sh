#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# libpvhdev.so's ABI against the tree's baseline, abi/libpvhdev.abi (made
# by libabigail's abidw from a build with debug info; only the types the
# public headers define, without source locations, so that moving code
# between files changes nothing).  The policy (README.md, "ABI"): any difference
# fails the check; an intended change rewrites the baseline in the same
# commit with `update`; an incompatible change also bumps PVHDEV_SOVERSION
# in CMakeLists.txt, in 0.x too, and `update` refuses it otherwise.
#   bash scripts/abi.sh check [BUILD_DIR]    (default: build)
#   bash scripts/abi.sh update [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
build=${2:-build}
base=abi/libpvhdev.abi
so=$build/libpvhdev.so
case $mode in check | update) ;; *)
	echo "usage: bash scripts/abi.sh check|update [BUILD_DIR]" >&2
	exit 2 ;;
esac
bash scripts/deps.sh abigail-tools
[ -e "$so" ] || { echo "abi: $so: not built (a RelWithDebInfo or Debug build)" >&2; exit 2; }

# abidiff's status is a bit mask: 1 error, 2 usage, 4 ABI change,
# 8 incompatible ABI change.
rc=0
if [ -e "$base" ]; then
	abidiff --headers-dir2 include/pvhdev --drop-private-types --fail-no-debug-info \
		--suppressions abi/suppressions.txt \
		"$base" "$so" >"$build/abidiff.txt" 2>&1 || rc=$?
elif [ "$mode" = check ]; then
	echo "abi: $base: no baseline (bash scripts/abi.sh update)" >&2
	exit 2
fi
if ((rc & 3)); then
	cat "$build/abidiff.txt" >&2
	echo "abi: abidiff failed (status $rc)" >&2
	exit 2
fi
soname() { grep -o -m1 "soname='[^']*'" "$1" | cut -d"'" -f2; }

if [ "$mode" = check ]; then
	if [ "$rc" = 0 ]; then
		echo "abi: $so: the ABI of $base ($(soname "$base"))" >&2
		exit 0
	fi
	cat "$build/abidiff.txt" >&2
	echo "abi: $so differs from $base; if the change is intended, run" \
		"bash scripts/abi.sh update $build and commit the baseline with it" >&2
	exit 1
fi

new=$(mktemp)
trap 'rm -f -- "$new"' EXIT
abidw --headers-dir include/pvhdev --drop-private-types --no-corpus-path \
	--no-comp-dir-path --no-show-locs "$so" >"$new"
if ((rc & 8)) && [ "$(soname "$new")" = "$(soname "$base")" ]; then
	cat "$build/abidiff.txt" >&2
	echo "abi: an incompatible change keeps the SONAME $(soname "$base"):" \
		"bump PVHDEV_SOVERSION in CMakeLists.txt first" >&2
	exit 1
fi
cp -- "$new" "$base"
chmod 644 "$base"
echo "abi: $base rewritten from $so ($(soname "$base"))" >&2
