/* SPDX-License-Identifier: MIT */
/*
 * Names for config-space registers and their bits, the one place in src/
 * that spells them as numbers (scripts/check-pci-facts.sh keeps it so).
 * The names follow pciutils' lib/header.h with a PVHDEV_ prefix; the
 * values are from PCI Local Bus 3.0 (6.2, 6.7, 6.8), the PCI-to-PCI
 * Bridge Architecture 1.2 (3.2), PCI Power Management 1.2 (3.2) and
 * PCIe Base 4.0 (7.5.3, 9.3.3).  Offsets are bytes from the start of
 * config space (header registers) or from a capability's start.
 * Freestanding: macros only, for the core and the host code alike.
 *
 *   0x00 vendor | device      0x04 command | status
 *   0x08 revision, class      0x0c cache line, latency, header type, BIST
 *   0x10..0x27 type 0: BAR0..5; type 1: BAR0..1, buses, IO/mem windows
 *   0x30 type 0: ROM; type 1: IO upper 16 bits   0x34 capabilities pointer
 *   0x38 type 1: ROM          0x3c interrupt line, pin | bridge control
 */
#ifndef PVHDEV_PCI_REGS_H
#define PVHDEV_PCI_REGS_H

/* ---- Every header type ---- */
#define PVHDEV_PCI_VENDOR_ID 0x00            /* 16 bits */
#define PVHDEV_PCI_DEVICE_ID 0x02            /* 16 bits */
#define PVHDEV_PCI_COMMAND 0x04              /* 16 bits */
#define  PVHDEV_PCI_COMMAND_IO 0x0001        /* IO space decode */
#define  PVHDEV_PCI_COMMAND_MEMORY 0x0002    /* memory space decode */
#define  PVHDEV_PCI_COMMAND_MASTER 0x0004    /* bus master */
#define  PVHDEV_PCI_COMMAND_PARITY 0x0040    /* parity error response */
#define  PVHDEV_PCI_COMMAND_SERR 0x0100      /* SERR# enable */
#define  PVHDEV_PCI_COMMAND_DISABLE_INTx 0x0400
#define PVHDEV_PCI_STATUS 0x06               /* 16 bits */
#define  PVHDEV_PCI_STATUS_CAP_LIST 0x0010   /* the capabilities pointer is valid */
#define PVHDEV_PCI_CLASS_REVISION 0x08       /* 32 bits: class << 8 | revision */
#define PVHDEV_PCI_CACHE_LINE_SIZE 0x0c      /* 8 bits */
#define PVHDEV_PCI_LATENCY_TIMER 0x0d        /* 8 bits */
#define PVHDEV_PCI_HEADER_TYPE 0x0e          /* 8 bits */
#define  PVHDEV_PCI_HEADER_TYPE_MASK 0x7f    /* the layout, without ... */
#define  PVHDEV_PCI_HEADER_MULTI_FUNC 0x80   /* ... the multi-function bit */
#define  PVHDEV_PCI_HEADER_TYPE_NORMAL 0
#define  PVHDEV_PCI_HEADER_TYPE_BRIDGE 1
#define  PVHDEV_PCI_HEADER_TYPE_CARDBUS 2
#define PVHDEV_PCI_BASE_ADDRESS_0 0x10       /* 32 bits each, 4 bytes apart */
#define PVHDEV_PCI_BASE_ADDRESS_1 0x14
#define PVHDEV_PCI_BASE_ADDRESS_2 0x18
#define PVHDEV_PCI_BASE_ADDRESS_3 0x1c
#define PVHDEV_PCI_BASE_ADDRESS_4 0x20
#define PVHDEV_PCI_BASE_ADDRESS_5 0x24
/* BAR i's register (low dword for a 64-bit BAR). */
#define PVHDEV_PCI_BASE_ADDRESS(i) (PVHDEV_PCI_BASE_ADDRESS_0 + 4u * (i))
/*
 *   memory BAR  31..4 address | 3 prefetchable | 2:1 type | 0 = 0
 *   IO BAR      31..2 address | 1 reserved              | 0 = 1
 */
#define  PVHDEV_PCI_BASE_ADDRESS_SPACE_IO 0x01
#define  PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x06
#define  PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_32 0x00
#define  PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_1M 0x02  /* below 1 MiB (PCI 2.x) */
#define  PVHDEV_PCI_BASE_ADDRESS_MEM_TYPE_64 0x04  /* the next BAR is bits 63:32 */
#define  PVHDEV_PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define  PVHDEV_PCI_BASE_ADDRESS_MEM_FLAGS 0x0fu   /* the low bits that are not address */
#define  PVHDEV_PCI_BASE_ADDRESS_IO_FLAGS 0x03u
#define PVHDEV_PCI_CAPABILITY_LIST 0x34      /* 8 bits, types 0 and 1 */
#define PVHDEV_PCI_INTERRUPT_LINE 0x3c       /* 8 bits */
#define PVHDEV_PCI_INTERRUPT_PIN 0x3d        /* 8 bits */
#define PVHDEV_PCI_STD_HEADER_SIZEOF 64u     /* bytes, every header type */

/* ---- Type 0 (endpoint) ---- */
#define PVHDEV_PCI_SUBSYSTEM_VENDOR_ID 0x2c  /* 16 bits */
#define PVHDEV_PCI_SUBSYSTEM_ID 0x2e         /* 16 bits */
#define PVHDEV_PCI_ROM_ADDRESS 0x30          /* 31..11 address | 0 enable */
#define  PVHDEV_PCI_ROM_ADDRESS_ENABLE 0x01
#define  PVHDEV_PCI_ROM_ADDRESS_FLAGS 0x7ffu /* bits below the address */

/* ---- Type 1 (PCI-to-PCI bridge) ---- */
#define PVHDEV_PCI_PRIMARY_BUS 0x18          /* 8 bits; then secondary, ... */
#define PVHDEV_PCI_SECONDARY_BUS 0x19        /* 8 bits */
#define PVHDEV_PCI_SUBORDINATE_BUS 0x1a      /* 8 bits */
#define PVHDEV_PCI_SEC_LATENCY_TIMER 0x1b    /* 8 bits */
#define PVHDEV_PCI_IO_BASE 0x1c              /* 8 bits; IO limit at 0x1d */
#define PVHDEV_PCI_SEC_STATUS 0x1e           /* 16 bits */
#define PVHDEV_PCI_MEMORY_BASE 0x20          /* 16 bits; limit at 0x22 */
#define PVHDEV_PCI_PREF_MEMORY_BASE 0x24     /* 16 bits; limit at 0x26 */
#define PVHDEV_PCI_PREF_BASE_UPPER32 0x28
#define PVHDEV_PCI_PREF_LIMIT_UPPER32 0x2c
#define PVHDEV_PCI_IO_BASE_UPPER16 0x30      /* 16 bits; limit's at 0x32 */
#define PVHDEV_PCI_ROM_ADDRESS1 0x38         /* as PVHDEV_PCI_ROM_ADDRESS */
#define PVHDEV_PCI_BRIDGE_CONTROL 0x3e       /* 16 bits */
#define  PVHDEV_PCI_BRIDGE_CTL_BUS_RESET 0x0040 /* Secondary Bus Reset */

/* ---- Type 2 (CardBus bridge) ---- */
#define PVHDEV_PCI_CB_CAPABILITY_LIST 0x14   /* 8 bits */

/* ---- Capabilities: the legacy list ---- */
#define PVHDEV_PCI_CAP_LIST_ID 0             /* 8 bits */
#define PVHDEV_PCI_CAP_LIST_NEXT 1           /* 8 bits; bits 1:0 reserved */
#define PVHDEV_PCI_CAP_FLAGS 2               /* 16 bits */
#define PVHDEV_PCI_CAP_PTR_MASK 0xfc         /* pointers are dword aligned */
#define PVHDEV_PCI_CAP_PTR_MIN 0x40          /* below it is the header */
#define  PVHDEV_PCI_CAP_ID_PM 0x01           /* power management */
#define  PVHDEV_PCI_CAP_ID_MSI 0x05
#define  PVHDEV_PCI_CAP_ID_EXP 0x10          /* PCI Express */
#define  PVHDEV_PCI_CAP_ID_MSIX 0x11
#define  PVHDEV_PCI_CAP_ID_AF 0x13           /* Advanced Features */

/* MSI (PCI Local Bus 3.0, 6.8.1) */
#define PVHDEV_PCI_MSI_FLAGS 2               /* 16 bits: message control */
#define  PVHDEV_PCI_MSI_FLAGS_ENABLE 0x0001
#define  PVHDEV_PCI_MSI_FLAGS_QMASK 0x000e   /* multiple message capable */
#define  PVHDEV_PCI_MSI_FLAGS_QSIZE 0x0070   /* multiple message enable */
#define  PVHDEV_PCI_MSI_FLAGS_64BIT 0x0080   /* the address high register exists */
#define  PVHDEV_PCI_MSI_FLAGS_MASK_BIT 0x0100 /* per-vector mask and pending bits */
#define PVHDEV_PCI_MSI_ADDRESS_LO 4
#define PVHDEV_PCI_MSI_ADDRESS_HI 8          /* only with FLAGS_64BIT */
#define PVHDEV_PCI_MSI_DATA_32 8             /* 16 bits, without FLAGS_64BIT */
#define PVHDEV_PCI_MSI_DATA_64 12            /* 16 bits, with it */

/* MSI-X (PCI Local Bus 3.0, 6.8.2) */
#define PVHDEV_PCI_MSIX_FLAGS 2              /* 16 bits: message control */
#define  PVHDEV_PCI_MSIX_ENABLE 0x8000
#define  PVHDEV_PCI_MSIX_MASK 0x4000         /* function mask */
#define  PVHDEV_PCI_MSIX_TABSIZE 0x07ff      /* table entries - 1 */
#define PVHDEV_PCI_MSIX_TABLE 4              /* 32 bits: offset | BIR */
#define PVHDEV_PCI_MSIX_PBA 8                /* 32 bits: offset | BIR */
#define  PVHDEV_PCI_MSIX_BIR 0x7             /* which BAR (BAR indicator) */
/* A table entry: address low, high, data, vector control (4 bytes each). */
#define PVHDEV_PCI_MSIX_ENTRY_SIZE 16
#define PVHDEV_PCI_MSIX_ENTRY_VECTOR_CTRL 12
#define  PVHDEV_PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1

/* Power management (PCI PM 1.2, 3.2.4) */
#define PVHDEV_PCI_PM_CTRL 4                 /* 16 bits: PMCSR */
#define  PVHDEV_PCI_PM_CTRL_STATE_MASK 0x0003 /* PowerState: D0 .. D3hot */
#define  PVHDEV_PCI_PM_CTRL_D3HOT 0x0003
#define  PVHDEV_PCI_PM_CTRL_NO_SOFT_RESET 0x0008 /* D3hot to D0 keeps state */

/* Advanced Features (the AF ECN to PCI Local Bus 3.0) */
#define PVHDEV_PCI_AF_CAP 3                  /* 8 bits */
#define  PVHDEV_PCI_AF_CAP_FLR 0x02
#define PVHDEV_PCI_AF_CTRL 4                 /* 8 bits */
#define  PVHDEV_PCI_AF_CTRL_FLR 0x01         /* Initiate FLR */
#define PVHDEV_PCI_AF_SIZEOF 6u

/* PCI Express */
#define PVHDEV_PCI_EXP_FLAGS 0x02            /* 16 bits: capabilities register */
#define  PVHDEV_PCI_EXP_FLAGS_VERS 0x000f    /* capability version */
#define  PVHDEV_PCI_EXP_FLAGS_TYPE 0x00f0    /* device/port type: */
#define   PVHDEV_PCI_EXP_TYPE_ROOT_PORT 0x4
#define   PVHDEV_PCI_EXP_TYPE_ROOT_EC 0xa    /* root complex event collector */
#define  PVHDEV_PCI_EXP_FLAGS_SLOT 0x0100    /* slot implemented */
#define PVHDEV_PCI_EXP_DEVCAP 0x04           /* 32 bits */
#define  PVHDEV_PCI_EXP_DEVCAP_FLR 0x10000000 /* Function Level Reset capable */
#define PVHDEV_PCI_EXP_DEVCTL 0x08           /* 16 bits */
#define  PVHDEV_PCI_EXP_DEVCTL_BCR_FLR 0x8000 /* Initiate Function Level Reset */
#define PVHDEV_PCI_EXP_DEVSTA 0x0a
#define PVHDEV_PCI_EXP_LNKCAP 0x0c           /* 32 bits */
#define  PVHDEV_PCI_EXP_LNKCAP_DLLA 0x00100000 /* DLL Link Active reporting */
#define PVHDEV_PCI_EXP_LNKCTL 0x10
#define PVHDEV_PCI_EXP_LNKSTA 0x12
#define  PVHDEV_PCI_EXP_LNKSTA_DL_ACT 0x2000 /* DLL Link Active */
#define PVHDEV_PCI_EXP_SLTCAP 0x14
#define PVHDEV_PCI_EXP_SLTCTL 0x18
#define PVHDEV_PCI_EXP_SLTSTA 0x1a
#define  PVHDEV_PCI_EXP_SLTSTA_PRSD 0x0008   /* Presence Detect Changed */
#define  PVHDEV_PCI_EXP_SLTSTA_PRES 0x0040   /* Presence Detect State */
#define  PVHDEV_PCI_EXP_SLTSTA_LLCHG 0x0100  /* Data Link Layer State Changed */
#define PVHDEV_PCI_EXP_RTCTL 0x1c
#define PVHDEV_PCI_EXP_RTSTA 0x20            /* 32 bits */
#define PVHDEV_PCI_EXP_DEVCTL2 0x28
#define PVHDEV_PCI_EXP_LNKCTL2 0x30

/* ---- Extended capabilities (from 0x100) ---- */
#define PVHDEV_PCI_EXT_CAP_ID_SRIOV 0x0010

/* SR-IOV */
#define PVHDEV_PCI_IOV_CTRL 0x08             /* 16 bits */
#define  PVHDEV_PCI_IOV_CTRL_VFE 0x0001      /* VF Enable */
#define  PVHDEV_PCI_IOV_CTRL_MSE 0x0008      /* VF Memory Space Enable */
#define  PVHDEV_PCI_IOV_CTRL_ARI 0x0010      /* ARI Capable Hierarchy */
#define PVHDEV_PCI_IOV_TOTALVF 0x0e          /* 16 bits */
#define PVHDEV_PCI_IOV_NUMVF 0x10            /* 16 bits */
#define PVHDEV_PCI_IOV_OFFSET 0x14           /* 16 bits: First VF Offset */
#define PVHDEV_PCI_IOV_STRIDE 0x16           /* 16 bits: VF Stride */
#define PVHDEV_PCI_IOV_DID 0x1a              /* 16 bits: VF Device ID */
#define PVHDEV_PCI_IOV_SYSPS 0x20            /* 32 bits: System Page Size */
#define PVHDEV_PCI_IOV_BAR_BASE 0x24         /* VF BAR0..5, 4 bytes apart */

#endif
