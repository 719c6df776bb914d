/* SPDX-License-Identifier: MIT */
/*
 * libpci under guard, for the backends that call it (src/backend/libpci,
 * the dump loader).  libpci's error hook must not return and its hooks
 * take no context: pvhdev__pci_guarded() arms a per-thread guard, points
 * the hooks at it and turns the error hook into a longjmp back, so a libpci
 * failure is an error return, never an exit.
 */
#ifndef PVHDEV_BACKEND_PCI_GUARD_H
#define PVHDEV_BACKEND_PCI_GUARD_H

#include <setjmp.h>
#include <stdbool.h>

#include <pci/pci.h>

struct pvhdev__pci_guard {
	jmp_buf jmp;
	bool failed;    /* libpci's error hook fired in the last call */
	char msg[256];  /* what it said */
	/* Where libpci's warnings go (may be NULL). */
	void (*warn)(void *ctx, const char *msg);
	void *ctx;
};

/* acc's error, warning and debug hooks: the guard's. */
void pvhdev__pci_guard_hooks(struct pci_access *acc);
/* Runs fn(arg) with g armed: fn's return, or -EIO with g->failed set
 * (g->msg says why) when libpci's error hook fired.  Nothing fn changes may live in its caller's
 * locals: a longjmp skips their updates.  Not reentrant for one g. */
int pvhdev__pci_guarded(struct pvhdev__pci_guard *g, int (*fn)(void *arg), void *arg);

#endif
