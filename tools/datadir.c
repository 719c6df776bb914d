/* SPDX-License-Identifier: MIT */
/*
 * Where the CLI finds its data: the bundled machines and the schemas.
 *
 * This file is compiled twice (CMakeLists.txt).  The pvhdev in the build
 * tree gets PVHDEV_SOURCE_DATADIR, the source tree's data/, so that it
 * runs before anything is installed.  The pvhdev that is installed is
 * built without it and never looks at the source tree it was built
 * from: it looks next to itself (PVHDEV_BIN_TO_DATADIR from the
 * directory of its binary, so that an install made with --prefix, or
 * moved, finds its own data), then in the configured install prefix.
 * $PVHDEV_DATADIR comes first in both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef PVHDEV_SOURCE_DATADIR
/* BINDIR/PVHDEV_BIN_TO_DATADIR for the running binary, or NULL. */
static const char *next_to_binary(char *buf, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	n = snprintf(buf, len, "%s/%s", exe, PVHDEV_BIN_TO_DATADIR);
	return n >= 0 && (size_t)n < len ? buf : NULL;
}
#endif

void cli_datadirs(struct cli_datadirs *d)
{
	const char *env = getenv("PVHDEV_DATADIR");

	d->nr = 0;
	if (env && *env)
		d->dir[d->nr++] = env;
#ifdef PVHDEV_SOURCE_DATADIR
	d->dir[d->nr++] = PVHDEV_SOURCE_DATADIR;
#else
	if (next_to_binary(d->buf, sizeof(d->buf)))
		d->dir[d->nr++] = d->buf;
#endif
	d->dir[d->nr++] = PVHDEV_DATADIR;
}

int cli_data_path(const char *rel, char *buf, size_t len)
{
	struct cli_datadirs d;
	int rc = -ENOENT;

	cli_datadirs(&d);
	for (size_t i = 0; i < d.nr; i++) {
		int n = snprintf(buf, len, "%s/%s", d.dir[i], rel);

		if (n < 0 || (size_t)n >= len)
			rc = -ENAMETOOLONG;
		else if (access(buf, R_OK) == 0)
			return 0;
	}
	return rc;
}

void cli_print_datadirs(FILE *f)
{
	fputs("  $PVHDEV_DATADIR  when set\n", f);
#ifdef PVHDEV_SOURCE_DATADIR
	fprintf(f, "  %s  the source tree's data/: this pvhdev runs from\n"
	        "                   its build tree (the installed pvhdev never looks there)\n",
	        PVHDEV_SOURCE_DATADIR);
#else
	fprintf(f, "  BINDIR/%s  next to the pvhdev binary, BINDIR being the\n"
	        "                   directory it is in (an install made with --prefix)\n",
	        PVHDEV_BIN_TO_DATADIR);
#endif
	fprintf(f, "  %s  the configured install prefix's\n", PVHDEV_DATADIR);
}
