/* SPDX-License-Identifier: MIT */
/*
 * pvhdev boot: build the dom0 model of a machine and print it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhdev/backend.h>
#include <pvhdev/dump.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>
#include <pvhdev/ioapic.h>

#include "cli.h"
#include "machine.h"

static const char boot_usage[] =
	"Usage: pvhdev boot [--lspci FILE | --platform FILE | --host] [--json]\n"
	"\n"
	"Builds the dom0 model of a machine the way a PVH dom0 builder does\n"
	"(MCFG windows, IO-APICs, the boot identity map, every PCI function\n"
	"with its BARs sized and mapped) and prints it: devices (IDs, BARs\n"
	"with address, size, kind and whether mapped, MSI, MSI-X table and\n"
	"PBA, SR-IOV), the virtual IO-APICs, the p2m as ranges with their\n"
	"reasons, every effect the boot caused (events), and notes from the\n"
	"loader (BAR sizes guessed, devices skipped).\n"
	"\n"
	"  --lspci FILE     the machine as an lspci dump (lspci -x, -xxx or\n"
	"                   -xxxx, with or without -v text), on an empty\n"
	"                   platform (no e820, MCFG or IO-APIC)\n"
	"  --platform FILE  a platform file (docs/platform-format.md): e820,\n"
	"                   ACPI tables, MCFG, IO-APICs and the devices\n"
	"  --host           this machine, read-only: devices through libpci\n"
	"                   (config writes stay in a shadow copy), the\n"
	"                   platform from /sys/firmware (see pvhdev capture)\n"
	"  --allow-hw-writes  with --host: let config writes reach the\n"
	"                   hardware (BAR registers never do)\n"
	"  --json           print JSON with top-level keys machine, devices,\n"
	"                   ioapics, p2m, events, notes\n"
	"  -h, --help       this text\n"
	"\n"
	"With no source option the machine bundled with pvhdev is used:\n"
	"  machines/intel-nuc-broadwell-u-i218.xml (its lspci dump and a\n"
	"  typical platform for it)\n"
	"looked up in the data directories 'pvhdev help' lists: $PVHDEV_DATADIR\n"
	"when set, then the installed data (../share/pvhdev next to the binary,\n"
	"then the configured prefix's); a pvhdev run from its build tree looks\n"
	"in its source tree's data/ before the configured prefix.\n"
	"\n"
	"Exit status: 0 success, 2 bad usage or unreadable input, 3 internal\n"
	"error.\n";

/* What the CLI reports about one device, gathered once for either
 * output format. */
struct dev_view {
	char sbdf[PVHDEV_SBDF_STRLEN];
	uint32_t id, cls;
	bool hidden, vf;
	char pf[PVHDEV_SBDF_STRLEN];
	struct pvhdev_bar_info bar[13];
	bool has_bar[13];
	unsigned msi_off, msi_vectors;
	bool msi, msi64, msi_mask;
	unsigned msix_off, msix_entries, table_bir, table_off, pba_bir, pba_off;
	bool msix;
	struct pvhdev_sriov_info sriov;
	bool has_sriov;
};

static uint32_t cfg(struct pvhdev_dev *dev, unsigned off, unsigned size)
{
	uint32_t v = ~0u;

	pvhdev_cfg_read(pvhdev_dev_domain(dev), pvhdev_dev_sbdf(dev), off, size, &v);
	return v;
}

static void view_caps(struct pvhdev_dev *dev, struct dev_view *v)
{
	unsigned off;

	if (!pvhdev_dev_find_cap(dev, 0x05, &off)) {
		uint32_t ctrl = cfg(dev, off + 2, 2);
		v->msi = true;
		v->msi_off = off;
		v->msi_vectors = 1u << ((ctrl >> 1) & 7);
		v->msi64 = ctrl & 0x80;
		v->msi_mask = ctrl & 0x100;
	}
	if (!pvhdev_dev_find_cap(dev, 0x11, &off)) {
		uint32_t table = cfg(dev, off + 4, 4), pba = cfg(dev, off + 8, 4);
		v->msix = true;
		v->msix_off = off;
		v->msix_entries = (cfg(dev, off + 2, 2) & 0x7ff) + 1;
		v->table_bir = table & 7;
		v->table_off = table & ~7u;
		v->pba_bir = pba & 7;
		v->pba_off = pba & ~7u;
	}
	v->has_sriov = !pvhdev_dev_sriov(dev, &v->sriov);
}

static void view(struct pvhdev_dev *dev, struct dev_view *v)
{
	pvhdev_sbdf_t pf;

	memset(v, 0, sizeof(*v));
	pvhdev_sbdf_str(pvhdev_dev_sbdf(dev), v->sbdf);
	v->hidden = pvhdev_dev_hidden(dev);
	v->vf = pvhdev_dev_is_vf(dev, &pf);
	if (v->vf)
		pvhdev_sbdf_str(pf, v->pf);
	if (v->hidden)
		return;
	v->id = cfg(dev, 0, 4);
	v->cls = cfg(dev, 8, 4) >> 8;
	for (unsigned i = 0; i < 13; i++)
		v->has_bar[i] = !pvhdev_dev_bar(dev, i, &v->bar[i]);
	view_caps(dev, v);
}

static const char *bar_name(unsigned i, char buf[24])
{
	if (i < 6)
		snprintf(buf, 24, "BAR%u", i);
	else if (i == 6)
		snprintf(buf, 24, "ROM");
	else
		snprintf(buf, 24, "VF-BAR%u", i - 7);
	return buf;
}

static const char *bar_kind(const struct pvhdev_bar_info *b)
{
	return !b->mem ? "io" : b->is64 ? "mem64" : "mem32";
}

static void text_dev(const struct dev_view *v)
{
	char n[24];

	printf("%s %04x:%04x class %06x%s%s%s\n", v->sbdf, v->id & 0xffff, v->id >> 16,
	       v->cls, v->hidden ? " hidden" : "", v->vf ? " VF of " : "", v->vf ? v->pf : "");
	for (unsigned i = 0; i < 13; i++) {
		const struct pvhdev_bar_info *b = &v->bar[i];
		if (v->has_bar[i])
			printf("    %-8s %-5s%s 0x%llx size 0x%llx%s\n", bar_name(i, n),
			       bar_kind(b), b->prefetch ? " pref" : "",
			       (unsigned long long)b->addr, (unsigned long long)b->size,
			       b->mapped ? " mapped" : "");
	}
	if (v->msi)
		printf("    MSI      cap 0x%x capable %u vectors%s%s\n", v->msi_off, v->msi_vectors,
		       v->msi64 ? " 64-bit" : "", v->msi_mask ? " per-vector-mask" : "");
	if (v->msix)
		printf("    MSI-X    cap 0x%x entries %u table BAR%u+0x%x PBA BAR%u+0x%x\n",
		       v->msix_off, v->msix_entries, v->table_bir, v->table_off,
		       v->pba_bir, v->pba_off);
	if (v->has_sriov)
		printf("    SR-IOV   cap 0x%x TotalVFs %u NumVFs %u VFs %u offset %u "
		       "stride %u%s%s\n", v->sriov.pos, v->sriov.total_vfs, v->sriov.num_vfs,
		       v->sriov.nr_vfs, v->sriov.first_offset, v->sriov.stride,
		       v->sriov.vf_enable ? " enabled" : "", v->sriov.vf_mse ? " mse" : "");
}

static void json_dev(const struct dev_view *v, bool first)
{
	char n[24];
	bool f = true;

	printf("%s\n    {\"sbdf\": \"%s\", \"vendor\": \"%04x\", \"device\": \"%04x\", "
	       "\"class\": \"%06x\", \"hidden\": %s, \"vf_of\": %s%s%s,\n     \"bars\": [",
	       first ? "" : ",", v->sbdf, v->id & 0xffff, v->id >> 16, v->cls,
	       v->hidden ? "true" : "false", v->vf ? "\"" : "", v->vf ? v->pf : "null",
	       v->vf ? "\"" : "");
	for (unsigned i = 0; i < 13; i++) {
		const struct pvhdev_bar_info *b = &v->bar[i];
		if (!v->has_bar[i])
			continue;
		printf("%s{\"bar\": \"%s\", \"kind\": \"%s\", \"prefetch\": %s, "
		       "\"addr\": \"0x%llx\", \"size\": \"0x%llx\", \"mapped\": %s}",
		       f ? "" : ", ", bar_name(i, n), bar_kind(b),
		       b->prefetch ? "true" : "false", (unsigned long long)b->addr,
		       (unsigned long long)b->size, b->mapped ? "true" : "false");
		f = false;
	}
	printf("]");
	if (v->msi)
		printf(",\n     \"msi\": {\"cap\": \"0x%x\", \"capable_vectors\": %u, \"64bit\": %s, "
		       "\"per_vector_mask\": %s}", v->msi_off, v->msi_vectors,
		       v->msi64 ? "true" : "false", v->msi_mask ? "true" : "false");
	if (v->msix)
		printf(",\n     \"msix\": {\"cap\": \"0x%x\", \"entries\": %u, \"table_bir\": %u, "
		       "\"table_offset\": \"0x%x\", \"pba_bir\": %u, \"pba_offset\": \"0x%x\"}",
		       v->msix_off, v->msix_entries, v->table_bir, v->table_off, v->pba_bir,
		       v->pba_off);
	if (v->has_sriov)
		printf(",\n     \"sriov\": {\"cap\": \"0x%x\", \"total_vfs\": %u, \"num_vfs\": %u, "
		       "\"vfs\": %u, \"first_vf_offset\": %u, \"vf_stride\": %u, "
		       "\"vf_enable\": %s, \"vf_mse\": %s}", v->sriov.pos, v->sriov.total_vfs,
		       v->sriov.num_vfs, v->sriov.nr_vfs, v->sriov.first_offset,
		       v->sriov.stride, v->sriov.vf_enable ? "true" : "false",
		       v->sriov.vf_mse ? "true" : "false");
	printf("}");
}

struct print_ctx {
	bool json;
	bool first;
};

static int print_dev(void *arg, struct pvhdev_dev *dev)
{
	struct print_ctx *p = arg;
	struct dev_view v;

	view(dev, &v);
	if (p->json)
		json_dev(&v, p->first);
	else
		text_dev(&v);
	p->first = false;
	return 0;
}

static int print_range(void *arg, const struct pvhdev_p2m_range *r)
{
	struct print_ctx *p = arg;
	char s[PVHDEV_SBDF_STRLEN];
	const char *reason = pvhdev_map_reason_name(r->reason);

	pvhdev_sbdf_str(r->owner, s);
	if (p->json)
		printf("%s\n    {\"gfn\": \"0x%llx\", \"nr\": \"0x%llx\", \"mfn\": \"0x%llx\", "
		       "\"type\": \"%s\", \"reason\": \"%s\", \"owner\": %s%s%s, \"bar\": %d}",
		       p->first ? "" : ",", (unsigned long long)r->gfn,
		       (unsigned long long)r->nr, (unsigned long long)r->mfn,
		       r->type == PVHDEV_P2M_RAM ? "ram" : "identity", reason,
		       r->bar >= 0 ? "\"" : "", r->bar >= 0 ? s : "null",
		       r->bar >= 0 ? "\"" : "", r->bar);
	else
		printf("0x%llx+0x%llx %s %s%s%s\n", (unsigned long long)r->gfn,
		       (unsigned long long)r->nr,
		       r->type == PVHDEV_P2M_RAM ? "ram" : "identity", reason,
		       r->bar >= 0 ? " " : "", r->bar >= 0 ? s : "");
	p->first = false;
	return 0;
}

static void print_ioapics(struct pvhdev_domain *dom, bool json)
{
	unsigned n = 0;

	pvhdev_ioapic_count(dom, &n);
	for (unsigned i = 0; i < n; i++) {
		struct pvhdev_ioapic_info io;
		if (pvhdev_ioapic_get(dom, i, &io))
			continue;
		if (json)
			printf("%s\n    {\"id\": %u, \"addr\": \"0x%llx\", \"gsi_base\": %u, "
			       "\"pins\": %u}", i ? "," : "", io.id,
			       (unsigned long long)io.addr, io.gsi_base, io.pins);
		else
			printf("id %u at 0x%llx GSIs %u-%u\n", io.id,
			       (unsigned long long)io.addr, io.gsi_base,
			       io.gsi_base + io.pins - 1);
	}
}

static void print_events(struct pvhdev_domain *dom, bool json)
{
	char line[256];
	uint64_t end = pvhdev_event_next_seq(dom);
	bool first = true;

	for (uint64_t seq = 0; seq < end; seq++) {
		struct pvhdev_event ev;
		if (pvhdev_event_get(dom, seq, &ev) ||
		    pvhdev_event_format(&ev, line, sizeof(line)) < 0)
			continue;
		printf(json ? "%s\n    \"%s\"" : "%s%s\n", json && !first ? "," : "", line);
		first = false;
	}
}

static void json_string(const char *str)
{
	putchar('"');
	for (const char *c = str; *c; c++) {
		if (*c == '"' || *c == '\\')
			putchar('\\');
		if ((unsigned char)*c >= 0x20)
			putchar(*c);
	}
	putchar('"');
}

static void print_notes(const struct machine *m, bool json)
{
	size_t n = machine_nr_notes(m);

	for (size_t i = 0; i < n; i++) {
		if (json) {
			printf("%s\n    ", i ? "," : "");
			json_string(machine_note(m, i));
		} else {
			printf("note: %s\n", machine_note(m, i));
		}
	}
}

static void print_model(const struct machine *m, bool json)
{
	struct print_ctx p = { .json = json, .first = true };

	if (!json) {
		printf("machine: %s\ndevices:\n", m->source);
		pvhdev_dev_foreach(m->dom, print_dev, &p);
		printf("ioapics:\n");
		print_ioapics(m->dom, false);
		printf("p2m:\n");
		pvhdev_p2m_foreach(m->dom, print_range, &p);
		printf("events:\n");
		print_events(m->dom, false);
		print_notes(m, false);
		return;
	}
	printf("{\n  \"machine\": ");
	json_string(m->source);
	printf(",\n  \"devices\": [");
	pvhdev_dev_foreach(m->dom, print_dev, &p);
	printf("\n  ],\n  \"ioapics\": [");
	print_ioapics(m->dom, true);
	printf("\n  ],\n  \"p2m\": [");
	p.first = true;
	pvhdev_p2m_foreach(m->dom, print_range, &p);
	printf("\n  ],\n  \"events\": [");
	print_events(m->dom, true);
	printf("\n  ],\n  \"notes\": [");
	print_notes(m, true);
	printf("\n  ]\n}\n");
}

int cli_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lspci", required_argument, NULL, 'l' },
		{ "platform", required_argument, NULL, 'p' },
		{ "host", no_argument, NULL, 'H' },
		{ "allow-hw-writes", no_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct machine_opts o = { 0 };
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o.lspci = optarg; break;
		case 'p': o.platform = optarg; break;
		case 'H': o.host = true; break;
		case 'W': o.allow_hw_writes = true; break;
		case 'j': json = true; break;
		case 'h': fputs(boot_usage, stdout); return CLI_OK;
		default: fputs(boot_usage, stderr); return CLI_USAGE;
		}
	}
	if (!!o.lspci + !!o.platform + o.host > 1) {
		fprintf(stderr, "pvhdev boot: give one of --lspci, --platform, --host\n");
		return CLI_USAGE;
	}
	if (o.allow_hw_writes && !o.host) {
		fprintf(stderr, "pvhdev boot: --allow-hw-writes goes with --host\n");
		return CLI_USAGE;
	}
	if (optind != argc) {
		fprintf(stderr, "pvhdev boot: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	struct machine m;
	int rc = machine_open(&m, &o);
	if (rc == CLI_OK)
		print_model(&m, json);
	machine_close(&m);
	return rc;
}
