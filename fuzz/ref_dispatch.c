/* SPDX-License-Identifier: MIT */
/*
 * The reference dispatcher (ref_dispatch.h): the semantics of a config
 * access, one rule a function, written from the contract and not from
 * the fast path.
 *
 *   access [off, off + size)   walked byte position by position:
 *     a register holds the position  -> its handler, on the whole
 *                                       register; its bytes of the access
 *     no register holds it (a gap)   -> the hardware, up to the next
 *                                       register, in the largest
 *                                       naturally aligned pieces
 *
 * Reads: DONE is the handler's value, PASS the hardware's, both with
 * reserved (rsvdp, rsvdz) bits as 0; REJECT reads all-ones.  Writes: a
 * write of part of a register, or of one with bits to keep (ro, rsvdp),
 * is merged with the register's current value first: the handler's
 * (DONE), the hardware's (PASS) or zeros (REJECT), with its RW1C bits
 * cleared so that writing it back clears nothing; ro and rsvdp bits keep
 * it, rsvdz bits are written as 0.  The handler's write verdict PASS
 * sends the merged value to the hardware.  The first backend failure
 * ends the access with its error (a read then returns all-ones).
 *
 * Of pvhdev's internals it reads only the device's register records
 * (dev->regs[0 .. nr_regs), src/core/core.h), which pvhdev_reg_add
 * fills in no particular order; the index and the caches it never sees.
 */
#include <errno.h>

#include "core/core.h"
#include "ref_dispatch.h"

/* All-ones of n bytes, n = 0..4. */
static uint32_t ones(unsigned n)
{
	return n >= 4 ? 0xffffffffu : (1u << 8 * n) - 1;
}

/* 1, 2 or 4 bytes, naturally aligned, inside extended config space. */
static bool access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && !(off & (size - 1)) &&
	       off < PVHDEV_CFG_EXP_SIZE;
}

/* The register that holds byte off, or NULL: a walk over them all. */
static const struct pvhdev_reg *reg_at(const struct pvhdev_dev *dev, unsigned off)
{
	for (unsigned i = 0; i < dev->nr_regs; i++) {
		const struct pvhdev_reg *r = &dev->regs[i];
		if (off >= r->off && off < (unsigned)r->off + r->size)
			return r;
	}
	return NULL;
}

/* Where the gap that starts at off ends: the first register after it,
 * or end. */
static unsigned gap_end(const struct pvhdev_dev *dev, unsigned off, unsigned end)
{
	for (unsigned i = 0; i < dev->nr_regs; i++)
		if (dev->regs[i].off > off && dev->regs[i].off < end)
			end = dev->regs[i].off;
	return end;
}

/* The largest naturally aligned piece of at most n bytes at off. */
static unsigned piece(unsigned off, unsigned n)
{
	for (unsigned p = 4;; p /= 2)
		if (p <= n && !(off % p))
			return p;
}

/* The piece of an access that starts at byte at, with left bytes to
 * go: the register that holds it (NULL: a gap) and its length. */
static unsigned piece_at(const struct pvhdev_dev *dev, unsigned at, unsigned left,
                         const struct pvhdev_reg **reg)
{
	const struct pvhdev_reg *r = *reg = reg_at(dev, at);

	if (!r)
		return piece(at, gap_end(dev, at, at + left) - at);
	return r->off + r->size - at < left ? r->off + r->size - at : left;
}

/* The register's raw value: the read handler's (DONE) or the
 * hardware's (PASS); *rejected when the handler said REJECT. */
static int reg_raw(struct pvhdev_dev *dev, const struct pvhdev_reg *r, uint32_t *val,
                   bool *rejected)
{
	enum pvhdev_verdict vd;

	*val = 0;
	vd = r->read(dev, r, val);
	*rejected = vd != PVHDEV_DONE && vd != PVHDEV_PASS;
	return vd == PVHDEV_PASS ? pvhdev_dev_hw_read(dev, r->off, r->size, val) : 0;
}

/* The register's value as the guest reads it. */
static int reg_value(struct pvhdev_dev *dev, const struct pvhdev_reg *r, uint32_t *val)
{
	bool rejected;
	int rc = reg_raw(dev, r, val, &rejected);

	if (!rc)
		*val = rejected ? ones(r->size)
		                : *val & ~(r->rsvdp_mask | r->rsvdz_mask) & ones(r->size);
	return rc;
}

/* The register's current value for a merge: raw, zeros when its read
 * is rejected, RW1C bits clear. */
static int reg_current(struct pvhdev_dev *dev, const struct pvhdev_reg *r,
                       uint32_t *cur)
{
	bool rejected;
	int rc = reg_raw(dev, r, cur, &rejected);

	*cur = rejected ? 0 : *cur & ~r->rw1c_mask;
	return rc;
}

/* Bytes [at, at + n) of register r get val (aligned to at). */
static int reg_put(struct pvhdev_dev *dev, const struct pvhdev_reg *r, unsigned at,
                   unsigned n, uint32_t val)
{
	unsigned shift = 8 * (at - r->off);
	uint32_t keep = r->ro_mask | r->rsvdp_mask;
	uint32_t v = (val & ones(n)) << shift;
	int rc;

	if (n != r->size || keep) {
		uint32_t cur, wmask = ones(n) << shift;
		if ((rc = reg_current(dev, r, &cur)))
			return rc;
		v = (v & wmask) | (cur & ~wmask);
		v = (v & ~keep) | (cur & keep);
	}
	v &= ~r->rsvdz_mask & ones(r->size);
	if (r->write(dev, r, v) == PVHDEV_PASS)
		return pvhdev_dev_hw_write(dev, r->off, r->size, v);
	return 0;
}

/* The device a well-formed access reaches: NULL with 0 for a malformed
 * access or a hidden device (the hardware's answer: all-ones, dropped),
 * NULL with -ENODEV for one the domain does not know. */
static struct pvhdev_dev *dev_of(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                                 unsigned off, unsigned size, int *rc)
{
	struct pvhdev_dev *dev;

	*rc = 0;
	if (!access_ok(off, size) || (*rc = pvhdev_dev_get(dom, sbdf, &dev)))
		return NULL;
	return pvhdev_dev_hidden(dev) ? NULL : dev;
}

int ref_cfg_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                 unsigned size, uint32_t *val)
{
	struct pvhdev_dev *dev;
	uint32_t out = 0;
	int rc;

	*val = ones(size);
	if (!(dev = dev_of(dom, sbdf, off, size, &rc)))
		return rc;
	for (unsigned pos = 0, n; pos < size; pos += n) {
		unsigned at = off + pos;
		const struct pvhdev_reg *r;
		uint32_t v;
		n = piece_at(dev, at, size - pos, &r);
		if (r) {
			rc = reg_value(dev, r, &v);
			v >>= 8 * (at - r->off);
		} else {
			rc = pvhdev_dev_hw_read(dev, at, n, &v);
		}
		if (rc)
			return rc;
		out |= (v & ones(n)) << 8 * pos;
	}
	*val = out;
	return 0;
}

int ref_cfg_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                  unsigned size, uint32_t val)
{
	struct pvhdev_dev *dev;
	int rc;

	if (!(dev = dev_of(dom, sbdf, off, size, &rc)))
		return rc;
	for (unsigned pos = 0, n; pos < size; pos += n) {
		unsigned at = off + pos;
		const struct pvhdev_reg *r;
		uint32_t part = val >> 8 * pos;
		n = piece_at(dev, at, size - pos, &r);
		rc = r ? reg_put(dev, r, at, n, part)
		       : pvhdev_dev_hw_write(dev, at, n, part & ones(n));
		if (rc)
			return rc;
	}
	return 0;
}
