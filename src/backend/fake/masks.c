/* SPDX-License-Identifier: MIT */
/*
 * The fake backend's masks: which config bits of a function software
 * sets and clears (rw) and which it clears by writing 1 (rw1c); every
 * other bit is read-only.  From const tables, one row per register, for
 * the header and each capability the fake knows (PCI Local Bus 3.0,
 * PCI PM 1.2, PCIe Base 4.0), applied only where a capability's
 * registers lie before the next one; BAR masks from the BAR sizes; then
 * the table's overrides.  A BAR's window is set up here too, as the
 * BAR's mask is (fake.h's struct fake_win).
 */
#include "backend/fake/fake.h"

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

#define FAKE_VF_CMD_RW 0x0004u /* a VF's command: only Bus Master */

/* ---- Default masks ---- */

/*
 * Classifies the six BAR slots from their initial low bits
 * (pvhdev__pci_bar_kind; a 64-bit BAR pairs with the next slot).
 * Slots past the header's BARs, and slots of size 0, are not
 * implemented; so is a 64-bit BAR in the header's last slot, which has
 * no high half.
 */
void bar_kinds(const struct pvhdev_fake_dev *d, uint8_t kind[FAKE_NR_BARS])
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

void win_set(struct fake_win *w, unsigned reg, uint64_t size,
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
unsigned cap_offsets(const struct fake_fn *fn, const struct pvhdev__pci_layout *h,
                     unsigned at[FAKE_CAP_HOPS])
{
	const struct pvhdev__pci_cfg cfg = { .read = cap_read, .ctx = (void *)fn };
	struct cap_list list = { at, 0 };
	enum pvhdev__pci_walk_end end;
	unsigned where;

	pvhdev__pci_caps_walk(&cfg, h, cap_found, &list, &end, &where);
	return list.n;
}

/* Widens fn's trigger bytes to [off, off + size) when it has the
 * register (has). */
static void trig_add(struct fake_fn *fn, bool has, unsigned off, unsigned size)
{
	if (!has)
		return;
	if (fn->trig_lo == fn->trig_hi || off < fn->trig_lo)
		fn->trig_lo = (uint16_t)off;
	if (off + size > fn->trig_hi)
		fn->trig_hi = (uint16_t)(off + size);
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
	trig_add(fn, fn->exp, fn->exp + PVHDEV_PCI_EXP_DEVCTL, 2);
	trig_add(fn, fn->af, fn->af + PVHDEV_PCI_AF_CTRL, 1);
	trig_add(fn, fn->pm, fn->pm + PVHDEV_PCI_PM_CTRL, 2);
	trig_add(fn, h == hdr_of(PVHDEV_PCI_HEADER_TYPE_BRIDGE), PVHDEV_PCI_BRIDGE_CONTROL, 2);
}

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
				trig_add(fn, true, off + PVHDEV_PCI_IOV_CTRL, 2);
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

/* Table function fn's masks, from the rules, then d's overrides. */
void fn_masks(struct fake_fn *fn, const struct pvhdev_fake_dev *d,
              const struct pvhdev__pci_layout *h)
{
	rules_apply(fn, 0, fake_common, PVHDEV__ARRAY_SIZE(fake_common));
	if (src_hdr_type(d) == PVHDEV_PCI_HEADER_TYPE_BRIDGE)
		rules_apply(fn, 0, fake_bridge, PVHDEV__ARRAY_SIZE(fake_bridge));
	bar_masks(fn, d, h);
	caps_masks(fn, h);
	ext_caps_masks(fn, d);
	override_masks(fn, d);
}

/* A VF's: the common rules but a command register with only Bus Master
 * (PCIe Base 4.0, 9.3.4.1.3), and its capabilities'.  Its BARs are in
 * the PF's SR-IOV capability. */
void vf_masks(struct fake_fn *vf)
{
	rules_apply(vf, 0, fake_common, PVHDEV__ARRAY_SIZE(fake_common));
	mask_set(vf, PVHDEV_PCI_COMMAND, 2, FAKE_VF_CMD_RW, 0);
	caps_masks(vf, hdr_of(PVHDEV_PCI_HEADER_TYPE_NORMAL));
}
