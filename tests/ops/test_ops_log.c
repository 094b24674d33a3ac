/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ops/log.h: the text and JSON line formats with an
 * injected clock, the level threshold (arguments not evaluated when
 * filtered), escaping of hostile strings (every line stays one line and
 * JSON stays valid), the typed fields, the per-call-site rate limit, and
 * log files: mode 0640, append, reopen after a rename (logrotate).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "ops/log.h"

typedef struct sink {
	char *buf;
	size_t len;
	FILE *f;
	uint64_t now;
	ecn_log *lg;
} sink;

static uint64_t
fake_clock(void *user)
{
	return ((sink *)user)->now;
}

static void
open_sink(sink *s, bool json, ecn_level level, uint32_t burst, uint32_t window)
{
	memset(s, 0, sizeof *s);
	s->now = 1700000000123ull; /* 2023-11-14T22:13:20.123Z */
	s->f = open_memstream(&s->buf, &s->len);
	assert_non_null(s->f);
	ecn_log_config cfg = {.level = level, .json = json, .clock = fake_clock, .clock_user = s,
	                      .burst = burst, .window_ms = window};
	assert_int_equal(ecn_log_new(&cfg, s->f, NULL, &s->lg), EC_OK);
}

static void
close_sink(sink *s)
{
	ecn_log_free(s->lg);
	fclose(s->f);
	free(s->buf);
}

/* What was written since the last call (the buffer is reset). */
static char *
taken(sink *s)
{
	fflush(s->f);
	char *out = malloc(s->len + 1);
	assert_non_null(out);
	memcpy(out, s->buf, s->len);
	out[s->len] = '\0';
	rewind(s->f);
	fflush(s->f);
	s->len = 0;
	return out;
}

static size_t
count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

static void
test_text_format(void **state)
{
	(void)state;
	sink s;
	open_sink(&s, false, ECN_INFO, 0, 0);
	uint64_t id = 0xab;
	ECN_LOGF(s.lg, ECN_INFO, "net",
	         ECN_FIELDS(ECN_HEX64("id", id), ECN_STR("addr", "1.2.3.4 x"), ECN_U64("n", 5),
	                    ECN_I64("d", -3), ECN_BOOL("ok", true), ECN_STR("plain", "abc")),
	         "peer admitted after %d tries", 2);
	char *out = taken(&s);
	assert_string_equal(out, "2023-11-14T22:13:20.123Z INFO  net: peer admitted after 2 tries "
	                         "id=00000000000000ab addr=\"1.2.3.4 x\" n=5 d=-3 ok=true plain=abc\n");
	free(out);
	ECN_LOG(s.lg, ECN_ERROR, "store", "disk full");
	ECN_LOG(s.lg, ECN_WARN, "store", "slow");
	out = taken(&s);
	assert_string_equal(out, "2023-11-14T22:13:20.123Z ERROR store: disk full\n"
	                         "2023-11-14T22:13:20.123Z WARN  store: slow\n");
	free(out);
	close_sink(&s);
}

static void
test_json_format(void **state)
{
	(void)state;
	sink s;
	open_sink(&s, true, ECN_DEBUG, 0, 0);
	uint8_t pk[32];
	for (int i = 0; i < 32; i++)
		pk[i] = (uint8_t)i;
	ECN_LOGF(s.lg, ECN_DEBUG, "rpc",
	         ECN_FIELDS(ECN_HEX("pk", pk, 32), ECN_F64("ratio", 0.1), ECN_F64("nan", NAN),
	                    ECN_STR("null", NULL), ECN_U64("big", UINT64_MAX)),
	         "%s", "hello");
	char *out = taken(&s);
	assert_string_equal(out, "{\"ts\":\"2023-11-14T22:13:20.123Z\",\"level\":\"debug\",\"comp\":\"rpc\","
	                         "\"msg\":\"hello\",\"pk\":\"000102030405060708090a0b0c0d0e0f10111213"
	                         "1415161718191a1b1c1d1e1f\",\"ratio\":0.1,\"nan\":null,\"null\":null,"
	                         "\"big\":18446744073709551615}\n");
	/* valid JSON; jansson reads integers above INT64_MAX only as reals */
	json_error_t jerr;
	json_t *j = json_loads(out, JSON_DECODE_INT_AS_REAL, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "msg")), "hello");
	json_decref(j);
	free(out);
	/* a HEX field longer than ECN_LOG_HEX_MAX bytes is cut */
	uint8_t big[100] = {0};
	ECN_LOGF(s.lg, ECN_INFO, "x", ECN_FIELDS(ECN_HEX("b", big, sizeof big)), "m");
	out = taken(&s);
	char want[200];
	memset(want, '0', 128);
	memcpy(want + 128, "...", 4);
	j = json_loads(out, 0, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "b")), want);
	json_decref(j);
	free(out);
	close_sink(&s);
}

static int evaluated;

static int
side_effect(void)
{
	evaluated++;
	return 1;
}

static void
test_levels(void **state)
{
	(void)state;
	sink s;
	open_sink(&s, false, ECN_INFO, 0, 0);
	evaluated = 0;
	ECN_LOG(s.lg, ECN_DEBUG, "x", "hidden %d", side_effect());
	ECN_LOGF(s.lg, ECN_DEBUG, "x", ECN_FIELDS(ECN_I64("v", side_effect())), "hidden");
	assert_int_equal(evaluated, 0);
	char *out = taken(&s);
	assert_string_equal(out, "");
	free(out);
	ECN_LOG(s.lg, ECN_INFO, "x", "shown %d", side_effect());
	assert_int_equal(evaluated, 1);
	out = taken(&s);
	assert_non_null(strstr(out, "shown 1"));
	free(out);
	ecn_log_set_level(s.lg, ECN_DEBUG);
	assert_true(ecn_log_enabled(s.lg, ECN_DEBUG));
	ecn_log_set_level(s.lg, ECN_ERROR);
	assert_false(ecn_log_enabled(s.lg, ECN_WARN));
	assert_true(ecn_log_enabled(s.lg, ECN_ERROR));
	assert_false(ecn_log_enabled(NULL, ECN_ERROR));
	ECN_LOG(NULL, ECN_ERROR, "x", "nowhere"); /* a NULL logger is silent */
	close_sink(&s);

	ecn_level l;
	assert_int_equal(ecn_log_level_parse("WARNING", &l), EC_OK);
	assert_int_equal(l, ECN_WARN);
	assert_int_equal(ecn_log_level_parse("debug", &l), EC_OK);
	assert_int_equal(l, ECN_DEBUG);
	assert_int_equal(ecn_log_level_parse("verbose", &l), EC_EPARSE);
	assert_int_equal(ecn_log_level_parse("", &l), EC_EPARSE);
	assert_string_equal(ecn_log_level_name(ECN_ERROR), "error");
	assert_string_equal(ecn_log_level_name((ecn_level)9), "?");
}

/* A peer-supplied string with everything that could break a line. */
static const char hostile[] = "a\nb\r\"q\"\\\t\x01\x7f\xff\xc3\xa9\xed\xa0\x80 k=v end";

static void
test_escaping(void **state)
{
	(void)state;
	sink s;
	open_sink(&s, false, ECN_INFO, 0, 0);
	ECN_LOGF(s.lg, ECN_INFO, "c\nd", ECN_FIELDS(ECN_STR("name", hostile), ECN_STR("bad key", "")),
	         "got %s", hostile);
	char *out = taken(&s);
	assert_int_equal(count_char(out, '\n'), 1);
	assert_string_equal(
	    out, "2023-11-14T22:13:20.123Z INFO  c\\nd: got a\\nb\\r\"q\"\\\\\\t\\x01\\x7f\\xff\xc3\xa9"
	         "\\xed\\xa0\\x80 k=v end name=\"a\\nb\\r\\\"q\\\"\\\\\\t\\x01\\x7f\\xff\xc3\xa9"
	         "\\xed\\xa0\\x80 k=v end\" bad_key=\"\"\n");
	free(out);
	close_sink(&s);

	open_sink(&s, true, ECN_INFO, 0, 0);
	ECN_LOGF(s.lg, ECN_INFO, "c\nd", ECN_FIELDS(ECN_STR("name", hostile)), "%s", hostile);
	out = taken(&s);
	assert_int_equal(count_char(out, '\n'), 1);
	json_error_t jerr;
	json_t *j = json_loads(out, 0, &jerr);
	if (!j)
		fail_msg("invalid JSON (%s): %s", jerr.text, out);
	/* invalid UTF-8 (a lone 0xff, an encoded surrogate) became U+FFFD */
	const char *want = "a\nb\r\"q\"\\\t\x01\x7f\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd"
	                   "\xef\xbf\xbd k=v end";
	assert_string_equal(json_string_value(json_object_get(j, "msg")), want);
	assert_string_equal(json_string_value(json_object_get(j, "name")), want);
	assert_string_equal(json_string_value(json_object_get(j, "comp")), "c\nd");
	json_decref(j);
	free(out);

	/* long strings are cut at ECN_LOG_VALUE_MAX bytes and marked */
	char *lng = malloc(5001);
	assert_non_null(lng);
	memset(lng, 'a', 5000);
	lng[5000] = '\0';
	ECN_LOGF(s.lg, ECN_INFO, "x", ECN_FIELDS(ECN_STR("v", lng)), "%s", lng);
	out = taken(&s);
	j = json_loads(out, 0, &jerr);
	assert_non_null(j);
	const char *m = json_string_value(json_object_get(j, "msg"));
	assert_int_equal(strlen(m), ECN_LOG_VALUE_MAX + 3);
	assert_string_equal(m + ECN_LOG_VALUE_MAX, "...");
	assert_int_equal(strlen(json_string_value(json_object_get(j, "v"))), ECN_LOG_VALUE_MAX + 3);
	json_decref(j);
	free(out);
	/* a multi-byte character across the cut is dropped whole */
	memset(lng, 'a', 5000);
	memcpy(lng + ECN_LOG_VALUE_MAX - 1, "\xc3\xa9", 2);
	ECN_LOGF(s.lg, ECN_INFO, "x", ECN_FIELDS(ECN_STR("v", lng)), "m");
	out = taken(&s);
	j = json_loads(out, 0, &jerr);
	assert_non_null(j);
	m = json_string_value(json_object_get(j, "v"));
	assert_int_equal(strlen(m), ECN_LOG_VALUE_MAX - 1 + 3);
	json_decref(j);
	free(out);
	free(lng);
	close_sink(&s);
}

static void
log_at_one_site(sink *s, int i)
{
	ECN_LOGF(s->lg, ECN_WARN, "net", ECN_FIELDS(ECN_I64("i", i)), "bad datagram");
}

static void
test_rate_limit(void **state)
{
	(void)state;
	sink s;
	open_sink(&s, false, ECN_INFO, 2, 1000);
	for (int i = 0; i < 5; i++)
		log_at_one_site(&s, i);
	ECN_LOG(s.lg, ECN_INFO, "other", "another site is not limited"); /* its own site */
	char *out = taken(&s);
	assert_int_equal(count_char(out, '\n'), 3);
	assert_non_null(strstr(out, "i=0\n"));
	assert_non_null(strstr(out, "i=1\n"));
	assert_null(strstr(out, "i=2"));
	free(out);
	/* within the window: still dropped */
	s.now += 999;
	log_at_one_site(&s, 5);
	out = taken(&s);
	assert_string_equal(out, "");
	free(out);
	/* the next window: the first line reports what was dropped */
	s.now += 1;
	log_at_one_site(&s, 6);
	log_at_one_site(&s, 7);
	log_at_one_site(&s, 8);
	out = taken(&s);
	assert_int_equal(count_char(out, '\n'), 2);
	assert_non_null(strstr(out, "i=6 suppressed=4\n"));
	assert_non_null(strstr(out, "i=7\n"));
	free(out);
	/* a site that went quiet is reported by the flush, once */
	ecn_log_flush_suppressed(s.lg);
	out = taken(&s);
	assert_string_equal(out, ""); /* its window is not over */
	free(out);
	s.now += 1000;
	ecn_log_flush_suppressed(s.lg);
	out = taken(&s);
	assert_non_null(strstr(out, "WARN  net: suppressed 1 similar messages site="));
	assert_non_null(strstr(out, "test_ops_log.c:"));
	assert_int_equal(count_char(out, '\n'), 1);
	free(out);
	ecn_log_flush_suppressed(s.lg);
	out = taken(&s);
	assert_string_equal(out, "");
	free(out);
	/* direct calls without a site are never limited */
	for (int i = 0; i < 5; i++)
		ecn_log_emit(s.lg, NULL, 0, ECN_INFO, "x", NULL, 0, "direct %d", i);
	out = taken(&s);
	assert_int_equal(count_char(out, '\n'), 5);
	free(out);
	close_sink(&s);
}

static void
test_file_and_reopen(void **state)
{
	(void)state;
	char dir[] = "/tmp/ecn_log_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], moved[128];
	snprintf(path, sizeof path, "%s/node.log", dir);
	snprintf(moved, sizeof moved, "%s/node.log.1", dir);
	mode_t old = umask(022);
	uint64_t now = 1700000000123ull;
	ecn_log_config cfg = {.level = ECN_INFO, .json = true, .clock = fake_clock};
	sink fake = {.now = now};
	cfg.clock_user = &fake;
	ecn_log *lg;
	assert_int_equal(ecn_log_new(&cfg, NULL, path, &lg), EC_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	ECN_LOG(lg, ECN_INFO, "x", "one");
	assert_int_equal(rename(path, moved), 0);
	ECN_LOG(lg, ECN_INFO, "x", "two"); /* still the old file */
	assert_int_equal(ecn_log_reopen(lg), EC_OK);
	ECN_LOG(lg, ECN_INFO, "x", "three");
	char buf[512];
	FILE *f = fopen(moved, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "\"one\""));
	assert_non_null(strstr(buf, "\"two\""));
	assert_null(strstr(buf, "three"));
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "{\"ts\":\"2023-11-14T22:13:20.123Z\",\"level\":\"info\",\"comp\":\"x\","
	                         "\"msg\":\"three\"}\n");
	/* a reopen that fails keeps the old file */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(moved), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(ecn_log_reopen(lg), EC_EIO);
	ECN_LOG(lg, ECN_INFO, "x", "four");
	assert_int_equal(ecn_log_dropped(lg), 0);
	ecn_log_free(lg);
	/* a file that cannot be opened */
	assert_int_equal(ecn_log_new(&cfg, NULL, "/nonexistent/dir/x.log", &lg), EC_EIO);
	assert_null(lg);
	umask(old);
}

static void
test_bad_arguments(void **state)
{
	(void)state;
	ecn_log_config cfg = {.level = ECN_INFO};
	ecn_log *lg = (ecn_log *)&cfg;
	assert_int_equal(ecn_log_new(&cfg, NULL, NULL, &lg), EC_EINVAL);
	assert_null(lg);
	assert_int_equal(ecn_log_new(&cfg, stderr, "/tmp/x", &lg), EC_EINVAL);
	assert_int_equal(ecn_log_new(NULL, stderr, NULL, &lg), EC_EINVAL);
	cfg.burst = 3;
	assert_int_equal(ecn_log_new(&cfg, stderr, NULL, &lg), EC_EINVAL);
	cfg.burst = 0;
	cfg.level = (ecn_level)4;
	assert_int_equal(ecn_log_new(&cfg, stderr, NULL, &lg), EC_EINVAL);
	assert_int_equal(ecn_log_reopen(NULL), EC_EINVAL);
	ecn_log_free(NULL);
	/* the system clock: a line with a plausible time */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cfg.level = ECN_INFO;
	assert_int_equal(ecn_log_new(&cfg, f, NULL, &lg), EC_OK);
	ECN_LOG(lg, ECN_INFO, "x", "now");
	assert_int_equal(ecn_log_reopen(lg), EC_OK);
	fflush(f);
	assert_true(len > 25);
	assert_true(strncmp(buf, "20", 2) == 0 && buf[10] == 'T' && buf[23] == 'Z');
	ecn_log_free(lg);
	fclose(f);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_format), cmocka_unit_test(test_json_format),
		cmocka_unit_test(test_levels),      cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_rate_limit),  cmocka_unit_test(test_file_and_reopen),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
