/* SPDX-License-Identifier: MIT */
/*
 * Scenarios: a dom0's guest accesses in QEMU's qtest command syntax,
 * mixed with expectations (docs/scenario-format.md).  The text is parsed
 * whole into steps first, so a malformed scenario never half-runs; then
 * the steps run against a domain, printing each access, its result and
 * the events it caused.
 *
 * Events are checked in windows.  A window opens at each guest access
 * and holds every event logged since then (drain included); before the
 * first access it holds everything the domain logged (its boot).  Within
 * a window, expect-event lines match events in log order, each event at
 * most once, so "map, then hw-write" checks the order as well.
 *
 * A waiver ("waive REASON" on the line before an expectation) says that
 * pvhdev is known to answer otherwise there, and why: a waived
 * expectation that fails is reported with its reason and the run goes
 * on; one that holds is reported as holding, so the waiver can go.
 */
#include "backend/scenario/scenario.h"

/* One command word: what it does and how many arguments it takes. */
static const struct cmd {
	const char *name;
	uint8_t op, size, nargs;
	const char *args; /* argument names, for error messages */
} cmds[] = {
	{ "outb", OP_OUT, 1, 2, "PORT VAL" },
	{ "outw", OP_OUT, 2, 2, "PORT VAL" },
	{ "outl", OP_OUT, 4, 2, "PORT VAL" },
	{ "inb", OP_IN, 1, 1, "PORT" },
	{ "inw", OP_IN, 2, 1, "PORT" },
	{ "inl", OP_IN, 4, 1, "PORT" },
	{ "writeb", OP_WRITE, 1, 2, "ADDR VAL" },
	{ "writew", OP_WRITE, 2, 2, "ADDR VAL" },
	{ "writel", OP_WRITE, 4, 2, "ADDR VAL" },
	{ "writeq", OP_WRITE, 8, 2, "ADDR VAL" },
	{ "readb", OP_READ, 1, 1, "ADDR" },
	{ "readw", OP_READ, 2, 1, "ADDR" },
	{ "readl", OP_READ, 4, 1, "ADDR" },
	{ "readq", OP_READ, 8, 1, "ADDR" },
	{ "expect", OP_EXPECT, 0, 1, "VAL" },
	{ "drain", OP_DRAIN, 0, 0, "" },
	{ "expect-event", OP_EXPECT_EVENT, 0, VARARGS, "EVENT" },
	{ "expect-no-event", OP_EXPECT_NO_EVENT, 0, 0, "" },
	{ "expect-mapped", OP_EXPECT_MAPPED, 0, 2, "GFN NR" },
	{ "expect-unmapped", OP_EXPECT_UNMAPPED, 0, 2, "GFN NR" },
	{ "waive", OP_WAIVE, 0, VARARGS, "REASON" },
	{ "mmcfg-add", OP_MMCFG_ADD, 0, 4, "ADDR SEG START_BUS END_BUS" },
	{ "dev-add", OP_DEV_ADD, 0, 1, "SBDF" },
	{ "dev-remove", OP_DEV_REMOVE, 0, 1, "SBDF" },
	{ "dev-hide", OP_DEV_HIDE, 0, 1, "SBDF" },
	{ "reset", OP_DEV_RESET, 0, 2, "SBDF KIND" },
	{ "plug", OP_PLUG, 0, 1, "SBDF" },
	{ "unplug", OP_UNPLUG, 0, 1, "SBDF" },
	/* qtest commands that reach no device pvhdev models: kept in the
	 * transcript as skipped, so a qtest log replays unchanged. */
	{ "clock_step", OP_SKIP, 0, VARARGS, "" },
	{ "clock_set", OP_SKIP, 0, VARARGS, "" },
	{ "irq_intercept_in", OP_SKIP, 0, VARARGS, "" },
	{ "irq_intercept_out", OP_SKIP, 0, VARARGS, "" },
	{ "set_irq_in", OP_SKIP, 0, VARARGS, "" },
	{ "endianness", OP_SKIP, 0, VARARGS, "" },
	{ "module_load", OP_SKIP, 0, VARARGS, "" },
};

/* qtest's bulk memory commands: refused with a reason, never skipped,
 * because they could reach a trapped range. */
static const char *const bulk_cmds[] = {
	"read", "write", "b64read", "b64write", "memset",
};


/* ---- Parsing ---- */

#define NO_STEP ((size_t)-1)

struct parser {
	struct pvhdev_scenario *sc;
	unsigned line;
	char *err;
	size_t err_len;
	size_t last_access; /* index of the latest access step, or NO_STEP */
	char *waiver;       /* a waive line's reason, for the next expectation */
	unsigned waiver_line;
};

/* A token quoted for a message: at most 40 bytes of it. */
#define QTOK "'%.40s%s'"
#define QARG(t) (t), (strlen(t) > 40 ? "..." : "")

static int perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes "NAME:LINE: " and the message to err; returns -EINVAL. */
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err_len)
		return -EINVAL;
	n = snprintf(p->err, p->err_len, "%s:%u: ", p->sc->name, p->line);
	if (n >= 0 && (size_t)n < p->err_len) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Hex with 0x, or decimal.  A decimal with a leading 0 is refused:
 * qtest (strtoul with base 0) would read it as octal. */
static int parse_u64(struct parser *p, const char *what, const char *tok,
                     uint64_t *out)
{
	const char *s = tok;
	unsigned base = 10;
	uint64_t v = 0;

	if (*s == '-')
		return perr(p, "expected %s to be non-negative, got " QTOK, what, QARG(tok));
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] >= '0' && s[1] <= '9') {
		return perr(p, "expected %s in hex with 0x or in decimal, got " QTOK
		            " (qtest reads a leading 0 as octal)", what, QARG(tok));
	}
	for (const char *c = s; *c || c == s; c++)
		if (pvhdev__digit(*c, base) < 0)
			return perr(p, "expected %s to be a number (hex with 0x, or "
			            "decimal), got " QTOK, what, QARG(tok));
	for (; *s; s++) {
		unsigned d = (unsigned)pvhdev__digit(*s, base);
		if (v > (UINT64_MAX - d) / base)
			return perr(p, "expected %s to fit in 64 bits, got " QTOK, what,
			            QARG(tok));
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* A value that must fit an access (or a read) of size bytes. */
static int parse_val(struct parser *p, const char *tok, unsigned size,
                     const char *for_what, uint64_t *out)
{
	int rc = parse_u64(p, "VAL", tok, out);

	if (!rc && size < 8 && (*out >> (8 * size)))
		return perr(p, "expected VAL to fit in %u byte%s %s, got " QTOK, size,
		            size == 1 ? "" : "s", for_what, QARG(tok));
	return rc;
}

/* "inl", "writeq": an access step's command word. */
const char *access_name(const struct step *st, char buf[8])
{
	static const char *const base[] = {
		[OP_OUT] = "out", [OP_IN] = "in", [OP_WRITE] = "write", [OP_READ] = "read",
	};
	unsigned i = st->size == 1 ? 0 : st->size == 2 ? 1 : st->size == 4 ? 2 : 3;

	snprintf(buf, 8, "%s%c", base[st->op], "bwlq"[i]);
	return buf;
}

static int parse_access(struct parser *p, const struct cmd *c, char **arg,
                        struct step *st)
{
	char for_what[32];
	int rc = parse_u64(p, c->op <= OP_IN ? "PORT" : "ADDR", arg[0], &st->a);

	if (rc)
		return rc;
	if (c->op <= OP_IN && st->a > 0xffff)
		return perr(p, "expected PORT to be at most 0xffff, got " QTOK,
		            QARG(arg[0]));
	snprintf(for_what, sizeof(for_what), "for %s", c->name);
	st->size = c->size;
	if (c->op == OP_OUT || c->op == OP_WRITE)
		return parse_val(p, arg[1], c->size, for_what, &st->b);
	return 0;
}

/* expect checks the latest access, which must be a read. */
static int parse_expect(struct parser *p, char **arg, struct step *st)
{
	const struct step *r;
	char name[8], for_what[48];

	if (p->last_access == NO_STEP)
		return perr(p, "expected a read (inb/inw/inl, readb..readq) before "
		            "expect");
	r = &p->sc->steps[p->last_access];
	if (r->op != OP_IN && r->op != OP_READ)
		return perr(p, "expected a read before expect, got %s on line %u",
		            access_name(r, name), r->line);
	snprintf(for_what, sizeof(for_what), "(the %s on line %u)",
	         access_name(r, name), r->line);
	st->size = r->size;
	st->ref = r->line;
	st->mask = r->size < 8 ? (1ull << (8 * r->size)) - 1 : ~0ull;
	/* VAL:MASK (setpci's syntax): only the bits of MASK are compared. */
	char *mask = strchr(arg[0], ':');
	if (mask) {
		*mask++ = 0;
		int rc = parse_val(p, mask, r->size, for_what, &st->mask);
		if (rc)
			return rc;
	}
	return parse_val(p, arg[0], r->size, for_what, &st->b);
}

/* An SBDF as lspci and the event lines write it. */
static int parse_sbdf(struct parser *p, const char *tok, uint64_t *out)
{
	pvhdev_sbdf_t sbdf;

	if (!pvhdev__parse_sbdf(tok, &sbdf))
		return perr(p, "expected SBDF as ssss:bb:dd.f or bb:dd.f, got " QTOK,
		            QARG(tok));
	*out = sbdf;
	return 0;
}

/* mmcfg-add ADDR SEG START_BUS END_BUS, as PHYSDEVOP_pci_mmcfg_reserved
 * reports a window late. */
static int parse_mmcfg(struct parser *p, char **arg, struct step *st)
{
	uint64_t seg, start, end;
	int rc = parse_u64(p, "ADDR", arg[0], &st->a);

	if (!rc)
		rc = parse_u64(p, "SEG", arg[1], &seg);
	if (!rc)
		rc = parse_u64(p, "START_BUS", arg[2], &start);
	if (!rc)
		rc = parse_u64(p, "END_BUS", arg[3], &end);
	if (rc)
		return rc;
	if (seg > 0xffff || start > 0xff || end > 0xff || start > end)
		return perr(p, "expected SEG at most 0xffff and START_BUS <= END_BUS "
		            "at most 0xff, got %s %s %s", arg[1], arg[2], arg[3]);
	st->b = seg << 16 | start << 8 | end;
	return 0;
}

static int parse_range(struct parser *p, char **arg, struct step *st)
{
	int rc = parse_u64(p, "GFN", arg[0], &st->a);

	if (!rc)
		rc = parse_u64(p, "NR", arg[1], &st->b);
	if (rc)
		return rc;
	if (!st->b)
		return perr(p, "expected NR to be at least 1 page, got " QTOK, QARG(arg[1]));
	if (st->a + (st->b - 1) < st->a)
		return perr(p, "expected GFN + NR to stay within 64 bits, got %s %s",
		            arg[0], arg[1]);
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The tail of an expect-event line with runs of blanks made one space,
 * as pvhdev_event_format writes them. */
static char *squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1), *d = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (blank(*s) && (d == out || d[-1] == ' '))
			continue;
		*d++ = blank(*s) ? ' ' : *s;
	}
	if (d != out && d[-1] == ' ')
		d--;
	*d = 0;
	return out;
}

/* Whether the line's first word is an event kind pvhdev emits. */
static bool event_kind_known(const char *line)
{
	size_t n = strcspn(line, " ");

	for (unsigned k = 0; k < PVHDEV_EV__COUNT; k++) {
		const char *name = pvhdev_event_name((enum pvhdev_event_kind)k);
		if (strlen(name) == n && !strncmp(name, line, n))
			return true;
	}
	return false;
}

/* expect-event keeps its event line; a skipped qtest command keeps
 * itself, arguments included, for the transcript. */
static int parse_text(struct parser *p, const struct cmd *c, const char *tail,
                      struct step *st)
{
	char *args;

	if (c->op == OP_EXPECT_EVENT && !*tail)
		return perr(p, "expected an event line after expect-event");
	if (c->op == OP_WAIVE && !*tail)
		return perr(p, "expected a reason after waive (the rule or the issue "
		            "it waits for)");
	if (!(args = squeeze(tail)))
		return -ENOMEM;
	if (c->op == OP_EXPECT_EVENT && !event_kind_known(args)) {
		free(args);
		return perr(p, "expected an event kind of docs/events.md (map, unmap, "
		            "msi-bind, ..., dev-remove) after expect-event, got " QTOK,
		            QARG(tail));
	}
	if (c->op == OP_EXPECT_EVENT || c->op == OP_WAIVE) {
		st->text = args;
		return 0;
	}
	st->text = malloc(strlen(c->name) + strlen(args) + 2);
	if (st->text)
		sprintf(st->text, "%s%s%s", c->name, *args ? " " : "", args);
	free(args);
	return st->text ? 0 : -ENOMEM;
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int unknown_cmd(struct parser *p, const char *name)
{
	for (size_t i = 0; i < sizeof(bulk_cmds) / sizeof(bulk_cmds[0]); i++)
		if (!strcmp(bulk_cmds[i], name))
			return perr(p, "expected a 1, 2, 4 or 8-byte access, got qtest "
			            "bulk command '%s' (not supported)", name);
	return perr(p, "expected a command (out*, in*, write*, read*, expect, "
	            "drain, expect-event, expect-no-event, expect-mapped, "
	            "expect-unmapped, waive, mmcfg-add, dev-add, dev-remove, dev-hide, "
	            "reset, plug, unplug), "
	            "got " QTOK, QARG(name));
}

/* Splits s at blanks, NUL-terminating each word; stores up to max words
 * and returns how many there are. */
static size_t split(char *s, char **word, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (blank(*s))
			s++;
		if (!*s)
			return n;
		if (n < max)
			word[n] = s;
		n++;
		while (*s && !blank(*s))
			s++;
		if (*s)
			*s++ = 0;
	}
}

static int check_arity(struct parser *p, const struct cmd *c, size_t n)
{
	if (c->nargs == VARARGS || n == c->nargs)
		return 0;
	if (!c->nargs)
		return perr(p, "expected no arguments after %s, got %zu", c->name, n);
	return perr(p, "expected %u argument%s (%s) after %s, got %zu", c->nargs,
	            c->nargs == 1 ? "" : "s", c->args, c->name, n);
}

/* reset SBDF KIND: KIND as dev-reset events name it (flr, af-flr,
 * bus, pm). */
static int parse_reset(struct parser *p, char **arg, struct step *st)
{
	int rc = parse_sbdf(p, arg[0], &st->a);

	for (unsigned k = 0; !rc && k < PVHDEV_RESET__COUNT; k++)
		if (!strcmp(arg[1], pvhdev_reset_kind_name((enum pvhdev_reset_kind)k))) {
			st->b = k;
			return 0;
		}
	return rc ? rc : perr(p, "expected a reset kind (flr, af-flr, bus, pm) after "
	                      "the SBDF, got " QTOK, QARG(arg[1]));
}

static int parse_args(struct parser *p, const struct cmd *c, char *tail,
                      struct step *st)
{
	char *arg[MAX_TOKENS];
	int rc;

	if (c->nargs == VARARGS)
		return parse_text(p, c, tail, st);
	if ((rc = check_arity(p, c, split(tail, arg, MAX_TOKENS))))
		return rc;
	switch (c->op) {
	case OP_OUT: case OP_IN: case OP_WRITE: case OP_READ:
		return parse_access(p, c, arg, st);
	case OP_EXPECT:
		return parse_expect(p, arg, st);
	case OP_EXPECT_MAPPED: case OP_EXPECT_UNMAPPED:
		return parse_range(p, arg, st);
	case OP_MMCFG_ADD:
		return parse_mmcfg(p, arg, st);
	case OP_DEV_ADD: case OP_DEV_REMOVE: case OP_DEV_HIDE:
	case OP_PLUG: case OP_UNPLUG:
		return parse_sbdf(p, arg[0], &st->a);
	case OP_DEV_RESET:
		return parse_reset(p, arg, st);
	default:
		return 0;
	}
}

bool is_expectation(uint8_t op)
{
	return op == OP_EXPECT || (op >= OP_EXPECT_EVENT && op <= OP_EXPECT_UNMAPPED);
}

/* A waive line is kept by the parser and given to the next step, which
 * must be an expectation. */
static int take_waiver(struct parser *p, struct step *st)
{
	if (st->op == OP_WAIVE) {
		if (p->waiver)
			return perr(p, "expected an expectation after the waive on line "
			            "%u, got another waive", p->waiver_line);
		p->waiver = st->text;
		p->waiver_line = st->line;
		return 1;
	}
	if (!p->waiver)
		return 0;
	if (!is_expectation(st->op))
		return perr(p, "expected an expectation (expect, expect-event, "
		            "expect-no-event, expect-mapped, expect-unmapped) after the "
		            "waive on line %u", p->waiver_line);
	st->waiver = p->waiver;
	p->waiver = NULL;
	return 0;
}

static int push(struct parser *p, struct step *st)
{
	struct pvhdev_scenario *sc = p->sc;
	int rc = take_waiver(p, st);

	if (rc)
		return rc > 0 ? 0 : rc;

	if (sc->nr == sc->cap) {
		size_t cap = sc->cap ? 2 * sc->cap : 64;
		struct step *s = realloc(sc->steps, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		sc->steps = s;
		sc->cap = cap;
	}
	sc->steps[sc->nr++] = *st;
	st->text = st->waiver = NULL; /* the scenario owns them now */
	if (st->op <= OP_READ)
		p->last_access = sc->nr - 1;
	return 0;
}

/* s: one line, comment and trailing blanks removed, NUL-terminated. */
static int parse_command(struct parser *p, char *s)
{
	struct step st = { .line = p->line };
	const struct cmd *c;
	char *name, *tail;
	int rc;

	while (blank(*s))
		s++;
	if (!*s)
		return 0;
	for (name = s; *s && !blank(*s); s++)
		;
	tail = s;
	if (*s)
		*tail++ = 0;
	while (blank(*tail))
		tail++;
	if (!(c = find_cmd(name)))
		return unknown_cmd(p, name);
	st.op = c->op;
	if ((rc = parse_args(p, c, tail, &st)) || (rc = push(p, &st))) {
		free(st.text);
		free(st.waiver);
	}
	return rc;
}

/* "[R +0.000123]" starts a command QEMU's qtest log recorded; "[S +...]"
 * (a response or IRQ message) and "[I ...]" (OPENED/CLOSED) lines are
 * skipped.  *s moves past the prefix; *skip says to drop the line. */
static int qtest_prefix(struct parser *p, char **s, bool *skip)
{
	char *c = *s + 1, tag = *c;

	if (tag != 'R' && tag != 'S' && tag != 'I')
		return perr(p, "expected a qtest log prefix ([R +TIME], [S +TIME] or "
		            "[I +TIME]), got " QTOK, QARG(*s));
	for (c++; blank(*c); c++)
		;
	if (*c == '+')
		c++;
	while ((*c >= '0' && *c <= '9') || *c == '.')
		c++;
	if (*c != ']')
		return perr(p, "expected ']' after the time of the qtest log prefix, "
		            "got " QTOK, QARG(*s));
	*skip = tag != 'R';
	*s = c + 1;
	return 0;
}

/* Bytes of a line: text, tabs, a CR at the end; bytes >= 0x80 (UTF-8)
 * only inside a comment. */
static int check_bytes(struct parser *p, const char *s, size_t len)
{
	bool comment = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '#')
			comment = true;
		if (c == '\t' || (c == '\r' && i + 1 == len) ||
		    (c >= 0x20 && c < 0x7f) || (c >= 0x80 && comment))
			continue;
		return perr(p, "expected text, got byte 0x%02x at column %zu", c, i + 1);
	}
	return 0;
}

/* s: one line of len bytes, writable, with room for a NUL at s[len]. */
static int parse_line(struct parser *p, char *s, size_t len)
{
	char *hash;
	bool skip = false;
	int rc = check_bytes(p, s, len);

	if (rc)
		return rc;
	s[len] = 0;
	if ((hash = strchr(s, '#')))
		*hash = 0;
	for (len = strlen(s); len && (blank(s[len - 1]) || s[len - 1] == '\r'); len--)
		s[len - 1] = 0;
	while (blank(*s))
		s++;
	if (*s == '[' && (rc = qtest_prefix(p, &s, &skip)))
		return rc;
	return skip ? 0 : parse_command(p, s);
}

static int parse_all(struct parser *p, char *text, size_t len)
{
	size_t start = 0;

	while (start < len) {
		char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		int rc;

		p->line++;
		if ((rc = parse_line(p, text + start, end - start)))
			return rc;
		start = end + 1;
	}
	if (p->waiver)
		return perr(p, "expected an expectation after the waive on line %u, "
		            "got the end of the scenario", p->waiver_line);
	return 0;
}

void pvhdev_scenario_free(struct pvhdev_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nr; i++) {
		free(sc->steps[i].text);
		free(sc->steps[i].waiver);
	}
	free(sc->steps);
	free(sc->name);
	free(sc);
}

int pvhdev_scenario_parse(const char *name, const char *text, size_t len,
                          struct pvhdev_scenario **out, char *err,
                          size_t err_len)
{
	struct pvhdev_scenario *sc = calloc(1, sizeof(*sc));
	struct parser p = { .sc = sc, .err = err, .err_len = err_len,
	                    .last_access = NO_STEP };
	char *copy = malloc(len + 1); /* lines are cut in place */
	int rc = -ENOMEM;

	*out = NULL;
	if (err_len)
		err[0] = 0;
	if (sc && copy && (sc->name = strdup(name ? name : "<scenario>"))) {
		if (len)
			memcpy(copy, text, len);
		rc = parse_all(&p, copy, len);
	}
	if (rc == -ENOMEM && err_len)
		snprintf(err, err_len, "%s: out of memory", name ? name : "<scenario>");
	free(copy);
	free(p.waiver);
	if (rc) {
		pvhdev_scenario_free(sc);
		return rc;
	}
	*out = sc;
	return 0;
}

size_t pvhdev_scenario_steps(const struct pvhdev_scenario *sc)
{
	return sc->nr;
}

/* Reads a whole file (a pipe too) into a malloc'd buffer. */
static int read_file(FILE *f, char **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	char *b = NULL;

	errno = 0;
	for (;;) {
		if (n == cap) {
			if (cap >= MAX_FILE) {
				free(b);
				return -EFBIG;
			}
			cap = cap ? 2 * cap : 1u << 16;
			char *nb = realloc(b, cap);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int rc = errno ? -errno : -EIO;
		free(b);
		return rc;
	}
	*buf = b;
	*len = n;
	return 0;
}

int pvhdev_scenario_load(const char *path, struct pvhdev_scenario **out,
                         char *err, size_t err_len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!f) {
		rc = -errno;
		snprintf(err, err_len, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	rc = read_file(f, &text, &len);
	fclose(f);
	if (rc) {
		snprintf(err, err_len, "%s: cannot read: %s", path,
		         rc == -EFBIG ? "larger than 256 MiB" : strerror(-rc));
		return rc;
	}
	rc = pvhdev_scenario_parse(path, text, len, out, err, err_len);
	free(text);
	return rc;
}
