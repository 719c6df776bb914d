#!/bin/busybox sh
# SPDX-License-Identifier: MIT
#
# The guest's /init (busybox sh): what a dom0's Linux does to its PCI
# devices, in traced windows.  It talks to the host (scripts/guest/boot.py)
# over the serial console, one line each way:
#
#   guest: @@snap-begin NAME ... @@snap-end    the machine as dom0 sees it
#   guest: @@ready NAME    host turns QEMU's tracing on, answers "go"
#   guest: @@done NAME     host turns it off, answers "go"
#   guest: @@pause, @@resume   host turns tracing off / on, answers "go"
#   guest: @@plug          host plugs a device through QMP, answers "go"
#   guest: @@irq ...       /proc/interrupts after a window
#   guest: @@end           host stops QEMU
#
# Inside a window the first and last traced accesses are writes to port
# 0x80 (the window's number, then 0): the converter cuts the trace there.
# A write of 254 marks where the host plugged a device.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
dmesg -n 1
echo >/proc/sys/kernel/modprobe

M=/lib/modules
P=/sys/bus/pci/devices

host() { # LINE: say it, wait for the host's answer
	echo "@@$*"
	read -r answer </dev/console
}

port80() { # VALUE 0-255
	printf "\\$(printf %03o "$1")" | dd of=/dev/port bs=1 seek=128 count=1 2>/dev/null
}

find_dev() { # VENDOR DEVICE: the first function with those IDs
	for d in $P/*; do
		if [ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ]; then
			echo "${d##*/}"
			return
		fi
	done
}

load() { # MODULE...: insmod in the order given
	for m in "$@"; do
		insmod "$M/$m.ko" || echo "@@error insmod $m"
	done
}

wait_for() { # PATH SECONDS
	n=0
	while [ ! -e "$1" ] && [ "$n" -lt "$(($2 * 10))" ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -e "$1" ] || echo "@@error timeout waiting for $1"
}

hexof() { # FILE: its bytes as one hex string, trailing zero bytes cut
	od -An -v -tx1 "$1" | tr -d ' \n' | sed 's/\(00\)*$//'
}

snap() { # NAME
	echo "@@snap-begin $1"
	for d in $P/*; do
		echo "@@dev ${d##*/} $(wc -c <"$d/config") $(hexof "$d/config")"
		i=0
		while read -r start end flags; do
			[ "$start" != 0x0000000000000000 ] || [ "$end" != 0x0000000000000000 ] &&
				echo "@@res ${d##*/} $i $start $end $flags"
			i=$((i + 1))
		done <"$d/resource"
	done
	for m in /sys/firmware/memmap/*; do
		echo "@@e820 $(cat "$m/start") $(cat "$m/end") $(cat "$m/type" | tr ' ' _)"
	done
	for t in MCFG APIC; do
		echo "@@acpi $t $(hexof /sys/firmware/acpi/tables/$t)"
	done
	# the MADT has no pin counts: Linux read them from the IO-APICs
	dmesg | grep -o 'IOAPIC\[[0-9]*\]: .*' | sed 's/^/@@dmesg /'
	irqs
	echo "@@snap-end"
}

irqs() { # the interrupts Linux has requested (/proc/interrupts)
	grep -E 'PCI-MSI|IO-APIC' /proc/interrupts | while read -r line; do
		echo "@@irq $line"
	done
}

win=0
window() { # NAME COMMAND...: snapshot, then COMMAND in a traced window
	name=$1
	shift
	win=$((win + 1))
	snap "$name"
	host "ready $name"
	port80 "$win"
	"$@"
	port80 0
	host "done $name"
	irqs
}

ifup() { # DEV: bring up the network interface of that function
	for i in /sys/class/net/*; do
		case $(readlink -f "$i/device") in
		*/"$1") ip link set "${i##*/}" up ;;
		esac
	done
}

wcfg() { # DEV OFF SIZE VALUE: one config write of SIZE bytes through sysfs
	v=$4
	bytes=
	i=0
	while [ "$i" -lt "$3" ]; do
		bytes="$bytes\\$(printf %03o $((v & 255)))"
		v=$((v >> 8))
		i=$((i + 1))
	done
	printf "$bytes" | dd of="$P/$1/config" bs="$3" seek=$(($2 / $3)) count=1 2>/dev/null
}

rcfg() { # DEV OFF: a dword of config space, as a number
	echo $((0x$(od -An -tx4 -j "$2" -N 4 "$P/$1/config" | tr -d ' ')))
}

VIRTIO=$(find_dev 0x1af4 0x1041)
E1000E=$(find_dev 0x8086 0x10d3)
E1000=$(find_dev 0x8086 0x100e)
NVME=$(find_dev 0x1b36 0x0010)
echo "@@devs virtio=$VIRTIO e1000e=$E1000E e1000=$E1000 nvme=$NVME"

# --- the windows ---

w_lspci() { # what a full lspci -xxxx reads
	for d in $P/*; do
		cat "$d/config" >/dev/null
	done
}

w_probe() { # drivers probe: MSI-X set-up of three functions
	load e1000e
	ifup "$E1000E"
	load virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
	load failover net_failover virtio_net
	load crct10dif_common crc64 crc-t10dif crc64-rocksoft t10-pi nvme-core nvme
	wait_for /dev/nvme0 20
	# nvme probes asynchronously: wait until its I/O queues are up
	n2=0
	while [ "$(cat /sys/class/nvme/nvme0/state 2>/dev/null)" != live ] && [ $n2 -lt 200 ]; do
		sleep 0.1
		n2=$((n2 + 1))
	done
	sleep 1
}

w_intx() { # a conventional PCI NIC behind a PCIe-to-PCI bridge: INTx
	# first the IO-APIC's ID and version, as Linux's boot reads them
	for reg in 0 1; do
		devmem 0xfec00000 32 "$reg"
		devmem 0xfec00010 32 >/dev/null
	done
	load e1000
	ifup "$E1000"
	sleep 1
}

w_barmove() { # virtio-net's BARs moved by hand: decode off, BAR, decode on
	echo "$VIRTIO" >"$P/$VIRTIO/driver/unbind"
	cmd=$(($(rcfg "$VIRTIO" 4) & 0xffff))
	bar1=$(rcfg "$VIRTIO" 0x14)
	bar4=$(rcfg "$VIRTIO" 0x20)
	bar4hi=$(rcfg "$VIRTIO" 0x24)
	wcfg "$VIRTIO" 4 2 $((cmd & ~2))
	wcfg "$VIRTIO" 0x14 4 0xd0000000
	wcfg "$VIRTIO" 0x20 4 $(((bar4 & 0xf) | 0x0))
	wcfg "$VIRTIO" 0x24 4 0x9
	wcfg "$VIRTIO" 4 2 "$cmd"
	# and back, so that the driver finds them where Linux put them
	wcfg "$VIRTIO" 4 2 $((cmd & ~2))
	wcfg "$VIRTIO" 0x14 4 "$bar1"
	wcfg "$VIRTIO" 0x20 4 "$bar4"
	wcfg "$VIRTIO" 0x24 4 "$bar4hi"
	wcfg "$VIRTIO" 4 2 "$cmd"
	echo "$VIRTIO" >/sys/bus/pci/drivers/virtio-pci/bind
	sleep 1
}

w_flr() { # a function-level reset through sysfs, nvme bound: it restores
	echo 1 >"$P/$NVME/reset"
	sleep 2
}

w_sriov() { # SR-IOV on and off (VFs left unprobed: QEMU's are offline)
	echo 0 >"$P/$NVME/sriov_drivers_autoprobe"
	echo 2 >"$P/$NVME/sriov_numvfs"
	sleep 1
	# the VFs' config space, which only exists now, read untraced
	host pause
	snap sriov-vfs
	host resume
	echo 0 >"$P/$NVME/sriov_numvfs"
	sleep 1
}

w_rescan() { # remove + rescan: Linux reassigns the BARs
	echo 1 >"$P/$VIRTIO/remove"
	sleep 1
	echo 1 >/sys/bus/pci/rescan
	sleep 2
}

w_hotplug() { # native PCIe hotplug into the empty root port
	before=$(ls $P | wc -l)
	port80 254 # marks the moment in the trace
	host plug
	n2=0
	while [ "$(ls $P | wc -l)" = "$before" ] && [ $n2 -lt 300 ]; do
		sleep 0.1
		n2=$((n2 + 1))
	done
	sleep 3
}

window lspci w_lspci
window probe w_probe
window intx w_intx
window barmove w_barmove
window flr w_flr
window sriov w_sriov
VIRTIO_BEFORE=$VIRTIO
window rescan w_rescan
VIRTIO=$(find_dev 0x1af4 0x1041)
window hotplug w_hotplug
snap final
host end
poweroff -f
