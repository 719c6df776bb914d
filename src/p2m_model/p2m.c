/* SPDX-License-Identifier: MIT */
/*
 * The p2m model: dom0's physical-to-machine map as records of page
 * ranges in a range tree, and the excluded set beside it.
 *
 * Map: refused with -EEXIST when any page is already mapped, with
 * -EPERM when any page is excluded (identity ranges only: RAM copies
 * are RAM by definition).  A new range next to a record of the same
 * type, reason, owner and BAR whose mfns continue it grows that record
 * instead of adding one, so a BAR mapped in budget-sized chunks stays
 * one record and a merge never allocates.  The range is recorded, then
 * applied (the map event goes to the hypervisor hook); a refused range
 * is taken out again.
 *
 * Unmap: removes the pages of one owner's identity records inside the
 * range, cutting records at the edges.  Only a cut in the middle of one
 * record needs a new record; that happens only when the range lies
 * strictly inside it, so it is allocated before anything changes.
 *
 * Every operation is O(log n) in records per record it touches, and
 * never depends on how many pages a record covers.  See docs/p2m.md.
 */
#include "p2m_model/p2m.h"

_Static_assert(offsetof(struct pvhdev__p2m_rec, node) == 0,
               "records are freed through their node");
_Static_assert(offsetof(struct pvhdev__excl_rec, node) == 0,
               "records are freed through their node");

static const char *const excl_names[] = {
	[PVHDEV__EXCL_RAM] = "e820 RAM",
	[PVHDEV__EXCL_RESERVED] = "hypervisor-reserved",
	[PVHDEV__EXCL_MMCFG] = "an MMCFG window",
	[PVHDEV__EXCL_IOAPIC] = "an IO-APIC page",
	[PVHDEV__EXCL_LAPIC] = "the LAPIC page",
	[PVHDEV__EXCL_HIDDEN] = "a hidden device's BAR",
};

const char *pvhdev__excl_name(enum pvhdev__excl_kind kind)
{
	return (unsigned)kind < PVHDEV__ARRAY_SIZE(excl_names) ? excl_names[kind]
	                                                      : "excluded";
}

/* nr > 0 pages from gfn, all inside the 64-bit address space. */
static bool range_ok(uint64_t gfn, uint64_t nr)
{
	return nr && gfn < PVHDEV__P2M_PAGES && nr <= PVHDEV__P2M_PAGES - gfn;
}

static struct pvhdev__p2m_rec *rec_of(const struct pvhdev__rnode *n)
{
	return n ? PVHDEV__CONTAINER(n, struct pvhdev__p2m_rec, node) : NULL;
}

static uint64_t rec_nr(const struct pvhdev__p2m_rec *r)
{
	return r->node.last - r->node.start + 1;
}

static void rec_out(const struct pvhdev__p2m_rec *r, struct pvhdev_p2m_range *out)
{
	out->gfn = r->node.start;
	out->nr = rec_nr(r);
	out->mfn = r->mfn;
	out->type = (enum pvhdev_p2m_type)r->type;
	out->reason = (enum pvhdev_map_reason)r->reason;
	out->owner = r->owner;
	out->bar = r->bar;
}

/* "bar, 0000:03:00.0 bar 2" or "low-mem, boot" for a log line. */
static const char *rec_str(const struct pvhdev__p2m_rec *r, char *buf, size_t len)
{
	char s[PVHDEV_SBDF_STRLEN];

	if (r->bar < 0)
		pvhdev__snprintf(buf, len, "%s, boot", pvhdev_map_reason_name(r->reason));
	else
		pvhdev__snprintf(buf, len, "%s, %s bar %d", pvhdev_map_reason_name(r->reason),
		                 pvhdev_sbdf_str(r->owner, s), r->bar);
	return buf;
}

/* A record from a slab (a new one when every slab is in use), not
 * cleared: its users assign it whole.  NULL when memory runs out. */
static struct pvhdev__p2m_rec *rec_alloc(struct pvhdev_domain *dom)
{
	struct pvhdev__p2m *p = dom->p2m;
	struct pvhdev__p2m_rec *r;

	if (!p->free) {
		struct pvhdev__p2m_slab *s = pvhdev__zalloc(dom, sizeof(*s));
		if (!s)
			return NULL;
		s->next = p->slabs;
		p->slabs = s;
		for (unsigned i = PVHDEV__P2M_SLAB_RECS; i-- > 0;) {
			s->recs[i].node.parent = p->free ? &p->free->node : NULL;
			p->free = &s->recs[i];
		}
	}
	r = p->free;
	p->free = rec_of(r->node.parent);
	return r;
}

static void rec_free(struct pvhdev_domain *dom, struct pvhdev__p2m_rec *r)
{
	struct pvhdev__p2m *p = dom->p2m;

	r->node.parent = p->free ? &p->free->node : NULL;
	p->free = r;
}

static int emit(struct pvhdev_domain *dom, enum pvhdev_event_kind kind,
                const struct pvhdev__p2m_rec *r, uint64_t gfn, uint64_t nr)
{
	struct pvhdev_event ev = {
		.kind = kind,
		.sbdf = r->owner,
		.u.map = { .gfn = gfn, .nr = nr, .mfn = r->mfn + (gfn - r->node.start),
		           .reason = r->reason },
	};

	return pvhdev__emit(dom, &ev);
}

/* ---- Map ---- */

/* -EEXIST when a page of want is mapped, -EPERM when an identity range
 * would cover an excluded page; either way says which, and why.  Hands
 * back the records around want's place (NULL at an end): the lookup that
 * proves the pages free also finds both neighbours. */
static int room_check(struct pvhdev_domain *dom, const struct pvhdev__p2m_rec *want,
                      struct pvhdev__p2m_rec **before, struct pvhdev__p2m_rec **after)
{
	struct pvhdev__rnode *left;
	struct pvhdev__p2m_rec *old =
		rec_of(pvhdev__rtree_around(&dom->p2m->map, want->node.start, &left));
	char a[64], b[64];
	uint64_t s, n;
	enum pvhdev__excl_kind kind;

	if (old && old->node.start <= want->node.last) {
		pvhdev__log(dom, PVHDEV_LOG_WARN,
		            "p2m: map gfn 0x%llx-0x%llx (%s) refused: overlaps "
		            "gfn 0x%llx-0x%llx (%s)",
		            (unsigned long long)want->node.start,
		            (unsigned long long)want->node.last, rec_str(want, a, sizeof(a)),
		            (unsigned long long)old->node.start,
		            (unsigned long long)old->node.last, rec_str(old, b, sizeof(b)));
		return -EEXIST;
	}
	*after = old;
	*before = rec_of(left);
	if (want->type == PVHDEV_P2M_RAM ||
	    pvhdev__excl_first(dom, want->node.start, rec_nr(want), &s, &n, &kind))
		return 0;
	pvhdev__log(dom, PVHDEV_LOG_WARN,
	            "p2m: map gfn 0x%llx-0x%llx (%s) refused: gfn 0x%llx-0x%llx is %s",
	            (unsigned long long)want->node.start,
	            (unsigned long long)want->node.last, rec_str(want, a, sizeof(a)),
	            (unsigned long long)s, (unsigned long long)(s + n - 1),
	            pvhdev__excl_name(kind));
	return -EPERM;
}

static bool same_kind(const struct pvhdev__p2m_rec *a, const struct pvhdev__p2m_rec *b)
{
	return a->type == b->type && a->reason == b->reason && a->owner == b->owner &&
	       a->bar == b->bar;
}

/* before, the record right before want's place, when want continues
 * it (it ends on the page before want's and the mfns run on). */
static struct pvhdev__p2m_rec *join_left(struct pvhdev__p2m_rec *before,
                                         const struct pvhdev__p2m_rec *want)
{
	return before && before->node.last + 1 == want->node.start &&
	               same_kind(before, want) && before->mfn + rec_nr(before) == want->mfn
	               ? before
	               : NULL;
}

/* after, the first record past want, when want runs right into it. */
static struct pvhdev__p2m_rec *join_right(struct pvhdev__p2m_rec *after,
                                          const struct pvhdev__p2m_rec *want)
{
	return after && after->node.start == want->node.last + 1 &&
	               same_kind(after, want) && want->mfn + rec_nr(want) == after->mfn
	               ? after
	               : NULL;
}

/* Takes want's pages out of rec again (the hypervisor refused them). */
static void map_undo(struct pvhdev_domain *dom, struct pvhdev__p2m_rec *rec,
                     const struct pvhdev__p2m_rec *want)
{
	if (rec->node.start < want->node.start) {
		rec->node.last = want->node.start - 1;
	} else if (rec->node.last > want->node.last) {
		rec->node.start = want->node.last + 1;
		rec->mfn += rec_nr(want);
	} else {
		pvhdev__rtree_remove(&dom->p2m->map, &rec->node);
		rec_free(dom, rec);
	}
}

/* Puts want's pages in the p2m: grows prev or next (growing in place
 * keeps the tree ordered, the pages were free), else inserts a new
 * record between before and after, the records around want's place.
 * NULL when memory runs out. */
static struct pvhdev__p2m_rec *map_record(struct pvhdev_domain *dom,
                                          const struct pvhdev__p2m_rec *want,
                                          struct pvhdev__p2m_rec *prev,
                                          struct pvhdev__p2m_rec *next,
                                          struct pvhdev__p2m_rec *before,
                                          struct pvhdev__p2m_rec *after)
{
	struct pvhdev__p2m_rec *rec;

	if (prev) {
		prev->node.last = want->node.last;
		return prev;
	}
	if (next) {
		next->node.start = want->node.start;
		next->mfn = want->mfn;
		return next;
	}
	if ((rec = rec_alloc(dom))) {
		*rec = *want;
		pvhdev__rtree_insert_at(&dom->p2m->map, &rec->node,
		                        before ? &before->node : NULL,
		                        after ? &after->node : NULL);
	}
	return rec;
}

/*
 * Records want, applies it (the hook sees it in the p2m), and takes it
 * out again when the hook refuses.  Two neighbours that want bridges
 * join only once it is applied, so the undo never allocates.  The hook
 * must not change the p2m.
 */
static int map_range(struct pvhdev_domain *dom, const struct pvhdev__p2m_rec *want)
{
	struct pvhdev__p2m_rec *after = NULL, *before = NULL, *prev, *next, *rec;
	char a[64];
	int rc = room_check(dom, want, &before, &after);

	if (rc)
		return rc;
	/* One walk found both neighbours: none to join the left one, nor
	 * to insert. */
	prev = join_left(before, want);
	next = join_right(after, want);
	if (!(rec = map_record(dom, want, prev, next, before, after)))
		return -ENOMEM;
	rc = emit(dom, PVHDEV_EV_MAP, rec, want->node.start, rec_nr(want));
	if (rc < 0) {
		pvhdev__log(dom, PVHDEV_LOG_WARN,
		            "p2m: map gfn 0x%llx-0x%llx (%s) refused by the hypervisor: %s",
		            (unsigned long long)want->node.start,
		            (unsigned long long)want->node.last, rec_str(want, a, sizeof(a)),
		            pvhdev_strerror(rc));
		map_undo(dom, rec, want);
		return rc;
	}
	if (prev && next) {
		pvhdev__rtree_remove(&dom->p2m->map, &next->node);
		prev->node.last = next->node.last;
		rec_free(dom, next);
	}
	return 0;
}

int pvhdev__p2m_identity_map(struct pvhdev_domain *dom, uint64_t gfn,
                             uint64_t nr, enum pvhdev_map_reason reason,
                             pvhdev_sbdf_t owner, int bar)
{
	if (!range_ok(gfn, nr) || (unsigned)reason >= PVHDEV_MAP__COUNT ||
	    reason == PVHDEV_MAP_RAM_COPY || bar < -1 || bar > INT16_MAX)
		return -EINVAL;
	struct pvhdev__p2m_rec want = {
		.node = { .start = gfn, .last = gfn + nr - 1 },
		.mfn = gfn,
		.owner = owner,
		.bar = (int16_t)bar,
		.type = PVHDEV_P2M_IDENTITY,
		.reason = (uint8_t)reason,
	};
	return map_range(dom, &want);
}

int pvhdev__p2m_ram_copy(struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr)
{
	if (!range_ok(gfn, nr) || gfn + nr > PVHDEV__P2M_LOW_PAGES)
		return -EINVAL;
	/* The model does not pick frames: the copy keeps gfn == mfn so
	 * transcripts stay comparable; the type says it is RAM. */
	struct pvhdev__p2m_rec want = {
		.node = { .start = gfn, .last = gfn + nr - 1 },
		.mfn = gfn,
		.bar = -1,
		.type = PVHDEV_P2M_RAM,
		.reason = PVHDEV_MAP_RAM_COPY,
	};
	return map_range(dom, &want);
}

/* ---- Unmap ---- */

static bool owns(const struct pvhdev__p2m_rec *r, pvhdev_sbdf_t owner, int bar)
{
	return r->type == PVHDEV_P2M_IDENTITY && r->owner == owner && r->bar == bar;
}

/* Emits the unmap of [gfn, last] that r held; the hypervisor cannot
 * keep a range dom0's model gave up, so a refusal is only reported. */
static void unmap_emit(struct pvhdev_domain *dom, const struct pvhdev__p2m_rec *r,
                       uint64_t gfn, uint64_t last)
{
	int rc = emit(dom, PVHDEV_EV_UNMAP, r, gfn, last - gfn + 1);

	if (rc < 0)
		pvhdev__log(dom, PVHDEV_LOG_WARN,
		            "p2m: unmap gfn 0x%llx-0x%llx refused by the hypervisor: %s",
		            (unsigned long long)gfn, (unsigned long long)last,
		            pvhdev_strerror(rc));
}

/* Removes [gfn, last] from r, which holds it and one of its ends. */
static void unmap_cut(struct pvhdev_domain *dom, struct pvhdev__p2m_rec *r,
                      uint64_t gfn, uint64_t last)
{
	struct pvhdev__p2m_rec old = *r;

	if (gfn == r->node.start && last == r->node.last) {
		pvhdev__rtree_remove(&dom->p2m->map, &r->node);
		rec_free(dom, r);
	} else if (gfn == r->node.start) {
		r->node.start = last + 1;
		r->mfn += last - gfn + 1;
	} else {
		r->node.last = gfn - 1;
	}
	unmap_emit(dom, &old, gfn, last);
}

/* Removes [gfn, last] from the middle of r: the right part becomes
 * spare, a record allocated beforehand. */
static void unmap_split(struct pvhdev_domain *dom, struct pvhdev__p2m_rec *r,
                        struct pvhdev__p2m_rec *spare, uint64_t gfn, uint64_t last)
{
	*spare = *r;
	spare->node.start = last + 1;
	spare->mfn = r->mfn + (last + 1 - r->node.start);
	r->node.last = gfn - 1;
	pvhdev__rtree_insert(&dom->p2m->map, &spare->node);
	unmap_emit(dom, r, gfn, last);
}

int pvhdev__p2m_identity_unmap(struct pvhdev_domain *dom, uint64_t gfn,
                               uint64_t nr, pvhdev_sbdf_t owner, int bar)
{
	if (!range_ok(gfn, nr))
		return -EINVAL;
	uint64_t last = gfn + nr - 1;
	struct pvhdev__p2m_rec *r = rec_of(pvhdev__rtree_first_from(&dom->p2m->map, gfn));

	if (r && owns(r, owner, bar) && r->node.start < gfn && r->node.last > last) {
		struct pvhdev__p2m_rec *spare = rec_alloc(dom);
		if (!spare)
			return -ENOMEM;
		unmap_split(dom, r, spare, gfn, last);
		return 0;
	}
	while (r && r->node.start <= last) {
		struct pvhdev__p2m_rec *next = rec_of(pvhdev__rtree_next(&r->node));
		if (owns(r, owner, bar))
			unmap_cut(dom, r, r->node.start < gfn ? gfn : r->node.start,
			          r->node.last > last ? last : r->node.last);
		r = next;
	}
	return 0;
}

/* ---- Queries ---- */

int pvhdev__p2m_first_from(const struct pvhdev_domain *dom, uint64_t gfn,
                           struct pvhdev_p2m_range *out)
{
	const struct pvhdev__p2m_rec *r =
		rec_of(pvhdev__rtree_first_from(&dom->p2m->map, gfn));

	if (!r)
		return -ENOENT;
	rec_out(r, out);
	return 0;
}

int pvhdev_p2m_query(const struct pvhdev_domain *dom, uint64_t gfn,
                     struct pvhdev_p2m_range *out)
{
	const struct pvhdev__p2m_rec *r;

	if (!dom || !out)
		return -EINVAL;
	r = rec_of(pvhdev__rtree_find(&dom->p2m->map, gfn));
	if (!r)
		return -ENOENT;
	rec_out(r, out);
	return 0;
}

int pvhdev_p2m_foreach(const struct pvhdev_domain *dom,
                       int (*fn)(void *arg, const struct pvhdev_p2m_range *r),
                       void *arg)
{
	if (!dom || !fn)
		return -EINVAL;
	const struct pvhdev__rnode *n = pvhdev__rtree_first(&dom->p2m->map);

	while (n) {
		struct pvhdev_p2m_range r;
		/* Read ahead: fn may drop the record it was given. */
		const struct pvhdev__rnode *next = pvhdev__rtree_next(n);
		rec_out(rec_of(n), &r);
		int rc = fn(arg, &r);
		if (rc)
			return rc;
		n = next;
	}
	return 0;
}

size_t pvhdev_p2m_count(const struct pvhdev_domain *dom)
{
	return dom ? dom->p2m->map.count : 0;
}

/* ---- The excluded set ---- */

static struct pvhdev__excl_rec *excl_of(const struct pvhdev__rnode *n)
{
	return n ? PVHDEV__CONTAINER(n, struct pvhdev__excl_rec, node) : NULL;
}

int pvhdev__excl_first(const struct pvhdev_domain *dom, uint64_t gfn,
                       uint64_t nr, uint64_t *start, uint64_t *count,
                       enum pvhdev__excl_kind *kind)
{
	if (!range_ok(gfn, nr))
		return -EINVAL;
	const struct pvhdev__excl_rec *e =
		excl_of(pvhdev__rtree_first_from(&dom->p2m->excl, gfn));

	if (!e || e->node.start > gfn + nr - 1)
		return -ENOENT;
	*start = e->node.start;
	*count = e->node.last - e->node.start + 1;
	*kind = e->kind;
	return 0;
}

/*
 * Calls gap(ctx, s, e) for each run [s, e] of [gfn, last] that no
 * excluded range holds, in order.  Reads the tree afresh each time, so
 * gap may change it inside [s, e].
 */
static int excl_gaps(struct pvhdev__p2m *p, uint64_t gfn, uint64_t last,
                     int (*gap)(void *ctx, uint64_t s, uint64_t e), void *ctx)
{
	while (gfn <= last) {
		const struct pvhdev__rnode *n = pvhdev__rtree_first_from(&p->excl, gfn);
		uint64_t stop = n && n->start <= last ? n->start : last + 1;
		uint64_t resume = n && n->start <= last ? n->last : last;
		int rc = stop > gfn ? gap(ctx, gfn, stop - 1) : 0;
		if (rc)
			return rc;
		if (resume >= last)
			return 0;
		gfn = resume + 1;
	}
	return 0;
}

/* What excl_add carries through its two passes. */
struct excl_fill {
	struct pvhdev_domain *dom;
	enum pvhdev__excl_kind kind;
	size_t gaps;                    /* first pass: runs to fill */
	struct pvhdev__excl_rec *spare; /* chained through node.parent */
};

static int count_gap(void *ctx, uint64_t s, uint64_t e)
{
	(void)s, (void)e;
	((struct excl_fill *)ctx)->gaps++;
	return 0;
}

/* The record next to page at of the same kind, or NULL. */
static struct pvhdev__excl_rec *excl_same(struct pvhdev__p2m *p, uint64_t at,
                                          enum pvhdev__excl_kind kind)
{
	struct pvhdev__excl_rec *e = excl_of(pvhdev__rtree_find(&p->excl, at));

	return e && e->kind == kind ? e : NULL;
}

/* Fills [s, e] by growing a same-kind neighbour (the right one joins
 * the left when both are there) or with a spare record. */
static int fill_gap(void *ctx, uint64_t s, uint64_t e)
{
	struct excl_fill *f = ctx;
	struct pvhdev__p2m *p = f->dom->p2m;
	struct pvhdev__excl_rec *l = s ? excl_same(p, s - 1, f->kind) : NULL;
	struct pvhdev__excl_rec *r =
		e + 1 < PVHDEV__P2M_PAGES ? excl_same(p, e + 1, f->kind) : NULL;

	if (l && r) {
		pvhdev__rtree_remove(&p->excl, &r->node);
		l->node.last = r->node.last;
		r->node.parent = f->spare ? &f->spare->node : NULL; /* reusable */
		f->spare = r;
	} else if (l) {
		l->node.last = e;
	} else if (r) {
		r->node.start = s;
	} else {
		struct pvhdev__excl_rec *n = f->spare;
		f->spare = excl_of(n->node.parent);
		n->node.start = s;
		n->node.last = e;
		n->kind = f->kind;
		pvhdev__rtree_insert(&p->excl, &n->node);
	}
	return 0;
}

static void spares_free(struct excl_fill *f)
{
	while (f->spare) {
		struct pvhdev__excl_rec *n = f->spare;
		f->spare = excl_of(n->node.parent);
		pvhdev__free(f->dom, n, sizeof(*n));
	}
}

/*
 * Pages already excluded keep their kind, so the first kind added for a
 * page wins.  Allocates a record per uncovered run up front, so on
 * -ENOMEM nothing changed.
 */
int pvhdev__excl_add(struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr,
                     enum pvhdev__excl_kind kind)
{
	struct excl_fill f = { .dom = dom, .kind = kind };

	if (!range_ok(gfn, nr) || (unsigned)kind >= PVHDEV__ARRAY_SIZE(excl_names))
		return -EINVAL;
	excl_gaps(dom->p2m, gfn, gfn + nr - 1, count_gap, &f);
	for (size_t i = 0; i < f.gaps; i++) {
		struct pvhdev__excl_rec *n = pvhdev__zalloc(dom, sizeof(*n));
		if (!n) {
			spares_free(&f);
			return -ENOMEM;
		}
		n->node.parent = f.spare ? &f.spare->node : NULL;
		f.spare = n;
	}
	excl_gaps(dom->p2m, gfn, gfn + nr - 1, fill_gap, &f);
	spares_free(&f);
	return 0;
}

/* ---- The module ---- */

/* Frees every record of t bottom-up without rebalancing: O(n). */
static void tree_free(struct pvhdev_domain *dom, struct pvhdev__rtree *t,
                      size_t rec_size)
{
	struct pvhdev__rnode *n = t->root;

	while (n) {
		if (n->left || n->right) {
			n = n->left ? n->left : n->right;
			continue;
		}
		struct pvhdev__rnode *up = n->parent;
		if (up && up->left == n)
			up->left = NULL;
		else if (up)
			up->right = NULL;
		pvhdev__free(dom, n, rec_size); /* the node is the record's start */
		n = up;
	}
	pvhdev__rtree_init(t);
}

static int p2m_dom_init(struct pvhdev_domain *dom)
{
	struct pvhdev__p2m *p = pvhdev__zalloc(dom, sizeof(*p));

	if (!p)
		return -ENOMEM;
	pvhdev__rtree_init(&p->map);
	pvhdev__rtree_init(&p->excl);
	dom->p2m = p;
	return 0;
}

static void p2m_dom_free(struct pvhdev_domain *dom)
{
	struct pvhdev__p2m *p = dom->p2m;

	if (!p)
		return;
	/* The map's records live in the slabs. */
	while (p->slabs) {
		struct pvhdev__p2m_slab *s = p->slabs;
		p->slabs = s->next;
		pvhdev__free(dom, s, sizeof(*s));
	}
	tree_free(dom, &p->excl, sizeof(struct pvhdev__excl_rec));
	pvhdev__free(dom, p, sizeof(*p));
	dom->p2m = NULL;
}

const struct pvhdev__module pvhdev__p2m_module = {
	.name = "p2m",
	.dom_init = p2m_dom_init,
	.dom_free = p2m_dom_free,
};
