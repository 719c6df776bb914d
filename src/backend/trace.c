/* SPDX-License-Identifier: MIT */
/*
 * The trace backend: record what a backend saw, replay it
 * (include/pvhdev/trace.h; docs/trace-format.md).
 *
 *   record   each hook calls the wrapped backend, then streams one
 *            element through xmlTextWriter into an xmlOutputBuffer whose
 *            write callback is ours: write errors are kept and reported
 *            by pvhdev_trace_finish() rather than printed by libxml2.
 *   strict   each hook reads the next element with xmlTextReader and
 *            compares it with the call.  The reader frees what it has
 *            passed, so memory stays constant however long the trace.
 *   relaxed  open reads the whole file once into a hash table of the
 *            last value read per key; the hooks only look it up.
 *
 * The reader checks the format itself as it goes (element names,
 * attributes, numbers) so that each mistake gets one message with its
 * line; data/schema/trace.rng says the same for other tools.
 *
 * Line numbers: libxml2 keeps an element's line in 16 bits (65535 means
 * "or more") and the parser's own line runs ahead of the reader by up to
 * a chunk.  Past 65534 the line comes from the whitespace text before
 * the element, which XML_PARSE_BIG_LINES numbers in full: exact for
 * traces with one element per line, as pvhdev writes them.
 *
 * This is a host part: it uses libc and libxml2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>

#include <pvhdev/trace.h>

#include "backend/host_util.h"

#define TRACE_ROOT "pvhdev-trace"
#define TRACE_MSG_MAX 1024   /* bytes of the error / divergence report */
#define TRACE_ELEM_MAX 160   /* bytes of one element in a report */
#define TRACE_QUOTE_MAX 40   /* bytes of a bad value quoted in a message */
#define TRACE_LINE16 65535u  /* libxml2's "this line or a later one" */
#define TRACE_RC_MAX 4095    /* largest errno a trace may record */
#define TRACE_TAB_MIN 64u    /* relaxed table slots to start with */

enum acc_kind { ACC_R, ACC_W, ACC_MR, ACC_MW, ACC_ENUM, ACC_END };

/* One access: as the trace holds it, or as a hook was called. */
struct acc {
	enum acc_kind kind;
	pvhdev_sbdf_t sbdf; /* config accesses */
	uint64_t addr;      /* config: offset; MMIO: address; bytes */
	unsigned size;      /* bytes; 0 for enum and end */
	uint64_t val;       /* read: the answer; write: the value written */
	int rc;             /* 0, or the negative errno the backend gave */
	bool has_val;       /* reads that failed carry no value */
	bool shadow;        /* write answered by a shadow, not hardware */
	uint64_t line;      /* XML line of the element; 0: not from a file */
};

/* Relaxed mode: the last answer read for one key.  size 0: empty. */
struct slot {
	uint64_t addr; /* config offset or MMIO address, bytes */
	uint64_t val;
	pvhdev_sbdf_t sbdf;
	int rc;
	uint8_t size;  /* bytes */
	bool mmio;
};

struct pvhdev_trace {
	enum pvhdev_trace_mode mode;
	char *path;
	struct pvhdev_backend_ops ops; /* pvhdev_trace_backend() */
	struct pvhdev_trace_info info;
	char *strs[4];                 /* owned copies behind info */
	struct pvhdev_trace_counters cnt;
	int err;                       /* first error, sticky; 0: none */
	bool finished;
	char msg[TRACE_MSG_MAX];

	/* Record. */
	const struct pvhdev_backend_ops *be;
	void *be_ctx;
	xmlTextWriterPtr w;
	int fd;                        /* closed by io_close */
	int werr;                      /* first write error, -errno */
	bool shadow_all, shadow_next;

	/* Replay. */
	xmlTextReaderPtr r;
	int rerr;                      /* read error of io_read, -errno */
	char xerr[256];                /* first libxml2 error, no newline */
	uint64_t xerr_line;            /* its line; 0: no error */
	bool xerr_cut;                 /* it is the file ending too soon */
	bool eof;                      /* io_read has seen the end */
	uint64_t newlines;             /* '\n' bytes io_read has passed on */
	char last;                     /* the last byte it passed on */
	uint64_t ws_line;              /* line where the last whitespace ended */
	uint64_t cur_line;             /* line of the node being read */
	bool at_end;                   /* strict: </pvhdev-trace> was read */
	pvhdev_sbdf_t *devs;           /* the enumeration just read */
	size_t nr_devs, cap_devs;
	int enum_rc;                   /* relaxed: rc of the last enum */
	struct slot *tab;              /* relaxed: tab_mask + 1 slots */
	size_t tab_mask;
};

/* ---- Messages ---- */

static int vfail(struct pvhdev_trace *t, int err, uint64_t line,
                 const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static int fail(struct pvhdev_trace *t, int err, uint64_t line,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(struct pvhdev_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Keeps the first error: "FILE:LINE: message" (no LINE when 0).
 * Returns the error that is now sticky. */
static int vfail(struct pvhdev_trace *t, int err, uint64_t line,
                 const char *fmt, va_list ap)
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

static int fail(struct pvhdev_trace *t, int err, uint64_t line,
                const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = vfail(t, err, line, fmt, ap);
	va_end(ap);
	return err;
}

/* A malformed trace, at the line being read. */
static int bad(struct pvhdev_trace *t, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vfail(t, -EINVAL, t->cur_line, fmt, ap);
	va_end(ap);
	return err;
}

static uint64_t ones(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static bool is_cfg(enum acc_kind k)
{
	return k == ACC_R || k == ACC_W;
}

static bool is_write(enum acc_kind k)
{
	return k == ACC_W || k == ACC_MW;
}

/* ---- Attributes: one table for writing, reporting and reading ---- */

enum attr_id { AT_S, AT_O, AT_A, AT_N, AT_V, AT_RC, AT_SHADOW, AT__COUNT };
#define B(id) (1u << (id))

static const char *const attr_names[AT__COUNT] = {
	[AT_S] = "s",       /* SBDF, "ssss:bb:dd.f" */
	[AT_O] = "o",       /* config offset, hex bytes */
	[AT_A] = "a",       /* MMIO address, hex bytes */
	[AT_N] = "n",       /* size, decimal bytes */
	[AT_V] = "v",       /* value, hex, 2 digits per byte */
	[AT_RC] = "rc",     /* negative errno, decimal; absent: 0 */
	[AT_SHADOW] = "shadow", /* "1": answered by a shadow */
};

/* What each element may and must carry.  Reads need v or rc (checked
 * apart: a failed read has no value). */
static const struct elem_spec {
	const char *name;
	unsigned allowed, required;
} specs[] = {
	[ACC_R] = { "r", B(AT_S) | B(AT_O) | B(AT_N) | B(AT_V) | B(AT_RC),
	            B(AT_S) | B(AT_O) | B(AT_N) },
	[ACC_W] = { "w", B(AT_S) | B(AT_O) | B(AT_N) | B(AT_V) | B(AT_RC) |
	            B(AT_SHADOW), B(AT_S) | B(AT_O) | B(AT_N) | B(AT_V) },
	[ACC_MR] = { "mr", B(AT_A) | B(AT_N) | B(AT_V) | B(AT_RC),
	             B(AT_A) | B(AT_N) },
	[ACC_MW] = { "mw", B(AT_A) | B(AT_N) | B(AT_V) | B(AT_RC) | B(AT_SHADOW),
	             B(AT_A) | B(AT_N) | B(AT_V) },
	[ACC_ENUM] = { "enum", B(AT_RC), 0 },
};

/* Formats attribute id of a into buf; false when a does not carry it. */
static bool attr_fmt(const struct acc *a, enum attr_id id, char buf[24])
{
	char s[PVHDEV_SBDF_STRLEN];
	bool cfg = is_cfg(a->kind);

	switch (id) {
	case AT_S:
		return cfg && snprintf(buf, 24, "%s", pvhdev_sbdf_str(a->sbdf, s));
	case AT_O:
		return cfg && snprintf(buf, 24, "0x%llx", (unsigned long long)a->addr);
	case AT_A:
		return a->size && !cfg &&
		       snprintf(buf, 24, "0x%llx", (unsigned long long)a->addr);
	case AT_N:
		return a->size && snprintf(buf, 24, "%u", a->size);
	case AT_V:
		return a->has_val && snprintf(buf, 24, "0x%0*llx", (int)(2 * a->size),
		                              (unsigned long long)a->val);
	case AT_RC:
		return a->rc && snprintf(buf, 24, "%d", a->rc);
	case AT_SHADOW:
		return a->shadow && snprintf(buf, 24, "1");
	default:
		return false;
	}
}

/* "<w s=... v=.../>" for a report; "end of trace" for the end. */
static const char *acc_str(const struct acc *a, char out[TRACE_ELEM_MAX])
{
	size_t len;
	char v[24];

	if (a->kind == ACC_END)
		return "end of trace";
	len = (size_t)snprintf(out, TRACE_ELEM_MAX, "<%s", specs[a->kind].name);
	for (int id = 0; id < AT__COUNT && len < TRACE_ELEM_MAX; id++)
		if (attr_fmt(a, id, v))
			len += (size_t)snprintf(out + len, TRACE_ELEM_MAX - len,
			                        " %s=\"%s\"", attr_names[id], v);
	if (len < TRACE_ELEM_MAX)
		snprintf(out + len, TRACE_ELEM_MAX - len,
		         a->kind == ACC_ENUM ? ">" : "/>");
	return out;
}

/* ---- Record ---- */

/* The writer's output.  Errors are kept, not returned: libxml2 would
 * print them, and pvhdev_trace_finish() reports them instead. */
static int io_write(void *ctx, const char *buf, int len)
{
	struct pvhdev_trace *t = ctx;

	for (int done = 0; done < len && !t->werr;) {
		ssize_t n = write(t->fd, buf + done, (size_t)(len - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			t->werr = n < 0 ? -errno : -EIO;
		else
			done += (int)n;
	}
	return len;
}

static int io_close(void *ctx)
{
	struct pvhdev_trace *t = ctx;

	if (t->fd >= 0 && close(t->fd) && !t->werr)
		t->werr = -errno;
	t->fd = -1;
	return 0;
}

/* A writer call failed without an I/O error: libxml2 ran out of memory. */
static void wr_check(struct pvhdev_trace *t, int rc)
{
	if (rc < 0 && !t->werr)
		t->werr = -ENOMEM;
}

static void wr_attr(struct pvhdev_trace *t, const char *name, const char *val)
{
	wr_check(t, xmlTextWriterWriteAttribute(t->w, BAD_CAST name, BAD_CAST val));
}

/* Starts a's element and writes its attributes. */
static void wr_start(struct pvhdev_trace *t, const struct acc *a)
{
	char v[24];

	wr_check(t, xmlTextWriterStartElement(t->w, BAD_CAST specs[a->kind].name));
	for (int id = 0; id < AT__COUNT; id++)
		if (attr_fmt(a, id, v))
			wr_attr(t, attr_names[id], v);
}

static void wr_end(struct pvhdev_trace *t)
{
	wr_check(t, xmlTextWriterEndElement(t->w));
}

/* Makes a write error visible to pvhdev_trace_error() as it happens.
 * The calls themselves still pass through: the hardware did them. */
static void rec_check(struct pvhdev_trace *t)
{
	if (t->werr)
		fail(t, t->werr, 0, "write failed: %s", strerror(-t->werr));
}

static void count(struct pvhdev_trace *t, const struct acc *a)
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

/* Streams one access that has no children. */
static void rec_put(struct pvhdev_trace *t, struct acc *a)
{
	if (is_write(a->kind)) {
		a->shadow = t->shadow_all || t->shadow_next;
		t->shadow_next = false;
	}
	if (a->has_val)
		a->val &= ones(a->size);
	wr_start(t, a);
	wr_end(t);
	count(t, a);
	rec_check(t);
}

static int rec_cfg_read(struct pvhdev_trace *t, pvhdev_sbdf_t sbdf,
                        unsigned reg, unsigned size, uint32_t *val)
{
	int rc = t->be->cfg_read(t->be_ctx, sbdf, reg, size, val);
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

static int rec_cfg_write(struct pvhdev_trace *t, pvhdev_sbdf_t sbdf,
                         unsigned reg, unsigned size, uint32_t val)
{
	int rc = t->be->cfg_write(t->be_ctx, sbdf, reg, size, val);
	struct acc a = {
		.kind = ACC_W, .sbdf = sbdf, .addr = reg, .size = size,
		.val = val, .rc = rc, .has_val = true,
	};

	rec_put(t, &a);
	return rc;
}

/* A wrapped backend without MMIO hooks answers as the domain would
 * without them: reads all-ones, writes dropped. */
static int rec_mmio_read(struct pvhdev_trace *t, uint64_t addr, unsigned size,
                         uint64_t *val)
{
	int rc = 0;

	*val = ones(size);
	if (t->be->mmio_read)
		rc = t->be->mmio_read(t->be_ctx, addr, size, val);
	struct acc a = {
		.kind = ACC_MR, .addr = addr, .size = size,
		.val = rc ? 0 : *val, .rc = rc, .has_val = !rc,
	};
	rec_put(t, &a);
	if (!rc)
		*val = a.val;
	return rc;
}

static int rec_mmio_write(struct pvhdev_trace *t, uint64_t addr, unsigned size,
                          uint64_t val)
{
	int rc = t->be->mmio_write ? t->be->mmio_write(t->be_ctx, addr, size, val) : 0;
	struct acc a = {
		.kind = ACC_MW, .addr = addr, .size = size,
		.val = val & ones(size), .rc = rc, .has_val = true,
	};

	rec_put(t, &a);
	return rc;
}

/* Appends to the enumeration being read or recorded. */
static int devs_push(struct pvhdev_trace *t, pvhdev_sbdf_t sbdf)
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

static int collect_dev(void *arg, pvhdev_sbdf_t sbdf)
{
	return devs_push(arg, sbdf);
}

/* Calls fn for each device of the enumeration just read or recorded.
 * The list is taken from t first: fn's own accesses may replay or
 * record another enumeration. */
static int devs_run(struct pvhdev_trace *t, pvhdev_enum_fn fn, void *arg,
                    int rc)
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

/*
 * The whole enumeration is collected before fn runs, so that <enum>
 * holds the device list and the accesses fn makes follow it.  The
 * wrapped backend sees the same calls, only not interleaved.
 */
static int rec_enumerate(struct pvhdev_trace *t, pvhdev_enum_fn fn, void *arg)
{
	struct acc a = { .kind = ACC_ENUM };
	char s[PVHDEV_SBDF_STRLEN];

	if (!t->be->enumerate)
		return -EOPNOTSUPP; /* pvhdev_trace_backend() has none either */
	t->nr_devs = 0;
	a.rc = t->be->enumerate(t->be_ctx, collect_dev, t);
	if (a.rc == -ENOMEM && t->nr_devs == t->cap_devs)
		return fail(t, -ENOMEM, 0, "enumeration: %s", strerror(ENOMEM));
	wr_start(t, &a);
	for (size_t i = 0; i < t->nr_devs; i++) {
		wr_check(t, xmlTextWriterStartElement(t->w, BAD_CAST "d"));
		wr_attr(t, "s", pvhdev_sbdf_str(t->devs[i], s));
		wr_end(t);
	}
	wr_end(t);
	count(t, &a);
	rec_check(t);
	return devs_run(t, fn, arg, a.rc);
}

static const char *hooks_str(const struct pvhdev_backend_ops *ops, char *buf,
                             size_t len)
{
	snprintf(buf, len, "%s%s%s", ops->mmio_read ? " mmio_read" : "",
	         ops->mmio_write ? " mmio_write" : "",
	         ops->enumerate ? " enumerate" : "");
	return buf[0] ? buf + 1 : buf;
}

static void wr_header(struct pvhdev_trace *t)
{
	char buf[64];

	wr_check(t, xmlTextWriterSetIndent(t->w, 1));
	wr_check(t, xmlTextWriterSetIndentString(t->w, BAD_CAST "  "));
	wr_check(t, xmlTextWriterStartDocument(t->w, NULL, "UTF-8", NULL));
	wr_check(t, xmlTextWriterStartElement(t->w, BAD_CAST TRACE_ROOT));
	snprintf(buf, sizeof(buf), "%u", PVHDEV_TRACE_FORMAT);
	wr_attr(t, "format", buf);
	wr_attr(t, "pvhdev", t->info.pvhdev);
	wr_check(t, xmlTextWriterStartElement(t->w, BAD_CAST "platform"));
	wr_attr(t, "source", t->info.source);
	if (t->info.note)
		wr_attr(t, "note", t->info.note);
	wr_end(t);
	wr_check(t, xmlTextWriterStartElement(t->w, BAD_CAST "backend"));
	wr_attr(t, "name", t->info.backend);
	wr_attr(t, "hooks", hooks_str(&t->ops, buf, sizeof(buf)));
	wr_end(t);
}

/* ---- Shared by both open calls ---- */

static struct pvhdev_trace *trace_new(const char *path,
                                      enum pvhdev_trace_mode mode)
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
	t->fd = -1;
	t->ops = pvhdev_trace_ops;
	t->info.format = PVHDEV_TRACE_FORMAT;
	return t;
}

static void trace_free(struct pvhdev_trace *t)
{
	if (t->w)
		xmlFreeTextWriter(t->w); /* closes the file through io_close */
	if (t->r)
		xmlFreeTextReader(t->r);
	if (t->fd >= 0)
		close(t->fd);
	for (size_t i = 0; i < sizeof(t->strs) / sizeof(t->strs[0]); i++)
		free(t->strs[i]);
	free(t->devs);
	free(t->tab);
	free(t->path);
	free(t);
}

/* Keeps a copy of s in strs[i]; *dst points at it.  NULL stays NULL. */
static int keep(struct pvhdev_trace *t, unsigned i, const char **dst,
                const char *s)
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

/* Strings of the header, in t->strs[]. */
enum { STR_PVHDEV, STR_SOURCE, STR_NOTE, STR_BACKEND };

static int rec_info(struct pvhdev_trace *t, const struct pvhdev_backend_ops *ops,
                    const struct pvhdev_trace_opts *opts)
{
	struct pvhdev_trace_opts o = { .size = sizeof(o) };

	/* An older, smaller struct: take what it has. */
	if (opts)
		memcpy(&o, opts, opts->size < sizeof(o) ? opts->size : sizeof(o));
	t->shadow_all = o.flags & PVHDEV_TRACE_SHADOW_WRITES;
	if (!ops->mmio_read)
		t->ops.mmio_read = NULL;
	if (!ops->mmio_write)
		t->ops.mmio_write = NULL;
	if (!ops->enumerate)
		t->ops.enumerate = NULL;
	if (keep(t, STR_PVHDEV, &t->info.pvhdev, pvhdev_version()) ||
	    keep(t, STR_SOURCE, &t->info.source, o.source ? o.source : "unknown") ||
	    keep(t, STR_NOTE, &t->info.note, o.note) ||
	    keep(t, STR_BACKEND, &t->info.backend, ops->name ? ops->name : "unnamed"))
		return -ENOMEM;
	return 0;
}

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
	if (!(t = trace_new(path, PVHDEV_TRACE_RECORD)))
		return -ENOMEM;
	t->be = ops;
	t->be_ctx = ctx;
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
	if (!(t->w = xmlNewTextWriter(buf))) {
		xmlOutputBufferClose(buf);
		goto err_free;
	}
	wr_header(t);
	*out = t;
	return 0;

err_free:
	trace_free(t);
	return rc;
}

/* ---- Reading: nodes and lines ---- */

/* libxml2 2.12 made the error argument const. */
#if LIBXML_VERSION >= 21200
#define TRACE_XML_ERROR const xmlError
#else
#define TRACE_XML_ERROR xmlError
#endif

/*
 * A cut file makes libxml2 say odd things ("Extra content at the end of
 * the document", "attributes construct error").  It is a cut when the
 * parser stopped on the file's last line with elements still open.
 */
static bool xml_cut(const struct pvhdev_trace *t, TRACE_XML_ERROR *e,
                    uint64_t line)
{
	const xmlParserCtxt *ctxt = e->ctxt;
	uint64_t last = t->newlines + (t->last != '\n');

	return t->eof && e->domain == XML_FROM_PARSER && ctxt &&
	       ctxt->nameNr > 0 && line >= last;
}

/* Keeps libxml2's first error for rd_broken(); warnings are ignored. */
static void on_xml_error(void *arg, TRACE_XML_ERROR *e)
{
	struct pvhdev_trace *t = arg;
	uint64_t line;
	size_t n;

	if (!e || e->level < XML_ERR_ERROR || t->xerr_line)
		return;
	line = e->line > 0 ? (uint64_t)e->line : 1;
	if ((t->xerr_cut = xml_cut(t, e, line))) {
		const xmlParserCtxt *ctxt = e->ctxt;
		snprintf(t->xerr, sizeof(t->xerr), "%.40s",
		         ctxt->name ? (const char *)ctxt->name : "?");
		t->xerr_line = t->newlines + (t->last != '\n');
		return;
	}
	snprintf(t->xerr, sizeof(t->xerr), "%s", e->message ? e->message : "error");
	n = strlen(t->xerr);
	while (n && (t->xerr[n - 1] == '\n' || t->xerr[n - 1] == ' '))
		t->xerr[--n] = '\0';
	t->xerr_line = line;
}

static int io_read(void *ctx, char *buf, int len)
{
	struct pvhdev_trace *t = ctx;

	for (;;) {
		ssize_t n = read(t->fd, buf, (size_t)len);
		if (n > 0) {
			for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p)));
			     p++)
				t->newlines++;
			t->last = buf[n - 1];
		}
		t->eof = n == 0;
		if (n >= 0)
			return (int)n;
		if (errno != EINTR) {
			t->rerr = -errno;
			return -1;
		}
	}
}

static int io_rclose(void *ctx)
{
	struct pvhdev_trace *t = ctx;

	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	return 0;
}

/* The reader stopped: an I/O error, or the XML is not well-formed. */
static int rd_broken(struct pvhdev_trace *t)
{
	if (t->rerr)
		return fail(t, t->rerr, 0, "read failed: %s", strerror(-t->rerr));
	if (t->xerr_cut)
		return fail(t, -EINVAL, t->xerr_line, "truncated: the file ends "
		            "inside <%s>", t->xerr);
	if (t->xerr_line)
		return fail(t, -EINVAL, t->xerr_line, "malformed XML: %s", t->xerr);
	return fail(t, -EINVAL, (uint64_t)xmlTextReaderGetParserLineNumber(t->r),
	            "malformed XML");
}

/* Line of a node: exact below TRACE_LINE16; past it, text nodes carry
 * the full line in psvi (XML_PARSE_BIG_LINES); else fallback. */
static uint64_t node_line(xmlNodePtr node, uint64_t fallback)
{
	if (!node)
		return fallback;
	if (node->line < TRACE_LINE16)
		return node->line;
	if (node->type == XML_TEXT_NODE && node->psvi)
		return (uint64_t)(uintptr_t)node->psvi;
	return fallback > TRACE_LINE16 ? fallback : TRACE_LINE16;
}

/* Text nodes are numbered where they end: back up to the line of the
 * first character that is not whitespace. */
static uint64_t text_line(struct pvhdev_trace *t, uint64_t end)
{
	const char *s = (const char *)xmlTextReaderConstValue(t->r);

	if (!s)
		return end;
	s += strspn(s, " \t\r\n");
	for (; *s && end > 1; s++)
		end -= *s == '\n';
	return end;
}

/* Where the node just read starts.  An end tag's node is its element
 * (the start tag's line): the whitespace before it says better.  A
 * DOCTYPE has no line at all: it is near the start. */
static void rd_line(struct pvhdev_trace *t, int type)
{
	uint64_t after = t->ws_line > t->cur_line ? t->ws_line : t->cur_line;
	xmlNodePtr node = xmlTextReaderCurrentNode(t->r);

	if (type == XML_READER_TYPE_ELEMENT)
		t->cur_line = node_line(node, after);
	else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA)
		t->cur_line = text_line(t, node_line(node, after));
	else
		t->cur_line = after ? after : 1;
}

/*
 * Advances to the next node that matters: whitespace (whose end line is
 * noted), comments and processing instructions are skipped.  Returns
 * the node type, 0 at the end of the file, or the sticky error.
 */
static int rd_node(struct pvhdev_trace *t)
{
	for (;;) {
		int rc = xmlTextReaderRead(t->r);
		if (rc < 0 || t->xerr_line || t->rerr)
			return rd_broken(t);
		if (rc == 0)
			return 0;
		int type = xmlTextReaderNodeType(t->r);
		if (type == XML_READER_TYPE_WHITESPACE ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
			t->ws_line = node_line(xmlTextReaderCurrentNode(t->r),
			                       t->ws_line);
			continue;
		}
		if (type == XML_READER_TYPE_COMMENT ||
		    type == XML_READER_TYPE_PROCESSING_INSTRUCTION)
			continue;
		rd_line(t, type);
		return type;
	}
}

/* The node just read, for a message. */
static const char *what(struct pvhdev_trace *t, int type, char buf[64])
{
	const char *name = (const char *)xmlTextReaderConstName(t->r);

	switch (type) {
	case 0:
		return "end of file";
	case XML_READER_TYPE_ELEMENT:
		snprintf(buf, 64, "<%.40s>", name ? name : "?");
		return buf;
	case XML_READER_TYPE_END_ELEMENT:
		snprintf(buf, 64, "</%.40s>", name ? name : "?");
		return buf;
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
		return "text";
	case XML_READER_TYPE_DOCUMENT_TYPE:
		return "a DOCTYPE";
	case XML_READER_TYPE_ENTITY_REFERENCE:
		return "an entity reference";
	default:
		snprintf(buf, 64, "an XML node of type %d", type);
		return buf;
	}
}

/* Reads the next node, which must be element `name`. */
static int rd_expect(struct pvhdev_trace *t, const char *name)
{
	char buf[64];
	int type = rd_node(t);

	if (type < 0)
		return type;
	if (type != XML_READER_TYPE_ELEMENT ||
	    strcmp((const char *)xmlTextReaderConstName(t->r), name))
		return bad(t, "expected <%s>, got %s", name, what(t, type, buf));
	return 0;
}

/* The element just read must have no content: <r .../> or <r ...></r>. */
static int rd_empty(struct pvhdev_trace *t, const char *name)
{
	char buf[64];
	int empty = xmlTextReaderIsEmptyElement(t->r), type;

	if (empty < 0)
		return rd_broken(t);
	if (empty)
		return 0;
	if ((type = rd_node(t)) < 0)
		return type;
	if (type != XML_READER_TYPE_END_ELEMENT)
		return bad(t, "<%s> must be empty, got %s in it", name,
		           what(t, type, buf));
	return 0;
}

typedef int (*attr_fn)(struct pvhdev_trace *t, const char *elem,
                       const char *name, const char *val, void *arg);

/* Hands each attribute of the element just read to fn, which returns 0
 * or the sticky error. */
static int rd_attrs(struct pvhdev_trace *t, const char *elem, attr_fn fn,
                    void *arg)
{
	int rc;

	while ((rc = xmlTextReaderMoveToNextAttribute(t->r)) == 1) {
		const char *name = (const char *)xmlTextReaderConstName(t->r);
		const char *val = (const char *)xmlTextReaderConstValue(t->r);
		if ((rc = fn(t, elem, name ? name : "", val ? val : "", arg)))
			break;
	}
	xmlTextReaderMoveToElement(t->r);
	if (rc < 0)
		return t->err ? t->err : rd_broken(t);
	return 0;
}

/* ---- Reading: numbers ---- */

/* "0x" and hex digits.  -EINVAL: not that; -ERANGE: past 64 bits. */
static int parse_hex(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return -EINVAL;
	for (s += 2; *s; s++) {
		int d = pvhdev__digit(*s, 16);
		if (d < 0)
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

/* "ssss:bb:dd.f", as pvhdev_sbdf_str() writes it: the whole form only. */
static int parse_sbdf(const char *s, pvhdev_sbdf_t *out)
{
	return strlen(s) == PVHDEV_SBDF_STRLEN - 1 && pvhdev__parse_sbdf(s, out) ? 0 : -EINVAL;
}

/* A negative errno, "-1" to "-4095". */
static int parse_rc(const char *s, int *out)
{
	int v = 0;

	if (s[0] != '-' || s[1] < '1' || s[1] > '9')
		return -EINVAL;
	for (s++; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > TRACE_RC_MAX)
			return -EINVAL;
	}
	*out = -v;
	return 0;
}

/* ---- Reading: accesses ---- */

static int attr_lookup(const char *name)
{
	for (int id = 0; id < AT__COUNT; id++)
		if (!strcmp(name, attr_names[id]))
			return id;
	return -1;
}

struct acc_parse {
	struct acc *a;
	unsigned seen; /* B(AT_*) */
};

static int bad_number(struct pvhdev_trace *t, const char *elem,
                      const char *name, const char *val, int err)
{
	size_t len = strlen(val);

	if (err == -ERANGE)
		return bad(t, "<%s> attribute %s: %.*s%s does not fit in 64 bits",
		           elem, name, TRACE_QUOTE_MAX, val,
		           len > TRACE_QUOTE_MAX ? "..." : "");
	return bad(t, "<%s> attribute %s: expected a hex number 0x..., got \"%.*s%s\"",
	           elem, name, TRACE_QUOTE_MAX, val,
	           len > TRACE_QUOTE_MAX ? "..." : "");
}

/* One attribute of an access element into p->a. */
static int acc_attr(struct pvhdev_trace *t, const char *elem, const char *name,
                    const char *val, void *arg)
{
	struct acc_parse *p = arg;
	struct acc *a = p->a;
	int id = attr_lookup(name), rc = 0;

	if (id < 0 || !(specs[a->kind].allowed & B(id)))
		return bad(t, "<%s>: unexpected attribute %.*s", elem,
		           TRACE_QUOTE_MAX, name);
	p->seen |= B(id);
	switch (id) {
	case AT_S:
		if (parse_sbdf(val, &a->sbdf))
			return bad(t, "<%s> attribute s: expected an SBDF "
			           "ssss:bb:dd.f, got \"%.*s\"", elem,
			           TRACE_QUOTE_MAX, val);
		return 0;
	case AT_O:
	case AT_A:
		rc = parse_hex(val, &a->addr);
		break;
	case AT_V:
		rc = parse_hex(val, &a->val);
		a->has_val = true;
		break;
	case AT_N:
		if (strlen(val) != 1 || !strchr("1248", val[0]))
			return bad(t, "<%s> attribute n: expected 1, 2, 4 or 8, "
			           "got \"%.*s\"", elem, TRACE_QUOTE_MAX, val);
		a->size = (unsigned)(val[0] - '0');
		return 0;
	case AT_RC:
		if (parse_rc(val, &a->rc))
			return bad(t, "<%s> attribute rc: expected a negative errno "
			           "-1..-%d, got \"%.*s\"", elem, TRACE_RC_MAX,
			           TRACE_QUOTE_MAX, val);
		return 0;
	case AT_SHADOW:
		if (strcmp(val, "0") && strcmp(val, "1"))
			return bad(t, "<%s> attribute shadow: expected 0 or 1, "
			           "got \"%.*s\"", elem, TRACE_QUOTE_MAX, val);
		a->shadow = val[0] == '1';
		return 0;
	}
	return rc ? bad_number(t, elem, name, val, rc) : 0;
}

/* What the attributes must say together. */
static int acc_check(struct pvhdev_trace *t, const struct acc_parse *p)
{
	const struct acc *a = p->a;
	const char *elem = specs[a->kind].name;
	unsigned missing = specs[a->kind].required & ~p->seen;

	for (int id = 0; id < AT__COUNT; id++)
		if (missing & B(id))
			return bad(t, "<%s>: missing attribute %s", elem, attr_names[id]);
	if (a->kind == ACC_ENUM)
		return 0;
	if ((a->kind == ACC_R || a->kind == ACC_MR) && !a->has_val && !a->rc)
		return bad(t, "<%s>: missing attribute v (or rc)", elem);
	if (is_cfg(a->kind) && a->size == 8)
		return bad(t, "<%s>: n=8: config accesses are 1, 2 or 4 bytes", elem);
	if (a->addr % a->size)
		return bad(t, "<%s>: %s=0x%llx is not aligned to n=%u", elem,
		           is_cfg(a->kind) ? "o" : "a",
		           (unsigned long long)a->addr, a->size);
	if (is_cfg(a->kind) && a->addr + a->size > PVHDEV_CFG_EXP_SIZE)
		return bad(t, "<%s>: o=0x%llx is past config space (4096 bytes)",
		           elem, (unsigned long long)a->addr);
	if (a->has_val && (a->val & ~ones(a->size)))
		return bad(t, "<%s>: v=0x%llx does not fit in n=%u bytes", elem,
		           (unsigned long long)a->val, a->size);
	return 0;
}

/* The one attribute of <d>; *arg is set to 1 once seen. */
static int d_attr(struct pvhdev_trace *t, const char *elem, const char *name,
                  const char *val, void *arg)
{
	pvhdev_sbdf_t *sbdf = arg;

	if (strcmp(name, "s"))
		return bad(t, "<%s>: unexpected attribute %.*s", elem,
		           TRACE_QUOTE_MAX, name);
	if (parse_sbdf(val, sbdf))
		return bad(t, "<%s> attribute s: expected an SBDF ssss:bb:dd.f, "
		           "got \"%.*s\"", elem, TRACE_QUOTE_MAX, val);
	return 0;
}

/* The <d> children of the <enum> just read, into t->devs. */
static int rd_enum(struct pvhdev_trace *t)
{
	char buf[64];
	int empty = xmlTextReaderIsEmptyElement(t->r), type, rc;

	t->nr_devs = 0;
	if (empty)
		return empty < 0 ? rd_broken(t) : 0;
	while ((type = rd_node(t)) != XML_READER_TYPE_END_ELEMENT) {
		pvhdev_sbdf_t sbdf = ~(pvhdev_sbdf_t)0; /* no valid SBDF parses to it */
		if (type < 0)
			return type;
		if (type != XML_READER_TYPE_ELEMENT ||
		    strcmp((const char *)xmlTextReaderConstName(t->r), "d"))
			return bad(t, "<enum> holds only <d> elements, got %s",
			           what(t, type, buf));
		if ((rc = rd_attrs(t, "d", d_attr, &sbdf)))
			return rc;
		if (sbdf == ~(pvhdev_sbdf_t)0)
			return bad(t, "<d>: missing attribute s");
		if ((rc = devs_push(t, sbdf)))
			return fail(t, rc, 0, "%s", strerror(-rc));
		if ((rc = rd_empty(t, "d")))
			return rc;
	}
	return 0;
}

/* After </pvhdev-trace> only comments may follow (libxml2 refuses
 * anything else itself). */
static int rd_eof(struct pvhdev_trace *t)
{
	char buf[64];
	int type = rd_node(t);

	if (type > 0)
		return bad(t, "expected end of file, got %s", what(t, type, buf));
	return type;
}

/* The next access of the trace into a; ACC_END at </pvhdev-trace>. */
static int rd_access(struct pvhdev_trace *t, struct acc *a)
{
	struct acc_parse p = { .a = a };
	const char *name;
	char buf[64];
	int type = rd_node(t), rc;

	memset(a, 0, sizeof(*a));
	if (type < 0)
		return type;
	a->line = t->cur_line;
	if (type == XML_READER_TYPE_END_ELEMENT) {
		/* Children's end tags are eaten by rd_empty / rd_enum. */
		a->kind = ACC_END;
		t->at_end = true;
		return rd_eof(t);
	}
	if (type != XML_READER_TYPE_ELEMENT)
		return bad(t, "expected an access, got %s", what(t, type, buf));
	name = (const char *)xmlTextReaderConstName(t->r);
	for (a->kind = ACC_R; a->kind < ACC_END; a->kind++)
		if (!strcmp(name, specs[a->kind].name))
			break;
	if (a->kind == ACC_END)
		return bad(t, "unexpected element %s", what(t, type, buf));
	if ((rc = rd_attrs(t, specs[a->kind].name, acc_attr, &p)) ||
	    (rc = acc_check(t, &p)))
		return rc;
	return a->kind == ACC_ENUM ? rd_enum(t) : rd_empty(t, specs[a->kind].name);
}

/* ---- Reading: the header ---- */

enum { SEEN_FORMAT = 1, SEEN_PVHDEV = 2, SEEN_SOURCE = 4, SEEN_NAME = 8,
       SEEN_HOOKS = 16 };

static int nomem(struct pvhdev_trace *t)
{
	return fail(t, -ENOMEM, 0, "%s", strerror(ENOMEM));
}

static int root_attr(struct pvhdev_trace *t, const char *elem,
                     const char *name, const char *val, void *arg)
{
	unsigned *seen = arg;

	if (!strcmp(name, "format")) {
		*seen |= SEEN_FORMAT;
		if (strcmp(val, "1"))
			return bad(t, "<%s>: format \"%.*s\" is not one this pvhdev "
			           "reads (%u)", elem, TRACE_QUOTE_MAX, val,
			           PVHDEV_TRACE_FORMAT);
		return 0;
	}
	if (!strcmp(name, "pvhdev")) {
		*seen |= SEEN_PVHDEV;
		return keep(t, STR_PVHDEV, &t->info.pvhdev, val) ? nomem(t) : 0;
	}
	return bad(t, "<%s>: unexpected attribute %.*s", elem, TRACE_QUOTE_MAX,
	           name);
}

/* Free-form: source and note are kept, other attributes ignored. */
static int platform_attr(struct pvhdev_trace *t, const char *elem,
                         const char *name, const char *val, void *arg)
{
	unsigned *seen = arg;

	if (!strcmp(name, "source")) {
		*seen |= SEEN_SOURCE;
		return keep(t, STR_SOURCE, &t->info.source, val) ? nomem(t) : 0;
	}
	if (!strcmp(name, "note"))
		return keep(t, STR_NOTE, &t->info.note, val) ? nomem(t) : 0;
	return 0;
}

/* hooks="mmio_read mmio_write enumerate": the optional hooks the
 * recorded backend had; pvhdev_trace_backend() gets only those. */
static int parse_hooks(struct pvhdev_trace *t, const char *elem, const char *s)
{
	t->ops.mmio_read = NULL;
	t->ops.mmio_write = NULL;
	t->ops.enumerate = NULL;
	while (*s) {
		size_t n = strcspn(s, " \t\r\n");
		if (n == 9 && !strncmp(s, "mmio_read", n))
			t->ops.mmio_read = pvhdev_trace_ops.mmio_read;
		else if (n == 10 && !strncmp(s, "mmio_write", n))
			t->ops.mmio_write = pvhdev_trace_ops.mmio_write;
		else if (n == 9 && !strncmp(s, "enumerate", n))
			t->ops.enumerate = pvhdev_trace_ops.enumerate;
		else if (n)
			return bad(t, "<%s> attribute hooks: unknown hook \"%.*s\"",
			           elem, (int)(n < TRACE_QUOTE_MAX ? n : TRACE_QUOTE_MAX),
			           s);
		s += n;
		s += strspn(s, " \t\r\n");
	}
	return 0;
}

static int backend_attr(struct pvhdev_trace *t, const char *elem,
                        const char *name, const char *val, void *arg)
{
	unsigned *seen = arg;

	if (!strcmp(name, "name")) {
		*seen |= SEEN_NAME;
		return keep(t, STR_BACKEND, &t->info.backend, val) ? nomem(t) : 0;
	}
	if (!strcmp(name, "hooks")) {
		*seen |= SEEN_HOOKS;
		return parse_hooks(t, elem, val);
	}
	return bad(t, "<%s>: unexpected attribute %.*s", elem, TRACE_QUOTE_MAX,
	           name);
}

/* Element `name` with attributes through fn; those in `need` must be
 * there (named in order in need_names, one per bit). */
static int rd_header_elem(struct pvhdev_trace *t, const char *name, attr_fn fn,
                          unsigned need, const char *const need_names[])
{
	unsigned seen = 0;
	int rc;

	if ((rc = rd_expect(t, name)) || (rc = rd_attrs(t, name, fn, &seen)))
		return rc;
	for (unsigned i = 0; need >> i; i++)
		if ((need >> i & 1) && !(seen >> i & 1))
			return bad(t, "<%s>: missing attribute %s", name, need_names[i]);
	return 0;
}

/*
 *   <pvhdev-trace format="1" pvhdev="VERSION">
 *     <platform source="..." [note="..."] [free-form attributes]/>
 *     <backend name="..." hooks="..."/>
 */
static int rd_header(struct pvhdev_trace *t)
{
	static const char *const names[] = { "format", "pvhdev", "source",
	                                     "name", "hooks" };
	int rc, empty;

	if ((rc = rd_header_elem(t, TRACE_ROOT, root_attr,
	                         SEEN_FORMAT | SEEN_PVHDEV, names)))
		return rc;
	if ((empty = xmlTextReaderIsEmptyElement(t->r)))
		return empty < 0 ? rd_broken(t)
		                 : bad(t, "expected <platform>, got <%s/>", TRACE_ROOT);
	if ((rc = rd_header_elem(t, "platform", platform_attr, SEEN_SOURCE, names)) ||
	    (rc = rd_empty(t, "platform")) ||
	    (rc = rd_header_elem(t, "backend", backend_attr,
	                         SEEN_NAME | SEEN_HOOKS, names)))
		return rc;
	return rd_empty(t, "backend");
}

/* ---- Replay ---- */

static bool acc_same(const struct acc *exp, const struct acc *act)
{
	if (exp->kind != act->kind)
		return false;
	if (exp->kind == ACC_ENUM)
		return true;
	if (is_cfg(exp->kind) && exp->sbdf != act->sbdf)
		return false;
	if (exp->addr != act->addr || exp->size != act->size)
		return false;
	return !is_write(exp->kind) || exp->val == act->val;
}

/* exp: what the trace holds; act: the call, NULL when the replay ended. */
static int diverge(struct pvhdev_trace *t, const struct acc *exp,
                   const struct acc *act)
{
	char e[TRACE_ELEM_MAX], g[TRACE_ELEM_MAX];

	return fail(t, -EPROTO, exp->line, "access %llu: expected %s, got %s",
	            (unsigned long long)t->cnt.accesses + 1, acc_str(exp, e),
	            act ? acc_str(act, g) : "end of replay");
}

/* Strict: the next access of the trace, which must be act. */
static int strict_next(struct pvhdev_trace *t, const struct acc *act,
                       struct acc *exp)
{
	int rc;

	if (t->err)
		return t->err;
	if ((rc = rd_access(t, exp)))
		return rc;
	if (!acc_same(exp, act))
		return diverge(t, exp, act);
	t->cnt.line = exp->line;
	count(t, exp);
	return 0;
}

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finaliser: every key bit reaches every hash bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Relaxed: the slot of a's key, or the empty one where it would go. */
static struct slot *tab_slot(const struct pvhdev_trace *t, const struct acc *a)
{
	bool mmio = !is_cfg(a->kind);
	uint64_t h = mix(a->addr ^ mix((uint64_t)a->sbdf << 8 | a->size << 1 | mmio));

	for (size_t i = h & t->tab_mask;; i = (i + 1) & t->tab_mask) {
		struct slot *s = &t->tab[i];
		if (!s->size || (s->mmio == mmio && s->sbdf == a->sbdf &&
		                 s->addr == a->addr && s->size == a->size))
			return s;
	}
}

/* Doubles the table (or makes the first one) and rehashes. */
static int tab_grow(struct pvhdev_trace *t)
{
	size_t old = t->tab ? t->tab_mask + 1 : 0, cap = old ? 2 * old : TRACE_TAB_MIN;
	struct slot *prev = t->tab;

	if (!(t->tab = calloc(cap, sizeof(*t->tab)))) {
		t->tab = prev;
		return -ENOMEM;
	}
	t->tab_mask = cap - 1;
	for (size_t i = 0; i < old; i++) {
		if (!prev[i].size)
			continue;
		struct acc a = {
			.kind = prev[i].mmio ? ACC_MR : ACC_R, .sbdf = prev[i].sbdf,
			.addr = prev[i].addr, .size = prev[i].size,
		};
		*tab_slot(t, &a) = prev[i];
	}
	free(prev);
	return 0;
}

/* Relaxed: a read's answer becomes the last one for its key. */
static int tab_put(struct pvhdev_trace *t, const struct acc *a)
{
	struct slot *s;

	/* At most half full: probes stay short. */
	if ((!t->tab || 2 * (t->cnt.keys + 1) > t->tab_mask + 1) && tab_grow(t))
		return nomem(t);
	s = tab_slot(t, a);
	if (!s->size)
		t->cnt.keys++;
	*s = (struct slot){
		.addr = a->addr, .sbdf = a->sbdf, .size = (uint8_t)a->size,
		.mmio = !is_cfg(a->kind), .rc = a->rc,
		.val = a->has_val && !a->rc ? a->val : ones(a->size),
	};
	return 0;
}

/* Relaxed open: the whole trace into the table; the reader then goes. */
static int relaxed_load(struct pvhdev_trace *t)
{
	struct acc a;
	int rc;

	while (!(rc = rd_access(t, &a)) && a.kind != ACC_END) {
		if (a.kind == ACC_ENUM)
			t->enum_rc = a.rc; /* t->devs holds its list */
		else if (!is_write(a.kind) && (rc = tab_put(t, &a)))
			return rc;
	}
	t->cnt.line = a.line;
	xmlFreeTextReader(t->r);
	t->r = NULL;
	return rc;
}

/* A read in either replay mode: *val is all-ones unless answered. */
static int play_read(struct pvhdev_trace *t, const struct acc *act,
                     uint64_t *val)
{
	struct acc exp;
	int rc;

	*val = ones(act->size);
	if (t->finished)
		return t->err ? t->err : -EIO;
	if (t->mode == PVHDEV_TRACE_STRICT) {
		if ((rc = strict_next(t, act, &exp)))
			return rc;
		if (!exp.rc && exp.has_val)
			*val = exp.val;
		return exp.rc;
	}
	count(t, act);
	struct slot *s = t->tab ? tab_slot(t, act) : NULL;
	if (!s || !s->size) {
		t->cnt.misses++;
		return 0;
	}
	*val = s->val;
	return s->rc;
}

static int play_write(struct pvhdev_trace *t, const struct acc *act)
{
	struct acc exp;
	int rc;

	if (t->finished)
		return t->err ? t->err : -EIO;
	if (t->mode == PVHDEV_TRACE_RELAXED) {
		count(t, act);
		return 0;
	}
	return (rc = strict_next(t, act, &exp)) ? rc : exp.rc;
}

static int play_enumerate(struct pvhdev_trace *t, pvhdev_enum_fn fn, void *arg)
{
	struct acc act = { .kind = ACC_ENUM }, exp;
	int rc = 0;

	if (t->finished)
		return t->err ? t->err : -EIO;
	if (t->mode == PVHDEV_TRACE_STRICT)
		return (rc = strict_next(t, &act, &exp)) ? rc
		                                         : devs_run(t, fn, arg, exp.rc);
	/* Relaxed: the list stays for the next call. */
	count(t, &act);
	for (size_t i = 0; i < t->nr_devs && !rc; i++)
		rc = fn(arg, t->devs[i]);
	return rc ? rc : t->enum_rc;
}

/* ---- Public calls ---- */

static int rd_open(struct pvhdev_trace *t)
{
	struct stat st;
	int err;

	t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0) {
		err = errno;
		return fail(t, -err, 0, "cannot open: %s", strerror(err));
	}
	/* read(2) of a directory fails only later, inside libxml2. */
	if (fstat(t->fd, &st) == 0 && S_ISDIR(st.st_mode))
		return fail(t, -EISDIR, 0, "cannot read: %s", strerror(EISDIR));
	/* The reader owns the descriptor from here, even when it fails.
	 * No network, no DTD loading, no entity substitution. */
	t->r = xmlReaderForIO(io_read, io_rclose, t, t->path, NULL,
	                      XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (!t->r)
		return nomem(t);
	xmlTextReaderSetStructuredErrorHandler(t->r, on_xml_error, t);
	return 0;
}

int pvhdev_trace_replay_open(const char *path, enum pvhdev_trace_mode mode,
                             struct pvhdev_trace **out, char *err,
                             size_t err_len)
{
	struct pvhdev_trace *t;
	int rc;

	if (err && err_len)
		err[0] = '\0';
	if (!path || !out || (err_len && !err) ||
	    (mode != PVHDEV_TRACE_STRICT && mode != PVHDEV_TRACE_RELAXED))
		return -EINVAL;
	*out = NULL;
	if (!(t = trace_new(path, mode)))
		return -ENOMEM;
	if ((rc = rd_open(t)) || (rc = rd_header(t)) ||
	    (mode == PVHDEV_TRACE_RELAXED && (rc = relaxed_load(t)))) {
		if (err_len)
			snprintf(err, err_len, "%s", t->msg);
		trace_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static void rec_finish(struct pvhdev_trace *t)
{
	wr_check(t, xmlTextWriterEndDocument(t->w));
	wr_check(t, xmlTextWriterFlush(t->w));
	xmlFreeTextWriter(t->w); /* io_close: close(2)'s error counts too */
	t->w = NULL;
	rec_check(t);
}

/* The replay is over: the trace must be too. */
static void strict_finish(struct pvhdev_trace *t)
{
	struct acc exp;

	if (!t->err && !t->at_end && !rd_access(t, &exp) && exp.kind != ACC_END)
		diverge(t, &exp, NULL);
	xmlFreeTextReader(t->r);
	t->r = NULL;
}

int pvhdev_trace_finish(struct pvhdev_trace *t)
{
	if (!t)
		return -EINVAL;
	if (t->finished)
		return t->err;
	t->finished = true;
	if (t->mode == PVHDEV_TRACE_RECORD)
		rec_finish(t);
	else if (t->mode == PVHDEV_TRACE_STRICT)
		strict_finish(t);
	return t->err;
}

int pvhdev_trace_close(struct pvhdev_trace *t)
{
	int rc;

	if (!t)
		return 0;
	rc = pvhdev_trace_finish(t);
	trace_free(t);
	return rc;
}

const struct pvhdev_backend_ops *pvhdev_trace_backend(const struct pvhdev_trace *t)
{
	return t ? &t->ops : NULL;
}

int pvhdev_trace_mark_shadow(struct pvhdev_trace *t)
{
	if (!t || t->mode != PVHDEV_TRACE_RECORD)
		return -EINVAL;
	t->shadow_next = true;
	return 0;
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

/* ---- Hooks: record or replay, by mode ---- */

static int trace_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                          unsigned size, uint32_t *val)
{
	struct pvhdev_trace *t = ctx;
	struct acc act = { .kind = ACC_R, .sbdf = sbdf, .addr = reg, .size = size };
	uint64_t v;
	int rc;

	if (t->mode == PVHDEV_TRACE_RECORD && !t->finished)
		return rec_cfg_read(t, sbdf, reg, size, val);
	rc = play_read(t, &act, &v);
	*val = (uint32_t)v;
	return rc;
}

static int trace_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                           unsigned size, uint32_t val)
{
	struct pvhdev_trace *t = ctx;
	struct acc act = {
		.kind = ACC_W, .sbdf = sbdf, .addr = reg, .size = size,
		.val = val & ones(size), .has_val = true,
	};

	if (t->mode == PVHDEV_TRACE_RECORD && !t->finished)
		return rec_cfg_write(t, sbdf, reg, size, val);
	return play_write(t, &act);
}

static int trace_mmio_read(void *ctx, uint64_t addr, unsigned size,
                           uint64_t *val)
{
	struct pvhdev_trace *t = ctx;
	struct acc act = { .kind = ACC_MR, .addr = addr, .size = size };

	if (t->mode == PVHDEV_TRACE_RECORD && !t->finished)
		return rec_mmio_read(t, addr, size, val);
	return play_read(t, &act, val);
}

static int trace_mmio_write(void *ctx, uint64_t addr, unsigned size,
                            uint64_t val)
{
	struct pvhdev_trace *t = ctx;
	struct acc act = {
		.kind = ACC_MW, .addr = addr, .size = size,
		.val = val & ones(size), .has_val = true,
	};

	if (t->mode == PVHDEV_TRACE_RECORD && !t->finished)
		return rec_mmio_write(t, addr, size, val);
	return play_write(t, &act);
}

static int trace_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	struct pvhdev_trace *t = ctx;

	if (t->mode == PVHDEV_TRACE_RECORD && !t->finished)
		return rec_enumerate(t, fn, arg);
	return play_enumerate(t, fn, arg);
}

/* close is NULL: the trace belongs to whoever opened it, who closes it
 * with pvhdev_trace_close() after the domain is gone (and reads the
 * report in between).  pvhdev_trace_backend() hands out a copy of this
 * table without the hooks the recorded backend lacked. */
const struct pvhdev_backend_ops pvhdev_trace_ops = {
	.name = "trace",
	.cfg_read = trace_cfg_read,
	.cfg_write = trace_cfg_write,
	.mmio_read = trace_mmio_read,
	.mmio_write = trace_mmio_write,
	.enumerate = trace_enumerate,
	.close = NULL,
};
