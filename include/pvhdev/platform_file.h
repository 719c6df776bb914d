/* SPDX-License-Identifier: MIT */
/*
 * Platform files (libpvhdev only): a platform and its PCI devices
 * described in XML (docs/platform-format.md), validated against the
 * RELAX NG schema shipped as data/schema/platform.rng, then checked
 * (ranges, overlaps, SBDFs, BAR sizes).  Devices come from lspci dumps
 * the file references (<pvhdev/dump.h>) and from inline config bytes;
 * the file may override the BAR sizes a dump gave or guessed.
 *
 *   pvhdev_platform_file_load()      file -> struct pvhdev_platform_file
 *   pvhdev_platform_file_platform()  what pvhdev_domain_boot() takes
 *   pvhdev_platform_file_devs()      what pvhdev_fake_new() takes
 *
 * Everything a loaded file hands out lives until
 * pvhdev_platform_file_free().
 */
#ifndef PVHDEV_PLATFORM_FILE_H
#define PVHDEV_PLATFORM_FILE_H

#include <pvhdev/backend.h>
#include <pvhdev/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The schema's path below a data directory. */
#define PVHDEV_PLATFORM_SCHEMA "schema/platform.rng"

struct pvhdev_platform_file;

/* Where the schema is: $PVHDEV_DATADIR/schema/platform.rng, else
 * source_datadir/schema/platform.rng (a source tree's data/, may be
 * NULL), else the installed one.  Writes the first readable path into
 * buf.  -ENOENT when none is readable, -ENAMETOOLONG when len is too
 * small. */
PVHDEV_API int pvhdev_platform_file_schema(const char *source_datadir, char *buf,
                                           size_t len);

/* Loads path, validating it against the schema at schema_path (NULL:
 * pvhdev_platform_file_schema(NULL, ...)).  Dump files are found
 * relative to path's directory.  On failure returns -errno (-EINVAL for
 * a malformed file) and writes one line to err when err_len > 0:
 *   "FILE:LINE: element NAME: what was expected"
 * or "FILE: what went wrong" when no line applies. */
PVHDEV_API int pvhdev_platform_file_load(const char *path, const char *schema_path,
                                         struct pvhdev_platform_file **out, char *err,
                                         size_t err_len);
PVHDEV_API void pvhdev_platform_file_free(struct pvhdev_platform_file *pf);

/* The platform: e820 sorted by address, everything else in file order. */
PVHDEV_API const struct pvhdev_platform *
pvhdev_platform_file_platform(const struct pvhdev_platform_file *pf);

/* The devices of every dump and every inline device, in SBDF order. */
PVHDEV_API size_t pvhdev_platform_file_count(const struct pvhdev_platform_file *pf);
PVHDEV_API const struct pvhdev_fake_dev *
pvhdev_platform_file_devs(const struct pvhdev_platform_file *pf);

/* The <description> text, or "" without one. */
PVHDEV_API const char *
pvhdev_platform_file_description(const struct pvhdev_platform_file *pf);

/* Notes made while loading: the dumps' notes (a BAR size guessed, a
 * device skipped), BAR sizes overridden, inline BARs without a size. */
PVHDEV_API size_t pvhdev_platform_file_nr_notes(const struct pvhdev_platform_file *pf);
PVHDEV_API const char *pvhdev_platform_file_note(const struct pvhdev_platform_file *pf,
                                                 size_t i);

#ifdef __cplusplus
}
#endif
#endif
