/* SPDX-License-Identifier: MIT */
/*
 * A unit test of one's own register handler, driven by a scenario.
 *
 * The device: a made-up endpoint, 0000:00:03.0, with a vendor-specific
 * control register at 0x40:
 *
 *   31   30            16 15           8 7            0
 *  +----+----------------+--------------+--------------+
 *  |LOCK|    reserved    |     mode     |   revision   |
 *  +----+----------------+--------------+--------------+
 *
 * LOCK, once set, locks the device's firmware until reset: dom0 must
 * never set it.  The hypervisor's handler lets dom0 read the register
 * and write mode, writes the hardware itself with LOCK cleared, and
 * leaves revision read-only (ro_mask: the dispatcher keeps those bits).
 *
 * The scenario below is what dom0 does (CF8/CFC accesses) and what must
 * follow: the value read back and the hw-write that reached the
 * hardware.  The fake device's LOCK bit is writable, so a handler that
 * let it through would be caught by the read-back.
 *
 *   own_handler             exits 0 when every expectation holds
 *   own_handler --no-lock   the same without the handler's LOCK rule:
 *                           must fail (ctest checks that it does)
 *
 * Only public headers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>
#include <pvhdev/scenario.h>

#define DEV PVHDEV_SBDF(0, 0, 3, 0)
#define CTRL_OFF 0x40
#define CTRL_LOCK 0x80000000u
#define CTRL_REVISION 0x000000ffu

static const char scenario[] =
	"# 00:03.0 register 0x40 through CF8/CFC (0x80000000 | dev 3 << 11)\n"
	"outl 0xcf8 0x80001840\n"
	"inl 0xcfc\n"
	"expect 0x11                 # revision 0x11, unlocked\n"
	"# dom0 sets mode 0xab and LOCK, and tries to change the revision:\n"
	"# LOCK never reaches the hardware, the revision is kept.\n"
	"outl 0xcfc 0x8000ab22\n"
	"expect-event hw-write 0000:00:03.0 0x40 4 0xab11\n"
	"expect-no-event\n"
	"inl 0xcfc\n"
	"expect 0xab11\n"
	"# A byte write to mode alone: the handler sees the whole register.\n"
	"outb 0xcfd 0xcd\n"
	"expect-event hw-write 0000:00:03.0 0x40 4 0xcd11\n"
	"inl 0xcfc\n"
	"expect 0xcd11\n";

/* Vendor 0x1234, device 0x11e8, class ff0000, one 4 KiB memory BAR,
 * revision 0x11 in the control register; the rest of config space
 * reads 0. */
static const uint8_t cfg_bytes[CTRL_OFF + 4] = {
	0x34, 0x12, 0xe8, 0x11, 0x02, 0x00, 0x00, 0x00, /* IDs, command */
	0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, /* class ff0000 */
	0x00, 0x10, 0xfe, 0xfe,                         /* BAR0 0xfefe1000 */
	[CTRL_OFF] = 0x11,
};

/* The hardware's side: the fake device's bits 8-31 of 0x40 are
 * writable (LOCK included), revision is 0x11. */
static const struct pvhdev_fake_mask masks[] = {
	{ .off = CTRL_OFF, .size = 4, .rw = 0xffffff00u },
};

struct handler_opts {
	bool keep_lock_out; /* false: the bug the scenario must catch */
};

static enum pvhdev_verdict ctrl_read(struct pvhdev_dev *dev,
                                     const struct pvhdev_reg *reg, uint32_t *val)
{
	return PVHDEV_PASS;
}

/* val already has the revision bits kept (ro_mask); LOCK is dropped
 * before the write reaches the hardware. */
static enum pvhdev_verdict ctrl_write(struct pvhdev_dev *dev,
                                      const struct pvhdev_reg *reg, uint32_t val)
{
	const struct handler_opts *o = reg->opaque;

	if (o->keep_lock_out)
		val &= ~CTRL_LOCK;
	return pvhdev_dev_hw_write(dev, reg->off, reg->size, val) ? PVHDEV_REJECT
	                                                          : PVHDEV_DONE;
}

static int add_handler(struct pvhdev_domain *dom, struct handler_opts *o)
{
	struct pvhdev_dev *dev;
	const struct pvhdev_reg reg = {
		.off = CTRL_OFF, .size = 4, .ro_mask = CTRL_REVISION,
		.read = ctrl_read, .write = ctrl_write, .opaque = o,
	};
	int rc = pvhdev_dev_get(dom, DEV, &dev);

	return rc ? rc : pvhdev_reg_add(dev, &reg);
}

static int run(struct handler_opts *o, struct pvhdev_scenario_result *res)
{
	static const struct pvhdev_platform plat = { .size = sizeof(plat) };
	const struct pvhdev_fake_dev fdev = {
		.sbdf = DEV, .cfg = cfg_bytes, .cfg_len = sizeof(cfg_bytes),
		.bar_size = { 0x1000 }, .masks = masks,
		.nr_masks = sizeof(masks) / sizeof(masks[0]),
	};
	struct pvhdev_fake *fake = NULL;
	struct pvhdev_domain *dom = NULL;
	struct pvhdev_scenario *sc = NULL;
	char err[512];
	int rc;

	if ((rc = pvhdev_fake_new(&pvhdev_host_alloc, NULL, &fdev, 1, &fake)))
		goto out;
	struct pvhdev_config cfg = {
		.size = sizeof(cfg), .backend = &pvhdev_fake_ops, .backend_ctx = fake,
		.alloc = &pvhdev_host_alloc, .log = pvhdev_host_log_stderr,
		.log_ctx = "own_handler",
	};
	if ((rc = pvhdev_domain_new(&cfg, &dom)) || (rc = pvhdev_domain_boot(dom, &plat)) ||
	    (rc = add_handler(dom, o)))
		goto out;
	rc = pvhdev_scenario_parse("own_handler.scn", scenario, strlen(scenario),
	                           &sc, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	rc = pvhdev_scenario_run(sc, dom, pvhdev_scenario_out_file, stdout, res);
out:
	pvhdev_scenario_free(sc);
	pvhdev_domain_free(dom);
	pvhdev_fake_free(fake);
	return rc;
}

int main(int argc, char **argv)
{
	struct handler_opts o = { .keep_lock_out = true };
	struct pvhdev_scenario_result res = { 0 };
	int rc;

	if (argc > 1 && !strcmp(argv[1], "--no-lock"))
		o.keep_lock_out = false;
	rc = run(&o, &res);
	if (rc) {
		fprintf(stderr, "own_handler: %s\n", res.msg[0] ? res.msg : pvhdev_strerror(rc));
		return 2;
	}
	if (res.failed_line) {
		fprintf(stderr, "own_handler: %s\n", res.msg);
		return 1;
	}
	printf("own_handler: %lu accesses, %lu expectations held\n", res.accesses,
	       res.checks);
	return 0;
}
