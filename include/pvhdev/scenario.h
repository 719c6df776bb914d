/* SPDX-License-Identifier: MIT */
/*
 * Scenarios (libpvhdev only, not the freestanding core): a dom0's guest
 * accesses written one per line in QEMU's qtest command syntax, mixed
 * with expectations, parsed whole and then replayed against a domain.
 * The format is documented in docs/scenario-format.md.
 *
 *   struct pvhdev_scenario         opaque: a parsed scenario
 *   pvhdev_scenario_out_fn         where a run's transcript goes
 *   struct pvhdev_scenario_result  how a run ended
 *
 * Parsing checks the whole text before anything runs, so a malformed
 * scenario never half-runs.  Errors are one line, "FILE:LINE: expected
 * ...", written to err (NUL-terminated, truncated to err_len).
 */
#ifndef PVHDEV_SCENARIO_H
#define PVHDEV_SCENARIO_H

#include <pvhdev/pvhdev.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pvhdev_scenario;
struct pvhdev_fake; /* <pvhdev/backend.h> */

/* Parses len bytes of text; name is what error messages call it (a
 * path).  -EINVAL on a malformed scenario, -ENOMEM. */
PVHDEV_API int pvhdev_scenario_parse(const char *name, const char *text, size_t len,
                                     struct pvhdev_scenario **out, char *err,
                                     size_t err_len);
/* Reads and parses path.  Also -errno of the read, -EFBIG past 256 MiB. */
PVHDEV_API int pvhdev_scenario_load(const char *path, struct pvhdev_scenario **out,
                                    char *err, size_t err_len);
PVHDEV_API void pvhdev_scenario_free(struct pvhdev_scenario *sc);

/* Commands kept (accesses, expectations, drains, skipped qtest lines). */
PVHDEV_API size_t pvhdev_scenario_steps(const struct pvhdev_scenario *sc);

/* One transcript line, no trailing newline; line lives until return. */
typedef void (*pvhdev_scenario_out_fn)(void *ctx, const char *line);
/* An out function whose ctx is a FILE *: prints line and a newline. */
PVHDEV_API void pvhdev_scenario_out_file(void *ctx, const char *line);

struct pvhdev_scenario_result {
	unsigned long accesses; /* guest accesses performed */
	unsigned long checks;   /* expectations that held */
	/* Scenario line of the first failed expectation; 0: none failed. */
	unsigned failed_line;
	/* When failed_line: "FILE:LINE: expected X, got Y".  When run
	 * returns an error: "FILE:LINE: what failed: why".  Else empty. */
	char msg[1024];
};

/*
 * Replays sc against dom, from its current state, and stops at the
 * first failed expectation (res->failed_line).  Each access, its result
 * and the events it caused go to out (may be NULL).  Returns 0 when the
 * scenario ran, whether or not its expectations held; a negative errno
 * when pvhdev itself failed (a backend error), with res->msg saying
 * where.
 */
PVHDEV_API int pvhdev_scenario_run(const struct pvhdev_scenario *sc,
                                   struct pvhdev_domain *dom, pvhdev_scenario_out_fn out,
                                   void *out_ctx, struct pvhdev_scenario_result *res);

/*
 * As pvhdev_scenario_run(), with the fake backend dom runs on (directly
 * or under a trace recording): plug and unplug lines make its functions
 * appear and go (pvhdev_fake_plug/unplug).  pvhdev_scenario_run() has
 * no fake: there plug and unplug only add and remove the device in the
 * hypervisor, which is what a replay of a recorded trace wants (the
 * trace holds the hardware's answers).  A plug or unplug the fake
 * refuses (no such function, or one already present or absent) stops
 * the run with that error.
 */
PVHDEV_API int pvhdev_scenario_run_fake(const struct pvhdev_scenario *sc,
                                        struct pvhdev_domain *dom,
                                        struct pvhdev_fake *fake,
                                        pvhdev_scenario_out_fn out, void *out_ctx,
                                        struct pvhdev_scenario_result *res);

#ifdef __cplusplus
}
#endif
#endif
