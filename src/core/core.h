/* SPDX-License-Identifier: MIT */
/*
 * The core's private header: the domain, devices, the range tree, the
 * trapped-MMIO table, hardware access, events and logging.  Every module
 * (src/cfgspace, src/bar, src/msi, src/msix, src/ioapic, src/p2m_model,
 * src/backend/fake) includes this and its own header only.
 *
 * Freestanding: no libc beyond memcpy/memset/memmove/memcmp.
 */
#ifndef PVHDEV_CORE_H
#define PVHDEV_CORE_H

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/pvhdev.h>

#include "pci/header.h"

#define PVHDEV__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PVHDEV__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PVHDEV__LIKELY(x) __builtin_expect(!!(x), 1)
#define PVHDEV__UNLIKELY(x) __builtin_expect(!!(x), 0)

/* All-ones of a 1/2/4/8-byte access. */
static inline uint64_t pvhdev__ones(unsigned size)
{
	return size >= 8 ? ~(uint64_t)0 : (((uint64_t)1 << (8 * size)) - 1);
}

/* size is 1, 2 or 4 (or 8 when allow8) and off is aligned to it. */
static inline int pvhdev__access_ok(uint64_t off, unsigned size, int allow8)
{
	if (size != 1 && size != 2 && size != 4 && !(allow8 && size == 8))
		return 0;
	return (off & (size - 1)) == 0;
}

/* ---- Range tree: an intrusive AVL tree of disjoint closed ranges ---- */

/*
 * Nodes live inside their owners (an MMIO trap, a p2m range), so insert
 * and remove never allocate.  Units are the owner's: bytes for MMIO
 * traps, pages for the p2m.  [start, last] is closed so a range can end
 * at the top of the 64-bit space.  All operations are O(log n).
 */
struct pvhdev__rnode {
	struct pvhdev__rnode *left, *right, *parent;
	uint64_t start, last;
	int height;
};

struct pvhdev__rtree {
	struct pvhdev__rnode *root;
	size_t count;
};

void pvhdev__rtree_init(struct pvhdev__rtree *t);
/* -EEXIST when n overlaps a node already in t; -EINVAL when last < start. */
int pvhdev__rtree_insert(struct pvhdev__rtree *t, struct pvhdev__rnode *n);
/* The same, when the caller has looked up where n goes: prev and next
 * are the nodes n will sit between (NULL at either end; next is
 * pvhdev__rtree_next(prev), as pvhdev__rtree_around finds them).  No
 * walk from the root: O(1) before the rebalance.  -EEXIST when n
 * overlaps prev or next; -EINVAL when last < start or prev and next are
 * not neighbours. */
int pvhdev__rtree_insert_at(struct pvhdev__rtree *t, struct pvhdev__rnode *n,
                            struct pvhdev__rnode *prev, struct pvhdev__rnode *next);
void pvhdev__rtree_remove(struct pvhdev__rtree *t, struct pvhdev__rnode *n);
/* The node holding point, or NULL. */
struct pvhdev__rnode *pvhdev__rtree_find(const struct pvhdev__rtree *t,
                                         uint64_t point);
/* The first node whose last >= point (overlapping or after it), or NULL. */
struct pvhdev__rnode *pvhdev__rtree_first_from(const struct pvhdev__rtree *t,
                                               uint64_t point);
/* The same, and in *before the last node that ends before point (the
 * result's predecessor), or NULL: one walk for where a new range goes. */
struct pvhdev__rnode *pvhdev__rtree_around(const struct pvhdev__rtree *t,
                                           uint64_t point,
                                           struct pvhdev__rnode **before);
struct pvhdev__rnode *pvhdev__rtree_first(const struct pvhdev__rtree *t);
struct pvhdev__rnode *pvhdev__rtree_next(const struct pvhdev__rnode *n);

#define PVHDEV__CONTAINER(ptr, type, member)                                  \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* ---- Trapped MMIO ranges (ECAM windows, MSI-X pages, IO-APICs) ---- */

struct pvhdev__mmio_ops {
	/* addr is absolute; size 1/2/4/8, naturally aligned, inside the
	 * region.  A handler answers like hardware and returns 0, or returns
	 * a backend error. */
	int (*read)(void *opaque, uint64_t addr, unsigned size, uint64_t *val);
	int (*write)(void *opaque, uint64_t addr, unsigned size, uint64_t val);
};

struct pvhdev__mmio_region {
	struct pvhdev__rnode node; /* bytes */
	const struct pvhdev__mmio_ops *ops;
	void *opaque;
};

/* -EEXIST on overlap with another trapped range. */
int pvhdev__mmio_add(struct pvhdev_domain *dom, struct pvhdev__mmio_region *r,
                     uint64_t addr, uint64_t size,
                     const struct pvhdev__mmio_ops *ops, void *opaque);
/* Also forgets r in the caches below. */
void pvhdev__mmio_remove(struct pvhdev_domain *dom, struct pvhdev__mmio_region *r);

/*
 * The access path's one-entry caches in front of the tree: a guest
 * reaches the same region many times in a row (a driver's probe of one
 * function's config space, its MSI-X table), and a hit is a subtraction
 * and two compares instead of a walk.  Zeroed (len 0) they hold
 * nothing, so a new domain needs no set-up.  r is in the tree whenever
 * len is not 0: pvhdev__mmio_remove() forgets it.
 */
struct pvhdev__mmio_cache {
	uint64_t start, len; /* bytes: r's range, both multiples of 8 */
	const struct pvhdev__mmio_ops *ops; /* r's */
	void *opaque;
	const struct pvhdev__mmio_region *r;
};

/* The last ECAM window reached: its accesses skip the region's handler
 * and go straight to the dispatcher (src/core/mmio.c). */
struct pvhdev__ecam_cache {
	uint64_t start, len; /* bytes: the window's trapped range */
	/* The function at addr is (addr >> 12) - bias, modulo 2^32: the
	 * page number from the window's start, plus the SBDF of its first
	 * page, in one subtraction. */
	uint32_t bias;
	const struct pvhdev__mmio_region *r;
};

/* The ECAM decoder (src/cfgspace/decode.c) names the window r it was
 * reached through, so that the next access to it is a cache hit. */
void pvhdev__mmio_ecam_hit(struct pvhdev_domain *dom,
                           const struct pvhdev__mmio_region *r,
                           pvhdev_sbdf_t sbdf0);

/* ---- Invariant clauses (pvhdev_check_invariants) ---- */

/* One bit per clause; who checks it in brackets.  Every clause reads
 * the hardware's state through pvhdev__hw_*_read (no events, no guest
 * access), not only pvhdev's bookkeeping. */
enum pvhdev__clause {
	PVHDEV__CK_P2M = 1u << 0,         /* ranges disjoint; identity avoids excluded frames [core] */
	PVHDEV__CK_TRAPPED = 1u << 1,     /* no p2m page inside a trapped MMIO range [core] */
	PVHDEV__CK_HIDDEN = 1u << 2,      /* hidden devices own and map nothing [core] */
	PVHDEV__CK_REGS = 1u << 3,        /* guest's read-only bits are the hardware's [core] */
	PVHDEV__CK_BAR = 1u << 4,         /* mapped BARs decode where their registers say [bar] */
	PVHDEV__CK_MSIX_PAGES = 1u << 5,  /* no table/PBA page of a decoding device mapped [msix] */
	PVHDEV__CK_MSIX_LIVE = 1u << 6,   /* live entries in hardware are bound, same message [msix] */
	PVHDEV__CK_MSIX_HMASK = 1u << 7,  /* host-masked entries cannot fire [msix] */
	PVHDEV__CK_MSI_LIVE = 1u << 8,    /* live vectors in hardware are bound, same message [msi] */
	PVHDEV__CK_MSI_HMASK = 1u << 9,   /* host-masked vectors masked in hardware [msi] */
	PVHDEV__CK_IOAPIC = 1u << 10,     /* each vIO-APIC window trapped where it is [ioapic] */
	PVHDEV__CK_MSI_BOUND = 1u << 11,  /* bound vectors on in hardware, bound message [msi] */
	PVHDEV__CK_MSIX_BOUND = 1u << 12, /* bound entries: MSI-X on, bound message [msix] */
};

static inline bool pvhdev__check_on(const struct pvhdev_domain *dom,
                                    enum pvhdev__clause c);

/* The clauses of the devices at sbdf[0..n) only (fuzz_ops, after an
 * operation that touched only them and changed no p2m range): 0, or
 * -EPROTO with the first violation in msg. */
int pvhdev__check_devs(struct pvhdev_domain *dom, const pvhdev_sbdf_t *sbdf, size_t n,
                       char *msg, size_t len);

/* Writes the violation to msg (when len > 0); returns -EPROTO. */
int pvhdev__check_fail(char *msg, size_t len, const char *fmt, ...)
	PVHDEV__PRINTF(3, 4);

/* Whether an identity range (what reaches those frames) has a page in
 * [gfn, gfn + nr): the first in *r.  Populated RAM copies do not. */
bool pvhdev__p2m_any(const struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr,
                     struct pvhdev_p2m_range *r);

/* Where memory BAR bir (0-5) of sbdf is in the hardware now, and
 * whether it is one: reads only (type 0 headers; type 1 have BARs 0-1). */
bool pvhdev__hw_bar_addr(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                         unsigned hdr_type, unsigned bir, uint64_t *addr);

/* ---- Modules ---- */

/* A module hooks device add/remove and domain teardown.  The table of
 * modules (src/core/modules.c) fixes the order: dev_add runs in table
 * order, dev_remove and dom_free in reverse.  Any hook may be NULL. */
struct pvhdev__module {
	const char *name;
	/* Domain creation; dom_free undoes it (also after a failed init of
	 * a later module, so dom_free must cope with what init left). */
	int (*dom_init)(struct pvhdev_domain *dom);
	void (*dom_free)(struct pvhdev_domain *dom);
	int (*dev_add)(struct pvhdev_dev *dev);
	/* After every module's dev_add: start effects (the BAR module maps
	 * decode-enabled BARs here, once MSI-X has declared its holes). */
	int (*dev_start)(struct pvhdev_dev *dev);
	void (*dev_remove)(struct pvhdev_dev *dev);
	/* The BAR module tells every module when memory BAR bir (0-5,
	 * 6 = ROM) starts (mapped) or stops decoding at addr (bytes). */
	void (*bar_moved)(struct pvhdev_dev *dev, unsigned bir, uint64_t addr,
	                  uint64_t size, bool mapped);
	/* The BAR module tells every module when a command write that
	 * turns memory decoding on has reached the hardware (bar_moved
	 * comes before it: the traps are in place before the device
	 * decodes, and the device's memory answers only now). */
	void (*decoded)(struct pvhdev_dev *dev);
	/* The function was reset in the hardware (src/core/reset.c): drop
	 * what the reset cleared (mappings, bindings, VFs), with their
	 * events, and take the hardware's state as the new start.  Runs in
	 * reverse table order, as dev_remove; the device stays. */
	void (*dev_reset)(struct pvhdev_dev *dev);
	/* Invariant checks (pvhdev_check_invariants): 0, or -EPROTO with
	 * the first violation written to msg. */
	int (*check_dev)(struct pvhdev_dev *dev, char *msg, size_t len);
	int (*check_dom)(struct pvhdev_domain *dom, char *msg, size_t len);
};

extern const struct pvhdev__module *const pvhdev__modules[];
extern const size_t pvhdev__nr_modules;

/* Per-module state hung off devices and the domain. */
struct pvhdev__ioapic_set;
struct pvhdev__p2m;
struct pvhdev__bar_dev;
struct pvhdev__bar_queue;
struct pvhdev__msi_dev;
struct pvhdev__msix_dev;

/* ---- Devices ---- */

#define PVHDEV__MAX_CAPS PVHDEV_PCI_CAP_HOPS /* the legacy walk's bound */
#define PVHDEV__MAX_EXT_CAPS 64 /* more are logged and ignored */
#define PVHDEV__IDX_PAGES (PVHDEV_CFG_EXP_SIZE / 256)

struct pvhdev__cap {
	uint16_t id;
	uint16_t off;
};

/* A capability walk's result.  It lives on the stack during device add
 * (448 bytes); the device keeps only the entries it has. */
struct pvhdev__caps_found {
	struct pvhdev__cap caps[PVHDEV__MAX_CAPS];
	struct pvhdev__cap ext_caps[PVHDEV__MAX_EXT_CAPS];
	uint8_t nr_caps, nr_ext_caps;
};

/* Part of a BAR that must never be identity mapped (MSI-X table and PBA
 * pages): the BAR module leaves these pages out, whoever asks.  32 bits
 * are enough: MSI-X table and PBA offsets are 32-bit registers, and a
 * table with its PBA spans at most a few pages.  While the BAR is
 * mapped, the BAR module holds a claim on these pages (its own state:
 * most of a domain's devices have no holes, or hold no claim). */
#define PVHDEV__MAX_HOLES 4
struct pvhdev__hole {
	uint32_t off; /* bytes from the BAR's start */
	uint32_t size;
	uint8_t bir;  /* BAR index 0-5 */
};

/* One allocation per device: this struct, then its capabilities
 * (caps[]), sized by the walk that precedes the allocation.  65,536
 * functions cost 64 KiB per byte here, so the small fields are packed
 * and nothing is sized for the worst case a device might have. */
struct pvhdev_dev {
	struct pvhdev_domain *dom;
	pvhdev_sbdf_t sbdf;
	pvhdev_sbdf_t pf; /* its PF, when vf */
	uint32_t id;      /* vendor and device ID at add */
	bool hidden;
	bool present;     /* added (hidden placeholders are not) */
	bool ext_cfg;     /* extended config space reachable (MMCFG covers it) */
	bool vf;          /* an SR-IOV VF, added by its PF */
	uint8_t hdr_type; /* header type without the multi-function bit */
	uint8_t nr_caps;  /* legacy capabilities: caps[0 .. nr_caps) */
	uint8_t nr_ext_caps; /* extended: caps[nr_caps .. nr_caps + nr_ext_caps) */
	uint8_t nr_holes;
	/* Byte offset -> register id (0: none) in the high byte, and in the
	 * low byte how many bytes from there to the end of the dword carry
	 * that id (src/cfgspace/regs.c).  Pages of 256 offsets; a page with
	 * no register points at a shared read-only page of gaps. */
	const uint16_t *idx[PVHDEV__IDX_PAGES];
	struct pvhdev_reg *regs; /* register id i is regs[i - 1] */
	unsigned nr_regs, cap_regs;
	struct pvhdev__hole holes[PVHDEV__MAX_HOLES];
	/* Module state (NULL when the module has nothing for this device). */
	struct pvhdev__bar_dev *bar;
	struct pvhdev__msi_dev *msi;
	struct pvhdev__msix_dev *msix;
	struct pvhdev__cap caps[]; /* legacy, then extended (see nr_caps) */
};

/* The device for sbdf, or NULL.  O(1) after the segment lookup. */
struct pvhdev_dev *pvhdev__dev_lookup(const struct pvhdev_domain *dom,
                                      pvhdev_sbdf_t sbdf);

/* Adds an SR-IOV VF of pf: VFs read 0xffff as vendor ID, so this skips
 * the presence check pvhdev_dev_add() makes. */
int pvhdev__dev_add_vf(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                       pvhdev_sbdf_t pf);

/* An MMCFG window arrived after boot: rescans its buses, adds devices
 * that were not visible, and re-adds devices seen differently now that
 * extended config space is readable (their effects are redone, so no
 * stale mapping survives). */
int pvhdev__devices_rescan(struct pvhdev_domain *dom, uint16_t seg,
                           unsigned start_bus, unsigned end_bus);

/* dom0's config write to a function the domain does not know
 * (src/core/reset.c): it reaches the hardware, and a Secondary Bus
 * Reset of a bridge resets the functions pvhdev knows below it. */
int pvhdev__cfg_write_unknown(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                              unsigned off, unsigned size, uint32_t val);

/* Frees every device (domain teardown). */
void pvhdev__devices_free(struct pvhdev_domain *dom);

/* The register table (src/cfgspace/regs.c): an empty table, and
 * releasing one. */
void pvhdev__regs_init(struct pvhdev_dev *dev);
void pvhdev__regs_free(struct pvhdev_dev *dev);
/* Handlers of fields pvhdev hides from dom0 (a reserved half-dword, a
 * capability that reads as absent): reads 0, writes absorbed. */
enum pvhdev_verdict pvhdev__read_zero(struct pvhdev_dev *dev,
                                      const struct pvhdev_reg *reg, uint32_t *val);
enum pvhdev_verdict pvhdev__write_absorb(struct pvhdev_dev *dev,
                                         const struct pvhdev_reg *reg, uint32_t val);
/* Gives back the register array's spare room (end of device add). */
void pvhdev__regs_trim(struct pvhdev_dev *dev);
/* Checks that the guest's view of every read-only bit equals the
 * hardware's: 0, or -EPROTO with the first difference in msg. */
int pvhdev__regs_check(struct pvhdev_dev *dev, char *msg, size_t len);

/* Whether an MMCFG region covers sbdf's bus (extended config space is
 * reachable only then). */
bool pvhdev__mmcfg_covers(const struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf);

/* Capability walks (src/cfgspace/caps.c): fill out from the hardware of
 * dev (its dom, sbdf, hdr_type and ext_cfg), bounded and loop-safe. */
int pvhdev__caps_walk(const struct pvhdev_dev *dev, struct pvhdev__caps_found *out);

/* ---- The domain ---- */

struct pvhdev__bus {
	struct pvhdev_dev *fn[256]; /* by devfn */
	unsigned count;
};

struct pvhdev__segment {
	uint16_t seg;
	struct pvhdev__bus *bus[256];
};

/* ECAM windows one domain takes, boot and late together: a late report
 * (PHYSDEVOP_pci_mmcfg_reserved) costs a rescan of its buses, so dom0
 * may not make them without bound (issue 14, F9). */
#define PVHDEV__MAX_MMCFG 256

struct pvhdev__mmcfg {
	struct pvhdev__mmio_region trap;
	struct pvhdev_domain *dom;
	uint64_t addr; /* where bus 0 of the segment would be (as in MCFG) */
	uint16_t seg;
	uint8_t start_bus, end_bus;
	struct pvhdev__mmcfg *next;
};

/* A memory BAR of a hidden device, recorded when it is hidden (or its
 * placeholder is added): its frames are excluded for every device. */
struct pvhdev__hidden_bar {
	uint64_t addr, size; /* bytes */
	pvhdev_sbdf_t sbdf;
	uint8_t bir;         /* 0-5, 6 = ROM */
	uint8_t hdr_type;
};

struct pvhdev_domain {
	const struct pvhdev_backend_ops *be;
	void *be_ctx;
	const struct pvhdev_alloc_ops *alloc;
	void *alloc_ctx;
	void (*log)(void *ctx, enum pvhdev_log_level level, const char *msg);
	void *log_ctx;
	int (*effect)(void *ctx, const struct pvhdev_event *ev);
	void *effect_ctx;
	/* pvhdev_config.shadowed: with it, every event takes
	 * pvhdev__ev_slow, which marks hw-write events, as with a hook. */
	bool (*shadowed)(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size);
	void *shadowed_ctx;

	uint32_t cf8; /* latched CONFIG_ADDRESS */

	/* The access path's one-entry device cache: the last device dom0
	 * reached that is added and not hidden, or NULL.  device.c forgets
	 * it as soon as that stops being true (remove, hide, free). */
	struct pvhdev_dev *hit_dev;
	pvhdev_sbdf_t hit_sbdf;

	struct pvhdev__segment *segs; /* sorted by seg */
	unsigned nr_segs;
	struct pvhdev__mmcfg *mmcfg;
	unsigned nr_mmcfg;
	struct pvhdev__rtree mmio; /* struct pvhdev__mmio_region, bytes */
	struct pvhdev__ecam_cache ecam_hit; /* src/core/mmio.c */
	struct pvhdev__mmio_cache mmio_hit;

	/* The event ring: ev_cap slots (a power of two) from ev, the next
	 * one to fill at ev_cur.  ev_lap is the seq of ev[0] in this lap.
	 * ev_lim is ev + ev_cap, or ev itself with an effect hook: a slot
	 * whose successor reaches it takes pvhdev__ev_slow (wrap the ring,
	 * call the hook), so the access path tests one pointer. */
	struct pvhdev_event *ev, *ev_cur, *ev_lim;
	uint64_t ev_lap;
	uint32_t ev_cap;

	bool booted; /* boot complete: map/unmap work is deferred */
	bool freeing; /* pvhdev_domain_free runs: devices go, nothing is written */
	/* Invariant clauses pvhdev_check_invariants skips (enum
	 * pvhdev__clause bits): 0 except in statically linked tests, which
	 * switch one off to show that its test fails without it. */
	uint32_t check_off;
	struct pvhdev__hidden_bar *hidden_bars; /* nr_hidden_bars of them */
	unsigned nr_hidden_bars;
	struct pvhdev__ioapic_set *ioapic;
	struct pvhdev__p2m *p2m;
	struct pvhdev__bar_queue *bar_queue;
};

static inline bool pvhdev__check_on(const struct pvhdev_domain *dom,
                                    enum pvhdev__clause c)
{
	return !(dom->check_off & (uint32_t)c);
}

/* The device dom0 sees at sbdf (added and not hidden) or NULL; it
 * becomes the domain's one-entry cache, which pvhdev__dev_cached()
 * reads: dom0 tends to reach one function many times in a row (CF8/CFC
 * pairs, a driver's probe), and a hit costs two loads. */
struct pvhdev_dev *pvhdev__dev_visible(struct pvhdev_domain *dom,
                                       pvhdev_sbdf_t sbdf);

static inline struct pvhdev_dev *pvhdev__dev_cached(const struct pvhdev_domain *dom,
                                                    pvhdev_sbdf_t sbdf)
{
	return dom->hit_sbdf == sbdf ? dom->hit_dev : NULL;
}

/* ---- p2m model (src/p2m_model) ---- */

/* Ranges in pages.  Identity entries are recorded, then applied (map
 * event + hook); a refused entry is taken out again.  Adjacent entries
 * with the same type, reason, owner and bar merge into one record.
 * -EEXIST when a page is in the p2m already, -EPERM when a page is
 * excluded (the BAR module never asks for either). */
int pvhdev__p2m_identity_map(struct pvhdev_domain *dom, uint64_t gfn,
                             uint64_t nr, enum pvhdev_map_reason reason,
                             pvhdev_sbdf_t owner, int bar);
/* Removes the identity entries of (owner, bar) inside [gfn, gfn + nr),
 * splitting at the edges; one unmap event per removed piece.  Entries
 * of other owners in the range are left alone; 0 when nothing of the
 * owner is there. */
int pvhdev__p2m_identity_unmap(struct pvhdev_domain *dom, uint64_t gfn,
                               uint64_t nr, pvhdev_sbdf_t owner, int bar);
/* RAM below 1 MiB: populated and copied, recorded as such. */
int pvhdev__p2m_ram_copy(struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr);
/* The first entry that ends at or after gfn; -ENOENT when none. */
int pvhdev__p2m_first_from(const struct pvhdev_domain *dom, uint64_t gfn,
                           struct pvhdev_p2m_range *out);

/* Frames dom0 must never get identity mapped: e820 RAM, hypervisor
 * reserved ranges, MMCFG windows, IO-APIC and LAPIC pages (pages). */
enum pvhdev__excl_kind {
	PVHDEV__EXCL_RAM,
	PVHDEV__EXCL_RESERVED,
	PVHDEV__EXCL_MMCFG,
	PVHDEV__EXCL_IOAPIC,
	PVHDEV__EXCL_LAPIC,
	PVHDEV__EXCL_HIDDEN, /* a hidden device's BAR */
};
int pvhdev__excl_add(struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr,
                     enum pvhdev__excl_kind kind);
/* Frames that became excluded after boot (a late ECAM window, a late
 * IO-APIC): excluded from now on, and every identity range over them
 * unmapped now, whoever owns it (unmap events).  0 or -ENOMEM. */
int pvhdev__excl_late(struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr,
                      enum pvhdev__excl_kind kind);
/* "e820 RAM", "the LAPIC page", ... for messages. */
const char *pvhdev__excl_name(enum pvhdev__excl_kind kind);
/* The first excluded range overlapping [gfn, gfn + nr), whole (its
 * start may lie before gfn); -ENOENT. */
int pvhdev__excl_first(const struct pvhdev_domain *dom, uint64_t gfn,
                       uint64_t nr, uint64_t *start, uint64_t *count,
                       enum pvhdev__excl_kind *kind);

/* ---- BARs (src/bar) ---- */

/* The public struct pvhdev_bar_info (platform.h), under the module's
 * internal name. */
#define pvhdev__bar_info pvhdev_bar_info

/* dev is hidden now (or its hidden placeholder was just added): its
 * memory BARs (sized from the hardware when it has no BAR state) are
 * recorded in dom->hidden_bars and excluded for every device, and what
 * maps over them is unmapped.  0 or -ENOMEM. */
int pvhdev__bar_hidden(struct pvhdev_dev *dev);

/* bir 0-5, 6 = ROM.  -ENOENT when the BAR is not implemented.  A VF's
 * BAR bir (0-5) is its slice of its PF's VF BAR bir: one VF's size, at
 * the VF BAR's address + the VF's index x that size. */
int pvhdev__bar_get(const struct pvhdev_dev *dev, unsigned bir,
                    struct pvhdev__bar_info *out);

/* An SR-IOV VF's memory decodes in the hardware now: its PF's VF Enable
 * and VF MSE are set there (PCIe Base 9.3.3.3.4).  Reads only. */
bool pvhdev__sriov_vf_decodes(const struct pvhdev_dev *vf);
/* Where a VF's BAR i (0-5) is in the hardware now: its slice of the VF
 * BAR as the PF's register holds it.  Reads only; false: no such BAR. */
bool pvhdev__sriov_vf_hw_bar(const struct pvhdev_dev *vf, unsigned i, uint64_t *addr);

/* ---- MSI decode (src/msi), shared with MSI-X ---- */

/* Fills ev->u.irq's decoded fields (dest, vector, delivery) from an
 * x86 message address/data; -EINVAL when addr is not 0xFEExxxxx. */
int pvhdev__msi_decode(uint64_t addr, uint32_t data, struct pvhdev_event *ev);

/* ---- Allocation ---- */

void *pvhdev__zalloc(struct pvhdev_domain *dom, size_t size);
void pvhdev__free(struct pvhdev_domain *dom, void *ptr, size_t size);

/* ---- Hardware access (the only path to the backend) ---- */

/* Accesses that the backend cannot take (bad size) read all-ones. */
int pvhdev__hw_cfg_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                        unsigned off, unsigned size, uint32_t *val);
/* Logs hw-write, then writes. */
int pvhdev__hw_cfg_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                         unsigned off, unsigned size, uint32_t val);
int pvhdev__hw_mmio_read(struct pvhdev_domain *dom, uint64_t addr,
                         unsigned size, uint64_t *val);
int pvhdev__hw_mmio_write(struct pvhdev_domain *dom, uint64_t addr,
                          unsigned size, uint64_t val);

/* ---- Events and logging ---- */

/* Fills ev->seq, logs ev, calls the hook; returns (and records in
 * ev->result) the hook's verdict. */
int pvhdev__emit(struct pvhdev_domain *dom, struct pvhdev_event *ev);

/*
 * Events are built in their ring slot: fill dom->ev_cur, then
 * pvhdev__ev_next() takes it, or says no when the slot needs
 * pvhdev__ev_slow() (the ring wraps, or there is a hook to call).  A
 * slot keeps no seq (its position gives it: pvhdev_event_get fills it
 * in) and its result only with a hook (0 otherwise).
 */
static inline bool pvhdev__ev_next(struct pvhdev_domain *dom)
{
	struct pvhdev_event *n = dom->ev_cur + 1;

	if (PVHDEV__UNLIKELY(n >= dom->ev_lim))
		return false;
	dom->ev_cur = n;
	return true;
}

/* Takes the filled slot at dom->ev_cur the slow way: calls the hook
 * (result recorded in the slot), wraps the ring; the hook's verdict. */
int pvhdev__ev_slow(struct pvhdev_domain *dom);

/* A write reaching the hardware (PVHDEV_EV_HW_WRITE, _MMIO_WRITE): the
 * one event on the access path.  Fills the next slot; false when
 * pvhdev__ev_slow must take it.  The hardware write happens whatever a
 * hook answers: the hook watches it. */
static inline bool pvhdev__ev_hw(struct pvhdev_domain *dom,
                                 enum pvhdev_event_kind kind, pvhdev_sbdf_t sbdf,
                                 uint64_t addr, unsigned size, uint64_t val)
{
	struct pvhdev_event *e = dom->ev_cur;

	e->kind = kind;
	e->sbdf = sbdf;
	e->u.hw.addr = addr;
	e->u.hw.val = val;
	e->u.hw.size = (uint8_t)size;
	return pvhdev__ev_next(dom);
}

void pvhdev__log(struct pvhdev_domain *dom, enum pvhdev_log_level level,
                 const char *fmt, ...) PVHDEV__PRINTF(3, 4);

/* A small vsnprintf: %d %i %u %x %X %c %s %p %%, with flags '0' and '-',
 * a width, and the length modifiers l, ll, z.  Always NUL-terminates when
 * len > 0; returns the length the full output would have. */
int pvhdev__vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int pvhdev__snprintf(char *buf, size_t len, const char *fmt, ...)
	PVHDEV__PRINTF(3, 4);

#endif
