/* SPDX-License-Identifier: MIT */
/*
 * src/backend/platform's private header: what the files that load
 * platform files share (include/pvhdev/platform_file.h; the steps are
 * described in load.c).  Functions used across the files are
 * pvhdev__pf_NAME; the macros below keep their short names in the code.
 */
#ifndef PVHDEV_BACKEND_PLATFORM_PF_H
#define PVHDEV_BACKEND_PLATFORM_PF_H

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
#include "pci/header.h"

#define PF_FILE_MAX (64u << 20)   /* bytes: largest platform file or schema */
#define PF_SHOW_MAX 40            /* chars of a value quoted in a message */
#define PF_MAX_ATTRS 4            /* attributes of the widest element */
#define PF_CFG_MIN PVHDEV_PCI_STD_HEADER_SIZEOF /* bytes: a type 0/1/2 header */
#define PF_MCFG_BUS_SHIFT 20      /* ECAM: 1 MiB of config space per bus */
#define PF_LAPIC_ALIGN 0x1000u    /* the APIC base MSR holds a page number */
#define PF_IOAPIC_ALIGN 16u       /* what pvhdev_ioapic_add() requires */
#define PF_NR_BARS PVHDEV_PCI_NR_BARS

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

/* ---- Element tables (elements.c) ---- */

enum attr_kind {
	A_NUM,     /* a number from min to max */
	A_SBDF,    /* "[ssss:]bb:dd.f" */
	A_E820,    /* an e820 type name or a 32-bit number */
	A_SIG,     /* an ACPI signature: four printable ASCII characters */
	A_VERSION, /* the format's version: "1" */
	A_TEXT,    /* any non-empty string */
	A_PLUGGED, /* "later": 1 */
};

struct attr_spec {
	const char *name; /* NULL ends a list */
	enum attr_kind kind;
	uint64_t min, max;
	bool optional;    /* may be missing: its value is 0 */
};

/* Readers of <platform>'s children: v holds the attributes, parsed, in
 * the order of the element's attr_spec list. */
typedef int (*elem_read_fn)(struct load *ld, xmlNodePtr n, const uint64_t *v);

/* One row per element of the schema (where it may appear, what it
 * holds), so that messages can say what was expected. */
struct elem_spec {
	const char *name;
	const char *parent;    /* NULL: the document's root */
	const struct attr_spec *attrs;
	const char *holds;     /* its children, for messages; NULL: none */
	const char *first;     /* a child it must start with, or NULL */
	elem_read_fn read;     /* for <platform>'s children */
};

/* ---- Messages, helpers, reading files, the API (load.c) ---- */

/* The first error wins: "FILE:LINE: element NAME: ...", returns err. */
int pvhdev__pf_fail_in(struct load *ld, const char *path, long line, int err,
                       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int pvhdev__pf_fail(struct load *ld, xmlNodePtr n, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int pvhdev__pf_fail_line(struct load *ld, unsigned line, const char *elem, int err,
                         const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int pvhdev__pf_oom(struct load *ld);
const char *pvhdev__pf_shown(const char *s, char buf[PF_SHOW_MAX + 4]);
void *pvhdev__pf_vec_push(struct vec *v, size_t size);
void *pvhdev__pf_tab_push(struct load *ld, enum pf_tab t, long line);
int pvhdev__pf_note(struct load *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pvhdev__pf_read_file(struct load *ld, const char *path, char **buf, size_t *len);

/* ---- Elements and attributes (elements.c) ---- */

bool pvhdev__pf_is_elem(xmlNodePtr n, const char *name);
const struct elem_spec *pvhdev__pf_spec_of(xmlNodePtr n);
bool pvhdev__pf_known_name(const xmlChar *name);
int pvhdev__pf_attrs_read(struct load *ld, xmlNodePtr n, const struct attr_spec *spec,
                          uint64_t *v);
extern const struct attr_spec pvhdev__pf_a_platform[];
extern const struct attr_spec pvhdev__pf_a_sbdf[];
extern const struct attr_spec pvhdev__pf_a_device[];
extern const struct attr_spec pvhdev__pf_a_bar[];
extern const struct attr_spec pvhdev__pf_a_rom[];
extern const struct attr_spec pvhdev__pf_a_mask[];
extern const struct elem_spec pvhdev__pf_elems[];

/* ---- libxml2: parsing and the schema (xml.c) ---- */

int pvhdev__pf_xml_parse(struct load *ld, const char *path, const char *buf, size_t len,
                         xmlDocPtr *out);
int pvhdev__pf_misplaced(struct load *ld, xmlNodePtr n);
int pvhdev__pf_validate(struct load *ld, const char *schema_path);

/* ---- Devices: dumps, inline devices, BAR sizes (devices.c) ---- */

int pvhdev__pf_read_dump(struct load *ld, xmlNodePtr n, const uint64_t *v);
int pvhdev__pf_read_device(struct load *ld, xmlNodePtr n, const uint64_t *v);

/* ---- Checks across elements (checks.c) ---- */

int pvhdev__pf_check_all(struct load *ld);

/* The short names the code uses. */
#define fail_in pvhdev__pf_fail_in
#define fail pvhdev__pf_fail
#define fail_line pvhdev__pf_fail_line
#define oom pvhdev__pf_oom
#define shown pvhdev__pf_shown
#define vec_push pvhdev__pf_vec_push
#define tab_push pvhdev__pf_tab_push
#define note pvhdev__pf_note
#define read_file pvhdev__pf_read_file
#define is_elem pvhdev__pf_is_elem
#define spec_of pvhdev__pf_spec_of
#define known_name pvhdev__pf_known_name
#define attrs_read pvhdev__pf_attrs_read
#define a_platform pvhdev__pf_a_platform
#define a_sbdf pvhdev__pf_a_sbdf
#define a_device pvhdev__pf_a_device
#define a_bar pvhdev__pf_a_bar
#define a_rom pvhdev__pf_a_rom
#define a_mask pvhdev__pf_a_mask
#define pf_elems pvhdev__pf_elems
#define xml_parse pvhdev__pf_xml_parse
#define misplaced pvhdev__pf_misplaced
#define validate pvhdev__pf_validate
#define read_dump pvhdev__pf_read_dump
#define read_device pvhdev__pf_read_device
#define check_all pvhdev__pf_check_all

#endif
