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
 * mask model.  The backend is a thin one in front of it:
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
 *
 * This file: open and close, the notes, libpci under guard, and the
 * getters; libpci.h lists the others.
 */
#include "backend/libpci/libpci.h"

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

int note(struct pvhdev_libpci *lp, int rc, const char *fmt, ...)
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

int guarded(struct pvhdev_libpci *lp,
            int (*fn)(struct pvhdev_libpci *lp, void *arg), void *arg)
{
	const struct lp_call c = { lp, fn, arg };
	int rc;

	lp->guard.warn = lp_warn;
	lp->guard.ctx = lp;
	rc = pvhdev__pci_guarded(&lp->guard, lp_call, (void *)&c);
	return lp->guard.failed ? note(lp, -EIO, "libpci: %s", lp->guard.msg) : rc;
}

/* ---- Open and close ---- */

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
