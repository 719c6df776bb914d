/* SPDX-License-Identifier: MIT */
/*
 * MSI-X: the capability's control register, and the table and PBA in
 * MMIO.  dom0 reads back what it wrote; the hardware holds what the
 * hypervisor decided, written by this module and nobody else:
 *
 *   dom0 writes                  reaches the hardware
 *   control enable, fmask        as written (entries are masked in the
 *                                device unless bound, so this is safe)
 *   table/PBA offset registers   nothing (read-only)
 *   entry address / data         only through a binding: the bound
 *                                message, written with the entry masked
 *   entry mask bit               dom0's | the host's | not bound
 *   table bytes past the last    as written: they are the device's
 *   entry, other registers on    other registers
 *   the trapped pages
 *   PBA                          as written, as Xen does for the
 *                                hardware domain (pending bits are the
 *                                device's; a write's effect is its own)
 *
 * This file: the capability's registers in config space (control,
 * table and PBA offsets), and the device's life: add (the layout
 * checked, the pages to trap planned, a layout that cannot be trusted
 * hidden), remove, reset.  The entries and bindings are table.c's, the
 * traps trap.c's, the API and checks check.c's (msix.h lists them).
 */
#include "msix/msix.h"

void pvhdev__msix_log(const struct pvhdev_dev *dev, enum pvhdev_log_level lvl,
		      const char *fmt, ...)
{
	char msg[192], s[PVHDEV_SBDF_STRLEN];
	va_list ap;

	va_start(ap, fmt);
	pvhdev__vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pvhdev__log(dev->dom, lvl, "%s: MSI-X: %s", pvhdev_sbdf_str(dev->sbdf, s), msg);
}

/* ---- Capability registers ---- */

static enum pvhdev_verdict ctrl_read(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t *val)
{
	const struct pvhdev__msix_dev *m = reg->opaque;

	(void)dev;
	*val = (m->hw_ctrl & MSIX_CTRL_QSIZE) |
	       (m->enabled ? MSIX_CTRL_ENABLE : 0) | (m->fmasked ? MSIX_CTRL_FMASK : 0);
	return PVHDEV_DONE;
}

/* Entries first, then the device's control (as Xen's vPCI does): a
 * device enabled or unmasked finds its entries already programmed. */
static enum pvhdev_verdict ctrl_write(struct pvhdev_dev *dev,
                                      const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__msix_dev *m = reg->opaque;
	bool en = val & MSIX_CTRL_ENABLE, fm = val & MSIX_CTRL_FMASK;
	bool was_active = msix_active(m);

	(void)dev;
	if (en == m->enabled && fm == m->fmasked)
		return PVHDEV_DONE;
	if (m->enabled && !en)
		pvhdev__msix_unbind_all(m);
	m->enabled = en;
	m->fmasked = fm;
	if (en && m->stale)
		pvhdev__msix_entries_sync(m);
	if (!was_active && msix_active(m))
		pvhdev__msix_arm_all(m);
	pvhdev__msix_hw_ctrl_sync(m);
	return PVHDEV_DONE;
}

/* Table and PBA offset/BIR: read-only, as validated. */
static enum pvhdev_verdict table_reg_read(struct pvhdev_dev *dev,
                                          const struct pvhdev_reg *reg,
                                          uint32_t *val)
{
	(void)dev;
	*val = ((const struct pvhdev__msix_dev *)reg->opaque)->table_reg;
	return PVHDEV_DONE;
}

static enum pvhdev_verdict pba_reg_read(struct pvhdev_dev *dev,
                                        const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	*val = ((const struct pvhdev__msix_dev *)reg->opaque)->pba_reg;
	return PVHDEV_DONE;
}

static int regs_add(struct pvhdev__msix_dev *m)
{
	unsigned c = m->cap;
	const struct pvhdev_reg regs[] = {
		{ .off = (uint16_t)(c + MSIX_CTRL), .size = 2,
		  .ro_mask = MSIX_CTRL_QSIZE, .rsvdp_mask = MSIX_CTRL_RSVD,
		  .read = ctrl_read, .write = ctrl_write, .opaque = m },
		{ .off = (uint16_t)(c + MSIX_TABLE), .size = 4,
		  .read = table_reg_read, .opaque = m },
		{ .off = (uint16_t)(c + MSIX_PBA), .size = 4,
		  .read = pba_reg_read, .opaque = m },
	};
	int rc = 0;

	for (size_t i = 0; i < PVHDEV__ARRAY_SIZE(regs) && !rc; i++)
		rc = pvhdev_reg_add(m->dev, &regs[i]);
	return rc;
}

/* A device whose MSI-X cannot be trusted gets none: the capability
 * reads as a Null Capability (ID 0, so dom0's walk passes over it) and
 * its control reads 0 and ignores writes, so it is never enabled. */
static int cap_hide(struct pvhdev_dev *dev, unsigned cap)
{
	const struct pvhdev_reg regs[] = {
		{ .off = (uint16_t)cap, .size = 1, .read = pvhdev__read_zero },
		{ .off = (uint16_t)(cap + MSIX_CTRL), .size = 2, .read = pvhdev__read_zero },
	};
	int rc = 0;

	for (size_t i = 0; i < PVHDEV__ARRAY_SIZE(regs) && !rc; i++)
		rc = pvhdev_reg_add(dev, &regs[i]);
	return rc;
}

/* ---- Device add ---- */

/* BIR must name an implemented memory BAR.  A VF's BARs are its
 * slices of its PF's VF BARs (pvhdev__bar_get()). */
static int bar_check(const struct pvhdev__msix_dev *m, unsigned bir,
                     const char *what, struct pvhdev__bar_info *info)
{
	if (bir <= 5 && !pvhdev__bar_get(m->dev, bir, info) && info->mem)
		return 0;
	pvhdev__msix_log(m->dev, PVHDEV_LOG_ERROR, "%s BIR %u names no memory BAR: "
			 "no MSI-X", what, bir);
	return -EINVAL;
}

static int fits(const struct pvhdev__msix_dev *m, const char *what, unsigned bir,
                uint64_t off, uint64_t size, const struct pvhdev__bar_info *info)
{
	if (off + size <= info->size)
		return 0;
	pvhdev__msix_log(m->dev, PVHDEV_LOG_ERROR, "%s (0x%llx bytes at 0x%llx) does not fit "
			 "BAR %u (0x%llx bytes): no MSI-X", what, (unsigned long long)size,
			 (unsigned long long)off, bir, (unsigned long long)info->size);
	return -EINVAL;
}

/* Table and PBA must lie in memory BARs and not overlap. */
static int layout_check(const struct pvhdev__msix_dev *m)
{
	struct pvhdev__bar_info tb, pb;
	uint64_t tsize = (uint64_t)m->nr * MSIX_ENTRY_SIZE;

	if (bar_check(m, m->table_bir, "table", &tb) ||
	    bar_check(m, m->pba_bir, "PBA", &pb) ||
	    fits(m, "table", m->table_bir, m->table_off, tsize, &tb) ||
	    fits(m, "PBA", m->pba_bir, m->pba_off, m->pba_size, &pb))
		return -EINVAL;
	if (m->table_bir == m->pba_bir && m->pba_off < m->table_off + tsize &&
	    m->table_off < m->pba_off + m->pba_size) {
		pvhdev__msix_log(m->dev, PVHDEV_LOG_ERROR, "table and PBA overlap: no MSI-X");
		return -EINVAL;
	}
	return 0;
}

/* The pages to trap (and never map): the table's, the PBA's; one run
 * when they share pages. */
static void traps_plan(struct pvhdev__msix_dev *m)
{
	uint64_t ts = msix_page_down(m->table_off);
	uint64_t te = msix_page_up(m->table_off + (uint64_t)m->nr * MSIX_ENTRY_SIZE);
	uint64_t ps = msix_page_down(m->pba_off), pe = msix_page_up(m->pba_off + m->pba_size);
	struct msix_trap *t = m->trap;

	t[0] = (struct msix_trap){ .m = m, .bir = m->table_bir, .off = ts,
	                           .size = te - ts };
	if (m->pba_bir == m->table_bir && ps < te && ts < pe) {
		t[0].off = ps < ts ? ps : ts;
		t[0].size = (pe > te ? pe : te) - t[0].off;
	} else {
		t[1] = (struct msix_trap){ .m = m, .bir = m->pba_bir, .off = ps,
		                           .size = pe - ps };
	}
}

static int holes_add(struct pvhdev__msix_dev *m)
{
	struct pvhdev_dev *dev = m->dev;
	unsigned need = m->trap[1].size ? 2 : 1;

	if (dev->nr_holes + need > PVHDEV__MAX_HOLES) {
		pvhdev__msix_log(dev, PVHDEV_LOG_ERROR, "no room for the table's holes: no MSI-X");
		return -ENOSPC;
	}
	m->hole0 = dev->nr_holes;
	m->nr_holes = need;
	for (unsigned k = 0; k < need; k++)
		dev->holes[dev->nr_holes++] = (struct pvhdev__hole){
			.bir = m->trap[k].bir, .off = m->trap[k].off, .size = m->trap[k].size,
		};
	return 0;
}

/* Capability registers, as the device has them. */
static int hw_load(struct pvhdev__msix_dev *m)
{
	uint32_t ctrl, table, pba;
	int rc = pvhdev_dev_hw_read(m->dev, m->cap + MSIX_CTRL, 2, &ctrl);

	if (!rc)
		rc = pvhdev_dev_hw_read(m->dev, m->cap + MSIX_TABLE, 4, &table);
	if (!rc)
		rc = pvhdev_dev_hw_read(m->dev, m->cap + MSIX_PBA, 4, &pba);
	if (rc)
		return rc;
	m->hw_ctrl = (uint16_t)ctrl;
	m->enabled = ctrl & MSIX_CTRL_ENABLE;
	m->fmasked = ctrl & MSIX_CTRL_FMASK;
	m->nr = (uint16_t)((ctrl & MSIX_CTRL_QSIZE) + 1);
	m->table_reg = table;
	m->pba_reg = pba;
	m->table_bir = table & MSIX_BIR;
	m->pba_bir = pba & MSIX_BIR;
	m->table_off = table & ~MSIX_BIR;
	m->pba_off = pba & ~MSIX_BIR;
	m->pba_size = (m->nr + 63u) / 64u * 8u;
	return 0;
}

static void msix_free(struct pvhdev__msix_dev *m)
{
	struct pvhdev_domain *dom = m->dev->dom;

	if (m->entries)
		pvhdev__free(dom, m->entries, (size_t)m->nr * sizeof(*m->entries));
	pvhdev__free(dom, m, sizeof(*m));
}

/* Entries start masked with no message, as after reset, with no
 * shadows until dom0 changes one.  The BAR module maps (and reports)
 * decoding BARs after every dev_add; a BAR mapped already is trapped
 * now. */
static int msix_start(struct pvhdev__msix_dev *m)
{
	struct pvhdev__bar_info info;

	for (unsigned k = 0; k < PVHDEV__ARRAY_SIZE(m->trap); k++)
		if (m->trap[k].size && !pvhdev__bar_get(m->dev, m->trap[k].bir, &info) &&
		    info.mapped)
			pvhdev__msix_trap_start(m, &m->trap[k], info.addr);
	return 0;
}

/* Its table cannot be trapped: MSI-X stays off (turned off if found
 * on) and the capability is hidden.  Frees m. */
static int layout_refuse(struct pvhdev__msix_dev *m)
{
	struct pvhdev_dev *dev = m->dev;
	unsigned cap = m->cap;
	int rc = 0;

	if (m->hw_ctrl & MSIX_CTRL_ENABLE) {
		pvhdev__msix_log(dev, PVHDEV_LOG_WARN, "found enabled: disabled");
		rc = pvhdev_dev_hw_write(dev, cap + MSIX_CTRL, 2,
		                         m->hw_ctrl & ~MSIX_CTRL_ENABLE);
	}
	msix_free(m);
	return rc ? rc : cap_hide(dev, cap);
}

static int msix_dev_add(struct pvhdev_dev *dev)
{
	struct pvhdev__msix_dev *m;
	unsigned cap;
	int rc;

	if (pvhdev_dev_find_cap(dev, PCI_CAP_ID_MSIX, &cap))
		return 0;
	m = pvhdev__zalloc(dev->dom, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->dev = dev;
	m->cap = (uint16_t)cap;
	rc = hw_load(m);
	if (rc)
		goto free_m;
	if (layout_check(m))
		return layout_refuse(m);
	/* What the device's mask bits hold is unknown until read. */
	m->stale = true;
	/* Found enabled with nothing bound: the control write that turns
	 * it off is the event that says so. */
	if (m->enabled) {
		m->enabled = false;
		pvhdev__msix_hw_ctrl_sync(m);
	}
	traps_plan(m);
	rc = holes_add(m);
	if (rc)
		goto free_m;
	rc = regs_add(m);
	if (rc)
		goto drop_holes;
	rc = msix_start(m);
	if (rc)
		goto drop_holes;
	dev->msix = m;
	return 0;

	/* The device add fails: the registers added go with it. */
drop_holes:
	dev->nr_holes = m->hole0;
free_m:
	msix_free(m);
	return rc;
}

/* ---- The device's life after add ---- */

/* The table decodes in the device now: masks that could not reach it
 * reach it, and the function mask that stood in for them goes. */
static void msix_decoded(struct pvhdev_dev *dev)
{
	struct pvhdev__msix_dev *m = dev->msix;

	if (!m || !m->stale || !m->enabled)
		return;
	pvhdev__msix_entries_sync(m);
	pvhdev__msix_hw_ctrl_sync(m);
}

/* Nothing bound, MSI-X off in the device and in dom0's view, and the
 * entries masked in the device where its table decodes. */
static void msix_quiesce(struct pvhdev__msix_dev *m)
{
	pvhdev__msix_unbind_all(m);
	m->enabled = false;
	m->stale = true;
	pvhdev__msix_entries_sync(m);
	pvhdev__msix_hw_ctrl_sync(m);
}

/* The hypervisor releases the entries.  A device removed from dom0 is
 * left quiet (MSI-X off, entries masked); a device being hidden is the
 * hypervisor's own and keeps its state, and domain teardown writes
 * nothing (the traps stop first, so unbinding writes nothing). */
static void msix_dev_remove(struct pvhdev_dev *dev)
{
	struct pvhdev__msix_dev *m = dev->msix;

	if (!m)
		return;
	if (!dev->hidden && !dev->dom->freeing)
		msix_quiesce(m);
	for (unsigned k = 0; k < PVHDEV__ARRAY_SIZE(m->trap); k++)
		pvhdev__msix_trap_stop(m, &m->trap[k]);
	pvhdev__msix_unbind_all(m);
	if (dev->nr_holes == m->hole0 + m->nr_holes)
		dev->nr_holes = m->hole0;
	dev->msix = NULL;
	msix_free(m);
}

/* After a reset MSI-X is off in the hardware and every entry masked
 * (PCI Local Bus 3.0, 6.8.2.9): the bindings go (events), dom0's view
 * is as at device add, and the host's masks stay the host's.  The
 * traps go with the BARs, which the BAR module unmaps next. */
static void msix_dev_reset(struct pvhdev_dev *dev)
{
	struct pvhdev__msix_dev *m = dev->msix;
	uint32_t ctrl;

	if (!m)
		return;
	if (!pvhdev_dev_hw_read(dev, m->cap + MSIX_CTRL, 2, &ctrl))
		m->hw_ctrl = (uint16_t)ctrl;
	m->enabled = false;
	m->fmasked = false;
	m->stale = true;
	pvhdev__msix_unbind_all(m);
	for (unsigned i = 0; m->entries && i < m->nr; i++) {
		uint8_t host = m->entries[i].flags & MSIX_E_HMASK;
		m->entries[i] = pvhdev__msix_entry_reset;
		m->entries[i].flags |= host;
	}
	pvhdev__msix_hw_ctrl_sync(m);
}

const struct pvhdev__module pvhdev__msix_module = {
	.name = "msix",
	.dev_add = msix_dev_add,
	.dev_remove = msix_dev_remove,
	.bar_moved = pvhdev__msix_bar_moved,
	.decoded = msix_decoded,
	.dev_reset = msix_dev_reset,
	.check_dev = pvhdev__msix_check_dev,
};
