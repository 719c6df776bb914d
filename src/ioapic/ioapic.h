/* SPDX-License-Identifier: MIT */
/*
 * src/ioapic's private header: virtual IO-APICs, one per physical one,
 * as the MADT gives them (id, MMIO base, GSI base, pin count).
 *
 * MMIO window of one IO-APIC (byte offsets from its base address):
 *
 *   0x00  IOREGSEL  bits 7:0 select a register; bits 31:8 reserved
 *   0x10  IOWIN     the selected 32-bit register
 *   0x40  (EOI on version 0x20 parts; absent here: we model 0x11)
 *   ...   up to IOAPIC_WINDOW: reads as zeros, writes ignored
 *
 * Registers behind IOWIN (IOREGSEL value):
 *
 *   0x00         ID            bits 31:24 (27:24 on Intel, 31:24 on AMD)
 *   0x01         version       bits 23:16 max redirection entry, 7:0 0x11
 *   0x02         arbitration   bits 27:24, read-only
 *   0x10 + 2*p   IOREDTBL[p]   low dword
 *   0x11 + 2*p   IOREDTBL[p]   high dword, destination in bits 31:24
 *
 * Redirection entry, low dword:
 *
 *   31     17 16   15   14   13   12   11  10   8 7      0
 *  +---------+----+----+----+----+----+----+------+--------+
 *  |reserved |mask|trig|rIRR|pol |dsts|dstm| dlvm | vector |
 *  +---------+----+----+----+----+----+----+------+--------+
 *   trig 1: level;  pol 1: active low;  rIRR, dsts: read-only
 */
#ifndef PVHDEV_IOAPIC_PRIV_H
#define PVHDEV_IOAPIC_PRIV_H

#include "core/core.h"

#include <pvhdev/ioapic.h>

/* Window layout, bytes. */
#define IOAPIC_WINDOW PVHDEV_IOAPIC_WINDOW
#define IOAPIC_IOREGSEL 0x00u
#define IOAPIC_IOWIN 0x10u

/* Register indexes (IOREGSEL values). */
#define IOAPIC_REG_ID 0x00u
#define IOAPIC_REG_VERSION 0x01u
#define IOAPIC_REG_ARB 0x02u
#define IOAPIC_REG_REDTBL 0x10u

/* 82093AA: no EOI register, no pin assertion register (bit 15 clear). */
#define IOAPIC_VERSION 0x11u

/* Redirection entry bits (low dword). */
#define RTE_POLARITY (1u << 13)    /* 1: active low */
#define RTE_DELIV_STATUS (1u << 12) /* read-only: send pending */
#define RTE_REMOTE_IRR (1u << 14)   /* read-only: level IRQ in service */
#define RTE_TRIGGER (1u << 15)      /* 1: level */
#define RTE_MASK (1u << 16)
#define RTE_RO (RTE_DELIV_STATUS | RTE_REMOTE_IRR)

struct pvhdev__ioapic_pin {
	uint64_t rte;       /* the redirection entry as dom0 sees it */
	uint8_t bound;      /* GSI bound to dom0 (PIRQ == GSI) */
	uint8_t level;      /* the binding's trigger mode: 1 level */
	uint8_t active_low; /* the binding's polarity: 1 active low */
};

struct pvhdev__ioapic {
	struct pvhdev__mmio_region trap; /* [addr, addr + IOAPIC_WINDOW) */
	struct pvhdev_domain *dom;
	uint64_t addr;     /* MMIO base, bytes */
	uint32_t gsi_base; /* GSI of pin 0 */
	unsigned pins;     /* redirection entries, 1..PVHDEV_IOAPIC_MAX_PINS */
	uint8_t id;        /* ID as the MADT gives it */
	uint8_t reg_id;    /* ID register as dom0 last wrote it */
	uint8_t regsel;    /* IOREGSEL, 8 bits */
	struct pvhdev__ioapic_pin pin[]; /* pins entries */
};

/* Every IO-APIC of the domain, sorted by GSI base (GSI ranges never
 * overlap, so this also sorts by last GSI): binary search finds a GSI's
 * IO-APIC in O(log n). */
struct pvhdev__ioapic_set {
	struct pvhdev__ioapic **by_gsi; /* count used, cap allocated */
	unsigned count, cap;
};

extern const struct pvhdev__module pvhdev__ioapic_module;

#endif
