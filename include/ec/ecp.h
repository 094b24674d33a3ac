/* SPDX-License-Identifier: MIT */
/*
 * The ec protocol ("--protocol ec"): neighbourhood voting with 256-bit ids,
 * a block-carrying first wave routed through the peer graph, votes straight
 * back to the submitter, commit certificates pushed along the interest
 * trail, polling with back-off, parent fetches with a cooldown, exclusive
 * votes for conflicting blocks, and one envelope per receiver and round.
 * docs/ec-protocol.md describes the rules and why they are what they are.
 *
 * Roles: a block with n parts has n token roles (key = the part's token id)
 * and one witness role (key = the block id).  A node's window around a key
 * is the w nodes below the key and the w+1 nodes at or above it, among its
 * peers and itself; it is a member of the role when it lies in its own
 * window.  Members vote; every node tallies only the voters that lie in its
 * own window.
 *
 * Ownership: block and certificate bodies are immutable.  Bodies that reach
 * a node through handle() or that it created through ctx->intern must stay
 * valid for as long as the driver keeps the node, or until a listing of the
 * bodies the node still reads (ec_protocol.bodies) leaves them out; the
 * node keeps pointers to them and never frees them.
 *
 * Errors: a peer's invalid or foreign input is never an error (it is
 * ignored, or reported as EC_EV_REJECT evidence).  The node's own failures
 * are EC_ENOMEM (ctx->realloc_fn or ctx->intern returned NULL) and the
 * errors of the context's store writes and send sink, passed on.  After
 * any of them the node is still consistent: it can be used on, or
 * released with node_fini.  What the failed call was doing is then partly
 * done, which the protocol treats as it treats lost messages (polls and
 * re-sends recover); ec_protocol_ec below says what each call leaves.
 */
#ifndef EC_ECP_H
#define EC_ECP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/id.h"
#include "ec/peers.h"
#include "ec/protocol.h"
#include "ec/sig.h"
#include "ec/storage_proof.h"

#define ECP_MAX_PARTS 256u
#define ECP_ROLE_WITNESS 0xFFFFu

typedef struct ecp_config {
	uint32_t window;     /* w: window half-width (default 4: 9 members) */
	uint32_t threshold;  /* net balance needed is > threshold (default 2) */
	uint32_t quorum;     /* yes votes a token role needs (default w+1, a
	                        majority of the 2w+1 members: with exclusive
	                        votes two conflicting blocks cannot both get it) */
	uint32_t fanout;     /* peers a submitter or relay sends a role to (2) */
	uint32_t max_hops;   /* routing hops before a first-wave copy is dropped */
	uint32_t poll_first; /* rounds before the submitter's first poll (8);
	                        members wait twice as long */
	uint32_t poll_max;   /* back-off cap in rounds (16) */
	uint32_t fetch_cooldown; /* rounds between parent fetch attempts (5) */
	uint32_t linger;     /* rounds a decided entry stays in the pool (2); the
	                        store answers for it afterwards */
	uint32_t expiry;     /* rounds an undecided entry of someone else's
	                        block is kept (96) */
	uint32_t grace;      /* rounds a submitter waits, once its votes decide a
	                        commit, for withdrawals by members that meet a
	                        higher conflicting twin late (0) */
	uint32_t batch;      /* 1: one envelope per receiver and round; 0: one
	                        envelope per logical message (for comparison) */
	/* Open networks only (ec_open_ops.join; docs/open-network.md): */
	uint32_t degree;     /* peers a node keeps: a quarter nearest on each
	                        side, half long-range (64) */
	uint32_t probe;      /* rounds between heartbeats to the w+1 nearest
	                        peers on each side (1) */
	uint32_t dead_after; /* rounds of silence after which such a peer is
	                        taken for dead and dropped (4) */
	uint32_t audit;      /* rounds between proof-of-storage audits of each
	                        of the w+1 nearest peers on each side (0: no
	                        audits, the default; docs/open-network.md,
	                        "Storage audits") */
	uint32_t defences;   /* ECP_DEF_* bits: defences against Byzantine
	                        nodes (docs/byzantine.md); 0, none, by default
	                        (the measured baseline); a real node runs
	                        ECP_DEF_DEFAULT */
	uint32_t witness_min; /* under ECP_DEF_WITNESS, the witness tokens a
	                        block must carry (2): without a minimum an
	                        attacker would simply leave them out */
} ecp_config;

/* Defences (ecp_config.defences), each switchable so that its effect can
 * be measured. */
enum {
	/* witness tokens must have the ids derived from what their block spends
	 * (ecp_witness_derived): a submitter can neither give conflicting
	 * blocks different witnesses nor grind them into windows it holds */
	ECP_DEF_WITNESS = 1u << 0,
	/* votes are signed (ec_ctx.vote_sign) and a yes counts, at a submitter
	 * or in a certificate, only with its voter's valid signature: nobody
	 * can make up a certificate.  A yes is final: a member never withdraws
	 * it for a higher twin, since the withdrawal would trust the lower
	 * twin's submitter to stop counting it (safety.c, "Signed votes") */
	ECP_DEF_SIGNED = 1u << 1,
	/* two signed yes votes of one voter for different blocks spending the
	 * same (token, parent) are a proof (ecp_accuse): whoever sees them
	 * convicts the voter, counts none of its votes again, tells the nodes
	 * that count them, and (open networks) evicts it for good.  Needs
	 * ECP_DEF_SIGNED. */
	ECP_DEF_CONVICT = 1u << 2,
	/* agreement scoring, the seed's "echo chamber" (§11.9.5), measured,
	 * not recommended: a node scores each voter it hears by whether its
	 * votes agreed with the outcomes it learns (a yes on what committed, a
	 * no on what lost), and stops counting a voter that disagreed with
	 * more than a third of at least ECP_AGREE_MIN outcomes, for good.
	 * Not part of the default: it needs no proof, so it can strike honest
	 * nodes that are merely behind */
	ECP_DEF_AGREE = 1u << 3,
	/* open networks: a floor of peers the node chose itself.  It keeps its
	 * bootstrap contacts and looks up its own position through them in
	 * turn (every 8 rounds for 64 rounds after a join, then every 64), so
	 * a node whose every other contact came through liars (eclipse) still
	 * hears of its true ring neighbours from a path it did not get from
	 * them */
	ECP_DEF_FLOOR = 1u << 4,
	/* open networks: per-peer quotas.  One contact list (WELCOME, PEERS)
	 * adds at most ECP_QUOTA_NEW nodes I did not know, the nearest me
	 * first, so one peer cannot fill my table with its friends */
	ECP_DEF_QUOTA = 1u << 5,
	ECP_DEF_DEFAULT = ECP_DEF_WITNESS | ECP_DEF_SIGNED | ECP_DEF_CONVICT | ECP_DEF_FLOOR |
	                  ECP_DEF_QUOTA,
	ECP_DEF_ALL = ECP_DEF_DEFAULT | ECP_DEF_AGREE
};

/* Outcomes a voter must have been scored on before agreement scoring
 * judges it. */
#define ECP_AGREE_MIN 8u

/* New contacts one list may add under ECP_DEF_QUOTA. */
#define ECP_QUOTA_NEW 8u


/* Writes the defaults (the values in the comments above) to *c. */
void ecp_config_default(ecp_config *c);
/* Returns: NULL when c is usable, else a static sentence naming the first
 *          problem (window 1..64, quorum and threshold at most 2w+1,
 *          fanout 1..16, 1 <= poll_first <= poll_max, grace at most 64).
 * In:      c: not NULL. */
const char *ecp_config_check(const ecp_config *c);

/* One token's change (docs/ec-protocol.md, "Signed token lifecycle").
 * Create: parent zero, no signer, no signature.  Transfer and rekey:
 * signed by the key whose hash the parent block named for this token.
 * Destroy: next_key zero, so no later change can be signed. */
typedef struct ecp_part {
	ec_id token;
	ec_id parent;       /* block that last moved the token; zero: create */
	ec_id next_key;     /* BLAKE3 of the public key allowed to make the next
	                       change; zero: the token is destroyed */
	uint8_t signer[32]; /* public key named by the parent (zero: create) */
	uint8_t sig[64];    /* signer's signature of the block id (zero: create) */
} ecp_part;

typedef struct ecp_block {
	ec_id id;
	uint64_t time;   /* creation time (simulator round) */
	uint32_t nparts; /* 1..ECP_MAX_PARTS */
	ecp_part parts[];
} ecp_block;

/* The witness rule (witness.c).  Position of the i-th witness token of a
 * block whose other parts spend tokens[k] from parents[k] signed by the key
 * signers[k] (all zero for a create), k < n, in block order (ascending
 * token): the first 8 bytes of BLAKE3 (derive-key context "ec witness
 * tokens v2") over each part's 96 bytes and i as 4 bytes big endian; never
 * 0.  The witness token's id is ec_id_expand of it. */
uint64_t ecp_witness_pos(const ec_id *tokens, const ec_id *parents,
                         const uint8_t (*signers)[EC_SIG_PK_BYTES], uint32_t n, uint32_t i);
/* Whether every witness part of b (parent and next key zero) has one of
 * the ids the rule derives for b's k witness parts; true when b has none. */
bool ecp_witness_derived(const ecp_block *b);
/* The witness parts of b (parent and next key zero). */
uint32_t ecp_witness_count(const ecp_block *b);

static inline size_t
ecp_block_size(uint32_t nparts)
{
	return sizeof(ecp_block) + nparts * sizeof(ecp_part);
}

typedef struct ecp_vote {
	uint64_t voter;  /* ring position of the voter */
	uint32_t stamp;  /* 2 x the voter's clock when it voted, + 1 for a
	                    withdrawal: a later stamp replaces an earlier vote,
	                    whatever order the messages arrive in */
	uint16_t role;   /* part index, or ECP_ROLE_WITNESS */
	int8_t value;    /* +1 yes, -1 no */
} ecp_vote;

/* A voter's signature of its vote (ECP_DEF_SIGNED): ec_ctx.sig's
 * signature, by the voter's key, of ecp_vote_digest.  All zero: none. */
typedef struct ecp_vsig {
	uint8_t b[EC_SIG_BYTES];
} ecp_vsig;

/* What a voter signs: BLAKE3 (derive-key context "ec vote v1") over the
 * block id, the role code (2 bytes big endian), the value (1 byte), and,
 * for a token role, the part's token and parent (a witness role: 64 zero
 * bytes).  The stamp is not signed: under signed votes a vote is final,
 * so nothing depends on the order of one voter's votes.  With the token
 * and parent inside, two yes digests of one voter prove a double vote
 * without either block (ecp_accuse). */
void ecp_vote_digest(const ec_id *block, uint16_t role, int8_t value, const ec_id *token,
                     const ec_id *parent, uint8_t out[32]);

/* The votes a node counted when it committed: enough for any node to
 * re-check the commit against its own windows.  With sigs set, the
 * voters' signatures follow the n votes, in the same order
 * (ecp_cert_sig). */
typedef struct ecp_cert {
	uint32_t n;
	uint32_t sigs; /* 0: unsigned; 1: ecp_cert_sig(c, i) is vote i's */
	ecp_vote v[];
} ecp_cert;

/* Bytes of a certificate body of n votes, with or without signatures. */
static inline size_t
ecp_cert_bytes(uint32_t n, bool sigs)
{
	return sizeof(ecp_cert) + (size_t)n * (sizeof(ecp_vote) + (sigs ? sizeof(ecp_vsig) : 0));
}

/* Vote i's signature in c (c->sigs set, i < c->n). */
static inline const ecp_vsig *
ecp_cert_sig(const ecp_cert *c, uint32_t i)
{
	return (const ecp_vsig *)(const void *)(c->v + c->n) + i;
}

/* ACCUSE body (ECP_DEF_CONVICT): the voter's two signed yes votes for
 * different blocks that spend the same (token, parent), each on the part
 * role[k] of block[k].  Checked by ecp_accuse_check alone: no block, no
 * certificate and no trust in the sender is needed. */
typedef struct ecp_accuse {
	uint64_t voter;
	ec_id token, parent;
	ec_id block[2];  /* block[0] < block[1] (canonical) */
	uint16_t role[2]; /* part indexes (never the witness) */
	ecp_vsig sig[2];
} ecp_accuse;

/* Whether a is a proof against a->voter: blocks ascending and different,
 * token roles, and both signatures verify under pk (the voter's key) with
 * scheme.  False with no scheme. */
bool ecp_accuse_check(const ecp_accuse *a, const struct ec_sig_scheme *scheme,
                      const uint8_t pk[EC_SIG_PK_BYTES]);

typedef enum ecp_kind {
	ECP_BLOCK = 1,  /* first wave / spread: block + role + origin (+ sender's vote) */
	ECP_VOTE,       /* a member's vote on one role, to the origin */
	ECP_COMMIT,     /* terminal push or fetch answer: block + certificate */
	ECP_BLOCKED,    /* terminal push: the block lost (a no vote on role) */
	ECP_POLL,       /* "what is the state of this block?" */
	ECP_FETCH,      /* parent fetch: "send me this committed block" */
	ECP_WITHDRAW,   /* a member takes back its yes on a lower conflicting block */
	ECP_WITHDRAWN,  /* the submitter's acknowledgement: the yes no longer counts */
	/* Peer management (docs/open-network.md): lifecycle traffic. */
	ECP_FIND,       /* lookup: "who is nearest contacts->target?"; relayed
	                   greedily; contacts: the asker's own contact (n = 1) */
	ECP_PEERS,      /* the lookup's answer: contacts nearest the target */
	ECP_HELLO,      /* "admit me": an identity and address (the sender's, or
	                   with ECP_F_JOIN the joiner's, relayed) */
	ECP_WELCOME,    /* HELLO's answer: the same, plus the sender's ring
	                   neighbours; flags say whether it admitted the asker */
	ECP_PING,       /* liveness: value 1 asks for a PING back (a probe),
	                   0 is a heartbeat or the answer to a probe */
	ECP_BYE,        /* the sender leaves the network */
	ECP_SYNC,       /* catch-up request: the token mappings in sync->[lo, hi]
	                   after sync->after, answered by COMMIT items (flag
	                   ECP_F_SYNC, role = the part of the mapped token) and
	                   one SYNCED */
	ECP_SYNCED,     /* the end of a catch-up answer: sync->after is the
	                   last token sent, sync->more whether more follow */
	ECP_AUDIT,      /* proof-of-storage challenge to a ring neighbour
	                   (audit: the query, ecp_audit_point the point) */
	ECP_PROOF,      /* its answer: the receiver's mappings nearest the
	                   point (proof) */
	ECP_ACCUSE,     /* a proof that accuse->voter voted yes for two
	                   conflicting blocks (ECP_DEF_CONVICT) */
	ECP_KIND_MAX = ECP_ACCUSE
} ecp_kind;

/* One logical message.  Several travel in one envelope (EC_MSG_ENVELOPE). */
#define ECP_F_COVERED 1u /* BLOCK: the sender sent it to the whole window */
#define ECP_F_POLL 2u    /* BLOCK: a submitter's re-poll (or a relay's copy
                            of one): members that voted answer again; a
                            later copy of the first wave is not a re-poll */
#define ECP_F_ALL (ECP_F_COVERED | ECP_F_POLL)
#define ECP_F_SYNC 4u    /* COMMIT: part of a catch-up answer; HELLO: the
                            sender is catching up: a WELCOME from a ring
                            neighbour brings the mappings it needs */
#define ECP_F_ADMITTED 8u /* WELCOME: the sender admitted the asker */
#define ECP_F_NEAR 16u   /* HELLO, WELCOME: the sender counts the receiver
                            among its ring neighbours (else: a long-range
                            peer) */
#define ECP_F_JOIN 32u   /* HELLO: a join: relayed greedily (hops, which
                            only a JOIN HELLO without INTRO may carry
                            non-zero, docs/wire.md) towards
                            the position of the claim's owner, whose
                            neighbourhood then answers it directly */
#define ECP_F_INTRO 64u  /* HELLO (with JOIN): passed on by the node that
                            ended the relay to the joiner's other
                            neighbours; not relayed further */
#define ECP_F_READY 128u /* HELLO, WELCOME: the sender is caught up, so it
                            may answer catch-up requests */

/* Most contacts one FIND, PEERS, HELLO or WELCOME carries. */
#define ECP_MAX_CONTACTS 64u
/* Most COMMIT items one catch-up answer carries before its SYNCED. */
#define ECP_SYNC_BATCH 64u

/* FIND and PEERS bodies: the key looked up and contacts (FIND: the asker;
 * PEERS: the nodes nearest the key the answerer knows, itself included). */
typedef struct ecp_contacts {
	uint64_t target;
	uint32_t n; /* 0..ECP_MAX_CONTACTS */
	ec_contact c[];
} ecp_contacts;

/* HELLO and WELCOME bodies.  The claim is an interned body (its verdict is
 * memoised per body, ec_ctx.memo); on the wire it travels inline. */
typedef struct ecp_hello {
	const ec_identity_claim *claim;
	ec_addr addr;
	uint32_t n; /* WELCOME: the sender's ring neighbours; HELLO: 0 */
	ec_contact c[];
} ecp_hello;

/* SYNC and SYNCED bodies: a ring range of token positions, inclusive and
 * wrapping when lo > hi, and a resume point in token id order. */
typedef struct ecp_sync {
	uint64_t lo, hi;
	ec_id after; /* zero: from the start of the range */
	uint8_t more; /* SYNCED: 1 if the answer stopped at ECP_SYNC_BATCH */
} ecp_sync;

/* AUDIT body: the sender (the requester) asks the receiver to prove that
 * it stores the token mappings around a point it cannot predict, drawn in
 * the ring range of token positions [lo, hi] (inclusive, wrapping when
 * lo > hi; lo == hi + 1 is the whole ring), where the two nodes' windows
 * overlap.  ecp_audit_point derives the point. */
typedef struct ecp_audit {
	uint64_t nonce; /* fresh per audit, chosen by the sender */
	uint64_t round; /* the sender's clock */
	uint64_t lo, hi;
} ecp_audit;

/* PROOF body: the answer to the AUDIT with this nonce, as
 * ec_sp_answer_build makes it from the answering node's store (its
 * responder is the envelope's sender, so not carried): point, count
 * (0..EC_SP_ENTRIES) and count entries, up from the point then down. */
typedef struct ecp_proof {
	uint64_t nonce;
	ec_id point;
	uint32_t count;
	ec_sp_mapping e[];
} ecp_proof;

typedef struct ecp_item {
	uint8_t kind;     /* ecp_kind */
	int8_t value;     /* BLOCK: the sender's vote on role (0: none); VOTE */
	uint16_t role;
	uint16_t hops;    /* BLOCK, FIND, HELLO: routing hops so far */
	uint8_t flags;    /* ECP_F_*: each says which kinds carry it */
	uint64_t origin;  /* BLOCK: the submitter's position */
	ec_id block_id;
	const ecp_block *block; /* BLOCK, COMMIT */
	union {                 /* by kind; the others leave it NULL */
		const ecp_cert *cert;         /* COMMIT */
		const ecp_contacts *contacts; /* FIND, PEERS */
		const ecp_hello *hello;       /* HELLO, WELCOME */
		const ecp_sync *sync;         /* SYNC, SYNCED */
		const ecp_audit *audit;       /* AUDIT */
		const ecp_proof *proof;       /* PROOF */
		const ecp_vsig *vsig;         /* VOTE, BLOCK with a vote: the
		                                 voter's signature (NULL: unsigned) */
		const ecp_accuse *accuse;     /* ACCUSE */
	};
} ecp_item;

/* A node's durable record of its yes vote for one (token, parent)
 * (ecp_store_ops.xvote_get): the block it backs, and where the yes went,
 * so that after a crash it can still ask that submitter to drop it. */
typedef struct ecp_xvote {
	ec_id block;     /* zero: no yes stands */
	uint64_t origin; /* the submitter the yes went to (0: none known) */
	uint16_t role;   /* the part's role code (as in WITHDRAW) */
	bool known;      /* false: a record from before origin and role were
	                    kept; nobody can be asked, the yes stands */
} ecp_xvote;

/* The storage the ec protocol needs (ec_store.ops of its nodes), keyed by
 * 256-bit ids.  Committed blocks are kept with the certificate that
 * committed them; bodies are immutable and outlive the store (see the top
 * of this file), so the store keeps pointers. */
#define ECP_STORE_API "ecp-store/1"
typedef struct ecp_store_ops {
	/* Looks a token up: true, with its block and time, if present. */
	bool (*xtoken_get)(void *impl, const ec_id *token, ec_id *block, uint64_t *time);
	/* Writes (or overwrites) a token mapping.  Errors: EC_ENOMEM, or the
	 * store's own. */
	ec_err (*xtoken_put)(void *impl, const ec_id *token, const ec_id *block, uint64_t time);
	/* Looks a committed block up: true, with its body and certificate
	 * (either out pointer may be NULL), if present. */
	bool (*xblock_get)(void *impl, const ec_id *id, const ecp_block **block,
	                   const ecp_cert **cert);
	/* Keeps a committed block and its certificate.  Errors: as xtoken_put. */
	ec_err (*xblock_put)(void *impl, const ecp_block *block, const ecp_cert *cert);
	/* Optional (may be NULL): a hint that xblock_get(id) follows soon;
	 * changes nothing. */
	void (*xblock_prefetch)(void *impl, const ec_id *id);
	/* Optional (NULL: the node cannot answer catch-up requests): the token
	 * mappings whose token position lies in the ring range [lo, hi]
	 * (inclusive; wrapping when lo > hi) in ring order from lo (by
	 * position - lo, then by the full id), those after *after in that
	 * order (NULL or zero: from the start), at most max of them, into
	 * tokens[] and blocks[].  Returns how many were written; fewer than
	 * max means there are no more.  Cannot fail. */
	size_t (*xtoken_scan)(void *impl, uint64_t lo, uint64_t hi, const ec_id *after,
	                      ec_id *tokens, ec_id *blocks, size_t max);
	/* Optional (NULL: the node cannot answer storage audits): the mapping
	 * with the smallest token >= *x (up) or the largest token <= *x (not
	 * up), without wrapping round the ring: true, with it in *token and
	 * *block, or false when there is none.  Cannot fail. */
	bool (*xtoken_near)(void *impl, const ec_id *x, bool up, ec_id *token, ec_id *block);
	/* Optional (NULL: a yes vote is remembered only while its pool entry
	 * lives, which a crash ends): the record of this node's yes vote for
	 * (token, parent).  A node records its yes here (xvote_put) before the
	 * vote is queued, and after a restart backs no other block for the
	 * same (token, parent) until the record's submitter acknowledges a
	 * withdrawal (safety.c), so that a daemon that makes each tick's writes
	 * durable before its messages leave can never send two conflicting yes
	 * votes, crash or not.  xvote_get: true with *rec if there is a
	 * record.  xvote_put overwrites; a record with a zero block is a freed
	 * one.  Errors: as xtoken_put. */
	bool (*xvote_get)(void *impl, const ec_id *token, const ec_id *parent, ecp_xvote *rec);
	ec_err (*xvote_put)(void *impl, const ec_id *token, const ec_id *parent,
	                    const ecp_xvote *rec);
} ecp_store_ops;

/* The ec operations of a store. */
static inline const ecp_store_ops *
ecp_store(const ec_store *s)
{
	return (const ecp_store_ops *)s->ops;
}

/* Returns the bytes of one item on the wire: its canonical encoding
 * (docs/wire.md).  Cannot fail. */
uint64_t ecp_item_wire_size(const ecp_item *it);

/* Builds an unsigned ec block for a transaction (ids expanded with
 * ec_id_expand; the block id is its content hash, so it is not t->id).
 * Only creates pass the lifecycle check unsigned: wallets sign (ec_txn
 * .block).  Cannot fail.
 * Out: out: must hold ecp_block_size(t->used) bytes, t->used in
 *      1..ECP_MAX_PARTS. */
void ecp_block_from_txn(const ec_txn *t, ecp_block *out);

/* The ec protocol's table (ec/protocol.h).  What its calls return:
 *
 * node_init  EC_EINVAL if the config fails ecp_config_check (nothing is
 *            allocated; node_fini accepts the storage).  Never EC_ENOMEM.
 * set_peers  EC_EINVAL if the ids are not strictly ascending, EC_ERANGE
 *            if there are more than UINT32_MAX, EC_ENOMEM; the peer list
 *            is then unchanged.  Call it before the node handles or
 *            submits anything: every block's windows are computed from the
 *            peers when the block arrives, and are never recomputed.
 * submit     EC_EINVAL if txn has no part or more than ECP_MAX_PARTS, a
 *            wallet block whose nparts is not txn->used, or ctx->intern is
 *            NULL: nothing changed.  EC_ENOMEM: the pool may hold the
 *            block half set up (without its body, or with part of its
 *            first wave queued); submitting the transaction again
 *            completes it (and sends the first wave again).
 * handle     EC_ENOMEM, or an error of the store's xblock_put/xtoken_put
 *            (a certificate's commit).  The envelope's items after the one
 *            that failed are not handled; the driver may deliver the
 *            envelope again (handling an item twice changes nothing more,
 *            though an answer may go out twice) or drop it.
 * tick       EC_ENOMEM, an error of the store's writes (a commit), or the
 *            first error of ctx->send.  The clock has advanced; the work
 *            the tick did not reach stays due, for the next tick.  After a
 *            send error the whole outbox is kept, so the next tick sends
 *            again the envelopes the sink had already accepted (the
 *            protocol tolerates duplicates).  Two losses are not made up
 *            for: a vote being cast when memory ran out is not sent, and
 *            a submitter whose commit failed tries again only when the
 *            block's votes change.
 * wake_at    exact for what a tick acts on at a time (tally, vote, poll,
 *            drop); a node with an entry whose drop a standing yes holds,
 *            or a member waiting for a parent fetch or a withdrawal to be
 *            answered, wakes every tick, and so does every node of an open
 *            network (heartbeats and timeouts).
 * open       ec_open_ops (docs/open-network.md): join, leave, status and
 *            address.  join: EC_EINVAL (no claim, an unknown kind, admit
 *            parameters ec_identity_params_check refuses, or no
 *            ctx->intern): nothing changed; EC_ENOMEM, ctx->send's: the
 *            node is consistent but partly joined, and may be joined
 *            again or released.
 *            A node that is not ready (catching up) abstains, and holds
 *            what it is asked to submit until it is ready.
 * The other calls cannot fail.  The simulator stops its run at the first
 * error; a daemon may free memory and carry on. */
extern const ec_protocol ec_protocol_ec;
/* Its tables for drivers (also reachable as ec_protocol_ec.msg, .workload). */
extern const ec_msg_ops ecp_msg_ops;
extern const ec_workload_ops ecp_workload_ops;
extern const ec_proto_config ecp_config_ops;
extern const ec_open_ops ecp_open_ops;
/* Its Byzantine nodes, for experiments (ec/adversary.h). */
extern const struct ec_adversary_ops ecp_adversary_ops;

/* Test and driver hooks. */
/* Returns the window [low, high] of a node (self, peers) around key: the
 * w nearest below and the w+1 nearest at or above, among the peers and
 * self; the whole ring ({key + 1, key}) when the list is too short.
 * Cannot fail.  In: peers: sorted; borrowed for the call. */
ec_range ecp_window(const ec_peers *peers, uint64_t self, uint64_t key, uint32_t w);

/* The challenge point of an AUDIT from requester to responder (ring
 * positions): ec_sp_challenge over their expanded ids, a->nonce and
 * a->round, with its position folded into [a->lo, a->hi] (uniformly but
 * for a bias below 2^-64 x the range).  Both ends derive it; the
 * responder cannot choose it.  Cannot fail. */
void ecp_audit_point(uint64_t requester, uint64_t responder, const ecp_audit *a, ec_id *point);

#endif
