/* SPDX-License-Identifier: MIT */
/*
 * The client side of ecnode's JSON-RPC 2.0 interface: a Unix stream socket
 * carrying one JSON object per line, each way (tools/ecctl/ecctl.1).
 *
 * A request is one line out; its response is the next line back whose id
 * is the request's (numeric ids, counting from 1).  Notifications (lines
 * with a "method" and no "id": the `commit` lines of a `watch`) reach the
 * caller of ecctl_rpc_recv; ecctl_rpc_call skips them.  Every wait is
 * bounded by a caller-given time (poll(2) on a non-blocking socket), and a
 * line longer than ECCTL_RPC_LINE_MAX is refused rather than buffered
 * without end.
 *
 * Errors are values: every function that can fail returns an
 * ecctl_rpc_status and fills an ecctl_rpc_err with a one-line message
 * (and, for ECCTL_RPC_ERROR, the node's error code).  Nothing here prints
 * or exits.  Writes use MSG_NOSIGNAL, so a node that went away is an
 * ECCTL_RPC_IO error, never a SIGPIPE.
 *
 * Ownership: an ecctl_rpc is the caller's (ecctl_rpc_open .. _close); JSON
 * values passed in are borrowed; JSON values returned are new references
 * the caller releases with json_decref.  Timeouts are in milliseconds; a
 * negative timeout waits without limit.
 */
#ifndef ECCTL_RPC_CLIENT_H
#define ECCTL_RPC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Longest line accepted from the node (a block with its certificate and
 * hex encoding is far below this; a runaway server is not). */
#define ECCTL_RPC_LINE_MAX ((size_t)64 << 20)

/* JSON-RPC error codes: the standard ones and ecnode's own. */
#define ECCTL_RPC_PARSE_ERROR (-32700)
#define ECCTL_RPC_INVALID_REQUEST (-32600)
#define ECCTL_RPC_METHOD_NOT_FOUND (-32601)
#define ECCTL_RPC_INVALID_PARAMS (-32602)
#define ECCTL_RPC_INTERNAL_ERROR (-32603)
#define ECCTL_RPC_NOT_FOUND (-32004)
#define ECCTL_RPC_NOT_READY (-32001)
#define ECCTL_RPC_REJECTED (-32002)

typedef enum ecctl_rpc_status {
	ECCTL_RPC_OK = 0,
	ECCTL_RPC_CONNECT,    /* the socket cannot be reached (path too long,
	                         no such file, nobody listening, ...) */
	ECCTL_RPC_IO,         /* a read or write failed */
	ECCTL_RPC_TIMEOUT,    /* the time allowed ran out */
	ECCTL_RPC_CLOSED,     /* the node closed the connection */
	ECCTL_RPC_PROTOCOL,   /* the node sent something that is not a valid
	                         JSON-RPC message (bad JSON, another id, a
	                         line above ECCTL_RPC_LINE_MAX, ...) */
	ECCTL_RPC_ERROR,      /* the node answered with a JSON-RPC error */
	ECCTL_RPC_NOMEM,      /* an allocation failed */
	ECCTL_RPC_INTERRUPTED /* a signal arrived while waiting (the caller's
	                         handler ran; the connection stays usable) */
} ecctl_rpc_status;

/* What went wrong, for the user: msg is one line without a newline.
 * code is the node's error code for ECCTL_RPC_ERROR, else 0. */
typedef struct ecctl_rpc_err {
	ecctl_rpc_status status;
	long long code;
	char msg[512];
} ecctl_rpc_err;

typedef struct ecctl_rpc ecctl_rpc;

/* Connects to the Unix stream socket at path, waiting at most timeout_ms.
 * Out: *out, the connection (the caller's: ecctl_rpc_close); NULL on
 *      failure.
 * Returns ECCTL_RPC_OK, ECCTL_RPC_CONNECT (err says why), ECCTL_RPC_TIMEOUT
 *         or ECCTL_RPC_NOMEM. */
ecctl_rpc_status ecctl_rpc_open(const char *path, int timeout_ms, ecctl_rpc **out,
                                ecctl_rpc_err *err);

/* Closes c and frees it; NULL is accepted. */
void ecctl_rpc_close(ecctl_rpc *c);

/* Returns c's socket, for a signal handler to shutdown(2) it (which ends
 * any wait on c with ECCTL_RPC_CLOSED); c still owns it. */
int ecctl_rpc_fd(const ecctl_rpc *c);

/* Sends the request {"jsonrpc":"2.0","id":N,"method":method[,"params":
 * params]} as one line, waiting at most timeout_ms for the socket to take
 * it.  params (borrowed) may be NULL.
 * Out: *id (may be NULL), the request's id.
 * Returns ECCTL_RPC_OK, ECCTL_RPC_IO, ECCTL_RPC_TIMEOUT, ECCTL_RPC_NOMEM
 *         or ECCTL_RPC_INTERRUPTED (nothing or part of the line sent: the
 *         connection is then only good for closing). */
ecctl_rpc_status ecctl_rpc_send(ecctl_rpc *c, const char *method, const json_t *params,
                                int timeout_ms, int64_t *id, ecctl_rpc_err *err);

/* Reads the next non-empty line and parses it as a JSON object, waiting
 * at most timeout_ms.
 * Out: *msg, a new reference; NULL on failure.
 * Returns ECCTL_RPC_OK, ECCTL_RPC_TIMEOUT, ECCTL_RPC_CLOSED, ECCTL_RPC_IO,
 *         ECCTL_RPC_PROTOCOL (not a JSON object, or too long),
 *         ECCTL_RPC_NOMEM or ECCTL_RPC_INTERRUPTED. */
ecctl_rpc_status ecctl_rpc_recv(ecctl_rpc *c, int timeout_ms, json_t **msg, ecctl_rpc_err *err);

/* Returns whether msg is a notification: a string "method" and no "id". */
bool ecctl_rpc_is_notification(const json_t *msg);

/* Checks that msg is the response to request id and takes it apart.  An
 * error response with a null id counts as the answer (the node could not
 * read the request's id; only one request is ever outstanding).
 * Out: *result, a new reference to the "result" member on ECCTL_RPC_OK;
 *      else NULL.
 * Returns ECCTL_RPC_OK, ECCTL_RPC_ERROR (err->code and err->msg from the
 *         node's error object) or ECCTL_RPC_PROTOCOL (not a JSON-RPC 2.0
 *         response, another id, neither or both of result and error). */
ecctl_rpc_status ecctl_rpc_response(const json_t *msg, int64_t id, json_t **result,
                                    ecctl_rpc_err *err);

/* One request and its response: send, then receive (skipping
 * notifications) until the response arrives, all within timeout_ms.
 * Out: *result, a new reference; NULL on failure.
 * Returns any status of ecctl_rpc_send, ecctl_rpc_recv and
 *         ecctl_rpc_response. */
ecctl_rpc_status ecctl_rpc_call(ecctl_rpc *c, const char *method, const json_t *params,
                                int timeout_ms, json_t **result, ecctl_rpc_err *err);

#endif
