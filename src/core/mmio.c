/* SPDX-License-Identifier: MIT */
/*
 * Trapped MMIO: every range pvhdev emulates (ECAM windows, MSI-X table
 * and PBA pages, IO-APIC windows) is a node in one range tree, so any
 * guest MMIO access finds its handler in O(log n) whatever kind it is.
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

void pvhdev__mmio_remove(struct pvhdev_domain *dom, struct pvhdev__mmio_region *r)
{
	pvhdev__rtree_remove(&dom->mmio, &r->node);
}

/* The region that holds all of [addr, addr + size), or NULL with *hit
 * telling whether addr alone was trapped. */
static const struct pvhdev__mmio_region *region(struct pvhdev_domain *dom,
                                                uint64_t addr, unsigned size,
                                                bool *hit)
{
	const struct pvhdev__rnode *n = pvhdev__rtree_find(&dom->mmio, addr);

	*hit = n != NULL;
	if (!n || !pvhdev__access_ok(addr, size, 1) || addr + (size - 1) > n->last)
		return NULL;
	return PVHDEV__CONTAINER(n, struct pvhdev__mmio_region, node);
}

int pvhdev_mmio_read(struct pvhdev_domain *dom, uint64_t addr, unsigned size,
                     uint64_t *val)
{
	bool hit;
	const struct pvhdev__mmio_region *r = region(dom, addr, size, &hit);

	*val = pvhdev__ones(size);
	if (!r)
		return hit ? 0 : -ENXIO;
	return r->ops->read(r->opaque, addr, size, val);
}

int pvhdev_mmio_write(struct pvhdev_domain *dom, uint64_t addr, unsigned size,
                      uint64_t val)
{
	bool hit;
	const struct pvhdev__mmio_region *r = region(dom, addr, size, &hit);

	if (!r)
		return hit ? 0 : -ENXIO;
	return r->ops->write(r->opaque, addr, size, val & pvhdev__ones(size));
}
