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

	for (unsigned i = 0; i < bd->claims.nr; i++) {
		if (dev->holes[i].bir != bir || !(bd->claims.held >> i & 1))
			continue;
		pvhdev__rtree_remove(&dev->dom->bar_queue->holes, &bd->claims.node[i]);
		bd->claims.held &= (uint8_t)~(1u << i);
	}
}

void pvhdev__bar_holes_free(struct pvhdev__bar_dev *bd)
{
	struct pvhdev_dev *dev = bd->dev;

	for (unsigned i = 0; i < bd->claims.nr; i++)
		if (bd->claims.held >> i & 1)
			pvhdev__rtree_remove(&dev->dom->bar_queue->holes, &bd->claims.node[i]);
	pvhdev__free(dev->dom, bd->claims.node, bd->claims.nr * sizeof(bd->claims.node[0]));
	bd->claims = (struct bar_claims){ 0 };
}

/* One claim node per hole, allocated at device start (MSI-X declares
 * its holes at device add, before), so that a guest access never
 * allocates; devices without holes need none.  decode_change() asks
 * again before anything maps, for holes declared later (no module does
 * today), so that running out of memory leaves nothing half-mapped.
 * Holes declared while claims are held keep the old storage, and
 * holes_claim() refuses them. */
int pvhdev__bar_holes_room(struct pvhdev__bar_dev *bd)
{
	struct pvhdev_dev *dev = bd->dev;
	struct pvhdev__rnode *c;

	if (dev->nr_holes <= bd->claims.nr || bd->claims.held)
		return 0;
	c = pvhdev__zalloc(dev->dom, dev->nr_holes * sizeof(*c));
	if (!c)
		return -ENOMEM;
	pvhdev__bar_holes_free(bd);
	bd->claims.node = c;
	bd->claims.nr = dev->nr_holes;
	return 0;
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

/* Whether BAR bir at addr covers BAR other's MSI-X pages at base, both
 * of this device (logged): the device would answer its trapped table
 * from bir's memory. */
bool pvhdev__bar_covers_holes(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                              unsigned other, uint64_t base)
{
	uint64_t s[PVHDEV__MAX_HOLES], e[PVHDEV__MAX_HOLES];
	unsigned n = hole_ranges(bd->dev, other, base, s, e);
	uint64_t first = addr >> PAGE_SHIFT;
	uint64_t end = (addr + bd->bars[bir].size + PAGE_MASK) >> PAGE_SHIFT;
	char str[PVHDEV_SBDF_STRLEN];

	for (unsigned k = 0; k < n; k++) {
		if (s[k] >= end || e[k] <= first)
			continue;
		pvhdev__log(bd->dev->dom, PVHDEV_LOG_WARN, "%s: BAR %u: covers BAR %u's "
		            "MSI-X pages 0x%llx-0x%llx: BAR not mapped",
		            pvhdev_sbdf_str(bd->dev->sbdf, str), bir, other,
		            (unsigned long long)s[k], (unsigned long long)(e[k] - 1));
		return true;
	}
	return false;
}

static void claim_refused(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t s,
                          uint64_t e)
{
	char str[PVHDEV_SBDF_STRLEN];

	pvhdev__log(bd->dev->dom, PVHDEV_LOG_WARN, "%s: BAR %u: MSI-X pages "
	            "0x%llx-0x%llx are mapped or trapped already: BAR not mapped",
	            pvhdev_sbdf_str(bd->dev->sbdf, str), bir, (unsigned long long)s,
	            (unsigned long long)(e - 1));
}

/* Whether claim node n is one of BAR bir's own. */
static bool own_claim(const struct pvhdev__bar_dev *bd, unsigned bir,
                      const struct pvhdev__rnode *n)
{
	return bd->claims.node && n >= bd->claims.node &&
	       n < bd->claims.node + bd->claims.nr &&
	       bd->dev->holes[n - bd->claims.node].bir == bir;
}

/* Whether pages [s, e) are in a mapping (identity only, or any: a
 * claim may not cover populated RAM either) or a claim that is not BAR
 * bir's own (a BAR about to move still holds its old ones). */
static bool pages_taken(const struct pvhdev__bar_dev *bd, unsigned bir, uint64_t s,
                        uint64_t e, bool any)
{
	const struct pvhdev_domain *dom = bd->dev->dom;
	struct pvhdev_p2m_range r;

	for (uint64_t g = s; !pvhdev__p2m_first_from(dom, g, &r) && r.gfn < e;
	     g = r.gfn + r.nr) {
		if ((any || r.type == PVHDEV_P2M_IDENTITY) &&
		    (r.owner != bd->dev->sbdf || r.bar != (int)bir))
			return true;
		if (r.gfn + r.nr == 0)
			break;
	}
	for (const struct pvhdev__rnode *n = pvhdev__rtree_first_from(&dom->bar_queue->holes, s);
	     n && n->start < e; n = pvhdev__rtree_next(n))
		if (!own_claim(bd, bir, n))
			return true;
	return false;
}

/* Whether bir's MSI-X pages at base are free (any: of any mapping,
 * as a claim needs; else of identity ones) and of other claims: 0, or
 * -EBUSY, logged. */
static int holes_free(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t base, bool any)
{
	uint64_t s[PVHDEV__MAX_HOLES], e[PVHDEV__MAX_HOLES];
	unsigned n = hole_ranges(bd->dev, bir, base, s, e);

	for (unsigned k = 0; k < n; k++) {
		if (pages_taken(bd, bir, s[k], e[k], any)) {
			claim_refused(bd, bir, s[k], e[k]);
			return -EBUSY;
		}
	}
	return 0;
}

/* A BAR that decodes without mapping (unassigned, at 0): only its
 * MSI-X pages' reach matters, and populated RAM there is dom0's memory,
 * not the frames. */
int pvhdev__bar_holes_clear(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t base)
{
	return holes_free(bd, bir, base, false);
}

/* Whether [addr, addr + span) covers MSI-X pages claimed for another BAR,
 * of another device or of this one: that table is trapped there, and two
 * BARs decoding one address answer it both (the hypervisor's table
 * writes could reach this one, the table's reads answer from it), so
 * this BAR must not decode (logged). */
static bool other_claims(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                         uint64_t span)
{
	const struct pvhdev_domain *dom = bd->dev->dom;
	uint64_t s = addr >> PAGE_SHIFT, e = (addr + span + PAGE_MASK) >> PAGE_SHIFT;
	char str[PVHDEV_SBDF_STRLEN];

	for (const struct pvhdev__rnode *n = pvhdev__rtree_first_from(&dom->bar_queue->holes, s);
	     n && n->start < e; n = pvhdev__rtree_next(n)) {
		if (own_claim(bd, bir, n))
			continue;
		if (bir >= BAR_VF0 && pvhdev__sriov_vf_claim(bd, bir, addr, n))
			continue;
		pvhdev__log(bd->dev->dom, PVHDEV_LOG_WARN, "%s: BAR %u: covers another "
		            "BAR's MSI-X pages 0x%llx-0x%llx: BAR not mapped",
		            pvhdev_sbdf_str(bd->dev->sbdf, str), bir,
		            (unsigned long long)n->start, (unsigned long long)n->last);
		return true;
	}
	return false;
}

/* Claims bir's MSI-X pages at base before the BAR maps: they must be
 * free of any mapping and of other claims, or the BAR does not map at
 * all (its MSI-X table could not be trapped): -EBUSY, logged.  -ENOMEM
 * when the claims' storage cannot be had. */
static int holes_claim(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t base)
{
	struct pvhdev_dev *dev = bd->dev;
	uint64_t s[PVHDEV__MAX_HOLES], e[PVHDEV__MAX_HOLES];
	unsigned n = hole_ranges(dev, bir, base, s, e), k = 0;
	struct pvhdev_p2m_range r;
	int rc = n ? pvhdev__bar_holes_room(bd) : 0;

	if (rc)
		return rc;
	holes_release(bd, bir); /* any kept from a queued unmap */
	if (n && dev->nr_holes > bd->claims.nr) {
		claim_refused(bd, bir, s[0], e[0]);
		return -EBUSY;
	}
	for (unsigned i = 0; i < dev->nr_holes && k < n; i++) {
		struct pvhdev__hole *h = &dev->holes[i];
		struct pvhdev__rnode *c = &bd->claims.node[i];
		if (h->bir != bir || !h->size)
			continue;
		c->start = s[k];
		c->last = e[k] - 1;
		if ((!pvhdev__p2m_first_from(dev->dom, s[k], &r) && r.gfn < e[k]) ||
		    pvhdev__rtree_insert(&dev->dom->bar_queue->holes, c)) {
			holes_release(bd, bir);
			claim_refused(bd, bir, s[k], e[k]);
			return -EBUSY;
		}
		bd->claims.held |= (uint8_t)(1u << i);
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
	/* An MSI-X hole right at gfn settles it: the checks below take a
	 * page only when it comes strictly earlier (a BAR that is all
	 * table and PBA costs one lookup, not three). */
	if (best == gfn)
		return best;
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

static uint64_t span_bytes(const struct pvhdev__bar_dev *bd, unsigned bir)
{
	if (bir >= BAR_VF0)
		return pvhdev__sriov_vf_bar_span(bd, bir - BAR_VF0);
	return bd->bars[bir].size;
}

/* The page after the last one b's work covers. */
static uint64_t work_end(const struct pvhdev__bar_dev *bd, const struct bar *b)
{
	return (b->addr + span_bytes(bd, b->bir) + PAGE_MASK) >> PAGE_SHIFT;
}

/* Does b's work (it maps in MAP_QUEUED and MAPPED, else unmaps); when
 * limited, at most *left pages of it (*left counts down).  A piece the hypervisor refuses is logged and skipped; only
 * running out of memory stops the work (it can be resumed). */
static int work_step(struct bar *b, bool limited, uint64_t *left)
{
	struct pvhdev__bar_dev *bd = bar_owner(b);
	struct pvhdev_domain *dom = bd->dev->dom;
	struct bar_work *w = &b->work;
	uint64_t end = work_end(bd, b);
	bool map = bar_maps(b);

	while (w->cursor < end) {
		if (limited && !*left)
			return 0;
		uint64_t skip = end;
		uint64_t stop = map ? obstacle(bd, b->bir, w->cursor, end, &skip) : end;
		if (stop == w->cursor) {
			w->cursor = skip < end ? skip : end;
			continue;
		}
		if (limited && stop - w->cursor > *left)
			stop = w->cursor + *left;
		int rc = map ? pvhdev__p2m_identity_map(dom, w->cursor, stop - w->cursor,
		                                            reason_of(b->bir),
		                                            bd->dev->sbdf, b->bir)
		                 : pvhdev__p2m_identity_unmap(dom, w->cursor,
		                                              stop - w->cursor,
		                                              bd->dev->sbdf, b->bir);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			log_skip(bd, b->bir, w->cursor, stop - w->cursor,
			         "a refusal of the hypervisor");
		if (limited)
			*left -= stop - w->cursor;
		w->cursor = stop;
	}
	return 0;
}

void pvhdev__bar_decoded(struct pvhdev__bar_dev *bd)
{
	pvhdev__bar_decoded_dev(bd->dev);
}

void pvhdev__bar_decoded_dev(struct pvhdev_dev *dev)
{
	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		if (m && m->decoded)
			m->decoded(dev);
	}
}

void pvhdev__bar_notify(struct pvhdev__bar_dev *bd, unsigned bir, bool mapped)
{
	const struct bar *b = bar_at(bd, bir);

	if (bir >= BAR_VF0) {
		pvhdev__sriov_notify(bd, bir, mapped);
		return;
	}
	pvhdev__bar_notify_dev(bd->dev, bir, b->addr, b->size, mapped);
}

void pvhdev__bar_notify_dev(struct pvhdev_dev *dev, unsigned bir, uint64_t addr,
                            uint64_t size, bool mapped)
{
	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		if (m && m->bar_moved)
			m->bar_moved(dev, bir, addr, size, mapped);
	}
}

/* The claims of BARs that no longer map, kept while their unmap was
 * queued (the device decoded until its command write). */
void pvhdev__bar_claims_drop(struct pvhdev__bar_dev *bd)
{
	for (unsigned i = 0; i < BAR_ROM; i++)
		if (bd->bars[i].state == BAR_UNMAPPED)
			holes_release(bd, i);
}

/* A finished item: MAP_QUEUED -> MAPPED (traps on), UNMAP_QUEUED ->
 * UNMAPPED; a map done now tells the modules too.  The device's last
 * item releases a command write that waited for its p2m work. */
static int work_done(struct bar *b)
{
	struct pvhdev__bar_dev *bd = bar_owner(b);
	bool queued = bar_queued(b);

	if (queued)
		b->state = b->state == BAR_MAP_QUEUED ? BAR_MAPPED : BAR_UNMAPPED;
	if (b->state == BAR_MAPPED)
		pvhdev__bar_notify(bd, b->bir, true);
	if (!queued || --bd->nr_queued)
		return 0;
	if (!bd->cmd_pending) {
		pvhdev__bar_claims_drop(bd);
		return 0;
	}
	bd->cmd_pending = false;
	int rc = pvhdev__hw_cfg_write(bd->dev->dom, bd->dev->sbdf, PCI_COMMAND, 2,
	                              bd->cmd_val);
	pvhdev__bar_claims_drop(bd);
	if (!(bd->cmd_val & PCI_COMMAND_MEMORY))
		return rc;
	if (!rc) {
		pvhdev__bar_decoded(bd);
		return 0;
	}
	/* The device does not decode: what waited for the write goes (no
	 * work of this device is queued any more, so this is done now). */
	pvhdev__bar_decode_change(bd, false, BAR_NOW);
	return rc;
}

static void enqueue(struct pvhdev__bar_queue *q, struct bar *b)
{
	struct bar_work *w = &b->work;

	w->next = NULL;
	w->prev = q->tail;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	bar_owner(b)->nr_queued++;
}

/* b's state is set: its work from the start, now or queued. */
static int work_start(struct bar *b, enum bar_when when)
{
	uint64_t none = 0;
	int rc;

	b->work.cursor = b->addr >> PAGE_SHIFT;
	if (when == BAR_DEFERRED) {
		enqueue(bar_owner(b)->dev->dom->bar_queue, b);
		return 0;
	}
	rc = work_step(b, false, &none);
	return rc ? rc : work_done(b);
}

int pvhdev__bar_map(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                    enum bar_when when)
{
	struct bar *b = bar_at(bd, bir);
	uint64_t span = span_bytes(bd, bir);
	int rc = bar_queued(b) ? pvhdev__bar_flush(bd) : 0;

	if (rc || !span)
		return rc;
	rc = other_claims(bd, bir, addr, span) ? -EBUSY : holes_claim(bd, bir, addr);
	if (rc)
		return rc; /* -EBUSY logged; the BAR stays as it was */
	b->addr = addr;
	b->state = when == BAR_NOW ? BAR_MAPPED : BAR_MAP_QUEUED;
	return work_start(b, when);
}

int pvhdev__bar_unmap(struct pvhdev__bar_dev *bd, unsigned bir, enum bar_when when)
{
	struct bar *b = bar_at(bd, bir);
	int rc = bar_queued(b) ? pvhdev__bar_flush(bd) : 0;

	if (rc || !span_bytes(bd, bir) || b->state == BAR_UNMAPPED)
		return rc;
	if (bar_held(b)) {
		/* Nothing mapped; the claims go with the decoding. */
		if (when == BAR_NOW)
			holes_release(bd, bir);
		b->state = BAR_UNMAPPED;
		return 0;
	}
	pvhdev__bar_notify(bd, bir, false); /* the traps stop first */
	/* Queued, the device decodes until its command write, after the
	 * work: the claims keep others off its MSI-X pages until then
	 * (work_done()). */
	if (when == BAR_NOW)
		holes_release(bd, bir);
	b->state = when == BAR_NOW ? BAR_UNMAPPED : BAR_UNMAP_QUEUED;
	return work_start(b, when);
}

int pvhdev__bar_hold(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                     enum bar_state half)
{
	struct bar *b = bar_at(bd, bir);
	int rc = holes_claim(bd, bir, addr);

	if (rc)
		return rc;
	b->addr = addr;
	b->state = (uint8_t)half;
	return 0;
}

int pvhdev__bar_may_map(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr)
{
	if (!addr)
		return pvhdev__bar_holes_clear(bd, bir, 0);
	if (other_claims(bd, bir, addr, span_bytes(bd, bir)))
		return -EBUSY;
	return holes_free(bd, bir, addr, true);
}

/* w is in q: out of it, in O(1). */
static void unlink_work(struct pvhdev__bar_queue *q, struct bar_work *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->next = w->prev = NULL;
	q->steps++;
}

int pvhdev__bar_flush(struct pvhdev__bar_dev *bd)
{
	struct pvhdev__bar_queue *q = bd->dev->dom->bar_queue;
	int rc = 0;

	for (unsigned i = 0; i < bar_count(bd) && bd->nr_queued && !rc; i++) {
		struct bar *b = bar_at(bd, i);
		uint64_t none = 0;
		if (!bar_queued(b))
			continue;
		rc = work_step(b, false, &none);
		if (!rc) {
			unlink_work(q, &b->work);
			rc = work_done(b);
		}
	}
	return rc;
}

void pvhdev__bar_cancel(struct pvhdev__bar_dev *bd)
{
	struct pvhdev__bar_queue *q = bd->dev->dom->bar_queue;

	for (unsigned i = 0; i < bar_count(bd); i++) {
		struct bar *b = bar_at(bd, i);
		uint64_t none = 0;
		if (!bar_queued(b))
			continue;
		unlink_work(q, &b->work);
		/* An unmap is finished now: its pages must not outlive the
		 * device.  A map's pages so far stay marked mapped. */
		if (b->state == BAR_UNMAP_QUEUED)
			work_step(b, false, &none);
		b->state = b->state == BAR_MAP_QUEUED ? BAR_MAPPED : BAR_UNMAPPED;
	}
	bd->nr_queued = 0;
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
		struct bar *b = bar_of_work(w);
		rc = work_step(b, budget != 0, &left);
		if (rc || w->cursor < work_end(bar_owner(b), b))
			break;
		q->head = w->next;
		if (q->head)
			q->head->prev = NULL;
		else
			q->tail = NULL;
		w->next = NULL;
		rc = work_done(b);
	}
	if (more)
		*more = q->head != NULL;
	return rc;
}

int pvhdev__bar_holes_claim(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t base)
{
	return holes_claim(bd, bir, base);
}

void pvhdev__bar_holes_release(struct pvhdev__bar_dev *bd, unsigned bir)
{
	holes_release(bd, bir);
}
