/* SPDX-License-Identifier: MIT */
/*
 * Resets: the registers whose writes reset functions are trapped, and a
 * reset that reached the hardware runs every module's dev_reset, so
 * that pvhdev drops what the reset cleared in the device.
 *
 *   kind    register (trapped)              resets when written       who
 *   flr     PCIe cap +0x08 Device Control   bit 15 (Initiate FLR),    the function
 *                                           Device Capabilities
 *                                           (+0x04) bit 28 set
 *   af-flr  AF cap +0x04 AF Control         bit 0 (Initiate FLR),     the function
 *                                           AF Capabilities (+0x03)
 *                                           bit 1 set
 *   bus     0x3e Bridge Control (type 1)    bit 6 (Secondary Bus      every function
 *                                           Reset) going 0 to 1       on buses
 *                                                                     0x19..0x1a
 *   pm      PM cap +0x04 PMCSR              PowerState 3 (D3hot) to   the function
 *                                           0 (D0), No_Soft_Reset
 *                                           (bit 3) clear
 *
 * (PCIe Base 6.6.2 and 7.5.3.3-4; Advanced Features ECN; PCI-to-PCI
 * Bridge 1.2, 3.2.5.17; PCI PM 1.2, 3.2.4 and 5.4.)  The write reaches
 * the hardware first; then, for each function reset, a dev-reset event
 * and the modules' dev_reset hooks in reverse table order: MSI-X and
 * MSI release their bindings and take the (disabled) capability from
 * the hardware, the BAR module unmaps every BAR, cancels queued work,
 * removes the VFs and maps what still decodes (nothing, for a function
 * that follows the spec).  The function's own register handlers stay:
 * a reset is not a removal, and the hypervisor's handlers keep working.
 * A bridge the domain does not know (never added, or removed by dom0)
 * is the hardware's, but its Secondary Bus Reset still resets what
 * pvhdev knows below it (pvhdev__cfg_write_unknown).
 */
#include "core/core.h"

#define CAP_ID_PM PVHDEV_PCI_CAP_ID_PM
#define CAP_ID_EXP PVHDEV_PCI_CAP_ID_EXP
#define CAP_ID_AF PVHDEV_PCI_CAP_ID_AF
#define EXP_DEVCAP PVHDEV_PCI_EXP_DEVCAP
#define EXP_DEVCAP_FLR PVHDEV_PCI_EXP_DEVCAP_FLR
#define EXP_DEVCTL PVHDEV_PCI_EXP_DEVCTL
#define EXP_DEVCTL_FLR PVHDEV_PCI_EXP_DEVCTL_BCR_FLR
#define AF_CAP PVHDEV_PCI_AF_CAP
#define AF_CAP_FLR PVHDEV_PCI_AF_CAP_FLR
#define AF_CTRL PVHDEV_PCI_AF_CTRL
#define AF_CTRL_FLR PVHDEV_PCI_AF_CTRL_FLR
#define PM_CSR PVHDEV_PCI_PM_CTRL
#define PM_CSR_STATE PVHDEV_PCI_PM_CTRL_STATE_MASK
#define PM_CSR_D3HOT PVHDEV_PCI_PM_CTRL_D3HOT
#define PM_CSR_NO_SOFT_RESET PVHDEV_PCI_PM_CTRL_NO_SOFT_RESET
#define BRIDGE_BUSES PVHDEV_PCI_PRIMARY_BUS /* primary, secondary, subordinate */
#define BRIDGE_CTL PVHDEV_PCI_BRIDGE_CONTROL
#define BRIDGE_CTL_SBR PVHDEV_PCI_BRIDGE_CTL_BUS_RESET

/* Where each kind's trigger register is: its offset and size. */
static int trigger_reg(const struct pvhdev_dev *dev, enum pvhdev_reset_kind kind,
                       unsigned *off, unsigned *size)
{
	unsigned cap;
	int rc = 0;

	switch (kind) {
	case PVHDEV_RESET_FLR:
		rc = pvhdev_dev_find_cap(dev, CAP_ID_EXP, &cap);
		*off = cap + EXP_DEVCTL, *size = 2;
		break;
	case PVHDEV_RESET_AF_FLR:
		rc = pvhdev_dev_find_cap(dev, CAP_ID_AF, &cap);
		*off = cap + AF_CTRL, *size = 1;
		break;
	case PVHDEV_RESET_BUS:
		rc = dev->hdr_type == PVHDEV_PCI_HEADER_TYPE_BRIDGE ? 0 : -ENOENT;
		*off = BRIDGE_CTL, *size = 2;
		break;
	case PVHDEV_RESET_PM:
		rc = pvhdev_dev_find_cap(dev, CAP_ID_PM, &cap);
		*off = cap + PM_CSR, *size = 2;
		break;
	default:
		return -EINVAL;
	}
	return rc;
}

/* Whether writing val over cur (the trigger register's value in the
 * hardware) resets: only functions that have the reset. */
static bool triggers(struct pvhdev_dev *dev, enum pvhdev_reset_kind kind,
                     unsigned off, uint32_t cur, uint32_t val)
{
	uint32_t cap = 0;

	switch (kind) {
	case PVHDEV_RESET_FLR:
		return (val & EXP_DEVCTL_FLR) &&
		       !pvhdev_dev_hw_read(dev, off - EXP_DEVCTL + EXP_DEVCAP, 4, &cap) &&
		       (cap & EXP_DEVCAP_FLR);
	case PVHDEV_RESET_AF_FLR:
		return (val & AF_CTRL_FLR) &&
		       !pvhdev_dev_hw_read(dev, off - AF_CTRL + AF_CAP, 1, &cap) &&
		       (cap & AF_CAP_FLR);
	case PVHDEV_RESET_BUS:
		return (val & BRIDGE_CTL_SBR) && !(cur & BRIDGE_CTL_SBR);
	case PVHDEV_RESET_PM:
		return (cur & PM_CSR_STATE) == PM_CSR_D3HOT && !(val & PM_CSR_STATE) &&
		       !(cur & PM_CSR_NO_SOFT_RESET);
	default:
		return false;
	}
}

/* One function was reset: its event, then every module's hook. */
static void reset_one(struct pvhdev_dev *dev, enum pvhdev_reset_kind kind)
{
	struct pvhdev_event ev = {
		.kind = PVHDEV_EV_DEV_RESET, .sbdf = dev->sbdf, .u.reset = { .kind = kind },
	};

	pvhdev__emit(dev->dom, &ev);
	for (size_t i = pvhdev__nr_modules; i-- > 0;) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		if (m && m->dev_reset)
			m->dev_reset(dev);
	}
}

struct below {
	uint32_t seg;
	unsigned first, last; /* buses */
};

/* A function on the bridge's secondary side (VFs go with their PF). */
static int reset_below(void *arg, struct pvhdev_dev *dev)
{
	const struct below *b = arg;
	unsigned bus = PVHDEV_SBDF_BUS(dev->sbdf);

	if (PVHDEV_SBDF_SEG(dev->sbdf) == b->seg && bus >= b->first && bus <= b->last &&
	    dev->present && !dev->hidden && !dev->vf)
		reset_one(dev, PVHDEV_RESET_BUS);
	return 0;
}

/* A Secondary Bus Reset of the bridge at sbdf, whose bus number
 * register (0x18) holds buses. */
static void reset_bus(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, uint32_t buses)
{
	struct below b = { .seg = PVHDEV_SBDF_SEG(sbdf), .first = buses >> 8 & 0xff,
	                   .last = buses >> 16 & 0xff };

	/* Bus 0 is never below a bridge: a bridge without bus numbers
	 * resets nothing that pvhdev knows of. */
	if (b.first)
		pvhdev_dev_foreach(dom, reset_below, &b);
}

/* What a reset that reached the hardware did to pvhdev's state. */
static void reset_done(struct pvhdev_dev *dev, enum pvhdev_reset_kind kind)
{
	uint32_t buses;

	if (kind != PVHDEV_RESET_BUS)
		reset_one(dev, kind);
	else if (!pvhdev_dev_hw_read(dev, BRIDGE_BUSES, 4, &buses))
		reset_bus(dev->dom, dev->sbdf, buses);
}

/* dom0's write to a function the domain never added (or removed): the
 * hardware's, so it reaches it.  A bridge pvhdev does not know still
 * resets the functions it knows below it: a Secondary Bus Reset there is
 * followed as if trapped (dom0 could otherwise remove the bridge, then
 * reset what is below it behind pvhdev's back).  The other resets reset
 * only the function written, which pvhdev does not know. */
int pvhdev__cfg_write_unknown(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                              unsigned off, unsigned size, uint32_t val)
{
	uint32_t hdr, ctl, buses;
	bool sbr = off <= BRIDGE_CTL && off + size > BRIDGE_CTL &&
	           (val >> (8 * (BRIDGE_CTL - off)) & BRIDGE_CTL_SBR) &&
	           !pvhdev__hw_cfg_read(dom, sbdf, PVHDEV_PCI_HEADER_TYPE, 1, &hdr) &&
	           (hdr & PVHDEV_PCI_HEADER_TYPE_MASK) == PVHDEV_PCI_HEADER_TYPE_BRIDGE &&
	           !pvhdev__hw_cfg_read(dom, sbdf, BRIDGE_CTL, 1, &ctl) &&
	           !(ctl & BRIDGE_CTL_SBR) &&
	           !pvhdev__hw_cfg_read(dom, sbdf, BRIDGE_BUSES, 4, &buses);
	int rc = pvhdev__hw_cfg_write(dom, sbdf, off, size, val);

	if (!rc && sbr)
		reset_bus(dom, sbdf, buses);
	return rc;
}

/* val into the trigger register at off, through to the hardware, and
 * the reset it causes. */
static int trigger_write(struct pvhdev_dev *dev, enum pvhdev_reset_kind kind,
                         unsigned off, unsigned size, uint32_t val)
{
	uint32_t cur;
	int rc = pvhdev_dev_hw_read(dev, off, size, &cur);
	bool reset = !rc && triggers(dev, kind, off, cur, val);

	if (!rc)
		rc = pvhdev_dev_hw_write(dev, off, size, val);
	if (!rc && reset)
		reset_done(dev, kind);
	return rc;
}

static enum pvhdev_verdict pass_read(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	(void)reg;
	(void)val;
	return PVHDEV_PASS;
}

/* dom0's write: the kind is the register's (opaque holds it). */
static enum pvhdev_verdict reset_reg_write(struct pvhdev_dev *dev,
                                           const struct pvhdev_reg *reg, uint32_t val)
{
	enum pvhdev_reset_kind kind = (enum pvhdev_reset_kind)(uintptr_t)reg->opaque;

	trigger_write(dev, kind, reg->off, reg->size, val);
	return PVHDEV_DONE;
}

static int reset_dev_add(struct pvhdev_dev *dev)
{
	int rc = 0;

	for (unsigned k = 0; k < PVHDEV_RESET__COUNT && !rc; k++) {
		unsigned off, size;
		if (trigger_reg(dev, (enum pvhdev_reset_kind)k, &off, &size))
			continue;
		const struct pvhdev_reg r = {
			.off = (uint16_t)off, .size = (uint8_t)size, .read = pass_read,
			.write = reset_reg_write, .opaque = (void *)(uintptr_t)k,
		};
		rc = pvhdev_reg_add(dev, &r);
	}
	return rc;
}

int pvhdev_dev_reset(struct pvhdev_dev *dev, enum pvhdev_reset_kind kind)
{
	unsigned off, size;
	uint32_t cur;
	int rc;

	if ((unsigned)kind >= PVHDEV_RESET__COUNT)
		return -EINVAL;
	if (dev->hidden || !dev->present)
		return -ENODEV;
	if (trigger_reg(dev, kind, &off, &size))
		return -EOPNOTSUPP;
	if ((rc = pvhdev_dev_hw_read(dev, off, size, &cur)))
		return rc;
	switch (kind) {
	case PVHDEV_RESET_BUS:
		/* Asserted, then released (the reset happens on the first). */
		if (!(rc = trigger_write(dev, kind, off, size, cur | BRIDGE_CTL_SBR)))
			rc = trigger_write(dev, kind, off, size, cur & ~BRIDGE_CTL_SBR);
		return rc;
	case PVHDEV_RESET_PM:
		if (cur & PM_CSR_NO_SOFT_RESET)
			return -EOPNOTSUPP;
		cur |= PM_CSR_D3HOT;
		if (!(rc = trigger_write(dev, kind, off, size, cur)))
			rc = trigger_write(dev, kind, off, size, cur & ~PM_CSR_STATE);
		return rc;
	default:
		/* FLR and AF FLR: the function must say it has them. */
		cur |= kind == PVHDEV_RESET_FLR ? EXP_DEVCTL_FLR : AF_CTRL_FLR;
		if (!triggers(dev, kind, off, cur, cur))
			return -EOPNOTSUPP;
		return trigger_write(dev, kind, off, size, cur);
	}
}

const struct pvhdev__module pvhdev__reset_module = {
	.name = "reset",
	.dev_add = reset_dev_add,
};
