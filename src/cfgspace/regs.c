/* SPDX-License-Identifier: MIT */
/*
 * The per-device register table and the config-space dispatcher.
 *
 * Lookup is a flat per-device index: one entry per config-space byte
 * holding the id of the register that covers it (0: none) and how many
 * bytes from there to the end of its dword carry the same id (its run).
 * The index lives in 256-byte pages; a page without registers points at
 * a shared read-only page that says "no register" everywhere, so a
 * lookup is two loads and never a walk, whatever the number of
 * registers.
 *
 *   idx[off >> 8][off & 0xff] = id << 8 | run;   id -> regs[id - 1]
 *
 *   dword 0x04:  byte   4    5    6    7      command (id 1), status (id 2)
 *                id     1    1    2    2
 *                run    2    1    2    1
 *
 * An access is naturally aligned, so it lies inside one dword, and the
 * entry of its first byte classifies it: when run >= size the access
 * lies in one register (read or written through its handler) or in one
 * gap (straight to the hardware).  Anything else is split along
 * register boundaries: each register is read or written whole by its
 * handler (partial writes are merged with the current value here), gaps
 * go to the hardware in naturally aligned pieces, and the bytes are
 * merged back.  Masks are enforced here and nowhere else.
 */
#include "cfgspace/cfgspace.h"

/* Keeps the rare paths out of the access path's registers. */
#define NOINLINE __attribute__((noinline))
#define COLD __attribute__((noinline, cold))

#define ENTRY(id, run) ((uint16_t)((id) << 8 | (run)))
#define ENTRY_ID(e) ((unsigned)(e) >> 8)
#define ENTRY_RUN(e) ((unsigned)(e) & 0xff)

/* A page without registers: every byte a gap, running to its dword's end. */
#define GAP4 4, 3, 2, 1
#define GAP16 GAP4, GAP4, GAP4, GAP4
#define GAP64 GAP16, GAP16, GAP16, GAP16
static const uint16_t gap_page[256] = { GAP64, GAP64, GAP64, GAP64 };

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

enum pvhdev_verdict pvhdev__read_zero(struct pvhdev_dev *dev,
                                      const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	(void)reg;
	*val = 0;
	return PVHDEV_DONE;
}

enum pvhdev_verdict pvhdev__write_absorb(struct pvhdev_dev *dev,
                                         const struct pvhdev_reg *reg, uint32_t val)
{
	(void)dev;
	(void)reg;
	(void)val;
	return PVHDEV_DONE;
}

static inline unsigned idx_at(const struct pvhdev_dev *dev, unsigned off)
{
	return ENTRY_ID(dev->idx[off >> 8][off & 0xff]);
}

/*
 * By access size 0..4: the bits of the offset that must be clear (an
 * invalid size has them all; see cfg_access_ok) and the all-ones of that
 * many bytes.  One table, so the access path loads its address once.
 */
static const struct {
	uint32_t clear, ones;
} sizes[5] = {
	{ ~0u, 0 },
	{ ~0xfffu, 0xff },
	{ ~0xffeu, 0xffff },
	{ ~0u, 0xffffff },
	{ ~0xffcu, 0xffffffff },
};

/* All-ones of n bytes, n = 1..4. */
static inline uint32_t bytes_mask(unsigned n)
{
	return sizes[n].ones;
}

/* Register id (1..nr_regs) -> its record. */
static inline struct pvhdev_reg *reg_of(const struct pvhdev_dev *dev, unsigned id)
{
	return &dev->regs[id - 1];
}

void pvhdev__regs_init(struct pvhdev_dev *dev)
{
	for (unsigned i = 0; i < PVHDEV__IDX_PAGES; i++)
		dev->idx[i] = gap_page;
	dev->regs = NULL;
	dev->nr_regs = 0;
	dev->cap_regs = 0;
}

void pvhdev__regs_free(struct pvhdev_dev *dev)
{
	for (unsigned i = 0; i < PVHDEV__IDX_PAGES; i++)
		if (dev->idx[i] != gap_page)
			pvhdev__free(dev->dom, (void *)dev->idx[i], sizeof(gap_page));
	pvhdev__free(dev->dom, dev->regs, dev->cap_regs * sizeof(*dev->regs));
	pvhdev__regs_init(dev);
}

static int reg_check(const struct pvhdev_reg *r)
{
	uint32_t ro = r->ro_mask, rw1c = r->rw1c_mask;
	uint32_t rsvdp = r->rsvdp_mask, rsvdz = r->rsvdz_mask;

	if (!pvhdev__access_ok(r->off, r->size, 0) ||
	    r->off + r->size > PVHDEV_CFG_EXP_SIZE)
		return -EINVAL;
	if ((ro | rw1c | rsvdp | rsvdz) & ~bytes_mask(r->size))
		return -EINVAL;
	if ((ro & rw1c) | ((ro | rw1c) & rsvdp) | ((ro | rw1c | rsvdp) & rsvdz))
		return -EINVAL;
	return 0;
}

/* Resizes the register array to cap records. */
static int regs_resize(struct pvhdev_dev *dev, unsigned cap)
{
	struct pvhdev_reg *regs = pvhdev__zalloc(dev->dom, cap * sizeof(*regs));

	if (!regs)
		return -ENOMEM;
	if (dev->nr_regs)
		memcpy(regs, dev->regs, dev->nr_regs * sizeof(*regs));
	pvhdev__free(dev->dom, dev->regs, dev->cap_regs * sizeof(*regs));
	dev->regs = regs;
	dev->cap_regs = cap;
	return 0;
}

/* Makes room for one more register and the index page of off. */
static int reg_room(struct pvhdev_dev *dev, unsigned off)
{
	unsigned page = off >> 8;

	if (dev->idx[page] == gap_page) {
		uint16_t *p = pvhdev__zalloc(dev->dom, sizeof(gap_page));
		if (!p)
			return -ENOMEM;
		memcpy(p, gap_page, sizeof(gap_page));
		dev->idx[page] = p;
	}
	if (dev->nr_regs < dev->cap_regs)
		return 0;
	/* Room for what the modules usually add (header, six BARs, MSI,
	 * MSI-X: about 20); device add trims it. */
	unsigned cap = dev->cap_regs ? dev->cap_regs * 2 : 32;
	return regs_resize(dev, cap < PVHDEV_MAX_REGS ? cap : PVHDEV_MAX_REGS);
}

/* Device add is over: the register array gives back what doubling left
 * unused (with 65,536 functions, that is tens of MiB). */
void pvhdev__regs_trim(struct pvhdev_dev *dev)
{
	if (dev->nr_regs < dev->cap_regs)
		regs_resize(dev, dev->nr_regs); /* on -ENOMEM, keep the spare room */
}

/* Gives bytes [off, off + size) to register id (0: none), then redoes
 * the runs of their dword (a register never leaves its dword). */
static void idx_set(struct pvhdev_dev *dev, unsigned off, unsigned size,
                    unsigned id)
{
	uint16_t *dw = (uint16_t *)dev->idx[off >> 8] + (off & 0xfc);
	unsigned a, b, c, d;

	for (unsigned i = 0; i < size; i++)
		dw[(off & 3) + i] = ENTRY(id, 0);
	a = ENTRY_ID(dw[0]), b = ENTRY_ID(dw[1]), c = ENTRY_ID(dw[2]), d = ENTRY_ID(dw[3]);
	unsigned r3 = 1, r2 = c == d ? r3 + 1 : 1, r1 = b == c ? r2 + 1 : 1,
	         r0 = a == b ? r1 + 1 : 1;
	dw[0] = ENTRY(a, r0), dw[1] = ENTRY(b, r1);
	dw[2] = ENTRY(c, r2), dw[3] = ENTRY(d, r3);
}

int pvhdev_reg_add(struct pvhdev_dev *dev, const struct pvhdev_reg *reg)
{
	int rc = reg_check(reg);

	if (rc)
		return rc;
	if (dev->hidden)
		return -EPERM;
	/* Free bytes are a gap whose run covers the register. */
	unsigned e = dev->idx[reg->off >> 8][reg->off & 0xff];
	if (ENTRY_ID(e) || ENTRY_RUN(e) < reg->size)
		return -EEXIST;
	if (dev->nr_regs >= PVHDEV_MAX_REGS)
		return -ENOSPC;
	if ((rc = reg_room(dev, reg->off)))
		return rc;
	struct pvhdev_reg *r = reg_of(dev, ++dev->nr_regs);
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

	if (!id || reg_of(dev, id)->off != off || reg_of(dev, id)->size != size)
		return -ENOENT;
	idx_set(dev, off, size, 0);
	if (id != dev->nr_regs) {
		/* Keep ids dense: the last register takes the hole. */
		*reg_of(dev, id) = *reg_of(dev, dev->nr_regs);
		idx_set(dev, reg_of(dev, id)->off, reg_of(dev, id)->size, id);
	}
	dev->nr_regs--;
	return 0;
}

/* Xen vPCI's vpci_remove_registers(): every register inside [off,
 * off + size) goes; one that straddles an end leaves all in place.
 * Downwards, so that the last register, moved into a hole, has been
 * looked at already. */
int pvhdev_reg_remove_range(struct pvhdev_dev *dev, unsigned off, unsigned size)
{
	if (!dev || off > PVHDEV_CFG_EXP_SIZE || size > PVHDEV_CFG_EXP_SIZE - off)
		return -EINVAL;
	for (unsigned id = 1; id <= dev->nr_regs; id++) {
		const struct pvhdev_reg *r = reg_of(dev, id);
		bool overlaps = r->off < off + size && off < r->off + r->size;
		if (overlaps && (r->off < off || r->off + r->size > off + size))
			return -ERANGE;
	}
	for (unsigned id = dev->nr_regs; id >= 1; id--) {
		const struct pvhdev_reg *r = reg_of(dev, id);
		if (r->off >= off && r->off + r->size <= off + size)
			pvhdev_reg_remove(dev, r->off, r->size);
	}
	return 0;
}

/* Emulated registers must show the hardware's read-only bits. */
int pvhdev__regs_check(struct pvhdev_dev *dev, char *msg, size_t len)
{
	for (unsigned id = 1; id <= dev->nr_regs; id++) {
		const struct pvhdev_reg *r = reg_of(dev, id);
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
 * The entry points validate, find the device and classify the access;
 * each kind of access (one register, one gap, split) is a function of
 * its own that they tail-call (why: docs/performance.md, "Code
 * generation").  Accesses reaching the hardware from here are valid
 * already: they skip pvhdev__hw_cfg_*'s checks.
 */

/* The backend, with nothing left to do once it returns: *val is
 * all-ones before a read, which a backend that fails leaves so
 * (backend.h), and a write's hw-write event is in its ring slot before
 * the write. */
static inline int hw_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                          unsigned off, unsigned size, uint32_t *val)
{
	*val = bytes_mask(size);
	return dom->be->cfg_read(dom->be_ctx, sbdf, off, size, val);
}

/* The event's slot is filled: take it the slow way (hook, wrap), then
 * write. */
static COLD int hw_write_slow(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                              unsigned off, unsigned size, uint32_t val)
{
	pvhdev__ev_slow(dom);
	return dom->be->cfg_write(dom->be_ctx, sbdf, off, size, val);
}

static inline int hw_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                           unsigned off, unsigned size, uint32_t val)
{
	if (PVHDEV__UNLIKELY(!pvhdev__ev_hw(dom, PVHDEV_EV_HW_WRITE, sbdf, off, size, val)))
		return hw_write_slow(dom, sbdf, off, size, val);
	return dom->be->cfg_write(dom->be_ctx, sbdf, off, size, val);
}

/* What the guest reads of register r, given its raw value: reserved
 * bits read 0.  (Bytes outside the register never reach the guest: the
 * callers keep only the bytes of the access.) */
static inline uint32_t reg_view(const struct pvhdev_reg *r, uint32_t raw)
{
	return raw & ~(r->rsvdp_mask | r->rsvdz_mask);
}

/* The register's value (in *val, raw from the handler) once the handler
 * said vd; the error of a failed hardware read, with *val all-ones. */
static inline int reg_verdict(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                              enum pvhdev_verdict vd, uint32_t *val)
{
	int rc;

	if (vd == PVHDEV_DONE) {
		*val = reg_view(r, *val);
		return 0;
	}
	if (vd == PVHDEV_PASS) {
		rc = hw_read(dev->dom, dev->sbdf, r->off, r->size, val);
		if (!rc)
			*val = reg_view(r, *val);
		return rc;
	}
	*val = bytes_mask(r->size);
	return 0;
}

/* A register read whose handler did not answer itself (PASS, REJECT). */
static COLD int reg_read_slow(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                              enum pvhdev_verdict vd, unsigned off,
                              unsigned size, uint32_t *val)
{
	uint32_t v = 0;
	int rc = reg_verdict(dev, r, vd, &v);

	*val = rc ? bytes_mask(size) : (v >> 8 * (off - r->off)) & bytes_mask(size);
	return rc;
}

/* Bytes [off, off + size) of register r, which holds them all.  The
 * handler answers in *val itself. */
static NOINLINE int reg_read(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                             unsigned off, unsigned size, uint32_t *val)
{
	*val = 0;
	enum pvhdev_verdict vd = r->read(dev, r, val);

	if (PVHDEV__UNLIKELY(vd != PVHDEV_DONE))
		return reg_read_slow(dev, r, vd, off, size, val);
	*val = (reg_view(r, *val) >> 8 * (off - r->off)) & bytes_mask(size);
	return 0;
}

/* Hands register r its new value v; what the handler passes goes to
 * the hardware. */
static inline int reg_store(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                            uint32_t v)
{
	if (r->write(dev, r, v) == PVHDEV_PASS)
		return hw_write(dev->dom, dev->sbdf, r->off, r->size, v);
	return 0;
}

/* A write of bytes [off, off + n) of register r (val aligned to the
 * access) that must merge with the register's current value: for the
 * bytes dom0 did not write and the bits it may not change.  The current
 * value comes from the handler with RW1C bits cleared, so that writing
 * it back clears nothing; a register that rejects reads contributes
 * zeros. */
static NOINLINE int reg_write_merge(struct pvhdev_dev *dev,
                                    const struct pvhdev_reg *r, unsigned off,
                                    unsigned n, uint32_t val)
{
	unsigned shift = 8 * (off - r->off);
	uint32_t wmask = bytes_mask(n) << shift;
	uint32_t keep = r->ro_mask | r->rsvdp_mask;
	uint32_t cur = 0;
	int rc = 0;

	switch (r->read(dev, r, &cur)) {
	case PVHDEV_DONE:
		break;
	case PVHDEV_PASS:
		rc = hw_read(dev->dom, dev->sbdf, r->off, r->size, &cur);
		break;
	default:
		cur = 0;
	}
	if (rc)
		return rc;
	cur &= ~r->rw1c_mask;
	uint32_t v = (cur & ~wmask) | ((val << shift) & wmask);
	v = ((v & ~(keep | r->rsvdz_mask)) | (cur & keep)) & bytes_mask(r->size);
	return reg_store(dev, r, v);
}

/* A write of bytes [off, off + n) of register r, which holds them all.
 * A write of the whole register with no bit to keep needs no merge:
 * what the guest wrote, reserved-zero bits cleared. */
static NOINLINE int reg_write(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                              unsigned off, unsigned n, uint32_t val)
{
	if (PVHDEV__UNLIKELY(n != r->size || (r->ro_mask | r->rsvdp_mask)))
		return reg_write_merge(dev, r, off, n, val);
	return reg_store(dev, r, val & ~r->rsvdz_mask);
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

/* An access over several registers, or registers and gaps, in pieces:
 * each register's bytes through its handler (which reads or writes it
 * whole), each gap's to the hardware in naturally aligned pieces. */
static NOINLINE int split_read(struct pvhdev_dev *dev, unsigned off,
                               unsigned size, uint32_t *val)
{
	const uint16_t *page = dev->idx[off >> 8];
	uint32_t out = 0;
	int rc = 0;

	for (unsigned pos = 0, n; pos < size && !rc; pos += n) {
		unsigned at = off + pos, e = page[at & 0xff];
		uint32_t v = 0;
		n = ENTRY_RUN(e) < size - pos ? ENTRY_RUN(e) : size - pos;
		if (ENTRY_ID(e)) {
			const struct pvhdev_reg *r = reg_of(dev, ENTRY_ID(e));
			rc = reg_verdict(dev, r, r->read(dev, r, &v), &v);
			v >>= 8 * (at - r->off);
		} else {
			n = chunk(at, n);
			rc = hw_read(dev->dom, dev->sbdf, at, n, &v);
		}
		out |= (v & bytes_mask(n)) << 8 * pos;
	}
	*val = rc ? bytes_mask(size) : out;
	return rc;
}

static NOINLINE int split_write(struct pvhdev_dev *dev, unsigned off,
                                unsigned size, uint32_t val)
{
	const uint16_t *page = dev->idx[off >> 8];
	int rc = 0;

	for (unsigned pos = 0, n; pos < size && !rc; pos += n) {
		unsigned at = off + pos, e = page[at & 0xff];
		uint32_t part = val >> 8 * pos;
		n = ENTRY_RUN(e) < size - pos ? ENTRY_RUN(e) : size - pos;
		if (ENTRY_ID(e)) {
			rc = reg_write(dev, reg_of(dev, ENTRY_ID(e)), at, n,
			               part & bytes_mask(n));
		} else {
			n = chunk(at, n);
			rc = hw_write(dev->dom, dev->sbdf, at, n, part & bytes_mask(n));
		}
	}
	return rc;
}

/* A well-formed config access: 1, 2 or 4 bytes, naturally aligned,
 * inside the 4 KiB of extended config space.  One load and one test
 * once size is known to index the table: bit 2 is clear in every
 * valid size's mask and set in off | 4, so an invalid size fails even
 * at offset 0. */
static inline bool cfg_access_ok(unsigned off, unsigned size)
{
	return size <= 4 && !((off | 4) & sizes[size].clear);
}

/* The access once dev is known (dom and sbdf are its own).  A read
 * reaches a gap through dev's own dom and sbdf, a write through the
 * entry point's (docs/performance.md, "Code generation"). */
static inline int dev_read(struct pvhdev_dev *dev, unsigned off, unsigned size,
                           uint32_t *val)
{
	unsigned e = dev->idx[off >> 8][off & 0xff];

	if (PVHDEV__UNLIKELY((uint8_t)e < size))
		return split_read(dev, off, size, val);
	if (!ENTRY_ID(e))
		return hw_read(dev->dom, dev->sbdf, off, size, val);
	return reg_read(dev, reg_of(dev, ENTRY_ID(e)), off, size, val);
}

static inline int dev_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                            struct pvhdev_dev *dev, unsigned off, unsigned size,
                            uint32_t val)
{
	unsigned e = dev->idx[off >> 8][off & 0xff];

	if (PVHDEV__UNLIKELY((uint8_t)e < size))
		return split_write(dev, off, size, val);
	if (!ENTRY_ID(e))
		return hw_write(dom, sbdf, off, size, val);
	return reg_write(dev, reg_of(dev, ENTRY_ID(e)), off, size, val);
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
		return dev_write(dom, sbdf, dev, off, size, val);
	if (!pvhdev__dev_lookup(dom, sbdf))
		return pvhdev__cfg_write_unknown(dom, sbdf, off, size, val);
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
	return dev_write(dom, sbdf, dev, off, size, val);
}

int pvhdev_dev_hw_read(struct pvhdev_dev *dev, unsigned off, unsigned size,
                       uint32_t *val)
{
	if (PVHDEV__UNLIKELY(!cfg_access_ok(off, size))) {
		*val = (uint32_t)pvhdev__ones(size);
		return 0;
	}
	return hw_read(dev->dom, dev->sbdf, off, size, val);
}

int pvhdev_dev_hw_write(struct pvhdev_dev *dev, unsigned off, unsigned size,
                        uint32_t val)
{
	if (PVHDEV__UNLIKELY(!cfg_access_ok(off, size)))
		return 0;
	return hw_write(dev->dom, dev->sbdf, off, size, val);
}
