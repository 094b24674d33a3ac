/* SPDX-License-Identifier: MIT */
/*
 * Peer management of an ec node in an open network (docs/open-network.md):
 *
 *   member.c   the peer table, admission, lookups, heartbeats, dead peers,
 *              and the ec_open_ops calls
 *   catchup.c  fetching the token mappings of my windows before I vote
 *   audit.c    storage audits of my ring neighbours (cfg.audit), and
 *              evicting those that fail them
 *
 * A node of a static network has no member state (ecp_node.m is NULL) and
 * none of this runs.  The table holds every node this one knows of, sorted
 * by id: admitted peers (their ids are also ecp_node.peers, which routing
 * and tallying read), candidates (heard of, not admitted) and peers dropped
 * as dead (remembered a while, so that other nodes' stale lists do not
 * bring them straight back).
 *
 * Errors: EC_ENOMEM, and ctx->send's (from ecp__flush), passed on; a call
 * that fails leaves the table consistent.
 */
#ifndef EC_PROTO_EC_MEMBER_H
#define EC_PROTO_EC_MEMBER_H

#include "proto/ec/node.h"

/* MP_EVICTED: failed its storage audits (audit.c); its HELLOs are refused
 * while it is remembered */
enum { MP_CAND, MP_PEER, MP_DEAD, MP_EVICTED };

/* Bootstrap contacts kept as the floor (ECP_DEF_FLOOR). */
#define ECP_FLOOR_MAX 4
/* Queries of one floor self-lookup (member.c). */
#define ECP_FLOOR_WALK 4

/* Long-range lookups a node keeps under way at once. */
#define LONG_LOOKUPS 4

typedef struct mpeer {
	uint64_t id;
	uint64_t heard;  /* clock: last heard from (peer), learnt (candidate),
	                    dropped (dead) */
	uint64_t asked;  /* clock of the last HELLO or probe sent to it */
	uint64_t welcomed; /* clock of my last WELCOME to its join */
	uint64_t watch_since; /* clock since it is among my w+1 nearest on its
	                         side (heartbeats expected), 0: it is not */
	const ec_identity_claim *claim; /* its checked claim (interned) */
	ec_addr addr;
	uint8_t state;   /* MP_* */
	uint8_t tries;   /* HELLOs unanswered (candidate), probes (peer) */
	uint8_t want_long; /* a candidate found by a long-range lookup */
	uint8_t has_addr;
	uint8_t left;    /* dead because it said goodbye: a HELLO brings it back */
	uint8_t ready;   /* it said it is caught up (WELCOME), or was there
	                    when I was seeded: it may answer my catch-up */
	uint32_t rank;   /* an admitted peer: admitted peers strictly between
	                    us on its side (between(), cached by rebuild) */
	uint64_t repair_at; /* clock of my last storage-audit exchange with it
	                       (I answered its audit, or asked for its mappings
	                       after one failed): its catch-up COMMITs are
	                       taken for a while after (audit.c) */
} mpeer;

/* One audited neighbour (audit.c): when its next audit is due, the one
 * under way (sent 0: none, else its nonce and range) and its record. */
typedef struct ecp_audit_slot {
	uint64_t peer, due, sent, nonce, lo, hi;
	uint64_t seen; /* the last tick that found it among my w+1 nearest */
	uint8_t strikes; /* failed audits in a row */
	uint8_t silent;  /* unanswered audits in a row */
} ecp_audit_slot;

typedef struct ecp_member {
	mpeer *t;
	uint32_t n, cap;
	const ec_identity_claim *claim; /* mine, interned */
	ec_addr addr;
	ec_identity_params admit;
	uint64_t joined_at, ready_at, welcomed_at;
	uint64_t next_probe, next_exchange;
	uint32_t exchanges;
	/* long-range lookups under way: their targets (0: a free slot) and
	 * when each was sent */
	uint64_t long_target[LONG_LOOKUPS], long_sent[LONG_LOOKUPS];
	/* a lookup to fill an empty octave of distances [refill_lo,
	 * 2 refill_lo) is due (balance_long); 0: none */
	uint64_t refill_lo, next_balance;
	uint64_t rng;
	uint8_t ready;    /* votes */
	uint8_t heard_lo, heard_hi; /* a WELCOME came from each side since I
	                               (re)joined */
	/* catch-up (catchup.c): one exchange per side, 0 below, 1 above */
	uint8_t syncing;  /* a catch-up (or, ready, a refresh) is under way */
	uint8_t refreshed; /* ready, and the first refresh after it done (or
	                      seeded): my store holds what my windows need */
	uint64_t next_resync;
	uint8_t sync_done[2];
	uint64_t sync_lo, sync_hi;
	uint64_t sync_peer[2], sync_at[2];
	ec_id sync_after[2];
	/* neighbours whose WELCOME brought a complete catch-up (unasked) */
	uint64_t synced[32];
	uint32_t nsynced;
	/* storage audits (audit.c): one slot per audited neighbour, and the
	 * private stream their nonces come from */
	ecp_audit_slot *aud;
	uint32_t naud, audcap;
	uint64_t secret;
	/* ECP_DEF_FLOOR: my bootstrap contacts, the next one to look myself up
	 * through, and when */
	ec_contact floor[ECP_FLOOR_MAX];
	uint32_t nfloor, floor_next;
	uint64_t floor_at;
	uint64_t walk[ECP_FLOOR_WALK], walk_at; /* the walk under way: who was asked, when */
	uint32_t nwalk;
	/* bodies of lifecycle items in the outbox: freed once it is sent */
	void **bodies;
	size_t *body_len;
	uint32_t nbodies, bodycap;
} ecp_member;

/* The next number of a splitmix64 stream whose state is *s. */
static inline uint64_t
ecp__splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* ---- member.c -------------------------------------------------------- */

/* Handles one lifecycle item (FIND .. SYNCED, COMMIT with ECP_F_SYNC).
 * Not called for a node without member state. */
ec_err ecp__member_handle(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it);

/* Records that `from` was heard from (any envelope); a neighbour dropped
 * as dead is admitted again. */
ec_err ecp__member_heard(ecp_node *n, const ec_ctx *ctx, uint64_t from);

/* The membership part of the tick: heartbeats, dead peers, handshakes,
 * lookups, catch-up.  Runs before the outbox leaves. */
ec_err ecp__member_tick(ecp_node *n, const ec_ctx *ctx);

/* Releases the member state (and the bodies it still holds). */
void ecp__member_free(ecp_node *n, const ec_ctx *ctx);

/* Frees the lifecycle bodies of a sent outbox. */
void ecp__member_sent(ecp_node *n, const ec_ctx *ctx);

/* Copies len bytes of body into memory the node holds until its outbox is
 * sent.  NULL when out of memory. */
void *ecp__member_body(ecp_node *n, const ec_ctx *ctx, size_t len);

/* The k-th nearest admitted peer below (side 0) or above (side 1) me,
 * k from 1; 0 when there are fewer than k on that side (fewer than k
 * peers in all: the ring wraps onto the other side). */
uint64_t ecp__member_nth(const ecp_node *n, int side, uint32_t k);

/* The nearest admitted peer on a side (0 below, 1 above) that is caught
 * up, other than `not`; 0 when there is none. */
uint64_t ecp__member_ready_peer(const ecp_node *n, int side, uint64_t not);

/* Whether every caught-up peer among my w+1 nearest on each side has sent
 * me a complete catch-up offer; asks those that have not (a SYNC HELLO,
 * at most every few rounds).  *done is the answer. */
ec_err ecp__member_offers(ecp_node *n, const ec_ctx *ctx, bool *done);

/* Window reports (safety.c, "Open networks").  ecp__member_report sends
 * `to` (a block's submitter) the admitted peers nearest key, and me: a
 * PEERS item whose target is the key.  ecp__member_confirm asks for such
 * a list, a FIND for key relayed to the nodes around it, sent to `via` (a
 * voter near the key: one hop, 0 for none) when it is nearer the key
 * than my peers; nothing when no one is nearer the key than I am. */
ec_err ecp__member_report(ecp_node *n, const ec_ctx *ctx, uint64_t to, uint64_t key);
/* Whether I am nearer key than every admitted peer: then nobody I could
 * ask has a better view of its window than mine, and ecp__member_confirm
 * sends nothing. */
bool ecp__member_nearest(const ecp_node *n, uint64_t key);
ec_err ecp__member_confirm(ecp_node *n, const ec_ctx *ctx, uint64_t key, uint64_t via);

/* The table entry of id, or NULL. */
mpeer *ecp__member_find(ecp_node *n, uint64_t id);

/* The identity claim I admitted at position id (mine for my own), or
 * NULL: the key a voter there signs with (conviction.c). */
const ec_identity_claim *ecp__member_claim(const ecp_node *n, uint64_t id);

/* Evicts peer id (audit.c, conviction.c): it leaves my peer list, and its
 * HELLOs are refused while it is remembered. */
ec_err ecp__member_evict(ecp_node *n, const ec_ctx *ctx, uint64_t id);

/* ---- audit.c --------------------------------------------------------- */

/* The audit part of the tick (a ready node with cfg.audit set). */
ec_err ecp__audit_tick(ecp_node *n, const ec_ctx *ctx);

/* Handles AUDIT (answers it) and PROOF (checks it). */
ec_err ecp__audit_handle(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it);

/* Whether a ready node takes catch-up COMMITs from `from`: a storage
 * audit between us is being repaired. */
bool ecp__audit_repairing(ecp_node *n, uint64_t from);

/* ---- catchup.c ------------------------------------------------------- */

/* Sends `to` the mappings my store holds in the ring range [lo, hi]
 * (COMMIT items with ECP_F_SYNC, then SYNCED), as a catch-up answer. */
ec_err ecp__catchup_push(ecp_node *n, const ec_ctx *ctx, uint64_t to, uint64_t lo, uint64_t hi);

/* Starts or drives catch-up (called by the member tick once settled). */
ec_err ecp__catchup_tick(ecp_node *n, const ec_ctx *ctx);

/* Whether I am ready but my first refresh since has not completed (for
 * at most 2 x its delay): a token I hold no mapping of may be one my
 * catch-up missed, and a yes on its create could back a twin. */
bool ecp__catchup_settling(const ecp_node *n);

/* Sends `who`, a node catching up next to me, the mappings of the keys
 * whose window it belongs to (as my view tells), unasked. */
ec_err ecp__catchup_offer(ecp_node *n, const ec_ctx *ctx, uint64_t who);

/* SYNC: answers from my store.  SYNCED and COMMIT (ECP_F_SYNC): records
 * what a catch-up answer brought. */
ec_err ecp__catchup_handle(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it);

#endif
