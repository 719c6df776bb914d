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
#include "json.h"
#include "machine.h"

static const char boot_usage[] =
	"Usage: pvhdev boot [--lspci FILE [--bare] | --platform FILE | --host] [--json]\n"
	"                   [--events KINDS]\n"
	"\n"
	"Builds the dom0 model of a machine the way a PVH dom0 builder does\n"
	"(MCFG windows, IO-APICs, the boot identity map, every PCI function\n"
	"with its BARs sized and mapped) and prints it: devices (IDs, BARs\n"
	"with address, size, kind and whether mapped, MSI, MSI-X table and\n"
	"PBA, SR-IOV), the virtual IO-APICs, the p2m as ranges with their\n"
	"reasons, every effect the boot caused (events), and notes from the\n"
	"loader (BAR sizes guessed, devices skipped) and every warning the\n"
	"boot logged.\n"
	"\n"
	"  --lspci FILE     the machine as an lspci dump (lspci -x, -xxx or\n"
	"                   -xxxx, with or without -v text).  When it holds\n"
	"                   extended config space, on a platform inferred\n"
	"                   around it (an ECAM window per segment where no BAR\n"
	"                   is, RAM below 1 MiB, an IO-APIC at 0xfec00000; the\n"
	"                   notes say so); else on an empty platform\n"
	"  --bare           with --lspci: the empty platform, nothing inferred\n"
	"  --platform FILE  a platform file (docs/platform-format.md): e820,\n"
	"                   ACPI tables, MCFG, IO-APICs and the devices\n"
	"  --host           this machine, read-only: devices through libpci\n"
	"                   (config writes stay in a shadow copy), the\n"
	"                   platform from /sys/firmware (see pvhdev capture)\n"
	"  --allow-hw-writes  with --host: let config writes reach the\n"
	"                   hardware (BAR registers never do)\n"
	"  --json           print one JSON document (format 1: docs/json.md,\n"
	"                   the schema data/schema/boot.schema.json): format,\n"
	"                   machine, devices, ioapics, p2m, events, notes\n"
	"  --events KINDS   print only these events: kinds of docs/events.md\n"
	"                   separated by commas (map,msix-bind), or none\n"
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

/* Bytes a VF BAR maps: one VF's size times the VFs enabled. */
static uint64_t vf_span(const struct dev_view *v, const struct pvhdev_bar_info *b)
{
	return b->size * (v->has_sriov ? v->sriov.num_vfs : 0);
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
		if (!v->has_bar[i])
			continue;
		printf("    %-8s %-5s%s 0x%llx size 0x%llx", bar_name(i, n), bar_kind(b),
		       b->prefetch ? " pref" : "", (unsigned long long)b->addr,
		       (unsigned long long)b->size);
		if (i >= 7)
			printf(" span 0x%llx", (unsigned long long)vf_span(v, b));
		printf("%s\n", b->mapped ? " mapped" : "");
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

static json_object *json_msi(const struct dev_view *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cap", cli_json_hex(v->msi_off));
	json_object_object_add(o, "capable_vectors", json_object_new_int((int)v->msi_vectors));
	json_object_object_add(o, "64bit", json_object_new_boolean(v->msi64));
	json_object_object_add(o, "per_vector_mask", json_object_new_boolean(v->msi_mask));
	return o;
}

static json_object *json_msix(const struct dev_view *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cap", cli_json_hex(v->msix_off));
	json_object_object_add(o, "entries", json_object_new_int((int)v->msix_entries));
	json_object_object_add(o, "table_bir", json_object_new_int((int)v->table_bir));
	json_object_object_add(o, "table_offset", cli_json_hex(v->table_off));
	json_object_object_add(o, "pba_bir", json_object_new_int((int)v->pba_bir));
	json_object_object_add(o, "pba_offset", cli_json_hex(v->pba_off));
	return o;
}

static json_object *json_sriov(const struct pvhdev_sriov_info *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cap", cli_json_hex(s->pos));
	json_object_object_add(o, "total_vfs", json_object_new_int(s->total_vfs));
	json_object_object_add(o, "num_vfs", json_object_new_int(s->num_vfs));
	json_object_object_add(o, "vfs", json_object_new_int(s->nr_vfs));
	json_object_object_add(o, "first_vf_offset", json_object_new_int(s->first_offset));
	json_object_object_add(o, "vf_stride", json_object_new_int(s->stride));
	json_object_object_add(o, "vf_enable", json_object_new_boolean(s->vf_enable));
	json_object_object_add(o, "vf_mse", json_object_new_boolean(s->vf_mse));
	return o;
}

/* The JSON document (docs/json.md, data/schema/boot.schema.json):
 * addresses, sizes and register values as "0x..." strings, counts and
 * indices as integers, absent values as null. */
static json_object *json_dev(const struct dev_view *v)
{
	json_object *d = json_object_new_object(), *bars = json_object_new_array();
	char n[24];

	json_object_object_add(d, "sbdf", json_object_new_string(v->sbdf));
	json_object_object_add(d, "vendor", v->hidden ? NULL : cli_json_hex(v->id & 0xffff));
	json_object_object_add(d, "device", v->hidden ? NULL : cli_json_hex(v->id >> 16));
	json_object_object_add(d, "class", v->hidden ? NULL : cli_json_hex(v->cls));
	json_object_object_add(d, "hidden", json_object_new_boolean(v->hidden));
	json_object_object_add(d, "vf_of", v->vf ? json_object_new_string(v->pf) : NULL);
	for (unsigned i = 0; i < 13; i++) {
		const struct pvhdev_bar_info *b = &v->bar[i];
		if (!v->has_bar[i])
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "index", json_object_new_int((int)i));
		json_object_object_add(o, "name", json_object_new_string(bar_name(i, n)));
		json_object_object_add(o, "kind", json_object_new_string(bar_kind(b)));
		json_object_object_add(o, "prefetch", json_object_new_boolean(b->prefetch));
		json_object_object_add(o, "addr", cli_json_hex(b->addr));
		json_object_object_add(o, "size", cli_json_hex(b->size));
		json_object_object_add(o, "span", i >= 7 ? cli_json_hex(vf_span(v, b)) : NULL);
		json_object_object_add(o, "mapped", json_object_new_boolean(b->mapped));
		json_object_array_add(bars, o);
	}
	json_object_object_add(d, "bars", bars);
	json_object_object_add(d, "msi", v->msi ? json_msi(v) : NULL);
	json_object_object_add(d, "msix", v->msix ? json_msix(v) : NULL);
	json_object_object_add(d, "sriov", v->has_sriov ? json_sriov(&v->sriov) : NULL);
	return d;
}

/* ---- Text ---- */

static int text_dev_cb(void *arg, struct pvhdev_dev *dev)
{
	struct dev_view v;

	(void)arg;
	view(dev, &v);
	text_dev(&v);
	return 0;
}

static int text_range(void *arg, const struct pvhdev_p2m_range *r)
{
	char s[PVHDEV_SBDF_STRLEN];

	(void)arg;
	pvhdev_sbdf_str(r->owner, s);
	printf("0x%llx+0x%llx %s %s%s%s\n", (unsigned long long)r->gfn,
	       (unsigned long long)r->nr, r->type == PVHDEV_P2M_RAM ? "ram" : "identity",
	       pvhdev_map_reason_name(r->reason), r->bar >= 0 ? " " : "",
	       r->bar >= 0 ? s : "");
	return 0;
}

/* Which event kinds to print (--events); all by default. */
struct event_filter {
	bool show[PVHDEV_EV__COUNT];
};

static bool shown(const struct event_filter *f, const struct pvhdev_event *ev)
{
	return (unsigned)ev->kind >= PVHDEV_EV__COUNT || f->show[ev->kind];
}

/* "map,msix-bind" or "none" into f; CLI_OK or a usage error. */
static int parse_events(const char *list, struct event_filter *f)
{
	memset(f, 0, sizeof(*f));
	if (!strcmp(list, "none"))
		return CLI_OK;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ","), k;
		for (k = 0; k < PVHDEV_EV__COUNT; k++)
			if (strlen(pvhdev_event_name(k)) == n && !strncmp(p, pvhdev_event_name(k), n))
				break;
		if (k == PVHDEV_EV__COUNT)
			return cli_usage_error("boot", "--events: no event kind '%.*s'", (int)n, p);
		f->show[k] = true;
		p += n + (p[n] == ',');
	}
	return CLI_OK;
}

static void text_model(const struct machine *m, const struct event_filter *f)
{
	char line[256];
	unsigned n = 0;

	printf("machine: %s\ndevices:\n", m->source);
	pvhdev_dev_foreach(m->dom, text_dev_cb, NULL);
	printf("ioapics:\n");
	pvhdev_ioapic_count(m->dom, &n);
	for (unsigned i = 0; i < n; i++) {
		struct pvhdev_ioapic_info io;
		if (!pvhdev_ioapic_get(m->dom, i, &io))
			printf("id %u at 0x%llx GSIs %u-%u\n", io.id, (unsigned long long)io.addr,
			       io.gsi_base, io.gsi_base + io.pins - 1);
	}
	printf("p2m:\n");
	pvhdev_p2m_foreach(m->dom, text_range, NULL);
	printf("events:\n");
	for (uint64_t seq = 0, end = pvhdev_event_next_seq(m->dom); seq < end; seq++) {
		struct pvhdev_event ev;
		if (!pvhdev_event_get(m->dom, seq, &ev) && shown(f, &ev) &&
		    pvhdev_event_format(&ev, line, sizeof(line)) >= 0)
			printf("%s\n", line);
	}
	for (size_t i = 0; i < machine_nr_notes(m); i++)
		printf("note: %s\n", machine_note(m, i));
}

/* ---- JSON ---- */

static int json_dev_cb(void *arg, struct pvhdev_dev *dev)
{
	struct dev_view v;

	view(dev, &v);
	json_object_array_add(arg, json_dev(&v));
	return 0;
}

static int json_range(void *arg, const struct pvhdev_p2m_range *r)
{
	json_object *o = json_object_new_object();
	char s[PVHDEV_SBDF_STRLEN];

	json_object_object_add(o, "gfn", cli_json_hex(r->gfn));
	json_object_object_add(o, "nr", cli_json_hex(r->nr));
	json_object_object_add(o, "mfn", cli_json_hex(r->mfn));
	json_object_object_add(o, "type", json_object_new_string(
		r->type == PVHDEV_P2M_RAM ? "ram" : "identity"));
	json_object_object_add(o, "reason",
	                       json_object_new_string(pvhdev_map_reason_name(r->reason)));
	json_object_object_add(o, "owner", r->bar >= 0 ?
	                       json_object_new_string(pvhdev_sbdf_str(r->owner, s)) : NULL);
	json_object_object_add(o, "bar", r->bar >= 0 ? json_object_new_int(r->bar) : NULL);
	json_object_array_add(arg, o);
	return 0;
}

static json_object *json_ioapics(struct pvhdev_domain *dom)
{
	json_object *a = json_object_new_array();
	unsigned n = 0;

	pvhdev_ioapic_count(dom, &n);
	for (unsigned i = 0; i < n; i++) {
		struct pvhdev_ioapic_info io;
		if (pvhdev_ioapic_get(dom, i, &io))
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int((int)io.id));
		json_object_object_add(o, "addr", cli_json_hex(io.addr));
		json_object_object_add(o, "gsi_base", json_object_new_int64(io.gsi_base));
		json_object_object_add(o, "pins", json_object_new_int((int)io.pins));
		json_object_array_add(a, o);
	}
	return a;
}

/* What the domain booted on, beside the source: e820 and the ECAM
 * windows (the IO-APICs are the document's "ioapics"), so that a
 * scenario can address an inferred window. */
static void json_platform(json_object *machine, const struct pvhdev_platform *p)
{
	static const char *const types[] = { NULL, "ram", "reserved", "acpi", "nvs", "unusable" };
	json_object *e820 = json_object_new_array(), *mcfg = json_object_new_array();

	for (size_t i = 0; i < p->nr_e820; i++) {
		json_object *o = json_object_new_object();
		unsigned t = p->e820[i].type;
		json_object_object_add(o, "addr", cli_json_hex(p->e820[i].addr));
		json_object_object_add(o, "size", cli_json_hex(p->e820[i].size));
		char other[24];
		snprintf(other, sizeof(other), "type-%u", t);
		json_object_object_add(o, "type", json_object_new_string(
			t && t < 6 ? types[t] : other));
		json_object_array_add(e820, o);
	}
	for (size_t i = 0; i < p->nr_mcfg; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "addr", cli_json_hex(p->mcfg[i].addr));
		json_object_object_add(o, "segment", json_object_new_int(p->mcfg[i].seg));
		json_object_object_add(o, "start_bus", json_object_new_int(p->mcfg[i].start_bus));
		json_object_object_add(o, "end_bus", json_object_new_int(p->mcfg[i].end_bus));
		json_object_array_add(mcfg, o);
	}
	json_object_object_add(machine, "e820", e820);
	json_object_object_add(machine, "mcfg", mcfg);
}

static void json_model(const struct machine *m, const struct event_filter *f)
{
	json_object *doc = json_object_new_object(), *machine = json_object_new_object();
	json_object *devs = json_object_new_array(), *p2m = json_object_new_array();
	json_object *events = json_object_new_array(), *notes = json_object_new_array();

	json_object_object_add(doc, "format", json_object_new_int(CLI_JSON_FORMAT));
	json_object_object_add(machine, "source", cli_json_string(m->source));
	json_platform(machine, m->plat);
	json_object_object_add(doc, "machine", machine);
	pvhdev_dev_foreach(m->dom, json_dev_cb, devs);
	json_object_object_add(doc, "devices", devs);
	json_object_object_add(doc, "ioapics", json_ioapics(m->dom));
	pvhdev_p2m_foreach(m->dom, json_range, p2m);
	json_object_object_add(doc, "p2m", p2m);
	for (uint64_t seq = 0, end = pvhdev_event_next_seq(m->dom); seq < end; seq++) {
		struct pvhdev_event ev;
		if (!pvhdev_event_get(m->dom, seq, &ev) && shown(f, &ev))
			json_object_array_add(events, cli_json_event(&ev));
	}
	json_object_object_add(doc, "events", events);
	for (size_t i = 0; i < machine_nr_notes(m); i++)
		json_object_array_add(notes, cli_json_string(machine_note(m, i)));
	json_object_object_add(doc, "notes", notes);
	cli_json_print(doc);
}

int cli_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lspci", required_argument, NULL, 'l' },
		{ "bare", no_argument, NULL, 'B' },
		{ "platform", required_argument, NULL, 'p' },
		{ "host", no_argument, NULL, 'H' },
		{ "allow-hw-writes", no_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'j' },
		{ "events", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct machine_opts o = { 0 };
	struct event_filter filter;
	bool json = false;
	int c, rc;

	memset(filter.show, 1, sizeof(filter.show));

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o.lspci = optarg; break;
		case 'B': o.bare = true; break;
		case 'p': o.platform = optarg; break;
		case 'H': o.host = true; break;
		case 'W': o.allow_hw_writes = true; break;
		case 'j': json = true; break;
		case 'e':
			if ((rc = parse_events(optarg, &filter)))
				return rc;
			break;
		case 'h': fputs(boot_usage, stdout); return CLI_OK;
		default: return cli_bad_option("boot", argv);
		}
	}
	if (!!o.lspci + !!o.platform + o.host > 1)
		return cli_usage_error("boot", "give one of --lspci, --platform, --host");
	if (o.allow_hw_writes && !o.host)
		return cli_usage_error("boot", "--allow-hw-writes goes with --host");
	if (o.bare && !o.lspci)
		return cli_usage_error("boot", "--bare goes with --lspci");
	if (optind != argc)
		return cli_usage_error("boot", "unexpected argument '%s'", argv[optind]);
	struct machine m;
	rc = machine_open(&m, &o);
	if (rc == CLI_OK) {
		if (json)
			json_model(&m, &filter);
		else
			text_model(&m, &filter);
	}
	machine_close(&m);
	return rc;
}
