/* SPDX-License-Identifier: MIT */
/*
 * Effects as text: one line per event, in the vocabulary documented in
 * docs/events.md.  Numbers are hex with 0x except GSIs, MSI vectors and
 * MSI-X entries (decimal) and access sizes (bytes, decimal).
 */
#include "core/core.h"

static const char *const event_names[PVHDEV_EV__COUNT] = {
	[PVHDEV_EV_MAP] = "map",
	[PVHDEV_EV_UNMAP] = "unmap",
	[PVHDEV_EV_MSI_BIND] = "msi-bind",
	[PVHDEV_EV_MSI_UNBIND] = "msi-unbind",
	[PVHDEV_EV_MSI_MASK] = "msi-mask",
	[PVHDEV_EV_MSIX_BIND] = "msix-bind",
	[PVHDEV_EV_MSIX_UNBIND] = "msix-unbind",
	[PVHDEV_EV_MSIX_MASK] = "msix-mask",
	[PVHDEV_EV_GSI_BIND] = "gsi-bind",
	[PVHDEV_EV_GSI_CONFLICT] = "gsi-conflict",
	[PVHDEV_EV_HW_WRITE] = "hw-write",
	[PVHDEV_EV_HW_MMIO_WRITE] = "hw-mmio-write",
	[PVHDEV_EV_DEV_ADD] = "dev-add",
	[PVHDEV_EV_DEV_REMOVE] = "dev-remove",
	[PVHDEV_EV_DEV_RESET] = "dev-reset",
};

static const char *const reset_names[PVHDEV_RESET__COUNT] = {
	[PVHDEV_RESET_FLR] = "flr",
	[PVHDEV_RESET_AF_FLR] = "af-flr",
	[PVHDEV_RESET_BUS] = "bus",
	[PVHDEV_RESET_PM] = "pm",
};

static const char *const reason_names[PVHDEV_MAP__COUNT] = {
	[PVHDEV_MAP_LOW_MEM] = "low-mem",
	[PVHDEV_MAP_RAM_COPY] = "ram-copy",
	[PVHDEV_MAP_ACPI] = "acpi",
	[PVHDEV_MAP_NVS] = "nvs",
	[PVHDEV_MAP_ACPI_TABLE] = "acpi-table",
	[PVHDEV_MAP_BAR] = "bar",
	[PVHDEV_MAP_ROM] = "rom",
	[PVHDEV_MAP_VF_BAR] = "vf-bar",
};

/* Delivery modes of the x86 MSI data register, bits 10:8. */
static const char *const delivery_names[8] = {
	"fixed", "lowest", "smi", "reserved3", "nmi", "init", "reserved6", "extint",
};

const char *pvhdev_event_name(enum pvhdev_event_kind kind)
{
	return (unsigned)kind < PVHDEV_EV__COUNT ? event_names[kind] : "unknown";
}

const char *pvhdev_reset_kind_name(enum pvhdev_reset_kind kind)
{
	return (unsigned)kind < PVHDEV_RESET__COUNT ? reset_names[kind] : "unknown";
}

const char *pvhdev_map_reason_name(enum pvhdev_map_reason reason)
{
	return (unsigned)reason < PVHDEV_MAP__COUNT ? reason_names[reason] : "unknown";
}

static int format_irq(const struct pvhdev_event *ev, const char *sbdf, char *buf,
                      size_t len)
{
	const char *name = pvhdev_event_name(ev->kind);

	switch (ev->kind) {
	case PVHDEV_EV_MSI_BIND:
	case PVHDEV_EV_MSIX_BIND:
		return pvhdev__snprintf(buf, len,
		                        "%s %s %u 0x%llx 0x%x dest=0x%x vector=0x%x %s",
		                        name, sbdf, ev->u.irq.index,
		                        (unsigned long long)ev->u.irq.addr, ev->u.irq.data,
		                        ev->u.irq.dest, ev->u.irq.vector,
		                        delivery_names[ev->u.irq.delivery & 7]);
	case PVHDEV_EV_MSI_MASK:
	case PVHDEV_EV_MSIX_MASK:
		return pvhdev__snprintf(buf, len, "%s %s %u %u", name, sbdf,
		                        ev->u.irq.index, ev->u.irq.masked);
	default:
		return pvhdev__snprintf(buf, len, "%s %s %u", name, sbdf, ev->u.irq.index);
	}
}

static int format_body(const struct pvhdev_event *ev, char *buf, size_t len)
{
	char sbdf[PVHDEV_SBDF_STRLEN];
	const char *name = pvhdev_event_name(ev->kind);
	unsigned reason = ev->u.map.reason;

	pvhdev_sbdf_str(ev->sbdf, sbdf);
	switch (ev->kind) {
	case PVHDEV_EV_MAP:
		return pvhdev__snprintf(buf, len, "map 0x%llx 0x%llx 0x%llx %s",
		                        (unsigned long long)ev->u.map.gfn,
		                        (unsigned long long)ev->u.map.nr,
		                        (unsigned long long)ev->u.map.mfn,
		                        pvhdev_map_reason_name(reason));
	case PVHDEV_EV_UNMAP:
		return pvhdev__snprintf(buf, len, "unmap 0x%llx 0x%llx",
		                        (unsigned long long)ev->u.map.gfn,
		                        (unsigned long long)ev->u.map.nr);
	case PVHDEV_EV_GSI_BIND:
	case PVHDEV_EV_GSI_CONFLICT:
		return pvhdev__snprintf(buf, len, "%s %u %s %s", name, ev->u.gsi.gsi,
		                        ev->u.gsi.level ? "level" : "edge",
		                        ev->u.gsi.active_low ? "low" : "high");
	case PVHDEV_EV_HW_WRITE:
		return pvhdev__snprintf(buf, len, "hw-write %s 0x%llx %u 0x%llx%s", sbdf,
		                        (unsigned long long)ev->u.hw.addr, ev->u.hw.size,
		                        (unsigned long long)ev->u.hw.val,
		                        ev->u.hw.shadow ? " shadow" : "");
	case PVHDEV_EV_HW_MMIO_WRITE:
		return pvhdev__snprintf(buf, len, "hw-mmio-write 0x%llx %u 0x%llx",
		                        (unsigned long long)ev->u.hw.addr, ev->u.hw.size,
		                        (unsigned long long)ev->u.hw.val);
	case PVHDEV_EV_DEV_ADD:
	case PVHDEV_EV_DEV_REMOVE:
		return pvhdev__snprintf(buf, len, "%s %s", name, sbdf);
	case PVHDEV_EV_DEV_RESET:
		return pvhdev__snprintf(buf, len, "dev-reset %s %s", sbdf,
		                        pvhdev_reset_kind_name(ev->u.reset.kind));
	default:
		if ((unsigned)ev->kind < PVHDEV_EV__COUNT)
			return format_irq(ev, sbdf, buf, len);
		return pvhdev__snprintf(buf, len, "unknown %u", (unsigned)ev->kind);
	}
}

int pvhdev_event_format(const struct pvhdev_event *ev, char *buf, size_t len)
{
	int n = format_body(ev, buf, len);

	if (ev->result && n >= 0 && (size_t)n < len)
		n += pvhdev__snprintf(buf + n, len - (size_t)n, " refused=%d", ev->result);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
