/* SPDX-License-Identifier: MIT */
/*
 * The protocol side of ecnode: one ec protocol node (the same code ecsim
 * drives, through its ec_protocol table), the context it runs in, and the
 * translation between its messages and datagram payloads.  No sockets, no
 * clock, no disk of its own: the daemon hands it payloads that the
 * transport authenticated, calls its tick, and takes the payloads it
 * produced (ecn_rt_out) once the tick's store transaction is durable.
 *
 * A payload is the sender's clock (u64, big-endian; the node's vote stamps
 * come from it) followed by one canonical ec envelope (docs/wire.md).  The
 * envelope's sender must be the ring position the transport authenticated;
 * anything else is dropped and counted.  One envelope the node sends for
 * one receiver is split into as many payloads as the MTU needs, items
 * whole; an item larger than the MTU travels alone.
 *
 * Bodies: every block, certificate and identity claim of a delivered
 * envelope is interned (intern.h) before the node sees it, because the
 * node keeps pointers to them.
 */
#ifndef ECNODE_RUNTIME_H
#define ECNODE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ecp.h"
#include "ec/wire.h"
#include "intern.h"

#define ECN_PAYLOAD_HDR 8u /* the sender's clock before the envelope */

/* One payload for the transport to seal and send. */
typedef struct ecn_out {
	uint64_t to;     /* ring position of the receiver */
	ec_addr addr;    /* its address as the node knows it (len 0: unknown) */
	size_t off, len; /* bytes [off, off + len) of the runtime's out buffer */
} ecn_out;

/* Why a delivered payload was dropped (besides ec_wire_reason). */
typedef enum ecn_rt_drop {
	ECN_RT_OK = 0,
	ECN_RT_SHORT,           /* shorter than the clock header */
	ECN_RT_DECODE,          /* the envelope does not decode: see *why */
	ECN_RT_SENDER_MISMATCH, /* the envelope names another sender */
	ECN_RT_NOMEM            /* no memory to decode or intern it */
} ecn_rt_drop;

/* What the daemon observes (metrics, RPC watch, vote log).  now_ms is the
 * wall time the daemon set before the call that raised the event. */
typedef void (*ecn_rt_event_fn)(void *user, ec_event ev, uint64_t block_pos, uint64_t arg);

#define ECN_RT_WAYS 4u
/* Message counters are by ecp_kind, plus one slot for catch-up answers
 * (COMMIT items flagged ECP_F_SYNC), which are peer management, as ecsim
 * counts them (ec_peer), not consensus. */
#define ECN_RT_SYNC (ECP_KIND_MAX + 1)
#define ECN_RT_KINDS (ECP_KIND_MAX + 2)

typedef struct ecn_rt {
	const ec_protocol *proto;
	void *node;
	ecp_config cfg;
	ec_ctx ctx;
	ecn_intern *intern;
	uint64_t pos;
	size_t mtu; /* largest payload (clock header included) */
	uint32_t max_parts; /* ecn_rt_max_parts, from the window */
	/* payloads produced since the last ecn_rt_out_clear */
	ecn_out *out;
	size_t nout, outcap;
	uint8_t *buf;
	size_t used, bufcap;
	ec_err sink_err; /* the first error inside the send sink this call */
	/* decode scratch, reused */
	void *mem;
	size_t memcap;
	/* interned blocks met, by ring position: a cache of ECN_RT_WAYS-way
	 * sets, the longest-held of a full set replaced */
	const ecp_block **blocks;
	uint64_t *bstamp; /* when each slot was filled */
	size_t bcap;      /* slots, a multiple of ECN_RT_WAYS */
	uint64_t bclock;
	ecn_rt_event_fn on_event;
	void *event_user;
	const uint8_t *vote_sk; /* the identity's Ed25519 secret key (64 bytes,
	                           borrowed: ecn_rt_sign_votes), or NULL */
	/* voters' keys (ecn_rt_vote_keys), or NULL */
	bool (*key_of)(void *user, uint64_t pos, uint8_t pk[32]);
	void *key_user;
	/* counters (metrics) */
	uint64_t items_in[ECN_RT_KINDS], items_out[ECN_RT_KINDS];
	uint64_t payloads_in, payloads_out, bytes_in, bytes_out;
	uint64_t drops[ECN_RT_NOMEM + 1];
	uint64_t wire_drops[EC_WIRE_REASON_COUNT];
} ecn_rt;

/* Sets up rt for a node at ring position pos with protocol settings cfg
 * (NULL: defaults), on store (the LMDB store's table and impl), signing
 * scheme sig (Ed25519 in the daemon), payloads of at most mtu bytes (at
 * least 512).  Errors: EC_EINVAL (cfg refused, mtu too small), EC_ENOMEM.
 * On error nothing is held. */
EC_WUR ec_err ecn_rt_init(ecn_rt *rt, uint64_t pos, const ecp_config *cfg, ec_store store,
                          const struct ec_sig_scheme *sig, size_t mtu);
/* Releases everything rt holds; accepts a zeroed or failed rt. */
void ecn_rt_fini(ecn_rt *rt);

/* Signs the node's votes with sk (the identity's Ed25519 secret key, 64
 * bytes, libsodium layout; borrowed until ecn_rt_fini), as signed votes
 * (ECP_DEF_SIGNED) need; peers check them against the key of the
 * identity they admitted. */
void ecn_rt_sign_votes(ecn_rt *rt, const uint8_t *sk);

/* Where voters' public keys come from: key_of(user, pos, pk) writes the
 * key of the node at ring position pos and returns true, or false when it
 * knows none (the daemon: the transport's peers, whose claims it checked).
 * Without it a voter counts only while the core's peer table holds its
 * admitted identity, and a valid vote of one that dropped out of it is
 * refused as a bad signature.  user is borrowed until ecn_rt_fini. */
void ecn_rt_vote_keys(ecn_rt *rt, bool (*key_of)(void *user, uint64_t pos, uint8_t pk[32]),
                      void *user);

/* Opens the node to the network (ec_open_ops.join); j is borrowed.
 * Errors: the join's (ec/ecp.h). */
EC_WUR ec_err ecn_rt_join(ecn_rt *rt, const ec_join *j);
/* Graceful departure: the node's BYEs go to the out list. */
EC_WUR ec_err ecn_rt_leave(ecn_rt *rt);

/* One authenticated payload from the peer at ring position sender.
 * Returns ECN_RT_OK when the node handled it, else the drop reason (counted
 * in rt; *why is the wire reason for ECN_RT_DECODE).  *err receives the
 * node's own failure (EC_ENOMEM, the store's write errors), which the
 * daemon treats as fatal for the store's errors. */
ecn_rt_drop ecn_rt_deliver(ecn_rt *rt, uint64_t sender, const uint8_t *payload, size_t len,
                           ec_wire_reason *why, ec_err *err);

/* One tick of the node.  Errors: the node's tick's (ec/ecp.h) and
 * EC_ENOMEM from packing payloads. */
EC_WUR ec_err ecn_rt_tick(ecn_rt *rt);

/* The most parts a block may have for its certificate to travel: a
 * COMMIT carrying the block and the votes of every member of every role's
 * window must fit one payload (ECN_MAX_PAYLOAD).  198 at window 4, 71
 * with signed votes (ECP_DEF_SIGNED, ecnode's default). */
uint32_t ecn_rt_max_parts(const ecn_rt *rt);

/* Submits a wallet's signed block, given as its canonical encoding.
 * Returns EC_OK with *id; EC_EINVAL with *why when it does not decode or
 * breaks a canonical rule; EC_ERANGE when it has more parts than
 * ecn_rt_max_parts (its commit could reach nobody); EC_ENOMEM; and the
 * node's submit errors. */
EC_WUR ec_err ecn_rt_submit(ecn_rt *rt, const uint8_t *enc, size_t len, ec_id *id,
                            ec_wire_reason *why);

/* The payloads produced so far (valid until ecn_rt_out_clear) and their
 * bytes. */
static inline const uint8_t *
ecn_rt_out_bytes(const ecn_rt *rt, const ecn_out *o)
{
	return rt->buf + o->off;
}
void ecn_rt_out_clear(ecn_rt *rt);

/* A block the node met (delivered or submitted) whose ring position is
 * pos, if the cache still has it (interned: valid while rt lives); NULL
 * otherwise.  The cache keeps the last 16,384 blocks met, and at least the
 * last ECN_RT_WAYS of each set of positions. */
const ecp_block *ecn_rt_block(const ecn_rt *rt, uint64_t pos);

/* Frees the interned bodies the node no longer points to (ec_protocol
 * .bodies), and drops them from the cache of blocks met; returns how many
 * were freed.  Only between calls into the node, and only over a store
 * that copies what it keeps (the daemon's LMDB store; not the memstore,
 * which keeps pointers to the bodies). */
uint64_t ecn_rt_sweep(ecn_rt *rt);

/* The node's clock, status (ec_open_ops.status) and address book. */
uint64_t ecn_rt_now(const ecn_rt *rt);
void ecn_rt_status(const ecn_rt *rt, ec_node_status *st);
/* Advances a fresh node's clock (a restart continues the clock it had). */
void ecn_rt_advance(ecn_rt *rt, uint64_t ticks);

#endif
