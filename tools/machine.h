/* SPDX-License-Identifier: MIT */
/*
 * A machine for the CLI: a device source (lspci dump, platform file or
 * the running host) turned into a booted pvhdev domain.
 */
#ifndef PVHDEV_TOOLS_MACHINE_H
#define PVHDEV_TOOLS_MACHINE_H

#include <stdbool.h>

#include <pvhdev/backend.h>
#include <pvhdev/dump.h>
#include <pvhdev/platform.h>
#include <pvhdev/pvhdev.h>

struct machine_opts {
	const char *lspci;    /* an lspci dump */
	const char *platform; /* a platform XML file */
	bool host;            /* the running machine, read-only */
	bool allow_hw_writes; /* with host: let writes reach the hardware */
	bool bare;            /* with lspci: the empty platform, none inferred */
	/* Wraps the backend before the domain is made (trace recording);
	 * may be NULL. Returns 0 or -errno. */
	int (*wrap)(void *arg, const struct pvhdev_backend_ops **ops, void **ctx);
	void *wrap_arg;
};

struct machine {
	/* "lspci:FILE", "platform:FILE" or "host"; room for a PATH_MAX path */
	char source[16 + 4096];
	struct pvhdev_dump *dump;
	struct pvhdev_fake *fake;
	struct pvhdev_domain *dom;
	const struct pvhdev_platform *plat; /* what the domain booted on */
	void *priv;           /* source-specific state */
	/* Warnings the domain logged while it booted: about the machine,
	 * so they are notes too (at most MACHINE_MAX_WARNINGS kept). */
	char **warnings;
	size_t nr_warnings;
	bool booting;
};

#define MACHINE_MAX_WARNINGS 4096

/* Loads and boots; prints one clear error line on failure and returns
 * a CLI exit code (0 on success). */
int machine_open(struct machine *m, const struct machine_opts *o);
void machine_close(struct machine *m);

/* The running machine's captured platform (--host), or NULL. */
struct pvhdev_capture;
struct pvhdev_capture *machine_capture(const struct machine *m);

/* What the loader noted (BAR sizes guessed, overrides, capture gaps),
 * then the warnings of the boot. */
size_t machine_nr_notes(const struct machine *m);
const char *machine_note(const struct machine *m, size_t i);

/* The bundled default machine's path, or NULL. */
const char *machine_default(char *buf, size_t len);

#endif
