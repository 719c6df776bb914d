/* SPDX-License-Identifier: MIT */
/*
 * Dom0's boot map: exact p2m, excluded set and events for a realistic
 * x86 platform; ACPI tables inside and outside RAM; trapped pages
 * (IO-APIC, LAPIC, MMCFG) and hypervisor-reserved pages punched out of
 * ACPI/NVS regions and low memory; platform validation; boot once;
 * hidden devices; allocator failure at every call; Firecracker.
 *
 * Cases marked "BAR module" check what device add maps at boot, which
 * src/bar does: they pin the documented semantics (DESIGN.md, "BARs
 * and the p2m").
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/dump.h>

#include "core/core.h"

#define TOP_PAGE ((1ull << 52) - 1)
#define E820(a, s, t) { (a), (s), PVHDEV_E820_##t }

static const char *const reasons[] = {
	"low-mem", "ram-copy", "acpi", "nvs", "acpi-table", "bar", "rom", "vf-bar",
};

/* ---- Dumps ---- */

struct dump {
	char buf[1 << 14];
	size_t len;
	bool boot_only; /* leave device ranges out */
};

static int dump_one(void *arg, const struct pvhdev_p2m_range *r)
{
	struct dump *d = arg;
	char s[PVHDEV_SBDF_STRLEN];

	if (d->boot_only && r->bar >= 0)
		return 0;
	int n = snprintf(d->buf + d->len, sizeof(d->buf) - d->len,
	                 "0x%llx 0x%llx 0x%llx %s %s %s %d\n", (unsigned long long)r->gfn,
	                 (unsigned long long)r->nr, (unsigned long long)r->mfn,
	                 r->type == PVHDEV_P2M_RAM ? "ram" : "identity",
	                 reasons[r->reason], pvhdev_sbdf_str(r->owner, s), r->bar);
	assert_true(n > 0 && (size_t)n < sizeof(d->buf) - d->len);
	d->len += (size_t)n;
	return 0;
}

/* The p2m, one record a line: gfn nr mfn type reason owner bar. */
static const char *p2m_dump(struct test_dom *t, bool boot_only)
{
	static struct dump d;

	d.len = 0;
	d.buf[0] = '\0';
	d.boot_only = boot_only;
	assert_int_equal(pvhdev_p2m_foreach(t->dom, dump_one, &d), 0);
	return d.buf;
}

#define p2m_str(t) p2m_dump(t, false)
#define p2m_boot_str(t) p2m_dump(t, true)

/* The excluded set, one range a line: gfn nr kind. */
static const char *excl_str(struct test_dom *t)
{
	static char buf[4096];
	size_t len = 0;
	uint64_t gfn = 0, s, n;
	enum pvhdev__excl_kind kind;

	buf[0] = '\0';
	while (gfn <= TOP_PAGE &&
	       !pvhdev__excl_first(t->dom, gfn, TOP_PAGE - gfn + 1, &s, &n, &kind)) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "0x%llx 0x%llx %d\n",
		                        (unsigned long long)s, (unsigned long long)n, kind);
		gfn = s + n;
	}
	return buf;
}

/* Map and unmap events since the mark, one a line (device add and
 * BAR sizing writes are the BAR module's business). */
static const char *map_events(struct test_dom *t)
{
	static char buf[1 << 14];
	size_t len = 0;
	uint64_t end = pvhdev_event_next_seq(t->dom);

	buf[0] = '\0';
	for (; t->mark < end; t->mark++) {
		struct pvhdev_event ev;
		assert_int_equal(pvhdev_event_get(t->dom, t->mark, &ev), 0);
		if (ev.kind != PVHDEV_EV_MAP && ev.kind != PVHDEV_EV_UNMAP)
			continue;
		int n = pvhdev_event_format(&ev, buf + len, sizeof(buf) - len - 1);
		assert_true(n >= 0);
		len += (size_t)n;
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	return buf;
}

static bool logged(const struct test_dom *t, const char *line)
{
	return strstr(t->log, line) != NULL;
}

/* ---- A realistic x86 machine ---- */

static const struct pvhdev_e820_entry x86_e820[] = {
	E820(0x0, 0x9fc00, RAM),
	E820(0x9fc00, 0x400, RESERVED),          /* EBDA */
	E820(0xf0000, 0x10000, RESERVED),        /* BIOS */
	E820(0x100000, 0x7ff00000, RAM),         /* 1 MiB - 2 GiB */
	E820(0x80000000, 0x20000, ACPI),
	E820(0x80020000, 0x20000, NVS),
	E820(0xe0000000, 0x10000000, RESERVED),  /* MMCFG */
	E820(0xfec00000, 0x1000, RESERVED),      /* IO-APIC */
	E820(0xfee00000, 0x1000, RESERVED),      /* LAPIC */
	E820(0xff000000, 0x1000000, RESERVED),   /* flash */
	E820(0x100000000, 0x80000000, RAM),
};

static const struct pvhdev_acpi_table x86_acpi[] = {
	{ "FACP", 0x80000100, 0x114 },  /* in the ACPI region: mapped with it */
	{ "DSDT", 0x7fe00000, 0x8000 }, /* in RAM: dom0 has it */
	{ "TPM2", 0xfed40000, 0x34 },   /* outside everything: mapped */
	{ "BGRT", 0x8003ff00, 0x200 },  /* half in NVS: the other page only */
};

static const struct pvhdev_mcfg x86_mcfg[] = { { 0xe0000000, 0, 0, 255 } };
static const struct pvhdev_ioapic_desc x86_ioapic[] = { { 8, 0xfec00000, 0, 24 } };

static struct pvhdev_platform x86_platform(void)
{
	return (struct pvhdev_platform){
		.size = sizeof(struct pvhdev_platform),
		.e820 = x86_e820, .nr_e820 = PVHDEV__ARRAY_SIZE(x86_e820),
		.acpi = x86_acpi, .nr_acpi = PVHDEV__ARRAY_SIZE(x86_acpi),
		.mcfg = x86_mcfg, .nr_mcfg = 1,
		.ioapics = x86_ioapic, .nr_ioapics = 1,
	};
}

static const char x86_p2m[] =
	"0x0 0x9f 0x0 ram ram-copy 0000:00:00.0 -1\n"
	"0x9f 0x61 0x9f identity low-mem 0000:00:00.0 -1\n"
	"0x80000 0x20 0x80000 identity acpi 0000:00:00.0 -1\n"
	"0x80020 0x20 0x80020 identity nvs 0000:00:00.0 -1\n"
	"0x80040 0x1 0x80040 identity acpi-table 0000:00:00.0 -1\n"
	"0xfed40 0x1 0xfed40 identity acpi-table 0000:00:00.0 -1\n";

static const char x86_events[] =
	"map 0x0 0x9f 0x0 ram-copy\n"
	"map 0x9f 0x61 0x9f low-mem\n"
	"map 0x80000 0x20 0x80000 acpi\n"
	"map 0x80020 0x20 0x80020 nvs\n"
	"map 0xfed40 0x1 0xfed40 acpi-table\n"
	"map 0x80040 0x1 0x80040 acpi-table\n";

static void test_boot_x86(void **state)
{
	struct pvhdev_platform plat = x86_platform();
	struct test_dom t;
	unsigned n = 0;
	uint64_t v;

	(void)state;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_false(pvhdev_domain_booted(t.dom));
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_true(pvhdev_domain_booted(t.dom));
	assert_string_equal(p2m_str(&t), x86_p2m);
	expect_events(&t, x86_events);
	assert_string_equal(excl_str(&t), "0x0 0x9f 0\n"
	                                  "0x100 0x7ff00 0\n"
	                                  "0xe0000 0x10000 2\n"
	                                  "0xfec00 0x1 3\n"
	                                  "0xfee00 0x1 4\n"
	                                  "0x100000 0x80000 0\n");
	/* The MMCFG window and the IO-APIC are trapped. */
	assert_int_equal(pvhdev_ioapic_count(t.dom, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pvhdev_mmio_read(t.dom, 0xe0000000, 4, &v), 0);
	assert_int_equal(pvhdev_mmio_read(t.dom, 0xfec00000, 4, &v), 0);
	/* What was left out, and why. */
	assert_true(logged(&t, "boot: ACPI table FACP at 0x80000100: gfn 0x80000-0x80000 "
	                       "left out: acpi\n"));
	assert_true(logged(&t, "boot: ACPI table DSDT at 0x7fe00000: inside RAM, not mapped\n"));
	assert_true(logged(&t, "boot: ACPI table BGRT at 0x8003ff00: gfn 0x8003f-0x8003f "
	                       "left out: nvs\n"));
	test_dom_fini(&t);
}

/* The order of the e820 does not matter. */
static void test_boot_unsorted_e820(void **state)
{
	static const size_t order[] = { 7, 3, 10, 0, 5, 9, 1, 4, 8, 2, 6 };
	struct pvhdev_e820_entry e820[PVHDEV__ARRAY_SIZE(x86_e820)];
	struct pvhdev_platform plat = x86_platform();
	struct test_dom t;

	(void)state;
	for (size_t i = 0; i < PVHDEV__ARRAY_SIZE(order); i++)
		e820[i] = x86_e820[order[i]];
	plat.e820 = e820;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_string_equal(p2m_str(&t), x86_p2m);
	expect_events(&t, x86_events);
	test_dom_fini(&t);
}

/* ---- ACPI tables ---- */

static void test_boot_acpi_tables(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		E820(0x0, 0xa0000, RAM),
		E820(0x100000, 0x3ff00000, RAM),
		E820(0x40000000, 0x3000, ACPI),
		E820(0x40003000, 0x800, RAM), /* a partial page: not RAM */
	};
	static const struct pvhdev_acpi_table acpi[] = {
		{ "XSDT", 0x3ffff000, 0x1000 },  /* the last page of RAM */
		{ "SSDT", 0x3ffffff0, 0x20 },    /* straddles RAM and ACPI */
		{ "APIC", 0x40001000, 0x80 },    /* in the ACPI region */
		{ "HPET", 0x40003000, 0x38 },    /* in RAM bytes, page not RAM */
		{ "SRAT", 0x50000000, 0x2001 },  /* outside: three pages */
		{ "SLIT", 0x50001800, 0x2000 },  /* overlaps SRAT: the fourth */
		{ "MCFG", 0xe0000800, 0x3c },    /* inside MMCFG: never */
		{ "WAET", 0xe0000000 - 0x10, 0x28 },
	};
	static const struct pvhdev_mcfg mcfg[] = { { 0xe0000000, 0, 0, 0 } };
	const struct pvhdev_platform plat = {
		.size = sizeof(plat), .e820 = e820, .nr_e820 = 4,
		.acpi = acpi, .nr_acpi = PVHDEV__ARRAY_SIZE(acpi), .mcfg = mcfg, .nr_mcfg = 1,
	};
	struct test_dom t;

	(void)state;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_string_equal(map_events(&t),
	                    "map 0x0 0xa0 0x0 ram-copy\n"
	                    "map 0xa0 0x60 0xa0 low-mem\n"
	                    "map 0x40000 0x3 0x40000 acpi\n"
	                    "map 0x40003 0x1 0x40003 acpi-table\n"
	                    "map 0x50000 0x3 0x50000 acpi-table\n"
	                    "map 0x50003 0x1 0x50003 acpi-table\n"
	                    "map 0xdffff 0x1 0xdffff acpi-table\n");
	/* Adjacent pieces of one reason are one record. */
	assert_string_equal(p2m_str(&t),
	                    "0x0 0xa0 0x0 ram ram-copy 0000:00:00.0 -1\n"
	                    "0xa0 0x60 0xa0 identity low-mem 0000:00:00.0 -1\n"
	                    "0x40000 0x3 0x40000 identity acpi 0000:00:00.0 -1\n"
	                    "0x40003 0x1 0x40003 identity acpi-table 0000:00:00.0 -1\n"
	                    "0x50000 0x4 0x50000 identity acpi-table 0000:00:00.0 -1\n"
	                    "0xdffff 0x1 0xdffff identity acpi-table 0000:00:00.0 -1\n");
	assert_true(logged(&t, "boot: ACPI table XSDT at 0x3ffff000: inside RAM, not mapped\n"));
	assert_true(logged(&t, "boot: ACPI table SSDT at 0x3ffffff0: gfn 0x3ffff-0x3ffff "
	                       "left out: e820 RAM\n"));
	assert_true(logged(&t, "boot: ACPI table MCFG at 0xe0000800: gfn 0xe0000-0xe0000 "
	                       "left out: an MMCFG window\n"));
	assert_true(logged(&t, "boot: ACPI table WAET at 0xdffffff0: gfn 0xe0000-0xe0000 "
	                       "left out: an MMCFG window\n"));
	test_dom_fini(&t);
}

/* ---- Pages that are never mapped ---- */

static void test_boot_trapped_pages_never_mapped(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		E820(0x0, 0x9f000, RAM),
		E820(0x100000, 0x1ff00000, RAM),
		E820(0xdfffe000, 0x4000, ACPI),    /* runs into MMCFG */
		E820(0xfebfe000, 0x4000, NVS),     /* holds the IO-APIC page */
		E820(0xfedff000, 0x3000, ACPI),    /* holds the LAPIC page */
		E820(0xfef00000, 0x4000, NVS),     /* holds a reserved page */
	};
	static const struct pvhdev_mcfg mcfg[] = { { 0xe0000000, 0, 0, 15 } };
	static const struct pvhdev_ioapic_desc io[] = { { 0, 0xfec00000, 0, 24 } };
	static const struct pvhdev_mem_range reserved[] = {
		{ 0xa0000, 0x1000 },    /* in the legacy VGA hole */
		{ 0x1800, 0x10 },       /* in low RAM: the page is not copied */
		{ 0xfef01000, 0x2000 },
	};
	const struct pvhdev_platform plat = {
		.size = sizeof(plat), .e820 = e820, .nr_e820 = PVHDEV__ARRAY_SIZE(e820),
		.mcfg = mcfg, .nr_mcfg = 1, .ioapics = io, .nr_ioapics = 1,
		.reserved = reserved, .nr_reserved = 3,
	};
	struct test_dom t;

	(void)state;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_string_equal(p2m_str(&t),
	                    "0x0 0x1 0x0 ram ram-copy 0000:00:00.0 -1\n"
	                    "0x2 0x9d 0x2 ram ram-copy 0000:00:00.0 -1\n"
	                    "0x9f 0x1 0x9f identity low-mem 0000:00:00.0 -1\n"
	                    "0xa1 0x5f 0xa1 identity low-mem 0000:00:00.0 -1\n"
	                    "0xdfffe 0x2 0xdfffe identity acpi 0000:00:00.0 -1\n"
	                    "0xfebfe 0x2 0xfebfe identity nvs 0000:00:00.0 -1\n"
	                    "0xfec01 0x1 0xfec01 identity nvs 0000:00:00.0 -1\n"
	                    "0xfedff 0x1 0xfedff identity acpi 0000:00:00.0 -1\n"
	                    "0xfee01 0x1 0xfee01 identity acpi 0000:00:00.0 -1\n"
	                    "0xfef00 0x1 0xfef00 identity nvs 0000:00:00.0 -1\n"
	                    "0xfef03 0x1 0xfef03 identity nvs 0000:00:00.0 -1\n");
	assert_true(logged(&t, "boot: low memory: gfn 0x1-0x1 left out: hypervisor-reserved\n"));
	assert_true(logged(&t, "boot: low memory: gfn 0xa0-0xa0 left out: "
	                       "hypervisor-reserved\n"));
	assert_true(logged(&t, "boot: e820 ACPI: gfn 0xe0000-0xe0001 left out: "
	                       "an MMCFG window\n"));
	assert_true(logged(&t, "boot: e820 NVS: gfn 0xfec00-0xfec00 left out: "
	                       "an IO-APIC page\n"));
	assert_true(logged(&t, "boot: e820 ACPI: gfn 0xfee00-0xfee00 left out: "
	                       "the LAPIC page\n"));
	test_dom_fini(&t);
}

static void test_boot_lapic_elsewhere(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		E820(0xfed00000, 0x200000, ACPI),
	};
	const struct pvhdev_platform plat = {
		.size = sizeof(plat), .e820 = e820, .nr_e820 = 1, .lapic_addr = 0xfed80000,
	};
	struct test_dom t;

	(void)state;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	/* No e820 RAM: all of low memory is identity mapped. */
	assert_string_equal(p2m_str(&t),
	                    "0x0 0x100 0x0 identity low-mem 0000:00:00.0 -1\n"
	                    "0xfed00 0x80 0xfed00 identity acpi 0000:00:00.0 -1\n"
	                    "0xfed81 0x17f 0xfed81 identity acpi 0000:00:00.0 -1\n");
	assert_string_equal(excl_str(&t), "0xfed80 0x1 4\n");
	test_dom_fini(&t);
}

/* Only the size: low memory is identity mapped, the default LAPIC
 * page is excluded. */
static void test_boot_empty_platform(void **state)
{
	const struct pvhdev_platform plat = { .size = sizeof(plat) };
	struct test_dom t;

	(void)state;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_string_equal(p2m_str(&t), "0x0 0x100 0x0 identity low-mem 0000:00:00.0 -1\n");
	assert_string_equal(excl_str(&t), "0xfee00 0x1 4\n");
	expect_events(&t, "map 0x0 0x100 0x0 low-mem\n");
	test_dom_fini(&t);
}

/* ---- Validation ---- */

/* Boot refuses plat: -EINVAL, a log line, and nothing changed. */
static void expect_refused(const struct pvhdev_platform *plat, const char *line)
{
	struct test_dom t;
	unsigned n = 1;
	uint64_t v;

	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, plat), -EINVAL);
	if (line && !logged(&t, line))
		fail_msg("log has no '%s' but:\n%s", line, t.log);
	assert_false(pvhdev_domain_booted(t.dom));
	assert_int_equal(pvhdev_p2m_count(t.dom), 0);
	assert_string_equal(excl_str(&t), "");
	assert_int_equal(pvhdev_ioapic_count(t.dom, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pvhdev_mmio_read(t.dom, 0xe0000000, 4, &v), -ENXIO);
	expect_events(&t, "");
	test_dom_fini(&t);
}

static void test_boot_overlapping_e820(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		E820(0x100000, 0x100000, RAM),
		E820(0x0, 0x9fc00, RAM),
		E820(0x9f000, 0x1000, RESERVED),
	};
	static const struct pvhdev_e820_entry touching[] = {
		E820(0x1000, 0x1000, RAM),
		E820(0x0, 0x1001, ACPI),
	};
	struct pvhdev_platform plat = x86_platform();

	(void)state;
	plat.e820 = e820;
	plat.nr_e820 = 3;
	expect_refused(&plat, "boot: e820 entries 1 (0x0-0x9fbff type 1) and 2 "
	                      "(0x9f000-0x9ffff type 2) overlap\n");
	plat.e820 = touching;
	plat.nr_e820 = 2;
	expect_refused(&plat, "boot: e820 entries 1 (0x0-0x1000 type 3) and 0 "
	                      "(0x1000-0x1fff type 1) overlap\n");
}

static void test_boot_zero_sizes(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		E820(0x0, 0x9fc00, RAM), E820(0x100000, 0, RAM),
	};
	static const struct pvhdev_acpi_table acpi[] = { { "FACP", 0x80000000, 0 } };
	static const struct pvhdev_mem_range res[] = { { 0x1000, 0 } };
	struct pvhdev_platform plat = x86_platform();

	(void)state;
	plat.e820 = e820;
	plat.nr_e820 = 2;
	expect_refused(&plat, "boot: e820 entry 1 at 0x100000: size 0\n");
	plat = x86_platform();
	plat.acpi = acpi;
	plat.nr_acpi = 1;
	expect_refused(&plat, "boot: ACPI table 0 at 0x80000000: size 0\n");
	plat = x86_platform();
	plat.reserved = res;
	plat.nr_reserved = 1;
	expect_refused(&plat, "boot: reserved range 0 at 0x1000: size 0\n");
}

static void test_boot_wraps(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		E820(0xfffffffffffff000ull, 0x1001, RESERVED),
	};
	static const struct pvhdev_e820_entry top[] = {
		E820(0xfffffffffffff000ull, 0x1000, ACPI), /* ends at 2^64: fine */
	};
	static const struct pvhdev_acpi_table acpi[] = {
		{ "FACP", 0xffffffffffffff00ull, 0x101 },
	};
	static const struct pvhdev_mem_range res[] = { { 0xffffffffffffffffull, 2 } };
	struct pvhdev_platform plat = { .size = sizeof(plat), .e820 = e820, .nr_e820 = 1 };
	struct test_dom t;

	(void)state;
	expect_refused(&plat, "boot: e820 entry 0 at 0xfffffffffffff000: wraps past 2^64\n");
	plat = (struct pvhdev_platform){ .size = sizeof(plat), .acpi = acpi, .nr_acpi = 1 };
	expect_refused(&plat, "boot: ACPI table 0 at 0xffffffffffffff00: wraps past 2^64\n");
	plat = (struct pvhdev_platform){ .size = sizeof(plat), .reserved = res,
	                                 .nr_reserved = 1 };
	expect_refused(&plat, NULL);
	plat = (struct pvhdev_platform){ .size = sizeof(plat), .e820 = top, .nr_e820 = 1 };
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_string_equal(p2m_str(&t),
	                    "0x0 0x100 0x0 identity low-mem 0000:00:00.0 -1\n"
	                    "0xfffffffffffff 0x1 0xfffffffffffff identity acpi 0000:00:00.0 -1\n");
	test_dom_fini(&t);
}

static void test_boot_bad_platform(void **state)
{
	struct pvhdev_platform plat = x86_platform();
	struct test_dom t;

	(void)state;
	expect_refused(NULL, "boot: no platform, or its size is wrong\n");
	plat.size = offsetof(struct pvhdev_platform, nr_e820);
	expect_refused(&plat, "boot: no platform, or its size is wrong\n");
	plat = x86_platform();
	plat.e820 = NULL;
	expect_refused(&plat, "boot: a platform table is NULL\n");
	plat = x86_platform();
	plat.hidden = NULL;
	plat.nr_hidden = 2;
	expect_refused(&plat, "boot: a platform table is NULL\n");
	assert_int_equal(pvhdev_domain_boot(NULL, &plat), -EINVAL);
	assert_false(pvhdev_domain_booted(NULL));
	/* A platform from an older caller: only the e820 is read. */
	plat = x86_platform();
	plat.size = offsetof(struct pvhdev_platform, acpi);
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_string_equal(map_events(&t), "map 0x0 0x9f 0x0 ram-copy\n"
	                                    "map 0x9f 0x61 0x9f low-mem\n"
	                                    "map 0x80000 0x20 0x80000 acpi\n"
	                                    "map 0x80020 0x20 0x80020 nvs\n");
	test_dom_fini(&t);
}

/* MCFG windows and IO-APICs are checked by their modules. */
static void test_boot_mcfg_ioapic_refused(void **state)
{
	static const struct pvhdev_mcfg misaligned[] = { { 0xe0080000, 0, 0, 255 } };
	static const struct pvhdev_ioapic_desc in_mmcfg[] = { { 0, 0xe0001000, 0, 24 } };
	struct pvhdev_platform plat = x86_platform();
	struct test_dom t;

	(void)state;
	plat.mcfg = misaligned;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), -EINVAL);
	assert_true(logged(&t, "boot: MCFG segment 0 buses 00-ff at 0xe0080000: "
	                       "invalid argument\n"));
	assert_false(pvhdev_domain_booted(t.dom));
	assert_int_equal(pvhdev_p2m_count(t.dom), 0);
	test_dom_fini(&t);

	plat = x86_platform();
	plat.ioapics = in_mmcfg;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), -EEXIST);
	assert_true(logged(&t, "boot: IO-APIC 0 at 0xe0001000: already exists or overlaps\n"));
	assert_false(pvhdev_domain_booted(t.dom));
	test_dom_fini(&t);
}

static void test_boot_twice(void **state)
{
	struct pvhdev_platform plat = x86_platform();
	struct test_dom t;

	(void)state;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	test_events_skip(&t);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), -EBUSY);
	assert_int_equal(pvhdev_domain_boot(t.dom, NULL), -EBUSY);
	assert_true(pvhdev_domain_booted(t.dom));
	assert_string_equal(p2m_str(&t), x86_p2m);
	expect_events(&t, "");
	test_dom_fini(&t);
}

static int refuse_nvs(void *ctx, const struct pvhdev_event *ev)
{
	(void)ctx;
	return ev->kind == PVHDEV_EV_MAP && ev->u.map.reason == PVHDEV_MAP_NVS ? -EPERM : 0;
}

/* A boot range the hypervisor refuses stops boot, as it stops a dom0
 * builder; what was refused is not in the p2m. */
static void test_boot_hook_refuses(void **state)
{
	const struct pvhdev_hooks hooks = { .size = sizeof(hooks), .effect = refuse_nvs };
	struct pvhdev_platform plat = x86_platform();
	struct test_dom t;

	(void)state;
	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	pvhdev_domain_free(t.dom);
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = t.fake,
		.alloc = &test_alloc_ops, .alloc_ctx = &t.alloc, .hooks = &hooks,
	};
	assert_int_equal(pvhdev_domain_new(&cfg, &t.dom), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), -EPERM);
	assert_false(pvhdev_domain_booted(t.dom));
	expect_events(&t, "map 0x0 0x9f 0x0 ram-copy\n"
	                  "map 0x9f 0x61 0x9f low-mem\n"
	                  "map 0x80000 0x20 0x80000 acpi\n"
	                  "map 0x80020 0x20 0x80020 nvs refused=-1\n");
	assert_string_equal(p2m_str(&t), "0x0 0x9f 0x0 ram ram-copy 0000:00:00.0 -1\n"
	                                 "0x9f 0x61 0x9f identity low-mem 0000:00:00.0 -1\n"
	                                 "0x80000 0x20 0x80000 identity acpi 0000:00:00.0 -1\n");
	test_dom_fini(&t);
}

/* ---- Devices ---- */

#define GPU PVHDEV_SBDF(0, 0, 2, 0)
#define NIC PVHDEV_SBDF(0, 0, 3, 0)
#define HPET PVHDEV_SBDF(0, 0, 0x1f, 0)

struct devs {
	uint8_t gpu[256], nic[256], hpet[256];
	struct pvhdev_fake_dev d[3];
};

/* GPU: BAR0 16 MiB at 0xfd000000, decode on.  NIC: BAR0 128 KiB at
 * 0xfebc0000, decode off.  HPET-like: BAR0 4 KiB at 0xfed00000, decode
 * on, hidden by the platform. */
static void devs_init(struct devs *d)
{
	test_cfg_init(d->gpu, 0x10de, 0x1cb1, 0x03000000, 0);
	test_put(d->gpu, 0x04, 2, 0x0006);
	test_put(d->gpu, 0x10, 4, 0xfd000000);
	test_cfg_init(d->nic, 0x8086, 0x10d3, 0x02000000, 0);
	test_put(d->nic, 0x10, 4, 0xfebc0000);
	test_cfg_init(d->hpet, 0x8086, 0x9d21, 0x08030000, 0);
	test_put(d->hpet, 0x04, 2, 0x0002);
	test_put(d->hpet, 0x10, 4, 0xfed00000);
	d->d[0] = (struct pvhdev_fake_dev){ .sbdf = GPU, .cfg = d->gpu, .cfg_len = 256,
	                                    .bar_size = { 16 << 20 } };
	d->d[1] = (struct pvhdev_fake_dev){ .sbdf = NIC, .cfg = d->nic, .cfg_len = 256,
	                                    .bar_size = { 128 << 10 } };
	d->d[2] = (struct pvhdev_fake_dev){ .sbdf = HPET, .cfg = d->hpet, .cfg_len = 256,
	                                    .bar_size = { 4096 } };
}

static const pvhdev_sbdf_t hidden[] = { HPET };

/* The fake, except that the NIC's config space fails past its IDs: the
 * scan sees it, its add fails. */
static int flaky_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                      uint32_t *val)
{
	if (sbdf == NIC && reg >= 4) {
		*val = ~0u;
		return -EIO;
	}
	return pvhdev_fake_ops.cfg_read(ctx, sbdf, reg, size, val);
}

static void keep_errors(void *ctx, enum pvhdev_log_level level, const char *msg)
{
	if (level == PVHDEV_LOG_ERROR)
		snprintf(ctx, 256, "%s", msg);
}

/* Boot goes on past a device whose add fails: the others are added and
 * mapped, a log line names the one left out.  (Running out of memory
 * still fails the boot: test_boot_alloc_failure_every_call.) */
static void test_boot_survives_failed_add(void **state)
{
	struct devs *d = calloc(1, sizeof(*d));
	struct pvhdev_platform plat = x86_platform();
	struct pvhdev_backend_ops ops = pvhdev_fake_ops;
	struct pvhdev_dev *dev;
	struct pvhdev_p2m_range r;
	struct test_dom t;
	char error[256] = "";

	(void)state;
	devs_init(d);
	assert_int_equal(test_dom_init(&t, d->d, 3), 0);
	/* The same domain over the flaky backend. */
	pvhdev_domain_free(t.dom);
	ops.cfg_read = flaky_read;
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &ops, .backend_ctx = t.fake,
		.alloc = &test_alloc_ops, .alloc_ctx = &t.alloc,
		.log = keep_errors, .log_ctx = error,
	};
	assert_int_equal(pvhdev_domain_new(&cfg, &t.dom), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_string_equal(error, "0000:00:03.0: device add failed: backend I/O error; "
	                           "left out");
	assert_int_equal(pvhdev_dev_get(t.dom, NIC, &dev), -ENODEV);
	assert_int_equal(pvhdev_dev_get(t.dom, GPU, &dev), 0);
	assert_int_equal(pvhdev_dev_get(t.dom, HPET, &dev), 0);
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xfd000, &r), 0); /* GPU BAR0 */
	assert_int_equal(r.owner, GPU);
	test_dom_fini(&t);
	free(d);
}

static int owned_by(void *arg, const struct pvhdev_p2m_range *r)
{
	return r->owner == *(const pvhdev_sbdf_t *)arg && r->bar >= 0;
}

static void test_boot_hidden_devices(void **state)
{
	struct devs *d = calloc(1, sizeof(*d));
	struct pvhdev_platform plat = x86_platform();
	struct pvhdev_dev *dev;
	struct test_dom t;
	pvhdev_sbdf_t who = HPET;

	(void)state;
	devs_init(d);
	plat.hidden = hidden;
	plat.nr_hidden = 1;
	assert_int_equal(test_dom_init(&t, d->d, 3), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_int_equal(pvhdev_dev_get(t.dom, HPET, &dev), 0);
	assert_true(pvhdev_dev_hidden(dev));
	assert_int_equal(test_cfg_read(&t, HPET, 0, 4), 0xffffffffu);
	assert_int_equal(pvhdev_p2m_foreach(t.dom, owned_by, &who), 0);
	test_check(&t);
	assert_int_equal(pvhdev_dev_get(t.dom, GPU, &dev), 0);
	assert_false(pvhdev_dev_hidden(dev));
	/* The boot ranges are the same with devices around. */
	assert_string_equal(p2m_boot_str(&t), x86_p2m);
	test_dom_fini(&t);
	free(d);
}

/* BAR module: device add at boot maps the BARs of devices whose memory
 * decoding is on, synchronously, owned by (device, BAR). */
static void test_boot_maps_decoding_bars(void **state)
{
	struct devs *d = calloc(1, sizeof(*d));
	struct pvhdev_platform plat = x86_platform();
	struct test_dom t;

	(void)state;
	devs_init(d);
	plat.hidden = hidden;
	plat.nr_hidden = 1;
	assert_int_equal(test_dom_init(&t, d->d, 3), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	test_check(&t);
	assert_string_equal(map_events(&t), "map 0x0 0x9f 0x0 ram-copy\n"
	                                    "map 0x9f 0x61 0x9f low-mem\n"
	                                    "map 0x80000 0x20 0x80000 acpi\n"
	                                    "map 0x80020 0x20 0x80020 nvs\n"
	                                    "map 0xfed40 0x1 0xfed40 acpi-table\n"
	                                    "map 0x80040 0x1 0x80040 acpi-table\n"
	                                    "map 0xfd000 0x1000 0xfd000 bar\n");
	assert_string_equal(p2m_str(&t),
	                    "0x0 0x9f 0x0 ram ram-copy 0000:00:00.0 -1\n"
	                    "0x9f 0x61 0x9f identity low-mem 0000:00:00.0 -1\n"
	                    "0x80000 0x20 0x80000 identity acpi 0000:00:00.0 -1\n"
	                    "0x80020 0x20 0x80020 identity nvs 0000:00:00.0 -1\n"
	                    "0x80040 0x1 0x80040 identity acpi-table 0000:00:00.0 -1\n"
	                    "0xfd000 0x1000 0xfd000 identity bar 0000:00:02.0 0\n"
	                    "0xfed40 0x1 0xfed40 identity acpi-table 0000:00:00.0 -1\n");
	test_dom_fini(&t);
	free(d);
}

/* ---- Allocator failure ---- */

static void test_boot_alloc_failure_every_call(void **state)
{
	struct devs *d = calloc(1, sizeof(*d));
	struct pvhdev_platform plat = x86_platform();
	int rc = -ENOMEM;

	(void)state;
	devs_init(d);
	plat.hidden = hidden;
	plat.nr_hidden = 1;
	for (unsigned long n = 1; rc == -ENOMEM; n++) {
		struct test_dom t;
		assert_int_equal(test_dom_init(&t, d->d, 3), 0);
		t.alloc.fail_at = t.alloc.calls + n;
		rc = pvhdev_domain_boot(t.dom, &plat);
		if (rc == -ENOMEM) {
			assert_false(pvhdev_domain_booted(t.dom));
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(p2m_boot_str(&t), x86_p2m);
		}
		test_dom_fini(&t); /* no leaks either way */
		assert_true(n < 1000);
	}
	free(d);
}

/* ---- Firecracker ---- */

/*
 * The MCFG window and IO-APIC are the ones captured with the
 * dump (data/machines/README.md); the e820 and ACPI table places follow Firecracker's
 * x86_64 layout (RAM below the EBDA and from 1 MiB, a 128 MiB guest,
 * ACPI tables at the start of high memory, inside RAM).
 */
static const struct pvhdev_e820_entry fc_e820[] = {
	E820(0x0, 0x9fc00, RAM),
	E820(0x100000, 0x7f00000, RAM),
};
static const struct pvhdev_acpi_table fc_acpi[] = {
	{ "XSDT", 0x100000, 0x3c }, { "FACP", 0x10003c, 0x114 },
	{ "DSDT", 0x100150, 0x400 }, { "APIC", 0x100550, 0x5a },
	{ "MCFG", 0x1005aa, 0x3c },
};
static const struct pvhdev_mcfg fc_mcfg[] = { { 0xeec00000, 0, 0, 0 } };
static const struct pvhdev_ioapic_desc fc_ioapic[] = { { 0, 0xfec00000, 0, 24 } };

static struct pvhdev_dump *fc_boot(struct test_dom *t)
{
	const struct pvhdev_platform plat = {
		.size = sizeof(plat), .e820 = fc_e820, .nr_e820 = 2,
		.acpi = fc_acpi, .nr_acpi = PVHDEV__ARRAY_SIZE(fc_acpi),
		.mcfg = fc_mcfg, .nr_mcfg = 1, .ioapics = fc_ioapic, .nr_ioapics = 1,
	};
	struct pvhdev_dump *dump = NULL;
	char err[512];

	if (pvhdev_dump_load(PVHDEV_CORPUS "/machine-firecracker-vm-virtio.lspci", &dump,
	                     err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(test_dom_init(t, pvhdev_dump_devs(dump), pvhdev_dump_count(dump)),
	                 0);
	assert_int_equal(pvhdev_domain_boot(t->dom, &plat), 0);
	return dump;
}

static void test_boot_firecracker(void **state)
{
	struct test_dom t;
	struct pvhdev_dump *dump = fc_boot(&t);
	struct pvhdev_dev *dev;
	uint64_t v;

	(void)state;
	assert_string_equal(p2m_boot_str(&t), "0x0 0x9f 0x0 ram ram-copy 0000:00:00.0 -1\n"
	                                      "0x9f 0x61 0x9f identity low-mem 0000:00:00.0 -1\n");
	assert_string_equal(excl_str(&t), "0x0 0x9f 0\n"
	                                  "0x100 0x7f00 0\n"
	                                  "0xeec00 0x100 2\n"
	                                  "0xfec00 0x1 3\n"
	                                  "0xfee00 0x1 4\n");
	/* ECAM bus 0 is trapped; every function of the dump was added. */
	assert_int_equal(pvhdev_mmio_read(t.dom, 0xeec00000, 4, &v), 0);
	assert_int_equal(v, 0x0d578086);
	for (unsigned i = 0; i <= 5; i++)
		assert_int_equal(pvhdev_dev_get(t.dom, PVHDEV_SBDF(0, 0, i, 0), &dev), 0);
	assert_true(logged(&t, "boot: ACPI table MCFG at 0x1005aa: inside RAM, not mapped\n"));
	test_check(&t);
	test_dom_fini(&t);
	pvhdev_dump_free(dump);
}

/* BAR module (and MSI-X holes): each virtio BAR0 (512 KiB, decode on)
 * is mapped but for its MSI-X table page (+0x8000) and PBA page
 * (+0x48000). */
static void test_boot_firecracker_bars(void **state)
{
	struct test_dom t;
	struct pvhdev_dump *dump = fc_boot(&t);
	char want[2048];
	size_t len = 0;

	(void)state;
	len += (size_t)snprintf(want + len, sizeof(want) - len,
	                        "0x0 0x9f 0x0 ram ram-copy 0000:00:00.0 -1\n"
	                        "0x9f 0x61 0x9f identity low-mem 0000:00:00.0 -1\n");
	for (unsigned i = 0; i < 5; i++) {
		unsigned long long b = 0x4000000ull + 0x80 * i;
		len += (size_t)snprintf(want + len, sizeof(want) - len,
		                        "0x%llx 0x8 0x%llx identity bar 0000:00:%02x.0 0\n"
		                        "0x%llx 0x3f 0x%llx identity bar 0000:00:%02x.0 0\n"
		                        "0x%llx 0x37 0x%llx identity bar 0000:00:%02x.0 0\n",
		                        b, b, i + 1, b + 9, b + 9, i + 1, b + 0x49, b + 0x49,
		                        i + 1);
	}
	assert_string_equal(p2m_str(&t), want);
	test_check(&t);
	test_dom_fini(&t);
	pvhdev_dump_free(dump);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_boot_x86),
	cmocka_unit_test(test_boot_unsorted_e820),
	cmocka_unit_test(test_boot_acpi_tables),
	cmocka_unit_test(test_boot_trapped_pages_never_mapped),
	cmocka_unit_test(test_boot_lapic_elsewhere),
	cmocka_unit_test(test_boot_empty_platform),
	cmocka_unit_test(test_boot_overlapping_e820),
	cmocka_unit_test(test_boot_zero_sizes),
	cmocka_unit_test(test_boot_wraps),
	cmocka_unit_test(test_boot_bad_platform),
	cmocka_unit_test(test_boot_mcfg_ioapic_refused),
	cmocka_unit_test(test_boot_twice),
	cmocka_unit_test(test_boot_hook_refuses),
	cmocka_unit_test(test_boot_hidden_devices),
	cmocka_unit_test(test_boot_maps_decoding_bars),
	cmocka_unit_test(test_boot_alloc_failure_every_call),
	cmocka_unit_test(test_boot_survives_failed_add),
	cmocka_unit_test(test_boot_firecracker),
	cmocka_unit_test(test_boot_firecracker_bars),
};

PVHDEV_TEST_MAIN("boot", tests)
