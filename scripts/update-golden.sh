#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Rewrites tests/data/golden/NAME.json, the `pvhdev boot --lspci DUMP --json`
# transcript of every dump tests/data/corpus/NAME.lspci, then shows
# what changed. Review the diff before committing.
#   bash scripts/update-golden.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
corpus=tests/data/corpus
out=tests/data/golden

[ -d "$corpus" ] || { echo "update-golden: $corpus: no such directory" >&2; exit 1; }
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S . -B "$build" >/dev/null
fi
cmake --build "$build" --target pvhdev_cli >/dev/null
case $build in /*) bin=$build/pvhdev ;; *) bin=$PWD/$build/pvhdev ;; esac
mkdir -p "$out"

shopt -s nullglob
dumps=("$corpus"/*.lspci)
[ ${#dumps[@]} -gt 0 ] || { echo "update-golden: no dumps in $corpus" >&2; exit 1; }
want=()
for dump in "${dumps[@]}"; do
	name=$(basename -- "$dump" .lspci)
	want+=("$name.json")
	tmp=$(mktemp)
	if ! bash tests/cli/golden.sh --print "$bin" "$dump" >"$tmp"; then
		rm -f -- "$tmp"
		echo "update-golden: $dump: pvhdev boot failed" >&2
		exit 1
	fi
	mv -- "$tmp" "$out/$name.json"
	chmod 644 "$out/$name.json"
done
# Golden files whose dump is gone from the corpus.
for f in "$out"/*.json; do
	b=$(basename -- "$f")
	if [[ ! " ${want[*]} " == *" $b "* ]]; then
		echo "update-golden: $f has no dump in $corpus any more (remove it?)" >&2
	fi
done
echo "update-golden: ${#dumps[@]} golden files written by $(git log -1 --format=%h 2>/dev/null || echo '?')"
git diff --stat -- "$out" 2>/dev/null || true
git status --short --untracked-files=all -- "$out" 2>/dev/null | grep '^??' || true
