/* SPDX-License-Identifier: MIT */
/*
 * Devices of a domain: a sorted array of segments, each with 256 bus
 * tables of 256 functions, so lookup is a binary search over the
 * (usually one) segment and two array indexes.
 */
#include "core/core.h"

static struct pvhdev__segment *seg_find(const struct pvhdev_domain *dom,
                                        uint16_t seg)
{
	unsigned lo = 0, hi = dom->nr_segs;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (dom->segs[mid].seg == seg)
			return &dom->segs[mid];
		if (dom->segs[mid].seg < seg)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct pvhdev_dev *pvhdev__dev_lookup(const struct pvhdev_domain *dom,
                                      pvhdev_sbdf_t sbdf)
{
	const struct pvhdev__segment *s = dom->nr_segs == 1 &&
	                                          dom->segs[0].seg == PVHDEV_SBDF_SEG(sbdf)
	                                  ? &dom->segs[0]
	                                  : seg_find(dom, (uint16_t)PVHDEV_SBDF_SEG(sbdf));
	if (!s)
		return NULL;
	const struct pvhdev__bus *b = s->bus[PVHDEV_SBDF_BUS(sbdf)];
	return b ? b->fn[sbdf & 0xff] : NULL;
}

struct pvhdev_dev *pvhdev__dev_visible(struct pvhdev_domain *dom,
                                       pvhdev_sbdf_t sbdf)
{
	struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);

	if (!dev || dev->hidden || !dev->present)
		return NULL;
	dom->hit_dev = dev;
	dom->hit_sbdf = sbdf;
	return dev;
}

/* dev stops being visible to dom0 (or stops existing): the access
 * path's cache must not hand it out any more. */
static void dev_forget(struct pvhdev_dev *dev)
{
	if (dev->dom->hit_dev == dev)
		dev->dom->hit_dev = NULL;
}

/* Finds or makes the slot for sbdf. */
static struct pvhdev_dev **slot_get(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf)
{
	uint16_t seg = (uint16_t)PVHDEV_SBDF_SEG(sbdf);
	struct pvhdev__segment *s = seg_find(dom, seg);

	if (!s) {
		unsigned n = dom->nr_segs, at = 0;
		struct pvhdev__segment *segs = pvhdev__zalloc(dom, (n + 1) * sizeof(*segs));
		if (!segs)
			return NULL;
		while (at < n && dom->segs[at].seg < seg)
			at++;
		if (n) {
			memcpy(segs, dom->segs, at * sizeof(*segs));
			memcpy(segs + at + 1, dom->segs + at, (n - at) * sizeof(*segs));
		}
		segs[at].seg = seg;
		pvhdev__free(dom, dom->segs, n * sizeof(*segs));
		dom->segs = segs;
		dom->nr_segs = n + 1;
		s = &segs[at];
	}
	struct pvhdev__bus **b = &s->bus[PVHDEV_SBDF_BUS(sbdf)];
	if (!*b && !(*b = pvhdev__zalloc(dom, sizeof(**b))))
		return NULL;
	return &(*b)->fn[sbdf & 0xff];
}

/* Drops an empty bus table; segments stay (there are few). */
static void slot_put(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf)
{
	struct pvhdev__segment *s = seg_find(dom, (uint16_t)PVHDEV_SBDF_SEG(sbdf));
	struct pvhdev__bus **b = &s->bus[PVHDEV_SBDF_BUS(sbdf)];

	(*b)->fn[sbdf & 0xff] = NULL;
	if (--(*b)->count == 0) {
		pvhdev__free(dom, *b, sizeof(**b));
		*b = NULL;
	}
}

/* Bytes of dev's allocation: the struct and its capabilities. */
static size_t dev_bytes(unsigned nr_caps)
{
	return sizeof(struct pvhdev_dev) + nr_caps * sizeof(struct pvhdev__cap);
}

/* A device with room for found's capabilities (NULL: none, a hidden
 * placeholder), which it copies. */
static struct pvhdev_dev *dev_new(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                                  const struct pvhdev__caps_found *found)
{
	struct pvhdev_dev **slot = slot_get(dom, sbdf);
	unsigned nc = found ? found->nr_caps : 0, ne = found ? found->nr_ext_caps : 0;
	struct pvhdev_dev *dev;

	if (!slot)
		return NULL;
	/* On failure an empty bus table may stay: the next add on that
	 * bus reuses it and pvhdev__devices_free() reclaims it. */
	dev = pvhdev__zalloc(dom, dev_bytes(nc + ne));
	if (!dev)
		return NULL;
	dev->dom = dom;
	dev->sbdf = sbdf;
	dev->nr_caps = (uint8_t)nc;
	dev->nr_ext_caps = (uint8_t)ne;
	if (nc)
		memcpy(dev->caps, found->caps, nc * sizeof(dev->caps[0]));
	if (ne)
		memcpy(dev->caps + nc, found->ext_caps, ne * sizeof(dev->caps[0]));
	pvhdev__regs_init(dev);
	*slot = dev;
	seg_find(dom, (uint16_t)PVHDEV_SBDF_SEG(sbdf))->bus[PVHDEV_SBDF_BUS(sbdf)]->count++;
	return dev;
}

static void dev_free(struct pvhdev_dev *dev)
{
	struct pvhdev_domain *dom = dev->dom;

	dev_forget(dev);
	slot_put(dom, dev->sbdf);
	pvhdev__regs_free(dev);
	pvhdev__free(dom, dev, dev_bytes(dev->nr_caps + dev->nr_ext_caps));
}

static void modules_remove(struct pvhdev_dev *dev, size_t upto)
{
	while (upto-- > 0) {
		const struct pvhdev__module *m = pvhdev__modules[upto];
		if (m && m->dev_remove)
			m->dev_remove(dev);
	}
}

static int modules_add(struct pvhdev_dev *dev)
{
	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		int rc = m && m->dev_add ? m->dev_add(dev) : 0;
		if (rc) {
			modules_remove(dev, i);
			return rc;
		}
	}
	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		int rc = m && m->dev_start ? m->dev_start(dev) : 0;
		if (rc) {
			modules_remove(dev, pvhdev__nr_modules);
			return rc;
		}
	}
	return 0;
}

static void emit_dev(struct pvhdev_domain *dom, enum pvhdev_event_kind kind,
                     pvhdev_sbdf_t sbdf)
{
	struct pvhdev_event ev = { .kind = kind, .sbdf = sbdf };

	pvhdev__emit(dom, &ev);
}

/* What device add needs from the header, and the capabilities, read
 * before the device is allocated so that it is allocated at its size.
 * probe carries dom and sbdf in, the header's fields out. */
static int dev_probe(struct pvhdev_dev *probe, struct pvhdev__caps_found *found)
{
	uint32_t hdr;
	int rc = pvhdev__hw_cfg_read(probe->dom, probe->sbdf, PVHDEV_PCI_HEADER_TYPE, 1,
	                             &hdr);

	if (!rc)
		rc = pvhdev__hw_cfg_read(probe->dom, probe->sbdf, PVHDEV_PCI_VENDOR_ID, 4,
		                         &probe->id);
	if (rc)
		return rc;
	probe->hdr_type = hdr & PVHDEV_PCI_HEADER_TYPE_MASK;
	probe->ext_cfg = pvhdev__mmcfg_covers(probe->dom, probe->sbdf);
	return pvhdev__caps_walk(probe, found);
}

/* Lets each module claim its registers, then start. */
static int dev_setup(struct pvhdev_dev *dev)
{
	int rc = modules_add(dev);

	if (!rc)
		pvhdev__regs_trim(dev);
	return rc;
}

/* Adds sbdf; a VF (pf != sbdf) skips the vendor ID check. */
static int dev_add(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, bool vf,
                   pvhdev_sbdf_t pf)
{
	struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);
	struct pvhdev_dev probe = { .dom = dom, .sbdf = sbdf };
	struct pvhdev__caps_found found;
	uint32_t id;
	int rc;

	if (dev && dev->present)
		return -EEXIST;
	rc = pvhdev__hw_cfg_read(dom, sbdf, PVHDEV_PCI_VENDOR_ID, 4, &id);
	if (rc)
		return rc;
	if (!vf && ((id & 0xffff) == 0xffff || (id & 0xffff) == 0))
		return -ENODEV;
	if (dev) {
		/* A hidden placeholder: present now, but owns nothing; its
		 * BARs are nobody's to map. */
		rc = pvhdev__bar_hidden(dev);
		if (rc)
			return rc;
		dev->present = true;
		emit_dev(dom, PVHDEV_EV_DEV_ADD, sbdf);
		return 0;
	}
	rc = dev_probe(&probe, &found);
	if (rc)
		return rc;
	dev = dev_new(dom, sbdf, &found);
	if (!dev)
		return -ENOMEM;
	dev->id = probe.id;
	dev->hdr_type = probe.hdr_type;
	dev->ext_cfg = probe.ext_cfg;
	dev->vf = vf;
	dev->pf = pf;
	rc = dev_setup(dev);
	if (rc) {
		dev_free(dev);
		return rc;
	}
	dev->present = true;
	emit_dev(dom, PVHDEV_EV_DEV_ADD, sbdf);
	return 0;
}

int pvhdev_dev_add(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf)
{
	return dev_add(dom, sbdf, false, sbdf);
}

int pvhdev__dev_add_vf(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                       pvhdev_sbdf_t pf)
{
	return dev_add(dom, sbdf, true, pf);
}

int pvhdev_dev_remove(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf)
{
	struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);

	if (!dev || !dev->present)
		return -ENODEV;
	if (dev->hidden) {
		dev_forget(dev);
		dev->present = false;
	} else {
		modules_remove(dev, pvhdev__nr_modules);
		dev_free(dev);
	}
	emit_dev(dom, PVHDEV_EV_DEV_REMOVE, sbdf);
	return 0;
}

int pvhdev_dev_hide(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf)
{
	struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);

	if (dev && dev->hidden)
		return 0;
	if (dev) {
		/* It owns nothing from now on: its BARs are nobody's to map,
		 * the modules release it, its registers go. */
		int rc = dev->present ? pvhdev__bar_hidden(dev) : 0;
		if (rc)
			return rc;
		dev_forget(dev);
		/* Hidden first: the modules release it without touching
		 * the device (it is the hypervisor's now). */
		dev->hidden = true;
		modules_remove(dev, pvhdev__nr_modules);
		pvhdev__regs_free(dev);
		pvhdev__regs_init(dev);
		dev->nr_holes = 0;
	} else if (!(dev = dev_new(dom, sbdf, NULL))) {
		return -ENOMEM;
	}
	dev->hidden = true;
	return 0;
}

int pvhdev_dev_get(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                   struct pvhdev_dev **out)
{
	struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);

	*out = NULL;
	if (!dev || (!dev->present && !dev->hidden))
		return -ENODEV;
	*out = dev;
	return 0;
}

pvhdev_sbdf_t pvhdev_dev_sbdf(const struct pvhdev_dev *dev)
{
	return dev->sbdf;
}

struct pvhdev_domain *pvhdev_dev_domain(const struct pvhdev_dev *dev)
{
	return dev->dom;
}

bool pvhdev_dev_hidden(const struct pvhdev_dev *dev)
{
	return dev->hidden;
}

unsigned pvhdev_dev_header_type(const struct pvhdev_dev *dev)
{
	return dev->hdr_type;
}

int pvhdev_dev_foreach(struct pvhdev_domain *dom,
                       int (*fn)(void *arg, struct pvhdev_dev *dev), void *arg)
{
	for (unsigned s = 0; s < dom->nr_segs; s++) {
		for (unsigned b = 0; b < 256; b++) {
			struct pvhdev__bus *bus = dom->segs[s].bus[b];
			for (unsigned f = 0; bus && f < 256; f++) {
				struct pvhdev_dev *dev = bus->fn[f];
				int rc = dev ? fn(arg, dev) : 0;
				if (rc)
					return rc;
				/* fn may have removed the last device. */
				bus = dom->segs[s].bus[b];
			}
		}
	}
	return 0;
}

static int free_one(void *arg, struct pvhdev_dev *dev)
{
	(void)arg;
	if (!dev->hidden)
		modules_remove(dev, pvhdev__nr_modules);
	dev_free(dev);
	return 0;
}

void pvhdev__devices_free(struct pvhdev_domain *dom)
{
	pvhdev_dev_foreach(dom, free_one, NULL);
	for (unsigned s = 0; s < dom->nr_segs; s++)
		for (unsigned b = 0; b < 256; b++)
			pvhdev__free(dom, dom->segs[s].bus[b], sizeof(struct pvhdev__bus));
	pvhdev__free(dom, dom->segs, dom->nr_segs * sizeof(*dom->segs));
	dom->segs = NULL;
	dom->nr_segs = 0;
}

/* ---- Scan ---- */

/* One function of a scan.  A function that cannot be added (its config
 * space does not answer, say) is left out with a log line and the scan
 * goes on: one broken device must not cost dom0 the machine.  Running
 * out of memory stops the scan. */
static int scan_one(void *arg, pvhdev_sbdf_t sbdf)
{
	struct pvhdev_domain *dom = arg;
	int rc = pvhdev_dev_add(dom, sbdf);

	if (rc == -EEXIST || rc == -ENODEV)
		return 0;
	if (rc) {
		char s[PVHDEV_SBDF_STRLEN];
		pvhdev__log(dom, PVHDEV_LOG_ERROR, "%s: device add failed: %s%s",
		            pvhdev_sbdf_str(sbdf, s), pvhdev_strerror(rc),
		            rc == -ENOMEM ? "" : "; left out");
	}
	return rc == -ENOMEM ? rc : 0;
}

/* What changed about dev since it was added, or NULL: its IDs, its
 * header type, or its extended capabilities (readable only now). */
static const char *dev_changed(struct pvhdev_dev *dev)
{
	struct pvhdev_dev now = { .dom = dev->dom, .sbdf = dev->sbdf,
	                          .ext_cfg = pvhdev__mmcfg_covers(dev->dom, dev->sbdf) };
	struct pvhdev__caps_found found;
	uint32_t id, hdr;

	if (pvhdev__hw_cfg_read(dev->dom, dev->sbdf, PVHDEV_PCI_VENDOR_ID, 4, &id) ||
	    pvhdev__hw_cfg_read(dev->dom, dev->sbdf, PVHDEV_PCI_HEADER_TYPE, 1, &hdr))
		return "unreadable";
	if (id != dev->id)
		return "vendor/device ID changed";
	if ((hdr & PVHDEV_PCI_HEADER_TYPE_MASK) != dev->hdr_type)
		return "header type changed";
	now.hdr_type = dev->hdr_type;
	if (pvhdev__caps_walk(&now, &found))
		return "unreadable";
	if (found.nr_ext_caps != dev->nr_ext_caps ||
	    memcmp(found.ext_caps, dev->caps + dev->nr_caps,
	           found.nr_ext_caps * sizeof(found.ext_caps[0])))
		return "extended capabilities differ";
	return NULL;
}

static int reconcile(struct pvhdev_dev *dev)
{
	struct pvhdev_domain *dom = dev->dom;
	pvhdev_sbdf_t sbdf = dev->sbdf;
	const char *why = dev_changed(dev);
	char s[PVHDEV_SBDF_STRLEN];
	int rc;

	if (!why)
		return 0;
	pvhdev__log(dom, PVHDEV_LOG_INFO, "%s: seen differently after MMCFG: %s: re-added",
	            pvhdev_sbdf_str(sbdf, s), why);
	rc = pvhdev_dev_remove(dom, sbdf);
	return rc ? rc : scan_one(dom, sbdf);
}

/* Probes vendor IDs: function 0 of each device, then 1..7 when it is
 * multi-function. */
static int probe_bus(struct pvhdev_domain *dom, uint16_t seg, unsigned bus)
{
	for (unsigned d = 0; d < 32; d++) {
		for (unsigned f = 0; f < 8; f++) {
			pvhdev_sbdf_t sbdf = PVHDEV_SBDF(seg, bus, d, f);
			struct pvhdev_dev *known = pvhdev__dev_lookup(dom, sbdf);
			uint32_t id, hdr;
			int rc = pvhdev__hw_cfg_read(dom, sbdf, PVHDEV_PCI_VENDOR_ID, 2, &id);
			if (rc)
				return rc;
			if (id == 0xffff || id == 0) {
				if (f == 0)
					break;
				continue;
			}
			if (known && known->present && !known->hidden && !known->vf)
				rc = reconcile(known);
			else
				rc = scan_one(dom, sbdf);
			if (rc)
				return rc;
			if (f == 0 &&
			    (pvhdev__hw_cfg_read(dom, sbdf, PVHDEV_PCI_HEADER_TYPE, 1, &hdr) ||
			     !(hdr & PVHDEV_PCI_HEADER_MULTI_FUNC)))
				break;
		}
	}
	return 0;
}

int pvhdev__devices_rescan(struct pvhdev_domain *dom, uint16_t seg,
                           unsigned start_bus, unsigned end_bus)
{
	int rc = 0;

	for (unsigned b = start_bus; b <= end_bus && !rc; b++)
		rc = probe_bus(dom, seg, b);
	return rc;
}

int pvhdev_domain_scan(struct pvhdev_domain *dom)
{
	int rc = 0;

	if (dom->be->enumerate)
		return dom->be->enumerate(dom->be_ctx, scan_one, dom);
	if (!dom->mmcfg) {
		for (unsigned b = 0; b < 256 && !rc; b++)
			rc = probe_bus(dom, 0, b);
		return rc;
	}
	for (struct pvhdev__mmcfg *m = dom->mmcfg; m && !rc; m = m->next)
		for (unsigned b = m->start_bus; b <= m->end_bus && !rc; b++)
			rc = probe_bus(dom, m->seg, b);
	return rc;
}
