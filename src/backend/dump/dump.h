/* SPDX-License-Identifier: MIT */
/*
 * src/backend/dump's private header: what the files of the dump backend
 * share (load.c describes the steps).  Functions used across the files
 * are pvhdev__dump_NAME; the macros at the end keep their short names.
 */
#ifndef PVHDEV_BACKEND_DUMP_H
#define PVHDEV_BACKEND_DUMP_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include <pvhdev/dump.h>
#include <pvhdev/ioapic.h>
#include <pvhdev/platform.h>

#include "backend/host_util.h"
#include "backend/pci_guard.h"
#include "pci/header.h"

#define DUMP_LINE_MAX 253     /* chars before '\n': libpci fgets()s 254 */
#define DUMP_ROW 16           /* bytes per hex line, as lspci prints them */
#define DUMP_NR_BARS PVHDEV_PCI_NR_BARS
#define DUMP_SLOT_ROM DUMP_NR_BARS /* slot of the ROM in per-device arrays */
#define DUMP_NR_SLOTS (DUMP_NR_BARS + 1)


/* One BAR line of the verbose text ("Region 0: Memory at ..."). */
struct text_bar {
	unsigned line;
	int region;     /* 0-5 from "Region N:", -1: by order */
	bool rom;       /* "Expansion ROM at" */
	bool io;        /* "I/O ports at" */
	bool has_addr;  /* a hex address, not <unassigned> or <ignored> */
	bool virt;      /* [virtual]: the OS has it, the register reads 0 */
	bool enhanced;  /* [enhanced]: from an Enhanced Allocation entry */
	uint64_t addr;  /* bytes */
	uint64_t size;  /* bytes; 0: no [size=] */
};

/* One function as the scan saw it. */
struct scan_dev {
	pvhdev_sbdf_t sbdf;
	unsigned line;    /* of its device line */
	unsigned len;     /* bytes: highest offset given + 1 */
	uint8_t have[PVHDEV_CFG_EXP_SIZE / DUMP_ROW / 8]; /* rows given */
	struct text_bar *bars;
	size_t nr_bars, cap_bars;
};

enum slot_kind {
	SLOT_NONE,   /* no register (past the header's BARs) */
	SLOT_IO,
	SLOT_MEM32,  /* 32-bit, or the "below 1 MiB" and reserved types */
	SLOT_MEM64,  /* low dword; the next slot is SLOT_HIGH */
	SLOT_HIGH,
	SLOT_BROKEN, /* 64-bit in the header's last BAR: no high half */
	SLOT_ROM,
};

/* One BAR or the ROM, as its register shows it. */
struct slot {
	enum slot_kind kind;
	bool ones;        /* the register reads ffffffff: nothing to go on */
	bool nonzero;     /* the register reads non-zero (lspci's test) */
	uint64_t addr;    /* bytes, flag bits cleared */
	const struct text_bar *text; /* its verbose line, if any */
};

/* One loaded function while its BARs are sized. */
struct sizing {
	struct load *ld;
	struct pvhdev_fake_dev *fd;
	const struct scan_dev *sd;
	char name[PVHDEV_SBDF_STRLEN];
	struct slot slot[DUMP_NR_SLOTS];
	uint64_t need[DUMP_NR_BARS]; /* bytes the MSI-X table/PBA need */
	unsigned nr_bars;   /* BARs lspci prints for this header type */
	unsigned rom_off;   /* config offset of the ROM register; 0: none */
	unsigned hdr;       /* header type, bits 6:0 */
	uint32_t bridge_key; /* type 1: segment << 16 | secondary bus */
	/* SR-IOV (a PF with extended config space): one VF's BARs as the
	 * capability's VF BAR registers show them. */
	unsigned sriov;     /* capability offset; 0: none */
	unsigned total_vfs;
	unsigned vf_offset, vf_stride; /* routing ID arithmetic */
	struct slot vf[DUMP_NR_BARS];
};

/* Where a BAR or ROM starts.  Each PCI segment has its own bus
 * address spaces (IO and memory): some hosts reuse bus addresses
 * behind different host bridges. */
struct range {
	uint32_t space; /* segment << 1 | 1 for IO */
	uint64_t start; /* bytes */
};

struct load {
	const char *path;
	char *err;
	size_t err_len;
	struct pvhdev_dump *dump; /* under construction: devices, notes */
	FILE *f;
	unsigned line;            /* number of the line in buf, from 1 */
	char buf[DUMP_LINE_MAX + 2];
	struct scan_dev *devs;    /* in file order, then sorted by sbdf */
	size_t nr, cap;
	struct scan_dev *cur;     /* device of the current block, or NULL */
	unsigned other_lines;     /* column-0 lines that are neither */
	struct sizing *sz;        /* per loaded function, as dump->devs */
	struct range *ranges;     /* every BAR and ROM start, sorted */
	size_t nr_ranges;
	struct sizing **bridges;  /* type 1 functions by bridge_key */
	size_t nr_bridges;
	struct pci_access *acc;   /* libpci's, while it reads the file */
};

/* Bytes [start, end) of bus memory; max_end: the largest end of this
 * range and those before it (the list is sorted by start), so that one
 * binary search tells whether anything overlaps a range. */
struct pvhdev__dump_range {
	uint64_t start, end, max_end;
};

struct pvhdev_dump {
	struct pvhdev_fake_dev *devs; /* nr_devs, sorted by sbdf */
	size_t nr_devs;
	char **notes;
	size_t nr_notes, cap_notes;
	/* Memory the dump's BARs, ROMs and VF BAR spans take (sized ones),
	 * sorted by start. */
	struct pvhdev__dump_range *busy;
	size_t nr_busy;
	/* Per device: the highest bus it or its VFs (TotalVFs of them, by
	 * First VF Offset and VF Stride) are on. */
	uint8_t *last_bus;
	/* The inferred platform (pvhdev_dump_platform()), once made. */
	bool inferred;
	struct pvhdev_platform plat;
	struct pvhdev_e820_entry e820;
	struct pvhdev_ioapic_desc ioapic;
	struct pvhdev_mcfg *mcfg;
};

/* Appends a note; 0 or -ENOMEM. */
int pvhdev__dump_note_v(struct pvhdev_dump *d, const char *fmt, va_list ap);

/* ---- Messages and the API (load.c) ---- */

int pvhdev__dump_fail(struct load *ld, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pvhdev__dump_fail_file(struct load *ld, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pvhdev__dump_note(struct load *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *pvhdev__dump_size_str(uint64_t bytes, char buf[32]);

/* ---- Scanning the file (scan.c) ---- */

int pvhdev__dump_scan_file(struct load *ld);

/* ---- libpci (pci.c) ---- */

int pvhdev__dump_note_gaps(struct load *ld, const struct scan_dev *sd, const char *name,
                           unsigned cfg_len);
int pvhdev__dump_pci_run(struct load *ld);

/* ---- Sizes (sizes.c) ---- */

int pvhdev__dump_size_all(struct load *ld);

/* The short names the code uses. */
#define fail pvhdev__dump_fail
#define fail_file pvhdev__dump_fail_file
#define note pvhdev__dump_note
#define size_str pvhdev__dump_size_str
#define scan_file pvhdev__dump_scan_file
#define note_gaps pvhdev__dump_note_gaps
#define pci_run pvhdev__dump_pci_run
#define size_all pvhdev__dump_size_all

#endif
