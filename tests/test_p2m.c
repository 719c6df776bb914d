/* SPDX-License-Identifier: MIT */
/*
 * The p2m model: exact records and events for map, merge, overlap,
 * unmap (whole, edges, middle), owners, hook refusal, allocator
 * failure at every call, ordered walks, a 64 GiB range as one record,
 * the excluded set, and a long random run against a page-array model.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "p2m_model/p2m.h"

#define D1 PVHDEV_SBDF(0, 3, 0, 0)
#define D2 PVHDEV_SBDF(0, 4, 0, 0)
#define TOP_PAGE ((1ull << 52) - 1) /* the last page of the address space */

static const char *const reasons[] = {
	"low-mem", "ram-copy", "acpi", "nvs", "acpi-table", "bar", "rom", "vf-bar",
};

/* ---- Dumps ---- */

struct dump {
	char buf[1 << 14];
	size_t len;
};

static int dump_one(void *arg, const struct pvhdev_p2m_range *r)
{
	struct dump *d = arg;
	char s[PVHDEV_SBDF_STRLEN];
	int n = snprintf(d->buf + d->len, sizeof(d->buf) - d->len,
	                 "0x%llx 0x%llx 0x%llx %s %s %s %d\n", (unsigned long long)r->gfn,
	                 (unsigned long long)r->nr, (unsigned long long)r->mfn,
	                 r->type == PVHDEV_P2M_RAM ? "ram" : "identity",
	                 reasons[r->reason], pvhdev_sbdf_str(r->owner, s), r->bar);
	assert_true(n > 0 && (size_t)n < sizeof(d->buf) - d->len);
	d->len += (size_t)n;
	return 0;
}

/* The p2m, one record a line: gfn nr mfn type reason owner bar. */
static const char *p2m_str(struct test_dom *t)
{
	static struct dump d;

	d.len = 0;
	d.buf[0] = '\0';
	assert_int_equal(pvhdev_p2m_foreach(t->dom, dump_one, &d), 0);
	return d.buf;
}

/* The excluded set, one range a line: gfn nr kind. */
static const char *excl_str(struct test_dom *t)
{
	static char buf[4096];
	size_t len = 0;
	uint64_t gfn = 0, s, n;
	enum pvhdev__excl_kind kind;

	buf[0] = '\0';
	while (gfn <= TOP_PAGE &&
	       !pvhdev__excl_first(t->dom, gfn, TOP_PAGE - gfn + 1, &s, &n, &kind)) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "0x%llx 0x%llx %d\n",
		                        (unsigned long long)s, (unsigned long long)n, kind);
		gfn = s + n;
	}
	return buf;
}

/*
 * The p2m's own invariants: records sorted and disjoint, no identity
 * record over an excluded page, no two neighbours that should have
 * merged.  (pvhdev_check_invariants, which helpers' test_events runs,
 * also wants every BAR range to belong to a mapped BAR of a present
 * device: these tests drive the p2m with owners that are not devices.)
 */
static void check_p2m(struct test_dom *t)
{
	struct pvhdev_p2m_range r, prev = { 0 };
	uint64_t s, n;
	enum pvhdev__excl_kind kind;
	bool first = true;

	for (uint64_t gfn = 0; !pvhdev__p2m_first_from(t->dom, gfn, &r); gfn = r.gfn + r.nr) {
		assert_true(r.nr > 0);
		if (!first) {
			assert_true(prev.gfn + prev.nr <= r.gfn);
			assert_false(prev.gfn + prev.nr == r.gfn && prev.type == r.type &&
			             prev.reason == r.reason && prev.owner == r.owner &&
			             prev.bar == r.bar && prev.mfn + prev.nr == r.mfn);
		}
		if (r.type == PVHDEV_P2M_IDENTITY)
			assert_int_equal(pvhdev__excl_first(t->dom, r.gfn, r.nr, &s, &n, &kind),
			                 -ENOENT);
		prev = r;
		first = false;
		if (r.gfn + r.nr > TOP_PAGE)
			break;
	}
}

/* Events since the mark, one a line, after check_p2m. */
static const char *p2m_events(struct test_dom *t)
{
	static char buf[1 << 14];
	size_t len = 0;

	check_p2m(t);
	buf[0] = '\0';
	for (; t->mark < pvhdev_event_next_seq(t->dom); t->mark++) {
		struct pvhdev_event ev;
		assert_int_equal(pvhdev_event_get(t->dom, t->mark, &ev), 0);
		int n = pvhdev_event_format(&ev, buf + len, sizeof(buf) - len - 1);
		assert_true(n >= 0);
		len += (size_t)n;
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	return buf;
}

#define expect_p2m_events(t, want) assert_string_equal(p2m_events(t), want)

static void dom_new(struct test_dom *t)
{
	assert_int_equal(test_dom_init(t, NULL, 0), 0);
	/* Ranges owned by BARs no device has: the BAR invariants do not
	 * apply to these hand-built states. */
	t->skip_invariants = true;
}

static int map(struct test_dom *t, uint64_t gfn, uint64_t nr, pvhdev_sbdf_t owner,
               int bar)
{
	return pvhdev__p2m_identity_map(t->dom, gfn, nr, PVHDEV_MAP_BAR, owner, bar);
}

static int unmap(struct test_dom *t, uint64_t gfn, uint64_t nr, pvhdev_sbdf_t owner,
                 int bar)
{
	return pvhdev__p2m_identity_unmap(t->dom, gfn, nr, owner, bar);
}

/* ---- Map and query ---- */

static void test_map_query(void **state)
{
	struct test_dom t;
	struct pvhdev_p2m_range r;

	(void)state;
	dom_new(&t);
	assert_int_equal(pvhdev_p2m_count(t.dom), 0);
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xfe000, &r), -ENOENT);
	assert_int_equal(map(&t, 0xfe000, 0x10, D1, 2), 0);
	expect_p2m_events(&t, "map 0xfe000 0x10 0xfe000 bar\n");
	for (uint64_t g = 0xfe000; g < 0xfe010; g += 0xf) {
		memset(&r, 0xa5, sizeof(r));
		assert_int_equal(pvhdev_p2m_query(t.dom, g, &r), 0);
		assert_int_equal(r.gfn, 0xfe000);
		assert_int_equal(r.nr, 0x10);
		assert_int_equal(r.mfn, 0xfe000);
		assert_int_equal(r.type, PVHDEV_P2M_IDENTITY);
		assert_int_equal(r.reason, PVHDEV_MAP_BAR);
		assert_int_equal(r.owner, D1);
		assert_int_equal(r.bar, 2);
	}
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xfdfff, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xfe010, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(NULL, 0xfe000, &r), -EINVAL);
	assert_int_equal(pvhdev_p2m_count(t.dom), 1);
	assert_int_equal(pvhdev_p2m_count(NULL), 0);
	test_dom_fini(&t);
}

static void test_map_invalid(void **state)
{
	struct test_dom t;

	(void)state;
	dom_new(&t);
	assert_int_equal(map(&t, 0x100, 0, D1, 0), -EINVAL);
	assert_int_equal(map(&t, TOP_PAGE, 2, D1, 0), -EINVAL);
	assert_int_equal(map(&t, TOP_PAGE + 1, 1, D1, 0), -EINVAL);
	assert_int_equal(map(&t, 1, UINT64_MAX, D1, 0), -EINVAL);
	assert_int_equal(map(&t, 0x100, 1, D1, -2), -EINVAL);
	assert_int_equal(pvhdev__p2m_identity_map(t.dom, 0x100, 1, PVHDEV_MAP_RAM_COPY, 0, -1),
	                 -EINVAL);
	assert_int_equal(pvhdev__p2m_identity_map(t.dom, 0x100, 1, PVHDEV_MAP__COUNT, 0, -1),
	                 -EINVAL);
	/* RAM copies are for low memory only. */
	assert_int_equal(pvhdev__p2m_ram_copy(t.dom, 0xff, 2), -EINVAL);
	assert_int_equal(pvhdev__p2m_ram_copy(t.dom, 0x10, 0), -EINVAL);
	assert_string_equal(p2m_str(&t), "");
	expect_p2m_events(&t, "");
	test_dom_fini(&t);
}

static void test_map_top_of_space(void **state)
{
	struct test_dom t;
	struct pvhdev_p2m_range r;

	(void)state;
	dom_new(&t);
	assert_int_equal(map(&t, TOP_PAGE - 0xf, 0x10, D1, 0), 0);
	assert_int_equal(pvhdev_p2m_query(t.dom, TOP_PAGE, &r), 0);
	assert_int_equal(r.nr, 0x10);
	assert_int_equal(map(&t, TOP_PAGE - 0x1f, 0x10, D1, 0), 0); /* merges */
	assert_int_equal(map(&t, 0, 1, D1, 0), 0);                   /* page 0 */
	assert_string_equal(p2m_str(&t),
	                    "0x0 0x1 0x0 identity bar 0000:03:00.0 0\n"
	                    "0xfffffffffffe0 0x20 0xfffffffffffe0 identity bar 0000:03:00.0 0\n");
	assert_int_equal(unmap(&t, TOP_PAGE, 1, D1, 0), 0);
	assert_int_equal(unmap(&t, 0, 1, D1, 0), 0);
	expect_p2m_events(&t, "map 0xffffffffffff0 0x10 0xffffffffffff0 bar\n"
	                  "map 0xfffffffffffe0 0x10 0xfffffffffffe0 bar\n"
	                  "map 0x0 0x1 0x0 bar\n"
	                  "unmap 0xfffffffffffff 0x1\n"
	                  "unmap 0x0 0x1\n");
	assert_string_equal(p2m_str(&t),
	                    "0xfffffffffffe0 0x1f 0xfffffffffffe0 identity bar 0000:03:00.0 0\n");
	test_dom_fini(&t);
}

static void test_ram_copy(void **state)
{
	struct test_dom t;

	(void)state;
	dom_new(&t);
	assert_int_equal(pvhdev__p2m_ram_copy(t.dom, 0, 0x9f), 0);
	assert_int_equal(pvhdev__p2m_identity_map(t.dom, 0x9f, 0x61, PVHDEV_MAP_LOW_MEM, 0, -1),
	                 0);
	expect_p2m_events(&t, "map 0x0 0x9f 0x0 ram-copy\n"
	                  "map 0x9f 0x61 0x9f low-mem\n");
	/* Same owner and bar, other type and reason: two records. */
	assert_string_equal(p2m_str(&t), "0x0 0x9f 0x0 ram ram-copy 0000:00:00.0 -1\n"
	                                 "0x9f 0x61 0x9f identity low-mem 0000:00:00.0 -1\n");
	/* Copies are not identity entries: the identity API leaves them. */
	assert_int_equal(unmap(&t, 0, 0x100, 0, -1), 0);
	expect_p2m_events(&t, "unmap 0x9f 0x61\n");
	assert_string_equal(p2m_str(&t), "0x0 0x9f 0x0 ram ram-copy 0000:00:00.0 -1\n");
	assert_int_equal(pvhdev__p2m_ram_copy(t.dom, 0x9e, 2), -EEXIST);
	test_dom_fini(&t);
}

/* ---- Merging ---- */

static void test_merge_chunks(void **state)
{
	struct test_dom t;
	size_t live;

	(void)state;
	dom_new(&t);
	/* Budget-sized chunks in order: one record, one event each. */
	for (uint64_t g = 0x1000; g < 0x1010; g += 4)
		assert_int_equal(map(&t, g, 4, D1, 0), 0);
	live = pvhdev_p2m_count(t.dom);
	/* Backwards: the record grows down. */
	for (uint64_t g = 0x200c; g >= 0x2000; g -= 4)
		assert_int_equal(map(&t, g, 4, D1, 1), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), live + 1);
	/* A chunk that bridges two records joins them. */
	assert_int_equal(map(&t, 0x3000, 4, D1, 2), 0);
	assert_int_equal(map(&t, 0x3008, 4, D1, 2), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), 4);
	assert_int_equal(map(&t, 0x3004, 4, D1, 2), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), 3);
	assert_string_equal(p2m_str(&t),
	                    "0x1000 0x10 0x1000 identity bar 0000:03:00.0 0\n"
	                    "0x2000 0x10 0x2000 identity bar 0000:03:00.0 1\n"
	                    "0x3000 0xc 0x3000 identity bar 0000:03:00.0 2\n");
	expect_p2m_events(&t, "map 0x1000 0x4 0x1000 bar\n"
	                  "map 0x1004 0x4 0x1004 bar\n"
	                  "map 0x1008 0x4 0x1008 bar\n"
	                  "map 0x100c 0x4 0x100c bar\n"
	                  "map 0x200c 0x4 0x200c bar\n"
	                  "map 0x2008 0x4 0x2008 bar\n"
	                  "map 0x2004 0x4 0x2004 bar\n"
	                  "map 0x2000 0x4 0x2000 bar\n"
	                  "map 0x3000 0x4 0x3000 bar\n"
	                  "map 0x3008 0x4 0x3008 bar\n"
	                  "map 0x3004 0x4 0x3004 bar\n");
	test_dom_fini(&t);
}

static void test_no_merge_across_kinds(void **state)
{
	struct test_dom t;

	(void)state;
	dom_new(&t);
	assert_int_equal(map(&t, 0x100, 4, D1, 0), 0);
	assert_int_equal(map(&t, 0x104, 4, D2, 0), 0); /* other owner */
	assert_int_equal(map(&t, 0x108, 4, D2, 1), 0); /* other bar */
	assert_int_equal(pvhdev__p2m_identity_map(t.dom, 0x10c, 4, PVHDEV_MAP_ROM, D2, 1),
	                 0); /* other reason */
	assert_int_equal(pvhdev__p2m_identity_map(t.dom, 0xf0, 0x10, PVHDEV_MAP_ACPI, 0, -1),
	                 0);
	assert_string_equal(p2m_str(&t), "0xf0 0x10 0xf0 identity acpi 0000:00:00.0 -1\n"
	                                 "0x100 0x4 0x100 identity bar 0000:03:00.0 0\n"
	                                 "0x104 0x4 0x104 identity bar 0000:04:00.0 0\n"
	                                 "0x108 0x4 0x108 identity bar 0000:04:00.0 1\n"
	                                 "0x10c 0x4 0x10c identity rom 0000:04:00.0 1\n");
	test_dom_fini(&t);
}

/* ---- Overlap ---- */

static void test_overlap_every_edge(void **state)
{
	static const struct { uint64_t gfn, nr; } cases[] = {
		{ 0xf0, 0x11 },   /* ends on the first page */
		{ 0x10f, 0x11 },  /* starts on the last page */
		{ 0x100, 1 },     /* the first page */
		{ 0x10f, 1 },     /* the last page */
		{ 0x104, 2 },     /* inside */
		{ 0x100, 0x10 },  /* the same range */
		{ 0xf0, 0x30 },   /* around it */
		{ 0x0, TOP_PAGE + 1 },
	};
	struct test_dom t;
	char before[256];

	(void)state;
	dom_new(&t);
	assert_int_equal(map(&t, 0x100, 0x10, D1, 0), 0);
	test_events_skip(&t);
	strcpy(before, p2m_str(&t));
	for (size_t i = 0; i < PVHDEV__ARRAY_SIZE(cases); i++) {
		size_t live = t.alloc.live_blocks;
		assert_int_equal(map(&t, cases[i].gfn, cases[i].nr, D2, 1), -EEXIST);
		/* The same owner does not get a pass either. */
		assert_int_equal(map(&t, cases[i].gfn, cases[i].nr, D1, 0), -EEXIST);
		assert_string_equal(p2m_str(&t), before);
		assert_int_equal(t.alloc.live_blocks, live);
		expect_p2m_events(&t, "");
	}
	/* Touching is not overlapping. */
	assert_int_equal(map(&t, 0xf0, 0x10, D2, 1), 0);
	assert_int_equal(map(&t, 0x110, 0x10, D2, 1), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), 3);
	test_dom_fini(&t);
}

static void test_overlap_log(void **state)
{
	struct test_dom t;

	(void)state;
	dom_new(&t);
	assert_int_equal(map(&t, 0x100, 0x10, D1, 0), 0);
	assert_int_equal(pvhdev__p2m_identity_map(t.dom, 0xa0, 0x60, PVHDEV_MAP_LOW_MEM, 0, -1),
	                 0);
	test_log_reset(&t);
	assert_int_equal(map(&t, 0x10f, 2, D2, 1), -EEXIST);
	assert_int_equal(map(&t, 0xff, 1, D2, 6), -EEXIST);
	assert_string_equal(t.log,
	                    "p2m: map gfn 0x10f-0x110 (bar, 0000:04:00.0 bar 1) refused: "
	                    "overlaps gfn 0x100-0x10f (bar, 0000:03:00.0 bar 0)\n"
	                    "p2m: map gfn 0xff-0xff (bar, 0000:04:00.0 bar 6) refused: "
	                    "overlaps gfn 0xa0-0xff (low-mem, boot)\n");
	test_dom_fini(&t);
}

static void test_map_excluded(void **state)
{
	struct test_dom t;

	(void)state;
	dom_new(&t);
	assert_int_equal(pvhdev__excl_add(t.dom, 0xfec00, 1, PVHDEV__EXCL_IOAPIC), 0);
	assert_int_equal(pvhdev__excl_add(t.dom, 0x10, 0x10, PVHDEV__EXCL_RAM), 0);
	test_log_reset(&t);
	assert_int_equal(map(&t, 0xfebf0, 0x20, D1, 0), -EPERM);
	assert_string_equal(t.log, "p2m: map gfn 0xfebf0-0xfec0f (bar, 0000:03:00.0 bar 0) "
	                           "refused: gfn 0xfec00-0xfec00 is an IO-APIC page\n");
	assert_int_equal(map(&t, 0xfebf0, 0x10, D1, 0), 0);
	assert_int_equal(map(&t, 0xfec01, 0x10, D1, 0), 0);
	/* RAM copies copy RAM: its exclusion does not apply to them. */
	assert_int_equal(pvhdev__p2m_ram_copy(t.dom, 0x10, 0x10), 0);
	assert_string_equal(p2m_str(&t), "0x10 0x10 0x10 ram ram-copy 0000:00:00.0 -1\n"
	                                 "0xfebf0 0x10 0xfebf0 identity bar 0000:03:00.0 0\n"
	                                 "0xfec01 0x10 0xfec01 identity bar 0000:03:00.0 0\n");
	test_dom_fini(&t);
}

/* ---- Unmap ---- */

static void test_unmap_whole(void **state)
{
	struct test_dom t;
	size_t live;

	(void)state;
	dom_new(&t);
	live = t.alloc.live_blocks;
	assert_int_equal(map(&t, 0x100, 0x10, D1, 0), 0);
	assert_int_equal(unmap(&t, 0x100, 0x10, D1, 0), 0);
	assert_string_equal(p2m_str(&t), "");
	assert_int_equal(pvhdev_p2m_count(t.dom), 0);
	/* The record went back to its slab, which stays with the domain. */
	assert_int_equal(t.alloc.live_blocks, live + 1);
	/* Nothing left to remove: not an error, and no event. */
	assert_int_equal(unmap(&t, 0x100, 0x10, D1, 0), 0);
	assert_int_equal(unmap(&t, 0x100, 0, D1, 0), -EINVAL);
	assert_int_equal(unmap(&t, TOP_PAGE, 2, D1, 0), -EINVAL);
	expect_p2m_events(&t, "map 0x100 0x10 0x100 bar\n"
	                  "unmap 0x100 0x10\n");
	test_dom_fini(&t);
}

static void test_unmap_edges(void **state)
{
	struct test_dom t;

	(void)state;
	dom_new(&t);
	assert_int_equal(map(&t, 0x100, 0x10, D1, 0), 0);
	test_events_skip(&t);
	assert_int_equal(unmap(&t, 0xf0, 0x14, D1, 0), 0);  /* head, from before */
	assert_int_equal(unmap(&t, 0x10c, 0x4, D1, 0), 0);  /* tail, exactly */
	assert_int_equal(unmap(&t, 0x104, 0x1, D1, 0), 0);  /* new head page */
	assert_string_equal(p2m_str(&t), "0x105 0x7 0x105 identity bar 0000:03:00.0 0\n");
	expect_p2m_events(&t, "unmap 0x100 0x4\n"
	                  "unmap 0x10c 0x4\n"
	                  "unmap 0x104 0x1\n");
	test_dom_fini(&t);
}

static void test_unmap_middle_split(void **state)
{
	struct test_dom t;
	struct pvhdev_p2m_range r;

	(void)state;
	dom_new(&t);
	assert_int_equal(map(&t, 0x100, 0x10, D1, 3), 0);
	test_events_skip(&t);
	size_t live = pvhdev_p2m_count(t.dom);
	assert_int_equal(unmap(&t, 0x104, 0x4, D1, 3), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), live + 1);
	assert_string_equal(p2m_str(&t), "0x100 0x4 0x100 identity bar 0000:03:00.0 3\n"
	                                 "0x108 0x8 0x108 identity bar 0000:03:00.0 3\n");
	expect_p2m_events(&t, "unmap 0x104 0x4\n");
	assert_int_equal(pvhdev_p2m_query(t.dom, 0x10f, &r), 0);
	assert_int_equal(r.mfn, 0x108);
	/* Mapping the hole again joins the three pieces. */
	assert_int_equal(map(&t, 0x104, 0x4, D1, 3), 0);
	assert_string_equal(p2m_str(&t), "0x100 0x10 0x100 identity bar 0000:03:00.0 3\n");
	assert_int_equal(pvhdev_p2m_count(t.dom), live);
	test_dom_fini(&t);
}

static void test_unmap_other_owners_stay(void **state)
{
	struct test_dom t;

	(void)state;
	dom_new(&t);
	assert_int_equal(map(&t, 0x100, 0x10, D1, 0), 0);
	assert_int_equal(map(&t, 0x110, 0x10, D2, 0), 0);
	assert_int_equal(map(&t, 0x120, 0x10, D1, 0), 0);
	assert_int_equal(map(&t, 0x130, 0x10, D1, 1), 0);
	assert_int_equal(pvhdev__p2m_identity_map(t.dom, 0x140, 0x10, PVHDEV_MAP_ACPI, 0, -1),
	                 0);
	test_events_skip(&t);
	/* Wrong owner, wrong bar: nothing happens. */
	assert_int_equal(unmap(&t, 0x100, 0x10, D2, 0), 0);
	assert_int_equal(unmap(&t, 0x100, 0x10, D1, 1), 0);
	expect_p2m_events(&t, "");
	/* A range over everything takes only D1 bar 0's pages. */
	assert_int_equal(unmap(&t, 0x108, 0x100, D1, 0), 0);
	expect_p2m_events(&t, "unmap 0x108 0x8\n"
	                  "unmap 0x120 0x10\n");
	assert_string_equal(p2m_str(&t), "0x100 0x8 0x100 identity bar 0000:03:00.0 0\n"
	                                 "0x110 0x10 0x110 identity bar 0000:04:00.0 0\n"
	                                 "0x130 0x10 0x130 identity bar 0000:03:00.0 1\n"
	                                 "0x140 0x10 0x140 identity acpi 0000:00:00.0 -1\n");
	/* Boot entries go only through the identity API, as owner 0 bar -1. */
	assert_int_equal(unmap(&t, 0x140, 0x10, 0, 0), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), 4);
	assert_int_equal(unmap(&t, 0x144, 0x4, 0, -1), 0);
	expect_p2m_events(&t, "unmap 0x144 0x4\n");
	test_dom_fini(&t);
}

/* ---- Hooks ---- */

struct hook_ctx {
	struct pvhdev_domain *dom;
	int refuse;           /* returned for map events */
	int refuse_unmap;     /* returned for unmap events */
	unsigned calls;
	bool recorded;        /* the range was in the p2m when applied */
};

static int hook(void *ctx, const struct pvhdev_event *ev)
{
	struct hook_ctx *h = ctx;
	struct pvhdev_p2m_range r;

	h->calls++;
	if (ev->kind == PVHDEV_EV_MAP) {
		h->recorded = !pvhdev_p2m_query(h->dom, ev->u.map.gfn, &r) &&
		              !pvhdev_p2m_query(h->dom, ev->u.map.gfn + ev->u.map.nr - 1, &r);
		return h->refuse;
	}
	return ev->kind == PVHDEV_EV_UNMAP ? h->refuse_unmap : 0;
}

static void dom_hooked(struct test_dom *t, struct hook_ctx *h,
                       const struct pvhdev_hooks *hooks)
{
	dom_new(t);
	pvhdev_domain_free(t->dom);
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = t->fake,
		.alloc = &test_alloc_ops, .alloc_ctx = &t->alloc,
		.hooks = hooks, .hooks_ctx = h,
	};
	assert_int_equal(pvhdev_domain_new(&cfg, &t->dom), 0);
	h->dom = t->dom;
}

static void test_hook_refuses_map(void **state)
{
	const struct pvhdev_hooks hooks = { .size = sizeof(hooks), .effect = hook };
	struct test_dom t;
	struct hook_ctx h = { 0 };
	char before[512];

	(void)state;
	dom_hooked(&t, &h, &hooks);
	assert_int_equal(map(&t, 0x100, 0x10, D1, 0), 0);
	assert_true(h.recorded);
	assert_int_equal(map(&t, 0x120, 0x10, D1, 0), 0);
	test_events_skip(&t);
	strcpy(before, p2m_str(&t));
	size_t live = t.alloc.live_blocks;
	h.refuse = -EPERM;
	assert_int_equal(map(&t, 0x200, 0x10, D1, 0), -EPERM);  /* a new record */
	assert_true(h.recorded);
	assert_int_equal(map(&t, 0x110, 0x4, D1, 0), -EPERM);   /* grows the left */
	assert_int_equal(map(&t, 0x11c, 0x4, D1, 0), -EPERM);   /* grows the right */
	assert_int_equal(map(&t, 0x110, 0x10, D1, 0), -EPERM);  /* bridges both */
	assert_int_equal(map(&t, 0xf0, 0x10, D1, 0), -EPERM);   /* grows down */
	assert_string_equal(p2m_str(&t), before);
	assert_int_equal(t.alloc.live_blocks, live);
	expect_p2m_events(&t, "map 0x200 0x10 0x200 bar refused=-1\n"
	                  "map 0x110 0x4 0x110 bar refused=-1\n"
	                  "map 0x11c 0x4 0x11c bar refused=-1\n"
	                  "map 0x110 0x10 0x110 bar refused=-1\n"
	                  "map 0xf0 0x10 0xf0 bar refused=-1\n");
	h.refuse = 1; /* positive: not a refusal */
	assert_int_equal(map(&t, 0x110, 0x10, D1, 0), 0);
	assert_string_equal(p2m_str(&t), "0x100 0x30 0x100 identity bar 0000:03:00.0 0\n");
	test_dom_fini(&t);
}

static void test_hook_refuses_unmap(void **state)
{
	const struct pvhdev_hooks hooks = { .size = sizeof(hooks), .effect = hook };
	struct test_dom t;
	struct hook_ctx h = { .refuse_unmap = -EBUSY };

	(void)state;
	dom_hooked(&t, &h, &hooks);
	assert_int_equal(map(&t, 0x100, 0x10, D1, 0), 0);
	/* The model gave the pages up; the refusal is on the record. */
	assert_int_equal(unmap(&t, 0x100, 0x10, D1, 0), 0);
	assert_string_equal(p2m_str(&t), "");
	expect_p2m_events(&t, "map 0x100 0x10 0x100 bar\n"
	                  "unmap 0x100 0x10 refused=-16\n");
	test_dom_fini(&t);
}

/* ---- Allocator failure ---- */

enum op_kind { OP_MAP, OP_UNMAP, OP_RAM, OP_EXCL };

struct op {
	enum op_kind kind;
	uint64_t gfn, nr;
	pvhdev_sbdf_t owner;
	int bar; /* excl: the kind */
	int rc;  /* when memory does not run out */
};

static const struct op script[] = {
	{ OP_MAP, 0x100, 0x10, D1, 0, 0 },
	{ OP_MAP, 0x110, 0x10, D1, 0, 0 },       /* merge: no allocation */
	{ OP_MAP, 0x200, 0x10, D2, 0, 0 },
	{ OP_MAP, 0x108, 0x10, D2, 0, -EEXIST },
	{ OP_UNMAP, 0x104, 0x4, D1, 0, 0 },      /* split: allocates */
	{ OP_UNMAP, 0x100, 0x2, D1, 0, 0 },      /* head: does not */
	{ OP_UNMAP, 0x118, 0x100, D1, 0, 0 },    /* tail, then nothing */
	{ OP_RAM, 0x10, 0x10, 0, -1, 0 },
	{ OP_EXCL, 0x300, 0x10, 0, PVHDEV__EXCL_RAM, 0 },
	{ OP_EXCL, 0x308, 0x20, 0, PVHDEV__EXCL_RESERVED, 0 },
	{ OP_EXCL, 0x2f0, 0x40, 0, PVHDEV__EXCL_MMCFG, 0 },  /* two gaps */
	{ OP_EXCL, 0x330, 0x10, 0, PVHDEV__EXCL_MMCFG, 0 },  /* merges */
	{ OP_MAP, 0x300, 1, D1, 0, -EPERM },
	{ OP_UNMAP, 0x108, 0x8, D1, 0, 0 },
	{ OP_MAP, 0x104, 0x4, D1, 0, 0 },
};

static int op_run(struct test_dom *t, const struct op *o)
{
	switch (o->kind) {
	case OP_MAP: return map(t, o->gfn, o->nr, o->owner, o->bar);
	case OP_UNMAP: return unmap(t, o->gfn, o->nr, o->owner, o->bar);
	case OP_RAM: return pvhdev__p2m_ram_copy(t->dom, o->gfn, o->nr);
	default:
		return pvhdev__excl_add(t->dom, o->gfn, o->nr, (enum pvhdev__excl_kind)o->bar);
	}
}

static void test_alloc_failure_every_call(void **state)
{
	static char p2m_before[4096], excl_before[4096];
	bool failed = true;

	(void)state;
	for (unsigned long n = 1; failed; n++) {
		struct test_dom t;
		dom_new(&t);
		t.alloc.fail_at = t.alloc.calls + n;
		failed = false;
		for (size_t i = 0; i < PVHDEV__ARRAY_SIZE(script); i++) {
			strcpy(p2m_before, p2m_str(&t));
			strcpy(excl_before, excl_str(&t));
			size_t live = t.alloc.live_blocks;
			int rc = op_run(&t, &script[i]);
			if (rc == -ENOMEM) {
				/* Nothing changed and nothing leaked; the retry
				 * (memory is back) keeps the script on course. */
				failed = true;
				assert_string_equal(p2m_str(&t), p2m_before);
				assert_string_equal(excl_str(&t), excl_before);
				assert_int_equal(t.alloc.live_blocks, live);
				rc = op_run(&t, &script[i]);
			}
			assert_int_equal(rc, script[i].rc);
		}
		test_dom_fini(&t);
		assert_true(n < 100);
	}
}

static void test_dom_init_failure(void **state)
{
	struct test_dom t;

	(void)state;
	/* Every allocation of domain creation fails once; nothing leaks. */
	for (unsigned long n = 1; n < 20; n++) {
		dom_new(&t);
		pvhdev_domain_free(t.dom);
		struct pvhdev_config cfg = {
			.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = t.fake,
			.alloc = &test_alloc_ops, .alloc_ctx = &t.alloc,
		};
		t.alloc.fail_at = t.alloc.calls + n;
		t.dom = NULL;
		int rc = pvhdev_domain_new(&cfg, &t.dom);
		assert_true(rc == 0 || rc == -ENOMEM);
		if (!rc)
			assert_int_equal(pvhdev_p2m_count(t.dom), 0);
		test_dom_fini(&t);
	}
}

/* ---- Walks ---- */

struct stop_at {
	unsigned seen, stop;
	uint64_t gfns[8];
};

static int collect(void *arg, const struct pvhdev_p2m_range *r)
{
	struct stop_at *s = arg;

	s->gfns[s->seen++] = r->gfn;
	return s->seen == s->stop ? 42 : 0;
}

static void test_foreach_order(void **state)
{
	struct test_dom t;
	struct stop_at s = { 0 };

	(void)state;
	dom_new(&t);
	assert_int_equal(pvhdev_p2m_foreach(t.dom, collect, &s), 0);
	assert_int_equal(s.seen, 0);
	assert_int_equal(map(&t, 0x500, 1, D1, 0), 0);
	assert_int_equal(map(&t, 0x100, 1, D1, 0), 0);
	assert_int_equal(map(&t, 0x900, 1, D1, 0), 0);
	assert_int_equal(map(&t, 0x300, 1, D1, 0), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), 4);
	assert_int_equal(pvhdev_p2m_foreach(t.dom, collect, &s), 0);
	assert_int_equal(s.seen, 4);
	assert_int_equal(s.gfns[0], 0x100);
	assert_int_equal(s.gfns[1], 0x300);
	assert_int_equal(s.gfns[2], 0x500);
	assert_int_equal(s.gfns[3], 0x900);
	s.seen = 0;
	s.stop = 2;
	assert_int_equal(pvhdev_p2m_foreach(t.dom, collect, &s), 42);
	assert_int_equal(s.seen, 2);
	assert_int_equal(pvhdev_p2m_foreach(t.dom, NULL, &s), -EINVAL);
	test_dom_fini(&t);
}

static void test_first_from(void **state)
{
	struct test_dom t;
	struct pvhdev_p2m_range r;

	(void)state;
	dom_new(&t);
	assert_int_equal(pvhdev__p2m_first_from(t.dom, 0, &r), -ENOENT);
	assert_int_equal(map(&t, 0x100, 0x10, D1, 0), 0);
	assert_int_equal(map(&t, 0x200, 0x10, D2, 1), 0);
	assert_int_equal(pvhdev__p2m_first_from(t.dom, 0, &r), 0);
	assert_int_equal(r.gfn, 0x100);
	assert_int_equal(pvhdev__p2m_first_from(t.dom, 0x10f, &r), 0);
	assert_int_equal(r.gfn, 0x100);
	assert_int_equal(pvhdev__p2m_first_from(t.dom, 0x110, &r), 0);
	assert_int_equal(r.gfn, 0x200);
	assert_int_equal(r.owner, D2);
	assert_int_equal(r.bar, 1);
	assert_int_equal(pvhdev__p2m_first_from(t.dom, 0x210, &r), -ENOENT);
	test_dom_fini(&t);
}

/* ---- Size independence ---- */

static void test_64gib_one_record(void **state)
{
	const uint64_t pages = 64ull << (30 - 12); /* 64 GiB */
	const uint64_t base = 0x4000000000ull >> 12;
	struct test_dom t;
	struct pvhdev_p2m_range r;

	(void)state;
	dom_new(&t);
	size_t calls = t.alloc.calls;
	assert_int_equal(map(&t, base, pages, D1, 0), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), 1); /* one 64-byte record */
	assert_int_equal(t.alloc.calls, calls + 1);   /* its slab */
	assert_int_equal(pvhdev_p2m_query(t.dom, base + pages - 1, &r), 0);
	assert_int_equal(r.nr, pages);
	assert_int_equal(unmap(&t, base + 8, 1, D1, 0), 0); /* an MSI-X page */
	assert_int_equal(pvhdev_p2m_count(t.dom), 2);
	assert_int_equal(unmap(&t, base, pages, D1, 0), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), 0);
	assert_int_equal(t.alloc.calls, calls + 1);
	expect_p2m_events(&t, "map 0x4000000 0x1000000 0x4000000 bar\n"
	                  "unmap 0x4000008 0x1\n"
	                  "unmap 0x4000000 0x8\n"
	                  "unmap 0x4000009 0xfffff7\n");
	test_dom_fini(&t);
}

/* Records come from slabs: one allocation per slab, none per record;
 * records freed by unmaps are mapped again without an allocation, and
 * the slabs go with the domain (the fixture's teardown checks that). */
static void test_records_from_slabs(void **state)
{
	const unsigned n = PVHDEV__P2M_SLAB_RECS + 1; /* one past a slab */
	struct test_dom t;

	(void)state;
	dom_new(&t);
	size_t calls = t.alloc.calls, live = t.alloc.live_blocks;
	/* Every other page, so that nothing merges: n records. */
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(map(&t, 0x1000 + 2 * i, 1, D1, 0), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), n);
	assert_int_equal(t.alloc.calls, calls + 2);
	assert_int_equal(t.alloc.live_blocks, live + 2);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(unmap(&t, 0x1000 + 2 * i, 1, D1, 0), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(map(&t, 0x3000 + 2 * i, 1, D2, 1), 0);
	assert_int_equal(pvhdev_p2m_count(t.dom), n);
	assert_int_equal(t.alloc.calls, calls + 2);
	test_dom_fini(&t);
}

/* ---- The excluded set ---- */

static void test_excl_overlapping_adds(void **state)
{
	struct test_dom t;
	uint64_t s, n;
	enum pvhdev__excl_kind k;

	(void)state;
	dom_new(&t);
	assert_int_equal(pvhdev__excl_first(t.dom, 0, 1ull << 52, &s, &n, &k), -ENOENT);
	assert_int_equal(pvhdev__excl_add(t.dom, 0x100, 0x10, PVHDEV__EXCL_RAM), 0);
	assert_int_equal(pvhdev__excl_add(t.dom, 0x108, 0x10, PVHDEV__EXCL_RESERVED), 0);
	assert_int_equal(pvhdev__excl_add(t.dom, 0xf0, 0x40, PVHDEV__EXCL_MMCFG), 0);
	/* Adjacent ranges of one kind are one. */
	assert_int_equal(pvhdev__excl_add(t.dom, 0x130, 0x10, PVHDEV__EXCL_MMCFG), 0);
	assert_int_equal(pvhdev__excl_add(t.dom, 0xfee00, 1, PVHDEV__EXCL_LAPIC), 0);
	assert_string_equal(excl_str(&t), "0xf0 0x10 2\n"
	                                  "0x100 0x10 0\n"
	                                  "0x110 0x8 1\n"
	                                  "0x118 0x28 2\n"
	                                  "0xfee00 0x1 4\n");
	/* The first overlapping range, in full. */
	assert_int_equal(pvhdev__excl_first(t.dom, 0x10f, 0x100, &s, &n, &k), 0);
	assert_int_equal(s, 0x100);
	assert_int_equal(n, 0x10);
	assert_int_equal(k, PVHDEV__EXCL_RAM);
	assert_int_equal(pvhdev__excl_first(t.dom, 0x140, 0xfecc0, &s, &n, &k), -ENOENT);
	assert_int_equal(pvhdev__excl_first(t.dom, 0x140, 0xfecc1, &s, &n, &k), 0);
	assert_int_equal(k, PVHDEV__EXCL_LAPIC);
	assert_int_equal(pvhdev__excl_first(t.dom, 0x140, 0, &s, &n, &k), -EINVAL);
	assert_int_equal(pvhdev__excl_add(t.dom, 0x140, 0, PVHDEV__EXCL_RAM), -EINVAL);
	assert_int_equal(pvhdev__excl_add(t.dom, 0x140, 1, (enum pvhdev__excl_kind)9),
	                 -EINVAL);
	/* Already covered: nothing to add. */
	size_t live = t.alloc.live_blocks;
	assert_int_equal(pvhdev__excl_add(t.dom, 0xf0, 0x50, PVHDEV__EXCL_RESERVED), 0);
	assert_int_equal(t.alloc.live_blocks, live);
	test_dom_fini(&t);
}

/* ---- A long random run against a model ---- */

#define U (1u << 20) /* pages in the model */

struct model {
	uint8_t who[U]; /* 0: free, else 1 + owner * 2 + bar */
};

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

static pvhdev_sbdf_t owner_of(unsigned o)
{
	return PVHDEV_SBDF(0, 1 + o, 0, 0);
}

static void model_apply(struct test_dom *t, struct model *m, uint64_t *x)
{
	unsigned o = (unsigned)(rnd(x) % 6), who = 1 + o;
	uint64_t nr = 1 + rnd(x) % 8, gfn = rnd(x) % (U - nr);
	bool do_map = rnd(x) % 10 < 7;
	bool busy = false;

	for (uint64_t g = gfn; g < gfn + nr; g++)
		busy |= m->who[g] != 0;
	if (do_map) {
		assert_int_equal(map(t, gfn, nr, owner_of(o / 2), (int)(o % 2)),
		                 busy ? -EEXIST : 0);
		if (!busy)
			memset(&m->who[gfn], (int)who, nr);
		return;
	}
	assert_int_equal(unmap(t, gfn, nr, owner_of(o / 2), (int)(o % 2)), 0);
	for (uint64_t g = gfn; g < gfn + nr; g++)
		if (m->who[g] == who)
			m->who[g] = 0;
}

struct cmp {
	const struct model *m;
	uint64_t next; /* first page not yet compared */
};

/* Each record is a maximal run of one owner's pages in the model. */
static int cmp_one(void *arg, const struct pvhdev_p2m_range *r)
{
	struct cmp *c = arg;
	uint8_t who = c->m->who[r->gfn];

	for (uint64_t g = c->next; g < r->gfn; g++)
		assert_int_equal(c->m->who[g], 0);
	assert_int_equal(r->mfn, r->gfn);
	assert_int_not_equal(who, 0);
	assert_int_equal(r->owner, owner_of((who - 1u) / 2));
	assert_int_equal(r->bar, (who - 1) % 2);
	for (uint64_t g = r->gfn; g < r->gfn + r->nr; g++)
		assert_int_equal(c->m->who[g], who);
	assert_true(r->gfn == 0 || c->m->who[r->gfn - 1] != who);
	assert_true(r->gfn + r->nr == U || c->m->who[r->gfn + r->nr] != who);
	c->next = r->gfn + r->nr;
	return 0;
}

static void model_compare(struct test_dom *t, const struct model *m)
{
	struct cmp c = { m, 0 };

	assert_int_equal(pvhdev_p2m_foreach(t->dom, cmp_one, &c), 0);
	for (uint64_t g = c.next; g < U; g++)
		assert_int_equal(m->who[g], 0);
}

static void test_random_vs_model(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct test_dom t;
	uint64_t x = 0x243f6a8885a308d3ull;
	size_t most = 0;

	(void)state;
	assert_non_null(m);
	dom_new(&t);
	for (unsigned i = 1; i <= 300000; i++) {
		model_apply(&t, m, &x);
		if (i % 64 == 0) {
			struct pvhdev_p2m_range r;
			uint64_t g = rnd(&x) % U;
			int rc = pvhdev_p2m_query(t.dom, g, &r);
			assert_int_equal(rc, m->who[g] ? 0 : -ENOENT);
		}
		if (i % 50000 == 0)
			model_compare(&t, m);
		if (pvhdev_p2m_count(t.dom) > most)
			most = pvhdev_p2m_count(t.dom);
	}
	/* The run reached the size the brief asks for. */
	assert_true(most >= 100000);
	test_dom_fini(&t);
	free(m);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_map_query),
	cmocka_unit_test(test_map_invalid),
	cmocka_unit_test(test_map_top_of_space),
	cmocka_unit_test(test_ram_copy),
	cmocka_unit_test(test_merge_chunks),
	cmocka_unit_test(test_no_merge_across_kinds),
	cmocka_unit_test(test_overlap_every_edge),
	cmocka_unit_test(test_overlap_log),
	cmocka_unit_test(test_map_excluded),
	cmocka_unit_test(test_unmap_whole),
	cmocka_unit_test(test_unmap_edges),
	cmocka_unit_test(test_unmap_middle_split),
	cmocka_unit_test(test_unmap_other_owners_stay),
	cmocka_unit_test(test_hook_refuses_map),
	cmocka_unit_test(test_hook_refuses_unmap),
	cmocka_unit_test(test_alloc_failure_every_call),
	cmocka_unit_test(test_dom_init_failure),
	cmocka_unit_test(test_foreach_order),
	cmocka_unit_test(test_first_from),
	cmocka_unit_test(test_64gib_one_record),
	cmocka_unit_test(test_records_from_slabs),
	cmocka_unit_test(test_excl_overlapping_adds),
	cmocka_unit_test(test_random_vs_model),
};

PVHDEV_TEST_MAIN("p2m", tests)
