/* SPDX-License-Identifier: MIT */
/*
 * The trace backend (libpvhdev only, not the freestanding core): record
 * what a backend saw, replay it deterministically.  The file format,
 * the modes and the divergence report are in docs/trace-format.md.
 *
 *   struct pvhdev_trace           opaque: one trace file being written
 *                                 or read
 *   enum pvhdev_trace_mode        record, strict replay, relaxed replay
 *   struct pvhdev_trace_opts      what pvhdev_trace_record_open() writes
 *                                 into the header
 *   struct pvhdev_trace_info      what a trace's header says
 *   struct pvhdev_trace_counters  accesses so far, by kind
 *
 * Record: every backend call (config read/write, MMIO read/write,
 * enumeration) goes to the wrapped backend, and the call, its answer
 * and its return code are streamed to the file through libxml2's
 * xmlTextWriter.  Nothing is kept in memory.
 *
 * Strict replay: no other backend.  The file is streamed with
 * xmlTextReader; each call must be the next access in the trace: reads
 * get the recorded value, writes must carry the recorded value.  The
 * first divergence stops the replay: that call and every later one
 * return -EPROTO, and pvhdev_trace_error() says where and what.
 *
 * Relaxed replay: the whole file is read once at open; a config read
 * gets the last value recorded for its (SBDF, offset, size), an MMIO
 * read the last one for its (address, size), a key never recorded reads
 * all-ones; writes are accepted unchecked; enumeration returns the last
 * recorded one.  For traces used as device models.
 *
 * A malformed trace (not XML, cut short, an unknown element, a missing
 * attribute, a bad number) fails with -EINVAL and a "FILE:LINE: ..."
 * message: at open for everything relaxed mode reads and for the
 * header, else at the call that reaches it.
 *
 * Give the domain pvhdev_trace_backend(trace) and the trace itself as
 * its backend context.  The trace's close hook is NULL: free the domain
 * first, then pvhdev_trace_close().  The wrapped backend stays its
 * owner's: the trace never calls its close hook.
 */
#ifndef PVHDEV_TRACE_H
#define PVHDEV_TRACE_H

#include <pvhdev/backend.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The trace format this library writes and reads. */
#define PVHDEV_TRACE_FORMAT 1

struct pvhdev_trace;

enum pvhdev_trace_mode {
	PVHDEV_TRACE_RECORD,  /* only through pvhdev_trace_record_open() */
	PVHDEV_TRACE_STRICT,  /* every access in order, writes checked */
	PVHDEV_TRACE_RELAXED, /* reads by key, writes unchecked */
};

/* Flags of struct pvhdev_trace_opts. */
/* Every write is answered by a shadow, not the hardware (a read-only
 * --host recording): each w / mw element gets shadow="1". */
#define PVHDEV_TRACE_SHADOW_WRITES 0x1u

struct pvhdev_trace_opts {
	size_t size; /* sizeof(struct pvhdev_trace_opts): lets it grow */
	/* Where the devices come from, free-form: "lspci:FILE",
	 * "platform:FILE", "host".  NULL: "unknown". */
	const char *source;
	const char *note; /* free text, may be NULL */
	unsigned flags;   /* PVHDEV_TRACE_* */
};

struct pvhdev_trace_info {
	unsigned format;     /* PVHDEV_TRACE_FORMAT */
	const char *pvhdev;  /* version of the pvhdev that recorded it */
	const char *source;  /* as in struct pvhdev_trace_opts */
	const char *note;    /* NULL when the header has none */
	const char *backend; /* name of the backend that was recorded */
};

struct pvhdev_trace_counters {
	/* Calls recorded, or replayed without divergence, of every kind. */
	uint64_t accesses;
	uint64_t cfg_reads, cfg_writes, mmio_reads, mmio_writes, enums;
	uint64_t shadowed; /* writes marked shadow="1" */
	uint64_t misses;   /* relaxed: reads the trace had no value for */
	uint64_t keys;     /* relaxed: distinct read keys in the trace */
	/* Replay: XML line of the last access read (strict) or of the end
	 * of the trace (relaxed).  Record: 0. */
	uint64_t line;
};

/*
 * Creates path (truncating it) and writes the header.  ops/ctx is the
 * backend to wrap (cfg_read and cfg_write required).  opts may be NULL.
 * Returns -errno of creating the file, -EINVAL, -ENOMEM.
 */
PVHDEV_API int pvhdev_trace_record_open(const char *path,
                                        const struct pvhdev_backend_ops *ops, void *ctx,
                                        const struct pvhdev_trace_opts *opts,
                                        struct pvhdev_trace **out);

/*
 * Opens path for replay in mode PVHDEV_TRACE_STRICT or
 * PVHDEV_TRACE_RELAXED and reads its header (relaxed: the whole file).
 * On failure returns -errno of opening the file, -EINVAL for a
 * malformed trace, -ENOMEM, and writes one line to err ("FILE:LINE:
 * what was expected"), NUL-terminated, when err_len > 0.
 */
PVHDEV_API int pvhdev_trace_replay_open(const char *path, enum pvhdev_trace_mode mode,
                                        struct pvhdev_trace **out, char *err,
                                        size_t err_len);

/*
 * Ends the trace without freeing it, so the report stays readable.
 * Record: writes the closing tag and flushes; returns the first write
 * error (-errno) of the whole recording.  Strict replay: -EPROTO when
 * the trace holds accesses the replay did not make (the report names
 * the first), -EINVAL when the rest of the file is malformed, and the
 * replay's first error when it had one.  Relaxed: the first error.
 * Calling it again returns the same.
 */
PVHDEV_API int pvhdev_trace_finish(struct pvhdev_trace *t);

/* pvhdev_trace_finish(), unless done, then frees t; returns its result.
 * NULL is a no-op returning 0. */
PVHDEV_API int pvhdev_trace_close(struct pvhdev_trace *t);

/* The ops table for a domain over t: pvhdev_trace_ops with the optional
 * hooks the recorded backend lacked set to NULL, so the domain behaves
 * as it did over that backend (e.g. probes vendor IDs itself when there
 * was no enumerate hook).  Lives as long as t. */
PVHDEV_API const struct pvhdev_backend_ops *
pvhdev_trace_backend(const struct pvhdev_trace *t);

/*
 * Marks the write being recorded (when called from inside the wrapped
 * backend's write hook) or else the next one as answered by a shadow.
 * -EINVAL when t is not recording.
 */
PVHDEV_API int pvhdev_trace_mark_shadow(struct pvhdev_trace *t);

/*
 * The first error, "" when none.  A divergence reads
 *   FILE:LINE: access N: expected <ELEMENT>, got <ELEMENT>
 * where N counts accesses from 1, LINE is the XML line of the expected
 * one, "expected end of trace" means the trace ended first and "got end
 * of replay" that the replay ended first (pvhdev_trace_finish).
 * Lives until the next call on t.
 */
PVHDEV_API const char *pvhdev_trace_error(const struct pvhdev_trace *t);

/* The header; strings live as long as t. */
PVHDEV_API int pvhdev_trace_get_info(const struct pvhdev_trace *t,
                                     struct pvhdev_trace_info *out);
PVHDEV_API int pvhdev_trace_get_counters(const struct pvhdev_trace *t,
                                         struct pvhdev_trace_counters *out);

/* Every hook; ctx is a struct pvhdev_trace.  See pvhdev_trace_backend(). */
PVHDEV_API extern const struct pvhdev_backend_ops pvhdev_trace_ops;

#ifdef __cplusplus
}
#endif
#endif
