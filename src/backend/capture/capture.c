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
#include "backend/capture/capture.h"

/* ---- Small helpers ---- */

/* A pointer to a new zeroed element at the end of vec, or NULL. */
void *vec_push(struct pvhdev_capture *c, struct vec *vec, size_t elem)
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
void note(struct pvhdev_capture *c, const char *fmt, ...)
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

uint64_t le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned k = size; k-- > 0;)
		v = v << 8 | p[k];
	return v;
}

/* ROOT/rel into buf; false (with a note) when it does not fit. */
bool path_of(struct pvhdev_capture *c, const char *rel, char *buf,
                    size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s", c->root, rel) < len)
		return true;
	note(c, "%s/%s: path too long", c->root, rel);
	return false;
}

/* Reads at most max bytes of path into a malloc'd buffer (NUL added).
 * Returns 0 or -errno; the caller words the note. */
int slurp(const char *path, size_t max, uint8_t **out, size_t *len)
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
const char *why(int rc)
{
	if (rc == -EACCES || rc == -EPERM)
		return "permission denied (root only?)";
	if (rc == -EFBIG)
		return "implausibly large";
	return strerror(-rc);
}

/* A number as sysfs prints it ("0x9fbff\n"); false if it is not one. */
bool parse_num(const char *s, uint64_t *val)
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
