/* SPDX-License-Identifier: MIT */
/*
 * The running machine (libpvhdev only, not the freestanding core):
 *
 *   struct pvhdev_libpci        this machine's PCI functions through
 *                               libpci, read-only unless asked otherwise
 *   struct pvhdev_libpci_opts   how to open it
 *   pvhdev_libpci_ops           its backend ops; ctx pvhdev_libpci_ctx()
 *   pvhdev_lspci_write()        devices as an `lspci -D -n -vv -xxxx` dump
 *   struct pvhdev_capture       the platform read from sysfs: e820, the
 *                               MADT's IO-APICs and LAPIC, MCFG, ACPI
 *                               table addresses (docs/host.md)
 *   struct pvhdev_capture_opts  where to read it from
 *
 * Nothing here writes to the machine unless PVHDEV_LIBPCI_HW_WRITES is
 * given.  Problems with the machine (no sysfs, no permission, a broken
 * table) are notes and a partial result, never a crash.
 */
#ifndef PVHDEV_HOST_BACKEND_H
#define PVHDEV_HOST_BACKEND_H

#include <stdio.h>

#include <pvhdev/backend.h>
#include <pvhdev/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The libpci backend ---- */

/* Config writes reach the hardware (libpci through sysfs), except
 * writes to BAR and ROM registers, which never do (sizing a live
 * device's BAR under its driver breaks it).  Without the flag every
 * write lands in a shadow copy and the hardware never sees it. */
#define PVHDEV_LIBPCI_HW_WRITES (1u << 0)

struct pvhdev_libpci_opts {
	size_t size;            /* sizeof(struct pvhdev_libpci_opts) */
	unsigned flags;         /* PVHDEV_LIBPCI_* */
	const char *sysfs_root; /* NULL: "/sys"; functions from ROOT/bus/pci */
};

struct pvhdev_libpci;

/*
 * Snapshots every function libpci's linux-sysfs method finds: config
 * bytes (4096 when readable, else 256, else the 64 that non-root users
 * get) and BAR/ROM sizes from the kernel (never by sizing real BARs).
 * opts may be NULL.  On failure returns -errno and writes one line to
 * err when err_len > 0.  Zero functions (an empty /sys/bus/pci) is not
 * a failure.  Problems with single functions become notes.
 */
PVHDEV_API int pvhdev_libpci_open(const struct pvhdev_libpci_opts *opts,
                                  struct pvhdev_libpci **out, char *err, size_t err_len);
/* After the domain using it is gone. */
PVHDEV_API void pvhdev_libpci_close(struct pvhdev_libpci *lp);

/* The ctx to give with pvhdev_libpci_ops in struct pvhdev_config. */
PVHDEV_API void *pvhdev_libpci_ctx(struct pvhdev_libpci *lp);

/* The snapshot taken at open, in SBDF order (fake-backend devices). */
PVHDEV_API size_t pvhdev_libpci_count(const struct pvhdev_libpci *lp);
PVHDEV_API const struct pvhdev_fake_dev *
pvhdev_libpci_devs(const struct pvhdev_libpci *lp);

/* Notes made at open and on failed hardware accesses, at most 64. */
PVHDEV_API size_t pvhdev_libpci_nr_notes(const struct pvhdev_libpci *lp);
PVHDEV_API const char *pvhdev_libpci_note(const struct pvhdev_libpci *lp, size_t i);

/* Config writes that reached the hardware so far (0 without
 * PVHDEV_LIBPCI_HW_WRITES). */
PVHDEV_API unsigned long pvhdev_libpci_hw_writes(const struct pvhdev_libpci *lp);

/* Whether a config write of size bytes at reg of sbdf stays in the
 * shadow (true for every write without PVHDEV_LIBPCI_HW_WRITES, for BAR
 * and ROM registers with it, and where no function answers): give it
 * as pvhdev_config.shadowed with ctx = pvhdev_libpci_ctx(lp), and the
 * domain's hw-write events say which writes never reached a device. */
PVHDEV_API bool pvhdev_libpci_shadowed(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg,
                                       unsigned size);

/* The snapshot as an lspci dump (pvhdev_lspci_write()). */
PVHDEV_API int pvhdev_libpci_write_dump(const struct pvhdev_libpci *lp, FILE *f);

/*
 * Config reads return the shadow's bytes where the domain wrote and the
 * hardware's (live, through libpci) elsewhere; writes go to the shadow,
 * which answers like hardware (BAR sizing, RW1C) from the kernel's BAR
 * sizes.  With PVHDEV_LIBPCI_HW_WRITES writes other than to BAR and
 * ROM registers go to the hardware instead.  Device memory is never
 * touched: mmio_read and mmio_write are NULL (reads all-ones, writes
 * dropped).  close is NULL: call pvhdev_libpci_close().
 */
PVHDEV_API extern const struct pvhdev_backend_ops pvhdev_libpci_ops;

/*
 * Writes devs as text that libpci's dump method, `lspci -F` and
 * pvhdev_dump_load() read back: per function a line
 * "ssss:bb:dd.f CCCC: VVVV:DDDD (rev RR)", one "Region N: ... [size=S]"
 * line per sized BAR and ROM (so sizes survive the round trip), then
 * cfg_len bytes as "OFF: xx xx ..." lines, 16 a line, and a blank line.
 * Returns 0 or -EIO when f has an error.
 */
PVHDEV_API int pvhdev_lspci_write(FILE *f, const struct pvhdev_fake_dev *devs, size_t n);

/* ---- Host capture ---- */

struct pvhdev_capture_opts {
	size_t size;            /* sizeof(struct pvhdev_capture_opts) */
	const char *sysfs_root; /* NULL: "/sys" */
	/* The kernel's log, searched for the boot-time "ACPI: SIG 0xADDR LEN"
	 * lines (table addresses) and "IOAPIC[n]: ... GSI a-b" lines (pin
	 * counts): "/dev/kmsg", a saved dmesg, or NULL to not use one. */
	const char *kmsg;
};

struct pvhdev_capture;

/*
 * Reads ROOT/firmware/memmap/N/{start,end,type},
 * ROOT/firmware/acpi/tables/{APIC,MCFG,FACP,...} and
 * ROOT/firmware/efi/systab, read-only.  What is missing or broken is a
 * note and is left out: the result is a partial capture and the call
 * still returns 0.  Only -EINVAL (bad arguments) and -ENOMEM fail.
 */
PVHDEV_API int pvhdev_capture_run(const struct pvhdev_capture_opts *opts,
                                  struct pvhdev_capture **out);
PVHDEV_API void pvhdev_capture_free(struct pvhdev_capture *cap);

/* What was captured; lives as long as cap.  No devices, hidden devices
 * or reserved ranges: those come from elsewhere. */
PVHDEV_API const struct pvhdev_platform *
pvhdev_capture_platform(const struct pvhdev_capture *cap);

/* One line each: what could not be read, and why. */
PVHDEV_API size_t pvhdev_capture_nr_notes(const struct pvhdev_capture *cap);
PVHDEV_API const char *pvhdev_capture_note(const struct pvhdev_capture *cap, size_t i);

/*
 * Writes the capture as a platform file (docs/platform-format.md) with
 * comments saying where each value came from and what is missing.
 * Devices, either or both:
 *   lspci  a dump file (pvhdev_libpci_write_dump()) as the XML should
 *          name it, relative to the XML file's directory; NULL: none
 *   devs   functions written inline as <device> elements (config bytes
 *          and BAR sizes), e.g. pvhdev_libpci_devs(); NULL: none
 * Returns 0, -EINVAL, or -EIO when f has an error.
 */
PVHDEV_API int pvhdev_capture_write_xml(const struct pvhdev_capture *cap, FILE *f,
                                        const char *lspci,
                                        const struct pvhdev_fake_dev *devs,
                                        size_t nr_devs);

#ifdef __cplusplus
}
#endif
#endif
