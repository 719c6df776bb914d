/* SPDX-License-Identifier: MIT */
/*
 * The fake backend's function life cycle: resets and native hotplug.
 *
 * A write that resets (the registers src/core/reset.c traps): Initiate
 * FLR in PCIe Device Control with FLR in Device Capabilities, Initiate
 * FLR in AF Control with FLR in AF Capabilities, PMCSR from D3hot to D0
 * with No_Soft_Reset clear, or a bridge's Secondary Bus Reset going from
 * 0 to 1, which resets every function on the bridge's secondary to
 * subordinate buses.  fake.c asks fn_trigger() before it stores a write
 * and calls fake_reset() after.
 *
 * Hotplug: pvhdev_fake_plug() and pvhdev_fake_unplug() make a table
 * function present or absent; the PCIe port above it shows the change
 * in its slot and link status (port_update).
 */
#include "backend/fake/fake.h"

/* Sets (on) or clears bits of the 16-bit register at off. */
static void reg16_set(struct fake_fn *fn, unsigned off, uint16_t bits, bool on)
{
	uint16_t v = (uint16_t)cfg_get(fn, off, 2);

	v = on ? v | bits : v & (uint16_t)~bits;
	fn->val[off] = (uint8_t)v;
	fn->val[off + 1] = (uint8_t)(v >> 8);
}

/* ---- Resets ---- */

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
enum fake_reset_kind fn_trigger(const struct fake_fn *fn, unsigned reg,
                                unsigned size, uint32_t val)
{
	unsigned pmcsr = fn->pm + PVHDEV_PCI_PM_CTRL;

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
	    (cfg_get(fn, pmcsr, 2) &
	     (PVHDEV_PCI_PM_CTRL_STATE_MASK | PVHDEV_PCI_PM_CTRL_NO_SOFT_RESET)) ==
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

int fake_reset(struct pvhdev_fake *fk, struct fake_fn *fn, enum fake_reset_kind r)
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

