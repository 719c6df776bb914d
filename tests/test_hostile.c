/* SPDX-License-Identifier: MIT */
/*
 * Issue 14's findings, one case each, as a hostile or buggy dom0 plays
 * them against issue 14's "lab" machine (tests/data/platforms/lab.xml),
 * or against a small machine built here where the lab has no such
 * device (the SR-IOV PF of F1 and F12).  Each asserts what the guest
 * read, what reached the hardware, the p2m and the events, and the
 * checker (test_events checks it) holds after every step.
 *
 *   B 00:03.0  MSI-X (4 entries, table BAR0+0, PBA BAR0+0x2000, control
 *              0x42), BAR0 16 KiB at 0xd0100000
 *   A 00:04.0  BAR0 1 MiB at 0xd0000000
 *   C 00:05.0  MSI (64-bit, per-vector mask, 4 vectors, control 0x52),
 *              BAR0 4 KiB at 0xd0200000
 *   D 00:06.0  BAR0 4 KiB at 0xd0300000, ROM 64 KiB at 0xd0400000
 *   ECAM for bus 0 at 0xe0000000, IO-APIC at 0xfec00000, RAM 0-0x9fbff
 *   and 1 MiB-2 GiB.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <pvhdev/irq.h>

#include "core/core.h"
#include "bar/bar.h"

#define B PVHDEV_SBDF(0, 0, 3, 0)
#define A PVHDEV_SBDF(0, 0, 4, 0)
#define C PVHDEV_SBDF(0, 0, 5, 0)
#define D PVHDEV_SBDF(0, 0, 6, 0)
#define SB "0000:00:03.0"
#define SA "0000:00:04.0"
#define SC "0000:00:05.0"
#define SD "0000:00:06.0"
#define ECAM 0xe0000000ull
#define B_TABLE 0xd0100000ull

struct fx {
	struct test_dom t;
	uint8_t cfg[2][0x140];
	struct pvhdev_fake_dev d[2];
};


static struct fx *lab(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	*state = f;
	test_dom_boot_platform(&f->t, "lab.xml", NULL, NULL);
	test_check(&f->t);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
	return f;
}

/* dom0's ECAM accesses, as the issue writes them. */
static uint64_t ecam(pvhdev_sbdf_t sbdf, unsigned off)
{
	return ECAM + ((uint64_t)(sbdf & 0xff) << 12) + off;
}

static void writew(struct fx *f, pvhdev_sbdf_t sbdf, unsigned off, uint32_t v)
{
	assert_int_equal(pvhdev_mmio_write(f->t.dom, ecam(sbdf, off), 2, v), 0);
}

static void writel(struct fx *f, pvhdev_sbdf_t sbdf, unsigned off, uint32_t v)
{
	assert_int_equal(pvhdev_mmio_write(f->t.dom, ecam(sbdf, off), 4, v), 0);
}

static uint32_t readw(struct fx *f, pvhdev_sbdf_t sbdf, unsigned off)
{
	uint64_t v = 0;

	assert_int_equal(pvhdev_mmio_read(f->t.dom, ecam(sbdf, off), 2, &v), 0);
	return (uint32_t)v;
}

static void drain(struct fx *f)
{
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, NULL), 0);
}

/* The device's config space and memory, as the hardware has them. */
static uint32_t hw(struct fx *f, pvhdev_sbdf_t sbdf, unsigned off, unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(pvhdev_fake_ops.cfg_read(f->t.fake, sbdf, off, size, &v), 0);
	return v;
}

static bool has_log(struct fx *f, const char *line)
{
	return strstr(f->t.log, line) != NULL;
}

/* ---- F1: a VF routing ID that is a known function ---- */

/* PF 00:01.0, SR-IOV at 0x100: control as given, Initial/Total/NumVFs
 * 1, First VF Offset off, VF Stride 0; with fn1, a real function at
 * 00:01.1 (MSI at 0x50) and the PF multi-function. */
static struct fx *f1_machine_n(void **state, uint16_t ctrl, uint16_t off, bool fn1,
                               uint16_t nvfs)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *pf = f->cfg[0], *r = f->cfg[1];

	*state = f;
	test_cfg_init(pf, 0x8086, 0x10c9, 0x02000001, fn1 ? 0x80 : 0);
	test_put(pf, 0x100, 4, 0x00010010); /* SR-IOV, version 1, last */
	test_put(pf, 0x108, 2, ctrl);
	test_put(pf, 0x10c, 2, nvfs);
	test_put(pf, 0x10e, 2, nvfs);
	test_put(pf, 0x110, 2, nvfs);
	test_put(pf, 0x114, 2, off);
	test_put(pf, 0x116, 2, nvfs > 1 ? 1 : 0);
	test_put(pf, 0x11a, 2, 0x10ca);
	f->d[0] = (struct pvhdev_fake_dev){ .sbdf = PVHDEV_SBDF(0, 0, 1, 0), .cfg = pf,
	                                    .cfg_len = sizeof(f->cfg[0]) };
	test_cfg_init(r, 0x8086, 0x1111, 0x02000001, 0);
	test_put(r, 0x06, 2, 0x0010);
	test_put(r, 0x34, 1, 0x50);
	test_put(r, 0x50, 2, 0x0005);
	f->d[1] = (struct pvhdev_fake_dev){ .sbdf = PVHDEV_SBDF(0, 0, 1, 1), .cfg = r,
	                                    .cfg_len = 256 };
	assert_int_equal(test_dom_init(&f->t, f->d, fn1 ? 2 : 1), 0);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM, 0, 0, 0), 0);
	assert_int_equal(pvhdev_domain_scan(f->t.dom), 0);
	test_check(&f->t);
	return f;
}

static struct fx *f1_machine(void **state, uint16_t ctrl, uint16_t off, bool fn1)
{
	return f1_machine_n(state, ctrl, off, fn1, 1);
}

#define PF PVHDEV_SBDF(0, 0, 1, 0)
#define FN1 PVHDEV_SBDF(0, 0, 1, 1)

/* First VF Offset 0: "VF 0" is the PF itself.  Found enabled, VF Enable
 * is cleared in the device; dom0's enable is not forwarded; clearing it
 * again (the use-after-free of b034cc2) frees nothing. */
static void test_f1_vf_is_the_pf(void **state)
{
	struct fx *f = f1_machine(state, 0x0001, 0, false);
	struct pvhdev_dev *dev;

	assert_true(has_log(f, "0000:00:01.0: SR-IOV: VF routing ID is a known function: "
	                       "VF Enable refused, VF 0\n"));
	assert_int_equal(hw(f, PF, 0x108, 2), 0x0000);
	test_events_skip(&f->t);
	writew(f, PF, 0x108, 0x0001);
	assert_int_equal(readw(f, PF, 0x108), 0x0000);
	assert_int_equal(hw(f, PF, 0x108, 2), 0x0000);
	/* The control write reaches the device without VF Enable. */
	expect_events(&f->t, "hw-write 0000:00:01.0 0x108 2 0x0\n");
	writew(f, PF, 0x108, 0x0000);
	assert_int_equal(pvhdev_dev_get(f->t.dom, PF, &dev), 0);
	assert_false(pvhdev_dev_is_vf(dev, NULL));
	expect_events(&f->t, "hw-write 0000:00:01.0 0x108 2 0x0\n");
}

/* First VF Offset 1 onto the real function 00:01.1: it is never adopted
 * as a VF, keeps its own traps (its MSI binds through pvhdev), and
 * dom0's VF Enable is refused. */
static void test_f1_vf_is_a_real_function(void **state)
{
	struct fx *f = f1_machine(state, 0x0001, 1, true);
	struct pvhdev_dev *dev;

	assert_int_equal(hw(f, PF, 0x108, 2), 0x0000);
	assert_int_equal(pvhdev_dev_get(f->t.dom, FN1, &dev), 0);
	assert_false(pvhdev_dev_is_vf(dev, NULL));
	test_events_skip(&f->t);
	writew(f, PF, 0x108, 0x0001);
	assert_int_equal(readw(f, PF, 0x108), 0x0000);
	writew(f, PF, 0x108, 0x0000);
	expect_events(&f->t, "hw-write 0000:00:01.0 0x108 2 0x0\n"
	                     "hw-write 0000:00:01.0 0x108 2 0x0\n");
	writel(f, FN1, 0x54, 0xfee00000);
	writew(f, FN1, 0x58, 0x0041);
	writew(f, FN1, 0x52, 0x0001);
	expect_events(&f->t,
	              "msi-bind 0000:00:01.1 0 0xfee00000 0x41 dest=0x0 vector=0x41 fixed\n"
	              "hw-write 0000:00:01.1 0x54 4 0xfee00000\n"
	              "hw-write 0000:00:01.1 0x58 2 0x41\n"
	              "hw-write 0000:00:01.1 0x52 2 0x1\n");
}

/* ---- F12: NumVFs while VF Enable is set ---- */

/* First VF Offset 1 on a PF alone: VF Enable adds the VF; a NumVFs
 * write while it is set is dropped (the VF BAR span was taken at
 * enable), and accepted once VF Enable is clear. */
static void test_f12_num_vfs_dropped_while_enabled(void **state)
{
	struct fx *f = f1_machine(state, 0x0000, 1, false);

	writew(f, PF, 0x108, 0x0001);
	assert_int_equal(readw(f, PF, 0x108), 0x0001);
	test_events_skip(&f->t);
	writew(f, PF, 0x110, 0x0000);
	assert_int_equal(hw(f, PF, 0x110, 2), 1);
	assert_int_equal(readw(f, PF, 0x110), 1);
	assert_true(has_log(f, "0000:00:01.0: SR-IOV: NumVFs write while VF Enable is set "
	                       "dropped, value 0\n"));
	expect_events(&f->t, "");
	writew(f, PF, 0x108, 0x0000);
	test_events_skip(&f->t);
	writew(f, PF, 0x110, 0x0000);
	expect_events(&f->t, "hw-write 0000:00:01.0 0x110 2 0x0\n");
	assert_int_equal(hw(f, PF, 0x110, 2), 0);
}

/* ---- F2: a decoding device's MSI-X table under a mapping ---- */

/* B's BAR0 moved into low memory (0xc0000, identity mapped at boot):
 * its table could not be trapped there, so the decode-on is refused.
 * dom0 reads decoding off, the device never decodes, nothing maps. */
static void test_f2_table_under_low_memory(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;

	writew(f, B, 0x04, 0x0004);
	drain(f);
	writel(f, B, 0x10, 0x000c0000);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
	writew(f, B, 0x04, 0x0006);
	drain(f);
	expect_events(&f->t, "");
	assert_true(has_log(f, SB ": BAR 0: MSI-X pages 0xc0-0xc0 are mapped or trapped "
	                       "already: BAR not mapped\n"));
	assert_true(has_log(f, SB ": BAR 0: MSI-X pages reachable through the p2m: "
	                       "decoding stays off\n"));
	assert_int_equal(readw(f, B, 0x04), 0x0004);
	assert_int_equal(hw(f, B, 0x04, 2), 0x0004);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xc0, &r), 0);
	assert_int_equal(r.reason, PVHDEV_MAP_LOW_MEM);
	assert_int_equal(r.bar, -1);
}

/* B's BAR0 moved onto A's mapped BAR: refused the same way; A keeps
 * its mapping (never unmapped to make room). */
static void test_f2_table_under_another_bar(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;

	writew(f, B, 0x04, 0x0000);
	drain(f);
	writel(f, B, 0x10, 0xd0040000);
	test_events_skip(&f->t);
	writew(f, B, 0x04, 0x0006); /* decoding and bus master */
	drain(f);
	/* Bus master reaches the device, decoding does not. */
	expect_events(&f->t, "hw-write " SB " 0x4 2 0x4\n");
	assert_int_equal(readw(f, B, 0x04), 0x0004);
	assert_int_equal(hw(f, B, 0x04, 2), 0x0004);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0040, &r), 0);
	assert_int_equal(r.owner, A);
	assert_int_equal(r.gfn, 0xd0000);
	assert_int_equal(r.nr, 0x100);
}

/* BAR0 of sbdf written with addr while decoding, refused: the reason
 * (why) and the refusal logged, no event, the hardware's BAR as it was. */
static void move_refused(struct fx *f, pvhdev_sbdf_t sbdf, uint32_t addr, const char *why)
{
	char line[96], s[PVHDEV_SBDF_STRLEN];
	uint32_t was = hw(f, sbdf, 0x10, 4);

	test_log_reset(&f->t);
	writel(f, sbdf, 0x10, addr);
	expect_events(&f->t, "");
	snprintf(line, sizeof(line), "%s: BAR 0: write while decoding refused: ignored\n",
	         pvhdev_sbdf_str(sbdf, s));
	assert_true(has_log(f, why));
	assert_true(has_log(f, line));
	assert_int_equal(hw(f, sbdf, 0x10, 4), was);
}

/* B unassigned (BAR0 0: its table page under populated low RAM, which
 * is dom0's memory, not B's) decodes unmapped; a BAR write while it
 * decodes moves it as in hardware (issue 15): nothing to unmap, the
 * write, then the new place maps around B's MSI-X pages, claimed at
 * once, so that nothing maps over the moved table (found by fuzz_ops
 * when such writes went through unclaimed). */
static void test_f2_bar_write_while_decoding_unmapped(void **state)
{
	struct fx *f = lab(state);

	writew(f, B, 0x04, 0x0000);
	drain(f);
	writel(f, B, 0x10, 0x00000000);
	writew(f, B, 0x04, 0x0002);
	drain(f);
	assert_int_equal(hw(f, B, 0x04, 2), 0x0002);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
	writel(f, B, 0x10, 0xd0500000);
	expect_events(&f->t, "hw-write " SB " 0x10 4 0xd0500000\n");
	assert_int_equal(hw(f, B, 0x10, 4), 0xd0500000);
	test_check(&f->t);
	/* D moved onto B's new table page before the map ran: refused. */
	move_refused(f, D, 0xd0500000, SD ": BAR 0: covers another BAR's MSI-X pages "
	                               "0xd0500-0xd0500: BAR not mapped\n");
	drain(f);
	expect_events(&f->t, "map 0xd0501 0x1 0xd0501 bar\n"
	                     "map 0xd0503 0x1 0xd0503 bar\n");
	test_check(&f->t);
}

/* Moves while decoding that the device must not make are refused (the
 * write ignored, logged): B's table under A's mapped BAR, or D over
 * B's claimed table page.  Nothing is unmapped, nothing reaches the
 * hardware. */
static void test_move_refused(void **state)
{
	struct fx *f = lab(state);

	move_refused(f, B, 0xd0040000, SB ": BAR 0: MSI-X pages 0xd0040-0xd0040 are "
	                               "mapped or trapped already: BAR not mapped\n");
	move_refused(f, D, 0xd0100000, SD ": BAR 0: covers another BAR's MSI-X pages "
	                               "0xd0100-0xd0100: BAR not mapped\n");
	test_check(&f->t);
}

/* B moved while decoding with the backend failing at each call in turn:
 * the invariants hold after every attempt, and B maps where its
 * register says, old place or new (a move half-done must not leave B
 * decoding with its MSI-X pages unclaimed). */
static void test_move_backend_failure(void **state)
{
	bool more = true;

	for (unsigned long n = 1; more; n++) {
		struct fx *f = lab(state);
		struct pvhdev_p2m_range r;
		unsigned long calls = pvhdev_fake_calls(f->t.fake);
		pvhdev_fake_fail_at(f->t.fake, n, -EIO);
		pvhdev_mmio_write(f->t.dom, ecam(B, 0x10), 4, 0xd0500000);
		/* The last round: the write's calls all succeeded. */
		more = pvhdev_fake_calls(f->t.fake) - calls >= n;
		pvhdev_fake_fail_at(f->t.fake, 0, 0);
		drain(f);
		test_check(&f->t);
		uint64_t page = hw(f, B, 0x10, 4) == 0xd0500000 ? 0xd0501 : 0xd0101;
		assert_int_equal(pvhdev_p2m_query(f->t.dom, page, &r), 0);
		assert_int_equal(r.owner, B);
		/* The table's page is a hole where B decodes it. */
		assert_int_equal(pvhdev_p2m_query(f->t.dom, page - 1, &r), -ENOENT);
		test_teardown(state);
	}
	*state = NULL;
}

/* The invariant behind the move: B unassigned and decoding (at 0), its
 * BAR changed behind pvhdev's back, decodes its table with no claim on
 * it: pvhdev_check_invariants says so. */
static void test_move_invariant_unclaimed(void **state)
{
	struct fx *f = lab(state);
	char msg[256] = "";

	writew(f, B, 0x04, 0x0000);
	drain(f);
	writel(f, B, 0x10, 0x00000000);
	writew(f, B, 0x04, 0x0002);
	drain(f);
	test_check(&f->t);
	assert_int_equal(pvhdev_fake_ops.cfg_write(f->t.fake, B, 0x10, 4, 0xd0500000), 0);
	assert_int_equal(pvhdev_check_invariants(f->t.dom, msg, sizeof(msg)), -EPROTO);
	assert_string_equal(msg, SB ": BAR 0: decodes with its MSI-X pages unclaimed "
	                         "(0xd0500000, 0x0)");
	assert_int_equal(pvhdev_fake_ops.cfg_write(f->t.fake, B, 0x10, 4, 0), 0);
}

/* D moved onto the ECAM window while decoding: the write reaches the
 * device, the window's page is never mapped (logged), and D's old page
 * is unmapped. */
static void test_move_onto_ecam(void **state)
{
	struct fx *f = lab(state);

	writel(f, D, 0x10, 0xe0000000);
	expect_events(&f->t, "unmap 0xd0300 0x1\n"
	                     "hw-write " SD " 0x10 4 0xe0000000\n");
	drain(f);
	expect_events(&f->t, "");
	assert_true(has_log(f, SD ": BAR 0: pages 0xe0000-0xe0000 overlap "));
	assert_int_equal(hw(f, D, 0x10, 4), 0xe0000000);
	test_check(&f->t);
}

/* The device's own queued unmap is waited for: decoding off (not
 * drained), decoding on again at the same place maps and decodes. */
static void test_f2_own_queued_unmap_waited(void **state)
{
	struct fx *f = lab(state);

	writew(f, B, 0x04, 0x0000);
	test_events_skip(&f->t);
	writew(f, B, 0x04, 0x0002);
	drain(f);
	expect_events(&f->t,
	              "unmap 0xd0101 0x1\n"
	              "unmap 0xd0103 0x1\n"
	              "hw-write " SB " 0x4 2 0x0\n"
	              "map 0xd0101 0x1 0xd0101 bar\n"
	              "map 0xd0103 0x1 0xd0103 bar\n"
	              "hw-write " SB " 0x4 2 0x2\n");
	assert_int_equal(hw(f, B, 0x04, 2), 0x0002);
}

/* ---- F3: late ECAM windows and IO-APICs ---- */

/* A window reported over A's mapped BAR (bus 1 of segment 0 at
 * 0xcff00000 + 1 MiB): A's range leaves the p2m, the window traps. */
static void test_f3_late_window_over_a_bar(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;
	uint64_t v;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xcff00000, 0, 1, 1), 0);
	expect_events(&f->t, "unmap 0xd0000 0x100\n");
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0000, &r), -ENOENT);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, 0xd0000000, 4, &v), 0);
	assert_int_equal(v, 0xffffffff); /* bus 1, device 0: absent */
	/* A decoding off and on again maps nothing of it. */
	writew(f, A, 0x04, 0x0000);
	writew(f, A, 0x04, 0x0002);
	drain(f);
	expect_events(&f->t, "hw-write " SA " 0x4 2 0x0\n"
	                     "hw-write " SA " 0x4 2 0x2\n");
}

/* A BAR moved onto a late window (bus 1 at 0xc0100000) maps nothing
 * there. */
static void test_f3_bar_moved_onto_late_window(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xc0000000, 0, 1, 1), 0);
	expect_events(&f->t, "");
	writew(f, D, 0x04, 0x0000);
	drain(f);
	writel(f, D, 0x10, 0xc0100000);
	test_events_skip(&f->t);
	writew(f, D, 0x04, 0x0002);
	drain(f);
	expect_events(&f->t, "hw-write " SD " 0x4 2 0x2\n");
	assert_true(has_log(f, SD ": BAR 0: pages 0xc0100-0xc0100 overlap an MMCFG "
	                       "window: not mapped\n"));
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xc0100, &r), -ENOENT);
}

/* An IO-APIC added after boot over C's mapped BAR: unmapped, trapped. */
static void test_f3_late_ioapic(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;

	assert_int_equal(pvhdev_ioapic_add(f->t.dom, 2, 0xd0200000, 24, 24), 0);
	expect_events(&f->t, "unmap 0xd0200 0x1\n");
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0200, &r), -ENOENT);
}

/* ---- F9: late MMCFG reports are bounded ---- */

/* At most PVHDEV__MAX_MMCFG windows per domain (boot's included);
 * overlapping ones are refused. */
static void test_f9_late_windows_bounded(void **state)
{
	struct fx *f = lab(state);
	unsigned n = 1; /* the boot window */

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xe0000000, 0, 0, 0), -EEXIST);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xe0000000, 1, 0, 0), -EEXIST);
	for (uint16_t seg = 1; n < PVHDEV__MAX_MMCFG; seg++, n++)
		assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0x100000000000ull +
		                                  ((uint64_t)seg << 28), seg, 0, 0), 0);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0x200000000000ull, 999, 0, 0),
	                 -ENOSPC);
	assert_int_equal(f->t.dom->nr_mmcfg, PVHDEV__MAX_MMCFG);
}

/* ---- F4, F5: MSI-X masks while the table does not decode; removal ---- */

static uint32_t hw_mem(struct fx *f, uint64_t addr)
{
	uint64_t v = 0;

	assert_int_equal(pvhdev_fake_ops.mmio_read(f->t.fake, addr, 4, &v), 0);
	return (uint32_t)v;
}

static void mmio_wr(struct fx *f, uint64_t addr, uint32_t v)
{
	assert_int_equal(pvhdev_mmio_write(f->t.dom, addr, 4, v), 0);
}

/* B's entry 0: mask, address 0xfee01000, data 0x51, unmask; enable. */
static void bind_b0(struct fx *f)
{
	mmio_wr(f, B_TABLE + 12, 1);
	mmio_wr(f, B_TABLE, 0xfee01000);
	mmio_wr(f, B_TABLE + 4, 0);
	mmio_wr(f, B_TABLE + 8, 0x51);
	mmio_wr(f, B_TABLE + 12, 0);
	writew(f, B, 0x42, 0x8000);
	assert_int_equal(hw(f, B, 0x42, 2), 0x8003);
	assert_int_equal(hw_mem(f, B_TABLE + 12), 0);
	test_events_skip(&f->t);
}

/* The unbind while the table does not decode cannot mask the entry in
 * the device: the next enable masks it before MSI-X runs again, so the
 * old, unbound message never fires. */
static void test_f4_unbind_while_not_decoding(void **state)
{
	struct fx *f = lab(state);

	bind_b0(f);
	writew(f, B, 0x04, 0x0000);
	drain(f);
	writew(f, B, 0x42, 0x0000);
	expect_events(&f->t,
	              "unmap 0xd0101 0x1\n"
	              "unmap 0xd0103 0x1\n"
	              "hw-write " SB " 0x4 2 0x0\n"
	              "msix-unbind " SB " 0\n"
	              "hw-write " SB " 0x42 2 0xc003\n" /* the mask, as it can */
	              "hw-write " SB " 0x42 2 0x3\n");
	writew(f, B, 0x04, 0x0002);
	drain(f);
	mmio_wr(f, B_TABLE + 12, 1); /* dom0's view only: nothing is bound */
	test_events_skip(&f->t);
	writew(f, B, 0x42, 0x8000);
	expect_events(&f->t, "hw-mmio-write 0xd010000c 4 0x1\n"
	                     "hw-write " SB " 0x42 2 0x8003\n");
	assert_int_equal(hw_mem(f, B_TABLE + 12), 1);
}

/* A host mask while the table does not decode: the function mask
 * stands in for it until the table decodes, then the entry's own. */
static void test_f4_host_mask_while_not_decoding(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_irq_binding b;

	bind_b0(f);
	writew(f, B, 0x04, 0x0000);
	drain(f);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, B, 0, true), 0);
	expect_events(&f->t, "msix-mask " SB " 0 1\n"
	                     "hw-write " SB " 0x42 2 0xc003\n");
	assert_int_equal(pvhdev_msix_binding(f->t.dom, B, 0, &b), 0);
	assert_true(b.host_masked);
	assert_int_equal(readw(f, B, 0x42), 0x8003); /* dom0's view */
	writew(f, B, 0x04, 0x0002);
	drain(f);
	expect_events(&f->t, "map 0xd0101 0x1 0xd0101 bar\n"
	                     "map 0xd0103 0x1 0xd0103 bar\n"
	                     "hw-write " SB " 0x4 2 0x2\n"
	                     "hw-mmio-write 0xd010000c 4 0x1\n"
	                     "hw-write " SB " 0x42 2 0x8003\n");
	assert_int_equal(hw_mem(f, B_TABLE + 12), 1);
}

/* Bind C's MSI and B's MSI-X entry 0, remove both: the devices are
 * left quiet.  dom0 (whose writes reach a device pvhdev no longer
 * knows) turns C's MSI back on; adding them again disables what it
 * finds on instead of adopting it. */
static void test_f5_remove_and_readd(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_irq_binding b;

	bind_b0(f);
	writel(f, C, 0x54, 0xfee00000);
	writew(f, C, 0x5c, 0x41);
	writew(f, C, 0x52, 0x0001);
	assert_int_equal(hw(f, C, 0x52, 2), 0x0185);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, C), 0);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, B), 0);
	assert_int_equal(hw(f, C, 0x52, 2), 0x0184);
	assert_int_equal(hw(f, B, 0x42, 2), 0x0003);
	assert_int_equal(hw_mem(f, B_TABLE + 12), 1);
	const char *ev = test_events(&f->t);
	assert_non_null(strstr(ev, "msi-unbind " SC " 0\n"));
	assert_non_null(strstr(ev, "hw-write " SC " 0x52 2 0x184\n"));
	assert_non_null(strstr(ev, "msix-unbind " SB " 0\n"));
	assert_non_null(strstr(ev, "hw-mmio-write 0xd010000c 4 0x1\n"));
	assert_non_null(strstr(ev, "hw-write " SB " 0x42 2 0x3\n"));
	writew(f, C, 0x52, 0x0001);
	assert_int_equal(hw(f, C, 0x52, 2), 0x0185);
	assert_int_equal(pvhdev_dev_add(f->t.dom, C), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, B), 0);
	assert_int_equal(hw(f, C, 0x52, 2), 0x0184);
	assert_int_equal(readw(f, C, 0x52), 0x0184);
	assert_int_equal(pvhdev_msi_binding(f->t.dom, C, 0, &b), 0);
	assert_false(b.bound);
	test_check(&f->t);
}

/* One late MMCFG report covering the bus makes a device with extended
 * capabilities (unreadable before) be removed and added again: its
 * bound MSI is left off, not adopted. */
static void test_f5_late_mmcfg_readd(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		{ 0x0, 0x9fc00, PVHDEV_E820_RAM },
		{ 0x100000, 0x7ff00000, PVHDEV_E820_RAM },
	};
	const struct pvhdev_platform plat = { .size = sizeof(plat), .e820 = e820,
	                                      .nr_e820 = 2 };
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *c = f->cfg[0];
	struct pvhdev_irq_binding b;

	*state = f;
	test_cfg_init(c, 0x8086, 0x3333, 0x02000001, 0);
	test_put(c, 0x06, 2, 0x0010);
	test_put(c, 0x34, 1, 0x50);
	test_put(c, 0x50, 2, 0x0005);
	test_put(c, 0x100, 4, 0x00010001); /* AER: seen only through ECAM */
	f->d[0] = (struct pvhdev_fake_dev){ .sbdf = C, .cfg = c, .cfg_len = sizeof(f->cfg[0]) };
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	assert_int_equal(pvhdev_domain_boot(f->t.dom, &plat), 0);
	test_cfg_write(&f->t, C, 0x54, 4, 0xfee00000);
	test_cfg_write(&f->t, C, 0x58, 2, 0x41);
	test_cfg_write(&f->t, C, 0x52, 2, 0x0001);
	assert_int_equal(hw(f, C, 0x52, 2), 0x0001);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM, 0, 0, 0), 0);
	const char *ev = test_events(&f->t);
	const char *want = "msi-unbind " SC " 0\n"
	                   "hw-write " SC " 0x52 2 0x0\n"
	                   "dev-remove " SC "\n";
	assert_memory_equal(ev, want, strlen(want)); /* then sizing, and: */
	assert_non_null(strstr(ev, "dev-add " SC "\n"));
	assert_null(strstr(ev, "msi-bind"));
	assert_int_equal(hw(f, C, 0x52, 2), 0x0000);
	assert_int_equal(readw(f, C, 0x52), 0x0000);
	assert_int_equal(pvhdev_msi_binding(f->t.dom, C, 0, &b), 0);
	assert_false(b.bound);
}

/* ---- F6: hidden devices' BARs ---- */

/* B hidden (decoding, its BAR at 0xd0100000): its frames leave the p2m
 * and are excluded; D's BAR0 moved onto them maps nothing. */
static void test_f6_hidden_bar_excluded(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;

	assert_int_equal(pvhdev_dev_hide(f->t.dom, B), 0);
	expect_events(&f->t, "unmap 0xd0101 0x1\n"
	                     "unmap 0xd0103 0x1\n");
	assert_int_equal(readw(f, B, 0x00), 0xffff);
	writew(f, D, 0x04, 0x0000);
	drain(f);
	writel(f, D, 0x10, 0xd0100000);
	test_events_skip(&f->t);
	writew(f, D, 0x04, 0x0002);
	drain(f);
	expect_events(&f->t, "hw-write " SD " 0x4 2 0x2\n");
	assert_true(has_log(f, SD ": BAR 0: pages 0xd0100-0xd0100 overlap a hidden "
	                       "device's BAR: not mapped\n"));
	for (uint64_t gfn = 0xd0100; gfn < 0xd0104; gfn++)
		assert_int_equal(pvhdev_p2m_query(f->t.dom, gfn, &r), -ENOENT);
}

/* Hidden before it is added (the platform's <hidden>, a quirk): its
 * BARs are sized and excluded when it is added. */
static void test_f6_hidden_placeholder(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;

	assert_int_equal(pvhdev_dev_remove(f->t.dom, D), 0);
	assert_int_equal(pvhdev_dev_hide(f->t.dom, D), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, D), 0);
	assert_int_equal(f->t.dom->nr_hidden_bars, 2);
	assert_int_equal(f->t.dom->hidden_bars[0].addr, 0xd0300000);
	assert_int_equal(f->t.dom->hidden_bars[0].size, 0x1000);
	assert_int_equal(f->t.dom->hidden_bars[1].addr, 0xd0400000); /* the ROM */
	assert_int_equal(f->t.dom->hidden_bars[1].size, 0x10000);
	/* Removed and added again: recorded once. */
	assert_int_equal(pvhdev_dev_remove(f->t.dom, D), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, D), 0);
	assert_int_equal(f->t.dom->nr_hidden_bars, 2);
	writew(f, A, 0x04, 0x0000);
	drain(f);
	writel(f, A, 0x10, 0xd0300000);
	writew(f, A, 0x04, 0x0002);
	drain(f);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0300, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0301, &r), 0);
	assert_int_equal(r.owner, A);
}

/* ---- F10: a refused MSI-X layout left enabled ---- */

/* MSI-X enabled by firmware with its table in BAR1, which the device
 * does not implement: the capability is hidden, and MSI-X turned off in
 * the device (dom0 could otherwise write live entries in mapped BAR0). */
static void test_f10_refused_layout_disabled(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *c = f->cfg[0];

	*state = f;
	test_cfg_init(c, 0x8086, 0x1111, 0x02000001, 0);
	test_put(c, 0x04, 2, 0x0002);
	test_put(c, 0x06, 2, 0x0010);
	test_put(c, 0x10, 4, 0xd0100000);
	test_put(c, 0x34, 1, 0x40);
	test_put(c, 0x40, 2, 0x0011);
	test_put(c, 0x42, 2, 0x8003);
	test_put(c, 0x44, 4, 0x00000001); /* table: BIR 1, not implemented */
	test_put(c, 0x48, 4, 0x00002000);
	f->d[0] = (struct pvhdev_fake_dev){ .sbdf = B, .cfg = c, .cfg_len = 256,
	                                    .bar_size = { 0x4000 } };
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, B), 0);
	assert_true(has_log(f, SB ": MSI-X: table BIR 1 names no memory BAR: no MSI-X\n"));
	assert_true(has_log(f, SB ": MSI-X: found enabled: disabled\n"));
	assert_int_equal(hw(f, B, 0x42, 2), 0x0003);
	assert_int_equal(test_cfg_read(&f->t, B, 0x40, 4), 0);
	assert_non_null(strstr(test_events(&f->t), "hw-write " SB " 0x42 2 0x3\n"));
}

/* ---- F11: a waited command write that fails ---- */

/* A's decode-on waits for its mapping; the command write then fails in
 * the backend: decoding is off, so the mapping goes again. */
static void test_f11_failed_command_write_unmaps(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;

	writew(f, A, 0x04, 0x0000);
	drain(f);
	writew(f, A, 0x04, 0x0002);
	test_events_skip(&f->t);
	pvhdev_fake_fail_at(f->t.fake, 1, -EIO);
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, NULL), -EIO);
	expect_events(&f->t, "map 0xd0000 0x100 0xd0000 bar\n"
	                     "hw-write " SA " 0x4 2 0x2\n"
	                     "unmap 0xd0000 0x100\n");
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0000, &r), -ENOENT);
	assert_int_equal(hw(f, A, 0x04, 2), 0x0000);
	assert_int_equal(readw(f, A, 0x04), 0x0000);
}

/* ---- F8: the deferred queue ---- */

/* 512 functions, each with a decoding 4 KiB BAR, turn decoding off
 * (512 queued unmaps); each is then flushed by a BAR write, in tail
 * order: every flush takes its item out in one step (a walk of the
 * queue took 131,328 here). */
static void test_f8_flush_is_constant_time(void **state)
{
	enum { N = 512 };
	struct fx *f = calloc(1, sizeof(*f));
	struct pvhdev_fake_dev *d = calloc(N, sizeof(*d));
	uint8_t *cfg = calloc(N, 256);

	*state = f;
	for (unsigned i = 0; i < N; i++) {
		uint8_t *c = cfg + 256 * i;
		test_cfg_init(c, 0x8086, 0x2222, 0x02000001, 0x80);
		test_put(c, 0x04, 2, 0x0002);
		test_put(c, 0x10, 4, 0xd0000000u + 0x1000u * i);
		d[i] = (struct pvhdev_fake_dev){ .sbdf = PVHDEV_SBDF(0, i / 256, (i / 8) % 32,
		                                                     i % 8),
		                                 .cfg = c, .cfg_len = 256,
		                                 .bar_size = { 0x1000 } };
	}
	assert_int_equal(test_dom_init(&f->t, d, N), 0);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(pvhdev_dev_add(f->t.dom, d[i].sbdf), 0);
	f->t.dom->booted = true; /* from now on map work is queued */
	for (unsigned i = 0; i < N; i++)
		test_cfg_write(&f->t, d[i].sbdf, 0x04, 2, 0);
	assert_int_equal(f->t.dom->bar_queue->steps, 0);
	for (unsigned i = N; i-- > 0;)
		test_cfg_write(&f->t, d[i].sbdf, 0x10, 4, 0xd0000000u + 0x1000u * i);
	assert_int_equal(f->t.dom->bar_queue->steps, N);
	assert_null(f->t.dom->bar_queue->head);
	assert_int_equal(pvhdev_p2m_count(f->t.dom), 0);
	test_check(&f->t);
	free(d);
	free(cfg);
}

/* VF Enable allocates, per VF, its device and the register table of
 * its FLR trigger (its VFs have FLR: the array, the index page, the
 * array trimmed at the end of the add), and nothing else (the one
 * allocation a guest access makes besides MSI-X shadows, bounded by
 * TotalVFs: docs/architecture.md).  The fake, which shares the test's
 * allocator, makes one more: its VFs' config space. */
static void test_f12_vf_enable_allocations(void **state)
{
	struct fx *f = f1_machine_n(state, 0x0000, 8, false, 4);
	unsigned long before = f->t.alloc.calls;

	writew(f, PF, 0x108, 0x0001);
	assert_int_equal(f->t.alloc.calls - before, 4 * 4 + 1);
	writew(f, PF, 0x108, 0x0000);
	assert_int_equal(f->t.alloc.calls - before, 4 * 4 + 1);
}

/* ---- VF MSI-X tables and PBAs (issue 14) ---- */

/* lab-vf.xml: the lab and E 00:08.0, an SR-IOV PF whose VFs 00:08.1 and
 * 00:08.2 have MSI-X (4 entries, table + 0x2000, PBA + 0x3000 of each
 * VF's BAR0, 16 KiB per VF from 0xd0800000): VF 1's table is at
 * 0xd0806000, its PBA at 0xd0807000. */
#define E PVHDEV_SBDF(0, 0, 8, 0)
#define VF1 PVHDEV_SBDF(0, 0, 8, 2)
#define VF1_TABLE 0xd0806000ull

/* dom0 maps the VF BAR (VF Enable, VF MSE): VF 1's table and PBA pages
 * are holes in it.  Writing VF 1's table directly lands in the trap,
 * not in the device; moving another BAR over it is refused; programming
 * the entry binds, and the bound message reaches the device. */
static void test_vf_msix_table_trapped(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct pvhdev_p2m_range r;
	uint64_t v;

	*state = f;
	test_dom_boot_platform(&f->t, "lab-vf.xml", NULL, NULL);
	test_events_skip(&f->t);
	writew(f, E, 0x108, 0x0009);
	drain(f);
	expect_events(&f->t, "hw-write 0000:00:08.0 0x108 2 0x9\n"
	                     "dev-add 0000:00:08.1\n"
	                     "dev-add 0000:00:08.2\n"
	                     "map 0xd0800 0x2 0xd0800 vf-bar\n"
	                     "map 0xd0804 0x2 0xd0804 vf-bar\n");
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0806, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0807, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0805, &r), 0);
	test_check(&f->t);

	/* Straight at VF 1's table: the trap keeps it as dom0's view. */
	assert_int_equal(pvhdev_mmio_write(f->t.dom, VF1_TABLE, 4, 0xfee01000), 0);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, VF1_TABLE + 8, 4, 0x51), 0);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, VF1_TABLE, 4, &v), 0);
	assert_int_equal(v, 0xfee01000);
	assert_int_equal(hw_mem(f, VF1_TABLE), 0);
	assert_int_equal(hw_mem(f, VF1_TABLE + 8), 0);
	assert_int_equal(hw_mem(f, VF1_TABLE + 12), 1);
	expect_events(&f->t, "");

	/* D's BAR moved onto VF 1's table, then decoding on: refused. */
	writew(f, D, 0x04, 0x0000);
	writel(f, D, 0x10, (uint32_t)VF1_TABLE);
	writew(f, D, 0x04, 0x0002);
	drain(f);
	assert_int_equal(hw(f, D, 0x04, 2) & 0x2, 0);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0806, &r), -ENOENT);
	assert_true(has_log(f, "covers another BAR's MSI-X pages 0xd0806-0xd0807"));
	test_events_skip(&f->t);

	/* Programmed: bound, with the message in the device. */
	writew(f, VF1, 0x42, 0x8000);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, VF1_TABLE + 12, 4, 0), 0);
	assert_string_equal(test_events_only(&f->t, "msix-bind"), "msix-bind 0000:00:08.2 "
	                    "0 0xfee01000 0x51 dest=0x1 vector=0x51 fixed\n");
	assert_int_equal(hw_mem(f, VF1_TABLE), 0xfee01000);
	assert_int_equal(hw_mem(f, VF1_TABLE + 8), 0x51);
	assert_int_equal(hw_mem(f, VF1_TABLE + 12), 0);
	test_check(&f->t);

	/* VF MSE off: unmapped, the trap goes; the binding stays.  The VF
	 * BAR moves to 0xd0900000 and decodes again: VF 1's table is
	 * trapped there, a hole again, with the bound message in it. */
	writew(f, E, 0x108, 0x0001);
	drain(f);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0805, &r), -ENOENT);
	test_check(&f->t);
	writel(f, E, 0x124, 0xd0900000);
	writew(f, E, 0x108, 0x0009);
	drain(f);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0906, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0905, &r), 0);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, 0xd0906000 + 8, 4, &v), 0);
	assert_int_equal(v, 0x51);
	assert_int_equal(hw_mem(f, 0xd0906000), 0xfee01000);
	test_check(&f->t);
	test_events_skip(&f->t);
	/* VF Enable off: the VFs go, VF 1's binding with them, its MSI-X
	 * left off (function-masked first: its trap stopped with the VF
	 * BAR's unmap, so its entries could not be masked one by one). */
	writew(f, E, 0x108, 0x0000);
	drain(f);
	expect_events(&f->t, "msix-unbind 0000:00:08.2 0\n"
	                     "hw-write 0000:00:08.2 0x42 2 0xc003\n"
	                     "hw-write 0000:00:08.2 0x42 2 0x3\n"
	                     "dev-remove 0000:00:08.2\n"
	                     "dev-remove 0000:00:08.1\n"
	                     "hw-write 0000:00:08.0 0x108 2 0x0\n"
	                     "unmap 0xd0900 0x2\n"
	                     "unmap 0xd0904 0x2\n");
	test_check(&f->t);
}

/* A VF with MSI-X allocates at VF Enable what any device with MSI-X
 * does at its add, 7 blocks: its device, its registers (table and
 * index), its MSI-X state, BAR state and the claims on its MSI-X pages
 * (docs/architecture.md).  The fake (sharing the test's allocator)
 * takes its VFs' config space and each VF's window RAM. */
static void test_vf_enable_allocations_msix(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned long before;

	*state = f;
	test_dom_boot_platform(&f->t, "lab-vf.xml", NULL, NULL);
	before = f->t.alloc.calls;
	writew(f, E, 0x108, 0x0009);
	drain(f);
	assert_int_equal(f->t.alloc.calls - before, 2 * 7 + 1 + 2);
	test_check(&f->t);
}

/* An ACPI table whose length says 4 GiB maps what its e820 range and
 * 16 MiB allow, not 4 GiB of MMIO space. */
static void test_f12_acpi_table_length_bounded(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		{ 0x0, 0x9fc00, PVHDEV_E820_RAM },
		{ 0x100000, 0x7ff00000, PVHDEV_E820_RAM },
		{ 0x80000000, 0x20000, PVHDEV_E820_ACPI },
		{ 0xe0000000, 0x10000000, PVHDEV_E820_RESERVED },
	};
	static const struct pvhdev_acpi_table acpi[] = {
		{ "FACP", 0x80000100, 0xffffff00 },
	};
	const struct pvhdev_platform plat = {
		.size = sizeof(plat), .e820 = e820, .nr_e820 = 4, .acpi = acpi, .nr_acpi = 1,
	};
	struct fx *f = calloc(1, sizeof(*f));
	struct pvhdev_p2m_range r;

	*state = f;
	assert_int_equal(test_dom_init(&f->t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(f->t.dom, &plat), 0);
	assert_true(has_log(f, "boot: ACPI table FACP at 0x80000100: length 0xffffff00 past "
	                       "its e820 range: 0x1000000 mapped at most\n"));
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0x80020, &r), 0);
	assert_int_equal(r.gfn, 0x80020);
	assert_int_equal(r.nr, 0xfe1); /* to 0x81000100 */
	assert_int_equal(r.reason, PVHDEV_MAP_ACPI_TABLE);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0x81001, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0000, &r), -ENOENT);
	test_check(&f->t);
}

/* Boot is linear in e820 entries: twice the entries, twice the
 * allocations (200,000 took 0.06 s and 14 MB in the core). */
static void test_f12_e820_linear(void **state)
{
	unsigned long calls[2];
	struct fx *f = calloc(1, sizeof(*f));

	*state = f;
	for (unsigned k = 0; k < 2; k++) {
		size_t n = 2000u << k;
		struct pvhdev_e820_entry *e = calloc(n, sizeof(*e));
		for (size_t i = 0; i < n; i++)
			e[i] = (struct pvhdev_e820_entry){ 0x100000000ull + i * 0x2000, 0x1000,
			                                   i % 2 ? PVHDEV_E820_RAM : PVHDEV_E820_ACPI };
		const struct pvhdev_platform plat = { .size = sizeof(plat), .e820 = e,
		                                      .nr_e820 = n };
		assert_int_equal(test_dom_init(&f->t, NULL, 0), 0);
		assert_int_equal(pvhdev_domain_boot(f->t.dom, &plat), 0);
		calls[k] = f->t.alloc.calls;
		test_dom_fini(&f->t);
		free(e);
	}
	assert_true(calls[1] <= 2 * calls[0] + 16);
	assert_int_equal(test_dom_init(&f->t, NULL, 0), 0);
}

/* ---- Found by fuzz_ops with the new checker ---- */

/* A table whose mask bits do not stick (here: device memory the fake
 * does not back, reading 0, so every entry reads unmasked with address
 * 0): enabling MSI-X masks them, reads back, and keeps the function
 * mask in the device while they stay unmasked. */
static void test_fuzz_mask_does_not_stick(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *c = f->cfg[0];

	*state = f;
	test_cfg_init(c, 0x8086, 0x1111, 0x02000001, 0);
	test_put(c, 0x04, 2, 0x0002);
	test_put(c, 0x06, 2, 0x0010);
	test_put(c, 0x10, 4, 0xd0100000);
	test_put(c, 0x34, 1, 0x40);
	test_put(c, 0x40, 2, 0x0011);
	test_put(c, 0x42, 2, 0x0001);
	test_put(c, 0x44, 4, 0x00002000);
	test_put(c, 0x48, 4, 0x00003000);
	f->d[0] = (struct pvhdev_fake_dev){ .sbdf = B, .cfg = c, .cfg_len = 256,
	                                    .bar_size = { 0x4000 }, .mmio_backed = 0x1000 };
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, B), 0);
	test_events_skip(&f->t);
	test_cfg_write(&f->t, B, 0x42, 2, 0x8000);
	expect_events(&f->t, "hw-mmio-write 0xd010200c 4 0x1\n"
	                     "hw-mmio-write 0xd010201c 4 0x1\n"
	                     "hw-write " SB " 0x42 2 0xc001\n");
	assert_int_equal(test_cfg_read(&f->t, B, 0x42, 2), 0x8001);
	/* dom0 unmasks entry 0 with a good message: it binds, and the
	 * function mask stays, since the entry cannot be programmed. */
	assert_int_equal(pvhdev_mmio_write(f->t.dom, 0xd0102000, 4, 0xfee00000), 0);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, 0xd0102008, 4, 0x41), 0);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, 0xd010200c, 4, 0), 0);
	assert_int_equal(hw(f, B, 0x42, 2), 0xc001);
	test_check(&f->t);
}

/* MSI-X enabled while the table's BAR is mapped (its work done, so
 * trapped) but the command write still waits for the ROM's work: the
 * device does not decode yet and answers all-ones, which read as
 * masked.  Nothing may be taken as masked then: the function mask
 * stands in until the command write reaches the device. */
static void test_fuzz_enable_before_decoding(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *c = f->cfg[0];

	*state = f;
	test_cfg_init(c, 0x8086, 0x1111, 0x02000001, 0);
	test_put(c, 0x06, 2, 0x0010);
	test_put(c, 0x10, 4, 0xd0100000);
	test_put(c, 0x30, 4, 0xd0400001); /* ROM enabled, decoding off */
	test_put(c, 0x34, 1, 0x40);
	test_put(c, 0x40, 2, 0x0011);
	test_put(c, 0x42, 2, 0x0001);
	test_put(c, 0x44, 4, 0x00000000);
	test_put(c, 0x48, 4, 0x00002000);
	f->d[0] = (struct pvhdev_fake_dev){ .sbdf = B, .cfg = c, .cfg_len = 256,
	                                    .bar_size = { 0x4000 }, .rom_size = 0x10000 };
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	/* The device's entries unmasked, as firmware may leave them (the
	 * fake's table starts masked, as after reset): decode on in the
	 * device for a moment, before pvhdev knows it. */
	assert_int_equal(pvhdev_fake_ops.cfg_write(f->t.fake, B, 0x04, 2, 0x0002), 0);
	for (unsigned e = 0; e < 2; e++)
		assert_int_equal(pvhdev_fake_ops.mmio_write(f->t.fake, 0xd0100000 + 16 * e + 12,
		                                            4, 0), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_write(f->t.fake, B, 0x04, 2, 0x0000), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, B), 0);
	f->t.dom->booted = true; /* map work is queued from now on */
	test_cfg_write(&f->t, B, 0x04, 2, 0x0002);
	assert_int_equal(pvhdev_process_pending(f->t.dom, 4, NULL), 0); /* BAR0 only */
	assert_int_equal(hw(f, B, 0x04, 2), 0x0000);
	test_events_skip(&f->t);
	test_cfg_write(&f->t, B, 0x42, 2, 0x8000);
	expect_events(&f->t, "hw-write " SB " 0x42 2 0xc001\n");
	drain(f);
	expect_events(&f->t, "map 0xd0402 0xe 0xd0402 rom\n" /* the rest of the ROM */
	                     "hw-write " SB " 0x4 2 0x2\n"
	                     "hw-mmio-write 0xd010000c 4 0x1\n"
	                     "hw-mmio-write 0xd010001c 4 0x1\n"
	                     "hw-write " SB " 0x42 2 0x8001\n");
}

/* B's decode-off is queued: B decodes until its command write, after
 * the unmap work, and its MSI-X pages stay claimed until then (found by
 * fuzz_ops: the claims went with the queued unmap, and a device added
 * meanwhile mapped over B's table).  A, added meanwhile decoding over
 * B's BAR, covers B's claimed pages: two devices would answer B's
 * table, so A does not decode (found by fuzz_ops too: the fake then
 * answered B's table reads from A's memory). */
static void test_fuzz_claims_kept_until_decoding_off(void **state)
{
	struct fx *f = lab(state);
	struct pvhdev_p2m_range r;

	writew(f, B, 0x04, 0x0000); /* queued */
	assert_int_equal(hw(f, B, 0x04, 2), 0x0002);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, A), 0);
	writel(f, A, 0x10, 0xd0100000); /* A is nobody's: this is the hardware */
	test_log_reset(&f->t);
	assert_int_equal(pvhdev_dev_add(f->t.dom, A), 0);
	assert_true(has_log(f, SA ": BAR 0: covers another BAR's MSI-X pages "
	                       "0xd0100-0xd0100: BAR not mapped\n"));
	assert_int_equal(hw(f, A, 0x04, 2), 0x0000);
	test_check(&f->t);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0100, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0104, &r), -ENOENT);
	drain(f);
	assert_int_equal(hw(f, B, 0x04, 2), 0x0000);
	/* B off: A may decode there now. */
	writew(f, A, 0x04, 0x0002);
	drain(f);
	assert_int_equal(hw(f, A, 0x04, 2), 0x0002);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0100, &r), 0);
	assert_int_equal(r.owner, A);
	test_check(&f->t);
}

/* One device, two BARs: BAR 0 (128 KiB) moved onto BAR 3's MSI-X table
 * (16 KiB, table at +0, PBA at +0x2000).  The device would answer the
 * trapped table from BAR 0's memory whichever BAR maps first, so its
 * decode-on is refused (found by AFL++ on fuzz_ops, the regression
 * input decode-over-claimed-msix-pages); so is a ROM enabled later over
 * the table of a decoding BAR 3, whose enable bit is taken back. */
static void test_fuzz_own_bar_over_table(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *c = f->cfg[0];
	struct pvhdev_p2m_range r;

	*state = f;
	test_cfg_init(c, 0x8086, 0x10c9, 0x02000001, 0);
	test_put(c, 0x06, 2, 0x0010);
	test_put(c, 0x10, 4, 0xd0000000);
	test_put(c, 0x1c, 4, 0xd0100000);
	test_put(c, 0x30, 4, 0xd0200000);
	test_put(c, 0x34, 1, 0x40);
	test_put(c, 0x40, 2, 0x0011);
	test_put(c, 0x42, 2, 0x0003);
	test_put(c, 0x44, 4, 0x00000003);
	test_put(c, 0x48, 4, 0x00002003);
	f->d[0] = (struct pvhdev_fake_dev){ .sbdf = B, .cfg = c, .cfg_len = 256,
	                                    .bar_size = { 0x20000, 0, 0, 0x4000 },
	                                    .rom_size = 0x10000 };
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, B), 0);
	f->t.dom->booted = true;
	test_events_skip(&f->t);
	test_log_reset(&f->t);

	test_cfg_write(&f->t, B, 0x10, 4, 0xd0100000);
	test_cfg_write(&f->t, B, 0x04, 2, 0x0006);
	drain(f);
	assert_true(has_log(f, SB ": BAR 0: covers BAR 3's MSI-X pages "
	                       "0xd0100-0xd0100: BAR not mapped\n"));
	expect_events(&f->t, "hw-write " SB " 0x10 4 0xd0100000\n"
	                     "hw-write " SB " 0x4 2 0x4\n");
	assert_int_equal(hw(f, B, 0x04, 2), 0x0004);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0101, &r), -ENOENT);
	test_check(&f->t);

	/* BAR 0 back: both map, the table's pages stay holes. */
	test_cfg_write(&f->t, B, 0x10, 4, 0xd0000000);
	test_cfg_write(&f->t, B, 0x04, 2, 0x0006);
	drain(f);
	assert_int_equal(hw(f, B, 0x04, 2), 0x0006);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0101, &r), 0);
	assert_int_equal(r.bar, 3);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0100, &r), -ENOENT);
	test_events_skip(&f->t);
	test_log_reset(&f->t);

	/* The ROM enabled over the table: not mapped. */
	test_cfg_write(&f->t, B, 0x30, 4, 0xd0100001);
	drain(f);
	assert_true(has_log(f, SB ": BAR 6: covers another BAR's MSI-X pages "
	                       "0xd0100-0xd0100: BAR not mapped\n"));
	expect_events(&f->t, "hw-write " SB " 0x30 4 0xd0100001\n"
	                     "hw-write " SB " 0x30 4 0xd0100000\n");
	assert_int_equal(hw(f, B, 0x30, 4), 0xd0100000);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0101, &r), 0);
	assert_int_equal(r.bar, 3);
	test_check(&f->t);
}

/* A reserved header type (8) with what looks like a capability list at
 * 0x34: not one (the type defines no pointer), so pvhdev models no MSI
 * for it (found by fuzz_dump: the "MSI" there had a read-only enable
 * bit, live in the checker's eyes). */
static void test_fuzz_reserved_header_type(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *c = f->cfg[0];
	struct pvhdev_dev *dev;
	unsigned off;

	*state = f;
	test_cfg_init(c, 0x8086, 0x0953, 0x01080200, 0x08);
	test_put(c, 0x06, 2, 0x0010);
	test_put(c, 0x34, 1, 0x50);
	test_put(c, 0x50, 2, 0x0005);
	test_put(c, 0x52, 2, 0x001f);
	f->d[0] = (struct pvhdev_fake_dev){ .sbdf = C, .cfg = c, .cfg_len = 256 };
	assert_int_equal(test_dom_init(&f->t, f->d, 1), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, C), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, C, &dev), 0);
	assert_int_equal(pvhdev_dev_find_cap(dev, 0x05, &off), -ENOENT);
	expect_events(&f->t, "dev-add " SC "\n");
}

/* A VF BAR left at address 0 (an FLR clears it) still decodes there
 * once VF MSE is on: VF 3's MSI-X table would lie at 0xc2000, in
 * identity-mapped low memory.  VF MSE is refused, written back clear, as
 * a BAR's decode-on is (found by fuzz_ops after the 82576's FLR:
 * fuzz/regressions/ops/vf-table-in-low-memory). */
static void test_fuzz_vf_table_in_low_memory(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	*state = f;
	test_dom_boot_platform(&f->t, "vf-low.xml", NULL, NULL);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
	writew(f, E, 0x110, 4);
	writew(f, E, 0x108, 0x0009);
	drain(f);
	expect_events(&f->t, "hw-write 0000:00:08.0 0x110 2 0x4\n"
	                     "hw-write 0000:00:08.0 0x108 2 0x9\n"
	                     "dev-add 0000:00:08.1\n"
	                     "dev-add 0000:00:08.2\n"
	                     "dev-add 0000:00:08.3\n"
	                     "dev-add 0000:00:08.4\n"
	                     "hw-write 0000:00:08.0 0x108 2 0x1\n");
	assert_int_equal(hw(f, E, 0x108, 2), 0x0001);
	assert_true(has_log(f, "0000:00:08.4: BAR 0: MSI-X pages 0xc2-0xc3 are mapped or "
	                       "trapped already"));
	assert_true(has_log(f, "0000:00:08.0: SR-IOV: VF MSE refused"));
	test_check(&f->t);
	/* VF MSE alone later: the same. */
	writew(f, E, 0x108, 0x0009);
	expect_events(&f->t, "hw-write 0000:00:08.0 0x108 2 0x9\n"
	                     "hw-write 0000:00:08.0 0x108 2 0x1\n");
	test_check(&f->t);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(test_f1_vf_is_the_pf, test_teardown),
	cmocka_unit_test_teardown(test_f1_vf_is_a_real_function, test_teardown),
	cmocka_unit_test_teardown(test_f2_table_under_low_memory, test_teardown),
	cmocka_unit_test_teardown(test_f2_table_under_another_bar, test_teardown),
	cmocka_unit_test_teardown(test_f2_own_queued_unmap_waited, test_teardown),
	cmocka_unit_test_teardown(test_f2_bar_write_while_decoding_unmapped, test_teardown),
	cmocka_unit_test_teardown(test_move_refused, test_teardown),
	cmocka_unit_test_teardown(test_move_onto_ecam, test_teardown),
	cmocka_unit_test_teardown(test_move_backend_failure, test_teardown),
	cmocka_unit_test_teardown(test_move_invariant_unclaimed, test_teardown),
	cmocka_unit_test_teardown(test_f3_late_window_over_a_bar, test_teardown),
	cmocka_unit_test_teardown(test_f4_unbind_while_not_decoding, test_teardown),
	cmocka_unit_test_teardown(test_f4_host_mask_while_not_decoding, test_teardown),
	cmocka_unit_test_teardown(test_f5_remove_and_readd, test_teardown),
	cmocka_unit_test_teardown(test_f5_late_mmcfg_readd, test_teardown),
	cmocka_unit_test_teardown(test_f6_hidden_bar_excluded, test_teardown),
	cmocka_unit_test_teardown(test_f6_hidden_placeholder, test_teardown),
	cmocka_unit_test_teardown(test_f3_bar_moved_onto_late_window, test_teardown),
	cmocka_unit_test_teardown(test_f3_late_ioapic, test_teardown),
	cmocka_unit_test_teardown(test_f8_flush_is_constant_time, test_teardown),
	cmocka_unit_test_teardown(test_f9_late_windows_bounded, test_teardown),
	cmocka_unit_test_teardown(test_f10_refused_layout_disabled, test_teardown),
	cmocka_unit_test_teardown(test_f11_failed_command_write_unmaps, test_teardown),
	cmocka_unit_test_teardown(test_f12_num_vfs_dropped_while_enabled, test_teardown),
	cmocka_unit_test_teardown(test_f12_vf_enable_allocations, test_teardown),
	cmocka_unit_test_teardown(test_vf_msix_table_trapped, test_teardown),
	cmocka_unit_test_teardown(test_vf_enable_allocations_msix, test_teardown),
	cmocka_unit_test_teardown(test_f12_acpi_table_length_bounded, test_teardown),
	cmocka_unit_test_teardown(test_f12_e820_linear, test_teardown),
	cmocka_unit_test_teardown(test_fuzz_mask_does_not_stick, test_teardown),
	cmocka_unit_test_teardown(test_fuzz_enable_before_decoding, test_teardown),
	cmocka_unit_test_teardown(test_fuzz_claims_kept_until_decoding_off, test_teardown),
	cmocka_unit_test_teardown(test_fuzz_own_bar_over_table, test_teardown),
	cmocka_unit_test_teardown(test_fuzz_reserved_header_type, test_teardown),
	cmocka_unit_test_teardown(test_fuzz_vf_table_in_low_memory, test_teardown),
};

PVHDEV_TEST_MAIN("hostile", tests)
