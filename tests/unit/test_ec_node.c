/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the ec protocol node (ec/ecp.h), driven through its
 * ec_protocol table with a recording context: windows, the commit rule on a
 * hand-built neighbourhood (net balance, quorum, witness, voters outside the
 * window), blocking, exclusive votes for conflicting blocks (highest first),
 * withdrawals and their stamps, certificates, and batching.
 *
 * Layout: the node trusts the 40 peers 1000, 2000, ..., 40000 (positions
 * on the ring; ids are expanded to 256 bits).  With w = 4 the window around
 * 10500 is [7000, 15000] (4 below, 5 at or above) and around 30500 is
 * [27000, 35000].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ecp.h"
#include "ec/memstore.h"

#define NPEERS 40
#define FAR 20500u   /* a node far from TOK */
#define TOK 10500u
#define BID 30500u   /* witness window [27000, 35000] */
#define NEAR 20500u  /* member of NEARTOK's window */
#define NEARTOK 20300u

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
	ec_peers peers; /* the same list, for ecp_window */
} fixture;

static ec_err
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

static void
record_event(void *user, ec_peer_id node, ec_event ev, ec_block_id block, uint64_t arg)
{
	fixture *f = user;
	(void)node;
	(void)block;
	(void)arg;
	if (ev == EC_EV_COMMIT)
		f->commits++;
	if (ev == EC_EV_VOTE_BLOCKED)
		f->blocked++;
}

static const void *
intern(void *user, const void *data, size_t len)
{
	return ec_memstore_intern_bytes(user, data, len);
}

static fixture *
make_q(uint64_t self, uint32_t batch, uint32_t q)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(ec_memstore_new(&f->ms, ec_libc_realloc, NULL), EC_OK);
	f->view = (ec_memstore_view){f->ms, 0};
	f->ctx = (ec_ctx){.realloc_fn = ec_libc_realloc, .send = record_send, .send_user = f,
	                  .store = ec_memstore_bind(&f->view), .intern = intern,
	                  .intern_user = f->ms, .event = record_event, .event_user = f};
	f->proto = &ec_protocol_ec;
	ecp_config_default(&f->cfg);
	f->cfg.batch = batch;
	f->cfg.quorum = q;
	f->node = calloc(1, f->proto->node_size);
	assert_non_null(f->node);
	assert_int_equal(f->proto->node_init(f->node, self, &f->cfg), EC_OK);
	uint64_t ids[NPEERS];
	for (int i = 0; i < NPEERS; i++)
		ids[i] = 1000u * (uint64_t)(i + 1);
	assert_int_equal(f->proto->set_peers(f->node, &f->ctx, ids, NPEERS), EC_OK);
	ec_peers_init(&f->peers);
	assert_int_equal(ec_peers_assign(&f->peers, &f->ctx, ids, NPEERS), EC_OK);
	return f;
}

static fixture *
make(uint64_t self, uint32_t batch)
{
	return make_q(self, batch, 0);
}

static void
destroy(fixture *f)
{
	f->proto->node_fini(f->node, &f->ctx);
	ec_peers_fini(&f->peers, &f->ctx);
	free(f->node);
	ec_memstore_free(f->ms);
	free(f->out);
	free(f);
}

/* A block moving `n` tokens (positions tok[]) from parent `parent`, interned. */
static const ecp_block *
block(fixture *f, uint64_t id, const uint64_t *tok, uint32_t n, uint64_t parent, uint64_t key)
{
	ec_token_part parts[8];
	for (uint32_t i = 0; i < n; i++)
		parts[i] = (ec_token_part){tok[i], parent, key + i};
	ec_txn t = {.id = id, .time = 0, .used = n, .parts = parts};
	size_t size = ecp_block_size(n);
	ecp_block *b = malloc(size);
	assert_non_null(b);
	ecp_block_from_txn(&t, b);
	const ecp_block *kept = intern(f->ms, b, size);
	free(b);
	return kept;
}

static void
deliver(fixture *f, uint64_t from, uint64_t time, const ecp_item *items, uint32_t n)
{
	ec_msg m = {.sender = from, .receiver = 0, .time = time, .type = EC_MSG_ENVELOPE};
	m.u.env.items = items;
	m.u.env.n = n;
	assert_int_equal(f->proto->handle(f->node, &f->ctx, &m), EC_OK);
}

static void
vote(fixture *f, uint64_t from, uint64_t bid, uint16_t role, int8_t value, uint64_t time)
{
	ecp_item it = {.kind = ECP_VOTE, .value = value, .role = role,
	               .block_id = ec_id_expand(bid)};
	deliver(f, from, time, &it, 1);
}

static void
tick(fixture *f)
{
	assert_int_equal(f->proto->tick(f->node, &f->ctx), EC_OK);
}

/* Items of kind sent to `to` since the last clear; the last one in *last. */
static size_t
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

static void
submit(fixture *f, uint64_t id, const uint64_t *tok, uint32_t n)
{
	ec_token_part parts[8];
	for (uint32_t i = 0; i < n; i++)
		parts[i] = (ec_token_part){tok[i], 0, 77 + i};
	ec_txn t = {.id = id, .time = 0, .used = n, .parts = parts};
	assert_int_equal(f->proto->submit(f->node, &f->ctx, &t), EC_OK);
}

static void
test_window(void **state)
{
	(void)state;
	fixture *f = make(FAR, 1);
	ec_range r = ecp_window(&f->peers, FAR, TOK, 4);
	assert_int_equal(r.low, 7000);
	assert_int_equal(r.high, 15000);
	/* self just above the key displaces the farthest upper peer */
	r = ecp_window(&f->peers, 10700, TOK, 4);
	assert_int_equal(r.low, 7000);
	assert_int_equal(r.high, 14000);
	assert_true(ec_range_contains(r, 10700));
	/* self just below */
	r = ecp_window(&f->peers, 10200, TOK, 4);
	assert_int_equal(r.low, 8000);
	assert_int_equal(r.high, 15000);
	/* wrapping around zero */
	r = ecp_window(&f->peers, FAR, 500, 4);
	assert_int_equal(r.low, 37000);
	assert_int_equal(r.high, 5000);
	assert_true(ec_range_contains(r, 39000) && ec_range_contains(r, 3000));
	assert_false(ec_range_contains(r, 20000));
	/* a list too short for a window covers the ring */
	ec_peers few;
	ec_peers_init(&few);
	uint64_t ids[3] = {100, 200, 300};
	assert_int_equal(ec_peers_assign(&few, &f->ctx, ids, 3), EC_OK);
	r = ecp_window(&few, 150, 5000, 4);
	assert_true(ec_range_contains(r, 0) && ec_range_contains(r, UINT64_MAX) &&
	            ec_range_contains(r, 777777));
	ec_peers_fini(&few, &f->ctx);
	destroy(f);
}

/* The submitter commits when the token role has a net balance above 2 and
 * a quorum of 5 yes votes from its window, and the witness more than 2. */
static void
test_commit_rule(void **state)
{
	(void)state;
	fixture *f = make(FAR, 1);
	uint64_t tok = TOK;
	submit(f, BID, &tok, 1);
	tick(f);
	/* the first wave went to the two peers nearest each key */
	assert_int_equal(sent(f, 10000, ECP_BLOCK, NULL) + sent(f, 11000, ECP_BLOCK, NULL), 2);
	assert_int_equal(sent(f, 30000, ECP_BLOCK, NULL) + sent(f, 31000, ECP_BLOCK, NULL), 2);
	/* witnesses */
	vote(f, 29000, BID, ECP_ROLE_WITNESS, 1, 1);
	vote(f, 31000, BID, ECP_ROLE_WITNESS, 1, 1);
	vote(f, 33000, BID, ECP_ROLE_WITNESS, 1, 1);
	/* four members say yes, and a yes from outside the window */
	vote(f, 7000, BID, 0, 1, 1);
	vote(f, 9000, BID, 0, 1, 1);
	vote(f, 11000, BID, 0, 1, 1);
	vote(f, 13000, BID, 0, 1, 1);
	vote(f, 16000, BID, 0, 1, 1);
	tick(f);
	assert_false(f->proto->committed(f->node, &f->ctx, BID));
	assert_int_equal(f->commits, 0);
	/* the fifth member makes the quorum */
	vote(f, 15000, BID, 0, 1, 1);
	tick(f);
	assert_true(f->proto->committed(f->node, &f->ctx, BID));
	assert_int_equal(f->commits, 1);
	destroy(f);

	/* token voters hear the outcome with a certificate of the counted votes */
	ecp_item c = {0};

	f = make(FAR, 1);
	submit(f, BID, &tok, 1);
	tick(f);
	f->nout = 0;
	for (uint64_t v = 7000; v <= 15000; v += 2000)
		vote(f, v, BID, 0, 1, 1);
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(f, v, BID, ECP_ROLE_WITNESS, 1, 1);
	tick(f);
	assert_int_equal(sent(f, 7000, ECP_COMMIT, &c), 1);
	assert_non_null(c.cert);
	assert_non_null(c.block);
	assert_int_equal(c.cert->n, 8); /* 5 token votes and 3 witness votes */
	assert_int_equal(sent(f, 27000, ECP_COMMIT, NULL), 0); /* witnesses keep nothing */
	destroy(f);
}

/* With a grace, the submitter waits before committing, and a withdrawal in
 * the meantime cancels the commit. */
static void
test_grace(void **state)
{
	(void)state;
	uint64_t tok = TOK;
	for (int withdraw_in_between = 0; withdraw_in_between < 2; withdraw_in_between++) {
		fixture *f = make(FAR, 1);
		f->cfg.grace = 2;
		f->proto->node_fini(f->node, &f->ctx);
		assert_int_equal(f->proto->node_init(f->node, FAR, &f->cfg), EC_OK);
		uint64_t ids[NPEERS];
		for (int i = 0; i < NPEERS; i++)
			ids[i] = 1000u * (uint64_t)(i + 1);
		assert_int_equal(f->proto->set_peers(f->node, &f->ctx, ids, NPEERS), EC_OK);
		submit(f, BID, &tok, 1);
		tick(f);
		for (uint64_t v = 27000; v <= 31000; v += 2000)
			vote(f, v, BID, ECP_ROLE_WITNESS, 1, 1);
		for (uint64_t v = 7000; v <= 15000; v += 2000)
			vote(f, v, BID, 0, 1, 1);
		tick(f); /* decided: waits two rounds */
		assert_false(f->proto->committed(f->node, &f->ctx, BID));
		if (withdraw_in_between) {
			ecp_item w = {.kind = ECP_WITHDRAW, .role = 0, .block_id = ec_id_expand(BID)};
			deliver(f, 9000, 3, &w, 1);
		}
		tick(f);
		assert_false(f->proto->committed(f->node, &f->ctx, BID));
		tick(f);
		tick(f);
		assert_int_equal(f->proto->committed(f->node, &f->ctx, BID), !withdraw_in_between);
		destroy(f);
	}
}

/* A member commits only on the submitter's certificate, never on the votes
 * it overheard (a voter may have withdrawn at the submitter). */
static void
test_member_waits_for_certificate(void **state)
{
	(void)state;
	fixture *f = make(NEAR, 1);
	uint64_t tok = NEARTOK;
	const ecp_block *b = block(f, 50500, &tok, 1, 0, 1);
	ecp_item it = {.kind = ECP_BLOCK, .role = 0, .origin = 1000, .block_id = b->id, .block = b};
	deliver(f, 3000, 0, &it, 1);
	/* fellow members pass their yes on; witnesses too */
	it.value = 1;
	for (uint64_t v = 17000; v <= 25000; v += 1000)
		deliver(f, v, 0, &it, 1);
	ecp_item w = it;
	w.role = ECP_ROLE_WITNESS; /* my witness window is [37000, 5000] */
	for (uint64_t v = 38000; v <= 40000; v += 1000)
		deliver(f, v, 0, &w, 1);
	tick(f);
	tick(f);
	assert_false(f->proto->committed(f->node, &f->ctx, 50500));
	destroy(f);
}

/* A net balance is not enough without the quorum, and no votes block. */
static void
test_balance_and_blocking(void **state)
{
	(void)state;
	fixture *f = make_q(FAR, 1, 3);
	uint64_t tok = TOK;
	submit(f, BID, &tok, 1);
	tick(f);
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(f, v, BID, ECP_ROLE_WITNESS, 1, 1);
	/* 4 yes, 2 no: balance 2 is not above the threshold */
	vote(f, 7000, BID, 0, 1, 1);
	vote(f, 8000, BID, 0, 1, 1);
	vote(f, 9000, BID, 0, 1, 1);
	vote(f, 10000, BID, 0, 1, 1);
	vote(f, 11000, BID, 0, -1, 1);
	vote(f, 12000, BID, 0, -1, 1);
	tick(f);
	assert_false(f->proto->committed(f->node, &f->ctx, BID));
	/* a fifth yes: balance 3 */
	vote(f, 13000, BID, 0, 1, 1);
	tick(f);
	assert_true(f->proto->committed(f->node, &f->ctx, BID));
	destroy(f);

	f = make(FAR, 1);
	submit(f, BID, &tok, 1);
	tick(f);
	for (uint64_t v = 7000; v <= 15000; v += 2000)
		vote(f, v, BID, 0, -1, 1);
	tick(f);
	assert_false(f->proto->committed(f->node, &f->ctx, BID));
	assert_int_equal(f->blocked, 1);
	destroy(f);
}

/* Two conflicting blocks in the same round: the member backs the higher. */
static void
test_conflict_highest_first(void **state)
{
	(void)state;
	fixture *f = make(NEAR, 1);
	uint64_t tok = NEARTOK;
	const ecp_block *lo = block(f, 50500, &tok, 1, 0, 1);
	const ecp_block *hi = block(f, 60500, &tok, 1, 0, 2);
	ecp_item it[2] = {
	    {.kind = ECP_BLOCK, .role = 0, .origin = 1000, .block_id = lo->id, .block = lo},
	    {.kind = ECP_BLOCK, .role = 0, .origin = 2000, .block_id = hi->id, .block = hi}};
	deliver(f, 3000, 0, it, 2);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, 2000, ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	assert_int_equal(sent(f, 1000, ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	/* as the entry member it passed each block to its window */
	assert_true(sent(f, 21000, ECP_BLOCK, NULL) >= 2);
	destroy(f);
}

/* Backing the lower block first, a member withdraws its yes (and waits for
 * the submitter's acknowledgement) before it backs the higher one. */
static void
test_withdrawal(void **state)
{
	(void)state;
	fixture *f = make(NEAR, 1);
	uint64_t tok = NEARTOK;
	const ecp_block *lo = block(f, 50500, &tok, 1, 0, 1);
	const ecp_block *hi = block(f, 60500, &tok, 1, 0, 2);
	ecp_item a = {.kind = ECP_BLOCK, .role = 0, .origin = 1000, .block_id = lo->id,
	              .block = lo};
	deliver(f, 3000, 0, &a, 1);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, 1000, ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	f->nout = 0;
	ecp_item b = {.kind = ECP_BLOCK, .role = 0, .origin = 2000, .block_id = hi->id,
	              .block = hi};
	deliver(f, 3000, 1, &b, 1);
	tick(f);
	assert_int_equal(sent(f, 1000, ECP_WITHDRAW, NULL), 1);
	assert_int_equal(sent(f, 2000, ECP_VOTE, NULL), 0); /* not before the ack */
	/* a re-poll of the lower block now hears a no */
	f->nout = 0;
	a.hops = 0;
	for (int i = 0; i < 8; i++)
		tick(f);
	deliver(f, 1000, 9, &a, 1);
	tick(f);
	assert_int_equal(sent(f, 1000, ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	f->nout = 0;
	ecp_item ack = {.kind = ECP_WITHDRAWN, .role = 0, .block_id = lo->id};
	deliver(f, 1000, 10, &ack, 1);
	tick(f);
	assert_int_equal(sent(f, 2000, ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	destroy(f);
}

/* At the submitter a withdrawal outranks the yes it takes back, whatever
 * order they arrive in; after a commit it is answered with the certificate. */
static void
test_withdrawal_at_submitter(void **state)
{
	(void)state;
	fixture *f = make(FAR, 1);
	uint64_t tok = TOK;
	submit(f, BID, &tok, 1);
	tick(f);
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(f, v, BID, ECP_ROLE_WITNESS, 1, 1);
	for (uint64_t v = 7000; v <= 10000; v += 1000)
		vote(f, v, BID, 0, 1, 1);
	ecp_item w = {.kind = ECP_WITHDRAW, .role = 0, .block_id = ec_id_expand(BID)};
	deliver(f, 11000, 3, &w, 1);
	ecp_item ack;
	tick(f);
	assert_int_equal(sent(f, 11000, ECP_WITHDRAWN, &ack), 1);
	vote(f, 11000, BID, 0, 1, 2); /* its older yes, overtaken on the way */
	tick(f);
	assert_false(f->proto->committed(f->node, &f->ctx, BID));
	vote(f, 12000, BID, 0, 1, 2);
	tick(f);
	assert_true(f->proto->committed(f->node, &f->ctx, BID));
	f->nout = 0;
	deliver(f, 13000, 5, &w, 1);
	tick(f);
	ecp_item c;
	assert_int_equal(sent(f, 13000, ECP_COMMIT, &c), 1);
	assert_non_null(c.cert);
	assert_int_equal(sent(f, 13000, ECP_WITHDRAWN, NULL), 0);
	destroy(f);
}

/* A member commits on a certificate, writes its token mapping, blocks the
 * conflicting block and then votes no on a block with the old parent. */
static void
test_certificate(void **state)
{
	(void)state;
	fixture *sub = make(45500, 1);
	uint64_t tok = NEARTOK;
	submit(sub, 55500, &tok, 1);
	tick(sub);
	for (uint64_t v = 17000; v <= 25000; v += 2000)
		vote(sub, v, 55500, 0, 1, 1);
	vote(sub, 20500, 55500, 0, 1, 1);
	for (uint64_t v = 52000; v <= 56000; v += 2000)
		vote(sub, v, 55500, ECP_ROLE_WITNESS, 1, 1);
	sub->nout = 0;
	tick(sub);
	ecp_item c;
	assert_int_equal(sent(sub, NEAR, ECP_COMMIT, &c), 1);

	fixture *f = make(NEAR, 1);
	f->proto->advance(f->node, 1);
	deliver(f, 45500, 2, &c, 1);
	tick(f);
	assert_true(f->proto->committed(f->node, &f->ctx, 55500));
	/* a block spending the token from its old parent is refused */
	const ecp_block *stale = block(f, 66500, &tok, 1, 0, 9);
	ecp_item b = {.kind = ECP_BLOCK, .role = 0, .origin = 4000, .block_id = stale->id,
	              .block = stale};
	f->nout = 0;
	deliver(f, 3000, 3, &b, 1);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, 4000, ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	/* and one from the committed block is accepted */
	const ecp_block *next = block(f, 77500, &tok, 1, 55500, 9);
	b.block_id = next->id;
	b.block = next;
	f->nout = 0;
	deliver(f, 3000, 4, &b, 1);
	tick(f);
	assert_int_equal(sent(f, 4000, ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	destroy(f);
	destroy(sub);
}

/* Everything a node sends to one receiver in a round is one envelope; with
 * batching off, one envelope per item. */
static void
test_batching(void **state)
{
	(void)state;
	/* three tokens whose nearest peers are the same two nodes */
	uint64_t toks[3] = {10400, 10500, 10600};
	fixture *f = make(FAR, 1);
	submit(f, BID, toks, 3);
	tick(f);
	size_t env10 = 0, items10 = 0;
	for (size_t i = 0; i < f->nout; i++)
		if (f->out[i].to == 10000 || f->out[i].to == 11000) {
			env10++;
			items10 += f->out[i].n;
		}
	assert_int_equal(env10, 2);
	assert_int_equal(items10, 6);
	destroy(f);

	f = make(FAR, 0);
	submit(f, BID, toks, 3);
	tick(f);
	env10 = items10 = 0;
	for (size_t i = 0; i < f->nout; i++)
		if (f->out[i].to == 10000 || f->out[i].to == 11000) {
			env10++;
			items10 += f->out[i].n;
		}
	assert_int_equal(env10, 6);
	assert_int_equal(items10, 6);
	destroy(f);
}

/* Foreign or malformed input is ignored, never an error. */
static void
test_bad_input(void **state)
{
	(void)state;
	fixture *f = make(NEAR, 1);
	ec_msg m = {.sender = 3000, .type = EC_MSG_VOTE};
	assert_int_equal(f->proto->handle(f->node, &f->ctx, &m), EC_OK);
	uint64_t tok = NEARTOK;
	const ecp_block *b = block(f, 50500, &tok, 1, 0, 1);
	ecp_item bad[4] = {
	    {.kind = 99, .block_id = b->id},
	    {.kind = ECP_BLOCK, .block_id = ec_id_expand(1234), .block = b}, /* id mismatch */
	    {.kind = ECP_BLOCK, .block_id = b->id, .block = NULL},
	    {.kind = ECP_COMMIT, .block_id = b->id, .block = b, .cert = NULL}};
	deliver(f, 3000, 0, bad, 4);
	ecp_item role = {.kind = ECP_BLOCK, .role = 7, .block_id = b->id, .block = b,
	                 .origin = 1000}; /* no such part */
	deliver(f, 3000, 0, &role, 1);
	tick(f);
	assert_int_equal(sent(f, 1000, ECP_VOTE, NULL), 0);
	assert_int_equal(f->commits, 0);
	ecp_config c;
	ecp_config_default(&c);
	c.window = 0;
	assert_non_null(ecp_config_check(&c));
	void *n = calloc(1, f->proto->node_size);
	assert_int_equal(f->proto->node_init(n, 1, &c), EC_EINVAL);
	free(n);
	destroy(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_commit_rule),
	    cmocka_unit_test(test_balance_and_blocking),
	    cmocka_unit_test(test_grace),
	    cmocka_unit_test(test_member_waits_for_certificate),
	    cmocka_unit_test(test_conflict_highest_first),
	    cmocka_unit_test(test_withdrawal),
	    cmocka_unit_test(test_withdrawal_at_submitter),
	    cmocka_unit_test(test_certificate),
	    cmocka_unit_test(test_batching),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
