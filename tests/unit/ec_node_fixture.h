/* SPDX-License-Identifier: MIT */
/*
 * The fixture shared by the unit tests of the ec protocol node (ec/ecp.h):
 * test_ec_node.c, test_ec_safety.c and test_ec_timers.c.  A node is driven
 * through its ec_protocol table with a recording context (what it sends and
 * the events it reports are kept), next to a copy of its peer list for
 * ecp_window; helpers build blocks and certificates, deliver items and
 * count what was sent.  The functions are static inline, so that each test
 * program compiles only what it uses.
 *
 * Layout: the node trusts the 40 peers at 1000, 2000, ..., 40000 units of
 * a ring of 40,000 units spread over the whole 64-bit ring (P(x) is the
 * position of unit x, so P(40000) is about 0 again and a window covers a
 * sizable fraction of the ring).  With w = 4 the window around 10500 is
 * [7000, 15000] (4 below, 5 at or above) and around any key in the gap
 * (30000, 31000) it is [27000, 35000].
 *
 * Token positions are picked by hand.  Block ids are content hashes, so a
 * block's position cannot be: grind() steps the block's time until the id
 * lands where a test wants it (a gap between two peers fixes the window
 * around it), or tests order two blocks by their ids.
 */
#ifndef EC_NODE_FIXTURE_H
#define EC_NODE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ecp.h"
#include "ec/lifecycle.h"
#include "ecsim/memstore.h"
#include "ec/sig.h"

#define NPEERS 40
#define UNIT 461168601842738ull /* floor(2^64 / 40000) */
#define P(x) ((uint64_t)(x) * UNIT)
#define FAR 20500u   /* a node far from TOK */
#define TOK 10500u
#define NEAR 20500u  /* member of NEARTOK's window */
#define NEARTOK 20300u
#define SUB 5500u    /* a submitter far from NEARTOK and from the witnesses */

typedef struct rec {
	uint64_t to;
	uint32_t n;
	ecp_item items[64];
} rec;

typedef struct fixture {
	ec_memstore *ms;
	ec_memstore_view view;
	ec_ctx ctx;
	void *node;
	const ec_protocol *proto;
	ecp_config cfg;
	rec *out;
	size_t nout, cap;
	size_t commits, blocked;
	size_t events; /* every event reported */
	size_t rejects[EC_VERDICT_COUNT];
	ec_peers peers; /* the same list, for ecp_window */
} fixture;

/* The gap strictly between the peers at units a and b (wrapping when
 * b < a): a block id there has the window of that gap. */
static inline ec_range
gap(uint64_t a, uint64_t b)
{
	return (ec_range){P(a) + 1, P(b) - 1};
}

static const ec_range ANYWHERE = {1, 0};

static inline ec_err
record_send(void *user, const ec_msg *m)
{
	fixture *f = user;
	assert_int_equal(m->type, EC_MSG_ENVELOPE);
	assert_true(m->u.env.n >= 1 && m->u.env.n <= 64);
	if (f->nout == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->out = realloc(f->out, f->cap * sizeof *f->out);
		assert_non_null(f->out);
	}
	rec *r = &f->out[f->nout++];
	r->to = m->receiver;
	r->n = m->u.env.n;
	memcpy(r->items, m->u.env.items, m->u.env.n * sizeof *r->items);
	return EC_OK;
}

static inline void
record_event(void *user, ec_peer_id node, ec_event ev, ec_block_id block, uint64_t arg)
{
	fixture *f = user;
	(void)node;
	(void)block;
	f->events++;
	if (ev == EC_EV_COMMIT)
		f->commits++;
	if (ev == EC_EV_VOTE_BLOCKED)
		f->blocked++;
	if (ev == EC_EV_REJECT) {
		assert_true(arg > EC_ACCEPT && arg < EC_VERDICT_COUNT);
		f->rejects[arg]++;
	}
}

static inline size_t
nrejects(const fixture *f)
{
	size_t c = 0;
	for (int v = 0; v < EC_VERDICT_COUNT; v++)
		c += f->rejects[v];
	return c;
}

static inline const void *
intern(void *user, const void *data, size_t len)
{
	return ec_memstore_intern_bytes(user, data, len);
}

static inline void
peer_ids(uint64_t ids[NPEERS])
{
	for (int i = 0; i < NPEERS; i++)
		ids[i] = P(1000u * (uint64_t)(i + 1));
}

static inline fixture *
make_cfg(uint64_t self, const ecp_config *cfg)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(ec_memstore_new(ec_libc_realloc, NULL, &f->ms), EC_OK);
	f->view = (ec_memstore_view){f->ms, 0, 0};
	f->ctx = (ec_ctx){.realloc_fn = ec_libc_realloc, .send = record_send, .send_user = f,
	                  .store = ec_memstore_bind(&f->view, ECP_STORE_API), .intern = intern,
	                  .intern_user = f->ms, .event = record_event, .event_user = f,
	                  .sig = &ec_sig_keyed_hash};
	f->proto = &ec_protocol_ec;
	f->cfg = *cfg;
	f->node = calloc(1, f->proto->node_size);
	assert_non_null(f->node);
	assert_int_equal(f->proto->node_init(f->node, self, &f->cfg), EC_OK);
	uint64_t ids[NPEERS];
	peer_ids(ids);
	assert_int_equal(f->proto->set_peers(f->node, &f->ctx, ids, NPEERS), EC_OK);
	ec_peers_init(&f->peers);
	assert_int_equal(ec_peers_assign(&f->peers, &f->ctx, ids, NPEERS), EC_OK);
	return f;
}

static inline fixture *
make_q(uint64_t self, uint32_t batch, uint32_t q)
{
	ecp_config c;
	ecp_config_default(&c);
	c.batch = batch;
	c.quorum = q;
	return make_cfg(self, &c);
}

static inline fixture *
make(uint64_t self, uint32_t batch)
{
	return make_q(self, batch, 0);
}

static inline void
destroy(fixture *f)
{
	f->proto->node_fini(f->node, &f->ctx);
	ec_peers_fini(&f->peers, &f->ctx);
	free(f->node);
	ec_memstore_free(f->ms);
	free(f->out);
	free(f);
}

static inline ec_id
tok_id(uint64_t unit)
{
	return ec_id_expand(P(unit));
}

/* Steps b->time up from its current value until b's content hash lands
 * in want; sets b->id. */
static inline void
grind(ecp_block *b, ec_range want)
{
	for (int i = 0; i < 1000000; i++, b->time++) {
		ecp_block_id(b, &b->id);
		if (ec_range_contains(want, ec_id_pos(&b->id)))
			return;
	}
	fail_msg("no block id in the wanted range");
}

static inline ecp_block *
new_block(uint32_t n)
{
	ecp_block *b = calloc(1, ecp_block_size(n));
	assert_non_null(b);
	b->nparts = n;
	return b;
}

/* An immutable copy of b in f's body arena; frees b. */
static inline const ecp_block *
keep(fixture *f, ecp_block *b)
{
	const ecp_block *kept = intern(f->ms, b, ecp_block_size(b->nparts));
	assert_non_null(kept);
	free(b);
	return kept;
}

/* A block creating `n` tokens (units tok[]) with next keys key, key+1, ...
 * (any 256-bit value will do for a create), its id in want. */
static inline const ecp_block *
creates(fixture *f, const uint64_t *tok, uint32_t n, uint64_t key, ec_range want)
{
	ecp_block *b = new_block(n);
	for (uint32_t i = 0; i < n; i++)
		b->parts[i] = (ecp_part){.token = tok_id(tok[i]), .next_key = ec_id_expand(key + i)};
	grind(b, want);
	return keep(f, b);
}

static inline void
deliver(fixture *f, uint64_t from, uint64_t time, const ecp_item *items, uint32_t n)
{
	ec_msg m = {.sender = from, .receiver = 0, .time = time, .type = EC_MSG_ENVELOPE};
	m.u.env.items = items;
	m.u.env.n = n;
	assert_int_equal(f->proto->handle(f->node, &f->ctx, &m), EC_OK);
}

static inline void
vote(fixture *f, uint64_t from, ec_id bid, uint16_t role, int8_t value, uint64_t time)
{
	ecp_item it = {.kind = ECP_VOTE, .value = value, .role = role, .block_id = bid};
	deliver(f, from, time, &it, 1);
}

static inline bool
committed(const fixture *f, const ec_id *id)
{
	return f->proto->committed(f->node, &f->ctx, ec_id_pos(id), id);
}

static inline void
tick(fixture *f)
{
	assert_int_equal(f->proto->tick(f->node, &f->ctx), EC_OK);
}

/* Items of kind sent to `to` since the last clear; the last one in *last. */
static inline size_t
sent(const fixture *f, uint64_t to, uint8_t kind, ecp_item *last)
{
	size_t c = 0;
	for (size_t i = 0; i < f->nout; i++)
		for (uint32_t k = 0; k < f->out[i].n; k++)
			if (f->out[i].to == to && f->out[i].items[k].kind == kind) {
				c++;
				if (last)
					*last = f->out[i].items[k];
			}
	return c;
}

/* Submits the node-built (unsigned) block creating the tokens at units
 * tok[], its time ground so that its id lands in want; returns the id. */
static inline ec_id
submit(fixture *f, const uint64_t *tok, uint32_t n, ec_range want)
{
	ec_token_part parts[8];
	for (uint32_t i = 0; i < n; i++)
		parts[i] = (ec_token_part){P(tok[i]), 0, 77 + i};
	ec_txn t = {.time = 0, .used = n, .parts = parts};
	ecp_block *b = malloc(ecp_block_size(n));
	assert_non_null(b);
	for (;; t.time++) {
		assert_true(t.time < 1000000);
		ecp_block_from_txn(&t, b);
		if (ec_range_contains(want, ec_id_pos(&b->id)))
			break;
	}
	ec_id id = b->id;
	free(b);
	t.id = ec_id_pos(&id);
	assert_int_equal(f->proto->submit(f->node, &f->ctx, &t), EC_OK);
	assert_false(committed(f, &id));
	return id;
}

/* A certificate with a yes from every peer in the windows the node at
 * self sees around each role's key. */
static inline const ecp_cert *
full_cert(fixture *f, uint64_t self, const ecp_block *b)
{
	size_t bytes = sizeof(ecp_cert) + (size_t)(b->nparts + 1) * NPEERS * sizeof(ecp_vote);
	ecp_cert *c = calloc(1, bytes);
	assert_non_null(c);
	for (uint32_t r = 0; r <= b->nparts; r++) {
		uint64_t key = ec_id_pos(r < b->nparts ? &b->parts[r].token : &b->id);
		ec_range w = ecp_window(&f->peers, self, key, f->cfg.window);
		for (uint32_t k = 0; k < NPEERS; k++)
			if (ec_range_contains(w, f->peers.ids[k]))
				c->v[c->n++] = (ecp_vote){
				    .voter = f->peers.ids[k], .stamp = 2, .value = 1,
				    .role = r < b->nparts ? (uint16_t)r : ECP_ROLE_WITNESS};
	}
	const ecp_cert *kept = intern(f->ms, c, bytes);
	assert_non_null(kept);
	free(c);
	return kept;
}

#endif /* EC_NODE_FIXTURE_H */
