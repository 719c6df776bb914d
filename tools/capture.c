/* SPDX-License-Identifier: MIT */
/*
 * pvhdev capture: this machine's platform, read-only, as a platform
 * file plus an lspci dump of its PCI functions.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pvhdev/host_backend.h>
#include <pvhdev/pvhdev.h>

#include "cli.h"

#define CAPTURE_XML "host.xml"
#define CAPTURE_DUMP "host.lspci"

static const char capture_usage[] =
	"Usage: pvhdev capture [-o DIR | --dump FILE] [--sysfs DIR]\n"
	"                      [--kmsg FILE | --no-kmsg] [--no-devices]\n"
	"\n"
	"Reads this machine's platform without writing anything to it and\n"
	"prints it as a platform file (docs/platform-format.md):\n"
	"  e820         /sys/firmware/memmap\n"
	"  IO-APICs     the MADT, /sys/firmware/acpi/tables/APIC; pin counts\n"
	"               from the kernel log, else the next IO-APIC's GSI base,\n"
	"               else 24 (userspace cannot read the IO-APIC itself)\n"
	"  LAPIC        the MADT\n"
	"  MCFG         /sys/firmware/acpi/tables/MCFG\n"
	"  ACPI tables  names and lengths from /sys/firmware/acpi/tables,\n"
	"               addresses from the FADT, /sys/firmware/efi/systab and\n"
	"               the kernel log\n"
	"  devices      every PCI function through libpci, written as an\n"
	"               lspci dump (with BAR sizes) that the XML names\n"
	"\n"
	"  -o, --output DIR  write DIR/" CAPTURE_XML " and DIR/" CAPTURE_DUMP "\n"
	"                    (DIR is created if missing)\n"
	"  --dump FILE       write the devices to FILE; the XML, on stdout,\n"
	"                    names FILE as given, so give a path that is\n"
	"                    right from where the XML will live\n"
	"  --sysfs DIR       read DIR instead of /sys (default:\n"
	"                    $PVHDEV_SYSFS_ROOT, else /sys)\n"
	"  --kmsg FILE       the kernel log to search: /dev/kmsg or a saved\n"
	"                    dmesg (default: /dev/kmsg, none with --sysfs)\n"
	"  --no-kmsg         search no kernel log\n"
	"  --no-devices      leave the PCI functions out\n"
	"  -h, --help        this text\n"
	"\n"
	"Without -o or --dump the devices go into the XML inline.  What cannot\n"
	"be read (no such file, not root) is reported on stderr and in a\n"
	"comment at the top of the XML, and left out: the capture is partial,\n"
	"not failed.\n"
	"\n"
	"Examples:\n"
	"  pvhdev capture > host.xml   devices inline\n"
	"  pvhdev capture -o host      host/host.xml and host/host.lspci\n"
	"  pvhdev boot --platform host.xml\n"
	"\n"
	"Exit status: 0 success (also a partial capture), 2 bad usage or an\n"
	"output that cannot be written, 3 internal error.\n";

struct capture_args {
	const char *outdir;   /* -o */
	const char *dump;     /* --dump */
	const char *sysfs;    /* --sysfs, or NULL */
	const char *kmsg;     /* NULL: none */
	bool devices;
};

static int parse_args(int argc, char **argv, struct capture_args *a)
{
	enum { OPT_DUMP = 256, OPT_SYSFS, OPT_KMSG, OPT_NO_KMSG, OPT_NO_DEV };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "dump", required_argument, NULL, OPT_DUMP },
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "kmsg", required_argument, NULL, OPT_KMSG },
		{ "no-kmsg", no_argument, NULL, OPT_NO_KMSG },
		{ "no-devices", no_argument, NULL, OPT_NO_DEV },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kmsg = NULL;
	bool no_kmsg = false;
	int c;

	memset(a, 0, sizeof(*a));
	a->devices = true;
	a->sysfs = getenv("PVHDEV_SYSFS_ROOT");
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': a->outdir = optarg; break;
		case OPT_DUMP: a->dump = optarg; break;
		case OPT_SYSFS: a->sysfs = optarg; break;
		case OPT_KMSG: kmsg = optarg; break;
		case OPT_NO_KMSG: no_kmsg = true; break;
		case OPT_NO_DEV: a->devices = false; break;
		case 'h': fputs(capture_usage, stdout); return -1;
		default: return cli_bad_option("capture", argv);
		}
	}
	if (optind < argc || (a->outdir && a->dump))
		return cli_usage_error("capture", "%s", optind < argc ? "unexpected argument"
		                                          : "-o and --dump exclude each other");
	if (a->sysfs && !*a->sysfs)
		a->sysfs = NULL;
	a->kmsg = no_kmsg ? NULL : kmsg ? kmsg : a->sysfs ? NULL : "/dev/kmsg";
	return 0;
}

/* Opens path for writing; prints why not. */
static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fprintf(stderr, "pvhdev capture: %s: %s\n", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path, int rc)
{
	if (fclose(f) && !rc)
		rc = -errno;
	if (rc)
		fprintf(stderr, "pvhdev capture: %s: %s\n", path, pvhdev_strerror(rc));
	return rc;
}

/* The functions through libpci; NULL (said on stderr) when they cannot
 * be read: the capture goes on without them.  *rc: an exit code. */
static struct pvhdev_libpci *open_devices(const struct capture_args *a, int *rc)
{
	struct pvhdev_libpci_opts lo = { .size = sizeof(lo), .sysfs_root = a->sysfs };
	struct pvhdev_libpci *lp;
	char err[512];
	int e = pvhdev_libpci_open(&lo, &lp, err, sizeof(err));

	*rc = CLI_OK;
	if (e) {
		fprintf(stderr, "pvhdev capture: devices not captured: %s\n", err);
		*rc = e == -ENOMEM ? CLI_INTERNAL : CLI_OK;
		return NULL;
	}
	for (size_t i = 0; i < pvhdev_libpci_nr_notes(lp); i++)
		fprintf(stderr, "pvhdev capture: %s\n", pvhdev_libpci_note(lp, i));
	if (!pvhdev_libpci_count(lp))
		fprintf(stderr, "pvhdev capture: libpci found no PCI functions\n");
	return lp;
}

static int write_dump(const struct pvhdev_libpci *lp, const char *path)
{
	FILE *f = open_out(path);

	if (!f)
		return CLI_USAGE;
	fputs("# pvhdev capture: this machine's PCI functions, as lspci -D -n "
	      "-vv -xxxx prints them\n", f);
	return close_out(f, path, pvhdev_libpci_write_dump(lp, f)) ? CLI_USAGE :
	                                                            CLI_OK;
}

/* The XML to path, or to stdout when path is NULL. */
static int write_xml(const struct pvhdev_capture *cap, const char *path,
                     const char *lspci, const struct pvhdev_libpci *inline_lp)
{
	FILE *f = path ? open_out(path) : stdout;
	int rc;

	if (!f)
		return CLI_USAGE;
	rc = pvhdev_capture_write_xml(cap, f, lspci, pvhdev_libpci_devs(inline_lp),
	                              pvhdev_libpci_count(inline_lp));
	if (path)
		return close_out(f, path, rc) ? CLI_USAGE : CLI_OK;
	if (fflush(stdout) && !rc)
		rc = -errno;
	if (rc)
		fprintf(stderr, "pvhdev capture: stdout: %s\n", pvhdev_strerror(rc));
	return rc ? CLI_USAGE : CLI_OK;
}

/* Where the dump goes, how the XML names it, and where the XML goes. */
static int plan_outputs(const struct capture_args *a, char *dump, char *xml,
                        size_t len)
{
	dump[0] = xml[0] = '\0';
	if (a->dump)
		snprintf(dump, len, "%s", a->dump);
	if (!a->outdir)
		return CLI_OK;
	if (mkdir(a->outdir, 0777) && errno != EEXIST) {
		fprintf(stderr, "pvhdev capture: %s: %s\n", a->outdir, strerror(errno));
		return CLI_USAGE;
	}
	if ((size_t)snprintf(dump, len, "%s/%s", a->outdir, CAPTURE_DUMP) >= len ||
	    (size_t)snprintf(xml, len, "%s/%s", a->outdir, CAPTURE_XML) >= len) {
		fprintf(stderr, "pvhdev capture: %s: path too long\n", a->outdir);
		return CLI_USAGE;
	}
	return CLI_OK;
}

static int capture_all(const struct capture_args *a, const char *dump,
                       const char *xml, struct pvhdev_capture *cap)
{
	struct pvhdev_libpci *lp = NULL;
	const char *lspci = NULL;
	int rc = CLI_OK;

	if (a->devices && !(lp = open_devices(a, &rc)) && rc)
		return rc;
	if (lp && dump[0]) {
		rc = write_dump(lp, dump);
		lspci = a->outdir ? CAPTURE_DUMP : a->dump;
	}
	if (!rc)
		rc = write_xml(cap, xml[0] ? xml : NULL, lspci, dump[0] ? NULL : lp);
	pvhdev_libpci_close(lp);
	return rc;
}

int cli_capture(int argc, char **argv)
{
	struct capture_args a;
	struct pvhdev_capture *cap;
	char dump[4096], xml[4096];
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = plan_outputs(&a, dump, xml, sizeof(dump))))
		return rc;
	struct pvhdev_capture_opts co = { .size = sizeof(co),
	                                  .sysfs_root = a.sysfs, .kmsg = a.kmsg };
	if ((rc = pvhdev_capture_run(&co, &cap))) {
		fprintf(stderr, "pvhdev capture: %s\n", pvhdev_strerror(rc));
		return rc == -ENOMEM ? CLI_INTERNAL : CLI_USAGE;
	}
	for (size_t i = 0; i < pvhdev_capture_nr_notes(cap); i++)
		fprintf(stderr, "pvhdev capture: %s\n", pvhdev_capture_note(cap, i));
	rc = capture_all(&a, dump, xml, cap);
	pvhdev_capture_free(cap);
	return rc;
}
