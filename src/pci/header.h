/* SPDX-License-Identifier: MIT */
/*
 * src/pci's private header: what the config header of a PCI function
 * says, written once for the core, the fake backend and the host code
 * (dump loader, platform files, libpci backend):
 *
 *   - where each header type keeps its BARs, ROM and capability pointer
 *   - what a BAR register's low bits make it, and its address
 *   - which sizes a BAR or ROM can have (and why not)
 *   - what a size probe (all-ones, read back) says about the size
 *   - the legacy capability list, walked with the 48-hop bound
 *
 * Freestanding (the core links it): no libc.  Register names are in
 * src/pci/regs.h.
 */
#ifndef PVHDEV_PCI_HEADER_H
#define PVHDEV_PCI_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "pci/regs.h"

#define PVHDEV_PCI_NR_BARS 6          /* most BARs a header has (type 0) */
/* Legacy capability list: at most one capability per dword of 0x40..0xff. */
#define PVHDEV_PCI_CAP_HOPS 48
#define PVHDEV_PCI_BAR_MAX32 0x80000000ull /* largest 32-bit BAR or ROM, bytes */
#define PVHDEV_PCI_BAR_MAX64 (1ull << 63)  /* largest 64-bit BAR, bytes */
#define PVHDEV_PCI_IO_MAX 256u  /* largest IO BAR PCI 3.0 allows, bytes (6.2.5.1) */

/* CONFIG_ADDRESS, port 0xCF8 (PCI Local Bus 3.0, 3.2.2.3.2): enable
 * 31, bus 23:16, device 15:11, function 10:8, register 7:2; segment 0
 * and the first 256 bytes only. */
#define PVHDEV_PCI_CF8_ENABLE 0x80000000u
static inline uint32_t pvhdev__pci_cf8_bdf(uint32_t cf8)
{
	return cf8 >> 8 & 0xffff; /* as an SBDF's low 16 bits */
}
static inline unsigned pvhdev__pci_cf8_reg(uint32_t cf8)
{
	return cf8 & 0xfc;
}

/* Where a header type keeps its registers (PCI Local Bus 3.0 6.2, 6.2.5;
 * PCI-to-PCI Bridge 1.2 3.2; PC Card 16.7 for CardBus). */
struct pvhdev__pci_layout {
	uint8_t nr_bars;      /* BARs from 0x10 that pvhdev sizes and maps */
	uint8_t nr_base_regs; /* base registers from 0x10 lspci prints and
	                       * sizes: the BARs, and CardBus' socket base */
	uint8_t rom;          /* offset of the expansion ROM register; 0: none */
	uint8_t cap_ptr;      /* offset of the capabilities pointer; 0: none */
};

/* The layout of header type hdr_type (bits 6:0 of the header type
 * register); reserved types (3-127) have nothing. */
const struct pvhdev__pci_layout *pvhdev__pci_layout(unsigned hdr_type);

/* What a BAR register's low bits make it (reserved memory types, 0b01
 * "below 1 MiB" and 0b11, count as 32-bit).  ROM is the expansion ROM,
 * for size limits. */
enum pvhdev__pci_bar_kind {
	PVHDEV__PCI_BAR_IO,
	PVHDEV__PCI_BAR_MEM32,
	PVHDEV__PCI_BAR_MEM64, /* the next register holds bits 63:32 */
	PVHDEV__PCI_BAR_ROM,
};

enum pvhdev__pci_bar_kind pvhdev__pci_bar_kind(uint32_t lo);
/* The address bits of a BAR's low and high dword (hi: 0 unless 64-bit),
 * bytes. */
uint64_t pvhdev__pci_bar_addr(uint32_t lo, uint32_t hi);

/* Smallest and largest size a BAR of this kind can have, bytes: the
 * flag bits bound it from below, the register's width from above. */
uint64_t pvhdev__pci_bar_size_min(enum pvhdev__pci_bar_kind kind);
uint64_t pvhdev__pci_bar_size_max(enum pvhdev__pci_bar_kind kind);
/* Why a BAR of this kind cannot have size bytes, or NULL when it can:
 * a power of two between the two bounds. */
const char *pvhdev__pci_bar_size_refusal(enum pvhdev__pci_bar_kind kind,
                                         uint64_t size);

/* Config space as a caller reaches it: the core through its logged
 * hardware access, the host code over a byte array.  write may be NULL
 * where nothing is written (the capability walk). */
struct pvhdev__pci_cfg {
	int (*read)(void *ctx, unsigned off, unsigned size, uint32_t *val);
	int (*write)(void *ctx, unsigned off, unsigned size, uint32_t val);
	void *ctx;
};

/* Writes ones to the 32-bit register at reg, reads it back, restores
 * it: what Linux does to size a BAR (ones keeps the ROM enable bit
 * clear).  Stops at the first access that fails. */
int pvhdev__pci_bar_probe(const struct pvhdev__pci_cfg *cfg, unsigned reg,
                          uint32_t ones, uint32_t *orig, uint32_t *sized);
/* The size, bytes, a probe read back (lo, and hi for the high half of a
 * 64-bit BAR); 0: nothing decodes.  An IO BAR without bits 31:16 is a
 * 16-bit decoder. */
uint64_t pvhdev__pci_bar_size(enum pvhdev__pci_bar_kind kind, uint32_t lo,
                              uint32_t hi);

/* How a capability walk ended. */
enum pvhdev__pci_walk_end {
	PVHDEV__PCI_WALK_DONE,   /* a null pointer, or visit() said stop */
	PVHDEV__PCI_WALK_HEADER, /* a pointer into the header (below 0x40) */
	PVHDEV__PCI_WALK_LOOP,   /* a capability seen before, or 48 hops */
};

/*
 * The legacy capability list of a header laid out as l, from its
 * capabilities pointer (read 1 byte), each entry's ID and next pointer
 * read as 2 bytes at the entry.  visit(ctx, off, id) sees each entry in
 * list order, each offset once: 0 goes on, > 0 stops, < 0 stops and is
 * returned.  *end (and *at, the pointer that ended it) say why a list
 * ended that the caller may want to log.  Returns 0 or the first error
 * of a read or of visit.
 */
int pvhdev__pci_caps_walk(const struct pvhdev__pci_cfg *cfg,
                          const struct pvhdev__pci_layout *l,
                          int (*visit)(void *ctx, unsigned off, uint8_t id),
                          void *ctx, enum pvhdev__pci_walk_end *end, unsigned *at);

#endif
