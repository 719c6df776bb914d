/* SPDX-License-Identifier: MIT */
/*
 * src/msi's private header: the MSI capability (PCI Local Bus 3.0,
 * 6.8.1), trapped register by register.
 *
 * Offsets from the capability, by variant (PVM: per-vector masking):
 *
 *            32-bit   64-bit   32-bit+PVM  64-bit+PVM
 *   control   +0x02    +0x02     +0x02       +0x02
 *   addr lo   +0x04    +0x04     +0x04       +0x04
 *   addr hi     -      +0x08       -         +0x08
 *   data      +0x08    +0x0c     +0x08       +0x0c   (16 bits)
 *   reserved    -        -       +0x0a       +0x0e   (16 bits)
 *   mask        -        -       +0x0c       +0x10
 *   pending     -        -       +0x10       +0x14
 *
 * Message control:
 *
 *   15     9   8     7    6   4 3   1   0
 *  +--------+-----+-----+-----+-----+------+
 *  |  rsvd  | PVM | 64  | MME | MMC |enable|
 *  +--------+-----+-----+-----+-----+------+
 *   MMC, MME: log2 of vectors capable / enabled.  Bits 15:9 (extended
 *   message data, PCIe 4.0) are hidden: dom0 reads them as 0.
 *
 * x86 message (Intel SDM vol. 3, 11.11):
 *
 *   address  31    20 19      12 11   4  3   2   1 0
 *           +--------+----------+------+---+----+---+
 *           | 0xFEE  |  dest ID | rsvd | RH| DM |   |
 *           +--------+----------+------+---+----+---+
 *   data     15   14   13  11 10     8 7        0
 *           +----+----+------+--------+----------+
 *           |trig|lvl | rsvd |delivery|  vector  |
 *           +----+----+------+--------+----------+
 */
#ifndef PVHDEV_MSI_PRIV_H
#define PVHDEV_MSI_PRIV_H

#include "core/core.h"

#include <pvhdev/irq.h>

#define PCI_CAP_ID_MSI PVHDEV_PCI_CAP_ID_MSI

/* Register offsets from the capability. */
#define MSI_CTRL (unsigned)PVHDEV_PCI_MSI_FLAGS
#define MSI_ADDR_LO (unsigned)PVHDEV_PCI_MSI_ADDRESS_LO
#define MSI_ADDR_HI (unsigned)PVHDEV_PCI_MSI_ADDRESS_HI
#define MSI_DATA_32 (unsigned)PVHDEV_PCI_MSI_DATA_32
#define MSI_DATA_64 (unsigned)PVHDEV_PCI_MSI_DATA_64
/* From the data register. */
#define MSI_RSVD_FROM_DATA 0x02u
#define MSI_MASK_FROM_DATA 0x04u
#define MSI_PEND_FROM_DATA 0x08u

/* Message control bits. */
#define MSI_CTRL_ENABLE (unsigned)PVHDEV_PCI_MSI_FLAGS_ENABLE
#define MSI_CTRL_MMC (unsigned)PVHDEV_PCI_MSI_FLAGS_QMASK
#define MSI_CTRL_MMC_SHIFT 1
#define MSI_CTRL_MME (unsigned)PVHDEV_PCI_MSI_FLAGS_QSIZE
#define MSI_CTRL_MME_SHIFT 4
#define MSI_CTRL_64 (unsigned)PVHDEV_PCI_MSI_FLAGS_64BIT
#define MSI_CTRL_PVM (unsigned)PVHDEV_PCI_MSI_FLAGS_MASK_BIT
#define MSI_CTRL_EXT_EN 0x0400u /* extended message data enable */
#define MSI_CTRL_HIDDEN 0xfe00u /* what dom0 reads as 0 */
#define MSI_CTRL_RO (MSI_CTRL_MMC | MSI_CTRL_64 | MSI_CTRL_PVM)

#define MSI_ADDR_RSVD 0x3u /* address bits 1:0 read 0 */
#define MSI_LOG2_MAX 5u    /* 32 vectors */

struct pvhdev__msi_dev {
	struct pvhdev_dev *dev;
	uint16_t cap;      /* config offset of the capability */
	uint16_t data_off; /* config offset of message data */
	uint16_t hw_ctrl;  /* message control as the hardware holds it */
	uint8_t mmc;       /* log2 of the vectors the device can send */
	uint8_t mme;       /* dom0's log2 of vectors enabled, <= mmc */
	bool is64, pvm;
	bool enabled;      /* dom0's enable bit */
	uint8_t nr_bound;  /* vectors bound now; 0: unbound */
	/* dom0's message, as it reads it back. */
	uint64_t addr;
	uint16_t data;
	/* The message the bound vectors carry (valid while nr_bound). */
	uint64_t b_addr;
	uint16_t b_data;
	/* One bit per vector: dom0's mask, the host's, the hardware's. */
	uint32_t guest_mask, host_mask, hw_mask;
};

extern const struct pvhdev__module pvhdev__msi_module;

#endif
