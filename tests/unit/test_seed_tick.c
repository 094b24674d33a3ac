/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the seed protocol node (ec/seed.h), driven through its
 * ec_protocol vtable with a recording context (seed_node_fixture.h, which
 * also gives the layout of peers, tokens and blocks): the tick of
 * seed-protocol.md §2.4 (tally, commit thresholds including negative
 * commits, token writes inside the node's own range, vote requests and their
 * targets, parent-commit requests, conflict blanking, salted pool order,
 * advance, expiry).  The handle_message table of §2.5 is tested in
 * test_seed_node.c.
 */
#include "seed_node_fixture.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
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
