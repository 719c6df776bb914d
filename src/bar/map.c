/* SPDX-License-Identifier: MIT */
/*
 * Mapping BARs into dom0's p2m, now (before boot completes, at device
 * add and removal) or through the deferred queue that the embedder
 * drains with a budget, like a preemptible hypercall continuation.
 *
 * What a BAR maps is its page range minus, in this order of discovery:
 *   - its MSI-X table and PBA pages (dev->holes),
 *   - excluded frames (RAM, reserved, MMCFG, IO-APIC, LAPIC),
 *   - pages something else already maps (never double-mapped).
 * Each remaining piece is an identity range owned by (device, BAR).
 */
#include "bar/bar.h"

#define PAGE_SHIFT 12
#define PAGE_MASK ((1ull << PAGE_SHIFT) - 1)

static enum pvhdev_map_reason reason_of(unsigned bir)
{
	return bir < BAR_ROM ? PVHDEV_MAP_BAR
	       : bir == BAR_ROM ? PVHDEV_MAP_ROM : PVHDEV_MAP_VF_BAR;
}

static void log_skip(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t gfn,
                     uint64_t nr, const char *what)
{
	char s[PVHDEV_SBDF_STRLEN];

	pvhdev__log(bd->dev->dom, PVHDEV_LOG_WARN,
	            "%s: BAR %u: pages 0x%llx-0x%llx overlap %s: not mapped",
	            pvhdev_sbdf_str(bd->dev->sbdf, s), bir, (unsigned long long)gfn,
	            (unsigned long long)(gfn + nr - 1), what);
}

/* The first claimed MSI-X page range (of any device) overlapping
 * [gfn, end): its start clipped to gfn, and its end. */
static bool hole_first(const struct pvhdev_domain *dom, uint64_t gfn, uint64_t end,
                       uint64_t *hs, uint64_t *he)
{
	const struct pvhdev__rnode *n = pvhdev__rtree_first_from(&dom->bar_queue->holes,
	                                                         gfn);

	if (!n || n->start >= end)
		return false;
	*hs = n->start < gfn ? gfn : n->start;
	*he = n->last + 1;
	return true;
}

static void hole_pages(const struct pvhdev__hole *h, uint64_t base, uint64_t *s,
                       uint64_t *e)
{
	*s = (base + h->off) >> PAGE_SHIFT;
	*e = (base + h->off + h->size + PAGE_MASK) >> PAGE_SHIFT;
}

/* Every claim of bir, whatever dev->nr_holes says now: MSI-X may have
 * let go of its holes first (modules are removed in reverse order). */
static void holes_release(struct pvhdev__bar_dev *bd, unsigned bir)
{
	struct pvhdev_dev *dev = bd->dev;

	for (unsigned i = 0; i < PVHDEV__MAX_HOLES; i++) {
		struct pvhdev__hole *h = &dev->holes[i];
		if (h->bir != bir || !h->claimed)
			continue;
		pvhdev__rtree_remove(&dev->dom->bar_queue->holes, &h->claim);
		h->claimed = false;
	}
}

/* bir's MSI-X page ranges at base, merged where they touch (a table and
 * its PBA often share a page); returns how many, at most the holes. */
static unsigned hole_ranges(const struct pvhdev_dev *dev, unsigned bir,
                            uint64_t base, uint64_t s[], uint64_t e[])
{
	unsigned n = 0;

	for (unsigned i = 0; i < dev->nr_holes; i++) {
		const struct pvhdev__hole *h = &dev->holes[i];
		uint64_t hs, he;
		unsigned j = n;
		if (h->bir != bir || !h->size)
			continue;
		hole_pages(h, base, &hs, &he);
		while (j > 0 && s[j - 1] > hs) {
			s[j] = s[j - 1], e[j] = e[j - 1];
			j--;
		}
		s[j] = hs, e[j] = he;
		n++;
	}
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++) {
		if (m && s[i] <= e[m - 1]) {
			e[m - 1] = e[i] > e[m - 1] ? e[i] : e[m - 1];
			continue;
		}
		s[m] = s[i], e[m] = e[i];
		m++;
	}
	return m;
}

/* Claims bir's MSI-X pages at base before the BAR maps: they must be
 * free of any mapping and of other claims, or the BAR does not map at
 * all (its MSI-X table could not be trapped). */
static int holes_claim(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t base)
{
	struct pvhdev_dev *dev = bd->dev;
	uint64_t s[PVHDEV__MAX_HOLES], e[PVHDEV__MAX_HOLES];
	unsigned n = hole_ranges(dev, bir, base, s, e), k = 0;
	struct pvhdev_p2m_range r;

	for (unsigned i = 0; i < dev->nr_holes && k < n; i++) {
		struct pvhdev__hole *h = &dev->holes[i];
		if (h->bir != bir || !h->size)
			continue;
		h->claim.start = s[k];
		h->claim.last = e[k] - 1;
		if ((!pvhdev__p2m_first_from(dev->dom, s[k], &r) && r.gfn < e[k]) ||
		    pvhdev__rtree_insert(&dev->dom->bar_queue->holes, &h->claim)) {
			char str[PVHDEV_SBDF_STRLEN];
			holes_release(bd, bir);
			pvhdev__log(dev->dom, PVHDEV_LOG_WARN, "%s: BAR %u: MSI-X pages "
			            "0x%llx-0x%llx are mapped or trapped already: BAR not mapped",
			            pvhdev_sbdf_str(dev->sbdf, str), bir,
			            (unsigned long long)s[k], (unsigned long long)(e[k] - 1));
			return -EBUSY;
		}
		h->claimed = true;
		k++;
	}
	return 0;
}

/* The first page in [gfn, end) this BAR must not map: returns it and
 * sets *skip to where mapping may resume.  Returns end when none. */
static uint64_t obstacle(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t gfn,
                         uint64_t end, uint64_t *skip)
{
	struct pvhdev_domain *dom = bd->dev->dom;
	uint64_t best = end, s = 0, n = 0, he = 0;
	enum pvhdev__excl_kind kind;
	struct pvhdev_p2m_range r;
	const char *why = NULL;

	*skip = end;
	if (hole_first(dom, gfn, end, &s, &he) && s < best)
		best = s, *skip = he;
	if (!pvhdev__excl_first(dom, gfn, end - gfn, &s, &n, &kind) &&
	    (s < gfn ? gfn : s) < best) {
		best = s < gfn ? gfn : s;
		*skip = s + n;
		why = pvhdev__excl_name(kind);
	}
	if (!pvhdev__p2m_first_from(dom, gfn, &r) && r.gfn < end &&
	    (r.gfn < gfn ? gfn : r.gfn) < best) {
		best = r.gfn < gfn ? gfn : r.gfn;
		*skip = r.gfn + r.nr;
		why = r.owner == bd->dev->sbdf && r.bar == (int)bir ? NULL
		      : "a range already mapped";
	}
	/* Logged when the walk reaches it (best == gfn), once. */
	if (why && best == gfn && best < end)
		log_skip(bd, bir, best, (*skip < end ? *skip : end) - best, why);
	return best;
}

/* Does w's work; when limited, at most *left pages of it (*left counts
 * down).  A piece the hypervisor refuses is logged and skipped; only
 * running out of memory stops the work (it can be resumed). */
static int work_step(struct bar_work *w, bool limited, uint64_t *left)
{
	struct pvhdev__bar_dev *bd = w->bd;
	struct pvhdev_domain *dom = bd->dev->dom;

	while (w->cursor < w->end) {
		if (limited && !*left)
			return 0;
		uint64_t skip = w->end;
		uint64_t stop = w->map ? obstacle(bd, w->bir, w->cursor, w->end, &skip)
		                       : w->end;
		if (stop == w->cursor) {
			w->cursor = skip < w->end ? skip : w->end;
			continue;
		}
		if (limited && stop - w->cursor > *left)
			stop = w->cursor + *left;
		int rc = w->map ? pvhdev__p2m_identity_map(dom, w->cursor, stop - w->cursor,
		                                           reason_of(w->bir),
		                                           bd->dev->sbdf, w->bir)
		                : pvhdev__p2m_identity_unmap(dom, w->cursor,
		                                             stop - w->cursor,
		                                             bd->dev->sbdf, w->bir);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			log_skip(bd, w->bir, w->cursor, stop - w->cursor,
			         "a refusal of the hypervisor");
		if (limited)
			*left -= stop - w->cursor;
		w->cursor = stop;
	}
	return 0;
}

void bar_notify(struct pvhdev__bar_dev *bd, unsigned bir, bool mapped)
{
	const struct bar *b = &bd->bars[bir];

	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		if (m && m->bar_moved)
			m->bar_moved(bd->dev, bir, b->addr, b->size, mapped);
	}
}

static uint64_t span_bytes(const struct pvhdev__bar_dev *bd, unsigned bir)
{
	if (bir >= BAR_VF0)
		return sriov_vf_bar_span(bd, bir - BAR_VF0);
	return bd->bars[bir].size;
}

/* A finished item: tell the modules, and release a command write that
 * waited for this device's p2m work. */
static int work_done(struct bar_work *w)
{
	struct pvhdev__bar_dev *bd = w->bd;

	if (w->map && bd->bars[w->bir].mapped)
		bar_notify(bd, w->bir, true);
	if (!w->queued)
		return 0;
	w->queued = false;
	if (--bd->queued || !bd->cmd_pending)
		return 0;
	bd->cmd_pending = false;
	return pvhdev__hw_cfg_write(bd->dev->dom, bd->dev->sbdf, PCI_COMMAND, 2,
	                            bd->cmd_val);
}

static void enqueue(struct pvhdev__bar_queue *q, struct bar_work *w)
{
	w->next = NULL;
	w->queued = true;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	w->bd->queued++;
}

int bar_schedule(struct pvhdev__bar_dev *bd, unsigned bir, bool map,
                 uint64_t addr, bool now)
{
	struct pvhdev_domain *dom = bd->dev->dom;
	struct bar *b = &bd->bars[bir];
	struct bar_work *w = &b->work;
	uint64_t span = span_bytes(bd, bir);

	if (w->queued) {
		int rc = bar_flush(bd);
		if (rc)
			return rc;
	}
	if (!span || (!map && !b->mapped))
		return 0;
	if (map && holes_claim(bd, bir, addr))
		return 0; /* logged; the BAR stays unmapped */
	if (!map) {
		bar_notify(bd, bir, false); /* the traps stop first */
		holes_release(bd, bir);
	}
	b->mapped = map;
	if (map)
		b->addr = addr;
	w->bd = bd;
	w->bir = (uint8_t)bir;
	w->map = map;
	w->cursor = b->addr >> PAGE_SHIFT;
	w->end = (b->addr + span + PAGE_MASK) >> PAGE_SHIFT;
	if (now) {
		uint64_t none = 0;
		int rc = work_step(w, false, &none);
		return rc ? rc : work_done(w);
	}
	enqueue(dom->bar_queue, w);
	return 0;
}

static void unlink_work(struct pvhdev__bar_queue *q, struct bar_work *w)
{
	struct bar_work **pp = &q->head, *prev = NULL;

	while (*pp && *pp != w) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = w->next;
	if (q->tail == w)
		q->tail = prev;
	w->next = NULL;
}

int bar_flush(struct pvhdev__bar_dev *bd)
{
	struct pvhdev__bar_queue *q = bd->dev->dom->bar_queue;
	int rc = 0;

	for (unsigned i = 0; i < NR_BARS && bd->queued && !rc; i++) {
		struct bar_work *w = &bd->bars[i].work;
		uint64_t none = 0;
		if (!w->queued)
			continue;
		rc = work_step(w, false, &none);
		if (!rc) {
			unlink_work(q, w);
			rc = work_done(w);
		}
	}
	return rc;
}

void bar_cancel(struct pvhdev__bar_dev *bd)
{
	struct pvhdev__bar_queue *q = bd->dev->dom->bar_queue;

	for (unsigned i = 0; i < NR_BARS; i++) {
		struct bar_work *w = &bd->bars[i].work;
		uint64_t none = 0;
		if (!w->queued)
			continue;
		unlink_work(q, w);
		w->queued = false;
		/* An unmap is finished now: its pages must not outlive the
		 * device.  A map's pages so far stay marked mapped. */
		if (!w->map)
			work_step(w, false, &none);
	}
	bd->queued = 0;
	bd->cmd_pending = false;
}

int pvhdev_process_pending(struct pvhdev_domain *dom, uint64_t budget,
                           bool *more)
{
	struct pvhdev__bar_queue *q = dom->bar_queue;
	uint64_t left = budget;
	int rc = 0;

	while (q->head && !rc && (!budget || left)) {
		struct bar_work *w = q->head;
		rc = work_step(w, budget != 0, &left);
		if (rc || w->cursor < w->end)
			break;
		q->head = w->next;
		if (!q->head)
			q->tail = NULL;
		w->next = NULL;
		rc = work_done(w);
	}
	if (more)
		*more = q->head != NULL;
	return rc;
}
