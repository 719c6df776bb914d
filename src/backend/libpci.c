/* SPDX-License-Identifier: MIT */
/*
 * The libpci backend: this machine's PCI functions through libpci's
 * linux-sysfs method (include/pvhdev/host_backend.h; docs/host.md).
 *
 * Design: the shadow is a fake backend.  At open every function is
 * snapshotted into a struct pvhdev_fake_dev (config bytes as libpci
 * reads them, BAR and ROM sizes from the kernel's resource file, which
 * libpci hands over as PCI_FILL_SIZES) and pvhdev_fake_new() builds the
 * shadow from them.  The fake already answers like hardware (RO bits,
 * RW1C bits, BAR sizing from the sizes), so the shadow needs no second
 * mask model.  This file is a thin backend in front of it:
 *
 *                  read                          write
 *   read-only      byte written before: shadow   shadow only; the byte
 *                  otherwise: hardware (live)    becomes "written"
 *   HW_WRITES      the same                      hardware, except BAR
 *                                                and ROM registers:
 *                                                those as read-only
 *
 * A byte's shadow value starts as the snapshot taken at open, not as
 * the hardware's value at the first write: bits the hardware changed in
 * between (a status bit) are lost in written bytes.  Device memory is
 * never touched, in either mode.
 *
 * Only linux-sysfs: it is the one method that knows BAR sizes without
 * writing BARs, and PCI_ACCESS_AUTO could fall back to port I/O.
 *
 * libpci's error hook must not return (its default calls exit()), and
 * its hooks take no context: every libpci call runs under guarded(),
 * which points one thread-local at the open handle and turns the hook's
 * longjmp into -EIO plus a note.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pci/pci.h>

#include <pvhdev/host.h>
#include <pvhdev/host_backend.h>

#include "backend/pci_guard.h"
#include "pci/header.h"

#define LP_MAX_NOTES 64
#define LP_PATH_MAX 4096
#define LP_SHORT_CFG 64u          /* bytes sysfs gives a non-root reader */
#define LP_FILL (PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_BASES |      \
                 PCI_FILL_ROM_BASE | PCI_FILL_SIZES)

/* One function: libpci's handle and which config bytes the domain
 * wrote (one bit per byte), i.e. which the shadow holds. */
struct lp_fn {
	struct pci_dev *pd;
	uint8_t written[PVHDEV_CFG_EXP_SIZE / 8];
};

struct pvhdev_libpci {
	unsigned flags;               /* PVHDEV_LIBPCI_* */
	struct pci_access *acc;
	struct pvhdev_fake_dev *devs; /* nr, SBDF order; cfg is ours */
	struct lp_fn *fn;             /* nr, parallel to devs */
	size_t nr;
	struct pvhdev_fake *fake;     /* the shadow */
	struct pci_dev **order;       /* libpci's functions, sorted, at open */
	uint8_t *pending;             /* config bytes being read, at open */
	char *notes[LP_MAX_NOTES];
	size_t nr_notes;
	unsigned long hw_writes;
	char sysfs_pci[LP_PATH_MAX];  /* libpci's sysfs.path */
	char *err;                    /* open's message buffer, or NULL */
	size_t err_len;
	struct pvhdev__pci_guard guard; /* libpci's error hook returns here */
};

/* One config access handed through guarded(). */
struct lp_access {
	struct pvhdev_libpci *lp;
	size_t idx;      /* into devs / fn */
	unsigned reg;    /* bytes into config space */
	unsigned size;   /* bytes: 1, 2 or 4 */
	uint32_t val;
};

/* ---- Notes and errors ---- */

__attribute__((format(printf, 3, 0)))
static int note_v(struct pvhdev_libpci *lp, int rc, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (lp->nr_notes == LP_MAX_NOTES)
		return rc;
	if (lp->nr_notes == LP_MAX_NOTES - 1)
		s = strdup("further notes dropped");
	else if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	if (s)
		lp->notes[lp->nr_notes++] = s;
	return rc;
}

/* Adds a note (and, while opening, sets open's message); returns rc. */
__attribute__((format(printf, 3, 4)))
static int note(struct pvhdev_libpci *lp, int rc, const char *fmt, ...)
{
	va_list ap;

	if (rc && lp->err && lp->err_len && !lp->err[0]) {
		va_start(ap, fmt);
		vsnprintf(lp->err, lp->err_len, fmt, ap);
		va_end(ap);
	}
	va_start(ap, fmt);
	note_v(lp, rc, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- libpci, guarded (backend/pci_guard.h) ---- */

static void lp_warn(void *ctx, const char *msg)
{
	note(ctx, 0, "libpci: %s", msg);
}

struct lp_call {
	struct pvhdev_libpci *lp;
	int (*fn)(struct pvhdev_libpci *lp, void *arg);
	void *arg;
};

static int lp_call(void *p)
{
	const struct lp_call *c = p;

	return c->fn(c->lp, c->arg);
}

/* Runs fn(lp, arg) with libpci's error hook turned into an error return
 * (and a note).  Not reentrant for one lp. */
static int guarded(struct pvhdev_libpci *lp,
                   int (*fn)(struct pvhdev_libpci *lp, void *arg), void *arg)
{
	const struct lp_call c = { lp, fn, arg };
	int rc;

	lp->guard.warn = lp_warn;
	lp->guard.ctx = lp;
	rc = pvhdev__pci_guarded(&lp->guard, lp_call, (void *)&c);
	return lp->guard.failed ? note(lp, -EIO, "libpci: %s", lp->guard.msg) : rc;
}

/* ---- Small helpers ---- */

static uint32_t ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Sizes 1, 2, 4, naturally aligned, inside 4 KiB of config space. */
static bool access_ok(unsigned reg, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && !(reg & (size - 1)) &&
	       reg < PVHDEV_CFG_EXP_SIZE && size <= PVHDEV_CFG_EXP_SIZE - reg;
}

static uint32_t cfg_dword(const struct pvhdev_fake_dev *d, unsigned off)
{
	uint32_t v = 0;

	for (unsigned k = 4; k-- > 0;)
		v = v << 8 | (off + k < d->cfg_len ? d->cfg[off + k] : 0u);
	return v;
}

static pvhdev_sbdf_t pd_sbdf(const struct pci_dev *pd)
{
	return PVHDEV_SBDF(pd->domain, pd->bus, pd->dev, pd->func);
}

/* Index of sbdf in devs, or -1.  Binary search: devs are sorted. */
static long fn_find(const struct pvhdev_libpci *lp, pvhdev_sbdf_t sbdf)
{
	size_t lo = 0, hi = lp->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lp->devs[mid].sbdf < sbdf)
			lo = mid + 1;
		else if (lp->devs[mid].sbdf > sbdf)
			hi = mid;
		else
			return (long)mid;
	}
	return -1;
}

/* The header type (bits 6:0) of d's config bytes; 0 past them. */
static unsigned hdr_type(const struct pvhdev_fake_dev *d)
{
	return PVHDEV_PCI_HEADER_TYPE < d->cfg_len ?
	       d->cfg[PVHDEV_PCI_HEADER_TYPE] & PVHDEV_PCI_HEADER_TYPE_MASK : 0;
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
static int lp_scan(struct pvhdev_libpci *lp, void *arg)
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
static int check_sysfs(struct pvhdev_libpci *lp, const char *root)
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

static int open_steps(struct pvhdev_libpci *lp,
                      const struct pvhdev_libpci_opts *o)
{
	int rc = check_sysfs(lp, o && o->sysfs_root ? o->sysfs_root : "/sys");

	if (!rc)
		rc = guarded(lp, lp_scan, NULL);
	if (!rc)
		rc = pvhdev_fake_new(&pvhdev_host_alloc, NULL, lp->devs, lp->nr,
		                     &lp->fake);
	if (rc && !lp->err[0])
		note(lp, rc, "cannot build the shadow: %s", pvhdev_strerror(rc));
	return rc;
}

int pvhdev_libpci_open(const struct pvhdev_libpci_opts *opts,
                       struct pvhdev_libpci **out, char *err, size_t err_len)
{
	char dummy[1];
	struct pvhdev_libpci *lp;
	int rc;

	if (err && err_len)
		err[0] = '\0';
	if (!out || (opts && opts->size < sizeof(*opts))) {
		if (err && err_len)
			snprintf(err, err_len, "pvhdev_libpci_open: bad arguments");
		return -EINVAL;
	}
	*out = NULL;
	lp = calloc(1, sizeof(*lp));
	if (!lp) {
		if (err && err_len)
			snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	lp->flags = opts ? opts->flags : 0;
	lp->err = err && err_len ? err : dummy;
	lp->err_len = err && err_len ? err_len : sizeof(dummy);
	lp->err[0] = '\0';
	rc = open_steps(lp, opts);
	lp->err = NULL;
	if (rc) {
		pvhdev_libpci_close(lp);
		return rc;
	}
	*out = lp;
	return 0;
}

static int lp_cleanup(struct pvhdev_libpci *lp, void *arg)
{
	(void)arg;
	pci_cleanup(lp->acc);
	return 0;
}

void pvhdev_libpci_close(struct pvhdev_libpci *lp)
{
	if (!lp)
		return;
	pvhdev_fake_free(lp->fake);
	if (lp->acc)
		guarded(lp, lp_cleanup, NULL);
	for (size_t i = 0; lp->devs && i < lp->nr; i++)
		free((void *)lp->devs[i].cfg);
	free(lp->devs);
	free(lp->fn);
	free(lp->order);
	free(lp->pending);
	for (size_t i = 0; i < lp->nr_notes; i++)
		free(lp->notes[i]);
	free(lp);
}

/* ---- Getters ---- */

void *pvhdev_libpci_ctx(struct pvhdev_libpci *lp)
{
	return lp;
}

size_t pvhdev_libpci_count(const struct pvhdev_libpci *lp)
{
	return lp ? lp->nr : 0;
}

const struct pvhdev_fake_dev *pvhdev_libpci_devs(const struct pvhdev_libpci *lp)
{
	return lp ? lp->devs : NULL;
}

size_t pvhdev_libpci_nr_notes(const struct pvhdev_libpci *lp)
{
	return lp ? lp->nr_notes : 0;
}

const char *pvhdev_libpci_note(const struct pvhdev_libpci *lp, size_t i)
{
	return lp && i < lp->nr_notes ? lp->notes[i] : NULL;
}

unsigned long pvhdev_libpci_hw_writes(const struct pvhdev_libpci *lp)
{
	return lp ? lp->hw_writes : 0;
}

int pvhdev_libpci_write_dump(const struct pvhdev_libpci *lp, FILE *f)
{
	if (!lp || !f)
		return -EINVAL;
	return pvhdev_lspci_write(f, lp->devs, lp->nr);
}

/* ---- The dump writer ---- */

/* Bytes as lspci's show_size() prints them: 512, 4K, 512K, 16M, 2G. */
static void put_size(FILE *f, uint64_t bytes)
{
	static const char *const units[] = { "", "K", "M", "G", "T" };
	unsigned u = 0;

	while (u < 4 && bytes && !(bytes % 1024)) {
		bytes /= 1024;
		u++;
	}
	fprintf(f, " [size=%llu%s]\n", (unsigned long long)bytes, units[u]);
}

/* "\tRegion N: ..." as `lspci -vv` prints it; returns slots used. */
static unsigned put_bar(FILE *f, const struct pvhdev_fake_dev *d, unsigned i,
                        unsigned nr)
{
	static const char *const types[] = { "32-bit", "low-1M", "64-bit",
	                                     "type 3" };
	uint32_t lo = cfg_dword(d, PVHDEV_PCI_BASE_ADDRESS(i));
	uint32_t cmd = cfg_dword(d, PVHDEV_PCI_COMMAND);
	enum pvhdev__pci_bar_kind kind = pvhdev__pci_bar_kind(lo);
	bool is64 = kind == PVHDEV__PCI_BAR_MEM64 && i + 1 < nr;
	uint64_t addr = pvhdev__pci_bar_addr(lo, 0);

	fprintf(f, "\tRegion %u: ", i);
	if (kind == PVHDEV__PCI_BAR_IO) {
		fprintf(f, addr ? "I/O ports at %04llx" : "I/O ports at <unassigned>",
		        (unsigned long long)addr);
		fputs(cmd & PVHDEV_PCI_COMMAND_IO ? "" : " [disabled]", f);
		put_size(f, d->bar_size[i]);
		return 1;
	}
	if (is64)
		addr = pvhdev__pci_bar_addr(lo, cfg_dword(d, PVHDEV_PCI_BASE_ADDRESS(i + 1)));
	fprintf(f, addr ? "Memory at %08llx" : "Memory at <unassigned>",
	        (unsigned long long)addr);
	fprintf(f, " (%s, %sprefetchable)%s",
	        types[(lo & PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_MASK) >> 1],
	        lo & PVHDEV_PCI_BASE_ADDRESS_MEM_PREFETCH ? "" : "non-",
	        cmd & PVHDEV_PCI_COMMAND_MEMORY ? "" : " [disabled]");
	put_size(f, d->bar_size[i]);
	return is64 ? 2 : 1;
}

static void put_rom(FILE *f, const struct pvhdev_fake_dev *d, unsigned off)
{
	uint32_t rom = cfg_dword(d, off);
	uint32_t addr = rom & ~PVHDEV_PCI_ROM_ADDRESS_FLAGS;

	fprintf(f, addr ? "\tExpansion ROM at %08x" :
	        "\tExpansion ROM at <unassigned>", (unsigned)addr);
	fputs(rom & PVHDEV_PCI_ROM_ADDRESS_ENABLE ? "" : " [disabled]", f);
	put_size(f, d->rom_size);
}

/* lspci -n's device line: "ssss:bb:dd.f CCCC: VVVV:DDDD (rev RR)". */
static void put_head(FILE *f, const struct pvhdev_fake_dev *d)
{
	char name[PVHDEV_SBDF_STRLEN];
	uint32_t id = cfg_dword(d, PVHDEV_PCI_VENDOR_ID);
	uint32_t cls = cfg_dword(d, PVHDEV_PCI_CLASS_REVISION);

	fprintf(f, "%s %04x: %04x:%04x", pvhdev_sbdf_str(d->sbdf, name),
	        (unsigned)(cls >> 16), (unsigned)(id & 0xffff),
	        (unsigned)(id >> 16));
	if (cls & 0xff)
		fprintf(f, " (rev %02x)", (unsigned)(cls & 0xff));
	if ((cls >> 8) & 0xff)
		fprintf(f, " (prog-if %02x)", (unsigned)((cls >> 8) & 0xff));
	fputc('\n', f);
}

static void put_fn(FILE *f, const struct pvhdev_fake_dev *d)
{
	const struct pvhdev__pci_layout *l = pvhdev__pci_layout(hdr_type(d));

	put_head(f, d);
	for (unsigned i = 0; i < l->nr_bars;)
		i += d->bar_size[i] ? put_bar(f, d, i, l->nr_bars) : 1;
	if (d->rom_size && l->rom)
		put_rom(f, d, l->rom);
	/* Whole 16-byte rows only: libpci refuses a short row. */
	for (unsigned off = 0; off + 16 <= d->cfg_len; off += 16) {
		fprintf(f, "%02x:", off);
		for (unsigned k = 0; k < 16; k++)
			fprintf(f, " %02x", d->cfg[off + k]);
		fputc('\n', f);
	}
	fputc('\n', f);
}

int pvhdev_lspci_write(FILE *f, const struct pvhdev_fake_dev *devs, size_t n)
{
	if (!f || (n && !devs))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		put_fn(f, &devs[i]);
	return ferror(f) ? -EIO : 0;
}

/* ---- The hooks ---- */

/* A bit mask with 0xff for every byte of [reg, reg + size) the domain
 * wrote, i.e. that the shadow holds. */
static uint32_t written_mask(const struct lp_fn *fn, unsigned reg,
                             unsigned size)
{
	uint32_t m = 0;

	for (unsigned k = 0; k < size; k++)
		if (fn->written[(reg + k) / 8] >> ((reg + k) % 8) & 1)
			m |= 0xffu << (8 * k);
	return m;
}

static void written_set(struct lp_fn *fn, unsigned reg, unsigned size)
{
	for (unsigned k = 0; k < size; k++)
		fn->written[(reg + k) / 8] |= (uint8_t)(1u << ((reg + k) % 8));
}

/* Is reg in a BAR or ROM register (CardBus: its socket base)?  Those
 * writes stay in the shadow even with PVHDEV_LIBPCI_HW_WRITES: sizing
 * a BAR of a live machine under its driver's feet would break the
 * device, and the shadow sizes it from the kernel's sizes anyway. */
static bool is_bar_reg(const struct pvhdev_fake_dev *d, unsigned reg)
{
	const struct pvhdev__pci_layout *l = pvhdev__pci_layout(hdr_type(d));

	return (reg >= PVHDEV_PCI_BASE_ADDRESS_0 &&
	        reg < PVHDEV_PCI_BASE_ADDRESS(l->nr_base_regs)) ||
	       (l->rom && reg >= l->rom && reg < l->rom + 4u);
}

/* Runs guarded.  libpci reads all-ones where the read fails. */
static int hw_read(struct pvhdev_libpci *lp, void *arg)
{
	struct lp_access *a = arg;
	struct pci_dev *pd = lp->fn[a->idx].pd;

	if (a->size == 1)
		a->val = pci_read_byte(pd, (int)a->reg);
	else if (a->size == 2)
		a->val = pci_read_word(pd, (int)a->reg);
	else
		a->val = pci_read_long(pd, (int)a->reg);
	return 0;
}

/* Runs guarded. */
static int hw_write(struct pvhdev_libpci *lp, void *arg)
{
	struct lp_access *a = arg;
	struct pci_dev *pd = lp->fn[a->idx].pd;
	char name[PVHDEV_SBDF_STRLEN];
	int ok;

	if (a->size == 1)
		ok = pci_write_byte(pd, (int)a->reg, (u8)a->val);
	else if (a->size == 2)
		ok = pci_write_word(pd, (int)a->reg, (u16)a->val);
	else
		ok = pci_write_long(pd, (int)a->reg, a->val);
	if (!ok)
		return note(lp, -EIO, "%s: config write of %u bytes at %03x "
		            "failed", pvhdev_sbdf_str(lp->devs[a->idx].sbdf, name),
		            a->size, a->reg);
	lp->hw_writes++;
	return 0;
}

static int lp_cfg_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                       unsigned size, uint32_t *val)
{
	struct pvhdev_libpci *lp = ctx;
	struct lp_access a = { .lp = lp, .reg = reg, .size = size };
	uint32_t shadow = 0, mask;
	long idx;
	int rc;

	if (!lp || !val)
		return -EINVAL;
	*val = size == 1 || size == 2 || size == 4 ? ones(size) : 0xffffffffu;
	if ((idx = fn_find(lp, sbdf)) < 0 || !access_ok(reg, size))
		return 0;
	a.idx = (size_t)idx;
	mask = written_mask(&lp->fn[idx], reg, size);
	if (mask != ones(size) && (rc = guarded(lp, hw_read, &a)))
		return rc;
	if (mask && (rc = pvhdev_fake_ops.cfg_read(lp->fake, sbdf, reg, size,
	                                           &shadow)))
		return rc;
	*val = (a.val & ~mask) | (shadow & mask);
	return 0;
}

/* Where a write of reg goes: the hardware, or (false) the shadow. */
static bool to_hw(const struct pvhdev_libpci *lp, size_t idx, unsigned reg)
{
	return (lp->flags & PVHDEV_LIBPCI_HW_WRITES) && !is_bar_reg(&lp->devs[idx], reg);
}

bool pvhdev_libpci_shadowed(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size)
{
	const struct pvhdev_libpci *lp = ctx;
	long idx;

	if (!lp || (idx = fn_find(lp, sbdf)) < 0 || !access_ok(reg, size))
		return true;
	return !to_hw(lp, (size_t)idx, reg);
}

static int lp_cfg_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                        unsigned size, uint32_t val)
{
	struct pvhdev_libpci *lp = ctx;
	struct lp_access a = { .lp = lp, .reg = reg, .size = size, .val = val };
	long idx;
	int rc;

	if (!lp)
		return -EINVAL;
	if ((idx = fn_find(lp, sbdf)) < 0 || !access_ok(reg, size))
		return 0; /* nothing there: the write is dropped */
	a.idx = (size_t)idx;
	if (to_hw(lp, (size_t)idx, reg))
		return guarded(lp, hw_write, &a);
	rc = pvhdev_fake_ops.cfg_write(lp->fake, sbdf, reg, size, val);
	if (!rc)
		written_set(&lp->fn[idx], reg, size);
	return rc;
}

static int lp_enumerate(void *ctx, pvhdev_enum_fn fn, void *arg)
{
	struct pvhdev_libpci *lp = ctx;

	if (!lp || !fn)
		return -EINVAL;
	for (size_t i = 0; i < lp->nr; i++) {
		int rc = fn(arg, lp->devs[i].sbdf);

		if (rc)
			return rc;
	}
	return 0;
}

/* Device memory is never touched: without mmio hooks pvhdev reads
 * all-ones and drops writes.  (Mapping sysfs resourceN files for
 * PVHDEV_LIBPCI_HW_WRITES is not done.)  close is NULL: the handle
 * belongs to whoever opened it. */
const struct pvhdev_backend_ops pvhdev_libpci_ops = {
	.name = "libpci",
	.cfg_read = lp_cfg_read,
	.cfg_write = lp_cfg_write,
	.mmio_read = NULL,
	.mmio_write = NULL,
	.enumerate = lp_enumerate,
	.close = NULL,
};
