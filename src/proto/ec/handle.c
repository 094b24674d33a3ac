/* SPDX-License-Identifier: MIT */
/*
 * Delivered messages (node.h).  A handler records what it heard in the
 * pool and answers from what the node already knows; votes are cast and
 * counted in the tick (timers.c), so that the order in which a round's
 * messages arrive does not decide which of two conflicting blocks gets a
 * yes.  The one decision taken here is a commit on a certificate
 * (safety.c), which needs no vote of mine.
 */
#include "proto/ec/member.h"
#include "proto/ec/node.h"

#include "ec/lifecycle.h"

/* My recorded vote on role code of e, 0 if none. */
static int8_t
my_vote(const ecp_node *n, const entry *e, uint16_t code)
{
	int8_t v = 0;
	for (uint32_t k = 0; k < e->nvotes; k++)
		if (e->votes[k].voter == n->pos && e->votes[k].role == code)
			v = e->votes[k].value;
	return v;
}

/* Records from's vote on role code of e, carried with signature sig (NULL:
 * none).  Under signed votes a yes without its voter's valid signature is
 * not recorded (it is evidence of nothing and must count nowhere), and a
 * recorded one is checked against the voter's other yes votes in my pool
 * (ECP_DEF_CONVICT).  A no needs no signature: it can only hold a block
 * back, as a BLOCKED notice can. */
static ec_err
record_vote(ecp_node *n, const ec_ctx *ctx, entry *e, uint64_t from, uint16_t code, int8_t value,
            const ecp_vsig *sig)
{
	if (!signed_votes(n))
		return ecp__add_vote(ctx, e, from, code, value, n->stamp, NULL);
	if (value > 0 && !ecp__vote_verify(n, ctx, e->block, code, value, from, sig)) {
		if (ctx->event)
			ctx->event(ctx->event_user, n->pos, EC_EV_REJECT, ec_id_pos(&e->id),
			           (uint64_t)EC_REJECT_BAD_SIG);
		return EC_OK;
	}
	ec_err err = ecp__add_vote(ctx, e, from, code, value, n->stamp, value > 0 ? sig : NULL);
	if (err || value < 0)
		return err;
	for (uint32_t k = 0; k < e->nvotes; k++)
		if (e->votes[k].voter == from && e->votes[k].role == code)
			return ecp__catch_vote(n, ctx, e, k);
	return EC_OK;
}

/* A BLOCK for role r of e reached me, a member.  Only the first copy and a
 * submitter's re-poll matter: later copies of the first wave, from its
 * parallel paths, are not answered (answering them cost half of all BLOCK
 * messages). */
static ec_err
member_block(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r, bool fellow,
             const ecp_item *it)
{
	ec_err err;
	if (n->m && n->m->ready && !fellow && r < e->block->nparts && e->origin &&
	    e->origin != n->pos && (!(RF(e)[r] & RF_WANT) || (it->flags & ECP_F_POLL)) &&
	    (err = ecp__member_report(n, ctx, e->origin, role_key(e->block, r))))
		return err; /* where the block enters its window: who is there */
	if (!(RF(e)[r] & RF_VOTED)) {
		bool first = !(RF(e)[r] & RF_WANT);
		RF(e)[r] |= RF_WANT;
		if (!fellow && !(it->flags & ECP_F_COVERED))
			RF(e)[r] |= RF_SPREAD;
		if (first && n->m && !n->m->ready && r < e->block->nparts && e->origin) {
			/* catching up, I abstain: the submitter is to tell me the
			 * outcome, or a commit in my windows would pass me by (my
			 * catch-up may have been answered before it) */
			ecp_item p = {.kind = ECP_POLL, .block_id = e->id};
			return send_item(n, ctx, e->origin, &p);
		}
	} else if ((it->flags & ECP_F_POLL) && (!fellow || n->m)) {
		/* a re-poll: my vote may have been lost; the window may have
		 * missed the block.  In an open network the window gets the
		 * re-poll too, and every member that voted answers again: a
		 * submitter that crashed right after its first wave lost all
		 * the votes, and one answer per re-poll never made a quorum
		 * (the reference's long run: the plain blocks it left
		 * uncommitted were all of this kind) */
		ecp_item v = {.kind = ECP_VOTE, .role = it->role, .block_id = e->id};
		v.value = my_vote(n, e, it->role);
		if (v.value && e->origin &&
		    (err = send_signed(n, ctx, e->origin, &v, ecp__my_sig(n, e, it->role))))
			return err;
		if (!fellow && n->now >= e->spread_at + n->cfg.poll_first) {
			e->spread_at = n->now;
			if ((err = spread(n, ctx, e, r, v.value, n->m ? ECP_F_POLL : 0)))
				return err;
		}
	}
	return EC_OK;
}

/* A copy of the block for one role (first wave, a fellow member passing
 * its vote on, or a re-poll): records the block, the sender's vote if it
 * is a fellow, and what I am to do in the tick; a relay forwards it. */
static ec_err
on_block(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e;
	ec_err err;
	if (!it->block || !ec_id_eq(&it->block->id, &it->block_id))
		return EC_OK;
	if (!find(n, &it->block_id) &&
	    ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &it->block_id, NULL, NULL))
		/* decided and forgotten: the store answers a re-poll (the other
		 * copies, fellows' votes and late first-wave copies, ask nothing) */
		return it->flags & ECP_F_POLL ? ecp__send_stored(n, ctx, from, &it->block_id, NULL)
		                              : EC_OK;
	if ((err = ecp__entry_get(n, ctx, &it->block_id, &e)) ||
	    (err = ecp__entry_set_block(n, ctx, e, it->block)))
		return err;
	if (!e->block)
		return EC_OK;
	if (!e->origin)
		e->origin = it->origin;
	uint32_t r = role_index(e->block, it->role);
	if (r >= e->nroles)
		return EC_OK;
	uint64_t key = role_key(e->block, r);
	ec_range w = e->win[r];
	bool fellow = ec_range_contains(w, from);
	if (it->value && fellow) {
		if ((err = record_vote(n, ctx, e, from, it->role, it->value > 0 ? 1 : -1, it->vsig)))
			return err;
		if (it->value > 0 && r < e->block->nparts)
			e->fetch_peer = from; /* a yes voter knows the parent */
	}
	if (!e->fetch_peer)
		e->fetch_peer = from;
	if (e->state != ST_PENDING) {
		/* only a re-poll asks: not a fellow passing its vote on, nor a
		 * late copy of the first wave */
		return it->flags & ECP_F_POLL ? ecp__send_terminal(n, ctx, e, from, it->role) : EC_OK;
	}
	if (ec_range_contains(w, n->pos))
		return member_block(n, ctx, e, r, fellow, it);
	/* a relay: forward towards the key, once per poll period */
	if (it->hops >= n->cfg.max_hops)
		return EC_OK;
	if ((RF(e)[r] & RF_ROUTED) && n->now < e->routed_at + n->cfg.poll_first)
		return EC_OK;
	RF(e)[r] |= RF_ROUTED;
	e->routed_at = n->now;
	emit(ctx, n, EC_EV_QUERY_FORWARDED, &e->id, r);
	return ecp__route(n, ctx, e, r, (uint16_t)(it->hops + 1), ring_dist(n->pos, key), 0,
	                  (uint8_t)(it->flags & ECP_F_POLL));
}

/* A member's vote on my block (or one I follow): counted in the tick. */
static ec_err
on_vote(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	if (!e) /* a block I decided and forgot: the store answers; else ignore */
		return ecp__send_stored(n, ctx, from, &it->block_id, NULL);
	if (e->state != ST_PENDING)
		return ecp__send_terminal(n, ctx, e, from, it->role);
	/* token voters are told the outcome; witnesses store nothing */
	ec_err err = it->role == ECP_ROLE_WITNESS ? EC_OK : ecp__add_interest(ctx, e, from);
	if (!err && !e->block && signed_votes(n))
		return EC_OK; /* nothing to check a signature against */
	if (!err)
		err = record_vote(n, ctx, e, from, it->role, it->value > 0 ? 1 : -1, it->vsig);
	emit(ctx, n, EC_EV_VOTE_TRUSTED, &e->id, 0);
	return err;
}

/* A certificate: a submitter's push, a repair, or the answer to a parent
 * fetch (then I may hold no entry for the block yet). */
static ec_err
on_commit(ecp_node *n, const ec_ctx *ctx, const ecp_item *it)
{
	if (!it->block || !it->cert || !ec_id_eq(&it->block->id, &it->block_id))
		return EC_OK;
	entry *e = find(n, &it->block_id);
	ec_err err;
	if (!e) {
		if (ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &it->block_id, NULL, NULL))
			return EC_OK;
		if ((err = ecp__entry_get(n, ctx, &it->block_id, &e)))
			return err;
	}
	if (e->state == ST_COMMITTED)
		return EC_OK;
	if ((err = ecp__entry_set_block(n, ctx, e, it->block)))
		return err;
	if (!e->block)
		return EC_OK;
	return ecp__commit_on_cert(n, ctx, e, it->cert);
}

/* A node that blocked the block tells me (its submitter, or a node that
 * asked for the outcome): its no is recorded like a vote, with a stamp
 * that outranks a yes it sent in the same round. */
static ec_err
on_blocked(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	if (!e || e->state != ST_PENDING)
		return EC_OK;
	if (signed_votes(n) && from == e->origin && !e->mine) {
		/* votes are final: a block its submitter gave up on stays lost,
		 * so I stop asking (twins that split their windows, each winning
		 * some, would have me poll for ever while my yes holds the
		 * entry); a certificate would still outrank this */
		e->state = ST_BLOCKED;
		e->done_at = n->now;
		return EC_OK;
	}
	return ecp__add_vote(ctx, e, from, it->role, -1, n->stamp + 1, NULL);
}

/* A voter asks for the outcome: told now if decided, else when it is. */
static ec_err
on_poll(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	if (!e)
		return ecp__send_stored(n, ctx, from, &it->block_id, NULL);
	if (e->state != ST_PENDING)
		return ecp__send_terminal(n, ctx, e, from, it->role);
	return ecp__add_interest(ctx, e, from);
}

/* A member takes back its yes on my block.  The no is recorded (with a
 * stamp that outranks the yes) before the acknowledgement leaves, so the
 * yes can never count after the member was told it no longer does; if the
 * block already committed, the member gets the certificate instead. */
static ec_err
on_withdraw(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	ecp_item ack = {.kind = ECP_WITHDRAWN, .role = it->role, .block_id = it->block_id};
	if (!e) {
		bool found;
		ec_err err = ecp__send_stored(n, ctx, from, &it->block_id, &found);
		/* not committed here and not pending: nothing here can count it */
		return err || found ? err : send_item(n, ctx, from, &ack);
	}
	if (e->state == ST_COMMITTED)
		return ecp__send_terminal(n, ctx, e, from, it->role);
	if (e->state == ST_PENDING) {
		ec_err err = ecp__add_vote(ctx, e, from, it->role, -1, n->stamp + 1, NULL);
		if (err)
			return err;
	}
	return send_item(n, ctx, from, &ack);
}

/* The submitter acknowledged my withdrawal: my yes is free again. */
static ec_err
on_withdrawn(ecp_node *n, const ec_ctx *ctx, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	if (!e || !e->block)
		return ecp__unrecord(n, ctx, &it->block_id); /* a yes from before a crash */
	uint32_t r = role_index(e->block, it->role);
	if (r >= e->block->nparts)
		return EC_OK;
	RF(e)[r] &= (uint8_t)~(RF_YES | RF_WDRAW);
	ec_err err = ecp__unreserve(ctx, e, r);
	if (err)
		return err;
	/* my own record changes too, or a re-poll would repeat the old yes */
	return ecp__add_vote(ctx, e, n->pos, it->role, -1, (uint32_t)(2 * n->now + 1), NULL);
}

ec_err
ecp__handle(void *node, const ec_ctx *ctx, const ec_msg *msg)
{
	ecp_node *n = node;
	if (msg->type != EC_MSG_ENVELOPE || !msg->u.env.items)
		return EC_OK; /* not ours: ignored, never an error */
	n->stamp = (uint32_t)(2 * msg->time);
	if (n->m) {
		ec_err err = ecp__member_heard(n, ctx, msg->sender);
		if (err)
			return err;
	}
	for (uint32_t i = 0; i < msg->u.env.n; i++) {
		const ecp_item *it = &msg->u.env.items[i];
		const uint64_t from = msg->sender;
		ec_err err = EC_OK;
		if (it->kind == ECP_ACCUSE) {
			if ((err = ecp__on_accuse(n, ctx, it)))
				return err;
			continue;
		}
		if (it->kind > ECP_WITHDRAWN || (it->kind == ECP_COMMIT && (it->flags & ECP_F_SYNC))) {
			/* peer management: a static node has none */
			if (n->m && (err = ecp__member_handle(n, ctx, from, it)))
				return err;
			continue;
		}
		switch (it->kind) {
		case ECP_BLOCK: err = on_block(n, ctx, from, it); break;
		case ECP_VOTE: err = on_vote(n, ctx, from, it); break;
		case ECP_COMMIT: err = on_commit(n, ctx, it); break;
		case ECP_BLOCKED: err = on_blocked(n, ctx, from, it); break;
		case ECP_POLL: err = on_poll(n, ctx, from, it); break;
		/* a parent fetch: the store answers, or nobody */
		case ECP_FETCH: err = ecp__send_stored(n, ctx, from, &it->block_id, NULL); break;
		case ECP_WITHDRAW: err = on_withdraw(n, ctx, from, it); break;
		case ECP_WITHDRAWN: err = on_withdrawn(n, ctx, it); break;
		default: break; /* unknown kinds from a peer are dropped */
		}
		if (err)
			return err;
	}
	return EC_OK;
}
