/* SPDX-License-Identifier: MIT */
/*
 * Agreement scoring (ECP_DEF_AGREE): the seed's "echo chamber" (§11.9.5),
 * built so that it can be measured, not recommended.  A node scores every
 * voter it hears by whether its votes agreed with the outcomes the node
 * learns: a yes on a block that committed, or a no on a block that lost to
 * a committed twin, agrees; the opposite disagrees.  Once a voter has been
 * scored on ECP_AGREE_MIN outcomes and disagreed with more than a third of
 * them, its votes count no more for this node, for good (ecp__convicted
 * says so for both kinds of striking).
 *
 * How it fails, by design of the mechanism measured: it needs no proof, so
 * an honest voter that is merely behind (it backed the twin that lost, or
 * withdrew a yes I did not hear taken back) scores like a liar; and a liar
 * that votes with the majority everywhere but where it matters (sleeper,
 * camouflage) never scores badly.  docs/byzantine.md has the figures.
 */
#include <string.h>

#include "proto/ec/node.h"

/* The index of id's record, or where it would go. */
static uint32_t
score_search(const ecp_node *n, uint64_t id, bool *found)
{
	_Static_assert(offsetof(ecp_score, id) == 0, "id_search reads the id first");
	return id_search(n->score, n->nscore, sizeof *n->score, id, found);
}

bool
ecp__scored_out(const ecp_node *n, uint64_t id)
{
	bool found = false;
	uint32_t at = n->nout_scored ? score_search(n, id, &found) : 0;
	return found && n->score[at].out;
}

/* The record of id, made if new.  NULL: out of memory. */
static ecp_score *
record(ecp_node *n, const ec_ctx *ctx, uint64_t id)
{
	bool found;
	uint32_t at = score_search(n, id, &found);
	if (found)
		return &n->score[at];
	if (!grow(ctx, (void **)&n->score, &n->scorecap, n->nscore + 1, sizeof *n->score))
		return NULL;
	memmove(&n->score[at + 1], &n->score[at], (n->nscore - at) * sizeof *n->score);
	n->score[at] = (ecp_score){.id = id};
	n->nscore++;
	return &n->score[at];
}

ec_err
ecp__score_outcome(ecp_node *n, const ec_ctx *ctx, const ecp_block *b, const ecp_vote *votes,
                   uint32_t nvotes, bool won)
{
	if (!(n->cfg.defences & ECP_DEF_AGREE))
		return EC_OK;
	for (uint32_t k = 0; k < nvotes; k++) {
		const ecp_vote *v = &votes[k];
		if (v->voter == n->pos || v->role >= b->nparts)
			continue; /* witness votes say nothing about the outcome */
		ecp_score *s = record(n, ctx, v->voter);
		if (!s)
			return EC_ENOMEM;
		bool agrees = (v->value > 0) == won;
		if (agrees && s->agree < UINT16_MAX)
			s->agree++;
		else if (!agrees && s->disagree < UINT16_MAX)
			s->disagree++;
		if (s->out || s->agree + s->disagree < ECP_AGREE_MIN || 3u * s->disagree <= s->agree +
		                                                                          s->disagree)
			continue;
		s->out = 1;
		n->nout_scored++;
		for (uint32_t i = 0; i < n->npool; i++)
			if (n->pool[i].state == ST_PENDING)
				n->pool[i].dirty = 1;
		if (ctx->event)
			ctx->event(ctx->event_user, n->pos, EC_EV_CONVICT, v->voter, 2);
	}
	return EC_OK;
}

void
ecp__score_fini(ecp_node *n, const ec_ctx *ctx)
{
	if (n->score)
		ctx->realloc_fn(ctx->alloc_user, n->score, n->scorecap * sizeof *n->score, 0);
	n->score = NULL;
	n->nscore = n->scorecap = n->nout_scored = 0;
}
