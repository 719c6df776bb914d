/* SPDX-License-Identifier: MIT */
/*
 * Trace format 1's accesses, both ways (docs/trace-format.md, "The
 * file"; data/schema/trace.rng says the same for other tools).  One
 * table of elements and attributes serves the writer (record.c), the
 * reader (reader.c) and the reports (replay.c), so that what is written
 * is what is read and a divergence is spelt as the file spells it:
 *
 *   <r  s="SBDF" o="OFF" n="N" (v="VAL" | rc="-ERRNO")/>   config read
 *   <w  s="SBDF" o="OFF" n="N" v="VAL" [rc] [shadow="1"]/> config write
 *   <mr a="ADDR" n="N" (v="VAL" | rc="-ERRNO")/>           MMIO read
 *   <mw a="ADDR" n="N" v="VAL" [rc] [shadow="1"]/>         MMIO write
 *   <enum [rc="-ERRNO"]> <d s="SBDF"/>... </enum>          enumeration
 *
 *   SBDF  "ssss:bb:dd.f", hex, as pvhdev_sbdf_str() writes it
 *   OFF, ADDR, VAL  "0x" and hex digits; VAL is written with 2 digits
 *         per byte of N
 *   N     size in bytes, 1, 2, 4 or 8 (config: 1, 2 or 4)
 *   rc    the backend's negative errno, -1..-4095; absent: 0
 *
 * Also the names of the optional hooks in <backend hooks="...">.
 */
#include "backend/trace/trace.h"

const char *const attr_names[AT__COUNT] = {
	[AT_S] = "s",       /* SBDF, "ssss:bb:dd.f" */
	[AT_O] = "o",       /* config offset, hex bytes */
	[AT_A] = "a",       /* MMIO address, hex bytes */
	[AT_N] = "n",       /* size, decimal bytes */
	[AT_V] = "v",       /* value, hex, 2 digits per byte */
	[AT_RC] = "rc",     /* negative errno, decimal; absent: 0 */
	[AT_SHADOW] = "shadow", /* "1": answered by a shadow */
};

/* Reads need v or rc (checked apart: a failed read has no value). */
const struct elem_spec specs[ACC_END] = {
	[ACC_R] = { "r", B(AT_S) | B(AT_O) | B(AT_N) | B(AT_V) | B(AT_RC),
	            B(AT_S) | B(AT_O) | B(AT_N) },
	[ACC_W] = { "w", B(AT_S) | B(AT_O) | B(AT_N) | B(AT_V) | B(AT_RC) |
	            B(AT_SHADOW), B(AT_S) | B(AT_O) | B(AT_N) | B(AT_V) },
	[ACC_MR] = { "mr", B(AT_A) | B(AT_N) | B(AT_V) | B(AT_RC),
	             B(AT_A) | B(AT_N) },
	[ACC_MW] = { "mw", B(AT_A) | B(AT_N) | B(AT_V) | B(AT_RC) | B(AT_SHADOW),
	             B(AT_A) | B(AT_N) | B(AT_V) },
	[ACC_ENUM] = { "enum", B(AT_RC), 0 },
};

/* In the order the writer lists them. */
const char *const hook_names[TRACE_NR_HOOKS] = {
	"mmio_read", "mmio_write", "enumerate",
};

bool attr_fmt(const struct acc *a, enum attr_id id, char buf[TRACE_ATTR_MAX])
{
	char s[PVHDEV_SBDF_STRLEN];
	bool cfg = is_cfg(a->kind);

	switch (id) {
	case AT_S:
		return cfg && snprintf(buf, TRACE_ATTR_MAX, "%s",
		                       pvhdev_sbdf_str(a->sbdf, s));
	case AT_O:
		return cfg && snprintf(buf, TRACE_ATTR_MAX, "0x%llx",
		                       (unsigned long long)a->addr);
	case AT_A:
		return a->size && !cfg &&
		       snprintf(buf, TRACE_ATTR_MAX, "0x%llx",
		                (unsigned long long)a->addr);
	case AT_N:
		return a->size && snprintf(buf, TRACE_ATTR_MAX, "%u", a->size);
	case AT_V:
		return a->has_val && snprintf(buf, TRACE_ATTR_MAX, "0x%0*llx",
		                              (int)(2 * a->size),
		                              (unsigned long long)a->val);
	case AT_RC:
		return a->rc && snprintf(buf, TRACE_ATTR_MAX, "%d", a->rc);
	case AT_SHADOW:
		return a->shadow && snprintf(buf, TRACE_ATTR_MAX, "1");
	default:
		return false;
	}
}

const char *acc_str(const struct acc *a, char out[TRACE_ELEM_MAX])
{
	size_t len;
	char v[TRACE_ATTR_MAX];

	if (a->kind == ACC_END)
		return "end of trace";
	len = (size_t)snprintf(out, TRACE_ELEM_MAX, "<%s", specs[a->kind].name);
	for (int id = 0; id < AT__COUNT && len < TRACE_ELEM_MAX; id++)
		if (attr_fmt(a, id, v))
			len += (size_t)snprintf(out + len, TRACE_ELEM_MAX - len,
			                        " %s=\"%s\"", attr_names[id], v);
	if (len < TRACE_ELEM_MAX)
		snprintf(out + len, TRACE_ELEM_MAX - len,
		         a->kind == ACC_ENUM ? ">" : "/>");
	return out;
}

int parse_hex(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return -EINVAL;
	for (s += 2; *s; s++) {
		int d = pvhdev__digit(*s, 16);
		if (d < 0)
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

int parse_sbdf(const char *s, pvhdev_sbdf_t *out)
{
	return strlen(s) == PVHDEV_SBDF_STRLEN - 1 && pvhdev__parse_sbdf(s, out)
	       ? 0 : -EINVAL;
}

int parse_rc(const char *s, int *out)
{
	int v = 0;

	if (s[0] != '-' || s[1] < '1' || s[1] > '9')
		return -EINVAL;
	for (s++; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > TRACE_RC_MAX)
			return -EINVAL;
	}
	*out = -v;
	return 0;
}
