/* SPDX-License-Identifier: MIT */
/*
 * The fake backend's creation: pvhdev_fake_new() checks the device
 * table (config bytes, masks, BAR, ROM and VF BAR sizes as the BAR
 * types allow them), lays every function's four arrays (val, rw, rw1c,
 * init) out in one allocation, gives each its masks (masks.c) and the
 * RAM behind its windows, with MSI-X entries masked as after reset,
 * sorts the functions by SBDF (a duplicate is -EEXIST) and builds the
 * VFs that the table's bytes left enabled (vf.c).  pvhdev_fake_free()
 * undoes it all; so does a failure part way, through the same path.
 */
#include "backend/fake/fake.h"

#define FAKE_MMIO_DEFAULT 0x10000u /* bytes backed when mmio_backed is 0 */

/* ---- Checks ---- */

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static bool bar_size_ok(uint8_t kind, uint64_t size)
{
	switch (kind) {
	case FAKE_BAR_IO:
		return !pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_IO, size);
	case FAKE_BAR_MEM32:
		return !pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_MEM32, size);
	case FAKE_BAR_MEM64:
		return !pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_MEM64, size);
	case FAKE_BAR_HIGH:
		return false; /* the size belongs in the low slot */
	default:
		return is_pow2(size); /* ignored: 64-bit in the last slot */
	}
}

/* -EINVAL unless BAR and ROM sizes fit the header and the BAR types. */
static int dev_check_bars(const struct pvhdev_fake_dev *d)
{
	const struct pvhdev__pci_layout *h = hdr_of(src_hdr_type(d));
	uint8_t kind[FAKE_NR_BARS];

	bar_kinds(d, kind);
	for (unsigned i = 0; i < FAKE_NR_BARS; i++) {
		if (!d->bar_size[i])
			continue;
		if (i >= h->nr_bars || !bar_size_ok(kind[i], d->bar_size[i]))
			return -EINVAL;
	}
	if (!d->rom_size)
		return 0;
	if (!h->rom || pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_ROM, d->rom_size))
		return -EINVAL;
	return 0;
}

static int dev_check(const struct pvhdev_fake_dev *d)
{
	if (d->cfg_len > PVHDEV_CFG_EXP_SIZE || (d->cfg_len && !d->cfg))
		return -EINVAL;
	if ((d->nr_masks && !d->masks) || (d->vf_cfg_len && !d->vf_cfg) ||
	    d->vf_cfg_len > PVHDEV_CFG_EXP_SIZE)
		return -EINVAL;
	for (unsigned i = 0; i < 6; i++)
		if (d->vf_bar_size[i] &&
		    pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_MEM64, d->vf_bar_size[i]))
			return -EINVAL;
	for (size_t i = 0; i < d->nr_masks; i++) {
		const struct pvhdev_fake_mask *m = &d->masks[i];

		if (!pvhdev__access_ok(m->off, m->size, 0) ||
		    m->off + m->size > PVHDEV_CFG_EXP_SIZE)
			return -EINVAL;
	}
	return dev_check_bars(d);
}

static unsigned dev_cfg_size(const struct pvhdev_fake_dev *d)
{
	return d->cfg_len > PVHDEV_CFG_SIZE ? PVHDEV_CFG_EXP_SIZE : PVHDEV_CFG_SIZE;
}

static int args_check(const struct pvhdev_alloc_ops *alloc,
                      const struct pvhdev_fake_dev *devs, size_t nr)
{
	if (!alloc || !alloc->alloc || !alloc->free || (nr && !devs))
		return -EINVAL;
	/* Bounds every size computed below: no overflow. */
	if (nr > SIZE_MAX / (sizeof(struct fake_fn) + FAKE_NR_ARRAYS * PVHDEV_CFG_EXP_SIZE))
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		int rc = dev_check(&devs[i]);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---- Memory ---- */

void *fake_zalloc(struct pvhdev_fake *fk, size_t size, size_t align)
{
	void *p = fk->alloc->alloc(fk->alloc_ctx, size, align);

	if (p)
		memset(p, 0, size);
	return p;
}

/* RAM behind a window: mmio_backed bytes (0: up to 64 KiB), at most
 * the window's size. */
int win_alloc(struct pvhdev_fake *fk, struct fake_win *w, uint32_t backed)
{
	uint64_t n = backed ? backed : FAKE_MMIO_DEFAULT;

	if (!w->size)
		return 0;
	if (n > w->size)
		n = w->size;
	w->buf = fake_zalloc(fk, (size_t)n, _Alignof(uint64_t));
	if (!w->buf)
		return -ENOMEM;
	w->backed = (uint32_t)n;
	return 0;
}

void wins_free(struct pvhdev_fake *fk, struct fake_fn *fn)
{
	for (unsigned j = 0; j < FAKE_NR_WIN; j++)
		if (fn->win[j].buf) {
			fk->alloc->free(fk->alloc_ctx, fn->win[j].buf, fn->win[j].backed);
			fn->win[j].buf = NULL;
		}
}

/*
 * MSI-X table memory as hardware has it after reset (PCI Local Bus 3.0,
 * 6.8.2.9): every entry's vector control Mask bit set.  Only what lies in
 * the RAM behind the table's BAR: the rest reads 0 anyway.
 */
void msix_table_reset(struct fake_fn *fn, const struct pvhdev__pci_layout *h)
{
	unsigned at[FAKE_CAP_HOPS], n = cap_offsets(fn, h, at);

	for (unsigned i = 0; i < n; i++) {
		if (fn->val[at[i]] != FAKE_CAP_MSIX || at[i] + 8 > PVHDEV_CFG_SIZE)
			continue;
		uint32_t table = cfg_get(fn, at[i] + PVHDEV_PCI_MSIX_TABLE, 4);
		unsigned entries = (cfg_get(fn, at[i] + PVHDEV_PCI_MSIX_FLAGS, 2) &
		                    PVHDEV_PCI_MSIX_TABSIZE) + 1;
		unsigned bir = table & PVHDEV_PCI_MSIX_BIR;
		const struct fake_win *w = bir < FAKE_NR_BARS ? &fn->win[bir] : NULL;
		for (unsigned e = 0; w && w->buf && e < entries; e++) {
			uint64_t ctrl = (uint64_t)(table & ~(uint32_t)PVHDEV_PCI_MSIX_BIR) +
			                (uint64_t)PVHDEV_PCI_MSIX_ENTRY_SIZE * e +
			                PVHDEV_PCI_MSIX_ENTRY_VECTOR_CTRL;
			if (ctrl < w->backed)
				w->buf[ctrl] |= PVHDEV_PCI_MSIX_ENTRY_CTRL_MASKBIT;
		}
		return; /* one MSI-X capability per function */
	}
}

/* Device memory zeroed and the MSI-X table masked, as after reset. */
void mem_reset(struct fake_fn *fn)
{
	for (unsigned i = 0; i < FAKE_NR_WIN; i++)
		if (fn->win[i].buf)
			memset(fn->win[i].buf, 0, fn->win[i].backed);
	msix_table_reset(fn, fn_hdr(fn));
}

/* ---- Functions ---- */

/* Builds one function over cfg (FAKE_NR_ARRAYS * its config size bytes,
 * zeroed). */
static int fn_build(struct pvhdev_fake *fk, struct fake_fn *fn,
                    const struct pvhdev_fake_dev *d, uint8_t *cfg)
{
	const struct pvhdev__pci_layout *h = hdr_of(src_hdr_type(d));

	fn->sbdf = d->sbdf;
	fn->cfg_size = dev_cfg_size(d);
	fn->val = cfg;
	fn->rw = cfg + fn->cfg_size;
	fn->rw1c = cfg + 2 * fn->cfg_size;
	fn->init = cfg + 3 * fn->cfg_size;
	fn->absent = d->plugged_later;
	if (d->cfg_len)
		memcpy(fn->val, d->cfg, d->cfg_len);
	memcpy(fn->init, fn->val, fn->cfg_size);
	fn_masks(fn, d, h);
	if (fn->sriov) {
		memcpy(fn->vf_bar_size, d->vf_bar_size, sizeof(fn->vf_bar_size));
		fn->mmio_backed = d->mmio_backed;
	}
	if (fn->sriov && d->vf_cfg_len) {
		if (!(fn->vf_tmpl = fake_zalloc(fk, d->vf_cfg_len, 1)))
			return -ENOMEM;
		memcpy(fn->vf_tmpl, d->vf_cfg, d->vf_cfg_len);
		fn->vf_tmpl_len = d->vf_cfg_len;
	}
	for (unsigned i = 0; i < FAKE_NR_WIN; i++) {
		int rc = win_alloc(fk, &fn->win[i], d->mmio_backed);

		if (rc)
			return rc;
	}
	msix_table_reset(fn, h);
	return 0;
}

static void fn_swap(struct fake_fn *a, struct fake_fn *b)
{
	struct fake_fn t = *a;

	*a = *b;
	*b = t;
}

static void sift_down(struct fake_fn *fn, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;

		if (c >= n)
			return;
		if (c + 1 < n && fn[c + 1].sbdf > fn[c].sbdf)
			c++;
		if (fn[root].sbdf >= fn[c].sbdf)
			return;
		fn_swap(&fn[root], &fn[c]);
		root = c;
	}
}

/* Heapsort by SBDF: O(n log n) without allocating.  -EEXIST on a
 * duplicate. */
static int fns_sort(struct fake_fn *fn, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(fn, i, n);
	for (size_t i = n; i-- > 1;) {
		fn_swap(&fn[0], &fn[i]);
		sift_down(fn, 0, i);
	}
	for (size_t i = 1; i < n; i++)
		if (fn[i - 1].sbdf == fn[i].sbdf)
			return -EEXIST;
	return 0;
}

/* Frees what fns_build made; safe on a partly built table. */
static void fns_free(struct pvhdev_fake *fk)
{
	for (size_t i = 0; fk->fn && i < fk->nr_fn; i++) {
		vfs_free(fk, &fk->fn[i]);
		wins_free(fk, &fk->fn[i]);
		if (fk->fn[i].vf_tmpl)
			fk->alloc->free(fk->alloc_ctx, fk->fn[i].vf_tmpl, fk->fn[i].vf_tmpl_len);
	}
	if (fk->fn)
		fk->alloc->free(fk->alloc_ctx, fk->fn, fk->nr_fn * sizeof(*fk->fn));
	if (fk->cfg)
		fk->alloc->free(fk->alloc_ctx, fk->cfg, fk->cfg_bytes);
	fk->fn = NULL;
	fk->cfg = NULL;
}

static int fns_build(struct pvhdev_fake *fk, const struct pvhdev_fake_dev *devs,
                     size_t nr)
{
	size_t pos = 0;

	if (!nr)
		return 0;
	for (size_t i = 0; i < nr; i++)
		fk->cfg_bytes += FAKE_NR_ARRAYS * (size_t)dev_cfg_size(&devs[i]);
	fk->cfg = fake_zalloc(fk, fk->cfg_bytes, 1);
	if (!fk->cfg)
		return -ENOMEM;
	fk->fn = fake_zalloc(fk, nr * sizeof(*fk->fn), _Alignof(struct fake_fn));
	if (!fk->fn)
		return -ENOMEM;
	fk->nr_fn = nr;
	for (size_t i = 0; i < nr; i++) {
		int rc = fn_build(fk, &fk->fn[i], &devs[i], fk->cfg + pos);

		if (rc)
			return rc;
		pos += FAKE_NR_ARRAYS * (size_t)fk->fn[i].cfg_size;
	}
	int rc = fns_sort(fk->fn, nr);
	/* VFs that the table's bytes left enabled are there from the start. */
	for (size_t i = 0; i < nr && !rc; i++)
		rc = fk->fn[i].sriov ? vfs_update(fk, &fk->fn[i], false) : 0;
	return rc;
}

int pvhdev_fake_new(const struct pvhdev_alloc_ops *alloc, void *alloc_ctx,
                    const struct pvhdev_fake_dev *devs, size_t nr_devs,
                    struct pvhdev_fake **out)
{
	struct pvhdev_fake *fk;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	rc = args_check(alloc, devs, nr_devs);
	if (rc)
		return rc;
	fk = alloc->alloc(alloc_ctx, sizeof(*fk), _Alignof(struct pvhdev_fake));
	if (!fk)
		return -ENOMEM;
	memset(fk, 0, sizeof(*fk));
	fk->alloc = alloc;
	fk->alloc_ctx = alloc_ctx;
	rc = fns_build(fk, devs, nr_devs);
	if (rc)
		goto err_fns;
	*out = fk;
	return 0;

err_fns:
	fns_free(fk);
	alloc->free(alloc_ctx, fk, sizeof(*fk));
	return rc;
}

void pvhdev_fake_free(struct pvhdev_fake *fake)
{
	if (!fake)
		return;
	fns_free(fake);
	fake->alloc->free(fake->alloc_ctx, fake, sizeof(*fake));
}
