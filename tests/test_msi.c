/* SPDX-License-Identifier: MIT */
/*
 * MSI: the trapped capability, bindings, what reaches the hardware, and
 * the guest/host split of the mask bits.  One fake function at 00:03.0
 * with an MSI capability at 0x50 in the variant each case asks for.
 * With a 32-bit capability, bytes 0x5a..0x5b (right after the data)
 * hold 0x5b5a and are writable, so a write that spills past the data
 * register is seen reaching the hardware.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <pvhdev/dump.h>
#include <pvhdev/irq.h>

#include "core/core.h"

#define DEV PVHDEV_SBDF(0, 0, 3, 0)
#define S "0000:00:03.0"
#define CAP 0x50

/* Message control variants (what the device is capable of). */
#define C32 0x0000u      /* 32-bit, 1 vector */
#define C64 0x0080u      /* 64-bit, 1 vector */
#define C32_4 0x0004u    /* 32-bit, 4 vectors */
#define C64_PVM4 0x0184u /* 64-bit, per-vector masking, 4 vectors */
#define C32_PVM 0x0100u  /* 32-bit, per-vector masking, 1 vector */

struct fx {
	struct test_dom t;
	uint8_t cfg[256];
	struct pvhdev_fake_mask masks[1];
	struct pvhdev_fake_dev d;
	/* The hook refuses the refuse_nth bind event (1 = the first); 0: none. */
	unsigned refuse_nth, binds;
};

static int fx_effect(void *ctx, const struct pvhdev_event *ev)
{
	struct fx *f = ctx;

	if (ev->kind == PVHDEV_EV_MSI_BIND && ++f->binds == f->refuse_nth)
		return -EPERM;
	return 0;
}

/* A domain over the fake, with the effect hook and the log captured. */
static void fx_domain(struct fx *f, const struct pvhdev_fake_dev *devs, size_t nr)
{
	const struct pvhdev_hooks hooks = { .size = sizeof(hooks), .effect = fx_effect };

	assert_int_equal(test_dom_init_hooks(&f->t, devs, nr, &hooks, f), 0);
}

static struct fx *fx_new(void **state, uint16_t ctrl)
{
	struct fx *f = calloc(1, sizeof(*f));

	*state = f;
	test_cfg_init(f->cfg, 0x8086, 0x1234, 0x02000001, 0);
	test_put(f->cfg, 0x06, 2, 0x0010); /* status: capability list */
	test_put(f->cfg, 0x34, 1, CAP);
	test_put(f->cfg, CAP, 2, 0x0005); /* MSI, last in the list */
	test_put(f->cfg, CAP + 2, 2, ctrl);
	f->d = (struct pvhdev_fake_dev){ .sbdf = DEV, .cfg = f->cfg, .cfg_len = 256 };
	if (!(ctrl & 0x80)) {
		/* 32-bit: the two bytes after data, recognisable and writable. */
		test_put(f->cfg, 0x5a, 2, 0x5b5a);
		f->masks[0] = (struct pvhdev_fake_mask){ .off = 0x5a, .size = 2,
		                                         .rw = 0xffff };
		f->d.masks = f->masks;
		f->d.nr_masks = 1;
	}
	fx_domain(f, &f->d, 1);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
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

/* What the device holds, read behind pvhdev's back. */
static uint32_t hw(struct fx *f, unsigned off, unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(pvhdev_fake_ops.cfg_read(f->t.fake, DEV, off, size, &v), 0);
	return v;
}

#define expect_log(f, text) assert_string_equal((f)->t.log, text)

/* dom0's message, 64-bit layout (address high at 0x58, data at 0x5c). */
static void program64(struct fx *f, uint32_t lo, uint32_t hi, uint16_t data)
{
	wr(f, CAP + 0x04, 4, lo);
	wr(f, CAP + 0x08, 4, hi);
	wr(f, CAP + 0x0c, 2, data);
}

static void program32(struct fx *f, uint32_t lo, uint16_t data)
{
	wr(f, CAP + 0x04, 4, lo);
	wr(f, CAP + 0x08, 2, data);
}

/* ---- Decoding ---- */

static void test_decode(void **state)
{
	static const struct {
		uint64_t addr;
		uint32_t data;
		int rc;
		uint32_t dest;
		uint8_t vector, delivery;
	} cases[] = {
		{ 0xfee01000, 0x4041, 0, 0x01, 0x41, 0 },   /* fixed, edge */
		{ 0xfeeff00c, 0x0431, 0, 0xff, 0x31, 4 },   /* NMI; RH and DM set */
		{ 0xfee00000, 0x8100, 0, 0x00, 0x00, 1 },   /* lowest, level */
		{ 0xfee12000, 0x07ff, 0, 0x12, 0xff, 7 },   /* ExtINT */
		{ 0xfed00000, 0x0041, -EINVAL, 0, 0, 0 },   /* HPET, not 0xFEE */
		{ 0x1fee00000ull, 0x0041, -EINVAL, 0, 0, 0 }, /* above 4 GiB */
		{ 0, 0, -EINVAL, 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvhdev_event ev;
		memset(&ev, 0, sizeof(ev));
		assert_int_equal(pvhdev__msi_decode(cases[i].addr, cases[i].data, &ev),
		                 cases[i].rc);
		assert_int_equal(ev.u.irq.dest, cases[i].dest);
		assert_int_equal(ev.u.irq.vector, cases[i].vector);
		assert_int_equal(ev.u.irq.delivery, cases[i].delivery);
	}
}

/* ---- Registers ---- */

/* Every width at every offset of a 64-bit capability with masking: what
 * dom0 reads is its own view (and the hardware's pending bits). */
static void test_read_every_width(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);
	uint8_t want[0x18];

	program64(f, 0xfee01000, 0x00000000, 0x4041);
	wr(f, CAP + 0x10, 4, 0x5);
	assert_int_equal(pvhdev_fake_set_bits(f->t.fake, DEV, CAP + 0x14, 4, 0x2), 0);
	test_events_skip(&f->t);
	memset(want, 0, sizeof(want));
	test_put(want, 0x00, 2, 0x0005);
	test_put(want, 0x02, 2, C64_PVM4);
	test_put(want, 0x04, 4, 0xfee01000);
	test_put(want, 0x0c, 2, 0x4041);
	test_put(want, 0x10, 4, 0x5);
	test_put(want, 0x14, 4, 0x2);
	for (unsigned size = 1; size <= 4; size *= 2)
		for (unsigned off = 0; off < sizeof(want); off += size) {
			uint32_t v = 0;
			memcpy(&v, want + off, size);
			assert_int_equal(rd(f, CAP + off, size), v);
		}
	expect_events(&f->t, "");
}

/* MMC, 64-bit and PVM are read-only; bits 15:9 read 0 even when the
 * device has extended message data (bit 9). */
static void test_control_read_only_bits(void **state)
{
	struct fx *f = fx_new(state, C32_4 | 0x0200);

	assert_int_equal(rd(f, CAP + 2, 2), C32_4);
	wr(f, CAP + 2, 2, 0xffce); /* everything but enable */
	assert_int_equal(rd(f, CAP + 2, 2), C32_4 | 0x0020); /* MME = MMC */
	wr(f, CAP + 3, 1, 0xff);
	assert_int_equal(rd(f, CAP + 2, 2), C32_4 | 0x0020);
	expect_events(&f->t, "");
	assert_int_equal(hw(f, CAP + 2, 2), C32_4 | 0x0200);
}

/* Address bits 1:0 read 0. */
static void test_address_reserved_bits(void **state)
{
	struct fx *f = fx_new(state, C32);

	wr(f, CAP + 4, 4, 0xfee0100f);
	assert_int_equal(rd(f, CAP + 4, 4), 0xfee0100c);
	expect_events(&f->t, "");
}

/* Nothing dom0 writes to address or data reaches the device while MSI
 * is off. */
static void test_writes_stay_in_guest_view(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);

	program64(f, 0xfee01000, 0x1, 0x4041);
	assert_int_equal(rd(f, CAP + 4, 4), 0xfee01000);
	assert_int_equal(rd(f, CAP + 8, 4), 0x1);
	assert_int_equal(rd(f, CAP + 0xc, 2), 0x4041);
	assert_int_equal(hw(f, CAP + 4, 4), 0);
	assert_int_equal(hw(f, CAP + 8, 4), 0);
	assert_int_equal(hw(f, CAP + 0xc, 2), 0);
	expect_events(&f->t, "");
}

/* ---- Binding ---- */

/* Linux's msi_capability_init on a 64-bit capability with masking:
 * disable, mask all, set MME, write the message, enable; then each
 * vector is unmasked as its IRQ is requested. */
static void test_linux_sequence(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);

	wr(f, CAP + 2, 2, C64_PVM4);
	wr(f, CAP + 0x10, 4, 0xf);
	expect_events(&f->t, "hw-write " S " 0x60 4 0xf\n");
	wr(f, CAP + 2, 2, C64_PVM4 | 0x20);
	program64(f, 0xfee02000, 0, 0x4050);
	expect_events(&f->t, "");
	wr(f, CAP + 2, 2, C64_PVM4 | 0x21);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee02000 0x4050 dest=0x2 vector=0x50 fixed\n"
	              "msi-bind " S " 1 0xfee02000 0x4051 dest=0x2 vector=0x51 fixed\n"
	              "msi-bind " S " 2 0xfee02000 0x4052 dest=0x2 vector=0x52 fixed\n"
	              "msi-bind " S " 3 0xfee02000 0x4053 dest=0x2 vector=0x53 fixed\n"
	              "hw-write " S " 0x54 4 0xfee02000\n"
	              "hw-write " S " 0x58 4 0x0\n"
	              "hw-write " S " 0x5c 2 0x4050\n"
	              "hw-write " S " 0x52 2 0x1a5\n");
	wr(f, CAP + 0x10, 4, 0xe);
	expect_events(&f->t, "msi-mask " S " 0 0\n"
	                     "hw-write " S " 0x60 4 0xe\n");
	wr(f, CAP + 0x10, 4, 0x0);
	expect_events(&f->t, "msi-mask " S " 1 0\n"
	                     "msi-mask " S " 2 0\n"
	                     "msi-mask " S " 3 0\n"
	                     "hw-write " S " 0x60 4 0x0\n");
	assert_int_equal(rd(f, CAP + 2, 2), C64_PVM4 | 0x21);
	assert_int_equal(hw(f, CAP + 2, 2), C64_PVM4 | 0x21);
	expect_log(f, "");
}

/* 32-bit: no address high, data at +0x08. */
static void test_bind_32bit(void **state)
{
	struct fx *f = fx_new(state, C32);

	program32(f, 0xfee03000, 0x0161);
	wr(f, CAP + 2, 2, 0x0001);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee03000 0x161 dest=0x3 vector=0x61 lowest\n"
	              "hw-write " S " 0x54 4 0xfee03000\n"
	              "hw-write " S " 0x58 2 0x161\n"
	              "hw-write " S " 0x52 2 0x1\n");
	assert_int_equal(hw(f, CAP + 4, 4), 0xfee03000);
	assert_int_equal(hw(f, CAP + 8, 2), 0x161);
}

/* 64-bit without masking: data at +0x0c. */
static void test_bind_64bit(void **state)
{
	struct fx *f = fx_new(state, C64);

	program64(f, 0xfee00000, 0, 0x4022);
	wr(f, CAP + 2, 2, C64 | 1);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee00000 0x4022 dest=0x0 vector=0x22 fixed\n"
	              "hw-write " S " 0x54 4 0xfee00000\n"
	              "hw-write " S " 0x58 4 0x0\n"
	              "hw-write " S " 0x5c 2 0x4022\n"
	              "hw-write " S " 0x52 2 0x81\n");
}

/* Four vectors: vector i replaces the low two bits of the data's
 * vector, whatever dom0 left there. */
static void test_multi_message(void **state)
{
	struct fx *f = fx_new(state, C32_4);

	program32(f, 0xfee01000, 0x0042);
	wr(f, CAP + 2, 2, C32_4 | 0x21);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee01000 0x40 dest=0x1 vector=0x40 fixed\n"
	              "msi-bind " S " 1 0xfee01000 0x41 dest=0x1 vector=0x41 fixed\n"
	              "msi-bind " S " 2 0xfee01000 0x42 dest=0x1 vector=0x42 fixed\n"
	              "msi-bind " S " 3 0xfee01000 0x43 dest=0x1 vector=0x43 fixed\n"
	              "hw-write " S " 0x54 4 0xfee01000\n"
	              "hw-write " S " 0x58 2 0x42\n"
	              "hw-write " S " 0x52 2 0x25\n");
}

/* MME above MMC means MMC: two vectors, read back as such. */
static void test_mme_clamped(void **state)
{
	struct fx *f = fx_new(state, 0x0002);

	program32(f, 0xfee01000, 0x0030);
	wr(f, CAP + 2, 2, 0x0051); /* MME = 5: 32 vectors asked */
	assert_int_equal(rd(f, CAP + 2, 2), 0x0013);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee01000 0x30 dest=0x1 vector=0x30 fixed\n"
	              "msi-bind " S " 1 0xfee01000 0x31 dest=0x1 vector=0x31 fixed\n"
	              "hw-write " S " 0x54 4 0xfee01000\n"
	              "hw-write " S " 0x58 2 0x30\n"
	              "hw-write " S " 0x52 2 0x13\n");
}

/* A reserved Multiple Message Capable (7) reads as the hardware has it
 * (read-only bits are the hardware's); pvhdev itself allows 32 vectors
 * at most (found by fuzz_dump). */
static void test_reserved_mmc(void **state)
{
	struct fx *f = fx_new(state, 0x000e);

	assert_int_equal(rd(f, CAP + 2, 2), 0x000e);
	wr(f, CAP + 2, 2, 0x0070); /* MME = 7: clamped to MMC's 32 vectors */
	assert_int_equal(rd(f, CAP + 2, 2), 0x005e);
	expect_events(&f->t, "");
}

/* A new MME while enabled rebinds with the new count. */
static void test_mme_change_while_enabled(void **state)
{
	struct fx *f = fx_new(state, C32_4);

	program32(f, 0xfee01000, 0x0040);
	wr(f, CAP + 2, 2, 0x0001);
	test_events_skip(&f->t);
	wr(f, CAP + 2, 2, 0x0011);
	expect_events(&f->t,
	              "msi-unbind " S " 0\n"
	              "msi-bind " S " 0 0xfee01000 0x40 dest=0x1 vector=0x40 fixed\n"
	              "msi-bind " S " 1 0xfee01000 0x41 dest=0x1 vector=0x41 fixed\n"
	              "hw-write " S " 0x54 4 0xfee01000\n"
	              "hw-write " S " 0x58 2 0x40\n"
	              "hw-write " S " 0x52 2 0x15\n");
	/* MME while disabled is only remembered. */
	wr(f, CAP + 2, 2, 0x0010);
	test_events_skip(&f->t);
	wr(f, CAP + 2, 2, 0x0020);
	expect_events(&f->t, "");
	assert_int_equal(rd(f, CAP + 2, 2), C32_4 | 0x20);
}

static void test_disable_unbinds(void **state)
{
	struct fx *f = fx_new(state, C32_4);

	program32(f, 0xfee01000, 0x0040);
	wr(f, CAP + 2, 2, 0x0011);
	test_events_skip(&f->t);
	wr(f, CAP + 2, 2, 0x0010);
	expect_events(&f->t, "msi-unbind " S " 0\n"
	                     "msi-unbind " S " 1\n"
	                     "hw-write " S " 0x52 2 0x14\n");
	/* Disabling again does nothing. */
	wr(f, CAP + 2, 2, 0x0010);
	expect_events(&f->t, "");
}

/* A write to address or data while enabled rebinds; rewriting the same
 * value does not. */
static void test_rebind_on_write(void **state)
{
	struct fx *f = fx_new(state, C64);

	program64(f, 0xfee01000, 0, 0x0041);
	wr(f, CAP + 2, 2, C64 | 1);
	test_events_skip(&f->t);
	wr(f, CAP + 0xc, 2, 0x0042);
	expect_events(&f->t,
	              "msi-unbind " S " 0\n"
	              "msi-bind " S " 0 0xfee01000 0x42 dest=0x1 vector=0x42 fixed\n"
	              "hw-write " S " 0x54 4 0xfee01000\n"
	              "hw-write " S " 0x58 4 0x0\n"
	              "hw-write " S " 0x5c 2 0x42\n");
	wr(f, CAP + 4, 4, 0xfee04000);
	expect_events(&f->t,
	              "msi-unbind " S " 0\n"
	              "msi-bind " S " 0 0xfee04000 0x42 dest=0x4 vector=0x42 fixed\n"
	              "hw-write " S " 0x54 4 0xfee04000\n"
	              "hw-write " S " 0x58 4 0x0\n"
	              "hw-write " S " 0x5c 2 0x42\n");
	wr(f, CAP + 8, 4, 0);
	wr(f, CAP + 0xc, 2, 0x0042);
	expect_events(&f->t, "");
	assert_int_equal(hw(f, CAP + 0xc, 2), 0x42);
}

/* A bad address fails the bind but keeps dom0's state: MSI reads as
 * enabled, the device stays off, and a good address binds. */
static void test_bad_address_then_good(void **state)
{
	struct fx *f = fx_new(state, C32);

	program32(f, 0xfed00000, 0x0041);
	wr(f, CAP + 2, 2, 0x0001);
	expect_events(&f->t, "");
	expect_log(f, S ": MSI: address 0xfed00000 is not an interrupt address "
	              "(0xfeexxxxx): not bound\n");
	assert_int_equal(rd(f, CAP + 2, 2), 0x0001);
	assert_int_equal(rd(f, CAP + 4, 4), 0xfed00000);
	assert_int_equal(hw(f, CAP + 2, 2), 0x0000);
	assert_int_equal(hw(f, CAP + 4, 4), 0);
	wr(f, CAP + 4, 4, 0xfee00000);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee00000 0x41 dest=0x0 vector=0x41 fixed\n"
	              "hw-write " S " 0x54 4 0xfee00000\n"
	              "hw-write " S " 0x58 2 0x41\n"
	              "hw-write " S " 0x52 2 0x1\n");
}

/* Rebinding to a bad address unbinds and turns the device's MSI off. */
static void test_rebind_to_bad_address(void **state)
{
	struct fx *f = fx_new(state, C32);

	program32(f, 0xfee00000, 0x0041);
	wr(f, CAP + 2, 2, 0x0001);
	test_events_skip(&f->t);
	wr(f, CAP + 4, 4, 0x12345678);
	expect_events(&f->t, "msi-unbind " S " 0\n"
	                     "hw-write " S " 0x52 2 0x0\n");
	expect_log(f, S ": MSI: address 0x12345678 is not an interrupt address "
	              "(0xfeexxxxx): not bound\n");
	assert_int_equal(rd(f, CAP + 2, 2), 0x0001);
	assert_int_equal(hw(f, CAP + 4, 4), 0xfee00000);
	wr(f, CAP + 4, 4, 0xfee01000);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee01000 0x41 dest=0x1 vector=0x41 fixed\n"
	              "hw-write " S " 0x54 4 0xfee01000\n"
	              "hw-write " S " 0x58 2 0x41\n"
	              "hw-write " S " 0x52 2 0x1\n");
}

/* A device found with MSI on (firmware, an earlier owner) has nothing
 * bound: it is disabled at add, in the device and in dom0's view, and
 * what dom0 programs afterwards binds (issue 14, F5). */
static void test_found_enabled(void **state)
{
	struct fx *f = fx_new(state, C32 | 1);
	struct pvhdev_irq_binding b;

	assert_int_equal(rd(f, CAP + 2, 2), 0x0000);
	assert_int_equal(hw(f, CAP + 2, 2), 0x0000);
	assert_int_equal(pvhdev_msi_binding(f->t.dom, DEV, 0, &b), 0);
	assert_false(b.bound);
	program32(f, 0xfee00000, 0x0041);
	wr(f, CAP + 2, 2, 1);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee00000 0x41 dest=0x0 vector=0x41 fixed\n"
	              "hw-write " S " 0x54 4 0xfee00000\n"
	              "hw-write " S " 0x58 2 0x41\n"
	              "hw-write " S " 0x52 2 0x1\n");
}

/* ---- Masking: dom0's bits and the host's (the XSA-129 class) ---- */

/* dom0's mask bits reach the device (only those of vectors it has). */
static void test_guest_mask(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);

	wr(f, CAP + 0x10, 4, 0xffffffff);
	assert_int_equal(rd(f, CAP + 0x10, 4), 0xf);
	expect_events(&f->t, "hw-write " S " 0x60 4 0xf\n");
	wr(f, CAP + 0x10, 1, 0x5);
	expect_events(&f->t, "hw-write " S " 0x60 4 0x5\n");
	wr(f, CAP + 0x10, 4, 0x5);
	expect_events(&f->t, "");
	assert_int_equal(hw(f, CAP + 0x10, 4), 0x5);
}

/* The host masks vector 1 on its own: the device gets dom0's | the
 * host's, dom0 never reads the host's bit and cannot clear it. */
static void test_host_mask_hidden_from_guest(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);

	program64(f, 0xfee01000, 0, 0x4040);
	wr(f, CAP + 2, 2, C64_PVM4 | 0x21);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_msi_host_mask(f->t.dom, DEV, 1, true), 0);
	expect_events(&f->t, "msi-mask " S " 1 1\n"
	                     "hw-write " S " 0x60 4 0x2\n");
	assert_int_equal(rd(f, CAP + 0x10, 4), 0);
	wr(f, CAP + 0x10, 4, 0);
	expect_events(&f->t, "");
	wr(f, CAP + 0x10, 4, 0x3);
	expect_events(&f->t, "msi-mask " S " 0 1\n"
	                     "hw-write " S " 0x60 4 0x3\n");
	wr(f, CAP + 0x10, 4, 0);
	expect_events(&f->t, "msi-mask " S " 0 0\n"
	                     "hw-write " S " 0x60 4 0x2\n");
	assert_int_equal(hw(f, CAP + 0x10, 4), 0x2);
	assert_int_equal(rd(f, CAP + 0x10, 4), 0);
	assert_int_equal(pvhdev_msi_host_mask(f->t.dom, DEV, 1, false), 0);
	expect_events(&f->t, "msi-mask " S " 1 0\n"
	                     "hw-write " S " 0x60 4 0x0\n");
}

/* Host masking of an unbound vector reaches the device, with no event. */
static void test_host_mask_unbound(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);
	struct pvhdev_irq_binding b;

	assert_int_equal(pvhdev_msi_host_mask(f->t.dom, DEV, 3, true), 0);
	expect_events(&f->t, "hw-write " S " 0x60 4 0x8\n");
	assert_int_equal(pvhdev_msi_host_mask(f->t.dom, DEV, 3, true), 0);
	expect_events(&f->t, "");
	assert_int_equal(pvhdev_msi_binding(f->t.dom, DEV, 3, &b), 0);
	assert_true(b.host_masked);
	assert_false(b.guest_masked);
	assert_false(b.bound);
}

static void test_host_mask_errors(void **state)
{
	struct fx *f = fx_new(state, C32_4);
	struct pvhdev_irq_binding b;

	assert_int_equal(pvhdev_msi_host_mask(f->t.dom, DEV, 0, true), -EOPNOTSUPP);
	assert_int_equal(pvhdev_msi_host_mask(f->t.dom, DEV, 4, true), -ERANGE);
	assert_int_equal(pvhdev_msi_binding(f->t.dom, DEV, 4, &b), -ERANGE);
	assert_int_equal(pvhdev_msi_host_mask(f->t.dom, PVHDEV_SBDF(0, 0, 4, 0), 0,
	                                      true), -ENODEV);
	assert_int_equal(pvhdev_msi_binding(f->t.dom, PVHDEV_SBDF(0, 0, 4, 0), 0, &b),
	                 -ENODEV);
	expect_events(&f->t, "");
}

/* A device without MSI: -ENOENT. */
static void test_no_msi_capability(void **state)
{
	struct fx *f = fx_new(state, C32);
	uint8_t cfg[256];
	struct pvhdev_fake_dev d = { .sbdf = DEV, .cfg = cfg, .cfg_len = 256 };
	struct pvhdev_irq_binding b;

	test_teardown(state);
	f = calloc(1, sizeof(*f));
	*state = f;
	test_cfg_init(cfg, 0x8086, 0x1234, 0x02000001, 0);
	fx_domain(f, &d, 1);
	assert_int_equal(pvhdev_dev_add(f->t.dom, DEV), 0);
	assert_int_equal(pvhdev_msi_binding(f->t.dom, DEV, 0, &b), -ENOENT);
	assert_int_equal(pvhdev_msi_host_mask(f->t.dom, DEV, 0, true), -ENOENT);
}

/* Pending bits are the device's: read through, never written. */
static void test_pending_from_hardware(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);

	assert_int_equal(rd(f, CAP + 0x14, 4), 0);
	assert_int_equal(pvhdev_fake_set_bits(f->t.fake, DEV, CAP + 0x14, 4, 0x4), 0);
	assert_int_equal(rd(f, CAP + 0x14, 4), 0x4);
	assert_int_equal(rd(f, CAP + 0x14, 1), 0x4);
	wr(f, CAP + 0x14, 4, 0xffffffff);
	expect_events(&f->t, "");
	assert_int_equal(rd(f, CAP + 0x14, 4), 0x4);
}

/* ---- Accesses spanning the data register (the XSA-128 class) ---- */

/* A 4-byte write at the data of a 32-bit capability without masking
 * covers data and the two device bytes after the capability: those go
 * to the device, the data never does. */
static void test_write_spanning_data(void **state)
{
	struct fx *f = fx_new(state, C32);

	wr(f, CAP + 8, 4, 0xbeef4041);
	expect_events(&f->t, "hw-write " S " 0x5a 2 0xbeef\n");
	assert_int_equal(hw(f, CAP + 8, 2), 0);
	assert_int_equal(hw(f, 0x5a, 2), 0xbeef);
	assert_int_equal(rd(f, CAP + 8, 4), 0xbeef4041);
	/* Enabled: the data part rebinds, the device bytes pass. */
	program32(f, 0xfee00000, 0x0041);
	wr(f, CAP + 2, 2, 1);
	test_events_skip(&f->t);
	wr(f, CAP + 8, 4, 0x12340042);
	expect_events(&f->t,
	              "msi-unbind " S " 0\n"
	              "msi-bind " S " 0 0xfee00000 0x42 dest=0x0 vector=0x42 fixed\n"
	              "hw-write " S " 0x54 4 0xfee00000\n"
	              "hw-write " S " 0x58 2 0x42\n"
	              "hw-write " S " 0x5a 2 0x1234\n");
}

/* With masking, the 16 bits after data are the capability's (reserved,
 * or extended message data, hidden): a spanning write reaches nothing. */
static void test_write_spanning_reserved(void **state)
{
	struct fx *f = fx_new(state, C32_PVM);

	wr(f, CAP + 8, 4, 0xbeef4041);
	expect_events(&f->t, "");
	assert_int_equal(rd(f, CAP + 8, 4), 0x4041);
	assert_int_equal(hw(f, CAP + 8, 4), 0x5b5a0000);
}

/* A dword write at the capability header: ID and next pointer are the
 * device's (read-only there), control is trapped. */
static void test_write_spanning_header(void **state)
{
	struct fx *f = fx_new(state, C32_4);

	wr(f, CAP, 4, 0x00200005);
	expect_events(&f->t, "hw-write " S " 0x50 2 0x5\n");
	assert_int_equal(rd(f, CAP, 4), 0x00240005);
	assert_int_equal(hw(f, CAP + 2, 2), C32_4);
}

/* ---- The hypervisor's word ---- */

/* The hook refuses vector 2 of 4: MSI binds all or nothing. */
static void test_hook_refuses_bind(void **state)
{
	struct fx *f = fx_new(state, C32_4);
	struct pvhdev_irq_binding b;

	f->refuse_nth = 3;
	program32(f, 0xfee01000, 0x0040);
	wr(f, CAP + 2, 2, 0x0021);
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee01000 0x40 dest=0x1 vector=0x40 fixed\n"
	              "msi-bind " S " 1 0xfee01000 0x41 dest=0x1 vector=0x41 fixed\n"
	              "msi-bind " S " 2 0xfee01000 0x42 dest=0x1 vector=0x42 fixed"
	              " refused=-1\n"
	              "msi-unbind " S " 0\n"
	              "msi-unbind " S " 1\n");
	expect_log(f, S ": MSI: vector 2 refused by the hypervisor: not bound\n");
	assert_int_equal(pvhdev_msi_binding(f->t.dom, DEV, 0, &b), 0);
	assert_false(b.bound);
	assert_int_equal(hw(f, CAP + 2, 2), C32_4);
	wr(f, CAP + 2, 2, 0x0020);
	expect_events(&f->t, "");
}

static void test_binding_query(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);
	struct pvhdev_irq_binding b;

	program64(f, 0xfee05000, 0, 0x0160);
	wr(f, CAP + 2, 2, C64_PVM4 | 0x11);
	wr(f, CAP + 0x10, 4, 0x2);
	wr(f, CAP + 0xc, 2, 0x0170); /* rebinds */
	assert_int_equal(pvhdev_msi_binding(f->t.dom, DEV, 1, &b), 0);
	assert_true(b.bound);
	assert_true(b.guest_masked);
	assert_false(b.host_masked);
	assert_int_equal(b.addr, 0xfee05000);
	assert_int_equal(b.data, 0x0171);
	assert_int_equal(b.dest, 5);
	assert_int_equal(b.vector, 0x71);
	assert_int_equal(b.delivery, 1);
	assert_int_equal(pvhdev_msi_binding(f->t.dom, DEV, 2, &b), 0);
	assert_false(b.bound);
}

/* Removing the device releases its vectors and leaves it quiet: MSI
 * off in the device (issue 14, F5). */
static void test_dev_remove_unbinds(void **state)
{
	struct fx *f = fx_new(state, C32);

	program32(f, 0xfee00000, 0x0041);
	wr(f, CAP + 2, 2, 1);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_remove(f->t.dom, DEV), 0);
	expect_events(&f->t, "msi-unbind " S " 0\n"
	                     "hw-write " S " 0x52 2 0x0\n"
	                     "dev-remove " S "\n");
	assert_int_equal(hw(f, CAP + 2, 2), 0x0000);
}

/* Hiding the device releases them too. */
static void test_dev_hide_unbinds(void **state)
{
	struct fx *f = fx_new(state, C32);
	struct pvhdev_irq_binding b;

	program32(f, 0xfee00000, 0x0041);
	wr(f, CAP + 2, 2, 1);
	test_events_skip(&f->t);
	assert_int_equal(pvhdev_dev_hide(f->t.dom, DEV), 0);
	/* The device is the hypervisor's now: its MSI is left as it is. */
	expect_events(&f->t, "msi-unbind " S " 0\n");
	assert_int_equal(hw(f, CAP + 2, 2), 0x0001);
	assert_int_equal(pvhdev_msi_binding(f->t.dom, DEV, 0, &b), -ENODEV);
	assert_int_equal(rd(f, CAP + 2, 2), 0xffff);
}

/* ---- Failures ---- */

/* Every allocation of device add fails in turn: the add fails cleanly
 * and nothing leaks (teardown checks the allocator). */
static void test_alloc_failures(void **state)
{
	struct fx *f = fx_new(state, C64_PVM4);
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
	assert_int_equal(rd(f, CAP + 2, 2), C64_PVM4);
}

/* A backend error during the binding's hardware writes is logged, and
 * the binding goes again: the device is never enabled with a message
 * other than the bound one (the stronger checker found the old
 * behaviour, enabled with address 0, wrong). */
static void test_backend_failure(void **state)
{
	struct fx *f = fx_new(state, C32);

	program32(f, 0xfee00000, 0x0041);
	pvhdev_fake_fail_at(f->t.fake, 1, -EIO);
	wr(f, CAP + 2, 2, 1);
	expect_log(f, S ": MSI: hardware write at 0x54 failed: backend I/O error\n");
	expect_events(&f->t,
	              "msi-bind " S " 0 0xfee00000 0x41 dest=0x0 vector=0x41 fixed\n"
	              "hw-write " S " 0x54 4 0xfee00000\n"
	              "msi-unbind " S " 0\n");
	assert_int_equal(hw(f, CAP + 4, 4), 0);
	assert_int_equal(hw(f, CAP + 2, 2), 0);
	assert_int_equal(rd(f, CAP + 2, 2), 1);
}

/* ---- Bundled dumps ---- */

/* Loads a dump into f's domain and adds sbdf; false when the dump
 * cannot be read here. */
static bool load_dump(void **state, const char *name, pvhdev_sbdf_t sbdf)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct pvhdev_dump *dump;
	char path[512], err[256];

	*state = f;
	snprintf(path, sizeof(path), "%s/%s", PVHDEV_CORPUS, name);
	if (pvhdev_dump_load(path, &dump, err, sizeof(err))) {
		print_message("%s\n", err);
		return false;
	}
	fx_domain(f, pvhdev_dump_devs(dump), pvhdev_dump_count(dump));
	pvhdev_dump_free(dump);
	assert_int_equal(pvhdev_dev_add(f->t.dom, sbdf), 0);
	test_events_skip(&f->t);
	test_log_reset(&f->t);
	return true;
}

/* Intel 82576: MSI at 0x50, 64-bit with per-vector masking, 1 vector. */
static void test_dump_82576(void **state)
{
	pvhdev_sbdf_t sbdf = PVHDEV_SBDF(0, 1, 0, 0);

	if (!load_dump(state, "intel-82576-sriov.lspci", sbdf)) {
		skip();
		return;
	}
	struct fx *f = *state;
	assert_int_equal(test_cfg_read(&f->t, sbdf, 0x52, 2), 0x0180);
	test_cfg_write(&f->t, sbdf, 0x60, 4, 1);
	test_cfg_write(&f->t, sbdf, 0x54, 4, 0xfee00000);
	test_cfg_write(&f->t, sbdf, 0x58, 4, 0);
	test_cfg_write(&f->t, sbdf, 0x5c, 2, 0x4029);
	test_cfg_write(&f->t, sbdf, 0x52, 2, 0x0181);
	test_cfg_write(&f->t, sbdf, 0x60, 4, 0);
	expect_events(&f->t,
	              "hw-write 0000:01:00.0 0x60 4 0x1\n"
	              "msi-bind 0000:01:00.0 0 0xfee00000 0x4029 dest=0x0 vector=0x29 fixed\n"
	              "hw-write 0000:01:00.0 0x54 4 0xfee00000\n"
	              "hw-write 0000:01:00.0 0x58 4 0x0\n"
	              "hw-write 0000:01:00.0 0x5c 2 0x4029\n"
	              "hw-write 0000:01:00.0 0x52 2 0x181\n"
	              "msi-mask 0000:01:00.0 0 0\n"
	              "hw-write 0000:01:00.0 0x60 4 0x0\n");
}

/* Myricom: MSI at 0x44, 64-bit without masking; data at 0x50 and the
 * power management capability right after, at 0x54.  A dword write at
 * the data passes only bytes 0x52..0x53, outside the capability. */
static void test_dump_myricom(void **state)
{
	pvhdev_sbdf_t sbdf = PVHDEV_SBDF(0, 2, 0, 0);

	if (!load_dump(state, "myricom-myri10g-nic-ats.lspci", sbdf)) {
		skip();
		return;
	}
	struct fx *f = *state;
	assert_int_equal(test_cfg_read(&f->t, sbdf, 0x46, 2), 0x0080);
	test_cfg_write(&f->t, sbdf, 0x48, 4, 0xfee0f000);
	test_cfg_write(&f->t, sbdf, 0x50, 4, 0x00004031);
	expect_events(&f->t, "hw-write 0000:02:00.0 0x52 2 0x0\n");
	test_cfg_write(&f->t, sbdf, 0x46, 2, 0x0081);
	expect_events(&f->t,
	              "msi-bind 0000:02:00.0 0 0xfee0f000 0x4031 dest=0xf vector=0x31 fixed\n"
	              "hw-write 0000:02:00.0 0x48 4 0xfee0f000\n"
	              "hw-write 0000:02:00.0 0x4c 4 0x0\n"
	              "hw-write 0000:02:00.0 0x50 2 0x4031\n"
	              "hw-write 0000:02:00.0 0x46 2 0x81\n");
	assert_int_equal(test_cfg_read(&f->t, sbdf, 0x54, 1), 0x01); /* PM */
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_decode),
	cmocka_unit_test_teardown(test_read_every_width, test_teardown),
	cmocka_unit_test_teardown(test_control_read_only_bits, test_teardown),
	cmocka_unit_test_teardown(test_address_reserved_bits, test_teardown),
	cmocka_unit_test_teardown(test_writes_stay_in_guest_view, test_teardown),
	cmocka_unit_test_teardown(test_linux_sequence, test_teardown),
	cmocka_unit_test_teardown(test_bind_32bit, test_teardown),
	cmocka_unit_test_teardown(test_bind_64bit, test_teardown),
	cmocka_unit_test_teardown(test_multi_message, test_teardown),
	cmocka_unit_test_teardown(test_mme_clamped, test_teardown),
	cmocka_unit_test_teardown(test_reserved_mmc, test_teardown),
	cmocka_unit_test_teardown(test_mme_change_while_enabled, test_teardown),
	cmocka_unit_test_teardown(test_disable_unbinds, test_teardown),
	cmocka_unit_test_teardown(test_rebind_on_write, test_teardown),
	cmocka_unit_test_teardown(test_bad_address_then_good, test_teardown),
	cmocka_unit_test_teardown(test_rebind_to_bad_address, test_teardown),
	cmocka_unit_test_teardown(test_found_enabled, test_teardown),
	cmocka_unit_test_teardown(test_guest_mask, test_teardown),
	cmocka_unit_test_teardown(test_host_mask_hidden_from_guest, test_teardown),
	cmocka_unit_test_teardown(test_host_mask_unbound, test_teardown),
	cmocka_unit_test_teardown(test_host_mask_errors, test_teardown),
	cmocka_unit_test_teardown(test_no_msi_capability, test_teardown),
	cmocka_unit_test_teardown(test_pending_from_hardware, test_teardown),
	cmocka_unit_test_teardown(test_write_spanning_data, test_teardown),
	cmocka_unit_test_teardown(test_write_spanning_reserved, test_teardown),
	cmocka_unit_test_teardown(test_write_spanning_header, test_teardown),
	cmocka_unit_test_teardown(test_hook_refuses_bind, test_teardown),
	cmocka_unit_test_teardown(test_binding_query, test_teardown),
	cmocka_unit_test_teardown(test_dev_remove_unbinds, test_teardown),
	cmocka_unit_test_teardown(test_dev_hide_unbinds, test_teardown),
	cmocka_unit_test_teardown(test_alloc_failures, test_teardown),
	cmocka_unit_test_teardown(test_backend_failure, test_teardown),
	cmocka_unit_test_teardown(test_dump_82576, test_teardown),
	cmocka_unit_test_teardown(test_dump_myricom, test_teardown),
};

PVHDEV_TEST_MAIN("msi", tests)
