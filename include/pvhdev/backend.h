/* SPDX-License-Identifier: MIT */
/*
 * The backend contract: where "the hardware" lives.
 *
 * A backend is a static const ops table plus a context pointer, both
 * handed to pvhdev_domain_new() in struct pvhdev_config.  pvhdev calls
 * it through its logged hardware accessors only: the dispatcher's
 * pass-through, pvhdev's modules, and register handlers through
 * pvhdev_dev_hw_read() / pvhdev_dev_hw_write() (pvhdev.h).
 *
 * Required: cfg_read, cfg_write.  Every other hook may be NULL:
 *   mmio_read  NULL: device memory reads all-ones
 *   mmio_write NULL: device memory writes are dropped
 *   enumerate  NULL: pvhdev_domain_scan() probes vendor IDs itself
 *   close      NULL: nothing to release
 *
 * Sizes are in bytes.  Config accesses are 1, 2 or 4 bytes, naturally
 * aligned, reg + size <= 4096.  MMIO accesses are 1, 2, 4 or 8 bytes,
 * naturally aligned.  An absent device or register reads all-ones and
 * returns 0: only a failure of the backend itself (I/O error, a trace
 * that diverged) returns a negative errno.
 *
 * Reads: pvhdev sets *val to all-ones before calling cfg_read or
 * mmio_read.  A read that fails leaves it so (or writes all-ones): the
 * guest reads what the hardware answers to a failed access, and the
 * access path needs no step after the backend returns.
 */
#ifndef PVHDEV_BACKEND_H
#define PVHDEV_BACKEND_H

#include <pvhdev/pvhdev.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int (*pvhdev_enum_fn)(void *arg, pvhdev_sbdf_t sbdf);

struct pvhdev_backend_ops {
	const char *name;
	int (*cfg_read)(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
	                uint32_t *val);
	int (*cfg_write)(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
	                 uint32_t val);
	int (*mmio_read)(void *ctx, uint64_t addr, unsigned size, uint64_t *val);
	int (*mmio_write)(void *ctx, uint64_t addr, unsigned size, uint64_t val);
	/* Calls fn once per present function, in SBDF order; stops and
	 * returns fn's value when it is non-zero. */
	int (*enumerate)(void *ctx, pvhdev_enum_fn fn, void *arg);
	void (*close)(void *ctx);
};

/*
 * The fake backend: in-memory devices that behave like hardware.
 *
 * Each device starts from literal config bytes.  Which bits software can
 * change is a per-bit mask pair (rw, rw1c; everything else is read-only)
 * derived from the header type, the BAR sizes and the MSI / MSI-X / PCIe /
 * SR-IOV capabilities found in those bytes, then overridden by the
 * device's own mask list.  BAR sizing falls out of the masks: writing
 * all-ones to a BAR of size S reads back ~(S-1) | flag bits.
 */
struct pvhdev_fake;

struct pvhdev_fake_mask {
	uint16_t off; /* bytes into config space */
	uint8_t size; /* 1, 2 or 4 */
	uint32_t rw, rw1c;
};

struct pvhdev_fake_dev {
	pvhdev_sbdf_t sbdf;
	const uint8_t *cfg; /* initial bytes; the rest of 256 reads 0 */
	uint16_t cfg_len;   /* bytes; > 256 gives extended space, else
	                     * offsets 256..4095 read all-ones */
	/* Bytes.  0: not implemented.  A 64-bit BAR's size goes in its low
	 * index.  Must be a power of two (>= 16 for memory, >= 4 for IO). */
	uint64_t bar_size[6];
	uint64_t rom_size;
	/* Bytes of one VF's BAR i in the SR-IOV capability (0: none); a
	 * 64-bit VF BAR's size goes in its low index.  Sized like BARs.
	 * While VF Enable is set the PF's VFs (NumVFs at VF Enable, at most
	 * 256) are functions of their own: vendor and device ID 0xffff,
	 * the PF's class, revision and subsystem IDs, status 0x0010, MSI-X
	 * at 0x40 (the PF's table size and table/PBA offset and BIR) and
	 * a PCIe endpoint capability at 0x80, read-only BARs, writes
	 * through the same masks as any function's.  VF n's BAR i is slice
	 * n of VF BAR i, decoding while VF Enable and VF MSE are set, backed
	 * as mmio_backed says, MSI-X entries masked.  Clearing VF Enable
	 * removes them; setting it again brings them back as after reset
	 * (docs/dump-backend.md). */
	uint64_t vf_bar_size[6];
	const struct pvhdev_fake_mask *masks; /* overrides, may be NULL */
	size_t nr_masks;
	/* Bytes of each memory BAR backed by RAM for MMIO (from its start);
	 * beyond it reads 0 and writes are dropped.  0: min(size, 64 KiB). */
	uint32_t mmio_backed;
	/* true: the function starts absent, as if its slot were empty, until
	 * pvhdev_fake_plug(). */
	bool plugged_later;
	/* An SR-IOV PF's VF template: every VF's initial config bytes (the
	 * rest of the PF's config size reads 0), instead of the default
	 * (vf_bar_size above).  Whatever it holds, a VF's IDs read 0xffff
	 * and its class, revision and subsystem IDs are the PF's.  Copied
	 * by pvhdev_fake_new().  NULL (vf_cfg_len 0): the default. */
	const uint8_t *vf_cfg;
	uint16_t vf_cfg_len; /* bytes, at most 4096 */
};

PVHDEV_API int pvhdev_fake_new(const struct pvhdev_alloc_ops *alloc, void *alloc_ctx,
                               const struct pvhdev_fake_dev *devs, size_t nr_devs,
                               struct pvhdev_fake **out);
PVHDEV_API void pvhdev_fake_free(struct pvhdev_fake *fake);
/* Hardware setting bits on its own (a status bit, a pending bit).
 * -ENODEV: no such function, or absent (pvhdev_fake_plug). */
PVHDEV_API int pvhdev_fake_set_bits(struct pvhdev_fake *fake, pvhdev_sbdf_t sbdf,
                                    unsigned off, unsigned size, uint32_t bits);
/*
 * Native PCIe hotplug.  An absent function reads as a missing one
 * (all-ones, writes dropped, not enumerated).  plug makes a function of
 * the table present with its initial config bytes (device memory zeroed,
 * MSI-X entries masked); unplug makes it absent.  Either updates the
 * port whose secondary bus is the function's (a type 1 function with a
 * PCIe capability): with a slot, Slot Status' Presence Detect State
 * (bit 6) follows whether any function of the bus is present, and a
 * change sets Presence Detect Changed (bit 3); when Link Capabilities
 * says Data Link Layer Link Active Reporting Capable (bit 20), Link
 * Status' Data Link Layer Link Active (bit 13) follows too, and a change
 * sets the slot's Data Link Layer State Changed (bit 8).  -ENODEV: no
 * such function in the table (unplug: or absent); -EEXIST: plug of a
 * present function.
 */
PVHDEV_API int pvhdev_fake_plug(struct pvhdev_fake *fake, pvhdev_sbdf_t sbdf);
PVHDEV_API int pvhdev_fake_unplug(struct pvhdev_fake *fake, pvhdev_sbdf_t sbdf);
/* Makes the n-th backend call from now (1 = the next) return err. */
PVHDEV_API void pvhdev_fake_fail_at(struct pvhdev_fake *fake, unsigned long n, int err);
/* Backend calls so far, all hooks together. */
PVHDEV_API unsigned long pvhdev_fake_calls(const struct pvhdev_fake *fake);

PVHDEV_API extern const struct pvhdev_backend_ops pvhdev_fake_ops;

#ifdef __cplusplus
}
#endif
#endif
