/* SPDX-License-Identifier: MIT */
/*
 * JSON-RPC 2.0 over newline-delimited JSON (docs/rpc.md): the line framer,
 * the request decoder and dispatcher, response and notification lines, and
 * helpers that read a method's parameters.  JSON is jansson's json_t.
 *
 * The daemon reads bytes from a Unix stream socket into an ecn_framer,
 * takes complete lines out of it and hands each to ecn_rpc_dispatch with
 * its method table; what comes back is the response line to write (or
 * nothing, for notifications).  A line is one request or one batch; a
 * response line is one response or one batch of them, each ending in '\n'.
 *
 * Decoding follows JSON-RPC 2.0 strictly:
 *   - invalid JSON (including invalid UTF-8, a \u0000 escape, a duplicate
 *     key, a number jansson cannot hold, nesting deeper than
 *     ECN_RPC_MAX_DEPTH) is -32700 "Parse error" with id null;
 *   - a request is an object with exactly the members "jsonrpc" ("2.0"),
 *     "method" (a string), optionally "params" (object or array) and "id"
 *     (string, number or null); anything else is -32600 "Invalid Request",
 *     with the request's id if it had a valid one, else null;
 *   - a request without "id" is a notification: its handler runs, nothing
 *     is answered, errors included;
 *   - a batch is a non-empty array of at most ECN_RPC_MAX_BATCH requests,
 *     answered by an array of the responses in order, notifications left
 *     out; nothing at all when every one was a notification.  An empty
 *     array, or a larger one, is one -32600 error;
 *   - an unknown method is -32601 "Method not found" (data: its name).
 * The standard errors carry the standard message and, in "data", a string
 * that says what was wrong.  Parameter errors (-32602) and application
 * errors carry a precise message.
 *
 * Nothing here does I/O or keeps globals.
 */
#ifndef ECN_RPC_H
#define ECN_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ec/err.h"

#define ECN_RPC_LINE_MAX (1u << 20) /* bytes of a line, newline excluded */
#define ECN_RPC_MAX_DEPTH 64u       /* nesting of arrays and objects in a line */
#define ECN_RPC_MAX_BATCH 256u      /* requests in one batch */
#define ECN_RPC_MESSAGE_MAX 256u    /* bytes of an error message, NUL included */

/* Error codes: JSON-RPC 2.0's, then ours (-32000 .. -32099). */
#define ECN_RPC_PARSE_ERROR (-32700)
#define ECN_RPC_INVALID_REQUEST (-32600)
#define ECN_RPC_METHOD_NOT_FOUND (-32601)
#define ECN_RPC_INVALID_PARAMS (-32602)
#define ECN_RPC_INTERNAL_ERROR (-32603)
#define ECN_RPC_NOT_READY (-32001) /* the node cannot answer yet */
#define ECN_RPC_REJECTED (-32002)  /* the node refused the request */
#define ECN_RPC_NOT_FOUND (-32004) /* the node holds no such item */

/* ---- Framing ---- */

/* Splits a byte stream into lines.  Zero it or ecn_framer_init it; release
 * with ecn_framer_fini.  Holds the complete lines not yet taken plus the
 * bytes after the last newline (at most max_line of those). */
typedef struct ecn_framer {
	char *buf;
	size_t len, cap;
	size_t start;    /* first byte not yet returned */
	size_t tail;     /* bytes after the last newline */
	size_t max_line; /* 0: ECN_RPC_LINE_MAX */
	bool failed;     /* a line was too long: the stream is unusable */
} ecn_framer;

/* Starts an empty framer; max_line 0 means ECN_RPC_LINE_MAX. */
void ecn_framer_init(ecn_framer *f, size_t max_line);

/* Frees the buffer and resets f to an empty framer; accepts NULL. */
void ecn_framer_fini(ecn_framer *f);

/* Appends n bytes of the stream (any split: a line may arrive one byte at
 * a time).  Call ecn_framer_next until it gives no line after each feed,
 * or the buffer keeps the untaken lines.  Invalidates the last line
 * returned.
 * Returns: EC_OK; EC_ERANGE if a line (newline excluded) would exceed
 *          max_line bytes: the framer is failed, keeps nothing and answers
 *          EC_ERANGE from now on (the daemon answers -32600 once with
 *          ecn_rpc_error_line and closes); EC_EINVAL (f NULL, or data NULL
 *          with n > 0); EC_ENOMEM (nothing appended). */
ec_err ecn_framer_feed(ecn_framer *f, const void *data, size_t n) EC_WUR;

/* Takes the next complete line.
 * Returns: EC_OK with *line at its first byte, NUL-terminated in place of
 *          its newline, and *len its length (a line may hold NUL bytes:
 *          use len), valid until the next feed, next or fini; or EC_OK
 *          with *line NULL and *len 0 when no complete line is buffered;
 *          EC_ERANGE if the framer failed; EC_EINVAL (a NULL argument). */
ec_err ecn_framer_next(ecn_framer *f, char **line, size_t *len) EC_WUR;

/* Bytes buffered after the last newline (a partial line). */
size_t ecn_framer_pending(const ecn_framer *f);

/* ---- Dispatch ---- */

/* An error a handler or a parameter helper reports. */
typedef struct ecn_rpc_error {
	int code;                          /* 0: none yet */
	char message[ECN_RPC_MESSAGE_MAX]; /* NUL-terminated */
	json_t *data;                      /* owned; NULL: no "data" member */
} ecn_rpc_error;

/* The context of one ecn_rpc_dispatch call, seen by its handlers. */
typedef struct ecn_rpc_ctx {
	void *user;        /* in: the daemon's state */
	void *conn;        /* in: the connection the line came from */
	bool notification; /* in, per request: no response will be sent */
	bool watch;        /* out: a handler sets it to say "this connection
	                      now streams notifications"; the dispatcher never
	                      clears it, so the caller may keep the ctx per
	                      connection */
} ecn_rpc_ctx;

/* A method.  params: the request's "params" (borrowed; NULL when absent),
 * checked with the ecn_rpc_param helpers.  On success returns true and
 * sets *result to a new reference the dispatcher takes (NULL answers
 * null).  On failure returns false with err filled (ecn_rpc_fail); a
 * result set anyway is released.  An err left with code 0 is answered as
 * -32603. */
typedef bool (*ecn_rpc_handler)(ecn_rpc_ctx *ctx, json_t *params, json_t **result,
                                ecn_rpc_error *err);

typedef struct ecn_rpc_method {
	const char *name;
	ecn_rpc_handler fn;
} ecn_rpc_method;

/* Decodes one line (a request or a batch), calls the handlers and builds
 * the response.  A line of blanks only (space, tab, CR) is ignored.
 * Returns: EC_OK with *response a malloc'ed, NUL-terminated line ending in
 *          '\n' (free it with free()), or NULL when nothing is to be sent;
 *          EC_EINVAL (NULL argument); EC_ENOMEM (*response NULL: close the
 *          connection).
 * In:      methods, nmethods: the table (looked up by exact name); ctx:
 *          handed to every handler; line, len: the line without its
 *          newline (need not be NUL-terminated). */
ec_err ecn_rpc_dispatch(const ecn_rpc_method *methods, size_t nmethods, ecn_rpc_ctx *ctx,
                        const char *line, size_t len, char **response) EC_WUR;

/* ---- Building messages ---- */

/* The standard message of a JSON-RPC code ("Parse error", "Invalid
 * Request", "Method not found", "Invalid params", "Internal error") or of
 * ours ("Node not ready", "Rejected", "Not found"); "Server error" for
 * other codes in -32000 .. -32099, "Error" otherwise. */
const char *ecn_rpc_code_message(int code);

/* Fills err with code, the printf-formatted message (truncated to fit)
 * and data (stolen; may be NULL), releasing any data err held, and
 * returns false, so a handler can `return ecn_rpc_fail(...)`. */
bool ecn_rpc_fail(ecn_rpc_error *err, int code, json_t *data, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Releases err->data and clears err. */
void ecn_rpc_error_clear(ecn_rpc_error *err);

/* {"jsonrpc":"2.0","result":result,"id":id}: result is stolen (NULL:
 * null), id borrowed (NULL: null).  Returns a new object or NULL (out of
 * memory; result is released). */
json_t *ecn_rpc_result_response(const json_t *id, json_t *result);

/* {"jsonrpc":"2.0","error":{"code","message"[,"data"]},"id":id}: data is
 * stolen (NULL: no "data"), id borrowed (NULL: null), message copied
 * (NULL: the code's standard message).  Returns a new object or NULL (out
 * of memory, or message not valid UTF-8; data is released). */
json_t *ecn_rpc_error_response(const json_t *id, int code, const char *message, json_t *data);

/* Serializes msg (stolen) compactly as one line ending in '\n'.
 * Returns a malloc'ed string (free()) or NULL (out of memory, msg NULL). */
char *ecn_rpc_line(json_t *msg);

/* An error response line with id null, for errors found before a request
 * could be read (a line too long: code -32600).  data: NULL or a string
 * for "data".  Returns as ecn_rpc_line. */
char *ecn_rpc_error_line(int code, const char *message, const char *data);

/* {"jsonrpc":"2.0","method":method,"params":params}\n, for `watch`
 * streams: params stolen (an object or array; NULL: no "params").
 * Returns as ecn_rpc_line; NULL also if params is not an object or array
 * or method is not valid UTF-8. */
char *ecn_rpc_notification_line(const char *method, json_t *params);

/* ---- Parameters ----
 * Each helper reads one member of a by-name params object.  params NULL
 * (absent) reads as an empty object.  On failure it fills err with -32602
 * and a message "Invalid params: ..." naming the member and the problem,
 * and returns false; outputs are written only on success. */

/* Checks that params is absent or an object whose members are all named
 * in allowed[0 .. nallowed) (a by-position array, or an unknown member,
 * fails). */
bool ecn_rpc_params_object(json_t *params, const char *const *allowed, size_t nallowed,
                           ecn_rpc_error *err);

/* A required string of exactly 2 * nbytes hex digits (either case),
 * decoded into out[0 .. nbytes). */
bool ecn_rpc_param_hex(const json_t *params, const char *key, size_t nbytes, uint8_t *out,
                       ecn_rpc_error *err);

/* A required hex string of an even number of digits, 2 .. 2 * cap,
 * decoded into out; *len gets the byte count. */
bool ecn_rpc_param_hex_var(const json_t *params, const char *key, size_t cap, uint8_t *out,
                           size_t *len, ecn_rpc_error *err);

/* An integer member within [min, max]; when absent, def if !required (a
 * missing required member fails).  Reals (1.0) are refused. */
bool ecn_rpc_param_uint(const json_t *params, const char *key, bool required, uint64_t min,
                        uint64_t max, uint64_t def, uint64_t *out, ecn_rpc_error *err);

/* A boolean member; when absent, def if !required. */
bool ecn_rpc_param_bool(const json_t *params, const char *key, bool required, bool def, bool *out,
                        ecn_rpc_error *err);

/* A string member of 1 .. max_len bytes (NUL-free: jansson refuses \u0000
 * in requests); when absent, *out = NULL if !required.  *out borrows from
 * params. */
bool ecn_rpc_param_string(const json_t *params, const char *key, bool required, size_t max_len,
                          const char **out, ecn_rpc_error *err);

#endif
