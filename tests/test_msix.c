/* SPDX-License-Identifier: MIT */
/*
 * MSI-X: the capability, the table and PBA in MMIO, bindings, what
 * reaches the hardware, and the trap following the BAR.  One fake
 * function at 00:04.0 with a 64 KiB memory BAR0 at 0xe0000000 and an
 * MSI-X capability at 0x70; by default 8 entries with the table at BAR0
 * + 0x2000 and the PBA at BAR0 + 0x3000 (each case may change that).
 * The device's table starts as after reset: every entry masked.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <pvhdev/dump.h>
#include <pvhdev/irq.h>

#include "core/core.h"
#include "msix/msix.h"

#define DEV PVHDEV_SBDF(0, 0, 4, 0)
#define S "0000:00:04.0"
#define CAP 0x70
#define BAR 0xe0000000ull
#define T (BAR + 0x2000) /* the table */
#define PBA (BAR + 0x3000)

struct layout {
	uint16_t ctrl;         /* message control as the device has it */
	uint32_t table, pba;   /* offset | BIR registers */
	uint32_t bar_lo[6];    /* initial BAR registers */
	uint64_t bar_size[6];
};

static const struct layout dflt = {
	.ctrl = 0x0007, .table = 0x2000, .pba = 0x3000,
	.bar_lo = { 0xe0000000 }, .bar_size = { 0x10000 },
};

struct fx {
	struct test_dom t;
	uint8_t cfg[256];
	struct pvhdev_fake_dev d;
	struct pvhdev_dev *dev;
	char add_log[sizeof(((struct test_dom *)0)->log)]; /* what device add logged */
	unsigned refuse_nth, binds; /* the hook refuses the n-th bind */
};

static int fx_effect(void *ctx, const struct pvhdev_event *ev)
{
	struct fx *f = ctx;

	if (ev->kind == PVHDEV_EV_MSIX_BIND && ++f->binds == f->refuse_nth)
		return -EPERM;
	return 0;
}

static void fx_domain(struct fx *f, const struct pvhdev_fake_dev *devs, size_t nr)
{
	const struct pvhdev_hooks hooks = { .size = sizeof(hooks), .effect = fx_effect };

	assert_int_equal(test_dom_init_hooks(&f->t, devs, nr, &hooks, f), 0);
}

/* Adds sbdf; keeps what the add logged in add_log and starts the event
 * and log marks after it. */
static void fx_add(struct fx *f, pvhdev_sbdf_t sbdf)
{
	assert_int_equal(pvhdev_dev_add(f->t.dom, sbdf), 0);
	assert_int_equal(pvhdev_dev_get(f->t.dom, sbdf, &f->dev), 0);
	snprintf(f->add_log, sizeof(f->add_log), "%s", f->t.log);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
}

static struct fx *fx_new(void **state, const struct layout *l)
{
	struct fx *f = calloc(1, sizeof(*f));

	*state = f;
	test_cfg_init(f->cfg, 0x8086, 0x1234, 0x02000001, 0);
	test_put(f->cfg, 0x06, 2, 0x0010); /* status: capability list */
	test_put(f->cfg, 0x34, 1, CAP);
	for (unsigned i = 0; i < 6; i++)
		test_put(f->cfg, 0x10 + 4 * i, 4, l->bar_lo[i]);
	test_put(f->cfg, CAP, 2, 0x0011); /* MSI-X, last in the list */
	test_put(f->cfg, CAP + 2, 2, l->ctrl);
	test_put(f->cfg, CAP + 4, 4, l->table);
	test_put(f->cfg, CAP + 8, 4, l->pba);
	f->d = (struct pvhdev_fake_dev){ .sbdf = DEV, .cfg = f->cfg, .cfg_len = 256 };
	memcpy(f->d.bar_size, l->bar_size, sizeof(f->d.bar_size));
	fx_domain(f, &f->d, 1);
	fx_add(f, DEV);
	return f;
}


static uint32_t rd(struct fx *f, unsigned off, unsigned size)
{
	return test_cfg_read(&f->t, DEV, off, size);
}

static void wr(struct fx *f, unsigned off, unsigned size, uint32_t val)
{
	test_cfg_write(&f->t, DEV, off, size, val);
}

static uint64_t mrd(struct fx *f, uint64_t addr, unsigned size)
{
	uint64_t v = 0;

	assert_int_equal(pvhdev_mmio_read(f->t.dom, addr, size, &v), 0);
	return v;
}

static void mwr(struct fx *f, uint64_t addr, unsigned size, uint64_t val)
{
	assert_int_equal(pvhdev_mmio_write(f->t.dom, addr, size, val), 0);
}

/* The device's memory, behind pvhdev's back. */
static uint64_t hw(struct fx *f, uint64_t addr, unsigned size)
{
	uint64_t v = 0;

	assert_int_equal(pvhdev_fake_ops.mmio_read(f->t.fake, addr, size, &v), 0);
	return v;
}

/* The device's config space. */
static uint32_t hwc(struct fx *f, unsigned off, unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(pvhdev_fake_ops.cfg_read(f->t.fake, DEV, off, size, &v), 0);
	return v;
}

static void hw_set(struct fx *f, uint64_t addr, unsigned size, uint64_t val)
{
	assert_int_equal(pvhdev_fake_ops.mmio_write(f->t.fake, addr, size, val), 0);
}

/* Memory decoding on (the BAR module maps BAR0 and tells MSI-X), and
 * the device's table as after reset: every entry masked. */
static void decode_on(struct fx *f, unsigned entries)
{
	wr(f, 0x04, 2, 0x0002);
	for (unsigned i = 0; i < entries; i++)
		hw_set(f, T + 16 * i + 12, 4, 1);
	test_events_skip(&f->t);
}

static void program(struct fx *f, unsigned i, uint32_t addr, uint32_t data)
{
	mwr(f, T + 16 * i, 4, addr);
	mwr(f, T + 16 * i + 4, 4, 0);
	mwr(f, T + 16 * i + 8, 4, data);
}

static void unmask(struct fx *f, unsigned i)
{
	mwr(f, T + 16 * i + 12, 4, 0);
}

static void mask(struct fx *f, unsigned i)
{
	mwr(f, T + 16 * i + 12, 4, 1);
}

#define expect_log(f, text) assert_string_equal((f)->t.log, text)

/* Enabled, function unmasked, decoding, entries 0..n-1 bound to
 * 0xfee01000 / 0x40 + i. */
static void bound(struct fx *f, unsigned n)
{
	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0x8000);
	for (unsigned i = 0; i < n; i++) {
		program(f, i, 0xfee01000, 0x40 + i);
		unmask(f, i);
	}
	test_events_skip(&f->t);
}

/* ---- Capability registers ---- */

static void test_registers(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	assert_int_equal(rd(f, CAP, 4), 0x00070011);
	assert_int_equal(rd(f, CAP + 4, 4), 0x2000);
	assert_int_equal(rd(f, CAP + 8, 4), 0x3000);
	wr(f, CAP + 4, 4, 0x12345678);
	wr(f, CAP + 8, 4, 0x12345678);
	wr(f, CAP + 2, 2, 0x3fff); /* size and reserved bits: nothing */
	expect_events(&f->t, "");
	assert_int_equal(rd(f, CAP + 4, 4), 0x2000);
	assert_int_equal(rd(f, CAP + 2, 2), 0x0007);
	assert_string_equal(f->add_log, "");
}

/* Every width at every offset of the capability. */
static void test_read_every_width(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	uint8_t want[12];

	wr(f, CAP + 2, 2, 0xc000);
	test_events_skip(&f->t);
	test_put(want, 0, 4, 0xc0070011);
	test_put(want, 4, 4, 0x2000);
	test_put(want, 8, 4, 0x3000);
	for (unsigned size = 1; size <= 4; size *= 2)
		for (unsigned off = 0; off < sizeof(want); off += size) {
			uint32_t v = 0;
			memcpy(&v, want + off, size);
			assert_int_equal(rd(f, CAP + off, size), v);
		}
	expect_events(&f->t, "");
}

/* The table and PBA pages are holes in the identity map, trapped only
 * while the BAR decodes; the rest of the BAR is mapped. */
static void test_holes_and_traps(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	struct pvhdev_p2m_range r;
	uint64_t v;

	assert_int_equal(f->dev->nr_holes, 2);
	assert_int_equal(f->dev->holes[0].bir, 0);
	assert_int_equal(f->dev->holes[0].off, 0x2000);
	assert_int_equal(f->dev->holes[0].size, 0x1000);
	assert_int_equal(f->dev->holes[1].off, 0x3000);
	assert_int_equal(f->dev->holes[1].size, 0x1000);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, T, 4, &v), -ENXIO);
	decode_on(f, 8);
	assert_int_equal(mrd(f, T + 12, 4), 1);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xe0002, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xe0003, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xe0001, &r), 0);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xe0004, &r), 0);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, BAR + 0x1000, 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, BAR + 0x4000, 4, &v), -ENXIO);
}

/* ---- Binding ---- */

/* Linux's msix_capability_init: enable with the function masked, then
 * for each entry mask, write the message and unmask; then clear the
 * function mask.  Everything binds at that last write. */
static void test_linux_sequence(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0xc007);
	expect_events(&f->t, "hw-write " S " 0x72 2 0xc007\n");
	for (unsigned i = 0; i < 2; i++) {
		mask(f, i);
		program(f, i, 0xfee01000 + 0x1000 * i, 0x4041 + i);
		unmask(f, i);
	}
	expect_events(&f->t, "");
	assert_int_equal(hw(f, T, 4), 0);
	wr(f, CAP + 2, 2, 0x8007);
	expect_events(&f->t,
	              "msix-bind " S " 0 0xfee01000 0x4041 dest=0x1 vector=0x41 fixed\n"
	              "hw-mmio-write 0xe0002000 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002004 4 0x0\n"
	              "hw-mmio-write 0xe0002008 4 0x4041\n"
	              "hw-mmio-write 0xe000200c 4 0x0\n"
	              "msix-bind " S " 1 0xfee02000 0x4042 dest=0x2 vector=0x42 fixed\n"
	              "hw-mmio-write 0xe0002010 4 0xfee02000\n"
	              "hw-mmio-write 0xe0002014 4 0x0\n"
	              "hw-mmio-write 0xe0002018 4 0x4042\n"
	              "hw-mmio-write 0xe000201c 4 0x0\n"
	              "hw-write " S " 0x72 2 0x8007\n");
	assert_int_equal(rd(f, CAP + 2, 2), 0x8007);
	assert_int_equal(hw(f, T + 0x1c, 4), 0);
	assert_int_equal(hw(f, T + 0x2c, 4), 1); /* entry 2: never bound */
	expect_log(f, "");
}

/* Enabled and not function-masked: unmasking an entry binds it. */
static void test_unmask_binds(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0x8000);
	test_events_skip(&f->t);
	program(f, 3, 0xfee0f000, 0x0133);
	expect_events(&f->t, "");
	unmask(f, 3);
	expect_events(&f->t,
	              "msix-bind " S " 3 0xfee0f000 0x133 dest=0xf vector=0x33 lowest\n"
	              "hw-mmio-write 0xe0002030 4 0xfee0f000\n"
	              "hw-mmio-write 0xe0002034 4 0x0\n"
	              "hw-mmio-write 0xe0002038 4 0x133\n"
	              "hw-mmio-write 0xe000203c 4 0x0\n");
	assert_int_equal(mrd(f, T + 0x3c, 4), 0);
	/* Unmasking again changes nothing. */
	unmask(f, 3);
	expect_events(&f->t, "");
}

/* Masking a bound entry is a mask effect; unmasking it again (message
 * unchanged) is the reverse. */
static void test_mask_unmask(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	bound(f, 1);
	mask(f, 0);
	expect_events(&f->t, "msix-mask " S " 0 1\n"
	                     "hw-mmio-write 0xe000200c 4 0x1\n");
	assert_int_equal(mrd(f, T + 12, 4), 1);
	mask(f, 0);
	expect_events(&f->t, "");
	unmask(f, 0);
	expect_events(&f->t, "msix-mask " S " 0 0\n"
	                     "hw-mmio-write 0xe000200c 4 0x0\n");
}

/* Address/data writes are stored and take effect at the next unmask:
 * the binding keeps the old message until then. */
static void test_write_takes_effect_at_unmask(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	struct pvhdev_irq_binding b;

	bound(f, 1);
	mwr(f, T + 8, 4, 0x0051);
	mwr(f, T, 4, 0xfee03000);
	expect_events(&f->t, "");
	assert_int_equal(mrd(f, T + 8, 4), 0x51);
	assert_int_equal(hw(f, T + 8, 4), 0x40);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 0, &b), 0);
	assert_int_equal(b.data, 0x40);
	mask(f, 0);
	expect_events(&f->t, "msix-mask " S " 0 1\n"
	                     "hw-mmio-write 0xe000200c 4 0x1\n");
	unmask(f, 0);
	expect_events(&f->t,
	              "msix-unbind " S " 0\n"
	              "msix-bind " S " 0 0xfee03000 0x51 dest=0x3 vector=0x51 fixed\n"
	              "hw-mmio-write 0xe0002000 4 0xfee03000\n"
	              "hw-mmio-write 0xe0002004 4 0x0\n"
	              "hw-mmio-write 0xe0002008 4 0x51\n"
	              "hw-mmio-write 0xe000200c 4 0x0\n");
}

/* The function mask goes to the device; bindings stay.  Clearing it
 * rebinds only the entries whose message changed meanwhile. */
static void test_function_mask(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	bound(f, 2);
	wr(f, CAP + 2, 2, 0xc000);
	expect_events(&f->t, "hw-write " S " 0x72 2 0xc007\n");
	mwr(f, T + 0x18, 4, 0x0061);
	wr(f, CAP + 2, 2, 0x8000);
	expect_events(&f->t,
	              "msix-unbind " S " 1\n"
	              "hw-mmio-write 0xe000201c 4 0x1\n"
	              "msix-bind " S " 1 0xfee01000 0x61 dest=0x1 vector=0x61 fixed\n"
	              "hw-mmio-write 0xe0002010 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002014 4 0x0\n"
	              "hw-mmio-write 0xe0002018 4 0x61\n"
	              "hw-mmio-write 0xe000201c 4 0x0\n"
	              "hw-write " S " 0x72 2 0x8007\n");
}

/* An entry unmasked while the function is masked binds when the
 * function mask clears, not before. */
static void test_unmask_under_function_mask(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0xc000);
	test_events_skip(&f->t);
	program(f, 5, 0xfee01000, 0x45);
	unmask(f, 5);
	expect_events(&f->t, "");
	wr(f, CAP + 2, 2, 0x8000);
	expect_events(&f->t,
	              "msix-bind " S " 5 0xfee01000 0x45 dest=0x1 vector=0x45 fixed\n"
	              "hw-mmio-write 0xe0002050 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002054 4 0x0\n"
	              "hw-mmio-write 0xe0002058 4 0x45\n"
	              "hw-mmio-write 0xe000205c 4 0x0\n"
	              "hw-write " S " 0x72 2 0x8007\n");
}

/* Entries unmasked while MSI-X is off bind when it is enabled. */
static void test_enable_binds_unmasked(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	program(f, 7, 0xfee01000, 0x47);
	unmask(f, 7);
	expect_events(&f->t, "");
	wr(f, CAP + 2, 2, 0x8000);
	expect_events(&f->t,
	              "msix-bind " S " 7 0xfee01000 0x47 dest=0x1 vector=0x47 fixed\n"
	              "hw-mmio-write 0xe0002070 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002074 4 0x0\n"
	              "hw-mmio-write 0xe0002078 4 0x47\n"
	              "hw-mmio-write 0xe000207c 4 0x0\n"
	              "hw-write " S " 0x72 2 0x8007\n");
}

/* Disabling unbinds every bound entry, masked or not, and masks them
 * in the device before turning MSI-X off there. */
static void test_disable_unbinds_all(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	bound(f, 3);
	mask(f, 1);
	test_events_skip(&f->t);
	wr(f, CAP + 2, 2, 0x0000);
	expect_events(&f->t, "msix-unbind " S " 0\n"
	                     "hw-mmio-write 0xe000200c 4 0x1\n"
	                     "msix-unbind " S " 1\n"
	                     "msix-unbind " S " 2\n"
	                     "hw-mmio-write 0xe000202c 4 0x1\n"
	                     "hw-write " S " 0x72 2 0x7\n");
	/* Enabled again, the unmasked entries bind again. */
	wr(f, CAP + 2, 2, 0x8000);
	expect_events(&f->t,
	              "msix-bind " S " 0 0xfee01000 0x40 dest=0x1 vector=0x40 fixed\n"
	              "hw-mmio-write 0xe0002000 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002004 4 0x0\n"
	              "hw-mmio-write 0xe0002008 4 0x40\n"
	              "hw-mmio-write 0xe000200c 4 0x0\n"
	              "msix-bind " S " 2 0xfee01000 0x42 dest=0x1 vector=0x42 fixed\n"
	              "hw-mmio-write 0xe0002020 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002024 4 0x0\n"
	              "hw-mmio-write 0xe0002028 4 0x42\n"
	              "hw-mmio-write 0xe000202c 4 0x0\n"
	              "hw-write " S " 0x72 2 0x8007\n");
}

/* A bad address fails the bind (logged) and keeps the entry; a good
 * one binds at the next unmask. */
static void test_bad_address(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0x8000);
	test_events_skip(&f->t);
	program(f, 0, 0xfec00000, 0x41);
	unmask(f, 0);
	expect_events(&f->t, "");
	expect_log(f, S ": MSI-X: entry 0: address 0xfec00000 is not an interrupt "
	              "address (0xfeexxxxx): not bound\n");
	assert_int_equal(mrd(f, T + 12, 4), 0);
	assert_int_equal(hw(f, T + 12, 4), 1);
	mwr(f, T, 4, 0xfee00000);
	mask(f, 0);
	expect_events(&f->t, "");
	unmask(f, 0);
	expect_events(&f->t,
	              "msix-bind " S " 0 0xfee00000 0x41 dest=0x0 vector=0x41 fixed\n"
	              "hw-mmio-write 0xe0002000 4 0xfee00000\n"
	              "hw-mmio-write 0xe0002004 4 0x0\n"
	              "hw-mmio-write 0xe0002008 4 0x41\n"
	              "hw-mmio-write 0xe000200c 4 0x0\n");
}

/* The hypervisor programs the table, so binding needs it decoding. */
static void test_bind_needs_decoding(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0xc000);
	program(f, 0, 0xfee00000, 0x41);
	unmask(f, 0);
	wr(f, 0x04, 2, 0x0000);
	test_events_skip(&f->t);
	wr(f, CAP + 2, 2, 0x8000);
	expect_events(&f->t, "hw-write " S " 0x72 2 0x8007\n");
	expect_log(f, S ": MSI-X: entry 0: table in BAR 0 not decoding: not bound\n");
	wr(f, 0x04, 2, 0x0002);
	wr(f, CAP + 2, 2, 0xc000);
	test_events_skip(&f->t);
	wr(f, CAP + 2, 2, 0x8000);
	expect_events(&f->t,
	              "msix-bind " S " 0 0xfee00000 0x41 dest=0x0 vector=0x41 fixed\n"
	              "hw-mmio-write 0xe0002000 4 0xfee00000\n"
	              "hw-mmio-write 0xe0002004 4 0x0\n"
	              "hw-mmio-write 0xe0002008 4 0x41\n"
	              "hw-mmio-write 0xe000200c 4 0x0\n"
	              "hw-write " S " 0x72 2 0x8007\n");
}

/* ---- Table accesses ---- */

/* 8-byte accesses: address as one qword; data and vector control as
 * one qword, whose mask bit acts after the data is stored. */
static void test_qword_access(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0x8000);
	test_events_skip(&f->t);
	mwr(f, T + 0x10, 8, 0x00000000fee02000ull);
	mwr(f, T + 0x18, 8, 0x0000000000004052ull); /* data, unmask */
	expect_events(&f->t,
	              "msix-bind " S " 1 0xfee02000 0x4052 dest=0x2 vector=0x52 fixed\n"
	              "hw-mmio-write 0xe0002010 4 0xfee02000\n"
	              "hw-mmio-write 0xe0002014 4 0x0\n"
	              "hw-mmio-write 0xe0002018 4 0x4052\n"
	              "hw-mmio-write 0xe000201c 4 0x0\n");
	assert_int_equal(mrd(f, T + 0x10, 8), 0xfee02000ull);
	assert_int_equal(mrd(f, T + 0x18, 8), 0x4052ull);
	assert_int_equal(mrd(f, T + 0x08, 8), 0x100000000ull); /* entry 0 */
	mwr(f, T + 0x18, 8, 0x0000000100004052ull);
	expect_events(&f->t, "msix-mask " S " 1 1\n"
	                     "hw-mmio-write 0xe000201c 4 0x1\n");
}

/* 1- and 2-byte accesses to the table: reads all-ones, writes dropped. */
static void test_small_access_refused(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	bound(f, 1);
	for (unsigned off = 0; off < 16; off++) {
		assert_int_equal(mrd(f, T + off, 1), 0xff);
		mwr(f, T + off, 1, 0);
	}
	for (unsigned off = 0; off < 16; off += 2) {
		assert_int_equal(mrd(f, T + off, 2), 0xffff);
		mwr(f, T + off, 2, 0);
	}
	expect_events(&f->t, "");
	assert_int_equal(mrd(f, T, 4), 0xfee01000);
	assert_int_equal(mrd(f, T + 12, 4), 0);
}

/* Misaligned accesses never reach the table. */
static void test_misaligned_refused(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	bound(f, 1);
	assert_int_equal(mrd(f, T + 2, 4), 0xffffffff);
	assert_int_equal(mrd(f, T + 4, 8), ~0ull);
	mwr(f, T + 10, 4, 0);
	mwr(f, T + 12, 8, 0);
	expect_events(&f->t, "");
	assert_int_equal(mrd(f, T + 8, 8), 0x40);
}

/* Past the last entry is not an entry (the XSA-164 class): bytes there
 * are the device's, read and written as they are, and no entry state
 * is touched. */
static void test_past_last_entry(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	struct pvhdev_irq_binding b;

	bound(f, 1);
	hw_set(f, T + 0x80, 4, 0x11223344);
	assert_int_equal(mrd(f, T + 0x80, 4), 0x11223344);
	mwr(f, T + 0x8c, 4, 0); /* "entry 8" vector control */
	mwr(f, T + 0x80, 8, 0xdeadbeefcafef00dull);
	mwr(f, T + 0xffc, 4, 0x1);
	mwr(f, T + 0xfff, 1, 0x2);
	expect_events(&f->t, "hw-mmio-write 0xe000208c 4 0x0\n"
	                     "hw-mmio-write 0xe0002080 8 0xdeadbeefcafef00d\n"
	                     "hw-mmio-write 0xe0002ffc 4 0x1\n"
	                     "hw-mmio-write 0xe0002fff 1 0x2\n");
	assert_int_equal(mrd(f, T + 0x80, 8), 0xdeadbeefcafef00dull);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 8, &b), -ERANGE);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 7, &b), 0);
	assert_true(b.guest_masked);
	assert_false(b.bound);
}

/* The PBA is the device's: read from it, and dom0's writes reach it as
 * Xen forwards them for the hardware domain (the spec leaves a write's
 * effect undefined; it is the device's to ignore). */
static void test_pba(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	hw_set(f, PBA, 8, 0x5);
	assert_int_equal(mrd(f, PBA, 8), 0x5);
	assert_int_equal(mrd(f, PBA, 4), 0x5);
	mwr(f, PBA + 4, 4, 0x3);
	mwr(f, PBA, 8, 0x100000004ull);
	mwr(f, PBA + 2, 2, 0x7);
	expect_events(&f->t, "hw-mmio-write 0xe0003004 4 0x3\n"
	                     "hw-mmio-write 0xe0003000 8 0x100000004\n"
	                     "hw-mmio-write 0xe0003002 2 0x7\n");
	assert_int_equal(hw(f, PBA, 8), 0x100070004ull);
	assert_int_equal(pvhdev_check_invariants(f->t.dom, NULL, 0), 0);
	/* Past the PBA, on its page: the device's. */
	mwr(f, PBA + 8, 4, 0x1);
	expect_events(&f->t, "hw-mmio-write 0xe0003008 4 0x1\n");
	assert_int_equal(mrd(f, PBA + 8, 4), 0x1);
}

/* Table and PBA on one page with device registers: one trap, one hole;
 * the registers and the PBA are forwarded at any width. */
static void test_shared_page(void **state)
{
	struct layout l = dflt;
	struct fx *f;

	l.pba = 0x2800;
	f = fx_new(state, &l);
	assert_int_equal(f->dev->nr_holes, 1);
	assert_int_equal(f->dev->holes[0].off, 0x2000);
	assert_int_equal(f->dev->holes[0].size, 0x1000);
	decode_on(f, 8);
	hw_set(f, T + 0x100, 4, 0xa5a5a5a5);
	assert_int_equal(mrd(f, T + 0x100, 4), 0xa5a5a5a5);
	assert_int_equal(mrd(f, T + 0x101, 1), 0xa5);
	mwr(f, T + 0x100, 2, 0x1234);
	mwr(f, T + 0x900, 4, 0x5678);
	expect_events(&f->t, "hw-mmio-write 0xe0002100 2 0x1234\n"
	                     "hw-mmio-write 0xe0002900 4 0x5678\n");
	assert_int_equal(hw(f, T + 0x100, 4), 0xa5a51234);
	hw_set(f, T + 0x800, 8, 0x3);
	assert_int_equal(mrd(f, T + 0x800, 8), 0x3);
	mwr(f, T + 0x800, 8, 0);
	expect_events(&f->t, "hw-mmio-write 0xe0002800 8 0x0\n");
	assert_int_equal(hw(f, T + 0x800, 8), 0);
}

/* ---- The trap follows the BAR ---- */

static void test_bar_moves(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	const uint64_t nt = 0xd0000000ull + 0x2000;
	struct pvhdev_p2m_range r;
	uint64_t v;

	bound(f, 1);
	/* Entry 1's data, stored: the access path knows these pages now. */
	mwr(f, T + 0x18, 4, 0x77);
	wr(f, 0x04, 2, 0x0000);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, T, 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, T + 0x18, 4, 0x88), -ENXIO);
	wr(f, 0x10, 4, 0xd0000000);
	wr(f, 0x04, 2, 0x0002);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, T, 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, T + 0x18, 4, 0x99), -ENXIO);
	assert_int_equal(mrd(f, nt, 4), 0xfee01000);
	assert_int_equal(mrd(f, nt + 0x18, 4), 0x77);
	mwr(f, nt + 0x18, 4, 0x78);
	assert_int_equal(mrd(f, nt + 0x18, 4), 0x78);
	expect_events(&f->t, "");
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0002, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xd0000, &r), 0);
	/* The binding stayed; the device's table moved with the BAR. */
	mwr(f, nt + 12, 4, 1);
	expect_events(&f->t, "msix-mask " S " 0 1\n"
	                     "hw-mmio-write 0xd000200c 4 0x1\n");
	mwr(f, nt + 0x100, 4, 7);
	expect_events(&f->t, "hw-mmio-write 0xd0002100 4 0x7\n");
}

/* After boot, mapping is deferred: the trap appears when the BAR's
 * work is drained, together with the mapping.  The command write
 * allocates nothing: the claims on the MSI-X pages came with the
 * device, the p2m's records come with the work. */
static void test_deferred_mapping(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	bool more = true;
	uint64_t v;

	f->t.dom->booted = true; /* as pvhdev_domain_boot() leaves it */
	unsigned long calls = f->t.alloc.calls;
	wr(f, 0x04, 2, 0x0002);
	assert_int_equal(f->t.alloc.calls, calls);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, T, 4, &v), -ENXIO);
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, &more), 0);
	assert_false(more);
	assert_int_equal(mrd(f, T + 12, 4), 1);
	wr(f, 0x04, 2, 0x0000);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, T, 4, &v), -ENXIO);
	assert_int_equal(pvhdev_process_pending(f->t.dom, 0, &more), 0);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, T, 4, &v), -ENXIO);
}

/* ---- Layouts that get no MSI-X ---- */

/* The capability reads as a Null Capability and cannot be enabled. */
static void expect_no_msix(struct fx *f)
{
	struct pvhdev_irq_binding b;

	assert_int_equal(rd(f, CAP, 2), 0x0000);
	assert_int_equal(rd(f, CAP + 2, 2), 0x0000);
	wr(f, CAP + 2, 2, 0x8000);
	expect_events(&f->t, "");
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 0, &b), -ENOENT);
	assert_int_equal(f->dev->nr_holes, 0);
}

static void test_bir_missing_bar(void **state)
{
	struct layout l = dflt;
	struct fx *f;

	l.table = 0x2002;
	f = fx_new(state, &l);
	assert_string_equal(f->add_log,
	                    S ": MSI-X: table BIR 2 names no memory BAR: no MSI-X\n");
	expect_no_msix(f);
}

static void test_bir_io_bar(void **state)
{
	struct layout l = dflt;
	struct fx *f;

	l.bar_lo[1] = 0xe001;
	l.bar_size[1] = 32;
	l.pba = 0x0001;
	f = fx_new(state, &l);
	assert_string_equal(f->add_log,
	                    S ": MSI-X: PBA BIR 1 names no memory BAR: no MSI-X\n");
	expect_no_msix(f);
}

static void test_bir_reserved(void **state)
{
	struct layout l = dflt;
	struct fx *f;

	l.table = 0x2007;
	f = fx_new(state, &l);
	assert_string_equal(f->add_log,
	                    S ": MSI-X: table BIR 7 names no memory BAR: no MSI-X\n");
	expect_no_msix(f);
}

static void test_table_does_not_fit(void **state)
{
	struct layout l = dflt;
	struct fx *f;

	l.ctrl = 0x07ff; /* 2048 entries: 32 KiB */
	l.table = 0xc000;
	f = fx_new(state, &l);
	assert_string_equal(f->add_log, S ": MSI-X: table (0x8000 bytes at 0xc000) "
	                                  "does not fit BAR 0 (0x10000 bytes): no MSI-X\n");
	expect_no_msix(f);
}

static void test_pba_overlaps_table(void **state)
{
	struct layout l = dflt;
	struct fx *f;

	l.pba = 0x2078;
	f = fx_new(state, &l);
	assert_string_equal(f->add_log, S ": MSI-X: table and PBA overlap: no MSI-X\n");
	expect_no_msix(f);
}

/* ---- Masking: dom0's and the host's (the XSA-129 class) ---- */

static void test_host_mask(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	struct pvhdev_irq_binding b;

	bound(f, 1);
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, DEV, 0, true), 0);
	expect_events(&f->t, "msix-mask " S " 0 1\n"
	                     "hw-mmio-write 0xe000200c 4 0x1\n");
	assert_int_equal(mrd(f, T + 12, 4), 0);
	/* dom0 cannot undo it: masking and unmasking leave the device masked. */
	mask(f, 0);
	unmask(f, 0);
	expect_events(&f->t, "");
	assert_int_equal(hw(f, T + 12, 4), 1);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 0, &b), 0);
	assert_true(b.bound);
	assert_true(b.host_masked);
	assert_false(b.guest_masked);
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, DEV, 0, false), 0);
	expect_events(&f->t, "msix-mask " S " 0 0\n"
	                     "hw-mmio-write 0xe000200c 4 0x0\n");
	/* Host mask of an unbound entry: state only. */
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, DEV, 5, true), 0);
	expect_events(&f->t, "");
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, DEV, 8, true), -ERANGE);
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, PVHDEV_SBDF(0, 0, 5, 0), 0,
	                                       true), -ENODEV);
}

/* A binding made while the host masks the entry stays masked. */
static void test_bind_under_host_mask(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0x8000);
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, DEV, 2, true), 0);
	test_events_skip(&f->t);
	program(f, 2, 0xfee01000, 0x42);
	unmask(f, 2);
	expect_events(&f->t,
	              "msix-bind " S " 2 0xfee01000 0x42 dest=0x1 vector=0x42 fixed\n"
	              "hw-mmio-write 0xe0002020 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002024 4 0x0\n"
	              "hw-mmio-write 0xe0002028 4 0x42\n");
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, DEV, 2, false), 0);
	expect_events(&f->t, "msix-mask " S " 2 0\n"
	                     "hw-mmio-write 0xe000202c 4 0x0\n");
}

/* Reserved bits of the device's vector control are preserved. */
static void test_vector_control_reserved_bits(void **state)
{
	struct fx *f = fx_new(state, &dflt);

	decode_on(f, 8);
	hw_set(f, T + 12, 4, 0xabcd0001);
	wr(f, CAP + 2, 2, 0x8000);
	test_events_skip(&f->t);
	program(f, 0, 0xfee01000, 0x40);
	unmask(f, 0);
	expect_events(&f->t,
	              "msix-bind " S " 0 0xfee01000 0x40 dest=0x1 vector=0x40 fixed\n"
	              "hw-mmio-write 0xe0002000 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002004 4 0x0\n"
	              "hw-mmio-write 0xe0002008 4 0x40\n"
	              "hw-mmio-write 0xe000200c 4 0xabcd0000\n");
	assert_int_equal(mrd(f, T + 12, 4), 0); /* dom0 sees bit 0 only */
}

/* ---- The hypervisor's word, queries, lifetime ---- */

static void test_hook_refuses_bind(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	struct pvhdev_irq_binding b;

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0x8000);
	test_events_skip(&f->t);
	f->refuse_nth = 1;
	program(f, 0, 0xfee01000, 0x40);
	unmask(f, 0);
	expect_events(&f->t, "msix-bind " S " 0 0xfee01000 0x40 dest=0x1 "
	                     "vector=0x40 fixed refused=-1\n");
	expect_log(f, S ": MSI-X: entry 0: refused by the hypervisor: not bound\n");
	assert_int_equal(hw(f, T + 12, 4), 1);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 0, &b), 0);
	assert_false(b.bound);
	/* Masking an unbound entry is no effect. */
	mask(f, 0);
	expect_events(&f->t, "");
}

static void test_binding_query(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	struct pvhdev_irq_binding b;

	bound(f, 2);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 1, &b), 0);
	assert_true(b.bound);
	assert_false(b.guest_masked);
	assert_int_equal(b.addr, 0xfee01000);
	assert_int_equal(b.data, 0x41);
	assert_int_equal(b.dest, 1);
	assert_int_equal(b.vector, 0x41);
	assert_int_equal(b.delivery, 0);
	mwr(f, T + 0x10, 4, 0x12345678);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 1, &b), 0);
	assert_int_equal(b.addr, 0xfee01000); /* the binding's, until unmask */
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 2, &b), 0);
	assert_false(b.bound);
	assert_true(b.guest_masked);
}

/* Removing the device releases the entries and the traps, and leaves
 * it quiet: its bound entries masked and MSI-X off in the device
 * (issue 14, F5). */
static void test_dev_remove(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	uint64_t v;

	bound(f, 2);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	const char *ev = test_events(&f->t);
	const char *want = "msix-unbind " S " 0\n"
	                   "hw-mmio-write 0xe000200c 4 0x1\n"
	                   "msix-unbind " S " 1\n"
	                   "hw-mmio-write 0xe000201c 4 0x1\n"
	                   "hw-write " S " 0x72 2 0x7\n";
	assert_memory_equal(ev, want, strlen(want));
	assert_non_null(strstr(ev, "dev-remove " S "\n"));
	assert_int_equal(pvhdev_mmio_read(f->t.dom, T, 4, &v), -ENXIO);
	assert_int_equal(hw(f, T + 12, 4), 1);
	assert_int_equal(hw(f, T + 16 + 12, 4), 1);
}

/* A table whose BAR decodes is trapped at once, and the same device
 * added again at the same address gets fresh traps: nothing of the
 * first add's (freed) traps answers, however warm the access path. */
static void test_readd_same_address(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	uint64_t v;

	bound(f, 1);
	assert_int_equal(mrd(f, T, 4), 0xfee01000);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, T, 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, T + 8, 4, 1), -ENXIO);
	fx_add(f, DEV); /* decoding is still on in the device */
	assert_int_equal(mrd(f, T, 4), 0);
	assert_int_equal(mrd(f, T + 12, 4), 1);
	program(f, 0, 0xfee02000, 0x51);
	assert_int_equal(mrd(f, T + 8, 4), 0x51);
	expect_events(&f->t, "");
}

/* Until dom0 changes an entry, the module keeps no shadows: an
 * untouched table reads as after reset (masked, no message), enabling
 * MSI-X binds nothing, and the first entry write allocates them all,
 * once. */
static void test_shadows_lazy(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	struct pvhdev_irq_binding b;
	unsigned long calls;

	decode_on(f, 8);
	assert_null(f->dev->msix->entries);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(mrd(f, T + 16 * i, 4), 0);
		assert_int_equal(mrd(f, T + 16 * i + 4, 4), 0);
		assert_int_equal(mrd(f, T + 16 * i + 8, 4), 0);
		assert_int_equal(mrd(f, T + 16 * i + 12, 4), 1);
		assert_int_equal(mrd(f, T + 16 * i, 8), 0);
		assert_int_equal(mrd(f, T + 16 * i + 8, 8), 0x100000000ull);
	}
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 7, &b), 0);
	assert_false(b.bound);
	assert_true(b.guest_masked);
	assert_false(b.host_masked);
	assert_int_equal(b.addr, 0);
	assert_int_equal(b.data, 0);
	wr(f, CAP + 2, 2, 0x8000);
	wr(f, CAP + 2, 2, 0xc000);
	wr(f, CAP + 2, 2, 0x8000);
	expect_events(&f->t, "hw-write " S " 0x72 2 0x8007\n"
	                     "hw-write " S " 0x72 2 0xc007\n"
	                     "hw-write " S " 0x72 2 0x8007\n");
	assert_null(f->dev->msix->entries);
	/* Bytes past the last entry and the PBA are not entries. */
	mwr(f, T + 0x80, 4, 7);
	mwr(f, PBA, 4, 7);
	assert_null(f->dev->msix->entries);
	test_events_skip(&f->t);
	calls = f->t.alloc.calls;
	mwr(f, T + 16 * 3 + 8, 4, 0x44);
	assert_non_null(f->dev->msix->entries);
	assert_int_equal(f->t.alloc.calls, calls + 1);
	program(f, 3, 0xfee01000, 0x44);
	unmask(f, 3);
	assert_int_equal(f->t.alloc.calls, calls + 1);
	expect_events(&f->t,
	              "msix-bind " S " 3 0xfee01000 0x44 dest=0x1 vector=0x44 fixed\n"
	              "hw-mmio-write 0xe0002030 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002034 4 0x0\n"
	              "hw-mmio-write 0xe0002038 4 0x44\n"
	              "hw-mmio-write 0xe000203c 4 0x0\n");
	assert_int_equal(mrd(f, T + 16 * 2 + 12, 4), 1);
	assert_int_equal(mrd(f, T + 16 * 3 + 12, 4), 0);
}

/* The shadows cannot be allocated: the write is refused (-ENOMEM, an
 * error logged), the table stays as after reset, nothing binds or
 * reaches the device; a later write that can allocate works. */
static void test_shadows_alloc_fails(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	static const struct {
		uint64_t off;
		unsigned size;
		uint64_t val;
	} writes[] = {
		{ 0x0, 4, 0xfee01000 }, { 0x8, 4, 0x40 }, { 0xc, 4, 0 },
		{ 0x0, 8, 0xfee01000 }, { 0x8, 8, 0x40 }, { 0x1c, 4, 1 },
	};
	struct pvhdev_irq_binding b;

	decode_on(f, 8);
	wr(f, CAP + 2, 2, 0x8000);
	test_events_skip(&f->t);
	for (size_t k = 0; k < sizeof(writes) / sizeof(writes[0]); k++) {
		test_log_reset(&f->t);
		f->t.alloc.fail_at = f->t.alloc.calls + 1;
		assert_int_equal(pvhdev_mmio_write(f->t.dom, T + writes[k].off, writes[k].size,
		                                   writes[k].val), -ENOMEM);
		f->t.alloc.fail_at = 0;
		char want[128];
		snprintf(want, sizeof(want), S ": MSI-X: no memory for the shadows of 8 "
		         "entries: entry %u not changed\n", (unsigned)(writes[k].off / 16));
		expect_log(f, want);
		assert_null(f->dev->msix->entries);
	}
	test_log_reset(&f->t);
	f->t.alloc.fail_at = f->t.alloc.calls + 1;
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, DEV, 0, true), -ENOMEM);
	expect_log(f, S ": MSI-X: no memory for the shadows of 8 entries: entry 0 "
	              "not changed\n");
	/* Lifting a host mask nobody set changes nothing: no shadows. */
	assert_int_equal(pvhdev_msix_host_mask(f->t.dom, DEV, 0, false), 0);
	f->t.alloc.fail_at = 0;
	assert_null(f->dev->msix->entries);
	expect_events(&f->t, "");
	assert_int_equal(mrd(f, T, 4), 0);
	assert_int_equal(mrd(f, T + 8, 4), 0);
	assert_int_equal(mrd(f, T + 12, 4), 1);
	assert_int_equal(hw(f, T + 12, 4), 1);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 0, &b), 0);
	assert_false(b.bound);
	assert_false(b.host_masked);
	/* Memory again: the same writes take effect. */
	program(f, 0, 0xfee01000, 0x40);
	unmask(f, 0);
	assert_int_equal(pvhdev_msix_binding(f->t.dom, DEV, 0, &b), 0);
	assert_true(b.bound);
	assert_int_equal(b.data, 0x40);
}

/* Found enabled (firmware left it on) with nothing bound: disabled at
 * add, in the device and in dom0's view (issue 14, F5); enabling it
 * again masks in the device whatever entries it left unmasked, then
 * binds what dom0 unmasks. */
static void test_found_enabled(void **state)
{
	struct layout l = dflt;
	struct fx *f;

	l.ctrl = 0x8007;
	f = fx_new(state, &l);
	assert_int_equal(rd(f, CAP + 2, 2), 0x0007);
	assert_int_equal(hwc(f, CAP + 2, 2), 0x0007);
	wr(f, 0x04, 2, 0x0002);
	test_events_skip(&f->t);
	for (unsigned i = 0; i < 8; i++) /* every entry unmasked in the device */
		hw_set(f, T + 16 * i + 12, 4, 0);
	wr(f, CAP + 2, 2, 0x8000);
	const char *ev = test_events(&f->t);
	for (unsigned i = 0; i < 8; i++) {
		char line[64];
		snprintf(line, sizeof(line), "hw-mmio-write 0x%llx 4 0x1\n",
		         (unsigned long long)(T + 16 * i + 12));
		assert_non_null(strstr(ev, line));
	}
	assert_non_null(strstr(ev, "hw-write " S " 0x72 2 0x8007\n"));
	program(f, 0, 0xfee01000, 0x40);
	unmask(f, 0);
	expect_events(&f->t,
	              "msix-bind " S " 0 0xfee01000 0x40 dest=0x1 vector=0x40 fixed\n"
	              "hw-mmio-write 0xe0002000 4 0xfee01000\n"
	              "hw-mmio-write 0xe0002004 4 0x0\n"
	              "hw-mmio-write 0xe0002008 4 0x40\n"
	              "hw-mmio-write 0xe000200c 4 0x0\n");
}

static void test_alloc_failures(void **state)
{
	struct fx *f = fx_new(state, &dflt);
	int rc;

	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	for (unsigned long n = 1;; n++) {
		f->t.alloc.fail_at = f->t.alloc.calls + n;
		rc = pvhdev_dev_add(f->t.dom, DEV);
		f->t.alloc.fail_at = 0;
		if (!rc)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_true(n < 100);
	}
	assert_int_equal(rd(f, CAP + 4, 4), 0x2000);
	assert_int_equal(pvhdev_dev_get(f->t.dom, DEV, &f->dev), 0);
	assert_int_equal(f->dev->nr_holes, 2);
}

/* ---- Bundled dumps ---- */

/* Loads a dump (every device backed by backed bytes of MMIO per BAR,
 * 0: the fake's default) and adds sbdf; false when it cannot be read. */
static bool load_dump(void **state, const char *name, pvhdev_sbdf_t sbdf,
                      uint32_t backed)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct pvhdev_fake_dev *devs;
	struct pvhdev_dump *dump;
	char path[512], err[256];
	size_t n;

	*state = f;
	snprintf(path, sizeof(path), "%s/%s", PVHDEV_CORPUS, name);
	if (pvhdev_dump_load(path, &dump, err, sizeof(err))) {
		print_message("%s\n", err);
		return false;
	}
	n = pvhdev_dump_count(dump);
	devs = calloc(n, sizeof(*devs));
	memcpy(devs, pvhdev_dump_devs(dump), n * sizeof(*devs));
	for (size_t i = 0; i < n; i++)
		devs[i].mmio_backed = backed;
	fx_domain(f, devs, n);
	free(devs);
	pvhdev_dump_free(dump);
	fx_add(f, sbdf);
	return true;
}

/* Intel 82576: MSI-X in BAR3 (16 KiB at 0xe0840000), 10 entries, table
 * at 0, PBA at 0x2000; decoding on and MSI-X found enabled. */
static void test_dump_82576(void **state)
{
	pvhdev_sbdf_t sbdf = PVHDEV_SBDF(0, 1, 0, 0);
	const uint64_t t = 0xe0840000ull;
	struct pvhdev_p2m_range r;

	if (!load_dump(state, "intel-82576-sriov.lspci", sbdf, 0)) {
		skip();
		return;
	}
	struct fx *f = *state;
	/* Found enabled with nothing bound: disabled (issue 14, F5). */
	assert_int_equal(test_cfg_read(&f->t, sbdf, 0x72, 2), 0x0009);
	test_cfg_write(&f->t, sbdf, 0x72, 2, 0x8000);
	assert_int_equal(test_cfg_read(&f->t, sbdf, 0x72, 2), 0x8009);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xe0840, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xe0842, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(f->t.dom, 0xe0841, &r), 0);
	assert_int_equal(r.bar, 3);
	assert_int_equal(mrd(f, t + 9 * 16 + 12, 4), 1);
	assert_int_equal(mrd(f, t + 10 * 16, 4), 0); /* past entry 9: the device */
	mwr(f, t, 8, 0xfee00000ull);
	mwr(f, t + 8, 8, 0x4030ull);
	expect_events(&f->t,
	              "msix-bind 0000:01:00.0 0 0xfee00000 0x4030 dest=0x0 vector=0x30 fixed\n"
	              "hw-mmio-write 0xe0840000 4 0xfee00000\n"
	              "hw-mmio-write 0xe0840004 4 0x0\n"
	              "hw-mmio-write 0xe0840008 4 0x4030\n"
	              "hw-mmio-write 0xe084000c 4 0x0\n");
	assert_int_equal(mrd(f, t + 0x2000, 8), 0); /* PBA */
}

/* Myricom Myri-10G: the table (128 entries) at BAR2 + 0xf0000 shares its
 * page with other registers from 0xf0800; PBA at 0xf9000. */
static void test_dump_myricom(void **state)
{
	pvhdev_sbdf_t sbdf = PVHDEV_SBDF(0, 2, 0, 0);
	const uint64_t t = 0x531f0000ull;

	if (!load_dump(state, "myricom-myri10g-nic-ats.lspci", sbdf, 0x100000)) {
		skip();
		return;
	}
	struct fx *f = *state;
	assert_int_equal(f->dev->nr_holes, 2);
	assert_int_equal(f->dev->holes[0].bir, 2);
	assert_int_equal(f->dev->holes[0].off, 0xf0000);
	assert_int_equal(f->dev->holes[1].off, 0xf9000);
	mwr(f, t + 0x800, 4, 0x12345678);
	mwr(f, t + 0x804, 2, 0x9abc);
	mwr(f, t + 127 * 16 + 8, 4, 0x4077);
	expect_events(&f->t, "hw-mmio-write 0x531f0800 4 0x12345678\n"
	                     "hw-mmio-write 0x531f0804 2 0x9abc\n");
	assert_int_equal(mrd(f, t + 0x800, 8), 0x9abc12345678ull);
	assert_int_equal(mrd(f, t + 127 * 16 + 8, 4), 0x4077);
	assert_int_equal(hw(f, t + 127 * 16 + 8, 4), 0);
	/* Enable, bind the last entry.  The table starts as hardware has it
	 * after reset, every entry masked: enabling has nothing to mask. */
	test_cfg_write(&f->t, sbdf, 0xd2, 2, 0x8000);
	assert_string_equal(test_events_only(&f->t, "hw-mmio-write"), "");
	assert_int_equal(hw(f, t + 127 * 16 + 12, 4), 1);
	mwr(f, t + 127 * 16, 4, 0xfee01000);
	mwr(f, t + 127 * 16 + 12, 4, 0);
	expect_events(&f->t,
	              "msix-bind 0000:02:00.0 127 0xfee01000 0x4077 dest=0x1 vector=0x77 fixed\n"
	              "hw-mmio-write 0x531f07f0 4 0xfee01000\n"
	              "hw-mmio-write 0x531f07f4 4 0x0\n"
	              "hw-mmio-write 0x531f07f8 4 0x4077\n"
	              "hw-mmio-write 0x531f07fc 4 0x0\n");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(test_registers, test_teardown),
	cmocka_unit_test_teardown(test_read_every_width, test_teardown),
	cmocka_unit_test_teardown(test_holes_and_traps, test_teardown),
	cmocka_unit_test_teardown(test_linux_sequence, test_teardown),
	cmocka_unit_test_teardown(test_unmask_binds, test_teardown),
	cmocka_unit_test_teardown(test_mask_unmask, test_teardown),
	cmocka_unit_test_teardown(test_write_takes_effect_at_unmask, test_teardown),
	cmocka_unit_test_teardown(test_function_mask, test_teardown),
	cmocka_unit_test_teardown(test_unmask_under_function_mask, test_teardown),
	cmocka_unit_test_teardown(test_enable_binds_unmasked, test_teardown),
	cmocka_unit_test_teardown(test_disable_unbinds_all, test_teardown),
	cmocka_unit_test_teardown(test_bad_address, test_teardown),
	cmocka_unit_test_teardown(test_bind_needs_decoding, test_teardown),
	cmocka_unit_test_teardown(test_qword_access, test_teardown),
	cmocka_unit_test_teardown(test_small_access_refused, test_teardown),
	cmocka_unit_test_teardown(test_misaligned_refused, test_teardown),
	cmocka_unit_test_teardown(test_past_last_entry, test_teardown),
	cmocka_unit_test_teardown(test_pba, test_teardown),
	cmocka_unit_test_teardown(test_shared_page, test_teardown),
	cmocka_unit_test_teardown(test_bar_moves, test_teardown),
	cmocka_unit_test_teardown(test_deferred_mapping, test_teardown),
	cmocka_unit_test_teardown(test_bir_missing_bar, test_teardown),
	cmocka_unit_test_teardown(test_bir_io_bar, test_teardown),
	cmocka_unit_test_teardown(test_bir_reserved, test_teardown),
	cmocka_unit_test_teardown(test_table_does_not_fit, test_teardown),
	cmocka_unit_test_teardown(test_pba_overlaps_table, test_teardown),
	cmocka_unit_test_teardown(test_host_mask, test_teardown),
	cmocka_unit_test_teardown(test_bind_under_host_mask, test_teardown),
	cmocka_unit_test_teardown(test_vector_control_reserved_bits, test_teardown),
	cmocka_unit_test_teardown(test_hook_refuses_bind, test_teardown),
	cmocka_unit_test_teardown(test_binding_query, test_teardown),
	cmocka_unit_test_teardown(test_dev_remove, test_teardown),
	cmocka_unit_test_teardown(test_readd_same_address, test_teardown),
	cmocka_unit_test_teardown(test_shadows_lazy, test_teardown),
	cmocka_unit_test_teardown(test_shadows_alloc_fails, test_teardown),
	cmocka_unit_test_teardown(test_found_enabled, test_teardown),
	cmocka_unit_test_teardown(test_alloc_failures, test_teardown),
	cmocka_unit_test_teardown(test_dump_82576, test_teardown),
	cmocka_unit_test_teardown(test_dump_myricom, test_teardown),
};

PVHDEV_TEST_MAIN("msix", tests)
