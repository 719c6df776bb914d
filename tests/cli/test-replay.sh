#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `pvhdev replay` from the outside: exit codes, the one-line messages of
# malformed input and failed expectations, --help, a qtest log.
#   bash tests/cli/test-replay.sh PVHDEV_BINARY
set -u

bin=${1:?usage: test-replay.sh PVHDEV_BINARY}
# PVHDEV_LAUNCHER (e.g. valgrind) wraps every run of the binary.
launch=${PVHDEV_LAUNCHER:-}
here=$(cd -- "$(dirname -- "$0")" && pwd)
nuc=$here/../../data/machines/intel-nuc-broadwell-u-i218.lspci
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
failed=0

# check NAME WANT_EXIT WANT_STDERR CMD...: runs CMD, compares its exit
# status and its stderr (an extended regex; "-" for empty).
check() {
	local name=$1 want=$2 pattern=$3 ok=1
	shift 3
	$launch "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$pattern" = - ]; then
		[ -s "$tmp/err" ] && ok=0
	else
		grep -Eq -- "$pattern" "$tmp/err" || ok=0
	fi
	if [ "$rc" != "$want" ] || [ $ok = 0 ]; then
		echo "FAIL $name: exit $rc (want $want)"
		echo "  stderr: $(cat "$tmp/err")"
		echo "  want stderr matching: $pattern"
		failed=1
	else
		echo "ok   $name"
	fi
}

cat >"$tmp/ok.scn" <<'SCN'
outl 0xcf8 0x80000000
inl 0xcfc
expect 0x16048086
SCN
cat >"$tmp/fail.scn" <<'SCN'
outl 0xcf8 0x80000000
inl 0xcfc
expect 0x12345678
inl 0xcfc
SCN
cat >"$tmp/bad.scn" <<'SCN'
outl 0xcf8 0x80000000
inl 0xcfc
outb 0x80 0x100
SCN
cat >"$tmp/qtest.log" <<'SCN'
[I 0.000000] OPENED
[R +0.000117] outl 0xcf8 0x8000c800
[S +0.000121] OK
[R +0.000127] inl 0xcfc
[S +0.000131] OK 0x15a38086
[I +0.000200] CLOSED
SCN

check help 0 - "$bin" replay --help
grep -q '^Usage: pvhdev replay' "$tmp/out" || { echo "FAIL help text"; failed=1; }
check top-level-help 0 - "$bin" help
grep -q '^  replay ' "$tmp/out" || { echo "FAIL replay not in pvhdev help"; failed=1; }
check no-scenario 2 'missing SCENARIO' "$bin" replay --lspci "$nuc"
check two-scenarios 2 'more than one SCENARIO' "$bin" replay "$tmp/ok.scn" "$tmp/ok.scn"
check both-sources 2 'exclude each other' "$bin" replay --lspci "$nuc" --platform x.xml "$tmp/ok.scn"
check bad-option 2 "^pvhdev replay: option '--bogus' is unknown or lacks its argument" "$bin" replay --bogus "$tmp/ok.scn"
check missing-file 2 "^$tmp/none.scn: cannot open: No such file or directory\$" \
	"$bin" replay --lspci "$nuc" "$tmp/none.scn"
check missing-dump 2 'none.lspci' "$bin" replay --lspci "$tmp/none.lspci" "$tmp/ok.scn"

check pass 0 - "$bin" replay --lspci "$nuc" "$tmp/ok.scn"
grep -qx "$tmp/ok.scn: 2 accesses, 1 expectation held" "$tmp/out" ||
	{ echo "FAIL pass summary: $(tail -n 1 "$tmp/out")"; failed=1; }
check default-machine 0 - "$bin" replay "$tmp/ok.scn"

# A failed expectation: exit 1, one line naming the scenario line.
check fail 1 "^$tmp/fail.scn:3: expected 0x12345678 from the read on line 2, got 0x16048086\$" \
	"$bin" replay --lspci "$nuc" "$tmp/fail.scn"
[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "FAIL fail: more than one stderr line"; failed=1; }
grep -q '^4:' "$tmp/out" && { echo "FAIL fail: ran past the failed expectation"; failed=1; }

# Malformed: exit 2, one line, and nothing ran (no transcript at all).
check malformed 2 "^$tmp/bad.scn:3: expected VAL to fit in 1 byte for outb, got '0x100'\$" \
	"$bin" replay --lspci "$nuc" "$tmp/bad.scn"
[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "FAIL malformed: more than one stderr line"; failed=1; }
[ -s "$tmp/out" ] && { echo "FAIL malformed: it half-ran"; failed=1; }

# A QEMU qtest log replays unchanged.
check qtest-log 0 - "$bin" replay --lspci "$nuc" "$tmp/qtest.log"
grep -qx '4: inl 0xcfc -> 0x15a38086  (00:19.0 +0x00 VENDOR_ID)' "$tmp/out" || { echo "FAIL qtest-log transcript"; failed=1; }

# --quiet prints nothing on success.
check quiet 0 - "$bin" replay -q --lspci "$nuc" "$tmp/ok.scn"
[ -s "$tmp/out" ] && { echo "FAIL quiet printed"; failed=1; }

exit $failed
