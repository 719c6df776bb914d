/* SPDX-License-Identifier: MIT */
/*
 * The pvhdev command line.  The only code in the project that prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/host.h>
#include <pvhdev/pvhdev.h>

#include "cli.h"

static const char usage[] =
	"Usage: pvhdev COMMAND [OPTIONS]\n"
	"\n"
	"Model how a hypervisor traps and emulates a PVH dom0's accesses to\n"
	"physical devices.\n"
	"\n"
	"Commands:\n"
	"  boot        build the dom0 model of a machine and print it\n"
	"  replay      run a scenario of guest accesses and check its expectations\n"
	"  capture     read this machine's platform, read-only, as a platform file\n"
	"  record      run a scenario and write a trace of every backend access\n"
	"  version     print the version\n"
	"  help        print this text\n"
	"\n"
	"Run 'pvhdev COMMAND --help' for a command's options.\n"
	"\n"
	"Exit status: 0 success, 1 a check failed, 2 bad usage or input,\n"
	"3 an internal error (out of memory, backend failure).\n";

/* Where this binary looks for its data: the installed pvhdev and the one
 * in the build tree differ (tools/datadir.c). */
static void print_files(FILE *f)
{
	fputs("\n"
	      "Files: the bundled machines and the schemas are looked up in\n"
	      "these data directories, in this order:\n"
	      "\n", f);
	cli_print_datadirs(f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		print_files(stdout);
		return CLI_OK;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("pvhdev %s\n", pvhdev_version());
		return CLI_OK;
	}
	if (!strcmp(cmd, "boot"))
		return cli_boot(argc - 1, argv + 1);
	if (!strcmp(cmd, "replay"))
		return cli_replay(argc - 1, argv + 1);
	if (!strcmp(cmd, "capture"))
		return cli_capture(argc - 1, argv + 1);
	if (!strcmp(cmd, "record"))
		return cli_record(argc - 1, argv + 1);
	fprintf(stderr, "pvhdev: unknown command '%s'\n\n%s", cmd, usage);
	return CLI_USAGE;
}
