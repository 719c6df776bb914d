/* SPDX-License-Identifier: MIT */
/*
 * SR-IOV and late MMCFG.  A PF at 01:00.0 with extended space:
 *
 *   BAR0       32-bit memory, 128 KiB at 0xf0000000
 *   0x100      ARI, next 0x160
 *   0x160      SR-IOV: TotalVFs 8, First VF Offset 0x80, VF Stride 2,
 *              VF Device ID 0x10ca, VF BAR0 64-bit 16 KiB per VF at
 *              0xf1000000, VF BAR3 32-bit 16 KiB per VF at 0xf2000000
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <pvhdev/dump.h>

#define PF PVHDEV_SBDF(0, 1, 0, 0)
#define SRIOV 0x160
#define CTRL (SRIOV + 0x08)
#define NUMVFS (SRIOV + 0x10)
#define ECAM 0xe0000000ull

struct fx {
	struct test_dom t;
	uint8_t cfg[4096];
	struct pvhdev_fake_dev d;
};

static void make_pf(uint8_t *cfg, uint16_t ctrl, uint16_t num, uint16_t off,
                    uint16_t stride)
{
	memset(cfg, 0, 4096);
	test_cfg_init(cfg, 0x8086, 0x10c9, 0x02000001, 0);
	test_put(cfg, 0x04, 2, 0x0002);
	test_put(cfg, 0x10, 4, 0xf0000000);
	test_put(cfg, 0x100, 4, 0x000e | 1u << 16 | (uint32_t)SRIOV << 20); /* ARI */
	test_put(cfg, SRIOV, 4, 0x00010010);
	test_put(cfg, SRIOV + 0x08, 2, ctrl);
	test_put(cfg, SRIOV + 0x0c, 2, 8);
	test_put(cfg, SRIOV + 0x0e, 2, 8);
	test_put(cfg, SRIOV + 0x10, 2, num);
	test_put(cfg, SRIOV + 0x14, 2, off);
	test_put(cfg, SRIOV + 0x16, 2, stride);
	test_put(cfg, SRIOV + 0x1a, 2, 0x10ca);
	test_put(cfg, SRIOV + 0x24, 4, 0xf1000004);
	test_put(cfg, SRIOV + 0x30, 4, 0xf2000000);
}

static int start(struct fx *f, bool mmcfg)
{
	f->d = (struct pvhdev_fake_dev){
		.sbdf = PF, .cfg = f->cfg, .cfg_len = 4096, .bar_size = { 0x20000 },
		.vf_bar_size = { 0x4000, 0, 0, 0x4000 },
	};
	assert_int_equal(test_dom_init(&f->t, &f->d, 1), 0);
	if (mmcfg)
		assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM, 0, 0, 3), 0);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	make_pf(f->cfg, 0, 0, 0x80, 2);
	*state = f;
	return 0;
}


static void wr(struct fx *f, unsigned off, unsigned size, uint32_t val)
{
	test_cfg_write(&f->t, PF, off, size, val);
}

/* VF Enable adds the VFs at First VF Offset / VF Stride; VF MSE with it
 * maps VF BAR size x NumVFs; disabling undoes both, VFs last in first. */
static void test_enable_disable(void **state)
{
	struct fx *f = *state;

	start(f, true);
	assert_int_equal(pvhdev_dev_add(f->t.dom, PF), 0);
	test_events_skip(&f->t);
	wr(f, NUMVFS, 2, 2);
	wr(f, CTRL, 2, 0x0009);
	expect_events(&f->t, "hw-write 0000:01:00.0 0x170 2 0x2\n"
	                     "hw-write 0000:01:00.0 0x168 2 0x9\n"
	                     "dev-add 0000:01:10.0\n"
	                     "dev-add 0000:01:10.2\n"
	                     "map 0xf1000 0x8 0xf1000 vf-bar\n"
	                     "map 0xf2000 0x8 0xf2000 vf-bar\n");
	/* A VF reads 0xffff IDs and its PF's class. */
	assert_int_equal(test_cfg_read(&f->t, PVHDEV_SBDF(0, 1, 0x10, 2), 0, 4), 0xffffffff);
	assert_int_equal(test_cfg_read(&f->t, PVHDEV_SBDF(0, 1, 0x10, 2), 8, 4), 0x02000001);
	/* VF BARs do not move while mapped. */
	wr(f, SRIOV + 0x30, 4, 0xf3000000);
	expect_events(&f->t, "");
	wr(f, CTRL, 2, 0x0000);
	expect_events(&f->t, "unmap 0xf1000 0x8\nunmap 0xf2000 0x8\n"
	                     "dev-remove 0000:01:10.2\n"
	                     "dev-remove 0000:01:10.0\n"
	                     "hw-write 0000:01:00.0 0x168 2 0x0\n");
	struct pvhdev_dev *dev;
	assert_int_equal(pvhdev_dev_get(f->t.dom, PVHDEV_SBDF(0, 1, 0x10, 0), &dev), -ENODEV);
}

/* VF MSE alone maps nothing; VF Enable then MSE maps; MSE off unmaps
 * and keeps the VFs. */
static void test_mse_separately(void **state)
{
	struct fx *f = *state;

	start(f, true);
	assert_int_equal(pvhdev_dev_add(f->t.dom, PF), 0);
	wr(f, NUMVFS, 2, 1);
	test_events_skip(&f->t);
	wr(f, CTRL, 2, 0x0008);
	expect_events(&f->t, "hw-write 0000:01:00.0 0x168 2 0x8\n");
	wr(f, CTRL, 2, 0x0001);
	expect_events(&f->t, "hw-write 0000:01:00.0 0x168 2 0x1\ndev-add 0000:01:10.0\n");
	wr(f, CTRL, 2, 0x0009);
	expect_events(&f->t, "hw-write 0000:01:00.0 0x168 2 0x9\n"
	                     "map 0xf1000 0x4 0xf1000 vf-bar\n"
	                     "map 0xf2000 0x4 0xf2000 vf-bar\n");
	wr(f, CTRL, 2, 0x0001);
	expect_events(&f->t, "unmap 0xf1000 0x4\nunmap 0xf2000 0x4\n"
	                     "hw-write 0000:01:00.0 0x168 2 0x1\n");
}

/* With ARI, offset 0xff and stride 1 put the second VF on the next bus. */
static void test_vf_rid_crosses_bus(void **state)
{
	struct fx *f = *state;

	make_pf(f->cfg, 0, 0, 0xff, 1);
	start(f, true);
	assert_int_equal(pvhdev_dev_add(f->t.dom, PF), 0);
	wr(f, NUMVFS, 2, 2);
	test_events_skip(&f->t);
	wr(f, CTRL, 2, 0x0011);
	expect_events(&f->t, "hw-write 0000:01:00.0 0x168 2 0x11\n"
	                     "dev-add 0000:01:1f.7\n"
	                     "dev-add 0000:02:00.0\n");
}

/* Firmware left VFs enabled (as in the 82576 dump): device add creates
 * them and maps their BARs. */
static void test_enabled_at_add(void **state)
{
	struct fx *f = *state;
	char *ev;

	make_pf(f->cfg, 0x0009, 1, 0x80, 2);
	start(f, true);
	assert_int_equal(pvhdev_dev_add(f->t.dom, PF), 0);
	ev = strstr(test_events(&f->t), "dev-add 0000:01:10.0\n");
	assert_non_null(ev);
	assert_string_equal(ev, "dev-add 0000:01:10.0\n"
	                        "map 0xf1000 0x4 0xf1000 vf-bar\n"
	                        "map 0xf2000 0x4 0xf2000 vf-bar\n"
	                        "dev-add 0000:01:00.0\n");
	/* Removing the PF takes its BARs, its VF BARs and its VFs. */
	assert_int_equal(pvhdev_dev_remove(f->t.dom, PF), 0);
	expect_events(&f->t, "unmap 0xf0000 0x20\nunmap 0xf1000 0x4\nunmap 0xf2000 0x4\n"
	                     "dev-remove 0000:01:10.0\ndev-remove 0000:01:00.0\n");
}

/* After boot, VF BAR mapping is deferred like any BAR's. */
static void test_deferred_after_boot(void **state)
{
	struct fx *f = *state;
	const struct pvhdev_platform plat = { .size = sizeof(plat) };
	bool more;

	start(f, true);
	assert_int_equal(pvhdev_domain_boot(f->t.dom, &plat), 0);
	wr(f, NUMVFS, 2, 4);
	test_events_skip(&f->t);
	wr(f, CTRL, 2, 0x0009);
	expect_events(&f->t, "hw-write 0000:01:00.0 0x168 2 0x9\n"
	                     "dev-add 0000:01:10.0\ndev-add 0000:01:10.2\n"
	                     "dev-add 0000:01:10.4\ndev-add 0000:01:10.6\n");
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, &more), 0);
	assert_false(more);
	expect_events(&f->t, "map 0xf1000 0x10 0xf1000 vf-bar\n"
	                     "map 0xf2000 0x10 0xf2000 vf-bar\n");
}

/* VF BARs size like BARs: the PF's add writes ~0 and restores. */
static void test_vf_bar_sizing(void **state)
{
	struct fx *f = *state;
	const char *ev;

	start(f, true);
	assert_int_equal(pvhdev_dev_add(f->t.dom, PF), 0);
	ev = test_events(&f->t);
	assert_non_null(strstr(ev, "hw-write 0000:01:00.0 0x184 4 0xffffffff\n"
	                           "hw-write 0000:01:00.0 0x184 4 0xf1000004\n"
	                           "hw-write 0000:01:00.0 0x188 4 0xffffffff\n"
	                           "hw-write 0000:01:00.0 0x188 4 0x0\n"));
	assert_non_null(strstr(ev, "hw-write 0000:01:00.0 0x190 4 0xffffffff\n"
	                           "hw-write 0000:01:00.0 0x190 4 0xf2000000\n"));
}

/* MMCFG reported after boot makes the SR-IOV capability readable: the
 * PF is re-added with it, and what it mapped before is redone. */
static void test_late_mmcfg_reveals_sriov(void **state)
{
	struct fx *f = *state;
	const struct pvhdev_platform plat = { .size = sizeof(plat) };
	struct pvhdev_dev *dev;
	unsigned off;

	start(f, false);
	assert_int_equal(pvhdev_domain_boot(f->t.dom, &plat), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, PF, &dev), 0);
	assert_int_equal(pvhdev_dev_find_ext_cap(dev, 0x0010, &off), -ENOENT);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM, 0, 1, 1), 0);
	assert_string_equal(f->t.log, "0000:01:00.0: seen differently after MMCFG: "
	                              "extended capabilities differ: re-added\n");
	const char *ev = test_events(&f->t);
	assert_non_null(strstr(ev, "unmap 0xf0000 0x20\ndev-remove 0000:01:00.0\n"));
	assert_non_null(strstr(ev, "map 0xf0000 0x20 0xf0000 bar\ndev-add 0000:01:00.0\n"));
	assert_int_equal(pvhdev_dev_get(f->t.dom, PF, &dev), 0);
	assert_int_equal(pvhdev_dev_find_ext_cap(dev, 0x0010, &off), 0);
	assert_int_equal(off, SRIOV);
	/* A second report of the same window changes nothing. */
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM, 0, 1, 1), -EEXIST);
}

/* Devices on a segment only MMCFG reaches appear when it is reported. */
static void test_late_mmcfg_new_segment(void **state)
{
	struct fx *f = *state;
	static struct pvhdev_backend_ops ops; /* outlives the test: teardown */
	const struct pvhdev_platform plat = { .size = sizeof(plat) };
	struct pvhdev_domain *dom;
	struct pvhdev_dev *dev;

	ops = pvhdev_fake_ops;
	ops.enumerate = NULL;
	f->d = (struct pvhdev_fake_dev){ .sbdf = PVHDEV_SBDF(1, 0, 0, 0), .cfg = f->cfg,
	                                 .cfg_len = 4096, .bar_size = { 0x20000 } };
	assert_int_equal(test_dom_init(&f->t, &f->d, 1), 0);
	pvhdev_domain_free(f->t.dom);
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &ops, .backend_ctx = f->t.fake,
		.alloc = &test_alloc_ops, .alloc_ctx = &f->t.alloc,
	};
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), 0);
	f->t.dom = dom;
	assert_int_equal(pvhdev_domain_boot(dom, &plat), 0);
	assert_int_equal(pvhdev_dev_get(dom, PVHDEV_SBDF(1, 0, 0, 0), &dev), -ENODEV);
	assert_int_equal(pvhdev_mmcfg_add(dom, 0xd0000000, 1, 0, 0), 0);
	assert_int_equal(pvhdev_dev_get(dom, PVHDEV_SBDF(1, 0, 0, 0), &dev), 0);
	const char *ev = test_events(&f->t);
	const char *tail = "map 0xf0000 0x20 0xf0000 bar\ndev-add 0001:00:00.0\n";
	assert_true(strlen(ev) >= strlen(tail));
	assert_string_equal(ev + strlen(ev) - strlen(tail), tail);
}

/* The Cavium ThunderX dump (domain 0002): VF Enable and VF MSE set with
 * NumVFs 128, First VF Offset 1, VF Stride 1: with ECAM over its bus, the
 * PF's add adds all 128 VFs.  Its BARs are Enhanced Allocation entries
 * (registers 0), which pvhdev does not model: nothing maps. */
static void test_cavium_dump_128_vfs(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dump *d;
	struct pvhdev_dev *dev;
	struct pvhdev_sriov_info si;
	char path[512], err[512];

	snprintf(path, sizeof(path), "%s/cavium-thunderx-nic-ea-sriov.lspci", PVHDEV_CORPUS);
	assert_int_equal(pvhdev_dump_load(path, &d, err, sizeof(err)), 0);
	assert_int_equal(test_dom_init(&f->t, pvhdev_dump_devs(d), pvhdev_dump_count(d)), 0);
	pvhdev_sbdf_t pf = pvhdev_dump_devs(d)[0].sbdf;
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xe0000000, (uint16_t)PVHDEV_SBDF_SEG(pf),
	                                  0, 255), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, pf), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, pf, &dev), 0);
	assert_int_equal(pvhdev_dev_sriov(dev, &si), 0);
	assert_int_equal(si.nr_vfs, 128);
	assert_int_equal(si.first_offset, 1);
	assert_int_equal(si.stride, 1);
	assert_true(si.vf_enable && si.vf_mse);
	pvhdev_sbdf_t last = pf + 128;
	assert_int_equal(pvhdev_dev_get(f->t.dom, last, &dev), 0);
	assert_true(pvhdev_dev_is_vf(dev, NULL));
	assert_int_equal(pvhdev_dev_get(f->t.dom, last + 1, &dev), -ENODEV);
	test_check(&f->t);
	test_dom_fini(&f->t);
	pvhdev_dump_free(d);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_enable_disable, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_mse_separately, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_vf_rid_crosses_bus, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_enabled_at_add, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_deferred_after_boot, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_vf_bar_sizing, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_late_mmcfg_reveals_sriov, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_late_mmcfg_new_segment, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_cavium_dump_128_vfs, setup, test_teardown),
};

PVHDEV_TEST_MAIN("sriov", tests)
