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

static const char *const excl_names[] = {
	[PVHDEV__EXCL_RAM] = "RAM", [PVHDEV__EXCL_RESERVED] = "a reserved range",
	[PVHDEV__EXCL_MMCFG] = "an MMCFG window", [PVHDEV__EXCL_IOAPIC] = "an IO-APIC",
	[PVHDEV__EXCL_LAPIC] = "the LAPIC",
};

static void log_skip(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t gfn,
                     uint64_t nr, const char *what)
{
	char s[PVHDEV_SBDF_STRLEN];

	pvhdev__log(bd->dev->dom, PVHDEV_LOG_WARN,
	            "%s: BAR %u: pages 0x%llx-0x%llx overlap %s: not mapped",
	            pvhdev_sbdf_str(bd->dev->sbdf, s), bir, (unsigned long long)gfn,
	            (unsigned long long)(gfn + nr - 1), what);
}

/* The first hole page range of bir at or after gfn, clipped to end. */
static bool hole_first(const struct pvhdev__bar_dev *bd, unsigned bir,
                       uint64_t gfn, uint64_t end, uint64_t *hs, uint64_t *he)
{
	const struct pvhdev_dev *dev = bd->dev;
	uint64_t base = bd->bars[bir].addr;
	bool found = false;

	for (unsigned i = 0; i < dev->nr_holes; i++) {
		const struct pvhdev__hole *h = &dev->holes[i];
		if (h->bir != bir || !h->size)
			continue;
		uint64_t s = (base + h->off) >> PAGE_SHIFT;
		uint64_t e = (base + h->off + h->size + PAGE_MASK) >> PAGE_SHIFT;
		if (e <= gfn || s >= end || (found && s >= *hs))
			continue;
		*hs = s < gfn ? gfn : s;
		*he = e;
		found = true;
	}
	return found;
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
	if (hole_first(bd, bir, gfn, end, &s, &he) && s < best)
		best = s, *skip = he;
	if (!pvhdev__excl_first(dom, gfn, end - gfn, &s, &n, &kind) &&
	    (s < gfn ? gfn : s) < best) {
		best = s < gfn ? gfn : s;
		*skip = s + n;
		why = excl_names[kind];
	}
	if (!pvhdev__p2m_first_from(dom, gfn, &r) && r.gfn < end &&
	    (r.gfn < gfn ? gfn : r.gfn) < best) {
		best = r.gfn < gfn ? gfn : r.gfn;
		*skip = r.gfn + r.nr;
		why = r.owner == bd->dev->sbdf && r.bar == (int)bir ? NULL
		      : "a range already mapped";
	}
	if (why && best < end)
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
	if (!map)
		bar_notify(bd, bir, false); /* the traps stop first */
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
