/* SPDX-License-Identifier: MIT */
/*
 * MSI and MSI-X: what the hypervisor has bound for dom0, and the host's
 * own masking of a vector (see docs/interrupts.md).
 *
 * dom0 programs its devices' MSI capabilities and MSI-X tables; pvhdev
 * traps those accesses, keeps dom0's view of every register, and binds
 * a vector when dom0 turns it on (msi-bind / msix-bind effects).  The
 * host (the hypervisor itself, e.g. while it migrates an interrupt) may
 * mask a vector on its own: what reaches the device is dom0's mask OR
 * the host's, and dom0 never sees nor clears the host's bit.
 *
 * Vectors of an MSI capability count from 0 to 31 (at most the number
 * the capability can send); MSI-X entries from 0 to table size - 1.
 */
#ifndef PVHDEV_IRQ_H
#define PVHDEV_IRQ_H

#include <pvhdev/pvhdev.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One MSI vector or MSI-X entry as pvhdev sees it. */
struct pvhdev_irq_binding {
	bool bound;        /* bound to dom0 now */
	bool guest_masked; /* dom0's mask bit (MSI per-vector mask, MSI-X entry) */
	bool host_masked;  /* the host's own mask (pvhdev_msi(x)_host_mask) */
	/* The message of the binding while bound; dom0's current message
	 * otherwise.  data is this vector's (MSI multi-message: the base
	 * data with the vector number in its low bits). */
	uint64_t addr;
	uint32_t data;
	/* Decoded from addr/data (x86); all 0 when addr is not 0xFEExxxxx. */
	uint32_t dest;    /* destination APIC ID */
	uint8_t vector;
	uint8_t delivery; /* delivery mode, 0..7 */
};

/*
 * Errors, for all four calls:
 *   -ENODEV      no such device, or it is hidden
 *   -ENOENT      the device has no MSI (MSI-X) capability pvhdev handles
 *                (MSI-X whose table failed validation included)
 *   -ERANGE      vector / entry beyond what the capability has
 *   -EOPNOTSUPP  pvhdev_msi_host_mask: no per-vector masking
 */

/* Sets or clears the host's mask of one vector.  The device gets
 * dom0's mask | the host's; a bound vector whose effective mask changes
 * emits msi-mask / msix-mask. */
PVHDEV_API int pvhdev_msi_host_mask(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                                    unsigned vector, bool masked);
PVHDEV_API int pvhdev_msix_host_mask(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                                     unsigned entry, bool masked);

PVHDEV_API int pvhdev_msi_binding(const struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                                  unsigned vector, struct pvhdev_irq_binding *out);
PVHDEV_API int pvhdev_msix_binding(const struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                                   unsigned entry, struct pvhdev_irq_binding *out);

#ifdef __cplusplus
}
#endif
#endif
