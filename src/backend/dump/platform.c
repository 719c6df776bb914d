/* SPDX-License-Identifier: MIT */
/*
 * A platform for a dump alone (pvhdev_dump_platform()).  An lspci dump
 * has devices and nothing else: no ECAM window, so pvhdev would never
 * read extended config space and a dump's SR-IOV capability would never
 * show.  When some function of the dump has extended config space, a
 * typical PC platform is inferred around the devices:
 *
 *   - per PCI segment, one ECAM window for buses 0 up to the highest bus
 *     of the dump, at the first candidate base (0xe0000000 down to
 *     0x80000000, then from 64 GiB up, 256 MiB apart) that overlaps no
 *     BAR, ROM or VF BAR span of the dump, no IO-APIC or LAPIC page and
 *     no other window;
 *   - RAM below 1 MiB, as on every PC (0-0x9fbff);
 *   - one IO-APIC at 0xfec00000 (id 0, GSIs 0-23), unless a BAR is there.
 *
 * Each inferred item is a note.  A dump with 256-byte config space only
 * gets the empty platform, as before: nothing would read past 256 bytes.
 */
#include <errno.h>
#include <stdlib.h>

#include "backend/dump/dump.h"

#define ECAM_BUS_BYTES (1ull << 20)   /* config space of one bus */
#define ECAM_STEP (256ull << 20)      /* candidate bases, a full window apart */
#define ECAM_LOW_FIRST 0xe0000000ull  /* below 4 GiB, downwards to ... */
#define ECAM_LOW_LAST 0x80000000ull
#define ECAM_HIGH_FIRST (64ull << 30) /* ... then above 4 GiB, upwards */
#define ECAM_HIGH_TRIES 4096u         /* up to 1 TiB past ECAM_HIGH_FIRST */
#define ECAM_MAX_WINDOWS 256u         /* as many as a domain takes late */
#define LOW_RAM_END 0x9fc00ull        /* bytes of RAM below 1 MiB */
#define IOAPIC_BASE 0xfec00000ull
#define IOAPIC_PINS 24
#define PAGE 0x1000ull

static void dump_note(struct pvhdev_dump *d, int *rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dump_note(struct pvhdev_dump *d, int *rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!*rc)
		*rc = pvhdev__dump_note_v(d, fmt, ap);
	va_end(ap);
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/* Whether no BAR, ROM or VF BAR span of the dump overlaps [start, end):
 * of the ranges starting before end, the last has the largest end of them
 * all (max_end); something overlaps iff that is past start.  O(log n). */
static bool busy_free(const struct pvhdev_dump *d, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = d->nr_busy;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->busy[mid].start < end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return !lo || d->busy[lo - 1].max_end <= start;
}

/* Whether [start, end) is free of the dump's memory, the fixed pages and
 * the windows placed so far. */
static bool free_range(const struct pvhdev_dump *d, size_t nr_mcfg, uint64_t start,
                       uint64_t end)
{
	if (overlaps(start, end, IOAPIC_BASE, IOAPIC_BASE + PAGE) ||
	    overlaps(start, end, PVHDEV_LAPIC_DEFAULT, PVHDEV_LAPIC_DEFAULT + PAGE) ||
	    overlaps(start, end, 0, 1ull << 20) || !busy_free(d, start, end))
		return false;
	for (size_t i = 0; i < nr_mcfg; i++) {
		const struct pvhdev_mcfg *m = &d->mcfg[i];
		if (overlaps(start, end, m->addr, m->addr + (m->end_bus + 1ull) * ECAM_BUS_BYTES))
			return false;
	}
	return true;
}

/* The first free base for a window of size bytes; 0 when none is. */
static uint64_t place(const struct pvhdev_dump *d, size_t nr_mcfg, uint64_t size)
{
	for (uint64_t a = ECAM_LOW_FIRST; a >= ECAM_LOW_LAST; a -= ECAM_STEP)
		if (free_range(d, nr_mcfg, a, a + size))
			return a;
	for (uint64_t k = 0; k < ECAM_HIGH_TRIES; k++) {
		uint64_t a = ECAM_HIGH_FIRST + k * ECAM_STEP;
		if (free_range(d, nr_mcfg, a, a + size))
			return a;
	}
	return 0;
}

/* One window per segment, for buses 0 to the highest a function or a VF
 * of the segment is on (devices are in SBDF order: a segment's are
 * together). */
static int place_windows(struct pvhdev_dump *d)
{
	size_t nr = 0;
	unsigned end = 0;
	int rc = 0;

	if (!(d->mcfg = calloc(d->nr_devs, sizeof(*d->mcfg))))
		return -ENOMEM;
	for (size_t i = 0; i < d->nr_devs && !rc; i++) {
		pvhdev_sbdf_t sbdf = d->devs[i].sbdf;
		if (d->last_bus[i] > end)
			end = d->last_bus[i];
		if (i + 1 < d->nr_devs &&
		    PVHDEV_SBDF_SEG(d->devs[i + 1].sbdf) == PVHDEV_SBDF_SEG(sbdf))
			continue;
		unsigned seg = PVHDEV_SBDF_SEG(sbdf), last = end;
		end = 0;
		if (nr == ECAM_MAX_WINDOWS) {
			dump_note(d, &rc, "platform: more than %u segments: no ECAM window for "
			          "segment %04x (its extended config space is not read)",
			          ECAM_MAX_WINDOWS, seg);
			continue;
		}
		uint64_t base = place(d, nr, (last + 1ull) * ECAM_BUS_BYTES);
		if (!base) {
			dump_note(d, &rc, "platform: no room for an ECAM window for segment "
			          "%04x: its extended config space is not read", seg);
			continue;
		}
		d->mcfg[nr++] = (struct pvhdev_mcfg){ base, (uint16_t)seg, 0, (uint8_t)last };
		dump_note(d, &rc, "platform: inferred ECAM window for segment %04x, buses "
		          "00-%02x, at 0x%llx (where no BAR, ROM or VF BAR of the dump is)",
		          seg, last, (unsigned long long)base);
	}
	d->plat.mcfg = d->mcfg;
	d->plat.nr_mcfg = nr;
	return rc;
}

static bool has_ext(const struct pvhdev_dump *d)
{
	for (size_t i = 0; i < d->nr_devs; i++)
		if (d->devs[i].cfg_len > PVHDEV_CFG_SIZE)
			return true;
	return false;
}

static int infer(struct pvhdev_dump *d)
{
	int rc;

	d->plat.size = sizeof(d->plat);
	d->inferred = true;
	if (!has_ext(d))
		return 0; /* nothing would read past 256 bytes: nothing to infer */
	if ((rc = place_windows(d)))
		return rc;
	d->e820 = (struct pvhdev_e820_entry){ 0, LOW_RAM_END, PVHDEV_E820_RAM };
	d->plat.e820 = &d->e820;
	d->plat.nr_e820 = 1;
	dump_note(d, &rc, "platform: inferred RAM below 1 MiB (0x0-0x%llx)",
	          (unsigned long long)LOW_RAM_END - 1);
	if (!busy_free(d, IOAPIC_BASE, IOAPIC_BASE + PAGE)) {
		dump_note(d, &rc, "platform: no IO-APIC: a BAR of the dump covers 0x%llx",
		          (unsigned long long)IOAPIC_BASE);
		return rc;
	}
	d->ioapic = (struct pvhdev_ioapic_desc){ 0, IOAPIC_BASE, 0, IOAPIC_PINS };
	d->plat.ioapics = &d->ioapic;
	d->plat.nr_ioapics = 1;
	dump_note(d, &rc, "platform: inferred IO-APIC 0 at 0x%llx, GSIs 0-%u",
	          (unsigned long long)IOAPIC_BASE, IOAPIC_PINS - 1);
	return rc;
}

int pvhdev_dump_platform(struct pvhdev_dump *dump, const struct pvhdev_platform **out)
{
	int rc = 0;

	if (!dump || !out)
		return -EINVAL;
	if (!dump->inferred && (rc = infer(dump)))
		return rc;
	*out = &dump->plat;
	return 0;
}
