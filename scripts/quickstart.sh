#!/usr/bin/env bash
# Installs what is missing, builds the pvhdev command line (only it: the
# tests, benchmarks and fuzzers wait for scripts/test.sh), and boots the
# bundled real machine.  Progress goes to stderr, so that
# `quickstart.sh --json` prints only JSON on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
echo "quickstart: configuring build/ ..." >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
echo "quickstart: building the pvhdev command line (build/pvhdev) ..." >&2
cmake --build build -j"$(nproc)" --target pvhdev_cli >&2
./build/pvhdev boot "$@"
