/* SPDX-License-Identifier: MIT */
/*
 * The ec protocol's table (ec/ecp.h, ec/protocol.h): configuration, the
 * node's life cycle, its peers, and submitting a transaction.  The node's
 * internals are described in node.h.
 */
#include "proto/ec/member.h"
#include "proto/ec/node.h"

#include <string.h>

#include "ec/lifecycle.h"
#include "ec/wire.h"

void
ecp_config_default(ecp_config *c)
{
	*c = (ecp_config){.window = 4, .threshold = 2, .quorum = 0, .fanout = 2, .max_hops = 24,
	                  .poll_first = 8, .poll_max = 16, .fetch_cooldown = 5, .linger = 2,
	                  .expiry = 96, .batch = 1, .degree = 64, .probe = 1, .dead_after = 4,
	                  .witness_min = 2};
}

const char *
ecp_config_check(const ecp_config *c)
{
	if (c->window < 1 || c->window > 64)
		return "the ec window must be between 1 and 64";
	if (c->quorum > 2 * c->window + 1)
		return "the ec quorum cannot exceed the 2w+1 members of a window";
	if (c->threshold > 2 * c->window + 1)
		return "the ec threshold cannot exceed the 2w+1 members of a window";
	if (c->fanout < 1 || c->fanout > 16)
		return "the ec fanout must be between 1 and 16";
	if (c->poll_first < 1 || c->poll_max < c->poll_first)
		return "ec polling needs 1 <= first <= max";
	if (c->grace > 64)
		return "the ec commit grace must be at most 64 rounds";
	if (c->defences & ~(uint32_t)ECP_DEF_ALL)
		return "unknown ec defence";
	if ((c->defences & ECP_DEF_CONVICT) && !(c->defences & ECP_DEF_SIGNED))
		return "the convict defence needs signed votes (defences signed,convict)";
	if (c->witness_min > 16)
		return "at most 16 witness tokens can be required";
	if (c->degree < 8 || c->degree > 4096)
		return "the ec peer degree must be between 8 and 4096";
	if (c->probe < 1 || c->probe > 64)
		return "the ec heartbeat period must be between 1 and 64 rounds";
	if (c->dead_after <= c->probe || c->dead_after > 1000)
		return "the ec dead-peer timeout must exceed the heartbeat period, at most 1000";
	if (c->audit > 100000)
		return "the ec storage audit period must be at most 100000 rounds (0: no audits)";
	return NULL;
}

/* ---- the protocol table ----------------------------------------------- */

static ec_err
ec_node_init(void *node, ec_peer_id id, const void *config)
{
	ecp_node *n = node;
	memset(n, 0, sizeof *n);
	n->pos = id;
	if (config)
		n->cfg = *(const ecp_config *)config;
	else
		ecp_config_default(&n->cfg);
	if (ecp_config_check(&n->cfg))
		return EC_EINVAL;
	ec_peers_init(&n->peers);
	n->lat16 = 16 * n->cfg.poll_first;
	return EC_OK;
}

static void
ec_node_fini(void *node, const ec_ctx *ctx)
{
	ecp_node *n = node;
	for (uint32_t i = 0; i < n->npool; i++)
		entry_free(ctx, &n->pool[i]);
	if (n->pool)
		ctx->realloc_fn(ctx->alloc_user, n->pool, n->poolcap * sizeof *n->pool, 0);
	if (n->out)
		ctx->realloc_fn(ctx->alloc_user, n->out, n->outcap * sizeof *n->out, 0);
	ecp__member_free(n, ctx);
	ecp__conv_fini(n, ctx);
	ecp__score_fini(n, ctx);
	ec_peers_fini(&n->peers, ctx);
	memset(n, 0, sizeof *n);
}

static ec_err
ec_set_peers(void *node, const ec_ctx *ctx, const uint64_t *sorted, size_t count)
{
	ecp_node *n = node;
	ec_err err = ec_peers_assign(&n->peers, ctx, sorted, count);
	if (err)
		return err;
	/* A node whose quarter of nearest peers on each side (at least a
	 * window's worth) sit at least 8 times denser than its peers on
	 * average takes them to be all the nodes there: its ring neighbours
	 * (small-world, core-tail).  A node of a dense random graph sees no
	 * such contrast and never assumes it knows a window. */
	uint32_t L = n->peers.len, c = L / 4 > n->cfg.window + 1 ? L / 4 : n->cfg.window + 1;
	n->near_dn = n->near_up = 0;
	if (L >= 2 * c) {
		uint32_t i;
		(void)ec_peers_search(&n->peers, n->pos, &i);
		uint64_t up = n->peers.ids[(i + c - 1) % L] - n->pos;
		uint64_t dn = n->pos - n->peers.ids[(i + L - c) % L];
		double near_gap = ((double)up + (double)dn) / (2.0 * c);
		double mean_gap = 18446744073709551616.0 / L;
		if (near_gap * 8 <= mean_gap) {
			n->near_up = up;
			n->near_dn = dn;
		}
	}
	return EC_OK;
}

static size_t
ec_peer_count(const void *node)
{
	return ((const ecp_node *)node)->peers.len;
}

static bool
ec_idle(const void *node)
{
	const ecp_node *n = node;
	return n->npool == 0 && n->nout == 0 && !n->m;
}

static void
ec_advance(void *node, uint64_t ticks)
{
	((ecp_node *)node)->now += ticks;
}

static uint64_t
ec_now(const void *node)
{
	return ((const ecp_node *)node)->now;
}

/* The memory a handle or tick reaches: stage 0, through the node itself,
 * the outbox, the pool (whose ids find() scans and whose fields tick()
 * reads) and the peer list (windows, routing); stage 1, through the
 * entries, their windows, votes, trails and block bodies, and the store's
 * slot for a block the message may bring. */
static void
ec_prefetch(const void *node, const ec_ctx *ctx, const ec_msg *msg, unsigned stage)
{
	const ecp_node *n = node;
	const uint32_t few = n->npool < 4 ? n->npool : 4;
	if (stage == 0) {
		if (n->out) /* where the next item goes, or what flush sorts */
			__builtin_prefetch(msg ? (const void *)(n->out + n->nout) : (const void *)n->out);
		if (n->pool) {
			const char *p = (const char *)n->pool;
			for (size_t off = 0; off < few * sizeof *n->pool; off += 64)
				__builtin_prefetch(p + off);
		} else if (!msg) {
			return; /* a tick with an empty pool only flushes */
		}
		const uint64_t *ids = n->peers.ids;
		for (uint32_t k = 0; k < n->peers.len; k += 8)
			__builtin_prefetch(ids + k);
		return;
	}
	for (uint32_t i = 0; i < few; i++) {
		const entry *e = &n->pool[i];
		if (e->win)
			__builtin_prefetch(e->win);
		if (e->votes)
			__builtin_prefetch(e->votes);
		if (e->interest)
			__builtin_prefetch(e->interest);
		if (e->block)
			__builtin_prefetch(e->block);
	}
	if (msg && msg->type == EC_MSG_ENVELOPE && msg->u.env.items &&
	    ecp_store(&ctx->store)->xblock_prefetch)
		for (uint32_t i = 0; i < msg->u.env.n; i++)
			if (msg->u.env.items[i].kind == ECP_BLOCK) {
				/* a node with no entry for the block asks its store first */
				ecp_store(&ctx->store)->xblock_prefetch(ctx->store.impl, &msg->u.env.items[i].block_id);
				break;
			}
}

void
ecp_block_from_txn(const ec_txn *t, ecp_block *out)
{
	out->time = t->time;
	out->nparts = t->used;
	for (uint32_t i = 0; i < t->used; i++) { /* in token order, as canonical */
		ecp_part p = {.token = ec_id_expand(t->parts[i].token),
		              .parent = ec_id_expand(t->parts[i].last),
		              .next_key = ec_id_expand(t->parts[i].key)};
		uint32_t j = i;
		for (; j > 0 && ec_id_cmp(&out->parts[j - 1].token, &p.token) > 0; j--)
			out->parts[j] = out->parts[j - 1];
		out->parts[j] = p;
	}
	ecp_block_id(out, &out->id);
}

static ec_err
ec_submit(void *node, const ec_ctx *ctx, const ec_txn *txn)
{
	ecp_node *n = node;
	if (txn->used < 1 || txn->used > ECP_MAX_PARTS || !ctx->intern)
		return EC_EINVAL;
	size_t size = ecp_block_size(txn->used);
	const ecp_block *b;
	if (txn->block) { /* a wallet's signed block */
		if (txn->block->nparts != txn->used)
			return EC_EINVAL;
		b = ctx->intern(ctx->intern_user, txn->block, size);
	} else {
		ecp_block *tmp = ctx->realloc_fn(ctx->alloc_user, NULL, 0, size);
		if (!tmp)
			return EC_ENOMEM;
		ecp_block_from_txn(txn, tmp);
		b = ctx->intern(ctx->intern_user, tmp, size);
		ctx->realloc_fn(ctx->alloc_user, tmp, size, 0);
	}
	if (!b)
		return EC_ENOMEM;
	entry *e;
	ec_err err;
	if ((err = ecp__entry_get(n, ctx, &b->id, &e)) || (err = ecp__entry_set_block(n, ctx, e, b)))
		return err;
	e->origin = n->pos;
	if (n->m && !n->m->ready) {
		/* catching up, my view is not to be trusted with windows: the
		 * block waits, unsent, until I am ready (ecp__launch) */
		e->mine = MINE_HELD;
		e->next_poll = UINT64_MAX;
		return EC_OK;
	}
	return ecp__launch(n, ctx, e);
}

ec_err
ecp__launch(ecp_node *n, const ec_ctx *ctx, entry *e)
{
	ec_err err;
	if (e->mine == MINE_HELD) /* the windows of the view I have now */
		for (uint32_t r = 0; r < e->nroles; r++)
			e->win[r] = ecp_window(&n->peers, n->pos, role_key(e->block, r), n->cfg.window);
	e->mine = 1;
	e->next_poll = n->now + first_poll(n);
	for (uint32_t r = 0; r < e->nroles; r++) {
		if (ec_range_contains(e->win[r], n->pos))
			RF(e)[r] |= RF_WANT | RF_SPREAD;
		else if ((err = ecp__route(n, ctx, e, r, 0, UINT64_MAX, 0, 0)))
			return err;
	}
	return EC_OK;
}

/* ec_protocol.bodies: what the node points to that came from ctx->intern
 * (a block, a certificate, an identity claim, a double-vote proof).  Handled items are borrowed
 * for their call, member bodies (ecp__member_body) are the node's own, and
 * the store copies or keeps its own pointers; what remains is the pool's
 * blocks, the identity claims of the peers and my own, and whatever the
 * outbox still carries (empty after a tick, unless the sink failed). */
static void
ec_bodies(const void *node, void (*fn)(void *user, const void *body), void *user)
{
	const ecp_node *n = node;
	for (uint32_t i = 0; i < n->npool; i++)
		if (n->pool[i].block)
			fn(user, n->pool[i].block);
	for (uint32_t i = 0; i < n->nout; i++) {
		const ecp_item *it = &n->out[i].item;
		if (it->block)
			fn(user, it->block);
		if (it->kind == ECP_COMMIT && it->cert)
			fn(user, it->cert);
		if ((it->kind == ECP_HELLO || it->kind == ECP_WELCOME) && it->hello &&
		    it->hello->claim)
			fn(user, it->hello->claim);
		if (it->kind == ECP_ACCUSE && it->accuse)
			fn(user, it->accuse);
	}
	for (uint32_t i = 0; i < n->nconv; i++)
		fn(user, n->conv[i]);
	if (!n->m)
		return;
	if (n->m->claim)
		fn(user, n->m->claim);
	for (uint32_t i = 0; i < n->m->n; i++)
		if (n->m->t[i].claim)
			fn(user, n->m->t[i].claim);
}

/* Block ids are content hashes: the 64-bit handle alone cannot name one,
 * so the driver passes the full id. */
static bool
ec_committed(const void *node, const ec_ctx *ctx, ec_block_id id, const ec_id *full)
{
	(void)node;
	(void)id;
	return full && ecp_store(&ctx->store)->xblock_get(ctx->store.impl, full, NULL, NULL);
}

uint64_t
ecp_item_wire_size(const ecp_item *it)
{
	return ec_wire_item_size(it); /* the canonical encoding's exact length */
}

const ec_protocol ec_protocol_ec = {
	.name = "ec",
	.config = &ecp_config_ops,
	.store_api = ECP_STORE_API,
	.msg = &ecp_msg_ops,
	.workload = &ecp_workload_ops,
	.open = &ecp_open_ops,
	.adversary = &ecp_adversary_ops,
	.node_size = sizeof(ecp_node),
	.max_block_tokens = ECP_MAX_PARTS,
	.claims_safety = true,
	.node_init = ec_node_init,
	.node_fini = ec_node_fini,
	.set_peers = ec_set_peers,
	.peer_count = ec_peer_count,
	.idle = ec_idle,
	.wake_at = ecp__wake_at,
	.advance = ec_advance,
	.now = ec_now,
	.submit = ec_submit,
	.committed = ec_committed,
	.handle = ecp__handle,
	.tick = ecp__tick,
	.prefetch = ec_prefetch,
	.bodies = ec_bodies,
};
