/* SPDX-License-Identifier: MIT */
/*
 * Virtual IO-APICs for dom0: one per physical IO-APIC (never a merged
 * one), each trapping its own MMIO window and owning its own GSI range.
 *
 * The model is an Intel 82093AA (version 0x11) as Xen's vIO-APIC shows
 * it to a PVH dom0: IOREGSEL/IOWIN indirection, no EOI register.  The
 * effect that matters is binding: clearing a redirection entry's mask
 * bit binds the pin's GSI to dom0 (PIRQ == GSI) with the entry's trigger
 * mode and polarity.  Masking again does not unbind, and a later unmask
 * asking for another trigger mode or polarity keeps the first binding
 * (as Xen does: the physical pin is already programmed).
 *
 * Everything is allocated in pvhdev_ioapic_add(); guest accesses only
 * read and write what is there.
 */
#include "core/core.h"
#include "ioapic/ioapic.h"

/* Bytes of one IO-APIC with its pins. */
static size_t ioapic_size(unsigned pins)
{
	return sizeof(struct pvhdev__ioapic) +
	       (size_t)pins * sizeof(struct pvhdev__ioapic_pin);
}

/* ---- GSI -> IO-APIC: binary search over ranges sorted by GSI base ---- */

/* Index of the first IO-APIC whose GSI base is above gsi (count: none). */
static unsigned upper_bound(const struct pvhdev__ioapic_set *set, uint32_t gsi)
{
	unsigned lo = 0, hi = set->count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (set->by_gsi[mid]->gsi_base > gsi)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The IO-APIC holding gsi (and its index), or NULL. */
static struct pvhdev__ioapic *gsi_find(const struct pvhdev_domain *dom,
                                       uint32_t gsi, unsigned *index)
{
	const struct pvhdev__ioapic_set *set = dom->ioapic;
	unsigned i;

	if (!set || !(i = upper_bound(set, gsi)))
		return NULL;
	struct pvhdev__ioapic *io = set->by_gsi[i - 1];
	/* io->gsi_base <= gsi, so the difference cannot wrap. */
	if (gsi - io->gsi_base >= io->pins)
		return NULL;
	*index = i - 1;
	return io;
}

/* Whether [base, base + pins) meets an IO-APIC's range.  Only the
 * neighbours of the insertion point can: the ranges are disjoint. */
static bool gsi_overlaps(const struct pvhdev__ioapic_set *set, uint32_t base,
                         unsigned pins)
{
	unsigned pos = upper_bound(set, base);

	if (pos > 0) {
		const struct pvhdev__ioapic *prev = set->by_gsi[pos - 1];
		if (base - prev->gsi_base < prev->pins)
			return true;
	}
	if (pos < set->count) {
		const struct pvhdev__ioapic *next = set->by_gsi[pos];
		if (next->gsi_base - base < pins)
			return true;
	}
	return false;
}

/* ---- Registers ---- */

static uint32_t reg_read(const struct pvhdev__ioapic *io, unsigned sel)
{
	switch (sel) {
	case IOAPIC_REG_ID:
		return (uint32_t)io->reg_id << 24;
	case IOAPIC_REG_VERSION:
		/* Max redirection entry: the last pin's number. */
		return ((uint32_t)(io->pins - 1) << 16) | IOAPIC_VERSION;
	case IOAPIC_REG_ARB:
		/* Loaded from the ID (4 bits) whenever the ID is written. */
		return (uint32_t)(io->reg_id & 0xfu) << 24;
	}
	if (sel < IOAPIC_REG_REDTBL || (sel - IOAPIC_REG_REDTBL) / 2 >= io->pins)
		return 0; /* no such register */

	uint64_t rte = io->pin[(sel - IOAPIC_REG_REDTBL) / 2].rte;
	return (sel & 1) ? (uint32_t)(rte >> 32) : (uint32_t)rte;
}

static const char *trig_str(unsigned level)
{
	return level ? "level" : "edge";
}

static const char *pol_str(unsigned active_low)
{
	return active_low ? "low" : "high";
}

/* The guest cleared the mask bit of pin: bind its GSI, or report that
 * the bound trigger mode / polarity differs from the one asked for. */
static void pin_unmask(struct pvhdev__ioapic *io, unsigned pin)
{
	struct pvhdev__ioapic_pin *p = &io->pin[pin];
	uint8_t level = (p->rte & RTE_TRIGGER) != 0;
	uint8_t low = (p->rte & RTE_POLARITY) != 0;
	struct pvhdev_event ev = {
		.kind = PVHDEV_EV_GSI_BIND,
		.u.gsi = { .gsi = io->gsi_base + pin, .level = level,
		           .active_low = low },
	};

	if (p->bound) {
		if (p->level == level && p->active_low == low)
			return;
		ev.kind = PVHDEV_EV_GSI_CONFLICT;
		pvhdev__emit(io->dom, &ev);
		pvhdev__log(io->dom, PVHDEV_LOG_WARN,
		            "ioapic: GSI %u unmasked as %s %s, keeping %s %s",
		            ev.u.gsi.gsi, trig_str(level), pol_str(low),
		            trig_str(p->level), pol_str(p->active_low));
		return;
	}
	int rc = pvhdev__emit(io->dom, &ev);
	if (rc < 0) {
		/* Stays unbound: the next 1 -> 0 transition tries again. */
		pvhdev__log(io->dom, PVHDEV_LOG_WARN,
		            "ioapic: binding GSI %u refused (%d)", ev.u.gsi.gsi, rc);
		return;
	}
	p->bound = 1;
	p->level = level;
	p->active_low = low;
}

/* Low dword: delivery status and remote IRR keep their value (the model
 * delivers nothing, so both stay 0); everything else is stored. */
static void rte_write_low(struct pvhdev__ioapic *io, unsigned pin, uint32_t val)
{
	struct pvhdev__ioapic_pin *p = &io->pin[pin];
	uint32_t old = (uint32_t)p->rte;
	uint32_t low = (val & ~RTE_RO) | (old & RTE_RO);

	p->rte = (p->rte & ~(uint64_t)0xffffffffu) | low;
	if ((old & RTE_MASK) && !(low & RTE_MASK))
		pin_unmask(io, pin);
}

static void reg_write(struct pvhdev__ioapic *io, unsigned sel, uint32_t val)
{
	if (sel == IOAPIC_REG_ID) {
		io->reg_id = (uint8_t)(val >> 24);
		return;
	}
	/* Version and arbitration are read-only; other indexes are absent. */
	if (sel < IOAPIC_REG_REDTBL || (sel - IOAPIC_REG_REDTBL) / 2 >= io->pins)
		return;

	unsigned pin = (sel - IOAPIC_REG_REDTBL) / 2;
	struct pvhdev__ioapic_pin *p = &io->pin[pin];
	if (sel & 1) /* destination (and bits the model gives no meaning) */
		p->rte = (p->rte & 0xffffffffu) | (uint64_t)val << 32;
	else
		rte_write_low(io, pin, val);
}

/* ---- The MMIO window ---- */

/*
 * The core hands us 1/2/4/8-byte naturally aligned accesses inside the
 * window.  IOREGSEL takes 1, 2 and 4 bytes at its own offset (the
 * 82093AA loads it with a byte write; bits 31:8 are reserved).  IOWIN
 * takes 4 bytes only ("must be accessed as a Dword quantity").  Anything
 * else reads as zeros and writes are ignored.
 */
static int ioapic_mmio_read(void *opaque, uint64_t addr, unsigned size,
                            uint64_t *val)
{
	const struct pvhdev__ioapic *io = opaque;
	uint64_t off = addr - io->addr;

	*val = 0;
	if (off == IOAPIC_IOREGSEL && size <= 4)
		*val = io->regsel;
	else if (off == IOAPIC_IOWIN && size == 4)
		*val = reg_read(io, io->regsel);
	return 0;
}

static int ioapic_mmio_write(void *opaque, uint64_t addr, unsigned size,
                             uint64_t val)
{
	struct pvhdev__ioapic *io = opaque;
	uint64_t off = addr - io->addr;

	if (off == IOAPIC_IOREGSEL && size <= 4)
		io->regsel = (uint8_t)val;
	else if (off == IOAPIC_IOWIN && size == 4)
		reg_write(io, io->regsel, (uint32_t)val);
	return 0;
}

static const struct pvhdev__mmio_ops ioapic_mmio_ops = {
	.read = ioapic_mmio_read,
	.write = ioapic_mmio_write,
};

/* ---- Adding IO-APICs ---- */

/* Room for one more IO-APIC in set->by_gsi (doubling). */
static int set_reserve(struct pvhdev_domain *dom, struct pvhdev__ioapic_set *set)
{
	if (set->count < set->cap)
		return 0;
	unsigned cap = set->cap ? set->cap * 2 : 4;
	uint64_t bytes = (uint64_t)cap * sizeof(*set->by_gsi);
	if (cap < set->cap || bytes != (size_t)bytes) /* 32-bit hosts */
		return -ENOMEM;
	struct pvhdev__ioapic **a = pvhdev__zalloc(dom, (size_t)bytes);
	if (!a)
		return -ENOMEM;
	if (set->count)
		memcpy(a, set->by_gsi, set->count * sizeof(*a));
	pvhdev__free(dom, set->by_gsi, set->cap * sizeof(*a));
	set->by_gsi = a;
	set->cap = cap;
	return 0;
}

static void set_insert(struct pvhdev__ioapic_set *set, struct pvhdev__ioapic *io)
{
	unsigned pos = upper_bound(set, io->gsi_base);

	memmove(&set->by_gsi[pos + 1], &set->by_gsi[pos],
	        (set->count - pos) * sizeof(*set->by_gsi));
	set->by_gsi[pos] = io;
	set->count++;
}

static struct pvhdev__ioapic *ioapic_new(struct pvhdev_domain *dom, uint8_t id,
                                         uint64_t addr, uint32_t gsi_base,
                                         unsigned pins)
{
	struct pvhdev__ioapic *io = pvhdev__zalloc(dom, ioapic_size(pins));

	if (!io)
		return NULL;
	io->dom = dom;
	io->addr = addr;
	io->gsi_base = gsi_base;
	io->pins = pins;
	io->id = id;
	io->reg_id = id;
	for (unsigned i = 0; i < pins; i++)
		io->pin[i].rte = RTE_MASK; /* reset: masked, edge, active high */
	return io;
}

/* Frees every IO-APIC and the set (domain teardown, or undoing a first
 * add that failed). */
static void ioapic_dom_free(struct pvhdev_domain *dom)
{
	struct pvhdev__ioapic_set *set = dom->ioapic;

	if (!set)
		return;
	for (unsigned i = 0; i < set->count; i++) {
		struct pvhdev__ioapic *io = set->by_gsi[i];
		pvhdev__mmio_remove(dom, &io->trap);
		pvhdev__free(dom, io, ioapic_size(io->pins));
	}
	pvhdev__free(dom, set->by_gsi, set->cap * sizeof(*set->by_gsi));
	pvhdev__free(dom, set, sizeof(*set));
	dom->ioapic = NULL;
}

static int add_check(uint64_t addr, uint32_t gsi_base, unsigned pins)
{
	if (!pins || pins > PVHDEV_IOAPIC_MAX_PINS)
		return -EINVAL;
	/* 16-byte aligned (the register spacing), so the core's alignment
	 * check on absolute addresses is also one on window offsets. */
	if (addr & 0xfu || addr + (IOAPIC_WINDOW - 1) < addr)
		return -EINVAL;
	if (gsi_base + (pins - 1) < gsi_base)
		return -EINVAL;
	return 0;
}

int pvhdev_ioapic_add(struct pvhdev_domain *dom, uint8_t id, uint64_t addr,
                      uint32_t gsi_base, unsigned pins)
{
	struct pvhdev__ioapic *io;
	int rc;

	if (!dom)
		return -EINVAL;
	if ((rc = add_check(addr, gsi_base, pins)))
		return rc;
	if (dom->ioapic && gsi_overlaps(dom->ioapic, gsi_base, pins))
		return -EEXIST;

	bool new_set = !dom->ioapic;
	if (new_set) {
		dom->ioapic = pvhdev__zalloc(dom, sizeof(*dom->ioapic));
		if (!dom->ioapic)
			return -ENOMEM;
	}
	rc = set_reserve(dom, dom->ioapic);
	if (rc)
		goto undo_set;
	io = ioapic_new(dom, id, addr, gsi_base, pins);
	rc = -ENOMEM;
	if (!io)
		goto undo_set;
	rc = pvhdev__mmio_add(dom, &io->trap, addr, IOAPIC_WINDOW,
	                      &ioapic_mmio_ops, io);
	if (rc)
		goto free_io;
	set_insert(dom->ioapic, io);
	/* Added after boot: excluded and reconciled like a boot one (boot
	 * excludes its own). */
	if (dom->booted)
		return pvhdev__excl_late(dom, addr >> 12,
		                         ((addr + IOAPIC_WINDOW + 0xfff) >> 12) - (addr >> 12),
		                         PVHDEV__EXCL_IOAPIC);
	return 0;

free_io:
	pvhdev__free(dom, io, ioapic_size(pins));
undo_set:
	if (new_set)
		ioapic_dom_free(dom);
	return rc;
}

/* ---- Queries ---- */

int pvhdev_ioapic_count(const struct pvhdev_domain *dom, unsigned *count)
{
	if (!dom || !count)
		return -EINVAL;
	*count = dom->ioapic ? dom->ioapic->count : 0;
	return 0;
}

int pvhdev_ioapic_get(const struct pvhdev_domain *dom, unsigned index,
                      struct pvhdev_ioapic_info *info)
{
	if (!dom || !info)
		return -EINVAL;
	if (!dom->ioapic || index >= dom->ioapic->count)
		return -ENOENT;
	const struct pvhdev__ioapic *io = dom->ioapic->by_gsi[index];
	info->addr = io->addr;
	info->gsi_base = io->gsi_base;
	info->pins = io->pins;
	info->id = io->id;
	return 0;
}

int pvhdev_gsi_lookup(const struct pvhdev_domain *dom, uint32_t gsi,
                      unsigned *index, unsigned *pin)
{
	unsigned i;
	const struct pvhdev__ioapic *io;

	if (!dom)
		return -EINVAL;
	if (!(io = gsi_find(dom, gsi, &i)))
		return -ENOENT;
	if (index)
		*index = i;
	if (pin)
		*pin = gsi - io->gsi_base;
	return 0;
}

int pvhdev_gsi_binding(const struct pvhdev_domain *dom, uint32_t gsi,
                       bool *bound, bool *level, bool *active_low)
{
	unsigned i;
	const struct pvhdev__ioapic *io;

	if (!dom)
		return -EINVAL;
	if (!(io = gsi_find(dom, gsi, &i)))
		return -ENOENT;
	const struct pvhdev__ioapic_pin *p = &io->pin[gsi - io->gsi_base];
	if (bound)
		*bound = p->bound;
	if (level)
		*level = p->bound && p->level;
	if (active_low)
		*active_low = p->bound && p->active_low;
	return 0;
}

/* ---- Invariants ---- */

/* Every virtual IO-APIC is reached only through its trap: its window is
 * the trapped range at its address (nothing else took its place) and
 * no page of it is in the p2m. */
static int ioapic_check_dom(struct pvhdev_domain *dom, char *msg, size_t len)
{
	const struct pvhdev__ioapic_set *set = dom->ioapic;
	struct pvhdev_p2m_range r;

	if (!set || !pvhdev__check_on(dom, PVHDEV__CK_IOAPIC))
		return 0;
	for (unsigned i = 0; i < set->count; i++) {
		const struct pvhdev__ioapic *io = set->by_gsi[i];
		uint64_t gfn = io->addr >> 12, end = (io->addr + IOAPIC_WINDOW + 0xfff) >> 12;
		if (pvhdev__rtree_find(&dom->mmio, io->addr) != &io->trap.node ||
		    io->trap.node.start != io->addr)
			return pvhdev__check_fail(msg, len, "IO-APIC %u at 0x%llx: window "
			                          "not trapped", io->id,
			                          (unsigned long long)io->addr);
		if (pvhdev__p2m_any(dom, gfn, end - gfn, &r))
			return pvhdev__check_fail(msg, len, "IO-APIC %u at 0x%llx: p2m range "
			                          "0x%llx+0x%llx covers its window", io->id,
			                          (unsigned long long)io->addr,
			                          (unsigned long long)r.gfn,
			                          (unsigned long long)r.nr);
	}
	return 0;
}

const struct pvhdev__module pvhdev__ioapic_module = {
	.name = "ioapic",
	.dom_free = ioapic_dom_free,
	.check_dom = ioapic_check_dom,
};
