#!/usr/bin/env bash
# Installs what is missing, builds, and boots the bundled real machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/pvhdev boot "$@"
