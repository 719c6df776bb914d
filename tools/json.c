/* SPDX-License-Identifier: MIT */
/*
 * The CLI's JSON values.  json-c does the escaping; what it cannot know
 * is which of our numbers are register values (hex strings) and which
 * are counts (integers), and that a path may hold bytes that are not
 * UTF-8: both are decided here, for every command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

json_object *cli_json_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_object_new_string(buf);
}

/* Bytes of the UTF-8 sequence at s (1-4), or 0 when it is not one:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0], n, min;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	for (unsigned i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

json_object *cli_json_string(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t len = strlen(s), out = 0;
	char *buf = malloc(len * 3 + 1);
	json_object *o;

	if (!buf)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len((const unsigned char *)s + i);
		if (n) {
			memcpy(buf + out, s + i, n);
			out += n;
			i += n;
		} else {
			memcpy(buf + out, replacement, 3);
			out += 3;
			i++;
		}
	}
	o = json_object_new_string_len(buf, (int)out);
	free(buf);
	return o;
}

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

/* The word at position i of the event's line (fields are one space
 * apart, docs/events.md), or NULL. */
static json_object *word(const char *line, unsigned i)
{
	const char *p = line;

	for (; i && p; i--)
		if ((p = strchr(p, ' ')))
			p++;
	return p ? json_object_new_string_len(p, (int)strcspn(p, " ")) : NULL;
}

static void irq_fields(json_object *o, const struct pvhdev_event *ev, const char *line)
{
	add(o, "index", json_object_new_int((int)ev->u.irq.index));
	switch (ev->kind) {
	case PVHDEV_EV_MSI_BIND:
	case PVHDEV_EV_MSIX_BIND:
		add(o, "addr", cli_json_hex(ev->u.irq.addr));
		add(o, "data", cli_json_hex(ev->u.irq.data));
		add(o, "dest", cli_json_hex(ev->u.irq.dest));
		add(o, "vector", cli_json_hex(ev->u.irq.vector));
		add(o, "delivery", word(line, 7));
		break;
	case PVHDEV_EV_MSI_MASK:
	case PVHDEV_EV_MSIX_MASK:
		add(o, "masked", json_object_new_boolean(ev->u.irq.masked));
		break;
	default:
		break;
	}
}

json_object *cli_json_event(const struct pvhdev_event *ev)
{
	json_object *o = json_object_new_object();
	char line[256], sbdf[PVHDEV_SBDF_STRLEN];

	if (pvhdev_event_format(ev, line, sizeof(line)) < 0)
		line[0] = '\0';
	add(o, "seq", json_object_new_int64((int64_t)ev->seq));
	add(o, "kind", json_object_new_string(pvhdev_event_name(ev->kind)));
	add(o, "text", json_object_new_string(line));
	add(o, "refused", ev->result ? json_object_new_int(ev->result) : NULL);
	switch (ev->kind) {
	case PVHDEV_EV_MAP:
	case PVHDEV_EV_UNMAP:
		add(o, "gfn", cli_json_hex(ev->u.map.gfn));
		add(o, "nr", cli_json_hex(ev->u.map.nr));
		if (ev->kind == PVHDEV_EV_MAP) {
			add(o, "mfn", cli_json_hex(ev->u.map.mfn));
			add(o, "reason", json_object_new_string(
				pvhdev_map_reason_name(ev->u.map.reason)));
		}
		return o;
	case PVHDEV_EV_GSI_BIND:
	case PVHDEV_EV_GSI_CONFLICT:
		add(o, "gsi", json_object_new_int64(ev->u.gsi.gsi));
		add(o, "trigger", json_object_new_string(ev->u.gsi.level ? "level" : "edge"));
		add(o, "polarity", json_object_new_string(ev->u.gsi.active_low ? "low" : "high"));
		return o;
	case PVHDEV_EV_HW_MMIO_WRITE:
		add(o, "addr", cli_json_hex(ev->u.hw.addr));
		add(o, "size", json_object_new_int(ev->u.hw.size));
		add(o, "val", cli_json_hex(ev->u.hw.val));
		return o;
	default:
		break;
	}
	/* The rest belong to a device. */
	add(o, "sbdf", json_object_new_string(pvhdev_sbdf_str(ev->sbdf, sbdf)));
	if (ev->kind == PVHDEV_EV_HW_WRITE) {
		add(o, "reg", cli_json_hex(ev->u.hw.addr));
		add(o, "size", json_object_new_int(ev->u.hw.size));
		add(o, "val", cli_json_hex(ev->u.hw.val));
		if (ev->u.hw.shadow)
			add(o, "shadow", json_object_new_boolean(1));
	} else if (ev->kind == PVHDEV_EV_DEV_RESET) {
		add(o, "reset", json_object_new_string(pvhdev_reset_kind_name(ev->u.reset.kind)));
	} else if (ev->kind != PVHDEV_EV_DEV_ADD && ev->kind != PVHDEV_EV_DEV_REMOVE) {
		irq_fields(o, ev, line);
	}
	return o;
}

void cli_json_print(json_object *doc)
{
	fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
	                                     JSON_C_TO_STRING_SPACED |
	                                     JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
	putchar('\n');
	json_object_put(doc);
}
