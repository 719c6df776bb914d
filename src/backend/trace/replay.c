/* SPDX-License-Identifier: MIT */
/*
 * Replay (pvhdev_trace_replay_open(); docs/trace-format.md, "Modes"):
 * a backend whose hardware is a trace file, no other backend behind it.
 * Two modes, one static const table each, picked at open:
 *
 *   strict   each call must be the next access of the file (reader.c
 *            reads it as the call comes): same kind, SBDF, offset or
 *            address, size, and for writes the same value.  Reads get
 *            the recorded value and rc, writes the recorded rc.  The
 *            first divergence is the sticky error (-EPROTO): that call
 *            and every later one fail with it, reads answer all-ones.
 *            pvhdev_trace_finish() checks that the replay used up the
 *            trace.
 *   relaxed  open reads the whole file into a hash table of the last
 *            value read per key, (SBDF, offset, size) for config and
 *            (address, size) for MMIO, and frees the reader.  Reads
 *            answer that value and its rc, or all-ones when the key was
 *            never read (counters.misses); writes are accepted unchecked
 *            and change nothing; enumerate answers the last recorded
 *            enumeration and its rc.
 *
 * A divergence reads "FILE:LINE: access N: expected <ELEM>, got <ELEM>"
 * with the expected element as the file holds it and the call spelt
 * the same way (format.c); "end of trace" / "end of replay" when one of
 * the two ended first.
 */
#include "backend/trace/trace.h"

#define TRACE_TAB_MIN 64u    /* relaxed table slots to start with */

/* The call a hook was given, as an access. */
static struct acc call(enum acc_kind kind, pvhdev_sbdf_t sbdf, uint64_t addr,
                       unsigned size, uint64_t val)
{
	return (struct acc){
		.kind = kind, .sbdf = sbdf, .addr = addr, .size = size,
		.val = is_write(kind) ? val & ones(size) : 0,
		.has_val = is_write(kind),
	};
}

/* How each mode answers a read: *val all-ones unless answered. */
typedef int (*read_fn)(struct pvhdev_trace *t, const struct acc *act,
                       uint64_t *val);

/* A config read answered by fn. */
static int cfg_read(read_fn fn, struct pvhdev_trace *t, pvhdev_sbdf_t sbdf,
                    unsigned reg, unsigned size, uint32_t *val)
{
	struct acc act = call(ACC_R, sbdf, reg, size, 0);
	uint64_t v;
	int rc = fn(t, &act, &v);

	*val = (uint32_t)v;
	return rc;
}

/* ---- Strict ---- */

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

/* The next access of the trace, which must be act. */
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

/* A read: *val is the recorded value, else all-ones. */
static int strict_read(struct pvhdev_trace *t, const struct acc *act,
                       uint64_t *val)
{
	struct acc exp;
	int rc;

	*val = ones(act->size);
	if ((rc = strict_next(t, act, &exp)))
		return rc;
	if (!exp.rc && exp.has_val)
		*val = exp.val;
	return exp.rc;
}

static int strict_write(struct pvhdev_trace *t, const struct acc *act)
{
	struct acc exp;
	int rc;

	return (rc = strict_next(t, act, &exp)) ? rc : exp.rc;
}

static int strict_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                           unsigned size, uint32_t *val)
{
	return cfg_read(strict_read, ctx, sbdf, reg, size, val);
}

static int strict_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                            unsigned size, uint32_t val)
{
	struct acc act = call(ACC_W, sbdf, reg, size, val);

	return strict_write(ctx, &act);
}

static int strict_mmio_read(void *ctx, uint64_t addr, unsigned size,
                            uint64_t *val)
{
	struct acc act = call(ACC_MR, 0, addr, size, 0);

	return strict_read(ctx, &act, val);
}

static int strict_mmio_write(void *ctx, uint64_t addr, unsigned size,
                             uint64_t val)
{
	struct acc act = call(ACC_MW, 0, addr, size, val);

	return strict_write(ctx, &act);
}

static int strict_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	struct pvhdev_trace *t = ctx;
	struct acc act = { .kind = ACC_ENUM }, exp;
	int rc;

	return (rc = strict_next(t, &act, &exp)) ? rc
	                                         : devs_run(t, fn, arg, exp.rc);
}

/* The replay is over: the trace must be too. */
void pvhdev__trace_strict_finish(struct pvhdev_trace *t)
{
	struct acc exp;

	if (!t->err && !t->rd.at_end && !rd_access(t, &exp) && exp.kind != ACC_END)
		diverge(t, &exp, NULL);
	rd_close(t);
}

/* ---- Relaxed: the last answer per key ---- */

/* One key and its answer.  size 0: empty. */
struct trace_slot {
	uint64_t addr; /* config offset or MMIO address, bytes */
	uint64_t val;
	pvhdev_sbdf_t sbdf;
	int rc;
	uint8_t size;  /* bytes */
	bool mmio;
};

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finaliser: every key bit reaches every hash bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The slot of a's key, or the empty one where it would go. */
static struct trace_slot *tab_slot(const struct trace_tab *tab,
                                   const struct acc *a)
{
	bool mmio = !is_cfg(a->kind);
	uint64_t h = mix(a->addr ^ mix((uint64_t)a->sbdf << 8 | a->size << 1 | mmio));

	for (size_t i = h & tab->mask;; i = (i + 1) & tab->mask) {
		struct trace_slot *s = &tab->slots[i];
		if (!s->size || (s->mmio == mmio && s->sbdf == a->sbdf &&
		                 s->addr == a->addr && s->size == a->size))
			return s;
	}
}

/* Doubles the table (or makes the first one) and rehashes. */
static int tab_grow(struct trace_tab *tab)
{
	size_t old = tab->slots ? tab->mask + 1 : 0;
	size_t cap = old ? 2 * old : TRACE_TAB_MIN;
	struct trace_slot *prev = tab->slots;

	if (!(tab->slots = calloc(cap, sizeof(*tab->slots)))) {
		tab->slots = prev;
		return -ENOMEM;
	}
	tab->mask = cap - 1;
	for (size_t i = 0; i < old; i++) {
		if (!prev[i].size)
			continue;
		struct acc a = {
			.kind = prev[i].mmio ? ACC_MR : ACC_R, .sbdf = prev[i].sbdf,
			.addr = prev[i].addr, .size = prev[i].size,
		};
		*tab_slot(tab, &a) = prev[i];
	}
	free(prev);
	return 0;
}

/* A read's answer becomes the last one for its key. */
static int tab_put(struct pvhdev_trace *t, const struct acc *a)
{
	struct trace_slot *s;

	/* At most half full: probes stay short. */
	if ((!t->tab.slots || 2 * (t->cnt.keys + 1) > t->tab.mask + 1) &&
	    tab_grow(&t->tab))
		return nomem(t);
	s = tab_slot(&t->tab, a);
	if (!s->size)
		t->cnt.keys++;
	*s = (struct trace_slot){
		.addr = a->addr, .sbdf = a->sbdf, .size = (uint8_t)a->size,
		.mmio = !is_cfg(a->kind), .rc = a->rc,
		.val = a->has_val && !a->rc ? a->val : ones(a->size),
	};
	return 0;
}

/* At open: the whole trace into the table; the reader then goes. */
static int relaxed_load(struct pvhdev_trace *t)
{
	struct acc a;
	int rc;

	while (!(rc = rd_access(t, &a)) && a.kind != ACC_END) {
		if (a.kind == ACC_ENUM)
			t->tab.enum_rc = a.rc; /* t->devs holds its list */
		else if (!is_write(a.kind) && (rc = tab_put(t, &a)))
			return rc;
	}
	t->cnt.line = a.line;
	rd_close(t);
	return rc;
}

/* A read: *val is the last answer for its key, else all-ones. */
static int relaxed_read(struct pvhdev_trace *t, const struct acc *act,
                        uint64_t *val)
{
	struct trace_slot *s = t->tab.slots ? tab_slot(&t->tab, act) : NULL;

	count(t, act);
	if (!s || !s->size) {
		t->cnt.misses++;
		*val = ones(act->size);
		return 0;
	}
	*val = s->val;
	return s->rc;
}

static int relaxed_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                            unsigned size, uint32_t *val)
{
	return cfg_read(relaxed_read, ctx, sbdf, reg, size, val);
}

static int relaxed_mmio_read(void *ctx, uint64_t addr, unsigned size,
                             uint64_t *val)
{
	struct acc act = call(ACC_MR, 0, addr, size, 0);

	return relaxed_read(ctx, &act, val);
}

/* Writes are counted, nothing else. */
static int relaxed_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                             unsigned size, uint32_t val)
{
	struct acc act = { .kind = ACC_W };

	count(ctx, &act);
	return 0;
}

static int relaxed_mmio_write(void *ctx, uint64_t addr, unsigned size,
                              uint64_t val)
{
	struct acc act = { .kind = ACC_MW };

	count(ctx, &act);
	return 0;
}

/* The list stays for the next call. */
static int relaxed_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	struct pvhdev_trace *t = ctx;
	struct acc act = { .kind = ACC_ENUM };
	int rc = 0;

	count(t, &act);
	for (size_t i = 0; i < t->nr_devs && !rc; i++)
		rc = fn(arg, t->devs[i]);
	return rc ? rc : t->tab.enum_rc;
}

/* ---- Open ---- */

static const struct pvhdev_backend_ops strict_ops, relaxed_ops;

int pvhdev_trace_replay_open(const char *path, enum pvhdev_trace_mode mode,
                             struct pvhdev_trace **out, char *err,
                             size_t err_len)
{
	bool relaxed = mode == PVHDEV_TRACE_RELAXED;
	struct pvhdev_trace *t;
	int rc;

	if (err && err_len)
		err[0] = '\0';
	if (!path || !out || (err_len && !err) ||
	    (mode != PVHDEV_TRACE_STRICT && !relaxed))
		return -EINVAL;
	*out = NULL;
	if (!(t = pvhdev__trace_new(path, mode, relaxed ? &relaxed_ops : &strict_ops)))
		return -ENOMEM;
	if ((rc = pvhdev__trace_read_open(t)) || (relaxed && (rc = relaxed_load(t)))) {
		if (err_len)
			snprintf(err, err_len, "%s", t->msg);
		pvhdev__trace_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* The two tables; the trace's own table hands every call to one of
 * them until pvhdev_trace_finish(). */
static const struct pvhdev_backend_ops strict_ops = {
	.name = "trace",
	.cfg_read = strict_cfg_read,
	.cfg_write = strict_cfg_write,
	.mmio_read = strict_mmio_read,
	.mmio_write = strict_mmio_write,
	.enumerate = strict_enumerate,
};

static const struct pvhdev_backend_ops relaxed_ops = {
	.name = "trace",
	.cfg_read = relaxed_cfg_read,
	.cfg_write = relaxed_cfg_write,
	.mmio_read = relaxed_mmio_read,
	.mmio_write = relaxed_mmio_write,
	.enumerate = relaxed_enumerate,
};
