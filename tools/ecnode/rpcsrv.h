/* SPDX-License-Identifier: MIT */
/*
 * ecnode's JSON-RPC 2.0 server (docs/rpc.md) on a Unix stream socket made
 * with mode 0600: file permissions are the authentication.  Requests and
 * responses are newline-delimited JSON (ops/rpc.h frames and decodes them);
 * methods: status, peers, token, block, submit, watch, stop.  A `watch`
 * connection then receives a `commit` notification line per block the
 * node commits.  Bounded: at most ECN_RPC_CONNS connections, and a
 * connection whose unread output passes ECN_RPC_BACKLOG bytes is closed.
 */
#ifndef ECNODE_RPCSRV_H
#define ECNODE_RPCSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/err.h"
#include "ec/id.h"

#define ECN_RPC_CONNS 64u
#define ECN_RPC_BACKLOG (16u << 20)

struct ecn_daemon;
typedef struct ecn_rpcsrv ecn_rpcsrv;

/* One commit, as watchers are told. */
typedef struct ecn_rpc_commit_note {
	uint64_t pos;        /* the block's ring position */
	const ec_id *id;     /* its full id, if the node met its body; else NULL */
	uint64_t tick, ms;   /* the node's clock and the wall time (ms) */
	bool mine;           /* submitted through this node */
	uint64_t latency_ticks, latency_ms; /* mine only */
} ecn_rpc_commit_note;

/* Listens on path (a stale socket file there is replaced; anything else
 * is refused).  Returns EC_OK; EC_EIO with err; EC_ENOMEM. */
ec_err ecn_rpcsrv_open(struct ecn_daemon *d, const char *path, ecn_rpcsrv **out, char *err,
                       size_t errlen);
/* Closes the listener and every connection (the loop finishes it) and
 * removes the socket file. */
void ecn_rpcsrv_close(ecn_rpcsrv *s);
/* Frees what is left after the loop ended; accepts NULL. */
void ecn_rpcsrv_free(ecn_rpcsrv *s);
/* Sends note to every watching connection. */
void ecn_rpc_notify_commit(ecn_rpcsrv *s, const ecn_rpc_commit_note *note);

#endif
