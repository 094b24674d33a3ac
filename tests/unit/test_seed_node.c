/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the seed protocol node (ec/seed.h), driven through its
 * ec_protocol vtable with a recording context (seed_node_fixture.h, which
 * also gives the layout of peers, tokens and blocks): the layout itself and
 * the handle_message table of seed-protocol.md §2.5 (Vote, QueryBlock,
 * Block).  The tick of §2.4 is tested in test_seed_tick.c.
 */
#include "seed_node_fixture.h"

static void
put_block(fixture *f, const ec_block *b)
{
	assert_int_equal(ec_seed_store(&f->ctx.store)->block_put(f->ctx.store.impl, b), EC_OK);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
