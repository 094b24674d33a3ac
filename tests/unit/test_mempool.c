/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ec_mempool (ec/mempool.h), the seed protocol's pool
 * primitives of seed-protocol.md §2.2: entry order, pool_vote (replace-if-newer, the
 * 'updated' rule, the 100-entry gate), pool_block validity and duplicates,
 * and the 200-tick cleanup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ec/ctx.h"
#include "ec/mempool.h"

static ec_ctx
test_ctx(void)
{
	ec_ctx ctx = {0};
	ctx.realloc_fn = ec_libc_realloc;
	return ctx;
}

static ec_block
make_block(ec_block_id id, uint64_t time, uint8_t used)
{
	ec_block b = {0};
	b.id = id;
	b.time = time;
	b.used = used;
	for (uint8_t i = 0; i < used && i < EC_TOKENS_PER_BLOCK; i++) {
		b.parts[i].token = 1000 + i;
		b.parts[i].last = 2000 + i;
		b.parts[i].key = 3000 + i;
	}
	return b;
}

static void
vote(ec_mempool *pool, const ec_ctx *ctx, ec_block_id id, uint8_t v, ec_peer_id sender,
     uint64_t t, uint64_t key, bool want_gated)
{
	bool gated = !want_gated;
	assert_int_equal(ec_mempool_vote(pool, ctx, id, v, sender, t, key, &gated), EC_OK);
	assert_int_equal(gated, want_gated);
}

static void
offer(ec_mempool *pool, const ec_ctx *ctx, const ec_block *b, uint64_t now, uint64_t key,
      bool want_fresh)
{
	bool fresh = !want_fresh;
	assert_int_equal(ec_mempool_block(pool, ctx, b, now, key, &fresh), EC_OK);
	assert_int_equal(fresh, want_fresh);
}

static void
assert_order(const ec_mempool *pool, const ec_block_id *ids, uint32_t n)
{
	assert_int_equal(pool->len, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(pool->e[i].id, ids[i]);
}

static void
test_insertion_order(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);
	assert_null(ec_mempool_find(&pool, 5));
	vote(&pool, &ctx, 50, 1, 7, 1, 0, false);
	ec_block b = make_block(30, 0, 1);
	offer(&pool, &ctx, &b, 2, 0, true);
	vote(&pool, &ctx, 90, 1, 7, 3, 0, false);
	vote(&pool, &ctx, 10, 1, 7, 4, 0, false);
	vote(&pool, &ctx, 50, 1, 8, 5, 0, false); /* existing: no new entry */
	static const ec_block_id want[] = {50, 30, 90, 10};
	assert_order(&pool, want, 4);
	assert_non_null(ec_mempool_find(&pool, 90));
	assert_ptr_equal(ec_mempool_find(&pool, 90), &pool.e[2]);
	assert_null(ec_mempool_find(&pool, 11));
	ec_mempool_fini(&pool, &ctx);
	assert_int_equal(pool.len, 0);
}

static void
test_order_key_order(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);
	/* (id, key): ascending key, ties in insertion order */
	static const struct { ec_block_id id; uint64_t key; } in[] = {
		{1, 50}, {2, 10}, {3, 50}, {4, 10}, {5, 30}, {6, UINT64_MAX}, {7, 0}, {8, 30},
	};
	for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
		if (k % 2) {
			ec_block b = make_block(in[k].id, 0, 1);
			offer(&pool, &ctx, &b, 0, in[k].key, true);
		} else {
			vote(&pool, &ctx, in[k].id, 1, 9, 0, in[k].key, false);
		}
	}
	static const ec_block_id want[] = {7, 2, 4, 5, 8, 1, 3, 6};
	assert_order(&pool, want, 8);
	for (uint32_t i = 1; i < pool.len; i++)
		assert_true(pool.e[i - 1].order_key <= pool.e[i].order_key);
	ec_mempool_fini(&pool, &ctx);
}

static void
test_vote_new_entry(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);
	vote(&pool, &ctx, 77, 0x05, 1234, 42, 0, false);
	ec_pool_entry *e = ec_mempool_find(&pool, 77);
	assert_non_null(e);
	assert_int_equal(e->time, 42); /* entry time = the vote's (sender's) time */
	assert_int_equal(e->state, EC_STATE_PENDING);
	assert_false(e->has_block);
	assert_int_equal(e->validate, 0xFF);
	assert_int_equal(e->remaining, 0);
	assert_true(e->updated);
	assert_int_equal(e->nvotes, 1);
	assert_int_equal(e->votes[0].peer, 1234);
	assert_int_equal(e->votes[0].time, 42);
	assert_int_equal(e->votes[0].vote, 0x05);
	ec_mempool_fini(&pool, &ctx);
}

static void
test_vote_replace_only_if_newer(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);
	vote(&pool, &ctx, 77, 1, 500, 10, 0, false);
	ec_pool_entry *e = ec_mempool_find(&pool, 77);
	assert_true(e->updated);

	/* older: not stored, updated not set */
	e->updated = false;
	vote(&pool, &ctx, 77, 2, 500, 9, 0, false);
	e = ec_mempool_find(&pool, 77);
	assert_false(e->updated);
	assert_int_equal(e->nvotes, 1);
	assert_int_equal(e->votes[0].vote, 1);
	assert_int_equal(e->votes[0].time, 10);

	/* equal time: not stored, but updated IS set (reference quirk) */
	vote(&pool, &ctx, 77, 3, 500, 10, 0, false);
	e = ec_mempool_find(&pool, 77);
	assert_true(e->updated);
	assert_int_equal(e->nvotes, 1);
	assert_int_equal(e->votes[0].vote, 1);
	assert_int_equal(e->votes[0].time, 10);

	/* newer: replaced, updated set */
	e->updated = false;
	vote(&pool, &ctx, 77, 4, 500, 11, 0, false);
	e = ec_mempool_find(&pool, 77);
	assert_true(e->updated);
	assert_int_equal(e->nvotes, 1);
	assert_int_equal(e->votes[0].vote, 4);
	assert_int_equal(e->votes[0].time, 11);
	assert_int_equal(e->time, 10); /* the entry keeps its creation time */

	/* another sender, even with an older time, is a new record */
	e->updated = false;
	vote(&pool, &ctx, 77, 5, 501, 3, 0, false);
	e = ec_mempool_find(&pool, 77);
	assert_true(e->updated);
	assert_int_equal(e->nvotes, 2);
	assert_int_equal(e->votes[1].peer, 501);
	assert_int_equal(e->votes[1].vote, 5);
	assert_int_equal(e->votes[1].time, 3);

	/* many voters: the vote list grows */
	for (uint64_t s = 0; s < 100; s++)
		vote(&pool, &ctx, 77, (uint8_t)s, 10000 + s, 20, 0, false);
	e = ec_mempool_find(&pool, 77);
	assert_int_equal(e->nvotes, 102);
	for (uint32_t i = 2; i < 102; i++) {
		assert_int_equal(e->votes[i].peer, 10000 + i - 2);
		assert_int_equal(e->votes[i].vote, i - 2);
	}
	ec_mempool_fini(&pool, &ctx);
}

static void
test_vote_gate(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);
	for (ec_block_id id = 1; id < EC_MEMPOOL_GATE; id++)
		vote(&pool, &ctx, id, 1, 7, 0, 0, false);
	assert_int_equal(pool.len, EC_MEMPOOL_GATE - 1);
	/* the 100th entry is still admitted */
	vote(&pool, &ctx, EC_MEMPOOL_GATE, 1, 7, 0, 0, false);
	assert_int_equal(pool.len, EC_MEMPOOL_GATE);

	/* at 100 entries: a new block is refused */
	vote(&pool, &ctx, 5000, 1, 7, 0, 0, true);
	assert_int_equal(pool.len, EC_MEMPOOL_GATE);
	assert_null(ec_mempool_find(&pool, 5000));

	/* ... and so is a vote for an EXISTING entry: nothing recorded */
	ec_pool_entry *e = ec_mempool_find(&pool, 3);
	e->updated = false;
	vote(&pool, &ctx, 3, 0x3F, 8, 5, 0, true);
	e = ec_mempool_find(&pool, 3);
	assert_int_equal(e->nvotes, 1);
	assert_int_equal(e->votes[0].peer, 7);
	assert_false(e->updated);
	/* a newer vote of an existing voter is not applied either */
	vote(&pool, &ctx, 3, 0x3F, 7, 5, 0, true);
	e = ec_mempool_find(&pool, 3);
	assert_int_equal(e->votes[0].vote, 1);
	assert_int_equal(e->votes[0].time, 0);
	assert_false(e->updated);

	/* pool_block has no gate */
	ec_block b = make_block(6000, 0, 1);
	offer(&pool, &ctx, &b, 0, 0, true);
	assert_int_equal(pool.len, EC_MEMPOOL_GATE + 1);
	assert_true(ec_mempool_find(&pool, 6000)->has_block);

	/* below the gate again after cleanup: votes are recorded */
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, EC_MEMPOOL_EXPIRY), EC_MEMPOOL_GATE + 1);
	vote(&pool, &ctx, 3, 1, 7, 300, 0, false);
	assert_int_equal(pool.len, 1);
	ec_mempool_fini(&pool, &ctx);
}

static void
test_block_valid(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);

	/* a vote-created entry (validate 0xFF) receives its block */
	vote(&pool, &ctx, 11, 1, 7, 3, 0, false);
	ec_pool_entry *e = ec_mempool_find(&pool, 11);
	e->updated = false;
	e->vote = 0x77;
	ec_block b = make_block(11, 50 + EC_SOME_STEPS_INTO_THE_FUTURE, 5); /* boundaries */
	b.sig_present = 0x3;
	b.signatures[0] = 9;
	b.signatures[1] = 10;
	offer(&pool, &ctx, &b, 50, 0, true);
	e = ec_mempool_find(&pool, 11);
	assert_true(e->has_block);
	assert_true(ec_block_equal(&e->block, &b));
	assert_int_equal(e->validate, 0);
	assert_true(e->updated);
	assert_int_equal(e->vote, 0);
	assert_int_equal(e->state, EC_STATE_PENDING);
	assert_int_equal(e->time, 3); /* creation time kept */
	assert_int_equal(e->nvotes, 1);

	/* a new entry from a block gets time = now */
	ec_block c = make_block(12, 0, 1);
	offer(&pool, &ctx, &c, 60, 0, true);
	e = ec_mempool_find(&pool, 12);
	assert_int_equal(e->time, 60);
	assert_int_equal(e->validate, 0);
	assert_int_equal(e->nvotes, 0);
	assert_true(e->updated);
	ec_mempool_fini(&pool, &ctx);
}

static void
test_block_duplicate(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);
	ec_block b = make_block(21, 5, 1);
	offer(&pool, &ctx, &b, 5, 0, true);
	ec_pool_entry *e = ec_mempool_find(&pool, 21);
	e->updated = false;
	e->remaining = 0x41;
	/* same id again, other content: refused, nothing changes */
	ec_block other = make_block(21, 6, 2);
	offer(&pool, &ctx, &other, 7, 0, false);
	e = ec_mempool_find(&pool, 21);
	assert_true(ec_block_equal(&e->block, &b));
	assert_false(e->updated);
	assert_int_equal(e->remaining, 0x41);
	assert_int_equal(e->time, 5);
	offer(&pool, &ctx, &b, 8, 0, false);
	assert_int_equal(pool.len, 1);
	ec_mempool_fini(&pool, &ctx);
}

static void
test_block_invalid(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);

	/* used == 6 (TOKENS_PER_BLOCK) is invalid (seed-protocol.md §5 A3) */
	ec_block six = make_block(31, 0, EC_TOKENS_PER_BLOCK);
	offer(&pool, &ctx, &six, 0, 0, true);
	ec_pool_entry *e = ec_mempool_find(&pool, 31);
	assert_non_null(e);
	assert_int_equal(e->state, EC_STATE_BLOCKED);
	assert_false(e->has_block);
	assert_false(e->updated);
	assert_int_equal(e->validate, 0xFF);

	/* a block from more than 100 steps in the future */
	ec_block future = make_block(32, 10 + EC_SOME_STEPS_INTO_THE_FUTURE + 1, 1);
	offer(&pool, &ctx, &future, 10, 0, true);
	e = ec_mempool_find(&pool, 32);
	assert_int_equal(e->state, EC_STATE_BLOCKED);
	assert_false(e->has_block);

	/* an existing pending entry with votes becomes Blocked, votes kept */
	vote(&pool, &ctx, 33, 1, 7, 2, 0, false);
	e = ec_mempool_find(&pool, 33);
	e->updated = false;
	ec_block bad = make_block(33, 0, 7);
	offer(&pool, &ctx, &bad, 2, 0, true);
	e = ec_mempool_find(&pool, 33);
	assert_int_equal(e->state, EC_STATE_BLOCKED);
	assert_false(e->has_block);
	assert_false(e->updated);
	assert_int_equal(e->nvotes, 1);
	assert_int_equal(pool.len, 3);
	ec_mempool_fini(&pool, &ctx);
}

static void
test_cleanup(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);
	/* entries (id, time) in insertion order */
	static const struct { ec_block_id id; uint64_t time; } in[] = {
		{1, 100}, {2, 50}, {3, 149}, {4, 150}, {5, 10}, {6, 249}, {7, 51},
	};
	for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
		vote(&pool, &ctx, in[k].id, 1, 7, in[k].time, 0, false);
		for (uint64_t s = 0; s < 20; s++) /* votes to free */
			vote(&pool, &ctx, in[k].id, 1, 100 + s, in[k].time, 0, false);
	}
	/* entry 1 committed, entry 7 has a block */
	ec_mempool_find(&pool, 1)->state = EC_STATE_COMMIT;
	ec_block b = make_block(7, 0, 1);
	offer(&pool, &ctx, &b, 60, 0, true);

	/* now 249: removes time <= 49 -> only 5 */
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, 249), 1);
	static const ec_block_id want1[] = {1, 2, 3, 4, 6, 7};
	assert_order(&pool, want1, 6);

	/* now 250: 2 (time 50, exactly 200) goes; 7 (51) stays */
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, 250), 1);
	static const ec_block_id want2[] = {1, 3, 4, 6, 7};
	assert_order(&pool, want2, 5);

	/* now 350: 1 (Commit, 100), 3 (149), 4 (150), 7 (51) go */
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, 350), 4);
	static const ec_block_id want3[] = {6};
	assert_order(&pool, want3, 1);
	assert_int_equal(pool.e[0].nvotes, 21);

	/* nothing to remove */
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, 448), 0);
	/* u64 subtraction: an entry from the "future" wraps and is removed */
	vote(&pool, &ctx, 8, 1, 7, 1000, 0, false);
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, 448), 1);
	assert_order(&pool, want3, 1);
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, 449), 1);
	assert_int_equal(pool.len, 0);
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, 10000), 0);
	ec_mempool_fini(&pool, &ctx);
}

static void
test_cleanup_keeps_salted_order(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_mempool pool;
	ec_mempool_init(&pool);
	/* keys 40, 10, 30, 20 -> order 2 (10), 4 (20), 3 (30), 1 (40) */
	vote(&pool, &ctx, 1, 1, 7, 0, 40, false);
	vote(&pool, &ctx, 2, 1, 7, 5, 10, false);
	vote(&pool, &ctx, 3, 1, 7, 0, 30, false);
	vote(&pool, &ctx, 4, 1, 7, 5, 20, false);
	assert_int_equal(ec_mempool_cleanup(&pool, &ctx, 200), 2);
	static const ec_block_id want[] = {2, 4};
	assert_order(&pool, want, 2);
	/* a later insert still lands in key order */
	vote(&pool, &ctx, 5, 1, 7, 200, 15, false);
	static const ec_block_id want2[] = {2, 5, 4};
	assert_order(&pool, want2, 3);
	ec_mempool_fini(&pool, &ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insertion_order),
		cmocka_unit_test(test_order_key_order),
		cmocka_unit_test(test_vote_new_entry),
		cmocka_unit_test(test_vote_replace_only_if_newer),
		cmocka_unit_test(test_vote_gate),
		cmocka_unit_test(test_block_valid),
		cmocka_unit_test(test_block_duplicate),
		cmocka_unit_test(test_block_invalid),
		cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_cleanup_keeps_salted_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
