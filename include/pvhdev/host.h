/* SPDX-License-Identifier: MIT */
/*
 * Host conveniences (libpvhdev only, not the freestanding core):
 *   pvhdev_host_alloc       malloc-backed struct pvhdev_alloc_ops
 *   pvhdev_host_log_stderr  a log hook printing "PREFIX: level: msg";
 *                           its ctx is the prefix (NULL: "pvhdev")
 */
#ifndef PVHDEV_HOST_H
#define PVHDEV_HOST_H

#include <pvhdev/pvhdev.h>

#ifdef __cplusplus
extern "C" {
#endif

PVHDEV_API extern const struct pvhdev_alloc_ops pvhdev_host_alloc;
PVHDEV_API void pvhdev_host_log_stderr(void *ctx, enum pvhdev_log_level level,
                                       const char *msg);

#ifdef __cplusplus
}
#endif
#endif
