/* SPDX-License-Identifier: MIT */
/* The dump backend, step 2: libpci reads the same file through its dump
 * access method; its error hook longjmps back here. */
#include "backend/dump/dump.h"

/* ---- libpci ---- */

/* libpci's warnings become notes; the dump method has none today. */
static void pci_warn(void *ctx, const char *msg)
{
	note(ctx, "libpci: %s", msg);
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
int note_gaps(struct load *ld, const struct scan_dev *sd,
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

/* Runs guarded (backend/pci_guard.h): what it makes lives behind ld,
 * never in a local a longjmp would skip. */
static int pci_read_all(void *arg)
{
	struct load *ld = arg;

	ld->acc = pci_alloc();
	pvhdev__pci_guard_hooks(ld->acc);
	ld->acc->method = PCI_ACCESS_DUMP;
	/* libpci copies the value; its prototype lacks the const. */
	if (pci_set_param(ld->acc, "dump.name", (char *)ld->path))
		return fail_file(ld, -ENOTSUP, "libpci has no dump method");
	pci_init(ld->acc);
	pci_scan_bus(ld->acc);
	return collect(ld, ld->acc);
}

int pci_run(struct load *ld)
{
	struct pvhdev__pci_guard guard = { .warn = pci_warn, .ctx = ld };
	int rc = pvhdev__pci_guarded(&guard, pci_read_all, ld);

	if (guard.failed)
		rc = fail_file(ld, -EIO, "libpci: %s", guard.msg);
	if (ld->acc)
		pci_cleanup(ld->acc);
	ld->acc = NULL;
	return rc;
}
