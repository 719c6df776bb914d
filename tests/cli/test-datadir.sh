#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Where the pvhdev in the build tree finds its data, and paths too long
# for a machine's name (an error, not a name cut short).  The installed
# pvhdev's lookup is checked by install.consumer (cmake/check-install.cmake).
#   bash tests/cli/test-datadir.sh PVHDEV_BINARY
set -u

bin=${1:?usage: test-datadir.sh PVHDEV_BINARY}
launch=${PVHDEV_LAUNCHER:-}
here=$(cd -- "$(dirname -- "$0")" && pwd)
src_data=$(cd -- "$here/../../data" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
failed=0

fail() {
	echo "FAIL $1"
	failed=1
}

# pvhdev help lists $PVHDEV_DATADIR, then the source tree, then the prefix.
$launch "$bin" help >"$tmp/help" 2>&1 || fail "help: exit $?"
grep -q '^  \$PVHDEV_DATADIR  when set$' "$tmp/help" || fail "help: no \$PVHDEV_DATADIR line"
grep -q "^  $src_data  the source tree" "$tmp/help" || fail "help: no source tree line"
[ $failed = 0 ] && echo "ok   help lists the data directories"

# $PVHDEV_DATADIR comes first: a data directory of our own, whose
# bundled machine is the firecracker VM, is the one booted.
mkdir -p "$tmp/data/machines" "$tmp/data/schema"
cp "$src_data/schema/"* "$tmp/data/schema/"
cp "$src_data/machines/firecracker-vm.xml" \
   "$tmp/data/machines/intel-nuc-broadwell-u-i218.xml"
cp "$src_data/machines/firecracker-vm-virtio.lspci" "$tmp/data/machines/"
if PVHDEV_DATADIR=$tmp/data $launch "$bin" boot >"$tmp/out" 2>"$tmp/err" &&
   grep -q "^machine: platform:$tmp/data/machines/" "$tmp/out"; then
	echo "ok   PVHDEV_DATADIR first"
else
	fail "PVHDEV_DATADIR first: $(head -1 "$tmp/out") $(cat "$tmp/err")"
fi

# Without it, the source tree's data/.
if env -u PVHDEV_DATADIR $launch "$bin" boot >"$tmp/out" 2>"$tmp/err" &&
   grep -q "^machine: platform:$src_data/machines/" "$tmp/out"; then
	echo "ok   source tree for the build-tree binary"
else
	fail "source tree: $(head -1 "$tmp/out") $(cat "$tmp/err")"
fi

# A path longer than a machine's name may be: exit 2, one clear line.
long=$tmp/$(printf 'x%.0s' $(seq 1 4200)).lspci
$launch "$bin" boot --lspci "$long" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q "path too long" "$tmp/err"; then
	echo "ok   too long a path"
else
	fail "too long a path: exit $rc, $(cat "$tmp/err")"
fi
exit $failed
