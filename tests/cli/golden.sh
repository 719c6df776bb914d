#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Golden test: `pvhdev boot --lspci DUMP --json` must print exactly the
# checked-in transcript tests/data/golden/NAME.json.
#   bash tests/cli/golden.sh PVHDEV_BINARY DUMP GOLDEN
#   bash tests/cli/golden.sh --print PVHDEV_BINARY DUMP   (normalised output
#                                   on stdout; used by scripts/update-golden.sh)
# stderr (warnings) is not compared, but the exit status must be 0.
# PVHDEV_LAUNCHER (e.g. valgrind) wraps the run of the binary.
set -u

print=0
if [ "${1:-}" = --print ]; then
	print=1
	shift
fi
bin=${1:?usage: golden.sh [--print] PVHDEV_BINARY DUMP [GOLDEN]}
dump=${2:?usage: golden.sh [--print] PVHDEV_BINARY DUMP [GOLDEN]}
golden=${3:-}
[ $print = 1 ] || [ -n "$golden" ] || { echo "golden.sh: GOLDEN missing" >&2; exit 2; }
launch=${PVHDEV_LAUNCHER:-}

# Absolute binary path: we run it from the dump's directory.
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || { echo "golden.sh: $bin: not an executable" >&2; exit 2; }
[ -r "$dump" ] || { echo "golden.sh: $dump: cannot read" >&2; exit 2; }
dir=$(cd -- "$(dirname -- "$dump")" && pwd)
base=$(basename -- "$dump")

# run: prints the normalised transcript. The CLI runs from the dump's
# directory with a bare file name, so "machine"."source" reads "lspci:NAME.lspci";
# the sed strips any directory left in case the CLI ever resolves paths.
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
(cd -- "$dir" && $launch "$bin" boot --lspci "$base" --json) \
	>"$tmp/raw" 2>"$tmp/err"
rc=$?
if [ $rc != 0 ]; then
	echo "FAIL $base: pvhdev boot exited $rc (want 0); stderr:" >&2
	head -n 20 "$tmp/err" >&2
	exit 1
fi
sed -E 's#"lspci:[^"]*/([^"/]*)"#"lspci:\1"#' "$tmp/raw" >"$tmp/out"

if [ $print = 1 ]; then
	cat "$tmp/out"
	exit 0
fi

if [ ! -r "$golden" ]; then
	echo "FAIL $base: no golden file $golden" >&2
	echo "  regenerate with: bash scripts/update-golden.sh" >&2
	exit 1
fi
if ! diff -u --label "golden/$(basename -- "$golden")" --label "pvhdev boot --lspci $base --json" \
	"$golden" "$tmp/out" >"$tmp/diff"; then
	echo "FAIL $base: output differs from $golden"
	head -n 60 "$tmp/diff"
	n=$(wc -l <"$tmp/diff")
	[ "$n" -gt 60 ] && echo "... ($n diff lines in all)"
	echo "If the change is intended, regenerate the golden files with:"
	echo "  bash scripts/update-golden.sh"
	echo "and review the diff (git diff tests/data/golden) before committing."
	exit 1
fi
echo "ok   $base"
exit 0
