/* SPDX-License-Identifier: MIT */
/*
 * The safety rule of the ec protocol (docs/ec-protocol.md, "The commit
 * rule" and "Conflicts"): how a node votes, when it commits, and why two
 * conflicting blocks (spending the same token from the same parent) cannot
 * both commit.  Everything else in the node is about getting messages to
 * the right nodes in time; only this file decides.
 *
 * Voting (judge, vote).  A member of a token role votes yes when the
 * token's current block in its store is the part's parent and the part
 * passes the lifecycle check against it (check_part: the parent named the
 * signer's key, the signature verifies), and it holds no yes for another
 * block with the same (token, parent).  That yes is exclusive: to back a
 * higher conflicting block it first takes the lower yes back at the lower
 * block's submitter and waits for the acknowledgement (withdraw); while a
 * yes of mine could still count there, my entry stays (ecp__holds_yes) so
 * that I cannot forget it.  Otherwise it votes no, or waits for a parent
 * fetch when it may have missed the parent's commit.  Witnesses vote yes
 * on any well-formed block.
 *
 * Committing (decide, ecp__tally, ecp__commit_on_cert, commit).  Only the
 * block's submitter commits on votes: every token role needs, among the
 * voters in the submitter's own window around the token (2w+1 nodes), a
 * net balance above the threshold and a quorum of yes votes; the witness
 * role needs more yes votes than the threshold.  With a grace it waits
 * that many more rounds with the decision standing.  Any other node
 * commits only on the submitter's certificate (the votes it counted),
 * judged on its own against windows twice as wide, and only if every part
 * whose parent it holds as the token's current block passes the check.
 * A quorum of no votes, or a balance below minus the threshold, blocks the
 * block; blocking is local and a later certificate outranks it.
 *
 * Why two conflicting blocks A < B cannot both commit, assuming (1) the
 * quorum is a majority of the 2w+1 members (the default w+1), (2) every
 * node's view of its own neighbourhood is exact (the bounded-degree
 * topologies give that), so a node takes itself for a member only if it is
 * one of the 2w+1 nodes nearest the key, and (3) no node votes twice or
 * forges a vote.  A submitter's window, drawn from its peers, is never
 * narrower than the true one, so every yes it counts comes from those
 * 2w+1 nodes; each commit needs a majority of them, so some member M is
 * counted as yes for both.  M's yes for B is cast only
 * after A's submitter acknowledged M's withdrawal, which it records first
 * as a no with a later stamp (an older yes arriving late never overrides
 * it), so A cannot count M's yes afterwards; or after A's certificate
 * reached M, in which case M committed A and votes no on B (A's commit
 * blocks B, and B's parent is no longer the token's current block).
 * Members never commit on the votes they overhear: a voter may have taken
 * its yes back at the submitter meanwhile.  Where the assumptions fail
 * (dense random graphs with inexact views, Byzantine voters), the rule
 * gives no such guarantee; the simulator measures what happens
 * (conflict_* in --json).
 *
 * Open networks (tighten, confirmed).  A network that grows breaks
 * assumption (2): a node that has not yet heard of a joiner between it
 * and a key takes itself for a member, and while a block waits, its
 * token's window can change under it.  Measured at 100,000 nodes grown
 * from 1,000: the old window's yes votes for A, cast ten rounds before,
 * still made a quorum in the far submitter's wide window, while the new
 * window, never reached by A, committed B.  So a submitter of an open
 * network (a) counts a vote only inside its window narrowed by every node
 * it has heard of for that block: voters, nodes that asked for the
 * outcome, and window reports; and (b) commits only when a report on
 * each token role's window is at most ECP_REPORT_FRESH rounds old, or the
 * key lies in the span where its own peers are all the nodes there are.
 * Reports come free with the votes: the member where a first-wave or
 * re-poll copy enters the window sends the submitter its peers nearest
 * the key (a PEERS item whose target is the key); a submitter without a
 * fresh one asks with a FIND for the key.  The true members named in a
 * report push stale voters out of the narrowed window.  This narrows the
 * gap; it is not a proof: a report comes from a view that can itself be
 * short.  The simulator's safety check measures what is left.
 *
 * Repair (repair).  A member that never voted probably missed the block;
 * without the commit its token mapping goes stale and it would vote no on
 * the next transfer.  After a commit, the certificate's first voter of
 * each token role, when it knows that window exactly, sends the
 * certificate to the fellow members the certificate does not name.  Repair
 * only spreads a certificate; receivers judge it like any other.
 */
#include "proto/ec/member.h"
#include "proto/ec/node.h"

#include <string.h>

#include "ec/lifecycle.h"
#include "ec/wire.h"

/* ---- voting ----------------------------------------------------------- */

static void
reject(const ec_ctx *ctx, const ecp_node *n, const entry *e, ec_verdict v)
{
	if (ctx->event)
		ctx->event(ctx->event_user, n->pos, EC_EV_REJECT, ec_id_pos(&e->id), (uint64_t)v);
}

/* My yes stops mattering once the token moves past the parent: no block
 * with that parent can win any more. */
bool
ecp__holds_yes(const ec_ctx *ctx, const entry *e)
{
	for (uint32_t r = 0; e->block && r < e->block->nparts; r++) {
		if (!(RF(e)[r] & RF_YES))
			continue;
		ec_id cur = {{0, 0, 0, 0}};
		uint64_t t;
		(void)ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &e->block->parts[r].token, &cur, &t);
		if (ec_id_eq(&cur, &e->block->parts[r].parent))
			return true;
	}
	return false;
}

/* The undecided block that already has my yes vote for the same token and
 * parent, if any; *role is its part.  A block I blocked myself still
 * counts: only its submitter decides, and my yes stands there until it
 * acknowledges a withdrawal. */
static entry *
yes_elsewhere(ecp_node *n, const entry *self, const ecp_part *part, uint32_t *role)
{
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *e = &n->pool[i];
		if (e == self || !e->block || e->state == ST_COMMITTED)
			continue;
		for (uint32_t r = 0; r < e->block->nparts; r++)
			if ((RF(e)[r] & RF_YES) && ec_id_eq(&e->block->parts[r].token, &part->token) &&
			    ec_id_eq(&e->block->parts[r].parent, &part->parent)) {
				*role = r;
				return e;
			}
	}
	return NULL;
}

/* What a vote that is not cast yet waits for (judge). */
enum { WAIT_NONE, WAIT_FETCH, WAIT_WITHDRAW, WAIT_REFRESH };

/* Frees the store's record of my yes for part p's (token, parent) if it
 * names block (a no-op without the store's xvote ops, without a record,
 * or when it names another block).  Errors: the store's. */
static ec_err
free_record(const ec_ctx *ctx, const ecp_part *p, const ec_id *block)
{
	const ecp_store_ops *st = ecp_store(&ctx->store);
	ecp_xvote cur, none = {.known = true};
	if (!st->xvote_put || !st->xvote_get(ctx->store.impl, &p->token, &p->parent, &cur) ||
	    !ec_id_eq(&cur.block, block))
		return EC_OK;
	return st->xvote_put(ctx->store.impl, &p->token, &p->parent, &none);
}

/*
 * The store's record of a yes of mine for another block with part's
 * (token, parent) that no pool entry holds any more: a yes sent before a
 * crash (ecp_store_ops.xvote_get).  Its submitter may still count it, so
 * I back nothing else for that parent until the yes is taken back, by the
 * pool's rule: a higher block than the one I am judging keeps my yes (-1);
 * a lower one I withdraw from, asking the submitter the record names
 * (WITHDRAW, answered by WITHDRAWN or the certificate; on_withdrawn frees
 * the record), and wait (0, *why WAIT_WITHDRAW).  A yes on my own block,
 * or one that went to no known submitter, nobody can count any more: it
 * is freed at once (a committed one would have moved my mapping, and the
 * caller looks here only while the mapping is still the parent).  A record
 * without its submitter (an older store's) can never be taken back (-1).
 * Returns 1 when no such yes stands.  A yes that a pool entry still holds
 * is the pool's business (yes_elsewhere, withdraw).
 */
static int8_t
recorded_elsewhere(ecp_node *n, const ec_ctx *ctx, entry *self, const ecp_part *part, int *why,
                   ec_err *err)
{
	const ecp_store_ops *st = ecp_store(&ctx->store);
	ecp_xvote x;
	if (!st->xvote_get || !st->xvote_get(ctx->store.impl, &part->token, &part->parent, &x) ||
	    ec_id_is_zero(&x.block) || ec_id_eq(&x.block, &self->id))
		return 1;
	const entry *e = find(n, &x.block);
	if (e && e->block)
		for (uint32_t r = 0; r < e->block->nparts; r++)
			if (ec_id_eq(&e->block->parts[r].token, &part->token) && (RF(e)[r] & RF_YES))
				return 1;
	if (!x.known || ec_id_cmp(&x.block, &self->id) > 0 || signed_votes(n))
		return -1;
	if (!x.origin || x.origin == n->pos) {
		*err = free_record(ctx, part, &x.block);
		return 1;
	}
	*why = WAIT_WITHDRAW;
	if (n->now < self->wd_at) /* asked lately (self's timer: self holds no yes here) */
		return 0;
	self->wd_at = n->now + n->cfg.fetch_cooldown;
	ecp_item it = {.kind = ECP_WITHDRAW, .role = x.role, .block_id = x.block};
	*err = send_item(n, ctx, x.origin, &it);
	return 0;
}

ec_err
ecp__unrecord(ecp_node *n, const ec_ctx *ctx, const ec_id *block)
{
	/* the record is keyed by (token, parent), which the acknowledgement
	 * does not carry: the parts of the entries waiting on a withdrawal
	 * name them */
	for (uint32_t i = 0; i < n->npool; i++) {
		const entry *e = &n->pool[i];
		if (!e->block || e->state != ST_PENDING)
			continue;
		for (uint32_t r = 0; r < e->block->nparts; r++) {
			ec_err err;
			if ((RF(e)[r] & RF_WAIT) && (err = free_record(ctx, &e->block->parts[r], block)))
				return err;
		}
	}
	return EC_OK;
}

/* Frees the reservation of part r of e once my yes on it is taken back
 * (free_record). */
ec_err
ecp__unreserve(const ec_ctx *ctx, const entry *e, uint32_t r)
{
	return r < e->block->nparts ? free_record(ctx, &e->block->parts[r], &e->id) : EC_OK;
}

/* Takes my yes back from the lower block `low` so that I may vote for a
 * higher conflicting one: at once if the block is mine (or its submitter
 * is unknown, so my yes went nowhere), else by asking its submitter, whose
 * acknowledgement (or certificate, if it already committed) settles it.
 * Asks again after a cooldown while unanswered. */
static ec_err
withdraw(ecp_node *n, const ec_ctx *ctx, entry *low, uint32_t r)
{
	if (low->mine || !low->origin) {
		RF(low)[r] &= (uint8_t)~RF_YES;
		ec_err err = ecp__unreserve(ctx, low, r);
		if (err)
			return err;
		return ecp__add_vote(ctx, low, n->pos, role_code(low->block, r), -1,
		                     (uint32_t)(2 * n->now + 1), NULL);
	}
	if ((RF(low)[r] & RF_WDRAW) && n->now < low->wd_at)
		return EC_OK;
	if (!(RF(low)[r] & RF_WDRAW)) {
		/* from now on whatever I say about the lower block is a no (a
		 * re-poll must not repeat the yes with a later stamp); my yes
		 * stays reserved until the submitter acknowledges */
		ec_err err = ecp__add_vote(ctx, low, n->pos, role_code(low->block, r), -1,
		                           (uint32_t)(2 * n->now + 1), NULL);
		if (err)
			return err;
	}
	RF(low)[r] |= RF_WDRAW;
	low->wd_at = n->now + n->cfg.fetch_cooldown;
	ecp_item it = {.kind = ECP_WITHDRAW, .role = role_code(low->block, r), .block_id = low->id};
	return send_item(n, ctx, low->origin, &it);
}

/* Whether part r of e passes the lifecycle rules against the token's
 * current block, which the caller found to be the part's parent.  A pass
 * is kept (signatures are checked once); a failure is reported as
 * evidence. */
static bool
check_part(const ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r)
{
	if (RF(e)[r] & RF_CHECKED)
		return true;
	const ecp_part *part = &e->block->parts[r];
	const ecp_block *parent = NULL;
	if (!ec_id_is_zero(&part->parent))
		(void)ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &part->parent, &parent, NULL);
	ec_verdict v = EC_REJECT_BAD_SIG; /* no scheme: nothing signed passes */
	if (ctx->sig || ec_id_is_zero(&part->parent))
		v = ecp_part_check_memo(ctx->sig, e->block, r, parent,
		                        ctx->memo ? ctx->memo(ctx->memo_user, e->block) : NULL);
	if (v != EC_ACCEPT) {
		reject(ctx, n, e, v);
		return false;
	}
	RF(e)[r] |= RF_CHECKED;
	return true;
}

/* Under the witness rule, a member of a witness role (the block id's, or a
 * witness token's) checks the signatures of the block's spends, which it
 * can do without their parents: a block that names the owner's key to get
 * the owner's witnesses must be the owner's. */
static bool
witness_sigs_ok(const ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r)
{
	const ecp_block *b = e->block;
	if (r < b->nparts && !(ec_id_is_zero(&b->parts[r].parent) &&
	                       ec_id_is_zero(&b->parts[r].next_key)))
		return true; /* a token window checks the whole lifecycle */
	ec_memo_byte *memo = ctx->memo ? ctx->memo(ctx->memo_user, b) : NULL;
	for (uint32_t p = 0; p < b->nparts; p++) {
		ec_verdict v = ecp_part_sig_memo(ctx->sig, b, p, memo);
		if (v != EC_ACCEPT) {
			reject(ctx, n, e, v);
			return false;
		}
	}
	return true;
}

/* My vote on role r of e: +1, -1, or 0 while waiting (*why says for what:
 * a parent fetch or a withdrawal; *err a failure to ask for the latter). */
static int8_t
judge(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r, int *why, ec_err *err)
{
	*why = WAIT_NONE;
	*err = EC_OK;
	if ((n->cfg.defences & ECP_DEF_WITNESS) &&
	    (ecp_witness_count(e->block) < n->cfg.witness_min || !ecp_witness_derived(e->block))) {
		/* too few witnesses, or ones the submitter chose: every member
		 * can tell, so none backs the block, on any role (a token window
		 * that backed it would only stall its honest twin) */
		reject(ctx, n, e, EC_REJECT_MALFORMED);
		return -1;
	}
	if ((n->cfg.defences & ECP_DEF_WITNESS) && !witness_sigs_ok(n, ctx, e, r))
		return -1;
	if (r == e->block->nparts)
		return 1; /* witness: the block is well formed */
	const ecp_part *part = &e->block->parts[r];
	if (e->state == ST_BLOCKED)
		return -1;
	ec_id cur = {{0, 0, 0, 0}};
	uint64_t t;
	(void)ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &part->token, &cur, &t);
	/* a part that breaks the lifecycle gets a no before it can touch the
	 * votes of a legitimate contender (exclusive yes votes) */
	if (ec_id_eq(&cur, &part->parent) && !check_part(n, ctx, e, r))
		return -1;

	uint32_t lr;
	entry *other = yes_elsewhere(n, e, part, &lr);
	if (other) {
		if (ec_id_cmp(&other->id, &e->id) > 0 || signed_votes(n))
			return -1; /* I back the higher block already, or for good */
		*err = withdraw(n, ctx, other, lr);
		if (*err || (RF(other)[lr] & RF_YES)) {
			*why = WAIT_WITHDRAW;
			return 0;
		}
	}
	if (ec_id_eq(&cur, &part->parent)) {
		int8_t rec = recorded_elsewhere(n, ctx, e, part, why, err);
		if (rec < 1 || *err)
			return *err ? 0 : rec; /* a yes sent before a restart stands elsewhere */
		if (ec_id_is_zero(&cur) && ecp__catchup_settling(n)) {
			/* just caught up, and no mapping: my catch-up may have
			 * missed this token's create (measured at 100,000 nodes
			 * grown from 1,000: yes votes on a create's twin in the
			 * round the voter became ready); the first refresh first */
			*why = WAIT_REFRESH;
			return 0;
		}
		return 1;
	}
	if (!ec_id_is_zero(&part->parent) &&
	    !ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &part->parent, NULL, NULL) &&
	    e->fetch_tries < 4 && e->fetch_peer) {
		*why = WAIT_FETCH; /* I may have missed the parent's commit: fetch it */
		return 0;
	}
	reject(ctx, n, e, EC_REJECT_STALE);
	return -1;
}

/* EC_EV_VOTE_CAST (open networks: drivers check it against the stale view
 * rule), with the time of the mapping the vote was judged against. */
static void
vote_cast(const ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, int8_t v)
{
	if (!ctx->event)
		return;
	uint64_t arg = role_code(e->block, r) | (uint64_t)(v > 0) << 16;
	ec_id cur;
	uint64_t t;
	if (r < e->block->nparts &&
	    ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &e->block->parts[r].token, &cur, &t))
		arg |= (t + 1) << 24;
	ctx->event(ctx->event_user, n->pos, EC_EV_VOTE_CAST, ec_id_pos(&e->id), arg);
}

static ec_err cast(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r, int8_t v);

ec_err
ecp__vote(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r)
{
	int why;
	ec_err err;
	if (n->m && !member_now(n, e, r)) {
		/* my view filled in since the block came (a joiner's does): I
		 * am no longer a member of this role, so I do not vote */
		RF(e)[r] &= (uint8_t)~(RF_WANT | RF_WAIT | RF_SPREAD);
		return EC_OK;
	}
	if (n->m && !n->m->ready) {
		/* catching up: my store may be stale, so I abstain (the vote stays
		 * wanted for when I am ready); the window still gets the block */
		if (!(RF(e)[r] & RF_SPREAD))
			return EC_OK;
		RF(e)[r] &= (uint8_t)~RF_SPREAD;
		e->spread_at = n->now;
		return spread(n, ctx, e, r, 0, 0);
	}
	int8_t v;
	if (n->adv && (err = ecp__adv_forge(n, ctx, e)))
		return err;
	if (n->adv && ecp__adv_vote(n, e, r, &v)) {
		if (v == 0) { /* abstains, and never looks at it again */
			RF(e)[r] = (uint8_t)((RF(e)[r] & ~(RF_WANT | RF_WAIT | RF_SPREAD)) | RF_VOTED);
			return EC_OK;
		}
		return cast(n, ctx, e, r, v);
	}
	v = judge(n, ctx, e, r, &why, &err);
	if (err)
		return err;
	if ((RF(e)[r] & RF_SPREAD) && v == 0) {
		/* the window must not wait for my parent fetch */
		RF(e)[r] &= (uint8_t)~RF_SPREAD;
		e->spread_at = n->now;
		if ((err = spread(n, ctx, e, r, 0, 0)))
			return err;
	}
	if (v == 0) {
		RF(e)[r] |= RF_WAIT;
		if (why == WAIT_FETCH && n->now >= e->fetch_at)
			return ecp__fetch_parent(n, ctx, e, r);
		return EC_OK;
	}
	/* A yes is recorded in the store first (a driver makes the record
	 * durable before the vote leaves), so that it stays exclusive across
	 * a crash (reserved_elsewhere) */
	const ecp_store_ops *st = ecp_store(&ctx->store);
	if (v > 0 && r < e->block->nparts && st->xvote_put) {
		ecp_xvote x = {.block = e->id, .origin = e->mine ? n->pos : e->origin,
		               .role = role_code(e->block, r), .known = true};
		if ((err = st->xvote_put(ctx->store.impl, &e->block->parts[r].token,
		                         &e->block->parts[r].parent, &x)))
			return err;
	}
	return cast(n, ctx, e, r, v);
}

/* Casts my vote v on role r of e: records it, tells my window when I am
 * to spread the block, and sends it to the submitter. */
static ec_err
cast(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r, int8_t v)
{
	ec_err err;
	uint16_t code = role_code(e->block, r);
	/* RF_YES is what makes the yes exclusive (yes_elsewhere) */
	RF(e)[r] = (uint8_t)((RF(e)[r] & ~(RF_WANT | RF_WAIT)) | RF_VOTED | (v > 0 ? RF_YES : 0));
	emit(ctx, n, r == e->block->nparts ? EC_EV_VOTE_REQ_WITNESS : EC_EV_VOTE_REQ_TOKEN, &e->id,
	     (uint64_t)(v > 0));
	if (n->m)
		vote_cast(n, ctx, e, r, v);
	ecp_vsig sig, *sp = NULL;
	if (signed_votes(n)) {
		ecp__vote_sign(n, ctx, e->block, code, v, &sig);
		sp = &sig;
	}
	if ((err = ecp__add_vote(ctx, e, n->pos, code, v, (uint32_t)(2 * n->now), sp)))
		return err;
	if (RF(e)[r] & RF_SPREAD) {
		RF(e)[r] &= (uint8_t)~RF_SPREAD;
		e->spread_at = n->now;
		if ((err = spread(n, ctx, e, r, v, 0)))
			return err;
	}
	if (e->origin && e->origin != n->pos) {
		ecp_item it = {.kind = ECP_VOTE, .value = v, .role = code, .block_id = e->id};
		if ((err = send_signed(n, ctx, e->origin, &it, sp)))
			return err;
		/* the submitter must not count the convicted of this window */
		if (n->nconv && (err = ecp__tell_convicted(n, ctx, e->win[r], e->origin)))
			return err;
	}
	return EC_OK;
}

/* ---- deciding --------------------------------------------------------- */

enum { DEC_OPEN, DEC_COMMIT, DEC_BLOCK };

#define TIGHT_MAX 128u

/* Sorts v[0..k) ascending and drops repeats; returns the new count. */
static uint32_t
sort_unique(uint64_t *v, uint32_t k)
{
	for (uint32_t i = 1; i < k; i++)
		for (uint32_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	uint32_t u = 0;
	for (uint32_t i = 0; i < k; i++)
		if (!u || v[i] != v[u - 1])
			v[u++] = v[i];
	return u;
}

/* Adds x's distance from key to the side of win it lies on. */
static void
tight_add(uint64_t key, uint64_t hi, uint64_t lo, uint64_t x, uint64_t *up, uint32_t *nup,
          uint64_t *dn, uint32_t *ndn)
{
	if (x - key <= hi) {
		if (*nup < TIGHT_MAX)
			up[(*nup)++] = x - key;
	} else if (key - x <= lo && *ndn < TIGHT_MAX) {
		dn[(*ndn)++] = key - x;
	}
}

/* My window win around key, narrowed by every node this block has told
 * me of: its voters (on any role), the nodes that asked me for its
 * outcome and the nodes window reports named (e->seen).  They are all nodes there are; the window is still the w+1
 * nearest at or above the key and the w nearest below, among my peers,
 * myself and them.  A submitter far from the key knows few nodes near it
 * and its own window is wide; a node near the key whose view misses a
 * joiner takes itself for a member (an open network that grows), and
 * such false members on both sides of the true window could make two
 * disjoint quorums.  The true members vote on both conflicting blocks,
 * or ask for the outcome while they catch up: once they have, the
 * narrowed window holds exactly them.  With exact views every voter is a
 * true member and the narrowed window still holds them all: counts, and
 * decisions, are unchanged. */
static ec_range
tighten(const ecp_node *n, const entry *e, uint64_t key, ec_range win)
{
	const uint32_t w = n->cfg.window, L = n->peers.len;
	if (win.low == key + 1 && win.high == key)
		return win; /* the whole ring: fewer peers than a window */
	const uint64_t hi = win.high - key, lo = key - win.low;
	uint64_t up[TIGHT_MAX], dn[TIGHT_MAX];
	uint32_t nup = 0, ndn = 0, i;
	(void)ec_peers_search(&n->peers, key, &i);
	for (uint32_t k = 0; k <= w && k < L; k++)
		tight_add(key, hi, lo, n->peers.ids[(i + k) % L], up, &nup, dn, &ndn);
	for (uint32_t k = 1; k <= w && k <= L; k++)
		tight_add(key, hi, lo, n->peers.ids[(i + L - k) % L], up, &nup, dn, &ndn);
	tight_add(key, hi, lo, n->pos, up, &nup, dn, &ndn);
	for (uint32_t v = 0; v < e->nvotes; v++)
		tight_add(key, hi, lo, e->votes[v].voter, up, &nup, dn, &ndn);
	for (uint32_t k = 0; k < e->ni; k++)
		tight_add(key, hi, lo, e->interest[k], up, &nup, dn, &ndn);
	for (uint32_t k = 0; k < e->nseen; k++)
		tight_add(key, hi, lo, e->seen[k].id, up, &nup, dn, &ndn);
	nup = sort_unique(up, nup);
	ndn = sort_unique(dn, ndn);
	return (ec_range){key - (ndn >= w ? dn[w - 1] : lo), key + (nup > w ? up[w] : hi)};
}

/* The decision a set of votes supports in my windows of half-width
 * `width` (the rule at the top of this file); *role is the blocking
 * role.  Votes on no role of the block are ignored. */
static int
decide(const ecp_node *n, const entry *e, const ecp_vote *votes, uint32_t nvotes, uint32_t width,
       uint16_t *role)
{
	const ecp_block *b = e->block;
	const int64_t thr = n->cfg.threshold, q = quorum(n);
	const bool final = signed_votes(n);
	/* one pass over the votes counts every role (role r's window, r in
	 * 0..nparts; the witness is r = nparts); then the roles are judged in
	 * order, as a pass per role would */
	ec_range wide[ECP_MAX_PARTS + 1];
	const ec_range *win = e->win;
	if (width != n->cfg.window) {
		/* signed votes: where my view of a window is exact, a certificate
		 * counts there only (a wider span would let the yes votes a
		 * coalition signs for itself around the key make a quorum:
		 * measured, forged certificates at 20 % of the nodes committed
		 * double spends through windows twice as wide) */
		for (uint32_t r = 0; r <= b->nparts; r++)
			wide[r] = final && knows_window(n, e->win[r])
			              ? e->win[r]
			              : ecp_window(&n->peers, n->pos, role_key(b, r), width);
		win = wide;
	} else if (n->m) {
		/* open networks only: a static run's windows stay as they were
		 * (byte-identical outputs), though there too the narrowing drops
		 * a BLOCKED notice from a non-member that a submitter's wide
		 * window counted as a no */
		for (uint32_t r = 0; r <= b->nparts; r++)
			wide[r] = tighten(n, e, role_key(b, r), e->win[r]);
		win = wide;
	}
	uint32_t yes_of[ECP_MAX_PARTS + 1], no_of[ECP_MAX_PARTS + 1];
	memset(yes_of, 0, (b->nparts + 1) * sizeof *yes_of);
	memset(no_of, 0, (b->nparts + 1) * sizeof *no_of);
	for (uint32_t v = 0; v < nvotes; v++) {
		uint32_t r = votes[v].role == ECP_ROLE_WITNESS ? b->nparts : votes[v].role;
		if (r > b->nparts || (r == b->nparts && votes[v].role != ECP_ROLE_WITNESS))
			continue; /* no role of this block */
		if (ec_range_contains(win[r], votes[v].voter) &&
		    !((n->nconv || n->nout_scored) && ecp__convicted(n, votes[v].voter))) {
			if (votes[v].value > 0)
				yes_of[r]++;
			else
				no_of[r]++;
		}
	}
	bool all = true;
	for (uint32_t r = 0; r <= b->nparts; r++) {
		uint16_t code = role_code(b, r);
		int64_t yes = yes_of[r], no = no_of[r];
		if (r == b->nparts) {
			all = all && yes > thr;
			continue;
		}
		bool wins = yes - no > thr && yes >= q;
		/* signed votes are final: once the whole window has voted and
		 * the role is not won, it never will be (twins that split a
		 * window 5-4 would otherwise stay open for ever, polled) */
		if (no - yes > thr || no >= q ||
		    (final && !wins && yes + no >= 2 * (int64_t)n->cfg.window + 1)) {
			*role = code;
			return DEC_BLOCK;
		}
		all = all && wins;
	}
	return all ? DEC_COMMIT : DEC_OPEN;
}

/* Blocks e here and tells its submitter (it lost) and the interested. */
static ec_err
block_entry(ecp_node *n, const ec_ctx *ctx, entry *e, uint16_t role)
{
	e->state = ST_BLOCKED;
	e->done_at = n->now;
	emit(ctx, n, EC_EV_VOTE_BLOCKED, &e->id, role);
	if (!e->mine && e->origin) {
		ec_err err = ecp__send_terminal(n, ctx, e, e->origin, role);
		if (err)
			return err;
	}
	return ecp__push_all(n, ctx, e, role);
}

/* Whether cert names q as a voter. */
static bool
named(const ecp_cert *cert, uint64_t q)
{
	for (uint32_t v = 0; v < cert->n; v++)
		if (cert->v[v].voter == q)
			return true;
	return false;
}

/* Repair in an open network.  The window a certificate's voters were may
 * no longer be the window: nodes joined since, never saw the block, and
 * would vote yes on its conflicting twin (measured: a double commit at
 * 20,000 nodes grown from 200, the new members voting for B seven rounds
 * after A committed among the old ones).  So every voter named in the
 * certificate that is still a member by its view now sends it to the
 * members of that window, by the same view, that it does not name; a new
 * member that had said yes to the twin then blocks it and tells the
 * twin's submitter, whose count loses that yes. */
static ec_err
repair_open(ecp_node *n, const ec_ctx *ctx, const entry *e, const ecp_cert *cert)
{
	const ecp_block *b = e->block;
	ecp_item it = {.kind = ECP_COMMIT, .block_id = b->id, .block = b, .cert = cert};
	for (uint32_t r = 0; r < b->nparts; r++) {
		ec_range w = ecp_window(&n->peers, n->pos, role_key(b, r), n->cfg.window);
		if (!ec_range_contains(w, n->pos) || !named(cert, n->pos))
			continue;
		for (uint32_t k = 0; k < n->peers.len; k++) {
			uint64_t q = n->peers.ids[k];
			ec_err err;
			if (ec_range_contains(w, q) && !named(cert, q) &&
			    (err = send_item(n, ctx, q, &it)))
				return err;
		}
	}
	return EC_OK;
}

/* The certificate's first voter of each token role (in ring order from
 * the key) hands it to the fellow members it does not name (top of file);
 * in an open network, every named voter still a member (repair_open). */
static ec_err
repair(ecp_node *n, const ec_ctx *ctx, const entry *e, const ecp_cert *cert)
{
	const ecp_block *b = e->block;
	if (n->m)
		return repair_open(n, ctx, e, cert);
	for (uint32_t r = 0; r < b->nparts; r++) {
		uint64_t key = role_key(b, r);
		if (!knows_window(n, e->win[r]) || !ec_range_contains(e->win[r], n->pos))
			continue;
		uint64_t first = 0, best = UINT64_MAX;
		for (uint32_t v = 0; v < cert->n; v++)
			if (cert->v[v].role == r && cert->v[v].voter - key < best) {
				best = cert->v[v].voter - key;
				first = cert->v[v].voter;
			}
		if (first != n->pos)
			continue;
		ec_range w = e->win[r];
		ecp_item it = {.kind = ECP_COMMIT, .block_id = b->id, .block = b, .cert = cert};
		for (uint32_t k = 0; k < n->peers.len; k++) {
			uint64_t q = n->peers.ids[k];
			if (!ec_range_contains(w, q))
				continue;
			ec_err err = named(cert, q) ? EC_OK : send_item(n, ctx, q, &it);
			if (err)
				return err;
		}
	}
	return EC_OK;
}

/* A certificate of every vote that counted in one of my windows, with
 * their signatures under signed votes, interned (*out lives as long as
 * the driver keeps its nodes). */
static ec_err
make_cert(const ecp_node *n, const ec_ctx *ctx, const entry *e, const ecp_cert **out)
{
	const ecp_block *b = e->block;
	bool sigs = signed_votes(n);
	/* votes first, each with its index in e, then the signatures */
	size_t bytes = ecp_cert_bytes(e->nvotes, sigs) + (size_t)e->nvotes * sizeof(uint32_t);
	ecp_cert *tmp = ctx->realloc_fn(ctx->alloc_user, NULL, 0, bytes);
	if (!tmp)
		return EC_ENOMEM;
	uint32_t *from = (uint32_t *)(void *)((unsigned char *)tmp + ecp_cert_bytes(e->nvotes, sigs));
	tmp->n = 0;
	tmp->sigs = sigs;
	for (uint32_t r = 0; r < e->nroles; r++) {
		ec_range w = e->win[r];
		uint16_t code = role_code(b, r);
		for (uint32_t v = 0; v < e->nvotes; v++)
			if (e->votes[v].role == code && ec_range_contains(w, e->votes[v].voter) &&
			    !((n->nconv || n->nout_scored) && ecp__convicted(n, e->votes[v].voter))) {
				from[tmp->n] = v;
				tmp->v[tmp->n++] = e->votes[v];
			}
	}
	/* the canonical order, so it can be encoded; the signatures follow */
	ec_wire_cert_sort_with(tmp, from);
	if (sigs) {
		ecp_vsig *sv = (ecp_vsig *)(void *)(tmp->v + tmp->n);
		for (uint32_t k = 0; k < tmp->n; k++) {
			if (e->vsig)
				sv[k] = e->vsig[from[k]];
			else
				memset(&sv[k], 0, sizeof sv[k]);
		}
	}
	*out = ctx->intern(ctx->intern_user, tmp, ecp_cert_bytes(tmp->n, sigs));
	ctx->realloc_fn(ctx->alloc_user, tmp, bytes, 0);
	return *out ? EC_OK : EC_ENOMEM;
}

/* Commits e, with the certificate that convinced me or (NULL) one made of
 * the votes that counted in my windows: stores the block, moves the token
 * mappings I hold forward, blocks the losers of a conflict and tells
 * whoever asked.  A failure before e is marked committed leaves it pending
 * (writing the block and mappings again later is harmless); one after it
 * leaves some of the others untold. */
static ec_err
commit(ecp_node *n, const ec_ctx *ctx, entry *e, const ecp_cert *given)
{
	const ecp_block *b = e->block;
	ec_err err;
	const ecp_cert *cert = given;
	if (!cert && (err = make_cert(n, ctx, e, &cert)))
		return err;
	if ((err = ecp_store(&ctx->store)->xblock_put(ctx->store.impl, b, cert)))
		return err;
	for (uint32_t r = 0; r < b->nparts; r++) {
		const ecp_part *part = &b->parts[r];
		/* the window when the block came, or (open networks) now: in a
		 * growing network the members that voted may no longer be the
		 * members, and the new ones must hold the token */
		if (!ec_range_contains(e->win[r], n->pos) && !(n->m && member_now(n, e, r)))
			continue;
		ec_id cur;
		uint64_t t;
		if (ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &part->token, &cur, &t) &&
		    t >= b->time)
			continue; /* never move a mapping backwards */
		if ((err = ecp_store(&ctx->store)->xtoken_put(ctx->store.impl, &part->token, &b->id, b->time)))
			return err;
		emit(ctx, n, EC_EV_TOKEN_WRITE, &b->id, 0);
	}
	e->state = ST_COMMITTED;
	e->done_at = n->now;
	if (b->time <= n->now && n->now - b->time < 1000) {
		int64_t sample = (int64_t)(n->now - b->time) * 16;
		n->lat16 = (uint32_t)((int64_t)n->lat16 + (sample - (int64_t)n->lat16) / 8);
	}
	emit(ctx, n, EC_EV_COMMIT, &b->id, 0);
	if ((err = repair(n, ctx, e, cert)) ||
	    (err = ecp__score_outcome(n, ctx, b, e->votes, e->nvotes, true)))
		return err;
	/* the losers of a conflict are blocked, and whoever asked is told */
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *o = &n->pool[i];
		if (o == e || o->state != ST_PENDING || !o->block)
			continue;
		for (uint32_t r = 0; r < o->block->nparts; r++) {
			bool clash = false;
			for (uint32_t s = 0; s < b->nparts && !clash; s++)
				clash = ec_id_eq(&o->block->parts[r].token, &b->parts[s].token) &&
				        ec_id_eq(&o->block->parts[r].parent, &b->parts[s].parent);
			if (clash) {
				if ((err = ecp__catch_entry(n, ctx, b, cert, o)) ||
				    (err = ecp__score_outcome(n, ctx, o->block, o->votes, o->nvotes,
				                              false)) ||
				    (err = block_entry(n, ctx, o, (uint16_t)r)))
					return err;
				break;
			}
		}
	}
	return ecp__push_all(n, ctx, e, 0);
}

/* Whether a window report named a node in role r's window of my block e
 * within the last `within` rounds, or the key lies in the span where my
 * own peers are all the nodes there are, or I am nearer the key than any
 * peer I know.  In that last case a report could only come from me (a
 * FIND goes to the known node nearest the key): my own view of my
 * neighbourhood, which joiners and heartbeats keep current, is the
 * report.  Without it a node of a network smaller than 2 x degree/4 + 1
 * (no near span yet) never committed a block whose key it was nearest:
 * measured on a five-node ecnode testnet, one transfer in five stalled. */
static bool
report_fresh(const ecp_node *n, const entry *e, uint32_t r, uint64_t within)
{
	uint64_t key = role_key(e->block, r);
	if (n->near_dn &&
	    ec_range_contains((ec_range){n->pos - n->near_dn, n->pos + n->near_up}, key))
		return true;
	if (n->m && n->m->ready && ecp__member_nearest(n, key))
		return true;
	for (uint32_t k = 0; k < e->nseen; k++)
		if (e->seen[k].at + within >= n->now && ec_range_contains(e->win[r], e->seen[k].id))
			return true;
	return false;
}

/* The yes voter on role r of e nearest its key (0: none): a member, one
 * hop from me, that can report on the window. */
static uint64_t
near_voter(const entry *e, uint32_t r)
{
	uint64_t key = role_key(e->block, r), best = 0;
	for (uint32_t v = 0; v < e->nvotes; v++)
		if (e->votes[v].role == r && e->votes[v].value > 0 &&
		    (!best || ring_dist(e->votes[v].voter, key) < ring_dist(best, key)))
			best = e->votes[v].voter;
	return best;
}

/* Whether my view of each token role's window of my block e is recent
 * enough to commit on (open networks): a report at most ECP_REPORT_FRESH
 * rounds old.  Asks for one (at most once per ECP_REPORT_FRESH rounds)
 * for each role that has none.  Errors: ctx's, from sending. */
static ec_err
confirmed(ecp_node *n, const ec_ctx *ctx, entry *e, bool *ok)
{
	const ecp_block *b = e->block;
	bool ask = n->now >= e->confirm_at;
	*ok = true;
	for (uint32_t r = 0; r < b->nparts; r++) {
		if (report_fresh(n, e, r, ECP_REPORT_FRESH))
			continue;
		*ok = false;
		ec_err err;
		if (ask && (err = ecp__member_confirm(n, ctx, role_key(b, r), near_voter(e, r))))
			return err;
	}
	if (!*ok && ask)
		e->confirm_at = n->now + ECP_REPORT_FRESH;
	return EC_OK;
}

ec_err
ecp__confirm_ahead(ecp_node *n, const ec_ctx *ctx, entry *e)
{
	const ecp_block *b = e->block;
	if (!n->m || e->mine != 1 || e->state != ST_PENDING || !b || n->now < e->confirm_at)
		return EC_OK;
	const uint64_t half = ECP_REPORT_FRESH / 2;
	bool asked = false;
	for (uint32_t r = 0; r < b->nparts; r++) {
		if (report_fresh(n, e, r, half))
			continue;
		ec_range w = tighten(n, e, role_key(b, r), e->win[r]);
		uint32_t yes = 0;
		for (uint32_t v = 0; v < e->nvotes; v++)
			yes += e->votes[v].role == r && e->votes[v].value > 0 &&
			       ec_range_contains(w, e->votes[v].voter);
		if (yes + 1 < quorum(n))
			continue;
		ec_err err = ecp__member_confirm(n, ctx, role_key(b, r), near_voter(e, r));
		if (err)
			return err;
		asked = true;
	}
	if (asked)
		e->confirm_at = n->now + half;
	return EC_OK;
}

ec_err
ecp__tally(ecp_node *n, const ec_ctx *ctx, entry *e)
{
	e->dirty = 0;
	if (e->state != ST_PENDING || !e->block)
		return EC_OK;
	uint16_t role = 0;
	switch (decide(n, e, e->votes, e->nvotes, n->cfg.window, &role)) {
	case DEC_COMMIT:
		/* Only a submitter commits on votes: withdrawals reach it, not
		 * the members, so a member counting the votes it overheard could
		 * still count a yes its voter has taken back.  Members commit on
		 * the submitter's certificate (ecp__commit_on_cert). */
		if (!e->mine)
			return EC_OK;
		if (n->m) {
			bool ok;
			ec_err err = confirmed(n, ctx, e, &ok);
			if (err || !ok)
				return err;
		}
		if (n->cfg.grace) {
			if (!e->ready_at) {
				e->ready_at = n->now + n->cfg.grace;
				return EC_OK;
			}
			if (n->now < e->ready_at)
				return EC_OK;
		}
		return commit(n, ctx, e, NULL);
	case DEC_BLOCK: return block_entry(n, ctx, e, role);
	default:
		e->ready_at = 0; /* a withdrawal undid the decision */
		return EC_OK;
	}
}

/* The certificate is judged on its own votes, not mixed with what I heard
 * since (my own later withdrawal must not undo the submitter's decision),
 * against windows twice as wide: a member's view of its neighbourhood can
 * be narrower than the submitter's (dense graphs that miss some ring
 * neighbours), while only members in their own view vote at all. */
/* ECP_DEF_CONVICT: a certificate for a block whose (token, parent) my
 * store has already moved on by another block: the certificates of the
 * two, side by side, may show a double vote. */
static ec_err
catch_twin(ecp_node *n, const ec_ctx *ctx, const entry *e, const ecp_cert *cert)
{
	const ecp_store_ops *st = ecp_store(&ctx->store);
	for (uint32_t r = 0; r < e->block->nparts; r++) {
		const ecp_part *part = &e->block->parts[r];
		ec_id cur;
		uint64_t t;
		const ecp_block *twin = NULL;
		const ecp_cert *tc = NULL;
		if (!st->xtoken_get(ctx->store.impl, &part->token, &cur, &t) ||
		    ec_id_eq(&cur, &part->parent) || ec_id_eq(&cur, &e->id) ||
		    !st->xblock_get(ctx->store.impl, &cur, &twin, &tc) || !twin || !tc)
			continue;
		ec_err err = ecp__catch_cert(n, ctx, e->block, cert, twin, tc);
		if (err)
			return err;
	}
	return EC_OK;
}

/* Whether cert (its votes that count for me) commits e. */
static bool
cert_commits(const ecp_node *n, const entry *e, const ecp_cert *cert)
{
	uint16_t role;
	if (decide(n, e, cert->v, cert->n, 2 * n->cfg.window, &role) == DEC_COMMIT)
		return true;
	/* an open network's old certificate: its voters were the window of
	 * their day, which joins since may have spread beyond mine (a parent
	 * fetched after the network grew, say) */
	if (!n->m)
		return false;
	for (uint32_t r = 0; r < e->block->nparts; r++)
		if (!ecp__cert_quorum(n, cert, r))
			return false;
	return true;
}

ec_err
ecp__commit_on_cert(ecp_node *n, const ec_ctx *ctx, entry *e, const ecp_cert *cert)
{
	ec_err err;
	if ((n->cfg.defences & ECP_DEF_CONVICT) && (err = catch_twin(n, ctx, e, cert)))
		return err;
	const ecp_cert *counted;
	if ((err = ecp__cert_filter(n, ctx, e->block, cert, &counted)))
		return err;
	bool ok = cert_commits(n, e, counted);
	ecp__cert_release(ctx, cert, counted);
	if (!ok)
		return EC_OK;
	/* votes are not proof of a valid transfer: where I hold the parent,
	 * I check the part myself and refuse a certificate for a bad one */
	for (uint32_t r = 0; r < e->block->nparts; r++) {
		const ecp_part *part = &e->block->parts[r];
		ec_id cur = {{0, 0, 0, 0}};
		uint64_t t;
		if (!ec_range_contains(e->win[r], n->pos))
			continue;
		(void)ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &part->token, &cur, &t);
		if (ec_id_eq(&cur, &part->parent) && !check_part(n, ctx, e, r))
			return EC_OK;
	}
	e->state = ST_PENDING; /* a certificate outranks a local block */
	return commit(n, ctx, e, cert);
}
