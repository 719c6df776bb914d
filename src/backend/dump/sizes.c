/* SPDX-License-Identifier: MIT */
/* The dump backend, step 3: BAR, ROM and VF BAR sizes, from the verbose
 * text or guessed from the registers and their neighbours; the memory
 * the dump takes, for the platform a dump alone gets (platform.c). */
#include "backend/dump/dump.h"

/* ---- Sizes: what the registers say ---- */

static uint32_t cfg_dword(const uint8_t *cfg, unsigned off)
{
	return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 |
	       (uint32_t)cfg[off + 2] << 16 | (uint32_t)cfg[off + 3] << 24;
}

/* Kinds from the register's low bits (pvhdev__pci_bar_kind). */
static void decode_bar(struct sizing *z, unsigned i)
{
	const uint8_t *cfg = z->fd->cfg;
	struct slot *s = &z->slot[i];
	uint32_t lo = cfg_dword(cfg, PVHDEV_PCI_BASE_ADDRESS(i));

	s->ones = lo == 0xffffffffu;
	lo = s->ones ? 0 : lo; /* lspci treats all-ones as 0 */
	s->nonzero = lo != 0;
	if (s->ones || pvhdev__pci_bar_kind(lo) == PVHDEV__PCI_BAR_IO) {
		s->kind = SLOT_IO;
		s->addr = pvhdev__pci_bar_addr(lo, 0);
	} else if (pvhdev__pci_bar_kind(lo) == PVHDEV__PCI_BAR_MEM32) {
		s->kind = SLOT_MEM32;
		s->addr = pvhdev__pci_bar_addr(lo, 0);
	} else if (i + 1 < z->nr_bars) {
		uint32_t hi = cfg_dword(cfg, PVHDEV_PCI_BASE_ADDRESS(i + 1));
		s->kind = SLOT_MEM64;
		s->addr = pvhdev__pci_bar_addr(lo, hi);
		s->nonzero |= hi != 0;
		z->slot[i + 1].kind = SLOT_HIGH;
	} else {
		s->kind = SLOT_BROKEN;
	}
}

static int cfg_read(void *cfg, unsigned off, unsigned size, uint32_t *val)
{
	const uint8_t *p = cfg;

	*val = size == 1 ? p[off] : (uint32_t)p[off] | (uint32_t)p[off + 1] << 8;
	return 0;
}

/*
 * The MSI-X table and PBA must lie inside their BAR (PCI 3.0 6.8.2):
 * need[bir] = bytes from the BAR's start to the end of the last of
 * them.
 */
static int msix_found(void *ctx, unsigned ptr, uint8_t id)
{
	struct sizing *z = ctx;
	const uint8_t *cfg = z->fd->cfg;

	if (id != PVHDEV_PCI_CAP_ID_MSIX || ptr + 12 > PVHDEV_CFG_SIZE)
		return 0;
	uint32_t nr = (cfg_dword(cfg, ptr) >> 16 & PVHDEV_PCI_MSIX_TABSIZE) + 1;
	uint32_t tab = cfg_dword(cfg, ptr + PVHDEV_PCI_MSIX_TABLE);
	uint32_t pba = cfg_dword(cfg, ptr + PVHDEV_PCI_MSIX_PBA);
	unsigned tab_bir = tab & PVHDEV_PCI_MSIX_BIR, pba_bir = pba & PVHDEV_PCI_MSIX_BIR;
	uint64_t tab_end = (uint64_t)(tab - tab_bir) + PVHDEV_PCI_MSIX_ENTRY_SIZE * nr;
	uint64_t pba_end = (uint64_t)(pba - pba_bir) + 8 * ((nr + 63) / 64); /* bits */
	if (tab_bir < DUMP_NR_BARS && z->need[tab_bir] < tab_end)
		z->need[tab_bir] = tab_end;
	if (pba_bir < DUMP_NR_BARS && z->need[pba_bir] < pba_end)
		z->need[pba_bir] = pba_end;
	return 0;
}

/* The legacy list as src/pci walks it (each entry once, at most 48). */
static void msix_need(struct sizing *z)
{
	const struct pvhdev__pci_cfg cfg = { .read = cfg_read, .ctx = (void *)z->fd->cfg };
	enum pvhdev__pci_walk_end end;
	unsigned at;

	pvhdev__pci_caps_walk(&cfg, pvhdev__pci_layout(z->hdr), msix_found, z, &end, &at);
}

/* Where the SR-IOV capability (PCIe Base, SR-IOV 9.3.3) is in the
 * extended list, whole (0x40 bytes) inside config space; 0: nowhere.  At
 * most one hop per dword of extended space, so a looping list ends. */
static unsigned find_sriov(const uint8_t *cfg)
{
	unsigned pos = PVHDEV_CFG_SIZE;

	for (unsigned hop = 0; hop < (PVHDEV_CFG_EXP_SIZE - PVHDEV_CFG_SIZE) / 4; hop++) {
		uint32_t hdr = cfg_dword(cfg, pos);
		if (!hdr || hdr == 0xffffffffu)
			return 0;
		if ((hdr & 0xffff) == PVHDEV_PCI_EXT_CAP_ID_SRIOV &&
		    pos + 0x40 <= PVHDEV_CFG_EXP_SIZE)
			return pos;
		if ((pos = hdr >> 20 & 0xffc) < PVHDEV_CFG_SIZE)
			return 0;
	}
	return 0;
}

/* TotalVFs at +0x0e, First VF Offset and VF Stride at +0x14, the six VF
 * BAR registers from +0x24.  VF BARs are memory BARs (bit 0 reads 0); a
 * 64-bit one takes the next register as its high half. */
static void decode_sriov(struct sizing *z)
{
	const uint8_t *cfg = z->fd->cfg;
	unsigned pos = z->fd->cfg_len > PVHDEV_CFG_SIZE ? find_sriov(cfg) : 0;

	if (!pos)
		return;
	z->sriov = pos;
	z->total_vfs = cfg_dword(cfg, pos + PVHDEV_PCI_IOV_TOTALVF) & 0xffff;
	z->vf_offset = cfg_dword(cfg, pos + PVHDEV_PCI_IOV_OFFSET) & 0xffff;
	z->vf_stride = cfg_dword(cfg, pos + PVHDEV_PCI_IOV_STRIDE) & 0xffff;
	for (unsigned i = 0; i < DUMP_NR_BARS; i++) {
		struct slot *s = &z->vf[i];
		unsigned reg = pos + PVHDEV_PCI_IOV_BAR_BASE + 4 * i;
		uint32_t lo = cfg_dword(cfg, reg);
		enum pvhdev__pci_bar_kind k = pvhdev__pci_bar_kind(lo);
		if (s->kind == SLOT_HIGH || k == PVHDEV__PCI_BAR_IO)
			continue;
		s->kind = k == PVHDEV__PCI_BAR_MEM64 && i + 1 < DUMP_NR_BARS ? SLOT_MEM64
		                                                            : SLOT_MEM32;
		s->addr = pvhdev__pci_bar_addr(lo, 0);
		if (s->kind == SLOT_MEM64) {
			s->addr = pvhdev__pci_bar_addr(lo, cfg_dword(cfg, reg + 4));
			z->vf[i + 1].kind = SLOT_HIGH;
		}
		s->nonzero = s->addr != 0;
	}
}

static void decode_dev(struct sizing *z)
{
	const uint8_t *cfg = z->fd->cfg;

	z->hdr = cfg[PVHDEV_PCI_HEADER_TYPE] & PVHDEV_PCI_HEADER_TYPE_MASK;
	z->nr_bars = pvhdev__pci_layout(z->hdr)->nr_base_regs;
	z->rom_off = pvhdev__pci_layout(z->hdr)->rom;
	for (unsigned i = 0; i < z->nr_bars; i++)
		if (z->slot[i].kind != SLOT_HIGH)
			decode_bar(z, i);
	if (z->rom_off) {
		struct slot *r = &z->slot[DUMP_SLOT_ROM];
		uint32_t v = cfg_dword(cfg, z->rom_off);
		r->kind = SLOT_ROM;
		r->ones = v == 0xffffffffu;
		r->nonzero = !r->ones && v;
		r->addr = r->ones ? 0 : v & ~PVHDEV_PCI_ROM_ADDRESS_FLAGS;
	}
	msix_need(z);
	decode_sriov(z);
}

/* ---- Sizes: the neighbours, which bound a guess ---- */

static bool slot_has_range(const struct slot *s)
{
	return s->addr && s->kind != SLOT_NONE && s->kind != SLOT_HIGH &&
	       s->kind != SLOT_BROKEN;
}

static uint32_t range_space(const struct sizing *z, bool io)
{
	return PVHDEV_SBDF_SEG(z->fd->sbdf) << 1 | io;
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int bridge_cmp(const void *a, const void *b)
{
	uint32_t x = (*(const struct sizing *const *)a)->bridge_key;
	uint32_t y = (*(const struct sizing *const *)b)->bridge_key;

	return x < y ? -1 : x > y;
}

/* Where every function's BARs and ROM start, and which bridge leads
 * to which bus, both sorted for binary search. */
static int index_neighbours(struct load *ld)
{
	size_t n = ld->dump->nr_devs;

	ld->ranges = malloc((n * (DUMP_NR_SLOTS + DUMP_NR_BARS) + 1) * sizeof(*ld->ranges));
	ld->bridges = malloc((n + 1) * sizeof(*ld->bridges));
	if (!ld->ranges || !ld->bridges)
		return fail_file(ld, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct sizing *z = &ld->sz[i];
		for (unsigned j = 0; j < DUMP_NR_SLOTS; j++)
			if (slot_has_range(&z->slot[j]))
				ld->ranges[ld->nr_ranges++] = (struct range){
					range_space(z, z->slot[j].kind == SLOT_IO),
					z->slot[j].addr };
		for (unsigned j = 0; j < DUMP_NR_BARS; j++)
			if (slot_has_range(&z->vf[j]))
				ld->ranges[ld->nr_ranges++] = (struct range){
					range_space(z, false), z->vf[j].addr };
		if (z->hdr != 1)
			continue;
		z->bridge_key = (z->fd->sbdf & 0xffff0000u) |
		                z->fd->cfg[PVHDEV_PCI_SECONDARY_BUS];
		ld->bridges[ld->nr_bridges++] = z;
	}
	qsort(ld->ranges, ld->nr_ranges, sizeof(*ld->ranges), range_cmp);
	qsort(ld->bridges, ld->nr_bridges, sizeof(*ld->bridges), bridge_cmp);
	return 0;
}

/* The first BAR or ROM start above addr in its space; 0: none. */
static uint64_t next_start(const struct load *ld, uint32_t space,
                           uint64_t addr)
{
	const struct range key = { space, addr };
	size_t lo = 0, hi = ld->nr_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (range_cmp(&ld->ranges[mid], &key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ld->nr_ranges && ld->ranges[lo].space == space ?
	       ld->ranges[lo].start : 0;
}

/*
 * A bridge's IO, memory and prefetchable windows as [base, limit]
 * (PCI-to-PCI Bridge 1.2, 3.2.5.6-3.2.5.10).  A closed window has
 * base > limit and contains nothing.
 */
static void bridge_windows(const uint8_t *cfg, uint64_t base[3],
                           uint64_t limit[3])
{
	uint32_t io = cfg_dword(cfg, PVHDEV_PCI_IO_BASE);
	uint32_t mem = cfg_dword(cfg, PVHDEV_PCI_MEMORY_BASE);
	uint32_t pf = cfg_dword(cfg, PVHDEV_PCI_PREF_MEMORY_BASE);
	uint32_t io_hi = cfg_dword(cfg, PVHDEV_PCI_IO_BASE_UPPER16);

	base[0] = (uint64_t)(io & 0xf0) << 8;
	limit[0] = (uint64_t)(io >> 8 & 0xf0) << 8 | 0xfff;
	if ((io & 0xf) == 1) { /* 32-bit IO addressing */
		base[0] |= (uint64_t)(io_hi & 0xffff) << 16;
		limit[0] |= (uint64_t)(io_hi >> 16) << 16;
	}
	base[1] = (uint64_t)(mem & 0xfff0) << 16;
	limit[1] = (uint64_t)(mem >> 16 & 0xfff0) << 16 | 0xfffff;
	base[2] = (uint64_t)(pf & 0xfff0) << 16;
	limit[2] = (uint64_t)(pf >> 16 & 0xfff0) << 16 | 0xfffff;
	if ((pf & 0xf) == 1) { /* 64-bit prefetchable */
		base[2] |= (uint64_t)cfg_dword(cfg, PVHDEV_PCI_PREF_BASE_UPPER32) << 32;
		limit[2] |= (uint64_t)cfg_dword(cfg, PVHDEV_PCI_PREF_LIMIT_UPPER32) << 32;
	}
}

/* The last byte of the window of z's upstream bridge that holds addr,
 * or 0 when the dump has no such bridge or window. */
static uint64_t window_end(const struct load *ld, const struct sizing *z,
                           bool io, uint64_t addr)
{
	uint32_t key = (z->fd->sbdf & 0xffff0000u) | PVHDEV_SBDF_BUS(z->fd->sbdf);
	size_t lo = 0, hi = ld->nr_bridges;
	uint64_t base[3], limit[3];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ld->bridges[mid]->bridge_key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ld->nr_bridges || ld->bridges[lo]->bridge_key != key)
		return 0;
	bridge_windows(ld->bridges[lo]->fd->cfg, base, limit);
	for (unsigned w = io ? 0 : 1; w < (io ? 1u : 3u); w++)
		if (base[w] <= addr && addr <= limit[w])
			return limit[w];
	return 0;
}

/* ---- Sizes: the verbose text ---- */

/*
 * The BAR an unnumbered line ("-v" prints no "Region N:") belongs to:
 * lspci prints the BARs in order and skips those that read 0 unless the
 * OS has a resource for them.  First try the next BAR whose register
 * holds the line's address, then the next one of the same space.
 */
static int find_by_order(const struct sizing *z, unsigned from,
                         const struct text_bar *b)
{
	for (unsigned j = from; b->has_addr && !b->virt && j < z->nr_bars; j++) {
		const struct slot *s = &z->slot[j];
		if (s->kind != SLOT_HIGH && (s->kind == SLOT_IO) == b->io &&
		    s->nonzero && s->addr == b->addr)
			return (int)j;
	}
	for (unsigned j = from; j < z->nr_bars; j++) {
		const struct slot *s = &z->slot[j];
		if (s->kind == SLOT_HIGH)
			continue;
		if (b->virt || b->enhanced ? !s->nonzero :
		    (s->kind == SLOT_IO) == b->io && (s->nonzero || !b->has_addr))
			return (int)j;
	}
	return -1;
}

/* The slot a text line names, or -1 (with a note) when none fits. */
static int text_slot(struct sizing *z, unsigned from,
                     const struct text_bar *b, int *rc)
{
	int j;

	if (b->rom)
		j = z->rom_off ? DUMP_SLOT_ROM : -1;
	else if (b->region >= 0)
		j = (unsigned)b->region < z->nr_bars &&
		    z->slot[b->region].kind != SLOT_HIGH ? b->region : -1;
	else
		j = find_by_order(z, from, b);
	if (j < 0)
		*rc = note(z->ld, "%s: line %u names a %s this header type %u "
		           "function does not have; ignored", z->name, b->line,
		           b->rom ? "ROM" : "BAR", z->hdr);
	else if (z->slot[j].text)
		*rc = note(z->ld, "%s: line %u describes the same %s as line %u; "
		           "ignored", z->name, b->line, b->rom ? "ROM" : "BAR",
		           z->slot[j].text->line);
	return j < 0 || z->slot[j].text ? -1 : j;
}

static int match_text(struct sizing *z)
{
	const struct scan_dev *sd = z->sd;
	unsigned from = 0;
	int rc = 0;

	for (size_t i = 0; i < sd->nr_bars && !rc; i++) {
		const struct text_bar *b = &sd->bars[i];
		int j = text_slot(z, from, b, &rc);
		if (j < 0)
			continue;
		z->slot[j].text = b;
		if (j != DUMP_SLOT_ROM)
			from = (unsigned)j + (z->slot[j].kind == SLOT_MEM64 ? 2 : 1);
	}
	return rc;
}

static enum pvhdev__pci_bar_kind pci_kind(enum slot_kind k)
{
	return k == SLOT_IO ? PVHDEV__PCI_BAR_IO : k == SLOT_ROM ? PVHDEV__PCI_BAR_ROM :
	       k == SLOT_MEM64 ? PVHDEV__PCI_BAR_MEM64 : PVHDEV__PCI_BAR_MEM32;
}

static uint64_t min_size(enum slot_kind k)
{
	return pvhdev__pci_bar_size_min(pci_kind(k));
}

/* Between the bounds a BAR of this kind has (src/pci). */
static bool size_fits(enum slot_kind k, uint64_t size)
{
	return size >= min_size(k) && size <= pvhdev__pci_bar_size_max(pci_kind(k));
}

static const char *slot_name(unsigned j, char buf[8])
{
	if (j == DUMP_SLOT_ROM)
		return "ROM";
	snprintf(buf, 8, "BAR%u", j);
	return buf;
}

/*
 * A BAR of size S sits at a multiple of S, so the address's lowest set
 * bit bounds S from above.  So do the next BAR or ROM above it (BARs do
 * not overlap) and the end of its bridge's window; the MSI-X table and
 * PBA bound it from below.  IO BARs are at most 256 bytes (PCI 3.0
 * 6.2.5.1).  An address of 0 bounds nothing: the smallest legal size.
 */
static uint64_t pow2_floor(uint64_t x)
{
	while (x & (x - 1))
		x &= x - 1;
	return x;
}

static uint64_t pow2_ceil(uint64_t x)
{
	uint64_t p = 1;

	while (p < x && p < PVHDEV_PCI_BAR_MAX64)
		p <<= 1;
	return p;
}

/* The guess for slot j; why says which bound decided it. */
static uint64_t guess_size(const struct sizing *z, unsigned j, char *why,
                           size_t why_len)
{
	const struct slot *s = &z->slot[j];
	bool io = s->kind == SLOT_IO;
	uint64_t align = s->addr & (~s->addr + 1), size = align, next, end, b;
	char a[32], c[32];

	size_str(align, a);
	snprintf(why, why_len, " from alignment");
	if (!align) {
		snprintf(why, why_len, ", the smallest legal size (the address "
		         "is 0)");
		return min_size(s->kind);
	}
	if (io && size > PVHDEV_PCI_IO_MAX) {
		snprintf(why, why_len, ", the largest IO BAR (alignment allows "
		         "%s)", a);
		size = PVHDEV_PCI_IO_MAX;
	}
	next = next_start(z->ld, range_space(z, io), s->addr);
	if (next && (b = pow2_floor(next - s->addr)) < size) {
		snprintf(why, why_len, ": alignment allows %s, the next %s starts "
		         "%s above", a, io ? "IO BAR" : "BAR or ROM",
		         size_str(next - s->addr, c));
		size = b;
	}
	end = window_end(z->ld, z, io, s->addr);
	if (end && (b = pow2_floor(end - s->addr + 1)) < size) {
		snprintf(why, why_len, ": alignment allows %s, its bridge window "
		         "ends %s above", a, size_str(end - s->addr + 1, c));
		size = b;
	}
	if (j < DUMP_NR_BARS && z->need[j] > size) {
		size = pow2_ceil(z->need[j]);
		snprintf(why, why_len, " to hold its MSI-X table and PBA");
	}
	return size < min_size(s->kind) ? min_size(s->kind) : size;
}

static void set_size(struct sizing *z, unsigned j, uint64_t size)
{
	if (j == DUMP_SLOT_ROM)
		z->fd->rom_size = size;
	else
		z->fd->bar_size[j] = size;
}

/* The text's size for slot j when it is usable, else 0 (with a note). */
static uint64_t text_size(struct sizing *z, unsigned j, int *rc)
{
	const struct slot *s = &z->slot[j];
	const struct text_bar *t = s->text;
	char w[8], a[32];

	if (j != DUMP_SLOT_ROM && t->io != (s->kind == SLOT_IO)) {
		*rc = note(z->ld, "%s %s: line %u says %s but the register is "
		           "%s; its size is not used", z->name, slot_name(j, w),
		           t->line, t->io ? "I/O" : "memory",
		           t->io ? "memory" : "I/O");
		return 0;
	}
	if (t->has_addr && !t->virt && t->addr != s->addr)
		*rc = note(z->ld, "%s %s: line %u gives address %llx but the "
		           "register holds %llx; its [size=] is used anyway",
		           z->name, slot_name(j, w), t->line,
		           (unsigned long long)t->addr,
		           (unsigned long long)s->addr);
	if (*rc || !t->size)
		return 0;
	if (!size_fits(s->kind, t->size)) {
		*rc = note(z->ld, "%s %s: line %u: [size=%s] does not fit this "
		           "kind of BAR; not used", z->name, slot_name(j, w),
		           t->line, size_str(t->size, a));
		return 0;
	}
	if (s->addr & (t->size - 1))
		*rc = note(z->ld, "%s %s: address %llx is not aligned to its "
		           "[size=%s]", z->name, slot_name(j, w),
		           (unsigned long long)s->addr, size_str(t->size, a));
	return t->size;
}

/* Why slot j gets no size even though something is there, or NULL. */
static const char *unsizable(const struct sizing *z, unsigned j)
{
	const struct slot *s = &z->slot[j];
	const struct text_bar *t = s->text;

	if (s->ones)
		return "the register reads ffffffff";
	if (s->kind == SLOT_BROKEN)
		return "a 64-bit BAR in the last slot has no high half";
	if (z->hdr == 2)
		return "the fake backend does not model CardBus BARs";
	if (j != DUMP_SLOT_ROM && t && (t->virt || t->enhanced) && !s->nonzero)
		return t->virt ? "[virtual] in the dump: the register reads 0 "
		                 "(a VF, or hardwired)" :
		                 "[enhanced] in the dump: Enhanced Allocation "
		                 "describes it, the register reads 0";
	return NULL;
}

static int size_slot(struct sizing *z, unsigned j)
{
	const struct slot *s = &z->slot[j];
	char w[8], a[32], why[128];
	int rc = 0;

	if (s->kind == SLOT_NONE || s->kind == SLOT_HIGH ||
	    (!s->nonzero && !s->text && !s->ones))
		return 0; /* not implemented, as far as the dump tells */
	/* A line for a register that reads 0 still means the OS had a
	 * resource there: lspci prints a BAR only when the register or the
	 * OS's resource is non-zero. */
	const char *no = unsizable(z, j);
	if (no)
		return note(z->ld, "%s %s: %s; left unsized", z->name,
		            slot_name(j, w), no);
	uint64_t size = s->text ? text_size(z, j, &rc) : 0;
	if (rc || size) {
		set_size(z, j, size);
		return rc;
	}
	size = guess_size(z, j, why, sizeof(why));
	if (!size_fits(s->kind, size)) /* an MSI-X table past 2 GiB */
		size = PVHDEV_PCI_BAR_MAX32;
	set_size(z, j, size);
	return note(z->ld, "%s %s: no [size=] in the dump; assuming %s%s",
	            z->name, slot_name(j, w), size_str(size, a), why);
}

/* Bytes TotalVFs VF BARs of one VF's size take, at most 2^64 - 1. */
static uint64_t vf_span(uint64_t size, unsigned total_vfs)
{
	uint64_t nr = total_vfs ? total_vfs : 1;

	return size > UINT64_MAX / nr ? UINT64_MAX : size * nr;
}

/*
 * One VF's BAR i.  lspci prints no VF BAR sizes, so it is guessed as a
 * BAR's is: the address's alignment, cut so that TotalVFs of them end
 * before the next BAR, ROM or VF BAR and inside the bridge's window.
 * The guess can be too large (a 16K BAR aligned for 128K maps 128K per
 * VF), which the note says; a platform file's <vf-bar> says better.
 * A register that reads 0 is taken as not implemented, as for BARs.
 */
static int size_vf(struct sizing *z, unsigned i)
{
	const struct slot *s = &z->vf[i];
	uint64_t nr = z->total_vfs ? z->total_vfs : 1, size, next, end, b;
	char a[32], c[32], t[32], why[160];

	if (!slot_has_range(s))
		return 0;
	size = s->addr & (~s->addr + 1);
	snprintf(why, sizeof(why), " from alignment");
	next = next_start(z->ld, range_space(z, false), s->addr);
	if (next && (b = pow2_floor((next - s->addr) / nr)) < size) {
		snprintf(why, sizeof(why), ": alignment allows %s, and %llu VFs must end "
		         "before the next BAR, ROM or VF BAR, %s above", size_str(size, a),
		         (unsigned long long)nr, size_str(next - s->addr, c));
		size = b;
	}
	end = window_end(z->ld, z, false, s->addr);
	if (end && (b = pow2_floor((end - s->addr + 1) / nr)) < size) {
		snprintf(why, sizeof(why), ": alignment allows %s, and %llu VFs must end "
		         "inside the bridge window, %s above", size_str(size, a),
		         (unsigned long long)nr, size_str(end - s->addr + 1, c));
		size = b;
	}
	if (size < min_size(s->kind))
		size = min_size(s->kind);
	if (size > pvhdev__pci_bar_size_max(pci_kind(s->kind)))
		size = pvhdev__pci_bar_size_max(pci_kind(s->kind));
	z->fd->vf_bar_size[i] = size;
	return note(z->ld, "%s VF-BAR%u: lspci gives no VF BAR sizes; assuming %s per VF%s "
	            "(TotalVFs %llu: %s in all)", z->name, i, size_str(size, a), why,
	            (unsigned long long)nr, size_str(vf_span(size, z->total_vfs), t));
}

static void busy_push(struct pvhdev_dump *d, uint64_t start, uint64_t size)
{
	/* A span past 2^64 (a hostile TotalVFs times a large size) ends there. */
	uint64_t end = size > UINT64_MAX - start ? UINT64_MAX : start + size;

	if (size)
		d->busy[d->nr_busy++] = (struct pvhdev__dump_range){ start, end, 0 };
}

static int busy_cmp(const void *a, const void *b)
{
	const struct pvhdev__dump_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The bus of the function's last VF (routing IDs wrap within the
 * segment), or its own when it has no VFs. */
static uint8_t last_bus(const struct sizing *z)
{
	unsigned rid = z->fd->sbdf & 0xffff, bus = rid >> 8;

	if (z->total_vfs) {
		uint64_t last = rid + z->vf_offset +
		                (uint64_t)z->vf_stride * (z->total_vfs - 1);
		if ((last >> 8) > bus)
			bus = last > 0xffff ? 0xff : (unsigned)(last >> 8);
	}
	return (uint8_t)bus;
}

/* For the platform a dump alone gets (pvhdev_dump_platform()): the
 * memory every sized BAR, ROM and VF BAR span takes, and the buses the
 * functions and their VFs are on. */
static int collect_busy(struct load *ld)
{
	struct pvhdev_dump *d = ld->dump;

	d->busy = malloc((d->nr_devs * (DUMP_NR_SLOTS + DUMP_NR_BARS) + 1) * sizeof(*d->busy));
	d->last_bus = malloc(d->nr_devs + 1);
	if (!d->busy || !d->last_bus)
		return fail_file(ld, -ENOMEM, "out of memory");
	for (size_t i = 0; i < d->nr_devs; i++) {
		const struct sizing *z = &ld->sz[i];
		const struct pvhdev_fake_dev *fd = z->fd;
		d->last_bus[i] = last_bus(z);
		for (unsigned j = 0; j < DUMP_NR_SLOTS; j++)
			if (slot_has_range(&z->slot[j]) && z->slot[j].kind != SLOT_IO)
				busy_push(d, z->slot[j].addr,
				          j == DUMP_SLOT_ROM ? fd->rom_size : fd->bar_size[j]);
		for (unsigned j = 0; j < DUMP_NR_BARS; j++)
			if (slot_has_range(&z->vf[j]))
				busy_push(d, z->vf[j].addr, vf_span(fd->vf_bar_size[j],
				                                    z->total_vfs));
	}
	qsort(d->busy, d->nr_busy, sizeof(*d->busy), busy_cmp);
	for (size_t i = 0; i < d->nr_busy; i++)
		d->busy[i].max_end = i && d->busy[i - 1].max_end > d->busy[i].end ?
		                     d->busy[i - 1].max_end : d->busy[i].end;
	return 0;
}

/* Sizes every BAR and ROM of every function.  Registers are decoded
 * for all functions first: a guess looks at its neighbours. */
int size_all(struct load *ld)
{
	size_t n = ld->dump->nr_devs;
	int rc;

	for (size_t i = 0; i < n; i++)
		decode_dev(&ld->sz[i]);
	if ((rc = index_neighbours(ld)))
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		struct sizing *z = &ld->sz[i];
		rc = note_gaps(ld, z->sd, z->name, z->fd->cfg_len);
		if (!rc)
			rc = match_text(z);
		for (unsigned j = 0; j < DUMP_NR_SLOTS && !rc; j++)
			rc = size_slot(z, j);
		for (unsigned j = 0; j < DUMP_NR_BARS && !rc; j++)
			rc = size_vf(z, j);
	}
	return rc ? rc : collect_busy(ld);
}
