/* SPDX-License-Identifier: MIT */
/*
 * The BAR module's invariants: every mapped BAR, and every 64-bit BAR
 * held between its halves, has decoding on and sits where its register
 * says; the MSI-X pages of both are claimed and never in the p2m; every
 * BAR range in the p2m belongs to a mapped BAR and lies inside it; a
 * BAR with MSI-X pages decodes only mapped, held, or at 0.
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

/* A BAR with MSI-X pages that neither maps nor is held must not decode
 * them anywhere but at 0 (unassigned, checked when decoding went on):
 * unclaimed, another mapping could cover them (a move half done). */
static int check_unclaimed(struct pvhdev__bar_dev *bd, unsigned bir, char *msg,
                           size_t len)
{
	uint64_t addr;
	bool on;

	if (bd->cmd_pending || !pvhdev__bar_is_mem(&bd->bars[bir]) ||
	    decoding(bd, bir, &on) || !on || pvhdev__bar_read_addr(bd, bir, &addr) || !addr)
		return 0;
	return fail(bd->dev, msg, len, bir, "decodes with its MSI-X pages unclaimed", addr, 0);
}

static int check_holes(struct pvhdev__bar_dev *bd, char *msg, size_t len)
{
	struct pvhdev_dev *dev = bd->dev;

	for (unsigned i = 0; i < dev->nr_holes; i++) {
		const struct pvhdev__hole *h = &dev->holes[i];
		const struct bar *b = &bd->bars[h->bir];
		struct pvhdev__bar_info at = { .addr = b->addr,
		                               .mapped = bar_maps(b) || bar_held(b) };
		struct pvhdev_p2m_range r;
		if (!h->size)
			continue;
		/* A VF's holes are in its slice of its PF's VF BAR. */
		if (dev->vf && pvhdev__sriov_vf_bar(dev, h->bir, &at))
			continue;
		if (!at.mapped) {
			int rc = dev->vf ? 0 : check_unclaimed(bd, h->bir, msg, len);
			if (rc)
				return rc;
			continue;
		}
		/* A mapped or held BAR claims all of its MSI-X pages. */
		uint64_t s = (at.addr + h->off) >> 12;
		uint64_t e = (at.addr + h->off + h->size + 0xfff) >> 12;
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
		if ((b->state != BAR_MAPPED && !bar_held(b)) || bd->cmd_pending)
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
			    (!bar_maps(bar_at(dev->bar, (unsigned)r.bar)) &&
			     !bar_queued(bar_at(dev->bar, (unsigned)r.bar))))
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
