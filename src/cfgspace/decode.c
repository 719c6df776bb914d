/* SPDX-License-Identifier: MIT */
/*
 * The two ways a guest reaches config space: port I/O through
 * CONFIG_ADDRESS / CONFIG_DATA (0xCF8 / 0xCFC..0xCFF, segment 0 and the
 * first 256 bytes only) and ECAM windows (MMCFG), where every function
 * has a 4 KiB page.  Both end in pvhdev_cfg_read / pvhdev_cfg_write.
 * The ECAM handlers below see only a window's first access (or, after
 * that, its 8-byte ones): they name the window to src/core/mmio.c,
 * whose ECAM cache then sends the window's accesses to the dispatcher
 * directly.
 */
#include "cfgspace/cfgspace.h"

/* Bus, device and function are bits 23:8 of CONFIG_ADDRESS, laid out
 * as an SBDF's low 16 bits; the segment is 0. */
static inline pvhdev_sbdf_t cf8_sbdf(uint32_t cf8)
{
	return pvhdev__pci_cf8_bdf(cf8);
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

/* Everything but an enabled CONFIG_DATA access. */
static __attribute__((noinline)) int pio_read_other(struct pvhdev_domain *dom,
                                                    uint16_t port, unsigned size,
                                                    uint32_t *val)
{
	bool ok;
	int rc = cfc_decode(dom, port, size, &ok);

	*val = (uint32_t)pvhdev__ones(size <= 4 ? size : 4);
	if (rc)
		return rc;
	if (port == CF8_PORT)
		*val = dom->cf8;
	return 0;
}

static __attribute__((noinline)) int pio_write_other(struct pvhdev_domain *dom,
                                                     uint16_t port, unsigned size,
                                                     uint32_t val)
{
	bool ok;

	(void)val;
	return cfc_decode(dom, port, size, &ok);
}

/*
 * The access path: an enabled CONFIG_DATA access goes straight to the
 * dispatcher, whose own checks (size 1, 2 or 4, aligned) are exactly
 * "inside the dword and aligned" here, since CF8's register is a dword
 * offset and the port gives the byte.
 */
int pvhdev_pio_read(struct pvhdev_domain *dom, uint16_t port, unsigned size,
                    uint32_t *val)
{
	uint32_t cf8 = dom->cf8;
	unsigned byte = (uint16_t)(port - CFC_PORT);

	if (PVHDEV__LIKELY(byte < 4 && (cf8 & CF8_ENABLE)))
		return pvhdev_cfg_read(dom, cf8_sbdf(cf8), pvhdev__pci_cf8_reg(cf8) | byte, size, val);
	return pio_read_other(dom, port, size, val);
}

/* outl 0xcf8 is half of every CF8/CFC access: it only latches. */
int pvhdev_pio_write(struct pvhdev_domain *dom, uint16_t port, unsigned size,
                     uint32_t val)
{
	if (PVHDEV__LIKELY(port == CF8_PORT && size == 4)) {
		dom->cf8 = val;
		return 0;
	}
	uint32_t cf8 = dom->cf8;
	unsigned byte = (uint16_t)(port - CFC_PORT);

	if (PVHDEV__LIKELY(byte < 4 && (cf8 & CF8_ENABLE)))
		return pvhdev_cfg_write(dom, cf8_sbdf(cf8), pvhdev__pci_cf8_reg(cf8) | byte, size, val);
	return pio_write_other(dom, port, size, val);
}

/* ---- ECAM ---- */

/* The function of an ECAM address: its 4 KiB page, counted from bus 0
 * of the segment, is bus:dev:fn as an SBDF's low 16 bits. */
static inline pvhdev_sbdf_t ecam_sbdf(const struct pvhdev__mmcfg *m, uint64_t rel)
{
	return (pvhdev_sbdf_t)m->seg << 16 | (pvhdev_sbdf_t)(rel >> 12 & 0xffff);
}

/* 8-byte accesses are two 4-byte ones, low dword first. */
static __attribute__((noinline)) int ecam_read8(struct pvhdev_domain *dom,
                                                pvhdev_sbdf_t sbdf, unsigned reg,
                                                uint64_t *val)
{
	uint32_t lo, hi;
	int rc = pvhdev_cfg_read(dom, sbdf, reg, 4, &lo);

	if (!rc)
		rc = pvhdev_cfg_read(dom, sbdf, reg + 4, 4, &hi);
	*val = rc ? ~(uint64_t)0 : (uint64_t)hi << 32 | lo;
	return rc;
}

static __attribute__((noinline)) int ecam_write8(struct pvhdev_domain *dom,
                                                 pvhdev_sbdf_t sbdf, unsigned reg,
                                                 uint64_t val)
{
	int rc = pvhdev_cfg_write(dom, sbdf, reg, 4, (uint32_t)val);

	return rc ? rc : pvhdev_cfg_write(dom, sbdf, reg + 4, 4, (uint32_t)(val >> 32));
}

/* The window's accesses of up to 4 bytes skip this handler from now
 * on (src/core/mmio.c's ECAM cache): the function of its first page. */
static void ecam_remember(const struct pvhdev__mmcfg *m)
{
	pvhdev__mmio_ecam_hit(m->dom, &m->trap,
	                      (pvhdev_sbdf_t)m->seg << 16 | (pvhdev_sbdf_t)m->start_bus << 8);
}

static int ecam_read(void *opaque, uint64_t addr, unsigned size, uint64_t *val)
{
	const struct pvhdev__mmcfg *m = opaque;
	uint64_t rel = addr - m->addr; /* from bus 0 of the segment */
	uint32_t v;

	ecam_remember(m);
	if (PVHDEV__UNLIKELY(size == 8))
		return ecam_read8(m->dom, ecam_sbdf(m, rel), rel & 0xfff, val);
	int rc = pvhdev_cfg_read(m->dom, ecam_sbdf(m, rel), rel & 0xfff, size, &v);
	*val = v;
	return rc;
}

static int ecam_write(void *opaque, uint64_t addr, unsigned size, uint64_t val)
{
	const struct pvhdev__mmcfg *m = opaque;
	uint64_t rel = addr - m->addr;

	ecam_remember(m);
	if (PVHDEV__UNLIKELY(size == 8))
		return ecam_write8(m->dom, ecam_sbdf(m, rel), rel & 0xfff, val);
	return pvhdev_cfg_write(m->dom, ecam_sbdf(m, rel), rel & 0xfff, size,
	                        (uint32_t)val);
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
	if (dom->nr_mmcfg >= PVHDEV__MAX_MMCFG)
		return -ENOSPC;

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
	dom->nr_mmcfg++;
	if (!dom->booted)
		return 0; /* boot excludes its windows itself */
	/* Reported late (PHYSDEVOP_pci_mmcfg_reserved): excluded like a
	 * boot window, so what maps over it goes now and nothing maps
	 * there later; and what it reveals is new to dom0's model. */
	rc = pvhdev__excl_late(dom, first >> 12, size >> 12, PVHDEV__EXCL_MMCFG);
	return rc ? rc : pvhdev__devices_rescan(dom, seg, start_bus, end_bus);
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

int pvhdev_ecam_decode(const struct pvhdev_domain *dom, uint64_t addr,
                       pvhdev_sbdf_t *sbdf, unsigned *reg)
{
	for (const struct pvhdev__mmcfg *m = dom->mmcfg; m; m = m->next) {
		uint64_t rel = addr - m->addr;
		if (addr < m->addr || rel >> ECAM_BUS_SHIFT < m->start_bus ||
		    rel >> ECAM_BUS_SHIFT > m->end_bus)
			continue;
		*sbdf = ecam_sbdf(m, rel);
		*reg = (unsigned)(rel & (PVHDEV_CFG_EXP_SIZE - 1));
		return 0;
	}
	return -ENOENT;
}
