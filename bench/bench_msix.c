/* SPDX-License-Identifier: MIT */
/*
 * MSI-X micro-benchmark: one device whose 64 KiB BAR0 holds a table of
 * 2048 entries (32 KiB at offset 0) and its PBA (at 0x8000).
 *
 *   bench_msix time            ns per table write (an entry's data
 *                              dword: stored, no effect), per mask or
 *                              unmask of a bound entry (an effect and a
 *                              read-modify-write of the device's vector
 *                              control), and per enable that binds all
 *                              2048 entries; medians of 7 runs
 *   bench_msix count write N   N table writes, for callgrind
 *                              (--toggle-collect=pvhdev_mmio_write)
 *   bench_msix count read N    N table reads (an entry's data dword)
 *                              (--toggle-collect=pvhdev_mmio_read)
 *   bench_msix count mask N    N mask-or-unmask writes of a bound entry
 *                              (--toggle-collect=pvhdev_mmio_write)
 *   bench_msix count bind N    N enables binding all 2048 entries
 *                              (--toggle-collect=bind_all_once)
 *
 * Config space is the fake backend's; the BAR's memory is a flat array,
 * so what is measured is pvhdev, not the hardware.  No effect hook: the
 * event ring takes every effect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#include "timing.h"

#define DEV PVHDEV_SBDF(0, 0, 5, 0)
#define CAP 0x70
#define BAR 0xe0000000ull
#define BAR_SIZE 0x10000u
#define ENTRIES 2048u

static uint8_t mem[BAR_SIZE]; /* the device's BAR0 */

static int cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                    uint32_t *val)
{
	return pvhdev_fake_ops.cfg_read(ctx, sbdf, reg, size, val);
}

static int cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                     uint32_t val)
{
	return pvhdev_fake_ops.cfg_write(ctx, sbdf, reg, size, val);
}

static int mmio_read(void *ctx, uint64_t addr, unsigned size, uint64_t *val)
{
	uint64_t v = 0;

	(void)ctx;
	if (addr < BAR || addr - BAR > BAR_SIZE - size) {
		*val = ~0ull;
		return 0;
	}
	memcpy(&v, mem + (addr - BAR), size);
	*val = v;
	return 0;
}

static int mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t val)
{
	(void)ctx;
	if (addr >= BAR && addr - BAR <= BAR_SIZE - size)
		memcpy(mem + (addr - BAR), &val, size);
	return 0;
}

static const struct pvhdev_backend_ops bench_ops = {
	.name = "fake+array",
	.cfg_read = cfg_read,
	.cfg_write = cfg_write,
	.mmio_read = mmio_read,
	.mmio_write = mmio_write,
};

static void put(uint8_t *cfg, unsigned off, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++)
		cfg[off + i] = (uint8_t)(val >> (8 * i));
}

static void must(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "bench_msix: %s: %s\n", what, pvhdev_strerror(rc));
		exit(3);
	}
}

struct bench {
	struct pvhdev_fake *fake;
	struct pvhdev_domain *dom;
};

/* Decoding on, MSI-X enabled with the function masked, every entry
 * programmed and unmasked: clearing the function mask binds them all. */
static void setup(struct bench *b)
{
	static uint8_t cfg[256];
	struct pvhdev_fake_dev d = { .sbdf = DEV, .cfg = cfg, .cfg_len = 256,
	                             .bar_size = { BAR_SIZE } };
	struct pvhdev_config c = { .size = sizeof(c), .backend = &bench_ops,
	                           .alloc = &pvhdev_host_alloc };

	put(cfg, 0x00, 4, 0x12348086);
	put(cfg, 0x06, 2, 0x0010);
	put(cfg, 0x08, 4, 0x02000001);
	put(cfg, 0x10, 4, (uint32_t)BAR);
	put(cfg, 0x34, 1, CAP);
	put(cfg, CAP, 2, 0x0011);
	put(cfg, CAP + 2, 2, ENTRIES - 1);
	put(cfg, CAP + 4, 4, 0x0000);
	put(cfg, CAP + 8, 4, 0x8000);
	must(pvhdev_fake_new(&pvhdev_host_alloc, NULL, &d, 1, &b->fake), "fake");
	c.backend_ctx = b->fake;
	must(pvhdev_domain_new(&c, &b->dom), "domain");
	must(pvhdev_dev_add(b->dom, DEV), "device add");
	must(pvhdev_cfg_write(b->dom, DEV, 0x04, 2, 0x0002), "decode");
	must(pvhdev_cfg_write(b->dom, DEV, CAP + 2, 2, 0xc000), "enable");
	for (uint64_t i = 0; i < ENTRIES; i++) {
		uint64_t e = BAR + 16 * i;
		put(mem, (unsigned)(16 * i + 12), 4, 1); /* reset: masked */
		must(pvhdev_mmio_write(b->dom, e, 4, 0xfee00000 | (i & 0xff) << 12), "addr");
		must(pvhdev_mmio_write(b->dom, e + 8, 4, 0x30 + i % 0xc0), "data");
		must(pvhdev_mmio_write(b->dom, e + 12, 4, 0), "unmask");
	}
}

static void teardown(struct bench *b)
{
	pvhdev_domain_free(b->dom);
	pvhdev_fake_free(b->fake);
}

/* The measured write: MSI-X on, function unmasked, 2048 bindings. */
__attribute__((noinline)) void bind_all_once(struct pvhdev_domain *dom);
__attribute__((noinline)) void bind_all_once(struct pvhdev_domain *dom)
{
	pvhdev_cfg_write(dom, DEV, CAP + 2, 2, 0x8000);
}

/* Unmeasured: MSI-X off again (unbinds all). */
static void unbind_all(struct pvhdev_domain *dom)
{
	pvhdev_cfg_write(dom, DEV, CAP + 2, 2, 0x0000);
}

static void run_writes(struct pvhdev_domain *dom, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pvhdev_mmio_write(dom, BAR + 16 * (i % ENTRIES) + 8, 4, 0x30 + (i & 0x7f));
}

static uint64_t run_reads(struct pvhdev_domain *dom, size_t n)
{
	uint64_t sum = 0, v;

	for (size_t i = 0; i < n; i++) {
		pvhdev_mmio_read(dom, BAR + 16 * (i % ENTRIES) + 8, 4, &v);
		sum += v;
	}
	return sum;
}

/* Entry 0 masked and unmasked in turn (MSI-X on: it is bound). */
static void run_masks(struct pvhdev_domain *dom, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pvhdev_mmio_write(dom, BAR + 12, 4, ~i & 1);
}

static void time_all(void)
{
	struct bench b;
	const size_t n = 2000000, nm = 500000, rounds = 20;
	double wr[7], mk[7], bd[7];

	setup(&b);
	for (int r = 0; r < 7; r++) {
		double t0 = bench_cpu_ns(), bind = 0;
		run_writes(b.dom, n);
		double t1 = bench_cpu_ns();
		for (size_t k = 0; k < rounds; k++) {
			double s = bench_cpu_ns();
			bind_all_once(b.dom);
			bind += bench_cpu_ns() - s;
			if (k + 1 < rounds)
				unbind_all(b.dom);
		}
		double t2 = bench_cpu_ns();
		run_masks(b.dom, nm);
		double t3 = bench_cpu_ns();
		unbind_all(b.dom);
		wr[r] = (t1 - t0) / n;
		bd[r] = bind / rounds;
		mk[r] = (t3 - t2) / nm;
	}
	double b_ns = bench_median(bd, 7);
	printf("table_write_ns=%.2f mask_or_unmask_ns=%.2f bind_all_%u_us=%.1f "
	       "per_entry_ns=%.1f\n", bench_median(wr, 7), bench_median(mk, 7), ENTRIES, b_ns / 1e3,
	       b_ns / ENTRIES);
	teardown(&b);
}

int main(int argc, char **argv)
{
	struct bench b;

	if (argc >= 2 && !strcmp(argv[1], "time")) {
		time_all();
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "count")) {
		size_t n = (size_t)atol(argv[3]);
		setup(&b);
		if (!strcmp(argv[2], "write")) {
			run_writes(b.dom, n);
		} else if (!strcmp(argv[2], "read")) {
			printf("%llu\n", (unsigned long long)run_reads(b.dom, n));
		} else if (!strcmp(argv[2], "mask")) {
			bind_all_once(b.dom);
			run_masks(b.dom, n);
		} else {
			for (size_t k = 0; k < n; k++) {
				bind_all_once(b.dom);
				unbind_all(b.dom);
			}
		}
		teardown(&b);
		return 0;
	}
	fprintf(stderr, "usage: bench_msix time | count write|read|mask|bind N\n");
	return 2;
}
