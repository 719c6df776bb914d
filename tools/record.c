/* SPDX-License-Identifier: MIT */
/*
 * pvhdev record: run a scenario like `pvhdev replay` does, with the
 * machine's backend wrapped in a trace recorder (include/pvhdev/trace.h),
 * and write every backend call it made to a trace file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhdev/host_backend.h>
#include <pvhdev/pvhdev.h>
#include <pvhdev/scenario.h>
#include <pvhdev/trace.h>

#include "cli.h"
#include "machine.h"
#include "report.h"

static const char record_usage[] =
	"Usage: pvhdev record (--lspci FILE [--bare] | --platform FILE | --host\n"
	"                     [--allow-hw-writes]) [--note TEXT] [--quiet] [--json]\n"
	"                     SCENARIO -o TRACE\n"
	"\n"
	"Runs SCENARIO like 'pvhdev replay' does and writes every call pvhdev\n"
	"made to the machine's backend (config and MMIO reads and writes,\n"
	"enumeration), with the answers, to TRACE (docs/trace-format.md).\n"
	"'pvhdev replay --trace TRACE SCENARIO' replays it with no other\n"
	"backend.\n"
	"\n"
	"Options:\n"
	"  --lspci FILE       the machine as an lspci dump (on the platform\n"
	"                     'pvhdev boot --help' describes)\n"
	"  --bare             with --lspci: the empty platform\n"
	"  --platform FILE    the machine as a platform XML file\n"
	"  --host             this machine's devices, read-only: a shadow\n"
	"                     answers writes and the trace marks them shadow=\"1\"\n"
	"  --allow-hw-writes  with --host: let writes reach the hardware\n"
	"  --note TEXT        free text for the trace's header\n"
	"  -o, --output TRACE the trace file to write (truncated); '-' writes\n"
	"                     it to stdout, and the transcript to stderr\n"
	"  -q, --quiet        print only failures and errors\n"
	"  --json             print the run as 'pvhdev replay --json' does\n"
	"  -h, --help         this text\n"
	"\n"
	"The trace's header names the source as given ('lspci:FILE',\n"
	"'platform:FILE' or 'host'); a replay looks a platform file up as\n"
	"given, then relative to the trace's directory.\n"
	"\n"
	"Exit status:\n"
	"  0  every expectation held (the trace is written)\n"
	"  1  an expectation failed (the trace up to there is kept)\n"
	"  2  bad usage, or a malformed or unreadable scenario or machine\n"
	"  3  internal error (out of memory, backend or trace write failure)\n";

struct record_opts {
	struct machine_opts m;
	const char *scenario;
	const char *output;
	/* Where the trace is written: output, or with "-o -" a temporary
	 * file copied to stdout once the trace is finished (the writer
	 * needs a file of its own; stdout may be a pipe). */
	const char *path;
	char tmp[64];
	const char *note;
	bool quiet;
	bool json;
	/* The recorder, made by wrap() inside machine_open(). */
	struct pvhdev_trace *trace;
	int wrap_rc;
};

static int parse_opts(int argc, char **argv, struct record_opts *o)
{
	static const struct option opts[] = {
		{ "lspci", required_argument, NULL, 'l' },
		{ "bare", no_argument, NULL, 'B' },
		{ "platform", required_argument, NULL, 'p' },
		{ "host", no_argument, NULL, 'H' },
		{ "allow-hw-writes", no_argument, NULL, 'W' },
		{ "note", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, sources;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o->m.lspci = optarg; break;
		case 'B': o->m.bare = true; break;
		case 'p': o->m.platform = optarg; break;
		case 'H': o->m.host = true; break;
		case 'W': o->m.allow_hw_writes = true; break;
		case 'n': o->note = optarg; break;
		case 'o': o->output = optarg; break;
		case 'q': o->quiet = true; break;
		case 'j': o->json = true; break;
		case 'h': fputs(record_usage, stdout); return -1;
		default: return cli_bad_option("record", argv);
		}
	}
	sources = !!o->m.lspci + !!o->m.platform + !!o->m.host;
	if (sources != 1)
		return cli_usage_error("record", "%s",
		                       sources ? "--lspci, --platform and --host exclude each other"
		                               : "expected --lspci FILE, --platform FILE or --host");
	if (o->m.allow_hw_writes && !o->m.host)
		return cli_usage_error("record", "--allow-hw-writes needs --host");
	if (o->m.bare && !o->m.lspci)
		return cli_usage_error("record", "--bare goes with --lspci");
	if (o->json && o->output && cli_is_stdio(o->output))
		return cli_usage_error("record", "--json and -o - both want stdout");
	if (!o->output)
		return cli_usage_error("record", "missing -o TRACE");
	if (optind + 1 != argc)
		return cli_usage_error("record", "%s", optind == argc ? "missing SCENARIO"
		                                                        : "more than one SCENARIO");
	o->scenario = argv[optind];
	return CLI_OK;
}

/* A --host trace's platform: the capture, as a platform file beside the
 * trace (TRACE.platform.xml), which the trace's header names ("host:FILE")
 * so that `replay --trace` boots on it alone (docs/trace-format.md). */
#define HOST_PLATFORM_SUFFIX ".platform.xml"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int host_platform(const struct record_opts *o, const struct machine *m)
{
	char path[4096];
	FILE *f;
	int rc;

	if (snprintf(path, sizeof(path), "%s%s", o->output, HOST_PLATFORM_SUFFIX) >=
	    (int)sizeof(path) || !(f = fopen(path, "w"))) {
		fprintf(stderr, "pvhdev record: %s%s: %s\n", o->output, HOST_PLATFORM_SUFFIX,
		        strerror(errno ? errno : ENAMETOOLONG));
		return CLI_INTERNAL;
	}
	rc = pvhdev_capture_write_xml(machine_capture(m), f, NULL, NULL, 0);
	if (fclose(f) || rc) {
		fprintf(stderr, "pvhdev record: %s: cannot write\n", path);
		return CLI_INTERNAL;
	}
	return CLI_OK;
}

/* machine_opts.wrap: puts the recorder between the domain and the
 * machine's backend. */
static int wrap(void *arg, const struct pvhdev_backend_ops **ops, void **ctx)
{
	struct record_opts *o = arg;
	char source[4096];
	struct pvhdev_trace_opts topts = {
		.size = sizeof(topts),
		.source = source,
		.note = o->note,
	};
	int rc;

	if (o->m.lspci) /* "lspci-bare:" for the empty platform of --bare */
		rc = snprintf(source, sizeof(source), "lspci%s:%s", o->m.bare ? "-bare" : "",
		              o->m.lspci);
	else if (o->m.platform)
		rc = snprintf(source, sizeof(source), "platform:%s", o->m.platform);
	else if (cli_is_stdio(o->output))
		rc = snprintf(source, sizeof(source), "host");
	else /* the captured platform goes beside the trace (host_platform) */
		rc = snprintf(source, sizeof(source), "host:%s%s", base_name(o->output),
		              HOST_PLATFORM_SUFFIX);
	/* The header must name the source whole, or a replay finds another. */
	if (rc < 0 || (size_t)rc >= sizeof(source)) {
		fprintf(stderr, "pvhdev record: %s: path too long\n",
		        o->m.lspci ? o->m.lspci : o->m.platform);
		o->wrap_rc = -ENAMETOOLONG;
		return o->wrap_rc;
	}
	if (o->m.host && !o->m.allow_hw_writes)
		topts.flags |= PVHDEV_TRACE_SHADOW_WRITES;
	rc = pvhdev_trace_record_open(o->path, *ops, *ctx, &topts, &o->trace);
	if (rc) {
		fprintf(stderr, "pvhdev record: %s: %s\n", o->output,
		        rc == -EINVAL ? "the backend cannot be recorded"
		                      : strerror(-rc));
		o->wrap_rc = rc;
		return rc;
	}
	*ops = pvhdev_trace_backend(o->trace);
	*ctx = o->trace;
	return 0;
}

/* o->path: the output, or for "-" a new temporary file. */
static int trace_path(struct record_opts *o)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	o->path = o->output;
	if (!cli_is_stdio(o->output))
		return CLI_OK;
	if (snprintf(o->tmp, sizeof(o->tmp), "%s/pvhdev-trace-XXXXXX", dir && *dir &&
	             strlen(dir) < sizeof(o->tmp) - 24 ? dir : "/tmp") < 0 ||
	    (fd = mkstemp(o->tmp)) < 0) {
		fprintf(stderr, "pvhdev record: a temporary file for -o -: %s\n",
		        strerror(errno));
		return CLI_INTERNAL;
	}
	close(fd);
	o->path = o->tmp;
	return CLI_OK;
}

/* Copies the finished trace at path to stdout. */
static int copy_out(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "pvhdev record: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			break;
	n = ferror(f) || ferror(stdout);
	fclose(f);
	return n ? -1 : 0;
}

int cli_record(int argc, char **argv)
{
	struct record_opts o = { 0 };
	struct pvhdev_scenario *sc;
	struct pvhdev_scenario_result res;
	struct pvhdev_trace_counters cnt;
	struct machine m;
	int rc = parse_opts(argc, argv, &o), trc;

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	/* With "-o -" the trace is stdout: the transcript goes to stderr;
	 * so does the summary with --json. */
	FILE *out = cli_is_stdio(o.output) || o.json ? stderr : stdout;
	struct cli_report rep = {
		.scenario = cli_is_stdio(o.scenario) ? "<stdin>" : o.scenario,
		.quiet = o.quiet, .json = o.json, .text = out
	};
	if ((rc = trace_path(&o)))
		return rc;
	/* The scenario first: a malformed one never boots anything. */
	rc = cli_scenario_load(o.scenario, &sc, NULL, NULL, 0);
	if (rc)
		return rc;
	o.m.wrap = wrap;
	o.m.wrap_arg = &o;
	rc = machine_open(&m, &o.m);
	if (rc == CLI_OK && o.m.host && !cli_is_stdio(o.output))
		rc = host_platform(&o, &m);
	if (rc == CLI_OK) {
		rep.machine = m.source;
		rc = pvhdev_scenario_run_fake(sc, m.dom, m.fake, cli_report_line, &rep, &res);
		rc = cli_report_end(&rep, rc, &res, NULL);
	} else if (o.wrap_rc) {
		rc = o.wrap_rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	/* The domain uses the trace: free it (machine_close) first.  The
	 * trace never calls the wrapped backend's close hook, and closing
	 * it calls no backend, so the fake being gone already is fine. */
	machine_close(&m);
	pvhdev_scenario_free(sc);
	if (o.trace) {
		pvhdev_trace_get_counters(o.trace, &cnt);
		trc = pvhdev_trace_finish(o.trace);
		if (trc) {
			fprintf(stderr, "pvhdev record: %s\n",
			        pvhdev_trace_error(o.trace)[0] ? pvhdev_trace_error(o.trace)
			                                       : pvhdev_strerror(trc));
			if (rc == CLI_OK)
				rc = CLI_INTERNAL;
		} else if (!o.quiet && rc == CLI_OK) {
			fprintf(out, "%s: %llu access%s recorded", o.output,
			        (unsigned long long)cnt.accesses,
			        cnt.accesses == 1 ? "" : "es");
			if (cnt.shadowed)
				fprintf(out, ", %llu write%s answered by the shadow",
				        (unsigned long long)cnt.shadowed,
				        cnt.shadowed == 1 ? "" : "s");
			fprintf(out, "\n");
		}
		pvhdev_trace_close(o.trace);
		/* A trace of a run that never got going is no use. */
		if (o.path == o.tmp) {
			if (rc == CLI_OK && copy_out(o.tmp))
				rc = CLI_INTERNAL;
			unlink(o.tmp);
		} else if (rc == CLI_USAGE || rc == CLI_INTERNAL) {
			char plat[4096];
			unlink(o.output);
			if (o.m.host && snprintf(plat, sizeof(plat), "%s%s", o.output,
			                         HOST_PLATFORM_SUFFIX) < (int)sizeof(plat))
				unlink(plat);
		}
	}
	return rc;
}
