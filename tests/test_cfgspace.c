/* SPDX-License-Identifier: MIT */
/*
 * The config-space dispatcher: register table, split/merge, masks,
 * verdicts, invalid registrations.  One fake function at 00:01.0 whose
 * bytes 0x40..0xff hold their own offset, so any byte that reaches the
 * hardware is recognisable.
 */
#include "helpers.h"

#include <string.h>

#include "core/core.h"

#define DEV PVHDEV_SBDF(0, 0, 1, 0)

/* A register's backing store, seen by its handlers. */
struct treg {
	uint32_t val;
	unsigned reads, writes;
	uint32_t last_write;
	enum pvhdev_verdict rv, wv;
};

struct fx {
	struct test_dom t;
	struct pvhdev_dev *dev;
	uint8_t cfg[256];
	struct treg r[8];
};

static enum pvhdev_verdict t_read(struct pvhdev_dev *dev,
                                  const struct pvhdev_reg *reg, uint32_t *val)
{
	struct treg *r = reg->opaque;

	(void)dev;
	r->reads++;
	*val = r->val;
	return r->rv;
}

static enum pvhdev_verdict t_write(struct pvhdev_dev *dev,
                                   const struct pvhdev_reg *reg, uint32_t val)
{
	struct treg *r = reg->opaque;

	(void)dev;
	r->writes++;
	r->last_write = val;
	if (r->wv == PVHDEV_DONE)
		r->val = val;
	return r->wv;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	test_cfg_init(f->cfg, 0x8086, 0x1234, 0x02000001, 0);
	for (unsigned i = 0x40; i < 0x100; i++)
		f->cfg[i] = (uint8_t)i;
	struct pvhdev_fake_dev d = { .sbdf = DEV, .cfg = f->cfg, .cfg_len = 256 };
	assert_int_equal(test_dom_init(&f->t, &d, 1), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, DEV, &f->dev), 0);
	test_events_skip(&f->t);
	*state = f;
	return 0;
}


/* Adds a DONE/DONE register backed by f->r[i]. */
static void add_reg(struct fx *f, unsigned i, unsigned off, unsigned size,
                    uint32_t val)
{
	struct pvhdev_reg reg = {
		.off = (uint16_t)off, .size = (uint8_t)size,
		.read = t_read, .write = t_write, .opaque = &f->r[i],
	};
	f->r[i].val = val;
	assert_int_equal(pvhdev_reg_add(f->dev, &reg), 0);
}

static void add_masked(struct fx *f, unsigned i, unsigned off, unsigned size,
                       uint32_t val, const uint32_t masks[4])
{
	struct pvhdev_reg reg = {
		.off = (uint16_t)off, .size = (uint8_t)size,
		.ro_mask = masks[0], .rw1c_mask = masks[1],
		.rsvdp_mask = masks[2], .rsvdz_mask = masks[3],
		.read = t_read, .write = t_write, .opaque = &f->r[i],
	};
	f->r[i].val = val;
	assert_int_equal(pvhdev_reg_add(f->dev, &reg), 0);
}

static uint32_t rd(struct fx *f, unsigned off, unsigned size)
{
	return test_cfg_read(&f->t, DEV, off, size);
}

static void wr(struct fx *f, unsigned off, unsigned size, uint32_t val)
{
	test_cfg_write(&f->t, DEV, off, size, val);
}

/* Every width at every offset of a 4-byte register. */
static void test_read_every_width(void **state)
{
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 4, 0xddccbbaa);
	for (unsigned size = 1; size <= 4; size *= 2) {
		for (unsigned off = 0; off < 4; off += size) {
			uint32_t want = (0xddccbbaau >> (8 * off)) &
			                (uint32_t)((1ull << (8 * size)) - 1);
			assert_int_equal(rd(f, 0x40 + off, size), want);
		}
	}
	assert_int_equal(f->r[0].reads, 7);
	expect_events(&f->t, "");
}

/* A partial write merges with the current value before the handler sees
 * it; the handler always gets the whole register. */
static void test_write_every_width(void **state)
{
	static const struct {
		unsigned off, size;
		uint32_t val, want;
	} cases[] = {
		{ 0, 1, 0x11, 0xddccbb11 }, { 1, 1, 0x22, 0xddcc22aa },
		{ 2, 1, 0x33, 0xdd33bbaa }, { 3, 1, 0x44, 0x44ccbbaa },
		{ 0, 2, 0x5566, 0xddcc5566 }, { 2, 2, 0x7788, 0x7788bbaa },
		{ 0, 4, 0x01020304, 0x01020304 },
	};
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 4, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f->r[0].val = 0xddccbbaa;
		wr(f, 0x40 + cases[i].off, cases[i].size, cases[i].val);
		assert_int_equal(f->r[0].last_write, cases[i].want);
		assert_int_equal(rd(f, 0x40, 4), cases[i].want);
	}
	expect_events(&f->t, "");
}

/* 1-, 1- and 2-byte registers read together as one dword. */
static void test_read_across_registers(void **state)
{
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 1, 0x11);
	add_reg(f, 1, 0x41, 1, 0x22);
	add_reg(f, 2, 0x42, 2, 0x4433);
	assert_int_equal(rd(f, 0x40, 4), 0x44332211);
	assert_int_equal(rd(f, 0x40, 2), 0x2211);
	assert_int_equal(rd(f, 0x42, 2), 0x4433);
	assert_int_equal(f->r[0].reads + f->r[1].reads + f->r[2].reads, 6);
}

static void test_write_across_registers(void **state)
{
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 1, 0);
	add_reg(f, 1, 0x41, 1, 0);
	add_reg(f, 2, 0x42, 2, 0);
	wr(f, 0x40, 4, 0xa1b2c3d4);
	assert_int_equal(f->r[0].val, 0xd4);
	assert_int_equal(f->r[1].val, 0xc3);
	assert_int_equal(f->r[2].val, 0xa1b2);
	expect_events(&f->t, "");
}

/* Gaps between registers are the hardware's: bytes 0x41..0x42 come from
 * the device, which holds its own offsets there. */
static void test_read_register_and_gaps(void **state)
{
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 1, 0xaa);
	add_reg(f, 1, 0x43, 1, 0xbb);
	assert_int_equal(rd(f, 0x40, 4), 0xbb4241aa);
	assert_int_equal(rd(f, 0x42, 2), 0xbb42);
	/* A register in the middle, gaps on both sides. */
	add_reg(f, 2, 0x4a, 1, 0xcc);
	assert_int_equal(rd(f, 0x48, 4), 0x4bcc4948);
}

/* The XSA-128 shape: one write covering an emulated register and a
 * pass-through field.  The handler gets its part, the rest goes to the
 * hardware in naturally aligned pieces. */
static void test_write_register_and_gap(void **state)
{
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 2, 0);
	wr(f, 0x40, 4, 0x12345678);
	assert_int_equal(f->r[0].val, 0x5678);
	expect_events(&f->t, "hw-write 0000:00:01.0 0x42 2 0x1234\n");

	add_reg(f, 1, 0x4a, 1, 0);
	wr(f, 0x48, 4, 0xa1b2c3d4);
	assert_int_equal(f->r[1].val, 0xb2);
	expect_events(&f->t, "hw-write 0000:00:01.0 0x48 2 0xc3d4\n"
	                     "hw-write 0000:00:01.0 0x4b 1 0xa1\n");
}

/* Nothing registered: the access goes to the hardware as it is. */
static void test_passthrough_without_registers(void **state)
{
	struct fx *f = *state;

	assert_int_equal(rd(f, 0x00, 4), 0x12348086);
	assert_int_equal(rd(f, 0x44, 4), 0x47464544);
	assert_int_equal(rd(f, 0x45, 1), 0x45);
	wr(f, 0x60, 4, 0xcafef00d);
	expect_events(&f->t, "hw-write 0000:00:01.0 0x60 4 0xcafef00d\n");
}

static void test_ro_mask(void **state)
{
	static const uint32_t m[4] = { 0xff00ff00, 0, 0, 0 };
	struct fx *f = *state;

	add_masked(f, 0, 0x40, 4, 0x11223344, m);
	wr(f, 0x40, 4, 0xffffffff);
	assert_int_equal(f->r[0].val, 0x11ff33ff);
	wr(f, 0x41, 1, 0x00);
	assert_int_equal(f->r[0].val, 0x11ff33ff);
	wr(f, 0x40, 1, 0x00);
	assert_int_equal(f->r[0].val, 0x11ff3300);
}

/* RW1C: a 1 clears, a 0 leaves, and bytes the guest did not write never
 * clear (the handler sees 0 there). */
static void test_rw1c_mask(void **state)
{
	static const uint32_t m[4] = { 0, 0xf900, 0, 0 };
	struct fx *f = *state;

	add_masked(f, 0, 0x46, 2, 0xf910, m);
	/* A whole-register write: the handler clears exactly bit 8. */
	wr(f, 0x46, 2, 0x0110);
	assert_int_equal(f->r[0].last_write, 0x0110);
	/* Byte 0 only: the set RW1C bits of byte 1 reach the handler as 0. */
	f->r[0].val = 0xf910;
	wr(f, 0x46, 1, 0x10);
	assert_int_equal(f->r[0].last_write, 0x0010);
	/* Byte 1 with 0s clears nothing and keeps byte 0's RW bit. */
	f->r[0].val = 0xf910;
	wr(f, 0x47, 1, 0x00);
	assert_int_equal(f->r[0].last_write, 0x0010);
	f->r[0].val = 0xf910;
	wr(f, 0x47, 1, 0x09);
	assert_int_equal(f->r[0].last_write, 0x0910);
}

/* RsvdP reads 0 and keeps the current value on write. */
static void test_rsvdp_mask(void **state)
{
	static const uint32_t m[4] = { 0, 0, 0xf0, 0 };
	struct fx *f = *state;

	add_masked(f, 0, 0x40, 1, 0xa5, m);
	assert_int_equal(rd(f, 0x40, 1), 0x05);
	wr(f, 0x40, 1, 0x0a);
	assert_int_equal(f->r[0].val, 0xaa);
	assert_int_equal(rd(f, 0x40, 1), 0x0a);
}

/* RsvdZ reads 0 and is written as 0. */
static void test_rsvdz_mask(void **state)
{
	static const uint32_t m[4] = { 0, 0, 0, 0xff000000 };
	struct fx *f = *state;

	add_masked(f, 0, 0x40, 4, 0x77123456, m);
	assert_int_equal(rd(f, 0x40, 4), 0x00123456);
	wr(f, 0x40, 4, 0xffffffff);
	assert_int_equal(f->r[0].val, 0x00ffffff);
}

/* All four masks on one register, written with a byte at each offset. */
static void test_all_masks_bytewise(void **state)
{
	static const uint32_t m[4] = { 0x000000ff, 0x0000ff00, 0x00ff0000, 0xff000000 };
	struct fx *f = *state;

	add_masked(f, 0, 0x40, 4, 0x12345678, m);
	assert_int_equal(rd(f, 0x40, 4), 0x00005678);
	wr(f, 0x40, 1, 0xff); /* RO byte: kept */
	assert_int_equal(f->r[0].last_write, 0x00340078);
	f->r[0].val = 0x12345678;
	wr(f, 0x41, 1, 0x06); /* RW1C byte: writes 0x06 to clear */
	assert_int_equal(f->r[0].last_write, 0x00340678);
	f->r[0].val = 0x12345678;
	wr(f, 0x42, 1, 0xff); /* RsvdP: kept */
	assert_int_equal(f->r[0].last_write, 0x00340078);
	f->r[0].val = 0x12345678;
	wr(f, 0x43, 1, 0xff); /* RsvdZ: zero */
	assert_int_equal(f->r[0].last_write, 0x00340078);
}

/* PASS sends the register to the hardware, REJECT answers like nothing
 * is there. */
static void test_verdicts(void **state)
{
	struct fx *f = *state;

	add_reg(f, 0, 0x50, 4, 0xdeadbeef);
	f->r[0].rv = PVHDEV_PASS;
	f->r[0].wv = PVHDEV_PASS;
	assert_int_equal(rd(f, 0x50, 4), 0x53525150);
	assert_int_equal(rd(f, 0x52, 1), 0x52);
	wr(f, 0x50, 2, 0xabcd);
	/* The merged register goes out whole. */
	expect_events(&f->t, "hw-write 0000:00:01.0 0x50 4 0x5352abcd\n");

	f->r[0].rv = PVHDEV_REJECT;
	f->r[0].wv = PVHDEV_REJECT;
	assert_int_equal(rd(f, 0x50, 4), 0xffffffff);
	assert_int_equal(rd(f, 0x51, 1), 0xff);
	wr(f, 0x50, 4, 0);
	expect_events(&f->t, "");
}

/* NULL handlers read all-ones and drop writes, without a NULL check on
 * the access path. */
static void test_null_handlers(void **state)
{
	struct fx *f = *state;
	struct pvhdev_reg reg = { .off = 0x40, .size = 4 };

	assert_int_equal(pvhdev_reg_add(f->dev, &reg), 0);
	assert_int_equal(rd(f, 0x40, 4), 0xffffffff);
	assert_int_equal(rd(f, 0x42, 2), 0xffff);
	wr(f, 0x40, 4, 0x1234);
	expect_events(&f->t, "");
}

static void test_invalid_registrations(void **state)
{
	static const struct {
		uint16_t off;
		uint8_t size;
		uint32_t ro, rw1c, rsvdp, rsvdz;
		int want;
	} cases[] = {
		{ 0x40, 3, 0, 0, 0, 0, -EINVAL },       /* size */
		{ 0x40, 0, 0, 0, 0, 0, -EINVAL },
		{ 0x40, 8, 0, 0, 0, 0, -EINVAL },
		{ 0x41, 2, 0, 0, 0, 0, -EINVAL },       /* misaligned */
		{ 0x42, 4, 0, 0, 0, 0, -EINVAL },
		{ 0x1000, 1, 0, 0, 0, 0, -EINVAL },     /* past 4 KiB */
		{ 0x40, 1, 0x100, 0, 0, 0, -EINVAL },   /* mask wider than size */
		{ 0x40, 2, 0, 0x10000, 0, 0, -EINVAL },
		{ 0x40, 4, 1, 1, 0, 0, -EINVAL },       /* masks overlap */
		{ 0x40, 4, 0, 0, 2, 2, -EINVAL },
		{ 0x40, 4, 0, 4, 0, 4, -EINVAL },
		{ 0xffc, 4, 0, 0, 0, 0, 0 },            /* last dword is fine */
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvhdev_reg reg = {
			.off = cases[i].off, .size = cases[i].size,
			.ro_mask = cases[i].ro, .rw1c_mask = cases[i].rw1c,
			.rsvdp_mask = cases[i].rsvdp, .rsvdz_mask = cases[i].rsvdz,
		};
		assert_int_equal(pvhdev_reg_add(f->dev, &reg), cases[i].want);
	}
}

/* Overlap in every shape is -EEXIST; touching is fine. */
static void test_overlap_rejected(void **state)
{
	static const struct {
		uint16_t off;
		uint8_t size;
		int want;
	} cases[] = {
		{ 0x40, 4, -EEXIST }, { 0x40, 1, -EEXIST }, { 0x43, 1, -EEXIST },
		{ 0x42, 2, -EEXIST }, { 0x3c, 4, 0 }, { 0x44, 4, 0 },
		{ 0x3e, 2, -EEXIST }, { 0x46, 1, -EEXIST },
	};
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 4, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvhdev_reg reg = { .off = cases[i].off, .size = cases[i].size };
		assert_int_equal(pvhdev_reg_add(f->dev, &reg), cases[i].want);
	}
}

static void test_remove(void **state)
{
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 4, 0x11111111);
	add_reg(f, 1, 0x44, 2, 0x2222);
	add_reg(f, 2, 0x48, 1, 0x33);
	assert_int_equal(pvhdev_reg_remove(f->dev, 0x40, 2), -ENOENT);
	assert_int_equal(pvhdev_reg_remove(f->dev, 0x42, 4), -ENOENT);
	assert_int_equal(pvhdev_reg_remove(f->dev, 0x4c, 4), -ENOENT);
	assert_int_equal(pvhdev_reg_remove(f->dev, 0x2000, 4), -ENOENT);
	/* Removing the first moves the last into its id: both must still
	 * answer, and the removed range is the hardware's again. */
	assert_int_equal(pvhdev_reg_remove(f->dev, 0x40, 4), 0);
	assert_int_equal(rd(f, 0x40, 4), 0x43424140);
	assert_int_equal(rd(f, 0x44, 2), 0x2222);
	assert_int_equal(rd(f, 0x48, 1), 0x33);
	assert_int_equal(pvhdev_reg_remove(f->dev, 0x40, 4), -ENOENT);
	add_reg(f, 3, 0x40, 2, 0x4444);
	assert_int_equal(rd(f, 0x40, 4), 0x43424444);
}

/* Xen vPCI's range removal: whole registers inside the range go; a
 * register straddling an end refuses the whole call; an empty range, or
 * one holding no register, is fine. */
static void test_remove_range(void **state)
{
	static const struct {
		unsigned off, size;
		int want;
		unsigned left; /* registers 0x40/4, 0x44/2, 0x48/1 still there, bits */
	} cases[] = {
		{ 0x42, 4, -ERANGE, 7 },  /* straddles 0x40's end */
		{ 0x44, 1, -ERANGE, 7 },  /* half of 0x44 */
		{ 0x4c, 4, 0, 7 },        /* nothing there */
		{ 0x40, 0, 0, 7 },        /* empty */
		{ 0x44, 4, 0, 1 | 4 },    /* 0x44 only */
		{ 0x3c, 0x10, 0, 0 },     /* the rest */
		{ 0xffc, 8, -EINVAL, 0 }, /* past config space */
	};
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 4, 0x11111111);
	add_reg(f, 1, 0x44, 2, 0x2222);
	add_reg(f, 2, 0x48, 1, 0x33);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(pvhdev_reg_remove_range(f->dev, cases[i].off, cases[i].size),
		                 cases[i].want);
		/* A removed register's bytes are the hardware's again. */
		assert_int_equal(rd(f, 0x40, 4), cases[i].left & 1 ? 0x11111111 : 0x43424140);
		assert_int_equal(rd(f, 0x44, 2), cases[i].left & 2 ? 0x2222 : 0x4544);
		assert_int_equal(rd(f, 0x48, 1), cases[i].left & 4 ? 0x33 : 0x48);
	}
}

/* PVHDEV_MAX_REGS per device, whoever registered them (the BAR module
 * already trapped the command register). */
static void test_too_many_registers(void **state)
{
	struct fx *f = *state;
	struct pvhdev_reg reg = { .size = 4 };
	unsigned i = 0;

	while (f->dev->nr_regs < PVHDEV_MAX_REGS) {
		reg.off = (uint16_t)(0x100 + 4 * i++);
		assert_int_equal(pvhdev_reg_add(f->dev, &reg), 0);
	}
	assert_true(i > 200);
	reg.off = 0x40;
	assert_int_equal(pvhdev_reg_add(f->dev, &reg), -ENOSPC);
}

/* 64 registers: every one found at every byte. */
static void test_many_registers_lookup(void **state)
{
	struct fx *f = *state;
	static struct treg regs[64];

	/* 48 dwords fill 0x40..0xff; the other 16 go to extended space. */
	for (unsigned i = 0; i < 64; i++) {
		struct pvhdev_reg reg = {
			.off = (uint16_t)(i < 48 ? 0x40 + 4 * i : 0x200 + 4 * i),
			.size = 4, .read = t_read, .write = t_write, .opaque = &regs[i],
		};
		memset(&regs[i], 0, sizeof(regs[i]));
		regs[i].val = 0x01010101u * i;
		assert_int_equal(pvhdev_reg_add(f->dev, &reg), 0);
	}
	for (unsigned i = 0; i < 64; i++) {
		unsigned off = i < 48 ? 0x40 + 4 * i : 0x200 + 4 * i;
		for (unsigned b = 0; b < 4; b++)
			assert_int_equal(rd(f, off + b, 1), i);
	}
}

/* Malformed accesses get the hardware's answer and reach nothing. */
static void test_bad_accesses(void **state)
{
	static const struct {
		unsigned off, size;
	} cases[] = {
		{ 0x40, 3 }, { 0x41, 2 }, { 0x42, 4 }, { 0x41, 4 }, { 0x1000, 1 },
		{ 0xfff, 2 }, { 0x40, 0 }, { 0x40, 8 },
	};
	struct fx *f = *state;

	add_reg(f, 0, 0x40, 4, 0x12345678);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 0;
		unsigned size = cases[i].size;
		assert_int_equal(pvhdev_cfg_read(f->t.dom, DEV, cases[i].off, size, &v), 0);
		if (size == 1 || size == 2 || size == 4)
			assert_int_equal(v, size == 4 ? 0xffffffff : (1u << (8 * size)) - 1);
		assert_int_equal(pvhdev_cfg_write(f->t.dom, DEV, cases[i].off, size, 0), 0);
	}
	assert_int_equal(f->r[0].reads + f->r[0].writes, 0);
	expect_events(&f->t, "");
}

/* A device the domain never added is the hardware's (dom0 sees it
 * as it is); an absent one reads all-ones from the hardware. */
static void test_unknown_device_passthrough(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	test_events_skip(&f->t);
	assert_int_equal(rd(f, 0x00, 4), 0x12348086);
	wr(f, 0x60, 1, 0x5a);
	expect_events(&f->t, "hw-write 0000:00:01.0 0x60 1 0x5a\n");
	assert_int_equal(test_cfg_read(&f->t, PVHDEV_SBDF(0, 3, 0, 0), 0, 4), 0xffffffff);
}

/* Hidden devices read as absent and nothing reaches them. */
static void test_hidden_device(void **state)
{
	struct fx *f = *state;
	struct pvhdev_reg reg = { .off = 0x40, .size = 4 };

	assert_int_equal(pvhdev_dev_hide(f->t.dom, DEV), 0);
	assert_true(pvhdev_dev_hidden(f->dev));
	assert_int_equal(rd(f, 0x00, 4), 0xffffffff);
	assert_int_equal(rd(f, 0x44, 2), 0xffff);
	wr(f, 0x04, 2, 0x0006);
	expect_events(&f->t, "");
	assert_int_equal(pvhdev_reg_add(f->dev, &reg), -EPERM);
	/* Hiding before add: the device is known, hidden, and adding it
	 * later keeps it hidden. */
	assert_int_equal(pvhdev_dev_hide(f->t.dom, PVHDEV_SBDF(0, 0, 2, 0)), 0);
	assert_int_equal(test_cfg_read(&f->t, PVHDEV_SBDF(0, 0, 2, 0), 0, 4), 0xffffffff);
}

/* A backend failure surfaces as the API error, the guest sees ones. */
static void test_backend_error(void **state)
{
	struct fx *f = *state;
	uint32_t v = 0;

	add_reg(f, 0, 0x40, 2, 0x1234);
	pvhdev_fake_fail_at(f->t.fake, 1, -EIO);
	assert_int_equal(pvhdev_cfg_read(f->t.dom, DEV, 0x40, 4, &v), -EIO);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(rd(f, 0x40, 4), 0x43421234);
	pvhdev_fake_fail_at(f->t.fake, 1, -EIO);
	assert_int_equal(pvhdev_cfg_write(f->t.dom, DEV, 0x60, 4, 1), -EIO);
}

/* Handlers reach the hardware through the dispatcher, and it shows. */
static void test_handler_hw_access(void **state)
{
	struct fx *f = *state;
	uint32_t v;

	assert_int_equal(pvhdev_dev_hw_read(f->dev, 0x44, 2, &v), 0);
	assert_int_equal(v, 0x4544);
	assert_int_equal(pvhdev_dev_hw_write(f->dev, 0x0c, 1, 0x10), 0);
	expect_events(&f->t, "hw-write 0000:00:01.0 0xc 1 0x10\n");
	assert_int_equal(pvhdev_dev_hw_read(f->dev, 0x0c, 1, &v), 0);
	assert_int_equal(v, 0x10);
}

/* Registers in extended space index like the rest. */
static void test_extended_registers(void **state)
{
	struct fx *f = *state;

	add_reg(f, 0, 0x100, 4, 0xaabbccdd);
	add_reg(f, 1, 0xffc, 4, 0x11223344);
	assert_int_equal(rd(f, 0x100, 4), 0xaabbccdd);
	assert_int_equal(rd(f, 0xffe, 2), 0x1122);
	wr(f, 0xfff, 1, 0x99);
	assert_int_equal(f->r[1].val, 0x99223344);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_read_every_width, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_write_every_width, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_read_across_registers, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_write_across_registers, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_read_register_and_gaps, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_write_register_and_gap, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_passthrough_without_registers, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_ro_mask, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_rw1c_mask, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_rsvdp_mask, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_rsvdz_mask, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_all_masks_bytewise, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_verdicts, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_null_handlers, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_invalid_registrations, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_overlap_rejected, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_remove, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_remove_range, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_too_many_registers, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_many_registers_lookup, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_bad_accesses, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_unknown_device_passthrough, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_hidden_device, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_backend_error, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_handler_hw_access, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_extended_registers, setup, test_teardown),
};

PVHDEV_TEST_MAIN("cfgspace", tests)
