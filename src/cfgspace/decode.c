/* SPDX-License-Identifier: MIT */
/*
 * The two ways a guest reaches config space: port I/O through
 * CONFIG_ADDRESS / CONFIG_DATA (0xCF8 / 0xCFC..0xCFF, segment 0 and the
 * first 256 bytes only) and ECAM windows (MMCFG), where every function
 * has a 4 KiB page.  Both end in pvhdev_cfg_read / pvhdev_cfg_write.
 */
#include "cfgspace/cfgspace.h"

static pvhdev_sbdf_t cf8_sbdf(uint32_t cf8)
{
	return PVHDEV_SBDF(0, (cf8 >> 16) & 0xff, (cf8 >> 11) & 0x1f, (cf8 >> 8) & 7);
}

/* For a CONFIG_DATA access: whether it is one pvhdev answers at all
 * (0), or not a config access (-ENXIO). *ok says whether the access is
 * well formed and enabled; if not, the guest gets all-ones / a drop. */
static int cfc_decode(const struct pvhdev_domain *dom, uint16_t port,
                      unsigned size, bool *ok)
{
	*ok = false;
	if (port >= CF8_PORT && port < CFC_PORT)
		return port == CF8_PORT && size == 4 ? 0 : -ENXIO;
	if (port < CFC_PORT || port > CFC_PORT + 3)
		return -ENXIO;
	*ok = pvhdev__access_ok(port, size, 0) && (port & 3) + size <= 4 &&
	      (dom->cf8 & CF8_ENABLE);
	return 0;
}

int pvhdev_pio_read(struct pvhdev_domain *dom, uint16_t port, unsigned size,
                    uint32_t *val)
{
	bool ok;
	int rc = cfc_decode(dom, port, size, &ok);

	*val = (uint32_t)pvhdev__ones(size <= 4 ? size : 4);
	if (rc)
		return rc;
	if (port == CF8_PORT) {
		*val = dom->cf8;
		return 0;
	}
	if (!ok)
		return 0;
	return pvhdev_cfg_read(dom, cf8_sbdf(dom->cf8),
	                       (dom->cf8 & 0xfc) | (port & 3u), size, val);
}

int pvhdev_pio_write(struct pvhdev_domain *dom, uint16_t port, unsigned size,
                     uint32_t val)
{
	bool ok;
	int rc = cfc_decode(dom, port, size, &ok);

	if (rc)
		return rc;
	if (port == CF8_PORT) {
		dom->cf8 = val;
		return 0;
	}
	if (!ok)
		return 0;
	return pvhdev_cfg_write(dom, cf8_sbdf(dom->cf8),
	                        (dom->cf8 & 0xfc) | (port & 3u), size, val);
}

/* ---- ECAM ---- */

static void ecam_decode(const struct pvhdev__mmcfg *m, uint64_t addr,
                        pvhdev_sbdf_t *sbdf, unsigned *reg)
{
	uint64_t rel = addr - m->addr; /* from bus 0 of the segment */

	*sbdf = PVHDEV_SBDF(m->seg, rel >> ECAM_BUS_SHIFT, (rel >> 15) & 0x1f,
	                    (rel >> 12) & 7);
	*reg = rel & 0xfff;
}

/* 8-byte accesses are two 4-byte ones, low dword first. */
static int ecam_read(void *opaque, uint64_t addr, unsigned size, uint64_t *val)
{
	struct pvhdev__mmcfg *m = opaque;
	pvhdev_sbdf_t sbdf;
	unsigned reg;
	uint32_t lo, hi = 0;
	int rc;

	ecam_decode(m, addr, &sbdf, &reg);
	rc = pvhdev_cfg_read(m->dom, sbdf, reg, size == 8 ? 4 : size, &lo);
	if (!rc && size == 8)
		rc = pvhdev_cfg_read(m->dom, sbdf, reg + 4, 4, &hi);
	*val = rc ? pvhdev__ones(size) : ((uint64_t)hi << 32 | lo);
	return rc;
}

static int ecam_write(void *opaque, uint64_t addr, unsigned size, uint64_t val)
{
	struct pvhdev__mmcfg *m = opaque;
	pvhdev_sbdf_t sbdf;
	unsigned reg;
	int rc;

	ecam_decode(m, addr, &sbdf, &reg);
	rc = pvhdev_cfg_write(m->dom, sbdf, reg, size == 8 ? 4 : size, (uint32_t)val);
	if (!rc && size == 8)
		rc = pvhdev_cfg_write(m->dom, sbdf, reg + 4, 4, (uint32_t)(val >> 32));
	return rc;
}

static const struct pvhdev__mmio_ops ecam_ops = {
	.read = ecam_read,
	.write = ecam_write,
};

int pvhdev_mmcfg_add(struct pvhdev_domain *dom, uint64_t addr, uint16_t seg,
                     uint8_t start_bus, uint8_t end_bus)
{
	if (start_bus > end_bus || (addr & ((1u << ECAM_BUS_SHIFT) - 1)))
		return -EINVAL;
	uint64_t first = addr + ((uint64_t)start_bus << ECAM_BUS_SHIFT);
	uint64_t size = (uint64_t)(end_bus - start_bus + 1) << ECAM_BUS_SHIFT;
	if (first < addr || first + (size - 1) < first)
		return -EINVAL;
	for (const struct pvhdev__mmcfg *o = dom->mmcfg; o; o = o->next)
		if (o->seg == seg && start_bus <= o->end_bus && o->start_bus <= end_bus)
			return -EEXIST;

	struct pvhdev__mmcfg *m = pvhdev__zalloc(dom, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->dom = dom;
	m->addr = addr;
	m->seg = seg;
	m->start_bus = start_bus;
	m->end_bus = end_bus;
	int rc = pvhdev__mmio_add(dom, &m->trap, first, size, &ecam_ops, m);
	if (rc) {
		pvhdev__free(dom, m, sizeof(*m));
		return rc;
	}
	m->next = dom->mmcfg;
	dom->mmcfg = m;
	/* Reported late (PHYSDEVOP_pci_mmcfg_reserved): what it reveals is
	 * new to dom0's model now. */
	return dom->booted ? pvhdev__devices_rescan(dom, seg, start_bus, end_bus) : 0;
}

bool pvhdev__mmcfg_covers(const struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf)
{
	for (const struct pvhdev__mmcfg *m = dom->mmcfg; m; m = m->next)
		if (m->seg == PVHDEV_SBDF_SEG(sbdf) &&
		    PVHDEV_SBDF_BUS(sbdf) >= m->start_bus &&
		    PVHDEV_SBDF_BUS(sbdf) <= m->end_bus)
			return true;
	return false;
}
