/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ops/rpc.h: the line framer (split chunks, one byte at a
 * time, over-long lines), JSON-RPC 2.0 decoding and dispatch (every error
 * code, ids of every kind, notifications, batches, the examples of the
 * specification), the parameter helpers' -32602 messages, application
 * errors with data, the watch flag and notification lines, and hostile
 * input (deep nesting, huge numbers, invalid UTF-8, NUL, duplicate keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ops/rpc.h"

typedef struct state {
	int calls;
} state_t;

static bool
m_echo(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	(void)err;
	*result = params ? json_incref(params) : NULL;
	return true;
}

static bool
m_count(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)params;
	(void)err;
	((state_t *)ctx->user)->calls++;
	*result = json_integer(((state_t *)ctx->user)->calls);
	return true;
}

static bool
m_status(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	if (!ecn_rpc_params_object(params, NULL, 0, err))
		return false;
	*result = json_pack("{s:b}", "ready", 1);
	return true;
}

static bool
m_token(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	static const char *const allowed[] = {"id"};
	uint8_t id[32];
	if (!ecn_rpc_params_object(params, allowed, 1, err) ||
	    !ecn_rpc_param_hex(params, "id", sizeof id, id, err))
		return false;
	static const uint8_t zero[32];
	if (memcmp(id, zero, 32) == 0)
		return ecn_rpc_fail(err, ECN_RPC_NOT_FOUND, json_pack("{s:s}", "why", "zero"),
		                    "no mapping for token %02x..", id[0]);
	*result = json_pack("{s:i}", "first", id[0]);
	return true;
}

static bool
m_submit(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	uint8_t block[100];
	size_t len;
	if (!ecn_rpc_param_hex_var(params, "block", sizeof block, block, &len, err))
		return false;
	*result = json_pack("{s:s,s:I}", "status", "submitted", "len", (json_int_t)len);
	return true;
}

static bool
m_range(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	uint64_t n;
	bool b;
	const char *s;
	if (!ecn_rpc_param_uint(params, "n", false, 1, 10, 5, &n, err) ||
	    !ecn_rpc_param_bool(params, "b", false, true, &b, err) ||
	    !ecn_rpc_param_string(params, "s", false, 8, &s, err))
		return false;
	*result = json_pack("{s:I,s:b,s:s*}", "n", (json_int_t)n, "b", b, "s", s);
	return true;
}

static bool
m_need(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	uint64_t n;
	bool b;
	const char *s;
	if (!ecn_rpc_param_uint(params, "n", true, 0, 100, 0, &n, err) ||
	    !ecn_rpc_param_bool(params, "b", true, false, &b, err) ||
	    !ecn_rpc_param_string(params, "s", true, 8, &s, err))
		return false;
	*result = json_true();
	return true;
}

static bool
m_watch(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)params;
	(void)err;
	ctx->watch = true;
	*result = json_pack("{s:b}", "watching", 1);
	return true;
}

static bool
m_internal(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	*result = json_string("dropped"); /* a result set on failure is released */
	return false;
}

static bool
m_reject(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)result;
	return ecn_rpc_fail(err, ECN_RPC_REJECTED, json_pack("{s:i}", "part", 2), "rejected: %s",
	                    "double spend");
}

static bool
m_text(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	*result = json_string("line\nbreak \"quoted\" \x01 \xc3\xa9");
	return true;
}

static const ecn_rpc_method methods[] = {
	{"echo", m_echo},     {"count", m_count},   {"status", m_status}, {"token", m_token},
	{"submit", m_submit}, {"range", m_range},   {"need", m_need},     {"watch", m_watch},
	{"internal", m_internal}, {"reject", m_reject}, {"text", m_text},
};
#define NMETHODS (sizeof methods / sizeof methods[0])

static state_t st;
static ecn_rpc_ctx ctx;

static int
reset(void **state)
{
	(void)state;
	memset(&st, 0, sizeof st);
	memset(&ctx, 0, sizeof ctx);
	ctx.user = &st;
	return 0;
}

/* Dispatches s; returns the response (NULL: none) after checking it is
 * one line of valid JSON. */
static char *
call_n(const char *s, size_t n)
{
	char *resp = (char *)1;
	assert_int_equal(ecn_rpc_dispatch(methods, NMETHODS, &ctx, s, n, &resp), EC_OK);
	if (!resp)
		return NULL;
	size_t len = strlen(resp);
	assert_true(len >= 2);
	assert_int_equal(resp[len - 1], '\n');
	assert_null(memchr(resp, '\n', len - 1));
	json_error_t jerr;
	json_t *j = json_loadb(resp, len, 0, &jerr);
	if (!j)
		fail_msg("response is not JSON: %s", resp);
	json_decref(j);
	return resp;
}

static char *
call(const char *s)
{
	return call_n(s, strlen(s));
}

static void
expect(const char *req, const char *want)
{
	char *got = call(req);
	if (!want) {
		if (got)
			fail_msg("expected no response to %s, got %s", req, got);
		return;
	}
	if (!got)
		fail_msg("no response to %s", req);
	char w[4096];
	snprintf(w, sizeof w, "%s\n", want);
	if (strcmp(got, w) != 0)
		fail_msg("request %s\n  got  %s  want %s", req, got, w);
	free(got);
}

/* The response's error code and message (the message is copied into msg). */
static int
error_of(const char *req, const char *id_want, char *msg, size_t cap)
{
	char *got = call(req);
	assert_non_null(got);
	json_t *j = json_loads(got, 0, NULL);
	assert_non_null(j);
	json_t *e = json_object_get(j, "error");
	if (!e)
		fail_msg("no error in %s", got);
	assert_string_equal(json_string_value(json_object_get(j, "jsonrpc")), "2.0");
	char *id = json_dumps(json_object_get(j, "id"), JSON_ENCODE_ANY);
	assert_string_equal(id, id_want);
	free(id);
	int code = (int)json_integer_value(json_object_get(e, "code"));
	if (msg)
		snprintf(msg, cap, "%s", json_string_value(json_object_get(e, "message")));
	assert_string_equal(json_string_value(json_object_get(e, "message")) ? "ok" : "", "ok");
	json_decref(j);
	free(got);
	return code;
}

static void
test_calls(void **state)
{
	(void)state;
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1,2],\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":[1,2],\"id\":1}");
	expect("{\"id\":\"abc\",\"method\":\"echo\",\"jsonrpc\":\"2.0\",\"params\":{\"a\":{\"b\":null}}}",
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"a\":{\"b\":null}},\"id\":\"abc\"}");
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":null}",
	       "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":null}");
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":-1.5}",
	       "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":-1.5}");
	expect(" \t{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":7}\r",
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"ready\":true},\"id\":7}");
	/* a result with characters that must not break the line */
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"text\",\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":\"line\\nbreak \\\"quoted\\\" \\u0001 \xc3\xa9\",\"id\":1}");
	/* blank lines are ignored */
	expect("", NULL);
	expect(" \t\r", NULL);
}

static void
test_notifications(void **state)
{
	(void)state;
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"count\"}", NULL);
	assert_int_equal(st.calls, 1);
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"count\",\"params\":[1]}", NULL);
	assert_int_equal(st.calls, 2);
	/* notifications get no answer, errors included */
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}", NULL);
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"reject\"}", NULL);
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"token\",\"params\":{\"id\":\"x\"}}", NULL);
	/* but an invalid request is answered even without an id */
	assert_int_equal(error_of("{\"jsonrpc\":\"2.0\",\"method\":1}", "null", NULL, 0),
	                 ECN_RPC_INVALID_REQUEST);
	assert_int_equal(st.calls, 2);
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"count\",\"id\":0}",
	       "{\"jsonrpc\":\"2.0\",\"result\":3,\"id\":0}");
}

static void
test_parse_errors(void **state)
{
	(void)state;
	char msg[256];
	/* the specification's example */
	const char *ex = "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]";
	char *got = call(ex);
	assert_non_null(got);
	const char *prefix = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\","
	                     "\"data\":\"column ";
	assert_true(strncmp(got, prefix, strlen(prefix)) == 0);
	assert_non_null(strstr(got, "},\"id\":null}\n"));
	free(got);
	static const char *const bad[] = {
		"{",
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}{}",        /* two values */
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1} x",        /* trailing junk */
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"method\":\"x\",\"id\":1}", /* duplicate key */
		"{\"jsonrpc\":\"2.0\",\"method\":\"ec\\u0000ho\",\"id\":1}",   /* \u0000 */
		"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\",\"id\":1}",          /* invalid UTF-8 */
		"{\"jsonrpc\":\"2.0\",\"method\":\"\xc0\xaf\",\"id\":1}",      /* overlong */
		"{\"jsonrpc\":\"2.0\",\"method\":\"\xed\xa0\x80\",\"id\":1}",  /* encoded surrogate */
		"{\"jsonrpc\":\"2.0\",\"method\":\"\\ud800\",\"id\":1}",       /* lone surrogate escape */
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1e400}",      /* real overflow */
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":99999999999999999999}", /* int overflow */
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[-99999999999999999999],\"id\":1}",
		"{'jsonrpc':'2.0'}",
		"[1,]",
		"NaN",
		"\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}", /* BOM */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int code = error_of(bad[i], "null", msg, sizeof msg);
		if (code != ECN_RPC_PARSE_ERROR)
			fail_msg("case %zu: code %d", i, code);
		assert_string_equal(msg, "Parse error");
	}
	/* a NUL byte inside the line */
	const char nul[] = "{\"jsonrpc\":\"2.0\",\0\"method\":\"echo\",\"id\":1}";
	got = call_n(nul, sizeof nul - 1);
	assert_non_null(strstr(got, "-32700"));
	free(got);
}

static void
test_nesting(void **state)
{
	(void)state;
	/* 64 levels in all pass (the request object is one of them) */
	char buf[4096];
	int n = snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1,\"params\":");
	for (int i = 0; i < 63; i++)
		buf[n++] = '[';
	for (int i = 0; i < 63; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n] = '\0';
	char *got = call(buf);
	assert_non_null(strstr(got, "\"result\":[[[["));
	free(got);
	/* 65 do not */
	n = snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1,\"params\":");
	for (int i = 0; i < 64; i++)
		buf[n++] = '[';
	for (int i = 0; i < 64; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n] = '\0';
	got = call(buf);
	assert_string_equal(got, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\","
	                         "\"data\":\"nesting deeper than 64\"},\"id\":null}\n");
	free(got);
	/* far past jansson's own limit, unbalanced: answered, no crash */
	size_t big = 200000;
	char *deep = malloc(big);
	assert_non_null(deep);
	memset(deep, '[', big);
	got = call_n(deep, big);
	assert_non_null(strstr(got, "nesting deeper than 64"));
	free(got);
	/* brackets inside strings do not count, escaped quotes included */
	n = snprintf(deep, big, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1,\"params\":[\"\\\"");
	for (int i = 0; i < 1000; i++)
		deep[n++] = '[';
	n += snprintf(deep + n, big - (size_t)n, "\"]}");
	got = call_n(deep, (size_t)n);
	assert_non_null(strstr(got, "\"result\":[\"\\\"[[[["));
	free(got);
	free(deep);
}

static void
test_invalid_requests(void **state)
{
	(void)state;
	static const struct {
		const char *req, *id, *data;
	} cases[] = {
		{"1", "null", "a request must be an object"},
		{"\"x\"", "null", "a request must be an object"},
		{"null", "null", "a request must be an object"},
		{"{}", "null", "\"jsonrpc\" must be \"2.0\""},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":true}", "null",
		 "\"id\" must be a string, a number or null"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":[1]}", "null",
		 "\"id\" must be a string, a number or null"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":{}}", "null",
		 "\"id\" must be a string, a number or null"},
		{"{\"jsonrpc\":\"1.0\",\"method\":\"echo\",\"id\":3}", "3", "\"jsonrpc\" must be \"2.0\""},
		{"{\"jsonrpc\":2.0,\"method\":\"echo\",\"id\":3}", "3", "\"jsonrpc\" must be \"2.0\""},
		{"{\"method\":\"echo\",\"id\":\"q\"}", "\"q\"", "\"jsonrpc\" must be \"2.0\""},
		{"{\"jsonrpc\":\"2.0\",\"id\":3}", "3", "\"method\" must be a string"},
		{"{\"jsonrpc\":\"2.0\",\"method\":null,\"id\":3}", "3", "\"method\" must be a string"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":\"bar\",\"id\":3}", "3",
		 "\"params\" must be an object or an array"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":null,\"id\":3}", "3",
		 "\"params\" must be an object or an array"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"param\":{},\"id\":3}", "3",
		 "unknown member \"param\""},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"\xc3\xa9\\n\":1,\"id\":3}", "3",
		 "unknown member \"??\?\""},
		{"[]", "null", "empty batch"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = call(cases[i].req);
		json_t *j = json_loads(got, 0, NULL);
		json_t *e = json_object_get(j, "error");
		if (json_integer_value(json_object_get(e, "code")) != ECN_RPC_INVALID_REQUEST)
			fail_msg("case %zu: %s", i, got);
		assert_string_equal(json_string_value(json_object_get(e, "message")), "Invalid Request");
		assert_string_equal(json_string_value(json_object_get(e, "data")), cases[i].data);
		char *id = json_dumps(json_object_get(j, "id"), JSON_ENCODE_ANY);
		assert_string_equal(id, cases[i].id);
		free(id);
		json_decref(j);
		free(got);
	}
}

static void
test_method_errors(void **state)
{
	(void)state;
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\","
	       "\"data\":\"nope\"},\"id\":1}");
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\","
	       "\"data\":\"rpc.discover\"},\"id\":1}");
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"internal\",\"id\":2}",
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal error\"},\"id\":2}");
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"reject\",\"id\":\"r\"}",
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32002,\"message\":\"rejected: double spend\","
	       "\"data\":{\"part\":2}},\"id\":\"r\"}");
	char id0[80], idx[80];
	memset(id0, '0', 64);
	id0[64] = '\0';
	snprintf(idx, sizeof idx, "ff%.62s", id0);
	char req[256];
	snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"method\":\"token\",\"params\":{\"id\":\"%s\"},\"id\":5}",
	         id0);
	expect(req, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32004,\"message\":\"no mapping for token 00..\","
	            "\"data\":{\"why\":\"zero\"}},\"id\":5}");
	snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"method\":\"token\",\"params\":{\"id\":\"%s\"},\"id\":5}",
	         idx);
	expect(req, "{\"jsonrpc\":\"2.0\",\"result\":{\"first\":255},\"id\":5}");
	for (char *p = idx; *p; p++)
		if (*p == 'f')
			*p = 'F'; /* either case */
	snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"method\":\"token\",\"params\":{\"id\":\"%s\"},\"id\":5}",
	         idx);
	expect(req, "{\"jsonrpc\":\"2.0\",\"result\":{\"first\":255},\"id\":5}");
	assert_string_equal(ecn_rpc_code_message(-32700), "Parse error");
	assert_string_equal(ecn_rpc_code_message(-32600), "Invalid Request");
	assert_string_equal(ecn_rpc_code_message(-32601), "Method not found");
	assert_string_equal(ecn_rpc_code_message(-32602), "Invalid params");
	assert_string_equal(ecn_rpc_code_message(-32603), "Internal error");
	assert_string_equal(ecn_rpc_code_message(-32001), "Node not ready");
	assert_string_equal(ecn_rpc_code_message(-32002), "Rejected");
	assert_string_equal(ecn_rpc_code_message(-32004), "Not found");
	assert_string_equal(ecn_rpc_code_message(-32050), "Server error");
	assert_string_equal(ecn_rpc_code_message(7), "Error");
}

/* The -32602 message for method m with params p. */
static void
expect_params_error(const char *m, const char *p, const char *want)
{
	char req[1024], msg[256];
	snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":%s,\"id\":9}", m, p);
	int code = error_of(req, "9", msg, sizeof msg);
	if (code != ECN_RPC_INVALID_PARAMS || strcmp(msg, want) != 0)
		fail_msg("%s: code %d, message '%s', want '%s'", req, code, msg, want);
}

static void
test_params(void **state)
{
	(void)state;
	char hex63[64], hex64[80];
	memset(hex63, 'a', 63);
	hex63[63] = '\0';
	memset(hex64, 'a', 64);
	hex64[64] = '\0';
	char p[512];
	expect_params_error("token", "{}", "Invalid params: \"id\" is missing");
	expect_params_error("token", "[\"aa\"]", "Invalid params: params must be an object");
	expect_params_error("token", "{\"id\":7}", "Invalid params: \"id\" must be a string of hex digits");
	snprintf(p, sizeof p, "{\"id\":\"%s\"}", hex63);
	expect_params_error("token", p, "Invalid params: \"id\" must be 64 hex digits, not 63 characters");
	snprintf(p, sizeof p, "{\"id\":\"%sa\"}", hex64);
	expect_params_error("token", p, "Invalid params: \"id\" must be 64 hex digits, not 65 characters");
	snprintf(p, sizeof p, "{\"id\":\"%sg\"}", hex63);
	expect_params_error("token", p, "Invalid params: \"id\" holds a character that is not a hex digit");
	snprintf(p, sizeof p, "{\"id\":\"%s\",\"idd\":1}", hex64);
	expect_params_error("token", p, "Invalid params: \"idd\" is not a parameter of this method");
	expect_params_error("status", "{\"x\":1}", "Invalid params: \"x\" is not a parameter of this method");
	expect_params_error("status", "[]", "Invalid params: params must be an object");
	expect_params_error("range", "{\"n\":0}", "Invalid params: \"n\" must be between 1 and 10");
	expect_params_error("range", "{\"n\":11}", "Invalid params: \"n\" must be between 1 and 10");
	expect_params_error("range", "{\"n\":-1}", "Invalid params: \"n\" must be between 1 and 10");
	expect_params_error("range", "{\"n\":9223372036854775807}",
	                    "Invalid params: \"n\" must be between 1 and 10");
	expect_params_error("range", "{\"n\":2.0}", "Invalid params: \"n\" must be an integer");
	expect_params_error("range", "{\"n\":\"2\"}", "Invalid params: \"n\" must be an integer");
	expect_params_error("range", "{\"b\":\"yes\"}", "Invalid params: \"b\" must be true or false");
	expect_params_error("range", "{\"s\":\"\"}", "Invalid params: \"s\" must be 1 to 8 bytes without NUL");
	expect_params_error("range", "{\"s\":\"123456789\"}",
	                    "Invalid params: \"s\" must be 1 to 8 bytes without NUL");
	expect_params_error("range", "{\"s\":5}", "Invalid params: \"s\" must be a string");
	expect_params_error("need", "{}", "Invalid params: \"n\" is missing");
	expect_params_error("need", "{\"n\":1}", "Invalid params: \"b\" is missing");
	expect_params_error("need", "{\"n\":1,\"b\":false}", "Invalid params: \"s\" is missing");
	expect_params_error("submit", "{\"block\":\"abc\"}",
	                    "Invalid params: \"block\" must be a non-zero, even number of hex digits, not 3");
	expect_params_error("submit", "{\"block\":\"\"}",
	                    "Invalid params: \"block\" must be a non-zero, even number of hex digits, not 0");
	expect_params_error("submit", "{\"block\":\"zz\"}",
	                    "Invalid params: \"block\" holds a character that is not a hex digit");
	char big[300];
	memset(big, 'b', 202);
	big[202] = '\0';
	snprintf(p, sizeof p, "{\"block\":\"%s\"}", big);
	expect_params_error("submit", p, "Invalid params: \"block\" is longer than 100 bytes (200 hex digits)");
	/* a key with odd bytes is shown safely */
	expect_params_error("status", "{\"a\\nb\xc3\xa9\":1}",
	                    "Invalid params: \"a?b??\" is not a parameter of this method");
	/* successes: defaults and given values */
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"range\",\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"n\":5,\"b\":true},\"id\":1}");
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"range\",\"params\":{\"n\":10,\"b\":false,\"s\":\"12345678\"},\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"n\":10,\"b\":false,\"s\":\"12345678\"},\"id\":1}");
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"need\",\"params\":{\"n\":0,\"b\":false,\"s\":\"x\"},\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":true,\"id\":1}");
	memset(big, 'b', 200);
	big[200] = '\0';
	snprintf(p, sizeof p, "{\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"block\":\"%s\"},\"id\":1}",
	         big);
	expect(p, "{\"jsonrpc\":\"2.0\",\"result\":{\"status\":\"submitted\",\"len\":100},\"id\":1}");
}

static void
test_batches(void **state)
{
	(void)state;
	/* the specification's mixed batch */
	expect("[{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1,2,4],\"id\":\"1\"},"
	       "{\"jsonrpc\":\"2.0\",\"method\":\"count\",\"params\":[7]},"
	       "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":\"2\"},"
	       "{\"foo\":\"boo\"},"
	       "{\"jsonrpc\":\"2.0\",\"method\":\"foo.get\",\"params\":{\"name\":\"myself\"},\"id\":\"5\"},"
	       "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":\"9\"}]",
	       "[{\"jsonrpc\":\"2.0\",\"result\":[1,2,4],\"id\":\"1\"},"
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\",\"data\":\"subtract\"},\"id\":\"2\"},"
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\",\"data\":\"unknown member \\\"foo\\\"\"},\"id\":null},"
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\",\"data\":\"foo.get\"},\"id\":\"5\"},"
	       "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":\"9\"}]");
	assert_int_equal(st.calls, 1);
	/* invalid batches */
	expect("[]", "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\","
	             "\"data\":\"empty batch\"},\"id\":null}");
	expect("[1]", "[{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\","
	              "\"data\":\"a request must be an object\"},\"id\":null}]");
	char *got = call("[1,2,3]");
	json_t *j = json_loads(got, 0, NULL);
	assert_int_equal(json_array_size(j), 3);
	json_decref(j);
	free(got);
	expect("[[]]", "[{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\","
	               "\"data\":\"a request must be an object\"},\"id\":null}]");
	/* a batch that is not JSON is one parse error */
	assert_int_equal(error_of("[{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1},{\"jsonrpc\"",
	                          "null", NULL, 0),
	                 ECN_RPC_PARSE_ERROR);
	/* only notifications: nothing at all */
	st.calls = 0;
	expect("[{\"jsonrpc\":\"2.0\",\"method\":\"count\"},{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}]", NULL);
	assert_int_equal(st.calls, 1);
	/* the batch limit */
	size_t cap = 300 * 40 + 16, n = 0;
	char *b = malloc(cap);
	assert_non_null(b);
	b[n++] = '[';
	for (unsigned i = 0; i < ECN_RPC_MAX_BATCH; i++)
		n += (size_t)snprintf(b + n, cap - n, "%s{\"jsonrpc\":\"2.0\",\"method\":\"count\"}",
		                      i ? "," : "");
	b[n++] = ']';
	st.calls = 0;
	assert_null(call_n(b, n));
	assert_int_equal(st.calls, ECN_RPC_MAX_BATCH);
	n--;
	n += (size_t)snprintf(b + n, cap - n, ",{\"jsonrpc\":\"2.0\",\"method\":\"count\"}]");
	st.calls = 0;
	got = call_n(b, n);
	assert_string_equal(got, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\","
	                         "\"data\":\"batch of more than 256 requests\"},\"id\":null}\n");
	assert_int_equal(st.calls, 0);
	free(got);
	free(b);
}

static void
test_watch_and_notification_lines(void **state)
{
	(void)state;
	assert_false(ctx.watch);
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"ready\":true},\"id\":1}");
	assert_false(ctx.watch);
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"watch\",\"id\":1}",
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"watching\":true},\"id\":1}");
	assert_true(ctx.watch);
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":2}",
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"ready\":true},\"id\":2}");
	assert_true(ctx.watch); /* sticky */
	char *line = ecn_rpc_notification_line(
	    "commit", json_pack("{s:s,s:I,s:I,s:b}", "block", "ab", "tick", (json_int_t)5, "time_ms",
	                        (json_int_t)1700000000123, "mine", 0));
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"method\":\"commit\",\"params\":{\"block\":\"ab\","
	                          "\"tick\":5,\"time_ms\":1700000000123,\"mine\":false}}\n");
	free(line);
	line = ecn_rpc_notification_line("ping", NULL);
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}\n");
	free(line);
	assert_null(ecn_rpc_notification_line("x", json_integer(3)));
	assert_null(ecn_rpc_notification_line(NULL, json_object()));
	assert_null(ecn_rpc_notification_line("\xff", NULL));
	line = ecn_rpc_error_line(ECN_RPC_INVALID_REQUEST, NULL, "line longer than 1048576 bytes");
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\","
	                          "\"data\":\"line longer than 1048576 bytes\"},\"id\":null}\n");
	free(line);
	line = ecn_rpc_error_line(ECN_RPC_NOT_READY, "not ready \xff", NULL);
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"not ready ?\"},"
	                          "\"id\":null}\n");
	free(line);
	/* result and error responses built directly */
	json_t *id = json_string("x");
	line = ecn_rpc_line(ecn_rpc_result_response(id, json_pack("{s:b}", "stopping", 1)));
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"result\":{\"stopping\":true},\"id\":\"x\"}\n");
	free(line);
	line = ecn_rpc_line(ecn_rpc_error_response(id, ECN_RPC_NOT_FOUND, NULL, NULL));
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32004,\"message\":\"Not found\"},"
	                          "\"id\":\"x\"}\n");
	free(line);
	json_decref(id);
	assert_null(ecn_rpc_line(NULL));
	/* ecn_rpc_fail replaces data and truncates long messages */
	ecn_rpc_error err = {0};
	char longm[600];
	memset(longm, 'm', sizeof longm - 1);
	longm[sizeof longm - 1] = '\0';
	assert_false(ecn_rpc_fail(&err, 1, json_integer(1), "%s", "first"));
	assert_false(ecn_rpc_fail(&err, ECN_RPC_REJECTED, NULL, "%s", longm));
	assert_null(err.data);
	assert_int_equal(strlen(err.message), ECN_RPC_MESSAGE_MAX - 1);
	ecn_rpc_error_clear(&err);
	assert_int_equal(err.code, 0);
}

static void
test_framer(void **state)
{
	(void)state;
	ecn_framer f;
	ecn_framer_init(&f, 0);
	char *line;
	size_t len;
	assert_int_equal(ecn_framer_feed(&f, "a\nb", 3), EC_OK);
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
	assert_string_equal(line, "a");
	assert_int_equal(len, 1);
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
	assert_null(line);
	assert_int_equal(len, 0);
	assert_int_equal(ecn_framer_pending(&f), 1);
	assert_int_equal(ecn_framer_feed(&f, "c\n\nd\0e\n", 7), EC_OK);
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
	assert_string_equal(line, "bc");
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
	assert_string_equal(line, "");
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "d\0e", 3);
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
	assert_null(line);
	assert_int_equal(ecn_framer_pending(&f), 0);
	ecn_framer_fini(&f);

	/* any split of a stream gives the same lines */
	const char stream[] = "{\"a\":1}\n\n[1,2]\nxyz\n  \nlast";
	for (size_t chunk = 1; chunk <= sizeof stream; chunk++) {
		ecn_framer_init(&f, 0);
		char got[128] = "";
		size_t gl = 0;
		for (size_t off = 0; off < sizeof stream - 1; off += chunk) {
			size_t n = sizeof stream - 1 - off < chunk ? sizeof stream - 1 - off : chunk;
			assert_int_equal(ecn_framer_feed(&f, stream + off, n), EC_OK);
			for (;;) {
				assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
				if (!line)
					break;
				memcpy(got + gl, line, len);
				gl += len;
				got[gl++] = '|';
			}
		}
		got[gl] = '\0';
		assert_string_equal(got, "{\"a\":1}||[1,2]|xyz|  |");
		assert_int_equal(ecn_framer_pending(&f), 4);
		ecn_framer_fini(&f);
	}

	/* over-long lines: max 8 bytes */
	ecn_framer_init(&f, 8);
	assert_int_equal(ecn_framer_feed(&f, "12345678\n", 9), EC_OK);
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
	assert_string_equal(line, "12345678");
	assert_int_equal(ecn_framer_feed(&f, "1234", 4), EC_OK);
	assert_int_equal(ecn_framer_feed(&f, "5678", 4), EC_OK);
	assert_int_equal(ecn_framer_feed(&f, "9", 1), EC_ERANGE);
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_ERANGE);
	assert_null(line);
	assert_int_equal(ecn_framer_feed(&f, "\n", 1), EC_ERANGE); /* failed for good */
	ecn_framer_fini(&f);
	ecn_framer_init(&f, 8);
	assert_int_equal(ecn_framer_feed(&f, "ok\n123456789\nok\n", 16), EC_ERANGE);
	ecn_framer_fini(&f);
	ecn_framer_init(&f, 8);
	assert_int_equal(ecn_framer_feed(&f, "12345678", 8), EC_OK);
	assert_int_equal(ecn_framer_feed(&f, "\n12345678\n", 10), EC_OK);
	ecn_framer_fini(&f);

	/* the default: 1 MiB */
	ecn_framer_init(&f, 0);
	size_t mib = ECN_RPC_LINE_MAX;
	char *big = malloc(mib + 1);
	assert_non_null(big);
	memset(big, 'x', mib + 1);
	assert_int_equal(ecn_framer_feed(&f, big, mib), EC_OK);
	assert_int_equal(ecn_framer_feed(&f, "\n", 1), EC_OK);
	assert_int_equal(ecn_framer_next(&f, &line, &len), EC_OK);
	assert_int_equal(len, mib);
	assert_int_equal(ecn_framer_feed(&f, big, mib + 1), EC_ERANGE);
	ecn_framer_fini(&f);
	free(big);
	ecn_framer_fini(NULL);
	assert_int_equal(ecn_framer_feed(NULL, "x", 1), EC_EINVAL);
	/* a zeroed framer works */
	ecn_framer z = {0};
	assert_int_equal(ecn_framer_feed(&z, "q\n", 2), EC_OK);
	assert_int_equal(ecn_framer_next(&z, &line, &len), EC_OK);
	assert_string_equal(line, "q");
	ecn_framer_fini(&z);
}

/* jansson's allocator, failing after `left` allocations: every
 * allocation failure inside the dispatcher must end in EC_ENOMEM or a valid
 * response, without a crash or a leak (the sanitizers watch). */
static long left;

static void *
failing_malloc(size_t n)
{
	if (left <= 0)
		return NULL;
	left--;
	return malloc(n);
}

static void
test_out_of_memory(void **state)
{
	(void)state;
	const char *req = "[{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"a\":[1,\"x\"]},\"id\":1},"
	                  "{\"jsonrpc\":\"2.0\",\"method\":\"reject\",\"id\":\"r\"},"
	                  "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":2},{\"x\":1},"
	                  "{\"jsonrpc\":\"2.0\",\"method\":\"token\",\"params\":{\"id\":\"1\"},\"id\":3},"
	                  "{\"jsonrpc\":\"2.0\",\"method\":\"count\"}]";
	const char *bad = "{\"jsonrpc\":";
	int nomem = 0, ok = 0;
	for (long k = 0; k < 5000; k++) {
		const char *lines[] = {req, bad};
		bool finished = true;
		for (int i = 0; i < 2; i++) {
			left = k;
			json_set_alloc_funcs(failing_malloc, free);
			char *resp = NULL;
			ec_err e = ecn_rpc_dispatch(methods, NMETHODS, &ctx, lines[i], strlen(lines[i]), &resp);
			bool exhausted = left <= 0;
			json_set_alloc_funcs(malloc, free);
			assert_true(e == EC_OK || e == EC_ENOMEM);
			if (e == EC_ENOMEM) {
				assert_null(resp);
				nomem++;
			} else {
				ok++;
				if (resp) {
					json_t *j = json_loads(resp, 0, NULL);
					assert_non_null(j);
					json_decref(j);
				}
			}
			free(resp);
			if (exhausted)
				finished = false;
		}
		if (finished)
			break;
	}
	assert_true(nomem > 10);
	assert_true(ok > 0);
	/* the builders too */
	for (long k = 0; k < 50; k++) {
		left = k;
		json_set_alloc_funcs(failing_malloc, free);
		json_t *id = json_string("x");
		char *a = ecn_rpc_line(ecn_rpc_result_response(id, json_pack("{s:i}", "a", 1)));
		char *b = ecn_rpc_line(ecn_rpc_error_response(id, 1, "m", json_string("d")));
		char *c = ecn_rpc_notification_line("commit", json_pack("{s:i}", "a", 1));
		char *d = ecn_rpc_error_line(ECN_RPC_INVALID_REQUEST, NULL, "line too long");
		json_decref(id);
		json_set_alloc_funcs(malloc, free);
		free(a);
		free(b);
		free(c);
		free(d);
	}
}

static void
test_bad_arguments(void **state)
{
	(void)state;
	char *resp = (char *)1;
	assert_int_equal(ecn_rpc_dispatch(methods, NMETHODS, NULL, "{}", 2, &resp), EC_EINVAL);
	assert_null(resp);
	assert_int_equal(ecn_rpc_dispatch(methods, NMETHODS, &ctx, NULL, 2, &resp), EC_EINVAL);
	assert_int_equal(ecn_rpc_dispatch(methods, NMETHODS, &ctx, "{}", 2, NULL), EC_EINVAL);
	/* an empty table: everything is unknown */
	assert_int_equal(ecn_rpc_dispatch(NULL, 0, &ctx, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}",
	                                  40, &resp),
	                 EC_OK);
	assert_non_null(strstr(resp, "-32601"));
	free(resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_calls, reset),
		cmocka_unit_test_setup(test_notifications, reset),
		cmocka_unit_test_setup(test_parse_errors, reset),
		cmocka_unit_test_setup(test_nesting, reset),
		cmocka_unit_test_setup(test_invalid_requests, reset),
		cmocka_unit_test_setup(test_method_errors, reset),
		cmocka_unit_test_setup(test_params, reset),
		cmocka_unit_test_setup(test_batches, reset),
		cmocka_unit_test_setup(test_watch_and_notification_lines, reset),
		cmocka_unit_test_setup(test_framer, reset),
		cmocka_unit_test_setup(test_out_of_memory, reset),
		cmocka_unit_test_setup(test_bad_arguments, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
