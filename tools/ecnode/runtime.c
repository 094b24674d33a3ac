/* SPDX-License-Identifier: MIT */
/* The protocol side of ecnode (runtime.h). */
#include "runtime.h"

#include "be64.h"

#include <stdlib.h>
#include <string.h>

#include "ec/lifecycle.h"
#include "net/transport.h"

static void
rt_event(void *user, ec_peer_id node, ec_event ev, ec_block_id block, uint64_t arg)
{
	ecn_rt *rt = user;
	(void)node;
	if (rt->on_event)
		rt->on_event(rt->event_user, ev, block, arg);
}

/* The first slot of pos's set. */
static size_t
set_of(const ecn_rt *rt, uint64_t pos)
{
	return (size_t)(pos % (rt->bcap / ECN_RT_WAYS)) * ECN_RT_WAYS;
}

static void
remember(ecn_rt *rt, const ecp_block *b)
{
	size_t s = set_of(rt, ec_id_pos(&b->id)), old = s;
	for (size_t i = s; i < s + ECN_RT_WAYS; i++) {
		if (rt->blocks[i] == b)
			return; /* interned: equal blocks are one pointer */
		if (rt->bstamp[i] < rt->bstamp[old])
			old = i;
	}
	rt->blocks[old] = b;
	rt->bstamp[old] = ++rt->bclock;
}

const ecp_block *
ecn_rt_block(const ecn_rt *rt, uint64_t pos)
{
	size_t s = set_of(rt, pos);
	for (size_t i = s; i < s + ECN_RT_WAYS; i++)
		if (rt->blocks[i] && ec_id_pos(&rt->blocks[i]->id) == pos)
			return rt->blocks[i];
	return NULL;
}

/* ---- outgoing --------------------------------------------------------- */

/* The counter slot of an item (ECN_RT_KINDS slots; runtime.h). */
static unsigned
counter_of(const ecp_item *it)
{
	if (it->kind == ECP_COMMIT && (it->flags & ECP_F_SYNC))
		return ECN_RT_SYNC;
	return it->kind <= ECP_KIND_MAX ? it->kind : 0;
}

static bool
reserve(ecn_rt *rt, size_t bytes)
{
	if (rt->nout == rt->outcap) {
		size_t cap = rt->outcap ? 2 * rt->outcap : 64;
		ecn_out *o = realloc(rt->out, cap * sizeof *o);
		if (!o)
			return false;
		rt->out = o;
		rt->outcap = cap;
	}
	if (rt->used + bytes > rt->bufcap) {
		size_t cap = rt->bufcap ? rt->bufcap : 65536;
		while (cap < rt->used + bytes)
			cap *= 2;
		uint8_t *b = realloc(rt->buf, cap);
		if (!b)
			return false;
		rt->buf = b;
		rt->bufcap = cap;
	}
	return true;
}

/* Encodes items [0, n) of one envelope for `to` as one payload. */
static ec_err
emit_payload(ecn_rt *rt, uint64_t to, uint64_t time, const ecp_item *items, uint32_t n)
{
	ec_wire_env env = {.sender = rt->pos, .n = n, .items = items};
	size_t size = ec_wire_env_size(&env);
	if (!size)
		return EC_EINVAL;
	if (!reserve(rt, ECN_PAYLOAD_HDR + size))
		return EC_ENOMEM;
	uint8_t *p = rt->buf + rt->used;
	ecn_put_be64(p, time);
	size_t len;
	ec_err err = ec_wire_env_encode(&env, p + ECN_PAYLOAD_HDR, size, &len);
	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++)
		rt->items_out[counter_of(&items[i])]++;
	rt->out[rt->nout++] = (ecn_out){.to = to, .off = rt->used, .len = ECN_PAYLOAD_HDR + len};
	rt->used += ECN_PAYLOAD_HDR + len;
	rt->payloads_out++;
	rt->bytes_out += ECN_PAYLOAD_HDR + len;
	return EC_OK;
}

/* ec_send_fn: packs one envelope into payloads of at most rt->mtu bytes,
 * items whole (an item larger than the MTU alone). */
static ec_err
rt_send(void *user, const ec_msg *m)
{
	ecn_rt *rt = user;
	if (m->type != EC_MSG_ENVELOPE || !m->u.env.n)
		return EC_OK;
	const ecp_item *it = m->u.env.items;
	uint32_t start = 0, n = m->u.env.n;
	size_t room = ECN_PAYLOAD_HDR + 12;
	for (uint32_t i = 0; i < n; i++) {
		size_t s = ec_wire_item_size(&it[i]);
		if (i > start && room + s > rt->mtu) {
			ec_err err = emit_payload(rt, m->receiver, m->time, it + start, i - start);
			if (err)
				return rt->sink_err = err;
			start = i;
			room = ECN_PAYLOAD_HDR + 12;
		}
		room += s;
	}
	ec_err err = emit_payload(rt, m->receiver, m->time, it + start, n - start);
	if (err && !rt->sink_err)
		rt->sink_err = err;
	return err;
}

/* Fills in the receivers' addresses after a call (never during one: calls
 * on one node must not overlap). */
static void
resolve(ecn_rt *rt)
{
	for (size_t i = 0; i < rt->nout; i++)
		if (!rt->out[i].addr.len && rt->proto->open->address)
			(void)rt->proto->open->address(rt->node, rt->out[i].to, &rt->out[i].addr);
}

void
ecn_rt_out_clear(ecn_rt *rt)
{
	rt->nout = 0;
	rt->used = 0;
}

/* The payload of one envelope carrying a flagged COMMIT (a catch-up
 * answer: the largest form) of an n-part block with a full certificate. */
static size_t
commit_payload(uint32_t n, const ecp_config *cfg)
{
	size_t votes = (size_t)(2 * cfg->window + 1) * (n + 1); /* every member, every role */
	return ECN_PAYLOAD_HDR + 12 + 5 + ec_wire_block_size(n) +
	       ec_wire_cert_size((uint32_t)votes, (cfg->defences & ECP_DEF_SIGNED) != 0);
}

/* ---- set-up ----------------------------------------------------------- */

ec_err
ecn_rt_init(ecn_rt *rt, uint64_t pos, const ecp_config *cfg, ec_store store,
            const struct ec_sig_scheme *sig, size_t mtu)
{
	memset(rt, 0, sizeof *rt);
	if (mtu < 512)
		return EC_EINVAL;
	rt->proto = &ec_protocol_ec;
	rt->pos = pos;
	rt->mtu = mtu;
	if (cfg)
		rt->cfg = *cfg;
	else
		ecp_config_default(&rt->cfg);
	rt->bcap = 16384;
	rt->max_parts = ECP_MAX_PARTS;
	while (rt->max_parts > 1 && commit_payload(rt->max_parts, &rt->cfg) > ECN_MAX_PAYLOAD)
		rt->max_parts--;
	rt->intern = ecn_intern_new();
	rt->node = calloc(1, rt->proto->node_size);
	rt->blocks = calloc(rt->bcap, sizeof *rt->blocks);
	rt->bstamp = calloc(rt->bcap, sizeof *rt->bstamp);
	if (!rt->intern || !rt->node || !rt->blocks || !rt->bstamp) {
		ecn_rt_fini(rt);
		return EC_ENOMEM;
	}
	rt->ctx = (ec_ctx){.realloc_fn = ec_libc_realloc, .send = rt_send, .send_user = rt,
	                   .store = store, .intern = ecn_intern_bytes, .intern_user = rt->intern,
	                   .memo = ecn_intern_memo, .memo_user = rt->intern, .event = rt_event,
	                   .event_user = rt, .sig = sig};
	ec_err err = rt->proto->node_init(rt->node, pos, &rt->cfg);
	if (err) {
		ecn_rt_fini(rt);
		return err;
	}
	return EC_OK;
}

/* ec_ctx.vote_sign: the node signs only its own votes. */
static void
rt_vote_sign(void *user, uint64_t signer, const uint8_t digest[32], uint8_t sig[64])
{
	const ecn_rt *rt = user;
	memset(sig, 0, 64);
	if (rt->vote_sk && signer == rt->pos && rt->ctx.sig)
		rt->ctx.sig->sign(rt->vote_sk, digest, 32, sig);
}

void
ecn_rt_sign_votes(ecn_rt *rt, const uint8_t *sk)
{
	rt->vote_sk = sk;
	rt->ctx.vote_sign = sk ? rt_vote_sign : NULL;
	rt->ctx.vote_user = rt;
}

/* ec_ctx.vote_key: mine from my secret key (libsodium keeps the public
 * key in its second half), the others' from key_of. */
static bool
rt_vote_key(void *user, uint64_t voter, uint8_t pk[32])
{
	const ecn_rt *rt = user;
	if (voter == rt->pos) {
		if (!rt->vote_sk)
			return false;
		memcpy(pk, rt->vote_sk + 32, 32);
		return true;
	}
	return rt->key_of && rt->key_of(rt->key_user, voter, pk);
}

void
ecn_rt_vote_keys(ecn_rt *rt, bool (*key_of)(void *user, uint64_t pos, uint8_t pk[32]),
                 void *user)
{
	rt->key_of = key_of;
	rt->key_user = user;
	rt->ctx.vote_key = key_of ? rt_vote_key : NULL;
	rt->ctx.vote_user = rt;
}

void
ecn_rt_fini(ecn_rt *rt)
{
	if (rt->node && rt->proto)
		rt->proto->node_fini(rt->node, &rt->ctx);
	free(rt->node);
	ecn_intern_free(rt->intern);
	free(rt->blocks);
	free(rt->bstamp);
	free(rt->out);
	free(rt->buf);
	free(rt->mem);
	memset(rt, 0, sizeof *rt);
}

/* Runs the result of one node call through the sink's error and the
 * address resolution. */
static ec_err
after_call(ecn_rt *rt, ec_err err)
{
	ec_err sink = rt->sink_err;
	rt->sink_err = EC_OK;
	resolve(rt);
	return err ? err : sink;
}

ec_err
ecn_rt_join(ecn_rt *rt, const ec_join *j)
{
	return after_call(rt, rt->proto->open->join(rt->node, &rt->ctx, j));
}

ec_err
ecn_rt_leave(ecn_rt *rt)
{
	return after_call(rt, rt->proto->open->leave(rt->node, &rt->ctx));
}

ec_err
ecn_rt_tick(ecn_rt *rt)
{
	return after_call(rt, rt->proto->tick(rt->node, &rt->ctx));
}

uint64_t
ecn_rt_now(const ecn_rt *rt)
{
	return rt->proto->now(rt->node);
}

void
ecn_rt_status(const ecn_rt *rt, ec_node_status *st)
{
	rt->proto->open->status(rt->node, st);
}

void
ecn_rt_advance(ecn_rt *rt, uint64_t ticks)
{
	rt->proto->advance(rt->node, ticks);
}

/* ---- reclaiming bodies ------------------------------------------------ */

uint64_t
ecn_rt_sweep(ecn_rt *rt)
{
	if (!rt->proto->bodies)
		return 0;
	rt->proto->bodies(rt->node, ecn_intern_mark, rt->intern);
	for (size_t i = 0; i < rt->bcap; i++) /* the cache must not dangle */
		if (rt->blocks[i] && !ecn_intern_marked(rt->intern, rt->blocks[i])) {
			rt->blocks[i] = NULL;
			rt->bstamp[i] = 0;
		}
	return ecn_intern_sweep(rt->intern);
}

/* ---- incoming --------------------------------------------------------- */

/* Replaces the bodies the node keeps pointers to with interned copies. */
static bool
intern_bodies(ecn_rt *rt, ecp_item *items, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		ecp_item *it = &items[i];
		if (it->block) {
			it->block = ecn_intern_bytes(rt->intern, it->block, ecp_block_size(it->block->nparts));
			if (!it->block)
				return false;
			remember(rt, it->block);
		}
		if (it->kind == ECP_COMMIT && it->cert) {
			it->cert = ecn_intern_bytes(rt->intern, it->cert,
			                            ecp_cert_bytes(it->cert->n, it->cert->sigs));
			if (!it->cert)
				return false;
		}
		if ((it->kind == ECP_HELLO || it->kind == ECP_WELCOME) && it->hello &&
		    it->hello->claim) {
			/* the hello lies in our decode scratch: ours to change */
			ecp_hello *h = (ecp_hello *)(uintptr_t)it->hello;
			h->claim = ecn_intern_bytes(rt->intern, h->claim, sizeof *h->claim);
			if (!h->claim)
				return false;
		}
	}
	return true;
}

ecn_rt_drop
ecn_rt_deliver(ecn_rt *rt, uint64_t sender, const uint8_t *payload, size_t len,
               ec_wire_reason *why, ec_err *err)
{
	*err = EC_OK;
	*why = EC_WIRE_OK;
	ecn_rt_drop d = ECN_RT_OK;
	size_t need;
	ec_wire_env env;
	if (len < ECN_PAYLOAD_HDR) {
		d = ECN_RT_SHORT;
	} else if ((*why = ec_wire_env_measure(payload + ECN_PAYLOAD_HDR, len - ECN_PAYLOAD_HDR,
	                                       &need)) != EC_WIRE_OK) {
		d = ECN_RT_DECODE;
	} else if (need > rt->memcap && !(rt->mem = realloc(rt->mem, rt->memcap = need))) {
		rt->memcap = 0;
		d = ECN_RT_NOMEM;
	} else if ((*why = ec_wire_env_decode(payload + ECN_PAYLOAD_HDR, len - ECN_PAYLOAD_HDR,
	                                      &env, rt->mem, rt->memcap)) != EC_WIRE_OK) {
		d = ECN_RT_DECODE;
	} else if (env.sender != sender) {
		d = ECN_RT_SENDER_MISMATCH;
	} else if (!intern_bodies(rt, (ecp_item *)(uintptr_t)env.items, env.n)) {
		d = ECN_RT_NOMEM;
	}
	if (d) {
		rt->drops[d]++;
		if (d == ECN_RT_DECODE && *why < EC_WIRE_REASON_COUNT)
			rt->wire_drops[*why]++;
		return d;
	}
	rt->payloads_in++;
	rt->bytes_in += len;
	for (uint32_t i = 0; i < env.n; i++)
		rt->items_in[counter_of(&env.items[i])]++;
	ec_msg m = {.sender = sender, .receiver = rt->pos, .time = ecn_get_be64(payload),
	            .type = EC_MSG_ENVELOPE, .u.env = {.items = env.items, .n = env.n}};
	*err = after_call(rt, rt->proto->handle(rt->node, &rt->ctx, &m));
	return ECN_RT_OK;
}

uint32_t
ecn_rt_max_parts(const ecn_rt *rt)
{
	return rt->max_parts;
}

ec_err
ecn_rt_submit(ecn_rt *rt, const uint8_t *enc, size_t len, ec_id *id, ec_wire_reason *why)
{
	uint32_t nparts;
	if ((*why = ec_wire_block_peek(enc, len, &nparts)) != EC_WIRE_OK)
		return EC_EINVAL;
	if (nparts > ecn_rt_max_parts(rt))
		return EC_ERANGE;
	ecp_block *b = malloc(ecp_block_size(nparts));
	if (!b)
		return EC_ENOMEM;
	if ((*why = ec_wire_block_decode(enc, len, b, nparts)) != EC_WIRE_OK ||
	    (*why = ec_wire_block_check(b)) != EC_WIRE_OK) {
		free(b);
		return EC_EINVAL;
	}
	*id = b->id;
	/* the node interns it too: equal bytes, so the same copy */
	const ecp_block *kept = ecn_intern_bytes(rt->intern, b, ecp_block_size(nparts));
	free(b);
	if (!kept)
		return EC_ENOMEM;
	remember(rt, kept);
	ec_txn t = {.id = ec_id_pos(&kept->id), .time = kept->time, .used = nparts, .block = kept};
	return after_call(rt, rt->proto->submit(rt->node, &rt->ctx, &t));
}
