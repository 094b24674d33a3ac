/* SPDX-License-Identifier: MIT */
/*
 * Byzantine ec nodes (ec/adversary.h, docs/byzantine.md).  An attached
 * adversary bends a node at two places: the vote it casts (ecp__adv_vote,
 * called by ecp__vote before the honest judgement) and its outbox, just
 * before it leaves (ecp__adv_outbox, called by ecp__flush).  Everything
 * else the node does is the honest code.  Only drivers of experiments
 * attach one.
 */
#include "proto/ec/node.h"

#include <string.h>

#include "ec/adversary.h"
#include "ec/rng.h"
#include "ec/wire.h"

/* The voting behaviours: where one applies, it decides the vote. */
#define VOTING                                                                                     \
	(EC_BHV_SILENT | EC_BHV_WITHHOLD | EC_BHV_CENSOR | EC_BHV_ACCOMPLICE | EC_BHV_EQUIVOCATE |     \
	 EC_BHV_FAST_YES | EC_BHV_BALANCER)

/* The behaviours in force now (none before the start). */
static uint32_t
active(const ecp_node *n)
{
	const ec_adversary *a = n->adv;
	if (!a || n->now < a->start)
		return 0;
	uint32_t b = a->behaviours;
	if ((b & EC_BHV_CAMOUFLAGE) && !(b & VOTING))
		b |= EC_BHV_EQUIVOCATE; /* camouflage alone: equivocate on targets */
	return b;
}

/* Whether block b moves a target token (witness tokens are new: never). */
static bool
targeted(const ec_adversary *a, const ecp_block *b)
{
	if (!a->target || !b)
		return false;
	for (uint32_t p = 0; p < b->nparts; p++)
		if (!ec_id_is_zero(&b->parts[p].parent) && a->target(a->user, ec_id_pos(&b->parts[p].token)))
			return true;
	return false;
}

static int
plan(const ec_adversary *a, const ec_id *block)
{
	return a->plan ? a->plan(a->user, block) : 0;
}

/* The balance of the votes I heard from my window on role r, mine aside. */
static int64_t
heard_balance(const ecp_node *n, const entry *e, uint32_t r)
{
	uint16_t code = role_code(e->block, r);
	int64_t bal = 0;
	for (uint32_t k = 0; k < e->nvotes; k++) {
		const ecp_vote *v = &e->votes[k];
		if (v->role == code && v->voter != n->pos && ec_range_contains(e->win[r], v->voter))
			bal += v->value > 0 ? 1 : -1;
	}
	return bal;
}

bool
ecp__adv_vote(const ecp_node *n, const entry *e, uint32_t r, int8_t *v)
{
	uint32_t b = active(n);
	if (!b)
		return false;
	const ec_adversary *a = n->adv;
	bool tgt = targeted(a, e->block);
	if ((b & EC_BHV_SILENT) || ((b & EC_BHV_WITHHOLD) && tgt)) {
		*v = 0; /* abstains */
		return true;
	}
	if ((b & EC_BHV_CENSOR) && tgt) {
		*v = -1;
		return true;
	}
	int p = (b & EC_BHV_ACCOMPLICE) ? plan(a, &e->id) : 0;
	if (p) {
		*v = p > 0 ? 1 : -1;
		return true;
	}
	if ((b & EC_BHV_CAMOUFLAGE) && !tgt)
		return false; /* honest where nobody looks */
	if (b & (EC_BHV_FAST_YES | EC_BHV_EQUIVOCATE)) {
		*v = 1; /* yes to every submitter that asks: no exclusivity */
		return true;
	}
	if (b & EC_BHV_BALANCER) {
		*v = heard_balance(n, e, r) > 0 ? -1 : 1;
		return true;
	}
	return false;
}

/* The coin equivocation tosses for what it tells `to` about block id. */
static int8_t
coin(const ec_adversary *a, uint64_t to, const ec_id *id)
{
	return (ec_mix64(a->key ^ ec_mix64(to ^ id->w[1])) & 1) ? 1 : -1;
}

/* The block an outgoing item is about, if the node knows it. */
static const ecp_block *
item_block(ecp_node *n, const ecp_item *it)
{
	if (it->block)
		return it->block;
	const entry *e = find(n, &it->block_id);
	return e ? e->block : NULL;
}

/* Whether item kind k carries a block, a vote or an answer about one. */
static bool
about_block(uint8_t k)
{
	return k == ECP_BLOCK || k == ECP_VOTE || k == ECP_COMMIT || k == ECP_BLOCKED ||
	       k == ECP_POLL || k == ECP_FETCH || k == ECP_WITHDRAW || k == ECP_WITHDRAWN;
}

ec_err
ecp__adv_outbox(ecp_node *n, const ec_ctx *ctx)
{
	uint32_t b = active(n);
	if (!b)
		return EC_OK;
	const ec_adversary *a = n->adv;
	if (b & EC_BHV_SILENT) {
		n->nout = 0;
		return EC_OK;
	}
	uint32_t w = 0;
	for (uint32_t i = 0; i < n->nout; i++) {
		outmsg o = n->out[i];
		ecp_item *it = &o.item;
		if (about_block(it->kind)) {
			const ecp_block *blk = item_block(n, it);
			bool tgt = targeted(a, blk);
			if ((b & EC_BHV_WITHHOLD) && tgt)
				continue;
			if ((b & EC_BHV_ACCOMPLICE) && it->kind == ECP_WITHDRAW && plan(a, &it->block_id) > 0)
				continue; /* a yes it backs stays */
			if ((b & EC_BHV_EQUIVOCATE) && it->kind == ECP_BLOCK && it->value &&
			    (!(b & EC_BHV_CAMOUFLAGE) || tgt)) {
				it->value = coin(a, o.to, &it->block_id);
				if (it->vsig) { /* it signs what it says: its own key */
					ecp__vote_sign(n, ctx, it->block, it->role, it->value, &o.sig);
					it->vsig = &o.sig; /* repointed by ecp__flush */
				}
			}
		}
		n->out[w++] = o;
	}
	n->nout = w;
	return (b & EC_BHV_ECLIPSE) ? ecp__adv_eclipse(n, ctx) : EC_OK;
}

/* Whether I have voted on any role of e yet. */
static bool
voted_any(const entry *e)
{
	for (uint32_t r = 0; r < e->nroles; r++)
		if (RF(e)[r] & RF_VOTED)
			return true;
	return false;
}

/* Signs, under signed votes, the n votes of c (sorted) as well as the
 * coalition can: its own and its allies' with their keys (the coalition
 * shares them), the honest members' with its own key in their place,
 * which no honest node will take for theirs. */
static void
forge_sigs(const ecp_node *n, const ec_ctx *ctx, const entry *e, ecp_cert *c)
{
	const ec_adversary *a = n->adv;
	ecp_vsig *sv = (ecp_vsig *)(void *)(c->v + c->n);
	for (uint32_t k = 0; k < c->n; k++) {
		const ecp_vote *v = &c->v[k];
		bool mine = v->voter == n->pos || (a->ally && a->ally(a->user, v->voter));
		uint8_t d[32];
		const ecp_part *p = v->role < e->block->nparts ? &e->block->parts[v->role] : NULL;
		ecp_vote_digest(&e->id, v->role, v->value, p ? &p->token : NULL,
		                p ? &p->parent : NULL, d);
		memset(&sv[k], 0, sizeof sv[k]);
		if (ctx->vote_sign)
			ctx->vote_sign(ctx->vote_user, mine ? v->voter : n->pos, d, sv[k].b);
	}
}

/* A made-up certificate for e in which every node of my windows but
 * `skip` voted yes, interned into *out.  Errors: EC_ENOMEM. */
static ec_err
forged_cert(ecp_node *n, const ec_ctx *ctx, const entry *e, uint64_t skip, const ecp_cert **out)
{
	uint32_t cap = e->nroles * (n->peers.len + 1);
	bool sigs = signed_votes(n);
	size_t bytes = ecp_cert_bytes(cap, sigs);
	ecp_cert *c = ctx->realloc_fn(ctx->alloc_user, NULL, 0, bytes);
	if (!c)
		return EC_ENOMEM;
	c->n = 0;
	c->sigs = sigs;
	uint32_t stamp = (uint32_t)(2 * n->now);
	for (uint32_t r = 0; r < e->nroles; r++) {
		uint16_t code = role_code(e->block, r);
		if (ec_range_contains(e->win[r], n->pos))
			c->v[c->n++] = (ecp_vote){n->pos, stamp, code, 1};
		for (uint32_t k = 0; k < n->peers.len; k++)
			if (n->peers.ids[k] != skip && ec_range_contains(e->win[r], n->peers.ids[k]))
				c->v[c->n++] = (ecp_vote){n->peers.ids[k], stamp, code, 1};
	}
	ec_wire_cert_sort(c);
	if (sigs)
		forge_sigs(n, ctx, e, c);
	*out = ctx->intern(ctx->intern_user, c, ecp_cert_bytes(c->n, sigs));
	ctx->realloc_fn(ctx->alloc_user, c, bytes, 0);
	return *out ? EC_OK : EC_ENOMEM;
}

ec_err
ecp__adv_forge(ecp_node *n, const ec_ctx *ctx, entry *e)
{
	uint32_t b = active(n);
	if (!(b & EC_BHV_FORGE_CERT) || voted_any(e) || plan(n->adv, &e->id) <= 0)
		return EC_OK;
	/* to every peer of my windows around the block's roles, a certificate
	 * that leaves that peer out: it cannot catch the lie by finding its
	 * own vote made up */
	for (uint32_t k = 0; k < n->peers.len; k++) {
		bool named = false;
		for (uint32_t r = 0; r < e->nroles && !named; r++)
			named = ec_range_contains(e->win[r], n->peers.ids[k]);
		if (!named)
			continue;
		const ecp_cert *cert;
		ec_err err = forged_cert(n, ctx, e, n->peers.ids[k], &cert);
		if (err)
			return err;
		ecp_item it = {.kind = ECP_COMMIT, .block_id = e->id, .block = e->block, .cert = cert};
		if ((err = send_item(n, ctx, n->peers.ids[k], &it)))
			return err;
	}
	return EC_OK;
}

static void
adv_attach(void *node, const ec_adversary *a)
{
	((ecp_node *)node)->adv = a;
}

static void
adv_counted(const void *node, const ec_ctx *ctx, const ec_id *block,
            void (*fn)(void *user, uint64_t voter, int value), void *user)
{
	(void)node;
	const ecp_cert *cert = NULL;
	if (!ecp_store(&ctx->store)->xblock_get(ctx->store.impl, block, NULL, &cert) || !cert)
		return;
	for (uint32_t k = 0; k < cert->n; k++)
		fn(user, cert->v[k].voter, cert->v[k].value);
}

const ec_adversary_ops ecp_adversary_ops = {
	.attach = adv_attach,
	.counted = adv_counted,
};
