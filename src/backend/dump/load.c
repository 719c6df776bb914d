/* SPDX-License-Identifier: MIT */
/*
 * The dump backend: PCI functions seeded from an lspci dump, as
 * fake-backend devices (include/pvhdev/dump.h; docs/dump-backend.md).
 *
 * Loading runs in three steps:
 *
 *   1. scan   our own reader walks the file line by line, classifying
 *             lines exactly as libpci's dump reader does (lib/dump.c),
 *             and refuses with "FILE:LINE: expected ..." everything that
 *             would make libpci call its fatal error handler (overlong
 *             or unterminated lines, malformed hex, offsets >= 0x1000)
 *             or silently drop or misplace bytes (truncated hex lines,
 *             bytes before any device line, duplicate devices).  It also
 *             collects the BAR lines of the interleaved -v text.
 *   2. libpci reads the same file through its dump access method and
 *             hands back each function's config bytes and how many the
 *             dump gave.  libpci's error hook must not return, so ours
 *             longjmps back here; after step 1 it only fires when the
 *             file changed in between or libpci ran out of memory.
 *   3. sizes  BAR and ROM sizes from the text's [size=...]; else the
 *             size the address's alignment allows, cut at the next BAR
 *             or ROM and at the end of the upstream bridge's window,
 *             grown to hold the MSI-X table and PBA, with a note.
 *
 * This is a host part: it uses libc and libpci, and one thread-local
 * pointer (libpci's hooks take no context argument).
 */
#include "backend/dump/dump.h"

/* ---- Messages ---- */

static void msg_v(struct load *ld, bool with_line, const char *fmt,
                  va_list ap)
{
	if (!ld->err || !ld->err_len)
		return;
	int n = with_line ? snprintf(ld->err, ld->err_len, "%s:%u: ", ld->path,
	                             ld->line)
	                  : snprintf(ld->err, ld->err_len, "%s: ", ld->path);
	if (n >= 0 && (size_t)n < ld->err_len)
		vsnprintf(ld->err + n, ld->err_len - (size_t)n, fmt, ap);
}

/* "FILE:LINE: msg" into the caller's buffer; returns err. */
__attribute__((format(printf, 3, 4)))
int fail(struct load *ld, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(ld, true, fmt, ap);
	va_end(ap);
	return err;
}

/* "FILE: msg": about the whole file. */
__attribute__((format(printf, 3, 4)))
int fail_file(struct load *ld, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(ld, false, fmt, ap);
	va_end(ap);
	return err;
}

int pvhdev__dump_note_v(struct pvhdev_dump *d, const char *fmt, va_list ap)
{
	if (d->nr_notes == d->cap_notes) {
		size_t cap = d->cap_notes ? 2 * d->cap_notes : 16;
		char **n = realloc(d->notes, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		d->notes = n;
		d->cap_notes = cap;
	}
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return -ENOMEM;
	d->notes[d->nr_notes++] = s;
	return 0;
}

__attribute__((format(printf, 2, 3)))
int note(struct load *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = pvhdev__dump_note_v(ld->dump, fmt, ap);
	va_end(ap);
	return rc ? fail_file(ld, rc, "out of memory") : 0;
}

/* Bytes as lspci prints them: 256, 16K, 4M, 1G, 2T. */
const char *size_str(uint64_t bytes, char buf[32])
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (bytes && !(bytes & 1023) && u < 5) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, 32, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, 32, "%llu%c", (unsigned long long)bytes, units[u]);
	return buf;
}

/* ---- API ---- */

static void load_fini(struct load *ld)
{
	for (size_t i = 0; i < ld->nr; i++)
		free(ld->devs[i].bars);
	free(ld->devs);
	free(ld->sz);
	free(ld->ranges);
	free(ld->bridges);
}

int pvhdev_dump_load(const char *path, struct pvhdev_dump **out, char *err,
                     size_t err_len)
{
	struct load ld = { .path = path, .err = err, .err_len = err_len };
	int rc;

	if (err && err_len)
		err[0] = '\0';
	if (!out || !path) {
		ld.path = "pvhdev_dump_load";
		return fail_file(&ld, -EINVAL, "a path and an out pointer are "
		                 "required");
	}
	*out = NULL;
	if (!(ld.dump = calloc(1, sizeof(*ld.dump))))
		return fail_file(&ld, -ENOMEM, "out of memory");
	rc = scan_file(&ld);
	if (!rc)
		rc = pci_run(&ld);
	if (!rc && !ld.dump->nr_devs)
		rc = fail_file(&ld, -EINVAL, "no devices (all %zu read vendor ID "
		               "ffff)", ld.nr);
	if (!rc)
		rc = size_all(&ld);
	load_fini(&ld);
	if (rc) {
		pvhdev_dump_free(ld.dump);
		return rc;
	}
	*out = ld.dump;
	return 0;
}

void pvhdev_dump_free(struct pvhdev_dump *dump)
{
	if (!dump)
		return;
	for (size_t i = 0; i < dump->nr_devs; i++)
		free((void *)dump->devs[i].cfg);
	free(dump->devs);
	for (size_t i = 0; i < dump->nr_notes; i++)
		free(dump->notes[i]);
	free(dump->notes);
	free(dump->busy);
	free(dump->last_bus);
	free(dump->mcfg);
	free(dump);
}

size_t pvhdev_dump_count(const struct pvhdev_dump *dump)
{
	return dump ? dump->nr_devs : 0;
}

const struct pvhdev_fake_dev *pvhdev_dump_devs(const struct pvhdev_dump *dump)
{
	return dump ? dump->devs : NULL;
}

size_t pvhdev_dump_nr_notes(const struct pvhdev_dump *dump)
{
	return dump ? dump->nr_notes : 0;
}

const char *pvhdev_dump_note(const struct pvhdev_dump *dump, size_t i)
{
	return dump && i < dump->nr_notes ? dump->notes[i] : NULL;
}
