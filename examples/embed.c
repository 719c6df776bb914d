/* SPDX-License-Identifier: MIT */
/*
 * A complete embedder: what a hypervisor (or a test of one) does with
 * pvhdev, from a machine's devices to dom0's p2m.
 *
 *   1. load an lspci dump and make the fake backend from its devices
 *      (a hypervisor passes its own backend: real config space);
 *   2. make a domain with allocator and log hooks;
 *   3. boot it on a platform: e820, MCFG, IO-APIC (a hypervisor takes
 *      them from its firmware tables);
 *   4. drain deferred p2m work, as a preemptible hypercall would;
 *   5. walk the p2m and print what dom0 got mapped, and why.
 *
 *   embed [LSPCI]   (default: the bundled Intel NUC dump)
 *
 * Only public headers.  Build: see examples/README.md.
 */
#include <stdio.h>

#include <pvhdev/backend.h>
#include <pvhdev/dump.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#ifndef EXAMPLE_LSPCI
#define EXAMPLE_LSPCI "data/machines/intel-nuc-broadwell-u-i218.lspci"
#endif

/* A typical small x86 platform: RAM below 640 KiB and from 1 MiB to
 * 2 GiB, the legacy hole reserved, ECAM at 0xf8000000 for buses 0-63,
 * one 24-pin IO-APIC at 0xfec00000. */
static const struct pvhdev_e820_entry e820[] = {
	{ .addr = 0, .size = 0x9f000, .type = PVHDEV_E820_RAM },
	{ .addr = 0x9f000, .size = 0x61000, .type = PVHDEV_E820_RESERVED },
	{ .addr = 0x100000, .size = 0x7ff00000, .type = PVHDEV_E820_RAM },
	{ .addr = 0xf8000000, .size = 0x4000000, .type = PVHDEV_E820_RESERVED },
};
static const struct pvhdev_mcfg mcfg = {
	.addr = 0xf8000000, .seg = 0, .start_bus = 0, .end_bus = 63,
};
static const struct pvhdev_ioapic_desc ioapic = {
	.id = 1, .addr = 0xfec00000, .gsi_base = 0, .pins = 24,
};
static const struct pvhdev_platform platform = {
	.size = sizeof(platform),
	.e820 = e820, .nr_e820 = sizeof(e820) / sizeof(e820[0]),
	.mcfg = &mcfg, .nr_mcfg = 1,
	.ioapics = &ioapic, .nr_ioapics = 1,
};

/* pvhdev_p2m_foreach callback: one line per range. */
static int print_range(void *arg, const struct pvhdev_p2m_range *r)
{
	char owner[PVHDEV_SBDF_STRLEN] = "-";

	(void)arg;
	if (r->bar >= 0)
		pvhdev_sbdf_str(r->owner, owner);
	printf("p2m gfn 0x%llx nr 0x%llx mfn 0x%llx %s %s %s bar %d\n",
	       (unsigned long long)r->gfn, (unsigned long long)r->nr,
	       (unsigned long long)r->mfn,
	       r->type == PVHDEV_P2M_RAM ? "ram" : "identity",
	       pvhdev_map_reason_name(r->reason), owner, r->bar);
	return 0;
}

static int count_dev(void *arg, struct pvhdev_dev *dev)
{
	(void)dev;
	++*(unsigned *)arg;
	return 0;
}

static int run(const struct pvhdev_fake_dev *devs, size_t nr_devs)
{
	struct pvhdev_fake *fake = NULL;
	struct pvhdev_domain *dom = NULL;
	unsigned nr_added = 0;
	bool more = true;
	int rc = pvhdev_fake_new(&pvhdev_host_alloc, NULL, devs, nr_devs, &fake);

	if (rc)
		goto out;
	struct pvhdev_config cfg = {
		.size = sizeof(cfg),
		.backend = &pvhdev_fake_ops, .backend_ctx = fake,
		.alloc = &pvhdev_host_alloc,  /* or your hypervisor's allocator */
		.log = pvhdev_host_log_stderr, .log_ctx = "embed",
	};
	if ((rc = pvhdev_domain_new(&cfg, &dom)))
		goto out;
	/* MCFG, IO-APICs, the boot identity map, then every device. */
	if ((rc = pvhdev_domain_boot(dom, &platform)))
		goto out;
	/* Map work queued after boot waits for a drain; budget 0: all. */
	while (more)
		if ((rc = pvhdev_process_pending(dom, 0, &more)))
			goto out;
	pvhdev_dev_foreach(dom, count_dev, &nr_added);
	printf("devices %u, p2m ranges %zu\n", nr_added, pvhdev_p2m_count(dom));
	rc = pvhdev_p2m_foreach(dom, print_range, NULL);
out:
	pvhdev_domain_free(dom);
	pvhdev_fake_free(fake);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : EXAMPLE_LSPCI;
	struct pvhdev_dump *dump;
	char err[512];
	int rc = pvhdev_dump_load(path, &dump, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "embed: %s\n", err);
		return 1;
	}
	rc = run(pvhdev_dump_devs(dump), pvhdev_dump_count(dump));
	pvhdev_dump_free(dump);
	if (rc) {
		fprintf(stderr, "embed: %s\n", pvhdev_strerror(rc));
		return 1;
	}
	return 0;
}
