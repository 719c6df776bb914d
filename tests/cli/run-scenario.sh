#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs one scenario through the CLI:
#   bash tests/cli/run-scenario.sh PVHDEV_BINARY SCENARIO.scn
#
# The scenario names its machine in a comment line near the top:
#   # machine: lspci:PATH      (an lspci dump)
#   # machine: platform:PATH   (a platform XML file)
# PATH is relative to the scenario's directory.  The scenario passes when
# `pvhdev replay` exits 0 (every expectation held); its transcript and
# any failure are printed for ctest --output-on-failure.  The environment
# variable PVHDEV_LAUNCHER, when set, is put in front of the binary.
set -u

bin=${1:?usage: run-scenario.sh PVHDEV_BINARY SCENARIO}
scn=${2:?usage: run-scenario.sh PVHDEV_BINARY SCENARIO}
dir=$(dirname -- "$scn")

# The first "# machine:" line, before any command line.
machine=$(sed -n 's/^#[[:space:]]*machine:[[:space:]]*//p' -- "$scn" | head -n 1)
if [ -z "$machine" ]; then
	echo "$scn: expected a '# machine: lspci:FILE' or '# machine: platform:FILE' line" >&2
	exit 2
fi
kind=${machine%%:*}
path=${machine#*:}
path=${path%%[[:space:]]*}
case $kind in
lspci) opt=--lspci ;;
platform) opt=--platform ;;
*)
	echo "$scn: expected machine kind lspci or platform, got '$kind'" >&2
	exit 2
	;;
esac
case $path in
/*) ;;
*) path=$dir/$path ;;
esac

# PVHDEV_LAUNCHER (e.g. "valgrind --error-exitcode=99 -q") wraps the binary.
echo "+ ${PVHDEV_LAUNCHER:+$PVHDEV_LAUNCHER }pvhdev replay $opt $path $scn"
exec ${PVHDEV_LAUNCHER:-} "$bin" replay "$opt" "$path" "$scn"
