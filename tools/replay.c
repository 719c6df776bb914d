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
#include "report.h"

static const char replay_usage[] =
	"Usage: pvhdev replay [--lspci FILE [--bare] | --platform FILE] [--quiet]\n"
	"                     [--json] [--junit FILE] SCENARIO\n"
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
	"                   -xxxx, with or without -v text), on the platform\n"
	"                   'pvhdev boot --help' describes\n"
	"  --bare           with an lspci dump: the empty platform\n"
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
	"  --json           print one JSON document instead of the transcript:\n"
	"                   the result, counts, every expectation with its\n"
	"                   result, the transcript's lines (docs/json.md)\n"
	"  --junit FILE     also write JUnit XML to FILE: a test case per\n"
	"                   expectation, waived failures as skipped\n"
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
	bool json;
	const char *junit;
};

static int parse_opts(int argc, char **argv, struct replay_opts *o)
{
	static const struct option opts[] = {
		{ "lspci", required_argument, NULL, 'l' },
		{ "bare", no_argument, NULL, 'B' },
		{ "platform", required_argument, NULL, 'p' },
		{ "trace", required_argument, NULL, 't' },
		{ "relaxed", no_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "junit", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o->m.lspci = optarg; break;
		case 'B': o->m.bare = true; break;
		case 'p': o->m.platform = optarg; break;
		case 't': o->trace = optarg; break;
		case 'r': o->relaxed = true; break;
		case 'q': o->quiet = true; break;
		case 'j': o->json = true; break;
		case 'J': o->junit = optarg; break;
		case 'h': fputs(replay_usage, stdout); return -1;
		default: return cli_bad_option("replay", argv);
		}
	}
	if (o->m.lspci && o->m.platform)
		return cli_usage_error("replay", "--lspci and --platform exclude each other");
	if (o->trace && o->m.lspci)
		return cli_usage_error("replay", "--trace excludes --lspci");
	if (o->relaxed && !o->trace)
		return cli_usage_error("replay", "--relaxed needs --trace");
	if (o->m.bare && (o->m.platform || o->trace))
		return cli_usage_error("replay", "--bare goes with an lspci dump");
	if (optind + 1 != argc)
		return cli_usage_error("replay", "%s", optind == argc ? "missing SCENARIO"
		                                                        : "more than one SCENARIO");
	o->scenario = argv[optind];
	return CLI_OK;
}

bool cli_is_stdio(const char *path)
{
	return !strcmp(path, "-");
}

/* At most what pvhdev_scenario_load() reads from a file. */
#define SCENARIO_MAX (256u << 20)

/* The whole of f into *text (*len bytes, NUL-terminated); name in
 * messages. */
static int read_text(FILE *f, const char *name, char **text, size_t *len, char *err,
                     size_t err_len)
{
	size_t n = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		if (n + 1 >= cap) {
			size_t next = cap ? 2 * cap : 65536;
			char *t = cap < SCENARIO_MAX ? realloc(buf, next) : NULL;
			if (!t) {
				snprintf(err, err_len, "%s: cannot read: %s", name,
				         cap < SCENARIO_MAX ? strerror(ENOMEM) : "larger than 256 MiB");
				free(buf);
				return cap < SCENARIO_MAX ? -ENOMEM : -EFBIG;
			}
			buf = t;
			cap = next;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, err_len, "%s: cannot read: %s", name, strerror(errno));
		free(buf);
		return -EIO;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/*
 * The scenario's machine: its first "# machine: KIND:PATH" comment line
 * (KIND lspci or platform; PATH relative to the scenario's directory,
 * or to the working directory for "<stdin>"), the convention of the
 * scenarios in tests/data.  Sets o->lspci or o->platform to path (buf);
 * CLI_OK when there is no such line.
 */
static int scenario_machine(const char *scenario, const char *text, char *buf, size_t len,
                            struct machine_opts *o)
{
	unsigned line = 1;

	for (const char *p = text; *p; line++) {
		const char *end = p + strcspn(p, "\n"), *q = p;
		if (*q++ == '#') {
			q += strspn(q, " \t");
			if (!strncmp(q, "machine:", 8)) {
				q += 8 + strspn(q + 8, " \t");
				size_t kind = strcspn(q, ":\n"), plen;
				const char *path = q + kind + 1;
				plen = strcspn(path, " \t\r\n");
				bool lspci = kind == 5 && !strncmp(q, "lspci", 5);
				if ((!lspci && (kind != 8 || strncmp(q, "platform", 8))) ||
				    q[kind] != ':' || !plen) {
					fprintf(stderr, "%s:%u: expected '# machine: lspci:FILE' or "
					        "'# machine: platform:FILE'\n", scenario, line);
					return CLI_USAGE;
				}
				const char *slash = strrchr(scenario, '/');
				int dir = path[0] == '/' || !slash ? 0 : (int)(slash - scenario + 1);
				int n = snprintf(buf, len, "%.*s%.*s", dir, scenario, (int)plen, path);
				if (n < 0 || (size_t)n >= len) {
					fprintf(stderr, "%s:%u: machine path too long\n", scenario, line);
					return CLI_USAGE;
				}
				*(lspci ? &o->lspci : &o->platform) = buf;
				return CLI_OK;
			}
		}
		p = *end ? end + 1 : end;
	}
	return CLI_OK;
}

int cli_scenario_load(const char *path, struct pvhdev_scenario **sc,
                      struct machine_opts *mo, char *buf, size_t len)
{
	char err[1024];
	const char *name = cli_is_stdio(path) ? "<stdin>" : path;
	FILE *f = cli_is_stdio(path) ? stdin : fopen(path, "rb");
	char *text = NULL;
	size_t n = 0;
	int rc;

	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return CLI_USAGE;
	}
	rc = read_text(f, name, &text, &n, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (!rc)
		rc = pvhdev_scenario_parse(name, text, n, sc, err, sizeof(err));
	if (rc) {
		free(text);
		fprintf(stderr, "%s\n", err);
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	rc = mo ? scenario_machine(name, text, buf, len, mo) : CLI_OK;
	free(text);
	if (rc) {
		pvhdev_scenario_free(*sc);
		*sc = NULL;
	}
	return rc;
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
	/* The scenario first: a malformed one never boots anything.  With
	 * no machine option, the scenario's "# machine:" line names it. */
	char machine[4096];
	bool named = o.m.lspci || o.m.platform || o.trace;
	rc = cli_scenario_load(o.scenario, &sc, named ? NULL : &o.m, machine, sizeof(machine));
	if (rc)
		return rc;
	struct cli_report rep = {
		.scenario = cli_is_stdio(o.scenario) ? "<stdin>" : o.scenario,
		.quiet = o.quiet, .json = o.json, .junit = o.junit, .text = stdout
	};
	if (o.trace) {
		rc = cli_trace_replay(o.trace, o.m.platform, o.relaxed, sc, &rep);
		pvhdev_scenario_free(sc);
		return rc;
	}
	rc = machine_open(&m, &o.m);
	if (rc == CLI_OK) {
		rep.machine = m.source;
		rc = pvhdev_scenario_run_fake(sc, m.dom, m.fake, cli_report_line, &rep, &res);
		rc = cli_report_end(&rep, rc, &res, NULL);
	}
	machine_close(&m);
	pvhdev_scenario_free(sc);
	return rc;
}
