/* SPDX-License-Identifier: MIT */
/*
 * The libpci backend's snapshot, taken at open.  Before libpci scans,
 * sysfs is checked for what libpci's scan reads for every function
 * (its error hook cannot return, so a missing file would leak the
 * function being read: check_sysfs says which file instead).  Then,
 * under guard, every function libpci finds is snapshotted, in SBDF
 * order, into a struct pvhdev_fake_dev:
 *
 *   config bytes   4096 when readable, else 256, else the 64 bytes a
 *                  non-root reader gets (noted); a function whose
 *                  config does not read, or reads vendor ffff, skipped
 *   BAR sizes      the kernel's (PCI_FILL_SIZES), where they fit the
 *                  register's kind; a 64-bit BAR's in its low slot
 *   ROM size       the kernel's, where the header type has a ROM
 *
 * A size that does not fit is noted and left out (the BAR unsized).
 */
#include <dirent.h>
#include <sys/stat.h>

#include "backend/libpci/libpci.h"

static pvhdev_sbdf_t pd_sbdf(const struct pci_dev *pd)
{
	return PVHDEV_SBDF(pd->domain, pd->bus, pd->dev, pd->func);
}

/* ---- Opening: sizes ---- */

/* Why the fake could not take size for this BAR, or NULL.  lo/hi are
 * the register's dwords (hi only for a 64-bit BAR). */
static const char *bar_refusal(uint32_t lo, uint32_t hi, bool is64,
                               bool has_hi, uint64_t size, uint64_t os_addr)
{
	enum pvhdev__pci_bar_kind kind = pvhdev__pci_bar_kind(lo);
	const char *why = pvhdev__pci_bar_size_refusal(kind, size);

	if (why)
		return why;
	if (is64 && !has_hi)
		return "a 64-bit BAR in the last slot has no high half";
	if (kind != PVHDEV__PCI_BAR_IO && !pvhdev__pci_bar_addr(lo, hi) &&
	    (os_addr & ~(uint64_t)PVHDEV_PCI_BASE_ADDRESS_MEM_FLAGS))
		return "the register reads 0 but the kernel placed it (a VF or "
		       "an Enhanced Allocation BAR)";
	return NULL;
}

/* Takes the kernel's BAR sizes that fit the register's kind; notes the
 * rest.  A 64-bit BAR's size goes in its low slot, as the fake wants. */
static void take_bar_sizes(struct pvhdev_libpci *lp, struct pvhdev_fake_dev *d,
                           const struct pci_dev *pd, const char *name)
{
	unsigned hdr = hdr_type(d), nr = pvhdev__pci_layout(hdr)->nr_bars;

	for (unsigned i = 0; i < PVHDEV_PCI_NR_BARS; i++) {
		if (!pd->size[i])
			continue;
		if (i >= nr) {
			note(lp, 0, "%s BAR%u: the kernel gives a size but header "
			     "type %u has no such BAR here; left unsized", name, i, hdr);
			continue;
		}
		uint32_t lo = cfg_dword(d, PVHDEV_PCI_BASE_ADDRESS(i));
		bool is64 = pvhdev__pci_bar_kind(lo) == PVHDEV__PCI_BAR_MEM64;
		bool has_hi = i + 1 < nr;
		uint32_t hi = is64 && has_hi ? cfg_dword(d, PVHDEV_PCI_BASE_ADDRESS(i + 1))
		                             : 0;
		const char *why = bar_refusal(lo, hi, is64, has_hi, pd->size[i],
		                              pd->base_addr[i]);
		if (why) {
			note(lp, 0, "%s BAR%u: size %#llx: %s; left unsized", name, i,
			     (unsigned long long)pd->size[i], why);
			continue;
		}
		d->bar_size[i] = pd->size[i];
		i += is64; /* the high half has no size of its own */
	}
}

static void take_rom_size(struct pvhdev_libpci *lp, struct pvhdev_fake_dev *d,
                          const struct pci_dev *pd, const char *name)
{
	unsigned hdr = hdr_type(d);
	uint64_t size = pd->rom_size;

	if (!size)
		return;
	if (!pvhdev__pci_layout(hdr)->rom ||
	    pvhdev__pci_bar_size_refusal(PVHDEV__PCI_BAR_ROM, size)) {
		note(lp, 0, "%s ROM: size %#llx does not fit header type %u's ROM "
		     "register; left unsized", name, (unsigned long long)size, hdr);
		return;
	}
	d->rom_size = size;
}

/* ---- Opening: the snapshot ---- */

/* Config bytes: 4096 when readable, else 256, else the 64 a non-root
 * reader gets.  0 when nothing reads. */
static unsigned read_cfg(struct pci_dev *pd, uint8_t *buf)
{
	static const unsigned tries[] = { PVHDEV_CFG_EXP_SIZE, PVHDEV_CFG_SIZE,
	                                  LP_SHORT_CFG };

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		memset(buf, 0xff, PVHDEV_CFG_EXP_SIZE);
		if (pci_read_block(pd, 0, buf, (int)tries[i]))
			return tries[i];
	}
	return 0;
}

/* Snapshots one function into devs[lp->nr]; skips (with a note) one
 * whose config space does not read.  *short_cfg counts 64-byte ones. */
static int take_fn(struct pvhdev_libpci *lp, struct pci_dev *pd,
                   size_t *short_cfg)
{
	struct pvhdev_fake_dev *d = &lp->devs[lp->nr];
	char name[PVHDEV_SBDF_STRLEN];
	uint8_t *buf;

	pvhdev_sbdf_str(pd_sbdf(pd), name);
	pci_fill_info(pd, LP_FILL);
	/* Held by lp until taken: a longjmp out of libpci must not leak it. */
	if (!(buf = lp->pending = malloc(PVHDEV_CFG_EXP_SIZE)))
		return note(lp, -ENOMEM, "out of memory");
	unsigned len = read_cfg(pd, buf);
	lp->pending = NULL;
	if (!len || (buf[0] == 0xff && buf[1] == 0xff)) {
		free(buf);
		return note(lp, 0, "%s: config space %s; skipped", name,
		            len ? "reads vendor ID ffff" : "does not read");
	}
	*short_cfg += len == LP_SHORT_CFG;
	memset(d, 0, sizeof(*d));
	d->sbdf = pd_sbdf(pd);
	d->cfg = buf;
	d->cfg_len = (uint16_t)len;
	lp->fn[lp->nr++].pd = pd;
	take_bar_sizes(lp, d, pd, name);
	take_rom_size(lp, d, pd, name);
	return 0;
}

static int pd_cmp(const void *a, const void *b)
{
	pvhdev_sbdf_t x = pd_sbdf(*(struct pci_dev *const *)a);
	pvhdev_sbdf_t y = pd_sbdf(*(struct pci_dev *const *)b);

	return x < y ? -1 : x > y;
}

static int take_all(struct pvhdev_libpci *lp, struct pci_dev **v, size_t n)
{
	size_t short_cfg = 0;
	char first[PVHDEV_SBDF_STRLEN] = "";
	int rc = 0;

	qsort(v, n, sizeof(*v), pd_cmp);
	for (size_t i = 0; i < n && !rc; i++) {
		size_t had = short_cfg;

		rc = take_fn(lp, v[i], &short_cfg);
		if (!had && short_cfg)
			pvhdev_sbdf_str(pd_sbdf(v[i]), first);
	}
	if (!rc && short_cfg)
		note(lp, 0, "only 64 bytes of config space readable for %zu of %zu "
		     "functions (first %s): not root? Capabilities past 0x40 are "
		     "missing and read ff", short_cfg, lp->nr, first);
	return rc;
}

/* Runs guarded: scans, then snapshots every function. */
int lp_scan(struct pvhdev_libpci *lp, void *arg)
{
	size_t n = 0;

	(void)arg;
	lp->acc = pci_alloc();
	pvhdev__pci_guard_hooks(lp->acc);
	lp->acc->method = PCI_ACCESS_SYS_BUS_PCI;
	lp->acc->writeable = 0; /* libpci opens O_RDWR only to write */
	if (pci_set_param(lp->acc, "sysfs.path", lp->sysfs_pci))
		return note(lp, -ENOTSUP, "libpci has no linux-sysfs method");
	pci_init(lp->acc);
	pci_scan_bus(lp->acc);
	for (struct pci_dev *p = lp->acc->devices; p; p = p->next)
		n++;
	lp->order = calloc(n ? n : 1, sizeof(*lp->order));
	lp->devs = calloc(n ? n : 1, sizeof(*lp->devs));
	lp->fn = calloc(n ? n : 1, sizeof(*lp->fn));
	if (!lp->order || !lp->devs || !lp->fn)
		return note(lp, -ENOMEM, "out of memory");
	n = 0;
	for (struct pci_dev *p = lp->acc->devices; p; p = p->next)
		lp->order[n++] = p;
	return take_all(lp, lp->order, n);
}

/* ---- Opening: sysfs, checked before libpci scans it ---- */

/* Can libpci's sysfs scan read function dir's resource file?  It
 * parses the first 7 lines as "%llx %llx %llx". */
static int check_resource(struct pvhdev_libpci *lp, const char *path)
{
	unsigned long long a, b, c;
	char line[256];
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f)
		return note(lp, -errno, "%s: %s", path, strerror(errno));
	for (unsigned i = 0; i < 7 && fgets(line, sizeof(line), f) && !rc; i++)
		if (sscanf(line, "%llx %llx %llx", &a, &b, &c) != 3)
			rc = note(lp, -EINVAL, "%s: line %u is not \"start end flags\"",
			          path, i + 1);
	fclose(f);
	return rc;
}

/*
 * libpci's scan reads these for every function and calls its error hook
 * when one is missing or malformed.  The hook cannot return, so libpci
 * leaks the function it was reading: look first, and say which file.
 */
static int check_fn(struct pvhdev_libpci *lp, const char *dir,
                    const char *name)
{
	static const char *const attrs[] = { "vendor", "device", "class", "irq" };
	unsigned dom, bus, dev, fn;
	char path[LP_PATH_MAX + 300];
	struct stat st;

	if (sscanf(name, "%x:%x:%x.%u", &dom, &bus, &dev, &fn) != 4)
		return note(lp, -EINVAL, "%s/%s: not a PCI function's name",
		            dir, name);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", dir, name, attrs[i]);
		if (stat(path, &st))
			return note(lp, -errno, "%s: %s (libpci needs it for every "
			            "function)", path, strerror(errno));
		if (!S_ISREG(st.st_mode))
			return note(lp, -EINVAL, "%s: not a file", path);
	}
	snprintf(path, sizeof(path), "%s/%s/resource", dir, name);
	return check_resource(lp, path);
}

static int check_fns(struct pvhdev_libpci *lp, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d)
		return note(lp, -errno, "%s: %s", dir, strerror(errno));
	while (!rc && (de = readdir(d)))
		if (de->d_name[0] != '.')
			rc = check_fn(lp, dir, de->d_name);
	closedir(d);
	return rc;
}

/* Clear messages before libpci's own "Cannot open ...". */
int check_sysfs(struct pvhdev_libpci *lp, const char *root)
{
	char dir[LP_PATH_MAX + 16];
	struct stat st;

	if ((size_t)snprintf(lp->sysfs_pci, sizeof(lp->sysfs_pci), "%s/bus/pci",
	                     root) >= sizeof(lp->sysfs_pci))
		return note(lp, -ENAMETOOLONG, "%s: path too long", root);
	snprintf(dir, sizeof(dir), "%s/devices", lp->sysfs_pci);
	if (stat(dir, &st))
		return note(lp, -errno, "%s: %s (no PCI devices in sysfs: not "
		            "Linux, or sysfs not mounted?)", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return note(lp, -ENOTDIR, "%s: not a directory", dir);
	return check_fns(lp, dir);
}
