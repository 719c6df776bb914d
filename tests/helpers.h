/* SPDX-License-Identifier: MIT */
/* Shared test scaffolding: a counting allocator with failure injection,
 * a domain on the fake backend, captured log lines and event transcripts. */
#ifndef PVHDEV_TEST_HELPERS_H
#define PVHDEV_TEST_HELPERS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <pvhdev/backend.h>
#include <pvhdev/pvhdev.h>

struct test_alloc {
	size_t live_bytes;
	unsigned long live_blocks;
	unsigned long calls;   /* alloc() calls so far */
	unsigned long fail_at; /* 0: never; n: the n-th alloc() call fails */
};

extern const struct pvhdev_alloc_ops test_alloc_ops;

struct pvhdev_platform_file;

struct test_dom {
	struct test_alloc alloc;
	struct pvhdev_fake *fake;
	struct pvhdev_domain *dom;
	uint64_t mark;         /* first event not yet checked */
	/* Unit tests of a lower layer that build states by hand (the p2m
	 * without BARs) set this: test_events then skips the invariants. */
	bool skip_invariants;
	char log[8192];        /* log lines, each ending in '\n' */
	size_t log_len;
	struct pvhdev_platform_file *plat; /* test_dom_boot_platform's */
};

/* Builds a fake backend from devs and a domain over it (no scan).
 * Returns the first error. */
int test_dom_init(struct test_dom *t, const struct pvhdev_fake_dev *devs,
                  size_t nr);
/* The same with the hypervisor's effect hook (hooks may be NULL). */
int test_dom_init_hooks(struct test_dom *t, const struct pvhdev_fake_dev *devs,
                        size_t nr, const struct pvhdev_hooks *hooks, void *hooks_ctx);
/* Loads tests/data/platforms/NAME, builds the fake from its devices and
 * a domain over it (hooks may be NULL), and boots it; asserts success.
 * The platform lives until test_dom_fini. */
void test_dom_boot_platform(struct test_dom *t, const char *name,
                            const struct pvhdev_hooks *hooks, void *hooks_ctx);

/* Frees the domain and the fake; asserts the allocator is back to zero. */
void test_dom_fini(struct test_dom *t);
/* The cmocka teardown of a fixture that starts with its struct
 * test_dom and was allocated with malloc/calloc (NULL: nothing to do):
 * test_dom_fini, then free. */
int test_teardown(void **state);

/* Forgets the log lines so far: what is asserted next was logged after. */
void test_log_reset(struct test_dom *t);

/* Fails the test when pvhdev_check_invariants finds a violation. */
void test_check(struct test_dom *t);

/* Events since the mark (after checking the invariants), formatted one per line, each ending in '\n';
 * advances the mark. */
const char *test_events(struct test_dom *t);
/* Asserts the events since the mark equal expected ("" for none). */
#define expect_events(t, expected) assert_string_equal(test_events(t), expected)
/* Like test_events, keeping only lines that start with prefix. */
const char *test_events_only(struct test_dom *t, const char *prefix);
/* Skips the events so far. */
void test_events_skip(struct test_dom *t);

/* Reads/writes config space through pvhdev_cfg_*, asserting success. */
uint32_t test_cfg_read(struct test_dom *t, pvhdev_sbdf_t sbdf, unsigned off,
                       unsigned size);
void test_cfg_write(struct test_dom *t, pvhdev_sbdf_t sbdf, unsigned off,
                    unsigned size, uint32_t val);

/* A minimal type-0 config space: vendor, device, class, header type. */
void test_cfg_init(uint8_t *cfg, uint16_t vendor, uint16_t device,
                   uint32_t class_rev, uint8_t hdr_type);
void test_put(uint8_t *cfg, unsigned off, unsigned size, uint32_t val);

/* main(): runs the group, or only the case named by argv[1]. */
int test_run(const char *group, const struct CMUnitTest *tests, size_t n,
             int argc, char **argv);
#define PVHDEV_TEST_MAIN(group, tests)                                        \
	int main(int argc, char **argv)                                       \
	{                                                                     \
		return test_run(group, tests,                                 \
		                sizeof(tests) / sizeof((tests)[0]), argc,    \
		                argv);                                        \
	}

#endif
