/* SPDX-License-Identifier: MIT */
/*
 * Host capture: the platform of the running machine, read-only from
 * sysfs (include/pvhdev/host_backend.h; docs/host.md).
 *
 *   e820        ROOT/firmware/memmap/N/{start,end,type}: the map the
 *               firmware gave, before the kernel's own changes
 *   IO-APICs    ROOT/firmware/acpi/tables/APIC (MADT) type 1 entries
 *   LAPIC       the MADT header, or its type 5 override
 *   MCFG        ROOT/firmware/acpi/tables/MCFG, one window per entry
 *   ACPI tables names and lengths from ROOT/firmware/acpi/tables; their
 *               addresses from the FADT (DSDT, FACS), ROOT/firmware/efi/
 *               systab (RSDP) and the kernel log's boot-time table list
 *               ("ACPI: FACP 0x00000000000A0C97 000114 (v06 ...)")
 *
 * An IO-APIC's pin count is not in the MADT: it is the version
 * register's "maximum redirection entry", and only the kernel can read
 * IO-APIC registers.  In order of preference we take it from the
 * kernel log ("IOAPIC[0]: apic_id 0, version 17, address 0xfec00000,
 * GSI 0-23"), from the next IO-APIC's GSI base (GSI ranges are laid
 * out back to back in practice), or assume 24 (the 82093AA's count,
 * and what most chipsets have), raised to cover the highest GSI an
 * interrupt source override names.  The XML says which, per IO-APIC.
 *
 * Everything that is missing, unreadable or malformed becomes a note
 * and is left out: a capture is partial, never a failure.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhdev/host_backend.h>

#define CAP_PATH_MAX 4096
#define CAP_TABLE_MAX (1u << 20)  /* largest MADT/MCFG/FACP we read, bytes */
#define CAP_LOG_MAX (16u << 20)   /* most kernel log we read, bytes */
#define CAP_LOG_CHUNK 8192u       /* one /dev/kmsg record fits */
#define CAP_PHYS_MAX (1ull << 52) /* above: a kernel virtual address */
#define CAP_PINS_DEFAULT 24u
#define CAP_PINS_MAX PVHDEV_IOAPIC_MAX_PINS /* what pvhdev models */
#define CAP_MCFG_ALIGN (1ull << 20)
#define ACPI_HDR_LEN 36u          /* bytes of the common table header */
#define MADT_FIRST 44u            /* header, LAPIC address, flags */
#define MCFG_FIRST 44u            /* header, 8 reserved bytes */
#define MCFG_ENTRY 16u

enum pins_src {
	PINS_LOG,      /* the kernel log's "GSI a-b" */
	PINS_NEXT,     /* the next IO-APIC's GSI base */
	PINS_DEFAULT,  /* 24 */
	PINS_OVERRIDE, /* raised to the highest overridden GSI */
};

/* Where an ACPI table's address came from. */
enum addr_src {
	ADDR_NONE,
	ADDR_LOG,
	ADDR_FADT,
	ADDR_SYSTAB,
};

/* A table the kernel exports (ROOT/firmware/acpi/tables/NAME). */
struct sys_table {
	char name[16];     /* "SSDT2" */
	uint64_t len;      /* bytes, the file's size */
	uint64_t addr;     /* bytes; valid when src != ADDR_NONE */
	enum addr_src src;
};

/* A boot-time table line of the kernel log. */
struct log_table {
	char sig[5];
	uint64_t addr;     /* bytes, physical */
	uint32_t len;      /* bytes */
	bool used;
};

struct log_ioapic {
	unsigned id;
	uint64_t addr;
	uint32_t gsi_first, gsi_last;
};

/* A growable array of elements of one type. */
struct vec {
	void *v;
	size_t n, cap;
};

struct pvhdev_capture {
	struct pvhdev_platform plat;
	char root[CAP_PATH_MAX];
	struct vec e820;       /* struct pvhdev_e820_entry */
	struct vec acpi;       /* struct pvhdev_acpi_table */
	struct vec acpi_src;   /* enum addr_src, parallel to acpi */
	struct vec mcfg;       /* struct pvhdev_mcfg */
	struct vec ioapic;     /* struct pvhdev_ioapic_desc */
	struct vec pins_src;   /* enum pins_src, parallel to ioapic */
	struct vec sys;        /* struct sys_table */
	struct vec log_tab;    /* struct log_table */
	struct vec log_io;     /* struct log_ioapic */
	struct vec notes;      /* char * */
	uint32_t max_ovr_gsi;  /* highest GSI an override names */
	bool have_ovr;
	uint64_t lapic;        /* 0: none captured */
	bool lapic_override;   /* from a type 5 entry */
	bool have_log;
	int oom;               /* -ENOMEM once an allocation failed */
};

/* ---- Small helpers ---- */

/* A pointer to a new zeroed element at the end of vec, or NULL. */
static void *vec_push(struct pvhdev_capture *c, struct vec *vec, size_t elem)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? 2 * vec->cap : 16;
		void *v = realloc(vec->v, cap * elem);

		if (!v) {
			c->oom = -ENOMEM;
			return NULL;
		}
		vec->v = v;
		vec->cap = cap;
	}
	void *p = (char *)vec->v + vec->n++ * elem;
	memset(p, 0, elem);
	return p;
}

__attribute__((format(printf, 2, 3)))
static void note(struct pvhdev_capture *c, const char *fmt, ...)
{
	char *s = NULL, **slot;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s || !(slot = vec_push(c, &c->notes, sizeof(char *)))) {
		free(s);
		c->oom = -ENOMEM;
		return;
	}
	*slot = s;
}

static uint64_t le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned k = size; k-- > 0;)
		v = v << 8 | p[k];
	return v;
}

/* ROOT/rel into buf; false (with a note) when it does not fit. */
static bool path_of(struct pvhdev_capture *c, const char *rel, char *buf,
                    size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s", c->root, rel) < len)
		return true;
	note(c, "%s/%s: path too long", c->root, rel);
	return false;
}

/* Reads at most max bytes of path into a malloc'd buffer (NUL added).
 * Returns 0 or -errno; the caller words the note. */
static int slurp(const char *path, size_t max, uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0, cap = 4096;
	uint8_t *buf = NULL;
	int rc = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		if (cap > max + 1)
			cap = max + 1;
		uint8_t *b = realloc(buf, cap + 1);
		if (!b) {
			rc = -ENOMEM;
			break;
		}
		buf = b;
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : 0;
			break;
		}
		n += (size_t)r;
		if (n > max) {
			rc = -EFBIG;
			break;
		}
		if (n == cap)
			cap *= 2;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Why a file could not be read, for a note. */
static const char *why(int rc)
{
	if (rc == -EACCES || rc == -EPERM)
		return "permission denied (root only?)";
	if (rc == -EFBIG)
		return "implausibly large";
	return strerror(-rc);
}

/* A number as sysfs prints it ("0x9fbff\n"); false if it is not one. */
static bool parse_num(const char *s, uint64_t *val)
{
	char *end;

	if (!isxdigit((unsigned char)*s))
		return false;
	errno = 0;
	*val = strtoull(s, &end, 0);
	while (*end == '\n' || *end == ' ')
		end++;
	return !errno && !*end;
}

/* ---- e820: ROOT/firmware/memmap ---- */

/* The kernel's names (e820_type_to_string) and what they stand for. */
static const struct {
	const char *name;
	uint32_t type;
} e820_names[] = {
	{ "System RAM", PVHDEV_E820_RAM },
	{ "Reserved", PVHDEV_E820_RESERVED },
	{ "ACPI Tables", PVHDEV_E820_ACPI },
	{ "ACPI Non-volatile Storage", PVHDEV_E820_NVS },
	{ "Unusable memory", PVHDEV_E820_UNUSABLE },
	{ "Persistent Memory (legacy)", 12 },
	{ "Persistent Memory", 7 },
	{ "Soft Reserved", 0xefffffffu },
};

static bool e820_type(const char *s, uint32_t *type)
{
	size_t n = strcspn(s, "\n");

	for (size_t i = 0; i < sizeof(e820_names) / sizeof(e820_names[0]); i++)
		if (strlen(e820_names[i].name) == n &&
		    !strncmp(s, e820_names[i].name, n)) {
			*type = e820_names[i].type;
			return true;
		}
	return false;
}

/* One attribute file of memmap/ENTRY, as text; NULL with a note. */
static char *memmap_attr(struct pvhdev_capture *c, const char *entry,
                         const char *attr)
{
	char rel[512], path[CAP_PATH_MAX];
	uint8_t *buf;
	size_t len;
	int rc;

	snprintf(rel, sizeof(rel), "firmware/memmap/%s/%s", entry, attr);
	if (!path_of(c, rel, path, sizeof(path)))
		return NULL;
	if ((rc = slurp(path, 256, &buf, &len))) {
		c->oom = rc == -ENOMEM ? rc : c->oom;
		note(c, "%s: %s; e820 entry %s skipped", path, why(rc), entry);
		return NULL;
	}
	return (char *)buf;
}

static void e820_entry(struct pvhdev_capture *c, const char *entry)
{
	char *start = memmap_attr(c, entry, "start");
	char *end = start ? memmap_attr(c, entry, "end") : NULL;
	char *type = end ? memmap_attr(c, entry, "type") : NULL;
	uint64_t a, b;
	uint32_t t;

	if (!type)
		goto out;
	if (!parse_num(start, &a) || !parse_num(end, &b) || b < a)
		note(c, "e820 entry %s: start and end are not numbers with "
		     "start <= end; skipped", entry);
	else if (!e820_type(type, &t))
		note(c, "e820 entry %s: unknown type '%.*s'; skipped", entry,
		     (int)strcspn(type, "\n"), type);
	else {
		struct pvhdev_e820_entry *e = vec_push(c, &c->e820, sizeof(*e));
		if (e) {
			e->addr = a;
			e->size = b - a + 1; /* end is inclusive */
			e->type = t;
		}
	}
out:
	free(start);
	free(end);
	free(type);
}

static int e820_cmp(const void *x, const void *y)
{
	const struct pvhdev_e820_entry *a = x, *b = y;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* Sorts the map and drops entries that overlap an earlier one. */
static void e820_tidy(struct pvhdev_capture *c)
{
	struct pvhdev_e820_entry *e = c->e820.v;
	size_t n = 0;

	if (!c->e820.n)
		return;
	qsort(e, c->e820.n, sizeof(*e), e820_cmp);
	for (size_t i = 0; i < c->e820.n; i++) {
		if (n && e[i].addr - e[n - 1].addr < e[n - 1].size) {
			note(c, "e820: [%#llx, %#llx] overlaps [%#llx, %#llx]; "
			     "dropped", (unsigned long long)e[i].addr,
			     (unsigned long long)(e[i].addr + e[i].size - 1),
			     (unsigned long long)e[n - 1].addr,
			     (unsigned long long)(e[n - 1].addr + e[n - 1].size - 1));
			continue;
		}
		e[n++] = e[i];
	}
	c->e820.n = n;
}

/* memmap/0, memmap/1, ... in numeric order, so that notes come out in
 * the same order whatever order the directory lists them in. */
static int entry_cmp(const struct dirent **x, const struct dirent **y)
{
	unsigned long a = strtoul((*x)->d_name, NULL, 10);
	unsigned long b = strtoul((*y)->d_name, NULL, 10);

	return a != b ? (a < b ? -1 : 1) : strcmp((*x)->d_name, (*y)->d_name);
}

static int entry_filter(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static void read_e820(struct pvhdev_capture *c)
{
	char path[CAP_PATH_MAX];
	struct dirent **de;
	int n;

	if (!path_of(c, "firmware/memmap", path, sizeof(path)))
		return;
	if ((n = scandir(path, &de, entry_filter, entry_cmp)) < 0) {
		note(c, "%s: %s; no e820 map captured", path, why(-errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		e820_entry(c, de[i]->d_name);
		free(de[i]);
	}
	free(de);
	e820_tidy(c);
	if (!c->e820.n)
		note(c, "%s: no usable entries; no e820 map captured", path);
}

/* ---- The kernel log ---- */

/* "ACPI: SIG 0xADDR LEN (v..." at p (after "ACPI: "). */
static void log_table_line(struct pvhdev_capture *c, const char *p)
{
	unsigned long long addr, len;
	char *end;

	for (int k = 0; k < 4; k++)
		if (!isgraph((unsigned char)p[k]))
			return;
	if (strncmp(p + 4, " 0x", 3) || !isxdigit((unsigned char)p[7]))
		return;
	addr = strtoull(p + 7, &end, 16);
	if (*end != ' ' || !isxdigit((unsigned char)end[1]))
		return;
	len = strtoull(end + 1, &end, 16);
	if ((*end && *end != ' ' && *end != '\n') || addr >= CAP_PHYS_MAX ||
	    !len || len > UINT32_MAX)
		return; /* dynamic tables are logged with virtual addresses */
	struct log_table *t = vec_push(c, &c->log_tab, sizeof(*t));
	if (!t)
		return;
	memcpy(t->sig, p, 4);
	t->addr = addr;
	t->len = (uint32_t)len;
}

static void log_ioapic_line(struct pvhdev_capture *c, const char *p)
{
	unsigned idx, id, ver, first, last;
	unsigned long long addr;

	if (sscanf(p, "IOAPIC[%u]: apic_id %u, version %u, address 0x%llx, "
	           "GSI %u-%u", &idx, &id, &ver, &addr, &first, &last) != 6 ||
	    last < first)
		return;
	struct log_ioapic *io = vec_push(c, &c->log_io, sizeof(*io));
	if (!io)
		return;
	io->id = id;
	io->addr = addr;
	io->gsi_first = first;
	io->gsi_last = last;
}

/* One line of dmesg or /dev/kmsg ("6,339,2911,-;ACPI: ..."). */
static void log_line(struct pvhdev_capture *c, const char *line)
{
	const char *p;

	if ((p = strstr(line, "ACPI: ")))
		log_table_line(c, p + 6);
	else if ((p = strstr(line, "IOAPIC[")))
		log_ioapic_line(c, p);
}

/* Reads the log: /dev/kmsg hands out one record per read() and says
 * EAGAIN at the end (O_NONBLOCK), a file says 0. */
static int read_log_bytes(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t n = 0;
	char *buf = NULL;

	if (fd < 0)
		return -errno;
	while (n < CAP_LOG_MAX) {
		char *b = realloc(buf, n + CAP_LOG_CHUNK + 1);
		if (!b) {
			close(fd);
			free(buf);
			return -ENOMEM;
		}
		buf = b;
		ssize_t r = read(fd, buf + n, CAP_LOG_CHUNK);
		if (r < 0 && (errno == EINTR || errno == EPIPE))
			continue; /* EPIPE: a record was overwritten */
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static void read_log(struct pvhdev_capture *c, const char *path)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	int rc;

	if (!path)
		return;
	if ((rc = read_log_bytes(path, &buf, &len))) {
		c->oom = rc == -ENOMEM ? rc : c->oom;
		note(c, "%s: %s; ACPI table addresses and IO-APIC pin counts "
		     "from the kernel log not available", path, why(rc));
		return;
	}
	c->have_log = true;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		log_line(c, line);
	free(buf);
	if (!c->log_tab.n)
		note(c, "%s: no boot-time 'ACPI: SIG 0xADDR LEN' lines (the log "
		     "wrapped?); ACPI table addresses come only from the FADT "
		     "and EFI", path);
}

/* ---- ACPI tables ---- */

/* Reads ROOT/firmware/acpi/tables/name; NULL with a note. */
static uint8_t *read_table(struct pvhdev_capture *c, const char *name,
                           size_t *len, const char *lost)
{
	char rel[64], path[CAP_PATH_MAX];
	uint8_t *buf;
	int rc;

	snprintf(rel, sizeof(rel), "firmware/acpi/tables/%s", name);
	if (!path_of(c, rel, path, sizeof(path)))
		return NULL;
	if ((rc = slurp(path, CAP_TABLE_MAX, &buf, len))) {
		c->oom = rc == -ENOMEM ? rc : c->oom;
		note(c, "%s: %s; %s", path, why(rc), lost);
		return NULL;
	}
	return buf;
}

/*
 * The table's length from its header, or 0 (with a note) when the
 * bytes are not a table with signature sig of at least min bytes.  A
 * wrong checksum is only noted: firmware ships them and Linux warns.
 */
static uint32_t table_check(struct pvhdev_capture *c, const char *sig,
                            const uint8_t *b, size_t len, uint32_t min,
                            const char *lost)
{
	uint32_t tlen = len >= ACPI_HDR_LEN ? (uint32_t)le(b + 4, 4) : 0;
	uint8_t sum = 0;

	if (len < ACPI_HDR_LEN) {
		note(c, "%s: %zu bytes, shorter than an ACPI header; %s", sig, len,
		     lost);
		return 0;
	}
	if (memcmp(b, sig, 4)) {
		note(c, "%s: signature is '%c%c%c%c', expected '%s'; %s", sig,
		     isprint(b[0]) ? b[0] : '?', isprint(b[1]) ? b[1] : '?',
		     isprint(b[2]) ? b[2] : '?', isprint(b[3]) ? b[3] : '?', sig,
		     lost);
		return 0;
	}
	if (tlen > len || tlen < min) {
		note(c, "%s: the header says %u bytes, the file has %zu%s; %s", sig,
		     tlen, len, tlen > len ? " (truncated)" : "", lost);
		return 0;
	}
	for (uint32_t i = 0; i < tlen; i++)
		sum = (uint8_t)(sum + b[i]);
	if (sum)
		note(c, "%s: checksum is wrong (bytes sum to %#x); used anyway",
		     sig, sum);
	return tlen;
}

static int sys_cmp(const void *x, const void *y)
{
	return strcmp(((const struct sys_table *)x)->name,
	              ((const struct sys_table *)y)->name);
}

/* The tables the kernel exports, by name, with their lengths. */
static void list_tables(struct pvhdev_capture *c)
{
	char dir[CAP_PATH_MAX], path[CAP_PATH_MAX + 300];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (!path_of(c, "firmware/acpi/tables", dir, sizeof(dir)))
		return;
	if (!(d = opendir(dir))) {
		note(c, "%s: %s; no ACPI tables captured", dir, why(-errno));
		return;
	}
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* data/ and dynamic/ hold no top-level firmware tables */
		if (de->d_name[0] == '.' || strlen(de->d_name) < 4 ||
		    strlen(de->d_name) >= sizeof(((struct sys_table *)0)->name) ||
		    stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		struct sys_table *t = vec_push(c, &c->sys, sizeof(*t));
		if (!t)
			break;
		strcpy(t->name, de->d_name);
		t->len = (uint64_t)st.st_size;
	}
	closedir(d);
	if (c->sys.n)
		qsort(c->sys.v, c->sys.n, sizeof(struct sys_table), sys_cmp);
}

static struct sys_table *sys_find(struct pvhdev_capture *c, const char *name)
{
	struct sys_table *t = c->sys.v;

	for (size_t i = 0; i < c->sys.n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

/* The k-th (from 1) boot-time log line for sig, or NULL. */
static struct log_table *log_find(struct pvhdev_capture *c, const char *sig,
                                  unsigned long k)
{
	struct log_table *t = c->log_tab.v;

	for (size_t i = 0; i < c->log_tab.n; i++)
		if (!memcmp(t[i].sig, sig, 4) && !--k)
			return &t[i];
	return NULL;
}

/*
 * sysfs names the instances of a signature that occurs more than once
 * SSDT1, SSDT2, ... in the root table's order, which is also the order
 * the kernel logs them in: the n-th line for SSDT is SSDTn.
 */
static void addrs_from_log(struct pvhdev_capture *c)
{
	struct sys_table *t = c->sys.v;

	for (size_t i = 0; i < c->sys.n; i++) {
		const char *num = t[i].name + 4;
		unsigned long k = *num ? strtoul(num, NULL, 10) : 1;
		struct log_table *l;

		if (strspn(num, "0123456789") != strlen(num) || !k ||
		    !(l = log_find(c, t[i].name, k)))
			continue;
		if (l->len != t[i].len) {
			note(c, "%s: the kernel log gives %u bytes at %#llx, sysfs %llu "
			     "bytes; that address is not used", t[i].name, l->len,
			     (unsigned long long)l->addr,
			     (unsigned long long)t[i].len);
			continue;
		}
		t[i].addr = l->addr;
		t[i].src = ADDR_LOG;
	}
}

static void fadt_addr(struct pvhdev_capture *c, const char *name, uint64_t addr)
{
	struct sys_table *t = sys_find(c, name);

	if (!t || !addr)
		return;
	if (t->src == ADDR_LOG && t->addr != addr)
		note(c, "%s: the kernel log says %#llx, the FADT %#llx; using the "
		     "FADT", name, (unsigned long long)t->addr,
		     (unsigned long long)addr);
	t->addr = addr;
	t->src = ADDR_FADT;
}

/*
 * The FADT holds the DSDT's and the FACS's addresses (ACPI 6.5, 5.2.9):
 *
 *   +36 FIRMWARE_CTRL (32)   +40 DSDT (32)
 *   +132 X_FIRMWARE_CTRL (64) +140 X_DSDT (64)   (ACPI 2.0+; wins if set)
 */
static void addrs_from_fadt(struct pvhdev_capture *c)
{
	static const char lost[] = "DSDT and FACS addresses from the FADT not "
	                           "available";
	size_t len;
	uint8_t *b;
	uint32_t tlen;

	if (!sys_find(c, "FACP") || !(b = read_table(c, "FACP", &len, lost)))
		return;
	tlen = table_check(c, "FACP", b, len, 44, lost);
	if (tlen) {
		uint64_t x_facs = tlen >= 140 ? le(b + 132, 8) : 0;
		uint64_t x_dsdt = tlen >= 148 ? le(b + 140, 8) : 0;

		fadt_addr(c, "DSDT", x_dsdt ? x_dsdt : le(b + 40, 4));
		fadt_addr(c, "FACS", x_facs ? x_facs : le(b + 36, 4));
	}
	free(b);
}

static void acpi_add(struct pvhdev_capture *c, const char *sig, uint64_t addr,
                     uint64_t len, enum addr_src src)
{
	struct pvhdev_acpi_table *t = vec_push(c, &c->acpi, sizeof(*t));
	enum addr_src *s = t ? vec_push(c, &c->acpi_src, sizeof(*s)) : NULL;

	if (!s)
		return;
	memcpy(t->sig, sig, 4);
	t->sig[4] = '\0';
	t->addr = addr;
	t->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	*s = src;
}

/* EFI's system table names the RSDP: "ACPI20=0x..." (36 bytes) or
 * "ACPI=0x..." (ACPI 1.0, 20 bytes).  Returns false when it does not. */
static bool rsdp_from_systab(struct pvhdev_capture *c)
{
	char path[CAP_PATH_MAX];
	uint8_t *buf;
	size_t len;
	char *p;
	bool v2;

	if (!path_of(c, "firmware/efi/systab", path, sizeof(path)) ||
	    slurp(path, 64 * 1024, &buf, &len))
		return false; /* not an EFI boot: the log may still say */
	v2 = (p = strstr((char *)buf, "ACPI20=")) != NULL;
	if (!v2 && (p = strstr((char *)buf, "ACPI=")) && p != (char *)buf &&
	    p[-1] != '\n')
		p = NULL;
	uint64_t addr = p ? strtoull(strchr(p, '=') + 1, NULL, 0) : 0;
	free(buf);
	if (addr)
		acpi_add(c, "RSDP", addr, v2 ? 36 : 20, ADDR_SYSTAB);
	return addr != 0;
}

/* Tables the kernel logs but sysfs does not export. */
static void roots_from_log(struct pvhdev_capture *c, bool have_rsdp)
{
	static const char *const roots[] = { "RSDP", "XSDT", "RSDT" };

	for (size_t i = have_rsdp; i < sizeof(roots) / sizeof(roots[0]); i++) {
		struct log_table *l = log_find(c, roots[i], 1);

		if (l)
			acpi_add(c, roots[i], l->addr, l->len, ADDR_LOG);
		else if (!i)
			note(c, "RSDP: address unknown (no EFI systab, not in the "
			     "kernel log)");
	}
}

static int acpi_cmp(const void *x, const void *y)
{
	const struct pvhdev_acpi_table *a = x, *b = y;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static void read_acpi(struct pvhdev_capture *c)
{
	struct sys_table *t;

	list_tables(c);
	addrs_from_log(c);
	addrs_from_fadt(c);
	roots_from_log(c, rsdp_from_systab(c));
	t = c->sys.v;
	for (size_t i = 0; i < c->sys.n; i++)
		if (t[i].src != ADDR_NONE)
			acpi_add(c, t[i].name, t[i].addr, t[i].len, t[i].src);
	if (c->oom || !c->acpi.n)
		return;
	/* Sort the sources along: sort pairs, then split them again. */
	struct { struct pvhdev_acpi_table t; enum addr_src s; } *pair;
	pair = calloc(c->acpi.n, sizeof(*pair));
	if (!pair) {
		c->oom = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < c->acpi.n; i++) {
		pair[i].t = ((struct pvhdev_acpi_table *)c->acpi.v)[i];
		pair[i].s = ((enum addr_src *)c->acpi_src.v)[i];
	}
	qsort(pair, c->acpi.n, sizeof(*pair), acpi_cmp); /* t is first */
	for (size_t i = 0; i < c->acpi.n; i++) {
		((struct pvhdev_acpi_table *)c->acpi.v)[i] = pair[i].t;
		((enum addr_src *)c->acpi_src.v)[i] = pair[i].s;
	}
	free(pair);
}

/* ---- The MADT: IO-APICs and the LAPIC ---- */

/* Does [a, a + PVHDEV_IOAPIC_WINDOW) meet [b, b + the same)? */
static bool windows_meet(uint64_t a, uint64_t b)
{
	return (a > b ? a - b : b - a) < PVHDEV_IOAPIC_WINDOW;
}

static void ioapic_add(struct pvhdev_capture *c, uint8_t id, uint64_t addr,
                       uint32_t gsi_base)
{
	struct pvhdev_ioapic_desc *io = c->ioapic.v;

	if (addr % 16) {
		note(c, "APIC: IO-APIC %u: address %#llx is not 16-byte aligned; "
		     "skipped", id, (unsigned long long)addr);
		return;
	}
	for (size_t i = 0; i < c->ioapic.n; i++)
		if (io[i].id == id || windows_meet(io[i].addr, addr) ||
		    io[i].gsi_base == gsi_base) {
			note(c, "APIC: IO-APIC %u at %#llx, GSI base %u repeats the "
			     "id, window or GSI base of IO-APIC %u; skipped", id,
			     (unsigned long long)addr, gsi_base, io[i].id);
			return;
		}
	struct pvhdev_ioapic_desc *n = vec_push(c, &c->ioapic, sizeof(*n));
	enum pins_src *s = n ? vec_push(c, &c->pins_src, sizeof(*s)) : NULL;
	if (!s)
		return;
	n->id = id;
	n->addr = addr;
	n->gsi_base = gsi_base;
}

/*
 * MADT entries (ACPI 6.5, 5.2.12), offsets from the entry:
 *
 *   type 1 IO-APIC                 +2 id, +4 address (32), +8 GSI base
 *   type 2 interrupt src override  +4 GSI (32)
 *   type 5 LAPIC address override  +4 address (64)
 */
static void madt_entry(struct pvhdev_capture *c, const uint8_t *e, unsigned off)
{
	unsigned len = e[1];

	if (e[0] == 1 && len < 12)
		note(c, "APIC: IO-APIC entry at offset %#x is %u bytes, expected "
		     "12; skipped", off, len);
	else if (e[0] == 1)
		ioapic_add(c, e[2], le(e + 4, 4), (uint32_t)le(e + 8, 4));
	else if (e[0] == 2 && len >= 10) {
		uint32_t gsi = (uint32_t)le(e + 4, 4);

		if (!c->have_ovr || gsi > c->max_ovr_gsi)
			c->max_ovr_gsi = gsi;
		c->have_ovr = true;
	} else if (e[0] == 5 && len >= 12) {
		c->lapic = le(e + 4, 8);
		c->lapic_override = true;
	}
}

static void read_madt(struct pvhdev_capture *c)
{
	static const char lost[] = "IO-APICs and the LAPIC address not captured";
	size_t len;
	uint8_t *b = read_table(c, "APIC", &len, lost);
	uint32_t tlen = b ? table_check(c, "APIC", b, len, MADT_FIRST, lost) : 0;

	if (tlen)
		c->lapic = le(b + 36, 4);
	for (uint32_t off = MADT_FIRST; off < tlen; off += b[off + 1]) {
		if (tlen - off < 2 || b[off + 1] < 2 || b[off + 1] > tlen - off) {
			note(c, "APIC: the entry at offset %#x runs past the table's "
			     "%u bytes or is shorter than 2; the rest is ignored", off,
			     tlen);
			break;
		}
		madt_entry(c, b + off, off);
	}
	if (tlen && !c->ioapic.n)
		note(c, "APIC: no IO-APIC entries");
	if (c->lapic % PVHDEV_PAGE_SIZE) {
		note(c, "APIC: LAPIC address %#llx is not 4 KiB aligned; not "
		     "captured", (unsigned long long)c->lapic);
		c->lapic = 0;
	}
	free(b);
}

static const struct log_ioapic *log_ioapic_find(const struct pvhdev_capture *c,
                                                const struct pvhdev_ioapic_desc *io)
{
	const struct log_ioapic *l = c->log_io.v;

	for (size_t i = 0; i < c->log_io.n; i++)
		if (l[i].id == io->id && l[i].addr == io->addr)
			return &l[i];
	return NULL;
}

static int ioapic_cmp(const void *x, const void *y)
{
	const struct pvhdev_ioapic_desc *a = x, *b = y;

	return a->gsi_base < b->gsi_base ? -1 : a->gsi_base > b->gsi_base;
}

/* Pins when neither the log nor the next IO-APIC says: 24, or up to
 * the highest GSI an override names when that lies beyond. */
static uint32_t pins_default(const struct pvhdev_capture *c,
                             const struct pvhdev_ioapic_desc *io, bool last,
                             enum pins_src *src)
{
	uint32_t top = c->max_ovr_gsi;

	*src = PINS_DEFAULT;
	if (last && c->have_ovr && top >= io->gsi_base &&
	    top - io->gsi_base >= CAP_PINS_DEFAULT &&
	    top - io->gsi_base < CAP_PINS_MAX) {
		*src = PINS_OVERRIDE;
		return top - io->gsi_base + 1;
	}
	return CAP_PINS_DEFAULT;
}

/* One IO-APIC's pins; gap is the distance to the next one's GSI base
 * (0 for the last). */
static uint32_t pins_of(struct pvhdev_capture *c,
                        const struct pvhdev_ioapic_desc *io, uint32_t gap,
                        enum pins_src *src)
{
	const struct log_ioapic *l = log_ioapic_find(c, io);
	uint32_t pins;

	if (l && l->gsi_first == io->gsi_base) {
		*src = PINS_LOG;
		pins = l->gsi_last - l->gsi_first + 1;
		if (pins && pins <= CAP_PINS_MAX)
			return pins;
		note(c, "IO-APIC %u: the kernel log says GSI %u-%u; pvhdev models "
		     "at most %u pins", io->id, l->gsi_first, l->gsi_last,
		     CAP_PINS_MAX);
		return CAP_PINS_MAX;
	}
	if (l)
		note(c, "IO-APIC %u: the kernel log says GSI %u-%u, the MADT GSI "
		     "base %u; the log is not used", io->id, l->gsi_first,
		     l->gsi_last, io->gsi_base);
	if (gap && gap <= CAP_PINS_MAX) {
		*src = PINS_NEXT;
		return gap;
	}
	return pins_default(c, io, !gap, src);
}

static void ioapic_pins(struct pvhdev_capture *c)
{
	struct pvhdev_ioapic_desc *io = c->ioapic.v;
	enum pins_src *src = c->pins_src.v;
	size_t n = c->ioapic.n;

	if (n)
		qsort(io, n, sizeof(*io), ioapic_cmp); /* sources come after */
	for (size_t i = 0; i < n; i++) {
		uint32_t gap = i + 1 < n ? io[i + 1].gsi_base - io[i].gsi_base : 0;
		uint32_t room = UINT32_MAX - io[i].gsi_base + 1; /* 0: 2^32 */
		uint32_t pins = pins_of(c, &io[i], gap, &src[i]);

		if (gap && pins > gap) {
			note(c, "IO-APIC %u: %u pins would overlap the next IO-APIC's "
			     "GSIs; %u used", io[i].id, pins, gap);
			pins = gap;
		}
		if (room && pins > room)
			pins = room; /* GSIs end at 2^32 - 1 */
		io[i].pins = (uint16_t)pins;
	}
}

/* ---- MCFG ---- */

/* Does the entry clash with an earlier one: the same buses of a
 * segment, or ECAM windows (1 MiB per bus from base) that overlap? */
static bool mcfg_clash(struct pvhdev_capture *c, uint64_t addr, uint16_t seg,
                       uint8_t sb, uint8_t eb, unsigned i)
{
	const struct pvhdev_mcfg *m = c->mcfg.v;
	uint64_t lo = addr + ((uint64_t)sb << 20), hi = addr + ((uint64_t)eb << 20);

	for (size_t j = 0; j < c->mcfg.n; j++) {
		uint64_t mlo = m[j].addr + ((uint64_t)m[j].start_bus << 20);
		uint64_t mhi = m[j].addr + ((uint64_t)m[j].end_bus << 20);
		bool buses = m[j].seg == seg && sb <= m[j].end_bus &&
		             m[j].start_bus <= eb;

		if (buses || (lo <= mhi && mlo <= hi)) {
			note(c, "MCFG: entry %u (segment %u, buses %u-%u) overlaps "
			     "segment %u buses %u-%u in %s; skipped", i, seg, sb, eb,
			     m[j].seg, m[j].start_bus, m[j].end_bus,
			     buses ? "bus numbers" : "ECAM space");
			return true;
		}
	}
	return false;
}

/* One 16-byte entry: +0 base (64), +8 segment (16), +10 start bus,
 * +11 end bus (PCI Firmware 3.2, 4.1.2). */
static void mcfg_entry(struct pvhdev_capture *c, const uint8_t *e, unsigned i)
{
	uint64_t addr = le(e, 8);
	struct pvhdev_mcfg *m;

	if (e[10] > e[11]) {
		note(c, "MCFG: entry %u: start bus %u > end bus %u; skipped", i,
		     e[10], e[11]);
		return;
	}
	if (addr % CAP_MCFG_ALIGN || addr > UINT64_MAX - (256ull << 20)) {
		note(c, "MCFG: entry %u: base %#llx is not 1 MiB aligned or too "
		     "high; skipped", i, (unsigned long long)addr);
		return;
	}
	if (mcfg_clash(c, addr, (uint16_t)le(e + 8, 2), e[10], e[11], i))
		return;
	if (!(m = vec_push(c, &c->mcfg, sizeof(*m))))
		return;
	m->addr = addr;
	m->seg = (uint16_t)le(e + 8, 2);
	m->start_bus = e[10];
	m->end_bus = e[11];
}

static void read_mcfg(struct pvhdev_capture *c)
{
	static const char lost[] = "no ECAM windows captured";
	size_t len;
	uint8_t *b = read_table(c, "MCFG", &len, lost);
	uint32_t tlen = b ? table_check(c, "MCFG", b, len, MCFG_FIRST, lost) : 0;

	if (tlen && (tlen - MCFG_FIRST) % MCFG_ENTRY)
		note(c, "MCFG: %u bytes of entries is not a multiple of %u; the "
		     "last %u ignored", tlen - MCFG_FIRST, MCFG_ENTRY,
		     (tlen - MCFG_FIRST) % MCFG_ENTRY);
	for (uint32_t off = MCFG_FIRST; off + MCFG_ENTRY <= tlen; off += MCFG_ENTRY)
		mcfg_entry(c, b + off, (off - MCFG_FIRST) / MCFG_ENTRY);
	if (tlen && !c->mcfg.n)
		note(c, "MCFG: no usable entries");
	free(b);
}

/* ---- API ---- */

static void finish(struct pvhdev_capture *c)
{
	struct pvhdev_platform *p = &c->plat;

	p->size = sizeof(*p);
	p->e820 = c->e820.v;
	p->nr_e820 = c->e820.n;
	p->acpi = c->acpi.v;
	p->nr_acpi = c->acpi.n;
	p->mcfg = c->mcfg.v;
	p->nr_mcfg = c->mcfg.n;
	p->ioapics = c->ioapic.v;
	p->nr_ioapics = c->ioapic.n;
	p->lapic_addr = c->lapic;
}

int pvhdev_capture_run(const struct pvhdev_capture_opts *opts,
                       struct pvhdev_capture **out)
{
	const char *root = opts && opts->sysfs_root ? opts->sysfs_root : "/sys";
	struct pvhdev_capture *c;

	if (!out || (opts && opts->size < sizeof(*opts)))
		return -EINVAL;
	*out = NULL;
	if (strlen(root) >= CAP_PATH_MAX - 64)
		return -ENAMETOOLONG;
	if (!(c = calloc(1, sizeof(*c))))
		return -ENOMEM;
	strcpy(c->root, root);
	read_e820(c);
	read_log(c, opts ? opts->kmsg : NULL);
	read_acpi(c);
	read_madt(c);
	ioapic_pins(c);
	read_mcfg(c);
	if (c->oom) {
		pvhdev_capture_free(c);
		return -ENOMEM;
	}
	finish(c);
	*out = c;
	return 0;
}

void pvhdev_capture_free(struct pvhdev_capture *cap)
{
	if (!cap)
		return;
	for (size_t i = 0; i < cap->notes.n; i++)
		free(((char **)cap->notes.v)[i]);
	struct vec *v[] = { &cap->e820, &cap->acpi, &cap->acpi_src, &cap->mcfg,
	                    &cap->ioapic, &cap->pins_src, &cap->sys,
	                    &cap->log_tab, &cap->log_io, &cap->notes };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		free(v[i]->v);
	free(cap);
}

const struct pvhdev_platform *pvhdev_capture_platform(const struct pvhdev_capture *cap)
{
	return cap ? &cap->plat : NULL;
}

size_t pvhdev_capture_nr_notes(const struct pvhdev_capture *cap)
{
	return cap ? cap->notes.n : 0;
}

const char *pvhdev_capture_note(const struct pvhdev_capture *cap, size_t i)
{
	return cap && i < cap->notes.n ? ((char *const *)cap->notes.v)[i] : NULL;
}

/* ---- XML ---- */

/* Text inside a comment: no "--", nothing but printable ASCII (a
 * comment must not hold invalid UTF-8 either). */
static void put_comment(FILE *f, const char *s)
{
	for (char prev = 0; *s; prev = *s++) {
		char ch = (unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f ?
		          '?' : *s;

		if (ch == '-' && prev == '-')
			fputc(' ', f);
		fputc(ch, f);
	}
}

static void put_attr(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
		}
	}
}

/* "    WHAT    ROOT/rel[ rest]" inside the header comment. */
static void head_line(FILE *f, const char *what, const char *root,
                      const char *rel)
{
	fprintf(f, "    %-8s", what);
	put_comment(f, root);
	put_comment(f, rel);
	fputc('\n', f);
}

static void xml_head(const struct pvhdev_capture *c, FILE *f)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--\n  Captured "
	      "read-only from the running machine by pvhdev capture.\n", f);
	head_line(f, "e820", c->root, "/firmware/memmap (the firmware's map)");
	head_line(f, "acpi", c->root, "/firmware/acpi/tables (names, lengths);");
	fputs("            addresses from the FADT, EFI's systab and the kernel "
	      "log\n", f);
	head_line(f, "mcfg", c->root, "/firmware/acpi/tables/MCFG");
	head_line(f, "ioapic", c->root, "/firmware/acpi/tables/APIC (MADT type 1)");
	fputs("    lapic   the MADT's header or its type 5 override\n", f);
	if (c->notes.n)
		fputs("  Not captured, or captured with doubts:\n", f);
	for (size_t i = 0; i < c->notes.n; i++) {
		fputs("    ", f);
		put_comment(f, ((char *const *)c->notes.v)[i]);
		fputc('\n', f);
	}
	fputs("-->\n<platform version=\"1\">\n  <description>The running "
	      "machine, captured read-only by pvhdev capture</description>\n", f);
}

static const char *e820_name(uint32_t type)
{
	switch (type) {
	case PVHDEV_E820_RAM: return "ram";
	case PVHDEV_E820_RESERVED: return "reserved";
	case PVHDEV_E820_ACPI: return "acpi";
	case PVHDEV_E820_NVS: return "nvs";
	case PVHDEV_E820_UNUSABLE: return "unusable";
	case 7: return "pmem";
	case 12: return "pram";
	default: return "soft-reserved";
	}
}

static void xml_acpi(const struct pvhdev_capture *c, FILE *f)
{
	static const char *const from[] = { [ADDR_LOG] = "kernel log",
	                                    [ADDR_FADT] = "FADT",
	                                    [ADDR_SYSTAB] = "EFI systab" };
	const struct pvhdev_acpi_table *t = c->acpi.v;
	const enum addr_src *s = c->acpi_src.v;
	const struct sys_table *st = c->sys.v;

	for (size_t i = 0; i < c->acpi.n; i++)
		fprintf(f, "  <acpi signature=\"%s\" addr=\"0x%llx\" length=\"%u\"/>"
		        " <!-- %s -->\n", t[i].sig, (unsigned long long)t[i].addr,
		        t[i].len, from[s[i]]);
	for (size_t i = 0; i < c->sys.n; i++)
		if (st[i].src == ADDR_NONE)
			fprintf(f, "  <!-- %s, %llu bytes: address unknown -->\n",
			        st[i].name, (unsigned long long)st[i].len);
}

static void xml_ioapics(const struct pvhdev_capture *c, FILE *f)
{
	static const char *const from[] = {
		[PINS_LOG] = "pins from the kernel log",
		[PINS_NEXT] = "pins up to the next IO-APIC's GSI base",
		[PINS_DEFAULT] = "24 pins assumed: the MADT has no pin count",
		[PINS_OVERRIDE] = "pins up to the highest overridden GSI",
	};
	const struct pvhdev_ioapic_desc *io = c->ioapic.v;
	const enum pins_src *s = c->pins_src.v;

	for (size_t i = 0; i < c->ioapic.n; i++)
		fprintf(f, "  <ioapic id=\"%u\" addr=\"0x%llx\" gsi-base=\"%u\" "
		        "pins=\"%u\"/> <!-- %s -->\n", io[i].id,
		        (unsigned long long)io[i].addr, io[i].gsi_base, io[i].pins,
		        from[s[i]]);
}

/* An inline <device>: config bytes as lspci's hex lines (the loader
 * checks each "OFF:" label against the bytes before it), then sizes. */
static void xml_device(FILE *f, const struct pvhdev_fake_dev *d)
{
	char name[PVHDEV_SBDF_STRLEN];

	fprintf(f, "  <device sbdf=\"%s\">\n    <config>\n",
	        pvhdev_sbdf_str(d->sbdf, name));
	for (unsigned off = 0; off < d->cfg_len; off += 16) {
		fprintf(f, "      %02x:", off);
		for (unsigned k = 0; k < 16 && off + k < d->cfg_len; k++)
			fprintf(f, " %02x", d->cfg[off + k]);
		fputc('\n', f);
	}
	fputs("    </config>\n", f);
	for (unsigned i = 0; i < 6; i++)
		if (d->bar_size[i])
			fprintf(f, "    <bar index=\"%u\" size=\"0x%llx\"/>\n", i,
			        (unsigned long long)d->bar_size[i]);
	if (d->rom_size)
		fprintf(f, "    <rom size=\"0x%llx\"/>\n",
		        (unsigned long long)d->rom_size);
	fputs("  </device>\n", f);
}

int pvhdev_capture_write_xml(const struct pvhdev_capture *cap, FILE *f,
                             const char *lspci,
                             const struct pvhdev_fake_dev *devs, size_t nr_devs)
{
	const struct pvhdev_e820_entry *e;
	const struct pvhdev_mcfg *m;

	if (!cap || !f || (nr_devs && !devs))
		return -EINVAL;
	xml_head(cap, f);
	e = cap->e820.v;
	for (size_t i = 0; i < cap->e820.n; i++)
		fprintf(f, "  <e820 addr=\"0x%llx\" size=\"0x%llx\" type=\"%s\"/>\n",
		        (unsigned long long)e[i].addr, (unsigned long long)e[i].size,
		        e820_name(e[i].type));
	xml_acpi(cap, f);
	m = cap->mcfg.v;
	for (size_t i = 0; i < cap->mcfg.n; i++)
		fprintf(f, "  <mcfg addr=\"0x%llx\" segment=\"%u\" start-bus=\"%u\" "
		        "end-bus=\"%u\"/>\n", (unsigned long long)m[i].addr, m[i].seg,
		        m[i].start_bus, m[i].end_bus);
	xml_ioapics(cap, f);
	if (cap->lapic)
		fprintf(f, "  <lapic addr=\"0x%llx\"/> <!-- MADT %s -->\n",
		        (unsigned long long)cap->lapic,
		        cap->lapic_override ? "type 5 override" : "header");
	if (lspci) {
		fputs("  <dump file=\"", f);
		put_attr(f, lspci);
		fputs("\"/> <!-- PCI functions via libpci; BAR sizes in its "
		      "[size=] lines -->\n", f);
	}
	for (size_t i = 0; i < nr_devs; i++)
		xml_device(f, &devs[i]);
	fputs("</platform>\n", f);
	return ferror(f) ? -EIO : 0;
}
