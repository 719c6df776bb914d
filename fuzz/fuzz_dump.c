/* SPDX-License-Identifier: MIT */
/*
 * Harness (b): the lspci dump loader.  Whatever loads must also make a
 * fake backend and boot a domain whose invariants hold, on the platform
 * inferred for it (pvhdev_dump_platform(): with extended config space,
 * ECAM windows, so extended capabilities and SR-IOV are reached too).
 */
#include <pvhdev/dump.h>
#include <pvhdev/pvhdev.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pvhdev_platform *plat;
	const char *path = fuzz_tmp_file(data, size, ".lspci");
	struct pvhdev_dump *d = NULL;
	char err[512];

	if (!path)
		return 0;
	if (!pvhdev_dump_load(path, &d, err, sizeof(err)) && !pvhdev_dump_platform(d, &plat))
		fuzz_boot_check("fuzz_dump", pvhdev_dump_devs(d), pvhdev_dump_count(d), plat);
	pvhdev_dump_free(d);
	fuzz_tmp_drop();
	return 0;
}
