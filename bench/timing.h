/* SPDX-License-Identifier: MIT */
/*
 * Timing for every benchmark: CPU time of the calling thread (on a busy
 * machine, wall time would count the time other processes ran), wall
 * time for short batches, and medians (a median leaves out the runs an
 * interrupt or a neighbour spoilt, where a mean would not).
 */
#ifndef PVHDEV_BENCH_TIMING_H
#define PVHDEV_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Wall time, for batches too short for the thread's CPU clock (a
 * system call each time, where this one is not). */
static inline double bench_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v (n > 0) and returns its middle element. */
static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[n / 2];
}

#endif
