/* SPDX-License-Identifier: MIT */
/*
 * The dump backend: every corpus file loads and boots in the fake
 * backend; exact values on chosen real dumps (BAR sizes from [size=] and
 * from alignment, extended config space, domains, missing hex lines,
 * 64-bit BARs above 4 GiB); BAR sizing through the fake after loading;
 * crafted malformed dumps (tests/data/dumps) each give one exact error
 * line naming the file and the line; libpci's fatal path is reached
 * through a FIFO whose content changes between the two reads.
 */
#define _POSIX_C_SOURCE 200809L

#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pvhdev/dump.h>
#include <pvhdev/platform.h>

#define CORPUS(name) PVHDEV_CORPUS "/" name
#define DUMPS(name) PVHDEV_TEST_DATA "/dumps/" name

/* ---- Helpers ---- */

static struct pvhdev_dump *load_ok(const char *path)
{
	struct pvhdev_dump *d = NULL;
	char err[512];
	int rc = pvhdev_dump_load(path, &d, err, sizeof(err));

	if (rc)
		fail_msg("%s (%d)", err, rc);
	assert_non_null(d);
	return d;
}

static const struct pvhdev_fake_dev *dev_at(const struct pvhdev_dump *d,
                                            pvhdev_sbdf_t sbdf)
{
	for (size_t i = 0; i < pvhdev_dump_count(d); i++)
		if (pvhdev_dump_devs(d)[i].sbdf == sbdf)
			return &pvhdev_dump_devs(d)[i];
	fail_msg("no device %08x in the dump", (unsigned)sbdf);
	return NULL;
}

static void expect_note(const struct pvhdev_dump *d, const char *text)
{
	for (size_t i = 0; i < pvhdev_dump_nr_notes(d); i++)
		if (!strcmp(pvhdev_dump_note(d, i), text))
			return;
	for (size_t i = 0; i < pvhdev_dump_nr_notes(d); i++)
		print_message("note: %s\n", pvhdev_dump_note(d, i));
	fail_msg("missing note: %s", text);
}

static size_t count_notes(const struct pvhdev_dump *d, const char *part)
{
	size_t n = 0;

	for (size_t i = 0; i < pvhdev_dump_nr_notes(d); i++)
		n += strstr(pvhdev_dump_note(d, i), part) != NULL;
	return n;
}

/* A fake backend over a whole dump, on the counting allocator. */
struct booted {
	struct test_alloc alloc;
	struct pvhdev_fake *fake;
};

static void boot(struct booted *b, const struct pvhdev_dump *d)
{
	memset(b, 0, sizeof(*b));
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &b->alloc,
	                                 pvhdev_dump_devs(d),
	                                 pvhdev_dump_count(d), &b->fake), 0);
}

static void unboot(struct booted *b)
{
	pvhdev_fake_free(b->fake);
	assert_int_equal(b->alloc.live_blocks, 0);
	assert_int_equal(b->alloc.live_bytes, 0);
}

static uint32_t rd(struct booted *b, pvhdev_sbdf_t sbdf, unsigned off)
{
	uint32_t v = 0;

	assert_int_equal(pvhdev_fake_ops.cfg_read(b->fake, sbdf, off, 4, &v), 0);
	return v;
}

static void wr(struct booted *b, pvhdev_sbdf_t sbdf, unsigned off,
               uint32_t v)
{
	assert_int_equal(pvhdev_fake_ops.cfg_write(b->fake, sbdf, off, 4, v), 0);
}

/* Writes `probe` to the register at off, checks that exactly the bits in
 * rw took it, restores the old value.  Returns what was read back. */
static uint32_t size_reg(struct booted *b, pvhdev_sbdf_t sbdf, unsigned off,
                         uint32_t probe, uint32_t rw)
{
	uint32_t old = rd(b, sbdf, off);

	wr(b, sbdf, off, probe);
	uint32_t got = rd(b, sbdf, off);
	assert_int_equal(got, (probe & rw) | (old & ~rw));
	wr(b, sbdf, off, old);
	assert_int_equal(rd(b, sbdf, off), old);
	return got;
}

/* Sizes every BAR and the ROM of dev the way an OS does. */
static void size_all_bars(struct booted *b, const struct pvhdev_fake_dev *dev)
{
	unsigned hdr = dev->cfg[0x0e] & 0x7f;

	for (unsigned i = 0; i < 6; i++) {
		uint64_t rw = ~(dev->bar_size[i] - 1);
		uint32_t lo = rd(b, dev->sbdf, 0x10 + 4 * i);
		if (!dev->bar_size[i])
			continue;
		size_reg(b, dev->sbdf, 0x10 + 4 * i, 0xffffffffu, (uint32_t)rw);
		if (!(lo & 1) && (lo & 6) == 4)
			size_reg(b, dev->sbdf, 0x14 + 4 * i, 0xffffffffu,
			         (uint32_t)(rw >> 32));
	}
	if (dev->rom_size)
		size_reg(b, dev->sbdf, hdr == 1 ? 0x38 : 0x30, 0xfffff800u,
		         (uint32_t)~(dev->rom_size - 1) | 1u);
}

/* ---- Every corpus file ---- */

static void check_corpus_file(const char *path)
{
	struct pvhdev_dump *d = load_ok(path);
	const struct pvhdev_fake_dev *v = pvhdev_dump_devs(d);
	size_t n = pvhdev_dump_count(d);
	struct booted b;

	print_message("%s: %zu devices, %zu notes, %zu sizes guessed\n",
	              strrchr(path, '/') + 1, n, pvhdev_dump_nr_notes(d),
	              count_notes(d, "no [size=]"));
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		assert_true(i == 0 || v[i - 1].sbdf < v[i].sbdf);
		assert_true(v[i].cfg_len == 256 || v[i].cfg_len == 4096);
		assert_true(v[i].cfg[0] != 0xff || v[i].cfg[1] != 0xff);
	}
	boot(&b, d);
	for (size_t i = 0; i < n; i++) {
		for (unsigned off = 0; off < v[i].cfg_len; off += 4)
			assert_int_equal(rd(&b, v[i].sbdf, off),
			                 (uint32_t)v[i].cfg[off] |
			                 (uint32_t)v[i].cfg[off + 1] << 8 |
			                 (uint32_t)v[i].cfg[off + 2] << 16 |
			                 (uint32_t)v[i].cfg[off + 3] << 24);
		size_all_bars(&b, &v[i]);
	}
	unboot(&b);
	pvhdev_dump_free(d);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.lspci in the corpus, in name order. */
static void corpus_every_file_loads_and_boots(void **state)
{
	DIR *dir = opendir(PVHDEV_CORPUS);
	char *names[512], path[4096];
	struct dirent *e;
	size_t n = 0;

	(void)state;
	assert_non_null(dir);
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 6, ".lspci"))
			continue;
		assert_true(n < 512);
		names[n] = strdup(e->d_name);
		assert_non_null(names[n++]);
	}
	closedir(dir);
	assert_true(n >= 1);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", PVHDEV_CORPUS, names[i]);
		check_corpus_file(path);
		free(names[i]);
	}
}

/* ---- Exact values on real dumps ---- */

/* One device, -vvv with [size=], 4096 bytes: nothing guessed. */
static void intel_82576_sizes_from_text(void **state)
{
	struct pvhdev_dump *d = load_ok(CORPUS("intel-82576-sriov.lspci"));
	const pvhdev_sbdf_t sbdf = PVHDEV_SBDF(0, 1, 0, 0);
	const uint64_t bars[6] = { 128 << 10, 4 << 20, 32, 16 << 10, 0, 0 };
	struct booted b;

	(void)state;
	assert_int_equal(pvhdev_dump_count(d), 1);
	/* lspci prints no VF BAR sizes: those two are guessed, with a note. */
	assert_int_equal(pvhdev_dump_nr_notes(d), 2);
	const struct pvhdev_fake_dev *v = dev_at(d, sbdf);
	assert_int_equal(v->cfg_len, 4096);
	assert_memory_equal(v->bar_size, bars, sizeof(bars));
	assert_int_equal(v->rom_size, 4 << 20);
	boot(&b, d);
	assert_int_equal(rd(&b, sbdf, 0x160) & 0xffff, 0x0010); /* SR-IOV */
	unboot(&b);
	pvhdev_dump_free(d);
}

/*
 * VF BARs (SR-IOV capability at 0x160: TotalVFs 8; VF BAR0 64-bit at
 * 0xd2840000, VF BAR3 64-bit at 0xd2860000).  VF BAR0's alignment allows
 * 256K, but 8 VFs must end at VF BAR3, 128K above: 16K each (the real
 * size).  VF BAR3 is aligned for 128K and nothing above bounds it: 128K,
 * which over-maps (the 82576's is 16K), as its note says.
 */
static void intel_82576_vf_bar_guesses(void **state)
{
	struct pvhdev_dump *d = load_ok(CORPUS("intel-82576-sriov.lspci"));
	const uint64_t vf_bars[6] = { 16 << 10, 0, 0, 128 << 10, 0, 0 };
	const struct pvhdev_fake_dev *v = dev_at(d, PVHDEV_SBDF(0, 1, 0, 0));

	(void)state;
	assert_memory_equal(v->vf_bar_size, vf_bars, sizeof(vf_bars));
	assert_int_equal(pvhdev_dump_nr_notes(d), 2);
	assert_string_equal(pvhdev_dump_note(d, 0),
		"0000:01:00.0 VF-BAR0: lspci gives no VF BAR sizes; assuming 16K per VF: "
		"alignment allows 256K, and 8 VFs must end before the next BAR, ROM or "
		"VF BAR, 128K above (TotalVFs 8: 128K in all)");
	assert_string_equal(pvhdev_dump_note(d, 1),
		"0000:01:00.0 VF-BAR3: lspci gives no VF BAR sizes; assuming 128K per VF "
		"from alignment (TotalVFs 8: 1M in all)");
	pvhdev_dump_free(d);
}

/*
 * A dump alone gets a platform when it has extended config space: the
 * 82576's BARs sit at 0xe0000000-0xe0843fff, so its ECAM window (buses
 * 0-2: the PF on 1, VF 1..8 at routing IDs 0x100 + 384 + 2 * i, the
 * last on bus 2) goes at 0xd0000000.  Booted on it, VF Enable (set in
 * the dump, NumVFs 1) adds VF 02:10.0 and maps its VF BARs, one VF each.
 */
static void intel_82576_inferred_platform(void **state)
{
	struct pvhdev_dump *d = load_ok(CORPUS("intel-82576-sriov.lspci"));
	const struct pvhdev_platform *p, *again;
	struct pvhdev_p2m_range r;
	struct pvhdev_dev *vf;
	struct test_dom t;

	(void)state;
	assert_int_equal(pvhdev_dump_platform(d, &p), 0);
	assert_int_equal(p->nr_mcfg, 1);
	assert_int_equal(p->mcfg[0].addr, 0xd0000000);
	assert_int_equal(p->mcfg[0].seg, 0);
	assert_int_equal(p->mcfg[0].start_bus, 0);
	assert_int_equal(p->mcfg[0].end_bus, 2);
	assert_int_equal(p->nr_e820, 1);
	assert_int_equal(p->e820[0].addr, 0);
	assert_int_equal(p->e820[0].size, 0x9fc00);
	assert_int_equal(p->e820[0].type, PVHDEV_E820_RAM);
	assert_int_equal(p->nr_ioapics, 1);
	assert_int_equal(p->ioapics[0].addr, 0xfec00000);
	assert_int_equal(p->ioapics[0].pins, 24);
	assert_int_equal(pvhdev_dump_nr_notes(d), 5);
	assert_string_equal(pvhdev_dump_note(d, 2),
		"platform: inferred ECAM window for segment 0000, buses 00-02, at "
		"0xd0000000 (where no BAR, ROM or VF BAR of the dump is)");
	assert_string_equal(pvhdev_dump_note(d, 3),
		"platform: inferred RAM below 1 MiB (0x0-0x9fbff)");
	assert_string_equal(pvhdev_dump_note(d, 4),
		"platform: inferred IO-APIC 0 at 0xfec00000, GSIs 0-23");
	/* Inferred once: the same platform, no new notes. */
	assert_int_equal(pvhdev_dump_platform(d, &again), 0);
	assert_ptr_equal(again, p);
	assert_int_equal(pvhdev_dump_nr_notes(d), 5);

	assert_int_equal(test_dom_init(&t, pvhdev_dump_devs(d), pvhdev_dump_count(d)), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, p), 0);
	test_check(&t);
	assert_int_equal(pvhdev_dev_get(t.dom, PVHDEV_SBDF(0, 2, 0x10, 0), &vf), 0);
	assert_true(pvhdev_dev_is_vf(vf, NULL));
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xd2840, &r), 0);
	assert_int_equal(r.gfn, 0xd2840);
	assert_int_equal(r.nr, 4);
	assert_int_equal(r.reason, PVHDEV_MAP_VF_BAR);
	/* VF BAR3 (128K guessed) but for the VF's MSI-X table (+0) and
	 * PBA (+0x2000) pages, trapped. */
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xd2860, &r), -ENOENT);
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xd2861, &r), 0);
	assert_int_equal(r.nr, 1);
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xd2863, &r), 0);
	assert_int_equal(r.nr, 0x1d);
	/* The window itself is trapped, never mapped. */
	assert_int_equal(pvhdev_p2m_query(t.dom, 0xd0000, &r), -ENOENT);
	test_dom_fini(&t);
	pvhdev_dump_free(d);
}

/* An SR-IOV header in the last dword of a looping extended list: the
 * capability does not fit, so there are no VF BARs to guess and nothing
 * is read past config space (ASan would say). */
static void crafted_sriov_at_end(void **state)
{
	struct pvhdev_dump *d = load_ok(DUMPS("sriov-at-end.lspci"));
	const struct pvhdev_fake_dev *v = dev_at(d, PVHDEV_SBDF(0, 1, 0, 0));
	const uint64_t none[6] = { 0 };
	const struct pvhdev_platform *p;

	(void)state;
	assert_memory_equal(v->vf_bar_size, none, sizeof(none));
	assert_int_equal(pvhdev_dump_nr_notes(d), 0);
	/* Extended space all the same: a window for bus 1, at 0xe0000000. */
	assert_int_equal(pvhdev_dump_platform(d, &p), 0);
	assert_int_equal(p->nr_mcfg, 1);
	assert_int_equal(p->mcfg[0].addr, 0xe0000000);
	assert_int_equal(p->mcfg[0].end_bus, 1);
	pvhdev_dump_free(d);
}

/* 300 segments, each one function with extended config space: windows
 * for the first 256 (as many as a domain takes), a note for the rest,
 * and placing them stays quick (each candidate is one binary search). */
static void many_segments_bounded(void **state)
{
	char path[] = "/tmp/pvhdev-test-dump-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	const struct pvhdev_platform *p;
	struct pvhdev_dump *d;

	(void)state;
	assert_non_null(f);
	for (unsigned seg = 0; seg < 300; seg++) {
		fprintf(f, "%04x:00:00.0 Ethernet controller: Intel Corporation Device 10c9\n",
		        seg);
		fprintf(f, "00: 86 80 c9 10 00 00 00 00 00 00 00 02 00 00 00 00\n");
		fprintf(f, "100: 01 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00\n\n");
	}
	assert_int_equal(fclose(f), 0);
	d = load_ok(path);
	unlink(path);
	assert_int_equal(pvhdev_dump_platform(d, &p), 0);
	assert_int_equal(p->nr_mcfg, 256);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(p->mcfg[i].seg, i);
	size_t n = pvhdev_dump_nr_notes(d), windows = 0, refused = 0;
	for (size_t i = 0; i < n; i++) {
		windows += !!strstr(pvhdev_dump_note(d, i), "inferred ECAM window");
		refused += !!strstr(pvhdev_dump_note(d, i), "more than 256 segments");
	}
	assert_int_equal(windows, 256);
	assert_int_equal(refused, 300 - 256);
	pvhdev_dump_free(d);
}

/* A dump of 256-byte config spaces gets the empty platform, silently:
 * nothing would read extended config space. */
static void no_platform_without_extended_space(void **state)
{
	struct pvhdev_dump *d =
		load_ok(CORPUS("machine-intel-nuc-broadwell-u-i218.lspci"));
	size_t notes = pvhdev_dump_nr_notes(d);
	const struct pvhdev_platform *p;

	(void)state;
	assert_int_equal(pvhdev_dump_platform(d, &p), 0);
	assert_int_equal(p->size, sizeof(*p));
	assert_int_equal(p->nr_mcfg + p->nr_e820 + p->nr_ioapics, 0);
	assert_int_equal(pvhdev_dump_nr_notes(d), notes);
	assert_int_equal(pvhdev_dump_platform(NULL, &p), -EINVAL);
	pvhdev_dump_free(d);
}

/* Writing all-ones reads back ~(size - 1) | flags, as hardware does. */
static void intel_82576_bar_sizing_through_fake(void **state)
{
	struct pvhdev_dump *d = load_ok(CORPUS("intel-82576-sriov.lspci"));
	const pvhdev_sbdf_t sbdf = PVHDEV_SBDF(0, 1, 0, 0);
	struct booted b;

	(void)state;
	boot(&b, d);
	assert_int_equal(size_reg(&b, sbdf, 0x10, ~0u, 0xfffe0000u), 0xfffe0000u);
	assert_int_equal(size_reg(&b, sbdf, 0x14, ~0u, 0xffc00000u), 0xffc00000u);
	assert_int_equal(size_reg(&b, sbdf, 0x18, ~0u, 0xffffffe0u), 0xffffffe1u);
	assert_int_equal(size_reg(&b, sbdf, 0x1c, ~0u, 0xffffc000u), 0xffffc000u);
	assert_int_equal(size_reg(&b, sbdf, 0x20, ~0u, 0), 0); /* BAR4: none */
	assert_int_equal(size_reg(&b, sbdf, 0x30, 0xfffff800u, 0xffc00001u),
	                 0xffc00000u);
	unboot(&b);
	pvhdev_dump_free(d);
}

/* 53 functions, no verbose text: every size comes from alignment and
 * the neighbours, with a note each. */
static void asus_p6t6_sizes_from_alignment(void **state)
{
	struct pvhdev_dump *d =
		load_ok(CORPUS("machine-asus-p6t6-x58-workstation.lspci"));
	const pvhdev_sbdf_t gpu = PVHDEV_SBDF(0, 6, 0, 0);
	const uint64_t gpu_bars[6] = { 16 << 20, 256 << 20, 0, 32 << 20, 0, 256 };
	size_t ext = 0;
	struct booted b;

	(void)state;
	assert_int_equal(pvhdev_dump_count(d), 53);
	for (size_t i = 0; i < 53; i++)
		ext += pvhdev_dump_devs(d)[i].cfg_len == 4096;
	assert_int_equal(ext, 19);
	assert_int_equal(count_notes(d, "no [size=] in the dump"), 33);
	assert_memory_equal(dev_at(d, gpu)->bar_size, gpu_bars, sizeof(gpu_bars));
	assert_int_equal(dev_at(d, gpu)->rom_size, 512 << 10);
	expect_note(d, "0000:06:00.0 BAR0: no [size=] in the dump; assuming 16M: "
	               "alignment allows 32M, the next BAR or ROM starts 28M above");
	expect_note(d, "0000:06:00.0 BAR1: no [size=] in the dump; assuming 256M "
	               "from alignment");
	expect_note(d, "0000:07:00.0 BAR0: no [size=] in the dump; assuming 256, "
	               "the largest IO BAR (alignment allows 2K)");
	expect_note(d, "0000:07:00.0 BAR2: no [size=] in the dump; assuming 4K "
	               "from alignment");
	boot(&b, d);
	assert_int_equal(size_reg(&b, gpu, 0x14, ~0u, 0xf0000000u), 0xf000000cu);
	assert_int_equal(size_reg(&b, gpu, 0x18, ~0u, ~0u), ~0u);
	assert_int_equal(size_reg(&b, PVHDEV_SBDF(0, 7, 0, 0), 0x10, ~0u,
	                          0xffffff00u), 0xffffff01u);
	unboot(&b);
	pvhdev_dump_free(d);
}

/* A VM: 4096-byte host bridge, virtio BARs above 4 GiB, all from text. */
static void firecracker_virtio(void **state)
{
	struct pvhdev_dump *d =
		load_ok(CORPUS("machine-firecracker-vm-virtio.lspci"));
	struct booted b;

	(void)state;
	assert_int_equal(pvhdev_dump_count(d), 6);
	assert_int_equal(pvhdev_dump_nr_notes(d), 0);
	assert_int_equal(dev_at(d, PVHDEV_SBDF(0, 0, 0, 0))->cfg_len, 4096);
	boot(&b, d);
	for (unsigned dev = 1; dev <= 5; dev++) {
		pvhdev_sbdf_t s = PVHDEV_SBDF(0, 0, dev, 0);
		const struct pvhdev_fake_dev *v = dev_at(d, s);
		assert_int_equal(v->cfg_len, 256);
		assert_int_equal(v->bar_size[0], 512 << 10);
		assert_int_equal(v->bar_size[1], 0); /* the high half */
		assert_int_equal(rd(&b, s, 0x00) & 0xffff, 0x1af4); /* virtio */
		assert_int_equal(rd(&b, s, 0x10) & 0xfffffff0u,
		                 (dev - 1) * 0x80000u);
		assert_int_equal(rd(&b, s, 0x14), 0x40);
		assert_int_equal(size_reg(&b, s, 0x10, ~0u, 0xfff80000u) &
		                 0xfffffff0u, 0xfff80000u);
		assert_int_equal(size_reg(&b, s, 0x14, ~0u, ~0u), ~0u);
	}
	unboot(&b);
	pvhdev_dump_free(d);
}

/* Domain 0002 from the device line; EA's [virtual] BARs stay unsized. */
static void cavium_thunderx_domain_2(void **state)
{
	struct pvhdev_dump *d =
		load_ok(CORPUS("cavium-thunderx-nic-ea-sriov.lspci"));
	const pvhdev_sbdf_t sbdf = PVHDEV_SBDF(2, 1, 0, 0);
	const uint64_t none[6] = { 0 };
	struct booted b;

	(void)state;
	assert_int_equal(pvhdev_dump_count(d), 1);
	assert_int_equal(pvhdev_dump_devs(d)[0].sbdf, sbdf);
	assert_int_equal(PVHDEV_SBDF_SEG(pvhdev_dump_devs(d)[0].sbdf), 2);
	assert_int_equal(pvhdev_dump_devs(d)[0].cfg_len, 4096);
	assert_memory_equal(pvhdev_dump_devs(d)[0].bar_size, none, sizeof(none));
	expect_note(d, "0002:01:00.0 BAR0: [virtual] in the dump: the register "
	               "reads 0 (a VF, or hardwired); left unsized");
	expect_note(d, "0002:01:00.0 BAR4: [virtual] in the dump: the register "
	               "reads 0 (a VF, or hardwired); left unsized");
	boot(&b, d);
	assert_int_equal(rd(&b, sbdf, 0x00), 0xa01e177d);
	assert_int_equal(size_reg(&b, sbdf, 0x10, ~0u, 0), 0);
	unboot(&b);
	pvhdev_dump_free(d);
}

/* The mail lost the 80: line of 04:00.0: those bytes read ff. */
static void rockpro64_missing_line_reads_ff(void **state)
{
	struct pvhdev_dump *d = load_ok(
		CORPUS("machine-rockpro64-rk3399-asm1184e-switch-gpu.lspci"));
	const pvhdev_sbdf_t gpu = PVHDEV_SBDF(0, 4, 0, 0);
	struct booted b;

	(void)state;
	assert_int_equal(pvhdev_dump_count(d), 10);
	expect_note(d, "0000:04:00.0: config bytes 080-08f are missing from the "
	               "dump; they read ff");
	boot(&b, d);
	assert_int_equal(rd(&b, gpu, 0x00) & 0xffff, 0x10de);
	for (unsigned off = 0x80; off < 0x90; off += 4)
		assert_int_equal(rd(&b, gpu, off), 0xffffffffu);
	assert_int_equal(rd(&b, gpu, 0x7c), 0x00688de1u);
	assert_int_equal(rd(&b, gpu, 0x9c), 0x00000013u);
	unboot(&b);
	pvhdev_dump_free(d);
}

/* A 64-bit BAR at 8 TiB, no verbose text: the size is its alignment. */
static void mellanox_connectx5_bar_above_4g(void **state)
{
	struct pvhdev_dump *d =
		load_ok(CORPUS("mellanox-connectx5-ex-pf-kunpeng.lspci"));
	const pvhdev_sbdf_t sbdf = PVHDEV_SBDF(0, 1, 0, 0);
	struct booted b;

	(void)state;
	assert_int_equal(pvhdev_dump_count(d), 1);
	const struct pvhdev_fake_dev *v = dev_at(d, sbdf);
	assert_int_equal(v->cfg_len, 256);
	assert_int_equal(v->bar_size[0], 1ull << 43);
	assert_int_equal(v->bar_size[1], 0);
	assert_int_equal(v->rom_size, 1 << 20);
	expect_note(d, "0000:01:00.0 BAR0: no [size=] in the dump; assuming 8T "
	               "from alignment");
	expect_note(d, "0000:01:00.0 ROM: no [size=] in the dump; assuming 1M "
	               "from alignment");
	boot(&b, d);
	assert_int_equal(rd(&b, sbdf, 0x10), 0x0000000cu);
	assert_int_equal(rd(&b, sbdf, 0x14), 0x00000800u);
	/* 8 TiB: no writable bit in the low dword, bits 63:43 in the high. */
	assert_int_equal(size_reg(&b, sbdf, 0x10, ~0u, 0), 0x0000000cu);
	assert_int_equal(size_reg(&b, sbdf, 0x14, ~0u, 0xfffff800u), 0xfffff800u);
	unboot(&b);
	pvhdev_dump_free(d);
}

/* ---- Crafted valid dumps ---- */

/* "-v" text has no region numbers: lines map to BARs in order, skipping
 * a BAR that reads 0; a 64-bit size goes in the low index. */
static void crafted_verbose_by_order(void **state)
{
	struct pvhdev_dump *d = load_ok(DUMPS("verbose-by-order.lspci"));
	const uint64_t a[6] = { 256 << 20, 0, 0, 128, 16 << 20, 128 << 20 };
	const uint64_t c[6] = { 16 << 20, 0, 16, 0, 0, 0 };

	(void)state;
	assert_int_equal(pvhdev_dump_count(d), 2);
	assert_memory_equal(dev_at(d, PVHDEV_SBDF(0, 2, 0, 0))->bar_size, a,
	                    sizeof(a));
	assert_int_equal(dev_at(d, PVHDEV_SBDF(0, 2, 0, 0))->rom_size, 512 << 10);
	assert_memory_equal(dev_at(d, PVHDEV_SBDF(0, 3, 0, 0))->bar_size, c,
	                    sizeof(c));
	expect_note(d, "0000:02:00.0 BAR5: no [size=] in the dump; assuming 128M "
	               "from alignment");
	expect_note(d, "0000:03:00.0 BAR0: line 15 says I/O but the register is "
	               "memory; its size is not used");
	expect_note(d, "0000:03:00.0 BAR1: [enhanced] in the dump: Enhanced "
	               "Allocation describes it, the register reads 0; left "
	               "unsized");
	expect_note(d, "0000:03:00.0 BAR2: no [size=] in the dump; assuming 16, "
	               "the smallest legal size (the address is 0)");
	assert_int_equal(pvhdev_dump_nr_notes(d), 7);
	pvhdev_dump_free(d);
}

/* Guesses stop at the next BAR, at the bridge window's end, and grow to
 * hold the MSI-X table and PBA. */
static void crafted_bridge_window_bounds(void **state)
{
	struct pvhdev_dump *d = load_ok(DUMPS("bridge-window.lspci"));
	const uint64_t bars[6] = { 1 << 20, 0, 64 << 10, 16 << 10, 0, 0 };

	(void)state;
	assert_memory_equal(dev_at(d, PVHDEV_SBDF(0, 1, 0, 0))->bar_size, bars,
	                    sizeof(bars));
	expect_note(d, "0000:01:00.0 BAR0: no [size=] in the dump; assuming 1M: "
	               "alignment allows 2M, its bridge window ends 1M above");
	expect_note(d, "0000:01:00.0 BAR2: no [size=] in the dump; assuming 64K "
	               "to hold its MSI-X table and PBA");
	expect_note(d, "0000:01:00.0 BAR3: no [size=] in the dump; assuming 16K "
	               "from alignment");
	expect_note(d, "0000:01:00.0: the dump gives 80 bytes of config space; "
	               "bytes 050-0ff read ff");
	pvhdev_dump_free(d);
}

/* A device line without hex lines reads all-ones: absent, noted. */
static void crafted_absent_device_skipped(void **state)
{
	struct pvhdev_dump *d = load_ok(DUMPS("absent-device.lspci"));

	(void)state;
	assert_int_equal(pvhdev_dump_count(d), 1);
	assert_int_equal(pvhdev_dump_devs(d)[0].sbdf, PVHDEV_SBDF(0, 0, 0, 0));
	expect_note(d, "0000:00:01.0: vendor ID ffff (line 7): absent, skipped");
	pvhdev_dump_free(d);
}

/* `lspci -x` gives 64 bytes: the rest of 256 reads ff; CRLF is fine. */
static void crafted_short_and_crlf(void **state)
{
	const char *files[] = { DUMPS("lspci-x-64-bytes.lspci"),
	                        DUMPS("crlf.lspci") };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct pvhdev_dump *d = load_ok(files[i]);
		const struct pvhdev_fake_dev *v = pvhdev_dump_devs(d);
		assert_int_equal(pvhdev_dump_count(d), 1);
		assert_int_equal(v->cfg_len, 256);
		assert_int_equal(v->cfg[0x0b], 0x06);
		assert_int_equal(v->cfg[0x40], 0xff);
		assert_int_equal(v->cfg[0xff], 0xff);
		expect_note(d, "0000:00:00.0: the dump gives 64 bytes of config "
		               "space; bytes 040-0ff read ff");
		pvhdev_dump_free(d);
	}
}

/* ---- Errors ---- */

/* Loads path, expects rc and exactly path followed by tail. */
static void expect_error(const char *path, int rc, const char *tail)
{
	/* Any non-NULL value, never dereferenced: the call must clear it. */
	struct pvhdev_dump *d = (struct pvhdev_dump *)&d;
	char err[512], want[1024];

	snprintf(want, sizeof(want), "%s%s", path, tail);
	assert_int_equal(pvhdev_dump_load(path, &d, err, sizeof(err)), rc);
	assert_null(d);
	assert_string_equal(err, want);
}

#define BAD_DUMP(test, file, rc, tail)                                        \
	static void test(void **state)                                        \
	{                                                                     \
		(void)state;                                                  \
		expect_error(DUMPS(file), rc, tail);                          \
	}

BAD_DUMP(bad_truncated_hex_line, "truncated-hex.lspci", -EINVAL,
         ":3: expected 16 hex bytes, found 7 (truncated line?)")
BAD_DUMP(bad_line_too_long, "line-too-long.lspci", -EINVAL,
         ":2: expected at most 253 characters on a line (libpci's limit)")
BAD_DUMP(bad_offset_past_4k, "offset-too-big.lspci", -ERANGE,
         ":6: expected an offset of at most ff0, found '1000'")
BAD_DUMP(bad_non_hex_byte, "non-hex.lspci", -EINVAL,
         ":2: expected a hex byte at column 11, found 'zz'")
BAD_DUMP(bad_two_trailing_spaces, "two-trailing-spaces.lspci", -EINVAL,
         ":2: expected the end of the line after 16 bytes at column 53")
BAD_DUMP(bad_unterminated_last_line, "unterminated.lspci", -EINVAL,
         ":5: expected a newline at the end of the last line (libpci "
         "refuses an unterminated line)")
BAD_DUMP(bad_hex_before_device, "hex-before-device.lspci", -EINVAL,
         ":1: expected a device line (like '00:1f.3 ...') before config "
         "bytes")
BAD_DUMP(bad_function_number, "bad-function.lspci", -EINVAL,
         ":1: expected a function number 0-7 in '00:00.8'")
BAD_DUMP(bad_domain_too_big, "domain-too-big.lspci", -ERANGE,
         ":1: expected a PCI domain of at most ffff in '10000:00:00.0'")
BAD_DUMP(bad_unaligned_offset, "unaligned-offset.lspci", -EINVAL,
         ":2: expected an offset ending in 0 (16 bytes a line), found '08'")
BAD_DUMP(bad_duplicate_offset, "duplicate-offset.lspci", -EEXIST,
         ":6: expected each offset once per device; 010 repeats")
BAD_DUMP(bad_duplicate_device, "duplicate-device.lspci", -EEXIST,
         ":7: expected each device once; 0000:00:00.0 was first given at "
         "line 1")
BAD_DUMP(bad_size_not_pow2, "size-not-pow2.lspci", -EINVAL,
         ":2: expected a power of two in [size=], found 24576 bytes")
BAD_DUMP(bad_size_zero, "size-zero.lspci", -EINVAL,
         ":2: expected a power of two in [size=], found 0 bytes")
BAD_DUMP(bad_size_huge, "size-huge.lspci", -ERANGE,
         ":2: expected a [size=] of at most 2^63 bytes")
BAD_DUMP(bad_size_unit, "size-bad-unit.lspci", -EINVAL,
         ":2: expected K, M, G, T or ']' after the number in '[size='")
BAD_DUMP(bad_region_number, "region-out-of-range.lspci", -EINVAL,
         ":2: expected 'Region N: ' with N 0-5")
BAD_DUMP(bad_bar_address, "bad-bar-address.lspci", -EINVAL,
         ":2: expected a hex address, found 'e08g0000'")
BAD_DUMP(bad_binary_garbage, "binary-garbage.lspci", -EINVAL,
         ":1: expected text, found a NUL byte (a binary file?)")
BAD_DUMP(bad_empty_file, "empty.lspci", -EINVAL,
         ": no devices (expected lines like '00:1f.3 ...' followed by hex "
         "lines; 0 other lines in column 0)")
BAD_DUMP(bad_verbose_only, "verbose-only.lspci", -EINVAL,
         ": no devices (expected lines like '00:1f.3 ...' followed by hex "
         "lines; 0 other lines in column 0)")
BAD_DUMP(bad_quoted_dump, "quoted.lspci", -EINVAL,
         ": no devices (expected lines like '00:1f.3 ...' followed by hex "
         "lines; 5 other lines in column 0)")
BAD_DUMP(bad_all_absent, "all-absent.lspci", -EINVAL,
         ": no devices (all 2 read vendor ID ffff)")
BAD_DUMP(bad_missing_file, "does-not-exist.lspci", -ENOENT,
         ": cannot open: No such file or directory")

static void bad_directory(void **state)
{
	(void)state;
	expect_error(PVHDEV_TEST_DATA "/dumps", -EISDIR,
	             ": cannot read: Is a directory");
}

/* Bad arguments and small error buffers never crash or overflow. */
static void api_edges(void **state)
{
	struct pvhdev_dump *d = NULL;
	char small[16];

	(void)state;
	assert_int_equal(pvhdev_dump_load(NULL, &d, NULL, 0), -EINVAL);
	assert_int_equal(pvhdev_dump_load(DUMPS("crlf.lspci"), NULL, NULL, 0),
	                 -EINVAL);
	memset(small, 'x', sizeof(small));
	assert_int_equal(pvhdev_dump_load(DUMPS("empty.lspci"), &d, small,
	                                  sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(pvhdev_dump_load(DUMPS("empty.lspci"), &d, small, 0),
	                 -EINVAL);
	pvhdev_dump_free(NULL);
	assert_int_equal(pvhdev_dump_count(NULL), 0);
	assert_null(pvhdev_dump_devs(NULL));
	assert_int_equal(pvhdev_dump_nr_notes(NULL), 0);
	d = load_ok(DUMPS("crlf.lspci"));
	assert_null(pvhdev_dump_note(d, pvhdev_dump_nr_notes(d)));
	pvhdev_dump_free(d);
}

/* ---- libpci's fatal path: a file that changes between the reads ---- */

/* Serves texts[0] to the first reader of a FIFO (our scan) and texts[1]
 * to the second (libpci).  libpci's open blocks until the writer comes
 * back, so only the pause must cover the scan's reading 3 short lines. */
struct fifo_job {
	const char *path;
	const char *texts[2];
};

static void *fifo_writer(void *arg)
{
	const struct fifo_job *job = arg;
	const struct timespec pause = { 0, 300 * 1000 * 1000 };

	for (unsigned k = 0; k < 2; k++) {
		if (k)
			nanosleep(&pause, NULL);
		int fd = open(job->path, O_WRONLY);
		if (fd < 0)
			return NULL;
		size_t len = strlen(job->texts[k]);
		if (write(fd, job->texts[k], len) != (ssize_t)len)
			perror("fifo write");
		close(fd);
	}
	return NULL;
}

static void fifo_load(const char *second, int rc, const char *tail)
{
	char dir[] = "/tmp/pvhdev-dump-XXXXXX", path[64];
	struct fifo_job job = {
		.path = path,
		.texts = { "00:00.0 Host bridge: x\n"
		           "00: 86 80 57 0d 06 00 00 00 00 00 00 06 00 00 00 00\n",
		           second },
	};
	pthread_t t;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dump", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pthread_create(&t, NULL, fifo_writer, &job), 0);
	expect_error(path, rc, tail);
	/* Should the second reader not have come, this one releases the
	 * writer: a FIFO's open for writing waits for a reader. */
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	pthread_join(t, NULL);
	if (fd >= 0)
		close(fd);
	unlink(path);
	rmdir(dir);
}

static void libpci_fatal_error_is_caught(void **state)
{
	(void)state;
	fifo_load("00:00.0 Host bridge: x\n"
	          "00: 86 80 57 0d 06 00 00 00 00 00 00 06 00 00 00 00  \n",
	          -EIO, ": libpci: dump: Malformed line");
}

static void libpci_disagreeing_file_is_caught(void **state)
{
	(void)state;
	fifo_load("00:00.0 Host bridge: x\n"
	          "00: 86 80 57 0d 06 00 00 00 00 00 00 06 00 00 00 00\n"
	          "\n00:01.0 Host bridge: x\n"
	          "00: 86 80 57 0d 06 00 00 00 00 00 00 06 00 00 00 00\n",
	          -EIO, ": libpci found 2 devices, the file has 1 (did it "
	          "change while loading?)");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(corpus_every_file_loads_and_boots),
	cmocka_unit_test(intel_82576_sizes_from_text),
	cmocka_unit_test(intel_82576_bar_sizing_through_fake),
	cmocka_unit_test(intel_82576_vf_bar_guesses),
	cmocka_unit_test(intel_82576_inferred_platform),
	cmocka_unit_test(no_platform_without_extended_space),
	cmocka_unit_test(crafted_sriov_at_end),
	cmocka_unit_test(many_segments_bounded),
	cmocka_unit_test(asus_p6t6_sizes_from_alignment),
	cmocka_unit_test(firecracker_virtio),
	cmocka_unit_test(cavium_thunderx_domain_2),
	cmocka_unit_test(rockpro64_missing_line_reads_ff),
	cmocka_unit_test(mellanox_connectx5_bar_above_4g),
	cmocka_unit_test(crafted_verbose_by_order),
	cmocka_unit_test(crafted_bridge_window_bounds),
	cmocka_unit_test(crafted_absent_device_skipped),
	cmocka_unit_test(crafted_short_and_crlf),
	cmocka_unit_test(bad_truncated_hex_line),
	cmocka_unit_test(bad_line_too_long),
	cmocka_unit_test(bad_offset_past_4k),
	cmocka_unit_test(bad_non_hex_byte),
	cmocka_unit_test(bad_two_trailing_spaces),
	cmocka_unit_test(bad_unterminated_last_line),
	cmocka_unit_test(bad_hex_before_device),
	cmocka_unit_test(bad_function_number),
	cmocka_unit_test(bad_domain_too_big),
	cmocka_unit_test(bad_unaligned_offset),
	cmocka_unit_test(bad_duplicate_offset),
	cmocka_unit_test(bad_duplicate_device),
	cmocka_unit_test(bad_size_not_pow2),
	cmocka_unit_test(bad_size_zero),
	cmocka_unit_test(bad_size_huge),
	cmocka_unit_test(bad_size_unit),
	cmocka_unit_test(bad_region_number),
	cmocka_unit_test(bad_bar_address),
	cmocka_unit_test(bad_binary_garbage),
	cmocka_unit_test(bad_empty_file),
	cmocka_unit_test(bad_verbose_only),
	cmocka_unit_test(bad_quoted_dump),
	cmocka_unit_test(bad_all_absent),
	cmocka_unit_test(bad_missing_file),
	cmocka_unit_test(bad_directory),
	cmocka_unit_test(api_edges),
	cmocka_unit_test(libpci_fatal_error_is_caught),
	cmocka_unit_test(libpci_disagreeing_file_is_caught),
};

PVHDEV_TEST_MAIN("dump", tests)
