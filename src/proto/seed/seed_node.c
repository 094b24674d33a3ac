/* SPDX-License-Identifier: MIT */
/*
 * The seed protocol's node: message handling and the per-tick vote loop
 * (seed-protocol.md §2.4-2.5).  This is a faithful replay of the reference, so the
 * reference's odd rules are kept and marked "(ref)": votes of untrusted
 * senders for pending blocks are dropped, a negative supermajority commits,
 * undecided blocks re-vote every tick without back-off, and tokens are
 * stored only inside the node's own 9-peer window.
 */
#include "ec/seed.h"

#include <string.h>

#include "ec/rng.h"

#define WITNESS_BIT (1u << 6)

typedef enum { REQ_VOTE, REQ_PARENT, REQ_PARENTCOMMIT } req_kind;

typedef struct req {
	uint64_t key;      /* sort key: token, parent, or block */
	ec_block_id block;
	uint8_t kind;
	uint8_t mask;
	bool positive;
	bool blocked;      /* vote blanked by conflict detection */
} req;

static void
emit_event(const ec_ctx *ctx, const ec_seed_node *n, ec_event ev, ec_block_id b, uint64_t arg)
{
	if (ctx->event)
		ctx->event(ctx->event_user, n->id, ev, b, arg);
}

uint64_t
ec_seed_order_key(const ec_seed_node *node, ec_block_id id)
{
	return node->salted ? ec_mix64(id ^ node->order_k) : 0;
}

static ec_err
send_msg(const ec_ctx *ctx, const ec_seed_node *n, ec_peer_id to, uint64_t ticket, ec_msg *m)
{
	m->sender = n->id;
	m->receiver = to;
	m->ticket = ticket;
	m->time = n->time;
	return ctx->send(ctx->send_user, m);
}

static ec_err
send_vote(const ec_ctx *ctx, const ec_seed_node *n, ec_peer_id to, ec_block_id b, uint8_t vote,
          bool reply)
{
	ec_msg m = {.type = EC_MSG_VOTE};
	m.u.vote.block_id = b;
	m.u.vote.vote = vote;
	m.u.vote.reply = reply;
	return send_msg(ctx, n, to, 0, &m);
}

static ec_err
send_query_block(const ec_ctx *ctx, const ec_seed_node *n, ec_peer_id to, uint64_t env_ticket,
                 ec_block_id b, ec_peer_id target, uint64_t qticket)
{
	ec_msg m = {.type = EC_MSG_QUERY_BLOCK};
	m.u.query.id = b;
	m.u.query.target = target;
	m.u.query.ticket = qticket;
	return send_msg(ctx, n, to, env_ticket, &m);
}

/* status(): the entry's state if any, else Commit if the block store has it. */
static int
block_status(const ec_seed_node *n, const ec_ctx *ctx, ec_block_id b,
             const ec_pool_entry **entry)
{
	const ec_pool_entry *e = ec_mempool_find(&n->pool, b);
	*entry = e;
	if (e)
		return e->state;
	if (ec_seed_store(&ctx->store)->block_get(ctx->store.impl, b))
		return EC_STATE_COMMIT;
	return -1;
}

/* query(): the entry's block, else the block store's copy. */
static const ec_block *
block_query(const ec_seed_node *n, const ec_ctx *ctx, ec_block_id b)
{
	if (b == 0)
		return NULL;
	const ec_pool_entry *e = ec_mempool_find(&n->pool, b);
	if (e && e->has_block)
		return &e->block;
	return ec_seed_store(&ctx->store)->block_get(ctx->store.impl, b);
}

static bool
has_voted(const ec_pool_entry *e, ec_peer_id sender)
{
	for (uint32_t i = 0; i < e->nvotes; i++)
		if (e->votes[i].peer == sender)
			return true;
	return false;
}

static ec_err
handle_vote(ec_seed_node *n, const ec_ctx *ctx, const ec_msg *m)
{
	ec_block_id b = m->u.vote.block_id;
	const ec_pool_entry *e;
	int st = block_status(n, ctx, b, &e);
	bool gated, trusted;
	ec_err err;

	switch (st) {
	case EC_STATE_PENDING:
		/* A sender already recorded on this entry was trusted then, and trust
		 * is never withdrawn: most votes are such repeats (re-voting every
		 * tick), so they skip the peer-list search. */
		trusted = has_voted(e, m->sender) ||
		          ec_peers_trusted(&n->peers, m->sender);
		if (!trusted) { /* (ref) the sender is not added as a peer here */
			emit_event(ctx, n, EC_EV_VOTE_UNTRUSTED, b, 0);
			return EC_OK;
		}
		emit_event(ctx, n, EC_EV_VOTE_TRUSTED, b, 0);
		err = ec_mempool_vote(&n->pool, ctx, b, m->u.vote.vote, m->sender, m->time,
		                      ec_seed_order_key(n, b), &gated);
		if (!err && gated)
			emit_event(ctx, n, EC_EV_POOL_FULL, b, 0);
		return err;
	case EC_STATE_COMMIT:
		emit_event(ctx, n, EC_EV_VOTE_COMMITTED, b, 0);
		return m->u.vote.reply ? send_vote(ctx, n, m->sender, b, EC_SEED_COMMITTED_VOTE, false)
		                       : EC_OK;
	case EC_STATE_BLOCKED:
		emit_event(ctx, n, EC_EV_VOTE_BLOCKED, b, 0);
		return m->u.vote.reply ? send_vote(ctx, n, m->sender, b, EC_SEED_BLOCKED_VOTE, false)
		                       : EC_OK;
	default:
		break;
	}
	if (ec_peers_trusted(&n->peers, m->sender)) {
		emit_event(ctx, n, EC_EV_VOTE_NEW_TRUSTED, b, 0);
		err = ec_mempool_vote(&n->pool, ctx, b, m->u.vote.vote, m->sender, m->time,
		                      ec_seed_order_key(n, b), &gated);
		if (err)
			return err;
		if (gated)
			emit_event(ctx, n, EC_EV_POOL_FULL, b, 0);
		return send_query_block(ctx, n, m->sender, 0, b, 0, EC_SEED_BREQ ^ b);
	}
	emit_event(ctx, n, EC_EV_VOTE_NEW_UNTRUSTED, b, 0);
	if (m->ticket > 0) {
		err = send_query_block(ctx, n, m->sender, 0, b, 0, EC_SEED_BREQ ^ b);
		if (err)
			return err;
	}
	/* (ref) an untrusted voter becomes trusted without any handshake */
	return ec_peers_add(&n->peers, ctx, n->id, m->sender, NULL);
}

static ec_err
handle_query_block(ec_seed_node *n, const ec_ctx *ctx, const ec_msg *m)
{
	ec_block_id b = m->u.query.id;
	ec_peer_id respond_to = m->u.query.target == 0 ? m->sender : m->u.query.target;
	uint64_t qt = m->u.query.ticket;
	const ec_block *blk = block_query(n, ctx, b);
	if (blk) {
		emit_event(ctx, n, EC_EV_QUERY_ANSWERED, b, 0);
		ec_msg r = {.type = EC_MSG_BLOCK};
		r.u.block.block = blk;
		return send_msg(ctx, n, respond_to, qt, &r);
	}
	if (!ec_peers_trusted(&n->peers, m->sender)) {
		uint64_t p[2];
		ec_peers_for(&n->peers, n->id, b, n->time, p);
		emit_event(ctx, n, EC_EV_QUERY_REFERRED, b, 0);
		ec_msg r = {.type = EC_MSG_REFERRAL};
		r.u.referral.token = b;
		r.u.referral.high = p[1];
		r.u.referral.low = p[0];
		return send_msg(ctx, n, m->sender, qt, &r);
	}
	if (((b ^ n->time) & 3) == 0) { /* (ref) forwarded a quarter of the time */
		emit_event(ctx, n, EC_EV_QUERY_FORWARDED, b, 0);
		return send_query_block(ctx, n, ec_peer_for(&n->peers, n->id, b, n->time), 0, b,
		                        respond_to, qt);
	}
	emit_event(ctx, n, EC_EV_QUERY_DROPPED, b, 0);
	return EC_OK;
}

static ec_err
offer_block(ec_seed_node *n, const ec_ctx *ctx, const ec_block *blk, bool *fresh)
{
	return ec_mempool_block(&n->pool, ctx, blk, n->time, ec_seed_order_key(n, blk->id), fresh);
}

static ec_err
seed_handle(void *node, const ec_ctx *ctx, const ec_msg *m)
{
	ec_seed_node *n = node;
	switch (m->type) {
	case EC_MSG_VOTE:
		return handle_vote(n, ctx, m);
	case EC_MSG_QUERY_BLOCK:
		return handle_query_block(n, ctx, m);
	case EC_MSG_BLOCK: {
		const ec_block *blk = m->u.block.block;
		if (!blk)
			return EC_OK;
		if (m->ticket == (EC_SEED_BREQ ^ blk->id) || m->ticket == (EC_SEED_PREQ ^ blk->id)) {
			bool fresh;
			ec_err err = offer_block(n, ctx, blk, &fresh);
			if (!err)
				emit_event(ctx, n, fresh ? EC_EV_BLOCK_NEW : EC_EV_BLOCK_DUPLICATE,
				           blk->id, 0);
			return err;
		}
		return EC_OK; /* validate_with: no effect in the reference (seed-protocol.md §2.7) */
	}
	default:
		/* QueryToken (proof of storage against an always-empty store), Answer
		 * and Referral never change consensus state in the seed protocol. */
		return EC_OK;
	}
}

/* Appends to a request list that starts on the stack and moves to the heap. */
typedef struct req_list {
	req *v;
	uint32_t len, cap;
	bool heap;
} req_list;

static ec_err
req_push(req_list *l, const ec_ctx *ctx, req r)
{
	if (l->len == l->cap) {
		uint32_t cap = l->cap * 2;
		req *v = ctx->realloc_fn(ctx->alloc_user, l->heap ? l->v : NULL,
		                         l->heap ? l->cap * sizeof *v : 0, cap * sizeof *v);
		if (!v)
			return EC_ENOMEM;
		if (!l->heap)
			memcpy(v, l->v, l->len * sizeof *v);
		l->v = v;
		l->cap = cap;
		l->heap = true;
	}
	l->v[l->len++] = r;
	return EC_OK;
}

static void
req_free(req_list *l, const ec_ctx *ctx)
{
	if (l->heap)
		ctx->realloc_fn(ctx->alloc_user, l->v, l->cap * sizeof *l->v, 0);
}

static bool
req_less(const req *a, const req *b)
{
	return a->key < b->key || (a->key == b->key && !a->positive && b->positive);
}

/* Stable insertion sort: request lists are short (tens at most). */
static void
req_sort(req *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		req x = v[i];
		uint32_t j = i;
		while (j > 0 && req_less(&x, &v[j - 1])) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

typedef struct eval {
	uint32_t idx;  /* pool index (stable during a tick) */
	uint8_t mask;
} eval;

static void
tally(ec_seed_node *n, ec_pool_entry *e)
{
	const ec_block *b = &e->block;
	const ec_range *rng = e->ranges;
	int bal[EC_TOKENS_PER_BLOCK] = {0};
	if (!e->ranges_ok || e->ranges_version != n->peers.version) {
		for (uint32_t i = 0; i < b->used; i++)
			e->ranges[i] = ec_peer_range(&n->peers, b->parts[i].token);
		e->ranges[EC_TOKENS_PER_BLOCK] = ec_peer_range(&n->peers, e->id);
		e->ranges_ok = true;
		e->ranges_version = n->peers.version;
	}
	const ec_range wit = e->ranges[EC_TOKENS_PER_BLOCK];
	uint32_t wcount = 0;
	for (uint32_t v = 0; v < e->nvotes; v++) {
		const ec_vote_rec *r = &e->votes[v];
		for (uint32_t i = 0; i < b->used; i++)
			if (ec_range_contains(rng[i], r->peer))
				bal[i] += (r->vote >> i & 1) ? 1 : -1;
		if (ec_range_contains(wit, r->peer))
			wcount++; /* counted whatever the vote value (ref) */
	}
	e->remaining = wcount <= EC_VOTE_THRESHOLD ? WITNESS_BIT : 0;
	e->negative = false;
	for (uint32_t i = 0; i < b->used; i++) {
		if (bal[i] >= -EC_VOTE_THRESHOLD && bal[i] <= EC_VOTE_THRESHOLD)
			e->remaining |= (uint8_t)(1u << i);
		else if (bal[i] < -EC_VOTE_THRESHOLD)
			e->negative = true; /* (ref) a negative supermajority also decides */
	}
	e->updated = false;
}

/* Writes a token mapping unless a strictly newer one is stored (seed-protocol.md §1.4). */
static ec_err
token_set(const ec_ctx *ctx, ec_token_id t, ec_block_id b, uint64_t time)
{
	ec_block_id cur;
	uint64_t cur_time;
	if (ec_seed_store(&ctx->store)->token_get(ctx->store.impl, t, &cur, &cur_time) &&
	    !(cur_time < time))
		return EC_OK;
	return ec_seed_store(&ctx->store)->token_put(ctx->store.impl, t, b, time);
}

static ec_block_id
token_lookup(const ec_ctx *ctx, ec_token_id t)
{
	ec_block_id b;
	uint64_t time;
	return ec_seed_store(&ctx->store)->token_get(ctx->store.impl, t, &b, &time) ? b : 0;
}

/* Phase 1: evaluates every pending entry with a block against the token
 * store; entries that may vote go to evals, parent-commit requests (for a
 * token mapped to another block) to reqs. */
static ec_err
tick_evaluate(ec_seed_node *n, const ec_ctx *ctx, eval *evals, uint32_t *nevals,
              req_list *reqs)
{
	ec_err err;
	for (uint32_t k = 0; k < n->pool.len; k++) {
		const ec_pool_entry *e = &n->pool.e[k];
		if (e->state != EC_STATE_PENDING || !e->has_block)
			continue;
		emit_event(ctx, n, EC_EV_EVALUATED, e->id, 0);
		uint8_t mask = 0;
		bool can = true;
		for (uint32_t i = 0; i < e->block.used; i++) {
			ec_block_id cur = token_lookup(ctx, e->block.parts[i].token);
			if (cur == e->block.parts[i].last) {
				mask |= (uint8_t)(1u << i);
			} else if (cur != 0) {
				/* a different mapping: ask for the parent, do not vote (ref) */
				can = false;
				req r = {.key = e->block.parts[i].last, .block = e->block.parts[i].last,
				         .kind = REQ_PARENTCOMMIT};
				if ((err = req_push(reqs, ctx, r)))
					return err;
				emit_event(ctx, n, EC_EV_PARENT_COMMIT_REQ, e->id, r.block);
			}
		}
		if (can)
			evals[(*nevals)++] = (eval){k, mask};
	}
	return EC_OK;
}

/* Phase 2: tallies, marks commits (evals[].mask bit 7; *first_commit is the
 * first, or nevals) and requests the votes still missing.  Commits are
 * applied after, so evaluations within one tick all see one token store. */
static ec_err
tick_tally(ec_seed_node *n, const ec_ctx *ctx, eval *evals, uint32_t nevals,
           uint32_t *first_commit, req_list *reqs)
{
	ec_err err;
	*first_commit = nevals;
	for (uint32_t k = 0; k < nevals; k++) {
		ec_pool_entry *e = &n->pool.e[evals[k].idx];
		uint8_t mask = evals[k].mask;
		if (e->updated)
			tally(n, e);
		if (e->remaining == 0 && e->validate == 0) {
			e->state = EC_STATE_COMMIT;
			evals[k].mask |= 0x80;
			if (*first_commit == nevals)
				*first_commit = k;
			continue;
		}
		for (uint32_t i = 0; i < e->block.used; i++) {
			if (e->validate >> i & 1) {
				req r = {.key = e->block.parts[i].last, .block = e->id, .kind = REQ_PARENT};
				if ((err = req_push(reqs, ctx, r)))
					return err;
			}
			if (e->remaining >> i & 1) {
				req r = {.key = e->block.parts[i].token, .block = e->id, .kind = REQ_VOTE,
				         .mask = mask, .positive = (mask >> i & 1) != 0};
				if ((err = req_push(reqs, ctx, r)))
					return err;
				emit_event(ctx, n, EC_EV_VOTE_REQ_TOKEN, e->id, 0);
			}
		}
		if (e->remaining & WITNESS_BIT) {
			req r = {.key = e->id, .block = e->id, .kind = REQ_VOTE, .mask = mask,
			         .positive = false};
			if ((err = req_push(reqs, ctx, r)))
				return err;
			emit_event(ctx, n, EC_EV_VOTE_REQ_WITNESS, e->id, 0);
		}
	}
	return EC_OK;
}

/* Applies the batch: saves every committed block, then the token mappings
 * inside this node's own window, in commit order. */
static ec_err
tick_apply(ec_seed_node *n, const ec_ctx *ctx, const eval *evals, uint32_t nevals,
           uint32_t first_commit)
{
	ec_err err;
	for (uint32_t k = first_commit; k < nevals; k++) {
		if (!(evals[k].mask & 0x80))
			continue;
		const ec_pool_entry *e = &n->pool.e[evals[k].idx];
		if ((err = ec_seed_store(&ctx->store)->block_put(ctx->store.impl, &e->block)))
			return err;
		emit_event(ctx, n, EC_EV_COMMIT, e->id, e->negative);
	}
	ec_range mine = {0, 0};
	if (first_commit < nevals)
		mine = ec_peer_range(&n->peers, n->id);
	for (uint32_t k = first_commit; k < nevals; k++) {
		if (!(evals[k].mask & 0x80))
			continue;
		const ec_block *b = &n->pool.e[evals[k].idx].block;
		for (uint32_t i = 0; i < b->used; i++) {
			if (!ec_range_contains(mine, b->parts[i].token))
				continue;
			emit_event(ctx, n, EC_EV_TOKEN_WRITE, b->id, b->parts[i].token);
			if ((err = token_set(ctx, b->parts[i].token, b->id, b->time)))
				return err;
		}
	}
	return EC_OK;
}

/* Conflict detection on the sorted requests: two positive votes on one
 * token in this tick's output blank the later block's vote (transient,
 * seed-protocol.md §5 A13). */
static void
tick_blank_conflicts(ec_seed_node *n, const ec_ctx *ctx, req_list *reqs)
{
	ec_token_id last_tok = 0;
	for (uint32_t k = 0; k < reqs->len; k++) {
		req *r = &reqs->v[k];
		if (r->kind != REQ_VOTE || !r->positive)
			continue;
		if (r->key == last_tok) {
			for (uint32_t j = 0; j < reqs->len; j++)
				if (reqs->v[j].kind == REQ_VOTE && reqs->v[j].block == r->block)
					reqs->v[j].blocked = true;
			emit_event(ctx, n, EC_EV_VOTE_CONFLICT, r->block, r->key);
		}
		last_tok = r->key;
	}
}

/* Sends the requests in their sorted order. */
static ec_err
tick_send(ec_seed_node *n, const ec_ctx *ctx, const req_list *reqs)
{
	const uint64_t T = n->time;
	ec_err err = EC_OK;
	for (uint32_t k = 0; k < reqs->len && !err; k++) {
		const req *r = &reqs->v[k];
		switch (r->kind) {
		case REQ_VOTE: {
			uint64_t to[2];
			uint8_t v = r->blocked ? 0 : r->mask;
			ec_peers_for(&n->peers, n->id, r->key, T, to);
			if (!(err = send_vote(ctx, n, to[0], r->block, v, true)))
				err = send_vote(ctx, n, to[1], r->block, v, true);
			break;
		}
		case REQ_PARENT:
			/* Dormant (seed-protocol.md §2.7): asks for the child id with ticket 0 (ref). */
			if (!block_query(n, ctx, r->key))
				err = send_query_block(ctx, n, ec_peer_for(&n->peers, n->id, r->key, T), 0,
				                       r->block, 0, 0 ^ r->block);
			break;
		case REQ_PARENTCOMMIT:
			err = send_query_block(ctx, n, ec_peer_for(&n->peers, n->id, r->key, T), 0, r->key,
			                       0, EC_SEED_PREQ ^ r->key);
			break;
		}
	}
	return err;
}

/* The tick of a node with a non-empty pool: evaluate, tally, commit in a
 * batch, then send the requests sorted, conflicting votes blanked. */
static __attribute__((noinline)) ec_err
tick_busy(ec_seed_node *n, const ec_ctx *ctx)
{
	uint32_t expired = ec_mempool_cleanup(&n->pool, ctx, n->time);
	for (uint32_t i = 0; i < expired; i++)
		emit_event(ctx, n, EC_EV_EXPIRED, 0, 0);
	if (n->pool.len == 0)
		return EC_OK;

	req stack_reqs[64];
	req_list reqs = {stack_reqs, 0, 64, false};
	eval stack_evals[32];
	eval *evals = stack_evals;
	const uint32_t evals_cap = n->pool.len; /* no entry is added during a tick */
	if (evals_cap > 32) {
		evals = ctx->realloc_fn(ctx->alloc_user, NULL, 0, evals_cap * sizeof *evals);
		if (!evals)
			return EC_ENOMEM;
	}
	uint32_t nevals = 0, first_commit = 0;
	ec_err err = tick_evaluate(n, ctx, evals, &nevals, &reqs);
	if (!err)
		err = tick_tally(n, ctx, evals, nevals, &first_commit, &reqs);
	if (!err)
		err = tick_apply(n, ctx, evals, nevals, first_commit);
	if (!err) {
		req_sort(reqs.v, reqs.len);
		tick_blank_conflicts(n, ctx, &reqs);
		err = tick_send(n, ctx, &reqs);
	}
	req_free(&reqs, ctx);
	if (evals != stack_evals)
		ctx->realloc_fn(ctx->alloc_user, evals, evals_cap * sizeof *evals, 0);
	return err;
}

static ec_err
seed_tick(void *node, const ec_ctx *ctx)
{
	ec_seed_node *n = node;
	++n->time;
	if (n->pool.len == 0) /* the common case: nothing to expire or evaluate */
		return EC_OK;
	return tick_busy(n, ctx);
}

static ec_err
seed_node_init(void *node, ec_peer_id id, const void *config)
{
	ec_seed_node *n = node;
	const ec_seed_config *cfg = config;
	memset(n, 0, sizeof *n);
	n->id = id;
	ec_peers_init(&n->peers);
	ec_mempool_init(&n->pool);
	if (cfg && cfg->salted) {
		n->salted = true;
		n->order_k = (cfg->salt * 0x9E3779B97F4A7C15ull) | 1u;
	}
	return EC_OK;
}

static void
seed_node_fini(void *node, const ec_ctx *ctx)
{
	ec_seed_node *n = node;
	ec_peers_fini(&n->peers, ctx);
	ec_mempool_fini(&n->pool, ctx);
}

static ec_err
seed_set_peers(void *node, const ec_ctx *ctx, const uint64_t *sorted, size_t len)
{
	ec_seed_node *n = node;
	return ec_peers_assign(&n->peers, ctx, sorted, len);
}

static size_t
seed_peer_count(const void *node)
{
	return ((const ec_seed_node *)node)->peers.len;
}

static bool
seed_idle(const void *node)
{
	return ((const ec_seed_node *)node)->pool.len == 0;
}

static void
seed_advance(void *node, uint64_t ticks)
{
	((ec_seed_node *)node)->time += ticks;
}

static uint64_t
seed_now(const void *node)
{
	return ((const ec_seed_node *)node)->time;
}

static ec_err
seed_submit(void *node, const ec_ctx *ctx, const ec_txn *txn)
{
	if (txn->used > UINT8_MAX)
		return EC_EINVAL;
	/* a block with 6 or more parts is invalid and becomes Blocked in the
	 * pool, as in the reference; only the first 6 parts exist */
	ec_block b;
	memset(&b, 0, sizeof b);
	b.id = txn->id;
	b.time = txn->time;
	b.used = (uint8_t)txn->used;
	for (uint32_t i = 0; i < txn->used && i < EC_TOKENS_PER_BLOCK; i++) {
		b.parts[i] = txn->parts[i];
		if (txn->signatures) {
			b.signatures[i] = txn->signatures[i];
			b.sig_present |= (uint8_t)(1u << i);
		}
	}
	bool fresh;
	return offer_block(node, ctx, &b, &fresh);
}

static bool
seed_committed(const void *node, const ec_ctx *ctx, ec_block_id id, const ec_id *full)
{
	(void)node;
	(void)full;
	return ec_seed_store(&ctx->store)->block_get(ctx->store.impl, id) != NULL;
}

const ec_protocol ec_protocol_seed = {
	.name = "seed",
	.config = &ec_seed_config_ops,
	.store_api = EC_SEED_STORE_API,
	.msg = &ec_seed_msg_ops,
	.node_size = sizeof(ec_seed_node),
	.max_block_tokens = EC_TOKENS_PER_BLOCK - 1,
	.node_init = seed_node_init,
	.node_fini = seed_node_fini,
	.set_peers = seed_set_peers,
	.peer_count = seed_peer_count,
	.idle = seed_idle,
	.advance = seed_advance,
	.now = seed_now,
	.submit = seed_submit,
	.committed = seed_committed,
	.handle = seed_handle,
	.tick = seed_tick,
};
