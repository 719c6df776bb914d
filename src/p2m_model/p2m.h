/* SPDX-License-Identifier: MIT */
/*
 * src/p2m_model's private header: dom0's physical-to-machine map and
 * the set of frames dom0 must never get identity mapped, both as range
 * trees of pages (the core's intrusive AVL tree, O(log n) per lookup).
 *
 * One p2m record, 64 bytes (one cache line on x86-64):
 *
 *    0  node    struct pvhdev__rnode: left, right, parent, start, last,
 *               height.  [start, last] is the gfn range, closed, pages.
 *   48  mfn     machine frame of node.start (pages)
 *   56  owner   pvhdev_sbdf_t of the device (0 for boot ranges)
 *   60  bar     BAR index 0-5, 6 ROM, 7+ VF BAR; -1 for boot ranges
 *   62  type    enum pvhdev_p2m_type
 *   63  reason  enum pvhdev_map_reason
 *
 * A record covers any number of pages, so a 64 GiB BAR is one record
 * and costs what a 4 KiB one costs.  See docs/p2m.md.
 */
#ifndef PVHDEV_P2M_MODEL_H
#define PVHDEV_P2M_MODEL_H

#include "core/core.h"

#include <pvhdev/platform.h>

/* Pages in the 64-bit physical address space: no range goes past it. */
#define PVHDEV__P2M_PAGES (1ull << (64 - PVHDEV_PAGE_SHIFT))
/* Pages below 1 MiB, the legacy area a PVH dom0 builder treats apart. */
#define PVHDEV__P2M_LOW_PAGES (0x100000ull >> PVHDEV_PAGE_SHIFT)

struct pvhdev__p2m_rec {
	struct pvhdev__rnode node; /* gfn range, pages; first member */
	uint64_t mfn;              /* pages */
	pvhdev_sbdf_t owner;
	int16_t bar;
	uint8_t type;   /* enum pvhdev_p2m_type */
	uint8_t reason; /* enum pvhdev_map_reason */
};

struct pvhdev__excl_rec {
	struct pvhdev__rnode node; /* pages; first member */
	enum pvhdev__excl_kind kind;
};

/* p2m records come from slabs of P2M_SLAB_RECS (about 4 KiB each): a
 * platform of 65,536 functions has 327,680 BAR records, and one
 * allocation per record cost an allocator header and call each.  Free
 * records wait for the next map in a list; slabs go back only with the
 * domain, so the p2m holds memory for its peak number of records. */
#define PVHDEV__P2M_SLAB_RECS 63
struct pvhdev__p2m_slab {
	struct pvhdev__p2m_slab *next;
	struct pvhdev__p2m_rec recs[PVHDEV__P2M_SLAB_RECS];
};

struct pvhdev__p2m {
	struct pvhdev__rtree map;  /* struct pvhdev__p2m_rec */
	struct pvhdev__rtree excl; /* struct pvhdev__excl_rec */
	struct pvhdev__p2m_slab *slabs;
	struct pvhdev__p2m_rec *free; /* chained through node.parent */
};

extern const struct pvhdev__module pvhdev__p2m_module;

/* Names for log lines: the event vocabulary's reason ("low-mem", "bar")
 * and what an excluded range is ("the LAPIC page"). */

#endif
