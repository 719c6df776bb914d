/* SPDX-License-Identifier: MIT */
/* What the dump backend's files share (dump.c loads, dump_platform.c
 * infers a platform for a dump alone). */
#ifndef PVHDEV_BACKEND_DUMP_PRIV_H
#define PVHDEV_BACKEND_DUMP_PRIV_H

#include <stdarg.h>
#include <stdbool.h>

#include <pvhdev/dump.h>
#include <pvhdev/ioapic.h>
#include <pvhdev/platform.h>

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

#endif
