/* SPDX-License-Identifier: MIT */
/*
 * The dump backend (libpvhdev only): PCI functions seeded from an lspci
 * dump (`lspci -x` / `-xxx` / `-xxxx`, with or without interleaved -v
 * text) through libpci's dump access method, as fake-backend devices
 * that behave like hardware.  docs/dump-backend.md has the details.
 *
 * BAR and ROM sizes come from the verbose text's [size=...] when
 * present; otherwise the size the address's alignment allows (the
 * lowest set address bit), cut at the next BAR or ROM and at the end of
 * the upstream bridge's window, grown to hold the MSI-X table and PBA;
 * an address of 0 gets the smallest legal size (16 bytes memory, 4 IO,
 * 2 KiB ROM).  Each guess leaves a note.  All-ones devices (vendor ID
 * ffff) are absent: skipped, with a note.
 *
 * Config bytes the dump does not give read ff, as libpci has them;
 * cfg_len is 4096 when the dump has any byte past 255, else 256.
 */
#ifndef PVHDEV_DUMP_H
#define PVHDEV_DUMP_H

#include <pvhdev/backend.h>
#include <pvhdev/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pvhdev_dump;

/*
 * Loads path.  On failure returns -errno, sets *out to NULL and writes
 * one line to err when err_len > 0 (truncated to fit, NUL-terminated):
 * "FILE:LINE: expected ..." for a line that is wrong, "FILE: ..." for
 * the file as a whole.
 *
 *   -ENOENT, -EACCES, -EISDIR, ...  cannot open or read the file
 *   -EINVAL   a malformed line; a [size=] that is 0 or not a power of
 *             two; a file with no devices, or only absent ones
 *   -ERANGE   a number too large for its field: [size=] above 2^63,
 *             an offset above ff0, a domain above ffff, an address
 *             longer than 16 hex digits
 *   -EEXIST   a device, or one offset of a device, given twice
 *   -EIO      libpci read something else than the pre-check did (the
 *             file changed while loading) or reported an error
 *   -ENOMEM   out of memory
 *
 * Never exits, whatever libpci does, except that libpci's pci_alloc()
 * exits when malloc fails before its error hook can be set.
 */
PVHDEV_API int pvhdev_dump_load(const char *path, struct pvhdev_dump **out, char *err,
                                size_t err_len);
/* NULL is fine. */
PVHDEV_API void pvhdev_dump_free(struct pvhdev_dump *dump);

/* The devices, in SBDF order, ready for pvhdev_fake_new(); they and
 * their cfg bytes live until pvhdev_dump_free(). */
PVHDEV_API size_t pvhdev_dump_count(const struct pvhdev_dump *dump);
PVHDEV_API const struct pvhdev_fake_dev *pvhdev_dump_devs(const struct pvhdev_dump *dump);

/* Notes made while loading, one line each without a newline, starting
 * with the function's SBDF ("0000:00:02.0 BAR0: no [size=] in the dump;
 * assuming 4K from alignment").  pvhdev_dump_note() returns NULL for
 * i >= pvhdev_dump_nr_notes(). */
PVHDEV_API size_t pvhdev_dump_nr_notes(const struct pvhdev_dump *dump);
PVHDEV_API const char *pvhdev_dump_note(const struct pvhdev_dump *dump, size_t i);

/*
 * A platform for the dump's machine when the dump is all there is
 * (docs/dump-backend.md, "A platform for a dump"): when some function
 * has extended config space, one ECAM window per segment for buses 0 to
 * the dump's highest, placed where no BAR, ROM or VF BAR of the dump is;
 * RAM below 1 MiB; one IO-APIC at 0xfec00000.  Otherwise the empty
 * platform.  Each inferred item is added to the notes (once: the first
 * call infers, later ones return the same platform).  *out lives until
 * pvhdev_dump_free().  0, -EINVAL or -ENOMEM.
 */
PVHDEV_API int pvhdev_dump_platform(struct pvhdev_dump *dump,
                                    const struct pvhdev_platform **out);

#ifdef __cplusplus
}
#endif
#endif
