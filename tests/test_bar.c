/* SPDX-License-Identifier: MIT */
/*
 * BARs: sizing at device add, decode toggles, moves, ROM, exclusions,
 * deferred work.  One endpoint at 00:02.0:
 *
 *   BAR0/1  64-bit memory, 16 KiB at 0xfe000000
 *   BAR2    32-bit prefetchable memory, 1 MiB at 0xd0000000
 *   BAR3    IO, 32 bytes at 0xe000
 *   BAR4    32-bit memory, 4 KiB at 0xfe100000
 *   ROM     64 KiB at 0xfe200000, disabled
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "p2m_model/p2m.h"

#define DEV PVHDEV_SBDF(0, 0, 2, 0)
#define DEV2 PVHDEV_SBDF(0, 0, 3, 0)

struct fx {
	struct test_dom t;
	uint8_t cfg[256], cfg2[256];
	struct pvhdev_fake_dev d[2];
};

static void make_dev(uint8_t *cfg, uint16_t cmd)
{
	test_cfg_init(cfg, 0x8086, 0x10d3, 0x02000000, 0);
	test_put(cfg, 0x04, 2, cmd);
	test_put(cfg, 0x10, 4, 0xfe000004);
	test_put(cfg, 0x14, 4, 0);
	test_put(cfg, 0x18, 4, 0xd0000008);
	test_put(cfg, 0x1c, 4, 0xe001);
	test_put(cfg, 0x20, 4, 0xfe100000);
	test_put(cfg, 0x30, 4, 0xfe200000);
}

static int setup_cmd(void **state, uint16_t cmd)
{
	struct fx *f = calloc(1, sizeof(*f));

	make_dev(f->cfg, cmd);
	f->d[0] = (struct pvhdev_fake_dev){
		.sbdf = DEV, .cfg = f->cfg, .cfg_len = 256,
		.bar_size = { 16384, 0, 1 << 20, 32, 4096 }, .rom_size = 65536,
	};
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	*state = f;
	return 0;
}

static int setup_on(void **state) { return setup_cmd(state, 0x0006); }
static int setup_off(void **state) { return setup_cmd(state, 0x0000); }


/* BAR ranges only (boot adds low memory of its own). */
static int p2m_line(void *arg, const struct pvhdev_p2m_range *r)
{
	char *out = arg, s[PVHDEV_SBDF_STRLEN];

	if (r->bar < 0)
		return 0;
	sprintf(out + strlen(out), "0x%llx+0x%llx %s bar%d\n", (unsigned long long)r->gfn,
	        (unsigned long long)r->nr, pvhdev_sbdf_str(r->owner, s), r->bar);
	return 0;
}

static const char *p2m(struct fx *f)
{
	static char buf[4096];

	buf[0] = '\0';
	pvhdev_p2m_foreach(f->t.dom, p2m_line, buf);
	return buf;
}

static uint32_t rd(struct fx *f, unsigned off, unsigned size)
{
	return test_cfg_read(&f->t, DEV, off, size);
}

static void wr(struct fx *f, unsigned off, unsigned size, uint32_t val)
{
	test_cfg_write(&f->t, DEV, off, size, val);
}

static void boot(struct fx *f)
{
	const struct pvhdev_platform plat = { .size = sizeof(plat) };

	assert_int_equal(pvhdev_domain_boot(f->t.dom, &plat), 0);
}

/* pvhdev_check_invariants holds (its message printed when not). */
static void check_inv(struct fx *f)
{
	char msg[256] = "";
	int rc = pvhdev_check_invariants(f->t.dom, msg, sizeof(msg));

	if (rc)
		print_message("%s\n", msg);
	assert_int_equal(rc, 0);
}

#define SIZING_ON                                                             \
	"hw-write 0000:00:02.0 0x4 2 0x4\n"                                   \
	"hw-write 0000:00:02.0 0x10 4 0xffffffff\n"                           \
	"hw-write 0000:00:02.0 0x10 4 0xfe000004\n"                           \
	"hw-write 0000:00:02.0 0x14 4 0xffffffff\n"                           \
	"hw-write 0000:00:02.0 0x14 4 0x0\n"                                  \
	"hw-write 0000:00:02.0 0x18 4 0xffffffff\n"                           \
	"hw-write 0000:00:02.0 0x18 4 0xd0000008\n"                           \
	"hw-write 0000:00:02.0 0x1c 4 0xffffffff\n"                           \
	"hw-write 0000:00:02.0 0x1c 4 0xe001\n"                               \
	"hw-write 0000:00:02.0 0x20 4 0xffffffff\n"                           \
	"hw-write 0000:00:02.0 0x20 4 0xfe100000\n"                           \
	"hw-write 0000:00:02.0 0x24 4 0xffffffff\n"                           \
	"hw-write 0000:00:02.0 0x24 4 0x0\n"                                  \
	"hw-write 0000:00:02.0 0x30 4 0xfffffffe\n"                           \
	"hw-write 0000:00:02.0 0x30 4 0xfe200000\n"                           \
	"hw-write 0000:00:02.0 0x4 2 0x6\n"

/* Device add sizes every BAR with decoding off, then maps the memory
 * BARs because decoding was on: exact hardware writes and p2m. */
static void test_add_sizes_and_maps(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dev *dev;
	struct pvhdev__bar_info bi;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	expect_events(&f->t, SIZING_ON
	              "map 0xfe000 0x4 0xfe000 bar\n"
	              "map 0xd0000 0x100 0xd0000 bar\n"
	              "map 0xfe100 0x1 0xfe100 bar\n"
	              "dev-add 0000:00:02.0\n");
	assert_string_equal(p2m(f), "0xd0000+0x100 0000:00:02.0 bar2\n"
	                            "0xfe000+0x4 0000:00:02.0 bar0\n"
	                            "0xfe100+0x1 0000:00:02.0 bar4\n");
	assert_int_equal(pvhdev_dev_get(f->t.dom, DEV, &dev), 0);
	assert_int_equal(pvhdev__bar_get(dev, 0, &bi), 0);
	assert_int_equal(bi.size, 16384);
	assert_true(bi.mem && bi.is64 && !bi.prefetch && bi.mapped);
	assert_int_equal(bi.addr, 0xfe000000);
	assert_int_equal(pvhdev__bar_get(dev, 2, &bi), 0);
	assert_true(bi.prefetch && !bi.is64);
	assert_int_equal(bi.size, 1 << 20);
	assert_int_equal(pvhdev__bar_get(dev, 3, &bi), 0);
	assert_true(!bi.mem && bi.size == 32 && bi.addr == 0xe000);
	assert_int_equal(pvhdev__bar_get(dev, 1, &bi), -ENOENT);
	assert_int_equal(pvhdev__bar_get(dev, 5, &bi), -ENOENT);
	assert_int_equal(pvhdev__bar_get(dev, 6, &bi), 0);
	assert_true(bi.size == 65536 && !bi.mapped);
	/* The hardware holds its original values again. */
	assert_int_equal(rd(f, 0x10, 4), 0xfe000004);
	assert_int_equal(rd(f, 0x04, 2), 0x0006);
}

/* Decoding off at add: sizing leaves the command register alone and
 * nothing is mapped. */
static void test_add_decode_off(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_string_equal(p2m(f), "");
	assert_null(strstr(test_events(&f->t), "0x4 2"));
}

/* Linux's sizing sequence from the guest: decode off, ~0, read, restore,
 * decode on.  The BAR reads back ~(size-1) | flags from the hardware. */
static void test_guest_sizing_sequence(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	test_events_skip(&f->t);
	wr(f, 0x04, 2, 0x0004);
	expect_events(&f->t, "unmap 0xfe000 0x4\nunmap 0xd0000 0x100\n"
	                     "unmap 0xfe100 0x1\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x4\n");
	wr(f, 0x18, 4, 0xffffffff);
	assert_int_equal(rd(f, 0x18, 4), 0xfff00008);
	wr(f, 0x18, 4, 0xd0000008);
	wr(f, 0x10, 4, 0xffffffff);
	wr(f, 0x14, 4, 0xffffffff);
	assert_int_equal(rd(f, 0x10, 4), 0xffffc004);
	assert_int_equal(rd(f, 0x14, 4), 0xffffffff);
	wr(f, 0x10, 4, 0xfe000004);
	wr(f, 0x14, 4, 0);
	test_events_skip(&f->t);
	wr(f, 0x04, 2, 0x0006);
	expect_events(&f->t, "map 0xfe000 0x4 0xfe000 bar\n"
	                     "map 0xd0000 0x100 0xd0000 bar\n"
	                     "map 0xfe100 0x1 0xfe100 bar\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x6\n");
}

/* Moving a BAR: a write while decoding moves it as in hardware (the
 * old range unmapped, the write, the new range mapped: before boot all
 * at once); decode off, write, decode on maps the new place. */
static void test_move_bar(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
	wr(f, 0x20, 4, 0xfe400000);
	expect_events(&f->t, "unmap 0xfe100 0x1\n"
	                     "hw-write 0000:00:02.0 0x20 4 0xfe400000\n"
	                     "map 0xfe400 0x1 0xfe400 bar\n");
	assert_string_equal(f->t.log, "");
	assert_int_equal(rd(f, 0x20, 4), 0xfe400000);
	check_inv(f);
	wr(f, 0x04, 2, 0x0000);
	wr(f, 0x20, 4, 0xfe500000);
	test_events_skip(&f->t);
	wr(f, 0x04, 2, 0x0002);
	expect_events(&f->t, "map 0xfe000 0x4 0xfe000 bar\n"
	                     "map 0xd0000 0x100 0xd0000 bar\n"
	                     "map 0xfe500 0x1 0xfe500 bar\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x2\n");
	assert_string_equal(p2m(f), "0xd0000+0x100 0000:00:02.0 bar2\n"
	                            "0xfe000+0x4 0000:00:02.0 bar0\n"
	                            "0xfe500+0x1 0000:00:02.0 bar4\n");
}

/* After boot the new range maps deferred, like a decode toggle: the
 * old one is unmapped and the write reaches the device at once. */
static void test_move_bar_deferred(void **state)
{
	struct fx *f = *state;
	bool more;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	boot(f);
	test_events_skip(&f->t);
	wr(f, 0x18, 4, 0xd0200008);
	expect_events(&f->t, "unmap 0xd0000 0x100\n"
	                     "hw-write 0000:00:02.0 0x18 4 0xd0200008\n");
	check_inv(f);
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, &more), 0);
	assert_false(more);
	expect_events(&f->t, "map 0xd0200 0x100 0xd0200 bar\n");
	check_inv(f);
	assert_string_equal(p2m(f), "0xd0200+0x100 0000:00:02.0 bar2\n"
	                            "0xfe000+0x4 0000:00:02.0 bar0\n"
	                            "0xfe100+0x1 0000:00:02.0 bar4\n");
}

/* The high half of a 64-bit BAR shares the BAR's state.  Written one
 * half at a time while decoding, the BAR is unmapped at the first half
 * and maps at the second, where the pair says. */
static void test_bar64_high_half(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	test_events_skip(&f->t);
	wr(f, 0x10, 4, 0x00100004);
	expect_events(&f->t, "unmap 0xfe000 0x4\n"
	                     "hw-write 0000:00:02.0 0x10 4 0x100004\n");
	check_inv(f);
	wr(f, 0x14, 4, 0x2);
	expect_events(&f->t, "hw-write 0000:00:02.0 0x14 4 0x2\n"
	                     "map 0x200100 0x4 0x200100 bar\n");
	check_inv(f);
	/* High half first, then the low one. */
	wr(f, 0x14, 4, 0x1);
	expect_events(&f->t, "unmap 0x200100 0x4\n"
	                     "hw-write 0000:00:02.0 0x14 4 0x1\n");
	wr(f, 0x14, 4, 0x3);
	expect_events(&f->t, "hw-write 0000:00:02.0 0x14 4 0x3\n");
	check_inv(f);
	/* A word write is a write of the whole register (the other bytes
	 * as they are): the low half, so the pair maps. */
	wr(f, 0x10, 2, 0x8004);
	expect_events(&f->t, "hw-write 0000:00:02.0 0x10 4 0x108004\n"
	                     "map 0x300108 0x4 0x300108 bar\n");
	check_inv(f);
	assert_int_equal(rd(f, 0x14, 4), 3);
	/* Decode off, both halves, decode on. */
	wr(f, 0x04, 2, 0);
	wr(f, 0x14, 4, 0x1);
	wr(f, 0x10, 4, 0xfe008004);
	test_events_skip(&f->t);
	wr(f, 0x04, 2, 0x0002);
	expect_events(&f->t, "map 0x1fe008 0x4 0x1fe008 bar\n"
	                     "map 0xd0000 0x100 0xd0000 bar\n"
	                     "map 0xfe100 0x1 0xfe100 bar\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x2\n");
}

/* A 64-bit BAR left between its halves when decoding goes off: its
 * claims go, and decoding on maps it where the pair is. */
static void test_bar64_half_then_decode_off(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	test_events_skip(&f->t);
	wr(f, 0x14, 4, 0x1);
	wr(f, 0x04, 2, 0);
	check_inv(f);
	test_events_skip(&f->t);
	wr(f, 0x04, 2, 0x0002);
	expect_events(&f->t, "map 0x1fe000 0x4 0x1fe000 bar\n"
	                     "map 0xd0000 0x100 0xd0000 bar\n"
	                     "map 0xfe100 0x1 0xfe100 bar\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x2\n");
	check_inv(f);
}

/* Removal takes every BAR out of the p2m, a 64-bit one above 4 GiB
 * included (the XSA-476 class: access to 64-bit BARs left behind when a
 * device goes). */
static void test_remove_unmaps_bar64(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	wr(f, 0x04, 2, 0);
	wr(f, 0x14, 4, 0x1);
	wr(f, 0x10, 2, 0x8004);
	wr(f, 0x04, 2, 0x0002);
	assert_string_equal(p2m(f), "0xd0000+0x100 0000:00:02.0 bar2\n"
	                            "0xfe100+0x1 0000:00:02.0 bar4\n"
	                            "0x1fe008+0x4 0000:00:02.0 bar0\n");
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	assert_string_equal(p2m(f), "");
	assert_string_equal(test_events_only(&f->t, "unmap"),
	                    "unmap 0x1fe008 0x4\nunmap 0xd0000 0x100\nunmap 0xfe100 0x1\n");
}

/* The ROM maps while enabled and decoding is on, at its own reason. */
static void test_rom_enable_disable(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	test_events_skip(&f->t);
	/* The ROM maps from what the hardware holds after the write. */
	wr(f, 0x30, 4, 0xfe200001);
	expect_events(&f->t, "hw-write 0000:00:02.0 0x30 4 0xfe200001\n"
	                     "map 0xfe200 0x10 0xfe200 rom\n");
	/* Moving it while mapped is ignored. */
	wr(f, 0x30, 4, 0xfe300001);
	expect_events(&f->t, "");
	wr(f, 0x30, 4, 0xfe300000);
	expect_events(&f->t, "unmap 0xfe200 0x10\n"
	                     "hw-write 0000:00:02.0 0x30 4 0xfe300000\n");
	wr(f, 0x04, 2, 0);
	test_events_skip(&f->t);
	/* Enabled with decoding off: nothing maps until decode is on. */
	wr(f, 0x30, 4, 0xfe300001);
	expect_events(&f->t, "hw-write 0000:00:02.0 0x30 4 0xfe300001\n");
	wr(f, 0x04, 2, 2);
	assert_non_null(strstr(test_events(&f->t), "map 0xfe300 0x10 0xfe300 rom\n"));
}

/* After boot a decode change is deferred: the command write waits for
 * the p2m work, which drains with a budget in pages. */
static void test_deferred_budget(void **state)
{
	struct fx *f = *state;
	bool more;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	boot(f);
	test_events_skip(&f->t);
	wr(f, 0x04, 2, 0x0006);
	expect_events(&f->t, "");
	assert_int_equal(rd(f, 0x04, 2), 0);
	assert_int_equal(pvhdev_process_pending(f->t.dom, 3, &more), 0);
	assert_true(more);
	expect_events(&f->t, "map 0xfe000 0x3 0xfe000 bar\n");
	assert_int_equal(pvhdev_process_pending(f->t.dom, 200, &more), 0);
	assert_true(more);
	expect_events(&f->t, "map 0xfe003 0x1 0xfe003 bar\n"
	                     "map 0xd0000 0xc7 0xd0000 bar\n");
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, &more), 0);
	assert_false(more);
	expect_events(&f->t, "map 0xd00c7 0x39 0xd00c7 bar\n"
	                     "map 0xfe100 0x1 0xfe100 bar\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x6\n");
	/* Chunks merged into one record per BAR. */
	assert_string_equal(p2m(f), "0xd0000+0x100 0000:00:02.0 bar2\n"
	                            "0xfe000+0x4 0000:00:02.0 bar0\n"
	                            "0xfe100+0x1 0000:00:02.0 bar4\n");
	assert_int_equal(rd(f, 0x04, 2), 0x0006);
}

/* A second decode change while work is pending finishes the first. */
static void test_deferred_then_toggle(void **state)
{
	struct fx *f = *state;
	bool more;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	boot(f);
	wr(f, 0x04, 2, 0x0002);
	test_events_skip(&f->t);
	wr(f, 0x04, 2, 0x0000);
	expect_events(&f->t, "map 0xfe000 0x4 0xfe000 bar\n"
	                     "map 0xd0000 0x100 0xd0000 bar\n"
	                     "map 0xfe100 0x1 0xfe100 bar\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x2\n");
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, &more), 0);
	assert_false(more);
	expect_events(&f->t, "unmap 0xfe000 0x4\nunmap 0xd0000 0x100\n"
	                     "unmap 0xfe100 0x1\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x0\n");
	assert_string_equal(p2m(f), "");
}

/* A BAR over RAM or over another device's BAR maps only what is free. */
static void test_overlap_other_device(void **state)
{
	struct fx *f = *state;

	/* A second device whose BAR0 sits on our BAR4's page. */
	test_cfg_init(f->cfg2, 0x8086, 0x1234, 0x02000000, 0);
	test_put(f->cfg2, 0x04, 2, 0x0002);
	test_put(f->cfg2, 0x10, 4, 0xfe100000);
	f->d[1] = (struct pvhdev_fake_dev){ .sbdf = DEV2, .cfg = f->cfg2, .cfg_len = 256,
	                                    .bar_size = { 8192 } };
	test_dom_fini(&f->t);
	assert_int_equal(test_dom_init(&f->t, f->d, 2), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	test_log_reset(&f->t);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV2), 0);
	assert_string_equal(f->t.log, "0000:00:03.0: BAR 0: pages 0xfe100-0xfe100 "
	                              "overlap a range already mapped: not mapped\n");
	assert_string_equal(p2m(f), "0xd0000+0x100 0000:00:02.0 bar2\n"
	                            "0xfe000+0x4 0000:00:02.0 bar0\n"
	                            "0xfe100+0x1 0000:00:02.0 bar4\n"
	                            "0xfe101+0x1 0000:00:03.0 bar0\n");
	/* Removing the second device takes only what it owned. */
	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV2), 0);
	assert_string_equal(p2m(f), "0xd0000+0x100 0000:00:02.0 bar2\n"
	                            "0xfe000+0x4 0000:00:02.0 bar0\n"
	                            "0xfe100+0x1 0000:00:02.0 bar4\n");
}

/* An obstacle in the middle of a BAR is logged once, when the walk
 * reaches it, and the BAR maps around it. */
static void test_overlap_in_the_middle(void **state)
{
	struct fx *f = *state;

	test_cfg_init(f->cfg2, 0x8086, 0x1234, 0x02000000, 0);
	test_put(f->cfg2, 0x04, 2, 0x0002);
	test_put(f->cfg2, 0x10, 4, 0xd0080000);
	f->d[1] = (struct pvhdev_fake_dev){ .sbdf = DEV2, .cfg = f->cfg2, .cfg_len = 256,
	                                    .bar_size = { 8192 } };
	test_dom_fini(&f->t);
	assert_int_equal(test_dom_init(&f->t, f->d, 2), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV2), 0);
	test_log_reset(&f->t);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_string_equal(f->t.log, "0000:00:02.0: BAR 2: pages 0xd0080-0xd0081 "
	                              "overlap a range already mapped: not mapped\n");
	assert_non_null(strstr(p2m(f), "0xd0000+0x80 0000:00:02.0 bar2\n"
	                                "0xd0080+0x2 0000:00:03.0 bar0\n"
	                                "0xd0082+0x7e 0000:00:02.0 bar2\n"));
}

static void test_overlap_ram(void **state)
{
	struct fx *f = *state;
	const struct pvhdev_e820_entry e820[] = {
		{ 0, 0x9f000, PVHDEV_E820_RAM },
		{ 0x100000, 0xd0080000 - 0x100000, PVHDEV_E820_RAM },
	};
	const struct pvhdev_platform plat = { .size = sizeof(plat), .e820 = e820,
	                                      .nr_e820 = 2 };

	test_log_reset(&f->t);
	assert_int_equal(pvhdev_domain_boot(f->t.dom, &plat), 0);
	assert_non_null(strstr(f->t.log, "0000:00:02.0: BAR 2: pages 0xd0000-0xd007f "
	                                 "overlap e820 RAM: not mapped\n"));
	assert_non_null(strstr(p2m(f), "0xd0080+0x80 0000:00:02.0 bar2\n"));
}

/* The device added with decoding off and BAR2 given an MSI-X hole at
 * 0x3000 (0x800 bytes), as the MSI-X module would declare it; holes
 * declared after device start, so the BAR module finds them at the
 * next decode change. */
static struct pvhdev_dev *add_with_hole(struct fx *f)
{
	struct pvhdev_dev *dev;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, DEV, &dev), 0);
	wr(f, 0x04, 2, 0);
	dev->holes[0] = (struct pvhdev__hole){ .bir = 2, .off = 0x3000, .size = 0x800 };
	dev->nr_holes = 1;
	return dev;
}

/* MSI-X pages (holes) are never mapped, whoever asks. */
static void test_hole_punched(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dev *dev = add_with_hole(f);

	dev->holes[1] = (struct pvhdev__hole){ .bir = 2, .off = 0x5000, .size = 0x1010 };
	dev->nr_holes = 2;
	test_events_skip(&f->t);
	wr(f, 0x04, 2, 2);
	expect_events(&f->t, "map 0xfe000 0x4 0xfe000 bar\n"
	                     "map 0xd0000 0x3 0xd0000 bar\n"
	                     "map 0xd0004 0x1 0xd0004 bar\n"
	                     "map 0xd0007 0xf9 0xd0007 bar\n"
	                     "map 0xfe100 0x1 0xfe100 bar\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x2\n");
}

/* Claims on MSI-X pages go with the BAR even when MSI-X let go of its
 * holes first, as module removal in reverse order does (found by
 * fuzz_ops as a use after free). */
static void test_hole_claims_released_on_remove(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dev *dev = add_with_hole(f);

	wr(f, 0x04, 2, 2);
	assert_null(strstr(p2m(f), "0xd0003+"));
	dev->nr_holes = 0; /* what MSI-X's removal does */
	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	/* The page is free for anyone now. */
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_non_null(strstr(p2m(f), "0xd0000+0x100 0000:00:02.0 bar2\n"));
}

/* Holes declared after device start get their claims' storage at the
 * next decode change; when it cannot be had, the command write is
 * dropped (nothing maps, nothing reaches the hardware) and the next one
 * maps. */
static void test_hole_claims_alloc_failure(void **state)
{
	struct fx *f = *state;

	add_with_hole(f);
	test_events_skip(&f->t);
	f->t.alloc.fail_at = f->t.alloc.calls + 1;
	wr(f, 0x04, 2, 2);
	f->t.alloc.fail_at = 0;
	assert_int_equal(rd(f, 0x04, 2) & 2, 0);
	assert_null(strstr(p2m(f), "bar2"));
	expect_events(&f->t, "");
	wr(f, 0x04, 2, 2);
	assert_int_equal(rd(f, 0x04, 2) & 2, 2);
	assert_non_null(strstr(p2m(f), "0xd0000+0x3 0000:00:02.0 bar2\n"
	                                "0xd0004+0xfc 0000:00:02.0 bar2\n"));
	char msg[256];
	assert_int_equal(pvhdev_check_invariants(f->t.dom, msg, sizeof(msg)), 0);
}

/* Running out of memory halfway through a decode change (BAR 0 mapped,
 * BAR 2's record needs a new slab) drops the command write and takes
 * back what it mapped: no BAR stays mapped with decoding off. */
static void test_decode_on_alloc_failure_halfway(void **state)
{
	struct fx *f = *state;
	char msg[256];
	size_t free_recs;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	/* Boot-style ranges (no owner) fill the slab but for one record
	 * (every other page, so none merge). */
	assert_int_equal(pvhdev__p2m_identity_map(f->t.dom, 0x10, 1, PVHDEV_MAP_ACPI, 0,
	                                          -1), 0);
	free_recs = PVHDEV__P2M_SLAB_RECS - pvhdev_p2m_count(f->t.dom) - 1;
	for (size_t i = 0; i < free_recs; i++)
		assert_int_equal(pvhdev__p2m_identity_map(f->t.dom, 0x100 + 2 * i, 1,
		                                          PVHDEV_MAP_ACPI, 0, -1), 0);
	test_events_skip(&f->t);
	f->t.alloc.fail_at = f->t.alloc.calls + 1;
	wr(f, 0x04, 2, 2);
	f->t.alloc.fail_at = 0;
	assert_int_equal(rd(f, 0x04, 2) & 2, 0);
	assert_null(strstr(p2m(f), "0000:00:02.0"));
	if (pvhdev_check_invariants(f->t.dom, msg, sizeof(msg)))
		fail_msg("%s", msg);
	expect_events(&f->t, "map 0xfe000 0x4 0xfe000 bar\n"
	                     "unmap 0xfe000 0x4\n");
	/* With memory, the same write maps. */
	wr(f, 0x04, 2, 2);
	assert_non_null(strstr(p2m(f), "0xd0000+0x100 0000:00:02.0 bar2\n"));
}

/* Hiding a device takes everything it owned out of the p2m. */
static void test_hide_unmaps(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_hide(f->t.dom, DEV), 0);
	expect_events(&f->t, "unmap 0xfe000 0x4\nunmap 0xd0000 0x100\n"
	                     "unmap 0xfe100 0x1\n");
	assert_string_equal(p2m(f), "");
}

/* Removal with work pending drops the work and unmaps what was done. */
static void test_remove_with_pending(void **state)
{
	struct fx *f = *state;
	bool more;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	boot(f);
	wr(f, 0x04, 2, 0x0002);
	assert_int_equal(pvhdev_process_pending(f->t.dom, 2, &more), 0);
	assert_true(more);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	expect_events(&f->t, "unmap 0xfe000 0x2\ndev-remove 0000:00:02.0\n");
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, &more), 0);
	assert_false(more);
	assert_string_equal(p2m(f), "");
}

/* Removal while an unmap is queued finishes the unmap: no page of the
 * device survives it (found by fuzz_ops). */
static void test_remove_with_queued_unmap(void **state)
{
	struct fx *f = *state;
	bool more;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	boot(f);
	wr(f, 0x04, 2, 0x0000);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	expect_events(&f->t, "unmap 0xfe000 0x4\nunmap 0xd0000 0x100\n"
	                     "unmap 0xfe100 0x1\ndev-remove 0000:00:02.0\n");
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, &more), 0);
	assert_false(more);
	assert_string_equal(p2m(f), "");
}

/* A ROM enable while a decode-off command write still waits for its p2m
 * work meets decoding off: the pending work completes first and the ROM
 * does not map (found by fuzz_ops). */
static void test_rom_enable_while_decode_off_pending(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	boot(f);
	wr(f, 0x04, 2, 0x0000);
	test_events_skip(&f->t);
	wr(f, 0x30, 4, 0xfe200001);
	expect_events(&f->t, "unmap 0xfe000 0x4\nunmap 0xd0000 0x100\n"
	                     "unmap 0xfe100 0x1\n"
	                     "hw-write 0000:00:02.0 0x4 2 0x0\n"
	                     "hw-write 0000:00:02.0 0x30 4 0xfe200001\n");
	assert_string_equal(p2m(f), "");
}

/* A 64-bit BAR in the last slot has no high half: ignored. */
static void test_bar64_last_slot(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dev *dev;
	struct pvhdev__bar_info bi;

	test_put(f->cfg, 0x24, 4, 0xfc000004);
	test_dom_fini(&f->t);
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	test_log_reset(&f->t);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, DEV, &dev), 0);
	assert_int_equal(pvhdev__bar_get(dev, 5, &bi), -ENOENT);
	assert_non_null(strstr(f->t.log, "BAR 5: 64-bit BAR in the last slot: ignored"));
}

/* Type 1 headers: two BARs and the ROM at 0x38. */
static void test_bridge_header(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dev *dev;
	struct pvhdev__bar_info bi;

	test_cfg_init(f->cfg2, 0x10b5, 0x8747, 0x06040000, 1);
	test_put(f->cfg2, 0x04, 2, 0x0002);
	test_put(f->cfg2, 0x10, 4, 0xfb000000);
	test_put(f->cfg2, 0x38, 4, 0xfb100000);
	f->d[1] = (struct pvhdev_fake_dev){ .sbdf = DEV2, .cfg = f->cfg2, .cfg_len = 256,
	                                    .bar_size = { 0x20000 }, .rom_size = 0x800 };
	test_dom_fini(&f->t);
	assert_int_equal(test_dom_init(&f->t, f->d, 2), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV2), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, DEV2, &dev), 0);
	assert_int_equal(pvhdev__bar_get(dev, 0, &bi), 0);
	assert_int_equal(bi.size, 0x20000);
	assert_int_equal(pvhdev__bar_get(dev, 6, &bi), 0);
	assert_int_equal(bi.size, 0x800);
	assert_int_equal(bi.addr, 0xfb100000);
	assert_string_equal(p2m(f), "0xfb000+0x20 0000:00:03.0 bar0\n");
	test_events_skip(&f->t);
	test_cfg_write(&f->t, DEV2, 0x38, 4, 0xfb100001);
	expect_events(&f->t, "hw-write 0000:00:03.0 0x38 4 0xfb100001\n"
	                     "map 0xfb100 0x1 0xfb100 rom\n");
}

/* A ROM register that ignores writes (no ROM) is not a ROM: enabling it
 * maps nothing (found by fuzz_ops). */
static void test_readonly_rom_register(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dev *dev;
	struct pvhdev_bar_info bi;

	f->d[0].rom_size = 0; /* the register keeps 0xfe200000, read-only */
	test_dom_fini(&f->t);
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, DEV, &dev), 0);
	assert_int_equal(pvhdev_dev_bar(dev, 6, &bi), -ENOENT);
	test_events_skip(&f->t);
	wr(f, 0x30, 4, 0xfe200001);
	expect_events(&f->t, "hw-write 0000:00:02.0 0x30 4 0xfe200001\n");
	assert_null(strstr(p2m(f), "bar6"));
}

/* Unassigned BARs (address 0, as firmware leaves some) are not mapped. */
static void test_unassigned_bar(void **state)
{
	struct fx *f = *state;

	test_put(f->cfg, 0x18, 4, 0x00000008);
	test_dom_fini(&f->t);
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_string_equal(p2m(f), "0xfe000+0x4 0000:00:02.0 bar0\n"
	                            "0xfe100+0x1 0000:00:02.0 bar4\n");
	assert_non_null(strstr(f->t.log, "BAR 2: unassigned (address 0): not mapped"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_add_sizes_and_maps, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_add_decode_off, setup_off, test_teardown),
	cmocka_unit_test_setup_teardown(test_guest_sizing_sequence, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_move_bar, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_move_bar_deferred, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_bar64_high_half, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_bar64_half_then_decode_off, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_remove_unmaps_bar64, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_rom_enable_disable, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_deferred_budget, setup_off, test_teardown),
	cmocka_unit_test_setup_teardown(test_deferred_then_toggle, setup_off, test_teardown),
	cmocka_unit_test_setup_teardown(test_overlap_other_device, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_overlap_in_the_middle, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_overlap_ram, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_hole_punched, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_hole_claims_alloc_failure, setup_off, test_teardown),
	cmocka_unit_test_setup_teardown(test_decode_on_alloc_failure_halfway, setup_off,
	                                test_teardown),
	cmocka_unit_test_setup_teardown(test_hole_claims_released_on_remove, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_hide_unmaps, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_remove_with_pending, setup_off, test_teardown),
	cmocka_unit_test_setup_teardown(test_remove_with_queued_unmap, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_rom_enable_while_decode_off_pending, setup_on,
	                                test_teardown),
	cmocka_unit_test_setup_teardown(test_bar64_last_slot, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_bridge_header, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_readonly_rom_register, setup_on, test_teardown),
	cmocka_unit_test_setup_teardown(test_unassigned_bar, setup_on, test_teardown),
};

PVHDEV_TEST_MAIN("bar", tests)
