/* SPDX-License-Identifier: MIT */
/*
 * Harness (e): the fast dispatcher against the reference (ref_dispatch.c).
 *
 * Two identical domains, each on its own fake backend with the same two
 * functions (00:01.0 and 00:02.0, type 0, 4 KiB of config space of
 * which software may change 0x40..0x3ff, some of it RW1C), and an ECAM
 * window for bus 0.  Every operation
 * runs on both: guest accesses through pvhdev_cfg_read/write on the
 * fast side and ref_cfg_read/write on the reference side.  After each
 * one the harness compares what the guest got (value and return code),
 * the events (each formatted, with its result) and the backend's call
 * count; at a check operation and at the end, the config bytes software
 * can change (0x000..0x3ff) of both fakes.  A difference aborts with
 * what differed.
 *
 * Input: operations, each an opcode byte followed by a fixed number of
 * argument bytes; the stream ends when an operation does not fit.
 * Opcodes keep their numbers for good (new ones take new numbers, a byte
 * that is no opcode is skipped), so seeds and regression inputs stay
 * what they were.  In the opcode byte, bit 3 picks the function, bits
 * 4..7 the opcode.  Offsets are 2 bytes, little endian: the low 10 bits
 * (four index pages, where the fuzzer's registers meet often), or with
 * bit 15 set the low 13 (anywhere, and past config space); a size byte's
 * low 2 bits pick 1, 2, 4 bytes or a malformed size (0, 3, 8, 5 by its
 * bits 4..5), its bit 2 keeps the offset as given (else it is aligned
 * down to the size), and its bit 3 sends the fast side's access through
 * the domain's ECAM window (pvhdev_mmio_read/write, where the last
 * window is cached) when it fits the function's page: then size 8 is
 * allowed, aligned, and the reference makes it the two dword accesses,
 * low first, that the decoder promises.
 *
 *   op  args  what
 *   0   3     read: off (2), size
 *   1   7     write: off (2), size, VAL (4)
 *   2   17    register add: off (2), size, handler kinds (read: bits
 *               0..2, write: bits 4..6; rd_kinds, wr_kinds), param,
 *               masks (12; see reg_masks)
 *   3   3     register remove: off (2), size
 *   4   4     register range remove: off (2), length (2)
 *   5   1     the n-th backend call from now fails with -EIO (n: 1..16)
 *   6   7     the hardware sets bits on its own: off (2), size, bits (4)
 *   7   0     compare the config bytes software can change, now
 *   8   1     the function is hidden (even) or removed and added again
 *               (odd): the device cache must forget it
 *   9   6     register fill: off (2), size, handler kinds, count - 1,
 *               step - 1 (in registers): up to 256 registers without
 *               masks, to the table's limit (PVHDEV_MAX_REGS) and past
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#include "fuzz.h"
#include "ref_dispatch.h"

enum op {
	OP_READ, OP_WRITE, OP_ADD, OP_REMOVE, OP_RANGE, OP_FAIL, OP_HWSET, OP_CHECK,
	OP_DEVICE, OP_FILL, NR_OPS
};

static const uint8_t op_args[NR_OPS] = {
	[OP_READ] = 3, [OP_WRITE] = 7, [OP_ADD] = 17, [OP_REMOVE] = 3,
	[OP_RANGE] = 4, [OP_FAIL] = 1, [OP_HWSET] = 7, [OP_CHECK] = 0,
	[OP_DEVICE] = 1, [OP_FILL] = 6,
};

static const char *const op_names[NR_OPS] = {
	"read", "write", "register add", "register remove", "range remove",
	"backend failure", "hardware bits", "config check", "device", "register fill",
};

#define NR_FNS 2
#define MAX_ADDS 512 /* register adds per input and side */

static const pvhdev_sbdf_t fns[NR_FNS] = { PVHDEV_SBDF(0, 0, 1, 0), PVHDEV_SBDF(0, 0, 2, 0) };
#define ECAM_BASE 0xe0000000ull /* segment 0, bus 0 only */

/* A fuzzer-made register's state, seen by its handlers (reg->opaque). */
struct hreg {
	uint32_t val;   /* what DONE reads and writes keep */
	uint32_t count; /* calls of the counting kinds */
	uint8_t param;  /* kind-specific: the offset a handler writes to */
};

/* One domain with its fake and its registers' state. */
struct side {
	struct pvhdev_fake *fake;
	struct pvhdev_domain *dom;
	struct hreg regs[MAX_ADDS];
	uint64_t seq; /* first event not compared yet */
};

static uint32_t ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << 8 * size) - 1;
}

/* ---- The handlers: deterministic functions of the register's state ---- */

static enum pvhdev_verdict rd_done(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                   uint32_t *val)
{
	(void)dev;
	*val = ((struct hreg *)reg->opaque)->val;
	return PVHDEV_DONE;
}

static enum pvhdev_verdict rd_pass(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                   uint32_t *val)
{
	(void)dev, (void)reg;
	*val = 0x5a5a5a5a; /* the dispatcher must not use it */
	return PVHDEV_PASS;
}

static enum pvhdev_verdict rd_reject(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                     uint32_t *val)
{
	(void)dev, (void)reg;
	*val = 0x12345678;
	return PVHDEV_REJECT;
}

/* The hardware's value, through the handlers' door, with the state's
 * bits flipped. */
static enum pvhdev_verdict rd_hw(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                 uint32_t *val)
{
	uint32_t h;

	pvhdev_dev_hw_read(dev, reg->off, reg->size, &h);
	*val = h ^ ((struct hreg *)reg->opaque)->val;
	return PVHDEV_DONE;
}

/* Counts its calls: a dispatcher that calls it more or less often than
 * the other reads another value. */
static enum pvhdev_verdict rd_count(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                    uint32_t *val)
{
	struct hreg *h = reg->opaque;

	(void)dev;
	*val = h->val + h->count++;
	return PVHDEV_DONE;
}

/* PASS and DONE by turns. */
static enum pvhdev_verdict rd_turns(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                    uint32_t *val)
{
	struct hreg *h = reg->opaque;

	(void)dev;
	*val = h->val;
	return h->count++ & 1 ? PVHDEV_PASS : PVHDEV_DONE;
}

/* DONE with bytes beyond the register set: they must not show. */
static enum pvhdev_verdict rd_wide(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                   uint32_t *val)
{
	(void)dev;
	*val = ((struct hreg *)reg->opaque)->val | ~ones(reg->size);
	return PVHDEV_DONE;
}

static enum pvhdev_verdict wr_done(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                   uint32_t val)
{
	(void)dev;
	((struct hreg *)reg->opaque)->val = val;
	return PVHDEV_DONE;
}

static enum pvhdev_verdict wr_pass(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                   uint32_t val)
{
	(void)dev, (void)reg, (void)val;
	return PVHDEV_PASS;
}

static enum pvhdev_verdict wr_reject(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                     uint32_t val)
{
	(void)dev, (void)reg, (void)val;
	return PVHDEV_REJECT;
}

/* Absorbs the write and writes the hardware elsewhere (param dwords on)
 * itself, through pvhdev_dev_hw_write. */
static enum pvhdev_verdict wr_hw(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                 uint32_t val)
{
	struct hreg *h = reg->opaque;

	h->val = val;
	pvhdev_dev_hw_write(dev, (reg->off + 4u * (h->param & 15)) & 0xfff, reg->size,
	                    val ^ h->param);
	return PVHDEV_DONE;
}

/* Keeps the value and passes it on. */
static enum pvhdev_verdict wr_keep_pass(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                        uint32_t val)
{
	(void)dev;
	((struct hreg *)reg->opaque)->val = val;
	return PVHDEV_PASS;
}

static enum pvhdev_verdict wr_turns(struct pvhdev_dev *dev, const struct pvhdev_reg *reg,
                                    uint32_t val)
{
	struct hreg *h = reg->opaque;

	(void)dev;
	h->val = val;
	return h->count++ & 1 ? PVHDEV_PASS : PVHDEV_DONE;
}

/* Kind 0 of each is NULL: the dispatcher's built-in handlers. */
static const pvhdev_reg_read_fn rd_kinds[8] = {
	NULL, rd_done, rd_pass, rd_reject, rd_hw, rd_count, rd_turns, rd_wide,
};
static const pvhdev_reg_write_fn wr_kinds[8] = {
	NULL, wr_done, wr_pass, wr_reject, wr_hw, wr_keep_pass, wr_turns, wr_done,
};

/* ---- The two domains ---- */

static void quiet(void *ctx, enum pvhdev_log_level level, const char *msg)
{
	(void)ctx, (void)level, (void)msg;
}

/* From 0x40 to 0x3ff every bit is RW but for the dword at 0x20 of every
 * 64 bytes, whose low nibbles are RW1C; above, read-only. */
#define CFG_RW_END 0x400
#define NR_MASKS ((CFG_RW_END - 0x40) / 4)
static struct pvhdev_fake_mask masks[NR_MASKS];
static uint8_t cfg[NR_FNS][PVHDEV_CFG_EXP_SIZE];

static void fns_init(void)
{
	for (unsigned i = 0; i < NR_MASKS; i++) {
		unsigned off = 0x40 + 4 * i;
		bool c = (off & 0x3f) == 0x20;
		masks[i] = (struct pvhdev_fake_mask){ .off = (uint16_t)off, .size = 4,
		                                      .rw = c ? 0xf0f0f0f0 : ~0u,
		                                      .rw1c = c ? 0x0f0f0f0f : 0 };
	}
	for (unsigned f = 0; f < NR_FNS; f++) {
		uint8_t *c = cfg[f];
		c[0] = 0xf4, c[1] = 0x1a, c[2] = (uint8_t)(0x10 + f), c[3] = 0x10;
		c[0x0b] = 0x02; /* a network controller */
		for (unsigned off = 0x40; off < PVHDEV_CFG_EXP_SIZE; off++)
			c[off] = (uint8_t)(off ^ off >> 8 ^ f << 7);
		memset(c + 0x100, 0, 4); /* no extended capability */
	}
}

static void side_free(struct side *s)
{
	pvhdev_domain_free(s->dom);
	pvhdev_fake_free(s->fake);
}

static int side_init(struct side *s)
{
	struct pvhdev_fake_dev devs[NR_FNS];

	memset(s, 0, sizeof(*s));
	for (unsigned f = 0; f < NR_FNS; f++)
		devs[f] = (struct pvhdev_fake_dev){ .sbdf = fns[f], .cfg = cfg[f],
		                                    .cfg_len = PVHDEV_CFG_EXP_SIZE,
		                                    .masks = masks, .nr_masks = NR_MASKS };
	if (pvhdev_fake_new(&pvhdev_host_alloc, NULL, devs, NR_FNS, &s->fake))
		return -1;
	struct pvhdev_config c = {
		.size = sizeof(c), .backend = &pvhdev_fake_ops, .backend_ctx = s->fake,
		.alloc = &pvhdev_host_alloc, .log = quiet,
		.event_capacity = 256, /* far more than one operation logs */
	};
	if (pvhdev_domain_new(&c, &s->dom) || pvhdev_mmcfg_add(s->dom, ECAM_BASE, 0, 0, 0))
		return -1;
	for (unsigned f = 0; f < NR_FNS; f++)
		if (pvhdev_dev_add(s->dom, fns[f]))
			return -1;
	s->seq = pvhdev_event_next_seq(s->dom);
	return 0;
}

/* ---- Comparing ---- */

struct run {
	struct side fast, ref;
	unsigned step; /* operation number, for the report */
	const char *what;
	unsigned nr_adds;
};

static void differ(const struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void differ(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_dispatch: operation %u (%s): fast and reference differ: ",
	        r->step, r->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* One event as a line, with its result (what a hook said). */
static void event_line(const struct side *s, uint64_t seq, char *buf, size_t len)
{
	struct pvhdev_event ev;
	int rc = pvhdev_event_get(s->dom, seq, &ev);

	if (rc) {
		snprintf(buf, len, "(event %" PRIu64 ": %s)", seq, pvhdev_strerror(rc));
		return;
	}
	int n = pvhdev_event_format(&ev, buf, len);
	if (n >= 0 && (size_t)n + 24 < len)
		snprintf(buf + n, len - (size_t)n, " result %d", ev.result);
}

static void events_compare(struct run *r)
{
	uint64_t nf = pvhdev_event_next_seq(r->fast.dom), nr = pvhdev_event_next_seq(r->ref.dom);
	char a[256], b[256];

	for (uint64_t i = r->fast.seq, j = r->ref.seq; i < nf || j < nr; i++, j++) {
		if (i >= nf || j >= nr) {
			event_line(i < nf ? &r->fast : &r->ref, i < nf ? i : j, a, sizeof(a));
			differ(r, "only the %s logged: %s", i < nf ? "fast path" : "reference", a);
		}
		event_line(&r->fast, i, a, sizeof(a));
		event_line(&r->ref, j, b, sizeof(b));
		if (strcmp(a, b))
			differ(r, "events: fast \"%s\", reference \"%s\"", a, b);
	}
	r->fast.seq = nf;
	r->ref.seq = nr;
	if (pvhdev_fake_calls(r->fast.fake) != pvhdev_fake_calls(r->ref.fake))
		differ(r, "backend calls so far: fast %lu, reference %lu",
		       pvhdev_fake_calls(r->fast.fake), pvhdev_fake_calls(r->ref.fake));
}

/* The config bytes software can change, straight from the fakes. */
static void config_compare(struct run *r)
{
	for (unsigned f = 0; f < NR_FNS; f++)
		for (unsigned off = 0; off < CFG_RW_END; off += 4) {
			uint32_t a, b;
			int ra = pvhdev_fake_ops.cfg_read(r->fast.fake, fns[f], off, 4, &a);
			int rb = pvhdev_fake_ops.cfg_read(r->ref.fake, fns[f], off, 4, &b);
			if (ra != rb || a != b)
				differ(r, "hardware at %02x.0+0x%03x: fast 0x%08x (%d), "
				       "reference 0x%08x (%d)", 1 + f, off, a, ra, b, rb);
		}
}

/* ---- Operations ---- */

static unsigned get16(const uint8_t *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The size a size byte picks; *off (as the input has it) made an
 * offset and aligned down to the size unless bit 2 says raw. */
static unsigned size_of(uint8_t sel, unsigned *off)
{
	static const uint8_t bad[4] = { 0, 3, 8, 5 };
	unsigned size = (sel & 3) == 3 ? bad[sel >> 4 & 3] : 1u << (sel & 3);

	*off &= *off & 0x8000 ? 0x1fff : 0x3ff;
	if (!(sel & 4) && (size == 1 || size == 2 || size == 4))
		*off &= ~(size - 1);
	return size;
}

/* Three words give each bit a class (0-3: plain, 4: ro, 5: rw1c,
 * 6: rsvdp, 7: rsvdz), so the masks are disjoint. */
static void reg_masks(struct pvhdev_reg *reg, const uint8_t *m)
{
	uint32_t a = get32(m), b = get32(m + 4), c = get32(m + 8), lim = ones(reg->size);

	reg->ro_mask = c & ~b & ~a & lim;
	reg->rw1c_mask = c & ~b & a & lim;
	reg->rsvdp_mask = c & b & ~a & lim;
	reg->rsvdz_mask = c & b & a & lim;
}

/* The reference's side of an access of 1, 2, 4 or (from ECAM) 8 bytes. */
static int ref_access(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                      unsigned size, bool write, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	int rc;

	if (size != 8) {
		rc = write ? ref_cfg_write(dom, sbdf, off, size, (uint32_t)*val)
		           : ref_cfg_read(dom, sbdf, off, size, &lo);
		*val = write ? *val : lo;
		return rc;
	}
	if (write) {
		rc = ref_cfg_write(dom, sbdf, off, 4, (uint32_t)*val);
		return rc ? rc : ref_cfg_write(dom, sbdf, off + 4, 4, (uint32_t)(*val >> 32));
	}
	rc = ref_cfg_read(dom, sbdf, off, 4, &lo);
	if (!rc)
		rc = ref_cfg_read(dom, sbdf, off + 4, 4, &hi);
	*val = rc ? ~(uint64_t)0 : (uint64_t)hi << 32 | lo;
	return rc;
}

static void op_access(struct run *r, struct pvhdev_dev *df, bool write, const uint8_t *a)
{
	pvhdev_sbdf_t sbdf = pvhdev_dev_sbdf(df);
	unsigned off = get16(a), size = size_of(a[2], &off);
	uint64_t vf = 0, vr = 0, addr;
	bool ecam;
	int rf, rr;

	if (size == 8)
		off &= ~7u;
	ecam = (a[2] & 8) && (size == 1 || size == 2 || size == 4 || size == 8) &&
	       !(off & (size - 1)) && off + size <= PVHDEV_CFG_EXP_SIZE;
	if (size == 8 && !ecam)
		size = 5; /* malformed either way */
	addr = ECAM_BASE + ((uint64_t)(sbdf & 0xffff) << 12) + off;
	if (write) {
		vf = vr = get32(a + 3) * (size == 8 ? 0x100000001ull : 1);
		rf = ecam ? pvhdev_mmio_write(r->fast.dom, addr, size, vf)
		          : pvhdev_cfg_write(r->fast.dom, sbdf, off, size, (uint32_t)vf);
	} else {
		uint32_t v = 0;
		rf = ecam ? pvhdev_mmio_read(r->fast.dom, addr, size, &vf)
		          : pvhdev_cfg_read(r->fast.dom, sbdf, off, size, &v);
		vf = ecam ? vf : v;
	}
	rr = ref_access(r->ref.dom, sbdf, off, size, write, &vr);
	if (rf != rr || vf != vr)
		differ(r, "%s of %u bytes at 0x%03x%s: fast 0x%" PRIx64 " (%d), "
		       "reference 0x%" PRIx64 " (%d)", write ? "write" : "read", size, off,
		       ecam ? " (ECAM)" : "", vf, rf, vr, rr);
}

/* Adds reg to both sides, each with its own state (val, param). */
static void reg_add_both(struct run *r, struct pvhdev_dev *df, struct pvhdev_dev *dr,
                         struct pvhdev_reg *reg, uint32_t val, uint8_t param)
{
	unsigned i = r->nr_adds;

	if (i == MAX_ADDS)
		return;
	r->nr_adds++;
	r->fast.regs[i] = r->ref.regs[i] = (struct hreg){ .val = val, .param = param };
	reg->opaque = &r->fast.regs[i];
	int rf = pvhdev_reg_add(df, reg);
	reg->opaque = &r->ref.regs[i];
	int rr = pvhdev_reg_add(dr, reg);
	if (rf != rr)
		differ(r, "register add at 0x%03x: %d and %d", reg->off, rf, rr);
}

static void op_add(struct run *r, struct pvhdev_dev *df, struct pvhdev_dev *dr,
                   const uint8_t *a)
{
	unsigned off = get16(a), size = size_of(a[2] & ~4u, &off);
	struct pvhdev_reg reg = { .off = (uint16_t)off, .size = (uint8_t)size,
	                          .read = rd_kinds[a[3] & 7], .write = wr_kinds[a[3] >> 4 & 7] };

	reg_masks(&reg, a + 5);
	reg_add_both(r, df, dr, &reg, get32(a + 5) ^ get32(a + 9), a[4]);
}

/* count registers of one size and kind, step registers apart. */
static void op_fill(struct run *r, struct pvhdev_dev *df, struct pvhdev_dev *dr,
                    const uint8_t *a)
{
	unsigned off = get16(a), size = size_of(a[2] & ~4u, &off);
	struct pvhdev_reg reg = { .size = (uint8_t)size, .read = rd_kinds[a[3] & 7],
	                          .write = wr_kinds[a[3] >> 4 & 7] };

	for (unsigned i = 0; i <= a[4]; i++) {
		reg.off = (uint16_t)((off + i * (a[5] + 1u) * size) & 0xfff);
		reg_add_both(r, df, dr, &reg, 0x01010101u * i, (uint8_t)i);
	}
}

/* Runs one operation on both sides. */
static void op_run(struct run *r, unsigned op, unsigned fn, const uint8_t *a)
{
	struct pvhdev_dev *df, *dr;
	unsigned off = op_args[op] >= 2 ? get16(a) : 0, size;
	int rf = 0, rr = 0;

	rf = pvhdev_dev_get(r->fast.dom, fns[fn], &df);
	rr = pvhdev_dev_get(r->ref.dom, fns[fn], &dr);
	if (rf != rr)
		differ(r, "the function is known on one side only");
	if (rf)
		return; /* its add failed on both sides: nothing to compare */
	switch (op) {
	case OP_READ:
	case OP_WRITE:
		op_access(r, df, op == OP_WRITE, a);
		break;
	case OP_ADD:
		op_add(r, df, dr, a);
		break;
	case OP_FILL:
		op_fill(r, df, dr, a);
		break;
	case OP_REMOVE:
		size = size_of(a[2], &off);
		rf = pvhdev_reg_remove(df, off, size);
		rr = pvhdev_reg_remove(dr, off, size);
		break;
	case OP_RANGE:
		off &= off & 0x8000 ? 0x1fff : 0x3ff;
		rf = pvhdev_reg_remove_range(df, off, get16(a + 2) & 0x1fff);
		rr = pvhdev_reg_remove_range(dr, off, get16(a + 2) & 0x1fff);
		break;
	case OP_FAIL:
		pvhdev_fake_fail_at(r->fast.fake, 1 + (a[0] & 15), -EIO);
		pvhdev_fake_fail_at(r->ref.fake, 1 + (a[0] & 15), -EIO);
		break;
	case OP_HWSET:
		size = size_of(a[2], &off);
		rf = pvhdev_fake_set_bits(r->fast.fake, fns[fn], off, size, get32(a + 3));
		rr = pvhdev_fake_set_bits(r->ref.fake, fns[fn], off, size, get32(a + 3));
		break;
	case OP_CHECK:
		config_compare(r);
		break;
	case OP_DEVICE:
		if (!(a[0] & 1)) {
			rf = pvhdev_dev_hide(r->fast.dom, fns[fn]);
			rr = pvhdev_dev_hide(r->ref.dom, fns[fn]);
			break;
		}
		rf = pvhdev_dev_remove(r->fast.dom, fns[fn]);
		rr = pvhdev_dev_remove(r->ref.dom, fns[fn]);
		if (rf == rr) {
			rf = pvhdev_dev_add(r->fast.dom, fns[fn]);
			rr = pvhdev_dev_add(r->ref.dom, fns[fn]);
		}
		break;
	}
	if (rf != rr)
		differ(r, "%d and %d", rf, rr);
	events_compare(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct run *r = calloc(1, sizeof(*r));

	if (!ready)
		fns_init(), ready = true;
	if (!r || side_init(&r->fast) || side_init(&r->ref)) {
		fprintf(stderr, "fuzz_dispatch: cannot build the domains\n");
		abort();
	}
	for (size_t i = 0; i < size;) {
		unsigned op = data[i] >> 4, fn = data[i] >> 3 & 1;
		if (op >= NR_OPS) {
			i++;
			continue;
		}
		if (size - i - 1 < op_args[op])
			break;
		r->what = op_names[op];
		op_run(r, op, fn, data + i + 1);
		r->step++;
		i += 1 + op_args[op];
	}
	r->what = "end of input";
	config_compare(r);
	side_free(&r->fast);
	side_free(&r->ref);
	free(r);
	return 0;
}
