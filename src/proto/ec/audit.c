/* SPDX-License-Identifier: MIT */
/*
 * Storage audits (member.h, docs/open-network.md "Storage audits"): with
 * cfg.audit set, a node whose own store is complete challenges each of its
 * w+1 nearest peers on each side, with the proof of storage of
 * ec/storage_proof.h, to show that it keeps the token mappings of the keys
 * whose windows the two share.  The first audit follows soon after the
 * peer says it is caught up (a joiner admitted on its identity is
 * confirmed by its first passes), the next every cfg.audit rounds.
 *
 * The point is one the peer cannot predict (my secret nonce), folded into
 * the overlap of our windows, so that I hold most of what the answer must
 * hold.  Mappings moved in the last AUDIT_SETTLE rounds are not checked: a
 * commit may still be on its way to one of us.  Every checked entry must
 * agree, but a failure is never final: the two stores first exchange
 * their mappings of the overlap, each with its certificate (repair, the
 * one behind takes the newer), and the peer is audited again at a fresh
 * point, the repair going again ahead of that audit.  AUDIT_STRIKES
 * failed audits in a row, or AUDIT_SILENT unanswered ones, evict the
 * peer: it leaves my peer list and its HELLOs are refused (member.c,
 * EVICT_KEEP).  So an honest node that missed a commit costs a repair; a
 * freeloader, which drops what it is sent, is evicted at its fourth
 * failure, three repairs later.
 *
 * Limits.  An audit proves that the peer produced the mappings within
 * audit_wait rounds, not that it keeps them: a peer that fetches them
 * from its neighbours when asked passes, at the cost of that fetch.  A
 * neighbourhood whose overlap holds no settled mapping I know tells
 * nothing (INCONCLUSIVE).  Only ring neighbours audit: a long-range peer
 * shares no windows with the node, and an eviction is not evidence others
 * can check (a PROOF is not signed), so it does not travel.
 */
#include <string.h>

#include "ec/storage_proof.h"
#include "proto/ec/member.h"

#define AUDIT_FIRST 4u   /* the first audit within this many rounds */
#define AUDIT_SETTLE 32u /* mappings younger than this are not checked */
/* Entries of 10 that must agree: all.  The proof of storage tolerates two
 * (EC_SP_MIN_AGREE) because one check must not condemn a node that merely
 * missed a transfer; here a failure is first repaired, so a node that
 * keeps failing has been handed the mappings and dropped them. */
#define AUDIT_AGREE EC_SP_ENTRIES
#define AUDIT_STRIKES 4u /* failed audits in a row that evict */
#define AUDIT_SILENT 6u  /* unanswered audits in a row that evict (messages
                            get lost: a few in a row are no evidence) */
#define AUDIT_UNANSWERED 0xFFu

/* Rounds an answer may take: a round trip with the delays of four
 * heartbeat timeouts. */
static uint64_t
audit_wait(const ecp_node *n)
{
	return 4u * (uint64_t)n->cfg.dead_after;
}

void
ecp_audit_point(uint64_t requester, uint64_t responder, const ecp_audit *a, ec_id *point)
{
	ec_sp_query q = {.requester = ec_id_expand(requester), .responder = ec_id_expand(responder),
	                 .nonce = a->nonce, .round = a->round};
	ec_sp_challenge(&q, point);
	uint64_t span = a->hi - a->lo + 1; /* 0: the whole ring */
	if (span)
		point->w[0] = a->lo + point->w[0] % span;
}

/* A stream over the node's secret: nonces its peers cannot predict. */
static uint64_t
secret_rand(ecp_member *m)
{
	return ecp__splitmix64(&m->secret);
}

/* ---- the stores as ordered views (ec_sp_view) ------------------------- */

typedef struct store_view {
	const ec_ctx *ctx;
	const ecp_store_ops *st;
	/* the known view only: token positions in [lo, hi] (wrapping), moved
	 * at or before `settled` */
	uint64_t lo, hi, settled;
} store_view;

static bool
near_up(const void *impl, const ec_id *x, ec_sp_mapping *out)
{
	const store_view *v = impl;
	return v->st->xtoken_near(v->ctx->store.impl, x, true, &out->token, &out->block);
}

static bool
near_down(const void *impl, const ec_id *x, ec_sp_mapping *out)
{
	const store_view *v = impl;
	return v->st->xtoken_near(v->ctx->store.impl, x, false, &out->token, &out->block);
}

static const ec_sp_view_ops whole_ops = {near_up, near_down};

/* Whether the known view holds mapping m (found inside its range): my
 * store maps it, moved long enough ago. */
static bool
known_keeps(const store_view *v, const ec_sp_mapping *m)
{
	ec_id block;
	uint64_t time;
	return v->st->xtoken_get(v->ctx->store.impl, &m->token, &block, &time) &&
	       time <= v->settled;
}

/* The known view's range as at most two linear intervals of positions,
 * ascending: returns how many. */
static int
intervals(const store_view *v, uint64_t lo[2], uint64_t hi[2])
{
	if (v->hi - v->lo + 1 == 0) { /* the whole ring */
		lo[0] = 0;
		hi[0] = UINT64_MAX;
		return 1;
	}
	if (v->lo <= v->hi) {
		lo[0] = v->lo;
		hi[0] = v->hi;
		return 1;
	}
	lo[0] = 0, hi[0] = v->hi;
	lo[1] = v->lo, hi[1] = UINT64_MAX;
	return 2;
}

static bool
known_up(const void *impl, const ec_id *x, ec_sp_mapping *out)
{
	const store_view *v = impl;
	uint64_t lo[2], hi[2];
	int k = intervals(v, lo, hi);
	for (int i = 0; i < k; i++) {
		if (hi[i] < ec_id_pos(x))
			continue;
		ec_id at = *x;
		if (ec_id_pos(x) < lo[i])
			at = (ec_id){{lo[i], 0, 0, 0}};
		while (v->st->xtoken_near(v->ctx->store.impl, &at, true, &out->token, &out->block) &&
		       ec_id_pos(&out->token) <= hi[i]) {
			if (known_keeps(v, out))
				return true;
			static const ec_id one = {{0, 0, 0, 1}};
			at = ec_id_add(&out->token, &one);
			if (ec_id_is_zero(&at))
				return false; /* stepped past the top of the ring */
		}
	}
	return false;
}

static bool
known_down(const void *impl, const ec_id *x, ec_sp_mapping *out)
{
	const store_view *v = impl;
	uint64_t lo[2], hi[2];
	int k = intervals(v, lo, hi);
	for (int i = k - 1; i >= 0; i--) {
		if (lo[i] > ec_id_pos(x))
			continue;
		ec_id at = *x;
		if (ec_id_pos(x) > hi[i])
			at = (ec_id){{hi[i], UINT64_MAX, UINT64_MAX, UINT64_MAX}};
		while (v->st->xtoken_near(v->ctx->store.impl, &at, false, &out->token, &out->block) &&
		       ec_id_pos(&out->token) >= lo[i]) {
			if (known_keeps(v, out))
				return true;
			if (ec_id_is_zero(&out->token))
				return false; /* the bottom of the ring */
			static const ec_id one = {{0, 0, 0, 1}};
			at = ec_id_sub(&out->token, &one);
		}
	}
	return false;
}

static const ec_sp_view_ops known_ops = {known_up, known_down};

/* ---- the auditor ------------------------------------------------------- */

/* My j-th nearest admitted peer above (j > 0) or below (j < 0), myself for
 * j = 0; 0 when I have too few peers. */
static uint64_t
at(const ecp_node *n, int j)
{
	if (j == 0)
		return n->pos;
	return j > 0 ? ecp__member_nth(n, 1, (uint32_t)j) : ecp__member_nth(n, 0, (uint32_t)-j);
}

/* The keys whose windows hold both me and q, my rank-th nearest peer on
 * `side`: a node Y is in the window of the keys in (its (w+1)-th
 * neighbour below, its w-th above], so with q the k-th above me the
 * overlap is (my (w+1-k)-th below, my w-th above], and with q the k-th
 * below me (my (w+1)-th below, my (w-k)-th above].  The whole ring
 * (lo = hi + 1) when I have too few peers to say. */
static void
overlap(const ecp_node *n, int side, uint32_t rank, uint64_t *lo, uint64_t *hi)
{
	const int w = (int)n->cfg.window, k = (int)rank;
	const int ja = side ? -(w + 1 - k) : -(w + 1), jb = side ? w : w - k;
	uint64_t a = at(n, ja), b = at(n, jb);
	/* too few peers to tell where our windows end: the whole ring */
	if ((ja && !a) || (jb && !b) || n->peers.len < 2 * n->cfg.window + 2) {
		*lo = 0;
		*hi = UINT64_MAX;
		return;
	}
	*lo = a + 1;
	*hi = b;
}

static ecp_audit_slot *
slot_of(ecp_member *m, uint64_t peer)
{
	for (uint32_t i = 0; i < m->naud; i++)
		if (m->aud[i].peer == peer)
			return &m->aud[i];
	return NULL;
}

static void
slot_drop(ecp_member *m, ecp_audit_slot *s)
{
	*s = m->aud[--m->naud];
}

bool
ecp__audit_repairing(ecp_node *n, uint64_t from)
{
	const mpeer *p = ecp__member_find(n, from);
	/* long enough for the repair that goes with the next audit too */
	return n->cfg.audit && p && p->state == MP_PEER && p->repair_at &&
	       n->now - p->repair_at <= 2 * audit_wait(n);
}

/* After a failed audit the two stores are made to agree on the overlap:
 * mine goes to the peer, and I ask for its own (the one of us that is
 * behind takes the other's newer mappings, each with its certificate,
 * as catch-up does).  An honest peer that merely missed a commit then
 * passes the next audit; a freeloader drops what it is sent and fails
 * again. */
static ec_err
repair(ecp_node *n, const ec_ctx *ctx, const ecp_audit_slot *s)
{
	mpeer *p = ecp__member_find(n, s->peer);
	if (p)
		p->repair_at = n->now;
	ec_err err = ecp__catchup_push(n, ctx, s->peer, s->lo, s->hi);
	if (err)
		return err;
	ecp_sync *q = ecp__member_body(n, ctx, sizeof *q);
	if (!q)
		return EC_ENOMEM;
	*q = (ecp_sync){.lo = s->lo, .hi = s->hi};
	ecp_item it = {.kind = ECP_SYNC, .sync = q};
	return send_item(n, ctx, s->peer, &it);
}

/* An audit ended with verdict v (an ec_sp_verdict, or AUDIT_UNANSWERED). */
static ec_err
audit_end(ecp_node *n, const ec_ctx *ctx, ecp_audit_slot *s, unsigned v)
{
	ecp_member *m = n->m;
	uint64_t peer = s->peer;
	bool silent = v == AUDIT_UNANSWERED;
	bool fail = !silent && v != EC_SP_PASS && v != EC_SP_INCONCLUSIVE;
	s->strikes = fail ? (uint8_t)(s->strikes + 1) : silent ? s->strikes : 0;
	s->silent = silent ? (uint8_t)(s->silent + 1) : 0;
	/* after a failure, again at a fresh point once the repair is in; after
	 * silence, again at once */
	s->due = n->now + (fail ? 2u * (uint64_t)n->cfg.dead_after : silent ? 0 : n->cfg.audit);
	bool evict = s->strikes >= AUDIT_STRIKES || s->silent >= AUDIT_SILENT;
	if (ctx->event)
		ctx->event(ctx->event_user, n->pos, EC_EV_AUDIT, peer, v | (evict ? 1u << 8 : 0));
	ec_err err = fail && !evict ? repair(n, ctx, s) : EC_OK;
	s->sent = 0;
	if (err || !evict)
		return err;
	slot_drop(m, s);
	return ecp__member_evict(n, ctx, peer);
}

static ec_err
send_audit(ecp_node *n, const ec_ctx *ctx, ecp_audit_slot *s, int side, uint32_t rank)
{
	ecp_audit *a = ecp__member_body(n, ctx, sizeof *a);
	if (!a)
		return EC_ENOMEM;
	*a = (ecp_audit){.nonce = secret_rand(n->m), .round = n->now};
	overlap(n, side, rank, &a->lo, &a->hi);
	s->sent = n->now;
	s->nonce = a->nonce;
	s->lo = a->lo;
	s->hi = a->hi;
	/* after a failure the repair goes again, ahead of the audit in the
	 * same envelope: the peer takes my mappings before it answers, and
	 * its own reach me with its answer; one lost envelope must not make
	 * an honest peer fail again */
	ec_err err = s->strikes ? repair(n, ctx, s) : EC_OK;
	if (err)
		return err;
	ecp_item it = {.kind = ECP_AUDIT, .audit = a};
	return send_item(n, ctx, s->peer, &it);
}

ec_err
ecp__audit_tick(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	const uint32_t w1 = n->cfg.window + 1;
	if (!ecp_store(&ctx->store)->xtoken_near)
		return EC_OK; /* my store cannot be searched by position */
	for (int side = 0; side < 2; side++)
		for (uint32_t k = 1; k <= w1 && k <= n->peers.len; k++) {
			uint64_t q = ecp__member_nth(n, side, k);
			const mpeer *p = q ? ecp__member_find(n, q) : NULL;
			if (!p || !p->ready)
				continue; /* catching up: nothing to prove yet */
			ecp_audit_slot *s = slot_of(m, q);
			if (s && s->seen == n->now)
				continue; /* a small ring: the same peer on both sides */
			if (!s) {
				if (!grow(ctx, (void **)&m->aud, &m->audcap, m->naud + 1, sizeof *m->aud))
					return EC_ENOMEM;
				s = &m->aud[m->naud++];
				*s = (ecp_audit_slot){.peer = q,
				                      .due = n->now + 1 + secret_rand(m) % AUDIT_FIRST};
			}
			s->seen = n->now;
			ec_err err = EC_OK;
			if (s->sent && n->now - s->sent > audit_wait(n))
				err = audit_end(n, ctx, s, AUDIT_UNANSWERED);
			else if (!s->sent && n->now >= s->due)
				err = send_audit(n, ctx, s, side, k);
			if (err)
				return err;
		}
	/* neighbours no longer among my w+1 nearest are no longer audited */
	for (uint32_t i = 0; i < m->naud;)
		if (m->aud[i].seen == n->now)
			i++;
		else
			slot_drop(m, &m->aud[i]);
	return EC_OK;
}

/* PROOF: the answer to my audit of `from`, checked against my own store. */
static ec_err
on_proof(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_proof *pr)
{
	ecp_member *m = n->m;
	ecp_audit_slot *s = slot_of(m, from);
	if (!pr || !s || !s->sent || pr->nonce != s->nonce || pr->count > EC_SP_ENTRIES)
		return EC_OK; /* not an answer to an audit under way */
	ecp_audit a = {.nonce = s->nonce, .round = s->sent, .lo = s->lo, .hi = s->hi};
	ec_id point, who = ec_id_expand(from);
	ecp_audit_point(n->pos, from, &a, &point);
	ec_sp_answer ans = {.responder = who, .point = pr->point, .count = (uint8_t)pr->count};
	memcpy(ans.entries, pr->e, pr->count * sizeof *pr->e);
	uint64_t settle = n->now > AUDIT_SETTLE ? n->now - AUDIT_SETTLE : 0;
	store_view kv = {ctx, ecp_store(&ctx->store), s->lo, s->hi, settle};
	ec_sp_view known = {&known_ops, &kv};
	ec_sp_verdict v;
	ec_err err = ec_sp_verify_point(&who, &point, &ans, &known, AUDIT_AGREE, &v, NULL);
	return err ? err : audit_end(n, ctx, s, v);
}

/* AUDIT: my mappings nearest the point, to a peer I admitted (anyone else
 * could make me send 700 bytes for 34). */
static ec_err
on_audit(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_audit *a)
{
	const ecp_store_ops *st = ecp_store(&ctx->store);
	mpeer *p = ecp__member_find(n, from);
	if (!a || !st->xtoken_near || !p || p->state != MP_PEER)
		return EC_OK;
	ec_id point, me = ec_id_expand(n->pos);
	ecp_audit_point(from, n->pos, a, &point);
	store_view sv = {.ctx = ctx, .st = st};
	ec_sp_view view = {&whole_ops, &sv};
	ec_sp_answer ans;
	p->repair_at = n->now; /* if I fail, the auditor's mappings follow */
	if (ec_sp_answer_build(&me, &point, &view, &ans))
		return EC_OK; /* my store broke the view's contract: no answer */
	ecp_proof *pr = ecp__member_body(n, ctx, sizeof *pr + ans.count * sizeof *pr->e);
	if (!pr)
		return EC_ENOMEM;
	pr->nonce = a->nonce;
	pr->point = point;
	pr->count = ans.count;
	memcpy(pr->e, ans.entries, ans.count * sizeof *pr->e);
	ecp_item it = {.kind = ECP_PROOF, .proof = pr};
	return send_item(n, ctx, from, &it);
}

ec_err
ecp__audit_handle(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	if (it->kind == ECP_AUDIT)
		return on_audit(n, ctx, from, it->audit);
	return on_proof(n, ctx, from, it->proof);
}
