/* SPDX-License-Identifier: MIT */
/*
 * The ec protocol node's internals (ec/ecp.h, docs/ec-protocol.md), shared
 * by its modules and by nothing else:
 *
 *   node.c    the ec_protocol table: init, fini, peers, submit, committed
 *   pool.c    the entry pool: one entry per block the node follows
 *   route.c   where messages go: routing, spreading, answers, the outbox
 *   safety.c  the safety rule: judging, exclusive votes, tallying,
 *             committing, certificates, repair
 *   handle.c  delivered messages: they only record (and answer)
 *   timers.c  the tick: votes, polls, forgetting, and wake_at
 *   adversary.c  a Byzantine node's vote and outbox (experiments only)
 *   witness.c the witness rule: witness ids derived from what is spent
 *   conviction.c signed votes, double-vote proofs and convictions
 *   agreement.c agreement scoring (the seed's echo chamber, measured)
 *
 * Per block a node keeps one pool entry: the block (once known), the votes
 * it has heard, the peers interested in its outcome (the trail), and a few
 * flags per role.  handle() only records; everything a node sends goes to
 * its outbox and leaves at the end of tick() as one envelope per receiver.
 * Votes are cast in tick(), highest block id first, so that of two
 * conflicting blocks that arrive in the same round the higher gets the yes.
 *
 * Functions shared between the modules are prefixed ecp__ (internal, not
 * API).  The small ones on hot paths are static inline here, as they were
 * static in one file before the split.
 *
 * Errors: every ec_err below is EC_OK, EC_ENOMEM (ctx->realloc_fn or
 * ctx->intern returned NULL), or an error passed on from the store's
 * xblock_put/xtoken_put (or, in ecp__flush only, from ctx->send).  A failed
 * call leaves every array consistent with its count and capacity, so the
 * node can still be used or released; what the failed call was doing is
 * partly done (ec/ecp.h says what a driver does then).
 */
#ifndef EC_PROTO_EC_NODE_H
#define EC_PROTO_EC_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ec/ecp.h"

enum { ST_PENDING, ST_COMMITTED, ST_BLOCKED };

/* entry.mine: 0 someone else's block, 1 mine, MINE_HELD mine but not sent
 * yet (submitted while catching up: ecp__launch sends it when ready) */
enum { MINE_HELD = 2 };

/* per-role flags */
enum {
	RF_WANT = 1,    /* member: vote at the next tick */
	RF_VOTED = 2,   /* member: voted */
	RF_YES = 4,     /* my vote was yes (exclusive votes check this) */
	RF_SPREAD = 8,  /* member: pass the block to my window when voting */
	RF_WAIT = 16,   /* member: parent unknown, fetching it */
	RF_ROUTED = 32, /* relay: forwarded towards the role */
	RF_WDRAW = 64,  /* on a lower block: my yes withdrawal is under way */
	RF_CHECKED = 128, /* the part passed the lifecycle check against the
	                     parent I hold (signatures are checked once) */
};

typedef struct entry {
	ec_id id;
	const ecp_block *block; /* NULL until known; borrowed (ec/ecp.h) */
	uint64_t origin;        /* submitter position, 0: unknown */
	uint64_t created, next_poll, done_at, fetch_at, routed_at, spread_at, wd_at;
	uint64_t ready_at;      /* mine: commit decided, waiting out the grace */
	uint64_t fetch_peer;
	uint32_t poll_gap;
	uint8_t state, mine, dirty, fetch_tries;
	ecp_vote *votes;
	ecp_vsig *vsig; /* signed votes only: votes[i]'s signature (zero: none),
	                   for i < nvotes; NULL until a signed vote comes */
	uint32_t nvotes, vcap, scap;
	uint64_t *interest;
	uint32_t ni, icap;
	uint8_t *rf; /* nroles flags, index nparts the witness: after win[] when
	                there are more than RF_INLINE roles, else unused (rfi) */
	ec_range *win; /* my window around each role's key (peers never change) */
	uint32_t nroles;
	uint8_t rfi[4]; /* the flags of up to RF_INLINE roles, in the entry: the
	                   tick reads them for every entry */
	/* open networks, my block: the nodes near its keys that window
	 * reports named, and when (safety.c, "Open networks") */
	struct ecp_seen *seen;
	uint32_t nseen, seencap;
	uint64_t confirm_at; /* mine: a window confirmation is under way until */
} entry;

/* A node near one of my block's keys, named by a window report at `at`. */
typedef struct ecp_seen {
	uint64_t id, at;
} ecp_seen;

/* Window reports older than this many rounds do not confirm a commit. */
#define ECP_REPORT_FRESH 8u
/* At most this many reported nodes are kept per block (the oldest go). */
#define ECP_SEEN_MAX 64u

#define RF_INLINE 4u
/* An entry's role flags (read and written through this). */
#define RF(e) ((e)->nroles <= RF_INLINE ? (e)->rfi : (e)->rf)

typedef struct outmsg {
	uint64_t to;
	ecp_item item;
	ecp_vsig sig; /* VOTE, BLOCK: the vote's signature when item.vsig is
	                 set (flush points item.vsig here: the outbox moves
	                 as it grows) */
} outmsg;

/* What every handle and tick reads comes first (a million nodes' state is
 * mostly cache misses); the full 256-bit id is ec_id_expand(pos). */
typedef struct ecp_node {
	uint64_t pos, now;
	entry *pool;
	uint32_t npool, poolcap;
	outmsg *out;
	uint32_t nout, outcap;
	uint32_t stamp; /* 2 x the sender's clock of the envelope being handled */
	uint32_t lat16; /* 16 x the commit latency this node observes (moving
	                   average): the first poll waits for 1.5 times it */
	ec_peers peers;
	/* the ring span [pos - near_dn, pos + near_up] over which this node
	 * assumes its peers are all the nodes there are (its nearest peers) */
	uint64_t near_dn, near_up;
	ecp_config cfg;
	struct ecp_member *m; /* open networks only (member.h); NULL: static */
	const struct ec_adversary *adv; /* a Byzantine node's (adversary.c);
	                                   NULL: honest */
	/* ECP_DEF_CONVICT: the proofs against the voters I convicted, ascending
	 * by voter (interned bodies; conviction.c) */
	const ecp_accuse **conv;
	uint32_t nconv, convcap;
	/* ECP_DEF_AGREE: the voters I scored, ascending by id (conviction.c) */
	struct ecp_score *score;
	uint32_t nscore, scorecap;
	uint32_t nout_scored; /* of them, struck out */
} ecp_node;

/* Agreement scoring: one voter's record. */
typedef struct ecp_score {
	uint64_t id;
	uint16_t agree, disagree;
	uint8_t out; /* struck: its votes count no more */
} ecp_score;

/* ---- small helpers (static inline: on hot paths) ---------------------- */

/* Rounds before the first poll of a block: never before poll_first, and
 * not before a commit would normally have arrived (a network ten times
 * larger needs a few more hops; polling earlier only repeats the wave). */
static inline uint64_t
first_poll(const ecp_node *n)
{
	uint64_t est = (uint64_t)n->lat16 * 3 / 32;
	return est > n->cfg.poll_first ? est : n->cfg.poll_first;
}

/* Yes votes a token role needs (0 in the config: w+1, a majority). */
static inline uint32_t
quorum(const ecp_node *n)
{
	return n->cfg.quorum ? n->cfg.quorum : n->cfg.window + 1;
}

static inline uint64_t
ring_dist(uint64_t a, uint64_t b)
{
	uint64_t d = a - b, e = b - a;
	return d < e ? d : e;
}

/* Role r of block b (0..nparts-1 its parts, nparts the witness): the key
 * it sits around, its code on the wire, and back from a code to r (a code
 * from a peer may name no role of b: callers check r < nroles). */
static inline uint64_t
role_key(const ecp_block *b, uint32_t r)
{
	return r < b->nparts ? ec_id_pos(&b->parts[r].token) : ec_id_pos(&b->id);
}

static inline uint16_t
role_code(const ecp_block *b, uint32_t r)
{
	return r < b->nparts ? (uint16_t)r : ECP_ROLE_WITNESS;
}

static inline uint32_t
role_index(const ecp_block *b, uint16_t code)
{
	return code == ECP_ROLE_WITNESS ? b->nparts : code;
}

/* Reports an event for observation (never feeds back into consensus). */
static inline void
emit(const ec_ctx *ctx, const ecp_node *n, ec_event ev, const ec_id *id, uint64_t arg)
{
	if (ctx->event)
		ctx->event(ctx->event_user, n->pos, ev, ec_id_pos(id), arg);
}

/* Whether this node's view of the window w is the true one: the window
 * lies inside the span where its peers are its nearest nodes. */
static inline bool
knows_window(const ecp_node *n, ec_range w)
{
	uint64_t base = n->pos - n->near_dn, span = n->near_dn + n->near_up;
	uint64_t lo = w.low - base, hi = w.high - base;
	return lo <= span && hi <= span && lo <= hi;
}

/* Binary search in an array of n elements of `stride` bytes, ascending by
 * the uint64_t id each starts with: the index of id, or where it would go
 * (*found false).  The peer table (member.c) and the agreement scores use
 * it. */
static inline uint32_t
id_search(const void *base, uint32_t n, size_t stride, uint64_t id, bool *found)
{
	const unsigned char *b = base;
	uint32_t lo = 0, hi = n;
	uint64_t v = 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		memcpy(&v, b + (size_t)mid * stride, sizeof v);
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n)
		memcpy(&v, b + (size_t)lo * stride, sizeof v);
	*found = lo < n && v == id;
	return lo;
}

/* Makes room for `need` elements of `elem` bytes in *v (capacity *cap,
 * doubled from 4).  False when the allocation failed: *v and *cap are
 * then unchanged. */
static inline bool
grow(const ec_ctx *ctx, void **v, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint32_t ncap = *cap ? *cap : 4;
	while (ncap < need)
		ncap *= 2;
	void *p = ctx->realloc_fn(ctx->alloc_user, *v, *cap * elem, (size_t)ncap * elem);
	if (!p)
		return false;
	*v = p;
	*cap = ncap;
	return true;
}

/* The pool entry of block id, or NULL.  The pointer is valid until the
 * pool next grows (ecp__entry_get) or is compacted (the tick). */
static inline entry *
find(ecp_node *n, const ec_id *id)
{
	for (uint32_t i = 0; i < n->npool; i++)
		if (n->pool[i].id.w[0] == id->w[0] && ec_id_eq(&n->pool[i].id, id))
			return &n->pool[i];
	return NULL;
}

/* Queues item *it (copied; the bodies it points to are borrowed, ec/ecp.h)
 * for `to` in the outbox, which leaves at the end of the tick (ecp__flush).
 * Nothing is queued for the node itself.  EC_ENOMEM: nothing queued. */
static inline ec_err
send_item(ecp_node *n, const ec_ctx *ctx, uint64_t to, const ecp_item *it)
{
	if (to == n->pos)
		return EC_OK;
	if (!grow(ctx, (void **)&n->out, &n->outcap, n->nout + 1, sizeof *n->out))
		return EC_ENOMEM;
	n->out[n->nout++] = (outmsg){.to = to, .item = *it};
	return EC_OK;
}

/* send_item for a VOTE or BLOCK item carrying a vote, with the vote's
 * signature (NULL: unsigned). */
static inline ec_err
send_signed(ecp_node *n, const ec_ctx *ctx, uint64_t to, const ecp_item *it,
            const ecp_vsig *sig)
{
	if (to == n->pos)
		return EC_OK;
	if (!grow(ctx, (void **)&n->out, &n->outcap, n->nout + 1, sizeof *n->out))
		return EC_ENOMEM;
	outmsg *o = &n->out[n->nout++];
	o->to = to;
	o->item = *it;
	o->item.vsig = NULL;
	if (sig) {
		o->sig = *sig;
		o->item.vsig = &o->sig; /* repointed by ecp__flush */
	}
	return EC_OK;
}

/* ---- pool.c: the entry pool ------------------------------------------- */

/* Finds or creates the entry of block id (a new one: pending, no block,
 * created now, first poll scheduled).  *out points into n->pool: other
 * entry pointers are invalid after a call that created one.
 * Errors: EC_ENOMEM (the pool is unchanged). */
ec_err ecp__entry_get(ecp_node *n, const ec_ctx *ctx, const ec_id *id, entry **out);

/* Attaches body b to e if e has none yet and b is this block, canonical
 * and its id its content hash (anything else is reported as EC_EV_REJECT
 * evidence and ignored: EC_OK, no block).  Sizes the role flags and
 * computes my window around every role's key.  b is borrowed for as long
 * as the node lives (ec/ecp.h).  Errors: EC_ENOMEM (e is unchanged). */
ec_err ecp__entry_set_block(const ecp_node *n, const ec_ctx *ctx, entry *e, const ecp_block *b);

/* Whether I am a member of role r of e by my view now (open networks,
 * whose views change after a block's windows were computed), and by it
 * then (e->win). */
static inline bool
member_now(const ecp_node *n, const entry *e, uint32_t r)
{
	return ec_range_contains(ecp_window(&n->peers, n->pos, role_key(e->block, r), n->cfg.window),
	                         n->pos);
}

/* Whether body b is canonical and its id its content hash (memoised per
 * body); a body that is not is reported as EC_EV_REJECT evidence. */
bool ecp__body_ok(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b);

/* Adds `who` to e's interest trail (the nodes told the outcome), once.
 * Errors: EC_ENOMEM (the trail is unchanged). */
ec_err ecp__add_interest(const ec_ctx *ctx, entry *e, uint64_t who);

/* Records that a window report named `who` at clock `at` (once per node,
 * the latest time kept; beyond ECP_SEEN_MAX the oldest report goes).
 * Errors: EC_ENOMEM (the list is unchanged). */
ec_err ecp__add_seen(const ec_ctx *ctx, entry *e, uint64_t who, uint64_t at);

/* Records voter's vote on role (a code: part index or ECP_ROLE_WITNESS),
 * with its signature sig (NULL: none), unless a vote with a later stamp is
 * already recorded; marks e dirty when the count may have changed.
 * Errors: EC_ENOMEM (votes unchanged). */
ec_err ecp__add_vote(const ec_ctx *ctx, entry *e, uint64_t voter, uint16_t role, int8_t value,
                     uint32_t stamp, const ecp_vsig *sig);

/* Releases what e owns (never its block, which is borrowed) and zeroes it.
 * Static inline: the tick forgets entries by the thousand. */
static inline void
entry_free(const ec_ctx *ctx, entry *e)
{
	if (e->votes)
		ctx->realloc_fn(ctx->alloc_user, e->votes, e->vcap * sizeof *e->votes, 0);
	if (e->vsig)
		ctx->realloc_fn(ctx->alloc_user, e->vsig, e->scap * sizeof *e->vsig, 0);
	if (e->interest)
		ctx->realloc_fn(ctx->alloc_user, e->interest, e->icap * sizeof *e->interest, 0);
	if (e->seen)
		ctx->realloc_fn(ctx->alloc_user, e->seen, e->seencap * sizeof *e->seen, 0);
	if (e->win) /* the role flags share its allocation beyond RF_INLINE roles */
		ctx->realloc_fn(ctx->alloc_user, e->win,
		                e->nroles * (sizeof *e->win + (e->nroles > RF_INLINE ? 1u : 0u)), 0);
	memset(e, 0, sizeof *e);
}

/* Sends the first wave of my block e (its windows recomputed first if it
 * was held) and schedules its first poll.  Errors: EC_ENOMEM. */
ec_err ecp__launch(ecp_node *n, const ec_ctx *ctx, entry *e);

/* ---- route.c: where messages go --------------------------------------- */

/* These only queue items in the outbox (send_item), ecp__flush aside.
 * Errors: EC_ENOMEM; what was queued before stays queued. */

/* Sends a first-wave copy of e's block for role r towards the role's key
 * (a node that knows the window sends it to the whole window).  hops: the
 * hops so far; limit: UINT64_MAX at the submitter, else the relay's own
 * distance to the key (only strictly nearer peers get it); skip: peers
 * passed over, to rotate on re-polls; poll: ECP_F_POLL or 0. */
ec_err ecp__route(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, uint16_t hops,
                  uint64_t limit, uint32_t skip, uint8_t poll);

/* Sends e's block with my vote `value` (0: none) on role r to every peer
 * in my window around the role's key, with the given ECP_F_* flags. */
ec_err ecp__spread_to(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, int8_t value,
                      uint8_t flags);

/* ecp__spread_to marked covered: the members need not pass it on. */
static inline ec_err
spread(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, int8_t value, uint8_t poll)
{
	return ecp__spread_to(n, ctx, e, r, value, (uint8_t)(ECP_F_COVERED | poll));
}

/* Sends `to` the committed block id with its certificate if my store has
 * it; *found (may be NULL) says whether it did. */
ec_err ecp__send_stored(ecp_node *n, const ec_ctx *ctx, uint64_t to, const ec_id *id,
                        bool *found);

/* Tells `to` the outcome of decided entry e: COMMIT with the stored
 * certificate, or BLOCKED naming role. */
ec_err ecp__send_terminal(ecp_node *n, const ec_ctx *ctx, const entry *e, uint64_t to,
                          uint16_t role);

/* ecp__send_terminal to every node on e's interest trail. */
ec_err ecp__push_all(ecp_node *n, const ec_ctx *ctx, entry *e, uint16_t role);

/* Asks a peer for the committed parent of part r of e: first the yes
 * voter that sent the block, then the fellow members nearest the token,
 * one per attempt; schedules the next attempt a cooldown later. */
ec_err ecp__fetch_parent(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r);

/* Sends the outbox, one envelope per receiver in the order queued, and
 * releases it.  Errors: EC_ENOMEM, or the first error of ctx->send; the
 * outbox is then kept whole, including what the sink already accepted. */
ec_err ecp__flush(ecp_node *n, const ec_ctx *ctx);

/* ---- safety.c: the safety rule ---------------------------------------- */

/* Casts my vote on role r of e (I am a member; RF_WANT or RF_WAIT set):
 * judges it, records it (a yes is exclusive), passes the block to my
 * window if I was its first member on this path, and tells the origin; or
 * keeps waiting for a parent fetch or a withdrawal.  Errors: EC_ENOMEM
 * (once RF_VOTED is set, the vote is not cast again). */
ec_err ecp__vote(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r);

/* Recounts the votes e holds and commits (a submitter) or blocks it;
 * clears e->dirty.  Errors: EC_ENOMEM, or the store's write errors; e
 * stays pending if the commit failed before it was marked committed. */
ec_err ecp__tally(ecp_node *n, const ec_ctx *ctx, entry *e);

/* Open networks, my pending block e: asks for a window report on each
 * token role one yes vote short of its quorum, or past it, whose last
 * report is more than ECP_REPORT_FRESH / 2 rounds old, so that a fresh
 * one is there when the votes are (at most once per that many rounds).
 * Nothing for other entries.  Errors: ctx's, from sending. */
ec_err ecp__confirm_ahead(ecp_node *n, const ec_ctx *ctx, entry *e);

/* Commits e on a certificate from a peer (borrowed, as its block) if the
 * certificate convinces me and every part I can check passes; else does
 * nothing (EC_OK).  e has its block; a blocked e may still commit.
 * Errors: as ecp__tally. */
ec_err ecp__commit_on_cert(ecp_node *n, const ec_ctx *ctx, entry *e, const ecp_cert *cert);

/* Whether certificate c holds a quorum of distinct yes voters on part r,
 * wherever they sit (catchup.c says why open networks need this). */
bool ecp__cert_quorum(const ecp_node *n, const ecp_cert *c, uint32_t r);

/* Frees the store's record of my yes on part r of e (ecp_store_ops
 * .xvote_put), once the yes is taken back; a no-op without those ops or
 * when the record names another block.  Errors: the store's. */
ec_err ecp__unreserve(const ec_ctx *ctx, const entry *e, uint32_t r);

/* The submitter of `block`, which my pool no longer holds, acknowledged my
 * withdrawal of a yes the store recorded before a crash: frees the records
 * naming it that my waiting entries ran into (safety.c,
 * recorded_elsewhere), so they may vote.  Errors: the store's. */
ec_err ecp__unrecord(ecp_node *n, const ec_ctx *ctx, const ec_id *block);

/* Whether e holds a yes of mine that could still count at its submitter,
 * so that the entry must stay to keep that vote exclusive. */
bool ecp__holds_yes(const ec_ctx *ctx, const entry *e);

/* ---- handle.c, timers.c: the table's entry points (ec/protocol.h) ----- */

ec_err ecp__handle(void *node, const ec_ctx *ctx, const ec_msg *msg);
ec_err ecp__tick(void *node, const ec_ctx *ctx);
uint64_t ecp__wake_at(const void *node);

/* ---- adversary.c: Byzantine nodes (ec/adversary.h) ------------------- */

/* Whether an attached adversary decides my vote on role r of e (e has its
 * block): true with *v (+1, -1, or 0 to abstain), false to judge it
 * honestly. */
bool ecp__adv_vote(const ecp_node *n, const entry *e, uint32_t r, int8_t *v);

/* forge-cert: before my first vote on e, a made-up certificate for a block
 * the coalition backs goes to every peer in my windows around its roles.
 * Errors: EC_ENOMEM. */
ec_err ecp__adv_forge(ecp_node *n, const ec_ctx *ctx, entry *e);

/* Rewrites the outbox by the attached adversary (drops, altered votes,
 * signed again, eclipse's lists), just before it leaves.  Nothing to do
 * for an honest node.  Errors: EC_ENOMEM. */
ec_err ecp__adv_outbox(ecp_node *n, const ec_ctx *ctx);

/* eclipse.c: the eclipse behaviour's part of ecp__adv_outbox (open
 * networks): captured joins and lookups, lists of liars only, the flood.
 * Errors: EC_ENOMEM. */
ec_err ecp__adv_eclipse(ecp_node *n, const ec_ctx *ctx);

/* ---- witness.c: witness tokens the submitter cannot choose ----------- */

/* ec_workload_ops.witnesses (ecp_config.defences & ECP_DEF_WITNESS). */
void ecp__workload_witnesses(const void *config, const ec_sig_scheme *scheme,
                             ec_token_part *parts, const ec_id *parents,
                             const uint64_t *signers, uint32_t used, uint32_t real);

/* ---- conviction.c: signed votes and convictions ---------------------- */

static inline bool
signed_votes(const ecp_node *n)
{
	return (n->cfg.defences & ECP_DEF_SIGNED) != 0;
}

/* My signature of my vote `value` on role code of block b (zero without
 * ctx->vote_sign). */
void ecp__vote_sign(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b, uint16_t code,
                    int8_t value, ecp_vsig *out);

/* Whether sig is voter's valid signature of its vote `value` on role code
 * of b (false when its key is unknown or ctx has no scheme). */
bool ecp__vote_verify(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b, uint16_t code,
                      int8_t value, uint64_t voter, const ecp_vsig *sig);

/* My own recorded signature on role code of e (NULL: none). */
const ecp_vsig *ecp__my_sig(const ecp_node *n, const entry *e, uint16_t code);

/* Whether I convicted voter, or (agreement scoring) struck it out: its
 * votes do not count for me. */
bool ecp__convicted(const ecp_node *n, uint64_t voter);

/* Whether agreement scoring struck voter out (agreement.c). */
bool ecp__scored_out(const ecp_node *n, uint64_t voter);
/* Releases the agreement scores. */
void ecp__score_fini(ecp_node *n, const ec_ctx *ctx);

/* ECP_DEF_AGREE: block b's outcome is known to me (committed: won true;
 * lost to a committed twin: false): scores the voters whose votes on it
 * I recorded in (votes, n), mine aside.  Errors: EC_ENOMEM. */
ec_err ecp__score_outcome(ecp_node *n, const ec_ctx *ctx, const ecp_block *b,
                          const ecp_vote *votes, uint32_t nvotes, bool won);

/* The votes of cert that may count for me: a yes only with its voter's
 * valid signature (signed votes), nobody I convicted.  *out is cert
 * itself when every vote passes, else a copy the caller frees with
 * ecp__cert_release.  Errors: EC_ENOMEM. */
ec_err ecp__cert_filter(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b,
                        const ecp_cert *cert, const ecp_cert **out);
void ecp__cert_release(const ec_ctx *ctx, const ecp_cert *given, const ecp_cert *made);

/* ECP_DEF_CONVICT: e's vote k (a signed yes) against the other signed yes
 * votes of the same voter on the same (token, parent) in my pool, and a
 * certificate cert of block b against e's (either may be absent): each
 * double vote found convicts its voter.  Errors: EC_ENOMEM, ctx's. */
ec_err ecp__catch_vote(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t k);
ec_err ecp__catch_cert(ecp_node *n, const ec_ctx *ctx, const ecp_block *a,
                       const ecp_cert *ca, const ecp_block *b, const ecp_cert *cb);
/* The same, certificate ca of block a against the votes pool entry o
 * recorded. */
ec_err ecp__catch_entry(ecp_node *n, const ec_ctx *ctx, const ecp_block *a,
                        const ecp_cert *ca, const entry *o);

/* An ACCUSE from a peer: convicts its voter if the proof checks. */
ec_err ecp__on_accuse(ecp_node *n, const ec_ctx *ctx, const ecp_item *it);

/* Sends `to` the proofs against the voters I convicted in my window w:
 * the submitter I vote for must not count them.  Errors: EC_ENOMEM. */
ec_err ecp__tell_convicted(ecp_node *n, const ec_ctx *ctx, ec_range w, uint64_t to);

/* Releases the conviction list. */
void ecp__conv_fini(ecp_node *n, const ec_ctx *ctx);

#endif
