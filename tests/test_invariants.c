/* SPDX-License-Identifier: MIT */
/*
 * pvhdev_check_invariants, clause by clause (issue 14, F7).  Each case
 * boots issue 14's "lab" machine (tests/data/platforms/lab.xml), puts
 * the domain in a state that breaks one clause (through the hardware,
 * as a device or firmware could, or through the model's internals, as
 * a bug could), and checks that the checker reports it with every
 * clause on and does not with that one clause off (dom->check_off):
 * each case fails when its clause is switched off.
 *
 *   B 00:03.0  MSI-X (4 entries, table BAR0+0, PBA BAR0+0x2000), BAR0
 *              16 KiB at 0xd0100000
 *   A 00:04.0  BAR0 1 MiB at 0xd0000000
 *   C 00:05.0  MSI (64-bit, per-vector mask, 4 vectors) at 0x50
 *   D 00:06.0  BAR0 4 KiB at 0xd0300000, ROM 64 KiB at 0xd0400000
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <pvhdev/irq.h>

#include "core/core.h"
#include "msi/msi.h"
#include "bar/bar.h"

#define B PVHDEV_SBDF(0, 0, 3, 0)
#define A PVHDEV_SBDF(0, 0, 4, 0)
#define C PVHDEV_SBDF(0, 0, 5, 0)
#define D PVHDEV_SBDF(0, 0, 6, 0)
#define B_TABLE 0xd0100000ull


static struct test_dom *lab(void **state)
{
	struct test_dom *t = calloc(1, sizeof(*t));

	*state = t;
	test_dom_boot_platform(t, "lab.xml", NULL, NULL);
	test_check(t);
	test_events_skip(t);
	return t;
}

/* The hardware, behind pvhdev's back. */
static void hw_cfg(struct test_dom *t, pvhdev_sbdf_t sbdf, unsigned off,
                   unsigned size, uint32_t val)
{
	assert_int_equal(pvhdev_fake_ops.cfg_write(t->fake, sbdf, off, size, val), 0);
}

static void hw_mmio(struct test_dom *t, uint64_t addr, unsigned size, uint64_t val)
{
	assert_int_equal(pvhdev_fake_ops.mmio_write(t->fake, addr, size, val), 0);
}

/* The checker reports what starts with want with every clause on, and
 * nothing with clause off. */
static void expect_clause(struct test_dom *t, uint32_t clause, const char *want)
{
	char msg[256];

	t->dom->check_off = 0;
	assert_int_equal(pvhdev_check_invariants(t->dom, msg, sizeof(msg)), -EPROTO);
	if (strncmp(msg, want, strlen(want)))
		fail_msg("checker said \"%s\", want \"%s...\"", msg, want);
	t->dom->check_off = clause;
	if (pvhdev_check_invariants(t->dom, msg, sizeof(msg)))
		fail_msg("with clause 0x%x off the checker still said \"%s\"", clause, msg);
	t->dom->check_off = 0;
	t->skip_invariants = true; /* the state stays broken */
}

/* An identity range over frames excluded after it was made. */
static void test_clause_p2m(void **state)
{
	struct test_dom *t = lab(state);

	assert_int_equal(pvhdev__excl_add(t->dom, 0xd0000, 1, PVHDEV__EXCL_RESERVED), 0);
	expect_clause(t, PVHDEV__CK_P2M, "p2m: identity range 0xd0000+0x100 overlaps "
	                                 "hypervisor-reserved at 0xd0000");
}

static int no_read(void *opaque, uint64_t addr, unsigned size, uint64_t *val)
{
	(void)opaque, (void)addr, (void)size;
	*val = 0;
	return 0;
}

static int no_write(void *opaque, uint64_t addr, unsigned size, uint64_t val)
{
	(void)opaque, (void)addr, (void)size, (void)val;
	return 0;
}

static const struct pvhdev__mmio_ops no_ops = { .read = no_read, .write = no_write };

/* A trapped range (one that is not an excluded frame) over A's mapped
 * BAR: dom0 would reach the hardware past the trap. */
static void test_clause_trapped(void **state)
{
	struct test_dom *t = lab(state);
	struct pvhdev__mmio_region r;

	assert_int_equal(pvhdev__mmio_add(t->dom, &r, 0xd0010000, 0x1000, &no_ops, NULL), 0);
	expect_clause(t, PVHDEV__CK_TRAPPED, "p2m: range 0xd0000+0x100 covers the "
	                                     "trapped range 0xd0010000-0xd0010fff");
	pvhdev__mmio_remove(t->dom, &r);
}

/* A hidden device that still owns its BAR state and its mapping. */
static void test_clause_hidden(void **state)
{
	struct test_dom *t = lab(state);
	struct pvhdev_dev *dev;

	assert_int_equal(pvhdev_dev_get(t->dom, A, &dev), 0);
	dev->hidden = true;
	expect_clause(t, PVHDEV__CK_HIDDEN, "0000:00:04.0: hidden, but owns p2m range "
	                                    "0xd0000+0x100");
	dev->hidden = false;
}

/* A hidden device whose BAR the hardware now has over A's mapping
 * (the frames recorded at the hide are excluded, these are not). */
static void test_clause_hidden_frames(void **state)
{
	struct test_dom *t = lab(state);

	assert_int_equal(pvhdev_dev_hide(t->dom, B), 0);
	test_check(t);
	hw_cfg(t, B, 0x10, 4, 0xd0010000);
	expect_clause(t, PVHDEV__CK_HIDDEN, "0000:00:03.0: hidden, but p2m range "
	                                    "0xd0000+0x100 covers its BAR 0");
}

/* The guest's view of a read-only field differs from the hardware's. */
static void test_clause_regs(void **state)
{
	struct test_dom *t = lab(state);
	struct pvhdev_dev *dev;

	assert_int_equal(pvhdev_dev_get(t->dom, C, &dev), 0);
	dev->msi->hw_ctrl = (uint16_t)(dev->msi->hw_ctrl & ~MSI_CTRL_MMC);
	expect_clause(t, PVHDEV__CK_REGS, "0000:00:05.0: register 0x52: guest sees "
	                                  "read-only bits 0x180, the hardware 0x184");
}

/* A mapped BAR whose device stopped decoding behind pvhdev's back. */
static void test_clause_bar(void **state)
{
	struct test_dom *t = lab(state);

	hw_cfg(t, A, 0x04, 2, 0);
	expect_clause(t, PVHDEV__CK_BAR, "0000:00:04.0: BAR 0: mapped with decoding off");
}

/* B decodes (turned on behind pvhdev's back, so its BAR is not mapped
 * and its table not trapped) while a boot-like range covers its table:
 * only the MSI-X pages clause sees it. */
static void test_clause_msix_pages(void **state)
{
	struct test_dom *t = lab(state);

	test_cfg_write(t, B, 0x04, 2, 0);
	assert_int_equal(pvhdev__p2m_identity_map(t->dom, 0xd0100, 1, PVHDEV_MAP_ACPI, 0, -1),
	                 0);
	hw_cfg(t, B, 0x04, 2, 2);
	expect_clause(t, PVHDEV__CK_MSIX_PAGES, "0000:00:03.0: MSI-X: table page in "
	                                        "the p2m while decoding (0xd0100, 0x1)");
}

/* dom0 enables MSI-X (control at 0x42); the device then has entry 2
 * of its table unmasked with a message no binding carries. */
static void live_unbound_entry(struct test_dom *t, pvhdev_sbdf_t sbdf, uint64_t table,
                               const char *want)
{
	test_cfg_write(t, sbdf, 0x42, 2, 0x8000);
	test_check(t);
	hw_mmio(t, table + 0x20, 4, 0xfee00000);
	hw_mmio(t, table + 0x28, 4, 0x33);
	hw_mmio(t, table + 0x2c, 4, 0);
	expect_clause(t, PVHDEV__CK_MSIX_LIVE, want);
}

static void test_clause_msix_live(void **state)
{
	live_unbound_entry(lab(state), B, B_TABLE, "0000:00:03.0: MSI-X: entry live in the "
	                                           "device, not bound (0x2, 0xfee00000)");
}

/* Entry 0 bound, then host-masked; the device unmasks it: the binding
 * is the same message (the live clause is content), the host mask is
 * not in effect. */
static void test_clause_msix_hmask(void **state)
{
	struct test_dom *t = lab(state);
	uint64_t v;

	test_cfg_write(t, B, 0x42, 2, 0x8000);
	assert_int_equal(pvhdev_mmio_write(t->dom, B_TABLE, 4, 0xfee01000), 0);
	assert_int_equal(pvhdev_mmio_write(t->dom, B_TABLE + 8, 4, 0x51), 0);
	assert_int_equal(pvhdev_mmio_write(t->dom, B_TABLE + 12, 4, 0), 0);
	assert_int_equal(pvhdev_msix_host_mask(t->dom, B, 0, true), 0);
	test_check(t);
	assert_int_equal(pvhdev_fake_ops.mmio_read(t->fake, B_TABLE + 12, 4, &v), 0);
	assert_int_equal(v, 1);
	hw_mmio(t, B_TABLE + 12, 4, 0);
	expect_clause(t, PVHDEV__CK_MSIX_HMASK, "0000:00:03.0: MSI-X: host-masked entry "
	                                        "unmasked in the device (0x0, 0xfee01000)");
}

/* MSI enabled in the device behind pvhdev's back. */
static void test_clause_msi_live(void **state)
{
	struct test_dom *t = lab(state);

	hw_cfg(t, C, 0x54, 4, 0xfee00000);
	hw_cfg(t, C, 0x5c, 2, 0x41);
	hw_cfg(t, C, 0x52, 2, 0x0185);
	expect_clause(t, PVHDEV__CK_MSI_LIVE, "0000:00:05.0: MSI: vector 0: live in the "
	                                      "device, not bound (0x185, 0x41)");
}

/* Vector 0 bound and host-masked; the device's mask bit is cleared. */
static void test_clause_msi_hmask(void **state)
{
	struct test_dom *t = lab(state);

	test_cfg_write(t, C, 0x54, 4, 0xfee00000);
	test_cfg_write(t, C, 0x5c, 2, 0x41);
	test_cfg_write(t, C, 0x52, 2, 0x0001);
	assert_int_equal(pvhdev_msi_host_mask(t->dom, C, 0, true), 0);
	test_check(t);
	hw_cfg(t, C, 0x60, 4, 0);
	expect_clause(t, PVHDEV__CK_MSI_HMASK, "0000:00:05.0: MSI: vector 0: host-masked, "
	                                       "unmasked in the device (0x185, 0x0)");
}

/* Vector 0 bound; the device turns MSI off on its own (a reset pvhdev
 * did not see): the binding is of nothing. */
static void test_clause_msi_bound(void **state)
{
	struct test_dom *t = lab(state);

	test_cfg_write(t, C, 0x54, 4, 0xfee00000);
	test_cfg_write(t, C, 0x5c, 2, 0x41);
	test_cfg_write(t, C, 0x52, 2, 0x0001);
	test_check(t);
	hw_cfg(t, C, 0x52, 2, 0x0184);
	expect_clause(t, PVHDEV__CK_MSI_BOUND, "0000:00:05.0: MSI: vector 0: bound, MSI "
	                                       "off in the device (0x184, 0x1)");
}

/* Entry 0 bound; the device's entry, masked, gets another message (as
 * after a reset pvhdev did not see): unmasking it later would send
 * that. */
static void test_clause_msix_bound(void **state)
{
	struct test_dom *t = lab(state);

	test_cfg_write(t, B, 0x42, 2, 0x8000);
	assert_int_equal(pvhdev_mmio_write(t->dom, B_TABLE, 4, 0xfee01000), 0);
	assert_int_equal(pvhdev_mmio_write(t->dom, B_TABLE + 8, 4, 0x51), 0);
	assert_int_equal(pvhdev_mmio_write(t->dom, B_TABLE + 12, 4, 0), 0);
	test_check(t);
	hw_mmio(t, B_TABLE + 12, 4, 1);
	hw_mmio(t, B_TABLE, 4, 0);
	expect_clause(t, PVHDEV__CK_MSIX_BOUND, "0000:00:03.0: MSI-X: entry bound, another "
	                                        "message in the device (0x0, 0x0)");
}

/* The IO-APIC's window is no longer trapped. */
static void test_clause_ioapic(void **state)
{
	struct test_dom *t = lab(state);
	struct pvhdev__rnode *n = pvhdev__rtree_find(&t->dom->mmio, 0xfec00000);
	struct pvhdev__mmio_region *r;

	assert_non_null(n);
	r = PVHDEV__CONTAINER(n, struct pvhdev__mmio_region, node);
	pvhdev__mmio_remove(t->dom, r);
	expect_clause(t, PVHDEV__CK_IOAPIC, "IO-APIC 1 at 0xfec00000: window not trapped");
	assert_int_equal(pvhdev__rtree_insert(&t->dom->mmio, &r->node), 0);
}

/* lab-vf.xml: the lab and E 00:08.0, an SR-IOV PF with MSI-X (4
 * entries, table + 0x2000, PBA + 0x3000 of each VF's BAR0); dom0 sets
 * VF Enable and VF MSE: VFs 00:08.1 and 00:08.2, VF BAR0 16 KiB per VF
 * at 0xd0800000, so VF 1's table is at 0xd0806000. */
#define E PVHDEV_SBDF(0, 0, 8, 0)
#define VF1 PVHDEV_SBDF(0, 0, 8, 2)
#define VF1_TABLE 0xd0806000ull

static struct test_dom *lab_vf(void **state)
{
	struct test_dom *t = calloc(1, sizeof(*t));

	*state = t;
	test_dom_boot_platform(t, "lab-vf.xml", NULL, NULL);
	test_cfg_write(t, E, 0x108, 2, 0x0009);
	assert_int_equal(pvhdev_process_pending(t->dom, 0, NULL), 0);
	test_check(t);
	test_events_skip(t);
	return t;
}

/* VF MSE turned on behind pvhdev's back (the VF BAR is not mapped, VF
 * 1's table not trapped) while a boot-like range covers VF 1's table. */
static void test_clause_msix_pages_vf(void **state)
{
	struct test_dom *t = lab_vf(state);

	test_cfg_write(t, E, 0x108, 2, 0x0001);
	assert_int_equal(pvhdev_process_pending(t->dom, 0, NULL), 0);
	assert_int_equal(pvhdev__p2m_identity_map(t->dom, 0xd0806, 1, PVHDEV_MAP_ACPI, 0, -1),
	                 0);
	test_check(t); /* VF memory does not decode */
	hw_cfg(t, E, 0x108, 2, 0x0009);
	expect_clause(t, PVHDEV__CK_MSIX_PAGES, "0000:00:08.2: MSI-X: table page in "
	                                        "the p2m while decoding (0xd0806, 0x1)");
}

/* The same with VF 1's table. */
static void test_clause_msix_live_vf(void **state)
{
	live_unbound_entry(lab_vf(state), VF1, VF1_TABLE, "0000:00:08.2: MSI-X: entry live "
	                   "in the device, not bound (0x2, 0xfee00000)");
}

/* VF 1's table pages lose their claim while the VF BAR is mapped: a
 * mapping could now cover them. */
static void test_clause_bar_vf_claims(void **state)
{
	struct test_dom *t = lab_vf(state);
	struct pvhdev__rnode *n = pvhdev__rtree_find(&t->dom->bar_queue->holes, 0xd0806);

	assert_non_null(n);
	pvhdev__rtree_remove(&t->dom->bar_queue->holes, n);
	expect_clause(t, PVHDEV__CK_BAR, "0000:00:08.2: BAR 0: MSI-X pages not claimed "
	                                 "(0xd0806, 0x1)");
	assert_int_equal(pvhdev__rtree_insert(&t->dom->bar_queue->holes, n), 0);
}

/* Reading the hardware is no guest access: no event, nothing written. */
static void test_checker_is_quiet(void **state)
{
	struct test_dom *t = lab(state);
	uint64_t seq;

	test_cfg_write(t, B, 0x42, 2, 0x8000);
	test_cfg_write(t, C, 0x54, 4, 0xfee00000);
	test_cfg_write(t, C, 0x52, 2, 0x0001);
	test_events_skip(t);
	seq = pvhdev_event_next_seq(t->dom);
	test_check(t);
	test_check(t);
	assert_int_equal(pvhdev_event_next_seq(t->dom), seq);
	assert_int_equal(t->log_len, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(test_clause_p2m, test_teardown),
	cmocka_unit_test_teardown(test_clause_trapped, test_teardown),
	cmocka_unit_test_teardown(test_clause_hidden, test_teardown),
	cmocka_unit_test_teardown(test_clause_hidden_frames, test_teardown),
	cmocka_unit_test_teardown(test_clause_regs, test_teardown),
	cmocka_unit_test_teardown(test_clause_bar, test_teardown),
	cmocka_unit_test_teardown(test_clause_msix_pages, test_teardown),
	cmocka_unit_test_teardown(test_clause_msix_live, test_teardown),
	cmocka_unit_test_teardown(test_clause_msix_hmask, test_teardown),
	cmocka_unit_test_teardown(test_clause_msi_live, test_teardown),
	cmocka_unit_test_teardown(test_clause_msi_hmask, test_teardown),
	cmocka_unit_test_teardown(test_clause_msi_bound, test_teardown),
	cmocka_unit_test_teardown(test_clause_msix_bound, test_teardown),
	cmocka_unit_test_teardown(test_clause_ioapic, test_teardown),
	cmocka_unit_test_teardown(test_clause_msix_pages_vf, test_teardown),
	cmocka_unit_test_teardown(test_clause_msix_live_vf, test_teardown),
	cmocka_unit_test_teardown(test_clause_bar_vf_claims, test_teardown),
	cmocka_unit_test_teardown(test_checker_is_quiet, test_teardown),
};

PVHDEV_TEST_MAIN("invariants", tests)
