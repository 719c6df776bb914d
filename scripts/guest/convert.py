#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns a traced guest run (scripts/guest/boot.py) into pvhdev platform
files and scenarios, one pair per window (docs/guests.md).

  convert.py --run DIR --out tests/data/guests --pvhdev BIN --waivers FILE

For each window NAME of RUN/console.log:
- NAME.platform.xml: the machine as dom0 saw it just before the window
  (config space and BAR sizes of every function, e820, MCFG, IO-APICs);
- NAME.scn: the window's trapped accesses from RUN/trace.log (CF8/CFC,
  ECAM, MSI-X table and PBA, IO-APIC) in qtest syntax, every read followed
  by `expect` with QEMU's answer, and the effects the guest's own view
  implies: expect-mapped / expect-unmapped when a function's memory decode
  goes on or off, msix-bind when an MSI-X entry becomes live, gsi-bind
  when an IO-APIC pin is first unmasked.

Then each scenario is replayed with every expectation waived, to find
where pvhdev answers otherwise; each such expectation gets the waiver of
the first rule of FILE that matches it, and one no rule explains makes
the conversion fail.
"""
import argparse
import fnmatch
import os
import re
import subprocess
import sys

ECAM_NAME = "pcie-mmcfg-mmio"
PLUG_MARK = 254  # port 0x80: the host plugged a device here
TRAPPED = {"pci-conf-idx", "pci-conf-data", ECAM_NAME, "msix-table",
           "msix-pba", "ioapic"}
E820_TYPES = {"System RAM": "ram", "Reserved": "reserved",
              "ACPI Tables": "acpi", "ACPI Non-volatile Storage": "nvs"}
# What the guest does in each window (scripts/guest/init.sh).
WHAT = {
    "lspci": "reads every function's whole config space, as lspci -xxxx does",
    "probe": "loads e1000e (and brings its link up), virtio_net and nvme: three MSI-X set-ups",
    "intx": "reads the IO-APIC's ID and version (devmem), loads e1000 behind the PCIe-to-PCI bridge "
            "and brings it up: an IO-APIC pin, level, low",
    "barmove": "unbinds virtio-net, moves its BAR1 (32-bit) and BAR4 (64-bit, to 36 GiB) by hand "
               "with decoding off, moves them back, binds the driver again",
    "flr": "resets the NVMe controller through sysfs (an FLR) with its driver bound, which restores it",
    "sriov": "turns 2 NVMe VFs on and off through sriov_numvfs (VFs left unprobed)",
    "rescan": "removes virtio-net and rescans: Linux reassigns its BARs, BAR1 with decoding on",
    "hotplug": "waits while a virtio-net is plugged into the empty root port (QMP device_add): "
               "pciehp and the driver's probe",
}
DELIVERY = ["fixed", "lowest", "smi", "reserved3", "nmi", "init",
            "reserved6", "extint"]


def sbdf_str(seg, bus, devfn):
    return "%04x:%02x:%02x.%x" % (seg, bus, devfn >> 3, devfn & 7)


# ---- The console: snapshots, windows, /proc/interrupts ----

class Snapshot:
    def __init__(self, name):
        self.name = name
        self.devs = {}  # sbdf -> (cfgsize, bytes)
        self.res = {}   # sbdf -> {index: (start, end, flags)}
        self.e820 = []  # (start, end inclusive, type name)
        self.acpi = {}  # signature -> bytes
        self.ioapic_pins = {}  # apic id -> (gsi first, gsi last)
        self.irqs = []


def parse_console(path):
    snaps, windows, after = {}, [], {}
    cur, last_done = None, None
    for line in open(path, encoding="ascii", errors="replace"):
        line = line.rstrip("\n")
        if not line.startswith("@@"):
            continue
        w = line[2:].split(" ")
        tag = w[0]
        if tag == "snap-begin":
            cur = snaps[w[1]] = Snapshot(w[1])
            last_done = None
        elif tag == "snap-end":
            cur = None
        elif tag == "dev" and cur:
            cur.devs[w[1]] = (int(w[2]), bytes.fromhex(w[3] if len(w) > 3 else ""))
        elif tag == "res" and cur:
            cur.res.setdefault(w[1], {})[int(w[2])] = (int(w[3], 16), int(w[4], 16),
                                                       int(w[5], 16))
        elif tag == "e820" and cur:
            cur.e820.append((int(w[1], 16), int(w[2], 16), " ".join(w[3:]).replace("_", " ")))
        elif tag == "acpi" and cur:
            cur.acpi[w[1]] = bytes.fromhex(w[2] if len(w) > 2 else "")
        elif tag == "dmesg" and cur:
            m = re.search(r"apic_id (\d+), version \d+, address (0x[0-9a-f]+), GSI (\d+)-(\d+)", line)
            if m:
                cur.ioapic_pins[int(m.group(1))] = (int(m.group(3)), int(m.group(4)))
        elif tag == "irq":
            (cur.irqs if cur else after.setdefault(last_done, [])).append(" ".join(w[1:]))
        elif tag == "ready":
            windows.append(w[1])
        elif tag == "done":
            last_done = w[1]
    return snaps, windows, after


def msi_vectors(irq_lines):
    """(sbdf, entry) of every PCI-MSI line: Linux's hwirq is
    segment << 27 | bus << 19 | devfn << 11 | entry."""
    out = {}
    for l in irq_lines:
        m = re.match(r"(\d+):\s+\d+\s+PCI-MSI\s+(\d+)-\S+\s+(.*)", l)
        if m:
            hw = int(m.group(2))
            out[(sbdf_str(hw >> 27, (hw >> 19) & 0xff, (hw >> 11) & 0xff), hw & 0x7ff)] = m.group(3)
    return out


# ---- The trace ----

TRACE_RE = re.compile(r"memory_region_ops_(read|write) cpu \d+ mr 0x[0-9a-f]+ addr (0x[0-9a-f]+) "
                      r"value (0x[0-9a-f]+) size (\d+) name '([^']*)'")


def parse_trace(path):
    """The windows' accesses: lists of (is_write, addr, value, size, name)."""
    windows, cur = [], None
    for line in open(path, encoding="ascii", errors="replace"):
        m = TRACE_RE.search(line)
        if not m:
            continue
        rw, addr, val, size, name = m.groups()
        acc = (rw == "write", int(addr, 16), int(val, 16), int(size), name)
        if name == "ioport80" and acc[0]:
            if acc[2] == PLUG_MARK and cur is not None:
                cur.append(acc)
            elif acc[2]:
                cur = []
            elif cur is not None:
                windows.append(cur)
                cur = None
            continue
        if cur is not None:
            cur.append(acc)
    return windows


# ---- Platform facts ----

def le(b, off, n):
    return int.from_bytes(b[off:off + n], "little")


def mcfg_regions(tbl):
    out = []
    for off in range(44, len(tbl) - 15, 16):
        out.append((le(tbl, off, 8), le(tbl, off + 8, 2), tbl[off + 10], tbl[off + 11]))
    if not out and len(tbl) >= 44:  # trailing zeros were cut: pad
        return mcfg_regions(tbl + bytes(60 - len(tbl)))
    return out


def madt(tbl):
    lapic = le(tbl, 36, 4)
    ioapics = []
    off = 44
    while off + 2 <= len(tbl):
        kind, length = tbl[off], tbl[off + 1]
        if length < 2:
            break
        if kind == 1:
            ioapics.append((tbl[off + 2], le(tbl, off + 4, 4), le(tbl, off + 8, 4)))
        off += length
    return lapic, ioapics


def cap_list(cfg):
    """{cap id: offset} of the standard capability list."""
    caps = {}
    if not cfg[6] & 0x10:
        return caps
    off, hops = cfg[0x34] & 0xfc, 0
    while off and hops < 48 and off + 1 < len(cfg):
        caps.setdefault(cfg[off], off)
        off = cfg[off + 1] & 0xfc
        hops += 1
    return caps


def ext_cap(cfg, want):
    off, hops = 0x100, 0
    while off and hops < 960 and off + 4 <= len(cfg):
        hdr = le(cfg, off, 4)
        if not hdr:
            return None
        if hdr & 0xffff == want:
            return off
        off = (hdr >> 20) & 0xffc
        hops += 1
    return None


class Func:
    """One function's config space as the guest's writes and QEMU's
    answers leave it.  A function the snapshot did not have (a VF, a
    plugged device) is learned from the window: learned is True, its BAR
    sizes come from Linux's sizing reads, a VF's BARs from its PF."""

    def __init__(self, sbdf, cfgsize, data, res, learned=False):
        self.sbdf = sbdf
        self.learned = learned
        self.vf_of = None   # (PF, VF index) for a VF
        self.plugged = False  # learned after a plug mark: in the platform, plugged later
        self.plug_mark = None  # the line of that mark
        # what the guest read of each byte before writing it: the reset state
        self.reset = bytearray(4096)
        self.seen = bytearray(4096)   # 1: reset[] holds it
        self.written = bytearray(4096)
        self.sizing = {}    # BAR register offset -> the latest write was ~0
        self.cfg = bytearray(4096)
        self.cfg[:len(data)] = data
        self.cfgsize = cfgsize
        self.htype = self.cfg[0xe] & 0x7f
        self.nbars = 6 if self.htype == 0 else 2 if self.htype == 1 else 0
        self.sizes = {}  # BAR index -> size in bytes
        self.vf_sizes = {}  # VF BAR index -> one VF's size in bytes
        for i, (start, end, flags) in res.items():
            if i < self.nbars and end > start:
                self.sizes[i] = end - start + 1
        cap = self.sriov()
        total = le(self.cfg, cap + 0xe, 2) if cap else 0
        for i in range(6):
            start, end, _ = res.get(7 + i, (0, 0, 0))
            if cap and end > start and total:
                self.vf_sizes[i] = (end - start + 1) // total
        self._caps = cap_list(self.cfg)
        self.entries = {}  # MSI-X entry -> {"mask", "lo", "hi", "data"}
        self.bound = {}    # MSI-X entry -> (address, data) bound in the window
        self.ever_bound = set()

    def cap(self, cid):
        if self.learned and cid not in self._caps:
            self._caps = cap_list(self.cfg)
        return self._caps.get(cid)

    @property
    def msix(self):
        return self.cap(0x11)

    @property
    def pcie(self):
        return self.cap(0x10)

    def dword(self, off):
        return le(self.cfg, off, 4)

    def read(self, reg, size, val):
        """QEMU's answer to a read: what the register holds now."""
        if self.learned and 0x10 <= reg < 0x28 and size == 4 and self.sizing.get(reg):
            i = (reg - 0x10) // 4
            kind = self.bar_kind(i)
            if kind in ("io", "mem32", "mem64") and val:
                self.sizes[i] = (~(val & (~0x3 if kind == "io" else ~0xf)) + 1) & 0xffffffff
        for k in range(size):
            self.cfg[reg + k] = (val >> (8 * k)) & 0xff
            if not self.written[reg + k] and not self.seen[reg + k]:
                self.reset[reg + k] = self.cfg[reg + k]
                self.seen[reg + k] = 1

    def reset_bytes(self, later):
        """The reset state as far as the guest read it before writing it;
        the other bytes (read-only ones, like the MSI-X PBA's offset) as
        a later snapshot has them (later: bytes, or b"")."""
        n = max([64] + [i + 1 for i in range(4096) if self.seen[i]])
        n = (max(n, len(later)) + 15) // 16 * 16
        later = later.ljust(n, b"\0")
        return bytes(self.reset[i] if self.seen[i] else later[i] for i in range(n))

    def bar_kind(self, i):
        """'io', 'mem32', 'mem64', 'hi' (upper half) or None."""
        if i >= self.nbars:
            return None
        if i > 0 and self.bar_kind(i - 1) == "mem64":
            return "hi"
        v = self.dword(0x10 + 4 * i)
        if v & 1:
            return "io"
        return "mem64" if (v >> 1) & 3 == 2 else "mem32"

    def bar_addr(self, i):
        if self.vf_of:
            pf, idx = self.vf_of
            base, size = pf.vf_bar(i)
            return base + idx * size if size else 0
        v = self.dword(0x10 + 4 * i) & ~0xf
        if self.bar_kind(i) == "mem64":
            v |= self.dword(0x14 + 4 * i) << 32
        return v

    def sriov(self):
        return ext_cap(self.cfg, 0x10) if self.htype == 0 else None

    def vf_bar(self, i):
        """(address, one VF's size) of VF BAR i of this PF."""
        cap = self.sriov()
        v = self.dword(cap + 0x24 + 4 * i)
        addr = v & ~0xf
        if (v >> 1) & 3 == 2:
            addr |= self.dword(cap + 0x28 + 4 * i) << 32
        return addr, self.vf_sizes.get(i, 0)

    def write(self, reg, size, val):
        """A config write, with the BARs' read-only low bits kept."""
        if 0x10 <= reg < 0x28 and size == 4:
            self.sizing[reg] = val == 0xffffffff
        for k in range(size):
            r = reg + k
            self.written[r] = 1
            b = (val >> (8 * k)) & 0xff
            i = (r - 0x10) // 4
            if 0x10 <= r < 0x10 + 4 * self.nbars:
                kind = self.bar_kind(i)
                lo_i = i - 1 if kind == "hi" else i
                sz = self.sizes.get(lo_i, 0)
                if not sz:
                    continue
                if kind == "hi":
                    mask = (~(sz - 1) >> 32) & 0xffffffff
                else:
                    mask = ~(sz - 1) & ~(0x3 if kind == "io" else 0xf) & 0xffffffff
                mb = (mask >> (8 * ((r - 0x10) % 4))) & 0xff
                b = (b & mb) | (self.cfg[r] & ~mb & 0xff)
            self.cfg[r] = b

    def decoding(self):
        return bool(self.cfg[4] & 2)

    def msix_state(self):
        ctrl = le(self.cfg, self.msix + 2, 2)
        return bool(ctrl & 0x8000), bool(ctrl & 0x4000), (ctrl & 0x7ff) + 1

    def msix_range(self, which):
        """(addr, bytes) of the MSI-X table (which=4) or PBA (8)."""
        v = self.dword(self.msix + which)
        n = self.msix_state()[2]
        size = 16 * n if which == 4 else 8 * ((n + 63) // 64)
        return self.bar_addr(v & 7) + (v & ~7), size


def pages(addr, size):
    return set(range(addr >> 12, (addr + size + 0xfff) >> 12))


def runs(pfns):
    out = []
    for p in sorted(pfns):
        if out and out[-1][0] + out[-1][1] == p:
            out[-1][1] += 1
        else:
            out.append([p, 1])
    return out


# ---- The platform file ----

# What QEMU's device models hardwire although the specifications make it
# writable, seen in the traced reads (docs/guests.md): the fake gets it as
# the device's own write masks (<mask>, docs/platform-format.md).
# (vendor, device) -> (capability or None, offset in it, size, rw, rw1c)
QEMU_MASKS = {
    (0x8086, 0x100e): [(None, 0x0d, 1, 0x00, 0)],     # e1000: Latency Timer reads 0
    (0x8086, 0x10d3): [(0x10, 0x08, 2, 0x7ff0, 0)],   # e1000e: Device Control 3:0 read 0
}


def qemu_masks(f, data):
    """<mask> lines for function f (config bytes data), from QEMU_MASKS."""
    out = []
    for cap, off, size, rw, rw1c in QEMU_MASKS.get((le(data, 0, 2), le(data, 2, 2)), []):
        base = 0 if cap is None else f.cap(cap)
        if base is None:
            continue
        out.append('    <mask offset="0x%x" size="%d" rw="0x%x" rw1c="0x%x"/>'
                   % (base + off, size, rw, rw1c))
    return out


def vf_template(f, data, snap, vf_snap):
    """The PF's first VF's config space as QEMU showed it after VF Enable
    (the VF snapshot), as its <vf-config>: the fake's VFs then answer as
    QEMU's (issue 15).  None when there is none."""
    cap = ext_cap(data, 0x10) if vf_snap and f.htype == 0 else None
    if not cap:
        return None
    bus, devfn = int(f.sbdf[5:7], 16), int(f.sbdf[8:10], 16) << 3 | int(f.sbdf[11], 16)
    rid = (bus << 8 | devfn) + le(data, cap + 0x14, 2)
    vf = sbdf_str(0, rid >> 8, rid & 0xff)
    if vf not in vf_snap.devs or vf in snap.devs:
        return None
    vd = vf_snap.devs[vf][1]
    n = (max(len(vd.rstrip(b"\0")), 64) + 15) // 16 * 16
    return vd[:n].ljust(n, b"\0")


def platform_xml(snap, name, funcs, later=None, vf_snap=None):
    L = ['<?xml version="1.0" encoding="UTF-8"?>', '<platform version="1">',
         "  <description>Linux 6.1 on QEMU 7.2 (q35, TCG) just before the guest "
         "window '%s' (scripts/guest/regen.sh, docs/guests.md)</description>" % name]
    for start, end, kind in sorted(snap.e820):
        t = E820_TYPES.get(kind)
        if t is None:
            raise SystemExit("convert: unknown e820 type %r" % kind)
        L.append('  <e820 addr="0x%x" size="0x%x" type="%s"/>' % (start, end - start + 1, t))
    for base, seg, sb, eb in mcfg_regions(snap.acpi["MCFG"]):
        L.append('  <mcfg addr="0x%x" segment="%d" start-bus="%d" end-bus="%d"/>' % (base, seg, sb, eb))
    lapic, ioapics = madt(snap.acpi["APIC"])
    for apic_id, addr, gsi in ioapics:
        first, last = snap.ioapic_pins[apic_id]
        L.append('  <ioapic id="%d" addr="0x%x" gsi-base="%d" pins="%d"/>' % (apic_id, addr, gsi, last - first + 1))
    L.append('  <lapic addr="0x%x"/>' % lapic)
    plugged = [s for s, f in funcs.items() if f.plugged]
    for sbdf in sorted(set(snap.devs) | set(plugged)):
        f = funcs[sbdf]
        # a plugged function: its reset state, as the guest first read it
        if sbdf in snap.devs:
            cfgsize, data = snap.devs[sbdf]
        else:
            cfgsize, data = 4096, f.reset_bytes(later.devs[sbdf][1] if later and sbdf in later.devs else b"")
        n = max(len(data), 64)
        if cfgsize > 256:
            n = max(n, 260)  # more than 256 bytes: extended config space
        n = (n + 15) // 16 * 16
        L.append('  <device sbdf="%s"%s>' % (sbdf, ' plugged="later"' if f.plugged else ""))
        L.append("    <config>")
        for off in range(0, n, 16):
            row = data[off:off + 16].ljust(16, b"\0")
            L.append("      %02x: %s" % (off, " ".join("%02x" % b for b in row)))
        L.append("    </config>")
        for i in sorted(f.sizes):
            L.append('    <bar index="%d" size="0x%x"/>' % (i, f.sizes[i]))
        res = snap.res.get(sbdf, {})
        if 6 in res and res[6][1] > res[6][0]:
            L.append('    <rom size="0x%x"/>' % (res[6][1] - res[6][0] + 1))
        for i in sorted(f.vf_sizes):
            L.append('    <vf-bar index="%d" size="0x%x"/>' % (i, f.vf_sizes[i]))
        L.extend(qemu_masks(f, data))
        vf_cfg = vf_template(f, data, snap, vf_snap)
        if vf_cfg:
            L.append("    <vf-config>")
            for off in range(0, len(vf_cfg), 16):
                L.append("      %02x: %s" % (off, " ".join("%02x" % b for b in vf_cfg[off:off + 16])))
            L.append("    </vf-config>")
        L.append("  </device>")
    L.append("</platform>")
    return "\n".join(L) + "\n"


# ---- The scenario ----

class Window:
    def __init__(self, name, snap, accesses, irqs_after, notes, vf_snap=None, later=None):
        self.name = name
        self.snap = snap
        self.vf_snap = vf_snap
        self.later = later  # the next snapshot: a plugged function's read-only bytes
        self.funcs = {s: Func(s, c, d, snap.res.get(s, {})) for s, (c, d) in snap.devs.items()}
        self.mcfg = mcfg_regions(snap.acpi["MCFG"])
        lapic, self.ioapics = madt(snap.acpi["APIC"])
        self.lines = []   # (text, target) target: what an expectation checks
        self.cf8 = 0
        self.ioregsel = {}
        self.bound_gsis = set()
        self.counts = {"accesses": 0, "reads": 0, "dropped": 0, "binds": 0, "unbinds": 0,
                       "gsi": 0, "mapped": 0, "unmapped": 0}
        self.notes = notes
        self.touched_msix = set()
        self.vfs = []     # (VF SBDF, PF, VF index) while VF Enable is set
        self.plug_at = []  # line of each plug mark, filled in below
        for acc in accesses:
            self.access(acc)
        self.plug_lines()
        self.emit("drain")
        self.final_state()
        self.irq_check(irqs_after)

    def final_state(self):
        """After the window, every function that decodes memory has its
        BARs mapped, and none of its MSI-X table and PBA pages (the rule
        behind XSA-120)."""
        for sbdf in sorted(self.funcs):
            f = self.funcs[sbdf]
            if not f.decoding() or f.vf_of:
                continue
            self.expect_bars(f, True)
            if f.msix and f.bar_addr(f.dword(f.msix + 4) & 7):
                for which in (4, 8):
                    for gfn, nr in runs(pages(*f.msix_range(which))):
                        self.emit("expect-unmapped 0x%x 0x%x" % (gfn, nr), "unmapped %s msix %s" % (
                            sbdf, "table" if which == 4 else "pba"))
                        self.counts["unmapped"] += 1

    def emit(self, text, target=None):
        self.lines.append((text, target))

    def plug_lines(self):
        """Each plug mark becomes a plug line per function the guest first
        found after it (and before the next mark)."""
        for k, at in enumerate(self.plug_at):
            end = self.plug_at[k + 1] if k + 1 < len(self.plug_at) else len(self.lines)
            sbdfs = sorted(s for s, f in self.funcs.items() if f.plugged and at <= f.plug_mark < end)
            text = "\n".join("plug " + s for s in sbdfs) or "# here the host plugged a device " \
                "(QMP device_add), but the guest found no new function"
            self.lines[at] = (text, None)

    # config space
    def cfg_target(self, addr, name):
        if name == "pci-conf-idx":
            return None
        if name == "pci-conf-data":
            if not self.cf8 & 0x80000000:
                return None
            bus, devfn = (self.cf8 >> 16) & 0xff, (self.cf8 >> 8) & 0xff
            return sbdf_str(0, bus, devfn), (self.cf8 & 0xfc) | (addr & 3)
        for base, seg, sb, eb in self.mcfg:
            off = addr - base
            if (sb << 20) <= off < ((eb + 1) << 20):
                return sbdf_str(seg, off >> 20, (off >> 12) & 0xff), off & 0xfff
        return None

    def access(self, acc):
        is_write, addr, val, size, name = acc
        if name == "ioport80":
            self.plug_at.append(len(self.lines))
            self.emit("# plug")  # plug_lines() says which
            return
        if name not in TRAPPED:
            self.counts["dropped"] += 1
            return
        self.counts["accesses"] += 1
        port = name in ("pci-conf-idx", "pci-conf-data")
        op = ("out" if is_write else "in") if port else ("write" if is_write else "read")
        sfx = {1: "b", 2: "w", 4: "l", 8: "q"}[size]
        if is_write:
            self.emit("%s%s 0x%x 0x%x" % (op, sfx, addr, val))
        else:
            self.emit("%s%s 0x%x" % (op, sfx, addr))
        if name == "pci-conf-idx" and is_write:
            self.cf8 = val
        target = "?"
        if name in ("pci-conf-data", ECAM_NAME):
            t = self.cfg_target(addr, name)
            if t:
                sbdf, reg = t
                f = self.funcs.get(sbdf)
                target = "cfg %s%s 0x%x %d" % ("learned " if f and f.learned and not f.plugged
                                               else "" if f else "absent ", sbdf, reg, size)
                if is_write and f:
                    self.cfg_write(f, reg, size, val)
                elif f:
                    f.read(reg, size, val)
                elif any(v == sbdf for v, _, _ in self.vfs) or (
                        not is_write and reg == 0 and val & 0xffff != 0xffff):
                    # a function the snapshot did not have: learn it
                    f = self.funcs[sbdf] = Func(sbdf, 4096, b"", {}, learned=True)
                    self.adopt_vf(f)
                    if self.plug_at and not f.vf_of:
                        f.plugged, f.plug_mark = True, self.plug_at[-1]
                        # what the guest never reads (the PBA's offset) as
                        # the next snapshot has it; its reads replace the rest
                        if self.later and sbdf in self.later.devs:
                            data = self.later.devs[sbdf][1]
                            f.cfg[:len(data)] = data
                    if is_write:
                        self.cfg_write(f, reg, size, val)
                    else:
                        f.read(reg, size, val)
                    target = "cfg %s%s 0x%x %d" % ("" if f.plugged else "absent ",
                                                   sbdf, reg, size)
        elif name in ("msix-table", "msix-pba"):
            target = self.msix_access(is_write, addr, val, size, name)
        elif name == "ioapic":
            target = self.ioapic_access(is_write, addr, val)
        if not is_write:
            self.counts["reads"] += 1
            self.emit("expect 0x%x" % val, target)

    def adopt_vf(self, f):
        for vf, pf, idx in self.vfs:
            if vf == f.sbdf:
                f.vf_of = (pf, idx)
                f.htype = 0
                # its config space as the guest read it while VFs were on
                if self.vf_snap and vf in self.vf_snap.devs:
                    data = self.vf_snap.devs[vf][1]
                    f.cfg[:len(data)] = data

    def sriov_write(self, f, reg, size, val):
        """Before and after a write to a PF's SR-IOV control: its VFs come
        (dev-add, VF BARs mapped) and go (dev-remove, VF BARs unmapped;
        while they were there, their MSI-X tables must not have been
        mapped)."""
        cap = f.sriov()
        ctrl_off = cap + 8
        if not (reg <= ctrl_off < reg + size):
            return None
        before = le(f.cfg, ctrl_off, 2)
        after = (val >> (8 * (ctrl_off - reg))) & 0xffff
        if before & 1 and not after & 1:
            for vf, pf, idx in self.vfs:
                g = self.funcs.get(vf)
                if g and g.msix:
                    for which in (4, 8):
                        a, n = g.msix_range(which)
                        for gfn, nr in runs(pages(a, n)):
                            self.emit("expect-unmapped 0x%x 0x%x" % (gfn, nr), "unmapped %s msix %s" % (
                                vf, "table" if which == 4 else "pba"))
                            self.counts["unmapped"] += 1
        return before, after

    def vf_msix_pages(self, f):
        """The VFs' MSI-X table and PBA pages, from their config space in
        the VF snapshot: holes in the VF BAR mapping, trapped per VF
        (issue 14)."""
        holes = set()
        for vf, _, idx in self.vfs:
            if not self.vf_snap or vf not in self.vf_snap.devs:
                continue
            cfg = self.vf_snap.devs[vf][1]
            ptr, hops = (cfg[0x34] & 0xfc if len(cfg) > 0x34 else 0), 0
            while ptr >= 0x40 and hops < 48 and ptr + 12 <= len(cfg):
                if cfg[ptr] == 0x11:
                    n = (le(cfg, ptr + 2, 2) & 0x7ff) + 1
                    for which, size in ((4, 16 * n), (8, 8 * ((n + 63) // 64))):
                        v = le(cfg, ptr + which, 4)
                        base, bsize = f.vf_bar(v & 7)
                        if base and bsize:
                            holes |= pages(base + idx * bsize + (v & ~7), size)
                    break
                ptr, hops = cfg[ptr + 1] & 0xfc, hops + 1
        return holes

    def sriov_effects(self, f, before, after):
        cap = f.sriov()
        bus, devfn = int(f.sbdf[5:7], 16), int(f.sbdf[8:10], 16) << 3 | int(f.sbdf[11], 16)
        rid = bus << 8 | devfn
        if not before & 1 and after & 1:
            num = le(f.cfg, cap + 0x10, 2)
            first, stride = le(f.cfg, cap + 0x14, 2), le(f.cfg, cap + 0x16, 2)
            self.vfs = []
            for i in range(num):
                r = rid + first + i * stride
                self.vfs.append((sbdf_str(0, r >> 8, r & 0xff), f, i))
            self.emit("drain")
            for vf, _, _ in self.vfs:
                self.emit("expect-event dev-add %s" % vf, "event dev-add %s" % vf)
            if after & 8:
                holes = self.vf_msix_pages(f)
                for i in sorted(f.vf_sizes):
                    base, size = f.vf_bar(i)
                    if base and size:
                        for gfn, nr in runs(pages(base, size * num) - holes):
                            self.emit("expect-mapped 0x%x 0x%x" % (gfn, nr), "mapped %s vf-bar %d" % (f.sbdf, i))
                            self.counts["mapped"] += 1
        elif before & 1 and not after & 1:
            self.emit("drain")
            # the last VF goes first, as Linux and pvhdev remove them
            for vf, _, _ in reversed(self.vfs):
                self.emit("expect-event dev-remove %s" % vf, "event dev-remove %s" % vf)
            num = len(self.vfs)
            for i in sorted(f.vf_sizes):
                base, size = f.vf_bar(i)
                if base and size:
                    self.emit("expect-unmapped 0x%x 0x%x" % (base >> 12, len(pages(base, size * num))),
                              "unmapped %s vf-bar %d" % (f.sbdf, i))
                    self.counts["unmapped"] += 1

    def cfg_write(self, f, reg, size, val):
        at = len(self.lines) - 1  # the write's own line
        sriov = self.sriov_write(f, reg, size, val) if f.sriov() else None
        if sriov and at != len(self.lines) - 1:
            # the checks of what the VFs had go before the write
            self.lines.append(self.lines.pop(at))
        was_dec = f.decoding()
        old = {i: f.bar_addr(i) for i in f.sizes if f.bar_kind(i) in ("mem32", "mem64")}
        msix_before = f.msix_state() if f.msix else None
        f.write(reg, size, val)
        if sriov:
            self.sriov_effects(f, *sriov)
        # PCIe FLR: the function's state as QEMU resets it
        if f.pcie and reg <= f.pcie + 9 and reg + size > f.pcie + 9 and (val >> (8 * (f.pcie + 9 - reg))) & 0x80:
            f.cfg[f.pcie + 9] &= 0x7f
            self.emit("drain")
            # what a reset does (issue 15): bindings released, entries masked
            for entry in sorted(f.bound):
                self.unbind(f, entry)
            for e in f.entries.values():
                e["mask"] = True
            return
        if f.msix and msix_before != f.msix_state():
            self.msix_ctrl(f, msix_before)
        now_dec = f.decoding()
        bar_write = 0x10 <= reg < 0x10 + 4 * f.nbars
        if reg <= 4 < reg + size or bar_write:
            self.emit("drain")
        if not was_dec and now_dec:
            self.expect_bars(f, True)
        elif was_dec and not now_dec:
            self.expect_bars(f, False, old)
        elif now_dec and bar_write:
            i = (reg - 0x10) // 4
            if f.bar_kind(i) == "mem32" and i in old and old[i] != f.bar_addr(i) and val != 0xffffffff:
                self.expect_bars(f, False, {i: old[i]}, only=i)
                self.expect_bars(f, True, only=i)

    def expect_bars(self, f, mapped, addrs=None, only=None):
        holes = set()
        if f.msix:
            for which in (4, 8):
                holes |= pages(*f.msix_range(which))
        for i, size in sorted(f.sizes.items()):
            if f.bar_kind(i) not in ("mem32", "mem64") or size < 4096:
                continue
            if only is not None and i != only:
                continue
            addr = (addrs or {}).get(i, f.bar_addr(i))
            if not addr:
                continue
            pf = pages(addr, size)
            if mapped:
                for g, n in runs(pf - holes):
                    self.emit("expect-mapped 0x%x 0x%x" % (g, n), "mapped %s bar %d" % (f.sbdf, i))
                    self.counts["mapped"] += 1
            else:
                self.emit("expect-unmapped 0x%x 0x%x" % (addr >> 12, len(pf)), "unmapped %s bar %d" % (f.sbdf, i))
                self.counts["unmapped"] += 1

    # MSI-X
    def msix_owner(self, addr):
        for f in self.funcs.values():
            if not f.msix:
                continue
            for which in (4, 8):
                a, size = f.msix_range(which)
                if a <= addr < a + size and f.bar_addr(f.dword(f.msix + which) & 7):
                    return f, which, addr - a
        return None, None, None

    def msix_access(self, is_write, addr, val, size, name):
        f, which, off = self.msix_owner(addr)
        if not f:
            self.notes.append("%s: %s access at 0x%x: no function's table is there" % (self.name, name, addr))
            return "%s unknown 0x%x" % (name, addr)
        if which == 8:
            return "pba %s 0x%x" % (f.sbdf, off)
        self.touched_msix.add(f.sbdf)
        entry, word = off // 16, off % 16
        e = f.entries.setdefault(entry, {"mask": None, "lo": None, "hi": None, "data": None})
        for k in range(0, size, 4):
            v = (val >> (8 * k)) & 0xffffffff
            key = ["lo", "hi", "data", "mask"][(word + k) // 4 % 4]
            if key != "mask" or not is_write:
                e[key] = v if key != "mask" else bool(v & 1)
                continue
            was_masked, e["mask"] = e["mask"], bool(v & 1)
            bound = f.bound.get(entry)
            if not e["mask"]:
                # docs/interrupts.md, MSI-X rules 1 and 2
                if bound and bound != self.message(e):
                    self.unbind(f, entry)
                    self.bind(f, entry, e)
                elif bound and was_masked:
                    self.emit("expect-event msix-mask %s %d 0" % (f.sbdf, entry), "event msix-mask %s %d" % (f.sbdf, entry))
                elif not bound and self.active(f):
                    self.bind(f, entry, e)
            elif bound and was_masked is False:
                # rule 3
                self.emit("expect-event msix-mask %s %d 1" % (f.sbdf, entry), "event msix-mask %s %d" % (f.sbdf, entry))
        return "msix %s entry %d 0x%x" % (f.sbdf, entry, word)

    def active(self, f):
        enabled, fmask, _ = f.msix_state()
        return enabled and not fmask

    def message(self, e):
        return ((e["hi"] or 0) << 32 | (e["lo"] or 0), e["data"])

    def msix_ctrl(self, f, before):
        en0, fm0, _ = before
        en, fm, _ = f.msix_state()
        self.touched_msix.add(f.sbdf)
        if en0 and not en:
            # rule 6: disabling unbinds every bound entry
            for entry in sorted(f.bound):
                self.unbind(f, entry)
        elif (en and not fm) and not (en0 and not fm0):
            # rule 4: enabling, or clearing the function mask, binds
            for entry in sorted(f.entries):
                e = f.entries[entry]
                if e["mask"] is False and f.bound.get(entry) != self.message(e):
                    if entry in f.bound:
                        self.unbind(f, entry)
                    self.bind(f, entry, e)

    def unbind(self, f, entry):
        del f.bound[entry]
        self.emit("expect-event msix-unbind %s %d" % (f.sbdf, entry), "event msix-unbind %s %d" % (f.sbdf, entry))
        self.counts["unbinds"] += 1

    def bind(self, f, entry, e):
        if e["lo"] is None or e["data"] is None:
            self.notes.append("%s: %s entry %d bound with a message the window did not show" % (self.name, f.sbdf, entry))
            return
        addr, data = self.message(e)
        self.emit("expect-event msix-bind %s %d 0x%x 0x%x dest=0x%x vector=0x%x %s" % (
            f.sbdf, entry, addr, data, (addr >> 12) & 0xff, data & 0xff, DELIVERY[(data >> 8) & 7]),
            "event msix-bind %s %d" % (f.sbdf, entry))
        self.counts["binds"] += 1
        f.bound[entry] = (addr, data)
        f.ever_bound.add(entry)

    # IO-APIC
    def ioapic_access(self, is_write, addr, val):
        for apic_id, base, gsi in self.ioapics:
            if base <= addr < base + 0x100:
                break
        else:
            return "ioapic ? 0x%x" % addr
        off = addr - base
        if off == 0:
            if is_write:
                self.ioregsel[base] = val & 0xff
            return "ioapic %d ioregsel" % apic_id
        if off != 0x10:
            return "ioapic %d 0x%x" % (apic_id, off)
        reg = self.ioregsel.get(base, 0)
        if reg >= 0x10 and reg % 2 == 0 and is_write:
            pin = (reg - 0x10) // 2
            if not val & 0x10000 and gsi + pin not in self.bound_gsis:
                self.bound_gsis.add(gsi + pin)
                self.emit("expect-event gsi-bind %d %s %s" % (
                    gsi + pin, "level" if val & 0x8000 else "edge", "low" if val & 0x2000 else "high"),
                    "event gsi-bind %d" % (gsi + pin))
                self.counts["gsi"] += 1
        if reg < 0x10:
            return "ioapic %d reg 0x%x" % (apic_id, reg)
        return "ioapic %d redir %d %s" % (apic_id, (reg - 0x10) // 2, "high" if reg % 2 else "low")

    def irq_check(self, irqs_after):
        """Every MSI-X vector Linux shows for a function whose MSI-X the
        window touched, and that was bound in the window, is one msix-bind;
        the others are noted."""
        vecs = msi_vectors(irqs_after)
        self.irq_summary = []
        for gsi in sorted(self.bound_gsis):
            shown = [l for l in irqs_after if re.search(r"IO-APIC\s+%d-" % gsi, l)]
            self.irq_summary.append("GSI %d: gsi-bind expected; /proc/interrupts shows %s" % (
                gsi, " ".join(shown[0].split()[3:]) if shown else "nothing"))
        for sbdf in sorted(self.touched_msix):
            f = self.funcs[sbdf]
            shown = sorted(e for (s, e) in vecs if s == sbdf)
            bound = sorted(f.ever_bound)
            self.irq_summary.append("%s: /proc/interrupts shows entries %s; msix-bind expected for %s" % (
                sbdf, " ".join(map(str, shown)) or "none", " ".join(map(str, bound)) or "none"))
            for e in shown:
                if e not in bound and f.msix_state()[0]:
                    self.notes.append("%s: %s entry %d is in /proc/interrupts but no bind was seen" % (self.name, sbdf, e))


def scenario_text(win, waivers, header):
    out = header[:]
    for i, (text, target) in enumerate(win.lines):
        if i in waivers:
            out.append("waive " + waivers[i])
        out.append(text)
    return "\n".join(out) + "\n"


def load_rules(path):
    rules = []
    for n, line in enumerate(open(path), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"(\S+)\s+(.+?)\s+::\s+(.+)$", line)
        if not m:
            raise SystemExit("%s:%d: expected 'SCENARIO-GLOB TARGET-REGEX :: REASON'" % (path, n))
        rules.append((m.group(1), re.compile(m.group(2)), m.group(3), [0]))
    return rules


def replay_failures(pvhdev, out_dir, name):
    """Lines of NAME.scn whose waived expectations failed, with the message."""
    scn = name + ".scn"
    p = subprocess.run([pvhdev, "replay", "--platform", name + ".platform.xml", scn],
                       cwd=out_dir, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("convert: replay of %s failed (%d): %s" % (scn, p.returncode, p.stderr.strip()))
    fails = {}
    for l in p.stdout.splitlines():
        m = re.match(r"(\d+): waived \((.*?)\): (.*)$", l)
        if m:
            fails[int(m.group(1))] = m.group(3)
    return fails, p.stdout


def later_snap(snaps, name):
    """The snapshot taken after window name's (where a plugged function
    shows its read-only bytes), or None."""
    names = list(snaps)
    i = names.index(name) + 1
    while i < len(names) and names[i] == name + "-vfs":
        i += 1
    return snaps[names[i]] if i < len(names) else None


def write_vf_dump(path, before, during):
    """The VFs' config space as QEMU showed it after VF Enable, in lspci
    -xxxx form: a VF template for the fake (issue 15), which cannot take
    it from the snapshot before the window."""
    L = []
    for sbdf in sorted(set(during.devs) - set(before.devs)):
        cfgsize, data = during.devs[sbdf]
        data = data.ljust(cfgsize, b"\0")
        L.append("%s Non-Volatile memory controller: VF of the window's SR-IOV PF, after VF Enable" % sbdf)
        for off in range(0, len(data), 16):
            L.append("%03x: %s" % (off, " ".join("%02x" % b for b in data[off:off + 16])) if off >= 0x100
                     else "%02x: %s" % (off, " ".join("%02x" % b for b in data[off:off + 16])))
        L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


def write_readme(path, report):
    L = ["# Guest scenarios", "",
         "Generated by `bash scripts/guest/regen.sh` (docs/guests.md): do not edit.",
         "Each window of a Linux 6.1 guest on QEMU 7.2 (q35) is a scenario,",
         "`NAME.scn`, replayed on `NAME.platform.xml` (the machine just before",
         "the window) by ctest as `guest.NAME`.  These files are the project's own",
         "output (MIT), made from QEMU's trace of the guest.", "",
         "| scenario | what the guest does | trapped accesses | reads compared | msix-bind | gsi-bind "
         "| mapped / unmapped checks | mismatches (waived) |",
         "|---|---|---|---|---|---|---|---|"]
    reasons = {}
    for name, c, nfail, per_reason in report:
        L.append("| %s | %s | %d | %d | %d | %d | %d / %d | %d |" % (
            name, WHAT.get(name, ""), c["accesses"], c["reads"], c["binds"], c["gsi"],
            c["mapped"], c["unmapped"], nfail))
        for r, n in per_reason.items():
            reasons.setdefault(r, []).append("%s %d" % (name, n))
    L += ["", "`sriov.vfs.lspci` is the VFs' config space as QEMU showed it after VF",
          "Enable (vendor and device IDs read ffff, as the spec has it for VFs):",
          "a VF template for the fake (issue 15): `sriov.platform.xml` carries it as",
          "the PF's `<vf-config>`.",
          "", "Waivers (each mismatch with QEMU's answer, by reason):", ""]
    for r in sorted(reasons):
        L.append("- %s: %s" % (r, ", ".join(reasons[r])))
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--pvhdev", required=True)
    ap.add_argument("--waivers", required=True)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    snaps, names, after = parse_console(os.path.join(args.run, "console.log"))
    traces = parse_trace(os.path.join(args.run, "trace.log"))
    if len(traces) != len(names):
        raise SystemExit("convert: %d windows in the console, %d in the trace" % (len(names), len(traces)))
    rules = load_rules(args.waivers)
    os.makedirs(args.out, exist_ok=True)
    unexplained, notes, report = [], [], []
    pvhdev = os.path.abspath(args.pvhdev)
    for name, acc in zip(names, traces):
        if args.only and name not in args.only:
            continue
        vf_snap = snaps.get(name + "-vfs")
        win = Window(name, snaps[name], acc, after.get(name, []), notes, vf_snap,
                     later_snap(snaps, name))
        if vf_snap:
            write_vf_dump(os.path.join(args.out, name + ".vfs.lspci"), snaps[name], vf_snap)
        with open(os.path.join(args.out, name + ".platform.xml"), "w") as f:
            f.write(platform_xml(snaps[name], name, win.funcs, win.later, vf_snap))
        c = win.counts
        header = [
            "# Guest window '%s': what Linux 6.1 did on QEMU 7.2's q35 machine," % name,
            "# traced by QEMU and replayed here with QEMU's answers as expectations.",
            "# Generated by scripts/guest/regen.sh (docs/guests.md); do not edit.",
            "# machine: platform:%s.platform.xml" % name,
            # (the untrapped accesses, timer and console traffic among them,
            # vary from boot to boot: they are counted on stdout only)
            "# %d trapped accesses (%d reads compared);" % (c["accesses"], c["reads"]),
            "# effects: %d msix-bind, %d msix-unbind, %d gsi-bind, %d expect-mapped, %d expect-unmapped" % (
                c["binds"], c["unbinds"], c["gsi"], c["mapped"], c["unmapped"]),
        ] + ["# " + s for s in win.irq_summary]
        # every expectation waived, to see where pvhdev answers otherwise
        nlines = len(header)
        exp_idx = [i for i, (t, tg) in enumerate(win.lines) if tg is not None]
        probe = {i: "discovery" for i in exp_idx}
        path = os.path.join(args.out, name + ".scn")
        with open(path, "w") as f:
            f.write(scenario_text(win, probe, header))
        fails, _ = replay_failures(pvhdev, args.out, name)
        # scenario line of each line index, with the probe waivers in
        line_of, ln = {}, nlines
        for i in range(len(win.lines)):
            if i in probe:
                ln += 1
            ln += 1 + win.lines[i][0].count("\n")  # a plug line per function
            line_of[ln] = i
        waivers, per_reason = {}, {}
        for ln, msg in sorted(fails.items()):
            i = line_of[ln]
            text, target = win.lines[i]
            key = "%s %s" % (target, msg.split(": ", 1)[-1])
            for glob, rx, reason, used in rules:
                if fnmatch.fnmatch(name, glob) and rx.search(key):
                    waivers[i] = reason
                    used[0] += 1
                    per_reason[reason] = per_reason.get(reason, 0) + 1
                    break
            else:
                waivers[i] = "unexplained"
                unexplained.append("%s.scn: %s: %s" % (name, target, msg))
        header += ["# mismatches with QEMU, each waived: %d" % len(fails)] + [
            "#   %4d  %s" % (n, r) for r, n in sorted(per_reason.items())]
        with open(path, "w") as f:
            f.write(scenario_text(win, waivers, header))
        fails2, _ = replay_failures(pvhdev, args.out, name)
        if len(fails2) != len(fails):
            raise SystemExit("convert: %s: the final replay does not fail where the probe did" % name)
        report.append((name, c, len(fails), per_reason))
    write_readme(os.path.join(args.out, "README.md"), report)
    for name, c, nfail, per_reason in report:
        print("%-10s %5d accesses (%5d untrapped dropped) %5d reads %3d binds %2d gsi %3d mapped "
              "%3d unmapped  %4d mismatches waived" % (name, c["accesses"], c["dropped"], c["reads"], c["binds"],
                                                      c["gsi"], c["mapped"], c["unmapped"], nfail))
    for n in notes:
        print("note: " + n)
    if unexplained:
        for u in unexplained[:200]:
            print("unexplained: " + u, file=sys.stderr)
        raise SystemExit("convert: %d mismatches no rule of %s explains" % (len(unexplained), args.waivers))


if __name__ == "__main__":
    main()
