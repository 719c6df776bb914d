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
 * Bindings: clearing an entry's mask while MSI-X is enabled and the
 * function unmasked binds it (or rebinds it when its message changed
 * since it was bound: address/data writes take effect at the next
 * unmask); enabling or clearing the function mask binds every unmasked
 * entry not bound yet or changed; masking a bound entry is a mask
 * effect; disabling unbinds all.  pvhdev allocates no host vectors, so
 * the message the hypervisor programs is the one it bound: dom0's, once
 * validated (docs/interrupts.md).
 */
#include "msix/msix.h"

static void msix_log(const struct pvhdev_dev *dev, enum pvhdev_log_level lvl,
                     const char *fmt, ...) PVHDEV__PRINTF(3, 4);

static void msix_log(const struct pvhdev_dev *dev, enum pvhdev_log_level lvl,
                     const char *fmt, ...)
{
	char msg[192], s[PVHDEV_SBDF_STRLEN];
	va_list ap;

	va_start(ap, fmt);
	pvhdev__vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pvhdev__log(dev->dom, lvl, "%s: MSI-X: %s", pvhdev_sbdf_str(dev->sbdf, s), msg);
}

static uint64_t page_down(uint64_t off)
{
	return off & ~(uint64_t)(MSIX_PAGE - 1);
}

static uint64_t page_up(uint64_t off)
{
	return page_down(off + MSIX_PAGE - 1);
}

/* ---- Entries ---- */

/* What every entry is until dom0 first changes one (m->entries NULL):
 * masked, no message, not bound. */
static const struct msix_entry entry_reset = { .flags = MSIX_E_GMASK };

static const struct msix_entry *entry_view(const struct pvhdev__msix_dev *m,
                                           unsigned i)
{
	return m->entries ? &m->entries[i] : &entry_reset;
}

/* The shadows, allocated when dom0 (or the host) first changes entry
 * i; they start as entry_reset.  -ENOMEM leaves every entry reset. */
static int entries_alloc(struct pvhdev__msix_dev *m, unsigned i)
{
	struct msix_entry *e;

	if (m->entries)
		return 0;
	e = pvhdev__zalloc(m->dev->dom, (size_t)m->nr * sizeof(*e));
	if (!e) {
		msix_log(m->dev, PVHDEV_LOG_ERROR, "no memory for the shadows of %u "
		         "entries: entry %u not changed", m->nr, i);
		return -ENOMEM;
	}
	for (unsigned j = 0; j < m->nr; j++)
		e[j] = entry_reset;
	m->entries = e;
	return 0;
}

static uint64_t entry_addr(const struct msix_entry *e)
{
	return (uint64_t)e->dw[MSIX_DW_ADDR_HI] << 32 | e->dw[MSIX_DW_ADDR_LO];
}

static bool eff_masked(const struct msix_entry *e)
{
	return e->flags & (MSIX_E_GMASK | MSIX_E_HMASK);
}

/* Bound, and dom0 has not written a new message since. */
static bool bound_same(const struct msix_entry *e)
{
	return (e->flags & MSIX_E_BOUND) && e->b_addr == entry_addr(e) &&
	       e->b_data == e->dw[MSIX_DW_DATA];
}

static bool active(const struct pvhdev__msix_dev *m)
{
	return m->enabled && !m->fmasked;
}

static int emit_entry(struct pvhdev__msix_dev *m, enum pvhdev_event_kind kind,
                      unsigned i, uint64_t addr, uint32_t data, bool masked)
{
	struct pvhdev_event ev = {
		.kind = kind,
		.sbdf = m->dev->sbdf,
		.u.irq = { .index = i, .addr = addr, .data = data, .masked = masked },
	};

	pvhdev__msi_decode(addr, data, &ev);
	return pvhdev__emit(m->dev->dom, &ev);
}

/* Where entry i is in the device now (the table's trap is on). */
static uint64_t entry_hw(const struct pvhdev__msix_dev *m, unsigned i)
{
	return m->trap[0].base + m->table_off + (uint64_t)i * MSIX_ENTRY_SIZE;
}

static void hw_ctrl_sync(struct pvhdev__msix_dev *m);
static void entries_sync(struct pvhdev__msix_dev *m);

/* Whether the hypervisor can reach the table now: trapped (its BAR
 * mapped) and decoding in the device.  The traps start when the BAR's
 * p2m work completes, before the command write that turns decoding on
 * reaches the device (other BARs' work may still be queued), and the
 * device drops writes to memory it does not decode. */
static bool table_decodes(const struct pvhdev__msix_dev *m)
{
	uint32_t cmd;

	if (m->dev->vf) /* its PF's VF MSE, not its own command register */
		return m->trap[0].on && pvhdev__sriov_vf_decodes(m->dev);
	return m->trap[0].on &&
	       !pvhdev__hw_cfg_read(m->dev->dom, m->dev->sbdf, PVHDEV_PCI_COMMAND, 2, &cmd) &&
	       (cmd & PVHDEV_PCI_COMMAND_MEMORY);
}

/* The device's mask bits are stale: while MSI-X is on, the function
 * mask stands in for them (as Xen's does) until entries_sync(). */
static void mask_fallback(struct pvhdev__msix_dev *m)
{
	if (m->stale)
		return;
	m->stale = true;
	hw_ctrl_sync(m);
}

/* The device's mask bit of entry i, read-modify-write so that reserved
 * bits keep their value; a mask is read back.  A mask the device does
 * not take (the table does not decode, or the bit does not stick) falls
 * back to the function mask.  Returns whether the bit is as asked. */
static bool hw_vctrl(struct pvhdev__msix_dev *m, unsigned i, bool masked)
{
	struct pvhdev_domain *dom = m->dev->dom;
	uint64_t a = entry_hw(m, i) + 0xc, v;

	if (!table_decodes(m) || pvhdev__hw_mmio_read(dom, a, 4, &v)) {
		if (masked)
			mask_fallback(m);
		return false;
	}
	if (!(v & MSIX_VCTRL_MASK) == !masked)
		return true;
	pvhdev__hw_mmio_write(dom, a, 4, masked ? v | MSIX_VCTRL_MASK
	                                        : v & ~(uint64_t)MSIX_VCTRL_MASK);
	if (!masked)
		return true;
	if (pvhdev__hw_mmio_read(dom, a, 4, &v) || !(v & MSIX_VCTRL_MASK)) {
		mask_fallback(m);
		return false;
	}
	return true;
}

/* The bound message into the device: masked while it changes, then the
 * entry's effective mask. */
static void hw_program(struct pvhdev__msix_dev *m, unsigned i)
{
	struct pvhdev_domain *dom = m->dev->dom;
	const struct msix_entry *e = &m->entries[i];
	uint64_t a = entry_hw(m, i);

	hw_vctrl(m, i, true);
	pvhdev__hw_mmio_write(dom, a, 4, (uint32_t)e->b_addr);
	pvhdev__hw_mmio_write(dom, a + 4, 4, (uint32_t)(e->b_addr >> 32));
	pvhdev__hw_mmio_write(dom, a + 8, 4, e->b_data);
	if (!eff_masked(e))
		hw_vctrl(m, i, false);
}

static void entry_unbind(struct pvhdev__msix_dev *m, unsigned i)
{
	struct msix_entry *e = &m->entries[i];

	emit_entry(m, PVHDEV_EV_MSIX_UNBIND, i, e->b_addr, e->b_data, false);
	e->flags &= (uint8_t)~MSIX_E_BOUND;
	hw_vctrl(m, i, true);
}

/* Binds entry i to dom0's message.  The hypervisor writes the table, so
 * the table must decode; the address must be an interrupt address. */
static void entry_bind(struct pvhdev__msix_dev *m, unsigned i)
{
	struct msix_entry *e = &m->entries[i];
	struct pvhdev_event probe;

	if (!table_decodes(m)) {
		msix_log(m->dev, PVHDEV_LOG_WARN, "entry %u: table in BAR %u not "
		         "decoding: not bound", i, m->table_bir);
		return;
	}
	if (pvhdev__msi_decode(entry_addr(e), e->dw[MSIX_DW_DATA], &probe)) {
		msix_log(m->dev, PVHDEV_LOG_WARN, "entry %u: address 0x%llx is not an "
		         "interrupt address (0xfeexxxxx): not bound", i,
		         (unsigned long long)entry_addr(e));
		return;
	}
	if (emit_entry(m, PVHDEV_EV_MSIX_BIND, i, entry_addr(e), e->dw[MSIX_DW_DATA],
	               false)) {
		msix_log(m->dev, PVHDEV_LOG_WARN, "entry %u: refused by the "
		         "hypervisor: not bound", i);
		return;
	}
	e->flags |= MSIX_E_BOUND;
	e->b_addr = entry_addr(e);
	e->b_data = e->dw[MSIX_DW_DATA];
	hw_program(m, i);
}

static void entry_rebind(struct pvhdev__msix_dev *m, unsigned i)
{
	if (m->entries[i].flags & MSIX_E_BOUND)
		entry_unbind(m, i);
	entry_bind(m, i);
}

/* A bound entry's effective mask (dom0's | the host's) may have
 * changed from was: a mask effect, then the device's bit. */
static void mask_effect(struct pvhdev__msix_dev *m, unsigned i, bool was)
{
	const struct msix_entry *e = &m->entries[i];
	bool now = eff_masked(e);

	if (!(e->flags & MSIX_E_BOUND) || now == was)
		return;
	emit_entry(m, PVHDEV_EV_MSIX_MASK, i, e->b_addr, e->b_data, now);
	hw_vctrl(m, i, now);
}

/* dom0 writes an entry's mask bit.  Unmasking a binding whose message
 * is unchanged unmasks it; otherwise, while active, it (re)binds. */
static void vctrl_write(struct pvhdev__msix_dev *m, unsigned i, bool masked)
{
	struct msix_entry *e = &m->entries[i];
	bool was = eff_masked(e);

	if (masked == !!(e->flags & MSIX_E_GMASK))
		return;
	if (masked) {
		e->flags |= MSIX_E_GMASK;
		mask_effect(m, i, was);
		return;
	}
	e->flags &= (uint8_t)~MSIX_E_GMASK;
	if (bound_same(e))
		mask_effect(m, i, was);
	else if (active(m))
		entry_rebind(m, i);
}

/* MSI-X just became active: every unmasked entry that is not bound with
 * its current message binds (with no shadows, every entry is masked). */
static void arm_all(struct pvhdev__msix_dev *m)
{
	for (unsigned i = 0; m->entries && i < m->nr; i++) {
		const struct msix_entry *e = &m->entries[i];
		if (!(e->flags & MSIX_E_GMASK) && !bound_same(e))
			entry_rebind(m, i);
	}
}

static void unbind_all(struct pvhdev__msix_dev *m)
{
	for (unsigned i = 0; m->entries && i < m->nr; i++)
		if (m->entries[i].flags & MSIX_E_BOUND)
			entry_unbind(m, i);
}

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
		vctrl_write(m, i, v & MSIX_VCTRL_MASK);
}

/* rel: bytes from the table's start, inside it, naturally aligned (the
 * table offset is 8-aligned, so an 8-byte access is dwords 0-1 or 2-3
 * of one entry).  Only 4- and 8-byte accesses are the table's. */
static void table_read(const struct pvhdev__msix_dev *m, uint64_t rel,
                       unsigned size, uint64_t *val)
{
	const struct msix_entry *e = entry_view(m, (unsigned)(rel / MSIX_ENTRY_SIZE));
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
	rc = entries_alloc(m, i);
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

static void trap_stop(struct pvhdev__msix_dev *m, struct msix_trap *t)
{
	if (!t->on)
		return;
	pvhdev__mmio_remove(m->dev->dom, &t->region);
	t->on = false;
	if (t == &m->trap[0])
		m->table_live = 0;
}

static void trap_start(struct pvhdev__msix_dev *m, struct msix_trap *t,
                       uint64_t bar_addr)
{
	int rc = pvhdev__mmio_add(m->dev->dom, &t->region, bar_addr + t->off,
	                          t->size, &msix_mmio_ops, t);

	if (rc) {
		msix_log(m->dev, PVHDEV_LOG_ERROR, "cannot trap 0x%llx bytes at 0x%llx "
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

/* The table decodes in the device now: masks that could not reach it
 * reach it, and the function mask that stood in for them goes. */
static void msix_decoded(struct pvhdev_dev *dev)
{
	struct pvhdev__msix_dev *m = dev->msix;

	if (!m || !m->stale || !m->enabled)
		return;
	entries_sync(m);
	hw_ctrl_sync(m);
}

static void msix_bar_moved(struct pvhdev_dev *dev, unsigned bir, uint64_t addr,
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
		trap_stop(m, t);
		if (mapped)
			trap_start(m, t, addr);
	}
}

/* ---- The device's mask bits and control ---- */

/* The device's enable is dom0's; its function mask is dom0's, or set
 * while the entries' mask bits in the device are stale. */
static void hw_ctrl_sync(struct pvhdev__msix_dev *m)
{
	bool fm = m->fmasked || (m->stale && m->enabled);
	uint16_t want = (uint16_t)((m->hw_ctrl & ~(MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK)) |
	                           (m->enabled ? MSIX_CTRL_ENABLE : 0) |
	                           (fm ? MSIX_CTRL_FMASK : 0));

	if (want != m->hw_ctrl && !pvhdev_dev_hw_write(m->dev, m->cap + MSIX_CTRL, 2, want))
		m->hw_ctrl = want;
}

/* Every entry's mask bit in the device as pvhdev wants it: unmasked
 * only when bound and unmasked by dom0 and the host.  Only entries the
 * device has otherwise are written.  Needs the table decoding. */
static void entries_sync(struct pvhdev__msix_dev *m)
{
	bool stale = false;

	if (!table_decodes(m))
		return;
	/* Stale while it runs, so that no mask falls back on its own; a
	 * mask that did not stick keeps the fallback afterwards (the
	 * callers sync the control). */
	m->stale = true;
	for (unsigned i = 0; i < m->nr; i++) {
		const struct msix_entry *e = entry_view(m, i);
		bool want = !(e->flags & MSIX_E_BOUND) || eff_masked(e);
		if (!hw_vctrl(m, i, want) && want)
			stale = true;
	}
	m->stale = stale;
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
	bool was_active = active(m);

	(void)dev;
	if (en == m->enabled && fm == m->fmasked)
		return PVHDEV_DONE;
	if (m->enabled && !en)
		unbind_all(m);
	m->enabled = en;
	m->fmasked = fm;
	if (en && m->stale)
		entries_sync(m);
	if (!was_active && active(m))
		arm_all(m);
	hw_ctrl_sync(m);
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
	msix_log(m->dev, PVHDEV_LOG_ERROR, "%s BIR %u names no memory BAR: "
	         "no MSI-X", what, bir);
	return -EINVAL;
}

static int fits(const struct pvhdev__msix_dev *m, const char *what, unsigned bir,
                uint64_t off, uint64_t size, const struct pvhdev__bar_info *info)
{
	if (off + size <= info->size)
		return 0;
	msix_log(m->dev, PVHDEV_LOG_ERROR, "%s (0x%llx bytes at 0x%llx) does not fit "
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
		msix_log(m->dev, PVHDEV_LOG_ERROR, "table and PBA overlap: no MSI-X");
		return -EINVAL;
	}
	return 0;
}

/* The pages to trap (and never map): the table's, the PBA's; one run
 * when they share pages. */
static void traps_plan(struct pvhdev__msix_dev *m)
{
	uint64_t ts = page_down(m->table_off);
	uint64_t te = page_up(m->table_off + (uint64_t)m->nr * MSIX_ENTRY_SIZE);
	uint64_t ps = page_down(m->pba_off), pe = page_up(m->pba_off + m->pba_size);
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
		msix_log(dev, PVHDEV_LOG_ERROR, "no room for the table's holes: no MSI-X");
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
			trap_start(m, &m->trap[k], info.addr);
	return 0;
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
	if (!rc && layout_check(m)) {
		/* Its table cannot be trapped: MSI-X stays off. */
		if (m->hw_ctrl & MSIX_CTRL_ENABLE) {
			msix_log(dev, PVHDEV_LOG_WARN, "found enabled: disabled");
			rc = pvhdev_dev_hw_write(dev, cap + MSIX_CTRL, 2,
			                         m->hw_ctrl & ~MSIX_CTRL_ENABLE);
		}
		msix_free(m);
		return rc ? rc : cap_hide(dev, cap);
	}
	/* What the device's mask bits hold is unknown until read. */
	m->stale = true;
	/* Found enabled with nothing bound: the control write that turns
	 * it off is the event that says so. */
	if (!rc && m->enabled) {
		m->enabled = false;
		hw_ctrl_sync(m);
	}
	if (!rc) {
		traps_plan(m);
		rc = holes_add(m);
	}
	if (!rc)
		rc = regs_add(m);
	if (!rc)
		rc = msix_start(m);
	if (rc) {
		/* The device add fails: its registers go with it. */
		if (m->nr_holes)
			dev->nr_holes = m->hole0;
		msix_free(m);
		return rc;
	}
	dev->msix = m;
	return 0;
}

/* Nothing bound, MSI-X off in the device and in dom0's view, and the
 * entries masked in the device where its table decodes. */
static void msix_quiesce(struct pvhdev__msix_dev *m)
{
	unbind_all(m);
	m->enabled = false;
	m->stale = true;
	entries_sync(m);
	hw_ctrl_sync(m);
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
		trap_stop(m, &m->trap[k]);
	unbind_all(m);
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
	unbind_all(m);
	for (unsigned i = 0; m->entries && i < m->nr; i++) {
		uint8_t host = m->entries[i].flags & MSIX_E_HMASK;
		m->entries[i] = entry_reset;
		m->entries[i].flags |= host;
	}
	hw_ctrl_sync(m);
}

/* ---- Public API ---- */

static struct pvhdev__msix_dev *msix_of(const struct pvhdev_domain *dom,
                                        pvhdev_sbdf_t sbdf, unsigned entry,
                                        int *rc)
{
	const struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);

	*rc = -ENODEV;
	if (!dev || !dev->present || dev->hidden)
		return NULL;
	*rc = -ENOENT;
	if (!dev->msix)
		return NULL;
	*rc = -ERANGE;
	if (entry >= dev->msix->nr)
		return NULL;
	*rc = 0;
	return dev->msix;
}

int pvhdev_msix_host_mask(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                          unsigned entry, bool masked)
{
	int rc;
	struct pvhdev__msix_dev *m = msix_of(dom, sbdf, entry, &rc);
	struct msix_entry *e;
	bool was;

	if (!m)
		return rc;
	if (!m->entries && !masked)
		return 0; /* as after reset: no host mask */
	rc = entries_alloc(m, entry);
	if (rc)
		return rc;
	e = &m->entries[entry];
	was = eff_masked(e);
	if (masked)
		e->flags |= MSIX_E_HMASK;
	else
		e->flags &= (uint8_t)~MSIX_E_HMASK;
	mask_effect(m, entry, was);
	return 0;
}

int pvhdev_msix_binding(const struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                        unsigned entry, struct pvhdev_irq_binding *out)
{
	int rc;
	const struct pvhdev__msix_dev *m = msix_of(dom, sbdf, entry, &rc);
	const struct msix_entry *e;
	struct pvhdev_event ev;

	memset(out, 0, sizeof(*out));
	if (!m)
		return rc;
	e = entry_view(m, entry);
	out->bound = e->flags & MSIX_E_BOUND;
	out->guest_masked = e->flags & MSIX_E_GMASK;
	out->host_masked = e->flags & MSIX_E_HMASK;
	out->addr = out->bound ? e->b_addr : entry_addr(e);
	out->data = out->bound ? e->b_data : e->dw[MSIX_DW_DATA];
	if (!pvhdev__msi_decode(out->addr, out->data, &ev)) {
		out->dest = ev.u.irq.dest;
		out->vector = ev.u.irq.vector;
		out->delivery = ev.u.irq.delivery;
	}
	return 0;
}

/* ---- Invariants ---- */

/* The capability and the command register as the hardware holds them
 * now, whatever pvhdev made of them (a refused layout included). */
struct msix_hw {
	uint32_t cmd, ctrl, table, pba;
	unsigned nr;
	bool decodes; /* memory: the command register's, a VF's PF's VF MSE */
};

/* Where memory BAR bir of dev is in the hardware now (a VF: its slice
 * of its PF's VF BAR). */
static bool hw_bar(struct pvhdev_dev *dev, unsigned bir, uint64_t *base)
{
	if (dev->vf)
		return pvhdev__sriov_vf_hw_bar(dev, bir, base);
	return pvhdev__hw_bar_addr(dev->dom, dev->sbdf, dev->hdr_type, bir, base);
}

static int hw_state(struct pvhdev_dev *dev, unsigned cap, struct msix_hw *h)
{
	struct pvhdev_domain *dom = dev->dom;
	int rc = pvhdev__hw_cfg_read(dom, dev->sbdf, PVHDEV_PCI_COMMAND, 2, &h->cmd);

	h->decodes = dev->vf ? pvhdev__sriov_vf_decodes(dev) : (h->cmd & 0x2);

	if (!rc)
		rc = pvhdev__hw_cfg_read(dom, dev->sbdf, cap + MSIX_CTRL, 2, &h->ctrl);
	if (!rc)
		rc = pvhdev__hw_cfg_read(dom, dev->sbdf, cap + MSIX_TABLE, 4, &h->table);
	if (!rc)
		rc = pvhdev__hw_cfg_read(dom, dev->sbdf, cap + MSIX_PBA, 4, &h->pba);
	h->nr = (h->ctrl & MSIX_CTRL_QSIZE) + 1;
	return rc;
}

static int msix_fail(struct pvhdev_dev *dev, char *msg, size_t len, const char *what,
                     uint64_t a, uint64_t b)
{
	char s[PVHDEV_SBDF_STRLEN];

	return pvhdev__check_fail(msg, len, "%s: MSI-X: %s (0x%llx, 0x%llx)",
	                          pvhdev_sbdf_str(dev->sbdf, s), what,
	                          (unsigned long long)a, (unsigned long long)b);
}

/* The pages of [off, off + size) of BAR bir (clipped to the BAR) are
 * in no p2m range while the device decodes. */
static int pages_check(struct pvhdev_dev *dev, uint32_t reg, uint64_t size,
                       const char *what, char *msg, size_t len)
{
	unsigned bir = reg & MSIX_BIR;
	uint64_t off = reg & ~MSIX_BIR, base;
	struct pvhdev__bar_info info;
	struct pvhdev_p2m_range r;

	if (pvhdev__bar_get(dev, bir, &info) || !info.mem || off >= info.size ||
	    !hw_bar(dev, bir, &base))
		return 0;
	if (size > info.size - off)
		size = info.size - off;
	uint64_t s = page_down(base + off) >> 12, e = page_up(base + off + size) >> 12;
	if (pvhdev__p2m_any(dev->dom, s, e - s, &r))
		return msix_fail(dev, msg, len, what, r.gfn, r.nr);
	return 0;
}

/* Entry i in the device (the table decodes): its message and mask. */
static int hw_entry(struct pvhdev_dev *dev, uint64_t a, uint64_t *addr,
                    uint32_t *data, bool *masked)
{
	uint64_t lo, hi = 0, d = 0, v = MSIX_VCTRL_MASK;
	int rc = pvhdev__hw_mmio_read(dev->dom, a, 4, &lo);

	if (!rc)
		rc = pvhdev__hw_mmio_read(dev->dom, a + 4, 4, &hi);
	if (!rc)
		rc = pvhdev__hw_mmio_read(dev->dom, a + 8, 4, &d);
	if (!rc)
		rc = pvhdev__hw_mmio_read(dev->dom, a + 12, 4, &v);
	*addr = hi << 32 | lo;
	*data = (uint32_t)d;
	*masked = v & MSIX_VCTRL_MASK;
	return rc;
}

/* What can fire: with MSI-X enabled and the function unmasked, every
 * entry the device has unmasked is bound with the message it holds,
 * and no entry pvhdev host-masked is unmasked.  The table is read only
 * while it decodes; while it does not, a host-masked entry needs the
 * function mask (or MSI-X off) to be in effect. */
static int irq_check(struct pvhdev_dev *dev, const struct msix_hw *h, char *msg,
                     size_t len)
{
	const struct pvhdev__msix_dev *m = dev->msix;
	bool live = pvhdev__check_on(dev->dom, PVHDEV__CK_MSIX_LIVE);
	bool hmask = pvhdev__check_on(dev->dom, PVHDEV__CK_MSIX_HMASK);
	bool decodes = h->decodes;
	uint64_t base;

	if (!(h->ctrl & MSIX_CTRL_ENABLE) || (h->ctrl & MSIX_CTRL_FMASK))
		return 0;
	if (decodes && !hw_bar(dev, h->table & MSIX_BIR, &base))
		decodes = false;
	for (unsigned i = 0; i < h->nr; i++) {
		const struct msix_entry *e = m && i < m->nr ? entry_view(m, i) : &entry_reset;
		uint64_t addr;
		uint32_t data;
		bool masked;
		if (!decodes) {
			if (hmask && (e->flags & MSIX_E_HMASK))
				return msix_fail(dev, msg, len, "host-masked entry, table not "
				                 "decoding and the function unmasked", i, h->ctrl);
			continue;
		}
		if ((!live && !(hmask && (e->flags & MSIX_E_HMASK))) ||
		    hw_entry(dev, base + (h->table & ~MSIX_BIR) + (uint64_t)i * MSIX_ENTRY_SIZE,
		             &addr, &data, &masked) || masked)
			continue;
		if (hmask && (e->flags & MSIX_E_HMASK))
			return msix_fail(dev, msg, len, "host-masked entry unmasked in the "
			                 "device", i, addr);
		if (!(e->flags & MSIX_E_BOUND))
			return msix_fail(dev, msg, len, "entry live in the device, not bound",
			                 i, addr);
		if (e->b_addr != addr || e->b_data != data)
			return msix_fail(dev, msg, len, "entry live with another message "
			                 "than bound", i, addr);
	}
	return 0;
}

/* Every entry pvhdev bound is one the device can send: MSI-X on in the
 * device and, where the table decodes and the function is unmasked,
 * the bound message in the entry, masked or not (a reset pvhdev did not
 * see would leave bindings of nothing, and the device with whatever
 * message its reset left).  A table whose entries do not take writes
 * keeps the function masked instead (mask_fallback). */
static int bound_check(struct pvhdev_dev *dev, const struct msix_hw *h, char *msg,
                       size_t len)
{
	const struct pvhdev__msix_dev *m = dev->msix;
	uint64_t base = 0, addr;
	uint32_t data;
	bool masked, decodes;

	if (!m || !m->entries || !pvhdev__check_on(dev->dom, PVHDEV__CK_MSIX_BOUND))
		return 0;
	decodes = (h->cmd & 0x2) && !(h->ctrl & MSIX_CTRL_FMASK) &&
	          pvhdev__hw_bar_addr(dev->dom, dev->sbdf, dev->hdr_type,
	                                                h->table & MSIX_BIR, &base);
	for (unsigned i = 0; i < m->nr; i++) {
		const struct msix_entry *e = &m->entries[i];
		if (!(e->flags & MSIX_E_BOUND))
			continue;
		if (!(h->ctrl & MSIX_CTRL_ENABLE))
			return msix_fail(dev, msg, len, "entry bound, MSI-X off in the device",
			                 i, h->ctrl);
		if (decodes &&
		    !hw_entry(dev, base + (h->table & ~MSIX_BIR) + (uint64_t)i * MSIX_ENTRY_SIZE,
		              &addr, &data, &masked) &&
		    (addr != e->b_addr || data != e->b_data))
			return msix_fail(dev, msg, len, "entry bound, another message in the "
			                 "device", i, addr);
	}
	return 0;
}

static int msix_check_dev(struct pvhdev_dev *dev, char *msg, size_t len)
{
	struct msix_hw h;
	unsigned cap;
	int rc;

	if (pvhdev_dev_find_cap(dev, PCI_CAP_ID_MSIX, &cap) || hw_state(dev, cap, &h))
		return 0;
	/* A refused layout (no dev->msix) is harmless while MSI-X is off
	 * in the device: dom0 can never turn it on (the capability reads
	 * as absent), so its table is memory like any other. */
	if (!dev->msix && (h.ctrl & MSIX_CTRL_ENABLE) &&
	    pvhdev__check_on(dev->dom, PVHDEV__CK_MSIX_LIVE))
		return msix_fail(dev, msg, len, "enabled in the device with its layout "
		                 "refused", h.ctrl, h.table);
	if (h.decodes && (dev->msix || (h.ctrl & MSIX_CTRL_ENABLE)) &&
	    pvhdev__check_on(dev->dom, PVHDEV__CK_MSIX_PAGES) &&
	    ((rc = pages_check(dev, h.table, (uint64_t)h.nr * MSIX_ENTRY_SIZE,
	                       "table page in the p2m while decoding", msg, len)) ||
	     (rc = pages_check(dev, h.pba, (h.nr + 63u) / 64u * 8u,
	                       "PBA page in the p2m while decoding", msg, len))))
		return rc;
	if ((rc = bound_check(dev, &h, msg, len)))
		return rc;
	return irq_check(dev, &h, msg, len);
}

const struct pvhdev__module pvhdev__msix_module = {
	.name = "msix",
	.dev_add = msix_dev_add,
	.dev_remove = msix_dev_remove,
	.bar_moved = msix_bar_moved,
	.decoded = msix_decoded,
	.dev_reset = msix_dev_reset,
	.check_dev = msix_check_dev,
};
