/* SPDX-License-Identifier: MIT */
/*
 * The platform a domain runs on, dom0's boot, and the p2m model.
 *
 *   struct pvhdev_platform     e820, ACPI tables, MCFG, IO-APICs, LAPIC,
 *                              hidden devices, hypervisor-reserved ranges
 *   struct pvhdev_p2m_range    one range of dom0's physical-to-machine map
 *
 * Boot builds dom0's identity map the way a PVH dom0 builder does:
 * non-RAM below 1 MiB identity mapped (RAM there is populated and
 * copied, recorded as ram-copy), e820 ACPI (3) and NVS (4) regions,
 * top-level ACPI tables outside RAM, and the BARs of every device whose
 * memory decoding is on.  MMCFG, IO-APIC and LAPIC pages are never
 * mapped: they are trapped.
 */
#ifndef PVHDEV_PLATFORM_H
#define PVHDEV_PLATFORM_H

#include <pvhdev/pvhdev.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PVHDEV_PAGE_SHIFT 12
#define PVHDEV_PAGE_SIZE (1ull << PVHDEV_PAGE_SHIFT)
#define PVHDEV_LAPIC_DEFAULT 0xfee00000ull

enum pvhdev_e820_type {
	PVHDEV_E820_RAM = 1,
	PVHDEV_E820_RESERVED = 2,
	PVHDEV_E820_ACPI = 3,
	PVHDEV_E820_NVS = 4,
	PVHDEV_E820_UNUSABLE = 5,
};

struct pvhdev_e820_entry {
	uint64_t addr, size; /* bytes */
	uint32_t type;       /* enum pvhdev_e820_type, or another e820 type */
};

struct pvhdev_acpi_table {
	char sig[5];   /* "FACP", NUL-terminated */
	uint64_t addr; /* bytes */
	uint32_t len;  /* bytes */
};

struct pvhdev_mcfg {
	uint64_t addr; /* where bus 0 of the segment would be, as in MCFG */
	uint16_t seg;
	uint8_t start_bus, end_bus;
};

struct pvhdev_ioapic_desc {
	uint8_t id;
	uint64_t addr;     /* MMIO base, bytes */
	uint32_t gsi_base;
	uint16_t pins;
};

struct pvhdev_mem_range {
	uint64_t addr, size; /* bytes */
};

struct pvhdev_platform {
	size_t size; /* sizeof(struct pvhdev_platform) */
	const struct pvhdev_e820_entry *e820;
	size_t nr_e820;
	const struct pvhdev_acpi_table *acpi;
	size_t nr_acpi;
	const struct pvhdev_mcfg *mcfg;
	size_t nr_mcfg;
	const struct pvhdev_ioapic_desc *ioapics;
	size_t nr_ioapics;
	uint64_t lapic_addr; /* 0: PVHDEV_LAPIC_DEFAULT */
	const pvhdev_sbdf_t *hidden;
	size_t nr_hidden;
	/* What the hypervisor keeps for itself: never mapped to dom0. */
	const struct pvhdev_mem_range *reserved;
	size_t nr_reserved;
};

/* Registers the platform's MCFG windows and IO-APICs, hides devices,
 * builds the boot identity map, scans and adds every device (one whose
 * add fails is left out, as pvhdev_domain_scan() says), then marks boot
 * complete: from then on map/unmap work is deferred.  Once only. */
PVHDEV_API int pvhdev_domain_boot(struct pvhdev_domain *dom,
                                  const struct pvhdev_platform *plat);
PVHDEV_API bool pvhdev_domain_booted(const struct pvhdev_domain *dom);

enum pvhdev_p2m_type {
	PVHDEV_P2M_IDENTITY, /* gfn == mfn, device or firmware memory */
	PVHDEV_P2M_RAM,      /* populated RAM (contents copied) */
};

struct pvhdev_p2m_range {
	uint64_t gfn, nr, mfn;        /* pages */
	enum pvhdev_p2m_type type;
	enum pvhdev_map_reason reason;
	pvhdev_sbdf_t owner;          /* device for BAR/ROM/VF ranges */
	int bar;                      /* BAR index 0-5, 6 ROM, 7+ VF BAR i-7; -1 */
};

/* The range holding gfn; -ENOENT when gfn is not mapped. O(log n). */
PVHDEV_API int pvhdev_p2m_query(const struct pvhdev_domain *dom, uint64_t gfn,
                                struct pvhdev_p2m_range *out);
/* Calls fn for each range in gfn order; stops at a non-zero return. */
PVHDEV_API int pvhdev_p2m_foreach(const struct pvhdev_domain *dom,
                                  int (*fn)(void *arg, const struct pvhdev_p2m_range *r),
                                  void *arg);
PVHDEV_API size_t pvhdev_p2m_count(const struct pvhdev_domain *dom);

/* A device's BARs as pvhdev models them. */
struct pvhdev_bar_info {
	uint64_t addr; /* bytes: where it is mapped, else what its register holds */
	uint64_t size; /* bytes (VF BARs: one VF's) */
	bool mem;      /* memory (else IO) */
	bool is64;
	bool prefetch;
	bool mapped;   /* identity mapping scheduled or done */
};

/* bir: 0-5 BARs, 6 the expansion ROM, 7-12 SR-IOV VF BARs 0-5.
 * -ENOENT when that BAR is not implemented. */
PVHDEV_API int pvhdev_dev_bar(const struct pvhdev_dev *dev, unsigned bir,
                              struct pvhdev_bar_info *out);

struct pvhdev_sriov_info {
	unsigned pos;         /* capability offset */
	uint16_t total_vfs;
	uint16_t num_vfs;     /* NumVFs when VFs were enabled */
	uint16_t nr_vfs;      /* VFs added as devices */
	uint16_t first_offset, stride; /* routing ID arithmetic, at enable */
	bool vf_enable, vf_mse;        /* as the hardware says now */
};

/* -ENOENT when the device has no SR-IOV capability pvhdev found. */
PVHDEV_API int pvhdev_dev_sriov(const struct pvhdev_dev *dev,
                                struct pvhdev_sriov_info *out);
/* Whether dev is an SR-IOV VF, and its PF. */
PVHDEV_API bool pvhdev_dev_is_vf(const struct pvhdev_dev *dev, pvhdev_sbdf_t *pf);

/* Drains deferred map/unmap work, at most budget pages of it (0: all),
 * like a preemptible hypercall continuation.  *more says whether work
 * is left.  A command register write that waited for the p2m reaches
 * the hardware when its work completes. */
PVHDEV_API int pvhdev_process_pending(struct pvhdev_domain *dom, uint64_t budget,
                                      bool *more);

#ifdef __cplusplus
}
#endif
#endif
