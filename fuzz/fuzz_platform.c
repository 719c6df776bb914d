/* SPDX-License-Identifier: MIT */
/*
 * Harness (c): the platform XML loader, schema validation included.
 * Whatever loads must boot a domain whose invariants hold.
 */
#include <stdio.h>
#include <stdlib.h>

#include <pvhdev/platform_file.h>
#include <pvhdev/pvhdev.h>

#include "fuzz.h"

static char schema[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvhdev_platform_file *pf = NULL;
	const char *path;
	char err[512];

	if (!schema[0] && pvhdev_platform_file_schema(PVHDEV_FUZZ_DATADIR, schema,
	                                              sizeof(schema)))
		abort();
	if (!(path = fuzz_tmp_file(data, size, ".xml")))
		return 0;
	if (!pvhdev_platform_file_load(path, schema, &pf, err, sizeof(err)))
		fuzz_boot_check("fuzz_platform", pvhdev_platform_file_devs(pf),
		                pvhdev_platform_file_count(pf), pvhdev_platform_file_platform(pf));
	pvhdev_platform_file_free(pf);
	fuzz_tmp_drop();
	return 0;
}
