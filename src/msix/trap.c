/* SPDX-License-Identifier: MIT */
/*
 * MSI-X traps: the pages of the table and the PBA are trapped MMIO
 * ranges while their BAR is mapped, and move with it (bar_moved).
 *
 * dom0's accesses through them:
 *
 *   table entry, 4 or 8 bytes    dom0's shadow: reads see what dom0
 *                                wrote; a message write is stored, a
 *                                mask write goes to table.c
 *   table, other widths          reads all-ones, writes ignored
 *   anything else on the pages   the device's (PBA, bytes past the last
 *                                entry, its other registers)
 *
 * This is the module's hot path (a driver programming vectors,
 * irqbalance moving them): the common accesses stay in this file, with
 * no call out of it.
 */
#include "msix/msix.h"

/* ---- The table in MMIO ---- */

/* Dword k (0..3) of an entry as dom0 sees it. */
static uint32_t entry_dword(const struct msix_entry *e, unsigned k)
{
	return k < 3 ? e->dw[k] : e->flags & MSIX_E_GMASK ? MSIX_VCTRL_MASK : 0;
}

static void entry_dword_write(struct pvhdev__msix_dev *m, unsigned i,
                              unsigned k, uint32_t v)
{
	if (k < 3)
		m->entries[i].dw[k] = v;
	else
		pvhdev__msix_vctrl_write(m, i, v & MSIX_VCTRL_MASK);
}

/* rel: bytes from the table's start, inside it, naturally aligned (the
 * table offset is 8-aligned, so an 8-byte access is dwords 0-1 or 2-3
 * of one entry).  Only 4- and 8-byte accesses are the table's. */
static void table_read(const struct pvhdev__msix_dev *m, uint64_t rel,
                       unsigned size, uint64_t *val)
{
	const struct msix_entry *e = msix_entry_view(m, (unsigned)(rel / MSIX_ENTRY_SIZE));
	unsigned k = (unsigned)(rel % MSIX_ENTRY_SIZE) / 4;

	if (size != 4 && size != 8) {
		*val = pvhdev__ones(size);
		return;
	}
	*val = entry_dword(e, k);
	if (size == 8)
		*val |= (uint64_t)entry_dword(e, k + 1) << 32;
}

/* -ENOMEM when the shadows cannot be allocated: the write is dropped,
 * the entry stays as after reset (masked, so nothing binds), and the
 * embedder hears of it. */
static int table_write(struct pvhdev__msix_dev *m, uint64_t rel,
                       unsigned size, uint64_t val)
{
	unsigned i = (unsigned)(rel / MSIX_ENTRY_SIZE);
	unsigned k = (unsigned)(rel % MSIX_ENTRY_SIZE) / 4;
	int rc;

	if (size != 4 && size != 8)
		return 0;
	rc = pvhdev__msix_entries_alloc(m, i);
	if (rc)
		return rc;
	entry_dword_write(m, i, k, (uint32_t)val);
	if (size == 8)
		entry_dword_write(m, i, k + 1, (uint32_t)(val >> 32));
	return 0;
}

/* Is addr in the table, and where?  Only while the table is trapped
 * (table_live is 0 otherwise); the PBA's own pages never hold it. */
static bool in_table(const struct pvhdev__msix_dev *m, uint64_t addr,
                     uint64_t *rel)
{
	*rel = addr - m->table;
	return *rel < m->table_live;
}

/* Anything on the trapped pages that is not a table entry (the PBA,
 * bytes past the last entry, the device's other registers) is the
 * device's: read from it, written to it. */
static int trap_read(void *opaque, uint64_t addr, unsigned size, uint64_t *val)
{
	const struct msix_trap *t = opaque;
	const struct pvhdev__msix_dev *m = t->m;
	uint64_t rel;

	if (PVHDEV__LIKELY(in_table(m, addr, &rel))) {
		table_read(m, rel, size, val);
		return 0;
	}
	return pvhdev__hw_mmio_read(m->dev->dom, addr, size, val);
}

/* A write that is not the common case: a table write (any other width,
 * vector control), or the device's (the PBA and its other registers). */
static __attribute__((noinline)) int trap_write_other(const struct msix_trap *t,
                                                      uint64_t addr, unsigned size,
                                                      uint64_t val)
{
	struct pvhdev__msix_dev *m = t->m;
	uint64_t rel;

	if (in_table(m, addr, &rel))
		return table_write(m, rel, size, val);
	return pvhdev__hw_mmio_write(m->dev->dom, addr, size, val);
}

/* The common write, a dword of an entry's message (a driver programs
 * its vectors, irqbalance moves them): stored, nothing else until the
 * next unmask.  Everything else takes the long way. */
static int trap_write(void *opaque, uint64_t addr, unsigned size, uint64_t val)
{
	const struct msix_trap *t = opaque;
	const struct pvhdev__msix_dev *m = t->m;
	uint64_t rel;
	struct msix_entry *e = m->entries;

	if (PVHDEV__LIKELY(in_table(m, addr, &rel) && size == 4 && (rel & 0xc) != 0xc &&
	                   e)) {
		e[rel / MSIX_ENTRY_SIZE].dw[(rel / 4) & 3] = (uint32_t)val;
		return 0;
	}
	return trap_write_other(t, addr, size, val);
}

static const struct pvhdev__mmio_ops msix_mmio_ops = {
	.read = trap_read,
	.write = trap_write,
};

/* ---- Traps follow the BAR ---- */

void pvhdev__msix_trap_stop(struct pvhdev__msix_dev *m, struct msix_trap *t)
{
	if (!t->on)
		return;
	pvhdev__mmio_remove(m->dev->dom, &t->region);
	t->on = false;
	if (t == &m->trap[0])
		m->table_live = 0;
}

void pvhdev__msix_trap_start(struct pvhdev__msix_dev *m, struct msix_trap *t,
			     uint64_t bar_addr)
{
	int rc = pvhdev__mmio_add(m->dev->dom, &t->region, bar_addr + t->off,
	                          t->size, &msix_mmio_ops, t);

	if (rc) {
		pvhdev__msix_log(m->dev, PVHDEV_LOG_ERROR, "cannot trap 0x%llx bytes at 0x%llx "
				 "(BAR %u): %s", (unsigned long long)t->size,
				 (unsigned long long)(bar_addr + t->off), t->bir,
				 pvhdev_strerror(rc));
		return;
	}
	t->base = bar_addr;
	t->on = true;
	if (t == &m->trap[0]) {
		m->table = bar_addr + m->table_off;
		m->table_live = (uint64_t)m->nr * MSIX_ENTRY_SIZE;
	}
}

void pvhdev__msix_bar_moved(struct pvhdev_dev *dev, unsigned bir, uint64_t addr,
			    uint64_t size, bool mapped)
{
	struct pvhdev__msix_dev *m = dev->msix;

	(void)size;
	if (!m)
		return;
	for (unsigned k = 0; k < PVHDEV__ARRAY_SIZE(m->trap); k++) {
		struct msix_trap *t = &m->trap[k];
		if (!t->size || t->bir != bir)
			continue;
		pvhdev__msix_trap_stop(m, t);
		if (mapped)
			pvhdev__msix_trap_start(m, t, addr);
	}
}
