/* SPDX-License-Identifier: MIT */
/*
 * JSON-RPC 2.0: framing, dispatch, messages, parameters (ops/rpc.h).
 */
#include "ops/rpc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/hex.h"

#define NAME_SHOWN 48u /* bytes of a user-supplied name quoted in a message */

/* -------------------------------------------------------------------- */
/* Framing                                                                */

static size_t
max_line(const ecn_framer *f)
{
	return f->max_line ? f->max_line : ECN_RPC_LINE_MAX;
}

void
ecn_framer_init(ecn_framer *f, size_t max_len)
{
	if (!f)
		return;
	memset(f, 0, sizeof *f);
	f->max_line = max_len;
}

void
ecn_framer_fini(ecn_framer *f)
{
	if (!f)
		return;
	size_t m = f->max_line;
	free(f->buf);
	memset(f, 0, sizeof *f);
	f->max_line = m;
}

static void
fail(ecn_framer *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = f->start = f->tail = 0;
	f->failed = true;
}

ec_err
ecn_framer_feed(ecn_framer *f, const void *data, size_t n)
{
	if (!f || (!data && n))
		return EC_EINVAL;
	if (f->failed)
		return EC_ERANGE;
	/* check every line this chunk ends or extends before keeping any of it */
	size_t max = max_line(f), tail = f->tail, rem = n;
	const char *p = data;
	while (rem) {
		const char *nl = memchr(p, '\n', rem);
		size_t seg = nl ? (size_t)(nl - p) : rem;
		if (seg > max - tail) {
			fail(f);
			return EC_ERANGE;
		}
		if (nl) {
			tail = 0;
			p = nl + 1;
			rem -= seg + 1;
		} else {
			tail += seg;
			rem = 0;
		}
	}
	if (f->start) {
		memmove(f->buf, f->buf + f->start, f->len - f->start);
		f->len -= f->start;
		f->start = 0;
	}
	if (n > f->cap - f->len) {
		size_t cap = f->cap ? f->cap : 4096;
		while (n > cap - f->len) {
			if (cap > SIZE_MAX / 2)
				return EC_ENOMEM;
			cap *= 2;
		}
		char *b = realloc(f->buf, cap);
		if (!b)
			return EC_ENOMEM;
		f->buf = b;
		f->cap = cap;
	}
	if (n)
		memcpy(f->buf + f->len, data, n);
	f->len += n;
	f->tail = tail;
	return EC_OK;
}

ec_err
ecn_framer_next(ecn_framer *f, char **line, size_t *len)
{
	if (!f || !line || !len)
		return EC_EINVAL;
	*line = NULL;
	*len = 0;
	if (f->failed)
		return EC_ERANGE;
	/* the last tail bytes hold no newline: a line is there only if more
	 * than those are buffered */
	size_t avail = f->len - f->start;
	if (avail <= f->tail)
		return EC_OK;
	char *s = f->buf + f->start;
	char *nl = memchr(s, '\n', avail - f->tail);
	if (!nl)
		return EC_OK; /* cannot happen: the bytes before the tail end in '\n' */
	*nl = '\0';
	*line = s;
	*len = (size_t)(nl - s);
	f->start += *len + 1;
	return EC_OK;
}

size_t
ecn_framer_pending(const ecn_framer *f)
{
	return f ? f->tail : 0;
}

/* -------------------------------------------------------------------- */
/* Messages                                                               */

const char *
ecn_rpc_code_message(int code)
{
	switch (code) {
	case ECN_RPC_PARSE_ERROR:
		return "Parse error";
	case ECN_RPC_INVALID_REQUEST:
		return "Invalid Request";
	case ECN_RPC_METHOD_NOT_FOUND:
		return "Method not found";
	case ECN_RPC_INVALID_PARAMS:
		return "Invalid params";
	case ECN_RPC_INTERNAL_ERROR:
		return "Internal error";
	case ECN_RPC_NOT_READY:
		return "Node not ready";
	case ECN_RPC_REJECTED:
		return "Rejected";
	case ECN_RPC_NOT_FOUND:
		return "Not found";
	default:
		return code <= -32000 && code >= -32099 ? "Server error" : "Error";
	}
}

/* Copies s into out (cap bytes), keeping printable ASCII and replacing
 * other bytes with '?', cut with "..." past NAME_SHOWN bytes: user text in
 * a message stays short, valid UTF-8 and on one line. */
static void
shown(char *out, size_t cap, const char *s, size_t n)
{
	size_t k = 0, lim = n < NAME_SHOWN ? n : NAME_SHOWN;
	for (; k < lim && k + 4 < cap; k++) {
		unsigned char c = (unsigned char)s[k];
		out[k] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (k < n && k + 4 <= cap) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
}

/* A JSON string of s, which must be valid UTF-8 for jansson; if it is not
 * (a message cut inside a character), of its printable ASCII instead. */
static json_t *
text(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	size_t n = strlen(s);
	char *t = malloc(n + 1);
	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		t[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	t[n] = '\0';
	j = json_string(t);
	free(t);
	return j;
}

void
ecn_rpc_error_clear(ecn_rpc_error *err)
{
	if (!err)
		return;
	json_decref(err->data);
	err->data = NULL;
	err->code = 0;
	err->message[0] = '\0';
}

bool
ecn_rpc_fail(ecn_rpc_error *err, int code, json_t *data, const char *fmt, ...)
{
	if (!err) {
		json_decref(data);
		return false;
	}
	json_decref(err->data);
	err->code = code;
	err->data = data;
	va_list ap;
	va_start(ap, fmt);
	if (!fmt || vsnprintf(err->message, sizeof err->message, fmt, ap) < 0)
		snprintf(err->message, sizeof err->message, "%s", ecn_rpc_code_message(code));
	va_end(ap);
	return false;
}

/* {"jsonrpc":"2.0", key: value (stolen), "id": id}; NULL on failure.
 * jansson's *_set_new functions consume their value even when they fail. */
static json_t *
response(const char *key, json_t *value, const json_t *id)
{
	json_t *r = json_object();
	json_t *idc = id ? json_deep_copy(id) : json_null();
	if (!r || !value || !idc || json_object_set_new(r, "jsonrpc", json_string("2.0")) != 0) {
		json_decref(value);
		json_decref(idc);
		json_decref(r);
		return NULL;
	}
	if (json_object_set_new(r, key, value) != 0) {
		json_decref(idc);
		json_decref(r);
		return NULL;
	}
	if (json_object_set_new(r, "id", idc) != 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *
ecn_rpc_result_response(const json_t *id, json_t *result)
{
	if (!result)
		result = json_null();
	return response("result", result, id);
}

json_t *
ecn_rpc_error_response(const json_t *id, int code, const char *message, json_t *data)
{
	json_t *e = json_object();
	json_t *msg = text(message ? message : ecn_rpc_code_message(code));
	if (!e || !msg || json_object_set_new(e, "code", json_integer(code)) != 0) {
		json_decref(msg);
		json_decref(e);
		json_decref(data);
		return NULL;
	}
	if (json_object_set_new(e, "message", msg) != 0) {
		json_decref(e);
		json_decref(data);
		return NULL;
	}
	if (data && json_object_set_new(e, "data", data) != 0) {
		json_decref(e);
		return NULL;
	}
	return response("error", e, id);
}

char *
ecn_rpc_line(json_t *msg)
{
	if (!msg)
		return NULL;
	size_t flags = JSON_COMPACT;
	size_t n = json_dumpb(msg, NULL, 0, flags);
	char *s = n ? malloc(n + 2) : NULL;
	if (s && json_dumpb(msg, s, n, flags) == n) {
		s[n] = '\n';
		s[n + 1] = '\0';
	} else {
		free(s);
		s = NULL;
	}
	json_decref(msg);
	return s;
}

char *
ecn_rpc_error_line(int code, const char *message, const char *data)
{
	json_t *d = NULL;
	if (data) {
		d = text(data);
		if (!d)
			return NULL;
	}
	return ecn_rpc_line(ecn_rpc_error_response(NULL, code, message, d));
}

char *
ecn_rpc_notification_line(const char *method, json_t *params)
{
	if (!method || (params && !json_is_object(params) && !json_is_array(params))) {
		json_decref(params);
		return NULL;
	}
	json_t *n = json_object();
	json_t *m = json_string(method);
	if (!n || !m || json_object_set_new(n, "jsonrpc", json_string("2.0")) != 0) {
		json_decref(m);
		json_decref(n);
		json_decref(params);
		return NULL;
	}
	if (json_object_set_new(n, "method", m) != 0) {
		json_decref(n);
		json_decref(params);
		return NULL;
	}
	if (params && json_object_set_new(n, "params", params) != 0) {
		json_decref(n);
		return NULL;
	}
	return ecn_rpc_line(n);
}

/* -------------------------------------------------------------------- */
/* Dispatch                                                               */

static bool
blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Does the JSON text nest arrays and objects deeper than limit?  Brackets
 * inside strings do not count.  Run before parsing, so that no deep tree is
 * ever built (handlers and the serializer recurse). */
static bool
too_deep(const char *s, size_t n, size_t limit)
{
	size_t depth = 0;
	bool in_str = false, esc = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > limit)
				return true;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return false;
}

/* An error response with data a string (copied); EC_ENOMEM or EC_OK. */
static ec_err
error_with(const json_t *id, int code, const char *message, const char *data, json_t **resp)
{
	json_t *d = NULL;
	if (data && !(d = text(data)))
		return EC_ENOMEM;
	*resp = ecn_rpc_error_response(id, code, message, d);
	return *resp ? EC_OK : EC_ENOMEM;
}

static ec_err
invalid(const json_t *id, const char *why, json_t **resp)
{
	return error_with(id, ECN_RPC_INVALID_REQUEST, NULL, why, resp);
}

static const ecn_rpc_method *
lookup(const ecn_rpc_method *methods, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (methods[i].name && strlen(methods[i].name) == len &&
		    memcmp(methods[i].name, name, len) == 0)
			return &methods[i];
	return NULL;
}

/* Checks the request object's shape.  Returns NULL if it is a request,
 * else the problem, in why. */
static const char *
request_problem(json_t *req, char *why, size_t cap)
{
	const char *key;
	json_t *v;
	json_object_foreach(req, key, v) {
		if (strcmp(key, "jsonrpc") != 0 && strcmp(key, "method") != 0 &&
		    strcmp(key, "params") != 0 && strcmp(key, "id") != 0) {
			char nm[NAME_SHOWN + 4];
			shown(nm, sizeof nm, key, strlen(key));
			snprintf(why, cap, "unknown member \"%s\"", nm);
			return why;
		}
	}
	v = json_object_get(req, "jsonrpc");
	if (!json_is_string(v) || json_string_length(v) != 3 || strcmp(json_string_value(v), "2.0") != 0)
		return "\"jsonrpc\" must be \"2.0\"";
	if (!json_is_string(json_object_get(req, "method")))
		return "\"method\" must be a string";
	v = json_object_get(req, "params");
	if (v && !json_is_object(v) && !json_is_array(v))
		return "\"params\" must be an object or an array";
	return NULL;
}

/* Runs one request; *resp is its response, or NULL for a notification. */
static ec_err
run_one(const ecn_rpc_method *methods, size_t nmethods, ecn_rpc_ctx *ctx, json_t *req,
        json_t **resp)
{
	*resp = NULL;
	if (!json_is_object(req))
		return invalid(NULL, "a request must be an object", resp);
	json_t *id = json_object_get(req, "id");
	if (id && !json_is_string(id) && !json_is_number(id) && !json_is_null(id))
		return invalid(NULL, "\"id\" must be a string, a number or null", resp);
	char why[NAME_SHOWN + 64];
	const char *bad = request_problem(req, why, sizeof why);
	if (bad)
		return invalid(id, bad, resp);
	json_t *mv = json_object_get(req, "method");
	const char *name = json_string_value(mv);
	size_t nlen = json_string_length(mv);
	const ecn_rpc_method *m = lookup(methods, nmethods, name, nlen);
	ctx->notification = id == NULL;
	if (!m || !m->fn) {
		if (!id)
			return EC_OK;
		json_t *d = json_string(name);
		if (!d)
			return EC_ENOMEM;
		*resp = ecn_rpc_error_response(id, ECN_RPC_METHOD_NOT_FOUND, NULL, d);
		return *resp ? EC_OK : EC_ENOMEM;
	}
	json_t *result = NULL;
	ecn_rpc_error err = {0};
	bool ok = m->fn(ctx, json_object_get(req, "params"), &result, &err);
	if (!id) {
		json_decref(result);
		ecn_rpc_error_clear(&err);
		return EC_OK;
	}
	if (ok) {
		ecn_rpc_error_clear(&err);
		*resp = ecn_rpc_result_response(id, result);
		return *resp ? EC_OK : EC_ENOMEM;
	}
	json_decref(result);
	int code = err.code ? err.code : ECN_RPC_INTERNAL_ERROR;
	const char *msg = err.code && err.message[0] ? err.message : NULL;
	*resp = ecn_rpc_error_response(id, code, msg, err.data);
	return *resp ? EC_OK : EC_ENOMEM;
}

static ec_err
run_batch(const ecn_rpc_method *methods, size_t nmethods, ecn_rpc_ctx *ctx, json_t *batch,
          json_t **resp)
{
	*resp = NULL;
	size_t n = json_array_size(batch);
	if (n == 0)
		return invalid(NULL, "empty batch", resp);
	if (n > ECN_RPC_MAX_BATCH) {
		char why[64];
		snprintf(why, sizeof why, "batch of more than %u requests", ECN_RPC_MAX_BATCH);
		return invalid(NULL, why, resp);
	}
	json_t *out = json_array();
	if (!out)
		return EC_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *r;
		ec_err e = run_one(methods, nmethods, ctx, json_array_get(batch, i), &r);
		if (e != EC_OK) {
			json_decref(out);
			return e;
		}
		if (r && json_array_append_new(out, r) != 0) {
			json_decref(out);
			return EC_ENOMEM;
		}
	}
	if (json_array_size(out) == 0) {
		json_decref(out);
		return EC_OK;
	}
	*resp = out;
	return EC_OK;
}

ec_err
ecn_rpc_dispatch(const ecn_rpc_method *methods, size_t nmethods, ecn_rpc_ctx *ctx,
                 const char *line, size_t len, char **response)
{
	if (!response)
		return EC_EINVAL;
	*response = NULL;
	if ((!methods && nmethods) || !ctx || (!line && len))
		return EC_EINVAL;
	if (blank_line(line, len))
		return EC_OK;
	json_t *resp = NULL;
	ec_err e;
	if (too_deep(line, len, ECN_RPC_MAX_DEPTH)) {
		char why[64];
		snprintf(why, sizeof why, "nesting deeper than %u", ECN_RPC_MAX_DEPTH);
		e = error_with(NULL, ECN_RPC_PARSE_ERROR, NULL, why, &resp);
	} else {
		json_error_t jerr;
		json_t *req = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
		if (!req) {
			if (json_error_code(&jerr) == json_error_out_of_memory)
				return EC_ENOMEM;
			char why[JSON_ERROR_TEXT_LENGTH + 48];
			snprintf(why, sizeof why, "column %d: %s", jerr.column, jerr.text);
			e = error_with(NULL, ECN_RPC_PARSE_ERROR, NULL, why, &resp);
		} else if (json_is_array(req)) {
			e = run_batch(methods, nmethods, ctx, req, &resp);
		} else {
			e = run_one(methods, nmethods, ctx, req, &resp);
		}
		json_decref(req);
	}
	if (e != EC_OK) {
		json_decref(resp);
		return e;
	}
	if (!resp)
		return EC_OK;
	*response = ecn_rpc_line(resp);
	return *response ? EC_OK : EC_ENOMEM;
}

/* -------------------------------------------------------------------- */
/* Parameters                                                             */

static bool
bad_param(ecn_rpc_error *err, const char *key, const char *problem)
{
	char nm[NAME_SHOWN + 4];
	shown(nm, sizeof nm, key, strlen(key));
	return ecn_rpc_fail(err, ECN_RPC_INVALID_PARAMS, NULL, "Invalid params: \"%s\" %s", nm,
	                    problem);
}

/* The member key of params (NULL when absent); false if params is there
 * but not an object. */
static bool
member(const json_t *params, const char *key, json_t **v, ecn_rpc_error *err)
{
	*v = NULL;
	if (!params)
		return true;
	if (!json_is_object(params))
		return ecn_rpc_fail(err, ECN_RPC_INVALID_PARAMS, NULL,
		                    "Invalid params: params must be an object");
	*v = json_object_get(params, key);
	return true;
}

bool
ecn_rpc_params_object(json_t *params, const char *const *allowed, size_t nallowed,
                      ecn_rpc_error *err)
{
	if (!params)
		return true;
	if (!json_is_object(params))
		return ecn_rpc_fail(err, ECN_RPC_INVALID_PARAMS, NULL,
		                    "Invalid params: params must be an object");
	const char *key;
	json_t *v;
	json_object_foreach(params, key, v) {
		size_t i = 0;
		while (i < nallowed && strcmp(allowed[i], key) != 0)
			i++;
		if (i == nallowed)
			return bad_param(err, key, "is not a parameter of this method");
	}
	return true;
}

bool
ecn_rpc_param_hex(const json_t *params, const char *key, size_t nbytes, uint8_t *out,
                  ecn_rpc_error *err)
{
	json_t *v;
	if (!member(params, key, &v, err))
		return false;
	if (!v)
		return bad_param(err, key, "is missing");
	if (!json_is_string(v))
		return bad_param(err, key, "must be a string of hex digits");
	size_t n = json_string_length(v);
	if (n != 2 * nbytes) {
		char why[96];
		snprintf(why, sizeof why, "must be %zu hex digits, not %zu characters", 2 * nbytes, n);
		return bad_param(err, key, why);
	}
	if (!ec_hex_decode(json_string_value(v), out, nbytes))
		return bad_param(err, key, "holds a character that is not a hex digit");
	return true;
}

bool
ecn_rpc_param_hex_var(const json_t *params, const char *key, size_t cap, uint8_t *out,
                      size_t *len, ecn_rpc_error *err)
{
	json_t *v;
	if (!member(params, key, &v, err))
		return false;
	if (!v)
		return bad_param(err, key, "is missing");
	if (!json_is_string(v))
		return bad_param(err, key, "must be a string of hex digits");
	size_t n = json_string_length(v);
	if (n == 0 || n % 2 != 0) {
		char why[96];
		snprintf(why, sizeof why, "must be a non-zero, even number of hex digits, not %zu", n);
		return bad_param(err, key, why);
	}
	if (n / 2 > cap) {
		char why[96];
		snprintf(why, sizeof why, "is longer than %zu bytes (%zu hex digits)", cap, 2 * cap);
		return bad_param(err, key, why);
	}
	if (!ec_hex_decode(json_string_value(v), out, n / 2))
		return bad_param(err, key, "holds a character that is not a hex digit");
	*len = n / 2;
	return true;
}

bool
ecn_rpc_param_uint(const json_t *params, const char *key, bool required, uint64_t min,
                   uint64_t max, uint64_t def, uint64_t *out, ecn_rpc_error *err)
{
	json_t *v;
	if (!member(params, key, &v, err))
		return false;
	if (!v) {
		if (required)
			return bad_param(err, key, "is missing");
		*out = def;
		return true;
	}
	if (!json_is_integer(v))
		return bad_param(err, key, "must be an integer");
	json_int_t i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max) {
		char why[96];
		snprintf(why, sizeof why, "must be between %" PRIu64 " and %" PRIu64, min, max);
		return bad_param(err, key, why);
	}
	*out = (uint64_t)i;
	return true;
}

bool
ecn_rpc_param_bool(const json_t *params, const char *key, bool required, bool def, bool *out,
                   ecn_rpc_error *err)
{
	json_t *v;
	if (!member(params, key, &v, err))
		return false;
	if (!v) {
		if (required)
			return bad_param(err, key, "is missing");
		*out = def;
		return true;
	}
	if (!json_is_boolean(v))
		return bad_param(err, key, "must be true or false");
	*out = json_is_true(v);
	return true;
}

bool
ecn_rpc_param_string(const json_t *params, const char *key, bool required, size_t max_len,
                     const char **out, ecn_rpc_error *err)
{
	json_t *v;
	if (!member(params, key, &v, err))
		return false;
	if (!v) {
		if (required)
			return bad_param(err, key, "is missing");
		*out = NULL;
		return true;
	}
	if (!json_is_string(v))
		return bad_param(err, key, "must be a string");
	size_t n = json_string_length(v);
	if (n == 0 || n > max_len || strlen(json_string_value(v)) != n) {
		char why[96];
		snprintf(why, sizeof why, "must be 1 to %zu bytes without NUL", max_len);
		return bad_param(err, key, why);
	}
	*out = json_string_value(v);
	return true;
}
