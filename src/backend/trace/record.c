/* SPDX-License-Identifier: MIT */
/*
 * Record mode (pvhdev_trace_record_open(); docs/trace-format.md,
 * "Modes"): a backend that wraps another and writes down every call.
 *
 * Each hook calls the wrapped backend, then streams one element through
 * xmlTextWriter into an xmlOutputBuffer whose write callback is ours:
 * nothing is kept in memory, and write errors are kept (t->rec.werr) and
 * reported by pvhdev_trace_error() at once and by pvhdev_trace_finish(),
 * rather than printed by libxml2.  A write error never stops a call:
 * the hardware did it.
 *
 *   reads    the value is masked to the access size before it is
 *            written, and the domain gets the masked value, so that
 *            recording and replay see the same thing; a failed read is
 *            written with its rc and no value
 *   writes   shadow="1" when PVHDEV_TRACE_SHADOW_WRITES is set or
 *            pvhdev_trace_mark_shadow() marked this one
 *   MMIO     a wrapped backend without MMIO hooks answers as a domain
 *            would without them: reads all-ones, writes dropped
 *   enum     the wrapped backend's enumeration runs to completion
 *            first, so that <enum> holds the device list and the
 *            accesses the domain's callback makes follow it
 *
 * The header names the wrapped backend and its optional hooks; t->hooks
 * keeps the same, for pvhdev_trace_backend().
 */
#include "backend/trace/trace.h"

/* ---- The writer ---- */

/* The writer's output.  Errors are kept, not returned: libxml2 would
 * print them, and pvhdev_trace_finish() reports them instead. */
static int io_write(void *ctx, const char *buf, int len)
{
	struct pvhdev_trace *t = ctx;

	for (int done = 0; done < len && !t->rec.werr;) {
		ssize_t n = write(t->fd, buf + done, (size_t)(len - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			t->rec.werr = n < 0 ? -errno : -EIO;
		else
			done += (int)n;
	}
	return len;
}

static int io_close(void *ctx)
{
	struct pvhdev_trace *t = ctx;

	if (t->fd >= 0 && close(t->fd) && !t->rec.werr)
		t->rec.werr = -errno;
	t->fd = -1;
	return 0;
}

/* A writer call failed without an I/O error: libxml2 ran out of memory. */
static void wr_check(struct pvhdev_trace *t, int rc)
{
	if (rc < 0 && !t->rec.werr)
		t->rec.werr = -ENOMEM;
}

static void wr_attr(struct pvhdev_trace *t, const char *name, const char *val)
{
	wr_check(t, xmlTextWriterWriteAttribute(t->rec.w, BAD_CAST name,
	                                        BAD_CAST val));
}

static void wr_elem(struct pvhdev_trace *t, const char *name)
{
	wr_check(t, xmlTextWriterStartElement(t->rec.w, BAD_CAST name));
}

/* Starts a's element and writes its attributes. */
static void wr_start(struct pvhdev_trace *t, const struct acc *a)
{
	char v[TRACE_ATTR_MAX];

	wr_elem(t, specs[a->kind].name);
	for (int id = 0; id < AT__COUNT; id++)
		if (attr_fmt(a, id, v))
			wr_attr(t, attr_names[id], v);
}

static void wr_end(struct pvhdev_trace *t)
{
	wr_check(t, xmlTextWriterEndElement(t->rec.w));
}

/* Makes a write error visible to pvhdev_trace_error() as it happens.
 * The calls themselves still pass through: the hardware did them. */
static void rec_check(struct pvhdev_trace *t)
{
	if (t->rec.werr)
		fail(t, t->rec.werr, 0, "write failed: %s", strerror(-t->rec.werr));
}

/* Streams one access that has no children. */
static void rec_put(struct pvhdev_trace *t, struct acc *a)
{
	if (is_write(a->kind)) {
		a->shadow = t->rec.shadow_all || t->rec.shadow_next;
		t->rec.shadow_next = false;
	}
	if (a->has_val)
		a->val &= ones(a->size);
	wr_start(t, a);
	wr_end(t);
	count(t, a);
	rec_check(t);
}

/* ---- The hooks ---- */

static int rec_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                        unsigned size, uint32_t *val)
{
	struct pvhdev_trace *t = ctx;
	int rc = t->rec.be->cfg_read(t->rec.be_ctx, sbdf, reg, size, val);
	struct acc a = {
		.kind = ACC_R, .sbdf = sbdf, .addr = reg, .size = size,
		.val = rc ? 0 : *val, .rc = rc, .has_val = !rc,
	};

	rec_put(t, &a);
	/* What the domain sees is what the trace says it saw. */
	if (!rc)
		*val = (uint32_t)a.val;
	return rc;
}

static int rec_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                         unsigned size, uint32_t val)
{
	struct pvhdev_trace *t = ctx;
	int rc = t->rec.be->cfg_write(t->rec.be_ctx, sbdf, reg, size, val);
	struct acc a = {
		.kind = ACC_W, .sbdf = sbdf, .addr = reg, .size = size,
		.val = val, .rc = rc, .has_val = true,
	};

	rec_put(t, &a);
	return rc;
}

static int rec_mmio_read(void *ctx, uint64_t addr, unsigned size,
                         uint64_t *val)
{
	struct pvhdev_trace *t = ctx;
	int rc = 0;

	*val = ones(size);
	if (t->rec.be->mmio_read)
		rc = t->rec.be->mmio_read(t->rec.be_ctx, addr, size, val);
	struct acc a = {
		.kind = ACC_MR, .addr = addr, .size = size,
		.val = rc ? 0 : *val, .rc = rc, .has_val = !rc,
	};
	rec_put(t, &a);
	if (!rc)
		*val = a.val;
	return rc;
}

static int rec_mmio_write(void *ctx, uint64_t addr, unsigned size,
                          uint64_t val)
{
	struct pvhdev_trace *t = ctx;
	int rc = t->rec.be->mmio_write
	         ? t->rec.be->mmio_write(t->rec.be_ctx, addr, size, val) : 0;
	struct acc a = {
		.kind = ACC_MW, .addr = addr, .size = size,
		.val = val & ones(size), .rc = rc, .has_val = true,
	};

	rec_put(t, &a);
	return rc;
}

static int collect_dev(void *arg, pvhdev_sbdf_t sbdf)
{
	return devs_push(arg, sbdf);
}

/* The wrapped backend sees the same calls as without the trace, only
 * its enumeration is not interleaved with the domain's callback. */
static int rec_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	struct pvhdev_trace *t = ctx;
	struct acc a = { .kind = ACC_ENUM };
	char s[PVHDEV_SBDF_STRLEN];

	if (!t->rec.be->enumerate)
		return -EOPNOTSUPP; /* pvhdev_trace_backend() has none either */
	t->nr_devs = 0;
	a.rc = t->rec.be->enumerate(t->rec.be_ctx, collect_dev, t);
	if (a.rc == -ENOMEM && t->nr_devs == t->cap_devs)
		return fail(t, -ENOMEM, 0, "enumeration: %s", strerror(ENOMEM));
	wr_start(t, &a);
	for (size_t i = 0; i < t->nr_devs; i++) {
		wr_elem(t, "d");
		wr_attr(t, "s", pvhdev_sbdf_str(t->devs[i], s));
		wr_end(t);
	}
	wr_end(t);
	count(t, &a);
	rec_check(t);
	return devs_run(t, fn, arg, a.rc);
}

/* ---- Open, the header, finish ---- */

/* hooks="mmio_read mmio_write enumerate": the names of t->hooks. */
static const char *hooks_str(unsigned hooks, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < TRACE_NR_HOOKS && n < len; i++)
		if (hooks & 1u << i)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			                      n ? " " : "", hook_names[i]);
	return buf;
}

/*
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <pvhdev-trace format="1" pvhdev="VERSION">
 *     <platform source="..." [note="..."]/>
 *     <backend name="..." hooks="..."/>
 */
static void wr_header(struct pvhdev_trace *t)
{
	char buf[64];

	wr_check(t, xmlTextWriterSetIndent(t->rec.w, 1));
	wr_check(t, xmlTextWriterSetIndentString(t->rec.w, BAD_CAST "  "));
	wr_check(t, xmlTextWriterStartDocument(t->rec.w, NULL, "UTF-8", NULL));
	wr_elem(t, TRACE_ROOT);
	snprintf(buf, sizeof(buf), "%u", PVHDEV_TRACE_FORMAT);
	wr_attr(t, "format", buf);
	wr_attr(t, "pvhdev", t->info.pvhdev);
	wr_elem(t, "platform");
	wr_attr(t, "source", t->info.source);
	if (t->info.note)
		wr_attr(t, "note", t->info.note);
	wr_end(t);
	wr_elem(t, "backend");
	wr_attr(t, "name", t->info.backend);
	wr_attr(t, "hooks", hooks_str(t->hooks, buf, sizeof(buf)));
	wr_end(t);
}

/* The options, the wrapped backend's optional hooks and the header's
 * strings into t. */
static int rec_info(struct pvhdev_trace *t, const struct pvhdev_backend_ops *ops,
                    const struct pvhdev_trace_opts *opts)
{
	struct pvhdev_trace_opts o = { .size = sizeof(o) };

	/* An older, smaller struct: take what it has. */
	if (opts)
		memcpy(&o, opts, opts->size < sizeof(o) ? opts->size : sizeof(o));
	t->rec.shadow_all = o.flags & PVHDEV_TRACE_SHADOW_WRITES;
	t->hooks = (ops->mmio_read ? TRACE_HOOK_MMIO_READ : 0) |
	           (ops->mmio_write ? TRACE_HOOK_MMIO_WRITE : 0) |
	           (ops->enumerate ? TRACE_HOOK_ENUMERATE : 0);
	if (keep(t, STR_PVHDEV, &t->info.pvhdev, pvhdev_version()) ||
	    keep(t, STR_SOURCE, &t->info.source, o.source ? o.source : "unknown") ||
	    keep(t, STR_NOTE, &t->info.note, o.note) ||
	    keep(t, STR_BACKEND, &t->info.backend, ops->name ? ops->name : "unnamed"))
		return -ENOMEM;
	return 0;
}

static const struct pvhdev_backend_ops record_ops;

int pvhdev_trace_record_open(const char *path,
                             const struct pvhdev_backend_ops *ops, void *ctx,
                             const struct pvhdev_trace_opts *opts,
                             struct pvhdev_trace **out)
{
	struct pvhdev_trace *t;
	xmlOutputBufferPtr buf;
	int rc = -ENOMEM;

	if (!path || !ops || !ops->cfg_read || !ops->cfg_write || !out ||
	    (opts && opts->size < sizeof(size_t)))
		return -EINVAL;
	*out = NULL;
	if (!(t = pvhdev__trace_new(path, PVHDEV_TRACE_RECORD, &record_ops)))
		return -ENOMEM;
	t->rec.be = ops;
	t->rec.be_ctx = ctx;
	if ((rc = rec_info(t, ops, opts)))
		goto err_free;
	t->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (t->fd < 0) {
		rc = -errno;
		goto err_free;
	}
	/* From here the output buffer owns the descriptor. */
	if (!(buf = xmlOutputBufferCreateIO(io_write, io_close, t, NULL)))
		goto err_free;
	if (!(t->rec.w = xmlNewTextWriter(buf))) {
		xmlOutputBufferClose(buf);
		goto err_free;
	}
	wr_header(t);
	*out = t;
	return 0;

err_free:
	pvhdev__trace_free(t);
	return rc;
}

void pvhdev__trace_record_finish(struct pvhdev_trace *t)
{
	wr_check(t, xmlTextWriterEndDocument(t->rec.w));
	wr_check(t, xmlTextWriterFlush(t->rec.w));
	xmlFreeTextWriter(t->rec.w); /* io_close: close(2)'s error counts too */
	t->rec.w = NULL;
	rec_check(t);
}

int pvhdev_trace_mark_shadow(struct pvhdev_trace *t)
{
	if (!t || t->mode != PVHDEV_TRACE_RECORD)
		return -EINVAL;
	t->rec.shadow_next = true;
	return 0;
}

/* Record mode's hooks: the trace's own table hands every call here
 * until pvhdev_trace_finish(). */
static const struct pvhdev_backend_ops record_ops = {
	.name = "trace",
	.cfg_read = rec_cfg_read,
	.cfg_write = rec_cfg_write,
	.mmio_read = rec_mmio_read,
	.mmio_write = rec_mmio_write,
	.enumerate = rec_enumerate,
};
