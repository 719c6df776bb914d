/* SPDX-License-Identifier: MIT */
/*
 * pvhdev_check_invariants: what must hold after every access.  The core
 * checks the p2m against the excluded frames and hidden devices; each
 * module checks its own state through its check hooks.
 */
#include "core/core.h"

static int fail(char *msg, size_t len, const char *fmt, ...) PVHDEV__PRINTF(3, 4);
static int fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (len)
		pvhdev__vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/* Ranges are disjoint and in order; identity ranges avoid every
 * excluded frame (populated RAM copies are not identity). */
static int check_p2m(struct pvhdev_domain *dom, char *msg, size_t len)
{
	struct pvhdev_p2m_range r;
	uint64_t next = 0, s, n;
	enum pvhdev__excl_kind kind;

	for (uint64_t gfn = 0; !pvhdev__p2m_first_from(dom, gfn, &r); gfn = r.gfn + r.nr) {
		if (r.gfn < next || !r.nr)
			return fail(msg, len, "p2m: range 0x%llx+0x%llx overlaps the one before",
			            (unsigned long long)r.gfn, (unsigned long long)r.nr);
		if (r.type == PVHDEV_P2M_IDENTITY &&
		    !pvhdev__excl_first(dom, r.gfn, r.nr, &s, &n, &kind))
			return fail(msg, len, "p2m: identity range 0x%llx+0x%llx overlaps %s "
			            "at 0x%llx", (unsigned long long)r.gfn,
			            (unsigned long long)r.nr, pvhdev__excl_name(kind),
			            (unsigned long long)(s > r.gfn ? s : r.gfn));
		next = r.gfn + r.nr;
		if (!next)
			break; /* the range ends at the top of the space */
	}
	return 0;
}

struct walk {
	char *msg;
	size_t len;
};

static int check_dev(void *arg, struct pvhdev_dev *dev)
{
	struct walk *w = arg;
	char s[PVHDEV_SBDF_STRLEN];
	int rc;

	if (dev->hidden && (dev->nr_regs || dev->bar || dev->msi || dev->msix ||
	                    dev->nr_holes))
		return fail(w->msg, w->len, "%s: hidden but owns state",
		            pvhdev_sbdf_str(dev->sbdf, s));
	if ((rc = pvhdev__regs_check(dev, w->msg, w->len)))
		return rc;
	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		if (m && m->check_dev && (rc = m->check_dev(dev, w->msg, w->len)))
			return rc;
	}
	return 0;
}

int pvhdev_check_invariants(struct pvhdev_domain *dom, char *msg, size_t len)
{
	struct walk w = { .msg = msg, .len = len };
	int rc;

	if (len)
		msg[0] = '\0';
	if ((rc = check_p2m(dom, msg, len)) ||
	    (rc = pvhdev_dev_foreach(dom, check_dev, &w)))
		return rc;
	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		if (m && m->check_dom && (rc = m->check_dom(dom, msg, len)))
			return rc;
	}
	return 0;
}
