/* SPDX-License-Identifier: MIT */
/*
 * Catch-up (member.h, docs/open-network.md "Catch-up"): before a new or
 * returning node votes, it fetches from its nearest peer on each side the
 * token mappings of every key whose window it belongs to, each with the
 * block and the certificate that committed it, and keeps those that check
 * out.  Until both answers are complete it abstains: a node must never
 * vote on a view it should know is stale.
 */
#include <string.h>

#include "proto/ec/member.h"

/* Rounds, in units of dead_after, a catch-up answer may take before the
 * request goes to the next peer on that side. */
#define SYNC_PATIENCE 4u
/* Rounds from ready to the refresh that closes the race between a
 * catch-up and the commits in flight, and between later refreshes. */
#define RESYNC_FIRST 12u
#define RESYNC_EVERY 64u

/* SYNC(lo, hi, after) to `to`. */
static ec_err
ask(ecp_node *n, const ec_ctx *ctx, uint64_t to, uint64_t lo, uint64_t hi, const ec_id *after)
{
	ecp_sync *s = ecp__member_body(n, ctx, sizeof *s);
	if (!s)
		return EC_ENOMEM;
	*s = (ecp_sync){.lo = lo, .hi = hi, .after = *after};
	ecp_item it = {.kind = ECP_SYNC, .sync = s};
	return send_item(n, ctx, to, &it);
}

static ec_err
send_sync(ecp_node *n, const ec_ctx *ctx, int side)
{
	ecp_member *m = n->m;
	m->sync_at[side] = n->now;
	return ask(n, ctx, m->sync_peer[side], m->sync_lo, m->sync_hi, &m->sync_after[side]);
}

/* The keys whose window I belong to lie between my (w+1)-th neighbour
 * below and my (w+1)-th above; a node with fewer peers asks for the whole
 * ring. */
static void
sync_range(const ecp_node *n, uint64_t *lo, uint64_t *hi)
{
	uint32_t k = n->cfg.window + 1;
	if (n->peers.len < 2 * k + 1) {
		*lo = n->pos + 1;
		*hi = n->pos;
		return;
	}
	*lo = ecp__member_nth(n, 0, k);
	*hi = ecp__member_nth(n, 1, k);
}

ec_err
ecp__catchup_tick(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	ec_err err;
	if (!m->syncing) {
		if (n->peers.len == 0)
			return EC_OK; /* nobody to ask yet */
		/* every caught-up node among my w+1 nearest on each side holds
		 * part of what I need (each the keys of its own windows): all of
		 * them, not just the nearest, offer theirs */
		bool offered = true;
		if (!m->ready && ((err = ecp__member_offers(n, ctx, &offered)) || !offered))
			return err;
		m->syncing = 1;
		sync_range(n, &m->sync_lo, &m->sync_hi);
		for (int side = 0; side < 2; side++) {
			m->sync_peer[side] = ecp__member_ready_peer(n, side, 0);
			m->sync_after[side] = (ec_id){0};
			m->sync_done[side] = 0;
			/* its WELCOME brought the mappings already (not for a
			 * refresh, which is about what came since) */
			for (uint32_t k = 0; k < m->nsynced && !m->ready; k++)
				m->sync_done[side] |= m->synced[k] == m->sync_peer[side];
		}
		if (!m->sync_peer[0] && !m->sync_peer[1]) {
			m->syncing = 0; /* nobody caught up to ask yet */
			return EC_OK;
		}
		for (int side = 0; side < 2; side++) /* a side with nobody to ask */
			if (!m->sync_peer[side]) {
				m->sync_peer[side] = m->sync_peer[1 - side];
				m->sync_done[side] = m->sync_done[1 - side];
			}
		/* one peer for both sides: one exchange */
		m->sync_done[1] |= m->sync_peer[1] == m->sync_peer[0];
		for (int side = 0; side < 2; side++)
			if (!m->sync_done[side] && (err = send_sync(n, ctx, side)))
				return err;
	}
	for (int side = 0; side < 2; side++) {
		if (m->sync_done[side] ||
		    n->now - m->sync_at[side] < SYNC_PATIENCE * (uint64_t)n->cfg.dead_after)
			continue;
		/* no answer: the next peer on that side, from the start */
		uint64_t next = ecp__member_ready_peer(n, side, m->sync_peer[side]);
		if (next)
			m->sync_peer[side] = next;
		m->sync_after[side] = (ec_id){0};
		if ((err = send_sync(n, ctx, side)))
			return err;
	}
	if (m->sync_done[0] && m->sync_done[1]) {
		m->syncing = 0;
		/* once more soon (commits that raced with this catch-up: a
		 * neighbour may have answered before one reached it), then now
		 * and then (my windows grow when a neighbour dies) */
		m->next_resync = n->now + (m->ready ? RESYNC_EVERY : RESYNC_FIRST);
		m->refreshed |= m->ready;
		if (!m->ready) {
			m->ready_at = n->now;
			m->ready = 1;
			/* what I submitted while catching up leaves now */
			for (uint32_t i = 0; i < n->npool; i++)
				if (n->pool[i].mine == MINE_HELD && (err = ecp__launch(n, ctx, &n->pool[i])))
					return err;
		}
	}
	return EC_OK;
}

/* The part of b that moves token, or nparts. */
static uint32_t
part_of(const ecp_block *b, const ec_id *token)
{
	for (uint32_t r = 0; r < b->nparts; r++)
		if (ec_id_eq(&b->parts[r].token, token))
			return r;
	return b->nparts;
}

/* SYNC: the mappings my store holds in the range, a batch at a time. */
static ec_err
answer(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_sync *q)
{
	const ecp_store_ops *st = ecp_store(&ctx->store);
	ec_id tokens[ECP_SYNC_BATCH], blocks[ECP_SYNC_BATCH];
	size_t got = st->xtoken_scan ? st->xtoken_scan(ctx->store.impl, q->lo, q->hi, &q->after,
	                                                tokens, blocks, ECP_SYNC_BATCH)
	                             : 0;
	ec_err err;
	for (size_t i = 0; i < got; i++) {
		const ecp_block *b;
		const ecp_cert *c;
		/* a block goes once a batch: the asker takes every part of it in
		 * its range (take), and a create of 200 tokens sent once per
		 * token was 200 copies, enough to overflow a socket's buffer */
		bool again = false;
		for (size_t k = 0; k < i && !again; k++)
			again = ec_id_eq(&blocks[k], &blocks[i]);
		if (again || !st->xblock_get(ctx->store.impl, &blocks[i], &b, &c) || !b || !c)
			continue;
		uint32_t r = part_of(b, &tokens[i]);
		if (r == b->nparts)
			continue;
		ecp_item it = {.kind = ECP_COMMIT, .flags = ECP_F_SYNC, .role = (uint16_t)r,
		               .block_id = b->id, .block = b, .cert = c};
		if ((err = send_item(n, ctx, from, &it)))
			return err;
	}
	ecp_sync *s = ecp__member_body(n, ctx, sizeof *s);
	if (!s)
		return EC_ENOMEM;
	*s = (ecp_sync){.lo = q->lo, .hi = q->hi, .after = got ? tokens[got - 1] : q->after,
	                .more = got == ECP_SYNC_BATCH};
	ecp_item it = {.kind = ECP_SYNCED, .sync = s};
	return send_item(n, ctx, from, &it);
}

ec_err
ecp__catchup_push(ecp_node *n, const ec_ctx *ctx, uint64_t to, uint64_t lo, uint64_t hi)
{
	ecp_sync q = {.lo = lo, .hi = hi};
	return answer(n, ctx, to, &q);
}

/* The k-th smallest of v[0..n-1] (n <= 256, k from 1), by selection. */
static uint64_t
kth_smallest(uint64_t *v, uint32_t n, uint32_t k)
{
	for (uint32_t a = 0; a < k; a++)
		for (uint32_t b = a + 1; b < n; b++)
			if (v[b] < v[a]) {
				uint64_t t = v[a];
				v[a] = v[b];
				v[b] = t;
			}
	return v[k - 1];
}

ec_err
ecp__catchup_offer(ecp_node *n, const ec_ctx *ctx, uint64_t who)
{
	/* who's (w+2)-th neighbour on each side among my peers and me (one
	 * more than its windows need: my view may differ from its own) */
	uint32_t k = n->cfg.window + 2, cnt = 0;
	uint64_t up[256], dn[256];
	for (uint32_t i = 0; i <= n->peers.len && cnt < 256; i++) {
		uint64_t p = i < n->peers.len ? n->peers.ids[i] : n->pos;
		if (p == who)
			continue;
		up[cnt] = p - who;
		dn[cnt++] = who - p;
	}
	ecp_sync q = {.lo = who + 1, .hi = who}; /* the whole ring */
	if (cnt >= 2 * k) {
		q.hi = who + kth_smallest(up, cnt, k);
		q.lo = who - kth_smallest(dn, cnt, k);
	}
	return answer(n, ctx, who, &q);
}

/* Whether cert shows a quorum of distinct yes voters on part r.  Not
 * where they sit: a certificate is checked against the window of the day
 * it was made, and a network that grew since (twenty nodes a round, say)
 * spreads an old window's voters over a span my view no longer puts near
 * the token.  Checking that span refused most old certificates in the
 * growth runs (docs/results.md), so joiners voted no on tokens they
 * should have known.  What protects catch-up from a lying neighbour is
 * then only the block's hash and the vote count: issue 16's (signed
 * votes, several neighbours' agreement). */
bool
ecp__cert_quorum(const ecp_node *n, const ecp_cert *c, uint32_t r)
{
	uint32_t yes = 0, need = n->cfg.quorum ? n->cfg.quorum : n->cfg.window + 1;
	for (uint32_t i = 0; i < c->n; i++) {
		const ecp_vote *v = &c->v[i];
		if (v->role != r || v->value <= 0)
			continue;
		bool again = false;
		for (uint32_t k = 0; k < i && !again; k++)
			again = c->v[k].voter == v->voter && c->v[k].role == r && c->v[k].value > 0;
		yes += !again;
	}
	return yes >= need;
}

static ec_err take_counted(ecp_node *n, const ec_ctx *ctx, const ecp_item *it,
                           const ecp_cert *counted);

/* The mappings a catch-up answer brought with one block: its part
 * it->role, and every other part whose token lies in my range (the
 * answerer sends a block once a batch), each kept if the certificate
 * shows its quorum and it is newer than mine. */
static ec_err
take(ecp_node *n, const ec_ctx *ctx, const ecp_item *it)
{
	const ecp_block *b = it->block;
	ec_err err;
	if (!b || !it->cert || !ec_id_eq(&b->id, &it->block_id) || it->role >= b->nparts ||
	    !ecp__body_ok(n, ctx, b))
		return EC_OK;
	/* under signed votes, only the yes votes whose signatures verify */
	const ecp_cert *counted;
	if ((err = ecp__cert_filter(n, ctx, b, it->cert, &counted)))
		return err;
	err = take_counted(n, ctx, it, counted);
	ecp__cert_release(ctx, it->cert, counted);
	return err;
}

/* take, with the certificate's votes that count for me. */
static ec_err
take_counted(ecp_node *n, const ec_ctx *ctx, const ecp_item *it, const ecp_cert *counted)
{
	const ecp_block *b = it->block;
	const ecp_store_ops *st = ecp_store(&ctx->store);
	ec_err err;
	if (!ecp__cert_quorum(n, counted, it->role))
		return EC_OK;
	uint64_t lo, hi;
	sync_range(n, &lo, &hi);
	bool stored = false;
	for (uint32_t r = 0; r < b->nparts; r++) {
		/* the named part is kept even outside my windows (the
		 * certificate is what makes it safe to take) */
		const ec_id *token = &b->parts[r].token;
		if (r != it->role &&
		    (ec_id_pos(token) - lo > hi - lo || !ecp__cert_quorum(n, counted, r)))
			continue;
		ec_id cur;
		uint64_t t;
		if (st->xtoken_get(ctx->store.impl, token, &cur, &t) && t >= b->time)
			continue; /* never move a mapping backwards */
		if (!stored && !st->xblock_get(ctx->store.impl, &b->id, NULL, NULL) &&
		    (err = st->xblock_put(ctx->store.impl, b, it->cert)))
			return err;
		stored = true;
		if ((err = st->xtoken_put(ctx->store.impl, token, &b->id, b->time)))
			return err;
	}
	return EC_OK;
}

ec_err
ecp__catchup_handle(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	ecp_member *m = n->m;
	switch (it->kind) {
	case ECP_SYNC: return it->sync ? answer(n, ctx, from, it->sync) : EC_OK;
	case ECP_COMMIT:
		return m->ready && !m->syncing && !ecp__audit_repairing(n, from) ? EC_OK
		                                                                  : take(n, ctx, it);
	case ECP_SYNCED:
		if ((m->ready && !m->syncing) || !it->sync)
			return EC_OK;
		if (!m->syncing) {
			/* an offer that came with a WELCOME: a neighbour holding
			 * more than a batch stops at ECP_SYNC_BATCH mappings, and
			 * I ask it for the rest, batch after batch, as a catch-up
			 * does; only a complete offer counts (ecp__member_offers) */
			if (it->sync->more)
				return ask(n, ctx, from, it->sync->lo, it->sync->hi, &it->sync->after);
			if (m->nsynced < 32)
				m->synced[m->nsynced++] = from;
			return EC_OK;
		}
		for (int side = 0; side < 2; side++) {
			if (m->sync_done[side] || m->sync_peer[side] != from)
				continue;
			if (!it->sync->more) {
				m->sync_done[side] = 1;
			} else {
				m->sync_after[side] = it->sync->after;
				ec_err err = send_sync(n, ctx, side);
				if (err)
					return err;
			}
		}
		return EC_OK;
	default: return EC_OK;
	}
}

bool
ecp__catchup_settling(const ecp_node *n)
{
	const ecp_member *m = n->m;
	return m && m->ready && !m->refreshed && n->now < m->ready_at + 2 * RESYNC_FIRST;
}
