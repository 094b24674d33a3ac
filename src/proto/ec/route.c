/* SPDX-License-Identifier: MIT */
/*
 * Where an ec node's messages go (node.h): the first wave routed towards a
 * role's key, the block spread to a window, answers from the store,
 * outcomes pushed along the interest trail, parent fetches, and the outbox
 * that leaves at the end of the tick as one envelope per receiver
 * (docs/ec-protocol.md, "Message flow").  Nothing here decides anything.
 */
#include "proto/ec/member.h"
#include "proto/ec/node.h"

/* A node that knows the window around the key sends it to the whole window
 * at once (and the members need not pass it on); otherwise to the `fanout`
 * peers nearest the key, and as a relay only to peers strictly nearer than
 * itself, so that a copy always makes progress and cannot loop. */
ec_err
ecp__route(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, uint16_t hops,
           uint64_t limit, uint32_t skip, uint8_t poll)
{
	const ec_peers *p = &n->peers;
	if (p->len == 0)
		return EC_OK;
	uint64_t key = role_key(e->block, r);
	if (knows_window(n, e->win[r]))
		return spread(n, ctx, e, r, 0, poll);
	if (limit == UINT64_MAX && p->len >= 32 * (2 * n->cfg.window + 1))
		/* a submitter with hundreds of peers (a dense graph) has most of
		 * any neighbourhood among them: straight to its window, which
		 * saves a hop; the members pass it on as usual */
		return ecp__spread_to(n, ctx, e, r, 0, poll);
	uint32_t i;
	(void)ec_peers_search(p, key, &i);
	uint32_t up = i % p->len, dn = (i + p->len - 1) % p->len, sent = 0, seen = 0;
	ecp_item it = {.kind = ECP_BLOCK, .role = role_code(e->block, r), .hops = hops,
	               .flags = poll, .origin = e->origin, .block_id = e->id, .block = e->block};
	/* merge the two directions by distance */
	/* the submitter and the first relay send `fanout` copies, later relays
	 * one (copies would otherwise multiply at every hop).  Measured on
	 * 2,000 nodes: fanning out at the submitter only saves about 40 % of
	 * the messages and costs about one round of latency */
	const uint32_t fan = limit == UINT64_MAX || hops <= 1 ? n->cfg.fanout : 1;
	for (uint32_t k = 0; k < p->len && sent < fan; k++) {
		uint64_t du = p->ids[up] - key, dd = key - p->ids[dn];
		uint64_t pick;
		if (du <= dd) {
			pick = p->ids[up];
			up = (up + 1) % p->len;
		} else {
			pick = p->ids[dn];
			dn = (dn + p->len - 1) % p->len;
		}
		if (ring_dist(pick, key) >= limit)
			break;
		if (seen++ < skip)
			continue;
		ec_err err = send_item(n, ctx, pick, &it);
		if (err)
			return err;
		sent++;
	}
	return EC_OK;
}

ec_err
ecp__spread_to(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, int8_t value,
               uint8_t flags)
{
	uint64_t key = role_key(e->block, r);
	ec_range w = e->win[r];
	const ec_peers *p = &n->peers;
	ecp_item it = {.kind = ECP_BLOCK, .value = value, .role = role_code(e->block, r),
	               .flags = flags, .origin = e->origin, .block_id = e->id,
	               .block = e->block};
	const ecp_vsig *sig = value ? ecp__my_sig(n, e, it.role) : NULL;
	uint32_t i;
	(void)ec_peers_search(p, key, &i);
	/* walk outwards both ways while inside the window */
	uint32_t up = 0;
	for (; up < p->len; up++) {
		uint64_t q = p->ids[(i + up) % p->len];
		if (!ec_range_contains(w, q))
			break;
		ec_err err = send_signed(n, ctx, q, &it, sig);
		if (err)
			return err;
	}
	for (uint32_t k = 1; k + up <= p->len; k++) {
		uint64_t q = p->ids[(i + p->len - k) % p->len];
		if (!ec_range_contains(w, q))
			break;
		ec_err err = send_signed(n, ctx, q, &it, sig);
		if (err)
			return err;
	}
	return EC_OK;
}

ec_err
ecp__send_stored(ecp_node *n, const ec_ctx *ctx, uint64_t to, const ec_id *id, bool *found)
{
	ecp_item it = {.kind = ECP_COMMIT, .block_id = *id};
	bool have = ecp_store(&ctx->store)->xblock_get(ctx->store.impl, id, &it.block, &it.cert);
	if (found)
		*found = have;
	return have ? send_item(n, ctx, to, &it) : EC_OK;
}

ec_err
ecp__send_terminal(ecp_node *n, const ec_ctx *ctx, const entry *e, uint64_t to, uint16_t role)
{
	ecp_item it = {.block_id = e->id};
	if (e->state == ST_COMMITTED) {
		const ecp_cert *cert = NULL;
		if (!ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &e->id, NULL, &cert))
			return EC_OK;
		it.kind = ECP_COMMIT;
		it.block = e->block;
		it.cert = cert;
	} else {
		it.kind = ECP_BLOCKED;
		it.role = role;
		it.value = -1;
	}
	return send_item(n, ctx, to, &it);
}

ec_err
ecp__push_all(ecp_node *n, const ec_ctx *ctx, entry *e, uint16_t role)
{
	for (uint32_t i = 0; i < e->ni; i++) {
		ec_err err = ecp__send_terminal(n, ctx, e, e->interest[i], role);
		if (err)
			return err;
	}
	return EC_OK;
}

/* First the peer that sent the block (a yes voter if one did: it could not
 * have voted yes without the parent), then the fellow members nearest the
 * token, the likeliest to have committed the parent. */
ec_err
ecp__fetch_parent(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r)
{
	uint64_t to = e->fetch_peer;
	if (e->fetch_tries > 0) {
		uint64_t key = role_key(e->block, r);
		ec_range w = e->win[r];
		uint32_t i, seen = 0;
		(void)ec_peers_search(&n->peers, key, &i);
		for (uint32_t k = 0; k < n->peers.len; k++) {
			uint64_t q = n->peers.ids[(i + k) % n->peers.len];
			if (!ec_range_contains(w, q))
				break;
			if (++seen == e->fetch_tries)
				to = q;
		}
	}
	ecp_item it = {.kind = ECP_FETCH, .block_id = e->block->parts[r].parent};
	e->fetch_at = n->now + n->cfg.fetch_cooldown;
	e->fetch_tries++;
	emit(ctx, n, EC_EV_PARENT_COMMIT_REQ, &e->id, r);
	return send_item(n, ctx, to, &it);
}

/* Everything queued for the same receiver leaves as one envelope, in the
 * order it was queued (a stable sort by receiver, of indexes: outboxes are
 * short, their items are not).  A lone item is sent in place. */
ec_err
ecp__flush(ecp_node *n, const ec_ctx *ctx)
{
	ec_err err;
	if (n->adv && (err = ecp__adv_outbox(n, ctx)))
		return err;
	if (n->nout == 0) {
		if (n->out) { /* an adversary emptied it: the buffer goes too */
			ctx->realloc_fn(ctx->alloc_user, n->out, n->outcap * sizeof *n->out, 0);
			n->out = NULL;
			n->outcap = 0;
		}
		return EC_OK;
	}
	/* signatures travel in the outbox beside their items (send_signed),
	 * which may have moved since */
	for (uint32_t i = 0; i < n->nout; i++)
		if (n->out[i].item.vsig &&
		    (n->out[i].item.kind == ECP_VOTE || n->out[i].item.kind == ECP_BLOCK))
			n->out[i].item.vsig = &n->out[i].sig;
	err = EC_OK;
	const uint32_t nout = n->nout;
	uint32_t idx_stack[64];
	ecp_item env_stack[16];
	uint32_t *idx = idx_stack;
	ecp_item *env = env_stack;
	uint32_t envcap = 16;
	if (nout > 64 && !(idx = ctx->realloc_fn(ctx->alloc_user, NULL, 0, nout * sizeof *idx)))
		return EC_ENOMEM;
	for (uint32_t i = 0; i < nout; i++) {
		uint32_t j = i;
		uint64_t to = n->out[i].to;
		while (j > 0 && n->out[idx[j - 1]].to > to) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	for (uint32_t i = 0; i < nout;) {
		uint64_t to = n->out[idx[i]].to;
		uint32_t j = i + 1;
		while (n->cfg.batch && j < nout && n->out[idx[j]].to == to)
			j++;
		uint32_t k = j - i;
		ec_msg m = {.sender = n->pos, .receiver = to, .time = n->now, .type = EC_MSG_ENVELOPE};
		if (k == 1) {
			m.u.env.items = &n->out[idx[i]].item;
		} else {
			if (k > envcap) {
				ecp_item *e = ctx->realloc_fn(ctx->alloc_user, env == env_stack ? NULL : env,
				                              env == env_stack ? 0 : envcap * sizeof *env,
				                              k * sizeof *env);
				if (!e) {
					err = EC_ENOMEM;
					break;
				}
				env = e;
				envcap = k;
			}
			for (uint32_t x = 0; x < k; x++)
				env[x] = n->out[idx[i + x]].item;
			m.u.env.items = env;
		}
		m.u.env.n = k;
		if ((err = ctx->send(ctx->send_user, &m)))
			break;
		i = j;
	}
	if (env != env_stack)
		ctx->realloc_fn(ctx->alloc_user, env, envcap * sizeof *env, 0);
	if (idx != idx_stack)
		ctx->realloc_fn(ctx->alloc_user, idx, nout * sizeof *idx, 0);
	if (err)
		return err;
	/* the outbox lives only from the first send to the end of the tick:
	 * a million mostly quiet nodes must not each keep their busiest
	 * round's buffers */
	ctx->realloc_fn(ctx->alloc_user, n->out, n->outcap * sizeof *n->out, 0);
	n->out = NULL;
	n->outcap = n->nout = 0;
	if (n->m)
		ecp__member_sent(n, ctx);
	return EC_OK;
}
