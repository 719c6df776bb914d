/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend/pci_guard.h"

/* The guard of the libpci call running on this thread. */
static _Thread_local struct pvhdev__pci_guard *guard_tl;

static __attribute__((noreturn)) void hook_error(char *msg, ...)
{
	struct pvhdev__pci_guard *g = guard_tl;
	va_list ap;

	/* Every libpci call runs guarded: a NULL here is a bug, and this
	 * hook may not return. */
	if (!g)
		abort();
	va_start(ap, msg);
	vsnprintf(g->msg, sizeof(g->msg), msg, ap);
	va_end(ap);
	g->failed = true;
	longjmp(g->jmp, 1);
}

__attribute__((format(printf, 1, 2)))
static void hook_warning(char *msg, ...)
{
	struct pvhdev__pci_guard *g = guard_tl;
	char buf[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	if (g && g->warn)
		g->warn(g->ctx, buf);
}

static void hook_debug(char *msg, ...)
{
	(void)msg;
}

void pvhdev__pci_guard_hooks(struct pci_access *acc)
{
	acc->error = hook_error;
	acc->warning = hook_warning;
	acc->debug = hook_debug;
}

int pvhdev__pci_guarded(struct pvhdev__pci_guard *g, int (*fn)(void *arg), void *arg)
{
	struct pvhdev__pci_guard *prev = guard_tl;
	int rc;

	guard_tl = g;
	g->failed = false;
	if (setjmp(g->jmp)) {
		guard_tl = prev;
		return -EIO;
	}
	rc = fn(arg);
	guard_tl = prev;
	return rc;
}
