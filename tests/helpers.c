/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/platform_file.h>

struct block_hdr {
	size_t size;
	size_t pad;
};

static void *t_alloc(void *ctx, size_t size, size_t align)
{
	struct test_alloc *a = ctx;

	a->calls++;
	if (a->fail_at && a->calls == a->fail_at)
		return NULL;
	assert_true(align <= 16);
	void *p = malloc(size ? size : 1);
	if (!p)
		return NULL;
	a->live_bytes += size;
	a->live_blocks++;
	return p;
}

static void t_free(void *ctx, void *ptr, size_t size)
{
	struct test_alloc *a = ctx;

	assert_non_null(ptr);
	assert_true(a->live_blocks > 0);
	assert_true(a->live_bytes >= size);
	a->live_bytes -= size;
	a->live_blocks--;
	free(ptr);
}

const struct pvhdev_alloc_ops test_alloc_ops = {
	.alloc = t_alloc,
	.free = t_free,
};

static void t_log(void *ctx, enum pvhdev_log_level level, const char *msg)
{
	struct test_dom *t = ctx;
	size_t room = sizeof(t->log) - t->log_len;
	int n = snprintf(t->log + t->log_len, room, "%s\n", msg);

	(void)level;
	if (n > 0 && (size_t)n < room)
		t->log_len += (size_t)n;
}

void test_log_reset(struct test_dom *t)
{
	t->log_len = 0;
	t->log[0] = '\0';
}

int test_dom_init(struct test_dom *t, const struct pvhdev_fake_dev *devs,
                  size_t nr)
{
	return test_dom_init_hooks(t, devs, nr, NULL, NULL);
}

int test_dom_init_hooks(struct test_dom *t, const struct pvhdev_fake_dev *devs,
                        size_t nr, const struct pvhdev_hooks *hooks, void *hooks_ctx)
{
	memset(t, 0, sizeof(*t));
	int rc = pvhdev_fake_new(&test_alloc_ops, &t->alloc, devs, nr, &t->fake);
	if (rc)
		return rc;
	struct pvhdev_config cfg = {
		.size = sizeof(cfg),
		.backend = &pvhdev_fake_ops,
		.backend_ctx = t->fake,
		.alloc = &test_alloc_ops,
		.alloc_ctx = &t->alloc,
		.log = t_log,
		.log_ctx = t,
		.hooks = hooks,
		.hooks_ctx = hooks_ctx,
	};
	rc = pvhdev_domain_new(&cfg, &t->dom);
	if (rc) {
		pvhdev_fake_free(t->fake);
		t->fake = NULL;
	}
	return rc;
}

void test_dom_boot_platform(struct test_dom *t, const char *name,
                            const struct pvhdev_hooks *hooks, void *hooks_ctx)
{
	struct pvhdev_platform_file *pf;
	char path[512], schema[512], err[256];

	snprintf(path, sizeof(path), "%s/platforms/%s", PVHDEV_TEST_DATA, name);
	snprintf(schema, sizeof(schema), "%s/../../data/schema/platform.rng",
	         PVHDEV_TEST_DATA);
	if (pvhdev_platform_file_load(path, schema, &pf, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(test_dom_init_hooks(t, pvhdev_platform_file_devs(pf),
	                                     pvhdev_platform_file_count(pf), hooks,
	                                     hooks_ctx), 0);
	t->plat = pf;
	assert_int_equal(pvhdev_domain_boot(t->dom, pvhdev_platform_file_platform(pf)), 0);
}

void test_dom_fini(struct test_dom *t)
{
	if (t->dom)
		pvhdev_domain_free(t->dom);
	if (t->fake)
		pvhdev_fake_free(t->fake);
	if (t->plat)
		pvhdev_platform_file_free(t->plat);
	t->dom = NULL;
	t->fake = NULL;
	t->plat = NULL;
	assert_int_equal(t->alloc.live_blocks, 0);
	assert_int_equal(t->alloc.live_bytes, 0);
}

int test_teardown(void **state)
{
	struct test_dom *t = *state;

	if (t) {
		test_dom_fini(t);
		free(t);
	}
	*state = NULL;
	return 0;
}

void test_check(struct test_dom *t)
{
	char msg[256];
	int rc = pvhdev_check_invariants(t->dom, msg, sizeof(msg));

	if (rc)
		fail_msg("invariant violated: %s", msg);
}

const char *test_events(struct test_dom *t)
{
	static char buf[1 << 16];
	size_t len = 0;
	uint64_t end = pvhdev_event_next_seq(t->dom);

	/* Every step a test checks is also a point where the model must be
	 * consistent. */
	if (!t->skip_invariants)
		test_check(t);
	buf[0] = '\0';
	for (; t->mark < end; t->mark++) {
		struct pvhdev_event ev;
		assert_int_equal(pvhdev_event_get(t->dom, t->mark, &ev), 0);
		int n = pvhdev_event_format(&ev, buf + len, sizeof(buf) - len - 1);
		assert_true(n >= 0);
		len += (size_t)n;
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	return buf;
}

const char *test_events_only(struct test_dom *t, const char *prefix)
{
	static char out[1 << 16];
	const char *all = test_events(t), *line = all;
	size_t len = 0, n = strlen(prefix);

	out[0] = '\0';
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (!strncmp(line, prefix, n)) {
			memcpy(out + len, line, l);
			len += l;
			out[len] = '\0';
		}
		line += l;
	}
	return out;
}

void test_events_skip(struct test_dom *t)
{
	t->mark = pvhdev_event_next_seq(t->dom);
}

uint32_t test_cfg_read(struct test_dom *t, pvhdev_sbdf_t sbdf, unsigned off,
                       unsigned size)
{
	uint32_t v = 0;
	assert_int_equal(pvhdev_cfg_read(t->dom, sbdf, off, size, &v), 0);
	return v;
}

void test_cfg_write(struct test_dom *t, pvhdev_sbdf_t sbdf, unsigned off,
                    unsigned size, uint32_t val)
{
	assert_int_equal(pvhdev_cfg_write(t->dom, sbdf, off, size, val), 0);
}

void test_put(uint8_t *cfg, unsigned off, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++)
		cfg[off + i] = (uint8_t)(val >> (8 * i));
}

void test_cfg_init(uint8_t *cfg, uint16_t vendor, uint16_t device,
                   uint32_t class_rev, uint8_t hdr_type)
{
	memset(cfg, 0, 256);
	test_put(cfg, 0x00, 2, vendor);
	test_put(cfg, 0x02, 2, device);
	test_put(cfg, 0x08, 4, class_rev);
	test_put(cfg, 0x0e, 1, hdr_type);
}

int test_run(const char *group, const struct CMUnitTest *tests, size_t n,
             int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}
