/* SPDX-License-Identifier: MIT */
/* Capture: the ACPI tables the kernel exports, where they are, and what
 * the MADT (IO-APICs, the LAPIC) and MCFG (ECAM windows) say. */
#include "backend/capture/capture.h"

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

void read_acpi(struct pvhdev_capture *c)
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

void read_madt(struct pvhdev_capture *c)
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

void ioapic_pins(struct pvhdev_capture *c)
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

void read_mcfg(struct pvhdev_capture *c)
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
