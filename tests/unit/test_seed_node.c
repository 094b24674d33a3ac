/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the seed protocol node (ec/seed.h), driven through its
 * ec_protocol vtable with a recording context: the handle_message table of
 * seed-protocol.md §2.5 (Vote, QueryBlock, Block) and the tick of §2.4 (tally, commit
 * thresholds including negative commits, token writes inside the node's own
 * range, vote requests and their targets, parent-commit requests, conflict
 * blanking, expiry).
 *
 * Layout used throughout: the node is SELF = 10500 and trusts the 20 peers
 * 1000, 2000, ..., 20000.  So
 *   peer_range(5500)  = [2000, 10000]   (TOK's 9-peer window)
 *   peer_range(15500) = [12000, 20000]  (BID's witness window)
 *   peer_range(10500) = [7000, 15000]   (my_range: TOK outside, TOK_IN inside)
 *   peer_range(12500) = [9000, 17000]   (TOK_IN's window)
 *   peer_range(1500)  = [18000, 6000]   (wrapping: BID_W's witness window)
 */
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

static ec_err
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

static void
record_event(void *user, ec_peer_id node, ec_event ev, ec_block_id block, uint64_t arg)
{
	fixture *f = user;
	assert_true(f->nev < sizeof f->ev / sizeof f->ev[0]);
	f->ev[f->nev++] = (event_rec){node, ev, block, arg};
}

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(ec_memstore_new(ec_libc_realloc, NULL, &f->ms), EC_OK);
	f->view = (ec_memstore_view){f->ms, 0};
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

static int
teardown(void **state)
{
	fixture *f = *state;
	f->proto->node_fini(&f->node, &f->ctx);
	ec_memstore_free(f->ms);
	free(f->out);
	free(f);
	return 0;
}

static void
clear(fixture *f)
{
	f->nout = 0;
	f->nev = 0;
}

static ec_block
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

static uint64_t
now(const fixture *f)
{
	return f->proto->now(&f->node);
}

static void
deliver(fixture *f, const ec_msg *m)
{
	assert_int_equal(f->proto->handle(&f->node, &f->ctx, m), EC_OK);
}

static void
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

static void
deliver_vote(fixture *f, ec_peer_id from, ec_block_id b, uint8_t v)
{
	uint64_t t = now(f);
	deliver_vote_t(f, from, b, v, true, t ? t - 1 : 0, 0);
}

static void
deliver_query(fixture *f, ec_peer_id from, ec_block_id b, ec_peer_id target, uint64_t qt)
{
	ec_msg m = {.sender = from, .receiver = SELF, .ticket = 0, .time = now(f),
	            .type = EC_MSG_QUERY_BLOCK};
	m.u.query.id = b;
	m.u.query.target = target;
	m.u.query.ticket = qt;
	deliver(f, &m);
}

static void
deliver_block(fixture *f, ec_peer_id from, const ec_block *b, uint64_t ticket)
{
	ec_msg m = {.sender = from, .receiver = SELF, .ticket = ticket, .time = now(f),
	            .type = EC_MSG_BLOCK};
	m.u.block.block = b;
	deliver(f, &m);
}

static void
submit(fixture *f, const ec_block *b)
{
	ec_txn t = {.id = b->id, .time = b->time, .used = b->used, .parts = b->parts,
	            .signatures = b->signatures};
	assert_int_equal(f->proto->submit(&f->node, &f->ctx, &t), EC_OK);
}

static void
tick(fixture *f)
{
	assert_int_equal(f->proto->tick(&f->node, &f->ctx), EC_OK);
}

static void
put_block(fixture *f, const ec_block *b)
{
	assert_int_equal(ec_seed_store(&f->ctx.store)->block_put(f->ctx.store.impl, b), EC_OK);
}

static void
put_token(fixture *f, ec_token_id t, ec_block_id b, uint64_t time)
{
	assert_int_equal(ec_seed_store(&f->ctx.store)->token_put(f->ctx.store.impl, t, b, time), EC_OK);
}

static bool
get_token(fixture *f, ec_token_id t, ec_block_id *b, uint64_t *time)
{
	return ec_seed_store(&f->ctx.store)->token_get(f->ctx.store.impl, t, b, time);
}

static size_t
count_events(const fixture *f, ec_event ev)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nev; i++)
		n += f->ev[i].ev == ev;
	return n;
}

static const event_rec *
find_event(const fixture *f, ec_event ev)
{
	for (size_t i = 0; i < f->nev; i++)
		if (f->ev[i].ev == ev)
			return &f->ev[i];
	return NULL;
}

static void
assert_envelope(const sent *s, uint8_t type, ec_peer_id to, uint64_t ticket, uint64_t time)
{
	assert_int_equal(s->m.type, type);
	assert_int_equal(s->m.sender, SELF);
	assert_int_equal(s->m.receiver, to);
	assert_int_equal(s->m.ticket, ticket);
	assert_int_equal(s->m.time, time);
}

static void
assert_vote_msg(const sent *s, ec_peer_id to, ec_block_id b, uint8_t v, bool reply,
                uint64_t time)
{
	assert_envelope(s, EC_MSG_VOTE, to, 0, time);
	assert_int_equal(s->m.u.vote.block_id, b);
	assert_int_equal(s->m.u.vote.vote, v);
	assert_int_equal(s->m.u.vote.reply, reply);
}

static void
assert_query_msg(const sent *s, ec_peer_id to, uint64_t env_ticket, ec_block_id b,
                 ec_peer_id target, uint64_t qt, uint64_t time)
{
	assert_envelope(s, EC_MSG_QUERY_BLOCK, to, env_ticket, time);
	assert_int_equal(s->m.u.query.id, b);
	assert_int_equal(s->m.u.query.target, target);
	assert_int_equal(s->m.u.query.ticket, qt);
}

/* The two messages of one VOTE request: to peers_for(key, T), lower first. */
static void
assert_vote_pair(const fixture *f, size_t at, ec_token_id key, ec_block_id b, uint8_t v)
{
	uint64_t T = f->node.time, to[2];
	ec_peers_for(&f->node.peers, SELF, key, T, to);
	assert_true(at + 2 <= f->nout);
	assert_vote_msg(&f->out[at], to[0], b, v, true, T);
	assert_vote_msg(&f->out[at + 1], to[1], b, v, true, T);
}

/* ------------------------------------------------------------------ */
/* Layout sanity: the windows the tally tests rely on.                  */

static void
test_layout(void **state)
{
	fixture *f = *state;
	ec_range r = ec_peer_range(&f->node.peers, TOK);
	assert_int_equal(r.low, 2000);
	assert_int_equal(r.high, 10000);
	r = ec_peer_range(&f->node.peers, BID);
	assert_int_equal(r.low, 12000);
	assert_int_equal(r.high, 20000);
	r = ec_peer_range(&f->node.peers, SELF);
	assert_int_equal(r.low, 7000);
	assert_int_equal(r.high, 15000);
	r = ec_peer_range(&f->node.peers, TOK_IN);
	assert_int_equal(r.low, 9000);
	assert_int_equal(r.high, 17000);
	r = ec_peer_range(&f->node.peers, BID_W);
	assert_int_equal(r.low, 18000);
	assert_int_equal(r.high, 6000);
	assert_int_equal(now(f), 0);
	assert_true(f->proto->idle(&f->node));
	assert_ptr_equal(ec_protocol_find("seed"), &ec_protocol_seed);
}

/* ------------------------------------------------------------------ */
/* Vote handling (seed-protocol.md §2.5 table).                                     */

static void
test_vote_none_untrusted_adds_peer(void **state)
{
	fixture *f = *state;
	deliver_vote_t(f, STRANGER, BID, 1, true, 0, 0);
	assert_int_equal(f->nout, 0);
	assert_int_equal(f->node.pool.len, 0);
	assert_true(ec_peers_trusted(&f->node.peers, STRANGER));
	assert_int_equal(f->proto->peer_count(&f->node), NPEERS + 1);
	assert_int_equal(count_events(f, EC_EV_VOTE_NEW_UNTRUSTED), 1);
	assert_int_equal(find_event(f, EC_EV_VOTE_NEW_UNTRUSTED)->block, BID);
	assert_int_equal(find_event(f, EC_EV_VOTE_NEW_UNTRUSTED)->node, SELF);

	/* its next vote takes the (None, trusted) path */
	clear(f);
	deliver_vote_t(f, STRANGER, BID, 1, true, 0, 0);
	assert_int_equal(f->nout, 1);
	assert_query_msg(&f->out[0], STRANGER, 0, BID, 0, EC_SEED_BREQ ^ BID, 0);
	assert_int_equal(f->node.pool.len, 1);
}

static void
test_vote_none_untrusted_with_ticket(void **state)
{
	fixture *f = *state;
	/* never happens in the simulation (votes carry ticket 0), but specified */
	deliver_vote_t(f, STRANGER, BID, 1, true, 0, 9);
	assert_int_equal(f->nout, 1);
	assert_query_msg(&f->out[0], STRANGER, 0, BID, 0, EC_SEED_BREQ ^ BID, 0);
	assert_int_equal(f->node.pool.len, 0);
	assert_true(ec_peers_trusted(&f->node.peers, STRANGER));
}

static void
test_vote_none_trusted_records_and_queries(void **state)
{
	fixture *f = *state;
	tick(f);
	tick(f);
	assert_int_equal(now(f), 2);
	deliver_vote_t(f, 3000, BID, 0x05, true, 1, 0);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_non_null(e);
	assert_int_equal(e->time, 1); /* the sender's clock */
	assert_false(e->has_block);
	assert_int_equal(e->nvotes, 1);
	assert_int_equal(e->votes[0].peer, 3000);
	assert_int_equal(e->votes[0].vote, 0x05);
	assert_int_equal(f->nout, 1);
	assert_query_msg(&f->out[0], 3000, 0, BID, 0, EC_SEED_BREQ ^ BID, 2);
	assert_int_equal(count_events(f, EC_EV_VOTE_NEW_TRUSTED), 1);
	assert_false(f->proto->idle(&f->node));

	/* the answer (Block with ticket 2^id) fills the entry */
	clear(f);
	ec_block b = mk_block(BID, 0, TOK, 0);
	deliver_block(f, 3000, &b, EC_SEED_BREQ ^ BID);
	e = ec_mempool_find(&f->node.pool, BID);
	assert_true(e->has_block);
	assert_true(ec_block_equal(&e->block, &b));
	assert_int_equal(e->validate, 0);
	assert_int_equal(count_events(f, EC_EV_BLOCK_NEW), 1);
	assert_int_equal(f->nout, 0);
}

static void
test_vote_pending(void **state)
{
	fixture *f = *state;
	deliver_vote_t(f, 3000, BID, 1, true, 0, 0); /* entry without block */
	clear(f);

	/* pending + untrusted: dropped, and the sender is NOT added */
	deliver_vote_t(f, STRANGER, BID, 1, true, 0, 0);
	assert_int_equal(f->nout, 0);
	assert_false(ec_peers_trusted(&f->node.peers, STRANGER));
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->nvotes, 1);
	assert_int_equal(count_events(f, EC_EV_VOTE_UNTRUSTED), 1);

	/* pending + trusted: recorded, nothing sent (no second block request) */
	deliver_vote_t(f, 4000, BID, 0, true, 0, 0);
	assert_int_equal(f->nout, 0);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_int_equal(e->nvotes, 2);
	assert_int_equal(e->votes[1].peer, 4000);
	assert_int_equal(e->votes[1].vote, 0);
	assert_int_equal(count_events(f, EC_EV_VOTE_TRUSTED), 1);

	/* the same for a submitted block */
	ec_block b = mk_block(BID_W, 0, TOK, 0);
	submit(f, &b);
	clear(f);
	deliver_vote_t(f, STRANGER, BID_W, 1, true, 0, 0);
	deliver_vote_t(f, 5000, BID_W, 1, true, 0, 0);
	assert_int_equal(f->nout, 0);
	assert_false(ec_peers_trusted(&f->node.peers, STRANGER));
	e = ec_mempool_find(&f->node.pool, BID_W);
	assert_int_equal(e->nvotes, 1);
	assert_int_equal(e->votes[0].peer, 5000);
}

static void
test_vote_committed_in_store(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	put_block(f, &b);
	tick(f);

	deliver_vote_t(f, STRANGER, BID, 1, true, 0, 0);
	assert_int_equal(f->nout, 1);
	assert_vote_msg(&f->out[0], STRANGER, BID, EC_SEED_COMMITTED_VOTE, false, 1);
	assert_false(ec_peers_trusted(&f->node.peers, STRANGER));

	deliver_vote_t(f, 3000, BID, 0, true, 0, 0);
	assert_int_equal(f->nout, 2);
	assert_vote_msg(&f->out[1], 3000, BID, EC_SEED_COMMITTED_VOTE, false, 1);

	/* no reply to a reply */
	deliver_vote_t(f, 3000, BID, EC_SEED_COMMITTED_VOTE, false, 0, 0);
	deliver_vote_t(f, STRANGER, BID, 1, false, 0, 0);
	assert_int_equal(f->nout, 2);
	assert_int_equal(count_events(f, EC_EV_VOTE_COMMITTED), 4);
	assert_int_equal(f->node.pool.len, 0);
}

static void
test_vote_blocked(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	b.used = EC_TOKENS_PER_BLOCK; /* invalid */
	submit(f, &b);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->state, EC_STATE_BLOCKED);

	deliver_vote_t(f, 3000, BID, 1, true, 0, 0);
	deliver_vote_t(f, STRANGER, BID, 1, true, 0, 0);
	assert_int_equal(f->nout, 2);
	assert_vote_msg(&f->out[0], 3000, BID, EC_SEED_BLOCKED_VOTE, false, 0);
	assert_vote_msg(&f->out[1], STRANGER, BID, EC_SEED_BLOCKED_VOTE, false, 0);
	deliver_vote_t(f, 3000, BID, 1, false, 0, 0);
	assert_int_equal(f->nout, 2);
	assert_int_equal(count_events(f, EC_EV_VOTE_BLOCKED), 3);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->nvotes, 0);

	/* a Blocked entry is never evaluated: a tick sends nothing */
	clear(f);
	tick(f);
	assert_int_equal(f->nout, 0);
	assert_int_equal(count_events(f, EC_EV_EVALUATED), 0);
}

/* ------------------------------------------------------------------ */
/* QueryBlock handling.                                                 */

static void
test_query_answered(void **state)
{
	fixture *f = *state;
	ec_block inpool = mk_block(BID, 0, TOK, 0);
	ec_block instore = mk_block(BID_W, 0, TOK, 7);
	submit(f, &inpool);
	put_block(f, &instore);
	tick(f);
	clear(f);

	/* from the pool, to the sender (target 0), envelope ticket = query ticket;
	 * answering needs no trust */
	deliver_query(f, STRANGER, BID, 0, 0x1234);
	assert_int_equal(f->nout, 1);
	assert_envelope(&f->out[0], EC_MSG_BLOCK, STRANGER, 0x1234, 1);
	assert_true(ec_block_equal(&f->out[0].block, &inpool));

	/* from the block store, to an explicit target */
	deliver_query(f, 3000, BID_W, 7777, EC_SEED_PREQ ^ BID_W);
	assert_int_equal(f->nout, 2);
	assert_envelope(&f->out[1], EC_MSG_BLOCK, 7777, EC_SEED_PREQ ^ BID_W, 1);
	assert_true(ec_block_equal(&f->out[1].block, &instore));
	assert_int_equal(count_events(f, EC_EV_QUERY_ANSWERED), 2);
	assert_false(ec_peers_trusted(&f->node.peers, STRANGER));

	/* an entry without a block falls through to the block store for
	 * query(), while status() is the entry's (Pending, not Commit) */
	ec_block third = mk_block(PARENT, 0, TOK, 0);
	deliver_vote(f, 3000, PARENT, 1); /* entry without block + QueryBlock */
	put_block(f, &third);
	clear(f);
	deliver_query(f, STRANGER, PARENT, 0, 9);
	assert_int_equal(f->nout, 1);
	assert_envelope(&f->out[0], EC_MSG_BLOCK, STRANGER, 9, 1);
	assert_true(ec_block_equal(&f->out[0].block, &third));
	deliver_vote(f, 4000, PARENT, 1);
	assert_int_equal(f->nout, 1); /* no 0xFF reply: recorded as pending */
	assert_int_equal(ec_mempool_find(&f->node.pool, PARENT)->nvotes, 2);
}

static void
test_query_referral_to_untrusted(void **state)
{
	fixture *f = *state;
	/* an entry without a block does not answer */
	deliver_vote_t(f, 3000, BID, 1, true, 0, 0);
	tick(f);
	tick(f);
	clear(f);
	deliver_query(f, STRANGER, BID, 0, 77);
	assert_int_equal(f->nout, 1);
	uint64_t p[2];
	ec_peers_for(&f->node.peers, SELF, BID, 2, p);
	assert_envelope(&f->out[0], EC_MSG_REFERRAL, STRANGER, 77, 2);
	assert_int_equal(f->out[0].m.u.referral.token, BID);
	assert_int_equal(f->out[0].m.u.referral.high, p[1]);
	assert_int_equal(f->out[0].m.u.referral.low, p[0]);
	assert_int_equal(count_events(f, EC_EV_QUERY_REFERRED), 1);
	assert_false(ec_peers_trusted(&f->node.peers, STRANGER));

	/* the referral goes to the sender even when a target is named */
	deliver_query(f, STRANGER, 999, 7777, 78);
	assert_int_equal(f->nout, 2);
	ec_peers_for(&f->node.peers, SELF, 999, 2, p);
	assert_envelope(&f->out[1], EC_MSG_REFERRAL, STRANGER, 78, 2);
	assert_int_equal(f->out[1].m.u.referral.token, 999);
	assert_int_equal(f->out[1].m.u.referral.high, p[1]);
	assert_int_equal(f->out[1].m.u.referral.low, p[0]);
}

static void
test_query_forward_or_drop(void **state)
{
	fixture *f = *state;
	/* now = 0: (b ^ 0) & 3 == 0 forwards */
	deliver_query(f, 3000, 0x100, 0, 55);
	assert_int_equal(f->nout, 1);
	assert_query_msg(&f->out[0], ec_peer_for(&f->node.peers, SELF, 0x100, 0), 0, 0x100, 3000,
	                 55, 0);
	deliver_query(f, 3000, 0x104, 7777, 56);
	assert_int_equal(f->nout, 2);
	assert_query_msg(&f->out[1], ec_peer_for(&f->node.peers, SELF, 0x104, 0), 0, 0x104, 7777,
	                 56, 0);
	assert_int_equal(count_events(f, EC_EV_QUERY_FORWARDED), 2);

	/* otherwise the query of a trusted sender is dropped */
	deliver_query(f, 3000, 0x101, 0, 57);
	deliver_query(f, 3000, 0x102, 0, 57);
	deliver_query(f, 3000, 0x103, 0, 57);
	assert_int_equal(f->nout, 2);
	assert_int_equal(count_events(f, EC_EV_QUERY_DROPPED), 3);

	/* now = 1: 0x101 ^ 1 = 0x100 forwards, 0x100 ^ 1 drops */
	tick(f);
	clear(f);
	deliver_query(f, 4000, 0x101, 0, 58);
	assert_int_equal(f->nout, 1);
	assert_query_msg(&f->out[0], ec_peer_for(&f->node.peers, SELF, 0x101, 1), 0, 0x101, 4000,
	                 58, 1);
	deliver_query(f, 4000, 0x100, 0, 58);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->node.pool.len, 0);
}

/* ------------------------------------------------------------------ */
/* Block handling.                                                      */

static void
test_block_tickets(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	/* wrong tickets: ignored (validate_with has no effect) */
	static const uint64_t bad[] = {0, 1, 2, 3, BID, 1 ^ BID, 4 ^ BID};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		deliver_block(f, 3000, &b, bad[k]);
	assert_int_equal(f->node.pool.len, 0);
	assert_int_equal(f->nev, 0);

	/* 2^id accepted, without any trust check */
	deliver_block(f, STRANGER, &b, EC_SEED_BREQ ^ BID);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_non_null(e);
	assert_true(e->has_block);
	assert_int_equal(e->time, 0);
	assert_int_equal(count_events(f, EC_EV_BLOCK_NEW), 1);
	assert_false(ec_peers_trusted(&f->node.peers, STRANGER));

	/* a duplicate (either ticket) changes nothing */
	ec_block other = mk_block(BID, 1, TOK_IN, 9);
	deliver_block(f, 3000, &other, EC_SEED_PREQ ^ BID);
	e = ec_mempool_find(&f->node.pool, BID);
	assert_true(ec_block_equal(&e->block, &b));
	assert_int_equal(count_events(f, EC_EV_BLOCK_DUPLICATE), 1);

	/* 3^id accepted */
	tick(f);
	ec_block c = mk_block(BID_W, 0, TOK, 0);
	deliver_block(f, 3000, &c, EC_SEED_PREQ ^ BID_W);
	e = ec_mempool_find(&f->node.pool, BID_W);
	assert_non_null(e);
	assert_true(e->has_block);
	assert_int_equal(e->time, 1);
	assert_int_equal(count_events(f, EC_EV_BLOCK_NEW), 2);
	assert_int_equal(f->node.pool.len, 2);
	assert_int_equal(f->node.pool.e[0].id, BID);
	assert_int_equal(f->node.pool.e[1].id, BID_W);
}

/* ------------------------------------------------------------------ */
/* Tally and commit through tick().                                     */

static void
votes(fixture *f, ec_block_id b, const uint64_t *from, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		deliver_vote(f, from[i], b, v);
}

static const uint64_t tok_pos[] = {2000, 3000, 4000, 5000, 6000, 7000};
static const uint64_t wit[] = {12000, 13000, 14000, 20000};

static void
test_commit_at_plus_three(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	submit(f, &b);
	votes(f, BID, tok_pos, 3, 1);
	votes(f, BID, wit, 3, 0); /* witness counts whatever the vote value */
	clear(f);
	tick(f);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_int_equal(e->state, EC_STATE_COMMIT);
	assert_int_equal(e->remaining, 0);
	assert_false(e->negative);
	assert_int_equal(f->nout, 0);
	const event_rec *ev = find_event(f, EC_EV_COMMIT);
	assert_non_null(ev);
	assert_int_equal(ev->block, BID);
	assert_int_equal(ev->arg, 0);
	assert_int_equal(count_events(f, EC_EV_COMMIT), 1);

	/* the block is saved; TOK lies outside my_range: no mapping */
	const ec_block *saved = ec_memstore_block_get(f->ms, 0, BID);
	assert_non_null(saved);
	assert_true(ec_block_equal(saved, &b));
	ec_block_id mb;
	uint64_t mt;
	assert_false(get_token(f, TOK, &mb, &mt));
	assert_int_equal(count_events(f, EC_EV_TOKEN_WRITE), 0);

	/* committed: votes are answered with 0xFF, no more requests */
	clear(f);
	deliver_vote_t(f, 3000, BID, 1, true, 0, 0);
	assert_int_equal(f->nout, 1);
	assert_vote_msg(&f->out[0], 3000, BID, EC_SEED_COMMITTED_VOTE, false, 1);
	clear(f);
	tick(f);
	assert_int_equal(f->nout, 0);
	assert_int_equal(count_events(f, EC_EV_COMMIT), 0);
}

static void
test_pending_at_plus_two(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	submit(f, &b);
	votes(f, BID, tok_pos, 3, 1);        /* +3 */
	votes(f, BID, &tok_pos[5], 1, 0);    /* -1 -> +2 */
	deliver_vote(f, 15000, BID, 1);      /* outside TOK's window: not counted */
	deliver_vote(f, 11000, BID, 1);      /* outside both windows */
	votes(f, BID, wit, 3, 1);
	clear(f);
	tick(f);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_int_equal(e->state, EC_STATE_PENDING);
	assert_int_equal(e->remaining, 0x01);
	assert_false(e->updated);
	assert_int_equal(count_events(f, EC_EV_COMMIT), 0);
	assert_null(ec_memstore_block_get(f->ms, 0, BID));
	/* only the token vote: mask 1 (no mapping, last 0), to peers_for(TOK, 1) */
	assert_int_equal(f->nout, 2);
	assert_vote_pair(f, 0, TOK, BID, 0x01);
	assert_int_equal(count_events(f, EC_EV_VOTE_REQ_TOKEN), 1);
	assert_int_equal(count_events(f, EC_EV_VOTE_REQ_WITNESS), 0);

	/* one more positive voter inside the window commits */
	deliver_vote(f, 8000, BID, 1);
	clear(f);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->state, EC_STATE_COMMIT);
	assert_int_equal(count_events(f, EC_EV_COMMIT), 1);
	assert_int_equal(f->nout, 0);
}

static void
test_commit_on_negative_balance(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	submit(f, &b);
	votes(f, BID, tok_pos, 2, 0); /* -2: undecided */
	votes(f, BID, wit, 3, 0);
	clear(f);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->state, EC_STATE_PENDING);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->remaining, 0x01);
	assert_int_equal(f->nout, 2);
	assert_vote_pair(f, 0, TOK, BID, 0x01);

	deliver_vote(f, tok_pos[2], BID, 0x7E); /* bit 0 clear: -1 -> -3 */
	clear(f);
	tick(f);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_int_equal(e->state, EC_STATE_COMMIT);
	assert_true(e->negative);
	const event_rec *ev = find_event(f, EC_EV_COMMIT);
	assert_non_null(ev);
	assert_int_equal(ev->block, BID);
	assert_int_equal(ev->arg, 1);
	assert_non_null(ec_memstore_block_get(f->ms, 0, BID));
}

static void
test_witness_needs_three(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	submit(f, &b);
	votes(f, BID, tok_pos, 4, 1);
	votes(f, BID, wit, 2, 1);
	clear(f);
	tick(f);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_int_equal(e->state, EC_STATE_PENDING);
	assert_int_equal(e->remaining, 0x40);
	/* witness vote: to peers_for(block id, T), carrying the mask */
	assert_int_equal(f->nout, 2);
	assert_vote_pair(f, 0, BID, BID, 0x01);
	assert_int_equal(count_events(f, EC_EV_VOTE_REQ_WITNESS), 1);
	assert_int_equal(count_events(f, EC_EV_VOTE_REQ_TOKEN), 0);

	/* a newer vote from a witness voter does not add a voter */
	deliver_vote_t(f, wit[0], BID, 0, true, 1, 0);
	clear(f);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->remaining, 0x40);
	assert_int_equal(f->nout, 2);
	assert_vote_pair(f, 0, BID, BID, 0x01);

	deliver_vote(f, wit[3], BID, 0);
	clear(f);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->state, EC_STATE_COMMIT);
	assert_int_equal(f->nout, 0);
}

/* The tally is recomputed only when the entry was updated: a peer added in
 * between shifts the windows, but the kept result stands until the next
 * vote arrives (seed-protocol.md §2.4 notes). */
static void
test_tally_only_when_updated(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	submit(f, &b);
	votes(f, BID, tok_pos, 3, 1); /* 2000, 3000, 4000: +3 */
	votes(f, BID, wit, 2, 1);     /* 2 witness voters */
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->remaining, 0x40);

	/* 2500 becomes a peer (its vote for an unknown block); TOK's window is
	 * now [2500, 10000], so voter 2000 no longer counts */
	deliver_vote(f, 2500, 777777, 1);
	assert_true(ec_peers_trusted(&f->node.peers, 2500));
	ec_range r = ec_peer_range(&f->node.peers, TOK);
	assert_int_equal(r.low, 2500);
	assert_int_equal(r.high, 10000);

	clear(f);
	tick(f); /* not updated: still only the witness request */
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->remaining, 0x40);
	assert_int_equal(f->nout, 2);
	assert_vote_pair(f, 0, BID, BID, 0x01);

	/* the third witness vote triggers a tally in the new windows: the
	 * witness is decided, the token part (+2 now) is not */
	deliver_vote(f, wit[2], BID, 1);
	clear(f);
	tick(f);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_int_equal(e->state, EC_STATE_PENDING);
	assert_int_equal(e->remaining, 0x01);
	assert_int_equal(f->nout, 2);
	assert_vote_pair(f, 0, TOK, BID, 0x01);
}

static void
test_vote_requests_sorted_and_repeated(void **state)
{
	fixture *f = *state;
	/* TOK (5500) < BID (15500): the token pair first, then the witness pair */
	ec_block b = mk_block(BID, 0, TOK, 0);
	submit(f, &b);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->remaining, 0x41);
	assert_int_equal(f->nout, 4);
	assert_vote_pair(f, 0, TOK, BID, 0x01);
	assert_vote_pair(f, 2, BID, BID, 0x01);

	/* no new votes: the same requests every tick, targets rotating with T */
	for (int k = 0; k < 5; k++) {
		clear(f);
		tick(f);
		assert_int_equal(f->nout, 4);
		assert_vote_pair(f, 0, TOK, BID, 0x01);
		assert_vote_pair(f, 2, BID, BID, 0x01);
	}
	assert_int_equal(now(f), 6);
}

static void
test_vote_requests_witness_first_and_mask(void **state)
{
	fixture *f = *state;
	/* BID_W (1500) < TOK_IN (12500): witness pair first.  last != 0 and no
	 * mapping stored: mask 0, so the token vote says "cannot verify". */
	ec_block b = mk_block(BID_W, 0, TOK_IN, PARENT);
	submit(f, &b);
	tick(f);
	assert_int_equal(f->nout, 4);
	assert_vote_pair(f, 0, BID_W, BID_W, 0x00);
	assert_vote_pair(f, 2, TOK_IN, BID_W, 0x00);

	/* a matching mapping: mask 1 */
	put_token(f, TOK_IN, PARENT, 0);
	clear(f);
	tick(f);
	assert_int_equal(f->nout, 4);
	assert_vote_pair(f, 0, BID_W, BID_W, 0x01);
	assert_vote_pair(f, 2, TOK_IN, BID_W, 0x01);
}

static void
test_token_written_inside_my_range(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID_W, 0, TOK_IN, 0);
	submit(f, &b);
	static const uint64_t tv[] = {9000, 10000, 11000};   /* TOK_IN's window */
	static const uint64_t wv[] = {1000, 19000, 6000};    /* BID_W's wrapping window */
	votes(f, BID_W, tv, 3, 1);
	votes(f, BID_W, wv, 3, 0);
	clear(f);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID_W)->state, EC_STATE_COMMIT);
	assert_non_null(ec_memstore_block_get(f->ms, 0, BID_W));
	ec_block_id mb = 0;
	uint64_t mt = 99;
	assert_true(get_token(f, TOK_IN, &mb, &mt));
	assert_int_equal(mb, BID_W);
	assert_int_equal(mt, 0);
	const event_rec *ev = find_event(f, EC_EV_TOKEN_WRITE);
	assert_non_null(ev);
	assert_int_equal(ev->block, BID_W);
	assert_int_equal(ev->arg, TOK_IN);
}

/* token_set overwrites only a strictly older mapping (seed-protocol.md §1.4). */
static void
test_token_write_only_if_newer(void **state)
{
	fixture *f = *state;
	static const uint64_t tv[] = {9000, 10000, 11000};
	static const uint64_t wv[] = {1000, 19000, 6000};
	put_token(f, TOK_IN, PARENT, 5);
	ec_block older = mk_block(BID_W, 5, TOK_IN, PARENT); /* same time: kept */
	submit(f, &older);
	votes(f, BID_W, tv, 3, 1);
	votes(f, BID_W, wv, 3, 1);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID_W)->state, EC_STATE_COMMIT);
	ec_block_id mb = 0;
	uint64_t mt = 0;
	assert_true(get_token(f, TOK_IN, &mb, &mt));
	assert_int_equal(mb, PARENT);
	assert_int_equal(mt, 5);

	ec_block newer = mk_block(BID_W + 1, 6, TOK_IN, PARENT);
	submit(f, &newer);
	votes(f, BID_W + 1, tv, 3, 1);
	votes(f, BID_W + 1, wv, 3, 1);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID_W + 1)->state, EC_STATE_COMMIT);
	assert_true(get_token(f, TOK_IN, &mb, &mt));
	assert_int_equal(mb, BID_W + 1);
	assert_int_equal(mt, 6);
}

static void
test_different_mapping_requests_parent(void **state)
{
	fixture *f = *state;
	put_token(f, TOK, 777, 0); /* a different, non-zero mapping */
	ec_block b = mk_block(BID, 0, TOK, PARENT);
	submit(f, &b);
	votes(f, BID, tok_pos, 4, 1); /* enough to commit if it were evaluated */
	votes(f, BID, wit, 4, 1);
	clear(f);
	tick(f);
	assert_int_equal(f->nout, 1);
	assert_query_msg(&f->out[0], ec_peer_for(&f->node.peers, SELF, PARENT, 1), 0, PARENT, 0,
	                 EC_SEED_PREQ ^ PARENT, 1);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, BID);
	assert_int_equal(e->state, EC_STATE_PENDING);
	assert_true(e->updated); /* never tallied */
	assert_int_equal(count_events(f, EC_EV_COMMIT), 0);
	assert_int_equal(count_events(f, EC_EV_PARENT_COMMIT_REQ), 1);
	assert_int_equal(count_events(f, EC_EV_EVALUATED), 1);

	/* every tick again, to the rotating peer_for target */
	clear(f);
	tick(f);
	assert_int_equal(f->nout, 1);
	assert_query_msg(&f->out[0], ec_peer_for(&f->node.peers, SELF, PARENT, 2), 0, PARENT, 0,
	                 EC_SEED_PREQ ^ PARENT, 2);

	/* the parent arriving as a block (ticket 3^parent) enters the pool; its
	 * requests and the child's come out sorted by key, reorg first on ties */
	ec_block parent = mk_block(PARENT, 0, TOK, 777);
	deliver_block(f, 3000, &parent, EC_SEED_PREQ ^ PARENT);
	assert_non_null(ec_mempool_find(&f->node.pool, PARENT));
	clear(f);
	tick(f);
	/* parent: mapping 777 == its last -> mask 1; no votes -> token + witness
	 * requests.  Keys: PARENTCOMMIT(4242), witness VOTE(4242, false), token
	 * VOTE(5500, true); the reorg request stays ahead of the equal key. */
	assert_int_equal(now(f), 3);
	assert_int_equal(f->nout, 5);
	assert_query_msg(&f->out[0], ec_peer_for(&f->node.peers, SELF, PARENT, 3), 0, PARENT, 0,
	                 EC_SEED_PREQ ^ PARENT, 3);
	assert_vote_pair(f, 1, PARENT, PARENT, 0x01);
	assert_vote_pair(f, 3, TOK, PARENT, 0x01);
}

static void
test_conflict_blanks_second_block(void **state)
{
	fixture *f = *state;
	/* two blocks spending TOK with a positive mask in one tick: the later
	 * one (in sort order) has all its votes blanked to 0 */
	ec_block b1 = mk_block(BID, 0, TOK, 0);
	ec_block b2 = mk_block(BID + 1000, 0, TOK, 0);
	submit(f, &b1);
	submit(f, &b2);
	clear(f);
	tick(f);
	assert_int_equal(f->nout, 8);
	assert_vote_pair(f, 0, TOK, BID, 0x01);
	assert_vote_pair(f, 2, TOK, BID + 1000, 0x00);
	assert_vote_pair(f, 4, BID, BID, 0x01);
	assert_vote_pair(f, 6, BID + 1000, BID + 1000, 0x00);
	assert_int_equal(count_events(f, EC_EV_VOTE_CONFLICT), 1);
	assert_int_equal(find_event(f, EC_EV_VOTE_CONFLICT)->block, BID + 1000);
}

/* Equal sort keys: positive = false sorts before positive = true, whatever
 * the pool order; one positive vote per token is no conflict. */
static void
test_vote_requests_negative_before_positive(void **state)
{
	fixture *f = *state;
	ec_block a = mk_block(BID, 0, TOK, 0);              /* mask 1: positive */
	ec_block b = mk_block(BID + 1000, 0, TOK, PARENT);  /* mask 0: negative */
	submit(f, &a);
	submit(f, &b);
	tick(f);
	assert_int_equal(f->nout, 8);
	assert_vote_pair(f, 0, TOK, BID + 1000, 0x00);
	assert_vote_pair(f, 2, TOK, BID, 0x01);
	assert_vote_pair(f, 4, BID, BID, 0x01);
	assert_vote_pair(f, 6, BID + 1000, BID + 1000, 0x00);
	assert_int_equal(count_events(f, EC_EV_VOTE_CONFLICT), 0);
}

/* Conflict detection starts from last_tok = 0 (seed-protocol.md §2.4), so a positive
 * vote on token 0 is blanked even without a second block (ref quirk). */
static void
test_conflict_token_zero(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, 0, 0);
	submit(f, &b);
	tick(f);
	assert_int_equal(f->nout, 4);
	assert_vote_pair(f, 0, 0, BID, 0x00);
	assert_vote_pair(f, 2, BID, BID, 0x00);
	assert_int_equal(count_events(f, EC_EV_VOTE_CONFLICT), 1);
}

/* Salted pool order (seed-protocol.md §5 B1): k = (salt * golden) | 1, entries in
 * ascending mix64(id ^ k); unsalted nodes use insertion order. */
static void
test_salted_order(void **state)
{
	fixture *f = *state;
	assert_int_equal(ec_seed_order_key(&f->node, BID), 0);

	f->proto->node_fini(&f->node, &f->ctx);
	const ec_seed_config cfg = {.salted = true, .salt = 28};
	assert_int_equal(f->proto->node_init(&f->node, SELF, &cfg), EC_OK);
	uint64_t ids[NPEERS];
	for (int i = 0; i < NPEERS; i++)
		ids[i] = 1000u * (uint64_t)(i + 1);
	assert_int_equal(f->proto->set_peers(&f->node, &f->ctx, ids, NPEERS), EC_OK);
	const uint64_t k = (28u * 0x9E3779B97F4A7C15ull) | 1u;
	assert_true(f->node.salted);
	assert_int_equal(f->node.order_k, k);

	static const ec_block_id bids[] = {101, 202, 303, 404, 505, 606};
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(ec_seed_order_key(&f->node, bids[i]), ec_mix64(bids[i] ^ k));
		ec_block b = mk_block(bids[i], 0, TOK, 0);
		submit(f, &b);
	}
	assert_int_equal(f->node.pool.len, 6);
	for (uint32_t i = 1; i < 6; i++)
		assert_true(ec_mix64(f->node.pool.e[i - 1].id ^ k) < ec_mix64(f->node.pool.e[i].id ^ k));
	/* an entry created by a vote gets the same key */
	deliver_vote(f, 3000, 707, 1);
	const ec_pool_entry *e = ec_mempool_find(&f->node.pool, 707);
	assert_int_equal(e->order_key, ec_mix64(707 ^ k));
}

/* advance(n) on an idle node is n ticks. */
static void
test_advance_idle(void **state)
{
	fixture *f = *state;
	assert_true(f->proto->idle(&f->node));
	f->proto->advance(&f->node, 5);
	assert_int_equal(now(f), 5);
	tick(f);
	assert_int_equal(now(f), 6);
	deliver_vote_t(f, 3000, BID, 1, true, 5, 0);
	assert_int_equal(f->nout, 1);
	assert_query_msg(&f->out[0], 3000, 0, BID, 0, EC_SEED_BREQ ^ BID, 6);
	assert_false(f->proto->idle(&f->node));
}

static void
test_expiry(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	submit(f, &b);
	for (int k = 0; k < EC_MEMPOOL_EXPIRY - 1; k++) {
		clear(f);
		tick(f);
		assert_int_equal(f->nout, 4);
	}
	assert_int_equal(f->node.pool.len, 1);
	clear(f);
	tick(f); /* T = 200: now - time >= 200 */
	assert_int_equal(now(f), EC_MEMPOOL_EXPIRY);
	assert_int_equal(f->node.pool.len, 0);
	assert_int_equal(f->nout, 0);
	assert_int_equal(count_events(f, EC_EV_EXPIRED), 1);
	assert_true(f->proto->idle(&f->node));
	/* the block was never committed: votes for it now take the None path */
	clear(f);
	deliver_vote(f, 3000, BID, 1);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].m.type, EC_MSG_QUERY_BLOCK);
}

static void
test_expired_commit_falls_back_to_store(void **state)
{
	fixture *f = *state;
	ec_block b = mk_block(BID, 0, TOK, 0);
	submit(f, &b);
	votes(f, BID, tok_pos, 3, 1);
	votes(f, BID, wit, 3, 1);
	tick(f);
	assert_int_equal(ec_mempool_find(&f->node.pool, BID)->state, EC_STATE_COMMIT);
	for (int k = 1; k < EC_MEMPOOL_EXPIRY; k++)
		tick(f);
	assert_int_equal(f->node.pool.len, 0);
	clear(f);
	deliver_vote(f, 3000, BID, 1);
	assert_int_equal(f->nout, 1);
	assert_vote_msg(&f->out[0], 3000, BID, EC_SEED_COMMITTED_VOTE, false, EC_MEMPOOL_EXPIRY);
	deliver_query(f, STRANGER, BID, 0, 5);
	assert_int_equal(f->nout, 2);
	assert_envelope(&f->out[1], EC_MSG_BLOCK, STRANGER, 5, EC_MEMPOOL_EXPIRY);
	assert_true(ec_block_equal(&f->out[1].block, &b));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_layout),
		T(test_vote_none_untrusted_adds_peer),
		T(test_vote_none_untrusted_with_ticket),
		T(test_vote_none_trusted_records_and_queries),
		T(test_vote_pending),
		T(test_vote_committed_in_store),
		T(test_vote_blocked),
		T(test_query_answered),
		T(test_query_referral_to_untrusted),
		T(test_query_forward_or_drop),
		T(test_block_tickets),
		T(test_commit_at_plus_three),
		T(test_pending_at_plus_two),
		T(test_commit_on_negative_balance),
		T(test_witness_needs_three),
		T(test_tally_only_when_updated),
		T(test_vote_requests_sorted_and_repeated),
		T(test_vote_requests_witness_first_and_mask),
		T(test_token_written_inside_my_range),
		T(test_token_write_only_if_newer),
		T(test_different_mapping_requests_parent),
		T(test_conflict_blanks_second_block),
		T(test_vote_requests_negative_before_positive),
		T(test_conflict_token_zero),
		T(test_salted_order),
		T(test_advance_idle),
		T(test_expiry),
		T(test_expired_commit_falls_back_to_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
