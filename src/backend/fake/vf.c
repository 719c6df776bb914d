/* SPDX-License-Identifier: MIT */
/*
 * The fake backend's SR-IOV VFs.  A VF is a function like the table's (struct fake_fn), built when its
 * PF's VF Enable goes from 0 to 1 and freed when it goes back, so that
 * VFs come back with their reset state.  Its config space is the PF's
 * identity and a template (PCIe Base 4.0, 9.3.4):
 *
 *   0x00  vendor, device ID   0xffff (9.3.4.1.1-2; the VF Device ID is
 *                             the PF's SR-IOV capability's, +0x1a)
 *   0x04  command             0; only Bus Master (bit 2) is RW (9.3.4.1.3)
 *   0x06  status              0x0010 (capabilities list); errors RW1C
 *   0x08  revision, class     the PF's
 *   0x10  BARs                read-only 0: they live in the PF's
 *                             capability (9.3.4.1.11)
 *   0x2c  subsystem IDs       the PF's
 *   0x34  capabilities        0x40 (0x80 without MSI-X)
 *   0x40  MSI-X, next 0x80    the PF's table size, table and PBA
 *                             offset/BIR, when the PF has MSI-X and VF
 *                             BARs at those BIRs
 *   0x80  PCIe capability     version 2, endpoint; device capabilities
 *                             FLR and role-based error reporting
 *
 * (QEMU 7.2's NVMe VFs have this layout, with a PM capability at 0x60
 * and ARI at 0x100 besides.)
 *
 * The rest reads 0 (all-ones past 256 bytes when the PF has no
 * extended space).  A template from the table (vf_cfg) replaces all but
 * the IDs, class, revision and subsystem IDs.  Masks come from the same
 * rules as the table's functions (masks.c).  VF n's BAR i is the n-th slice, one VF's size each, of
 * VF BAR i in the PF's capability; it decodes while VF Enable and VF
 * MSE are both set, backed by RAM as the PF's BARs are, MSI-X entries
 * masked.
 */
#include "backend/fake/fake.h"

#define FAKE_VF_MSIX 0x40      /* the default template's capabilities */
#define FAKE_VF_PCIE 0x80

/* Whether fn is an SR-IOV PF with VF Enable set. */
bool vfs_on(const struct fake_fn *fn)
{
	return fn->sriov && (cfg_get(fn, fn->sriov + FAKE_SRIOV_CTRL, 2) & FAKE_SRIOV_VFE);
}

static bool vfs_enabled(const struct fake_fn *pf)
{
	return pf->vfs && !pf->absent && vfs_on(pf);
}

/* The VF at sbdf: VF n of a PF of the segment with VF Enable set, at
 * routing ID PF + First VF Offset + n * VF Stride as they are now. */
struct fake_fn *vf_find(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf)
{
	for (size_t i = 0; i < fk->nr_fn; i++) {
		const struct fake_fn *pf = &fk->fn[i];

		if (!vfs_enabled(pf) || (pf->sbdf >> 16) != (sbdf >> 16))
			continue;
		uint32_t first = (pf->sbdf & 0xffff) + cfg_get(pf, pf->sriov + FAKE_SRIOV_VF_OFFSET, 2);
		uint32_t stride = cfg_get(pf, pf->sriov + FAKE_SRIOV_VF_STRIDE, 2);
		uint32_t rid = sbdf & 0xffff;

		if (rid < first || (stride ? (rid - first) % stride != 0 : rid != first))
			continue;
		uint32_t n = stride ? (rid - first) / stride : 0;
		if (n < pf->vfs->nr)
			return &pf->vfs->fn[n];
	}
	return NULL;
}

/* VF BAR i's address in pf's capability: VF 0's slice. */
static uint64_t vf_bar_base(const struct fake_fn *pf, unsigned i)
{
	unsigned reg = pf->sriov + FAKE_SRIOV_VF_BAR0 + 4 * i;
	uint64_t bar = cfg_get(pf, reg, 4);

	if ((bar & PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_64 &&
	    i + 1 < FAKE_NR_BARS)
		bar |= (uint64_t)cfg_get(pf, reg + 4, 4) << 32;
	return bar & ~(pf->vf_bar_size[i] - 1);
}

/* The VF window that decodes addr now, and addr's offset in it. */
const struct fake_win *vf_win_find(const struct pvhdev_fake *fk,
                                   uint64_t addr, uint64_t *off)
{
	for (size_t i = 0; i < fk->nr_fn; i++) {
		const struct fake_fn *pf = &fk->fn[i];

		if (!vfs_enabled(pf) ||
		    !(cfg_get(pf, pf->sriov + FAKE_SRIOV_CTRL, 2) & FAKE_SRIOV_MSE))
			continue;
		for (unsigned j = 0; j < FAKE_NR_BARS; j++) {
			uint64_t size = pf->vf_bar_size[j];
			/* Below the base, rel wraps past every slice. */
			uint64_t rel = addr - vf_bar_base(pf, j);

			if (size && rel / size < pf->vfs->nr) {
				*off = rel % size;
				return &pf->vfs->fn[rel / size].win[j];
			}
		}
	}
	return NULL;
}

static void put_le(uint8_t *p, unsigned size, uint32_t v)
{
	for (unsigned k = 0; k < size; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* Offset of fn's capability id in the legacy list; 0: none. */
static unsigned cap_find(const struct fake_fn *fn, uint8_t id)
{
	unsigned at[FAKE_CAP_HOPS], n = cap_offsets(fn, fn_hdr(fn), at);

	for (unsigned i = 0; i < n; i++)
		if (fn->val[at[i]] == id)
			return at[i];
	return 0;
}

/* Whether the PF's MSI-X table and PBA lie in VF BARs it has: then its
 * VFs get an MSI-X capability like it. */
static bool vf_msix_ok(const struct fake_fn *pf, unsigned mx)
{
	unsigned tbir, pbir;

	if (!mx || mx + 12 > PVHDEV_CFG_SIZE)
		return false;
	tbir = pf->val[mx + 4] & 7u;
	pbir = pf->val[mx + 8] & 7u;
	return tbir < FAKE_NR_BARS && pbir < FAKE_NR_BARS && pf->vf_bar_size[tbir] &&
	       pf->vf_bar_size[pbir];
}

/* The default template (the comment above), into v (zeroed). */
static void vf_default(const struct fake_fn *pf, uint8_t *v)
{
	unsigned mx = cap_find(pf, FAKE_CAP_MSIX);
	bool msix = vf_msix_ok(pf, mx);

	put_le(v + 0x06, 2, 0x0010);
	v[0x34] = msix ? FAKE_VF_MSIX : FAKE_VF_PCIE;
	/* PCIe capabilities: version 2, device/port type 0 (endpoint);
	 * device capabilities: FLR (bit 28, required of VFs), role-based
	 * error reporting (bit 15) */
	put_le(v + FAKE_VF_PCIE, 4, 0x00020000u | FAKE_CAP_PCIE);
	put_le(v + FAKE_VF_PCIE + 4, 4, 0x10008000u);
	if (!msix)
		return;
	put_le(v + FAKE_VF_MSIX, 2, FAKE_VF_PCIE << 8 | FAKE_CAP_MSIX);
	put_le(v + FAKE_VF_MSIX + 2, 2, cfg_get(pf, mx + 2, 2) & 0x07ffu);
	memcpy(v + FAKE_VF_MSIX + 4, pf->val + mx + 4, 8); /* table, PBA */
}

/* VF n of pf over cfg (FAKE_NR_ARRAYS * the PF's config size, zeroed). */
static int vf_build(struct pvhdev_fake *fk, const struct fake_fn *pf,
                    struct fake_fn *vf, uint8_t *cfg)
{
	vf->cfg_size = pf->cfg_size;
	vf->val = cfg;
	vf->rw = cfg + vf->cfg_size;
	vf->rw1c = cfg + 2 * vf->cfg_size;
	vf->init = cfg + 3 * vf->cfg_size;
	if (pf->vf_tmpl)
		memcpy(vf->val, pf->vf_tmpl,
		       pf->vf_tmpl_len < vf->cfg_size ? pf->vf_tmpl_len : vf->cfg_size);
	else
		vf_default(pf, vf->val);
	memset(vf->val, 0xff, 4);
	memcpy(vf->val + 0x08, pf->val + 0x08, 4); /* revision, class */
	memcpy(vf->val + 0x2c, pf->val + 0x2c, 4); /* subsystem IDs */
	memcpy(vf->init, vf->val, vf->cfg_size);
	vf_masks(vf);
	for (unsigned i = 0; i < FAKE_NR_BARS; i++) {
		int rc;

		if (!pf->vf_bar_size[i])
			continue;
		win_set(&vf->win[i], 0, pf->vf_bar_size[i], false, false);
		if ((rc = win_alloc(fk, &vf->win[i], pf->mmio_backed)))
			return rc;
	}
	msix_table_reset(vf, hdr_of(PVHDEV_PCI_HEADER_TYPE_NORMAL));
	return 0;
}


void vfs_free(struct pvhdev_fake *fk, struct fake_fn *pf)
{
	struct fake_vfs *v = pf->vfs;

	if (!v)
		return;
	for (unsigned n = 0; n < v->nr; n++)
		wins_free(fk, &v->fn[n]);
	fk->alloc->free(fk->alloc_ctx, v, v->bytes);
	pf->vfs = NULL;
}

/* NumVFs VFs (at most FAKE_MAX_VFS), in one allocation plus their
 * windows' RAM. */
static int vfs_build(struct pvhdev_fake *fk, struct fake_fn *pf)
{
	unsigned nr = cfg_get(pf, pf->sriov + FAKE_SRIOV_NUM_VFS, 2);
	size_t head = (sizeof(struct fake_vfs) + _Alignof(struct fake_fn) - 1) /
	              _Alignof(struct fake_fn) * _Alignof(struct fake_fn);
	size_t fns = head + (nr < FAKE_MAX_VFS ? nr : FAKE_MAX_VFS) * sizeof(struct fake_fn);
	struct fake_vfs *v;

	nr = nr < FAKE_MAX_VFS ? nr : FAKE_MAX_VFS;
	v = fake_zalloc(fk, fns + (size_t)nr * FAKE_NR_ARRAYS * pf->cfg_size,
	                _Alignof(struct fake_fn));
	if (!v)
		return -ENOMEM;
	v->bytes = fns + (size_t)nr * FAKE_NR_ARRAYS * pf->cfg_size;
	v->fn = (struct fake_fn *)((uint8_t *)v + head);
	pf->vfs = v;
	for (unsigned n = 0; n < nr; n++) {
		int rc = vf_build(fk, pf, &v->fn[n], (uint8_t *)v + fns +
		                  (size_t)n * FAKE_NR_ARRAYS * pf->cfg_size);

		v->nr = (uint16_t)(n + 1); /* freed with the rest on failure */
		if (rc) {
			vfs_free(fk, pf);
			return rc;
		}
	}
	return 0;
}

/* A write reached pf's SR-IOV control, with VF Enable was before it:
 * VFs come when VF Enable goes from 0 to 1, and go when it goes back.
 * Without the memory for them VF Enable stays clear: -ENOMEM. */
int vfs_update(struct pvhdev_fake *fk, struct fake_fn *pf, bool was)
{
	unsigned ctrl = pf->sriov + FAKE_SRIOV_CTRL;
	bool on = cfg_get(pf, ctrl, 2) & FAKE_SRIOV_VFE;
	int rc;

	if (on == was)
		return 0;
	vfs_free(fk, pf); /* left by a reset that cleared VF Enable */
	if (!on || !(rc = vfs_build(fk, pf)))
		return 0;
	pf->val[ctrl] &= (uint8_t)~FAKE_SRIOV_VFE;
	return rc;
}
