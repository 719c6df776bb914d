/* SPDX-License-Identifier: MIT */
/*
 * pvhdev_check_invariants: what pvhdev.h promises, checked against the
 * hardware as the backend holds it.  The core checks the p2m against
 * the excluded frames and the trapped MMIO ranges, and hidden devices;
 * each module checks its own clauses through its check hooks
 * (enum pvhdev__clause in core.h lists them all).  Reads of the
 * hardware go through pvhdev__hw_*_read: they log nothing and are no
 * guest access.
 */
#include "core/core.h"

int pvhdev__check_fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (len)
		pvhdev__vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

#define fail pvhdev__check_fail

bool pvhdev__p2m_any(const struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr,
                     struct pvhdev_p2m_range *r)
{
	uint64_t at = gfn;

	/* The first range ending at or after gfn may start before it.
	 * Populated RAM (copied below 1 MiB) is dom0's memory, not the
	 * frames at those addresses: only identity ranges reach them. */
	while (nr && !pvhdev__p2m_first_from(dom, at, r) &&
	       (r->gfn <= gfn || r->gfn - gfn < nr)) {
		if (r->type == PVHDEV_P2M_IDENTITY)
			return true;
		at = r->gfn + r->nr;
		if (!at)
			break;
	}
	return false;
}

bool pvhdev__hw_bar_addr(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                         unsigned hdr_type, unsigned bir, uint64_t *addr)
{
	unsigned nr = pvhdev__pci_layout(hdr_type)->nr_bars;
	uint32_t lo, hi = 0;

	if (bir >= nr ||
	    pvhdev__hw_cfg_read(dom, sbdf, PVHDEV_PCI_BASE_ADDRESS(bir), 4, &lo) ||
	    pvhdev__pci_bar_kind(lo) == PVHDEV__PCI_BAR_IO)
		return false;
	if (pvhdev__pci_bar_kind(lo) == PVHDEV__PCI_BAR_MEM64 &&
	    (bir + 1 >= nr ||
	     pvhdev__hw_cfg_read(dom, sbdf, PVHDEV_PCI_BASE_ADDRESS(bir + 1), 4, &hi)))
		return false;
	*addr = pvhdev__pci_bar_addr(lo, hi);
	return true;
}

/* Ranges are disjoint and in order; identity ranges avoid every
 * excluded frame (populated RAM copies are not identity). */
static int check_p2m(struct pvhdev_domain *dom, char *msg, size_t len)
{
	struct pvhdev_p2m_range r;
	uint64_t next = 0, s, n;
	enum pvhdev__excl_kind kind;

	for (uint64_t gfn = 0; !pvhdev__p2m_first_from(dom, gfn, &r); gfn = r.gfn + r.nr) {
		if (r.gfn < next || !r.nr)
			return fail(msg, len, "p2m: range 0x%llx+0x%llx overlaps the one before",
			            (unsigned long long)r.gfn, (unsigned long long)r.nr);
		if (r.type == PVHDEV_P2M_IDENTITY &&
		    !pvhdev__excl_first(dom, r.gfn, r.nr, &s, &n, &kind))
			return fail(msg, len, "p2m: identity range 0x%llx+0x%llx overlaps %s "
			            "at 0x%llx", (unsigned long long)r.gfn,
			            (unsigned long long)r.nr, pvhdev__excl_name(kind),
			            (unsigned long long)(s > r.gfn ? s : r.gfn));
		next = r.gfn + r.nr;
		if (!next)
			break; /* the range ends at the top of the space */
	}
	return 0;
}

/* Every trapped MMIO range (ECAM windows, boot or late; IO-APIC
 * windows; MSI-X table and PBA pages while trapped): dom0 reaches it
 * only through the trap, so no page of it is in the p2m. */
static int check_trapped(struct pvhdev_domain *dom, char *msg, size_t len)
{
	for (struct pvhdev__rnode *n = pvhdev__rtree_first(&dom->mmio); n;
	     n = pvhdev__rtree_next(n)) {
		uint64_t gfn = n->start >> 12, last = n->last >> 12;
		struct pvhdev_p2m_range r;
		if (pvhdev__p2m_any(dom, gfn, last - gfn + 1, &r))
			return fail(msg, len, "p2m: range 0x%llx+0x%llx covers the trapped "
			            "range 0x%llx-0x%llx", (unsigned long long)r.gfn,
			            (unsigned long long)r.nr, (unsigned long long)n->start,
			            (unsigned long long)n->last);
	}
	return 0;
}

struct walk {
	char *msg;
	size_t len;
};

/* A hidden device owns nothing: no module state, no register, no p2m
 * range in its name, and no BAR frame of it (as recorded when it was
 * hidden, and where the hardware has the BAR now) in the p2m. */
static int check_hidden(struct pvhdev_dev *dev, char *msg, size_t len)
{
	struct pvhdev_domain *dom = dev->dom;
	char s[PVHDEV_SBDF_STRLEN];
	struct pvhdev_p2m_range r;

	if (dev->nr_regs || dev->bar || dev->msi || dev->msix || dev->nr_holes)
		return fail(msg, len, "%s: hidden but owns state",
		            pvhdev_sbdf_str(dev->sbdf, s));
	for (unsigned i = 0; i < dom->nr_hidden_bars; i++) {
		const struct pvhdev__hidden_bar *h = &dom->hidden_bars[i];
		uint64_t now;
		if (h->sbdf != dev->sbdf)
			continue;
		if (pvhdev__p2m_any(dom, h->addr >> 12, (h->size + 0xfff) >> 12, &r) ||
		    (pvhdev__hw_bar_addr(dom, dev->sbdf, h->hdr_type, h->bir, &now) &&
		     now && pvhdev__p2m_any(dom, now >> 12, (h->size + 0xfff) >> 12, &r)))
			return fail(msg, len, "%s: hidden, but p2m range 0x%llx+0x%llx covers "
			            "its BAR %u", pvhdev_sbdf_str(dev->sbdf, s),
			            (unsigned long long)r.gfn, (unsigned long long)r.nr, h->bir);
	}
	return 0;
}

static int check_dev(void *arg, struct pvhdev_dev *dev)
{
	struct walk *w = arg;
	struct pvhdev_domain *dom = dev->dom;
	int rc;

	if (dev->hidden)
		return pvhdev__check_on(dom, PVHDEV__CK_HIDDEN)
		               ? check_hidden(dev, w->msg, w->len) : 0;
	if (pvhdev__check_on(dom, PVHDEV__CK_REGS) &&
	    (rc = pvhdev__regs_check(dev, w->msg, w->len)))
		return rc;
	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		if (m && m->check_dev && (rc = m->check_dev(dev, w->msg, w->len)))
			return rc;
	}
	return 0;
}

/* No p2m range in the name of a hidden device. */
static int check_owners(struct pvhdev_domain *dom, char *msg, size_t len)
{
	struct pvhdev_p2m_range r;
	char s[PVHDEV_SBDF_STRLEN];

	for (uint64_t gfn = 0; !pvhdev__p2m_first_from(dom, gfn, &r); gfn = r.gfn + r.nr) {
		const struct pvhdev_dev *dev = r.bar >= 0 ? pvhdev__dev_lookup(dom, r.owner)
		                                          : NULL;
		if (dev && dev->hidden)
			return fail(msg, len, "%s: hidden, but owns p2m range 0x%llx+0x%llx",
			            pvhdev_sbdf_str(dev->sbdf, s), (unsigned long long)r.gfn,
			            (unsigned long long)r.nr);
		if (r.gfn + r.nr == 0)
			break;
	}
	return 0;
}

int pvhdev__check_devs(struct pvhdev_domain *dom, const pvhdev_sbdf_t *sbdf, size_t n,
                       char *msg, size_t len)
{
	struct walk w = { .msg = msg, .len = len };
	int rc = 0;

	if (len)
		msg[0] = '\0';
	for (size_t i = 0; i < n && !rc; i++) {
		struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf[i]);
		rc = dev ? check_dev(&w, dev) : 0;
	}
	return rc;
}

int pvhdev_check_invariants(struct pvhdev_domain *dom, char *msg, size_t len)
{
	struct walk w = { .msg = msg, .len = len };
	int rc = 0;

	if (len)
		msg[0] = '\0';
	if (pvhdev__check_on(dom, PVHDEV__CK_P2M))
		rc = check_p2m(dom, msg, len);
	if (!rc && pvhdev__check_on(dom, PVHDEV__CK_TRAPPED))
		rc = check_trapped(dom, msg, len);
	if (!rc && pvhdev__check_on(dom, PVHDEV__CK_HIDDEN))
		rc = check_owners(dom, msg, len);
	if (!rc)
		rc = pvhdev_dev_foreach(dom, check_dev, &w);
	for (size_t i = 0; i < pvhdev__nr_modules && !rc; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		if (m && m->check_dom)
			rc = m->check_dom(dom, msg, len);
	}
	return rc;
}
