/* SPDX-License-Identifier: MIT */
/* The modules, in the order their hooks run (teardown in reverse). */
#include "core/core.h"

extern const struct pvhdev__module pvhdev__p2m_module;
extern const struct pvhdev__module pvhdev__bar_module;
extern const struct pvhdev__module pvhdev__ioapic_module;
extern const struct pvhdev__module pvhdev__msi_module;
extern const struct pvhdev__module pvhdev__msix_module;
extern const struct pvhdev__module pvhdev__reset_module;

const struct pvhdev__module *const pvhdev__modules[] = {
	&pvhdev__p2m_module, /* first: the p2m exists before any dev_add */
	&pvhdev__bar_module,
	&pvhdev__ioapic_module,
	&pvhdev__msi_module,
	&pvhdev__msix_module,
	&pvhdev__reset_module, /* traps the triggers; runs the others' dev_reset */
	NULL, /* keeps the array non-empty; skipped */
};

const size_t pvhdev__nr_modules = PVHDEV__ARRAY_SIZE(pvhdev__modules);
