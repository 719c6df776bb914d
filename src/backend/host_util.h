/* SPDX-License-Identifier: MIT */
/* What the host backends share (libc only): the readers of the formats
 * pvhdev writes and takes in, written once. */
#ifndef PVHDEV_BACKEND_HOST_UTIL_H
#define PVHDEV_BACKEND_HOST_UTIL_H

#include <stdbool.h>

#include <pvhdev/pvhdev.h>

/* The value of digit c in base (10 or 16, either case), or -1. */
int pvhdev__digit(char c, unsigned base);
/* An SBDF as lspci and pvhdev_sbdf_str() write it: "ssss:bb:dd.f" or
 * "bb:dd.f" (segment 0), hex, device 0-1f, function 0-7, nothing more. */
bool pvhdev__parse_sbdf(const char *s, pvhdev_sbdf_t *out);

#endif
