#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds the fake sysfs trees that tests/test_capture.c and
tests/test_libpci.c read (run from this directory; the output is checked
in).  Each tree mirrors the parts of /sys that pvhdev reads:

  firmware/memmap/N/{start,end,type}     e820, as the kernel exports it
  firmware/acpi/tables/{APIC,MCFG,...}   binary ACPI tables
  firmware/efi/systab                    "ACPI20=0x..." lines
  bus/pci/devices/SBDF/{config,resource,vendor,device,class,irq}
  kmsg                                   a saved dmesg (not under /sys:
                                         the tests pass it as --kmsg)

Trees:
  good            a small two-IO-APIC PC with every file in place
  madt-truncated  APIC's header says more bytes than the file has
  madt-badsig     APIC's signature is "APIX"
  madt-badentry   an MADT entry of length 0 (a naive parser loops)
  madt-badsum     APIC's checksum is off by one (used anyway)
  madt-overrides  LAPIC address override, a GSI override past 24 pins,
                  a duplicate IO-APIC, a short IO-APIC entry
  mcfg-bad        MCFG: bus range reversed, base not 1 MiB aligned,
                  ECAM space and bus numbers shared with an earlier entry,
                  a partial trailing entry; FACP shorter than its header
  memmap-bad      e820: unknown type, end < start, not a number,
                  overlap, an entry without its type file
  unreadable      directories where APIC, MCFG and a memmap file should
                  be (read() fails with EISDIR; root ignores file modes)
  kmsg-odd        /dev/kmsg-style records, a length that disagrees with
                  sysfs, a virtual address, no IOAPIC lines
  pci-bad         functions with 64 config bytes (what non-root reads),
                  all-ones config, an empty config file, sizes that no
                  BAR of that kind can have, a VF-like BAR
  pci-broken      a function without its vendor file (libpci's error)
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(tree, rel, data, mode=0o644):
    path = os.path.join(HERE, tree, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)


# ---- ACPI ----

def acpi_table(sig, body, rev=1, fix_sum=True, oem_table=b"PVHDEVTB"):
    length = 36 + len(body)
    hdr = sig + struct.pack("<IBB", length, rev, 0) + b"PVHDEV" + oem_table
    hdr += struct.pack("<I", 1) + b"PVHD" + struct.pack("<I", 1)
    t = bytearray(hdr + body)
    if fix_sum:
        t[9] = (-sum(t)) & 0xff
    return t


def madt(lapic=0xfee00000, entries=b"", **kw):
    return acpi_table(b"APIC", struct.pack("<II", lapic, 1) + entries, rev=4,
                      **kw)


def madt_lapic(proc, apic):
    return struct.pack("<BBBBI", 0, 8, proc, apic, 1)


def madt_ioapic(ioid, addr, gsi):
    return struct.pack("<BBBBII", 1, 12, ioid, 0, addr, gsi)


def madt_iso(src, gsi, flags=0):
    return struct.pack("<BBBBIH", 2, 10, 0, src, gsi, flags)


def madt_nmi():
    return struct.pack("<BBBHB", 4, 6, 0xff, 5, 1)


def madt_lapic_override(addr):
    return struct.pack("<BBHQ", 5, 12, 0, addr)


def mcfg(entries, extra=b"", **kw):
    body = b"\0" * 8
    for base, seg, start, end in entries:
        body += struct.pack("<QHBBI", base, seg, start, end, 0)
    return acpi_table(b"MCFG", body + extra, **kw)


def fadt(facs, dsdt, x_facs=0, x_dsdt=0):
    body = bytearray(276 - 36)
    struct.pack_into("<II", body, 0, facs, dsdt)          # +36, +40
    struct.pack_into("<QQ", body, 132 - 36, x_facs, x_dsdt)
    return acpi_table(b"FACP", bytes(body), rev=6)


GOOD_MADT = madt(entries=madt_lapic(0, 0) + madt_lapic(1, 2) +
                 madt_ioapic(8, 0xfec00000, 0) +
                 madt_ioapic(9, 0xfec01000, 24) +
                 madt_iso(0, 2) + madt_iso(9, 9, 0xd) + madt_nmi())
GOOD_MCFG = mcfg([(0xe0000000, 0, 0, 255), (0xf0000000, 1, 0, 15)])
GOOD_FADT = fadt(0x7feff000, 0x7fee0400, 0, 0x7fee0400)

# signature, address, bytes (or a length for filler tables)
GOOD_TABLES = [
    ("FACP", 0x7fee0200, GOOD_FADT),
    ("DSDT", 0x7fee0400, acpi_table(b"DSDT", b"\x10" * (512 - 36), rev=2)),
    ("FACS", 0x7feff000, b"FACS" + struct.pack("<I", 64) + b"\0" * 56),
    ("APIC", 0x7fee0320, GOOD_MADT),
    ("MCFG", 0x7fee0390, GOOD_MCFG),
    ("SSDT1", 0x7fee1400, acpi_table(b"SSDT", b"\x5b" * (128 - 36), rev=2)),
    ("SSDT2", 0x7fee1500, acpi_table(b"SSDT", b"\x5c" * (64 - 36), rev=2)),
    ("HPET", None, acpi_table(b"HPET", b"\0" * 20)),  # not in the log
]


def dmesg_tables(tables, fmt="[    0.00%04d] %s\n"):
    lines = ["ACPI: Early table checksum verification disabled",
             "ACPI: RSDP 0x000000007FEFE014 000024 (v02 PVHDEV)",
             "ACPI: XSDT 0x000000007FEE0100 00005C (v01 PVHDEV PVHDEVTB "
             "00000001 PVHD 00000001)"]
    for name, addr, data in tables:
        if addr is None:
            continue
        lines.append("ACPI: %s 0x%016X %06X (v%02d PVHDEV PVHDEVTB 00000001 "
                     "PVHD 00000001)" % (name[:4], addr, len(data), 1))
    for name, addr, data in tables:
        if addr is not None and name[:4] != "FACS":
            lines.append("ACPI: Reserving %s table memory at [mem 0x%x-0x%x]"
                         % (name[:4], addr, addr + len(data) - 1))
    return "".join(fmt % (i, l) for i, l in enumerate(lines))


GOOD_E820 = [
    (0x0, 0x9efff, "System RAM"),
    (0x9f000, 0xfffff, "Reserved"),
    (0x100000, 0x7fedffff, "System RAM"),
    (0x7fee0000, 0x7fefefff, "ACPI Tables"),
    (0x7feff000, 0x7fefffff, "ACPI Non-volatile Storage"),
    (0x7ff00000, 0x7fffffff, "Reserved"),
    (0xe0000000, 0xefffffff, "Reserved"),
    (0xfec00000, 0xfec01fff, "Reserved"),
    (0xfee00000, 0xfee00fff, "Reserved"),
    (0xff000000, 0xffffffff, "Reserved"),
    (0x100000000, 0x27fffffff, "System RAM"),
]


def memmap_order(n):
    """Entry i of the list is written as directory memmap_order(n).index(i):
    the kernel numbers entries in the firmware's order; shuffling the
    numbering a little makes the reader sort."""
    order = list(range(n))
    return order[1::2] + order[0::2]


def memmap(tree, entries):
    order = memmap_order(len(entries))
    for n, i in enumerate(order):
        start, end, typ = entries[i]
        write(tree, "firmware/memmap/%d/start" % n, "0x%x\n" % start)
        write(tree, "firmware/memmap/%d/end" % n, "0x%x\n" % end)
        write(tree, "firmware/memmap/%d/type" % n, typ + "\n")


def tables(tree, tabs):
    for name, _, data in tabs:
        write(tree, "firmware/acpi/tables/" + name, bytes(data))


# ---- PCI ----

def cfg(vendor, device, cls, rev=0, hdr=0, size=256, cmd=0x0006,
        status=0x0010, bars=(), rom=0, cap=0, extra=()):
    c = bytearray(size)
    struct.pack_into("<HHHH", c, 0, vendor, device, cmd, status)
    struct.pack_into("<I", c, 8, (cls << 8) | rev)
    c[0x0e] = hdr
    for i, v in bars:
        struct.pack_into("<I", c, 0x10 + 4 * i, v)
    if rom:
        struct.pack_into("<I", c, 0x30 if hdr == 0 else 0x38, rom)
    c[0x34] = cap
    for off, data in extra:
        c[off:off + len(data)] = data
    return bytes(c)


IORESOURCE_IO, IORESOURCE_MEM = 0x100, 0x200
IORESOURCE_PREFETCH, IORESOURCE_MEM_64 = 0x2000, 0x100000


def resource(regions):
    """regions: index -> (start, size, flags); 13 lines as the kernel
    prints them (6 BARs, ROM, 6 bridge / IOV windows)."""
    out = ""
    for i in range(13):
        if i in regions:
            start, size, flags = regions[i]
            out += "0x%016x 0x%016x 0x%016x\n" % (start, start + size - 1, flags)
        else:
            out += "0x%016x 0x%016x 0x%016x\n" % (0, 0, 0)
    return out


def pci(tree, sbdf, config, regions=None, skip=(), irq=0):
    d = "bus/pci/devices/" + sbdf + "/"
    vendor, device = struct.unpack_from("<HH", config.ljust(4, b"\xff"), 0)
    cls = int.from_bytes(config[9:12], "little") if len(config) >= 12 else 0xffffff
    files = {
        "config": config,
        "vendor": "0x%04x\n" % vendor,
        "device": "0x%04x\n" % device,
        "class": "0x%06x\n" % cls,
        "irq": "%d\n" % irq,
        "resource": resource(regions or {}),
    }
    for name, data in files.items():
        if name not in skip:
            write(tree, d + name, data)


PCIE_CAP = bytes([0x10, 0x00, 0x02, 0x00]) + b"\0" * 56  # PCIe v2 endpoint
MSIX_CAP = bytes([0x11, 0xe0, 0x03, 0x00]) + struct.pack("<II", 0x0, 0x800)
AER_EXT = struct.pack("<I", 0x00010001)  # AER, version 1, next 0


def good_pci(tree):
    pci(tree, "0000:00:00.0", cfg(0x8086, 0x29c0, 0x060000, rev=2, cmd=0))
    pci(tree, "0000:00:02.0",
        cfg(0x1234, 0x1111, 0x030000, rev=2, cmd=0x0003,
            bars=[(0, 0xfd000008), (2, 0xfebf0000)], rom=0xfebe0000),
        {0: (0xfd000000, 16 << 20, IORESOURCE_MEM | IORESOURCE_PREFETCH | 0x8),
         2: (0xfebf0000, 4096, IORESOURCE_MEM),
         6: (0xfebe0000, 64 << 10, IORESOURCE_MEM | 0x4000)}, irq=11)
    pci(tree, "0000:00:03.0",
        cfg(0x8086, 0x10d3, 0x020000, size=4096, cmd=0x0407, cap=0x40,
            bars=[(0, 0xfeb80000), (2, 0x0000c001), (3, 0x0000000c),
                  (4, 0x00000008)],
            extra=[(0x40, MSIX_CAP[:1] + b"\xa0" + MSIX_CAP[2:]),
                   (0xa0, PCIE_CAP), (0x100, AER_EXT)]),
        {0: (0xfeb80000, 128 << 10, IORESOURCE_MEM),
         2: (0xc000, 32, IORESOURCE_IO | 0x1),
         3: (0x800000000, 16 << 10,
             IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64 | 0xc)},
        irq=10)
    pci(tree, "0000:00:1c.0",
        cfg(0x8086, 0x2940, 0x060400, hdr=0x01, cmd=0x0007,
            extra=[(0x18, bytes([0, 1, 1, 0]))]))
    pci(tree, "0000:00:1f.3",
        cfg(0x8086, 0x2930, 0x0c0500, rev=2, cmd=0x0001,
            bars=[(4, 0x00000701)]),
        {4: (0x700, 64, IORESOURCE_IO | 0x1)}, irq=9)
    pci(tree, "0000:01:00.0",
        cfg(0x10ec, 0x8168, 0x020000, rev=6, cmd=0x0006,
            bars=[(0, 0x00000004), (1, 0x00000001)]),
        {0: (0x100000000, 1 << 20, IORESOURCE_MEM | IORESOURCE_MEM_64 | 0x4)})
    pci(tree, "0001:00:00.0", cfg(0x1b36, 0x0008, 0x060000))


def pci_bad(tree):
    full = cfg(0x8086, 0x1533, 0x020000, cap=0x40, bars=[(0, 0xfe000000)])
    pci(tree, "0000:00:01.0", full[:64],
        {0: (0xfe000000, 128 << 10, IORESOURCE_MEM)})
    pci(tree, "0000:00:02.0", b"\xff" * 256)
    pci(tree, "0000:00:03.0",
        cfg(0x8086, 0x1234, 0x088000,
            bars=[(0, 0xfe100000), (5, 0x00000004)], rom=0xfe200000),
        {0: (0xfe100000, 0x3000, IORESOURCE_MEM),
         5: (0xfe300000, 0x1000, IORESOURCE_MEM | IORESOURCE_MEM_64),
         6: (0xfe200000, 0x100, IORESOURCE_MEM)})
    pci(tree, "0000:00:04.0", cfg(0x8086, 0x10ed, 0x020000),
        {0: (0xfe400000, 0x4000, IORESOURCE_MEM)})
    pci(tree, "0000:00:06.0", b"")


def build():
    for t in os.listdir(HERE):
        if os.path.isdir(os.path.join(HERE, t)):
            shutil.rmtree(os.path.join(HERE, t))

    # good: everything in place
    memmap("good", GOOD_E820)
    tables("good", GOOD_TABLES)
    write("good", "firmware/efi/systab",
          "ACPI20=0x7fefe014\nACPI=0x7fefe000\nSMBIOS=0x7fd3f000\n")
    write("good", "kmsg", dmesg_tables(GOOD_TABLES) +
          "[    0.100000] IOAPIC[0]: apic_id 8, version 32, address "
          "0xfec00000, GSI 0-23\n"
          "[    0.100001] IOAPIC[1]: apic_id 9, version 32, address "
          "0xfec01000, GSI 24-55\n"
          "[    1.000000] ACPI: Dynamic OEM Table Load:\n"
          "[    1.000001] ACPI: SSDT 0xFFFF888003A5C000 0001B4 (v02 PVHDEV "
          "DYNAMIC 00003000 INTL 20200925)\n")
    good_pci("good")

    def madt_tree(tree, data):
        memmap(tree, GOOD_E820[:3])
        write(tree, "firmware/acpi/tables/APIC", bytes(data))

    madt_tree("madt-truncated", GOOD_MADT[:50])
    bad = bytearray(GOOD_MADT)
    bad[3:4] = b"X"
    madt_tree("madt-badsig", bad)
    madt_tree("madt-badentry",
              madt(entries=madt_ioapic(2, 0xfec00000, 0) +
                   struct.pack("<BB", 0, 0) + madt_lapic(0, 0)))
    bad = bytearray(GOOD_MADT)
    bad[9] = (bad[9] + 1) & 0xff
    madt_tree("madt-badsum", bad)
    madt_tree("madt-overrides",
              madt(entries=madt_ioapic(1, 0xfec00000, 0) +
                   madt_ioapic(2, 0xfec10000, 24) +
                   madt_ioapic(2, 0xfec20000, 48) +
                   struct.pack("<BBBB", 1, 8, 3, 0) + b"\0" * 4 +
                   madt_iso(0, 2) + madt_iso(14, 60, 0xf) +
                   madt_lapic_override(0xfee10000)))

    memmap("mcfg-bad", GOOD_E820[:3])
    write("mcfg-bad", "firmware/acpi/tables/MCFG",
          bytes(mcfg([(0xe0000000, 0, 0, 63), (0xe0000000, 1, 9, 3),
                      (0xe0080000, 2, 0, 0), (0xe0000000, 3, 10, 20),
                      (0xf0000000, 0, 32, 40), (0xf0000000, 4, 0, 0)],
                     extra=b"\x01" * 7)))
    write("mcfg-bad", "firmware/acpi/tables/FACP", b"FACP\x14\0\0\0")

    memmap("memmap-bad", GOOD_E820[:3] + [
        (0x100000000, 0x17fffffff, "Weird Memory"),
        (0x200000000, 0x1ffffffff, "System RAM"),
        (0x300000000, 0x37fffffff, "System RAM"),
        (0x200000, 0x2fffff, "Reserved"),
        (0x400000000, 0x47fffffff, "System RAM"),
        (0x500000000, 0x57fffffff, "System RAM")])
    order = memmap_order(9)
    write("memmap-bad", "firmware/memmap/%d/start" % order.index(7), "zz\n")
    os.remove(os.path.join(HERE, "memmap-bad/firmware/memmap/%d/type"
                           % order.index(8)))

    memmap("unreadable", GOOD_E820[:3])
    os.remove(os.path.join(HERE, "unreadable/firmware/memmap/1/end"))
    write("unreadable", "firmware/memmap/1/end/README", "a directory\n")
    write("unreadable", "firmware/acpi/tables/APIC/README", "a directory\n")
    write("unreadable", "firmware/acpi/tables/MCFG/README", "a directory\n")

    memmap("kmsg-odd", GOOD_E820)
    tables("kmsg-odd", GOOD_TABLES)
    write("kmsg-odd", "kmsg",
          "6,1,0,-;ACPI: RSDP 0x00000000000F0490 000014 (v00 PVHDEV)\n"
          "6,2,0,-;ACPI: RSDT 0x000000007FEE0000 000034 (v01 PVHDEV)\n"
          "6,3,0,-;ACPI: FACP 0x000000007FEE0200 000100 (v01 PVHDEV)\n"
          "6,4,0,-;ACPI: DSDT 0x000000007FEE0800 000200 (v01 PVHDEV)\n"
          "6,5,0,-;ACPI: APIC 0xFFFF88807FEE0320 00006E (v04 PVHDEV)\n"
          "6,6,0,-;ACPI: SSDT 0x000000007FEE1400 000080 (v02 PVHDEV)\n"
          "6,7,0,-;ACPI: MCFG 0x000000007FEE0390 00004C (v01 PVHDEV)\n"
          " SUBSYSTEM=acpi\n")

    pci_bad("pci-bad")
    pci("pci-broken", "0000:00:00.0", cfg(0x8086, 0x29c0, 0x060000))
    pci("pci-broken", "0000:00:05.0", cfg(0x8086, 0x29c4, 0x078000),
        skip=("vendor",))


if __name__ == "__main__":
    build()
