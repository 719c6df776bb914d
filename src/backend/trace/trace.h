/* SPDX-License-Identifier: MIT */
/*
 * src/backend/trace's private header: what the files of the trace
 * backend share (include/pvhdev/trace.h; docs/trace-format.md).
 *
 *   trace.c   the trace object, its messages, the calls every mode
 *             shares, and the ops tables a domain is given
 *   format.c  format 1's elements, attributes and values: one table
 *             for writing, reading and reports
 *   record.c  record mode: each hook calls the wrapped backend, then
 *             streams one element
 *   xml.c     the reader's XML layer: nodes with the lines they start
 *             on, libxml2's errors as FILE:LINE messages
 *   reader.c  the reader: the header, then one access at a time, each
 *             mistake in the format one FILE:LINE message
 *   replay.c  strict and relaxed replay over the reader
 *
 * How a call reaches its mode.  The domain holds the table that
 * pvhdev_trace_backend() picks by the recorded backend's optional hooks
 * (trace.c, all of them static const).  Each hook there hands the call
 * to t->ops: the static const table of the trace's mode (record.c,
 * replay.c), chosen once at open, and swapped for trace.c's table of a
 * finished trace by pvhdev_trace_finish().  No hook tests the mode.
 *
 * Functions used across the files are pvhdev__trace_NAME; the macros at
 * the end keep their short names.  This is a host part: libc, libxml2.
 */
#ifndef PVHDEV_BACKEND_TRACE_H
#define PVHDEV_BACKEND_TRACE_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
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
#define TRACE_ATTR_MAX 24    /* bytes of one formatted attribute value */
#define TRACE_RC_MAX 4095    /* largest errno a trace may record */
#define TRACE_QUOTE_MAX 40   /* bytes of a bad value quoted in a message */
#define TRACE_NODE_MAX 64    /* bytes of a node named in a message */

/* ---- Accesses (format.c) ---- */

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

static inline uint64_t ones(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static inline bool is_cfg(enum acc_kind k)
{
	return k == ACC_R || k == ACC_W;
}

static inline bool is_write(enum acc_kind k)
{
	return k == ACC_W || k == ACC_MW;
}

/* The attributes of an access element. */
enum attr_id { AT_S, AT_O, AT_A, AT_N, AT_V, AT_RC, AT_SHADOW, AT__COUNT };
#define B(id) (1u << (id))

/* An access element: its name, the attributes (B(AT_*)) it may and
 * must carry. */
struct elem_spec {
	const char *name;
	unsigned allowed, required;
};

extern const char *const pvhdev__trace_attr_names[AT__COUNT];
extern const struct elem_spec pvhdev__trace_specs[ACC_END];

/* Formats attribute id of a into buf; false when a does not carry it. */
bool pvhdev__trace_attr_fmt(const struct acc *a, enum attr_id id,
                            char buf[TRACE_ATTR_MAX]);
/* "<w s=... v=.../>" for a report; "end of trace" for the end. */
const char *pvhdev__trace_acc_str(const struct acc *a, char out[TRACE_ELEM_MAX]);

/* "0x" and hex digits.  -EINVAL: not that; -ERANGE: past 64 bits. */
int pvhdev__trace_parse_hex(const char *s, uint64_t *out);
/* "ssss:bb:dd.f", as pvhdev_sbdf_str() writes it: the whole form only. */
int pvhdev__trace_parse_sbdf(const char *s, pvhdev_sbdf_t *out);
/* A negative errno, "-1" to "-TRACE_RC_MAX". */
int pvhdev__trace_parse_rc(const char *s, int *out);

/* The optional hooks of a backend, as the header's hooks="..." names
 * them: bit i is pvhdev__trace_hook_names[i]. */
#define TRACE_NR_HOOKS 3
enum {
	TRACE_HOOK_MMIO_READ = 1u << 0,
	TRACE_HOOK_MMIO_WRITE = 1u << 1,
	TRACE_HOOK_ENUMERATE = 1u << 2,
	TRACE_HOOKS_ALL = (1u << TRACE_NR_HOOKS) - 1,
};
extern const char *const pvhdev__trace_hook_names[TRACE_NR_HOOKS];

/* ---- The trace (trace.c) ---- */

/* Record mode's state (record.c). */
struct trace_rec {
	const struct pvhdev_backend_ops *be; /* the wrapped backend */
	void *be_ctx;
	xmlTextWriterPtr w;
	int werr;                      /* first write error, -errno */
	bool shadow_all, shadow_next;
};

/* The reader's state (xml.c; at_end: reader.c). */
struct trace_rd {
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
	bool at_end;                   /* </pvhdev-trace> was read */
};

/* Relaxed replay's model (replay.c): the last answer read per key. */
struct trace_tab {
	struct trace_slot *slots;      /* mask + 1 of them; NULL: none yet */
	size_t mask;
	int enum_rc;                   /* rc of the last enumeration */
};

/* Strings of the header, in t->strs[]. */
enum { STR_PVHDEV, STR_SOURCE, STR_NOTE, STR_BACKEND, STR__COUNT };

struct pvhdev_trace {
	enum pvhdev_trace_mode mode;
	/* The mode's hooks, ctx being this trace; once finished, trace.c's
	 * table that answers every call with the error. */
	const struct pvhdev_backend_ops *ops;
	unsigned hooks;                /* TRACE_HOOK_*: pvhdev_trace_backend()'s */
	char *path;
	int fd;                        /* the file; -1: closed */
	struct pvhdev_trace_info info;
	char *strs[STR__COUNT];        /* owned copies behind info */
	struct pvhdev_trace_counters cnt;
	int err;                       /* first error, sticky; 0: none */
	bool finished;
	char msg[TRACE_MSG_MAX];
	pvhdev_sbdf_t *devs;           /* the enumeration just read or recorded */
	size_t nr_devs, cap_devs;
	struct trace_rec rec;
	struct trace_rd rd;
	struct trace_tab tab;
};

/* A new trace of mode on path whose calls go to ops, the mode's table;
 * every optional hook on until the header says otherwise.  NULL when
 * out of memory. */
struct pvhdev_trace *pvhdev__trace_new(const char *path,
                                       enum pvhdev_trace_mode mode,
                                       const struct pvhdev_backend_ops *ops);
void pvhdev__trace_free(struct pvhdev_trace *t);

/* Keeps the first error: "FILE:LINE: message" (no LINE when 0).
 * Returns the error that is now sticky. */
int pvhdev__trace_vfail(struct pvhdev_trace *t, int err, uint64_t line,
                        const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
int pvhdev__trace_fail(struct pvhdev_trace *t, int err, uint64_t line,
                       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Out of memory, as the sticky error. */
int pvhdev__trace_nomem(struct pvhdev_trace *t);

/* Keeps a copy of s in t->strs[i]; *dst points at it.  NULL stays NULL. */
int pvhdev__trace_keep(struct pvhdev_trace *t, unsigned i, const char **dst,
                       const char *s);
/* One more access of a's kind in the counters. */
void pvhdev__trace_count(struct pvhdev_trace *t, const struct acc *a);

/* Appends to the enumeration being read or recorded. */
int pvhdev__trace_devs_push(struct pvhdev_trace *t, pvhdev_sbdf_t sbdf);
/* Calls fn for each device of the enumeration just read or recorded,
 * then forgets it; returns fn's error, else rc. */
int pvhdev__trace_devs_run(struct pvhdev_trace *t, pvhdev_enum_fn fn,
                           void *arg, int rc);

/* ---- What pvhdev_trace_finish() does per mode (record.c, replay.c) ---- */

/* Closes the document and the file; a write error of the whole
 * recording becomes the sticky error. */
void pvhdev__trace_record_finish(struct pvhdev_trace *t);
/* The replay is over: an access left in the trace is a divergence
 * ("got end of replay"); frees the reader. */
void pvhdev__trace_strict_finish(struct pvhdev_trace *t);

/* ---- The reader's XML layer (xml.c) ---- */

/* Opens t->path for reading with xmlTextReader. */
int pvhdev__trace_xml_open(struct pvhdev_trace *t);
/* Frees the reader, which closes the file. */
void pvhdev__trace_xml_close(struct pvhdev_trace *t);
/* A malformed trace, at the line of the node being read. */
int pvhdev__trace_bad(struct pvhdev_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The reader stopped: an I/O error, or the XML is not well-formed. */
int pvhdev__trace_xml_broken(struct pvhdev_trace *t);
/* The next node that matters: its type, 0 at the end of the file, or
 * the sticky error. */
int pvhdev__trace_xml_node(struct pvhdev_trace *t);
/* The node just read (of type), for a message: "<r>", "text"... */
const char *pvhdev__trace_xml_node_str(struct pvhdev_trace *t, int type,
                                       char buf[TRACE_NODE_MAX]);
/* Whether the node just read (of type) is element name. */
bool pvhdev__trace_xml_is_elem(struct pvhdev_trace *t, int type,
                               const char *name);
/* Reads the next node, which must be element name. */
int pvhdev__trace_xml_expect(struct pvhdev_trace *t, const char *name);
/* The element just read must have no content. */
int pvhdev__trace_xml_empty(struct pvhdev_trace *t, const char *name);

/* Takes one attribute of element elem: 0 or the sticky error. */
typedef int (*attr_fn)(struct pvhdev_trace *t, const char *elem,
                       const char *name, const char *val, void *arg);
/* Hands each attribute of the element just read to fn. */
int pvhdev__trace_xml_attrs(struct pvhdev_trace *t, const char *elem,
                            attr_fn fn, void *arg);

/* ---- The reader (reader.c) ---- */

/* Opens t->path and reads the header into t->info and t->hooks. */
int pvhdev__trace_read_open(struct pvhdev_trace *t);
/* The next access of the trace into a; ACC_END at </pvhdev-trace>.
 * An <enum>'s devices go to t->devs. */
int pvhdev__trace_read_access(struct pvhdev_trace *t, struct acc *a);

/* The short names the code uses. */
#define attr_names pvhdev__trace_attr_names
#define specs pvhdev__trace_specs
#define attr_fmt pvhdev__trace_attr_fmt
#define acc_str pvhdev__trace_acc_str
#define parse_hex pvhdev__trace_parse_hex
#define parse_sbdf pvhdev__trace_parse_sbdf
#define parse_rc pvhdev__trace_parse_rc
#define hook_names pvhdev__trace_hook_names
#define vfail pvhdev__trace_vfail
#define fail pvhdev__trace_fail
#define nomem pvhdev__trace_nomem
#define keep pvhdev__trace_keep
#define count pvhdev__trace_count
#define devs_push pvhdev__trace_devs_push
#define devs_run pvhdev__trace_devs_run
#define bad pvhdev__trace_bad
#define rd_broken pvhdev__trace_xml_broken
#define rd_node pvhdev__trace_xml_node
#define node_str pvhdev__trace_xml_node_str
#define is_elem pvhdev__trace_xml_is_elem
#define rd_expect pvhdev__trace_xml_expect
#define rd_empty pvhdev__trace_xml_empty
#define rd_attrs pvhdev__trace_xml_attrs
#define rd_close pvhdev__trace_xml_close
#define rd_access pvhdev__trace_read_access

#endif
