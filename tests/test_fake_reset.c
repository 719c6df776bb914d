/* SPDX-License-Identifier: MIT */
/*
 * The fake backend's resets on their own (docs/dump-backend.md,
 * "Resets"), through pvhdev_fake_ops only: what each trigger write does
 * to the function's registers and memory, value by value.
 *
 *   E 00:03.0  every reset: PM at 0x40, MSI at 0x50, MSI-X at 0x70, AF
 *              at 0x80, PCIe v2 at 0x90 (FLR), SR-IOV at 0x100
 *   N 00:04.0  PM with No_Soft_Reset set, PCIe without FLR
 *   B 00:01.0  a bridge, buses 1-2; D1 01:00.0 and D2 02:00.0 below it,
 *              O 03:00.0 beside it
 */
#include "helpers.h"

#include <string.h>

#define E PVHDEV_SBDF(0, 0, 3, 0)
#define N PVHDEV_SBDF(0, 0, 4, 0)
#define B PVHDEV_SBDF(0, 0, 1, 0)
#define D1 PVHDEV_SBDF(0, 1, 0, 0)
#define D2 PVHDEV_SBDF(0, 2, 0, 0)
#define O PVHDEV_SBDF(0, 3, 0, 0)
#define TABLE 0xd0102000ull /* E's MSI-X table: BAR0 + 0x2000 */

struct fx {
	struct test_alloc alloc;
	struct pvhdev_fake *fake;
	uint8_t cfg[6][4096];
	struct pvhdev_fake_dev d[6];
};

static uint32_t rd(struct fx *f, pvhdev_sbdf_t sbdf, unsigned off, unsigned size)
{
	uint32_t v = 0x5a5a5a5a;

	assert_int_equal(pvhdev_fake_ops.cfg_read(f->fake, sbdf, off, size, &v), 0);
	return v;
}

static void wr(struct fx *f, pvhdev_sbdf_t sbdf, unsigned off, unsigned size,
               uint32_t val)
{
	assert_int_equal(pvhdev_fake_ops.cfg_write(f->fake, sbdf, off, size, val), 0);
}

static uint32_t mrd(struct fx *f, uint64_t addr)
{
	uint64_t v = 0;

	assert_int_equal(pvhdev_fake_ops.mmio_read(f->fake, addr, 4, &v), 0);
	return (uint32_t)v;
}

static void mwr(struct fx *f, uint64_t addr, uint32_t val)
{
	assert_int_equal(pvhdev_fake_ops.mmio_write(f->fake, addr, 4, val), 0);
}

static void endpoint(uint8_t *c, uint16_t device, uint32_t bar0)
{
	test_cfg_init(c, 0x8086, device, 0x02000001, 0);
	test_put(c, 0x04, 2, 0x0006);
	test_put(c, 0x10, 4, bar0);
}

static void build(struct fx *f)
{
	uint8_t *e = f->cfg[0], *n = f->cfg[1], *b = f->cfg[2];

	endpoint(e, 0x10d3, 0xd0100000);
	test_put(e, 0x06, 2, 0x8010);       /* status: capabilities, an error bit */
	test_put(e, 0x0c, 1, 0x10);         /* cache line size */
	test_put(e, 0x18, 4, 0x0000000c);   /* BAR2: 64-bit prefetchable, 1 MiB */
	test_put(e, 0x1c, 4, 0x00000001);   /*       at 0x100000000 */
	test_put(e, 0x30, 4, 0xd0200001);   /* ROM 64 KiB, enabled */
	test_put(e, 0x34, 1, 0x40);
	test_put(e, 0x3c, 2, 0x010b);       /* interrupt pin 1 (RO), line 0x0b */
	test_put(e, 0x40, 4, 0x00035001);   /* PM, PMC 3 */
	test_put(e, 0x50, 4, 0x00817005);   /* MSI: 64-bit, enabled */
	test_put(e, 0x54, 4, 0xfee00000);
	test_put(e, 0x5c, 2, 0x0041);
	test_put(e, 0x70, 4, 0xc0038011);   /* MSI-X: 4 entries, on, masked */
	test_put(e, 0x74, 4, 0x00002000);   /* table BAR0 + 0x2000 */
	test_put(e, 0x78, 4, 0x00003000);   /* PBA BAR0 + 0x3000 */
	test_put(e, 0x80, 4, 0x03069013);   /* AF: TP and FLR */
	test_put(e, 0x90, 4, 0x00020010);   /* PCIe v2 endpoint */
	test_put(e, 0x94, 4, 0x10000000);   /* Device Capabilities: FLR */
	test_put(e, 0x98, 4, 0x000f5937);   /* Device Control, Device Status errors */
	test_put(e, 0xa0, 2, 0x0043);       /* Link Control: ASPM, common clock */
	test_put(e, 0xb8, 2, 0x0010);       /* Device Control 2 */
	test_put(e, 0xc0, 2, 0x0003);       /* Link Control 2: 8 GT/s */
	test_put(e, 0x100, 4, 0x00010010);  /* SR-IOV */
	test_put(e, 0x108, 2, 0x0019);      /* VF Enable, VF MSE, ARI Capable */
	test_put(e, 0x10c, 4, 0x00020002);  /* Initial/Total VFs 2 */
	test_put(e, 0x110, 2, 0x0002);      /* NumVFs */
	test_put(e, 0x114, 4, 0x00010080);  /* First VF Offset 0x80, stride 1 */
	test_put(e, 0x120, 4, 0x00000010);  /* System Page Size: 64 KiB */
	test_put(e, 0x124, 4, 0xd0500000);  /* VF BAR0 */
	f->d[0] = (struct pvhdev_fake_dev){
		.sbdf = E, .cfg = e, .cfg_len = 4096,
		.bar_size = { 0x4000, 0, 0x100000 }, .rom_size = 0x10000,
		.vf_bar_size = { 0x4000 },
	};

	endpoint(n, 0x2222, 0xd0000000);
	test_put(n, 0x06, 2, 0x0010);
	test_put(n, 0x34, 1, 0x40);
	test_put(n, 0x40, 4, 0x00039001);   /* PM, next 0x90 */
	test_put(n, 0x44, 2, 0x0008);       /* No_Soft_Reset */
	test_put(n, 0x90, 4, 0x00020010);   /* PCIe v2, no FLR */
	test_put(n, 0x98, 2, 0x2810);
	f->d[1] = (struct pvhdev_fake_dev){ .sbdf = N, .cfg = n, .cfg_len = 256,
	                                    .bar_size = { 0x1000 } };

	test_cfg_init(b, 0x8086, 0x0101, 0x06040000, 1);
	test_put(b, 0x04, 2, 0x0006);
	test_put(b, 0x18, 4, 0x00020100);   /* buses 0, 1, 2 */
	f->d[2] = (struct pvhdev_fake_dev){ .sbdf = B, .cfg = b, .cfg_len = 256 };

	const pvhdev_sbdf_t below[3] = { D1, D2, O };
	for (unsigned i = 0; i < 3; i++) {
		endpoint(f->cfg[3 + i], (uint16_t)(0x3000 + i), 0xd0300000 + 0x1000 * i);
		f->d[3 + i] = (struct pvhdev_fake_dev){ .sbdf = below[i], .cfg = f->cfg[3 + i],
		                                        .cfg_len = 256, .bar_size = { 0x1000 } };
	}
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &f->alloc, f->d, 6, &f->fake), 0);
}

static struct fx *setup_fx(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	*state = f;
	build(f);
	return f;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f) {
		pvhdev_fake_free(f->fake);
		assert_int_equal(f->alloc.live_blocks, 0);
		free(f);
	}
	return 0;
}

/* E as every reset leaves it. */
static void expect_reset(struct fx *f)
{
	assert_int_equal(rd(f, E, 0x00, 4), 0x10d38086);  /* IDs stay */
	assert_int_equal(rd(f, E, 0x04, 2), 0x0000);      /* command */
	assert_int_equal(rd(f, E, 0x06, 2), 0x0010);      /* status: error bit cleared */
	assert_int_equal(rd(f, E, 0x0c, 1), 0x00);
	assert_int_equal(rd(f, E, 0x10, 4), 0x00000000);  /* BAR0: address gone */
	assert_int_equal(rd(f, E, 0x18, 4), 0x0000000c);  /* BAR2: type bits stay */
	assert_int_equal(rd(f, E, 0x1c, 4), 0x00000000);
	assert_int_equal(rd(f, E, 0x30, 4), 0x00000000);  /* ROM: off, no address */
	assert_int_equal(rd(f, E, 0x3c, 2), 0x0100);      /* pin stays, line 0 */
	assert_int_equal(rd(f, E, 0x44, 2), 0x0000);      /* PMCSR: D0 */
	assert_int_equal(rd(f, E, 0x52, 2), 0x0080);      /* MSI off, 64-bit stays */
	assert_int_equal(rd(f, E, 0x54, 4), 0x00000000);
	assert_int_equal(rd(f, E, 0x5c, 2), 0x0000);
	assert_int_equal(rd(f, E, 0x72, 2), 0x0003);      /* MSI-X off, size stays */
	assert_int_equal(rd(f, E, 0x74, 4), 0x00002000);
	assert_int_equal(rd(f, E, 0x84, 1), 0x00);        /* Initiate FLR reads 0 */
	assert_int_equal(rd(f, E, 0x98, 2), 0x2810);      /* Device Control default */
	assert_int_equal(rd(f, E, 0x9a, 2), 0x0000);      /* Device Status errors */
	assert_int_equal(rd(f, E, 0xa0, 2), 0x0043);      /* Link Control stays */
	assert_int_equal(rd(f, E, 0xb8, 2), 0x0000);      /* Device Control 2 */
	assert_int_equal(rd(f, E, 0xc0, 2), 0x0003);      /* Link Control 2 stays */
	assert_int_equal(rd(f, E, 0x108, 2), 0x0010);     /* VFs off, ARI stays */
	assert_int_equal(rd(f, E, 0x110, 2), 0x0000);     /* NumVFs */
	assert_int_equal(rd(f, E, 0x120, 4), 0x00000001); /* System Page Size 4 KiB */
	assert_int_equal(rd(f, E, 0x124, 4), 0x00000000); /* VF BAR0 */
}

/* MSI-X entry 0 unmasked with a message, while BAR0 decodes. */
static void program_entry0(struct fx *f)
{
	mwr(f, TABLE, 0xfee00000);
	mwr(f, TABLE + 8, 0x41);
	mwr(f, TABLE + 12, 0);
	assert_int_equal(mrd(f, TABLE + 12), 0);
}

static void test_flr(void **state)
{
	struct fx *f = setup_fx(state);

	program_entry0(f);
	/* The VFs answer before: VF 0 at 00:13.0 (0x18 + 0x80 = 0x98). */
	assert_int_equal(rd(f, PVHDEV_SBDF(0, 0, 0x13, 0), 0x08, 4), 0x02000001);
	wr(f, E, 0x98, 2, 0xa810);
	expect_reset(f);
	assert_int_equal(rd(f, PVHDEV_SBDF(0, 0, 0x13, 0), 0x08, 4), 0xffffffff);
	/* The table is as after reset once the BAR decodes again. */
	wr(f, E, 0x10, 4, 0xd0100000);
	wr(f, E, 0x04, 2, 0x0002);
	assert_int_equal(mrd(f, TABLE), 0);
	assert_int_equal(mrd(f, TABLE + 8), 0);
	assert_int_equal(mrd(f, TABLE + 12), 1);
}

static void test_af_flr(void **state)
{
	struct fx *f = setup_fx(state);

	wr(f, E, 0x84, 1, 0x01);
	expect_reset(f);
}

/* D0 to D3hot keeps the state (D3hot is no reset); D3hot to D0 resets. */
static void test_pm(void **state)
{
	struct fx *f = setup_fx(state);

	wr(f, E, 0x44, 2, 0x0003);
	assert_int_equal(rd(f, E, 0x44, 2), 0x0003);
	assert_int_equal(rd(f, E, 0x04, 2), 0x0006);
	wr(f, E, 0x44, 2, 0x0000);
	expect_reset(f);
}

/* What is no reset: Initiate FLR without FLR in Device Capabilities,
 * D3hot to D0 with No_Soft_Reset, D3hot to D1. */
static void test_not_a_reset(void **state)
{
	struct fx *f = setup_fx(state);

	wr(f, N, 0x98, 2, 0xa810);
	assert_int_equal(rd(f, N, 0x98, 2), 0x2810);
	assert_int_equal(rd(f, N, 0x04, 2), 0x0006);
	wr(f, N, 0x44, 2, 0x000b);
	wr(f, N, 0x44, 2, 0x0008);
	assert_int_equal(rd(f, N, 0x44, 2), 0x0008);
	assert_int_equal(rd(f, N, 0x10, 4), 0xd0000000);
	wr(f, E, 0x44, 2, 0x0003);
	wr(f, E, 0x44, 2, 0x0001);
	assert_int_equal(rd(f, E, 0x04, 2), 0x0006);
	assert_int_equal(rd(f, E, 0x10, 4), 0xd0100000);
}

/* Secondary Bus Reset: functions on buses 1-2 reset when it is set, the
 * bridge and bus 3 do not; held set, it resets nothing more. */
static void test_secondary_bus_reset(void **state)
{
	struct fx *f = setup_fx(state);

	wr(f, B, 0x3e, 2, 0x0040);
	assert_int_equal(rd(f, D1, 0x04, 2), 0x0000);
	assert_int_equal(rd(f, D1, 0x10, 4), 0x00000000);
	assert_int_equal(rd(f, D2, 0x04, 2), 0x0000);
	assert_int_equal(rd(f, O, 0x04, 2), 0x0006);
	assert_int_equal(rd(f, O, 0x10, 4), 0xd0302000);
	assert_int_equal(rd(f, B, 0x04, 2), 0x0006);
	assert_int_equal(rd(f, B, 0x18, 4), 0x00020100);
	wr(f, D1, 0x04, 2, 0x0002);
	wr(f, B, 0x3e, 2, 0x0040);
	assert_int_equal(rd(f, D1, 0x04, 2), 0x0002);
	wr(f, B, 0x3e, 2, 0x0000);
	assert_int_equal(rd(f, D1, 0x04, 2), 0x0002);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_flr, teardown),
		cmocka_unit_test_teardown(test_af_flr, teardown),
		cmocka_unit_test_teardown(test_pm, teardown),
		cmocka_unit_test_teardown(test_not_a_reset, teardown),
		cmocka_unit_test_teardown(test_secondary_bus_reset, teardown),
	};
	return test_run("test_fake_reset", tests, sizeof(tests) / sizeof(tests[0]),
	                argc, argv);
}
