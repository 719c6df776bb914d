/* SPDX-License-Identifier: MIT */
/*
 * The public API around the dispatcher: domain lifetime, config
 * validation, allocation failures, devices, scanning, the event log and
 * hooks, strings.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#define D0 PVHDEV_SBDF(0, 0, 0, 0)
#define D1 PVHDEV_SBDF(0, 0, 2, 0)
#define D2 PVHDEV_SBDF(0, 1, 0, 1)
#define D3 PVHDEV_SBDF(1, 0, 3, 0)

static uint8_t cfgs[4][256];

static const struct pvhdev_fake_dev *four_devices(void)
{
	static struct pvhdev_fake_dev d[4];
	static const pvhdev_sbdf_t sbdf[4] = { D0, D1, D2, D3 };

	for (unsigned i = 0; i < 4; i++) {
		test_cfg_init(cfgs[i], 0x8086, (uint16_t)(0x1000 + i), 0x06000000,
		              i == 2 ? 0x80 : 0);
		d[i] = (struct pvhdev_fake_dev){ .sbdf = sbdf[i], .cfg = cfgs[i],
		                                 .cfg_len = 256 };
	}
	return d;
}

static void test_config_validation(void **state)
{
	struct test_alloc a = { 0 };
	struct pvhdev_domain *dom = (void *)1;
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops,
		.alloc = &test_alloc_ops, .alloc_ctx = &a,
	};
	struct pvhdev_backend_ops no_read = { .cfg_write = pvhdev_fake_ops.cfg_write };
	struct pvhdev_hooks short_hooks = { .size = 1 };

	(void)state;
	assert_int_equal(pvhdev_domain_new(NULL, &dom), -EINVAL);
	cfg.size = 8;
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), -EINVAL);
	cfg.size = sizeof(cfg);
	cfg.backend = NULL;
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), -EINVAL);
	cfg.backend = &no_read;
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), -EINVAL);
	cfg.backend = &pvhdev_fake_ops;
	cfg.alloc = NULL;
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), -EINVAL);
	cfg.alloc = &test_alloc_ops;
	cfg.hooks = &short_hooks;
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), -EINVAL);
	cfg.hooks = NULL;
	assert_int_equal(pvhdev_domain_new(&cfg, NULL), -EINVAL);
	assert_int_equal(a.live_blocks, 0);
}

/* An older caller's smaller config (no hooks, no capacity) still works. */
static void test_config_older_size(void **state)
{
	struct test_alloc a = { 0 };
	struct pvhdev_domain *dom = NULL;
	struct pvhdev_fake *fake = NULL;
	struct pvhdev_config cfg = {
		.size = offsetof(struct pvhdev_config, log),
		.backend = &pvhdev_fake_ops,
		.alloc = &test_alloc_ops, .alloc_ctx = &a,
		.event_capacity = 3, /* beyond .size: must be ignored */
	};

	(void)state;
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &a, four_devices(), 4, &fake), 0);
	cfg.backend_ctx = fake;
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), 0);
	assert_int_equal(pvhdev_domain_scan(dom), 0);
	/* Default ring (4096 events): the first and the last are kept. */
	struct pvhdev_event ev;
	uint64_t end = pvhdev_event_next_seq(dom);
	assert_true(end > 4 && end < 4096);
	assert_int_equal(pvhdev_event_get(dom, 0, &ev), 0);
	assert_int_equal(pvhdev_event_get(dom, end - 1, &ev), 0);
	assert_int_equal(ev.kind, PVHDEV_EV_DEV_ADD);
	assert_int_equal(ev.sbdf, D3);
	pvhdev_domain_free(dom);
	pvhdev_fake_free(fake);
	assert_int_equal(a.live_blocks, 0);
}

/* Allocation failure at every step of new + scan + register add leaks
 * nothing and reports -ENOMEM. */
static void test_alloc_failure_every_call(void **state)
{
	(void)state;
	for (unsigned long n = 1;; n++) {
		struct test_dom t;
		struct pvhdev_reg reg = { .off = 0x40, .size = 4 };
		struct pvhdev_dev *dev;
		int rc = test_dom_init(&t, four_devices(), 4);
		if (rc == 0) {
			t.alloc.calls = 0;
			t.alloc.fail_at = n;
			rc = pvhdev_domain_scan(t.dom);
			if (!rc && !(rc = pvhdev_dev_get(t.dom, D2, &dev)))
				rc = pvhdev_reg_add(dev, &reg);
			if (!rc)
				rc = pvhdev_mmcfg_add(t.dom, 0xe0000000, 0, 0, 1);
		}
		test_dom_fini(&t);
		if (rc == 0)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_true(n < 100);
	}
}

static void test_domain_new_alloc_failure(void **state)
{
	(void)state;
	for (unsigned long n = 1; n <= 2; n++) {
		struct test_alloc a = { .fail_at = n };
		struct pvhdev_domain *dom = (void *)1;
		struct pvhdev_config cfg = {
			.size = sizeof(cfg), .backend = &pvhdev_fake_ops,
			.alloc = &test_alloc_ops, .alloc_ctx = &a,
		};
		assert_int_equal(pvhdev_domain_new(&cfg, &dom), -ENOMEM);
		assert_null(dom);
		assert_int_equal(a.live_blocks, 0);
	}
}

static int collect(void *arg, struct pvhdev_dev *dev)
{
	char *out = arg;
	char s[PVHDEV_SBDF_STRLEN];

	strcat(out, pvhdev_sbdf_str(pvhdev_dev_sbdf(dev), s));
	strcat(out, " ");
	return 0;
}

/* The backend's enumeration, in SBDF order, one dev-add each. */
static void test_scan_enumerate(void **state)
{
	struct test_dom t;
	char seen[256] = "";

	(void)state;
	assert_int_equal(test_dom_init(&t, four_devices(), 4), 0);
	assert_int_equal(pvhdev_domain_scan(t.dom), 0);
	assert_string_equal(test_events_only(&t, "dev-"),
	                    "dev-add 0000:00:00.0\ndev-add 0000:00:02.0\n"
	                    "dev-add 0000:01:00.1\ndev-add 0001:00:03.0\n");
	assert_int_equal(pvhdev_dev_foreach(t.dom, collect, seen), 0);
	assert_string_equal(seen, "0000:00:00.0 0000:00:02.0 0000:01:00.1 0001:00:03.0 ");
	/* A second scan finds nothing new. */
	assert_int_equal(pvhdev_domain_scan(t.dom), 0);
	expect_events(&t, "");
	test_dom_fini(&t);
}

/* Without an enumerate hook pvhdev probes vendor IDs itself: function 0
 * first, other functions only behind a multi-function header. */
static void test_scan_probe(void **state)
{
	struct pvhdev_backend_ops ops = pvhdev_fake_ops;
	struct test_alloc a = { 0 };
	struct pvhdev_fake *fake;
	struct pvhdev_domain *dom;
	char seen[256] = "";

	(void)state;
	ops.enumerate = NULL;
	struct pvhdev_fake_dev d[4];
	memcpy(d, four_devices(), sizeof(d));
	/* 01:00.1 without a function 0 is not found by probing; move it. */
	d[2].sbdf = PVHDEV_SBDF(0, 1, 0, 0);
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &a, d, 4, &fake), 0);
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &ops, .backend_ctx = fake,
		.alloc = &test_alloc_ops, .alloc_ctx = &a,
	};
	assert_int_equal(pvhdev_domain_new(&cfg, &dom), 0);
	assert_int_equal(pvhdev_domain_scan(dom), 0);
	assert_int_equal(pvhdev_dev_foreach(dom, collect, seen), 0);
	/* Segment 1 has no MMCFG window, so only segment 0 is probed. */
	assert_string_equal(seen, "0000:00:00.0 0000:00:02.0 0000:01:00.0 ");
	pvhdev_domain_free(dom);
	pvhdev_fake_free(fake);
	assert_int_equal(a.live_blocks, 0);
}

static void test_dev_add_remove(void **state)
{
	struct test_dom t;
	struct pvhdev_dev *dev;

	(void)state;
	assert_int_equal(test_dom_init(&t, four_devices(), 4), 0);
	assert_int_equal(pvhdev_dev_get(t.dom, D1, &dev), -ENODEV);
	assert_null(dev);
	assert_int_equal(pvhdev_dev_add(t.dom, D1), 0);
	assert_int_equal(pvhdev_dev_add(t.dom, D1), -EEXIST);
	assert_int_equal(pvhdev_dev_get(t.dom, D1, &dev), 0);
	assert_int_equal(pvhdev_dev_sbdf(dev), D1);
	assert_ptr_equal(pvhdev_dev_domain(dev), t.dom);
	assert_false(pvhdev_dev_hidden(dev));
	/* Nothing answers at 00:05.0. */
	assert_int_equal(pvhdev_dev_add(t.dom, PVHDEV_SBDF(0, 0, 5, 0)), -ENODEV);
	assert_int_equal(pvhdev_dev_remove(t.dom, PVHDEV_SBDF(0, 0, 5, 0)), -ENODEV);
	assert_int_equal(pvhdev_dev_remove(t.dom, D1), 0);
	assert_int_equal(pvhdev_dev_remove(t.dom, D1), -ENODEV);
	assert_int_equal(pvhdev_dev_add(t.dom, D1), 0);
	assert_string_equal(test_events_only(&t, "dev-"),
	                    "dev-add 0000:00:02.0\ndev-remove 0000:00:02.0\n"
	                    "dev-add 0000:00:02.0\n");
	test_dom_fini(&t);
}

/* A device hidden before the scan is known, hidden, and owns nothing. */
static void test_hide_before_scan(void **state)
{
	struct test_dom t;
	struct pvhdev_dev *dev;

	(void)state;
	assert_int_equal(test_dom_init(&t, four_devices(), 4), 0);
	assert_int_equal(pvhdev_dev_hide(t.dom, D1), 0);
	assert_int_equal(pvhdev_dev_hide(t.dom, D1), 0);
	assert_int_equal(pvhdev_domain_scan(t.dom), 0);
	assert_int_equal(pvhdev_dev_get(t.dom, D1, &dev), 0);
	assert_true(pvhdev_dev_hidden(dev));
	assert_int_equal(test_cfg_read(&t, D1, 0, 4), 0xffffffff);
	assert_int_equal(test_cfg_read(&t, D0, 0, 4), 0x10008086);
	assert_int_equal(pvhdev_dev_remove(t.dom, D1), 0);
	assert_int_equal(pvhdev_dev_get(t.dom, D1, &dev), 0);
	assert_true(pvhdev_dev_hidden(dev));
	test_dom_fini(&t);
}

/* The ring keeps the last event_capacity events (rounded up to a power
 * of two); older ones are gone, future ones do not exist yet. */
static void test_event_ring(void **state)
{
	struct test_dom t;
	struct pvhdev_event ev;

	(void)state;
	assert_int_equal(test_dom_init(&t, four_devices(), 4), 0);
	pvhdev_domain_free(t.dom);
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = t.fake,
		.alloc = &test_alloc_ops, .alloc_ctx = &t.alloc, .event_capacity = 3,
	};
	assert_int_equal(pvhdev_domain_new(&cfg, &t.dom), 0);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(pvhdev_cfg_write(t.dom, D0, 0x40, 1, i), 0);
	assert_int_equal(pvhdev_event_next_seq(t.dom), 10);
	assert_int_equal(pvhdev_event_get(t.dom, 5, &ev), -ENOENT);
	assert_int_equal(pvhdev_event_get(t.dom, 10, &ev), -ENOENT);
	assert_int_equal(pvhdev_event_get(t.dom, 6, &ev), 0);
	assert_int_equal(ev.seq, 6);
	assert_int_equal(ev.u.hw.val, 6);
	assert_int_equal(pvhdev_event_get(t.dom, 9, &ev), 0);
	assert_int_equal(ev.u.hw.val, 9);
	test_dom_fini(&t);
}

/* A hardware write fills only its own fields of a ring slot: what an
 * older event (here a map, two events back in a ring of two) left in
 * the rest must not show through pvhdev_event_get. */
static void test_event_slot_reuse(void **state)
{
	static uint8_t cfg[256];
	const struct pvhdev_fake_dev dev = {
		.sbdf = D0, .cfg = cfg, .cfg_len = 256, .bar_size = { 0x1000 },
	};
	struct test_dom t;
	struct pvhdev_event ev, want;

	(void)state;
	test_cfg_init(cfg, 0x8086, 0x1000, 0x02000000, 0);
	cfg[0x10] = 0, cfg[0x11] = 0, cfg[0x12] = 0, cfg[0x13] = 0xfe;
	assert_int_equal(test_dom_init(&t, &dev, 1), 0);
	pvhdev_domain_free(t.dom);
	struct pvhdev_config cfgd = {
		.size = sizeof(cfgd), .backend = &pvhdev_fake_ops, .backend_ctx = t.fake,
		.alloc = &test_alloc_ops, .alloc_ctx = &t.alloc, .event_capacity = 2,
	};
	assert_int_equal(pvhdev_domain_new(&cfgd, &t.dom), 0);
	assert_int_equal(pvhdev_dev_add(t.dom, D0), 0);
	uint64_t seq = pvhdev_event_next_seq(t.dom);
	assert_int_equal(pvhdev_cfg_write(t.dom, D0, 0x04, 2, 0x0002), 0);
	assert_int_equal(pvhdev_event_get(t.dom, seq, &ev), 0);
	assert_int_equal(ev.kind, PVHDEV_EV_MAP);
	assert_int_equal(ev.u.map.mfn, 0xfe000);
	assert_int_equal(pvhdev_cfg_write(t.dom, D0, 0x40, 4, 0x12345678), 0);
	assert_int_equal(pvhdev_event_next_seq(t.dom), seq + 3);
	assert_int_equal(pvhdev_event_get(t.dom, seq + 2, &ev), 0);
	memset(&want, 0, sizeof(want));
	want.seq = seq + 2;
	want.kind = PVHDEV_EV_HW_WRITE;
	want.sbdf = D0;
	want.u.hw.addr = 0x40;
	want.u.hw.val = 0x12345678;
	want.u.hw.size = 4;
	assert_memory_equal(&ev, &want, sizeof(ev));
	assert_int_equal(pvhdev_event_get(t.dom, seq, &ev), -ENOENT);
	test_dom_fini(&t);
}

/* Every kind formats to its documented line. */
static void test_event_format(void **state)
{
	static const struct {
		struct pvhdev_event ev;
		const char *want;
	} cases[] = {
		{ { .kind = PVHDEV_EV_MAP, .u.map = { 0xfe000, 0x10, 0xfe000, PVHDEV_MAP_BAR } },
		  "map 0xfe000 0x10 0xfe000 bar" },
		{ { .kind = PVHDEV_EV_MAP, .u.map = { 0x9f, 1, 0x9f, PVHDEV_MAP_RAM_COPY } },
		  "map 0x9f 0x1 0x9f ram-copy" },
		{ { .kind = PVHDEV_EV_UNMAP, .u.map = { .gfn = 0xfe000, .nr = 0x10 } },
		  "unmap 0xfe000 0x10" },
		{ { .kind = PVHDEV_EV_MSI_BIND, .sbdf = PVHDEV_SBDF(0, 3, 0, 0),
		    .u.irq = { .index = 1, .addr = 0xfee01000, .data = 0x4031, .dest = 1,
		               .vector = 0x31, .delivery = 0 } },
		  "msi-bind 0000:03:00.0 1 0xfee01000 0x4031 dest=0x1 vector=0x31 fixed" },
		{ { .kind = PVHDEV_EV_MSIX_BIND, .sbdf = PVHDEV_SBDF(2, 0x81, 0x1f, 7),
		    .u.irq = { .index = 63, .addr = 0xfee00000, .data = 0x0122, .vector = 0x22,
		               .delivery = 1 } },
		  "msix-bind 0002:81:1f.7 63 0xfee00000 0x122 dest=0x0 vector=0x22 lowest" },
		{ { .kind = PVHDEV_EV_MSIX_MASK, .u.irq = { .index = 2, .masked = 1 } },
		  "msix-mask 0000:00:00.0 2 1" },
		{ { .kind = PVHDEV_EV_MSI_MASK, .u.irq = { .index = 0, .masked = 0 } },
		  "msi-mask 0000:00:00.0 0 0" },
		{ { .kind = PVHDEV_EV_MSIX_UNBIND, .u.irq = { .index = 5 } },
		  "msix-unbind 0000:00:00.0 5" },
		{ { .kind = PVHDEV_EV_MSI_UNBIND, .u.irq = { .index = 0 } },
		  "msi-unbind 0000:00:00.0 0" },
		{ { .kind = PVHDEV_EV_GSI_BIND, .u.gsi = { 9, 1, 1 } }, "gsi-bind 9 level low" },
		{ { .kind = PVHDEV_EV_GSI_CONFLICT, .u.gsi = { 300, 0, 0 } },
		  "gsi-conflict 300 edge high" },
		{ { .kind = PVHDEV_EV_HW_WRITE, .sbdf = PVHDEV_SBDF(0, 0, 0x1f, 3),
		    .u.hw = { .addr = 4, .val = 6, .size = 2 } },
		  "hw-write 0000:00:1f.3 0x4 2 0x6" },
		{ { .kind = PVHDEV_EV_HW_MMIO_WRITE,
		    .u.hw = { .addr = 0xfebf0000, .val = 0xffffffffffffffffull, .size = 8 } },
		  "hw-mmio-write 0xfebf0000 8 0xffffffffffffffff" },
		{ { .kind = PVHDEV_EV_DEV_ADD, .sbdf = PVHDEV_SBDF(0xffff, 0xff, 0x1f, 7) },
		  "dev-add ffff:ff:1f.7" },
		{ { .kind = PVHDEV_EV_DEV_REMOVE }, "dev-remove 0000:00:00.0" },
		{ { .kind = PVHDEV_EV_GSI_BIND, .result = -EPERM, .u.gsi = { 4, 0, 0 } },
		  "gsi-bind 4 edge high refused=-1" },
		{ { .kind = PVHDEV_EV_DEV_RESET, .sbdf = PVHDEV_SBDF(0, 2, 0, 1),
		    .u.reset = { .kind = PVHDEV_RESET_AF_FLR } },
		  "dev-reset 0000:02:00.1 af-flr" },
		{ { .kind = PVHDEV_EV_DEV_RESET, .u.reset = { .kind = PVHDEV_RESET__COUNT } },
		  "dev-reset 0000:00:00.0 unknown" },
		{ { .kind = PVHDEV_EV__COUNT }, "unknown 15" },
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = pvhdev_event_format(&cases[i].ev, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
	assert_int_equal(pvhdev_event_format(&cases[0].ev, buf, 10), -ENOSPC);
	assert_int_equal(pvhdev_event_format(&cases[0].ev, buf, 28), -ENOSPC);
	assert_int_equal(pvhdev_event_format(&cases[0].ev, buf, 29), 28);
	assert_string_equal(pvhdev_event_name(PVHDEV_EV_GSI_BIND), "gsi-bind");
	assert_string_equal(pvhdev_event_name((enum pvhdev_event_kind)99), "unknown");
}

struct hook_log {
	unsigned calls;
	enum pvhdev_event_kind last;
	int refuse;
};

static int hook(void *ctx, const struct pvhdev_event *ev)
{
	struct hook_log *h = ctx;

	h->calls++;
	h->last = ev->kind;
	return h->refuse;
}

/* Hooks see each effect after it is logged; a refusal is recorded. */
static void test_hooks(void **state)
{
	struct test_dom t;
	struct hook_log h = { 0 };
	const struct pvhdev_hooks hooks = { .size = sizeof(hooks), .effect = hook };
	struct pvhdev_event ev;

	(void)state;
	assert_int_equal(test_dom_init(&t, four_devices(), 4), 0);
	pvhdev_domain_free(t.dom);
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = t.fake,
		.alloc = &test_alloc_ops, .alloc_ctx = &t.alloc,
		.hooks = &hooks, .hooks_ctx = &h,
	};
	assert_int_equal(pvhdev_domain_new(&cfg, &t.dom), 0);
	assert_int_equal(pvhdev_dev_add(t.dom, D0), 0);
	/* Every logged effect reached the hook, the dev-add last. */
	assert_int_equal(h.calls, pvhdev_event_next_seq(t.dom));
	assert_int_equal(h.last, PVHDEV_EV_DEV_ADD);
	test_events_skip(&t);
	unsigned calls = h.calls;
	h.refuse = -EBUSY;
	assert_int_equal(pvhdev_cfg_write(t.dom, D0, 0x0c, 1, 0x10), 0);
	assert_int_equal(h.calls, calls + 1);
	assert_int_equal(pvhdev_event_get(t.dom, calls, &ev), 0);
	assert_int_equal(ev.result, -EBUSY);
	h.refuse = 7; /* positive: not a refusal */
	assert_int_equal(pvhdev_cfg_write(t.dom, D0, 0x0c, 1, 0x20), 0);
	assert_int_equal(pvhdev_event_get(t.dom, calls + 1, &ev), 0);
	assert_int_equal(ev.result, 0);
	expect_events(&t, "hw-write 0000:00:00.0 0xc 1 0x10 refused=-16\n"
	                  "hw-write 0000:00:00.0 0xc 1 0x20\n");
	test_dom_fini(&t);
}

static void test_strings(void **state)
{
	char s[PVHDEV_SBDF_STRLEN];

	(void)state;
	assert_string_equal(pvhdev_strerror(0), "success");
	assert_string_equal(pvhdev_strerror(-EINVAL), "invalid argument");
	assert_string_equal(pvhdev_strerror(-ENXIO), "not trapped by pvhdev");
	assert_string_equal(pvhdev_strerror(-12345), "unknown error");
	assert_string_equal(pvhdev_version(), PVHDEV_VERSION_STRING);
	assert_string_equal(pvhdev_sbdf_str(PVHDEV_SBDF(0x10, 0xab, 0x1c, 5), s),
	                    "0010:ab:1c.5");
	assert_int_equal(PVHDEV_SBDF_SEG(PVHDEV_SBDF(0xbeef, 1, 2, 3)), 0xbeef);
	assert_int_equal(PVHDEV_SBDF_BUS(PVHDEV_SBDF(0xbeef, 1, 2, 3)), 1);
	assert_int_equal(PVHDEV_SBDF_DEV(PVHDEV_SBDF(0xbeef, 1, 2, 3)), 2);
	assert_int_equal(PVHDEV_SBDF_FN(PVHDEV_SBDF(0xbeef, 1, 2, 3)), 3);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_config_validation),
	cmocka_unit_test(test_config_older_size),
	cmocka_unit_test(test_alloc_failure_every_call),
	cmocka_unit_test(test_domain_new_alloc_failure),
	cmocka_unit_test(test_scan_enumerate),
	cmocka_unit_test(test_scan_probe),
	cmocka_unit_test(test_dev_add_remove),
	cmocka_unit_test(test_hide_before_scan),
	cmocka_unit_test(test_event_ring),
	cmocka_unit_test(test_event_format),
	cmocka_unit_test(test_event_slot_reuse),
	cmocka_unit_test(test_hooks),
	cmocka_unit_test(test_strings),
};

PVHDEV_TEST_MAIN("api", tests)
