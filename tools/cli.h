/* SPDX-License-Identifier: MIT */
/* The CLI's private header: exit codes and the commands. */
#ifndef PVHDEV_TOOLS_CLI_H
#define PVHDEV_TOOLS_CLI_H

enum cli_exit {
	CLI_OK = 0,
	CLI_CHECK_FAILED = 1,
	CLI_USAGE = 2,
	CLI_INTERNAL = 3,
};

/* argv[0] is the command name. */
int cli_boot(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_capture(int argc, char **argv);

#endif
