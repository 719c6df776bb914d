/* SPDX-License-Identifier: MIT */
/*
 * src/backend/libpci's private header: what the files of the libpci
 * backend share.  Functions used across the files are
 * pvhdev__libpci_NAME; the macros at the end keep their short names.
 *
 *   libpci.c    open and close, notes, libpci's calls under guard, the
 *               getters
 *   snapshot.c  at open: sysfs checked, every function snapshotted
 *               (config bytes, BAR and ROM sizes) into devs
 *   lspci.c     the snapshot written as an `lspci -vv` dump
 *   hooks.c     the backend's hooks: the hardware behind the shadow
 */
#ifndef PVHDEV_BACKEND_LIBPCI_H
#define PVHDEV_BACKEND_LIBPCI_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include <pvhdev/host.h>
#include <pvhdev/host_backend.h>

#include "backend/pci_guard.h"
#include "pci/header.h"

#define LP_MAX_NOTES 64
#define LP_PATH_MAX 4096
#define LP_SHORT_CFG 64u          /* bytes sysfs gives a non-root reader */
#define LP_FILL (PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_BASES |      \
                 PCI_FILL_ROM_BASE | PCI_FILL_SIZES)

/* One function: libpci's handle and which config bytes the domain
 * wrote (one bit per byte), i.e. which the shadow holds. */
struct lp_fn {
	struct pci_dev *pd;
	uint8_t written[PVHDEV_CFG_EXP_SIZE / 8];
};

struct pvhdev_libpci {
	unsigned flags;               /* PVHDEV_LIBPCI_* */
	struct pci_access *acc;
	struct pvhdev_fake_dev *devs; /* nr, SBDF order; cfg is ours */
	struct lp_fn *fn;             /* nr, parallel to devs */
	size_t nr;
	struct pvhdev_fake *fake;     /* the shadow */
	struct pci_dev **order;       /* libpci's functions, sorted, at open */
	uint8_t *pending;             /* config bytes being read, at open */
	char *notes[LP_MAX_NOTES];
	size_t nr_notes;
	unsigned long hw_writes;
	char sysfs_pci[LP_PATH_MAX];  /* libpci's sysfs.path */
	char *err;                    /* open's message buffer, or NULL */
	size_t err_len;
	struct pvhdev__pci_guard guard; /* libpci's error hook returns here */
};

/* Config dword at off of d's snapshot; 0 past its bytes. */
static inline uint32_t lp_cfg_dword(const struct pvhdev_fake_dev *d, unsigned off)
{
	uint32_t v = 0;

	for (unsigned k = 4; k-- > 0;)
		v = v << 8 | (off + k < d->cfg_len ? d->cfg[off + k] : 0u);
	return v;
}

/* The header type (bits 6:0) of d's config bytes; 0 past them. */
static inline unsigned lp_hdr_type(const struct pvhdev_fake_dev *d)
{
	return PVHDEV_PCI_HEADER_TYPE < d->cfg_len ?
	       d->cfg[PVHDEV_PCI_HEADER_TYPE] & PVHDEV_PCI_HEADER_TYPE_MASK : 0;
}

/* ---- libpci.c ---- */

/* Adds a note (and, while opening, sets open's message); returns rc. */
__attribute__((format(printf, 3, 4)))
int pvhdev__libpci_note(struct pvhdev_libpci *lp, int rc, const char *fmt, ...);
/* Runs fn(lp, arg) with libpci's error hook turned into an error return
 * (and a note).  Not reentrant for one lp. */
int pvhdev__libpci_guarded(struct pvhdev_libpci *lp,
                           int (*fn)(struct pvhdev_libpci *lp, void *arg), void *arg);

/* ---- snapshot.c ---- */

/* Checks root's sysfs (root/bus/pci/devices, the files libpci reads
 * for every function) and sets lp->sysfs_pci; a note says what fails. */
int pvhdev__libpci_check_sysfs(struct pvhdev_libpci *lp, const char *root);
/* Runs guarded: scans lp->sysfs_pci, then snapshots every function
 * into lp->devs and lp->fn, in SBDF order. */
int pvhdev__libpci_scan(struct pvhdev_libpci *lp, void *arg);

/* The short names the code uses. */
#define note pvhdev__libpci_note
#define guarded pvhdev__libpci_guarded
#define cfg_dword lp_cfg_dword
#define hdr_type lp_hdr_type
#define check_sysfs pvhdev__libpci_check_sysfs
#define lp_scan pvhdev__libpci_scan

#endif
