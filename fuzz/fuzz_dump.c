/* SPDX-License-Identifier: MIT */
/*
 * Harness (b): the lspci dump loader.  Whatever loads must also make a
 * fake backend and boot a domain whose invariants hold.
 */
#include <stdio.h>
#include <stdlib.h>

#include <pvhdev/backend.h>
#include <pvhdev/dump.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#include "fuzz.h"

static void quiet(void *ctx, enum pvhdev_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

static void boot(const struct pvhdev_dump *d)
{
	static const struct pvhdev_platform plat = { .size = sizeof(plat) };
	struct pvhdev_fake *fake = NULL;
	struct pvhdev_domain *dom = NULL;
	char msg[256];

	if (pvhdev_fake_new(&pvhdev_host_alloc, NULL, pvhdev_dump_devs(d),
	                    pvhdev_dump_count(d), &fake))
		abort(); /* the loader promised devices the fake accepts */
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = fake,
		.alloc = &pvhdev_host_alloc, .log = quiet, .event_capacity = 64,
	};
	if (!pvhdev_domain_new(&cfg, &dom) && !pvhdev_domain_boot(dom, &plat) &&
	    pvhdev_check_invariants(dom, msg, sizeof(msg))) {
		fprintf(stderr, "fuzz_dump: invariant violated: %s\n", msg);
		abort();
	}
	pvhdev_domain_free(dom);
	pvhdev_fake_free(fake);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_tmp_file(data, size, ".lspci");
	struct pvhdev_dump *d = NULL;
	char err[512];

	if (!path)
		return 0;
	if (!pvhdev_dump_load(path, &d, err, sizeof(err)))
		boot(d);
	pvhdev_dump_free(d);
	fuzz_tmp_drop();
	return 0;
}
