/* SPDX-License-Identifier: MIT */
/* What every harness shares: the libFuzzer entry point, which the plain
 * replay driver (replay_main.c) calls too. */
#ifndef PVHDEV_FUZZ_H
#define PVHDEV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define PVHDEV_ARRAY(a) (sizeof(a) / sizeof((a)[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes data to a private temporary file (for loaders that take a
 * path) and returns its path, or NULL.  fuzz_tmp_drop removes it. */
const char *fuzz_tmp_file(const uint8_t *data, size_t size, const char *suffix);
void fuzz_tmp_drop(void);

struct pvhdev_fake_dev;
struct pvhdev_platform;
/* Boots what a loader produced on the fake backend and aborts when the
 * fake refuses it or an invariant does not hold. */
void fuzz_boot_check(const char *who, const struct pvhdev_fake_dev *devs, size_t n,
                     const struct pvhdev_platform *plat);

#endif
