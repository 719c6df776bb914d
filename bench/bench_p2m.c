/* SPDX-License-Identifier: MIT */
/*
 * p2m micro-benchmark: the cost of one identity map and one unmap
 * against how many ranges the p2m already holds, and against how big
 * the range is.
 *
 *   bench_p2m time
 *       ns per map and per unmap (median over batches of 100, 7 runs
 *       of at least 100,000 of each), for 10 .. 1,000,000
 *       ranges already in the p2m (1-page ranges), then for 4 KiB ..
 *       64 GiB ranges with 1,000 ranges in the p2m
 *   bench_p2m count RANGES PAGES N
 *       N map + unmap pairs of PAGES-page ranges with RANGES ranges in
 *       the p2m, for callgrind (--toggle-collect=bench_map or
 *       =bench_unmap): instructions per operation repeat exactly on any
 *       machine with the same compiler
 *
 * The p2m holds RANGES records owned by one device, each STRIDE pages
 * apart; the measured range goes in the middle of a random gap and is
 * owned by another device, so it never merges: every map allocates and
 * inserts a record, every unmap removes and frees one (with the host's
 * malloc).  Both emit an event into the domain's ring; no hook, no log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#include "timing.h"

#include "core/core.h"

#define OWNER_FILL PVHDEV_SBDF(0, 1, 0, 0)
#define OWNER_TEST PVHDEV_SBDF(0, 2, 0, 0)
#define RUNS 7

static int none_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                     uint32_t *val)
{
	(void)ctx, (void)sbdf, (void)reg, (void)size;
	*val = 0xffffffffu;
	return 0;
}

static int none_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                      uint32_t val)
{
	(void)ctx, (void)sbdf, (void)reg, (void)size, (void)val;
	return 0;
}

static const struct pvhdev_backend_ops none_ops = {
	.name = "none",
	.cfg_read = none_read,
	.cfg_write = none_write,
};

/* A domain whose p2m holds ranges 1-page records, stride pages apart. */
static struct pvhdev_domain *setup(size_t ranges, uint64_t stride)
{
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &none_ops, .alloc = &pvhdev_host_alloc,
	};
	struct pvhdev_domain *dom;

	if (pvhdev_domain_new(&cfg, &dom))
		exit(3);
	for (size_t i = 0; i < ranges; i++)
		if (pvhdev__p2m_identity_map(dom, i * stride, 1, PVHDEV_MAP_BAR, OWNER_FILL, 0))
			exit(3);
	return dom;
}

/* Where the measured ranges go: the middles of n distinct random gaps
 * (n <= ranges), the same on every run. */
static void make_spots(uint64_t *spot, size_t n, size_t ranges, uint64_t stride)
{
	size_t *gap = malloc(ranges * sizeof(*gap));
	uint64_t x = 0x9e3779b97f4a7c15ull;

	if (!gap)
		exit(3);
	for (size_t i = 0; i < ranges; i++)
		gap[i] = i;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t j = i + (size_t)(x % (ranges - i)), t = gap[i];
		gap[i] = gap[j];
		gap[j] = t;
		spot[i] = gap[i] * stride + stride / 2;
	}
	free(gap);
}

/* Stride for ranges of pages: the measured range fits in a gap. */
static uint64_t stride_for(uint64_t pages)
{
	uint64_t s = 4;

	while (s / 2 < pages)
		s *= 2;
	return s;
}

static void shuffle(uint64_t *v, size_t n, uint64_t *x)
{
	for (size_t i = n; i > 1; i--) {
		*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
		size_t j = (size_t)(*x % i);
		uint64_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* Measured ranges per timed batch: short enough that most batches run
 * uninterrupted on a busy machine, long enough to dwarf the clock. */
#define BATCH 100

/*
 * ns per map and per unmap: the median, over batches of up to BATCH maps
 * (then as many unmaps) in RUNS runs of at least 100,000 of each, at n
 * distinct spots.  A median of short batches, rather than a total,
 * leaves out the batches another process on the machine interrupted.
 */
static void time_one(size_t ranges, uint64_t pages, size_t n, double *map_ns,
                     double *unmap_ns)
{
	uint64_t stride = stride_for(pages);
	struct pvhdev_domain *dom = setup(ranges, stride);
	size_t b = n < BATCH ? n : BATCH, batches = RUNS * ((100000 + b - 1) / b);
	uint64_t *spot = malloc(n * sizeof(*spot)), x = 0x2545f4914f6cdd1dull;
	double *m = malloc(batches * sizeof(*m)), *u = malloc(batches * sizeof(*u));

	if (!spot || !m || !u)
		exit(3);
	make_spots(spot, n, ranges, stride);
	for (size_t k = 0; k < batches; k++) {
		size_t first = (k * b) % (n - n % b);
		const uint64_t *at = spot + first;
		/* A new order on every pass, so that a small p2m's few spots do
		 * not become a pattern the branch predictor learns. */
		if (!first)
			shuffle(spot, n, &x);
		double t0 = bench_wall_ns();
		for (size_t i = 0; i < b; i++)
			pvhdev__p2m_identity_map(dom, at[i], pages, PVHDEV_MAP_BAR, OWNER_TEST, 0);
		double t1 = bench_wall_ns();
		for (size_t i = 0; i < b; i++)
			pvhdev__p2m_identity_unmap(dom, at[i], pages, OWNER_TEST, 0);
		m[k] = (t1 - t0) / (double)b;
		u[k] = (bench_wall_ns() - t1) / (double)b;
	}
	*map_ns = bench_median(m, batches);
	*unmap_ns = bench_median(u, batches);
	free(spot);
	free(m);
	free(u);
	pvhdev_domain_free(dom);
}

static void time_all(void)
{
	static const size_t counts[] = { 10, 100, 1000, 10000, 100000, 1000000 };
	static const struct { uint64_t pages; const char *name; } sizes[] = {
		{ 1, "4 KiB" }, { 16, "64 KiB" }, { 256, "1 MiB" }, { 4096, "16 MiB" },
		{ 1ull << 18, "1 GiB" }, { 1ull << 22, "16 GiB" }, { 1ull << 24, "64 GiB" },
	};
	double m, u;

	printf("ranges in the p2m (1-page ranges), median over batches of %d runs\n", RUNS);
	for (size_t i = 0; i < PVHDEV__ARRAY_SIZE(counts); i++) {
		/* At most one measured range per gap: n <= ranges. */
		size_t n = counts[i] < 10000 ? counts[i] : 10000;
		time_one(counts[i], 1, n, &m, &u);
		printf("  ranges=%-8zu map_ns=%7.1f unmap_ns=%7.1f\n", counts[i], m, u);
	}
	printf("range size, 1000 ranges in the p2m, median over batches of %d runs\n", RUNS);
	for (size_t i = 0; i < PVHDEV__ARRAY_SIZE(sizes); i++) {
		time_one(1000, sizes[i].pages, 1000, &m, &u);
		printf("  size=%-7s map_ns=%7.1f unmap_ns=%7.1f\n", sizes[i].name, m, u);
	}
}

/* What callgrind measures (--toggle-collect=bench_map / bench_unmap):
 * setup maps through pvhdev__p2m_identity_map directly, so it is not
 * counted.  Out of line, so each call is one. */
int bench_map(struct pvhdev_domain *dom, uint64_t gfn, uint64_t pages)
	__attribute__((noinline));
int bench_unmap(struct pvhdev_domain *dom, uint64_t gfn, uint64_t pages)
	__attribute__((noinline));

int bench_map(struct pvhdev_domain *dom, uint64_t gfn, uint64_t pages)
{
	return pvhdev__p2m_identity_map(dom, gfn, pages, PVHDEV_MAP_BAR, OWNER_TEST, 0);
}

int bench_unmap(struct pvhdev_domain *dom, uint64_t gfn, uint64_t pages)
{
	return pvhdev__p2m_identity_unmap(dom, gfn, pages, OWNER_TEST, 0);
}

/* n map + unmap pairs, each at a fresh spot (so never -EEXIST). */
static void count(size_t ranges, uint64_t pages, size_t n)
{
	uint64_t stride = stride_for(pages);
	struct pvhdev_domain *dom = setup(ranges, stride);
	uint64_t spot[4096];
	size_t nr_spots = ranges < 4096 ? ranges : 4096;
	int bad = 0;

	make_spots(spot, nr_spots, ranges, stride);
	for (size_t i = 0; i < n; i++) {
		uint64_t g = spot[i % nr_spots];
		bad |= bench_map(dom, g, pages);
		bad |= bench_unmap(dom, g, pages);
	}
	pvhdev_domain_free(dom);
	if (bad)
		exit(3);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "time")) {
		time_all();
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "count")) {
		size_t ranges = (size_t)strtoull(argv[2], NULL, 0);
		count(ranges ? ranges : 1, strtoull(argv[3], NULL, 0),
		      (size_t)strtoull(argv[4], NULL, 0));
		return 0;
	}
	fprintf(stderr, "usage: bench_p2m time | count RANGES PAGES N\n");
	return 2;
}
