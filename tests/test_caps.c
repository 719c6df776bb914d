/* SPDX-License-Identifier: MIT */
/*
 * Capability walks at device add: well-formed chains, and broken ones
 * (loops, pointers into the header, garbage IDs, endless extended
 * lists) that must end the walk with a log line, never a hang.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <pvhdev/dump.h>

#define DEV PVHDEV_SBDF(0, 0, 4, 0)

struct fx {
	struct test_dom t;
	uint8_t cfg[4096];
	struct pvhdev_dev *dev;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	test_cfg_init(f->cfg, 0x1af4, 0x1041, 0x02000001, 0);
	test_put(f->cfg, 0x06, 2, 0x0010); /* capabilities list */
	*state = f;
	return 0;
}


/* Boots the device as f->cfg now stands, with MMCFG over bus 0. */
static void boot(struct fx *f)
{
	struct pvhdev_fake_dev d = { .sbdf = DEV, .cfg = f->cfg, .cfg_len = 4096 };

	assert_int_equal(test_dom_init(&f->t, &d, 1), 0);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xe0000000, 0, 0, 0), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, DEV, &f->dev), 0);
}

static void cap(struct fx *f, unsigned off, unsigned id, unsigned next)
{
	test_put(f->cfg, off, 1, id);
	test_put(f->cfg, off + 1, 1, next);
}

static void ext(struct fx *f, unsigned off, unsigned id, unsigned next)
{
	test_put(f->cfg, off, 4, id | 1u << 16 | next << 20);
}

static unsigned find(struct fx *f, unsigned id)
{
	unsigned off = 0;
	return pvhdev_dev_find_cap(f->dev, (uint8_t)id, &off) ? 0 : off;
}

static unsigned find_ext(struct fx *f, unsigned id)
{
	unsigned off = 0;
	return pvhdev_dev_find_ext_cap(f->dev, (uint16_t)id, &off) ? 0 : off;
}

static void test_legacy_chain(void **state)
{
	struct fx *f = *state;

	test_put(f->cfg, 0x34, 1, 0x40);
	cap(f, 0x40, 0x01, 0x53); /* low two bits of next are ignored */
	cap(f, 0x50, 0x05, 0x70);
	cap(f, 0x70, 0x10, 0x00);
	boot(f);
	assert_int_equal(find(f, 0x01), 0x40);
	assert_int_equal(find(f, 0x05), 0x50);
	assert_int_equal(find(f, 0x10), 0x70);
	assert_int_equal(find(f, 0x11), 0);
	assert_int_equal(f->t.log_len, 0);
}

static void test_legacy_no_list_bit(void **state)
{
	struct fx *f = *state;

	test_put(f->cfg, 0x06, 2, 0);
	test_put(f->cfg, 0x34, 1, 0x40);
	cap(f, 0x40, 0x05, 0);
	boot(f);
	assert_int_equal(find(f, 0x05), 0);
}

static void test_legacy_loop(void **state)
{
	struct fx *f = *state;

	test_put(f->cfg, 0x34, 1, 0x40);
	cap(f, 0x40, 0x01, 0x50);
	cap(f, 0x50, 0x05, 0x40);
	boot(f);
	assert_int_equal(find(f, 0x01), 0x40);
	assert_int_equal(find(f, 0x05), 0x50);
	assert_string_equal(f->t.log,
	                    "0000:00:04.0: legacy capability list: loop at 0x40\n");
}

static void test_legacy_self_loop(void **state)
{
	struct fx *f = *state;

	test_put(f->cfg, 0x34, 1, 0xfc);
	cap(f, 0xfc, 0x09, 0xfc);
	boot(f);
	assert_int_equal(find(f, 0x09), 0xfc);
	assert_string_equal(f->t.log,
	                    "0000:00:04.0: legacy capability list: loop at 0xfc\n");
}

static void test_legacy_pointer_into_header(void **state)
{
	struct fx *f = *state;

	test_put(f->cfg, 0x34, 1, 0x40);
	cap(f, 0x40, 0x05, 0x10);
	boot(f);
	assert_int_equal(find(f, 0x05), 0x40);
	assert_string_equal(f->t.log, "0000:00:04.0: legacy capability list: "
	                              "pointer into the header at 0x10\n");
}

/* A chain through every dword of 0x40..0xff is 48 entries: all found. */
static void test_legacy_longest_chain(void **state)
{
	struct fx *f = *state;

	test_put(f->cfg, 0x34, 1, 0x40);
	for (unsigned off = 0x40; off < 0x100; off += 4)
		cap(f, off, 0x80 + (off - 0x40) / 4, off == 0xfc ? 0 : off + 4);
	boot(f);
	assert_int_equal(find(f, 0x80), 0x40);
	assert_int_equal(find(f, 0xaf), 0xfc);
	assert_int_equal(f->t.log_len, 0);
}

/* CardBus bridges keep the pointer at 0x14. */
static void test_cardbus_pointer(void **state)
{
	struct fx *f = *state;

	test_put(f->cfg, 0x0e, 1, 0x02);
	test_put(f->cfg, 0x34, 1, 0x60);
	test_put(f->cfg, 0x14, 1, 0x80);
	cap(f, 0x80, 0x01, 0);
	cap(f, 0x60, 0x05, 0);
	boot(f);
	assert_int_equal(find(f, 0x01), 0x80);
	assert_int_equal(find(f, 0x05), 0);
}

/* pvhdev_dev_cap_at: the capability holding an offset, by start, in
 * either list, whatever the list's order. */
static void test_cap_at(void **state)
{
	struct fx *f = *state;
	static const struct { unsigned off; int rc; uint16_t id; unsigned start; } rows[] = {
		{ 0x3f, -ENOENT, 0, 0 }, { 0x50, 0, 0x05, 0x50 }, { 0x6f, 0, 0x05, 0x50 },
		{ 0x70, 0, 0x10, 0x70 }, { 0xff, 0, 0x10, 0x70 }, { 0x4a, 0, 0x01, 0x40 },
		{ 0x100, 0, 0x0000, 0x100 }, { 0x140, 0, 0x000e, 0x140 },
		{ 0x15f, 0, 0x000e, 0x140 }, { 0x200, 0, 0x0010, 0x160 },
		{ 0xfff, 0, 0x0003, 0xfb4 },
	};

	test_put(f->cfg, 0x34, 1, 0x70);
	cap(f, 0x70, 0x10, 0x50); /* the list goes down */
	cap(f, 0x50, 0x05, 0x40);
	cap(f, 0x40, 0x01, 0x00);
	ext(f, 0x140, 0x000e, 0x160);
	ext(f, 0x160, 0x0010, 0xfb4);
	ext(f, 0xfb4, 0x0003, 0);
	test_put(f->cfg, 0x100, 4, 0x14000000); /* ID 0 (a null entry), next 0x140 */
	boot(f);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint16_t id = 0xffff;
		unsigned start = 0xdead;
		int rc = pvhdev_dev_cap_at(f->dev, rows[i].off, &id, &start);
		if (rc != rows[i].rc || (!rc && (id != rows[i].id || start != rows[i].start)))
			fail_msg("0x%x: rc %d id 0x%x at 0x%x", rows[i].off, rc, id, start);
	}
}

static void test_ext_chain(void **state)
{
	struct fx *f = *state;

	ext(f, 0x100, 0x0001, 0x140);
	ext(f, 0x140, 0x000e, 0x160);
	ext(f, 0x160, 0x0010, 0xfb4); /* not in address order, like PLX */
	ext(f, 0xfb4, 0x0003, 0);
	boot(f);
	assert_int_equal(find_ext(f, 0x0001), 0x100);
	assert_int_equal(find_ext(f, 0x000e), 0x140);
	assert_int_equal(find_ext(f, 0x0010), 0x160);
	assert_int_equal(find_ext(f, 0x0003), 0xfb4);
	assert_int_equal(f->t.log_len, 0);
}

static void test_ext_none(void **state)
{
	struct fx *f = *state;

	boot(f);
	assert_int_equal(find_ext(f, 0x0001), 0);
	assert_int_equal(find_ext(f, 0x0000), 0);
	assert_int_equal(f->t.log_len, 0);
}

static void test_ext_loop(void **state)
{
	struct fx *f = *state;

	ext(f, 0x100, 0x0001, 0x200);
	ext(f, 0x200, 0x000b, 0x100);
	boot(f);
	assert_int_equal(find_ext(f, 0x000b), 0x200);
	assert_string_equal(f->t.log,
	                    "0000:00:04.0: extended capability list: loop at 0x100\n");
}

static void test_ext_pointer_below_0x100(void **state)
{
	struct fx *f = *state;

	ext(f, 0x100, 0x0001, 0x0c0);
	boot(f);
	assert_int_equal(find_ext(f, 0x0001), 0x100);
	assert_string_equal(f->t.log, "0000:00:04.0: extended capability list: "
	                              "pointer below 0x100 at 0xc0\n");
}

/* Garbage IDs are recorded as found (nothing interprets them); an
 * all-ones header ends the list. */
static void test_ext_garbage(void **state)
{
	struct fx *f = *state;

	ext(f, 0x100, 0xffff, 0x180);
	test_put(f->cfg, 0x180, 4, 0xffffffff);
	boot(f);
	assert_int_equal(find_ext(f, 0xffff), 0x100);
	assert_int_equal(f->t.log_len, 0);
}

/* 960 distinct headers, each pointing at the next: bounded by the
 * entry limit, with a log line. */
static void test_ext_too_long(void **state)
{
	struct fx *f = *state;

	for (unsigned off = 0x100; off < 0x1000; off += 4)
		ext(f, off, 0x0100 + (off - 0x100) / 4, off == 0xffc ? 0 : off + 4);
	boot(f);
	assert_int_equal(find_ext(f, 0x0100), 0x100);
	assert_int_equal(find_ext(f, 0x013f), 0x1fc);
	assert_int_equal(find_ext(f, 0x0140), 0);
	assert_string_equal(f->t.log, "0000:00:04.0: extended capability list: "
	                              "too many entries at 0x200\n");
}

/* The same broken chains as lspci dumps of our own: loaded, booted with
 * ECAM over the bus, and walked to an end with one log line each. */
static void test_crafted_dumps(void **state)
{
	static const struct {
		const char *file, *log;
	} cases[] = {
		{ "caps-legacy-loop.lspci",
		  "0000:00:04.0: legacy capability list: loop at 0x40\n" },
		{ "caps-into-header.lspci",
		  "0000:00:04.0: legacy capability list: pointer into the header at 0x10\n" },
		{ "caps-ext-garbage-overlap.lspci",
		  "0000:00:04.0: extended capability list: loop at 0x100\n" },
		{ "caps-ext-loop.lspci",
		  "0000:00:04.0: extended capability list: loop at 0x100\n" },
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512], err[512];
		struct pvhdev_dump *d;
		snprintf(path, sizeof(path), "%s/dumps/%s", PVHDEV_TEST_DATA, cases[i].file);
		assert_int_equal(pvhdev_dump_load(path, &d, err, sizeof(err)), 0);
		assert_int_equal(test_dom_init(&f->t, pvhdev_dump_devs(d),
		                               pvhdev_dump_count(d)), 0);
		assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xe0000000, 0, 0, 0), 0);
		assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
		assert_string_equal(f->t.log, cases[i].log);
		test_check(&f->t);
		test_dom_fini(&f->t);
		pvhdev_dump_free(d);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_legacy_chain, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_cap_at, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_legacy_no_list_bit, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_legacy_loop, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_legacy_self_loop, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_legacy_pointer_into_header, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_legacy_longest_chain, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_cardbus_pointer, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ext_chain, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ext_none, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ext_loop, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ext_pointer_below_0x100, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ext_garbage, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ext_too_long, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_crafted_dumps, setup, test_teardown),
};

PVHDEV_TEST_MAIN("caps", tests)
