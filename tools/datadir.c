/* SPDX-License-Identifier: MIT */
/*
 * Where the CLI finds its data: the bundled machines and the schemas.
 *
 * This file is compiled twice (CMakeLists.txt).  The pvhdev in the build
 * tree gets PVHDEV_SOURCE_DATADIR, the source tree's data/, so that it
 * runs before anything is installed.  The pvhdev that is installed is
 * built without it: it never looks at the source tree it was built
 * from, only at $PVHDEV_DATADIR and the install prefix.
 */
#include <stdlib.h>

#include "cli.h"

const char *cli_source_datadir(void)
{
#ifdef PVHDEV_SOURCE_DATADIR
	return PVHDEV_SOURCE_DATADIR;
#else
	return NULL;
#endif
}

size_t cli_datadirs(const char *dirs[CLI_NR_DATADIRS])
{
	const char *env = getenv("PVHDEV_DATADIR");
	size_t n = 0;

	if (env && *env)
		dirs[n++] = env;
	if (cli_source_datadir())
		dirs[n++] = cli_source_datadir();
	dirs[n++] = PVHDEV_DATADIR;
	return n;
}
