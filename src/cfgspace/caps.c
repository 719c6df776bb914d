/* SPDX-License-Identifier: MIT */
/*
 * Capability lists, walked once at device add.  A broken list (a loop,
 * a pointer into the header, garbage IDs) ends the walk with a log line;
 * it never hangs and never reads outside config space.
 *
 *   legacy:   [id:8 | next:8] ...   from the pointer at 0x34 (0x14 for
 *             CardBus), next & 0xfc, 0x40 <= next, at most 48 hops
 *             (src/pci walks it; the status bit says whether to)
 *   extended: [id:16 | ver:4 | next:12] ... from 0x100, next & 0xffc,
 *             0x100 <= next, each dword visited at most once
 */
#include "cfgspace/cfgspace.h"

static void walk_warn(const struct pvhdev_dev *dev, const char *list, unsigned at,
                      const char *why)
{
	char s[PVHDEV_SBDF_STRLEN];

	pvhdev__log(dev->dom, PVHDEV_LOG_WARN, "%s: %s capability list: %s at 0x%x",
	            pvhdev_sbdf_str(dev->sbdf, s), list, why, at);
}

/* The device's config space as src/pci's walk reads it: through the
 * backend, as every access at device add. */
static int cfg_read(void *ctx, unsigned off, unsigned size, uint32_t *val)
{
	const struct pvhdev_dev *dev = ctx;

	return pvhdev__hw_cfg_read(dev->dom, dev->sbdf, off, size, val);
}

/* An ID of 0xff is what an absent function's bytes read: the list ends. */
static int legacy_found(void *ctx, unsigned off, uint8_t id)
{
	struct pvhdev__caps_found *out = ctx;

	if (id == 0xff)
		return 1;
	out->caps[out->nr_caps].id = id;
	out->caps[out->nr_caps++].off = (uint16_t)off;
	return 0;
}

static int walk_legacy(const struct pvhdev_dev *dev, struct pvhdev__caps_found *out)
{
	struct pvhdev__pci_cfg cfg = { .read = cfg_read, .ctx = (void *)dev };
	enum pvhdev__pci_walk_end end;
	uint32_t status;
	unsigned at;
	int rc = pvhdev__hw_cfg_read(dev->dom, dev->sbdf, PVHDEV_PCI_STATUS, 2, &status);

	/* Reserved header types (3-127) define no capabilities pointer:
	 * whatever sits at 0x34 is not one (found by fuzz_dump with the
	 * stronger checker: "capabilities" read there whose registers the
	 * device does not implement). */
	if (rc || status == 0xffff || !(status & PVHDEV_PCI_STATUS_CAP_LIST) ||
	    !pvhdev__pci_layout(dev->hdr_type)->cap_ptr)
		return rc;
	rc = pvhdev__pci_caps_walk(&cfg, pvhdev__pci_layout(dev->hdr_type), legacy_found, out,
	                           &end, &at);
	if (!rc && end == PVHDEV__PCI_WALK_HEADER)
		walk_warn(dev, "legacy", at, "pointer into the header");
	else if (!rc && end == PVHDEV__PCI_WALK_LOOP)
		walk_warn(dev, "legacy", at, "loop");
	return rc;
}

static int walk_ext(const struct pvhdev_dev *dev, struct pvhdev__caps_found *out)
{
	uint32_t seen[(PVHDEV_CFG_EXP_SIZE - PVHDEV_CFG_SIZE) / 4 / 32] = { 0 };
	unsigned pos = PVHDEV_CFG_SIZE;
	uint32_t hdr;
	int rc = 0;

	while (!rc) {
		unsigned bit = (pos - PVHDEV_CFG_SIZE) / 4;
		if (seen[bit / 32] >> (bit % 32) & 1)
			return walk_warn(dev, "extended", pos, "loop"), 0;
		seen[bit / 32] |= 1u << (bit % 32);
		rc = pvhdev__hw_cfg_read(dev->dom, dev->sbdf, pos, 4, &hdr);
		if (rc || hdr == 0 || hdr == ~0u)
			break;
		if (out->nr_ext_caps == PVHDEV__MAX_EXT_CAPS)
			return walk_warn(dev, "extended", pos, "too many entries"), 0;
		out->ext_caps[out->nr_ext_caps].id = hdr & 0xffff;
		out->ext_caps[out->nr_ext_caps++].off = (uint16_t)pos;
		pos = (hdr >> 20) & 0xffc;
		if (!pos)
			break;
		if (pos < PVHDEV_CFG_SIZE)
			return walk_warn(dev, "extended", pos, "pointer below 0x100"), 0;
	}
	return rc;
}

int pvhdev__caps_walk(const struct pvhdev_dev *dev, struct pvhdev__caps_found *out)
{
	int rc;

	out->nr_caps = 0;
	out->nr_ext_caps = 0;
	rc = walk_legacy(dev, out);
	if (!rc && dev->ext_cfg)
		rc = walk_ext(dev, out);
	return rc;
}

int pvhdev_dev_find_cap(const struct pvhdev_dev *dev, uint8_t id, unsigned *off)
{
	for (unsigned i = 0; i < dev->nr_caps; i++) {
		if (dev->caps[i].id == id) {
			*off = dev->caps[i].off;
			return 0;
		}
	}
	return -ENOENT;
}

int pvhdev_dev_find_ext_cap(const struct pvhdev_dev *dev, uint16_t id,
                            unsigned *off)
{
	const struct pvhdev__cap *ext = dev->caps + dev->nr_caps;

	for (unsigned i = 0; i < dev->nr_ext_caps; i++) {
		if (ext[i].id == id) {
			*off = ext[i].off;
			return 0;
		}
	}
	return -ENOENT;
}

int pvhdev_dev_cap_at(const struct pvhdev_dev *dev, unsigned off, uint16_t *id,
                      unsigned *start)
{
	bool ext = off >= PVHDEV_CFG_SIZE;
	const struct pvhdev__cap *c = dev->caps + (ext ? dev->nr_caps : 0);
	unsigned n = ext ? dev->nr_ext_caps : dev->nr_caps, best = n;

	/* The walk's order is the list's, not the offsets': the nearest
	 * start at or below off. */
	for (unsigned i = 0; i < n; i++)
		if (c[i].off <= off && (best == n || c[i].off > c[best].off))
			best = i;
	if (best == n)
		return -ENOENT;
	*id = c[best].id;
	*start = c[best].off;
	return 0;
}
