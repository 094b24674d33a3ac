/* SPDX-License-Identifier: MIT */
/*
 * The tick of an ec node (node.h): what happens as time passes.  In order:
 * count the votes and certificates that arrived (and the commits whose
 * grace ended), cast the votes that are wanted, highest block id first,
 * re-poll undecided blocks whose poll is due, forget entries whose time is
 * up, and send the outbox.
 *
 * due() says, for each of these, from when the tick acts on an entry; the
 * tick acts on exactly that, and ecp__wake_at (the earliest due time over
 * the pool) is built on the same function, so that a driver which skips
 * the ticks before wake_at (ec/protocol.h) skips only ticks that would
 * have done nothing but count time.
 */
#include "proto/ec/member.h"
#include "proto/ec/node.h"

#include <stdlib.h>

/* What the tick does to an entry. */
enum due_what {
	DUE_TALLY, /* count its votes: some arrived, or a commit's grace ended */
	DUE_VOTE,  /* cast my vote on a role I am a member of (or retry one) */
	DUE_POLL,  /* re-poll the block: the submitter, or a member that voted */
	DUE_DROP,  /* forget the entry */
	DUE_COUNT
};

/* The clock value from which the tick does `what` to e, were no message
 * or submit to arrive first: the tick does it when its clock, after the
 * tick's increment, is at least this (0: at once; UINT64_MAX: never).
 * DUE_DROP is when the tick tries: a yes of mine that could still count
 * holds the entry (ecp__holds_yes, which reads the store), and the tick
 * then tries again every round. */
static inline uint64_t
due(const ecp_node *n, const entry *e, enum due_what what)
{
	/* cheapest tests first: wake_at runs this for every entry of every
	 * node that ticked */
	switch (what) {
	case DUE_TALLY: {
		if (e->dirty)
			return 0;
		if (e->state != ST_PENDING || !e->block)
			return UINT64_MAX;
		uint64_t t = e->ready_at ? e->ready_at : UINT64_MAX;
		return e->confirm_at && e->confirm_at < t ? e->confirm_at : t;
	}
	case DUE_VOTE:
		if (e->state != ST_PENDING || !e->block)
			return UINT64_MAX;
		for (uint32_t r = 0; r < e->nroles; r++)
			if (RF(e)[r] & (RF_WANT | RF_WAIT))
				return 0;
		return UINT64_MAX;
	case DUE_POLL: return e->state == ST_PENDING && e->block ? e->next_poll : UINT64_MAX;
	case DUE_DROP: break;
	default: return UINT64_MAX;
	}
	/* decided entries linger a little (the store answers afterwards); the
	 * submitter keeps polling its own until decided; other nodes' undecided
	 * ones expire */
	if (e->state != ST_PENDING)
		return e->done_at + n->cfg.linger;
	if (e->mine)
		return UINT64_MAX;
	uint64_t t = e->created + n->cfg.expiry;
	/* a relay's entry only stops it forwarding the same copy twice, and a
	 * witness keeps nothing once it has voted: both go soon */
	bool relay = e->nroles > 0;
	for (uint32_t r = 0; relay && r + 1 < e->nroles; r++)
		relay = (RF(e)[r] & ~RF_ROUTED) == 0;
	if (relay && (RF(e)[e->nroles - 1] & ~(RF_ROUTED | RF_VOTED | RF_YES)) == 0 &&
	    e->created + n->cfg.poll_first < t)
		t = e->created + n->cfg.poll_first;
	return t;
}

/* Handles and submits change the pool, and the driver asks again after
 * every tick.  The tick compares after its n->now++, so a time t falls due
 * at the tick that starts at clock t - 1. */
uint64_t
ecp__wake_at(const void *node)
{
	const ecp_node *n = node;
	if (n->nout || n->m) /* an open node has heartbeats and timeouts to keep */
		return n->now;
	const uint64_t soon = n->now + 1; /* what the next tick acts on */
	uint64_t at = UINT64_MAX;
	for (uint32_t i = 0; i < n->npool; i++) {
		const entry *e = &n->pool[i];
		/* the earliest of the four (one call each, with a constant `what`,
		 * so that each inlines to its own case), stopping at one due by
		 * the next tick */
		uint64_t t = due(n, e, DUE_TALLY), u;
		if (t > soon && (u = due(n, e, DUE_VOTE)) < t)
			t = u;
		if (t > soon && (u = due(n, e, DUE_POLL)) < t)
			t = u;
		if (t > soon && (u = due(n, e, DUE_DROP)) < t)
			t = u;
		if (t <= soon)
			return n->now;
		at = t < at ? t : at;
	}
	if (at == UINT64_MAX)
		return UINT64_MAX; /* an empty pool */
	return at - 1;
}

static int
cmp_entry_desc(const void *a, const void *b)
{
	return -ec_id_cmp(&(*(entry *const *)a)->id, &(*(entry *const *)b)->id);
}

/* Casts the wanted votes, highest block id first, so that of two
 * conflicting blocks that arrived in the same round the higher gets my
 * yes; up to 64 entries a pass, again while passes fill up and progress. */
static ec_err
cast_votes(ecp_node *n, const ec_ctx *ctx)
{
	ec_err err;
	entry *want[64];
	uint32_t nwant;
	do {
		nwant = 0;
		for (uint32_t i = 0; i < n->npool && nwant < 64; i++)
			if (n->now >= due(n, &n->pool[i], DUE_VOTE))
				want[nwant++] = &n->pool[i];
		if (nwant > 1)
			qsort(want, nwant, sizeof *want, cmp_entry_desc);
		uint32_t progressed = 0;
		for (uint32_t k = 0; k < nwant; k++) {
			entry *e = want[k];
			for (uint32_t r = 0; r < e->nroles; r++)
				if (RF(e)[r] & (RF_WANT | RF_WAIT)) {
					if ((err = ecp__vote(n, ctx, e, r)))
						return err;
					progressed += !(RF(e)[r] & (RF_WANT | RF_WAIT));
				}
		}
		if (progressed == 0)
			break;
	} while (nwant == 64);
	return EC_OK;
}

/* Re-sends my block's first wave for role r, undecided here (attempt:
 * the polls before this one).  Members whose votes reached me have the
 * block: one hop to them (each answers again and passes the block to its
 * window) instead of routing through the graph; other voters on later
 * attempts. */
static ec_err
repoll_role(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r, uint32_t attempt)
{
	ec_err err;
	ec_range w = e->win[r];
	uint16_t code = role_code(e->block, r);
	if (ec_range_contains(w, n->pos))
		return spread(n, ctx, e, r, 0, ECP_F_POLL);
	ecp_item it = {.kind = ECP_BLOCK, .role = code, .flags = ECP_F_POLL,
	               .origin = e->origin, .block_id = e->id, .block = e->block};
	uint64_t to[16]; /* fanout <= 16 */
	uint32_t sent = 0, seen = 0;
	for (uint32_t v = e->nvotes; v-- > 0 && sent < n->cfg.fanout;) {
		uint64_t q = e->votes[v].voter;
		bool again = false; /* a voter may have voted twice */
		for (uint32_t k = 0; k < sent && !again; k++)
			again = to[k] == q;
		if (e->votes[v].role != code || again || q == n->pos || !ec_range_contains(w, q) ||
		    seen++ < attempt * n->cfg.fanout)
			continue;
		if ((err = send_item(n, ctx, q, &it)))
			return err;
		to[sent++] = q;
	}
	if (sent == 0)
		return ecp__route(n, ctx, e, r, 0, UINT64_MAX, attempt % 2, ECP_F_POLL);
	return EC_OK;
}

/* Polls for e's outcome and schedules the next poll (back-off doubling up
 * to poll_max): the submitter re-sends the roles not yet decided here; a
 * token member that voted asks the origin. */
static ec_err
poll_entry(ecp_node *n, const ec_ctx *ctx, entry *e)
{
	ec_err err;
	uint32_t attempt = 0;
	for (uint32_t g = n->cfg.poll_first; g < e->poll_gap; g *= 2)
		attempt++;
	e->next_poll = n->now + e->poll_gap;
	e->poll_gap = e->poll_gap * 2 > n->cfg.poll_max ? n->cfg.poll_max : e->poll_gap * 2;
	if (e->mine) {
		for (uint32_t r = 0; r < e->nroles; r++) {
			ec_range w = e->win[r];
			uint16_t code = role_code(e->block, r);
			uint32_t yes = 0;
			for (uint32_t v = 0; v < e->nvotes; v++)
				yes += e->votes[v].role == code && e->votes[v].value > 0 &&
				       ec_range_contains(w, e->votes[v].voter);
			if (yes > n->cfg.threshold && (r == e->block->nparts || yes >= quorum(n)))
				continue;
			if ((err = repoll_role(n, ctx, e, r, attempt)))
				return err;
		}
		return EC_OK;
	}
	bool voted = false;
	for (uint32_t r = 0; r < e->block->nparts && !voted; r++)
		voted = (RF(e)[r] & RF_VOTED) != 0;
	if (voted && e->origin) {
		ecp_item it = {.kind = ECP_POLL, .block_id = e->id};
		return send_item(n, ctx, e->origin, &it);
	}
	return EC_OK;
}

/* Drops the entries whose time is up (DUE_DROP) unless a yes of mine
 * could still count through them, and releases an emptied pool: a million
 * mostly idle nodes must not each keep their busiest round's pool. */
static void
forget(ecp_node *n, const ec_ctx *ctx)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *e = &n->pool[i];
		bool drop = n->now >= due(n, e, DUE_DROP) &&
		            !(e->state != ST_COMMITTED && ecp__holds_yes(ctx, e));
		if (drop) {
			if (e->state == ST_PENDING)
				emit(ctx, n, EC_EV_EXPIRED, &e->id, 0);
			entry_free(ctx, e);
			continue;
		}
		if (k != i)
			n->pool[k] = *e;
		k++;
	}
	n->npool = k;
	if (k == 0 && n->pool) {
		ctx->realloc_fn(ctx->alloc_user, n->pool, n->poolcap * sizeof *n->pool, 0);
		n->pool = NULL;
		n->poolcap = 0;
	}
}

ec_err
ecp__tick(void *node, const ec_ctx *ctx)
{
	ecp_node *n = node;
	ec_err err;
	n->now++;
	if (n->m && (err = ecp__member_tick(n, ctx)))
		return err;
	/* certificates and votes that arrived this round, graces that ended */
	for (uint32_t i = 0; i < n->npool; i++)
		if (n->now >= due(n, &n->pool[i], DUE_TALLY) && (err = ecp__tally(n, ctx, &n->pool[i])))
			return err;
	if ((err = cast_votes(n, ctx)))
		return err;
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *e = &n->pool[i];
		/* the votes just cast (the loop above tallied whatever else was
		 * due, so a dirty flag is all that can be left) */
		if (e->dirty && (err = ecp__tally(n, ctx, e)))
			return err;
		if (n->now >= due(n, e, DUE_POLL) && (err = poll_entry(n, ctx, e)))
			return err;
		if (n->m && e->mine && (err = ecp__confirm_ahead(n, ctx, e)))
			return err;
	}
	forget(n, ctx);
	return n->nout ? ecp__flush(n, ctx) : EC_OK;
}
