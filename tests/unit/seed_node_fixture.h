/* SPDX-License-Identifier: MIT */
/*
 * The fixture shared by the unit tests of the seed protocol node
 * (ec/seed.h): test_seed_node.c and test_seed_tick.c.  setup() makes a node
 * driven through its ec_protocol vtable with a recording context (what it
 * sends and the events it reports are kept), teardown() frees it, and T()
 * registers a test with both; helpers build blocks, deliver messages and
 * check what was sent.  The functions are static inline, so that each test
 * program compiles only what it uses.
 *
 * Layout used throughout: the node is SELF = 10500 and trusts the 20 peers
 * 1000, 2000, ..., 20000.  So
 *   peer_range(5500)  = [2000, 10000]   (TOK's 9-peer window)
 *   peer_range(15500) = [12000, 20000]  (BID's witness window)
 *   peer_range(10500) = [7000, 15000]   (my_range: TOK outside, TOK_IN inside)
 *   peer_range(12500) = [9000, 17000]   (TOK_IN's window)
 *   peer_range(1500)  = [18000, 6000]   (wrapping: BID_W's witness window)
 */
#ifndef SEED_NODE_FIXTURE_H
#define SEED_NODE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ctx.h"
#include "ecsim/memstore.h"
#include "ec/protocol.h"
#include "ec/rng.h"
#include "ec/seed.h"

#define SELF 10500u
#define NPEERS 20
#define TOK 5500u      /* outside my_range */
#define BID 15500u
#define TOK_IN 12500u  /* inside my_range */
#define BID_W 1500u    /* block id whose witness window wraps */
#define STRANGER 555u  /* not a peer */
#define PARENT 4242u

typedef struct sent {
	ec_msg m;
	ec_block block; /* copy of a Block body */
} sent;

typedef struct event_rec {
	ec_peer_id node;
	ec_event ev;
	ec_block_id block;
	uint64_t arg;
} event_rec;

typedef struct fixture {
	ec_memstore *ms;
	ec_memstore_view view;
	ec_ctx ctx;
	ec_seed_node node;
	const ec_protocol *proto;
	sent *out;
	size_t nout, capout;
	event_rec ev[4096];
	size_t nev;
} fixture;

static inline ec_err
record_send(void *user, const ec_msg *m)
{
	fixture *f = user;
	if (f->nout == f->capout) {
		size_t cap = f->capout ? 2 * f->capout : 64;
		sent *v = realloc(f->out, cap * sizeof *v);
		if (!v)
			return EC_ENOMEM;
		f->out = v;
		f->capout = cap;
	}
	sent *s = &f->out[f->nout++];
	memset(s, 0, sizeof *s);
	s->m = *m;
	if (m->type == EC_MSG_BLOCK) {
		assert_non_null(m->u.block.block);
		s->block = *m->u.block.block;
		s->m.u.block.block = NULL; /* the body is only valid during the call */
	}
	return EC_OK;
}

static inline void
record_event(void *user, ec_peer_id node, ec_event ev, ec_block_id block, uint64_t arg)
{
	fixture *f = user;
	assert_true(f->nev < sizeof f->ev / sizeof f->ev[0]);
	f->ev[f->nev++] = (event_rec){node, ev, block, arg};
}

static inline int
setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(ec_memstore_new(ec_libc_realloc, NULL, &f->ms), EC_OK);
	f->view = (ec_memstore_view){f->ms, 0, 0};
	f->ctx.realloc_fn = ec_libc_realloc;
	f->ctx.send = record_send;
	f->ctx.send_user = f;
	f->ctx.store = ec_memstore_bind(&f->view, EC_SEED_STORE_API);
	f->ctx.event = record_event;
	f->ctx.event_user = f;
	f->proto = &ec_protocol_seed;
	assert_int_equal(f->proto->node_size, sizeof f->node);
	assert_int_equal(f->proto->node_init(&f->node, SELF, NULL), EC_OK);
	uint64_t ids[NPEERS];
	for (int i = 0; i < NPEERS; i++)
		ids[i] = 1000u * (uint64_t)(i + 1);
	assert_int_equal(f->proto->set_peers(&f->node, &f->ctx, ids, NPEERS), EC_OK);
	assert_int_equal(f->proto->peer_count(&f->node), NPEERS);
	*state = f;
	return 0;
}

static inline int
teardown(void **state)
{
	fixture *f = *state;
	f->proto->node_fini(&f->node, &f->ctx);
	ec_memstore_free(f->ms);
	free(f->out);
	free(f);
	return 0;
}

static inline void
clear(fixture *f)
{
	f->nout = 0;
	f->nev = 0;
}

static inline ec_block
mk_block(ec_block_id id, uint64_t time, ec_token_id token, ec_block_id last)
{
	ec_block b = {0};
	b.id = id;
	b.time = time;
	b.used = 1;
	b.parts[0].token = token;
	b.parts[0].last = last;
	b.parts[0].key = 0xABCDu;
	b.sig_present = 1;
	b.signatures[0] = 0x1234u;
	return b;
}

static inline uint64_t
now(const fixture *f)
{
	return f->proto->now(&f->node);
}

static inline void
deliver(fixture *f, const ec_msg *m)
{
	assert_int_equal(f->proto->handle(&f->node, &f->ctx, m), EC_OK);
}

static inline void
deliver_vote_t(fixture *f, ec_peer_id from, ec_block_id b, uint8_t v, bool reply, uint64_t time,
               uint64_t ticket)
{
	ec_msg m = {.sender = from, .receiver = SELF, .ticket = ticket, .time = time,
	            .type = EC_MSG_VOTE};
	m.u.vote.block_id = b;
	m.u.vote.vote = v;
	m.u.vote.reply = reply;
	deliver(f, &m);
}

static inline void
deliver_vote(fixture *f, ec_peer_id from, ec_block_id b, uint8_t v)
{
	uint64_t t = now(f);
	deliver_vote_t(f, from, b, v, true, t ? t - 1 : 0, 0);
}

static inline void
deliver_query(fixture *f, ec_peer_id from, ec_block_id b, ec_peer_id target, uint64_t qt)
{
	ec_msg m = {.sender = from, .receiver = SELF, .ticket = 0, .time = now(f),
	            .type = EC_MSG_QUERY_BLOCK};
	m.u.query.id = b;
	m.u.query.target = target;
	m.u.query.ticket = qt;
	deliver(f, &m);
}

static inline void
deliver_block(fixture *f, ec_peer_id from, const ec_block *b, uint64_t ticket)
{
	ec_msg m = {.sender = from, .receiver = SELF, .ticket = ticket, .time = now(f),
	            .type = EC_MSG_BLOCK};
	m.u.block.block = b;
	deliver(f, &m);
}

static inline void
submit(fixture *f, const ec_block *b)
{
	ec_txn t = {.id = b->id, .time = b->time, .used = b->used, .parts = b->parts,
	            .signatures = b->signatures};
	assert_int_equal(f->proto->submit(&f->node, &f->ctx, &t), EC_OK);
}

static inline void
tick(fixture *f)
{
	assert_int_equal(f->proto->tick(&f->node, &f->ctx), EC_OK);
}

static inline size_t
count_events(const fixture *f, ec_event ev)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nev; i++)
		n += f->ev[i].ev == ev;
	return n;
}

static inline const event_rec *
find_event(const fixture *f, ec_event ev)
{
	for (size_t i = 0; i < f->nev; i++)
		if (f->ev[i].ev == ev)
			return &f->ev[i];
	return NULL;
}

static inline void
assert_envelope(const sent *s, uint8_t type, ec_peer_id to, uint64_t ticket, uint64_t time)
{
	assert_int_equal(s->m.type, type);
	assert_int_equal(s->m.sender, SELF);
	assert_int_equal(s->m.receiver, to);
	assert_int_equal(s->m.ticket, ticket);
	assert_int_equal(s->m.time, time);
}

static inline void
assert_vote_msg(const sent *s, ec_peer_id to, ec_block_id b, uint8_t v, bool reply,
                uint64_t time)
{
	assert_envelope(s, EC_MSG_VOTE, to, 0, time);
	assert_int_equal(s->m.u.vote.block_id, b);
	assert_int_equal(s->m.u.vote.vote, v);
	assert_int_equal(s->m.u.vote.reply, reply);
}

static inline void
assert_query_msg(const sent *s, ec_peer_id to, uint64_t env_ticket, ec_block_id b,
                 ec_peer_id target, uint64_t qt, uint64_t time)
{
	assert_envelope(s, EC_MSG_QUERY_BLOCK, to, env_ticket, time);
	assert_int_equal(s->m.u.query.id, b);
	assert_int_equal(s->m.u.query.target, target);
	assert_int_equal(s->m.u.query.ticket, qt);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif /* SEED_NODE_FIXTURE_H */
