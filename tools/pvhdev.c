/* SPDX-License-Identifier: MIT */
/*
 * The pvhdev command line.  The only code in the project that prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
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
	"Run 'pvhdev help COMMAND' or 'pvhdev COMMAND --help' for a command's\n"
	"options.\n"
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

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pvhdev %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'pvhdev %s --help')\n", cmd);
	return CLI_USAGE;
}

int cli_bad_option(const char *cmd, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	/* A short option's letter, unless getopt stopped at a long one. */
	if (optopt && strncmp(arg, "--", 2))
		return cli_usage_error(cmd, "option '-%c' is unknown or lacks its argument",
		                       optopt);
	return cli_usage_error(cmd, "option '%s' is unknown or lacks its argument", arg);
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "boot", cli_boot },
	{ "replay", cli_replay },
	{ "capture", cli_capture },
	{ "record", cli_record },
};

static int (*command(const char *name))(int, char **)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].run;
	return NULL;
}

/* A failed write to stdout (a full disk, a closed pipe) fails the run:
 * a script must not take a cut transcript for a whole one. */
static int flush_stdout(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "pvhdev: writing the output: %s\n", strerror(errno ? errno : EIO));
	return CLI_INTERNAL;
}

int main(int argc, char **argv)
{
	int (*run)(int, char **);

	opterr = 0;
	if (argc < 2) {
		fputs("pvhdev: a command is missing (see 'pvhdev help')\n", stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		if (argc > 2 && (run = command(argv[2]))) {
			char *help[] = { argv[2], "--help", NULL };
			return flush_stdout(run(2, help));
		}
		if (argc > 2) {
			fprintf(stderr, "pvhdev: unknown command '%s' (see 'pvhdev help')\n", argv[2]);
			return CLI_USAGE;
		}
		fputs(usage, stdout);
		print_files(stdout);
		return flush_stdout(CLI_OK);
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("pvhdev %s\n", pvhdev_version());
		return flush_stdout(CLI_OK);
	}
	if ((run = command(cmd)))
		return flush_stdout(run(argc - 1, argv + 1));
	fprintf(stderr, "pvhdev: unknown command '%s' (see 'pvhdev help')\n", cmd);
	return CLI_USAGE;
}
