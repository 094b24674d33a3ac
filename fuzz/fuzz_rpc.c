/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: what the daemon reads from its control socket and its
 * metrics port, and how it logs what it read (src/ops).
 *
 *   - The input is a byte stream fed to an ecn_framer (max line 512 bytes)
 *     in chunks of 1 .. 16 bytes (the size chosen by the first byte); each
 *     line is dispatched to a method table that exercises the parameter
 *     helpers, application errors with data and the watch flag.  Every
 *     response must be one line ending in '\n' of valid JSON: an object,
 *     or a non-empty array of objects, each with "jsonrpc":"2.0", an "id",
 *     and exactly one of "result" or an "error" with an integer code and a
 *     string message.  A framer that fails must keep failing.
 *   - The whole input is also dispatched as one line.
 *   - ecn_http_parse_request_line: an OK head is a prefix of the input no
 *     longer than ECN_HTTP_HEAD_MAX, its path starts with '/', and parsing
 *     exactly that prefix gives the same result; INCOMPLETE only below
 *     ECN_HTTP_HEAD_MAX bytes.
 *   - The input (up to its first NUL) logged as message, component and
 *     field, as JSON: one line that jansson reads back; as text: one line.
 * Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/log.h"
#include "ops/metrics.h"
#include "ops/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

static bool
m_echo(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	(void)err;
	*result = params ? json_incref(params) : NULL;
	return true;
}

static bool
m_token(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	static const char *const allowed[] = {"id", "n", "b", "s"};
	uint8_t id[32];
	uint64_t n;
	bool b;
	const char *s;
	if (!ecn_rpc_params_object(params, allowed, 4, err) ||
	    !ecn_rpc_param_hex(params, "id", sizeof id, id, err) ||
	    !ecn_rpc_param_uint(params, "n", false, 1, 1000, 7, &n, err) ||
	    !ecn_rpc_param_bool(params, "b", false, false, &b, err) ||
	    !ecn_rpc_param_string(params, "s", false, 16, &s, err))
		return false;
	if (id[0] == 0)
		return ecn_rpc_fail(err, ECN_RPC_NOT_FOUND, json_pack("{s:s*}", "s", s),
		                    "no mapping for %s", s ? s : "(none)");
	*result = json_pack("{s:I,s:b}", "n", (json_int_t)n, "b", b);
	return true;
}

static bool
m_submit(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	uint8_t block[64];
	size_t len;
	if (!ecn_rpc_param_hex_var(params, "block", sizeof block, block, &len, err))
		return false;
	if (block[0] == 0xff)
		return ecn_rpc_fail(err, ECN_RPC_REJECTED, NULL, "rejected");
	*result = json_pack("{s:s,s:I}", "status", "submitted", "len", (json_int_t)len);
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
m_fail(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	*result = json_true();
	return false;
}

static const ecn_rpc_method methods[] = {
	{"echo", m_echo}, {"token", m_token}, {"submit", m_submit}, {"watch", m_watch},
	{"fail", m_fail},
};

static void
check_response_object(json_t *r)
{
	check(json_is_object(r));
	json_t *v = json_object_get(r, "jsonrpc");
	check(json_is_string(v) && strcmp(json_string_value(v), "2.0") == 0);
	check(json_object_get(r, "id") != NULL);
	json_t *res = json_object_get(r, "result"), *e = json_object_get(r, "error");
	check((res != NULL) != (e != NULL));
	check(json_object_size(r) == 3);
	if (e) {
		check(json_is_integer(json_object_get(e, "code")));
		check(json_is_string(json_object_get(e, "message")));
	}
}

static void
check_line(const char *resp)
{
	size_t len = strlen(resp);
	check(len >= 2 && resp[len - 1] == '\n');
	check(memchr(resp, '\n', len - 1) == NULL);
	json_error_t jerr;
	json_t *j = json_loadb(resp, len, 0, &jerr);
	check(j != NULL);
	if (json_is_array(j)) {
		check(json_array_size(j) > 0);
		for (size_t i = 0; i < json_array_size(j); i++)
			check_response_object(json_array_get(j, i));
	} else {
		check_response_object(j);
	}
	json_decref(j);
}

static void
dispatch(ecn_rpc_ctx *ctx, const char *line, size_t len)
{
	char *resp = NULL;
	ec_err e = ecn_rpc_dispatch(methods, sizeof methods / sizeof methods[0], ctx, line, len, &resp);
	check(e == EC_OK || e == EC_ENOMEM);
	if (resp)
		check_line(resp);
	free(resp);
}

static void
fuzz_framer(const uint8_t *data, size_t size)
{
	size_t chunk = size ? (size_t)(data[0] % 16) + 1 : 1;
	ecn_framer f;
	ecn_framer_init(&f, 512);
	ecn_rpc_ctx ctx = {0};
	bool failed = false;
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		ec_err e = ecn_framer_feed(&f, data + off, n);
		if (failed)
			check(e == EC_ERANGE);
		if (e == EC_ERANGE) {
			failed = true;
			char *line = NULL;
			size_t len = 1;
			check(ecn_framer_next(&f, &line, &len) == EC_ERANGE && !line && len == 0);
			continue;
		}
		check(e == EC_OK);
		check(ecn_framer_pending(&f) <= 512);
		for (;;) {
			char *line;
			size_t len;
			check(ecn_framer_next(&f, &line, &len) == EC_OK);
			if (!line)
				break;
			check(len <= 512 && line[len] == '\0' && memchr(line, '\n', len) == NULL);
			dispatch(&ctx, line, len);
		}
	}
	if (failed) {
		char *resp = ecn_rpc_error_line(ECN_RPC_INVALID_REQUEST, NULL, "line too long");
		check(resp != NULL);
		check_line(resp);
		free(resp);
	}
	ecn_framer_fini(&f);
}

static void
fuzz_http(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	ecn_http_request r;
	ecn_http_verdict v = ecn_http_parse_request_line(s, size, &r);
	check(v == ECN_HTTP_OK || v == ECN_HTTP_INCOMPLETE || v == ECN_HTTP_BAD ||
	      v == ECN_HTTP_TOO_LONG || v == ECN_HTTP_VERSION);
	if (v == ECN_HTTP_INCOMPLETE)
		check(size < ECN_HTTP_HEAD_MAX);
	if (v != ECN_HTTP_OK)
		return;
	check(r.head_len <= size && r.head_len <= ECN_HTTP_HEAD_MAX);
	check(r.path[0] == '/' && r.minor <= 1 && r.method[0] >= 'A' && r.method[0] <= 'Z');
	check(strlen(r.path) + strlen(r.query) <= ECN_HTTP_TARGET_MAX);
	ecn_http_request again;
	check(ecn_http_parse_request_line(s, r.head_len, &again) == ECN_HTTP_OK);
	check(again.head_len == r.head_len && strcmp(again.path, r.path) == 0 &&
	      strcmp(again.query, r.query) == 0 && strcmp(again.method, r.method) == 0);
	check(ecn_http_parse_request_line(s, r.head_len - 1, &again) == ECN_HTTP_INCOMPLETE);
}

static uint64_t
fixed_clock(void *user)
{
	(void)user;
	return 1700000000123ull;
}

static void
fuzz_log(const uint8_t *data, size_t size, bool json)
{
	char *text = malloc(size + 1);
	check(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	check(f != NULL);
	ecn_log_config cfg = {.level = ECN_DEBUG, .json = json, .clock = fixed_clock};
	ecn_log *lg;
	check(ecn_log_new(&cfg, f, NULL, &lg) == EC_OK);
	ECN_LOGF(lg, ECN_INFO, text, ECN_FIELDS(ECN_STR("v", text), ECN_STR(text, "k"),
	                                        ECN_HEX("h", data, size)),
	         "%s", text);
	check(ecn_log_dropped(lg) == 0);
	ecn_log_free(lg);
	fclose(f);
	check(len >= 2 && buf[len - 1] == '\n' && memchr(buf, '\n', len - 1) == NULL);
	check(memchr(buf, '\0', len) == NULL);
	if (json) {
		json_error_t jerr;
		json_t *j = json_loadb(buf, len, 0, &jerr);
		check(j != NULL && json_is_object(j));
		check(json_is_string(json_object_get(j, "msg")));
		check(json_is_string(json_object_get(j, "v")));
		json_decref(j);
	}
	free(buf);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_framer(data, size);
	ecn_rpc_ctx ctx = {0};
	dispatch(&ctx, (const char *)data, size);
	fuzz_http(data, size);
	fuzz_log(data, size, true);
	fuzz_log(data, size, false);
	return 0;
}
