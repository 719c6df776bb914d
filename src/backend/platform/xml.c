/* SPDX-License-Identifier: MIT */
/* Platform files: libxml2 parsing without network or DOCTYPE, RELAX NG
 * validation, and the first validation error diagnosed again from the
 * element tables (libxml2's messages rarely say what was expected). */
#include "backend/platform/pf.h"

/* ---- libxml2: parsing, the schema, validation ---- */

static void keep_error(struct xml_err *x, pf_xml_error e)
{
	/* Keep the first error; a later one that names an element beats a
	 * first one that names none (libxml2 sometimes leads with those). */
	if (e->level < XML_ERR_ERROR || (x->set && (x->node || !e->node)))
		return;
	x->set = true;
	x->code = e->code;
	x->line = e->line;
	x->node = e->node;
	snprintf(x->msg, sizeof(x->msg), "%s", e->message ? e->message : "error");
	x->msg[strcspn(x->msg, "\r\n")] = '\0';
	for (char *p = x->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	snprintf(x->str1, sizeof(x->str1), "%s", e->str1 ? e->str1 : "");
}

/* The parser hands its context as data; ours hangs off _private. */
static void parse_error(void *data, pf_xml_error e)
{
	keep_error(((xmlParserCtxtPtr)data)->_private, e);
}

static void schema_error(void *data, pf_xml_error e)
{
	keep_error(data, e);
}

/* Parses buf (path names it in messages); rejects DOCTYPEs. */
int xml_parse(struct load *ld, const char *path, const char *buf,
                     size_t len, xmlDocPtr *out)
{
	xmlParserCtxtPtr c = xmlNewParserCtxt();
	struct xml_err xe = { 0 };
	xmlDocPtr doc;

	if (!c)
		return oom(ld);
	c->_private = &xe;
	c->sax->serror = parse_error;
	doc = xmlCtxtReadMemory(c, buf, (int)len, path, NULL, PF_XML_OPTIONS);
	xmlFreeParserCtxt(c);
	if (doc && !xe.set && !doc->intSubset) {
		*out = doc;
		return 0;
	}
	xmlFreeDoc(doc);
	if (xe.code == XML_ERR_NO_MEMORY)
		return oom(ld);
	if (xe.set)
		return fail_in(ld, path, xe.line, -EINVAL, "not well-formed XML: %s",
		               xe.msg);
	if (doc)
		return fail_in(ld, path, 0, -EINVAL, "DOCTYPE declarations are not allowed");
	return fail_in(ld, path, 0, -EINVAL, "not well-formed XML");
}

static int schema_load(struct load *ld, const char *path, xmlRelaxNGPtr *out)
{
	struct xml_err xe = { 0 };
	xmlRelaxNGParserCtxtPtr pc;
	xmlDocPtr doc = NULL;
	size_t len;
	char *buf = NULL;
	int rc = read_file(ld, path, &buf, &len);

	if (!rc)
		rc = xml_parse(ld, path, buf, len, &doc);
	if (rc)
		goto out;
	pc = xmlRelaxNGNewDocParserCtxt(doc); /* copies doc */
	if (!pc) {
		rc = oom(ld);
		goto out;
	}
	xmlRelaxNGSetParserStructuredErrors(pc, schema_error, &xe);
	*out = xmlRelaxNGParse(pc);
	xmlRelaxNGFreeParserCtxt(pc);
	if (!*out)
		rc = fail_in(ld, path, xe.line, -EINVAL, "not a usable RELAX NG schema: %s",
		             xe.set ? xe.msg : "unknown error");
out:
	xmlFreeDoc(doc);
	free(buf);
	return rc;
}

/* The line where text node t's first non-blank character is.  libxml2
 * gives a text node the line it ended on. */
static long text_line(xmlNodePtr t, const char **first)
{
	const char *s = (const char *)t->content;
	long line = xmlGetLineNo(t), up = t->parent ? xmlGetLineNo(t->parent) : 0;

	for (const char *p = s; *p; p++)
		line -= *p == '\n';
	*first = s + strspn(s, " \t\r\n");
	for (const char *p = s; p < *first; p++)
		line += *p == '\n';
	return line < up ? up : line;
}

static int text_fail(struct load *ld, xmlNodePtr n)
{
	char b[PF_SHOW_MAX + 4];

	for (xmlNodePtr t = n->children; t; t = t->next) {
		const char *first;
		long line;

		if (t->type != XML_TEXT_NODE && t->type != XML_CDATA_SECTION_NODE)
			continue;
		line = text_line(t, &first);
		if (*first) {
			char word[PF_SHOW_MAX + 1];
			size_t len = strcspn(first, "\r\n");

			while (len && strchr(" \t", first[len - 1]))
				len--;
			snprintf(word, sizeof(word), "%.*s", (int)len, first);
			return fail_line(ld, (unsigned)line, (const char *)n->name,
			                 -EINVAL, "unexpected text '%s'", shown(word, b));
		}
	}
	return fail(ld, n, -EINVAL, "unexpected text");
}

/* An element the schema does not allow where it is.  libxml2 blames an
 * empty element that has a child for being there: blame the child. */
int misplaced(struct load *ld, xmlNodePtr n)
{
	xmlNodePtr up = n->parent, child = xmlFirstElementChild(n);
	const struct elem_spec *ps = up && up->type == XML_ELEMENT_NODE
	                           ? spec_of(up) : NULL;
	const struct elem_spec *es = spec_of(n);
	const char *what = known_name(n->name) ? "not expected here" : "unknown";

	if (es && !es->holds && child)
		return misplaced(ld, child);
	if (!ps)
		return fail(ld, n, -EINVAL, "%s", what);
	return fail(ld, n, -EINVAL, "%s (%s%s holds %s)", what, up->name,
	            ps->parent && !strcmp(ps->parent, "dump") ? " in a dump" : "",
	            ps->holds ? ps->holds : "nothing");
}

/* Says what the schema's first complaint means, from the tables. */
static int schema_fail(struct load *ld, const struct xml_err *xe)
{
	xmlNodePtr n = xe->node;
	const struct elem_spec *es;
	uint64_t v[PF_MAX_ATTRS];

	if (!n || n->type != XML_ELEMENT_NODE)
		return fail_in(ld, ld->path, xe->line, -EINVAL, "%s", xe->msg);
	es = spec_of(n);
	switch (xe->code) {
	case XML_RELAXNG_ERR_ATTRVALID:
		if (es && attrs_read(ld, n, es->attrs, v))
			return -EINVAL;
		return fail(ld, n, -EINVAL, "invalid attributes");
	case XML_RELAXNG_ERR_INVALIDATTR:
		/* Also an optional attribute's bad value (plugged="yes"). */
		if (es && attrs_read(ld, n, es->attrs, v))
			return -EINVAL;
		return fail(ld, n, -EINVAL, "unexpected attribute %s", xe->str1);
	case XML_RELAXNG_ERR_ELEMWRONG:
		return misplaced(ld, n);
	case XML_RELAXNG_ERR_NOELEM:
		if (es && es->first && !is_elem(xmlFirstElementChild(n), es->first))
			return fail(ld, n, -EINVAL, "expected element %s", es->first);
		return fail(ld, n, -EINVAL, "missing a child element");
	case XML_RELAXNG_ERR_TEXTWRONG:
		return text_fail(ld, n);
	case XML_RELAXNG_ERR_ELEMWRONGNS:
	case XML_RELAXNG_ERR_ELEMEXTRANS:
		return fail(ld, n, -EINVAL, "in an XML namespace; platform files "
		            "use none");
	case XML_RELAXNG_ERR_ELEMNAME:
		return fail(ld, n, -EINVAL, "expected element %s", xe->str1);
	default:
		return fail(ld, n, -EINVAL, "%s", xe->msg);
	}
}

int validate(struct load *ld, const char *schema_path)
{
	xmlRelaxNGValidCtxtPtr vc;
	xmlRelaxNGPtr schema = NULL;
	struct xml_err xe = { 0 };
	int rc = schema_load(ld, schema_path, &schema);

	if (rc)
		return rc;
	vc = xmlRelaxNGNewValidCtxt(schema);
	if (!vc) {
		xmlRelaxNGFree(schema);
		return oom(ld);
	}
	xmlRelaxNGSetValidStructuredErrors(vc, schema_error, &xe);
	rc = xmlRelaxNGValidateDoc(vc, ld->doc);
	xmlRelaxNGFreeValidCtxt(vc);
	xmlRelaxNGFree(schema);
	if (rc == 0 && !xe.set)
		return 0;
	if (!xe.set)
		return fail_in(ld, ld->path, 0, rc < 0 ? -ENOMEM : -EINVAL,
		               "schema validation failed");
	return schema_fail(ld, &xe);
}
