/* SPDX-License-Identifier: MIT */
/*
 * Platform files (src/backend/platform_xml.c): the bundled machines
 * load with exactly the platform they describe and boot; every element
 * of the format reads as documented; every malformed file gives one
 * exact error line.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, mkdtemp */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhdev/platform_file.h>

#include "helpers.h"

#define DATADIR PVHDEV_TEST_DATA "/../../data"
#define SCHEMA DATADIR "/schema/platform.rng"
#define MACHINES DATADIR "/machines/"
#define PLATFORMS PVHDEV_TEST_DATA "/platforms/"

#define RAM PVHDEV_E820_RAM
#define RES PVHDEV_E820_RESERVED

static struct pvhdev_platform_file *load_ok(const char *path)
{
	struct pvhdev_platform_file *pf = NULL;
	char err[1024] = "";
	int rc = pvhdev_platform_file_load(path, SCHEMA, &pf, err, sizeof(err));

	if (rc)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	assert_non_null(pf);
	return pf;
}

/* Loading PLATFORMS/file fails with rc and exactly "PATH" msg. */
static void expect_error(const char *file, int rc_want, const char *msg)
{
	struct pvhdev_platform_file *pf = (void *)&pf;
	char path[512], want[1024], err[1024];
	int rc;

	snprintf(path, sizeof(path), PLATFORMS "%s", file);
	snprintf(want, sizeof(want), "%s%s", path, msg);
	memset(err, 'x', sizeof(err));
	rc = pvhdev_platform_file_load(path, SCHEMA, &pf, err, sizeof(err));
	assert_string_equal(err, want);
	assert_int_equal(rc, rc_want);
	assert_null(pf);
	assert_null(strchr(err, '\n'));
}

static void expect_e820(const struct pvhdev_platform *p,
                        const struct pvhdev_e820_entry *want, size_t nr)
{
	assert_int_equal(p->nr_e820, nr);
	for (size_t i = 0; i < nr; i++) {
		assert_int_equal(p->e820[i].addr, want[i].addr);
		assert_int_equal(p->e820[i].size, want[i].size);
		assert_int_equal(p->e820[i].type, want[i].type);
	}
}

static void expect_acpi(const struct pvhdev_acpi_table *t, const char *sig,
                        uint64_t addr, uint32_t len)
{
	assert_string_equal(t->sig, sig);
	assert_int_equal(t->addr, addr);
	assert_int_equal(t->len, len);
}

static void expect_mcfg(const struct pvhdev_mcfg *m, uint64_t addr,
                        uint16_t seg, uint8_t start, uint8_t end)
{
	assert_int_equal(m->addr, addr);
	assert_int_equal(m->seg, seg);
	assert_int_equal(m->start_bus, start);
	assert_int_equal(m->end_bus, end);
}

static void expect_ioapic(const struct pvhdev_ioapic_desc *io, uint8_t id,
                          uint64_t addr, uint32_t gsi_base, uint16_t pins)
{
	assert_int_equal(io->id, id);
	assert_int_equal(io->addr, addr);
	assert_int_equal(io->gsi_base, gsi_base);
	assert_int_equal(io->pins, pins);
}

static uint16_t dev_vendor(const struct pvhdev_fake_dev *d)
{
	return (uint16_t)(d->cfg[0] | d->cfg[1] << 8);
}

/* ---- The bundled machines ---- */

static void firecracker_platform(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		{ 0x0, 0x9fc00, RAM },
		{ 0x9fc00, 0x40400, RES },
		{ 0x100000, 0x1ff00000, RAM },
		{ 0xeec00000, 0x10000000, RES },
	};
	struct pvhdev_platform_file *pf = load_ok(MACHINES "firecracker-vm.xml");
	const struct pvhdev_platform *p = pvhdev_platform_file_platform(pf);
	const struct pvhdev_fake_dev *d = pvhdev_platform_file_devs(pf);

	(void)state;
	assert_int_equal(p->size, sizeof(*p));
	expect_e820(p, e820, 4);
	assert_int_equal(p->nr_acpi, 0);
	assert_int_equal(p->nr_mcfg, 1);
	expect_mcfg(&p->mcfg[0], 0xeec00000, 0, 0, 0);
	assert_int_equal(p->nr_ioapics, 1);
	expect_ioapic(&p->ioapics[0], 0, 0xfec00000, 0, 24);
	assert_int_equal(p->lapic_addr, 0xfee00000);
	assert_int_equal(p->nr_hidden, 0);
	assert_int_equal(p->nr_reserved, 0);
	assert_int_equal(pvhdev_platform_file_count(pf), 6);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(d[i].sbdf, PVHDEV_SBDF(0, 0, i, 0));
	assert_int_equal(dev_vendor(&d[0]), 0x8086);
	assert_int_equal(d[0].cfg_len, 4096);
	for (unsigned i = 1; i < 6; i++) {
		assert_int_equal(dev_vendor(&d[i]), 0x1af4);
		assert_int_equal(d[i].bar_size[0], 512 * 1024); /* [size=512K] */
	}
	assert_string_equal(pvhdev_platform_file_description(pf),
	                    "Firecracker microVM, 512 MiB, virtio-pci "
	                    "(balloon, block, net, vsock, rng)");
	pvhdev_platform_file_free(pf);
}

static void nuc_platform(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		{ 0x0, 0x58000, RAM },
		{ 0x58000, 0x1000, RES },
		{ 0x59000, 0x45000, RAM },
		{ 0x9e000, 0x62000, RES },
		{ 0x100000, 0x8c400000, RAM },
		{ 0x8c500000, 0x900000, RES },
		{ 0x8ce00000, 0x40000, PVHDEV_E820_ACPI },
		{ 0x8ce40000, 0x100000, PVHDEV_E820_NVS },
		{ 0x8cf40000, 0xc0000, RAM },
		{ 0x8d000000, 0x12800000, RES },
		{ 0xf8000000, 0x4000000, RES },
		{ 0xfec00000, 0x1000, RES },
		{ 0xfed00000, 0x4000, RES },
		{ 0xfed1c000, 0x4000, RES },
		{ 0xfee00000, 0x1000, RES },
		{ 0xff000000, 0x1000000, RES },
		{ 0x100000000, 0x160800000, RAM },
	};
	struct pvhdev_platform_file *pf =
		load_ok(MACHINES "intel-nuc-broadwell-u-i218.xml");
	const struct pvhdev_platform *p = pvhdev_platform_file_platform(pf);
	const struct pvhdev_fake_dev *d = pvhdev_platform_file_devs(pf);

	(void)state;
	expect_e820(p, e820, 17);
	assert_int_equal(p->nr_acpi, 9);
	expect_acpi(&p->acpi[0], "XSDT", 0x8ce00098, 0xa4);
	expect_acpi(&p->acpi[1], "DSDT", 0x8ce001c0, 0x24c74);
	expect_acpi(&p->acpi[2], "FACP", 0x8ce24e38, 0x10c);
	expect_acpi(&p->acpi[3], "APIC", 0x8ce24f48, 0xbc);
	expect_acpi(&p->acpi[4], "MCFG", 0x8ce25008, 0x3c);
	expect_acpi(&p->acpi[5], "HPET", 0x8ce25048, 0x38);
	expect_acpi(&p->acpi[6], "SSDT", 0x8ce25080, 0x5b0);
	expect_acpi(&p->acpi[7], "DMAR", 0x8ce25630, 0xb0);
	expect_acpi(&p->acpi[8], "FACS", 0x8ce4ef80, 0x40);
	assert_int_equal(p->nr_mcfg, 1);
	expect_mcfg(&p->mcfg[0], 0xf8000000, 0, 0, 63);
	assert_int_equal(p->nr_ioapics, 1);
	expect_ioapic(&p->ioapics[0], 2, 0xfec00000, 0, 40);
	assert_int_equal(p->lapic_addr, 0xfee00000);
	assert_int_equal(p->nr_hidden, 0);
	assert_int_equal(p->nr_reserved, 0);
	assert_int_equal(pvhdev_platform_file_count(pf), 14);
	assert_int_equal(d[1].sbdf, PVHDEV_SBDF(0, 0, 2, 0)); /* HD Graphics 5500 */
	assert_int_equal(d[1].bar_size[0], 16u << 20);
	assert_int_equal(d[1].bar_size[2], 256u << 20);
	assert_int_equal(d[13].sbdf, PVHDEV_SBDF(0, 2, 0, 0)); /* Wireless 7265 */
	assert_int_equal(d[13].bar_size[0], 8192);
	pvhdev_platform_file_free(pf);
}

/* Loads path, builds the fake from its devices and boots a domain
 * with its platform; checks every device is there. */
static struct pvhdev_platform_file *boot_file(struct test_dom *t,
                                              const char *path)
{
	struct pvhdev_platform_file *pf = load_ok(path);
	const struct pvhdev_fake_dev *d = pvhdev_platform_file_devs(pf);
	size_t nr = pvhdev_platform_file_count(pf);

	assert_int_equal(test_dom_init(t, d, nr), 0);
	assert_int_equal(pvhdev_domain_boot(t->dom, pvhdev_platform_file_platform(pf)), 0);
	assert_true(pvhdev_domain_booted(t->dom));
	for (size_t i = 0; i < nr; i++) {
		struct pvhdev_dev *dev;

		assert_int_equal(pvhdev_dev_get(t->dom, d[i].sbdf, &dev), 0);
		assert_int_equal(pvhdev_dev_sbdf(dev), d[i].sbdf);
	}
	return pf;
}

static void expect_mapped(struct test_dom *t, uint64_t addr,
                          enum pvhdev_map_reason reason)
{
	struct pvhdev_p2m_range r;

	assert_int_equal(pvhdev_p2m_query(t->dom, addr >> PVHDEV_PAGE_SHIFT, &r), 0);
	assert_int_equal(r.reason, reason);
}

static void expect_unmapped(struct test_dom *t, uint64_t addr)
{
	struct pvhdev_p2m_range r;

	assert_int_equal(pvhdev_p2m_query(t->dom, addr >> PVHDEV_PAGE_SHIFT, &r),
	                 -ENOENT);
}

static void firecracker_boot(void **state)
{
	struct test_dom t;
	struct pvhdev_platform_file *pf = boot_file(&t, MACHINES "firecracker-vm.xml");
	struct pvhdev_ioapic_info io;
	unsigned nr;

	(void)state;
	assert_int_equal(pvhdev_ioapic_count(t.dom, &nr), 0);
	assert_int_equal(nr, 1);
	assert_int_equal(pvhdev_ioapic_get(t.dom, 0, &io), 0);
	assert_int_equal(io.addr, 0xfec00000);
	assert_int_equal(io.pins, 24);
	expect_mapped(&t, 0x0, PVHDEV_MAP_RAM_COPY);
	expect_mapped(&t, 0xa0000, PVHDEV_MAP_LOW_MEM);
	expect_mapped(&t, 0x4000000000, PVHDEV_MAP_BAR); /* balloon BAR0 */
	expect_unmapped(&t, 0x4000008000);               /* its MSI-X table */
	expect_unmapped(&t, 0xeec00000);                 /* ECAM: trapped */
	expect_unmapped(&t, 0xfec00000);                 /* IO-APIC: trapped */
	test_dom_fini(&t);
	pvhdev_platform_file_free(pf);
}

static void nuc_boot(void **state)
{
	struct test_dom t;
	struct pvhdev_platform_file *pf =
		boot_file(&t, MACHINES "intel-nuc-broadwell-u-i218.xml");
	struct pvhdev_ioapic_info io;

	(void)state;
	assert_int_equal(pvhdev_ioapic_get(t.dom, 0, &io), 0);
	assert_int_equal(io.id, 2);
	assert_int_equal(io.pins, 40);
	expect_mapped(&t, 0x8ce00000, PVHDEV_MAP_ACPI);
	expect_mapped(&t, 0x8ce40000, PVHDEV_MAP_NVS);
	expect_mapped(&t, 0xaa100000, PVHDEV_MAP_BAR); /* I218-V BAR0 */
	expect_unmapped(&t, 0x100000);                 /* RAM above 1 MiB */
	expect_unmapped(&t, 0xf8000000);               /* ECAM */
	test_dom_fini(&t);
	pvhdev_platform_file_free(pf);
}

/* ---- Every element, by tests/data/platforms/full.xml ---- */

static void full_platform(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		{ 0x0, 0x9fc00, RAM },
		{ 0x9fc00, 0x60400, RES },
		{ 0x100000, 0x3ff00000, RAM },
		{ 0x40000000, 0x10000, PVHDEV_E820_ACPI },
		{ 0x40010000, 0x10000, PVHDEV_E820_NVS },
		{ 0x40020000, 0x1000, PVHDEV_E820_UNUSABLE },
		{ 0x40021000, 0x1000, 7 },
		{ 0x40022000, 0x1000, 0xefffffff },
		{ 0xe0000000, 0x4000000, RES },
	};
	struct pvhdev_platform_file *pf = load_ok(PLATFORMS "full.xml");
	const struct pvhdev_platform *p = pvhdev_platform_file_platform(pf);

	(void)state;
	expect_e820(p, e820, 9); /* sorted by address */
	assert_int_equal(p->nr_acpi, 2);
	expect_acpi(&p->acpi[0], "FACP", 0x40000000, 0x114);
	expect_acpi(&p->acpi[1], "SSDT", 0x80000000, 1024);
	assert_int_equal(p->nr_mcfg, 2);
	expect_mcfg(&p->mcfg[0], 0xe0000000, 0, 0, 0x3f);
	expect_mcfg(&p->mcfg[1], 0xf0000000, 1, 0x10, 0x10);
	assert_int_equal(p->nr_ioapics, 2);
	expect_ioapic(&p->ioapics[0], 1, 0xfec00000, 0, 24);
	expect_ioapic(&p->ioapics[1], 2, 0xfec01000, 24, 8);
	assert_int_equal(p->lapic_addr, 0xfee00000);
	assert_int_equal(p->nr_hidden, 2);
	assert_int_equal(p->hidden[0], PVHDEV_SBDF(0, 0, 4, 0));
	assert_int_equal(p->hidden[1], PVHDEV_SBDF(0, 0, 0x1f, 7));
	assert_int_equal(p->nr_reserved, 1);
	assert_int_equal(p->reserved[0].addr, 0xfed00000);
	assert_int_equal(p->reserved[0].size, 0x1000);
	assert_string_equal(pvhdev_platform_file_description(pf),
	                    "A test platform: two IO-APICs, two segments, a dump, "
	                    "an inline device.");
	pvhdev_platform_file_free(pf);
}

/* The dump's guesses, the overrides, the inline device. */
static void full_devices(void **state)
{
	static const uint8_t head[16] = { 0x86, 0x80, 0xd3, 0x10, 0x06, 0x00,
		                          0x10, 0x00, 0x00, 0x00, 0x00, 0x02 };
	struct pvhdev_platform_file *pf = load_ok(PLATFORMS "full.xml");
	const struct pvhdev_fake_dev *d = pvhdev_platform_file_devs(pf);

	(void)state;
	assert_int_equal(pvhdev_platform_file_count(pf), 3);
	assert_int_equal(d[0].sbdf, PVHDEV_SBDF(0, 0, 3, 0));
	assert_int_equal(d[0].bar_size[0], 0x20000); /* dump guessed 256K */
	assert_int_equal(d[0].bar_size[2], 0x20);    /* the dump's guess */
	assert_int_equal(d[1].sbdf, PVHDEV_SBDF(0, 0, 4, 0));
	assert_int_equal(d[1].bar_size[0], 8);       /* dump guessed 32 */
	assert_int_equal(d[2].sbdf, PVHDEV_SBDF(0, 0, 5, 0));
	assert_int_equal(d[2].cfg_len, 80);
	assert_memory_equal(d[2].cfg, head, sizeof(head));
	assert_int_equal(d[2].cfg[0x30], 0x00);
	assert_int_equal(d[2].cfg[0x32], 0xb8);
	assert_int_equal(d[2].cfg[0x4f], 0x00);
	assert_int_equal(d[2].bar_size[0], 0x4000);
	assert_int_equal(d[2].bar_size[2], 0);       /* no <bar>: absent */
	assert_int_equal(d[2].rom_size, 0x10000);
	pvhdev_platform_file_free(pf);
}

/* <mask>: the device's own write masks reach the fake, which then
 * answers with them: the Latency Timer keeps 0, the vendor register
 * takes its low byte and clears bit 15 on a write of 1. */
static void masks_reach_the_fake(void **state)
{
	struct pvhdev_platform_file *pf = load_ok(PLATFORMS "masks.xml");
	const struct pvhdev_fake_dev *d = pvhdev_platform_file_devs(pf);
	const pvhdev_sbdf_t sbdf = PVHDEV_SBDF(0, 0, 3, 0);
	struct test_alloc alloc = { 0 };
	struct pvhdev_fake *fake;
	uint32_t v;

	(void)state;
	assert_int_equal(d[0].nr_masks, 2);
	assert_int_equal(d[0].masks[0].off, 0x0d);
	assert_int_equal(d[0].masks[0].size, 1);
	assert_int_equal(d[0].masks[0].rw, 0);
	assert_int_equal(d[0].masks[1].off, 0x40);
	assert_int_equal(d[0].masks[1].rw, 0x00ff);
	assert_int_equal(d[0].masks[1].rw1c, 0x8000);
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &alloc, d,
	                                 pvhdev_platform_file_count(pf), &fake), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_write(fake, sbdf, 0x0d, 1, 0x40), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, sbdf, 0x0d, 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(pvhdev_fake_set_bits(fake, sbdf, 0x40, 2, 0x8000), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_write(fake, sbdf, 0x40, 2, 0xffff), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, sbdf, 0x40, 2, &v), 0);
	assert_int_equal(v & 0x80ff, 0x00ff); /* bits 14:8 are the dump's, read-only */
	pvhdev_fake_free(fake);
	assert_int_equal(alloc.live_blocks, 0);
	pvhdev_platform_file_free(pf);
}

/* plugged="later" (inline and on a dump's device) reaches the fake: the
 * function reads absent until pvhdev_fake_plug(). */
static void plugged_later_reaches_the_fake(void **state)
{
	struct pvhdev_platform_file *pf = load_ok(PLATFORMS "plugged.xml");
	const struct pvhdev_fake_dev *d = pvhdev_platform_file_devs(pf);
	const pvhdev_sbdf_t e1000 = PVHDEV_SBDF(0, 0, 3, 0);
	struct test_alloc alloc = { 0 };
	struct pvhdev_fake *fake;
	uint32_t v;

	(void)state;
	assert_int_equal(pvhdev_platform_file_count(pf), 3);
	assert_int_equal(d[0].sbdf, e1000);
	assert_true(d[0].plugged_later);
	assert_int_equal(d[1].sbdf, PVHDEV_SBDF(0, 0, 4, 0));
	assert_false(d[1].plugged_later);
	assert_int_equal(d[2].sbdf, PVHDEV_SBDF(0, 0, 6, 0));
	assert_true(d[2].plugged_later);
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &alloc, d,
	                                 pvhdev_platform_file_count(pf), &fake), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, e1000, 0, 4, &v), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(pvhdev_fake_plug(fake, e1000), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, e1000, 0, 4, &v), 0);
	assert_int_equal(v, 0x100e8086u);
	pvhdev_fake_free(fake);
	assert_int_equal(alloc.live_blocks, 0);
	pvhdev_platform_file_free(pf);
}

/* <vf-config>: the PF's VF template (an lspci dump of QEMU's NVMe VF,
 * labels and all) reaches the fake: after VF Enable the VF has QEMU's
 * capabilities (MSI-X 1 entry at 0x40, PCIe at 0x80, PM at 0x60, ARI). */
static void vf_config_reaches_the_fake(void **state)
{
	struct pvhdev_platform_file *pf = load_ok(PLATFORMS "vf-config.xml");
	const struct pvhdev_fake_dev *d = pvhdev_platform_file_devs(pf);
	const pvhdev_sbdf_t vf = PVHDEV_SBDF(0, 0, 4, 1);
	struct test_alloc alloc = { 0 };
	struct pvhdev_fake *fake;
	uint32_t v;

	(void)state;
	assert_int_equal(d[0].vf_cfg_len, 0x110);
	assert_int_equal(d[0].vf_cfg[0x40], 0x11);
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &alloc, d,
	                                 pvhdev_platform_file_count(pf), &fake), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_write(fake, PVHDEV_SBDF(0, 0, 4, 0), 0x108, 2, 1), 0);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, vf, 0x00, 4, &v), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, vf, 0x40, 4, &v), 0);
	assert_int_equal(v, 0x00008011u);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, vf, 0x80, 2, &v), 0);
	assert_int_equal(v, 0x6010);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, vf, 0x60, 2, &v), 0);
	assert_int_equal(v, 0x0001);
	assert_int_equal(pvhdev_fake_ops.cfg_read(fake, vf, 0x100, 4, &v), 0);
	assert_int_equal(v, 0x0001000eu);
	pvhdev_fake_free(fake);
	assert_int_equal(alloc.live_blocks, 0);
	pvhdev_platform_file_free(pf);
}

static void full_notes(void **state)
{
	struct pvhdev_platform_file *pf = load_ok(PLATFORMS "full.xml");
	size_t n = pvhdev_platform_file_nr_notes(pf);

	(void)state;
	assert_true(n > 3);
	for (size_t i = 0; i < n - 3; i++)
		assert_memory_equal(pvhdev_platform_file_note(pf, i),
		                    "dump 'small.lspci': ", 20);
	assert_string_equal(pvhdev_platform_file_note(pf, n - 3),
	                    PLATFORMS "full.xml:30: 0000:00:03.0 BAR 0: size "
	                    "0x20000 replaces 0x40000 from the dump");
	assert_string_equal(pvhdev_platform_file_note(pf, n - 2),
	                    PLATFORMS "full.xml:33: 0000:00:04.0 BAR 0: size "
	                    "0x8 replaces 0x20 from the dump");
	assert_string_equal(pvhdev_platform_file_note(pf, n - 1),
	                    PLATFORMS "full.xml:36: 0000:00:05.0 BAR 2: address "
	                    "0xc080 but no size given: not implemented");
	assert_null(pvhdev_platform_file_note(pf, n));
	pvhdev_platform_file_free(pf);
}

/* The overridden sizes are what BAR sizing finds; the hidden device is
 * hidden; the inline device's BAR is mapped. */
static void full_boot(void **state)
{
	struct test_dom t;
	struct pvhdev_platform_file *pf = boot_file(&t, PLATFORMS "full.xml");
	pvhdev_sbdf_t nic = PVHDEV_SBDF(0, 0, 3, 0);
	struct pvhdev_dev *dev;
	unsigned nr;

	(void)state;
	assert_int_equal(pvhdev_dev_get(t.dom, PVHDEV_SBDF(0, 0, 4, 0), &dev), 0);
	assert_true(pvhdev_dev_hidden(dev));
	assert_int_equal(pvhdev_ioapic_count(t.dom, &nr), 0);
	assert_int_equal(nr, 2);
	expect_mapped(&t, 0xfe000000, PVHDEV_MAP_BAR);
	expect_unmapped(&t, 0xfed00000); /* reserved for the hypervisor */
	test_cfg_write(&t, nic, 0x04, 2, 0x0004); /* decode off */
	test_cfg_write(&t, nic, 0x10, 4, 0xffffffff);
	assert_int_equal(test_cfg_read(&t, nic, 0x10, 4), 0xfffe0000);
	test_dom_fini(&t);
	pvhdev_platform_file_free(pf);
}

/* ---- The schema, paths, arguments ---- */

static void schema_lookup(void **state)
{
	char buf[4096];

	(void)state;
	assert_int_equal(setenv("PVHDEV_DATADIR", DATADIR, 1), 0);
	assert_int_equal(pvhdev_platform_file_schema(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, SCHEMA);
	/* A data dir without the schema is skipped for the next one. */
	assert_int_equal(setenv("PVHDEV_DATADIR", PLATFORMS, 1), 0);
	assert_int_equal(pvhdev_platform_file_schema(DATADIR, buf, sizeof(buf)), 0);
	assert_string_equal(buf, SCHEMA);
	assert_int_equal(setenv("PVHDEV_DATADIR", DATADIR, 1), 0);
	assert_int_equal(pvhdev_platform_file_schema(NULL, buf, 8), -ENAMETOOLONG);
	unsetenv("PVHDEV_DATADIR");
}

/* schema_path NULL: found through PVHDEV_DATADIR. */
static void schema_found(void **state)
{
	struct pvhdev_platform_file *pf = NULL;
	char err[512] = "";

	(void)state;
	assert_int_equal(setenv("PVHDEV_DATADIR", DATADIR, 1), 0);
	assert_int_equal(pvhdev_platform_file_load(MACHINES "firecracker-vm.xml",
	                                           NULL, &pf, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(pvhdev_platform_file_count(pf), 6);
	pvhdev_platform_file_free(pf);
	unsetenv("PVHDEV_DATADIR");
}

static void schema_missing(void **state)
{
	struct pvhdev_platform_file *pf = NULL;
	char err[512];

	(void)state;
	assert_int_equal(pvhdev_platform_file_load(PLATFORMS "full.xml",
	                                           "/nonexistent/platform.rng", &pf,
	                                           err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/platform.rng: cannot open: "
	                         "No such file or directory");
	assert_null(pf);
}

/* A schema that is not RELAX NG (here: a platform file). */
static void schema_broken(void **state)
{
	struct pvhdev_platform_file *pf = NULL;
	char err[512];

	(void)state;
	assert_int_equal(pvhdev_platform_file_load(PLATFORMS "full.xml",
	                                           PLATFORMS "empty.xml", &pf,
	                                           err, sizeof(err)), -EINVAL);
	assert_string_equal(err, PLATFORMS "empty.xml:1: not well-formed XML: "
	                         "Document is empty");
	assert_null(pf);
}

static void file_missing(void **state)
{
	(void)state;
	expect_error("nope.xml", -ENOENT, ": cannot open: No such file or directory");
}

static void file_is_dir(void **state)
{
	struct pvhdev_platform_file *pf = NULL;
	char err[512];

	(void)state;
	assert_int_equal(pvhdev_platform_file_load(PVHDEV_TEST_DATA, SCHEMA, &pf,
	                                           err, sizeof(err)), -EISDIR);
	assert_string_equal(err, PVHDEV_TEST_DATA ": cannot read: Is a directory");
}

/* No err buffer, a tiny one, no out: errors still come back. */
static void bad_arguments(void **state)
{
	struct pvhdev_platform_file *pf = NULL;
	char err[16];

	(void)state;
	assert_int_equal(pvhdev_platform_file_load(PLATFORMS "empty.xml", SCHEMA,
	                                           &pf, NULL, 0), -EINVAL);
	assert_null(pf);
	assert_int_equal(pvhdev_platform_file_load(PLATFORMS "empty.xml", SCHEMA,
	                                           &pf, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(pvhdev_platform_file_load(PLATFORMS "full.xml", SCHEMA,
	                                           NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(pvhdev_platform_file_load(NULL, SCHEMA, &pf, err,
	                                           sizeof(err)), -EINVAL);
	pvhdev_platform_file_free(NULL);
}

/* Writes len bytes of buf as dir/name. */
static void put_file(const char *dir, const char *name, const void *buf,
                     size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

/* Loads dir/name: it either loads or fails with one line naming it. */
static void load_any(const char *dir, const char *name)
{
	struct pvhdev_platform_file *pf = NULL;
	char path[512], err[1024];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = pvhdev_platform_file_load(path, SCHEMA, &pf, err, sizeof(err));
	if (rc) {
		assert_true(rc < 0);
		assert_null(pf);
		assert_memory_equal(err, path, strlen(path));
		assert_null(strchr(err, '\n'));
	}
	pvhdev_platform_file_free(pf);
}

/* full.xml cut at many lengths and with bytes flipped: never a crash,
 * always one error line (or a file that still makes sense). */
static void mangled(void **state)
{
	char dir[] = "/tmp/pvhdev-platform-XXXXXX", path[512];
	size_t len, dlen;
	char *xml = slurp(PLATFORMS "full.xml", &len);
	char *dump = slurp(PLATFORMS "small.lspci", &dlen);

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_file(dir, "small.lspci", dump, dlen);
	for (size_t cut = 0; cut < len; cut += 41) {
		put_file(dir, "cut.xml", xml, cut);
		load_any(dir, "cut.xml");
	}
	for (size_t at = 7; at < len; at += 53) {
		char save = xml[at];

		xml[at] = (char)(xml[at] ^ (at & 1 ? 0x80 : 0x21));
		put_file(dir, "flip.xml", xml, len);
		load_any(dir, "flip.xml");
		xml[at] = save;
	}
	snprintf(path, sizeof(path), "%s/cut.xml", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/flip.xml", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/small.lspci", dir);
	unlink(path);
	rmdir(dir);
	free(xml);
	free(dump);
}

/* ---- Malformed files: one exact line each ---- */

#define BAD(name, file, rc, msg)                                            \
	static void name(void **state)                                      \
	{                                                                   \
		(void)state;                                                \
		expect_error(file, rc, msg);                                \
	}

#define PLATFORM_HOLDS                                                      \
	"(platform holds description, e820, acpi, mcfg, ioapic, lapic, "    \
	"hidden, reserved, dump, device, in this order)"

BAD(bad_truncated, "truncated.xml", -EINVAL,
    ":4: not well-formed XML: Specification mandates value for attribute si")
BAD(bad_empty, "empty.xml", -EINVAL, ":1: not well-formed XML: Document is empty")
BAD(bad_garbage, "garbage.xml", -EINVAL,
    ":1: not well-formed XML: Start tag expected, '<' not found")
BAD(bad_doctype, "doctype.xml", -EINVAL, ": DOCTYPE declarations are not allowed")
BAD(bad_wrong_root, "wrong-root.xml", -EINVAL,
    ":2: element machine: expected element platform")
BAD(bad_version, "bad-version.xml", -EINVAL,
    ":2: element platform: attribute version: '2' is not supported (expected 1)")
BAD(bad_wrong_element, "wrong-element.xml", -EINVAL,
    ":3: element e821: unknown " PLATFORM_HOLDS)
BAD(bad_order, "order.xml", -EINVAL,
    ":4: element e820: not expected here " PLATFORM_HOLDS)
BAD(bad_text, "text.xml", -EINVAL, ":5: element platform: unexpected text 'hello'")
BAD(bad_namespace, "namespace.xml", -EINVAL,
    ":2: element platform: in an XML namespace; platform files use none")
BAD(bad_child_in_empty, "child-in-empty.xml", -EINVAL,
    ":4: element x2apic: unknown (lapic holds nothing)")
BAD(bad_missing_attr, "missing-attr.xml", -EINVAL,
    ":4: element e820: expected attribute type")
BAD(bad_extra_attr, "extra-attr.xml", -EINVAL,
    ":3: element lapic: unexpected attribute size")
BAD(bad_number, "bad-number.xml", -EINVAL,
    ":3: element e820: attribute size: '0x10g00' is not a number "
    "(expected 0x-prefixed hex or decimal)")
BAD(bad_huge_number, "huge-number.xml", -EINVAL,
    ":3: element e820: attribute size: '0x1ffffffffffffffff' does not fit in 64 bits")
BAD(bad_negative, "negative.xml", -EINVAL,
    ":3: element reserved: attribute addr: '-4096' is negative")
BAD(bad_big_length, "big-length.xml", -EINVAL,
    ":3: element acpi: attribute length: '0x100000000' is above 0xffffffff")
BAD(bad_pins, "pins.xml", -EINVAL,
    ":3: element ioapic: attribute pins: '121' is above 120")
BAD(bad_wrap_e820, "wrap-e820.xml", -EINVAL,
    ":3: element e820: 0xfffffffffffff000 + 0x2000 runs past the end of the "
    "64-bit address space")
BAD(bad_e820_type, "unknown-e820-type.xml", -EINVAL,
    ":3: element e820: attribute type: unknown e820 type 'System RAM' "
    "(expected ram, reserved, acpi, nvs, unusable, disabled, pmem, pram, "
    "soft-reserved or a number)")
BAD(bad_overlap_e820, "overlap-e820.xml", -EINVAL,
    ":5: element e820: 0x9f000-0x9ffff overlaps 0x0-0x9fbff at line 3")
BAD(bad_overlap_mcfg, "overlap-mcfg.xml", -EINVAL,
    ":4: element mcfg: segment 0000 bus range 80-80 overlaps segment 0000 "
    "bus range 00-ff at line 3")
BAD(bad_overlap_ecam, "overlap-ecam.xml", -EINVAL,
    ":4: element mcfg: ECAM 0xe8000000-0xe80fffff overlaps ECAM "
    "0xe0000000-0xefffffff at line 3")
BAD(bad_mcfg_align, "mcfg-align.xml", -EINVAL,
    ":3: element mcfg: addr 0xe0080000 is not 1 MiB aligned")
BAD(bad_overlap_gsi, "overlap-gsi.xml", -EINVAL,
    ":4: element ioapic: GSI range 16-39 overlaps GSI range 0-23 at line 3")
BAD(bad_ioapic_id, "dup-ioapic-id.xml", -EINVAL,
    ":4: element ioapic: id 1 is already used at line 3")
BAD(bad_signature, "bad-signature.xml", -EINVAL,
    ":3: element acpi: attribute signature: 'FAC' is not an ACPI signature "
    "(expected 4 printable ASCII characters)")
BAD(bad_sbdf, "bad-sbdf.xml", -EINVAL,
    ":4: element hidden: attribute sbdf: '00:20.0' is not an SBDF (expected "
    "[ssss:]bb:dd.f in hex, dd at most 1f, f at most 7)")
BAD(bad_dup_hidden, "dup-hidden.xml", -EINVAL,
    ":4: element hidden: 0000:00:1f.3 is already hidden at line 3")
BAD(bad_missing_dump, "missing-dump.xml", -ENOENT,
    ":3: dump 'nope.lspci': cannot open: No such file or directory")
BAD(bad_dump, "bad-dump.xml", -EINVAL,
    ":3: dump 'bad-dump.lspci': bad-dump.lspci:3: expected a hex byte at "
    "column 23, found 'zz'")
BAD(bad_dup_device, "dup-device.xml", -EINVAL,
    ":4: device 0000:00:03.0 is already defined at line 3")
BAD(bad_plugged, "bad-plugged.xml", -EINVAL,
    ":3: element device: attribute plugged: 'yes' is not supported (expected later)")
BAD(bad_override_absent, "override-absent.xml", -EINVAL,
    ":4: element device: 0000:00:07.0 is not in dump 'small.lspci'")
BAD(bad_override_pow2, "override-pow2.xml", -EINVAL,
    ":5: element bar: 0000:00:03.0 BAR 0: size 0x30000 is not a power of two")
BAD(bad_override_align, "override-align.xml", -EINVAL,
    ":5: element bar: 0000:00:03.0 BAR 0: address 0xfebc0000 is not aligned "
    "to size 0x80000")
BAD(bad_mask_align, "mask-align.xml", -EINVAL,
    ":5: element mask: 0000:00:03.0 mask at 0x41: expected size 1, 2 or 4 at an "
    "offset aligned to it")
BAD(bad_mask_three, "mask-three.xml", -EINVAL,
    ":5: element mask: 0000:00:03.0 mask at 0x40: expected size 1, 2 or 4 at an "
    "offset aligned to it")
BAD(bad_mask_past, "mask-past.xml", -EINVAL,
    ":5: element mask: 0000:00:03.0 mask at 0x100: past the device's 256 bytes of "
    "config space")
BAD(bad_mask_bits, "mask-bits.xml", -EINVAL,
    ":5: element mask: 0000:00:03.0 mask at 0x40: rw 0x100 and rw1c 0x0 must fit in "
    "1 byte")
BAD(bad_bar_high, "bar-high.xml", -EINVAL,
    ":11: element bar: 0000:00:05.0 BAR 1: the upper half of 64-bit BAR 0")
BAD(bad_odd_hex, "odd-hex.xml", -EINVAL,
    ":6: element config: '0' has an odd number of hex digits")
BAD(bad_config_label, "config-label.xml", -EINVAL,
    ":6: element config: label '20:' but 0x10 bytes came before it")
BAD(bad_short_config, "short-config.xml", -EINVAL,
    ":4: element config: 12 bytes; expected at least 64 (the header)")
BAD(bad_no_config, "no-config.xml", -EINVAL,
    ":4: element bar: not expected here (device holds config, then bar "
    "elements, then a rom, then vf-bar elements, then mask elements, then "
    "a vf-config)")

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(firecracker_platform),
	cmocka_unit_test(nuc_platform),
	cmocka_unit_test(firecracker_boot),
	cmocka_unit_test(nuc_boot),
	cmocka_unit_test(full_platform),
	cmocka_unit_test(full_devices),
	cmocka_unit_test(full_notes),
	cmocka_unit_test(vf_config_reaches_the_fake),
	cmocka_unit_test(full_boot),
	cmocka_unit_test(schema_lookup),
	cmocka_unit_test(schema_found),
	cmocka_unit_test(schema_missing),
	cmocka_unit_test(schema_broken),
	cmocka_unit_test(file_missing),
	cmocka_unit_test(file_is_dir),
	cmocka_unit_test(bad_arguments),
	cmocka_unit_test(mangled),
	cmocka_unit_test(bad_truncated),
	cmocka_unit_test(bad_empty),
	cmocka_unit_test(bad_garbage),
	cmocka_unit_test(bad_doctype),
	cmocka_unit_test(bad_wrong_root),
	cmocka_unit_test(bad_version),
	cmocka_unit_test(bad_wrong_element),
	cmocka_unit_test(bad_order),
	cmocka_unit_test(bad_text),
	cmocka_unit_test(bad_namespace),
	cmocka_unit_test(bad_child_in_empty),
	cmocka_unit_test(bad_missing_attr),
	cmocka_unit_test(bad_extra_attr),
	cmocka_unit_test(bad_number),
	cmocka_unit_test(bad_huge_number),
	cmocka_unit_test(bad_negative),
	cmocka_unit_test(bad_big_length),
	cmocka_unit_test(bad_pins),
	cmocka_unit_test(bad_wrap_e820),
	cmocka_unit_test(bad_e820_type),
	cmocka_unit_test(bad_overlap_e820),
	cmocka_unit_test(bad_overlap_mcfg),
	cmocka_unit_test(bad_overlap_ecam),
	cmocka_unit_test(bad_mcfg_align),
	cmocka_unit_test(bad_overlap_gsi),
	cmocka_unit_test(bad_ioapic_id),
	cmocka_unit_test(bad_signature),
	cmocka_unit_test(bad_sbdf),
	cmocka_unit_test(bad_dup_hidden),
	cmocka_unit_test(bad_missing_dump),
	cmocka_unit_test(bad_dump),
	cmocka_unit_test(bad_dup_device),
	cmocka_unit_test(bad_plugged),
	cmocka_unit_test(bad_override_absent),
	cmocka_unit_test(bad_override_pow2),
	cmocka_unit_test(bad_override_align),
	cmocka_unit_test(bad_mask_align),
	cmocka_unit_test(bad_mask_three),
	cmocka_unit_test(bad_mask_past),
	cmocka_unit_test(bad_mask_bits),
	cmocka_unit_test(masks_reach_the_fake),
	cmocka_unit_test(plugged_later_reaches_the_fake),
	cmocka_unit_test(bad_bar_high),
	cmocka_unit_test(bad_odd_hex),
	cmocka_unit_test(bad_config_label),
	cmocka_unit_test(bad_short_config),
	cmocka_unit_test(bad_no_config),
};

PVHDEV_TEST_MAIN("platform_file", tests)
