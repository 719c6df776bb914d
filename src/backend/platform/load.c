/* SPDX-License-Identifier: MIT */
/*
 * Platform files: a platform and its PCI devices in XML
 * (include/pvhdev/platform_file.h; docs/platform-format.md).  This file:
 * the loader's state and messages, reading files, the steps, the API;
 * the steps themselves are in xml.c, elements.c, devices.c, checks.c.
 *
 * Loading runs in four steps:
 *
 *   1. parse    read the whole file (at most PF_FILE_MAX bytes) and parse
 *               it with libxml2: no network, no DOCTYPE, so no entities
 *               beyond the five predefined ones.
 *   2. schema   validate against data/schema/platform.rng.  libxml2's
 *               RELAX NG messages rarely say what was expected ("Element
 *               e820 failed to validate attributes"), so the first error
 *               is diagnosed again from the element tables below, which
 *               also drive step 3.  The schema stays the one authority on
 *               structure; the tables only explain its verdicts.
 *   3. read     walk <platform>'s children: parse every attribute
 *               (ranges, SBDFs, e820 type names), load the dumps, build
 *               inline devices, apply BAR size overrides.
 *   4. check    overlaps: e820, MCFG buses and windows, IO-APIC ids, GSIs
 *               and windows, reserved ranges; SBDFs hidden or defined
 *               twice.
 *
 * Every error is one line, "FILE:LINE: element NAME: what was expected",
 * and the first one wins.  This is a host part: libc and libxml2.
 */
#include "backend/platform/pf.h"

/* ---- Messages ---- */

__attribute__((format(printf, 6, 0)))
static int vfail(struct load *ld, const char *path, long line,
                 const char *elem, int err, const char *fmt, va_list ap)
{
	int n;

	if (ld->failed || !ld->err || !ld->err_len)
		return err;
	ld->failed = true;
	if (line > 0)
		n = snprintf(ld->err, ld->err_len, "%s:%ld: ", path, line);
	else
		n = snprintf(ld->err, ld->err_len, "%s: ", path);
	if (n >= 0 && (size_t)n < ld->err_len && elem)
		n += snprintf(ld->err + n, ld->err_len - (size_t)n, "element %s: ",
		              elem);
	if (n >= 0 && (size_t)n < ld->err_len)
		vsnprintf(ld->err + n, ld->err_len - (size_t)n, fmt, ap);
	return err;
}

/* "PATH:LINE: msg", or "PATH: msg" when line <= 0; returns err. */
__attribute__((format(printf, 5, 6)))
int fail_in(struct load *ld, const char *path, long line, int err,
                   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ld, path, line, NULL, err, fmt, ap);
	va_end(ap);
	return err;
}

/* "FILE:LINE: element NAME: msg" about node n; returns err. */
__attribute__((format(printf, 4, 5)))
int fail(struct load *ld, xmlNodePtr n, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ld, ld->path, xmlGetLineNo(n), (const char *)n->name, err, fmt, ap);
	va_end(ap);
	return err;
}

/* "FILE:LINE: element NAME: msg" when only the line is known. */
__attribute__((format(printf, 5, 6)))
int fail_line(struct load *ld, unsigned line, const char *elem, int err,
                     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ld, ld->path, line, elem, err, fmt, ap);
	va_end(ap);
	return err;
}

int oom(struct load *ld)
{
	return fail_in(ld, ld->path, 0, -ENOMEM, "out of memory");
}

/* s as a message quotes it: at most PF_SHOW_MAX bytes (cut at a UTF-8
 * character boundary, then "..."), control characters as '?', so a
 * message stays one line whatever the file holds. */
const char *shown(const char *s, char buf[PF_SHOW_MAX + 4])
{
	size_t n = strnlen(s, PF_SHOW_MAX + 1);
	bool cut = n > PF_SHOW_MAX;

	if (cut) {
		n = PF_SHOW_MAX;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(buf + n, cut ? "..." : "");
	return buf;
}

/* ---- Small helpers ---- */

/* Appends a zeroed element of size bytes; NULL when out of memory. */
void *vec_push(struct vec *v, size_t size)
{
	if (v->nr == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 8;
		void *p;

		if (cap > SIZE_MAX / size)
			return NULL;
		p = realloc(v->p, cap * size);
		if (!p)
			return NULL;
		v->p = p;
		v->cap = cap;
	}
	void *e = (char *)v->p + v->nr++ * size;
	memset(e, 0, size);
	return e;
}

/* A new item of table t, made at line; NULL when out of memory. */
void *tab_push(struct load *ld, enum pf_tab t, long line)
{
	unsigned *l = vec_push(&ld->lines[t], sizeof(*l));

	if (!l)
		return NULL;
	*l = line > 0 ? (unsigned)line : 0;
	void *e = vec_push(&ld->pf->tab[t], pf_elem_size[t]);
	if (!e)
		ld->lines[t].nr--;
	return e;
}

__attribute__((format(printf, 2, 3)))
int note(struct load *ld, const char *fmt, ...)
{
	char **slot = vec_push(&ld->pf->notes, sizeof(char *));
	va_list ap;
	int n;

	if (!slot)
		return oom(ld);
	va_start(ap, fmt);
	n = vasprintf(slot, fmt, ap);
	va_end(ap);
	if (n < 0) {
		ld->pf->notes.nr--;
		return oom(ld);
	}
	return 0;
}

/* Reads f to its end into *buf (NUL-terminated): 0, -EFBIG past
 * PF_FILE_MAX bytes, -ENOMEM, or fread's errno. */
static int read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 0, n = 0, got;
	char *b = NULL;
	int err = 0;

	do {
		if (n == cap) {
			/* Doubling from 64 KiB up to one byte past the limit: a
			 * file that fills that is too large. */
			size_t next = cap ? 2 * cap : 1u << 16;
			char *nb;

			if (cap > PF_FILE_MAX) {
				err = -EFBIG;
				break;
			}
			next = next > PF_FILE_MAX + 1 ? PF_FILE_MAX + 1 : next;
			nb = realloc(b, next + 1);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
			cap = next;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (!err && ferror(f))
		err = -(errno ? errno : EIO);
	if (!err && n > PF_FILE_MAX)
		err = -EFBIG;
	if (err) {
		free(b);
		return err;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Reads all of path into *buf, NUL-terminated. */
int read_file(struct load *ld, const char *path, char **buf,
                     size_t *len)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f)
		return fail_in(ld, path, 0, -errno, "cannot open: %s", strerror(errno));
	errno = 0;
	rc = read_all(f, buf, len);
	fclose(f);
	if (rc == -EFBIG)
		return fail_in(ld, path, 0, rc, "larger than %u MiB", PF_FILE_MAX >> 20);
	if (rc == -ENOMEM)
		return oom(ld);
	if (rc)
		return fail_in(ld, path, 0, rc, "cannot read: %s", strerror(-rc));
	return 0;
}

static int read_platform(struct load *ld)
{
	xmlNodePtr root = xmlDocGetRootElement(ld->doc);
	uint64_t v[PF_MAX_ATTRS];
	int rc;

	if (!root)
		return fail_in(ld, ld->path, 0, -EINVAL, "no root element");
	if (!is_elem(root, "platform"))
		return fail(ld, root, -EINVAL, "expected element platform");
	rc = attrs_read(ld, root, a_platform, v);
	for (xmlNodePtr n = root->children; n && !rc; n = n->next) {
		const struct elem_spec *es;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		es = spec_of(n);
		if (!es || !es->read)
			return misplaced(ld, n);
		rc = attrs_read(ld, n, es->attrs, v);
		if (!rc)
			rc = es->read(ld, n, v);
	}
	return rc;
}

static void platform_fill(struct pvhdev_platform_file *pf)
{
	struct pvhdev_platform *p = &pf->plat;

	p->size = sizeof(*p);
	p->e820 = pf->tab[PF_E820].p;
	p->nr_e820 = pf->tab[PF_E820].nr;
	p->acpi = pf->tab[PF_ACPI].p;
	p->nr_acpi = pf->tab[PF_ACPI].nr;
	p->mcfg = pf->tab[PF_MCFG].p;
	p->nr_mcfg = pf->tab[PF_MCFG].nr;
	p->ioapics = pf->tab[PF_IOAPIC].p;
	p->nr_ioapics = pf->tab[PF_IOAPIC].nr;
	p->hidden = pf->tab[PF_HIDDEN].p;
	p->nr_hidden = pf->tab[PF_HIDDEN].nr;
	p->reserved = pf->tab[PF_RESERVED].p;
	p->nr_reserved = pf->tab[PF_RESERVED].nr;
}

/* path's directory: what a dump's file is relative to. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* ---- API ---- */

int pvhdev_platform_file_schema(const char *source_datadir, char *buf,
                                size_t len)
{
#ifdef PVHDEV_DATADIR
	const char *installed = PVHDEV_DATADIR;
#else
	const char *installed = NULL;
#endif
	const char *dirs[] = { getenv("PVHDEV_DATADIR"), source_datadir, installed };
	bool too_long = false;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int n;

		if (!dirs[i] || !*dirs[i])
			continue;
		n = snprintf(buf, len, "%s/%s", dirs[i], PVHDEV_PLATFORM_SCHEMA);
		if (n < 0 || (size_t)n >= len)
			too_long = true;
		else if (access(buf, R_OK) == 0)
			return 0;
	}
	return too_long ? -ENAMETOOLONG : -ENOENT;
}

static int load_steps(struct load *ld, const char *schema_path)
{
	char found[4096];
	size_t len;
	char *buf = NULL;
	int rc = read_file(ld, ld->path, &buf, &len);

	if (rc)
		return rc;
	rc = xml_parse(ld, ld->path, buf, len, &ld->doc);
	free(buf);
	if (!rc && !schema_path) {
		rc = pvhdev_platform_file_schema(NULL, found, sizeof(found));
		if (rc)
			return fail_in(ld, ld->path, 0, rc, "cannot find the schema %s "
			               "(set PVHDEV_DATADIR to the directory that holds "
			               "it)", PVHDEV_PLATFORM_SCHEMA);
		schema_path = found;
	}
	if (!rc)
		rc = validate(ld, schema_path);
	if (!rc)
		rc = read_platform(ld);
	if (!rc)
		rc = check_all(ld);
	return rc;
}

int pvhdev_platform_file_load(const char *path, const char *schema_path,
                              struct pvhdev_platform_file **out, char *err,
                              size_t err_len)
{
	struct load ld = { .path = path, .err = err, .err_len = err_len };
	int rc;

	if (err && err_len)
		err[0] = '\0';
	if (!out || !path)
		return -EINVAL;
	*out = NULL;
	ld.pf = calloc(1, sizeof(*ld.pf));
	ld.dir = dir_of(path);
	rc = ld.pf && ld.dir ? load_steps(&ld, schema_path) : oom(&ld);
	if (!rc) {
		platform_fill(ld.pf);
		*out = ld.pf;
	} else {
		pvhdev_platform_file_free(ld.pf);
	}
	xmlFreeDoc(ld.doc);
	for (size_t i = 0; i < PF__NR_TABS; i++)
		free(ld.lines[i].p);
	free(ld.ovr_lines.p);
	free(ld.dir);
	return rc;
}

void pvhdev_platform_file_free(struct pvhdev_platform_file *pf)
{
	struct pvhdev_dump **dumps;
	uint8_t **cfgs;
	char **notes;

	if (!pf)
		return;
	dumps = pf->dumps.p;
	cfgs = pf->cfgs.p;
	notes = pf->notes.p;
	struct pvhdev_fake_mask **masks = pf->masks.p;
	for (size_t i = 0; i < pf->masks.nr; i++)
		free(masks[i]);
	free(pf->masks.p);
	for (size_t i = 0; i < pf->dumps.nr; i++)
		pvhdev_dump_free(dumps[i]);
	for (size_t i = 0; i < pf->cfgs.nr; i++)
		free(cfgs[i]);
	for (size_t i = 0; i < pf->notes.nr; i++)
		free(notes[i]);
	for (size_t i = 0; i < PF__NR_TABS; i++)
		free(pf->tab[i].p);
	free(pf->dumps.p);
	free(pf->cfgs.p);
	free(pf->notes.p);
	free(pf->description);
	free(pf);
}

const struct pvhdev_platform *
pvhdev_platform_file_platform(const struct pvhdev_platform_file *pf)
{
	return &pf->plat;
}

size_t pvhdev_platform_file_count(const struct pvhdev_platform_file *pf)
{
	return pf->tab[PF_DEV].nr;
}

const struct pvhdev_fake_dev *
pvhdev_platform_file_devs(const struct pvhdev_platform_file *pf)
{
	return pf->tab[PF_DEV].p;
}

const char *pvhdev_platform_file_description(const struct pvhdev_platform_file *pf)
{
	return pf->description ? pf->description : "";
}

size_t pvhdev_platform_file_nr_notes(const struct pvhdev_platform_file *pf)
{
	return pf->notes.nr;
}

const char *pvhdev_platform_file_note(const struct pvhdev_platform_file *pf,
                                      size_t i)
{
	return i < pf->notes.nr ? ((char **)pf->notes.p)[i] : NULL;
}
