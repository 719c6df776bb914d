#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs one scenario through the CLI:
#   bash tests/cli/run-scenario.sh PVHDEV_BINARY SCENARIO.scn
#
# The scenario names its machine in a comment line near the top:
#   # machine: lspci:PATH      (an lspci dump)
#   # machine: platform:PATH   (a platform XML file)
# PATH is relative to the scenario's directory (`pvhdev replay` reads the
# line when no machine option is given).  The scenario passes when
# `pvhdev replay` exits 0 (every expectation held); its transcript and
# any failure are printed for ctest --output-on-failure.  The environment
# variable PVHDEV_LAUNCHER, when set, is put in front of the binary.
set -u

bin=${1:?usage: run-scenario.sh PVHDEV_BINARY SCENARIO}
scn=${2:?usage: run-scenario.sh PVHDEV_BINARY SCENARIO}

# Every scenario in the tree names its machine, so that it never runs on
# the bundled one by accident; `pvhdev replay` itself reads the line.
if ! grep -Eq '^#[[:space:]]*machine:' -- "$scn"; then
	echo "$scn: expected a '# machine: lspci:FILE' or '# machine: platform:FILE' line" >&2
	exit 2
fi

# PVHDEV_LAUNCHER (e.g. "valgrind --error-exitcode=99 -q") wraps the binary.
echo "+ ${PVHDEV_LAUNCHER:+$PVHDEV_LAUNCHER }pvhdev replay $scn"
exec ${PVHDEV_LAUNCHER:-} "$bin" replay "$scn"
