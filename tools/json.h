/* SPDX-License-Identifier: MIT */
/* The CLI's JSON (docs/json.md): how values become JSON, once. */
#ifndef PVHDEV_TOOLS_JSON_H
#define PVHDEV_TOOLS_JSON_H

#include <stdint.h>

#include <json-c/json.h>

#include <pvhdev/pvhdev.h>

/* The document's "format": raised on any change a reader could notice
 * (data/schema/boot.schema.json follows it). */
#define CLI_JSON_FORMAT 1

/* Addresses, sizes and register values: "0x..." strings, exact in 64
 * bits whatever the reader's numbers are. */
json_object *cli_json_hex(uint64_t v);
/* Text from the outside world (paths, notes): bytes that are not UTF-8
 * become U+FFFD, so that the document is always valid JSON. */
json_object *cli_json_string(const char *s);
/* One event: seq, kind, text (its line, docs/events.md), refused, and
 * the kind's fields by name. */
json_object *cli_json_event(const struct pvhdev_event *ev);
/* Prints doc on stdout, indented, and frees it. */
void cli_json_print(json_object *doc);

#endif
