/* SPDX-License-Identifier: MIT */
/*
 * Virtual IO-APICs: one per physical IO-APIC, as the MADT gives them.
 *
 * Each IO-APIC traps a PVHDEV_IOAPIC_WINDOW-byte MMIO window at its base
 * address (reached through pvhdev_mmio_read / pvhdev_mmio_write) and
 * owns the GSIs gsi_base .. gsi_base + pins - 1.  When dom0 clears the
 * mask bit of a redirection entry, the pin's GSI is bound to dom0
 * (PIRQ == GSI) with the entry's trigger mode and polarity: a gsi-bind
 * effect.  See docs/ioapic.md.
 *
 * Indexes count IO-APICs in GSI-base order, from 0; adding an IO-APIC
 * below others renumbers them.
 */
#ifndef PVHDEV_IOAPIC_H
#define PVHDEV_IOAPIC_H

#include <pvhdev/pvhdev.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes trapped at each IO-APIC's base address. */
#define PVHDEV_IOAPIC_WINDOW 0x100u
/* IOREGSEL is 8 bits and the table starts at 0x10, two registers per
 * entry: (0x100 - 0x10) / 2 entries can be addressed. */
#define PVHDEV_IOAPIC_MAX_PINS 120u

struct pvhdev_ioapic_info {
	uint64_t addr;     /* MMIO base, bytes */
	uint32_t gsi_base; /* GSI of pin 0 */
	unsigned pins;     /* redirection entries */
	uint8_t id;        /* IO-APIC ID as given to pvhdev_ioapic_add() */
};

/* Adds the IO-APIC with this id whose window starts at addr (16-byte
 * aligned) and whose pins are GSIs gsi_base.. gsi_base + pins - 1.
 * -EINVAL: pins is 0 or above PVHDEV_IOAPIC_MAX_PINS, addr is not
 * aligned, or the window or the GSI range wraps.  -EEXIST: the GSI
 * range overlaps another IO-APIC's, or the window overlaps another
 * trapped range.  -ENOMEM.  Nothing changes on failure. */
PVHDEV_API int pvhdev_ioapic_add(struct pvhdev_domain *dom, uint8_t id, uint64_t addr,
                                 uint32_t gsi_base, unsigned pins);

/* Number of IO-APICs added so far. */
PVHDEV_API int pvhdev_ioapic_count(const struct pvhdev_domain *dom, unsigned *count);

/* The IO-APIC at index (GSI order); -ENOENT past the last. */
PVHDEV_API int pvhdev_ioapic_get(const struct pvhdev_domain *dom, unsigned index,
                                 struct pvhdev_ioapic_info *info);

/* The IO-APIC (index) and pin that carry gsi, in O(log n) IO-APICs;
 * -ENOENT when no IO-APIC has it (gaps between ranges, past the last).
 * Either out-parameter may be NULL. */
PVHDEV_API int pvhdev_gsi_lookup(const struct pvhdev_domain *dom, uint32_t gsi,
                                 unsigned *index, unsigned *pin);

/* Whether gsi is bound to dom0 and, when it is, with which trigger mode
 * (level: true, edge: false) and polarity (active_low).  Unbound GSIs
 * report false for all three.  -ENOENT as pvhdev_gsi_lookup().  Any
 * out-parameter may be NULL. */
PVHDEV_API int pvhdev_gsi_binding(const struct pvhdev_domain *dom, uint32_t gsi,
                                  bool *bound, bool *level, bool *active_low);

#ifdef __cplusplus
}
#endif
#endif
