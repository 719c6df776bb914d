/* SPDX-License-Identifier: MIT */
/*
 * Scenario reports.  The transcript (docs/scenario-format.md) is the one
 * source: the JSON document and the JUnit file are read off its lines,
 * so the three can never disagree.  An expectation's line ends in ": ok"
 * when it held; "N: waived (REASON): ..." when it failed as its waiver
 * said; "N: waived (REASON), but holds: ..." when it held anyway.  The
 * failed one is the result's failed_line and message.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "report.h"

void cli_report_line(void *ctx, const char *line)
{
	struct cli_report *r = ctx;

	if (!r->json && !r->quiet)
		fprintf(r->text, "%s\n", line);
	if (!r->json && !r->junit)
		return;
	if (r->nr == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		char **l = realloc(r->lines, cap * sizeof(*l));
		if (!l) {
			r->oom = true;
			return;
		}
		r->lines = l;
		r->cap = cap;
	}
	if (!(r->lines[r->nr] = strdup(line)))
		r->oom = true;
	else
		r->nr++;
}

/* One expectation of the transcript. */
struct expectation {
	unsigned line;
	const char *result;     /* held, waived, waived-held, failed */
	char text[512];         /* the command; for waivers, the reason */
	const char *message;    /* why it did not hold, or NULL */
};

/* Parses transcript line s; false when it reports no expectation. */
static bool expectation_of(const char *s, struct expectation *e)
{
	char *end;
	unsigned long line = strtoul(s, &end, 10);
	size_t n;

	if (end == s || strncmp(end, ": ", 2))
		return false;
	s = end + 2;
	e->line = (unsigned)line;
	e->message = NULL;
	n = strlen(s);
	if (!strncmp(s, "expect", 6) && n > 4 && !strcmp(s + n - 4, ": ok")) {
		e->result = "held";
		snprintf(e->text, sizeof(e->text), "%.*s", (int)(n - 4), s);
		return true;
	}
	if (strncmp(s, "waived (", 8))
		return false;
	const char *held = strstr(s, "), but holds: ");
	const char *failed = strstr(s, "): ");
	e->result = held ? "waived-held" : "waived";
	const char *close = held ? held : failed;
	if (!close)
		return false;
	snprintf(e->text, sizeof(e->text), "%.*s", (int)(close - s - 8), s + 8);
	e->message = held ? NULL : close + 3;
	return true;
}

static json_object *json_expectation(const struct expectation *e)
{
	json_object *o = json_object_new_object();
	bool waived = !strncmp(e->result, "waived", 6);

	json_object_object_add(o, "line", json_object_new_int((int)e->line));
	json_object_object_add(o, "result", json_object_new_string(e->result));
	json_object_object_add(o, "text", waived || !e->text[0] ? NULL : cli_json_string(e->text));
	json_object_object_add(o, "waiver", waived ? cli_json_string(e->text) : NULL);
	json_object_object_add(o, "message", e->message ? cli_json_string(e->message) : NULL);
	return o;
}

static const char *verdict(int rc, const struct pvhdev_scenario_result *res,
                           const char *diverged)
{
	return diverged ? "failed" : rc ? "error" : res->failed_line ? "failed" : "passed";
}

static void print_json(const struct cli_report *r, int rc,
                       const struct pvhdev_scenario_result *res, const char *diverged)
{
	json_object *doc = json_object_new_object(), *ex = json_object_new_array();
	json_object *lines = json_object_new_array();
	struct expectation e;

	for (size_t i = 0; i < r->nr; i++) {
		json_object_array_add(lines, cli_json_string(r->lines[i]));
		if (expectation_of(r->lines[i], &e))
			json_object_array_add(ex, json_expectation(&e));
	}
	if (res->failed_line) {
		e = (struct expectation){ .line = res->failed_line, .result = "failed",
		                          .message = res->msg };
		json_object_array_add(ex, json_expectation(&e));
	}
	json_object_object_add(doc, "format", json_object_new_int(CLI_JSON_FORMAT));
	json_object_object_add(doc, "scenario", cli_json_string(r->scenario));
	json_object_object_add(doc, "machine", cli_json_string(r->machine));
	json_object_object_add(doc, "result", json_object_new_string(verdict(rc, res, diverged)));
	json_object_object_add(doc, "accesses", json_object_new_int64((int64_t)res->accesses));
	json_object_object_add(doc, "expectations_held", json_object_new_int64((int64_t)res->checks));
	json_object_object_add(doc, "failed_line",
	                       res->failed_line ? json_object_new_int((int)res->failed_line) : NULL);
	json_object_object_add(doc, "message", diverged ? cli_json_string(diverged) :
	                       res->msg[0] ? cli_json_string(res->msg) : NULL);
	json_object_object_add(doc, "expectations", ex);
	json_object_object_add(doc, "transcript", lines);
	cli_json_print(doc);
}

/* Text for an XML attribute or element. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
	}
}

static void junit_case(FILE *f, const struct cli_report *r, const struct expectation *e)
{
	fprintf(f, "    <testcase classname=\"");
	xml_text(f, r->scenario);
	fprintf(f, "\" name=\"line %u: ", e->line);
	xml_text(f, e->text[0] && strcmp(e->result, "waived") ? e->text : "expectation");
	fprintf(f, "\"");
	if (!strcmp(e->result, "held") || !strcmp(e->result, "waived-held")) {
		fprintf(f, "/>\n");
		return;
	}
	bool waived = strcmp(e->result, "failed");
	fprintf(f, ">\n      <%s message=\"", waived ? "skipped" : "failure");
	if (waived) { /* the waiver's reason, then what did not hold */
		xml_text(f, "waived (");
		xml_text(f, e->text);
		xml_text(f, "): ");
	}
	xml_text(f, e->message ? e->message : "");
	fprintf(f, "\"/>\n    </testcase>\n");
}

/* One testsuite: a testcase per expectation; waived failures are
 * skipped cases (with their reason), a pvhdev failure an error. */
static int write_junit(const struct cli_report *r, int rc,
                       const struct pvhdev_scenario_result *res, const char *diverged)
{
	FILE *f = fopen(r->junit, "w");
	struct expectation e;
	unsigned long tests = 0, skipped = 0;

	if (!f) {
		perror(r->junit);
		return -1;
	}
	for (size_t i = 0; i < r->nr; i++)
		if (expectation_of(r->lines[i], &e))
			tests++, skipped += !strcmp(e.result, "waived");
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
	        "  <testsuite name=\"");
	xml_text(f, r->scenario);
	/* As cli_report_end decides: a divergence fails, else pvhdev's own
	 * failure is an error, else a failed expectation fails. */
	bool error = rc && !diverged, failed = diverged || (!rc && res->failed_line);
	fprintf(f, "\" tests=\"%lu\" failures=\"%d\" errors=\"%d\" skipped=\"%lu\">\n",
	        tests + (failed || error), failed, error, skipped);
	for (size_t i = 0; i < r->nr; i++)
		if (expectation_of(r->lines[i], &e))
			junit_case(f, r, &e);
	if (failed || error) {
		e = (struct expectation){ .line = res->failed_line, .result = "failed",
		                          .message = diverged ? diverged : res->msg };
		if (error) {
			fprintf(f, "    <testcase classname=\"");
			xml_text(f, r->scenario);
			fprintf(f, "\" name=\"run\">\n      <error message=\"");
			xml_text(f, res->msg);
			fprintf(f, "\"/>\n    </testcase>\n");
		} else {
			junit_case(f, r, &e);
		}
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	return fclose(f) ? (perror(r->junit), -1) : 0;
}

int cli_report_end(struct cli_report *r, int rc, const struct pvhdev_scenario_result *res,
                   const char *diverged)
{
	/* A divergence from the trace is the cause of whatever the run then
	 * did: it is the one failure reported. */
	int ret = diverged || (!rc && res->failed_line) ? CLI_CHECK_FAILED :
	          rc ? CLI_INTERNAL : CLI_OK;

	if (diverged)
		fprintf(stderr, "%s\n", diverged);
	else if (rc || res->failed_line)
		fprintf(stderr, "%s\n", res->msg);
	if (r->oom) {
		fprintf(stderr, "pvhdev: out of memory keeping the transcript\n");
		ret = CLI_INTERNAL;
	} else if (r->json) {
		print_json(r, rc, res, diverged);
	} else if (ret == CLI_OK && !r->quiet) {
		fprintf(r->text, "%s: %lu access%s, %lu expectation%s held\n", r->scenario,
		        res->accesses, res->accesses == 1 ? "" : "es", res->checks,
		        res->checks == 1 ? "" : "s");
	}
	if (!r->oom && r->junit && write_junit(r, rc, res, diverged))
		ret = CLI_INTERNAL;
	cli_report_free(r);
	return ret;
}

void cli_report_free(struct cli_report *r)
{
	for (size_t i = 0; i < r->nr; i++)
		free(r->lines[i]);
	free(r->lines);
	r->lines = NULL;
	r->nr = r->cap = 0;
}
