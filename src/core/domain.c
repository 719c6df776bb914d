/* SPDX-License-Identifier: MIT */
/*
 * The domain: one emulated dom0 over one platform.  Creation, teardown,
 * allocation, logging, the effect log and the hardware access path.
 */
#include "core/core.h"

#define EVENT_CAPACITY_DEFAULT 4096u
#define EVENT_CAPACITY_MAX (1u << 24)

void *pvhdev__zalloc(struct pvhdev_domain *dom, size_t size)
{
	void *p = dom->alloc->alloc(dom->alloc_ctx, size, 16);

	if (p)
		memset(p, 0, size);
	return p;
}

void pvhdev__free(struct pvhdev_domain *dom, void *ptr, size_t size)
{
	if (ptr)
		dom->alloc->free(dom->alloc_ctx, ptr, size);
}

void pvhdev__log(struct pvhdev_domain *dom, enum pvhdev_log_level level,
                 const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!dom->log)
		return;
	va_start(ap, fmt);
	pvhdev__vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dom->log(dom->log_ctx, level, msg);
}

static uint32_t ring_size(uint32_t want)
{
	uint32_t n = 1;

	if (!want)
		want = EVENT_CAPACITY_DEFAULT;
	if (want > EVENT_CAPACITY_MAX)
		want = EVENT_CAPACITY_MAX;
	while (n < want)
		n <<= 1;
	return n;
}

/* Copies what the caller's (possibly older, smaller) config holds. */
static int config_load(const struct pvhdev_config *in, struct pvhdev_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if (!in || in->size < offsetof(struct pvhdev_config, log))
		return -EINVAL;
	memcpy(cfg, in, in->size < sizeof(*cfg) ? in->size : sizeof(*cfg));
	if (!cfg->backend || !cfg->backend->cfg_read || !cfg->backend->cfg_write)
		return -EINVAL;
	if (!cfg->alloc || !cfg->alloc->alloc || !cfg->alloc->free)
		return -EINVAL;
	if (cfg->hooks && cfg->hooks->size < offsetof(struct pvhdev_hooks, effect) +
	                                         sizeof(cfg->hooks->effect))
		return -EINVAL;
	return 0;
}

static void modules_free(struct pvhdev_domain *dom, size_t upto)
{
	while (upto-- > 0) {
		const struct pvhdev__module *m = pvhdev__modules[upto];
		if (m && m->dom_free)
			m->dom_free(dom);
	}
}

static int modules_init(struct pvhdev_domain *dom)
{
	for (size_t i = 0; i < pvhdev__nr_modules; i++) {
		const struct pvhdev__module *m = pvhdev__modules[i];
		int rc = m && m->dom_init ? m->dom_init(dom) : 0;
		if (rc) {
			/* The failing module cleans up after itself too. */
			modules_free(dom, i + 1);
			return rc;
		}
	}
	return 0;
}

int pvhdev_domain_new(const struct pvhdev_config *in, struct pvhdev_domain **out)
{
	struct pvhdev_config cfg;
	int rc = config_load(in, &cfg);

	if (rc || !out)
		return rc ? rc : -EINVAL;
	*out = NULL;
	struct pvhdev_domain *dom = cfg.alloc->alloc(cfg.alloc_ctx, sizeof(*dom), 16);
	if (!dom)
		return -ENOMEM;
	memset(dom, 0, sizeof(*dom));
	dom->alloc = cfg.alloc;
	dom->alloc_ctx = cfg.alloc_ctx;
	dom->be = cfg.backend;
	dom->be_ctx = cfg.backend_ctx;
	dom->log = cfg.log;
	dom->log_ctx = cfg.log_ctx;
	if (cfg.hooks) {
		dom->effect = cfg.hooks->effect;
		dom->effect_ctx = cfg.hooks_ctx;
	}
	dom->shadowed = cfg.shadowed;
	dom->shadowed_ctx = cfg.shadowed_ctx;
	pvhdev__rtree_init(&dom->mmio);

	uint32_t cap = ring_size(cfg.event_capacity);
	dom->ev = pvhdev__zalloc(dom, cap * sizeof(*dom->ev));
	if (!dom->ev)
		goto free_dom;
	dom->ev_cap = cap;
	dom->ev_cur = dom->ev;
	/* With a hook or a shadow, every event takes pvhdev__ev_slow. */
	dom->ev_lim = dom->effect || dom->shadowed ? dom->ev : dom->ev + cap;
	rc = modules_init(dom);
	if (rc)
		goto free_ring;
	*out = dom;
	return 0;

free_ring:
	pvhdev__free(dom, dom->ev, cap * sizeof(*dom->ev));
free_dom:
	pvhdev__free(dom, dom, sizeof(*dom));
	return rc ? rc : -ENOMEM;
}

static void mmcfg_free_all(struct pvhdev_domain *dom)
{
	while (dom->mmcfg) {
		struct pvhdev__mmcfg *m = dom->mmcfg;
		dom->mmcfg = m->next;
		pvhdev__mmio_remove(dom, &m->trap);
		pvhdev__free(dom, m, sizeof(*m));
	}
	dom->nr_mmcfg = 0;
}

void pvhdev_domain_free(struct pvhdev_domain *dom)
{
	if (!dom)
		return;
	dom->freeing = true;
	pvhdev__devices_free(dom);
	modules_free(dom, pvhdev__nr_modules);
	mmcfg_free_all(dom);
	if (dom->be->close)
		dom->be->close(dom->be_ctx);
	pvhdev__free(dom, dom->ev, dom->ev_cap * sizeof(*dom->ev));
	pvhdev__free(dom, dom, sizeof(*dom));
}

/* ---- Effects ---- */

static uint64_t next_seq(const struct pvhdev_domain *dom)
{
	return dom->ev_lap + (uint64_t)(dom->ev_cur - dom->ev);
}

/* A slot keeps no seq, and a hardware write fills only its own fields
 * (pvhdev__ev_hw): the rest of the slot may be an older event's.  Its
 * shadow byte is set (by pvhdev__ev_slow) only in domains that have
 * shadowed: in others it is 0. */
static void slot_copy(const struct pvhdev_domain *dom, const struct pvhdev_event *s,
                      uint64_t seq, struct pvhdev_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = seq;
	ev->kind = s->kind;
	ev->sbdf = s->sbdf;
	ev->result = s->result;
	if (s->kind == PVHDEV_EV_HW_WRITE || s->kind == PVHDEV_EV_HW_MMIO_WRITE) {
		ev->u.hw.addr = s->u.hw.addr;
		ev->u.hw.val = s->u.hw.val;
		ev->u.hw.size = s->u.hw.size;
		ev->u.hw.shadow = dom->shadowed ? s->u.hw.shadow : 0;
	} else {
		ev->u = s->u;
	}
}

int pvhdev__ev_slow(struct pvhdev_domain *dom)
{
	struct pvhdev_event *slot = dom->ev_cur, ev;
	uint64_t seq = next_seq(dom);
	int rc = 0;

	/* Taken before the hook runs: what the hook does lands after it. */
	if (++dom->ev_cur == dom->ev + dom->ev_cap) {
		dom->ev_cur = dom->ev;
		dom->ev_lap += dom->ev_cap;
	}
	slot->result = 0;
	if (slot->kind == PVHDEV_EV_HW_WRITE)
		slot->u.hw.shadow = dom->shadowed &&
		                    dom->shadowed(dom->shadowed_ctx, slot->sbdf,
		                                  (unsigned)slot->u.hw.addr, slot->u.hw.size);
	if (dom->effect) {
		slot_copy(dom, slot, seq, &ev);
		rc = dom->effect(dom->effect_ctx, &ev);
		slot->result = rc = rc < 0 ? rc : 0;
	}
	return rc;
}

int pvhdev__emit(struct pvhdev_domain *dom, struct pvhdev_event *ev)
{
	ev->seq = next_seq(dom);
	ev->result = 0;
	*dom->ev_cur = *ev;
	if (!pvhdev__ev_next(dom))
		ev->result = pvhdev__ev_slow(dom);
	return ev->result;
}

uint64_t pvhdev_event_next_seq(const struct pvhdev_domain *dom)
{
	return next_seq(dom);
}

int pvhdev_event_get(const struct pvhdev_domain *dom, uint64_t seq,
                     struct pvhdev_event *ev)
{
	uint64_t next = next_seq(dom);

	if (seq >= next || next - seq > dom->ev_cap)
		return -ENOENT;
	slot_copy(dom, &dom->ev[seq & (dom->ev_cap - 1)], seq, ev);
	return 0;
}

/* ---- Hardware ---- */

/* *val is all-ones before the backend runs: a backend that fails leaves
 * it so (backend.h), which is the hardware's answer. */
int pvhdev__hw_cfg_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                        unsigned off, unsigned size, uint32_t *val)
{
	*val = (uint32_t)pvhdev__ones(size);
	if (!pvhdev__access_ok(off, size, 0) || off + size > PVHDEV_CFG_EXP_SIZE)
		return 0;
	return dom->be->cfg_read(dom->be_ctx, sbdf, off, size, val);
}

int pvhdev__hw_cfg_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                         unsigned off, unsigned size, uint32_t val)
{
	if (!pvhdev__access_ok(off, size, 0) || off + size > PVHDEV_CFG_EXP_SIZE)
		return 0;
	if (!pvhdev__ev_hw(dom, PVHDEV_EV_HW_WRITE, sbdf, off, size, val))
		pvhdev__ev_slow(dom);
	return dom->be->cfg_write(dom->be_ctx, sbdf, off, size, val);
}

int pvhdev__hw_mmio_read(struct pvhdev_domain *dom, uint64_t addr,
                         unsigned size, uint64_t *val)
{
	*val = pvhdev__ones(size);
	if (!pvhdev__access_ok(addr, size, 1) || !dom->be->mmio_read)
		return 0;
	return dom->be->mmio_read(dom->be_ctx, addr, size, val);
}

int pvhdev__hw_mmio_write(struct pvhdev_domain *dom, uint64_t addr,
                          unsigned size, uint64_t val)
{
	if (!pvhdev__access_ok(addr, size, 1) || !dom->be->mmio_write)
		return 0;
	if (!pvhdev__ev_hw(dom, PVHDEV_EV_HW_MMIO_WRITE, 0, addr, size, val))
		pvhdev__ev_slow(dom);
	return dom->be->mmio_write(dom->be_ctx, addr, size, val);
}

/* ---- Strings ---- */

const char *pvhdev_version(void)
{
	return PVHDEV_VERSION_STRING;
}

const char *pvhdev_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return "success";
	case EINVAL: return "invalid argument";
	case ENOMEM: return "out of memory";
	case EEXIST: return "already exists or overlaps";
	case ENOENT: return "not found";
	case ENODEV: return "no such device";
	case ENOSPC: return "no space left";
	case ENXIO: return "not trapped by pvhdev";
	case EIO: return "backend I/O error";
	case EBUSY: return "busy";
	case ERANGE: return "out of range";
	case EPERM: return "not permitted";
	case EAGAIN: return "try again";
	case EOPNOTSUPP: return "not supported";
	case EPROTO: return "replay diverged from the trace";
	default: return "unknown error";
	}
}

const char *pvhdev_sbdf_str(pvhdev_sbdf_t sbdf, char buf[PVHDEV_SBDF_STRLEN])
{
	pvhdev__snprintf(buf, PVHDEV_SBDF_STRLEN, "%04x:%02x:%02x.%u",
	                 PVHDEV_SBDF_SEG(sbdf), PVHDEV_SBDF_BUS(sbdf),
	                 PVHDEV_SBDF_DEV(sbdf), PVHDEV_SBDF_FN(sbdf));
	return buf;
}
