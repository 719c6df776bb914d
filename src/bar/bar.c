/* SPDX-License-Identifier: MIT */
/*
 * BARs: discovery and sizing at device add, and the traps on the
 * command register, the BARs and the expansion ROM.
 *
 *   type 0 header: BAR0..BAR5 at 0x10..0x24, ROM at 0x30
 *   type 1 header: BAR0..BAR1 at 0x10..0x14, ROM at 0x38
 *   (src/pci's layout; the size probe and its arithmetic are src/pci's too)
 *
 *   memory BAR  31..4 address | 3 prefetchable | 2:1 type (10: 64-bit) | 0
 *   IO BAR      31..2 address | 1 reserved | 0 = 1
 *   ROM         31..11 address | 10..1 reserved | 0 enable
 *
 * Dom0 owns its BARs: reads and most writes go to the hardware.  What is
 * trapped is what changes the p2m: memory decoding on/off (command bit 1)
 * maps or unmaps every memory BAR, a BAR write while decoding moves the
 * BAR (as in hardware), and the ROM maps while it is enabled and
 * decoding is on.
 */
#include "bar/bar.h"

bool pvhdev__bar_is_mem(const struct bar *b)
{
	return b->kind == BAR_MEM32 || b->kind == BAR_MEM64 || b->kind == BAR_ROM_KIND;
}

static void bar_log(struct pvhdev__bar_dev *bd, enum pvhdev_log_level lvl,
                    unsigned bir, const char *what)
{
	char s[PVHDEV_SBDF_STRLEN];

	pvhdev__log(bd->dev->dom, lvl, "%s: %s %u: %s",
	            pvhdev_sbdf_str(bd->dev->sbdf, s), bir == BAR_ROM ? "ROM" : "BAR",
	            bir == BAR_ROM ? 0 : bir, what);
}

/* The address a BAR's register(s) hold now, bytes. */
int pvhdev__bar_read_addr(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t *addr)
{
	const struct bar *b = bar_at(bd, bir);
	uint32_t lo, hi = 0;
	int rc = pvhdev_dev_hw_read(bd->dev, b->reg, 4, &lo);

	if (!rc && b->kind == BAR_MEM64)
		rc = pvhdev_dev_hw_read(bd->dev, b->reg + 4u, 4, &hi);
	if (b->kind == BAR_ROM_KIND)
		lo &= ~PVHDEV_PCI_ROM_ADDRESS_FLAGS;
	else
		lo &= b->kind == BAR_IO ? ~PVHDEV_PCI_BASE_ADDRESS_IO_FLAGS
		                        : ~PVHDEV_PCI_BASE_ADDRESS_MEM_FLAGS;
	*addr = (uint64_t)hi << 32 | lo;
	return rc;
}

static int hw_read(void *dev, unsigned off, unsigned size, uint32_t *val)
{
	return pvhdev_dev_hw_read(dev, off, size, val);
}

static int hw_write(void *dev, unsigned off, unsigned size, uint32_t val)
{
	return pvhdev_dev_hw_write(dev, off, size, val);
}

int pvhdev__bar_probe(struct pvhdev_dev *dev, unsigned reg, uint32_t ones,
                      uint32_t *orig, uint32_t *sized)
{
	const struct pvhdev__pci_cfg cfg = { hw_read, hw_write, dev };

	return pvhdev__pci_bar_probe(&cfg, reg, ones, orig, sized);
}

static int size_mem(struct pvhdev__bar_dev *bd, unsigned i, unsigned n,
                    uint32_t orig, uint32_t lo)
{
	struct bar *b = &bd->bars[i];
	uint32_t ohi, hi = 0;

	b->prefetch = orig & PCI_BAR_PREFETCH;
	if ((orig & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_64) {
		if (i + 1 == n) {
			bar_log(bd, PVHDEV_LOG_WARN, i, "64-bit BAR in the last slot: ignored");
			b->kind = BAR_NONE;
			return 0;
		}
		int rc = pvhdev__bar_probe(bd->dev, b->reg + 4u, 0xffffffff, &ohi, &hi);
		if (rc)
			return rc;
		if (lo == orig && hi == ohi) {
			b->kind = BAR_NONE;
			return 0;
		}
		b->kind = BAR_MEM64;
		bd->bars[i + 1].kind = BAR_MEM64_HI;
		bd->bars[i + 1].reg = b->reg + 4u;
	} else {
		b->kind = BAR_MEM32;
	}
	b->size = pvhdev__pci_bar_size(b->kind == BAR_MEM64 ? PVHDEV__PCI_BAR_MEM64
	                                                    : PVHDEV__PCI_BAR_MEM32, lo, hi);
	if (!b->size) {
		if (b->kind == BAR_MEM64)
			bd->bars[i + 1].kind = BAR_NONE;
		b->kind = BAR_NONE;
	}
	return 0;
}

/* Sizes BAR i (and its high half); returns how many slots it used. */
static int size_bar(struct pvhdev__bar_dev *bd, unsigned i, unsigned n,
                    unsigned *used)
{
	struct bar *b = &bd->bars[i];
	uint32_t orig, sized;
	int rc;

	*used = 1;
	b->reg = (uint16_t)(PCI_BAR0 + 4 * i);
	rc = pvhdev__bar_probe(bd->dev, b->reg, 0xffffffff, &orig, &sized);
	if (rc || !sized)
		return rc;
	/* Nothing took the ones (a 64-bit BAR of 4 GiB or more keeps its
	 * low dword, so it decides on both halves in size_mem). */
	if (sized == orig && (orig & PCI_BAR_MEM_TYPE_MASK) != PCI_BAR_MEM_64)
		return 0;
	if (orig & PCI_BAR_IO) {
		b->size = pvhdev__pci_bar_size(PVHDEV__PCI_BAR_IO, sized, 0);
		b->kind = b->size ? BAR_IO : BAR_NONE;
		return 0;
	}
	rc = size_mem(bd, i, n, orig, sized);
	*used = b->kind == BAR_MEM64 ? 2 : 1;
	return rc;
}

static int size_rom(struct pvhdev__bar_dev *bd, unsigned reg)
{
	struct bar *b = &bd->bars[BAR_ROM];
	uint32_t orig, sized;
	int rc = pvhdev__bar_probe(bd->dev, reg, ~(uint32_t)PCI_ROM_ENABLE, &orig, &sized);

	b->reg = (uint16_t)reg;
	/* A register that keeps its value under all-ones has no ROM. */
	if (sized == orig)
		sized = 0;
	if (!rc && pvhdev__pci_bar_size(PVHDEV__PCI_BAR_ROM, sized, 0)) {
		b->kind = BAR_ROM_KIND;
		b->size = pvhdev__pci_bar_size(PVHDEV__PCI_BAR_ROM, sized, 0);
	}
	return rc;
}

/* Sizing, as Linux does it: decoding off while the BARs hold ~0. */
static int discover(struct pvhdev__bar_dev *bd)
{
	struct pvhdev_dev *dev = bd->dev;
	const struct pvhdev__pci_layout *l = pvhdev__pci_layout(dev->hdr_type);
	unsigned used;
	uint32_t cmd;
	int rc = pvhdev_dev_hw_read(dev, PCI_COMMAND, 2, &cmd);

	if (rc || !l->nr_bars)
		return rc;
	if (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		rc = pvhdev_dev_hw_write(dev, PCI_COMMAND, 2,
		                         cmd & ~(uint32_t)(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; !rc && i < l->nr_bars; i += used)
		rc = size_bar(bd, i, l->nr_bars, &used);
	if (!rc)
		rc = size_rom(bd, l->rom);
	if (!rc && (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)))
		rc = pvhdev_dev_hw_write(dev, PCI_COMMAND, 2, cmd);
	return rc;
}

/* ---- Traps ---- */

/* Where each memory BAR decodes once on (the ROM only while enabled):
 * *on bit i set and addr[i]. */
static int decode_addrs(struct pvhdev__bar_dev *bd, uint64_t addr[], unsigned *on)
{
	*on = 0;
	for (unsigned i = 0; i <= BAR_ROM; i++) {
		const struct bar *b = &bd->bars[i];
		uint32_t v;
		int rc;
		if (!pvhdev__bar_is_mem(b))
			continue;
		rc = pvhdev__bar_read_addr(bd, i, &addr[i]);
		if (!rc && i == BAR_ROM)
			rc = pvhdev_dev_hw_read(bd->dev, b->reg, 4, &v);
		if (rc)
			return rc;
		if (i != BAR_ROM || (v & PCI_ROM_ENABLE))
			*on |= 1u << i;
	}
	return 0;
}

/* Whether a BAR of the device would decode over another one's MSI-X
 * pages (found by AFL++ on fuzz_ops: BAR 0 moved over BAR 3's table,
 * mapped first, and the device answered the trapped table from BAR 0's
 * memory): -EBUSY, logged. */
static int own_holes_covered(struct pvhdev__bar_dev *bd, const uint64_t addr[],
                             unsigned on)
{
	for (unsigned j = 0; j < BAR_ROM; j++) {
		if (!(on & (1u << j)) || !addr[j])
			continue;
		for (unsigned i = 0; i <= BAR_ROM; i++)
			if (i != j && (on & (1u << i)) && addr[i] &&
			    pvhdev__bar_covers_holes(bd, i, addr[i], j, addr[j]))
				return -EBUSY;
	}
	return 0;
}

/* BAR bir decodes at addr from now: mapped there, or at 0 (unassigned)
 * only checked. */
static int decode_at(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr,
                     enum bar_when when)
{
	int rc;

	if (addr)
		return pvhdev__bar_map(bd, bir, addr, when);
	/* It still decodes at 0: its MSI-X pages there must be out of
	 * dom0's reach (low memory is mapped). */
	rc = pvhdev__bar_holes_clear(bd, bir, 0);
	bar_log(bd, PVHDEV_LOG_WARN, bir, "unassigned (address 0): not mapped");
	return rc;
}

/* Every memory BAR (the ROM only while enabled) on or off. */
int pvhdev__bar_decode_change(struct pvhdev__bar_dev *bd, bool on, enum bar_when when)
{
	uint64_t addr[BAR_ROM + 1] = { 0 };
	unsigned decodes = 0;
	int rc = 0;

	if (on && !(rc = pvhdev__bar_holes_room(bd)) &&
	    !(rc = decode_addrs(bd, addr, &decodes)))
		rc = own_holes_covered(bd, addr, decodes);
	for (unsigned i = 0; i <= BAR_ROM && !rc; i++) {
		if (!pvhdev__bar_is_mem(&bd->bars[i]))
			continue;
		if (!on) {
			rc = pvhdev__bar_unmap(bd, i, when);
			continue;
		}
		if (!(decodes & (1u << i)))
			continue;
		rc = decode_at(bd, i, addr[i], when);
	}
	return rc;
}

/* Why a decode change failed, for the log. */
static const char *refusal(int rc)
{
	return rc == -EBUSY ? "MSI-X pages reachable through the p2m: decoding stays off"
	                    : "p2m update failed: command write dropped";
}

/* Dom0 reads the hardware's value of every register the module traps. */
enum pvhdev_verdict pvhdev__bar_pass_read(struct pvhdev_dev *dev,
                                  const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	(void)reg;
	(void)val;
	return PVHDEV_PASS;
}

/* The command write reaches the hardware after the p2m change: now
 * (PASS) when the work was done synchronously, at the end of the
 * deferred work otherwise. */
static enum pvhdev_verdict cmd_write(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__bar_dev *bd = reg->opaque;
	uint32_t cur;
	int rc;

	/* Earlier work first: its command write then reaches the hardware
	 * and this one compares against it. */
	if (pvhdev__bar_flush(bd) || pvhdev_dev_hw_read(dev, PCI_COMMAND, 2, &cur))
		return PVHDEV_REJECT;
	if (!((cur ^ val) & PCI_COMMAND_MEMORY))
		return PVHDEV_PASS;
	rc = pvhdev__bar_decode_change(bd, val & PCI_COMMAND_MEMORY, bar_when(dev->dom));
	if (rc) {
		/* Decoding stays off, so what this change mapped goes again,
		 * now (a map refused or out of memory half-way, done now or
		 * queued).  A BAR's own ranges unmap without allocating. */
		if (val & PCI_COMMAND_MEMORY) {
			pvhdev__bar_cancel(bd);
			pvhdev__bar_decode_change(bd, false, BAR_NOW);
		}
		bar_log(bd, PVHDEV_LOG_ERROR, 0, refusal(rc));
		/* Refused for its MSI-X pages, only the decode-on is kept
		 * from the device: the write's other bits reach it. */
		if (rc == -EBUSY && (val & ~(uint32_t)PCI_COMMAND_MEMORY) != cur)
			pvhdev_dev_hw_write(dev, PCI_COMMAND, 2, val & ~(uint32_t)PCI_COMMAND_MEMORY);
		return rc == -EBUSY ? PVHDEV_DONE : PVHDEV_REJECT;
	}
	if (bd->nr_queued) {
		bd->cmd_pending = true;
		bd->cmd_val = (uint16_t)val;
		return PVHDEV_DONE;
	}
	if (!(val & PCI_COMMAND_MEMORY)) {
		/* It reaches the device now: claims kept for BARs it had
		 * decoding (a 64-bit one between its halves) go. */
		pvhdev__bar_claims_drop(bd);
		return PVHDEV_PASS;
	}
	/* The write itself, so that the modules hear when it is done.  A
	 * write the backend failed leaves decoding off: unmapped again. */
	if (pvhdev_dev_hw_write(dev, PCI_COMMAND, 2, val)) {
		pvhdev__bar_decode_change(bd, false, BAR_NOW);
		bar_log(bd, PVHDEV_LOG_ERROR, 0, "command write failed: BARs unmapped");
		return PVHDEV_DONE;
	}
	pvhdev__bar_decoded(bd);
	return PVHDEV_DONE;
}

static unsigned bir_of(const struct pvhdev__bar_dev *bd, unsigned off)
{
	unsigned i = (off - PCI_BAR0) / 4;

	return bd->bars[i].kind == BAR_MEM64_HI ? i - 1 : i;
}

/* Where BAR bir decodes now (*old) and once val is written at off (the
 * low or the high register: *addr, aligned to the BAR's size as the
 * device does).  Nothing is read after the write: a failed read there
 * would leave the BAR nowhere. */
static int move_addrs(struct pvhdev__bar_dev *bd, unsigned bir, unsigned off,
                      uint32_t val, uint64_t *old, uint64_t *addr)
{
	const struct bar *b = &bd->bars[bir];
	int rc = pvhdev__bar_read_addr(bd, bir, old);

	if (off == b->reg)
		*addr = (*old & ~0xffffffffull) | (val & ~0xfu);
	else
		*addr = (*old & 0xffffffffull) | (uint64_t)val << 32;
	*addr &= ~(b->size - 1);
	return rc;
}

/* Whether the device may decode with BAR bir at addr: the rule of a
 * decode-on (no BAR of the device over another one's MSI-X pages, no
 * BAR over another BAR's claimed MSI-X pages, bir's own MSI-X pages
 * out of any mapping), with bir's old mapping and claims left out as
 * they go with the move.  0, or -EBUSY (logged). */
static int move_check(struct pvhdev__bar_dev *bd, unsigned bir, uint64_t addr)
{
	uint64_t a[BAR_ROM + 1] = { 0 };
	unsigned on;
	int rc = decode_addrs(bd, a, &on);

	if (rc)
		return rc;
	a[bir] = addr;
	rc = own_holes_covered(bd, a, on | 1u << bir);
	return rc ? rc : pvhdev__bar_may_map(bd, bir, addr);
}

/* BAR bir at addr once a write reached the device (at), or back where
 * it was (at == NULL: the write failed) in its state before (was):
 * mapped, or, for one half of a 64-bit BAR whose other half is not
 * written yet, held unmapped with its MSI-X pages claimed. */
static int move_apply(struct pvhdev__bar_dev *bd, unsigned bir, const unsigned *at,
                      enum bar_state was, uint64_t addr)
{
	const struct bar *b = &bd->bars[bir];
	enum bar_state half = was;

	if (at)
		half = *at == b->reg ? BAR_HALF_LO : BAR_HALF_HI;
	if (b->kind == BAR_MEM64 && (half == BAR_HALF_LO || half == BAR_HALF_HI) &&
	    (!at || was != (half == BAR_HALF_LO ? BAR_HALF_HI : BAR_HALF_LO)))
		return pvhdev__bar_hold(bd, bir, addr, half);
	return decode_at(bd, bir, addr, bar_when(bd->dev->dom));
}

/* A memory BAR written while its device decodes memory moves, as in
 * hardware (Linux does it on rescan for 32-bit BARs): the old range is
 * unmapped now (its MSI-X traps stop), the write reaches the device
 * (after the p2m change, as a command write does), the new range maps
 * as a decode-on would (deferred after boot; the MSI-X traps follow
 * when it has).  A new place the device must not decode at (its MSI-X
 * pages reachable, or over another BAR's) refuses the write. */
static enum pvhdev_verdict bar_move(struct pvhdev__bar_dev *bd, unsigned bir,
                                    unsigned off, uint32_t val)
{
	enum bar_state was = (enum bar_state)bd->bars[bir].state;
	uint64_t old, addr;
	int rc = move_addrs(bd, bir, off, val, &old, &addr);

	if (rc)
		return PVHDEV_REJECT;
	if (move_check(bd, bir, addr)) {
		bar_log(bd, PVHDEV_LOG_WARN, bir, "write while decoding refused: ignored");
		return PVHDEV_REJECT;
	}
	rc = pvhdev__bar_unmap(bd, bir, BAR_NOW);
	if (!rc && pvhdev_dev_hw_write(bd->dev, off, 4, val)) {
		/* The device stays where it was: so does the BAR. */
		bar_log(bd, PVHDEV_LOG_ERROR, bir, "move while decoding: write failed");
		rc = move_apply(bd, bir, NULL, was, old);
	} else if (!rc) {
		rc = move_apply(bd, bir, &off, was, addr);
	}
	if (rc)
		bar_log(bd, PVHDEV_LOG_ERROR, bir, "move while decoding failed: not mapped");
	return PVHDEV_DONE;
}

static enum pvhdev_verdict bar_write(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__bar_dev *bd = reg->opaque;
	uint32_t cmd;

	/* Pending work first, as for every trapped write: the state this
	 * write meets is the one dom0 asked for before it. */
	if (pvhdev__bar_flush(bd) || pvhdev_dev_hw_read(dev, PCI_COMMAND, 2, &cmd))
		return PVHDEV_REJECT;
	if (!(cmd & PCI_COMMAND_MEMORY))
		return PVHDEV_PASS;
	return bar_move(bd, bir_of(bd, reg->off), reg->off, val);
}

/* The ROM maps from what the hardware holds after the write: a ROM
 * whose enable bit does not stick never maps. */
static enum pvhdev_verdict rom_write(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__bar_dev *bd = reg->opaque;
	struct bar *b = &bd->bars[BAR_ROM];
	enum bar_when when = bar_when(dev->dom);
	uint32_t cmd, v;

	/* A command write still waiting for its p2m work must reach the
	 * hardware before this write reads the decode bit. */
	if (pvhdev__bar_flush(bd))
		return PVHDEV_REJECT;
	if (bar_maps(b) && (val & PCI_ROM_ENABLE) && (val & ~PVHDEV_PCI_ROM_ADDRESS_FLAGS) != b->addr) {
		bar_log(bd, PVHDEV_LOG_WARN, BAR_ROM, "address write while mapped: ignored");
		return PVHDEV_REJECT;
	}
	if (bar_maps(b)) {
		if (!(val & PCI_ROM_ENABLE) && pvhdev__bar_unmap(bd, BAR_ROM, when))
			return PVHDEV_REJECT;
		return PVHDEV_PASS;
	}
	if (pvhdev_dev_hw_write(dev, reg->off, 4, val) ||
	    pvhdev_dev_hw_read(dev, reg->off, 4, &v) ||
	    pvhdev_dev_hw_read(dev, PCI_COMMAND, 2, &cmd))
		return PVHDEV_DONE;
	/* Refused for MSI-X pages it would cover: the ROM must not decode
	 * there, so its enable bit goes again. */
	if ((v & PCI_ROM_ENABLE) && (cmd & PCI_COMMAND_MEMORY) &&
	    (v & ~PVHDEV_PCI_ROM_ADDRESS_FLAGS) &&
	    pvhdev__bar_map(bd, BAR_ROM, v & ~PVHDEV_PCI_ROM_ADDRESS_FLAGS, when) == -EBUSY)
		pvhdev_dev_hw_write(dev, reg->off, 4, v & ~(uint32_t)PCI_ROM_ENABLE);
	return PVHDEV_DONE;
}

static int add_trap(struct pvhdev__bar_dev *bd, unsigned off, unsigned size,
                    pvhdev_reg_write_fn write)
{
	const struct pvhdev_reg r = {
		.off = (uint16_t)off, .size = (uint8_t)size,
		.read = pvhdev__bar_pass_read, .write = write, .opaque = bd,
	};
	return pvhdev_reg_add(bd->dev, &r);
}

static int add_traps(struct pvhdev__bar_dev *bd)
{
	int rc = add_trap(bd, PCI_COMMAND, 2, cmd_write);

	for (unsigned i = 0; i < BAR_ROM && !rc; i++) {
		const struct bar *b = &bd->bars[i];
		if (b->kind == BAR_MEM32 || b->kind == BAR_MEM64 || b->kind == BAR_MEM64_HI)
			rc = add_trap(bd, b->reg, 4, bar_write);
	}
	if (!rc && bd->bars[BAR_ROM].kind == BAR_ROM_KIND)
		rc = add_trap(bd, bd->bars[BAR_ROM].reg, 4, rom_write);
	return rc;
}

/* ---- Module ---- */

static int bar_dom_init(struct pvhdev_domain *dom)
{
	dom->bar_queue = pvhdev__zalloc(dom, sizeof(*dom->bar_queue));
	if (!dom->bar_queue)
		return -ENOMEM;
	pvhdev__rtree_init(&dom->bar_queue->holes);
	return 0;
}

static void bar_dom_free(struct pvhdev_domain *dom)
{
	pvhdev__free(dom, dom->hidden_bars, dom->nr_hidden_bars * sizeof(*dom->hidden_bars));
	dom->hidden_bars = NULL;
	dom->nr_hidden_bars = 0;
	pvhdev__free(dom, dom->bar_queue, sizeof(*dom->bar_queue));
	dom->bar_queue = NULL;
}

/* Everything the device owns leaves the p2m now: queued unmaps finish,
 * queued maps and a waiting command write are dropped, every BAR (VF
 * BARs too) unmaps. */
static void bar_release(struct pvhdev__bar_dev *bd)
{
	pvhdev__bar_cancel(bd);
	for (unsigned i = 0; i < bar_count(bd); i++)
		pvhdev__bar_unmap(bd, i, BAR_NOW);
}

static void bar_dev_remove(struct pvhdev_dev *dev)
{
	struct pvhdev__bar_dev *bd = dev->bar;

	if (!bd)
		return;
	bar_release(bd);
	pvhdev__sriov_remove(bd);
	pvhdev__bar_holes_free(bd);
	pvhdev__free(dev->dom, bd, sizeof(*bd));
	dev->bar = NULL;
}

static struct pvhdev__bar_dev *bd_new(struct pvhdev_dev *dev)
{
	struct pvhdev__bar_dev *bd = pvhdev__zalloc(dev->dom, sizeof(*bd));

	if (!bd)
		return NULL;
	bd->dev = dev;
	for (unsigned i = 0; i < NR_DEV_BARS; i++)
		bd->bars[i].bir = (uint8_t)i;
	dev->bar = bd;
	return bd;
}

static int bar_dev_add(struct pvhdev_dev *dev)
{
	struct pvhdev__bar_dev *bd;
	int rc;

	/* VFs have no BARs of their own: the PF's SR-IOV capability holds
	 * them (PCIe Base 9.3.4.1.11). */
	if (!pvhdev__pci_layout(dev->hdr_type)->nr_bars || dev->vf)
		return 0;
	bd = bd_new(dev);
	if (!bd)
		return -ENOMEM;
	rc = discover(bd);
	if (!rc)
		rc = add_traps(bd);
	if (!rc)
		rc = pvhdev__sriov_add(bd);
	if (rc)
		bar_dev_remove(dev);
	return rc;
}

/* A VF's MSI-X pages are holes in its PF's VF BARs: the VF holds the
 * claims on them (BAR state with no BARs, its claims' storage allocated
 * now, as a device's) while those map (sriov.c). */
static int vf_start(struct pvhdev_dev *dev)
{
	if (!dev->nr_holes)
		return 0;
	if (!bd_new(dev))
		return -ENOMEM;
	return pvhdev__bar_holes_room(dev->bar);
}

/* Maps what decoding already enables, now that MSI-X declared holes. */
static int bar_dev_start(struct pvhdev_dev *dev)
{
	uint32_t cmd;
	int rc;

	if (dev->vf)
		return vf_start(dev);
	if (!dev->bar)
		return 0;
	/* The claims' storage comes now, with the device, so that no
	 * guest command write has to allocate it. */
	rc = pvhdev__bar_holes_room(dev->bar);
	if (rc)
		return rc;
	rc = pvhdev_dev_hw_read(dev, PCI_COMMAND, 2, &cmd);
	if (rc)
		return rc;
	if (!(cmd & PCI_COMMAND_MEMORY))
		return pvhdev__sriov_start(dev->bar);
	/* Device add is not a guest access: map synchronously. */
	rc = pvhdev__bar_decode_change(dev->bar, true, BAR_NOW);
	if (rc == -EBUSY) {
		/* Found decoding with its MSI-X pages reachable: it stops
		 * decoding, as dom0's own command write would be refused. */
		pvhdev__bar_decode_change(dev->bar, false, BAR_NOW);
		bar_log(dev->bar, PVHDEV_LOG_WARN, 0, refusal(rc));
		rc = pvhdev_dev_hw_write(dev, PCI_COMMAND, 2, cmd & ~(uint32_t)PCI_COMMAND_MEMORY);
	}
	return rc ? rc : pvhdev__sriov_start(dev->bar);
}

/* The reset turned decoding off (command 0) and VF Enable off: nothing
 * maps and the VFs go.  The BARs keep their sizes; their addresses are
 * read from the hardware when decoding comes on again.  A device that
 * still decodes after the reset maps again, as at device add. */
static void bar_dev_reset(struct pvhdev_dev *dev)
{
	if (!dev->bar)
		return;
	bar_release(dev->bar);
	pvhdev__sriov_reset(dev->bar);
	bar_dev_start(dev);
}

int pvhdev_dev_bar(const struct pvhdev_dev *dev, unsigned bir,
                   struct pvhdev_bar_info *out)
{
	struct pvhdev__bar_dev *bd = dev->bar;

	if (!bd || bir >= bar_count(bd) || bar_at(bd, bir)->kind == BAR_NONE ||
	    bar_at(bd, bir)->kind == BAR_MEM64_HI)
		return -ENOENT;
	const struct bar *b = bar_at(bd, bir);
	out->size = b->size;
	out->mem = pvhdev__bar_is_mem(b);
	out->is64 = b->kind == BAR_MEM64;
	out->prefetch = b->prefetch;
	out->mapped = bar_maps(b);
	out->addr = b->addr;
	return out->mapped ? 0 : pvhdev__bar_read_addr(bd, bir, &out->addr);
}

/* Appends one hidden BAR to the domain's list (not an access path). */
static int hidden_record(struct pvhdev_dev *dev, const struct bar *b, uint64_t addr)
{
	struct pvhdev_domain *dom = dev->dom;
	unsigned n = dom->nr_hidden_bars;
	struct pvhdev__hidden_bar *h;

	/* Added, removed and added again: one record per BAR. */
	for (unsigned i = 0; i < n; i++)
		if (dom->hidden_bars[i].sbdf == dev->sbdf && dom->hidden_bars[i].bir == b->bir &&
		    dom->hidden_bars[i].addr == addr && dom->hidden_bars[i].size == b->size)
			return 0;
	h = pvhdev__zalloc(dom, (n + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	if (n)
		memcpy(h, dom->hidden_bars, n * sizeof(*h));
	h[n] = (struct pvhdev__hidden_bar){ .addr = addr, .size = b->size, .sbdf = dev->sbdf,
	                                    .bir = b->bir, .hdr_type = dev->hdr_type };
	pvhdev__free(dom, dom->hidden_bars, n * sizeof(*h));
	dom->hidden_bars = h;
	dom->nr_hidden_bars = n + 1;
	return pvhdev__excl_late(dom, addr >> 12,
	                         ((addr + b->size + 0xfff) >> 12) - (addr >> 12),
	                         PVHDEV__EXCL_HIDDEN);
}

int pvhdev__bar_hidden(struct pvhdev_dev *dev)
{
	struct pvhdev__bar_dev tmp, *bd = dev->bar;
	uint32_t hdr;
	int rc = 0;

	if (!bd) {
		/* A placeholder: sized now, as at device add. */
		if ((rc = pvhdev__hw_cfg_read(dev->dom, dev->sbdf, PVHDEV_PCI_HEADER_TYPE, 1,
		                              &hdr)))
			return rc;
		dev->hdr_type = hdr & PVHDEV_PCI_HEADER_TYPE_MASK;
		memset(&tmp, 0, sizeof(tmp));
		tmp.dev = dev;
		for (unsigned i = 0; i < NR_DEV_BARS; i++)
			tmp.bars[i].bir = (uint8_t)i;
		bd = &tmp;
		if ((rc = discover(bd)))
			return rc;
	}
	for (unsigned i = 0; i <= BAR_ROM && !rc; i++) {
		const struct bar *b = &bd->bars[i];
		uint64_t addr;
		if (!pvhdev__bar_is_mem(b) || !b->size || pvhdev__bar_read_addr(bd, i, &addr) ||
		    !addr)
			continue;
		rc = hidden_record(dev, b, addr);
	}
	return rc;
}

int pvhdev__bar_get(const struct pvhdev_dev *dev, unsigned bir,
                    struct pvhdev__bar_info *out)
{
	if (dev->vf)
		return pvhdev__sriov_vf_bar(dev, bir, out);
	return bir <= BAR_ROM ? pvhdev_dev_bar(dev, bir, out) : -ENOENT;
}

bool pvhdev_dev_is_vf(const struct pvhdev_dev *dev, pvhdev_sbdf_t *pf)
{
	if (dev->vf && pf)
		*pf = dev->pf;
	return dev->vf;
}

const struct pvhdev__module pvhdev__bar_module = {
	.name = "bar",
	.dom_init = bar_dom_init,
	.dom_free = bar_dom_free,
	.dev_add = bar_dev_add,
	.dev_start = bar_dev_start,
	.dev_remove = bar_dev_remove,
	.dev_reset = bar_dev_reset,
	.check_dev = pvhdev__bar_check_dev,
	.check_dom = pvhdev__bar_check_dom,
};
