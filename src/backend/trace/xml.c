/* SPDX-License-Identifier: MIT */
/*
 * The trace reader's XML layer (reader.c reads the format on top of
 * it): the file through xmlTextReader, node by node, each with the line
 * it starts on, and libxml2's own errors turned into the trace's one
 * "FILE:LINE: message" (the first one wins: t->err).
 *
 * xmlTextReader streams the file and frees what it has passed, so memory
 * stays constant however long the trace.  No network, no DTD loading,
 * no entity substitution.  Whitespace, comments and processing
 * instructions are skipped; what is left is handed out one node at a
 * time (rd_node), with helpers for what the format wants of a node: be
 * element NAME (rd_expect), be empty (rd_empty), hand over its
 * attributes (rd_attrs).
 *
 * XML that is not well-formed gets libxml2's first error, "malformed
 * XML: ..."; a file that ends with elements still open (a cut file,
 * which libxml2 describes in odd ways: "Extra content at the end of the
 * document", "attributes construct error") gets "truncated: the file
 * ends inside <NAME>" and the file's last line, which io_read counts.
 *
 * Line numbers: libxml2 keeps an element's line in 16 bits (65535 means
 * "or more") and the parser's own line runs ahead of the reader by up to
 * a chunk.  Past 65534 the line comes from the whitespace text before
 * the element, which XML_PARSE_BIG_LINES numbers in full: exact for
 * traces with one element per line, as pvhdev writes them.
 */
#include "backend/trace/trace.h"

#define TRACE_LINE16 65535u  /* libxml2's "this line or a later one" */

/* libxml2 2.12 made the error argument const. */
#if LIBXML_VERSION >= 21200
#define TRACE_XML_ERROR const xmlError
#else
#define TRACE_XML_ERROR xmlError
#endif

/* A malformed trace, at the line being read. */
int bad(struct pvhdev_trace *t, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vfail(t, -EINVAL, t->rd.cur_line, fmt, ap);
	va_end(ap);
	return err;
}

/* ---- The file and libxml2's errors ---- */

/*
 * A cut file makes libxml2 say odd things ("Extra content at the end of
 * the document", "attributes construct error").  It is a cut when the
 * parser stopped on the file's last line with elements still open.
 */
static bool xml_cut(const struct trace_rd *rd, TRACE_XML_ERROR *e,
                    uint64_t line)
{
	const xmlParserCtxt *ctxt = e->ctxt;
	uint64_t last = rd->newlines + (rd->last != '\n');

	return rd->eof && e->domain == XML_FROM_PARSER && ctxt &&
	       ctxt->nameNr > 0 && line >= last;
}

/* Keeps libxml2's first error for rd_broken(); warnings are ignored. */
static void on_xml_error(void *arg, TRACE_XML_ERROR *e)
{
	struct trace_rd *rd = &((struct pvhdev_trace *)arg)->rd;
	uint64_t line;
	size_t n;

	if (!e || e->level < XML_ERR_ERROR || rd->xerr_line)
		return;
	line = e->line > 0 ? (uint64_t)e->line : 1;
	if ((rd->xerr_cut = xml_cut(rd, e, line))) {
		const xmlParserCtxt *ctxt = e->ctxt;
		snprintf(rd->xerr, sizeof(rd->xerr), "%.40s",
		         ctxt->name ? (const char *)ctxt->name : "?");
		rd->xerr_line = rd->newlines + (rd->last != '\n');
		return;
	}
	snprintf(rd->xerr, sizeof(rd->xerr), "%s", e->message ? e->message : "error");
	n = strlen(rd->xerr);
	while (n && (rd->xerr[n - 1] == '\n' || rd->xerr[n - 1] == ' '))
		rd->xerr[--n] = '\0';
	rd->xerr_line = line;
}

/* The parser's input; counts lines for a cut file's report. */
static int io_read(void *ctx, char *buf, int len)
{
	struct pvhdev_trace *t = ctx;

	for (;;) {
		ssize_t n = read(t->fd, buf, (size_t)len);
		if (n > 0) {
			for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p)));
			     p++)
				t->rd.newlines++;
			t->rd.last = buf[n - 1];
		}
		t->rd.eof = n == 0;
		if (n >= 0)
			return (int)n;
		if (errno != EINTR) {
			t->rd.rerr = -errno;
			return -1;
		}
	}
}

static int io_close(void *ctx)
{
	struct pvhdev_trace *t = ctx;

	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	return 0;
}

/* The reader stopped: an I/O error, or the XML is not well-formed. */
int rd_broken(struct pvhdev_trace *t)
{
	if (t->rd.rerr)
		return fail(t, t->rd.rerr, 0, "read failed: %s", strerror(-t->rd.rerr));
	if (t->rd.xerr_cut)
		return fail(t, -EINVAL, t->rd.xerr_line, "truncated: the file ends "
		            "inside <%s>", t->rd.xerr);
	if (t->rd.xerr_line)
		return fail(t, -EINVAL, t->rd.xerr_line, "malformed XML: %s",
		            t->rd.xerr);
	return fail(t, -EINVAL, (uint64_t)xmlTextReaderGetParserLineNumber(t->rd.r),
	            "malformed XML");
}

/* ---- Nodes and their lines ---- */

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
	const char *s = (const char *)xmlTextReaderConstValue(t->rd.r);

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
	struct trace_rd *rd = &t->rd;
	uint64_t after = rd->ws_line > rd->cur_line ? rd->ws_line : rd->cur_line;
	xmlNodePtr node = xmlTextReaderCurrentNode(rd->r);

	if (type == XML_READER_TYPE_ELEMENT)
		rd->cur_line = node_line(node, after);
	else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA)
		rd->cur_line = text_line(t, node_line(node, after));
	else
		rd->cur_line = after ? after : 1;
}

/*
 * Advances to the next node that matters: whitespace (whose end line is
 * noted), comments and processing instructions are skipped.  Returns
 * the node type, 0 at the end of the file, or the sticky error.
 */
int rd_node(struct pvhdev_trace *t)
{
	for (;;) {
		int rc = xmlTextReaderRead(t->rd.r);
		if (rc < 0 || t->rd.xerr_line || t->rd.rerr)
			return rd_broken(t);
		if (rc == 0)
			return 0;
		int type = xmlTextReaderNodeType(t->rd.r);
		if (type == XML_READER_TYPE_WHITESPACE ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
			t->rd.ws_line = node_line(xmlTextReaderCurrentNode(t->rd.r),
			                          t->rd.ws_line);
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
const char *node_str(struct pvhdev_trace *t, int type, char buf[TRACE_NODE_MAX])
{
	const char *name = (const char *)xmlTextReaderConstName(t->rd.r);

	switch (type) {
	case 0:
		return "end of file";
	case XML_READER_TYPE_ELEMENT:
		snprintf(buf, TRACE_NODE_MAX, "<%.40s>", name ? name : "?");
		return buf;
	case XML_READER_TYPE_END_ELEMENT:
		snprintf(buf, TRACE_NODE_MAX, "</%.40s>", name ? name : "?");
		return buf;
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
		return "text";
	case XML_READER_TYPE_DOCUMENT_TYPE:
		return "a DOCTYPE";
	case XML_READER_TYPE_ENTITY_REFERENCE:
		return "an entity reference";
	default:
		snprintf(buf, TRACE_NODE_MAX, "an XML node of type %d", type);
		return buf;
	}
}

/* Whether the node just read (of type) is element `name`. */
bool is_elem(struct pvhdev_trace *t, int type, const char *name)
{
	return type == XML_READER_TYPE_ELEMENT &&
	       !strcmp((const char *)xmlTextReaderConstName(t->rd.r), name);
}

/* Reads the next node, which must be element `name`. */
int rd_expect(struct pvhdev_trace *t, const char *name)
{
	char buf[TRACE_NODE_MAX];
	int type = rd_node(t);

	if (type < 0)
		return type;
	if (!is_elem(t, type, name))
		return bad(t, "expected <%s>, got %s", name, node_str(t, type, buf));
	return 0;
}

/* The element just read must have no content: <r .../> or <r ...></r>. */
int rd_empty(struct pvhdev_trace *t, const char *name)
{
	char buf[TRACE_NODE_MAX];
	int empty = xmlTextReaderIsEmptyElement(t->rd.r), type;

	if (empty < 0)
		return rd_broken(t);
	if (empty)
		return 0;
	if ((type = rd_node(t)) < 0)
		return type;
	if (type != XML_READER_TYPE_END_ELEMENT)
		return bad(t, "<%s> must be empty, got %s in it", name,
		           node_str(t, type, buf));
	return 0;
}

/* Hands each attribute of the element just read to fn, which returns 0
 * or the sticky error. */
int rd_attrs(struct pvhdev_trace *t, const char *elem, attr_fn fn, void *arg)
{
	int rc;

	while ((rc = xmlTextReaderMoveToNextAttribute(t->rd.r)) == 1) {
		const char *name = (const char *)xmlTextReaderConstName(t->rd.r);
		const char *val = (const char *)xmlTextReaderConstValue(t->rd.r);
		if ((rc = fn(t, elem, name ? name : "", val ? val : "", arg)))
			break;
	}
	xmlTextReaderMoveToElement(t->rd.r);
	if (rc < 0)
		return t->err ? t->err : rd_broken(t);
	return 0;
}

/* ---- Open and close ---- */

int pvhdev__trace_xml_open(struct pvhdev_trace *t)
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
	/* The reader owns the descriptor from here, even when it fails. */
	t->rd.r = xmlReaderForIO(io_read, io_close, t, t->path, NULL,
	                         XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (!t->rd.r)
		return nomem(t);
	xmlTextReaderSetStructuredErrorHandler(t->rd.r, on_xml_error, t);
	return 0;
}

void rd_close(struct pvhdev_trace *t)
{
	if (t->rd.r)
		xmlFreeTextReader(t->rd.r);
	t->rd.r = NULL;
}
