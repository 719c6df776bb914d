/* SPDX-License-Identifier: MIT */
/*
 * The trace backend: record a domain session on the fake backend, replay
 * it strictly on a fresh domain with no other backend and get the same
 * guest-visible results and events; edited, reordered, truncated and
 * malformed traces with their exact one-line reports; relaxed replay;
 * shadow marks, recorded errors, write errors; the schema; and the
 * traces checked in under tests/data/traces.
 *
 * Two devices for the sessions:
 *
 *   00:02.0  endpoint, decode on: BAR0/1 64-bit 16 KiB at 0xfe000000,
 *            BAR2 32-bit 4 KiB at 0xfe100000, BAR3 IO 32 bytes at 0xe000
 *   00:03.0  endpoint, no BARs
 *
 * and an SR-IOV PF at 01:00.0 (2 VFs, VF BAR0 16 KiB) behind ECAM.
 *
 * PVHDEV_TRACE_REGEN=1 makes checked_in_traces_replay write the
 * checked-in traces again instead of replaying them.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pvhdev/trace.h>

#define DEV_A PVHDEV_SBDF(0, 0, 2, 0)
#define DEV_B PVHDEV_SBDF(0, 0, 3, 0)
#define ABSENT PVHDEV_SBDF(0, 0, 4, 0)
#define PF PVHDEV_SBDF(0, 1, 0, 0)
#define SRIOV 0x160
#define ECAM 0xe0000000ull
#define BAR2_NEW 0xfe200000u
#define TRACES PVHDEV_TEST_DATA "/traces"
#define SCHEMA PVHDEV_TEST_DATA "/../../data/schema/trace.rng"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The header pvhdev writes for a fake backend, source "test". */
#define HEAD                                                                  \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                        \
	"<pvhdev-trace format=\"1\" pvhdev=\"" PVHDEV_VERSION_STRING "\">\n"  \
	"  <platform source=\"test\"/>\n"                                     \
	"  <backend name=\"fake\" hooks=\"mmio_read mmio_write enumerate\"/>\n"
#define TAIL "</pvhdev-trace>\n"

/* ---- Fixture: a temp dir; a domain over a trace (and a fake) ---- */

struct rig {
	struct test_alloc alloc;
	struct pvhdev_fake *fake;     /* record only */
	struct pvhdev_trace *trace;
	struct pvhdev_domain *dom;
	uint64_t mark;                /* first event not yet in out */
	char out[1 << 16];            /* transcript: guest results, events */
	size_t len;
};

struct fx {
	char dir[64];
	char path[128]; /* dir/trace.xml */
	uint8_t cfg_a[256], cfg_b[256], cfg_pf[4096];
	struct pvhdev_fake_dev devs[2], pf;
	struct rig rec, play;
};

static void make_devs(struct fx *f)
{
	test_cfg_init(f->cfg_a, 0x8086, 0x10d3, 0x02000000, 0);
	test_put(f->cfg_a, 0x04, 2, 0x0007);
	test_put(f->cfg_a, 0x10, 4, 0xfe000004);
	test_put(f->cfg_a, 0x18, 4, 0xfe100000);
	test_put(f->cfg_a, 0x1c, 4, 0xe001);
	test_cfg_init(f->cfg_b, 0x1af4, 0x1041, 0x01000000, 0);
	f->devs[0] = (struct pvhdev_fake_dev){
		.sbdf = DEV_A, .cfg = f->cfg_a, .cfg_len = 256,
		.bar_size = { 16384, 0, 4096, 32 },
	};
	f->devs[1] = (struct pvhdev_fake_dev){
		.sbdf = DEV_B, .cfg = f->cfg_b, .cfg_len = 256,
	};
}

/* The PF of test_sriov.c, smaller: TotalVFs 2, VF BAR0 16 KiB. */
static void make_pf(struct fx *f)
{
	uint8_t *cfg = f->cfg_pf;

	memset(cfg, 0, 4096);
	test_cfg_init(cfg, 0x8086, 0x10c9, 0x02000001, 0);
	test_put(cfg, 0x04, 2, 0x0002);
	test_put(cfg, 0x10, 4, 0xf0000000);
	test_put(cfg, 0x100, 4, 0x000e | 1u << 16 | (uint32_t)SRIOV << 20);
	test_put(cfg, SRIOV, 4, 0x00010010);
	test_put(cfg, SRIOV + 0x0c, 2, 2);
	test_put(cfg, SRIOV + 0x0e, 2, 2);
	test_put(cfg, SRIOV + 0x14, 2, 0x80);
	test_put(cfg, SRIOV + 0x16, 2, 2);
	test_put(cfg, SRIOV + 0x1a, 2, 0x10ca);
	test_put(cfg, SRIOV + 0x24, 4, 0xf1000000);
	f->pf = (struct pvhdev_fake_dev){
		.sbdf = PF, .cfg = f->cfg_pf, .cfg_len = 4096,
		.bar_size = { 0x20000 }, .vf_bar_size = { 0x4000 },
	};
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/pvhdev-trace-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/trace.xml", f->dir);
	make_devs(f);
	make_pf(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[512];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void dir_path(struct fx *f, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", f->dir, name);
}

static int rig_domain(struct rig *g)
{
	struct pvhdev_config cfg = {
		.size = sizeof(cfg),
		.backend = pvhdev_trace_backend(g->trace),
		.backend_ctx = g->trace,
		.alloc = &test_alloc_ops,
		.alloc_ctx = &g->alloc,
	};

	return pvhdev_domain_new(&cfg, &g->dom);
}

/* A fake with devs, a trace recording it into path, a domain over it. */
static void rig_record(struct rig *g, const char *path,
                       const struct pvhdev_fake_dev *devs, size_t nr,
                       const struct pvhdev_trace_opts *opts)
{
	static const struct pvhdev_trace_opts def = {
		.size = sizeof(def), .source = "test",
	};

	memset(g, 0, sizeof(*g));
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &g->alloc, devs, nr,
	                                 &g->fake), 0);
	assert_int_equal(pvhdev_trace_record_open(path, &pvhdev_fake_ops, g->fake,
	                                          opts ? opts : &def, &g->trace), 0);
	assert_int_equal(rig_domain(g), 0);
}

/* A domain over a replay of path, and nothing else. */
static void rig_replay(struct rig *g, const char *path,
                       enum pvhdev_trace_mode mode)
{
	char err[512];
	int rc;

	memset(g, 0, sizeof(*g));
	rc = pvhdev_trace_replay_open(path, mode, &g->trace, err, sizeof(err));
	if (rc)
		fail_msg("replay_open: %d: %s", rc, err);
	assert_int_equal(rig_domain(g), 0);
}

/* Frees the domain, closes the trace (its result is returned), frees
 * the fake; the allocator must be back to zero. */
static int rig_end(struct rig *g)
{
	int rc;

	pvhdev_domain_free(g->dom);
	rc = pvhdev_trace_close(g->trace);
	pvhdev_fake_free(g->fake);
	assert_int_equal(g->alloc.live_blocks, 0);
	assert_int_equal(g->alloc.live_bytes, 0);
	return rc;
}

static void say(struct rig *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct rig *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(g->out + g->len, sizeof(g->out) - g->len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(g->out) - g->len);
	g->len += (size_t)n;
}

/* Events since the last call, into the transcript. */
static void events(struct rig *g)
{
	char line[256];
	struct pvhdev_event ev;

	for (uint64_t end = pvhdev_event_next_seq(g->dom); g->mark < end; g->mark++) {
		assert_int_equal(pvhdev_event_get(g->dom, g->mark, &ev), 0);
		assert_true(pvhdev_event_format(&ev, line, sizeof(line)) >= 0);
		say(g, "  %s\n", line);
	}
}

static void rd(struct rig *g, pvhdev_sbdf_t sbdf, unsigned off, unsigned size)
{
	char s[PVHDEV_SBDF_STRLEN];
	uint32_t v = 0;
	int rc = pvhdev_cfg_read(g->dom, sbdf, off, size, &v);

	say(g, "rd %s 0x%x %u = 0x%x rc %d\n", pvhdev_sbdf_str(sbdf, s), off,
	    size, v, rc);
	events(g);
}

static void wr(struct rig *g, pvhdev_sbdf_t sbdf, unsigned off, unsigned size,
               uint32_t val)
{
	char s[PVHDEV_SBDF_STRLEN];
	int rc = pvhdev_cfg_write(g->dom, sbdf, off, size, val);

	say(g, "wr %s 0x%x %u 0x%x rc %d\n", pvhdev_sbdf_str(sbdf, s), off, size,
	    val, rc);
	events(g);
}

/* Device memory is not trapped: dom0 reaches it through the backend. */
static void mrd(struct rig *g, uint64_t addr, unsigned size)
{
	uint64_t v = 0;
	int rc = pvhdev_trace_ops.mmio_read(g->trace, addr, size, &v);

	say(g, "mrd 0x%llx %u = 0x%llx rc %d\n", (unsigned long long)addr, size,
	    (unsigned long long)v, rc);
}

static void mwr(struct rig *g, uint64_t addr, unsigned size, uint64_t val)
{
	int rc = pvhdev_trace_ops.mmio_write(g->trace, addr, size, val);

	say(g, "mwr 0x%llx %u 0x%llx rc %d\n", (unsigned long long)addr, size,
	    (unsigned long long)val, rc);
}

/* ---- Sessions: what a dom0 does; the same calls record and replay ---- */

/* Scan, IDs, an absent device, guest BAR sizing of BAR2 (decode off,
 * all-ones, read, restore, decode on), a BAR move, a byte write, and
 * device memory at the moved BAR. */
static void session_scan(struct rig *g)
{
	say(g, "scan rc %d\n", pvhdev_domain_scan(g->dom));
	events(g);
}

static void session_accesses(struct rig *g)
{
	rd(g, DEV_A, 0x00, 4);
	rd(g, DEV_B, 0x00, 4);
	rd(g, DEV_A, 0x08, 4);
	rd(g, ABSENT, 0x00, 4);
	rd(g, DEV_A, 0x04, 2);
	wr(g, DEV_A, 0x04, 2, 0x0004);
	wr(g, DEV_A, 0x18, 4, 0xffffffff);
	rd(g, DEV_A, 0x18, 4);
	wr(g, DEV_A, 0x18, 4, 0xfe100000);
	wr(g, DEV_A, 0x04, 2, 0x0007);
	wr(g, DEV_A, 0x04, 2, 0x0004);
	wr(g, DEV_A, 0x18, 4, BAR2_NEW);
	wr(g, DEV_A, 0x04, 2, 0x0006);
	rd(g, DEV_A, 0x18, 4);
	wr(g, DEV_A, 0x0c, 1, 0x10);
	rd(g, DEV_A, 0x0c, 1);
	mwr(g, BAR2_NEW, 4, 0xdeadbeef);
	mwr(g, BAR2_NEW + 8, 8, 0x0123456789abcdefull);
	mrd(g, BAR2_NEW, 4);
	mrd(g, BAR2_NEW + 8, 8);
	mrd(g, BAR2_NEW + 2, 2);
}

static void session_bars(struct rig *g)
{
	session_scan(g);
	session_accesses(g);
}

/* SR-IOV enable with VF memory decoding, a VF's IDs, disable. */
static void session_sriov(struct rig *g)
{
	say(g, "mmcfg rc %d\n", pvhdev_mmcfg_add(g->dom, ECAM, 0, 0, 3));
	say(g, "add rc %d\n", pvhdev_dev_add(g->dom, PF));
	events(g);
	wr(g, PF, SRIOV + 0x10, 2, 2);
	wr(g, PF, SRIOV + 0x08, 2, 0x0009);
	rd(g, PVHDEV_SBDF(0, 1, 0x10, 2), 0x00, 4);
	rd(g, PVHDEV_SBDF(0, 1, 0x10, 2), 0x08, 4);
	rd(g, PF, SRIOV + 0x08, 2);
	wr(g, PF, SRIOV + 0x08, 2, 0x0000);
}

/* A backend failure in the middle of the guest's accesses (the fake's
 * tenth call after the scan gives -EIO), recorded as rc="-5" and
 * replayed as such.  (During a scan, a failed device add is left out
 * and the scan goes on: test_boot_survives_failed_add.) */
static void session_errors(struct rig *g)
{
	session_scan(g);
	if (g->fake)
		pvhdev_fake_fail_at(g->fake, 10, -EIO);
	session_accesses(g);
}

/* ---- File helpers ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void spew(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Line number (from 1) of the first line containing needle. */
static unsigned find_line(const char *path, const char *needle)
{
	char *text = slurp(path, NULL), *hit = strstr(text, needle);
	unsigned line = 1;

	assert_non_null(hit);
	for (char *p = text; p < hit; p++)
		line += *p == '\n';
	free(text);
	return line;
}

/* Accesses (elements other than the header's and <d>) up to line. */
static unsigned accesses_to(const char *path, unsigned line)
{
	static const char *const starts[] = { "  <r ", "  <w ", "  <mr ", "  <mw ",
	                                      "  <enum" };
	char *text = slurp(path, NULL), *p = text;
	unsigned n = 0;

	for (unsigned l = 1; l <= line && *p; l++) {
		for (size_t i = 0; i < ARRAY_SIZE(starts); i++)
			n += !strncmp(p, starts[i], strlen(starts[i]));
		p = strchr(p, '\n');
		p = p ? p + 1 : text + strlen(text);
	}
	free(text);
	return n;
}

/* Replaces the first `from` in the file with `to`. */
static void edit(const char *path, const char *from, const char *to)
{
	size_t len, fl = strlen(from), tl = strlen(to);
	char *text = slurp(path, &len), *hit = strstr(text, from);
	char *out = malloc(len - fl + tl + 1);

	assert_non_null(hit);
	assert_non_null(out);
	memcpy(out, text, (size_t)(hit - text));
	memcpy(out + (hit - text), to, tl);
	memcpy(out + (hit - text) + tl, hit + fl, len - (size_t)(hit - text) - fl);
	spew(path, out, len - fl + tl);
	free(out);
	free(text);
}

static bool have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

static int xmllint(const char *path)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "xmllint --noout --relaxng '%s' '%s' 2>/dev/null",
	         SCHEMA, path);
	return system(cmd);
}

/* ---- Record, then replay strictly ---- */

/* Records session on the fake into path, replays it strictly on a fresh
 * domain, and asserts the same transcript and a clean end. */
static void round_trip(struct fx *f, const char *path,
                       const struct pvhdev_fake_dev *devs, size_t nr,
                       void (*session)(struct rig *))
{
	struct pvhdev_trace_counters rc_cnt, pc_cnt;

	rig_record(&f->rec, path, devs, nr, NULL);
	session(&f->rec);
	assert_int_equal(pvhdev_trace_get_counters(f->rec.trace, &rc_cnt), 0);
	assert_int_equal(rig_end(&f->rec), 0);

	rig_replay(&f->play, path, PVHDEV_TRACE_STRICT);
	session(&f->play);
	assert_string_equal(pvhdev_trace_error(f->play.trace), "");
	assert_int_equal(pvhdev_trace_finish(f->play.trace), 0);
	assert_int_equal(pvhdev_trace_get_counters(f->play.trace, &pc_cnt), 0);
	assert_int_equal(rig_end(&f->play), 0);

	assert_string_equal(f->play.out, f->rec.out);
	assert_int_equal(pc_cnt.accesses, rc_cnt.accesses);
	assert_int_equal(pc_cnt.cfg_writes, rc_cnt.cfg_writes);
	assert_int_equal(pc_cnt.mmio_reads, rc_cnt.mmio_reads);
	assert_int_equal(pc_cnt.enums, rc_cnt.enums);
}

static void record_replay_bars(void **state)
{
	struct fx *f = *state;

	round_trip(f, f->path, f->devs, 2, session_bars);
	/* The session did what it says: sizing answered, BAR moved, memory. */
	assert_non_null(strstr(f->rec.out, "rd 0000:00:02.0 0x18 4 = 0xfffff000 rc 0\n"));
	assert_non_null(strstr(f->rec.out, "rd 0000:00:04.0 0x0 4 = 0xffffffff rc 0\n"));
	assert_non_null(strstr(f->rec.out, "mrd 0xfe200000 4 = 0xdeadbeef rc 0\n"));
	assert_non_null(strstr(f->rec.out, "mrd 0xfe200008 8 = 0x123456789abcdef rc 0\n"));
	assert_non_null(strstr(f->rec.out, "map "));
	assert_true(have_xmllint()); /* scripts/deps.sh installs it */
	assert_int_equal(xmllint(f->path), 0);
}

static void record_replay_sriov(void **state)
{
	struct fx *f = *state;

	round_trip(f, f->path, &f->pf, 1, session_sriov);
	assert_non_null(strstr(f->rec.out, "dev-add 0000:01:10.2\n"));
	assert_non_null(strstr(f->rec.out, "rd 0000:01:10.2 0x8 4 = 0x2000001 rc 0\n"));
	assert_true(have_xmllint()); /* scripts/deps.sh installs it */
	assert_int_equal(xmllint(f->path), 0);
}

/* A backend error is part of the trace: rc="-5", and the replay returns
 * it at the same access. */
static void record_replay_backend_error(void **state)
{
	struct fx *f = *state;
	char *text;

	round_trip(f, f->path, f->devs, 2, session_errors);
	text = slurp(f->path, NULL);
	assert_non_null(strstr(text, " rc=\"-5\"/>"));
	free(text);
	assert_non_null(strstr(f->rec.out, "rc -5\n"));
}

/* The file, line by line, for a few direct calls. */
static void record_format(void **state)
{
	struct fx *f = *state;
	const struct pvhdev_trace_opts opts = {
		.size = sizeof(opts), .source = "lspci:x.lspci", .note = "a <note> & \"more\"",
	};
	struct pvhdev_trace_info info;
	uint32_t v;
	uint64_t m;
	char *text;

	rig_record(&f->rec, f->path, f->devs, 2, &opts);
	struct pvhdev_trace *t = f->rec.trace;
	assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0x00, 4, &v), 0);
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x04, 2, 0x0006), 0);
	assert_int_equal(pvhdev_trace_ops.cfg_read(t, ABSENT, 0x0e, 1, &v), 0);
	assert_int_equal(pvhdev_trace_ops.mmio_write(t, 0xfe000000, 8, 0x1122), 0);
	assert_int_equal(pvhdev_trace_ops.mmio_read(t, 0xfe000000, 1, &m), 0);
	assert_int_equal(m, 0x22);
	assert_int_equal(pvhdev_trace_get_info(t, &info), 0);
	assert_string_equal(info.source, "lspci:x.lspci");
	assert_string_equal(info.backend, "fake");
	assert_string_equal(info.pvhdev, pvhdev_version());
	assert_int_equal(rig_end(&f->rec), 0);
	text = slurp(f->path, NULL);
	assert_string_equal(text,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<pvhdev-trace format=\"1\" pvhdev=\"" PVHDEV_VERSION_STRING "\">\n"
		"  <platform source=\"lspci:x.lspci\" note=\"a &lt;note&gt; &amp; &quot;more&quot;\"/>\n"
		"  <backend name=\"fake\" hooks=\"mmio_read mmio_write enumerate\"/>\n"
		"  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x10d38086\"/>\n"
		"  <w s=\"0000:00:02.0\" o=\"0x4\" n=\"2\" v=\"0x0006\"/>\n"
		"  <r s=\"0000:00:04.0\" o=\"0xe\" n=\"1\" v=\"0xff\"/>\n"
		"  <mw a=\"0xfe000000\" n=\"8\" v=\"0x0000000000001122\"/>\n"
		"  <mr a=\"0xfe000000\" n=\"1\" v=\"0x22\"/>\n"
		"</pvhdev-trace>\n");
	free(text);

	/* And the header comes back. */
	rig_replay(&f->play, f->path, PVHDEV_TRACE_STRICT);
	assert_int_equal(pvhdev_trace_get_info(f->play.trace, &info), 0);
	assert_int_equal(info.format, 1);
	assert_string_equal(info.source, "lspci:x.lspci");
	assert_string_equal(info.note, "a <note> & \"more\"");
	assert_string_equal(info.backend, "fake");
	assert_string_equal(info.pvhdev, PVHDEV_VERSION_STRING);
	/* Nothing replayed: the trace has accesses left. */
	assert_int_equal(rig_end(&f->play), -EPROTO);
}

/* ---- Divergences ---- */

/* The session on a replay of path: returns the report. */
static const char *diverged_session(struct fx *f, const char *path,
                                    void (*session)(struct rig *), int want)
{
	static char report[1024];

	rig_replay(&f->play, path, PVHDEV_TRACE_STRICT);
	session(&f->play);
	snprintf(report, sizeof(report), "%s", pvhdev_trace_error(f->play.trace));
	assert_int_equal(rig_end(&f->play), want);
	return report;
}

/* One value of a guest write changed in the file: the replay stops at
 * that write, names its line and access number, both values. */
static void edited_write_value(void **state)
{
	struct fx *f = *state;
	char want[1024];
	unsigned line;

	rig_record(&f->rec, f->path, f->devs, 2, NULL);
	session_bars(&f->rec);
	assert_int_equal(rig_end(&f->rec), 0);
	edit(f->path, "<w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x10\"/>",
	     "<w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x11\"/>");
	line = find_line(f->path, "o=\"0xc\" n=\"1\" v=\"0x11\"");
	snprintf(want, sizeof(want),
	         "%s:%u: access %u: expected <w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" "
	         "v=\"0x11\"/>, got <w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" "
	         "v=\"0x10\"/>", f->path, line, accesses_to(f->path, line));
	assert_string_equal(diverged_session(f, f->path, session_bars, -EPROTO), want);
	/* The guest saw the failure at that write, and nothing after it. */
	assert_non_null(strstr(f->play.out, "wr 0000:00:02.0 0xc 1 0x10 rc -71\n"));
	assert_non_null(strstr(f->play.out, "mwr 0xfe200000 4 0xdeadbeef rc -71\n"));
	assert_non_null(strstr(f->play.out, "mrd 0xfe200000 4 = 0xffffffff rc -71\n"));
}

/* One MMIO write value changed: same, for device memory. */
static void edited_mmio_value(void **state)
{
	struct fx *f = *state;
	char want[1024];
	unsigned line;

	rig_record(&f->rec, f->path, f->devs, 2, NULL);
	session_bars(&f->rec);
	assert_int_equal(rig_end(&f->rec), 0);
	edit(f->path, "v=\"0xdeadbeef\"", "v=\"0xdeadbeee\"");
	line = find_line(f->path, "v=\"0xdeadbeee\"");
	snprintf(want, sizeof(want),
	         "%s:%u: access %u: expected <mw a=\"0xfe200000\" n=\"4\" "
	         "v=\"0xdeadbeee\"/>, got <mw a=\"0xfe200000\" n=\"4\" "
	         "v=\"0xdeadbeef\"/>", f->path, line, accesses_to(f->path, line));
	assert_string_equal(diverged_session(f, f->path, session_bars, -EPROTO), want);
}

/* A read value changed: reads come from the trace, so the guest sees
 * the edited value and the replay goes on. */
static void edited_read_value(void **state)
{
	struct fx *f = *state;

	rig_record(&f->rec, f->path, f->devs, 2, NULL);
	session_bars(&f->rec);
	assert_int_equal(rig_end(&f->rec), 0);
	edit(f->path, "<r s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x10\"/>",
	     "<r s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x42\"/>");
	diverged_session(f, f->path, session_bars, 0);
	assert_non_null(strstr(f->play.out, "rd 0000:00:02.0 0xc 1 = 0x42 rc 0\n"));
}

/* Hand-written traces for direct calls. */
static void write_trace(struct fx *f, const char *body)
{
	char text[8192];

	snprintf(text, sizeof(text), HEAD "%s", body);
	spew(f->path, text, strlen(text));
}

static struct pvhdev_trace *strict(struct fx *f)
{
	struct pvhdev_trace *t = NULL;
	char err[512];
	int rc = pvhdev_trace_replay_open(f->path, PVHDEV_TRACE_STRICT, &t, err,
	                                  sizeof(err));

	if (rc)
		fail_msg("replay_open: %d: %s", rc, err);
	return t;
}

/* Two accesses swapped: the first call that finds the other one reports. */
static void reordered_accesses(void **state)
{
	struct fx *f = *state;
	struct pvhdev_trace *t;
	char want[512];
	uint32_t v;

	write_trace(f, "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x10d38086\"/>\n"
	               "  <r s=\"0000:00:02.0\" o=\"0x8\" n=\"4\" v=\"0x02000000\"/>\n"
	               "  <r s=\"0000:00:02.0\" o=\"0x4\" n=\"2\" v=\"0x0007\"/>\n"
	               TAIL);
	t = strict(f);
	assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0x0, 4, &v), 0);
	assert_int_equal(v, 0x10d38086);
	assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0x4, 2, &v), -EPROTO);
	assert_int_equal(v, 0xffff);
	snprintf(want, sizeof(want),
	         "%s:6: access 2: expected <r s=\"0000:00:02.0\" o=\"0x8\" n=\"4\" "
	         "v=\"0x02000000\"/>, got <r s=\"0000:00:02.0\" o=\"0x4\" n=\"2\"/>",
	         f->path);
	assert_string_equal(pvhdev_trace_error(t), want);
	/* Sticky: the replay stays stopped, even for the access it holds. */
	assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0x8, 4, &v), -EPROTO);
	assert_string_equal(pvhdev_trace_error(t), want);
	assert_int_equal(pvhdev_trace_close(t), -EPROTO);
}

/* Kinds differ: a write where the trace has a read; an MMIO read where
 * it has a config read. */
static void wrong_kind(void **state)
{
	struct fx *f = *state;
	struct pvhdev_trace *t;
	char want[512];
	uint64_t m;

	write_trace(f, "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x10d38086\"/>\n" TAIL);
	t = strict(f);
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x0, 4, 1), -EPROTO);
	snprintf(want, sizeof(want),
	         "%s:5: access 1: expected <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" "
	         "v=\"0x10d38086\"/>, got <w s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" "
	         "v=\"0x00000001\"/>", f->path);
	assert_string_equal(pvhdev_trace_error(t), want);
	assert_int_equal(pvhdev_trace_close(t), -EPROTO);

	t = strict(f);
	assert_int_equal(pvhdev_trace_ops.mmio_read(t, 0xfe000000, 8, &m), -EPROTO);
	assert_int_equal(m, ~0ull);
	snprintf(want, sizeof(want),
	         "%s:5: access 1: expected <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" "
	         "v=\"0x10d38086\"/>, got <mr a=\"0xfe000000\" n=\"8\"/>", f->path);
	assert_string_equal(pvhdev_trace_error(t), want);
	assert_int_equal(pvhdev_trace_close(t), -EPROTO);
}

/* The trace ends before the replay, and the replay before the trace. */
static void trace_or_replay_ends_first(void **state)
{
	struct fx *f = *state;
	struct pvhdev_trace *t;
	char want[512];
	uint32_t v;

	write_trace(f, "  <w s=\"0000:00:02.0\" o=\"0x4\" n=\"2\" v=\"0x0006\"/>\n"
	               "  <!-- nothing more -->\n" TAIL);
	t = strict(f);
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x4, 2, 6), 0);
	assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0x4, 2, &v), -EPROTO);
	snprintf(want, sizeof(want), "%s:7: access 2: expected end of trace, got "
	         "<r s=\"0000:00:02.0\" o=\"0x4\" n=\"2\"/>", f->path);
	assert_string_equal(pvhdev_trace_error(t), want);
	assert_int_equal(pvhdev_trace_close(t), -EPROTO);

	t = strict(f);
	assert_int_equal(pvhdev_trace_finish(t), -EPROTO);
	snprintf(want, sizeof(want), "%s:5: access 1: expected <w s=\"0000:00:02.0\" "
	         "o=\"0x4\" n=\"2\" v=\"0x0006\"/>, got end of replay", f->path);
	assert_string_equal(pvhdev_trace_error(t), want);
	assert_int_equal(pvhdev_trace_finish(t), -EPROTO);
	/* Calls after finish fail without touching anything. */
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x4, 2, 6), -EPROTO);
	assert_int_equal(pvhdev_trace_close(t), -EPROTO);
}

/* ---- Malformed traces: one error naming the line ---- */

struct bad_case {
	const char *body; /* after HEAD */
	const char *want; /* after "PATH:" */
};

/* Each case fails at relaxed open, and at the first strict call. */
static void expect_bad(struct fx *f, const struct bad_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pvhdev_trace *t = (struct pvhdev_trace *)1;
		char err[512], want[512];
		uint32_t v;

		write_trace(f, c[i].body);
		snprintf(want, sizeof(want), "%s:%s", f->path, c[i].want);
		assert_int_equal(pvhdev_trace_replay_open(f->path, PVHDEV_TRACE_RELAXED,
		                                          &t, err, sizeof(err)), -EINVAL);
		assert_null(t);
		assert_string_equal(err, want);
		t = strict(f);
		assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0, 4, &v), -EINVAL);
		assert_string_equal(pvhdev_trace_error(t), want);
		assert_int_equal(pvhdev_trace_close(t), -EINVAL);
	}
}

static void unknown_element_and_attributes(void **state)
{
	static const struct bad_case cases[] = {
		{ "  <x/>\n" TAIL, "5: unexpected element <x>" },
		{ "  <r:x xmlns:r=\"urn:x\"/>\n" TAIL, "5: unexpected element <r:x>" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\" x=\"1\"/>\n" TAIL,
		  "5: <r>: unexpected attribute x" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\" shadow=\"1\"/>\n" TAIL,
		  "5: <r>: unexpected attribute shadow" },
		{ "  <mr s=\"0000:00:02.0\" a=\"0x0\" n=\"4\" v=\"0x0\"/>\n" TAIL,
		  "5: <mr>: unexpected attribute s" },
		{ "  <r o=\"0x0\" n=\"4\" v=\"0x0\"/>\n" TAIL, "5: <r>: missing attribute s" },
		{ "  <w s=\"0000:00:02.0\" o=\"0x0\" n=\"4\"/>\n" TAIL,
		  "5: <w>: missing attribute v" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\"/>\n" TAIL,
		  "5: <r>: missing attribute v (or rc)" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\">x</r>\n" TAIL,
		  "5: <r> must be empty, got text in it" },
		{ "  <enum>\n    <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\"/>\n"
		  "  </enum>\n" TAIL, "6: <enum> holds only <d> elements, got <r>" },
		{ "  <enum>\n    <d/>\n  </enum>\n" TAIL, "6: <d>: missing attribute s" },
		{ "  text\n" TAIL, "5: expected an access, got text" },
	};

	expect_bad(*state, cases, ARRAY_SIZE(cases));
}

static void bad_numbers(void **state)
{
	static const struct bad_case cases[] = {
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"12\"/>\n" TAIL,
		  "5: <r> attribute v: expected a hex number 0x..., got \"12\"" },
		{ "  <r s=\"0000:00:02.0\" o=\"0xg\" n=\"4\" v=\"0x0\"/>\n" TAIL,
		  "5: <r> attribute o: expected a hex number 0x..., got \"0xg\"" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x\" n=\"4\" v=\"0x0\"/>\n" TAIL,
		  "5: <r> attribute o: expected a hex number 0x..., got \"0x\"" },
		{ "  <mr a=\"0x10000000000000000\" n=\"8\" v=\"0x0\"/>\n" TAIL,
		  "5: <mr> attribute a: 0x10000000000000000 does not fit in 64 bits" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x100000000\"/>\n" TAIL,
		  "5: <r>: v=0x100000000 does not fit in n=4 bytes" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"3\" v=\"0x0\"/>\n" TAIL,
		  "5: <r> attribute n: expected 1, 2, 4 or 8, got \"3\"" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"8\" v=\"0x0\"/>\n" TAIL,
		  "5: <r>: n=8: config accesses are 1, 2 or 4 bytes" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x2\" n=\"4\" v=\"0x0\"/>\n" TAIL,
		  "5: <r>: o=0x2 is not aligned to n=4" },
		{ "  <mw a=\"0xfe000004\" n=\"8\" v=\"0x0\"/>\n" TAIL,
		  "5: <mw>: a=0xfe000004 is not aligned to n=8" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x1000\" n=\"4\" v=\"0x0\"/>\n" TAIL,
		  "5: <r>: o=0x1000 is past config space (4096 bytes)" },
		{ "  <r s=\"0:0:2.0\" o=\"0x0\" n=\"4\" v=\"0x0\"/>\n" TAIL,
		  "5: <r> attribute s: expected an SBDF ssss:bb:dd.f, got \"0:0:2.0\"" },
		{ "  <r s=\"0000:00:20.0\" o=\"0x0\" n=\"4\" v=\"0x0\"/>\n" TAIL,
		  "5: <r> attribute s: expected an SBDF ssss:bb:dd.f, got \"0000:00:20.0\"" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" rc=\"5\"/>\n" TAIL,
		  "5: <r> attribute rc: expected a negative errno -1..-4095, got \"5\"" },
		{ "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" rc=\"-4096\"/>\n" TAIL,
		  "5: <r> attribute rc: expected a negative errno -1..-4095, got \"-4096\"" },
		{ "  <w s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\" shadow=\"yes\"/>\n" TAIL,
		  "5: <w> attribute shadow: expected 0 or 1, got \"yes\"" },
		{ "  <enum>\n    <d s=\"0000:00:02.8\"/>\n  </enum>\n" TAIL,
		  "6: <d> attribute s: expected an SBDF ssss:bb:dd.f, got \"0000:00:02.8\"" },
	};

	expect_bad(*state, cases, ARRAY_SIZE(cases));
}

/* Asserts err is "FILE:LINE: " and msg, or when msg is NULL "malformed
 * XML: " and libxml2's message (whose wording is its own). */
static void expect_xml_msg(struct fx *f, const char *err, unsigned line,
                           const char *msg)
{
	char want[512];

	snprintf(want, sizeof(want), "%s:%u: %s", f->path, line,
	         msg ? msg : "malformed XML: ");
	if (msg)
		assert_string_equal(err, want);
	else if (strncmp(err, want, strlen(want)) || strlen(err) == strlen(want))
		fail_msg("got \"%s\", want \"%s...\"", err, want);
}

/* Not well-formed: relaxed open reads it all and fails; a strict open
 * fails too when the error is in the header or within libxml2's first
 * chunk (it parses ahead), else the first call fails. */
static void expect_malformed(struct fx *f, const char *text, unsigned line,
                             const char *msg)
{
	struct pvhdev_trace *t = NULL;
	char err[512];
	uint32_t v;
	int rc;

	spew(f->path, text, strlen(text));
	assert_int_equal(pvhdev_trace_replay_open(f->path, PVHDEV_TRACE_RELAXED, &t,
	                                          err, sizeof(err)), -EINVAL);
	assert_null(t);
	expect_xml_msg(f, err, line, msg);
	rc = pvhdev_trace_replay_open(f->path, PVHDEV_TRACE_STRICT, &t, err,
	                              sizeof(err));
	if (!rc) {
		/* Past the first chunk: expect_cut() replays up to it. */
		if (pvhdev_trace_ops.cfg_read(t, DEV_A, 0, 4, &v) == -EPROTO) {
			pvhdev_trace_close(t);
			return;
		}
		snprintf(err, sizeof(err), "%s", pvhdev_trace_error(t));
		assert_int_equal(pvhdev_trace_close(t), -EINVAL);
	}
	assert_int_equal(rc, rc ? -EINVAL : 0);
	expect_xml_msg(f, err, line, msg);
}

#define CUT "truncated: the file ends inside <pvhdev-trace>"

static void malformed_xml(void **state)
{
	struct fx *f = *state;

	expect_malformed(f, "", 1, NULL);
	expect_malformed(f, "not xml\n", 1, NULL);
	expect_malformed(f, HEAD "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\">\n"
	                 "  </w>\n" TAIL, 6, NULL);
	expect_malformed(f, HEAD "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\"/>\n"
	                 TAIL "<r/>\n", 7, NULL);
	expect_malformed(f, HEAD "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\" "
	                 "v=\"0x1\"/>\n" TAIL, 5, NULL);
	/* Cut in the header. */
	expect_malformed(f, "<?xml version=\"1.0\"?>\n<pvhdev-trace format=\"1\" "
	                 "pvhdev=\"0.1.0\">\n  <platform sou", 3, CUT);
}

/* A strict replay of the session on a cut file: it runs until it
 * reaches the cut, which the error names. */
static void expect_cut(struct fx *f, const char *text, unsigned line)
{
	char err[512];

	expect_malformed(f, text, line, CUT);
	rig_replay(&f->play, f->path, PVHDEV_TRACE_STRICT);
	session_bars(&f->play);
	snprintf(err, sizeof(err), "%s", pvhdev_trace_error(f->play.trace));
	assert_int_equal(rig_end(&f->play), -EINVAL);
	expect_xml_msg(f, err, line, CUT);
	assert_non_null(strstr(f->play.out, "rc -22\n"));
}

/* Cut in the middle of an element, and cut after one. */
static void truncated(void **state)
{
	struct fx *f = *state;
	unsigned lines = 0, line = 1;
	size_t len;
	char *text, *cut, *end;

	rig_record(&f->rec, f->path, f->devs, 2, NULL);
	session_bars(&f->rec);
	assert_int_equal(rig_end(&f->rec), 0);
	text = slurp(f->path, &len);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';

	/* Mid-element, halfway through the file. */
	cut = strstr(text + len / 2, " v=\"");
	for (char *p = text; p < cut; p++)
		line += *p == '\n';
	*cut = '\0';
	expect_cut(f, text, line);
	*cut = ' ';

	/* After a whole element, before </pvhdev-trace>: the cut is on the
	 * line of that element (the file ends with its newline). */
	end = strstr(text, TAIL);
	*end = '\0';
	expect_cut(f, text, lines - 1);
	/* And in the indentation of the next line. */
	end[0] = ' ';
	end[1] = '\0';
	expect_cut(f, text, lines);
	free(text);
}

static void bad_header(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "<trace/>\n", "1: expected <pvhdev-trace>, got <trace>" },
		{ "<!DOCTYPE x>\n<pvhdev-trace/>\n", "1: expected <pvhdev-trace>, got a DOCTYPE" },
		{ "<pvhdev-trace format=\"2\" pvhdev=\"9.0\"/>\n",
		  "1: <pvhdev-trace>: format \"2\" is not one this pvhdev reads (1)" },
		{ "<pvhdev-trace format=\"1\"/>\n", "1: <pvhdev-trace>: missing attribute pvhdev" },
		{ "<pvhdev-trace format=\"1\" pvhdev=\"0\"/>\n",
		  "1: expected <platform>, got <pvhdev-trace/>" },
		{ "<pvhdev-trace format=\"1\" pvhdev=\"0\">\n  <backend name=\"x\" hooks=\"\"/>\n"
		  TAIL, "2: expected <platform>, got <backend>" },
		{ "<pvhdev-trace format=\"1\" pvhdev=\"0\">\n  <platform/>\n" TAIL,
		  "2: <platform>: missing attribute source" },
		{ "<pvhdev-trace format=\"1\" pvhdev=\"0\">\n  <platform source=\"x\"/>\n"
		  TAIL, "3: expected <backend>, got </pvhdev-trace>" },
		{ "<pvhdev-trace format=\"1\" pvhdev=\"0\">\n  <platform source=\"x\"/>\n"
		  "  <backend name=\"x\" hooks=\"mmio_read dma\"/>\n" TAIL,
		  "3: <backend> attribute hooks: unknown hook \"dma\"" },
		{ "<pvhdev-trace format=\"1\" pvhdev=\"0\">\n  <platform source=\"x\"/>\n"
		  "  <backend hooks=\"\"/>\n" TAIL, "3: <backend>: missing attribute name" },
	};
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pvhdev_trace *t = (struct pvhdev_trace *)1;
		char err[512], want[512];

		spew(f->path, cases[i].text, strlen(cases[i].text));
		snprintf(want, sizeof(want), "%s:%s", f->path, cases[i].want);
		assert_int_equal(pvhdev_trace_replay_open(f->path, PVHDEV_TRACE_STRICT,
		                                          &t, err, sizeof(err)), -EINVAL);
		assert_null(t);
		assert_string_equal(err, want);
	}
}

/* Files that cannot be read, and calls that make no sense. */
static void open_errors_and_misuse(void **state)
{
	struct fx *f = *state;
	struct pvhdev_trace *t = NULL;
	char err[512], want[512], none[256];
	const struct pvhdev_backend_ops no_write = {
		.name = "x", .cfg_read = pvhdev_fake_ops.cfg_read,
	};

	snprintf(want, sizeof(want), "%s/none.xml: cannot open: No such file or directory",
	         f->dir);
	dir_path(f, "none.xml", none, sizeof(none));
	assert_int_equal(pvhdev_trace_replay_open(none, PVHDEV_TRACE_STRICT, &t, err,
	                                          sizeof(err)), -ENOENT);
	assert_string_equal(err, want);
	assert_int_equal(pvhdev_trace_replay_open(f->dir, PVHDEV_TRACE_RELAXED, &t, err,
	                                          sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", f->dir);
	assert_string_equal(err, want);
	assert_int_equal(pvhdev_trace_replay_open(f->path, PVHDEV_TRACE_RECORD, &t,
	                                          NULL, 0), -EINVAL);
	assert_int_equal(pvhdev_trace_record_open(f->dir, &pvhdev_fake_ops, NULL,
	                                          NULL, &t), -EISDIR);
	assert_int_equal(pvhdev_trace_record_open(f->path, &no_write, NULL, NULL, &t),
	                 -EINVAL);
	assert_int_equal(pvhdev_trace_record_open(NULL, &pvhdev_fake_ops, NULL, NULL,
	                                          &t), -EINVAL);
	assert_int_equal(pvhdev_trace_close(NULL), 0);
	assert_int_equal(pvhdev_trace_finish(NULL), -EINVAL);
	assert_int_equal(pvhdev_trace_mark_shadow(NULL), -EINVAL);
	assert_string_equal(pvhdev_trace_error(NULL), "");
	assert_null(pvhdev_trace_backend(NULL));

	/* Shadow marks are for recordings. */
	write_trace(f, TAIL);
	t = strict(f);
	assert_int_equal(pvhdev_trace_mark_shadow(t), -EINVAL);
	assert_int_equal(pvhdev_trace_close(t), 0);
}

/* ---- Relaxed replay ---- */

static void relaxed_by_key(void **state)
{
	struct fx *f = *state;
	struct pvhdev_trace_counters c;
	struct pvhdev_trace *t = NULL;
	char err[512];
	uint32_t v;
	uint64_t m;

	write_trace(f,
		"  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x10d38086\"/>\n"
		"  <r s=\"0000:00:02.0\" o=\"0x4\" n=\"2\" v=\"0x0006\"/>\n"
		"  <w s=\"0000:00:02.0\" o=\"0x4\" n=\"2\" v=\"0x0007\"/>\n"
		"  <r s=\"0000:00:02.0\" o=\"0x4\" n=\"2\" v=\"0x0007\"/>\n"
		"  <r s=\"0000:00:02.0\" o=\"0x4\" n=\"1\" v=\"0x05\"/>\n"
		"  <r s=\"0000:00:03.0\" o=\"0x4\" n=\"2\" v=\"0x0400\"/>\n"
		"  <r s=\"0000:00:03.0\" o=\"0x8\" n=\"4\" rc=\"-5\"/>\n"
		"  <enum>\n    <d s=\"0000:00:02.0\"/>\n  </enum>\n"
		"  <mr a=\"0xfe000000\" n=\"4\" v=\"0x11111111\"/>\n"
		"  <mr a=\"0xfe000000\" n=\"4\" v=\"0x22222222\"/>\n"
		"  <mr a=\"0xfe000000\" n=\"8\" v=\"0x3333333333333333\"/>\n"
		"  <enum rc=\"-5\">\n    <d s=\"0000:00:02.0\"/>\n"
		"    <d s=\"0000:00:03.0\"/>\n  </enum>\n"
		TAIL);
	assert_int_equal(pvhdev_trace_replay_open(f->path, PVHDEV_TRACE_RELAXED, &t,
	                                          err, sizeof(err)), 0);
	const struct pvhdev_backend_ops *ops = pvhdev_trace_backend(t);
	/* In any order, any number of times: the last value per key. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ops->mmio_read(t, 0xfe000000, 8, &m), 0);
		assert_int_equal(m, 0x3333333333333333ull);
		assert_int_equal(ops->mmio_read(t, 0xfe000000, 4, &m), 0);
		assert_int_equal(m, 0x22222222);
		assert_int_equal(ops->cfg_read(t, DEV_A, 0x4, 2, &v), 0);
		assert_int_equal(v, 0x0007);
		assert_int_equal(ops->cfg_read(t, DEV_A, 0x4, 1, &v), 0);
		assert_int_equal(v, 0x05);
		assert_int_equal(ops->cfg_read(t, DEV_B, 0x4, 2, &v), 0);
		assert_int_equal(v, 0x0400);
		assert_int_equal(ops->cfg_read(t, DEV_A, 0x0, 4, &v), 0);
		assert_int_equal(v, 0x10d38086);
	}
	/* A recorded failure fails again; a key never read is all-ones. */
	assert_int_equal(ops->cfg_read(t, DEV_B, 0x8, 4, &v), -EIO);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(ops->cfg_read(t, DEV_A, 0x8, 4, &v), 0);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(ops->mmio_read(t, 0xfe000004, 4, &m), 0);
	assert_int_equal(m, 0xffffffff);
	/* Writes: anything goes, and they change nothing. */
	assert_int_equal(ops->cfg_write(t, DEV_A, 0x4, 2, 0x1234), 0);
	assert_int_equal(ops->mmio_write(t, 0xfe000000, 4, 0), 0);
	assert_int_equal(ops->cfg_read(t, DEV_A, 0x4, 2, &v), 0);
	assert_int_equal(v, 0x0007);
	assert_int_equal(pvhdev_trace_get_counters(t, &c), 0);
	assert_int_equal(c.keys, 7);
	assert_int_equal(c.misses, 2);
	assert_int_equal(c.cfg_reads, 11);
	assert_int_equal(c.cfg_writes, 1);
	assert_int_equal(c.mmio_reads, 5);
	assert_int_equal(c.mmio_writes, 1);
	assert_int_equal(c.accesses, 18);
	assert_int_equal(c.line, 22);
	assert_int_equal(pvhdev_trace_close(t), 0);
}

static int collect(void *arg, pvhdev_sbdf_t sbdf)
{
	char s[PVHDEV_SBDF_STRLEN];

	strcat(arg, pvhdev_sbdf_str(sbdf, s));
	strcat(arg, " ");
	return 0;
}

/* A recorded session as a device model: a domain scans it (the last
 * enumeration, as recorded) and reads by key, out of order. */
static void relaxed_device_model(void **state)
{
	struct fx *f = *state;
	char seen[256] = "";

	rig_record(&f->rec, f->path, f->devs, 2, NULL);
	session_bars(&f->rec);
	assert_int_equal(rig_end(&f->rec), 0);

	rig_replay(&f->play, f->path, PVHDEV_TRACE_RELAXED);
	struct pvhdev_trace *t = f->play.trace;
	assert_int_equal(pvhdev_trace_ops.enumerate(t, collect, seen), 0);
	assert_string_equal(seen, "0000:00:02.0 0000:00:03.0 ");
	assert_int_equal(pvhdev_domain_scan(f->play.dom), 0);
	events(&f->play);
	rd(&f->play, DEV_B, 0x00, 4);
	rd(&f->play, DEV_A, 0x0c, 1);
	rd(&f->play, DEV_A, 0x00, 4);
	mrd(&f->play, BAR2_NEW, 4);
	wr(&f->play, DEV_A, 0x0c, 1, 0x99);
	assert_non_null(strstr(f->play.out, "rd 0000:00:03.0 0x0 4 = 0x10411af4 rc 0\n"
	                                    "rd 0000:00:02.0 0xc 1 = 0x10 rc 0\n"
	                                    "rd 0000:00:02.0 0x0 4 = 0x10d38086 rc 0\n"
	                                    "mrd 0xfe200000 4 = 0xdeadbeef rc 0\n"
	                                    "wr 0000:00:02.0 0xc 1 0x99 rc 0\n"));
	assert_int_equal(rig_end(&f->play), 0);
}

/* ---- Shadows, write errors, backends without optional hooks ---- */

static void shadow_marks(void **state)
{
	struct fx *f = *state;
	const struct pvhdev_trace_opts all = {
		.size = sizeof(all), .source = "host", .flags = PVHDEV_TRACE_SHADOW_WRITES,
	};
	struct pvhdev_trace_counters c;
	char *text;

	/* One write marked. */
	rig_record(&f->rec, f->path, f->devs, 2, NULL);
	struct pvhdev_trace *t = f->rec.trace;
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x0c, 1, 1), 0);
	assert_int_equal(pvhdev_trace_mark_shadow(t), 0);
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x0c, 1, 2), 0);
	assert_int_equal(pvhdev_trace_ops.mmio_write(t, 0xfe000000, 4, 3), 0);
	assert_int_equal(pvhdev_trace_get_counters(t, &c), 0);
	assert_int_equal(c.shadowed, 1);
	assert_int_equal(rig_end(&f->rec), 0);
	text = slurp(f->path, NULL);
	assert_non_null(strstr(text, "  <w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x01\"/>\n"
	                             "  <w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x02\" shadow=\"1\"/>\n"
	                             "  <mw a=\"0xfe000000\" n=\"4\" v=\"0x00000003\"/>\n"));
	free(text);
	t = strict(f);
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x0c, 1, 1), 0);
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x0c, 1, 2), 0);
	assert_int_equal(pvhdev_trace_ops.mmio_write(t, 0xfe000000, 4, 3), 0);
	assert_int_equal(pvhdev_trace_get_counters(t, &c), 0);
	assert_int_equal(c.shadowed, 1);
	assert_int_equal(c.line, 7);
	assert_int_equal(pvhdev_trace_close(t), 0);

	/* Every write marked: a read-only host recording. */
	rig_record(&f->rec, f->path, f->devs, 2, &all);
	session_bars(&f->rec);
	assert_int_equal(rig_end(&f->rec), 0);
	text = slurp(f->path, NULL);
	assert_null(strstr(text, "<w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x10\"/>"));
	assert_non_null(strstr(text, "<w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x10\" shadow=\"1\"/>"));
	assert_non_null(strstr(text, "<mw a=\"0xfe200000\" n=\"4\" v=\"0xdeadbeef\" shadow=\"1\"/>"));
	assert_non_null(strstr(text, "<platform source=\"host\"/>"));
	free(text);
	assert_true(have_xmllint()); /* scripts/deps.sh installs it */
	assert_int_equal(xmllint(f->path), 0);
}

/* Writes that fail (a full disk) are reported, not lost. */
static void write_error_reported(void **state)
{
	struct fx *f = *state;
	struct pvhdev_trace *t = NULL;
	struct pvhdev_fake *fake;
	struct test_alloc a = { 0 };
	uint32_t v;

	if (access("/dev/full", W_OK))
		skip();
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &a, f->devs, 2, &fake), 0);
	assert_int_equal(pvhdev_trace_record_open("/dev/full", &pvhdev_fake_ops, fake,
	                                          NULL, &t), 0);
	/* The hardware still answers: the trace is what failed. */
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0, 4, &v), 0);
		assert_int_equal(v, 0x10d38086);
	}
	assert_string_equal(pvhdev_trace_error(t),
	                    "/dev/full: write failed: No space left on device");
	assert_int_equal(pvhdev_trace_close(t), -ENOSPC);
	pvhdev_fake_free(fake);
}

/* The fake without its optional hooks: the domain probes vendor IDs
 * itself, on record and on replay alike. */
static int bare_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                     uint32_t *val)
{
	return pvhdev_fake_ops.cfg_read(ctx, sbdf, reg, size, val);
}

static int bare_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                      uint32_t val)
{
	return pvhdev_fake_ops.cfg_write(ctx, sbdf, reg, size, val);
}

static const struct pvhdev_backend_ops bare_ops = {
	.name = "bare",
	.cfg_read = bare_read,
	.cfg_write = bare_write,
};

static void backend_without_optional_hooks(void **state)
{
	struct fx *f = *state;
	struct rig *g = &f->rec;
	const struct pvhdev_trace_opts opts = { .size = sizeof(opts) };
	char *text;
	uint64_t m;

	memset(g, 0, sizeof(*g));
	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &g->alloc, f->devs, 2,
	                                 &g->fake), 0);
	assert_int_equal(pvhdev_trace_record_open(f->path, &bare_ops, g->fake, &opts,
	                                          &g->trace), 0);
	const struct pvhdev_backend_ops *ops = pvhdev_trace_backend(g->trace);
	assert_null(ops->enumerate);
	assert_null(ops->mmio_read);
	assert_null(ops->mmio_write);
	assert_non_null(ops->cfg_read);
	/* Called anyway: reads all-ones, as a domain would answer. */
	assert_int_equal(pvhdev_trace_ops.mmio_read(g->trace, 0xfe000000, 4, &m), 0);
	assert_int_equal(m, 0xffffffff);
	assert_int_equal(pvhdev_trace_ops.enumerate(g->trace, collect, NULL),
	                 -EOPNOTSUPP);
	assert_int_equal(rig_domain(g), 0);
	say(g, "scan rc %d\n", pvhdev_domain_scan(g->dom));
	events(g);
	assert_int_equal(rig_end(g), 0);
	text = slurp(f->path, NULL);
	assert_non_null(strstr(text, "<platform source=\"unknown\"/>\n"
	                             "  <backend name=\"bare\" hooks=\"\"/>\n"));
	free(text);

	rig_replay(&f->play, f->path, PVHDEV_TRACE_STRICT);
	ops = pvhdev_trace_backend(f->play.trace);
	assert_null(ops->enumerate);
	assert_null(ops->mmio_write);
	assert_int_equal(ops->cfg_read, pvhdev_trace_ops.cfg_read);
	assert_int_equal(pvhdev_trace_ops.mmio_read(f->play.trace, 0xfe000000, 4, &m), 0);
	say(&f->play, "scan rc %d\n", pvhdev_domain_scan(f->play.dom));
	events(&f->play);
	assert_int_equal(pvhdev_trace_finish(f->play.trace), 0);
	assert_int_equal(rig_end(&f->play), 0);
	assert_string_equal(f->play.out, f->rec.out);
	assert_non_null(strstr(f->rec.out, "dev-add 0000:00:03.0\n"));
}

/* Each optional hook on its own: the domain's table has those the
 * recorded backend had, from the wrapped backend when recording and
 * from the header's hooks="..." (any order, any spacing) on replay. */
static int fake_mmio_read(void *ctx, uint64_t addr, unsigned size, uint64_t *val)
{
	return pvhdev_fake_ops.mmio_read(ctx, addr, size, val);
}

static const struct pvhdev_backend_ops mmio_read_only_ops = {
	.name = "mmio-read-only",
	.cfg_read = bare_read,
	.cfg_write = bare_write,
	.mmio_read = fake_mmio_read,
};

/* ops is the trace's, with the optional hooks mr, mw, en say. */
static void check_hooks(const struct pvhdev_backend_ops *ops, bool mr, bool mw,
                        bool en)
{
	assert_string_equal(ops->name, "trace");
	assert_true(ops->cfg_read == pvhdev_trace_ops.cfg_read);
	assert_true(ops->cfg_write == pvhdev_trace_ops.cfg_write);
	assert_true(ops->mmio_read == (mr ? pvhdev_trace_ops.mmio_read : NULL));
	assert_true(ops->mmio_write == (mw ? pvhdev_trace_ops.mmio_write : NULL));
	assert_true(ops->enumerate == (en ? pvhdev_trace_ops.enumerate : NULL));
	assert_null(ops->close);
}

static void optional_hooks_one_by_one(void **state)
{
	static const struct {
		const char *hooks;
		bool mr, mw, en;
	} rows[] = {
		{ "", false, false, false },
		{ "mmio_read", true, false, false },
		{ "mmio_write", false, true, false },
		{ "enumerate", false, false, true },
		{ " enumerate\tmmio_read ", true, false, true },
		{ "mmio_write enumerate", false, true, true },
		{ "mmio_read mmio_write", true, true, false },
		{ "enumerate mmio_write mmio_read", true, true, true },
	};
	struct fx *f = *state;
	struct pvhdev_trace *t;
	struct pvhdev_fake *fake;
	struct test_alloc a = { 0 };
	char text[1024], err[512], *got;

	assert_int_equal(pvhdev_fake_new(&test_alloc_ops, &a, f->devs, 2, &fake), 0);
	assert_int_equal(pvhdev_trace_record_open(f->path, &mmio_read_only_ops, fake,
	                                          NULL, &t), 0);
	check_hooks(pvhdev_trace_backend(t), true, false, false);
	assert_int_equal(pvhdev_trace_close(t), 0);
	pvhdev_fake_free(fake);
	got = slurp(f->path, NULL);
	assert_non_null(strstr(got, "<backend name=\"mmio-read-only\" hooks=\"mmio_read\"/>"));
	free(got);

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		snprintf(text, sizeof(text),
		         "<pvhdev-trace format=\"1\" pvhdev=\"0\">\n"
		         "  <platform source=\"test\"/>\n"
		         "  <backend name=\"x\" hooks=\"%s\"/>\n" TAIL, rows[i].hooks);
		spew(f->path, text, strlen(text));
		assert_int_equal(pvhdev_trace_replay_open(f->path, PVHDEV_TRACE_STRICT,
		                                          &t, err, sizeof(err)), 0);
		check_hooks(pvhdev_trace_backend(t), rows[i].mr, rows[i].mw, rows[i].en);
		assert_int_equal(pvhdev_trace_close(t), 0);
	}
}

/* Every hook of a finished trace: the trace's error (-EIO when it has
 * none), reads all-ones, an enumeration with no device, and nothing
 * reaches the file, the wrapped backend or the counters; in each mode. */
static void after_finish(struct pvhdev_trace *t, int err)
{
	struct pvhdev_trace_counters before, after;
	char seen[64] = "";
	uint32_t v = 0;
	uint64_t m = 0;

	assert_int_equal(pvhdev_trace_get_counters(t, &before), 0);
	assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0x0, 4, &v), err);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0x0, 2, &v), err);
	assert_int_equal(v, 0xffff);
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x0c, 1, 0x42), err);
	assert_int_equal(pvhdev_trace_ops.mmio_read(t, 0xfe000000, 8, &m), err);
	assert_true(m == ~0ull);
	assert_int_equal(pvhdev_trace_ops.mmio_read(t, 0xfe000000, 1, &m), err);
	assert_int_equal(m, 0xff);
	assert_int_equal(pvhdev_trace_ops.mmio_write(t, 0xfe000000, 4, 1), err);
	assert_int_equal(pvhdev_trace_ops.enumerate(t, collect, seen), err);
	assert_string_equal(seen, "");
	assert_int_equal(pvhdev_trace_get_counters(t, &after), 0);
	assert_memory_equal(&before, &after, sizeof(before));
}

static void calls_after_finish(void **state)
{
	struct fx *f = *state;
	struct pvhdev_trace *t;
	char err[512], seen[64], *before, *after;
	size_t len, len2;
	uint32_t v;

	rig_record(&f->rec, f->path, f->devs, 2, NULL);
	t = f->rec.trace;
	assert_int_equal(pvhdev_trace_ops.cfg_write(t, DEV_A, 0x0c, 1, 0x11), 0);
	assert_int_equal(pvhdev_trace_finish(t), 0);
	before = slurp(f->path, &len);
	after_finish(t, -EIO);
	after = slurp(f->path, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(before, after, len);
	free(before);
	free(after);
	assert_int_equal(pvhdev_fake_ops.cfg_read(f->rec.fake, DEV_A, 0x0c, 1, &v), 0);
	assert_int_equal(v, 0x11);
	assert_int_equal(rig_end(&f->rec), 0);

	/* Replay: the trace's answers are gone too. */
	for (int mode = PVHDEV_TRACE_STRICT; mode <= PVHDEV_TRACE_RELAXED; mode++) {
		write_trace(f, "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x10d38086\"/>\n"
		               "  <enum>\n    <d s=\"0000:00:02.0\"/>\n  </enum>\n" TAIL);
		assert_int_equal(pvhdev_trace_replay_open(f->path, mode, &t, err,
		                                          sizeof(err)), 0);
		assert_int_equal(pvhdev_trace_ops.cfg_read(t, DEV_A, 0x0, 4, &v), 0);
		assert_int_equal(v, 0x10d38086);
		seen[0] = '\0';
		assert_int_equal(pvhdev_trace_ops.enumerate(t, collect, seen), 0);
		assert_string_equal(seen, "0000:00:02.0 ");
		assert_int_equal(pvhdev_trace_finish(t), 0);
		after_finish(t, -EIO);
		assert_string_equal(pvhdev_trace_error(t), "");
		assert_int_equal(pvhdev_trace_finish(t), 0);
		assert_int_equal(pvhdev_trace_close(t), 0);
	}
}

/* Past line 65535 libxml2 stops counting element lines: the report
 * still names the right one. */
static void line_numbers_past_65535(void **state)
{
	struct fx *f = *state;
	const unsigned n = 70000, bad = 69990; /* access index, from 0 */
	struct pvhdev_trace *t;
	char want[512];
	int rc = 0;

	rig_record(&f->rec, f->path, f->devs, 2, NULL);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(pvhdev_trace_ops.cfg_write(f->rec.trace, DEV_A, 0x0c, 1,
		                                            i & 0xff), 0);
	assert_int_equal(rig_end(&f->rec), 0);
	t = strict(f);
	for (unsigned i = 0; i < n && !rc; i++)
		rc = pvhdev_trace_ops.cfg_write(t, DEV_A, 0x0c, 1,
		                                (i + (i == bad)) & 0xff);
	assert_int_equal(rc, -EPROTO);
	snprintf(want, sizeof(want),
	         "%s:%u: access %u: expected <w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" "
	         "v=\"0x%02x\"/>, got <w s=\"0000:00:02.0\" o=\"0xc\" n=\"1\" v=\"0x%02x\"/>",
	         f->path, bad + 5, bad + 1, bad & 0xff, (bad + 1) & 0xff);
	assert_string_equal(pvhdev_trace_error(t), want);
	assert_int_equal(pvhdev_trace_close(t), -EPROTO);
}

/* ---- Checked-in traces ---- */

struct checked_in {
	const char *name;
	void (*session)(struct rig *);
	bool pf;          /* the SR-IOV PF, else the two endpoints */
	const char *note; /* the header's note */
};

static const struct checked_in traces[] = {
	{ "bar-sizing.xml", session_bars, false,
	  "session_bars: scan, guest BAR sizing and move, device memory" },
	{ "sriov-enable.xml", session_sriov, true,
	  "session_sriov: late MMCFG, PF add, VF Enable + VF MSE, disable" },
	{ "backend-error.xml", session_errors, false,
	  "session_errors: session_bars with the fake's 40th call failing -EIO" },
};

/* Each replays strictly to its end, with the transcript a recording on
 * the fake gives now: what pvhdev sends the hardware has not changed. */
static void checked_in_traces_replay(void **state)
{
	struct fx *f = *state;
	bool regen = getenv("PVHDEV_TRACE_REGEN") != NULL;
	char path[512];

	for (size_t i = 0; i < ARRAY_SIZE(traces); i++) {
		const struct checked_in *c = &traces[i];
		const struct pvhdev_fake_dev *devs = c->pf ? &f->pf : f->devs;
		const struct pvhdev_trace_opts opts = {
			.size = sizeof(opts), .source = "fake:tests/test_trace.c",
			.note = c->note,
		};

		snprintf(path, sizeof(path), "%s/%s", TRACES, c->name);
		if (regen) {
			rig_record(&f->rec, path, devs, c->pf ? 1 : 2, &opts);
			c->session(&f->rec);
			assert_int_equal(rig_end(&f->rec), 0);
		}
		rig_record(&f->rec, f->path, devs, c->pf ? 1 : 2, NULL);
		c->session(&f->rec);
		assert_int_equal(rig_end(&f->rec), 0);
		rig_replay(&f->play, path, PVHDEV_TRACE_STRICT);
		c->session(&f->play);
		if (pvhdev_trace_finish(f->play.trace))
			fail_msg("%s", pvhdev_trace_error(f->play.trace));
		assert_int_equal(rig_end(&f->play), 0);
		assert_string_equal(f->play.out, f->rec.out);
		assert_int_equal(xmllint(path), 0);
	}
}

/* The schema refuses what the reader refuses (the parts a schema can
 * say) and takes comments. */
static void schema_validates(void **state)
{
	static const char *const bad[] = {
		"  <x/>\n",
		"  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"3\" v=\"0x0\"/>\n",
		"  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\"/>\n",
		"  <w s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\" shadow=\"2\"/>\n",
		"  <mr a=\"0x10000000000000000\" n=\"8\" v=\"0x0\"/>\n",
		"  <r s=\"0000:00:20.0\" o=\"0x0\" n=\"4\" v=\"0x0\"/>\n",
		"  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" rc=\"-4096\"/>\n",
		"  <enum><r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" v=\"0x0\"/></enum>\n",
	};
	struct fx *f = *state;
	char body[512];

	assert_true(have_xmllint()); /* scripts/deps.sh installs it */
	write_trace(f, "  <!-- ok -->\n"
	               "  <r s=\"0000:00:02.0\" o=\"0x0\" n=\"4\" rc=\"-5\"/>\n"
	               "  <enum rc=\"-5\"/>\n" TAIL);
	assert_int_equal(xmllint(f->path), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(body, sizeof(body), "%s" TAIL, bad[i]);
		write_trace(f, body);
		assert_int_not_equal(xmllint(f->path), 0);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(record_replay_bars, setup, teardown),
	cmocka_unit_test_setup_teardown(record_replay_sriov, setup, teardown),
	cmocka_unit_test_setup_teardown(record_replay_backend_error, setup, teardown),
	cmocka_unit_test_setup_teardown(record_format, setup, teardown),
	cmocka_unit_test_setup_teardown(edited_write_value, setup, teardown),
	cmocka_unit_test_setup_teardown(edited_mmio_value, setup, teardown),
	cmocka_unit_test_setup_teardown(edited_read_value, setup, teardown),
	cmocka_unit_test_setup_teardown(reordered_accesses, setup, teardown),
	cmocka_unit_test_setup_teardown(wrong_kind, setup, teardown),
	cmocka_unit_test_setup_teardown(trace_or_replay_ends_first, setup, teardown),
	cmocka_unit_test_setup_teardown(unknown_element_and_attributes, setup, teardown),
	cmocka_unit_test_setup_teardown(bad_numbers, setup, teardown),
	cmocka_unit_test_setup_teardown(malformed_xml, setup, teardown),
	cmocka_unit_test_setup_teardown(truncated, setup, teardown),
	cmocka_unit_test_setup_teardown(bad_header, setup, teardown),
	cmocka_unit_test_setup_teardown(open_errors_and_misuse, setup, teardown),
	cmocka_unit_test_setup_teardown(relaxed_by_key, setup, teardown),
	cmocka_unit_test_setup_teardown(relaxed_device_model, setup, teardown),
	cmocka_unit_test_setup_teardown(shadow_marks, setup, teardown),
	cmocka_unit_test_setup_teardown(write_error_reported, setup, teardown),
	cmocka_unit_test_setup_teardown(backend_without_optional_hooks, setup, teardown),
	cmocka_unit_test_setup_teardown(optional_hooks_one_by_one, setup, teardown),
	cmocka_unit_test_setup_teardown(calls_after_finish, setup, teardown),
	cmocka_unit_test_setup_teardown(line_numbers_past_65535, setup, teardown),
	cmocka_unit_test_setup_teardown(checked_in_traces_replay, setup, teardown),
	cmocka_unit_test_setup_teardown(schema_validates, setup, teardown),
};

PVHDEV_TEST_MAIN("trace", tests)
