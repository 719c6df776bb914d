/* SPDX-License-Identifier: MIT */
/*
 * Host conveniences for embedders that have a libc: a malloc-backed
 * allocator and a stderr logger.  Not part of the freestanding core.
 */
#include <stdio.h>
#include <stdlib.h>

#include <pvhdev/host.h>

static void *host_alloc(void *ctx, size_t size, size_t align)
{
	(void)ctx;
	if (align <= 16)
		return malloc(size ? size : 1);
	void *p = NULL;
	return posix_memalign(&p, align, size ? size : 1) ? NULL : p;
}

static void host_free(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	(void)size;
	free(ptr);
}

void pvhdev_host_log_stderr(void *ctx, enum pvhdev_log_level level,
                            const char *msg)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	const char *prefix = ctx ? ctx : "pvhdev";

	if ((unsigned)level < sizeof(names) / sizeof(names[0]))
		fprintf(stderr, "%s: %s: %s\n", prefix, names[level], msg);
}

const struct pvhdev_alloc_ops pvhdev_host_alloc = {
	.alloc = host_alloc,
	.free = host_free,
};
