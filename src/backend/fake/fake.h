/* SPDX-License-Identifier: MIT */
/*
 * src/backend/fake's private header: the fake backend's functions and
 * windows (the model is described in fake.c), and what its files share.
 *
 *   fake.c   the backend hooks, lookups, test controls, the ops table
 *   masks.c  which config bits software writes and clears: rule tables
 *   build.c  creation: checks, functions, windows, MSI-X table reset
 *   vf.c     SR-IOV VFs, built and freed with their PF's VF Enable
 *   life.c   resets and native hotplug
 *
 * Functions used across the files are pvhdev__fake_NAME; the macros at
 * the end keep their short names in the code.
 */
#ifndef PVHDEV_BACKEND_FAKE_FAKE_H
#define PVHDEV_BACKEND_FAKE_FAKE_H

#include "core/core.h"

#define FAKE_CAP_HOPS PVHDEV_PCI_CAP_HOPS
#define FAKE_NR_BARS PVHDEV_PCI_NR_BARS
#define FAKE_WIN_ROM FAKE_NR_BARS  /* win[] slot of the ROM */
#define FAKE_NR_WIN (FAKE_NR_BARS + 1)
#define FAKE_CMD_MEM PVHDEV_PCI_COMMAND_MEMORY
#define FAKE_ROM_ENABLE PVHDEV_PCI_ROM_ADDRESS_ENABLE
#define FAKE_NR_ARRAYS 4           /* val, rw, rw1c, init per function */
#define FAKE_MAX_VFS 256u          /* VFs modelled per PF; more read all-ones */

#define FAKE_CAP_PM PVHDEV_PCI_CAP_ID_PM
#define FAKE_CAP_MSI PVHDEV_PCI_CAP_ID_MSI
#define FAKE_CAP_PCIE PVHDEV_PCI_CAP_ID_EXP
#define FAKE_CAP_MSIX PVHDEV_PCI_CAP_ID_MSIX
#define FAKE_CAP_AF PVHDEV_PCI_CAP_ID_AF
#define FAKE_EXT_CAP_SRIOV PVHDEV_PCI_EXT_CAP_ID_SRIOV
#define FAKE_PCIE_SLOT PVHDEV_PCI_EXP_FLAGS_SLOT

/* SR-IOV capability registers (PCIe Base 4.0, 9.3.3), from it. */
#define FAKE_SRIOV_CTRL 0x08
#define FAKE_SRIOV_NUM_VFS 0x10
#define FAKE_SRIOV_VF_OFFSET 0x14
#define FAKE_SRIOV_VF_STRIDE 0x16
#define FAKE_SRIOV_VF_BAR0 0x24
#define FAKE_SRIOV_VFE 0x0001u /* control: VF Enable */
#define FAKE_SRIOV_MSE 0x0008u /* control: VF MSE */

enum fake_bar_kind {
	FAKE_BAR_NONE,  /* not implemented: the register is read-only */
	FAKE_BAR_IO,
	FAKE_BAR_MEM32,
	FAKE_BAR_MEM64, /* low dword; the next slot is its FAKE_BAR_HIGH */
	FAKE_BAR_HIGH,
};


/* A memory BAR or the ROM, as MMIO sees it. */
struct fake_win {
	uint64_t size;   /* bytes, a power of two; 0: no window */
	uint8_t *buf;    /* RAM behind the first `backed` bytes */
	uint32_t backed; /* bytes */
	uint16_t reg;    /* config offset of the BAR (its low dword) */
	bool is64;       /* the dword at reg + 4 holds address bits 63:32 */
	bool rom;        /* decodes only while the enable bit is set */
};

struct fake_vfs;

struct fake_fn {
	pvhdev_sbdf_t sbdf;
	unsigned cfg_size;        /* bytes: 256 or 4096 */
	uint8_t *val, *rw, *rw1c; /* cfg_size bytes each */
	uint8_t *init;            /* cfg_size bytes: val after reset */
	bool absent;              /* reads as no function (pvhdev_fake_plug) */
	uint16_t sriov;           /* SR-IOV capability offset; 0: none */
	/* Capability offsets (0: none) of the registers whose writes reset
	 * the function (fn_trigger), each whole before the next capability
	 * (exp2: the PCIe capability's version 2 registers too), and the
	 * bytes [trig_lo, trig_hi) that hold them all and SR-IOV control:
	 * a write elsewhere changes nothing but bytes and is not looked at
	 * (empty: none). */
	uint8_t exp, af, pm;
	bool exp2;
	uint16_t trig_lo, trig_hi;
	struct fake_win win[FAKE_NR_WIN]; /* BAR i at win[i], ROM last */
	/* An SR-IOV PF: one VF's BAR sizes (bytes), the RAM behind each
	 * (as mmio_backed), and its VFs while VF Enable is set.  A VF's
	 * win[i] is its slice of VF BAR i (no register: vf_win_find()). */
	uint64_t vf_bar_size[FAKE_NR_BARS];
	uint32_t mmio_backed;
	struct fake_vfs *vfs;     /* NULL while VF Enable is clear */
	uint8_t *vf_tmpl;         /* the VF template's bytes; NULL: default */
	uint16_t vf_tmpl_len;
};

/* A PF's VFs, built when VF Enable is set and freed when it is cleared:
 * functions like the table's, over one allocation (this header, nr
 * functions, then their val/rw/rw1c/init arrays). */
struct fake_vfs {
	size_t bytes; /* of the allocation */
	uint16_t nr;  /* NumVFs at VF Enable, at most FAKE_MAX_VFS */
	struct fake_fn *fn;
};

struct pvhdev_fake {
	const struct pvhdev_alloc_ops *alloc;
	void *alloc_ctx;
	struct fake_fn *fn; /* nr_fn functions, sorted by sbdf */
	size_t nr_fn;
	uint8_t *cfg;       /* every function's val/rw/rw1c/init arrays */
	size_t cfg_bytes;
	unsigned long calls;     /* hook calls so far */
	unsigned long fail_call; /* the value of calls that fails; 0: none */
	int fail_err;
};


/*
 * What a config write does besides storing its bits (life.c): the
 * writes that reset, the registers src/core/reset.c traps.
 */
enum fake_reset_kind { FAKE_NO_RESET, FAKE_RESET_FN, FAKE_RESET_BUS };

/* ---- Small helpers, inline ---- */

static inline const struct pvhdev__pci_layout *pvhdev__fake_hdr_of(unsigned type)
{
	return pvhdev__pci_layout(type);
}

/* Little-endian value of size bytes at p. */
static inline uint64_t pvhdev__fake_get_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned k = size; k-- > 0;)
		v = v << 8 | p[k];
	return v;
}

/* Byte off of the table's initial config bytes (0 past cfg_len). */
static inline uint8_t pvhdev__fake_src_byte(const struct pvhdev_fake_dev *d, unsigned off)
{
	return off < d->cfg_len ? d->cfg[off] : 0;
}

static inline uint32_t pvhdev__fake_src_dword(const struct pvhdev_fake_dev *d, unsigned off)
{
	uint32_t v = 0;

	for (unsigned k = 4; k-- > 0;)
		v = v << 8 | pvhdev__fake_src_byte(d, off + k);
	return v;
}

/* Header type without the multi-function bit. */
static inline unsigned pvhdev__fake_src_hdr_type(const struct pvhdev_fake_dev *d)
{
	return pvhdev__fake_src_byte(d, PVHDEV_PCI_HEADER_TYPE) & PVHDEV_PCI_HEADER_TYPE_MASK;
}

static inline uint32_t pvhdev__fake_cfg_get(const struct fake_fn *fn, unsigned off,
                                            unsigned size)
{
	return (uint32_t)pvhdev__fake_get_le(fn->val + off, size);
}

/* The layout of the header fn has now. */
static inline const struct pvhdev__pci_layout *pvhdev__fake_fn_hdr(const struct fake_fn *fn)
{
	return pvhdev__fake_hdr_of(fn->val[PVHDEV_PCI_HEADER_TYPE] &
	                           PVHDEV_PCI_HEADER_TYPE_MASK);
}

/* ---- Masks (masks.c) ---- */

/* The kind of each of d's six BAR slots, from its initial low bits. */
void pvhdev__fake_bar_kinds(const struct pvhdev_fake_dev *d, uint8_t kind[FAKE_NR_BARS]);
/* Sets a window's size (bytes), BAR register offset and kind. */
void pvhdev__fake_win_set(struct fake_win *w, unsigned reg, uint64_t size,
                          bool is64, bool rom);
/* The legacy capability offsets of fn in list order (at most
 * FAKE_CAP_HOPS), as src/pci walks them; returns how many. */
unsigned pvhdev__fake_cap_offsets(const struct fake_fn *fn,
                                  const struct pvhdev__pci_layout *h,
                                  unsigned at[FAKE_CAP_HOPS]);
/* All masks of table function fn from d (fn's val holds d's bytes):
 * header, BARs and their windows, capabilities, overrides; sets the
 * capability offsets in fn. */
void pvhdev__fake_fn_masks(struct fake_fn *fn, const struct pvhdev_fake_dev *d,
                           const struct pvhdev__pci_layout *h);
/* The masks of a VF whose val holds its template. */
void pvhdev__fake_vf_masks(struct fake_fn *vf);

/* ---- Creation (build.c) ---- */

/* size bytes from the fake's allocator, zeroed; NULL without memory. */
void *pvhdev__fake_zalloc(struct pvhdev_fake *fk, size_t size, size_t align);
/* RAM behind window w (backed bytes, 0: the default); 0 or -ENOMEM. */
int pvhdev__fake_win_alloc(struct pvhdev_fake *fk, struct fake_win *w, uint32_t backed);
/* Frees the RAM behind fn's windows. */
void pvhdev__fake_wins_free(struct pvhdev_fake *fk, struct fake_fn *fn);
/* Sets the Mask bit of every MSI-X entry in the RAM behind fn's table. */
void pvhdev__fake_msix_table_reset(struct fake_fn *fn, const struct pvhdev__pci_layout *h);
/* fn's device memory zeroed and its MSI-X table masked, as after reset. */
void pvhdev__fake_mem_reset(struct fake_fn *fn);

/* ---- Lookups (fake.c) ---- */

/* The table's function at sbdf, present or not; NULL: none. */
struct fake_fn *pvhdev__fake_fn_find(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf);
/* The table's function at sbdf if it is present now; NULL: none. */
struct fake_fn *pvhdev__fake_fn_live(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf);

/* ---- SR-IOV VFs (vf.c) ---- */

/* Whether fn is an SR-IOV PF with VF Enable set. */
bool pvhdev__fake_vfs_on(const struct fake_fn *fn);
/* The VF at sbdf of a present PF with VF Enable set; NULL: none. */
struct fake_fn *pvhdev__fake_vf_find(const struct pvhdev_fake *fk, pvhdev_sbdf_t sbdf);
/* The VF window that decodes addr now, and addr's offset in it. */
const struct fake_win *pvhdev__fake_vf_win_find(const struct pvhdev_fake *fk,
                                                uint64_t addr, uint64_t *off);
/* Frees pf's VFs, if it has any. */
void pvhdev__fake_vfs_free(struct pvhdev_fake *fk, struct fake_fn *pf);
/* Builds or frees pf's VFs when VF Enable differs from was; -ENOMEM
 * clears VF Enable again. */
int pvhdev__fake_vfs_update(struct pvhdev_fake *fk, struct fake_fn *pf, bool was);

/* ---- Resets (life.c) ---- */

/* What the write of val at [reg, reg + size) does to fn, from the
 * state before the write. */
enum fake_reset_kind pvhdev__fake_trigger(const struct fake_fn *fn, unsigned reg,
                                          unsigned size, uint32_t val);
/* Resets fn (FAKE_RESET_FN) or the functions below bridge fn
 * (FAKE_RESET_BUS) after the write that triggered it; returns 0. */
int pvhdev__fake_reset(struct pvhdev_fake *fk, struct fake_fn *fn, enum fake_reset_kind r);

/* The short names the code uses. */
#define hdr_of pvhdev__fake_hdr_of
#define get_le pvhdev__fake_get_le
#define src_byte pvhdev__fake_src_byte
#define src_dword pvhdev__fake_src_dword
#define src_hdr_type pvhdev__fake_src_hdr_type
#define cfg_get pvhdev__fake_cfg_get
#define fn_hdr pvhdev__fake_fn_hdr
#define bar_kinds pvhdev__fake_bar_kinds
#define win_set pvhdev__fake_win_set
#define cap_offsets pvhdev__fake_cap_offsets
#define fn_masks pvhdev__fake_fn_masks
#define vf_masks pvhdev__fake_vf_masks
#define fake_zalloc pvhdev__fake_zalloc
#define win_alloc pvhdev__fake_win_alloc
#define wins_free pvhdev__fake_wins_free
#define msix_table_reset pvhdev__fake_msix_table_reset
#define mem_reset pvhdev__fake_mem_reset
#define fn_find pvhdev__fake_fn_find
#define fn_live pvhdev__fake_fn_live
#define vfs_on pvhdev__fake_vfs_on
#define vf_find pvhdev__fake_vf_find
#define vf_win_find pvhdev__fake_vf_win_find
#define vfs_free pvhdev__fake_vfs_free
#define vfs_update pvhdev__fake_vfs_update
#define fn_trigger pvhdev__fake_trigger
#define fake_reset pvhdev__fake_reset

#endif
