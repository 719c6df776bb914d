/* SPDX-License-Identifier: MIT */
/*
 * Resets (issue 15) through the C API, on tests/data/platforms/resets.xml
 * (booted: map work is deferred).  The scenarios resets-*.scn replay the
 * triggers as dom0 writes them; these cases cover what a scenario cannot
 * say: the hypervisor's pvhdev_dev_reset() and its errors, the host's
 * masks across a reset, work still queued when the reset comes, and the
 * invariant checker catching a reset pvhdev did not see.
 *
 *   E  00:03.0  BAR0 16 KiB at 0xd0100000; MSI-X at 0x50 (table BAR0+0,
 *               PBA BAR0+0x2000), PM at 0x60, AF at 0x70, MSI at 0x80,
 *               PCIe at 0xa0 (Device Control 0xa8), FLR capable
 *   N  00:04.0  BAR0 4 KiB at 0xd0000000; PM with No_Soft_Reset set,
 *               PCIe without FLR
 *   B  00:01.0  a bridge, buses 1-2
 */
#include "helpers.h"

#include <string.h>

#include <pvhdev/irq.h>
#include <pvhdev/platform.h>

#include "core/core.h"

#define E PVHDEV_SBDF(0, 0, 3, 0)
#define N PVHDEV_SBDF(0, 0, 4, 0)
#define B PVHDEV_SBDF(0, 0, 1, 0)
#define ECAM 0xe0000000ull
#define TABLE 0xd0100000ull

struct fx {
	struct test_dom t;
};

static struct fx *machine(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	*state = f;
	test_dom_boot_platform(&f->t, "resets.xml", NULL, NULL);
	test_check(&f->t);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
	return f;
}


static struct pvhdev_dev *dev(struct fx *f, pvhdev_sbdf_t sbdf)
{
	struct pvhdev_dev *d = NULL;

	assert_int_equal(pvhdev_dev_get(f->t.dom, sbdf, &d), 0);
	return d;
}

static void mwr(struct fx *f, uint64_t addr, unsigned size, uint64_t val)
{
	assert_int_equal(pvhdev_mmio_write(f->t.dom, addr, size, val), 0);
}

/* dom0's config write through ECAM. */
static void cwr(struct fx *f, pvhdev_sbdf_t sbdf, unsigned off, unsigned size,
                uint32_t val)
{
	mwr(f, ECAM + ((uint64_t)PVHDEV_SBDF_BUS(sbdf) << 20) +
	           ((uint64_t)(sbdf & 0xff) << 12) + off, size, val);
}

static void drain(struct fx *f)
{
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, NULL), 0);
}

/* What the hardware holds, read past pvhdev. */
static uint32_t hw_cfg(struct fx *f, pvhdev_sbdf_t sbdf, unsigned off, unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(pvhdev_fake_ops.cfg_read(f->t.fake, sbdf, off, size, &v), 0);
	return v;
}

static uint32_t hw_mem(struct fx *f, uint64_t addr)
{
	uint64_t v = 0;

	assert_int_equal(pvhdev_fake_ops.mmio_read(f->t.fake, addr, 4, &v), 0);
	return (uint32_t)v;
}

static bool p2m_has(struct fx *f, uint64_t gfn)
{
	struct pvhdev_p2m_range r;

	return pvhdev_p2m_query(f->t.dom, gfn, &r) == 0;
}

/* E's MSI-X entry 0 bound to vector 0x41 on CPU 0, as a driver does it. */
static void bind_entry0(struct fx *f)
{
	cwr(f, E, 0x52, 2, 0xc003);
	mwr(f, TABLE, 4, 0xfee00000);
	mwr(f, TABLE + 4, 4, 0);
	mwr(f, TABLE + 8, 4, 0x41);
	mwr(f, TABLE + 12, 4, 0);
	cwr(f, E, 0x52, 2, 0x8003);
}

/* The hypervisor's FLR of E: the trigger reaches the device, then what
 * dom0's own would do. */
static void test_api_flr(void **state)
{
	struct fx *f = machine(state);

	bind_entry0(f);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_reset(dev(f, E), PVHDEV_RESET_FLR), 0);
	expect_events(&f->t, "hw-write 0000:00:03.0 0xa8 2 0xa810\n"
	                     "dev-reset 0000:00:03.0 flr\n"
	                     "msix-unbind 0000:00:03.0 0\n"
	                     "unmap 0xd0101 0x1\n"
	                     "unmap 0xd0103 0x1\n");
	assert_int_equal(hw_cfg(f, E, 0x04, 2), 0);
	assert_int_equal(hw_cfg(f, E, 0x10, 4), 0);
	assert_int_equal(hw_cfg(f, E, 0x52, 2), 0x0003);
	assert_int_equal(hw_cfg(f, E, 0xa8, 2), 0x2810);
	struct pvhdev_irq_binding b;
	assert_int_equal(pvhdev_msix_binding(f->t.dom, E, 0, &b), 0);
	assert_false(b.bound);
	assert_true(b.guest_masked);
	assert_int_equal(b.addr, 0);
	assert_int_equal(b.data, 0);
}

/* AF FLR and D3hot to D0 by the hypervisor: their trigger writes, in
 * order, then the reset. */
static void test_api_af_pm(void **state)
{
	struct fx *f = machine(state);

	assert_int_equal(pvhdev_dev_reset(dev(f, E), PVHDEV_RESET_AF_FLR), 0);
	expect_events(&f->t, "hw-write 0000:00:03.0 0x74 1 0x1\n"
	                     "dev-reset 0000:00:03.0 af-flr\n"
	                     "unmap 0xd0101 0x1\n"
	                     "unmap 0xd0103 0x1\n");
	assert_int_equal(pvhdev_dev_reset(dev(f, E), PVHDEV_RESET_PM), 0);
	expect_events(&f->t, "hw-write 0000:00:03.0 0x64 2 0x3\n"
	                     "hw-write 0000:00:03.0 0x64 2 0x0\n"
	                     "dev-reset 0000:00:03.0 pm\n");
	assert_int_equal(hw_cfg(f, E, 0x64, 2), 0);
}

/* What cannot be reset that way is refused with nothing written. */
static void test_api_refusals(void **state)
{
	struct fx *f = machine(state);

	assert_int_equal(pvhdev_dev_reset(dev(f, N), PVHDEV_RESET_FLR), -EOPNOTSUPP);
	assert_int_equal(pvhdev_dev_reset(dev(f, N), PVHDEV_RESET_AF_FLR), -EOPNOTSUPP);
	assert_int_equal(pvhdev_dev_reset(dev(f, N), PVHDEV_RESET_PM), -EOPNOTSUPP);
	assert_int_equal(pvhdev_dev_reset(dev(f, E), PVHDEV_RESET_BUS), -EOPNOTSUPP);
	assert_int_equal(pvhdev_dev_reset(dev(f, E), PVHDEV_RESET__COUNT), -EINVAL);
	assert_int_equal(pvhdev_dev_reset(dev(f, E), (enum pvhdev_reset_kind)-1), -EINVAL);
	expect_events(&f->t, "");
	assert_int_equal(pvhdev_dev_hide(f->t.dom, N), 0);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_reset(dev(f, N), PVHDEV_RESET_PM), -ENODEV);
	expect_events(&f->t, "");
	assert_string_equal(pvhdev_reset_kind_name(PVHDEV_RESET_BUS), "bus");
	assert_string_equal(pvhdev_reset_kind_name(PVHDEV_RESET__COUNT), "unknown");
}

/* The host's mask is the hypervisor's decision: it outlives the reset,
 * and the entry dom0 restores binds but stays masked in the device. */
static void test_host_mask_survives(void **state)
{
	struct fx *f = machine(state);
	struct pvhdev_irq_binding b;

	bind_entry0(f);
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, E, 0, true), 0);
	assert_int_equal(hw_mem(f, TABLE + 12) & 1, 1);
	cwr(f, E, 0xa8, 2, 0xa810);
	test_events_skip(&f->t);
	/* Linux's restore. */
	cwr(f, E, 0x10, 4, 0xd0100000);
	cwr(f, E, 0x04, 2, 0x0006);
	drain(f);
	bind_entry0(f);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, E, 0, &b), 0);
	assert_true(b.bound);
	assert_true(b.host_masked);
	assert_false(b.guest_masked);
	assert_int_equal(hw_mem(f, TABLE), 0xfee00000);
	assert_int_equal(hw_mem(f, TABLE + 8), 0x41);
	assert_int_equal(hw_mem(f, TABLE + 12) & 1, 1);
	test_check(&f->t);
}

/* A command write waiting for its p2m work when the reset comes: the
 * work is dropped with it, nothing maps later, decoding stays off. */
static void test_queued_work_dropped(void **state)
{
	struct fx *f = machine(state);

	cwr(f, E, 0x04, 2, 0x0000);
	drain(f);
	cwr(f, E, 0x04, 2, 0x0006);
	/* Queued: neither the map nor the command write happened yet. */
	assert_int_equal(hw_cfg(f, E, 0x04, 2), 0);
	test_events_skip(&f->t);
	cwr(f, E, 0xa8, 2, 0xa810);
	expect_events(&f->t, "hw-write 0000:00:03.0 0xa8 2 0xa810\n"
	                     "dev-reset 0000:00:03.0 flr\n");
	drain(f);
	expect_events(&f->t, "");
	assert_int_equal(hw_cfg(f, E, 0x04, 2), 0);
	assert_false(p2m_has(f, 0xd0101));
}

/* A reset pvhdev did not see (the hardware reset behind its back):
 * the BAR is mapped where the device no longer decodes and MSI-X entry
 * 0 is bound in a device with MSI-X off; the checker says so, and needs
 * both clauses for it. */
static void test_unseen_reset_caught(void **state)
{
	struct fx *f = machine(state);
	char msg[256];

	bind_entry0(f);
	test_check(&f->t);
	assert_int_equal(pvhdev_fake_ops.cfg_write(f->t.fake, E, 0xa8, 2, 0xa810), 0);
	assert_int_equal(hw_cfg(f, E, 0x04, 2), 0);
	assert_int_equal(pvhdev_check_invariants(f->t.dom, msg, sizeof(msg)), -EPROTO);
	assert_string_equal(msg, "0000:00:03.0: BAR 0: mapped with decoding off "
	                         "(0xd0100000, 0x0)");
	f->t.dom->check_off = PVHDEV__CK_BAR;
	assert_int_equal(pvhdev_check_invariants(f->t.dom, msg, sizeof(msg)), -EPROTO);
	assert_string_equal(msg, "0000:00:03.0: MSI-X: entry bound, MSI-X off in the "
	                         "device (0x0, 0x3)");
	f->t.dom->check_off = PVHDEV__CK_BAR | PVHDEV__CK_MSIX_BOUND;
	assert_int_equal(pvhdev_check_invariants(f->t.dom, msg, sizeof(msg)), 0);
	f->t.dom->check_off = 0;
	f->t.skip_invariants = true;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_api_flr, test_teardown),
		cmocka_unit_test_teardown(test_api_af_pm, test_teardown),
		cmocka_unit_test_teardown(test_api_refusals, test_teardown),
		cmocka_unit_test_teardown(test_host_mask_survives, test_teardown),
		cmocka_unit_test_teardown(test_queued_work_dropped, test_teardown),
		cmocka_unit_test_teardown(test_unseen_reset_caught, test_teardown),
	};
	return test_run("test_reset", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
