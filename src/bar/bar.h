/* SPDX-License-Identifier: MIT */
/* src/bar's private header: BAR state, the work queue, SR-IOV. */
#ifndef PVHDEV_BAR_H
#define PVHDEV_BAR_H

#include "core/core.h"

/* Short names for src/bar; the values are src/pci/regs.h's. */
#define PCI_COMMAND PVHDEV_PCI_COMMAND
#define PCI_COMMAND_IO PVHDEV_PCI_COMMAND_IO
#define PCI_COMMAND_MEMORY PVHDEV_PCI_COMMAND_MEMORY
#define PCI_BAR0 PVHDEV_PCI_BASE_ADDRESS_0
#define PCI_ROM_ENABLE PVHDEV_PCI_ROM_ADDRESS_ENABLE
#define PCI_BAR_IO PVHDEV_PCI_BASE_ADDRESS_SPACE_IO
#define PCI_BAR_MEM_TYPE_MASK PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_MASK
#define PCI_BAR_MEM_64 PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_64
#define PCI_BAR_PREFETCH PVHDEV_PCI_BASE_ADDRESS_MEM_PREFETCH

#define BAR_ROM 6      /* index of the expansion ROM */
#define BAR_VF0 7      /* index of VF BAR 0 (SR-IOV) */
#define NR_DEV_BARS 7  /* 6 BARs and the ROM: in every device's BAR state */
#define NR_BARS 13     /* and 6 VF BARs, only an SR-IOV PF's (struct sriov) */

enum bar_kind {
	BAR_NONE,
	BAR_IO,
	BAR_MEM32,
	BAR_MEM64,    /* low half; the next index is its high half */
	BAR_MEM64_HI,
	BAR_ROM_KIND,
};

/* Deferred map/unmap work for one BAR, embedded in it so that queueing
 * never allocates.  Its flags (wmap, queued) sit with the BAR's; where
 * it ends is the BAR's end (work_end() in map.c): neither the address
 * nor the span changes while work is queued, as every change of them
 * flushes the device's work first. */
struct bar_work {
	struct bar_work *next, *prev; /* both ways: a flush unlinks in O(1) */
	uint64_t cursor; /* pages still to do: [cursor, work_end()) */
};

/* 48 bytes: a platform of 65,536 functions has 458,752 of these (the
 * queue's back links cost 3.5 MiB there; a flush walking the queue cost
 * 32.6 s for 65,536 devices flushed in tail order: issue 14, F8). */
struct bar {
	uint64_t size;        /* bytes; for VF BARs: one VF's */
	uint64_t addr;        /* bytes, where it is mapped while mapped */
	struct bar_work work;
	uint16_t reg;         /* config offset of the (low) register */
	uint8_t kind;         /* enum bar_kind */
	uint8_t bir;          /* its own index: finds its device (bar_owner) */
	bool prefetch;
	bool mapped;          /* mapping scheduled or done */
	bool wmap;            /* the work maps (else unmaps) */
	bool queued;          /* the work is in the domain's queue */
};

/* SR-IOV (sriov.c): the capability's state and the VF BARs. */
struct sriov {
	struct pvhdev__bar_dev *bd;
	unsigned pos;       /* capability offset */
	uint16_t total_vfs;
	uint16_t num_vfs;   /* NumVFs when the VFs were enabled */
	uint16_t offset;    /* First VF Offset, VF Stride at enable */
	uint16_t stride;
	uint16_t nr_added;  /* VFs added as devices */
	struct bar vf[NR_BARS - BAR_VF0]; /* BAR_VF0 + i is vf[i] */
};

struct pvhdev__bar_dev {
	struct pvhdev_dev *dev;
	struct sriov *sriov;  /* SR-IOV PFs only; holds the VF BARs */
	/* Claims on the MSI-X pages of mapped BARs: claims[i] for
	 * dev->holes[i], allocated when a BAR with holes first maps. */
	struct pvhdev__rnode *claims;
	uint8_t nr_claims;
	uint8_t claimed;      /* bit i: claims[i] is in the domain's tree */
	/* A command write waiting for the p2m (after boot). */
	bool cmd_pending;
	uint16_t cmd_val;
	uint8_t queued;       /* work items of this device in the queue */
	struct bar bars[NR_DEV_BARS];
};

/* Domain-level BAR state: the work queue, and the MSI-X pages of every
 * mapped BAR (struct pvhdev__bar_dev claims), which no mapping may cover. */
struct pvhdev__bar_queue {
	struct bar_work *head, *tail;
	/* Links followed to take items out of the queue's middle (one per
	 * item): a count for tests, which a walk would make quadratic. */
	uint64_t steps;
	struct pvhdev__rtree holes;
};

/* BAR bir (0 to bar_count() - 1) of bd. */
static inline struct bar *bar_at(struct pvhdev__bar_dev *bd, unsigned bir)
{
	return bir < BAR_VF0 ? &bd->bars[bir] : &bd->sriov->vf[bir - BAR_VF0];
}

/* How many BARs bd has: NR_BARS for an SR-IOV PF, else NR_DEV_BARS. */
static inline unsigned bar_count(const struct pvhdev__bar_dev *bd)
{
	return bd->sriov ? NR_BARS : NR_DEV_BARS;
}

/* The device state a BAR belongs to: the BAR knows its index, so the
 * array it sits in, and who holds that array. */
static inline struct pvhdev__bar_dev *bar_owner(struct bar *b)
{
	if (b->bir < BAR_VF0)
		return PVHDEV__CONTAINER(b - b->bir, struct pvhdev__bar_dev, bars);
	return PVHDEV__CONTAINER(b - (b->bir - BAR_VF0), struct sriov, vf)->bd;
}

static inline struct bar *bar_of_work(struct bar_work *w)
{
	return PVHDEV__CONTAINER(w, struct bar, work);
}

/* map.c: queue a BAR's map or unmap, or (now) do it before returning.
 * -EBUSY: the BAR's MSI-X pages are mapped or claimed (logged), it
 * does not map, and the device must not decode (the XSA-120 rule). */
int pvhdev__bar_schedule(struct pvhdev__bar_dev *bd, unsigned bir, bool map,
                 uint64_t addr, bool now);
/* Completes every queued item of this device now. */
int pvhdev__bar_flush(struct pvhdev__bar_dev *bd);
/* Device removal: queued unmaps finish now, queued maps are dropped
 * (what they mapped so far stays marked mapped, for the caller). */
void pvhdev__bar_cancel(struct pvhdev__bar_dev *bd);
/* Storage for dev->holes' claims: 0, or -ENOMEM. */
int pvhdev__bar_holes_room(struct pvhdev__bar_dev *bd);
/* Releases any claim left and the claims' storage (device removal). */
void pvhdev__bar_holes_free(struct pvhdev__bar_dev *bd);
/* bir's MSI-X pages at base are in no mapping and no other claim:
 * 0, or -EBUSY (logged). */
int pvhdev__bar_holes_clear(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t base);
/* BAR bir at addr covers BAR other's MSI-X pages at base, both of this
 * device: true (logged). */
bool pvhdev__bar_covers_holes(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                              unsigned other, uint64_t base);
/* Tells every module that a command write turning memory decoding on
 * reached the hardware. */
void pvhdev__bar_decoded(struct pvhdev__bar_dev *bd);
/* Tells every module that bir started or stopped decoding. */
void pvhdev__bar_notify(struct pvhdev__bar_dev *bd, unsigned bir, bool mapped);

/* bar.c */
/* Every memory BAR on or off (the ROM only while enabled); now: the
 * p2m work before returning instead of queued. */
int pvhdev__bar_decode_change(struct pvhdev__bar_dev *bd, bool on, bool now);
enum pvhdev_verdict pvhdev__bar_pass_read(struct pvhdev_dev *dev,
                                  const struct pvhdev_reg *reg, uint32_t *val);
bool pvhdev__bar_is_mem(const struct bar *b);
int pvhdev__bar_read_addr(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t *addr);
/* src/pci's size probe of the register at reg, through the logged
 * hardware accessors. */
int pvhdev__bar_probe(struct pvhdev_dev *dev, unsigned reg, uint32_t ones,
                      uint32_t *orig, uint32_t *sized);

/* check.c: the module's invariants (pvhdev_check_invariants). */
int pvhdev__bar_check_dev(struct pvhdev_dev *dev, char *msg, size_t len);
int pvhdev__bar_check_dom(struct pvhdev_domain *dom, char *msg, size_t len);

/* sriov.c */
int pvhdev__sriov_add(struct pvhdev__bar_dev *bd);
/* Adds the VFs (and maps their BARs) when firmware left them enabled. */
int pvhdev__sriov_start(struct pvhdev__bar_dev *bd);
void pvhdev__sriov_remove(struct pvhdev__bar_dev *bd);
/* Pages of VF BAR i: all VFs, VF BAR size x NumVFs. */
uint64_t pvhdev__sriov_vf_bar_span(const struct pvhdev__bar_dev *bd, unsigned i);

#endif
