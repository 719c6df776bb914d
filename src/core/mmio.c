/* SPDX-License-Identifier: MIT */
/*
 * Trapped MMIO: every range pvhdev emulates (ECAM windows, MSI-X table
 * and PBA pages, IO-APIC windows) is a node in one range tree, so any
 * guest MMIO access finds its handler in O(log n) whatever kind it is.
 * Two one-entry caches in front of the tree (core.h) make the common
 * case, the region reached last, O(1): the last ECAM window, whose
 * accesses go straight to the config dispatcher, and the last region
 * of any kind.
 */
#include "core/core.h"

int pvhdev__mmio_add(struct pvhdev_domain *dom, struct pvhdev__mmio_region *r,
                     uint64_t addr, uint64_t size,
                     const struct pvhdev__mmio_ops *ops, void *opaque)
{
	if (!size || addr + (size - 1) < addr)
		return -EINVAL;
	r->node.start = addr;
	r->node.last = addr + (size - 1);
	r->ops = ops;
	r->opaque = opaque;
	return pvhdev__rtree_insert(&dom->mmio, &r->node);
}

/* A region that leaves the tree leaves the caches: regions move (MSI-X
 * pages follow their BAR) and their memory is reused. */
void pvhdev__mmio_remove(struct pvhdev_domain *dom, struct pvhdev__mmio_region *r)
{
	if (dom->mmio_hit.r == r)
		dom->mmio_hit = (struct pvhdev__mmio_cache){ 0 };
	if (dom->ecam_hit.r == r)
		dom->ecam_hit = (struct pvhdev__ecam_cache){ 0 };
	pvhdev__rtree_remove(&dom->mmio, &r->node);
}

void pvhdev__mmio_ecam_hit(struct pvhdev_domain *dom,
                           const struct pvhdev__mmio_region *r,
                           pvhdev_sbdf_t sbdf0)
{
	dom->ecam_hit = (struct pvhdev__ecam_cache){
		.start = r->node.start, .len = r->node.last - r->node.start + 1,
		.bias = (uint32_t)(r->node.start >> 12) - sbdf0, .r = r,
	};
}

/* [addr, addr + size) lies in the cached range: size 1, 2, 4 or 8 and
 * addr aligned to it (pvhdev__access_ok(addr, size, 1)), and addr in
 * the range, which is then enough: the range starts and ends on a
 * multiple of 8, so an aligned access that starts in it ends in it.
 * len 0 (an empty cache) holds nothing. */
static inline bool cache_holds(const struct pvhdev__mmio_cache *c, uint64_t addr,
                               unsigned size)
{
	unsigned m = size - 1;

	return addr - c->start < c->len && m < 8 && !(((unsigned)addr | size) & m);
}

/* All-ones of a valid access size (1, 2, 4, 8): what pvhdev__ones()
 * computes, in one load. */
static const uint64_t size_ones[9] = {
	[1] = 0xff, [2] = 0xffff, [4] = 0xffffffff, [8] = ~(uint64_t)0,
};

/* An ECAM access the dispatcher takes whole: 1, 2 or 4 bytes.  It
 * answers badly sized or misaligned ones as the window's handler would
 * (all-ones, dropped), and an aligned access of at most 4 bytes never
 * leaves its function's page. */
static inline bool ecam_holds(const struct pvhdev__ecam_cache *c, uint64_t addr,
                              unsigned size)
{
	return addr - c->start < c->len && size <= 4;
}

/* The function of addr, inside the cached window.  Windows start on a
 * 1 MiB boundary, so the register is addr's low 12 bits and the page
 * count from the start is (addr >> 12) - (start >> 12). */
static inline pvhdev_sbdf_t ecam_sbdf(const struct pvhdev__ecam_cache *c,
                                      uint64_t addr)
{
	return (pvhdev_sbdf_t)(addr >> 12) - c->bias;
}

/* The region that holds all of [addr, addr + size), or NULL with *hit
 * telling whether addr alone was trapped.  It becomes the cache. */
static const struct pvhdev__mmio_region *region(struct pvhdev_domain *dom,
                                                uint64_t addr, unsigned size,
                                                bool *hit)
{
	const struct pvhdev__rnode *n = pvhdev__rtree_find(&dom->mmio, addr);

	*hit = n != NULL;
	if (!n || !pvhdev__access_ok(addr, size, 1) || addr + (size - 1) > n->last)
		return NULL;
	const struct pvhdev__mmio_region *r =
		PVHDEV__CONTAINER(n, struct pvhdev__mmio_region, node);
	uint64_t len = n->last - n->start + 1;
	/* Every region pvhdev traps is so aligned (pages, IO-APIC windows);
	 * one that is not (or covers all 2^64 bytes) is simply not cached. */
	if (len && !((n->start | len) & 7))
		dom->mmio_hit = (struct pvhdev__mmio_cache){
			.start = n->start, .len = len, .ops = r->ops, .opaque = r->opaque,
			.r = r,
		};
	return r;
}

/* Out of line, so that the hits need no stack frame for it. */
static __attribute__((noinline)) int mmio_read_miss(struct pvhdev_domain *dom,
                                                    uint64_t addr, unsigned size,
                                                    uint64_t *val)
{
	bool hit;
	const struct pvhdev__mmio_region *r = region(dom, addr, size, &hit);

	*val = pvhdev__ones(size);
	if (!r)
		return hit ? 0 : -ENXIO;
	return r->ops->read(r->opaque, addr, size, val);
}

static __attribute__((noinline)) int mmio_write_miss(struct pvhdev_domain *dom,
                                                     uint64_t addr, unsigned size,
                                                     uint64_t val)
{
	bool hit;
	const struct pvhdev__mmio_region *r = region(dom, addr, size, &hit);

	if (!r)
		return hit ? 0 : -ENXIO;
	return r->ops->write(r->opaque, addr, size, val & pvhdev__ones(size));
}

/* Out of line: its frame (the dispatcher answers in 32 bits, the
 * caller wants 64) would cost every other access. */
static __attribute__((noinline)) int ecam_read(struct pvhdev_domain *dom,
                                               uint64_t addr, unsigned size,
                                               uint64_t *val)
{
	const struct pvhdev__ecam_cache *c = &dom->ecam_hit;
	uint32_t v;
	int rc = pvhdev_cfg_read(dom, ecam_sbdf(c, addr), (unsigned)addr & 0xfff,
	                         size, &v);

	*val = v;
	return rc;
}

int pvhdev_mmio_read(struct pvhdev_domain *dom, uint64_t addr, unsigned size,
                     uint64_t *val)
{
	const struct pvhdev__mmio_cache *c = &dom->mmio_hit;

	if (PVHDEV__LIKELY(ecam_holds(&dom->ecam_hit, addr, size)))
		return ecam_read(dom, addr, size, val);
	if (PVHDEV__LIKELY(cache_holds(c, addr, size)))
		return c->ops->read(c->opaque, addr, size, val);
	return mmio_read_miss(dom, addr, size, val);
}

int pvhdev_mmio_write(struct pvhdev_domain *dom, uint64_t addr, unsigned size,
                      uint64_t val)
{
	const struct pvhdev__mmio_cache *c = &dom->mmio_hit;

	/* The dispatcher keeps the access's bytes of val. */
	if (PVHDEV__LIKELY(ecam_holds(&dom->ecam_hit, addr, size)))
		return pvhdev_cfg_write(dom, ecam_sbdf(&dom->ecam_hit, addr),
		                        (unsigned)addr & 0xfff, size, (uint32_t)val);
	if (PVHDEV__LIKELY(cache_holds(c, addr, size)))
		return c->ops->write(c->opaque, addr, size, val & size_ones[size]);
	return mmio_write_miss(dom, addr, size, val);
}

int pvhdev__excl_late(struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr,
                      enum pvhdev__excl_kind kind)
{
	struct pvhdev_p2m_range r;
	int rc = pvhdev__excl_add(dom, gfn, nr, kind);

	while (!rc && pvhdev__p2m_any(dom, gfn, nr, &r)) {
		uint64_t s = r.gfn > gfn ? r.gfn : gfn;
		uint64_t e = r.gfn + r.nr < gfn + nr ? r.gfn + r.nr : gfn + nr;
		char str[PVHDEV_SBDF_STRLEN];
		/* Identity ranges only (populated RAM is dom0's memory). */
		pvhdev__log(dom, PVHDEV_LOG_INFO, "gfn 0x%llx-0x%llx (%s): now %s: unmapped",
		            (unsigned long long)s, (unsigned long long)(e - 1),
		            r.bar >= 0 ? pvhdev_sbdf_str(r.owner, str)
		                       : pvhdev_map_reason_name((enum pvhdev_map_reason)r.reason),
		            pvhdev__excl_name(kind));
		rc = pvhdev__p2m_identity_unmap(dom, s, e - s, r.owner, r.bar);
	}
	return rc;
}
