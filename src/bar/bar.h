/* SPDX-License-Identifier: MIT */
/* src/bar's private header: BAR state, the work queue, SR-IOV. */
#ifndef PVHDEV_BAR_H
#define PVHDEV_BAR_H

#include "core/core.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_BAR0 0x10
#define PCI_ROM_TYPE0 0x30
#define PCI_ROM_TYPE1 0x38
#define PCI_ROM_ENABLE 0x1
#define PCI_BAR_IO 0x1
#define PCI_BAR_MEM_TYPE_MASK 0x6
#define PCI_BAR_MEM_64 0x4
#define PCI_BAR_PREFETCH 0x8

#define BAR_ROM 6      /* index of the expansion ROM */
#define BAR_VF0 7      /* index of VF BAR 0 (SR-IOV) */
#define NR_BARS 13     /* 6 BARs, ROM, 6 VF BARs */

enum bar_kind {
	BAR_NONE,
	BAR_IO,
	BAR_MEM32,
	BAR_MEM64,    /* low half; the next index is its high half */
	BAR_MEM64_HI,
	BAR_ROM_KIND,
};

/* Deferred map/unmap work for one BAR.  Embedded in the BAR so that
 * queueing never allocates. */
struct bar_work {
	struct bar_work *next;
	struct pvhdev__bar_dev *bd;
	uint8_t bir;
	bool map;
	bool queued;
	uint64_t cursor, end; /* pages still to do: [cursor, end) */
};

struct bar {
	uint8_t kind;         /* enum bar_kind */
	bool prefetch;
	uint16_t reg;         /* config offset of the (low) register */
	uint64_t size;        /* bytes; for VF BARs: one VF's */
	uint64_t addr;        /* bytes, where it is mapped while mapped */
	bool mapped;          /* mapping scheduled or done */
	struct bar_work work;
};

struct sriov;

struct pvhdev__bar_dev {
	struct pvhdev_dev *dev;
	struct bar bars[NR_BARS];
	/* A command write waiting for the p2m (after boot). */
	bool cmd_pending;
	uint16_t cmd_val;
	unsigned queued; /* work items of this device in the queue */
	struct sriov *sriov;
};

/* Domain-level BAR state: the work queue, and the MSI-X pages of every
 * mapped BAR (struct pvhdev__hole claims), which no mapping may cover. */
struct pvhdev__bar_queue {
	struct bar_work *head, *tail;
	struct pvhdev__rtree holes;
};

/* map.c: queue a BAR's map or unmap, or (now) do it before returning. */
int bar_schedule(struct pvhdev__bar_dev *bd, unsigned bir, bool map,
                 uint64_t addr, bool now);
/* Completes every queued item of this device now. */
int bar_flush(struct pvhdev__bar_dev *bd);
/* Device removal: queued unmaps finish now, queued maps are dropped
 * (what they mapped so far stays marked mapped, for the caller). */
void bar_cancel(struct pvhdev__bar_dev *bd);
/* Tells every module that bir started or stopped decoding. */
void bar_notify(struct pvhdev__bar_dev *bd, unsigned bir, bool mapped);

/* bar.c */
enum pvhdev_verdict bar_pass_read(struct pvhdev_dev *dev,
                                  const struct pvhdev_reg *reg, uint32_t *val);
bool bar_is_mem(const struct bar *b);
int bar_read_addr(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t *addr);

/* check.c: the module's invariants (pvhdev_check_invariants). */
int bar_check_dev(struct pvhdev_dev *dev, char *msg, size_t len);
int bar_check_dom(struct pvhdev_domain *dom, char *msg, size_t len);

/* sriov.c */
int sriov_add(struct pvhdev__bar_dev *bd);
/* Adds the VFs (and maps their BARs) when firmware left them enabled. */
int sriov_start(struct pvhdev__bar_dev *bd);
void sriov_remove(struct pvhdev__bar_dev *bd);
/* Pages of VF BAR i: all VFs, VF BAR size x NumVFs. */
uint64_t sriov_vf_bar_span(const struct pvhdev__bar_dev *bd, unsigned i);

#endif
