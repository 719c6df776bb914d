/* SPDX-License-Identifier: MIT */
/*
 * Scale benchmark: dom0 boot on a synthetic platform of up to 65,536 PCI
 * functions (256 buses x 32 devices x 8 functions) and 8 IO-APICs.
 *
 *   bench_scale boot FUNCTIONS [RUNS] [decode-off]
 *       boots FUNCTIONS functions (a multiple of 256: whole buses) RUNS
 *       times (default 3), each on a fresh domain, and prints the median
 *       boot time (CPU time of the process, and wall time), the teardown
 *       time, the peak memory of the process
 *       (getrusage ru_maxrss) and pvhdev's own peak allocation (a
 *       counting allocator), with what the boot built, and the boot's
 *       user and system time and page faults (getrusage: the system
 *       time is mostly the kernel zeroing the pages boot touches); with
 *       BENCH_SCALE_SIZES set in the environment, also pvhdev's live
 *       allocations by size after the first boot (where the memory goes)
 *   bench_scale access FUNCTIONS same|spread N
 *       boots, then makes N ECAM dword reads of BAR0 (a trapped register)
 *       of one function (same) or of a different function each time
 *       (spread: the device cache misses), for callgrind
 *       (--toggle-collect=pvhdev_mmio_read)
 *
 * The platform, as a big server's firmware would leave it:
 *
 *   every function   vendor 8086, class 0200 (Ethernet), memory decoding
 *                    and bus mastering on, six 4 KiB 32-bit memory BARs,
 *                    MSI (64-bit, per-vector masking, 4 vectors) at 0x50,
 *                    MSI-X (64 entries: table at BAR0 + 0, PBA at
 *                    BAR0 + 0x800) at 0x70; function 0 multi-function
 *   BARs             function f's BAR i at 0x80000000 + f * 24 KiB +
 *                    i * 4 KiB: 65,536 functions fill 0x80000000 -
 *                    0xdfffffff (BAR0 is all MSI-X table and PBA, so it
 *                    is never mapped: five BARs per function are)
 *   MMCFG            one window, segment 0, buses 0-255, at 0xe0000000
 *   IO-APICs         8, ids 0-7, at 0xfec00000 + i * 4 KiB, 120 pins each
 *                    (the most one IO-APIC can address), GSI bases
 *                    i * 128: GSIs 0-1015, 960 pins, with a gap of 8 GSIs
 *                    after each IO-APIC
 *   e820             RAM below 0x9f000 and from 1 MiB to 2 GiB, ACPI
 *                    tables at 0x7ff00000 (ACPI, 1 MiB), reserved above
 *
 * The backend is this file's own: config bytes are computed from the
 * function's number on each read, BAR sizing is answered from the size
 * mask, and what dom0 may change (BARs, command, MSI and MSI-X control
 * and MSI's address, data and mask) lives in a 48-byte record per
 * function.  The table reads as masked entries.  No enumerate hook: boot
 * probes vendor IDs as it would on hardware.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <pvhdev/backend.h>
#include <pvhdev/pvhdev.h>

#include "timing.h"

#define MAX_FUNCS 65536u
#define BAR_BASE 0x80000000u
#define BAR_SIZE 0x1000u
#define FUNC_SPAN (6 * BAR_SIZE)
#define ECAM_BASE 0xe0000000ull
#define IOAPIC_BASE 0xfec00000ull
#define NR_IOAPICS 8
#define IOAPIC_PINS 120
#define IOAPIC_GSI_STRIDE 128
#define MSI_CAP 0x50
#define MSIX_CAP 0x70
#define MSIX_ENTRIES 64
#define PBA_OFF 0x800u

/* ---- The generated-config backend ---- */

/* What dom0 can change in one function. */
struct gen_fn {
	uint32_t bar[6];
	uint32_t msi_addr_lo, msi_addr_hi, msi_mask;
	uint16_t cmd, msi_ctrl, msi_data, msix_ctrl;
};

struct gen {
	unsigned nr; /* functions: 0 .. nr - 1, function f at SBDF f */
	struct gen_fn *fn;
};

/* Function number of sbdf, or -1 when absent. */
static long gen_fn_of(const struct gen *g, pvhdev_sbdf_t sbdf)
{
	return PVHDEV_SBDF_SEG(sbdf) == 0 && (sbdf & 0xffff) < g->nr ? (long)(sbdf & 0xffff)
	                                                              : -1;
}

static uint32_t bar_base(unsigned f, unsigned i)
{
	return BAR_BASE + f * FUNC_SPAN + i * BAR_SIZE;
}

/* The dword at reg (4-aligned) of function f. */
static uint32_t gen_dword(const struct gen *g, unsigned f, unsigned reg)
{
	const struct gen_fn *s = &g->fn[f];

	switch (reg) {
	case 0x00: return 0x10d38086u;
	case 0x04: return 0x0010u << 16 | s->cmd; /* status: capability list */
	case 0x08: return 0x02000001u;
	case 0x0c: return (f & 7) == 0 ? 0x00800000u : 0; /* multi-function */
	case 0x10: case 0x14: case 0x18: case 0x1c: case 0x20: case 0x24:
		return s->bar[(reg - 0x10) / 4];
	case 0x2c: return 0x00018086u;
	case 0x34: return MSI_CAP;
	case 0x3c: return 0x0100u; /* INTA */
	/* MSI: 64-bit, per-vector masking, 4 vectors (MMC 2). */
	case MSI_CAP: return (uint32_t)(s->msi_ctrl | 0x0184u) << 16 | MSIX_CAP << 8 | 0x05;
	case MSI_CAP + 4: return s->msi_addr_lo;
	case MSI_CAP + 8: return s->msi_addr_hi;
	case MSI_CAP + 12: return s->msi_data;
	case MSI_CAP + 16: return s->msi_mask;
	/* MSI-X: 64 entries, table at BAR0 + 0, PBA at BAR0 + 0x800. */
	case MSIX_CAP: return (uint32_t)(s->msix_ctrl | (MSIX_ENTRIES - 1)) << 16 | 0x11;
	case MSIX_CAP + 4: return 0;
	case MSIX_CAP + 8: return PBA_OFF;
	default: return 0;
	}
}

static int gen_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                        uint32_t *val)
{
	const struct gen *g = ctx;
	long f = gen_fn_of(g, sbdf);

	if (f < 0) {
		*val = size == 4 ? 0xffffffffu : (1u << 8 * size) - 1;
		return 0;
	}
	uint32_t d = gen_dword(g, (unsigned)f, reg & ~3u) >> 8 * (reg & 3);
	*val = size == 4 ? d : d & ((1u << 8 * size) - 1);
	return 0;
}

/* Writes of what dom0 may change; everything else is read-only. */
static void gen_store(struct gen_fn *s, unsigned reg, uint32_t v)
{
	switch (reg) {
	case 0x04: s->cmd = (uint16_t)(v & 0x0407); break;
	case 0x10: case 0x14: case 0x18: case 0x1c: case 0x20: case 0x24:
		s->bar[(reg - 0x10) / 4] = v & ~(BAR_SIZE - 1); /* sizing: ~(size - 1) */
		break;
	case MSI_CAP: s->msi_ctrl = (uint16_t)((v >> 16) & 0x0071); break;
	case MSI_CAP + 4: s->msi_addr_lo = v & ~3u; break;
	case MSI_CAP + 8: s->msi_addr_hi = v; break;
	case MSI_CAP + 12: s->msi_data = (uint16_t)v; break;
	case MSI_CAP + 16: s->msi_mask = v & 0xf; break;
	case MSIX_CAP: s->msix_ctrl = (uint16_t)((v >> 16) & 0xc000); break;
	}
}

static int gen_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                         uint32_t val)
{
	const struct gen *g = ctx;
	long f = gen_fn_of(g, sbdf);

	if (f < 0)
		return 0;
	/* Merge into the dword, as the device's register file would. */
	unsigned dw = reg & ~3u, sh = 8 * (reg & 3);
	uint32_t mask = (size == 4 ? 0xffffffffu : (1u << 8 * size) - 1) << sh;
	uint32_t cur = gen_dword(g, (unsigned)f, dw);
	gen_store(&g->fn[f], dw, (cur & ~mask) | (val << sh & mask));
	return 0;
}

/* Device memory: a table of masked entries; the PBA reads 0. */
static int gen_mmio_read(void *ctx, uint64_t addr, unsigned size, uint64_t *val)
{
	(void)ctx;
	*val = (addr & 0xfff) < 16 * MSIX_ENTRIES && (addr & 0xf) == 0xc && size == 4;
	return 0;
}

static int gen_mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t val)
{
	(void)ctx, (void)addr, (void)size, (void)val;
	return 0;
}

static const struct pvhdev_backend_ops gen_ops = {
	.name = "generated",
	.cfg_read = gen_cfg_read,
	.cfg_write = gen_cfg_write,
	.mmio_read = gen_mmio_read,
	.mmio_write = gen_mmio_write,
};

static void gen_init(struct gen *g, unsigned nr, bool decode)
{
	g->nr = nr;
	g->fn = calloc(nr, sizeof(*g->fn));
	if (!g->fn)
		exit(3);
	for (unsigned f = 0; f < nr; f++) {
		for (unsigned i = 0; i < 6; i++)
			g->fn[f].bar[i] = bar_base(f, i);
		g->fn[f].cmd = decode ? 0x0006 : 0;
	}
}

/* ---- A counting allocator: pvhdev's own bytes, current and peak ---- */

struct count {
	size_t now, peak, calls;
	size_t live[4096]; /* live allocations by size, when below 4096 bytes */
};

static void *count_alloc(void *ctx, size_t size, size_t align)
{
	struct count *c = ctx;
	void *p = NULL;

	/* As pvhdev_host_alloc: malloc's alignment is 16 on the hosts we
	 * run on, posix_memalign only for more. */
	if (align <= 16)
		p = malloc(size ? size : 1);
	else if (posix_memalign(&p, align, size ? size : 1))
		p = NULL;
	if (!p)
		return NULL;
	c->now += size;
	c->calls++;
	if (size < 4096)
		c->live[size]++;
	if (c->now > c->peak)
		c->peak = c->now;
	return p;
}

static void count_free(void *ctx, void *ptr, size_t size)
{
	struct count *c = ctx;

	c->now -= size;
	if (size < 4096)
		c->live[size]--;
	free(ptr);
}

static const struct pvhdev_alloc_ops count_ops = {
	.alloc = count_alloc,
	.free = count_free,
};

/* ---- The platform ---- */

static const struct pvhdev_e820_entry e820[] = {
	{ 0x00000000, 0x0009f000, PVHDEV_E820_RAM },
	{ 0x0009f000, 0x00061000, PVHDEV_E820_RESERVED },
	{ 0x00100000, 0x7fe00000, PVHDEV_E820_RAM },
	{ 0x7ff00000, 0x00100000, PVHDEV_E820_ACPI },
	{ 0xe0000000, 0x10000000, PVHDEV_E820_RESERVED }, /* MMCFG */
	{ 0xfec00000, 0x01400000, PVHDEV_E820_RESERVED },
};

static const struct pvhdev_mcfg mcfg[] = {
	{ .addr = ECAM_BASE, .seg = 0, .start_bus = 0, .end_bus = 255 },
};

static struct pvhdev_ioapic_desc ioapics[NR_IOAPICS];

static const struct pvhdev_platform platform = {
	.size = sizeof(platform),
	.e820 = e820, .nr_e820 = sizeof(e820) / sizeof(e820[0]),
	.mcfg = mcfg, .nr_mcfg = 1,
	.ioapics = ioapics, .nr_ioapics = NR_IOAPICS,
};

static void platform_init(void)
{
	for (unsigned i = 0; i < NR_IOAPICS; i++)
		ioapics[i] = (struct pvhdev_ioapic_desc){
			.id = (uint8_t)i, .addr = IOAPIC_BASE + i * 0x1000ull,
			.gsi_base = i * IOAPIC_GSI_STRIDE, .pins = IOAPIC_PINS,
		};
}

/* ---- Measurements ---- */

static void must(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "bench_scale: %s: %s\n", what, pvhdev_strerror(rc));
		exit(3);
	}
}

/* CPU time of the process (user and system, so page faults count):
 * the machines that run this are often busy with other work, which
 * would make wall time say more about them than about pvhdev. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User and system time (s) and minor page faults so far. */
static void ru_now(double *user, double *sys, long *faults)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	*faults = ru.ru_minflt;
}

static int count_dev(void *arg, struct pvhdev_dev *dev)
{
	(void)dev;
	++*(unsigned *)arg;
	return 0;
}

static int count_range(void *arg, const struct pvhdev_p2m_range *r)
{
	(void)r;
	++*(size_t *)arg;
	return 0;
}

static struct pvhdev_domain *boot(struct gen *g, struct count *c)
{
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &gen_ops, .backend_ctx = g,
		.alloc = &count_ops, .alloc_ctx = c,
	};
	struct pvhdev_domain *dom;

	must(pvhdev_domain_new(&cfg, &dom), "domain");
	must(pvhdev_domain_boot(dom, &platform), "boot");
	return dom;
}

static void boot_runs(unsigned nr, unsigned runs, bool decode)
{
	double t_boot[16], t_free[16], t_wall[16], t_user[16], t_sys[16], n_flt[16];
	struct count c = { 0 };
	unsigned devs = 0;
	size_t ranges = 0;
	struct rusage ru;

	for (unsigned r = 0; r < runs; r++) {
		struct gen g;
		gen_init(&g, nr, decode);
		c.now = c.peak = c.calls = 0;
		double u0, s0, u1, s1;
		long f0, f1;
		ru_now(&u0, &s0, &f0);
		double w0 = wall_s(), t0 = cpu_s();
		struct pvhdev_domain *dom = boot(&g, &c);
		double t1 = cpu_s(), w1 = wall_s();
		ru_now(&u1, &s1, &f1);
		t_user[r] = u1 - u0;
		t_sys[r] = s1 - s0;
		n_flt[r] = (double)(f1 - f0);
		if (r == 0 && getenv("BENCH_SCALE_SIZES")) {
			/* Where the memory goes: live allocations by size. */
			for (size_t sz = 0; sz < 4096; sz++)
				if (c.live[sz] * sz >= c.now / 100)
					fprintf(stderr, "  %zu bytes x %zu = %zu KiB\n", sz,
					        c.live[sz], sz * c.live[sz] / 1024);
		}
		if (r == 0) {
			pvhdev_dev_foreach(dom, count_dev, &devs);
			pvhdev_p2m_foreach(dom, count_range, &ranges);
		}
		double t2 = cpu_s();
		pvhdev_domain_free(dom);
		double t3 = cpu_s();
		t_boot[r] = t1 - t0;
		t_wall[r] = w1 - w0;
		t_free[r] = t3 - t2;
		free(g.fn);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("functions=%u devices=%u p2m_ranges=%zu boot_cpu_s=%.4f boot_wall_s=%.4f "
	       "teardown_cpu_s=%.4f maxrss_kib=%ld pvhdev_peak_kib=%zu pvhdev_allocs=%zu "
	       "pvhdev_bytes_per_function=%zu boot_user_s=%.3f boot_sys_s=%.3f "
	       "boot_page_faults=%.0f\n",
	       nr, devs, ranges, bench_median(t_boot, runs), bench_median(t_wall, runs),
	       bench_median(t_free, runs), ru.ru_maxrss, c.peak / 1024, c.calls,
	       c.peak / nr, bench_median(t_user, runs), bench_median(t_sys, runs),
	       bench_median(n_flt, runs));
}

static uint32_t access_runs(unsigned nr, bool spread, size_t n)
{
	struct gen g;
	struct count c = { 0 };
	uint32_t sum = 0;
	uint64_t x = 0x9e3779b97f4a7c15ull, v;

	gen_init(&g, nr, true);
	struct pvhdev_domain *dom = boot(&g, &c);
	for (size_t i = 0; i < n; i++) {
		unsigned f = 0;
		if (spread) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			f = (unsigned)(x % nr);
		}
		pvhdev_mmio_read(dom, ECAM_BASE + ((uint64_t)f << 12) + 0x10, 4, &v);
		sum += (uint32_t)v;
	}
	pvhdev_domain_free(dom);
	free(g.fn);
	return sum;
}

int main(int argc, char **argv)
{
	platform_init();
	if (argc >= 3 && !strcmp(argv[1], "boot")) {
		unsigned nr = (unsigned)strtoul(argv[2], NULL, 0);
		unsigned runs = argc >= 4 ? (unsigned)atoi(argv[3]) : 3;
		bool decode = !(argc >= 5 && !strcmp(argv[4], "decode-off"));
		if (!nr || nr > MAX_FUNCS || nr % 256 || !runs || runs > 16) {
			fprintf(stderr, "bench_scale: FUNCTIONS: a multiple of 256 up to %u;"
			                " RUNS: 1-16\n", MAX_FUNCS);
			return 2;
		}
		boot_runs(nr, runs, decode);
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "access")) {
		unsigned nr = (unsigned)strtoul(argv[2], NULL, 0);
		if (!nr || nr > MAX_FUNCS || nr % 256)
			return 2;
		printf("%u\n", access_runs(nr, !strcmp(argv[3], "spread"),
		                           (size_t)atol(argv[4])));
		return 0;
	}
	fprintf(stderr, "usage: bench_scale boot FUNCTIONS [RUNS] [decode-off]"
	                " | access FUNCTIONS same|spread N\n");
	return 2;
}
