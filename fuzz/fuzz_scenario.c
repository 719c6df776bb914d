/* SPDX-License-Identifier: MIT */
/* Harness (d): the scenario parser, from memory. */
#include <pvhdev/scenario.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvhdev_scenario *sc = NULL;
	char err[512];

	if (!pvhdev_scenario_parse("fuzz.scn", (const char *)data, size, &sc, err,
	                           sizeof(err)))
		(void)pvhdev_scenario_steps(sc);
	pvhdev_scenario_free(sc);
	return 0;
}
