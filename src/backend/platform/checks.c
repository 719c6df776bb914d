/* SPDX-License-Identifier: MIT */
/* Platform files: overlaps across elements (e820, MCFG buses and
 * windows, IO-APIC ids, GSIs and windows, reserved ranges, SBDFs). */
#include "backend/platform/pf.h"

/* ---- Checks across elements ---- */

/* An inclusive range [first, last] (bytes, buses, GSIs, SBDFs) and the
 * line of the element it came from. */
struct span {
	uint64_t first, last;
	unsigned line;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Sorts s; true when two overlap: *early came first in the file. */
static bool spans_overlap(struct span *s, size_t n, const struct span **early,
                          const struct span **late)
{
	size_t top = 0; /* the span reaching furthest so far */

	qsort(s, n, sizeof(*s), span_cmp);
	for (size_t i = 1; i < n; i++) {
		if (s[i].first <= s[top].last) {
			bool first = s[top].line <= s[i].line;

			*early = first ? &s[top] : &s[i];
			*late = first ? &s[i] : &s[top];
			return true;
		}
		if (s[i].last > s[top].last)
			top = i;
	}
	return false;
}

/* What one check makes of the i-th item of its table. */
typedef struct span (*span_fn)(const void *item);

static struct span sp_e820(const void *p)
{
	const struct pvhdev_e820_entry *e = p;

	return (struct span){ e->addr, e->addr + e->size - 1, 0 };
}

static struct span sp_mcfg_bus(const void *p)
{
	const struct pvhdev_mcfg *m = p;
	uint64_t seg = (uint64_t)m->seg << 8;

	return (struct span){ seg | m->start_bus, seg | m->end_bus, 0 };
}

static struct span sp_mcfg_win(const void *p)
{
	const struct pvhdev_mcfg *m = p;

	uint64_t first = (uint64_t)m->start_bus << PF_MCFG_BUS_SHIFT;
	uint64_t end = (uint64_t)(m->end_bus + 1) << PF_MCFG_BUS_SHIFT;

	return (struct span){ m->addr + first, m->addr + end - 1, 0 };
}

static struct span sp_ioapic_id(const void *p)
{
	const struct pvhdev_ioapic_desc *io = p;

	return (struct span){ io->id, io->id, 0 };
}

static struct span sp_ioapic_gsi(const void *p)
{
	const struct pvhdev_ioapic_desc *io = p;

	return (struct span){ io->gsi_base, (uint64_t)io->gsi_base + io->pins - 1, 0 };
}

static struct span sp_ioapic_win(const void *p)
{
	const struct pvhdev_ioapic_desc *io = p;

	return (struct span){ io->addr, io->addr + PVHDEV_IOAPIC_WINDOW - 1, 0 };
}

static struct span sp_sbdf(const void *p)
{
	const pvhdev_sbdf_t *s = p;

	return (struct span){ *s, *s, 0 };
}

static struct span sp_dev(const void *p)
{
	const struct pvhdev_fake_dev *d = p;

	return (struct span){ d->sbdf, d->sbdf, 0 };
}

static struct span sp_range(const void *p)
{
	const struct pvhdev_mem_range *r = p;

	return (struct span){ r->addr, r->addr + r->size - 1, 0 };
}

/* How a message names a span. */
typedef void (*span_desc_fn)(const struct span *s, char *buf, size_t len);

static void sd_bytes(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "0x%llx-0x%llx", (unsigned long long)s->first,
	         (unsigned long long)s->last);
}

static void sd_ecam(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "ECAM 0x%llx-0x%llx", (unsigned long long)s->first,
	         (unsigned long long)s->last);
}

static void sd_buses(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "segment %04llx bus range %02llx-%02llx",
	         (unsigned long long)(s->first >> 8),
	         (unsigned long long)(s->first & 0xff),
	         (unsigned long long)(s->last & 0xff));
}

static void sd_id(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "id %llu", (unsigned long long)s->first);
}

static void sd_gsis(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "GSI range %llu-%llu", (unsigned long long)s->first,
	         (unsigned long long)s->last);
}

static void sd_window(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "window 0x%llx-0x%llx", (unsigned long long)s->first,
	         (unsigned long long)s->last);
}

static void sd_sbdf(const struct span *s, char *buf, size_t len)
{
	char sb[PVHDEV_SBDF_STRLEN];

	snprintf(buf, len, "%s", pvhdev_sbdf_str((pvhdev_sbdf_t)s->first, sb));
}

/* One rule: a table, how its items span and are named, and either
 * "overlaps" (again == NULL) or what a repeated point is. */
static const struct overlap_rule {
	enum pf_tab tab;
	span_fn span;
	span_desc_fn desc;
	const char *elem;  /* NULL: devices come from dump or device */
	const char *again;
} pf_overlaps[] = {
	{ PF_E820, sp_e820, sd_bytes, "e820", NULL },
	{ PF_MCFG, sp_mcfg_bus, sd_buses, "mcfg", NULL },
	{ PF_MCFG, sp_mcfg_win, sd_ecam, "mcfg", NULL },
	{ PF_IOAPIC, sp_ioapic_id, sd_id, "ioapic", "is already used" },
	{ PF_IOAPIC, sp_ioapic_gsi, sd_gsis, "ioapic", NULL },
	{ PF_IOAPIC, sp_ioapic_win, sd_window, "ioapic", NULL },
	{ PF_HIDDEN, sp_sbdf, sd_sbdf, "hidden", "is already hidden" },
	{ PF_RESERVED, sp_range, sd_bytes, "reserved", NULL },
	{ PF_DEV, sp_dev, sd_sbdf, NULL, "is already defined" },
};

static int overlap_fail(struct load *ld, const struct overlap_rule *r,
                        const struct span *a, const struct span *b)
{
	char da[64], db[64];

	r->desc(a, da, sizeof(da));
	r->desc(b, db, sizeof(db));
	if (r->again)
		return fail_line(ld, b->line, r->elem, -EINVAL, "%s%s %s at line %u",
		                 r->elem ? "" : "device ", db, r->again, a->line);
	return fail_line(ld, b->line, r->elem, -EINVAL, "%s overlaps %s at line %u",
	                 db, da, a->line);
}

static int check_overlap(struct load *ld, const struct overlap_rule *r)
{
	const struct vec *t = &ld->pf->tab[r->tab];
	const unsigned *lines = ld->lines[r->tab].p;
	const struct span *a, *b;
	struct span *s;
	int rc = 0;

	if (t->nr < 2)
		return 0;
	s = calloc(t->nr, sizeof(*s));
	if (!s)
		return oom(ld);
	for (size_t i = 0; i < t->nr; i++) {
		s[i] = r->span((const char *)t->p + i * pf_elem_size[r->tab]);
		s[i].line = lines[i];
	}
	if (spans_overlap(s, t->nr, &a, &b))
		rc = overlap_fail(ld, r, a, b);
	free(s);
	return rc;
}

static int e820_cmp(const void *a, const void *b)
{
	const struct pvhdev_e820_entry *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

static int dev_cmp(const void *a, const void *b)
{
	const struct pvhdev_fake_dev *x = a, *y = b;

	return (x->sbdf > y->sbdf) - (x->sbdf < y->sbdf);
}

/* Overlaps, then the order the platform promises (once nothing
 * overlaps, sorting cannot tie). */
int check_all(struct load *ld)
{
	struct vec *e820 = &ld->pf->tab[PF_E820], *devs = &ld->pf->tab[PF_DEV];

	for (size_t i = 0; i < sizeof(pf_overlaps) / sizeof(pf_overlaps[0]); i++) {
		int rc = check_overlap(ld, &pf_overlaps[i]);

		if (rc)
			return rc;
	}
	if (e820->nr)
		qsort(e820->p, e820->nr, pf_elem_size[PF_E820], e820_cmp);
	if (devs->nr)
		qsort(devs->p, devs->nr, pf_elem_size[PF_DEV], dev_cmp);
	return 0;
}

/* <platform version> and each child, in file order. */
