/* SPDX-License-Identifier: MIT */
/*
 * Harness (a): a stream of guest operations on a domain booted from a
 * corpus machine, with the invariants checked after every operation:
 * those of the devices the operation touched (its target, and every
 * device its events name) when it changed no p2m range and no device
 * came or went, all of them otherwise, and all of them at the end.
 *
 * Input:  [machine] then operations, each an opcode byte followed by a
 *         fixed number of argument bytes; the stream ends when an
 *         operation does not fit.  Both numbers keep their meaning for
 *         good, so seeds and regression inputs stay what they were:
 *         the machine is a line number in fuzz/machines.txt (append
 *         only; an input naming a machine past its end is ignored), and
 *         opcodes are fixed numbers (new operations take new numbers;
 *         a byte that is no opcode is skipped).
 *
 *   op  args  what
 *   0   4     outl 0xcf8 VAL
 *   1   6     CFC access: port&3, size sel, write?, VAL (3 bytes)
 *   2   8     ECAM access on a known device: dev, reg (2), size sel, write?, VAL (3)
 *   3   7     config write to a device's trapped register: dev, which, VAL (4), size sel
 *   4   8     MSI-X table access: dev, entry, field, size sel, write?, VAL (3)
 *   5   6     IO-APIC access: which, offset sel, write?, VAL (3)
 *   6   2     drain pending p2m work with a budget (pages)
 *   7   2     device remove / add / hide
 *   8   3     late MMCFG window: segment sel, start bus, bus count
 *   9   9     raw MMIO access anywhere trapped: addr sel, size sel, write?, VAL (6)
 *   10  2     reset: dev, how (dom0's Initiate FLR, AF FLR, Secondary Bus
 *               Reset set or clear, PMCSR power state, or the hypervisor's
 *               pvhdev_dev_reset of a kind)
 *
 * Each machine is an lspci dump booted on a platform of our own: ECAM
 * for every segment present, one IO-APIC, RAM below 1 MiB and from
 * 1 MiB to 1 GiB.  $PVHDEV_FUZZ_MACHINES names another manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/dump.h>
#include <pvhdev/host.h>
#include <pvhdev/ioapic.h>
#include <pvhdev/pvhdev.h>

#include "core/core.h"
#include "fuzz.h"

#define MAX_MACHINES 256 /* what the first byte can name */
#define ECAM_BASE 0x80000000000ull /* segment s at ECAM_BASE + s * 256 MiB */
#define IOAPIC_ADDR 0xfec00000ull

enum op {
	OP_CF8, OP_CFC, OP_ECAM, OP_TRAPPED, OP_MSIX, OP_IOAPIC, OP_DRAIN,
	OP_DEVICE, OP_MMCFG, OP_MMIO, OP_RESET,
	NR_OPS
};

/* Argument bytes per opcode. */
static const uint8_t op_args[NR_OPS] = {
	[OP_CF8] = 4, [OP_CFC] = 6, [OP_ECAM] = 8, [OP_TRAPPED] = 7, [OP_MSIX] = 8,
	[OP_IOAPIC] = 6, [OP_DRAIN] = 2, [OP_DEVICE] = 2, [OP_MMCFG] = 3, [OP_MMIO] = 9,
	[OP_RESET] = 2,
};

static struct pvhdev_dump *machines[MAX_MACHINES];
static size_t nr_machines;

/* A manifest that cannot be read is a broken build or checkout, not an
 * input: say where and stop. */
static void manifest_error(const char *path, unsigned line, const char *what)
{
	fprintf(stderr, "fuzz_ops: %s:%u: %s\n", path, line, what);
	abort();
}

/* Loads every machine of the manifest once, in its order. */
static void load_machines(void)
{
	const char *path = getenv("PVHDEV_FUZZ_MACHINES");
	char line[1024], dir[4096], dump[8192], err[512];
	unsigned nr = 0;
	FILE *f;

	if (!path)
		path = PVHDEV_FUZZ_MACHINES;
	if (!(f = fopen(path, "r")))
		manifest_error(path, 0, "cannot open the machine manifest");
	/* The manifest's directory, with its '/', or "" */
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path + 1) : 0, path);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");
		nr++;
		if (line[len] == '\0' && !feof(f))
			manifest_error(path, nr, "line too long");
		line[len] = '\0';
		if (!len || line[0] == '#')
			continue;
		if (nr_machines == MAX_MACHINES)
			manifest_error(path, nr, "more than 256 machines");
		snprintf(dump, sizeof(dump), "%s%s", line[0] == '/' ? "" : dir, line);
		if (pvhdev_dump_load(dump, &machines[nr_machines], err, sizeof(err))) {
			fprintf(stderr, "fuzz_ops: %s\n", err);
			manifest_error(path, nr, "expected a loadable lspci dump");
		}
		nr_machines++;
	}
	fclose(f);
	if (!nr_machines)
		manifest_error(path, nr, "expected at least one machine");
}

struct run {
	struct pvhdev_fake *fake;
	struct pvhdev_domain *dom;
	const struct pvhdev_fake_dev *devs;
	size_t nr_devs;
	const uint8_t *p;
	size_t left;
	uint8_t op; /* the last operation's opcode */
	uint32_t cf8; /* the last CONFIG_ADDRESS written */
	/* What the last operation reached: one device (target), or what no
	 * device scope covers (wide: raw MMIO, the IO-APIC, the domain). */
	pvhdev_sbdf_t target;
	bool has_target, wide;
};

static void quiet(void *ctx, enum pvhdev_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

static int boot(struct run *r, const struct pvhdev_dump *m)
{
	static const struct pvhdev_e820_entry e820[] = {
		{ 0, 0x9f000, PVHDEV_E820_RAM },
		{ 0x100000, 0x3ff00000, PVHDEV_E820_RAM },
	};
	static const struct pvhdev_ioapic_desc io = { 1, IOAPIC_ADDR, 0, 24 };
	struct pvhdev_mcfg mcfg[8];
	size_t nr_mcfg = 0;

	r->devs = pvhdev_dump_devs(m);
	r->nr_devs = pvhdev_dump_count(m);
	for (size_t i = 0; i < r->nr_devs && nr_mcfg < 8; i++) {
		uint16_t seg = (uint16_t)PVHDEV_SBDF_SEG(r->devs[i].sbdf);
		if (nr_mcfg && mcfg[nr_mcfg - 1].seg == seg)
			continue;
		mcfg[nr_mcfg++] = (struct pvhdev_mcfg){ ECAM_BASE + ((uint64_t)seg << 28), seg,
		                                        0, 255 };
	}
	const struct pvhdev_platform plat = {
		.size = sizeof(plat), .e820 = e820, .nr_e820 = 2, .mcfg = mcfg,
		.nr_mcfg = nr_mcfg, .ioapics = &io, .nr_ioapics = 1,
	};
	if (pvhdev_fake_new(&pvhdev_host_alloc, NULL, r->devs, r->nr_devs, &r->fake))
		return -1;
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = r->fake,
		.alloc = &pvhdev_host_alloc, .log = quiet, .event_capacity = 256,
	};
	if (pvhdev_domain_new(&cfg, &r->dom))
		return -1;
	return pvhdev_domain_boot(r->dom, &plat) ? -1 : 0;
}

static bool take(struct run *r, size_t n, const uint8_t **args)
{
	if (r->left < n)
		return false;
	*args = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

static uint32_t le(const uint8_t *b, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}

static const unsigned sizes[4] = { 1, 2, 4, 8 };

static pvhdev_sbdf_t pick(const struct run *r, uint8_t sel)
{
	return r->devs[sel % r->nr_devs].sbdf;
}

static uint64_t ecam(pvhdev_sbdf_t sbdf, unsigned reg)
{
	return ECAM_BASE + ((uint64_t)PVHDEV_SBDF_SEG(sbdf) << 28) +
	       ((uint64_t)(sbdf & 0xffff) << 12) + (reg & 0xfff);
}

static void mmio(struct run *r, uint64_t addr, unsigned size, bool write, uint64_t v)
{
	uint64_t out;

	if (write)
		pvhdev_mmio_write(r->dom, addr, size, v);
	else
		pvhdev_mmio_read(r->dom, addr, size, &out);
}

/* Registers that change state, per device: command, BARs, ROM, and the
 * control words of MSI, MSI-X and SR-IOV. */
static unsigned trapped_reg(struct run *r, pvhdev_sbdf_t sbdf, uint8_t which)
{
	static const uint16_t fixed[] = { 0x04, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x30, 0x38 };
	struct pvhdev_dev *dev;
	unsigned off = 0;

	if (which < PVHDEV_ARRAY(fixed) || pvhdev_dev_get(r->dom, sbdf, &dev))
		return fixed[which % PVHDEV_ARRAY(fixed)];
	switch (which % 8) {
	case 0: if (!pvhdev_dev_find_cap(dev, 0x05, &off)) return off + 2 + (which & 0x30) / 4; break;
	case 1: if (!pvhdev_dev_find_cap(dev, 0x11, &off)) return off + 2; break;
	case 2: if (!pvhdev_dev_find_ext_cap(dev, 0x10, &off)) return off + 8; break;
	case 3: if (!pvhdev_dev_find_ext_cap(dev, 0x10, &off)) return off + 0x10; break;
	case 4: if (!pvhdev_dev_find_ext_cap(dev, 0x10, &off)) return off + 0x24 + (which >> 4) % 6 * 4; break;
	default: break;
	}
	return fixed[which % PVHDEV_ARRAY(fixed)];
}

/* The MSI-X table of a device, where its BAR decodes now; 0 if none. */
static uint64_t msix_table(struct run *r, pvhdev_sbdf_t sbdf, unsigned *entries)
{
	struct pvhdev_dev *dev;
	struct pvhdev_bar_info bi;
	uint32_t ctrl, table;
	unsigned off;

	if (pvhdev_dev_get(r->dom, sbdf, &dev) || pvhdev_dev_find_cap(dev, 0x11, &off) ||
	    pvhdev_cfg_read(r->dom, sbdf, off + 2, 2, &ctrl) ||
	    pvhdev_cfg_read(r->dom, sbdf, off + 4, 4, &table) ||
	    pvhdev_dev_bar(dev, table & 7, &bi))
		return 0;
	*entries = (ctrl & 0x7ff) + 1;
	return bi.addr + (table & ~7u);
}

/* dom0's writes that reset (src/core/reset.c), or the hypervisor's
 * reset: how % 5 picks which, the bits above it the value. */
static void reset(struct run *r, pvhdev_sbdf_t sbdf, uint8_t how)
{
	struct pvhdev_dev *dev;
	unsigned off;
	uint32_t v = 0;

	if (pvhdev_dev_get(r->dom, sbdf, &dev))
		return;
	switch (how % 5) {
	case 0: /* Device Control: Initiate FLR, the rest as it is */
		if (!pvhdev_dev_find_cap(dev, 0x10, &off) &&
		    !pvhdev_cfg_read(r->dom, sbdf, off + 8, 2, &v))
			pvhdev_cfg_write(r->dom, sbdf, off + 8, 2, v | 0x8000);
		break;
	case 1: /* AF Control: Initiate FLR */
		if (!pvhdev_dev_find_cap(dev, 0x13, &off))
			pvhdev_cfg_write(r->dom, sbdf, off + 4, 1, 1);
		break;
	case 2: /* Bridge Control: Secondary Bus Reset set or clear */
		if (!pvhdev_cfg_read(r->dom, sbdf, 0x3e, 2, &v))
			pvhdev_cfg_write(r->dom, sbdf, 0x3e, 2, (how & 0x80) ? v | 0x40 : v & ~0x40u);
		break;
	case 3: /* PMCSR: a power state */
		if (!pvhdev_dev_find_cap(dev, 0x01, &off) &&
		    !pvhdev_cfg_read(r->dom, sbdf, off + 4, 2, &v))
			pvhdev_cfg_write(r->dom, sbdf, off + 4, 2, (v & ~3u) | (how >> 3 & 3));
		break;
	default:
		pvhdev_dev_reset(dev, (enum pvhdev_reset_kind)(how >> 3 & 3));
		break;
	}
}

/* The operation's one device. */
static pvhdev_sbdf_t aim(struct run *r, pvhdev_sbdf_t sbdf)
{
	r->target = sbdf;
	r->has_target = true;
	return sbdf;
}

static bool step(struct run *r)
{
	const uint8_t *a;
	uint8_t op;
	uint32_t v;

	if (!r->left)
		return false;
	op = *r->p++;
	r->left--;
	r->op = op;
	if (op >= NR_OPS)
		return true; /* no opcode: skipped */
	if (!take(r, op_args[op], &a))
		return false;
	r->has_target = r->wide = false;
	switch (op) {
	case OP_CF8:
		r->cf8 = le(a, 4) | 0x80000000u;
		pvhdev_pio_write(r->dom, 0xcf8, 4, r->cf8);
		break;
	case OP_CFC:
		aim(r, PVHDEV_SBDF(0, r->cf8 >> 16 & 0xff, r->cf8 >> 11 & 0x1f, r->cf8 >> 8 & 7));
		if (a[2] & 1)
			pvhdev_pio_write(r->dom, (uint16_t)(0xcfc + (a[0] & 3)), sizes[a[1] & 3],
			                 le(a + 3, 3));
		else
			pvhdev_pio_read(r->dom, (uint16_t)(0xcfc + (a[0] & 3)), sizes[a[1] & 3], &v);
		break;
	case OP_ECAM:
		mmio(r, ecam(aim(r, pick(r, a[0])), le(a + 1, 2)), sizes[a[3] & 3], a[4] & 1,
		     le(a + 5, 3) * 0x01000001ull);
		break;
	case OP_TRAPPED: {
		pvhdev_sbdf_t sbdf = aim(r, pick(r, a[0]));
		unsigned reg = trapped_reg(r, sbdf, a[1]), size = sizes[a[6] % 3];
		pvhdev_cfg_write(r->dom, sbdf, reg & ~(size - 1), size, le(a + 2, 4));
		break;
	}
	case OP_MSIX: {
		unsigned entries = 0;
		uint64_t t = msix_table(r, aim(r, pick(r, a[0])), &entries);
		if (t)
			mmio(r, t + (uint64_t)(a[1] % (entries + 2)) * 16 + (a[2] & 0xf),
			     sizes[a[3] & 3], a[4] & 1, le(a + 5, 3) * 0x00010001ull);
		break;
	}
	case OP_IOAPIC:
		mmio(r, IOAPIC_ADDR + ((a[1] & 1) ? 0x10 : 0) + (a[1] & 0x40), 4, a[2] & 1,
		     (a[1] & 1) ? le(a + 3, 3) | (uint32_t)a[0] << 24 : a[0]);
		break;
	case OP_DRAIN: {
		bool more;
		pvhdev_process_pending(r->dom, le(a, 2), &more);
		break;
	}
	case OP_DEVICE:
		if (a[1] % 3 == 0)
			pvhdev_dev_remove(r->dom, pick(r, a[0]));
		else if (a[1] % 3 == 1)
			pvhdev_dev_add(r->dom, pick(r, a[0]));
		else
			pvhdev_dev_hide(r->dom, pick(r, a[0]));
		break;
	case OP_MMCFG:
		pvhdev_mmcfg_add(r->dom, 0x100000000000ull + ((uint64_t)(a[0] & 3) << 28),
		                 (uint16_t)(8 + (a[0] & 3)), a[1],
		                 (uint8_t)(a[1] + a[2] > 255 ? 255 : a[1] + a[2]));
		break;
	case OP_MMIO: {
		/* Anywhere near what is trapped: ECAM, IO-APIC, BARs. */
		static const uint64_t bases[4] = { ECAM_BASE, IOAPIC_ADDR, 0xf0000000ull,
		                                   0xfe000000ull };
		uint64_t addr = bases[a[0] & 3] + (le(a + 3, 3) << 2);
		mmio(r, addr, sizes[a[1] & 3], a[2] & 1, le(a + 6, 3));
		break;
	}
	case OP_RESET:
		reset(r, aim(r, pick(r, a[0])), a[1]);
		break;
	default:
		r->wide = true; /* IO-APIC, drain, devices, MMCFG, raw MMIO */
		break;
	}
	return true;
}

/* With PVHDEV_FUZZ_VERBOSE set, each operation's events go to stderr:
 * what a developer reads when replaying a finding. */
static void trace_events(struct run *r, size_t at, uint64_t *seen)
{
	uint64_t end = pvhdev_event_next_seq(r->dom);
	struct pvhdev_event ev;
	char line[256];

	for (; *seen < end; (*seen)++)
		if (!pvhdev_event_get(r->dom, *seen, &ev) &&
		    pvhdev_event_format(&ev, line, sizeof(line)) >= 0)
			fprintf(stderr, "op %zu (%u): %s\n", at, r->op, line);
}

static void violated(size_t at, const char *msg)
{
	fprintf(stderr, "fuzz_ops: invariant violated after operation %zu: %s\n", at, msg);
	abort();
}

static void check(struct run *r, size_t at)
{
	char msg[256];

	if (pvhdev_check_invariants(r->dom, msg, sizeof(msg)))
		violated(at, msg);
}

/* After one operation, whose events are those from seq on: the clauses
 * of the devices it touched, or every clause when it mapped or
 * unmapped, added or removed a device, or reached what no device scope
 * covers.  pvhdev's own MMIO writes (an MSI-X entry it programs) are
 * its device's, which another event or the target names. */
static void check_op(struct run *r, size_t at, uint64_t seq)
{
	pvhdev_sbdf_t touched[16];
	size_t n = 0;
	struct pvhdev_event ev;
	char msg[256];
	bool wide = r->wide;

	if (r->has_target)
		touched[n++] = r->target;
	for (uint64_t end = pvhdev_event_next_seq(r->dom); !wide && seq < end; seq++) {
		if (pvhdev_event_get(r->dom, seq, &ev) || ev.kind == PVHDEV_EV_MAP ||
		    ev.kind == PVHDEV_EV_UNMAP || ev.kind == PVHDEV_EV_DEV_ADD ||
		    ev.kind == PVHDEV_EV_DEV_REMOVE || ev.kind == PVHDEV_EV_GSI_BIND ||
		    ev.kind == PVHDEV_EV_GSI_CONFLICT || n == PVHDEV_ARRAY(touched)) {
			wide = true;
		} else if (ev.kind != PVHDEV_EV_HW_MMIO_WRITE && /* names no device */
		           (!n || touched[n - 1] != ev.sbdf)) {
			touched[n++] = ev.sbdf;
		}
	}
	if (wide)
		check(r, at);
	else if (pvhdev__check_devs(r->dom, touched, n, msg, sizeof(msg)))
		violated(at, msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = { 0 };

	if (!nr_machines)
		load_machines();
	if (size < 1)
		return 0;
	r.p = data + 1;
	r.left = size - 1;
	if (data[0] >= nr_machines)
		return 0; /* no such machine */
	if (boot(&r, machines[data[0]]) == 0) {
		bool verbose = getenv("PVHDEV_FUZZ_VERBOSE") != NULL;
		uint64_t seen = pvhdev_event_next_seq(r.dom), seq = seen;
		size_t n = 1;
		check(&r, 0);
		for (; step(&r); n++) {
			if (verbose)
				trace_events(&r, n, &seen);
			check_op(&r, n, seq);
			seq = pvhdev_event_next_seq(r.dom);
		}
		check(&r, n);
	}
	pvhdev_domain_free(r.dom);
	pvhdev_fake_free(r.fake);
	return 0;
}
