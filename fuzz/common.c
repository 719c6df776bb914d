/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#include "fuzz.h"

static void quiet(void *ctx, enum pvhdev_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

void fuzz_boot_check(const char *who, const struct pvhdev_fake_dev *devs, size_t n,
                     const struct pvhdev_platform *plat)
{
	struct pvhdev_fake *fake = NULL;
	struct pvhdev_domain *dom = NULL;
	char msg[256];

	if (pvhdev_fake_new(&pvhdev_host_alloc, NULL, devs, n, &fake)) {
		fprintf(stderr, "%s: the fake refused what the loader made\n", who);
		abort();
	}
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = fake,
		.alloc = &pvhdev_host_alloc, .log = quiet, .event_capacity = 64,
	};
	if (!pvhdev_domain_new(&cfg, &dom) && !pvhdev_domain_boot(dom, plat) &&
	    pvhdev_check_invariants(dom, msg, sizeof(msg))) {
		fprintf(stderr, "%s: invariant violated: %s\n", who, msg);
		abort();
	}
	pvhdev_domain_free(dom);
	pvhdev_fake_free(fake);
}

static char tmp_path[256];

const char *fuzz_tmp_file(const uint8_t *data, size_t size, const char *suffix)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;

	snprintf(tmp_path, sizeof(tmp_path), "%s/pvhdev-fuzz-%ld%s", dir ? dir : "/tmp",
	         (long)getpid(), suffix);
	if (!(f = fopen(tmp_path, "wb")))
		return NULL;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return NULL;
	}
	return fclose(f) ? NULL : tmp_path;
}

void fuzz_tmp_drop(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
}
