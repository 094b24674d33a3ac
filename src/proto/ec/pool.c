/* SPDX-License-Identifier: MIT */
/*
 * The entry pool of an ec node (node.h): one entry per block the node
 * follows, with the block's body once known, the votes heard, the interest
 * trail and the role flags.  Recording only: what the votes mean is
 * safety.c's business, when entries go is the tick's (timers.c).
 */
#include "proto/ec/node.h"

#include <string.h>

#include "ec/lifecycle.h"
#include "ec/wire.h"

/* The ring geometry of windows (ec/ecp.h).  It lives here, beside the one
 * caller on a hot path (ecp__entry_set_block computes an entry's windows
 * once), so that the compiler can inline it there. */
ec_range
ecp_window(const ec_peers *p, uint64_t self, uint64_t key, uint32_t w)
{
	const uint32_t L = p->len;
	if ((uint64_t)L + 1 <= 2 * (uint64_t)w + 1)
		return (ec_range){key + 1, key}; /* the whole ring */
	uint32_t i;
	(void)ec_peers_search(p, key, &i);
	/* w+1 nearest at or above the key, w nearest below, among the peers;
	 * then let self displace the farthest of its side if it is nearer */
	uint64_t up_last = p->ids[(i + w) % L] - key;            /* (w+1)-th above */
	uint64_t up_prev = w ? p->ids[(i + w - 1) % L] - key : 0; /* w-th above */
	uint64_t dn_last = key - p->ids[(i + L - w) % L];         /* w-th below */
	uint64_t dn_prev = w > 1 ? key - p->ids[(i + L - w + 1) % L] : 0;
	uint64_t d_up = self - key, d_dn = key - self;
	uint64_t hi = up_last, lo = dn_last;
	if (d_up <= d_dn) { /* self sits on the upper side */
		if (d_up < up_last)
			hi = d_up > up_prev ? d_up : up_prev;
	} else if (d_dn < dn_last) {
		lo = d_dn > dn_prev ? d_dn : dn_prev;
	}
	return (ec_range){key - lo, key + hi};
}

ec_err
ecp__entry_get(ecp_node *n, const ec_ctx *ctx, const ec_id *id, entry **out)
{
	if ((*out = find(n, id)))
		return EC_OK;
	if (!grow(ctx, (void **)&n->pool, &n->poolcap, n->npool + 1, sizeof *n->pool))
		return EC_ENOMEM;
	entry *e = &n->pool[n->npool++];
	memset(e, 0, sizeof *e);
	e->id = *id;
	e->created = n->now;
	e->poll_gap = n->cfg.poll_first;
	e->next_poll = n->now + 2 * first_poll(n); /* submit() shortens it */
	*out = e;
	return EC_OK;
}

/* Only canonical blocks (sorted, distinct, non-zero tokens; creates
 * unsigned) whose id is their content hash: anything else is evidence. */
bool
ecp__body_ok(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b)
{
	if (b->nparts < 1 || b->nparts > ECP_MAX_PARTS)
		return false;
	ec_memo_byte *memo = ctx->memo ? ctx->memo(ctx->memo_user, b) : NULL;
	unsigned known = ecp_memo_get(memo, 0); /* this very body, checked elsewhere */
	ec_verdict bad = known ? (ec_verdict)(known - 1) : EC_ACCEPT;
	if (!known) {
		ec_id h;
		if (ec_wire_block_check(b) != EC_WIRE_OK)
			bad = EC_REJECT_MALFORMED;
		else if (ecp_block_id(b, &h), !ec_id_eq(&h, &b->id))
			bad = EC_REJECT_BAD_ID;
		ecp_memo_or(memo, 0, 1u + (unsigned)bad);
	}
	if (bad != EC_ACCEPT && ctx->event)
		ctx->event(ctx->event_user, n->pos, EC_EV_REJECT, ec_id_pos(&b->id), bad);
	return bad == EC_ACCEPT;
}

/* The first copy that passes the checks below is kept.  The id covers
 * everything but the signatures (docs/wire.md), so a later copy can differ
 * only in those; a first copy with a forged signature therefore shadows the
 * genuine one, and I vote no (safety.c: check_part). */
ec_err
ecp__entry_set_block(const ecp_node *n, const ec_ctx *ctx, entry *e, const ecp_block *b)
{
	if (e->block || !b)
		return EC_OK;
	if (!ec_id_eq(&b->id, &e->id))
		return EC_OK; /* a body that is not this block is ignored */
	if (!ecp__body_ok(n, ctx, b))
		return EC_OK;
	/* the windows, then (beyond RF_INLINE roles) the role flags: one
	 * allocation */
	const uint32_t nroles = b->nparts + 1;
	const bool inline_rf = nroles <= RF_INLINE;
	ec_range *win = ctx->realloc_fn(ctx->alloc_user, NULL, 0,
	                                nroles * (sizeof *win + (inline_rf ? 0u : 1u)));
	if (!win)
		return EC_ENOMEM;
	uint8_t *rf = inline_rf ? NULL : (uint8_t *)(win + nroles);
	memset(inline_rf ? e->rfi : rf, 0, nroles);
	for (uint32_t r = 0; r <= b->nparts; r++)
		win[r] = ecp_window(&n->peers, n->pos, role_key(b, r), n->cfg.window);
	e->rf = rf;
	e->win = win;
	e->nroles = b->nparts + 1;
	e->block = b;
	e->dirty = 1;
	return EC_OK;
}

ec_err
ecp__add_interest(const ec_ctx *ctx, entry *e, uint64_t who)
{
	for (uint32_t i = 0; i < e->ni; i++)
		if (e->interest[i] == who)
			return EC_OK;
	if (!grow(ctx, (void **)&e->interest, &e->icap, e->ni + 1, sizeof *e->interest))
		return EC_ENOMEM;
	e->interest[e->ni++] = who;
	return EC_OK;
}

ec_err
ecp__add_seen(const ec_ctx *ctx, entry *e, uint64_t who, uint64_t at)
{
	uint32_t old = 0;
	for (uint32_t i = 0; i < e->nseen; i++) {
		if (e->seen[i].id == who) {
			if (at > e->seen[i].at)
				e->seen[i].at = at;
			return EC_OK;
		}
		if (e->seen[i].at < e->seen[old].at)
			old = i;
	}
	if (e->nseen == ECP_SEEN_MAX) {
		e->seen[old] = (ecp_seen){who, at};
		return EC_OK;
	}
	if (!grow(ctx, (void **)&e->seen, &e->seencap, e->nseen + 1, sizeof *e->seen))
		return EC_ENOMEM;
	e->seen[e->nseen++] = (ecp_seen){who, at};
	return EC_OK;
}

/* The stamp orders a voter's votes whatever order the network delivers
 * them in: a withdrawal (odd stamp) outranks the yes it takes back.  The
 * signatures live beside the votes, allocated with the first signed one
 * (unsigned runs keep no room for them). */
ec_err
ecp__add_vote(const ec_ctx *ctx, entry *e, uint64_t voter, uint16_t role, int8_t value,
              uint32_t stamp, const ecp_vsig *sig)
{
	for (uint32_t i = 0; i < e->nvotes; i++)
		if (e->votes[i].voter == voter && e->votes[i].role == role) {
			if (stamp < e->votes[i].stamp)
				return EC_OK; /* overtaken on the way */
			if (e->votes[i].value != value)
				e->dirty = 1;
			e->votes[i].value = value;
			e->votes[i].stamp = stamp;
			if (e->vsig) {
				if (sig)
					e->vsig[i] = *sig;
				else
					memset(&e->vsig[i], 0, sizeof e->vsig[i]);
			}
			return EC_OK;
		}
	if (sig && !e->vsig) {
		/* the first signed vote: the earlier ones had none */
		if (!grow(ctx, (void **)&e->vsig, &e->scap, e->nvotes + 1, sizeof *e->vsig))
			return EC_ENOMEM;
		memset(e->vsig, 0, e->nvotes * sizeof *e->vsig);
	} else if (e->vsig &&
	           !grow(ctx, (void **)&e->vsig, &e->scap, e->nvotes + 1, sizeof *e->vsig)) {
		return EC_ENOMEM;
	}
	if (!grow(ctx, (void **)&e->votes, &e->vcap, e->nvotes + 1, sizeof *e->votes))
		return EC_ENOMEM;
	if (e->vsig) {
		if (sig)
			e->vsig[e->nvotes] = *sig;
		else
			memset(&e->vsig[e->nvotes], 0, sizeof e->vsig[e->nvotes]);
	}
	e->votes[e->nvotes++] = (ecp_vote){.voter = voter, .stamp = stamp, .role = role,
	                                   .value = value};
	e->dirty = 1;
	return EC_OK;
}
