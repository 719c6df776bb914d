/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

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
