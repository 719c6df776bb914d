/* SPDX-License-Identifier: MIT */
/* The dump backend, step 1: our own reader of the file, line by line, as
 * libpci's dump reader classifies lines, stricter where libpci would
 * exit or drop bytes; it collects the verbose text's BAR lines too. */
#include "backend/dump/dump.h"

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
		if (n > (PVHDEV_PCI_BAR_MAX64 - 9) / 10)
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
	if (n > PVHDEV_PCI_BAR_MAX64 >> shift)
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

int scan_file(struct load *ld)
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
