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

/* Keeps the rare paths out of the access path's registers and cache. */
#define NOINLINE __attribute__((noinline))
#define COLD __attribute__((noinline, cold))

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

/* All-ones of n bytes, n = 1..4. */
static inline uint32_t bytes_mask(unsigned n)
{
	static const uint32_t mask[5] = { 0, 0xff, 0xffff, 0xffffff, 0xffffffff };

	return mask[n];
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

/*
 * Every guest access is naturally aligned, so it lies inside one dword
 * and the register ids of its bytes fit in one uint32_t, byte i of the
 * access in bits 8i..8i+7.  That word classifies the access at once:
 *
 *   0                         a gap: straight to the hardware
 *   the same id in each byte  inside one register (most often exactly it)
 *   anything else             split along registers and gaps
 *
 * The entry points only classify; each kind of access is a function of
 * its own that they tail-call, so the common paths carry no frame for
 * the rare ones.
 */
static inline uint32_t access_ids(const struct pvhdev_dev *dev, unsigned off,
                                  unsigned size)
{
	const uint8_t *p = dev->idx[off >> 8] + (off & 0xfc);
	uint32_t ids = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	               (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return (ids >> 8 * (off & 3)) & bytes_mask(size);
}

/* Whether every byte of ids (an access of size bytes) has one id. */
static inline bool one_reg(uint32_t ids, unsigned size)
{
	return ids == ((ids & 0xff) * 0x01010101u & bytes_mask(size));
}

/* The hardware, for accesses already validated (pvhdev__hw_cfg_* check
 * again for everyone else). */
static NOINLINE int hw_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                            unsigned off, unsigned size, uint32_t *val)
{
	int rc = dom->be->cfg_read(dom->be_ctx, sbdf, off, size, val);

	if (PVHDEV__UNLIKELY(rc))
		*val = bytes_mask(size);
	return rc;
}

static NOINLINE int hw_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                             unsigned off, unsigned size, uint32_t val)
{
	struct pvhdev_event ev = {
		.kind = PVHDEV_EV_HW_WRITE,
		.sbdf = sbdf,
		.u.hw = { .addr = off, .val = val, .size = (uint8_t)size },
	};

	pvhdev__emit(dom, &ev);
	return dom->be->cfg_write(dom->be_ctx, sbdf, off, size, val);
}

/* The register's value as the guest sees it.  On a backend failure,
 * the error with *val all-ones. */
static inline int reg_read(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                           uint32_t *val)
{
	uint32_t v = 0;
	int rc;

	switch (r->read(dev, r, &v)) {
	case PVHDEV_DONE:
		break;
	case PVHDEV_PASS:
		if (PVHDEV__UNLIKELY(rc = hw_read(dev->dom, dev->sbdf, r->off, r->size, &v))) {
			*val = v;
			return rc;
		}
		break;
	default:
		*val = bytes_mask(r->size);
		return 0;
	}
	*val = v & bytes_mask(r->size) & ~(r->rsvdp_mask | r->rsvdz_mask);
	return 0;
}

/* Bytes [off, off + size) of register r, which holds them all. */
static NOINLINE int reg_read_bytes(struct pvhdev_dev *dev,
                                   const struct pvhdev_reg *r, unsigned off,
                                   unsigned size, uint32_t *val)
{
	uint32_t v;
	int rc = reg_read(dev, r, &v);

	*val = rc ? bytes_mask(size) : (v >> 8 * (off - r->off)) & bytes_mask(size);
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
		rc = hw_read(dev->dom, dev->sbdf, r->off, r->size, &v);
		break;
	default:
		v = 0;
	}
	*val = v & ~r->rw1c_mask;
	return rc;
}

/* Writes bytes [boff, boff + n) of register r; data is aligned to the
 * register (byte boff of the register is data's byte boff). */
static NOINLINE int reg_write(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                              unsigned boff, unsigned n, uint32_t data)
{
	uint32_t full = bytes_mask(r->size);
	uint32_t wmask = bytes_mask(n) << (8 * boff);
	uint32_t keep = r->ro_mask | r->rsvdp_mask;
	uint32_t cur = 0;

	if (wmask != full || keep) {
		int rc = reg_current(dev, r, &cur);
		if (rc)
			return rc;
	}
	uint32_t v = (cur & ~wmask) | (data & wmask);
	v = (v & ~(keep | r->rsvdz_mask)) | (cur & keep);
	v &= full;
	if (r->write(dev, r, v) == PVHDEV_PASS)
		return hw_write(dev->dom, dev->sbdf, r->off, r->size, v);
	return 0;
}

/* The largest naturally aligned piece of n bytes that starts at off. */
static unsigned chunk(unsigned off, unsigned n)
{
	if (!(off & 3) && n >= 4)
		return 4;
	if (!(off & 1) && n >= 2)
		return 2;
	return 1;
}

/* Bytes of the gap at byte pos of an access of size bytes (ids >> 8 * pos
 * has a zero low byte). */
static unsigned gap_len(uint32_t ids, unsigned pos, unsigned size)
{
	uint32_t rest = ids >> 8 * pos;

	return rest ? (unsigned)__builtin_ctz(rest) / 8 : size - pos;
}

/* An access over several registers, or registers and gaps: each
 * register is read whole, gaps go to the hardware, the bytes merge. */
static COLD int split_read(struct pvhdev_dev *dev, unsigned off, unsigned size,
                           uint32_t ids, uint32_t *val)
{
	uint32_t out = 0;
	int rc = 0;

	for (unsigned pos = 0, n; pos < size && !rc; pos += n) {
		unsigned id = (ids >> 8 * pos) & 0xff;
		uint32_t v;
		if (id) {
			const struct pvhdev_reg *r = &dev->regs[id];
			unsigned from = off + pos - r->off;
			n = r->size - from < size - pos ? r->size - from : size - pos;
			rc = reg_read(dev, r, &v);
			v >>= 8 * from;
		} else {
			n = chunk(off + pos, gap_len(ids, pos, size));
			rc = hw_read(dev->dom, dev->sbdf, off + pos, n, &v);
		}
		out |= (v & bytes_mask(n)) << (8 * pos);
	}
	*val = rc ? bytes_mask(size) : out;
	return rc;
}

static COLD int split_write(struct pvhdev_dev *dev, unsigned off, unsigned size,
                            uint32_t ids, uint32_t val)
{
	int rc = 0;

	for (unsigned pos = 0, n; pos < size && !rc; pos += n) {
		unsigned id = (ids >> 8 * pos) & 0xff;
		uint32_t part = val >> (8 * pos);
		if (id) {
			const struct pvhdev_reg *r = &dev->regs[id];
			unsigned from = off + pos - r->off;
			n = r->size - from < size - pos ? r->size - from : size - pos;
			rc = reg_write(dev, r, from, n, part << (8 * from));
		} else {
			n = chunk(off + pos, gap_len(ids, pos, size));
			rc = hw_write(dev->dom, dev->sbdf, off + pos, n,
			              part & bytes_mask(n));
		}
	}
	return rc;
}

/* A well-formed config access: 1, 2 or 4 bytes, naturally aligned,
 * inside the 4 KiB of extended config space. */
static inline bool cfg_access_ok(unsigned off, unsigned size)
{
	unsigned m = size - 1; /* 0, 1 or 3 */

	return m < 4 && ((0xbu >> m) & 1) && !(off & (m | ~(PVHDEV_CFG_EXP_SIZE - 1)));
}

static inline int dev_read(struct pvhdev_dev *dev, unsigned off, unsigned size,
                           uint32_t *val)
{
	uint32_t ids = access_ids(dev, off, size);

	if (!ids)
		return hw_read(dev->dom, dev->sbdf, off, size, val);
	if (PVHDEV__UNLIKELY(!one_reg(ids, size)))
		return split_read(dev, off, size, ids, val);
	return reg_read_bytes(dev, &dev->regs[ids & 0xff], off, size, val);
}

static inline int dev_write(struct pvhdev_dev *dev, unsigned off, unsigned size,
                            uint32_t val)
{
	uint32_t ids = access_ids(dev, off, size);

	if (!ids)
		return hw_write(dev->dom, dev->sbdf, off, size, val);
	if (PVHDEV__UNLIKELY(!one_reg(ids, size)))
		return split_write(dev, off, size, ids, val);
	const struct pvhdev_reg *r = &dev->regs[ids & 0xff];
	unsigned boff = off - r->off;
	return reg_write(dev, r, boff, size, val << 8 * boff);
}

/* Not the cached device.  One the domain never added is the hardware's,
 * a hidden one reads as absent. */
static COLD int read_miss(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                          unsigned off, unsigned size, uint32_t *val)
{
	struct pvhdev_dev *dev = pvhdev__dev_visible(dom, sbdf);

	if (dev)
		return dev_read(dev, off, size, val);
	if (!pvhdev__dev_lookup(dom, sbdf))
		return hw_read(dom, sbdf, off, size, val);
	*val = bytes_mask(size);
	return 0;
}

static COLD int write_miss(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                           unsigned off, unsigned size, uint32_t val)
{
	struct pvhdev_dev *dev = pvhdev__dev_visible(dom, sbdf);

	if (dev)
		return dev_write(dev, off, size, val);
	if (!pvhdev__dev_lookup(dom, sbdf))
		return hw_write(dom, sbdf, off, size, val);
	return 0;
}

int pvhdev_cfg_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                    unsigned size, uint32_t *val)
{
	if (PVHDEV__UNLIKELY(!cfg_access_ok(off, size))) {
		*val = (uint32_t)pvhdev__ones(size);
		return 0;
	}
	struct pvhdev_dev *dev = pvhdev__dev_cached(dom, sbdf);
	if (PVHDEV__UNLIKELY(!dev))
		return read_miss(dom, sbdf, off, size, val);
	return dev_read(dev, off, size, val);
}

int pvhdev_cfg_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                     unsigned size, uint32_t val)
{
	if (PVHDEV__UNLIKELY(!cfg_access_ok(off, size)))
		return 0;
	struct pvhdev_dev *dev = pvhdev__dev_cached(dom, sbdf);
	val &= bytes_mask(size);
	if (PVHDEV__UNLIKELY(!dev))
		return write_miss(dom, sbdf, off, size, val);
	return dev_write(dev, off, size, val);
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
