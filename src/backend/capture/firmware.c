/* SPDX-License-Identifier: MIT */
/* Capture: the e820 map from ROOT/firmware/memmap, and the kernel log's
 * boot lines (ACPI table addresses, IO-APIC pin counts). */
#include "backend/capture/capture.h"

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

void read_e820(struct pvhdev_capture *c)
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

void read_log(struct pvhdev_capture *c, const char *path)
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
