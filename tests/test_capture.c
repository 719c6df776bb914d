/* SPDX-License-Identifier: MIT */
/*
 * Host capture on fake sysfs trees (tests/data/capture/, built by
 * make-trees.py), then once on this machine's /sys.
 *
 * Golden XML lives next to the trees as TREE.xml with the tree's path
 * written @ROOT@.  PVHDEV_UPDATE_GOLDEN=1 rewrites them instead of
 * comparing (then review the diff).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "helpers.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhdev/host_backend.h>
#include <pvhdev/platform_file.h>

#define TREES PVHDEV_TEST_DATA "/capture"
#define SCHEMA PVHDEV_TEST_DATA "/../../data/schema/platform.rng"

/* ---- Helpers ---- */

static struct pvhdev_capture *run(const char *tree, const char *kmsg)
{
	char root[512], log[1100];
	struct pvhdev_capture_opts o = { .size = sizeof(o), .sysfs_root = root };
	struct pvhdev_capture *cap = NULL;

	snprintf(root, sizeof(root), "%s/%s", TREES, tree);
	if (kmsg) {
		snprintf(log, sizeof(log), "%s/%s", root, kmsg);
		o.kmsg = log;
	}
	assert_int_equal(pvhdev_capture_run(&o, &cap), 0);
	assert_non_null(cap);
	return cap;
}

/* The capture's notes, one per line, with the trees' path as @ROOT@. */
static char *notes_of(const struct pvhdev_capture *cap)
{
	static char buf[8192];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pvhdev_capture_nr_notes(cap); i++) {
		const char *n = pvhdev_capture_note(cap, i);
		const char *at = strstr(n, TREES);

		if (at)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			                        "%.*s@ROOT@%s\n", (int)(at - n), n,
			                        at + strlen(TREES));
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", n);
		assert_true(len < sizeof(buf));
	}
	return buf;
}

/* Every occurrence of what replaced by with, in place (with is shorter). */
static void replace_all(char *s, const char *what, const char *with)
{
	size_t wl = strlen(what), nl = strlen(with);
	char *p;

	while ((p = strstr(s, what))) {
		memcpy(p, with, nl);
		memmove(p + nl, p + wl, strlen(p + wl) + 1);
	}
}

static char *xml_of(const struct pvhdev_capture *cap, const char *lspci)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(pvhdev_capture_write_xml(cap, f, lspci, NULL, 0), 0);
	assert_int_equal(fclose(f), 0);
	replace_all(text, TREES, "@ROOT@");
	return text;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		fail_msg("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), n);
	fclose(f);
	return buf;
}

/* Compares text with TREES/name, or rewrites it on request. */
static void golden(const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", TREES, name);
	if (getenv("PVHDEV_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		print_message("rewrote %s\n", path);
		return;
	}
	char *want = read_text(path);
	assert_string_equal(text, want);
	free(want);
}

/* Writes the capture (with devs inline, if any) to a temporary file and
 * loads it back as a platform file, schema check included. */
static struct pvhdev_platform_file *
load_back(const struct pvhdev_capture *cap, const struct pvhdev_fake_dev *devs,
          size_t n)
{
	char path[] = "/tmp/pvhdev-capture-XXXXXX", err[512];
	struct pvhdev_platform_file *pf = NULL;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	assert_non_null(f);
	assert_int_equal(pvhdev_capture_write_xml(cap, f, NULL, devs, n), 0);
	assert_int_equal(fclose(f), 0);
	if (pvhdev_platform_file_load(path, SCHEMA, &pf, err, sizeof(err)))
		fail_msg("%s", err);
	unlink(path);
	return pf;
}

/* The platform a file holds equals what was captured. */
static void same_platform(const struct pvhdev_platform *a,
                          const struct pvhdev_platform *b)
{
	assert_int_equal(a->nr_e820, b->nr_e820);
	assert_int_equal(a->nr_acpi, b->nr_acpi);
	assert_int_equal(a->nr_mcfg, b->nr_mcfg);
	assert_int_equal(a->nr_ioapics, b->nr_ioapics);
	for (size_t i = 0; i < a->nr_e820; i++) {
		assert_int_equal(a->e820[i].addr, b->e820[i].addr);
		assert_int_equal(a->e820[i].size, b->e820[i].size);
		assert_int_equal(a->e820[i].type, b->e820[i].type);
	}
	for (size_t i = 0; i < a->nr_acpi; i++) {
		assert_string_equal(a->acpi[i].sig, b->acpi[i].sig);
		assert_int_equal(a->acpi[i].addr, b->acpi[i].addr);
		assert_int_equal(a->acpi[i].len, b->acpi[i].len);
	}
	for (size_t i = 0; i < a->nr_mcfg; i++)
		assert_memory_equal(&a->mcfg[i], &b->mcfg[i], sizeof(a->mcfg[i]));
	for (size_t i = 0; i < a->nr_ioapics; i++) {
		assert_int_equal(a->ioapics[i].id, b->ioapics[i].id);
		assert_int_equal(a->ioapics[i].addr, b->ioapics[i].addr);
		assert_int_equal(a->ioapics[i].gsi_base, b->ioapics[i].gsi_base);
		assert_int_equal(a->ioapics[i].pins, b->ioapics[i].pins);
	}
	assert_int_equal(a->lapic_addr ? a->lapic_addr : PVHDEV_LAPIC_DEFAULT,
	                 b->lapic_addr ? b->lapic_addr : PVHDEV_LAPIC_DEFAULT);
}

/* ---- The good tree ---- */

static void good_tree_xml(void **state)
{
	struct pvhdev_capture *cap = run("good", "kmsg");
	char *xml = xml_of(cap, "host.lspci");

	(void)state;
	assert_int_equal(pvhdev_capture_nr_notes(cap), 0);
	golden("good.xml", xml);
	free(xml);
	pvhdev_capture_free(cap);
}

static void good_tree_platform(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		{ 0x0, 0x9f000, 1 }, { 0x9f000, 0x61000, 2 },
		{ 0x100000, 0x7fde0000, 1 }, { 0x7fee0000, 0x1f000, 3 },
		{ 0x7feff000, 0x1000, 4 }, { 0x7ff00000, 0x100000, 2 },
		{ 0xe0000000, 0x10000000, 2 }, { 0xfec00000, 0x2000, 2 },
		{ 0xfee00000, 0x1000, 2 }, { 0xff000000, 0x1000000, 2 },
		{ 0x100000000, 0x180000000, 1 },
	};
	static const char *const sigs[] = { "XSDT", "FACP", "APIC", "MCFG", "DSDT",
	                                    "SSDT", "SSDT", "RSDP", "FACS" };
	struct pvhdev_capture *cap = run("good", "kmsg");
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);

	(void)state;
	assert_int_equal(p->size, sizeof(*p));
	assert_int_equal(p->nr_e820, sizeof(e820) / sizeof(e820[0]));
	for (size_t i = 0; i < p->nr_e820; i++) {
		assert_int_equal(p->e820[i].addr, e820[i].addr);
		assert_int_equal(p->e820[i].size, e820[i].size);
		assert_int_equal(p->e820[i].type, e820[i].type);
	}
	assert_int_equal(p->nr_acpi, 9);
	for (size_t i = 0; i < p->nr_acpi; i++)
		assert_string_equal(p->acpi[i].sig, sigs[i]);
	assert_int_equal(p->acpi[7].addr, 0x7fefe014); /* from EFI's systab */
	assert_int_equal(p->acpi[7].len, 36);
	assert_int_equal(p->nr_mcfg, 2);
	assert_int_equal(p->mcfg[1].addr, 0xf0000000);
	assert_int_equal(p->mcfg[1].seg, 1);
	assert_int_equal(p->mcfg[1].end_bus, 15);
	assert_int_equal(p->nr_ioapics, 2);
	assert_int_equal(p->ioapics[0].id, 8);
	assert_int_equal(p->ioapics[0].pins, 24);
	assert_int_equal(p->ioapics[1].addr, 0xfec01000);
	assert_int_equal(p->ioapics[1].gsi_base, 24);
	assert_int_equal(p->ioapics[1].pins, 32);   /* the log: GSI 24-55 */
	assert_int_equal(p->lapic_addr, 0xfee00000);
	assert_int_equal(p->nr_hidden + p->nr_reserved, 0);
	pvhdev_capture_free(cap);
}

/* No kernel log: addresses only from the FADT and EFI, pins from the
 * next IO-APIC and the 24 default. */
static void good_tree_without_log(void **state)
{
	struct pvhdev_capture *cap = run("good", NULL);
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);
	char *xml = xml_of(cap, NULL);

	(void)state;
	assert_string_equal(notes_of(cap), "");
	assert_int_equal(p->nr_acpi, 3);
	assert_int_equal(p->ioapics[0].pins, 24);
	assert_int_equal(p->ioapics[1].pins, 24);
	golden("good-nolog.xml", xml);
	free(xml);
	pvhdev_capture_free(cap);
}

/* What the XML says is what pvhdev's platform loader reads back, with
 * the PCI functions inline and from a dump file. */
static void xml_loads_back(void **state)
{
	struct pvhdev_libpci_opts lo = { .size = sizeof(lo),
	                                 .sysfs_root = TREES "/good" };
	struct pvhdev_capture *cap = run("good", "kmsg");
	struct pvhdev_platform_file *pf;
	struct pvhdev_libpci *lp;
	char err[256];

	(void)state;
	assert_int_equal(pvhdev_libpci_open(&lo, &lp, err, sizeof(err)), 0);
	pf = load_back(cap, pvhdev_libpci_devs(lp), pvhdev_libpci_count(lp));
	same_platform(pvhdev_capture_platform(cap), pvhdev_platform_file_platform(pf));
	assert_int_equal(pvhdev_platform_file_count(pf), pvhdev_libpci_count(lp));
	for (size_t i = 0; i < pvhdev_libpci_count(lp); i++) {
		const struct pvhdev_fake_dev *a = &pvhdev_libpci_devs(lp)[i];
		const struct pvhdev_fake_dev *b = &pvhdev_platform_file_devs(pf)[i];

		assert_int_equal(a->sbdf, b->sbdf);
		assert_int_equal(a->cfg_len, b->cfg_len);
		assert_memory_equal(a->cfg, b->cfg, a->cfg_len);
		assert_memory_equal(a->bar_size, b->bar_size, sizeof(a->bar_size));
		assert_int_equal(a->rom_size, b->rom_size);
	}
	pvhdev_platform_file_free(pf);
	pvhdev_libpci_close(lp);
	pvhdev_capture_free(cap);
}

/* ---- Broken MADTs ---- */

static void madt_truncated(void **state)
{
	struct pvhdev_capture *cap = run("madt-truncated", NULL);
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);

	(void)state;
	assert_string_equal(notes_of(cap),
		"RSDP: address unknown (no EFI systab, not in the kernel log)\n"
		"APIC: the header says 110 bytes, the file has 50 (truncated); "
		"IO-APICs and the LAPIC address not captured\n"
		"@ROOT@/madt-truncated/firmware/acpi/tables/MCFG: No such file or "
		"directory; no ECAM windows captured\n");
	assert_int_equal(p->nr_ioapics, 0);
	assert_int_equal(p->lapic_addr, 0);
	assert_int_equal(p->nr_e820, 3);
	assert_int_equal(p->nr_acpi, 0);
	pvhdev_capture_free(cap);
}

/* Golden, notes comment included. */
static void madt_bad_signature(void **state)
{
	struct pvhdev_capture *cap = run("madt-badsig", NULL);
	char *xml = xml_of(cap, NULL);

	(void)state;
	assert_int_equal(pvhdev_capture_platform(cap)->nr_ioapics, 0);
	golden("madt-badsig.xml", xml);
	free(xml);
	pvhdev_capture_free(cap);
}

/* An entry of length 0 would loop forever in a naive walk. */
static void madt_bad_entry_length(void **state)
{
	struct pvhdev_capture *cap = run("madt-badentry", NULL);
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);

	(void)state;
	assert_non_null(strstr(notes_of(cap), "APIC: the entry at offset 0x38 "
	                       "runs past the table's 66 bytes or is shorter than "
	                       "2; the rest is ignored\n"));
	assert_int_equal(p->nr_ioapics, 1);
	assert_int_equal(p->ioapics[0].id, 2);
	assert_int_equal(p->ioapics[0].pins, 24);
	assert_int_equal(p->lapic_addr, 0xfee00000);
	pvhdev_capture_free(cap);
}

/* Firmware ships bad checksums; Linux warns and uses the table. */
static void madt_bad_checksum_is_used(void **state)
{
	struct pvhdev_capture *cap = run("madt-badsum", NULL);
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);

	(void)state;
	assert_non_null(strstr(notes_of(cap), "APIC: checksum is wrong (bytes "
	                       "sum to 0x1); used anyway\n"));
	assert_int_equal(p->nr_ioapics, 2);
	pvhdev_capture_free(cap);
}

static void madt_overrides(void **state)
{
	struct pvhdev_capture *cap = run("madt-overrides", NULL);
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);

	(void)state;
	assert_string_equal(notes_of(cap),
		"RSDP: address unknown (no EFI systab, not in the kernel log)\n"
		"APIC: IO-APIC 2 at 0xfec20000, GSI base 48 repeats the id, window "
		"or GSI base of IO-APIC 2; skipped\n"
		"APIC: IO-APIC entry at offset 0x50 is 8 bytes, expected 12; "
		"skipped\n"
		"@ROOT@/madt-overrides/firmware/acpi/tables/MCFG: No such file or "
		"directory; no ECAM windows captured\n");
	assert_int_equal(p->lapic_addr, 0xfee10000); /* type 5 wins */
	assert_int_equal(p->nr_ioapics, 2);
	assert_int_equal(p->ioapics[0].pins, 24);    /* up to the next base */
	assert_int_equal(p->ioapics[1].pins, 37);    /* GSI 24..60 overridden */
	pvhdev_capture_free(cap);
}

/* ---- Broken MCFG, memmap, files ---- */

static void mcfg_bad_entries(void **state)
{
	struct pvhdev_capture *cap = run("mcfg-bad", NULL);
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);

	(void)state;
	assert_string_equal(notes_of(cap),
		"FACP: 8 bytes, shorter than an ACPI header; DSDT and FACS addresses "
		"from the FADT not available\n"
		"RSDP: address unknown (no EFI systab, not in the kernel log)\n"
		"@ROOT@/mcfg-bad/firmware/acpi/tables/APIC: No such file or "
		"directory; IO-APICs and the LAPIC address not captured\n"
		"MCFG: 103 bytes of entries is not a multiple of 16; the last 7 "
		"ignored\n"
		"MCFG: entry 1: start bus 9 > end bus 3; skipped\n"
		"MCFG: entry 2: base 0xe0080000 is not 1 MiB aligned or too high; "
		"skipped\n"
		"MCFG: entry 3 (segment 3, buses 10-20) overlaps segment 0 buses "
		"0-63 in ECAM space; skipped\n"
		"MCFG: entry 4 (segment 0, buses 32-40) overlaps segment 0 buses "
		"0-63 in bus numbers; skipped\n");
	assert_int_equal(p->nr_mcfg, 2);
	assert_int_equal(p->mcfg[0].end_bus, 63);
	assert_int_equal(p->mcfg[1].seg, 4);
	pvhdev_capture_free(cap);
}

static void memmap_bad_entries(void **state)
{
	struct pvhdev_capture *cap = run("memmap-bad", NULL);
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);

	(void)state;
	assert_string_equal(notes_of(cap),
		"e820 entry 1: unknown type 'Weird Memory'; skipped\n"
		"e820 entry 3: start and end are not numbers with start <= end; "
		"skipped\n"
		"e820 entry 6: start and end are not numbers with start <= end; "
		"skipped\n"
		"@ROOT@/memmap-bad/firmware/memmap/8/type: No such file or "
		"directory; e820 entry 8 skipped\n"
		"e820: [0x200000, 0x2fffff] overlaps [0x100000, 0x7fedffff]; "
		"dropped\n"
		"@ROOT@/memmap-bad/firmware/acpi/tables: No such file or directory; "
		"no ACPI tables captured\n"
		"RSDP: address unknown (no EFI systab, not in the kernel log)\n"
		"@ROOT@/memmap-bad/firmware/acpi/tables/APIC: No such file or "
		"directory; IO-APICs and the LAPIC address not captured\n"
		"@ROOT@/memmap-bad/firmware/acpi/tables/MCFG: No such file or "
		"directory; no ECAM windows captured\n");
	assert_int_equal(p->nr_e820, 4);
	assert_int_equal(p->e820[3].addr, 0x300000000);
	assert_int_equal(p->e820[3].size, 0x80000000);
	pvhdev_capture_free(cap);
}

/* read() fails (EISDIR) where a file should be: noted, skipped. */
static void unreadable_files(void **state)
{
	struct pvhdev_capture *cap = run("unreadable", "kmsg");
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);

	(void)state;
	assert_string_equal(notes_of(cap),
		"@ROOT@/unreadable/firmware/memmap/1/end: Is a directory; e820 entry "
		"1 skipped\n"
		"@ROOT@/unreadable/kmsg: No such file or directory; ACPI table "
		"addresses and IO-APIC pin counts from the kernel log not available\n"
		"RSDP: address unknown (no EFI systab, not in the kernel log)\n"
		"@ROOT@/unreadable/firmware/acpi/tables/APIC: Is a directory; "
		"IO-APICs and the LAPIC address not captured\n"
		"@ROOT@/unreadable/firmware/acpi/tables/MCFG: Is a directory; no "
		"ECAM windows captured\n");
	assert_int_equal(p->nr_e820, 2);
	assert_int_equal(p->nr_acpi + p->nr_mcfg + p->nr_ioapics, 0);
	pvhdev_capture_free(cap);
}

/* /dev/kmsg records; a length that disagrees with sysfs; a virtual
 * address; the FADT against the log; RSDP and RSDT from the log. */
static void kmsg_odd_lines(void **state)
{
	struct pvhdev_capture *cap = run("kmsg-odd", "kmsg");
	const struct pvhdev_platform *p = pvhdev_capture_platform(cap);
	char *xml = xml_of(cap, NULL);

	(void)state;
	assert_string_equal(notes_of(cap),
		"FACP: the kernel log gives 256 bytes at 0x7fee0200, sysfs 276 bytes; "
		"that address is not used\n"
		"DSDT: the kernel log says 0x7fee0800, the FADT 0x7fee0400; using "
		"the FADT\n");
	assert_non_null(strstr(xml, "  <acpi signature=\"RSDP\" addr=\"0xf0490\" "
	                       "length=\"20\"/> <!-- kernel log -->\n"));
	assert_non_null(strstr(xml, "  <acpi signature=\"RSDT\" addr=\"0x7fee0000\""
	                       " length=\"52\"/> <!-- kernel log -->\n"));
	assert_non_null(strstr(xml, "  <!-- APIC, 110 bytes: address unknown -->"));
	assert_non_null(strstr(xml, "  <!-- SSDT2, 64 bytes: address unknown -->"));
	assert_int_equal(p->nr_acpi, 6); /* RSDP RSDT DSDT SSDT1 MCFG FACS */
	assert_int_equal(p->ioapics[1].pins, 24); /* no IOAPIC lines */
	free(xml);
	pvhdev_capture_free(cap);
}

/* Nothing at all: every source is a note, the XML is still a valid
 * (empty) platform; "--" in a path never ends up in a comment. */
static void missing_root(void **state)
{
	struct pvhdev_capture_opts o = { .size = sizeof(o),
	                                 .sysfs_root = "/nonexistent--pvhdev",
	                                 .kmsg = "/nonexistent--pvhdev/kmsg" };
	struct pvhdev_capture *cap;
	struct pvhdev_platform_file *pf;

	(void)state;
	assert_int_equal(pvhdev_capture_run(&o, &cap), 0);
	assert_string_equal(notes_of(cap),
		"/nonexistent--pvhdev/firmware/memmap: No such file or directory; "
		"no e820 map captured\n"
		"/nonexistent--pvhdev/kmsg: No such file or directory; ACPI table "
		"addresses and IO-APIC pin counts from the kernel log not available\n"
		"/nonexistent--pvhdev/firmware/acpi/tables: No such file or "
		"directory; no ACPI tables captured\n"
		"RSDP: address unknown (no EFI systab, not in the kernel log)\n"
		"/nonexistent--pvhdev/firmware/acpi/tables/APIC: No such file or "
		"directory; IO-APICs and the LAPIC address not captured\n"
		"/nonexistent--pvhdev/firmware/acpi/tables/MCFG: No such file or "
		"directory; no ECAM windows captured\n");
	pf = load_back(cap, NULL, 0);
	same_platform(pvhdev_capture_platform(cap), pvhdev_platform_file_platform(pf));
	pvhdev_platform_file_free(pf);
	pvhdev_capture_free(cap);
}

static void bad_arguments(void **state)
{
	struct pvhdev_capture_opts o = { .size = 1 };
	struct pvhdev_capture *cap = run("good", NULL);
	char name[] = "a&b<\"c\">.lspci";
	char *xml = xml_of(cap, name);

	(void)state;
	assert_int_equal(pvhdev_capture_run(NULL, NULL), -EINVAL);
	assert_int_equal(pvhdev_capture_run(&o, &cap), -EINVAL);
	assert_int_equal(pvhdev_capture_write_xml(NULL, stdout, NULL, NULL, 0),
	                 -EINVAL);
	assert_int_equal(pvhdev_capture_write_xml(cap, NULL, NULL, NULL, 0),
	                 -EINVAL);
	assert_int_equal(pvhdev_capture_write_xml(cap, stdout, NULL, NULL, 1),
	                 -EINVAL);
	assert_non_null(strstr(xml, "<dump file=\"a&amp;b&lt;&quot;c&quot;&gt;"
	                       ".lspci\"/>"));
	assert_null(pvhdev_capture_platform(NULL));
	assert_int_equal(pvhdev_capture_nr_notes(NULL), 0);
	assert_null(pvhdev_capture_note(cap, 99));
	pvhdev_capture_free(NULL);
	free(xml);
	pvhdev_capture_free(cap);
}

/* ---- This machine ---- */

/* Whatever this machine lets us read: no crash, a valid platform file,
 * and the parts sysfs has are there. */
static void real_sys_capture(void **state)
{
	struct pvhdev_capture_opts o = { .size = sizeof(o), .kmsg = "/dev/kmsg" };
	struct pvhdev_capture *cap;
	struct pvhdev_platform_file *pf;
	const struct pvhdev_platform *p;

	(void)state;
	assert_int_equal(pvhdev_capture_run(&o, &cap), 0);
	p = pvhdev_capture_platform(cap);
	if (access("/sys/firmware/memmap/0/type", R_OK) == 0)
		assert_true(p->nr_e820 > 0);
	if (access("/sys/firmware/acpi/tables/MCFG", R_OK) == 0)
		assert_true(p->nr_mcfg > 0 || strstr(notes_of(cap), "MCFG"));
	if (access("/sys/firmware/acpi/tables/APIC", R_OK) == 0)
		assert_true(p->nr_ioapics > 0 || strstr(notes_of(cap), "APIC"));
	pf = load_back(cap, NULL, 0);
	same_platform(p, pvhdev_platform_file_platform(pf));
	pvhdev_platform_file_free(pf);
	print_message("this machine: %zu e820, %zu ACPI tables, %zu MCFG, %zu "
	              "IO-APICs, %zu notes\n%s", p->nr_e820, p->nr_acpi,
	              p->nr_mcfg, p->nr_ioapics, pvhdev_capture_nr_notes(cap),
	              notes_of(cap));
	pvhdev_capture_free(cap);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(good_tree_xml),
	cmocka_unit_test(good_tree_platform),
	cmocka_unit_test(good_tree_without_log),
	cmocka_unit_test(xml_loads_back),
	cmocka_unit_test(madt_truncated),
	cmocka_unit_test(madt_bad_signature),
	cmocka_unit_test(madt_bad_entry_length),
	cmocka_unit_test(madt_bad_checksum_is_used),
	cmocka_unit_test(madt_overrides),
	cmocka_unit_test(mcfg_bad_entries),
	cmocka_unit_test(memmap_bad_entries),
	cmocka_unit_test(unreadable_files),
	cmocka_unit_test(kmsg_odd_lines),
	cmocka_unit_test(missing_root),
	cmocka_unit_test(bad_arguments),
	cmocka_unit_test(real_sys_capture),
};

PVHDEV_TEST_MAIN("capture", tests)
