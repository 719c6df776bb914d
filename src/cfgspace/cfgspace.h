/* SPDX-License-Identifier: MIT */
/* src/cfgspace's private header: what the decoders share with the
 * dispatcher. */
#ifndef PVHDEV_CFGSPACE_H
#define PVHDEV_CFGSPACE_H

#include "core/core.h"

/* CONFIG_ADDRESS (port 0xCF8):
 *
 *   31  30     24 23   16 15  11 10  8 7    2 1 0
 *  +--+---------+-------+------+-----+------+---+
 *  |E | reserved|  bus  | dev  | fn  | reg  | 0 |
 *  +--+---------+-------+------+-----+------+---+
 */
#define CF8_ENABLE PVHDEV_PCI_CF8_ENABLE
#define CF8_PORT 0xcf8
#define CFC_PORT 0xcfc

/* ECAM: one 4 KiB page per function, 1 MiB per bus. */
#define ECAM_BUS_SHIFT 20

#endif
