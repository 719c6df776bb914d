/* SPDX-License-Identifier: MIT */
/*
 * src/pci: the header facts as values (layout per header type, BAR
 * kinds and addresses, size bounds and refusals, probed sizes), the
 * size probe's accesses, and the legacy capability walk over a byte
 * array: list order, the ends it reports, a looping list, the accesses
 * it makes and errors from the reader and the visitor.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "pci/header.h"
#include "pci/names.h"

/* ---- Layouts ---- */

static void test_layout_per_type(void **state)
{
	static const struct {
		unsigned type, nr_bars, nr_base_regs, rom, cap_ptr;
	} rows[] = {
		{ 0, 6, 6, 0x30, 0x34 },  /* endpoint */
		{ 1, 2, 2, 0x38, 0x34 },  /* PCI-to-PCI bridge */
		{ 2, 0, 1, 0, 0x14 },     /* CardBus bridge */
		{ 3, 0, 0, 0, 0 },        /* reserved */
		{ 0x7f, 0, 0, 0, 0 },
		{ 0x80, 0, 0, 0, 0 },     /* not masked: the caller masks */
		{ ~0u, 0, 0, 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct pvhdev__pci_layout *l = pvhdev__pci_layout(rows[i].type);
		assert_non_null(l);
		assert_int_equal(l->nr_bars, rows[i].nr_bars);
		assert_int_equal(l->nr_base_regs, rows[i].nr_base_regs);
		assert_int_equal(l->rom, rows[i].rom);
		assert_int_equal(l->cap_ptr, rows[i].cap_ptr);
	}
	assert_int_equal(PVHDEV_PCI_BASE_ADDRESS(0), 0x10);
	assert_int_equal(PVHDEV_PCI_BASE_ADDRESS(5), 0x24);
	assert_int_equal(PVHDEV_PCI_BASE_ADDRESS(5), PVHDEV_PCI_BASE_ADDRESS_5);
}

/* ---- BAR kinds and addresses ---- */

static void test_bar_kind_and_addr(void **state)
{
	static const struct {
		uint32_t lo, hi;
		enum pvhdev__pci_bar_kind kind;
		uint64_t addr;
	} rows[] = {
		{ 0x00000000, 0, PVHDEV__PCI_BAR_MEM32, 0 },
		{ 0xfe000000, 0, PVHDEV__PCI_BAR_MEM32, 0xfe000000 },
		{ 0xfe00000e, 0, PVHDEV__PCI_BAR_MEM32, 0xfe000000 }, /* type 0b11 */
		{ 0x000d0002, 0, PVHDEV__PCI_BAR_MEM32, 0xd0000 },    /* below 1 MiB */
		{ 0xfe000008, 0, PVHDEV__PCI_BAR_MEM32, 0xfe000000 }, /* prefetchable */
		{ 0xc000000c, 0x4, PVHDEV__PCI_BAR_MEM64, 0x4c0000000ull },
		{ 0x00000004, 0xffffffff, PVHDEV__PCI_BAR_MEM64, 0xffffffff00000000ull },
		{ 0x0000e001, 0, PVHDEV__PCI_BAR_IO, 0xe000 },
		{ 0x0000e005, 0, PVHDEV__PCI_BAR_IO, 0xe004 },        /* bit 2 is address */
		{ 0xffffffff, 0, PVHDEV__PCI_BAR_IO, 0xfffffffc },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(pvhdev__pci_bar_kind(rows[i].lo), rows[i].kind);
		assert_int_equal(pvhdev__pci_bar_addr(rows[i].lo, rows[i].hi), rows[i].addr);
	}
}

/* ---- Sizes ---- */

static void test_bar_size_bounds(void **state)
{
	(void)state;
	assert_int_equal(pvhdev__pci_bar_size_min(PVHDEV__PCI_BAR_IO), 4);
	assert_int_equal(pvhdev__pci_bar_size_min(PVHDEV__PCI_BAR_MEM32), 16);
	assert_int_equal(pvhdev__pci_bar_size_min(PVHDEV__PCI_BAR_MEM64), 16);
	assert_int_equal(pvhdev__pci_bar_size_min(PVHDEV__PCI_BAR_ROM), 0x800);
	assert_int_equal(pvhdev__pci_bar_size_max(PVHDEV__PCI_BAR_IO), 0x80000000ull);
	assert_int_equal(pvhdev__pci_bar_size_max(PVHDEV__PCI_BAR_MEM32), 0x80000000ull);
	assert_int_equal(pvhdev__pci_bar_size_max(PVHDEV__PCI_BAR_MEM64), 1ull << 63);
	assert_int_equal(pvhdev__pci_bar_size_max(PVHDEV__PCI_BAR_ROM), 0x80000000ull);
}

static void test_bar_size_validity(void **state)
{
	static const char pow2[] = "not a power of two";
	static const char small[] = "smaller than the BAR's flag bits allow";
	static const char big[] = "larger than 2 GiB in a 32-bit BAR";
	static const struct {
		enum pvhdev__pci_bar_kind kind;
		uint64_t size;
		const char *why; /* NULL: valid */
	} rows[] = {
		{ PVHDEV__PCI_BAR_IO, 0, pow2 },
		{ PVHDEV__PCI_BAR_IO, 2, small },
		{ PVHDEV__PCI_BAR_IO, 4, NULL },
		{ PVHDEV__PCI_BAR_IO, 12, pow2 },
		{ PVHDEV__PCI_BAR_IO, 256, NULL },
		{ PVHDEV__PCI_BAR_IO, 0x80000000ull, NULL },
		{ PVHDEV__PCI_BAR_IO, 0x100000000ull, big },
		{ PVHDEV__PCI_BAR_MEM32, 8, small },
		{ PVHDEV__PCI_BAR_MEM32, 16, NULL },
		{ PVHDEV__PCI_BAR_MEM32, 0x80000000ull, NULL },
		{ PVHDEV__PCI_BAR_MEM32, 0x100000000ull, big },
		{ PVHDEV__PCI_BAR_MEM32, 0x3000, pow2 },
		{ PVHDEV__PCI_BAR_MEM64, 8, small },
		{ PVHDEV__PCI_BAR_MEM64, 16, NULL },
		{ PVHDEV__PCI_BAR_MEM64, 0x100000000ull, NULL },
		{ PVHDEV__PCI_BAR_MEM64, 1ull << 63, NULL },
		{ PVHDEV__PCI_BAR_MEM64, (1ull << 63) + 1, pow2 },
		{ PVHDEV__PCI_BAR_ROM, 0x400, "smaller than the ROM's address bits allow" },
		{ PVHDEV__PCI_BAR_ROM, 0x800, NULL },
		{ PVHDEV__PCI_BAR_ROM, 0x80000000ull, NULL },
		{ PVHDEV__PCI_BAR_ROM, 0x100000000ull, "larger than 2 GiB in a ROM" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = pvhdev__pci_bar_size_refusal(rows[i].kind, rows[i].size);
		if (!rows[i].why)
			assert_null(why);
		else
			assert_string_equal(why, rows[i].why);
	}
}

static void test_bar_size_from_probe(void **state)
{
	static const struct {
		enum pvhdev__pci_bar_kind kind;
		uint32_t lo, hi;
		uint64_t size;
	} rows[] = {
		{ PVHDEV__PCI_BAR_MEM32, 0xfffff000, 0, 0x1000 },
		{ PVHDEV__PCI_BAR_MEM32, 0xfffff008, 0, 0x1000 },  /* flags ignored */
		{ PVHDEV__PCI_BAR_MEM32, 0x80000000, 0, 0x80000000ull },
		{ PVHDEV__PCI_BAR_MEM32, 0x00000000, 0, 0 },       /* not implemented */
		{ PVHDEV__PCI_BAR_MEM32, 0x0000000f, 0, 0 },
		{ PVHDEV__PCI_BAR_MEM64, 0xfff0000c, 0xffffffff, 0x100000 },
		{ PVHDEV__PCI_BAR_MEM64, 0x0000000c, 0xfffffff0, 0x1000000000ull },
		{ PVHDEV__PCI_BAR_MEM64, 0x00000004, 0x00000000, 0 },
		{ PVHDEV__PCI_BAR_IO, 0xffffffe1, 0, 0x20 },
		{ PVHDEV__PCI_BAR_IO, 0x0000ffe1, 0, 0x20 },       /* 16-bit decoder */
		{ PVHDEV__PCI_BAR_IO, 0x00000001, 0, 0x10000 },
		{ PVHDEV__PCI_BAR_ROM, 0xfffe0000, 0, 0x20000 },
		{ PVHDEV__PCI_BAR_ROM, 0xfffe07fe, 0, 0x20000 },   /* low bits ignored */
		{ PVHDEV__PCI_BAR_ROM, 0x000007fe, 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(pvhdev__pci_bar_size(rows[i].kind, rows[i].lo, rows[i].hi),
		                 rows[i].size);
}

/* ---- Config space over a byte array, with an access log ---- */

struct space {
	uint8_t val[256];
	uint8_t rw[256];     /* writable bits */
	char log[2048];       /* "r1@34 w4@10=... " */
	size_t log_len;
	unsigned calls, fail_at; /* fail_at: the call that returns -EIO */
};

static int sp_read(void *ctx, unsigned off, unsigned size, uint32_t *val)
{
	struct space *s = ctx;

	if (++s->calls == s->fail_at)
		return -EIO;
	*val = 0;
	for (unsigned k = size; k-- > 0;)
		*val = *val << 8 | s->val[off + k];
	s->log_len += (size_t)snprintf(s->log + s->log_len, sizeof(s->log) - s->log_len,
	                               "r%u@%02x ", size, off);
	return 0;
}

static int sp_write(void *ctx, unsigned off, unsigned size, uint32_t val)
{
	struct space *s = ctx;

	if (++s->calls == s->fail_at)
		return -EIO;
	for (unsigned k = 0; k < size; k++) {
		uint8_t b = (uint8_t)(val >> (8 * k)), rw = s->rw[off + k];
		s->val[off + k] = (uint8_t)((s->val[off + k] & ~rw) | (b & rw));
	}
	s->log_len += (size_t)snprintf(s->log + s->log_len, sizeof(s->log) - s->log_len,
	                               "w%u@%02x=%x ", size, off, val);
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* A 64 KiB prefetchable 32-bit BAR at 0xfe000000. */
static void test_probe(void **state)
{
	struct space s;
	struct pvhdev__pci_cfg cfg = { sp_read, sp_write, &s };
	uint32_t orig, sized;
	(void)state;

	memset(&s, 0, sizeof(s));
	put32(s.val + 0x10, 0xfe000008);
	put32(s.rw + 0x10, 0xffff0000);
	assert_int_equal(pvhdev__pci_bar_probe(&cfg, 0x10, 0xffffffff, &orig, &sized), 0);
	assert_int_equal(orig, 0xfe000008);
	assert_int_equal(sized, 0xffff0008);
	assert_string_equal(s.log, "r4@10 w4@10=ffffffff r4@10 w4@10=fe000008 ");
	assert_int_equal(pvhdev__pci_bar_size(pvhdev__pci_bar_kind(orig), sized, 0), 0x10000);
	assert_int_equal(s.val[0x13], 0xfe); /* restored */

	/* A failing access stops the probe there. */
	for (unsigned n = 1; n <= 4; n++) {
		memset(s.log, 0, sizeof(s.log));
		s.log_len = 0;
		s.calls = 0;
		s.fail_at = n;
		assert_int_equal(pvhdev__pci_bar_probe(&cfg, 0x10, 0xffffffff, &orig, &sized),
		                 -EIO);
		assert_int_equal(s.calls, n);
	}
}

/* ---- The capability walk ---- */

struct visits {
	unsigned off[64];
	uint8_t id[64];
	unsigned n;
	int stop_at_id; /* visit returns 1 on this ID; -1: never */
	int ret;        /* what it returns then */
};

static int visit(void *ctx, unsigned off, uint8_t id)
{
	struct visits *v = ctx;

	v->off[v->n] = off;
	v->id[v->n++] = id;
	return id == v->stop_at_id ? v->ret : 0;
}

static void cap(struct space *s, unsigned off, uint8_t id, uint8_t next)
{
	s->val[off] = id;
	s->val[off + 1] = next;
}

static int walk(struct space *s, unsigned type, struct visits *v,
                enum pvhdev__pci_walk_end *end, unsigned *at)
{
	struct pvhdev__pci_cfg cfg = { sp_read, NULL, s };

	return pvhdev__pci_caps_walk(&cfg, pvhdev__pci_layout(type), visit, v, end, at);
}

/* One walk: a list in the first 256 bytes, what visit() does, what the
 * walk must report and which entries it must visit, in order. */
struct walk_case {
	const char *name;
	unsigned type;          /* header type */
	uint8_t ptr;            /* the capabilities pointer's value */
	struct { uint8_t off, id, next; } caps[4];
	int stop_at_id, ret;    /* visit() returns ret on that ID (-1: never) */
	int rc;                 /* expected */
	enum pvhdev__pci_walk_end end;
	unsigned at;            /* expected *at when end is not DONE */
	unsigned nr_seen;
	uint8_t seen[4];        /* offsets visited */
};

static const struct walk_case walk_cases[] = {
	{ "list order, pointer's low bits ignored", 0, 0x43,
	  { { 0x40, 0x01, 0x70 }, { 0x70, 0x05, 0x53 }, { 0x50, 0x10, 0 } },
	  -1, 0, 0, PVHDEV__PCI_WALK_DONE, 0, 3, { 0x40, 0x70, 0x50 } },
	{ "bridge: pointer at 0x34", 1, 0x40, { { 0x40, 0x10, 0 } },
	  -1, 0, 0, PVHDEV__PCI_WALK_DONE, 0, 1, { 0x40 } },
	{ "CardBus: pointer at 0x14", 2, 0x80, { { 0x80, 0x05, 0 } },
	  -1, 0, 0, PVHDEV__PCI_WALK_DONE, 0, 1, { 0x80 } },
	{ "reserved type: no list", 3, 0x40, { { 0x40, 0x10, 0 } },
	  -1, 0, 0, PVHDEV__PCI_WALK_DONE, 0, 0, { 0 } },
	{ "pointer into the header", 0, 0x40, { { 0x40, 0x01, 0x3c } },
	  -1, 0, 0, PVHDEV__PCI_WALK_HEADER, 0x3c, 1, { 0x40 } },
	{ "visit stops it", 0, 0x40,
	  { { 0x40, 0x01, 0x50 }, { 0x50, 0xff, 0x60 }, { 0x60, 0x05, 0 } },
	  0xff, 1, 0, PVHDEV__PCI_WALK_DONE, 0, 2, { 0x40, 0x50 } },
	{ "visit fails it", 0, 0x40,
	  { { 0x40, 0x01, 0x50 }, { 0x50, 0xff, 0x60 }, { 0x60, 0x05, 0 } },
	  0xff, -ENOSPC, -ENOSPC, PVHDEV__PCI_WALK_DONE, 0, 2, { 0x40, 0x50 } },
	{ "loop back to the first", 0, 0x40, { { 0x40, 0x01, 0x50 }, { 0x50, 0x05, 0x40 } },
	  -1, 0, 0, PVHDEV__PCI_WALK_LOOP, 0x40, 2, { 0x40, 0x50 } },
	{ "entry pointing at itself", 0, 0xfc, { { 0xfc, 0x09, 0xfc } },
	  -1, 0, 0, PVHDEV__PCI_WALK_LOOP, 0xfc, 1, { 0xfc } },
};

/* The list of c in s: the pointer where the header type keeps it. */
static void build(struct space *s, struct visits *v, const struct walk_case *c)
{
	memset(s, 0, sizeof(*s));
	memset(v, 0, sizeof(*v));
	v->stop_at_id = c->stop_at_id;
	v->ret = c->ret;
	s->val[c->type == 2 ? 0x14 : 0x34] = c->ptr;
	for (unsigned i = 0; i < 4 && c->caps[i].off; i++)
		cap(s, c->caps[i].off, c->caps[i].id, c->caps[i].next);
}

static void test_caps_walk_cases(void **state)
{
	struct space s;
	struct visits v;
	enum pvhdev__pci_walk_end end;
	unsigned at;
	(void)state;

	for (size_t i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
		const struct walk_case *c = &walk_cases[i];
		print_message("%s\n", c->name);
		build(&s, &v, c);
		assert_int_equal(walk(&s, c->type, &v, &end, &at), c->rc);
		assert_int_equal(end, c->end);
		if (c->end != PVHDEV__PCI_WALK_DONE)
			assert_int_equal(at, c->at);
		assert_int_equal(v.n, c->nr_seen);
		for (unsigned k = 0; k < c->nr_seen; k++)
			assert_int_equal(v.off[k], c->seen[k]);
		/* The pointer as one byte, each entry as two; nothing else. */
		assert_int_equal(s.calls, c->type > 2 ? 0 : 1 + c->nr_seen);
	}
	build(&s, &v, &walk_cases[0]);
	walk(&s, 0, &v, &end, &at);
	assert_string_equal(s.log, "r1@34 r2@40 r2@70 r2@50 ");
}

/* A read that fails ends the walk with the error, visiting nothing more. */
static void test_caps_walk_read_error(void **state)
{
	struct space s;
	struct visits v;
	enum pvhdev__pci_walk_end end;
	unsigned at;
	(void)state;

	for (unsigned n = 1; n <= 4; n++) {
		build(&s, &v, &walk_cases[0]);
		s.fail_at = n;
		assert_int_equal(walk(&s, 0, &v, &end, &at), -EIO);
		assert_int_equal(v.n, n > 1 ? n - 2 : 0);
	}
}

/* Every dword of 0x40..0xff, then back to the first: the 48-hop bound,
 * and no entry visited twice. */
static void test_caps_walk_bound(void **state)
{
	struct space s;
	struct visits v;
	enum pvhdev__pci_walk_end end;
	unsigned at;
	(void)state;

	memset(&s, 0, sizeof(s));
	memset(&v, 0, sizeof(v));
	v.stop_at_id = -1;
	s.val[0x34] = 0x40;
	for (unsigned off = 0x40; off < 0x100; off += 4)
		cap(&s, off, 0x09, (uint8_t)(off + 4 < 0x100 ? off + 4 : 0x40));
	assert_int_equal(walk(&s, 0, &v, &end, &at), 0);
	assert_int_equal(end, PVHDEV__PCI_WALK_LOOP);
	assert_int_equal(at, 0x40);
	assert_int_equal(v.n, PVHDEV_PCI_CAP_HOPS);
	assert_int_equal(v.off[PVHDEV_PCI_CAP_HOPS - 1], 0xfc);
	assert_int_equal(s.calls, 1 + PVHDEV_PCI_CAP_HOPS);
}

/* ---- Names for people (transcripts) ---- */

struct name_row {
	int kind; /* 0: header of type arg; 1: legacy capability arg; 2: extended */
	unsigned arg, off;
	const char *name; /* NULL: none */
	unsigned start;
};

static void test_names(void **state)
{
	static const struct name_row rows[] = {
		{ 0, 0, 0x00, "VENDOR_ID", 0x00 },       { 0, 1, 0x05, "COMMAND", 0x04 },
		{ 0, 0, 0x0b, "CLASS", 0x09 },           { 0, 0, 0x0f, "BIST", 0x0f },
		{ 0, 0, 0x1b, "BAR2", 0x18 },            { 0, 1, 0x1b, "SEC_LATENCY_TIMER", 0x1b },
		{ 0, 0, 0x30, "ROM_ADDRESS", 0x30 },     { 0, 1, 0x30, "IO_BASE_UPPER16", 0x30 },
		{ 0, 1, 0x38, "ROM_ADDRESS1", 0x38 },    { 0, 1, 0x3f, "BRIDGE_CONTROL", 0x3e },
		{ 0, 0, 0x3e, NULL, 0 },                 { 0, 2, 0x10, NULL, 0 },
		{ 0, 0xff, 0x3c, "INTERRUPT_LINE", 0x3c }, { 0, 0, 0x40, NULL, 0 },
		{ 1, 0x11, 0x00, "ID", 0x00 },           { 1, 0x09, 0x01, "NEXT", 0x01 },
		{ 1, 0x11, 0x03, "FLAGS", 0x02 },        { 1, 0x11, 0x08, "PBA", 0x08 },
		{ 1, 0x10, 0x09, "DEVCTL", 0x08 },       { 1, 0x10, 0x30, "LNKCTL2", 0x30 },
		{ 1, 0x01, 0x04, "PMCSR", 0x04 },        { 1, 0x13, 0x05, "STATUS", 0x05 },
		{ 1, 0x09, 0x04, NULL, 0 },              { 2, 0x10, 0x02, "HEADER", 0x00 },
		{ 2, 0x10, 0x11, "NUMVF", 0x10 },        { 2, 0x10, 0x30, "BAR3", 0x30 },
		{ 2, 0x0e, 0x04, NULL, 0 },
	};
	static const struct { uint16_t id; bool ext; const char *name; } caps[] = {
		{ 0x01, false, "PM" }, { 0x05, false, "MSI" }, { 0x10, false, "PCIe" },
		{ 0x11, false, "MSI-X" }, { 0x13, false, "AF" }, { 0x09, false, NULL },
		{ 0x10, true, "SR-IOV" }, { 0x01, true, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct name_row *r = &rows[i];
		unsigned start = 0xdead;
		const char *n = r->kind == 0 ? pvhdev__pci_header_reg(r->arg, r->off, &start)
		                             : pvhdev__pci_cap_reg((uint16_t)r->arg, r->kind == 2,
		                                                   r->off, &start);
		if (!r->name) {
			if (n)
				fail_msg("row %zu: named %s", i, n);
			continue;
		}
		if (!n || strcmp(n, r->name) || start != r->start)
			fail_msg("row %zu: %s at 0x%x, want %s at 0x%x", i, n ? n : "(none)",
			         start, r->name, r->start);
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const char *n = pvhdev__pci_cap_name(caps[i].id, caps[i].ext);
		if (caps[i].name ? !n || strcmp(n, caps[i].name) : n != NULL)
			fail_msg("cap 0x%x ext %d: %s", caps[i].id, caps[i].ext, n ? n : "(none)");
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_layout_per_type),
	cmocka_unit_test(test_bar_kind_and_addr),
	cmocka_unit_test(test_bar_size_bounds),
	cmocka_unit_test(test_bar_size_validity),
	cmocka_unit_test(test_bar_size_from_probe),
	cmocka_unit_test(test_probe),
	cmocka_unit_test(test_caps_walk_cases),
	cmocka_unit_test(test_caps_walk_read_error),
	cmocka_unit_test(test_caps_walk_bound),
	cmocka_unit_test(test_names),
};

PVHDEV_TEST_MAIN("pci", tests)
