/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ops/metrics.h: the Prometheus text exposition 0.0.4
 * rendered byte for byte (HELP and TYPE lines, labels, escaping of label
 * values and HELP text, cumulative histogram buckets ending in +Inf, _sum
 * and _count, the spelling of doubles), the registration rules, and the
 * strict parser of the scraper's HTTP request.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ops/metrics.h"

static char *
render(const ecn_metrics *m)
{
	ecn_buf b = {0};
	assert_int_equal(ecn_metrics_render(m, &b), EC_OK);
	if (!b.data)
		assert_int_equal(ecn_buf_append(&b, "", 0), EC_OK);
	return b.data;
}

static void
test_exposition(void **state)
{
	(void)state;
	ecn_metrics *m;
	assert_int_equal(ecn_metrics_new(&m), EC_OK);
	ecn_counter *mac, *shortd, *plain;
	ecn_gauge *peers;
	ecn_histogram *lat, *lat2;
	const char *help = "Datagrams dropped, by reason.";
	ecn_label l1[] = {{"reason", "bad_mac"}};
	ecn_label l2[] = {{"reason", "too_short"}};
	assert_int_equal(ecn_metrics_counter(m, "ecnode_datagrams_dropped_total", help, l1, 1, &mac),
	                 EC_OK);
	assert_int_equal(ecn_metrics_gauge(m, "ecnode_peers", "Peers known.", NULL, 0, &peers), EC_OK);
	assert_int_equal(
	    ecn_metrics_counter(m, "ecnode_datagrams_dropped_total", help, l2, 1, &shortd), EC_OK);
	double bounds[] = {0.005, 0.01, 0.1, 1};
	ecn_label h1[] = {{"method", "status"}, {"result", "ok"}};
	ecn_label h2[] = {{"method", "submit"}, {"result", "ok"}};
	assert_int_equal(ecn_metrics_histogram(m, "ecnode_rpc_seconds", "RPC latency.", h1, 2, bounds,
	                                       4, &lat),
	                 EC_OK);
	assert_int_equal(ecn_metrics_histogram(m, "ecnode_rpc_seconds", "RPC latency.", h2, 2, bounds,
	                                       4, &lat2),
	                 EC_OK);
	assert_int_equal(ecn_metrics_counter(m, "ecnode_ticks_total", "Ticks.", NULL, 0, &plain), EC_OK);
	ecn_counter_inc(mac);
	ecn_counter_add(mac, 41);
	ecn_counter_inc(shortd);
	ecn_gauge_set(peers, 7);
	ecn_gauge_add(peers, 0.5);
	ecn_histogram_observe(lat, 0.005); /* le is inclusive: the first bucket */
	ecn_histogram_observe(lat, 0.05);
	ecn_histogram_observe(lat, 2);
	ecn_histogram_observe(lat, NAN); /* ignored */
	assert_int_equal(ecn_counter_value(mac), 42);
	assert_true(ecn_gauge_value(peers) == 7.5);
	char *out = render(m);
	assert_string_equal(out,
	                    "# HELP ecnode_datagrams_dropped_total Datagrams dropped, by reason.\n"
	                    "# TYPE ecnode_datagrams_dropped_total counter\n"
	                    "ecnode_datagrams_dropped_total{reason=\"bad_mac\"} 42\n"
	                    "ecnode_datagrams_dropped_total{reason=\"too_short\"} 1\n"
	                    "# HELP ecnode_peers Peers known.\n"
	                    "# TYPE ecnode_peers gauge\n"
	                    "ecnode_peers 7.5\n"
	                    "# HELP ecnode_rpc_seconds RPC latency.\n"
	                    "# TYPE ecnode_rpc_seconds histogram\n"
	                    "ecnode_rpc_seconds_bucket{method=\"status\",result=\"ok\",le=\"0.005\"} 1\n"
	                    "ecnode_rpc_seconds_bucket{method=\"status\",result=\"ok\",le=\"0.01\"} 1\n"
	                    "ecnode_rpc_seconds_bucket{method=\"status\",result=\"ok\",le=\"0.1\"} 2\n"
	                    "ecnode_rpc_seconds_bucket{method=\"status\",result=\"ok\",le=\"1\"} 2\n"
	                    "ecnode_rpc_seconds_bucket{method=\"status\",result=\"ok\",le=\"+Inf\"} 3\n"
	                    "ecnode_rpc_seconds_sum{method=\"status\",result=\"ok\"} 2.055\n"
	                    "ecnode_rpc_seconds_count{method=\"status\",result=\"ok\"} 3\n"
	                    "ecnode_rpc_seconds_bucket{method=\"submit\",result=\"ok\",le=\"0.005\"} 0\n"
	                    "ecnode_rpc_seconds_bucket{method=\"submit\",result=\"ok\",le=\"0.01\"} 0\n"
	                    "ecnode_rpc_seconds_bucket{method=\"submit\",result=\"ok\",le=\"0.1\"} 0\n"
	                    "ecnode_rpc_seconds_bucket{method=\"submit\",result=\"ok\",le=\"1\"} 0\n"
	                    "ecnode_rpc_seconds_bucket{method=\"submit\",result=\"ok\",le=\"+Inf\"} 0\n"
	                    "ecnode_rpc_seconds_sum{method=\"submit\",result=\"ok\"} 0\n"
	                    "ecnode_rpc_seconds_count{method=\"submit\",result=\"ok\"} 0\n"
	                    "# HELP ecnode_ticks_total Ticks.\n"
	                    "# TYPE ecnode_ticks_total counter\n"
	                    "ecnode_ticks_total 0\n");
	free(out);
	/* rendering appends */
	ecn_buf b = {0};
	assert_int_equal(ecn_buf_append(&b, "x\n", 2), EC_OK);
	assert_int_equal(ecn_metrics_render(m, &b), EC_OK);
	assert_true(strncmp(b.data, "x\n# HELP ecnode_datagrams", 25) == 0);
	assert_int_equal(strlen(b.data), b.len);
	ecn_buf_free(&b);
	assert_null(b.data);
	ecn_metrics_free(m);
}

static void
test_escaping_and_values(void **state)
{
	(void)state;
	ecn_metrics *m;
	assert_int_equal(ecn_metrics_new(&m), EC_OK);
	ecn_gauge *g[6];
	ecn_label l[6][1] = {{{"v", "a\\b"}}, {{"v", "q\"q"}}, {{"v", "n\nn"}},
	                     {{"v", ""}},     {{"v", "\xc3\xa9"}}, {{"v", "big"}}};
	const char *help = "Help with \\ and \"quotes\"\nand a newline.";
	for (int i = 0; i < 6; i++)
		assert_int_equal(ecn_metrics_gauge(m, "g", help, l[i], 1, &g[i]), EC_OK);
	ecn_gauge_set(g[0], INFINITY);
	ecn_gauge_set(g[1], -INFINITY);
	ecn_gauge_set(g[2], NAN);
	ecn_gauge_set(g[3], 0.1);
	ecn_gauge_set(g[4], -2.5e-7);
	ecn_gauge_set(g[5], 1e300);
	char *out = render(m);
	assert_string_equal(out, "# HELP g Help with \\\\ and \"quotes\"\\nand a newline.\n"
	                         "# TYPE g gauge\n"
	                         "g{v=\"a\\\\b\"} +Inf\n"
	                         "g{v=\"q\\\"q\"} -Inf\n"
	                         "g{v=\"n\\nn\"} NaN\n"
	                         "g{v=\"\"} 0.1\n"
	                         "g{v=\"\xc3\xa9\"} -2.5e-07\n"
	                         "g{v=\"big\"} 1e+300\n");
	free(out);
	/* counters saturate */
	ecn_counter *c;
	assert_int_equal(ecn_metrics_counter(m, "c_total", "C.", NULL, 0, &c), EC_OK);
	ecn_counter_add(c, UINT64_MAX - 1);
	ecn_counter_add(c, 5);
	assert_true(ecn_counter_value(c) == UINT64_MAX);
	/* shortest exact doubles in bucket bounds too */
	ecn_histogram *h;
	double b[] = {0.1, 0.2, 0.30000000000000004, 1e-9};
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", NULL, 0, b, 3, &h), EC_OK);
	ecn_histogram_observe(h, 0.3);
	out = render(m);
	assert_non_null(strstr(out, "h_bucket{le=\"0.1\"} 0\n"
	                            "h_bucket{le=\"0.2\"} 0\n"
	                            "h_bucket{le=\"0.30000000000000004\"} 1\n"
	                            "h_bucket{le=\"+Inf\"} 1\n"
	                            "h_sum 0.3\n"
	                            "h_count 1\n"));
	free(out);
	/* NULL handles are no-ops */
	ecn_counter_inc(NULL);
	ecn_counter_add(NULL, 3);
	ecn_gauge_set(NULL, 1);
	ecn_gauge_add(NULL, 1);
	ecn_histogram_observe(NULL, 1);
	assert_int_equal(ecn_counter_value(NULL), 0);
	assert_true(ecn_gauge_value(NULL) == 0.0);
	ecn_metrics_free(m);
	ecn_metrics_free(NULL);
	ecn_buf_free(NULL);
}

static void
test_registration_rules(void **state)
{
	(void)state;
	ecn_metrics *m;
	assert_int_equal(ecn_metrics_new(&m), EC_OK);
	ecn_counter *c = NULL;
	ecn_gauge *g = NULL;
	ecn_histogram *h = NULL;
	ecn_label ok[] = {{"reason", "a"}};
	double b[] = {1, 2};
	/* names */
	assert_int_equal(ecn_metrics_counter(m, "", "x", NULL, 0, &c), EC_EINVAL);
	assert_null(c);
	assert_int_equal(ecn_metrics_counter(m, "1abc", "x", NULL, 0, &c), EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(m, "a-b", "x", NULL, 0, &c), EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(m, "a b", "x", NULL, 0, &c), EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(m, "ns:sub_total", "x", NULL, 0, &c), EC_OK);
	assert_int_equal(ecn_metrics_counter(m, "y", NULL, NULL, 0, &c), EC_EINVAL);
	ecn_label bad[][1] = {{{"__x", "v"}}, {{"1a", "v"}}, {{"a-b", "v"}}, {{"", "v"}},
	                      {{"a", NULL}}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(ecn_metrics_counter(m, "z", "x", bad[i], 1, &c), EC_EINVAL);
	ecn_label dup[] = {{"a", "1"}, {"a", "2"}};
	assert_int_equal(ecn_metrics_counter(m, "z", "x", dup, 2, &c), EC_EINVAL);
	ecn_label many[ECN_METRICS_MAX_LABELS + 1];
	char names[ECN_METRICS_MAX_LABELS + 1][4];
	for (size_t i = 0; i <= ECN_METRICS_MAX_LABELS; i++) {
		snprintf(names[i], sizeof names[i], "l%zu", i);
		many[i] = (ecn_label){names[i], "v"};
	}
	assert_int_equal(ecn_metrics_counter(m, "z", "x", many, ECN_METRICS_MAX_LABELS + 1, &c),
	                 EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(m, "z", "x", many, ECN_METRICS_MAX_LABELS, &c), EC_OK);
	/* a family keeps its type, help and label names; a series is unique */
	assert_int_equal(ecn_metrics_counter(m, "f_total", "F.", ok, 1, &c), EC_OK);
	assert_int_equal(ecn_metrics_counter(m, "f_total", "F.", ok, 1, &c), EC_EINVAL);
	assert_null(c);
	assert_int_equal(ecn_metrics_gauge(m, "f_total", "F.", ok, 1, &g), EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(m, "f_total", "Other.", ok, 1, &c), EC_EINVAL);
	ecn_label other[] = {{"cause", "b"}};
	assert_int_equal(ecn_metrics_counter(m, "f_total", "F.", other, 1, &c), EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(m, "f_total", "F.", NULL, 0, &c), EC_EINVAL);
	/* histograms: bounds, "le", and the names their lines use */
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", NULL, 0, NULL, 0, &h), EC_EINVAL);
	double dec[] = {2, 1}, same[] = {1, 1}, inf[] = {1, INFINITY}, nan_[] = {NAN};
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", NULL, 0, dec, 2, &h), EC_EINVAL);
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", NULL, 0, same, 2, &h), EC_EINVAL);
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", NULL, 0, inf, 2, &h), EC_EINVAL);
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", NULL, 0, nan_, 1, &h), EC_EINVAL);
	double toomany[ECN_METRICS_MAX_BUCKETS + 1];
	for (size_t i = 0; i <= ECN_METRICS_MAX_BUCKETS; i++)
		toomany[i] = (double)i;
	assert_int_equal(
	    ecn_metrics_histogram(m, "h", "H.", NULL, 0, toomany, ECN_METRICS_MAX_BUCKETS + 1, &h),
	    EC_EINVAL);
	ecn_label le[] = {{"le", "1"}};
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", le, 1, b, 2, &h), EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(m, "le_ok", "x", le, 1, &c), EC_OK);
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", ok, 1, b, 2, &h), EC_OK);
	ecn_label ok2[] = {{"reason", "b"}};
	double b2[] = {1, 3};
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", ok2, 1, b2, 2, &h), EC_EINVAL);
	assert_int_equal(ecn_metrics_histogram(m, "h", "H.", ok2, 1, b, 2, &h), EC_OK);
	assert_int_equal(ecn_metrics_counter(m, "h_count", "x", NULL, 0, &c), EC_EINVAL);
	assert_int_equal(ecn_metrics_gauge(m, "h_bucket", "x", NULL, 0, &g), EC_EINVAL);
	assert_int_equal(ecn_metrics_gauge(m, "h_sum", "x", NULL, 0, &g), EC_EINVAL);
	assert_int_equal(ecn_metrics_gauge(m, "h_summary", "x", NULL, 0, &g), EC_OK);
	assert_int_equal(ecn_metrics_counter(m, "k_sum", "x", NULL, 0, &c), EC_OK);
	assert_int_equal(ecn_metrics_histogram(m, "k", "K.", NULL, 0, b, 2, &h), EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(NULL, "x", "x", NULL, 0, &c), EC_EINVAL);
	assert_int_equal(ecn_metrics_counter(m, "x", "x", NULL, 0, NULL), EC_EINVAL);
	ecn_metrics_free(m);
}

static ecn_http_verdict
http(const char *s, ecn_http_request *r)
{
	return ecn_http_parse_request_line(s, strlen(s), r);
}

static void
test_http_ok(void **state)
{
	(void)state;
	ecn_http_request r;
	const char *req = "GET /metrics HTTP/1.1\r\nHost: localhost:9100\r\n"
	                  "User-Agent: Prometheus/2.45\r\nAccept: text/plain;q=0.9, */*\t\r\n\r\n";
	assert_int_equal(http(req, &r), ECN_HTTP_OK);
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.path, "/metrics");
	assert_string_equal(r.query, "");
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.head_len, strlen(req));
	/* a body or a pipelined request after the head is not looked at */
	char more[512];
	snprintf(more, sizeof more, "%sGARBAGE\x01", req);
	assert_int_equal(http(more, &r), ECN_HTTP_OK);
	assert_int_equal(r.head_len, strlen(req));
	assert_int_equal(http("HEAD /metrics?name[]=x&y HTTP/1.0\n\n", &r), ECN_HTTP_OK);
	assert_string_equal(r.method, "HEAD");
	assert_string_equal(r.path, "/metrics");
	assert_string_equal(r.query, "name[]=x&y");
	assert_int_equal(r.minor, 0);
	assert_int_equal(http("POST / HTTP/1.0\r\n\r\n", &r), ECN_HTTP_OK);
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.path, "/");
	/* every prefix of a valid head asks for more, never fails */
	for (size_t n = 0; n < strlen(req); n++) {
		ecn_http_request z;
		memset(&z, 0x55, sizeof z);
		assert_int_equal(ecn_http_parse_request_line(req, n, &z), ECN_HTTP_INCOMPLETE);
	}
	/* a target of 255 bytes passes, 256 does not */
	char t[400];
	memset(t, 0, sizeof t);
	memcpy(t, "GET /", 5);
	memset(t + 5, 'a', 254);
	memcpy(t + 259, " HTTP/1.1\r\n\r\n", 14);
	assert_int_equal(http(t, &r), ECN_HTTP_OK);
	assert_int_equal(strlen(r.path), 255);
	memset(t + 5, 'a', 255);
	memcpy(t + 260, " HTTP/1.1\r\n\r\n", 14);
	assert_int_equal(http(t, &r), ECN_HTTP_TOO_LONG);
}

static void
test_http_bad(void **state)
{
	(void)state;
	ecn_http_request r;
	static const char *const bad[] = {
		"get /metrics HTTP/1.1\r\n\r\n",
		"GET  /metrics HTTP/1.1\r\n\r\n",
		"GET metrics HTTP/1.1\r\n\r\n",
		"GET /metrics  HTTP/1.1\r\n\r\n",
		"GET /metrics HTTP/1.1 \r\n\r\n",
		"GET /metrics HTTP/1.1\rX\n\r\n",
		"GET /metrics http/1.1\r\n\r\n",
		"GET /metrics HTTP/1.x\r\n\r\n",
		"GET /metrics HTTP/11\r\n\r\n",
		"GET /a b HTTP/1.1\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\n continued\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: a\001b\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: a\rb\r\n\r\n",
		"GET /metrics HTTP/1.1\r\n: x\r\n\r\n",
		"\r\nGET /metrics HTTP/1.1\r\n\r\n",
		"GETTINGVERYLONGMETHODNAME / HTTP/1.1\r\n\r\n",
		"GET /\x80 HTTP/1.1\r\n\r\n",
		"GET /metrics HTTP/1.1\r\n\r",
		"GET /metrics HTTP/1.1\r\r",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ecn_http_verdict v = http(bad[i], &r);
		if (v != ECN_HTTP_BAD && !(v == ECN_HTTP_INCOMPLETE && i == 19))
			fail_msg("case %zu: verdict %d", i, (int)v);
	}
	/* NUL bytes are not text */
	assert_int_equal(ecn_http_parse_request_line("GET /\0x HTTP/1.1\r\n\r\n", 20, &r), ECN_HTTP_BAD);
	assert_int_equal(http("GET / HTTP/2.0\r\n\r\n", &r), ECN_HTTP_VERSION);
	assert_int_equal(http("GET / HTTP/1.2\r\n\r\n", &r), ECN_HTTP_VERSION);
	assert_int_equal(http("GET / HTTP/0.9\r\n\r\n", &r), ECN_HTTP_VERSION);
	/* a head that never ends is cut at ECN_HTTP_HEAD_MAX */
	size_t n = ECN_HTTP_HEAD_MAX + 100;
	char *big = malloc(n);
	assert_non_null(big);
	const char *start = "GET /metrics HTTP/1.1\r\nX-Pad: ";
	memcpy(big, start, strlen(start));
	memset(big + strlen(start), 'p', n - strlen(start));
	assert_int_equal(ecn_http_parse_request_line(big, ECN_HTTP_HEAD_MAX - 1, &r),
	                 ECN_HTTP_INCOMPLETE);
	assert_int_equal(ecn_http_parse_request_line(big, ECN_HTTP_HEAD_MAX, &r), ECN_HTTP_TOO_LONG);
	assert_int_equal(ecn_http_parse_request_line(big, n, &r), ECN_HTTP_TOO_LONG);
	free(big);
	assert_int_equal(ecn_http_parse_request_line(NULL, 0, &r), ECN_HTTP_BAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exposition),         cmocka_unit_test(test_escaping_and_values),
		cmocka_unit_test(test_registration_rules), cmocka_unit_test(test_http_ok),
		cmocka_unit_test(test_http_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
