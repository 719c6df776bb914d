/* SPDX-License-Identifier: MIT */
/*
 * The per-device register table and the config-space dispatcher.
 *
 * Lookup is a flat per-device index: one byte per config-space offset
 * holding the id of the register that covers it (0: none).  The index
 * lives in 256-byte pages; a page without registers points at a shared
 * read-only page of zeros, so a lookup is two loads and never a walk.
 *
 *   idx[off >> 8][off & 0xff] -> id -> regs[id]
 *
 * An access is split along register boundaries.  Each register is read
 * or written whole by its handler (partial writes are merged with the
 * current value here), gaps go to the hardware, and the bytes are
 * merged back.  Masks are enforced here and nowhere else.
 */
#include "cfgspace/cfgspace.h"

static const uint8_t zero_page[256];

static enum pvhdev_verdict read_ones(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	(void)reg;
	*val = ~0u;
	return PVHDEV_REJECT;
}

static enum pvhdev_verdict write_ignore(struct pvhdev_dev *dev,
                                        const struct pvhdev_reg *reg, uint32_t val)
{
	(void)dev;
	(void)reg;
	(void)val;
	return PVHDEV_REJECT;
}

static inline unsigned idx_at(const struct pvhdev_dev *dev, unsigned off)
{
	return dev->idx[off >> 8][off & 0xff];
}

static inline uint32_t bytes_mask(unsigned n)
{
	return (uint32_t)pvhdev__ones(n);
}

void pvhdev__regs_init(struct pvhdev_dev *dev)
{
	for (unsigned i = 0; i < PVHDEV__IDX_PAGES; i++)
		dev->idx[i] = zero_page;
	dev->regs = NULL;
	dev->nr_regs = 0;
	dev->cap_regs = 0;
}

void pvhdev__regs_free(struct pvhdev_dev *dev)
{
	for (unsigned i = 0; i < PVHDEV__IDX_PAGES; i++)
		if (dev->idx[i] != zero_page)
			pvhdev__free(dev->dom, (void *)dev->idx[i], 256);
	pvhdev__free(dev->dom, dev->regs, (dev->cap_regs + 1) * sizeof(*dev->regs));
	pvhdev__regs_init(dev);
}

static int reg_check(const struct pvhdev_reg *r)
{
	uint32_t m[4] = { r->ro_mask, r->rw1c_mask, r->rsvdp_mask, r->rsvdz_mask };

	if (!pvhdev__access_ok(r->off, r->size, 0) ||
	    r->off + r->size > PVHDEV_CFG_EXP_SIZE)
		return -EINVAL;
	for (unsigned i = 0; i < 4; i++) {
		if (m[i] & ~bytes_mask(r->size))
			return -EINVAL;
		for (unsigned j = i + 1; j < 4; j++)
			if (m[i] & m[j])
				return -EINVAL;
	}
	return 0;
}

/* Makes room for one more register and the index page of off. */
static int reg_room(struct pvhdev_dev *dev, unsigned off)
{
	unsigned page = off >> 8;

	if (dev->idx[page] == zero_page) {
		uint8_t *p = pvhdev__zalloc(dev->dom, 256);
		if (!p)
			return -ENOMEM;
		dev->idx[page] = p;
	}
	if (dev->nr_regs < dev->cap_regs)
		return 0;
	unsigned cap = dev->cap_regs ? dev->cap_regs * 2 : 16;
	if (cap > PVHDEV_MAX_REGS)
		cap = PVHDEV_MAX_REGS;
	struct pvhdev_reg *regs = pvhdev__zalloc(dev->dom, (cap + 1) * sizeof(*regs));
	if (!regs)
		return -ENOMEM;
	if (dev->regs)
		memcpy(regs, dev->regs, (dev->nr_regs + 1) * sizeof(*regs));
	pvhdev__free(dev->dom, dev->regs, (dev->cap_regs + 1) * sizeof(*regs));
	dev->regs = regs;
	dev->cap_regs = cap;
	return 0;
}

static void idx_set(struct pvhdev_dev *dev, unsigned off, unsigned size,
                    unsigned id)
{
	uint8_t *page = (uint8_t *)dev->idx[off >> 8];

	for (unsigned i = 0; i < size; i++)
		page[(off & 0xff) + i] = (uint8_t)id;
}

int pvhdev_reg_add(struct pvhdev_dev *dev, const struct pvhdev_reg *reg)
{
	int rc = reg_check(reg);

	if (rc)
		return rc;
	if (dev->hidden)
		return -EPERM;
	for (unsigned i = 0; i < reg->size; i++)
		if (idx_at(dev, reg->off + i))
			return -EEXIST;
	if (dev->nr_regs >= PVHDEV_MAX_REGS)
		return -ENOSPC;
	if ((rc = reg_room(dev, reg->off)))
		return rc;
	struct pvhdev_reg *r = &dev->regs[++dev->nr_regs];
	*r = *reg;
	if (!r->read)
		r->read = read_ones;
	if (!r->write)
		r->write = write_ignore;
	idx_set(dev, r->off, r->size, dev->nr_regs);
	return 0;
}

int pvhdev_reg_remove(struct pvhdev_dev *dev, unsigned off, unsigned size)
{
	unsigned id = off < PVHDEV_CFG_EXP_SIZE ? idx_at(dev, off) : 0;

	if (!id || dev->regs[id].off != off || dev->regs[id].size != size)
		return -ENOENT;
	idx_set(dev, off, size, 0);
	if (id != dev->nr_regs) {
		/* Keep ids dense: the last register takes the hole. */
		dev->regs[id] = dev->regs[dev->nr_regs];
		idx_set(dev, dev->regs[id].off, dev->regs[id].size, id);
	}
	dev->nr_regs--;
	return 0;
}

/* Emulated registers must show the hardware's read-only bits. */
int pvhdev__regs_check(struct pvhdev_dev *dev, char *msg, size_t len)
{
	for (unsigned id = 1; id <= dev->nr_regs; id++) {
		const struct pvhdev_reg *r = &dev->regs[id];
		uint32_t g = 0, h;
		if (!r->ro_mask || r->read(dev, r, &g) != PVHDEV_DONE ||
		    pvhdev__hw_cfg_read(dev->dom, dev->sbdf, r->off, r->size, &h))
			continue;
		if ((g ^ h) & r->ro_mask) {
			char s[PVHDEV_SBDF_STRLEN];
			if (len)
				pvhdev__snprintf(msg, len, "%s: register 0x%x: guest sees "
				                 "read-only bits 0x%x, the hardware 0x%x",
				                 pvhdev_sbdf_str(dev->sbdf, s), r->off,
				                 g & r->ro_mask, h & r->ro_mask);
			return -EPROTO;
		}
	}
	return 0;
}

/* ---- Dispatch ---- */

/* The register's value as the guest sees it. */
static int reg_read(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                    uint32_t *val)
{
	uint32_t v = 0;
	int rc = 0;

	switch (r->read(dev, r, &v)) {
	case PVHDEV_DONE:
		break;
	case PVHDEV_PASS:
		rc = pvhdev__hw_cfg_read(dev->dom, dev->sbdf, r->off, r->size, &v);
		break;
	default:
		*val = bytes_mask(r->size);
		return 0;
	}
	*val = v & bytes_mask(r->size) & ~(r->rsvdp_mask | r->rsvdz_mask);
	return rc;
}

/* The register's raw current value, for read-modify-write: RW1C bits
 * cleared so that writing it back clears nothing.  A register that
 * rejects reads contributes zeros. */
static int reg_current(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                       uint32_t *val)
{
	uint32_t v = 0;
	int rc = 0;

	switch (r->read(dev, r, &v)) {
	case PVHDEV_DONE:
		break;
	case PVHDEV_PASS:
		rc = pvhdev__hw_cfg_read(dev->dom, dev->sbdf, r->off, r->size, &v);
		break;
	default:
		v = 0;
	}
	*val = v & ~r->rw1c_mask;
	return rc;
}

/* Writes bytes [boff, boff + n) of register r; data is aligned to the
 * register (byte boff of the register is data's byte boff). */
static int reg_write(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                     unsigned boff, unsigned n, uint32_t data)
{
	uint32_t full = bytes_mask(r->size);
	uint32_t wmask = bytes_mask(n) << (8 * boff);
	uint32_t keep = r->ro_mask | r->rsvdp_mask;
	uint32_t cur = 0;
	int rc = 0;

	if (wmask != full || keep)
		rc = reg_current(dev, r, &cur);
	if (rc)
		return rc;
	uint32_t v = (cur & ~wmask) | (data & wmask);
	v = (v & ~(keep | r->rsvdz_mask)) | (cur & keep);
	v &= full;
	if (r->write(dev, r, v) == PVHDEV_PASS)
		rc = pvhdev__hw_cfg_write(dev->dom, dev->sbdf, r->off, r->size, v);
	return rc;
}

/* The largest naturally aligned piece of [off, end) that starts at off. */
static unsigned chunk(unsigned off, unsigned end)
{
	if (!(off & 3) && end - off >= 4)
		return 4;
	if (!(off & 1) && end - off >= 2)
		return 2;
	return 1;
}

/* End of the gap that starts at off, bounded by end. */
static unsigned gap_end(const struct pvhdev_dev *dev, unsigned off, unsigned end)
{
	while (off < end && !idx_at(dev, off))
		off++;
	return off;
}

static int split_read(struct pvhdev_dev *dev, unsigned off, unsigned size,
                      uint32_t *val)
{
	unsigned end = off + size, pos = off;
	uint32_t out = 0;
	int rc = 0;

	while (pos < end) {
		unsigned id = idx_at(dev, pos), to, n;
		uint32_t v;
		if (id) {
			const struct pvhdev_reg *r = &dev->regs[id];
			to = r->off + r->size < end ? r->off + r->size : end;
			rc = rc ? rc : reg_read(dev, r, &v);
			v >>= 8 * (pos - r->off);
			n = to - pos;
		} else {
			to = gap_end(dev, pos, end);
			n = chunk(pos, to);
			rc = rc ? rc : pvhdev__hw_cfg_read(dev->dom, dev->sbdf, pos, n, &v);
			to = pos + n;
		}
		out |= (v & bytes_mask(n)) << (8 * (pos - off));
		pos = to;
	}
	*val = rc ? (uint32_t)pvhdev__ones(size) : out;
	return rc;
}

static int split_write(struct pvhdev_dev *dev, unsigned off, unsigned size,
                       uint32_t val)
{
	unsigned end = off + size, pos = off;
	int rc = 0;

	while (pos < end && !rc) {
		unsigned id = idx_at(dev, pos), to;
		uint32_t part = val >> (8 * (pos - off));
		if (id) {
			const struct pvhdev_reg *r = &dev->regs[id];
			unsigned boff = pos - r->off;
			to = r->off + r->size < end ? r->off + r->size : end;
			rc = reg_write(dev, r, boff, to - pos, part << (8 * boff));
		} else {
			unsigned n = chunk(pos, gap_end(dev, pos, end));
			rc = pvhdev__hw_cfg_write(dev->dom, dev->sbdf, pos, n,
			                          part & bytes_mask(n));
			to = pos + n;
		}
		pos = to;
	}
	return rc;
}

int pvhdev_cfg_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                    unsigned size, uint32_t *val)
{
	if (PVHDEV__UNLIKELY(!pvhdev__access_ok(off, size, 0) ||
	                     off >= PVHDEV_CFG_EXP_SIZE)) {
		*val = (uint32_t)pvhdev__ones(size);
		return 0;
	}
	struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);
	if (!dev)
		return pvhdev__hw_cfg_read(dom, sbdf, off, size, val);
	if (PVHDEV__UNLIKELY(dev->hidden || !dev->present)) {
		*val = (uint32_t)pvhdev__ones(size);
		return 0;
	}
	unsigned id = idx_at(dev, off);
	if (PVHDEV__LIKELY(id)) {
		const struct pvhdev_reg *r = &dev->regs[id];
		if (PVHDEV__LIKELY(r->off == off && r->size == size))
			return reg_read(dev, r, val);
	}
	return split_read(dev, off, size, val);
}

int pvhdev_cfg_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                     unsigned size, uint32_t val)
{
	if (PVHDEV__UNLIKELY(!pvhdev__access_ok(off, size, 0) ||
	                     off >= PVHDEV_CFG_EXP_SIZE))
		return 0;
	val &= bytes_mask(size);
	struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);
	if (!dev)
		return pvhdev__hw_cfg_write(dom, sbdf, off, size, val);
	if (PVHDEV__UNLIKELY(dev->hidden || !dev->present))
		return 0;
	unsigned id = idx_at(dev, off);
	if (PVHDEV__LIKELY(id)) {
		const struct pvhdev_reg *r = &dev->regs[id];
		if (PVHDEV__LIKELY(r->off == off && r->size == size))
			return reg_write(dev, r, 0, size, val);
	}
	return split_write(dev, off, size, val);
}

int pvhdev_dev_hw_read(struct pvhdev_dev *dev, unsigned off, unsigned size,
                       uint32_t *val)
{
	return pvhdev__hw_cfg_read(dev->dom, dev->sbdf, off, size, val);
}

int pvhdev_dev_hw_write(struct pvhdev_dev *dev, unsigned off, unsigned size,
                        uint32_t val)
{
	return pvhdev__hw_cfg_write(dev->dom, dev->sbdf, off, size, val);
}
