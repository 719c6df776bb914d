/* SPDX-License-Identifier: MIT */
/*
 * The libpci backend and the lspci dump writer.
 *
 * Most cases run on fake sysfs trees (tests/data/capture/, built by
 * make-trees.py): libpci reads them through its sysfs.path parameter,
 * exactly as it reads /sys.  The real_* cases run on this machine's
 * /sys and skip, saying so, where it has no PCI functions; they never
 * fail because the machine differs, but they do check that what the
 * backend reports is what sysfs says and that nothing reached the
 * hardware.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "helpers.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include <pvhdev/dump.h>
#include <pvhdev/host.h>
#include <pvhdev/host_backend.h>

#define TREES PVHDEV_TEST_DATA "/capture"
#define GOOD TREES "/good"
#define SYS_PCI "/sys/bus/pci/devices"
#define S(seg, bus, dev, fn) PVHDEV_SBDF(seg, bus, dev, fn)

/* ---- Helpers ---- */

static struct pvhdev_libpci *open_tree(const char *root, unsigned flags)
{
	struct pvhdev_libpci_opts o = { .size = sizeof(o), .flags = flags,
	                                .sysfs_root = root };
	struct pvhdev_libpci *lp = NULL;
	char err[512];
	int rc = pvhdev_libpci_open(&o, &lp, err, sizeof(err));

	if (rc)
		fail_msg("pvhdev_libpci_open(%s): %d %s", root ? root : "/sys", rc,
		         err);
	return lp;
}

static uint32_t rd(struct pvhdev_libpci *lp, pvhdev_sbdf_t sbdf, unsigned reg,
                   unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(pvhdev_libpci_ops.cfg_read(pvhdev_libpci_ctx(lp), sbdf,
	                                             reg, size, &v), 0);
	return v;
}

static void wr(struct pvhdev_libpci *lp, pvhdev_sbdf_t sbdf, unsigned reg,
               unsigned size, uint32_t val)
{
	assert_int_equal(pvhdev_libpci_ops.cfg_write(pvhdev_libpci_ctx(lp), sbdf,
	                                             reg, size, val), 0);
}

static const struct pvhdev_fake_dev *dev_of(struct pvhdev_libpci *lp,
                                            pvhdev_sbdf_t sbdf)
{
	for (size_t i = 0; i < pvhdev_libpci_count(lp); i++)
		if (pvhdev_libpci_devs(lp)[i].sbdf == sbdf)
			return &pvhdev_libpci_devs(lp)[i];
	fail_msg("no device %08x", sbdf);
	return NULL;
}

/* The whole file into buf; returns its length. */
static size_t slurp(const char *path, uint8_t *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		fail_msg("%s: cannot open", path);
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

static void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void cfg_file(char *buf, size_t len, const char *root, const char *sbdf)
{
	snprintf(buf, len, "%s/bus/pci/devices/%s/config", root, sbdf);
}

/* A temporary tree holding copies of some of the good tree's functions. */
static void tmp_tree(char *root, const char *const *sbdfs, size_t n)
{
	static const char *const files[] = { "config", "resource", "vendor",
	                                     "device", "class", "irq" };
	char from[512], to[512];
	uint8_t buf[8192];

	strcpy(root, "/tmp/pvhdev-libpci-XXXXXX");
	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < n; i++) {
		snprintf(to, sizeof(to), "%s/bus", root);
		mkdir(to, 0755);
		snprintf(to, sizeof(to), "%s/bus/pci", root);
		mkdir(to, 0755);
		snprintf(to, sizeof(to), "%s/bus/pci/devices", root);
		mkdir(to, 0755);
		snprintf(to, sizeof(to), "%s/bus/pci/devices/%s", root, sbdfs[i]);
		assert_int_equal(mkdir(to, 0755), 0);
		for (size_t j = 0; j < sizeof(files) / sizeof(files[0]); j++) {
			snprintf(from, sizeof(from), GOOD "/bus/pci/devices/%s/%s",
			         sbdfs[i], files[j]);
			snprintf(to, sizeof(to), "%s/bus/pci/devices/%s/%s", root,
			         sbdfs[i], files[j]);
			spit(to, buf, slurp(from, buf, sizeof(buf)));
		}
	}
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *root)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool has_note(struct pvhdev_libpci *lp, const char *needle)
{
	for (size_t i = 0; i < pvhdev_libpci_nr_notes(lp); i++)
		if (strstr(pvhdev_libpci_note(lp, i), needle))
			return true;
	return false;
}

static int collect_sbdf(void *arg, pvhdev_sbdf_t sbdf)
{
	struct { pvhdev_sbdf_t v[256]; size_t n; } *c = arg;

	if (c->n < 256)
		c->v[c->n++] = sbdf;
	return 0;
}

/* ---- Fake trees ---- */

static void tree_enumerates_in_sbdf_order(void **state)
{
	static const pvhdev_sbdf_t want[] = {
		S(0, 0, 0, 0), S(0, 0, 2, 0), S(0, 0, 3, 0), S(0, 0, 0x1c, 0),
		S(0, 0, 0x1f, 3), S(0, 1, 0, 0), S(1, 0, 0, 0),
	};
	struct { pvhdev_sbdf_t v[256]; size_t n; } got = { .n = 0 };
	struct pvhdev_libpci *lp = open_tree(GOOD, 0);

	(void)state;
	assert_int_equal(pvhdev_libpci_ops.enumerate(pvhdev_libpci_ctx(lp),
	                                             collect_sbdf, &got), 0);
	assert_int_equal(got.n, sizeof(want) / sizeof(want[0]));
	assert_memory_equal(got.v, want, sizeof(want));
	assert_int_equal(pvhdev_libpci_count(lp), got.n);
	for (size_t i = 0; i < got.n; i++)
		assert_int_equal(pvhdev_libpci_devs(lp)[i].sbdf, want[i]);
	assert_int_equal(pvhdev_libpci_nr_notes(lp), 0);
	pvhdev_libpci_close(lp);
}

/* Config bytes as the files hold them; BAR sizes from the resource
 * files, a 64-bit BAR's in its low slot. */
static void tree_snapshot_matches_files(void **state)
{
	static const struct {
		const char *name;
		pvhdev_sbdf_t sbdf;
		uint64_t bar[6], rom;
	} want[] = {
		{ "0000:00:00.0", S(0, 0, 0, 0), { 0 }, 0 },
		{ "0000:00:02.0", S(0, 0, 2, 0), { 16 << 20, 0, 4096 }, 64 << 10 },
		{ "0000:00:03.0", S(0, 0, 3, 0), { 128 << 10, 0, 32, 16 << 10 }, 0 },
		{ "0000:00:1c.0", S(0, 0, 0x1c, 0), { 0 }, 0 },
		{ "0000:00:1f.3", S(0, 0, 0x1f, 3), { 0, 0, 0, 0, 64 }, 0 },
		{ "0000:01:00.0", S(0, 1, 0, 0), { 1 << 20 }, 0 },
		{ "0001:00:00.0", S(1, 0, 0, 0), { 0 }, 0 },
	};
	struct pvhdev_libpci *lp = open_tree(GOOD, 0);
	uint8_t file[8192];
	char path[512];

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct pvhdev_fake_dev *d = dev_of(lp, want[i].sbdf);

		cfg_file(path, sizeof(path), GOOD, want[i].name);
		size_t n = slurp(path, file, sizeof(file));
		assert_int_equal(d->cfg_len, n);
		assert_memory_equal(d->cfg, file, n);
		assert_memory_equal(d->bar_size, want[i].bar, sizeof(want[i].bar));
		assert_int_equal(d->rom_size, want[i].rom);
	}
	pvhdev_libpci_close(lp);
}

/* Written bytes come from the shadow, the others from the "hardware"
 * as it is now: a change made behind our back shows. */
static void tree_shadow_and_live_bytes(void **state)
{
	static const char *const one[] = { "0000:00:03.0" };
	pvhdev_sbdf_t s = S(0, 0, 3, 0);
	uint8_t before[4096], after[4096];
	char root[64], path[512];

	(void)state;
	tmp_tree(root, one, 1);
	cfg_file(path, sizeof(path), root, one[0]);
	struct pvhdev_libpci *lp = open_tree(root, 0);
	assert_int_equal(rd(lp, s, 0x04, 2), 0x0407);
	wr(lp, s, 0x04, 2, 0x0002);        /* command: memory only */
	wr(lp, s, 0x3c, 1, 0x0b);          /* interrupt line */
	assert_int_equal(rd(lp, s, 0x04, 2), 0x0002);
	assert_int_equal(rd(lp, s, 0x3c, 1), 0x0b);
	size_t n = slurp(path, before, sizeof(before));
	assert_int_equal(before[0x04], 0x07); /* the file never saw it */
	assert_int_equal(before[0x3c], 0x00);
	before[0x06] = 0x10 | 0x80;           /* the device sets a status bit */
	before[0x3d] = 0x01;                  /* ... and the interrupt pin */
	spit(path, before, n);
	assert_int_equal(rd(lp, s, 0x04, 4), 0x00900002); /* shadow | live */
	assert_int_equal(rd(lp, s, 0x3c, 2), 0x010b);
	assert_int_equal(pvhdev_libpci_hw_writes(lp), 0);
	pvhdev_libpci_close(lp);
	assert_int_equal(slurp(path, after, sizeof(after)), n);
	assert_memory_equal(after, before, n);
	rm_tree(root);
}

/* The shadow sizes BARs like hardware: all-ones reads ~(size-1) | flags. */
static void tree_bar_sizing_like_hardware(void **state)
{
	pvhdev_sbdf_t nic = S(0, 0, 3, 0), vga = S(0, 0, 2, 0);
	uint8_t before[4096], after[4096];
	char path[512];
	size_t n;

	(void)state;
	cfg_file(path, sizeof(path), GOOD, "0000:00:03.0");
	n = slurp(path, before, sizeof(before));
	struct pvhdev_libpci *lp = open_tree(GOOD, 0);
	for (unsigned i = 0; i < 6; i++)
		wr(lp, nic, 0x10 + 4 * i, 4, 0xffffffff);
	assert_int_equal(rd(lp, nic, 0x10, 4), 0xfffe0000); /* 128K mem32 */
	assert_int_equal(rd(lp, nic, 0x14, 4), 0);          /* no BAR1 */
	assert_int_equal(rd(lp, nic, 0x18, 4), 0xffffffe1); /* 32 bytes IO */
	assert_int_equal(rd(lp, nic, 0x1c, 4), 0xffffc00c); /* 16K, 64-bit pf */
	assert_int_equal(rd(lp, nic, 0x20, 4), 0xffffffff); /* its high half */
	wr(lp, vga, 0x30, 4, 0xfffff800);                   /* ROM, enable off */
	assert_int_equal(rd(lp, vga, 0x30, 4), 0xffff0000); /* 64K */
	wr(lp, vga, 0x10, 4, 0xffffffff);
	assert_int_equal(rd(lp, vga, 0x10, 4), 0xff000008); /* 16M prefetch */
	wr(lp, vga, 0x10, 4, 0xfd000000);
	assert_int_equal(rd(lp, vga, 0x10, 4), 0xfd000008);
	pvhdev_libpci_close(lp);
	assert_int_equal(slurp(path, after, sizeof(after)), n);
	assert_memory_equal(after, before, n);
}

/* With hardware writes allowed, writes reach the file, except BAR and
 * ROM registers, which the shadow keeps. */
static void tree_hw_writes_reach_file_but_not_bars(void **state)
{
	static const char *const one[] = { "0000:00:03.0" };
	pvhdev_sbdf_t s = S(0, 0, 3, 0);
	uint8_t cfg[4096];
	char root[64], path[512];

	(void)state;
	tmp_tree(root, one, 1);
	cfg_file(path, sizeof(path), root, one[0]);
	struct pvhdev_libpci *lp = open_tree(root, PVHDEV_LIBPCI_HW_WRITES);
	wr(lp, s, 0x04, 2, 0x0006);
	wr(lp, s, 0x0c, 1, 0x10);
	wr(lp, s, 0x10, 4, 0xffffffff);
	wr(lp, s, 0x30, 4, 0xfffff800);
	assert_int_equal(pvhdev_libpci_hw_writes(lp), 2);
	slurp(path, cfg, sizeof(cfg));
	assert_int_equal(cfg[0x04] | cfg[0x05] << 8, 0x0006);
	assert_int_equal(cfg[0x0c], 0x10);
	assert_int_equal(cfg[0x10] | cfg[0x11] << 8 | cfg[0x12] << 16 |
	                 (uint32_t)cfg[0x13] << 24, 0xfeb80000);
	assert_int_equal(rd(lp, s, 0x04, 2), 0x0006);
	assert_int_equal(rd(lp, s, 0x10, 4), 0xfffe0000);
	pvhdev_libpci_close(lp);
	rm_tree(root);
}

/* What a non-root reader gets: 64 bytes; the rest reads all-ones. */
static void tree_short_config_is_noted(void **state)
{
	struct pvhdev_libpci *lp = open_tree(TREES "/pci-bad", 0);
	pvhdev_sbdf_t s = S(0, 0, 1, 0);

	(void)state;
	assert_int_equal(dev_of(lp, s)->cfg_len, 64);
	assert_int_equal(rd(lp, s, 0x00, 4), 0x15338086);
	assert_int_equal(rd(lp, s, 0x40, 4), 0xffffffff);
	assert_int_equal(rd(lp, s, 0x100, 2), 0xffff);
	assert_true(has_note(lp, "only 64 bytes of config space readable for 1 "
	                     "of 3 functions (first 0000:00:01.0): not root?"));
	pvhdev_libpci_close(lp);
}

static void tree_bad_functions_are_noted(void **state)
{
	static const char *const want[] = {
		"0000:00:02.0: config space reads vendor ID ffff; skipped",
		"0000:00:03.0 BAR0: size 0x3000: not a power of two; left unsized",
		"0000:00:03.0 BAR5: size 0x1000: a 64-bit BAR in the last slot has "
		"no high half; left unsized",
		"0000:00:03.0 ROM: size 0x100 does not fit header type 0's ROM "
		"register; left unsized",
		"0000:00:04.0 BAR0: size 0x4000: the register reads 0 but the "
		"kernel placed it (a VF or an Enhanced Allocation BAR); left unsized",
		"0000:00:06.0: config space does not read; skipped",
		"only 64 bytes of config space readable for 1 of 3 functions (first "
		"0000:00:01.0): not root? Capabilities past 0x40 are missing and "
		"read ff",
	};
	struct pvhdev_libpci *lp = open_tree(TREES "/pci-bad", 0);

	(void)state;
	assert_int_equal(pvhdev_libpci_count(lp), 3);
	assert_int_equal(pvhdev_libpci_nr_notes(lp), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(pvhdev_libpci_note(lp, i), want[i]);
	assert_int_equal(dev_of(lp, S(0, 0, 1, 0))->bar_size[0], 128 << 10);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(dev_of(lp, S(0, 0, 3, 0))->bar_size[i], 0);
	assert_int_equal(rd(lp, S(0, 0, 2, 0), 0, 4), 0xffffffff);
	pvhdev_libpci_close(lp);
}

/* A function libpci cannot scan: found before libpci runs, named. */
static void tree_broken_function_is_named(void **state)
{
	struct pvhdev_libpci_opts o = { .size = sizeof(o),
	                                .sysfs_root = TREES "/pci-broken" };
	struct pvhdev_libpci *lp = (void *)1;
	char err[512];

	(void)state;
	assert_int_equal(pvhdev_libpci_open(&o, &lp, err, sizeof(err)), -ENOENT);
	assert_null(lp);
	assert_string_equal(err, TREES "/pci-broken/bus/pci/devices/0000:00:05.0/"
	                    "vendor: No such file or directory (libpci needs it "
	                    "for every function)");
}

/* libpci's own error hook would exit(); ours turns its message into
 * -EIO.  A sysfs path longer than libpci's 1024-byte name buffer makes
 * libpci call it before it allocates anything. */
static void libpci_error_hook_returns(void **state)
{
	char root[1400], err[512];
	struct pvhdev_libpci_opts o = { .size = sizeof(o), .sysfs_root = root };
	struct pvhdev_libpci *lp = (void *)1;
	size_t len;

	(void)state;
	strcpy(root, "/tmp/pvhdev-libpci-XXXXXX");
	assert_non_null(mkdtemp(root));
	for (int i = 0; i < 5; i++) {
		len = strlen(root);
		root[len] = '/';
		memset(root + len + 1, 'a' + i, 200);
		root[len + 201] = '\0';
		assert_int_equal(mkdir(root, 0755), 0);
	}
	len = strlen(root);
	strcpy(root + len, "/bus");
	mkdir(root, 0755);
	strcpy(root + len, "/bus/pci");
	mkdir(root, 0755);
	strcpy(root + len, "/bus/pci/devices");
	mkdir(root, 0755);
	root[len] = '\0';
	for (int k = 0; k < 2; k++) { /* the hook's state is per handle */
		assert_int_equal(pvhdev_libpci_open(&o, &lp, err, sizeof(err)), -EIO);
		assert_null(lp);
		assert_string_equal(err, "libpci: Directory name too long");
	}
	root[strlen("/tmp/pvhdev-libpci-XXXXXX")] = '\0';
	rm_tree(root);
}

static void missing_sysfs_is_a_clear_error(void **state)
{
	struct pvhdev_libpci_opts o = { .size = sizeof(o),
	                                .sysfs_root = "/nonexistent-pvhdev" };
	struct pvhdev_libpci *lp;
	char err[512];

	(void)state;
	assert_int_equal(pvhdev_libpci_open(&o, &lp, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent-pvhdev/bus/pci/devices: No such "
	                    "file or directory (no PCI devices in sysfs: not "
	                    "Linux, or sysfs not mounted?)");
	assert_int_equal(pvhdev_libpci_open(NULL, NULL, err, sizeof(err)), -EINVAL);
	o.size = 1;
	assert_int_equal(pvhdev_libpci_open(&o, &lp, NULL, 0), -EINVAL);
}

static void empty_sysfs_has_no_functions(void **state)
{
	struct { pvhdev_sbdf_t v[256]; size_t n; } got = { .n = 0 };
	char root[64], dir[128];

	(void)state;
	strcpy(root, "/tmp/pvhdev-libpci-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/bus", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/bus/pci", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", root);
	mkdir(dir, 0755);
	struct pvhdev_libpci *lp = open_tree(root, 0);
	assert_int_equal(pvhdev_libpci_count(lp), 0);
	assert_int_equal(pvhdev_libpci_ops.enumerate(lp, collect_sbdf, &got), 0);
	assert_int_equal(got.n, 0);
	assert_int_equal(rd(lp, 0, 0, 4), 0xffffffff);
	pvhdev_libpci_close(lp);
	rm_tree(root);
}

/* Malformed accesses answer like absent hardware and never fail. */
static void bad_accesses_read_all_ones(void **state)
{
	struct pvhdev_libpci *lp = open_tree(GOOD, 0);
	pvhdev_sbdf_t s = S(0, 0, 3, 0);
	uint32_t v;

	(void)state;
	assert_int_equal(rd(lp, s, 0x01, 2), 0xffff);       /* unaligned */
	assert_int_equal(rd(lp, s, 0x00, 3), 0xffffffff);   /* bad size */
	assert_int_equal(rd(lp, s, 0x1000, 1), 0xff);       /* past 4K */
	assert_int_equal(rd(lp, S(0, 9, 0, 0), 0, 4), 0xffffffff);
	wr(lp, s, 0x05, 2, 0);                              /* dropped */
	wr(lp, S(0, 9, 0, 0), 0x04, 2, 0);
	assert_int_equal(rd(lp, s, 0x04, 2), 0x0407);
	assert_int_equal(pvhdev_libpci_ops.cfg_read(NULL, s, 0, 4, &v), -EINVAL);
	assert_int_equal(pvhdev_libpci_ops.cfg_read(lp, s, 0, 4, NULL), -EINVAL);
	assert_int_equal(pvhdev_libpci_ops.cfg_write(NULL, s, 0, 4, 0), -EINVAL);
	assert_int_equal(pvhdev_libpci_ops.enumerate(lp, NULL, NULL), -EINVAL);
	assert_null(pvhdev_libpci_ops.mmio_read);
	assert_null(pvhdev_libpci_ops.mmio_write);
	pvhdev_libpci_close(lp);
	pvhdev_libpci_close(NULL);
}

/* The dump's text lines: what lspci -D -n -vv prints before the hex. */
static void tree_dump_text(void **state)
{
	static const char want[] =
		"0000:00:00.0 0600: 8086:29c0 (rev 02)\n"
		"0000:00:02.0 0300: 1234:1111 (rev 02)\n"
		"\tRegion 0: Memory at fd000000 (32-bit, prefetchable) [size=16M]\n"
		"\tRegion 2: Memory at febf0000 (32-bit, non-prefetchable) [size=4K]\n"
		"\tExpansion ROM at febe0000 [disabled] [size=64K]\n"
		"0000:00:03.0 0200: 8086:10d3\n"
		"\tRegion 0: Memory at feb80000 (32-bit, non-prefetchable) [size=128K]\n"
		"\tRegion 2: I/O ports at c000 [size=32]\n"
		"\tRegion 3: Memory at 800000000 (64-bit, prefetchable) [size=16K]\n"
		"0000:00:1c.0 0604: 8086:2940\n"
		"0000:00:1f.3 0c05: 8086:2930 (rev 02)\n"
		"\tRegion 4: I/O ports at 0700 [size=64]\n"
		"0000:01:00.0 0200: 10ec:8168 (rev 06)\n"
		"\tRegion 0: Memory at 100000000 (64-bit, non-prefetchable) "
		"[size=1M]\n"
		"0001:00:00.0 0600: 1b36:0008\n";
	struct pvhdev_libpci *lp = open_tree(GOOD, 0);
	char *text = NULL, line[512], got[4096] = "";
	size_t len = 0, hex = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(pvhdev_libpci_write_dump(lp, f), 0);
	fclose(f);
	f = fmemopen(text, len, "r");
	while (fgets(line, sizeof(line), f)) {
		unsigned off;
		char *colon = strchr(line, ':');
		if (sscanf(line, "%x: ", &off) == 1 && colon && colon - line <= 3 &&
		    colon[1] == ' ')
			hex++;
		else if (line[0] != '\n')
			strcat(got, line);
	}
	fclose(f);
	assert_string_equal(got, want);
	assert_int_equal(hex, 6 * 16 + 256); /* one function has 4096 bytes */
	free(text);
	pvhdev_libpci_close(lp);
}

/* Does the dump loader say it guessed the size of slot ("BAR3", "ROM")
 * of sbdf? */
static bool guessed(const struct pvhdev_dump *d, pvhdev_sbdf_t sbdf,
                    const char *slot)
{
	char want[64];

	pvhdev_sbdf_str(sbdf, want);
	snprintf(want + 12, sizeof(want) - 12, " %s: no [size=] in the dump", slot);
	for (size_t i = 0; i < pvhdev_dump_nr_notes(d); i++)
		if (strstr(pvhdev_dump_note(d, i), want))
			return true;
	return false;
}

/* Sizes survive the round trip; where the snapshot has none (libpci
 * could not size the BAR) the loader must say it guessed. */
static void same_sizes(const struct pvhdev_dump *d,
                       const struct pvhdev_fake_dev *a,
                       const struct pvhdev_fake_dev *b, bool exact)
{
	char slot[8];

	for (unsigned j = 0; j < 7; j++) {
		uint64_t x = j < 6 ? a->bar_size[j] : a->rom_size;
		uint64_t y = j < 6 ? b->bar_size[j] : b->rom_size;

		snprintf(slot, sizeof(slot), j < 6 ? "BAR%u" : "ROM", j);
		if (x || exact)
			assert_int_equal(x, y);
		else if (y && !guessed(d, a->sbdf, slot))
			fail_msg("%08x %s: size %llx from nowhere", a->sbdf, slot,
			         (unsigned long long)y);
	}
}

/* Written, then read back by pvhdev_dump_load() (libpci's dump method
 * underneath): the same functions, bytes and sizes; exact: nothing
 * guessed. */
static void round_trip(struct pvhdev_libpci *lp, bool exact)
{
	char path[] = "/tmp/pvhdev-dump-XXXXXX", err[512];
	struct pvhdev_dump *d;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	assert_non_null(f);
	assert_int_equal(pvhdev_libpci_write_dump(lp, f), 0);
	assert_int_equal(fclose(f), 0);
	if (pvhdev_dump_load(path, &d, err, sizeof(err)))
		fail_msg("pvhdev_dump_load: %s", err);
	assert_int_equal(pvhdev_dump_count(d), pvhdev_libpci_count(lp));
	for (size_t i = 0; i < pvhdev_dump_count(d); i++) {
		const struct pvhdev_fake_dev *a = &pvhdev_libpci_devs(lp)[i];
		const struct pvhdev_fake_dev *b = &pvhdev_dump_devs(d)[i];

		assert_int_equal(a->sbdf, b->sbdf);
		assert_true(b->cfg_len >= a->cfg_len);
		assert_memory_equal(a->cfg, b->cfg, a->cfg_len);
		same_sizes(d, a, b, exact);
	}
	pvhdev_dump_free(d);
	if (access("/usr/bin/lspci", X_OK) == 0) {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "/usr/bin/lspci -F %s -xxxx >/dev/null "
		         "2>&1", path);
		assert_int_equal(system(cmd), 0);
	}
	unlink(path);
}

static void tree_dump_round_trip(void **state)
{
	struct pvhdev_libpci *lp = open_tree(GOOD, 0);

	(void)state;
	round_trip(lp, true);
	pvhdev_libpci_close(lp);
	lp = open_tree(TREES "/pci-bad", 0);
	round_trip(lp, false);
	pvhdev_libpci_close(lp);
}

/* A domain over the backend and a captured platform: what --host does.
 * Booting sizes every BAR through the backend; none of it reaches the
 * files. */
static void tree_domain_boot(void **state)
{
	struct test_alloc a = { 0 };
	struct pvhdev_capture_opts co = { .size = sizeof(co), .sysfs_root = GOOD };
	struct pvhdev_capture *cap;
	struct pvhdev_domain *dom;
	struct pvhdev_dev *dev;
	uint8_t before[4096], after[4096];
	char path[512];
	size_t n;
	uint32_t v;

	(void)state;
	cfg_file(path, sizeof(path), GOOD, "0000:00:02.0");
	n = slurp(path, before, sizeof(before));
	struct pvhdev_libpci *lp = open_tree(GOOD, 0);
	assert_int_equal(pvhdev_capture_run(&co, &cap), 0);
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_libpci_ops,
		.backend_ctx = pvhdev_libpci_ctx(lp), .alloc = &test_alloc_ops,
		.alloc_ctx = &a,
	};
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), 0);
	assert_int_equal(pvhdev_domain_boot(dom, pvhdev_capture_platform(cap)), 0);
	for (size_t i = 0; i < pvhdev_libpci_count(lp); i++)
		assert_int_equal(pvhdev_dev_get(dom, pvhdev_libpci_devs(lp)[i].sbdf,
		                                &dev), 0);
	assert_int_equal(pvhdev_cfg_read(dom, S(0, 0, 2, 0), 0, 4, &v), 0);
	assert_int_equal(v, 0x11111234);
	pvhdev_domain_free(dom);
	assert_int_equal(a.live_blocks, 0);
	pvhdev_capture_free(cap);
	pvhdev_libpci_close(lp);
	assert_int_equal(slurp(path, after, sizeof(after)), n);
	assert_memory_equal(after, before, n);
}

/* ---- This machine ---- */

/* This machine's functions as sysfs lists them, sorted; 0: skip. */
static size_t real_sbdfs(pvhdev_sbdf_t *v, char (*names)[16], size_t max)
{
	DIR *d = opendir(SYS_PCI);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		unsigned seg, bus, dev, fn;
		if (sscanf(de->d_name, "%x:%x:%x.%u", &seg, &bus, &dev, &fn) != 4)
			continue;
		v[n] = S(seg, bus, dev, fn);
		snprintf(names[n++], 16, "%.15s", de->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < n; i++) /* insertion sort, names along */
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			pvhdev_sbdf_t t = v[j];
			char nm[16];
			v[j] = v[j - 1];
			v[j - 1] = t;
			memcpy(nm, names[j], 16);
			memcpy(names[j], names[j - 1], 16);
			memcpy(names[j - 1], nm, 16);
		}
	return n;
}

#define REAL_OR_SKIP(n, v, names)                                             \
	do {                                                                  \
		if (!((n) = real_sbdfs(v, names, 256))) {                     \
			print_message("skipped: " SYS_PCI " lists no PCI "    \
			              "functions on this machine\n");         \
			skip();                                               \
		}                                                             \
	} while (0)

static unsigned long sysfs_hex(const char *name, const char *attr)
{
	char path[256], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), SYS_PCI "/%s/%s", name, attr);
	if (!(f = fopen(path, "r")))
		fail_msg("%s: cannot open", path);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 0);
}

/* Enumeration order and vendor IDs, against sysfs itself. */
static void real_enumeration_matches_sysfs(void **state)
{
	static pvhdev_sbdf_t v[256];
	static char names[256][16];
	struct { pvhdev_sbdf_t v[256]; size_t n; } got = { .n = 0 };
	size_t n;

	(void)state;
	REAL_OR_SKIP(n, v, names);
	struct pvhdev_libpci *lp = open_tree(NULL, 0);
	assert_int_equal(pvhdev_libpci_ops.enumerate(lp, collect_sbdf, &got), 0);
	assert_int_equal(got.n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(got.v[i], v[i]);
		assert_int_equal(rd(lp, v[i], 0, 2), sysfs_hex(names[i], "vendor"));
		assert_int_equal(rd(lp, v[i], 2, 2), sysfs_hex(names[i], "device"));
	}
	print_message("%zu functions, first %s, last %s\n", n, names[0],
	              names[n - 1]);
	pvhdev_libpci_close(lp);
}

/* BAR sizes equal the kernel's resource sizes (or a note says why not). */
static void real_bar_sizes_match_resources(void **state)
{
	static pvhdev_sbdf_t v[256];
	static char names[256][16];
	size_t n, sized = 0;

	(void)state;
	REAL_OR_SKIP(n, v, names);
	struct pvhdev_libpci *lp = open_tree(NULL, 0);
	for (size_t i = 0; i < pvhdev_libpci_count(lp); i++) {
		const struct pvhdev_fake_dev *d = &pvhdev_libpci_devs(lp)[i];
		char path[256], line[256], tag[32];
		unsigned long long start, end, flags;
		FILE *f;

		pvhdev_sbdf_str(d->sbdf, tag);
		snprintf(path, sizeof(path), SYS_PCI "/%s/resource", tag);
		assert_non_null(f = fopen(path, "r"));
		for (unsigned r = 0; r < 7 && fgets(line, sizeof(line), f); r++) {
			assert_int_equal(sscanf(line, "%llx %llx %llx", &start, &end,
			                        &flags), 3);
			uint64_t size = end > start ? end - start + 1 : 0;
			uint64_t got = r < 6 ? d->bar_size[r] : d->rom_size;
			snprintf(tag + 12, 20, r < 6 ? " BAR%u" : " ROM", r);
			if (got || !size || !has_note(lp, tag))
				assert_int_equal(got, size);
			sized += got != 0;
		}
		fclose(f);
	}
	print_message("%zu BARs and ROMs sized from sysfs resource files\n", sized);
	pvhdev_libpci_close(lp);
}

/* libpci on its own: what the hardware holds, bypassing the backend. */
static void real_read_direct(struct pci_access *acc, pvhdev_sbdf_t s,
                             uint8_t *buf)
{
	struct pci_dev *pd = pci_get_dev(acc, (int)PVHDEV_SBDF_SEG(s),
	                                 (int)PVHDEV_SBDF_BUS(s),
	                                 (int)PVHDEV_SBDF_DEV(s),
	                                 (int)PVHDEV_SBDF_FN(s));
	memset(buf, 0, 64);
	assert_non_null(pd);
	assert_true(pci_read_block(pd, 0, buf, 64));
	buf[0x06] = buf[0x07] = 0; /* status bits are the device's to change */
	pci_free_dev(pd);
}

/* Sizing every BAR and flipping command bits through the backend never
 * reaches the hardware, and the shadow shows what was written. */
static void real_shadow_writes_stay_in_shadow(void **state)
{
	static pvhdev_sbdf_t v[256];
	static char names[256][16];
	static uint8_t before[256][64], after[64];
	struct pci_access *acc = pci_alloc();
	size_t n;

	(void)state;
	REAL_OR_SKIP(n, v, names);
	acc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_init(acc);
	struct pvhdev_libpci *lp = open_tree(NULL, 0);
	for (size_t i = 0; i < n; i++) {
		uint32_t cmd = rd(lp, v[i], 0x04, 2);

		real_read_direct(acc, v[i], before[i]);
		wr(lp, v[i], 0x04, 2, cmd ^ 0x0400);   /* INTx disable */
		for (unsigned b = 0; b < 6; b++)
			wr(lp, v[i], 0x10 + 4 * b, 4, 0xffffffff);
		assert_int_equal(rd(lp, v[i], 0x04, 2), cmd ^ 0x0400);
	}
	assert_int_equal(pvhdev_libpci_hw_writes(lp), 0);
	pvhdev_libpci_close(lp);
	for (size_t i = 0; i < n; i++) {
		real_read_direct(acc, v[i], after);
		assert_memory_equal(after, before[i], 64);
	}
	pci_cleanup(acc);
}

static void real_dump_round_trip(void **state)
{
	static pvhdev_sbdf_t v[256];
	static char names[256][16];
	size_t n;

	(void)state;
	REAL_OR_SKIP(n, v, names);
	struct pvhdev_libpci *lp = open_tree(NULL, 0);
	round_trip(lp, false);
	pvhdev_libpci_close(lp);
}

/* Which writes stay in the shadow: all of them read-only; with
 * PVHDEV_LIBPCI_HW_WRITES the BAR and ROM registers only; always where
 * no function answers.  A domain given the predicate marks its hw-write
 * events so. */
static void tree_shadowed_writes(void **state)
{
	pvhdev_sbdf_t s = S(0, 0, 0, 0), none = S(0, 0x42, 0, 0);

	(void)state;
	struct pvhdev_libpci *lp = open_tree(GOOD, 0);
	void *ctx = pvhdev_libpci_ctx(lp);
	assert_true(pvhdev_libpci_shadowed(ctx, s, 0x04, 2));
	assert_true(pvhdev_libpci_shadowed(ctx, s, 0x10, 4));
	assert_true(pvhdev_libpci_shadowed(ctx, none, 0x04, 2));
	const struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_libpci_ops, .backend_ctx = ctx,
		.alloc = &pvhdev_host_alloc, .shadowed = pvhdev_libpci_shadowed,
		.shadowed_ctx = ctx,
	};
	struct pvhdev_domain *dom;
	struct pvhdev_event ev;
	char line[128];
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), 0);
	assert_int_equal(pvhdev_dev_add(dom, s), 0);
	uint64_t seq = pvhdev_event_next_seq(dom);
	assert_int_equal(pvhdev_cfg_write(dom, s, 0x0c, 1, 0x10), 0);
	assert_int_equal(pvhdev_event_get(dom, seq, &ev), 0);
	assert_int_equal(ev.u.hw.shadow, 1);
	assert_true(pvhdev_event_format(&ev, line, sizeof(line)) > 0);
	assert_string_equal(line, "hw-write 0000:00:00.0 0xc 1 0x10 shadow");
	pvhdev_domain_free(dom);
	pvhdev_libpci_close(lp);

	lp = open_tree(GOOD, PVHDEV_LIBPCI_HW_WRITES);
	ctx = pvhdev_libpci_ctx(lp);
	assert_false(pvhdev_libpci_shadowed(ctx, s, 0x04, 2));
	assert_true(pvhdev_libpci_shadowed(ctx, s, 0x10, 4));
	assert_true(pvhdev_libpci_shadowed(ctx, s, 0x24, 4));
	assert_false(pvhdev_libpci_shadowed(ctx, s, 0x28, 4));
	assert_true(pvhdev_libpci_shadowed(ctx, s, 0x30, 4));
	assert_true(pvhdev_libpci_shadowed(ctx, none, 0x04, 2));
	pvhdev_libpci_close(lp);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(tree_shadowed_writes),
	cmocka_unit_test(tree_enumerates_in_sbdf_order),
	cmocka_unit_test(tree_snapshot_matches_files),
	cmocka_unit_test(tree_shadow_and_live_bytes),
	cmocka_unit_test(tree_bar_sizing_like_hardware),
	cmocka_unit_test(tree_hw_writes_reach_file_but_not_bars),
	cmocka_unit_test(tree_short_config_is_noted),
	cmocka_unit_test(tree_bad_functions_are_noted),
	cmocka_unit_test(tree_broken_function_is_named),
	cmocka_unit_test(libpci_error_hook_returns),
	cmocka_unit_test(missing_sysfs_is_a_clear_error),
	cmocka_unit_test(empty_sysfs_has_no_functions),
	cmocka_unit_test(bad_accesses_read_all_ones),
	cmocka_unit_test(tree_dump_text),
	cmocka_unit_test(tree_dump_round_trip),
	cmocka_unit_test(tree_domain_boot),
	cmocka_unit_test(real_enumeration_matches_sysfs),
	cmocka_unit_test(real_bar_sizes_match_resources),
	cmocka_unit_test(real_shadow_writes_stay_in_shadow),
	cmocka_unit_test(real_dump_round_trip),
};

PVHDEV_TEST_MAIN("libpci", tests)
