/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ops/conf.h: one option table read from the command line
 * and from config files, with the same value parsers; --help and --version
 * as actions; errors that name the option or file:line and the closest
 * known name; the limits (line and file size, NUL bytes, overflow, empty
 * values, trailing junk); the load order (file, then the command line
 * wins); the help text's wrapping; the dump reading back to the same
 * values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ops/conf.h"

typedef struct cfg {
	char *config;
	char *listen;
	uint64_t max_peers;
	bool log_json;
	bool sync;
	uint64_t tick;
	uint64_t map_size;
	ecn_strlist peers;
	char *data_dir;
} cfg;

static const ecn_opt opts[] = {
	{.name = "config", .kind = ECN_OPT_STRING, .flags = ECN_OPT_CLI_ONLY,
	 .offset = ECN_OFF_STR(cfg, config), .metavar = "FILE", .help = "Read options from FILE."},
	{.name = "listen", .kind = ECN_OPT_STRING, .offset = ECN_OFF_STR(cfg, listen),
	 .def = "0.0.0.0:7000", .metavar = "ADDR", .help = "UDP address to listen on."},
	{.name = "max-peers", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(cfg, max_peers),
	 .def = "64", .min = 1, .max = 1000, .help = "Most peers to keep."},
	{.name = "log-json", .kind = ECN_OPT_BOOL, .offset = ECN_OFF_BOOL(cfg, log_json),
	 .help = "Write logs as JSON lines."},
	{.name = "sync", .kind = ECN_OPT_BOOL, .offset = ECN_OFF_BOOL(cfg, sync), .def = "true",
	 .help = "Flush the store on every commit."},
	{.name = "tick", .kind = ECN_OPT_DURATION, .offset = ECN_OFF_U64(cfg, tick), .def = "50ms",
	 .min = 1, .max = 3600000,
	 .help = "Length of one protocol tick.  The node advances its logical clock once per "
	         "tick, so this sets how fast votes and timeouts move; a long sentence to make "
	         "the help text wrap over several lines of output."},
	{.name = "map-size", .kind = ECN_OPT_SIZE, .offset = ECN_OFF_U64(cfg, map_size),
	 .def = "1G", .help = "LMDB map size."},
	{.name = "peers", .kind = ECN_OPT_LIST, .offset = ECN_OFF_LIST(cfg, peers),
	 .metavar = "ADDR,...", .help = "Peers to contact at start."},
	{.name = "data-dir", .kind = ECN_OPT_STRING, .offset = ECN_OFF_STR(cfg, data_dir),
	 .metavar = "DIR", .help = "Where the store lives."},
};
#define NOPTS (sizeof opts / sizeof opts[0])

static void
init(cfg *c)
{
	memset(c, 0, sizeof *c);
	ecn_conf_err err;
	assert_int_equal(ecn_conf_defaults(opts, NOPTS, c, &err), EC_OK);
}

static void
fini(cfg *c)
{
	ecn_conf_free(opts, NOPTS, c);
}

/* Parses a NULL-terminated argument list (argv[0] added). */
static ec_err
args(cfg *c, ecn_conf_action *action, ecn_conf_err *err, const char *const *list)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)(uintptr_t) "ecnode";
	for (; *list; list++)
		argv[argc++] = (char *)(uintptr_t)*list;
	argv[argc] = NULL;
	return ecn_conf_parse_args(opts, NOPTS, c, argc, argv, action, err);
}

#define ARGS(c, action, err, ...) args((c), (action), (err), (const char *const[]){__VA_ARGS__, NULL})

static ec_err
text(cfg *c, ecn_conf_err *err, const char *s)
{
	return ecn_conf_parse_text(opts, NOPTS, c, "test.conf", s, strlen(s), err);
}

/* Writes s to a fresh temporary file; returns its path (static buffer). */
static const char *
tmpfile_with(const char *s, size_t n)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/ecn_conf_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal((size_t)write(fd, s, n), n);
	close(fd);
	return path;
}

static void
test_defaults(void **state)
{
	(void)state;
	cfg c;
	init(&c);
	assert_string_equal(c.listen, "0.0.0.0:7000");
	assert_int_equal(c.max_peers, 64);
	assert_false(c.log_json);
	assert_true(c.sync);
	assert_int_equal(c.tick, 50);
	assert_int_equal(c.map_size, 1ull << 30);
	assert_int_equal(c.peers.n, 0);
	assert_null(c.data_dir);
	assert_null(c.config);
	fini(&c);
	assert_null(c.listen);
}

static void
test_args_forms(void **state)
{
	(void)state;
	cfg c;
	init(&c);
	ecn_conf_action a;
	ecn_conf_err err;
	assert_int_equal(ARGS(&c, &a, &err, "--listen", "127.0.0.1:1", "--max-peers=10",
	                      "--log-json", "--no-sync", "--tick", "2s", "--map_size=64M",
	                      "--data-dir", "/var/lib/ec"),
	                 EC_OK);
	assert_int_equal(a, ECN_CONF_RUN);
	assert_string_equal(c.listen, "127.0.0.1:1");
	assert_int_equal(c.max_peers, 10);
	assert_true(c.log_json);
	assert_false(c.sync);
	assert_int_equal(c.tick, 2000);
	assert_int_equal(c.map_size, 64ull << 20);
	assert_string_equal(c.data_dir, "/var/lib/ec");
	/* flags take an explicit value with '=' too; a later value wins */
	assert_int_equal(ARGS(&c, &a, &err, "--log-json=no", "--sync=YES", "--listen", "x", "--listen=y"),
	                 EC_OK);
	assert_false(c.log_json);
	assert_true(c.sync);
	assert_string_equal(c.listen, "y");
	fini(&c);
}

static void
test_actions(void **state)
{
	(void)state;
	cfg c;
	init(&c);
	ecn_conf_action a;
	ecn_conf_err err;
	/* what follows an action is not looked at, even if it is wrong */
	assert_int_equal(ARGS(&c, &a, &err, "--tick", "5s", "--help", "--bogus"), EC_OK);
	assert_int_equal(a, ECN_CONF_HELP);
	assert_int_equal(ARGS(&c, &a, &err, "-h"), EC_OK);
	assert_int_equal(a, ECN_CONF_HELP);
	assert_int_equal(ARGS(&c, &a, &err, "--version", "zzz"), EC_OK);
	assert_int_equal(a, ECN_CONF_VERSION);
	assert_int_equal(ARGS(&c, &a, &err, "--log-json"), EC_OK);
	assert_int_equal(a, ECN_CONF_RUN);
	fini(&c);
}

static void
expect_arg_error(const char *const *list, const char *needle)
{
	cfg c;
	init(&c);
	ecn_conf_action a;
	ecn_conf_err err;
	assert_int_equal(args(&c, &a, &err, list), EC_EPARSE);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' lacks '%s'", err.msg, needle);
	fini(&c);
}

#define ARG_ERROR(needle, ...) expect_arg_error((const char *const[]){__VA_ARGS__, NULL}, needle)

static void
test_args_errors(void **state)
{
	(void)state;
	ARG_ERROR("unknown option --lisen (closest: --listen)", "--lisen", "x");
	ARG_ERROR("unknown option --verison (closest: --version)", "--verison");
	ARG_ERROR("unknown option --no-listen", "--no-listen");
	ARG_ERROR("--no-log-json takes no value", "--no-log-json=1");
	ARG_ERROR("option --listen needs a value", "--listen");
	ARG_ERROR("option --listen needs a value, got '--log-json'", "--listen", "--log-json");
	ARG_ERROR("unexpected argument 'stray'", "stray");
	ARG_ERROR("unexpected argument '-x'", "-x");
	ARG_ERROR("unexpected argument '--'", "--");
	ARG_ERROR("--log-json: 'maybe': expected true", "--log-json=maybe");
	ARG_ERROR("--max-peers: '': empty value", "--max-peers=");
	ARG_ERROR("--max-peers: '1001': 1001 is outside 1..1000", "--max-peers", "1001");
	ARG_ERROR("--max-peers: '0': 0 is outside 1..1000", "--max-peers", "0");
	ARG_ERROR("not a non-negative decimal integer", "--max-peers", "-1");
	ARG_ERROR("not a non-negative decimal integer", "--max-peers", "+1");
	ARG_ERROR("not a non-negative decimal integer", "--max-peers", "12x");
	ARG_ERROR("not a non-negative decimal integer", "--max-peers", "0x10");
	ARG_ERROR("blanks around value", "--max-peers", " 12");
	ARG_ERROR("value too large", "--max-peers", "18446744073709551616");
	ARG_ERROR("control character in value", "--listen", "a\nb");
	ARG_ERROR("control character in value", "--listen", "a\x7f");
	ARG_ERROR("not a duration", "--tick", "1.5s");
	ARG_ERROR("not a duration", "--tick", "5 s");
	ARG_ERROR("not a duration", "--tick", "5sec");
	ARG_ERROR("value too large", "--tick", "18446744073709551615h");
	ARG_ERROR("outside 1..3600000 ms", "--tick", "2h");
	ARG_ERROR("not a size", "--map-size", "1T");
	ARG_ERROR("not a size", "--map-size", "1kB");
	ARG_ERROR("value too large", "--map-size", "17179869184G");
	ARG_ERROR("empty item 2 in list", "--peers", "a,,b");
	ARG_ERROR("empty item 2 in list", "--peers", "a,");
	/* an unprintable option name is shown safely */
	ARG_ERROR("unknown option --a?b", "--a\nb");
}

static void
test_value_parsers(void **state)
{
	(void)state;
	uint64_t v;
	bool b;
	assert_int_equal(ecn_conf_parse_uint("18446744073709551615", &v), EC_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(ecn_conf_parse_uint("18446744073709551616", &v), EC_ERANGE);
	assert_int_equal(ecn_conf_parse_uint("", &v), EC_EPARSE);
	assert_int_equal(ecn_conf_parse_duration_ms("250ms", &v), EC_OK);
	assert_int_equal(v, 250);
	assert_int_equal(ecn_conf_parse_duration_ms("5s", &v), EC_OK);
	assert_int_equal(v, 5000);
	assert_int_equal(ecn_conf_parse_duration_ms("2m", &v), EC_OK);
	assert_int_equal(v, 120000);
	assert_int_equal(ecn_conf_parse_duration_ms("1h", &v), EC_OK);
	assert_int_equal(v, 3600000);
	assert_int_equal(ecn_conf_parse_duration_ms("30", &v), EC_OK);
	assert_int_equal(v, 30);
	assert_int_equal(ecn_conf_parse_duration_ms("5120000000000000h", &v), EC_ERANGE);
	assert_int_equal(ecn_conf_parse_duration_ms("h", &v), EC_EPARSE);
	assert_int_equal(ecn_conf_parse_size("64k", &v), EC_OK);
	assert_int_equal(v, 65536);
	assert_int_equal(ecn_conf_parse_size("64K", &v), EC_OK);
	assert_int_equal(v, 65536);
	assert_int_equal(ecn_conf_parse_size("3m", &v), EC_OK);
	assert_int_equal(v, 3 << 20);
	assert_int_equal(ecn_conf_parse_size("2G", &v), EC_OK);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(ecn_conf_parse_size("17179869183G", &v), EC_OK);
	assert_int_equal(ecn_conf_parse_size("17179869184G", &v), EC_ERANGE);
	assert_int_equal(ecn_conf_parse_size("1GG", &v), EC_EPARSE);
	static const char *const yes[] = {"true", "1", "yes", "TRUE", "Yes"};
	static const char *const no[] = {"false", "0", "no", "FALSE", "No"};
	for (size_t i = 0; i < 5; i++) {
		b = false;
		assert_int_equal(ecn_conf_parse_bool(yes[i], &b), EC_OK);
		assert_true(b);
		assert_int_equal(ecn_conf_parse_bool(no[i], &b), EC_OK);
		assert_false(b);
	}
	assert_int_equal(ecn_conf_parse_bool("on", &b), EC_EPARSE);
	assert_int_equal(ecn_conf_parse_bool("", &b), EC_EPARSE);
	assert_int_equal(ecn_conf_parse_bool("truex", &b), EC_EPARSE);
}

static void
test_lists(void **state)
{
	(void)state;
	cfg c;
	init(&c);
	ecn_conf_action a;
	ecn_conf_err err;
	assert_int_equal(ARGS(&c, &a, &err, "--peers", "a:1, b:2 ,c:3", "--peers=d:4"), EC_OK);
	assert_int_equal(c.peers.n, 4);
	assert_string_equal(c.peers.items[0], "a:1");
	assert_string_equal(c.peers.items[1], "b:2");
	assert_string_equal(c.peers.items[2], "c:3");
	assert_string_equal(c.peers.items[3], "d:4");
	/* another command line replaces the list, then appends within itself */
	assert_int_equal(ARGS(&c, &a, &err, "--peers", "x"), EC_OK);
	assert_int_equal(c.peers.n, 1);
	assert_string_equal(c.peers.items[0], "x");
	/* a file likewise */
	assert_int_equal(text(&c, &err, "peers = p1,p2\npeers = p3\n"), EC_OK);
	assert_int_equal(c.peers.n, 3);
	assert_string_equal(c.peers.items[2], "p3");
	/* too many items */
	char big[ECN_CONF_LIST_MAX * 2 + 8];
	size_t n = 0;
	for (unsigned i = 0; i <= ECN_CONF_LIST_MAX; i++) {
		big[n++] = 'a';
		big[n++] = ',';
	}
	big[n - 1] = '\0';
	assert_int_equal(ARGS(&c, &a, &err, "--peers", big), EC_EPARSE);
	assert_non_null(strstr(err.msg, "more than 256 items"));
	assert_int_equal(c.peers.n, 3); /* left as it was */
	fini(&c);
	assert_null(c.peers.items);
}

static void
test_file(void **state)
{
	(void)state;
	cfg c;
	init(&c);
	ecn_conf_err err;
	const char *f = "\xEF\xBB\xBF# a comment\n"
	                "; another\n"
	                "\n"
	                "   \t\n"
	                "listen=10.0.0.1:7000\n"
	                "  max_peers   =   12  \r\n"
	                "log-json = yes\n"
	                "sync=0\n"
	                "tick\t=\t1m\n"
	                "map-size = 16M\n"
	                "data_dir = /srv/ec # not a comment\n"
	                "peers = a, b";
	assert_int_equal(text(&c, &err, f), EC_OK);
	assert_string_equal(c.listen, "10.0.0.1:7000");
	assert_int_equal(c.max_peers, 12);
	assert_true(c.log_json);
	assert_false(c.sync);
	assert_int_equal(c.tick, 60000);
	assert_int_equal(c.map_size, 16ull << 20);
	assert_string_equal(c.data_dir, "/srv/ec # not a comment");
	assert_int_equal(c.peers.n, 2);
	assert_string_equal(c.peers.items[1], "b");
	fini(&c);
}

static void
expect_text_error(const char *s, size_t n, const char *needle)
{
	cfg c;
	init(&c);
	ecn_conf_err err;
	assert_int_equal(ecn_conf_parse_text(opts, NOPTS, &c, "test.conf", s, n, &err), EC_EPARSE);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' lacks '%s'", err.msg, needle);
	fini(&c);
}

#define TEXT_ERROR(s, needle) expect_text_error((s), strlen(s), (needle))

static void
test_file_errors(void **state)
{
	(void)state;
	TEXT_ERROR("listen = a\n\nlisen = b\n", "test.conf:3: unknown key 'lisen' (closest: listen)");
	TEXT_ERROR("# c\nmax-peers 12\n", "test.conf:2: expected 'key = value'");
	TEXT_ERROR(" = 12\n", "test.conf:1: missing key before '='");
	TEXT_ERROR("listen =   \n", "test.conf:1: listen: empty value");
	TEXT_ERROR("max-peers = 12 x\n", "test.conf:1: max-peers: not a non-negative decimal integer");
	TEXT_ERROR("max-peers = 99999999999999999999\n", "test.conf:1: max-peers: value too large");
	TEXT_ERROR("log-json\n", "test.conf:1: expected 'key = value'");
	TEXT_ERROR("log-json = on\n", "test.conf:1: log-json: expected true");
	TEXT_ERROR("config = /etc/x\n", "test.conf:1: 'config' can only be given on the command line");
	TEXT_ERROR("listen = a\x01\n", "test.conf:1: listen: control character in value");
	TEXT_ERROR("help = 1\n", "unknown key 'help'");
	expect_text_error("listen = a\0b\n", 13, "test.conf:1: NUL byte");
	expect_text_error("listen=b\n#\0\n", 12, "test.conf:2: NUL byte");

	/* a line of exactly 4096 bytes passes, 4097 does not */
	size_t n = ECN_CONF_LINE_MAX;
	char *s = malloc(n + 16);
	assert_non_null(s);
	memcpy(s, "listen=", 7);
	memset(s + 7, 'x', n - 7);
	s[n] = '\n';
	cfg c;
	init(&c);
	ecn_conf_err err;
	assert_int_equal(ecn_conf_parse_text(opts, NOPTS, &c, "t", s, n + 1, &err), EC_OK);
	assert_int_equal(strlen(c.listen), n - 7);
	fini(&c);
	memset(s + 7, 'x', n + 1 - 7);
	s[n + 1] = '\n';
	expect_text_error(s, n + 2, "test.conf:1: line longer than 4096 bytes");
	/* a comment line is bounded too */
	s[0] = '#';
	expect_text_error(s, n + 2, "line longer than 4096 bytes");
	free(s);

	/* files: at most 1 MiB */
	size_t big = ECN_CONF_FILE_MAX + 1;
	char *t = malloc(big);
	assert_non_null(t);
	for (size_t i = 0; i < big; i++)
		t[i] = (i % 64 == 63) ? '\n' : '#';
	expect_text_error(t, big, "test.conf: file larger than 1048576 bytes");
	init(&c);
	assert_int_equal(ecn_conf_parse_text(opts, NOPTS, &c, "t", t, big - 1, &err), EC_OK);
	fini(&c);
	/* the same through a real file */
	const char *path = tmpfile_with(t, big);
	init(&c);
	assert_int_equal(ecn_conf_parse_file(opts, NOPTS, &c, path, &err), EC_EPARSE);
	assert_non_null(strstr(err.msg, "file larger than"));
	fini(&c);
	unlink(path);
	free(t);

	/* a missing file and a directory */
	init(&c);
	assert_int_equal(ecn_conf_parse_file(opts, NOPTS, &c, "/nonexistent/ec.conf", &err), EC_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/ec.conf: "));
	assert_int_equal(ecn_conf_parse_file(opts, NOPTS, &c, "/tmp", &err), EC_EIO);
	assert_non_null(strstr(err.msg, "not a regular file"));
	fini(&c);
}

static ec_err
load(cfg *c, ecn_conf_action *a, ecn_conf_err *err, const char *const *list)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)(uintptr_t) "ecnode";
	for (; *list; list++)
		argv[argc++] = (char *)(uintptr_t)*list;
	argv[argc] = NULL;
	memset(c, 0, sizeof *c);
	return ecn_conf_load(opts, NOPTS, c, "config", argc, argv, a, err);
}

#define LOAD(c, a, err, ...) load((c), (a), (err), (const char *const[]){__VA_ARGS__, NULL})

static void
test_load_order(void **state)
{
	(void)state;
	const char *f = "listen = file:1\nmax-peers = 5\npeers = f1,f2\n";
	char path[64];
	snprintf(path, sizeof path, "%s", tmpfile_with(f, strlen(f)));
	cfg c;
	ecn_conf_action a;
	ecn_conf_err err;
	/* the command line wins wherever it is written, before or after --config */
	assert_int_equal(LOAD(&c, &a, &err, "--max-peers", "7", "--config", path), EC_OK);
	assert_int_equal(a, ECN_CONF_RUN);
	assert_string_equal(c.listen, "file:1");
	assert_int_equal(c.max_peers, 7);
	assert_int_equal(c.peers.n, 2);
	assert_int_equal(c.tick, 50); /* a default nobody changed */
	assert_string_equal(c.config, path);
	fini(&c);
	assert_int_equal(LOAD(&c, &a, &err, "--config=" , "x"), EC_EPARSE);
	fini(&c);
	assert_int_equal(LOAD(&c, &a, &err, "--peers", "c1", "--config", path), EC_OK);
	assert_int_equal(c.peers.n, 1);
	assert_string_equal(c.peers.items[0], "c1");
	fini(&c);
	/* without --config no file is read */
	assert_int_equal(LOAD(&c, &a, &err, "--log-json"), EC_OK);
	assert_string_equal(c.listen, "0.0.0.0:7000");
	fini(&c);
	/* --help wins over a missing file; command-line errors come first */
	assert_int_equal(LOAD(&c, &a, &err, "--config", "/nonexistent", "--help"), EC_OK);
	assert_int_equal(a, ECN_CONF_HELP);
	fini(&c);
	assert_int_equal(LOAD(&c, &a, &err, "--config", "/nonexistent", "--bogus"), EC_EPARSE);
	assert_non_null(strstr(err.msg, "--bogus"));
	fini(&c);
	assert_int_equal(LOAD(&c, &a, &err, "--config", "/nonexistent"), EC_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent"));
	fini(&c);
	/* a bad file value names the file and line */
	const char *bad = "listen = a\nmax-peers = many\n";
	char bpath[64];
	snprintf(bpath, sizeof bpath, "%s", tmpfile_with(bad, strlen(bad)));
	assert_int_equal(LOAD(&c, &a, &err, "--config", bpath), EC_EPARSE);
	char want[128];
	snprintf(want, sizeof want, "%s:2: max-peers: not a non-negative decimal integer", bpath);
	assert_string_equal(err.msg, want);
	fini(&c);
	/* config_opt must be a string option */
	memset(&c, 0, sizeof c);
	char *argv[] = {(char *)(uintptr_t) "x", NULL};
	assert_int_equal(ecn_conf_load(opts, NOPTS, &c, "max-peers", 1, argv, &a, &err), EC_EINVAL);
	fini(&c);
	unlink(path);
	unlink(bpath);
}

static char *
dump(const cfg *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(ecn_conf_print(f, opts, NOPTS, c), EC_OK);
	fclose(f);
	return buf;
}

static void
test_dump_roundtrip(void **state)
{
	(void)state;
	cfg c;
	init(&c);
	ecn_conf_action a;
	ecn_conf_err err;
	char *d0 = dump(&c);
	assert_string_equal(d0, "listen=0.0.0.0:7000\n"
	                        "max-peers=64\n"
	                        "log-json=false\n"
	                        "sync=true\n"
	                        "tick=50ms\n"
	                        "map-size=1G\n"
	                        "#peers=\n"
	                        "#data-dir=\n");
	free(d0);
	assert_int_equal(ARGS(&c, &a, &err, "--config", "/x", "--tick", "90000", "--map-size",
	                      "1536", "--peers", "a,b", "--data-dir", "/d = x", "--log-json"),
	                 EC_OK);
	char *d1 = dump(&c);
	assert_null(strstr(d1, "config"));
	assert_non_null(strstr(d1, "tick=90s\n"));
	assert_non_null(strstr(d1, "map-size=1536\n"));
	assert_non_null(strstr(d1, "peers=a,b\n"));
	assert_non_null(strstr(d1, "data-dir=/d = x\n"));
	cfg back;
	init(&back);
	assert_int_equal(text(&back, &err, d1), EC_OK);
	char *d2 = dump(&back);
	assert_string_equal(d1, d2);
	assert_int_equal(back.tick, 90000);
	assert_string_equal(back.data_dir, "/d = x");
	free(d1);
	free(d2);
	fini(&back);

	char buf[32];
	static const struct {
		uint64_t v;
		const char *d, *s;
	} units[] = {{0, "0ms", "0"},       {1, "1ms", "1"},         {1000, "1s", "1000"},
	             {60000, "1m", "60000"}, {3600000, "1h", "3600000"}, {1536, "1536ms", "1536"},
	             {2048, "2048ms", "2k"}, {3ull << 30, "3221225472ms", "3G"}};
	const ecn_opt *tick = &opts[5], *size = &opts[6];
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		c.tick = c.map_size = units[i].v;
		assert_int_equal(ecn_conf_format_value(tick, &c, buf, sizeof buf), EC_OK);
		assert_string_equal(buf, units[i].d);
		assert_int_equal(ecn_conf_format_value(size, &c, buf, sizeof buf), EC_OK);
		assert_string_equal(buf, units[i].s);
	}
	assert_int_equal(ecn_conf_format_value(&opts[1], &c, buf, 4), EC_ERANGE);
	assert_string_equal(buf, "");
	fini(&c);
}

static void
test_help(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(ecn_conf_print_help(f, opts, NOPTS), EC_OK);
	fclose(f);
	assert_non_null(strstr(buf, "  --listen ADDR" "           UDP address to listen on. (default: 0.0.0.0:7000)\n"));
	assert_non_null(strstr(buf, "  --log-json" "              Write logs as JSON lines.\n"));
	assert_non_null(strstr(buf, "--sync" "                  Flush the store on every commit. (default: on;\n"
	                            "                          --no-sync turns it off)\n"));
	assert_non_null(strstr(buf, "--max-peers N"));
	assert_non_null(strstr(buf, "--peers ADDR,..."));
	assert_non_null(strstr(buf, "--help"));
	assert_non_null(strstr(buf, "--version"));
	/* every line fits in 79 columns; the long help wraps, indented */
	size_t lines = 0, wrapped = 0;
	for (char *p = buf; *p;) {
		char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true((size_t)(nl - p) <= 79);
		if (strncmp(p, "                          ", 26) == 0)
			wrapped++;
		lines++;
		p = nl + 1;
	}
	assert_true(wrapped >= 2);
	assert_true(lines >= NOPTS + 2 + wrapped);
	free(buf);
}

static void
test_table_checks(void **state)
{
	(void)state;
	typedef struct one {
		uint64_t v;
		char *s;
	} one;
	static const ecn_opt bad[][2] = {
		{{.name = "Upper", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v), .help = ""}},
		{{.name = "a_b", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v), .help = ""}},
		{{.name = "help", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v), .help = ""}},
		{{.name = "no-x", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v), .help = ""}},
		{{.name = "x", .kind = (ecn_opt_kind)99, .offset = ECN_OFF_U64(one, v), .help = ""}},
		{{.name = "x", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v), .min = 5, .max = 1, .help = ""}},
		{{.name = "x", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v), .def = "abc", .help = ""}},
		{{.name = "x", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v), .def = "9", .max = 5, .help = ""}},
		{{.name = "x", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v)}},
		{{.name = "x", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(one, v), .help = ""},
		 {.name = "x", .kind = ECN_OPT_STRING, .offset = ECN_OFF_STR(one, s), .help = ""}},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		one o = {0};
		ecn_conf_err err;
		size_t n = bad[i][1].name ? 2 : 1;
		assert_int_equal(ecn_conf_defaults(bad[i], n, &o, &err), EC_EINVAL);
		assert_non_null(strstr(err.msg, "option"));
		ecn_conf_free(bad[i], n, &o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),   cmocka_unit_test(test_args_forms),
		cmocka_unit_test(test_actions),    cmocka_unit_test(test_args_errors),
		cmocka_unit_test(test_value_parsers), cmocka_unit_test(test_lists),
		cmocka_unit_test(test_file),       cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_load_order), cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_help),       cmocka_unit_test(test_table_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
