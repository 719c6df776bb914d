/* SPDX-License-Identifier: MIT */
/*
 * pvhdev: how a hypervisor traps and emulates a PVH dom0's accesses to
 * physical devices.
 *
 * Types, in the order this header declares them:
 *
 *   pvhdev_sbdf_t            segment:bus:device.function packed in 32 bits
 *   struct pvhdev_domain     opaque: one emulated dom0 over one platform
 *   struct pvhdev_dev        opaque: one PCI function known to a domain
 *   struct pvhdev_alloc_ops  allocator hooks (the core never calls malloc)
 *   enum pvhdev_log_level    severity of a log line
 *   struct pvhdev_event      one effect: p2m change, interrupt binding,
 *                            hardware write that passed through
 *   struct pvhdev_hooks      optional hypervisor hooks that see each effect
 *   struct pvhdev_config     everything pvhdev_domain_new() needs
 *   enum pvhdev_verdict      what a register handler decided
 *   struct pvhdev_reg        one trapped config-space register
 *
 * Conventions: every call returns 0 or a negative errno and hands values
 * back through out-parameters.  What the guest sees is never an API error:
 * a write the device ignores succeeds, a read of something absent returns
 * all-ones.  Offsets and sizes are in bytes, gfn/mfn/nr in 4 KiB pages,
 * addresses in bytes.
 */
#ifndef PVHDEV_PVHDEV_H
#define PVHDEV_PVHDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PVHDEV_VERSION_MAJOR 0
#define PVHDEV_VERSION_MINOR 1
#define PVHDEV_VERSION_PATCH 0
#define PVHDEV_VERSION_STRING "0.1.0"

/* Marks the public API.  The libraries are built with hidden visibility,
 * so these are the only symbols libpvhdev.so exports (README.md, "ABI"). */
#if defined(__GNUC__)
#define PVHDEV_API __attribute__((visibility("default")))
#else
#define PVHDEV_API
#endif

/*
 *   31            16 15      8 7     3 2   0
 *  +----------------+---------+-------+-----+
 *  |    segment     |   bus   |  dev  | fn  |
 *  +----------------+---------+-------+-----+
 */
typedef uint32_t pvhdev_sbdf_t;

#define PVHDEV_SBDF(seg, bus, dev, fn)                                        \
	((pvhdev_sbdf_t)((((uint32_t)(seg) & 0xffffu) << 16) |                 \
	                 (((uint32_t)(bus) & 0xffu) << 8) |                    \
	                 (((uint32_t)(dev) & 0x1fu) << 3) | ((uint32_t)(fn) & 7u)))
#define PVHDEV_SBDF_SEG(s) ((unsigned)((s) >> 16))
#define PVHDEV_SBDF_BUS(s) ((unsigned)(((s) >> 8) & 0xffu))
#define PVHDEV_SBDF_DEV(s) ((unsigned)(((s) >> 3) & 0x1fu))
#define PVHDEV_SBDF_FN(s) ((unsigned)((s) & 7u))

/* Size of a formatted SBDF, "ssss:bb:dd.f" plus NUL. */
#define PVHDEV_SBDF_STRLEN 13

/* Config space sizes, bytes. */
#define PVHDEV_CFG_SIZE 256u
#define PVHDEV_CFG_EXP_SIZE 4096u

struct pvhdev_domain;
struct pvhdev_dev;
struct pvhdev_backend_ops; /* <pvhdev/backend.h> */

struct pvhdev_alloc_ops {
	/* Returns size bytes aligned to at least align, or NULL. */
	void *(*alloc)(void *ctx, size_t size, size_t align);
	/* size is what was asked of alloc(). ptr is never NULL. */
	void (*free)(void *ctx, void *ptr, size_t size);
};

enum pvhdev_log_level {
	PVHDEV_LOG_ERROR,
	PVHDEV_LOG_WARN,
	PVHDEV_LOG_INFO,
	PVHDEV_LOG_DEBUG,
};

/* Why a p2m range exists (the REASON of a map event). */
enum pvhdev_map_reason {
	PVHDEV_MAP_LOW_MEM,    /* non-RAM below 1 MiB, identity mapped */
	PVHDEV_MAP_RAM_COPY,   /* RAM below 1 MiB: populated and copied */
	PVHDEV_MAP_ACPI,       /* e820 ACPI reclaimable (type 3) */
	PVHDEV_MAP_NVS,        /* e820 ACPI NVS (type 4) */
	PVHDEV_MAP_ACPI_TABLE, /* a top-level ACPI table outside RAM */
	PVHDEV_MAP_BAR,        /* a memory BAR with decoding on */
	PVHDEV_MAP_ROM,        /* an enabled expansion ROM */
	PVHDEV_MAP_VF_BAR,     /* SR-IOV VF BARs of a PF */
	PVHDEV_MAP__COUNT
};

/* Effects.  Each is appended to the domain's event log, then handed to
 * pvhdev_hooks.effect when there is one. */
enum pvhdev_event_kind {
	PVHDEV_EV_MAP,           /* p2m identity (or other) mapping added */
	PVHDEV_EV_UNMAP,         /* p2m mapping removed */
	PVHDEV_EV_MSI_BIND,      /* MSI vector bound to dom0 */
	PVHDEV_EV_MSI_UNBIND,
	PVHDEV_EV_MSI_MASK,      /* host mask of an MSI vector changed */
	PVHDEV_EV_MSIX_BIND,     /* MSI-X entry bound */
	PVHDEV_EV_MSIX_UNBIND,
	PVHDEV_EV_MSIX_MASK,     /* MSI-X entry masked (1) or unmasked (0) */
	PVHDEV_EV_GSI_BIND,      /* GSI bound to dom0 (PIRQ == GSI) */
	PVHDEV_EV_GSI_CONFLICT,  /* unmask asked for another trigger/polarity */
	PVHDEV_EV_HW_WRITE,      /* config write that reached the backend */
	PVHDEV_EV_HW_MMIO_WRITE, /* MMIO write that reached the backend */
	PVHDEV_EV_DEV_ADD,
	PVHDEV_EV_DEV_REMOVE,
	PVHDEV_EV_DEV_RESET,     /* a function was reset (enum pvhdev_reset_kind) */
	PVHDEV_EV__COUNT
};

struct pvhdev_event {
	uint64_t seq; /* position in the domain's event stream, from 0 */
	enum pvhdev_event_kind kind;
	pvhdev_sbdf_t sbdf; /* device the effect belongs to, or 0 */
	/* Non-zero when the hypervisor hook refused the effect; negative errno. */
	int result;
	union {
		struct {
			uint64_t gfn, nr, mfn; /* pages */
			unsigned reason;       /* enum pvhdev_map_reason */
		} map;
		struct {
			unsigned index;     /* MSI vector number or MSI-X entry */
			uint64_t addr;      /* guest's message address */
			uint32_t data;      /* guest's message data */
			uint32_t dest;      /* decoded destination APIC ID */
			uint8_t vector;     /* decoded vector */
			uint8_t delivery;   /* decoded delivery mode, 0..7 */
			uint8_t masked;     /* for *_MASK events */
		} irq;
		struct {
			uint32_t gsi;
			uint8_t level;      /* 1: level triggered, 0: edge */
			uint8_t active_low; /* 1: active low, 0: active high */
		} gsi;
		struct {
			uint64_t addr;      /* config: register offset; MMIO: address */
			uint64_t val;
			uint8_t size;       /* bytes */
			/* hw-write: the write stays in a shadow copy and
			 * never reaches the device (pvhdev_config.shadowed) */
			uint8_t shadow;
		} hw;
		struct {
			unsigned kind;      /* enum pvhdev_reset_kind */
		} reset;
	} u;
};

struct pvhdev_hooks {
	size_t size; /* sizeof(struct pvhdev_hooks) */
	/* Called after the effect is logged.  A negative return tells pvhdev
	 * the hypervisor refused it (recorded in event.result; the model then
	 * behaves as the hypervisor would, e.g. the vector stays unbound). */
	int (*effect)(void *ctx, const struct pvhdev_event *ev);
};

struct pvhdev_config {
	size_t size; /* sizeof(struct pvhdev_config): lets the struct grow */
	const struct pvhdev_backend_ops *backend; /* required */
	void *backend_ctx;
	const struct pvhdev_alloc_ops *alloc;     /* required */
	void *alloc_ctx;
	/* Optional.  msg has no trailing newline and lives until return. */
	void (*log)(void *ctx, enum pvhdev_log_level level, const char *msg);
	void *log_ctx;
	const struct pvhdev_hooks *hooks;         /* optional */
	void *hooks_ctx;
	/* Events kept in the ring, rounded up to a power of two; 0: 4096. */
	uint32_t event_capacity;
	/* Optional: whether a config write stays in a shadow copy instead of
	 * reaching the device (a backend in front of live hardware that
	 * keeps dom0's writes to itself, as the libpci backend does by
	 * default: pvhdev_libpci_shadowed).  Its hw-write events then say
	 * so (shadow).  Asked once per config write, before the write. */
	bool (*shadowed)(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size);
	void *shadowed_ctx;
};

/* Domain lifetime. */
PVHDEV_API int pvhdev_domain_new(const struct pvhdev_config *cfg,
                                 struct pvhdev_domain **out);
PVHDEV_API void pvhdev_domain_free(struct pvhdev_domain *dom);

/* Adds every device the backend enumerates (or, without an enumerate
 * hook, every function whose vendor ID is not 0xffff on the buses the
 * domain's MMCFG regions cover, or on segment 0 without any region).  A
 * function whose add fails is left out with an error log line and the
 * scan goes on; only -ENOMEM stops it (and is returned). */
PVHDEV_API int pvhdev_domain_scan(struct pvhdev_domain *dom);

/* Static strings; never NULL. */
PVHDEV_API const char *pvhdev_strerror(int err);
PVHDEV_API const char *pvhdev_version(void);

/* Formats sbdf as "ssss:bb:dd.f" into buf[PVHDEV_SBDF_STRLEN]. */
PVHDEV_API const char *pvhdev_sbdf_str(pvhdev_sbdf_t sbdf, char buf[PVHDEV_SBDF_STRLEN]);

/* Devices. */
PVHDEV_API int pvhdev_dev_add(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf);
PVHDEV_API int pvhdev_dev_remove(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf);
/* Hidden devices read as absent and own nothing.  May be called before
 * the device is added (a quirk-found HPET, the hypervisor's UART). */
PVHDEV_API int pvhdev_dev_hide(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf);
/*
 * Resets of a function (docs/events.md, dev-reset).  pvhdev sees dom0's
 * trigger writes and models each kind; after one, the function is as
 * the reset left the hardware: decoding off (its BARs unmapped), MSI and
 * MSI-X off with every binding released, its VFs gone.
 *   FLR     PCIe Device Control bit 15, when Device Capabilities bit 28
 *           says the function has FLR (PCIe Base 6.6.2)
 *   AF_FLR  the Advanced Features capability's Initiate FLR, when its
 *           capabilities say FLR
 *   BUS     a bridge's Secondary Bus Reset (Bridge Control bit 6 set):
 *           every function on its secondary to subordinate buses
 *   PM      a D3hot to D0 transition (PMCSR) with No_Soft_Reset clear
 */
enum pvhdev_reset_kind {
	PVHDEV_RESET_FLR,
	PVHDEV_RESET_AF_FLR,
	PVHDEV_RESET_BUS,
	PVHDEV_RESET_PM,
	PVHDEV_RESET__COUNT
};
/* The hypervisor resets dev itself (as Xen's pciback does): pvhdev
 * writes the kind's trigger to the hardware through the backend (logged
 * as hw-write), then drops the state the reset cleared, as for dom0's
 * own trigger.  BUS asserts and releases the bridge's Secondary Bus
 * Reset; PM goes to D3hot and back to D0.  -EOPNOTSUPP when dev cannot
 * be reset that way (no FLR, not a bridge, No_Soft_Reset set),
 * -ENODEV for a hidden device, -EINVAL for an unknown kind. */
PVHDEV_API int pvhdev_dev_reset(struct pvhdev_dev *dev, enum pvhdev_reset_kind kind);
/* "flr", "af-flr", "bus", "pm"; "unknown" otherwise. */
PVHDEV_API const char *pvhdev_reset_kind_name(enum pvhdev_reset_kind kind);
/* -ENODEV when the domain does not know sbdf (hidden devices are known). */
PVHDEV_API int pvhdev_dev_get(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                              struct pvhdev_dev **out);
PVHDEV_API pvhdev_sbdf_t pvhdev_dev_sbdf(const struct pvhdev_dev *dev);
PVHDEV_API struct pvhdev_domain *pvhdev_dev_domain(const struct pvhdev_dev *dev);
PVHDEV_API bool pvhdev_dev_hidden(const struct pvhdev_dev *dev);
/* The header type found at add, without the multi-function bit. */
PVHDEV_API unsigned pvhdev_dev_header_type(const struct pvhdev_dev *dev);
/* Calls fn for each device in SBDF order; stops at a non-zero return. */
PVHDEV_API int pvhdev_dev_foreach(struct pvhdev_domain *dom,
                                  int (*fn)(void *arg, struct pvhdev_dev *dev),
                                  void *arg);

/* Capabilities found at device add.  -ENOENT when absent. */
PVHDEV_API int pvhdev_dev_find_cap(const struct pvhdev_dev *dev, uint8_t id,
                                   unsigned *off);
PVHDEV_API int pvhdev_dev_find_ext_cap(const struct pvhdev_dev *dev, uint16_t id,
                                       unsigned *off);
/* The capability holding config offset off: of the list off is in
 * (legacy below 0x100, extended from it), the one starting nearest at
 * or below off; its ID and start.  -ENOENT when none starts there (the
 * header, or before the list's first). */
PVHDEV_API int pvhdev_dev_cap_at(const struct pvhdev_dev *dev, unsigned off,
                                 uint16_t *id, unsigned *start);

/*
 * Register handlers.  The dispatcher splits a guest access into whole
 * registers, calls the handler of each with the full register value,
 * and enforces the masks itself:
 *   ro     writes keep the current value
 *   rw1c   writing 1 clears; bytes the guest did not target never clear
 *   rsvdp  read as 0; writes keep the current value
 *   rsvdz  read as 0; written as 0
 * A handler decides what the guest's access does (its verdict); the
 * dispatcher carries out PASS.  A handler that needs the hardware for
 * its own purposes reaches it only through pvhdev_dev_hw_read() /
 * pvhdev_dev_hw_write(), which log like any pass-through (hw-write);
 * pvhdev's own modules reach device memory the same way, through the
 * core's logged accessors (hw-mmio-write).  No write reaches the
 * backend unlogged.
 */
enum pvhdev_verdict {
	PVHDEV_DONE,   /* read: *val holds the register; write: absorbed */
	PVHDEV_PASS,   /* let the dispatcher read / write the hardware */
	PVHDEV_REJECT, /* read: all-ones; write: dropped */
};

struct pvhdev_reg;
typedef enum pvhdev_verdict (*pvhdev_reg_read_fn)(struct pvhdev_dev *dev,
                                                  const struct pvhdev_reg *reg,
                                                  uint32_t *val);
typedef enum pvhdev_verdict (*pvhdev_reg_write_fn)(struct pvhdev_dev *dev,
                                                   const struct pvhdev_reg *reg,
                                                   uint32_t val);

struct pvhdev_reg {
	uint16_t off;  /* bytes into config space, aligned to size */
	uint8_t size;  /* bytes: 1, 2 or 4 */
	uint32_t ro_mask, rw1c_mask, rsvdp_mask, rsvdz_mask; /* disjoint */
	pvhdev_reg_read_fn read;   /* NULL: reads all-ones */
	pvhdev_reg_write_fn write; /* NULL: writes dropped */
	void *opaque;
};

/* -EEXIST on overlap, -EINVAL on a bad size/offset/mask, -ENOSPC past
 * PVHDEV_MAX_REGS registers on one device. */
#define PVHDEV_MAX_REGS 255
PVHDEV_API int pvhdev_reg_add(struct pvhdev_dev *dev, const struct pvhdev_reg *reg);
/* Removes the register that starts at off with this size; -ENOENT. */
PVHDEV_API int pvhdev_reg_remove(struct pvhdev_dev *dev, unsigned off, unsigned size);
/* Removes every register inside [off, off + size), as Xen vPCI's
 * vpci_remove_registers() does: 0, also when none is there; -ERANGE
 * (nothing removed) when a register straddles either end; -EINVAL past
 * config space. */
PVHDEV_API int pvhdev_reg_remove_range(struct pvhdev_dev *dev, unsigned off,
                                       unsigned size);
/* Reads / writes the hardware for a handler's own needs (logged as
 * hw-write like any pass-through). */
PVHDEV_API int pvhdev_dev_hw_read(struct pvhdev_dev *dev, unsigned off, unsigned size,
                                  uint32_t *val);
PVHDEV_API int pvhdev_dev_hw_write(struct pvhdev_dev *dev, unsigned off, unsigned size,
                                   uint32_t val);

/*
 * Guest accesses.  Config space by SBDF (what both decoders reach),
 * port I/O (CF8/CFC) and MMIO (ECAM windows and any other trapped range).
 * Sizes in bytes.  A malformed access gets the hardware's answer
 * (all-ones / dropped) and returns 0; a backend failure returns its
 * error with *val all-ones.
 */
PVHDEV_API int pvhdev_cfg_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                               unsigned off, unsigned size, uint32_t *val);
PVHDEV_API int pvhdev_cfg_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf,
                                unsigned off, unsigned size, uint32_t val);

/* -ENXIO: the port or size is not a config access pvhdev decodes
 * (e.g. a byte access to 0xCF9, the reset control register on many
 * chipsets); the embedder handles it. */
PVHDEV_API int pvhdev_pio_read(struct pvhdev_domain *dom, uint16_t port, unsigned size,
                               uint32_t *val);
PVHDEV_API int pvhdev_pio_write(struct pvhdev_domain *dom, uint16_t port, unsigned size,
                                uint32_t val);

/* -ENXIO: no trapped range holds addr (dom0 reaches it directly). */
PVHDEV_API int pvhdev_mmio_read(struct pvhdev_domain *dom, uint64_t addr, unsigned size,
                                uint64_t *val);
PVHDEV_API int pvhdev_mmio_write(struct pvhdev_domain *dom, uint64_t addr, unsigned size,
                                 uint64_t val);

/* An ECAM window as ACPI's MCFG gives it: addr is where bus 0 of the
 * segment would be (1 MiB aligned); buses start_bus..end_bus are trapped,
 * from addr + (start_bus << 20).  -EEXIST when it overlaps a window of the
 * same segment or another trapped range. */
/* The function and register an ECAM address reaches through the
 * domain's windows (boot and late): 0, or -ENOENT outside them all. */
PVHDEV_API int pvhdev_ecam_decode(const struct pvhdev_domain *dom, uint64_t addr,
                                  pvhdev_sbdf_t *sbdf, unsigned *reg);
PVHDEV_API int pvhdev_mmcfg_add(struct pvhdev_domain *dom, uint64_t addr, uint16_t seg,
                                uint8_t start_bus, uint8_t end_bus);

/*
 * Invariants a correct model keeps after every access (tests and fuzzers
 * call this after every step), checked against the hardware's state as
 * the backend holds it (read without events; no guest access), not only
 * against pvhdev's bookkeeping.  One clause each:
 *   - p2m ranges are disjoint; no identity range covers e820 RAM,
 *     hypervisor-reserved frames, MMCFG windows, IO-APIC or LAPIC pages
 *     or a hidden device's BAR frames;
 *   - no p2m page lies inside a trapped MMIO range: ECAM windows (boot
 *     and late), IO-APIC windows, the MSI-X table/PBA pages of mapped BARs;
 *   - hidden devices own nothing (no registers, module state or p2m
 *     range) and nothing in the p2m covers their BARs;
 *   - the guest's view of read-only bits equals the hardware's;
 *   - every mapped BAR decodes in the hardware where its register says,
 *     and every BAR range in the p2m belongs to a mapped BAR;
 *   - no MSI-X table or PBA page of a device whose memory decoding is on
 *     in the hardware is in the p2m, mapped BAR or not (the XSA-120 rule);
 *   - every MSI-X entry the device can send (MSI-X on, function unmasked,
 *     entry unmasked, as the device holds them) is bound with the message
 *     the device holds; MSI-X is off in a device whose layout pvhdev refused;
 *   - every MSI-X entry the host masked is masked in the device (or MSI-X
 *     is off or function-masked there);
 *   - every MSI vector the device can send (enabled, unmasked) is bound
 *     with the message the device holds;
 *   - every MSI vector the host masked is masked in the device;
 *   - every virtual IO-APIC's window is trapped at its address.
 * Returns 0, or -EPROTO with the first violation as one line in msg
 * (len > 0).
 */
PVHDEV_API int pvhdev_check_invariants(struct pvhdev_domain *dom, char *msg, size_t len);

/* Event log: a ring of the last event_capacity effects. */
PVHDEV_API uint64_t pvhdev_event_next_seq(const struct pvhdev_domain *dom);
/* -ENOENT when seq was overwritten or has not happened yet.  Only the
 * union member of the event's kind is meaningful. */
PVHDEV_API int pvhdev_event_get(const struct pvhdev_domain *dom, uint64_t seq,
                                struct pvhdev_event *ev);
/* One line in the documented vocabulary (docs/events.md), NUL-terminated,
 * no newline.  Returns the length, or -ENOSPC when len is too small. */
PVHDEV_API int pvhdev_event_format(const struct pvhdev_event *ev, char *buf, size_t len);
PVHDEV_API const char *pvhdev_event_name(enum pvhdev_event_kind kind);
/* "bar", "ram-copy", ... as map events print them; "unknown" otherwise. */
PVHDEV_API const char *pvhdev_map_reason_name(enum pvhdev_map_reason reason);

#ifdef __cplusplus
}
#endif

/* The rest of the API, by area. */
#include <pvhdev/platform.h>
#include <pvhdev/ioapic.h>
#include <pvhdev/irq.h>

#endif
