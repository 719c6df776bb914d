/* SPDX-License-Identifier: MIT */
/*
 * Dom0's boot: registering the platform and building the identity map
 * the way a PVH dom0 builder does, then adding every device.
 *
 *   1. validate the platform (nothing changes when it is malformed)
 *   2. MCFG windows and IO-APICs are registered (trapped), and their
 *      pages, the LAPIC page, hypervisor-reserved ranges and e820 RAM
 *      are excluded, in that order: the first kind given to a page wins
 *   3. hidden devices are hidden
 *   4. below 1 MiB: RAM pages are copied (ram-copy), every other page
 *      is identity mapped (low-mem)
 *   5. e820 ACPI (3) and NVS (4) regions, in address order
 *   6. top-level ACPI tables not wholly in RAM pages, in the order given
 *   7. every device is added (the BAR module maps decode-enabled BARs
 *      synchronously, since boot is not complete), and boot completes
 *
 * Steps 4-6 never map a page twice or an excluded page: what is
 * already mapped or excluded is left out and logged.  A page is RAM
 * when e820 RAM holds all of it (partial pages, like the one holding
 * the EBDA at 0x9fc00, are not RAM).  See docs/p2m.md.
 */
#include "p2m_model/p2m.h"

#define PAGE_MASK (PVHDEV_PAGE_SIZE - 1)
#define ACPI_TABLE_MAX 0x1000000ull /* bytes a table may map at most */

/* The pages holding any byte of [addr, addr + size); size > 0, no wrap. */
static void pages_touched(uint64_t addr, uint64_t size, uint64_t *gfn, uint64_t *nr)
{
	*gfn = addr >> PVHDEV_PAGE_SHIFT;
	*nr = ((addr + (size - 1)) >> PVHDEV_PAGE_SHIFT) - *gfn + 1;
}

/* The pages wholly inside [addr, addr + size); *nr may be 0. */
static void pages_inside(uint64_t addr, uint64_t size, uint64_t *gfn, uint64_t *nr)
{
	uint64_t last = addr + (size - 1);
	/* One past the last whole page, computed without addr + size,
	 * which is 2^64 for a range that ends at the top. */
	uint64_t end = (last >> PVHDEV_PAGE_SHIFT) + ((last & PAGE_MASK) == PAGE_MASK);

	*gfn = (addr >> PVHDEV_PAGE_SHIFT) + ((addr & PAGE_MASK) != 0);
	*nr = end > *gfn ? end - *gfn : 0;
}

/* ---- 1. Validation ---- */

/* Copies what the caller's (possibly older, smaller) platform holds. */
static int plat_load(struct pvhdev_domain *dom, const struct pvhdev_platform *in,
                     struct pvhdev_platform *p)
{
	memset(p, 0, sizeof(*p));
	if (!in || in->size < offsetof(struct pvhdev_platform, acpi)) {
		pvhdev__log(dom, PVHDEV_LOG_ERROR, "boot: no platform, or its size is wrong");
		return -EINVAL;
	}
	memcpy(p, in, in->size < sizeof(*p) ? in->size : sizeof(*p));
	if ((p->nr_e820 && !p->e820) || (p->nr_acpi && !p->acpi) ||
	    (p->nr_mcfg && !p->mcfg) || (p->nr_ioapics && !p->ioapics) ||
	    (p->nr_hidden && !p->hidden) || (p->nr_reserved && !p->reserved)) {
		pvhdev__log(dom, PVHDEV_LOG_ERROR, "boot: a platform table is NULL");
		return -EINVAL;
	}
	return 0;
}

/* Bytes [addr, addr + size) are non-empty and do not wrap. */
static int span_check(struct pvhdev_domain *dom, const char *what, size_t i,
                      uint64_t addr, uint64_t size)
{
	if (size && addr + (size - 1) >= addr)
		return 0;
	pvhdev__log(dom, PVHDEV_LOG_ERROR, "boot: %s %zu at 0x%llx: %s", what, i,
	            (unsigned long long)addr, size ? "wraps past 2^64" : "size 0");
	return -EINVAL;
}

static bool e820_before(const struct pvhdev_e820_entry *e, size_t a, size_t b)
{
	return e[a].addr < e[b].addr;
}

/* Heap sort of the indexes o[0..n) by address: O(n log n), in place. */
static void sift(const struct pvhdev_e820_entry *e, size_t *o, size_t i, size_t n)
{
	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && e820_before(e, o[c], o[c + 1]))
			c++;
		if (!e820_before(e, o[i], o[c]))
			return;
		size_t t = o[i];
		o[i] = o[c];
		o[c] = t;
	}
}

static void e820_sort(const struct pvhdev_e820_entry *e, size_t *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		o[i] = i;
	for (size_t i = n / 2; i-- > 0;)
		sift(e, o, i, n);
	for (size_t end = n; end-- > 1;) {
		size_t t = o[0];
		o[0] = o[end];
		o[end] = t;
		sift(e, o, 0, end);
	}
}

/* Sorted, the entries overlap only if two neighbours do. */
static int e820_check(struct pvhdev_domain *dom, const struct pvhdev_platform *p,
                      const size_t *o)
{
	for (size_t i = 1; i < p->nr_e820; i++) {
		const struct pvhdev_e820_entry *a = &p->e820[o[i - 1]], *b = &p->e820[o[i]];
		if (b->addr > a->addr + (a->size - 1))
			continue;
		pvhdev__log(dom, PVHDEV_LOG_ERROR,
		            "boot: e820 entries %zu (0x%llx-0x%llx type %u) and %zu "
		            "(0x%llx-0x%llx type %u) overlap",
		            o[i - 1], (unsigned long long)a->addr,
		            (unsigned long long)(a->addr + (a->size - 1)), a->type, o[i],
		            (unsigned long long)b->addr,
		            (unsigned long long)(b->addr + (b->size - 1)), b->type);
		return -EINVAL;
	}
	return 0;
}

static int plat_check(struct pvhdev_domain *dom, const struct pvhdev_platform *p,
                      size_t *order)
{
	int rc = 0;

	for (size_t i = 0; i < p->nr_e820 && !rc; i++)
		rc = span_check(dom, "e820 entry", i, p->e820[i].addr, p->e820[i].size);
	for (size_t i = 0; i < p->nr_acpi && !rc; i++)
		rc = span_check(dom, "ACPI table", i, p->acpi[i].addr, p->acpi[i].len);
	for (size_t i = 0; i < p->nr_reserved && !rc; i++)
		rc = span_check(dom, "reserved range", i, p->reserved[i].addr,
		                p->reserved[i].size);
	if (rc)
		return rc;
	e820_sort(p->e820, order, p->nr_e820);
	return e820_check(dom, p, order);
}

/* ---- 2, 3. Registration, exclusions, hidden devices ---- */

static int add_mcfg(struct pvhdev_domain *dom, const struct pvhdev_mcfg *m)
{
	int rc = pvhdev_mmcfg_add(dom, m->addr, m->seg, m->start_bus, m->end_bus);

	if (rc) {
		pvhdev__log(dom, PVHDEV_LOG_ERROR,
		            "boot: MCFG segment %u buses %02x-%02x at 0x%llx: %s", m->seg,
		            m->start_bus, m->end_bus, (unsigned long long)m->addr,
		            pvhdev_strerror(rc));
		return rc;
	}
	/* 1 MiB of ECAM per bus, 256 pages. */
	return pvhdev__excl_add(dom, (m->addr >> PVHDEV_PAGE_SHIFT) + m->start_bus * 256ull,
	                        (m->end_bus - m->start_bus + 1) * 256ull,
	                        PVHDEV__EXCL_MMCFG);
}

static int add_ioapic(struct pvhdev_domain *dom, const struct pvhdev_ioapic_desc *io)
{
	uint64_t gfn, nr;
	int rc = pvhdev_ioapic_add(dom, io->id, io->addr, io->gsi_base, io->pins);

	if (rc) {
		pvhdev__log(dom, PVHDEV_LOG_ERROR, "boot: IO-APIC %u at 0x%llx: %s", io->id,
		            (unsigned long long)io->addr, pvhdev_strerror(rc));
		return rc;
	}
	pages_touched(io->addr, PVHDEV_IOAPIC_WINDOW, &gfn, &nr);
	return pvhdev__excl_add(dom, gfn, nr, PVHDEV__EXCL_IOAPIC);
}

/* Hypervisor-reserved ranges, then e820 RAM (whole pages only). */
static int exclude_memory(struct pvhdev_domain *dom, const struct pvhdev_platform *p)
{
	uint64_t gfn, nr;
	int rc = 0;

	for (size_t i = 0; i < p->nr_reserved && !rc; i++) {
		pages_touched(p->reserved[i].addr, p->reserved[i].size, &gfn, &nr);
		rc = pvhdev__excl_add(dom, gfn, nr, PVHDEV__EXCL_RESERVED);
	}
	for (size_t i = 0; i < p->nr_e820 && !rc; i++) {
		if (p->e820[i].type != PVHDEV_E820_RAM)
			continue;
		pages_inside(p->e820[i].addr, p->e820[i].size, &gfn, &nr);
		rc = nr ? pvhdev__excl_add(dom, gfn, nr, PVHDEV__EXCL_RAM) : 0;
	}
	return rc;
}

static int boot_register(struct pvhdev_domain *dom, const struct pvhdev_platform *p)
{
	uint64_t lapic = p->lapic_addr ? p->lapic_addr : PVHDEV_LAPIC_DEFAULT;
	int rc = 0;

	for (size_t i = 0; i < p->nr_mcfg && !rc; i++)
		rc = add_mcfg(dom, &p->mcfg[i]);
	for (size_t i = 0; i < p->nr_ioapics && !rc; i++)
		rc = add_ioapic(dom, &p->ioapics[i]);
	if (!rc)
		rc = pvhdev__excl_add(dom, lapic >> PVHDEV_PAGE_SHIFT, 1, PVHDEV__EXCL_LAPIC);
	if (!rc)
		rc = exclude_memory(dom, p);
	for (size_t i = 0; i < p->nr_hidden && !rc; i++)
		rc = pvhdev_dev_hide(dom, p->hidden[i]);
	return rc;
}

/* ---- 4-6. The identity map ---- */

/*
 * The first page in [gfn, end) that boot must leave alone: mapped, or
 * excluded (RAM copies ignore exclusions: RAM is what they copy).  Sets
 * *skip to where the obstacle ends and *why; returns end when none.
 */
static uint64_t obstacle(const struct pvhdev_domain *dom, uint64_t gfn, uint64_t end,
                         bool ram, uint64_t *skip, const char **why)
{
	uint64_t best = end, s, n;
	enum pvhdev__excl_kind kind;
	struct pvhdev_p2m_range r;

	if (!ram && !pvhdev__excl_first(dom, gfn, end - gfn, &s, &n, &kind)) {
		best = s < gfn ? gfn : s;
		*skip = s + n;
		*why = pvhdev__excl_name(kind);
	}
	if (!pvhdev__p2m_first_from(dom, gfn, &r) && r.gfn < best) {
		best = r.gfn < gfn ? gfn : r.gfn;
		*skip = r.gfn + r.nr;
		*why = pvhdev_map_reason_name(r.reason);
	}
	return best;
}

/* Maps the pages of [gfn, gfn + nr) that are free, as maximal runs. */
static int map_free(struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr,
                    enum pvhdev_map_reason reason, const char *what)
{
	bool ram = reason == PVHDEV_MAP_RAM_COPY;
	uint64_t end = gfn + nr;

	while (gfn < end) {
		uint64_t skip = end;
		const char *why = "";
		uint64_t stop = obstacle(dom, gfn, end, ram, &skip, &why);
		if (stop > gfn) {
			uint64_t nr_free = stop - gfn;
			int rc = ram ? pvhdev__p2m_ram_copy(dom, gfn, nr_free)
			             : pvhdev__p2m_identity_map(dom, gfn, nr_free, reason, 0, -1);
			if (rc)
				return rc;
			gfn = stop;
			continue;
		}
		skip = skip < end ? skip : end;
		pvhdev__log(dom, PVHDEV_LOG_INFO, "boot: %s: gfn 0x%llx-0x%llx left out: %s",
		            what, (unsigned long long)gfn, (unsigned long long)(skip - 1), why);
		gfn = skip;
	}
	return 0;
}

/* Below 1 MiB: excluded RAM is copied, other exclusions are left out,
 * everything else (holes included) is identity mapped. */
static int map_low(struct pvhdev_domain *dom)
{
	const uint64_t low = PVHDEV__P2M_LOW_PAGES;
	uint64_t gfn = 0, s, n;
	enum pvhdev__excl_kind kind = PVHDEV__EXCL_RAM;
	int rc = 0;

	while (gfn < low && !rc) {
		if (pvhdev__excl_first(dom, gfn, low - gfn, &s, &n, &kind))
			s = low, n = 0;
		else if (s < gfn)
			n -= gfn - s, s = gfn;
		n = s + n > low ? low - s : n;
		if (s > gfn)
			rc = map_free(dom, gfn, s - gfn, PVHDEV_MAP_LOW_MEM, "low memory");
		if (!rc && n && kind == PVHDEV__EXCL_RAM)
			rc = map_free(dom, s, n, PVHDEV_MAP_RAM_COPY, "low RAM");
		else if (!rc && n)
			pvhdev__log(dom, PVHDEV_LOG_INFO,
			            "boot: low memory: gfn 0x%llx-0x%llx left out: %s",
			            (unsigned long long)s, (unsigned long long)(s + n - 1),
			            pvhdev__excl_name(kind));
		gfn = s + n;
	}
	return rc;
}

/* e820 ACPI and NVS regions, in address order. */
static int map_acpi_regions(struct pvhdev_domain *dom, const struct pvhdev_platform *p,
                            const size_t *order)
{
	uint64_t gfn, nr;
	int rc = 0;

	for (size_t i = 0; i < p->nr_e820 && !rc; i++) {
		const struct pvhdev_e820_entry *e = &p->e820[order[i]];
		if (e->type != PVHDEV_E820_ACPI && e->type != PVHDEV_E820_NVS)
			continue;
		pages_touched(e->addr, e->size, &gfn, &nr);
		rc = e->type == PVHDEV_E820_ACPI
		             ? map_free(dom, gfn, nr, PVHDEV_MAP_ACPI, "e820 ACPI")
		             : map_free(dom, gfn, nr, PVHDEV_MAP_NVS, "e820 NVS");
	}
	return rc;
}

/* Whether every page of [gfn, gfn + nr) is a RAM page. */
static bool all_ram(const struct pvhdev_domain *dom, uint64_t gfn, uint64_t nr)
{
	uint64_t s, n;
	enum pvhdev__excl_kind kind;

	/* Same-kind exclusions merge, so one RAM record holds it all. */
	return !pvhdev__excl_first(dom, gfn, nr, &s, &n, &kind) &&
	       kind == PVHDEV__EXCL_RAM && s <= gfn && s + n >= gfn + nr;
}

/* Where a table at addr may end, by the e820 map (sorted by o): the
 * start of the first entry past the run of adjacent entries holding
 * addr (a table may run from its entry into the hole after it, never
 * into the next entry), or from a hole, the hole's end.  A table's
 * length is the firmware's word: a 4 GiB one must not map 4 GiB of
 * whatever follows (issue 14, F12).  0: no bound. */
static uint64_t table_bound(const struct pvhdev_platform *p, const size_t *o,
                            uint64_t addr)
{
	size_t lo = 0, hi = p->nr_e820, i;
	uint64_t end;

	while (lo < hi) { /* the first entry starting after addr */
		size_t mid = lo + (hi - lo) / 2;
		if (p->e820[o[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - p->e820[o[lo - 1]].addr >= p->e820[o[lo - 1]].size)
		return lo < p->nr_e820 ? p->e820[o[lo]].addr : 0; /* in a hole */
	i = lo - 1;
	end = p->e820[o[i]].addr + p->e820[o[i]].size;
	while (++i < p->nr_e820 && end && p->e820[o[i]].addr == end)
		end = p->e820[o[i]].addr + p->e820[o[i]].size;
	if (!end)
		return 0; /* the run ends at the top */
	return i < p->nr_e820 ? p->e820[o[i]].addr : end;
}

/* A table in RAM pages reaches dom0 with the RAM (copied below 1 MiB,
 * populated above); any other page of it is identity mapped, up to
 * table_bound(). */
static int map_table(struct pvhdev_domain *dom, const struct pvhdev_acpi_table *t,
                     const struct pvhdev_platform *p, const size_t *order)
{
	char what[48], sig[5];
	uint64_t gfn, nr, len = t->len, end = table_bound(p, order, t->addr);

	/* And never more than any real table needs (DSDTs stay below 1 MiB),
	 * wherever the e820 map leaves room. */
	if (!end || end - t->addr > ACPI_TABLE_MAX)
		end = t->addr + ACPI_TABLE_MAX < t->addr ? 0 : t->addr + ACPI_TABLE_MAX;

	/* The signature as printable text, whatever the caller put there. */
	for (unsigned i = 0; i < 4; i++)
		sig[i] = t->sig[i] > 0x20 && t->sig[i] < 0x7f ? t->sig[i] : '?';
	sig[4] = '\0';
	pvhdev__snprintf(what, sizeof(what), "ACPI table %s at 0x%llx", sig,
	                 (unsigned long long)t->addr);
	if (end && end - t->addr < len) {
		pvhdev__log(dom, PVHDEV_LOG_WARN, "boot: %s: length 0x%llx past its e820 "
		            "range: 0x%llx mapped at most", what, (unsigned long long)len,
		            (unsigned long long)(end - t->addr));
		len = end - t->addr;
	}
	pages_touched(t->addr, len, &gfn, &nr);
	if (all_ram(dom, gfn, nr)) {
		pvhdev__log(dom, PVHDEV_LOG_INFO, "boot: %s: inside RAM, not mapped", what);
		return 0;
	}
	return map_free(dom, gfn, nr, PVHDEV_MAP_ACPI_TABLE, what);
}

static int boot_map(struct pvhdev_domain *dom, const struct pvhdev_platform *p,
                    const size_t *order)
{
	int rc = map_low(dom);

	if (!rc)
		rc = map_acpi_regions(dom, p, order);
	for (size_t i = 0; i < p->nr_acpi && !rc; i++)
		rc = map_table(dom, &p->acpi[i], p, order);
	return rc;
}

/* ---- The API ---- */

/*
 * A failure after validation (-ENOMEM, an MCFG window or IO-APIC the
 * other modules refuse, a boot range the hypervisor hook refuses, a
 * device add that fails) leaves the domain partly set up and not
 * booted: free it.  A dom0 builder stops there too.
 */
int pvhdev_domain_boot(struct pvhdev_domain *dom, const struct pvhdev_platform *plat)
{
	struct pvhdev_platform p;
	size_t *order = NULL, order_size = 0;
	int rc;

	if (!dom)
		return -EINVAL;
	if (dom->booted)
		return -EBUSY;
	if ((rc = plat_load(dom, plat, &p)))
		return rc;
	if (p.nr_e820 > SIZE_MAX / sizeof(*order))
		return -EINVAL;
	order_size = p.nr_e820 * sizeof(*order);
	if (order_size && !(order = pvhdev__zalloc(dom, order_size)))
		return -ENOMEM;
	rc = plat_check(dom, &p, order);
	if (!rc)
		rc = boot_register(dom, &p);
	if (!rc)
		rc = boot_map(dom, &p, order);
	pvhdev__free(dom, order, order_size);
	if (!rc)
		rc = pvhdev_domain_scan(dom);
	if (!rc)
		dom->booted = true;
	return rc;
}

bool pvhdev_domain_booted(const struct pvhdev_domain *dom)
{
	return dom && dom->booted;
}
