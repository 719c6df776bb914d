#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The CLI's contract from the outside (docs/json.md, README.md "The CLI"):
#   - every golden transcript and fresh `boot --json` output is valid JSON
#     that data/schema/boot.schema.json accepts (python3-jsonschema);
#   - a path with a tab and a byte that is not UTF-8 still gives valid JSON;
#   - every warning of the boot is also one of the document's notes;
#   - a failed write to stdout fails the run (exit 3);
#   - a usage error is one line with a hint; `pvhdev help CMD` works;
#   - a dump path holding ".xml" is a dump; "-" is stdin or stdout for
#     scenarios and traces; a scenario's "# machine:" line is its machine.
#   bash tests/cli/test-contract.sh PVHDEV_BINARY
# Run from the source tree's root (ctest does).  PVHDEV_LAUNCHER (e.g.
# valgrind) wraps every run of the binary.
set -u

bin=${1:?usage: test-contract.sh PVHDEV_BINARY}
launch=${PVHDEV_LAUNCHER:-}
here=$(cd -- "$(dirname -- "$0")" && pwd)
root=$here/../..
schema=$root/data/schema/boot.schema.json
dump=$root/tests/data/corpus/intel-82576-sriov.lspci
scn=$root/tests/data/scenarios/i82576-msix-linux.scn
# Debian's python3 has python3-jsonschema (scripts/deps.sh); another
# python3 first in PATH (pyenv, a venv) may not.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
failed=0

ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failed=1; }
valid() { # NAME FILE...: schema-valid JSON
	local name=$1
	shift
	if "$py" "$here/json-valid.py" "$schema" "$@" >"$tmp/why"; then ok "$name"; else
		fail "$name: $(head -n 3 "$tmp/why")"; fi
}

valid "golden transcripts match the schema" "$root"/tests/data/golden/*.json

$launch "$bin" boot --json >"$tmp/default.json" 2>/dev/null || fail "boot --json: exit $?"
valid "boot --json of the bundled machine" "$tmp/default.json"

# A directory named with a tab and byte 0xff: escaped, and replaced by
# U+FFFD, never copied raw into the document.
odd=$tmp/$'odd\tdir\xff'
mkdir -p "$odd" && cp "$dump" "$odd/x.lspci"
$launch "$bin" boot --lspci "$odd/x.lspci" --json >"$tmp/odd.json" 2>/dev/null ||
	fail "boot of an odd path: exit $?"
valid "an odd path gives valid JSON" "$tmp/odd.json"
grep -q 'odd\\tdir\\ufffd\|odd\\tdir�' "$tmp/odd.json" && ok "the odd path is escaped" ||
	fail "the odd path is not in the document as escaped text"

# Every warning the boot printed is a note of the document too.
warned=$root/tests/data/corpus/machine-fujitsu-p8010-gm965-laptop.lspci
$launch "$bin" boot --lspci "$warned" --json >"$tmp/warned.json" 2>"$tmp/err"
sed -n 's/^pvhdev: \(warning\|error\): //p' "$tmp/err" >"$tmp/warnings"
"$py" -c 'import json,sys; [print(n) for n in json.load(open(sys.argv[1]))["notes"]]' \
	"$tmp/warned.json" >"$tmp/notes"
if [ -s "$tmp/warnings" ] && grep -Fxvf "$tmp/notes" "$tmp/warnings" >"$tmp/missing"; then
	fail "boot warnings missing from the notes: $(head -n 2 "$tmp/missing")"
elif [ -s "$tmp/warnings" ]; then
	ok "boot warnings are notes ($(wc -l <"$tmp/warnings"))"
else
	fail "no boot warning to compare ($warned)"
fi

# A dump with extended config space boots on an inferred platform (its
# ECAM window in "machine", so its SR-IOV VF appears); --bare keeps the
# empty one.
vfs() { "$py" -c 'import json,sys; d=json.load(open(sys.argv[1]));
print(len(d["machine"]["mcfg"]), sum(1 for x in d["devices"] if x["vf_of"]))' "$1"; }
$launch "$bin" boot --lspci "$dump" --json >"$tmp/inf.json" 2>/dev/null
$launch "$bin" boot --lspci "$dump" --bare --json >"$tmp/bare.json" 2>/dev/null
[ "$(vfs "$tmp/inf.json")" = "1 1" ] && [ "$(vfs "$tmp/bare.json")" = "0 0" ] &&
	ok "--lspci infers an ECAM window, --bare does not" ||
	fail "inferred: $(vfs "$tmp/inf.json"), bare: $(vfs "$tmp/bare.json")"

# --events: only the kinds asked for, in text and JSON.
$launch "$bin" boot --events map,dev-add --json >"$tmp/ev.json" 2>/dev/null
kinds=$("$py" -c 'import json,sys; print(" ".join(sorted({e["kind"] for e in json.load(open(sys.argv[1]))["events"]})))' \
	"$tmp/ev.json")
[ "$kinds" = "dev-add map" ] && ok "boot --events map,dev-add" || fail "--events: kinds '$kinds'"
# --host, read-only: every write stays in the shadow, and says so.
PVHDEV_SYSFS_ROOT=$root/tests/data/capture/good $launch "$bin" boot --host >"$tmp/host" 2>/dev/null
n=$(grep -c '^hw-write ' "$tmp/host"); s=$(grep -c '^hw-write .* shadow$' "$tmp/host")
[ "$n" -gt 0 ] && [ "$n" = "$s" ] && ok "--host marks its $n hw-writes shadow" ||
	fail "--host: $s of $n hw-writes marked shadow"
PVHDEV_SYSFS_ROOT=$root/tests/data/capture/good $launch "$bin" boot --host --json >"$tmp/host.json" 2>/dev/null
"$py" -c 'import json,sys; e=[x for x in json.load(open(sys.argv[1]))["events"] if x["kind"]=="hw-write"]; sys.exit(not e or not all(x.get("shadow") is True for x in e))' \
	"$tmp/host.json" && ok "--host --json marks hw-writes shadow" || fail "--host --json: shadow missing"
$launch "$bin" boot --events none >"$tmp/out" 2>/dev/null
[ "$(sed -n '/^events:$/,/^note:/p' "$tmp/out" | grep -vc '^events:$\|^note:')" = 0 ] &&
	ok "boot --events none" || fail "--events none printed events"

# --allow-hw-writes says what it does before it does it (a sysfs root
# that does not exist: nothing is opened, let alone written).
PVHDEV_SYSFS_ROOT=$tmp/no-sysfs $launch "$bin" boot --host --allow-hw-writes >/dev/null 2>"$tmp/err"
grep -q '^pvhdev: warning: --allow-hw-writes: .*live devices' "$tmp/err" &&
	ok "--allow-hw-writes warns" || fail "--allow-hw-writes: $(cat "$tmp/err")"

# stdout that cannot be written: not a silent success.
if [ -w /dev/full ]; then
	$launch "$bin" boot >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc = 3 ] && grep -q '^pvhdev: writing the output: ' "$tmp/err" &&
		ok "a full stdout fails the run" || fail "boot > /dev/full: exit $rc, $(cat "$tmp/err")"
fi

# Usage errors: one line, and where to look.
for args in "boot --no-such" "boot --lspci" "boot --events map,nothing" "boot --bare" \
	"replay" "record -x" \
	"capture --bogus"; do
	# shellcheck disable=SC2086
	$launch "$bin" $args >/dev/null 2>"$tmp/err"
	rc=$?
	cmd=${args%% *}
	if [ $rc = 2 ] && [ "$(grep -vc '^==' "$tmp/err")" = 1 ] &&
		grep -q "^pvhdev $cmd: .* (see 'pvhdev $cmd --help')\$" "$tmp/err"; then
		ok "usage error of '$args' is one line"
	else
		fail "usage error of '$args': exit $rc, stderr: $(cat "$tmp/err")"
	fi
done
$launch "$bin" help replay >"$tmp/out" 2>&1 && grep -q '^Usage: pvhdev replay' "$tmp/out" &&
	ok "pvhdev help replay" || fail "pvhdev help replay: $(head -n 2 "$tmp/out")"
$launch "$bin" help nothing >/dev/null 2>&1
[ $? = 2 ] && ok "pvhdev help of an unknown command" || fail "pvhdev help nothing: not exit 2"

# ".xml" in a directory name does not make a dump a platform file.
mkdir -p "$tmp/dumps.xml.d" && cp "$dump" "$tmp/dumps.xml.d/nic.lspci"
$launch "$bin" boot --lspci "$tmp/dumps.xml.d/nic.lspci" >/dev/null 2>"$tmp/err" &&
	ok "a dump under dumps.xml.d is a dump" || fail "dumps.xml.d: $(cat "$tmp/err")"

# replay/record --json: one document replay.schema.json accepts, with
# every expectation; --junit: XML with a test case per expectation.
rschema=$root/data/schema/replay.schema.json
rvalid() { # NAME FILE...
	local name=$1
	shift
	if "$py" "$here/json-valid.py" "$rschema" "$@" >"$tmp/why"; then ok "$name"; else
		fail "$name: $(head -n 3 "$tmp/why")"; fi
}
$launch "$bin" replay --json --junit "$tmp/flr.xml" "$root/tests/data/guests/flr.scn" \
	>"$tmp/flr.json" 2>/dev/null || fail "replay --json of a passing scenario: exit $?"
printf 'outl 0xcf8 0x80000000\ninl 0xcfc\nexpect 0x1\n' >"$tmp/fails.scn"
$launch "$bin" replay --json --junit "$tmp/fails.xml" --lspci "$root/data/machines/intel-nuc-broadwell-u-i218.lspci" \
	"$tmp/fails.scn" >"$tmp/fails.json" 2>/dev/null
[ $? = 1 ] || fail "replay --json of a failing scenario: not exit 1"
$launch "$bin" record --json --lspci "$dump" "$scn" -o "$tmp/rec.xml" >"$tmp/rec.json" 2>/dev/null ||
	fail "record --json: exit $?"
rvalid "replay and record --json match their schema" "$tmp/flr.json" "$tmp/fails.json" "$tmp/rec.json"
summary=$("$py" - "$tmp/flr.json" "$tmp/fails.json" "$tmp/flr.xml" "$tmp/fails.xml" <<'PY'
import json, sys, collections, xml.etree.ElementTree as ET
out = []
for path in sys.argv[1:3]:
    d = json.load(open(path))
    c = collections.Counter(e["result"] for e in d["expectations"])
    out.append("%s %d/%d/%d" % (d["result"], c["held"], c["waived"], c["failed"]))
for path in sys.argv[3:]:
    s = ET.parse(path).getroot()[0]
    out.append("%s/%s/%s" % (s.get("tests"), s.get("skipped"), s.get("failures")))
print(" ".join(out))
PY
)
"$bin" replay "$root/tests/data/guests/flr.scn" >"$tmp/flr.txt" 2>/dev/null
held=$(grep -c ': ok$' "$tmp/flr.txt")
waived=$(grep -v ', but holds: ' "$tmp/flr.txt" | grep -c '^[0-9]*: waived (.*): ')
[ "$summary" = "passed $held/$waived/0 failed 0/0/1 $((held + waived))/$waived/0 1/0/1" ] &&
	ok "--json and --junit count every expectation" || fail "--json/--junit: $summary (held $held)"

# A scenario names its machine: replay alone boots it; an option wins.
$launch "$bin" replay --quiet "$scn" 2>"$tmp/err" &&
	ok "replay uses the scenario's '# machine:' line" || fail "replay SCN: $(cat "$tmp/err")"
$launch "$bin" replay --quiet --lspci "$root/data/machines/intel-nuc-broadwell-u-i218.lspci" \
	"$scn" >/dev/null 2>&1
[ $? = 1 ] && ok "--lspci overrides the machine line" || fail "--lspci did not override"
printf '# what\n# machine: dump:x.lspci\ninl 0xcfc\n' >"$tmp/bad.scn"
$launch "$bin" replay "$tmp/bad.scn" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "^$tmp/bad.scn:2: expected '# machine: lspci:FILE'" "$tmp/err" &&
	ok "a bad machine line is a usage error" || fail "bad machine line: $(cat "$tmp/err")"

# record --host keeps the captured platform beside the trace, named in its
# header, so that the trace replays alone (a sysfs tree of the tests'
# stands in for this machine's /sys).
printf 'outl 0xcf8 0x80000000\ninl 0xcfc\nexpect 0x29c08086\n' >"$tmp/host.scn"
PVHDEV_SYSFS_ROOT=$root/tests/data/capture/good $launch "$bin" record --quiet --host \
	"$tmp/host.scn" -o "$tmp/host.xml" 2>"$tmp/err" || fail "record --host: $(cat "$tmp/err")"
grep -q '<platform source="host:host.xml.platform.xml"' "$tmp/host.xml" &&
	[ -s "$tmp/host.xml.platform.xml" ] && ok "record --host writes its platform beside the trace" ||
	fail "record --host: no platform beside the trace"
(cd / && $launch "$bin" replay --quiet --trace "$tmp/host.xml" "$tmp/host.scn") 2>"$tmp/err" &&
	ok "a --host trace replays alone" || fail "replay --trace of a --host trace: $(tail -n 2 "$tmp/err")"

# "-": the scenario on stdin; the trace on stdout, replayed from stdin.
# (From an empty directory: a file named "-" must neither be made nor read.)
cd "$tmp" || exit 1
printf 'outl 0xcf8 0x80000000\ninl 0xcfc\nexpect 0x16048086\n' |
	$launch "$bin" replay --quiet --lspci "$root/data/machines/intel-nuc-broadwell-u-i218.lspci" - \
	2>"$tmp/err" && ok "replay - reads the scenario from stdin" || fail "replay -: $(cat "$tmp/err")"
$launch "$bin" record --quiet --lspci "$dump" "$scn" -o - >"$tmp/trace.xml" 2>"$tmp/err" &&
	head -n 1 "$tmp/trace.xml" | grep -q '^<?xml' && [ ! -e "$tmp/-" ] &&
	ok "record -o - writes the trace to stdout" || fail "record -o -: $(cat "$tmp/err")"
rm -f -- "$tmp/-"
$launch "$bin" replay --quiet --trace - "$scn" <"$tmp/trace.xml" 2>"$tmp/err" &&
	ok "replay --trace - reads the trace from stdin" || fail "replay --trace -: $(cat "$tmp/err")"

exit $failed
