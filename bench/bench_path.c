/* SPDX-License-Identifier: MIT */
/*
 * Whole-path micro-benchmark: a guest config access from the trap to the
 * handler (or the hardware) and back, through each decoder.
 *
 *   cf8   outl 0xcf8 (CONFIG_ADDRESS), then an in/out at 0xcfc..0xcff:
 *         two port accesses, pvhdev_pio_write + pvhdev_pio_read (or
 *         pvhdev_pio_write twice)
 *   ecam  one MMIO access in the MMCFG window: pvhdev_mmio_read (or
 *         pvhdev_mmio_write), which finds the window in the domain's
 *         range tree of trapped MMIO, decodes it and dispatches
 *
 *   bench_path time                     ns per access, median of 7 runs
 *   bench_path count cf8|ecam read|write N
 *                                       N accesses of the mix, for
 *                                       callgrind (--toggle-collect on the
 *                                       pio / mmio entry points)
 *   bench_path one cf8|ecam OFF SIZE N  N reads of one register
 *
 * The platform is small, as on a desktop: one MMCFG window for buses
 * 0-255, one IO-APIC, one device at 00:03.0 with the dispatcher
 * benchmark's 16 handlers (bench_dispatch.c), the same access mix (50%
 * 4-byte, 30% 2-byte, 20% 1-byte at 0x00-0x7f) and the same flat-array
 * backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#include "common.h"
#include "timing.h"

#define ECAM 0xe0000000ull
#define IOAPIC 0xfec00000ull

static uint32_t store[16];

static void must(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "bench_path: %s: %s\n", what, pvhdev_strerror(rc));
		exit(3);
	}
}

static struct pvhdev_domain *setup(void)
{
	struct pvhdev_domain *dom;
	struct pvhdev_dev *dev;
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &arr_ops, .alloc = &pvhdev_host_alloc,
	};

	memset(hw, 0, sizeof(hw));
	hw[0] = 0x86, hw[1] = 0x80, hw[2] = 0x34, hw[3] = 0x12;
	must(pvhdev_domain_new(&cfg, &dom), "domain");
	must(pvhdev_mmcfg_add(dom, ECAM, 0, 0, 255), "mmcfg");
	must(pvhdev_ioapic_add(dom, 0, IOAPIC, 0, 24), "ioapic");
	must(pvhdev_dev_add(dom, DEV), "device add");
	must(pvhdev_dev_get(dom, DEV, &dev), "device");
	/* Exactly the 16 handlers, as in bench_dispatch.c. */
	for (unsigned off = 0; off < 256; off++)
		for (unsigned size = 1; size <= 4; size *= 2)
			pvhdev_reg_remove(dev, off, size);
	for (unsigned i = 0; i < 16; i++) {
		struct pvhdev_reg r = {
			.off = layout16[i].off, .size = layout16[i].size,
			.read = h_read, .write = h_write, .opaque = &store[i],
		};
		must(pvhdev_reg_add(dev, &r), "handler");
	}
	return dom;
}

static struct access mix[MIX];

static uint32_t cf8_of(unsigned off)
{
	return 0x80000000u | (uint32_t)PVHDEV_SBDF_BUS(DEV) << 16 |
	       (uint32_t)(DEV & 0xff) << 8 | (off & 0xfc);
}

static uint64_t ecam_of(unsigned off)
{
	return ECAM + ((uint64_t)(DEV & 0xffff) << 12) + off;
}

static uint32_t cf8_reads(struct pvhdev_domain *dom, const struct access *a,
                          size_t n)
{
	uint32_t sum = 0, v;

	for (size_t i = 0; i < n; i++) {
		const struct access *x = &a[i % MIX];
		pvhdev_pio_write(dom, 0xcf8, 4, cf8_of(x->off));
		pvhdev_pio_read(dom, (uint16_t)(0xcfc + (x->off & 3)), x->size, &v);
		sum += v;
	}
	return sum;
}

static void cf8_writes(struct pvhdev_domain *dom, const struct access *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct access *x = &a[i % MIX];
		pvhdev_pio_write(dom, 0xcf8, 4, cf8_of(x->off));
		pvhdev_pio_write(dom, (uint16_t)(0xcfc + (x->off & 3)), x->size,
		                 (uint32_t)i);
	}
}

static uint32_t ecam_reads(struct pvhdev_domain *dom, const struct access *a,
                           size_t n)
{
	uint32_t sum = 0;
	uint64_t v;

	for (size_t i = 0; i < n; i++) {
		const struct access *x = &a[i % MIX];
		pvhdev_mmio_read(dom, ecam_of(x->off), x->size, &v);
		sum += (uint32_t)v;
	}
	return sum;
}

static void ecam_writes(struct pvhdev_domain *dom, const struct access *a,
                        size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct access *x = &a[i % MIX];
		pvhdev_mmio_write(dom, ecam_of(x->off), x->size, (uint32_t)i);
	}
}

static void time_all(void)
{
	struct pvhdev_domain *dom = setup();
	const size_t n = 2000000;
	double t[4][7];
	volatile uint32_t sink = 0;

	for (int r = 0; r < 7; r++) {
		double t0 = bench_cpu_ns();
		sink += cf8_reads(dom, mix, n);
		double t1 = bench_cpu_ns();
		cf8_writes(dom, mix, n);
		double t2 = bench_cpu_ns();
		sink += ecam_reads(dom, mix, n);
		double t3 = bench_cpu_ns();
		ecam_writes(dom, mix, n);
		double t4 = bench_cpu_ns();
		t[0][r] = (t1 - t0) / n, t[1][r] = (t2 - t1) / n;
		t[2][r] = (t3 - t2) / n, t[3][r] = (t4 - t3) / n;
	}
	printf("cf8_read_ns=%.2f cf8_write_ns=%.2f ecam_read_ns=%.2f ecam_write_ns=%.2f\n",
	       bench_median(t[0], 7), bench_median(t[1], 7), bench_median(t[2], 7),
	       bench_median(t[3], 7));
	(void)sink;
	pvhdev_domain_free(dom);
}

int main(int argc, char **argv)
{
	make_mix(mix, MIX);
	if (argc >= 2 && !strcmp(argv[1], "time")) {
		time_all();
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "count")) {
		struct pvhdev_domain *dom = setup();
		size_t n = (size_t)atol(argv[4]);
		bool cf8 = !strcmp(argv[2], "cf8"), rd = !strcmp(argv[3], "read");
		if (cf8 && rd)
			printf("%u\n", cf8_reads(dom, mix, n));
		else if (cf8)
			cf8_writes(dom, mix, n);
		else if (rd)
			printf("%u\n", ecam_reads(dom, mix, n));
		else
			ecam_writes(dom, mix, n);
		pvhdev_domain_free(dom);
		return 0;
	}
	if (argc >= 6 && !strcmp(argv[1], "one")) {
		struct pvhdev_domain *dom = setup();
		struct access one = { (uint16_t)strtoul(argv[3], NULL, 0),
		                      (uint8_t)atoi(argv[4]) };
		size_t n = (size_t)atol(argv[5]);
		for (size_t i = 0; i < MIX; i++)
			mix[i] = one;
		if (!strcmp(argv[2], "cf8"))
			printf("%u\n", cf8_reads(dom, mix, n));
		else
			printf("%u\n", ecam_reads(dom, mix, n));
		pvhdev_domain_free(dom);
		return 0;
	}
	fprintf(stderr, "usage: bench_path time | count cf8|ecam read|write N"
	                " | one cf8|ecam OFF SIZE N\n");
	return 2;
}
