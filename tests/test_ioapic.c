/* SPDX-License-Identifier: MIT */
/*
 * Virtual IO-APICs: registers, access sizes, binding on unmask, GSI
 * lookup, and what pvhdev_ioapic_add() refuses.
 *
 * Platforms:
 *   one    a single 24-pin IO-APIC, ID 2, at 0xfec00000, GSIs 0..23
 *   large  8 IO-APICs (24 + 7 x 120 pins) whose GSIs run up to 1023,
 *          with a gap (384..543) between the 4th and the 5th, added in
 *          shuffled order
 *   empty  a domain without IO-APICs
 * All accesses go through pvhdev_mmio_read / pvhdev_mmio_write.
 */
#include "helpers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/ioapic.h>

#define BASE 0xfec00000ull
#define IOREGSEL 0x00u
#define IOWIN 0x10u

/* Redirection entry, low dword. */
#define MASK (1u << 16)
#define LEVEL (1u << 15)
#define RIRR (1u << 14)
#define LOW (1u << 13)
#define DSTS (1u << 12)

struct fx {
	struct test_dom t;
	unsigned hook_calls;
	int hook_ret; /* what the hypervisor hook answers */
	struct pvhdev_event last; /* what the hook saw last */
};

/* ---- The large platform ---- */

static const struct {
	uint8_t id;
	uint64_t addr;
	uint32_t gsi_base;
	unsigned pins;
} large[] = {
	{ 1, 0xfec00000, 0, 24 },    { 2, 0xfec01000, 24, 120 },
	{ 3, 0xfec02000, 144, 120 }, { 4, 0xfec03000, 264, 120 },
	/* gap: GSIs 384..543 belong to no IO-APIC */
	{ 5, 0xfec04000, 544, 120 }, { 6, 0xfec05000, 664, 120 },
	{ 7, 0xfec06000, 784, 120 }, { 8, 0xfec07000, 904, 120 },
};
#define NLARGE (sizeof(large) / sizeof(large[0]))
static const unsigned large_order[NLARGE] = { 5, 0, 7, 2, 4, 1, 6, 3 };

/* ---- Fixtures ---- */

static int setup_empty(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(test_dom_init(&f->t, NULL, 0), 0);
	*state = f;
	return 0;
}

static int setup_one(void **state)
{
	setup_empty(state);
	struct fx *f = *state;
	assert_int_equal(pvhdev_ioapic_add(f->t.dom, 2, BASE, 0, 24), 0);
	return 0;
}

static int setup_large(void **state)
{
	setup_empty(state);
	struct fx *f = *state;
	for (unsigned i = 0; i < NLARGE; i++) {
		unsigned k = large_order[i];
		assert_int_equal(pvhdev_ioapic_add(f->t.dom, large[k].id, large[k].addr,
		                                   large[k].gsi_base, large[k].pins),
		                 0);
	}
	return 0;
}

static int hook(void *ctx, const struct pvhdev_event *ev)
{
	struct fx *f = ctx;

	f->hook_calls++;
	f->last = *ev;
	return f->hook_ret;
}

static const struct pvhdev_hooks hooks = {
	.size = sizeof(hooks),
	.effect = hook,
};

/* As setup_one, on a domain whose hypervisor hook the test controls
 * (test_dom_init() takes no hooks). */
static int setup_hooked(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(test_dom_init_hooks(&f->t, NULL, 0, &hooks, f), 0);
	assert_int_equal(pvhdev_ioapic_add(f->t.dom, 2, BASE, 0, 24), 0);
	*state = f;
	return 0;
}


/* ---- Access helpers ---- */

static uint64_t rd(struct fx *f, uint64_t addr, unsigned size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;
	assert_int_equal(pvhdev_mmio_read(f->t.dom, addr, size, &v), 0);
	return v;
}

static void wr(struct fx *f, uint64_t addr, unsigned size, uint64_t v)
{
	assert_int_equal(pvhdev_mmio_write(f->t.dom, addr, size, v), 0);
}

/* IOREGSEL = reg, then IOWIN: what a driver does. */
static uint32_t reg_rd(struct fx *f, uint64_t base, unsigned reg)
{
	wr(f, base + IOREGSEL, 4, reg);
	return (uint32_t)rd(f, base + IOWIN, 4);
}

static void reg_wr(struct fx *f, uint64_t base, unsigned reg, uint32_t v)
{
	wr(f, base + IOREGSEL, 4, reg);
	wr(f, base + IOWIN, 4, v);
}

/* Linux's order (__ioapic_write_entry): high dword, then low. */
static void rte_wr(struct fx *f, uint64_t base, unsigned pin, uint32_t hi,
                   uint32_t lo)
{
	reg_wr(f, base, 0x11 + 2 * pin, hi);
	reg_wr(f, base, 0x10 + 2 * pin, lo);
}

static void expect_lookup(struct fx *f, uint32_t gsi, unsigned index,
                          unsigned pin)
{
	unsigned i = ~0u, p = ~0u;
	assert_int_equal(pvhdev_gsi_lookup(f->t.dom, gsi, &i, &p), 0);
	assert_int_equal(i, index);
	assert_int_equal(p, pin);
}

static void expect_no_gsi(struct fx *f, uint32_t gsi)
{
	unsigned i = 77, p = 77;
	assert_int_equal(pvhdev_gsi_lookup(f->t.dom, gsi, &i, &p), -ENOENT);
	assert_int_equal(i, 77); /* untouched on failure */
	assert_int_equal(p, 77);
}

/* Binding as pvhdev_gsi_binding() reports it: 'u'nbound, or "el"/"eh"/
 * "ll"/"lh" for edge/level and low/high. */
static const char *binding(struct fx *f, uint32_t gsi)
{
	bool bound = true, level = true, low = true;
	assert_int_equal(pvhdev_gsi_binding(f->t.dom, gsi, &bound, &level, &low), 0);
	if (!bound) {
		assert_false(level);
		assert_false(low);
		return "u";
	}
	return level ? (low ? "ll" : "lh") : (low ? "el" : "eh");
}

/* Every entry of the IO-APIC at base still reads as reset. */
static void expect_reset(struct fx *f, uint64_t base, unsigned pins)
{
	for (unsigned p = 0; p < pins; p++) {
		assert_int_equal(reg_rd(f, base, 0x10 + 2 * p), MASK);
		assert_int_equal(reg_rd(f, base, 0x11 + 2 * p), 0);
	}
}

/* ---- Registers ---- */

/* ID 2 in bits 27:24, version 0x11 with max redirection entry 23 in
 * bits 23:16, arbitration ID = ID; IOREGSEL starts at 0. */
static void test_reset_registers(void **state)
{
	struct fx *f = *state;

	assert_int_equal(rd(f, BASE + IOREGSEL, 4), 0);
	assert_int_equal(rd(f, BASE + IOWIN, 4), 0x02000000); /* sel 0: ID */
	assert_int_equal(reg_rd(f, BASE, 0x00), 0x02000000);
	assert_int_equal(reg_rd(f, BASE, 0x01), 0x00170011);
	assert_int_equal(reg_rd(f, BASE, 0x02), 0x02000000);
	assert_int_equal(rd(f, BASE + IOREGSEL, 4), 0x02);
	expect_events(&f->t, "");
}

/* Every pin starts masked, edge, active high, vector 0, destination 0;
 * no GSI is bound. */
static void test_reset_pins_masked(void **state)
{
	struct fx *f = *state;

	expect_reset(f, BASE, 24);
	for (uint32_t gsi = 0; gsi < 24; gsi++)
		assert_string_equal(binding(f, gsi), "u");
	expect_events(&f->t, "");
}

/* The ID is writable (bits 31:24; 23:0 reserved) and reloads the 4-bit
 * arbitration ID; version and arbitration ignore writes.  The platform's
 * ID (pvhdev_ioapic_get) does not change. */
static void test_id_write(void **state)
{
	struct fx *f = *state;
	struct pvhdev_ioapic_info info;

	reg_wr(f, BASE, 0x00, 0x0f0000ff);
	assert_int_equal(reg_rd(f, BASE, 0x00), 0x0f000000);
	assert_int_equal(reg_rd(f, BASE, 0x02), 0x0f000000);
	reg_wr(f, BASE, 0x00, 0x35000000); /* an 8-bit (AMD-style) ID */
	assert_int_equal(reg_rd(f, BASE, 0x00), 0x35000000);
	assert_int_equal(reg_rd(f, BASE, 0x02), 0x05000000);
	reg_wr(f, BASE, 0x01, 0xffffffff);
	reg_wr(f, BASE, 0x02, 0xffffffff);
	assert_int_equal(reg_rd(f, BASE, 0x01), 0x00170011);
	assert_int_equal(reg_rd(f, BASE, 0x02), 0x05000000);
	assert_int_equal(pvhdev_ioapic_get(f->t.dom, 0, &info), 0);
	assert_int_equal(info.id, 2);
	expect_reset(f, BASE, 24);
	expect_events(&f->t, "");
}

/* IOREGSEL takes 1, 2 and 4-byte accesses at offset 0 and keeps bits
 * 7:0; its reserved bytes (1..3) read 0 and ignore writes; 8-byte
 * accesses are not IO-APIC accesses (read 0, ignored). */
static void test_ioregsel_sizes(void **state)
{
	struct fx *f = *state;

	wr(f, BASE + IOREGSEL, 1, 0x01);
	assert_int_equal(rd(f, BASE + IOREGSEL, 4), 0x01);
	assert_int_equal(rd(f, BASE + IOWIN, 4), 0x00170011);
	wr(f, BASE + IOREGSEL, 2, 0x0110);
	assert_int_equal(rd(f, BASE + IOREGSEL, 2), 0x10);
	wr(f, BASE + IOREGSEL, 4, 0xabcdef02);
	assert_int_equal(rd(f, BASE + IOREGSEL, 1), 0x02);
	assert_int_equal(rd(f, BASE + IOWIN, 4), 0x02000000);
	for (unsigned off = 1; off < 4; off++) {
		wr(f, BASE + off, 1, 0x13);
		assert_int_equal(rd(f, BASE + off, 1), 0);
	}
	wr(f, BASE + 2, 2, 0x1313);
	assert_int_equal(rd(f, BASE + 2, 2), 0);
	wr(f, BASE + IOREGSEL, 8, 0x13);
	assert_int_equal(rd(f, BASE + IOREGSEL, 8), 0);
	assert_int_equal(rd(f, BASE + IOREGSEL, 4), 0x02);
}

/* IOWIN must be accessed as a dword (82093AA): 1, 2 and 8-byte reads
 * return 0 and such writes are ignored, even one that would unmask. */
static void test_iowin_sizes(void **state)
{
	struct fx *f = *state;
	static const struct {
		unsigned off, size;
	} bad[] = {
		{ 0x10, 1 }, { 0x11, 1 }, { 0x12, 1 }, { 0x13, 1 },
		{ 0x10, 2 }, { 0x12, 2 }, { 0x10, 8 },
	};

	wr(f, BASE + IOREGSEL, 4, 0x01);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rd(f, BASE + bad[i].off, bad[i].size), 0);
	wr(f, BASE + IOREGSEL, 4, 0x10);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		wr(f, BASE + bad[i].off, bad[i].size, 0x31);
	assert_int_equal(rd(f, BASE + IOWIN, 4), MASK);
	expect_events(&f->t, "");
	wr(f, BASE + IOWIN, 4, 0x31); /* the dword write does unmask */
	expect_events(&f->t, "gsi-bind 0 edge high\n");
}

/* Accesses the core calls malformed (misaligned, odd sizes) get the
 * hardware's answer from the core before the IO-APIC sees them. */
static void test_malformed_access(void **state)
{
	struct fx *f = *state;

	wr(f, BASE + IOREGSEL, 4, 0x10);
	assert_int_equal(rd(f, BASE + 0x11, 4), 0xffffffff);
	assert_int_equal(rd(f, BASE + 0x12, 4), 0xffffffff);
	assert_int_equal(rd(f, BASE + 0x10, 3), 0xffffff);
	wr(f, BASE + 0x11, 4, 0);
	wr(f, BASE + 0x10, 3, 0);
	assert_int_equal(rd(f, BASE + IOWIN, 4), MASK);
	expect_events(&f->t, "");
}

/* Offsets other than IOREGSEL and IOWIN read 0 and ignore writes: the
 * reserved dwords, the EOI register of version 0x20 parts (0x40: we
 * model 0x11), the rest of the window.  Outside it nothing is trapped. */
static void test_unknown_offsets(void **state)
{
	struct fx *f = *state;
	static const unsigned offs[] = { 0x04, 0x08, 0x0c, 0x14, 0x18, 0x1c,
	                                 0x20, 0x30, 0x40, 0x80, 0xfc };
	uint64_t v;

	wr(f, BASE + IOREGSEL, 4, 0x10);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		wr(f, BASE + offs[i], 4, 0);
		assert_int_equal(rd(f, BASE + offs[i], 4), 0);
	}
	assert_int_equal(rd(f, BASE + IOREGSEL, 4), 0x10);
	assert_int_equal(rd(f, BASE + IOWIN, 4), MASK);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, BASE + 0x100, 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, BASE - 4, 4, &v), -ENXIO);
	assert_int_equal(pvhdev_mmio_write(f->t.dom, BASE + 0x100, 4, 0), -ENXIO);
	expect_events(&f->t, "");
}

/* IOREGSEL values that select nothing (0x03..0x0f, and from
 * 0x10 + 2 * pins = 0x40 up to 0xff) read 0 and writes change nothing. */
static void test_ioregsel_out_of_range(void **state)
{
	struct fx *f = *state;

	for (unsigned sel = 0x03; sel <= 0xff; sel++) {
		if (sel == 0x10)
			sel = 0x40;
		reg_wr(f, BASE, sel, 0);
		reg_wr(f, BASE, sel, 0xffffffff);
		assert_int_equal(reg_rd(f, BASE, sel), 0);
	}
	assert_int_equal(reg_rd(f, BASE, 0x00), 0x02000000);
	assert_int_equal(reg_rd(f, BASE, 0x01), 0x00170011);
	expect_reset(f, BASE, 24);
	expect_events(&f->t, "");
}

/* IOREGSEL is 8 bits: 0x110 selects entry 0's low dword, not a register
 * past the table. */
static void test_ioregsel_8bit(void **state)
{
	struct fx *f = *state;

	wr(f, BASE + IOREGSEL, 4, 0x110);
	assert_int_equal(rd(f, BASE + IOREGSEL, 4), 0x10);
	wr(f, BASE + IOWIN, 4, LEVEL | LOW | 0x31);
	expect_events(&f->t, "gsi-bind 0 level low\n");
	wr(f, BASE + IOREGSEL, 4, 0xffffff11);
	assert_int_equal(rd(f, BASE + IOWIN, 4), 0);
	assert_int_equal(reg_rd(f, BASE, 0x10), LEVEL | LOW | 0x31);
}

/* ---- Binding ---- */

/* Linux: clear_IO_APIC masks each pin, setup writes the entry masked
 * (high dword, then low), and the unmask writes low with bit 16 clear.
 * Only the unmask binds. */
static void test_linux_order_binds(void **state)
{
	struct fx *f = *state;

	reg_wr(f, BASE, 0x10 + 2 * 9, MASK);
	rte_wr(f, BASE, 9, 0x01000000, MASK | LEVEL | LOW | 0x31);
	expect_events(&f->t, "");
	assert_string_equal(binding(f, 9), "u");
	reg_wr(f, BASE, 0x10 + 2 * 9, LEVEL | LOW | 0x31);
	expect_events(&f->t, "gsi-bind 9 level low\n");
	assert_string_equal(binding(f, 9), "ll");
	assert_int_equal(reg_rd(f, BASE, 0x12 + 2 * 8), LEVEL | LOW | 0x31);
	assert_int_equal(reg_rd(f, BASE, 0x23), 0x01000000);
}

/* The direct form: high dword, then low already unmasked. */
static void test_bind_edge_high(void **state)
{
	struct fx *f = *state;

	rte_wr(f, BASE, 1, 0x00000000, 0x31);
	rte_wr(f, BASE, 4, 0x03000000, 0x34 | LOW);
	rte_wr(f, BASE, 14, 0x00000000, 0x3e | LEVEL);
	expect_events(&f->t, "gsi-bind 1 edge high\n"
	                     "gsi-bind 4 edge low\n"
	                     "gsi-bind 14 level high\n");
	assert_string_equal(binding(f, 1), "eh");
	assert_string_equal(binding(f, 4), "el");
	assert_string_equal(binding(f, 14), "lh");
	assert_string_equal(binding(f, 2), "u");
}

/* Each pin binds its own GSI and nothing else. */
static void test_bind_every_pin(void **state)
{
	struct fx *f = *state;
	char want[64];

	for (unsigned p = 0; p < 24; p++) {
		uint32_t lo = (0x20 + p) | (p & 1 ? LEVEL : 0) | (p & 2 ? LOW : 0);
		rte_wr(f, BASE, p, p << 24, lo);
		snprintf(want, sizeof(want), "gsi-bind %u %s %s\n", p,
		         p & 1 ? "level" : "edge", p & 2 ? "low" : "high");
		expect_events(&f->t, want);
		for (unsigned q = p + 1; q < 24; q++)
			assert_string_equal(binding(f, q), "u");
		assert_int_equal(reg_rd(f, BASE, 0x10 + 2 * p), lo);
		assert_int_equal(reg_rd(f, BASE, 0x11 + 2 * p), p << 24);
	}
}

/* Delivery status (12) and remote IRR (14) are read-only: writing 1
 * leaves them 0, whether the write masks or unmasks. */
static void test_ro_bits(void **state)
{
	struct fx *f = *state;

	reg_wr(f, BASE, 0x10, MASK | RIRR | DSTS | 0x31);
	assert_int_equal(reg_rd(f, BASE, 0x10), MASK | 0x31);
	expect_events(&f->t, "");
	reg_wr(f, BASE, 0x10, 0xffffffff & ~MASK);
	assert_int_equal(reg_rd(f, BASE, 0x10), 0xffffffff & ~(MASK | RIRR | DSTS));
	expect_events(&f->t, "gsi-bind 0 level low\n");
}

/* The high dword is stored as written (destination in 31:24; the rest
 * has no meaning in the model) and never binds. */
static void test_high_dword(void **state)
{
	struct fx *f = *state;

	reg_wr(f, BASE, 0x11, 0xffffffff);
	assert_int_equal(reg_rd(f, BASE, 0x11), 0xffffffff);
	assert_int_equal(reg_rd(f, BASE, 0x10), MASK);
	reg_wr(f, BASE, 0x11, 0x0f000000);
	assert_int_equal(reg_rd(f, BASE, 0x11), 0x0f000000);
	expect_events(&f->t, "");
}

/* Only a 1 -> 0 change of the mask bit binds: writes that keep the pin
 * masked, or rewrite an unmasked pin, do not. */
static void test_no_transition_no_bind(void **state)
{
	struct fx *f = *state;

	reg_wr(f, BASE, 0x10 + 2 * 5, MASK | LEVEL | 0x35);
	reg_wr(f, BASE, 0x10 + 2 * 5, MASK | LOW | 0x36);
	expect_events(&f->t, "");
	reg_wr(f, BASE, 0x10 + 2 * 5, 0x35);
	expect_events(&f->t, "gsi-bind 5 edge high\n");
	reg_wr(f, BASE, 0x10 + 2 * 5, 0x45);
	reg_wr(f, BASE, 0x10 + 2 * 5, LEVEL | 0x45);
	expect_events(&f->t, "");
	assert_string_equal(binding(f, 5), "eh");
}

/* Masking again does not unbind; unmasking again with the same trigger
 * mode and polarity is silent. */
static void test_mask_again_keeps_binding(void **state)
{
	struct fx *f = *state;

	rte_wr(f, BASE, 9, 0, LEVEL | LOW | 0x39);
	expect_events(&f->t, "gsi-bind 9 level low\n");
	reg_wr(f, BASE, 0x10 + 2 * 9, MASK | LEVEL | LOW | 0x39);
	assert_string_equal(binding(f, 9), "ll");
	expect_events(&f->t, "");
	reg_wr(f, BASE, 0x10 + 2 * 9, LEVEL | LOW | 0x49);
	expect_events(&f->t, "");
	assert_string_equal(binding(f, 9), "ll");
	assert_int_equal(f->t.log_len, 0);
}

/* A later unmask with another trigger mode or polarity is reported (the
 * requested mode in the event, a warning in the log) and the first
 * binding stays, as Xen keeps the pin as first programmed. */
static void test_conflict_keeps_first(void **state)
{
	struct fx *f = *state;

	rte_wr(f, BASE, 9, 0, LEVEL | LOW | 0x39);
	reg_wr(f, BASE, 0x10 + 2 * 9, MASK | 0x39);
	reg_wr(f, BASE, 0x10 + 2 * 9, 0x39);
	reg_wr(f, BASE, 0x10 + 2 * 9, MASK | LEVEL | 0x39);
	reg_wr(f, BASE, 0x10 + 2 * 9, LEVEL | 0x39);
	expect_events(&f->t, "gsi-bind 9 level low\n"
	                     "gsi-conflict 9 edge high\n"
	                     "gsi-conflict 9 level high\n");
	assert_string_equal(binding(f, 9), "ll");
	assert_non_null(strstr(f->t.log, "ioapic: GSI 9 unmasked as edge high, "
	                                 "keeping level low\n"));
	assert_non_null(strstr(f->t.log, "ioapic: GSI 9 unmasked as level high, "
	                                 "keeping level low\n"));
	/* The register shows what dom0 wrote, not the binding. */
	assert_int_equal(reg_rd(f, BASE, 0x10 + 2 * 9), LEVEL | 0x39);
}

/* The hypervisor hook sees each binding; when it refuses, the GSI stays
 * unbound and the next unmask tries again. */
static void test_hook_refusal_retries(void **state)
{
	struct fx *f = *state;

	f->hook_ret = -EPERM;
	rte_wr(f, BASE, 9, 0, LEVEL | LOW | 0x39);
	expect_events(&f->t, "gsi-bind 9 level low refused=-1\n");
	assert_int_equal(f->hook_calls, 1);
	assert_int_equal(f->last.kind, PVHDEV_EV_GSI_BIND);
	assert_int_equal(f->last.u.gsi.gsi, 9);
	assert_int_equal(f->last.u.gsi.level, 1);
	assert_int_equal(f->last.u.gsi.active_low, 1);
	assert_string_equal(binding(f, 9), "u");
	assert_non_null(strstr(f->t.log, "ioapic: binding GSI 9 refused (-1)\n"));

	reg_wr(f, BASE, 0x10 + 2 * 9, LEVEL | 0x39); /* still unmasked: no retry */
	expect_events(&f->t, "");
	f->hook_ret = 0;
	reg_wr(f, BASE, 0x10 + 2 * 9, MASK | LEVEL | 0x39);
	reg_wr(f, BASE, 0x10 + 2 * 9, LEVEL | 0x39);
	expect_events(&f->t, "gsi-bind 9 level high\n");
	assert_int_equal(f->hook_calls, 2);
	assert_string_equal(binding(f, 9), "lh");
}

/* A conflict goes to the hook too; its answer changes nothing. */
static void test_hook_sees_conflict(void **state)
{
	struct fx *f = *state;

	rte_wr(f, BASE, 3, 0, 0x33);
	reg_wr(f, BASE, 0x16, MASK | 0x33);
	f->hook_ret = -EPERM;
	reg_wr(f, BASE, 0x16, LOW | 0x33);
	expect_events(&f->t, "gsi-bind 3 edge high\n"
	                     "gsi-conflict 3 edge low refused=-1\n");
	assert_int_equal(f->last.kind, PVHDEV_EV_GSI_CONFLICT);
	assert_string_equal(binding(f, 3), "eh");
}

/* ---- Adding IO-APICs ---- */

/* 120 pins is the most an 8-bit IOREGSEL reaches: entry 119 is 0xfe/0xff
 * and the version register says 0x77. */
static void test_max_pins(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_ioapic_add(f->t.dom, 9, BASE, 100, 120), 0);
	assert_int_equal(reg_rd(f, BASE, 0x01), 0x00770011);
	reg_wr(f, BASE, 0xff, 0x0a000000);
	reg_wr(f, BASE, 0xfe, LEVEL | LOW | 0xee);
	expect_events(&f->t, "gsi-bind 219 level low\n");
	assert_int_equal(reg_rd(f, BASE, 0xfe), LEVEL | LOW | 0xee);
	assert_int_equal(reg_rd(f, BASE, 0xff), 0x0a000000);
	expect_lookup(f, 219, 0, 119);
	expect_no_gsi(f, 220);
	expect_no_gsi(f, 99);
}

static void test_bad_args(void **state)
{
	struct fx *f = *state;
	struct pvhdev_domain *d = f->t.dom;
	unsigned n = 99;

	assert_int_equal(pvhdev_ioapic_add(d, 0, BASE, 0, 0), -EINVAL);
	assert_int_equal(pvhdev_ioapic_add(d, 0, BASE, 0, 121), -EINVAL);
	assert_int_equal(pvhdev_ioapic_add(d, 0, BASE, 0, 240), -EINVAL);
	assert_int_equal(pvhdev_ioapic_add(d, 0, BASE, 0, 241), -EINVAL);
	assert_int_equal(pvhdev_ioapic_add(d, 0, BASE + 4, 0, 24), -EINVAL);
	assert_int_equal(pvhdev_ioapic_add(d, 0, BASE + 8, 0, 24), -EINVAL);
	assert_int_equal(pvhdev_ioapic_add(d, 0, 0xfffffffffffffff0ull, 0, 24),
	                 -EINVAL);
	assert_int_equal(pvhdev_ioapic_add(d, 0, BASE, 0xffffffe9u, 24), -EINVAL);
	assert_int_equal(pvhdev_ioapic_add(NULL, 0, BASE, 0, 24), -EINVAL);
	assert_int_equal(pvhdev_ioapic_count(d, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pvhdev_ioapic_count(d, NULL), -EINVAL);
	assert_int_equal(pvhdev_ioapic_count(NULL, &n), -EINVAL);
	expect_no_gsi(f, 0);
}

/* GSI ranges at the top of the 32-bit space and a window ending at the
 * top of the 64-bit space are fine. */
static void test_top_of_space(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_ioapic_add(f->t.dom, 0, 0xffffffffffffff00ull,
	                                   0xffffffe8u, 24),
	                 0);
	expect_lookup(f, 0xffffffffu, 0, 23);
	expect_lookup(f, 0xffffffe8u, 0, 0);
	expect_no_gsi(f, 0xffffffe7u);
	reg_wr(f, 0xffffffffffffff00ull, 0x10 + 2 * 23, 0x31);
	expect_events(&f->t, "gsi-bind 4294967295 edge high\n");
	assert_int_equal(rd(f, 0xffffffffffffff00ull + 0xfc, 4), 0);
}

static void test_gsi_overlap_refused(void **state)
{
	struct fx *f = *state;
	struct pvhdev_domain *d = f->t.dom;
	unsigned n;

	assert_int_equal(pvhdev_ioapic_add(d, 1, 0xfec10000, 100, 24), 0);
	assert_int_equal(pvhdev_ioapic_add(d, 2, 0xfec20000, 100, 24), -EEXIST);
	assert_int_equal(pvhdev_ioapic_add(d, 2, 0xfec20000, 123, 1), -EEXIST);
	assert_int_equal(pvhdev_ioapic_add(d, 2, 0xfec20000, 110, 5), -EEXIST);
	assert_int_equal(pvhdev_ioapic_add(d, 2, 0xfec20000, 90, 11), -EEXIST);
	assert_int_equal(pvhdev_ioapic_add(d, 2, 0xfec20000, 80, 120), -EEXIST);
	assert_int_equal(pvhdev_ioapic_count(d, &n), 0);
	assert_int_equal(n, 1);
	/* Adjacent ranges on both sides are not overlaps. */
	assert_int_equal(pvhdev_ioapic_add(d, 2, 0xfec20000, 90, 10), 0);
	assert_int_equal(pvhdev_ioapic_add(d, 3, 0xfec30000, 124, 8), 0);
	assert_int_equal(pvhdev_ioapic_add(d, 4, 0xfec40000, 99, 1), -EEXIST);
	assert_int_equal(pvhdev_ioapic_count(d, &n), 0);
	assert_int_equal(n, 3);
	expect_lookup(f, 99, 0, 9);
	expect_lookup(f, 100, 1, 0);
	expect_lookup(f, 123, 1, 23);
	expect_lookup(f, 124, 2, 0);
	expect_no_gsi(f, 89);
	expect_no_gsi(f, 132);
}

/* Windows may not overlap each other or any other trapped range (an
 * ECAM window here); a refused add leaves no trace. */
static void test_window_overlap_refused(void **state)
{
	struct fx *f = *state;
	struct pvhdev_domain *d = f->t.dom;
	uint64_t v;
	unsigned n;

	assert_int_equal(pvhdev_ioapic_add(d, 1, BASE, 0, 24), 0);
	assert_int_equal(pvhdev_ioapic_add(d, 2, BASE, 24, 24), -EEXIST);
	assert_int_equal(pvhdev_ioapic_add(d, 2, BASE + 0x80, 24, 24), -EEXIST);
	assert_int_equal(pvhdev_ioapic_add(d, 2, BASE + 0xf0, 24, 24), -EEXIST);
	assert_int_equal(pvhdev_ioapic_add(d, 2, BASE - 0xf0, 24, 24), -EEXIST);
	expect_no_gsi(f, 24);
	assert_int_equal(pvhdev_ioapic_add(d, 2, BASE + 0x100, 24, 24), 0);

	assert_int_equal(pvhdev_mmcfg_add(d, 0xe0000000ull, 0, 0, 15), 0);
	assert_int_equal(pvhdev_ioapic_add(d, 3, 0xe0fff000ull, 48, 24), -EEXIST);
	assert_int_equal(pvhdev_mmcfg_add(d, 0xfe000000ull, 1, 0, 255), -EEXIST);
	assert_int_equal(pvhdev_ioapic_count(d, &n), 0);
	assert_int_equal(n, 2);
	expect_no_gsi(f, 48);
	assert_int_equal(pvhdev_mmio_read(d, BASE + 0x200, 4, &v), -ENXIO);
	assert_int_equal(reg_rd(f, BASE + 0x100, 0x01), 0x00170011);
}

/* ---- Lookup ---- */

static void test_one_ioapic_lookup(void **state)
{
	struct fx *f = *state;
	struct pvhdev_ioapic_info info;
	unsigned n;

	assert_int_equal(pvhdev_ioapic_count(f->t.dom, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pvhdev_ioapic_get(f->t.dom, 0, &info), 0);
	assert_int_equal(info.id, 2);
	assert_int_equal(info.addr, BASE);
	assert_int_equal(info.gsi_base, 0);
	assert_int_equal(info.pins, 24);
	assert_int_equal(pvhdev_ioapic_get(f->t.dom, 1, &info), -ENOENT);
	assert_int_equal(pvhdev_ioapic_get(f->t.dom, 0, NULL), -EINVAL);
	for (uint32_t gsi = 0; gsi < 24; gsi++)
		expect_lookup(f, gsi, 0, gsi);
	expect_no_gsi(f, 24);
	expect_no_gsi(f, 255);
	expect_no_gsi(f, 0xffffffffu);
	/* NULL out-parameters are allowed. */
	assert_int_equal(pvhdev_gsi_lookup(f->t.dom, 5, NULL, NULL), 0);
	assert_int_equal(pvhdev_gsi_binding(f->t.dom, 5, NULL, NULL, NULL), 0);
}

/* Each IO-APIC at index i (GSI order) answers for base and base+pins-1;
 * the GSIs just outside belong to the neighbours, or to nobody in the
 * gap and past the end. */
static void test_large_lookup_boundaries(void **state)
{
	struct fx *f = *state;
	unsigned n;

	assert_int_equal(pvhdev_ioapic_count(f->t.dom, &n), 0);
	assert_int_equal(n, NLARGE);
	for (unsigned i = 0; i < NLARGE; i++) {
		uint32_t first = large[i].gsi_base;
		uint32_t last = first + large[i].pins - 1;
		struct pvhdev_ioapic_info info;

		assert_int_equal(pvhdev_ioapic_get(f->t.dom, i, &info), 0);
		assert_int_equal(info.id, large[i].id);
		assert_int_equal(info.addr, large[i].addr);
		assert_int_equal(info.gsi_base, first);
		assert_int_equal(info.pins, large[i].pins);
		expect_lookup(f, first, i, 0);
		expect_lookup(f, first + 1, i, 1);
		expect_lookup(f, last - 1, i, large[i].pins - 2);
		expect_lookup(f, last, i, large[i].pins - 1);
		if (i + 1 < NLARGE && large[i + 1].gsi_base == last + 1)
			expect_lookup(f, last + 1, i + 1, 0);
		else
			expect_no_gsi(f, last + 1);
		if (i == 0)
			continue;
		if (large[i - 1].gsi_base + large[i - 1].pins == first)
			expect_lookup(f, first - 1, i - 1, large[i - 1].pins - 1);
		else
			expect_no_gsi(f, first - 1);
	}
	for (uint32_t gsi = 384; gsi < 544; gsi++)
		expect_no_gsi(f, gsi);
	expect_lookup(f, 1023, 7, 119);
	expect_no_gsi(f, 1024);
	expect_no_gsi(f, 0xffffffffu);
	struct pvhdev_ioapic_info past;
	assert_int_equal(pvhdev_ioapic_get(f->t.dom, NLARGE, &past), -ENOENT);
}

/* Every GSI 0..1023 either maps to exactly the IO-APIC whose range has
 * it or, in the gap, to none: 864 pins in all. */
static void test_large_lookup_all(void **state)
{
	struct fx *f = *state;
	unsigned found = 0;

	for (uint32_t gsi = 0; gsi < 1024; gsi++) {
		unsigned i, p;
		int rc = pvhdev_gsi_lookup(f->t.dom, gsi, &i, &p);
		if (gsi >= 384 && gsi < 544) {
			assert_int_equal(rc, -ENOENT);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_true(gsi >= large[i].gsi_base);
		assert_int_equal(p, gsi - large[i].gsi_base);
		assert_true(p < large[i].pins);
		found++;
	}
	assert_int_equal(found, 864);
}

/* Each IO-APIC has its own registers and IOREGSEL. */
static void test_large_registers(void **state)
{
	struct fx *f = *state;

	for (unsigned i = 0; i < NLARGE; i++)
		wr(f, large[i].addr + IOREGSEL, 4, i);
	for (unsigned i = 0; i < NLARGE; i++) {
		uint32_t want = i == 0 ? (uint32_t)large[0].id << 24
		              : i == 1 ? ((large[1].pins - 1) << 16) | 0x11
		              : i == 2 ? (uint32_t)large[2].id << 24 : 0;
		assert_int_equal(rd(f, large[i].addr + IOREGSEL, 4), i);
		assert_int_equal(rd(f, large[i].addr + IOWIN, 4), want);
		assert_int_equal(reg_rd(f, large[i].addr, 0x00),
		                 (uint32_t)large[i].id << 24);
		assert_int_equal(reg_rd(f, large[i].addr, 0x01),
		                 ((large[i].pins - 1) << 16) | 0x11);
	}
}

/* GSIs above 255 bind through their own IO-APIC; the gap has no
 * binding to ask about. */
static void test_large_bind_above_256(void **state)
{
	struct fx *f = *state;
	bool bound;

	rte_wr(f, large[7].addr, 119, 0x01000000, LEVEL | LOW | 0x51);
	rte_wr(f, large[3].addr, 36, 0x02000000, 0x52);
	rte_wr(f, large[4].addr, 0, 0, LEVEL | 0x53);
	rte_wr(f, large[0].addr, 23, 0, LEVEL | LOW | 0x54);
	expect_events(&f->t, "gsi-bind 1023 level low\n"
	                     "gsi-bind 300 edge high\n"
	                     "gsi-bind 544 level high\n"
	                     "gsi-bind 23 level low\n");
	assert_string_equal(binding(f, 1023), "ll");
	assert_string_equal(binding(f, 300), "eh");
	assert_string_equal(binding(f, 544), "lh");
	assert_string_equal(binding(f, 23), "ll");
	assert_string_equal(binding(f, 24), "u");
	assert_string_equal(binding(f, 1022), "u");
	assert_int_equal(pvhdev_gsi_binding(f->t.dom, 400, &bound, NULL, NULL),
	                 -ENOENT);
	assert_int_equal(pvhdev_gsi_binding(f->t.dom, 1024, &bound, NULL, NULL),
	                 -ENOENT);
}

static void test_empty_domain(void **state)
{
	struct fx *f = *state;
	struct pvhdev_ioapic_info info;
	bool bound;
	unsigned n = 7;
	uint64_t v;

	assert_int_equal(pvhdev_ioapic_count(f->t.dom, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pvhdev_ioapic_get(f->t.dom, 0, &info), -ENOENT);
	expect_no_gsi(f, 0);
	assert_int_equal(pvhdev_gsi_binding(f->t.dom, 0, &bound, NULL, NULL), -ENOENT);
	assert_int_equal(pvhdev_gsi_lookup(NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(pvhdev_gsi_binding(NULL, 0, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(pvhdev_mmio_read(f->t.dom, BASE, 4, &v), -ENXIO);
}

/* ---- Allocation failures ---- */

/* The first add allocates three blocks (the set, its array, the
 * IO-APIC); failing any of them returns -ENOMEM and leaves nothing
 * behind (teardown checks the allocator is back to zero). */
static void test_alloc_fail_first_add(void **state)
{
	struct fx *f = *state;
	unsigned long n, blocks = f->t.alloc.live_blocks;
	unsigned count;
	uint64_t v;
	int rc;

	for (n = 1;; n++) {
		f->t.alloc.fail_at = f->t.alloc.calls + n;
		rc = pvhdev_ioapic_add(f->t.dom, 2, BASE, 0, 24);
		if (rc == 0)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(pvhdev_ioapic_count(f->t.dom, &count), 0);
		assert_int_equal(count, 0);
		expect_no_gsi(f, 0);
		assert_int_equal(pvhdev_mmio_read(f->t.dom, BASE, 4, &v), -ENXIO);
		assert_int_equal(f->t.alloc.live_blocks, blocks);
	}
	f->t.alloc.fail_at = 0;
	assert_int_equal(n, 4);
	assert_int_equal(reg_rd(f, BASE, 0x01), 0x00170011);
}

/* The fifth add grows the sorted array (then allocates the IO-APIC);
 * a failure at either keeps the four IO-APICs already there intact. */
static void test_alloc_fail_growth(void **state)
{
	struct fx *f = *state;
	unsigned long n, blocks;
	unsigned count;
	int rc;

	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pvhdev_ioapic_add(f->t.dom, (uint8_t)i,
		                                   BASE + 0x1000 * i, 24 * i, 24),
		                 0);
	rte_wr(f, BASE + 0x3000, 1, 0, 0x31);
	expect_events(&f->t, "gsi-bind 73 edge high\n");
	blocks = f->t.alloc.live_blocks;
	for (n = 1;; n++) {
		f->t.alloc.fail_at = f->t.alloc.calls + n;
		rc = pvhdev_ioapic_add(f->t.dom, 9, 0xfed00000, 96, 120);
		if (rc == 0)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(f->t.alloc.live_blocks, blocks);
		assert_int_equal(pvhdev_ioapic_count(f->t.dom, &count), 0);
		assert_int_equal(count, 4);
		expect_lookup(f, 73, 3, 1);
		expect_no_gsi(f, 96);
	}
	f->t.alloc.fail_at = 0;
	assert_int_equal(n, 3);
	expect_lookup(f, 96, 4, 0);
	expect_lookup(f, 215, 4, 119);
	assert_string_equal(binding(f, 73), "eh");
	assert_int_equal(reg_rd(f, BASE + 0x3000, 0x12), 0x31);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_reset_registers, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_reset_pins_masked, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_id_write, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_ioregsel_sizes, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_iowin_sizes, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_malformed_access, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_unknown_offsets, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_ioregsel_out_of_range, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_ioregsel_8bit, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_linux_order_binds, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_bind_edge_high, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_bind_every_pin, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_ro_bits, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_high_dword, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_no_transition_no_bind, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_mask_again_keeps_binding, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_conflict_keeps_first, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_hook_refusal_retries, setup_hooked, test_teardown),
	cmocka_unit_test_setup_teardown(test_hook_sees_conflict, setup_hooked, test_teardown),
	cmocka_unit_test_setup_teardown(test_max_pins, setup_empty, test_teardown),
	cmocka_unit_test_setup_teardown(test_bad_args, setup_empty, test_teardown),
	cmocka_unit_test_setup_teardown(test_top_of_space, setup_empty, test_teardown),
	cmocka_unit_test_setup_teardown(test_gsi_overlap_refused, setup_empty, test_teardown),
	cmocka_unit_test_setup_teardown(test_window_overlap_refused, setup_empty, test_teardown),
	cmocka_unit_test_setup_teardown(test_one_ioapic_lookup, setup_one, test_teardown),
	cmocka_unit_test_setup_teardown(test_large_lookup_boundaries, setup_large, test_teardown),
	cmocka_unit_test_setup_teardown(test_large_lookup_all, setup_large, test_teardown),
	cmocka_unit_test_setup_teardown(test_large_registers, setup_large, test_teardown),
	cmocka_unit_test_setup_teardown(test_large_bind_above_256, setup_large, test_teardown),
	cmocka_unit_test_setup_teardown(test_empty_domain, setup_empty, test_teardown),
	cmocka_unit_test_setup_teardown(test_alloc_fail_first_add, setup_empty, test_teardown),
	cmocka_unit_test_setup_teardown(test_alloc_fail_growth, setup_empty, test_teardown),
};

PVHDEV_TEST_MAIN("ioapic", tests)
