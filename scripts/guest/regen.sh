#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Regenerates tests/data/guests/ from a real Linux guest (docs/guests.md):
#   bash scripts/guest/regen.sh [WORKDIR]
# Run as root on Debian 12.  It installs what it needs, downloads the
# kernel package pinned below (unpacked into WORKDIR, never installed),
# builds a busybox initramfs with scripts/guest/init.sh as /init, boots
# QEMU (q35, TCG, one CPU) with tracing on in the guest's windows, and
# converts each window into NAME.platform.xml + NAME.scn.  Then it replays
# every scenario once with the freshly built pvhdev to classify the
# mismatches (scripts/guest/waivers.txt): an unexplained one fails.
# WORKDIR (default build-guest/) keeps the downloads and the raw trace.
set -euo pipefail

# The kernel, in one place.  Debian drops superseded 6.1 ABI packages: when
# this one is gone, pick the current linux-image-6.1.0-*-amd64 and its
# version (apt-cache policy), and regenerate.
KERNEL_PKG=linux-image-6.1.0-50-amd64
KERNEL_VERSION=6.1.176-1

cd "$(dirname "$0")/../.."
top=$PWD
work=$(realpath -m "${1:-build-guest}")
mkdir -p "$work"

bash scripts/deps.sh qemu-system-x86 busybox-static cpio kmod python3
export PATH=$PATH:/usr/sbin:/sbin # depmod

# --- the kernel and its modules ---
kver=${KERNEL_PKG#linux-image-}
deb=$work/${KERNEL_PKG}_${KERNEL_VERSION}_amd64.deb
if [ ! -f "$deb" ]; then
	# a fresh machine may have no package lists yet
	apt-cache show "$KERNEL_PKG=$KERNEL_VERSION" >/dev/null 2>&1 || apt-get update >/dev/null
	(cd "$work" && apt-get download "$KERNEL_PKG=$KERNEL_VERSION")
fi
if [ ! -f "$work/kernel/boot/vmlinuz-$kver" ]; then
	rm -rf "$work/kernel"
	dpkg-deb -x "$deb" "$work/kernel"
	depmod -b "$work/kernel" "$kver"
fi

# --- the initramfs: busybox, /init, the modules the windows load ---
modules=(e1000e e1000 nvme virtio_net virtio_pci)
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,lib/modules}
cp /bin/busybox "$root/bin/busybox"
cp scripts/guest/init.sh "$root/init"
chmod 755 "$root/init"
mdir=$work/kernel/lib/modules/$kver
for m in "${modules[@]}"; do
	grep -E "/$m\.ko:" "$mdir/modules.dep" | tr -d ':' | tr ' ' '\n'
done | sort -u | while read -r f; do
	[ -n "$f" ] && cp "$mdir/$f" "$root/lib/modules/"
done
# The same bytes every time: fixed times, sorted names, no owners.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -n -9 >"$work/initramfs.gz"

# --- boot, trace, convert ---
start=$(date +%s)
python3 scripts/guest/boot.py --kernel "$work/kernel/boot/vmlinuz-$kver" \
	--initrd "$work/initramfs.gz" --out "$work/run"
echo "regen: guest run took $(($(date +%s) - start)) s" >&2

cmake -S . -B "$work/pvhdev" -DPVHDEV_BENCH=OFF -DPVHDEV_TESTS=OFF >/dev/null
cmake --build "$work/pvhdev" -j2 --target pvhdev_cli >/dev/null
python3 scripts/guest/convert.py --run "$work/run" --out tests/data/guests \
	--pvhdev "$work/pvhdev/pvhdev" --waivers scripts/guest/waivers.txt
echo "regen: done; git status tests/data/guests shows what changed" >&2
