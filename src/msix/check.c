/* SPDX-License-Identifier: MIT */
/*
 * MSI-X's public API (pvhdev_msix_host_mask, pvhdev_msix_binding: an
 * entry's host mask and binding, include/pvhdev/irq.h) and its
 * invariant checks (the module's check_dev): what the hardware holds
 * now, read back, against what pvhdev decided.
 *
 *   table and PBA pages   in no p2m range while the device decodes
 *   bound entries         MSI-X on in the device, the bound message in
 *                         the entry where the table decodes
 *   live entries          with MSI-X on and the function unmasked,
 *                         every entry unmasked in the device is bound
 *                         with its message; none is host-masked
 */
#include "msix/msix.h"

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
	rc = pvhdev__msix_entries_alloc(m, entry);
	if (rc)
		return rc;
	e = &m->entries[entry];
	was = msix_eff_masked(e);
	if (masked)
		e->flags |= MSIX_E_HMASK;
	else
		e->flags &= (uint8_t)~MSIX_E_HMASK;
	pvhdev__msix_mask_effect(m, entry, was);
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
	e = msix_entry_view(m, entry);
	out->bound = e->flags & MSIX_E_BOUND;
	out->guest_masked = e->flags & MSIX_E_GMASK;
	out->host_masked = e->flags & MSIX_E_HMASK;
	out->addr = out->bound ? e->b_addr : msix_entry_addr(e);
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
	uint64_t s = msix_page_down(base + off) >> 12, e = msix_page_up(base + off + size) >> 12;
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
		const struct msix_entry *e = m && i < m->nr ? msix_entry_view(m, i)
		                                            : &pvhdev__msix_entry_reset;
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

int pvhdev__msix_check_dev(struct pvhdev_dev *dev, char *msg, size_t len)
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
