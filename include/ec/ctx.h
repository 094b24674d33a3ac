/* SPDX-License-Identifier: MIT */
/*
 * ec_ctx: everything a node may touch outside its own state.  Node logic is
 * sans-I/O: it never opens sockets, reads clocks or files, draws randomness
 * or keeps globals.  Allocation, storage, outgoing messages and observation
 * hooks arrive here, so the simulator, the tests and a daemon can drive the
 * same code.  The node's notion of time is its own tick counter (logical
 * time, seed-protocol.md §1.1), advanced by the protocol's tick.
 *
 * The context is borrowed for the duration of one call; a node keeps no
 * pointer to it.
 */
#ifndef EC_CTX_H
#define EC_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/err.h"
#include "ec/msg.h"
#include "ec/store.h"

/* realloc-style allocator: new_size 0 frees and returns NULL; a NULL ptr
 * allocates.  Sizes are passed so that sized pools can sit behind it. */
typedef void *(*ec_realloc_fn)(void *user, void *ptr, size_t old_size, size_t new_size);

/* Outgoing message sink.  The message (and any body pointer in it) is
 * valid only during the call; the sink copies what it keeps. */
typedef ec_err (*ec_send_fn)(void *user, const ec_msg *msg);

/* Events a node reports for observation (statistics, event logs).  They
 * must never feed back into consensus. */
typedef enum ec_event {
	EC_EV_COMMIT = 1,       /* a block committed locally; arg = 1 if a part
	                           was decided by a negative balance */
	EC_EV_VOTE_TRUSTED,     /* Vote for a pending block, trusted sender */
	EC_EV_VOTE_UNTRUSTED,   /* Vote for a pending block dropped (untrusted) */
	EC_EV_VOTE_COMMITTED,   /* Vote for a committed block (0xFF reply rule) */
	EC_EV_VOTE_BLOCKED,     /* Vote for a blocked block */
	EC_EV_VOTE_NEW_TRUSTED, /* Vote for an unknown block, trusted: recorded + QueryBlock */
	EC_EV_VOTE_NEW_UNTRUSTED, /* Vote for an unknown block, untrusted: sender added as peer */
	EC_EV_QUERY_ANSWERED,
	EC_EV_QUERY_REFERRED,
	EC_EV_QUERY_FORWARDED,
	EC_EV_QUERY_DROPPED,
	EC_EV_BLOCK_NEW,        /* a requested block entered the pool */
	EC_EV_BLOCK_DUPLICATE,  /* a requested block was already in the pool */
	EC_EV_TOKEN_WRITE,      /* a token mapping write attempted at commit */
	EC_EV_PARENT_COMMIT_REQ,
	EC_EV_VOTE_REQ_TOKEN,
	EC_EV_VOTE_REQ_WITNESS,
	EC_EV_EVALUATED,        /* a pending entry with a block was evaluated */
	EC_EV_EXPIRED,          /* a mempool entry expired */
	EC_EV_VOTE_CONFLICT,    /* a vote was blanked by conflict detection */
	EC_EV_POOL_FULL,        /* a vote was ignored by the pool-size gate */
	EC_EV_REJECT,           /* a block or part broke a lifecycle rule: evidence
	                           against its sender; arg = the ec_verdict */
	EC_EV_VOTE_CAST,        /* a member voted on a role of a block; arg = the
	                           role code (the part's rank among the block's
	                           tokens in ascending order, as ec's canonical
	                           blocks order them; 0xFFFF the witness)
	                           | 1 << 16 for a yes | (T + 1) << 24, T the
	                           time of the block the voter's store maps the
	                           part's token to (0 there: no mapping) */
	EC_EV_AUDIT,            /* a storage audit of a peer ended (ec protocol,
	                           open networks); block = the audited peer's
	                           position, arg = its ec_sp_verdict, or 0xFF
	                           unanswered, | 1 << 8 if it evicted the peer */
	EC_EV_CONVICT,          /* the node convicted a voter of a double vote
	                           (ec protocol, ECP_DEF_CONVICT); block = the
	                           voter's position, arg = 0 if the node saw
	                           both votes itself, 1 if a peer's ACCUSE
	                           proved it, 2 if agreement scoring struck it
	                           (ECP_DEF_AGREE: no proof) */
	EC_EV_COUNT
} ec_event;

typedef void (*ec_event_fn)(void *user, ec_peer_id node, ec_event ev, ec_block_id block,
                            uint64_t arg);

/* Immutable body storage: copies len bytes and returns a pointer that stays
 * valid for as long as the driver keeps its nodes (message bodies a node
 * creates and then keeps or sends), or, with a protocol that lists the
 * bodies its nodes still read (ec_protocol.bodies), until the driver frees
 * a body no listing names.  NULL when out of memory. */
typedef const void *(*ec_intern_fn)(void *user, const void *data, size_t len);

/* Optional verdict memo for an interned body: returns EC_MEMO_BYTES bytes
 * of zero-initialised storage that belongs to the body (same lifetime), or
 * NULL when there is none.  A node records in it the checks that are pure
 * functions of the body's bytes, with their verdicts (ec/lifecycle.h), so
 * that a driver holding one copy of a body for many nodes (the simulator)
 * runs each such check once instead of once per node.  The verdicts are
 * the same either way; only the work differs.  Several threads may update
 * one memo: it is accessed with relaxed atomic operations. */
#define EC_MEMO_BYTES 80u
typedef unsigned char ec_memo_byte;
typedef ec_memo_byte *(*ec_memo_fn)(void *user, const void *body);

typedef struct ec_ctx {
	ec_realloc_fn realloc_fn;
	void *alloc_user;
	ec_send_fn send;
	void *send_user;
	ec_store store;
	ec_intern_fn intern; /* needed by the ec protocol */
	void *intern_user;
	ec_memo_fn memo; /* may be NULL: every check is then run every time */
	void *memo_user;
	ec_event_fn event; /* may be NULL */
	void *event_user;
	/* Signature scheme for the ec protocol's signed parts (ec/sig.h).  NULL
	 * means none: every signed part is then rejected, never waved through. */
	const struct ec_sig_scheme *sig;
	/* Vote signatures (the ec protocol's ECP_DEF_SIGNED), kept out of the
	 * core as its keys are: vote_sign writes the signature, with sig's
	 * scheme, of the node at ring position signer over a 32-byte digest;
	 * vote_key writes the public key of the node at position voter and
	 * returns true, or false when it does not know it.  Either may be
	 * NULL.  Without vote_sign the node's votes go unsigned (and count
	 * nowhere signatures are required); where vote_key is NULL or does not
	 * know the voter, an open-network node uses the key of the identity it
	 * admitted at that position and a static one verifies nothing (fail
	 * closed: no signed vote counts).
	 * Both are called concurrently for different nodes: they must only
	 * read shared state. */
	void (*vote_sign)(void *user, uint64_t signer, const uint8_t digest[32], uint8_t sig[64]);
	bool (*vote_key)(void *user, uint64_t voter, uint8_t pk[32]);
	void *vote_user;
} ec_ctx;

/* The C library's allocator, for contexts that need nothing special. */
void *ec_libc_realloc(void *user, void *ptr, size_t old_size, size_t new_size);

#endif
