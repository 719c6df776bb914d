/* SPDX-License-Identifier: MIT */
/*
 * MSI-X entries: dom0's shadows of the table, the bindings made of
 * them, and the masks and control that reach the device.  Only this
 * file writes the device's table and message control.
 *
 * Bindings: clearing an entry's mask while MSI-X is enabled and the
 * function unmasked binds it (or rebinds it when its message changed
 * since it was bound: address/data writes take effect at the next
 * unmask); enabling or clearing the function mask binds every unmasked
 * entry not bound yet or changed; masking a bound entry is a mask
 * effect; disabling unbinds all.  pvhdev allocates no host vectors, so
 * the message the hypervisor programs is the one it bound: dom0's, once
 * validated (docs/interrupts.md).
 *
 * The device's mask bit of an entry is set unless the entry is bound
 * and unmasked by dom0 and the host; a mask the device does not take
 * (its table not decoding, a bit that does not stick) falls back to
 * the function mask until entries_sync() can write it (m->stale).
 */
#include "msix/msix.h"

/* ---- Entries ---- */

const struct msix_entry pvhdev__msix_entry_reset = { .flags = MSIX_E_GMASK };

/* The shadows, allocated when dom0 (or the host) first changes entry
 * i; they start as pvhdev__msix_entry_reset.  -ENOMEM leaves every
 * entry reset. */
int pvhdev__msix_entries_alloc(struct pvhdev__msix_dev *m, unsigned i)
{
	struct msix_entry *e;

	if (m->entries)
		return 0;
	e = pvhdev__zalloc(m->dev->dom, (size_t)m->nr * sizeof(*e));
	if (!e) {
		pvhdev__msix_log(m->dev, PVHDEV_LOG_ERROR, "no memory for the shadows of %u "
				 "entries: entry %u not changed", m->nr, i);
		return -ENOMEM;
	}
	for (unsigned j = 0; j < m->nr; j++)
		e[j] = pvhdev__msix_entry_reset;
	m->entries = e;
	return 0;
}

/* Bound, and dom0 has not written a new message since. */
static bool bound_same(const struct msix_entry *e)
{
	return (e->flags & MSIX_E_BOUND) && e->b_addr == msix_entry_addr(e) &&
	       e->b_data == e->dw[MSIX_DW_DATA];
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
 * mask stands in for them (as Xen's does) until
 * pvhdev__msix_entries_sync(). */
static void mask_fallback(struct pvhdev__msix_dev *m)
{
	if (m->stale)
		return;
	m->stale = true;
	pvhdev__msix_hw_ctrl_sync(m);
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
	if (!msix_eff_masked(e))
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
		pvhdev__msix_log(m->dev, PVHDEV_LOG_WARN, "entry %u: table in BAR %u not "
				 "decoding: not bound", i, m->table_bir);
		return;
	}
	if (pvhdev__msi_decode(msix_entry_addr(e), e->dw[MSIX_DW_DATA], &probe)) {
		pvhdev__msix_log(m->dev, PVHDEV_LOG_WARN, "entry %u: address 0x%llx is not an "
				 "interrupt address (0xfeexxxxx): not bound", i,
				 (unsigned long long)msix_entry_addr(e));
		return;
	}
	if (emit_entry(m, PVHDEV_EV_MSIX_BIND, i, msix_entry_addr(e), e->dw[MSIX_DW_DATA],
	               false)) {
		pvhdev__msix_log(m->dev, PVHDEV_LOG_WARN, "entry %u: refused by the "
				 "hypervisor: not bound", i);
		return;
	}
	e->flags |= MSIX_E_BOUND;
	e->b_addr = msix_entry_addr(e);
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
void pvhdev__msix_mask_effect(struct pvhdev__msix_dev *m, unsigned i, bool was)
{
	const struct msix_entry *e = &m->entries[i];
	bool now = msix_eff_masked(e);

	if (!(e->flags & MSIX_E_BOUND) || now == was)
		return;
	emit_entry(m, PVHDEV_EV_MSIX_MASK, i, e->b_addr, e->b_data, now);
	hw_vctrl(m, i, now);
}

/* dom0 writes an entry's mask bit.  Unmasking a binding whose message
 * is unchanged unmasks it; otherwise, while active, it (re)binds. */
void pvhdev__msix_vctrl_write(struct pvhdev__msix_dev *m, unsigned i, bool masked)
{
	struct msix_entry *e = &m->entries[i];
	bool was = msix_eff_masked(e);

	if (masked == !!(e->flags & MSIX_E_GMASK))
		return;
	if (masked) {
		e->flags |= MSIX_E_GMASK;
		pvhdev__msix_mask_effect(m, i, was);
		return;
	}
	e->flags &= (uint8_t)~MSIX_E_GMASK;
	if (bound_same(e))
		pvhdev__msix_mask_effect(m, i, was);
	else if (msix_active(m))
		entry_rebind(m, i);
}

/* MSI-X just became active: every unmasked entry that is not bound with
 * its current message binds (with no shadows, every entry is masked). */
void pvhdev__msix_arm_all(struct pvhdev__msix_dev *m)
{
	for (unsigned i = 0; m->entries && i < m->nr; i++) {
		const struct msix_entry *e = &m->entries[i];
		if (!(e->flags & MSIX_E_GMASK) && !bound_same(e))
			entry_rebind(m, i);
	}
}

void pvhdev__msix_unbind_all(struct pvhdev__msix_dev *m)
{
	for (unsigned i = 0; m->entries && i < m->nr; i++)
		if (m->entries[i].flags & MSIX_E_BOUND)
			entry_unbind(m, i);
}

/* ---- The device's mask bits and control ---- */

/* The device's enable is dom0's; its function mask is dom0's, or set
 * while the entries' mask bits in the device are stale. */
void pvhdev__msix_hw_ctrl_sync(struct pvhdev__msix_dev *m)
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
void pvhdev__msix_entries_sync(struct pvhdev__msix_dev *m)
{
	bool stale = false;

	if (!table_decodes(m))
		return;
	/* Stale while it runs, so that no mask falls back on its own; a
	 * mask that did not stick keeps the fallback afterwards (the
	 * callers sync the control). */
	m->stale = true;
	for (unsigned i = 0; i < m->nr; i++) {
		const struct msix_entry *e = msix_entry_view(m, i);
		bool want = !(e->flags & MSIX_E_BOUND) || msix_eff_masked(e);
		if (!hw_vctrl(m, i, want) && want)
			stale = true;
	}
	m->stale = stale;
}
