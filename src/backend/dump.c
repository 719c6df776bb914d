/* SPDX-License-Identifier: MIT */
/*
 * The dump backend: PCI functions seeded from an lspci dump, as
 * fake-backend devices (include/pvhdev/dump.h; docs/dump-backend.md).
 *
 * Loading runs in three steps:
 *
 *   1. scan   our own reader walks the file line by line, classifying
 *             lines exactly as libpci's dump reader does (lib/dump.c),
 *             and refuses with "FILE:LINE: expected ..." everything that
 *             would make libpci call its fatal error handler (overlong
 *             or unterminated lines, malformed hex, offsets >= 0x1000)
 *             or silently drop or misplace bytes (truncated hex lines,
 *             bytes before any device line, duplicate devices).  It also
 *             collects the BAR lines of the interleaved -v text.
 *   2. libpci reads the same file through its dump access method and
 *             hands back each function's config bytes and how many the
 *             dump gave.  libpci's error hook must not return, so ours
 *             longjmps back here; after step 1 it only fires when the
 *             file changed in between or libpci ran out of memory.
 *   3. sizes  BAR and ROM sizes from the text's [size=...]; else the
 *             size the address's alignment allows, cut at the next BAR
 *             or ROM and at the end of the upstream bridge's window,
 *             grown to hold the MSI-X table and PBA, with a note.
 *
 * This is a host part: it uses libc and libpci, and one thread-local
 * pointer (libpci's hooks take no context argument).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include <pvhdev/dump.h>

#include "backend/dump_priv.h"
#include "backend/host_util.h"

#define DUMP_LINE_MAX 253     /* chars before '\n': libpci fgets()s 254 */
#define DUMP_ROW 16           /* bytes per hex line, as lspci prints them */
#define DUMP_NR_BARS 6
#define DUMP_SLOT_ROM DUMP_NR_BARS /* slot of the ROM in per-device arrays */
#define DUMP_NR_SLOTS (DUMP_NR_BARS + 1)
#define DUMP_MAX_SIZE (1ull << 63) /* largest 64-bit BAR, bytes */
#define DUMP_MAX32 0x80000000ull   /* largest 32-bit BAR or ROM, bytes */
#define DUMP_IO_MAX 256u  /* largest IO BAR PCI 3.0 allows, bytes (6.2.5.1) */
#define DUMP_MEM_MIN 16u  /* bits 3:0 of a memory BAR are flags */
#define DUMP_IO_MIN 4u    /* bits 1:0 of an IO BAR are flags */
#define DUMP_ROM_MIN 0x800u /* the ROM address field is bits 31:11 */
#define DUMP_ECAP_SRIOV 0x0010 /* extended capability ID */


/* One BAR line of the verbose text ("Region 0: Memory at ..."). */
struct text_bar {
	unsigned line;
	int region;     /* 0-5 from "Region N:", -1: by order */
	bool rom;       /* "Expansion ROM at" */
	bool io;        /* "I/O ports at" */
	bool has_addr;  /* a hex address, not <unassigned> or <ignored> */
	bool virt;      /* [virtual]: the OS has it, the register reads 0 */
	bool enhanced;  /* [enhanced]: from an Enhanced Allocation entry */
	uint64_t addr;  /* bytes */
	uint64_t size;  /* bytes; 0: no [size=] */
};

/* One function as the scan saw it. */
struct scan_dev {
	pvhdev_sbdf_t sbdf;
	unsigned line;    /* of its device line */
	unsigned len;     /* bytes: highest offset given + 1 */
	uint8_t have[PVHDEV_CFG_EXP_SIZE / DUMP_ROW / 8]; /* rows given */
	struct text_bar *bars;
	size_t nr_bars, cap_bars;
};

enum slot_kind {
	SLOT_NONE,   /* no register (past the header's BARs) */
	SLOT_IO,
	SLOT_MEM32,  /* 32-bit, or the "below 1 MiB" and reserved types */
	SLOT_MEM64,  /* low dword; the next slot is SLOT_HIGH */
	SLOT_HIGH,
	SLOT_BROKEN, /* 64-bit in the header's last BAR: no high half */
	SLOT_ROM,
};

/* One BAR or the ROM, as its register shows it. */
struct slot {
	enum slot_kind kind;
	bool ones;        /* the register reads ffffffff: nothing to go on */
	bool nonzero;     /* the register reads non-zero (lspci's test) */
	uint64_t addr;    /* bytes, flag bits cleared */
	const struct text_bar *text; /* its verbose line, if any */
};

/* One loaded function while its BARs are sized. */
struct sizing {
	struct load *ld;
	struct pvhdev_fake_dev *fd;
	const struct scan_dev *sd;
	char name[PVHDEV_SBDF_STRLEN];
	struct slot slot[DUMP_NR_SLOTS];
	uint64_t need[DUMP_NR_BARS]; /* bytes the MSI-X table/PBA need */
	unsigned nr_bars;   /* BARs lspci prints for this header type */
	unsigned rom_off;   /* config offset of the ROM register; 0: none */
	unsigned hdr;       /* header type, bits 6:0 */
	uint32_t bridge_key; /* type 1: segment << 16 | secondary bus */
	/* SR-IOV (a PF with extended config space): one VF's BARs as the
	 * capability's VF BAR registers show them. */
	unsigned sriov;     /* capability offset; 0: none */
	unsigned total_vfs;
	unsigned vf_offset, vf_stride; /* routing ID arithmetic */
	struct slot vf[DUMP_NR_BARS];
};

/* Where a BAR or ROM starts.  Each PCI segment has its own bus
 * address spaces (IO and memory): some hosts reuse bus addresses
 * behind different host bridges. */
struct range {
	uint32_t space; /* segment << 1 | 1 for IO */
	uint64_t start; /* bytes */
};

struct load {
	const char *path;
	char *err;
	size_t err_len;
	struct pvhdev_dump *dump; /* under construction: devices, notes */
	FILE *f;
	unsigned line;            /* number of the line in buf, from 1 */
	char buf[DUMP_LINE_MAX + 2];
	struct scan_dev *devs;    /* in file order, then sorted by sbdf */
	size_t nr, cap;
	struct scan_dev *cur;     /* device of the current block, or NULL */
	unsigned other_lines;     /* column-0 lines that are neither */
	struct sizing *sz;        /* per loaded function, as dump->devs */
	struct range *ranges;     /* every BAR and ROM start, sorted */
	size_t nr_ranges;
	struct sizing **bridges;  /* type 1 functions by bridge_key */
	size_t nr_bridges;
	jmp_buf jmp;              /* where libpci's error hook returns to */
	char pci_msg[256];        /* what libpci's error hook said */
};

/* ---- Messages ---- */

static void msg_v(struct load *ld, bool with_line, const char *fmt,
                  va_list ap)
{
	if (!ld->err || !ld->err_len)
		return;
	int n = with_line ? snprintf(ld->err, ld->err_len, "%s:%u: ", ld->path,
	                             ld->line)
	                  : snprintf(ld->err, ld->err_len, "%s: ", ld->path);
	if (n >= 0 && (size_t)n < ld->err_len)
		vsnprintf(ld->err + n, ld->err_len - (size_t)n, fmt, ap);
}

/* "FILE:LINE: msg" into the caller's buffer; returns err. */
__attribute__((format(printf, 3, 4)))
static int fail(struct load *ld, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(ld, true, fmt, ap);
	va_end(ap);
	return err;
}

/* "FILE: msg": about the whole file. */
__attribute__((format(printf, 3, 4)))
static int fail_file(struct load *ld, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(ld, false, fmt, ap);
	va_end(ap);
	return err;
}

int pvhdev__dump_note_v(struct pvhdev_dump *d, const char *fmt, va_list ap)
{
	if (d->nr_notes == d->cap_notes) {
		size_t cap = d->cap_notes ? 2 * d->cap_notes : 16;
		char **n = realloc(d->notes, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		d->notes = n;
		d->cap_notes = cap;
	}
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return -ENOMEM;
	d->notes[d->nr_notes++] = s;
	return 0;
}

__attribute__((format(printf, 2, 3)))
static int note(struct load *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = pvhdev__dump_note_v(ld->dump, fmt, ap);
	va_end(ap);
	return rc ? fail_file(ld, rc, "out of memory") : 0;
}

/* Bytes as lspci prints them: 256, 16K, 4M, 1G, 2T. */
static const char *size_str(uint64_t bytes, char buf[32])
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (bytes && !(bytes & 1023) && u < 5) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, 32, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, 32, "%llu%c", (unsigned long long)bytes, units[u]);
	return buf;
}

/* ---- Scanning: line reader and small parsers ---- */

/* Number of hex digits at s; their value (of the first 16) in *val. */
static size_t hex_run(const char *s, uint64_t *val)
{
	size_t n = 0;
	uint64_t v = 0;

	for (; pvhdev__digit(s[n], 16) >= 0; n++)
		if (n < 16)
			v = v << 4 | (uint64_t)pvhdev__digit(s[n], 16);
	*val = v;
	return n;
}

static bool skip(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

/*
 * Reads the next line into ld->buf without its '\n' (and a '\r' before
 * it).  Returns 1 for a line, 0 at the end of the file, or a negative
 * errno for what libpci would die on: a line of DUMP_LINE_MAX chars or
 * more, a last line without '\n', a NUL byte (its strchr stops there).
 */
static int read_line(struct load *ld)
{
	size_t n = 0;
	int c;

	ld->line++;
	while ((c = getc(ld->f)) != EOF && c != '\n') {
		if (c == '\0')
			return fail(ld, -EINVAL, "expected text, found a NUL byte "
			            "(a binary file?)");
		if (n == DUMP_LINE_MAX)
			return fail(ld, -EINVAL, "expected at most %u characters "
			            "on a line (libpci's limit)", DUMP_LINE_MAX);
		ld->buf[n++] = (char)c;
	}
	if (c == EOF && ferror(ld->f))
		return fail_file(ld, errno ? -errno : -EIO, "cannot read: %s",
		                 strerror(errno ? errno : EIO));
	if (c == EOF && n)
		return fail(ld, -EINVAL, "expected a newline at the end of the "
		            "last line (libpci refuses an unterminated line)");
	if (n && ld->buf[n - 1] == '\r')
		n--;
	ld->buf[n] = '\0';
	return c == EOF ? 0 : 1;
}

/* ---- Scanning: device lines ---- */

/*
 * Length of a device address "[dddd[d]:]bb:dd.f" at s, or 0.  The
 * function is returned as a character so "00:1f.a" can be refused
 * instead of skipped (libpci's sscanf("%d") would skip it).
 */
static size_t bdf_at(const char *s, uint64_t *dom, uint64_t *bus,
                     uint64_t *dev, char *fn)
{
	size_t n = hex_run(s, dom), k = 0;

	if ((n == 4 || n == 5) && s[n] == ':')
		k = n + 1;
	else if (n == 2 && s[2] == ':')
		*dom = 0;
	else
		return 0;
	if (hex_run(s + k, bus) != 2 || s[k + 2] != ':' ||
	    hex_run(s + k + 3, dev) != 2 || s[k + 5] != '.' ||
	    pvhdev__digit(s[k + 6], 16) < 0)
		return 0;
	*fn = s[k + 6];
	return k + 7;
}

static int dev_push(struct load *ld, pvhdev_sbdf_t sbdf)
{
	if (ld->nr == ld->cap) {
		size_t cap = ld->cap ? 2 * ld->cap : 32;
		struct scan_dev *d = realloc(ld->devs, cap * sizeof(*d));
		if (!d)
			return fail_file(ld, -ENOMEM, "out of memory");
		ld->devs = d;
		ld->cap = cap;
	}
	ld->cur = &ld->devs[ld->nr++];
	memset(ld->cur, 0, sizeof(*ld->cur));
	ld->cur->sbdf = sbdf;
	ld->cur->line = ld->line;
	return 0;
}

/* A line that starts like a device address: 1 taken, or -errno. */
static int scan_dev_line(struct load *ld, size_t n, uint64_t dom,
                         uint64_t bus, uint64_t dev, char fn)
{
	const char *s = ld->buf;

	if (fn < '0' || fn > '7')
		return fail(ld, -EINVAL, "expected a function number 0-7 in "
		            "'%.*s'", (int)n, s);
	if (dev > 0x1f)
		return fail(ld, -EINVAL, "expected a device number 00-1f in "
		            "'%.*s'", (int)n, s);
	if (dom > 0xffff)
		return fail(ld, -ERANGE, "expected a PCI domain of at most ffff "
		            "in '%.*s'", (int)n, s);
	if (s[n] != ' ')
		return fail(ld, -EINVAL, "expected a space and a description "
		            "after the device address '%.*s'", (int)n, s);
	return dev_push(ld, PVHDEV_SBDF(dom, bus, dev, fn - '0'));
}

/* ---- Scanning: hex lines ---- */

/* The 16 bytes after "OFF: ": two hex digits each, one space between,
 * at most one space after the last (libpci: "Malformed line"). */
static int scan_hex_bytes(struct load *ld, const char *p)
{
	const char *s = ld->buf;

	for (unsigned k = 0; k < DUMP_ROW; k++) {
		if (!*p || (*p == ' ' && !p[1]))
			return fail(ld, -EINVAL, "expected %u hex bytes, found "
			            "%u (truncated line?)", DUMP_ROW, k);
		if (pvhdev__digit(p[0], 16) < 0 || pvhdev__digit(p[1], 16) < 0)
			return fail(ld, -EINVAL, "expected a hex byte at column "
			            "%zu, found '%.2s'", (size_t)(p - s) + 1, p);
		p += 2;
		if (*p == ' ')
			p++;
		else if (*p)
			return fail(ld, -EINVAL, "expected a space at column %zu",
			            (size_t)(p - s) + 1);
	}
	if (*p)
		return fail(ld, -EINVAL, "expected the end of the line after %u "
		            "bytes at column %zu", DUMP_ROW, (size_t)(p - s) + 1);
	return 0;
}

/* "OFF: xx xx ... xx": n hex digits of offset at the start. */
static int scan_hex_line(struct load *ld, size_t n, uint64_t off)
{
	struct scan_dev *d = ld->cur;
	const char *s = ld->buf;

	if (!d)
		return fail(ld, -EINVAL, "expected a device line (like '00:1f.3 "
		            "...') before config bytes");
	if (n < 2)
		return fail(ld, -EINVAL, "expected an offset of 2 to 8 hex "
		            "digits");
	if (n > 8 || off >= PVHDEV_CFG_EXP_SIZE)
		return fail(ld, -ERANGE, "expected an offset of at most ff0, "
		            "found '%.*s'", (int)n, s);
	if (off % DUMP_ROW)
		return fail(ld, -EINVAL, "expected an offset ending in 0 (16 "
		            "bytes a line), found '%.*s'", (int)n, s);
	if (s[n + 1] != ' ')
		return fail(ld, -EINVAL, "expected a space after '%.*s:'",
		            (int)n, s);
	int rc = scan_hex_bytes(ld, s + n + 2);
	if (rc)
		return rc;
	unsigned row = (unsigned)off / DUMP_ROW;
	if (d->have[row / 8] >> (row % 8) & 1)
		return fail(ld, -EEXIST, "expected each offset once per device; "
		            "%03x repeats", (unsigned)off);
	d->have[row / 8] |= (uint8_t)(1u << (row % 8));
	if (off + DUMP_ROW > d->len)
		d->len = (unsigned)off + DUMP_ROW;
	return 0;
}

/* ---- Scanning: BAR lines of the verbose text ---- */

/* "[size=N]" with N decimal and an optional K/M/G/T; p is after '='. */
static int parse_size(struct load *ld, const char *p, uint64_t *size)
{
	static const char units[] = "KMGT";
	uint64_t n = 0;
	size_t digits = 0;
	unsigned shift = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (n > (DUMP_MAX_SIZE - 9) / 10)
			return fail(ld, -ERANGE, "expected a [size=] of at most "
			            "2^63 bytes");
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (!digits)
		return fail(ld, -EINVAL, "expected a number after '[size='");
	const char *u = *p ? strchr(units, *p) : NULL;
	if (u) {
		shift = 10 * (unsigned)(u - units + 1);
		p++;
	}
	if (*p != ']')
		return fail(ld, -EINVAL, "expected K, M, G, T or ']' after the "
		            "number in '[size='");
	if (n > DUMP_MAX_SIZE >> shift)
		return fail(ld, -ERANGE, "expected a [size=] of at most 2^63 "
		            "bytes");
	n <<= shift;
	if (!n || (n & (n - 1)))
		return fail(ld, -EINVAL, "expected a power of two in [size=], "
		            "found %llu bytes", (unsigned long long)n);
	*size = n;
	return 0;
}

/* The address after "Memory at " and the flags after it. */
static int parse_bar_rest(struct load *ld, const char *p, struct text_bar *b)
{
	size_t n = hex_run(p, &b->addr);

	if (n > 16)
		return fail(ld, -ERANGE, "expected an address of at most 16 hex "
		            "digits");
	if (n) {
		b->has_addr = true;
		p += n;
	} else if (!skip(&p, "<unassigned>") && !skip(&p, "<ignored>") &&
	           !skip(&p, "<broken-64-bit-slot>")) {
		return fail(ld, -EINVAL, "expected a hex address or <unassigned> "
		            "after '%s at'", b->rom ? "Expansion ROM" :
		            b->io ? "I/O ports" : "Memory");
	}
	if (*p && *p != ' ')
		return fail(ld, -EINVAL, "expected a hex address, found '%.*s'",
		            (int)(n + strcspn(p, " ")), p - n);
	b->virt |= strstr(p, "[virtual]") != NULL;
	b->enhanced = strstr(p, "[enhanced]") != NULL;
	const char *sz = strstr(p, "[size=");
	return sz ? parse_size(ld, sz + 6, &b->size) : 0;
}

static int bar_push(struct load *ld, const struct text_bar *b)
{
	struct scan_dev *d = ld->cur;

	if (d->nr_bars == d->cap_bars) {
		size_t cap = d->cap_bars ? 2 * d->cap_bars : 4;
		struct text_bar *t = realloc(d->bars, cap * sizeof(*t));
		if (!t)
			return fail_file(ld, -ENOMEM, "out of memory");
		d->bars = t;
		d->cap_bars = cap;
	}
	d->bars[d->nr_bars++] = *b;
	return 0;
}

/*
 * A first-level verbose line: "[Region N: ][[virtual] ]Memory at ...",
 * "I/O ports at ..." or "Expansion ROM at ...".  Other lines are not
 * ours.  Older lspci put [virtual] before the kind.
 */
static int scan_bar_line(struct load *ld, const char *p)
{
	struct text_bar b = { .line = ld->line, .region = -1 };
	bool prefix = false;

	if (skip(&p, "[virtual] "))
		b.virt = prefix = true;
	if (skip(&p, "Region ")) {
		if (p[0] < '0' || p[0] > '5' || p[1] != ':' || p[2] != ' ')
			return fail(ld, -EINVAL, "expected 'Region N: ' with N "
			            "0-5");
		b.region = p[0] - '0';
		p += 3;
		prefix = true;
	}
	if (skip(&p, "[virtual] "))
		b.virt = prefix = true;
	if (skip(&p, "I/O ports at "))
		b.io = true;
	else if (skip(&p, "Expansion ROM at "))
		b.rom = true;
	else if (!skip(&p, "Memory at "))
		return prefix ? fail(ld, -EINVAL, "expected 'Memory at', 'I/O "
		                     "ports at' or 'Expansion ROM at'") : 0;
	if (b.rom && b.region >= 0)
		return fail(ld, -EINVAL, "expected no region number before "
		            "'Expansion ROM at'");
	int rc = parse_bar_rest(ld, p, &b);
	return rc ? rc : bar_push(ld, &b);
}

/* Indentation width, tabs stopping every 8 columns. */
static unsigned indent_of(const char *s, const char **text)
{
	unsigned col = 0;

	for (; *s == ' ' || *s == '\t'; s++)
		col = *s == '\t' ? (col / 8 + 1) * 8 : col + 1;
	*text = s;
	return col;
}

/* ---- Scanning: the file ---- */

/*
 * One line, classified as libpci does: device line, blank line (ends
 * the device), "OFF: " hex line; the rest is text libpci ignores.  We
 * parse the first indentation level of the text (second-level lines
 * such as SR-IOV's VF "Region" lines belong to capabilities).
 */
static int scan_line(struct load *ld)
{
	const char *s = ld->buf, *text;
	uint64_t dom, bus, dev, off;
	char fn;
	size_t n;

	if ((n = bdf_at(s, &dom, &bus, &dev, &fn)))
		return scan_dev_line(ld, n, dom, bus, dev, fn);
	if (!*s) {
		ld->cur = NULL;
		return 0;
	}
	n = hex_run(s, &off);
	if (n && s[n] == ':')
		return scan_hex_line(ld, n, off);
	unsigned col = indent_of(s, &text);
	if (!col) {
		ld->other_lines++;
		return 0;
	}
	return ld->cur && col < 16 && *text ? scan_bar_line(ld, text) : 0;
}

static int scan_cmp(const void *a, const void *b)
{
	const struct scan_dev *x = a, *y = b;

	if (x->sbdf != y->sbdf)
		return x->sbdf < y->sbdf ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorts the devices by SBDF and refuses one given twice (libpci would
 * list both, and which one a lookup finds is an accident). */
static int scan_sort(struct load *ld)
{
	char a[PVHDEV_SBDF_STRLEN];

	if (!ld->nr)
		return fail_file(ld, -EINVAL, "no devices (expected lines like "
		                 "'00:1f.3 ...' followed by hex lines; %u other "
		                 "lines in column 0)", ld->other_lines);
	qsort(ld->devs, ld->nr, sizeof(*ld->devs), scan_cmp);
	for (size_t i = 1; i < ld->nr; i++) {
		if (ld->devs[i].sbdf != ld->devs[i - 1].sbdf)
			continue;
		ld->line = ld->devs[i].line;
		return fail(ld, -EEXIST, "expected each device once; %s was "
		            "first given at line %u",
		            pvhdev_sbdf_str(ld->devs[i].sbdf, a),
		            ld->devs[i - 1].line);
	}
	return 0;
}

static int scan_file(struct load *ld)
{
	int rc;

	ld->f = fopen(ld->path, "r");
	if (!ld->f)
		return fail_file(ld, -errno, "cannot open: %s", strerror(errno));
	errno = 0;
	while ((rc = read_line(ld)) > 0)
		if ((rc = scan_line(ld)))
			break;
	fclose(ld->f);
	ld->f = NULL;
	return rc ? rc : scan_sort(ld);
}

/* ---- libpci ---- */

/* The load libpci's hooks report to; libpci gives them no context. */
static _Thread_local struct load *dump_tl;

static __attribute__((noreturn)) void pci_error_hook(char *msg, ...)
{
	struct load *ld = dump_tl;
	va_list ap;

	va_start(ap, msg);
	vsnprintf(ld->pci_msg, sizeof(ld->pci_msg), msg, ap);
	va_end(ap);
	longjmp(ld->jmp, 1);
}

/* Warnings become notes; the dump method has none today. */
static void pci_warning_hook(char *msg, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	if (dump_tl)
		note(dump_tl, "libpci: %s", buf);
}

static void pci_debug_hook(char *msg, ...)
{
	(void)msg;
}

/* How many bytes libpci holds for d: its dump reader refuses a read past
 * the highest offset the file gave, so the largest readable prefix is
 * found by bisection (at most 13 reads of at most 4 KiB). */
static unsigned pci_len(struct pci_dev *d, uint8_t *buf)
{
	unsigned lo = 0, hi = PVHDEV_CFG_EXP_SIZE;

	if (pci_read_block(d, 0, buf, (int)hi))
		return hi;
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;
		if (pci_read_block(d, 0, buf, (int)mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* ---- libpci: reading the devices ---- */

static pvhdev_sbdf_t pci_sbdf(const struct pci_dev *d)
{
	return PVHDEV_SBDF(d->domain, d->bus, d->dev, d->func);
}

static int pci_dev_cmp(const void *a, const void *b)
{
	pvhdev_sbdf_t x = pci_sbdf(*(struct pci_dev *const *)a);
	pvhdev_sbdf_t y = pci_sbdf(*(struct pci_dev *const *)b);

	return x < y ? -1 : x > y;
}

/* Notes the bytes the dump left out: they read ff, as libpci has them. */
static int note_gaps(struct load *ld, const struct scan_dev *sd,
                     const char *name, unsigned cfg_len)
{
	unsigned rows = sd->len / DUMP_ROW, start = 0;
	int rc = 0;

	for (unsigned r = 0; r <= rows && !rc; r++) {
		bool have = r < rows && (sd->have[r / 8] >> (r % 8) & 1);
		if (r < rows && !have)
			continue;
		if (start < r)
			rc = note(ld, "%s: config bytes %03x-%03x are missing from "
			          "the dump; they read ff", name, start * DUMP_ROW,
			          r * DUMP_ROW - 1);
		start = r + 1;
	}
	if (!rc && sd->len < cfg_len && sd->len != PVHDEV_CFG_SIZE)
		rc = note(ld, "%s: the dump gives %u bytes of config space; "
		          "bytes %03x-%03x read ff", name, sd->len, sd->len,
		          cfg_len - 1);
	return rc;
}

/* Copies one function's bytes out of libpci and sizes its BARs. */
static int collect_dev(struct load *ld, struct pci_dev *pd,
                       const struct scan_dev *sd)
{
	struct pvhdev_dump *d = ld->dump;
	char name[PVHDEV_SBDF_STRLEN];
	uint8_t *buf = malloc(PVHDEV_CFG_EXP_SIZE);

	if (!buf)
		return fail_file(ld, -ENOMEM, "out of memory");
	pvhdev_sbdf_str(sd->sbdf, name);
	unsigned len = pci_len(pd, buf);
	memset(buf, 0xff, PVHDEV_CFG_EXP_SIZE);
	if (len != sd->len || (len && !pci_read_block(pd, 0, buf, (int)len))) {
		free(buf);
		return fail_file(ld, -EIO, "libpci holds %u config bytes of %s, "
		                 "the file %u (did it change while loading?)",
		                 len, name, sd->len);
	}
	if (buf[0] == 0xff && buf[1] == 0xff) {
		free(buf);
		return note(ld, "%s: vendor ID ffff (line %u): absent, skipped",
		            name, sd->line);
	}
	unsigned cfg_len = len > PVHDEV_CFG_SIZE ? PVHDEV_CFG_EXP_SIZE :
	                   PVHDEV_CFG_SIZE;
	uint8_t *cfg = realloc(buf, cfg_len); /* shrinking: keep buf if NULL */
	struct sizing *z = &ld->sz[d->nr_devs];
	struct pvhdev_fake_dev *fd = &d->devs[d->nr_devs++];
	fd->sbdf = sd->sbdf;
	fd->cfg = cfg ? cfg : buf;
	fd->cfg_len = (uint16_t)cfg_len;
	z->ld = ld;
	z->fd = fd;
	z->sd = sd;
	memcpy(z->name, name, sizeof(name));
	return 0;
}

/* Pairs libpci's devices with the scan's, both in SBDF order. */
static int collect(struct load *ld, struct pci_access *acc)
{
	size_t n = 0;
	int rc = 0;

	for (struct pci_dev *p = acc->devices; p; p = p->next)
		n++;
	struct pci_dev **v = malloc((n ? n : 1) * sizeof(*v));
	ld->dump->devs = calloc(ld->nr, sizeof(*ld->dump->devs));
	ld->sz = calloc(ld->nr, sizeof(*ld->sz));
	if (!v || !ld->dump->devs || !ld->sz) {
		free(v);
		return fail_file(ld, -ENOMEM, "out of memory");
	}
	n = 0;
	for (struct pci_dev *p = acc->devices; p; p = p->next)
		v[n++] = p;
	qsort(v, n, sizeof(*v), pci_dev_cmp);
	if (n != ld->nr)
		rc = fail_file(ld, -EIO, "libpci found %zu devices, the file "
		               "has %zu (did it change while loading?)", n, ld->nr);
	for (size_t i = 0; i < n && !rc; i++) {
		if (pci_sbdf(v[i]) != ld->devs[i].sbdf)
			rc = fail_file(ld, -EIO, "libpci and the file disagree "
			               "about device %zu (did it change?)", i);
		else
			rc = collect_dev(ld, v[i], &ld->devs[i]);
	}
	free(v);
	return rc;
}

/*
 * libpci's error hook longjmps back to the setjmp here.  Everything
 * that must survive it lives behind pointers (*accp, ld), never in a
 * local of this function.
 */
static int pci_read_all(struct load *ld, struct pci_access **accp)
{
	if (setjmp(ld->jmp))
		return fail_file(ld, -EIO, "libpci: %s", ld->pci_msg);
	*accp = pci_alloc();
	(*accp)->error = pci_error_hook;
	(*accp)->warning = pci_warning_hook;
	(*accp)->debug = pci_debug_hook;
	(*accp)->method = PCI_ACCESS_DUMP;
	/* libpci copies the value; its prototype lacks the const. */
	if (pci_set_param(*accp, "dump.name", (char *)ld->path))
		return fail_file(ld, -ENOTSUP, "libpci has no dump method");
	pci_init(*accp);
	pci_scan_bus(*accp);
	return collect(ld, *accp);
}

static int pci_run(struct load *ld)
{
	struct load *prev = dump_tl;
	struct pci_access *acc = NULL;

	dump_tl = ld;
	int rc = pci_read_all(ld, &acc);
	if (acc)
		pci_cleanup(acc);
	dump_tl = prev;
	return rc;
}

/* ---- Sizes: what the registers say ---- */

static uint32_t cfg_dword(const uint8_t *cfg, unsigned off)
{
	return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 |
	       (uint32_t)cfg[off + 2] << 16 | (uint32_t)cfg[off + 3] << 24;
}

/* Kinds as the fake backend derives them from the register's low bits. */
static void decode_bar(struct sizing *z, unsigned i)
{
	const uint8_t *cfg = z->fd->cfg;
	struct slot *s = &z->slot[i];
	uint32_t lo = cfg_dword(cfg, 0x10 + 4 * i);

	s->ones = lo == 0xffffffffu;
	lo = s->ones ? 0 : lo; /* lspci treats all-ones as 0 */
	s->nonzero = lo != 0;
	if (s->ones || (lo & 1)) {
		s->kind = SLOT_IO;
		s->addr = lo & ~3u;
	} else if ((lo & 6) != 4) {
		s->kind = SLOT_MEM32;
		s->addr = lo & ~15u;
	} else if (i + 1 < z->nr_bars) {
		uint32_t hi = cfg_dword(cfg, 0x10 + 4 * (i + 1));
		s->kind = SLOT_MEM64;
		s->addr = (uint64_t)hi << 32 | (lo & ~15u);
		s->nonzero |= hi != 0;
		z->slot[i + 1].kind = SLOT_HIGH;
	} else {
		s->kind = SLOT_BROKEN;
	}
}

/*
 * The MSI-X table and PBA must lie inside their BAR (PCI 3.0 6.8.2):
 * need[bir] = bytes from the BAR's start to the end of the last of
 * them.  The walk is bounded like the fake's (48 hops).
 */
static void msix_need(struct sizing *z)
{
	const uint8_t *cfg = z->fd->cfg;
	unsigned ptr = z->hdr == 2 ? cfg[0x14] : z->hdr < 2 ? cfg[0x34] : 0;

	for (unsigned hop = 0; hop < 48 && (ptr &= 0xfc) >= 0x40; hop++) {
		if (cfg[ptr] == 0x11 && ptr + 12 <= PVHDEV_CFG_SIZE) {
			uint32_t nr = (cfg_dword(cfg, ptr) >> 16 & 0x7ff) + 1;
			uint32_t tab = cfg_dword(cfg, ptr + 4);
			uint32_t pba = cfg_dword(cfg, ptr + 8);
			uint64_t tab_end = (uint64_t)(tab & ~7u) + 16 * nr;
			uint64_t pba_end = (uint64_t)(pba & ~7u) + 8 * ((nr + 63) / 64);
			if ((tab & 7) < DUMP_NR_BARS && z->need[tab & 7] < tab_end)
				z->need[tab & 7] = tab_end;
			if ((pba & 7) < DUMP_NR_BARS && z->need[pba & 7] < pba_end)
				z->need[pba & 7] = pba_end;
		}
		ptr = cfg[ptr + 1];
	}
}

/* Where the SR-IOV capability (PCIe Base, SR-IOV 9.3.3) is in the
 * extended list, whole (0x40 bytes) inside config space; 0: nowhere.  At
 * most one hop per dword of extended space, so a looping list ends. */
static unsigned find_sriov(const uint8_t *cfg)
{
	unsigned pos = PVHDEV_CFG_SIZE;

	for (unsigned hop = 0; hop < (PVHDEV_CFG_EXP_SIZE - PVHDEV_CFG_SIZE) / 4; hop++) {
		uint32_t hdr = cfg_dword(cfg, pos);
		if (!hdr || hdr == 0xffffffffu)
			return 0;
		if ((hdr & 0xffff) == DUMP_ECAP_SRIOV && pos + 0x40 <= PVHDEV_CFG_EXP_SIZE)
			return pos;
		if ((pos = hdr >> 20 & 0xffc) < PVHDEV_CFG_SIZE)
			return 0;
	}
	return 0;
}

/* TotalVFs at +0x0e, First VF Offset and VF Stride at +0x14, the six VF
 * BAR registers from +0x24.  VF BARs are memory BARs (bit 0 reads 0); a
 * 64-bit one takes the next register as its high half. */
static void decode_sriov(struct sizing *z)
{
	const uint8_t *cfg = z->fd->cfg;
	unsigned pos = z->fd->cfg_len > PVHDEV_CFG_SIZE ? find_sriov(cfg) : 0;

	if (!pos)
		return;
	z->sriov = pos;
	z->total_vfs = cfg[pos + 0x0e] | (unsigned)cfg[pos + 0x0f] << 8;
	z->vf_offset = cfg[pos + 0x14] | (unsigned)cfg[pos + 0x15] << 8;
	z->vf_stride = cfg[pos + 0x16] | (unsigned)cfg[pos + 0x17] << 8;
	for (unsigned i = 0; i < DUMP_NR_BARS; i++) {
		struct slot *s = &z->vf[i];
		uint32_t lo = cfg_dword(cfg, pos + 0x24 + 4 * i);
		if (s->kind == SLOT_HIGH || (lo & 1))
			continue;
		s->kind = (lo & 6) == 4 && i + 1 < DUMP_NR_BARS ? SLOT_MEM64 : SLOT_MEM32;
		s->addr = lo & ~15u;
		if (s->kind == SLOT_MEM64) {
			s->addr |= (uint64_t)cfg_dword(cfg, pos + 0x28 + 4 * i) << 32;
			z->vf[i + 1].kind = SLOT_HIGH;
		}
		s->nonzero = s->addr != 0;
	}
}

static void decode_dev(struct sizing *z)
{
	static const unsigned nr_bars[3] = { 6, 2, 1 };
	static const unsigned rom_off[3] = { 0x30, 0x38, 0 };
	const uint8_t *cfg = z->fd->cfg;

	z->hdr = cfg[0x0e] & 0x7fu;
	z->nr_bars = z->hdr < 3 ? nr_bars[z->hdr] : 0;
	z->rom_off = z->hdr < 3 ? rom_off[z->hdr] : 0;
	for (unsigned i = 0; i < z->nr_bars; i++)
		if (z->slot[i].kind != SLOT_HIGH)
			decode_bar(z, i);
	if (z->rom_off) {
		struct slot *r = &z->slot[DUMP_SLOT_ROM];
		uint32_t v = cfg_dword(cfg, z->rom_off);
		r->kind = SLOT_ROM;
		r->ones = v == 0xffffffffu;
		r->nonzero = !r->ones && v;
		r->addr = r->ones ? 0 : v & ~(DUMP_ROM_MIN - 1);
	}
	msix_need(z);
	decode_sriov(z);
}

/* ---- Sizes: the neighbours, which bound a guess ---- */

static bool slot_has_range(const struct slot *s)
{
	return s->addr && s->kind != SLOT_NONE && s->kind != SLOT_HIGH &&
	       s->kind != SLOT_BROKEN;
}

static uint32_t range_space(const struct sizing *z, bool io)
{
	return PVHDEV_SBDF_SEG(z->fd->sbdf) << 1 | io;
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int bridge_cmp(const void *a, const void *b)
{
	uint32_t x = (*(const struct sizing *const *)a)->bridge_key;
	uint32_t y = (*(const struct sizing *const *)b)->bridge_key;

	return x < y ? -1 : x > y;
}

/* Where every function's BARs and ROM start, and which bridge leads
 * to which bus, both sorted for binary search. */
static int index_neighbours(struct load *ld)
{
	size_t n = ld->dump->nr_devs;

	ld->ranges = malloc((n * (DUMP_NR_SLOTS + DUMP_NR_BARS) + 1) * sizeof(*ld->ranges));
	ld->bridges = malloc((n + 1) * sizeof(*ld->bridges));
	if (!ld->ranges || !ld->bridges)
		return fail_file(ld, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct sizing *z = &ld->sz[i];
		for (unsigned j = 0; j < DUMP_NR_SLOTS; j++)
			if (slot_has_range(&z->slot[j]))
				ld->ranges[ld->nr_ranges++] = (struct range){
					range_space(z, z->slot[j].kind == SLOT_IO),
					z->slot[j].addr };
		for (unsigned j = 0; j < DUMP_NR_BARS; j++)
			if (slot_has_range(&z->vf[j]))
				ld->ranges[ld->nr_ranges++] = (struct range){
					range_space(z, false), z->vf[j].addr };
		if (z->hdr != 1)
			continue;
		z->bridge_key = (z->fd->sbdf & 0xffff0000u) | z->fd->cfg[0x19];
		ld->bridges[ld->nr_bridges++] = z;
	}
	qsort(ld->ranges, ld->nr_ranges, sizeof(*ld->ranges), range_cmp);
	qsort(ld->bridges, ld->nr_bridges, sizeof(*ld->bridges), bridge_cmp);
	return 0;
}

/* The first BAR or ROM start above addr in its space; 0: none. */
static uint64_t next_start(const struct load *ld, uint32_t space,
                           uint64_t addr)
{
	const struct range key = { space, addr };
	size_t lo = 0, hi = ld->nr_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (range_cmp(&ld->ranges[mid], &key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ld->nr_ranges && ld->ranges[lo].space == space ?
	       ld->ranges[lo].start : 0;
}

/*
 * A bridge's IO, memory and prefetchable windows as [base, limit]
 * (PCI-to-PCI Bridge 1.2, 3.2.5.6-3.2.5.10).  A closed window has
 * base > limit and contains nothing.
 */
static void bridge_windows(const uint8_t *cfg, uint64_t base[3],
                           uint64_t limit[3])
{
	uint32_t io = cfg_dword(cfg, 0x1c), mem = cfg_dword(cfg, 0x20);
	uint32_t pf = cfg_dword(cfg, 0x24), io_hi = cfg_dword(cfg, 0x30);

	base[0] = (uint64_t)(io & 0xf0) << 8;
	limit[0] = (uint64_t)(io >> 8 & 0xf0) << 8 | 0xfff;
	if ((io & 0xf) == 1) { /* 32-bit IO addressing */
		base[0] |= (uint64_t)(io_hi & 0xffff) << 16;
		limit[0] |= (uint64_t)(io_hi >> 16) << 16;
	}
	base[1] = (uint64_t)(mem & 0xfff0) << 16;
	limit[1] = (uint64_t)(mem >> 16 & 0xfff0) << 16 | 0xfffff;
	base[2] = (uint64_t)(pf & 0xfff0) << 16;
	limit[2] = (uint64_t)(pf >> 16 & 0xfff0) << 16 | 0xfffff;
	if ((pf & 0xf) == 1) { /* 64-bit prefetchable */
		base[2] |= (uint64_t)cfg_dword(cfg, 0x28) << 32;
		limit[2] |= (uint64_t)cfg_dword(cfg, 0x2c) << 32;
	}
}

/* The last byte of the window of z's upstream bridge that holds addr,
 * or 0 when the dump has no such bridge or window. */
static uint64_t window_end(const struct load *ld, const struct sizing *z,
                           bool io, uint64_t addr)
{
	uint32_t key = (z->fd->sbdf & 0xffff0000u) | PVHDEV_SBDF_BUS(z->fd->sbdf);
	size_t lo = 0, hi = ld->nr_bridges;
	uint64_t base[3], limit[3];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ld->bridges[mid]->bridge_key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ld->nr_bridges || ld->bridges[lo]->bridge_key != key)
		return 0;
	bridge_windows(ld->bridges[lo]->fd->cfg, base, limit);
	for (unsigned w = io ? 0 : 1; w < (io ? 1u : 3u); w++)
		if (base[w] <= addr && addr <= limit[w])
			return limit[w];
	return 0;
}

/* ---- Sizes: the verbose text ---- */

/*
 * The BAR an unnumbered line ("-v" prints no "Region N:") belongs to:
 * lspci prints the BARs in order and skips those that read 0 unless the
 * OS has a resource for them.  First try the next BAR whose register
 * holds the line's address, then the next one of the same space.
 */
static int find_by_order(const struct sizing *z, unsigned from,
                         const struct text_bar *b)
{
	for (unsigned j = from; b->has_addr && !b->virt && j < z->nr_bars; j++) {
		const struct slot *s = &z->slot[j];
		if (s->kind != SLOT_HIGH && (s->kind == SLOT_IO) == b->io &&
		    s->nonzero && s->addr == b->addr)
			return (int)j;
	}
	for (unsigned j = from; j < z->nr_bars; j++) {
		const struct slot *s = &z->slot[j];
		if (s->kind == SLOT_HIGH)
			continue;
		if (b->virt || b->enhanced ? !s->nonzero :
		    (s->kind == SLOT_IO) == b->io && (s->nonzero || !b->has_addr))
			return (int)j;
	}
	return -1;
}

/* The slot a text line names, or -1 (with a note) when none fits. */
static int text_slot(struct sizing *z, unsigned from,
                     const struct text_bar *b, int *rc)
{
	int j;

	if (b->rom)
		j = z->rom_off ? DUMP_SLOT_ROM : -1;
	else if (b->region >= 0)
		j = (unsigned)b->region < z->nr_bars &&
		    z->slot[b->region].kind != SLOT_HIGH ? b->region : -1;
	else
		j = find_by_order(z, from, b);
	if (j < 0)
		*rc = note(z->ld, "%s: line %u names a %s this header type %u "
		           "function does not have; ignored", z->name, b->line,
		           b->rom ? "ROM" : "BAR", z->hdr);
	else if (z->slot[j].text)
		*rc = note(z->ld, "%s: line %u describes the same %s as line %u; "
		           "ignored", z->name, b->line, b->rom ? "ROM" : "BAR",
		           z->slot[j].text->line);
	return j < 0 || z->slot[j].text ? -1 : j;
}

static int match_text(struct sizing *z)
{
	const struct scan_dev *sd = z->sd;
	unsigned from = 0;
	int rc = 0;

	for (size_t i = 0; i < sd->nr_bars && !rc; i++) {
		const struct text_bar *b = &sd->bars[i];
		int j = text_slot(z, from, b, &rc);
		if (j < 0)
			continue;
		z->slot[j].text = b;
		if (j != DUMP_SLOT_ROM)
			from = (unsigned)j + (z->slot[j].kind == SLOT_MEM64 ? 2 : 1);
	}
	return rc;
}

static uint64_t min_size(enum slot_kind k)
{
	return k == SLOT_IO ? DUMP_IO_MIN : k == SLOT_ROM ? DUMP_ROM_MIN :
	       DUMP_MEM_MIN;
}

/* What the fake backend accepts for a BAR of this kind. */
static bool size_fits(enum slot_kind k, uint64_t size)
{
	if (size < min_size(k))
		return false;
	return k == SLOT_MEM64 ? size <= DUMP_MAX_SIZE : size <= DUMP_MAX32;
}

static const char *slot_name(unsigned j, char buf[8])
{
	if (j == DUMP_SLOT_ROM)
		return "ROM";
	snprintf(buf, 8, "BAR%u", j);
	return buf;
}

/*
 * A BAR of size S sits at a multiple of S, so the address's lowest set
 * bit bounds S from above.  So do the next BAR or ROM above it (BARs do
 * not overlap) and the end of its bridge's window; the MSI-X table and
 * PBA bound it from below.  IO BARs are at most 256 bytes (PCI 3.0
 * 6.2.5.1).  An address of 0 bounds nothing: the smallest legal size.
 */
static uint64_t pow2_floor(uint64_t x)
{
	while (x & (x - 1))
		x &= x - 1;
	return x;
}

static uint64_t pow2_ceil(uint64_t x)
{
	uint64_t p = 1;

	while (p < x && p < DUMP_MAX_SIZE)
		p <<= 1;
	return p;
}

/* The guess for slot j; why says which bound decided it. */
static uint64_t guess_size(const struct sizing *z, unsigned j, char *why,
                           size_t why_len)
{
	const struct slot *s = &z->slot[j];
	bool io = s->kind == SLOT_IO;
	uint64_t align = s->addr & (~s->addr + 1), size = align, next, end, b;
	char a[32], c[32];

	size_str(align, a);
	snprintf(why, why_len, " from alignment");
	if (!align) {
		snprintf(why, why_len, ", the smallest legal size (the address "
		         "is 0)");
		return min_size(s->kind);
	}
	if (io && size > DUMP_IO_MAX) {
		snprintf(why, why_len, ", the largest IO BAR (alignment allows "
		         "%s)", a);
		size = DUMP_IO_MAX;
	}
	next = next_start(z->ld, range_space(z, io), s->addr);
	if (next && (b = pow2_floor(next - s->addr)) < size) {
		snprintf(why, why_len, ": alignment allows %s, the next %s starts "
		         "%s above", a, io ? "IO BAR" : "BAR or ROM",
		         size_str(next - s->addr, c));
		size = b;
	}
	end = window_end(z->ld, z, io, s->addr);
	if (end && (b = pow2_floor(end - s->addr + 1)) < size) {
		snprintf(why, why_len, ": alignment allows %s, its bridge window "
		         "ends %s above", a, size_str(end - s->addr + 1, c));
		size = b;
	}
	if (j < DUMP_NR_BARS && z->need[j] > size) {
		size = pow2_ceil(z->need[j]);
		snprintf(why, why_len, " to hold its MSI-X table and PBA");
	}
	return size < min_size(s->kind) ? min_size(s->kind) : size;
}

static void set_size(struct sizing *z, unsigned j, uint64_t size)
{
	if (j == DUMP_SLOT_ROM)
		z->fd->rom_size = size;
	else
		z->fd->bar_size[j] = size;
}

/* The text's size for slot j when it is usable, else 0 (with a note). */
static uint64_t text_size(struct sizing *z, unsigned j, int *rc)
{
	const struct slot *s = &z->slot[j];
	const struct text_bar *t = s->text;
	char w[8], a[32];

	if (j != DUMP_SLOT_ROM && t->io != (s->kind == SLOT_IO)) {
		*rc = note(z->ld, "%s %s: line %u says %s but the register is "
		           "%s; its size is not used", z->name, slot_name(j, w),
		           t->line, t->io ? "I/O" : "memory",
		           t->io ? "memory" : "I/O");
		return 0;
	}
	if (t->has_addr && !t->virt && t->addr != s->addr)
		*rc = note(z->ld, "%s %s: line %u gives address %llx but the "
		           "register holds %llx; its [size=] is used anyway",
		           z->name, slot_name(j, w), t->line,
		           (unsigned long long)t->addr,
		           (unsigned long long)s->addr);
	if (*rc || !t->size)
		return 0;
	if (!size_fits(s->kind, t->size)) {
		*rc = note(z->ld, "%s %s: line %u: [size=%s] does not fit this "
		           "kind of BAR; not used", z->name, slot_name(j, w),
		           t->line, size_str(t->size, a));
		return 0;
	}
	if (s->addr & (t->size - 1))
		*rc = note(z->ld, "%s %s: address %llx is not aligned to its "
		           "[size=%s]", z->name, slot_name(j, w),
		           (unsigned long long)s->addr, size_str(t->size, a));
	return t->size;
}

/* Why slot j gets no size even though something is there, or NULL. */
static const char *unsizable(const struct sizing *z, unsigned j)
{
	const struct slot *s = &z->slot[j];
	const struct text_bar *t = s->text;

	if (s->ones)
		return "the register reads ffffffff";
	if (s->kind == SLOT_BROKEN)
		return "a 64-bit BAR in the last slot has no high half";
	if (z->hdr == 2)
		return "the fake backend does not model CardBus BARs";
	if (j != DUMP_SLOT_ROM && t && (t->virt || t->enhanced) && !s->nonzero)
		return t->virt ? "[virtual] in the dump: the register reads 0 "
		                 "(a VF, or hardwired)" :
		                 "[enhanced] in the dump: Enhanced Allocation "
		                 "describes it, the register reads 0";
	return NULL;
}

static int size_slot(struct sizing *z, unsigned j)
{
	const struct slot *s = &z->slot[j];
	char w[8], a[32], why[128];
	int rc = 0;

	if (s->kind == SLOT_NONE || s->kind == SLOT_HIGH ||
	    (!s->nonzero && !s->text && !s->ones))
		return 0; /* not implemented, as far as the dump tells */
	/* A line for a register that reads 0 still means the OS had a
	 * resource there: lspci prints a BAR only when the register or the
	 * OS's resource is non-zero. */
	const char *no = unsizable(z, j);
	if (no)
		return note(z->ld, "%s %s: %s; left unsized", z->name,
		            slot_name(j, w), no);
	uint64_t size = s->text ? text_size(z, j, &rc) : 0;
	if (rc || size) {
		set_size(z, j, size);
		return rc;
	}
	size = guess_size(z, j, why, sizeof(why));
	if (!size_fits(s->kind, size)) /* an MSI-X table past 2 GiB */
		size = DUMP_MAX32;
	set_size(z, j, size);
	return note(z->ld, "%s %s: no [size=] in the dump; assuming %s%s",
	            z->name, slot_name(j, w), size_str(size, a), why);
}

/* Bytes TotalVFs VF BARs of one VF's size take, at most 2^64 - 1. */
static uint64_t vf_span(uint64_t size, unsigned total_vfs)
{
	uint64_t nr = total_vfs ? total_vfs : 1;

	return size > UINT64_MAX / nr ? UINT64_MAX : size * nr;
}

/*
 * One VF's BAR i.  lspci prints no VF BAR sizes, so it is guessed as a
 * BAR's is: the address's alignment, cut so that TotalVFs of them end
 * before the next BAR, ROM or VF BAR and inside the bridge's window.
 * The guess can be too large (a 16K BAR aligned for 128K maps 128K per
 * VF), which the note says; a platform file's <vf-bar> says better.
 * A register that reads 0 is taken as not implemented, as for BARs.
 */
static int size_vf(struct sizing *z, unsigned i)
{
	const struct slot *s = &z->vf[i];
	uint64_t nr = z->total_vfs ? z->total_vfs : 1, size, next, end, b;
	char a[32], c[32], t[32], why[160];

	if (!slot_has_range(s))
		return 0;
	size = s->addr & (~s->addr + 1);
	snprintf(why, sizeof(why), " from alignment");
	next = next_start(z->ld, range_space(z, false), s->addr);
	if (next && (b = pow2_floor((next - s->addr) / nr)) < size) {
		snprintf(why, sizeof(why), ": alignment allows %s, and %llu VFs must end "
		         "before the next BAR, ROM or VF BAR, %s above", size_str(size, a),
		         (unsigned long long)nr, size_str(next - s->addr, c));
		size = b;
	}
	end = window_end(z->ld, z, false, s->addr);
	if (end && (b = pow2_floor((end - s->addr + 1) / nr)) < size) {
		snprintf(why, sizeof(why), ": alignment allows %s, and %llu VFs must end "
		         "inside the bridge window, %s above", size_str(size, a),
		         (unsigned long long)nr, size_str(end - s->addr + 1, c));
		size = b;
	}
	if (size < DUMP_MEM_MIN)
		size = DUMP_MEM_MIN;
	if (s->kind == SLOT_MEM32 && size > DUMP_MAX32)
		size = DUMP_MAX32;
	z->fd->vf_bar_size[i] = size;
	return note(z->ld, "%s VF-BAR%u: lspci gives no VF BAR sizes; assuming %s per VF%s "
	            "(TotalVFs %llu: %s in all)", z->name, i, size_str(size, a), why,
	            (unsigned long long)nr, size_str(vf_span(size, z->total_vfs), t));
}

static void busy_push(struct pvhdev_dump *d, uint64_t start, uint64_t size)
{
	/* A span past 2^64 (a hostile TotalVFs times a large size) ends there. */
	uint64_t end = size > UINT64_MAX - start ? UINT64_MAX : start + size;

	if (size)
		d->busy[d->nr_busy++] = (struct pvhdev__dump_range){ start, end, 0 };
}

static int busy_cmp(const void *a, const void *b)
{
	const struct pvhdev__dump_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The bus of the function's last VF (routing IDs wrap within the
 * segment), or its own when it has no VFs. */
static uint8_t last_bus(const struct sizing *z)
{
	unsigned rid = z->fd->sbdf & 0xffff, bus = rid >> 8;

	if (z->total_vfs) {
		uint64_t last = rid + z->vf_offset +
		                (uint64_t)z->vf_stride * (z->total_vfs - 1);
		if ((last >> 8) > bus)
			bus = last > 0xffff ? 0xff : (unsigned)(last >> 8);
	}
	return (uint8_t)bus;
}

/* For the platform a dump alone gets (pvhdev_dump_platform()): the
 * memory every sized BAR, ROM and VF BAR span takes, and the buses the
 * functions and their VFs are on. */
static int collect_busy(struct load *ld)
{
	struct pvhdev_dump *d = ld->dump;

	d->busy = malloc((d->nr_devs * (DUMP_NR_SLOTS + DUMP_NR_BARS) + 1) * sizeof(*d->busy));
	d->last_bus = malloc(d->nr_devs + 1);
	if (!d->busy || !d->last_bus)
		return fail_file(ld, -ENOMEM, "out of memory");
	for (size_t i = 0; i < d->nr_devs; i++) {
		const struct sizing *z = &ld->sz[i];
		const struct pvhdev_fake_dev *fd = z->fd;
		d->last_bus[i] = last_bus(z);
		for (unsigned j = 0; j < DUMP_NR_SLOTS; j++)
			if (slot_has_range(&z->slot[j]) && z->slot[j].kind != SLOT_IO)
				busy_push(d, z->slot[j].addr,
				          j == DUMP_SLOT_ROM ? fd->rom_size : fd->bar_size[j]);
		for (unsigned j = 0; j < DUMP_NR_BARS; j++)
			if (slot_has_range(&z->vf[j]))
				busy_push(d, z->vf[j].addr, vf_span(fd->vf_bar_size[j],
				                                    z->total_vfs));
	}
	qsort(d->busy, d->nr_busy, sizeof(*d->busy), busy_cmp);
	for (size_t i = 0; i < d->nr_busy; i++)
		d->busy[i].max_end = i && d->busy[i - 1].max_end > d->busy[i].end ?
		                     d->busy[i - 1].max_end : d->busy[i].end;
	return 0;
}

/* Sizes every BAR and ROM of every function.  Registers are decoded
 * for all functions first: a guess looks at its neighbours. */
static int size_all(struct load *ld)
{
	size_t n = ld->dump->nr_devs;
	int rc;

	for (size_t i = 0; i < n; i++)
		decode_dev(&ld->sz[i]);
	if ((rc = index_neighbours(ld)))
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		struct sizing *z = &ld->sz[i];
		rc = note_gaps(ld, z->sd, z->name, z->fd->cfg_len);
		if (!rc)
			rc = match_text(z);
		for (unsigned j = 0; j < DUMP_NR_SLOTS && !rc; j++)
			rc = size_slot(z, j);
		for (unsigned j = 0; j < DUMP_NR_BARS && !rc; j++)
			rc = size_vf(z, j);
	}
	return rc ? rc : collect_busy(ld);
}

/* ---- API ---- */

static void load_fini(struct load *ld)
{
	for (size_t i = 0; i < ld->nr; i++)
		free(ld->devs[i].bars);
	free(ld->devs);
	free(ld->sz);
	free(ld->ranges);
	free(ld->bridges);
}

int pvhdev_dump_load(const char *path, struct pvhdev_dump **out, char *err,
                     size_t err_len)
{
	struct load ld = { .path = path, .err = err, .err_len = err_len };
	int rc;

	if (err && err_len)
		err[0] = '\0';
	if (!out || !path) {
		ld.path = "pvhdev_dump_load";
		return fail_file(&ld, -EINVAL, "a path and an out pointer are "
		                 "required");
	}
	*out = NULL;
	if (!(ld.dump = calloc(1, sizeof(*ld.dump))))
		return fail_file(&ld, -ENOMEM, "out of memory");
	rc = scan_file(&ld);
	if (!rc)
		rc = pci_run(&ld);
	if (!rc && !ld.dump->nr_devs)
		rc = fail_file(&ld, -EINVAL, "no devices (all %zu read vendor ID "
		               "ffff)", ld.nr);
	if (!rc)
		rc = size_all(&ld);
	load_fini(&ld);
	if (rc) {
		pvhdev_dump_free(ld.dump);
		return rc;
	}
	*out = ld.dump;
	return 0;
}

void pvhdev_dump_free(struct pvhdev_dump *dump)
{
	if (!dump)
		return;
	for (size_t i = 0; i < dump->nr_devs; i++)
		free((void *)dump->devs[i].cfg);
	free(dump->devs);
	for (size_t i = 0; i < dump->nr_notes; i++)
		free(dump->notes[i]);
	free(dump->notes);
	free(dump->busy);
	free(dump->last_bus);
	free(dump->mcfg);
	free(dump);
}

size_t pvhdev_dump_count(const struct pvhdev_dump *dump)
{
	return dump ? dump->nr_devs : 0;
}

const struct pvhdev_fake_dev *pvhdev_dump_devs(const struct pvhdev_dump *dump)
{
	return dump ? dump->devs : NULL;
}

size_t pvhdev_dump_nr_notes(const struct pvhdev_dump *dump)
{
	return dump ? dump->nr_notes : 0;
}

const char *pvhdev_dump_note(const struct pvhdev_dump *dump, size_t i)
{
	return dump && i < dump->nr_notes ? dump->notes[i] : NULL;
}
