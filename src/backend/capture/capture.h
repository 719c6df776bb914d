/* SPDX-License-Identifier: MIT */
/*
 * src/backend/capture's private header: what the files that capture this
 * machine's platform share (capture.c describes what is read).  Functions
 * used across the files are pvhdev__capture_NAME; the macros at the end
 * keep their short names.
 */
#ifndef PVHDEV_BACKEND_CAPTURE_H
#define PVHDEV_BACKEND_CAPTURE_H

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhdev/host_backend.h>

#define CAP_PATH_MAX 4096
#define CAP_TABLE_MAX (1u << 20)  /* largest MADT/MCFG/FACP we read, bytes */
#define CAP_LOG_MAX (16u << 20)   /* most kernel log we read, bytes */
#define CAP_LOG_CHUNK 8192u       /* one /dev/kmsg record fits */
#define CAP_PHYS_MAX (1ull << 52) /* above: a kernel virtual address */
#define CAP_PINS_DEFAULT 24u
#define CAP_PINS_MAX PVHDEV_IOAPIC_MAX_PINS /* what pvhdev models */
#define CAP_MCFG_ALIGN (1ull << 20)
#define ACPI_HDR_LEN 36u          /* bytes of the common table header */
#define MADT_FIRST 44u            /* header, LAPIC address, flags */
#define MCFG_FIRST 44u            /* header, 8 reserved bytes */
#define MCFG_ENTRY 16u

enum pins_src {
	PINS_LOG,      /* the kernel log's "GSI a-b" */
	PINS_NEXT,     /* the next IO-APIC's GSI base */
	PINS_DEFAULT,  /* 24 */
	PINS_OVERRIDE, /* raised to the highest overridden GSI */
};

/* Where an ACPI table's address came from. */
enum addr_src {
	ADDR_NONE,
	ADDR_LOG,
	ADDR_FADT,
	ADDR_SYSTAB,
};

/* A table the kernel exports (ROOT/firmware/acpi/tables/NAME). */
struct sys_table {
	char name[16];     /* "SSDT2" */
	uint64_t len;      /* bytes, the file's size */
	uint64_t addr;     /* bytes; valid when src != ADDR_NONE */
	enum addr_src src;
};

/* A boot-time table line of the kernel log. */
struct log_table {
	char sig[5];
	uint64_t addr;     /* bytes, physical */
	uint32_t len;      /* bytes */
	bool used;
};

struct log_ioapic {
	unsigned id;
	uint64_t addr;
	uint32_t gsi_first, gsi_last;
};

/* A growable array of elements of one type. */
struct vec {
	void *v;
	size_t n, cap;
};

struct pvhdev_capture {
	struct pvhdev_platform plat;
	char root[CAP_PATH_MAX];
	struct vec e820;       /* struct pvhdev_e820_entry */
	struct vec acpi;       /* struct pvhdev_acpi_table */
	struct vec acpi_src;   /* enum addr_src, parallel to acpi */
	struct vec mcfg;       /* struct pvhdev_mcfg */
	struct vec ioapic;     /* struct pvhdev_ioapic_desc */
	struct vec pins_src;   /* enum pins_src, parallel to ioapic */
	struct vec sys;        /* struct sys_table */
	struct vec log_tab;    /* struct log_table */
	struct vec log_io;     /* struct log_ioapic */
	struct vec notes;      /* char * */
	uint32_t max_ovr_gsi;  /* highest GSI an override names */
	bool have_ovr;
	uint64_t lapic;        /* 0: none captured */
	bool lapic_override;   /* from a type 5 entry */
	bool have_log;
	int oom;               /* -ENOMEM once an allocation failed */
};

/* ---- Helpers, the API, XML (capture.c) ---- */

void *pvhdev__capture_vec_push(struct pvhdev_capture *c, struct vec *vec, size_t elem);
void pvhdev__capture_note(struct pvhdev_capture *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t pvhdev__capture_le(const uint8_t *p, unsigned size);
bool pvhdev__capture_path_of(struct pvhdev_capture *c, const char *rel, char *buf,
                             size_t len);
int pvhdev__capture_slurp(const char *path, size_t max, uint8_t **out, size_t *len);
const char *pvhdev__capture_why(int rc);
bool pvhdev__capture_parse_num(const char *s, uint64_t *val);

/* ---- e820 and the kernel log (firmware.c) ---- */

void pvhdev__capture_read_e820(struct pvhdev_capture *c);
void pvhdev__capture_read_log(struct pvhdev_capture *c, const char *path);

/* ---- ACPI tables: the MADT, MCFG (acpi.c) ---- */

void pvhdev__capture_read_acpi(struct pvhdev_capture *c);
void pvhdev__capture_read_madt(struct pvhdev_capture *c);
void pvhdev__capture_ioapic_pins(struct pvhdev_capture *c);
void pvhdev__capture_read_mcfg(struct pvhdev_capture *c);

/* The short names the code uses. */
#define vec_push pvhdev__capture_vec_push
#define note pvhdev__capture_note
#define le pvhdev__capture_le
#define path_of pvhdev__capture_path_of
#define slurp pvhdev__capture_slurp
#define why pvhdev__capture_why
#define parse_num pvhdev__capture_parse_num
#define read_e820 pvhdev__capture_read_e820
#define read_log pvhdev__capture_read_log
#define read_acpi pvhdev__capture_read_acpi
#define read_madt pvhdev__capture_read_madt
#define ioapic_pins pvhdev__capture_ioapic_pins
#define read_mcfg pvhdev__capture_read_mcfg

#endif
