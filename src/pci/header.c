/* SPDX-License-Identifier: MIT */
/*
 * The PCI header facts (src/pci/header.h says which), once.  Everything
 * that knows where a BAR is, what kind it is, how big it may be or how
 * the capability list ends asks here.
 */
#include "pci/header.h"

#include <stddef.h>

static const struct pvhdev__pci_layout layouts[] = {
	[PVHDEV_PCI_HEADER_TYPE_NORMAL] = { 6, 6, PVHDEV_PCI_ROM_ADDRESS,
	                                    PVHDEV_PCI_CAPABILITY_LIST },
	[PVHDEV_PCI_HEADER_TYPE_BRIDGE] = { 2, 2, PVHDEV_PCI_ROM_ADDRESS1,
	                                    PVHDEV_PCI_CAPABILITY_LIST },
	/* Its socket base at 0x10 is not a BAR pvhdev maps. */
	[PVHDEV_PCI_HEADER_TYPE_CARDBUS] = { 0, 1, 0, PVHDEV_PCI_CB_CAPABILITY_LIST },
};
static const struct pvhdev__pci_layout reserved_layout = { 0, 0, 0, 0 };

const struct pvhdev__pci_layout *pvhdev__pci_layout(unsigned hdr_type)
{
	return hdr_type < sizeof(layouts) / sizeof(layouts[0]) ? &layouts[hdr_type]
	                                                        : &reserved_layout;
}

/* ---- BARs ---- */

enum pvhdev__pci_bar_kind pvhdev__pci_bar_kind(uint32_t lo)
{
	if (lo & PVHDEV_PCI_BASE_ADDRESS_SPACE_IO)
		return PVHDEV__PCI_BAR_IO;
	if ((lo & PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
	    PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_64)
		return PVHDEV__PCI_BAR_MEM64;
	return PVHDEV__PCI_BAR_MEM32;
}

uint64_t pvhdev__pci_bar_addr(uint32_t lo, uint32_t hi)
{
	uint32_t flags = lo & PVHDEV_PCI_BASE_ADDRESS_SPACE_IO ?
	                 PVHDEV_PCI_BASE_ADDRESS_IO_FLAGS : PVHDEV_PCI_BASE_ADDRESS_MEM_FLAGS;

	return (uint64_t)hi << 32 | (lo & ~flags);
}

uint64_t pvhdev__pci_bar_size_min(enum pvhdev__pci_bar_kind kind)
{
	switch (kind) {
	case PVHDEV__PCI_BAR_IO:
		return PVHDEV_PCI_BASE_ADDRESS_IO_FLAGS + 1;
	case PVHDEV__PCI_BAR_ROM:
		return PVHDEV_PCI_ROM_ADDRESS_FLAGS + 1;
	default:
		return PVHDEV_PCI_BASE_ADDRESS_MEM_FLAGS + 1;
	}
}

uint64_t pvhdev__pci_bar_size_max(enum pvhdev__pci_bar_kind kind)
{
	return kind == PVHDEV__PCI_BAR_MEM64 ? PVHDEV_PCI_BAR_MAX64
	                                     : PVHDEV_PCI_BAR_MAX32;
}

const char *pvhdev__pci_bar_size_refusal(enum pvhdev__pci_bar_kind kind,
                                         uint64_t size)
{
	if (!size || (size & (size - 1)))
		return "not a power of two";
	if (size < pvhdev__pci_bar_size_min(kind))
		return kind == PVHDEV__PCI_BAR_ROM ?
		       "smaller than the ROM's address bits allow" :
		       "smaller than the BAR's flag bits allow";
	if (size > pvhdev__pci_bar_size_max(kind))
		return kind == PVHDEV__PCI_BAR_ROM ? "larger than 2 GiB in a ROM" :
		       "larger than 2 GiB in a 32-bit BAR";
	return NULL;
}

int pvhdev__pci_bar_probe(const struct pvhdev__pci_cfg *cfg, unsigned reg,
                          uint32_t ones, uint32_t *orig, uint32_t *sized)
{
	int rc = cfg->read(cfg->ctx, reg, 4, orig);

	if (!rc)
		rc = cfg->write(cfg->ctx, reg, 4, ones);
	if (!rc)
		rc = cfg->read(cfg->ctx, reg, 4, sized);
	if (!rc)
		rc = cfg->write(cfg->ctx, reg, 4, *orig);
	return rc;
}

/*
 * The writable address bits read back as ones, the rest as zeros:
 * size = ~mask + 1 over the register's width.  A 32-bit memory BAR
 * decodes below 4 GiB, so its mask extends with ones.
 */
uint64_t pvhdev__pci_bar_size(enum pvhdev__pci_bar_kind kind, uint32_t lo,
                              uint32_t hi)
{
	uint64_t mask;

	switch (kind) {
	case PVHDEV__PCI_BAR_IO:
		mask = lo & ~PVHDEV_PCI_BASE_ADDRESS_IO_FLAGS;
		if (!(mask & 0xffff0000u))
			mask |= 0xffff0000u;
		return (uint32_t)(~mask + 1);
	case PVHDEV__PCI_BAR_ROM:
		mask = lo & ~PVHDEV_PCI_ROM_ADDRESS_FLAGS;
		return mask ? (uint32_t)(~mask + 1) : 0;
	case PVHDEV__PCI_BAR_MEM64:
		mask = (uint64_t)hi << 32 | (lo & ~PVHDEV_PCI_BASE_ADDRESS_MEM_FLAGS);
		break;
	default:
		mask = lo & ~PVHDEV_PCI_BASE_ADDRESS_MEM_FLAGS;
		if (mask)
			mask |= 0xffffffff00000000ull;
		break;
	}
	return mask ? ~mask + 1 : 0;
}

/* ---- The legacy capability list ---- */

int pvhdev__pci_caps_walk(const struct pvhdev__pci_cfg *cfg,
                          const struct pvhdev__pci_layout *l,
                          int (*visit)(void *ctx, unsigned off, uint8_t id),
                          void *ctx, enum pvhdev__pci_walk_end *end, unsigned *at)
{
	unsigned cap_ptr = l->cap_ptr;
	uint64_t seen = 0; /* one bit per dword of 0x40..0xff */
	uint32_t ptr, hdr;
	int rc;

	*end = PVHDEV__PCI_WALK_DONE;
	*at = 0;
	if (!cap_ptr)
		return 0;
	rc = cfg->read(cfg->ctx, cap_ptr, 1, &ptr);
	for (unsigned hops = 0; !rc && (ptr &= PVHDEV_PCI_CAP_PTR_MASK); hops++) {
		unsigned bit = (ptr - PVHDEV_PCI_CAP_PTR_MIN) / 4;
		*at = ptr;
		if (ptr < PVHDEV_PCI_CAP_PTR_MIN)
			return *end = PVHDEV__PCI_WALK_HEADER, 0;
		if (hops == PVHDEV_PCI_CAP_HOPS || (seen >> bit & 1))
			return *end = PVHDEV__PCI_WALK_LOOP, 0;
		seen |= (uint64_t)1 << bit;
		rc = cfg->read(cfg->ctx, ptr, 2, &hdr);
		if (!rc)
			rc = visit(ctx, ptr, (uint8_t)hdr);
		if (rc)
			return rc < 0 ? rc : 0;
		ptr = hdr >> 8;
	}
	return rc;
}
