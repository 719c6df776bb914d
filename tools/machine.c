/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhdev/host.h>
#include <pvhdev/host_backend.h>
#include <pvhdev/platform_file.h>

#include "cli.h"
#include "machine.h"

#define DEFAULT_MACHINE "machines/intel-nuc-broadwell-u-i218.xml"

/* The bundled default is a platform file; a dump path that merely holds
 * ".xml" somewhere (dumps.xml.d/nuc.lspci) is still a dump. */
static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

const char *machine_default(char *buf, size_t len)
{
	return cli_data_path(DEFAULT_MACHINE, buf, len) ? NULL : buf;
}

/* m->source names the machine in messages and trace headers: a path too
 * long for it is an error, not a name cut short. */
static int set_source(struct machine *m, const char *kind, const char *path)
{
	int n = snprintf(m->source, sizeof(m->source), "%s:%s", kind, path);

	if (n < 0 || (size_t)n >= sizeof(m->source)) {
		fprintf(stderr, "pvhdev: %s: path too long (at most %zu bytes)\n",
		        path, sizeof(m->source) - strlen(kind) - 2);
		m->source[0] = '\0';
		return CLI_USAGE;
	}
	return CLI_OK;
}

static int open_lspci(struct machine *m, const char *path)
{
	char err[512];
	int rc = set_source(m, "lspci", path);

	if (rc)
		return rc;
	rc = pvhdev_dump_load(path, &m->dump, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pvhdev: %s\n", err);
		return CLI_USAGE;
	}
	rc = pvhdev_fake_new(&pvhdev_host_alloc, NULL, pvhdev_dump_devs(m->dump),
	                     pvhdev_dump_count(m->dump), &m->fake);
	if (rc) {
		fprintf(stderr, "pvhdev: %s: %s\n", path, pvhdev_strerror(rc));
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	return CLI_OK;
}

/* A platform file: its devices become the fake backend, its platform
 * boots the domain.  m->priv holds the loaded file until machine_close().
 * The schema comes from the data directories (cli_datadirs()). */
static int open_platform(struct machine *m, const char *path)
{
	struct pvhdev_platform_file *pf;
	char schema[4096], err[1024] = "";
	int rc = set_source(m, "platform", path);

	if (rc)
		return rc;
	rc = cli_data_path(PVHDEV_PLATFORM_SCHEMA, schema, sizeof(schema));
	if (rc) {
		fprintf(stderr, "pvhdev: %s: cannot find the schema %s (set "
		        "PVHDEV_DATADIR to the directory that holds it)\n", path,
		        PVHDEV_PLATFORM_SCHEMA);
		return CLI_INTERNAL;
	}
	rc = pvhdev_platform_file_load(path, schema, &pf, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pvhdev: %s\n", err[0] ? err : pvhdev_strerror(rc));
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	m->priv = pf;
	rc = pvhdev_fake_new(&pvhdev_host_alloc, NULL, pvhdev_platform_file_devs(pf),
	                     pvhdev_platform_file_count(pf), &m->fake);
	if (rc) {
		fprintf(stderr, "pvhdev: %s: %s\n", path, pvhdev_strerror(rc));
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	return CLI_OK;
}

/* Warnings and errors on stderr; info lines (what boot left out and
 * why) only with PVHDEV_VERBOSE set. */
/* Warnings and errors go to stderr (the rest with $PVHDEV_VERBOSE);
 * those of the boot are kept as notes. */
static void cli_log(void *ctx, enum pvhdev_log_level level, const char *msg)
{
	struct machine *m = ctx;

	if (level <= PVHDEV_LOG_WARN || getenv("PVHDEV_VERBOSE"))
		pvhdev_host_log_stderr("pvhdev", level, msg);
	if (level > PVHDEV_LOG_WARN || !m->booting || m->nr_warnings == MACHINE_MAX_WARNINGS)
		return;
	if (m->nr_warnings % 64 == 0) {
		char **w = realloc(m->warnings, (m->nr_warnings + 64) * sizeof(*w));
		if (!w)
			return;
		m->warnings = w;
	}
	if ((m->warnings[m->nr_warnings] = strdup(msg)))
		m->nr_warnings++;
}

static bool from_platform(const struct machine *m)
{
	return !strncmp(m->source, "platform:", strlen("platform:"));
}

static bool from_host(const struct machine *m)
{
	return !strcmp(m->source, "host");
}

/* The running machine: devices through libpci behind a shadow (writes
 * stay in it unless allowed), the platform captured read-only. */
struct host_priv {
	struct pvhdev_libpci *lp;
	struct pvhdev_capture *cap;
};

static int open_host(struct machine *m, const struct machine_opts *o,
                     const struct pvhdev_platform **plat)
{
	const char *root = getenv("PVHDEV_SYSFS_ROOT");
	struct pvhdev_libpci_opts lo = {
		.size = sizeof(lo), .sysfs_root = root,
		.flags = o->allow_hw_writes ? PVHDEV_LIBPCI_HW_WRITES : 0,
	};
	struct pvhdev_capture_opts co = { .size = sizeof(co), .sysfs_root = root,
	                                  .kmsg = root ? NULL : "/dev/kmsg" };
	struct host_priv *h = calloc(1, sizeof(*h));
	char err[512];
	int rc;

	if (!h)
		return CLI_INTERNAL;
	m->priv = h;
	snprintf(m->source, sizeof(m->source), "host");
	if (o->allow_hw_writes)
		fputs("pvhdev: warning: --allow-hw-writes: the config writes pvhdev passes "
		      "through (command registers, MSI/MSI-X control, the scenario's own) "
		      "reach this machine's live devices and can stop them; BAR registers "
		      "never do\n", stderr);
	if ((rc = pvhdev_libpci_open(&lo, &h->lp, err, sizeof(err)))) {
		fprintf(stderr, "pvhdev: host: %s\n", err);
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	if ((rc = pvhdev_capture_run(&co, &h->cap))) {
		fprintf(stderr, "pvhdev: host: %s\n", pvhdev_strerror(rc));
		return CLI_INTERNAL;
	}
	for (size_t i = 0; i < pvhdev_libpci_nr_notes(h->lp); i++)
		fprintf(stderr, "pvhdev: host: %s\n", pvhdev_libpci_note(h->lp, i));
	for (size_t i = 0; i < pvhdev_capture_nr_notes(h->cap); i++)
		fprintf(stderr, "pvhdev: host: %s\n", pvhdev_capture_note(h->cap, i));
	*plat = pvhdev_capture_platform(h->cap);
	return CLI_OK;
}

static int boot(struct machine *m, const struct machine_opts *o,
                const struct pvhdev_platform *plat)
{
	m->plat = plat;
	const struct pvhdev_backend_ops *ops = &pvhdev_fake_ops;
	void *ctx = m->fake, *lp = NULL;
	if (from_host(m)) {
		ops = &pvhdev_libpci_ops;
		ctx = lp = pvhdev_libpci_ctx(((struct host_priv *)m->priv)->lp);
	}
	int rc = o->wrap ? o->wrap(o->wrap_arg, &ops, &ctx) : 0;

	/* On this machine, hw-write events say which writes stayed in the
	 * shadow. */
	struct pvhdev_config cfg = {
		.size = sizeof(cfg),
		.backend = ops,
		.backend_ctx = ctx,
		.alloc = &pvhdev_host_alloc,
		.log = cli_log,
		.log_ctx = m,
		.event_capacity = 1u << 16,
		.shadowed = lp ? pvhdev_libpci_shadowed : NULL,
		.shadowed_ctx = lp,
	};
	if (!rc)
		rc = pvhdev_domain_new(&cfg, &m->dom);
	m->booting = true;
	if (!rc)
		rc = pvhdev_domain_boot(m->dom, plat);
	m->booting = false;
	if (rc) {
		fprintf(stderr, "pvhdev: %s: boot failed: %s\n", m->source,
		        pvhdev_strerror(rc));
		return CLI_INTERNAL;
	}
	return CLI_OK;
}

int machine_open(struct machine *m, const struct machine_opts *o)
{
	static const struct pvhdev_platform empty = { .size = sizeof(empty) };
	char buf[4096];
	const char *path = o->lspci;
	int rc;

	memset(m, 0, sizeof(*m));
	if (o->host) {
		const struct pvhdev_platform *plat = NULL;
		rc = open_host(m, o, &plat);
		return rc ? rc : boot(m, o, plat);
	}
	if (!path && !o->platform && !(path = machine_default(buf, sizeof(buf)))) {
		fprintf(stderr, "pvhdev: bundled machine %s not found\n", DEFAULT_MACHINE);
		return CLI_USAGE;
	}
	if (o->platform || has_suffix(path, ".xml")) {
		rc = open_platform(m, o->platform ? o->platform : path);
		return rc ? rc : boot(m, o, pvhdev_platform_file_platform(m->priv));
	}
	rc = open_lspci(m, path);
	if (rc)
		return rc;
	/* A dump alone: the platform inferred around it, unless --bare. */
	const struct pvhdev_platform *plat = &empty;
	if (!o->bare && (rc = pvhdev_dump_platform(m->dump, &plat))) {
		fprintf(stderr, "pvhdev: %s: %s\n", path, pvhdev_strerror(rc));
		return CLI_INTERNAL;
	}
	return boot(m, o, plat);
}

void machine_close(struct machine *m)
{
	pvhdev_domain_free(m->dom);
	pvhdev_fake_free(m->fake);
	pvhdev_dump_free(m->dump);
	if (from_platform(m))
		pvhdev_platform_file_free(m->priv);
	if (from_host(m) && m->priv) {
		struct host_priv *h = m->priv;
		pvhdev_libpci_close(h->lp);
		pvhdev_capture_free(h->cap);
		free(h);
	}
	for (size_t i = 0; i < m->nr_warnings; i++)
		free(m->warnings[i]);
	free(m->warnings);
	memset(m, 0, sizeof(*m));
}

/* The loader's own notes. */
static size_t loader_nr_notes(const struct machine *m)
{
	if (from_platform(m))
		return pvhdev_platform_file_nr_notes(m->priv);
	if (from_host(m) && m->priv) {
		const struct host_priv *h = m->priv;
		return pvhdev_libpci_nr_notes(h->lp) + pvhdev_capture_nr_notes(h->cap);
	}
	return m->dump ? pvhdev_dump_nr_notes(m->dump) : 0;
}

size_t machine_nr_notes(const struct machine *m)
{
	return loader_nr_notes(m) + m->nr_warnings;
}

const char *machine_note(const struct machine *m, size_t i)
{
	size_t loader = loader_nr_notes(m);

	if (i >= loader)
		return m->warnings[i - loader];
	if (from_platform(m))
		return pvhdev_platform_file_note(m->priv, i);
	if (from_host(m)) {
		const struct host_priv *h = m->priv;
		size_t n = pvhdev_libpci_nr_notes(h->lp);
		return i < n ? pvhdev_libpci_note(h->lp, i) : pvhdev_capture_note(h->cap, i - n);
	}
	return pvhdev_dump_note(m->dump, i);
}

struct pvhdev_capture *machine_capture(const struct machine *m)
{
	return from_host(m) && m->priv ? ((const struct host_priv *)m->priv)->cap : NULL;
}
