/* SPDX-License-Identifier: MIT */
/*
 * Platform files: a platform and its PCI devices in XML
 * (include/pvhdev/platform_file.h; docs/platform-format.md).
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
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlversion.h>

#include <pvhdev/dump.h>
#include <pvhdev/ioapic.h>
#include <pvhdev/platform_file.h>

#include "backend/host_util.h"

#define PF_FILE_MAX (64u << 20)   /* bytes: largest platform file or schema */
#define PF_SHOW_MAX 40            /* chars of a value quoted in a message */
#define PF_MAX_ATTRS 4            /* attributes of the widest element */
#define PF_CFG_MIN 64u            /* bytes: a type 0/1/2 header */
#define PF_MCFG_BUS_SHIFT 20      /* ECAM: 1 MiB of config space per bus */
#define PF_LAPIC_ALIGN 0x1000u    /* the APIC base MSR holds a page number */
#define PF_IOAPIC_ALIGN 16u       /* what pvhdev_ioapic_add() requires */
#define PF_IO_MAX 256u            /* largest IO BAR, bytes (PCI 3.0 6.2.5.1) */
#define PF_MEM_MIN 16u            /* bits 3:0 of a memory BAR are flags */
#define PF_IO_MIN 4u              /* bits 1:0 of an IO BAR are flags */
#define PF_MAX32 0x80000000ull    /* largest 32-bit BAR or ROM, bytes */
#define PF_MAX64 (1ull << 63)     /* largest 64-bit BAR, bytes */
#define PF_ROM_MIN 0x800u         /* the ROM address field is bits 31:11 */
#define PF_NR_BARS 6

/* Parse options: no network; line numbers past 65535; libxml2 reports
 * errors to us only (the structured handler), never to stderr. */
#define PF_XML_OPTIONS                                                      \
	(XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOERROR |         \
	 XML_PARSE_NOWARNING)

/* libxml2 2.12 made the structured error argument const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *pf_xml_error;
#else
typedef xmlErrorPtr pf_xml_error;
#endif

/* ---- State ---- */

/* A growable array of elements of one size. */
struct vec {
	void *p;
	size_t nr, cap;
};

/* What the platform lists, each kept as the public struct. */
enum pf_tab {
	PF_E820,     /* struct pvhdev_e820_entry */
	PF_ACPI,     /* struct pvhdev_acpi_table */
	PF_MCFG,     /* struct pvhdev_mcfg */
	PF_IOAPIC,   /* struct pvhdev_ioapic_desc */
	PF_HIDDEN,   /* pvhdev_sbdf_t */
	PF_RESERVED, /* struct pvhdev_mem_range */
	PF_DEV,      /* struct pvhdev_fake_dev */
	PF__NR_TABS
};

static const size_t pf_elem_size[PF__NR_TABS] = {
	[PF_E820] = sizeof(struct pvhdev_e820_entry),
	[PF_ACPI] = sizeof(struct pvhdev_acpi_table),
	[PF_MCFG] = sizeof(struct pvhdev_mcfg),
	[PF_IOAPIC] = sizeof(struct pvhdev_ioapic_desc),
	[PF_HIDDEN] = sizeof(pvhdev_sbdf_t),
	[PF_RESERVED] = sizeof(struct pvhdev_mem_range),
	[PF_DEV] = sizeof(struct pvhdev_fake_dev),
};

struct pvhdev_platform_file {
	struct pvhdev_platform plat; /* points into tab[] */
	struct vec tab[PF__NR_TABS];
	struct vec dumps;            /* struct pvhdev_dump *, owning devices' cfg */
	struct vec cfgs;             /* uint8_t *: inline devices' config bytes */
	struct vec masks;            /* struct pvhdev_fake_mask *: devices' masks */
	struct vec notes;            /* char * */
	char *description;
};

/* The first error libxml2 reported, copied out of its buffers. */
struct xml_err {
	bool set;
	int code;        /* XML_ERR_* or XML_RELAXNG_ERR_* */
	long line;       /* 0: unknown */
	xmlNodePtr node; /* element it is about, or NULL */
	char msg[256];   /* libxml2's message without the newline */
	char str1[64];
};

struct load {
	const char *path;         /* the platform file, as the caller gave it */
	char *dir;                /* its directory: dumps are relative to it */
	char *err;
	size_t err_len;
	bool failed;              /* err holds the first error: keep it */
	struct pvhdev_platform_file *pf;
	xmlDocPtr doc;
	struct vec lines[PF__NR_TABS]; /* unsigned: line of each tab[] item */
	struct vec ovr_lines;     /* unsigned per device: its override's line */
};

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
static int fail_in(struct load *ld, const char *path, long line, int err,
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
static int fail(struct load *ld, xmlNodePtr n, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ld, ld->path, xmlGetLineNo(n), (const char *)n->name, err, fmt, ap);
	va_end(ap);
	return err;
}

/* "FILE:LINE: element NAME: msg" when only the line is known. */
__attribute__((format(printf, 5, 6)))
static int fail_line(struct load *ld, unsigned line, const char *elem, int err,
                     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ld, ld->path, line, elem, err, fmt, ap);
	va_end(ap);
	return err;
}

static int oom(struct load *ld)
{
	return fail_in(ld, ld->path, 0, -ENOMEM, "out of memory");
}

/* s as a message quotes it: at most PF_SHOW_MAX bytes (cut at a UTF-8
 * character boundary, then "..."), control characters as '?', so a
 * message stays one line whatever the file holds. */
static const char *shown(const char *s, char buf[PF_SHOW_MAX + 4])
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
static void *vec_push(struct vec *v, size_t size)
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
static void *tab_push(struct load *ld, enum pf_tab t, long line)
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
static int note(struct load *ld, const char *fmt, ...)
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
static int read_file(struct load *ld, const char *path, char **buf,
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

/* ---- Numbers, SBDFs, names ---- */

enum num_verdict { NUM_OK, NUM_BAD, NUM_NEG, NUM_BIG };

/* "0x"-prefixed hex or decimal, nothing else (no sign, no spaces). */
static enum num_verdict parse_num(const char *s, uint64_t *out, bool *hex)
{
	unsigned base = 10;
	bool big = false;
	uint64_t v = 0;

	*out = 0;
	if (s[0] == '-')
		return parse_num(s + 1, &v, hex) == NUM_BAD ? NUM_BAD : NUM_NEG;
	*hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (*hex) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return NUM_BAD;
	for (; *s; s++) {
		int d = pvhdev__digit(*s, base);

		if (d < 0)
			return NUM_BAD;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			big = true;
		else
			v = v * base + (unsigned)d;
	}
	*out = v;
	return big ? NUM_BIG : NUM_OK;
}

/* "[ssss:]bb:dd.f" in hex, as lspci prints it. */
static const struct {
	const char *name;
	uint32_t type;
} pf_e820_names[] = {
	{ "ram", PVHDEV_E820_RAM },
	{ "reserved", PVHDEV_E820_RESERVED },
	{ "acpi", PVHDEV_E820_ACPI },
	{ "nvs", PVHDEV_E820_NVS },
	{ "unusable", PVHDEV_E820_UNUSABLE },
	{ "disabled", 6 },               /* ACPI 6: AddressRangeDisabled */
	{ "pmem", 7 },                   /* ACPI 6: AddressRangePersistentMemory */
	{ "pram", 12 },                  /* legacy OEM persistent memory (Linux) */
	{ "soft-reserved", 0xefffffffu } /* EFI specific-purpose memory (Linux) */
};

static bool e820_type_of(const char *s, uint32_t *type)
{
	for (size_t i = 0; i < sizeof(pf_e820_names) / sizeof(pf_e820_names[0]); i++)
		if (!strcmp(s, pf_e820_names[i].name)) {
			*type = pf_e820_names[i].type;
			return true;
		}
	return false;
}

/* ---- The element tables ---- */

enum attr_kind {
	A_NUM,     /* a number from min to max */
	A_SBDF,    /* "[ssss:]bb:dd.f" */
	A_E820,    /* an e820 type name or a 32-bit number */
	A_SIG,     /* an ACPI signature: four printable ASCII characters */
	A_VERSION, /* the format's version: "1" */
	A_TEXT,    /* any non-empty string */
};

struct attr_spec {
	const char *name; /* NULL ends a list */
	enum attr_kind kind;
	uint64_t min, max;
};

#define NUM(name, min, max) { name, A_NUM, min, max }
#define STR(name, kind) { name, kind, 0, 0 }
#define END { NULL, A_NUM, 0, 0 }
static const struct attr_spec a_none[] = { END };
static const struct attr_spec a_platform[] = { STR("version", A_VERSION), END };
static const struct attr_spec a_e820[] = {
	NUM("addr", 0, UINT64_MAX), NUM("size", 1, UINT64_MAX), STR("type", A_E820),
	END };
static const struct attr_spec a_acpi[] = {
	STR("signature", A_SIG), NUM("addr", 0, UINT64_MAX),
	NUM("length", 1, UINT32_MAX), END };
static const struct attr_spec a_mcfg[] = {
	NUM("addr", 0, UINT64_MAX), NUM("segment", 0, 0xffff),
	NUM("start-bus", 0, 0xff), NUM("end-bus", 0, 0xff), END };
static const struct attr_spec a_ioapic[] = {
	NUM("id", 0, 0xff), NUM("addr", 0, UINT64_MAX),
	NUM("gsi-base", 0, UINT32_MAX), NUM("pins", 1, PVHDEV_IOAPIC_MAX_PINS),
	END };
static const struct attr_spec a_addr[] = { NUM("addr", 0, UINT64_MAX), END };
static const struct attr_spec a_sbdf[] = { STR("sbdf", A_SBDF), END };
static const struct attr_spec a_range[] = {
	NUM("addr", 0, UINT64_MAX), NUM("size", 1, UINT64_MAX), END };
static const struct attr_spec a_dump[] = { STR("file", A_TEXT), END };
static const struct attr_spec a_bar[] = {
	NUM("index", 0, PF_NR_BARS - 1), NUM("size", 0, UINT64_MAX), END };
static const struct attr_spec a_rom[] = { NUM("size", 0, UINT64_MAX), END };
static const struct attr_spec a_mask[] = {
	NUM("offset", 0, PVHDEV_CFG_EXP_SIZE - 1), NUM("size", 1, 4),
	NUM("rw", 0, UINT32_MAX), NUM("rw1c", 0, UINT32_MAX), END };
#undef NUM
#undef STR
#undef END

/* Readers of <platform>'s children: v holds the attributes, parsed, in
 * the order of the element's attr_spec list. */
typedef int (*elem_read_fn)(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_e820(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_acpi(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_mcfg(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_ioapic(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_lapic(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_hidden(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_reserved(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_dump(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_device(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_description(struct load *ld, xmlNodePtr n, const uint64_t *v);

#define PF_PLATFORM_HOLDS                                                   \
	"description, e820, acpi, mcfg, ioapic, lapic, hidden, reserved, "  \
	"dump, device, in this order"

/* One row per element of the schema (where it may appear, what it
 * holds), so that messages can say what was expected. */
static const struct elem_spec {
	const char *name;
	const char *parent;    /* NULL: the document's root */
	const struct attr_spec *attrs;
	const char *holds;     /* its children, for messages; NULL: none */
	const char *first;     /* a child it must start with, or NULL */
	elem_read_fn read;     /* for <platform>'s children */
} pf_elems[] = {
	{ "platform", NULL, a_platform, PF_PLATFORM_HOLDS, NULL, NULL },
	{ "description", "platform", a_none, "text", NULL, read_description },
	{ "e820", "platform", a_e820, NULL, NULL, read_e820 },
	{ "acpi", "platform", a_acpi, NULL, NULL, read_acpi },
	{ "mcfg", "platform", a_mcfg, NULL, NULL, read_mcfg },
	{ "ioapic", "platform", a_ioapic, NULL, NULL, read_ioapic },
	{ "lapic", "platform", a_addr, NULL, NULL, read_lapic },
	{ "hidden", "platform", a_sbdf, NULL, NULL, read_hidden },
	{ "reserved", "platform", a_range, NULL, NULL, read_reserved },
	{ "dump", "platform", a_dump, "device elements", NULL, read_dump },
	{ "device", "platform", a_sbdf, "config, then bar elements, then a rom, "
	  "then vf-bar elements, then mask elements", "config", read_device },
	{ "device", "dump", a_sbdf, "bar elements, then a rom, then vf-bar elements, "
	  "then mask elements", NULL, NULL },
	{ "config", "device", a_none, "hex bytes", NULL, NULL },
	{ "bar", "device", a_bar, NULL, NULL, NULL },
	{ "rom", "device", a_rom, NULL, NULL, NULL },
	{ "vf-bar", "device", a_bar, NULL, NULL, NULL },
	{ "mask", "device", a_mask, NULL, NULL, NULL },
};

static bool is_elem(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

static const struct elem_spec *spec_of(xmlNodePtr n)
{
	xmlNodePtr up = n->parent;
	bool root = !up || up->type != XML_ELEMENT_NODE;

	for (size_t i = 0; i < sizeof(pf_elems) / sizeof(pf_elems[0]); i++) {
		const struct elem_spec *es = &pf_elems[i];

		if (strcmp(es->name, (const char *)n->name))
			continue;
		if (es->parent ? !root && is_elem(up, es->parent) : root)
			return es;
	}
	return NULL;
}

static bool known_name(const xmlChar *name)
{
	for (size_t i = 0; i < sizeof(pf_elems) / sizeof(pf_elems[0]); i++)
		if (!strcmp(pf_elems[i].name, (const char *)name))
			return true;
	return false;
}

/* ---- Attributes ---- */

static int num_fail(struct load *ld, xmlNodePtr n, const struct attr_spec *a,
                    const char *s, enum num_verdict nv, uint64_t v, bool hex)
{
	char b[PF_SHOW_MAX + 4];
	const char *how = hex ? "0x%llx" : "%llu";
	char lim[24];

	if (nv == NUM_BAD)
		return fail(ld, n, -EINVAL, "attribute %s: '%s' is not a number "
		            "(expected 0x-prefixed hex or decimal)", a->name, shown(s, b));
	if (nv == NUM_NEG)
		return fail(ld, n, -EINVAL, "attribute %s: '%s' is negative",
		            a->name, shown(s, b));
	if (nv == NUM_BIG)
		return fail(ld, n, -EINVAL, "attribute %s: '%s' does not fit in 64 bits",
		            a->name, shown(s, b));
	snprintf(lim, sizeof(lim), how,
	         (unsigned long long)(v < a->min ? a->min : a->max));
	return fail(ld, n, -EINVAL, "attribute %s: '%s' is %s %s", a->name,
	            shown(s, b), v < a->min ? "below" : "above", lim);
}

/* Parses attribute a's value s into *v; fails with a message. */
static int attr_parse(struct load *ld, xmlNodePtr n, const struct attr_spec *a,
                      const char *s, uint64_t *v)
{
	char b[PF_SHOW_MAX + 4];
	pvhdev_sbdf_t sbdf;
	uint32_t type;
	bool hex = false;
	enum num_verdict nv;

	switch (a->kind) {
	case A_NUM:
		nv = parse_num(s, v, &hex);
		if (nv != NUM_OK || *v < a->min || *v > a->max)
			return num_fail(ld, n, a, s, nv, *v, hex);
		return 0;
	case A_SBDF:
		if (!pvhdev__parse_sbdf(s, &sbdf))
			return fail(ld, n, -EINVAL, "attribute %s: '%s' is not an "
			            "SBDF (expected [ssss:]bb:dd.f in hex, dd at most "
			            "1f, f at most 7)", a->name, shown(s, b));
		*v = sbdf;
		return 0;
	case A_E820:
		if (s[0] >= '0' && s[0] <= '9') {
			static const struct attr_spec t32 = { "type", A_NUM, 0,
			                                      UINT32_MAX };
			return attr_parse(ld, n, &t32, s, v);
		}
		if (!e820_type_of(s, &type))
			return fail(ld, n, -EINVAL, "attribute %s: unknown e820 type "
			            "'%s' (expected ram, reserved, acpi, nvs, unusable, "
			            "disabled, pmem, pram, soft-reserved or a number)",
			            a->name, shown(s, b));
		*v = type;
		return 0;
	default:
		*v = 0;
		return 0;
	}
}

/* The string kinds: checked here, read again by their element's reader. */
static int attr_check_str(struct load *ld, xmlNodePtr n,
                          const struct attr_spec *a, const char *s)
{
	char b[PF_SHOW_MAX + 4];
	size_t len = strlen(s);
	bool sig = len == 4;

	for (size_t i = 0; sig && i < len; i++)
		sig = s[i] > 0x20 && s[i] < 0x7f;
	if (a->kind == A_VERSION && strcmp(s, "1"))
		return fail(ld, n, -EINVAL, "attribute %s: '%s' is not supported "
		            "(expected 1)", a->name, shown(s, b));
	if (a->kind == A_SIG && !sig)
		return fail(ld, n, -EINVAL, "attribute %s: '%s' is not an ACPI "
		            "signature (expected 4 printable ASCII characters)",
		            a->name, shown(s, b));
	if (a->kind == A_TEXT && !len)
		return fail(ld, n, -EINVAL, "attribute %s: empty", a->name);
	return 0;
}

static bool attr_known(const struct attr_spec *spec, xmlAttrPtr a)
{
	if (a->ns)
		return false;
	for (; spec->name; spec++)
		if (!strcmp(spec->name, (const char *)a->name))
			return true;
	return false;
}

/* Reads every attribute of n as spec lists them into v[]; fails on a
 * missing, malformed, out-of-range or unexpected attribute. */
static int attrs_read(struct load *ld, xmlNodePtr n,
                      const struct attr_spec *spec, uint64_t *v)
{
	for (size_t i = 0; spec[i].name; i++) {
		xmlChar *s = xmlGetNoNsProp(n, (const xmlChar *)spec[i].name);
		int rc;

		if (!s)
			return fail(ld, n, -EINVAL, "expected attribute %s", spec[i].name);
		rc = attr_check_str(ld, n, &spec[i], (const char *)s);
		if (!rc)
			rc = attr_parse(ld, n, &spec[i], (const char *)s, &v[i]);
		xmlFree(s);
		if (rc)
			return rc;
	}
	for (xmlAttrPtr a = n->properties; a; a = a->next)
		if (!attr_known(spec, a))
			return fail(ld, n, -EINVAL, "unexpected attribute %s", a->name);
	return 0;
}

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
static int xml_parse(struct load *ld, const char *path, const char *buf,
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
static int misplaced(struct load *ld, xmlNodePtr n)
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

static int validate(struct load *ld, const char *schema_path)
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

/* ---- Platform elements ---- */

/* [addr, addr + size) must end at or below 2^64; size > 0. */
static int range_fits(struct load *ld, xmlNodePtr n, uint64_t addr,
                      uint64_t size)
{
	if (size - 1 <= UINT64_MAX - addr)
		return 0;
	return fail(ld, n, -EINVAL, "0x%llx + 0x%llx runs past the end of the "
	            "64-bit address space", (unsigned long long)addr,
	            (unsigned long long)size);
}

/* e820: addr, size, type */
static int read_e820(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	struct pvhdev_e820_entry *e;
	int rc = range_fits(ld, n, v[0], v[1]);

	if (rc)
		return rc;
	e = tab_push(ld, PF_E820, xmlGetLineNo(n));
	if (!e)
		return oom(ld);
	e->addr = v[0];
	e->size = v[1];
	e->type = (uint32_t)v[2];
	return 0;
}

/* acpi: signature, addr, length */
static int read_acpi(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	struct pvhdev_acpi_table *t;
	xmlChar *sig;
	int rc = range_fits(ld, n, v[1], v[2]);

	if (rc)
		return rc;
	t = tab_push(ld, PF_ACPI, xmlGetLineNo(n));
	sig = xmlGetNoNsProp(n, (const xmlChar *)"signature");
	if (!t || !sig) {
		xmlFree(sig);
		return oom(ld);
	}
	memcpy(t->sig, sig, 4); /* attrs_read() checked: 4 ASCII chars */
	t->sig[4] = '\0';
	xmlFree(sig);
	t->addr = v[1];
	t->len = (uint32_t)v[2];
	return 0;
}

/* mcfg: addr, segment, start-bus, end-bus */
static int read_mcfg(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	const uint64_t bus_size = 1ull << PF_MCFG_BUS_SHIFT;
	struct pvhdev_mcfg *m;
	int rc;

	if (v[0] & (bus_size - 1))
		return fail(ld, n, -EINVAL, "addr 0x%llx is not 1 MiB aligned",
		            (unsigned long long)v[0]);
	if (v[2] > v[3])
		return fail(ld, n, -EINVAL, "start-bus 0x%02llx is above end-bus 0x%02llx",
		            (unsigned long long)v[2], (unsigned long long)v[3]);
	/* Bus 0 sits at addr even when start-bus is not 0: the window ends
	 * at addr + (end-bus + 1) MiB. */
	rc = range_fits(ld, n, v[0], (v[3] + 1) << PF_MCFG_BUS_SHIFT);
	if (rc)
		return rc;
	m = tab_push(ld, PF_MCFG, xmlGetLineNo(n));
	if (!m)
		return oom(ld);
	m->addr = v[0];
	m->seg = (uint16_t)v[1];
	m->start_bus = (uint8_t)v[2];
	m->end_bus = (uint8_t)v[3];
	return 0;
}

/* ioapic: id, addr, gsi-base, pins */
static int read_ioapic(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	struct pvhdev_ioapic_desc *io;
	int rc;

	if (v[1] & (PF_IOAPIC_ALIGN - 1))
		return fail(ld, n, -EINVAL, "addr 0x%llx is not 16-byte aligned",
		            (unsigned long long)v[1]);
	if (v[2] + v[3] - 1 > UINT32_MAX)
		return fail(ld, n, -EINVAL, "GSIs %llu-%llu run past %u",
		            (unsigned long long)v[2], (unsigned long long)(v[2] + v[3] - 1),
		            UINT32_MAX);
	rc = range_fits(ld, n, v[1], PVHDEV_IOAPIC_WINDOW);
	if (rc)
		return rc;
	io = tab_push(ld, PF_IOAPIC, xmlGetLineNo(n));
	if (!io)
		return oom(ld);
	io->id = (uint8_t)v[0];
	io->addr = v[1];
	io->gsi_base = (uint32_t)v[2];
	io->pins = (uint16_t)v[3];
	return 0;
}

/* lapic: addr */
static int read_lapic(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	if (v[0] & (PF_LAPIC_ALIGN - 1) || !v[0])
		return fail(ld, n, -EINVAL, "addr 0x%llx is not a non-zero, 4 KiB "
		            "aligned address", (unsigned long long)v[0]);
	if (ld->pf->plat.lapic_addr)
		return fail(ld, n, -EINVAL, "only one lapic element is allowed");
	ld->pf->plat.lapic_addr = v[0];
	return 0;
}

/* hidden: sbdf */
static int read_hidden(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	pvhdev_sbdf_t *s = tab_push(ld, PF_HIDDEN, xmlGetLineNo(n));

	if (!s)
		return oom(ld);
	*s = (pvhdev_sbdf_t)v[0];
	return 0;
}

/* reserved: addr, size */
static int read_reserved(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	struct pvhdev_mem_range *r;
	int rc = range_fits(ld, n, v[0], v[1]);

	if (rc)
		return rc;
	r = tab_push(ld, PF_RESERVED, xmlGetLineNo(n));
	if (!r)
		return oom(ld);
	r->addr = v[0];
	r->size = v[1];
	return 0;
}

static int read_description(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	xmlChar *s = xmlNodeGetContent(n);
	const char *p = (const char *)s;
	size_t len;

	if (!s)
		return oom(ld);
	p += strspn(p, " \t\r\n");
	len = strlen(p);
	while (len && strchr(" \t\r\n", p[len - 1]))
		len--;
	free(ld->pf->description);
	ld->pf->description = strndup(p, len);
	xmlFree(s);
	return ld->pf->description ? 0 : oom(ld);
}

/* ---- Devices: BARs ---- */

enum bar_kind {
	BAR_NONE,   /* past the header's BARs */
	BAR_IO,
	BAR_MEM32,
	BAR_MEM64,
	BAR_HIGH,   /* the upper half of a 64-bit BAR */
	BAR_BROKEN, /* says 64-bit but is the last BAR: no upper half */
};

static uint32_t cfg32(const struct pvhdev_fake_dev *d, unsigned off)
{
	if (off + 4 > d->cfg_len)
		return 0;
	return (uint32_t)d->cfg[off] | (uint32_t)d->cfg[off + 1] << 8 |
	       (uint32_t)d->cfg[off + 2] << 16 | (uint32_t)d->cfg[off + 3] << 24;
}

static unsigned hdr_type(const struct pvhdev_fake_dev *d)
{
	return d->cfg_len > 0x0e ? d->cfg[0x0e] & 0x7fu : 0;
}

/* BARs per header type (PCI 3.0 6.2.5; the fake backend does not model
 * CardBus windows), and where the expansion ROM register is (0: none). */
static unsigned nr_bars(const struct pvhdev_fake_dev *d)
{
	return hdr_type(d) == 0 ? 6 : hdr_type(d) == 1 ? 2 : 0;
}

static unsigned rom_reg(const struct pvhdev_fake_dev *d)
{
	return hdr_type(d) == 0 ? 0x30 : hdr_type(d) == 1 ? 0x38 : 0;
}

/* What the registers' low bits make BAR i, and its base address. */
static enum bar_kind bar_kind(const struct pvhdev_fake_dev *d, unsigned i,
                              uint64_t *base)
{
	unsigned nr = nr_bars(d);

	*base = 0;
	for (unsigned j = 0; j < nr && j <= i; j++) {
		uint32_t lo = cfg32(d, 0x10 + 4 * j);
		enum bar_kind k = lo & 1 ? BAR_IO : (lo & 6) == 4 ? BAR_MEM64 : BAR_MEM32;
		bool wide = k == BAR_MEM64 && j + 1 < nr;

		if (j == i) {
			*base = lo & (k == BAR_IO ? ~3u : ~15u);
			if (wide)
				*base |= (uint64_t)cfg32(d, 0x10 + 4 * (j + 1)) << 32;
			return k == BAR_MEM64 && !wide ? BAR_BROKEN : k;
		}
		if (wide && ++j == i)
			return BAR_HIGH;
	}
	return BAR_NONE;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* A size the fake backend and real hardware both allow: a power of two
 * between min and max, and the base aligned to it. */
static int size_ok(struct load *ld, xmlNodePtr n, const char *what,
                   uint64_t size, uint64_t min, uint64_t max, uint64_t base)
{
	if (!is_pow2(size))
		return fail(ld, n, -EINVAL, "%s: size 0x%llx is not a power of two",
		            what, (unsigned long long)size);
	if (size < min || size > max)
		return fail(ld, n, -EINVAL, "%s: size 0x%llx is %s 0x%llx", what,
		            (unsigned long long)size, size < min ? "below" : "above",
		            (unsigned long long)(size < min ? min : max));
	if (base & (size - 1))
		return fail(ld, n, -EINVAL, "%s: address 0x%llx is not aligned to "
		            "size 0x%llx", what, (unsigned long long)base,
		            (unsigned long long)size);
	return 0;
}

/* <bar index size>: checks the size against the BAR's register. */
static int bar_size_check(struct load *ld, xmlNodePtr n,
                          const struct pvhdev_fake_dev *d, unsigned i,
                          uint64_t size)
{
	char sb[PVHDEV_SBDF_STRLEN], what[48];
	uint64_t base;
	enum bar_kind k = bar_kind(d, i, &base);

	snprintf(what, sizeof(what), "%s BAR %u", pvhdev_sbdf_str(d->sbdf, sb), i);
	if (k == BAR_NONE)
		return fail(ld, n, -EINVAL, "%s: a type %u header has %s", what,
		            hdr_type(d), nr_bars(d) ? "BARs 0-1 only" : "no BARs");
	if (k == BAR_HIGH)
		return fail(ld, n, -EINVAL, "%s: the upper half of 64-bit BAR %u",
		            what, i - 1);
	if (k == BAR_BROKEN)
		return fail(ld, n, -EINVAL, "%s: marked 64-bit but it is the last BAR",
		            what);
	if (!size)
		return 0; /* not implemented */
	if (k == BAR_IO)
		return size_ok(ld, n, what, size, PF_IO_MIN, PF_IO_MAX, base);
	return size_ok(ld, n, what, size, PF_MEM_MIN,
	               k == BAR_MEM64 ? PF_MAX64 : PF_MAX32, base);
}

/* <rom size>. */
static int rom_size_check(struct load *ld, xmlNodePtr n,
                          const struct pvhdev_fake_dev *d, uint64_t size)
{
	char sb[PVHDEV_SBDF_STRLEN], what[48];

	snprintf(what, sizeof(what), "%s ROM", pvhdev_sbdf_str(d->sbdf, sb));
	if (!rom_reg(d))
		return fail(ld, n, -EINVAL, "%s: a type %u header has no expansion ROM",
		            what, hdr_type(d));
	if (!size)
		return 0;
	return size_ok(ld, n, what, size, PF_ROM_MIN, PF_MAX32,
	               cfg32(d, rom_reg(d)) & ~(uint64_t)(PF_ROM_MIN - 1));
}

/* Notes a size that replaces what a dump gave. */
static int note_override(struct load *ld, xmlNodePtr n,
                         const struct pvhdev_fake_dev *d, int bar,
                         uint64_t old, uint64_t size)
{
	char sb[PVHDEV_SBDF_STRLEN], what[16];

	if (old == size)
		return 0;
	if (bar < 0)
		snprintf(what, sizeof(what), "ROM");
	else
		snprintf(what, sizeof(what), "BAR %d", bar);
	return note(ld, "%s:%ld: %s %s: size 0x%llx replaces 0x%llx from the dump",
	            ld->path, xmlGetLineNo(n), pvhdev_sbdf_str(d->sbdf, sb), what,
	            (unsigned long long)size, (unsigned long long)old);
}

/* <vf-bar index size>: one VF's size of VF BAR index (SR-IOV). */
static int read_vf_bar(struct load *ld, xmlNodePtr n, struct pvhdev_fake_dev *d,
                       bool dumped)
{
	char sb[PVHDEV_SBDF_STRLEN];
	uint64_t v[PF_MAX_ATTRS];
	int rc = attrs_read(ld, n, a_bar, v);

	if (rc)
		return rc;
	if (v[1] && (v[1] & (v[1] - 1) || v[1] < PF_MEM_MIN))
		return fail(ld, n, -EINVAL, "%s VF BAR %llu: size 0x%llx is not a power "
		            "of two of at least 0x%x", pvhdev_sbdf_str(d->sbdf, sb),
		            (unsigned long long)v[0], (unsigned long long)v[1],
		            (unsigned)PF_MEM_MIN);
	if (dumped && d->vf_bar_size[v[0]] != v[1])
		rc = note(ld, "%s:%ld: %s VF BAR %llu: size 0x%llx replaces 0x%llx from "
		          "the dump", ld->path, xmlGetLineNo(n), pvhdev_sbdf_str(d->sbdf, sb),
		          (unsigned long long)v[0], (unsigned long long)v[1],
		          (unsigned long long)d->vf_bar_size[v[0]]);
	d->vf_bar_size[v[0]] = v[1];
	return rc;
}

/* <mask offset size rw rw1c>: which bits of a register the device lets
 * software write (rw) and clear by writing 1 (rw1c), where the fake's
 * rules do not describe this device (docs/dump-backend.md): a register
 * hardwired to 0 (rw 0), a vendor register.  Aligned, inside the
 * device's config space, the masks fitting the size. */
static int mask_check(struct load *ld, xmlNodePtr n, const struct pvhdev_fake_dev *d,
                      const uint64_t *v)
{
	unsigned space = d->cfg_len > PVHDEV_CFG_SIZE ? PVHDEV_CFG_EXP_SIZE : PVHDEV_CFG_SIZE;
	uint64_t bits = v[1] == 4 ? UINT32_MAX : (1ull << (8 * v[1])) - 1;
	char sb[PVHDEV_SBDF_STRLEN];

	pvhdev_sbdf_str(d->sbdf, sb);
	if (v[1] == 3 || v[0] % v[1])
		return fail(ld, n, -EINVAL, "%s mask at 0x%llx: expected size 1, 2 or 4 "
		            "at an offset aligned to it", sb, (unsigned long long)v[0]);
	if (v[0] + v[1] > space)
		return fail(ld, n, -EINVAL, "%s mask at 0x%llx: past the device's %u bytes "
		            "of config space", sb, (unsigned long long)v[0], space);
	if ((v[2] | v[3]) & ~bits)
		return fail(ld, n, -EINVAL, "%s mask at 0x%llx: rw 0x%llx and rw1c 0x%llx "
		            "must fit in %llu byte%s", sb, (unsigned long long)v[0],
		            (unsigned long long)v[2], (unsigned long long)v[3],
		            (unsigned long long)v[1], v[1] == 1 ? "" : "s");
	return 0;
}

/* The mask children of n, as the device's overrides. */
static int read_masks(struct load *ld, xmlNodePtr n, size_t dev)
{
	struct pvhdev_fake_dev *d = (struct pvhdev_fake_dev *)ld->pf->tab[PF_DEV].p + dev;
	struct pvhdev_fake_mask *m, **slot;
	uint64_t v[PF_MAX_ATTRS];
	size_t nr = 0;
	int rc;

	for (xmlNodePtr c = n->children; c; c = c->next)
		nr += is_elem(c, "mask");
	if (!nr)
		return 0;
	if (!(slot = vec_push(&ld->pf->masks, sizeof(*slot))) ||
	    !(*slot = m = calloc(nr, sizeof(*m))))
		return oom(ld);
	d->masks = m;
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (!is_elem(c, "mask"))
			continue;
		if ((rc = attrs_read(ld, c, a_mask, v)) || (rc = mask_check(ld, c, d, v)))
			return rc;
		m[d->nr_masks++] = (struct pvhdev_fake_mask){
			(uint16_t)v[0], (uint8_t)v[1], (uint32_t)v[2], (uint32_t)v[3] };
	}
	return 0;
}

/* The bar, rom, vf-bar and mask children of n (a device), applied to d
 * in order. */
static int read_sizes(struct load *ld, xmlNodePtr n, size_t dev, bool dumped)
{
	unsigned seen = 0; /* bit i: BAR i given */
	uint64_t v[PF_MAX_ATTRS];

	for (xmlNodePtr c = n->children; c; c = c->next) {
		struct pvhdev_fake_dev *d =
			(struct pvhdev_fake_dev *)ld->pf->tab[PF_DEV].p + dev;
		bool bar = is_elem(c, "bar");
		int rc;

		if (is_elem(c, "vf-bar")) {
			rc = read_vf_bar(ld, c, d, dumped);
			if (rc)
				return rc;
			continue;
		}
		if (!bar && !is_elem(c, "rom"))
			continue;
		rc = attrs_read(ld, c, bar ? a_bar : a_rom, v);
		if (!rc && bar && seen >> v[0] & 1)
			rc = fail(ld, c, -EINVAL, "BAR %llu is given twice",
			          (unsigned long long)v[0]);
		if (!rc && bar)
			rc = bar_size_check(ld, c, d, (unsigned)v[0], v[1]);
		if (!rc && !bar)
			rc = rom_size_check(ld, c, d, v[0]);
		if (!rc && dumped)
			rc = note_override(ld, c, d, bar ? (int)v[0] : -1,
			                   bar ? d->bar_size[v[0]] : d->rom_size,
			                   bar ? v[1] : v[0]);
		if (rc)
			return rc;
		if (bar) {
			seen |= 1u << v[0];
			d->bar_size[v[0]] = v[1];
		} else {
			d->rom_size = v[0];
		}
	}
	return read_masks(ld, n, dev);
}

/* ---- Devices: dumps ---- */

/* dir/file, or file when it is absolute. */
static char *path_join(const char *dir, const char *file)
{
	char *p = NULL;

	if (file[0] == '/')
		return strdup(file);
	return asprintf(&p, "%s/%s", dir, file) < 0 ? NULL : p;
}

/* What follows "PATH:" in the dump loader's message, or NULL when it
 * does not start with the path we opened. */
static const char *dump_msg_rest(const char *msg, const char *path)
{
	size_t n = strlen(path);

	return !strncmp(msg, path, n) && msg[n] == ':' ? msg + n + 1 : NULL;
}

static int dump_open(struct load *ld, xmlNodePtr n, const char *file,
                     struct pvhdev_dump **out)
{
	char b[PF_SHOW_MAX + 4], msg[512] = "";
	char *path = path_join(ld->dir, file);
	unsigned line = (unsigned)xmlGetLineNo(n);
	const char *rest;
	FILE *f;
	int rc;

	if (!path)
		return oom(ld);
	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		free(path);
		return fail_line(ld, line, NULL, rc, "dump '%s': cannot open: %s",
		                 shown(file, b), strerror(-rc));
	}
	fclose(f);
	rc = pvhdev_dump_load(path, out, msg, sizeof(msg));
	for (char *p = msg; *p; p++) /* one line, whatever the dump said */
		*p = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	/* Its message names the file as we opened it: say it as written. */
	rest = dump_msg_rest(msg, path);
	if (rc && rest)
		rc = fail_line(ld, line, NULL, rc, "dump '%s': %s:%s", shown(file, b),
		               b, rest);
	else if (rc)
		rc = fail_line(ld, line, NULL, rc, "dump '%s': %s", shown(file, b),
		               msg[0] ? msg : strerror(-rc));
	free(path);
	return rc;
}

/* Copies the dump's devices and notes into the platform file. */
static int dump_take(struct load *ld, xmlNodePtr n, const char *file,
                     const struct pvhdev_dump *dump)
{
	const struct pvhdev_fake_dev *devs = pvhdev_dump_devs(dump);
	char b[PF_SHOW_MAX + 4];

	for (size_t i = 0; i < pvhdev_dump_count(dump); i++) {
		struct pvhdev_fake_dev *d = tab_push(ld, PF_DEV, xmlGetLineNo(n));
		unsigned *ol = vec_push(&ld->ovr_lines, sizeof(*ol));

		if (!d || !ol)
			return oom(ld);
		*d = devs[i];
	}
	for (size_t i = 0; i < pvhdev_dump_nr_notes(dump); i++) {
		int rc = note(ld, "dump '%s': %s", shown(file, b),
		              pvhdev_dump_note(dump, i));
		if (rc)
			return rc;
	}
	return 0;
}

/* <device sbdf> inside <dump>: BAR sizes for one of its devices (the
 * dump's devices are ld's devices from..end, in SBDF order). */
static int read_override(struct load *ld, xmlNodePtr n, const char *file,
                         size_t from, size_t end)
{
	const struct pvhdev_fake_dev *devs = ld->pf->tab[PF_DEV].p;
	unsigned *ovr = ld->ovr_lines.p;
	char b[PF_SHOW_MAX + 4], sb[PVHDEV_SBDF_STRLEN];
	uint64_t v[PF_MAX_ATTRS];
	int rc = attrs_read(ld, n, a_sbdf, v);
	size_t i = from;

	if (rc)
		return rc;
	while (i < end && devs[i].sbdf != v[0])
		i++;
	pvhdev_sbdf_str((pvhdev_sbdf_t)v[0], sb);
	if (i == end)
		return fail(ld, n, -EINVAL, "%s is not in dump '%s'", sb,
		            shown(file, b));
	if (ovr[i])
		return fail(ld, n, -EINVAL, "%s already has sizes at line %u", sb,
		            ovr[i]);
	ovr[i] = (unsigned)xmlGetLineNo(n);
	return read_sizes(ld, n, i, true);
}

/* dump: file */
static int read_dump(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	xmlChar *file = xmlGetNoNsProp(n, (const xmlChar *)"file");
	struct pvhdev_dump **slot;
	size_t from = ld->pf->tab[PF_DEV].nr;
	int rc;

	slot = file ? vec_push(&ld->pf->dumps, sizeof(*slot)) : NULL;
	if (!slot) {
		xmlFree(file);
		return oom(ld);
	}
	rc = dump_open(ld, n, (const char *)file, slot);
	if (rc)
		ld->pf->dumps.nr--;
	if (!rc)
		rc = dump_take(ld, n, (const char *)file, *slot);
	for (xmlNodePtr c = n->children; c && !rc; c = c->next) {
		if (is_elem(c, "device"))
			rc = read_override(ld, c, (const char *)file, from,
			                   ld->pf->tab[PF_DEV].nr);
		else if (c->type == XML_ELEMENT_NODE)
			rc = misplaced(ld, c);
	}
	xmlFree(file);
	return rc;
}

/* ---- Devices: inline ---- */

/* One whitespace-separated token of <config>: hex bytes, or an lspci
 * offset label ("40:") that must say how many bytes came before it. */
static int config_token(struct load *ld, xmlNodePtr n, long line,
                        const char *t, size_t len, uint8_t *cfg, size_t *nr)
{
	char b[PF_SHOW_MAX + 4], tok[PF_SHOW_MAX + 1];
	bool label = t[len - 1] == ':';
	uint64_t off = 0;
	size_t digits = len - label;

	snprintf(tok, sizeof(tok), "%.*s",
	         (int)(len < PF_SHOW_MAX ? len : PF_SHOW_MAX), t);
	for (size_t i = 0; i < digits; i++)
		if (pvhdev__digit(t[i], 16) < 0)
			return fail_line(ld, (unsigned)line, "config", -EINVAL,
			                 "'%s' is not hex bytes", shown(tok, b));
	if (label) {
		for (size_t i = 0; i < digits && off <= PVHDEV_CFG_EXP_SIZE; i++)
			off = off * 16 + (unsigned)pvhdev__digit(t[i], 16);
		if (!digits || off != *nr)
			return fail_line(ld, (unsigned)line, "config", -EINVAL,
			                 "label '%s' but 0x%zx bytes came before it",
			                 shown(tok, b), *nr);
		return 0;
	}
	if (digits % 2)
		return fail_line(ld, (unsigned)line, "config", -EINVAL,
		                 "'%s' has an odd number of hex digits", shown(tok, b));
	if (*nr + digits / 2 > PVHDEV_CFG_EXP_SIZE)
		return fail_line(ld, (unsigned)line, "config", -EINVAL,
		                 "more than %u bytes", PVHDEV_CFG_EXP_SIZE);
	for (size_t i = 0; i < digits; i += 2)
		cfg[(*nr)++] = (uint8_t)(pvhdev__digit(t[i], 16) << 4 | pvhdev__digit(t[i + 1], 16));
	return 0;
}

/* <config>'s text into cfg[PVHDEV_CFG_EXP_SIZE]; *nr bytes. */
static int config_parse(struct load *ld, xmlNodePtr n, uint8_t *cfg, size_t *nr)
{
	xmlChar *text = xmlNodeGetContent(n);
	const char *p = (const char *)text;
	long line = xmlGetLineNo(n); /* the text starts on the tag's line */
	int rc = 0;

	if (!text)
		return oom(ld);
	*nr = 0;
	while (!rc && *p) {
		size_t len = strcspn(p, " \t\r\n");

		if (len)
			rc = config_token(ld, n, line, p, len, cfg, nr);
		p += len;
		for (; *p && strchr(" \t\r\n", *p); p++)
			line += *p == '\n';
	}
	xmlFree(text);
	if (!rc && *nr < PF_CFG_MIN)
		rc = fail(ld, n, -EINVAL, "%zu bytes; expected at least %u (the "
		          "header)", *nr, PF_CFG_MIN);
	if (!rc && cfg[0] == 0xff && cfg[1] == 0xff)
		rc = fail(ld, n, -EINVAL, "vendor ID ffff: no device answers there");
	return rc;
}

/* Notes inline BARs whose register holds something but got no size. */
static int note_unsized(struct load *ld, xmlNodePtr n,
                        const struct pvhdev_fake_dev *d)
{
	char sb[PVHDEV_SBDF_STRLEN];

	for (unsigned i = 0; i < nr_bars(d); i++) {
		uint64_t base;
		enum bar_kind k = bar_kind(d, i, &base);
		int rc = 0;

		if (k != BAR_HIGH && base && !d->bar_size[i])
			rc = note(ld, "%s:%ld: %s BAR %u: address 0x%llx but no "
			          "size given: not implemented", ld->path,
			          xmlGetLineNo(n), pvhdev_sbdf_str(d->sbdf, sb), i,
			          (unsigned long long)base);
		if (rc)
			return rc;
	}
	return 0;
}

/* device: sbdf; <config> first, then sizes */
static int read_device(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	xmlNodePtr c = n->children;
	struct pvhdev_fake_dev *d;
	uint8_t **slot, cfg[PVHDEV_CFG_EXP_SIZE];
	unsigned *ol;
	size_t nr = 0;
	int rc;

	while (c && c->type != XML_ELEMENT_NODE)
		c = c->next;
	if (!is_elem(c, "config"))
		return fail(ld, n, -EINVAL, "expected element config");
	rc = config_parse(ld, c, cfg, &nr);
	if (rc)
		return rc;
	slot = vec_push(&ld->pf->cfgs, sizeof(*slot)); /* NULL entries free fine */
	if (!slot || !(*slot = malloc(nr)))
		return oom(ld);
	memcpy(*slot, cfg, nr);
	d = tab_push(ld, PF_DEV, xmlGetLineNo(n));
	ol = vec_push(&ld->ovr_lines, sizeof(*ol));
	if (!d || !ol)
		return oom(ld);
	d->sbdf = (pvhdev_sbdf_t)v[0];
	d->cfg = *slot;
	d->cfg_len = (uint16_t)nr;
	rc = read_sizes(ld, n, ld->pf->tab[PF_DEV].nr - 1, false);
	return rc ? rc : note_unsized(ld, n, d);
}

/* ---- Checks across elements ---- */

/* An inclusive range [first, last] (bytes, buses, GSIs, SBDFs) and the
 * line of the element it came from. */
struct span {
	uint64_t first, last;
	unsigned line;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Sorts s; true when two overlap: *early came first in the file. */
static bool spans_overlap(struct span *s, size_t n, const struct span **early,
                          const struct span **late)
{
	size_t top = 0; /* the span reaching furthest so far */

	qsort(s, n, sizeof(*s), span_cmp);
	for (size_t i = 1; i < n; i++) {
		if (s[i].first <= s[top].last) {
			bool first = s[top].line <= s[i].line;

			*early = first ? &s[top] : &s[i];
			*late = first ? &s[i] : &s[top];
			return true;
		}
		if (s[i].last > s[top].last)
			top = i;
	}
	return false;
}

/* What one check makes of the i-th item of its table. */
typedef struct span (*span_fn)(const void *item);

static struct span sp_e820(const void *p)
{
	const struct pvhdev_e820_entry *e = p;

	return (struct span){ e->addr, e->addr + e->size - 1, 0 };
}

static struct span sp_mcfg_bus(const void *p)
{
	const struct pvhdev_mcfg *m = p;
	uint64_t seg = (uint64_t)m->seg << 8;

	return (struct span){ seg | m->start_bus, seg | m->end_bus, 0 };
}

static struct span sp_mcfg_win(const void *p)
{
	const struct pvhdev_mcfg *m = p;

	uint64_t first = (uint64_t)m->start_bus << PF_MCFG_BUS_SHIFT;
	uint64_t end = (uint64_t)(m->end_bus + 1) << PF_MCFG_BUS_SHIFT;

	return (struct span){ m->addr + first, m->addr + end - 1, 0 };
}

static struct span sp_ioapic_id(const void *p)
{
	const struct pvhdev_ioapic_desc *io = p;

	return (struct span){ io->id, io->id, 0 };
}

static struct span sp_ioapic_gsi(const void *p)
{
	const struct pvhdev_ioapic_desc *io = p;

	return (struct span){ io->gsi_base, (uint64_t)io->gsi_base + io->pins - 1, 0 };
}

static struct span sp_ioapic_win(const void *p)
{
	const struct pvhdev_ioapic_desc *io = p;

	return (struct span){ io->addr, io->addr + PVHDEV_IOAPIC_WINDOW - 1, 0 };
}

static struct span sp_sbdf(const void *p)
{
	const pvhdev_sbdf_t *s = p;

	return (struct span){ *s, *s, 0 };
}

static struct span sp_dev(const void *p)
{
	const struct pvhdev_fake_dev *d = p;

	return (struct span){ d->sbdf, d->sbdf, 0 };
}

static struct span sp_range(const void *p)
{
	const struct pvhdev_mem_range *r = p;

	return (struct span){ r->addr, r->addr + r->size - 1, 0 };
}

/* How a message names a span. */
typedef void (*span_desc_fn)(const struct span *s, char *buf, size_t len);

static void sd_bytes(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "0x%llx-0x%llx", (unsigned long long)s->first,
	         (unsigned long long)s->last);
}

static void sd_ecam(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "ECAM 0x%llx-0x%llx", (unsigned long long)s->first,
	         (unsigned long long)s->last);
}

static void sd_buses(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "segment %04llx bus range %02llx-%02llx",
	         (unsigned long long)(s->first >> 8),
	         (unsigned long long)(s->first & 0xff),
	         (unsigned long long)(s->last & 0xff));
}

static void sd_id(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "id %llu", (unsigned long long)s->first);
}

static void sd_gsis(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "GSI range %llu-%llu", (unsigned long long)s->first,
	         (unsigned long long)s->last);
}

static void sd_window(const struct span *s, char *buf, size_t len)
{
	snprintf(buf, len, "window 0x%llx-0x%llx", (unsigned long long)s->first,
	         (unsigned long long)s->last);
}

static void sd_sbdf(const struct span *s, char *buf, size_t len)
{
	char sb[PVHDEV_SBDF_STRLEN];

	snprintf(buf, len, "%s", pvhdev_sbdf_str((pvhdev_sbdf_t)s->first, sb));
}

/* One rule: a table, how its items span and are named, and either
 * "overlaps" (again == NULL) or what a repeated point is. */
static const struct overlap_rule {
	enum pf_tab tab;
	span_fn span;
	span_desc_fn desc;
	const char *elem;  /* NULL: devices come from dump or device */
	const char *again;
} pf_overlaps[] = {
	{ PF_E820, sp_e820, sd_bytes, "e820", NULL },
	{ PF_MCFG, sp_mcfg_bus, sd_buses, "mcfg", NULL },
	{ PF_MCFG, sp_mcfg_win, sd_ecam, "mcfg", NULL },
	{ PF_IOAPIC, sp_ioapic_id, sd_id, "ioapic", "is already used" },
	{ PF_IOAPIC, sp_ioapic_gsi, sd_gsis, "ioapic", NULL },
	{ PF_IOAPIC, sp_ioapic_win, sd_window, "ioapic", NULL },
	{ PF_HIDDEN, sp_sbdf, sd_sbdf, "hidden", "is already hidden" },
	{ PF_RESERVED, sp_range, sd_bytes, "reserved", NULL },
	{ PF_DEV, sp_dev, sd_sbdf, NULL, "is already defined" },
};

static int overlap_fail(struct load *ld, const struct overlap_rule *r,
                        const struct span *a, const struct span *b)
{
	char da[64], db[64];

	r->desc(a, da, sizeof(da));
	r->desc(b, db, sizeof(db));
	if (r->again)
		return fail_line(ld, b->line, r->elem, -EINVAL, "%s%s %s at line %u",
		                 r->elem ? "" : "device ", db, r->again, a->line);
	return fail_line(ld, b->line, r->elem, -EINVAL, "%s overlaps %s at line %u",
	                 db, da, a->line);
}

static int check_overlap(struct load *ld, const struct overlap_rule *r)
{
	const struct vec *t = &ld->pf->tab[r->tab];
	const unsigned *lines = ld->lines[r->tab].p;
	const struct span *a, *b;
	struct span *s;
	int rc = 0;

	if (t->nr < 2)
		return 0;
	s = calloc(t->nr, sizeof(*s));
	if (!s)
		return oom(ld);
	for (size_t i = 0; i < t->nr; i++) {
		s[i] = r->span((const char *)t->p + i * pf_elem_size[r->tab]);
		s[i].line = lines[i];
	}
	if (spans_overlap(s, t->nr, &a, &b))
		rc = overlap_fail(ld, r, a, b);
	free(s);
	return rc;
}

static int e820_cmp(const void *a, const void *b)
{
	const struct pvhdev_e820_entry *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

static int dev_cmp(const void *a, const void *b)
{
	const struct pvhdev_fake_dev *x = a, *y = b;

	return (x->sbdf > y->sbdf) - (x->sbdf < y->sbdf);
}

/* Overlaps, then the order the platform promises (once nothing
 * overlaps, sorting cannot tie). */
static int check_all(struct load *ld)
{
	struct vec *e820 = &ld->pf->tab[PF_E820], *devs = &ld->pf->tab[PF_DEV];

	for (size_t i = 0; i < sizeof(pf_overlaps) / sizeof(pf_overlaps[0]); i++) {
		int rc = check_overlap(ld, &pf_overlaps[i]);

		if (rc)
			return rc;
	}
	if (e820->nr)
		qsort(e820->p, e820->nr, pf_elem_size[PF_E820], e820_cmp);
	if (devs->nr)
		qsort(devs->p, devs->nr, pf_elem_size[PF_DEV], dev_cmp);
	return 0;
}

/* <platform version> and each child, in file order. */
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
