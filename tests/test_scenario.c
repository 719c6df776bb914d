/* SPDX-License-Identifier: MIT */
/*
 * Scenarios: the parser (every command, numbers, comments, qtest log
 * lines, and malformed input with its exact one-line error) and the
 * runner on the fake backend (CF8/CFC and ECAM reads, events, the p2m,
 * failed expectations with their exact message).
 */
#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <pvhdev/platform.h>
#include <pvhdev/scenario.h>

#define HOST PVHDEV_SBDF(0, 0, 0, 0)
#define LPC PVHDEV_SBDF(0, 0, 0x1f, 0)
#define ECAM 0xe0000000ull

/* ---- Parsing ---- */

static struct pvhdev_scenario *parse_ok(const char *text)
{
	struct pvhdev_scenario *sc = NULL;
	char err[512];
	int rc = pvhdev_scenario_parse("t.scn", text, strlen(text), &sc, err,
	                               sizeof(err));

	if (rc)
		fail_msg("unexpected parse error %d: %s", rc, err);
	return sc;
}

/* Asserts text fails to parse with exactly want. */
static void parse_bad(const char *text, size_t len, const char *want)
{
	struct pvhdev_scenario *sc = (struct pvhdev_scenario *)1;
	char err[512];

	assert_int_equal(pvhdev_scenario_parse("t.scn", text, len, &sc, err,
	                                       sizeof(err)), -EINVAL);
	assert_null(sc);
	assert_string_equal(err, want);
}

struct bad_case {
	const char *text, *want;
};

static void parse_bad_table(const struct bad_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		parse_bad(c[i].text, strlen(c[i].text), c[i].want);
}

/* Every command, both number bases, comments and blanks. */
static void test_parse_every_command(void **state)
{
	struct pvhdev_scenario *sc = parse_ok(
		"# every command\n"
		"\n"
		"outb 0x80 0xff\n"
		"outw 0x80 65535   # decimal\n"
		"outl 0xCF8 0x80000000\n"
		"inb 0x80\n"
		"expect 0xff\n"
		"inw 128\n"
		"expect 65535\n"
		"inl 0xcfc\n"
		"expect 0XFFFFFFFF\n"
		"writeb 0xe0000000 0x1\n"
		"writew 0xe0000000 0x1\n"
		"writel 0xe0000000 0x1\n"
		"writeq 0xe0000000 0xffffffffffffffff\n"
		"readb 0xe0000000\n"
		"readw 0xe0000000\n"
		"readl 0xe0000000\n"
		"readq 0xe0000000\n"
		"expect 18446744073709551615\n"
		"drain\n"
		"expect-event hw-write 0000:00:00.0 0xc 1 0x10\n"
		"expect-no-event\n"
		"expect-mapped 0xfe000 0x10\n"
		"expect-unmapped 0 1\n");

	(void)state;
	assert_int_equal(pvhdev_scenario_steps(sc), 23);
	pvhdev_scenario_free(sc);
}

/* Comments, blank lines, CRLF, tabs, a missing final newline. */
static void test_parse_layout(void **state)
{
	struct pvhdev_scenario *sc = parse_ok(
		"   # indented comment\r\n"
		"\t\r\n"
		"outl\t0xcf8\t\t0x80000000\r\n"
		"  inl 0xcfc#no space before the comment\n"
		"# UTF-8 in a comment: \xc2\xb5s\n"
		"expect 0x1");

	(void)state;
	assert_int_equal(pvhdev_scenario_steps(sc), 3);
	pvhdev_scenario_free(sc);
}

/* An empty scenario, or one of comments only, is valid and does nothing. */
static void test_parse_empty(void **state)
{
	struct pvhdev_scenario *sc = parse_ok("");

	(void)state;
	assert_int_equal(pvhdev_scenario_steps(sc), 0);
	pvhdev_scenario_free(sc);
	sc = parse_ok("# nothing\n\n   \n");
	assert_int_equal(pvhdev_scenario_steps(sc), 0);
	pvhdev_scenario_free(sc);
	assert_int_equal(pvhdev_scenario_parse("t.scn", NULL, 0, &sc, NULL, 0), 0);
	assert_int_equal(pvhdev_scenario_steps(sc), 0);
	pvhdev_scenario_free(sc);
	pvhdev_scenario_free(NULL);
}

/* QEMU -qtest-log lines: [R +T] commands run; [S +T] responses and IRQ
 * messages and [I T] OPENED/CLOSED are skipped; clock and IRQ-intercept
 * commands are kept as skipped steps. */
static void test_parse_qtest_log(void **state)
{
	struct pvhdev_scenario *sc = parse_ok(
		"[I 0.000000] OPENED\n"
		"[R +0.000123] outl 0xcf8 0x80000000\n"
		"[S +0.000130] OK\n"
		"[R +0.000131] inl 0xcfc\n"
		"[S +0.000140] OK 0x16048086\n"
		"[S +0.000150] IRQ raise 4\n"
		"[R +0.000200] irq_intercept_in ioapic\n"
		"[S +0.000201] OK\n"
		"[R +0.1] clock_step 1000\n"
		"[R +1.5] endianness\n"
		"[R +2]\n"
		"[I +2.000000] CLOSED\n");

	(void)state;
	assert_int_equal(pvhdev_scenario_steps(sc), 5);
	pvhdev_scenario_free(sc);
}

static void test_parse_bad_numbers(void **state)
{
	static const struct bad_case c[] = {
		{ "writeq 0x0 0x10000000000000000\n",
		  "t.scn:1: expected VAL to fit in 64 bits, got '0x10000000000000000'" },
		{ "writeq 0x0 18446744073709551616\n",
		  "t.scn:1: expected VAL to fit in 64 bits, got '18446744073709551616'" },
		{ "readq 0x1ffffffffffffffff\n",
		  "t.scn:1: expected ADDR to fit in 64 bits, got '0x1ffffffffffffffff'" },
		{ "outb 0x80 -1\n",
		  "t.scn:1: expected VAL to be non-negative, got '-1'" },
		{ "outb 0x80 0x100\n",
		  "t.scn:1: expected VAL to fit in 1 byte for outb, got '0x100'" },
		{ "outw 0xcfc 65536\n",
		  "t.scn:1: expected VAL to fit in 2 bytes for outw, got '65536'" },
		{ "writel 0xe0000000 0x100000000\n",
		  "t.scn:1: expected VAL to fit in 4 bytes for writel, got '0x100000000'" },
		{ "inb 0x10000\n",
		  "t.scn:1: expected PORT to be at most 0xffff, got '0x10000'" },
		{ "outb 0x80 zz\n",
		  "t.scn:1: expected VAL to be a number (hex with 0x, or decimal), got 'zz'" },
		{ "outb 0x80 0x\n",
		  "t.scn:1: expected VAL to be a number (hex with 0x, or decimal), got '0x'" },
		{ "outb 0x80 0x1g\n",
		  "t.scn:1: expected VAL to be a number (hex with 0x, or decimal), got '0x1g'" },
		{ "outb 0x80 010\n",
		  "t.scn:1: expected VAL in hex with 0x or in decimal, got '010' (qtest "
		  "reads a leading 0 as octal)" },
		{ "inb 0x80\nexpect 0x100\n",
		  "t.scn:2: expected VAL to fit in 1 byte (the inb on line 1), got '0x100'" },
		{ "expect-mapped 0x100 0\n",
		  "t.scn:1: expected NR to be at least 1 page, got '0'" },
		{ "expect-unmapped 0xffffffffffffffff 2\n",
		  "t.scn:1: expected GFN + NR to stay within 64 bits, got "
		  "0xffffffffffffffff 2" },
		{ "outb 0x80 0x0000000000000000000000000000000000000000000000000000001ff\n",
		  "t.scn:1: expected VAL to fit in 1 byte for outb, got "
		  "'0x00000000000000000000000000000000000000...'" },
	};

	(void)state;
	parse_bad_table(c, sizeof(c) / sizeof(c[0]));
}

static void test_parse_bad_commands(void **state)
{
	static const struct bad_case c[] = {
		{ "outx 0xcf8 1\n",
		  "t.scn:1: expected a command (out*, in*, write*, read*, expect, drain, "
		  "expect-event, expect-no-event, expect-mapped, expect-unmapped, waive, mmcfg-add, "
		  "dev-add, dev-remove, dev-hide, reset, plug, unplug), got 'outx'" },
		{ "OUTB 0x80 1\n",
		  "t.scn:1: expected a command (out*, in*, write*, read*, expect, drain, "
		  "expect-event, expect-no-event, expect-mapped, expect-unmapped, waive, mmcfg-add, "
		  "dev-add, dev-remove, dev-hide, reset, plug, unplug), got 'OUTB'" },
		{ "expect-event mapped 0x1 0x1 0x1 bar\n",
		  "t.scn:1: expected an event kind of docs/events.md (map, unmap, msi-bind, "
		  "..., dev-remove) after expect-event, got 'mapped 0x1 0x1 0x1 bar'" },
		{ "dev-add 00:1f\n",
		  "t.scn:1: expected SBDF as ssss:bb:dd.f or bb:dd.f, got '00:1f'" },
		{ "dev-remove 00:20.0\n",
		  "t.scn:1: expected SBDF as ssss:bb:dd.f or bb:dd.f, got '00:20.0'" },
		{ "mmcfg-add 0xe0000000 0 2 1\n",
		  "t.scn:1: expected SEG at most 0xffff and START_BUS <= END_BUS at most "
		  "0xff, got 0 2 1" },
		{ "dev-hide\n",
		  "t.scn:1: expected 1 argument (SBDF) after dev-hide, got 0" },
		{ "plug\n",
		  "t.scn:1: expected 1 argument (SBDF) after plug, got 0" },
		{ "plug 01:00.0 01:00.1\n",
		  "t.scn:1: expected 1 argument (SBDF) after plug, got 2" },
		{ "unplug 1:0.0\n",
		  "t.scn:1: expected SBDF as ssss:bb:dd.f or bb:dd.f, got '1:0.0'" },
		{ "memset 0x1000 16 0\n",
		  "t.scn:1: expected a 1, 2, 4 or 8-byte access, got qtest bulk command "
		  "'memset' (not supported)" },
		{ "write 0x1000 2 0x1234\n",
		  "t.scn:1: expected a 1, 2, 4 or 8-byte access, got qtest bulk command "
		  "'write' (not supported)" },
		{ "outl 0xcf8 0x80000000\ninl 0xcfc\noutl 0xcf8",
		  "t.scn:3: expected 2 arguments (PORT VAL) after outl, got 1" },
		{ "inb 0x80 1\n", "t.scn:1: expected 1 argument (PORT) after inb, got 2" },
		{ "readq\n", "t.scn:1: expected 1 argument (ADDR) after readq, got 0" },
		{ "writew 0x10 1 2\n",
		  "t.scn:1: expected 2 arguments (ADDR VAL) after writew, got 3" },
		{ "drain now\n", "t.scn:1: expected no arguments after drain, got 1" },
		{ "expect-no-event x y\n",
		  "t.scn:1: expected no arguments after expect-no-event, got 2" },
		{ "expect-mapped 0x100\n",
		  "t.scn:1: expected 2 arguments (GFN NR) after expect-mapped, got 1" },
		{ "inb 0x80\nexpect\n", "t.scn:2: expected 1 argument (VAL) after expect, got 0" },
		{ "expect-event   \n", "t.scn:1: expected an event line after expect-event" },
	};

	(void)state;
	parse_bad_table(c, sizeof(c) / sizeof(c[0]));
}

static void test_parse_bad_expect(void **state)
{
	static const struct bad_case c[] = {
		{ "# nothing read yet\nexpect 0x1\n",
		  "t.scn:2: expected a read (inb/inw/inl, readb..readq) before expect" },
		{ "outl 0xcf8 0x80000000\nexpect 0x0\n",
		  "t.scn:2: expected a read before expect, got outl on line 1" },
		{ "inl 0xcfc\nwriteq 0xe0000000 0x0\n\nexpect 0x0\n",
		  "t.scn:4: expected a read before expect, got writeq on line 2" },
	};

	(void)state;
	parse_bad_table(c, sizeof(c) / sizeof(c[0]));
}

static void test_parse_bad_bytes(void **state)
{
	static const struct bad_case c[] = {
		{ "outb 0x80 \x01\n", "t.scn:1: expected text, got byte 0x01 at column 11" },
		{ "outb 0x80 1\n\xff\xfe\n", "t.scn:2: expected text, got byte 0xff at column 1" },
		{ "inb 0x80\x7f\n", "t.scn:1: expected text, got byte 0x7f at column 9" },
		{ "inb\r0x80\n", "t.scn:1: expected text, got byte 0x0d at column 4" },
		{ "[X +0.1] outb 0x80 1\n",
		  "t.scn:1: expected a qtest log prefix ([R +TIME], [S +TIME] or [I +TIME]), "
		  "got '[X +0.1] outb 0x80 1'" },
		{ "[R +0.0001 outb 0x80 1\n",
		  "t.scn:1: expected ']' after the time of the qtest log prefix, got "
		  "'[R +0.0001 outb 0x80 1'" },
		{ "[R +0.1]] outb 0x80 1\n",
		  "t.scn:1: expected a command (out*, in*, write*, read*, expect, drain, "
		  "expect-event, expect-no-event, expect-mapped, expect-unmapped, waive, mmcfg-add, "
		  "dev-add, dev-remove, dev-hide, reset, plug, unplug), got ']'" },
	};

	(void)state;
	parse_bad_table(c, sizeof(c) / sizeof(c[0]));
	/* A NUL byte is garbage too, not the end of the text. */
	parse_bad("inb 0x80\ninb\0 0x80\n", 19, "t.scn:2: expected text, got byte 0x00 "
	          "at column 4");
}

/* Errors fit any buffer; a malformed line late in a file means nothing
 * of it is kept (it never half-runs). */
static void test_parse_err_buffer(void **state)
{
	struct pvhdev_scenario *sc = (struct pvhdev_scenario *)1;
	char err[12];
	const char *text = "inb 0x80\ninb 0x80\nbogus\n";

	(void)state;
	assert_int_equal(pvhdev_scenario_parse("t.scn", text, strlen(text), &sc,
	                                       err, sizeof(err)), -EINVAL);
	assert_null(sc);
	assert_string_equal(err, "t.scn:3: ex");
	assert_int_equal(pvhdev_scenario_parse("t.scn", text, strlen(text), &sc,
	                                       NULL, 0), -EINVAL);
}

static void test_load_errors(void **state)
{
	struct pvhdev_scenario *sc;
	char err[512];

	(void)state;
	assert_int_equal(pvhdev_scenario_load(PVHDEV_TEST_DATA "/no-such.scn", &sc,
	                                      err, sizeof(err)), -ENOENT);
	assert_null(sc);
	assert_string_equal(err, PVHDEV_TEST_DATA "/no-such.scn: cannot open: "
	                         "No such file or directory");
	assert_int_equal(pvhdev_scenario_load(PVHDEV_TEST_DATA, &sc, err,
	                                      sizeof(err)), -EISDIR);
	assert_string_equal(err, PVHDEV_TEST_DATA ": cannot read: Is a directory");
}

/* Every scenario shipped under tests/data/scenarios parses. */
static void test_load_all_scenarios(void **state)
{
	DIR *d = opendir(PVHDEV_TEST_DATA "/scenarios");
	struct dirent *e;
	unsigned n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[1024], err[512];
		struct pvhdev_scenario *sc;
		if (len < 5 || strcmp(e->d_name + len - 4, ".scn"))
			continue;
		snprintf(path, sizeof(path), "%s/scenarios/%s", PVHDEV_TEST_DATA, e->d_name);
		if (pvhdev_scenario_load(path, &sc, err, sizeof(err)))
			fail_msg("%s", err);
		assert_true(pvhdev_scenario_steps(sc) > 0);
		pvhdev_scenario_free(sc);
		n++;
	}
	closedir(d);
	assert_true(n >= 20);
}

/* ---- Running, on the fake backend ---- */

struct fx {
	struct test_dom t;
	uint8_t host[256], lpc[256];
	char out[8192];
	size_t out_len;
	struct pvhdev_scenario_result res;
};

static void collect(void *ctx, const char *line)
{
	struct fx *f = ctx;
	int n = snprintf(f->out + f->out_len, sizeof(f->out) - f->out_len, "%s\n", line);

	assert_true(n > 0 && (size_t)n < sizeof(f->out) - f->out_len);
	f->out_len += (size_t)n;
}

/* A Broadwell-U host bridge and its LPC bridge, as the bundled NUC has
 * them; nothing in 0x40..0xff is trapped, so writes there pass through. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	test_cfg_init(f->host, 0x8086, 0x1604, 0x06000009, 0);
	test_cfg_init(f->lpc, 0x8086, 0x9cc3, 0x06010003, 0x80);
	const struct pvhdev_fake_dev devs[] = {
		{ .sbdf = HOST, .cfg = f->host, .cfg_len = 256 },
		{ .sbdf = LPC, .cfg = f->lpc, .cfg_len = 256 },
	};
	assert_int_equal(test_dom_init(&f->t, devs, 2), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, HOST), 0);
	assert_int_equal(pvhdev_dev_add(f->t.dom, LPC), 0);
	*state = f;
	return 0;
}


/* Parses and runs text on dom; returns what run returned. */
static int run_on(struct fx *f, struct pvhdev_domain *dom, const char *text)
{
	struct pvhdev_scenario *sc = parse_ok(text);
	int rc;

	f->out_len = 0;
	f->out[0] = 0;
	rc = pvhdev_scenario_run(sc, dom, collect, f, &f->res);
	pvhdev_scenario_free(sc);
	return rc;
}

static int run(struct fx *f, const char *text)
{
	return run_on(f, f->t.dom, text);
}

static void run_ok(struct fx *f, const char *text, const char *want)
{
	assert_int_equal(run(f, text), 0);
	if (f->res.failed_line)
		fail_msg("%s", f->res.msg);
	assert_string_equal(f->out, want);
}

static void run_fails(struct fx *f, const char *text, const char *msg)
{
	assert_int_equal(run(f, text), 0);
	assert_string_equal(f->res.msg, msg);
	assert_true(f->res.failed_line > 0);
}

static void test_run_cf8_cfc(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "outl 0xcf8 0x80000000\n"
	       "inl 0xcfc\n"
	       "expect 0x16048086\n"
	       "inw 0xcfe\n"
	       "expect 0x1604\n"
	       "inb 0xcfd\n"
	       "expect 0x80\n"
	       "outl 0xcf8 0x8000f808   # 00:1f.0, class/revision\n"
	       "inl 0xcfc\n"
	       "expect 0x06010003\n"
	       "outl 0xcf8 0x80002800   # 00:05.0 is absent\n"
	       "inl 0xcfc\n"
	       "expect 0xffffffff\n"
	       "inl 0xcf8\n",
	       "1: outl 0xcf8 0x80000000  (00:00.0 +0x00 VENDOR_ID)\n"
	       "2: inl 0xcfc -> 0x16048086  (00:00.0 +0x00 VENDOR_ID)\n"
	       "3: expect 0x16048086: ok\n"
	       "4: inw 0xcfe -> 0x1604  (00:00.0 +0x02 DEVICE_ID)\n"
	       "5: expect 0x1604: ok\n"
	       "6: inb 0xcfd -> 0x80  (00:00.0 +0x01 VENDOR_ID+1)\n"
	       "7: expect 0x80: ok\n"
	       "8: outl 0xcf8 0x8000f808  (00:1f.0 +0x08 REVISION)\n"
	       "9: inl 0xcfc -> 0x06010003  (00:1f.0 +0x08 REVISION)\n"
	       "10: expect 0x06010003: ok\n"
	       "11: outl 0xcf8 0x80002800  (00:05.0 +0x00 VENDOR_ID)\n"
	       "12: inl 0xcfc -> 0xffffffff  (00:05.0 +0x00 VENDOR_ID)\n"
	       "13: expect 0xffffffff: ok\n"
	       "14: inl 0xcf8 -> 0x80002800\n");
	assert_int_equal(f->res.accesses, 9);
	assert_int_equal(f->res.checks, 5);
}

static void test_run_ecam(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM, 0, 0, 0), 0);
	run_ok(f,
	       "readl 0xe0000000\n"
	       "expect 0x16048086\n"
	       "readw 0xe00f8002\n"
	       "expect 0x9cc3\n"
	       "readq 0xe00f8008\n"
	       "expect 0x0080000006010003\n"
	       "readl 0xe0100000   # bus 1: outside the window\n"
	       "expect 0xffffffff\n",
	       "1: readl 0xe0000000 -> 0x16048086  (00:00.0 +0x00 VENDOR_ID)\n"
	       "2: expect 0x16048086: ok\n"
	       "3: readw 0xe00f8002 -> 0x9cc3  (00:1f.0 +0x02 DEVICE_ID)\n"
	       "4: expect 0x9cc3: ok\n"
	       "5: readq 0xe00f8008 -> 0x0080000006010003  (00:1f.0 +0x08 REVISION)\n"
	       "6: expect 0x0080000006010003: ok\n"
	       "7: readl 0xe0100000 -> 0xffffffff (not trapped: dom0 reaches it "
	       "directly)\n"
	       "8: expect 0xffffffff: ok\n");
}

/* Ports and addresses pvhdev leaves to the embedder read all-ones. */
static void test_run_not_decoded(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "inb 0x80\n"
	       "expect 0xff\n"
	       "outb 0xcf9 0x6\n"
	       "inw 0xcf8\n"
	       "writel 0xfed00000 0x1\n"
	       "readq 0xfed00000\n"
	       "expect-no-event\n",
	       "1: inb 0x80 -> 0xff (not decoded by pvhdev)\n"
	       "2: expect 0xff: ok\n"
	       "3: outb 0xcf9 0x6 (not decoded by pvhdev)\n"
	       "4: inw 0xcf8 -> 0xffff (not decoded by pvhdev)\n"
	       "5: writel 0xfed00000 0x1 (not trapped: dom0 reaches it directly)\n"
	       "6: readq 0xfed00000 -> 0xffffffffffffffff (not trapped: dom0 reaches "
	       "it directly)\n"
	       "7: expect-no-event: ok\n");
}

static void test_run_hw_write_events(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pvhdev_mmcfg_add(f->t.dom, ECAM, 0, 0, 0), 0);
	run_ok(f,
	       "outl 0xcf8 0x8000000c\n"
	       "outb 0xcfc 0x10\n"
	       "expect-event hw-write 0000:00:00.0 0xc 1 0x10\n"
	       "expect-no-event\n"
	       "writel 0xe00f8040 0x11223344\n"
	       "expect-event   hw-write\t0000:00:1f.0 0x40 4 0x11223344\n"
	       "expect-no-event\n"
	       "inl 0xcfc\n"
	       "expect-no-event\n",
	       "1: outl 0xcf8 0x8000000c  (00:00.0 +0x0c CACHE_LINE_SIZE)\n"
	       "2: outb 0xcfc 0x10  (00:00.0 +0x0c CACHE_LINE_SIZE)\n"
	       "    hw-write 0000:00:00.0 0xc 1 0x10\n"
	       "3: expect-event hw-write 0000:00:00.0 0xc 1 0x10: ok\n"
	       "4: expect-no-event: ok\n"
	       "5: writel 0xe00f8040 0x11223344  (00:1f.0 +0x40)\n"
	       "    hw-write 0000:00:1f.0 0x40 4 0x11223344\n"
	       "6: expect-event hw-write 0000:00:1f.0 0x40 4 0x11223344: ok\n"
	       "7: expect-no-event: ok\n"
	       "8: inl 0xcfc -> 0x00000010  (00:00.0 +0x0c CACHE_LINE_SIZE)\n"
	       "9: expect-no-event: ok\n");
}

static enum pvhdev_verdict absorb(struct pvhdev_dev *dev,
                                  const struct pvhdev_reg *reg, uint32_t val)
{
	(void)dev, (void)reg, (void)val;
	return PVHDEV_DONE;
}

/* One access, several events: expect-event matches them in log order,
 * each once; expect-no-event sees what was not matched. */
static void test_run_event_order(void **state)
{
	struct fx *f = *state;
	struct pvhdev_dev *dev;
	const struct pvhdev_reg r = { .off = 0x41, .size = 1, .write = absorb };
	const char *write = "outl 0xcf8 0x80000040\n"
	                    "outl 0xcfc 0x11223344\n";
	char text[512];

	assert_int_equal(pvhdev_dev_get(f->t.dom, HOST, &dev), 0);
	assert_int_equal(pvhdev_reg_add(dev, &r), 0);
	snprintf(text, sizeof(text), "%s"
	         "expect-event hw-write 0000:00:00.0 0x40 1 0x44\n"
	         "expect-event hw-write 0000:00:00.0 0x42 2 0x1122\n"
	         "expect-no-event\n", write);
	run_ok(f, text,
	       "1: outl 0xcf8 0x80000040  (00:00.0 +0x40)\n"
	       "2: outl 0xcfc 0x11223344  (00:00.0 +0x40)\n"
	       "    hw-write 0000:00:00.0 0x40 1 0x44\n"
	       "    hw-write 0000:00:00.0 0x42 2 0x1122\n"
	       "3: expect-event hw-write 0000:00:00.0 0x40 1 0x44: ok\n"
	       "4: expect-event hw-write 0000:00:00.0 0x42 2 0x1122: ok\n"
	       "5: expect-no-event: ok\n");
	snprintf(text, sizeof(text), "%s"
	         "expect-event hw-write 0000:00:00.0 0x42 2 0x1122\n"
	         "expect-event hw-write 0000:00:00.0 0x40 1 0x44\n", write);
	run_fails(f, text, "t.scn:4: expected event 'hw-write 0000:00:00.0 0x40 1 "
	          "0x44' since line 2 after the events matched so far, got no events "
	          "(it came earlier, out of order)");
	snprintf(text, sizeof(text), "%s"
	         "expect-event hw-write 0000:00:00.0 0x42 2 0x1122\n"
	         "expect-no-event\n", write);
	run_fails(f, text, "t.scn:4: expected no events since line 2 but those "
	          "matched, got 'hw-write 0000:00:00.0 0x40 1 0x44'");
}

/* The first failed expectation stops the run with its exact message. */
static void test_run_failures(void **state)
{
	struct fx *f = *state;

	run_fails(f,
	          "outl 0xcf8 0x80000000\n"
	          "inl 0xcfc\n"
	          "expect 0x12345678\n"
	          "inl 0xcfc\n",
	          "t.scn:3: expected 0x12345678 from the read on line 2, got 0x16048086");
	assert_int_equal(f->res.failed_line, 3);
	assert_int_equal(f->res.accesses, 2);
	assert_string_equal(f->out, "1: outl 0xcf8 0x80000000  (00:00.0 +0x00 VENDOR_ID)\n"
	                            "2: inl 0xcfc -> 0x16048086  (00:00.0 +0x00 VENDOR_ID)\n");
	run_fails(f,
	          "outl 0xcf8 0x8000000c\n"
	          "outb 0xcfc 0x20\n"
	          "expect-event hw-write 0000:00:00.0 0xc 1 0x10\n",
	          "t.scn:3: expected event 'hw-write 0000:00:00.0 0xc 1 0x10' since "
	          "line 2, got 'hw-write 0000:00:00.0 0xc 1 0x20'");
	run_fails(f,
	          "outl 0xcf8 0x8000000c\n"
	          "expect-event hw-write 0000:00:00.0 0xc 1 0x10\n",
	          "t.scn:2: expected event 'hw-write 0000:00:00.0 0xc 1 0x10' since "
	          "line 1, got no events");
	run_fails(f,
	          "outl 0xcf8 0x8000000c\n"
	          "outb 0xcfc 0x20\n"
	          "expect-no-event\n",
	          "t.scn:3: expected no events since line 2, got "
	          "'hw-write 0000:00:00.0 0xc 1 0x20'");
	run_fails(f, "expect-mapped 0xfe000 0x10\n",
	          "t.scn:1: expected 0x10 pages from gfn 0xfe000 mapped, got gfn "
	          "0xfe000 unmapped");
}

/* expect-event compares numbers by value: any case, leading zeros,
 * hex or decimal; words that are not numbers must be equal. */
static void test_run_event_values(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "outl 0xcf8 0x8000000c\n"
	       "outb 0xcfc 0x10\n"
	       "expect-event hw-write 0000:00:00.0 0x000C 1 16\n",
	       "1: outl 0xcf8 0x8000000c  (00:00.0 +0x0c CACHE_LINE_SIZE)\n"
	       "2: outb 0xcfc 0x10  (00:00.0 +0x0c CACHE_LINE_SIZE)\n"
	       "    hw-write 0000:00:00.0 0xc 1 0x10\n"
	       "3: expect-event hw-write 0000:00:00.0 0x000C 1 16: ok\n");
	run_fails(f,
	          "outl 0xcf8 0x8000000c\n"
	          "outb 0xcfc 0x10\n"
	          "expect-event hw-write 0000:00:00.0 0xc 1 0x11\n",
	          "t.scn:3: expected event 'hw-write 0000:00:00.0 0xc 1 0x11' since "
	          "line 2, got 'hw-write 0000:00:00.0 0xc 1 0x10'");
	/* A word more or less is no match. */
	run_fails(f,
	          "outl 0xcf8 0x8000000c\n"
	          "outb 0xcfc 0x10\n"
	          "expect-event hw-write 0000:00:00.0 0xc 1\n",
	          "t.scn:3: expected event 'hw-write 0000:00:00.0 0xc 1' since "
	          "line 2, got 'hw-write 0000:00:00.0 0xc 1 0x10'");
}

/* expect VAL:MASK compares only MASK's bits (setpci's syntax). */
static void test_run_expect_mask(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "outl 0xcf8 0x80000000\n"
	       "inl 0xcfc\n"
	       "expect 0x00008086:0x0000ffff\n",
	       "1: outl 0xcf8 0x80000000  (00:00.0 +0x00 VENDOR_ID)\n"
	       "2: inl 0xcfc -> 0x16048086  (00:00.0 +0x00 VENDOR_ID)\n"
	       "3: expect 0x00008086:0x0000ffff: ok\n");
	run_fails(f,
	          "outl 0xcf8 0x80000000\n"
	          "inl 0xcfc\n"
	          "expect 0x8087:0xffff\n",
	          "t.scn:3: expected 0x00008087:0x0000ffff from the read on line 2, "
	          "got 0x16048086");
}

/* The hypervisor's side of PHYSDEVOP calls: device remove, add, hide and
 * a late MMCFG window, with their events in the window they open. */
static void test_run_platform_events(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "dev-remove 00:1f.0\n"
	       "expect-event dev-remove 0000:00:1f.0\n"
	       "dev-add 0000:00:1f.0\n"
	       "expect-event dev-add 0000:00:1f.0\n"
	       "dev-add 00:05.0\n"
	       "expect-no-event\n",
	       "1: dev-remove 0000:00:1f.0\n"
	       "    dev-remove 0000:00:1f.0\n"
	       "2: expect-event dev-remove 0000:00:1f.0: ok\n"
	       "3: dev-add 0000:00:1f.0\n"
	       /* sizing its BARs and ROM again, as at boot */
	       "    hw-write 0000:00:1f.0 0x10 4 0xffffffff\n"
	       "    hw-write 0000:00:1f.0 0x10 4 0x0\n"
	       "    hw-write 0000:00:1f.0 0x14 4 0xffffffff\n"
	       "    hw-write 0000:00:1f.0 0x14 4 0x0\n"
	       "    hw-write 0000:00:1f.0 0x18 4 0xffffffff\n"
	       "    hw-write 0000:00:1f.0 0x18 4 0x0\n"
	       "    hw-write 0000:00:1f.0 0x1c 4 0xffffffff\n"
	       "    hw-write 0000:00:1f.0 0x1c 4 0x0\n"
	       "    hw-write 0000:00:1f.0 0x20 4 0xffffffff\n"
	       "    hw-write 0000:00:1f.0 0x20 4 0x0\n"
	       "    hw-write 0000:00:1f.0 0x24 4 0xffffffff\n"
	       "    hw-write 0000:00:1f.0 0x24 4 0x0\n"
	       "    hw-write 0000:00:1f.0 0x30 4 0xfffffffe\n"
	       "    hw-write 0000:00:1f.0 0x30 4 0x0\n"
	       "    dev-add 0000:00:1f.0\n"
	       "4: expect-event dev-add 0000:00:1f.0: ok\n"
	       "5: dev-add 0000:00:05.0 -> no such device\n"
	       "6: expect-no-event: ok\n");
	/* A late window makes ECAM decode: the LPC bridge's IDs through it. */
	run_ok(f,
	       "mmcfg-add 0xe0000000 0 0 0\n"
	       "readl 0xe00f8000\n"
	       "expect 0x9cc38086\n"
	       "dev-hide 00:1f.0\n"
	       "readl 0xe00f8000\n"
	       "expect 0xffffffff\n",
	       "1: mmcfg-add 0xe0000000 0 0 0\n"
	       "2: readl 0xe00f8000 -> 0x9cc38086  (00:1f.0 +0x00 VENDOR_ID)\n"
	       "3: expect 0x9cc38086: ok\n"
	       "4: dev-hide 0000:00:1f.0\n"
	       "5: readl 0xe00f8000 -> 0xffffffff  (00:1f.0 +0x00 VENDOR_ID)\n"
	       "6: expect 0xffffffff: ok\n");
	test_check(&f->t);
}

/* A long window: the message shows six events and counts the rest.
 * Before the first access the window is the whole log (device add
 * sizes BARs through the backend, so there are plenty). */
static void test_run_failure_long_list(void **state)
{
	struct fx *f = *state;
	uint64_t end = pvhdev_event_next_seq(f->t.dom);
	char want[1024], ev[256];
	size_t n;

	assert_true(end > 6);
	n = (size_t)snprintf(want, sizeof(want), "t.scn:1: expected event "
	                     "'msi-bind 0000:00:00.0 0' since the start, got ");
	for (uint64_t seq = 0; seq < 6; seq++) {
		struct pvhdev_event e;
		assert_int_equal(pvhdev_event_get(f->t.dom, seq, &e), 0);
		assert_true(pvhdev_event_format(&e, ev, sizeof(ev)) > 0);
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s'%s'", seq ? "; " : "", ev);
	}
	snprintf(want + n, sizeof(want) - n, "; ... (%llu more)",
	         (unsigned long long)(end - 6));
	run_fails(f, "expect-event msi-bind 0000:00:00.0 0\n", want);
}

/* Before the first access the window is everything the domain logged:
 * its devices being added. */
static void test_run_boot_window(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "expect-event dev-add 0000:00:00.0\n"
	       "expect-event dev-add 0000:00:1f.0\n"
	       "inb 0x80\n"
	       "expect-no-event\n",
	       "1: expect-event dev-add 0000:00:00.0: ok\n"
	       "2: expect-event dev-add 0000:00:1f.0: ok\n"
	       "3: inb 0x80 -> 0xff (not decoded by pvhdev)\n"
	       "4: expect-no-event: ok\n");
}

/* qtest commands with no device effect show in the transcript. */
static void test_run_qtest_log(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "[I 0.000000] OPENED\n"
	       "[R +0.000123] outl 0xcf8 0x80000000\n"
	       "[S +0.000130] OK\n"
	       "[R +0.000131] inl 0xcfc\n"
	       "[S +0.000140] OK 0x16048086\n"
	       "[R +0.1] clock_step 1000\n"
	       "[S +0.1] OK 1000\n",
	       "2: outl 0xcf8 0x80000000  (00:00.0 +0x00 VENDOR_ID)\n"
	       "4: inl 0xcfc -> 0x16048086  (00:00.0 +0x00 VENDOR_ID)\n"
	       "6: clock_step 1000 (skipped: no device effect)\n");
}

/* The FILE * transcript writer: one line each, newline-terminated. */
static void test_run_out_file(void **state)
{
	struct fx *f = *state;
	struct pvhdev_scenario *sc = parse_ok("inb 0x80\nexpect 0xff\n");
	FILE *tmp = tmpfile();
	char buf[256];
	size_t n;

	assert_non_null(tmp);
	assert_int_equal(pvhdev_scenario_run(sc, f->t.dom, pvhdev_scenario_out_file,
	                                     tmp, NULL), 0);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = 0;
	assert_string_equal(buf, "1: inb 0x80 -> 0xff (not decoded by pvhdev)\n"
	                         "2: expect 0xff: ok\n");
	fclose(tmp);
	pvhdev_scenario_free(sc);
}

/* plug and unplug on the fake: the function goes (reads all-ones) after
 * the hypervisor removed it, and comes back with a dev-add. */
static void test_run_plug_unplug(void **state)
{
	struct fx *f = *state;
	struct pvhdev_scenario *sc = parse_ok(
		"unplug 00:1f.0\n"
		"expect-event dev-remove 0000:00:1f.0\n"
		"outl 0xcf8 0x8000f800\n"
		"inl 0xcfc\n"
		"expect 0xffffffff\n"
		"plug 00:1f.0\n"
		"expect-event dev-add 0000:00:1f.0\n"
		"inl 0xcfc\n"
		"expect 0x9cc38086\n");

	assert_int_equal(pvhdev_scenario_run_fake(sc, f->t.dom, f->t.fake, collect, f,
	                                          &f->res), 0);
	if (f->res.failed_line)
		fail_msg("%s", f->res.msg);
	assert_int_equal(f->res.checks, 4);
	assert_non_null(strstr(f->out, "1: unplug 0000:00:1f.0\n"));
	assert_non_null(strstr(f->out, "6: plug 0000:00:1f.0\n"));
	pvhdev_scenario_free(sc);
	test_check(&f->t);
}

/* What the fake refuses stops the run: a plug of a present function,
 * an unplug of one the machine does not have. */
static void test_run_plug_refused(void **state)
{
	struct fx *f = *state;
	struct pvhdev_scenario *sc = parse_ok("inb 0x80\nplug 00:1f.0\n");

	assert_int_equal(pvhdev_scenario_run_fake(sc, f->t.dom, f->t.fake, NULL, NULL,
	                                          &f->res), -EEXIST);
	assert_string_equal(f->res.msg, "t.scn:2: plug 0000:00:1f.0 failed: already "
	                    "exists or overlaps");
	pvhdev_scenario_free(sc);
	sc = parse_ok("unplug 00:05.0\n");
	assert_int_equal(pvhdev_scenario_run_fake(sc, f->t.dom, f->t.fake, NULL, NULL,
	                                          &f->res), -ENODEV);
	assert_string_equal(f->res.msg, "t.scn:1: unplug 0000:00:05.0 failed: no "
	                    "such device");
	pvhdev_scenario_free(sc);
}

/* Without a fake only the hypervisor's part runs: the function stays in
 * the hardware (a removed device's config passes through). */
static void test_run_plug_without_fake(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "unplug 00:1f.0\n"
	       "outl 0xcf8 0x8000f800\n"
	       "inl 0xcfc\n"
	       "expect 0x9cc38086\n",
	       "1: unplug 0000:00:1f.0\n"
	       "    dev-remove 0000:00:1f.0\n"
	       "2: outl 0xcf8 0x8000f800  (00:1f.0 +0x00 VENDOR_ID)\n"
	       "3: inl 0xcfc -> 0x9cc38086  (00:1f.0 +0x00 VENDOR_ID)\n"
	       "4: expect 0x9cc38086: ok\n");
	run(f, "plug 00:1f.0\nexpect-event dev-add 0000:00:1f.0\n");
	if (f->res.failed_line)
		fail_msg("%s", f->res.msg);
	assert_int_equal(f->res.checks, 1);
}

/* A backend failure is pvhdev's error, not a failed expectation. */
static void test_run_backend_error(void **state)
{
	struct fx *f = *state;
	struct pvhdev_scenario *sc = parse_ok("outl 0xcf8 0x80000000\ninl 0xcfc\n");

	pvhdev_fake_fail_at(f->t.fake, 1, -EIO);
	assert_int_equal(pvhdev_scenario_run(sc, f->t.dom, NULL, NULL, &f->res), -EIO);
	assert_int_equal(f->res.failed_line, 0);
	assert_string_equal(f->res.msg, "t.scn:2: inl failed: backend I/O error");
	pvhdev_scenario_free(sc);
}

/* drain with nothing pending; the p2m of a domain that never booted is
 * empty. */
static void test_run_drain_and_p2m(void **state)
{
	struct fx *f = *state;

	run_ok(f,
	       "inb 0x80\n"
	       "drain\n"
	       "expect-no-event\n"
	       "expect-unmapped 0x0 0x100000\n"
	       "expect-unmapped 0xfffffffffffff000 0x1000\n",
	       "1: inb 0x80 -> 0xff (not decoded by pvhdev)\n"
	       "2: drain\n"
	       "3: expect-no-event: ok\n"
	       "4: expect-unmapped 0x0 0x100000: ok\n"
	       "5: expect-unmapped 0xfffffffffffff000 0x1000: ok\n");
}

/* After boot: the first MiB (RAM copied, the rest identity mapped), the
 * ACPI region, and RAM above 1 MiB left alone. */
static void test_run_boot_p2m(void **state)
{
	static const struct pvhdev_e820_entry e820[] = {
		{ 0x0, 0x9f000, PVHDEV_E820_RAM },
		{ 0x9f000, 0x61000, PVHDEV_E820_RESERVED },
		{ 0x100000, 0x7ff00000, PVHDEV_E820_RAM },
		{ 0x80000000, 0x10000, PVHDEV_E820_ACPI },
	};
	const struct pvhdev_platform plat = {
		.size = sizeof(plat), .e820 = e820, .nr_e820 = 4,
	};
	struct fx *f = *state;
	struct test_dom t;

	assert_int_equal(test_dom_init(&t, NULL, 0), 0);
	assert_int_equal(pvhdev_domain_boot(t.dom, &plat), 0);
	assert_int_equal(run_on(f, t.dom,
	                        "expect-event map 0x0 0x9f 0x0 ram-copy\n"
	                        "expect-event map 0x9f 0x61 0x9f low-mem\n"
	                        "expect-event map 0x80000 0x10 0x80000 acpi\n"
	                        "expect-mapped 0x0 0x100\n"
	                        "expect-mapped 0x80000 0x10\n"
	                        "expect-unmapped 0x100 0x7ff00\n"
	                        "expect-unmapped 0x80010 0x1\n"), 0);
	if (f->res.failed_line)
		fail_msg("%s", f->res.msg);
	assert_int_equal(f->res.checks, 7);
	assert_int_equal(run_on(f, t.dom, "expect-unmapped 0x7f 0x100\n"), 0);
	assert_string_equal(f->res.msg, "t.scn:1: expected 0x100 pages from gfn 0x7f "
	                    "unmapped, got 0x9f pages from gfn 0x0 mapped (mfn 0x0)");
	assert_int_equal(run_on(f, t.dom, "expect-mapped 0xff 0x2\n"), 0);
	assert_string_equal(f->res.msg, "t.scn:1: expected 0x2 pages from gfn 0xff "
	                    "mapped, got gfn 0x100 unmapped");
	test_dom_fini(&t);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_parse_every_command),
	cmocka_unit_test(test_parse_layout),
	cmocka_unit_test(test_parse_empty),
	cmocka_unit_test(test_parse_qtest_log),
	cmocka_unit_test(test_parse_bad_numbers),
	cmocka_unit_test(test_parse_bad_commands),
	cmocka_unit_test(test_parse_bad_expect),
	cmocka_unit_test(test_parse_bad_bytes),
	cmocka_unit_test(test_parse_err_buffer),
	cmocka_unit_test(test_load_errors),
	cmocka_unit_test(test_load_all_scenarios),
	cmocka_unit_test_setup_teardown(test_run_cf8_cfc, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_ecam, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_not_decoded, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_hw_write_events, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_event_order, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_failures, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_event_values, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_expect_mask, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_platform_events, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_failure_long_list, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_boot_window, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_qtest_log, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_out_file, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_backend_error, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_plug_unplug, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_plug_refused, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_plug_without_fake, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_drain_and_p2m, setup, test_teardown),
	cmocka_unit_test_setup_teardown(test_run_boot_p2m, setup, test_teardown),
};

PVHDEV_TEST_MAIN("scenario", tests)
