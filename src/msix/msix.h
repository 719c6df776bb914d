/* SPDX-License-Identifier: MIT */
/*
 * src/msix's private header: the MSI-X capability (PCI Local Bus 3.0,
 * 6.8.2) and its table and PBA, trapped in MMIO.
 *
 * Capability, offsets from its start:
 *
 *   +0x00  id 0x11 | next | message control
 *   +0x04  table offset (31:3, bytes, 8-aligned) | table BIR (2:0)
 *   +0x08  PBA offset   (31:3)                   | PBA BIR   (2:0)
 *
 * Message control:
 *
 *     15      14     13  11 10          0
 *  +------+-------+-------+-------------+
 *  |enable| fmask |  rsvd | table size-1|
 *  +------+-------+-------+-------------+
 *
 * Table entry i, 16 bytes at table offset + 16 * i:
 *
 *   +0x0 address low   +0x4 address high   +0x8 data
 *   +0xc vector control: bit 0 mask, bits 31:1 reserved (preserved)
 *
 * PBA: one pending bit per entry, in 64-bit words.
 *
 * The pages holding the table and the PBA are holes in dom0's identity
 * map (dev->holes); while their BAR decodes, they are trapped MMIO
 * ranges at the BAR's address, so the trap follows the BAR.
 *
 * The module's files:
 *   msix.c   the capability's registers, device add/remove/reset, the
 *            module table
 *   table.c  the entries' shadows, bindings, masks: what reaches the
 *            device's table and control
 *   trap.c   the MMIO traps that follow the BAR, and dom0's accesses
 *            to the table and PBA through them (the hot path)
 *   check.c  the public API and the invariant checks
 */
#ifndef PVHDEV_MSIX_PRIV_H
#define PVHDEV_MSIX_PRIV_H

#include "core/core.h"

#include <pvhdev/irq.h>

#define PCI_CAP_ID_MSIX PVHDEV_PCI_CAP_ID_MSIX

/* Capability offsets. */
#define MSIX_CTRL (unsigned)PVHDEV_PCI_MSIX_FLAGS
#define MSIX_TABLE (unsigned)PVHDEV_PCI_MSIX_TABLE
#define MSIX_PBA (unsigned)PVHDEV_PCI_MSIX_PBA

#define MSIX_CTRL_ENABLE (unsigned)PVHDEV_PCI_MSIX_ENABLE
#define MSIX_CTRL_FMASK (unsigned)PVHDEV_PCI_MSIX_MASK
#define MSIX_CTRL_RSVD 0x3800u
#define MSIX_CTRL_QSIZE (unsigned)PVHDEV_PCI_MSIX_TABSIZE
#define MSIX_BIR (unsigned)PVHDEV_PCI_MSIX_BIR

/* Table entries. */
#define MSIX_ENTRY_SIZE (unsigned)PVHDEV_PCI_MSIX_ENTRY_SIZE
#define MSIX_VCTRL_MASK (unsigned)PVHDEV_PCI_MSIX_ENTRY_CTRL_MASKBIT
#define MSIX_PAGE 4096u /* bytes: the identity map's granule */

/* Entry flags. */
#define MSIX_E_GMASK 0x1u /* dom0's mask bit */
#define MSIX_E_HMASK 0x2u /* the host's mask */
#define MSIX_E_BOUND 0x4u /* bound to dom0 */

/* Entry i's shadow.  dom0's message comes first, laid out as in the
 * table, so that a table write of address or data is one store. */
#define MSIX_DW_ADDR_LO 0
#define MSIX_DW_ADDR_HI 1
#define MSIX_DW_DATA 2
struct msix_entry {
	uint32_t dw[3];  /* dom0's message: MSIX_DW_* */
	uint8_t flags;   /* MSIX_E_* */
	uint32_t b_data; /* the binding's message (while bound) */
	uint64_t b_addr;
};

/* Pages of one BAR trapped as MMIO: the table's, and the PBA's unless
 * they share pages with the table. */
struct msix_trap {
	struct pvhdev__mmio_region region;
	struct pvhdev__msix_dev *m;
	uint64_t off, size; /* page-aligned bytes from the BAR's start; 0: unused */
	uint64_t base;      /* the BAR's address while trapped */
	uint8_t bir;
	bool on;
};

struct pvhdev__msix_dev {
	struct pvhdev_dev *dev;
	uint16_t cap;       /* config offset of the capability */
	uint16_t hw_ctrl;   /* message control as the hardware holds it */
	uint16_t nr;        /* table entries, 1..2048 */
	bool enabled;       /* dom0's enable bit */
	bool fmasked;       /* dom0's function mask */
	/* The device's mask bits may differ from what pvhdev wants (an
	 * entry unmasked but not bound, a mask the table's BAR did not
	 * decode to take): until the table decodes and entries_sync()
	 * runs, the device keeps its function mask while MSI-X is on. */
	bool stale;
	uint8_t table_bir, pba_bir;
	uint32_t table_reg, pba_reg;  /* the registers, as the device has them */
	uint64_t table_off, pba_off;  /* bytes from their BAR's start */
	uint64_t pba_size;            /* bytes */
	unsigned hole0, nr_holes;     /* dev->holes[hole0..] are ours */
	struct msix_trap trap[2];     /* [0]: the table's pages */
	/* The table's address while trap[0] is on, and its size in bytes
	 * then (0 while off), so that the access path finds an entry with
	 * one subtraction and one compare. */
	uint64_t table, table_live;
	/* nr of them, or NULL while every entry is as after reset (masked,
	 * no message, not bound): allocated at the first write that changes
	 * one (docs/interrupts.md), since most tables are never touched. */
	struct msix_entry *entries;
};

extern const struct pvhdev__module pvhdev__msix_module;

/* ---- msix.c ---- */

/* Logs "SBDF: MSI-X: " and the message, at lvl, to dev's domain. */
void pvhdev__msix_log(const struct pvhdev_dev *dev, enum pvhdev_log_level lvl,
                      const char *fmt, ...) PVHDEV__PRINTF(3, 4);

static inline uint64_t msix_page_down(uint64_t off)
{
	return off & ~(uint64_t)(MSIX_PAGE - 1);
}

static inline uint64_t msix_page_up(uint64_t off)
{
	return msix_page_down(off + MSIX_PAGE - 1);
}

/* ---- table.c: entries, bindings, masks ---- */

/* What every entry is until dom0 first changes one (m->entries NULL):
 * masked, no message, not bound.  Hidden, so that a PIC build reaches
 * it as trap_read did when it was static (no GOT load). */
extern const struct msix_entry pvhdev__msix_entry_reset
	__attribute__((visibility("hidden")));

/* Entry i as it is now, shadowed or not (read only). */
static inline const struct msix_entry *msix_entry_view(const struct pvhdev__msix_dev *m,
                                                       unsigned i)
{
	return m->entries ? &m->entries[i] : &pvhdev__msix_entry_reset;
}

static inline uint64_t msix_entry_addr(const struct msix_entry *e)
{
	return (uint64_t)e->dw[MSIX_DW_ADDR_HI] << 32 | e->dw[MSIX_DW_ADDR_LO];
}

/* Masked by dom0 or by the host. */
static inline bool msix_eff_masked(const struct msix_entry *e)
{
	return e->flags & (MSIX_E_GMASK | MSIX_E_HMASK);
}

/* MSI-X enabled and the function unmasked, in dom0's view. */
static inline bool msix_active(const struct pvhdev__msix_dev *m)
{
	return m->enabled && !m->fmasked;
}

/* Allocates m->entries, every one reset, unless allocated; i only for
 * the log.  0 or -ENOMEM (then every entry stays reset). */
int pvhdev__msix_entries_alloc(struct pvhdev__msix_dev *m, unsigned i);
/* dom0 writes entry i's mask bit: a mask effect or a (re)binding. */
void pvhdev__msix_vctrl_write(struct pvhdev__msix_dev *m, unsigned i, bool masked);
/* Entry i's effective mask may have changed from was: if bound, a mask
 * event and the device's bit. */
void pvhdev__msix_mask_effect(struct pvhdev__msix_dev *m, unsigned i, bool was);
/* MSI-X just became active: binds every unmasked entry not bound with
 * its current message. */
void pvhdev__msix_arm_all(struct pvhdev__msix_dev *m);
/* Unbinds every bound entry (events; masks in the device if reachable). */
void pvhdev__msix_unbind_all(struct pvhdev__msix_dev *m);
/* The device's control register as pvhdev wants it (enable, fmask). */
void pvhdev__msix_hw_ctrl_sync(struct pvhdev__msix_dev *m);
/* Every entry's mask bit in the device as pvhdev wants it, where the
 * table decodes; m->stale says whether one did not stick. */
void pvhdev__msix_entries_sync(struct pvhdev__msix_dev *m);

/* ---- trap.c: the traps ---- */

/* Traps t's pages at bar_addr (the BAR's address); logs a failure. */
void pvhdev__msix_trap_start(struct pvhdev__msix_dev *m, struct msix_trap *t,
                             uint64_t bar_addr);
/* Stops trap t, if on. */
void pvhdev__msix_trap_stop(struct pvhdev__msix_dev *m, struct msix_trap *t);
/* The module's bar_moved hook: the traps in BAR bir follow it. */
void pvhdev__msix_bar_moved(struct pvhdev_dev *dev, unsigned bir, uint64_t addr,
                            uint64_t size, bool mapped);

/* ---- check.c ---- */

/* The module's check_dev hook: MSI-X invariants of dev (docs). */
int pvhdev__msix_check_dev(struct pvhdev_dev *dev, char *msg, size_t len);

#endif
