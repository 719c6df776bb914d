/* SPDX-License-Identifier: MIT */
/*
 * Register names for people (transcripts: "00:19.0 +0x04 COMMAND"),
 * from the offsets src/pci/regs.h names: the header registers of each
 * header type, the capabilities pvhdev models and their registers.
 * Each table row is a register's first byte and its size; a row's name
 * is pciutils' without its prefix.  Freestanding.
 */
#include "pci/names.h"

#include <stddef.h>

struct reg_name {
	uint16_t off;
	uint8_t size;
	const char *name;
};

#define ROW(name, size) { PVHDEV_PCI_##name, size, #name }

static const struct reg_name common[] = {
	ROW(VENDOR_ID, 2), ROW(DEVICE_ID, 2), ROW(COMMAND, 2), ROW(STATUS, 2),
	{ PVHDEV_PCI_CLASS_REVISION, 1, "REVISION" },
	{ PVHDEV_PCI_CLASS_REVISION + 1, 3, "CLASS" },
	ROW(CACHE_LINE_SIZE, 1), ROW(LATENCY_TIMER, 1), ROW(HEADER_TYPE, 1),
	{ PVHDEV_PCI_HEADER_TYPE + 1, 1, "BIST" },
	ROW(INTERRUPT_LINE, 1), ROW(INTERRUPT_PIN, 1),
};

static const struct reg_name type0[] = {
	{ PVHDEV_PCI_BASE_ADDRESS_0, 4, "BAR0" }, { PVHDEV_PCI_BASE_ADDRESS_1, 4, "BAR1" },
	{ PVHDEV_PCI_BASE_ADDRESS_2, 4, "BAR2" }, { PVHDEV_PCI_BASE_ADDRESS_3, 4, "BAR3" },
	{ PVHDEV_PCI_BASE_ADDRESS_4, 4, "BAR4" }, { PVHDEV_PCI_BASE_ADDRESS_5, 4, "BAR5" },
	{ PVHDEV_PCI_SUBSYSTEM_VENDOR_ID, 2, "SUBSYSTEM_VENDOR_ID" },
	{ PVHDEV_PCI_SUBSYSTEM_ID, 2, "SUBSYSTEM_ID" },
	{ PVHDEV_PCI_ROM_ADDRESS, 4, "ROM_ADDRESS" }, ROW(CAPABILITY_LIST, 1),
};

static const struct reg_name type1[] = {
	{ PVHDEV_PCI_BASE_ADDRESS_0, 4, "BAR0" }, { PVHDEV_PCI_BASE_ADDRESS_1, 4, "BAR1" },
	ROW(PRIMARY_BUS, 1), ROW(SECONDARY_BUS, 1), ROW(SUBORDINATE_BUS, 1),
	ROW(SEC_LATENCY_TIMER, 1), ROW(IO_BASE, 1), { PVHDEV_PCI_IO_BASE + 1, 1, "IO_LIMIT" },
	ROW(SEC_STATUS, 2), ROW(MEMORY_BASE, 2), { PVHDEV_PCI_MEMORY_BASE + 2, 2, "MEMORY_LIMIT" },
	ROW(PREF_MEMORY_BASE, 2), { PVHDEV_PCI_PREF_MEMORY_BASE + 2, 2, "PREF_MEMORY_LIMIT" },
	ROW(PREF_BASE_UPPER32, 4), ROW(PREF_LIMIT_UPPER32, 4), ROW(IO_BASE_UPPER16, 2),
	{ PVHDEV_PCI_IO_BASE_UPPER16 + 2, 2, "IO_LIMIT_UPPER16" }, ROW(CAPABILITY_LIST, 1),
	ROW(ROM_ADDRESS1, 4), ROW(BRIDGE_CONTROL, 2),
};

/* Capability registers go by their name without the capability's. */
#define CAP(prefix, name, size) { PVHDEV_PCI_##prefix##name, size, #name }

static const struct reg_name pm[] = {
	{ PVHDEV_PCI_CAP_FLAGS, 2, "PMC" }, { PVHDEV_PCI_PM_CTRL, 2, "PMCSR" },
};

static const struct reg_name msi[] = {
	CAP(MSI_, FLAGS, 2), CAP(MSI_, ADDRESS_LO, 4),
};

static const struct reg_name msix[] = {
	CAP(MSIX_, FLAGS, 2), CAP(MSIX_, TABLE, 4), CAP(MSIX_, PBA, 4),
};

static const struct reg_name exp[] = {
	CAP(EXP_, FLAGS, 2), CAP(EXP_, DEVCAP, 4), CAP(EXP_, DEVCTL, 2), CAP(EXP_, DEVSTA, 2),
	CAP(EXP_, LNKCAP, 4), CAP(EXP_, LNKCTL, 2), CAP(EXP_, LNKSTA, 2), CAP(EXP_, SLTCAP, 4),
	CAP(EXP_, SLTCTL, 2), CAP(EXP_, SLTSTA, 2), CAP(EXP_, RTCTL, 2), CAP(EXP_, RTSTA, 4),
	CAP(EXP_, DEVCTL2, 2), CAP(EXP_, LNKCTL2, 2),
};

static const struct reg_name af[] = {
	CAP(AF_, CAP, 1), CAP(AF_, CTRL, 1), { PVHDEV_PCI_AF_CTRL + 1, 1, "STATUS" },
};

static const struct reg_name sriov[] = {
	CAP(IOV_, CTRL, 2), { PVHDEV_PCI_IOV_CTRL + 2, 2, "STATUS" }, CAP(IOV_, TOTALVF, 2),
	CAP(IOV_, NUMVF, 2), CAP(IOV_, OFFSET, 2), CAP(IOV_, STRIDE, 2), CAP(IOV_, DID, 2),
	CAP(IOV_, SYSPS, 4),
	{ PVHDEV_PCI_IOV_BAR_BASE, 4, "BAR0" }, { PVHDEV_PCI_IOV_BAR_BASE + 4, 4, "BAR1" },
	{ PVHDEV_PCI_IOV_BAR_BASE + 8, 4, "BAR2" }, { PVHDEV_PCI_IOV_BAR_BASE + 12, 4, "BAR3" },
	{ PVHDEV_PCI_IOV_BAR_BASE + 16, 4, "BAR4" }, { PVHDEV_PCI_IOV_BAR_BASE + 20, 4, "BAR5" },
};

#undef CAP
#undef ROW

static const char *find(const struct reg_name *t, size_t n, unsigned off, unsigned *start)
{
	for (size_t i = 0; i < n; i++)
		if (off >= t[i].off && off < t[i].off + t[i].size) {
			*start = t[i].off;
			return t[i].name;
		}
	return NULL;
}

#define FIND(t) find(t, sizeof(t) / sizeof((t)[0]), off, start)

const char *pvhdev__pci_header_reg(unsigned hdr_type, unsigned off, unsigned *start)
{
	const char *name = FIND(common);

	if (name || off >= PVHDEV_PCI_STD_HEADER_SIZEOF)
		return name;
	if (hdr_type == PVHDEV_PCI_HEADER_TYPE_NORMAL)
		return FIND(type0);
	return hdr_type == PVHDEV_PCI_HEADER_TYPE_BRIDGE ? FIND(type1) : NULL;
}

const char *pvhdev__pci_cap_name(uint16_t id, bool ext)
{
	if (ext)
		return id == PVHDEV_PCI_EXT_CAP_ID_SRIOV ? "SR-IOV" : NULL;
	switch (id) {
	case PVHDEV_PCI_CAP_ID_PM: return "PM";
	case PVHDEV_PCI_CAP_ID_MSI: return "MSI";
	case PVHDEV_PCI_CAP_ID_EXP: return "PCIe";
	case PVHDEV_PCI_CAP_ID_MSIX: return "MSI-X";
	case PVHDEV_PCI_CAP_ID_AF: return "AF";
	default: return NULL;
	}
}

const char *pvhdev__pci_cap_reg(uint16_t id, bool ext, unsigned off, unsigned *start)
{
	/* Every capability's list entry: ID and next pointer (legacy),
	 * one header dword (extended). */
	*start = ext ? 0 : off;
	if (ext ? off < 4 : off < PVHDEV_PCI_CAP_FLAGS)
		return ext ? "HEADER" : off == PVHDEV_PCI_CAP_LIST_ID ? "ID" : "NEXT";
	if (ext)
		return id == PVHDEV_PCI_EXT_CAP_ID_SRIOV ? FIND(sriov) : NULL;
	switch (id) {
	case PVHDEV_PCI_CAP_ID_PM: return FIND(pm);
	case PVHDEV_PCI_CAP_ID_MSI: return FIND(msi);
	case PVHDEV_PCI_CAP_ID_EXP: return FIND(exp);
	case PVHDEV_PCI_CAP_ID_MSIX: return FIND(msix);
	case PVHDEV_PCI_CAP_ID_AF: return FIND(af);
	default: return NULL;
	}
}
