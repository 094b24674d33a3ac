/* SPDX-License-Identifier: MIT */
/*
 * The eclipse behaviour (ec/adversary.h, docs/byzantine.md "Eclipse"): a
 * liar that rewrites the membership items of its outbox so that the nodes
 * it talks to learn of nobody but its fellow liars.
 *
 * Admission in an open network is bound to ring positions (a node admits
 * a HELLO only from a would-be ring neighbour, and long-range links are
 * one-way and chosen by the node itself), and positions come with
 * identities that cost Argon2id work: a liar cannot make itself anyone's
 * neighbour.  What it can do is keep a node from hearing of its honest
 * neighbours.  A joiner knows nobody; if every path its join takes meets a
 * liar, the liars are all it ever hears of, and its window is theirs.  So
 * the eclipse:
 *
 *   - captures joins: a join it would relay, or introduce, is answered by
 *     the liar itself with a WELCOME and goes no further;
 *   - answers lookups in place of relaying them (FIND becomes PEERS);
 *   - lists only liars, nearest the receiver (or the lookup's target), in
 *     every WELCOME and PEERS it sends to an honest node;
 *   - floods: each round one honest peer gets an unasked WELCOME listing
 *     the liars nearest it.
 *
 * Only outbox items change, as for every behaviour; the node's own tables
 * stay honest.
 */
#include "proto/ec/member.h"

#include <string.h>

#include "ec/adversary.h"
#include "ec/rng.h"

/* Contacts in each list the eclipse sends (as many as a PEERS answer). */
#define ECLIPSE_LIST (ECP_MAX_CONTACTS / 2)

static bool
is_ally(const ec_adversary *a, uint64_t pos)
{
	return a->ally && a->ally(a->user, pos);
}

/* The liars nearest key and me, ascending by id, into c (cap ECLIPSE_LIST);
 * returns how many. */
static uint32_t
liar_list(const ecp_node *n, uint64_t key, ec_contact *c)
{
	const ec_adversary *a = n->adv;
	size_t k = a->allies_near ? a->allies_near(a->user, key, n->pos, c, ECLIPSE_LIST - 1) : 0;
	if (k > ECLIPSE_LIST - 1)
		k = ECLIPSE_LIST - 1;
	uint32_t at = (uint32_t)k;
	while (at > 0 && c[at - 1].id > n->pos) { /* me, in order */
		c[at] = c[at - 1];
		at--;
	}
	c[at] = (ec_contact){.id = n->pos, .addr = n->m->addr};
	return (uint32_t)k + 1;
}

/* A WELCOME from me to `to`, listing the liars nearest to `to`, into *it.
 * Errors: EC_ENOMEM. */
static ec_err
liar_welcome(ecp_node *n, const ec_ctx *ctx, uint64_t to, ecp_item *it)
{
	ecp_hello *h = ecp__member_body(n, ctx, sizeof *h + ECLIPSE_LIST * sizeof h->c[0]);
	if (!h)
		return EC_ENOMEM;
	h->claim = n->m->claim;
	h->addr = n->m->addr;
	h->n = liar_list(n, to, h->c);
	*it = (ecp_item){.kind = ECP_WELCOME, .flags = n->m->ready ? ECP_F_READY : 0, .hello = h};
	return EC_OK;
}

/* A PEERS answer for target listing the liars nearest it, into *it.
 * Errors: EC_ENOMEM. */
static ec_err
liar_peers(ecp_node *n, const ec_ctx *ctx, uint64_t target, ecp_item *it)
{
	ecp_contacts *c = ecp__member_body(n, ctx, sizeof *c + ECLIPSE_LIST * sizeof c->c[0]);
	if (!c)
		return EC_ENOMEM;
	c->target = target;
	c->n = liar_list(n, target, c->c);
	*it = (ecp_item){.kind = ECP_PEERS, .contacts = c};
	return EC_OK;
}

/* Rewrites outbox item o (to an honest node): *keep false drops it. */
static ec_err
rewrite(ecp_node *n, const ec_ctx *ctx, outmsg *o, bool *keep)
{
	ecp_item *it = &o->item;
	*keep = true;
	switch (it->kind) {
	case ECP_HELLO: {
		if (!(it->flags & ECP_F_JOIN) || !it->hello || !it->hello->claim)
			return EC_OK;
		ec_id addr = ec_id_from_bytes(it->hello->claim->address);
		uint64_t joiner = ec_id_pos(&addr);
		if (joiner == n->pos)
			return EC_OK; /* my own join */
		if (it->flags & ECP_F_INTRO) { /* introduced to nobody honest */
			*keep = false;
			return EC_OK;
		}
		if (is_ally(n->adv, joiner))
			return EC_OK;
		o->to = joiner; /* a relay, captured: I answer it myself */
		return liar_welcome(n, ctx, joiner, it);
	}
	case ECP_WELCOME:
		return it->hello ? liar_welcome(n, ctx, o->to, it) : EC_OK;
	case ECP_PEERS:
		return it->contacts ? liar_peers(n, ctx, it->contacts->target, it) : EC_OK;
	case ECP_FIND: {
		const ecp_contacts *c = it->contacts;
		if (!c || c->n != 1 || c->c[0].id == n->pos || is_ally(n->adv, c->c[0].id))
			return EC_OK; /* my own lookup, or a fellow liar's */
		o->to = c->c[0].id; /* answered here, not relayed */
		return liar_peers(n, ctx, c->target, it);
	}
	default: return EC_OK;
	}
}

ec_err
ecp__adv_eclipse(ecp_node *n, const ec_ctx *ctx)
{
	if (!n->m)
		return EC_OK; /* a static network: nobody to keep out */
	const ec_adversary *a = n->adv;
	uint32_t w = 0;
	for (uint32_t i = 0; i < n->nout; i++) {
		outmsg o = n->out[i];
		bool keep = true;
		ec_err err = is_ally(a, o.to) ? EC_OK : rewrite(n, ctx, &o, &keep);
		if (err)
			return err;
		if (keep)
			n->out[w++] = o;
	}
	n->nout = w;
	/* the flood: one honest peer a round, drawn by the coalition's coin */
	uint32_t honest = 0;
	for (uint32_t k = 0; k < n->peers.len; k++)
		honest += !is_ally(a, n->peers.ids[k]);
	if (!honest)
		return EC_OK;
	uint32_t pick = (uint32_t)(ec_mix64(a->key ^ ec_mix64(n->pos ^ n->now)) % honest);
	for (uint32_t k = 0; k < n->peers.len; k++) {
		uint64_t p = n->peers.ids[k];
		if (is_ally(a, p) || pick--)
			continue;
		ecp_item it;
		ec_err err = liar_welcome(n, ctx, p, &it);
		return err ? err : send_item(n, ctx, p, &it);
	}
	return EC_OK;
}
