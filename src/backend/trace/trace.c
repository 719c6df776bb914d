/* SPDX-License-Identifier: MIT */
/*
 * The trace backend: record what a backend saw, replay it
 * (include/pvhdev/trace.h; docs/trace-format.md).  This file: the trace
 * object and what every mode shares (the first error and its message,
 * the header's strings, the counters, the enumeration list), the public
 * calls every mode has (finish, close, error, info, counters, backend),
 * and the ops tables.
 *
 *   record   record.c: each hook calls the wrapped backend, then streams
 *            one element through xmlTextWriter.
 *   strict   replay.c: each hook reads the next element (reader.c) and
 *            compares it with the call; memory stays constant however
 *            long the trace.
 *   relaxed  replay.c: open reads the whole file once into a hash table
 *            of the last value read per key; the hooks only look it up.
 *
 * The tables.  pvhdev_trace_ops has every hook; pvhdev_trace_backend()
 * gives the domain the one of by_hooks[] that has only the optional
 * hooks the recorded backend had (t->hooks: from the wrapped backend
 * when recording, from the header's hooks="..." when replaying), so the
 * domain behaves as it did over that backend.  Their hooks all hand the
 * call to t->ops, the mode's table; pvhdev_trace_finish() points t->ops
 * at done_ops, which answers every later call with the trace's error
 * (-EIO when it has none), reads with all-ones.
 */
#include "backend/trace/trace.h"

/* ---- The trace object ---- */

struct pvhdev_trace *pvhdev__trace_new(const char *path,
                                       enum pvhdev_trace_mode mode,
                                       const struct pvhdev_backend_ops *ops)
{
	struct pvhdev_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->path = strdup(path);
	if (!t->path) {
		free(t);
		return NULL;
	}
	t->mode = mode;
	t->ops = ops;
	t->hooks = TRACE_HOOKS_ALL;
	t->fd = -1;
	t->info.format = PVHDEV_TRACE_FORMAT;
	return t;
}

void pvhdev__trace_free(struct pvhdev_trace *t)
{
	if (t->rec.w)
		xmlFreeTextWriter(t->rec.w); /* closes the file through io_close */
	rd_close(t);
	if (t->fd >= 0)
		close(t->fd);
	for (size_t i = 0; i < STR__COUNT; i++)
		free(t->strs[i]);
	free(t->devs);
	free(t->tab.slots);
	free(t->path);
	free(t);
}

/* ---- Messages ---- */

int vfail(struct pvhdev_trace *t, int err, uint64_t line, const char *fmt,
          va_list ap)
{
	int n;

	if (t->err)
		return t->err;
	t->err = err;
	if (line)
		n = snprintf(t->msg, sizeof(t->msg), "%s:%llu: ", t->path,
		             (unsigned long long)line);
	else
		n = snprintf(t->msg, sizeof(t->msg), "%s: ", t->path);
	if (n >= 0 && (size_t)n < sizeof(t->msg))
		vsnprintf(t->msg + n, sizeof(t->msg) - (size_t)n, fmt, ap);
	return err;
}

int fail(struct pvhdev_trace *t, int err, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = vfail(t, err, line, fmt, ap);
	va_end(ap);
	return err;
}

int nomem(struct pvhdev_trace *t)
{
	return fail(t, -ENOMEM, 0, "%s", strerror(ENOMEM));
}

/* ---- What every mode keeps ---- */

int keep(struct pvhdev_trace *t, unsigned i, const char **dst, const char *s)
{
	free(t->strs[i]);
	t->strs[i] = NULL;
	*dst = NULL;
	if (!s)
		return 0;
	if (!(t->strs[i] = strdup(s)))
		return -ENOMEM;
	*dst = t->strs[i];
	return 0;
}

void count(struct pvhdev_trace *t, const struct acc *a)
{
	uint64_t *by_kind[] = {
		[ACC_R] = &t->cnt.cfg_reads, [ACC_W] = &t->cnt.cfg_writes,
		[ACC_MR] = &t->cnt.mmio_reads, [ACC_MW] = &t->cnt.mmio_writes,
		[ACC_ENUM] = &t->cnt.enums,
	};

	t->cnt.accesses++;
	(*by_kind[a->kind])++;
	if (a->shadow)
		t->cnt.shadowed++;
}

int devs_push(struct pvhdev_trace *t, pvhdev_sbdf_t sbdf)
{
	if (t->nr_devs == t->cap_devs) {
		size_t cap = t->cap_devs ? 2 * t->cap_devs : 32;
		pvhdev_sbdf_t *p = realloc(t->devs, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->devs = p;
		t->cap_devs = cap;
	}
	t->devs[t->nr_devs++] = sbdf;
	return 0;
}

/* The list is taken from t first: fn's own accesses may replay or
 * record another enumeration. */
int devs_run(struct pvhdev_trace *t, pvhdev_enum_fn fn, void *arg, int rc)
{
	pvhdev_sbdf_t *devs = t->devs;
	size_t nr = t->nr_devs;
	int ret = 0;

	t->devs = NULL;
	t->nr_devs = t->cap_devs = 0;
	for (size_t i = 0; i < nr && !ret; i++)
		ret = fn(arg, devs[i]);
	free(devs);
	return ret ? ret : rc;
}

/* ---- Public calls ---- */

int pvhdev_trace_close(struct pvhdev_trace *t)
{
	int rc;

	if (!t)
		return 0;
	rc = pvhdev_trace_finish(t);
	pvhdev__trace_free(t);
	return rc;
}

const char *pvhdev_trace_error(const struct pvhdev_trace *t)
{
	return t && t->err ? t->msg : "";
}

int pvhdev_trace_get_info(const struct pvhdev_trace *t,
                          struct pvhdev_trace_info *out)
{
	if (!t || !out)
		return -EINVAL;
	*out = t->info;
	return 0;
}

int pvhdev_trace_get_counters(const struct pvhdev_trace *t,
                              struct pvhdev_trace_counters *out)
{
	if (!t || !out)
		return -EINVAL;
	*out = t->cnt;
	return 0;
}

/* ---- A finished trace: every call fails ---- */

static int done_rc(const struct pvhdev_trace *t)
{
	return t->err ? t->err : -EIO;
}

static int done_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                         unsigned size, uint32_t *val)
{
	*val = (uint32_t)ones(size);
	return done_rc(ctx);
}

static int done_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                          unsigned size, uint32_t val)
{
	return done_rc(ctx);
}

static int done_mmio_read(void *ctx, uint64_t addr, unsigned size,
                          uint64_t *val)
{
	*val = ones(size);
	return done_rc(ctx);
}

static int done_mmio_write(void *ctx, uint64_t addr, unsigned size,
                           uint64_t val)
{
	return done_rc(ctx);
}

static int done_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	return done_rc(ctx);
}

static const struct pvhdev_backend_ops done_ops = {
	.name = "trace",
	.cfg_read = done_cfg_read,
	.cfg_write = done_cfg_write,
	.mmio_read = done_mmio_read,
	.mmio_write = done_mmio_write,
	.enumerate = done_enumerate,
};

int pvhdev_trace_finish(struct pvhdev_trace *t)
{
	if (!t)
		return -EINVAL;
	if (t->finished)
		return t->err;
	t->finished = true;
	t->ops = &done_ops;
	if (t->mode == PVHDEV_TRACE_RECORD)
		pvhdev__trace_record_finish(t);
	else if (t->mode == PVHDEV_TRACE_STRICT)
		pvhdev__trace_strict_finish(t);
	return t->err;
}

/* ---- The hooks a domain calls: to the mode's table ---- */

static int trace_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                          unsigned size, uint32_t *val)
{
	const struct pvhdev_trace *t = ctx;

	return t->ops->cfg_read(ctx, sbdf, reg, size, val);
}

static int trace_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                           unsigned size, uint32_t val)
{
	const struct pvhdev_trace *t = ctx;

	return t->ops->cfg_write(ctx, sbdf, reg, size, val);
}

static int trace_mmio_read(void *ctx, uint64_t addr, unsigned size,
                           uint64_t *val)
{
	const struct pvhdev_trace *t = ctx;

	return t->ops->mmio_read(ctx, addr, size, val);
}

static int trace_mmio_write(void *ctx, uint64_t addr, unsigned size,
                            uint64_t val)
{
	const struct pvhdev_trace *t = ctx;

	return t->ops->mmio_write(ctx, addr, size, val);
}

static int trace_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	const struct pvhdev_trace *t = ctx;

	return t->ops->enumerate(ctx, fn, arg);
}

/* The trace's table with the optional hooks in `hooks` (TRACE_HOOK_*).
 * close is NULL: the trace belongs to whoever opened it, who closes it
 * with pvhdev_trace_close() after the domain is gone (and reads the
 * report in between). */
#define TRACE_OPS(hooks) {                                                  \
	.name = "trace",                                                    \
	.cfg_read = trace_cfg_read,                                         \
	.cfg_write = trace_cfg_write,                                       \
	.mmio_read = (hooks) & TRACE_HOOK_MMIO_READ ? trace_mmio_read : NULL, \
	.mmio_write = (hooks) & TRACE_HOOK_MMIO_WRITE ? trace_mmio_write : NULL, \
	.enumerate = (hooks) & TRACE_HOOK_ENUMERATE ? trace_enumerate : NULL, \
	.close = NULL,                                                      \
}

/* One table per set of optional hooks, indexed by it. */
static const struct pvhdev_backend_ops by_hooks[TRACE_HOOKS_ALL + 1] = {
	TRACE_OPS(0), TRACE_OPS(1), TRACE_OPS(2), TRACE_OPS(3),
	TRACE_OPS(4), TRACE_OPS(5), TRACE_OPS(6), TRACE_OPS(7),
};

const struct pvhdev_backend_ops pvhdev_trace_ops = TRACE_OPS(TRACE_HOOKS_ALL);

const struct pvhdev_backend_ops *pvhdev_trace_backend(const struct pvhdev_trace *t)
{
	return t ? &by_hooks[t->hooks] : NULL;
}
