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
 * never allocates.  Whether it maps or unmaps is the BAR's state; where
 * it ends is the BAR's end (work_end() in map.c): neither the address
 * nor the span changes while work is queued, as every change of them
 * flushes the device's work first. */
struct bar_work {
	struct bar_work *next, *prev; /* both ways: a flush unlinks in O(1) */
	uint64_t cursor; /* pages still to do: [cursor, work_end()) */
};

/*
 * A BAR's mapping state (map.c).  "now": the p2m work is done before
 * the call returns (before boot, device add and removal); "deferred":
 * it is queued for pvhdev_process_pending().
 *
 *   state         event            next          effects
 *   ------------  ---------------  ------------  ---------------------------
 *   UNMAPPED      map now          MAPPED        claim MSI-X pages, map,
 *                                                traps on (bar_moved)
 *   UNMAPPED      map deferred     MAP_QUEUED    claim MSI-X pages, enqueue
 *   UNMAPPED      unmap            UNMAPPED      none
 *   MAPPED        unmap now        UNMAPPED      traps off, claims released,
 *                                                unmap
 *   MAPPED        unmap deferred   UNMAP_QUEUED  traps off, enqueue (claims
 *                                                kept: the device decodes
 *                                                until its command write)
 *   MAPPED        map              MAPPED        claims taken again, maps
 *                                                what is missing
 *   MAP_QUEUED    work done        MAPPED        traps on
 *   UNMAP_QUEUED  work done        UNMAPPED      claims released with the
 *                                                device's last item
 *   MAP_QUEUED    cancel           MAPPED        pages mapped so far stay
 *   UNMAP_QUEUED  cancel           UNMAPPED      the unmap finishes now
 *   *_QUEUED      map or unmap     -             the device's work is done
 *                                                first, then as above
 *
 * A 64-bit BAR written one half at a time while its device decodes
 * (bar.c moves it: unmap now, the write, then map or hold):
 *
 *   UNMAPPED      hold low/high    HALF_LO/_HI   MSI-X pages claimed where
 *                                                the device decodes now;
 *                                                nothing mapped, no traps
 *   HALF_LO/_HI   the same half    the same      claims follow the address
 *   HALF_LO/_HI   map (the other   MAPPED or     as from UNMAPPED
 *                 half written)    MAP_QUEUED
 *   HALF_LO/_HI   unmap now        UNMAPPED      claims released
 *   HALF_LO/_HI   unmap deferred   UNMAPPED      claims released with the
 *                                                device's command write
 *
 * A map refused for MSI-X pages (-EBUSY, logged) leaves the state as
 * it was.
 */
enum bar_state {
	BAR_UNMAPPED,
	BAR_MAP_QUEUED,
	BAR_MAPPED,
	BAR_UNMAP_QUEUED,
	BAR_HALF_LO,    /* 64-bit, decoding: low half written, high awaited */
	BAR_HALF_HI,    /* 64-bit, decoding: high half written, low awaited */
};

/* When a transition's p2m work is done. */
enum bar_when {
	BAR_NOW,
	BAR_DEFERRED,
};

/* 48 bytes: a platform of 65,536 functions has 458,752 of these (the
 * queue's back links cost 3.5 MiB there; a flush walking the queue cost
 * 32.6 s for 65,536 devices flushed in tail order: issue 14, F8). */
struct bar {
	uint64_t size;        /* bytes; for VF BARs: one VF's */
	uint64_t addr;        /* bytes: where it maps (or is held) */
	struct bar_work work;
	uint16_t reg;         /* config offset of the (low) register */
	uint8_t kind;         /* enum bar_kind */
	uint8_t bir;          /* its own index: finds its device (bar_owner) */
	bool prefetch;
	uint8_t state;        /* enum bar_state */
};
_Static_assert(sizeof(struct bar) <= 48, "struct bar grew past 48 bytes");

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

/* Claims on the MSI-X pages of mapped BARs: node[i] for dev->holes[i],
 * allocated at device start (pvhdev__bar_holes_room). */
struct bar_claims {
	struct pvhdev__rnode *node;
	uint8_t nr;           /* nodes allocated */
	uint8_t held;         /* bit i: node[i] is in the domain's tree */
};

struct pvhdev__bar_dev {
	struct pvhdev_dev *dev;
	struct sriov *sriov;  /* SR-IOV PFs only; holds the VF BARs */
	struct bar_claims claims;
	/* A command write waiting for the p2m (after boot). */
	bool cmd_pending;
	uint16_t cmd_val;
	uint8_t nr_queued;    /* work items of this device in the queue */
	struct bar bars[NR_DEV_BARS];
};

/* Domain-level BAR state: the work queue, and the MSI-X pages of every
 * mapped BAR (struct bar_claims), which no mapping may cover. */
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

/* Mapping scheduled or done: MAP_QUEUED or MAPPED. */
static inline bool bar_maps(const struct bar *b)
{
	return b->state == BAR_MAP_QUEUED || b->state == BAR_MAPPED;
}

static inline bool bar_queued(const struct bar *b)
{
	return b->state == BAR_MAP_QUEUED || b->state == BAR_UNMAP_QUEUED;
}

/* A 64-bit BAR between its halves (HALF_LO or HALF_HI). */
static inline bool bar_held(const struct bar *b)
{
	return b->state == BAR_HALF_LO || b->state == BAR_HALF_HI;
}

/* A guest access's p2m work: now until boot completes, deferred after. */
static inline enum bar_when bar_when(const struct pvhdev_domain *dom)
{
	return dom->booted ? BAR_DEFERRED : BAR_NOW;
}

/* map.c: the transitions of the table above.  map: -EBUSY when the
 * BAR's MSI-X pages are mapped or claimed (logged); it does not map,
 * and the device must not decode (the XSA-120 rule). */
int pvhdev__bar_map(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                    enum bar_when when);
int pvhdev__bar_unmap(struct pvhdev__bar_dev *bd, unsigned bir, enum bar_when when);
/* One half of 64-bit BAR bir written while decoding (UNMAPPED ->
 * half, HALF_LO or HALF_HI): its MSI-X pages at addr claimed, nothing
 * mapped.  0, or -EBUSY (logged) / -ENOMEM, the state unchanged. */
int pvhdev__bar_hold(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                     enum bar_state half);
/* Whether BAR bir may decode at addr (bytes), by the rule a map
 * applies: its range over no other BAR's claimed MSI-X pages, its own
 * MSI-X pages there in no mapping and no claim but bir's own.  Checked
 * before a BAR moves, claiming nothing: 0, or -EBUSY (logged). */
int pvhdev__bar_may_map(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr);
/* Releases the claims of BARs left unmapped, once their device stops
 * decoding (a command write turning decoding off reaches it). */
void pvhdev__bar_claims_drop(struct pvhdev__bar_dev *bd);
/* Completes every queued item of this device now. */
int pvhdev__bar_flush(struct pvhdev__bar_dev *bd);
/* Device removal: queued unmaps finish now, queued maps are dropped
 * (what they mapped so far stays marked mapped, for the caller). */
void pvhdev__bar_cancel(struct pvhdev__bar_dev *bd);
/* Storage for dev->holes' claims: 0, or -ENOMEM. */
int pvhdev__bar_holes_room(struct pvhdev__bar_dev *bd);
/* Releases any claim left and the claims' storage (device removal). */
void pvhdev__bar_holes_free(struct pvhdev__bar_dev *bd);
/* bir's MSI-X pages at base are in no mapping and no claim but bir's
 * own: 0, or -EBUSY (logged). */
int pvhdev__bar_holes_clear(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t base);
/* BAR bir at addr covers BAR other's MSI-X pages at base, both of this
 * device: true (logged). */
bool pvhdev__bar_covers_holes(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                              unsigned other, uint64_t base);
/* Tells every module that a command write turning memory decoding on
 * reached the hardware. */
void pvhdev__bar_decoded(struct pvhdev__bar_dev *bd);
/* Tells every module that bir started or stopped decoding (a VF BAR:
 * every VF of the PF, its slice). */
void pvhdev__bar_notify(struct pvhdev__bar_dev *bd, unsigned bir, bool mapped);
/* The same for one device's BAR bir (0-5 of a VF: its slice) at addr. */
void pvhdev__bar_notify_dev(struct pvhdev_dev *dev, unsigned bir, uint64_t addr,
                            uint64_t size, bool mapped);
void pvhdev__bar_decoded_dev(struct pvhdev_dev *dev);
/* Claims bir's MSI-X pages at base (0, -EBUSY logged, -ENOMEM), and
 * releases them: what a BAR's map and unmap do, for a VF's slice. */
int pvhdev__bar_holes_claim(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t base);
void pvhdev__bar_holes_release(struct pvhdev__bar_dev *bd, unsigned bir);

/* bar.c */
/* Every memory BAR on or off (the ROM only while enabled). */
int pvhdev__bar_decode_change(struct pvhdev__bar_dev *bd, bool on, enum bar_when when);
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
/* After a reset of the PF (VF Enable clear): its VFs are removed. */
void pvhdev__sriov_reset(struct pvhdev__bar_dev *bd);
/* Pages of VF BAR i: all VFs, VF BAR size x NumVFs. */
uint64_t pvhdev__sriov_vf_bar_span(const struct pvhdev__bar_dev *bd, unsigned i);
/* VF BAR bir (BAR_VF0 + i) of the PF bd mapped or unmapped: each VF
 * hears of its slice (traps follow), and its MSI-X claims go with an
 * unmap. */
void pvhdev__sriov_notify(struct pvhdev__bar_dev *bd, unsigned bir, bool mapped);
/* Whether claim n is a VF's of this PF on VF BAR bir at addr: the PF's
 * VF BAR maps around it (its VFs' MSI-X pages are holes in it). */
bool pvhdev__sriov_vf_claim(const struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                            const struct pvhdev__rnode *n);
/* A VF's BAR i (0-5), as pvhdev__bar_get() describes BARs: its slice
 * of the PF's VF BAR i.  -ENOENT when there is none. */
int pvhdev__sriov_vf_bar(const struct pvhdev_dev *vf, unsigned i,
                         struct pvhdev__bar_info *out);

#endif
