/* SPDX-License-Identifier: MIT */
/*
 * MSI: every register of the capability is trapped.  dom0 reads back
 * what it wrote (its view); the hardware holds what the hypervisor
 * decided (the host's state), written by this module and nobody else:
 *
 *   dom0 writes                  reaches the hardware
 *   address / data               only through a binding: the bound
 *                                message, written before enabling and
 *                                again at every rebind
 *   control enable, MME          enable = bound (a refused or invalid
 *                                binding leaves the device disabled)
 *   mask bits                    dom0's mask | the host's mask
 *   pending bits                 nothing (read-only; reads pass)
 *
 * Bindings: enabling binds vectors 0..2^MME-1, all or none; a write to
 * address or data while enabled rebinds (unbind, then bind the new
 * message); disabling unbinds.  pvhdev allocates no host vectors, so
 * the message the hypervisor programs is the one it bound: dom0's, once
 * validated (docs/interrupts.md).
 */
#include "msi/msi.h"

int pvhdev__msi_decode(uint64_t addr, uint32_t data, struct pvhdev_event *ev)
{
	/* The interrupt window, 0xFEE00000-0xFEEFFFFF, lies below 4 GiB. */
	if (addr >> 20 != 0xfee)
		return -EINVAL;
	ev->u.irq.dest = (uint32_t)(addr >> 12) & 0xff;
	ev->u.irq.vector = (uint8_t)data;
	ev->u.irq.delivery = (uint8_t)((data >> 8) & 7);
	return 0;
}

/* ---- Helpers ---- */

/* The mask register's bits for the vectors the device can send. */
static uint32_t cap_bits(const struct pvhdev__msi_dev *m)
{
	return m->mmc >= MSI_LOG2_MAX ? 0xffffffffu : (1u << (1u << m->mmc)) - 1;
}

/* Vector i of n sends data with its low log2(n) bits replaced by i. */
static uint32_t vec_data(uint32_t data, unsigned i, unsigned n)
{
	return (data & ~(n - 1)) | i;
}

static int emit_vec(struct pvhdev__msi_dev *m, enum pvhdev_event_kind kind,
                    unsigned i, bool masked)
{
	struct pvhdev_event ev = {
		.kind = kind,
		.sbdf = m->dev->sbdf,
		.u.irq = { .index = i, .addr = m->b_addr, .masked = masked,
		           .data = vec_data(m->b_data, i, 1u << m->mme) },
	};

	pvhdev__msi_decode(ev.u.irq.addr, ev.u.irq.data, &ev);
	return pvhdev__emit(m->dev->dom, &ev);
}

static int hw_write(struct pvhdev__msi_dev *m, unsigned off, unsigned size,
                    uint32_t val)
{
	int rc = pvhdev_dev_hw_write(m->dev, off, size, val);
	char s[PVHDEV_SBDF_STRLEN];

	if (rc)
		pvhdev__log(m->dev->dom, PVHDEV_LOG_ERROR,
		            "%s: MSI: hardware write at 0x%x failed: %s",
		            pvhdev_sbdf_str(m->dev->sbdf, s), off, pvhdev_strerror(rc));
	return rc;
}

/* ---- Bindings ---- */

/* MME must not change while bound: vector data depends on it. */
static void unbind_all(struct pvhdev__msi_dev *m)
{
	unsigned n = m->nr_bound;

	for (unsigned i = 0; i < n; i++)
		emit_vec(m, PVHDEV_EV_MSI_UNBIND, i, false);
	m->nr_bound = 0;
}

/* Binds vectors 0..2^MME-1 to dom0's message: all of them or none. */
static int bind_all(struct pvhdev__msi_dev *m)
{
	struct pvhdev_event probe;
	char s[PVHDEV_SBDF_STRLEN];
	unsigned n = 1u << m->mme;

	pvhdev_sbdf_str(m->dev->sbdf, s);
	if (pvhdev__msi_decode(m->addr, m->data, &probe)) {
		pvhdev__log(m->dev->dom, PVHDEV_LOG_WARN,
		            "%s: MSI: address 0x%llx is not an interrupt address "
		            "(0xfeexxxxx): not bound", s, (unsigned long long)m->addr);
		return -EINVAL;
	}
	m->b_addr = m->addr;
	m->b_data = m->data;
	for (unsigned i = 0; i < n; i++) {
		int rc = emit_vec(m, PVHDEV_EV_MSI_BIND, i, false);
		if (rc) {
			pvhdev__log(m->dev->dom, PVHDEV_LOG_WARN,
			            "%s: MSI: vector %u refused by the hypervisor: "
			            "not bound", s, i);
			m->nr_bound = (uint8_t)i;
			unbind_all(m);
			return rc;
		}
	}
	m->nr_bound = (uint8_t)n;
	return 0;
}

/* ---- What reaches the hardware ---- */

/* The bound message, written while the device's MSI is off or (on a
 * rebind) before any vector can use it. */
static int hw_msg(struct pvhdev__msi_dev *m)
{
	int rc = hw_write(m, m->cap + MSI_ADDR_LO, 4, (uint32_t)m->b_addr);

	if (!rc && m->is64)
		rc = hw_write(m, m->cap + MSI_ADDR_HI, 4, (uint32_t)(m->b_addr >> 32));
	if (!rc)
		rc = hw_write(m, m->data_off, 2, m->b_data);
	return rc;
}

/* Binds dom0's message and puts it in the device; a message the device
 * did not take is unbound again, so the device is never enabled with a
 * message other than the bound one. */
static void bind_program(struct pvhdev__msi_dev *m)
{
	if (!bind_all(m) && hw_msg(m))
		unbind_all(m);
}

/* The device's enable follows the binding; MME is dom0's while bound.
 * Extended message data stays off: pvhdev hides it. */
static void hw_ctrl_sync(struct pvhdev__msi_dev *m)
{
	uint16_t want = m->hw_ctrl & (uint16_t)~MSI_CTRL_ENABLE;

	if (m->nr_bound)
		want = (uint16_t)((want & ~(MSI_CTRL_MME | MSI_CTRL_EXT_EN)) |
		                  MSI_CTRL_ENABLE | m->mme << MSI_CTRL_MME_SHIFT);
	if (want != m->hw_ctrl && !hw_write(m, m->cap + MSI_CTRL, 2, want))
		m->hw_ctrl = want;
}

/* The device's mask bits are dom0's | the host's.  A bound vector whose
 * bit changes is a mask effect, logged before the write that does it. */
static void mask_sync(struct pvhdev__msi_dev *m)
{
	uint32_t want = (m->guest_mask | m->host_mask) & cap_bits(m);
	uint32_t diff = want ^ m->hw_mask;

	if (!m->pvm || !diff)
		return;
	for (unsigned i = 0; i < m->nr_bound; i++)
		if (diff >> i & 1)
			emit_vec(m, PVHDEV_EV_MSI_MASK, i, want >> i & 1);
	if (!hw_write(m, m->data_off + MSI_MASK_FROM_DATA, 4, want))
		m->hw_mask = want;
}

/* dom0 changed its message: while enabled, the binding follows it. */
static void msg_changed(struct pvhdev__msi_dev *m)
{
	if (!m->enabled ||
	    (m->nr_bound && m->b_addr == m->addr && m->b_data == m->data))
		return;
	unbind_all(m);
	bind_program(m);
	hw_ctrl_sync(m);
}

/* ---- Register handlers ---- */

static enum pvhdev_verdict ctrl_read(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t *val)
{
	const struct pvhdev__msi_dev *m = reg->opaque;

	(void)dev;
	/* Multiple Message Capable as the hardware has it, reserved values
	 * (6, 7) included: read-only bits are the hardware's.  pvhdev itself
	 * uses it clamped to 32 vectors (m->mmc). */
	*val = (m->hw_ctrl & MSI_CTRL_MMC) |
	       (uint32_t)m->mme << MSI_CTRL_MME_SHIFT |
	       (m->is64 ? MSI_CTRL_64 : 0) | (m->pvm ? MSI_CTRL_PVM : 0) |
	       (m->enabled ? MSI_CTRL_ENABLE : 0);
	return PVHDEV_DONE;
}

/* Enable and MME.  MME above what the device can send means what it can
 * send (as Xen's vPCI does).  Enabling binds; disabling unbinds; a new
 * MME while enabled rebinds with the new count. */
static enum pvhdev_verdict ctrl_write(struct pvhdev_dev *dev,
                                      const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__msi_dev *m = reg->opaque;
	unsigned mme = (val & MSI_CTRL_MME) >> MSI_CTRL_MME_SHIFT;
	bool en = val & MSI_CTRL_ENABLE;

	(void)dev;
	if (mme > m->mmc)
		mme = m->mmc;
	if (en == m->enabled && mme == m->mme)
		return PVHDEV_DONE;
	unbind_all(m);
	m->enabled = en;
	m->mme = (uint8_t)mme;
	if (en)
		bind_program(m);
	hw_ctrl_sync(m);
	return PVHDEV_DONE;
}

static enum pvhdev_verdict lo_read(struct pvhdev_dev *dev,
                                   const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	*val = (uint32_t)((const struct pvhdev__msi_dev *)reg->opaque)->addr;
	return PVHDEV_DONE;
}

static enum pvhdev_verdict lo_write(struct pvhdev_dev *dev,
                                    const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__msi_dev *m = reg->opaque;

	(void)dev;
	m->addr = (m->addr & ~(uint64_t)0xffffffffu) | (val & ~MSI_ADDR_RSVD);
	msg_changed(m);
	return PVHDEV_DONE;
}

static enum pvhdev_verdict hi_read(struct pvhdev_dev *dev,
                                   const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	*val = (uint32_t)(((const struct pvhdev__msi_dev *)reg->opaque)->addr >> 32);
	return PVHDEV_DONE;
}

static enum pvhdev_verdict hi_write(struct pvhdev_dev *dev,
                                    const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__msi_dev *m = reg->opaque;

	(void)dev;
	m->addr = (uint32_t)m->addr | (uint64_t)val << 32;
	msg_changed(m);
	return PVHDEV_DONE;
}

static enum pvhdev_verdict data_read(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	*val = ((const struct pvhdev__msi_dev *)reg->opaque)->data;
	return PVHDEV_DONE;
}

static enum pvhdev_verdict data_write(struct pvhdev_dev *dev,
                                      const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__msi_dev *m = reg->opaque;

	(void)dev;
	m->data = (uint16_t)val;
	msg_changed(m);
	return PVHDEV_DONE;
}

/* dom0 reads its own mask bits, never the host's. */
static enum pvhdev_verdict mask_read(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	*val = ((const struct pvhdev__msi_dev *)reg->opaque)->guest_mask;
	return PVHDEV_DONE;
}

static enum pvhdev_verdict mask_write(struct pvhdev_dev *dev,
                                      const struct pvhdev_reg *reg, uint32_t val)
{
	struct pvhdev__msi_dev *m = reg->opaque;

	(void)dev;
	m->guest_mask = val & cap_bits(m);
	mask_sync(m);
	return PVHDEV_DONE;
}

/* Pending bits are the device's: reads pass, writes are dropped. */
static enum pvhdev_verdict pend_read(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	(void)reg;
	(void)val;
	return PVHDEV_PASS;
}

/* ---- Module ---- */

/* dom0's view starts as the hardware is: the message and mask bits it
 * holds, MME as found.  Nothing is bound, so a device found enabled
 * (firmware, an earlier owner) is disabled: see msi_quiesce(). */
static int hw_load(struct pvhdev__msi_dev *m)
{
	struct pvhdev_dev *dev = m->dev;
	uint32_t ctrl, lo = 0, hi = 0, data = 0, mask = 0;
	int rc = pvhdev_dev_hw_read(dev, m->cap + MSI_CTRL, 2, &ctrl);

	m->hw_ctrl = (uint16_t)ctrl;
	m->is64 = ctrl & MSI_CTRL_64;
	m->pvm = ctrl & MSI_CTRL_PVM;
	m->mmc = (uint8_t)((ctrl & MSI_CTRL_MMC) >> MSI_CTRL_MMC_SHIFT);
	m->mmc = m->mmc > MSI_LOG2_MAX ? MSI_LOG2_MAX : m->mmc;
	m->mme = (uint8_t)((ctrl & MSI_CTRL_MME) >> MSI_CTRL_MME_SHIFT);
	m->mme = m->mme > m->mmc ? m->mmc : m->mme;
	m->enabled = ctrl & MSI_CTRL_ENABLE;
	m->data_off = (uint16_t)(m->cap + (m->is64 ? MSI_DATA_64 : MSI_DATA_32));
	if (!rc)
		rc = pvhdev_dev_hw_read(dev, m->cap + MSI_ADDR_LO, 4, &lo);
	if (!rc && m->is64)
		rc = pvhdev_dev_hw_read(dev, m->cap + MSI_ADDR_HI, 4, &hi);
	if (!rc)
		rc = pvhdev_dev_hw_read(dev, m->data_off, 2, &data);
	if (!rc && m->pvm)
		rc = pvhdev_dev_hw_read(dev, m->data_off + MSI_MASK_FROM_DATA, 4, &mask);
	m->addr = (uint64_t)hi << 32 | (lo & ~MSI_ADDR_RSVD);
	m->data = (uint16_t)data;
	m->hw_mask = mask;
	m->guest_mask = mask & cap_bits(m);
	return rc;
}

#define REG(o, s, r, w) \
	{ .off = (uint16_t)(o), .size = (s), .read = (r), .write = (w), .opaque = m }

static int regs_add(struct pvhdev__msi_dev *m)
{
	unsigned c = m->cap, d = m->data_off, n = 0;
	struct pvhdev_reg regs[7] = {
		REG(c + MSI_CTRL, 2, ctrl_read, ctrl_write),
		REG(c + MSI_ADDR_LO, 4, lo_read, lo_write),
		REG(d, 2, data_read, data_write),
	};
	int rc = 0;

	regs[0].ro_mask = MSI_CTRL_RO;
	regs[0].rsvdp_mask = MSI_CTRL_HIDDEN;
	regs[1].rsvdp_mask = MSI_ADDR_RSVD;
	n = 3;
	if (m->is64)
		regs[n++] = (struct pvhdev_reg)REG(c + MSI_ADDR_HI, 4, hi_read, hi_write);
	if (m->pvm) {
		/* The 16 bits between data and mask (extended message data on
		 * PCIe 4.0 parts, which pvhdev hides): read 0, writes absorbed. */
		regs[n++] = (struct pvhdev_reg)REG(d + MSI_RSVD_FROM_DATA, 2,
		                                   pvhdev__read_zero, pvhdev__write_absorb);
		regs[n++] = (struct pvhdev_reg)REG(d + MSI_MASK_FROM_DATA, 4, mask_read,
		                                   mask_write);
		regs[n++] = (struct pvhdev_reg)REG(d + MSI_PEND_FROM_DATA, 4, pend_read,
		                                   NULL);
	}
	for (unsigned i = 0; i < n && !rc; i++)
		rc = pvhdev_reg_add(m->dev, &regs[i]);
	return rc;
}

#undef REG

/* Nothing bound, MSI off in the device and in dom0's view. */
static void msi_quiesce(struct pvhdev__msi_dev *m)
{
	unbind_all(m);
	m->enabled = false;
	hw_ctrl_sync(m);
}

static int msi_dev_add(struct pvhdev_dev *dev)
{
	struct pvhdev__msi_dev *m;
	unsigned cap;
	int rc;

	if (pvhdev_dev_find_cap(dev, PCI_CAP_ID_MSI, &cap))
		return 0;
	m = pvhdev__zalloc(dev->dom, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->dev = dev;
	m->cap = (uint16_t)cap;
	rc = hw_load(m);
	if (!rc)
		rc = regs_add(m);
	/* Found enabled with nothing bound: the control write that turns
	 * it off is the event that says so. */
	if (!rc && m->enabled)
		msi_quiesce(m);
	if (rc) {
		/* The device add fails: its registers go with it. */
		pvhdev__free(dev->dom, m, sizeof(*m));
		return rc;
	}
	dev->msi = m;
	return 0;
}

/* The hypervisor releases the vectors.  A device removed from dom0 is
 * left quiet (MSI off), so that nothing it sends outlives the binding;
 * a device being hidden is the hypervisor's own and keeps its state,
 * and domain teardown writes nothing. */
static void msi_dev_remove(struct pvhdev_dev *dev)
{
	struct pvhdev__msi_dev *m = dev->msi;

	if (!m)
		return;
	if (!dev->hidden && !dev->dom->freeing)
		msi_quiesce(m);
	unbind_all(m);
	pvhdev__free(dev->dom, m, sizeof(*m));
	dev->msi = NULL;
}

/* After a reset MSI is off in the hardware with no message: the
 * bindings go (events) and dom0's view starts from the hardware again,
 * as at device add.  The host's masks stay the host's and go back into
 * the device's mask bits. */
static void msi_dev_reset(struct pvhdev_dev *dev)
{
	struct pvhdev__msi_dev *m = dev->msi;

	if (!m)
		return;
	unbind_all(m);
	if (!hw_load(m) && m->enabled)
		msi_quiesce(m);
	mask_sync(m);
}

/* ---- Public API ---- */

static struct pvhdev__msi_dev *msi_of(const struct pvhdev_domain *dom,
                                      pvhdev_sbdf_t sbdf, unsigned vector,
                                      int *rc)
{
	const struct pvhdev_dev *dev = pvhdev__dev_lookup(dom, sbdf);

	*rc = -ENODEV;
	if (!dev || !dev->present || dev->hidden)
		return NULL;
	*rc = -ENOENT;
	if (!dev->msi)
		return NULL;
	*rc = -ERANGE;
	if (vector >= 1u << dev->msi->mmc)
		return NULL;
	*rc = 0;
	return dev->msi;
}

int pvhdev_msi_host_mask(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                         unsigned vector, bool masked)
{
	int rc;
	struct pvhdev__msi_dev *m = msi_of(dom, sbdf, vector, &rc);

	if (!m)
		return rc;
	if (!m->pvm)
		return -EOPNOTSUPP;
	if (masked)
		m->host_mask |= 1u << vector;
	else
		m->host_mask &= ~(1u << vector);
	mask_sync(m);
	return 0;
}

int pvhdev_msi_binding(const struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                       unsigned vector, struct pvhdev_irq_binding *out)
{
	int rc;
	const struct pvhdev__msi_dev *m = msi_of(dom, sbdf, vector, &rc);
	struct pvhdev_event ev;
	unsigned n;

	memset(out, 0, sizeof(*out));
	if (!m)
		return rc;
	n = 1u << m->mme;
	out->bound = vector < m->nr_bound;
	out->guest_masked = m->guest_mask >> vector & 1;
	out->host_masked = m->host_mask >> vector & 1;
	out->addr = out->bound ? m->b_addr : m->addr;
	out->data = out->bound ? m->b_data : m->data;
	if (vector < n)
		out->data = vec_data(out->data, vector, n);
	if (!pvhdev__msi_decode(out->addr, out->data, &ev)) {
		out->dest = ev.u.irq.dest;
		out->vector = ev.u.irq.vector;
		out->delivery = ev.u.irq.delivery;
	}
	return 0;
}

/* ---- Invariants ---- */

/* The capability as the hardware holds it now. */
struct msi_hw {
	uint32_t ctrl, lo, hi, data, mask;
	bool pvm;
};

static int hw_state(struct pvhdev_dev *dev, unsigned cap, struct msi_hw *h)
{
	struct pvhdev_domain *dom = dev->dom;
	unsigned d;
	int rc = pvhdev__hw_cfg_read(dom, dev->sbdf, cap + MSI_CTRL, 2, &h->ctrl);

	h->hi = h->mask = 0;
	h->pvm = h->ctrl & MSI_CTRL_PVM;
	d = cap + (h->ctrl & MSI_CTRL_64 ? MSI_DATA_64 : MSI_DATA_32);
	if (!rc)
		rc = pvhdev__hw_cfg_read(dom, dev->sbdf, cap + MSI_ADDR_LO, 4, &h->lo);
	if (!rc && (h->ctrl & MSI_CTRL_64))
		rc = pvhdev__hw_cfg_read(dom, dev->sbdf, cap + MSI_ADDR_HI, 4, &h->hi);
	if (!rc)
		rc = pvhdev__hw_cfg_read(dom, dev->sbdf, d, 2, &h->data);
	if (!rc && h->pvm)
		rc = pvhdev__hw_cfg_read(dom, dev->sbdf, d + MSI_MASK_FROM_DATA, 4, &h->mask);
	return rc;
}

static int msi_fail(struct pvhdev_dev *dev, char *msg, size_t len, const char *what,
                    unsigned i, uint32_t a, uint32_t b)
{
	char s[PVHDEV_SBDF_STRLEN];

	return pvhdev__check_fail(msg, len, "%s: MSI: vector %u: %s (0x%x, 0x%x)",
	                          pvhdev_sbdf_str(dev->sbdf, s), i, what, a, b);
}

/* Every vector the device can send now (enabled, unmasked in the
 * hardware) is bound with the message the hardware holds; every host
 * mask pvhdev set is in the hardware's mask bits. */
static int msi_check_dev(struct pvhdev_dev *dev, char *msg, size_t len)
{
	const struct pvhdev__msi_dev *m = dev->msi;
	bool live = pvhdev__check_on(dev->dom, PVHDEV__CK_MSI_LIVE);
	bool hmask = pvhdev__check_on(dev->dom, PVHDEV__CK_MSI_HMASK);
	bool bound = m && m->nr_bound && pvhdev__check_on(dev->dom, PVHDEV__CK_MSI_BOUND);
	struct msi_hw h;
	unsigned cap, n;

	if ((!live && !hmask && !bound) || pvhdev_dev_find_cap(dev, PCI_CAP_ID_MSI, &cap) ||
	    hw_state(dev, cap, &h))
		return 0;
	/* What pvhdev bound is what the device sends: on, with the bound
	 * message (a reset it did not see leaves bindings of nothing). */
	if (bound && !(h.ctrl & MSI_CTRL_ENABLE))
		return msi_fail(dev, msg, len, "bound, MSI off in the device", 0, h.ctrl,
		                m->nr_bound);
	n = 1u << ((h.ctrl & MSI_CTRL_MME) >> MSI_CTRL_MME_SHIFT);
	n = n > 32 ? 32 : n;
	for (unsigned i = 0; bound && i < m->nr_bound; i++)
		if (m->b_addr != ((uint64_t)h.hi << 32 | (h.lo & ~MSI_ADDR_RSVD)) ||
		    vec_data(m->b_data, i, n) != vec_data(h.data, i, n))
			return msi_fail(dev, msg, len, "bound, another message in the device",
			                i, h.lo, h.data);
	if ((!live && !hmask) || !(h.ctrl & MSI_CTRL_ENABLE))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t addr = (uint64_t)h.hi << 32 | (h.lo & ~MSI_ADDR_RSVD);
		bool masked = h.pvm && (h.mask >> i & 1);
		if (hmask && m && (m->host_mask >> i & 1) && !masked)
			return msi_fail(dev, msg, len, "host-masked, unmasked in the device",
			                i, h.ctrl, h.mask);
		if (!live || masked)
			continue;
		if (!m || i >= m->nr_bound)
			return msi_fail(dev, msg, len, "live in the device, not bound", i,
			                h.ctrl, h.data);
		if (m->b_addr != addr || vec_data(m->b_data, i, n) != vec_data(h.data, i, n))
			return msi_fail(dev, msg, len, "live with another message than bound",
			                i, (uint32_t)addr, h.data);
	}
	return 0;
}

const struct pvhdev__module pvhdev__msi_module = {
	.name = "msi",
	.dev_add = msi_dev_add,
	.dev_remove = msi_dev_remove,
	.dev_reset = msi_dev_reset,
	.check_dev = msi_check_dev,
};
