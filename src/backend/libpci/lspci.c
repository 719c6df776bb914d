/* SPDX-License-Identifier: MIT */
/*
 * The libpci backend's snapshot as a dump: `lspci -vv`'s device line,
 * regions, expansion ROM and `-xxxx` hex rows, one function after
 * another, as the dump backend (src/backend/dump) loads them back
 * (pvhdev_lspci_write, pvhdev_libpci_write_dump; docs/host.md).
 */
#include "backend/libpci/libpci.h"

/* ---- The dump writer ---- */

/* Bytes as lspci's show_size() prints them: 512, 4K, 512K, 16M, 2G. */
static void put_size(FILE *f, uint64_t bytes)
{
	static const char *const units[] = { "", "K", "M", "G", "T" };
	unsigned u = 0;

	while (u < 4 && bytes && !(bytes % 1024)) {
		bytes /= 1024;
		u++;
	}
	fprintf(f, " [size=%llu%s]\n", (unsigned long long)bytes, units[u]);
}

/* "\tRegion N: ..." as `lspci -vv` prints it; returns slots used. */
static unsigned put_bar(FILE *f, const struct pvhdev_fake_dev *d, unsigned i,
                        unsigned nr)
{
	static const char *const types[] = { "32-bit", "low-1M", "64-bit",
	                                     "type 3" };
	uint32_t lo = cfg_dword(d, PVHDEV_PCI_BASE_ADDRESS(i));
	uint32_t cmd = cfg_dword(d, PVHDEV_PCI_COMMAND);
	enum pvhdev__pci_bar_kind kind = pvhdev__pci_bar_kind(lo);
	bool is64 = kind == PVHDEV__PCI_BAR_MEM64 && i + 1 < nr;
	uint64_t addr = pvhdev__pci_bar_addr(lo, 0);

	fprintf(f, "\tRegion %u: ", i);
	if (kind == PVHDEV__PCI_BAR_IO) {
		fprintf(f, addr ? "I/O ports at %04llx" : "I/O ports at <unassigned>",
		        (unsigned long long)addr);
		fputs(cmd & PVHDEV_PCI_COMMAND_IO ? "" : " [disabled]", f);
		put_size(f, d->bar_size[i]);
		return 1;
	}
	if (is64)
		addr = pvhdev__pci_bar_addr(lo, cfg_dword(d, PVHDEV_PCI_BASE_ADDRESS(i + 1)));
	fprintf(f, addr ? "Memory at %08llx" : "Memory at <unassigned>",
	        (unsigned long long)addr);
	fprintf(f, " (%s, %sprefetchable)%s",
	        types[(lo & PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_MASK) >> 1],
	        lo & PVHDEV_PCI_BASE_ADDRESS_MEM_PREFETCH ? "" : "non-",
	        cmd & PVHDEV_PCI_COMMAND_MEMORY ? "" : " [disabled]");
	put_size(f, d->bar_size[i]);
	return is64 ? 2 : 1;
}

static void put_rom(FILE *f, const struct pvhdev_fake_dev *d, unsigned off)
{
	uint32_t rom = cfg_dword(d, off);
	uint32_t addr = rom & ~PVHDEV_PCI_ROM_ADDRESS_FLAGS;

	fprintf(f, addr ? "\tExpansion ROM at %08x" :
	        "\tExpansion ROM at <unassigned>", (unsigned)addr);
	fputs(rom & PVHDEV_PCI_ROM_ADDRESS_ENABLE ? "" : " [disabled]", f);
	put_size(f, d->rom_size);
}

/* lspci -n's device line: "ssss:bb:dd.f CCCC: VVVV:DDDD (rev RR)". */
static void put_head(FILE *f, const struct pvhdev_fake_dev *d)
{
	char name[PVHDEV_SBDF_STRLEN];
	uint32_t id = cfg_dword(d, PVHDEV_PCI_VENDOR_ID);
	uint32_t cls = cfg_dword(d, PVHDEV_PCI_CLASS_REVISION);

	fprintf(f, "%s %04x: %04x:%04x", pvhdev_sbdf_str(d->sbdf, name),
	        (unsigned)(cls >> 16), (unsigned)(id & 0xffff),
	        (unsigned)(id >> 16));
	if (cls & 0xff)
		fprintf(f, " (rev %02x)", (unsigned)(cls & 0xff));
	if ((cls >> 8) & 0xff)
		fprintf(f, " (prog-if %02x)", (unsigned)((cls >> 8) & 0xff));
	fputc('\n', f);
}

static void put_fn(FILE *f, const struct pvhdev_fake_dev *d)
{
	const struct pvhdev__pci_layout *l = pvhdev__pci_layout(hdr_type(d));

	put_head(f, d);
	for (unsigned i = 0; i < l->nr_bars;)
		i += d->bar_size[i] ? put_bar(f, d, i, l->nr_bars) : 1;
	if (d->rom_size && l->rom)
		put_rom(f, d, l->rom);
	/* Whole 16-byte rows only: libpci refuses a short row. */
	for (unsigned off = 0; off + 16 <= d->cfg_len; off += 16) {
		fprintf(f, "%02x:", off);
		for (unsigned k = 0; k < 16; k++)
			fprintf(f, " %02x", d->cfg[off + k]);
		fputc('\n', f);
	}
	fputc('\n', f);
}

int pvhdev_lspci_write(FILE *f, const struct pvhdev_fake_dev *devs, size_t n)
{
	if (!f || (n && !devs))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		put_fn(f, &devs[i]);
	return ferror(f) ? -EIO : 0;
}
