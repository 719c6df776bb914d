/* SPDX-License-Identifier: MIT */
/* Scenarios, replayed: each access against the domain, its events in
 * windows, the expectations checked as they come (waived ones reported
 * and passed over), the transcript to the caller's out function. */
#include "backend/scenario/scenario.h"
#include "pci/header.h"
#include "pci/names.h"

/* ---- Running ---- */

struct runner {
	const struct pvhdev_scenario *sc;
	struct pvhdev_domain *dom;
	struct pvhdev_fake *fake; /* what plug and unplug change; may be NULL */
	pvhdev_scenario_out_fn out;
	void *out_ctx;
	struct pvhdev_scenario_result *res;
	uint64_t win;          /* first event of the window */
	unsigned win_line;     /* line of the access that opened it; 0: boot */
	uint64_t cursor;       /* first event an expect-event may still match */
	unsigned match_line;   /* line of the window's latest match, 0: none */
	uint64_t *matched;     /* events of the window matched, ascending */
	size_t nr_matched, cap_matched;
	uint64_t printed;      /* first event not yet printed */
	uint64_t last_val;     /* what the latest read returned */
	unsigned long waived;      /* waived expectations that failed */
	unsigned long waived_held; /* waived expectations that held */
};

static void emit(struct runner *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emit(struct runner *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!r->out)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->out(r->out_ctx, buf);
}

static int fail(struct runner *r, const struct step *st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A failed expectation: "NAME:LINE: expected X, got Y". */
static int fail(struct runner *r, const struct step *st, const char *fmt, ...)
{
	struct pvhdev_scenario_result *res = r->res;
	int n = snprintf(res->msg, sizeof(res->msg), "%s:%u: ", r->sc->name, st->line);
	va_list ap;

	if (n >= 0 && (size_t)n < sizeof(res->msg)) {
		va_start(ap, fmt);
		vsnprintf(res->msg + n, sizeof(res->msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	res->failed_line = st->line;
	return 1;
}

/* pvhdev itself failed: the run stops with rc. */
static int broke(struct runner *r, const struct step *st, const char *what, int rc)
{
	snprintf(r->res->msg, sizeof(r->res->msg), "%s:%u: %s failed: %s",
	         r->sc->name, st->line, what, pvhdev_strerror(rc));
	return rc;
}

/* Event seq formatted; -ENOENT when the ring no longer holds it. */
static int event_line(struct runner *r, uint64_t seq, char buf[EVENT_LEN])
{
	struct pvhdev_event ev;
	int rc = pvhdev_event_get(r->dom, seq, &ev);

	if (!rc && pvhdev_event_format(&ev, buf, EVENT_LEN) < 0)
		snprintf(buf, EVENT_LEN, "%s (too long to print)",
		         pvhdev_event_name(ev.kind));
	return rc;
}

static void print_events(struct runner *r)
{
	uint64_t end = pvhdev_event_next_seq(r->dom), lost = 0;
	char buf[EVENT_LEN];

	for (; r->printed < end; r->printed++) {
		if (event_line(r, r->printed, buf))
			lost++;
		else
			emit(r, "    %s", buf);
	}
	if (lost)
		emit(r, "    (%llu events lost: the event ring overflowed)",
		     (unsigned long long)lost);
}

static void open_window(struct runner *r, unsigned line)
{
	r->win = r->cursor = pvhdev_event_next_seq(r->dom);
	r->win_line = line;
	r->match_line = 0;
	r->nr_matched = 0;
}

static int do_access(struct pvhdev_domain *dom, const struct step *st,
                     uint64_t *val)
{
	uint32_t v32 = 0;
	int rc;

	switch (st->op) {
	case OP_OUT:
		return pvhdev_pio_write(dom, (uint16_t)st->a, st->size, (uint32_t)st->b);
	case OP_IN:
		rc = pvhdev_pio_read(dom, (uint16_t)st->a, st->size, &v32);
		*val = v32;
		return rc;
	case OP_WRITE:
		return pvhdev_mmio_write(dom, st->a, st->size, st->b);
	default:
		return pvhdev_mmio_read(dom, st->a, st->size, val);
	}
}

static uint64_t ones(unsigned size)
{
	return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
}

/* -ENXIO is the guest's business, not an error: a port pvhdev does not
 * decode reads all-ones; an MMIO address it does not trap is dom0's
 * memory, reached directly (modelled as all-ones). */
/* The name of config register reg of sbdf, for people: the header's
 * ("COMMAND"), a capability's ("MSI-X MSIX_FLAGS", "PCIe +0x2c"), with
 * "+N" for a byte inside it; "" when nothing is known there. */
static void reg_label(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned reg,
                      char *buf, size_t len)
{
	struct pvhdev_dev *dev = NULL;
	unsigned hdr = pvhdev_dev_get(dom, sbdf, &dev) ? 0xff : pvhdev_dev_header_type(dev);
	unsigned start = 0, cap;
	uint16_t id;
	const char *name = pvhdev__pci_header_reg(hdr, reg, &start), *cname;

	buf[0] = '\0';
	if (!name && dev && reg >= PVHDEV_PCI_STD_HEADER_SIZEOF &&
	    !pvhdev_dev_cap_at(dev, reg, &id, &cap)) {
		bool ext = reg >= PVHDEV_CFG_SIZE;
		char cbuf[16];
		if (!(cname = pvhdev__pci_cap_name(id, ext))) {
			snprintf(cbuf, sizeof(cbuf), ext ? "ext cap 0x%04x" : "cap 0x%02x", id);
			cname = cbuf;
		}
		name = pvhdev__pci_cap_reg(id, ext, reg - cap, &start);
		if (!name) {
			snprintf(buf, len, " %s +0x%x", cname, reg - cap);
			return;
		}
		start += cap;
		snprintf(buf, len, " %s %s", cname, name);
	} else if (name) {
		snprintf(buf, len, " %s", name);
	} else {
		return;
	}
	if (reg != start)
		snprintf(buf + strlen(buf), len - strlen(buf), "+%u", reg - start);
}

/* Which function and config register an access reaches: a CF8 write
 * what it latches, a CFC access the latched register plus the port's
 * byte, an ECAM access its window's function and register.  False for
 * any other access. */
static bool cfg_target(struct runner *r, const struct step *st, pvhdev_sbdf_t *sbdf,
                       unsigned *reg)
{
	uint32_t cf8;

	if (st->op == OP_WRITE || st->op == OP_READ)
		return !pvhdev_ecam_decode(r->dom, st->a, sbdf, reg);
	if (st->op == OP_OUT && st->a == 0xcf8 && st->size == 4)
		cf8 = (uint32_t)st->b;
	else if (st->a < 0xcfc || st->a > 0xcff || pvhdev_pio_read(r->dom, 0xcf8, 4, &cf8))
		return false;
	if (!(cf8 & PVHDEV_PCI_CF8_ENABLE))
		return false;
	*sbdf = pvhdev__pci_cf8_bdf(cf8);
	*reg = pvhdev__pci_cf8_reg(cf8) | ((unsigned)st->a & 3); /* 0xcf8: byte 0 */
	return true;
}

/* Where a config access goes, for people: "  (00:19.0 +0x04 COMMAND)",
 * or "" for any other access. */
static void cfg_note(struct runner *r, const struct step *st, char *buf, size_t len)
{
	pvhdev_sbdf_t sbdf;
	unsigned reg;
	char s[PVHDEV_SBDF_STRLEN], label[48];

	buf[0] = '\0';
	if (!cfg_target(r, st, &sbdf, &reg))
		return;
	reg_label(r->dom, sbdf, reg, label, sizeof(label));
	pvhdev_sbdf_str(sbdf, s);
	/* Segment 0 as scenarios write it: bb:dd.f. */
	snprintf(buf, len, "  (%s +0x%02x%s)", PVHDEV_SBDF_SEG(sbdf) ? s : s + 5, reg, label);
}

static int run_access(struct runner *r, const struct step *st)
{
	bool is_read = st->op == OP_IN || st->op == OP_READ;
	char name[8], val[40] = "", where[96];
	const char *note = "";
	uint64_t v = 0;
	int rc;

	open_window(r, st->line);
	cfg_note(r, st, where, sizeof(where));
	rc = do_access(r->dom, st, &v);
	access_name(st, name);
	if (rc == -ENXIO) {
		v = ones(st->size);
		note = st->op <= OP_IN ? " (not decoded by pvhdev)"
		                       : " (not trapped: dom0 reaches it directly)";
	} else if (rc) {
		return broke(r, st, name, rc);
	}
	r->res->accesses++;
	if (is_read) {
		r->last_val = v;
		snprintf(val, sizeof(val), " -> 0x%0*llx", 2 * st->size,
		         (unsigned long long)v);
	} else {
		snprintf(val, sizeof(val), " 0x%llx", (unsigned long long)st->b);
	}
	emit(r, "%u: %s 0x%llx%s%s%s", st->line, name, (unsigned long long)st->a, val,
	     note, where);
	print_events(r);
	return 0;
}

static int run_drain(struct runner *r, const struct step *st)
{
	bool more = true;
	unsigned long rounds = 0;
	int rc;

	while (more) {
		if (rounds++ == MAX_DRAIN_ROUNDS)
			return broke(r, st, "drain", -EBUSY);
		if ((rc = pvhdev_process_pending(r->dom, 0, &more)))
			return broke(r, st, "drain", rc);
	}
	emit(r, "%u: drain", st->line);
	print_events(r);
	return 0;
}

static int run_expect(struct runner *r, const struct step *st)
{
	uint64_t all = st->size < 8 ? (1ull << (8 * st->size)) - 1 : ~0ull;
	char mask[32] = "";
	int w = 2 * st->size;

	if (st->mask != all)
		snprintf(mask, sizeof(mask), ":0x%0*llx", w, (unsigned long long)st->mask);
	if ((r->last_val ^ st->b) & st->mask)
		return fail(r, st, "expected 0x%0*llx%s from the read on line %u, got 0x%0*llx",
		            w, (unsigned long long)st->b, mask, st->ref, w,
		            (unsigned long long)r->last_val);
	emit(r, "%u: expect 0x%0*llx%s: ok", st->line, w, (unsigned long long)st->b, mask);
	r->res->checks++;
	return 0;
}

/* The line of a hypervisor call (what) and its events; a refusal is the
 * hypervisor's answer to dom0, printed; running out of memory stops the
 * run. */
static int hypervisor_done(struct runner *r, const struct step *st,
                           const char *what, int rc)
{
	if (rc == -ENOMEM)
		return broke(r, st, what, rc);
	if (rc)
		emit(r, "%u: %s -> %s", st->line, what, pvhdev_strerror(rc));
	else
		emit(r, "%u: %s", st->line, what);
	print_events(r);
	return 0;
}

/* mmcfg-add, dev-add, dev-remove, dev-hide: what the hypervisor does on
 * dom0's PHYSDEVOP calls.  They open a window like an access; a refusal
 * is the hypervisor's answer to dom0 (printed), not a failure of the run. */
static int run_platform(struct runner *r, const struct step *st)
{
	char sbdf[PVHDEV_SBDF_STRLEN], what[64];
	int rc;

	open_window(r, st->line);
	pvhdev_sbdf_str((pvhdev_sbdf_t)st->a, sbdf);
	switch (st->op) {
	case OP_MMCFG_ADD:
		rc = pvhdev_mmcfg_add(r->dom, st->a, (uint16_t)(st->b >> 16),
		                      (uint8_t)(st->b >> 8), (uint8_t)st->b);
		snprintf(what, sizeof(what), "mmcfg-add 0x%llx %u %u %u",
		         (unsigned long long)st->a, (unsigned)(st->b >> 16),
		         (unsigned)(st->b >> 8 & 0xff), (unsigned)(st->b & 0xff));
		break;
	case OP_DEV_ADD:
		rc = pvhdev_dev_add(r->dom, (pvhdev_sbdf_t)st->a);
		snprintf(what, sizeof(what), "dev-add %s", sbdf);
		break;
	case OP_DEV_REMOVE:
		rc = pvhdev_dev_remove(r->dom, (pvhdev_sbdf_t)st->a);
		snprintf(what, sizeof(what), "dev-remove %s", sbdf);
		break;
	case OP_DEV_RESET: {
		struct pvhdev_dev *dev;
		rc = pvhdev_dev_get(r->dom, (pvhdev_sbdf_t)st->a, &dev);
		if (!rc)
			rc = pvhdev_dev_reset(dev, (enum pvhdev_reset_kind)st->b);
		snprintf(what, sizeof(what), "reset %s %s", sbdf,
		         pvhdev_reset_kind_name((enum pvhdev_reset_kind)st->b));
		break;
	}
	default:
		rc = pvhdev_dev_hide(r->dom, (pvhdev_sbdf_t)st->a);
		snprintf(what, sizeof(what), "dev-hide %s", sbdf);
		break;
	}
	return hypervisor_done(r, st, what, rc);
}

static const char *window_name(const struct runner *r, char buf[32])
{
	if (!r->win_line)
		return "since the start";
	snprintf(buf, 32, "since line %u", r->win_line);
	return buf;
}

static bool was_matched(const struct runner *r, uint64_t seq)
{
	for (size_t i = 0; i < r->nr_matched; i++)
		if (r->matched[i] == seq)
			return true;
	return false;
}

/* Appends up to 6 events of [from, end) (unmatched ones only when
 * skip_matched) to got as "'a'; 'b'; ... (N more)". */
static void list_events(struct runner *r, uint64_t from, bool skip_matched,
                        char *got, size_t len)
{
	uint64_t end = pvhdev_event_next_seq(r->dom), shown = 0, more = 0;
	char ev[EVENT_LEN];
	size_t n = 0;

	got[0] = 0;
	for (uint64_t seq = from; seq < end; seq++) {
		if (skip_matched && was_matched(r, seq))
			continue;
		if (shown == 6) {
			more++;
			continue;
		}
		if (event_line(r, seq, ev))
			snprintf(ev, sizeof(ev), "(lost)");
		if (n < len)
			n += (size_t)snprintf(got + n, len - n, "%s'%s'", shown ? "; " : "", ev);
		shown++;
	}
	if (more && n < len)
		snprintf(got + n, len - n, "; ... (%llu more)", (unsigned long long)more);
	if (!shown)
		snprintf(got, len, "no events");
}

static int remember_match(struct runner *r, uint64_t seq)
{
	if (r->nr_matched == r->cap_matched) {
		size_t cap = r->cap_matched ? 2 * r->cap_matched : 16;
		uint64_t *m = realloc(r->matched, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		r->matched = m;
		r->cap_matched = cap;
	}
	r->matched[r->nr_matched++] = seq;
	return 0;
}

/* The value of a word of n bytes that is a number: hex with 0x, or
 * decimal. */
static bool word_value(const char *w, size_t n, uint64_t *v)
{
	unsigned base = 10;

	if (n > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
		base = 16;
		w += 2;
		n -= 2;
	}
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = pvhdev__digit(w[i], base);
		if (d < 0 || *v > (UINT64_MAX - (unsigned)d) / base)
			return false;
		*v = *v * base + (unsigned)d;
	}
	return n > 0;
}

/* Two words of a and b bytes: equal, or numbers of equal value
 * ("0xAA100", "0x000aa100" and "0xaa100"); in KEY=VAL words the keys must
 * be equal and the values compare the same way. */
static bool words_match(const char *x, size_t a, const char *y, size_t b)
{
	const char *ex = memchr(x, '=', a), *ey = memchr(y, '=', b);
	uint64_t u, v;

	if (ex || ey) {
		size_t kx = ex ? (size_t)(ex - x) + 1 : a, ky = ey ? (size_t)(ey - y) + 1 : b;
		return ex && ey && kx == ky && !memcmp(x, y, kx) &&
		       words_match(x + kx, a - kx, y + ky, b - ky);
	}
	if (a == b && !memcmp(x, y, a))
		return true;
	return word_value(x, a, &u) && word_value(y, b, &v) && u == v;
}

/* Whether the event line matches the expected one word by word. */
static bool event_matches(const char *want, const char *line)
{
	for (;;) {
		size_t a = strcspn(want, " "), b = strcspn(line, " ");
		if (!words_match(want, a, line, b))
			return false;
		want += a;
		line += b;
		if (!*want || !*line)
			return !*want && !*line;
		want++;
		line++;
	}
}

/* The event text, searched in [from, end); the seq or end when absent. */
static uint64_t find_event(struct runner *r, const char *text, uint64_t from,
                           uint64_t end)
{
	char ev[EVENT_LEN];

	for (; from < end; from++)
		if (!event_line(r, from, ev) && event_matches(text, ev))
			break;
	return from;
}

static int run_expect_event(struct runner *r, const struct step *st)
{
	uint64_t end = pvhdev_event_next_seq(r->dom);
	uint64_t seq = find_event(r, st->text, r->cursor, end);
	char win[32], got[768];

	if (seq == end) {
		bool earlier = find_event(r, st->text, r->win, r->cursor) < r->cursor;
		list_events(r, r->cursor, false, got, sizeof(got));
		return fail(r, st, "expected event '%s' %s%s, got %s%s", st->text,
		            window_name(r, win), r->match_line ? " after the events "
		            "matched so far" : "", got, earlier ? " (it came earlier, "
		            "out of order)" : "");
	}
	if (remember_match(r, seq))
		return broke(r, st, "expect-event", -ENOMEM);
	r->cursor = seq + 1;
	r->match_line = st->line;
	r->res->checks++;
	emit(r, "%u: expect-event %s: ok", st->line, st->text);
	return 0;
}

static int run_expect_no_event(struct runner *r, const struct step *st)
{
	uint64_t end = pvhdev_event_next_seq(r->dom);
	char win[32], got[768];

	if (end - r->win > r->nr_matched) {
		list_events(r, r->win, true, got, sizeof(got));
		return fail(r, st, "expected no events %s%s, got %s", window_name(r, win),
		            r->nr_matched ? " but those matched" : "", got);
	}
	r->res->checks++;
	emit(r, "%u: expect-no-event: ok", st->line);
	return 0;
}

static int run_expect_mapped(struct runner *r, const struct step *st)
{
	uint64_t g = st->a, last = st->a + (st->b - 1);
	struct pvhdev_p2m_range rg;

	for (;;) {
		if (pvhdev_p2m_query(r->dom, g, &rg))
			return fail(r, st, "expected 0x%llx pages from gfn 0x%llx mapped, "
			            "got gfn 0x%llx unmapped", (unsigned long long)st->b,
			            (unsigned long long)st->a, (unsigned long long)g);
		uint64_t rlast = rg.gfn + (rg.nr ? rg.nr - 1 : 0);
		if (rlast >= last)
			break;
		g = rlast >= g ? rlast + 1 : g + 1; /* a range ends past g */
	}
	r->res->checks++;
	emit(r, "%u: expect-mapped 0x%llx 0x%llx: ok", st->line,
	     (unsigned long long)st->a, (unsigned long long)st->b);
	return 0;
}

struct overlap {
	uint64_t first, last; /* gfns, closed */
	struct pvhdev_p2m_range hit;
	bool found;
};

/* p2m ranges come in gfn order: stop at the first overlap, or past last. */
static int find_overlap(void *arg, const struct pvhdev_p2m_range *rg)
{
	struct overlap *o = arg;

	if (rg->gfn > o->last)
		return 1;
	if (rg->nr && rg->gfn + (rg->nr - 1) >= o->first) {
		o->hit = *rg;
		o->found = true;
		return 1;
	}
	return 0;
}

static int run_expect_unmapped(struct runner *r, const struct step *st)
{
	struct overlap o = { .first = st->a, .last = st->a + (st->b - 1) };
	char owner[64] = "", s[PVHDEV_SBDF_STRLEN];

	pvhdev_p2m_foreach(r->dom, find_overlap, &o);
	if (o.found) {
		if (o.hit.bar >= 0)
			snprintf(owner, sizeof(owner), ", owner %s bar %d",
			         pvhdev_sbdf_str(o.hit.owner, s), o.hit.bar);
		return fail(r, st, "expected 0x%llx pages from gfn 0x%llx unmapped, got "
		            "0x%llx pages from gfn 0x%llx mapped (mfn 0x%llx%s)",
		            (unsigned long long)st->b, (unsigned long long)st->a,
		            (unsigned long long)o.hit.nr, (unsigned long long)o.hit.gfn,
		            (unsigned long long)o.hit.mfn, owner);
	}
	r->res->checks++;
	emit(r, "%u: expect-unmapped 0x%llx 0x%llx: ok", st->line,
	     (unsigned long long)st->a, (unsigned long long)st->b);
	return 0;
}

static int run_check(struct runner *r, const struct step *st)
{
	switch (st->op) {
	case OP_EXPECT:
		return run_expect(r, st);
	case OP_EXPECT_EVENT:
		return run_expect_event(r, st);
	case OP_EXPECT_NO_EVENT:
		return run_expect_no_event(r, st);
	case OP_EXPECT_MAPPED:
		return run_expect_mapped(r, st);
	default:
		return run_expect_unmapped(r, st);
	}
}

/* A waived expectation: its failure is reported with the waiver's reason
 * ("waived (REASON): expected X, got Y") and the run goes on; when it
 * holds, the transcript says so, for the waiver to be removed. */
static int run_waived(struct runner *r, const struct step *st)
{
	struct pvhdev_scenario_result *res = r->res;
	int rc = run_check(r, st);

	if (rc < 0)
		return rc;
	if (!rc) {
		r->waived_held++;
		emit(r, "%u: waived (%s), but holds: remove the waiver", st->line,
		     st->waiver);
		return 0;
	}
	r->waived++;
	emit(r, "%u: waived (%s): %s", st->line, st->waiver, res->msg);
	res->msg[0] = 0;
	res->failed_line = 0;
	return 0;
}

/*
 * plug and unplug: a function appears in or leaves the fake (slot and
 * link status of the port above it follow), and the hypervisor adds or
 * removes it as on dom0's PHYSDEVOP_pci_device_add/remove.  Unplug
 * removes first, so that quiescing the device (its mappings and
 * bindings going, with their events) reaches it while it is there.  The
 * hypervisor's refusal is printed as for dev-add; the fake's is the
 * scenario's error (no such function, or one already so) and stops the
 * run.  Without a fake only the hypervisor's part runs.
 */
static int run_hotplug(struct runner *r, const struct step *st)
{
	pvhdev_sbdf_t sbdf = (pvhdev_sbdf_t)st->a;
	bool plug = st->op == OP_PLUG;
	char s[PVHDEV_SBDF_STRLEN], what[64];
	int rc, hw = 0;

	open_window(r, st->line);
	snprintf(what, sizeof(what), "%s %s", plug ? "plug" : "unplug",
	         pvhdev_sbdf_str(sbdf, s));
	if (plug && r->fake)
		hw = pvhdev_fake_plug(r->fake, sbdf);
	if (hw)
		return broke(r, st, what, hw);
	rc = plug ? pvhdev_dev_add(r->dom, sbdf) : pvhdev_dev_remove(r->dom, sbdf);
	if (rc != -ENOMEM && !plug && r->fake && (hw = pvhdev_fake_unplug(r->fake, sbdf)))
		return broke(r, st, what, hw);
	return hypervisor_done(r, st, what, rc);
}

/* 0: next step; 1: an expectation failed; < 0: pvhdev failed. */
static int run_step(struct runner *r, const struct step *st)
{
	if (st->waiver)
		return run_waived(r, st);
	if (is_expectation(st->op))
		return run_check(r, st);
	switch (st->op) {
	case OP_OUT: case OP_IN: case OP_WRITE: case OP_READ:
		return run_access(r, st);
	case OP_DRAIN:
		return run_drain(r, st);
	case OP_MMCFG_ADD: case OP_DEV_ADD: case OP_DEV_REMOVE: case OP_DEV_HIDE:
	case OP_DEV_RESET:
		return run_platform(r, st);
	case OP_PLUG: case OP_UNPLUG:
		return run_hotplug(r, st);
	default:
		emit(r, "%u: %s (skipped: no device effect)", st->line, st->text);
		return 0;
	}
}

int pvhdev_scenario_run(const struct pvhdev_scenario *sc,
                        struct pvhdev_domain *dom, pvhdev_scenario_out_fn out,
                        void *out_ctx, struct pvhdev_scenario_result *res)
{
	return pvhdev_scenario_run_fake(sc, dom, NULL, out, out_ctx, res);
}

int pvhdev_scenario_run_fake(const struct pvhdev_scenario *sc,
                             struct pvhdev_domain *dom, struct pvhdev_fake *fake,
                             pvhdev_scenario_out_fn out, void *out_ctx,
                             struct pvhdev_scenario_result *res)
{
	struct pvhdev_scenario_result local;
	struct runner r = {
		.sc = sc, .dom = dom, .fake = fake, .out = out, .out_ctx = out_ctx,
		.res = res ? res : &local,
		.printed = pvhdev_event_next_seq(dom),
	};
	int rc = 0;

	memset(r.res, 0, sizeof(*r.res));
	/* Before the first access the window is the domain's whole log. */
	r.win = r.cursor = 0;
	for (size_t i = 0; i < sc->nr && !rc; i++)
		rc = run_step(&r, &sc->steps[i]);
	if (r.waived || r.waived_held)
		emit(&r, "%s: %lu waived expectation%s failed as expected, %lu held",
		     sc->name, r.waived, r.waived == 1 ? "" : "s", r.waived_held);
	free(r.matched);
	return rc < 0 ? rc : 0;
}

void pvhdev_scenario_out_file(void *ctx, const char *line)
{
	FILE *f = ctx;

	fputs(line, f);
	fputc('\n', f);
}
