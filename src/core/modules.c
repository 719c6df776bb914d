/* SPDX-License-Identifier: MIT */
/* The modules, in the order their dev_add hooks run. */
#include "core/core.h"

const struct pvhdev__module *const pvhdev__modules[] = {
	NULL, /* keeps the array non-empty; skipped */
};

const size_t pvhdev__nr_modules = PVHDEV__ARRAY_SIZE(pvhdev__modules);
