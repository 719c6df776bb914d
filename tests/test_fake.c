/* SPDX-License-Identifier: MIT */
/* The fake backend on its own: config space masks (RO, RW, RW1C), BAR
 * and ROM sizing, capability masks, MMIO windows, enumeration and
 * failure injection.  Everything goes through pvhdev_fake_ops. */
#include "helpers.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#define SBDF_A PVHDEV_SBDF(0, 0, 2, 0)
#define SBDF_B PVHDEV_SBDF(0, 0, 3, 0)
#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Fixture: one fake, a counting allocator that must end at zero ---- */

struct fx {
	struct test_alloc alloc;
	struct pvhdev_fake *fake;
};

static void fx_new(struct fx *f, const struct pvhdev_fake_dev *devs, size_t nr)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &f->alloc, devs, nr,
	                                 &f->fake), 0);
	assert_non_null(f->fake);
}

static void fx_free(struct fx *f)
{
	pvhdev_fake_free(f->fake);
	f->fake = NULL;
	assert_int_equal(f->alloc.live_blocks, 0);
	assert_int_equal(f->alloc.live_bytes, 0);
}

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

static uint64_t mrd(struct fx *f, uint64_t addr, unsigned size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;

	assert_int_equal(pvhdev_fake_ops.mmio_read(f->fake, addr, size, &v), 0);
	return v;
}

static void mwr(struct fx *f, uint64_t addr, unsigned size, uint64_t val)
{
	assert_int_equal(pvhdev_fake_ops.mmio_write(f->fake, addr, size, val), 0);
}

static uint32_t ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* An endpoint with nothing but IDs. */
static void ep_init(uint8_t *cfg)
{
	test_cfg_init(cfg, 0x8086, 0x10d3, 0x02000001, 0x00);
}

/* ---- Absent devices and malformed accesses ---- */

static void absent_device_reads_all_ones(void **state)
{
	static const pvhdev_sbdf_t absent[] = {
		PVHDEV_SBDF(0, 0, 0, 0), PVHDEV_SBDF(0, 0, 2, 1),
		PVHDEV_SBDF(1, 0, 2, 0), PVHDEV_SBDF(0xffff, 0xff, 31, 7),
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	fx_new(&f, &dev, 1);
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++)
		for (unsigned size = 1; size <= 4; size *= 2)
			for (unsigned off = 0; off < 4096; off += size) {
				wr(&f, absent[i], off, size, 0);
				assert_int_equal(rd(&f, absent[i], off, size), ones(size));
			}
	assert_int_equal(rd(&f, SBDF_A, 0, 4), 0x10d38086);
	fx_free(&f);

	/* No devices at all. */
	fx_new(&f, NULL, 0);
	assert_int_equal(rd(&f, SBDF_A, 0, 4), 0xffffffffu);
	assert_int_equal(mrd(&f, 0xfe000000, 8), ~0ull);
	fx_free(&f);
}

static void bad_access_reads_all_ones(void **state)
{
	static const struct {
		unsigned off, size;
		uint32_t expect;
	} rows[] = {
		{ 0x00, 0, 0xffffffffu },  /* size 0 */
		{ 0x00, 3, 0xffffffffu },  /* size 3 */
		{ 0x00, 8, 0xffffffffu },  /* config has no 8-byte accesses */
		{ 0x01, 2, 0xffff },       /* misaligned */
		{ 0x02, 4, 0xffffffffu },
		{ 0x03, 4, 0xffffffffu },
		{ 0x100, 1, 0xff },        /* extended space of a 256-byte device */
		{ 0x1000, 1, 0xff },       /* past 4 KiB */
		{ 0x1000, 4, 0xffffffffu },
		{ 0xfffffffcu, 4, 0xffffffffu }, /* off + size wraps */
		{ UINT_MAX, 1, 0xff },
	};
	uint8_t cfg[256], before[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	fx_new(&f, &dev, 1);
	for (unsigned off = 0; off < 256; off++)
		before[off] = (uint8_t)rd(&f, SBDF_A, off, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		assert_int_equal(rd(&f, SBDF_A, rows[i].off, rows[i].size),
		                 rows[i].expect);
		wr(&f, SBDF_A, rows[i].off, rows[i].size, 0xffffffffu);
	}
	for (unsigned off = 0; off < 256; off++)
		assert_int_equal(rd(&f, SBDF_A, off, 1), before[off]);
	fx_free(&f);
}

/* ---- Header registers ---- */

static void ro_header_ignores_writes(void **state)
{
	static const struct {
		unsigned off, size;
	} rows[] = {
		{ 0x00, 2 }, { 0x00, 1 }, { 0x01, 1 }, /* vendor ID */
		{ 0x02, 2 }, { 0x00, 4 },              /* device ID */
		{ 0x08, 4 }, { 0x08, 1 }, { 0x0a, 2 }, /* revision, class */
		{ 0x0e, 1 }, { 0x0f, 1 },              /* header type, BIST */
		{ 0x2c, 4 },                           /* subsystem IDs */
		{ 0x34, 1 }, { 0x3d, 1 },              /* cap pointer, int pin */
		{ 0x40, 4 }, { 0xfc, 4 },              /* device-specific */
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	test_put(cfg, 0x2c, 4, 0x00011028);
	test_put(cfg, 0x3d, 1, 0x01);
	test_put(cfg, 0x40, 4, 0x12345678);
	fx_new(&f, &dev, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		unsigned off = rows[i].off, size = rows[i].size;
		uint32_t old = rd(&f, SBDF_A, off, size);

		wr(&f, SBDF_A, off, size, ~old);
		assert_int_equal(rd(&f, SBDF_A, off, size), old);
	}
	fx_free(&f);
}

static void command_rw_mask(void **state)
{
	static const struct {
		unsigned off, size;
		uint32_t val, expect; /* command register after the write */
	} rows[] = {
		{ 0x04, 2, 0xffff, 0x0547 },
		{ 0x04, 1, 0xff, 0x0047 },
		{ 0x05, 1, 0xff, 0x0500 },
		{ 0x04, 4, 0x0000ffff, 0x0547 },
		{ 0x04, 2, 0x0006, 0x0006 },
		{ 0x04, 2, 0xfab8, 0x0000 }, /* only RO bits */
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	fx_new(&f, &dev, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		wr(&f, SBDF_A, 0x04, 2, 0);
		wr(&f, SBDF_A, rows[i].off, rows[i].size, rows[i].val);
		assert_int_equal(rd(&f, SBDF_A, 0x04, 2), rows[i].expect);
		assert_int_equal(rd(&f, SBDF_A, 0x06, 2), 0); /* status untouched */
	}
	fx_free(&f);
}

static void status_rw1c(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	test_put(cfg, 0x06, 2, 0x0010); /* capabilities list: RO */
	fx_new(&f, &dev, 1);
	assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x06, 2, 0x8100), 0);
	assert_int_equal(rd(&f, SBDF_A, 0x06, 2), 0x8110);
	wr(&f, SBDF_A, 0x06, 2, 0x0000); /* a 0 leaves it */
	assert_int_equal(rd(&f, SBDF_A, 0x06, 2), 0x8110);
	wr(&f, SBDF_A, 0x06, 1, 0xff);   /* the other byte leaves it */
	assert_int_equal(rd(&f, SBDF_A, 0x06, 2), 0x8110);
	wr(&f, SBDF_A, 0x04, 2, 0xffff); /* the command register leaves it */
	assert_int_equal(rd(&f, SBDF_A, 0x06, 2), 0x8110);
	wr(&f, SBDF_A, 0x04, 4, 0x80000547u); /* a 1 clears just that bit */
	assert_int_equal(rd(&f, SBDF_A, 0x04, 4), 0x01100547);
	wr(&f, SBDF_A, 0x07, 1, 0x01);
	assert_int_equal(rd(&f, SBDF_A, 0x06, 2), 0x0010);
	fx_free(&f);
}

static void misc_rw_registers(void **state)
{
	static const struct {
		unsigned off, size;
		uint32_t val, expect;
	} rows[] = {
		{ 0x0c, 1, 0xff, 0xff }, /* cache line size */
		{ 0x0d, 1, 0xa5, 0xa5 }, /* latency timer */
		{ 0x3c, 1, 0x0b, 0x0b }, /* interrupt line */
		{ 0x3c, 2, 0xffff, 0x01ff }, /* interrupt pin stays 1 */
		{ 0x0c, 4, 0xffffffffu, 0x0000ffff }, /* header type, BIST RO */
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	test_put(cfg, 0x3d, 1, 0x01);
	fx_new(&f, &dev, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		wr(&f, SBDF_A, rows[i].off, rows[i].size, rows[i].val);
		assert_int_equal(rd(&f, SBDF_A, rows[i].off, rows[i].size),
		                 rows[i].expect);
	}
	fx_free(&f);
}

/* ---- BARs and the ROM ---- */

static void bar32_sizing(void **state)
{
	static const struct {
		unsigned bar;
		uint64_t size;
		uint32_t flags, expect;
	} rows[] = {
		{ 0, 16, 0x0, 0xfffffff0u },
		{ 1, 4 * KiB, 0x0, 0xfffff000u },
		{ 2, 1 * MiB, 0x8, 0xfff00008u }, /* prefetchable bit kept */
		{ 5, 256 * MiB, 0x8, 0xf0000008u },
		{ 3, 2 * GiB, 0x0, 0x80000000u },
		{ 4, 64 * KiB, 0x2, 0xffff0002u }, /* "below 1 MiB" type: 32-bit */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint8_t cfg[256];
		struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
		unsigned reg = 0x10 + 4 * rows[i].bar;
		struct fx f;

		ep_init(cfg);
		test_put(cfg, reg, 4, rows[i].flags);
		dev.bar_size[rows[i].bar] = rows[i].size;
		fx_new(&f, &dev, 1);
		wr(&f, SBDF_A, reg, 4, 0xffffffffu);
		assert_int_equal(rd(&f, SBDF_A, reg, 4), rows[i].expect);
		wr(&f, SBDF_A, reg, 4, 0x80000000u);
		assert_int_equal(rd(&f, SBDF_A, reg, 4), 0x80000000u | rows[i].flags);
		for (unsigned b = 0; b < 4; b++) /* byte by byte sizes it too */
			wr(&f, SBDF_A, reg + b, 1, 0xff);
		assert_int_equal(rd(&f, SBDF_A, reg, 4), rows[i].expect);
		fx_free(&f);
	}
}

static void bar64_sizing(void **state)
{
	static const struct {
		unsigned bar;
		uint64_t size;
		uint32_t flags, lo, hi;
	} rows[] = {
		{ 0, 16 * KiB, 0x4, 0xffffc004u, 0xffffffffu },
		{ 2, 4 * GiB, 0xc, 0x0000000cu, 0xffffffffu },
		{ 4, 8 * GiB, 0xc, 0x0000000cu, 0xfffffffeu },
		{ 0, 1ull << 40, 0x4, 0x00000004u, 0xffffff00u },
		{ 1, 2 * GiB, 0x4, 0x80000004u, 0xffffffffu },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint8_t cfg[256];
		struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
		unsigned reg = 0x10 + 4 * rows[i].bar;
		struct fx f;

		ep_init(cfg);
		test_put(cfg, reg, 4, rows[i].flags);
		dev.bar_size[rows[i].bar] = rows[i].size;
		fx_new(&f, &dev, 1);
		wr(&f, SBDF_A, reg, 4, 0xffffffffu);
		wr(&f, SBDF_A, reg + 4, 4, 0xffffffffu);
		assert_int_equal(rd(&f, SBDF_A, reg, 4), rows[i].lo);
		assert_int_equal(rd(&f, SBDF_A, reg + 4, 4), rows[i].hi);
		/* 2 TiB is aligned for every size here. */
		wr(&f, SBDF_A, reg, 4, 0);
		wr(&f, SBDF_A, reg + 4, 4, 0x200);
		assert_int_equal(rd(&f, SBDF_A, reg, 4), rows[i].flags);
		assert_int_equal(rd(&f, SBDF_A, reg + 4, 4), 0x200);
		fx_free(&f);
	}
}

static void io_bar_sizing(void **state)
{
	static const struct {
		uint64_t size;
		uint32_t expect;
	} rows[] = {
		{ 4, 0xfffffffdu }, /* bit 1 is reserved: reads 0 */
		{ 32, 0xffffffe1u },
		{ 256, 0xffffff01u },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint8_t cfg[256];
		struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
		struct fx f;

		ep_init(cfg);
		test_put(cfg, 0x14, 4, 0x1);
		dev.bar_size[1] = rows[i].size;
		fx_new(&f, &dev, 1);
		wr(&f, SBDF_A, 0x14, 4, 0xffffffffu);
		assert_int_equal(rd(&f, SBDF_A, 0x14, 4), rows[i].expect);
		wr(&f, SBDF_A, 0x14, 4, 0xe000);
		assert_int_equal(rd(&f, SBDF_A, 0x14, 4), 0xe001);
		fx_free(&f);
	}
}

static void rom_sizing_and_enable(void **state)
{
	static const struct {
		uint32_t val, expect;
	} rows[] = {
		{ 0xffffffffu, 0xffff0001u },
		{ 0xfffffffeu, 0xffff0000u },
		{ 0xfeb00001u, 0xfeb00001u },
		{ 0xfeb0fffeu, 0xfeb00000u }, /* bits 15:1 are RO */
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = {
		.sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256, .rom_size = 64 * KiB,
	};
	struct pvhdev_fake_dev none = { .sbdf = SBDF_B, .cfg = cfg, .cfg_len = 256 };
	struct pvhdev_fake_dev devs[2];
	struct fx f;

	(void)state;
	ep_init(cfg);
	devs[0] = dev;
	devs[1] = none;
	fx_new(&f, devs, 2);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		wr(&f, SBDF_A, 0x30, 4, rows[i].val);
		assert_int_equal(rd(&f, SBDF_A, 0x30, 4), rows[i].expect);
	}
	wr(&f, SBDF_B, 0x30, 4, 0xffffffffu); /* no ROM: RO 0 */
	assert_int_equal(rd(&f, SBDF_B, 0x30, 4), 0);
	fx_free(&f);
}

static void bar_unimplemented(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	test_put(cfg, 0x1c, 4, 0x0000000c); /* flags, but size 0: stays */
	fx_new(&f, &dev, 1);
	for (unsigned reg = 0x10; reg <= 0x24; reg += 4) {
		wr(&f, SBDF_A, reg, 4, 0xffffffffu);
		assert_int_equal(rd(&f, SBDF_A, reg, 4), reg == 0x1c ? 0xc : 0);
	}
	fx_free(&f);
}

static void bar64_last_slot_invalid(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	test_put(cfg, 0x04, 2, 0x0002);
	test_put(cfg, 0x24, 4, 0x80000004u); /* 64-bit type in slot 5 */
	dev.bar_size[5] = 4 * KiB;
	fx_new(&f, &dev, 1);
	assert_int_equal(mrd(&f, 0x80000000u, 4), 0xffffffffu); /* no window */
	wr(&f, SBDF_A, 0x24, 4, 0xffffffffu);
	assert_int_equal(rd(&f, SBDF_A, 0x24, 4), 0x80000004u);
	fx_free(&f);
}

static void type1_header_layout(void **state)
{
	static const struct {
		unsigned off, size;
		uint32_t expect; /* after writing all-ones */
	} rows[] = {
		{ 0x10, 4, 0xfff00000u }, /* BAR0, 1 MiB */
		{ 0x14, 4, 0xffffff01u }, /* BAR1, IO 256 bytes */
		{ 0x18, 4, 0xffffffffu }, /* bus numbers, secondary latency */
		{ 0x1c, 2, 0xf1f1 },      /* IO base/limit, 32-bit capable */
		{ 0x20, 4, 0xfff0fff0u }, /* memory base/limit */
		{ 0x24, 4, 0xfff1fff1u }, /* prefetchable base/limit, 64-bit */
		{ 0x28, 4, 0xffffffffu },
		{ 0x2c, 4, 0xffffffffu },
		{ 0x30, 4, 0xffffffffu }, /* IO upper halves, not a ROM */
		{ 0x34, 1, 0x00 },        /* capabilities pointer RO */
		{ 0x38, 4, 0xfffff801u }, /* ROM, 2 KiB */
		{ 0x3c, 1, 0xff },
		{ 0x3e, 2, 0x0fff },      /* bridge control, approximately */
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = {
		.sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256,
		.bar_size = { 1 * MiB, 256 }, .rom_size = 2 * KiB,
	};
	struct fx f;

	(void)state;
	test_cfg_init(cfg, 0x8086, 0x2f02, 0x06040000, 0x81); /* multi-function */
	test_put(cfg, 0x14, 4, 0x1);
	test_put(cfg, 0x1c, 2, 0x0101);
	test_put(cfg, 0x24, 4, 0x00010001);
	fx_new(&f, &dev, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		wr(&f, SBDF_A, rows[i].off, rows[i].size, 0xffffffffu);
		assert_int_equal(rd(&f, SBDF_A, rows[i].off, rows[i].size),
		                 rows[i].expect);
	}
	assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x1e, 2, 0x8000), 0);
	wr(&f, SBDF_A, 0x1e, 2, 0x8000); /* secondary status: RW1C */
	assert_int_equal(rd(&f, SBDF_A, 0x1e, 2), 0);
	fx_free(&f);
}

static void type1_64bit_bar_pair(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = {
		.sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256, .bar_size = { 8 * GiB },
	};
	struct fx f;

	(void)state;
	test_cfg_init(cfg, 0x8086, 0x2f02, 0x06040000, 0x01);
	test_put(cfg, 0x10, 4, 0x4);
	fx_new(&f, &dev, 1);
	wr(&f, SBDF_A, 0x10, 4, 0xffffffffu);
	wr(&f, SBDF_A, 0x14, 4, 0xffffffffu);
	assert_int_equal(rd(&f, SBDF_A, 0x10, 4), 0x4);
	assert_int_equal(rd(&f, SBDF_A, 0x14, 4), 0xfffffffeu);
	fx_free(&f);
}

/* ---- Capabilities ---- */

struct mask_row {
	pvhdev_sbdf_t sbdf;
	unsigned off, size;
	uint32_t val, expect;
};

static void run_rows(struct fx *f, const struct mask_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		wr(f, rows[i].sbdf, rows[i].off, rows[i].size, rows[i].val);
		assert_int_equal(rd(f, rows[i].sbdf, rows[i].off, rows[i].size),
		                 rows[i].expect);
	}
}

static void msi_masks(void **state)
{
	static const struct mask_row rows[] = {
		/* A: MSI at 0x50, 32-bit, 8 vectors capable, no masking */
		{ SBDF_A, 0x52, 2, 0xffff, 0x0077 },
		{ SBDF_A, 0x54, 4, 0xffffffffu, 0xfffffffcu },
		{ SBDF_A, 0x58, 2, 0xffff, 0xffff },       /* data */
		{ SBDF_A, 0x5a, 2, 0xffff, 0x0000 },       /* extended data */
		{ SBDF_A, 0x5c, 4, 0xffffffffu, 0 },       /* not a mask */
		/* B: MSI at 0x60, 64-bit, per-vector masking */
		{ SBDF_B, 0x62, 2, 0xffff, 0x01f1 },
		{ SBDF_B, 0x64, 4, 0xffffffffu, 0xfffffffcu },
		{ SBDF_B, 0x68, 4, 0xffffffffu, 0xffffffffu }, /* address high */
		{ SBDF_B, 0x6c, 2, 0xffff, 0xffff },            /* data */
		{ SBDF_B, 0x70, 4, 0xffffffffu, 0xffffffffu },  /* mask bits */
		{ SBDF_B, 0x74, 4, 0x0, 0x00000001u },          /* pending: RO */
		{ SBDF_B, 0x62, 2, 0x0000, 0x0180 },
	};
	uint8_t a[256], b[256];
	struct pvhdev_fake_dev devs[] = {
		{ .sbdf = SBDF_B, .cfg = b, .cfg_len = 256 },
		{ .sbdf = SBDF_A, .cfg = a, .cfg_len = 256 },
	};
	struct fx f;

	(void)state;
	ep_init(a);
	test_put(a, 0x06, 2, 0x0010);
	test_put(a, 0x34, 1, 0x50);
	test_put(a, 0x50, 4, 0x00060005); /* id 5, next 0, MMC 3 */
	ep_init(b);
	test_put(b, 0x34, 1, 0x60);
	test_put(b, 0x60, 4, 0x01800005);
	test_put(b, 0x74, 4, 0x00000001);
	fx_new(&f, devs, ARRAY_SIZE(devs));
	run_rows(&f, rows, ARRAY_SIZE(rows));
	fx_free(&f);
}

/* Endpoint with PCIe at 0x40 -> MSI-X at 0x70. */
static void pcie_ep_init(uint8_t *cfg)
{
	ep_init(cfg);
	test_put(cfg, 0x06, 2, 0x0010);
	test_put(cfg, 0x34, 1, 0x40);
	test_put(cfg, 0x40, 4, 0x00027010); /* PCIe v2, next 0x70 */
	test_put(cfg, 0x44, 4, 0x00008fc2); /* device capabilities */
	test_put(cfg, 0x52, 2, 0x1011);     /* link status */
	test_put(cfg, 0x70, 4, 0x000f0011); /* MSI-X, 16 entries, next 0 */
	test_put(cfg, 0x74, 4, 0x00002000); /* table: BIR 0, offset 0x2000 */
	test_put(cfg, 0x78, 4, 0x00003000); /* PBA: BIR 0, offset 0x3000 */
}

static void msix_masks(void **state)
{
	static const struct mask_row rows[] = {
		{ SBDF_A, 0x72, 2, 0xffff, 0xc00f },
		{ SBDF_A, 0x72, 2, 0x4000, 0x400f },
		{ SBDF_A, 0x73, 1, 0x80, 0x80 },
		{ SBDF_A, 0x74, 4, 0xffffffffu, 0x00002000u },
		{ SBDF_A, 0x78, 4, 0xffffffffu, 0x00003000u },
		{ SBDF_A, 0x70, 4, 0xffffffffu, 0xc00f0011u },
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	pcie_ep_init(cfg);
	fx_new(&f, &dev, 1);
	run_rows(&f, rows, ARRAY_SIZE(rows));
	fx_free(&f);
}

static void pcie_masks(void **state)
{
	static const struct mask_row rows[] = {
		{ SBDF_A, 0x44, 4, 0xffffffffu, 0x00008fc2u }, /* devcap RO */
		/* devctl: Initiate FLR (bit 15) is no state: it reads 0 */
		{ SBDF_A, 0x48, 2, 0xffff, 0x7fff },
		{ SBDF_A, 0x4a, 2, 0xffff, 0x0020 },            /* devsta */
		/* link control: Retrain Link (bit 5) reads 0; bits 2, 15:12 reserved */
		{ SBDF_A, 0x50, 2, 0xffff, 0x0fdb },
		{ SBDF_A, 0x52, 2, 0xffff, 0x1011 },            /* link status: RW1C 15:14 clear */
		{ SBDF_A, 0x58, 4, 0xffffffffu, 0 },            /* no slot: slot control RO */
		{ SBDF_A, 0x5c, 4, 0xffffffffu, 0 },            /* not a root port: RO */
		{ SBDF_A, 0x68, 2, 0xffff, 0xffff },            /* v2: device control 2 */
		/* link control 2 would be at 0x70, where MSI-X begins: its
		 * header stays the capability's */
		{ SBDF_A, 0x70, 2, 0xffff, 0x0011 },
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	pcie_ep_init(cfg);
	fx_new(&f, &dev, 1);
	/* Errors detected (RW1C) and transactions pending (RO). */
	assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x4a, 2, 0x002f), 0);
	wr(&f, SBDF_A, 0x4a, 2, 0x0001);
	assert_int_equal(rd(&f, SBDF_A, 0x4a, 2), 0x002e);
	run_rows(&f, rows, ARRAY_SIZE(rows));
	fx_free(&f);
}

/* A root port with a slot and power management (PCIe Base 4.0 7.5.3.10,
 * 7.5.3.11, 7.5.3.12, 7.5.3.13; PCI PM 1.2 3.2.4). */
static void pcie_port_masks(void **state)
{
	static const struct mask_row rows[] = {
		/* slot control: bit 11 (interlock) toggles, reads 0; 15 reserved */
		{ SBDF_A, 0x58, 2, 0xffff, 0x77ff },
		{ SBDF_A, 0x58, 2, 0x06f1, 0x06f1 },            /* as Linux's pciehp */
		{ SBDF_A, 0x5c, 2, 0xffff, 0x001f },            /* root control */
		{ SBDF_A, 0x6c, 4, 0xffffffffu, 0 },            /* link cap 2: RO */
		{ SBDF_A, 0x70, 2, 0xffff, 0xffbf },            /* link control 2 */
		{ SBDF_A, 0x84, 2, 0x1f03, 0x1f0b },            /* PMCSR: D3, PME_En, Data_Select */
		{ SBDF_A, 0x84, 2, 0x0000, 0x0008 },            /* No_Soft_Reset stays */
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	test_cfg_init(cfg, 0x8086, 0x1234, 0x06040000, 0x01);
	test_put(cfg, 0x06, 2, 0x0010);
	test_put(cfg, 0x34, 1, 0x40);
	test_put(cfg, 0x40, 4, 0x01428010); /* PCIe v2, root port, slot; next 0x80 */
	test_put(cfg, 0x5a, 2, 0x0040);     /* slot status: presence detected */
	test_put(cfg, 0x80, 4, 0x00030001); /* PM, next 0 */
	test_put(cfg, 0x84, 2, 0x0008);     /* PMCSR: No_Soft_Reset */
	fx_new(&f, &dev, 1);
	run_rows(&f, rows, ARRAY_SIZE(rows));
	/* Slot status: the events (4:0, 8) are RW1C, presence (6) the
	 * hardware's; root status: PME Status (16) RW1C; PMCSR PME_Status. */
	assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x5a, 2, 0x011f), 0);
	wr(&f, SBDF_A, 0x5a, 2, 0x0108);
	assert_int_equal(rd(&f, SBDF_A, 0x5a, 2), 0x0057);
	wr(&f, SBDF_A, 0x5a, 2, 0xffff);
	assert_int_equal(rd(&f, SBDF_A, 0x5a, 2), 0x0040);
	assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x60, 4, 0x00030000), 0);
	wr(&f, SBDF_A, 0x60, 4, 0xffffffffu);
	assert_int_equal(rd(&f, SBDF_A, 0x60, 4), 0x00020000);
	assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x84, 2, 0x8000), 0);
	wr(&f, SBDF_A, 0x84, 2, 0x8000);
	assert_int_equal(rd(&f, SBDF_A, 0x84, 2) & 0x8000, 0);
	fx_free(&f);
}

static void sriov_masks(void **state)
{
	static const struct mask_row rows[] = {
		{ SBDF_A, 0x104, 4, 0xffffffffu, 0 },           /* AER: not modelled */
		{ SBDF_A, 0x148, 2, 0xffff, 0x001f },            /* SR-IOV control */
		{ SBDF_A, 0x14a, 2, 0xffff, 0x0000 },            /* status */
		{ SBDF_A, 0x14c, 4, 0xffffffffu, 0x00400040u },  /* Initial/TotalVFs */
		{ SBDF_A, 0x150, 2, 0xffff, 0xffff },            /* NumVFs */
		{ SBDF_A, 0x15c, 4, 0xffffffffu, 0x00000553u },  /* supported pages */
		{ SBDF_A, 0x160, 4, 0xffffffffu, 0xffffffffu },  /* page size */
		{ SBDF_A, 0x164, 4, 0xffffffffu, 0x0000000cu },  /* VF BAR0: RO */
		{ SBDF_A, 0x168, 4, 0xffffffffu, 0 },
	};
	uint8_t cfg[4096];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 4096 };
	struct fx f;

	(void)state;
	memset(cfg, 0, sizeof(cfg));
	pcie_ep_init(cfg);
	test_put(cfg, 0x100, 4, 0x14020001); /* AER v2, next 0x140 */
	test_put(cfg, 0x140, 4, 0x00010010); /* SR-IOV v1, next 0 */
	test_put(cfg, 0x14c, 4, 0x00400040);
	test_put(cfg, 0x15c, 4, 0x00000553);
	test_put(cfg, 0x164, 4, 0x0000000c);
	fx_new(&f, &dev, 1);
	run_rows(&f, rows, ARRAY_SIZE(rows));
	fx_free(&f);
}

/* An SR-IOV PF at 00:02.0 with pcie_ep_init's MSI-X (16 entries, table
 * BIR 0 + 0x2000, PBA + 0x3000): TotalVFs 4, NumVFs 2, First VF Offset
 * 1, VF Stride 1, VF BAR0 16 KiB per VF at 0xe0000000. */
#define VF0 PVHDEV_SBDF(0, 0, 2, 1)
#define VF1 PVHDEV_SBDF(0, 0, 2, 2)
#define VF_BAR 0xe0000000ull

static void vf_pf_init(uint8_t *cfg, bool msix, uint16_t ctrl)
{
	memset(cfg, 0, 4096);
	pcie_ep_init(cfg);
	if (!msix)
		test_put(cfg, 0x40, 4, 0x00020010); /* PCIe, last */
	test_put(cfg, 0x2c, 4, 0x00011028);     /* subsystem */
	test_put(cfg, 0x100, 4, 0x00010010);    /* SR-IOV v1, last */
	test_put(cfg, 0x108, 2, ctrl);
	test_put(cfg, 0x10c, 4, 0x00040004);    /* Initial/TotalVFs */
	test_put(cfg, 0x110, 2, 2);             /* NumVFs */
	test_put(cfg, 0x114, 4, 0x00010001);    /* First VF Offset, VF Stride */
	test_put(cfg, 0x118, 4, 0x10ca0000);    /* VF Device ID */
	test_put(cfg, 0x124, 4, (uint32_t)VF_BAR);
}

/* After VF Enable each VF is a function of its own: the PF's class,
 * revision and subsystem, IDs 0xffff, MSI-X at 0x40 and PCIe at 0x80
 * as QEMU's VFs have them, read-only BARs, writes per the masks. */
static void vf_config_space(void **state)
{
	static const struct mask_row rows[] = {
		{ VF0, 0x00, 4, 0xffffffffu, 0xffffffffu }, /* IDs: RO 0xffff */
		{ VF0, 0x04, 2, 0xffff, 0x0004 },           /* command: Bus Master */
		{ VF0, 0x08, 4, 0xffffffffu, 0x02000001u }, /* class, revision */
		{ VF0, 0x10, 4, 0xffffffffu, 0 },           /* BARs: RO 0 */
		{ VF0, 0x14, 4, 0xffffffffu, 0 },
		{ VF0, 0x2c, 4, 0xffffffffu, 0x00011028u }, /* subsystem */
		{ VF0, 0x30, 4, 0xffffffffu, 0 },           /* no ROM */
		{ VF0, 0x34, 1, 0xff, 0x40 },
		{ VF0, 0x40, 4, 0x3fffffffu, 0x000f8011u }, /* MSI-X, next 0x80 */
		{ VF0, 0x40, 4, 0xffffffffu, 0xc00f8011u }, /* enable, fmask */
		{ VF0, 0x44, 4, 0xffffffffu, 0x00002000u }, /* table: RO */
		{ VF0, 0x48, 4, 0xffffffffu, 0x00003000u }, /* PBA: RO */
		{ VF0, 0x80, 4, 0xffffffffu, 0x00020010u }, /* PCIe v2 endpoint */
		{ VF0, 0x84, 4, 0xffffffffu, 0x10008000u }, /* FLR, RBER */
		{ VF0, 0x88, 2, 0x7fff, 0x7fff },           /* device control */
		{ VF0, 0x88, 2, 0xffff, 0x2810 },           /* Initiate FLR: reset */
		{ VF0, 0x40, 4, 0, 0x000f8011u },           /* MSI-X off again */
		{ VF1, 0x3c, 1, 0x5a, 0x5a },               /* interrupt line */
		{ VF1, 0x04, 2, 0x0000, 0x0000 },
	};
	uint8_t cfg[4096];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 4096,
	                               .bar_size = { 0x4000 }, .vf_bar_size = { 0x4000 } };
	struct fx f;

	(void)state;
	vf_pf_init(cfg, true, 0);
	fx_new(&f, &dev, 1);
	assert_int_equal(rd(&f, VF0, 0x08, 4), 0xffffffffu);
	wr(&f, VF0, 0x04, 2, 0x0004); /* no VF yet: dropped */
	wr(&f, SBDF_A, 0x108, 2, 0x0001);
	assert_int_equal(rd(&f, VF0, 0x06, 2), 0x0010);
	run_rows(&f, rows, ARRAY_SIZE(rows));
	/* Status: the error bits are RW1C, as any function's. */
	assert_int_equal(pvhdev_fake_set_bits(f.fake, VF1, 0x06, 2, 0x8100), 0);
	wr(&f, VF1, 0x06, 2, 0x0100);
	assert_int_equal(rd(&f, VF1, 0x06, 2), 0x8010);
	assert_int_equal(rd(&f, VF0, 0x06, 2), 0x0010);
	/* NumVFs 2: a third VF is no function; nor is extended space past
	 * what the VF has (it has the PF's 4096 bytes, all 0). */
	assert_int_equal(rd(&f, PVHDEV_SBDF(0, 0, 2, 3), 0x00, 4), 0xffffffffu);
	assert_int_equal(rd(&f, VF0, 0x100, 4), 0);
	/* The PF is untouched by its VFs' writes. */
	assert_int_equal(rd(&f, SBDF_A, 0x04, 2), 0x0000);
	assert_int_equal(rd(&f, SBDF_A, 0x2c, 4), 0x00011028u);
	fx_free(&f);
}

/* Without MSI-X in the PF, VFs have only the PCIe capability. */
static void vf_without_msix(void **state)
{
	uint8_t cfg[4096];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 4096,
	                               .vf_bar_size = { 0x4000 } };
	struct fx f;

	(void)state;
	vf_pf_init(cfg, false, 0x0001); /* enabled in the table's bytes */
	fx_new(&f, &dev, 1);
	assert_int_equal(rd(&f, VF1, 0x34, 1), 0x80);
	assert_int_equal(rd(&f, VF1, 0x80, 4), 0x00020010u);
	assert_int_equal(rd(&f, VF1, 0x40, 4), 0);
	fx_free(&f);
}

/* VF n's BAR i is slice n of VF BAR i; it decodes while VF Enable and VF
 * MSE are set; its MSI-X entries start masked; VFs go with VF Enable and
 * come back as after reset. */
static void vf_memory_and_life(void **state)
{
	uint8_t cfg[4096];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 4096,
	                               .bar_size = { 0x4000 }, .vf_bar_size = { 0x4000 } };
	const uint64_t e0 = VF_BAR + 0x2000, e1 = VF_BAR + 0x4000 + 0x2000;
	struct fx f;

	(void)state;
	vf_pf_init(cfg, true, 0);
	fx_new(&f, &dev, 1);
	wr(&f, SBDF_A, 0x108, 2, 0x0001); /* VF Enable, no VF MSE */
	assert_int_equal(mrd(&f, e0 + 12, 4), 0xffffffffu);
	wr(&f, SBDF_A, 0x108, 2, 0x0009);
	for (unsigned e = 0; e < 16; e++) {
		assert_int_equal(mrd(&f, e0 + 16 * e + 12, 4), 1);
		assert_int_equal(mrd(&f, e1 + 16 * e + 12, 4), 1);
	}
	mwr(&f, e1 + 8, 4, 0x51);
	mwr(&f, e1 + 12, 4, 0);
	assert_int_equal(mrd(&f, e1, 8), 0);
	assert_int_equal(mrd(&f, e1 + 8, 8), 0x51);
	assert_int_equal(mrd(&f, e0 + 8, 8), 0x100000000ull);
	assert_int_equal(mrd(&f, VF_BAR + 0x8000, 4), 0xffffffffu); /* past VF 1 */
	wr(&f, VF1, 0x04, 2, 0x0004);
	wr(&f, VF1, 0x42, 2, 0x8000);
	/* VF Enable off: the VFs and their memory are gone. */
	wr(&f, SBDF_A, 0x108, 2, 0x0008);
	assert_int_equal(rd(&f, VF1, 0x00, 4), 0xffffffffu);
	assert_int_equal(mrd(&f, e1 + 8, 4), 0xffffffffu);
	/* Back on: reset state. */
	wr(&f, SBDF_A, 0x108, 2, 0x0009);
	assert_int_equal(rd(&f, VF1, 0x04, 2), 0);
	assert_int_equal(rd(&f, VF1, 0x42, 2), 0x000f);
	assert_int_equal(mrd(&f, e1 + 8, 8), 0x100000000ull);
	/* The VF BAR moves (VF MSE off, write, on): the slices follow. */
	wr(&f, SBDF_A, 0x108, 2, 0x0001);
	wr(&f, SBDF_A, 0x124, 4, 0xe0100000u);
	wr(&f, SBDF_A, 0x108, 2, 0x0009);
	assert_int_equal(mrd(&f, e1 + 12, 4), 0xffffffffu);
	assert_int_equal(mrd(&f, 0xe0100000u + 0x6000 + 12, 4), 1);
	fx_free(&f);
}

/* A template (QEMU 7.2's NVMe VF, tests/data/guests/sriov.vfs.lspci)
 * replaces the default but for the PF's identity; its capabilities get
 * the rules' masks. */
static void vf_template(void **state)
{
	uint8_t cfg[4096], vf[0x110];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 4096,
	                               .vf_bar_size = { 0x4000 }, .vf_cfg = vf,
	                               .vf_cfg_len = sizeof(vf) };
	struct fx f;

	(void)state;
	vf_pf_init(cfg, true, 0);
	memset(vf, 0, sizeof(vf));
	test_put(vf, 0x00, 4, 0x12345678);      /* replaced by 0xffff IDs */
	test_put(vf, 0x06, 2, 0x0010);
	test_put(vf, 0x08, 4, 0x01080202);      /* replaced by the PF's */
	test_put(vf, 0x34, 1, 0x40);
	test_put(vf, 0x3d, 1, 0x01);
	test_put(vf, 0x40, 4, 0x00008011);      /* MSI-X, 1 entry, next 0x80 */
	test_put(vf, 0x44, 4, 0x00002000);
	test_put(vf, 0x48, 4, 0x00003000);
	test_put(vf, 0x60, 4, 0x00030001);      /* PM, last */
	test_put(vf, 0x64, 4, 0x00000008);
	test_put(vf, 0x80, 4, 0x00026010);      /* PCIe, next 0x60 */
	test_put(vf, 0x84, 4, 0x10008000);
	test_put(vf, 0x100, 4, 0x0001000e);     /* ARI */
	fx_new(&f, &dev, 1);
	wr(&f, SBDF_A, 0x108, 2, 0x0001);
	assert_int_equal(rd(&f, VF0, 0x00, 4), 0xffffffffu);
	assert_int_equal(rd(&f, VF0, 0x08, 4), 0x02000001u);
	assert_int_equal(rd(&f, VF0, 0x2c, 4), 0x00011028u);
	assert_int_equal(rd(&f, VF0, 0x3c, 4), 0x00000100u);
	assert_int_equal(rd(&f, VF0, 0x40, 4), 0x00008011u);
	assert_int_equal(rd(&f, VF0, 0x60, 4), 0x00030001u);
	assert_int_equal(rd(&f, VF1, 0x80, 4), 0x00026010u);
	assert_int_equal(rd(&f, VF1, 0x100, 4), 0x0001000eu);
	wr(&f, VF1, 0x42, 2, 0xffff);
	assert_int_equal(rd(&f, VF1, 0x42, 2), 0xc000);
	wr(&f, VF1, 0x64, 2, 0xffff); /* PMCSR: PowerState, PME_En, Data_Select */
	assert_int_equal(rd(&f, VF1, 0x64, 2), 0x1f0b);
	assert_int_equal(mrd(&f, VF_BAR + 0x4000 + 0x200c, 4), 0xffffffffu); /* no MSE */
	wr(&f, SBDF_A, 0x108, 2, 0x0009);
	assert_int_equal(mrd(&f, VF_BAR + 0x4000 + 0x200c, 4), 1);
	assert_int_equal(mrd(&f, VF_BAR + 0x4000 + 0x201c, 4), 0); /* 1 entry */
	fx_free(&f);
}

/* The VFs' memory comes with VF Enable: out of memory, VF Enable stays
 * clear and the write fails. */
static void vf_enable_out_of_memory(void **state)
{
	uint8_t cfg[4096];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 4096,
	                               .vf_bar_size = { 0x4000 } };
	struct fx f;

	(void)state;
	vf_pf_init(cfg, true, 0);
	fx_new(&f, &dev, 1);
	f.alloc.fail_at = f.alloc.calls + 3; /* the second VF's window */
	assert_int_equal(pvhdev_fake_ops.cfg_write(f.fake, SBDF_A, 0x108, 2, 1), -ENOMEM);
	assert_int_equal(rd(&f, SBDF_A, 0x108, 2), 0);
	assert_int_equal(rd(&f, VF0, 0x00, 4), 0xffffffffu);
	f.alloc.fail_at = 0;
	wr(&f, SBDF_A, 0x108, 2, 1);
	assert_int_equal(rd(&f, VF0, 0x06, 2), 0x0010);
	fx_free(&f);
}

static void cap_lists_bounded(void **state)
{
	static const struct mask_row rows[] = {
		{ SBDF_A, 0x42, 2, 0xffff, 0xc000 }, /* MSI-X found once */
		{ SBDF_A, 0x22, 2, 0xffff, 0x0000 }, /* below 0x40: never walked */
		{ SBDF_A, 0x108, 2, 0xffff, 0x001f },
		{ SBDF_A, 0x208, 2, 0xffff, 0x001f },
	};
	uint8_t cfg[4096];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 4096 };
	struct fx f;

	(void)state;
	memset(cfg, 0, sizeof(cfg));
	ep_init(cfg);
	test_put(cfg, 0x34, 1, 0x40);
	test_put(cfg, 0x40, 2, 0x4011);      /* MSI-X pointing at itself */
	test_put(cfg, 0x20, 2, 0x4011);      /* would be MSI-X at 0x20 */
	test_put(cfg, 0x100, 4, 0x20010010); /* SR-IOV -> 0x200 */
	test_put(cfg, 0x200, 4, 0x10010010); /* SR-IOV -> 0x100: a loop */
	fx_new(&f, &dev, 1);
	run_rows(&f, rows, ARRAY_SIZE(rows));
	fx_free(&f);

	/* A legacy pointer below 0x40 from the start. */
	memset(cfg, 0, sizeof(cfg));
	ep_init(cfg);
	test_put(cfg, 0x34, 1, 0x20);
	test_put(cfg, 0x20, 2, 0x0011);
	fx_new(&f, &dev, 1);
	wr(&f, SBDF_A, 0x22, 2, 0xffff);
	assert_int_equal(rd(&f, SBDF_A, 0x22, 2), 0);
	fx_free(&f);
}

static void ext_space_absent_when_short(void **state)
{
	static const uint16_t lens[] = { 0, 64, 256 };
	uint8_t cfg[256];

	(void)state;
	ep_init(cfg);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		struct pvhdev_fake_dev dev = {
			.sbdf = SBDF_A, .cfg = lens[i] ? cfg : NULL, .cfg_len = lens[i],
		};
		struct fx f;

		fx_new(&f, &dev, 1);
		for (unsigned size = 1; size <= 4; size *= 2)
			for (unsigned off = 256; off < 4096; off += size) {
				wr(&f, SBDF_A, off, size, 0);
				assert_int_equal(rd(&f, SBDF_A, off, size), ones(size));
			}
		for (unsigned off = lens[i]; off < 256; off++) /* past cfg_len: 0 */
			assert_int_equal(rd(&f, SBDF_A, off, 1), 0);
		assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x100, 4, 1),
		                 -EINVAL);
		fx_free(&f);
	}
}

static void ext_space_present_when_long(void **state)
{
	uint8_t cfg[260];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 260 };
	struct fx f;

	(void)state;
	memset(cfg, 0, sizeof(cfg));
	ep_init(cfg);
	test_put(cfg, 0x100, 4, 0x0001000b); /* vendor-specific, next 0 */
	fx_new(&f, &dev, 1);
	assert_int_equal(rd(&f, SBDF_A, 0x100, 4), 0x0001000b);
	assert_int_equal(rd(&f, SBDF_A, 0x104, 4), 0);   /* past cfg_len */
	assert_int_equal(rd(&f, SBDF_A, 0xffc, 4), 0);
	wr(&f, SBDF_A, 0x104, 4, 0xffffffffu);           /* RO by default */
	assert_int_equal(rd(&f, SBDF_A, 0x104, 4), 0);
	fx_free(&f);
}

static void mask_overrides(void **state)
{
	static const struct pvhdev_fake_mask masks[] = {
		{ 0x00, 2, 0xffff, 0 },         /* vendor ID made writable */
		{ 0x04, 2, 0, 0 },              /* command made read-only */
		{ 0x10, 4, 0, 0 },              /* BAR0 made read-only */
		{ 0x40, 4, 0, 0x0000ff00 },     /* RW1C byte 0x41 */
		{ 0x44, 1, 0x0f, 0 },           /* low nibble writable */
		{ 0x48, 1, 0x03, 0x01 },        /* bit 0 in both: RW1C wins */
	};
	static const struct mask_row rows[] = {
		{ SBDF_A, 0x00, 2, 0x1234, 0x1234 },
		{ SBDF_A, 0x04, 2, 0xffff, 0x0000 },
		{ SBDF_A, 0x10, 4, 0xffffffffu, 0xfe000000u },
		{ SBDF_A, 0x40, 4, 0x00000100u, 0xaa00feaau },
		{ SBDF_A, 0x44, 1, 0xff, 0xaf },
		{ SBDF_A, 0x48, 1, 0x02, 0x03 },
		{ SBDF_A, 0x48, 1, 0x03, 0x02 },
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = {
		.sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256, .bar_size = { 4 * KiB },
		.masks = masks, .nr_masks = ARRAY_SIZE(masks),
	};
	struct fx f;

	(void)state;
	ep_init(cfg);
	test_put(cfg, 0x10, 4, 0xfe000000u);
	test_put(cfg, 0x40, 4, 0xaa00ffaau);
	test_put(cfg, 0x44, 1, 0xa0);
	test_put(cfg, 0x48, 1, 0x01);
	fx_new(&f, &dev, 1);
	run_rows(&f, rows, ARRAY_SIZE(rows));
	fx_free(&f);
}

/* ---- MMIO ---- */

#define BAR0_BASE 0xfe000000ull  /* 1 MiB, 32-bit */
#define BAR2_BASE 0x400000000ull /* 8 GiB, 64-bit */
#define ROM_BASE 0xfeb00000ull   /* 64 KiB */

/* Memory decode on, BAR0 32-bit 1 MiB, BAR2/3 64-bit 8 GiB, ROM off. */
static void mmio_dev(struct pvhdev_fake_dev *dev, uint8_t *cfg, uint32_t backed)
{
	ep_init(cfg);
	test_put(cfg, 0x04, 2, 0x0002);
	test_put(cfg, 0x10, 4, (uint32_t)BAR0_BASE);
	test_put(cfg, 0x18, 4, (uint32_t)BAR2_BASE | 0xc);
	test_put(cfg, 0x1c, 4, (uint32_t)(BAR2_BASE >> 32));
	test_put(cfg, 0x30, 4, (uint32_t)ROM_BASE);
	memset(dev, 0, sizeof(*dev));
	dev->sbdf = SBDF_A;
	dev->cfg = cfg;
	dev->cfg_len = 256;
	dev->bar_size[0] = 1 * MiB;
	dev->bar_size[2] = 8 * GiB;
	dev->rom_size = 64 * KiB;
	dev->mmio_backed = backed;
}

static void mmio_rw_inside_bar(void **state)
{
	static const struct {
		uint64_t off;
		unsigned size;
		uint64_t expect;
	} reads[] = {
		{ 0x10, 8, 0x1122334455667788ull },
		{ 0x10, 1, 0x88 }, { 0x11, 1, 0x77 }, { 0x17, 1, 0x11 },
		{ 0x12, 2, 0x5566 }, { 0x16, 2, 0x1122 },
		{ 0x10, 4, 0x55667788 }, { 0x14, 4, 0x11223344 },
		{ 0x18, 8, 0xa5a5 }, { 0x20, 4, 0 },
		{ 0x11, 2, 0xffff }, { 0x14, 8, ~0ull }, { 0x10, 3, ~0ull },
	};
	static const uint64_t bases[] = { BAR0_BASE, BAR2_BASE };
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev;
	struct fx f;

	(void)state;
	mmio_dev(&dev, cfg, 0x1000);
	fx_new(&f, &dev, 1);
	for (size_t b = 0; b < ARRAY_SIZE(bases); b++) {
		mwr(&f, bases[b] + 0x10, 8, 0x1122334455667788ull);
		mwr(&f, bases[b] + 0x18, 2, 0xa5a5);
		mwr(&f, bases[b] + 0x11, 2, 0xdead); /* misaligned: dropped */
		for (size_t i = 0; i < ARRAY_SIZE(reads); i++)
			assert_int_equal(mrd(&f, bases[b] + reads[i].off, reads[i].size),
			                 reads[i].expect);
	}
	/* Above 4 GiB inside the 8 GiB BAR: past the backed 4 KiB. */
	mwr(&f, BAR2_BASE + 4 * GiB, 8, ~0ull);
	assert_int_equal(mrd(&f, BAR2_BASE + 4 * GiB, 8), 0);
	assert_int_equal(mrd(&f, BAR2_BASE + 8 * GiB, 8), ~0ull);
	fx_free(&f);
}

/* MSI-X table memory starts as after reset: every entry's Mask bit set
 * (PCI 3.0 6.8.2.9), address and data 0; entries past the RAM behind
 * the BAR read 0 as any unbacked byte does.  Table: BAR0 + 0x2000, 16
 * entries; 0x2080 bytes backed: entries 0-7. */
static void msix_table_starts_masked(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev;
	struct fx f;

	(void)state;
	mmio_dev(&dev, cfg, 0x2080);
	test_put(cfg, 0x06, 2, 0x0010);
	test_put(cfg, 0x34, 1, 0x70);
	test_put(cfg, 0x70, 4, 0x000f0011); /* MSI-X, 16 entries */
	test_put(cfg, 0x74, 4, 0x00002000); /* table: BIR 0, offset 0x2000 */
	test_put(cfg, 0x78, 4, 0x00003000);
	fx_new(&f, &dev, 1);
	for (unsigned e = 0; e < 8; e++) {
		uint64_t entry = BAR0_BASE + 0x2000 + 16 * e;
		assert_int_equal(mrd(&f, entry, 8), 0);
		assert_int_equal(mrd(&f, entry + 8, 4), 0);
		assert_int_equal(mrd(&f, entry + 12, 4), 1);
	}
	assert_int_equal(mrd(&f, BAR0_BASE + 0x2000 + 16 * 8 + 12, 4), 0);
	/* Only the table: the bytes before it are untouched. */
	assert_int_equal(mrd(&f, BAR0_BASE + 0x1ffc, 4), 0);
	fx_free(&f);
}

static void mmio_follows_bar_move(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev;
	struct fx f;

	(void)state;
	mmio_dev(&dev, cfg, 0);
	fx_new(&f, &dev, 1);
	mwr(&f, BAR0_BASE + 0x100, 4, 0xcafef00d);
	mwr(&f, BAR2_BASE + 0x100, 4, 0x600dcafe);
	wr(&f, SBDF_A, 0x04, 2, 0);
	wr(&f, SBDF_A, 0x10, 4, 0xd0000000u);
	wr(&f, SBDF_A, 0x1c, 4, 0x8);         /* BAR2 to 32 GiB */
	assert_int_equal(mrd(&f, 0xd0000100u, 4), 0xffffffffu); /* decode off */
	wr(&f, SBDF_A, 0x04, 2, 0x0002);
	assert_int_equal(mrd(&f, BAR0_BASE + 0x100, 4), 0xffffffffu);
	assert_int_equal(mrd(&f, 0xd0000100u, 4), 0xcafef00d);
	assert_int_equal(mrd(&f, BAR2_BASE + 0x100, 4), 0xffffffffu);
	assert_int_equal(mrd(&f, 0x800000100ull, 4), 0x600dcafe);
	/* Sizing pattern with decode on: the window sits at the top. */
	wr(&f, SBDF_A, 0x10, 4, 0xffffffffu);
	assert_int_equal(mrd(&f, 0xfff00100u, 4), 0xcafef00d);
	fx_free(&f);
}

static void mmio_decode_off_reads_all_ones(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev;
	struct fx f;

	(void)state;
	mmio_dev(&dev, cfg, 0);
	fx_new(&f, &dev, 1);
	mwr(&f, BAR0_BASE, 8, 0x0102030405060708ull);
	wr(&f, SBDF_A, 0x04, 2, 0x0001); /* IO on, memory off */
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_int_equal(mrd(&f, BAR0_BASE, sizes[i]),
		                 sizes[i] == 8 ? ~0ull : ones(sizes[i]));
		mwr(&f, BAR0_BASE, sizes[i], 0);
	}
	wr(&f, SBDF_A, 0x04, 2, 0x0002);
	assert_int_equal(mrd(&f, BAR0_BASE, 8), 0x0102030405060708ull);
	assert_int_equal(mrd(&f, 0x10000000u, 4), 0xffffffffu); /* nobody */
	fx_free(&f);
}

static void mmio_beyond_backed_reads_zero(void **state)
{
	static const struct {
		uint32_t backed;
		uint64_t off;     /* first unbacked byte */
	} rows[] = {
		{ 0, 64 * KiB },  /* default: min(size, 64 KiB) */
		{ 16, 16 },
		{ 6, 6 },         /* an 8-byte access half backed */
		{ 0xffffffffu, 1 * MiB }, /* more than the BAR: clamped */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint64_t lo = rows[i].off >= 8 ? rows[i].off - 8 : 0;
		uint64_t hi = rows[i].off + 8 < 1 * MiB ? rows[i].off + 8 : 1 * MiB;
		uint8_t cfg[256];
		struct pvhdev_fake_dev dev;
		struct fx f;

		mmio_dev(&dev, cfg, rows[i].backed);
		dev.bar_size[2] = 0; /* keeps the clamped case at 1 MiB of RAM */
		fx_new(&f, &dev, 1);
		for (uint64_t k = lo; k < hi; k++)
			mwr(&f, BAR0_BASE + k, 1, 0xff);
		for (uint64_t k = lo; k < hi; k++)
			assert_int_equal(mrd(&f, BAR0_BASE + k, 1),
			                 k < rows[i].off ? 0xff : 0);
		if (rows[i].off < 1 * MiB) /* backed bytes, then zeros */
			assert_int_equal(mrd(&f, BAR0_BASE + (rows[i].off & ~7ull), 8),
			                 (1ull << (8 * (rows[i].off & 7))) - 1);
		else /* past the BAR itself: nobody answers */
			assert_int_equal(mrd(&f, BAR0_BASE + rows[i].off, 8), ~0ull);
		fx_free(&f);
	}
}

static void mmio_rom_needs_enable(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev;
	struct fx f;

	(void)state;
	mmio_dev(&dev, cfg, 0);
	fx_new(&f, &dev, 1);
	assert_int_equal(mrd(&f, ROM_BASE, 2), 0xffff);
	wr(&f, SBDF_A, 0x30, 4, (uint32_t)ROM_BASE | 1);
	assert_int_equal(mrd(&f, ROM_BASE, 2), 0);
	mwr(&f, ROM_BASE, 2, 0xaa55); /* the fake lets tests seed a ROM */
	assert_int_equal(mrd(&f, ROM_BASE, 2), 0xaa55);
	assert_int_equal(mrd(&f, ROM_BASE + 64 * KiB, 2), 0xffff);
	wr(&f, SBDF_A, 0x04, 2, 0);   /* memory decode gates the ROM too */
	assert_int_equal(mrd(&f, ROM_BASE, 2), 0xffff);
	fx_free(&f);
}

/* ---- Enumeration ---- */

struct enum_log {
	pvhdev_sbdf_t seen[8];
	unsigned n, stop_at;
};

static int enum_cb(void *arg, pvhdev_sbdf_t sbdf)
{
	struct enum_log *l = arg;

	assert_true(l->n < ARRAY_SIZE(l->seen));
	l->seen[l->n++] = sbdf;
	return l->n == l->stop_at ? 42 : 0;
}

static void enumerate_order_and_stop(void **state)
{
	static const pvhdev_sbdf_t order[] = {
		PVHDEV_SBDF(0, 0, 0, 0), PVHDEV_SBDF(0, 0, 2, 0),
		PVHDEV_SBDF(0, 0, 2, 1), PVHDEV_SBDF(0, 0xff, 31, 7),
		PVHDEV_SBDF(1, 0, 0, 0),
	};
	static const unsigned shuffle[] = { 3, 4, 1, 0, 2 };
	struct pvhdev_fake_dev devs[5];
	struct enum_log l;
	struct fx f;

	(void)state;
	memset(devs, 0, sizeof(devs));
	for (size_t i = 0; i < 5; i++)
		devs[i].sbdf = order[shuffle[i]];
	fx_new(&f, devs, 5);
	memset(&l, 0, sizeof(l));
	assert_int_equal(pvhdev_fake_ops.enumerate(f.fake, enum_cb, &l), 0);
	assert_int_equal(l.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(l.seen[i], order[i]);
	memset(&l, 0, sizeof(l));
	l.stop_at = 3;
	assert_int_equal(pvhdev_fake_ops.enumerate(f.fake, enum_cb, &l), 42);
	assert_int_equal(l.n, 3);
	for (size_t i = 0; i < 5; i++) /* lookups work on the sorted copy */
		assert_int_equal(rd(&f, order[i], 0, 4), 0);
	assert_int_equal(pvhdev_fake_ops.enumerate(f.fake, NULL, &l), -EINVAL);
	fx_free(&f);
}

static void duplicate_sbdf_eexist(void **state)
{
	struct pvhdev_fake_dev devs[4];
	struct test_alloc a = { 0 };
	struct pvhdev_fake *fake = (struct pvhdev_fake *)&a;

	(void)state;
	memset(devs, 0, sizeof(devs));
	devs[0].sbdf = PVHDEV_SBDF(0, 0, 5, 0);
	devs[1].sbdf = PVHDEV_SBDF(0, 0, 1, 0);
	devs[2].sbdf = PVHDEV_SBDF(0, 0, 3, 0);
	devs[3].sbdf = PVHDEV_SBDF(0, 0, 5, 0);
	devs[3].bar_size[0] = 4 * KiB; /* a window to free as well */
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &a, devs, 4, &fake),
	                 -EEXIST);
	assert_null(fake);
	assert_int_equal(a.live_blocks, 0);
	assert_int_equal(a.live_bytes, 0);
}

/* ---- Creation errors ---- */

/* pvhdev_fake_new(); on failure asserts that nothing was allocated
 * (tables are checked first) and that *out became NULL. */
static int try_new(const struct pvhdev_alloc_ops *ops,
                   const struct pvhdev_fake_dev *devs, size_t nr, bool use_out)
{
	struct test_alloc a = { 0 };
	struct pvhdev_fake *fake = (struct pvhdev_fake *)&a; /* not NULL */
	int rc = pvhdev_fake_new(ops, &a, devs, nr, use_out ? &fake : NULL);

	if (rc) {
		assert_int_equal(a.calls, 0);
		if (use_out)
			assert_null(fake);
	} else {
		pvhdev_fake_free(fake);
	}
	assert_int_equal(a.live_blocks, 0);
	return rc;
}

static void new_rejects_bad_bars(void **state)
{
	static const struct {
		uint8_t hdr;      /* header type */
		uint32_t bar0;    /* initial BAR0 low bits */
		uint64_t bar_size[6];
		uint64_t rom_size;
		int expect;
	} rows[] = {
		{ 0, 0x0, { 3000 }, 0, -EINVAL },          /* not a power of two */
		{ 0, 0x0, { 8 }, 0, -EINVAL },             /* memory below 16 */
		{ 0, 0x1, { 2 }, 0, -EINVAL },             /* IO below 4 */
		{ 0, 0x1, { 4 * GiB }, 0, -EINVAL },       /* IO past 2 GiB */
		{ 0, 0x0, { 4 * GiB }, 0, -EINVAL },       /* 32-bit past 2 GiB */
		{ 0, 0x4, { 4 * KiB, 4 * KiB }, 0, -EINVAL }, /* size on the high half */
		{ 0, 0x0, { 0, 0, 0, 0, 0, 3000 }, 0, -EINVAL },
		{ 0, 0x0, { 0 }, 1 * KiB, -EINVAL },       /* ROM below 2 KiB */
		{ 0, 0x0, { 0 }, 3 * KiB, -EINVAL },
		{ 0, 0x0, { 0 }, 4 * GiB, -EINVAL },
		{ 1, 0x0, { 0, 0, 16 }, 0, -EINVAL },      /* bridges have 2 BARs */
		{ 2, 0x0, { 0 }, 2 * KiB, -EINVAL },       /* CardBus: no ROM */
		{ 0x7f, 0x0, { 16 }, 0, -EINVAL },         /* unknown header */
		{ 0, 0x4, { 1ull << 63 }, 0, 0 },          /* 64-bit: any power of two */
		{ 0x80, 0x0, { 16 }, 32 * KiB, 0 },        /* multi-function type 0 */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint8_t cfg[256];
		struct pvhdev_fake_dev dev = {
			.sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256,
			.rom_size = rows[i].rom_size,
		};

		ep_init(cfg);
		test_put(cfg, 0x0e, 1, rows[i].hdr);
		test_put(cfg, 0x10, 4, rows[i].bar0);
		memcpy(dev.bar_size, rows[i].bar_size, sizeof(dev.bar_size));
		assert_int_equal(try_new(&test_alloc_ops, &dev, 1, true),
		                 rows[i].expect);
	}
}

static void new_rejects_bad_args(void **state)
{
	static const struct pvhdev_fake_mask bad_masks[] = {
		{ 0x01, 2, 0, 0 }, { 0x00, 3, 0, 0 }, { 0x1000, 1, 0, 0 },
		{ 0xff8, 8, 0, 0 },
	};
	const struct pvhdev_alloc_ops no_free = { .alloc = test_alloc_ops.alloc };
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct pvhdev_fake_dev bad;

	(void)state;
	ep_init(cfg);
	bad = dev;
	bad.cfg_len = 4097;
	assert_int_equal(try_new(&test_alloc_ops, &bad, 1, true), -EINVAL);
	bad = dev;
	bad.cfg = NULL;
	assert_int_equal(try_new(&test_alloc_ops, &bad, 1, true), -EINVAL);
	bad = dev;
	bad.nr_masks = 1; /* masks NULL */
	assert_int_equal(try_new(&test_alloc_ops, &bad, 1, true), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_masks); i++) {
		bad.masks = &bad_masks[i];
		assert_int_equal(try_new(&test_alloc_ops, &bad, 1, true), -EINVAL);
	}
	assert_int_equal(try_new(NULL, &dev, 1, true), -EINVAL);
	assert_int_equal(try_new(&no_free, &dev, 1, true), -EINVAL);
	assert_int_equal(try_new(&test_alloc_ops, NULL, 1, true), -EINVAL);
	assert_int_equal(try_new(&test_alloc_ops, &dev, 1, false), -EINVAL);
	assert_int_equal(try_new(&test_alloc_ops, NULL, 0, true), 0);
	assert_int_equal(try_new(&test_alloc_ops, &dev, 1, true), 0);
}

/* ---- Native PCIe hotplug ---- */

#define HP_PORT1 PVHDEV_SBDF(0, 0, 0x1c, 0) /* secondary bus 1, reports DLL */
#define HP_PORT2 PVHDEV_SBDF(0, 0, 0x1c, 1) /* secondary bus 2, does not */
#define HP_EP1 PVHDEV_SBDF(0, 1, 0, 0)
#define HP_EP2 PVHDEV_SBDF(0, 2, 0, 0)
#define HP_BAR 0xfe000000u

/* A PCIe root port with a slot: PCIe capability at 0x40 (link status
 * 0x52, slot status 0x5a); link capabilities bit 20 when dll. */
static void hp_port_init(uint8_t *cfg, unsigned bus, bool dll)
{
	test_cfg_init(cfg, 0x1b36, 0x000c, 0x06040000, 0x01);
	test_put(cfg, 0x06, 2, 0x0010);
	test_put(cfg, 0x18, 4, bus << 16 | bus << 8);
	test_put(cfg, 0x34, 1, 0x40);
	test_put(cfg, 0x40, 4, 0x01420010); /* PCIe v2, root port, slot */
	test_put(cfg, 0x4c, 4, dll ? 0x00100011u : 0x00000011u);
	test_put(cfg, 0x54, 4, 0x00000060); /* slot cap: hot-plug surprise, capable */
}

/* An endpoint with a 16 KiB BAR 0 and MSI-X (4 entries, table at 0). */
static void hp_ep_init(uint8_t *cfg)
{
	test_cfg_init(cfg, 0x1af4, 0x1041, 0x02000001, 0x00);
	test_put(cfg, 0x06, 2, 0x0010);
	test_put(cfg, 0x34, 1, 0x40);
	test_put(cfg, 0x40, 4, 0x00030011); /* MSI-X, 4 entries */
	test_put(cfg, 0x44, 4, 0x00000000); /* table: BAR 0 + 0 */
	test_put(cfg, 0x48, 4, 0x00002000); /* PBA: BAR 0 + 0x2000 */
}

static void hp_devs(struct pvhdev_fake_dev devs[4], uint8_t cfg[4][256])
{
	hp_port_init(cfg[0], 1, true);
	hp_port_init(cfg[1], 2, false);
	hp_ep_init(cfg[2]);
	hp_ep_init(cfg[3]);
	memset(devs, 0, 4 * sizeof(*devs));
	devs[0] = (struct pvhdev_fake_dev){ .sbdf = HP_PORT1, .cfg = cfg[0], .cfg_len = 256 };
	devs[1] = (struct pvhdev_fake_dev){ .sbdf = HP_PORT2, .cfg = cfg[1], .cfg_len = 256 };
	for (unsigned i = 2; i < 4; i++) {
		devs[i].sbdf = i == 2 ? HP_EP1 : HP_EP2;
		devs[i].cfg = cfg[i];
		devs[i].cfg_len = 256;
		devs[i].bar_size[0] = 16 * KiB;
		devs[i].plugged_later = true;
	}
}

static void plugged_later_reads_absent(void **state)
{
	struct pvhdev_fake_dev devs[4];
	uint8_t cfg[4][256];
	struct enum_log l;
	struct fx f;

	(void)state;
	hp_devs(devs, cfg);
	fx_new(&f, devs, 4);
	assert_int_equal(rd(&f, HP_EP1, 0x00, 4), 0xffffffffu);
	assert_int_equal(rd(&f, HP_EP1, 0x04, 2), 0xffff);
	wr(&f, HP_EP1, 0x10, 4, HP_BAR);
	wr(&f, HP_EP1, 0x04, 2, 0x0006);
	assert_int_equal(rd(&f, HP_EP1, 0x04, 2), 0xffff);
	assert_int_equal(mrd(&f, HP_BAR + 12, 4), 0xffffffffu);
	assert_int_equal(pvhdev_fake_set_bits(f.fake, HP_EP1, 0x06, 2, 0x8000), -ENODEV);
	memset(&l, 0, sizeof(l));
	assert_int_equal(pvhdev_fake_ops.enumerate(f.fake, enum_cb, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.seen[0], HP_PORT1);
	assert_int_equal(l.seen[1], HP_PORT2);
	/* The empty slots as the table gave them. */
	assert_int_equal(rd(&f, HP_PORT1, 0x5a, 2), 0x0000);
	assert_int_equal(rd(&f, HP_PORT1, 0x52, 2), 0x0000);
	fx_free(&f);
}

static void plug_sets_slot_and_link_status(void **state)
{
	struct pvhdev_fake_dev devs[4];
	uint8_t cfg[4][256];
	struct enum_log l;
	struct fx f;

	(void)state;
	hp_devs(devs, cfg);
	fx_new(&f, devs, 4);
	assert_int_equal(pvhdev_fake_plug(f.fake, HP_EP1), 0);
	assert_int_equal(rd(&f, HP_EP1, 0x00, 4), 0x10411af4u);
	assert_int_equal(rd(&f, HP_EP1, 0x04, 2), 0x0000);
	/* Presence Detect State and Changed, DLL State Changed; DLL Link
	 * Active.  The other port's slot does not move. */
	assert_int_equal(rd(&f, HP_PORT1, 0x5a, 2), 0x0148);
	assert_int_equal(rd(&f, HP_PORT1, 0x52, 2), 0x2000);
	assert_int_equal(rd(&f, HP_PORT2, 0x5a, 2), 0x0000);
	/* pciehp clears the events (RW1C); the state bits stay. */
	wr(&f, HP_PORT1, 0x5a, 2, 0x0008);
	assert_int_equal(rd(&f, HP_PORT1, 0x5a, 2), 0x0140);
	wr(&f, HP_PORT1, 0x5a, 2, 0xffff);
	assert_int_equal(rd(&f, HP_PORT1, 0x5a, 2), 0x0040);
	wr(&f, HP_PORT1, 0x52, 2, 0xffff);
	assert_int_equal(rd(&f, HP_PORT1, 0x52, 2), 0x2000);
	/* A port without DLL Link Active Reporting: presence only. */
	assert_int_equal(pvhdev_fake_plug(f.fake, HP_EP2), 0);
	assert_int_equal(rd(&f, HP_PORT2, 0x5a, 2), 0x0048);
	assert_int_equal(rd(&f, HP_PORT2, 0x52, 2), 0x0000);
	memset(&l, 0, sizeof(l));
	assert_int_equal(pvhdev_fake_ops.enumerate(f.fake, enum_cb, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(pvhdev_fake_plug(f.fake, HP_EP1), -EEXIST);
	assert_int_equal(pvhdev_fake_plug(f.fake, PVHDEV_SBDF(0, 3, 0, 0)), -ENODEV);
	assert_int_equal(pvhdev_fake_plug(NULL, HP_EP1), -EINVAL);
	fx_free(&f);
}

/* Working after plug; gone after unplug; back from reset on a replug. */
static void unplug_and_replug(void **state)
{
	struct pvhdev_fake_dev devs[4];
	uint8_t cfg[4][256];
	struct fx f;

	(void)state;
	hp_devs(devs, cfg);
	fx_new(&f, devs, 4);
	assert_int_equal(pvhdev_fake_plug(f.fake, HP_EP1), 0);
	wr(&f, HP_PORT1, 0x5a, 2, 0x0108);
	wr(&f, HP_EP1, 0x10, 4, HP_BAR);
	wr(&f, HP_EP1, 0x04, 2, 0x0006);
	assert_int_equal(mrd(&f, HP_BAR + 12, 4), 1); /* entry 0 masked */
	mwr(&f, HP_BAR, 4, 0xfee00000u);
	mwr(&f, HP_BAR + 12, 4, 0);
	assert_int_equal(mrd(&f, HP_BAR, 4), 0xfee00000u);

	assert_int_equal(pvhdev_fake_unplug(f.fake, HP_EP1), 0);
	assert_int_equal(rd(&f, HP_EP1, 0x00, 4), 0xffffffffu);
	assert_int_equal(mrd(&f, HP_BAR, 4), 0xffffffffu);
	assert_int_equal(rd(&f, HP_PORT1, 0x5a, 2), 0x0108); /* PDS clear */
	assert_int_equal(rd(&f, HP_PORT1, 0x52, 2), 0x0000);
	assert_int_equal(pvhdev_fake_unplug(f.fake, HP_EP1), -ENODEV);
	assert_int_equal(pvhdev_fake_unplug(f.fake, PVHDEV_SBDF(0, 3, 0, 0)), -ENODEV);

	wr(&f, HP_PORT1, 0x5a, 2, 0x0108);
	assert_int_equal(pvhdev_fake_plug(f.fake, HP_EP1), 0);
	assert_int_equal(rd(&f, HP_PORT1, 0x5a, 2), 0x0148);
	assert_int_equal(rd(&f, HP_EP1, 0x04, 2), 0x0000);
	assert_int_equal(rd(&f, HP_EP1, 0x10, 4), 0x00000000);
	wr(&f, HP_EP1, 0x10, 4, HP_BAR);
	wr(&f, HP_EP1, 0x04, 2, 0x0002);
	assert_int_equal(mrd(&f, HP_BAR, 4), 0);
	assert_int_equal(mrd(&f, HP_BAR + 12, 4), 1);
	fx_free(&f);
}

/* ---- Failure injection ---- */

enum hook { H_CFG_READ, H_CFG_WRITE, H_MMIO_READ, H_MMIO_WRITE, H_ENUM };

static int no_enum(void *arg, pvhdev_sbdf_t sbdf)
{
	(void)sbdf;
	++*(unsigned *)arg;
	return 0;
}

/* Calls hook h once; returns what it returned and the value it read. */
static int call_hook(struct fx *f, enum hook h, uint64_t *val, unsigned *cb)
{
	uint32_t v32 = 0;
	int rc = 0;

	*val = 0;
	switch (h) {
	case H_CFG_READ:
		rc = pvhdev_fake_ops.cfg_read(f->fake, SBDF_A, 0x0c, 1, &v32);
		*val = v32;
		break;
	case H_CFG_WRITE:
		rc = pvhdev_fake_ops.cfg_write(f->fake, SBDF_A, 0x0c, 1, 0x10);
		break;
	case H_MMIO_READ:
		rc = pvhdev_fake_ops.mmio_read(f->fake, BAR0_BASE, 4, val);
		break;
	case H_MMIO_WRITE:
		rc = pvhdev_fake_ops.mmio_write(f->fake, BAR0_BASE, 4, 0x10);
		break;
	case H_ENUM:
		rc = pvhdev_fake_ops.enumerate(f->fake, no_enum, cb);
		break;
	}
	return rc;
}

static void fail_at_exact_call(void **state)
{
	static const struct {
		enum hook h;
		unsigned long n;
		int err;
		uint64_t val; /* what the failing call reads */
	} rows[] = {
		{ H_CFG_READ, 1, -EIO, 0xff },
		{ H_CFG_WRITE, 2, -EIO, 0 },
		{ H_MMIO_READ, 3, -ETIMEDOUT, 0xffffffffu },
		{ H_MMIO_WRITE, 1, -EIO, 0 },
		{ H_ENUM, 4, -EPROTO, 0 },
		{ H_CFG_READ, 5, 0, 0xff },   /* err 0 still fails: -EIO */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint8_t cfg[256];
		struct pvhdev_fake_dev dev;
		unsigned long before;
		unsigned cb = 0;
		uint64_t v;
		struct fx f;

		mmio_dev(&dev, cfg, 0);
		fx_new(&f, &dev, 1);
		pvhdev_fake_fail_at(f.fake, rows[i].n, rows[i].err);
		before = pvhdev_fake_calls(f.fake);
		for (unsigned long k = 1; k < rows[i].n; k++) /* other hooks pass */
			assert_int_equal(mrd(&f, 0, 1), 0xff);
		assert_int_equal(call_hook(&f, rows[i].h, &v, &cb),
		                 rows[i].err ? rows[i].err : -EIO);
		assert_int_equal(v, rows[i].val);
		assert_int_equal(cb, 0);
		assert_int_equal(pvhdev_fake_calls(f.fake), before + rows[i].n);
		/* Nothing happened, and the next call goes through. */
		assert_int_equal(rd(&f, SBDF_A, 0x0c, 1), 0);
		assert_int_equal(mrd(&f, BAR0_BASE, 4), 0);
		assert_int_equal(call_hook(&f, rows[i].h, &v, &cb), 0);
		fx_free(&f);
	}
}

static void fail_at_zero_disarms(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev;
	uint32_t v = 0;
	struct fx f;

	(void)state;
	mmio_dev(&dev, cfg, 0);
	fx_new(&f, &dev, 1);
	pvhdev_fake_fail_at(f.fake, 2, -EIO);
	pvhdev_fake_fail_at(f.fake, 0, -EIO);
	for (int k = 0; k < 4; k++)
		assert_int_equal(rd(&f, SBDF_A, 0, 2), 0x8086);
	/* The count is "from now": rearming later shifts it. */
	pvhdev_fake_fail_at(f.fake, 1, -EIO);
	pvhdev_fake_fail_at(f.fake, 2, -EIO);
	assert_int_equal(rd(&f, SBDF_A, 0, 2), 0x8086);
	assert_int_equal(pvhdev_fake_ops.cfg_read(f.fake, SBDF_A, 0, 2, &v), -EIO);
	assert_int_equal(v, 0xffff);
	fx_free(&f);
}

static void calls_counts_every_hook(void **state)
{
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev;
	unsigned cb = 0;
	uint64_t v;
	uint32_t v32;
	struct fx f;

	(void)state;
	mmio_dev(&dev, cfg, 0);
	fx_new(&f, &dev, 1);
	assert_int_equal(pvhdev_fake_calls(f.fake), 0);
	for (enum hook h = H_CFG_READ; h <= H_ENUM; h++)
		assert_int_equal(call_hook(&f, h, &v, &cb), 0);
	assert_int_equal(cb, 1);
	assert_int_equal(pvhdev_fake_calls(f.fake), 5);
	/* Malformed and absent accesses count; set_bits is not a hook. */
	assert_int_equal(pvhdev_fake_ops.cfg_read(f.fake, SBDF_B, 3, 3, &v32), 0);
	assert_int_equal(pvhdev_fake_ops.mmio_write(f.fake, 1, 8, 0), 0);
	assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x06, 2, 0x8000), 0);
	assert_int_equal(pvhdev_fake_calls(f.fake), 7);
	fx_free(&f);
}

static void alloc_failure_every_call(void **state)
{
	uint8_t a[256], b[4096], c[256];
	struct pvhdev_fake_dev devs[3];
	unsigned long n;

	(void)state;
	mmio_dev(&devs[0], a, 0);
	memset(b, 0, sizeof(b));
	pcie_ep_init(b);
	devs[1] = (struct pvhdev_fake_dev){
		.sbdf = SBDF_B, .cfg = b, .cfg_len = 4096, .bar_size = { 16 * KiB },
	};
	mmio_dev(&devs[2], c, 8);
	devs[2].sbdf = PVHDEV_SBDF(0, 1, 0, 0);
	for (n = 1;; n++) {
		struct test_alloc al = { .fail_at = n };
		struct pvhdev_fake *fake = (struct pvhdev_fake *)&al;
		int rc = pvhdev_fake_new(&test_alloc_ops, &al, devs, 3, &fake);

		assert_int_equal(al.live_blocks, rc ? 0 : al.calls);
		if (!rc) {
			pvhdev_fake_free(fake);
			assert_int_equal(al.live_blocks, 0);
			assert_int_equal(al.live_bytes, 0);
			break;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_null(fake);
		assert_int_equal(al.live_bytes, 0);
	}
	/* fake, cfg, table, 3 + 1 + 3 windows: every one failed once. */
	assert_int_equal(n, 1 + 2 + 7 + 1);
}

/* ---- Test controls and contract edges ---- */

static void set_bits_semantics(void **state)
{
	static const struct {
		pvhdev_sbdf_t sbdf;
		unsigned off, size;
		int expect;
	} rows[] = {
		{ SBDF_B, 0x06, 2, -ENODEV },
		{ SBDF_A, 0x07, 2, -EINVAL },
		{ SBDF_A, 0x06, 3, -EINVAL },
		{ SBDF_A, 0x100, 4, -EINVAL },
		{ SBDF_A, 0xfffffffcu, 4, -EINVAL },
		{ SBDF_A, 0x06, 2, 0 },
	};
	uint8_t cfg[256];
	struct pvhdev_fake_dev dev = { .sbdf = SBDF_A, .cfg = cfg, .cfg_len = 256 };
	struct fx f;

	(void)state;
	ep_init(cfg);
	fx_new(&f, &dev, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		assert_int_equal(pvhdev_fake_set_bits(f.fake, rows[i].sbdf,
		                                      rows[i].off, rows[i].size,
		                                      0x0008),
		                 rows[i].expect);
	assert_int_equal(rd(&f, SBDF_A, 0x06, 2), 0x0008); /* a RO bit */
	assert_int_equal(pvhdev_fake_set_bits(f.fake, SBDF_A, 0x00, 2, 0x7000), 0);
	assert_int_equal(rd(&f, SBDF_A, 0x00, 2), 0xf086);
	assert_int_equal(pvhdev_fake_set_bits(NULL, SBDF_A, 0, 1, 1), -EINVAL);
	assert_int_equal(pvhdev_fake_calls(f.fake), 2);
	fx_free(&f);
}

static void null_arguments_do_not_crash(void **state)
{
	uint64_t v = 0;
	uint32_t v32 = 0;
	unsigned cb = 0;
	struct fx f;

	(void)state;
	assert_int_equal(pvhdev_fake_ops.cfg_read(NULL, 0, 0, 4, &v32), -EINVAL);
	assert_int_equal(pvhdev_fake_ops.cfg_write(NULL, 0, 0, 4, 0), -EINVAL);
	assert_int_equal(pvhdev_fake_ops.mmio_read(NULL, 0, 4, &v), -EINVAL);
	assert_int_equal(pvhdev_fake_ops.mmio_write(NULL, 0, 4, 0), -EINVAL);
	assert_int_equal(pvhdev_fake_ops.enumerate(NULL, no_enum, &cb), -EINVAL);
	assert_null(pvhdev_fake_ops.close);
	assert_string_equal(pvhdev_fake_ops.name, "fake");
	pvhdev_fake_free(NULL);
	pvhdev_fake_fail_at(NULL, 1, -EIO);
	assert_int_equal(pvhdev_fake_calls(NULL), 0);
	fx_new(&f, NULL, 0);
	assert_int_equal(pvhdev_fake_ops.cfg_read(f.fake, 0, 0, 4, NULL), -EINVAL);
	assert_int_equal(pvhdev_fake_ops.mmio_read(f.fake, 0, 4, NULL), -EINVAL);
	fx_free(&f);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(absent_device_reads_all_ones),
	cmocka_unit_test(bad_access_reads_all_ones),
	cmocka_unit_test(ro_header_ignores_writes),
	cmocka_unit_test(command_rw_mask),
	cmocka_unit_test(status_rw1c),
	cmocka_unit_test(misc_rw_registers),
	cmocka_unit_test(bar32_sizing),
	cmocka_unit_test(bar64_sizing),
	cmocka_unit_test(io_bar_sizing),
	cmocka_unit_test(rom_sizing_and_enable),
	cmocka_unit_test(bar_unimplemented),
	cmocka_unit_test(bar64_last_slot_invalid),
	cmocka_unit_test(type1_header_layout),
	cmocka_unit_test(type1_64bit_bar_pair),
	cmocka_unit_test(msi_masks),
	cmocka_unit_test(msix_masks),
	cmocka_unit_test(pcie_masks),
	cmocka_unit_test(pcie_port_masks),
	cmocka_unit_test(sriov_masks),
	cmocka_unit_test(vf_config_space),
	cmocka_unit_test(vf_without_msix),
	cmocka_unit_test(vf_memory_and_life),
	cmocka_unit_test(vf_enable_out_of_memory),
	cmocka_unit_test(vf_template),
	cmocka_unit_test(cap_lists_bounded),
	cmocka_unit_test(ext_space_absent_when_short),
	cmocka_unit_test(ext_space_present_when_long),
	cmocka_unit_test(mask_overrides),
	cmocka_unit_test(mmio_rw_inside_bar),
	cmocka_unit_test(msix_table_starts_masked),
	cmocka_unit_test(mmio_follows_bar_move),
	cmocka_unit_test(mmio_decode_off_reads_all_ones),
	cmocka_unit_test(mmio_beyond_backed_reads_zero),
	cmocka_unit_test(mmio_rom_needs_enable),
	cmocka_unit_test(enumerate_order_and_stop),
	cmocka_unit_test(plugged_later_reads_absent),
	cmocka_unit_test(plug_sets_slot_and_link_status),
	cmocka_unit_test(unplug_and_replug),
	cmocka_unit_test(duplicate_sbdf_eexist),
	cmocka_unit_test(new_rejects_bad_bars),
	cmocka_unit_test(new_rejects_bad_args),
	cmocka_unit_test(fail_at_exact_call),
	cmocka_unit_test(fail_at_zero_disarms),
	cmocka_unit_test(calls_counts_every_hook),
	cmocka_unit_test(alloc_failure_every_call),
	cmocka_unit_test(set_bits_semantics),
	cmocka_unit_test(null_arguments_do_not_crash),
};

PVHDEV_TEST_MAIN("fake", tests)
