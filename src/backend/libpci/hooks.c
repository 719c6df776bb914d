/* SPDX-License-Identifier: MIT */
/*
 * The libpci backend's hooks: config reads and writes of this machine's
 * functions, with the shadow (a fake backend built from the snapshot)
 * in front of the hardware (libpci.c's header has the table):
 *
 *   read    bytes the domain wrote: the shadow's; the others: the
 *           hardware's, read live through libpci (under guard)
 *   write   the shadow's, and the bytes become "written"; with
 *           PVHDEV_LIBPCI_HW_WRITES the hardware's, except BAR and
 *           ROM registers
 *
 * Functions not in the snapshot read all-ones and drop writes.  The
 * ops table is last.
 */
#include "backend/libpci/libpci.h"

/* One config access handed through guarded(). */
struct lp_access {
	struct pvhdev_libpci *lp;
	size_t idx;      /* into devs / fn */
	unsigned reg;    /* bytes into config space */
	unsigned size;   /* bytes: 1, 2 or 4 */
	uint32_t val;
};

/* ---- Small helpers ---- */

static uint32_t ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Sizes 1, 2, 4, naturally aligned, inside 4 KiB of config space. */
static bool access_ok(unsigned reg, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && !(reg & (size - 1)) &&
	       reg < PVHDEV_CFG_EXP_SIZE && size <= PVHDEV_CFG_EXP_SIZE - reg;
}

/* Index of sbdf in devs, or -1.  Binary search: devs are sorted. */
static long fn_find(const struct pvhdev_libpci *lp, pvhdev_sbdf_t sbdf)
{
	size_t lo = 0, hi = lp->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lp->devs[mid].sbdf < sbdf)
			lo = mid + 1;
		else if (lp->devs[mid].sbdf > sbdf)
			hi = mid;
		else
			return (long)mid;
	}
	return -1;
}

/* ---- The hooks ---- */

/* A bit mask with 0xff for every byte of [reg, reg + size) the domain
 * wrote, i.e. that the shadow holds. */
static uint32_t written_mask(const struct lp_fn *fn, unsigned reg,
                             unsigned size)
{
	uint32_t m = 0;

	for (unsigned k = 0; k < size; k++)
		if (fn->written[(reg + k) / 8] >> ((reg + k) % 8) & 1)
			m |= 0xffu << (8 * k);
	return m;
}

static void written_set(struct lp_fn *fn, unsigned reg, unsigned size)
{
	for (unsigned k = 0; k < size; k++)
		fn->written[(reg + k) / 8] |= (uint8_t)(1u << ((reg + k) % 8));
}

/* Is reg in a BAR or ROM register (CardBus: its socket base)?  Those
 * writes stay in the shadow even with PVHDEV_LIBPCI_HW_WRITES: sizing
 * a BAR of a live machine under its driver's feet would break the
 * device, and the shadow sizes it from the kernel's sizes anyway. */
static bool is_bar_reg(const struct pvhdev_fake_dev *d, unsigned reg)
{
	const struct pvhdev__pci_layout *l = pvhdev__pci_layout(hdr_type(d));

	return (reg >= PVHDEV_PCI_BASE_ADDRESS_0 &&
	        reg < PVHDEV_PCI_BASE_ADDRESS(l->nr_base_regs)) ||
	       (l->rom && reg >= l->rom && reg < l->rom + 4u);
}

/* Runs guarded.  libpci reads all-ones where the read fails. */
static int hw_read(struct pvhdev_libpci *lp, void *arg)
{
	struct lp_access *a = arg;
	struct pci_dev *pd = lp->fn[a->idx].pd;

	if (a->size == 1)
		a->val = pci_read_byte(pd, (int)a->reg);
	else if (a->size == 2)
		a->val = pci_read_word(pd, (int)a->reg);
	else
		a->val = pci_read_long(pd, (int)a->reg);
	return 0;
}

/* Runs guarded. */
static int hw_write(struct pvhdev_libpci *lp, void *arg)
{
	struct lp_access *a = arg;
	struct pci_dev *pd = lp->fn[a->idx].pd;
	char name[PVHDEV_SBDF_STRLEN];
	int ok;

	if (a->size == 1)
		ok = pci_write_byte(pd, (int)a->reg, (u8)a->val);
	else if (a->size == 2)
		ok = pci_write_word(pd, (int)a->reg, (u16)a->val);
	else
		ok = pci_write_long(pd, (int)a->reg, a->val);
	if (!ok)
		return note(lp, -EIO, "%s: config write of %u bytes at %03x "
		            "failed", pvhdev_sbdf_str(lp->devs[a->idx].sbdf, name),
		            a->size, a->reg);
	lp->hw_writes++;
	return 0;
}

static int lp_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                       unsigned size, uint32_t *val)
{
	struct pvhdev_libpci *lp = ctx;
	struct lp_access a = { .lp = lp, .reg = reg, .size = size };
	uint32_t shadow = 0, mask;
	long idx;
	int rc;

	if (!lp || !val)
		return -EINVAL;
	*val = size == 1 || size == 2 || size == 4 ? ones(size) : 0xffffffffu;
	if ((idx = fn_find(lp, sbdf)) < 0 || !access_ok(reg, size))
		return 0;
	a.idx = (size_t)idx;
	mask = written_mask(&lp->fn[idx], reg, size);
	if (mask != ones(size) && (rc = guarded(lp, hw_read, &a)))
		return rc;
	if (mask && (rc = pvhdev_fake_ops.cfg_read(lp->fake, sbdf, reg, size,
	                                           &shadow)))
		return rc;
	*val = (a.val & ~mask) | (shadow & mask);
	return 0;
}

/* Where a write of reg goes: the hardware, or (false) the shadow. */
static bool to_hw(const struct pvhdev_libpci *lp, size_t idx, unsigned reg)
{
	return (lp->flags & PVHDEV_LIBPCI_HW_WRITES) && !is_bar_reg(&lp->devs[idx], reg);
}

bool pvhdev_libpci_shadowed(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size)
{
	const struct pvhdev_libpci *lp = ctx;
	long idx;

	if (!lp || (idx = fn_find(lp, sbdf)) < 0 || !access_ok(reg, size))
		return true;
	return !to_hw(lp, (size_t)idx, reg);
}

static int lp_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                        unsigned size, uint32_t val)
{
	struct pvhdev_libpci *lp = ctx;
	struct lp_access a = { .lp = lp, .reg = reg, .size = size, .val = val };
	long idx;
	int rc;

	if (!lp)
		return -EINVAL;
	if ((idx = fn_find(lp, sbdf)) < 0 || !access_ok(reg, size))
		return 0; /* nothing there: the write is dropped */
	a.idx = (size_t)idx;
	if (to_hw(lp, (size_t)idx, reg))
		return guarded(lp, hw_write, &a);
	rc = pvhdev_fake_ops.cfg_write(lp->fake, sbdf, reg, size, val);
	if (!rc)
		written_set(&lp->fn[idx], reg, size);
	return rc;
}

static int lp_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	struct pvhdev_libpci *lp = ctx;

	if (!lp || !fn)
		return -EINVAL;
	for (size_t i = 0; i < lp->nr; i++) {
		int rc = fn(arg, lp->devs[i].sbdf);

		if (rc)
			return rc;
	}
	return 0;
}

/* Device memory is never touched: without mmio hooks pvhdev reads
 * all-ones and drops writes.  (Mapping sysfs resourceN files for
 * PVHDEV_LIBPCI_HW_WRITES is not done.)  close is NULL: the handle
 * belongs to whoever opened it. */
const struct pvhdev_backend_ops pvhdev_libpci_ops = {
	.name = "libpci",
	.cfg_read = lp_cfg_read,
	.cfg_write = lp_cfg_write,
	.mmio_read = NULL,
	.mmio_write = NULL,
	.enumerate = lp_enumerate,
	.close = NULL,
};
