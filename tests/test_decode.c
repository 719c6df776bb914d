/* SPDX-License-Identifier: MIT */
/*
 * The config-space decoders: CF8/CFC port I/O and ECAM windows.
 * Two fake functions: 00:1f.3 and 02:05.1 (on an ECAM window that
 * starts at bus 1), each with extended space; bytes 0x40 onwards hold
 * their own offset (low byte) so a decoded register is recognisable.
 */
#include "helpers.h"

#include <string.h>

#define A PVHDEV_SBDF(0, 0, 0x1f, 3)
#define B PVHDEV_SBDF(0, 2, 5, 1)
#define ECAM_BASE 0xe0000000ull

struct fx {
	struct test_dom t;
	uint8_t a[4096], b[4096];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	test_cfg_init(f->a, 0x8086, 0xa123, 0x0c050000, 0);
	test_cfg_init(f->b, 0x10ec, 0x8168, 0x02000000, 0);
	for (unsigned i = 0x40; i < 4096; i++) {
		f->a[i] = (uint8_t)i;
		f->b[i] = (uint8_t)(i ^ 0xff);
	}
	struct pvhdev_fake_dev d[] = {
		{ .sbdf = A, .cfg = f->a, .cfg_len = 4096 },
		{ .sbdf = B, .cfg = f->b, .cfg_len = 4096 },
	};
	assert_int_equal(test_dom_init(&f->t, d, 2), 0);
	*state = f;
	return 0;
}


static uint32_t cf8(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg;
}

static uint32_t pin(struct fx *f, uint16_t port, unsigned size)
{
	uint32_t v = 0;
	assert_int_equal(pvhdev_pio_read(f->t.dom, port, size, &v), 0);
	return v;
}

static void pout(struct fx *f, uint16_t port, unsigned size, uint32_t v)
{
	assert_int_equal(pvhdev_pio_write(f->t.dom, port, size, v), 0);
}

/* CONFIG_ADDRESS latches whatever dom0 writes and reads it back. */
static void test_cf8_latch(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pin(f, 0xcf8, 4), 0);
	pout(f, 0xcf8, 4, 0x8000fa40);
	assert_int_equal(pin(f, 0xcf8, 4), 0x8000fa40);
	pout(f, 0xcf8, 4, 0x12345678);
	assert_int_equal(pin(f, 0xcf8, 4), 0x12345678);
}

/* 0xCF8..0xCFB take dword accesses only; anything else is not a config
 * access (0xCF9 is reset control on many chipsets): pvhdev says so. */
static void test_cf8_other_sizes(void **state)
{
	static const struct {
		uint16_t port;
		unsigned size;
	} cases[] = { { 0xcf8, 1 }, { 0xcf8, 2 }, { 0xcf9, 1 }, { 0xcfa, 2 },
	              { 0xcfb, 1 }, { 0xcf7, 1 }, { 0xd00, 4 }, { 0x80, 1 } };
	struct fx *f = *state;

	pout(f, 0xcf8, 4, cf8(0, 0x1f, 3, 0));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 0;
		assert_int_equal(pvhdev_pio_read(f->t.dom, cases[i].port, cases[i].size, &v),
		                 -ENXIO);
		assert_int_equal(v, cases[i].size == 4 ? 0xffffffff
		                                        : (1u << (8 * cases[i].size)) - 1);
		assert_int_equal(pvhdev_pio_write(f->t.dom, cases[i].port, cases[i].size, 0),
		                 -ENXIO);
	}
	assert_int_equal(pin(f, 0xcf8, 4), cf8(0, 0x1f, 3, 0));
}

/* register = CF8 offset | (port & 3), at every width. */
static void test_cfc_decode(void **state)
{
	struct fx *f = *state;

	pout(f, 0xcf8, 4, cf8(0, 0x1f, 3, 0));
	assert_int_equal(pin(f, 0xcfc, 4), 0xa1238086);
	assert_int_equal(pin(f, 0xcfc, 2), 0x8086);
	assert_int_equal(pin(f, 0xcfe, 2), 0xa123);
	assert_int_equal(pin(f, 0xcfd, 1), 0x80);
	assert_int_equal(pin(f, 0xcff, 1), 0xa1);
	pout(f, 0xcf8, 4, cf8(0, 0x1f, 3, 0x48));
	assert_int_equal(pin(f, 0xcfc, 4), 0x4b4a4948);
	assert_int_equal(pin(f, 0xcfe, 1), 0x4a);
	pout(f, 0xcf8, 4, cf8(2, 5, 1, 0));
	assert_int_equal(pin(f, 0xcfc, 4), 0x816810ec);
	/* The low two bits of CF8 are not part of the register. */
	pout(f, 0xcf8, 4, cf8(0, 0x1f, 3, 0x4b));
	assert_int_equal(pin(f, 0xcfc, 1), 0x48);
}

static void test_cfc_disabled(void **state)
{
	struct fx *f = *state;
	unsigned long calls;

	pout(f, 0xcf8, 4, cf8(0, 0x1f, 3, 0) & ~0x80000000u);
	calls = pvhdev_fake_calls(f->t.fake);
	assert_int_equal(pin(f, 0xcfc, 4), 0xffffffff);
	assert_int_equal(pin(f, 0xcfe, 2), 0xffff);
	pout(f, 0xcfc, 4, 0);
	assert_int_equal(pvhdev_fake_calls(f->t.fake), calls);
	expect_events(&f->t, "");
}

/* Accesses that cross the dword or are misaligned get all-ones and
 * reach nothing. */
static void test_cfc_misaligned(void **state)
{
	static const struct {
		uint16_t port;
		unsigned size;
	} cases[] = { { 0xcfd, 2 }, { 0xcff, 2 }, { 0xcfe, 4 }, { 0xcfd, 4 },
	              { 0xcfc, 3 }, { 0xcfc, 8 } };
	struct fx *f = *state;

	pout(f, 0xcf8, 4, cf8(0, 0x1f, 3, 0x40));
	unsigned long calls = pvhdev_fake_calls(f->t.fake);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 0;
		assert_int_equal(pvhdev_pio_read(f->t.dom, cases[i].port, cases[i].size, &v), 0);
		assert_int_equal(pvhdev_pio_write(f->t.dom, cases[i].port, cases[i].size, 0), 0);
	}
	assert_int_equal(pvhdev_fake_calls(f->t.fake), calls);
	expect_events(&f->t, "");
}

static void test_cfc_write(void **state)
{
	struct fx *f = *state;

	pout(f, 0xcf8, 4, cf8(0, 0x1f, 3, 0x0c));
	pout(f, 0xcfc, 1, 0x10);
	pout(f, 0xcf8, 4, cf8(2, 5, 1, 0x3c));
	pout(f, 0xcfc, 1, 0x0b);
	expect_events(&f->t, "hw-write 0000:00:1f.3 0xc 1 0x10\n"
	                     "hw-write 0000:02:05.1 0x3c 1 0xb\n");
	assert_int_equal(pin(f, 0xcfc, 1), 0x0b);
}

static uint64_t ecam(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return ECAM_BASE + ((uint64_t)bus << 20 | dev << 15 | fn << 12 | reg);
}

static uint64_t mrd(struct fx *f, uint64_t addr, unsigned size)
{
	uint64_t v = 0;
	assert_int_equal(pvhdev_mmio_read(f->t.dom, addr, size, &v), 0);
	return v;
}

static void test_ecam_decode(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 0, 3), 0);
	assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0), 4), 0xa1238086);
	assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 2), 2), 0xa123);
	assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0x41), 1), 0x41);
	assert_int_equal(mrd(f, ecam(2, 5, 1, 0), 4), 0x816810ec);
	/* Extended space: reachable through ECAM only. */
	assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0x234), 4), 0x37363534);
	assert_int_equal(mrd(f, ecam(2, 5, 1, 0xffc), 4), 0x00010203);
	/* No such function. */
	assert_int_equal(mrd(f, ecam(1, 0, 0, 0), 4), 0xffffffff);
}

/* An 8-byte access is two dword accesses, low first. */
static void test_ecam_8byte(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 0, 3), 0);
	assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0x48), 8), 0x4f4e4d4c4b4a4948ull);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, ecam(0, 0x1f, 3, 0x60), 8,
	                                   0x1122334455667788ull), 0);
	expect_events(&f->t, "hw-write 0000:00:1f.3 0x60 4 0x55667788\n"
	                     "hw-write 0000:00:1f.3 0x64 4 0x11223344\n");
	uint64_t v = 0;
	assert_int_equal(pvhdev_mmio_read(f->t.dom, ecam(0, 0x1f, 3, 0x44), 8, &v), 0);
	assert_int_equal(v, 0xffffffffffffffffull);
}

/* Misaligned or odd-sized ECAM accesses get all-ones and reach nothing. */
static void test_ecam_bad_access(void **state)
{
	static const struct {
		unsigned reg, size;
	} cases[] = { { 0x41, 2 }, { 0x42, 4 }, { 0x44, 8 }, { 0x40, 3 },
	              { 0xffe, 4 }, { 0xfff, 2 }, { 0x40, 16 } };
	struct fx *f = *state;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 0, 3), 0);
	/* A good access first: the bad ones then meet the window in the
	 * access path's caches (src/core/mmio.c), and must be refused
	 * there as they are on the way through the tree. */
	assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0x40), 4), 0x43424140);
	unsigned long calls = pvhdev_fake_calls(f->t.fake);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		uint64_t a = ecam(0, 0x1f, 3, cases[i].reg);
		assert_int_equal(pvhdev_mmio_read(f->t.dom, a, cases[i].size, &v), 0);
		assert_int_equal(v, cases[i].size >= 8 ? ~0ull : (1ull << 8 * cases[i].size) - 1);
		assert_int_equal(pvhdev_mmio_write(f->t.dom, a, cases[i].size, 0), 0);
	}
	assert_int_equal(pvhdev_fake_calls(f->t.fake), calls);
	expect_events(&f->t, "");
}

/* The window starts at addr + (start_bus << 20), as MCFG describes it. */
static void test_ecam_window_bounds(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 1, 2), 0);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, ecam(0, 0x1f, 3, 0), 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, ecam(3, 0, 0, 0), 4, &v), -ENXIO);
	assert_int_equal(mrd(f, ecam(2, 5, 1, 0), 4), 0x816810ec);
	assert_int_equal(mrd(f, ecam(2, 31, 7, 0xffc), 4), 0xffffffff);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, ecam(3, 0, 0, 0), 4, 0), -ENXIO);
}

/* Two windows (the second from bus 2, at another address) and an
 * IO-APIC, reached in turn: each access finds its own region and
 * function, whichever region the last access left in the caches. */
static void test_regions_in_turn(void **state)
{
	struct fx *f = *state;
	const uint64_t w2 = 0xd0000000ull; /* bus 0 would be here */
	const uint64_t io = 0xfec00000ull;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 0, 0), 0);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, w2, 0, 2, 2), 0);
	assert_int_equal(pvhdev_ioapic_add(f->t.dom, 1, io, 0, 24), 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0), 4), 0xa1238086);
		assert_int_equal(mrd(f, w2 + (2u << 20 | 5u << 15 | 1u << 12), 4),
		                 0x816810ec);
		assert_int_equal(mrd(f, w2 + (2u << 20 | 5u << 15 | 1u << 12 | 0x41), 1),
		                 0x41 ^ 0xff);
		assert_int_equal(pvhdev_mmio_write(f->t.dom, io, 4, 0x01), 0);
		assert_int_equal(mrd(f, io, 4), 0x01);
		assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0x41), 1), 0x41);
		/* The first window's bus 0 only: its neighbours are not
		 * trapped, however warm the caches. */
		uint64_t v = 0;
		assert_int_equal(pvhdev_mmio_read(f->t.dom, ecam(1, 0, 0, 0), 4, &v), -ENXIO);
		assert_int_equal(pvhdev_mmio_read(f->t.dom, ECAM_BASE - 4, 4, &v), -ENXIO);
		assert_int_equal(mrd(f, ecam(0, 31, 7, 0xffc), 4), 0xffffffff);
		assert_int_equal(mrd(f, w2 + (2u << 20 | 5u << 15 | 1u << 12 | 0x48), 8),
		                 0xb0b1b2b3b4b5b6b7ull);
		assert_int_equal(pvhdev_mmio_read(f->t.dom, w2 + (3u << 20), 4, &v), -ENXIO);
	}
	expect_events(&f->t, "");
	/* Segment 1, buses 4-5 (nothing there but the hardware): the
	 * function's SBDF carries the segment, first access or not. */
	const uint64_t w3 = 0xc0000000ull;
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, w3, 1, 4, 5), 0);
	for (int k = 0; k < 2; k++)
		assert_int_equal(pvhdev_mmio_write(f->t.dom, w3 + (5u << 20 | 3u << 15 |
		                                                  2u << 12 | 0x64),
		                                   4, 0xabc0 + k), 0);
	expect_events(&f->t, "hw-write 0001:05:03.2 0x64 4 0xabc0\n"
	                     "hw-write 0001:05:03.2 0x64 4 0xabc1\n");
}

/* pvhdev_ecam_decode names what an address reaches through the windows
 * (for transcripts): function and register, or -ENOENT outside them. */
static void test_ecam_decode_api(void **state)
{
	struct fx *f = *state;
	const uint64_t w2 = 0xd0000000ull, w3 = 0xc0000000ull;
	pvhdev_sbdf_t sbdf = 0;
	unsigned reg = 0;

	assert_int_equal(pvhdev_ecam_decode(f->t.dom, ECAM_BASE, &sbdf, &reg), -ENOENT);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, w2, 0, 2, 2), 0);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, w3, 1, 4, 5), 0);
	assert_int_equal(pvhdev_ecam_decode(f->t.dom, w2 + (2u << 20 | 5u << 15 | 1u << 12 |
	                                                   0x48), &sbdf, &reg), 0);
	assert_int_equal(sbdf, PVHDEV_SBDF(0, 2, 5, 1));
	assert_int_equal(reg, 0x48);
	assert_int_equal(pvhdev_ecam_decode(f->t.dom, w3 + (5u << 20 | 31u << 15 | 7u << 12 |
	                                                   0xfff), &sbdf, &reg), 0);
	assert_int_equal(sbdf, PVHDEV_SBDF(1, 5, 31, 7));
	assert_int_equal(reg, 0xfff);
	/* Buses of the segment outside the window's range, and below it. */
	assert_int_equal(pvhdev_ecam_decode(f->t.dom, w2 + (3u << 20), &sbdf, &reg), -ENOENT);
	assert_int_equal(pvhdev_ecam_decode(f->t.dom, w2 + (1u << 20), &sbdf, &reg), -ENOENT);
	assert_int_equal(pvhdev_ecam_decode(f->t.dom, w3 + (6u << 20), &sbdf, &reg), -ENOENT);
	assert_int_equal(pvhdev_ecam_decode(f->t.dom, w2 - 1, &sbdf, &reg), -ENOENT);
}

/* A window reported after dom0 found nothing at its addresses: what
 * was not trapped then is now, and an adjacent window added later still
 * answers for its own bus. */
static void test_window_added_late(void **state)
{
	struct fx *f = *state;
	uint64_t v = 0;

	assert_int_equal(pvhdev_mmio_read(f->t.dom, ecam(0, 0x1f, 3, 0), 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, ecam(0, 0x1f, 3, 0x60), 4, 1), -ENXIO);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 0, 0), 0);
	assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0), 4), 0xa1238086);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, ecam(2, 5, 1, 0), 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 1, 2), 0);
	assert_int_equal(mrd(f, ecam(2, 5, 1, 0), 4), 0x816810ec);
	assert_int_equal(mrd(f, ecam(0, 0x1f, 3, 0x44), 4), 0x47464544);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, ecam(2, 5, 1, 0x60), 2, 0x12345), 0);
	expect_events(&f->t, "hw-write 0000:02:05.1 0x60 2 0x2345\n");
}

static void test_mmcfg_add_errors(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE + 0x1000, 0, 0, 0), -EINVAL);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 5, 4), -EINVAL);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ~0ull << 20, 0, 0, 255), -EINVAL);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 0, 7), 0);
	/* Same segment, overlapping buses. */
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xd0000000, 0, 7, 9), -EEXIST);
	/* Another segment, overlapping addresses. */
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 1, 7, 9), -EEXIST);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, 0xd0000000, 1, 0, 255), 0);
}

/* Extended capabilities are walked only when MMCFG makes the space
 * reachable. */
static void test_ext_space_needs_mmcfg(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dev *dev;
	unsigned off;

	/* 0x100: id 0x0001 (AER), version 1, next 0 */
	test_put(f->a, 0x100, 4, 0x00010001);
	test_dom_fini(&f->t);
	struct pvhdev_fake_dev d = { .sbdf = A, .cfg = f->a, .cfg_len = 4096 };
	assert_int_equal(test_dom_init(&f->t, &d, 1), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, A), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, A, &dev), 0);
	assert_int_equal(pvhdev_dev_find_ext_cap(dev, 1, &off), -ENOENT);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, A), 0);
	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM_BASE, 0, 0, 0), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, A), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, A, &dev), 0);
	assert_int_equal(pvhdev_dev_find_ext_cap(dev, 1, &off), 0);
	assert_int_equal(off, 0x100);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_cf8_latch, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_cf8_other_sizes, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_cfc_decode, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_cfc_disabled, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_cfc_misaligned, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_cfc_write, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ecam_decode, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ecam_8byte, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ecam_bad_access, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ecam_window_bounds, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_regions_in_turn, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ecam_decode_api, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_window_added_late, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_mmcfg_add_errors, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ext_space_needs_mmcfg, setup, test_teardown),
};

PVHDEV_TEST_MAIN("decode", tests)
