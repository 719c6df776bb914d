/* SPDX-License-Identifier: MIT */
/*
 * Trace backend benchmark: records N accesses (default 1,000,000) of a
 * random mix through the trace ops wrapping a flat-array backend, then
 * replays them strictly and relaxed.  Prints accesses per second and
 * the peak RSS of each phase, each run in its own child process so the
 * peaks do not add up: equal peaks for 100,000 and 1,000,000 accesses
 * show the record and strict replay streams run in constant memory.
 *
 *   bench_trace [N [FILE]]    FILE defaults to /tmp/pvhdev-bench-trace-PID.xml
 *                             and is removed at the end
 *
 * The mix: 40% config reads, 30% config writes, 15% MMIO reads, 15%
 * MMIO writes; sizes 1/2/4 (config) and 1/2/4/8 (MMIO), naturally
 * aligned, anywhere in one function's 4 KiB config space and a 64 KiB
 * BAR.  The relaxed phase reads the same mix (writes unchecked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvhdev/backend.h>
#include <pvhdev/trace.h>

#include "timing.h"

#define DEV PVHDEV_SBDF(0, 0, 3, 0)
#define BAR 0xfe000000ull
#define BAR_SIZE 0x10000u /* bytes */

/* ---- The "hardware": one function's config space and one BAR ---- */

struct hw {
	uint8_t cfg[4096];
	uint8_t mem[BAR_SIZE];
};

static int hw_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                       unsigned size, uint32_t *val)
{
	struct hw *hw = ctx;
	uint32_t v = 0;

	if (sbdf != DEV) {
		*val = 0xffffffffu;
		return 0;
	}
	memcpy(&v, hw->cfg + reg, size);
	*val = v;
	return 0;
}

static int hw_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                        unsigned size, uint32_t val)
{
	struct hw *hw = ctx;

	if (sbdf == DEV)
		memcpy(hw->cfg + reg, &val, size);
	return 0;
}

static int hw_mmio_read(void *ctx, uint64_t addr, unsigned size, uint64_t *val)
{
	struct hw *hw = ctx;
	uint64_t v = 0;

	memcpy(&v, hw->mem + (addr - BAR), size);
	*val = v;
	return 0;
}

static int hw_mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t val)
{
	struct hw *hw = ctx;

	memcpy(hw->mem + (addr - BAR), &val, size);
	return 0;
}

static const struct pvhdev_backend_ops hw_ops = {
	.name = "array",
	.cfg_read = hw_cfg_read,
	.cfg_write = hw_cfg_write,
	.mmio_read = hw_mmio_read,
	.mmio_write = hw_mmio_write,
};

/* ---- The access mix ---- */

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic, so replay makes the same calls. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* One access of the mix through ops/ctx; adds what reads return to
 * *sum.  Returns the hook's result. */
static int one(const struct pvhdev_backend_ops *ops, void *ctx, uint64_t *rng,
               uint64_t *sum)
{
	uint64_t r = rng_next(rng), v64;
	unsigned pick = (unsigned)(r % 100), size = 1u << ((r >> 8) % 3);
	unsigned off = (unsigned)((r >> 16) % 4096) & ~(size - 1);
	uint32_t v32, val = (uint32_t)(r >> 32);
	int rc;

	if (pick < 40) {
		rc = ops->cfg_read(ctx, DEV, off, size, &v32);
		*sum += v32;
	} else if (pick < 70) {
		rc = ops->cfg_write(ctx, DEV, off, size,
		                    size == 4 ? val : val & ((1u << (8 * size)) - 1));
	} else {
		size = 1u << ((r >> 8) % 4);
		uint64_t addr = BAR + (((r >> 16) % BAR_SIZE) & ~(uint64_t)(size - 1));
		uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
		if (pick < 85) {
			rc = ops->mmio_read(ctx, addr, size, &v64);
			*sum += v64;
		} else {
			rc = ops->mmio_write(ctx, addr, size, (r ^ (r << 7)) & mask);
		}
	}
	return rc;
}

/* ---- Phases, each in a child process ---- */

struct result {
	int rc;           /* 0, or the first error */
	double secs;      /* wall time of open, the accesses and close */
	double open_secs; /* of open alone (relaxed: reads the whole file) */
	uint64_t sum;     /* of every value read */
	long maxrss_kib;  /* the child's peak RSS */
	uint64_t keys;    /* relaxed: distinct read keys in its table */
	char err[256];
};

static void phase_record(const char *path, unsigned long n, struct result *res)
{
	static struct hw hw;
	struct pvhdev_trace *t;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	const struct pvhdev_trace_opts opts = {
		.size = sizeof(opts), .source = "bench", .note = "bench/bench_trace.c",
	};
	double t0 = bench_wall_ns() / 1e9;

	res->rc = pvhdev_trace_record_open(path, &hw_ops, &hw, &opts, &t);
	for (unsigned long i = 0; i < n && !res->rc; i++)
		res->rc = one(&pvhdev_trace_ops, t, &rng, &res->sum);
	if (!res->rc)
		res->rc = pvhdev_trace_finish(t);
	snprintf(res->err, sizeof(res->err), "%s", pvhdev_trace_error(t));
	pvhdev_trace_close(t);
	res->secs = bench_wall_ns() / 1e9 - t0;
}

static void phase_replay(const char *path, unsigned long n,
                         enum pvhdev_trace_mode mode, struct result *res)
{
	struct pvhdev_trace *t = NULL;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	double t0 = bench_wall_ns() / 1e9;

	res->rc = pvhdev_trace_replay_open(path, mode, &t, res->err,
	                                   sizeof(res->err));
	res->open_secs = bench_wall_ns() / 1e9 - t0;
	for (unsigned long i = 0; i < n && !res->rc; i++)
		res->rc = one(&pvhdev_trace_ops, t, &rng, &res->sum);
	if (!res->rc)
		res->rc = pvhdev_trace_finish(t);
	if (t) {
		struct pvhdev_trace_counters c;
		pvhdev_trace_get_counters(t, &c);
		res->keys = c.keys;
		snprintf(res->err, sizeof(res->err), "%s", pvhdev_trace_error(t));
	}
	pvhdev_trace_close(t);
	res->secs = bench_wall_ns() / 1e9 - t0;
}

enum phase { BASELINE, RECORD, STRICT, RELAXED };

/* Runs one phase in a child; its result comes back through a pipe. */
static int run(enum phase ph, const char *path, unsigned long n,
               struct result *res)
{
	int fd[2], status;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe(fd))
		return -errno;
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		struct rusage ru;
		close(fd[0]);
		if (ph == RECORD)
			phase_record(path, n, res);
		else if (ph == STRICT)
			phase_replay(path, n, PVHDEV_TRACE_STRICT, res);
		else if (ph == RELAXED)
			phase_replay(path, n, PVHDEV_TRACE_RELAXED, res);
		getrusage(RUSAGE_SELF, &ru);
		res->maxrss_kib = ru.ru_maxrss; /* KiB on Linux */
		_exit(write(fd[1], res, sizeof(*res)) == (ssize_t)sizeof(*res) ? 0 : 1);
	}
	close(fd[1]);
	ssize_t got = read(fd[0], res, sizeof(*res));
	close(fd[0]);
	waitpid(pid, &status, 0);
	return got == (ssize_t)sizeof(*res) && WIFEXITED(status) &&
	       !WEXITSTATUS(status) ? 0 : -EIO;
}

static void report(const char *name, unsigned long n, const struct result *r)
{
	if (r->rc) {
		printf("%-8s failed: %s: %s\n", name, pvhdev_strerror(r->rc), r->err);
		return;
	}
	printf("%-8s %lu accesses in %.3f s (open %.3f s): %.0f accesses/s, "
	       "peak RSS %ld KiB\n", name, n, r->secs, r->open_secs,
	       r->secs > 0 ? (double)n / r->secs : 0.0, r->maxrss_kib);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000ul;
	char def[128];
	const char *path = argc > 2 ? argv[2] : def;
	struct result base, rec, strict, relaxed;
	FILE *fp;
	long bytes = -1;

	snprintf(def, sizeof(def), "/tmp/pvhdev-bench-trace-%ld.xml", (long)getpid());
	if (run(BASELINE, path, n, &base) || run(RECORD, path, n, &rec)) {
		fprintf(stderr, "bench_trace: child failed\n");
		return 1;
	}
	if ((fp = fopen(path, "rb"))) {
		fseek(fp, 0, SEEK_END);
		bytes = ftell(fp);
		fclose(fp);
	}
	if (run(STRICT, path, n, &strict) || run(RELAXED, path, n, &relaxed)) {
		fprintf(stderr, "bench_trace: child failed\n");
		return 1;
	}
	printf("trace %s: %ld bytes (%.1f bytes per access)\n", path, bytes,
	       n ? (double)bytes / (double)n : 0.0);
	printf("baseline peak RSS %ld KiB (the process before any trace)\n",
	       base.maxrss_kib);
	report("record", n, &rec);
	report("strict", n, &strict);
	report("relaxed", n, &relaxed);
	printf("relaxed table: %llu distinct read keys\n",
	       (unsigned long long)relaxed.keys);
	if (!rec.rc && !strict.rc && rec.sum != strict.sum) {
		printf("strict replay read other values than the recording\n");
		return 1;
	}
	if (argc <= 2)
		unlink(path);
	return rec.rc || strict.rc || relaxed.rc;
}
