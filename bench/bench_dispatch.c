/* SPDX-License-Identifier: MIT */
/*
 * Dispatcher micro-benchmark: one device with 1, 16 or 64 registered
 * handlers, a random mix of aligned accesses (50% 4-byte, 30% 2-byte,
 * 20% 1-byte) at offsets 0x00-0x7f, as the reference figures use.
 *
 *   bench_dispatch time HANDLERS           ns per read / write access,
 *                                          median of 7 runs (CPU time), the
 *                                          mix cycled and never repeating
 *   bench_dispatch count HANDLERS read|write N
 *                                          N accesses, for callgrind
 *   bench_dispatch count-fake HANDLERS read|write N
 *                                          the same on the fake backend
 *                                          (the device's bytes as the
 *                                          array's), what tests, fuzzers
 *                                          and replays pay
 *   bench_dispatch offset HANDLERS OFF SIZE N [write]
 *                                          N reads (or writes) of one
 *                                          access
 *
 * The device has exactly HANDLERS registers: the modules' own (the BAR
 * module traps the command register and BARs) are taken out first.  The
 * first 16 are the reference layout; more go at 0x80 and up, outside
 * the mix, to show that lookup does not depend on how many there are.
 *
 * The backend is a flat array with loads and stores of a fixed size, so
 * what is measured is pvhdev, not the hardware.  Handlers return stored
 * values (DONE), as emulated registers do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#include "common.h"
#include "timing.h"

static uint32_t store[64];
static struct pvhdev_fake *fake; /* with count-fake */

static struct pvhdev_domain *setup(unsigned handlers)
{
	struct pvhdev_domain *dom;
	struct pvhdev_dev *dev;
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &arr_ops, .alloc = &pvhdev_host_alloc,
	};

	memset(hw, 0, sizeof(hw));
	hw[0] = 0x86, hw[1] = 0x80, hw[2] = 0x34, hw[3] = 0x12;
	if (fake) {
		cfg.backend = &pvhdev_fake_ops;
		cfg.backend_ctx = fake;
	}
	if (pvhdev_domain_new(&cfg, &dom) || pvhdev_dev_add(dom, DEV) ||
	    pvhdev_dev_get(dom, DEV, &dev))
		exit(3);
	/* The modules trapped what they found (the BAR module: command
	 * register, BARs and ROM, which the array backend sizes as 16-byte
	 * BARs): take everything out so the device has exactly the handlers
	 * asked for. */
	for (unsigned off = 0; off < 256; off++)
		for (unsigned size = 1; size <= 4; size *= 2)
			pvhdev_reg_remove(dev, off, size);
	for (unsigned i = 0; i < handlers; i++) {
		/* Beyond the reference 16: dwords from 0x80 up. */
		struct pvhdev_reg r = {
			.off = i < 16 ? layout16[i].off : (uint16_t)(0x80 + 4 * (i - 16)),
			.size = i < 16 ? layout16[i].size : 4,
			.read = h_read, .write = h_write, .opaque = &store[i],
		};
		int rc = pvhdev_reg_add(dev, &r);
		if (rc) {
			fprintf(stderr, "handler %u at 0x%x: %s\n", i, r.off,
			        pvhdev_strerror(rc));
			exit(3);
		}
	}
	return dom;
}

/* n accesses of the sequence a of len accesses, cycled when n > len. */
static uint32_t run_reads_of(struct pvhdev_domain *dom, const struct access *a,
                             size_t len, size_t n)
{
	uint32_t sum = 0, v;

	for (size_t i = 0; i < n; i++) {
		pvhdev_cfg_read(dom, DEV, a[i % len].off, a[i % len].size, &v);
		sum += v;
	}
	return sum;
}

static void run_writes_of(struct pvhdev_domain *dom, const struct access *a, size_t len,
                          size_t n)
{
	for (size_t i = 0; i < n; i++)
		pvhdev_cfg_write(dom, DEV, a[i % len].off, a[i % len].size, (uint32_t)i);
}

static uint32_t run_reads(struct pvhdev_domain *dom, const struct access *a, size_t n)
{
	return run_reads_of(dom, a, MIX, n);
}

static void run_writes(struct pvhdev_domain *dom, const struct access *a, size_t n)
{
	run_writes_of(dom, a, MIX, n);
}

/* ns per read and write over n accesses of a (len of them, cycled),
 * medians of 7 runs of CPU time. */
static void time_seq(struct pvhdev_domain *dom, const struct access *a, size_t len,
                     size_t n, double *read_ns, double *write_ns)
{
	double rd[7], wr[7];
	volatile uint32_t sink = 0;

	for (int r = 0; r < 7; r++) {
		double t0 = bench_cpu_ns();
		sink += run_reads_of(dom, a, len, n);
		double t1 = bench_cpu_ns();
		run_writes_of(dom, a, len, n);
		double t2 = bench_cpu_ns();
		rd[r] = (t1 - t0) / n;
		wr[r] = (t2 - t1) / n;
	}
	(void)sink;
	*read_ns = bench_median(rd, 7);
	*write_ns = bench_median(wr, 7);
}

/*
 * Two timings of the reference mix: the 4,096-access sequence cycled
 * 2,000,000 times over, which the branch predictor learns (a best case),
 * and one sequence of 2,000,000 accesses that never repeats (what a
 * guest's varied accesses cost).
 */
#define LONG_MIX 2000000u

static void time_mix(unsigned handlers)
{
	static struct access mix[MIX], long_mix[LONG_MIX];
	struct pvhdev_domain *dom = setup(handlers);
	double rc, wc, rn, wn;

	make_mix(mix, MIX);
	make_mix(long_mix, LONG_MIX);
	time_seq(dom, mix, MIX, LONG_MIX, &rc, &wc);
	time_seq(dom, long_mix, LONG_MIX, LONG_MIX, &rn, &wn);
	printf("handlers=%u cycled read_ns=%.2f write_ns=%.2f, non-repeating read_ns=%.2f "
	       "write_ns=%.2f\n", handlers, rc, wc, rn, wn);
	pvhdev_domain_free(dom);
}

int main(int argc, char **argv)
{
	static struct access mix[MIX];

	if (argc >= 3 && !strcmp(argv[1], "time")) {
		time_mix((unsigned)atoi(argv[2]));
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "count-fake")) {
		const struct pvhdev_fake_dev d = { .sbdf = DEV, .cfg = hw, .cfg_len = 256 };
		hw[0] = 0x86, hw[1] = 0x80, hw[2] = 0x34, hw[3] = 0x12;
		if (pvhdev_fake_new(&pvhdev_host_alloc, NULL, &d, 1, &fake))
			return 3;
	}
	if (argc >= 5 && (fake || !strcmp(argv[1], "count"))) {
		struct pvhdev_domain *dom = setup((unsigned)atoi(argv[2]));
		size_t n = (size_t)atol(argv[4]);
		make_mix(mix, MIX);
		if (!strcmp(argv[3], "read"))
			printf("%u\n", run_reads(dom, mix, n));
		else
			run_writes(dom, mix, n);
		pvhdev_domain_free(dom);
		pvhdev_fake_free(fake);
		return 0;
	}
	if (argc >= 6 && !strcmp(argv[1], "offset")) {
		struct pvhdev_domain *dom = setup((unsigned)atoi(argv[2]));
		struct access one = { (uint16_t)strtoul(argv[3], NULL, 0),
		                      (uint8_t)atoi(argv[4]) };
		for (size_t i = 0; i < MIX; i++)
			mix[i] = one;
		if (argc >= 7 && !strcmp(argv[6], "write"))
			run_writes(dom, mix, (size_t)atol(argv[5]));
		else
			printf("%u\n", run_reads(dom, mix, (size_t)atol(argv[5])));
		pvhdev_domain_free(dom);
		return 0;
	}
	fprintf(stderr, "usage: bench_dispatch time HANDLERS | count[-fake] HANDLERS "
	                "read|write N | offset HANDLERS OFF SIZE N [write]\n");
	return 2;
}
