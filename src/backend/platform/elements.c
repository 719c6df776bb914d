/* SPDX-License-Identifier: MIT */
/* Platform files: numbers and names, the element and attribute tables
 * (which also explain the schema's verdicts), and the readers of the
 * platform's own elements (e820, acpi, mcfg, ioapic, ...). */
#include "backend/platform/pf.h"

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

#define NUM(name, min, max) { name, A_NUM, min, max, false }
#define STR(name, kind) { name, kind, 0, 0, false }
#define OPT(name, kind) { name, kind, 0, 0, true }
#define END { NULL, A_NUM, 0, 0, false }
static const struct attr_spec a_none[] = { END };
const struct attr_spec a_platform[] = { STR("version", A_VERSION), END };
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
const struct attr_spec a_sbdf[] = { STR("sbdf", A_SBDF), END };
const struct attr_spec a_device[] = {
	STR("sbdf", A_SBDF), OPT("plugged", A_PLUGGED), END
};
static const struct attr_spec a_range[] = {
	NUM("addr", 0, UINT64_MAX), NUM("size", 1, UINT64_MAX), END };
static const struct attr_spec a_dump[] = { STR("file", A_TEXT), END };
const struct attr_spec a_bar[] = {
	NUM("index", 0, PF_NR_BARS - 1), NUM("size", 0, UINT64_MAX), END };
const struct attr_spec a_rom[] = { NUM("size", 0, UINT64_MAX), END };
const struct attr_spec a_mask[] = {
	NUM("offset", 0, PVHDEV_CFG_EXP_SIZE - 1), NUM("size", 1, 4),
	NUM("rw", 0, UINT32_MAX), NUM("rw1c", 0, UINT32_MAX), END };
#undef NUM
#undef STR
#undef END

/* Readers of <platform>'s children: v holds the attributes, parsed, in
 * the order of the element's attr_spec list. */
static int read_e820(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_acpi(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_mcfg(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_ioapic(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_lapic(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_hidden(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_reserved(struct load *ld, xmlNodePtr n, const uint64_t *v);
static int read_description(struct load *ld, xmlNodePtr n, const uint64_t *v);

#define PF_PLATFORM_HOLDS                                                   \
	"description, e820, acpi, mcfg, ioapic, lapic, hidden, reserved, "  \
	"dump, device, in this order"

/* One row per element of the schema (where it may appear, what it
 * holds), so that messages can say what was expected. */
const struct elem_spec pf_elems[] = {
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
	{ "device", "platform", a_device, "config, then bar elements, then a rom, "
	  "then vf-bar elements, then mask elements, then a vf-config", "config",
	  read_device },
	{ "device", "dump", a_device, "bar elements, then a rom, then vf-bar elements, "
	  "then mask elements", NULL, NULL },
	{ "config", "device", a_none, "hex bytes", NULL, NULL },
	{ "vf-config", "device", a_none, "hex bytes", NULL, NULL },
	{ "bar", "device", a_bar, NULL, NULL, NULL },
	{ "rom", "device", a_rom, NULL, NULL, NULL },
	{ "vf-bar", "device", a_bar, NULL, NULL, NULL },
	{ "mask", "device", a_mask, NULL, NULL, NULL },
};

bool is_elem(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

const struct elem_spec *spec_of(xmlNodePtr n)
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

bool known_name(const xmlChar *name)
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
	case A_PLUGGED:
		if (strcmp(s, "later"))
			return fail(ld, n, -EINVAL, "attribute %s: '%s' is not "
			            "supported (expected later)", a->name, shown(s, b));
		*v = 1;
		return 0;
	case A_E820:
		if (s[0] >= '0' && s[0] <= '9') {
			static const struct attr_spec t32 = { "type", A_NUM, 0,
			                                      UINT32_MAX, false };
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
int attrs_read(struct load *ld, xmlNodePtr n,
                      const struct attr_spec *spec, uint64_t *v)
{
	for (size_t i = 0; spec[i].name; i++) {
		xmlChar *s = xmlGetNoNsProp(n, (const xmlChar *)spec[i].name);
		int rc;

		if (!s && spec[i].optional) {
			v[i] = 0;
			continue;
		}
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
