/* SPDX-License-Identifier: MIT */
/*
 * SR-IOV (PCIe Base, 9.3.3): the PF's capability gives the VF BARs; the
 * VFs appear when VF Enable is set and their memory decodes when VF MSE
 * is set too.  Offsets from the capability:
 *
 *   +0x08 control: 0 VF Enable, 3 VF MSE, 4 ARI Capable Hierarchy
 *   +0x0e TotalVFs     +0x10 NumVFs
 *   +0x14 First VF Offset  +0x16 VF Stride  +0x1a VF Device ID
 *   +0x20 System Page Size
 *   +0x24..+0x38 VF BAR0..5 (memory only; one VF's size, NumVFs of them
 *                            back to back)
 *
 * VF i's routing ID is the PF's + First VF Offset + i * VF Stride, read
 * after VF Enable (ARI Capable Hierarchy changes both), so it may land
 * on another bus.  VFs read 0xffff as vendor and device ID: they are
 * added by the PF, never found by a scan.
 */
#include "bar/bar.h"

#define EXT_CAP_SRIOV PVHDEV_PCI_EXT_CAP_ID_SRIOV
#define SRIOV_CTRL PVHDEV_PCI_IOV_CTRL
#define SRIOV_CTRL_VFE PVHDEV_PCI_IOV_CTRL_VFE
#define SRIOV_CTRL_MSE PVHDEV_PCI_IOV_CTRL_MSE
#define SRIOV_TOTAL_VFS PVHDEV_PCI_IOV_TOTALVF
#define SRIOV_NUM_VFS PVHDEV_PCI_IOV_NUMVF
#define SRIOV_VF_OFFSET PVHDEV_PCI_IOV_OFFSET
#define SRIOV_VF_STRIDE PVHDEV_PCI_IOV_STRIDE
#define SRIOV_VF_BAR0 PVHDEV_PCI_IOV_BAR_BASE

uint64_t pvhdev__sriov_vf_bar_span(const struct pvhdev__bar_dev *bd, unsigned i)
{
	const struct sriov *sv = bd->sriov;

	return sv ? sv->vf[i].size * sv->num_vfs : 0;
}

static int rd(struct pvhdev__bar_dev *bd, unsigned off, unsigned size,
              uint32_t *val)
{
	return pvhdev_dev_hw_read(bd->dev, bd->sriov->pos + off, size, val);
}

static void sv_log(struct pvhdev__bar_dev *bd, const char *what, unsigned n)
{
	char s[PVHDEV_SBDF_STRLEN];

	pvhdev__log(bd->dev->dom, PVHDEV_LOG_WARN, "%s: SR-IOV: %s %u",
	            pvhdev_sbdf_str(bd->dev->sbdf, s), what, n);
}

/* VF i's SBDF, or false when its routing ID leaves the segment. */
static bool vf_sbdf(const struct pvhdev__bar_dev *bd, unsigned i,
                    pvhdev_sbdf_t *out)
{
	const struct sriov *sv = bd->sriov;
	uint32_t rid = (bd->dev->sbdf & 0xffff) + sv->offset + i * (uint32_t)sv->stride;

	if (rid > 0xffff || (i && !sv->stride))
		return false;
	*out = (bd->dev->sbdf & 0xffff0000u) | rid;
	return true;
}

/* VF n of this PF, when it added it as a device; NULL otherwise. */
static struct pvhdev_dev *vf_dev(const struct pvhdev__bar_dev *bd, unsigned n)
{
	struct pvhdev_dev *vf;
	pvhdev_sbdf_t s;

	if (!vf_sbdf(bd, n, &s) || !(vf = pvhdev__dev_lookup(bd->dev->dom, s)) ||
	    !vf->vf || vf->pf != bd->dev->sbdf)
		return NULL;
	return vf;
}

/* The PF's BAR state of vf, and vf's index among its VFs (from the
 * routing ID: O(1)); NULL when vf is none of them. */
static struct pvhdev__bar_dev *vf_pf(const struct pvhdev_dev *vf, unsigned *n)
{
	const struct pvhdev_dev *pf = vf->vf ? pvhdev__dev_lookup(vf->dom, vf->pf) : NULL;
	struct pvhdev__bar_dev *bd = pf ? pf->bar : NULL;
	const struct sriov *sv = bd ? bd->sriov : NULL;
	uint32_t first, rid = vf->sbdf & 0xffff;

	if (!sv || (vf->sbdf >> 16) != (pf->sbdf >> 16))
		return NULL;
	first = (pf->sbdf & 0xffff) + sv->offset;
	if (rid < first || (sv->stride ? (rid - first) % sv->stride : rid != first))
		return NULL;
	*n = sv->stride ? (rid - first) / sv->stride : 0;
	/* num_vfs, not nr_added: VF n is being added (or removed) while
	 * nr_added is n. */
	return *n < sv->num_vfs ? bd : NULL;
}

/* Sizes the VF BARs like BARs: ~0, read back, restore. */
static int size_vf_bars(struct pvhdev__bar_dev *bd)
{
	int rc = 0;

	for (unsigned i = 0; i < 6 && !rc; i++) {
		struct bar *b = bar_at(bd, BAR_VF0 + i);
		unsigned reg = bd->sriov->pos + SRIOV_VF_BAR0 + 4 * i;
		uint32_t orig, lo, ohi = 0, hi = 0xffffffff;
		if ((rc = pvhdev__bar_probe(bd->dev, reg, 0xffffffff, &orig, &lo)))
			break;
		bool is64 = (orig & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_64 && i < 5;
		if (is64 && (rc = pvhdev__bar_probe(bd->dev, reg + 4, 0xffffffff, &ohi, &hi)))
			break;
		uint64_t size = pvhdev__pci_bar_size(is64 ? PVHDEV__PCI_BAR_MEM64
		                                          : PVHDEV__PCI_BAR_MEM32, lo, hi);
		/* VF BARs are memory only; a register that keeps its value
		 * under all-ones is not implemented. */
		if ((orig & PCI_BAR_IO) || (lo == orig && (!is64 || hi == ohi)))
			size = 0;
		b->reg = (uint16_t)reg;
		b->kind = size ? (is64 ? BAR_MEM64 : BAR_MEM32) : BAR_NONE;
		b->size = size;
		b->prefetch = orig & PCI_BAR_PREFETCH;
		if (is64) {
			bar_at(bd, BAR_VF0 + i + 1)->kind = BAR_MEM64_HI;
			bar_at(bd, BAR_VF0 + i + 1)->reg = (uint16_t)(reg + 4);
			i++;
		}
	}
	return rc;
}

/* NumVFs, First VF Offset and VF Stride as the device has them now
 * (they are valid before VF Enable: NumVFs and ARI set them). */
static int vfs_layout(struct pvhdev__bar_dev *bd)
{
	struct sriov *sv = bd->sriov;
	uint32_t n, off, stride;
	int rc;

	if ((rc = rd(bd, SRIOV_NUM_VFS, 2, &n)) || (rc = rd(bd, SRIOV_VF_OFFSET, 2, &off)) ||
	    (rc = rd(bd, SRIOV_VF_STRIDE, 2, &stride)))
		return rc;
	if (n > sv->total_vfs) {
		sv_log(bd, "NumVFs above TotalVFs, using", sv->total_vfs);
		n = sv->total_vfs;
	}
	sv->num_vfs = (uint16_t)n;
	sv->offset = (uint16_t)off;
	sv->stride = (uint16_t)stride;
	return 0;
}

/* A VF whose routing ID is a function pvhdev knows (the PF itself with
 * First VF Offset 0, a real function, a hidden one) would be that
 * function, and the hardware's VF would sit untrapped behind it:
 * -EEXIST, logged, and VF Enable must not reach the device. */
static int vfs_collide(struct pvhdev__bar_dev *bd)
{
	const struct sriov *sv = bd->sriov;

	for (unsigned i = 0; i < sv->num_vfs; i++) {
		pvhdev_sbdf_t vf;
		if (!vf_sbdf(bd, i, &vf))
			break;
		uint32_t id = 0xffff;
		/* VFs read 0xffff as vendor ID: anything else answering at
		 * the routing ID is a real function, known yet or not (a
		 * scan adds the PF before its other functions). */
		if (pvhdev__dev_lookup(bd->dev->dom, vf) ||
		    (!pvhdev__hw_cfg_read(bd->dev->dom, vf, 0, 2, &id) && id != 0xffff &&
		     id != 0)) {
			sv_log(bd, "VF routing ID is a known function: VF Enable refused, VF", i);
			return -EEXIST;
		}
	}
	return 0;
}

/* Adds the VFs the layout vfs_layout() read describes. */
static int vfs_add(struct pvhdev__bar_dev *bd)
{
	struct sriov *sv = bd->sriov;
	int rc;

	for (sv->nr_added = 0; sv->nr_added < sv->num_vfs; sv->nr_added++) {
		pvhdev_sbdf_t vf;
		if (!vf_sbdf(bd, sv->nr_added, &vf)) {
			sv_log(bd, "VF routing ID outside the segment at VF", sv->nr_added);
			break;
		}
		rc = pvhdev__dev_add_vf(bd->dev->dom, vf, bd->dev->sbdf);
		if (rc)
			return rc;
	}
	return 0;
}

/* Removes the VFs this PF added, and nothing else. */
static void vfs_remove(struct pvhdev__bar_dev *bd)
{
	struct sriov *sv = bd->sriov;

	while (sv->nr_added) {
		pvhdev_sbdf_t vf;
		const struct pvhdev_dev *d;
		if (vf_sbdf(bd, --sv->nr_added, &vf) &&
		    (d = pvhdev__dev_lookup(bd->dev->dom, vf)) && d->vf &&
		    d->pf == bd->dev->sbdf)
			pvhdev_dev_remove(bd->dev->dom, vf);
	}
}

/* Each VF claims its MSI-X pages in its slice of VF BAR bir at addr
 * (claim), or lets them go: all or none (-EBUSY logged, -ENOMEM). */
static int vf_claims(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                     bool claim)
{
	const struct bar *b = bar_at(bd, bir);

	for (unsigned n = 0; n < bd->sriov->nr_added; n++) {
		struct pvhdev_dev *vf = vf_dev(bd, n);
		int rc;
		if (!vf || !vf->bar)
			continue;
		if (!claim) {
			pvhdev__bar_holes_release(vf->bar, bir - BAR_VF0);
			continue;
		}
		rc = pvhdev__bar_holes_claim(vf->bar, bir - BAR_VF0, addr + n * b->size);
		if (rc) {
			vf_claims(bd, bir, addr, false);
			return rc;
		}
	}
	return 0;
}

/* VF BAR i left at address 0 (unassigned; an FLR clears it) is not
 * mapped, but its VFs decode there once VF MSE is on: each VF's MSI-X
 * pages in its slice must be out of dom0's reach (low memory is
 * mapped), as for a BAR at 0 (pvhdev__bar_decode_change).  0, or
 * -EBUSY (logged). */
static int vfs_unassigned_clear(struct pvhdev__bar_dev *bd, unsigned i)
{
	const struct bar *b = bar_at(bd, i);

	for (unsigned n = 0; n < bd->sriov->nr_added; n++) {
		struct pvhdev_dev *vf = vf_dev(bd, n);
		int rc = vf && vf->bar ? pvhdev__bar_holes_clear(vf->bar, i - BAR_VF0,
		                                                 (uint64_t)n * b->size)
		                       : 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* VF BARs decode while VF Enable and VF MSE are both set.  The VFs'
 * MSI-X pages are claimed first: the VF BAR maps around them. */
static int vf_bars_decode(struct pvhdev__bar_dev *bd, bool on, enum bar_when when)
{
	int rc = 0;

	for (unsigned i = BAR_VF0; i < NR_BARS && !rc; i++) {
		struct bar *b = bar_at(bd, i);
		uint64_t addr;
		if (b->kind != BAR_MEM32 && b->kind != BAR_MEM64)
			continue;
		if (!on) {
			rc = pvhdev__bar_unmap(bd, i, when);
		} else if (!(rc = pvhdev__bar_read_addr(bd, i, &addr)) && !addr) {
			rc = vfs_unassigned_clear(bd, i);
		} else if (!rc && !(rc = vf_claims(bd, i, addr, true)) &&
		           (rc = pvhdev__bar_map(bd, i, addr, when))) {
			vf_claims(bd, i, addr, false);
		}
	}
	return rc;
}

/* VF MSE is on in the device with the VFs there.  A VF BAR whose VFs'
 * MSI-X pages are within dom0's reach (mapped or claimed where the VF
 * BAR decodes, or at address 0 in mapped low memory) must not decode,
 * as for a BAR (the XSA-120 rule): VF MSE is written back clear and
 * what mapped goes again. */
static int vf_mse_on(struct pvhdev__bar_dev *bd, uint32_t ctrl, enum bar_when when)
{
	int rc = vf_bars_decode(bd, true, when);

	if (rc != -EBUSY)
		return rc;
	vf_bars_decode(bd, false, BAR_NOW);
	sv_log(bd, "VF MSE refused, a VF's MSI-X pages being within reach: control",
	       ctrl & ~(uint32_t)SRIOV_CTRL_MSE);
	return pvhdev_dev_hw_write(bd->dev, bd->sriov->pos + SRIOV_CTRL, 2,
	                           ctrl & ~(uint32_t)SRIOV_CTRL_MSE);
}

void pvhdev__sriov_notify(struct pvhdev__bar_dev *bd, unsigned bir, bool mapped)
{
	const struct bar *b = bar_at(bd, bir);

	for (unsigned n = 0; bd->sriov && n < bd->sriov->nr_added; n++) {
		struct pvhdev_dev *vf = vf_dev(bd, n);
		if (!vf)
			continue;
		pvhdev__bar_notify_dev(vf, bir - BAR_VF0, b->addr + n * b->size, b->size,
		                       mapped);
		if (!mapped && vf->bar)
			pvhdev__bar_holes_release(vf->bar, bir - BAR_VF0);
		/* The control write with VF MSE reached the device before
		 * the VF BARs mapped: the VFs decode now. */
		if (mapped)
			pvhdev__bar_decoded_dev(vf);
	}
}

bool pvhdev__sriov_vf_claim(const struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                            const struct pvhdev__rnode *n)
{
	const struct bar *b = &bd->sriov->vf[bir - BAR_VF0];
	uint64_t at = n->start << 12;

	/* The VF whose slice holds the claim's first page, if any: O(1). */
	if (!b->size || at < addr || (at - addr) / b->size >= bd->sriov->nr_added)
		return false;
	const struct pvhdev_dev *vf = vf_dev(bd, (unsigned)((at - addr) / b->size));
	const struct pvhdev__bar_dev *v = vf ? vf->bar : NULL;
	return v && v->claims.node && n >= v->claims.node &&
	       n < v->claims.node + v->claims.nr &&
	       vf->holes[n - v->claims.node].bir == bir - BAR_VF0;
}

int pvhdev__sriov_vf_bar(const struct pvhdev_dev *vf, unsigned i,
                         struct pvhdev__bar_info *out)
{
	unsigned n;
	struct pvhdev__bar_dev *bd = vf_pf(vf, &n);
	const struct bar *b = bd && i < BAR_ROM ? bar_at(bd, BAR_VF0 + i) : NULL;
	uint64_t addr = 0;

	if (!b || (b->kind != BAR_MEM32 && b->kind != BAR_MEM64))
		return -ENOENT;
	/* Unmapped: where the PF's register says (read as the checker
	 * reads, unlogged: MSI-X's device add and the checker ask). */
	if (bar_maps(b))
		addr = b->addr + n * b->size;
	else if (!pvhdev__sriov_vf_hw_bar(vf, i, &addr))
		return -EIO;
	*out = (struct pvhdev__bar_info){
		.addr = addr, .size = b->size, .mem = true, .is64 = b->kind == BAR_MEM64,
		.prefetch = b->prefetch, .mapped = bar_maps(b),
	};
	return 0;
}

bool pvhdev__sriov_vf_decodes(const struct pvhdev_dev *vf)
{
	unsigned n;
	struct pvhdev__bar_dev *bd = vf_pf(vf, &n);
	uint32_t ctrl;

	return bd && !pvhdev__hw_cfg_read(vf->dom, bd->dev->sbdf, bd->sriov->pos + SRIOV_CTRL,
	                                  2, &ctrl) &&
	       (ctrl & (SRIOV_CTRL_VFE | SRIOV_CTRL_MSE)) == (SRIOV_CTRL_VFE | SRIOV_CTRL_MSE);
}

bool pvhdev__sriov_vf_hw_bar(const struct pvhdev_dev *vf, unsigned i, uint64_t *addr)
{
	unsigned n;
	struct pvhdev__bar_dev *bd = vf_pf(vf, &n);
	const struct bar *b = bd && i < BAR_ROM ? bar_at(bd, BAR_VF0 + i) : NULL;
	uint32_t lo, hi = 0;

	if (!b || (b->kind != BAR_MEM32 && b->kind != BAR_MEM64) ||
	    pvhdev__hw_cfg_read(vf->dom, bd->dev->sbdf, b->reg, 4, &lo) ||
	    (b->kind == BAR_MEM64 &&
	     pvhdev__hw_cfg_read(vf->dom, bd->dev->sbdf, b->reg + 4, 4, &hi)))
		return false;
	*addr = ((uint64_t)hi << 32 | (lo & ~0xfu)) + n * b->size;
	return true;
}

/* Applies a control change: what goes away first, then the write, then
 * what comes. */
static int ctrl_apply(struct pvhdev__bar_dev *bd, uint32_t cur, uint32_t val,
                      enum bar_when when)
{
	bool was_on = cur & SRIOV_CTRL_VFE, on = val & SRIOV_CTRL_VFE;
	bool was_mse = was_on && (cur & SRIOV_CTRL_MSE);
	int rc = pvhdev__bar_flush(bd);

	if (!rc && !was_on && on && !(rc = vfs_layout(bd)) && vfs_collide(bd)) {
		val &= ~(uint32_t)SRIOV_CTRL_VFE;
		on = false;
	}
	bool mse = on && (val & SRIOV_CTRL_MSE);

	if (!rc && was_mse && !mse)
		rc = vf_bars_decode(bd, false, when);
	if (!rc && was_on && !on)
		vfs_remove(bd);
	if (!rc)
		rc = pvhdev_dev_hw_write(bd->dev, bd->sriov->pos + SRIOV_CTRL, 2, val);
	if (!rc && !was_on && on)
		rc = vfs_add(bd);
	if (!rc && !was_mse && mse)
		rc = vf_mse_on(bd, val, when);
	return rc;
}

static enum pvhdev_verdict ctrl_write(struct pvhdev_dev *dev,
                                      const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__bar_dev *bd = reg->opaque;
	uint32_t cur;

	if (pvhdev_dev_hw_read(dev, reg->off, 2, &cur) ||
	    ctrl_apply(bd, cur, val, bar_when(dev->dom)))
		sv_log(bd, "control write failed, value", val);
	return PVHDEV_DONE;
}

/* A VF BAR write while the VF BARs are mapped is ignored (a BAR's
 * moves the BAR: bar.c; VF BARs do not follow yet). */
static enum pvhdev_verdict vf_bar_write(struct pvhdev_dev *dev,
                                        const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__bar_dev *bd = reg->opaque;
	unsigned i = BAR_VF0 + (reg->off - bd->sriov->pos - SRIOV_VF_BAR0) / 4;

	(void)dev;
	(void)val;
	if (pvhdev__bar_flush(bd))
		return PVHDEV_REJECT;
	if (bar_at(bd, i)->kind == BAR_MEM64_HI)
		i--;
	if (!bar_maps(bar_at(bd, i)))
		return PVHDEV_PASS;
	sv_log(bd, "VF BAR write while mapped ignored: VF BAR", i - BAR_VF0);
	return PVHDEV_REJECT;
}

/* NumVFs while VF Enable is set: the spec leaves the result undefined
 * and the VF BARs' span was taken at enable, so the write is dropped. */
static enum pvhdev_verdict num_vfs_write(struct pvhdev_dev *dev,
                                         const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__bar_dev *bd = reg->opaque;
	uint32_t ctrl;

	if (rd(bd, SRIOV_CTRL, 2, &ctrl) || !(ctrl & SRIOV_CTRL_VFE))
		return PVHDEV_PASS;
	(void)dev;
	sv_log(bd, "NumVFs write while VF Enable is set dropped, value", val);
	return PVHDEV_DONE;
}

static int add_traps(struct pvhdev__bar_dev *bd)
{
	struct pvhdev_reg r = {
		.off = (uint16_t)(bd->sriov->pos + SRIOV_CTRL), .size = 2,
		.read = pvhdev__bar_pass_read, .write = ctrl_write, .opaque = bd,
	};
	int rc = pvhdev_reg_add(bd->dev, &r);

	if (!rc) {
		r.off = (uint16_t)(bd->sriov->pos + SRIOV_NUM_VFS);
		r.write = num_vfs_write;
		rc = pvhdev_reg_add(bd->dev, &r);
	}

	for (unsigned i = BAR_VF0; i < NR_BARS && !rc; i++) {
		if (bar_at(bd, i)->kind == BAR_NONE)
			continue;
		r.off = bar_at(bd, i)->reg;
		r.size = 4;
		r.write = vf_bar_write;
		rc = pvhdev_reg_add(bd->dev, &r);
	}
	return rc;
}

int pvhdev__sriov_add(struct pvhdev__bar_dev *bd)
{
	unsigned pos;
	uint32_t total;
	int rc;

	if (pvhdev_dev_find_ext_cap(bd->dev, EXT_CAP_SRIOV, &pos))
		return 0;
	bd->sriov = pvhdev__zalloc(bd->dev->dom, sizeof(*bd->sriov));
	if (!bd->sriov)
		return -ENOMEM;
	bd->sriov->bd = bd;
	bd->sriov->pos = pos;
	for (unsigned i = 0; i < PVHDEV__ARRAY_SIZE(bd->sriov->vf); i++)
		bd->sriov->vf[i].bir = (uint8_t)(BAR_VF0 + i);
	rc = rd(bd, SRIOV_TOTAL_VFS, 2, &total);
	bd->sriov->total_vfs = (uint16_t)total;
	if (!rc)
		rc = size_vf_bars(bd);
	return rc ? rc : add_traps(bd);
}

/* VFs already enabled at device add (firmware or a previous owner). */
int pvhdev__sriov_start(struct pvhdev__bar_dev *bd)
{
	uint32_t ctrl;
	int rc;

	if (!bd->sriov)
		return 0;
	rc = rd(bd, SRIOV_CTRL, 2, &ctrl);
	if (rc || !(ctrl & SRIOV_CTRL_VFE) || (rc = vfs_layout(bd)))
		return rc;
	if (vfs_collide(bd))
		return pvhdev_dev_hw_write(bd->dev, bd->sriov->pos + SRIOV_CTRL, 2,
		                           ctrl & ~(uint32_t)SRIOV_CTRL_VFE);
	rc = vfs_add(bd);
	if (!rc && (ctrl & SRIOV_CTRL_MSE))
		rc = vf_mse_on(bd, ctrl, BAR_NOW);
	return rc;
}

int pvhdev_dev_sriov(const struct pvhdev_dev *dev, struct pvhdev_sriov_info *out)
{
	struct pvhdev__bar_dev *bd = dev->bar;
	const struct sriov *sv = bd ? bd->sriov : NULL;
	uint32_t ctrl;

	if (!sv)
		return -ENOENT;
	*out = (struct pvhdev_sriov_info){
		.pos = sv->pos, .total_vfs = sv->total_vfs, .num_vfs = sv->num_vfs,
		.nr_vfs = sv->nr_added, .first_offset = sv->offset, .stride = sv->stride,
	};
	int rc = rd(bd, SRIOV_CTRL, 2, &ctrl);
	out->vf_enable = ctrl & SRIOV_CTRL_VFE;
	out->vf_mse = ctrl & SRIOV_CTRL_MSE;
	return rc;
}

void pvhdev__sriov_reset(struct pvhdev__bar_dev *bd)
{
	if (bd->sriov)
		vfs_remove(bd);
}

void pvhdev__sriov_remove(struct pvhdev__bar_dev *bd)
{
	if (!bd->sriov)
		return;
	vfs_remove(bd);
	pvhdev__free(bd->dev->dom, bd->sriov, sizeof(*bd->sriov));
	bd->sriov = NULL;
}
