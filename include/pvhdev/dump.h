/* SPDX-License-Identifier: MIT */
/*
 * The dump backend (libpvhdev only): PCI functions seeded from an lspci
 * dump (`lspci -x` / `-xxx` / `-xxxx`, with or without interleaved -v
 * text) through libpci's dump access method, as fake-backend devices
 * that behave like hardware.
 *
 * BAR sizes come from the verbose text's [size=...] when present;
 * otherwise the smallest size the BAR's alignment allows, with a note
 * saying so.  All-ones devices are absent.
 */
#ifndef PVHDEV_DUMP_H
#define PVHDEV_DUMP_H

#include <pvhdev/backend.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pvhdev_dump;

/* Loads path.  On failure returns -errno and writes one line to err
 * ("FILE:LINE: what was expected"), NUL-terminated, when err_len > 0. */
int pvhdev_dump_load(const char *path, struct pvhdev_dump **out, char *err,
                     size_t err_len);
void pvhdev_dump_free(struct pvhdev_dump *dump);

/* The devices, in SBDF order, ready for pvhdev_fake_new(). */
size_t pvhdev_dump_count(const struct pvhdev_dump *dump);
const struct pvhdev_fake_dev *pvhdev_dump_devs(const struct pvhdev_dump *dump);

/* Notes made while loading (a BAR size guessed, a device skipped). */
size_t pvhdev_dump_nr_notes(const struct pvhdev_dump *dump);
const char *pvhdev_dump_note(const struct pvhdev_dump *dump, size_t i);

#ifdef __cplusplus
}
#endif
#endif
