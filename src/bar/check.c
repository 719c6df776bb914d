/* SPDX-License-Identifier: MIT */
/*
 * The BAR module's invariants: every mapped BAR has decoding on and sits
 * where its register says; MSI-X pages are never in the p2m; every BAR
 * range in the p2m belongs to a mapped BAR and lies inside it.
 */
#include "bar/bar.h"

static int fail(struct pvhdev_dev *dev, char *msg, size_t len, unsigned bir,
                const char *what, uint64_t a, uint64_t b)
{
	char s[PVHDEV_SBDF_STRLEN];

	if (len)
		pvhdev__snprintf(msg, len, "%s: BAR %u: %s (0x%llx, 0x%llx)",
		                 pvhdev_sbdf_str(dev->sbdf, s), bir, what,
		                 (unsigned long long)a, (unsigned long long)b);
	return -EPROTO;
}

/* Whether BAR bir decodes now, as the hardware says. */
static int decoding(struct pvhdev__bar_dev *bd, unsigned bir, bool *on)
{
	uint32_t cmd, rom = 1;
	int rc = pvhdev_dev_hw_read(bd->dev, PCI_COMMAND, 2, &cmd);

	if (!rc && bir == BAR_ROM)
		rc = pvhdev_dev_hw_read(bd->dev, bd->bars[BAR_ROM].reg, 4, &rom);
	*on = (cmd & PCI_COMMAND_MEMORY) && (rom & PCI_ROM_ENABLE);
	return rc;
}

static int check_holes(struct pvhdev__bar_dev *bd, char *msg, size_t len)
{
	struct pvhdev_dev *dev = bd->dev;

	for (unsigned i = 0; i < dev->nr_holes; i++) {
		const struct pvhdev__hole *h = &dev->holes[i];
		struct pvhdev__bar_info vf = { .addr = bd->bars[h->bir].addr,
		                               .mapped = bd->bars[h->bir].mapped };
		struct pvhdev_p2m_range r;
		/* A VF's holes are in its slice of its PF's VF BAR. */
		if (dev->vf && pvhdev__sriov_vf_bar(dev, h->bir, &vf))
			continue;
		uint64_t s = (vf.addr + h->off) >> 12;
		uint64_t e = (vf.addr + h->off + h->size + 0xfff) >> 12;
		if (!vf.mapped || !h->size)
			continue;
		/* A mapped BAR holds claims on all of its MSI-X pages. */
		const struct pvhdev__rnode *c =
			pvhdev__rtree_find(&dev->dom->bar_queue->holes, s);
		if (!c || c->last < e - 1)
			return fail(dev, msg, len, h->bir, "MSI-X pages not claimed", s, e - s);
		if (!pvhdev__p2m_first_from(dev->dom, s, &r) && r.gfn < e)
			return fail(dev, msg, len, h->bir, "MSI-X page mapped", r.gfn, r.nr);
	}
	return 0;
}

int pvhdev__bar_check_dev(struct pvhdev_dev *dev, char *msg, size_t len)
{
	struct pvhdev__bar_dev *bd = dev->bar;
	uint64_t addr;
	bool on;

	if (!bd || !pvhdev__check_on(dev->dom, PVHDEV__CK_BAR))
		return 0;
	for (unsigned i = 0; i <= BAR_ROM; i++) {
		const struct bar *b = &bd->bars[i];
		if (!b->mapped || b->queued || bd->cmd_pending)
			continue;
		if (decoding(bd, i, &on) || !on)
			return fail(dev, msg, len, i, "mapped with decoding off", b->addr, 0);
		if (pvhdev__bar_read_addr(bd, i, &addr) || addr != b->addr)
			return fail(dev, msg, len, i, "mapped away from its register",
			            b->addr, addr);
	}
	return check_holes(bd, msg, len);
}

/* Every BAR range in the p2m: a mapped BAR of a present device owns it
 * and it lies inside that BAR. */
int pvhdev__bar_check_dom(struct pvhdev_domain *dom, char *msg, size_t len)
{
	struct pvhdev_p2m_range r;

	if (!pvhdev__check_on(dom, PVHDEV__CK_BAR))
		return 0;
	for (uint64_t gfn = 0; !pvhdev__p2m_first_from(dom, gfn, &r); gfn = r.gfn + r.nr) {
		struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, r.owner);
		if (r.bar >= 0) {
			/* An unmap still queued owns its pages until it runs. */
			if (!dev || !dev->bar || r.bar >= (int)bar_count(dev->bar) ||
			    (!bar_at(dev->bar, (unsigned)r.bar)->mapped &&
			     !bar_at(dev->bar, (unsigned)r.bar)->queued))
				return fail(dev ? dev : &(struct pvhdev_dev){ .sbdf = r.owner },
				            msg, len, (unsigned)r.bar, "p2m range of no mapped BAR",
				            r.gfn, r.nr);
			const struct bar *b = bar_at(dev->bar, (unsigned)r.bar);
			uint64_t span = r.bar >= BAR_VF0 ? pvhdev__sriov_vf_bar_span(dev->bar, r.bar - BAR_VF0)
			                                 : b->size;
			uint64_t s = b->addr >> 12, e = (b->addr + span + 0xfff) >> 12;
			if (r.gfn < s || r.gfn + r.nr > e)
				return fail(dev, msg, len, (unsigned)r.bar, "p2m range outside the BAR",
				            r.gfn, r.nr);
		}
		if (r.gfn + r.nr == 0)
			break;
	}
	return 0;
}
