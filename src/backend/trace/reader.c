/* SPDX-License-Identifier: MIT */
/*
 * The trace reader: format 1 read one access at a time, for both replay
 * modes (docs/trace-format.md, "The file" and "Reports"), on top of
 * xml.c's nodes.
 *
 * The reader checks the format itself as it goes (element names,
 * attributes, numbers: format.c's table) so that each mistake gets one
 * message, "FILE:LINE: what was expected", and the first one wins
 * (t->err); data/schema/trace.rng says the same for other tools.
 *
 *   open    open the file and read the header into t->info and t->hooks:
 *             <pvhdev-trace format="1" pvhdev="VERSION">
 *               <platform source="..." [note="..."] [free-form]/>
 *               <backend name="..." hooks="..."/>
 *   access  the next access (an <enum>'s devices into t->devs), or
 *           ACC_END at </pvhdev-trace>, after which only comments may
 *           follow
 *
 * An access must carry what format.c's table says of its element, with
 * values that parse and agree: a read has v or rc, config accesses are
 * 1, 2 or 4 bytes within 4096, addresses are aligned to the size and
 * values fit in it.
 */
#include "backend/trace/trace.h"

static int unexpected_attr(struct pvhdev_trace *t, const char *elem,
                           const char *name)
{
	return bad(t, "<%s>: unexpected attribute %.*s", elem, TRACE_QUOTE_MAX,
	           name);
}

/* ---- Accesses ---- */

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

static int bad_sbdf(struct pvhdev_trace *t, const char *elem, const char *val)
{
	return bad(t, "<%s> attribute s: expected an SBDF ssss:bb:dd.f, got "
	           "\"%.*s\"", elem, TRACE_QUOTE_MAX, val);
}

/* One attribute of an access element into p->a. */
static int acc_attr(struct pvhdev_trace *t, const char *elem, const char *name,
                    const char *val, void *arg)
{
	struct acc_parse *p = arg;
	struct acc *a = p->a;
	int id = attr_lookup(name), rc = 0;

	if (id < 0 || !(specs[a->kind].allowed & B(id)))
		return unexpected_attr(t, elem, name);
	p->seen |= B(id);
	switch (id) {
	case AT_S:
		return parse_sbdf(val, &a->sbdf) ? bad_sbdf(t, elem, val) : 0;
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

/* The one attribute of <d>. */
static int d_attr(struct pvhdev_trace *t, const char *elem, const char *name,
                  const char *val, void *arg)
{
	pvhdev_sbdf_t *sbdf = arg;

	if (strcmp(name, "s"))
		return unexpected_attr(t, elem, name);
	return parse_sbdf(val, sbdf) ? bad_sbdf(t, elem, val) : 0;
}

/* The <d> children of the <enum> just read, into t->devs. */
static int rd_enum(struct pvhdev_trace *t)
{
	char buf[TRACE_NODE_MAX];
	int empty = xmlTextReaderIsEmptyElement(t->rd.r), type, rc;

	t->nr_devs = 0;
	if (empty)
		return empty < 0 ? rd_broken(t) : 0;
	while ((type = rd_node(t)) != XML_READER_TYPE_END_ELEMENT) {
		pvhdev_sbdf_t sbdf = ~(pvhdev_sbdf_t)0; /* no valid SBDF parses to it */
		if (type < 0)
			return type;
		if (!is_elem(t, type, "d"))
			return bad(t, "<enum> holds only <d> elements, got %s",
			           node_str(t, type, buf));
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
	char buf[TRACE_NODE_MAX];
	int type = rd_node(t);

	if (type > 0)
		return bad(t, "expected end of file, got %s", node_str(t, type, buf));
	return type;
}

int rd_access(struct pvhdev_trace *t, struct acc *a)
{
	struct acc_parse p = { .a = a };
	const char *name;
	char buf[TRACE_NODE_MAX];
	int type = rd_node(t), rc;

	memset(a, 0, sizeof(*a));
	if (type < 0)
		return type;
	a->line = t->rd.cur_line;
	if (type == XML_READER_TYPE_END_ELEMENT) {
		/* Children's end tags are eaten by rd_empty / rd_enum. */
		a->kind = ACC_END;
		t->rd.at_end = true;
		return rd_eof(t);
	}
	if (type != XML_READER_TYPE_ELEMENT)
		return bad(t, "expected an access, got %s", node_str(t, type, buf));
	name = (const char *)xmlTextReaderConstName(t->rd.r);
	for (a->kind = ACC_R; a->kind < ACC_END; a->kind++)
		if (!strcmp(name, specs[a->kind].name))
			break;
	if (a->kind == ACC_END)
		return bad(t, "unexpected element %s", node_str(t, type, buf));
	if ((rc = rd_attrs(t, specs[a->kind].name, acc_attr, &p)) ||
	    (rc = acc_check(t, &p)))
		return rc;
	return a->kind == ACC_ENUM ? rd_enum(t) : rd_empty(t, specs[a->kind].name);
}

/* ---- The header ---- */

enum { SEEN_FORMAT = 1, SEEN_PVHDEV = 2, SEEN_SOURCE = 4, SEEN_NAME = 8,
       SEEN_HOOKS = 16 };

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
	return unexpected_attr(t, elem, name);
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
 * recorded backend had, into t->hooks; pvhdev_trace_backend() gets
 * only those. */
static int parse_hooks(struct pvhdev_trace *t, const char *elem, const char *s)
{
	t->hooks = 0;
	while (*s) {
		size_t n = strcspn(s, " \t\r\n");
		unsigned i = 0;
		while (i < TRACE_NR_HOOKS && (strlen(hook_names[i]) != n ||
		                              strncmp(s, hook_names[i], n)))
			i++;
		if (i < TRACE_NR_HOOKS)
			t->hooks |= 1u << i;
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
	return unexpected_attr(t, elem, name);
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

static int rd_header(struct pvhdev_trace *t)
{
	static const char *const names[] = { "format", "pvhdev", "source",
	                                     "name", "hooks" };
	int rc, empty;

	if ((rc = rd_header_elem(t, TRACE_ROOT, root_attr,
	                         SEEN_FORMAT | SEEN_PVHDEV, names)))
		return rc;
	if ((empty = xmlTextReaderIsEmptyElement(t->rd.r)))
		return empty < 0 ? rd_broken(t)
		                 : bad(t, "expected <platform>, got <%s/>", TRACE_ROOT);
	if ((rc = rd_header_elem(t, "platform", platform_attr, SEEN_SOURCE, names)) ||
	    (rc = rd_empty(t, "platform")) ||
	    (rc = rd_header_elem(t, "backend", backend_attr,
	                         SEEN_NAME | SEEN_HOOKS, names)))
		return rc;
	return rd_empty(t, "backend");
}

int pvhdev__trace_read_open(struct pvhdev_trace *t)
{
	int rc = pvhdev__trace_xml_open(t);

	return rc ? rc : rd_header(t);
}
