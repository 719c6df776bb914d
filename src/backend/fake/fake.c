/* SPDX-License-Identifier: MIT */
/*
 * The fake backend: PCI functions in memory that answer like hardware.
 *
 * Each function keeps three parallel byte arrays over its config space
 * (256 bytes, or 4096 when the table gave more than 256):
 *
 *   val    what a read returns
 *   rw     bits software sets and clears
 *   rw1c   bits software clears by writing 1; hardware sets them
 *          (pvhdev_fake_set_bits)
 *
 * A bit in neither mask is read-only.  A write of v to one byte does
 *
 *   val = (val & ~rw) | (v & rw);   then   val &= ~(v & rw1c);
 *
 * and touches only the bytes the access covers.  BAR sizing needs no
 * special case: the address bits below the size are read-only, so
 * writing all-ones reads back ~(size - 1) | flag bits.
 *
 * Memory BARs and the expansion ROM are backed by RAM for MMIO.  A
 * window decodes at the address its BAR register holds now, while
 * command bit 1 (memory space) is set and, for the ROM, its enable bit.
 *
 * Config lookups are a binary search over the table sorted by SBDF;
 * MMIO lookups scan every window: the fake is a test double.
 *
 * A function may be absent (plugged later, or unplugged): it keeps its
 * place in the table but reads as a missing function does (all-ones,
 * writes dropped, not enumerated, no windows).  Plugging it gives it
 * back its initial bytes (a fourth array, init) and tells the PCIe port
 * above it (port_update in life.c).
 *
 * This file has the backend hooks (config and MMIO access, enumeration),
 * the lookups behind them, the test controls and the ops table; the
 * rest is in the files fake.h lists.
 */
#include "backend/fake/fake.h"

/* ---- Small helpers ---- */

/* What a bad access reads: all-ones of its size, or of 64 bits. */
static uint64_t all_ones(unsigned size)
{
	return pvhdev__access_ok(0, size, 1) ? pvhdev__ones(size) : ~(uint64_t)0;
}

/* Does [off, off + size) lie in fn's config space?  Written so that a
 * huge off cannot wrap. */
static bool cfg_fits(const struct fake_fn *fn, unsigned off, unsigned size)
{
	return pvhdev__access_ok(off, size, 0) && off < fn->cfg_size &&
	       size <= fn->cfg_size - off;
}

/* ---- Lookups ---- */

struct fake_fn *fn_find(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf)
{
	size_t lo = 0, hi = fk->nr_fn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fk->fn[mid].sbdf < sbdf)
			lo = mid + 1;
		else if (fk->fn[mid].sbdf > sbdf)
			hi = mid;
		else
			return &fk->fn[mid];
	}
	return NULL;
}

/* The function at sbdf if it is present now. */
struct fake_fn *fn_live(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf)
{
	struct fake_fn *fn = fn_find(fk, sbdf);

	return fn && !fn->absent ? fn : NULL;
}

/* The bus address a window decodes: the BAR's bits above its size. */
static uint64_t win_base(const struct fake_fn *fn, const struct fake_win *w)
{
	uint64_t bar = cfg_get(fn, w->reg, 4);

	if (w->is64)
		bar |= (uint64_t)cfg_get(fn, w->reg + 4, 4) << 32;
	return bar & ~(w->size - 1);
}

/* The window that decodes addr now, and addr's offset in it.  Windows
 * may overlap (two BARs at one address): the first in SBDF order wins. */
static const struct fake_win *win_find(const struct pvhdev_fake *fk,
                                       uint64_t addr, uint64_t *off)
{
	for (size_t i = 0; i < fk->nr_fn; i++) {
		const struct fake_fn *fn = &fk->fn[i];

		if (fn->absent || !(fn->val[PVHDEV_PCI_COMMAND] & FAKE_CMD_MEM))
			continue;
		for (unsigned j = 0; j < FAKE_NR_WIN; j++) {
			const struct fake_win *w = &fn->win[j];

			if (!w->size || (w->rom && !(fn->val[w->reg] & FAKE_ROM_ENABLE)))
				continue;
			/* Bases are aligned to the size, so addr below the
			 * base wraps to at least the size. */
			*off = addr - win_base(fn, w);
			if (*off < w->size)
				return w;
		}
	}
	return vf_win_find(fk, addr, off);
}

/* ---- The hooks ---- */

/* Counts a hook call; returns the injected error when it is this one. */
static int fake_tick(struct pvhdev_fake *fk)
{
	fk->calls++;
	if (fk->fail_call && fk->calls == fk->fail_call) {
		fk->fail_call = 0;
		return fk->fail_err;
	}
	return 0;
}

static int fake_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                         unsigned size, uint32_t *val)
{
	struct pvhdev_fake *fk = ctx;
	const struct fake_fn *fn;
	int rc;

	if (!fk || !val)
		return -EINVAL;
	*val = (uint32_t)all_ones(size);
	rc = fake_tick(fk);
	if (rc)
		return rc;
	fn = fn_live(fk, sbdf);
	if (!fn)
		fn = vf_find(fk, sbdf);
	if (fn && cfg_fits(fn, reg, size))
		*val = cfg_get(fn, reg, size);
	return 0;
}

/* The write's bytes through the masks: RW bits take val, RW1C bits
 * written 1 clear, the rest stay. */
static void store(struct fake_fn *fn, unsigned reg, unsigned size, uint32_t val)
{
	for (unsigned k = 0; k < size; k++) {
		uint8_t v = (uint8_t)(val >> (8 * k));
		uint8_t rw = fn->rw[reg + k], rw1c = fn->rw1c[reg + k];
		uint8_t b = (uint8_t)((fn->val[reg + k] & ~rw) | (v & rw));

		fn->val[reg + k] = (uint8_t)(b & ~(v & rw1c));
	}
}

/* A write that reaches a register whose writes reset the function, or
 * SR-IOV control: what it asks is read before it lands (life.c, vf.c). */
static __attribute__((noinline)) int write_watched(struct pvhdev_fake *fk,
                                                   struct fake_fn *fn, unsigned reg,
                                                   unsigned size, uint32_t val)
{
	enum fake_reset_kind reset = fn_trigger(fn, reg, size, val);
	unsigned ctrl = fn->sriov + FAKE_SRIOV_CTRL;
	bool iov = fn->sriov && reg < ctrl + 2 && reg + size > ctrl, vfe = iov && vfs_on(fn);

	store(fn, reg, size, val);
	if (reset)
		return fake_reset(fk, fn, reset);
	if (iov)
		return vfs_update(fk, fn, vfe);
	return 0;
}

static int fake_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                          unsigned size, uint32_t val)
{
	struct pvhdev_fake *fk = ctx;
	struct fake_fn *fn;
	int rc;

	if (!fk)
		return -EINVAL;
	rc = fake_tick(fk);
	if (rc)
		return rc;
	fn = fn_live(fk, sbdf);
	if (!fn)
		fn = vf_find(fk, sbdf);
	if (!fn || !cfg_fits(fn, reg, size))
		return 0;
	if (__builtin_expect(reg < fn->trig_hi && reg + size > fn->trig_lo, 0))
		return write_watched(fk, fn, reg, size, val);
	store(fn, reg, size, val);
	return 0;
}

static int fake_mmio_read(void *ctx, uint64_t addr, unsigned size,
                          uint64_t *val)
{
	struct pvhdev_fake *fk = ctx;
	const struct fake_win *w;
	uint64_t off, v = 0;
	int rc;

	if (!fk || !val)
		return -EINVAL;
	*val = all_ones(size);
	rc = fake_tick(fk);
	if (rc)
		return rc;
	if (!pvhdev__access_ok(addr, size, 1) || !(w = win_find(fk, addr, &off)))
		return 0;
	/* Past the RAM the window reads 0. */
	for (unsigned k = size; k-- > 0;)
		v = v << 8 | (off + k < w->backed ? w->buf[off + k] : 0);
	*val = v;
	return 0;
}

/* Writes land in the RAM behind the window, the ROM's included: the
 * fake has no other way to give a ROM contents. */
static int fake_mmio_write(void *ctx, uint64_t addr, unsigned size,
                           uint64_t val)
{
	struct pvhdev_fake *fk = ctx;
	const struct fake_win *w;
	uint64_t off;
	int rc;

	if (!fk)
		return -EINVAL;
	rc = fake_tick(fk);
	if (rc)
		return rc;
	if (!pvhdev__access_ok(addr, size, 1) || !(w = win_find(fk, addr, &off)))
		return 0;
	for (unsigned k = 0; k < size && off + k < w->backed; k++)
		w->buf[off + k] = (uint8_t)(val >> (8 * k));
	return 0;
}

static int fake_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	struct pvhdev_fake *fk = ctx;
	int rc;

	if (!fk || !fn)
		return -EINVAL;
	rc = fake_tick(fk);
	if (rc)
		return rc;
	for (size_t i = 0; i < fk->nr_fn; i++) {
		if (fk->fn[i].absent)
			continue;
		rc = fn(arg, fk->fn[i].sbdf);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- Test controls ---- */

int pvhdev_fake_set_bits(struct pvhdev_fake *fake, pvhdev_sbdf_t sbdf,
                         unsigned off, unsigned size, uint32_t bits)
{
	struct fake_fn *fn;

	if (!fake)
		return -EINVAL;
	fn = fn_live(fake, sbdf);
	if (!fn)
		fn = vf_find(fake, sbdf);
	if (!fn)
		return -ENODEV;
	if (!cfg_fits(fn, off, size))
		return -EINVAL;
	for (unsigned k = 0; k < size; k++)
		fn->val[off + k] |= (uint8_t)(bits >> (8 * k));
	return 0;
}

/* n == 0 disarms.  One call fails, then calls succeed again.  A
 * non-negative err would make the failure invisible: it becomes -EIO. */
void pvhdev_fake_fail_at(struct pvhdev_fake *fake, unsigned long n, int err)
{
	if (!fake)
		return;
	fake->fail_call = n ? fake->calls + n : 0;
	fake->fail_err = err < 0 ? err : -EIO;
}

unsigned long pvhdev_fake_calls(const struct pvhdev_fake *fake)
{
	return fake ? fake->calls : 0;
}

/* close is NULL: the fake belongs to whoever made it with
 * pvhdev_fake_new(), who frees it with pvhdev_fake_free() after the
 * domain is gone. */
const struct pvhdev_backend_ops pvhdev_fake_ops = {
	.name = "fake",
	.cfg_read = fake_cfg_read,
	.cfg_write = fake_cfg_write,
	.mmio_read = fake_mmio_read,
	.mmio_write = fake_mmio_write,
	.enumerate = fake_enumerate,
	.close = NULL,
};
