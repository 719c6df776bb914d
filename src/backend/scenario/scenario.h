/* SPDX-License-Identifier: MIT */
/*
 * src/backend/scenario's private header: a parsed scenario as parse.c
 * builds it and run.c replays it.  Functions used across the files are
 * pvhdev__scenario_NAME; the macros at the end keep their short names.
 */
#ifndef PVHDEV_BACKEND_SCENARIO_H
#define PVHDEV_BACKEND_SCENARIO_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/platform.h>
#include <pvhdev/scenario.h>

#include "backend/host_util.h"

#define MAX_FILE (256u << 20) /* bytes a scenario file may have */
#define MAX_TOKENS 4          /* stored per line; more are only counted */
#define MAX_DRAIN_ROUNDS (1u << 20)
#define VARARGS 0xff          /* nargs of a command taking a free tail */
#define EVENT_LEN 256         /* bytes of one formatted event line */

enum op {
	OP_OUT, OP_IN, OP_WRITE, OP_READ,           /* guest accesses */
	OP_EXPECT, OP_DRAIN, OP_EXPECT_EVENT, OP_EXPECT_NO_EVENT,
	OP_EXPECT_MAPPED, OP_EXPECT_UNMAPPED,
	OP_SKIP,                                    /* qtest, no device effect */
	OP_WAIVE,                                   /* waiver of the next expectation */
	/* What the hypervisor does for dom0 (PHYSDEVOP_*), not guest accesses */
	OP_MMCFG_ADD, OP_DEV_ADD, OP_DEV_REMOVE, OP_DEV_HIDE, OP_DEV_RESET,
	/* A function appearing or going (the fake's, then the hypervisor's) */
	OP_PLUG, OP_UNPLUG,
};

struct step {
	unsigned line;
	uint8_t op;    /* enum op */
	uint8_t size;  /* access bytes; for expect: those of the read it checks */
	uint64_t a, b; /* PORT/ADDR/GFN/VAL/SBDF first, then VAL/NR/KIND
	                * (enum pvhdev_reset_kind); for mmcfg-add:
	                * SEG << 16 | START_BUS << 8 | END_BUS */
	uint64_t mask; /* expect: the bits compared (VAL:MASK) */
	unsigned ref;  /* expect: line of the read it checks */
	char *text;    /* expect-event: the event line; skip: the command */
	char *waiver;  /* expectations: why it may fail (waive), or NULL */
};

struct pvhdev_scenario {
	char *name;
	struct step *steps;
	size_t nr, cap;
};

/* ---- Parsing (parse.c) ---- */

const char *pvhdev__scenario_access_name(const struct step *st, char buf[8]);
bool pvhdev__scenario_is_expectation(uint8_t op);

/* The short names the code uses. */
#define access_name pvhdev__scenario_access_name
#define is_expectation pvhdev__scenario_is_expectation

#endif
