/* SPDX-License-Identifier: MIT */
/*
 * Register names for people (src/pci/names.c): what a config offset is
 * called in a header of a type, or in a capability.  Each returns the
 * name of the register holding off and its first byte in *start, or
 * NULL where nothing is named.
 */
#ifndef PVHDEV_PCI_NAMES_H
#define PVHDEV_PCI_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "pci/regs.h"

/* off < 0x40: "COMMAND", "BAR2", "BRIDGE_CONTROL", ... */
const char *pvhdev__pci_header_reg(unsigned hdr_type, unsigned off, unsigned *start);
/* "PM", "MSI", "PCIe", "MSI-X", "AF"; ext: "SR-IOV". */
const char *pvhdev__pci_cap_name(uint16_t id, bool ext);
/* off from the capability's start: "ID", "NEXT" (extended: "HEADER")
 * for any capability, and "FLAGS", "DEVCTL", "BAR0", ... for those
 * pvhdev__pci_cap_name knows. */
const char *pvhdev__pci_cap_reg(uint16_t id, bool ext, unsigned off, unsigned *start);

#endif
