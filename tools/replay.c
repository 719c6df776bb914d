/* SPDX-License-Identifier: MIT */
/*
 * pvhdev replay: boot a machine, run a scenario of guest accesses
 * against it, print what each access returned and the events it caused,
 * and check the scenario's expectations.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/pvhdev.h>
#include <pvhdev/scenario.h>

#include "cli.h"
#include "machine.h"

static const char replay_usage[] =
	"Usage: pvhdev replay [--lspci FILE | --platform FILE] [--quiet] SCENARIO\n"
	"       pvhdev replay --trace TRACE [--relaxed] [--platform FILE] [--quiet]\n"
	"                     SCENARIO\n"
	"\n"
	"Boots the dom0 model of a machine, then replays SCENARIO against it:\n"
	"guest accesses written in QEMU's qtest syntax (outb/outw/outl,\n"
	"inb/inw/inl, writeb..writeq, readb..readq; qtest -qtest-log lines\n"
	"replay unchanged) mixed with expectations (expect, expect-event,\n"
	"expect-no-event, expect-mapped, expect-unmapped) and drain, which\n"
	"completes deferred p2m work.  The whole scenario is parsed before\n"
	"anything runs.  See docs/scenario-format.md.  SCENARIO '-' and\n"
	"--trace '-' read standard input.\n"
	"\n"
	"Each access is printed as 'LINE: COMMAND ARGS [-> VALUE]', followed by\n"
	"the events it caused, one per line, indented, in the vocabulary of\n"
	"docs/events.md.  Port accesses pvhdev does not decode and MMIO it does\n"
	"not trap are marked; their reads return all-ones.  The replay stops at\n"
	"the first expectation that does not hold.\n"
	"\n"
	"Options:\n"
	"  --lspci FILE     the machine as an lspci dump (lspci -x, -xxx or\n"
	"                   -xxxx, with or without -v text)\n"
	"  --platform FILE  the machine as a platform XML file\n"
	"  --trace TRACE    no machine: the devices answer from TRACE, written by\n"
	"                   'pvhdev record' (docs/trace-format.md); every backend\n"
	"                   access must be the trace's next one, reads get the\n"
	"                   recorded values, writes must carry them, and the\n"
	"                   whole trace must be used.  The platform is that of\n"
	"                   the trace's header (a platform file's, else empty)\n"
	"                   or, with --platform, that file's (its devices are\n"
	"                   not used): for a --host trace, the 'pvhdev capture'\n"
	"                   of the machine it was recorded on.\n"
	"  --relaxed        with --trace: reads get the last value recorded at\n"
	"                   their offset (all-ones if none), writes go unchecked\n"
	"  -q, --quiet      print only failures and errors\n"
	"  -h, --help       this text\n"
	"\n"
	"Without --lspci or --platform the machine bundled with pvhdev is used\n"
	"(machines/intel-nuc-broadwell-u-i218.xml, looked up in the data\n"
	"directories 'pvhdev help' lists).\n"
	"\n"
	"Exit status:\n"
	"  0  every expectation held\n"
	"  1  an expectation failed; stderr says where, as\n"
	"     'SCENARIO:LINE: expected X, got Y'; with --trace also: the replay\n"
	"     diverged from the trace, as\n"
	"     'TRACE:LINE: access N: expected <...>, got <...>'\n"
	"  2  bad usage, or a malformed or unreadable scenario, machine or trace;\n"
	"     stderr has one line 'FILE:LINE: expected ...'\n"
	"  3  internal error (out of memory, backend failure)\n"
	"\n"
	"Example:\n"
	"  $ cat id.scn\n"
	"  outl 0xcf8 0x80000000\n"
	"  inl 0xcfc\n"
	"  expect 0x16048086\n"
	"  $ pvhdev replay --lspci nuc.lspci id.scn\n"
	"  1: outl 0xcf8 0x80000000\n"
	"  2: inl 0xcfc -> 0x16048086\n"
	"  3: expect 0x16048086: ok\n"
	"  id.scn: 2 accesses, 1 expectation held\n";

struct replay_opts {
	struct machine_opts m;
	const char *scenario;
	const char *trace;
	bool relaxed;
	bool quiet;
};

static int parse_opts(int argc, char **argv, struct replay_opts *o)
{
	static const struct option opts[] = {
		{ "lspci", required_argument, NULL, 'l' },
		{ "platform", required_argument, NULL, 'p' },
		{ "trace", required_argument, NULL, 't' },
		{ "relaxed", no_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o->m.lspci = optarg; break;
		case 'p': o->m.platform = optarg; break;
		case 't': o->trace = optarg; break;
		case 'r': o->relaxed = true; break;
		case 'q': o->quiet = true; break;
		case 'h': fputs(replay_usage, stdout); return -1;
		default: return cli_bad_option("replay", argv);
		}
	}
	if (o->m.lspci && o->m.platform) {
		return cli_usage_error("replay", "--lspci and --platform exclude each other");
	}
	if (o->trace && o->m.lspci) {
		return cli_usage_error("replay", "--trace excludes --lspci");
	}
	if (o->relaxed && !o->trace) {
		return cli_usage_error("replay", "--relaxed needs --trace");
	}
	if (optind + 1 != argc) {
		return cli_usage_error("replay", "%s", optind == argc ? "missing SCENARIO"
		                                                        : "more than one SCENARIO");
	}
	o->scenario = argv[optind];
	return CLI_OK;
}

bool cli_is_stdio(const char *path)
{
	return !strcmp(path, "-");
}

/* The scenario on standard input, named "<stdin>" in messages; at most
 * what pvhdev_scenario_load() reads from a file. */
#define SCENARIO_STDIN_MAX (256u << 20)

static int scenario_stdin(struct pvhdev_scenario **sc, char *err, size_t len)
{
	size_t n = 0, cap = 0;
	char *text = NULL;
	int rc;

	for (;;) {
		if (n == cap) {
			if (cap >= SCENARIO_STDIN_MAX) {
				snprintf(err, len, "<stdin>: larger than %u MiB",
				         SCENARIO_STDIN_MAX >> 20);
				free(text);
				return -EFBIG;
			}
			char *t = realloc(text, cap = cap ? cap * 2 : 65536);
			if (!t) {
				free(text);
				return -ENOMEM;
			}
			text = t;
		}
		size_t got = fread(text + n, 1, cap - n, stdin);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(stdin)) {
		snprintf(err, len, "<stdin>: %s", strerror(errno));
		free(text);
		return -EIO;
	}
	rc = pvhdev_scenario_parse("<stdin>", text, n, sc, err, len);
	free(text);
	return rc;
}

int cli_scenario_load(const char *path, struct pvhdev_scenario **sc)
{
	char err[1024];
	int rc = cli_is_stdio(path) ? scenario_stdin(sc, err, sizeof(err))
	                            : pvhdev_scenario_load(path, sc, err, sizeof(err));

	if (!rc)
		return CLI_OK;
	fprintf(stderr, "%s\n", err);
	return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
}

int cli_scenario_verdict(const char *scenario, bool quiet, int rc,
                         const struct pvhdev_scenario_result *res, FILE *out)
{
	if (rc) {
		fprintf(stderr, "%s\n", res->msg);
		return CLI_INTERNAL;
	}
	if (res->failed_line) {
		fprintf(stderr, "%s\n", res->msg);
		return CLI_CHECK_FAILED;
	}
	if (!quiet)
		fprintf(out, "%s: %lu access%s, %lu expectation%s held\n", scenario,
		        res->accesses, res->accesses == 1 ? "" : "es", res->checks,
		        res->checks == 1 ? "" : "s");
	return CLI_OK;
}

int cli_replay(int argc, char **argv)
{
	struct replay_opts o = { 0 };
	struct pvhdev_scenario *sc;
	struct pvhdev_scenario_result res;
	struct machine m;
	int rc = parse_opts(argc, argv, &o);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	/* The scenario first: a malformed one never boots anything. */
	rc = cli_scenario_load(o.scenario, &sc);
	if (rc)
		return rc;
	if (o.trace) {
		rc = cli_trace_replay(o.trace, o.m.platform, o.relaxed, sc, o.scenario, o.quiet);
		pvhdev_scenario_free(sc);
		return rc;
	}
	rc = machine_open(&m, &o.m);
	if (rc == CLI_OK) {
		rc = pvhdev_scenario_run(sc, m.dom, o.quiet ? NULL : pvhdev_scenario_out_file,
		                         stdout, &res);
		fflush(stdout);
		rc = cli_scenario_verdict(o.scenario, o.quiet, rc, &res, stdout);
	}
	machine_close(&m);
	pvhdev_scenario_free(sc);
	return rc;
}
