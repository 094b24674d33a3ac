/* SPDX-License-Identifier: MIT */
/*
 * What ecctl's modules share: the parsed command line, the session (the
 * options and the node connection, opened on first use), the exit
 * statuses, and the output helpers (output.c).
 *
 *   main.c        options, usage, dispatch
 *   cmd_node.c    status, peers, token, block, watch, stop: node queries
 *   cmd_tokens.c  keygen, pubkey, create, transfer, rekey, destroy
 *   output.c      messages, JSON and text output, calls with reporting
 *   rpc_client.c  the JSON-RPC connection (rpc_client.h)
 *   wallet.c      the wallet file (wallet.h)
 *   blocks.c      building and checking blocks (blocks.h)
 *
 * Every command returns its exit status; each reports its own failures,
 * as one line on stderr starting with "ecctl: ".
 */
#ifndef ECCTL_ECCTL_H
#define ECCTL_ECCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ec/ecp.h"
#include "rpc_client.h"

enum {
	ECCTL_EXIT_OK = 0,
	ECCTL_EXIT_FAIL = 1,  /* the node, the network or a local file failed */
	ECCTL_EXIT_USAGE = 2, /* unknown command or option, bad argument */
};

#define ECCTL_DEFAULT_RPC "ecnode.sock"
#define ECCTL_DEFAULT_TIMEOUT_MS 10000
/* Witness parts per block (--witnesses): ecnode's witness_min, so that a
 * node that runs the witness rule, as ecnode does by default, takes the
 * block */
#define ECCTL_DEFAULT_WITNESSES 2u
#define ECCTL_MAX_WITNESSES 16u

/* The command line, after parsing (strings borrowed from argv or the
 * environment, except wallet, which the session owns). */
typedef struct ecctl_opts {
	const char *rpc;  /* socket path */
	const char *lookup_rpc; /* where token lookups go (NULL: rpc) */
	char *wallet;     /* wallet file (owned) */
	bool json;
	int timeout_ms;   /* per request */
	/* command options */
	bool force;                         /* keygen --force */
	const char *tokens[ECP_MAX_PARTS];  /* create --token (repeatable) */
	uint32_t ntokens;
	uint32_t count;                     /* create --count; 0: not given */
	const char *to;                     /* transfer --to */
	const char *new_wallet;             /* rekey --new-wallet */
	int wait_ms;                        /* --wait; -1: not given */
	uint32_t witnesses;                 /* --witnesses: witness parts per block */
	const char *arg;                    /* the positional argument, or NULL */
} ecctl_opts;

typedef struct ecctl_session {
	const ecctl_opts *o;
	ecctl_rpc *rpc; /* NULL until the first call */
} ecctl_session;

/* ---- messages (output.c) -------------------------------------------------
 * Each prints "ecctl: MESSAGE" on stderr and returns the exit status. */
int ecctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ... followed by the hint to --help. */
int ecctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Calls method with params (borrowed; NULL for none) on the session's
 * node, connecting first if needed.
 * Out: *result, a new reference on ECCTL_RPC_OK; *err otherwise.
 * Returns the call's status; reports nothing. */
ecctl_rpc_status ecctl_call(ecctl_session *s, const char *method, const json_t *params,
                            json_t **result, ecctl_rpc_err *err);

/* Calls method with {"id": hex}; a -32004 (not found) answer is reported
 * as "METHOD HEX: missing", any other failure as ecctl_report does.
 * Returns ECCTL_EXIT_OK with *res (a new reference), or the exit status. */
int ecctl_call_id(ecctl_session *s, const char *method, const char *hex, const char *missing,
                  json_t **res);

/* Reports err ("ecctl: WHAT: MESSAGE") and returns ECCTL_EXIT_FAIL. */
int ecctl_report(const char *what, const ecctl_rpc_err *err);

/* The same call, with any failure reported as "ecctl: METHOD: ..."; for
 * commands that need no special handling of node errors.
 * Returns ECCTL_EXIT_OK with *result, or ECCTL_EXIT_FAIL. */
int ecctl_call_or_report(ecctl_session *s, const char *method, const json_t *params,
                         json_t **result);

/* Prints v compactly as one line on stdout (--json output). */
void ecctl_print_json(const json_t *v);

/* Prints an object's members as "key  value" lines, keys in one column,
 * nested objects and arrays flattened to "store.tokens", "parts[0].token"
 * (an empty one as "(none)"). */
void ecctl_print_flat(const json_t *obj);

/* Flushes stdout.  Returns ECCTL_EXIT_OK, or reports and returns
 * ECCTL_EXIT_FAIL if the output could not be written. */
int ecctl_finish_output(void);

/* Reads a string member (NULL if missing or not a string). */
const char *ecctl_get_str(const json_t *obj, const char *key);
/* Reads a non-negative integer member.  Returns false if missing, not an
 * integer or negative. */
bool ecctl_get_u64(const json_t *obj, const char *key, uint64_t *out);

/* ---- commands (cmd_node.c, cmd_tokens.c) ---------------------------------
 * Each takes the session and returns the exit status. */
int ecctl_cmd_status(ecctl_session *s);
int ecctl_cmd_peers(ecctl_session *s);
int ecctl_cmd_token(ecctl_session *s);
int ecctl_cmd_block(ecctl_session *s);
int ecctl_cmd_watch(ecctl_session *s);
int ecctl_cmd_stop(ecctl_session *s);
int ecctl_cmd_keygen(ecctl_session *s);
int ecctl_cmd_pubkey(ecctl_session *s);
int ecctl_cmd_create(ecctl_session *s);
int ecctl_cmd_transfer(ecctl_session *s);
int ecctl_cmd_rekey(ecctl_session *s);
int ecctl_cmd_destroy(ecctl_session *s);

#endif
