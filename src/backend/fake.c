/* SPDX-License-Identifier: MIT */
/*
 * The fake backend: PCI functions in memory that answer like hardware.
 *
 * Each function keeps three parallel byte arrays over its config space
 * (256 bytes, or 4096 when the table gave more than 256):
 *
 *   val    what a read returns
 *   rw     bits software sets and clears
 *   rw1c   bits software clears by writing 1; hardware sets them
 *          (pvhdev_fake_set_bits)
 *
 * A bit in neither mask is read-only.  A write of v to one byte does
 *
 *   val = (val & ~rw) | (v & rw);   then   val &= ~(v & rw1c);
 *
 * and touches only the bytes the access covers.  BAR sizing needs no
 * special case: the address bits below the size are read-only, so
 * writing all-ones reads back ~(size - 1) | flag bits.
 *
 * Memory BARs and the expansion ROM are backed by RAM for MMIO.  A
 * window decodes at the address its BAR register holds now, while
 * command bit 1 (memory space) is set and, for the ROM, its enable bit.
 *
 * Config lookups are a binary search over the table sorted by SBDF;
 * MMIO lookups scan every window: the fake is a test double.
 *
 * A function may be absent (plugged later, or unplugged): it keeps its
 * place in the table but reads as a missing function does (all-ones,
 * writes dropped, not enumerated, no windows).  Plugging it gives it
 * back its initial bytes (a fourth array, init) and tells the PCIe port
 * above it (port_update).
 */
#include "core/core.h"

#define FAKE_MMIO_DEFAULT 0x10000u /* bytes backed when mmio_backed is 0 */
#define FAKE_CAP_HOPS PVHDEV_PCI_CAP_HOPS
#define FAKE_NR_BARS PVHDEV_PCI_NR_BARS
#define FAKE_WIN_ROM FAKE_NR_BARS  /* win[] slot of the ROM */
#define FAKE_NR_WIN (FAKE_NR_BARS + 1)
#define FAKE_CMD_MEM PVHDEV_PCI_COMMAND_MEMORY
#define FAKE_ROM_ENABLE PVHDEV_PCI_ROM_ADDRESS_ENABLE
#define FAKE_NR_ARRAYS 4           /* val, rw, rw1c, init per function */
#define FAKE_MAX_VFS 256u          /* VFs modelled per PF; more read all-ones */

enum fake_bar_kind {
	FAKE_BAR_NONE,  /* not implemented: the register is read-only */
	FAKE_BAR_IO,
	FAKE_BAR_MEM32,
	FAKE_BAR_MEM64, /* low dword; the next slot is its FAKE_BAR_HIGH */
	FAKE_BAR_HIGH,
};

/* A memory BAR or the ROM, as MMIO sees it. */
struct fake_win {
	uint64_t size;   /* bytes, a power of two; 0: no window */
	uint8_t *buf;    /* RAM behind the first `backed` bytes */
	uint32_t backed; /* bytes */
	uint16_t reg;    /* config offset of the BAR (its low dword) */
	bool is64;       /* the dword at reg + 4 holds address bits 63:32 */
	bool rom;        /* decodes only while the enable bit is set */
};

struct fake_vfs;

struct fake_fn {
	pvhdev_sbdf_t sbdf;
	unsigned cfg_size;        /* bytes: 256 or 4096 */
	uint8_t *val, *rw, *rw1c; /* cfg_size bytes each */
	uint8_t *init;            /* cfg_size bytes: val after reset */
	bool absent;              /* reads as no function (pvhdev_fake_plug) */
	uint16_t sriov;           /* SR-IOV capability offset; 0: none */
	/* Capability offsets (0: none) of the registers whose writes reset
	 * the function (fn_trigger), each whole before the next capability
	 * (exp2: the PCIe capability's version 2 registers too); resets is
	 * whether it has any. */
	uint8_t exp, af, pm;
	bool exp2, resets;
	struct fake_win win[FAKE_NR_WIN]; /* BAR i at win[i], ROM last */
	/* An SR-IOV PF: one VF's BAR sizes (bytes), the RAM behind each
	 * (as mmio_backed), and its VFs while VF Enable is set.  A VF's
	 * win[i] is its slice of VF BAR i (no register: vf_win_find()). */
	uint64_t vf_bar_size[FAKE_NR_BARS];
	uint32_t mmio_backed;
	struct fake_vfs *vfs;     /* NULL while VF Enable is clear */
	uint8_t *vf_tmpl;         /* the VF template's bytes; NULL: default */
	uint16_t vf_tmpl_len;
};

/* A PF's VFs, built when VF Enable is set and freed when it is cleared:
 * functions like the table's, over one allocation (this header, nr
 * functions, then their val/rw/rw1c/init arrays). */
struct fake_vfs {
	size_t bytes; /* of the allocation */
	uint16_t nr;  /* NumVFs at VF Enable, at most FAKE_MAX_VFS */
	struct fake_fn *fn;
};

struct pvhdev_fake {
	const struct pvhdev_alloc_ops *alloc;
	void *alloc_ctx;
	struct fake_fn *fn; /* nr_fn functions, sorted by sbdf */
	size_t nr_fn;
	uint8_t *cfg;       /* every function's val/rw/rw1c/init arrays */
	size_t cfg_bytes;
	unsigned long calls;     /* hook calls so far */
	unsigned long fail_call; /* the value of calls that fails; 0: none */
	int fail_err;
};

/* One field's default masks: offset (from the header or a capability),
 * size in bytes, rw and rw1c bits. */
struct fake_rule {
	uint16_t off;
	uint8_t size;
	uint32_t rw, rw1c;
};

/* Every header type (PCI Local Bus 3.0, 6.2). */
static const struct fake_rule fake_common[] = {
	{ PVHDEV_PCI_COMMAND, 2, 0x0547, 0 }, /* IO, mem, master, parity, SERR#, INTx off */
	{ PVHDEV_PCI_STATUS, 2, 0, 0xf900 },  /* error bits 8 and 15:11 */
	{ PVHDEV_PCI_CACHE_LINE_SIZE, 1, 0xff, 0 },
	{ PVHDEV_PCI_LATENCY_TIMER, 1, 0xff, 0 },
	{ PVHDEV_PCI_INTERRUPT_LINE, 1, 0xff, 0 },
};

/* Type 1 (PCI-to-PCI Bridge 1.2, 3.2). */
static const struct fake_rule fake_bridge[] = {
	/* primary/secondary/subordinate bus, secondary latency timer */
	{ PVHDEV_PCI_PRIMARY_BUS, 4, 0xffffffff, 0 },
	{ PVHDEV_PCI_IO_BASE, 2, 0xf0f0, 0 },              /* base/limit, bits 15:12 */
	{ PVHDEV_PCI_SEC_STATUS, 2, 0, 0xf900 },
	{ PVHDEV_PCI_MEMORY_BASE, 4, 0xfff0fff0, 0 },      /* base/limit, bits 31:20 */
	{ PVHDEV_PCI_PREF_MEMORY_BASE, 4, 0xfff0fff0, 0 }, /* base/limit, bits 31:20 */
	{ PVHDEV_PCI_PREF_BASE_UPPER32, 4, 0xffffffff, 0 },
	{ PVHDEV_PCI_PREF_LIMIT_UPPER32, 4, 0xffffffff, 0 },
	{ PVHDEV_PCI_IO_BASE_UPPER16, 4, 0xffffffff, 0 },  /* base/limit, bits 31:16 */
	/* Bridge control bits 11:0, approximately: real bridges hardwire
	 * some (PCIe has no discard timers) and bit 10 is really RW1C. */
	{ PVHDEV_PCI_BRIDGE_CONTROL, 2, 0x0fff, 0 },
};

/* MSI-X (PCI Local Bus 3.0, 6.8.2): table and PBA offsets stay RO. */
static const struct fake_rule fake_msix[] = {
	{ PVHDEV_PCI_MSIX_FLAGS, 2, 0xc000, 0 }, /* enable, function mask */
};

/* PCI Express (PCIe Base 4.0, 7.5.3), every function.  Bits that start
 * something when written 1 and always read 0 are not stored: Initiate
 * FLR (device control bit 15), Retrain Link (link control bit 5). */
static const struct fake_rule fake_pcie[] = {
	{ PVHDEV_PCI_EXP_DEVCTL, 2, 0x7fff, 0 }, /* all but Initiate FLR */
	{ PVHDEV_PCI_EXP_DEVSTA, 2, 0, 0x000f }, /* error detected bits 3:0 */
	/* link control: ASPM 1:0, RCB 3, link disable 4, common clock 6,
	 * extended synch 7, clock PM 8, autonomous width disable 9,
	 * bandwidth interrupt enables 11:10 */
	{ PVHDEV_PCI_EXP_LNKCTL, 2, 0x0fdb, 0 },
	{ PVHDEV_PCI_EXP_LNKSTA, 2, 0, 0xc000 }, /* bandwidth status bits 15:14 */
};

/* A slot (PCIe capabilities bit 8, Slot Implemented): slot control
 * bits 10:0 (event enables, indicator and power controls), 12 (DLL state
 * changed enable), 14:13; bit 11 (electromechanical interlock) toggles
 * and reads 0.  Slot status: the event bits 4:0 and 8 are RW1C; presence,
 * MRL and interlock state (7:5) are the hardware's. */
static const struct fake_rule fake_pcie_slot[] = {
	{ PVHDEV_PCI_EXP_SLTCTL, 2, 0x77ff, 0 },
	{ PVHDEV_PCI_EXP_SLTSTA, 2, 0, 0x011f },
};

/* A root port or root complex event collector: root control bits 4:0
 * (system error enables, PME interrupt, CRS visibility); root status:
 * PME Status (bit 16) is RW1C, PME Pending the hardware's. */
static const struct fake_rule fake_pcie_root[] = {
	{ PVHDEV_PCI_EXP_RTCTL, 2, 0x001f, 0 },
	{ PVHDEV_PCI_EXP_RTSTA, 4, 0, 0x00010000 },
};

/* Capability version 2: device control 2 (completion timeout, ARI
 * forwarding, AtomicOps, IDO, LTR, OBFF, ...) and link control 2 (target
 * speed, compliance, margins); selectable de-emphasis (bit 6) is HwInit. */
static const struct fake_rule fake_pcie_v2[] = {
	{ PVHDEV_PCI_EXP_DEVCTL2, 2, 0xffff, 0 },
	{ PVHDEV_PCI_EXP_LNKCTL2, 2, 0xffbf, 0 },
};

/* Power management (PCI PM 1.2, 3.2.4): PMCSR PowerState 1:0, PME_En 8,
 * Data_Select 12:9; PME_Status (15) is RW1C; No_Soft_Reset (3) is RO. */
static const struct fake_rule fake_pm[] = {
	{ PVHDEV_PCI_PM_CTRL, 2, 0x1f03, 0x8000 },
};

#define FAKE_PCIE_SLOT PVHDEV_PCI_EXP_FLAGS_SLOT
#define FAKE_PCIE_TYPE(caps) (((caps) & PVHDEV_PCI_EXP_FLAGS_TYPE) >> 4)
#define FAKE_PCIE_ROOT_PORT PVHDEV_PCI_EXP_TYPE_ROOT_PORT
#define FAKE_PCIE_RC_EC PVHDEV_PCI_EXP_TYPE_ROOT_EC

/* SR-IOV extended capability (PCIe Base, 9.3.3).  The VF BARs (+0x24..
 * +0x38) get BAR-like masks from vf_bar_size (vf_bar_masks). */
static const struct fake_rule fake_sriov[] = {
	{ PVHDEV_PCI_IOV_CTRL, 2, 0x001f, 0 },      /* VF enable, migration, MSE, ARI */
	{ PVHDEV_PCI_IOV_NUMVF, 2, 0xffff, 0 },
	{ PVHDEV_PCI_IOV_SYSPS, 4, 0xffffffff, 0 },
};

#define FAKE_CAP_PM PVHDEV_PCI_CAP_ID_PM
#define FAKE_CAP_MSI PVHDEV_PCI_CAP_ID_MSI
#define FAKE_CAP_PCIE PVHDEV_PCI_CAP_ID_EXP
#define FAKE_CAP_MSIX PVHDEV_PCI_CAP_ID_MSIX
#define FAKE_CAP_AF PVHDEV_PCI_CAP_ID_AF
#define FAKE_EXT_CAP_SRIOV PVHDEV_PCI_EXT_CAP_ID_SRIOV

/* ---- Small helpers ---- */

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static const struct pvhdev__pci_layout *hdr_of(unsigned type)
{
	return pvhdev__pci_layout(type);
}

/* What a bad access reads: all-ones of its size, or of 64 bits. */
static uint64_t all_ones(unsigned size)
{
	return pvhdev__access_ok(0, size, 1) ? pvhdev__ones(size) : ~(uint64_t)0;
}

/* Little-endian value of size bytes at p. */
static uint64_t get_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned k = size; k-- > 0;)
		v = v << 8 | p[k];
	return v;
}

/* Byte off of the table's initial config bytes (0 past cfg_len). */
static uint8_t src_byte(const struct pvhdev_fake_dev *d, unsigned off)
{
	return off < d->cfg_len ? d->cfg[off] : 0;
}

static uint32_t src_dword(const struct pvhdev_fake_dev *d, unsigned off)
{
	uint32_t v = 0;

	for (unsigned k = 4; k-- > 0;)
		v = v << 8 | src_byte(d, off + k);
	return v;
}

/* Header type without the multi-function bit. */
static unsigned src_hdr_type(const struct pvhdev_fake_dev *d)
{
	return src_byte(d, PVHDEV_PCI_HEADER_TYPE) & PVHDEV_PCI_HEADER_TYPE_MASK;
}

/* Does [off, off + size) lie in fn's config space?  Written so that a
 * huge off cannot wrap. */
static bool cfg_fits(const struct fake_fn *fn, unsigned off, unsigned size)
{
	return pvhdev__access_ok(off, size, 0) && off < fn->cfg_size &&
	       size <= fn->cfg_size - off;
}

static uint32_t cfg_get(const struct fake_fn *fn, unsigned off, unsigned size)
{
	return (uint32_t)get_le(fn->val + off, size);
}

/* The layout of the header fn has now. */
static const struct pvhdev__pci_layout *fn_hdr(const struct fake_fn *fn)
{
	return hdr_of(fn->val[PVHDEV_PCI_HEADER_TYPE] & PVHDEV_PCI_HEADER_TYPE_MASK);
}

/* ---- Default masks ---- */

/*
 * Classifies the six BAR slots from their initial low bits
 * (pvhdev__pci_bar_kind; a 64-bit BAR pairs with the next slot).
 * Slots past the header's BARs, and slots of size 0, are not
 * implemented; so is a 64-bit BAR in the header's last slot, which has
 * no high half.
 */
static void bar_kinds(const struct pvhdev_fake_dev *d, uint8_t kind[FAKE_NR_BARS])
{
	unsigned nr = hdr_of(src_hdr_type(d))->nr_bars;

	memset(kind, FAKE_BAR_NONE, FAKE_NR_BARS);
	for (unsigned i = 0; i < nr; i++) {
		enum pvhdev__pci_bar_kind k =
			pvhdev__pci_bar_kind(src_dword(d, PVHDEV_PCI_BASE_ADDRESS(i)));

		if (!d->bar_size[i])
			continue;
		if (k == PVHDEV__PCI_BAR_IO)
			kind[i] = FAKE_BAR_IO;
		else if (k == PVHDEV__PCI_BAR_MEM32)
			kind[i] = FAKE_BAR_MEM32;
		else if (i + 1 < nr) {
			kind[i] = FAKE_BAR_MEM64;
			kind[++i] = FAKE_BAR_HIGH;
		}
	}
}

/* Sets the masks of the field at [off, off + size) exactly. */
static void mask_set(struct fake_fn *fn, unsigned off, unsigned size,
                     uint32_t rw, uint32_t rw1c)
{
	if (off >= fn->cfg_size || size > fn->cfg_size - off)
		return;
	for (unsigned k = 0; k < size; k++) {
		fn->rw[off + k] = (uint8_t)(rw >> (8 * k));
		fn->rw1c[off + k] = (uint8_t)(rw1c >> (8 * k));
	}
}

static void rules_apply(struct fake_fn *fn, unsigned base,
                        const struct fake_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mask_set(fn, base + r[i].off, r[i].size, r[i].rw, r[i].rw1c);
}

/* A legacy capability's rules, only those before end: a capability's
 * registers stop where the next capability (or extended config space)
 * begins, so an overlapping or misplaced one cannot give masks to
 * another's registers. */
static void legacy_rules_apply(struct fake_fn *fn, unsigned base, unsigned end,
                               const struct fake_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (base + r[i].off + r[i].size <= end)
			mask_set(fn, base + r[i].off, r[i].size, r[i].rw, r[i].rw1c);
}

static void win_set(struct fake_win *w, unsigned reg, uint64_t size,
                    bool is64, bool rom)
{
	w->size = size;
	w->reg = (uint16_t)reg;
	w->is64 = is64;
	w->rom = rom;
}

/*
 * A BAR of size S keeps address bits log2(S) and up writable:
 *
 *   low dword  rw = ~(S - 1) & 0xffffffff   (0 when S >= 4 GiB)
 *   high dword rw = ~(S - 1) >> 32          (all when S <= 4 GiB)
 *
 * IO BARs keep bits 31..log2(S) writable too (simplest; real IO BARs
 * often hardwire bits 31:16).  The ROM adds bit 0, its enable.
 */
static void bar_masks(struct fake_fn *fn, const struct pvhdev_fake_dev *d,
                      const struct pvhdev__pci_layout *h)
{
	uint8_t kind[FAKE_NR_BARS];

	bar_kinds(d, kind);
	for (unsigned i = 0; i < h->nr_bars; i++) {
		uint64_t rw = ~(d->bar_size[i] - 1);
		unsigned reg = PVHDEV_PCI_BASE_ADDRESS(i);

		if (kind[i] == FAKE_BAR_NONE || kind[i] == FAKE_BAR_HIGH)
			continue;
		mask_set(fn, reg, 4, (uint32_t)rw, 0);
		if (kind[i] == FAKE_BAR_MEM64)
			mask_set(fn, reg + 4, 4, (uint32_t)(rw >> 32), 0);
		if (kind[i] != FAKE_BAR_IO)
			win_set(&fn->win[i], reg, d->bar_size[i],
			        kind[i] == FAKE_BAR_MEM64, false);
	}
	if (d->rom_size) {
		mask_set(fn, h->rom, 4, (uint32_t)~(d->rom_size - 1) | 1u, 0);
		win_set(&fn->win[FAKE_WIN_ROM], h->rom, d->rom_size, false, true);
	}
}

/*
 * MSI (PCI Local Bus 3.0, 6.8.1), offsets from the capability:
 *
 *   +0x00 id | next | message control (+0x02)
 *   +0x04 address low
 *   +0x08 address high          only if 64-bit capable (control bit 7)
 *   then  data (16 bits), mask bits, pending bits: 4 bytes each; the
 *         last two only with per-vector masking (control bit 8)
 */
static void msi_masks(struct fake_fn *fn, unsigned cap)
{
	uint32_t ctrl = cfg_get(fn, cap + PVHDEV_PCI_MSI_FLAGS, 2);
	unsigned data = cap + ((ctrl & PVHDEV_PCI_MSI_FLAGS_64BIT) ?
	                       PVHDEV_PCI_MSI_DATA_64 : PVHDEV_PCI_MSI_DATA_32);

	mask_set(fn, cap + PVHDEV_PCI_MSI_FLAGS, 2,
	         PVHDEV_PCI_MSI_FLAGS_ENABLE | PVHDEV_PCI_MSI_FLAGS_QSIZE, 0);
	mask_set(fn, cap + PVHDEV_PCI_MSI_ADDRESS_LO, 4, 0xfffffffc, 0);
	if (ctrl & PVHDEV_PCI_MSI_FLAGS_64BIT)
		mask_set(fn, cap + PVHDEV_PCI_MSI_ADDRESS_HI, 4, 0xffffffff, 0);
	mask_set(fn, data, 2, 0xffff, 0);
	/* Mask bits; the pending bits after them stay RO. */
	if (ctrl & PVHDEV_PCI_MSI_FLAGS_MASK_BIT)
		mask_set(fn, data + 4, 4, 0xffffffff, 0);
}

/* The PCIe capability's registers that this function has: the slot's
 * only with a slot, the root's only on a root port or event collector,
 * the second set only from capability version 2. */
static void pcie_masks(struct fake_fn *fn, unsigned cap, unsigned end)
{
	uint32_t caps = cfg_get(fn, cap + PVHDEV_PCI_EXP_FLAGS, 2);
	unsigned type = FAKE_PCIE_TYPE(caps);

	legacy_rules_apply(fn, cap, end, fake_pcie, PVHDEV__ARRAY_SIZE(fake_pcie));
	if (caps & FAKE_PCIE_SLOT)
		legacy_rules_apply(fn, cap, end, fake_pcie_slot,
		                   PVHDEV__ARRAY_SIZE(fake_pcie_slot));
	if (type == FAKE_PCIE_ROOT_PORT || type == FAKE_PCIE_RC_EC)
		legacy_rules_apply(fn, cap, end, fake_pcie_root,
		                   PVHDEV__ARRAY_SIZE(fake_pcie_root));
	if ((caps & PVHDEV_PCI_EXP_FLAGS_VERS) >= 2)
		legacy_rules_apply(fn, cap, end, fake_pcie_v2, PVHDEV__ARRAY_SIZE(fake_pcie_v2));
}

/* Where the capability at off ends: at the next capability of the list
 * above it, or at the end of the first 256 bytes. */
static unsigned cap_end(const unsigned *at, unsigned n, unsigned off)
{
	unsigned end = PVHDEV_CFG_SIZE;

	for (unsigned i = 0; i < n; i++)
		if (at[i] > off && at[i] < end)
			end = at[i];
	return end;
}

static int cap_read(void *fn, unsigned off, unsigned size, uint32_t *val)
{
	*val = cfg_get(fn, off, size);
	return 0;
}

struct cap_list {
	unsigned *at, n;
};

static int cap_found(void *list, unsigned off, uint8_t id)
{
	struct cap_list *l = list;

	l->at[l->n++] = off;
	return 0;
}

/* The legacy list's capability offsets, in list order, as src/pci walks
 * it (each once, at most 48).  The status register's capability bit is
 * not consulted: the silicon has its registers whether or not it says so. */
static unsigned cap_offsets(const struct fake_fn *fn, const struct pvhdev__pci_layout *h,
                            unsigned at[FAKE_CAP_HOPS])
{
	const struct pvhdev__pci_cfg cfg = { .read = cap_read, .ctx = (void *)fn };
	struct cap_list list = { at, 0 };
	enum pvhdev__pci_walk_end end;
	unsigned where;

	pvhdev__pci_caps_walk(&cfg, h, cap_found, &list, &end, &where);
	return list.n;
}

static void caps_masks(struct fake_fn *fn, const struct pvhdev__pci_layout *h)
{
	unsigned at[FAKE_CAP_HOPS], n = cap_offsets(fn, h, at);

	for (unsigned i = 0; i < n; i++) {
		unsigned end = cap_end(at, n, at[i]);
		switch (fn->val[at[i]]) {
		case FAKE_CAP_PM:
			legacy_rules_apply(fn, at[i], end, fake_pm, PVHDEV__ARRAY_SIZE(fake_pm));
			fn->pm = fn->pm || at[i] + 8 > end ? fn->pm : (uint8_t)at[i];
			break;
		case FAKE_CAP_AF:
			/* AF control's Initiate FLR (+0x04 bit 0) reads 0: no
			 * bit of the capability is stored (fn_trigger). */
			fn->af = fn->af || at[i] + 6 > end ? fn->af : (uint8_t)at[i];
			break;
		case FAKE_CAP_MSI:
			msi_masks(fn, at[i]);
			break;
		case FAKE_CAP_PCIE:
			pcie_masks(fn, at[i], end);
			/* Registers up to root status (+0x23) before the
			 * next capability, link control 2 (+0x30) too for v2. */
			if (!fn->exp && at[i] + 0x24 <= end) {
				fn->exp = (uint8_t)at[i];
				fn->exp2 = at[i] + 0x34 <= end;
			}
			break;
		case FAKE_CAP_MSIX:
			legacy_rules_apply(fn, at[i], end, fake_msix, PVHDEV__ARRAY_SIZE(fake_msix));
			break;
		}
	}
	fn->resets = fn->exp || fn->af || fn->pm || h == hdr_of(PVHDEV_PCI_HEADER_TYPE_BRIDGE);
}

/*
 * The extended list from 0x100.  Each header is
 *
 *   31       20 19  16 15          0
 *  +-----------+------+-------------+
 *  |   next    | ver  |     id      |
 *  +-----------+------+-------------+
 *
 * A next below 0x100 ends it; a bitmap of visited dwords stops loops.
 */
/* VF BARs keep address bits log2(one VF's size) and up writable, as
 * BARs do; the type comes from the initial low bits. */
static void vf_bar_masks(struct fake_fn *fn, const struct pvhdev_fake_dev *d,
                         unsigned cap)
{
	for (unsigned i = 0; i < FAKE_NR_BARS; i++) {
		uint64_t size = d->vf_bar_size[i], rw = ~(size - 1);
		unsigned reg = cap + PVHDEV_PCI_IOV_BAR_BASE + 4 * i;
		/* Memory only: bit 0 is not looked at. */
		bool is64 = (src_dword(d, reg) & PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
		            PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_64 && i + 1 < FAKE_NR_BARS;

		if (!size)
			continue;
		mask_set(fn, reg, 4, (uint32_t)rw, 0);
		if (is64)
			mask_set(fn, reg + 4, 4, (uint32_t)(rw >> 32), 0);
		i += is64;
	}
}

static void ext_caps_masks(struct fake_fn *fn, const struct pvhdev_fake_dev *d)
{
	uint8_t seen[(PVHDEV_CFG_EXP_SIZE - PVHDEV_CFG_SIZE) / 4 / 8];
	unsigned off = PVHDEV_CFG_SIZE;

	if (fn->cfg_size != PVHDEV_CFG_EXP_SIZE)
		return;
	memset(seen, 0, sizeof(seen));
	while (off >= PVHDEV_CFG_SIZE) {
		unsigned slot = (off - PVHDEV_CFG_SIZE) / 4;
		uint32_t hdr = cfg_get(fn, off, 4);

		if ((seen[slot / 8] >> (slot % 8) & 1) || hdr == 0 ||
		    hdr == 0xffffffffu)
			break;
		seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
		if ((hdr & 0xffff) == FAKE_EXT_CAP_SRIOV) {
			rules_apply(fn, off, fake_sriov, PVHDEV__ARRAY_SIZE(fake_sriov));
			/* VFs come from the first one. */
			if (!fn->sriov) {
				vf_bar_masks(fn, d, off);
				fn->sriov = (uint16_t)off;
			}
		}
		off = (hdr >> 20) & 0xffcu;
	}
}

/* The table's overrides.  A bit set in both masks is RW1C. */
static void override_masks(struct fake_fn *fn, const struct pvhdev_fake_dev *d)
{
	for (size_t i = 0; i < d->nr_masks; i++) {
		const struct pvhdev_fake_mask *m = &d->masks[i];

		mask_set(fn, m->off, m->size, m->rw & ~m->rw1c, m->rw1c);
	}
}

/* ---- Creation ---- */

static bool bar_size_ok(uint8_t kind, uint64_t size)
{
	switch (kind) {
	case FAKE_BAR_IO:
		return !pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_IO, size);
	case FAKE_BAR_MEM32:
		return !pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_MEM32, size);
	case FAKE_BAR_MEM64:
		return !pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_MEM64, size);
	case FAKE_BAR_HIGH:
		return false; /* the size belongs in the low slot */
	default:
		return is_pow2(size); /* ignored: 64-bit in the last slot */
	}
}

/* -EINVAL unless BAR and ROM sizes fit the header and the BAR types. */
static int dev_check_bars(const struct pvhdev_fake_dev *d)
{
	const struct pvhdev__pci_layout *h = hdr_of(src_hdr_type(d));
	uint8_t kind[FAKE_NR_BARS];

	bar_kinds(d, kind);
	for (unsigned i = 0; i < FAKE_NR_BARS; i++) {
		if (!d->bar_size[i])
			continue;
		if (i >= h->nr_bars || !bar_size_ok(kind[i], d->bar_size[i]))
			return -EINVAL;
	}
	if (!d->rom_size)
		return 0;
	if (!h->rom || pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_ROM, d->rom_size))
		return -EINVAL;
	return 0;
}

static int dev_check(const struct pvhdev_fake_dev *d)
{
	if (d->cfg_len > PVHDEV_CFG_EXP_SIZE || (d->cfg_len && !d->cfg))
		return -EINVAL;
	if ((d->nr_masks && !d->masks) || (d->vf_cfg_len && !d->vf_cfg) ||
	    d->vf_cfg_len > PVHDEV_CFG_EXP_SIZE)
		return -EINVAL;
	for (unsigned i = 0; i < 6; i++)
		if (d->vf_bar_size[i] &&
		    pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_MEM64, d->vf_bar_size[i]))
			return -EINVAL;
	for (size_t i = 0; i < d->nr_masks; i++) {
		const struct pvhdev_fake_mask *m = &d->masks[i];

		if (!pvhdev__access_ok(m->off, m->size, 0) ||
		    m->off + m->size > PVHDEV_CFG_EXP_SIZE)
			return -EINVAL;
	}
	return dev_check_bars(d);
}

static unsigned dev_cfg_size(const struct pvhdev_fake_dev *d)
{
	return d->cfg_len > PVHDEV_CFG_SIZE ? PVHDEV_CFG_EXP_SIZE : PVHDEV_CFG_SIZE;
}

static int args_check(const struct pvhdev_alloc_ops *alloc,
                      const struct pvhdev_fake_dev *devs, size_t nr)
{
	if (!alloc || !alloc->alloc || !alloc->free || (nr && !devs))
		return -EINVAL;
	/* Bounds every size computed below: no overflow. */
	if (nr > SIZE_MAX / (sizeof(struct fake_fn) + FAKE_NR_ARRAYS * PVHDEV_CFG_EXP_SIZE))
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		int rc = dev_check(&devs[i]);

		if (rc)
			return rc;
	}
	return 0;
}

static void *fake_zalloc(struct pvhdev_fake *fk, size_t size, size_t align)
{
	void *p = fk->alloc->alloc(fk->alloc_ctx, size, align);

	if (p)
		memset(p, 0, size);
	return p;
}

/* RAM behind a window: mmio_backed bytes (0: up to 64 KiB), at most
 * the window's size. */
static int win_alloc(struct pvhdev_fake *fk, struct fake_win *w, uint32_t backed)
{
	uint64_t n = backed ? backed : FAKE_MMIO_DEFAULT;

	if (!w->size)
		return 0;
	if (n > w->size)
		n = w->size;
	w->buf = fake_zalloc(fk, (size_t)n, _Alignof(uint64_t));
	if (!w->buf)
		return -ENOMEM;
	w->backed = (uint32_t)n;
	return 0;
}

/*
 * MSI-X table memory as hardware has it after reset (PCI Local Bus 3.0,
 * 6.8.2.9): every entry's vector control Mask bit set.  Only what lies in
 * the RAM behind the table's BAR: the rest reads 0 anyway.
 */
static void msix_table_reset(struct fake_fn *fn, const struct pvhdev__pci_layout *h)
{
	unsigned at[FAKE_CAP_HOPS], n = cap_offsets(fn, h, at);

	for (unsigned i = 0; i < n; i++) {
		if (fn->val[at[i]] != FAKE_CAP_MSIX || at[i] + 8 > PVHDEV_CFG_SIZE)
			continue;
		uint32_t table = cfg_get(fn, at[i] + PVHDEV_PCI_MSIX_TABLE, 4);
		unsigned entries = (cfg_get(fn, at[i] + PVHDEV_PCI_MSIX_FLAGS, 2) &
		                    PVHDEV_PCI_MSIX_TABSIZE) + 1;
		unsigned bir = table & PVHDEV_PCI_MSIX_BIR;
		const struct fake_win *w = bir < FAKE_NR_BARS ? &fn->win[bir] : NULL;
		for (unsigned e = 0; w && w->buf && e < entries; e++) {
			uint64_t ctrl = (uint64_t)(table & ~(uint32_t)PVHDEV_PCI_MSIX_BIR) +
			                (uint64_t)PVHDEV_PCI_MSIX_ENTRY_SIZE * e +
			                PVHDEV_PCI_MSIX_ENTRY_VECTOR_CTRL;
			if (ctrl < w->backed)
				w->buf[ctrl] |= PVHDEV_PCI_MSIX_ENTRY_CTRL_MASKBIT;
		}
		return; /* one MSI-X capability per function */
	}
}

/* Device memory zeroed and the MSI-X table masked, as after reset. */
static void mem_reset(struct fake_fn *fn)
{
	for (unsigned i = 0; i < FAKE_NR_WIN; i++)
		if (fn->win[i].buf)
			memset(fn->win[i].buf, 0, fn->win[i].backed);
	msix_table_reset(fn, fn_hdr(fn));
}

/* Builds one function over cfg (FAKE_NR_ARRAYS * its config size bytes,
 * zeroed). */
static int fn_build(struct pvhdev_fake *fk, struct fake_fn *fn,
                    const struct pvhdev_fake_dev *d, uint8_t *cfg)
{
	const struct pvhdev__pci_layout *h = hdr_of(src_hdr_type(d));

	fn->sbdf = d->sbdf;
	fn->cfg_size = dev_cfg_size(d);
	fn->val = cfg;
	fn->rw = cfg + fn->cfg_size;
	fn->rw1c = cfg + 2 * fn->cfg_size;
	fn->init = cfg + 3 * fn->cfg_size;
	fn->absent = d->plugged_later;
	if (d->cfg_len)
		memcpy(fn->val, d->cfg, d->cfg_len);
	memcpy(fn->init, fn->val, fn->cfg_size);
	rules_apply(fn, 0, fake_common, PVHDEV__ARRAY_SIZE(fake_common));
	if (src_hdr_type(d) == PVHDEV_PCI_HEADER_TYPE_BRIDGE)
		rules_apply(fn, 0, fake_bridge, PVHDEV__ARRAY_SIZE(fake_bridge));
	bar_masks(fn, d, h);
	caps_masks(fn, h);
	ext_caps_masks(fn, d);
	override_masks(fn, d);
	if (fn->sriov) {
		memcpy(fn->vf_bar_size, d->vf_bar_size, sizeof(fn->vf_bar_size));
		fn->mmio_backed = d->mmio_backed;
	}
	if (fn->sriov && d->vf_cfg_len) {
		if (!(fn->vf_tmpl = fake_zalloc(fk, d->vf_cfg_len, 1)))
			return -ENOMEM;
		memcpy(fn->vf_tmpl, d->vf_cfg, d->vf_cfg_len);
		fn->vf_tmpl_len = d->vf_cfg_len;
	}
	for (unsigned i = 0; i < FAKE_NR_WIN; i++) {
		int rc = win_alloc(fk, &fn->win[i], d->mmio_backed);

		if (rc)
			return rc;
	}
	msix_table_reset(fn, h);
	return 0;
}

static void fn_swap(struct fake_fn *a, struct fake_fn *b)
{
	struct fake_fn t = *a;

	*a = *b;
	*b = t;
}

static void sift_down(struct fake_fn *fn, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;

		if (c >= n)
			return;
		if (c + 1 < n && fn[c + 1].sbdf > fn[c].sbdf)
			c++;
		if (fn[root].sbdf >= fn[c].sbdf)
			return;
		fn_swap(&fn[root], &fn[c]);
		root = c;
	}
}

/* Heapsort by SBDF: O(n log n) without allocating.  -EEXIST on a
 * duplicate. */
static int fns_sort(struct fake_fn *fn, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(fn, i, n);
	for (size_t i = n; i-- > 1;) {
		fn_swap(&fn[0], &fn[i]);
		sift_down(fn, 0, i);
	}
	for (size_t i = 1; i < n; i++)
		if (fn[i - 1].sbdf == fn[i].sbdf)
			return -EEXIST;
	return 0;
}

static void wins_free(struct pvhdev_fake *fk, struct fake_fn *fn);
static void vfs_free(struct pvhdev_fake *fk, struct fake_fn *pf);
static int vfs_update(struct pvhdev_fake *fk, struct fake_fn *pf, bool was);

/* Frees what fns_build made; safe on a partly built table. */
static void fns_free(struct pvhdev_fake *fk)
{
	for (size_t i = 0; fk->fn && i < fk->nr_fn; i++) {
		vfs_free(fk, &fk->fn[i]);
		wins_free(fk, &fk->fn[i]);
		if (fk->fn[i].vf_tmpl)
			fk->alloc->free(fk->alloc_ctx, fk->fn[i].vf_tmpl, fk->fn[i].vf_tmpl_len);
	}
	if (fk->fn)
		fk->alloc->free(fk->alloc_ctx, fk->fn, fk->nr_fn * sizeof(*fk->fn));
	if (fk->cfg)
		fk->alloc->free(fk->alloc_ctx, fk->cfg, fk->cfg_bytes);
	fk->fn = NULL;
	fk->cfg = NULL;
}

static int fns_build(struct pvhdev_fake *fk, const struct pvhdev_fake_dev *devs,
                     size_t nr)
{
	size_t pos = 0;

	if (!nr)
		return 0;
	for (size_t i = 0; i < nr; i++)
		fk->cfg_bytes += FAKE_NR_ARRAYS * (size_t)dev_cfg_size(&devs[i]);
	fk->cfg = fake_zalloc(fk, fk->cfg_bytes, 1);
	if (!fk->cfg)
		return -ENOMEM;
	fk->fn = fake_zalloc(fk, nr * sizeof(*fk->fn), _Alignof(struct fake_fn));
	if (!fk->fn)
		return -ENOMEM;
	fk->nr_fn = nr;
	for (size_t i = 0; i < nr; i++) {
		int rc = fn_build(fk, &fk->fn[i], &devs[i], fk->cfg + pos);

		if (rc)
			return rc;
		pos += FAKE_NR_ARRAYS * (size_t)fk->fn[i].cfg_size;
	}
	int rc = fns_sort(fk->fn, nr);
	/* VFs that the table's bytes left enabled are there from the start. */
	for (size_t i = 0; i < nr && !rc; i++)
		rc = fk->fn[i].sriov ? vfs_update(fk, &fk->fn[i], false) : 0;
	return rc;
}

int pvhdev_fake_new(const struct pvhdev_alloc_ops *alloc, void *alloc_ctx,
                    const struct pvhdev_fake_dev *devs, size_t nr_devs,
                    struct pvhdev_fake **out)
{
	struct pvhdev_fake *fk;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	rc = args_check(alloc, devs, nr_devs);
	if (rc)
		return rc;
	fk = alloc->alloc(alloc_ctx, sizeof(*fk), _Alignof(struct pvhdev_fake));
	if (!fk)
		return -ENOMEM;
	memset(fk, 0, sizeof(*fk));
	fk->alloc = alloc;
	fk->alloc_ctx = alloc_ctx;
	rc = fns_build(fk, devs, nr_devs);
	if (rc)
		goto err_fns;
	*out = fk;
	return 0;

err_fns:
	fns_free(fk);
	alloc->free(alloc_ctx, fk, sizeof(*fk));
	return rc;
}

void pvhdev_fake_free(struct pvhdev_fake *fake)
{
	if (!fake)
		return;
	fns_free(fake);
	fake->alloc->free(fake->alloc_ctx, fake, sizeof(*fake));
}

/* ---- Lookups ---- */

static struct fake_fn *fn_find(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf)
{
	size_t lo = 0, hi = fk->nr_fn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fk->fn[mid].sbdf < sbdf)
			lo = mid + 1;
		else if (fk->fn[mid].sbdf > sbdf)
			hi = mid;
		else
			return &fk->fn[mid];
	}
	return NULL;
}

/* The function at sbdf if it is present now. */
static struct fake_fn *fn_live(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf)
{
	struct fake_fn *fn = fn_find(fk, sbdf);

	return fn && !fn->absent ? fn : NULL;
}

/* The bus address a window decodes: the BAR's bits above its size. */
static uint64_t win_base(const struct fake_fn *fn, const struct fake_win *w)
{
	uint64_t bar = cfg_get(fn, w->reg, 4);

	if (w->is64)
		bar |= (uint64_t)cfg_get(fn, w->reg + 4, 4) << 32;
	return bar & ~(w->size - 1);
}

static const struct fake_win *vf_win_find(const struct pvhdev_fake *fk,
                                          uint64_t addr, uint64_t *off);

/* The window that decodes addr now, and addr's offset in it.  Windows
 * may overlap (two BARs at one address): the first in SBDF order wins. */
static const struct fake_win *win_find(const struct pvhdev_fake *fk,
                                       uint64_t addr, uint64_t *off)
{
	for (size_t i = 0; i < fk->nr_fn; i++) {
		const struct fake_fn *fn = &fk->fn[i];

		if (fn->absent || !(fn->val[PVHDEV_PCI_COMMAND] & FAKE_CMD_MEM))
			continue;
		for (unsigned j = 0; j < FAKE_NR_WIN; j++) {
			const struct fake_win *w = &fn->win[j];

			if (!w->size || (w->rom && !(fn->val[w->reg] & FAKE_ROM_ENABLE)))
				continue;
			/* Bases are aligned to the size, so addr below the
			 * base wraps to at least the size. */
			*off = addr - win_base(fn, w);
			if (*off < w->size)
				return w;
		}
	}
	return vf_win_find(fk, addr, off);
}

/* ---- SR-IOV VFs ---- */

/*
 * A VF is a function like the table's (struct fake_fn), built when its
 * PF's VF Enable goes from 0 to 1 and freed when it goes back, so that
 * VFs come back with their reset state.  Its config space is the PF's
 * identity and a template (PCIe Base 4.0, 9.3.4):
 *
 *   0x00  vendor, device ID   0xffff (9.3.4.1.1-2; the VF Device ID is
 *                             the PF's SR-IOV capability's, +0x1a)
 *   0x04  command             0; only Bus Master (bit 2) is RW (9.3.4.1.3)
 *   0x06  status              0x0010 (capabilities list); errors RW1C
 *   0x08  revision, class     the PF's
 *   0x10  BARs                read-only 0: they live in the PF's
 *                             capability (9.3.4.1.11)
 *   0x2c  subsystem IDs       the PF's
 *   0x34  capabilities        0x40 (0x80 without MSI-X)
 *   0x40  MSI-X, next 0x80    the PF's table size, table and PBA
 *                             offset/BIR, when the PF has MSI-X and VF
 *                             BARs at those BIRs
 *   0x80  PCIe capability     version 2, endpoint; device capabilities
 *                             FLR and role-based error reporting
 *
 * (QEMU 7.2's NVMe VFs have this layout, with a PM capability at 0x60
 * and ARI at 0x100 besides.)
 *
 * The rest reads 0 (all-ones past 256 bytes when the PF has no
 * extended space).  A template from the table (vf_cfg) replaces all but
 * the IDs, class, revision and subsystem IDs.  Masks come from the same rules as the table's
 * functions.  VF n's BAR i is the n-th slice, one VF's size each, of
 * VF BAR i in the PF's capability; it decodes while VF Enable and VF
 * MSE are both set, backed by RAM as the PF's BARs are, MSI-X entries
 * masked.
 */

/* SR-IOV capability registers (PCIe Base 4.0, 9.3.3), from it. */
#define FAKE_SRIOV_CTRL 0x08
#define FAKE_SRIOV_NUM_VFS 0x10
#define FAKE_SRIOV_VF_OFFSET 0x14
#define FAKE_SRIOV_VF_STRIDE 0x16
#define FAKE_SRIOV_VF_BAR0 0x24
#define FAKE_SRIOV_VFE 0x0001u /* control: VF Enable */
#define FAKE_SRIOV_MSE 0x0008u /* control: VF MSE */
#define FAKE_VF_CMD_RW 0x0004u /* command: Bus Master */
#define FAKE_VF_MSIX 0x40      /* the default template's capabilities */
#define FAKE_VF_PCIE 0x80

/* Whether fn is an SR-IOV PF with VF Enable set. */
static bool vfs_on(const struct fake_fn *fn)
{
	return fn->sriov && (cfg_get(fn, fn->sriov + FAKE_SRIOV_CTRL, 2) & FAKE_SRIOV_VFE);
}

static bool vfs_enabled(const struct fake_fn *pf)
{
	return pf->vfs && !pf->absent &&
	       (cfg_get(pf, pf->sriov + FAKE_SRIOV_CTRL, 2) & FAKE_SRIOV_VFE);
}

/* The VF at sbdf: VF n of a PF of the segment with VF Enable set, at
 * routing ID PF + First VF Offset + n * VF Stride as they are now. */
static struct fake_fn *vf_find(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf)
{
	for (size_t i = 0; i < fk->nr_fn; i++) {
		const struct fake_fn *pf = &fk->fn[i];

		if (!vfs_enabled(pf) || (pf->sbdf >> 16) != (sbdf >> 16))
			continue;
		uint32_t first = (pf->sbdf & 0xffff) + cfg_get(pf, pf->sriov + FAKE_SRIOV_VF_OFFSET, 2);
		uint32_t stride = cfg_get(pf, pf->sriov + FAKE_SRIOV_VF_STRIDE, 2);
		uint32_t rid = sbdf & 0xffff;

		if (rid < first || (stride ? (rid - first) % stride != 0 : rid != first))
			continue;
		uint32_t n = stride ? (rid - first) / stride : 0;
		if (n < pf->vfs->nr)
			return &pf->vfs->fn[n];
	}
	return NULL;
}

/* VF BAR i's address in pf's capability: VF 0's slice. */
static uint64_t vf_bar_base(const struct fake_fn *pf, unsigned i)
{
	unsigned reg = pf->sriov + FAKE_SRIOV_VF_BAR0 + 4 * i;
	uint64_t bar = cfg_get(pf, reg, 4);

	if ((bar & PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_64 &&
	    i + 1 < FAKE_NR_BARS)
		bar |= (uint64_t)cfg_get(pf, reg + 4, 4) << 32;
	return bar & ~(pf->vf_bar_size[i] - 1);
}

/* The VF window that decodes addr now, and addr's offset in it. */
static const struct fake_win *vf_win_find(const struct pvhdev_fake *fk,
                                          uint64_t addr, uint64_t *off)
{
	for (size_t i = 0; i < fk->nr_fn; i++) {
		const struct fake_fn *pf = &fk->fn[i];

		if (!vfs_enabled(pf) ||
		    !(cfg_get(pf, pf->sriov + FAKE_SRIOV_CTRL, 2) & FAKE_SRIOV_MSE))
			continue;
		for (unsigned j = 0; j < FAKE_NR_BARS; j++) {
			uint64_t size = pf->vf_bar_size[j];
			/* Below the base, rel wraps past every slice. */
			uint64_t rel = addr - vf_bar_base(pf, j);

			if (size && rel / size < pf->vfs->nr) {
				*off = rel % size;
				return &pf->vfs->fn[rel / size].win[j];
			}
		}
	}
	return NULL;
}

static void put_le(uint8_t *p, unsigned size, uint32_t v)
{
	for (unsigned k = 0; k < size; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* Offset of fn's capability id in the legacy list; 0: none. */
static unsigned cap_find(const struct fake_fn *fn, uint8_t id)
{
	unsigned at[FAKE_CAP_HOPS], n = cap_offsets(fn, fn_hdr(fn), at);

	for (unsigned i = 0; i < n; i++)
		if (fn->val[at[i]] == id)
			return at[i];
	return 0;
}

/* Whether the PF's MSI-X table and PBA lie in VF BARs it has: then its
 * VFs get an MSI-X capability like it. */
static bool vf_msix_ok(const struct fake_fn *pf, unsigned mx)
{
	unsigned tbir, pbir;

	if (!mx || mx + 12 > PVHDEV_CFG_SIZE)
		return false;
	tbir = pf->val[mx + 4] & 7u;
	pbir = pf->val[mx + 8] & 7u;
	return tbir < FAKE_NR_BARS && pbir < FAKE_NR_BARS && pf->vf_bar_size[tbir] &&
	       pf->vf_bar_size[pbir];
}

/* The default template (the comment above), into v (zeroed). */
static void vf_default(const struct fake_fn *pf, uint8_t *v)
{
	unsigned mx = cap_find(pf, FAKE_CAP_MSIX);
	bool msix = vf_msix_ok(pf, mx);

	put_le(v + 0x06, 2, 0x0010);
	v[0x34] = msix ? FAKE_VF_MSIX : FAKE_VF_PCIE;
	/* PCIe capabilities: version 2, device/port type 0 (endpoint);
	 * device capabilities: FLR (bit 28, required of VFs), role-based
	 * error reporting (bit 15) */
	put_le(v + FAKE_VF_PCIE, 4, 0x00020000u | FAKE_CAP_PCIE);
	put_le(v + FAKE_VF_PCIE + 4, 4, 0x10008000u);
	if (!msix)
		return;
	put_le(v + FAKE_VF_MSIX, 2, FAKE_VF_PCIE << 8 | FAKE_CAP_MSIX);
	put_le(v + FAKE_VF_MSIX + 2, 2, cfg_get(pf, mx + 2, 2) & 0x07ffu);
	memcpy(v + FAKE_VF_MSIX + 4, pf->val + mx + 4, 8); /* table, PBA */
}

/* VF n of pf over cfg (FAKE_NR_ARRAYS * the PF's config size, zeroed). */
static int vf_build(struct pvhdev_fake *fk, const struct fake_fn *pf,
                    struct fake_fn *vf, uint8_t *cfg)
{
	vf->cfg_size = pf->cfg_size;
	vf->val = cfg;
	vf->rw = cfg + vf->cfg_size;
	vf->rw1c = cfg + 2 * vf->cfg_size;
	vf->init = cfg + 3 * vf->cfg_size;
	if (pf->vf_tmpl)
		memcpy(vf->val, pf->vf_tmpl,
		       pf->vf_tmpl_len < vf->cfg_size ? pf->vf_tmpl_len : vf->cfg_size);
	else
		vf_default(pf, vf->val);
	memset(vf->val, 0xff, 4);
	memcpy(vf->val + 0x08, pf->val + 0x08, 4); /* revision, class */
	memcpy(vf->val + 0x2c, pf->val + 0x2c, 4); /* subsystem IDs */
	memcpy(vf->init, vf->val, vf->cfg_size);
	rules_apply(vf, 0, fake_common, PVHDEV__ARRAY_SIZE(fake_common));
	mask_set(vf, PVHDEV_PCI_COMMAND, 2, FAKE_VF_CMD_RW, 0);
	caps_masks(vf, hdr_of(PVHDEV_PCI_HEADER_TYPE_NORMAL));
	for (unsigned i = 0; i < FAKE_NR_BARS; i++) {
		int rc;

		if (!pf->vf_bar_size[i])
			continue;
		win_set(&vf->win[i], 0, pf->vf_bar_size[i], false, false);
		if ((rc = win_alloc(fk, &vf->win[i], pf->mmio_backed)))
			return rc;
	}
	msix_table_reset(vf, hdr_of(PVHDEV_PCI_HEADER_TYPE_NORMAL));
	return 0;
}

static void wins_free(struct pvhdev_fake *fk, struct fake_fn *fn)
{
	for (unsigned j = 0; j < FAKE_NR_WIN; j++)
		if (fn->win[j].buf) {
			fk->alloc->free(fk->alloc_ctx, fn->win[j].buf, fn->win[j].backed);
			fn->win[j].buf = NULL;
		}
}

static void vfs_free(struct pvhdev_fake *fk, struct fake_fn *pf)
{
	struct fake_vfs *v = pf->vfs;

	if (!v)
		return;
	for (unsigned n = 0; n < v->nr; n++)
		wins_free(fk, &v->fn[n]);
	fk->alloc->free(fk->alloc_ctx, v, v->bytes);
	pf->vfs = NULL;
}

/* NumVFs VFs (at most FAKE_MAX_VFS), in one allocation plus their
 * windows' RAM. */
static int vfs_build(struct pvhdev_fake *fk, struct fake_fn *pf)
{
	unsigned nr = cfg_get(pf, pf->sriov + FAKE_SRIOV_NUM_VFS, 2);
	size_t head = (sizeof(struct fake_vfs) + _Alignof(struct fake_fn) - 1) /
	              _Alignof(struct fake_fn) * _Alignof(struct fake_fn);
	size_t fns = head + (nr < FAKE_MAX_VFS ? nr : FAKE_MAX_VFS) * sizeof(struct fake_fn);
	struct fake_vfs *v;

	nr = nr < FAKE_MAX_VFS ? nr : FAKE_MAX_VFS;
	v = fake_zalloc(fk, fns + (size_t)nr * FAKE_NR_ARRAYS * pf->cfg_size,
	                _Alignof(struct fake_fn));
	if (!v)
		return -ENOMEM;
	v->bytes = fns + (size_t)nr * FAKE_NR_ARRAYS * pf->cfg_size;
	v->fn = (struct fake_fn *)((uint8_t *)v + head);
	pf->vfs = v;
	for (unsigned n = 0; n < nr; n++) {
		int rc = vf_build(fk, pf, &v->fn[n], (uint8_t *)v + fns +
		                  (size_t)n * FAKE_NR_ARRAYS * pf->cfg_size);

		v->nr = (uint16_t)(n + 1); /* freed with the rest on failure */
		if (rc) {
			vfs_free(fk, pf);
			return rc;
		}
	}
	return 0;
}

/* A write reached pf's SR-IOV control, with VF Enable was before it:
 * VFs come when VF Enable goes from 0 to 1, and go when it goes back.
 * Without the memory for them VF Enable stays clear: -ENOMEM. */
static int vfs_update(struct pvhdev_fake *fk, struct fake_fn *pf, bool was)
{
	unsigned ctrl = pf->sriov + FAKE_SRIOV_CTRL;
	bool on = cfg_get(pf, ctrl, 2) & FAKE_SRIOV_VFE;
	int rc;

	if (on == was)
		return 0;
	vfs_free(fk, pf); /* left by a reset that cleared VF Enable */
	if (!on || !(rc = vfs_build(fk, pf)))
		return 0;
	pf->val[ctrl] &= (uint8_t)~FAKE_SRIOV_VFE;
	return rc;
}

/* ---- The hooks ---- */

/* Counts a hook call; returns the injected error when it is this one. */
static int fake_tick(struct pvhdev_fake *fk)
{
	fk->calls++;
	if (fk->fail_call && fk->calls == fk->fail_call) {
		fk->fail_call = 0;
		return fk->fail_err;
	}
	return 0;
}

static int fake_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                         unsigned size, uint32_t *val)
{
	struct pvhdev_fake *fk = ctx;
	const struct fake_fn *fn;
	int rc;

	if (!fk || !val)
		return -EINVAL;
	*val = (uint32_t)all_ones(size);
	rc = fake_tick(fk);
	if (rc)
		return rc;
	fn = fn_live(fk, sbdf);
	if (!fn)
		fn = vf_find(fk, sbdf);
	if (fn && cfg_fits(fn, reg, size))
		*val = cfg_get(fn, reg, size);
	return 0;
}

/* ---- Resets ---- */

/*
 * A write that resets (the registers src/core/reset.c traps): Initiate
 * FLR in PCIe Device Control with FLR in Device Capabilities, Initiate
 * FLR in AF Control with FLR in AF Capabilities, PMCSR from D3hot to D0
 * with No_Soft_Reset clear, or a bridge's Secondary Bus Reset going from
 * 0 to 1, which resets every function on the bridge's secondary to
 * subordinate buses.
 */
enum fake_reset { FAKE_NO_RESET, FAKE_RESET_FN, FAKE_RESET_BUS };

static void reg16_set(struct fake_fn *fn, unsigned off, uint16_t bits, bool on);

/* Device Control after reset (PCIe Base 7.5.3.4): Relaxed Ordering, No
 * Snoop, 512-byte read requests. */
#define FAKE_DEVCTL_DEFAULT 0x2810u

/* Which bits of mask, a register at off, the write of val at [reg, reg
 * + size) sets to 1. */
static uint32_t written_ones(unsigned reg, unsigned size, uint32_t val, unsigned off,
                             uint32_t mask)
{
	uint32_t out = 0;

	for (unsigned k = 0; k < 4 && mask >> 8 * k; k++)
		if (off + k >= reg && off + k < reg + size)
			out |= (val >> 8 * (off + k - reg) & 0xffu) << 8 * k;
	return out & mask;
}

/* What the write does, from the state before it. */
static enum fake_reset fn_trigger(const struct fake_fn *fn, unsigned reg,
                                  unsigned size, uint32_t val)
{
	unsigned pmcsr = fn->pm + PVHDEV_PCI_PM_CTRL;
	uint32_t pm = cfg_get(fn, pmcsr, 2);

	if (fn->exp &&
	    written_ones(reg, size, val, fn->exp + PVHDEV_PCI_EXP_DEVCTL,
	                 PVHDEV_PCI_EXP_DEVCTL_BCR_FLR) &&
	    (cfg_get(fn, fn->exp + PVHDEV_PCI_EXP_DEVCAP, 4) & PVHDEV_PCI_EXP_DEVCAP_FLR))
		return FAKE_RESET_FN;
	if (fn->af &&
	    written_ones(reg, size, val, fn->af + PVHDEV_PCI_AF_CTRL, PVHDEV_PCI_AF_CTRL_FLR) &&
	    (fn->val[fn->af + PVHDEV_PCI_AF_CAP] & PVHDEV_PCI_AF_CAP_FLR))
		return FAKE_RESET_FN;
	if (fn->pm && pmcsr >= reg && pmcsr < reg + size &&
	    (pm & (PVHDEV_PCI_PM_CTRL_STATE_MASK | PVHDEV_PCI_PM_CTRL_NO_SOFT_RESET)) ==
	            PVHDEV_PCI_PM_CTRL_D3HOT &&
	    !(val >> 8 * (pmcsr - reg) & PVHDEV_PCI_PM_CTRL_STATE_MASK))
		return FAKE_RESET_FN;
	if (fn_hdr(fn) == hdr_of(PVHDEV_PCI_HEADER_TYPE_BRIDGE) &&
	    written_ones(reg, size, val, PVHDEV_PCI_BRIDGE_CONTROL,
	                 PVHDEV_PCI_BRIDGE_CTL_BUS_RESET) &&
	    !(cfg_get(fn, PVHDEV_PCI_BRIDGE_CONTROL, 2) & PVHDEV_PCI_BRIDGE_CTL_BUS_RESET))
		return FAKE_RESET_BUS;
	return FAKE_NO_RESET;
}

/*
 * A function's state after a reset: every bit software can write or
 * clear goes to 0, what is read-only stays (so BARs keep their type
 * bits and lose their address, command reads 0, MSI and MSI-X are off,
 * SR-IOV's VF Enable is clear and the VFs are gone), with the spec's
 * non-zero defaults: Device Control FAKE_DEVCTL_DEFAULT and SR-IOV's
 * System Page Size 1 (4 KiB).  The PCIe link, slot and root registers
 * belong to the port and the link, which a function reset does not
 * touch, and SR-IOV's ARI Capable Hierarchy to the hierarchy: QEMU keeps
 * it across an FLR of its PF, as the guest trace shows.  Device memory
 * is zeroed, the MSI-X table masked.
 */
static void fn_power_reset(struct fake_fn *fn)
{
	uint8_t port[PVHDEV_PCI_EXP_RTSTA + 4 - PVHDEV_PCI_EXP_LNKCTL], link2[4];
	unsigned lnk = fn->exp + PVHDEV_PCI_EXP_LNKCTL, lnk2 = fn->exp + PVHDEV_PCI_EXP_LNKCTL2;
	unsigned devctl = fn->exp + PVHDEV_PCI_EXP_DEVCTL, iov = fn->sriov + PVHDEV_PCI_IOV_CTRL;
	uint32_t ari = fn->sriov ? cfg_get(fn, iov, 2) & PVHDEV_PCI_IOV_CTRL_ARI : 0;

	if (fn->exp)
		memcpy(port, fn->val + lnk, sizeof(port));
	if (fn->exp2)
		memcpy(link2, fn->val + lnk2, sizeof(link2));
	for (unsigned k = 0; k < fn->cfg_size; k++)
		fn->val[k] &= (uint8_t)~(fn->rw[k] | fn->rw1c[k]);
	if (fn->exp2)
		memcpy(fn->val + lnk2, link2, sizeof(link2));
	if (fn->exp) {
		memcpy(fn->val + lnk, port, sizeof(port));
		reg16_set(fn, devctl, (uint16_t)(FAKE_DEVCTL_DEFAULT &
		                                 get_le(fn->rw + devctl, 2)), true);
	}
	if (fn->sriov) {
		reg16_set(fn, iov, (uint16_t)ari, true);
		fn->val[fn->sriov + PVHDEV_PCI_IOV_SYSPS] |=
			(uint8_t)(1 & fn->rw[fn->sriov + PVHDEV_PCI_IOV_SYSPS]);
	}
	mem_reset(fn);
}

/* One function reset; a PF's VFs go with its VF Enable. */
static void fn_reset_one(struct pvhdev_fake *fk, struct fake_fn *fn)
{
	bool vfe = vfs_on(fn);

	fn_power_reset(fn);
	if (vfe)
		vfs_update(fk, fn, vfe);
}

static int fake_reset(struct pvhdev_fake *fk, struct fake_fn *fn, enum fake_reset r)
{
	unsigned first = fn->val[PVHDEV_PCI_SECONDARY_BUS];
	unsigned last = fn->val[PVHDEV_PCI_SUBORDINATE_BUS];

	if (r == FAKE_RESET_FN) {
		fn_reset_one(fk, fn);
		return 0;
	}
	for (size_t i = 0; first && i < fk->nr_fn; i++) {
		struct fake_fn *f = &fk->fn[i];
		unsigned bus = PVHDEV_SBDF_BUS(f->sbdf);
		if (!f->absent && PVHDEV_SBDF_SEG(f->sbdf) == PVHDEV_SBDF_SEG(fn->sbdf) &&
		    bus >= first && bus <= last)
			fn_reset_one(fk, f);
	}
	return 0;
}

static int fake_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                          unsigned size, uint32_t val)
{
	struct pvhdev_fake *fk = ctx;
	struct fake_fn *fn;
	int rc;

	if (!fk)
		return -EINVAL;
	rc = fake_tick(fk);
	if (rc)
		return rc;
	fn = fn_live(fk, sbdf);
	if (!fn)
		fn = vf_find(fk, sbdf);
	if (!fn || !cfg_fits(fn, reg, size))
		return 0;
	enum fake_reset reset = fn->resets ? fn_trigger(fn, reg, size, val) : FAKE_NO_RESET;
	unsigned ctrl = fn->sriov + FAKE_SRIOV_CTRL;
	bool vfe = vfs_on(fn);
	for (unsigned k = 0; k < size; k++) {
		uint8_t v = (uint8_t)(val >> (8 * k));
		uint8_t rw = fn->rw[reg + k], rw1c = fn->rw1c[reg + k];
		uint8_t b = (uint8_t)((fn->val[reg + k] & ~rw) | (v & rw));

		fn->val[reg + k] = (uint8_t)(b & ~(v & rw1c));
	}
	if (reset)
		return fake_reset(fk, fn, reset);
	if (fn->sriov && reg < ctrl + 2 && reg + size > ctrl)
		return vfs_update(fk, fn, vfe);
	return 0;
}

static int fake_mmio_read(void *ctx, uint64_t addr, unsigned size,
                          uint64_t *val)
{
	struct pvhdev_fake *fk = ctx;
	const struct fake_win *w;
	uint64_t off, v = 0;
	int rc;

	if (!fk || !val)
		return -EINVAL;
	*val = all_ones(size);
	rc = fake_tick(fk);
	if (rc)
		return rc;
	if (!pvhdev__access_ok(addr, size, 1) || !(w = win_find(fk, addr, &off)))
		return 0;
	/* Past the RAM the window reads 0. */
	for (unsigned k = size; k-- > 0;)
		v = v << 8 | (off + k < w->backed ? w->buf[off + k] : 0);
	*val = v;
	return 0;
}

/* Writes land in the RAM behind the window, the ROM's included: the
 * fake has no other way to give a ROM contents. */
static int fake_mmio_write(void *ctx, uint64_t addr, unsigned size,
                           uint64_t val)
{
	struct pvhdev_fake *fk = ctx;
	const struct fake_win *w;
	uint64_t off;
	int rc;

	if (!fk)
		return -EINVAL;
	rc = fake_tick(fk);
	if (rc)
		return rc;
	if (!pvhdev__access_ok(addr, size, 1) || !(w = win_find(fk, addr, &off)))
		return 0;
	for (unsigned k = 0; k < size && off + k < w->backed; k++)
		w->buf[off + k] = (uint8_t)(val >> (8 * k));
	return 0;
}

static int fake_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	struct pvhdev_fake *fk = ctx;
	int rc;

	if (!fk || !fn)
		return -EINVAL;
	rc = fake_tick(fk);
	if (rc)
		return rc;
	for (size_t i = 0; i < fk->nr_fn; i++) {
		if (fk->fn[i].absent)
			continue;
		rc = fn(arg, fk->fn[i].sbdf);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- Hotplug ---- */

/* PCIe capability registers (PCIe Base 4.0, 7.5.3), from the capability. */
#define FAKE_PCIE_LINK_CAP PVHDEV_PCI_EXP_LNKCAP
#define FAKE_PCIE_LINK_STATUS PVHDEV_PCI_EXP_LNKSTA
#define FAKE_PCIE_SLOT_STATUS PVHDEV_PCI_EXP_SLTSTA
#define FAKE_LINK_DLLLA_CAP PVHDEV_PCI_EXP_LNKCAP_DLLA
#define FAKE_LINK_DLLLA PVHDEV_PCI_EXP_LNKSTA_DL_ACT
#define FAKE_SLOT_PDC PVHDEV_PCI_EXP_SLTSTA_PRSD
#define FAKE_SLOT_PDS PVHDEV_PCI_EXP_SLTSTA_PRES
#define FAKE_SLOT_DLLSC PVHDEV_PCI_EXP_SLTSTA_LLCHG

/* The port whose secondary bus is sbdf's: a present type 1 function of
 * the same segment.  The first in SBDF order when several claim it. */
static struct fake_fn *port_of(struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf)
{
	for (size_t i = 0; i < fk->nr_fn; i++) {
		struct fake_fn *p = &fk->fn[i];

		if (!p->absent &&
		    (p->val[PVHDEV_PCI_HEADER_TYPE] & PVHDEV_PCI_HEADER_TYPE_MASK) ==
		            PVHDEV_PCI_HEADER_TYPE_BRIDGE &&
		    p->sbdf >> 16 == sbdf >> 16 &&
		    p->val[PVHDEV_PCI_SECONDARY_BUS] == (sbdf >> 8 & 0xffu))
			return p;
	}
	return NULL;
}

/* Offset of fn's PCIe capability when its slot and link registers fit
 * in the first 256 bytes; 0: none. */
static unsigned pcie_cap(const struct fake_fn *fn)
{
	unsigned at[FAKE_CAP_HOPS], n = cap_offsets(fn, fn_hdr(fn), at);

	for (unsigned i = 0; i < n; i++)
		if (fn->val[at[i]] == FAKE_CAP_PCIE)
			return at[i] + FAKE_PCIE_SLOT_STATUS + 2 <= PVHDEV_CFG_SIZE ? at[i] : 0;
	return 0;
}

/* Is any function of bus (segment << 8 | bus) present? */
static bool bus_occupied(const struct pvhdev_fake *fk, uint32_t bus)
{
	for (size_t i = 0; i < fk->nr_fn; i++)
		if (!fk->fn[i].absent && fk->fn[i].sbdf >> 8 == bus)
			return true;
	return false;
}

/* Sets (on) or clears bits of the 16-bit register at off. */
static void reg16_set(struct fake_fn *fn, unsigned off, uint16_t bits, bool on)
{
	uint16_t v = (uint16_t)cfg_get(fn, off, 2);

	v = on ? v | bits : v & (uint16_t)~bits;
	fn->val[off] = (uint8_t)v;
	fn->val[off + 1] = (uint8_t)(v >> 8);
}

/*
 * What the port above sbdf's bus shows after a function came or went
 * (PCIe Base 4.0, 7.5.3.6-7 and 7.5.3.10-11): with a slot, Presence
 * Detect State follows whether any function of the bus is present, and
 * a change sets Presence Detect Changed; when the port reports the link's
 * state (Link Capabilities bit 20), Link Status' DLL Link Active follows
 * too, and a change sets the slot's Data Link Layer State Changed.  The
 * changed bits are RW1C (fake_pcie_slot): software clears them.
 */
static void port_update(struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf)
{
	struct fake_fn *port = port_of(fk, sbdf);
	unsigned cap = port ? pcie_cap(port) : 0;
	bool up = bus_occupied(fk, sbdf >> 8);

	if (!cap)
		return;
	bool slot = cfg_get(port, cap + PVHDEV_PCI_EXP_FLAGS, 2) & FAKE_PCIE_SLOT;
	bool dll = cfg_get(port, cap + FAKE_PCIE_LINK_CAP, 4) & FAKE_LINK_DLLLA_CAP;
	uint16_t sts = (uint16_t)cfg_get(port, cap + FAKE_PCIE_SLOT_STATUS, 2);
	uint16_t link = (uint16_t)cfg_get(port, cap + FAKE_PCIE_LINK_STATUS, 2);

	if (slot && !!(sts & FAKE_SLOT_PDS) != up) {
		reg16_set(port, cap + FAKE_PCIE_SLOT_STATUS, FAKE_SLOT_PDS, up);
		reg16_set(port, cap + FAKE_PCIE_SLOT_STATUS, FAKE_SLOT_PDC, true);
	}
	if (dll && !!(link & FAKE_LINK_DLLLA) != up) {
		reg16_set(port, cap + FAKE_PCIE_LINK_STATUS, FAKE_LINK_DLLLA, up);
		if (slot)
			reg16_set(port, cap + FAKE_PCIE_SLOT_STATUS, FAKE_SLOT_DLLSC, true);
	}
}

/* A plugged function comes back with its initial bytes (what the
 * platform file gave it), device memory zeroed, MSI-X entries masked. */
static void fn_reset(struct fake_fn *fn)
{
	memcpy(fn->val, fn->init, fn->cfg_size);
	mem_reset(fn);
}

int pvhdev_fake_plug(struct pvhdev_fake *fake, pvhdev_sbdf_t sbdf)
{
	struct fake_fn *fn;

	if (!fake)
		return -EINVAL;
	fn = fn_find(fake, sbdf);
	if (!fn)
		return -ENODEV;
	if (!fn->absent)
		return -EEXIST;
	vfs_free(fake, fn);
	fn_reset(fn);
	vfs_update(fake, fn, false);
	fn->absent = false;
	port_update(fake, sbdf);
	return 0;
}

int pvhdev_fake_unplug(struct pvhdev_fake *fake, pvhdev_sbdf_t sbdf)
{
	struct fake_fn *fn;

	if (!fake)
		return -EINVAL;
	fn = fn_live(fake, sbdf);
	if (!fn)
		return -ENODEV;
	fn->absent = true;
	port_update(fake, sbdf);
	return 0;
}

/* ---- Test controls ---- */

int pvhdev_fake_set_bits(struct pvhdev_fake *fake, pvhdev_sbdf_t sbdf,
                         unsigned off, unsigned size, uint32_t bits)
{
	struct fake_fn *fn;

	if (!fake)
		return -EINVAL;
	fn = fn_live(fake, sbdf);
	if (!fn)
		fn = vf_find(fake, sbdf);
	if (!fn)
		return -ENODEV;
	if (!cfg_fits(fn, off, size))
		return -EINVAL;
	for (unsigned k = 0; k < size; k++)
		fn->val[off + k] |= (uint8_t)(bits >> (8 * k));
	return 0;
}

/* n == 0 disarms.  One call fails, then calls succeed again.  A
 * non-negative err would make the failure invisible: it becomes -EIO. */
void pvhdev_fake_fail_at(struct pvhdev_fake *fake, unsigned long n, int err)
{
	if (!fake)
		return;
	fake->fail_call = n ? fake->calls + n : 0;
	fake->fail_err = err < 0 ? err : -EIO;
}

unsigned long pvhdev_fake_calls(const struct pvhdev_fake *fake)
{
	return fake ? fake->calls : 0;
}

/* close is NULL: the fake belongs to whoever made it with
 * pvhdev_fake_new(), who frees it with pvhdev_fake_free() after the
 * domain is gone. */
const struct pvhdev_backend_ops pvhdev_fake_ops = {
	.name = "fake",
	.cfg_read = fake_cfg_read,
	.cfg_write = fake_cfg_write,
	.mmio_read = fake_mmio_read,
	.mmio_write = fake_mmio_write,
	.enumerate = fake_enumerate,
	.close = NULL,
};
