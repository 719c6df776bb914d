/* SPDX-License-Identifier: MIT */
/*
 * Harness (c): the platform XML loader, schema validation included.
 * Whatever loads must boot a domain whose invariants hold.
 */
#include <stdio.h>
#include <stdlib.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/platform_file.h>
#include <pvhdev/pvhdev.h>

#include "fuzz.h"

static char schema[4096];

static void quiet(void *ctx, enum pvhdev_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

static void boot(const struct pvhdev_platform_file *pf)
{
	struct pvhdev_fake *fake = NULL;
	struct pvhdev_domain *dom = NULL;
	char msg[256];

	if (pvhdev_fake_new(&pvhdev_host_alloc, NULL, pvhdev_platform_file_devs(pf),
	                    pvhdev_platform_file_count(pf), &fake))
		abort(); /* the loader promised devices the fake accepts */
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = fake,
		.alloc = &pvhdev_host_alloc, .log = quiet, .event_capacity = 64,
	};
	if (!pvhdev_domain_new(&cfg, &dom) &&
	    !pvhdev_domain_boot(dom, pvhdev_platform_file_platform(pf)) &&
	    pvhdev_check_invariants(dom, msg, sizeof(msg))) {
		fprintf(stderr, "fuzz_platform: invariant violated: %s\n", msg);
		abort();
	}
	pvhdev_domain_free(dom);
	pvhdev_fake_free(fake);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvhdev_platform_file *pf = NULL;
	const char *path;
	char err[512];

	if (!schema[0] && pvhdev_platform_file_schema(PVHDEV_SOURCE_DATADIR, schema,
	                                              sizeof(schema)))
		abort();
	if (!(path = fuzz_tmp_file(data, size, ".xml")))
		return 0;
	if (!pvhdev_platform_file_load(path, schema, &pf, err, sizeof(err)))
		boot(pf);
	pvhdev_platform_file_free(pf);
	fuzz_tmp_drop();
	return 0;
}
