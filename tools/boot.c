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

#include "cli.h"
#include "machine.h"

static const char boot_usage[] =
	"Usage: pvhdev boot [--lspci FILE] [--json]\n"
	"\n"
	"Builds the dom0 model of a machine: adds every PCI function the\n"
	"source holds, walks capabilities, runs every module's device add,\n"
	"and prints the devices and the effects (events) that caused.\n"
	"\n"
	"  --lspci FILE  the machine as an lspci dump (lspci -x, -xxx or\n"
	"                -xxxx, with or without -v text)\n"
	"  --json        print JSON with top-level keys devices, p2m,\n"
	"                ioapics, events, notes\n"
	"  -h, --help    this text\n"
	"\n"
	"Without --lspci the machine bundled with pvhdev is used:\n"
	"  machines/intel-nuc-broadwell-u-i218.lspci\n"
	"looked up in $PVHDEV_DATADIR, the source tree, then the install\n"
	"prefix.\n"
	"\n"
	"Exit status: 0 success, 2 bad usage or unreadable input, 3 internal\n"
	"error.\n";

struct print_ctx {
	bool json;
	bool first;
};

static int print_dev(void *arg, struct pvhdev_dev *dev)
{
	struct print_ctx *p = arg;
	struct pvhdev_domain *dom = pvhdev_dev_domain(dev);
	pvhdev_sbdf_t sbdf = pvhdev_dev_sbdf(dev);
	char s[PVHDEV_SBDF_STRLEN];
	uint32_t id = 0, cls = 0;

	pvhdev_cfg_read(dom, sbdf, 0, 4, &id);
	pvhdev_cfg_read(dom, sbdf, 8, 4, &cls);
	pvhdev_sbdf_str(sbdf, s);
	if (p->json) {
		printf("%s\n    {\"sbdf\":\"%s\",\"vendor\":\"%04x\",\"device\":\"%04x\","
		       "\"class\":\"%06x\",\"hidden\":%s}",
		       p->first ? "" : ",", s, id & 0xffff, id >> 16, cls >> 8,
		       pvhdev_dev_hidden(dev) ? "true" : "false");
	} else {
		printf("%s %04x:%04x class %06x%s\n", s, id & 0xffff, id >> 16, cls >> 8,
		       pvhdev_dev_hidden(dev) ? " hidden" : "");
	}
	p->first = false;
	return 0;
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

static void print_json_string_list(const struct pvhdev_dump *dump)
{
	for (size_t i = 0; i < pvhdev_dump_nr_notes(dump); i++) {
		printf("%s\n    \"", i ? "," : "");
		for (const char *c = pvhdev_dump_note(dump, i); *c; c++) {
			if (*c == '"' || *c == '\\')
				putchar('\\');
			if ((unsigned char)*c >= 0x20)
				putchar(*c);
		}
		putchar('"');
	}
}

static void print_model(const struct machine *m, bool json)
{
	struct print_ctx p = { .json = json, .first = true };

	if (!json) {
		printf("devices:\n");
		pvhdev_dev_foreach(m->dom, print_dev, &p);
		printf("events:\n");
		print_events(m->dom, false);
		for (size_t i = 0; i < pvhdev_dump_nr_notes(m->dump); i++)
			printf("note: %s\n", pvhdev_dump_note(m->dump, i));
		return;
	}
	printf("{\n  \"devices\": [");
	pvhdev_dev_foreach(m->dom, print_dev, &p);
	printf("\n  ],\n  \"p2m\": [],\n  \"ioapics\": [],\n  \"events\": [");
	print_events(m->dom, true);
	printf("\n  ],\n  \"notes\": [");
	print_json_string_list(m->dump);
	printf("\n  ]\n}\n");
}

int cli_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lspci", required_argument, NULL, 'l' },
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
		case 'j': json = true; break;
		case 'h': fputs(boot_usage, stdout); return CLI_OK;
		default: fputs(boot_usage, stderr); return CLI_USAGE;
		}
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
