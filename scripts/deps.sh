#!/usr/bin/env bash
# Installs the Debian packages pvhdev needs, when any is missing, and any
# named on the command line (bench/run.sh adds gnuplot-nox for its plots).
# Run as root on Debian 12 (it calls apt-get); does nothing when all are there.
set -euo pipefail

pkgs=(gcc make cmake pkg-config libpci-dev libxml2-dev libxml2-utils libcmocka-dev valgrind
      clang libclang-rt-dev help2man libjson-c-dev python3 python3-jsonschema "$@")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages and not root: run as root, or install them: ${missing[*]}" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
	{ apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
