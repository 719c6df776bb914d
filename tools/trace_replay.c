/* SPDX-License-Identifier: MIT */
/*
 * pvhdev replay --trace: a scenario replayed against a recorded trace
 * (include/pvhdev/trace.h) as the only backend.  The trace's header says
 * where its devices came from; only the platform (e820, MMCFG, ...) is
 * taken from there, the devices answer from the trace.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhdev/dump.h>
#include <pvhdev/host.h>
#include <pvhdev/platform_file.h>
#include <pvhdev/pvhdev.h>
#include <pvhdev/scenario.h>
#include <pvhdev/trace.h>

#include "cli.h"
#include "report.h"

#define PLATFORM_PREFIX "platform:"
#define LSPCI_PREFIX "lspci:"
#define HOST_PREFIX "host:"

/* A file the trace names: as given, else relative to the trace's
 * directory (buf holds that path). */
static const char *beside(const char *trace, const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(trace, '/');

	if (access(path, R_OK) && path[0] != '/' && slash) {
		int n = snprintf(buf, len, "%.*s/%s", (int)(slash - trace), trace, path);
		if (n >= 0 && (size_t)n < len && !access(buf, R_OK))
			return buf;
	}
	return path;
}

/* A platform file named by the trace (or --platform). */
static int load_platform(const char *trace, const char *path,
                         struct pvhdev_platform_file **pf)
{
	char schema[4096], err[1024] = "", buf[4096];
	int rc;

	path = beside(trace, path, buf, sizeof(buf));
	rc = cli_data_path(PVHDEV_PLATFORM_SCHEMA, schema, sizeof(schema));
	if (rc) {
		fprintf(stderr, "pvhdev: %s: cannot find the schema %s (set "
		        "PVHDEV_DATADIR to the directory that holds it)\n", path,
		        PVHDEV_PLATFORM_SCHEMA);
		return CLI_INTERNAL;
	}
	rc = pvhdev_platform_file_load(path, schema, pf, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s: platform: %s\n", trace,
		        err[0] ? err : pvhdev_strerror(rc));
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	return CLI_OK;
}

/* The platform `pvhdev record --lspci` booted on: the one inferred
 * around the dump the trace names (pvhdev_dump_platform()). */
static int load_dump(const char *trace, const char *path, struct pvhdev_dump **dump,
                     const struct pvhdev_platform **plat)
{
	char err[1024] = "", buf[4096];
	int rc;

	path = beside(trace, path, buf, sizeof(buf));
	rc = pvhdev_dump_load(path, dump, err, sizeof(err));
	if (!rc)
		rc = pvhdev_dump_platform(*dump, plat);
	if (rc) {
		fprintf(stderr, "%s: lspci: %s\n", trace, err[0] ? err : pvhdev_strerror(rc));
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	return CLI_OK;
}

int cli_trace_replay(const char *trace, const char *platform, bool relaxed,
                     const struct pvhdev_scenario *sc, struct cli_report *rep)
{
	char machine[16 + 4096];
	static const struct pvhdev_platform empty = { .size = sizeof(empty) };
	const struct pvhdev_platform *plat = &empty;
	struct pvhdev_platform_file *pf = NULL;
	struct pvhdev_dump *dump = NULL;
	struct pvhdev_domain *dom = NULL;
	struct pvhdev_trace *t;
	struct pvhdev_trace_info info;
	struct pvhdev_trace_counters cnt;
	struct pvhdev_scenario_result res = { 0 };
	char err[1024] = "";
	bool ran = false;
	int rc, run_rc = 0, trc, ret;

	rc = pvhdev_trace_replay_open(cli_is_stdio(trace) ? "/dev/stdin" : trace,
	                              relaxed ? PVHDEV_TRACE_RELAXED : PVHDEV_TRACE_STRICT,
	                              &t, err, sizeof(err));
	if (rc) {
		if (err[0])
			fprintf(stderr, "%s\n", err);
		else
			fprintf(stderr, "%s: %s\n", trace, pvhdev_strerror(rc));
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	pvhdev_trace_get_info(t, &info);
	if (!platform && !strncmp(info.source, PLATFORM_PREFIX, strlen(PLATFORM_PREFIX)))
		platform = info.source + strlen(PLATFORM_PREFIX);
	/* A --host recording's captured platform, beside the trace. */
	if (!platform && !strncmp(info.source, HOST_PREFIX, strlen(HOST_PREFIX)))
		platform = info.source + strlen(HOST_PREFIX);
	if (platform) {
		ret = load_platform(trace, platform, &pf);
		if (ret) {
			pvhdev_trace_close(t);
			return ret;
		}
		plat = pvhdev_platform_file_platform(pf);
	} else if (!strncmp(info.source, LSPCI_PREFIX, strlen(LSPCI_PREFIX))) {
		ret = load_dump(trace, info.source + strlen(LSPCI_PREFIX), &dump, &plat);
		if (ret) {
			pvhdev_trace_close(t);
			return ret;
		}
	}
	/* Else ("lspci-bare:FILE", "host", anything else): an empty platform,
	 * as `pvhdev replay --lspci FILE --bare` boots.  A "host" trace (one
	 * written to stdout) wants --platform with the `pvhdev capture` of the
	 * machine it was recorded on. */

	struct pvhdev_config cfg = {
		.size = sizeof(cfg),
		.backend = pvhdev_trace_backend(t),
		.backend_ctx = t,
		.alloc = &pvhdev_host_alloc,
		.log = pvhdev_host_log_stderr,
		.log_ctx = "pvhdev",
		.event_capacity = 1u << 16,
	};
	rc = pvhdev_domain_new(&cfg, &dom);
	if (!rc)
		rc = pvhdev_domain_boot(dom, plat);
	if (!rc) {
		ran = true;
		run_rc = pvhdev_scenario_run(sc, dom, cli_report_line, rep, &res);
	}
	/* The domain uses the trace: free it first. */
	pvhdev_domain_free(dom);
	pvhdev_trace_get_counters(t, &cnt);
	trc = pvhdev_trace_finish(t);

	snprintf(machine, sizeof(machine), "trace:%s", trace);
	rep->machine = machine;
	if (trc == -EPROTO && ran) {
		/* A divergence, or the trace holds accesses the replay did
		 * not make: what pvhdev sent is not what was recorded. */
		ret = cli_report_end(rep, run_rc, &res, pvhdev_trace_error(t));
	} else if (trc == -EPROTO) {
		fprintf(stderr, "%s\n", pvhdev_trace_error(t));
		ret = CLI_CHECK_FAILED;
	} else if (trc == -EINVAL) {
		fprintf(stderr, "%s\n", pvhdev_trace_error(t));
		ret = CLI_USAGE;
	} else if (trc) {
		fprintf(stderr, "%s: %s\n", trace, pvhdev_trace_error(t)[0]
		                                   ? pvhdev_trace_error(t)
		                                   : pvhdev_strerror(trc));
		ret = CLI_INTERNAL;
	} else if (!ran) {
		fprintf(stderr, "pvhdev: %s: boot failed: %s\n", trace,
		        pvhdev_strerror(rc));
		ret = CLI_INTERNAL;
	} else {
		ret = cli_report_end(rep, run_rc, &res, NULL);
		/* With --json the summary is not part of the document. */
		FILE *f = rep->json ? stderr : stdout;
		if (ret == CLI_OK && !rep->quiet) {
			fprintf(f, "%s: %llu backend access%s replayed (%s)", trace,
			        (unsigned long long)cnt.accesses,
			        cnt.accesses == 1 ? "" : "es",
			        relaxed ? "relaxed" : "strict, the whole trace");
			if (cnt.shadowed)
				fprintf(f, ", %llu shadowed write%s",
				        (unsigned long long)cnt.shadowed,
				        cnt.shadowed == 1 ? "" : "s");
			if (relaxed)
				fprintf(f, ", %llu read%s not in the trace",
				        (unsigned long long)cnt.misses,
				        cnt.misses == 1 ? "" : "s");
			fprintf(f, "\n");
		}
	}
	cli_report_free(rep); /* kept lines of a run that ended above */
	pvhdev_trace_close(t);
	if (pf)
		pvhdev_platform_file_free(pf);
	pvhdev_dump_free(dump);
	return ret;
}
