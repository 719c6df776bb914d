/* SPDX-License-Identifier: MIT */
/* The CLI's private header: exit codes and the commands. */
#ifndef PVHDEV_TOOLS_CLI_H
#define PVHDEV_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cli_exit {
	CLI_OK = 0,
	CLI_CHECK_FAILED = 1,
	CLI_USAGE = 2,
	CLI_INTERNAL = 3,
};

/* A usage error of command cmd ("boot", ...): prints one line,
 * "pvhdev CMD: MESSAGE (see 'pvhdev CMD --help')", and returns
 * CLI_USAGE.  getopt's own messages are turned off (opterr = 0). */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for an option getopt_long() refused ('?' or ':'). */
int cli_bad_option(const char *cmd, char **argv);

/* "-" names standard input or output, for scenarios and traces. */
bool cli_is_stdio(const char *path);

/* argv[0] is the command name. */
int cli_boot(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_capture(int argc, char **argv);
int cli_record(int argc, char **argv);

/* Data directories (tools/datadir.c), in lookup order: $PVHDEV_DATADIR
 * when set; for the pvhdev in the build tree the source tree's data/,
 * for the installed one the data directory next to its binary; the
 * configured install prefix's share/pvhdev. */
#define CLI_NR_DATADIRS 3
struct cli_datadirs {
	const char *dir[CLI_NR_DATADIRS];
	size_t nr;
	char buf[4096];
};
void cli_datadirs(struct cli_datadirs *d);
/* The first readable DIR/rel into buf: 0, -ENOENT, or -ENAMETOOLONG
 * when a candidate did not fit in len bytes. */
int cli_data_path(const char *rel, char *buf, size_t len);
/* The lookup order for --help, one directory a line. */
void cli_print_datadirs(FILE *f);

/* What replay, record and replay --trace share (tools/replay.c).
 * cli_scenario_load: loads the scenario at path ("-": stdin), printing
 * the parser's error line; CLI_OK, or the exit code.  With mo, the
 * scenario's "# machine: lspci:FILE" or "platform:FILE" line, if any,
 * sets mo->lspci or mo->platform to FILE relative to the scenario's
 * directory, kept in buf (len bytes).  Runs report through tools/report.h. */
struct pvhdev_scenario;
struct pvhdev_scenario_result;
struct machine_opts;
int cli_scenario_load(const char *path, struct pvhdev_scenario **sc,
                      struct machine_opts *mo, char *buf, size_t len);

/* pvhdev replay --trace (tools/trace_replay.c): runs sc, already loaded
 * from rep->scenario, over the trace as the only backend.  platform:
 * a platform file whose platform (not devices) replaces the one the
 * trace's header names; NULL: the header's. */
struct cli_report;
int cli_trace_replay(const char *trace, const char *platform, bool relaxed,
                     const struct pvhdev_scenario *sc, struct cli_report *rep);

#endif
