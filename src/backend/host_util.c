/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "backend/host_util.h"

int pvhdev__digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9' ? c - '0'
	      : c >= 'a' && c <= 'f' ? c - 'a' + 10
	      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return d < (int)base ? d : -1;
}

bool pvhdev__parse_sbdf(const char *s, pvhdev_sbdf_t *out)
{
	static const char full[] = "hhhh:hh:hh.o", part[] = "hh:hh.o";
	size_t n = strlen(s);
	const char *form = n == sizeof(full) - 1 ? full
	                 : n == sizeof(part) - 1 ? part : NULL;
	unsigned f[4] = { 0 }, k = n == sizeof(full) - 1 ? 0 : 1;

	if (!form)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = pvhdev__digit(s[i], form[i] == 'o' ? 8 : 16);

		if (form[i] == 'h' || form[i] == 'o') {
			if (d < 0)
				return false;
			f[k] = f[k] * 16 + (unsigned)d;
		} else if (s[i] != form[i]) {
			return false;
		} else {
			k++;
		}
	}
	if (f[2] > 0x1f)
		return false;
	*out = PVHDEV_SBDF(f[0], f[1], f[2], f[3]);
	return true;
}
