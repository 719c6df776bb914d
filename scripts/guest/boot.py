#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots the traced guest (docs/guests.md) and writes OUT/console.log and
OUT/trace.log.

QEMU runs q35 under TCG with one CPU.  The guest's /init
(scripts/guest/init.sh) asks for each traced window over the serial
console; this script turns QEMU's memory_region_ops_* trace events on and
off through QMP around each window, and plugs a device when asked.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time

# The devices dom0 sees.  Slots and chassis numbers are fixed so that
# every boot enumerates the same buses.
DEVICES = [
    # a modern virtio device on the root bus (MSI-X in BAR1, 64-bit BAR4)
    "virtio-net-pci,netdev=n0,disable-legacy=on,romfile=,addr=02.0,mac=52:54:00:00:00:02",
    # a PCIe root port with a NIC behind it (MSI-X)
    "pcie-root-port,id=rp1,chassis=1,addr=03.0",
    "e1000e,bus=rp1,netdev=n1,romfile=,mac=52:54:00:00:00:03",
    # an NVMe controller with SR-IOV (2 VFs) behind another root port
    "pcie-root-port,id=rp2,chassis=2,addr=04.0",
    "nvme-subsys,id=subsys0",
    "nvme,bus=rp2,serial=pvhdev0,subsys=subsys0,sriov_max_vfs=2,"
    "sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=4",
    # a conventional NIC (INTx only) behind a PCIe-to-PCI bridge
    "pcie-pci-bridge,id=br1,addr=05.0",
    "e1000,bus=br1,addr=01.0,netdev=n2,romfile=,mac=52:54:00:00:00:05",
    # an empty hotplug-capable root port
    "pcie-root-port,id=rp3,chassis=3,addr=06.0",
]
NETDEVS = ["hubport,id=n%d,hubid=0" % i for i in range(4)]
PLUG = {"driver": "virtio-net-pci", "id": "hp0", "bus": "rp3",
        "netdev": "n3", "disable-legacy": "on", "romfile": "",
        "mac": "52:54:00:00:00:06"}
TRACE_EVENTS = "memory_region_ops_*"


class Qmp:
    def __init__(self, path):
        for _ in range(100):
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("boot: cannot connect to QMP at " + path)
        self.buf = b""
        self.recv()  # greeting
        self.cmd("qmp_capabilities")

    def recv(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("boot: QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, command, **args):
        self.sock.sendall(json.dumps({"execute": command, "arguments": args}).encode() + b"\n")
        while True:
            msg = self.recv()
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise SystemExit("boot: QMP %s: %s" % (command, msg["error"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    trace = os.path.join(args.out, "trace.log")
    qmp_path = os.path.join(args.out, "qmp.sock")
    for f in (trace, qmp_path):
        if os.path.exists(f):
            os.unlink(f)

    cmd = [args.qemu, "-machine", "q35", "-accel", "tcg", "-smp", "1",
           "-m", "512", "-nodefaults", "-display", "none", "-no-reboot",
           "-serial", "stdio", "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
           "-kernel", args.kernel, "-initrd", args.initrd,
           "-append", "console=ttyS0 io_delay=none iomem=relaxed quiet loglevel=1 panic=-1",
           # iomem=relaxed: busybox devmem may read the IO-APIC
           # an event that never fires turns the log backend on, to -D
           "-trace", "enable=pci_nvme_ub_mmiowr_intmask_with_msix",
           "-D", trace]
    for n in NETDEVS:
        cmd += ["-netdev", n]
    for d in DEVICES:
        cmd += ["-device", d]
    qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    qmp = Qmp(qmp_path)
    console = open(os.path.join(args.out, "console.log"), "w")
    start = time.time()
    ok = False
    for raw in qemu.stdout:
        line = raw.decode("ascii", "replace").replace("\r", "").rstrip("\n")
        console.write(line + "\n")
        if not line.startswith("@@"):
            continue
        word = line[2:].split()
        if not word:
            continue
        answer = True
        if word[0] in ("ready", "resume"):
            qmp.cmd("trace-event-set-state", name=TRACE_EVENTS, enable=True)
            if word[0] == "ready":
                print("boot: %5.1f s: window %s" % (time.time() - start, word[1]), file=sys.stderr)
        elif word[0] in ("done", "pause"):
            qmp.cmd("trace-event-set-state", name=TRACE_EVENTS, enable=False)
        elif word[0] == "plug":
            qmp.cmd("device_add", **PLUG)
        elif word[0] == "end":
            ok = True
            qmp.cmd("quit")
            answer = False
        elif word[0] == "error":
            print("boot: guest: " + line, file=sys.stderr)
            answer = False
        else:
            answer = False
        if answer:
            qemu.stdin.write(b"go\n")
            qemu.stdin.flush()
    qemu.wait()
    console.close()
    print("boot: %.1f s in all" % (time.time() - start), file=sys.stderr)
    if not ok:
        raise SystemExit("boot: the guest did not finish (see %s)" % console.name)


if __name__ == "__main__":
    main()
