/* SPDX-License-Identifier: MIT */
/*
 * How replay, record and replay --trace report a scenario run: the text
 * transcript (streamed), one JSON document (--json, docs/json.md), and
 * JUnit XML for CI systems (replay --junit FILE).
 */
#ifndef PVHDEV_TOOLS_REPORT_H
#define PVHDEV_TOOLS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <pvhdev/scenario.h>

struct cli_report {
	const char *scenario; /* its path, as given */
	const char *machine;  /* "lspci:FILE", "trace:FILE", ... */
	bool quiet;           /* text: failures and errors only */
	bool json;            /* the JSON document on stdout instead of text */
	const char *junit;    /* also JUnit XML to this file; NULL: none */
	FILE *text;           /* where the transcript goes (stdout) */
	char **lines;         /* the transcript, kept for json and junit */
	size_t nr, cap;
	bool oom;             /* a line could not be kept */
};

/* The runner's out function (pvhdev_scenario_run); ctx is the report. */
void cli_report_line(void *ctx, const char *line);
/* Ends the run that returned rc with res: prints the verdict (text, or
 * the JSON document), writes the JUnit file, frees the lines.  diverged:
 * why a replay --trace failed after the scenario ran (the trace is not
 * what pvhdev did), or NULL.  Returns the exit code: 0 every expectation
 * held, 1 one failed or the replay diverged, 3 pvhdev or an output
 * failed. */
int cli_report_end(struct cli_report *r, int rc, const struct pvhdev_scenario_result *res,
                   const char *diverged);

/* Frees the kept lines (a run that ended before cli_report_end). */
void cli_report_free(struct cli_report *r);

#endif
