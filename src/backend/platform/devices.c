/* SPDX-License-Identifier: MIT */
/* Platform files: devices, from dumps (<dump>) or inline (<device>
 * with <config>), and their BAR, ROM, VF BAR sizes and write masks. */
#include "backend/platform/pf.h"

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
	return d->cfg_len > PVHDEV_PCI_HEADER_TYPE ?
	       d->cfg[PVHDEV_PCI_HEADER_TYPE] & PVHDEV_PCI_HEADER_TYPE_MASK : 0;
}

/* BARs of the header type (src/pci's layout: CardBus has none), and
 * where the expansion ROM register is (0: none). */
static unsigned nr_bars(const struct pvhdev_fake_dev *d)
{
	return pvhdev__pci_layout(hdr_type(d))->nr_bars;
}

static unsigned rom_reg(const struct pvhdev_fake_dev *d)
{
	return pvhdev__pci_layout(hdr_type(d))->rom;
}

/* What the registers' low bits make BAR i, and its base address. */
static enum bar_kind bar_kind(const struct pvhdev_fake_dev *d, unsigned i,
                              uint64_t *base)
{
	unsigned nr = nr_bars(d);

	*base = 0;
	for (unsigned j = 0; j < nr && j <= i; j++) {
		uint32_t lo = cfg32(d, PVHDEV_PCI_BASE_ADDRESS(j));
		enum pvhdev__pci_bar_kind pk = pvhdev__pci_bar_kind(lo);
		enum bar_kind k = pk == PVHDEV__PCI_BAR_IO ? BAR_IO :
		                  pk == PVHDEV__PCI_BAR_MEM64 ? BAR_MEM64 : BAR_MEM32;
		bool wide = k == BAR_MEM64 && j + 1 < nr;

		if (j == i) {
			uint32_t hi = wide ? cfg32(d, PVHDEV_PCI_BASE_ADDRESS(j + 1)) : 0;
			*base = pvhdev__pci_bar_addr(lo, hi);
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

/* A power of two between min and max (src/pci's bounds; an IO BAR's
 * max is PCI 3.0's 256 bytes here), and the base aligned to it. */
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
		return size_ok(ld, n, what, size, pvhdev__pci_bar_size_min(PVHDEV__PCI_BAR_IO),
		               PVHDEV_PCI_IO_MAX, base);
	enum pvhdev__pci_bar_kind pk = k == BAR_MEM64 ? PVHDEV__PCI_BAR_MEM64
	                                              : PVHDEV__PCI_BAR_MEM32;
	return size_ok(ld, n, what, size, pvhdev__pci_bar_size_min(pk),
	               pvhdev__pci_bar_size_max(pk), base);
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
	return size_ok(ld, n, what, size, pvhdev__pci_bar_size_min(PVHDEV__PCI_BAR_ROM),
	               pvhdev__pci_bar_size_max(PVHDEV__PCI_BAR_ROM),
	               cfg32(d, rom_reg(d)) & ~(uint64_t)PVHDEV_PCI_ROM_ADDRESS_FLAGS);
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
	if (v[1] && pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_MEM64, v[1]))
		return fail(ld, n, -EINVAL, "%s VF BAR %llu: size 0x%llx is not a power "
		            "of two of at least 0x%x", pvhdev_sbdf_str(d->sbdf, sb),
		            (unsigned long long)v[0], (unsigned long long)v[1],
		            (unsigned)pvhdev__pci_bar_size_min(PVHDEV__PCI_BAR_MEM64));
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

/* <device sbdf plugged> inside <dump>: one of its devices' BAR sizes,
 * or that it is plugged later (the dump's devices are ld's devices
 * from..end, in SBDF order). */
static int read_override(struct load *ld, xmlNodePtr n, const char *file,
                         size_t from, size_t end)
{
	const struct pvhdev_fake_dev *devs = ld->pf->tab[PF_DEV].p;
	unsigned *ovr = ld->ovr_lines.p;
	char b[PF_SHOW_MAX + 4], sb[PVHDEV_SBDF_STRLEN];
	uint64_t v[PF_MAX_ATTRS];
	int rc = attrs_read(ld, n, a_device, v);
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
	((struct pvhdev_fake_dev *)ld->pf->tab[PF_DEV].p)[i].plugged_later = v[1];
	return read_sizes(ld, n, i, true);
}

/* dump: file */
int read_dump(struct load *ld, xmlNodePtr n, const uint64_t *v)
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

/* <config>'s (or <vf-config>'s) text into cfg[PVHDEV_CFG_EXP_SIZE]; *nr
 * bytes.  A VF's IDs read ffff (vf). */
static int config_parse(struct load *ld, xmlNodePtr n, uint8_t *cfg, size_t *nr, bool vf)
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
	if (!rc && !vf && cfg[0] == 0xff && cfg[1] == 0xff)
		rc = fail(ld, n, -EINVAL, "vendor ID ffff: no device answers there");
	return rc;
}

/* The bytes of cfg[0..nr) in the platform's storage (freed with it). */
static const uint8_t *config_keep(struct load *ld, const uint8_t *cfg, size_t nr)
{
	uint8_t **slot = vec_push(&ld->pf->cfgs, sizeof(*slot)); /* NULL entries free fine */

	if (!slot || !(*slot = malloc(nr)))
		return NULL;
	memcpy(*slot, cfg, nr);
	return *slot;
}

/* <vf-config>: an SR-IOV PF's VF template, hex bytes as <config>'s
 * (an lspci dump of a VF pastes in). */
static int read_vf_config(struct load *ld, xmlNodePtr n, size_t dev)
{
	uint8_t cfg[PVHDEV_CFG_EXP_SIZE];
	const uint8_t *kept;
	size_t nr = 0;
	int rc = config_parse(ld, n, cfg, &nr, true);

	if (rc)
		return rc;
	if (!(kept = config_keep(ld, cfg, nr)))
		return oom(ld);
	struct pvhdev_fake_dev *d = (struct pvhdev_fake_dev *)ld->pf->tab[PF_DEV].p + dev;
	d->vf_cfg = kept;
	d->vf_cfg_len = (uint16_t)nr;
	return 0;
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

/* device: sbdf, plugged (optional); <config> first, then sizes, then a
 * <vf-config> */
int read_device(struct load *ld, xmlNodePtr n, const uint64_t *v)
{
	xmlNodePtr c = n->children;
	struct pvhdev_fake_dev *d;
	uint8_t cfg[PVHDEV_CFG_EXP_SIZE];
	const uint8_t *kept;
	unsigned *ol;
	size_t nr = 0;
	int rc;

	while (c && c->type != XML_ELEMENT_NODE)
		c = c->next;
	if (!is_elem(c, "config"))
		return fail(ld, n, -EINVAL, "expected element config");
	rc = config_parse(ld, c, cfg, &nr, false);
	if (rc)
		return rc;
	if (!(kept = config_keep(ld, cfg, nr)))
		return oom(ld);
	d = tab_push(ld, PF_DEV, xmlGetLineNo(n));
	ol = vec_push(&ld->ovr_lines, sizeof(*ol));
	if (!d || !ol)
		return oom(ld);
	d->sbdf = (pvhdev_sbdf_t)v[0];
	d->cfg = kept;
	d->cfg_len = (uint16_t)nr;
	d->plugged_later = v[1];
	rc = read_sizes(ld, n, ld->pf->tab[PF_DEV].nr - 1, false);
	if (!rc)
		rc = note_unsized(ld, n, d);
	for (c = c->next; c && !rc; c = c->next)
		if (is_elem(c, "vf-config"))
			rc = read_vf_config(ld, c, ld->pf->tab[PF_DEV].nr - 1);
	return rc;
}
